/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reference counts that refuse to be misused.
 *
 * A count that is incremented from zero is a use-after-free in progress; a
 * count that wraps past 2^32 turns a leak into a use-after-free; a count
 * decremented below zero is a double put. Each of these aborts with a
 * message at the faulty call rather than corrupting memory later.
 *
 * Saturation: the count may not exceed REFCOUNT_MAX (2^31 - 1). Aborting at
 * half the range leaves 2^31 increments of headroom, so even racing
 * increments cannot wrap the counter before one of them notices.
 *
 * Ordering, the usual pattern for counted objects:
 *  - increments are relaxed: taking a reference requires already having
 *    one (or, for refcount_inc_not_zero(), a lookup under a lock or RCU-like
 *    scheme that keeps the memory valid), so nothing to order against;
 *  - refcount_inc_not_zero() acquires on success, so the caller sees the
 *    object as the last put before it saw it;
 *  - decrements release; refcount_dec_and_test() also acquires, so the
 *    thread that frees the object sees every other user's writes to it.
 */
#ifndef UIOMMUFD_BASE_REFCOUNT_H
#define UIOMMUFD_BASE_REFCOUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/bug.h"
#include "base/compiler.h"

#define REFCOUNT_MAX 0x7fffffffU

typedef struct {
	_Atomic uint32_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)                                                       \
	{                                                                      \
		.refs = (n)                                                    \
	}

/* Set the count; only while no other thread can see the object. */
static inline void refcount_set(refcount_t *r, uint32_t n)
{
	atomic_store_explicit(&r->refs, n, memory_order_relaxed);
}

/* A snapshot; another thread may change it as soon as it is read. */
static inline uint32_t refcount_read(const refcount_t *r)
{
	return atomic_load_explicit((_Atomic uint32_t *)&r->refs,
				    memory_order_relaxed);
}

/* Take a reference; the caller must already own one. */
static inline void refcount_inc(refcount_t *r)
{
	uint32_t old =
		atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);

	if (unlikely(!old))
		ufd_panic("refcount %p: increment from zero (use after free)",
			  (void *)r);
	if (unlikely(old >= REFCOUNT_MAX))
		ufd_panic("refcount %p: saturated", (void *)r);
}

/*
 * Take a reference unless the count already reached zero (the object is
 * being freed). Returns true when a reference was taken.
 */
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	uint32_t old = atomic_load_explicit(&r->refs, memory_order_relaxed);

	do {
		if (!old)
			return false;
		if (unlikely(old >= REFCOUNT_MAX))
			ufd_panic("refcount %p: saturated", (void *)r);
	} while (!atomic_compare_exchange_weak_explicit(&r->refs, &old, old + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
}

/*
 * Drop a reference. Returns true when it was the last one: the caller now
 * owns the object exclusively and frees it.
 */
static inline bool refcount_dec_and_test(refcount_t *r)
{
	/*
	 * acq_rel rather than release plus a fence on the last put: the same
	 * instruction on x86, and ThreadSanitizer understands it.
	 */
	uint32_t old =
		atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel);

	if (unlikely(!old))
		ufd_panic("refcount %p: decrement below zero", (void *)r);
	return old == 1;
}

/*
 * Drop a reference that is known not to be the last one. Reaching zero here
 * means the object just leaked (nobody will free it): that aborts.
 */
static inline void refcount_dec(refcount_t *r)
{
	uint32_t old =
		atomic_fetch_sub_explicit(&r->refs, 1, memory_order_release);

	if (unlikely(old <= 1))
		ufd_panic("refcount %p: refcount_dec() %s", (void *)r,
			  old ? "dropped the last reference" : "below zero");
}

#endif
