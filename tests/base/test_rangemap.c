// SPDX-License-Identifier: BSD-3-Clause
/*
 * Range map tests: edge cases by hand (empty, U64_MAX, one entry, reserve
 * failure), then long random sequences of insert/remove/query checked
 * against a brute-force model (a flat array of disjoint ranges) with the
 * map's invariants verified after every step, in a small coordinate space
 * (dense adjacency, many splits and merges, height 4 and more) and across
 * the whole 64-bit space.
 */
#include <errno.h>
#include <string.h>

#include "helpers.h"

#include "base/alloc.h"
#include "base/rangemap.h"

struct item {
	struct rangemap_node node;
	bool in_map;
};

static void test_empty(void **state)
{
	struct rangemap m;
	uint64_t hs, hl;

	(void)state;
	rangemap_init(&m);
	assert_true(rangemap_empty(&m));
	assert_null(rangemap_first(&m));
	assert_null(rangemap_iter_first(&m, 0, UINT64_MAX));
	assert_int_equal(
		rangemap_find_gap(&m, 1, UINT64_MAX, UINT64_MAX, &hs, &hl), 0);
	assert_true(hs == 1 && hl == UINT64_MAX);
	assert_int_equal(rangemap_find_gap(&m, 5, 9, 5, &hs, &hl), 0);
	assert_true(hs == 5 && hl == 9);
	assert_int_equal(rangemap_find_gap(&m, 5, 9, 6, &hs, &hl), -ENOSPC);
	assert_int_equal(rangemap_find_gap(&m, 5, 4, 1, &hs, &hl), -EINVAL);
	assert_int_equal(rangemap_find_gap(&m, 0, 4, 0, &hs, &hl), -EINVAL);
	assert_int_equal(rangemap_check(&m), 0);
	rangemap_destroy(&m);
}

static void test_extremes(void **state)
{
	int64_t live = ufd_alloc_live();
	struct item a = { .node = { 0, 0 } };
	struct item b = { .node = { UINT64_MAX, UINT64_MAX } };
	struct item c = { .node = { 10, UINT64_MAX - 10 } };
	struct rangemap m;
	uint64_t hs, hl;

	(void)state;
	rangemap_init(&m);
	assert_int_equal(rangemap_reserve(&m, 3), 0);
	rangemap_insert(&m, &b.node);
	rangemap_insert(&m, &a.node);
	rangemap_insert(&m, &c.node);
	assert_int_equal(rangemap_check(&m), 0);
	assert_ptr_equal(rangemap_first(&m), &a.node);
	assert_ptr_equal(rangemap_next(&m, &a.node), &c.node);
	assert_ptr_equal(rangemap_next(&m, &c.node), &b.node);
	assert_null(rangemap_next(&m, &b.node));
	assert_ptr_equal(rangemap_prev(&m, &b.node), &c.node);
	assert_ptr_equal(rangemap_prev(&m, &c.node), &a.node);
	assert_null(rangemap_prev(&m, &a.node));
	assert_ptr_equal(rangemap_iter_first(&m, 5, 20), &c.node);
	assert_null(rangemap_iter_first(&m, 1, 9));
	assert_ptr_equal(rangemap_iter_first(&m, UINT64_MAX, UINT64_MAX),
			 &b.node);
	/* Holes [1, 9] and [U64_MAX - 9, U64_MAX - 1]. */
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 9, &hs, &hl), 0);
	assert_true(hs == 1 && hl == 9);
	assert_int_equal(rangemap_find_gap(&m, 3, UINT64_MAX, 9, &hs, &hl), 0);
	assert_true(hs == UINT64_MAX - 9 && hl == UINT64_MAX - 1);
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 10, &hs, &hl),
			 -ENOSPC);
	rangemap_remove(&m, &a.node);
	rangemap_remove(&m, &b.node);
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 10, &hs, &hl), 0);
	assert_true(hs == 0 && hl == 9);
	rangemap_remove(&m, &c.node);
	assert_true(rangemap_empty(&m));
	assert_int_equal(rangemap_check(&m), 0);
	rangemap_destroy(&m);
	assert_int_equal(ufd_alloc_live(), live);
}

/* A failed reserve leaves the map as it was; the next one succeeds. */
static void test_reserve_failure(void **state)
{
	int64_t live = ufd_alloc_live();
	static struct item items[200];
	struct rangemap m;
	unsigned int i, failed = 0;

	(void)state;
	rangemap_init(&m);
	for (i = 0; i < 200; i++) {
		items[i].node.start = i * 10;
		items[i].node.last = i * 10 + 4;
		ufd_fail_nth_set(1);
		if (rangemap_reserve(&m, 1)) {
			failed++;
			assert_int_equal(rangemap_check(&m), 0);
			assert_int_equal(rangemap_count(&m), i);
		}
		ufd_fail_nth_set(0);
		assert_int_equal(rangemap_reserve(&m, 1), 0);
		rangemap_insert(&m, &items[i].node);
	}
	assert_true(failed > 0);
	assert_int_equal(rangemap_check(&m), 0);
	for (i = 0; i < 200; i++)
		rangemap_remove(&m, &items[i].node);
	rangemap_destroy(&m);
	assert_int_equal(ufd_alloc_live(), live);
}

#define POOL 3000

struct model {
	struct test_rng rng;
	struct item items[POOL];
	struct rangemap map;
	size_t count;
	bool full_space; /* coordinates over all of 64 bits */
};

static uint64_t coord(struct model *m)
{
	if (!m->full_space)
		return rng_below(&m->rng, 40000);
	switch (rng_below(&m->rng, 4)) {
	case 0:
		return rng_below(&m->rng, 64);
	case 1:
		return UINT64_MAX - rng_below(&m->rng, 64);
	case 2:
		return (1ull << 63) - 32 + rng_below(&m->rng, 64);
	default:
		return rng_u64(&m->rng);
	}
}

static void random_range(struct model *m, uint64_t *s, uint64_t *l)
{
	uint64_t a = coord(m), len = rng_below(&m->rng, 4)
					     ? rng_below(&m->rng, 8)
					     : rng_below(&m->rng, 200);

	*s = a;
	*l = UINT64_MAX - a < len ? UINT64_MAX : a + len;
}

static bool model_overlaps(struct model *m, uint64_t s, uint64_t l)
{
	for (size_t i = 0; i < POOL; i++)
		if (m->items[i].in_map && m->items[i].node.start <= l &&
		    m->items[i].node.last >= s)
			return true;
	return false;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a;
	const struct item *y = *(struct item *const *)b;

	return x->node.start < y->node.start ? -1
					     : x->node.start > y->node.start;
}

/* The model's entries, sorted by start, into @sorted; returns how many. */
static size_t model_sorted(struct model *m, struct item **sorted)
{
	size_t n = 0;

	for (size_t i = 0; i < POOL; i++)
		if (m->items[i].in_map)
			sorted[n++] = &m->items[i];
	qsort(sorted, n, sizeof(*sorted), cmp_item);
	return n;
}

static void check_overlap_query(struct model *m, uint64_t s, uint64_t l)
{
	static struct item *sorted[POOL];
	size_t n = model_sorted(m, sorted), i = 0;
	struct rangemap_node *node = rangemap_iter_first(&m->map, s, l);

	while (i < n && sorted[i]->node.last < s)
		i++;
	for (; i < n && sorted[i]->node.start <= l; i++) {
		assert_ptr_equal(node, &sorted[i]->node);
		node = rangemap_iter_next(&m->map, node, s, l);
	}
	assert_null(node);
}

/* find_gap against the model's sorted entries. */
static void check_find_gap(struct model *m, uint64_t s, uint64_t l)
{
	static struct item *sorted[POOL];
	size_t n = model_sorted(m, sorted), i;
	uint64_t len = 1 + (rng_below(&m->rng, 2) ? rng_below(&m->rng, 4)
						  : rng_below(&m->rng, 300));
	uint64_t hs = 0, hl = 0, ws = 0, wl = 0, cur = s;
	bool found = false;
	int rc;

	/* Holes of [s, l] lowest first; cur: the next index not yet seen. */
	for (i = 0; i <= n; i++) {
		const struct item *e = i < n ? sorted[i] : NULL;
		uint64_t last;

		if (e && e->node.last < cur)
			continue;
		if (!e || e->node.start > cur) {
			last = e && e->node.start - 1 < l ? e->node.start - 1
							  : l;
			if (last - cur >= len - 1) {
				found = true;
				ws = cur;
				wl = last;
				break;
			}
		}
		if (!e || e->node.last >= l)
			break;
		cur = e->node.last + 1;
	}
	rc = rangemap_find_gap(&m->map, s, l, len, &hs, &hl);
	if (!found) {
		assert_int_equal(rc, -ENOSPC);
		return;
	}
	assert_int_equal(rc, 0);
	if (hs != ws || hl != wl)
		fail_msg("find_gap [%#" PRIx64 ", %#" PRIx64 "] len %" PRIu64
			 ": got [%#" PRIx64 ", %#" PRIx64 "], want [%#" PRIx64
			 ", %#" PRIx64 "]",
			 s, l, len, hs, hl, ws, wl);
}

static void check_full_walk(struct model *m)
{
	struct rangemap_node *node;
	size_t n = 0;
	uint64_t prev_last = 0;

	for (node = rangemap_first(&m->map); node;
	     node = rangemap_next(&m->map, node)) {
		assert_true(!n || node->start > prev_last);
		prev_last = node->last;
		n++;
	}
	assert_int_equal(n, m->count);
	for (node = n ? rangemap_iter_first(&m->map, prev_last, prev_last)
		      : NULL;
	     node; node = rangemap_prev(&m->map, node))
		n--;
	assert_int_equal(n, 0);
}

static void model_step(struct model *m, bool shrinking)
{
	struct item *it = &m->items[rng_below(&m->rng, POOL)];
	uint64_t s, l;

	switch (rng_below(&m->rng, 8)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		/*
		 * Remove what is in, else insert (when it fits). Phases of
		 * growth and of shrinking make full nodes next to draining
		 * ones, which is when removes borrow instead of merging.
		 */
		if (it->in_map) {
			if (rng_below(&m->rng, 5) < (shrinking ? 0 : 4))
				break;
			rangemap_remove(&m->map, &it->node);
			it->in_map = false;
			m->count--;
			break;
		}
		random_range(m, &s, &l);
		if (model_overlaps(m, s, l))
			break;
		it->node.start = s;
		it->node.last = l;
		assert_int_equal(rangemap_reserve(&m->map, 1), 0);
		rangemap_insert(&m->map, &it->node);
		it->in_map = true;
		m->count++;
		break;
	case 5:
	case 6:
		random_range(m, &s, &l);
		if (rng_below(&m->rng, 4) == 0) {
			s = 0;
			l = UINT64_MAX;
		}
		check_overlap_query(m, s, l);
		break;
	default:
		random_range(m, &s, &l);
		if (rng_below(&m->rng, 2))
			l = rng_below(&m->rng, 2) ? UINT64_MAX : l + 5000;
		if (l < s)
			l = UINT64_MAX;
		check_find_gap(m, s, l);
		break;
	}
	assert_int_equal(rangemap_count(&m->map), m->count);
}

static void run_model(const char *name, uint64_t seed, bool full_space,
		      int steps)
{
	static struct model m;
	int64_t live = ufd_alloc_live();

	memset(&m, 0, sizeof(m));
	rng_init(&m.rng, test_seed(name, seed));
	m.full_space = full_space;
	rangemap_init(&m.map);
	for (int step = 0; step < steps; step++) {
		model_step(&m, step / 4000 % 2);
		if (step % 64 == 0 || m.count < 40) {
			assert_int_equal(rangemap_check(&m.map), 0);
			check_full_walk(&m);
		}
	}
	/* Empty it again in random order, checking as the tree shrinks. */
	while (m.count) {
		struct item *it = &m.items[rng_below(&m.rng, POOL)];

		if (!it->in_map)
			continue;
		rangemap_remove(&m.map, &it->node);
		it->in_map = false;
		m.count--;
		if (m.count % 16 == 0)
			assert_int_equal(rangemap_check(&m.map), 0);
	}
	assert_true(rangemap_empty(&m.map));
	rangemap_destroy(&m.map);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_random_dense(void **state)
{
	(void)state;
	run_model("rangemap dense", 0x4a9e0001, false, 30000);
}

static void test_random_full(void **state)
{
	(void)state;
	run_model("rangemap full", 0x4a9e0002, true, 15000);
}

/* In-order and reverse-order fills: the shapes a VMM's maps make. */
static void test_sequential(void **state)
{
	static struct item items[20000];
	int64_t live = ufd_alloc_live();
	struct rangemap m;
	uint64_t hs, hl;
	int i;

	(void)state;
	rangemap_init(&m);
	for (i = 0; i < 20000; i++) {
		/* Even ones ascending, odd ones descending. */
		int k = i % 2 ? 19999 - i / 2 : i / 2;

		items[k].node.start = (uint64_t)k * 8192;
		items[k].node.last = (uint64_t)k * 8192 + 4095;
		assert_int_equal(rangemap_reserve(&m, 1), 0);
		rangemap_insert(&m, &items[k].node);
	}
	assert_int_equal(rangemap_check(&m), 0);
	assert_true(m.height >= 4);
	/* 4 KiB holes everywhere; 8 KiB only past the end. */
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 4096, &hs, &hl),
			 0);
	assert_true(hs == 4096 && hl == 8191);
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 8192, &hs, &hl),
			 0);
	assert_true(hs == 20000ull * 8192 - 4096 && hl == UINT64_MAX);
	for (i = 0; i < 20000; i += 2)
		rangemap_remove(&m, &items[i].node);
	assert_int_equal(rangemap_check(&m), 0);
	assert_int_equal(rangemap_find_gap(&m, 0, UINT64_MAX, 8192, &hs, &hl),
			 0);
	assert_true(hs == 0 && hl == 8191);
	for (i = 1; i < 20000; i += 2)
		rangemap_remove(&m, &items[i].node);
	assert_true(rangemap_empty(&m));
	rangemap_destroy(&m);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_reserve_failure),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_random_dense),
		cmocka_unit_test(test_random_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
