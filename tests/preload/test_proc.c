// SPDX-License-Identifier: BSD-3-Clause
/*
 * An iommufd across fork, clone, vfork and exec. A child that inherits an
 * iommufd must not silently work on a copy of its parent's context: every
 * call that needs the context fails with EPERM and one diagnostic line on
 * stderr, close works, and the parent is unaffected. The same holds after
 * exec for a descriptor opened without O_CLOEXEC.
 */
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "preload_test.h"

#define EXIT_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			_exit(__LINE__ & 0xff ? __LINE__ & 0xff : 1);          \
	} while (0)

/*
 * What a child does with its parent's iommufd @fd (whose context holds
 * IOAS @id): refused, with a diagnostic, closable; then a context of its
 * own works. Exits 0 on success.
 */
static void child_body(int fd, uint32_t id, int err_pipe)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int own;

	EXIT_CHECK(dup2(err_pipe, STDERR_FILENO) == STDERR_FILENO);
	errno = 0;
	EXIT_CHECK(ioctl(fd, IOMMU_IOAS_ALLOC, &cmd) == -1 && errno == EPERM);
	/* A second refusal, but no second diagnostic line. */
	EXIT_CHECK(ioas_exists(fd, id) == -EPERM);
	EXIT_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) ==
			   MAP_FAILED &&
		   errno == EPERM);
	/* A duplicate refers to the same (foreign) description. */
	own = dup(fd);
	EXIT_CHECK(own >= 0 && ioas_exists(own, id) == -EPERM);
	EXIT_CHECK(close(own) == 0);
	EXIT_CHECK(close(fd) == 0);
	EXIT_CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);

	own = open("/dev/iommu", O_RDWR);
	EXIT_CHECK(own >= 0);
	EXIT_CHECK(ioctl(own, IOMMU_IOAS_ALLOC, &cmd) == 0);
	EXIT_CHECK(cmd.out_ioas_id == 1);
	EXIT_CHECK(close(own) == 0);
	_exit(0);
}

/* Waits for @pid and checks its status and what it wrote to @err_pipe. */
static void check_child(pid_t pid, int err_pipe)
{
	char err[1024];
	int status;
	char *nl;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	drain_fd(err_pipe, err, sizeof(err));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		print_error("child status %#x, line %d, stderr:\n%s\n", status,
			    WEXITSTATUS(status), err);
		fail();
	}
	/* Exactly one line, naming the problem. */
	assert_non_null(strstr(err, "EPERM"));
	assert_non_null(strstr(err, "fork"));
	nl = strchr(err, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
}

static void test_fork(void **state)
{
	int fd = iommu_open(), p[2];
	uint32_t id = ioas_alloc(fd);
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(p[0]);
		child_body(fd, id, p[1]);
	}
	close(p[1]);
	check_child(pid, p[0]);
	close(p[0]);
	/* The child's close did not touch the parent's context. */
	assert_int_equal(ioas_exists(fd, id), 0);
	assert_int_equal(ioas_destroy(fd, id), 0);
	close(fd);
}

/*
 * A child created by a raw clone(), which runs no pthread_atfork handlers
 * (the kernel selftest harness forks this way): the library must still
 * notice it is not the parent.
 */
static void test_raw_clone(void **state)
{
	int fd = iommu_open(), p[2];
	uint32_t id = ioas_alloc(fd);
	long pid;

	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
	assert_true(pid >= 0);
	if (!pid) {
		close(p[0]);
		child_body(fd, id, p[1]);
	}
	close(p[1]);
	check_child((pid_t)pid, p[0]);
	close(p[0]);
	assert_int_equal(ioas_exists(fd, id), 0);
	close(fd);
}

/*
 * A vfork() child shares the parent's memory: closing the descriptor there
 * closes the child's copy of it and must leave the parent's table and
 * context alone.
 */
static void test_vfork_close(void **state)
{
	int fd = iommu_open(), status;
	uint32_t id = ioas_alloc(fd);
	pid_t pid;

	pid = vfork();
	if (!pid) {
		close(fd);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	assert_int_equal(ioas_exists(fd, id), 0);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	close(fd);
}

static void test_exec(void **state)
{
	const char *helper = getenv("PRELOAD_EXEC_HELPER");
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int keep, gone, nth, p[2], status;
	char args[3][16], path[64], out[1024];
	pid_t pid;

	assert_non_null(helper);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		gone = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		keep = open("/dev/iommu", O_RDWR);
		EXIT_CHECK(gone >= 0 && keep >= 0);
		EXIT_CHECK(!ioctl(keep, IOMMU_IOAS_ALLOC, &cmd));
		snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
			 getpid());
		nth = open(path, O_RDWR);
		EXIT_CHECK(nth >= 0);
		snprintf(args[0], sizeof(args[0]), "%d", gone);
		snprintf(args[1], sizeof(args[1]), "%d", keep);
		snprintf(args[2], sizeof(args[2]), "%d", nth);
		EXIT_CHECK(dup2(p[1], STDOUT_FILENO) == STDOUT_FILENO);
		EXIT_CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
		execl(helper, helper, args[0], args[1], args[2], (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	drain_fd(p[0], out, sizeof(out));
	close(p[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		print_error("helper status %#x, output:\n%s\n", status, out);
		fail();
	}
	assert_non_null(strstr(out, "EPERM"));
	assert_non_null(strstr(out, "exec"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_raw_clone),
		cmocka_unit_test(test_vfork_close),
		cmocka_unit_test(test_exec),
	};

	return cmocka_run_group_tests_name("preload_proc", tests, NULL, NULL);
}
