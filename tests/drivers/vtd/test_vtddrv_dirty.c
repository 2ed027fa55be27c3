// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver's dirty tracking: SSADE in the PASID entries of every
 * attachment of a second-stage domain (and of the nested domains over
 * it) while tracking is on, the unit marking the leaves it writes through,
 * read_and_clear_dirty() harvesting them, and the IOTLB flush after a
 * harvest that makes the next write to a cleared page walk and mark it
 * again.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define IOVA 0x200000ull
#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)
#define MAXRUNS 16

struct runs {
	unsigned int n;
	uint64_t iova[MAXRUNS], len[MAXRUNS];
};

static void record(void *priv, uint64_t iova, uint64_t len)
{
	struct runs *r = priv;

	assert_true(r->n < MAXRUNS);
	r->iova[r->n] = iova;
	r->len[r->n++] = len;
}

/* Harvests [IOVA, IOVA + len) into @r (cleared first). */
static void harvest(struct ufd_domain *d, uint64_t len, unsigned int flags,
		    struct runs *r)
{
	const struct ufd_dirty_sink sink = { .record = record, .priv = r };

	memset(r, 0, sizeof(*r));
	assert_int_equal(d->dirty_ops->read_and_clear_dirty(d, IOVA, len, flags,
							    &sink),
			 0);
}

static bool ssade(struct ufd_dev *dev, uint32_t pasid)
{
	uint64_t pe[PE_QWORDS];

	assert_int_equal(ufd_vtd_read_pasid_entry(dev, pasid, pe), 0);
	assert_int_equal(vtd_dget(pe, VTD_PE_P), 1);
	return vtd_dget(pe, VTD_PE_SSADE);
}

static void test_dirty(void **state)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, 0);
	struct ufd_domain *d = tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	uint8_t *buf = tb_buf(8 * TB_PAGE, TB_PAGE);
	struct runs r;
	uint64_t v;

	assert_non_null(d->dirty_ops);
	tb_map(d, IOVA, buf, 8 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);

	/* Off: SSADE clear, writes mark nothing. */
	assert_false(ssade(dev, 0));
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), 0);
	harvest(d, 8 * TB_PAGE, 0, &r);
	assert_int_equal(r.n, 0);

	/* On: every attachment's entry has SSADE. */
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_true(ssade(dev, 0));
	/* The page written while off is cached writable: it must walk. */
	assert_int_equal(tb_dma_write64(dev, IOVA, 2), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + 3 * TB_PAGE, 3), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA + 5 * TB_PAGE, &v), 0);
	harvest(d, 8 * TB_PAGE, UFD_DIRTY_NO_CLEAR, &r);
	assert_int_equal(r.n, 2);
	harvest(d, 8 * TB_PAGE, 0, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.iova[0], IOVA);
	assert_int_equal(r.len[0], TB_PAGE);
	assert_int_equal(r.iova[1], IOVA + 3 * TB_PAGE);
	harvest(d, 8 * TB_PAGE, 0, &r);
	assert_int_equal(r.n, 0);

	/*
	 * The same page again: the harvest flushed the IOTLB, so the write
	 * walks and marks the leaf again.
	 */
	assert_int_equal(tb_dma_write64(dev, IOVA + 3 * TB_PAGE, 4), 0);
	harvest(d, 8 * TB_PAGE, 0, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.iova[0], IOVA + 3 * TB_PAGE);

	/* Off again: entries follow, writes mark nothing. */
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, false), 0);
	assert_false(ssade(dev, 0));
	assert_int_equal(tb_dma_write64(dev, IOVA + 6 * TB_PAGE, 5), 0);
	harvest(d, 8 * TB_PAGE, 0, &r);
	assert_int_equal(r.n, 0);

	tb_dev_put(dev);
	tb_unmap(d, IOVA, 8 * TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/* A device attached while tracking is on gets SSADE at once. */
static void test_attach_while_on(void **state)
{
	struct ufd_dev *a = tb_dev(&ufd_vtd_iommu, 0);
	struct ufd_dev *b = tb_dev(&ufd_vtd_iommu, 0);
	struct ufd_domain *d =
		tb_paging(a, IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				     IOMMU_HWPT_ALLOC_NEST_PARENT);
	uint8_t *buf = tb_buf(2ull << 20, 2ull << 20);
	struct runs r;

	tb_map(d, IOVA, buf, 2ull << 20, RW);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(ufd_dev_set_domain(b, d), 0);
	assert_true(ssade(a, 0));
	assert_true(ssade(b, 0));
	/* A 2 MiB leaf is reported whole. */
	assert_int_equal(tb_dma_write64(b, IOVA + 5 * TB_PAGE, 1), 0);
	harvest(d, TB_PAGE, 0, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.iova[0], IOVA);
	assert_int_equal(r.len[0], 2ull << 20);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_unmap(d, IOVA, 2ull << 20);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/* The nested domains over a tracking parent: their entries follow. */
static void test_nested_follows(void **state)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, 0);
	struct ufd_domain *s2 =
		tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT |
				       IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	const struct ufd_dirty_sink sink = { .record = record };
	struct ufd_domain *n;
	struct tb_guest g;
	struct runs r;
	uint64_t gpa;

	tb_guest_init(&g, s2, 48);
	gpa = tb_galloc(&g, TB_PAGE, TB_PAGE);
	tb_gmap(&g, 0x10000000, gpa, TB_PAGE, true);
	s1.pgtbl_addr = tb_groot(&g);
	n = tb_nested(dev, s2, &s1);
	assert_false(IS_ERR(n));
	assert_int_equal(ufd_dev_set_domain(dev, n), 0);
	assert_false(ssade(dev, 0));
	assert_int_equal(s2->dirty_ops->set_dirty_tracking(s2, true), 0);
	assert_true(ssade(dev, 0));
	assert_int_equal(tb_dma_write64(dev, 0x10000000 + 8, 9), 0);
	memset(&r, 0, sizeof(r));
	{
		struct ufd_dirty_sink s = sink;

		s.priv = &r;
		assert_int_equal(s2->dirty_ops->read_and_clear_dirty(
					 s2, gpa, TB_PAGE, 0, &s),
				 0);
	}
	/* The guest data page is dirty in the parent (2 MiB leaf). */
	assert_int_equal(r.n, 1);
	assert_true(r.iova[0] <= gpa && gpa < r.iova[0] + r.len[0]);
	assert_int_equal(s2->dirty_ops->set_dirty_tracking(s2, false), 0);
	assert_false(ssade(dev, 0));
	tb_dev_put(dev);
	tb_domain_free(n);
	tb_guest_fini(&g, s2);
	tb_domain_free(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_attach_while_on),
		cmocka_unit_test(test_nested_follows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
