// SPDX-License-Identifier: BSD-3-Clause
/*
 * B+tree of disjoint ranges.
 *
 * Every node has 1..RM_FAN slots; a leaf's slots are entries, an inner
 * node's are children. Slot i caches, for what it holds:
 *
 *   lo[i]   the lowest start (a leaf entry's own start)
 *   hi[i]   the highest last (a leaf entry's own last)
 *   gap[i]  inner nodes: the largest hole strictly between two entries of
 *           child i's subtree (exact, since entries are disjoint)
 *
 * Slots are in ascending order and, entries being disjoint, so are both
 * lo and hi. All leaves are at the same depth. An inner node other than
 * the root keeps at least RM_MIN slots, and so does a leaf once a remove
 * has touched it: a remove that leaves fewer merges the node with a
 * neighbour or borrows from it, so the height stays O(log n). (A leaf
 * split at its end starts its new neighbour with one entry; see
 * put_slot().) An inner root has at least two children.
 *
 * Descents go down the slot whose range can hold what is sought and, on
 * the way back up, refresh the parent's cached bounds of every node they
 * changed: O(RM_FAN) per level.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "base/hole_search.h"
#include "base/log.h"
#include "base/overflow.h"
#include "base/rangemap.h"

#define RM_FAN 15
#define RM_MIN 4
/* Slots >= RM_MIN below the root and 2 at it: 34 levels hold 2^64. */
#define RM_MAX_HEIGHT 34
/* Nodes a remove frees are kept for later inserts, up to this many. */
#define RM_SPARE_KEEP 8

/*
 * A descent reads n and scans hi first: they fill the first two cache
 * lines (RM_FAN is 15 for that), then it reads one ptr (and in a leaf one
 * lo). gap is for updates and hole searches only.
 */
struct rm_bnode {
	unsigned int n;
	uint64_t hi[RM_FAN];
	uint64_t lo[RM_FAN];
	void *ptr[RM_FAN]; /* leaf: struct rangemap_node *; inner: child */
	uint64_t gap[RM_FAN];
};

/* Free indices strictly between @a and @b (a < b: disjoint ranges). */
static inline uint64_t hole(uint64_t a, uint64_t b)
{
	return b - a - 1;
}

void rangemap_init(struct rangemap *map)
{
	map->root = NULL;
	map->height = 0;
	map->count = 0;
	map->spare = NULL;
	map->nspare = 0;
}

static void free_subtree(struct rm_bnode *x, unsigned int level)
{
	if (level)
		for (unsigned int i = 0; i < x->n; i++)
			free_subtree(x->ptr[i], level - 1);
	ufd_free(x);
}

void rangemap_destroy(struct rangemap *map)
{
	if (map->root)
		free_subtree(map->root, map->height - 1);
	while (map->spare) {
		struct rm_bnode *x = map->spare;

		map->spare = x->ptr[0];
		ufd_free(x);
	}
	rangemap_init(map);
}

int rangemap_reserve(struct rangemap *map, unsigned int inserts)
{
	/* Each insert splits at most every level and adds a root. */
	uint64_t need = (uint64_t)inserts * (map->height + 2);

	while (map->nspare < need) {
		struct rm_bnode *x = ufd_alloc_aligned(64, sizeof(*x));

		if (!x)
			return -ENOMEM;
		x->ptr[0] = map->spare;
		map->spare = x;
		map->nspare++;
	}
	return 0;
}

static struct rm_bnode *take_spare(struct rangemap *map)
{
	struct rm_bnode *x = map->spare;

	UFD_BUG_ON(!x);
	map->spare = x->ptr[0];
	map->nspare--;
	x->n = 0;
	return x;
}

static void give_back(struct rangemap *map, struct rm_bnode *x)
{
	if (map->nspare >= RM_SPARE_KEEP) {
		ufd_free(x);
		return;
	}
	x->ptr[0] = map->spare;
	map->spare = x;
	map->nspare++;
}

/* The largest hole strictly inside @x's subtree. */
static uint64_t node_gap(const struct rm_bnode *x, unsigned int level)
{
	uint64_t g = 0;

	for (unsigned int i = 0; i < x->n; i++) {
		if (level && x->gap[i] > g)
			g = x->gap[i];
		if (i && hole(x->hi[i - 1], x->lo[i]) > g)
			g = hole(x->hi[i - 1], x->lo[i]);
	}
	return g;
}

/* Refreshes @parent's slot @i from its child (at @level). */
static void refresh(struct rm_bnode *parent, unsigned int i, unsigned int level)
{
	struct rm_bnode *c = parent->ptr[i];

	parent->lo[i] = c->lo[0];
	parent->hi[i] = c->hi[c->n - 1];
	parent->gap[i] = node_gap(c, level);
}

/* The slot of @x whose range can hold @key: the last with lo <= key. */
static unsigned int slot_for(const struct rm_bnode *x, uint64_t key)
{
	unsigned int i = 1;

	while (i < x->n && x->lo[i] <= key)
		i++;
	return i - 1;
}

static void copy_slot(struct rm_bnode *to, unsigned int j,
		      const struct rm_bnode *from, unsigned int i)
{
	to->lo[j] = from->lo[i];
	to->hi[j] = from->hi[i];
	to->gap[j] = from->gap[i];
	to->ptr[j] = from->ptr[i];
}

/* Opens slot @j of @x (which has room) by moving the later ones up. */
static void open_slot(struct rm_bnode *x, unsigned int j)
{
	for (unsigned int k = x->n; k > j; k--)
		copy_slot(x, k, x, k - 1);
	x->n++;
}

static void close_slot(struct rm_bnode *x, unsigned int j)
{
	for (unsigned int k = j; k + 1 < x->n; k++)
		copy_slot(x, k, x, k + 1);
	x->n--;
}

/*
 * Puts @ptr (bounds @lo..@hi, inner gap @gap) into slot @j of @x. A full
 * @x splits: the upper half goes to a new node, which is returned for the
 * caller to link after @x; otherwise NULL. A leaf that overflows at its
 * end keeps all it had and starts the new node with the one new entry,
 * so that ranges added in ascending order (a VMM mapping guest memory)
 * fill leaves instead of leaving them half empty.
 */
static struct rm_bnode *put_slot(struct rangemap *map, struct rm_bnode *x,
				 unsigned int j, uint64_t lo, uint64_t hi,
				 uint64_t gap, void *ptr, bool leaf)
{
	struct rm_bnode *r = NULL, *into = x;
	unsigned int keep = (RM_FAN + 1) / 2 + 1; /* 9 of 16 stay */

	if (leaf && j == RM_FAN)
		keep = RM_FAN;
	if (x->n == RM_FAN) {
		/* x keeps this many of its own slots; the rest move to r. */
		unsigned int mid = j < keep ? keep - 1 : keep;

		r = take_spare(map);
		for (unsigned int k = mid; k < RM_FAN; k++)
			copy_slot(r, k - mid, x, k);
		r->n = RM_FAN - mid;
		x->n = mid;
		if (j >= keep) {
			into = r;
			j -= mid;
		}
	}
	open_slot(into, j);
	into->lo[j] = lo;
	into->hi[j] = hi;
	into->gap[j] = gap;
	into->ptr[j] = ptr;
	return r;
}

/* Inserts @e below @x (at @level); returns a new right sibling or NULL. */
static struct rm_bnode *insert_at(struct rangemap *map, struct rm_bnode *x,
				  unsigned int level, struct rangemap_node *e)
{
	struct rm_bnode *split;
	unsigned int i;

	if (!level) {
		unsigned int j = 0;

		while (j < x->n && x->lo[j] < e->start)
			j++;
		UFD_BUG_ON((j && x->hi[j - 1] >= e->start) ||
			   (j < x->n && x->lo[j] <= e->last));
		return put_slot(map, x, j, e->start, e->last, 0, e, true);
	}
	i = slot_for(x, e->start);
	split = insert_at(map, x->ptr[i], level - 1, e);
	refresh(x, i, level - 1);
	if (!split)
		return NULL;
	return put_slot(map, x, i + 1, split->lo[0], split->hi[split->n - 1],
			node_gap(split, level - 1), split, false);
}

void rangemap_insert(struct rangemap *map, struct rangemap_node *node)
{
	struct rm_bnode *split, *root;

	UFD_BUG_ON(node->start > node->last);
	if (!map->root) {
		map->root = take_spare(map);
		map->height = 1;
	}
	split = insert_at(map, map->root, map->height - 1, node);
	map->count++;
	if (!split)
		return;
	root = take_spare(map);
	root->n = 2;
	root->ptr[0] = map->root;
	root->ptr[1] = split;
	refresh(root, 0, map->height - 1);
	refresh(root, 1, map->height - 1);
	map->root = root;
	map->height++;
	UFD_BUG_ON(map->height > RM_MAX_HEIGHT);
}

/*
 * Child @i of @x (children at @level) has fewer than RM_MIN slots: merge
 * it with a neighbour if both fit in one node, else even the two out.
 */
static void rebalance(struct rangemap *map, struct rm_bnode *x, unsigned int i,
		      unsigned int level)
{
	unsigned int l = i ? i - 1 : i, k, total, want;
	struct rm_bnode *a, *b;

	/* Only a root can have one child, and never while it has this. */
	UFD_BUG_ON(x->n < 2);
	a = x->ptr[l];
	b = x->ptr[l + 1];
	total = a->n + b->n;
	if (total <= RM_FAN) {
		for (k = 0; k < b->n; k++)
			copy_slot(a, a->n + k, b, k);
		a->n = total;
		close_slot(x, l + 1);
		give_back(map, b);
		refresh(x, l, level);
		return;
	}
	want = total / 2;
	if (a->n < want) {
		/* Move b's first slots to a's end. */
		unsigned int mv = want - a->n;

		for (k = 0; k < mv; k++)
			copy_slot(a, a->n + k, b, k);
		a->n += mv;
		for (k = mv; k < b->n; k++)
			copy_slot(b, k - mv, b, k);
		b->n -= mv;
	} else {
		/* Move a's last slots to b's front. */
		unsigned int mv = a->n - want;

		for (k = b->n; k-- > 0;)
			copy_slot(b, k + mv, b, k);
		for (k = 0; k < mv; k++)
			copy_slot(b, k, a, want + k);
		b->n += mv;
		a->n = want;
	}
	refresh(x, l, level);
	refresh(x, l + 1, level);
}

static void remove_at(struct rangemap *map, struct rm_bnode *x,
		      unsigned int level, struct rangemap_node *e)
{
	unsigned int i = slot_for(x, e->start);

	if (!level) {
		UFD_BUG_ON(i >= x->n || x->ptr[i] != e);
		close_slot(x, i);
		return;
	}
	remove_at(map, x->ptr[i], level - 1, e);
	if (((struct rm_bnode *)x->ptr[i])->n < RM_MIN)
		rebalance(map, x, i, level - 1);
	else
		refresh(x, i, level - 1);
}

void rangemap_remove(struct rangemap *map, struct rangemap_node *node)
{
	struct rm_bnode *root = map->root;

	UFD_BUG_ON(!root);
	remove_at(map, root, map->height - 1, node);
	map->count--;
	if (map->height == 1 && !root->n) {
		give_back(map, root);
		map->root = NULL;
		map->height = 0;
	} else if (map->height > 1 && root->n == 1) {
		map->root = root->ptr[0];
		map->height--;
		give_back(map, root);
	}
}

/*
 * The lowest entry whose last is >= @s, if its start is <= @l; NULL if
 * none. Goes down the first slot reaching @s at each level.
 */
static struct rangemap_node *first_reaching(const struct rangemap *map,
					    uint64_t s, uint64_t l)
{
	const struct rm_bnode *x = map->root;
	unsigned int level = map->height, i;

	if (!x)
		return NULL;
	for (;;) {
		for (i = 0; i < x->n && x->hi[i] < s; i++)
			;
		/* Below the root, the parent's bound promised a reach. */
		if (i == x->n)
			return NULL;
		if (!--level)
			return x->lo[i] <= l ? x->ptr[i] : NULL;
		x = x->ptr[i];
	}
}

struct rangemap_node *rangemap_iter_first(const struct rangemap *map,
					  uint64_t start, uint64_t last)
{
	return first_reaching(map, start, last);
}

struct rangemap_node *rangemap_iter_next(const struct rangemap *map,
					 const struct rangemap_node *node,
					 uint64_t start, uint64_t last)
{
	(void)start;
	if (node->last == UINT64_MAX)
		return NULL;
	return first_reaching(map, node->last + 1, last);
}

struct rangemap_node *rangemap_first(const struct rangemap *map)
{
	return first_reaching(map, 0, UINT64_MAX);
}

struct rangemap_node *rangemap_next(const struct rangemap *map,
				    const struct rangemap_node *node)
{
	return rangemap_iter_next(map, node, 0, UINT64_MAX);
}

struct rangemap_node *rangemap_prev(const struct rangemap *map,
				    const struct rangemap_node *node)
{
	const struct rm_bnode *x = map->root;
	unsigned int level = map->height;
	uint64_t key;

	if (!x || !node->start || x->lo[0] >= node->start)
		return NULL;
	/* The last entry starting at or below key; every slot taken has one. */
	key = node->start - 1;
	for (;;) {
		unsigned int i = slot_for(x, key);

		if (!--level)
			return x->ptr[i];
		x = x->ptr[i];
	}
}

/* In order through @x's subtree; skips slots that cannot hold a hole. */
static bool gap_search_node(const struct rm_bnode *x, unsigned int level,
			    struct hole_search *s)
{
	for (unsigned int i = 0; i < x->n; i++) {
		if (x->hi[i] < s->pos) {
			hole_pass(s, x->hi[i]);
			continue;
		}
		if (hole_fits_before(s, x->lo[i]))
			return true;
		if (level && x->gap[i] >= s->need &&
		    gap_search_node(x->ptr[i], level - 1, s))
			return true;
		hole_pass(s, x->hi[i]);
	}
	return false;
}

int rangemap_find_gap(const struct rangemap *map, uint64_t start, uint64_t last,
		      uint64_t length, uint64_t *hole_start,
		      uint64_t *hole_last)
{
	struct hole_search s = { .pos = start, .need = length };
	bool found;

	if (!length || start > last)
		return -EINVAL;
	found = map->root && gap_search_node(map->root, map->height - 1, &s);
	return hole_search_done(&s, found, start, last, length, hole_start,
				hole_last);
}

/* rangemap_check() helpers: entries under @x, or -1 once one failed. */
static long check_fail(const struct rm_bnode *x, const char *what)
{
	ufd_err("rangemap: node %p: %s", (const void *)x, what);
	return -1;
}

static long check_node(const struct rm_bnode *x, unsigned int level,
		       bool is_root)
{
	long total = 0;

	if (!x->n || x->n > RM_FAN)
		return check_fail(x, "slot count out of range");
	if (!is_root && level && x->n < RM_MIN)
		return check_fail(x, "underfull");
	if (is_root && level && x->n < 2)
		return check_fail(x, "inner root with one child");
	for (unsigned int i = 0; i < x->n; i++) {
		if (x->lo[i] > x->hi[i])
			return check_fail(x, "slot lo > hi");
		if (i && x->hi[i - 1] >= x->lo[i])
			return check_fail(x, "slots out of order or "
					     "overlapping");
		if (!level) {
			const struct rangemap_node *e = x->ptr[i];

			if (e->start != x->lo[i] || e->last != x->hi[i])
				return check_fail(x, "stale entry bounds");
			total++;
			continue;
		}
		{
			const struct rm_bnode *c = x->ptr[i];
			long n = check_node(c, level - 1, false);

			if (n < 0)
				return -1;
			if (x->lo[i] != c->lo[0] || x->hi[i] != c->hi[c->n - 1])
				return check_fail(x, "stale child bounds");
			if (x->gap[i] != node_gap(c, level - 1))
				return check_fail(x, "stale child gap");
			total += n;
		}
	}
	return total;
}

int rangemap_check(const struct rangemap *map)
{
	long n = 0;

	if (!map->root != !map->height)
		return -EUCLEAN;
	if (map->root) {
		n = check_node(map->root, map->height - 1, true);
		if (n < 0)
			return -EUCLEAN;
	}
	if ((size_t)n != map->count) {
		ufd_err("rangemap: %ld entries but count %zu", n, map->count);
		return -EUCLEAN;
	}
	return 0;
}
