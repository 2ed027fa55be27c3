// SPDX-License-Identifier: BSD-3-Clause
/*
 * VFIO type1 compatibility on the iommufd context: the container commands
 * on the compat IOAS, with Linux's answers.
 */
#include "core_test.h"
#include "uiommufd/uapi/vfio.h"

#define PS 4096ull

static uint8_t buffer[32 * 4096] __attribute__((aligned(4096)));

static void set_compat(struct ufd_ctx *ctx, uint32_t ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_SET,
		.ioas_id = ioas,
	};

	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
}

static long map_dma(struct ufd_ctx *ctx, uint64_t iova, uint64_t size,
		    uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)buffer,
		.iova = iova,
		.size = size,
	};

	return test_ioctl(ctx, VFIO_IOMMU_MAP_DMA, &map);
}

static long unmap_dma(struct ufd_ctx *ctx, uint64_t iova, uint64_t size,
		      uint32_t flags, uint64_t *out)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	long rc = test_ioctl(ctx, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (out)
		*out = unmap.size;
	return rc;
}

static void test_no_compat_ioas(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_type1_dma_map map = { .argsz = 1 };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = 1 };

	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.argsz = sizeof(map);
	map.flags = 1u << 31;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.flags = 0;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_MAP_DMA, &map), -ENODEV);
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_UNMAP_DMA, &unmap),
			 -EINVAL);
	unmap.argsz = sizeof(unmap);
	unmap.flags = 1u << 31;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_UNMAP_DMA, &unmap),
			 -EINVAL);
	unmap.flags = 0;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_UNMAP_DMA, &unmap),
			 -ENODEV);
	info.argsz = 1;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &info), -EINVAL);
	info.argsz = sizeof(info);
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &info), -ENODEV);
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU,
				    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 -ENODEV);
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU,
				    (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
			 -ENODEV);
	/* A type that is not type1 is EINVAL even before ENODEV. */
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU, (void *)(uintptr_t)2),
			 -EINVAL);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_DMA_CC_IOMMU),
			 -ENODEV);
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_DIRTY_PAGES, &info),
			 -ENOTTY);
	ufd_ctx_put(ctx);
}

static void test_get_info(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	union {
		struct vfio_iommu_type1_info info;
		uint8_t raw[256];
	} u;
	const struct vfio_info_cap_header *cap;
	const struct vfio_iommu_type1_info_cap_iova_range *iova;
	size_t need;

	set_compat(ctx, test_ioas_alloc(ctx));
	/* Pre-capability callers get 16 bytes and nothing more. */
	memset(&u, 0xaa, sizeof(u));
	u.info.argsz = 16;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.flags,
			 VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	assert_int_equal(u.info.iova_pgsizes, ~(PS - 1));
	for (size_t i = 16; i < sizeof(u); i++)
		assert_int_equal(u.raw[i], 0xaa);
	/* Room for the info only: argsz tells what all caps need. */
	memset(&u, 0xaa, sizeof(u));
	u.info.argsz = sizeof(u.info);
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.cap_offset, 0);
	need = u.info.argsz;
	assert_true(need > sizeof(u.info));
	for (size_t i = sizeof(u.info); i < sizeof(u); i++)
		assert_int_equal(u.raw[i], 0xaa);
	/* Every size in between writes nothing past argsz. */
	for (size_t sz = sizeof(u.info); sz <= need; sz++) {
		memset(&u, 0xaa, sizeof(u));
		u.info.argsz = (uint32_t)sz;
		assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &u), 0);
		for (size_t i = sz; i < sizeof(u); i++)
			assert_int_equal(u.raw[i], 0xaa);
	}
	/* The whole chain: DMA_AVAIL, then IOVA_RANGE with one range. */
	memset(&u, 0, sizeof(u));
	u.info.argsz = (uint32_t)need;
	assert_int_equal(test_ioctl(ctx, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.cap_offset, sizeof(u.info));
	cap = (const void *)(u.raw + u.info.cap_offset);
	assert_int_equal(cap->id, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	assert_int_equal(cap->version, 1);
	/* 12 bytes of capability in a slot rounded to 8 bytes (Linux 7.3). */
	assert_int_equal(cap->next - u.info.cap_offset, 16);
	assert_int_equal(
		((const struct vfio_iommu_type1_info_dma_avail *)cap)->avail,
		UINT32_MAX);
	iova = (const void *)(u.raw + cap->next);
	assert_int_equal(iova->header.id, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	assert_int_equal(iova->header.next, 0);
	assert_int_equal(iova->nr_iovas, 1);
	assert_int_equal(iova->iova_ranges[0].start, 0);
	assert_int_equal(iova->iova_ranges[0].end, UINT64_MAX);
	ufd_ctx_put(ctx);
}

static void test_map_unmap_v2(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	uint64_t size;

	set_compat(ctx, test_ioas_alloc(ctx));
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU,
				    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	assert_int_equal(map_dma(ctx, 0x100000, 16 * PS, rw), 0);
	assert_int_equal(map_dma(ctx, 0x100000, PS, rw), -EEXIST);
	/* v2: no splitting; an empty range is success with size 0. */
	assert_int_equal(unmap_dma(ctx, 0x100000, PS, 0, &size), -ENOENT);
	assert_int_equal(unmap_dma(ctx, 0x900000, PS, 0, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(unmap_dma(ctx, 0x100000, 16 * PS, 0, &size), 0);
	assert_int_equal(size, 16 * PS);
	/* UNMAP_ALL needs iova and size 0. */
	assert_int_equal(map_dma(ctx, 0x100000, 4 * PS, rw), 0);
	assert_int_equal(unmap_dma(ctx, 1, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL),
			 -EINVAL);
	assert_int_equal(unmap_dma(ctx, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &size),
			 0);
	assert_int_equal(size, 4 * PS);
	ufd_ctx_put(ctx);
}

static void test_map_unmap_v1_splits(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
	};
	uint64_t size;
	int i;

	opt.object_id = test_ioas_alloc(ctx);
	set_compat(ctx, opt.object_id);
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU,
				    (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
			 0);
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &opt), 0);
	assert_int_equal(opt.val64, 0);
	assert_int_equal(map_dma(ctx, 0x100000, 16 * PS, rw), 0);
	/* type1: any page-aligned sub-range unmaps, by cutting areas. */
	for (i = 15; i >= 0; i -= 2) {
		assert_int_equal(
			unmap_dma(ctx, 0x100000 + i * PS, PS, 0, &size), 0);
		assert_int_equal(size, PS);
	}
	assert_int_equal(unmap_dma(ctx, 0x100000 + PS / 2, PS, 0, &size),
			 -EINVAL);
	assert_int_equal(unmap_dma(ctx, 0x100000, 16 * PS, 0, &size), 0);
	assert_int_equal(size, 8 * PS);
	ufd_ctx_put(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_compat_ioas),
		cmocka_unit_test(test_get_info),
		cmocka_unit_test(test_map_unmap_v2),
		cmocka_unit_test(test_map_unmap_v1_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
