// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi host (v1) translation at every level count the model offers,
 * checked against a reference walk written here from the specification
 * (48882 2.2.3), not through src/pt: random mappings of random sizes
 * (4 KiB pages, NextLevel-7 sized pages, 2 MiB and 1 GiB pages) and
 * permissions, random probes inside and outside them. Also pass-through
 * (IommuEn = 0, V = 0, TV = 0), translation disabled (Mode 0) and the
 * hit-only fast path.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x10
#define DOM 7

/* Reference walk: 2.2.3, written from the PDE/PTE layouts. */
static bool ref_walk(uint64_t root, unsigned int mode, uint64_t iova,
		     uint64_t *oa, unsigned int *perm, unsigned int *lg2)
{
	const uint64_t addr_mask = 0x000ffffffffff000ull;
	uint64_t table = root, e, addr, m;
	unsigned int level = mode, p = AMDVI_READ | AMDVI_WRITE, nl, shift;

	if (mode < 6 && (iova >> (12 + 9 * mode)))
		return false;
	for (;;) {
		shift = 12 + 9 * (level - 1);
		e = ((const uint64_t *)tb_ptr(table))[(iova >> shift) & 0x1ff];
		if (!(e & 1))
			return false;
		if (!(e & (1ull << 61)))
			p &= ~AMDVI_READ;
		if (!(e & (1ull << 62)))
			p &= ~AMDVI_WRITE;
		nl = (e >> 9) & 7;
		addr = e & addr_mask;
		if (nl == 0 || nl == 7 || level == 1) {
			*lg2 = shift;
			if (nl == 7)
				*lg2 = 13 + (unsigned int)__builtin_ctzll(
						    ~(addr >> 12));
			m = (1ull << *lg2) - 1;
			*oa = (addr & ~m) | (iova & m);
			*perm = p;
			return true;
		}
		assert_int_equal(nl, level - 1);
		table = addr;
		level = nl;
	}
}

static void check_fault(struct tb *tb, uint64_t iova, bool write,
			unsigned int flags)
{
	uint64_t ev[2];

	tb_one_event(tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
			 AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DEVID), DEV);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DOMAIN_ID), DOM);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS),
			 flags | (write ? AMDVI_EVF_RW : 0));
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == iova);
}

/* Probes that translated and that faulted, so a run shows it did both. */
static unsigned int n_ok, n_fault;

static void probe(struct tb *tb, struct pt_table *t, uint64_t iova)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(t);
	unsigned int perm = 0, lg2 = 0, a;
	uint64_t oa = 0;
	bool ok = ref_walk(pt_root(c), pt_levels(c), iova, &oa, &perm, &lg2);
	struct amdvi_xlate x;

	for (a = AMDVI_READ; a <= AMDVI_WRITE; a <<= 1) {
		int ret = amdvi_translate(tb->iommu, DEV, AMDVI_NO_PASID, iova,
					  a, &x);

		if (ok && (perm & a)) {
			assert_int_equal(ret, 0);
			assert_int_equal(x.status, AMDVI_OK);
			assert_true(x.oa == oa);
			assert_true(x.page_lg2 <= lg2);
			assert_true(x.perm & a);
			tb_no_event(tb);
			n_ok++;
		} else {
			assert_int_equal(ret, -EFAULT);
			assert_int_equal(x.status, AMDVI_ABORT);
			assert_int_equal(x.event, AMDVI_EVT_IO_PAGE_FAULT);
			assert_true(x.recorded);
			check_fault(tb, iova, a == AMDVI_WRITE,
				    ok ? AMDVI_EVF_PR | AMDVI_EVF_PE : 0);
			n_fault++;
		}
	}
}

static const unsigned int sizes_lg2[] = { 12, 13, 14, 16, 21, 22, 30 };

static void run_mode(unsigned int mode)
{
	unsigned int ias = mode == 6 ? 64 : 12 + 9 * mode, i, j;
	struct tb_rng rng = { tb_seed("xlate", 0x1234 + mode) };
	uint64_t iovas[48];
	struct pt_table *t;
	struct tb tb;

	n_ok = n_fault = 0;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, mode, false, 0);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	for (i = 0; i < 48; i++) {
		unsigned int lg2 = sizes_lg2[tb_below(&rng, 7)];
		uint64_t span = ias >= 64 ? ~0ull : (1ull << ias) - 1;
		uint64_t iova, oa, mapped = 0;
		unsigned int prot = tb_below(&rng, 3)
					    ? PT_PROT_READ | PT_PROT_WRITE
					    : PT_PROT_READ;

		if (lg2 >= ias)
			lg2 = 12;
		/* Pages of a few sizes, and some only in the low 4 GiB. */
		iova = (tb_rand(&rng) & span) & ~((1ull << lg2) - 1);
		if (mode == 6 && tb_below(&rng, 2))
			iova &= 0xffffffffull;
		oa = (tb_rand(&rng) & 0x000ffffffffff000ull) &
		     ~((1ull << lg2) - 1);
		iovas[i] = iova;
		/* A collision with an earlier mapping is fine: skip it. */
		pt_map(t, iova, oa, 1ull << lg2, prot, &mapped);
	}
	for (i = 0; i < 48; i++) {
		for (j = 0; j < 4; j++) {
			uint64_t off = tb_below(&rng, 1ull << 23) & ~7ull;

			probe(&tb, t, iovas[i] + (j ? off : 0));
			probe(&tb, t, iovas[i] - off - 8);
		}
		probe(&tb, t, tb_rand(&rng) & ~7ull);
	}
	print_message("# mode %u: %u translated, %u faulted\n", mode, n_ok,
		      n_fault);
	assert_true(n_ok > 50 && n_fault > 50);
	tb_fini(&tb);
}

static void test_mode1(void **state)
{
	(void)state;
	run_mode(1);
}

static void test_mode2(void **state)
{
	(void)state;
	run_mode(2);
}

static void test_mode3(void **state)
{
	(void)state;
	run_mode(3);
}

static void test_mode4(void **state)
{
	(void)state;
	run_mode(4);
}

static void test_mode5(void **state)
{
	(void)state;
	run_mode(5);
}

static void test_mode6(void **state)
{
	(void)state;
	run_mode(6);
}

static void expect_identity(struct tb *tb, uint64_t iova, unsigned int access)
{
	struct amdvi_xlate x;

	assert_int_equal(amdvi_translate(tb->iommu, DEV, AMDVI_NO_PASID, iova,
					 access, &x),
			 0);
	assert_true(x.oa == iova);
	assert_true(x.perm & access);
}

/* IommuEn = 0, V = 0, V = 1 with TV = 0: untranslated, no event. */
static void test_passthrough(void **state)
{
	struct tb tb;
	uint64_t *dte;

	(void)state;
	tb_init(&tb, NULL);
	dte = tb_dte(&tb, DEV);
	/* V = 0 (the table is zeroed). */
	expect_identity(&tb, 0x123456789000ull, AMDVI_WRITE);
	/* V = 1, TV = 0: even with garbage in the translation fields. */
	dte[0] = amdvi_dprep(AMDVI_DTE_V, 1) | amdvi_dprep(AMDVI_DTE_MODE, 7);
	tb_inv_dte(&tb, DEV);
	expect_identity(&tb, 0xabc000ull, AMDVI_READ);
	/* TV = 1, Mode 7 is illegal... */
	amdvi_dset(dte, AMDVI_DTE_TV, 1);
	tb_inv_dte(&tb, DEV);
	{
		struct amdvi_xlate x;
		uint64_t ev[2];

		assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID,
						 0x5000, AMDVI_READ, &x),
				 -EFAULT);
		assert_int_equal(x.event, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
		tb_one_event(&tb, ev);
		assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
				 AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
		assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DEVID), DEV);
	}
	/* ... unless the IOMMU is disabled. */
	assert_int_equal(
		amdvi_mmio_write(tb.iommu, AMDVI_CONTROL, 8,
				 amdvi_mmio_read(tb.iommu, AMDVI_CONTROL, 8) &
					 ~amdvi_fmask(AMDVI_CTRL_IOMMU_EN)),
		0);
	expect_identity(&tb, 0x5000, AMDVI_WRITE);
	tb_no_event(&tb);
	tb_fini(&tb);
}

/* TV = 1, Mode 0: identity with the DTE's IR/IW. */
static void test_mode0(void **state)
{
	struct amdvi_xlate x;
	struct tb tb;
	uint64_t *dte;

	(void)state;
	tb_init(&tb, NULL);
	dte = tb_dte(&tb, DEV);
	tb_dte_host(dte, DOM, NULL);
	amdvi_dset(dte, AMDVI_DTE_IW, 0);
	expect_identity(&tb, 0x7000, AMDVI_READ);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x7008,
					 AMDVI_WRITE, &x),
			 -EFAULT);
	check_fault(&tb, 0x7008, true, AMDVI_EVF_PR | AMDVI_EVF_PE);
	/* IR = IW = 0: everything blocked (Linux's blocked domain). */
	amdvi_dset(dte, AMDVI_DTE_IR, 0);
	tb_inv_dte(&tb, DEV);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x7000,
					 AMDVI_READ, &x),
			 -EFAULT);
	check_fault(&tb, 0x7000, false, AMDVI_EVF_PR | AMDVI_EVF_PE);
	tb_fini(&tb);
}

static void hats4(struct amdvi_config *cfg)
{
	cfg->hats_levels = 4;
}

/* EFR.HATS limits the DTE's Mode. */
static void test_hats(void **state)
{
	struct pt_table *t;
	struct amdvi_xlate x;
	struct tb tb;

	(void)state;
	tb_init(&tb, hats4);
	assert_int_equal(amdvi_fget(amdvi_mmio_read(tb.iommu, AMDVI_EFR, 8),
				    AMDVI_EFR_HATS),
			 AMDVI_HATS_4LVL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 5, false, 0);
	tb_map(t, 0x1000, 0x200000, 0x1000, PT_PROT_READ);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x1000,
					 AMDVI_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
	assert_true(x.recorded);
	tb_fini(&tb);
}

/* The hit-only path answers hits exactly and nothing else. */
static void test_cached(void **state)
{
	struct amdvi_xlate x, y;
	struct pt_table *t;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, PT_CFG_DIRTY);
	tb_map(t, 0x40000000, 0x80000000, 0x200000,
	       PT_PROT_READ | PT_PROT_WRITE);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	assert_int_equal(amdvi_translate_cached(tb.iommu, DEV, AMDVI_NO_PASID,
						0x40001000, AMDVI_READ, &x),
			 -EAGAIN);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID,
					 0x40001000, AMDVI_READ, &x),
			 0);
	assert_false(x.tlb_hit);
	assert_int_equal(amdvi_translate_cached(tb.iommu, DEV, AMDVI_NO_PASID,
						0x40123008, AMDVI_READ, &y),
			 0);
	assert_true(y.tlb_hit);
	assert_true(y.oa == 0x80123008);
	assert_int_equal(y.page_lg2, 21);
	/* Outside the page: a miss, nothing recorded. */
	assert_int_equal(amdvi_translate_cached(tb.iommu, DEV, AMDVI_NO_PASID,
						0x40200000, AMDVI_READ, &y),
			 -EAGAIN);
	tb_no_event(&tb);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode1),
		cmocka_unit_test(test_mode2),
		cmocka_unit_test(test_mode3),
		cmocka_unit_test(test_mode4),
		cmocka_unit_test(test_mode5),
		cmocka_unit_test(test_mode6),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_mode0),
		cmocka_unit_test(test_hats),
		cmocka_unit_test(test_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
