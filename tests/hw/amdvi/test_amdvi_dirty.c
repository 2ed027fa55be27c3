// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi hardware access/dirty updates. DTE.HAD = 11b: the walk sets A in
 * the host leaf and D on a write, as src/pt's dirty harvesting reads them;
 * 01b: A only; 00b: neither. A read caches no write permission on a clean
 * leaf, so the first write walks and marks it dirty; after software cleans
 * it, a cached writable entry keeps writing without marking (as hardware
 * does) until the IOTLB is invalidated. Guest (v2) leaves get A and D too.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x60
#define DOM 9
#define IOVA 0x30000000ull
#define OA 0x700000000ull
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)

static void xl_ok(struct tb *tb, uint32_t pasid, uint64_t iova,
		  unsigned int access, bool *hit)
{
	struct amdvi_xlate x;

	assert_int_equal(
		amdvi_translate(tb->iommu, DEV, pasid, iova, access, &x), 0);
	if (hit)
		*hit = x.tlb_hit;
}

static unsigned int dirty_pages(struct pt_table *t, bool clear)
{
	unsigned long bm = 0;
	struct pt_dirty_sink sink = {
		.bitmap = &bm,
		.base = IOVA,
		.pgshift = 12,
		.nbits = 64,
	};

	assert_int_equal(pt_read_and_clear_dirty(t, IOVA, 64 * 4096,
						 clear ? 0 : PT_DIRTY_NO_CLEAR,
						 &sink),
			 0);
	return (unsigned int)bm;
}

static struct pt_table *setup(struct tb *tb, unsigned int had)
{
	struct pt_table *t = tb_pt(tb, PT_FMT_AMDV1, 0, 3, false, PT_CFG_DIRTY);
	uint64_t *dte = tb_dte(tb, DEV);

	tb_map(t, IOVA, OA + 0x1000, 0x1000, PT_PROT_READ | PT_PROT_WRITE);
	tb_map(t, IOVA + 0x1000, OA + 0x3000, 0x1000,
	       PT_PROT_READ | PT_PROT_WRITE);
	tb_dte_host(dte, DOM, t);
	amdvi_dset(dte, AMDVI_DTE_HAD, had);
	return t;
}

static void test_had_ad(void **state)
{
	struct pt_table *t;
	struct tb tb;
	bool hit;

	(void)state;
	tb_init(&tb, NULL);
	t = setup(&tb, AMDVI_HAD_AD);
	assert_false(*tb_leaf(t, IOVA) & (PTE_A | PTE_D));
	xl_ok(&tb, AMDVI_NO_PASID, IOVA, AMDVI_READ, NULL);
	assert_true(*tb_leaf(t, IOVA) & PTE_A);
	assert_int_equal(dirty_pages(t, false), 0);
	/* The read cached no write: the write walks and marks. */
	xl_ok(&tb, AMDVI_NO_PASID, IOVA + 8, AMDVI_WRITE, &hit);
	assert_false(hit);
	assert_int_equal(dirty_pages(t, false), 1);
	xl_ok(&tb, AMDVI_NO_PASID, IOVA + 0x1000, AMDVI_WRITE, NULL);
	assert_int_equal(dirty_pages(t, true), 3);
	assert_int_equal(dirty_pages(t, false), 0);
	/* Cleaned without an IOTLB flush: the cached entry writes on. */
	xl_ok(&tb, AMDVI_NO_PASID, IOVA, AMDVI_WRITE, &hit);
	assert_true(hit);
	assert_int_equal(dirty_pages(t, false), 0);
	/* After the flush the next write marks again. */
	tb_inv_pages(&tb, DOM, false, 0, IOVA, 12);
	xl_ok(&tb, AMDVI_NO_PASID, IOVA, AMDVI_WRITE, &hit);
	assert_false(hit);
	assert_int_equal(dirty_pages(t, false), 1);
	tb_fini(&tb);
}

static void test_had_a(void **state)
{
	struct pt_table *t;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	t = setup(&tb, AMDVI_HAD_A);
	xl_ok(&tb, AMDVI_NO_PASID, IOVA, AMDVI_WRITE, NULL);
	assert_true(*tb_leaf(t, IOVA) & PTE_A);
	assert_false(*tb_leaf(t, IOVA) & PTE_D);
	tb_fini(&tb);
}

static void test_had_none(void **state)
{
	struct pt_table *t;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	t = setup(&tb, AMDVI_HAD_NONE);
	xl_ok(&tb, AMDVI_NO_PASID, IOVA, AMDVI_WRITE, NULL);
	assert_false(*tb_leaf(t, IOVA) & (PTE_A | PTE_D));
	tb_fini(&tb);
}

/* Guest leaves: A on any access, D on a write, the write walks anew. */
static void test_guest_ad(void **state)
{
	struct pt_table *g;
	struct tb tb;
	uint64_t gcr3, *dte;
	bool hit;

	(void)state;
	tb_init(&tb, NULL);
	g = tb_pt(&tb, PT_FMT_VTD_FS, 48, 0, false, PT_CFG_DIRTY);
	tb_map(g, IOVA, OA, 0x1000, PT_PROT_READ | PT_PROT_WRITE);
	gcr3 = tb_alloc(&tb, 4096, 4096);
	((uint64_t *)tb_ptr(gcr3))[3] = pt_root(pt_table_walk_ctx(g)) | 1;
	dte = tb_dte(&tb, DEV);
	tb_dte_host(dte, DOM, NULL);
	tb_dte_guest(dte, gcr3, 0, 0);
	xl_ok(&tb, 3, IOVA, AMDVI_READ, NULL);
	assert_true(*tb_leaf(g, IOVA) & PTE_A);
	assert_false(*tb_leaf(g, IOVA) & PTE_D);
	xl_ok(&tb, 3, IOVA, AMDVI_WRITE, &hit);
	assert_false(hit);
	assert_true(*tb_leaf(g, IOVA) & PTE_D);
	xl_ok(&tb, 3, IOVA, AMDVI_WRITE, &hit);
	assert_true(hit);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_had_ad),
		cmocka_unit_test(test_had_a),
		cmocka_unit_test(test_had_none),
		cmocka_unit_test(test_guest_ad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
