// SPDX-License-Identifier: BSD-3-Clause
/*
 * The raw object pool: distinct aligned objects across several chunks,
 * reuse of what was given back, and none of it seen by fail-nth or the
 * live-block counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/rawpool.h"

struct obj {
	uint64_t a, b, c; /* 24 bytes: not a power of two */
};

#define N 10000 /* several 64 KiB chunks */

static void test_distinct_and_reused(void **state)
{
	static struct obj *o[N];
	struct ufd_rawpool pool = UFD_RAWPOOL_INIT(struct obj);
	int64_t live = ufd_alloc_live();
	int i;

	for (i = 0; i < N; i++) {
		o[i] = ufd_rawpool_get(&pool);
		assert_non_null(o[i]);
		assert_int_equal((uintptr_t)o[i] % sizeof(void *), 0);
		/* Every object is its own memory. */
		memset(o[i], i & 0xff, sizeof(*o[i]));
	}
	for (i = 0; i < N; i++)
		assert_int_equal(((uint8_t *)o[i])[sizeof(*o[i]) - 1],
				 i & 0xff);
	/* Given back, the same objects come out again, last first. */
	ufd_rawpool_put(&pool, o[7]);
	ufd_rawpool_put(&pool, o[3]);
	assert_ptr_equal(ufd_rawpool_get(&pool), o[3]);
	assert_ptr_equal(ufd_rawpool_get(&pool), o[7]);
	assert_int_equal(ufd_alloc_live(), live);
}

/* fail-nth armed: the pool neither fails nor uses up the countdown. */
static void test_not_a_fail_point(void **state)
{
	struct ufd_rawpool pool = UFD_RAWPOOL_INIT(struct obj);
	void *p;

	ufd_fail_nth_set(1);
	assert_non_null(ufd_rawpool_get(&pool));
	assert_non_null(ufd_rawpool_get(&pool));
	/* Still armed: the first real allocation is the one that fails. */
	p = ufd_alloc(8);
	assert_null(p);
	ufd_fail_nth_set(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_and_reused),
		cmocka_unit_test(test_not_a_fail_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
