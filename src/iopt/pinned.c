// SPDX-License-Identifier: BSD-3-Clause
/*
 * Pinned user memory against the program's munmap(); see pinned.h.
 *
 * Two interval trees under pinned_lock: the registry of user pages objects
 * with pins (each object's own node, ranges may overlap), and the orphans
 * (page ranges the program gave up while pinned, kept mapped by us, never
 * overlapping). An orphan goes when the last registered object touching
 * it unregisters: its memory is unmapped then.
 */
#include <errno.h>
#include <sched.h>

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

static uint64_t pages_last(const struct iopt_pages *pages)
{
	return pages->base + pages->npages * iopt_page_size() - 1;
}

/**
 * iopt_pinned_add() - user @pages got their first pin; pages->mutex held
 */
void iopt_pinned_add(struct iopt_pages *pages)
{
	ufd_mutex_lock(&pinned_lock);
	pages->pin_node.start = pages->base;
	pages->pin_node.last = pages_last(pages);
	itree_insert(&regs, &pages->pin_node);
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

/**
 * iopt_pinned_del() - user @pages lost their last pin; pages->mutex held
 *
 * Orphan memory nothing registered covers any more is unmapped now.
 */
void iopt_pinned_del(struct iopt_pages *pages)
{
	uint64_t start = pages->pin_node.start, last = pages->pin_node.last;
	struct itree_node *o, *next;

	ufd_mutex_lock(&pinned_lock);
	itree_remove(&regs, &pages->pin_node);
	atomic_fetch_sub(&iopt_pinned_live, 1);
	for (o = itree_iter_first(&orphans, start, last); o; o = next) {
		next = itree_iter_next(o, start, last);
		orphan_trim_locked(o);
	}
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
