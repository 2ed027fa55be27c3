/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mapping gate: many threads pass through it, one at a time can close
 * it. Closing waits for every thread inside to leave and holds new ones at
 * the entrance until the gate opens again.
 *
 * The io_pagetable runs everything that pins, unpins or changes what
 * domains map inside the gate; moving pinned memory (src/iopt/move.c)
 * closes it, so it sees areas, pages and domains at rest without taking
 * the locks of every io_pagetable in an order nobody else uses.
 *
 * Entering costs a store and a fence in the calling thread's own slot
 * (base/tslot.h), nothing shared; sections nest. A thread held at the
 * entrance holds nothing of the gate, so enter before taking locks.
 * Closing from inside the gate would wait for itself: check
 * ufd_gate_inside() first.
 */
#ifndef UIOMMUFD_BASE_GATE_H
#define UIOMMUFD_BASE_GATE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "base/compiler.h"
#include "base/tslot.h"

extern _Atomic int ufd_gate_closed;

void ufd_gate_held(struct ufd_tslot *s);

/** ufd_gate_enter() - pass in; pairs with ufd_gate_exit() */
static inline void ufd_gate_enter(void)
{
	struct ufd_tslot *s = ufd_tslot_mine();
	unsigned int d =
		atomic_load_explicit(&s->gate_depth, memory_order_relaxed);

	atomic_store_explicit(&s->gate_depth, d + 1, memory_order_relaxed);
	if (d)
		return; /* already inside: a closer waits for us */
	atomic_thread_fence(memory_order_seq_cst);
	if (unlikely(atomic_load_explicit(&ufd_gate_closed,
					  memory_order_acquire)))
		ufd_gate_held(s);
}

/** ufd_gate_exit() - leave */
static inline void ufd_gate_exit(void)
{
	struct ufd_tslot *s = ufd_tslot_my;

	atomic_store_explicit(
		&s->gate_depth,
		atomic_load_explicit(&s->gate_depth, memory_order_relaxed) - 1,
		memory_order_release);
}

/** ufd_gate_inside() - is the calling thread inside the gate? */
static inline bool ufd_gate_inside(void)
{
	struct ufd_tslot *s = ufd_tslot_my;

	return s && atomic_load_explicit(&s->gate_depth, memory_order_relaxed);
}

void ufd_gate_close(void);
void ufd_gate_open(void);
void ufd_gate_atfork_child(void);

#endif
