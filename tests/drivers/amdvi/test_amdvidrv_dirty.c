// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi driver's dirty tracking: DTE.HAD on every device of the
 * domain while tracking is on, the IOMMU marking written leaves, harvests
 * through the page table, and the IOTLB flushes that make the next write
 * walk (and mark) again.
 */
#include "amdvidrv_tb.h"

#define IOVA 0x200000ull

struct runs {
	uint64_t iova[16], len[16];
	unsigned int n;
};

static void record(void *priv, uint64_t iova, uint64_t len)
{
	struct runs *r = priv;

	assert_true(r->n < 16);
	r->iova[r->n] = iova;
	r->len[r->n] = len;
	r->n++;
}

static unsigned int harvest(struct ufd_domain *d, uint64_t iova, uint64_t len,
			    unsigned int flags, struct runs *r)
{
	const struct ufd_dirty_sink sink = { .record = record, .priv = r };

	memset(r, 0, sizeof(*r));
	assert_int_equal(d->dirty_ops->read_and_clear_dirty(d, iova, len, flags,
							    &sink),
			 0);
	return r->n;
}

static void test_dirty(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *a = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *b = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(a, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	uint64_t *buf = tb_buf(8 * TB_PAGE, TB_PAGE);
	uint64_t dte[AMDVI_DTE_QWORDS], v;
	struct runs r;

	assert_non_null(d->dirty_ops);
	/* 4 KiB leaves (as VFIO type1 asks): one dirty bit per page. */
	assert_int_equal(d->iopt.ops->map(&d->iopt, IOVA,
					  (uint64_t)(uintptr_t)buf, 8 * TB_PAGE,
					  RW, true),
			 0);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(ufd_dev_set_domain(b, d), 0);

	/* Off: writes mark nothing. */
	tb_dte(a, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_NONE);
	assert_int_equal(tb_dma_write64(a, IOVA, 1), 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 0);

	/* On: HAD in both DTEs, and the next write walks and marks. */
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	tb_dte(a, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_AD);
	tb_dte(b, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_AD);
	/* Page 0 was written before, and its translation cached. */
	assert_int_equal(tb_dma_write64(a, IOVA + 8, 2), 0);
	assert_int_equal(tb_dma_write64(b, IOVA + 3 * TB_PAGE, 3), 0);
	/* Reads do not dirty. */
	assert_int_equal(tb_dma_read64(b, IOVA + 5 * TB_PAGE, &v), 0);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, UFD_DIRTY_NO_CLEAR, &r),
			 2);
	assert_int_equal(r.iova[0], IOVA);
	assert_int_equal(r.len[0], TB_PAGE);
	assert_int_equal(r.iova[1], IOVA + 3 * TB_PAGE);
	/* Cleared: reported once. */
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 2);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 0);
	/* After a harvest the IOTLB was flushed: a write marks again. */
	assert_int_equal(tb_dma_write64(a, IOVA + 3 * TB_PAGE, 4), 0);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 1);
	assert_int_equal(r.iova[0], IOVA + 3 * TB_PAGE);

	/* A device attached later gets HAD too. */
	assert_int_equal(ufd_dev_set_domain(b, NULL), 0);
	assert_int_equal(ufd_dev_set_domain(b, d), 0);
	tb_dte(b, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_AD);

	/* Off again: writes (even through warm entries) mark nothing. */
	assert_int_equal(tb_dma_write64(b, IOVA + 6 * TB_PAGE, 5), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, false), 0);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 1);
	tb_dte(a, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_NONE);
	assert_int_equal(tb_dma_write64(b, IOVA + 7 * TB_PAGE, 6), 0);
	assert_int_equal(tb_dma_write64(a, IOVA + 6 * TB_PAGE, 6), 0);
	assert_int_equal(harvest(d, IOVA, 8 * TB_PAGE, 0, &r), 0);
	assert_int_equal(buf[7 * 512], 6);

	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

/* A dirty large page is reported whole. */
static void test_dirty_large(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d =
		tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				       IOMMU_HWPT_ALLOC_NEST_PARENT);
	const uint64_t sz = 2ull << 20, iova = 1ull << 31;
	uint64_t *buf = tb_buf(sz, sz);
	struct runs r;

	tb_map(d, iova, buf, sz, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(tb_dma_write64(dev, iova + sz / 2, 1), 0);
	assert_int_equal(harvest(d, iova, TB_PAGE, 0, &r), 1);
	assert_int_equal(r.iova[0], iova);
	assert_int_equal(r.len[0], sz);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_dirty_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
