/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bookkeeping of a lowest-hole search shared by the interval tree
 * (itree.c) and the range map (rangemap.c): each walks its nodes in order,
 * skipping what cannot hold the request, and reports here what it passes.
 * Private to src/base.
 *
 * Walking in order, @covered is the largest last of the nodes passed so
 * far (valid when @have_covered), so the next node's start bounds a hole
 * [covered + 1, start - 1]. A hole qualifies when its part at or above
 * @pos holds @need indices.
 */
#ifndef UIOMMUFD_BASE_HOLE_SEARCH_H
#define UIOMMUFD_BASE_HOLE_SEARCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

struct hole_search {
	uint64_t pos;
	uint64_t need;
	bool have_covered;
	uint64_t covered;
	uint64_t hole_start, hole_last;
};

/* Does the hole ending at @hole_last qualify? If so, record it. */
static inline bool hole_fits(struct hole_search *s, uint64_t hole_last)
{
	uint64_t hole_start = 0, from;

	if (s->have_covered) {
		if (s->covered >= hole_last)
			return false;
		hole_start = s->covered + 1;
	}
	from = hole_start > s->pos ? hole_start : s->pos;
	if (from > hole_last || hole_last - from < s->need - 1)
		return false;
	s->hole_start = hole_start;
	s->hole_last = hole_last;
	return true;
}

/* Does the hole just before a node starting at @next_start qualify? */
static inline bool hole_fits_before(struct hole_search *s, uint64_t next_start)
{
	return next_start && hole_fits(s, next_start - 1);
}

/* A node ending at @last has been passed. */
static inline void hole_pass(struct hole_search *s, uint64_t last)
{
	if (!s->have_covered || last > s->covered)
		s->covered = last;
	s->have_covered = true;
}

/*
 * The end of a search for the lowest hole holding @length in [@start,
 * @last], given whether the walk found one: the hole after every node is
 * tried, and the hole found is clipped to the range. Returns 0 with the
 * bounds in *@hole_start, *@hole_last, or -ENOSPC.
 */
static inline int hole_search_done(struct hole_search *s, bool found,
				   uint64_t start, uint64_t last,
				   uint64_t length, uint64_t *hole_start,
				   uint64_t *hole_last)
{
	if (!found && !hole_fits(s, UINT64_MAX))
		return -ENOSPC;
	/* Holes come lowest first: one starting past @last ends the search. */
	if (s->hole_start < start)
		s->hole_start = start;
	if (s->hole_start > last || last - s->hole_start < length - 1)
		return -ENOSPC;
	*hole_start = s->hole_start;
	*hole_last = s->hole_last < last ? s->hole_last : last;
	return 0;
}

#endif
