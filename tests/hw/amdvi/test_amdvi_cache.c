// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi caches behave like hardware: a DTE stays cached until
 * INVALIDATE_DEVTAB_ENTRY of its DeviceID, a translation until an
 * INVALIDATE_IOMMU_PAGES of its DomainID whose range (S and the address's
 * size encoding) covers it, or INVALIDATE_IOMMU_ALL -- and not by an
 * invalidation of another DeviceID, DomainID, range or GN.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x21
#define DOM 3
#define IOVA 0x40000000ull
#define OA1 0x100000000ull
#define OA2 0x200000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)

static uint64_t xl(struct tb *tb, uint16_t devid, uint64_t iova, bool *hit)
{
	struct amdvi_xlate x;

	assert_int_equal(amdvi_translate(tb->iommu, devid, AMDVI_NO_PASID, iova,
					 AMDVI_READ, &x),
			 0);
	if (hit)
		*hit = x.tlb_hit;
	return x.oa;
}

/* Remaps [iova, iova + len) to @oa (the pages stay mapped all along). */
static void remap(struct pt_table *t, uint64_t iova, uint64_t len, uint64_t oa)
{
	uint64_t done = 0;

	assert_int_equal(pt_remap(t, iova, len, oa, &done), 0);
	assert_true(done == len);
}

static void test_dte_stale(void **state)
{
	struct pt_table *a, *b;
	struct tb tb;
	bool hit;

	(void)state;
	tb_init(&tb, NULL);
	a = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	b = tb_pt(&tb, PT_FMT_AMDV1, 0, 4, false, 0);
	tb_map(a, IOVA, OA1, 0x1000, RW);
	tb_map(b, IOVA, OA2, 0x1000, RW);
	tb_dte_host(tb_dte(&tb, DEV), DOM, a);
	assert_true(xl(&tb, DEV, IOVA, &hit) == OA1);
	assert_false(hit);
	/* The driver points the device at another domain... */
	tb_dte_host(tb_dte(&tb, DEV), DOM + 1, b);
	assert_true(xl(&tb, DEV, IOVA, &hit) == OA1);
	assert_true(hit);
	/* ... invalidates the wrong DeviceID ... */
	tb_inv_dte(&tb, DEV + 1);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	/* ... and the right one. */
	tb_inv_dte(&tb, DEV);
	assert_true(xl(&tb, DEV, IOVA, &hit) == OA2);
	assert_false(hit);
	tb_no_event(&tb);
	tb_fini(&tb);
}

static void test_iotlb_stale(void **state)
{
	struct pt_table *t;
	struct tb tb;
	bool hit;

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	/* Two 4 KiB pages (apart in OA, so not one 8 KiB page). */
	tb_map(t, IOVA, OA1, 0x1000, RW);
	tb_map(t, IOVA + 0x1000, OA1 + 0x5000, 0x1000, RW);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	/* A second device in the same domain shares the IOTLB entries. */
	tb_dte_host(tb_dte(&tb, DEV + 1), DOM, t);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	assert_true(xl(&tb, DEV + 1, IOVA, &hit) == OA1);
	assert_true(hit);
	remap(t, IOVA, 0x1000, OA2);
	remap(t, IOVA + 0x1000, 0x1000, OA2 + 0x5000);
	assert_true(xl(&tb, DEV, IOVA, &hit) == OA1);
	assert_true(hit);
	/* Not cached yet: the new mapping at once. */
	assert_true(xl(&tb, DEV, IOVA + 0x1000, NULL) == OA2 + 0x5000);
	/* Wrong DomainID, wrong page, GN = 1 of the right domain. */
	tb_inv_pages(&tb, DOM + 1, false, 0, IOVA, 12);
	tb_inv_pages(&tb, DOM, false, 0, IOVA + 0x1000, 12);
	tb_inv_pages(&tb, DOM, true, 0, IOVA, 64);
	tb_sync(&tb);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	assert_true(xl(&tb, DEV + 1, IOVA, NULL) == OA1);
	tb_inv_pages(&tb, DOM, false, 0, IOVA, 12);
	assert_true(xl(&tb, DEV, IOVA, &hit) == OA2);
	assert_false(hit);
	assert_true(xl(&tb, DEV + 1, IOVA, &hit) == OA2);
	assert_true(hit);
	tb_no_event(&tb);
	tb_fini(&tb);
}

/* S = 1: the range is encoded in the address's low ones. */
static void test_inv_sizes(void **state)
{
	struct pt_table *t;
	unsigned int i;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	/* 4 KiB pages: the OA's alignment forbids anything larger. */
	for (i = 0; i < 32; i++)
		tb_map(t, IOVA + i * 0x1000ull, OA1 + 0x1000 + i * 0x2000ull,
		       0x1000, RW);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	for (i = 0; i < 32; i++)
		xl(&tb, DEV, IOVA + i * 0x1000ull, NULL);
	for (i = 0; i < 32; i++)
		remap(t, IOVA + i * 0x1000ull, 0x1000,
		      OA2 + 0x1000 + i * 0x2000ull);
	/* 8 KiB at page 2, written by hand: S = 1, address bit 12 = 0. */
	tb_cmd(&tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES) |
		       amdvi_dprep(AMDVI_CMD_IP_DOMAIN_ID, DOM),
	       amdvi_dprep(AMDVI_CMD_S, 1) |
		       amdvi_dprep(AMDVI_CMD_ADDR, (IOVA + 0x2000) >> 12));
	/* 16 KiB at page 8: address bit 12 = 1, bit 13 = 0. */
	tb_cmd(&tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES) |
		       amdvi_dprep(AMDVI_CMD_IP_DOMAIN_ID, DOM),
	       amdvi_dprep(AMDVI_CMD_S, 1) |
		       amdvi_dprep(AMDVI_CMD_ADDR, (IOVA + 0x9000) >> 12));
	for (i = 0; i < 32; i++) {
		bool fresh = i == 2 || i == 3 || (i >= 8 && i < 12);
		uint64_t want = (fresh ? OA2 : OA1) + 0x1000 + i * 0x2000ull;

		assert_true(xl(&tb, DEV, IOVA + i * 0x1000ull, NULL) == want);
	}
	/* 64 KiB from page 16 leaves pages 0..15 alone. */
	tb_inv_pages(&tb, DOM, false, 0, IOVA + 0x10000, 16);
	for (i = 0; i < 32; i++) {
		bool fresh = i == 2 || i == 3 || (i >= 8 && i < 12) || i >= 16;
		uint64_t want = (fresh ? OA2 : OA1) + 0x1000 + i * 0x2000ull;

		assert_true(xl(&tb, DEV, IOVA + i * 0x1000ull, NULL) == want);
	}
	/* The "all" encoding. */
	tb_inv_pages(&tb, DOM, false, 0, 0, 64);
	for (i = 0; i < 32; i++)
		assert_true(xl(&tb, DEV, IOVA + i * 0x1000ull, NULL) ==
			    OA2 + 0x1000 + i * 0x2000ull);
	tb_no_event(&tb);
	tb_fini(&tb);
}

/* A large page is invalidated by any address inside it. */
static void test_inv_large_page(void **state)
{
	struct pt_table *t;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	tb_map(t, IOVA, OA1, 0x200000, RW);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	assert_true(xl(&tb, DEV, IOVA + 0x1234, NULL) == OA1 + 0x1234);
	remap(t, IOVA, 0x200000, OA2);
	tb_inv_pages(&tb, DOM, false, 0, IOVA + 0x200000, 12);
	assert_true(xl(&tb, DEV, IOVA + 0x1234, NULL) == OA1 + 0x1234);
	tb_inv_pages(&tb, DOM, false, 0, IOVA + 0x1ff000, 12);
	assert_true(xl(&tb, DEV, IOVA + 0x1234, NULL) == OA2 + 0x1234);
	tb_fini(&tb);
}

static void test_inv_all(void **state)
{
	struct pt_table *a, *b;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	a = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	b = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	tb_map(a, IOVA, OA1, 0x1000, RW);
	tb_map(b, IOVA, OA1 + 0x10000, 0x1000, RW);
	tb_dte_host(tb_dte(&tb, DEV), DOM, a);
	tb_dte_host(tb_dte(&tb, DEV + 1), DOM + 1, b);
	xl(&tb, DEV, IOVA, NULL);
	xl(&tb, DEV + 1, IOVA, NULL);
	remap(a, IOVA, 0x1000, OA2);
	remap(b, IOVA, 0x1000, OA2 + 0x10000);
	tb_dte(&tb, DEV)[1] = amdvi_dprep(AMDVI_DTE_DOMAIN_ID, DOM + 5);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	assert_true(xl(&tb, DEV + 1, IOVA, NULL) == OA1 + 0x10000);
	tb_inv_all(&tb);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA2);
	assert_true(xl(&tb, DEV + 1, IOVA, NULL) == OA2 + 0x10000);
	tb_fini(&tb);
}

/* Faults are not cached: a new mapping is seen without invalidation. */
static void test_fault_not_cached(void **state)
{
	struct amdvi_xlate x;
	struct pt_table *t;
	struct tb tb;
	uint64_t ev[2];

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, IOVA,
					 AMDVI_READ, &x),
			 -EFAULT);
	tb_one_event(&tb, ev);
	tb_map(t, IOVA, OA1, 0x1000, RW);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	tb_fini(&tb);
}

/* A read caches no write permission the table does not give. */
static void test_perm_upgrade(void **state)
{
	struct amdvi_xlate x;
	struct pt_table *t;
	struct tb tb;
	uint64_t ev[2];

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	tb_map(t, IOVA, OA1, 0x1000, PT_PROT_READ);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	assert_true(xl(&tb, DEV, IOVA, NULL) == OA1);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, IOVA,
					 AMDVI_WRITE, &x),
			 -EFAULT);
	tb_one_event(&tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS),
			 AMDVI_EVF_PR | AMDVI_EVF_PE | AMDVI_EVF_RW);
	/* The driver makes it writable: the walk on a miss sees it. */
	*tb_leaf(t, IOVA) |= 1ull << 62;
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, IOVA,
					 AMDVI_WRITE, &x),
			 0);
	assert_true(x.oa == OA1);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dte_stale),
		cmocka_unit_test(test_iotlb_stale),
		cmocka_unit_test(test_inv_sizes),
		cmocka_unit_test(test_inv_large_page),
		cmocka_unit_test(test_inv_all),
		cmocka_unit_test(test_fault_not_cached),
		cmocka_unit_test(test_perm_upgrade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
