/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DMA guard: what makes an unmap wait for DMA already under way, as an
 * IOTLB invalidation with its sync does on hardware.
 *
 * A device copies through host addresses it translated a moment before;
 * if the mapping went away in between (an IOAS unmap), the copy must not
 * touch memory that is being unpinned or unmapped. Each DMA brackets its
 * translate-and-copy with ufd_dma_guard_enter()/ufd_dma_guard_exit(); an
 * unmap, after it removed the translations from the domains and before it
 * lets the memory go, calls ufd_dma_guard_wait(), which returns once every
 * DMA that may have seen the old translations has finished. DMA costs two
 * stores, a fence and a load; a wait scans one slot per thread that ever
 * did DMA (base/tslot.h). (An epoch scheme, as RCU: no lock on the DMA
 * side.)
 *
 * Blocking. Moving pinned memory to another host address (src/iopt
 * move.c) rewrites translations and then moves the pages, which no DMA
 * may overlap: ufd_dma_block() waits for every DMA under way and holds
 * new ones at the entrance, until ufd_dma_unblock(). A DMA held there
 * holds nothing else, so enter the guard before taking locks. The thread
 * that blocked passes through (its own invalidation commands may touch
 * the hardware).
 */
#ifndef UIOMMUFD_BASE_DMAGUARD_H
#define UIOMMUFD_BASE_DMAGUARD_H

#include <stdatomic.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/tslot.h"

extern _Atomic uint64_t ufd_dma_epoch;
extern _Atomic int ufd_dma_blocked;

void ufd_dma_guard_held(struct ufd_tslot *s);

/** ufd_dma_guard_enter() - a DMA starts translating and copying */
static inline struct ufd_tslot *ufd_dma_guard_enter(void)
{
	struct ufd_tslot *s = ufd_tslot_mine();

	atomic_store_explicit(&s->dma_active,
			      atomic_load_explicit(&ufd_dma_epoch,
						   memory_order_relaxed),
			      memory_order_relaxed);
	/* Publish before reading any translation (pairs with the wait). */
	atomic_thread_fence(memory_order_seq_cst);
	if (unlikely(atomic_load_explicit(&ufd_dma_blocked,
					  memory_order_acquire)))
		ufd_dma_guard_held(s);
	return s;
}

/** ufd_dma_guard_exit() - the DMA no longer uses what it translated */
static inline void ufd_dma_guard_exit(struct ufd_tslot *s)
{
	atomic_store_explicit(&s->dma_active, 0, memory_order_release);
}

void ufd_dma_guard_wait(void);
void ufd_dma_block(void);
void ufd_dma_unblock(void);
void ufd_dma_atfork_child(void);

#endif
