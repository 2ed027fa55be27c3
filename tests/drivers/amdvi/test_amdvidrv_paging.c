// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi driver, layer 1: bring-up, devices, v1 paging domains,
 * attach and detach, DMA through the model, IOTLB invalidation on unmap,
 * a table growing its top, large pages, remap, hw_info, capabilities and
 * the allocation rules with their errno.
 *
 * The invalidation tests first prove the model holds the translation in
 * its IOTLB (tb_cached()), so a missing INVALIDATE_IOMMU_PAGES would show
 * as a DMA that still succeeds.
 */
#include "amdvidrv_tb.h"

#define IOVA 0x100000ull

static void no_hd(struct amdvi_config *cfg)
{
	cfg->hd = false;
}

static void no_gt(struct amdvi_config *cfg)
{
	cfg->gt = false;
}

static void test_bringup(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct amdvi *hw = ufd_amdvi_hw(iommu);
	uint64_t ctrl = amdvi_mmio_read(hw, AMDVI_CONTROL, 8);
	uint64_t dte[AMDVI_DTE_QWORDS], evt[AMDVI_EVT_QWORDS];
	struct amdvi_xlate x;
	struct ufd_dev *dev;

	/* Enabled as Linux leaves it. */
	assert_true(amdvi_fget(ctrl, AMDVI_CTRL_IOMMU_EN));
	assert_true(amdvi_fget(ctrl, AMDVI_CTRL_CMDBUF_EN));
	assert_true(amdvi_fget(ctrl, AMDVI_CTRL_EVTLOG_EN));
	assert_true(amdvi_fget(ctrl, AMDVI_CTRL_EVT_INT_EN));
	assert_true(amdvi_fget(ctrl, AMDVI_CTRL_GT_EN));
	assert_int_equal(amdvi_fget(amdvi_mmio_read(hw, AMDVI_DEVTAB_BASE, 8),
				    AMDVI_DEVTAB_SIZE),
			 1024 * AMDVI_DTE_SIZE / 4096 - 1);

	/* A new device is blocked: valid, translated, no access. */
	dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	tb_dte(dev, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_V), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_TV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE), AMDVI_MODE_NONE);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_IR), 0);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_IW), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), -EFAULT);
	/* A request reaching the IOMMU faults, in the event log. */
	assert_int_equal(amdvi_translate(hw, ufd_amdvi_dev_devid(dev),
					 AMDVI_NO_PASID, IOVA, AMDVI_WRITE, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_IO_PAGE_FAULT);
	assert_true(x.recorded);
	assert_int_equal(tb_last_event(iommu, evt), AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(amdvi_dget(evt, AMDVI_EVT_DEVID),
			 ufd_amdvi_dev_devid(dev));
	assert_int_equal(amdvi_dget(evt, AMDVI_EVT_ADDR), IOVA);
	tb_dev_put(dev);
	ufd_amdvi_destroy(iommu);
}

static void test_default_instance(void **state)
{
	struct ufd_amdvi *iommu = ufd_amdvi_default();
	struct ufd_dev *a, *b;

	assert_false(IS_ERR_OR_NULL(iommu));
	assert_ptr_equal(ufd_amdvi_default(), iommu);
	assert_ptr_equal(ufd_amdvi_of(&ufd_amdvi_iommu), iommu);
	assert_ptr_equal(ufd_amdvi_ops(iommu), &ufd_amdvi_iommu);
	assert_null(ufd_amdvi_of(NULL));
	a = tb_dev(&ufd_amdvi_iommu, 0);
	b = tb_dev(&ufd_amdvi_iommu, 0);
	assert_int_not_equal(ufd_amdvi_dev_devid(a), ufd_amdvi_dev_devid(b));
	tb_dev_put(a);
	tb_dev_put(b);
}

static void test_hw_info(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL), *nohd = tb_instance(no_hd);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *dev2 = tb_dev(ufd_amdvi_ops(nohd), 0);
	struct iommu_hw_info_amd *info;
	uint32_t len, type = IOMMU_HW_INFO_TYPE_DEFAULT;

	info = dev->iommu->hw_info(dev, &len, &type);
	assert_false(IS_ERR_OR_NULL(info));
	assert_int_equal(type, IOMMU_HW_INFO_TYPE_AMD);
	assert_int_equal(len, sizeof(*info));
	assert_int_equal(info->efr,
			 amdvi_mmio_read(ufd_amdvi_hw(iommu), AMDVI_EFR, 8));
	assert_int_equal(info->efr2,
			 amdvi_mmio_read(ufd_amdvi_hw(iommu), AMDVI_EFR2, 8));
	assert_true(amdvi_fget(info->efr, AMDVI_EFR_GT_SUP));
	ufd_free(info);

	type = IOMMU_HW_INFO_TYPE_AMD;
	info = dev->iommu->hw_info(dev, &len, &type);
	assert_false(IS_ERR_OR_NULL(info));
	ufd_free(info);
	type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	assert_int_equal(PTR_ERR(dev->iommu->hw_info(dev, &len, &type)),
			 -EOPNOTSUPP);
	type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	assert_int_equal(PTR_ERR(dev->iommu->hw_info(dev, &len, &type)),
			 -EOPNOTSUPP);

	assert_true(
		ufd_iommu_capable(dev->iommu, dev, UFD_CAP_CACHE_COHERENCY));
	assert_true(ufd_iommu_capable(dev->iommu, dev, UFD_CAP_DIRTY_TRACKING));
	assert_false(
		ufd_iommu_capable(dev->iommu, dev, UFD_CAP_PCI_ATS_SUPPORTED));
	/* EFR.HDSup says whether dirty tracking exists. */
	assert_false(
		ufd_iommu_capable(dev2->iommu, dev2, UFD_CAP_DIRTY_TRACKING));
	type = IOMMU_HW_INFO_TYPE_DEFAULT;
	info = dev2->iommu->hw_info(dev2, &len, &type);
	assert_false(IS_ERR_OR_NULL(info));
	assert_false(amdvi_fget(info->efr, AMDVI_EFR_HD_SUP));
	ufd_free(info);
	tb_dev_put(dev);
	tb_dev_put(dev2);
	ufd_amdvi_destroy(iommu);
	ufd_amdvi_destroy(nohd);
}

static void test_alloc_flags(void **state)
{
	static const struct {
		uint32_t flags;
		unsigned int version;
		bool dirty, nest;
	} good[] = {
		{ 0, 1, false, false },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 1, true, false },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT, 1, false, true },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT |
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		  1, true, true },
		{ IOMMU_HWPT_ALLOC_PASID, 2, false, false },
	};
	static const uint32_t bad[] = {
		IOMMU_HWPT_ALLOC_PASID | IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		IOMMU_HWPT_ALLOC_PASID | IOMMU_HWPT_ALLOC_NEST_PARENT,
		IOMMU_HWPT_FAULT_ID_VALID,
		1u << 7,
	};
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_amdvi *nohd = tb_instance(no_hd), *nogt = tb_instance(no_gt);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *dhd = tb_dev(ufd_amdvi_ops(nohd), 0);
	struct ufd_dev *dgt = tb_dev(ufd_amdvi_ops(nogt), 0);
	struct ufd_amdvi_domain_info info, prev = { 0 };
	struct ufd_domain *d, *keep[5];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = keep[i] = tb_paging(dev, good[i].flags);
		assert_int_equal(ufd_amdvi_domain_info(d, &info), 0);
		assert_int_equal(info.version, good[i].version);
		assert_int_equal(info.nest_parent, good[i].nest);
		assert_int_equal(d->dirty_ops != NULL, good[i].dirty);
		if (info.version == 1) {
			/* Three levels to start with, a DomainID of its own. */
			assert_int_equal(info.levels, 3);
			assert_int_not_equal(info.domid, 0);
			assert_int_not_equal(info.domid, prev.domid);
			prev = info;
		}
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tb_domain_free(keep[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
			PTR_ERR(dev->iommu->domain_alloc_paging(dev, bad[i])),
			-EOPNOTSUPP);
	/* Without EFR.HDSup: no dirty tracking. */
	assert_int_equal(PTR_ERR(dhd->iommu->domain_alloc_paging(
				 dhd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING)),
			 -EOPNOTSUPP);
	tb_domain_free(tb_paging(dhd, IOMMU_HWPT_ALLOC_NEST_PARENT));
	/* Without guest translation: no v2 table, no nesting parent. */
	assert_int_equal(PTR_ERR(dgt->iommu->domain_alloc_paging(
				 dgt, IOMMU_HWPT_ALLOC_PASID)),
			 -EOPNOTSUPP);
	assert_int_equal(PTR_ERR(dgt->iommu->domain_alloc_paging(
				 dgt, IOMMU_HWPT_ALLOC_NEST_PARENT)),
			 -EOPNOTSUPP);
	tb_domain_free(tb_paging(dgt, IOMMU_HWPT_ALLOC_DIRTY_TRACKING));
	assert_int_equal(ufd_amdvi_domain_info(NULL, &info), -EINVAL);
	tb_dev_put(dev);
	tb_dev_put(dhd);
	tb_dev_put(dgt);
	ufd_amdvi_destroy(iommu);
	ufd_amdvi_destroy(nohd);
	ufd_amdvi_destroy(nogt);
}

static void test_attach_dma(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *buf = tb_buf(2 * TB_PAGE, TB_PAGE);
	uint64_t dte[AMDVI_DTE_QWORDS], v;
	struct ufd_amdvi_domain_info info;

	assert_int_equal(ufd_amdvi_domain_info(d, &info), 0);
	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	/* The DTE as Linux writes it for a v1 table. */
	tb_dte(dev, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_V), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_TV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE), info.levels);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_IR), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_IW), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_DOMAIN_ID), info.domid);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HAD), AMDVI_HAD_NONE);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GV), 0);

	assert_int_equal(tb_dma_write64(dev, IOVA + 8, 0x1234), 0);
	assert_int_equal(buf[1], 0x1234);
	buf[512] = 0x5678;
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), 0);
	assert_int_equal(v, 0x5678);
	/* Nothing mapped there. */
	assert_int_equal(tb_dma_read64(dev, IOVA + 2 * TB_PAGE, &v), -EFAULT);
	assert_int_equal(tb_last_event(iommu, NULL), AMDVI_EVT_IO_PAGE_FAULT);

	/* Read-only mapping: a write is refused. */
	tb_map(d, IOVA + 4 * TB_PAGE, buf, TB_PAGE, IOPT_PROT_READ);
	assert_int_equal(tb_dma_read64(dev, IOVA + 4 * TB_PAGE + 8, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(tb_dma_write64(dev, IOVA + 4 * TB_PAGE, 1), -EPERM);
	assert_int_equal(buf[0], 0);

	/* Detached: blocked again. */
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	tb_dte(dev, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE), AMDVI_MODE_NONE);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_IR), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

static void test_unmap_invalidates(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *a = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *b = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(a, 0);
	uint64_t *buf = tb_buf(4 * TB_PAGE, TB_PAGE);
	uint64_t v, evt[AMDVI_EVT_QWORDS];
	struct ufd_amdvi_stats st0, st1;

	tb_map(d, IOVA, buf, 4 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(ufd_dev_set_domain(b, d), 0);
	assert_int_equal(tb_dma_read64(a, IOVA + TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_read64(b, IOVA + 2 * TB_PAGE, &v), 0);
	/* The IOTLB holds them (tagged by DomainID: shared by a and b). */
	assert_true(tb_cached(a, AMDVI_NO_PASID, IOVA + TB_PAGE));
	assert_true(tb_cached(b, AMDVI_NO_PASID, IOVA + TB_PAGE));

	ufd_amdvi_get_stats(iommu, &st0);
	assert_int_equal(tb_unmap(d, IOVA + TB_PAGE, 2 * TB_PAGE), 2 * TB_PAGE);
	ufd_amdvi_get_stats(iommu, &st1);
	assert_true(st1.inv_pages > st0.inv_pages);
	assert_false(tb_cached(a, AMDVI_NO_PASID, IOVA + TB_PAGE));
	assert_false(tb_cached(b, AMDVI_NO_PASID, IOVA + 2 * TB_PAGE));
	/* Gone for both devices: a stale entry would have answered. */
	assert_int_equal(tb_dma_read64(a, IOVA + TB_PAGE, &v), -EFAULT);
	assert_int_equal(tb_last_event(iommu, evt), AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(amdvi_dget(evt, AMDVI_EVT_DEVID),
			 ufd_amdvi_dev_devid(a));
	assert_int_equal(tb_dma_read64(b, IOVA + 2 * TB_PAGE, &v), -EFAULT);
	/* The rest stays. */
	assert_int_equal(tb_dma_read64(a, IOVA, &v), 0);
	assert_int_equal(tb_dma_write64(b, IOVA + 3 * TB_PAGE, 7), 0);
	assert_int_equal(buf[3 * 512], 7);
	/* Mapped again elsewhere: the new translation, not a stale one. */
	tb_map(d, IOVA + TB_PAGE, buf + 3 * 512, TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(a, IOVA + TB_PAGE, &v), 0);
	assert_int_equal(v, 7);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

static void test_grow_top(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t dte[AMDVI_DTE_QWORDS], v;
	struct ufd_amdvi_domain_info info;
	struct ufd_amdvi_stats st;
	static const struct {
		uint64_t iova;
		unsigned int levels;
	} steps[] = {
		{ 1ull << 40, 4 },
		{ 1ull << 50, 5 },
		{ 1ull << 62, 6 },
	};
	unsigned int i;

	assert_int_equal(d->iopt.aperture_last, UINT64_MAX);
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), 0);
	assert_true(tb_cached(dev, AMDVI_NO_PASID, IOVA));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Beyond the top: the table grows, the DTE follows. */
		tb_map(d, steps[i].iova, buf, TB_PAGE, RW);
		assert_int_equal(ufd_amdvi_domain_info(d, &info), 0);
		assert_int_equal(info.levels, steps[i].levels);
		tb_dte(dev, dte);
		assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE),
				 steps[i].levels);
		assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HPTRP) << 12,
				 info.root);
		assert_int_equal(tb_dma_write64(dev, steps[i].iova + 8, i + 2),
				 0);
		assert_int_equal(buf[1], i + 2);
		/* The old top is entry 0 of the new one. */
		assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
		assert_int_equal(v, 1);
	}
	ufd_amdvi_get_stats(iommu, &st);
	assert_int_equal(st.top_changes, 3);
	/* Unmapping high up leaves the top as it is. */
	assert_int_equal(tb_unmap(d, 1ull << 62, TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(dev, 1ull << 62, &v), -EFAULT);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

static void test_large_pages(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(dev, 0);
	const uint64_t sz = 2ull << 20, iova = 1ull << 30;
	uint64_t *buf = tb_buf(2 * sz, sz);
	struct amdvi_xlate x;
	uint64_t v;

	assert_true(d->iopt.pgsize_bitmap & sz);
	tb_map(d, iova, buf, 2 * sz, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(
		amdvi_translate(ufd_amdvi_hw(iommu), ufd_amdvi_dev_devid(dev),
				AMDVI_NO_PASID, iova + sz - 8, AMDVI_READ, &x),
		0);
	/* One 4 MiB page: AMD v1 encodes any power-of-two size. */
	assert_true(x.page_lg2 >= 21);
	assert_int_equal(x.oa, (uint64_t)(uintptr_t)buf + sz - 8);
	assert_int_equal(tb_dma_write64(dev, iova + sz + 8, 9), 0);
	assert_int_equal(buf[sz / 8 + 1], 9);
	/* A cut in the middle splits it; the rest still translates. */
	assert_int_equal(tb_unmap(d, iova + sz, TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(dev, iova + sz + 8, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(dev, iova + sz + TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_read64(dev, iova + sz - 8, &v), 0);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(buf);
	ufd_amdvi_destroy(iommu);
}

static void test_remap(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *old = tb_buf(TB_PAGE, TB_PAGE),
		 *new = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t v;

	old[0] = 1;
	new[0] = 2;
	tb_map(d, IOVA, old, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_true(tb_cached(dev, AMDVI_NO_PASID, IOVA));
	assert_int_equal(d->iopt.ops->remap(&d->iopt, IOVA, TB_PAGE,
					    (uint64_t)(uintptr_t)old,
					    (uint64_t)(uintptr_t) new),
			 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 2);
	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(old);
	tb_buf_free(new);
	ufd_amdvi_destroy(iommu);
}

static void test_errors(void **state)
{
	struct ufd_amdvi *i1 = tb_instance(NULL), *i2 = tb_instance(NULL);
	struct ufd_dev *a = tb_dev(ufd_amdvi_ops(i1), 0);
	struct ufd_dev *b = tb_dev(ufd_amdvi_ops(i2), 0);
	struct ufd_domain *d = tb_paging(a, 0), *d2 = tb_paging(a, 0);
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE);

	/* Another IOMMU's domain. */
	assert_int_equal(ufd_dev_set_domain(b, d), -EINVAL);
	/* No PASID capability: no PASID attachment. */
	assert_int_equal(a->pasid_bits, 0);
	assert_int_equal(ufd_dev_set_pasid_domain(a, 1, d), -EINVAL);
	/* Map errors are the io_pagetable's. */
	assert_int_equal(d->iopt.ops->map(&d->iopt, IOVA + 1,
					  (uint64_t)(uintptr_t)buf, TB_PAGE, RW,
					  false),
			 -EINVAL);
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(d->iopt.ops->map(&d->iopt, IOVA,
					  (uint64_t)(uintptr_t)buf, TB_PAGE, RW,
					  false),
			 -EADDRINUSE);
	/* Replacing one domain by another. */
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(ufd_dev_set_domain(a, d2), 0);
	assert_int_equal(tb_dma_write64(a, IOVA, 1), -EFAULT);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(tb_dma_write64(a, IOVA, 1), 0);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(d);
	tb_domain_free(d2);
	tb_buf_free(buf);
	ufd_amdvi_destroy(i1);
	ufd_amdvi_destroy(i2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup),
		cmocka_unit_test(test_default_instance),
		cmocka_unit_test(test_hw_info),
		cmocka_unit_test(test_alloc_flags),
		cmocka_unit_test(test_attach_dma),
		cmocka_unit_test(test_unmap_invalidates),
		cmocka_unit_test(test_grow_top),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
