/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interval tree over inclusive ranges [start, last] of uint64_t.
 *
 * Nodes are intrusive: embed a struct itree_node in the object, fill in
 * start and last, insert it, and get the object back with container_of().
 * Intervals may overlap, nest and repeat; ranges may touch U64_MAX.
 *
 *   insert, remove                    O(log n)
 *   first node overlapping a range    O(log n)
 *   each further overlapping node     O(log n) worst, O(1) amortised
 *   count, empty                      O(1)
 *   span iteration                    O(log n) per node visited
 *   itree_find_gap                    O(log n) (disjoint nodes); see below
 *   itree_find_hole                   O(log n) per hole examined; see below
 *
 * Overlap iteration yields nodes in ascending start order (ties in insertion
 * order). Span iteration walks a range as alternating maximal holes (covered
 * by no node) and maximal used spans (covered; overlapping or adjacent nodes
 * merge into one span), each clipped to the range.
 *
 * Locking: none inside. The tree belongs to whoever embeds the root, and
 * that owner's lock must cover every call, readers included: a reader
 * walking the tree while a writer rotates it can follow a stale pointer.
 * Nodes must not be modified (start/last) while they are in a tree.
 */
#ifndef UIOMMUFD_BASE_ITREE_H
#define UIOMMUFD_BASE_ITREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

struct itree_node {
	uint64_t start;
	uint64_t last;
	/* private: maintained by itree.c */
	struct itree_node *left, *right, *parent;
	/* Over this node's subtree: largest last, smallest start. */
	uint64_t subtree_last;
	uint64_t subtree_start;
	/*
	 * Upper bound on the size of the largest hole lying strictly between
	 * two of this subtree's nodes (exact when no two intervals in the tree
	 * overlap; see itree.c). Lets itree_find_hole() skip subtrees.
	 */
	uint64_t subtree_gap;
	int height;
};

struct itree_root {
	struct itree_node *node;
	size_t count;
};

#define ITREE_ROOT_INIT                                                        \
	{                                                                      \
		.node = NULL, .count = 0                                       \
	}

static inline void itree_root_init(struct itree_root *root)
{
	root->node = NULL;
	root->count = 0;
}

static inline bool itree_empty(const struct itree_root *root)
{
	return !root->node;
}

/* Number of nodes in the tree. */
static inline size_t itree_count(const struct itree_root *root)
{
	return root->count;
}

/**
 * itree_insert - add @node, whose start and last are set, to the tree.
 *
 * start <= last is required (a node covers at least one index). Duplicates
 * and overlaps are allowed.
 */
void itree_insert(struct itree_root *root, struct itree_node *node);

/** itree_remove - take @node, which is in the tree, out of it. */
void itree_remove(struct itree_root *root, struct itree_node *node);

/**
 * itree_iter_first - the node with the lowest start overlapping
 * [@start, @last], or NULL.
 */
struct itree_node *itree_iter_first(struct itree_root *root, uint64_t start,
				    uint64_t last);

/**
 * itree_iter_next - the next node after @node (in start order) overlapping
 * [@start, @last], or NULL. Pass the same range as to itree_iter_first().
 */
struct itree_node *itree_iter_next(struct itree_node *node, uint64_t start,
				   uint64_t last);

/* Every node overlapping [start, last], in ascending start order. */
#define itree_for_each(node, root, start, last)                                \
	for ((node) = itree_iter_first((root), (start), (last)); (node);       \
	     (node) = itree_iter_next((node), (start), (last)))

/** itree_first - the node with the lowest start, or NULL if empty. */
struct itree_node *itree_first(struct itree_root *root);

/** itree_last - the node with the highest start, or NULL if empty. */
struct itree_node *itree_last(struct itree_root *root);

/** itree_next - the in-order successor of @node, or NULL. */
struct itree_node *itree_next(struct itree_node *node);

/** itree_prev - the in-order predecessor of @node, or NULL. */
struct itree_node *itree_prev(struct itree_node *node);

/*
 * Span iteration state. After itree_span_iter_first() or _next(), either
 * is_hole == 1 and [start_hole, last_hole] is a maximal hole, or
 * is_hole == 0 and [start_used, last_used] is a maximal used span, or the
 * iteration is done (is_hole == -1, see itree_span_iter_done()).
 */
struct itree_span_iter {
	uint64_t start_hole, last_hole;
	uint64_t start_used, last_used;
	int is_hole;
	/* private */
	struct itree_root *root;
	struct itree_node *next_node;
	uint64_t first_index, last_index;
};

/**
 * itree_span_iter_first - start walking [@start, @last] (start <= last) as
 * holes and used spans, lowest first.
 */
void itree_span_iter_first(struct itree_span_iter *it, struct itree_root *root,
			   uint64_t start, uint64_t last);

/** itree_span_iter_next - move to the following hole or used span. */
void itree_span_iter_next(struct itree_span_iter *it);

/** itree_span_iter_done - true once the whole range has been visited. */
static inline bool itree_span_iter_done(const struct itree_span_iter *it)
{
	return it->is_hole == -1;
}

/**
 * itree_span_iter_advance - continue the iteration from @new_index.
 *
 * Skips whatever lies below @new_index, which may be inside the current
 * span; the next span starts exactly at @new_index (clipped like any other).
 * The iteration is done if @new_index is past the end of its range. The tree
 * may have changed since the iteration started.
 */
void itree_span_iter_advance(struct itree_span_iter *it,
			     struct itree_root *root, uint64_t new_index);

#define itree_for_each_span(it, root, start, last)                             \
	for (itree_span_iter_first((it), (root), (start), (last));             \
	     !itree_span_iter_done(it); itree_span_iter_next(it))

/**
 * itree_find_hole - lowest aligned free range of @length in [@start, @last].
 * @align: a power of two (0 is taken as 1).
 *
 * Finds the lowest a with a % align == 0, start <= a, a + length - 1 <=
 * last, such that no node overlaps [a, a + length - 1], and stores it in
 * *@out. Returns 0, -ENOSPC if there is no such a, or -EINVAL if @length is
 * 0, @align is not a power of two or @start > @last.
 *
 * Complexity: O(log n) to find the first hole at or after a position that is
 * long enough for @length, using the per-subtree gap bound. A hole that is
 * long enough but cannot hold an aligned block is skipped and the search
 * repeats after it, so the cost is O(log n) per such hole. With overlapping
 * nodes the gap bound can be loose and the search visits more nodes, never
 * more than O(n).
 */
int itree_find_hole(struct itree_root *root, uint64_t start, uint64_t last,
		    uint64_t length, uint64_t align, uint64_t *out);

/**
 * itree_find_gap - lowest hole of at least @length indices in [@start, @last].
 *
 * Finds the lowest maximal hole (indices covered by no node), clipped to
 * [@start, @last], whose clipped part holds @length indices or more, and
 * stores its clipped bounds in *@hole_start and *@hole_last. Returns 0,
 * -ENOSPC if there is none, or -EINVAL if @length is 0 or @start > @last.
 * Callers with their own placement rules (alignment with an offset, a second
 * tree to avoid) call it again from *@hole_last + 1 for the next candidate.
 *
 * Complexity: O(log n) when no two nodes overlap (the per-subtree gap bound
 * is then exact); see itree_find_hole() otherwise.
 */
int itree_find_gap(struct itree_root *root, uint64_t start, uint64_t last,
		   uint64_t length, uint64_t *hole_start, uint64_t *hole_last);

/**
 * itree_check - verify every structural invariant of the tree.
 *
 * O(n). For tests and debugging: returns 0, or logs the first broken
 * invariant (ordering, balance, parent link, augmentation or count) with
 * ufd_err() and returns -EUCLEAN.
 */
int itree_check(const struct itree_root *root);

#endif
