/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread slots: one small record per thread that ever asked for one,
 * on a list that only grows, so another thread can read every thread's
 * state without a lock. What lives in a slot is the business of the
 * mechanisms that use it (the DMA guard, the mapping gate); a thread's
 * slot passes to a later thread once it exits, with every field back at
 * zero.
 *
 * Slots come from calloc(), not ufd_alloc(): they belong to threads, not
 * to any object whose leaks tests count, and getting one must not fail.
 */
#ifndef UIOMMUFD_BASE_TSLOT_H
#define UIOMMUFD_BASE_TSLOT_H

#include <stdatomic.h>
#include <stdint.h>

struct ufd_tslot {
	/* The DMA guard: the epoch the thread's DMA entered in; 0: none. */
	_Atomic uint64_t dma_active;
	/* The mapping gate: how deep the thread is inside it. */
	_Atomic unsigned int gate_depth;
	_Atomic int in_use; /* owned by a live thread */
	struct ufd_tslot *next;
};

struct ufd_tslot *ufd_tslot_get(void);
void ufd_tslot_atfork_child(void);
/* The list's head; walk it with ->next. */
struct ufd_tslot *ufd_tslot_first(void);
extern _Thread_local struct ufd_tslot *ufd_tslot_my;

/** ufd_tslot_mine() - the calling thread's slot, made on first use */
static inline struct ufd_tslot *ufd_tslot_mine(void)
{
	struct ufd_tslot *s = ufd_tslot_my;

	return s ? s : ufd_tslot_get();
}

#endif
