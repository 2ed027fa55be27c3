/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequence locks over a 32-bit count, for caches whose hits must take no
 * lock (the hardware models' IOTLBs and configuration caches).
 *
 * The count is odd while a writer is inside. Readers take the count with
 * ufd_seq_begin(), copy what they need with acquire loads (ufd_seq_load)
 * and retry when ufd_seq_retry() says the count moved; writers exclude
 * each other by moving the count from even to odd with a compare-and-swap
 * (ufd_seq_lock()), store with release (ufd_seq_store) and make it even
 * again (ufd_seq_unlock()). The acquire/release pairs, not fences, order
 * the data against the count: a reader that sees a writer's store also
 * sees the odd count before it. On x86 these are plain moves, and thread
 * sanitizer understands them. The lock's compare-and-swap is sequentially
 * consistent, so a writer is also ordered against other seq_cst accesses
 * (a cache's generation count) around it.
 */
#ifndef UIOMMUFD_BASE_SEQLOCK_H
#define UIOMMUFD_BASE_SEQLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/spin.h"

#define ufd_seq_load(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ufd_seq_store(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)

/* The count to check the read against; waits out a writer inside. */
static inline uint32_t ufd_seq_begin(const uint32_t *seq)
{
	uint32_t s;

	while ((s = __atomic_load_n(seq, __ATOMIC_ACQUIRE)) & 1)
		ufd_cpu_relax();
	return s;
}

/* After the acquire loads of the data: must the read start again? */
static inline bool ufd_seq_retry(const uint32_t *seq, uint32_t s)
{
	return __atomic_load_n(seq, __ATOMIC_RELAXED) != s;
}

static inline void ufd_seq_lock(uint32_t *seq)
{
	uint32_t s = __atomic_load_n(seq, __ATOMIC_RELAXED);

	for (;;) {
		if (!(s & 1) && __atomic_compare_exchange_n(
					seq, &s, s + 1, true, __ATOMIC_SEQ_CST,
					__ATOMIC_RELAXED))
			break;
		ufd_cpu_relax();
		s = __atomic_load_n(seq, __ATOMIC_RELAXED);
	}
}

static inline void ufd_seq_unlock(uint32_t *seq)
{
	__atomic_store_n(seq, __atomic_load_n(seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

#endif
