// SPDX-License-Identifier: BSD-3-Clause
/*
 * Per-thread slots; see tslot.h. A pthread key destructor hands an exiting
 * thread's slot back (in_use 0) for the next thread that asks.
 */
#include <pthread.h>
#include <stdlib.h>

#include "base/bug.h"
#include "base/lock.h"
#include "base/tslot.h"

_Thread_local struct ufd_tslot *ufd_tslot_my;

static struct ufd_tslot *_Atomic slots;
static struct ufd_mutex slots_lock = UFD_MUTEX_INIT;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slot_release(void *p)
{
	struct ufd_tslot *s = p;

	atomic_store(&s->dma_active, 0);
	atomic_store(&s->gate_depth, 0);
	atomic_store(&s->in_use, 0);
}

static void slot_init(void)
{
	pthread_key_create(&slot_key, slot_release);
}

/**
 * ufd_tslot_atfork_child() - in a fork child: only the calling thread is
 * left, so every other slot is free, with nothing inside a DMA or a gate
 */
void ufd_tslot_atfork_child(void)
{
	struct ufd_tslot *s;

	ufd_mutex_init(&slots_lock);
	for (s = atomic_load(&slots); s; s = s->next)
		if (s != ufd_tslot_my)
			slot_release(s);
}

/** ufd_tslot_first() - the first slot of the list (NULL: none yet) */
struct ufd_tslot *ufd_tslot_first(void)
{
	return atomic_load(&slots);
}

/** ufd_tslot_get() - the calling thread's slot, made or reused */
struct ufd_tslot *ufd_tslot_get(void)
{
	struct ufd_tslot *s;
	int expect = 0;

	if (ufd_tslot_my)
		return ufd_tslot_my;
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
			ufd_panic("no memory for a thread slot");
		atomic_init(&s->in_use, 1);
		s->next = atomic_load(&slots);
		atomic_store(&slots, s);
	}
	ufd_mutex_unlock(&slots_lock);
	pthread_setspecific(slot_key, s);
	ufd_tslot_my = s;
	return s;
}
