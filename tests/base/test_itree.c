// SPDX-License-Identifier: BSD-3-Clause
/*
 * Interval tree tests: edge cases by hand, then long random sequences of
 * insert/remove/query checked against a brute-force model (a flat array of
 * intervals, with spans and holes computed by sorting and merging), in a
 * small coordinate space (dense overlaps and adjacency), in the full 64-bit
 * space (values at and near 0, 2^63 and U64_MAX), and with non-overlapping
 * intervals (the IOVA-allocator shape, where the gap bound is exact).
 */
#include <errno.h>
#include <string.h>

#include "helpers.h"

#include "base/compiler.h"
#include "base/itree.h"
#include "base/overflow.h"

struct item {
	struct itree_node node;
	bool in_tree;
	uint64_t seq;
};

static struct itree_node *mk(struct item *it, uint64_t start, uint64_t last)
{
	memset(it, 0, sizeof(*it));
	it->node.start = start;
	it->node.last = last;
	return &it->node;
}

static void test_empty(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct itree_span_iter it;
	uint64_t out;
	int n = 0;

	assert_true(itree_empty(&root));
	assert_int_equal(itree_count(&root), 0);
	assert_null(itree_first(&root));
	assert_null(itree_last(&root));
	assert_null(itree_iter_first(&root, 0, U64_MAX));
	assert_int_equal(itree_check(&root), 0);

	itree_for_each_span (&it, &root, 0, U64_MAX) {
		assert_int_equal(it.is_hole, 1);
		assert_true(it.start_hole == 0 && it.last_hole == U64_MAX);
		n++;
	}
	assert_int_equal(n, 1);

	assert_int_equal(itree_find_hole(&root, 0, U64_MAX, U64_MAX, 1, &out),
			 0);
	assert_true(out == 0);
	assert_int_equal(itree_find_hole(&root, 1, U64_MAX, U64_MAX, 1, &out),
			 0);
	assert_true(out == 1);
	assert_int_equal(itree_find_hole(&root, 2, U64_MAX, U64_MAX, 1, &out),
			 -ENOSPC);
	assert_int_equal(itree_find_hole(&root, 1, U64_MAX, U64_MAX, 2, &out),
			 -ENOSPC);
	assert_int_equal(itree_find_hole(&root, 5, 4, 1, 1, &out), -EINVAL);
	assert_int_equal(itree_find_hole(&root, 0, 4, 0, 1, &out), -EINVAL);
	assert_int_equal(itree_find_hole(&root, 0, 4, 1, 3, &out), -EINVAL);
	/* align 0 means 1 */
	assert_int_equal(itree_find_hole(&root, 3, 4, 1, 0, &out), 0);
	assert_true(out == 3);
}

static void test_extremes(void **state)
{
	struct itree_root root;
	struct item a, b, c;
	struct itree_span_iter it;
	struct itree_node *n;
	uint64_t out;

	itree_root_init(&root);
	itree_insert(&root, mk(&a, U64_MAX, U64_MAX));
	itree_insert(&root, mk(&b, 0, 0));
	assert_int_equal(itree_count(&root), 2);
	assert_int_equal(itree_check(&root), 0);

	assert_ptr_equal(itree_iter_first(&root, U64_MAX, U64_MAX), &a.node);
	assert_ptr_equal(itree_iter_first(&root, 1, U64_MAX), &a.node);
	assert_null(itree_iter_first(&root, 1, U64_MAX - 1));
	n = itree_iter_first(&root, 0, U64_MAX);
	assert_ptr_equal(n, &b.node);
	assert_ptr_equal(itree_iter_next(n, 0, U64_MAX), &a.node);
	assert_null(itree_iter_next(&a.node, 0, U64_MAX));

	itree_span_iter_first(&it, &root, 0, U64_MAX);
	assert_true(!it.is_hole && it.start_used == 0 && it.last_used == 0);
	itree_span_iter_next(&it);
	assert_true(it.is_hole == 1 && it.start_hole == 1 &&
		    it.last_hole == U64_MAX - 1);
	itree_span_iter_next(&it);
	assert_true(!it.is_hole && it.start_used == U64_MAX &&
		    it.last_used == U64_MAX);
	itree_span_iter_next(&it);
	assert_true(itree_span_iter_done(&it));
	/* next after done stays done */
	itree_span_iter_next(&it);
	assert_true(itree_span_iter_done(&it));

	assert_int_equal(
		itree_find_hole(&root, 0, U64_MAX, U64_MAX - 1, 1, &out), 0);
	assert_true(out == 1);
	assert_int_equal(itree_find_hole(&root, 0, U64_MAX, U64_MAX, 1, &out),
			 -ENOSPC);
	assert_int_equal(
		itree_find_hole(&root, 0, U64_MAX, 2, 1ULL << 63, &out), 0);
	assert_true(out == 1ULL << 63);

	/* A node covering everything. */
	itree_insert(&root, mk(&c, 0, U64_MAX));
	assert_int_equal(itree_check(&root), 0);
	assert_int_equal(itree_find_hole(&root, 0, U64_MAX, 1, 1, &out),
			 -ENOSPC);
	itree_span_iter_first(&it, &root, 5, U64_MAX);
	assert_true(!it.is_hole && it.start_used == 5 &&
		    it.last_used == U64_MAX);
	itree_span_iter_next(&it);
	assert_true(itree_span_iter_done(&it));

	itree_remove(&root, &a.node);
	itree_remove(&root, &c.node);
	itree_remove(&root, &b.node);
	assert_true(itree_empty(&root));
	assert_int_equal(itree_check(&root), 0);
}

/* Adjacent nodes merge into one used span; a one-index gap does not. */
static void test_span_merge(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct item x[4];
	struct itree_span_iter it;

	itree_insert(&root, mk(&x[0], 10, 19));
	itree_insert(&root, mk(&x[1], 20, 29));
	itree_insert(&root, mk(&x[2], 31, 40));
	itree_insert(&root, mk(&x[3], 12, 35));
	itree_span_iter_first(&it, &root, 0, 100);
	assert_true(it.is_hole == 1 && it.start_hole == 0 && it.last_hole == 9);
	itree_span_iter_next(&it);
	assert_true(!it.is_hole && it.start_used == 10 && it.last_used == 40);
	itree_span_iter_next(&it);
	assert_true(it.is_hole && it.start_hole == 41 && it.last_hole == 100);
	itree_span_iter_next(&it);
	assert_true(itree_span_iter_done(&it));

	itree_remove(&root, &x[3].node);
	itree_span_iter_first(&it, &root, 15, 35);
	assert_true(!it.is_hole && it.start_used == 15 && it.last_used == 29);
	itree_span_iter_next(&it);
	assert_true(it.is_hole && it.start_hole == 30 && it.last_hole == 30);
	itree_span_iter_next(&it);
	assert_true(!it.is_hole && it.start_used == 31 && it.last_used == 35);

	/* advance into the middle of a span, and past the end */
	itree_span_iter_advance(&it, &root, 21);
	assert_true(!it.is_hole && it.start_used == 21 && it.last_used == 29);
	itree_span_iter_advance(&it, &root, 36);
	assert_true(itree_span_iter_done(&it));

	/* single-index range */
	itree_span_iter_first(&it, &root, 30, 30);
	assert_true(it.is_hole && it.start_hole == 30 && it.last_hole == 30);
	itree_span_iter_next(&it);
	assert_true(itree_span_iter_done(&it));
}

static void test_in_order(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct item x[100];
	struct itree_node *n;
	uint64_t prev = 0;
	int i, count = 0;

	/* Descending inserts force rotations; duplicates keep their order. */
	for (i = 99; i >= 0; i--)
		itree_insert(&root, mk(&x[i], (i / 2) * 10, (i / 2) * 10 + 5));
	assert_int_equal(itree_check(&root), 0);
	for (n = itree_first(&root); n; n = itree_next(n)) {
		assert_true(n->start >= prev);
		prev = n->start;
		count++;
	}
	assert_int_equal(count, 100);
	/* ties in insertion order: x[2k+1] went in before x[2k] */
	assert_ptr_equal(itree_first(&root), &x[1].node);
	assert_ptr_equal(itree_next(&x[1].node), &x[0].node);
	assert_ptr_equal(itree_last(&root), &x[98].node);
	assert_ptr_equal(itree_prev(&x[98].node), &x[99].node);
	assert_null(itree_prev(&x[1].node));

	count = 0;
	itree_for_each (n, &root, 12, 31) {
		count++;
		assert_true(n->start <= 31 && n->last >= 12);
	}
	/* [10,15] x2, [20,25] x2, [30,35] x2 */
	assert_int_equal(count, 6);
}

/* ------------------------------------------------------------------ */
/* Randomized model tests */

#define POOL 256

struct model {
	struct itree_root root;
	struct item items[POOL];
	uint64_t seq;
	size_t count;
	struct test_rng rng;
	/* Coordinate generator for this run. */
	uint64_t (*coord)(struct test_rng *r);
	uint64_t max_len;
	/* Largest alignment find_hole is asked for, as log2. */
	unsigned int max_align_lg2;
	bool disjoint;
	/* Node count the current phase drifts towards (sparse ... dense). */
	size_t target;
};

struct span {
	uint64_t start, last;
	bool hole;
};

static int cmp_item_ptr(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;

	if (x->node.start != y->node.start)
		return x->node.start < y->node.start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Nodes overlapping [s, l] in tree order: by start, then insertion. */
static size_t model_overlaps(struct model *m, uint64_t s, uint64_t l,
			     struct item **out)
{
	size_t i, n = 0;

	for (i = 0; i < POOL; i++) {
		struct item *it = &m->items[i];

		if (it->in_tree && it->node.start <= l && it->node.last >= s)
			out[n++] = it;
	}
	qsort(out, n, sizeof(*out), cmp_item_ptr);
	return n;
}

/*
 * Spans of [s, l]: merge the sorted overlapping nodes (clipped to the
 * range), joining overlapping or adjacent ones, and fill holes between.
 */
static size_t model_spans(struct model *m, uint64_t s, uint64_t l,
			  struct span *out)
{
	struct item *ov[POOL];
	size_t n = model_overlaps(m, s, l, ov), i, ns = 0;
	uint64_t pos = s;
	bool done = false;

	for (i = 0; i < n && !done;) {
		uint64_t us = ufd_max(ov[i]->node.start, s);
		uint64_t ul = ov[i]->node.last;

		if (us > pos) {
			out[ns++] = (struct span){ pos, us - 1, true };
			pos = us;
		}
		for (i++; i < n; i++) {
			if (ul != U64_MAX && ov[i]->node.start > ul + 1)
				break;
			ul = ufd_max(ul, ov[i]->node.last);
		}
		ul = ufd_min(ul, l);
		out[ns++] = (struct span){ pos, ul, false };
		if (ul == l)
			done = true;
		else
			pos = ul + 1;
	}
	if (!done)
		out[ns++] = (struct span){ pos, l, true };
	return ns;
}

/* Lowest fitting aligned block, scanning the model's holes of [s, l]. */
static int model_find_hole(struct model *m, uint64_t s, uint64_t l,
			   uint64_t len, uint64_t align, uint64_t *out)
{
	static struct span spans[2 * POOL + 2];
	size_t n = model_spans(m, s, l, spans), i;
	uint64_t a, a_last;

	for (i = 0; i < n; i++) {
		if (!spans[i].hole)
			continue;
		if (align_up_u64(spans[i].start, align, &a))
			continue;
		if (check_add_overflow(a, len - 1, &a_last))
			continue;
		if (a >= spans[i].start && a_last <= spans[i].last) {
			*out = a;
			return 0;
		}
	}
	return -ENOSPC;
}

static void random_range(struct model *m, uint64_t *s, uint64_t *l)
{
	uint64_t a = m->coord(&m->rng), len;

	switch (rng_below(&m->rng, 4)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = rng_below(&m->rng, 4);
		break;
	default:
		len = rng_below(&m->rng, m->max_len);
		break;
	}
	if (check_add_overflow(a, len, l))
		*l = U64_MAX;
	*s = a;
}

/* Query windows: everything, a span between two coordinates, or a range. */
static void random_window(struct model *m, uint64_t *s, uint64_t *l)
{
	uint64_t a, b;

	switch (rng_below(&m->rng, 4)) {
	case 0:
		*s = 0;
		*l = U64_MAX;
		break;
	case 1:
		a = m->coord(&m->rng);
		b = m->coord(&m->rng);
		*s = ufd_min(a, b);
		*l = ufd_max(a, b);
		break;
	default:
		random_range(m, s, l);
		break;
	}
}

static void check_overlap_query(struct model *m, uint64_t s, uint64_t l)
{
	struct item *expect[POOL];
	size_t n = model_overlaps(m, s, l, expect), i = 0;
	struct itree_node *node;

	itree_for_each (node, &m->root, s, l) {
		assert_true(i < n);
		assert_ptr_equal(node, &expect[i]->node);
		i++;
	}
	assert_int_equal(i, n);
}

static void check_spans(struct model *m, uint64_t s, uint64_t l)
{
	static struct span expect[2 * POOL + 2];
	size_t n = model_spans(m, s, l, expect), i = 0, j;
	struct itree_span_iter it;

	itree_for_each_span (&it, &m->root, s, l) {
		assert_true(i < n);
		assert_int_equal(it.is_hole, expect[i].hole);
		if (it.is_hole) {
			assert_true(it.start_hole == expect[i].start);
			assert_true(it.last_hole == expect[i].last);
		} else {
			assert_true(it.start_used == expect[i].start);
			assert_true(it.last_used == expect[i].last);
		}
		i++;
	}
	assert_int_equal(i, n);

	/* Advancing to an index inside some span restarts there. */
	if (!n)
		return;
	j = rng_below(&m->rng, n);
	itree_span_iter_first(&it, &m->root, s, l);
	{
		uint64_t span_len = expect[j].last - expect[j].start;
		uint64_t off = span_len ? rng_below(&m->rng, span_len) +
						  rng_below(&m->rng, 2)
					: 0;
		uint64_t idx = expect[j].start + ufd_min(off, span_len);

		itree_span_iter_advance(&it, &m->root, idx);
		assert_false(itree_span_iter_done(&it));
		assert_int_equal(it.is_hole, expect[j].hole);
		if (it.is_hole) {
			assert_true(it.start_hole == idx);
			assert_true(it.last_hole == expect[j].last);
		} else {
			assert_true(it.start_used == idx);
			assert_true(it.last_used == expect[j].last);
		}
		if (l != U64_MAX) {
			itree_span_iter_advance(&it, &m->root, l + 1);
			assert_true(itree_span_iter_done(&it));
		}
	}
}

static void check_find_hole(struct model *m, uint64_t s, uint64_t l)
{
	uint64_t len, align, lg2, got = 0, want = 0;
	int rc_got, rc_want;

	switch (rng_below(&m->rng, 3)) {
	case 0:
		len = 1 + rng_below(&m->rng, 4);
		break;
	case 1:
		len = 1 + rng_below(&m->rng, m->max_len);
		break;
	default:
		len = 1 + rng_below(&m->rng,
				    l - s == U64_MAX ? U64_MAX : l - s + 1);
		break;
	}
	/* Half the time small alignments, else up to the space's limit. */
	lg2 = rng_below(&m->rng, 2) ? 3 : m->max_align_lg2 + 1;
	align = 1ULL << rng_below(&m->rng, lg2);
	rc_got = itree_find_hole(&m->root, s, l, len, align, &got);
	rc_want = model_find_hole(m, s, l, len, align, &want);
	if (rc_got == rc_want && (rc_got || got == want))
		return;
	print_error("find_hole [%#" PRIx64 ", %#" PRIx64 "]", s, l);
	print_error(" len %#" PRIx64 " align %#" PRIx64 "\n", len, align);
	fail_msg("got %d/%#" PRIx64 ", want %d/%#" PRIx64, rc_got, got, rc_want,
		 want);
}

/* find_gap against the model: the lowest clipped hole of len or more. */
static void check_find_gap(struct model *m, uint64_t s, uint64_t l)
{
	static struct span spans[2 * POOL + 2];
	size_t n = model_spans(m, s, l, spans), i;
	uint64_t len =
		1 + rng_below(&m->rng, rng_below(&m->rng, 2) ? 4 : m->max_len);
	uint64_t hs = 0, hl = 0;
	int rc = itree_find_gap(&m->root, s, l, len, &hs, &hl);

	for (i = 0; i < n; i++)
		if (spans[i].hole && spans[i].last - spans[i].start >= len - 1)
			break;
	if (i == n) {
		assert_int_equal(rc, -ENOSPC);
		return;
	}
	assert_int_equal(rc, 0);
	assert_true(hs == spans[i].start);
	assert_true(hl == spans[i].last);
}

static bool model_overlaps_any(struct model *m, uint64_t s, uint64_t l)
{
	size_t i;

	for (i = 0; i < POOL; i++)
		if (m->items[i].in_tree && m->items[i].node.start <= l &&
		    m->items[i].node.last >= s)
			return true;
	return false;
}

static void model_step(struct model *m)
{
	uint64_t s, l;
	size_t i;

	/* Every 2000 steps pick a new density to drift towards. */
	if (!rng_below(&m->rng, 2000))
		m->target = rng_below(&m->rng, POOL + 1);

	switch (rng_below(&m->rng, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		i = rng_below(&m->rng, POOL);
		if (m->items[i].in_tree) {
			if (m->count <= m->target)
				break;
			itree_remove(&m->root, &m->items[i].node);
			m->items[i].in_tree = false;
			m->count--;
			break;
		}
		if (m->count >= m->target)
			break;
		random_range(m, &s, &l);
		if (m->disjoint && model_overlaps_any(m, s, l))
			break;
		m->items[i].node.start = s;
		m->items[i].node.last = l;
		m->items[i].seq = m->seq++;
		itree_insert(&m->root, &m->items[i].node);
		m->items[i].in_tree = true;
		m->count++;
		break;
	case 6:
		random_window(m, &s, &l);
		check_overlap_query(m, s, l);
		break;
	case 7:
		random_window(m, &s, &l);
		check_spans(m, s, l);
		break;
	default:
		random_window(m, &s, &l);
		check_find_hole(m, s, l);
		check_find_gap(m, s, l);
		break;
	}
	assert_int_equal(itree_count(&m->root), m->count);
}

static void run_model(struct model *m, const char *name, uint64_t seed, int ops)
{
	int i;

	itree_root_init(&m->root);
	memset(m->items, 0, sizeof(m->items));
	m->seq = 0;
	m->count = 0;
	m->target = POOL / 2;
	rng_init(&m->rng, test_seed(name, seed));
	for (i = 0; i < ops; i++) {
		model_step(m);
		if (i % 512 == 0)
			assert_int_equal(itree_check(&m->root), 0);
	}
	assert_int_equal(itree_check(&m->root), 0);
	/* Whole-range queries on the final tree. */
	check_overlap_query(m, 0, U64_MAX);
	check_spans(m, 0, U64_MAX);
	for (i = 0; i < POOL; i++) {
		if (m->items[i].in_tree)
			itree_remove(&m->root, &m->items[i].node);
		if (i % 16 == 0)
			assert_int_equal(itree_check(&m->root), 0);
	}
	assert_true(itree_empty(&m->root));
}

static uint64_t coord_small(struct test_rng *r)
{
	return rng_below(r, 256);
}

/* Mostly values near the edges of the space, where arithmetic breaks. */
static uint64_t coord_full(struct test_rng *r)
{
	static const uint64_t anchors[] = { 0, 1ULL << 32, 1ULL << 63,
					    U64_MAX };
	uint64_t a = anchors[rng_below(r, ARRAY_SIZE(anchors))];
	uint64_t d = rng_below(r, 1 + rng_below(r, 1ULL << 40));

	switch (rng_below(r, 3)) {
	case 0:
		return rng_u64(r);
	case 1:
		return a > d ? a - d : 0;
	default:
		return U64_MAX - a > d ? a + d : U64_MAX;
	}
}

static struct model model;

static void test_random_small(void **state)
{
	model.coord = coord_small;
	model.max_len = 24;
	model.max_align_lg2 = 6;
	model.disjoint = false;
	run_model(&model, "itree small", 0x5eed0001, 100000);
}

static void test_random_full(void **state)
{
	model.coord = coord_full;
	model.max_len = 1ULL << 41;
	model.max_align_lg2 = 63;
	model.disjoint = false;
	run_model(&model, "itree full", 0x5eed0002, 100000);
}

static void test_random_disjoint(void **state)
{
	model.coord = coord_small;
	model.max_len = 6;
	model.max_align_lg2 = 6;
	model.disjoint = true;
	run_model(&model, "itree disjoint small", 0x5eed0003, 50000);
	model.coord = coord_full;
	model.max_len = 1ULL << 41;
	model.max_align_lg2 = 63;
	run_model(&model, "itree disjoint full", 0x5eed0004, 50000);
}

/*
 * The IOVA-allocator pattern at scale: fill a region with back-to-back
 * allocations, punch holes, and allocate again; each result must be the
 * lowest fit (checked against a flag array of page numbers).
 */
#define BIG_PAGES 20000

static void test_allocator_pattern(void **state)
{
	static struct item items[BIG_PAGES];
	static bool used[BIG_PAGES];
	struct itree_root root = ITREE_ROOT_INIT;
	const uint64_t base = U64_MAX - BIG_PAGES * 4096ULL + 1;
	struct test_rng rng;
	uint64_t iova, pg, i, want;
	int rc;

	rng_init(&rng, test_seed("itree allocator", 0x5eed0005));
	for (i = 0; i < BIG_PAGES; i++) {
		rc = itree_find_hole(&root, base, U64_MAX, 4096, 4096, &iova);
		assert_int_equal(rc, 0);
		assert_true(iova == base + i * 4096);
		itree_insert(&root, mk(&items[i], iova, iova + 4095));
		used[i] = true;
	}
	assert_int_equal(itree_find_hole(&root, base, U64_MAX, 1, 1, &iova),
			 -ENOSPC);
	assert_int_equal(itree_check(&root), 0);

	for (i = 0; i < 20000; i++) {
		pg = rng_below(&rng, BIG_PAGES);
		if (used[pg]) {
			itree_remove(&root, &items[pg].node);
			used[pg] = false;
			continue;
		}
		for (want = 0; want < BIG_PAGES && used[want]; want++)
			;
		rc = itree_find_hole(&root, base, U64_MAX, 4096, 4096, &iova);
		assert_int_equal(rc, 0);
		assert_true(iova == base + want * 4096);
		itree_insert(&root, mk(&items[want], iova, iova + 4095));
		used[want] = true;
	}
	assert_int_equal(itree_check(&root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_span_merge),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_full),
		cmocka_unit_test(test_random_disjoint),
		cmocka_unit_test(test_allocator_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
