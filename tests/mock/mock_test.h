/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the mock IOMMU tests: every command goes through
 * ufd_dispatch() exactly as a program's ioctl would (the return value is
 * what the kernel's ioctl sets errno to, negated), plus a few helpers that
 * reach behind the uAPI to drive DMA from a mock device or look at its
 * page table. A seeded PRNG prints its seed so a failure reproduces.
 */
#ifndef UIOMMUFD_TESTS_MOCK_TEST_H
#define UIOMMUFD_TESTS_MOCK_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../core/core_test.h"

#include "base/alloc.h"
#include "core/core.h"
#include "core/hwpt.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

#define KiB (1024ull)
#define MiB (1024ull * 1024)
#define MPS ((uint64_t)MOCK_PAGE_SIZE)
#define HPS ((uint64_t)MOCK_HUGE_PAGE_SIZE)

/* A mock device as MOCK_DOMAIN(_FLAGS) returns it. */
struct mock_dev {
	uint32_t stdev;
	uint32_t hwpt;
	uint32_t idev;
};

/* MOCK_DOMAIN_FLAGS: a mock device with @flags attached to @pt. */
static inline long t_mock_dev(struct ufd_ctx *ctx, uint32_t pt, uint32_t flags,
			      struct mock_dev *m)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt,
		.mock_domain_flags = { .dev_flags = flags },
	};
	long rc = test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);

	if (m) {
		m->stdev = cmd.mock_domain_flags.out_stdev_id;
		m->hwpt = cmd.mock_domain_flags.out_hwpt_id;
		m->idev = cmd.mock_domain_flags.out_idev_id;
	}
	return rc;
}

/* Moves mock device @stdev to @pt. */
static inline long t_replace(struct ufd_ctx *ctx, uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* IOMMU_HWPT_ALLOC with optional driver data. */
static inline long t_hwpt_alloc_data(struct ufd_ctx *ctx, uint32_t idev,
				     uint32_t pt, uint32_t flags,
				     uint32_t data_type, const void *data,
				     uint32_t data_len, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = idev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	long rc = test_ioctl(ctx, IOMMU_HWPT_ALLOC, &cmd);

	if (out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static inline long t_hwpt_alloc(struct ufd_ctx *ctx, uint32_t idev, uint32_t pt,
				uint32_t flags, uint32_t *out)
{
	return t_hwpt_alloc_data(ctx, idev, pt, flags, IOMMU_HWPT_DATA_NONE,
				 NULL, 0, out);
}

/* A paging HWPT with the mock table type @pagetable_type. */
static inline long t_hwpt_alloc_pt(struct ufd_ctx *ctx, uint32_t idev,
				   uint32_t pt, uint32_t flags,
				   uint32_t pagetable_type, uint32_t *out)
{
	struct iommu_hwpt_selftest data = {
		.iotlb = IOMMU_TEST_IOTLB_DEFAULT,
		.pagetable_type = pagetable_type,
	};

	return t_hwpt_alloc_data(ctx, idev, pt, flags, IOMMU_HWPT_DATA_SELFTEST,
				 &data, sizeof(data), out);
}

/* Maps @len bytes at @va at the fixed IOVA @iova, read and write. */
static inline long t_map(struct ufd_ctx *ctx, uint32_t ioas, void *va,
			 uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd);
}

static inline long t_unmap(struct ufd_ctx *ctx, uint32_t ioas, uint64_t iova,
			   uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return test_ioctl(ctx, IOMMU_IOAS_UNMAP, &cmd);
}

static inline long t_set_tracking(struct ufd_ctx *ctx, uint32_t hwpt,
				  bool enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return test_ioctl(ctx, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static inline long t_get_bitmap(struct ufd_ctx *ctx, uint32_t hwpt,
				uint64_t iova, uint64_t len, uint64_t page_size,
				void *bitmap, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return test_ioctl(ctx, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* IOMMU_TEST_OP_DIRTY; *nr (if not NULL) gets out_nr_dirty. */
static inline long t_mark_dirty(struct ufd_ctx *ctx, uint32_t hwpt,
				uint64_t iova, uint64_t len, uint64_t page_size,
				const void *bitmap, uint64_t *nr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt,
		.dirty = {
			.iova = iova,
			.length = len,
			.page_size = page_size,
			.uptr = (uintptr_t)bitmap,
		},
	};
	long rc = test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);

	if (nr)
		*nr = cmd.dirty.out_nr_dirty;
	return rc;
}

/* The emulated device behind mock device @stdev. */
static inline struct ufd_dev *t_dev(struct ufd_ctx *ctx, uint32_t stdev)
{
	struct ufd_object *obj = ufd_get_object(ctx, stdev, UFD_OBJ_SELFTEST);
	struct ufd_dev *dev;

	assert_false(IS_ERR(obj));
	dev = container_of(obj, struct ufd_selftest_obj, obj)->dev;
	ufd_put_object(ctx, obj);
	return dev;
}

/* The size (lg2) of the leaf that translates @iova in mock HWPT @hwpt. */
static inline unsigned int t_leaf_lg2(struct ufd_ctx *ctx, uint32_t hwpt,
				      uint64_t iova)
{
	struct ufd_object *obj = ufd_get_object(ctx, hwpt, UFD_OBJ_HWPT_PAGING);
	struct pt_walk_result res;

	assert_false(IS_ERR(obj));
	assert_int_equal(pt_walk(pt_table_walk_ctx(mock_domain_table(
					 to_hwpt(obj)->domain)),
				 iova, PT_ACCESS_READ, &res),
			 0);
	ufd_put_object(ctx, obj);
	return res.page_lg2;
}

/* Byte-addressed bits, as the uAPI defines the bitmap. */
static inline bool t_bit(const void *bitmap, uint64_t n)
{
	return (((const uint8_t *)bitmap)[n / 8] >> (n % 8)) & 1;
}

static inline void t_set_bit(void *bitmap, uint64_t n)
{
	((uint8_t *)bitmap)[n / 8] |= (uint8_t)(1u << (n % 8));
}

/* Memory aligned to @align, zeroed; free with free(). */
static inline void *t_alloc(size_t align, size_t size)
{
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, align, size), 0);
	memset(p, 0, size);
	return p;
}

/* splitmix64, seeded from UIOMMUFD_TEST_SEED or @fallback (printed). */
struct t_rng {
	uint64_t state;
};

static inline void t_rng_init(struct t_rng *r, const char *test,
			      uint64_t fallback)
{
	const char *s = getenv("UIOMMUFD_TEST_SEED");

	r->state = s ? strtoull(s, NULL, 0) : fallback;
	printf("# %s: seed %#" PRIx64 " (set UIOMMUFD_TEST_SEED to change)\n",
	       test, r->state);
	fflush(stdout);
}

static inline uint64_t t_rng_below(struct t_rng *r, uint64_t n)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31)) % n;
}

#endif
