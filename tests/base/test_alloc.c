// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "helpers.h"

#include "base/alloc.h"

static int reset_fail_points(void **state)
{
	ufd_fail_nth_set(0);
	ufd_fail_point_disable_all();
	return 0;
}

static void test_alloc_and_live_count(void **state)
{
	int64_t live = ufd_alloc_live();
	unsigned char *a, *z, *c, *al;
	char *s;
	size_t i;

	a = ufd_alloc(100);
	z = ufd_zalloc(100);
	c = ufd_calloc(10, 10);
	al = ufd_alloc_aligned(4096, 4096);
	s = ufd_strdup("iommufd");
	assert_non_null(a);
	assert_non_null(z);
	assert_non_null(c);
	assert_non_null(al);
	assert_non_null(s);
	assert_int_equal(ufd_alloc_live(), live + 5);

	for (i = 0; i < 100; i++) {
		assert_int_equal(z[i], 0);
		assert_int_equal(c[i], 0);
	}
	for (i = 0; i < 4096; i++)
		assert_int_equal(al[i], 0);
	assert_true(((uintptr_t)al & 4095) == 0);
	assert_string_equal(s, "iommufd");
	memset(a, 0xaa, 100);

	/* realloc replaces a block: the count does not move. */
	a = ufd_realloc(a, 10000);
	assert_non_null(a);
	assert_int_equal(a[99], 0xaa);
	assert_int_equal(ufd_alloc_live(), live + 5);

	ufd_free(a);
	ufd_free(z);
	ufd_free(c);
	ufd_free(al);
	ufd_free(s);
	ufd_free(NULL);
	assert_int_equal(ufd_alloc_live(), live);
}

/* Zeroing must not rely on fresh pages: reuse a dirtied block's memory. */
static void test_zeroing_reused_memory(void **state)
{
	unsigned char *p;
	size_t i, size = 3000;
	int round;

	for (round = 0; round < 4; round++) {
		p = ufd_alloc(size);
		assert_non_null(p);
		memset(p, 0xa5, size);
		ufd_free(p);
		p = round & 1 ? ufd_alloc_aligned(64, size) : ufd_zalloc(size);
		assert_non_null(p);
		for (i = 0; i < size; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0x5a, size);
		ufd_free(p);
		p = ufd_calloc(size / 4, 4);
		assert_non_null(p);
		for (i = 0; i < size; i++)
			assert_int_equal(p[i], 0);
		ufd_free(p);
	}
}

static void test_edge_sizes(void **state)
{
	int64_t live = ufd_alloc_live();
	void *p, *q;

	/* Zero-sized requests succeed with a distinct block. */
	p = ufd_alloc(0);
	q = ufd_zalloc(0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	ufd_free(p);
	ufd_free(q);

	/* realloc(NULL) allocates; realloc to 0 keeps a block. */
	p = ufd_realloc(NULL, 16);
	assert_non_null(p);
	assert_int_equal(ufd_alloc_live(), live + 1);
	p = ufd_realloc(p, 0);
	assert_non_null(p);
	ufd_free(p);

	assert_null(ufd_calloc(SIZE_MAX / 2 + 1, 2));
	assert_null(ufd_calloc(2, SIZE_MAX / 2 + 1));
	p = ufd_calloc(0, 8);
	assert_non_null(p);
	ufd_free(p);

	assert_null(ufd_alloc_aligned(3, 64));
	assert_null(ufd_alloc_aligned(0, 64));
	p = ufd_alloc_aligned(1, 64);
	assert_non_null(p);
	ufd_free(p);
	p = ufd_alloc_aligned(1 << 16, 1);
	assert_non_null(p);
	assert_true(((uintptr_t)p & 0xffff) == 0);
	ufd_free(p);

	assert_int_equal(ufd_alloc_live(), live);
}

static void test_fail_nth_counting(void **state)
{
	int64_t live = ufd_alloc_live();
	void *p[3];

	assert_int_equal(ufd_fail_nth_get(), 0);
	ufd_fail_nth_set(3);
	assert_int_equal(ufd_fail_nth_get(), 3);
	p[0] = ufd_alloc(8);
	assert_non_null(p[0]);
	assert_int_equal(ufd_fail_nth_get(), 2);
	p[1] = ufd_zalloc(8);
	assert_non_null(p[1]);
	assert_int_equal(ufd_fail_nth_get(), 1);
	/* The third evaluation fails, then the counter is disarmed. */
	assert_null(ufd_alloc_aligned(64, 8));
	assert_int_equal(ufd_fail_nth_get(), 0);
	p[2] = ufd_alloc(8);
	assert_non_null(p[2]);
	assert_int_equal(ufd_fail_nth_get(), 0);
	assert_int_equal(ufd_alloc_live(), live + 3);
	ufd_free(p[0]);
	ufd_free(p[1]);
	ufd_free(p[2]);
	assert_int_equal(ufd_alloc_live(), live);

	/* n = 1 fails the very next evaluation, whatever its name. */
	ufd_fail_nth_set(1);
	assert_true(ufd_fail_point("pin pages"));
	assert_false(ufd_fail_point("pin pages"));

	/* Disarming with 0. */
	ufd_fail_nth_set(2);
	ufd_fail_nth_set(0);
	assert_false(ufd_fail_point("x"));
	assert_false(ufd_fail_point("x"));
}

static void test_fail_nth_every_allocator(void **state)
{
	int64_t live = ufd_alloc_live();
	void *keep = ufd_alloc(4);
	char *s;

	ufd_fail_nth_set(1);
	assert_null(ufd_alloc(4));
	ufd_fail_nth_set(1);
	assert_null(ufd_zalloc(4));
	ufd_fail_nth_set(1);
	assert_null(ufd_calloc(2, 4));
	ufd_fail_nth_set(1);
	assert_null(ufd_alloc_aligned(64, 4));
	ufd_fail_nth_set(1);
	assert_null(ufd_strdup("x"));
	ufd_fail_nth_set(1);
	/* A failed realloc leaves the old block alone. */
	assert_null(ufd_realloc(keep, 1 << 20));
	ufd_fail_nth_set(1);
	assert_null(ufd_realloc(NULL, 4));
	assert_int_equal(ufd_alloc_live(), live + 1);
	s = keep;
	s[3] = 1;
	ufd_free(keep);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_fail_point_count(void **state)
{
	uint64_t before = ufd_fail_point_count();
	void *p;

	p = ufd_alloc(1);
	ufd_free(p);
	ufd_fail_point("a");
	ufd_fail_point("b");
	/* An overflowing calloc attempts nothing and evaluates nothing. */
	assert_null(ufd_calloc(SIZE_MAX, 2));
	/* ufd_free is not a fail point. */
	assert_true(ufd_fail_point_count() == before + 3);
	ufd_fail_nth_set(1);
	ufd_fail_point("c");
	assert_true(ufd_fail_point_count() == before + 4);
}

/*
 * What a fail-nth sweep does: fail the 1st, 2nd, ... evaluation of an
 * operation until it succeeds with the countdown unspent, checking that
 * every failure is clean.
 */
static int three_allocs(void)
{
	void *a, *b, *c;
	int rc = -ENOMEM;

	a = ufd_alloc(1);
	if (!a)
		goto out;
	b = ufd_alloc(1);
	if (!b)
		goto out_free_a;
	c = ufd_alloc(1);
	if (!c)
		goto out_free_b;
	ufd_free(c);
	rc = 0;
out_free_b:
	ufd_free(b);
out_free_a:
	ufd_free(a);
out:
	return rc;
}

static void test_fail_nth_sweep(void **state)
{
	int64_t live = ufd_alloc_live();
	unsigned int n;
	int rc;

	for (n = 1;; n++) {
		ufd_fail_nth_set(n);
		rc = three_allocs();
		assert_int_equal(ufd_alloc_live(), live);
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(ufd_fail_nth_get(), 0);
	}
	/* Three sites: n = 1..3 failed, n = 4 ran through unspent. */
	assert_int_equal(n, 4);
	assert_int_equal(ufd_fail_nth_get(), 1);
	ufd_fail_nth_set(0);
}

struct thread_result {
	unsigned int nth_seen;
	bool failed;
};

static void *other_thread(void *arg)
{
	struct thread_result *r = arg;
	void *p;

	r->nth_seen = ufd_fail_nth_get();
	p = ufd_alloc(16);
	r->failed = !p;
	ufd_free(p);
	/* This thread's own countdown is its own. */
	ufd_fail_nth_set(1);
	if (!ufd_fail_point("t"))
		r->failed = true;
	return NULL;
}

static void test_fail_nth_per_thread(void **state)
{
	struct thread_result r = { 99, true };
	pthread_t th;

	ufd_fail_nth_set(1);
	assert_int_equal(pthread_create(&th, NULL, other_thread, &r), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.nth_seen, 0);
	assert_false(r.failed);
	/* Ours is untouched by the other thread's evaluations and set(). */
	assert_int_equal(ufd_fail_nth_get(), 1);
	assert_true(ufd_fail_point("mine"));
}

static void test_named(void **state)
{
	int i;

	assert_int_equal(ufd_fail_point_enable("pin", 2, 1), 0);
	/* Other names are unaffected. */
	assert_false(ufd_fail_point("unpin"));
	/* Evaluations 2 and 3 of "pin" fail, then it is spent. */
	assert_false(ufd_fail_point("pin"));
	assert_true(ufd_fail_point("pin"));
	assert_true(ufd_fail_point("pin"));
	for (i = 0; i < 10; i++)
		assert_false(ufd_fail_point("pin"));
	assert_int_equal(ufd_fail_point_disable("pin"), -ENOENT);

	/* times = 0: exactly one failure. */
	assert_int_equal(ufd_fail_point_enable("once", 1, 0), 0);
	assert_true(ufd_fail_point("once"));
	assert_false(ufd_fail_point("once"));

	/* Forever, until disabled; re-enabling restarts the count. */
	assert_int_equal(ufd_fail_point_enable("ever", 3, UFD_FAIL_FOREVER), 0);
	assert_false(ufd_fail_point("ever"));
	assert_int_equal(ufd_fail_point_enable("ever", 1, UFD_FAIL_FOREVER), 0);
	for (i = 0; i < 100; i++)
		assert_true(ufd_fail_point("ever"));
	assert_int_equal(ufd_fail_point_disable("ever"), 0);
	assert_false(ufd_fail_point("ever"));

	/* The allocators' name. */
	assert_int_equal(ufd_fail_point_enable(UFD_FAIL_POINT_ALLOC, 1, 0), 0);
	assert_null(ufd_alloc(1));
	ufd_free(ufd_alloc(1));

	/* disable_all */
	assert_int_equal(ufd_fail_point_enable("a", 1, UFD_FAIL_FOREVER), 0);
	assert_int_equal(ufd_fail_point_enable("b", 1, UFD_FAIL_FOREVER), 0);
	ufd_fail_point_disable_all();
	assert_false(ufd_fail_point("a"));
	assert_false(ufd_fail_point("b"));
}

static void test_named_errors(void **state)
{
	char name[UFD_FAIL_POINT_NAME_MAX + 2];
	int i;

	assert_int_equal(ufd_fail_point_enable(NULL, 1, 0), -EINVAL);
	assert_int_equal(ufd_fail_point_enable("", 1, 0), -EINVAL);
	assert_int_equal(ufd_fail_point_enable("x", 0, 0), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(ufd_fail_point_enable(name, 1, 0), -EINVAL);
	name[sizeof(name) - 2] = '\0';
	assert_int_equal(ufd_fail_point_enable(name, 1, 0), 0);
	assert_true(ufd_fail_point(name));
	assert_int_equal(ufd_fail_point_disable(NULL), -ENOENT);
	assert_int_equal(ufd_fail_point_disable("never"), -ENOENT);

	for (i = 0; i < UFD_FAIL_POINT_SLOTS; i++) {
		snprintf(name, sizeof(name), "slot%d", i);
		assert_int_equal(ufd_fail_point_enable(name, 1000, 0), 0);
	}
	assert_int_equal(ufd_fail_point_enable("one too many", 1, 0), -ENOSPC);
	/* Re-enabling an existing name needs no new slot. */
	assert_int_equal(ufd_fail_point_enable("slot0", 1, 0), 0);
	assert_true(ufd_fail_point("slot0"));
	/* slot0 is now spent, which frees its slot. */
	assert_int_equal(ufd_fail_point_enable("one too many", 1, 0), 0);
	ufd_fail_point_disable_all();
}

#define NAMED_THREADS 4
#define NAMED_EVALS 10000

static _Atomic unsigned int named_failures;

static void *named_thread(void *arg)
{
	int i;

	for (i = 0; i < NAMED_EVALS; i++)
		if (ufd_fail_point("shared"))
			atomic_fetch_add(&named_failures, 1);
	return NULL;
}

/* Named points count evaluations process-wide: exactly times+1 fail. */
static void test_named_threads(void **state)
{
	pthread_t th[NAMED_THREADS];
	int i;

	atomic_store(&named_failures, 0);
	assert_int_equal(ufd_fail_point_enable("shared", 5000, 99), 0);
	for (i = 0; i < NAMED_THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, named_thread, NULL), 0);
	for (i = 0; i < NAMED_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&named_failures), 100);
}

/* fail-nth and named points are independent; both count an evaluation. */
static void test_nth_and_named(void **state)
{
	assert_int_equal(ufd_fail_point_enable("both", 2, 0), 0);
	ufd_fail_nth_set(1);
	assert_true(ufd_fail_point("both")); /* nth fires; named eval 1 */
	assert_true(ufd_fail_point("both")); /* named eval 2 */
	assert_false(ufd_fail_point("both"));
	assert_int_equal(ufd_fail_nth_get(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_alloc_and_live_count,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_zeroing_reused_memory,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_edge_sizes, reset_fail_points),
		cmocka_unit_test_teardown(test_fail_nth_counting,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_fail_nth_every_allocator,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_fail_point_count,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_fail_nth_sweep,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_fail_nth_per_thread,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_named, reset_fail_points),
		cmocka_unit_test_teardown(test_named_errors, reset_fail_points),
		cmocka_unit_test_teardown(test_named_threads,
					  reset_fail_points),
		cmocka_unit_test_teardown(test_nth_and_named,
					  reset_fail_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
