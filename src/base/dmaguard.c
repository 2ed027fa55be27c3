// SPDX-License-Identifier: BSD-3-Clause
/*
 * The DMA guard; see dmaguard.h.
 *
 * Slots: one per thread that ever did DMA, on a list that only grows; a
 * thread's slot is handed to a later thread when it exits (a pthread key
 * destructor marks it free). Slots come from calloc(), not ufd_alloc():
 * they belong to threads, not to any object whose leaks tests count, and
 * entering the guard must not fail.
 *
 * Correctness: a DMA stores its epoch and fences before it reads a
 * translation; a wait first makes the translations unreachable (the
 * caller's unmap), then advances the epoch and fences, then reads every
 * slot. Either the wait sees the DMA's epoch (and waits for it to clear),
 * or the DMA's translation came after the fence and found the mapping
 * gone. A DMA that entered after the epoch moved is not waited for.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "base/dmaguard.h"
#include "base/lock.h"
#include "base/bug.h"

_Atomic uint64_t ufd_dma_epoch = 1;
_Thread_local struct ufd_dma_slot *ufd_dma_my_slot;

static struct ufd_dma_slot *_Atomic slots;
static struct ufd_mutex slots_lock = UFD_MUTEX_INIT;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slot_release(void *p)
{
	struct ufd_dma_slot *s = p;

	atomic_store(&s->active, 0);
	atomic_store(&s->in_use, 0);
}

static void slot_init(void)
{
	pthread_key_create(&slot_key, slot_release);
}

/** ufd_dma_slot_get() - the calling thread's slot, made on first use */
struct ufd_dma_slot *ufd_dma_slot_get(void)
{
	struct ufd_dma_slot *s;
	int expect = 0;

	pthread_once(&slot_once, slot_init);
	ufd_mutex_lock(&slots_lock);
	for (s = atomic_load(&slots); s; s = s->next)
		if (atomic_compare_exchange_strong(&s->in_use, &expect, 1))
			break;
		else
			expect = 0;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			ufd_panic("DMA guard: no memory for a thread slot");
		atomic_init(&s->in_use, 1);
		s->next = atomic_load(&slots);
		atomic_store(&slots, s);
	}
	ufd_mutex_unlock(&slots_lock);
	pthread_setspecific(slot_key, s);
	ufd_dma_my_slot = s;
	return s;
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
	struct ufd_dma_slot *s;

	atomic_thread_fence(memory_order_seq_cst);
	for (s = atomic_load(&slots); s; s = s->next) {
		uint64_t a;

		while ((a = atomic_load_explicit(&s->active,
						 memory_order_acquire)) &&
		       a < e)
			sched_yield();
	}
}
