/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory allocation and fault injection.
 *
 * Every allocation in uiommufd goes through ufd_alloc() and friends. They
 * behave like their libc counterparts, except:
 *   - each first evaluates the fail point UFD_FAIL_POINT_ALLOC ("alloc") and
 *     returns NULL without allocating when it says "fail"; callers turn NULL
 *     into -ENOMEM;
 *   - a zero size allocates a minimal block, so success is never NULL;
 *   - a process-wide counter of live blocks (allocated and not yet freed
 *     through ufd_free()) lets tests assert that an operation, or a failed
 *     operation, leaked nothing.
 * Memory from these functions must be freed with ufd_free(), and memory from
 * anywhere else must not be: the live-block count would drift.
 *
 * Fail points. A fail point is a named site that may be told to fail:
 * allocations use the name "alloc"; other sites that can fail in the kernel
 * (pinning pages, copying from user memory) call ufd_fail_point() with their
 * own name. Two independent mechanisms decide:
 *
 *   fail-nth (per thread, the model is Linux's /proc/self/task/<tid>/fail-nth)
 *	ufd_fail_nth_set(n) arms a countdown on the calling thread; every fail
 *	point evaluated by that thread, whatever its name, decrements it, and
 *	the evaluation that brings it to zero fails. It then stays disarmed.
 *	A sweep runs an operation with n = 1, 2, 3, ... until the operation
 *	completes with the countdown still armed (ufd_fail_nth_get() != 0):
 *	every failure path has then been taken once.
 *
 *   named points (process-wide)
 *	ufd_fail_point_enable(name, nth, times) makes evaluations nth, nth+1,
 *	..., nth+times of that name fail (counting from 1 across all threads,
 *	from the moment it is enabled): times = 0 fails exactly one evaluation,
 *	UFD_FAIL_FOREVER fails every one from nth on.
 *
 * Cost: when neither mechanism is armed, an evaluation is a thread-local
 * increment (the evaluation counter), a thread-local load and a load of a
 * process-wide word that is only written when named points are enabled or
 * disabled, then a branch that is predicted not taken. No lock, no atomic
 * read-modify-write.
 */
#ifndef UIOMMUFD_BASE_ALLOC_H
#define UIOMMUFD_BASE_ALLOC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* The fail point every ufd_alloc*() function evaluates. */
#define UFD_FAIL_POINT_ALLOC "alloc"

/* ufd_fail_point_enable() times value meaning "never stop failing". */
#define UFD_FAIL_FOREVER UINT_MAX

/* How many names may be enabled at once, and the longest name. */
#define UFD_FAIL_POINT_SLOTS 32
#define UFD_FAIL_POINT_NAME_MAX 63

/** ufd_alloc - malloc(); NULL on (injected) failure. */
void *ufd_alloc(size_t size);

/** ufd_zalloc - zeroed ufd_alloc(). */
void *ufd_zalloc(size_t size);

/**
 * ufd_calloc - zeroed array of @n elements of @size bytes.
 *
 * Returns NULL if n * size overflows (without evaluating the fail point:
 * nothing was attempted) or on (injected) failure.
 */
void *ufd_calloc(size_t n, size_t size);

/**
 * ufd_realloc - resize a block from ufd_alloc*(); @p may be NULL.
 *
 * On failure returns NULL and leaves @p allocated and unchanged. A block
 * from ufd_alloc_aligned() loses its alignment guarantee.
 */
void *ufd_realloc(void *p, size_t size);

/**
 * ufd_alloc_aligned - zeroed block aligned to @align bytes.
 * @align: a power of two; values below sizeof(void *) are rounded up.
 *
 * Returns NULL on (injected) failure or if @align is not a power of two.
 * Used for page-table pages, which must be naturally aligned.
 */
void *ufd_alloc_aligned(size_t align, size_t size);

/** ufd_strdup - copy of the string @s; NULL on (injected) failure. */
char *ufd_strdup(const char *s);

/** ufd_free - free a block from any ufd_alloc*() function; NULL is a no-op. */
void ufd_free(void *p);

/**
 * ufd_alloc_live - blocks allocated through ufd_alloc*() and not yet freed.
 *
 * Process-wide. Compare values taken before and after an operation; the
 * absolute value includes blocks held by long-lived state.
 */
int64_t ufd_alloc_live(void);

/**
 * ufd_fail_point - evaluate the fail point @name.
 *
 * Returns true when the caller must fail as if the operation it guards had
 * failed (for an allocation: return NULL). Every call counts as one
 * evaluation for fail-nth and for @name's named point.
 */
bool ufd_fail_point(const char *name);

/**
 * ufd_fail_nth_set - arm fail-nth on the calling thread.
 *
 * The @n-th fail-point evaluation on this thread from now on fails (n = 1:
 * the very next one); after it, fail-nth is disarmed. @n = 0 disarms.
 */
void ufd_fail_nth_set(unsigned int n);

/**
 * ufd_fail_nth_get - evaluations left before fail-nth fires on this thread.
 *
 * 0 when it has fired or was never armed; otherwise the value that, passed
 * to ufd_fail_nth_set(), would continue the same countdown.
 */
unsigned int ufd_fail_nth_get(void);

/**
 * ufd_fail_point_count - fail points evaluated by the calling thread so far.
 *
 * Counts every evaluation, armed or not. A fail-nth sweep that sees the
 * count grow by less than n during an operation knows the n-th site does
 * not exist and can stop.
 */
uint64_t ufd_fail_point_count(void);

/**
 * ufd_fail_point_enable - fail evaluations nth .. nth + times of @name.
 * @nth: first failing evaluation, counting from 1 from now, process-wide.
 * @times: further failures after the first; UFD_FAIL_FOREVER for no end.
 *
 * Re-enabling a name restarts its count. Returns 0, -EINVAL for a NULL,
 * empty or over-long name or @nth = 0, -ENOSPC if UFD_FAIL_POINT_SLOTS
 * names are already enabled.
 */
int ufd_fail_point_enable(const char *name, unsigned int nth,
			  unsigned int times);

/**
 * ufd_fail_point_disable - stop injecting failures at @name.
 *
 * Returns 0, or -ENOENT if @name is not enabled (or has finished failing).
 */
int ufd_fail_point_disable(const char *name);

/** ufd_fail_point_disable_all - disable every named fail point. */
void ufd_fail_point_disable_all(void);

#endif
