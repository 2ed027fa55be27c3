// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices behind the VT-d and AMD-Vi models through the public C API only:
 * what uiommufd_dev_create() accepts for each model (ATS, PRI, PASID
 * widths), the hardware information the device's IOMMU reports, DMA
 * through an IOAS (a mapped page reads and writes, an unmapped one faults
 * afterwards, so the driver invalidated the model's IOTLB), and dirty
 * tracking on a HWPT allocated for the device: the page a DMA wrote is the
 * one IOMMU_HWPT_GET_DIRTY_BITMAP reports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "uiommufd/uiommufd.h"
#include "uiommufd/uapi/iommufd.h"

#define PAGE 4096ul
#define NPAGES 4
#define IOVA 0x100000ul

struct model {
	uint32_t model;
	uint32_t hw_info_type;
	bool ats; /* UIOMMUFD_DEV_ATS is accepted */
};

static const struct model models[] = {
	{ UIOMMUFD_MODEL_VTD, IOMMU_HW_INFO_TYPE_INTEL_VTD, true },
	{ UIOMMUFD_MODEL_AMD, IOMMU_HW_INFO_TYPE_AMD, false },
};

struct rig {
	struct uiommufd_ctx *ctx;
	uint32_t ioas;
	uint8_t *mem;
};

static void rig_open(struct rig *r)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};
	unsigned int i;

	r->mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(r->mem != MAP_FAILED);
	memset(r->mem, 0x5a, NPAGES * PAGE);
	assert_int_equal(uiommufd_ctx_open(&r->ctx), 0);
	assert_int_equal(uiommufd_ioctl(r->ctx, IOMMU_IOAS_ALLOC, &alloc), 0);
	r->ioas = alloc.out_ioas_id;
	/*
	 * One map per page, so each page is a leaf of its own: within one
	 * map, the AMD v1 table may hold contiguous pages as one larger page,
	 * whose dirty state is then reported whole.
	 */
	map.ioas_id = r->ioas;
	map.length = PAGE;
	for (i = 0; i < NPAGES; i++) {
		map.user_va = (uintptr_t)(r->mem + i * PAGE);
		map.iova = IOVA + i * PAGE;
		assert_int_equal(uiommufd_ioctl(r->ctx, IOMMU_IOAS_MAP, &map),
				 0);
	}
}

static void rig_close(struct rig *r)
{
	uiommufd_ctx_close(r->ctx);
	munmap(r->mem, NPAGES * PAGE);
}

static void test_create_rules(void **state)
{
	struct uiommufd_dev_cfg cfg = { .size = sizeof(cfg) };
	struct iommu_hw_info hw = { .size = sizeof(hw) };
	struct uiommufd_dev *dev;
	struct rig r;
	size_t i;

	rig_open(&r);
	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		cfg.model = models[i].model;
		cfg.flags = UIOMMUFD_DEV_ATS;
		cfg.pasid_bits = 0;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev),
				 models[i].ats ? 0 : -EOPNOTSUPP);
		if (models[i].ats)
			uiommufd_dev_destroy(dev);
		/* PRI is the SMMUv3's alone. */
		cfg.flags = UIOMMUFD_DEV_ATS | UIOMMUFD_DEV_PRI;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev),
				 -EOPNOTSUPP);
		cfg.flags = 0;
		cfg.pasid_bits = 21;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev),
				 -EINVAL);
		/* The width asked for, which the IOMMU exceeds. */
		cfg.pasid_bits = 8;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev), 0);
		hw.dev_id = uiommufd_dev_id(dev);
		hw.data_len = 0;
		assert_int_equal(uiommufd_ioctl(r.ctx, IOMMU_GET_HW_INFO, &hw),
				 0);
		assert_int_equal(hw.out_data_type, models[i].hw_info_type);
		assert_int_equal(hw.out_max_pasid_log2, 8);
		assert_true(hw.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
		uiommufd_dev_destroy(dev);
	}
	/* PASIDs are not the mock's or the SMMUv3's through this API. */
	cfg.model = UIOMMUFD_MODEL_SMMUV3;
	assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev), -EOPNOTSUPP);
	rig_close(&r);
}

static void test_dma(void **state)
{
	struct uiommufd_dev_cfg cfg = { .size = sizeof(cfg) };
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.iova = IOVA,
		.length = NPAGES * PAGE,
	};
	uint64_t v, w = 0x1122334455667788ull;
	struct uiommufd_dev *dev;
	struct rig r;
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		rig_open(&r);
		cfg.model = models[i].model;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev), 0);
		/* Blocked until attached. */
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA,
						   &v, sizeof(v)),
				 -EFAULT);
		assert_int_equal(uiommufd_dev_attach(dev, r.ioas, NULL), 0);
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   IOVA + PAGE, &v, sizeof(v)),
				 0);
		assert_int_equal(v, 0x5a5a5a5a5a5a5a5aull);
		assert_int_equal(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID,
						    IOVA + 2 * PAGE + 8, &w,
						    sizeof(w)),
				 0);
		assert_memory_equal(r.mem + 2 * PAGE + 8, &w, sizeof(w));
		/* The translation was cached; the unmap must reach it. */
		unmap.ioas_id = r.ioas;
		assert_int_equal(
			uiommufd_ioctl(r.ctx, IOMMU_IOAS_UNMAP, &unmap), 0);
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   IOVA + PAGE, &v, sizeof(v)),
				 -EFAULT);
		uiommufd_dev_destroy(dev);
		rig_close(&r);
	}
}

static void test_dirty_tracking(void **state)
{
	struct uiommufd_dev_cfg cfg = { .size = sizeof(cfg) };
	struct iommu_hwpt_alloc halloc = {
		.size = sizeof(halloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.iova = IOVA,
		.length = NPAGES * PAGE,
		.page_size = PAGE,
	};
	uint64_t bitmap, w = 1;
	struct uiommufd_dev *dev;
	struct rig r;
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		rig_open(&r);
		cfg.model = models[i].model;
		assert_int_equal(uiommufd_dev_create(r.ctx, &cfg, &dev), 0);
		halloc.dev_id = uiommufd_dev_id(dev);
		halloc.pt_id = r.ioas;
		assert_int_equal(
			uiommufd_ioctl(r.ctx, IOMMU_HWPT_ALLOC, &halloc), 0);
		assert_int_equal(
			uiommufd_dev_attach(dev, halloc.out_hwpt_id, NULL), 0);
		track.hwpt_id = halloc.out_hwpt_id;
		assert_int_equal(uiommufd_ioctl(r.ctx,
						IOMMU_HWPT_SET_DIRTY_TRACKING,
						&track),
				 0);
		/* A read of page 0 and a write to page 3. */
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA,
						   &bitmap, 8),
				 0);
		assert_int_equal(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID,
						    IOVA + 3 * PAGE, &w, 8),
				 0);
		bitmap = 0;
		get.hwpt_id = halloc.out_hwpt_id;
		get.data = (uintptr_t)&bitmap;
		assert_int_equal(uiommufd_ioctl(r.ctx,
						IOMMU_HWPT_GET_DIRTY_BITMAP,
						&get),
				 0);
		assert_int_equal(bitmap, 1u << 3);
		/* Harvested and cleared: nothing until the next write. */
		bitmap = 0;
		assert_int_equal(uiommufd_ioctl(r.ctx,
						IOMMU_HWPT_GET_DIRTY_BITMAP,
						&get),
				 0);
		assert_int_equal(bitmap, 0);
		assert_int_equal(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID,
						    IOVA + PAGE, &w, 8),
				 0);
		assert_int_equal(uiommufd_ioctl(r.ctx,
						IOMMU_HWPT_GET_DIRTY_BITMAP,
						&get),
				 0);
		assert_int_equal(bitmap, 1u << 1);
		uiommufd_dev_destroy(dev);
		rig_close(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rules),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_dirty_tracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
