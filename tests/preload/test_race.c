// SPDX-License-Identifier: BSD-3-Clause
/*
 * Closing and replacing an iommufd while other threads run ioctls on the
 * same descriptor number. The kernel guarantees each ioctl either runs on
 * the file the number named when it started or fails with EBADF, and that
 * the context outlives every ioctl running on it; the preload library must
 * give the same guarantees (no crash, no use after free: run it under
 * AddressSanitizer and ThreadSanitizer too).
 *
 * Each worker creates and destroys IOASes through the shared number. The
 * closer thread keeps closing the number and putting a fresh iommufd (or,
 * every fourth round, a pipe) there. A worker may therefore see success,
 * EBADF (nothing at the number), ENOENT (its IOAS went with the context it
 * was made in) or ENOTTY (the pipe), and nothing else.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "preload_test.h"

#define WORKERS 3
#define ROUNDS 3000
#define TARGET_FD 600

static atomic_bool stop;
static atomic_uint bad_errno;
static atomic_ulong ioctls_ok;

static void *worker(void *arg)
{
	while (!atomic_load(&stop)) {
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
		int rc = ioctl_rc(TARGET_FD, IOMMU_IOAS_ALLOC, &cmd);

		if (!rc) {
			atomic_fetch_add(&ioctls_ok, 1);
			rc = ioas_destroy(TARGET_FD, cmd.out_ioas_id);
		}
		if (rc && rc != -EBADF && rc != -ENOENT && rc != -ENOTTY)
			atomic_store(&bad_errno, (unsigned int)-rc);
	}
	return NULL;
}

static void test_close_races_ioctl(void **state)
{
	pthread_t threads[WORKERS];
	int i, pipefd[2], fd;

	assert_int_equal(pipe(pipefd), 0);
	fd = iommu_open();
	assert_int_equal(dup2(fd, TARGET_FD), TARGET_FD);
	close(fd);
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(
			pthread_create(&threads[i], NULL, worker, NULL), 0);

	/*
	 * At least ROUNDS replacements, and more (boundedly) until a worker
	 * has had an ioctl succeed: on a loaded machine the workers may not
	 * get the CPU before ROUNDS are over.
	 */
	for (i = 0;
	     i < ROUNDS || (!atomic_load(&ioctls_ok) && i < 1000 * ROUNDS);
	     i++) {
		switch (i % 4) {
		case 0:
			close(TARGET_FD);
			break;
		case 1:
			fd = iommu_open();
			assert_int_equal(dup2(fd, TARGET_FD), TARGET_FD);
			close(fd);
			break;
		case 2:
			/* Replaces an iommufd by another in one step. */
			fd = iommu_open();
			assert_int_equal(dup3(fd, TARGET_FD, O_CLOEXEC),
					 TARGET_FD);
			close(fd);
			break;
		case 3:
			assert_int_equal(dup2(pipefd[0], TARGET_FD), TARGET_FD);
			break;
		}
	}
	atomic_store(&stop, true);
	for (i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);
	close(TARGET_FD);
	close(pipefd[0]);
	close(pipefd[1]);

	assert_int_equal(atomic_load(&bad_errno), 0);
	/* The race was real: ioctls did reach live contexts meanwhile. */
	print_message("%lu successful ioctls during %d replacements\n",
		      atomic_load(&ioctls_ok), i);
	assert_true(atomic_load(&ioctls_ok) > 0);
}

/* Many threads opening and closing their own iommufds at once. */
static void *churn(void *arg)
{
	for (int i = 0; i < 500; i++) {
		int fd = open("/dev/iommu", O_RDWR), d;
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

		if (fd < 0)
			return (void *)1;
		d = dup(fd);
		if (ioctl(d, IOMMU_IOAS_ALLOC, &cmd) || cmd.out_ioas_id != 1 ||
		    close(fd) || ioas_exists(d, 1) || close(d))
			return (void *)1;
	}
	return NULL;
}

static void test_parallel_open_close(void **state)
{
	pthread_t threads[4];
	void *ret;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, churn, NULL),
				 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], &ret), 0);
		assert_null(ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_races_ioctl),
		cmocka_unit_test(test_parallel_open_close),
	};

	return cmocka_run_group_tests_name("preload_race", tests, NULL, NULL);
}
