// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d faults: each broken or hostile structure gives its scalable-mode
 * reason code, written to the fault recording registers CAP.FRO points at
 * (SID, PASID, address, type), FSTS.PPF/FRI/PFO and the fault event; FPD
 * suppresses recording.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0508
#define DID 3
#define PASID 0x42

static uint64_t frcd(struct tb *tb, unsigned int i, unsigned int qw)
{
	uint64_t cap = vtd_mmio_read(tb->vtd, VTD_CAP_REG, 8);

	return vtd_mmio_read(
		tb->vtd, vtd_fget(cap, VTD_CAP_FRO) * 16 + i * 16 + qw * 8, 8);
}

/* Translates, expects a fault with @reason; returns the record index. */
static void expect(struct tb *tb, uint16_t sid, uint32_t pasid, uint64_t iova,
		   unsigned int acc, uint8_t reason)
{
	struct vtd_xlate x;

	tb_clear_faults(tb);
	assert_int_equal(vtd_translate(tb->vtd, sid, pasid, iova, acc, &x),
			 -EFAULT);
	assert_int_equal(x.reason, reason);
	assert_true(x.recorded);
}

static void test_records(void **state)
{
	uint64_t fsts, r0, r1;
	unsigned int irqs;
	struct vtd_xlate x;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	irqs = tb.irqs[VTD_IRQ_FAULT];
	/* Bus 5 has no root entry yet. */
	expect(&tb, SID, PASID, 0xabcd1234, VTD_WRITE, VTD_FR_SM_ROOT_P);
	fsts = vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4);
	assert_true(vtd_fget(fsts, VTD_FSTS_PPF));
	r0 = frcd(&tb, vtd_fget(fsts, VTD_FSTS_FRI), 0);
	r1 = frcd(&tb, vtd_fget(fsts, VTD_FSTS_FRI), 1);
	assert_int_equal(r0, 0xabcd1000);
	assert_int_equal(r1 >> 63, 1);
	assert_int_equal((r1 >> 32) & 0xff, VTD_FR_SM_ROOT_P);
	assert_int_equal(r1 & 0xffff, SID);
	assert_int_equal((r1 >> 31) & 1, 1); /* PASID present */
	assert_int_equal((r1 >> 40) & 0xfffff, PASID);
	assert_int_equal((r1 >> 62) & 1, 0); /* a write */
	assert_int_equal(tb.irqs[VTD_IRQ_FAULT], irqs + 1);
	/* Context not present, then PASIDE clear, then PASID table. */
	tb_ctx(&tb, SID, 0);
	((uint64_t *)tb_ctx(&tb, SID, 0))[0] &= ~1ull;
	tb_inv_ctx_all(&tb);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_CTX_P);
	((uint64_t *)tb_ctx(&tb, SID, 0))[0] |= 1;
	((uint64_t *)tb_ctx(&tb, SID, 0))[2] = 1; /* reserved */
	tb_inv_ctx_all(&tb);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_CTX_RSVD);
	((uint64_t *)tb_ctx(&tb, SID, 0))[2] = 0;
	tb_inv_ctx_all(&tb);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_PDE_P);
	tb_pe(&tb, SID, PASID);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_PTE_P);
	tb_pe(&tb, SID, PASID)[0] = vtd_dprep(VTD_PE_P, 1) |
				    vtd_dprep(VTD_PE_PGTT, 6);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_PTE_INV);
	/* The invalid entry was not cached: fixing it needs no invalidation. */
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_PT, DID, NULL, NULL, false);
	assert_int_equal(
		vtd_translate(tb.vtd, SID, PASID, 0x5000, VTD_READ, &x), 0);
	/* SRE/ERE clear. */
	tb_pe(&tb, SID, PASID)[2] = 0;
	tb_inv_pc(&tb, VTD_PC_G_PASID, DID, PASID);
	expect(&tb, SID, PASID, 0, VTD_READ | VTD_PRIV, VTD_FR_SM_PTE_SRE);
	expect(&tb, SID, PASID, 0, VTD_READ | VTD_EXEC, VTD_FR_SM_PTE_ERE);
	/* PASID beyond the directory (PDTS 0: 128 entries -> 13 bits). */
	tb_ctx(&tb, SID, 0)[0] &= ~vtd_dmask(VTD_SM_CTX_PDTS);
	tb_inv_ctx_all(&tb);
	expect(&tb, SID, 1u << 13, 0, VTD_READ, VTD_FR_SM_CTX_PASID_MAX);
	tb_fini(&tb);
}

static void test_fpd_and_overflow(void **state)
{
	uint64_t cap, fsts;
	unsigned int i, n;
	struct vtd_xlate x;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	/* P = 0 with FPD: blocked, not recorded. */
	tb_pe(&tb, SID, PASID)[0] = vtd_dprep(VTD_PE_FPD, 1);
	assert_int_equal(vtd_translate(tb.vtd, SID, PASID, 0, VTD_READ, &x),
			 -EFAULT);
	assert_int_equal(x.reason, VTD_FR_SM_PTE_P);
	assert_false(x.recorded);
	assert_false(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4), VTD_FSTS_PPF));
	/* More faults than records: PFO, the rest lost. */
	cap = vtd_mmio_read(tb.vtd, VTD_CAP_REG, 8);
	n = vtd_fget(cap, VTD_CAP_NFR) + 1;
	for (i = 0; i < n + 2; i++) {
		vtd_translate(tb.vtd, 0x7700 + i, VTD_NO_PASID, 0, VTD_READ,
			      &x);
		assert_int_equal(x.recorded, i < n);
	}
	fsts = vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4);
	assert_true(vtd_fget(fsts, VTD_FSTS_PFO));
	assert_true(vtd_fget(fsts, VTD_FSTS_PPF));
	tb_clear_faults(&tb);
	fsts = vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4);
	assert_int_equal(fsts & 0xff, 0);
	tb_fini(&tb);
}

static void test_hostile(void **state)
{
	struct pt_table *ss;
	uint64_t mapped;
	struct tb tb;
	uint64_t *pe;

	(void)state;
	tb_init(&tb, NULL);
	/* A context table pointer outside memory. */
	((uint64_t *)tb_ptr(tb.root + 0x66 * 16))[0] = 0x1000 | 1;
	expect(&tb, 0x6600, VTD_NO_PASID, 0, VTD_READ, VTD_FR_SM_CTX_ACCESS);
	/* A PASID directory pointer outside memory. */
	tb_ctx(&tb, SID, 0)[0] = (tb_ctx(&tb, SID, 0)[0] & 0xfff) | 0x2000;
	tb_inv_ctx_all(&tb);
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_PDE_ACCESS);
	/* A second-stage table pointer outside memory. */
	tb_fini(&tb);
	tb_init(&tb, NULL);
	pe = tb_pe(&tb, SID, PASID);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	tb_pe_set(pe, VTD_PGTT_SS, DID, ss, NULL, false);
	pe[0] = (pe[0] & 0xfff) | 0x3000;
	expect(&tb, SID, PASID, 0, VTD_READ, VTD_FR_SM_SS_ACCESS);
	/* Reserved bits in a second-stage entry; input beyond AW. */
	tb_pe_set(pe, VTD_PGTT_SS, DID, ss, NULL, false);
	tb_inv_pc(&tb, VTD_PC_G_GLOBAL, 0, 0);
	assert_int_equal(pt_map(ss, 0x200000, 0x40000000, 0x200000,
				PT_PROT_READ, &mapped),
			 0);
	{
		uint64_t *t = tb_ptr(pt_root(pt_table_walk_ctx(ss)));

		t = tb_ptr(t[0] & ~0xfffull);
		t = tb_ptr(t[0] & ~0xfffull);
		t[1] |= 1ull << 20; /* address bit below the 2M page size */
	}
	expect(&tb, SID, PASID, 0x200000, VTD_READ, VTD_FR_SM_SS_RSVD);
	expect(&tb, SID, PASID, 1ull << 50, VTD_READ, VTD_FR_SM_ADDR_MAX);
	expect(&tb, SID, PASID, 0x200000, VTD_WRITE, VTD_FR_SM_SS_RSVD);
	pt_free(ss);
	tb_fini(&tb);
}

static void test_fs_perms(void **state)
{
	struct pt_table *fs;
	uint64_t mapped;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	fs = tb_pt(&tb, PT_FMT_VTD_FS, 48, PT_CFG_SIGN_EXTEND);
	pt_map(fs, 0x10000, 0x999000, 4096, PT_PROT_READ | PT_PROT_NOEXEC,
	       &mapped);
	pt_map(fs, 0x20000, 0x998000, 4096,
	       PT_PROT_READ | PT_PROT_WRITE | PT_PROT_PRIV, &mapped);
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_FS, DID, NULL, fs, false);
	expect(&tb, SID, PASID, 0x10000, VTD_WRITE, VTD_FR_SM_WRITE);
	expect(&tb, SID, PASID, 0x10000, VTD_READ | VTD_EXEC, VTD_FR_SM_EXEC);
	expect(&tb, SID, PASID, 0x20000, VTD_READ, VTD_FR_SM_FS_US);
	expect(&tb, SID, PASID, 0x30000, VTD_READ, VTD_FR_SM_FS_P);
	expect(&tb, SID, PASID, 0x0000800000000000ull, VTD_READ,
	       VTD_FR_SM_NON_CANONICAL);
	pt_free(fs);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_fpd_and_overflow),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_fs_perms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
