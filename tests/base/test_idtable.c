// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <string.h>

#include "helpers.h"

#include "base/alloc.h"
#include "base/idtable.h"

static int objs[1000];

static void test_basic(void **state)
{
	struct idtable t;
	uint32_t a, b, c, id;

	assert_int_equal(idt_init(&t), 0);
	assert_null(idt_lookup(&t, 0));
	assert_null(idt_lookup(&t, 1));
	assert_null(idt_lookup(&t, U32_MAX));
	assert_int_equal(idt_count(&t), 0);
	id = 0;
	assert_null(idt_next(&t, &id));

	assert_int_equal(idt_reserve(&t, &a), 0);
	assert_int_equal(idt_reserve(&t, &b), 0);
	assert_int_equal(idt_reserve(&t, &c), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, 3);
	assert_int_equal(idt_count(&t), 3);

	/* Reserved ids are occupied but invisible. */
	assert_null(idt_lookup(&t, a));
	idt_publish(&t, a, &objs[1]);
	idt_publish(&t, c, &objs[3]);
	assert_ptr_equal(idt_lookup(&t, a), &objs[1]);
	assert_null(idt_lookup(&t, b));
	assert_ptr_equal(idt_lookup(&t, c), &objs[3]);
	assert_null(idt_lookup(&t, 0));
	assert_null(idt_lookup(&t, 4));

	/* Lowest free id is reused. */
	assert_ptr_equal(idt_remove(&t, a), &objs[1]);
	assert_null(idt_lookup(&t, a));
	assert_int_equal(idt_count(&t), 2);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 1);

	/* Removing a reservation returns NULL but frees the id. */
	assert_null(idt_remove(&t, b));
	assert_int_equal(idt_count(&t), 2);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 2);

	/* Removing a free or invalid id changes nothing. */
	assert_null(idt_remove(&t, 0));
	assert_null(idt_remove(&t, 77));
	assert_null(idt_remove(&t, U32_MAX));
	assert_int_equal(idt_count(&t), 3);

	assert_ptr_equal(idt_replace(&t, c, &objs[30]), &objs[3]);
	assert_ptr_equal(idt_lookup(&t, c), &objs[30]);

	idt_destroy(&t);
	assert_int_equal(idt_init_max(&t, 0), -EINVAL);
}

static void test_iteration(void **state)
{
	struct idtable t;
	uint32_t id, i, seen = 0;
	void *p;

	idt_init(&t);
	for (i = 1; i <= 200; i++) {
		assert_int_equal(idt_reserve(&t, &id), 0);
		assert_int_equal(id, i);
		/* every third id stays reserved only */
		if (i % 3)
			idt_publish(&t, id, &objs[i]);
	}
	idt_for_each (&t, id, p) {
		assert_true(id % 3 != 0);
		assert_ptr_equal(p, &objs[id]);
		seen++;
		/* removing the current entry is allowed */
		if (id % 2)
			assert_ptr_equal(idt_remove(&t, id), p);
	}
	assert_int_equal(seen, 200 - 200 / 3);
	seen = 0;
	idt_for_each (&t, id, p) {
		assert_true(id % 2 == 0 && id % 3 != 0);
		seen++;
	}
	assert_int_equal(seen, 100 - 100 / 3);

	id = 150;
	p = idt_next(&t, &id);
	assert_int_equal(id, 152);
	assert_ptr_equal(p, &objs[152]);
	id = U32_MAX;
	assert_null(idt_next_after(&t, &id));
	id = 199;
	assert_ptr_equal(idt_next_after(&t, &id), &objs[200]);
	assert_int_equal(id, 200);
	assert_null(idt_next_after(&t, &id));
	idt_destroy(&t);
}

static void test_limit(void **state)
{
	struct idtable t;
	uint32_t id, i;

	assert_int_equal(idt_init_max(&t, 100), 0);
	for (i = 1; i <= 100; i++) {
		assert_int_equal(idt_reserve(&t, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(idt_reserve(&t, &id), -ENOMEM);
	assert_int_equal(idt_count(&t), 100);
	/* Ids past the maximum but inside the allocated capacity. */
	assert_null(idt_lookup(&t, 101));
	assert_null(idt_lookup(&t, 127));
	assert_null(idt_lookup(&t, 128));
	assert_null(idt_remove(&t, 101));
	idt_remove(&t, 50);
	idt_remove(&t, 7);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 50);
	assert_int_equal(idt_reserve(&t, &id), -ENOMEM);
	idt_destroy(&t);

	/* The smallest table: one id. */
	assert_int_equal(idt_init_max(&t, 1), 0);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(idt_reserve(&t, &id), -ENOMEM);
	idt_destroy(&t);

	/* A full-width table still hands out ids from 1. */
	assert_int_equal(idt_init_max(&t, U32_MAX), 0);
	assert_int_equal(idt_reserve(&t, &id), 0);
	assert_int_equal(id, 1);
	idt_destroy(&t);
}

/* Growth allocates; every allocation failure leaves the table intact. */
static void test_fail_nth_growth(void **state)
{
	int64_t live = ufd_alloc_live();
	struct idtable t;
	uint32_t id, i, n;
	int rc;

	idt_init(&t);
	/* First reservation allocates: sweep it. */
	for (n = 1;; n++) {
		ufd_fail_nth_set(n);
		rc = idt_reserve(&t, &id);
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(idt_count(&t), 0);
		assert_int_equal(ufd_alloc_live(), live);
	}
	assert_int_equal(n, 4); /* slots, used bitmap, full bitmap */
	ufd_fail_nth_set(0);
	assert_int_equal(id, 1);
	idt_publish(&t, id, &objs[1]);

	/* Fill the first 64 slots (slot 0 is never an id). */
	for (i = 2; i < 64; i++) {
		ufd_fail_nth_set(1);
		assert_int_equal(idt_reserve(&t, &id), 0);
		/* No allocation needed: the countdown is unspent. */
		assert_int_equal(ufd_fail_nth_get(), 1);
		idt_publish(&t, id, &objs[i]);
	}
	ufd_fail_nth_set(0);
	for (n = 1;; n++) {
		ufd_fail_nth_set(n);
		rc = idt_reserve(&t, &id);
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(idt_count(&t), 63);
		for (i = 1; i < 64; i++)
			assert_ptr_equal(idt_lookup(&t, i), &objs[i]);
	}
	ufd_fail_nth_set(0);
	assert_int_equal(n, 4);
	assert_int_equal(id, 64);
	for (i = 1; i < 64; i++)
		assert_ptr_equal(idt_lookup(&t, i), &objs[i]);
	idt_destroy(&t);
	assert_int_equal(ufd_alloc_live(), live);
}

static void publish_unreserved(void *arg)
{
	struct idtable t;

	idt_init(&t);
	idt_publish(&t, 5, &objs[0]);
}

static void publish_twice(void *arg)
{
	struct idtable t;
	uint32_t id;

	idt_init(&t);
	idt_reserve(&t, &id);
	idt_publish(&t, id, &objs[0]);
	idt_publish(&t, id, &objs[1]);
}

static void publish_null(void *arg)
{
	struct idtable t;
	uint32_t id;

	idt_init(&t);
	idt_reserve(&t, &id);
	idt_publish(&t, id, NULL);
}

static void replace_reserved(void *arg)
{
	struct idtable t;
	uint32_t id;

	idt_init(&t);
	idt_reserve(&t, &id);
	idt_replace(&t, id, &objs[0]);
}

static void test_misuse_aborts(void **state)
{
	assert_aborts(publish_unreserved, NULL);
	assert_aborts(publish_twice, NULL);
	assert_aborts(publish_null, NULL);
	assert_aborts(replace_reserved, NULL);
}

/*
 * Random operations against an array model. state[id]: 0 free, 1 reserved,
 * 2 published (with ptr[id]).
 */
#define MODEL_MAX 3000

static unsigned char mstate[MODEL_MAX + 1];
static void *mptr[MODEL_MAX + 1];

static uint32_t model_lowest_free(uint32_t max_id)
{
	uint32_t i;

	for (i = 1; i <= max_id; i++)
		if (!mstate[i])
			return i;
	return 0;
}

static void check_iteration(struct idtable *t, uint32_t max_id)
{
	uint32_t id, expect = 1;
	void *p;

	idt_for_each (t, id, p) {
		while (expect <= max_id && mstate[expect] != 2)
			expect++;
		assert_int_equal(id, expect);
		assert_ptr_equal(p, mptr[id]);
		expect++;
	}
	while (expect <= max_id && mstate[expect] != 2)
		expect++;
	assert_true(expect > max_id);
}

static void run_random(const char *name, uint64_t seed, uint32_t max_id,
		       int ops)
{
	int64_t live = ufd_alloc_live();
	struct test_rng rng;
	struct idtable t;
	uint32_t count = 0, id, want;
	int i, rc;
	void *p;

	memset(mstate, 0, sizeof(mstate));
	memset(mptr, 0, sizeof(mptr));
	rng_init(&rng, test_seed(name, seed));
	assert_int_equal(idt_init_max(&t, max_id), 0);

	for (i = 0; i < ops; i++) {
		/* Ids slightly past max_id exercise the bounds checks. */
		id = rng_below(&rng, max_id + 10);
		switch (rng_below(&rng, 8)) {
		case 0:
		case 1:
			want = model_lowest_free(max_id);
			rc = idt_reserve(&t, &id);
			if (!want) {
				assert_int_equal(rc, -ENOMEM);
				break;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(id, want);
			mstate[id] = 1;
			count++;
			break;
		case 2:
		case 3:
			if (id > max_id || mstate[id] != 1)
				break;
			mptr[id] = &objs[rng_below(&rng, ARRAY_SIZE(objs))];
			idt_publish(&t, id, mptr[id]);
			mstate[id] = 2;
			break;
		case 4:
			p = idt_remove(&t, id);
			if (id > max_id || !mstate[id]) {
				assert_null(p);
				break;
			}
			assert_ptr_equal(p, mstate[id] == 2 ? mptr[id] : NULL);
			mstate[id] = 0;
			mptr[id] = NULL;
			count--;
			break;
		case 5:
			if (id > max_id || mstate[id] != 2)
				break;
			p = &objs[rng_below(&rng, ARRAY_SIZE(objs))];
			assert_ptr_equal(idt_replace(&t, id, p), mptr[id]);
			mptr[id] = p;
			break;
		default:
			p = idt_lookup(&t, id);
			assert_ptr_equal(p, id <= max_id && mstate[id] == 2
						    ? mptr[id]
						    : NULL);
			break;
		}
		assert_int_equal(idt_count(&t), count);
		if (i % 4096 == 0)
			check_iteration(&t, max_id);
	}
	check_iteration(&t, max_id);
	idt_destroy(&t);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_random(void **state)
{
	/* Reserve-heavy: the table fills and ENOMEM is exercised. */
	run_random("idtable small", 0x1d7ab1e1, 70, 50000);
	run_random("idtable medium", 0x1d7ab1e2, MODEL_MAX, 100000);
}

/* Lowest-free stays cheap with many ids: the summary level is used. */
static void test_many_ids(void **state)
{
	const uint32_t n = 300000;
	struct idtable t;
	uint32_t id, i;

	idt_init(&t);
	for (i = 1; i <= n; i++) {
		assert_int_equal(idt_reserve(&t, &id), 0);
		assert_int_equal(id, i);
	}
	for (i = 0; i < 1000; i++) {
		uint32_t victim = 1 + (i * 7919u) % n;

		idt_remove(&t, victim);
		assert_int_equal(idt_reserve(&t, &id), 0);
		assert_int_equal(id, victim);
		/* After the hole is refilled, allocation continues at the end. */
		assert_int_equal(idt_reserve(&t, &id), 0);
		assert_int_equal(id, n + 1 + i);
	}
	assert_int_equal(idt_count(&t), n + 1000);
	idt_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_fail_nth_growth),
		cmocka_unit_test(test_misuse_aborts),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_many_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
