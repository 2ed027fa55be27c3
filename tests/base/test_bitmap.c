// SPDX-License-Identifier: BSD-3-Clause
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "helpers.h"

#include "base/alloc.h"
#include "base/bitmap.h"

#define NBITS 300 /* five words, the last one partial */

static void test_sizes(void **state)
{
	assert_int_equal(BITS_PER_LONG, 64);
	assert_int_equal(BITS_TO_LONGS(0), 0);
	assert_int_equal(BITS_TO_LONGS(1), 1);
	assert_int_equal(BITS_TO_LONGS(64), 1);
	assert_int_equal(BITS_TO_LONGS(65), 2);
	/* No overflow near the top of the range. */
	assert_true(BITS_TO_LONGS(~0UL) == ~0UL / 64 + 1);
}

static void test_single_bits(void **state)
{
	unsigned long *map = bitmap_zalloc(NBITS);
	unsigned long i;

	assert_non_null(map);
	assert_true(bitmap_empty(map, NBITS));
	for (i = 0; i < NBITS; i += 7)
		set_bit(i, map);
	for (i = 0; i < NBITS; i++)
		assert_int_equal(test_bit(i, map), i % 7 == 0);
	assert_int_equal(bitmap_weight(map, NBITS), (NBITS + 6) / 7);
	/* 63 and 0 are both multiples of 7; 64 was never set. */
	clear_bit(63, map);
	clear_bit(0, map);
	clear_bit(64, map);
	assert_false(test_bit(0, map));
	assert_false(test_bit(63, map));
	assert_true(test_bit(7, map));
	assert_true(test_bit(70, map));
	assert_int_equal(bitmap_weight(map, NBITS), (NBITS + 6) / 7 - 2);
	bitmap_free(map);
	bitmap_free(NULL);
}

/* Reference for one bit range operation, bit by bit. */
static void model_range(unsigned char *model, unsigned long start,
			unsigned long len, int v)
{
	memset(model + start, v, len);
}

static void check_model(const unsigned long *map, const unsigned char *model,
			unsigned long nbits)
{
	unsigned long i, w = 0;

	for (i = 0; i < nbits; i++) {
		assert_int_equal(test_bit(i, map), model[i]);
		w += model[i];
	}
	assert_int_equal(bitmap_weight(map, nbits), w);
}

/* Every (start, len) inside NBITS, crossing word boundaries or not. */
static void test_set_clear_ranges(void **state)
{
	unsigned long map[BITS_TO_LONGS(NBITS)];
	unsigned char model[NBITS];
	unsigned long start, len;

	for (start = 0; start < NBITS; start += 3) {
		for (len = 0; start + len <= NBITS; len += 5) {
			memset(map, 0, sizeof(map));
			memset(model, 0, sizeof(model));
			bitmap_set(map, start, len);
			model_range(model, start, len, 1);
			check_model(map, model, NBITS);

			memset(map, 0xff, sizeof(map));
			memset(model, 1, sizeof(model));
			bitmap_clear(map, start, len);
			model_range(model, start, len, 0);
			check_model(map, model, NBITS);
		}
	}
}

/* Range ops must not touch bits outside the range, even in the same word. */
static void test_range_neighbours(void **state)
{
	unsigned long map[3] = { 0, 0, 0 };

	bitmap_set(map, 60, 8);
	assert_true(map[0] == 0xfUL << 60);
	assert_true(map[1] == 0xfUL);
	assert_true(map[2] == 0);
	bitmap_set(map, 64, 64);
	assert_true(map[1] == ~0UL);
	assert_true(map[2] == 0);
	bitmap_clear(map, 61, 67);
	assert_true(map[0] == 1UL << 60);
	assert_true(map[1] == 0);
	assert_true(map[2] == 0);
	bitmap_set(map, 0, 0);
	bitmap_clear(map, 60, 0);
	assert_true(map[0] == 1UL << 60);
}

static void test_find(void **state)
{
	unsigned long map[BITS_TO_LONGS(NBITS)] = { 0 };
	unsigned long i;

	assert_int_equal(find_first_bit(map, NBITS), NBITS);
	assert_int_equal(find_first_zero_bit(map, NBITS), 0);
	assert_int_equal(find_last_bit(map, NBITS), NBITS);
	assert_int_equal(find_next_bit(map, NBITS, 0), NBITS);
	assert_int_equal(find_first_bit(map, 0), 0);
	assert_int_equal(find_last_bit(map, 0), 0);

	set_bit(0, map);
	set_bit(64, map);
	set_bit(127, map);
	set_bit(299, map);
	assert_int_equal(find_first_bit(map, NBITS), 0);
	assert_int_equal(find_next_bit(map, NBITS, 1), 64);
	assert_int_equal(find_next_bit(map, NBITS, 64), 64);
	assert_int_equal(find_next_bit(map, NBITS, 65), 127);
	assert_int_equal(find_next_bit(map, NBITS, 128), 299);
	assert_int_equal(find_next_bit(map, NBITS, 299), 299);
	assert_int_equal(find_next_bit(map, NBITS, 300), NBITS);
	assert_int_equal(find_next_bit(map, NBITS, 1000), NBITS);
	assert_int_equal(find_last_bit(map, NBITS), 299);
	assert_int_equal(find_last_bit(map, 299), 127);
	assert_int_equal(find_last_bit(map, 1), 0);
	/* A size inside a word hides the bits at and above it. */
	assert_int_equal(find_next_bit(map, 299, 128), 299);
	assert_int_equal(find_next_bit(map, 100, 65), 100);

	assert_int_equal(find_first_zero_bit(map, NBITS), 1);
	assert_int_equal(find_next_zero_bit(map, NBITS, 64), 65);
	bitmap_set(map, 0, NBITS);
	assert_int_equal(find_first_zero_bit(map, NBITS), NBITS);
	assert_int_equal(find_next_zero_bit(map, NBITS, 5), NBITS);
	clear_bit(128, map);
	assert_int_equal(find_next_zero_bit(map, NBITS, 5), 128);
	assert_int_equal(find_next_zero_bit(map, NBITS, 129), NBITS);

	/* Garbage above nbits in the last word is ignored everywhere. */
	memset(map, 0, sizeof(map));
	map[4] = ~0UL << (NBITS % 64);
	assert_int_equal(find_first_bit(map, NBITS), NBITS);
	assert_int_equal(find_last_bit(map, NBITS), NBITS);
	assert_true(bitmap_empty(map, NBITS));
	assert_int_equal(bitmap_weight(map, NBITS), 0);
	for (i = 0; i < 4; i++)
		map[i] = ~0UL;
	map[4] = ~0UL >> (64 - NBITS % 64);
	assert_true(bitmap_full(map, NBITS));
	assert_false(bitmap_full(map, NBITS + 1));
	assert_int_equal(bitmap_weight(map, NBITS), NBITS);
}

static void test_empty_full(void **state)
{
	unsigned long map[2] = { 0, 0 };

	assert_true(bitmap_empty(map, 128));
	assert_false(bitmap_full(map, 128));
	assert_true(bitmap_empty(map, 0));
	assert_true(bitmap_full(map, 0));
	set_bit(127, map);
	assert_false(bitmap_empty(map, 128));
	assert_true(bitmap_empty(map, 127));
	bitmap_set(map, 0, 127);
	assert_true(bitmap_full(map, 128));
	bitmap_zero(map, 128);
	assert_true(map[0] == 0 && map[1] == 0);
}

static void test_for_each(void **state)
{
	unsigned long map[BITS_TO_LONGS(NBITS)] = { 0 };
	unsigned long bit, n = 0, expect[] = { 1, 63, 64, 200, 299 };

	for (n = 0; n < ARRAY_SIZE(expect); n++)
		set_bit(expect[n], map);
	n = 0;
	for_each_set_bit (bit, map, NBITS) {
		assert_true(n < ARRAY_SIZE(expect));
		assert_int_equal(bit, expect[n]);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(expect));

	n = 0;
	for_each_clear_bit(bit, map, NBITS)
	{
		assert_false(test_bit(bit, map));
		n++;
	}
	assert_int_equal(n, NBITS - ARRAY_SIZE(expect));

	memset(map, 0, sizeof(map));
	n = 0;
	for_each_set_bit (bit, map, NBITS)
		n++;
	assert_int_equal(n, 0);
}

static void test_atomic_single(void **state)
{
	unsigned long map[2] = { 0, 0 };

	assert_false(atomic_test_and_set_bit(70, map));
	assert_true(atomic_test_and_set_bit(70, map));
	assert_true(atomic_test_bit(70, map));
	assert_true(test_bit(70, map));
	assert_true(atomic_test_and_clear_bit(70, map));
	assert_false(atomic_test_and_clear_bit(70, map));
	atomic_set_bit(3, map);
	assert_true(map[0] == 8);
	atomic_clear_bit(3, map);
	assert_true(map[0] == 0 && map[1] == 0);
}

#define ATOMIC_THREADS 4
#define ATOMIC_BITS 4096

struct atomic_race {
	unsigned long map[BITS_TO_LONGS(ATOMIC_BITS)];
	_Atomic unsigned long won[ATOMIC_THREADS];
	int idx;
};

static struct atomic_race race;
static _Atomic int next_idx;

/*
 * Every thread tries to claim every bit of a shared bitmap (all threads hit
 * the same words); each bit must be won exactly once.
 */
static void *claim_thread(void *arg)
{
	int me = atomic_fetch_add(&next_idx, 1);
	unsigned long i;

	for (i = 0; i < ATOMIC_BITS; i++)
		if (!atomic_test_and_set_bit(i, race.map))
			atomic_fetch_add(&race.won[me], 1);
	return NULL;
}

static void *release_thread(void *arg)
{
	unsigned long i, start = (uintptr_t)arg;

	/* Interleaved bit ownership: neighbours in one word race. */
	for (i = start; i < ATOMIC_BITS; i += ATOMIC_THREADS)
		atomic_clear_bit(i, race.map);
	return NULL;
}

static void test_atomic_race(void **state)
{
	pthread_t th[ATOMIC_THREADS];
	unsigned long total = 0;
	uintptr_t i;

	memset(&race, 0, sizeof(race));
	atomic_store(&next_idx, 0);
	for (i = 0; i < ATOMIC_THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, claim_thread, NULL), 0);
	for (i = 0; i < ATOMIC_THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < ATOMIC_THREADS; i++)
		total += atomic_load(&race.won[i]);
	assert_int_equal(total, ATOMIC_BITS);
	assert_true(bitmap_full(race.map, ATOMIC_BITS));

	for (i = 0; i < ATOMIC_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, release_thread,
						(void *)i),
				 0);
	for (i = 0; i < ATOMIC_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_true(bitmap_empty(race.map, ATOMIC_BITS));
}

static void test_zalloc_fails_cleanly(void **state)
{
	int64_t live = ufd_alloc_live();
	unsigned long *map;

	ufd_fail_nth_set(1);
	assert_null(bitmap_zalloc(1000));
	assert_int_equal(ufd_alloc_live(), live);
	map = bitmap_zalloc(1000);
	assert_non_null(map);
	assert_true(bitmap_empty(map, 1000));
	assert_int_equal(ufd_alloc_live(), live + 1);
	bitmap_free(map);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_set_clear_ranges),
		cmocka_unit_test(test_range_neighbours),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_empty_full),
		cmocka_unit_test(test_for_each),
		cmocka_unit_test(test_atomic_single),
		cmocka_unit_test(test_atomic_race),
		cmocka_unit_test(test_zalloc_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
