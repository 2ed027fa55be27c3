// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver's attach_pasid: domains of both stages at PASIDs of a
 * device that asked for PASIDs, beside what RID_PASID has; DMA tagged with
 * a PASID goes through its own entry, as that device's (what it caches and
 * faults is its own); first-stage IOTLB entries are tagged
 * by (DID, PASID), so an unmap must invalidate every PASID the domain is
 * attached at; blocking one PASID leaves the others. Each (device, PASID)
 * is made to cache its translation (tb_warm()), so an invalidation the
 * driver forgot for any of them shows.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define IOVA 0x400000ull
#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)

static void pasids(uint32_t flags, unsigned int pgtt)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, UFD_DEV_PASID);
	struct ufd_dev *other = tb_dev(&ufd_vtd_iommu, UFD_DEV_PASID);
	struct ufd_domain *d = tb_paging(dev, flags | IOMMU_HWPT_ALLOC_PASID);
	struct ufd_domain *rid = tb_paging(dev, 0);
	uint64_t *buf = tb_buf(2 * TB_PAGE, TB_PAGE),
		 *rbuf = tb_buf(TB_PAGE, TB_PAGE);
	static const uint32_t ps[] = { 5, 64, 70000 };
	uint64_t v, pe[PE_QWORDS];
	unsigned int i;

	buf[0] = 0xaa;
	rbuf[0] = 0xbb;
	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	tb_map(rid, IOVA, rbuf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, rid), 0);
	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		assert_int_equal(ufd_dev_set_pasid_domain(dev, ps[i], d), 0);
		assert_int_equal(ufd_vtd_read_pasid_entry(dev, ps[i], pe), 0);
		assert_int_equal(vtd_dget(pe, VTD_PE_PGTT), pgtt);
	}
	assert_int_equal(ufd_dev_set_pasid_domain(other, 9, d), 0);
	/* Each PASID through its entry; without PASID, RID_PASID's. */
	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		assert_int_equal(tb_pasid_read64(dev, ps[i], IOVA, &v), 0);
		assert_int_equal(v, 0xaa);
		assert_int_equal(tb_warm(dev, ps[i], IOVA), 0);
		assert_true(tb_cached(dev, ps[i], IOVA));
	}
	/*
	 * A PASID DMA is translated as its own (source-id, PASID): what it
	 * caches is there, not under the domain's first attachment.
	 */
	assert_false(tb_cached(other, 9, IOVA));
	assert_int_equal(tb_pasid_read64(other, 9, IOVA, &v), 0);
	assert_true(tb_cached(other, 9, IOVA));
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 0xbb);
	/* A PASID nothing is attached at: blocked. */
	assert_int_equal(tb_pasid_read64(dev, 6, IOVA, &v), -EFAULT);

	/* The unmap reaches every PASID's cached translation. */
	assert_int_equal(tb_unmap(d, IOVA, TB_PAGE), TB_PAGE);
	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		assert_false(tb_cached(dev, ps[i], IOVA));
		assert_int_equal(tb_pasid_read64(dev, ps[i], IOVA, &v),
				 -EFAULT);
	}
	assert_int_equal(tb_pasid_read64(other, 9, IOVA, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);

	/* Blocking one PASID leaves the others. */
	assert_int_equal(tb_pasid_read64(dev, 64, IOVA + TB_PAGE, &v), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 64, NULL), 0);
	assert_int_equal(ufd_vtd_read_pasid_entry(dev, 64, pe), 0);
	assert_int_equal(vtd_dget(pe, VTD_PE_P), 0);
	assert_int_equal(tb_pasid_read64(dev, 64, IOVA + TB_PAGE, &v), -EFAULT);
	assert_int_equal(tb_pasid_read64(dev, 5, IOVA + TB_PAGE, &v), 0);

	tb_dev_put(dev);
	tb_dev_put(other);
	tb_unmap(d, IOVA + TB_PAGE, TB_PAGE);
	tb_unmap(rid, IOVA, TB_PAGE);
	tb_domain_free(d);
	tb_domain_free(rid);
	tb_buf_free(buf);
	tb_buf_free(rbuf);
}

static void test_pasid_fs(void **state)
{
	pasids(0, VTD_PGTT_FS);
}

static void test_pasid_ss(void **state)
{
	pasids(IOMMU_HWPT_ALLOC_NEST_PARENT, VTD_PGTT_SS);
}

/* Replacing a PASID's domain: the old entry's cache goes with it. */
static void test_pasid_replace(void **state)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, UFD_DEV_PASID);
	struct ufd_domain *d1 = tb_paging(dev, 0), *d2 = tb_paging(dev, 0);
	uint64_t *b1 = tb_buf(TB_PAGE, TB_PAGE), *b2 = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t v;

	b1[0] = 1;
	b2[0] = 2;
	tb_map(d1, IOVA, b1, TB_PAGE, RW);
	tb_map(d2, IOVA, b2, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 3, d1), 0);
	assert_int_equal(tb_pasid_read64(dev, 3, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 3, d2), 0);
	assert_int_equal(tb_pasid_read64(dev, 3, IOVA, &v), 0);
	assert_int_equal(v, 2);
	tb_dev_put(dev);
	tb_unmap(d1, IOVA, TB_PAGE);
	tb_unmap(d2, IOVA, TB_PAGE);
	tb_domain_free(d1);
	tb_domain_free(d2);
	tb_buf_free(b1);
	tb_buf_free(b2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pasid_fs),
		cmocka_unit_test(test_pasid_ss),
		cmocka_unit_test(test_pasid_replace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
