/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pinned user memory and the program's own mapping of it.
 *
 * Under Linux a pinned page outlives the program's mapping: after munmap()
 * or madvise(MADV_DONTNEED) the device keeps reading and writing the page
 * it was given. Here the "physical address" of a page is a host address
 * (DESIGN.md), so an unmap by the program would leave the device copying
 * into a hole. The preload library therefore asks before it lets such a
 * call through. The registry here knows which host ranges user pages
 * with pins occupy (one entry per segment: pages.h); move.c moves pinned
 * spans aside or along with the pins following, and iopt_pinned_release()
 * splits a range into what may go now, which it lets go, and what is
 * pinned and must stay mapped. Memory we keep mapped for the devices (set
 * aside by move.c, or pinned memory that could not move) is an "orphan",
 * no longer the program's, unmapped when nothing pins memory there any
 * more. A program that maps over an orphan with MAP_FIXED takes the range
 * back (iopt_pinned_reclaimed()).
 *
 * Granularity is the pages object: memory counts as pinned while any user
 * pages object covering it has any page pinned, which keeps orphans a
 * little longer than the kernel keeps pages, never shorter.
 *
 * Locking: pinned_lock (in pinned.c) guards the registry and the orphans;
 * it nests inside pages->mutex. The release runs under it, and a pin
 * registers (iopt_pinned_add()) before it checks that its memory is
 * there, so a pin racing an munmap() either sees the memory gone (EFAULT)
 * or keeps it: never a pin of memory the program unmapped.
 */
#ifndef UIOMMUFD_IOPT_PINNED_H
#define UIOMMUFD_IOPT_PINNED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iopt_pages;
struct iopt_pages_seg;

/* Non-zero while any user memory is pinned: one load for the fast path. */
extern _Atomic unsigned int iopt_pinned_live;
/* Callers inside an iopt_pinned_fast_enter() section. */
extern _Atomic unsigned int iopt_pinned_fast;

/*
 * The preload library's fast paths (munmap, madvise, mremap while nothing
 * is pinned) take no lock, so a pin registering at that moment could check
 * its memory before the change lands and pin what is about to go. Such a
 * path runs its change between iopt_pinned_fast_enter(), which answers
 * false once anything is pinned (then take the locked path), and
 * iopt_pinned_fast_exit(); a pin that has registered waits for the paths
 * already inside to leave before it checks its memory (iopt_pinned_add()).
 * Sequentially consistent on both sides: either the path sees the pin, or
 * the pin waits for the path.
 */
static inline bool iopt_pinned_fast_enter(void)
{
	atomic_fetch_add(&iopt_pinned_fast, 1);
	if (!atomic_load(&iopt_pinned_live))
		return true;
	atomic_fetch_sub(&iopt_pinned_fast, 1);
	return false;
}

static inline void iopt_pinned_fast_exit(void)
{
	atomic_fetch_sub(&iopt_pinned_fast, 1);
}

void iopt_pinned_add(struct iopt_pages *pages);
void iopt_pinned_del(struct iopt_pages *pages);

/* Lets [start, start + len) go; 0, or -1 with errno set. */
typedef int (*iopt_pinned_release_fn)(uintptr_t start, size_t len, void *arg);

int iopt_pinned_release(uintptr_t addr, size_t len, bool orphan,
			iopt_pinned_release_fn release, void *arg);
void iopt_pinned_reclaimed(uintptr_t addr, size_t len);
bool iopt_pinned_any(uintptr_t addr, size_t len, void (*unpinned)(void *arg),
		     void *arg);

/* For move.c, with the mapping gate closed. */
int iopt_pinned_collect(uint64_t start, uint64_t last,
			int (*fn)(struct iopt_pages_seg *seg, void *arg),
			void *arg);
void iopt_pinned_resegment(struct iopt_pages *pages,
			   struct iopt_pages_seg *segs, unsigned int n);
void iopt_pinned_orphan(uint64_t start, uint64_t last);
bool iopt_pinned_next_span(uint64_t *start, uint64_t last, uint64_t *span_last);

/* Moving pinned memory with the pages following (move.c). */
size_t iopt_pinned_move_aside(uintptr_t addr, size_t len, bool keep);
int iopt_pinned_unmap(uintptr_t addr, size_t len, bool discard,
		      iopt_pinned_release_fn release, void *arg);
int iopt_pinned_move(uintptr_t from, size_t old_len, size_t new_len, int flags,
		     uintptr_t to);

#endif
