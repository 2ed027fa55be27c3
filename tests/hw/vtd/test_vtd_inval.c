// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d caches and the invalidation queue: translations, PASID entries and
 * context entries stay cached (stale) until the matching invalidation, an
 * invalidation of another DID or PASID leaves them, and malformed queue
 * contents stop the queue with FSTS.IQE and the right IQERCD.IQEI.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0120
#define DID 9
#define PASID 0x77

static uint64_t xl(struct tb *tb, uint32_t pasid, uint64_t iova)
{
	struct vtd_xlate x;

	if (vtd_translate(tb->vtd, SID, pasid, iova, VTD_READ, &x))
		return ~0ull;
	return x.oa;
}

static void test_iotlb_ss_stale(void **state)
{
	struct pt_table *ss;
	uint64_t mapped, un;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	pt_map(ss, 0x100000, 0xa00000, 4096, PT_PROT_READ, &mapped);
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, false);
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x100010), 0xa00010);
	pt_unmap(ss, 0x100000, 4096, 0, NULL, &un);
	pt_map(ss, 0x100000, 0xb00000, 4096, PT_PROT_READ, &mapped);
	/* Stale; another DID, a PASID-based flush and another page keep it. */
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x100010), 0xa00010);
	tb_inv_iotlb(&tb, VTD_TLB_DOMAIN, DID + 1, 0, 0);
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PASID, DID, 0, 0, 0);
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, 0, 0x100000, 0);
	tb_inv_iotlb(&tb, VTD_TLB_PAGE, DID, 0x200000, 0);
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x100010), 0xa00010);
	/* The page, by AM covering it. */
	tb_inv_iotlb(&tb, VTD_TLB_PAGE, DID, 0x100000 & ~0xfffffull, 8);
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x100010), 0xb00010);
	pt_free(ss);
	tb_fini(&tb);
}

static void test_iotlb_fs_stale(void **state)
{
	struct pt_table *fs;
	uint64_t mapped, un;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	fs = tb_pt(&tb, PT_FMT_VTD_FS, 48, PT_CFG_SIGN_EXTEND);
	pt_map(fs, 0x100000, 0xa00000, 4096, PT_PROT_READ, &mapped);
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_FS, DID, NULL, fs, false);
	tb_pe_set(tb_pe(&tb, SID, PASID + 1), VTD_PGTT_FS, DID, NULL, fs,
		  false);
	assert_int_equal(xl(&tb, PASID, 0x100000), 0xa00000);
	assert_int_equal(xl(&tb, PASID + 1, 0x100000), 0xa00000);
	pt_unmap(fs, 0x100000, 4096, 0, NULL, &un);
	pt_map(fs, 0x100000, 0xc00000, 4096, PT_PROT_READ, &mapped);
	/* The wrong PASID, the wrong DID, a second-stage flush: stale. */
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, PASID + 2, 0x100000, 0);
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PASID, DID + 1, PASID, 0, 0);
	tb_inv_iotlb(&tb, VTD_TLB_PAGE, DID, 0x100000, 0);
	assert_int_equal(xl(&tb, PASID, 0x100000), 0xa00000);
	/* Page-selective for PASID: only that PASID is refreshed. */
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, PASID, 0x100000, 0);
	assert_int_equal(xl(&tb, PASID, 0x100000), 0xc00000);
	assert_int_equal(xl(&tb, PASID + 1, 0x100000), 0xa00000);
	/* Every PASID of the domain: the IOTLB descriptor, by DID. */
	tb_inv_iotlb(&tb, VTD_TLB_DOMAIN, DID, 0, 0);
	assert_int_equal(xl(&tb, PASID + 1, 0x100000), 0xc00000);
	pt_free(fs);
	tb_fini(&tb);
}

static void test_pasid_and_context_cache(void **state)
{
	struct tb tb;
	uint64_t *pe;

	(void)state;
	tb_init(&tb, NULL);
	pe = tb_pe(&tb, SID, PASID);
	tb_pe_set(pe, VTD_PGTT_PT, DID, NULL, NULL, false);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	/* Cleared entry: still cached until the PASID cache is flushed. */
	memset(pe, 0, 64);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	tb_inv_pc(&tb, VTD_PC_G_PASID, DID, PASID + 1);
	tb_inv_pc(&tb, VTD_PC_G_DOMAIN, DID + 1, 0);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	tb_inv_pc(&tb, VTD_PC_G_PASID, DID, PASID);
	assert_int_equal(xl(&tb, PASID, 0x5000), ~0ull);
	/* Context entry: device-selective invalidation of another SID. */
	tb_pe_set(pe, VTD_PGTT_PT, DID, NULL, NULL, false);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	tb_ctx(&tb, SID, 0)[0] &= ~vtd_dmask(VTD_SM_CTX_PASIDE);
	assert_int_equal(tb_qi(&tb,
			       VTD_DESC_CC |
				       vtd_dprep(VTD_CC_G, VTD_CC_DEVICE) |
				       vtd_dprep(VTD_CC_SID, SID + 8),
			       0) &
				 vtd_fmask(VTD_FSTS_IQE),
			 0);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	/* FM = 3 masks devfn bits 2:0: SID + 1 names SID's device. */
	tb_qi(&tb,
	      VTD_DESC_CC | vtd_dprep(VTD_CC_G, VTD_CC_DEVICE) |
		      vtd_dprep(VTD_CC_SID, SID + 1) | vtd_dprep(VTD_CC_FM, 3),
	      0);
	assert_int_equal(xl(&tb, PASID, 0x5000), ~0ull);
	tb_fini(&tb);
}

static uint64_t iqercd(struct tb *tb)
{
	return vtd_fget(vtd_mmio_read(tb->vtd, VTD_IQERCD_REG, 8),
			VTD_IQERCD_IQEI);
}

static void test_queue_errors(void **state)
{
	uint32_t fsts;
	uint64_t iqh;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	assert_true(tb_wait(&tb));
	/* Unknown type. */
	fsts = tb_qi(&tb, 0xf, 0);
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(iqercd(&tb), VTD_IQEI_TYPE);
	iqh = vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8);
	assert_int_equal(iqh, (uint64_t)(tb.iq_tail - 1) << 5);
	/* Stopped: a wait queued behind it does not run... */
	*tb.wait_status = 0;
	tb_qi(&tb,
	      VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_SW, 1) |
		      vtd_dprep(VTD_WAIT_SDATA, 0x77),
	      vtd_dprep(VTD_WAIT_SADDR,
			(uint64_t)(uintptr_t)tb.wait_status >> 2));
	assert_int_equal(*tb.wait_status, 0);
	/* ... until software fixes the descriptor and clears IQE. */
	((uint64_t *)tb_ptr(tb.iq + iqh))[0] = VTD_DESC_IEC;
	vtd_mmio_write(tb.vtd, VTD_FSTS_REG, 4, vtd_fmask(VTD_FSTS_IQE));
	assert_int_equal(*tb.wait_status, 0x77);
	/* Reserved bits in a valid descriptor. */
	fsts = tb_qi(&tb,
		     VTD_DESC_IOTLB | vtd_dprep(VTD_IOTLB_G, 1) | (1ull << 40),
		     0);
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(iqercd(&tb), VTD_IQEI_RSVD);
	((uint64_t *)tb_ptr(tb.iq + vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8)))[0] =
		VTD_DESC_IEC;
	vtd_mmio_write(tb.vtd, VTD_FSTS_REG, 4, vtd_fmask(VTD_FSTS_IQE));
	/* A wait whose status address is outside memory. */
	fsts = tb_qi(&tb, VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_SW, 1),
		     vtd_dprep(VTD_WAIT_SADDR, 0x10));
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(iqercd(&tb), VTD_IQEI_FETCH);
	tb_fini(&tb);
	/* A tail not on a 256-bit boundary. */
	tb_init(&tb, NULL);
	vtd_mmio_write(tb.vtd, VTD_IQT_REG, 8, 0x30);
	assert_true(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4), VTD_FSTS_IQE));
	assert_int_equal(iqercd(&tb), VTD_IQEI_TAIL);
	tb_fini(&tb);
	/* A queue outside memory. */
	tb_init(&tb, NULL);
	vtd_mmio_write(tb.vtd, VTD_GCMD_REG, 4, vtd_fmask(VTD_GCMD_TE));
	vtd_mmio_write(tb.vtd, VTD_IQA_REG, 8, 0x7000 | vtd_fmask(VTD_IQA_DW));
	vtd_mmio_write(tb.vtd, VTD_GCMD_REG, 4,
		       vtd_fmask(VTD_GCMD_TE) | vtd_fmask(VTD_GCMD_QIE));
	vtd_mmio_write(tb.vtd, VTD_IQT_REG, 8, 0x20);
	assert_true(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_FSTS_REG, 4), VTD_FSTS_IQE));
	assert_int_equal(iqercd(&tb), VTD_IQEI_FETCH);
	assert_int_equal(vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8), 0);
	tb_fini(&tb);
}

/*
 * A second stage mapping all of the bench's RAM at GPA = PA, so tables and
 * pages the bench allocates serve as guest-physical too.
 */
static struct pt_table *identity_ss(struct tb *tb)
{
	struct pt_table *ss = tb_pt(tb, PT_FMT_VTD_SS, 48, 0);
	uint64_t ram = (uint64_t)(uintptr_t)tb->ram, mapped;

	assert_int_equal(pt_map(ss, ram, ram, TB_RAM_SIZE,
				PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);
	return ss;
}

static void fs_point(struct pt_table *fs, uint64_t iova, uint64_t pa)
{
	uint64_t mapped, un;

	pt_unmap(fs, iova, 4096, 0, NULL, &un);
	assert_int_equal(pt_map(fs, iova, pa, 4096, PT_PROT_READ, &mapped), 0);
}

/*
 * PASID-based IOTLB invalidation is exact: a page-selective one drops the
 * pages of its PASID in its range, first-stage and nested, and leaves
 * other pages, other PASIDs and second-stage entries cached; the reserved
 * granularities 00b and 01b stop the queue without invalidating anything.
 */
static void test_piotlb_precise(void **state)
{
	enum { P1 = 0x11, P2 = 0x12, P3 = 0x13 };
	static const uint64_t va[3] = { 0x100000, 0x101000, 0x200000 };
	const uint32_t pasids[3] = { P1, P2, P3 };
	uint64_t old[3], nw[3], ss_old, ss_new, mapped, un, iqh;
	struct pt_table *ss, *fs;
	unsigned int i, j, g;
	uint32_t fsts;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	ss = identity_ss(&tb);
	fs = tb_pt(&tb, PT_FMT_VTD_FS, 48, PT_CFG_SIGN_EXTEND);
	for (i = 0; i < 3; i++) {
		old[i] = tb_alloc(&tb, 4096);
		nw[i] = tb_alloc(&tb, 4096);
		fs_point(fs, va[i], old[i]);
	}
	/* A second-stage-only page far from the RAM. */
	ss_old = tb_alloc(&tb, 4096);
	ss_new = tb_alloc(&tb, 4096);
	pt_map(ss, 0x7f0000000000ull, ss_old, 4096, PT_PROT_READ, &mapped);
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, false);
	tb_pe_set(tb_pe(&tb, SID, P1), VTD_PGTT_NESTED, DID, ss, fs, false);
	tb_pe_set(tb_pe(&tb, SID, P2), VTD_PGTT_NESTED, DID, ss, fs, false);
	tb_pe_set(tb_pe(&tb, SID, P3), VTD_PGTT_FS, DID, NULL, fs, false);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			assert_int_equal(xl(&tb, pasids[j], va[i]), old[i]);
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x7f0000000000ull), ss_old);
	for (i = 0; i < 3; i++)
		fs_point(fs, va[i], nw[i]);
	pt_unmap(ss, 0x7f0000000000ull, 4096, 0, NULL, &un);
	pt_map(ss, 0x7f0000000000ull, ss_new, 4096, PT_PROT_READ, &mapped);

	/* Reserved granularities: IQE, IQEI 4, nothing dropped. */
	for (g = 0; g < 2; g++) {
		fsts = tb_qi(&tb,
			     VTD_DESC_PIOTLB | vtd_dprep(VTD_PIOTLB_G, g) |
				     vtd_dprep(VTD_PIOTLB_DID, DID) |
				     vtd_dprep(VTD_PIOTLB_PASID, P1),
			     0);
		assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
		assert_int_equal(iqercd(&tb), VTD_IQEI_RSVD);
		iqh = vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8);
		assert_int_equal(iqh, (uint64_t)(tb.iq_tail - 1) << 5);
		((uint64_t *)tb_ptr(tb.iq + iqh))[0] = VTD_DESC_IEC;
		vtd_mmio_write(tb.vtd, VTD_FSTS_REG, 4,
			       vtd_fmask(VTD_FSTS_IQE));
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				assert_int_equal(xl(&tb, pasids[j], va[i]),
						 old[i]);
	}

	/* One page of P1 (nested). */
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, P1, va[0], 0);
	assert_int_equal(xl(&tb, P1, va[0]), nw[0]);
	assert_int_equal(xl(&tb, P1, va[1]), old[1]);
	assert_int_equal(xl(&tb, P1, va[2]), old[2]);
	for (i = 0; i < 3; i++) {
		assert_int_equal(xl(&tb, P2, va[i]), old[i]);
		assert_int_equal(xl(&tb, P3, va[i]), old[i]);
	}
	/* AM = 1: two pages of P2; P1's second page stays stale. */
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, P2, va[0], 1);
	assert_int_equal(xl(&tb, P2, va[0]), nw[0]);
	assert_int_equal(xl(&tb, P2, va[1]), nw[1]);
	assert_int_equal(xl(&tb, P2, va[2]), old[2]);
	assert_int_equal(xl(&tb, P1, va[1]), old[1]);
	/* PASID-selective for P3 (first stage only): all of P3, only. */
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PASID, DID, P3, 0, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(xl(&tb, P3, va[i]), nw[i]);
	assert_int_equal(xl(&tb, P1, va[2]), old[2]);
	/* None of them touched the second-stage-only entry. */
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x7f0000000000ull), ss_old);
	tb_inv_iotlb(&tb, VTD_TLB_PAGE, DID, 0x7f0000000000ull, 0);
	assert_int_equal(xl(&tb, VTD_NO_PASID, 0x7f0000000000ull), ss_new);
	pt_free(fs);
	pt_free(ss);
	tb_fini(&tb);
}

/*
 * RTADDR is only a staging register: the root table in use changes at
 * GCMD.SRTP, which completes at once (GSTS.RTPS set) and, with
 * CAP.ESRTPS = 0, flushes nothing -- context entries of the old table stay
 * cached until a context-cache invalidation.
 */
static void test_root_pointer(void **state)
{
	const uint32_t on = vtd_fmask(VTD_GCMD_TE) | vtd_fmask(VTD_GCMD_QIE);
	uint64_t old_root, new_root;
	uint32_t gsts;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	gsts = (uint32_t)vtd_mmio_read(tb.vtd, VTD_GSTS_REG, 4);
	assert_true(vtd_fget(gsts, VTD_GSTS_RTPS));
	assert_false(vtd_fget(vtd_mmio_read(tb.vtd, VTD_CAP_REG, 8),
			      VTD_CAP_ESRTPS));
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_PT, DID, NULL, NULL, false);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	/* A new, empty root table, written to RTADDR only: not in use. */
	old_root = tb.root;
	new_root = tb_alloc(&tb, 4096);
	vtd_mmio_write(tb.vtd, VTD_RTADDR_REG, 8,
		       new_root | vtd_fprep(VTD_RTADDR_TTM, VTD_TTM_SCALABLE));
	assert_int_equal(vtd_mmio_read(tb.vtd, VTD_RTADDR_REG, 8) & ~0xfffull,
			 new_root);
	gsts = (uint32_t)vtd_mmio_read(tb.vtd, VTD_GSTS_REG, 4);
	assert_true(vtd_fget(gsts, VTD_GSTS_RTPS));
	tb_inv_ctx_all(&tb);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	/* SRTP: latched; the cached context entry is still used... */
	vtd_mmio_write(tb.vtd, VTD_GCMD_REG, 4, on | vtd_fmask(VTD_GCMD_SRTP));
	gsts = (uint32_t)vtd_mmio_read(tb.vtd, VTD_GSTS_REG, 4);
	assert_true(vtd_fget(gsts, VTD_GSTS_RTPS));
	assert_true(vtd_fget(gsts, VTD_GSTS_TES));
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	/* ... until invalidated: then the empty table answers. */
	tb_inv_ctx_all(&tb);
	assert_int_equal(xl(&tb, PASID, 0x5000), ~0ull);
	/* Back to the old table. */
	vtd_mmio_write(tb.vtd, VTD_RTADDR_REG, 8,
		       old_root | vtd_fprep(VTD_RTADDR_TTM, VTD_TTM_SCALABLE));
	vtd_mmio_write(tb.vtd, VTD_GCMD_REG, 4, on | vtd_fmask(VTD_GCMD_SRTP));
	tb_inv_ctx_all(&tb);
	assert_int_equal(xl(&tb, PASID, 0x5000), 0x5000);
	tb_fini(&tb);
}

static void test_wait_irq(void **state)
{
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	vtd_mmio_write(tb.vtd, VTD_IECTL_REG, 4, 0);
	tb_qi(&tb, VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_IF, 1), 0);
	assert_true(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_ICS_REG, 4), VTD_ICS_IWC));
	assert_int_equal(tb.irqs[VTD_IRQ_INV], 1);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iotlb_ss_stale),
		cmocka_unit_test(test_iotlb_fs_stale),
		cmocka_unit_test(test_pasid_and_context_cache),
		cmocka_unit_test(test_queue_errors),
		cmocka_unit_test(test_piotlb_precise),
		cmocka_unit_test(test_root_pointer),
		cmocka_unit_test(test_wait_irq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
