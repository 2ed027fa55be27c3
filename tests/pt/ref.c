// SPDX-License-Identifier: BSD-3-Clause
/* The brute-force reference model of a page table (see ref.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

static uint64_t lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

static uint64_t leaf_last(const struct ref_leaf *l)
{
	return l->iova + lg2_mask(l->s_lg2);
}

void ref_init(struct ref *r, const struct pt_table *t)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
}

void ref_destroy(struct ref *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Number of leaves starting at or below @iova. */
static size_t ref_upper(const struct ref *r, uint64_t iova)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long ref_find(const struct ref *r, uint64_t iova)
{
	size_t i = ref_upper(r, iova);

	if (!i || leaf_last(&r->v[i - 1]) < iova)
		return -1;
	return (long)(i - 1);
}

static bool ref_overlaps(const struct ref *r, uint64_t iova, uint64_t last)
{
	size_t i = ref_upper(r, last);

	return i && leaf_last(&r->v[i - 1]) >= iova;
}

static void ref_reserve(struct ref *r, size_t more)
{
	if (r->n + more <= r->cap)
		return;
	r->cap = (r->n + more) * 2;
	r->v = realloc(r->v, r->cap * sizeof(*r->v));
	if (!r->v)
		abort();
}

/* Insert @n sorted leaves, none overlapping anything, at their place. */
static void ref_insert(struct ref *r, const struct ref_leaf *nl, size_t n)
{
	size_t at;

	if (!n)
		return;
	ref_reserve(r, n);
	at = ref_upper(r, nl[0].iova);
	memmove(&r->v[at + n], &r->v[at], (r->n - at) * sizeof(*r->v));
	memcpy(&r->v[at], nl, n * sizeof(*nl));
	r->n += n;
}

static unsigned int ref_best(const struct ref *r, uint64_t iova, uint64_t oa,
			     uint64_t len)
{
	uint64_t cand = pt_pgsize_bitmap(r->t);
	unsigned int s;

	for (s = 63; s > 0; s--) {
		if (!(cand & (1ull << s)))
			continue;
		if ((iova | oa) & lg2_mask(s))
			continue;
		if ((1ull << s) > len)
			continue;
		return s;
	}
	return 0;
}

int ref_map(struct ref *r, uint64_t iova, uint64_t oa, uint64_t len,
	    unsigned int prot, uint64_t *mapped)
{
	struct ref_leaf *nl = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	while (len) {
		unsigned int s = ref_best(r, iova, oa, len);

		if (!s) {
			ret = -EINVAL;
			break;
		}
		if (ref_overlaps(r, iova, iova + lg2_mask(s))) {
			ret = -EADDRINUSE;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nl = realloc(nl, cap * sizeof(*nl));
			if (!nl)
				abort();
		}
		/*
		 * Without dirty tracking, VT-d first-stage leaves are written
		 * with D already set (the hardware then never updates them).
		 */
		nl[n++] = (struct ref_leaf){
			.iova = iova,
			.oa = oa,
			.s_lg2 = s,
			.prot = prot,
			.dirty = r->t->cfg.fmt == PT_FMT_VTD_FS &&
				 !(r->t->cfg.flags & PT_CFG_DIRTY) &&
				 (prot & PT_PROT_WRITE)
		};
		*mapped += 1ull << s;
		iova += 1ull << s;
		oa += 1ull << s;
		len -= 1ull << s;
	}
	ref_insert(r, nl, n);
	free(nl);
	return ret;
}

unsigned int ref_level_of(const struct ref *r, unsigned int s_lg2)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(r->t);
	unsigned int lvl = 0;

	while (lvl + 1 < PT_MAX_LEVELS && pt_item_lg2(c, lvl + 1) <= s_lg2)
		lvl++;
	return lvl;
}

static unsigned int ref_split_size(const struct ref *r, unsigned int lvl,
				   unsigned int below)
{
	uint64_t s = r->t->level_sizes[lvl] & lg2_mask(below);
	unsigned int b;

	for (b = 63; s && b > 0; b--)
		if (s & (1ull << b))
			return b;
	return pt_item_lg2(pt_table_walk_ctx(r->t), lvl);
}

static int ref_split(struct ref *r, size_t i)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(r->t);
	struct ref_leaf old = r->v[i], *nl;
	unsigned int lvl = ref_level_of(r, old.s_lg2), p, k, n;

	if (old.s_lg2 > pt_item_lg2(c, lvl)) {
		p = ref_split_size(r, lvl, old.s_lg2);
	} else {
		if (!lvl)
			return -EINVAL;
		p = ref_split_size(r, lvl - 1, old.s_lg2);
	}
	n = 1u << (old.s_lg2 - p);
	nl = calloc(n, sizeof(*nl));
	if (!nl)
		abort();
	for (k = 0; k < n; k++) {
		nl[k] = old;
		nl[k].s_lg2 = p;
		nl[k].iova = old.iova + ((uint64_t)k << p);
		nl[k].oa = old.oa + ((uint64_t)k << p);
	}
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
	r->n--;
	ref_insert(r, nl, n);
	free(nl);
	return 0;
}

/* Leaves [from, to) go in one move: unmap removes runs, not single leaves. */
static void ref_remove_run(struct ref *r, size_t from, size_t to)
{
	if (from == to)
		return;
	memmove(&r->v[from], &r->v[to], (r->n - to) * sizeof(*r->v));
	r->n -= to - from;
}

int ref_unmap(struct ref *r, uint64_t iova, uint64_t len, unsigned int flags,
	      uint64_t *unmapped)
{
	uint64_t last = iova + (len - 1), pos = iova, done = 0;
	size_t run_from = 0, run_to = 0; /* pending removal */
	int ret = 0;

	for (;;) {
		long i = ref_find(r, pos);
		struct ref_leaf *l;
		uint64_t llast;

		if (i >= 0 && run_to != run_from && (size_t)i != run_to) {
			ref_remove_run(r, run_from, run_to);
			run_to = run_from;
			i = ref_find(r, pos);
		}
		if (i < 0) {
			size_t nx = ref_upper(r, pos);

			if (!(flags & PT_UNMAP_HOLES)) {
				ret = -ENOENT;
				break;
			}
			if (nx == r->n || r->v[nx].iova > last) {
				done += last - pos + 1;
				break;
			}
			done += r->v[nx].iova - pos;
			pos = r->v[nx].iova;
			continue;
		}
		l = &r->v[i];
		llast = leaf_last(l);
		if (pos != l->iova || llast > last) {
			if (flags & PT_UNMAP_SPLIT) {
				/* Splits move leaves: settle removals first. */
				ref_remove_run(r, run_from, run_to);
				run_to = run_from;
				ret = ref_split(r, (size_t)ref_find(r, pos));
				if (ret)
					break;
				continue;
			}
			if (pos != l->iova) {
				ret = -EINVAL;
				break;
			}
		}
		done += 1ull << l->s_lg2;
		if (run_to == run_from)
			run_from = (size_t)i;
		run_to = (size_t)i + 1;
		if (llast >= last)
			break;
		pos = llast + 1;
	}
	ref_remove_run(r, run_from, run_to);
	*unmapped = done;
	return ret;
}

int ref_remap(struct ref *r, uint64_t iova, uint64_t len, uint64_t oa,
	      uint64_t *done)
{
	uint64_t last = iova + (len - 1), pos = iova;

	*done = 0;
	for (;;) {
		long i = ref_find(r, pos);
		uint64_t to = oa + (pos - iova);
		struct ref_leaf *l;
		int ret;

		if (i < 0)
			return -ENOENT;
		l = &r->v[i];
		if (pos != l->iova || leaf_last(l) > last ||
		    (to & lg2_mask(l->s_lg2))) {
			ret = ref_split(r, (size_t)i);
			if (ret)
				return ret;
			continue;
		}
		l->oa = to;
		*done += 1ull << l->s_lg2;
		if (leaf_last(l) == last)
			return 0;
		pos = leaf_last(l) + 1;
	}
}

int ref_set_dirty(struct ref *r, uint64_t iova)
{
	const struct pt_cfg *cfg = &r->t->cfg;
	long i = ref_find(r, iova);

	if (i < 0)
		return -ENOENT;
	if (!(r->v[i].prot & PT_PROT_WRITE))
		return -EACCES;
	/* ARM keeps dirty state only in DBM leaves. */
	if ((cfg->fmt == PT_FMT_ARM_S1 || cfg->fmt == PT_FMT_ARM_S2) &&
	    !(cfg->flags & PT_CFG_DIRTY))
		return -EACCES;
	r->v[i].dirty = true;
	return 0;
}

size_t ref_read_dirty(struct ref *r, uint64_t iova, uint64_t last,
		      bool no_clear, uint64_t (*runs)[2], size_t max)
{
	size_t i = ref_upper(r, iova), n = 0;

	/* Start at the leaf containing iova, if any. */
	if (i && leaf_last(&r->v[i - 1]) >= iova)
		i--;
	for (; i < r->n && r->v[i].iova <= last; i++) {
		struct ref_leaf *l = &r->v[i];
		uint64_t sz = 1ull << l->s_lg2;

		if (!l->dirty)
			continue;
		if (!no_clear)
			l->dirty = false;
		if (n && runs[n - 1][0] + runs[n - 1][1] == l->iova) {
			runs[n - 1][1] += sz;
			continue;
		}
		if (n == max)
			abort();
		runs[n][0] = l->iova;
		runs[n][1] = sz;
		n++;
	}
	return n;
}
