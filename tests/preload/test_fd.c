// SPDX-License-Identifier: BSD-3-Clause
/*
 * Descriptor semantics of an iommufd: duplicates share one context, the
 * context lives while any descriptor refers to it, and every way of closing
 * or replacing a descriptor keeps the library's table in step with the
 * kernel's.
 */
#include <sys/resource.h>
#include <sys/syscall.h>

#include "preload_test.h"

int sym_fcntl(int fd, int cmd, ...) __asm__("fcntl");
int sym_fcntl64(int fd, int cmd, ...) __asm__("fcntl64");

/* The IOAS made through @a is visible through @b, and vice versa. */
static void check_shared(int a, int b)
{
	uint32_t id = ioas_alloc(a);

	assert_int_equal(ioas_exists(b, id), 0);
	assert_int_equal(ioas_destroy(b, id), 0);
	assert_int_equal(ioas_exists(a, id), -ENOENT);
}

/* An IOAS created through @fd survives closing @other, a duplicate. */
static void check_close_one(int fd, int other)
{
	uint32_t id = ioas_alloc(fd);

	assert_int_equal(close(other), 0);
	assert_int_equal(ioas_exists(fd, id), 0);
	assert_int_equal(ioctl_rc(other, IOMMU_IOAS_ALLOC, &id), -EBADF);
}

static void test_dup(void **state)
{
	int fd = iommu_open(), d;

	d = dup(fd);
	assert_true(d >= 0 && d != fd);
	assert_int_equal(fcntl(d, F_GETFD), 0);
	check_shared(fd, d);
	check_close_one(fd, d);
	close(fd);
}

static void test_dup2_dup3(void **state)
{
	int fd = iommu_open(), target = 100;

	assert_int_equal(dup2(fd, target), target);
	check_shared(fd, target);
	check_close_one(target, fd);
	fd = target;

	target = 101;
	assert_int_equal(dup3(fd, target, O_CLOEXEC), target);
	assert_int_equal(fcntl(target, F_GETFD), FD_CLOEXEC);
	check_shared(target, fd);
	assert_int_equal(dup3(fd, fd, 0), -1);
	assert_int_equal(errno, EINVAL);
	/* dup2 onto itself is a no-op that says the descriptor is valid. */
	assert_int_equal(dup2(fd, fd), fd);
	check_shared(fd, target);
	close(fd);
	close(target);
}

static void test_fcntl_dupfd(void **state)
{
	int fd = iommu_open(), d, c;

	d = sym_fcntl(fd, F_DUPFD, 200);
	assert_true(d >= 200);
	assert_int_equal(fcntl(d, F_GETFD), 0);
	check_shared(fd, d);
	c = sym_fcntl64(fd, F_DUPFD_CLOEXEC, 300);
	assert_true(c >= 300);
	assert_int_equal(fcntl(c, F_GETFD), FD_CLOEXEC);
	check_shared(c, d);
	check_close_one(c, fd);
	check_close_one(c, d);
	close(c);
}

/* dup2 onto an iommufd replaces it, as the kernel's does. */
static void test_dup2_replaces(void **state)
{
	int a = iommu_open(), b = iommu_open(), keep_b = dup(b), pipefd[2];
	uint32_t in_a, in_b;
	char buf[64] = { 0 };

	/* Distinct ids: a's context has 1, b's has 1 and 2. */
	in_a = ioas_alloc(a);
	ioas_alloc(b);
	in_b = ioas_alloc(b);
	assert_int_equal(ioas_exists(a, in_b), -ENOENT);

	assert_int_equal(dup2(a, b), b);
	assert_int_equal(ioas_exists(b, in_a), 0);
	assert_int_equal(ioas_exists(b, in_b), -ENOENT);
	/* b's old context is still alive through its other descriptor. */
	assert_int_equal(ioas_exists(keep_b, in_b), 0);

	/* A pipe put over an iommufd: the kernel answers from then on. */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(dup2(pipefd[0], b), b);
	assert_int_equal(ioctl_rc(b, IOMMU_IOAS_ALLOC, buf), -ENOTTY);
	assert_int_equal(ioas_exists(a, in_a), 0);

	close(pipefd[0]);
	close(pipefd[1]);
	close(a);
	close(b);
	close(keep_b);
}

static void test_close_range(void **state)
{
	int base = 400, fd = iommu_open(), pipefd[2], i;
	uint32_t id = ioas_alloc(fd);

	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(dup2(fd, base), base);
	assert_int_equal(dup2(pipefd[0], base + 1), base + 1);
	assert_int_equal(dup2(fd, base + 2), base + 2);
	assert_int_equal(dup2(fd, base + 10), base + 10);

	/* CLOEXEC only marks: everything still works. */
	assert_int_equal(close_range(base, base + 2, CLOSE_RANGE_CLOEXEC), 0);
	for (i = 0; i <= 2; i++)
		assert_int_equal(fcntl(base + i, F_GETFD), FD_CLOEXEC);
	assert_int_equal(ioas_exists(base + 2, id), 0);

	assert_int_equal(close_range(base, base + 2, 0), 0);
	for (i = 0; i <= 2; i++) {
		assert_int_equal(fcntl(base + i, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
	}
	assert_int_equal(ioctl_rc(base, IOMMU_IOAS_ALLOC, &id), -EBADF);
	/* Outside the range, and the original, keep the context. */
	assert_int_equal(ioas_exists(base + 10, id), 0);
	assert_int_equal(ioas_exists(fd, id), 0);

	assert_int_equal(close_range(base + 10, ~0U, 0), 0);
	assert_int_equal(ioas_exists(fd, id), 0);
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_closefrom(void **state)
{
	int fd = iommu_open(), high = 700;
	uint32_t id = ioas_alloc(fd);

	assert_int_equal(dup2(fd, high), high);
	assert_int_equal(dup2(fd, high + 50), high + 50);
	closefrom(high);
	assert_int_equal(fcntl(high, F_GETFD), -1);
	assert_int_equal(fcntl(high + 50, F_GETFD), -1);
	assert_int_equal(ioas_exists(fd, id), 0);
	close(fd);
}

/* The table grows to any number the kernel hands out. */
static void test_large_numbers(void **state)
{
	struct rlimit rl;
	int fd = iommu_open(), big = 70000;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur <= (rlim_t)big) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur <= (rlim_t)big)
		big = (int)rl.rlim_cur - 1;
	assert_int_equal(dup2(fd, big), big);
	check_shared(big, fd);
	assert_int_equal(close(big), 0);
	assert_int_equal(ioctl_rc(big, IOMMU_IOAS_ALLOC, &rl), -EBADF);
	close(fd);
}

static void test_many_contexts(void **state)
{
	enum { N = 300 };
	int fds[N], i;

	for (i = 0; i < N; i++) {
		fds[i] = iommu_open();
		/* Context i holds i % 4 + 1 IOAS, ids 1 to i % 4 + 1. */
		for (int j = 0; j <= i % 4; j++)
			ioas_alloc(fds[i]);
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(ioas_exists(fds[i], (uint32_t)(i % 4 + 1)), 0);
		assert_int_equal(ioas_exists(fds[i], (uint32_t)(i % 4 + 2)),
				 -ENOENT);
	}
	for (i = 0; i < N; i++)
		assert_int_equal(close(fds[i]), 0);
}

/*
 * A descriptor closed behind the library's back (a raw system call) leaves
 * a stale entry; the next interposed call that gets the number from the
 * kernel must find the kernel's file there, not the old context.
 */
static void test_stale_slot(void **state)
{
	int fd = iommu_open(), again;
	char buf[64] = { 0 };

	assert_int_equal(syscall(SYS_close, fd), 0);
	again = open("/dev/null", O_RDWR);
	assert_int_equal(again, fd);
	assert_int_equal(ioctl_rc(again, IOMMU_IOAS_ALLOC, buf), -ENOTTY);
	assert_int_equal(close(again), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_dup2_dup3),
		cmocka_unit_test(test_fcntl_dupfd),
		cmocka_unit_test(test_dup2_replaces),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_closefrom),
		cmocka_unit_test(test_large_numbers),
		cmocka_unit_test(test_many_contexts),
		cmocka_unit_test(test_stale_slot),
	};

	return cmocka_run_group_tests_name("preload_fd", tests, NULL, NULL);
}
