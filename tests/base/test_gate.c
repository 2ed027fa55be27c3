// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mapping gate: closing waits for the threads inside to leave, holds
 * new ones at the entrance until it opens, and sections nest (a thread
 * already inside passes in again; ufd_gate_inside() tells). In a fork
 * child the parent's threads are no longer inside.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/gate.h"

static atomic_int stage;  /* holder: 1 inside, 2 may leave */
static atomic_int closed; /* closer: 1 closed, 2 may open */
static atomic_int passed; /* late thread: got in */

static void *hold_main(void *arg)
{
	ufd_gate_enter();
	ufd_gate_enter(); /* nested */
	atomic_store(&stage, 1);
	while (atomic_load(&stage) != 2)
		usleep(100);
	ufd_gate_exit();
	ufd_gate_exit();
	return NULL;
}

static void *close_main(void *arg)
{
	ufd_gate_close();
	atomic_store(&closed, 1);
	while (atomic_load(&closed) != 2)
		usleep(100);
	ufd_gate_open();
	return NULL;
}

static void *late_main(void *arg)
{
	ufd_gate_enter();
	atomic_store(&passed, 1);
	ufd_gate_exit();
	return NULL;
}

static void test_close_waits_and_holds(void **state)
{
	pthread_t holder, closer, late;

	pthread_create(&holder, NULL, hold_main, NULL);
	while (atomic_load(&stage) != 1)
		usleep(100);
	pthread_create(&closer, NULL, close_main, NULL);
	usleep(20000);
	/* Someone is inside: not closed yet, even after one exit. */
	assert_int_equal(atomic_load(&closed), 0);
	atomic_store(&stage, 2);
	pthread_join(holder, NULL);
	while (!atomic_load(&closed))
		usleep(100);
	pthread_create(&late, NULL, late_main, NULL);
	usleep(20000);
	assert_int_equal(atomic_load(&passed), 0);
	atomic_store(&closed, 2);
	pthread_join(late, NULL);
	assert_int_equal(atomic_load(&passed), 1);
	pthread_join(closer, NULL);
}

static void test_inside(void **state)
{
	assert_false(ufd_gate_inside());
	ufd_gate_enter();
	assert_true(ufd_gate_inside());
	ufd_gate_enter();
	ufd_gate_exit();
	assert_true(ufd_gate_inside());
	ufd_gate_exit();
	assert_false(ufd_gate_inside());
	/* Closing and opening with nobody inside returns at once. */
	ufd_gate_close();
	ufd_gate_open();
	ufd_gate_enter();
	ufd_gate_exit();
}

static void test_fork_child(void **state)
{
	pthread_t holder;
	pid_t pid;
	int st;

	atomic_store(&stage, 0);
	pthread_create(&holder, NULL, hold_main, NULL);
	while (atomic_load(&stage) != 1)
		usleep(100);
	pid = fork();
	if (!pid) {
		/* Without the reset this close would wait for ever. */
		alarm(10);
		ufd_tslot_atfork_child();
		ufd_gate_atfork_child();
		ufd_gate_close();
		ufd_gate_open();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	atomic_store(&stage, 2);
	pthread_join(holder, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_waits_and_holds),
		cmocka_unit_test(test_inside),
		cmocka_unit_test(test_fork_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
