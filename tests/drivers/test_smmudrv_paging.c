// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver, layer 1: bring-up, devices, paging domains of both
 * stages, attach, DMA through the model, TLB maintenance on unmap, dirty
 * tracking, hw_info and capabilities, and instances with less hardware.
 *
 * The invalidation tests first prove the model holds the translation in
 * its IOTLB (tb_cached()), so a missing TLBI would show as a stale read.
 */
#include "smmudrv_tb.h"

#include "hw/smmuv3/smmuv3.h"

#define IOVA 0x100000ull

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_smmuv3_iommu;
}

static void test_bringup(void **state)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct smmuv3 *hw = ufd_smmuv3_hw(smmu);
	uint64_t ste[SMMU_STE_DWORDS];
	struct ufd_dev *dev;
	uint64_t v;

	assert_false(IS_ERR_OR_NULL(smmu));
	assert_ptr_equal(ufd_smmuv3_default(), smmu);
	assert_ptr_equal(ufd_smmuv3_of(ops()), smmu);
	assert_null(ufd_smmuv3_of(NULL));
	/* Enabled as Linux leaves it. */
	v = smmuv3_mmio_read(hw, SMMU_CR0ACK, 4);
	assert_true(smmu_fget(v, SMMU_CR0_SMMUEN));
	assert_true(smmu_fget(v, SMMU_CR0_CMDQEN));
	assert_true(smmu_fget(v, SMMU_CR0_EVENTQEN));
	v = smmuv3_mmio_read(hw, SMMU_STRTAB_BASE_CFG, 4);
	assert_int_equal(smmu_fget(v, SMMU_STRTAB_BASE_CFG_FMT),
			 SMMU_STRTAB_FMT_2LVL);
	assert_true(smmu_fget(smmuv3_mmio_read(hw, SMMU_CR2, 4),
			      SMMU_CR2_RECINVSID));

	/* A new device aborts everything. */
	dev = tb_dev(ops(), 0);
	assert_int_equal(
		ufd_smmuv3_read_ste(smmu, ufd_smmuv3_dev_sid(dev), ste), 0);
	assert_int_equal(smmu_dget(ste, SMMU_STE_V), 1);
	assert_int_equal(smmu_dget(ste, SMMU_STE_CONFIG), SMMU_STE_CFG_ABORT);
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), -EFAULT);
	tb_dev_put(dev);
}

static void test_hw_info(void **state)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct iommu_hw_info_arm_smmuv3 *info;
	struct iommu_hw_info_tegra241_cmdqv *cinfo;
	uint32_t len, type = IOMMU_HW_INFO_TYPE_DEFAULT;
	unsigned int i;

	info = ops()->hw_info(dev, &len, &type);
	assert_false(IS_ERR(info));
	assert_int_equal(type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(len, sizeof(*info));
	for (i = 0; i < 6; i++)
		assert_int_equal(info->idr[i],
				 smmuv3_mmio_read(ufd_smmuv3_hw(smmu),
						  SMMU_IDR0 + 4 * i, 4));
	assert_int_equal(info->aidr,
			 smmuv3_mmio_read(ufd_smmuv3_hw(smmu), SMMU_AIDR, 4));
	assert_int_equal(info->flags, 0);
	ufd_free(info);

	type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	info = ops()->hw_info(dev, &len, &type);
	assert_false(IS_ERR(info));
	ufd_free(info);

	/* The default instance has a CMDQV: 16 VCMDQs over 4 VINTFs. */
	type = IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV;
	cinfo = ops()->hw_info(dev, &len, &type);
	assert_false(IS_ERR(cinfo));
	assert_int_equal(type, IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV);
	assert_int_equal(len, sizeof(*cinfo));
	assert_int_equal(cinfo->version, 1);
	assert_int_equal(cinfo->log2vcmdqs, 2);
	assert_int_equal(cinfo->log2vsids, 4);
	ufd_free(cinfo);

	type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
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
	struct ufd_smmuv3_domain_info info;
	static const uint32_t bad[] = {
		IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
		IOMMU_HWPT_FAULT_ID_VALID,
		1u << 7,
	};
	static const struct {
		uint32_t flags;
		unsigned int stage;
		bool dirty;
	} good[] = {
		{ 0, 1, false },
		{ IOMMU_HWPT_ALLOC_NEST_PARENT, 2, false },
		/* Stage-2 HTTU: beyond Linux's arm-smmu-v3 (drivers-smmuv3.md). */
		{ IOMMU_HWPT_ALLOC_NEST_PARENT |
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		  2, true },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 1, true },
		{ IOMMU_HWPT_ALLOC_PASID, 1, false },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID, 1,
		  true },
	};
	struct ufd_domain *d, *d2;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
			PTR_ERR(ops()->domain_alloc_paging(dev, bad[i])),
			-EOPNOTSUPP);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		d = tb_paging(dev, good[i].flags);
		assert_int_equal(ufd_smmuv3_domain_info(d, &info), 0);
		assert_int_equal(info.stage, good[i].stage);
		assert_int_equal(!!d->dirty_ops, good[i].dirty);
		assert_int_equal(d->type, UFD_DOMAIN_PAGING);
		assert_ptr_equal(d->owner, ops());
		assert_int_equal(d->iopt.aperture_start, 0);
		assert_int_equal(d->iopt.aperture_last, (1ull << 48) - 1);
		assert_int_equal(iopt_domain_min_pgsize(&d->iopt), 4096);
		assert_true(d->iopt.pgsize_bitmap & (1ull << 21));
		/* Every domain has a tag of its own, never 0. */
		d2 = tb_paging(dev, good[i].flags);
		if (info.stage == 1) {
			struct ufd_smmuv3_domain_info info2;

			assert_int_equal(ufd_smmuv3_domain_info(d2, &info2), 0);
			assert_int_not_equal(info.asid, 0);
			assert_int_not_equal(info.asid, info2.asid);
		} else {
			struct ufd_smmuv3_domain_info info2;

			assert_int_equal(ufd_smmuv3_domain_info(d2, &info2), 0);
			assert_int_not_equal(info.vmid, 0);
			assert_int_not_equal(info.vmid, info2.vmid);
			assert_true(info.nest_parent);
		}
		tb_domain_free(d2);
		tb_domain_free(d);
	}
	tb_dev_put(dev);
}

/* DMA through stage-1 and stage-2 paging domains, and the STEs behind. */
static void dma_through(uint32_t flags)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint8_t *buf = tb_buf(4 * TB_PAGE, TB_PAGE);
	uint64_t ste[SMMU_STE_DWORDS], v;
	struct ufd_smmuv3_domain_info info;
	uint8_t big[3 * 4096];

	tb_map(d, IOVA, buf, 3 * TB_PAGE, RW);
	tb_map(d, IOVA + 3 * TB_PAGE, buf + 3 * TB_PAGE, TB_PAGE,
	       IOPT_PROT_READ);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(
		ufd_smmuv3_read_ste(smmu, ufd_smmuv3_dev_sid(dev), ste), 0);
	assert_int_equal(ufd_smmuv3_domain_info(d, &info), 0);
	if (info.stage == 1) {
		assert_int_equal(smmu_dget(ste, SMMU_STE_CONFIG),
				 SMMU_STE_CFG_S1);
	} else {
		assert_int_equal(smmu_dget(ste, SMMU_STE_CONFIG),
				 SMMU_STE_CFG_S2);
		assert_int_equal(smmu_dget(ste, SMMU_STE_S2VMID), info.vmid);
	}

	assert_int_equal(tb_dma_write64(dev, IOVA + 8, 0x1122334455667788ull),
			 0);
	assert_int_equal(*(uint64_t *)(buf + 8), 0x1122334455667788ull);
	*(uint64_t *)(buf + TB_PAGE + 16) = 0xabcdull;
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE + 16, &v), 0);
	assert_int_equal(v, 0xabcd);
	/* A transfer over page boundaries. */
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(ufd_dev_dma(dev, IOVA + 100, big, 2 * 4096, true), 0);
	assert_int_equal(buf[100], 0x5a);
	assert_int_equal(buf[100 + 2 * 4096 - 1], 0x5a);
	assert_int_equal(buf[99], 0);
	/* Read-only page, unmapped page. */
	assert_int_equal(tb_dma_read64(dev, IOVA + 3 * TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + 3 * TB_PAGE, 1), -EPERM);
	assert_int_equal(tb_dma_write64(dev, IOVA + 4 * TB_PAGE, 1), -EFAULT);
	assert_int_equal(tb_dma_write64(dev, IOVA - 8, 1), -EFAULT);

	/* Blocked again: nothing gets through. */
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	assert_int_equal(
		ufd_smmuv3_read_ste(smmu, ufd_smmuv3_dev_sid(dev), ste), 0);
	assert_int_equal(smmu_dget(ste, SMMU_STE_CONFIG), SMMU_STE_CFG_ABORT);

	assert_int_equal(tb_unmap(d, IOVA, 4 * TB_PAGE), 4 * TB_PAGE);
	tb_domain_free(d);
	tb_dev_put(dev);
	tb_buf_free(buf);
}

static void test_dma_s1(void **state)
{
	dma_through(0);
}

static void test_dma_s2(void **state)
{
	dma_through(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

/* Unmap, then remap elsewhere: the cached entry must be gone. */
static void stale_after_unmap(uint32_t flags)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint8_t *a = tb_buf(2ull << 20, 2ull << 20);
	uint8_t *b = tb_buf(2ull << 20, 2ull << 20);
	uint64_t v, iova = 0x40000000ull;

	memset(a, 0xaa, 2ull << 20);
	memset(b, 0xbb, 2ull << 20);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);

	/* A 4K page. */
	tb_map(d, iova, a, TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(dev, iova, &v), 0);
	assert_int_equal(v, 0xaaaaaaaaaaaaaaaaull);
	assert_true(tb_cached(dev, iova));
	assert_int_equal(tb_unmap(d, iova, TB_PAGE), TB_PAGE);
	assert_false(tb_cached(dev, iova));
	assert_int_equal(tb_dma_read64(dev, iova, &v), -EFAULT);
	tb_map(d, iova, b, TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(dev, iova, &v), 0);
	assert_int_equal(v, 0xbbbbbbbbbbbbbbbbull);
	tb_unmap(d, iova, TB_PAGE);

	/* A 2M block, cached by a read in its middle, unmapped in parts. */
	tb_map(d, iova, a, 2ull << 20, RW);
	assert_int_equal(tb_dma_read64(dev, iova + 0x12345 * 8, &v), 0);
	assert_true(tb_cached(dev, iova + 0x1000));
	assert_int_equal(tb_unmap(d, iova + (1ull << 20), 1ull << 20),
			 1ull << 20);
	assert_int_equal(tb_dma_read64(dev, iova + (1ull << 20) + 64, &v),
			 -EFAULT);
	assert_int_equal(tb_dma_read64(dev, iova + 64, &v), 0);
	assert_int_equal(v, 0xaaaaaaaaaaaaaaaaull);
	tb_map(d, iova + (1ull << 20), b, 1ull << 20, RW);
	assert_int_equal(tb_dma_read64(dev, iova + (1ull << 20) + 64, &v), 0);
	assert_int_equal(v, 0xbbbbbbbbbbbbbbbbull);
	tb_unmap(d, iova, 2ull << 20);

	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	tb_domain_free(d);
	tb_dev_put(dev);
	tb_buf_free(a);
	tb_buf_free(b);
}

static void test_stale_s1(void **state)
{
	stale_after_unmap(0);
}

static void test_stale_s2(void **state)
{
	stale_after_unmap(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

/*
 * Random maps, unmaps and DMA against a reference of which host page each
 * IOVA page holds; every DMA must agree with it.
 */
#define RND_PAGES 512

static void random_against_reference(uint32_t flags, uint64_t seed_default)
{
	uint64_t rng = tb_seed(flags ? "random s2" : "random s1", seed_default);
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint8_t *pool = tb_buf(RND_PAGES * TB_PAGE, 2ull << 20);
	int32_t ref[RND_PAGES]; /* pool page, -1 unmapped */
	uint64_t base = 0x200000000ull, v;
	unsigned int i, p, n, round;

	for (i = 0; i < RND_PAGES; i++) {
		ref[i] = -1;
		/* Each pool page holds its own number. */
		*(uint64_t *)(pool + i * TB_PAGE) = i;
	}
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	for (round = 0; round < 3000; round++) {
		p = (unsigned int)(tb_rand(&rng) % RND_PAGES);
		n = 1 + (unsigned int)(tb_rand(&rng) % 16);
		if (p + n > RND_PAGES)
			n = RND_PAGES - p;
		switch (tb_rand(&rng) % 3) {
		case 0: {
			/* Map a run not mapped yet, to a random pool run. */
			unsigned int q = (unsigned int)(tb_rand(&rng) %
							(RND_PAGES - n + 1));

			for (i = 0; i < n; i++)
				if (ref[p + i] >= 0)
					break;
			if (i < n)
				break;
			tb_map(d, base + p * TB_PAGE, pool + q * TB_PAGE,
			       n * TB_PAGE, RW);
			for (i = 0; i < n; i++)
				ref[p + i] = (int32_t)(q + i);
			break;
		}
		case 1:
			tb_unmap(d, base + p * TB_PAGE, n * TB_PAGE);
			for (i = 0; i < n; i++)
				ref[p + i] = -1;
			break;
		default:
			for (i = 0; i < n; i++) {
				int rc = tb_dma_read64(
					dev, base + (p + i) * TB_PAGE, &v);

				if (ref[p + i] < 0) {
					assert_int_equal(rc, -EFAULT);
				} else {
					assert_int_equal(rc, 0);
					assert_int_equal(v, ref[p + i]);
				}
			}
			break;
		}
	}
	tb_unmap(d, base, RND_PAGES * TB_PAGE);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	tb_domain_free(d);
	tb_dev_put(dev);
	tb_buf_free(pool);
}

static void test_random_s1(void **state)
{
	random_against_reference(0, 0x5a17e5);
}

static void test_random_s2(void **state)
{
	random_against_reference(IOMMU_HWPT_ALLOC_NEST_PARENT, 0x5a17e6);
}

/* A freed domain's tag is reused; its entries must not be. */
static void test_tag_reuse(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d1 = tb_paging(dev, 0), *d2;
	struct ufd_smmuv3_domain_info i1, i2;
	uint8_t *a = tb_buf(TB_PAGE, TB_PAGE), *b = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t v;

	*(uint64_t *)a = 1;
	*(uint64_t *)b = 2;
	tb_map(d1, IOVA, a, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d1), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_int_equal(ufd_smmuv3_domain_info(d1, &i1), 0);
	/* Freed with its mapping still there. */
	tb_domain_free(d1);
	d2 = tb_paging(dev, 0);
	assert_int_equal(ufd_smmuv3_domain_info(d2, &i2), 0);
	assert_int_equal(i1.asid, i2.asid);
	tb_map(d2, IOVA, b, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d2), 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	tb_unmap(d2, IOVA, TB_PAGE);
	tb_domain_free(d2);
	tb_dev_put(dev);
	tb_buf_free(a);
	tb_buf_free(b);
}

/* Several devices in a domain; domains change under one of them. */
static void test_two_devices(void **state)
{
	struct ufd_dev *d1 = tb_dev(ops(), 0), *d2 = tb_dev(ops(), 0);
	struct ufd_domain *a = tb_paging(d1, 0), *b = tb_paging(d1, 0);
	uint8_t *ba = tb_buf(TB_PAGE, TB_PAGE), *bb = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t v;

	assert_int_not_equal(ufd_smmuv3_dev_sid(d1), ufd_smmuv3_dev_sid(d2));
	*(uint64_t *)ba = 0xa;
	*(uint64_t *)bb = 0xb;
	tb_map(a, IOVA, ba, TB_PAGE, RW);
	tb_map(b, IOVA, bb, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(d1, a), 0);
	assert_int_equal(ufd_dev_set_domain(d2, a), 0);
	assert_int_equal(tb_dma_read64(d2, IOVA, &v), 0);
	assert_int_equal(v, 0xa);
	/* d1 moves to b: its CD and STE change, d2 keeps reading a. */
	assert_int_equal(ufd_dev_set_domain(d1, b), 0);
	assert_int_equal(tb_dma_read64(d1, IOVA, &v), 0);
	assert_int_equal(v, 0xb);
	assert_int_equal(tb_dma_read64(d2, IOVA, &v), 0);
	assert_int_equal(v, 0xa);
	assert_int_equal(ufd_dev_set_domain(d1, a), 0);
	assert_int_equal(tb_dma_read64(d1, IOVA, &v), 0);
	assert_int_equal(v, 0xa);
	tb_dev_put(d1);
	assert_int_equal(tb_dma_read64(d2, IOVA, &v), 0);
	assert_int_equal(v, 0xa);
	tb_dev_put(d2);
	tb_unmap(a, IOVA, TB_PAGE);
	tb_unmap(b, IOVA, TB_PAGE);
	tb_domain_free(a);
	tb_domain_free(b);
	tb_buf_free(ba);
	tb_buf_free(bb);
}

struct dirty_log {
	uint64_t iova[16], len[16];
	unsigned int n;
};

static void dirty_rec(void *priv, uint64_t iova, uint64_t len)
{
	struct dirty_log *l = priv;

	if (l->n < 16) {
		l->iova[l->n] = iova;
		l->len[l->n] = len;
	}
	l->n++;
}

static unsigned int harvest(struct ufd_domain *d, unsigned int flags,
			    struct dirty_log *l)
{
	struct ufd_dirty_sink sink = { .record = dirty_rec, .priv = l };

	memset(l, 0, sizeof(*l));
	assert_int_equal(d->dirty_ops->read_and_clear_dirty(
				 d, IOVA, 8 * TB_PAGE, flags, &sink),
			 0);
	return l->n;
}

static void test_dirty(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	uint8_t *buf = tb_buf(8 * TB_PAGE, TB_PAGE);
	struct dirty_log l;
	uint64_t v;

	tb_map(d, IOVA, buf, 8 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(harvest(d, 0, &l), 0);

	/* Reads do not dirty; a write dirties its page. */
	assert_int_equal(tb_dma_read64(dev, IOVA + 2 * TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + 3 * TB_PAGE + 8, 7), 0);
	assert_int_equal(harvest(d, UFD_DIRTY_NO_CLEAR, &l), 1);
	assert_int_equal(l.iova[0], IOVA + 3 * TB_PAGE);
	assert_int_equal(l.len[0], TB_PAGE);
	/* NO_CLEAR left it; a clearing harvest reports and cleans it. */
	assert_int_equal(harvest(d, 0, &l), 1);
	assert_int_equal(harvest(d, 0, &l), 0);
	/*
	 * The page is still in the IOTLB from the first write; the next
	 * write must walk again and mark it, which only happens if the
	 * harvest invalidated.
	 */
	assert_int_equal(tb_dma_write64(dev, IOVA + 3 * TB_PAGE + 16, 8), 0);
	assert_int_equal(harvest(d, 0, &l), 1);
	assert_int_equal(l.iova[0], IOVA + 3 * TB_PAGE);
	/* Two pages, two runs or one. */
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), 0);
	assert_int_equal(tb_dma_write64(dev, IOVA + 5 * TB_PAGE, 1), 0);
	assert_int_equal(harvest(d, 0, &l), 2);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, false), 0);

	tb_dev_put(dev);
	tb_unmap(d, IOVA, 8 * TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

static void attach_refused(void **state)
{
	struct ufd_smmuv3 *other = ufd_smmuv3_create(NULL);
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_dev *odev;
	struct ufd_domain *od;

	assert_false(IS_ERR(other));
	odev = tb_dev(ufd_smmuv3_ops(other), 0);
	od = tb_paging(odev, 0);
	/* A domain of another SMMU. */
	assert_int_equal(ufd_dev_set_domain(dev, od), -EINVAL);
	assert_null(dev->domain);
	tb_domain_free(od);
	tb_dev_put(odev);
	tb_dev_put(dev);
	ufd_smmuv3_destroy(other);
}

static void no_httu(struct smmuv3_config *cfg)
{
	cfg->httu = SMMU_HTTU_NONE;
}

static void no_s2(struct smmuv3_config *cfg)
{
	cfg->stage2 = false;
}

static void no_s1(struct smmuv3_config *cfg)
{
	cfg->stage1 = false;
}

static void no_4k(struct smmuv3_config *cfg)
{
	cfg->gran_4k = false;
}

/* Instances with less hardware offer less, as Linux does. */
static void test_less_hardware(void **state)
{
	struct ufd_smmuv3_opts o = { .tweak = no_httu };
	struct ufd_smmuv3_domain_info info;
	struct ufd_smmuv3 *smmu;
	struct ufd_domain *d;
	struct ufd_dev *dev;

	smmu = ufd_smmuv3_create(&o);
	assert_false(IS_ERR(smmu));
	dev = tb_dev(ufd_smmuv3_ops(smmu), 0);
	assert_false(ufd_iommu_capable(ufd_smmuv3_ops(smmu), dev,
				       UFD_CAP_DIRTY_TRACKING));
	assert_int_equal(PTR_ERR(ufd_smmuv3_ops(smmu)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING)),
			 -EOPNOTSUPP);
	tb_dev_put(dev);
	ufd_smmuv3_destroy(smmu);

	o.tweak = no_s2;
	smmu = ufd_smmuv3_create(&o);
	assert_false(IS_ERR(smmu));
	dev = tb_dev(ufd_smmuv3_ops(smmu), 0);
	assert_int_equal(PTR_ERR(ufd_smmuv3_ops(smmu)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_NEST_PARENT)),
			 -EOPNOTSUPP);
	assert_false(ufd_smmuv3_ops(smmu)->viommu_supported(
		dev, IOMMU_VIOMMU_TYPE_ARM_SMMUV3));
	d = tb_paging(dev, 0);
	assert_int_equal(ufd_smmuv3_domain_info(d, &info), 0);
	assert_int_equal(info.stage, 1);
	tb_domain_free(d);
	tb_dev_put(dev);
	ufd_smmuv3_destroy(smmu);

	o.tweak = no_s1;
	smmu = ufd_smmuv3_create(&o);
	assert_false(IS_ERR(smmu));
	dev = tb_dev(ufd_smmuv3_ops(smmu), 0);
	d = tb_paging(dev, 0);
	assert_int_equal(ufd_smmuv3_domain_info(d, &info), 0);
	assert_int_equal(info.stage, 2);
	assert_false(info.nest_parent);
	tb_domain_free(d);
	assert_int_equal(PTR_ERR(ufd_smmuv3_ops(smmu)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING)),
			 -EOPNOTSUPP);
	tb_dev_put(dev);
	ufd_smmuv3_destroy(smmu);

	o.tweak = no_4k;
	assert_int_equal(PTR_ERR(ufd_smmuv3_create(&o)), -EINVAL);
}

static void test_release_reuses_sid(void **state)
{
	struct ufd_dev *a = tb_dev(ops(), 0);
	uint32_t sid = ufd_smmuv3_dev_sid(a);
	struct ufd_dev *b;

	tb_dev_put(a);
	b = tb_dev(ops(), 0);
	assert_int_equal(ufd_smmuv3_dev_sid(b), sid);
	tb_dev_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup),
		cmocka_unit_test(test_hw_info),
		cmocka_unit_test(test_alloc_flags),
		cmocka_unit_test(test_dma_s1),
		cmocka_unit_test(test_dma_s2),
		cmocka_unit_test(test_stale_s1),
		cmocka_unit_test(test_stale_s2),
		cmocka_unit_test(test_random_s1),
		cmocka_unit_test(test_random_s2),
		cmocka_unit_test(test_tag_reuse),
		cmocka_unit_test(test_two_devices),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(attach_refused),
		cmocka_unit_test(test_less_hardware),
		cmocka_unit_test(test_release_reuses_sid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
