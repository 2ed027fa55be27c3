// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <limits.h>

#include "helpers.h"

#include "base/overflow.h"

static void test_add(void **state)
{
	uint64_t d64;
	uint32_t d32;
	int di;

	assert_false(check_add_overflow(U64_MAX - 1, (uint64_t)1, &d64));
	assert_true(d64 == U64_MAX);
	assert_true(check_add_overflow(U64_MAX, (uint64_t)1, &d64));
	assert_false(check_add_overflow(U64_MAX, (uint64_t)0, &d64));
	assert_true(check_add_overflow((uint32_t)U32_MAX, (uint32_t)1, &d32));
	/* The destination type decides: 2^32 fits u64, not u32. */
	assert_false(check_add_overflow((uint64_t)U32_MAX, 1, &d64));
	assert_true(d64 == 1ULL << 32);
	assert_true(check_add_overflow((uint64_t)U32_MAX, 1, &d32));
	assert_true(check_add_overflow(INT_MAX, 1, &di));
	assert_false(check_add_overflow(INT_MIN, INT_MAX, &di));
	assert_int_equal(di, -1);
}

static void test_sub(void **state)
{
	uint64_t d64;
	int di;

	assert_true(check_sub_overflow((uint64_t)0, (uint64_t)1, &d64));
	assert_false(check_sub_overflow((uint64_t)1, (uint64_t)1, &d64));
	assert_true(d64 == 0);
	assert_true(check_sub_overflow(INT_MIN, 1, &di));
	assert_false(check_sub_overflow(0, INT_MAX, &di));
	assert_int_equal(di, -INT_MAX);
	/* Mixed signedness is computed exactly: 1 - (-1) = 2. */
	assert_false(check_sub_overflow((uint64_t)1, -1, &d64));
	assert_true(d64 == 2);
}

static void test_mul(void **state)
{
	uint64_t d64;
	size_t dz;

	assert_false(check_mul_overflow(1ULL << 31, 1ULL << 32, &d64));
	assert_true(d64 == 1ULL << 63);
	assert_true(check_mul_overflow(1ULL << 32, 1ULL << 32, &d64));
	assert_false(check_mul_overflow(U64_MAX, (uint64_t)1, &d64));
	assert_false(check_mul_overflow(U64_MAX, (uint64_t)0, &d64));
	assert_true(d64 == 0);
	assert_true(
		check_mul_overflow((size_t)SIZE_MAX / 2 + 1, (size_t)2, &dz));
}

static void test_range_last(void **state)
{
	uint64_t last = 12345;

	assert_int_equal(range_last(0, 1, &last), 0);
	assert_true(last == 0);
	assert_int_equal(range_last(0x1000, 0x1000, &last), 0);
	assert_true(last == 0x1fff);

	/* Empty ranges have no last byte and must not touch *last. */
	last = 7;
	assert_int_equal(range_last(0, 0, &last), -EINVAL);
	assert_int_equal(range_last(U64_MAX, 0, &last), -EINVAL);
	assert_true(last == 7);

	/* Ranges ending exactly at U64_MAX are valid. */
	assert_int_equal(range_last(U64_MAX, 1, &last), 0);
	assert_true(last == U64_MAX);
	assert_int_equal(range_last(1, U64_MAX, &last), 0);
	assert_true(last == U64_MAX);
	assert_int_equal(range_last(0, U64_MAX, &last), 0);
	assert_true(last == U64_MAX - 1);

	assert_int_equal(range_last(U64_MAX, 2, &last), -EOVERFLOW);
	assert_int_equal(range_last(2, U64_MAX, &last), -EOVERFLOW);
	assert_int_equal(range_last(U64_MAX, U64_MAX, &last), -EOVERFLOW);
}

static void test_align(void **state)
{
	uint64_t v = 99;

	assert_true(is_aligned_u64(0, 4096));
	assert_true(is_aligned_u64(0x3000, 4096));
	assert_false(is_aligned_u64(0x3001, 4096));
	assert_true(is_aligned_u64(U64_MAX, 1));
	assert_false(is_aligned_u64(U64_MAX, 2));
	assert_true(is_aligned_u64(1ULL << 63, 1ULL << 63));

	assert_int_equal(align_up_u64(0, 4096, &v), 0);
	assert_true(v == 0);
	assert_int_equal(align_up_u64(1, 4096, &v), 0);
	assert_true(v == 4096);
	assert_int_equal(align_up_u64(4096, 4096, &v), 0);
	assert_true(v == 4096);
	assert_int_equal(align_up_u64(U64_MAX, 1, &v), 0);
	assert_true(v == U64_MAX);
	assert_int_equal(align_up_u64(U64_MAX - 4095, 4096, &v), 0);
	assert_true(v == U64_MAX - 4095);
	assert_int_equal(align_up_u64(U64_MAX - 4094, 4096, &v), -EOVERFLOW);
	assert_int_equal(align_up_u64(U64_MAX, 2, &v), -EOVERFLOW);
	assert_int_equal(align_up_u64(1, 1ULL << 63, &v), 0);
	assert_true(v == 1ULL << 63);
	assert_int_equal(align_up_u64((1ULL << 63) + 1, 1ULL << 63, &v),
			 -EOVERFLOW);

	assert_true(align_down_u64(0x1fff, 4096) == 0x1000);
	assert_true(align_down_u64(0x1000, 4096) == 0x1000);
	assert_true(align_down_u64(U64_MAX, 4096) == U64_MAX - 4095);
	assert_true(align_down_u64(U64_MAX, 1) == U64_MAX);

	assert_true(is_power_of_2_u64(1));
	assert_true(is_power_of_2_u64(1ULL << 63));
	assert_false(is_power_of_2_u64(0));
	assert_false(is_power_of_2_u64(6));
	assert_false(is_power_of_2_u64(U64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),   cmocka_unit_test(test_sub),
		cmocka_unit_test(test_mul),   cmocka_unit_test(test_range_last),
		cmocka_unit_test(test_align),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
