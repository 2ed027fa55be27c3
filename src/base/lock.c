// SPDX-License-Identifier: BSD-3-Clause
/*
 * Ownership tracking (debug builds): every thread has a distinct non-zero
 * token, the address of a thread-local byte. A lock stores its holder's token
 * right after acquiring and clears it right before releasing, so:
 *
 *   owner == my token  <=>  this thread holds the lock.
 *
 * The direction "owner == my token => I hold it" needs no memory ordering:
 * only the holder ever writes its own token, and a thread always observes its
 * own writes. Another thread may see a stale token, but never its own, so its
 * assertion answers correctly too. A condition wait gives the mutex up, so it
 * clears the token before sleeping and restores it after waking.
 *
 * Read-side ownership of an rwlock is not tracked per thread (that would need
 * a per-lock set of readers); a counter of readers inside answers "is it held
 * at all", which is what the read-side assertion promises.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/bug.h"
#include "base/lock.h"

#define NSEC_PER_SEC 1000000000ULL

/* pthread errors here are programming errors: report and stop. */
static __cold __noreturn void lock_failed(const char *what, int err)
{
	char buf[64];

	ufd_panic("%s failed: %s (%d)", what, strerror_r(err, buf, sizeof(buf)),
		  err);
}

#define CHECK_PTHREAD(call)                                                    \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (unlikely(rc_))                                             \
			lock_failed(#call, rc_);                               \
	} while (0)

#ifdef UIOMMUFD_DEBUG
static _Thread_local char thread_token_byte;

static inline uintptr_t thread_token(void)
{
	return (uintptr_t)&thread_token_byte;
}

static inline void mutex_set_owner(struct ufd_mutex *m)
{
	atomic_store_explicit(&m->owner, thread_token(), memory_order_relaxed);
}

static inline void mutex_clear_owner(struct ufd_mutex *m)
{
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) !=
	    thread_token())
		ufd_panic("mutex %p unlocked by a thread that does not hold it",
			  (void *)m);
	atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
}

void ufd_mutex_assert_held_at(struct ufd_mutex *m, const char *file, int line)
{
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) !=
	    thread_token())
		ufd_panic("%s:%d: mutex %p is not held by this thread", file,
			  line, (void *)m);
}

void ufd_mutex_assert_not_held_at(struct ufd_mutex *m, const char *file,
				  int line)
{
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) ==
	    thread_token())
		ufd_panic("%s:%d: mutex %p is already held by this thread",
			  file, line, (void *)m);
}

void ufd_rwlock_assert_held_at(struct ufd_rwlock *l, const char *file, int line)
{
	if (!atomic_load_explicit(&l->readers, memory_order_relaxed) &&
	    !atomic_load_explicit(&l->writer, memory_order_relaxed))
		ufd_panic("%s:%d: rwlock %p is not held", file, line,
			  (void *)l);
}

void ufd_rwlock_assert_wrheld_at(struct ufd_rwlock *l, const char *file,
				 int line)
{
	if (atomic_load_explicit(&l->writer, memory_order_relaxed) !=
	    thread_token())
		ufd_panic("%s:%d: rwlock %p is not write-held by this thread",
			  file, line, (void *)l);
}
#else
static inline void mutex_set_owner(struct ufd_mutex *m)
{
}

static inline void mutex_clear_owner(struct ufd_mutex *m)
{
}
#endif

void ufd_mutex_init(struct ufd_mutex *m)
{
	pthread_mutexattr_t attr;

	CHECK_PTHREAD(pthread_mutexattr_init(&attr));
#ifdef UIOMMUFD_DEBUG
	CHECK_PTHREAD(
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK));
	atomic_init(&m->owner, 0);
#endif
	CHECK_PTHREAD(pthread_mutex_init(&m->mutex, &attr));
	pthread_mutexattr_destroy(&attr);
}

void ufd_mutex_destroy(struct ufd_mutex *m)
{
	CHECK_PTHREAD(pthread_mutex_destroy(&m->mutex));
}

void ufd_mutex_lock(struct ufd_mutex *m)
{
	CHECK_PTHREAD(pthread_mutex_lock(&m->mutex));
	mutex_set_owner(m);
}

void ufd_mutex_unlock(struct ufd_mutex *m)
{
	mutex_clear_owner(m);
	CHECK_PTHREAD(pthread_mutex_unlock(&m->mutex));
}

bool ufd_mutex_trylock(struct ufd_mutex *m)
{
	int rc = pthread_mutex_trylock(&m->mutex);

	if (rc == EBUSY)
		return false;
	if (unlikely(rc))
		lock_failed("pthread_mutex_trylock", rc);
	mutex_set_owner(m);
	return true;
}

void ufd_rwlock_init(struct ufd_rwlock *l)
{
	pthread_rwlockattr_t attr;

	CHECK_PTHREAD(pthread_rwlockattr_init(&attr));
	CHECK_PTHREAD(pthread_rwlockattr_setkind_np(
		&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
	CHECK_PTHREAD(pthread_rwlock_init(&l->rwlock, &attr));
	pthread_rwlockattr_destroy(&attr);
#ifdef UIOMMUFD_DEBUG
	atomic_init(&l->readers, 0);
	atomic_init(&l->writer, 0);
#endif
}

void ufd_rwlock_destroy(struct ufd_rwlock *l)
{
	CHECK_PTHREAD(pthread_rwlock_destroy(&l->rwlock));
}

void ufd_rwlock_rdlock(struct ufd_rwlock *l)
{
	CHECK_PTHREAD(pthread_rwlock_rdlock(&l->rwlock));
#ifdef UIOMMUFD_DEBUG
	atomic_fetch_add_explicit(&l->readers, 1, memory_order_relaxed);
#endif
}

void ufd_rwlock_wrlock(struct ufd_rwlock *l)
{
	CHECK_PTHREAD(pthread_rwlock_wrlock(&l->rwlock));
#ifdef UIOMMUFD_DEBUG
	atomic_store_explicit(&l->writer, thread_token(), memory_order_relaxed);
#endif
}

void ufd_rwlock_unlock(struct ufd_rwlock *l)
{
#ifdef UIOMMUFD_DEBUG
	/*
	 * A thread holding the lock for write cannot also be a reader, so the
	 * writer token tells which side this unlock releases.
	 */
	if (atomic_load_explicit(&l->writer, memory_order_relaxed) ==
	    thread_token()) {
		atomic_store_explicit(&l->writer, 0, memory_order_relaxed);
	} else if (atomic_fetch_sub_explicit(&l->readers, 1,
					     memory_order_relaxed) <= 0) {
		ufd_panic("rwlock %p unlocked but not held", (void *)l);
	}
#endif
	CHECK_PTHREAD(pthread_rwlock_unlock(&l->rwlock));
}

void ufd_cond_init(struct ufd_cond *c)
{
	pthread_condattr_t attr;

	CHECK_PTHREAD(pthread_condattr_init(&attr));
	CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
	CHECK_PTHREAD(pthread_cond_init(&c->cond, &attr));
	pthread_condattr_destroy(&attr);
}

void ufd_cond_destroy(struct ufd_cond *c)
{
	CHECK_PTHREAD(pthread_cond_destroy(&c->cond));
}

void ufd_cond_wait(struct ufd_cond *c, struct ufd_mutex *m)
{
	mutex_clear_owner(m);
	CHECK_PTHREAD(pthread_cond_wait(&c->cond, &m->mutex));
	mutex_set_owner(m);
}

int ufd_cond_timedwait_ns(struct ufd_cond *c, struct ufd_mutex *m, uint64_t ns)
{
	struct timespec deadline;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	/*
	 * ns / NSEC_PER_SEC is below 2^35, far from overflowing time_t when
	 * added to the monotonic clock (seconds since boot).
	 */
	deadline.tv_sec += ns / NSEC_PER_SEC;
	deadline.tv_nsec += ns % NSEC_PER_SEC;
	if (deadline.tv_nsec >= (long)NSEC_PER_SEC) {
		deadline.tv_sec++;
		deadline.tv_nsec -= NSEC_PER_SEC;
	}

	mutex_clear_owner(m);
	rc = pthread_cond_timedwait(&c->cond, &m->mutex, &deadline);
	mutex_set_owner(m);
	if (rc == ETIMEDOUT)
		return -ETIMEDOUT;
	if (unlikely(rc))
		lock_failed("pthread_cond_timedwait", rc);
	return 0;
}

void ufd_cond_signal(struct ufd_cond *c)
{
	CHECK_PTHREAD(pthread_cond_signal(&c->cond));
}

void ufd_cond_broadcast(struct ufd_cond *c)
{
	CHECK_PTHREAD(pthread_cond_broadcast(&c->cond));
}
