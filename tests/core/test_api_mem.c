// SPDX-License-Identifier: BSD-3-Clause
/*
 * uiommufd_mem_mapped() / uiommufd_mem_unmapped() through the public API
 * only: argument checks, and that a pin of declared memory trusts the
 * declaration instead of probing the memory (seen by declaring read-only
 * memory writable, which a probe would refuse), while withdrawn or
 * undeclared memory is probed and refused as the kernel would.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "uiommufd/uiommufd.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PAGE 4096ul
#define IOVA MOCK_APERTURE_START

static void test_args(void **state)
{
	uint8_t *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(uiommufd_mem_mapped(p + 1, PAGE, PROT_READ), -EINVAL);
	assert_int_equal(uiommufd_mem_mapped(p, 0, PROT_READ), -EINVAL);
	assert_int_equal(uiommufd_mem_mapped(p, SIZE_MAX, PROT_READ), -EINVAL);
	assert_int_equal(uiommufd_mem_mapped(p, PAGE, 0), -EINVAL);
	assert_int_equal(uiommufd_mem_mapped(p, PAGE, PROT_READ | PROT_EXEC),
			 -EINVAL);
	assert_int_equal(uiommufd_mem_unmapped(p, 0), -EINVAL);
	assert_int_equal(uiommufd_mem_unmapped(p, SIZE_MAX), -EINVAL);
	assert_int_equal(uiommufd_mem_mapped(p, 2 * PAGE, PROT_READ), 0);
	/* Part of it, and then what is left; unaligned is fine here. */
	assert_int_equal(uiommufd_mem_unmapped(p + 1, 1), 0);
	assert_int_equal(uiommufd_mem_unmapped(p, 2 * PAGE), 0);
	munmap(p, 2 * PAGE);
}

static long map_fixed(struct uiommufd_ctx *ctx, uint32_t ioas, void *p,
		      uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = PAGE,
		.iova = IOVA,
	};

	return uiommufd_ioctl(ctx, IOMMU_IOAS_MAP, &cmd);
}

static void unmap_all(struct uiommufd_ctx *ctx, uint32_t ioas)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.length = UINT64_MAX,
	};

	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_UNMAP, &cmd), 0);
}

static void test_pins_trust_the_declaration(void **state)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	struct uiommufd_ctx *ctx;
	/* Read-only memory: a pin for writing must be refused... */
	uint8_t *ro =
		mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(ro != MAP_FAILED);
	assert_int_equal(uiommufd_ctx_open(&ctx), 0);
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc), 0);
	mock.id = alloc.out_ioas_id;
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_TEST_CMD, &mock), 0);

	assert_int_equal(map_fixed(ctx, alloc.out_ioas_id, ro, rw), -EFAULT);
	/* ...unless the caller declares it writable: no probe then. */
	assert_int_equal(uiommufd_mem_mapped(ro, PAGE, PROT_READ | PROT_WRITE),
			 0);
	assert_int_equal(map_fixed(ctx, alloc.out_ioas_id, ro, rw), 0);
	unmap_all(ctx, alloc.out_ioas_id);
	/* Declared read-only, as it is: reading pins, writing is probed. */
	assert_int_equal(uiommufd_mem_mapped(ro, PAGE, PROT_READ), 0);
	assert_int_equal(map_fixed(ctx, alloc.out_ioas_id, ro, rw), -EFAULT);
	assert_int_equal(map_fixed(ctx, alloc.out_ioas_id, ro,
				   IOMMU_IOAS_MAP_READABLE),
			 0);
	unmap_all(ctx, alloc.out_ioas_id);
	/* Withdrawn and unmapped: probed, and gone. */
	assert_int_equal(uiommufd_mem_unmapped(ro, PAGE), 0);
	munmap(ro, PAGE);
	assert_int_equal(map_fixed(ctx, alloc.out_ioas_id, ro,
				   IOMMU_IOAS_MAP_READABLE),
			 -EFAULT);
	uiommufd_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_pins_trust_the_declaration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
