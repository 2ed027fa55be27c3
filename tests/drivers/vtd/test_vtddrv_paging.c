// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver, layer 1: bring-up, devices, paging domains of both
 * stages, attach and replace, DMA through the model, IOTLB maintenance on
 * unmap, hw_info and capabilities, and units with less hardware.
 *
 * The invalidation tests first prove the unit holds the translation in
 * its IOTLB (tb_cached()), so a missing invalidation would show as a DMA
 * that still succeeds after the unmap.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define IOVA 0x100000ull
#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_vtd_iommu;
}

static void test_bringup(void **state)
{
	struct ufd_vtd *vtd = ufd_vtd_default();
	struct vtd *hw;
	uint64_t pe[PE_QWORDS], v;
	struct ufd_dev *dev;

	assert_false(IS_ERR_OR_NULL(vtd));
	hw = ufd_vtd_hw(vtd);
	assert_ptr_equal(ufd_vtd_default(), vtd);
	assert_ptr_equal(ufd_vtd_of(ops()), vtd);
	assert_null(ufd_vtd_of(NULL));
	/* Enabled as Linux leaves it: scalable mode, queue, translation. */
	v = vtd_mmio_read(hw, VTD_GSTS_REG, 4);
	assert_true(vtd_fget(v, VTD_GSTS_TES));
	assert_true(vtd_fget(v, VTD_GSTS_QIES));
	assert_true(vtd_fget(v, VTD_GSTS_RTPS));
	v = vtd_mmio_read(hw, VTD_RTADDR_REG, 8);
	assert_int_equal(vtd_fget(v, VTD_RTADDR_TTM), VTD_TTM_SCALABLE);
	v = vtd_mmio_read(hw, VTD_IQA_REG, 8);
	assert_int_equal(vtd_fget(v, VTD_IQA_DW), 1);
	assert_false(
		vtd_fget(vtd_mmio_read(hw, VTD_FECTL_REG, 4), VTD_FECTL_IM));

	/* A new device is blocked: RID_PASID's entry is not present. */
	dev = tb_dev(ops(), 0);
	assert_true(ufd_vtd_read_pasid_entry(dev, 0, pe) == -ENOENT ||
		    !vtd_dget(pe, VTD_PE_P));
	assert_int_equal(dev->pasid_bits, 0);
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), -EFAULT);
	tb_dev_put(dev);
}

static void test_hw_info(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct vtd *hw = ufd_vtd_hw(tb_vtd(dev));
	uint32_t len, type = IOMMU_HW_INFO_TYPE_DEFAULT;
	struct iommu_hw_info_vtd *info;

	info = ops()->hw_info(dev, &len, &type);
	assert_false(IS_ERR(info));
	assert_int_equal(type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(len, sizeof(*info));
	assert_int_equal(info->flags, 0);
	assert_int_equal(info->cap_reg, vtd_mmio_read(hw, VTD_CAP_REG, 8));
	assert_int_equal(info->ecap_reg, vtd_mmio_read(hw, VTD_ECAP_REG, 8));
	assert_true(vtd_fget(info->ecap_reg, VTD_ECAP_SMTS));
	ufd_free(info);

	type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	info = ops()->hw_info(dev, &len, &type);
	assert_false(IS_ERR(info));
	ufd_free(info);
	type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	assert_int_equal(PTR_ERR(ops()->hw_info(dev, &len, &type)),
			 -EOPNOTSUPP);

	assert_true(ufd_iommu_capable(ops(), dev, UFD_CAP_CACHE_COHERENCY));
	assert_true(ufd_iommu_capable(ops(), dev, UFD_CAP_DIRTY_TRACKING));
	assert_false(ufd_iommu_capable(ops(), dev, UFD_CAP_PCI_ATS_SUPPORTED));
	tb_dev_put(dev);
}

static void test_alloc_flags(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_vtd_domain_info info;
	static const uint32_t bad[] = {
		IOMMU_HWPT_FAULT_ID_VALID,
		IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_FAULT_ID_VALID,
		1u << 7,
	};
	static const struct {
		uint32_t flags;
		bool fs, parent, dirty;
	} good[] = {
		{ 0, true, false, false },
		{ IOMMU_HWPT_ALLOC_PASID, true, false, false },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT, false, true, false },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, false, false, true },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT |
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		  false, true, true },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID, false,
		  true, false },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID,
		  false, false, true },
	};
	struct ufd_domain *d, *d2;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
			PTR_ERR(ops()->domain_alloc_paging(dev, bad[i])),
			-EOPNOTSUPP);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		d = tb_paging(dev, good[i].flags);
		assert_int_equal(ufd_vtd_domain_info(d, &info), 0);
		assert_int_equal(info.first_stage, good[i].fs);
		assert_int_equal(info.nest_parent, good[i].parent);
		assert_int_equal(!!d->dirty_ops, good[i].dirty);
		assert_int_equal(d->type, UFD_DOMAIN_PAGING);
		assert_ptr_equal(d->owner, ops());
		assert_true(d->iopt.pgsize_bitmap & (1ull << 12));
		assert_true(d->iopt.pgsize_bitmap & (1ull << 21));
		assert_int_equal(d->iopt.aperture_start, 0);
		/* The default unit: MGAW 57, 5-level both stages. */
		assert_int_equal(info.levels, 5);
		if (info.first_stage)
			/* Canonical addresses: the lower half. */
			assert_int_equal(d->iopt.aperture_last,
					 (1ull << 56) - 1);
		else
			assert_int_equal(d->iopt.aperture_last,
					 (1ull << 57) - 1);
		/* Every domain has its own domain id. */
		d2 = tb_paging(dev, good[i].flags);
		assert_int_equal(ufd_vtd_domain_info(d2, &info), 0);
		{
			struct ufd_vtd_domain_info i1;

			assert_int_equal(ufd_vtd_domain_info(d, &i1), 0);
			assert_int_not_equal(i1.did, info.did);
			assert_true(i1.did >= 2 && info.did >= 2);
		}
		tb_domain_free(d2);
		tb_domain_free(d);
	}
	tb_dev_put(dev);
}

/* DMA both ways through @flags's domain; the PASID entry says so. */
static void dma_roundtrip(uint32_t flags, unsigned int pgtt)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint64_t *buf = tb_buf(4 * TB_PAGE, TB_PAGE), v = 0;
	struct ufd_vtd_domain_info info;
	struct ufd_vtd_stats st, st2;
	uint64_t pe[PE_QWORDS];

	tb_map(d, IOVA, buf, 4 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(ufd_vtd_read_pasid_entry(dev, 0, pe), 0);
	assert_int_equal(ufd_vtd_domain_info(d, &info), 0);
	assert_int_equal(vtd_dget(pe, VTD_PE_P), 1);
	assert_int_equal(vtd_dget(pe, VTD_PE_PGTT), pgtt);
	assert_int_equal(vtd_dget(pe, VTD_PE_DID), info.did);

	assert_int_equal(tb_dma_write64(dev, IOVA + TB_PAGE + 8, 0x1234), 0);
	assert_int_equal(buf[TB_PAGE / 8 + 1], 0x1234);
	buf[3 * TB_PAGE / 8] = 0xabcd;
	assert_int_equal(tb_dma_read64(dev, IOVA + 3 * TB_PAGE, &v), 0);
	assert_int_equal(v, 0xabcd);
	/* Outside the mapping: a fault, recorded, read and cleared. */
	ufd_vtd_get_stats(tb_vtd(dev), &st);
	assert_int_equal(tb_dma_read64(dev, IOVA + 4 * TB_PAGE, &v), -EFAULT);
	ufd_vtd_get_stats(tb_vtd(dev), &st2);
	assert_true(st2.faults > st.faults);
	assert_false(vtd_fget(vtd_mmio_read(ufd_vtd_hw(tb_vtd(dev)),
					    VTD_FSTS_REG, 4),
			      VTD_FSTS_PPF));
	/* A read-only mapping refuses writes. */
	tb_map(d, IOVA + 8 * TB_PAGE, buf, TB_PAGE, IOPT_PROT_READ);
	assert_int_equal(tb_dma_read64(dev, IOVA + 8 * TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + 8 * TB_PAGE, 1), -EPERM);

	tb_dev_put(dev);
	assert_int_equal(tb_unmap(d, IOVA, 4 * TB_PAGE), 4 * TB_PAGE);
	assert_int_equal(tb_unmap(d, IOVA + 8 * TB_PAGE, TB_PAGE), TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

static void test_dma_fs(void **state)
{
	dma_roundtrip(0, VTD_PGTT_FS);
}

static void test_dma_ss(void **state)
{
	dma_roundtrip(IOMMU_HWPT_ALLOC_NEST_PARENT, VTD_PGTT_SS);
}

/* Cached, unmapped: the DMA must fault, so the driver invalidated. */
static void stale_after_unmap(uint32_t flags)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint64_t *buf = tb_buf(2 * TB_PAGE, TB_PAGE), v;

	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), 0);
	assert_true(tb_cached(dev, UFD_NO_PASID, IOVA));
	assert_true(tb_cached(dev, UFD_NO_PASID, IOVA + TB_PAGE));

	assert_int_equal(tb_unmap(d, IOVA + TB_PAGE, TB_PAGE), TB_PAGE);
	assert_false(tb_cached(dev, UFD_NO_PASID, IOVA + TB_PAGE));
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);

	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

static void test_stale_fs(void **state)
{
	stale_after_unmap(0);
}

static void test_stale_ss(void **state)
{
	stale_after_unmap(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

/* 2 MiB pages are used, and an unmap that splits one invalidates it. */
static void large_pages(uint32_t flags)
{
	const uint64_t big = 2ull << 20, iova = 1ull << 30;
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint8_t *buf = tb_buf(2 * big, big);
	struct vtd_xlate x;
	uint64_t v;

	tb_map(d, iova, buf, 2 * big, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_write64(dev, iova + big + 64, 7), 0);
	assert_int_equal(*(uint64_t *)(buf + big + 64), 7);
	assert_int_equal(vtd_translate(ufd_vtd_hw(tb_vtd(dev)),
				       ufd_vtd_dev_sid(dev), VTD_NO_PASID,
				       iova + big, VTD_READ, &x),
			 0);
	assert_int_equal(x.page_lg2, 21);
	assert_true(tb_cached(dev, UFD_NO_PASID, iova + big + 5 * TB_PAGE));

	/* One page out of the middle of the cached 2 MiB page. */
	assert_int_equal(tb_unmap(d, iova + big + 5 * TB_PAGE, TB_PAGE),
			 TB_PAGE);
	assert_int_equal(tb_dma_read64(dev, iova + big + 5 * TB_PAGE, &v),
			 -EFAULT);
	assert_int_equal(tb_dma_read64(dev, iova + big + 6 * TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_read64(dev, iova + big + 64, &v), 0);
	assert_int_equal(v, 7);

	tb_dev_put(dev);
	tb_unmap(d, iova, 2 * big);
	tb_domain_free(d);
	tb_buf_free(buf);
}

static void test_large_fs(void **state)
{
	large_pages(0);
}

static void test_large_ss(void **state)
{
	large_pages(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

/* Two devices share a domain: an unmap invalidates for both. */
static void test_two_devices(void **state)
{
	struct ufd_dev *a = tb_dev(ops(), 0), *b = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(a, 0);
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE), v;

	assert_int_not_equal(ufd_vtd_dev_sid(a), ufd_vtd_dev_sid(b));
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(ufd_dev_set_domain(b, d), 0);
	assert_int_equal(tb_dma_write64(a, IOVA, 1), 0);
	assert_int_equal(tb_dma_read64(b, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_true(tb_cached(a, UFD_NO_PASID, IOVA));
	assert_true(tb_cached(b, UFD_NO_PASID, IOVA));
	tb_unmap(d, IOVA, TB_PAGE);
	assert_int_equal(tb_dma_read64(a, IOVA, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(b, IOVA, &v), -EFAULT);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/*
 * Replacing the domain and blocking: the old PASID entry and what was
 * cached through it go, so the DMA sees the new domain at once.
 */
static void test_replace_and_block(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d1 = tb_paging(dev, 0);
	struct ufd_domain *d2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	uint64_t *b1 = tb_buf(TB_PAGE, TB_PAGE), *b2 = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t v, pe[PE_QWORDS];

	b1[0] = 1;
	b2[0] = 2;
	tb_map(d1, IOVA, b1, TB_PAGE, RW);
	tb_map(d2, IOVA, b2, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d1), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ufd_dev_set_domain(dev, d2), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(ufd_dev_set_domain(dev, d1), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 1);
	/* Blocked: not present, and nothing cached serves the DMA. */
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_int_equal(ufd_vtd_read_pasid_entry(dev, 0, pe), 0);
	assert_int_equal(vtd_dget(pe, VTD_PE_P), 0);
	assert_false(tb_cached(dev, UFD_NO_PASID, IOVA));
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	tb_dev_put(dev);
	tb_unmap(d1, IOVA, TB_PAGE);
	tb_unmap(d2, IOVA, TB_PAGE);
	tb_domain_free(d1);
	tb_domain_free(d2);
	tb_buf_free(b1);
	tb_buf_free(b2);
}

/* Another instance's domain is refused. */
static void test_foreign_domain(void **state)
{
	struct ufd_vtd *other = ufd_vtd_create(NULL);
	struct ufd_dev *dev, *odev;
	struct ufd_domain *d;

	assert_false(IS_ERR(other));
	dev = tb_dev(ops(), 0);
	odev = tb_dev(ufd_vtd_ops(other), 0);
	d = tb_paging(odev, 0);
	assert_int_equal(ufd_dev_set_domain(dev, d), -EINVAL);
	tb_domain_free(d);
	tb_dev_put(odev);
	tb_dev_put(dev);
	ufd_vtd_destroy(other);
}

static void no_fs(struct vtd_config *cfg)
{
	cfg->fs = false;
	cfg->nest = false;
	cfg->ssad = false;
}

static void small_ss(struct vtd_config *cfg)
{
	cfg->mgaw = 48;
	cfg->ss_5lvl = false;
	cfg->fs_5lvl = false;
	cfg->fs_1g = false;
}

static void test_less_hardware(void **state)
{
	const struct ufd_vtd_opts o1 = { .tweak = no_fs },
				  o2 = { .tweak = small_ss };
	struct ufd_vtd_domain_info info;
	struct ufd_vtd *vtd;
	struct ufd_dev *dev;
	struct ufd_domain *d;
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE), v;

	/* No first stage: second stage by default; no nesting, no dirty. */
	vtd = ufd_vtd_create(&o1);
	assert_false(IS_ERR(vtd));
	dev = tb_dev(ufd_vtd_ops(vtd), 0);
	d = tb_paging(dev, 0);
	assert_int_equal(ufd_vtd_domain_info(d, &info), 0);
	assert_false(info.first_stage);
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA, 3), 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(PTR_ERR(ufd_vtd_ops(vtd)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_NEST_PARENT)),
			 -EOPNOTSUPP);
	assert_int_equal(PTR_ERR(ufd_vtd_ops(vtd)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING)),
			 -EOPNOTSUPP);
	assert_false(ufd_iommu_capable(ufd_vtd_ops(vtd), dev,
				       UFD_CAP_DIRTY_TRACKING));
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	ufd_vtd_destroy(vtd);

	/* MGAW 48, 4 levels: both stages 48-bit, first stage 4-level. */
	vtd = ufd_vtd_create(&o2);
	assert_false(IS_ERR(vtd));
	dev = tb_dev(ufd_vtd_ops(vtd), 0);
	d = tb_paging(dev, 0);
	assert_int_equal(ufd_vtd_domain_info(d, &info), 0);
	assert_true(info.first_stage);
	assert_int_equal(info.levels, 4);
	assert_int_equal(d->iopt.aperture_last, (1ull << 47) - 1);
	assert_false(d->iopt.pgsize_bitmap & (1ull << 30));
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 3);
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	d = NULL;
	dev = tb_dev(ufd_vtd_ops(vtd), 0);
	d = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	assert_int_equal(ufd_vtd_domain_info(d, &info), 0);
	assert_int_equal(info.levels, 4);
	assert_int_equal(d->iopt.aperture_last, (1ull << 48) - 1);
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 3);
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	ufd_vtd_destroy(vtd);
	tb_buf_free(buf);
}

/* A released source-id is reused, and its old context is gone. */
static void test_release_reuses_sid(void **state)
{
	struct ufd_dev *a = tb_dev(ops(), 0), *b;
	struct ufd_domain *d = tb_paging(a, 0);
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE), v;
	uint16_t sid = ufd_vtd_dev_sid(a);

	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(a, d), 0);
	assert_int_equal(tb_dma_read64(a, IOVA, &v), 0);
	tb_dev_put(a);
	b = tb_dev(ops(), 0);
	assert_int_equal(ufd_vtd_dev_sid(b), sid);
	assert_int_equal(tb_dma_read64(b, IOVA, &v), -EFAULT);
	assert_false(tb_cached(b, UFD_NO_PASID, IOVA));
	tb_dev_put(b);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup),
		cmocka_unit_test(test_hw_info),
		cmocka_unit_test(test_alloc_flags),
		cmocka_unit_test(test_dma_fs),
		cmocka_unit_test(test_dma_ss),
		cmocka_unit_test(test_stale_fs),
		cmocka_unit_test(test_stale_ss),
		cmocka_unit_test(test_large_fs),
		cmocka_unit_test(test_large_ss),
		cmocka_unit_test(test_two_devices),
		cmocka_unit_test(test_replace_and_block),
		cmocka_unit_test(test_foreign_domain),
		cmocka_unit_test(test_less_hardware),
		cmocka_unit_test(test_release_reuses_sid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
