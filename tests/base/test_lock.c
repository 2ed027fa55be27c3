// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "helpers.h"

#include "base/lock.h"

#define NTHREADS 4
#define ITERS 20000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct counter {
	struct ufd_mutex lock;
	/* Protected by lock; deliberately non-atomic. */
	unsigned long value;
};

static void *mutex_thread(void *arg)
{
	struct counter *c = arg;
	int i;

	for (i = 0; i < ITERS; i++) {
		ufd_mutex_lock(&c->lock);
		ufd_mutex_assert_held(&c->lock);
		c->value++;
		ufd_mutex_unlock(&c->lock);
	}
	return NULL;
}

static void test_mutex_counts(void **state)
{
	struct counter c = { .value = 0 };
	pthread_t th[NTHREADS];
	int i;

	ufd_mutex_init(&c.lock);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mutex_thread, &c),
				 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(c.value, NTHREADS * ITERS);
	ufd_mutex_destroy(&c.lock);
}

static void *trylock_thread(void *arg)
{
	struct ufd_mutex *m = arg;

	if (!ufd_mutex_trylock(m))
		return (void *)0;
	ufd_mutex_unlock(m);
	return (void *)1;
}

static void test_mutex_trylock(void **state)
{
	struct ufd_mutex m = UFD_MUTEX_INIT;
	pthread_t th;
	void *ret;

	assert_true(ufd_mutex_trylock(&m));
	ufd_mutex_assert_held(&m);
	/* Another thread cannot take it while we hold it. */
	assert_int_equal(pthread_create(&th, NULL, trylock_thread, &m), 0);
	pthread_join(th, &ret);
	assert_false((uintptr_t)ret);
	ufd_mutex_unlock(&m);

	/* Once released, it can. */
	assert_int_equal(pthread_create(&th, NULL, trylock_thread, &m), 0);
	pthread_join(th, &ret);
	assert_true((uintptr_t)ret);
	ufd_mutex_destroy(&m);
}

struct rw_shared {
	struct ufd_rwlock lock;
	_Atomic int readers_inside;
	_Atomic int max_readers_inside;
	/* Protected by lock. */
	unsigned long a, b;
	_Atomic int torn;
};

static void *rw_reader(void *arg)
{
	struct rw_shared *s = arg;
	int i, in, max;

	for (i = 0; i < ITERS; i++) {
		ufd_rwlock_rdlock(&s->lock);
		ufd_rwlock_assert_held(&s->lock);
		in = atomic_fetch_add(&s->readers_inside, 1) + 1;
		max = atomic_load(&s->max_readers_inside);
		while (in > max && !atomic_compare_exchange_weak(
					   &s->max_readers_inside, &max, in))
			;
		/* A writer keeps a == b; a reader must never see otherwise. */
		if (s->a != s->b)
			atomic_store(&s->torn, 1);
		atomic_fetch_sub(&s->readers_inside, 1);
		ufd_rwlock_unlock(&s->lock);
	}
	return NULL;
}

static void *rw_writer(void *arg)
{
	struct rw_shared *s = arg;
	int i;

	for (i = 0; i < ITERS / 4; i++) {
		ufd_rwlock_wrlock(&s->lock);
		ufd_rwlock_assert_wrheld(&s->lock);
		ufd_rwlock_assert_held(&s->lock);
		if (atomic_load(&s->readers_inside))
			atomic_store(&s->torn, 1);
		s->a++;
		s->b++;
		ufd_rwlock_unlock(&s->lock);
	}
	return NULL;
}

static void test_rwlock_exclusion(void **state)
{
	struct rw_shared s = { .a = 0, .b = 0 };
	pthread_t th[NTHREADS];
	int i;

	ufd_rwlock_init(&s.lock);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL,
						i < 2 ? rw_writer : rw_reader,
						&s),
				 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&s.torn), 0);
	assert_int_equal(s.a, 2 * (ITERS / 4));
	ufd_rwlock_destroy(&s.lock);
}

static void *rdlock_probe(void *arg)
{
	struct ufd_rwlock *l = arg;

	ufd_rwlock_rdlock(l);
	ufd_rwlock_unlock(l);
	return NULL;
}

/* Two readers can be inside at once: a second rdlock does not block. */
static void test_rwlock_shared(void **state)
{
	struct ufd_rwlock l;
	pthread_t th;

	ufd_rwlock_init(&l);
	ufd_rwlock_rdlock(&l);
	assert_int_equal(pthread_create(&th, NULL, rdlock_probe, &l), 0);
	pthread_join(th, NULL);
	ufd_rwlock_unlock(&l);
	ufd_rwlock_destroy(&l);
}

struct handoff {
	struct ufd_mutex lock;
	struct ufd_cond cond;
	/* Protected by lock. */
	int stage;
};

static void *handoff_thread(void *arg)
{
	struct handoff *h = arg;

	ufd_mutex_lock(&h->lock);
	while (h->stage != 1)
		ufd_cond_wait(&h->cond, &h->lock);
	/* The wait returned with the lock held again. */
	ufd_mutex_assert_held(&h->lock);
	h->stage = 2;
	ufd_cond_broadcast(&h->cond);
	ufd_mutex_unlock(&h->lock);
	return NULL;
}

static void test_cond(void **state)
{
	struct handoff h = { .stage = 0 };
	pthread_t th;
	int rc = 0;

	ufd_mutex_init(&h.lock);
	ufd_cond_init(&h.cond);
	assert_int_equal(pthread_create(&th, NULL, handoff_thread, &h), 0);

	ufd_mutex_lock(&h.lock);
	h.stage = 1;
	ufd_cond_signal(&h.cond);
	while (h.stage != 2 && !rc)
		rc = ufd_cond_timedwait_ns(&h.cond, &h.lock,
					   10ULL * 1000000000ULL);
	assert_int_equal(rc, 0);
	assert_int_equal(h.stage, 2);
	ufd_mutex_assert_held(&h.lock);
	ufd_mutex_unlock(&h.lock);

	pthread_join(th, NULL);
	ufd_cond_destroy(&h.cond);
	ufd_mutex_destroy(&h.lock);
}

static void test_cond_timeout(void **state)
{
	struct ufd_mutex m;
	struct ufd_cond c;
	uint64_t t0, waited;
	int rc;

	ufd_mutex_init(&m);
	ufd_cond_init(&c);
	ufd_mutex_lock(&m);
	t0 = now_ns();
	/* Spurious wake-ups return 0; keep waiting until the deadline. */
	do {
		waited = now_ns() - t0;
		rc = ufd_cond_timedwait_ns(
			&c, &m, waited < 20000000 ? 20000000 - waited : 0);
	} while (!rc);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_true(now_ns() - t0 >= 20000000);
	ufd_mutex_assert_held(&m);
	/* A zero timeout is already expired. */
	assert_int_equal(ufd_cond_timedwait_ns(&c, &m, 0), -ETIMEDOUT);
	ufd_mutex_unlock(&m);
	ufd_cond_destroy(&c);
	ufd_mutex_destroy(&m);
}

static void *late_signal_thread(void *arg)
{
	struct handoff *h = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	ufd_mutex_lock(&h->lock);
	h->stage = 1;
	ufd_cond_signal(&h->cond);
	ufd_mutex_unlock(&h->lock);
	return NULL;
}

/* Timeouts longer than a second keep their whole-seconds part. */
static void test_cond_long_timeout(void **state)
{
	struct handoff h = { .stage = 0 };
	pthread_t th;
	int rc = 0;

	ufd_mutex_init(&h.lock);
	ufd_cond_init(&h.cond);
	assert_int_equal(pthread_create(&th, NULL, late_signal_thread, &h), 0);
	ufd_mutex_lock(&h.lock);
	while (h.stage != 1 && !rc)
		rc = ufd_cond_timedwait_ns(&h.cond, &h.lock, 2000000000ULL);
	assert_int_equal(rc, 0);
	ufd_mutex_unlock(&h.lock);
	pthread_join(th, NULL);
	ufd_cond_destroy(&h.cond);
	ufd_mutex_destroy(&h.lock);
}

#ifdef UIOMMUFD_DEBUG
static void assert_unheld_mutex(void *arg)
{
	struct ufd_mutex m;

	ufd_mutex_init(&m);
	ufd_mutex_assert_held(&m);
}

static void *lock_and_exit(void *arg)
{
	ufd_mutex_lock(arg);
	return NULL;
}

static void assert_mutex_held_elsewhere(void *arg)
{
	struct ufd_mutex m;
	pthread_t th;

	ufd_mutex_init(&m);
	pthread_create(&th, NULL, lock_and_exit, &m);
	pthread_join(th, NULL);
	/* Held, but by the other thread. */
	ufd_mutex_assert_held(&m);
}

static void relock_mutex(void *arg)
{
	struct ufd_mutex m;

	ufd_mutex_init(&m);
	ufd_mutex_lock(&m);
	ufd_mutex_lock(&m);
}

static void unlock_unheld_mutex(void *arg)
{
	struct ufd_mutex m;

	ufd_mutex_init(&m);
	ufd_mutex_unlock(&m);
}

static void assert_not_held_while_held(void *arg)
{
	struct ufd_mutex m;

	ufd_mutex_init(&m);
	ufd_mutex_lock(&m);
	ufd_mutex_assert_not_held(&m);
}

static void assert_unheld_rwlock(void *arg)
{
	struct ufd_rwlock l;

	ufd_rwlock_init(&l);
	ufd_rwlock_assert_held(&l);
}

static void assert_wrheld_with_rdlock(void *arg)
{
	struct ufd_rwlock l;

	ufd_rwlock_init(&l);
	ufd_rwlock_rdlock(&l);
	ufd_rwlock_assert_wrheld(&l);
}

static void unlock_unheld_rwlock(void *arg)
{
	struct ufd_rwlock l;

	ufd_rwlock_init(&l);
	ufd_rwlock_unlock(&l);
}

static void test_debug_asserts(void **state)
{
	struct ufd_mutex m;

	assert_aborts(assert_unheld_mutex, NULL);
	assert_aborts(assert_mutex_held_elsewhere, NULL);
	assert_aborts(relock_mutex, NULL);
	assert_aborts(unlock_unheld_mutex, NULL);
	assert_aborts(assert_not_held_while_held, NULL);
	assert_aborts(assert_unheld_rwlock, NULL);
	assert_aborts(assert_wrheld_with_rdlock, NULL);
	assert_aborts(unlock_unheld_rwlock, NULL);

	/* And the quiet cases do not abort. */
	ufd_mutex_init(&m);
	ufd_mutex_assert_not_held(&m);
	ufd_mutex_lock(&m);
	ufd_mutex_assert_held(&m);
	ufd_mutex_unlock(&m);
	ufd_mutex_assert_not_held(&m);
	ufd_mutex_destroy(&m);
}
#else
static void test_debug_asserts(void **state)
{
	skip();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex_counts),
		cmocka_unit_test(test_mutex_trylock),
		cmocka_unit_test(test_rwlock_exclusion),
		cmocka_unit_test(test_rwlock_shared),
		cmocka_unit_test(test_cond),
		cmocka_unit_test(test_cond_timeout),
		cmocka_unit_test(test_cond_long_timeout),
		cmocka_unit_test(test_debug_asserts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
