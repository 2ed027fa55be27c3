// SPDX-License-Identifier: BSD-3-Clause
/*
 * Augmented AVL tree of intervals.
 *
 * Nodes are ordered by start (equal starts in insertion order at insert
 * time; rotations keep the in-order sequence, so ties stay in that order).
 * Every node caches facts about its subtree, recomputed bottom-up whenever
 * the subtree changes (recompute()):
 *
 *   height          AVL height, leaves are 1; |h(left) - h(right)| <= 1.
 *   subtree_last    max(last) over the subtree. Any node overlapping
 *                   [s, l] in a subtree whose subtree_last < s cannot exist,
 *                   which makes overlap queries O(log n).
 *   subtree_start   min(start) over the subtree (its leftmost node's start).
 *   subtree_gap     the largest number of free indices between consecutive
 *                   nodes of the subtree, where "free after node i" means
 *                   above the max last of nodes 1..i *of this subtree*.
 *
 * subtree_gap ignores nodes outside the subtree: a node earlier in the whole
 * tree may extend over a gap the subtree sees as free. So it is an upper
 * bound on the real holes inside the subtree, which is what pruning needs
 * (a subtree whose bound is too small to hold the request has no suitable
 * hole). When no two intervals overlap, the bound is exact.
 *
 * After an insert or remove, fixup() walks from the lowest changed node to
 * the root, recomputing each node and rotating where the balance is off.
 * Only ancestors of the changed position have different subtrees, so that
 * one walk restores every cached value: O(log n).
 *
 * Nothing may compute last + 1 without knowing last < U64_MAX: ranges may
 * end at U64_MAX. Hole sizes are counted as "next_start - covered - 1",
 * which fits in 64 bits because a hole between two nodes can never include
 * every index.
 */
#include <errno.h>

#include "base/bug.h"
#include "base/hole_search.h"
#include "base/itree.h"
#include "base/log.h"
#include "base/overflow.h"

static inline int height(const struct itree_node *n)
{
	return n ? n->height : 0;
}

/* Free indices strictly after covered and strictly before next_start. */
static inline uint64_t hole_size(uint64_t covered, uint64_t next_start)
{
	return next_start > covered ? next_start - covered - 1 : 0;
}

static void recompute(struct itree_node *x)
{
	const struct itree_node *l = x->left, *r = x->right;
	uint64_t covered = x->last, gap = 0;

	x->height = 1 + ufd_max(height(l), height(r));
	x->subtree_start = x->start;
	x->subtree_last = x->last;
	if (l) {
		x->subtree_start = l->subtree_start;
		x->subtree_last = ufd_max(x->subtree_last, l->subtree_last);
		gap = ufd_max(l->subtree_gap,
			      hole_size(l->subtree_last, x->start));
		covered = ufd_max(covered, l->subtree_last);
	}
	if (r) {
		x->subtree_last = ufd_max(x->subtree_last, r->subtree_last);
		gap = ufd_max(gap, r->subtree_gap);
		gap = ufd_max(gap, hole_size(covered, r->subtree_start));
	}
	x->subtree_gap = gap;
}

/* Put @new where @old hangs below @parent (or at the root). */
static void replace_child(struct itree_root *root, struct itree_node *parent,
			  struct itree_node *old, struct itree_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct itree_node *rotate_left(struct itree_root *root,
				      struct itree_node *x)
{
	struct itree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(root, x->parent, x, y);
	y->left = x;
	x->parent = y;
	recompute(x);
	recompute(y);
	return y;
}

static struct itree_node *rotate_right(struct itree_root *root,
				       struct itree_node *x)
{
	struct itree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(root, x->parent, x, y);
	y->right = x;
	x->parent = y;
	recompute(x);
	recompute(y);
	return y;
}

/* Recompute and rebalance from @x up to the root. */
static void fixup(struct itree_root *root, struct itree_node *x)
{
	while (x) {
		int balance;

		recompute(x);
		balance = height(x->left) - height(x->right);
		if (balance > 1) {
			if (height(x->left->left) < height(x->left->right))
				rotate_left(root, x->left);
			x = rotate_right(root, x);
		} else if (balance < -1) {
			if (height(x->right->right) < height(x->right->left))
				rotate_right(root, x->right);
			x = rotate_left(root, x);
		}
		x = x->parent;
	}
}

void itree_insert(struct itree_root *root, struct itree_node *node)
{
	struct itree_node **link = &root->node, *parent = NULL;

	UFD_BUG_ON(node->start > node->last);
	while (*link) {
		parent = *link;
		link = node->start < parent->start ? &parent->left
						   : &parent->right;
	}
	node->left = NULL;
	node->right = NULL;
	node->parent = parent;
	*link = node;
	root->count++;
	fixup(root, node);
}

void itree_remove(struct itree_root *root, struct itree_node *node)
{
	struct itree_node *fix_from, *child, *succ;

	if (node->left && node->right) {
		/*
		 * Put the in-order successor (leftmost of the right subtree,
		 * which has no left child) in node's place. Nodes are
		 * intrusive, so links move, not keys.
		 */
		succ = node->right;
		while (succ->left)
			succ = succ->left;
		if (succ->parent != node) {
			fix_from = succ->parent;
			fix_from->left = succ->right;
			if (succ->right)
				succ->right->parent = fix_from;
			succ->right = node->right;
			succ->right->parent = succ;
		} else {
			fix_from = succ;
		}
		succ->left = node->left;
		succ->left->parent = succ;
		replace_child(root, node->parent, node, succ);
	} else {
		child = node->left ? node->left : node->right;
		fix_from = node->parent;
		replace_child(root, node->parent, node, child);
	}
	root->count--;
	fixup(root, fix_from);
	node->left = NULL;
	node->right = NULL;
	node->parent = NULL;
}

/*
 * The lowest-start node of @x's subtree overlapping [start, last], given
 * x->subtree_last >= start. The leftmost node whose last reaches start is
 * the only candidate: nodes before it end too early, nodes after it start no
 * earlier, so if it starts after @last nothing in the subtree overlaps.
 */
static struct itree_node *subtree_first(struct itree_node *x, uint64_t start,
					uint64_t last)
{
	for (;;) {
		if (x->left && x->left->subtree_last >= start) {
			x = x->left;
			continue;
		}
		if (x->start > last)
			return NULL;
		if (x->last >= start)
			return x;
		/* Neither the left subtree nor x reach start: the right does. */
		x = x->right;
	}
}

struct itree_node *itree_iter_first(struct itree_root *root, uint64_t start,
				    uint64_t last)
{
	if (!root->node || root->node->subtree_last < start)
		return NULL;
	return subtree_first(root->node, start, last);
}

struct itree_node *itree_iter_next(struct itree_node *node, uint64_t start,
				   uint64_t last)
{
	struct itree_node *x = node, *prev;

	for (;;) {
		if (x->right && x->right->subtree_last >= start)
			return subtree_first(x->right, start, last);
		/* Climb to the first ancestor that comes after x in order. */
		do {
			prev = x;
			x = x->parent;
			if (!x)
				return NULL;
		} while (prev == x->right);
		if (x->start > last)
			return NULL;
		if (x->last >= start)
			return x;
	}
}

struct itree_node *itree_first(struct itree_root *root)
{
	struct itree_node *x = root->node;

	while (x && x->left)
		x = x->left;
	return x;
}

struct itree_node *itree_last(struct itree_root *root)
{
	struct itree_node *x = root->node;

	while (x && x->right)
		x = x->right;
	return x;
}

struct itree_node *itree_next(struct itree_node *node)
{
	struct itree_node *x;

	if (node->right) {
		x = node->right;
		while (x->left)
			x = x->left;
		return x;
	}
	while (node->parent && node == node->parent->right)
		node = node->parent;
	return node->parent;
}

struct itree_node *itree_prev(struct itree_node *node)
{
	struct itree_node *x;

	if (node->left) {
		x = node->left;
		while (x->right)
			x = x->right;
		return x;
	}
	while (node->parent && node == node->parent->left)
		node = node->parent;
	return node->parent;
}

/*
 * Span iteration keeps next_node, the first overlapping node not yet folded
 * into a used span. Invariant on entry to span_at(pos): if next_node starts
 * at or before pos, it also covers pos. (At the start of a range this holds
 * because next_node overlaps the range; after a hole, pos is next_node's
 * start; after a used span, next_node starts beyond the span plus one.)
 */
static void span_at(struct itree_span_iter *it, uint64_t pos)
{
	struct itree_node *n = it->next_node;
	uint64_t covered;

	if (!n || n->start > pos) {
		it->is_hole = 1;
		it->start_hole = pos;
		/* n overlaps the range, so n->start - 1 <= last_index. */
		it->last_hole = n ? n->start - 1 : it->last_index;
		return;
	}

	covered = n->last;
	for (;;) {
		if (covered >= it->last_index)
			break;
		n = itree_iter_next(n, it->first_index, it->last_index);
		/* covered < last_index, so covered + 1 cannot wrap. */
		if (!n || n->start > covered + 1)
			break;
		covered = ufd_max(covered, n->last);
	}
	it->next_node = n;
	it->is_hole = 0;
	it->start_used = pos;
	it->last_used = ufd_min(covered, it->last_index);
}

void itree_span_iter_first(struct itree_span_iter *it, struct itree_root *root,
			   uint64_t start, uint64_t last)
{
	it->root = root;
	it->first_index = start;
	it->last_index = last;
	if (start > last) {
		it->is_hole = -1;
		return;
	}
	it->next_node = itree_iter_first(root, start, last);
	span_at(it, start);
}

void itree_span_iter_next(struct itree_span_iter *it)
{
	uint64_t end;

	if (it->is_hole == -1)
		return;
	end = it->is_hole ? it->last_hole : it->last_used;
	if (end >= it->last_index) {
		it->is_hole = -1;
		return;
	}
	span_at(it, end + 1);
}

void itree_span_iter_advance(struct itree_span_iter *it,
			     struct itree_root *root, uint64_t new_index)
{
	if (it->is_hole == -1)
		return;
	if (new_index > it->last_index) {
		it->is_hole = -1;
		return;
	}
	itree_span_iter_first(it, root, new_index, it->last_index);
}

/*
 * In-order walk for the first qualifying hole ending before some node of
 * @x's subtree, skipping whole subtrees that cannot hold one: those lying
 * below pos, and those whose gap bound is too small and whose leading hole
 * does not qualify either. Recursion depth is the tree height.
 */
static bool hole_search_subtree(struct itree_node *x, struct hole_search *s)
{
	if (!x)
		return false;
	if (x->subtree_last < s->pos ||
	    (x->subtree_gap < s->need &&
	     !hole_fits_before(s, x->subtree_start))) {
		hole_pass(s, x->subtree_last);
		return false;
	}
	if (hole_search_subtree(x->left, s))
		return true;
	if (hole_fits_before(s, x->start))
		return true;
	hole_pass(s, x->last);
	return hole_search_subtree(x->right, s);
}

int itree_find_gap(struct itree_root *root, uint64_t start, uint64_t last,
		   uint64_t length, uint64_t *hole_start, uint64_t *hole_last)
{
	struct hole_search s = { .pos = start, .need = length };

	if (!length || start > last)
		return -EINVAL;
	return hole_search_done(&s, hole_search_subtree(root->node, &s), start,
				last, length, hole_start, hole_last);
}

int itree_find_hole(struct itree_root *root, uint64_t start, uint64_t last,
		    uint64_t length, uint64_t align, uint64_t *out)
{
	uint64_t pos = start, hs, hl, a, a_last;

	if (!align)
		align = 1;
	if (!length || !is_power_of_2_u64(align) || start > last)
		return -EINVAL;

	while (!itree_find_gap(root, pos, last, length, &hs, &hl)) {
		/*
		 * Every later hole lies above this one, so once an aligned
		 * block here runs past @last nothing later can fit either.
		 */
		if (align_up_u64(hs, align, &a) ||
		    check_add_overflow(a, length - 1, &a_last) || a_last > last)
			return -ENOSPC;
		if (a_last <= hl) {
			*out = a;
			return 0;
		}
		/* Long enough but not once aligned: look beyond it. */
		if (hl == last)
			break;
		pos = hl + 1;
	}
	return -ENOSPC;
}

/*
 * itree_check() helpers. check_subtree() returns the number of nodes under
 * @x, or -1 after logging the first violation found.
 */
static long check_fail(const struct itree_node *x, const char *what)
{
	ufd_err("itree: node %p [%#llx, %#llx]: %s", (const void *)x,
		(unsigned long long)x->start, (unsigned long long)x->last,
		what);
	return -1;
}

static long check_subtree(const struct itree_node *x,
			  const struct itree_node *parent)
{
	struct itree_node copy;
	long nl, nr;

	if (!x)
		return 0;
	if (x->parent != parent)
		return check_fail(x, "bad parent link");
	if (x->start > x->last)
		return check_fail(x, "start > last");
	if (x->left && x->left->start > x->start)
		return check_fail(x, "left child starts later");
	if (x->right && x->right->start < x->start)
		return check_fail(x, "right child starts earlier");
	if (x->left && itree_prev((struct itree_node *)x)->start > x->start)
		return check_fail(x, "predecessor starts later");
	if (x->right && itree_next((struct itree_node *)x)->start < x->start)
		return check_fail(x, "successor starts earlier");
	nl = check_subtree(x->left, x);
	if (nl < 0)
		return -1;
	nr = check_subtree(x->right, x);
	if (nr < 0)
		return -1;
	if (height(x->left) - height(x->right) > 1 ||
	    height(x->right) - height(x->left) > 1)
		return check_fail(x, "unbalanced");
	copy = *x;
	recompute(&copy);
	if (copy.height != x->height)
		return check_fail(x, "stale height");
	if (copy.subtree_last != x->subtree_last)
		return check_fail(x, "stale subtree_last");
	if (copy.subtree_start != x->subtree_start)
		return check_fail(x, "stale subtree_start");
	if (copy.subtree_gap != x->subtree_gap)
		return check_fail(x, "stale subtree_gap");
	return nl + nr + 1;
}

int itree_check(const struct itree_root *root)
{
	long n = check_subtree(root->node, NULL);

	if (n < 0)
		return -EUCLEAN;
	if ((size_t)n != root->count) {
		ufd_err("itree: %ld nodes but count %zu", n, root->count);
		return -EUCLEAN;
	}
	return 0;
}
