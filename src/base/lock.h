/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mutexes, reader/writer locks and condition variables.
 *
 * Thin wrappers over pthreads with two additions:
 *
 * - A pthread error that can only mean a bug in the caller (EDEADLK from
 *   relocking, EPERM from unlocking a lock this thread does not hold, EINVAL
 *   from an uninitialised object) aborts with a message instead of being
 *   ignored. None of these functions returns an error a caller could handle.
 *
 * - In debug builds (UIOMMUFD_DEBUG defined) each lock records who holds it,
 *   so code can state its locking rules as assertions:
 *	ufd_mutex_assert_held(&ioas->mutex);
 *   In release builds the assertions compile to nothing and the structures
 *   carry no extra fields.
 *
 * Reader/writer locks prefer writers: once a writer waits, new readers
 * block. This stops a stream of readers starving a writer, and it means a
 * thread must never take the same rwlock for read twice (the second rdlock
 * deadlocks behind a waiting writer), the same rule as the kernel's
 * rw_semaphore.
 *
 * Condition variables time out against CLOCK_MONOTONIC, so a wall-clock jump
 * neither shortens nor stretches a wait.
 */
#ifndef UIOMMUFD_BASE_LOCK_H
#define UIOMMUFD_BASE_LOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

struct ufd_mutex {
	pthread_mutex_t mutex;
#ifdef UIOMMUFD_DEBUG
	/* Token of the holding thread, 0 when unlocked. Written by the holder. */
	_Atomic uintptr_t owner;
#endif
};

/* Static initialiser, equivalent to ufd_mutex_init(). */
#ifdef UIOMMUFD_DEBUG
#define UFD_MUTEX_INIT                                                         \
	{                                                                      \
		.mutex = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP, .owner = 0   \
	}
#else
#define UFD_MUTEX_INIT                                                         \
	{                                                                      \
		.mutex = PTHREAD_MUTEX_INITIALIZER                             \
	}
#endif

/**
 * ufd_mutex_init - initialise an unlocked mutex.
 *
 * Debug builds use an error-checking mutex, so relocking from the same
 * thread aborts instead of deadlocking.
 */
void ufd_mutex_init(struct ufd_mutex *m);

/** ufd_mutex_destroy - release a mutex's resources; it must be unlocked. */
void ufd_mutex_destroy(struct ufd_mutex *m);

/** ufd_mutex_lock - acquire @m, blocking. Not recursive. */
void ufd_mutex_lock(struct ufd_mutex *m);

/** ufd_mutex_unlock - release @m, which this thread must hold. */
void ufd_mutex_unlock(struct ufd_mutex *m);

/**
 * ufd_mutex_trylock - acquire @m if it is free.
 *
 * Returns true when the lock was taken (pair with ufd_mutex_unlock()),
 * false when another thread holds it.
 */
bool ufd_mutex_trylock(struct ufd_mutex *m);

struct ufd_rwlock {
	pthread_rwlock_t rwlock;
#ifdef UIOMMUFD_DEBUG
	/* Readers currently inside, and the writer's token (0 if none). */
	_Atomic int readers;
	_Atomic uintptr_t writer;
#endif
};

/** ufd_rwlock_init - initialise an unlocked, writer-preferring rwlock. */
void ufd_rwlock_init(struct ufd_rwlock *l);

/** ufd_rwlock_destroy - release an rwlock's resources; it must be unlocked. */
void ufd_rwlock_destroy(struct ufd_rwlock *l);

/** ufd_rwlock_rdlock - acquire @l shared. Never nest two rdlocks. */
void ufd_rwlock_rdlock(struct ufd_rwlock *l);

/** ufd_rwlock_wrlock - acquire @l exclusive. */
void ufd_rwlock_wrlock(struct ufd_rwlock *l);

/** ufd_rwlock_unlock - release @l, whichever way this thread holds it. */
void ufd_rwlock_unlock(struct ufd_rwlock *l);

struct ufd_cond {
	pthread_cond_t cond;
};

/** ufd_cond_init - initialise a condition variable on CLOCK_MONOTONIC. */
void ufd_cond_init(struct ufd_cond *c);

/** ufd_cond_destroy - release @c; no thread may be waiting on it. */
void ufd_cond_destroy(struct ufd_cond *c);

/**
 * ufd_cond_wait - atomically release @m and wait for a signal on @c.
 *
 * The caller holds @m; it holds it again on return. Wake-ups may be
 * spurious, so callers re-check their predicate in a loop.
 */
void ufd_cond_wait(struct ufd_cond *c, struct ufd_mutex *m);

/**
 * ufd_cond_timedwait_ns - ufd_cond_wait() for at most @ns nanoseconds.
 * @ns: relative timeout; the deadline is taken from CLOCK_MONOTONIC now.
 *
 * Returns 0 when woken (possibly spuriously), -ETIMEDOUT when the deadline
 * passed. Either way @m is held again on return.
 */
int ufd_cond_timedwait_ns(struct ufd_cond *c, struct ufd_mutex *m, uint64_t ns);

/** ufd_cond_signal - wake at least one waiter of @c, if any. */
void ufd_cond_signal(struct ufd_cond *c);

/** ufd_cond_broadcast - wake every waiter of @c. */
void ufd_cond_broadcast(struct ufd_cond *c);

#ifdef UIOMMUFD_DEBUG
/*
 * The *_at functions back the assertion macros below; call the macros, which
 * supply the location and vanish in release builds.
 */
void ufd_mutex_assert_held_at(struct ufd_mutex *m, const char *file, int line);
void ufd_mutex_assert_not_held_at(struct ufd_mutex *m, const char *file,
				  int line);
void ufd_rwlock_assert_held_at(struct ufd_rwlock *l, const char *file,
			       int line);
void ufd_rwlock_assert_wrheld_at(struct ufd_rwlock *l, const char *file,
				 int line);

/* Abort unless the calling thread holds m. */
#define ufd_mutex_assert_held(m) ufd_mutex_assert_held_at(m, __FILE__, __LINE__)
/* Abort if the calling thread holds m (about to take it, or to sleep). */
#define ufd_mutex_assert_not_held(m)                                           \
	ufd_mutex_assert_not_held_at(m, __FILE__, __LINE__)
/*
 * Abort unless somebody holds l for read or write. Best effort: it cannot
 * tell whether the reader is the calling thread.
 */
#define ufd_rwlock_assert_held(l)                                              \
	ufd_rwlock_assert_held_at(l, __FILE__, __LINE__)
/* Abort unless the calling thread holds l for write. */
#define ufd_rwlock_assert_wrheld(l)                                            \
	ufd_rwlock_assert_wrheld_at(l, __FILE__, __LINE__)
#else
/* sizeof keeps the argument type-checked without evaluating it. */
#define ufd_mutex_assert_held(m) ((void)sizeof(m))
#define ufd_mutex_assert_not_held(m) ((void)sizeof(m))
#define ufd_rwlock_assert_held(l) ((void)sizeof(l))
#define ufd_rwlock_assert_wrheld(l) ((void)sizeof(l))
#endif

#endif
