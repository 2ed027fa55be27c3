// SPDX-License-Identifier: BSD-3-Clause
/*
 * Pinned user memory against the program's munmap(); see pinned.h.
 *
 * Two interval trees under pinned_lock: the registry of user pages objects
 * with pins (a node per segment of each object, ranges may overlap), and
 * the orphans (page ranges kept mapped by us for the devices: moved aside,
 * or given up by the program while pinned; never overlapping). An orphan
 * goes when the last registered segment touching it unregisters: its
 * memory is unmapped then.
 */
#include <errno.h>
#include <sched.h>

#include "base/compiler.h"
#include "base/alloc.h"
#include "base/itree.h"
#include "base/lock.h"
#include "base/rawpool.h"
#include "base/sys.h"
#include "iopt/pages.h"
#include "iopt/pinned.h"

static struct ufd_mutex pinned_lock = UFD_MUTEX_INIT;
static struct itree_root regs;	  /* pinned_lock */
static struct itree_root orphans; /* pinned_lock */
/*
 * Orphan nodes (pinned_lock): made for the program's munmap() as much as
 * for an unpin, so from a raw pool (base/rawpool.h), never failed on
 * purpose by fail-nth.
 */
static struct ufd_rawpool orphan_nodes = UFD_RAWPOOL_INIT(struct itree_node);
_Atomic unsigned int iopt_pinned_live;
_Atomic unsigned int iopt_pinned_fast;

/**
 * iopt_pinned_add() - user @pages got their first pin; pages->mutex held
 */
void iopt_pinned_add(struct iopt_pages *pages)
{
	unsigned int i;

	ufd_mutex_lock(&pinned_lock);
	for (i = 0; i < pages->nsegs; i++)
		itree_insert(&regs, &pages->segs[i].node);
	atomic_fetch_add(&iopt_pinned_live, 1);
	ufd_mutex_unlock(&pinned_lock);
	/* A lock-free munmap() that missed us must land before we look. */
	while (atomic_load(&iopt_pinned_fast))
		sched_yield();
}

static void orphan_insert_locked(uint64_t start, uint64_t last)
{
	struct itree_node *o = ufd_rawpool_get(&orphan_nodes);

	if (!o)
		return; /* kept mapped for good: safe, only wasted */
	o->start = start;
	o->last = last;
	itree_insert(&orphans, o);
}

/* Records [start, last] as orphans where it is not one already. */
static void orphan_add_locked(uint64_t start, uint64_t last)
{
	uint64_t cur = start;
	struct itree_node *o;

	while (cur <= last) {
		/* Orphans never overlap: the first is the lowest. */
		o = itree_iter_first(&orphans, cur, last);
		if (!o) {
			orphan_insert_locked(cur, last);
			return;
		}
		if (o->start > cur)
			orphan_insert_locked(cur, o->start - 1);
		if (o->last >= last)
			return;
		cur = o->last + 1;
	}
}

/*
 * Unmaps what of orphan @o nothing registered covers any more; the parts
 * still pinned stay orphans.
 */
static void orphan_trim_locked(struct itree_node *o)
{
	uint64_t start = o->start, last = o->last;
	struct itree_span_iter it;

	itree_remove(&orphans, o);
	ufd_rawpool_put(&orphan_nodes, o);
	itree_for_each_span (&it, &regs, start, last) {
		if (it.is_hole)
			ufd_sys_munmap((void *)(uintptr_t)it.start_hole,
				       it.last_hole - it.start_hole + 1);
		else
			orphan_add_locked(it.start_used, it.last_used);
	}
}

/* Trims the orphans over [start, last] to what is still registered. */
static void orphans_trim_locked(uint64_t start, uint64_t last)
{
	struct itree_node *o, *next;

	for (o = itree_iter_first(&orphans, start, last); o; o = next) {
		next = itree_iter_next(o, start, last);
		orphan_trim_locked(o);
	}
}

/**
 * iopt_pinned_del() - user @pages lost their last pin; pages->mutex held
 *
 * Orphan memory nothing registered covers any more is unmapped now, and
 * pages that moved are the program's range again (as Linux, which pins
 * by the program's address next time).
 */
void iopt_pinned_del(struct iopt_pages *pages)
{
	unsigned int i;

	ufd_mutex_lock(&pinned_lock);
	for (i = 0; i < pages->nsegs; i++)
		itree_remove(&regs, &pages->segs[i].node);
	atomic_fetch_sub(&iopt_pinned_live, 1);
	for (i = 0; i < pages->nsegs; i++)
		orphans_trim_locked(pages->segs[i].node.start,
				    pages->segs[i].node.last);
	iopt_pages_seg_reset(pages);
	ufd_mutex_unlock(&pinned_lock);
}

/**
 * iopt_pinned_collect() - the segments registered over [start, last]
 * @fn: called for each, under pinned_lock; a non-zero return stops the
 *      walk and is returned
 */
int iopt_pinned_collect(uint64_t start, uint64_t last,
			int (*fn)(struct iopt_pages_seg *seg, void *arg),
			void *arg)
{
	struct itree_node *n;
	int rc = 0;

	ufd_mutex_lock(&pinned_lock);
	for (n = itree_iter_first(&regs, start, last); n && !rc;
	     n = itree_iter_next(n, start, last))
		rc = fn(container_of(n, struct iopt_pages_seg, node), arg);
	ufd_mutex_unlock(&pinned_lock);
	return rc;
}

/**
 * iopt_pinned_resegment() - registered @pages are now in @segs
 * @segs: @n segments in page order, allocated (ufd_alloc); @pages owns
 *        them from now on
 *
 * pages->mutex held, with the mapping gate closed (move.c).
 */
void iopt_pinned_resegment(struct iopt_pages *pages,
			   struct iopt_pages_seg *segs, unsigned int n)
{
	unsigned int i;

	ufd_mutex_lock(&pinned_lock);
	for (i = 0; i < pages->nsegs; i++)
		itree_remove(&regs, &pages->segs[i].node);
	if (pages->segs != &pages->seg0)
		ufd_free(pages->segs);
	pages->segs = segs;
	pages->nsegs = n;
	for (i = 0; i < n; i++)
		itree_insert(&regs, &segs[i].node);
	ufd_mutex_unlock(&pinned_lock);
}

/**
 * iopt_pinned_orphan() - [start, last] is ours, mapped for the devices
 *
 * It is unmapped, piece by piece, as nothing registered covers it any
 * more (memory moved aside: move.c).
 */
void iopt_pinned_orphan(uint64_t start, uint64_t last)
{
	ufd_mutex_lock(&pinned_lock);
	orphan_add_locked(start, last);
	orphans_trim_locked(start, last);
	ufd_mutex_unlock(&pinned_lock);
}

/**
 * iopt_pinned_release() - let go of what in [addr, addr + len) nothing pins
 * @addr: page aligned
 * @len: bytes, rounded up to pages
 * @orphan: the program is unmapping the range: what is pinned becomes an
 *          orphan, left mapped until nothing pins it (else the program
 *          keeps its mapping and the pinned pieces are only left alone)
 * @release: called for each piece nothing pins, under pinned_lock, so no
 *           pin can register there meanwhile
 * @arg: for @release
 *
 * Return: 0, or -1 with errno from the first @release that failed (then no
 * orphan was recorded).
 */
int iopt_pinned_release(uintptr_t addr, size_t len, bool orphan,
			iopt_pinned_release_fn release, void *arg)
{
	uint64_t ps = iopt_page_size();
	uint64_t last = addr + ((len + ps - 1) & ~(ps - 1)) - 1;
	struct itree_span_iter it;
	int rc = 0;

	if (!len)
		return 0;
	ufd_mutex_lock(&pinned_lock);
	itree_for_each_span (&it, &regs, addr, last) {
		if (!it.is_hole)
			continue;
		rc = release(it.start_hole, it.last_hole - it.start_hole + 1,
			     arg);
		if (rc)
			goto out_unlock;
	}
	if (orphan)
		itree_for_each_span (&it, &regs, addr, last)
			if (!it.is_hole)
				orphan_add_locked(it.start_used, it.last_used);
out_unlock:
	ufd_mutex_unlock(&pinned_lock);
	return rc;
}

/**
 * iopt_pinned_reclaimed() - the program mapped over [addr, addr + len)
 *
 * Orphans there are no longer ours to unmap; the parts of them outside
 * the range still are.
 */
void iopt_pinned_reclaimed(uintptr_t addr, size_t len)
{
	uint64_t last = addr + len - 1;
	struct itree_node *o;

	if (!len)
		return;
	ufd_mutex_lock(&pinned_lock);
	while ((o = itree_iter_first(&orphans, addr, last))) {
		uint64_t ostart = o->start, olast = o->last;

		itree_remove(&orphans, o);
		ufd_rawpool_put(&orphan_nodes, o);
		if (ostart < addr)
			orphan_add_locked(ostart, addr - 1);
		if (olast > last)
			orphan_add_locked(last + 1, olast);
	}
	ufd_mutex_unlock(&pinned_lock);
}

/**
 * iopt_pinned_any() - whether anything in [addr, addr + len) is pinned
 * @unpinned: if nothing is, called with @arg under pinned_lock, so that no
 *            pin can register there before it is done; NULL: nothing
 */
bool iopt_pinned_any(uintptr_t addr, size_t len, void (*unpinned)(void *arg),
		     void *arg)
{
	bool any;

	if (!len || addr + len - 1 < addr)
		return false;
	ufd_mutex_lock(&pinned_lock);
	any = itree_iter_first(&regs, addr, addr + len - 1) != NULL;
	if (!any && unpinned)
		unpinned(arg);
	ufd_mutex_unlock(&pinned_lock);
	return any;
}

/**
 * iopt_pinned_next_span() - the first registered span in [*start, last]
 * @start: in: where to look from; out: the span's first byte
 * @span_last: out: its last byte (within @last)
 *
 * Return: false when nothing in [*start, last] is registered.
 */
bool iopt_pinned_next_span(uint64_t *start, uint64_t last, uint64_t *span_last)
{
	struct itree_span_iter it;
	bool found = false;

	ufd_mutex_lock(&pinned_lock);
	itree_for_each_span (&it, &regs, *start, last) {
		if (it.is_hole)
			continue;
		*start = it.start_used;
		*span_last = it.last_used;
		found = true;
		break;
	}
	ufd_mutex_unlock(&pinned_lock);
	return found;
}
