// SPDX-License-Identifier: BSD-3-Clause
#include <pthread.h>
#include <stdatomic.h>

#include "helpers.h"

#include "base/refcount.h"

static void test_basic(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	assert_int_equal(refcount_read(&r), 1);
	refcount_inc(&r);
	refcount_inc(&r);
	assert_int_equal(refcount_read(&r), 3);
	refcount_dec(&r);
	assert_int_equal(refcount_read(&r), 2);
	assert_false(refcount_dec_and_test(&r));
	assert_true(refcount_dec_and_test(&r));
	assert_int_equal(refcount_read(&r), 0);

	refcount_set(&r, 5);
	assert_int_equal(refcount_read(&r), 5);
}

static void test_inc_not_zero(void **state)
{
	refcount_t r = REFCOUNT_INIT(0);

	assert_false(refcount_inc_not_zero(&r));
	assert_int_equal(refcount_read(&r), 0);
	refcount_set(&r, 1);
	assert_true(refcount_inc_not_zero(&r));
	assert_int_equal(refcount_read(&r), 2);
}

static void inc_from_zero(void *arg)
{
	refcount_t r = REFCOUNT_INIT(0);

	refcount_inc(&r);
}

static void dec_and_test_below_zero(void *arg)
{
	refcount_t r = REFCOUNT_INIT(0);

	refcount_dec_and_test(&r);
}

static void dec_to_zero(void *arg)
{
	refcount_t r = REFCOUNT_INIT(1);

	refcount_dec(&r);
}

static void dec_below_zero(void *arg)
{
	refcount_t r = REFCOUNT_INIT(0);

	refcount_dec(&r);
}

static void inc_saturated(void *arg)
{
	refcount_t r = REFCOUNT_INIT(REFCOUNT_MAX);

	refcount_inc(&r);
}

static void inc_not_zero_saturated(void *arg)
{
	refcount_t r = REFCOUNT_INIT(REFCOUNT_MAX);

	refcount_inc_not_zero(&r);
}

static void just_below_saturation(void *arg)
{
	refcount_t r = REFCOUNT_INIT(REFCOUNT_MAX - 1);

	refcount_inc(&r);
}

static void test_misuse_aborts(void **state)
{
	refcount_t r = REFCOUNT_INIT(REFCOUNT_MAX - 1);

	assert_aborts(inc_from_zero, NULL);
	assert_aborts(dec_and_test_below_zero, NULL);
	assert_aborts(dec_to_zero, NULL);
	assert_aborts(dec_below_zero, NULL);
	assert_aborts(inc_saturated, NULL);
	assert_aborts(inc_not_zero_saturated, NULL);

	/* The last value below the limit is still a legal increment. */
	just_below_saturation(NULL);
	refcount_inc(&r);
	assert_int_equal(refcount_read(&r), REFCOUNT_MAX);
}

#define RACE_THREADS 4
#define RACE_ITERS 100000

struct race {
	refcount_t r;
	_Atomic int zero_seen;
};

static void *race_thread(void *arg)
{
	struct race *race = arg;
	int i;

	for (i = 0; i < RACE_ITERS; i++) {
		if (i & 1)
			refcount_inc(&race->r);
		else
			assert_true(refcount_inc_not_zero(&race->r));
	}
	for (i = 0; i < RACE_ITERS; i++)
		if (refcount_dec_and_test(&race->r))
			atomic_fetch_add(&race->zero_seen, 1);
	return NULL;
}

/* Concurrent gets and puts balance exactly; only the final put sees 0. */
static void test_concurrent(void **state)
{
	struct race race = { .r = REFCOUNT_INIT(1) };
	pthread_t th[RACE_THREADS];
	int i;

	for (i = 0; i < RACE_THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, race_thread, &race), 0);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&race.zero_seen), 0);
	assert_int_equal(refcount_read(&race.r), 1);
	assert_true(refcount_dec_and_test(&race.r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_inc_not_zero),
		cmocka_unit_test(test_misuse_aborts),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
