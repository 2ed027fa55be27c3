/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ordered map of disjoint inclusive ranges [start, last] of uint64_t: a
 * B+tree whose nodes keep copies of their entries' bounds, so a query
 * reads a few dense nodes instead of one scattered object per level.
 *
 * Entries are intrusive: embed a struct rangemap_node in the object, fill
 * in start and last, insert it, and get the object back with
 * container_of(). No two entries may overlap; ranges may touch U64_MAX.
 *
 *   insert, remove                    O(log n)
 *   first entry overlapping a range   O(log n), reading no entry
 *   next or previous entry            O(log n)
 *   count, empty                      O(1)
 *   rangemap_find_gap                 O(log n)
 *
 * Why not the interval tree (itree.h): with a million entries a binary
 * tree is twenty levels of separately allocated objects, and every level
 * below the cached top is a cache miss. Here a node holds up to 15
 * entries (or children) with their bounds side by side; the inner nodes
 * of a million-entry map are a few MiB that stay in cache, so a lookup
 * misses on the leaf at most.
 *
 * An insert may need new nodes. rangemap_reserve() takes them beforehand
 * (the only call that allocates, so the only one that fails); an insert
 * without enough in reserve is a bug. Removes never allocate.
 *
 * Locking: none inside. The map belongs to whoever embeds it, and that
 * owner's lock must cover every call, readers included. Entries must not
 * be modified (start/last) while they are in a map.
 */
#ifndef UIOMMUFD_BASE_RANGEMAP_H
#define UIOMMUFD_BASE_RANGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rangemap_node {
	uint64_t start;
	uint64_t last;
};

struct rm_bnode;

struct rangemap {
	struct rm_bnode *root; /* NULL when empty */
	unsigned int height;   /* levels; 1: the root is a leaf */
	size_t count;
	/* Nodes taken by rangemap_reserve() or left by removes. */
	struct rm_bnode *spare;
	unsigned int nspare;
};

/* An empty map. */
void rangemap_init(struct rangemap *map);

/*
 * Frees the map's own nodes. Entries still in it are not touched (their
 * owner frees them); the map is empty afterwards.
 */
void rangemap_destroy(struct rangemap *map);

static inline bool rangemap_empty(const struct rangemap *map)
{
	return !map->count;
}

static inline size_t rangemap_count(const struct rangemap *map)
{
	return map->count;
}

/**
 * rangemap_reserve - make the next @inserts insertions unable to fail.
 *
 * Returns 0 or -ENOMEM (the reserve may then have grown partly; it is
 * kept for later and freed by rangemap_destroy()).
 */
int rangemap_reserve(struct rangemap *map, unsigned int inserts);

/**
 * rangemap_insert - add @node (start <= last, overlapping no entry).
 *
 * Takes nodes from the reserve; a reserve too small, an overlap or
 * start > last is a bug (UFD_BUG).
 */
void rangemap_insert(struct rangemap *map, struct rangemap_node *node);

/** rangemap_remove - take @node, which is in the map, out of it. */
void rangemap_remove(struct rangemap *map, struct rangemap_node *node);

/**
 * rangemap_iter_first - the lowest entry overlapping [@start, @last], or
 * NULL. Reads only the map's nodes, never an entry.
 */
struct rangemap_node *rangemap_iter_first(const struct rangemap *map,
					  uint64_t start, uint64_t last);

/**
 * rangemap_iter_next - the entry after @node if it overlaps [@start,
 * @last], or NULL. Pass the same range as to rangemap_iter_first().
 */
struct rangemap_node *rangemap_iter_next(const struct rangemap *map,
					 const struct rangemap_node *node,
					 uint64_t start, uint64_t last);

/* Every entry overlapping [start, last], lowest first. */
#define rangemap_for_each(node, map, start, last)                              \
	for ((node) = rangemap_iter_first((map), (start), (last)); (node);     \
	     (node) = rangemap_iter_next((map), (node), (start), (last)))

/** rangemap_first - the lowest entry, or NULL if empty. */
struct rangemap_node *rangemap_first(const struct rangemap *map);

/** rangemap_next - the entry after @node, or NULL. */
struct rangemap_node *rangemap_next(const struct rangemap *map,
				    const struct rangemap_node *node);

/** rangemap_prev - the entry before @node, or NULL. */
struct rangemap_node *rangemap_prev(const struct rangemap *map,
				    const struct rangemap_node *node);

/**
 * rangemap_find_gap - lowest hole of at least @length in [@start, @last].
 *
 * Finds the lowest maximal hole (indices in no entry), clipped to
 * [@start, @last], whose clipped part holds @length indices or more, and
 * stores its clipped bounds in *@hole_start and *@hole_last. Returns 0,
 * -ENOSPC if there is none, or -EINVAL if @length is 0 or @start > @last.
 * Same contract as itree_find_gap().
 */
int rangemap_find_gap(const struct rangemap *map, uint64_t start, uint64_t last,
		      uint64_t length, uint64_t *hole_start,
		      uint64_t *hole_last);

/**
 * rangemap_check - verify every structural invariant of the map.
 *
 * O(n). For tests and debugging: returns 0, or logs the first broken
 * invariant (order, overlap, fill, depth, cached bounds, count) with
 * ufd_err() and returns -EUCLEAN.
 */
int rangemap_check(const struct rangemap *map);

#endif
