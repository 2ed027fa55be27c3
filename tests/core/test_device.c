// SPDX-License-Identifier: BSD-3-Clause
/*
 * Mock devices end to end: IOMMU_TEST_OP_MOCK_DOMAIN binds a device behind
 * the mock IOMMU and attaches it; mappings reach its domain; DMA is
 * translated by the domain's page table; auto domains are shared and go
 * with their last device; HWPT_ALLOC, replace and the lifetime rules.
 */
#include "core_test.h"
#include "core/device.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PS 4096ull

static uint8_t buf[16 * 4096] __attribute__((aligned(1 << 20)));

struct mock {
	uint32_t stdev, hwpt, idev;
};

static long mock_domain(struct ufd_ctx *ctx, uint32_t pt, struct mock *m)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt,
	};
	long rc = test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);

	m->stdev = cmd.mock_domain.out_stdev_id;
	m->hwpt = cmd.mock_domain.out_hwpt_id;
	m->idev = cmd.mock_domain.out_idev_id;
	return rc;
}

static long check_map(struct ufd_ctx *ctx, uint32_t hwpt, uint64_t iova,
		      uint64_t len, void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { iova, len, (uintptr_t)uptr },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* Maps va; at a fixed IOVA inside the mock aperture if iova != 0. */
static uint64_t map_at(struct ufd_ctx *ctx, uint32_t ioas, void *va,
		       uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (iova ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), 0);
	return cmd.iova;
}

static uint64_t map(struct ufd_ctx *ctx, uint32_t ioas, void *va, uint64_t len)
{
	return map_at(ctx, ioas, va, len, 0);
}

static struct ufd_dev *dev_of(struct ufd_ctx *ctx, uint32_t stdev)
{
	struct ufd_object *obj = ufd_get_object(ctx, stdev, UFD_OBJ_SELFTEST);
	struct ufd_dev *dev;

	assert_false(IS_ERR(obj));
	dev = container_of(obj, struct ufd_selftest_obj, obj)->dev;
	ufd_put_object(ctx, obj);
	return dev;
}

static void test_mock_domain_dma(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_ioas_iova_ranges ranges = { .size = sizeof(ranges) };
	struct iommu_iova_range r[2];
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct mock m;
	uint64_t iova;
	char out[32] = { 0 };

	assert_int_equal(mock_domain(ctx, ioas, &m), 0);
	assert_true(m.stdev && m.hwpt && m.idev);
	/* The domain narrows the IOAS to its aperture and 2 KiB pages. */
	ranges.ioas_id = ioas;
	ranges.num_iovas = 2;
	ranges.allowed_iovas = (uintptr_t)r;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_IOVA_RANGES, &ranges), 0);
	assert_int_equal(ranges.num_iovas, 1);
	assert_int_equal(r[0].start, MOCK_APERTURE_START);
	assert_int_equal(r[0].last, MOCK_APERTURE_LAST);
	assert_int_equal(ranges.out_iova_alignment, MOCK_PAGE_SIZE);

	iova = map(ctx, ioas, buf, sizeof(buf));
	assert_true(iova >= MOCK_APERTURE_START);
	assert_int_equal(check_map(ctx, m.hwpt, iova, sizeof(buf), buf), 0);
	assert_int_equal(check_map(ctx, m.hwpt, iova, PS, buf + PS), -EINVAL);

	/* DMA goes through the mock page table to the mapped memory. */
	strcpy((char *)buf + 3 * PS + 5, "hello from the CPU");
	assert_int_equal(ufd_dev_dma(dev_of(ctx, m.stdev), iova + 3 * PS + 5,
				     out, 19, false),
			 0);
	assert_string_equal(out, "hello from the CPU");
	assert_int_equal(ufd_dev_dma(dev_of(ctx, m.stdev), iova + PS - 4,
				     "device!", 8, true),
			 0);
	assert_string_equal((char *)buf + PS - 4, "device!");
	/* Outside any mapping: a fault, nothing copied. */
	assert_int_equal(ufd_dev_dma(dev_of(ctx, m.stdev), iova + sizeof(buf),
				     out, 4, false),
			 -EFAULT);

	/* The IOAS is used by the HWPT, the HWPT by the device. */
	assert_int_equal(test_destroy(ctx, ioas), -EBUSY);
	assert_int_equal(test_destroy(ctx, m.hwpt), -EBUSY);
	assert_int_equal(test_destroy(ctx, m.idev), -EBUSY);

	unmap.ioas_id = ioas;
	unmap.iova = iova;
	unmap.length = sizeof(buf);
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_UNMAP, &unmap), 0);
	assert_int_equal(ufd_dev_dma(dev_of(ctx, m.stdev), iova, out, 4, false),
			 -EFAULT);
	assert_int_equal(check_map(ctx, m.hwpt, iova, PS, buf), -EINVAL);

	/* Destroying the mock device takes its auto domain with it. */
	assert_int_equal(test_destroy(ctx, m.stdev), 0);
	assert_int_equal(test_destroy(ctx, m.hwpt), -ENOENT);
	assert_int_equal(test_destroy(ctx, ioas), 0);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_auto_domain_shared(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct mock a, b;
	uint64_t iova = map_at(ctx, ioas, buf, 4 * PS, MOCK_APERTURE_START);
	uint32_t other = test_ioas_alloc(ctx);

	/* A mapping outside the aperture keeps the domain out. */
	map(ctx, other, buf, PS);
	assert_int_equal(mock_domain(ctx, other, &a), -EADDRINUSE);
	/* Existing mappings fill a domain created later. */
	assert_int_equal(mock_domain(ctx, ioas, &a), 0);
	assert_int_equal(check_map(ctx, a.hwpt, iova, 4 * PS, buf), 0);
	assert_int_equal(mock_domain(ctx, ioas, &b), 0);
	assert_int_equal(b.hwpt, a.hwpt);
	assert_int_equal(test_destroy(ctx, a.stdev), 0);
	/* Still used by b. */
	assert_int_equal(check_map(ctx, b.hwpt, iova, 4 * PS, buf), 0);
	assert_int_equal(test_destroy(ctx, b.stdev), 0);
	assert_int_equal(check_map(ctx, b.hwpt, iova, 4 * PS, buf), -ENOENT);
	/* Bad ids and flags. */
	assert_int_equal(mock_domain(ctx, 999, &a), -ENOENT);
	ufd_ctx_put(ctx);
}

static void test_hwpt_alloc_and_replace(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas1 = test_ioas_alloc(ctx), ioas2 = test_ioas_alloc(ctx);
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd replace = {
		.size = sizeof(replace),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct mock m;
	uint64_t iova2;
	char out[8];

	iova2 = map_at(ctx, ioas2, buf + 8 * PS, PS, MOCK_APERTURE_START);
	assert_int_equal(mock_domain(ctx, ioas1, &m), 0);
	alloc.dev_id = m.idev;
	alloc.pt_id = ioas2;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), 0);
	assert_int_equal(
		check_map(ctx, alloc.out_hwpt_id, iova2, PS, buf + 8 * PS), 0);
	/* pt_id that is neither an IOAS nor a HWPT, or a missing one. */
	alloc.pt_id = m.stdev;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), -EINVAL);
	alloc.pt_id = 777;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), -EINVAL);
	alloc.dev_id = ioas1;
	alloc.pt_id = ioas2;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), -ENOENT);

	/* Replace onto the user HWPT: DMA now sees ioas2's mapping. */
	replace.id = m.stdev;
	replace.mock_domain_replace.pt_id = alloc.out_hwpt_id;
	alloc.dev_id = m.idev;
	assert_int_equal(test_ioctl(ctx, IOMMU_TEST_CMD, &replace), 0);
	assert_int_equal(replace.mock_domain_replace.pt_id, alloc.out_hwpt_id);
	buf[8 * PS] = 42;
	assert_int_equal(
		ufd_dev_dma(dev_of(ctx, m.stdev), iova2, out, 1, false), 0);
	assert_int_equal(out[0], 42);
	/* The auto domain on ioas1 went with its last device. */
	assert_int_equal(test_destroy(ctx, m.hwpt), -ENOENT);
	assert_int_equal(test_destroy(ctx, ioas1), 0);
	/* The user HWPT is in use; closing the context cleans it all. */
	assert_int_equal(test_destroy(ctx, alloc.out_hwpt_id), -EBUSY);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

static long check_cache(struct ufd_ctx *ctx, uint32_t dev_id, uint32_t index,
			uint32_t value)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = dev_id,
		.check_dev_cache = { index, value },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static void test_dev_cache(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct mock m;

	assert_int_equal(mock_domain(ctx, ioas, &m), 0);
	for (uint32_t i = 0; i <= MOCK_DEV_CACHE_ID_MAX; i++)
		assert_int_equal(check_cache(ctx, m.idev, i,
					     IOMMU_TEST_DEV_CACHE_DEFAULT),
				 0);
	assert_int_equal(check_cache(ctx, m.idev, 0, 0), -EINVAL);
	assert_int_equal(check_cache(ctx, m.idev, MOCK_DEV_CACHE_ID_MAX + 1,
				     IOMMU_TEST_DEV_CACHE_DEFAULT),
			 -EINVAL);
	/* The id names a device, not the mock object or an IOAS. */
	assert_int_equal(check_cache(ctx, m.stdev, 0,
				     IOMMU_TEST_DEV_CACHE_DEFAULT),
			 -ENOENT);
	assert_int_equal(check_cache(ctx, ioas, 0,
				     IOMMU_TEST_DEV_CACHE_DEFAULT),
			 -ENOENT);
	ufd_ctx_put(ctx);
}

static long pasid_op(struct ufd_ctx *ctx, uint32_t op, uint32_t stdev,
		     uint32_t pasid, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev,
		.pasid_attach = { pasid, pt },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static void test_pasid_attach(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_test_cmd mdf = {
		.size = sizeof(mdf),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = ioas,
		.mock_domain_flags = { .dev_flags = MOCK_FLAGS_DEVICE_PASID },
	};
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd replace = {
		.size = sizeof(replace),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	uint32_t stdev, plain_hwpt, pasid_hwpt, pasid_hwpt2, rid_hwpt;
	struct mock plain;

	assert_int_equal(test_ioctl(ctx, IOMMU_TEST_CMD, &mdf), 0);
	stdev = mdf.mock_domain_flags.out_stdev_id;
	plain_hwpt = mdf.mock_domain_flags.out_hwpt_id;
	alloc.dev_id = mdf.mock_domain_flags.out_idev_id;
	alloc.pt_id = ioas;
	alloc.flags = IOMMU_HWPT_ALLOC_PASID;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), 0);
	pasid_hwpt = alloc.out_hwpt_id;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), 0);
	pasid_hwpt2 = alloc.out_hwpt_id;

	/* Detaching what is not attached is fine; nothing is attached. */
	assert_int_equal(
		pasid_op(ctx, IOMMU_TEST_OP_PASID_DETACH, stdev, 100, 0), 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev,
				  100, 0),
			 0);
	/* A HWPT not allocated for PASIDs cannot serve one. */
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  plain_hwpt),
			 -EINVAL);
	/* Nor may a PASID attach while the device itself uses such one. */
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  pasid_hwpt),
			 -EINVAL);
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), 0);
	rid_hwpt = alloc.out_hwpt_id;
	replace.id = stdev;
	replace.mock_domain_replace.pt_id = rid_hwpt;
	assert_int_equal(test_ioctl(ctx, IOMMU_TEST_CMD, &replace), 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  pasid_hwpt),
			 0);
	/* ...and then the device cannot move to one. */
	alloc.flags = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_HWPT_ALLOC, &alloc), 0);
	replace.mock_domain_replace.pt_id = alloc.out_hwpt_id;
	assert_int_equal(test_ioctl(ctx, IOMMU_TEST_CMD, &replace), -EINVAL);
	assert_int_equal(test_destroy(ctx, alloc.out_hwpt_id), 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev,
				  100, pasid_hwpt),
			 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev,
				  100, pasid_hwpt2),
			 -EINVAL);
	/* Attach twice finds the PASID busy; replace moves it. */
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  pasid_hwpt2),
			 -EBUSY);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_REPLACE, stdev, 100,
				  pasid_hwpt2),
			 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev,
				  100, pasid_hwpt2),
			 0);
	assert_int_equal(test_destroy(ctx, pasid_hwpt2), -EBUSY);
	assert_int_equal(test_destroy(ctx, pasid_hwpt), 0);
	/* PASIDs beyond the device's width, and devices without PASIDs. */
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, stdev,
				  1u << MOCK_PASID_WIDTH, pasid_hwpt2),
			 -EINVAL);
	assert_int_equal(mock_domain(ctx, ioas, &plain), 0);
	assert_int_equal(pasid_op(ctx, IOMMU_TEST_OP_PASID_ATTACH, plain.stdev,
				  100, pasid_hwpt2),
			 -EINVAL);
	/* Unbinding the device releases its PASIDs. */
	assert_int_equal(test_destroy(ctx, stdev), 0);
	assert_int_equal(test_destroy(ctx, pasid_hwpt2), 0);
	assert_int_equal(test_destroy(ctx, rid_hwpt), 0);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mock_domain_dma),
		cmocka_unit_test(test_auto_domain_shared),
		cmocka_unit_test(test_hwpt_alloc_and_replace),
		cmocka_unit_test(test_dev_cache),
		cmocka_unit_test(test_pasid_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
