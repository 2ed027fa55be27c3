// SPDX-License-Identifier: BSD-3-Clause
/*
 * The DMA guard: a wait returns only once every DMA that entered before
 * it has exited, returns at once when no DMA is under way, and threads
 * hand their slots on.
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
	struct ufd_dma_slot *s = ufd_dma_guard_enter();

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
	struct ufd_dma_slot *s;

	ufd_dma_guard_wait();
	s = ufd_dma_guard_enter();
	ufd_dma_guard_exit(s);
	ufd_dma_guard_wait();
}

/* A thread's slot goes back to the pool when the thread exits. */
static void *enter_exit_main(void *arg)
{
	struct ufd_dma_slot **out = arg;
	struct ufd_dma_slot *s = ufd_dma_guard_enter();

	ufd_dma_guard_exit(s);
	*out = s;
	return NULL;
}

static void test_slot_reuse(void **state)
{
	struct ufd_dma_slot *a, *b;
	pthread_t t;

	pthread_create(&t, NULL, enter_exit_main, &a);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, enter_exit_main, &b);
	pthread_join(t, NULL);
	assert_ptr_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_for_active),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_slot_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
