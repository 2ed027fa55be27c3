// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi driver's v2 domains and PASIDs: PASID bits from the EFR, the
 * GCR3 table a v2 domain is reached through (entry 0 for the device
 * itself, entry n for PASID n), invalidation of guest translations by
 * (GCR3 DomainID, PASID) on unmap and on replacement, and the attach rules
 * with their errno.
 */
#include "amdvidrv_tb.h"

#define IOVA 0x300000ull

static void no_gt(struct amdvi_config *cfg)
{
	cfg->gt = false;
}

static void test_pasid_bits(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL), *nogt = tb_instance(no_gt);
	struct ufd_dev *p = tb_dev(ufd_amdvi_ops(iommu), UFD_DEV_PASID);
	struct ufd_dev *n = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *g = tb_dev(ufd_amdvi_ops(nogt), UFD_DEV_PASID);
	uint64_t efr = amdvi_mmio_read(ufd_amdvi_hw(iommu), AMDVI_EFR, 8);

	assert_int_equal(p->pasid_bits, amdvi_fget(efr, AMDVI_EFR_PASMAX) + 1);
	assert_int_equal(n->pasid_bits, 0);
	assert_int_equal(g->pasid_bits, 0);
	tb_dev_put(p);
	tb_dev_put(n);
	tb_dev_put(g);
	ufd_amdvi_destroy(iommu);
	ufd_amdvi_destroy(nogt);
}

static void test_v2_rid(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), UFD_DEV_PASID);
	struct ufd_domain *d = tb_paging(dev, IOMMU_HWPT_ALLOC_PASID);
	uint64_t *buf = tb_buf(2 * TB_PAGE, TB_PAGE);
	uint64_t dte[AMDVI_DTE_QWORDS], v;

	/* 47 bits: the table means the same with and without a PASID. */
	assert_int_equal(d->iopt.aperture_last, (1ull << 47) - 1);
	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	tb_dte(dev, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE), AMDVI_MODE_NONE);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GIOV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GLX), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GPM), AMDVI_GATS_4LVL);
	assert_int_not_equal(amdvi_dget(dte, AMDVI_DTE_DOMAIN_ID), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + TB_PAGE, 11), 0);
	assert_int_equal(buf[512], 11);
	assert_true(tb_cached(dev, AMDVI_NO_PASID, IOVA + TB_PAGE));
	/* Unmap: the guest translation (GN = 1, PASID 0) goes. */
	assert_int_equal(tb_unmap(d, IOVA + TB_PAGE, TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), -EFAULT);
	assert_int_equal(tb_last_event(iommu, NULL), AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	/* Back to blocked: GCR3[0] is empty, the DTE blocks. */
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	tb_dte(dev, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GV), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

static void test_pasid_attach(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *a = tb_dev(ufd_amdvi_ops(iommu), UFD_DEV_PASID);
	struct ufd_dev *b = tb_dev(ufd_amdvi_ops(iommu), UFD_DEV_PASID);
	struct ufd_domain *d1 = tb_paging(a, IOMMU_HWPT_ALLOC_PASID);
	struct ufd_domain *d2 = tb_paging(a, IOMMU_HWPT_ALLOC_PASID);
	uint64_t *b1 = tb_buf(TB_PAGE, TB_PAGE), *b2 = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t dte[AMDVI_DTE_QWORDS], v;

	b1[0] = 1;
	b2[0] = 2;
	tb_map(d1, IOVA, b1, TB_PAGE, RW);
	tb_map(d2, IOVA, b2, TB_PAGE, RW);
	/* A blocked device with a PASID: the PASID translates, nothing else. */
	assert_int_equal(ufd_dev_set_pasid_domain(a, 5, d1), 0);
	tb_dte(a, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GV), 1);
	assert_int_equal(tb_pasid_read64(a, 5, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_true(tb_cached(a, 5, IOVA));
	assert_int_equal(tb_dma_read64(a, IOVA, &v), -EFAULT);
	assert_int_not_equal(tb_pasid_read64(a, 6, IOVA, &v), 0);
	/* The same domain at b's PASID 7 and as a's own table. */
	assert_int_equal(ufd_dev_set_pasid_domain(b, 7, d1), 0);
	assert_int_equal(ufd_dev_set_domain(a, d1), 0);
	/* A PASID DMA is its own device's and PASID's: it caches there. */
	assert_false(tb_cached(b, 7, IOVA));
	assert_int_equal(tb_pasid_read64(b, 7, IOVA, &v), 0);
	assert_true(tb_cached(b, 7, IOVA));
	assert_int_equal(tb_dma_read64(a, IOVA, &v), 0);
	assert_true(tb_cached(a, 5, IOVA));
	assert_true(tb_cached(b, 7, IOVA));
	assert_true(tb_cached(a, AMDVI_NO_PASID, IOVA));
	/* One unmap invalidates every use. */
	assert_int_equal(tb_unmap(d1, IOVA, TB_PAGE), TB_PAGE);
	assert_false(tb_cached(a, 5, IOVA));
	assert_false(tb_cached(b, 7, IOVA));
	assert_false(tb_cached(a, AMDVI_NO_PASID, IOVA));
	assert_int_equal(tb_translate(b, 7, IOVA), -EFAULT);
	assert_int_equal(tb_pasid_read64(a, 5, IOVA, &v), -EFAULT);
	assert_int_equal(tb_pasid_read64(b, 7, IOVA, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(a, IOVA, &v), -EFAULT);
	tb_map(d1, IOVA, b1, TB_PAGE, RW);

	/* Replacing PASID 5's domain drops what the old one left cached. */
	assert_int_equal(tb_pasid_read64(a, 5, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(tb_translate(a, 5, IOVA), 0);
	assert_true(tb_cached(a, 5, IOVA));
	assert_int_equal(ufd_dev_set_pasid_domain(a, 5, d2), 0);
	assert_int_equal(tb_pasid_read64(a, 5, IOVA, &v), 0);
	assert_int_equal(v, 2);
	/* Detached: faults. */
	assert_int_equal(ufd_dev_set_pasid_domain(a, 5, NULL), 0);
	assert_int_not_equal(tb_pasid_read64(a, 5, IOVA, &v), 0);
	assert_int_equal(tb_dma_read64(a, IOVA, &v), 0);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(d1);
	tb_domain_free(d2);
	tb_buf_free(b1);
	tb_buf_free(b2);
	ufd_amdvi_destroy(iommu);
}

static void test_pasid_errors(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), UFD_DEV_PASID);
	struct ufd_domain *v1 = tb_paging(dev, 0);
	struct ufd_domain *v2 = tb_paging(dev, IOMMU_HWPT_ALLOC_PASID);
	uint32_t max = 1u << dev->pasid_bits;

	/* PASID 0 is the requests without PASID; beyond the width. */
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 0, v2), -EINVAL);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, max, v2), -EINVAL);
	/* A v1 table cannot be reached through a GCR3 table. */
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 1, v1), -EINVAL);
	/* PASIDs under a v1 table would be nested: refused both ways. */
	assert_int_equal(ufd_dev_set_domain(dev, v1), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 1, v2), -EINVAL);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, max - 1, v2), 0);
	assert_int_equal(ufd_dev_set_domain(dev, v1), -EINVAL);
	/* Detaching what is not attached is fine. */
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 3, NULL), 0);
	tb_dev_put(dev);
	tb_domain_free(v1);
	tb_domain_free(v2);
	ufd_amdvi_destroy(iommu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pasid_bits),
		cmocka_unit_test(test_v2_rid),
		cmocka_unit_test(test_pasid_attach),
		cmocka_unit_test(test_pasid_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
