// SPDX-License-Identifier: BSD-3-Clause
/*
 * Memory the program mapped, as the preload library saw it; see mapped.h.
 *
 * One interval tree of non-overlapping page ranges, each with the
 * protection it was mapped with. Nodes come from a raw pool (base/rawpool.h):
 * the program's mmap() is not uiommufd's work, so it must not consume a
 * fail-nth count meant for an ioctl or show in the live-block counter.
 * When no node can be had, the range is simply not recorded.
 */
#include <sys/mman.h>

#include "base/itree.h"
#include "base/lock.h"
#include "base/rawpool.h"
#include "iopt/mapped.h"

#define MAPPED_PAGE 4096ull
struct mapped_range {
	struct itree_node node; /* a page range; mapped_lock */
	int prot;		/* PROT_READ / PROT_WRITE it was mapped with */
};

static struct ufd_mutex mapped_lock = UFD_MUTEX_INIT;
static struct itree_root mapped; /* mapped_lock */
/* Where the nodes come from (mapped_lock): see the top of this file. */
static struct ufd_rawpool ranges = UFD_RAWPOOL_INIT(struct mapped_range);

static void range_insert_locked(uint64_t start, uint64_t last, int prot)
{
	struct mapped_range *r = ufd_rawpool_get(&ranges);

	if (!r)
		return; /* not recorded: pins there probe, as without us */
	r->node.start = start;
	r->node.last = last;
	r->prot = prot;
	itree_insert(&mapped, &r->node);
}

/* Drops [start, last] from the record, keeping what lies either side. */
static void forget_locked(uint64_t start, uint64_t last)
{
	struct itree_node *n;

	while ((n = itree_iter_first(&mapped, start, last))) {
		struct mapped_range *r =
			container_of(n, struct mapped_range, node);
		uint64_t rstart = n->start, rlast = n->last;

		itree_remove(&mapped, n);
		if (rstart < start)
			range_insert_locked(rstart, start - 1, r->prot);
		if (rlast > last)
			range_insert_locked(last + 1, rlast, r->prot);
		ufd_rawpool_put(&ranges, r);
	}
}

/* [addr, addr + len) as whole pages in @last; false for an empty range. */
static bool page_range(uintptr_t addr, size_t len, uint64_t *last)
{
	uint64_t end;

	if (!len || (uint64_t)len > UINT64_MAX - MAPPED_PAGE)
		return false;
	end = ((uint64_t)addr + len + MAPPED_PAGE - 1) & ~(MAPPED_PAGE - 1);
	if (end <= addr)
		return false;
	*last = end - 1;
	return true;
}

/**
 * iopt_mapped_add() - [addr, addr + len) is mapped with @prot from now on
 * @addr: page aligned (else nothing is recorded)
 * @prot: PROT_READ and PROT_WRITE count; other bits are ignored
 *
 * Whatever was recorded there is forgotten and, if @prot can read or
 * write, the range recorded in its place.
 */
void iopt_mapped_add(uintptr_t addr, size_t len, int prot)
{
	uint64_t last;

	if (addr % MAPPED_PAGE || !page_range(addr, len, &last))
		return;
	prot &= PROT_READ | PROT_WRITE;
	ufd_mutex_lock(&mapped_lock);
	forget_locked(addr, last);
	if (prot)
		range_insert_locked(addr, last, prot);
	ufd_mutex_unlock(&mapped_lock);
}

/**
 * iopt_mapped_note() - the program's mmap() at @addr succeeded
 * @addr: where the mapping was made
 * @len: its length
 * @prot: and protection
 * @flags: and flags, as passed to mmap()
 *
 * Whatever was recorded there is forgotten (the mapping replaced it); a
 * private or shared anonymous mapping that can be read or written is
 * recorded, unless its pages could fail to appear when first touched
 * (stacks that grow, memory mapped without a reservation).
 */
void iopt_mapped_note(uintptr_t addr, size_t len, int prot, int flags)
{
	if (addr % MAPPED_PAGE)
		return;
	if ((flags & MAP_ANONYMOUS) &&
	    !(flags & (MAP_GROWSDOWN | MAP_NORESERVE)))
		iopt_mapped_add(addr, len, prot);
	else
		iopt_mapped_forget(addr, len);
}

/**
 * iopt_mapped_forget() - [addr, addr + len) changed (unmapped, remapped,
 * protection changed): nothing there is known any more
 */
void iopt_mapped_forget(uintptr_t addr, size_t len)
{
	uint64_t last;

	if (!page_range(addr & ~(uintptr_t)(MAPPED_PAGE - 1),
			len + (addr & (MAPPED_PAGE - 1)), &last))
		return;
	ufd_mutex_lock(&mapped_lock);
	forget_locked(addr & ~(uintptr_t)(MAPPED_PAGE - 1), last);
	ufd_mutex_unlock(&mapped_lock);
}

/**
 * iopt_mapped_covers() - whether all of [addr, addr + len) is recorded
 * memory that can be read (and with @write, written)
 */
bool iopt_mapped_covers(uintptr_t addr, size_t len, bool write)
{
	int need = write ? PROT_WRITE : PROT_READ;
	uint64_t cur = addr & ~(uintptr_t)(MAPPED_PAGE - 1), last;
	struct itree_node *n;
	bool covered = false;

	if (!page_range(cur, len + (addr - cur), &last))
		return false;
	ufd_mutex_lock(&mapped_lock);
	for (n = itree_iter_first(&mapped, cur, last); n;
	     n = itree_iter_next(n, cur, last)) {
		if (n->start > cur ||
		    !(container_of(n, struct mapped_range, node)->prot & need))
			break;
		cur = n->last + 1;
		if (n->last >= last) {
			covered = true;
			break;
		}
	}
	ufd_mutex_unlock(&mapped_lock);
	return covered;
}
