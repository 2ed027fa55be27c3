// SPDX-License-Identifier: BSD-3-Clause
/*
 * The DMA guard; see dmaguard.h.
 *
 * Correctness: a DMA stores its epoch and fences before it reads a
 * translation; a wait first makes the translations unreachable (the
 * caller's unmap), then advances the epoch and fences, then reads every
 * slot. Either the wait sees the DMA's epoch (and waits for it to clear),
 * or the DMA's translation came after the fence and found the mapping
 * gone. A DMA that entered after the epoch moved is not waited for.
 *
 * Blocking is the same handshake with a flag: the blocker sets it and
 * fences, then waits for every slot but its own to be idle; a DMA that
 * entered (stored and fenced) either is seen and waited for, or sees the
 * flag, steps out (slot idle) and waits on block_lock, which the blocker
 * holds until it unblocks.
 */
#include <sched.h>

#include "base/dmaguard.h"
#include "base/lock.h"

_Atomic uint64_t ufd_dma_epoch = 1;
_Atomic int ufd_dma_blocked;

/* Held by the blocker from ufd_dma_block() to ufd_dma_unblock(). */
static struct ufd_mutex block_lock = UFD_MUTEX_INIT;
static struct ufd_tslot *_Atomic blocker; /* block_lock */

/**
 * ufd_dma_guard_held() - the guard is blocked: wait outside until it opens
 *
 * Called by ufd_dma_guard_enter() with @s entered; returns with it entered
 * again once no block is in force (or the caller is the blocker).
 */
void ufd_dma_guard_held(struct ufd_tslot *s)
{
	while (atomic_load_explicit(&ufd_dma_blocked, memory_order_acquire) &&
	       atomic_load_explicit(&blocker, memory_order_relaxed) != s) {
		atomic_store_explicit(&s->dma_active, 0, memory_order_release);
		ufd_mutex_lock(&block_lock);
		ufd_mutex_unlock(&block_lock);
		atomic_store_explicit(
			&s->dma_active,
			atomic_load_explicit(&ufd_dma_epoch,
					     memory_order_relaxed),
			memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
	}
}

/**
 * ufd_dma_guard_wait() - wait for every DMA that may use old translations
 *
 * Call after the translations are gone from every domain, before the
 * memory behind them is released. Must not be called from inside a DMA.
 */
void ufd_dma_guard_wait(void)
{
	uint64_t e = atomic_fetch_add(&ufd_dma_epoch, 1) + 1;
	struct ufd_tslot *s;

	atomic_thread_fence(memory_order_seq_cst);
	for (s = ufd_tslot_first(); s; s = s->next) {
		uint64_t a;

		while ((a = atomic_load_explicit(&s->dma_active,
						 memory_order_acquire)) &&
		       a < e)
			sched_yield();
	}
}

/**
 * ufd_dma_block() - wait for all DMA under way, hold new DMA until unblocked
 *
 * Blocks serialise with each other. Must not be called from inside a DMA.
 */
void ufd_dma_block(void)
{
	struct ufd_tslot *me = ufd_tslot_mine(), *s;

	ufd_mutex_lock(&block_lock);
	atomic_store_explicit(&blocker, me, memory_order_relaxed);
	atomic_store(&ufd_dma_blocked, 1);
	atomic_thread_fence(memory_order_seq_cst);
	for (s = ufd_tslot_first(); s; s = s->next)
		while (s != me && atomic_load_explicit(&s->dma_active,
						       memory_order_acquire))
			sched_yield();
}

/** ufd_dma_atfork_child() - in a fork child: no block is in force */
void ufd_dma_atfork_child(void)
{
	atomic_store(&blocker, NULL);
	atomic_store(&ufd_dma_blocked, 0);
	ufd_mutex_init(&block_lock);
}

/** ufd_dma_unblock() - let DMA through again */
void ufd_dma_unblock(void)
{
	atomic_store_explicit(&blocker, NULL, memory_order_relaxed);
	atomic_store_explicit(&ufd_dma_blocked, 0, memory_order_release);
	ufd_mutex_unlock(&block_lock);
}
