// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOAS commands through the dispatcher with no domain attached: the
 * behaviour Linux's iommufd shows for the same calls, errno for errno.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "core_test.h"
#include "iopt/io_pagetable.h"
#include "core/ioas.h"

#define PS 4096ull

static uint8_t buffer[64 * 4096] __attribute__((aligned(2 << 20)));

static long map_fixed(struct ufd_ctx *ctx, uint32_t ioas, void *va,
		      uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd);
}

static long map_auto(struct ufd_ctx *ctx, uint32_t ioas, void *va, uint64_t len,
		     uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = 0xdeadbeef,
	};
	long rc = test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

static long unmap(struct ufd_ctx *ctx, uint32_t ioas, uint64_t iova,
		  uint64_t len, uint64_t *out_len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	long rc = test_ioctl(ctx, IOMMU_IOAS_UNMAP, &cmd);

	if (out_len)
		*out_len = cmd.length;
	return rc;
}

static struct ufd_ioas *ioas_of(struct ufd_ctx *ctx, uint32_t id)
{
	struct ufd_ioas *ioas = ufd_get_ioas(ctx, id);

	assert_false(IS_ERR(ioas));
	ufd_put_object(ctx, &ioas->obj);
	return ioas;
}

static void test_map_checks(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)buffer,
		.length = PS,
	};

	cmd.flags = 1u << 3 | IOMMU_IOAS_MAP_READABLE;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EOPNOTSUPP);
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	cmd.__reserved = 1;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EOPNOTSUPP);
	cmd.__reserved = 0;
	cmd.iova = UINT64_MAX;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EOVERFLOW);
	cmd.iova = 0;
	cmd.flags = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EINVAL);
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	cmd.length = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EINVAL);
	cmd.length = PS;
	cmd.user_va = UINT64_MAX - 10;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -EOVERFLOW);
	cmd.user_va = (uintptr_t)buffer;
	cmd.ioas_id = 77;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), -ENOENT);
	assert_int_equal(iopt_area_count(&ioas_of(ctx, ioas)->iopt), 0);
	ufd_ctx_put(ctx);
}

static void test_area_fixed(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	uint64_t len;
	int i;

	for (i = 0; i < 10; i++)
		assert_int_equal(unmap(ctx, ioas, i * PS, PS, NULL), -ENOENT);
	for (i = 0; i < 10; i++)
		assert_int_equal(map_fixed(ctx, ioas, buffer, PS, i * PS), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(unmap(ctx, ioas, i * PS, PS, &len), 0);
		assert_int_equal(len, PS);
	}
	/* Areas are never split: partial unmaps and overlaps refused. */
	assert_int_equal(map_fixed(ctx, ioas, buffer, 2 * PS, 16 * PS), 0);
	assert_int_equal(unmap(ctx, ioas, 16 * PS, PS, NULL), -ENOENT);
	assert_int_equal(unmap(ctx, ioas, 17 * PS, PS, NULL), -ENOENT);
	assert_int_equal(map_fixed(ctx, ioas, buffer, 2 * PS, 16 * PS),
			 -EEXIST);
	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, 16 * PS), -EEXIST);
	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, 17 * PS), -EEXIST);
	assert_int_equal(map_fixed(ctx, ioas, buffer, 2 * PS, 15 * PS),
			 -EEXIST);
	assert_int_equal(map_fixed(ctx, ioas, buffer, 3 * PS, 15 * PS),
			 -EEXIST);
	/* Unmap all, even when empty. */
	assert_int_equal(unmap(ctx, ioas, 0, UINT64_MAX, &len), 0);
	assert_int_equal(len, 2 * PS);
	assert_int_equal(unmap(ctx, ioas, 0, UINT64_MAX, &len), 0);
	assert_int_equal(len, 0);
	/* A zero length is refused, an unmapped VA is fine with no domain. */
	assert_int_equal(unmap(ctx, ioas, 0, 0, NULL), -EINVAL);
	assert_int_equal(map_fixed(ctx, ioas, (void *)(1ul << 31), PS, 0), 0);
	ufd_ctx_put(ctx);
}

static void test_unmap_fully_contained(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	uint64_t len;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(map_fixed(ctx, ioas, buffer, 8 * PS,
					   4 * PS + i * 16 * PS),
				 0);
	assert_int_equal(unmap(ctx, ioas, 0, 8 * PS, NULL), -ENOENT);
	assert_int_equal(unmap(ctx, ioas, 4 * PS + 3 * 16 * PS + 4 * PS, 8 * PS,
			       NULL),
			 -ENOENT);
	assert_int_equal(
		unmap(ctx, ioas, 0, 3 * 16 * PS + 8 * PS + 4 * PS, &len), 0);
	assert_int_equal(len, 32 * PS);
	/* A cut after whole areas stops there; those before stay unmapped. */
	for (i = 0; i < 3; i++)
		assert_int_equal(map_fixed(ctx, ioas, buffer, PS, i * PS), 0);
	assert_int_equal(map_fixed(ctx, ioas, buffer, 2 * PS, 3 * PS), 0);
	assert_int_equal(unmap(ctx, ioas, 0, 4 * PS, &len), -ENOENT);
	assert_int_equal(iopt_area_count(&ioas_of(ctx, ioas)->iopt), 1);
	ufd_ctx_put(ctx);
}

static void test_auto_iova(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_test_cmd_reserved {
		uint64_t start, last;
	} resv = { 4 * PS, 104 * PS - 1 };
	uint64_t iova, iovas[10];
	int i;

	for (i = 0; i < 10; i++) {
		uint64_t len = (i + 1) * PS;

		assert_int_equal(map_auto(ctx, ioas, (void *)(1ul << 31), len,
					  &iova),
				 0);
		/* Aligned to the length's lowest bit; never page 0. */
		assert_int_equal(iova % (len & -len), 0);
		assert_true(iova >= PS);
		iovas[i] = iova;
	}
	for (i = 0; i < 10; i++)
		assert_int_equal(unmap(ctx, ioas, iovas[i], (i + 1) * PS, NULL),
				 0);
	/* Placement avoids reserved ranges. */
	assert_int_equal(iopt_reserve(&ioas_of(ctx, ioas)->iopt, resv.start,
				      resv.last, NULL),
			 0);
	for (i = 0; i < 10; i++) {
		uint64_t len = (i + 1) * PS;

		assert_int_equal(map_auto(ctx, ioas, buffer, len, &iova), 0);
		assert_true(iova + len - 1 < resv.start || iova > resv.last);
	}
	ufd_ctx_put(ctx);
}

static void test_auto_iova_keeps_offset(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	uint64_t iova, len;

	/* Byte-granular lengths and addresses work with no domain. */
	for (len = 1; len < 2 * PS; len += 97) {
		assert_int_equal(map_auto(ctx, ioas, buffer + 123, len, &iova),
				 0);
		/* The sub-page offset of the memory is kept. */
		assert_int_equal(iova % PS, 123);
		assert_int_equal(unmap(ctx, ioas, iova, len, NULL), 0);
	}
	/* A page-aligned 2 MiB buffer lands 2 MiB aligned. */
	assert_int_equal(map_auto(ctx, ioas, buffer, 64 * PS, &iova), 0);
	assert_int_equal(iova % (64 * PS), 0);
	ufd_ctx_put(ctx);
}

static void test_reserved_overflow(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	uint64_t iova;

	assert_int_equal(iopt_reserve(&ioas_of(ctx, ioas)->iopt, 6,
				      6 + 0xffffffffffff8001ull - 1, NULL),
			 0);
	assert_int_equal(map_auto(ctx, ioas, buffer, 0x5000, &iova), -ENOSPC);
	assert_int_equal(iova, 0xdeadbeef);
	ufd_ctx_put(ctx);
}

static long allow(struct ufd_ctx *ctx, uint32_t ioas,
		  const struct iommu_iova_range *ranges, uint32_t n)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = n,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return test_ioctl(ctx, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

static void test_allowed(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct io_pagetable *iopt = &ioas_of(ctx, ioas)->iopt;
	struct iommu_iova_range r[2] = { { 0, 600 * PS } };
	uint64_t iova;
	int i;

	assert_int_equal(allow(ctx, ioas, r, 1), 0);
	assert_int_equal(iopt_reserve(iopt, PS, 2 * PS - 1, NULL), -EADDRINUSE);
	assert_int_equal(allow(ctx, ioas, NULL, 0), 0);
	assert_int_equal(iopt_reserve(iopt, PS, 2 * PS - 1, NULL), 0);
	assert_int_equal(allow(ctx, ioas, r, 1), -EADDRINUSE);
	/* Bad ranges: single byte, reversed, overlapping each other. */
	r[0] = (struct iommu_iova_range){ 5 * PS, 5 * PS };
	assert_int_equal(allow(ctx, ioas, r, 1), -EINVAL);
	r[0] = (struct iommu_iova_range){ 200 * PS, 600 * PS - 1 };
	r[1] = (struct iommu_iova_range){ 300 * PS, 700 * PS };
	assert_int_equal(allow(ctx, ioas, r, 2), -EINVAL);
	assert_int_equal(allow(ctx, ioas, r, 1), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(
			map_auto(ctx, ioas, buffer, (i + 1) * PS, &iova), 0);
		assert_true(iova >= 200 * PS);
		assert_true(iova + (i + 1) * PS - 1 <= 600 * PS - 1);
	}
	/* Fixed maps ignore the allowed set. */
	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, 900 * PS), 0);
	ufd_ctx_put(ctx);
}

static long iova_ranges(struct ufd_ctx *ctx, uint32_t ioas,
			struct iommu_iova_range *ranges, uint32_t *n,
			uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = *n,
		.allowed_iovas = (uintptr_t)ranges,
	};
	long rc = test_ioctl(ctx, IOMMU_IOAS_IOVA_RANGES, &cmd);

	*n = cmd.num_iovas;
	*align = cmd.out_iova_alignment;
	return rc;
}

static void test_iova_ranges(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx), n;
	struct iommu_iova_range r[4];
	uint64_t align = 0;

	n = 4;
	assert_int_equal(iova_ranges(ctx, ioas, r, &n, &align), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	memset(r, 0x5a, sizeof(r));
	n = 0;
	assert_int_equal(iova_ranges(ctx, ioas, r, &n, &align), -EMSGSIZE);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 0x5a5a5a5a5a5a5a5aull);
	assert_int_equal(iopt_reserve(&ioas_of(ctx, ioas)->iopt, PS, 2 * PS - 1,
				      NULL),
			 0);
	n = 1;
	assert_int_equal(iova_ranges(ctx, ioas, r, &n, &align), -EMSGSIZE);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, PS - 1);
	assert_int_equal(r[1].start, 0x5a5a5a5a5a5a5a5aull);
	n = 4;
	assert_int_equal(iova_ranges(ctx, ioas, r, &n, &align), 0);
	assert_int_equal(r[1].start, 2 * PS);
	assert_int_equal(r[1].last, UINT64_MAX);
	/* Fixed maps into reserved space are EINVAL. */
	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, PS), -EINVAL);
	ufd_ctx_put(ctx);
}

static long copy(struct ufd_ctx *ctx, uint32_t dst, uint64_t dst_iova,
		 uint32_t src, uint64_t src_iova, uint64_t len, uint32_t flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	return test_ioctl(ctx, IOMMU_IOAS_COPY, &cmd);
}

static void test_copy(void **state)
{
	const uint32_t fixed = IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_WRITEABLE;
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t a = test_ioas_alloc(ctx), b = test_ioas_alloc(ctx);
	uint64_t base = 1ull << 24, len = sizeof(buffer) - 1, s;

	assert_int_equal(map_fixed(ctx, a, buffer, PS, 0), 0);
	assert_int_equal(copy(ctx, a, PS, a, 0, PS, fixed), 0);
	assert_int_equal(copy(ctx, b, 0, a, 0, PS, fixed), 0);
	assert_int_equal(copy(ctx, b, 0, a, 0, PS, fixed), -EEXIST);
	assert_int_equal(copy(ctx, b, 8 * PS, a, 0, PS, 0), -EINVAL);
	assert_int_equal(copy(ctx, b, 8 * PS, a, 0, PS, 1u << 5), -EOPNOTSUPP);
	assert_int_equal(copy(ctx, b, 8 * PS, a, 0, 0, fixed), -EINVAL);
	assert_int_equal(copy(ctx, b, 8 * PS, a, 5 * PS, PS, fixed), -ENOENT);
	/* Spanning two areas back to back: one dst area per source piece. */
	assert_int_equal(copy(ctx, b, 8 * PS, a, PS / 2, PS, fixed), 0);
	assert_int_equal(iopt_area_count(&ioas_of(ctx, b)->iopt), 3);

	/* The copy sweep: any sub-range fully inside a mapping copies. */
	assert_int_equal(map_fixed(ctx, a, buffer, len, base), 0);
	for (s = base - PS; s < base + len; s += 511) {
		uint32_t dst = test_ioas_alloc(ctx);
		bool inside = s >= base && s + PS / 2 - 1 <= base + len - 1;

		assert_int_equal(copy(ctx, dst, base, a, s, PS / 2, fixed),
				 inside ? 0 : -ENOENT);
		if (inside)
			assert_int_equal(unmap(ctx, dst, base, PS / 2, NULL),
					 0);
		assert_int_equal(test_destroy(ctx, dst), 0);
	}
	ufd_ctx_put(ctx);
}

static void test_huge_pages_alignment(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = ioas,
	};

	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, 1ull << 24), 0);
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &opt), 0);
	/* Now the CPU page is the unit: half-page offsets are refused. */
	assert_int_equal(map_fixed(ctx, ioas, buffer + PS / 2, PS,
				   (1ull << 24) + 8 * PS),
			 -EINVAL);
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &opt), 0);
	opt.val64 = 1;
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &opt), 0);
	assert_int_equal(map_fixed(ctx, ioas, buffer + PS / 2, PS,
				   (1ull << 24) + 8 * PS),
			 0);
	/* With a misaligned area present, disabling is EADDRINUSE. */
	opt.val64 = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &opt), -EADDRINUSE);
	ufd_ctx_put(ctx);
}

static void test_map_file(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.length = 4 * PS,
	};
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	int mfd = memfd_create("uiommufd-test", 0);
	uint64_t len;

	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 4 * PS), 0);
	cmd.fd = -1;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP_FILE, &cmd), -EBADF);
	cmd.fd = mfd;
	cmd.start = PS;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP_FILE, &cmd), -EINVAL);
	cmd.start = 0;
	cmd.length = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP_FILE, &cmd), -EINVAL);
	cmd.length = 4 * PS;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP_FILE, &cmd), 0);
	assert_true(cmd.iova >= PS);
	/* Only file mappings: the context may change process. */
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_CHANGE_PROCESS, &cp), 0);
	assert_int_equal(map_fixed(ctx, ioas, buffer, PS, 0), 0);
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_CHANGE_PROCESS, &cp),
			 -EINVAL);
	assert_int_equal(unmap(ctx, ioas, 0, UINT64_MAX, &len), 0);
	assert_int_equal(len, 5 * PS);
	close(mfd);
	ufd_ctx_put(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_checks),
		cmocka_unit_test(test_area_fixed),
		cmocka_unit_test(test_unmap_fully_contained),
		cmocka_unit_test(test_auto_iova),
		cmocka_unit_test(test_auto_iova_keeps_offset),
		cmocka_unit_test(test_reserved_overflow),
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_iova_ranges),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_huge_pages_alignment),
		cmocka_unit_test(test_map_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
