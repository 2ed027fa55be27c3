// SPDX-License-Identifier: BSD-3-Clause
/*
 * The DMA guard: a wait returns only once every DMA that entered before
 * it has exited, returns at once when no DMA is under way, and threads
 * hand their slots on. A block waits for the DMA under way, holds new
 * DMA at the entrance until unblocked, and lets its own thread through.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/dmaguard.h"

struct holder {
	atomic_int stage; /* 1: inside the DMA; 2: may leave */
};

static void *hold_main(void *arg)
{
	struct holder *h = arg;
	struct ufd_tslot *s = ufd_dma_guard_enter();

	atomic_store(&h->stage, 1);
	while (atomic_load(&h->stage) != 2)
		usleep(100);
	ufd_dma_guard_exit(s);
	return NULL;
}

static atomic_int waited;

static void *wait_main(void *arg)
{
	(void)arg;
	ufd_dma_guard_wait();
	atomic_store(&waited, 1);
	return NULL;
}

static void test_wait_for_active(void **state)
{
	struct holder h = { 0 };
	pthread_t dma, waiter;

	pthread_create(&dma, NULL, hold_main, &h);
	while (atomic_load(&h.stage) != 1)
		usleep(100);
	pthread_create(&waiter, NULL, wait_main, NULL);
	usleep(20000);
	/* The DMA is still inside: the wait must not have returned. */
	assert_int_equal(atomic_load(&waited), 0);
	atomic_store(&h.stage, 2);
	pthread_join(waiter, NULL);
	assert_int_equal(atomic_load(&waited), 1);
	pthread_join(dma, NULL);
}

/* With no DMA under way (before or after one), a wait returns at once. */
static void test_idle(void **state)
{
	struct ufd_tslot *s;

	ufd_dma_guard_wait();
	s = ufd_dma_guard_enter();
	ufd_dma_guard_exit(s);
	ufd_dma_guard_wait();
}

/* A thread's slot goes back to the pool when the thread exits. */
static void *enter_exit_main(void *arg)
{
	struct ufd_tslot **out = arg;
	struct ufd_tslot *s = ufd_dma_guard_enter();

	ufd_dma_guard_exit(s);
	*out = s;
	return NULL;
}

static void test_slot_reuse(void **state)
{
	struct ufd_tslot *a, *b;
	pthread_t t;

	pthread_create(&t, NULL, enter_exit_main, &a);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, enter_exit_main, &b);
	pthread_join(t, NULL);
	assert_ptr_equal(a, b);
}

static atomic_int blocked, entered;

static void *block_main(void *arg)
{
	struct ufd_tslot *s;

	ufd_dma_block();
	atomic_store(&blocked, 1);
	/* The blocker's own DMA passes. */
	s = ufd_dma_guard_enter();
	ufd_dma_guard_exit(s);
	while (atomic_load(&blocked) != 2)
		usleep(100);
	ufd_dma_unblock();
	return NULL;
}

static void *enter_main(void *arg)
{
	struct ufd_tslot *s = ufd_dma_guard_enter();

	atomic_store(&entered, 1);
	ufd_dma_guard_exit(s);
	return NULL;
}

static void test_block(void **state)
{
	struct holder h = { 0 };
	pthread_t dma, blocker, late;

	pthread_create(&dma, NULL, hold_main, &h);
	while (atomic_load(&h.stage) != 1)
		usleep(100);
	pthread_create(&blocker, NULL, block_main, NULL);
	usleep(20000);
	/* A DMA is inside: the block has not taken hold yet. */
	assert_int_equal(atomic_load(&blocked), 0);
	atomic_store(&h.stage, 2);
	pthread_join(dma, NULL);
	while (!atomic_load(&blocked))
		usleep(100);
	pthread_create(&late, NULL, enter_main, NULL);
	usleep(20000);
	/* Held at the entrance while blocked. */
	assert_int_equal(atomic_load(&entered), 0);
	atomic_store(&blocked, 2);
	pthread_join(late, NULL);
	assert_int_equal(atomic_load(&entered), 1);
	pthread_join(blocker, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_for_active),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_slot_reuse),
		cmocka_unit_test(test_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
