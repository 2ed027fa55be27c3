/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spinning: what a thread does between two looks at memory another thread
 * (or a guest, or a hardware model's thread) will change soon.
 *
 * ufd_cpu_relax() is one pause. ufd_poll_relax() is for a poll loop that
 * expects an answer within microseconds: it pauses, and every
 * UFD_POLL_YIELD_EVERY rounds gives the CPU away once, so that a poll loop
 * on an oversubscribed machine lets the thread it waits for run. A system
 * call per round would cost more than the wait it polls for (hundreds of
 * nanoseconds under a hypervisor), which is why most rounds only pause.
 */
#ifndef UIOMMUFD_BASE_SPIN_H
#define UIOMMUFD_BASE_SPIN_H

#include <sched.h>

#define UFD_POLL_YIELD_EVERY 64

static inline void ufd_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Between rounds @round and @round + 1 of a poll loop (counting from 0). */
static inline void ufd_poll_relax(unsigned int round)
{
	if (round % UFD_POLL_YIELD_EVERY == UFD_POLL_YIELD_EVERY - 1)
		sched_yield();
	else
		ufd_cpu_relax();
}

#endif
