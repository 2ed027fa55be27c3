// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mapping gate; see gate.h.
 *
 * The handshake is the DMA guard's (dmaguard.c): an entering thread stores
 * its depth and fences before it reads the flag; the closer stores the
 * flag and fences before it reads the depths. Either the closer sees the
 * thread inside and waits for it to leave (its release store of depth 0
 * then orders everything it did before the closer's reads), or the thread
 * sees the flag, steps out and waits on close_lock, which the closer holds
 * until it opens.
 */
#include <sched.h>

#include "base/gate.h"
#include "base/lock.h"

_Atomic int ufd_gate_closed;

/* Held by the closer from ufd_gate_close() to ufd_gate_open(). */
static struct ufd_mutex close_lock = UFD_MUTEX_INIT;

/**
 * ufd_gate_held() - the gate is closed: wait outside until it opens
 *
 * Called by ufd_gate_enter() with @s at depth 1; returns with it there
 * again and the gate open.
 */
void ufd_gate_held(struct ufd_tslot *s)
{
	while (atomic_load_explicit(&ufd_gate_closed, memory_order_acquire)) {
		atomic_store_explicit(&s->gate_depth, 0, memory_order_release);
		ufd_mutex_lock(&close_lock);
		ufd_mutex_unlock(&close_lock);
		atomic_store_explicit(&s->gate_depth, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
	}
}

/**
 * ufd_gate_atfork_child() - in a fork child: a closer that was another
 * thread is gone, so the gate is open (call after
 * ufd_tslot_atfork_child())
 */
void ufd_gate_atfork_child(void)
{
	atomic_store(&ufd_gate_closed, 0);
	ufd_mutex_init(&close_lock);
}

/**
 * ufd_gate_close() - wait for every thread inside to leave; hold the rest
 *
 * Closers serialise with each other. The caller must not be inside.
 */
void ufd_gate_close(void)
{
	struct ufd_tslot *s;

	ufd_mutex_lock(&close_lock);
	atomic_store(&ufd_gate_closed, 1);
	atomic_thread_fence(memory_order_seq_cst);
	for (s = ufd_tslot_first(); s; s = s->next)
		while (atomic_load_explicit(&s->gate_depth,
					    memory_order_acquire))
			sched_yield();
}

/** ufd_gate_open() - let threads in again */
void ufd_gate_open(void)
{
	atomic_store_explicit(&ufd_gate_closed, 0, memory_order_release);
	ufd_mutex_unlock(&close_lock);
}
