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
 * stores and a fence; a wait scans one slot per thread that ever did DMA.
 * (An epoch scheme, as RCU: no lock on the DMA side.)
 */
#ifndef UIOMMUFD_BASE_DMAGUARD_H
#define UIOMMUFD_BASE_DMAGUARD_H

#include <stdatomic.h>
#include <stdint.h>

struct ufd_dma_slot {
	_Atomic uint64_t active; /* the epoch the DMA entered in; 0: none */
	_Atomic int in_use;	 /* owned by a live thread */
	struct ufd_dma_slot *next;
};

struct ufd_dma_slot *ufd_dma_slot_get(void);
extern _Atomic uint64_t ufd_dma_epoch;
extern _Thread_local struct ufd_dma_slot *ufd_dma_my_slot;

/** ufd_dma_guard_enter() - a DMA starts translating and copying */
static inline struct ufd_dma_slot *ufd_dma_guard_enter(void)
{
	struct ufd_dma_slot *s = ufd_dma_my_slot;

	if (!s)
		s = ufd_dma_slot_get();
	atomic_store_explicit(&s->active,
			      atomic_load_explicit(&ufd_dma_epoch,
						   memory_order_relaxed),
			      memory_order_relaxed);
	/* Publish before reading any translation (pairs with the wait). */
	atomic_thread_fence(memory_order_seq_cst);
	return s;
}

/** ufd_dma_guard_exit() - the DMA no longer uses what it translated */
static inline void ufd_dma_guard_exit(struct ufd_dma_slot *s)
{
	atomic_store_explicit(&s->active, 0, memory_order_release);
}

void ufd_dma_guard_wait(void);

#endif
