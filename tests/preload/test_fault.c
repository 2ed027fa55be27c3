// SPDX-License-Identifier: BSD-3-Clause
/*
 * Fault injection through the kernel's own interface: the per-thread
 * fail-nth files in /proc and the debugfs fault-injection directories, as
 * tools/testing/selftests/iommu/iommufd_fail_nth.c and similar tools use
 * them.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "preload_test.h"

static int open_nth(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	return fd;
}

static void nth_write(int fd, const char *s)
{
	assert_int_equal(pwrite(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

static unsigned int nth_read(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 2);
	buf[n] = '\0';
	assert_int_equal(buf[n - 1], '\n');
	return (unsigned int)strtoul(buf, NULL, 10);
}

/*
 * IOMMU_IOAS_ALLOC on a fresh context with fail-nth armed at @n: 0 or
 * -errno, and what fail-nth has left afterwards in *@left.
 */
static int alloc_with_nth(int nth, unsigned int n, unsigned int *left)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int fd = iommu_open(), rc;
	char num[16];

	snprintf(num, sizeof(num), "%u", n);
	nth_write(nth, num);
	rc = ioctl_rc(fd, IOMMU_IOAS_ALLOC, &cmd);
	*left = nth_read(nth);
	nth_write(nth, "0");
	if (!rc)
		assert_int_equal(ioas_exists(fd, cmd.out_ioas_id), 0);
	close(fd);
	return rc;
}

/*
 * The sweep, as the kernel's fail-nth tests do it: fail the 1st, 2nd, ...
 * fault point of IOMMU_IOAS_ALLOC in turn. Each n up to the number of
 * points the command evaluates must fail it with ENOMEM and leave fail-nth
 * at 0; the next n must let it succeed with one evaluation to spare.
 */
static void test_fail_nth_sweep(void **state)
{
	int nth = open_nth(), rc;
	unsigned int points, n, left;

	assert_int_equal(alloc_with_nth(nth, 1000, &left), 0);
	points = 1000 - left;
	print_message("IOMMU_IOAS_ALLOC evaluates %u fault points\n", points);
	assert_true(points >= 1);

	for (n = 1; n <= points + 1; n++) {
		rc = alloc_with_nth(nth, n, &left);
		if (n <= points) {
			assert_int_equal(rc, -ENOMEM);
			assert_int_equal(left, 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(left, 1);
		}
	}

	/* Opening /dev/iommu allocates too, and fails with ENOMEM. */
	nth_write(nth, "1");
	assert_int_equal(open("/dev/iommu", O_RDWR), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(nth_read(nth), 0);
	close(nth);
}

static void test_fail_nth_paths(void **state)
{
	char path[96];
	int fd, fd2, fd3;

	/*
	 * The forms that name the calling (here: main) thread. All are opened
	 * before arming: like the kernel's, our open() allocates, and an
	 * armed countdown counts that.
	 */
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/fail-nth", getpid(),
		 gettid());
	fd2 = open(path, O_RDONLY);
	assert_true(fd2 >= 0);
	fd3 = open("/proc/self/fail-nth", O_RDONLY);
	assert_true(fd3 >= 0);
	nth_write(fd, "7");
	/* They all name the same countdown. */
	assert_int_equal(nth_read(fd2), 7);
	assert_int_equal(nth_read(fd3), 7);
	nth_write(fd, "0");
	close(fd3);
	close(fd2);
	close(fd);

	/* What the kernel's parser refuses. */
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, "-1", 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, "99999999999", 11), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(write(fd, "0x10\n", 5), 5);
	assert_int_equal(nth_read(fd), 16);
	assert_int_equal(write(fd, "010", 3), 3);
	assert_int_equal(nth_read(fd), 8);
	/* read() follows the file position like any proc file. */
	{
		char buf[8];

		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(read(fd, buf, 1), 1);
		assert_int_equal(buf[0], '8');
		assert_int_equal(read(fd, buf, sizeof(buf)), 1);
		assert_int_equal(buf[0], '\n');
		assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	}
	nth_write(fd, "0");
	close(fd);

	/* A stat() sees a regular file; a write-only open refuses reads. */
	{
		struct stat st;

		assert_int_equal(stat("/proc/thread-self/fail-nth", &st), 0);
		assert_true(S_ISREG(st.st_mode));
		fd = open("/proc/thread-self/fail-nth", O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(read(fd, path, 4), -1);
		assert_int_equal(errno, EBADF);
		close(fd);
	}

	/* Another process's file is the kernel's business. */
	fd = open("/proc/1/task/1/fail-nth", O_RDWR);
	if (fd >= 0)
		close(fd);
	else
		assert_int_not_equal(errno, EOPNOTSUPP);
}

static pid_t other_tid;
static int other_nth_fd = -1;
static pthread_barrier_t barrier;

static void *other_thread(void *arg)
{
	other_tid = gettid();
	other_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	pthread_barrier_wait(&barrier); /* published */
	pthread_barrier_wait(&barrier); /* main thread done */
	close(other_nth_fd);
	return NULL;
}

/*
 * Our countdowns are per thread: a thread arms only itself. Touching
 * another thread's file is refused with EOPNOTSUPP rather than silently
 * arming the wrong thread.
 */
static void test_fail_nth_other_thread(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int fd = iommu_open(), nth = open_nth();
	char path[64];
	pthread_t t;

	pthread_barrier_init(&barrier, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_barrier_wait(&barrier);
	assert_true(other_nth_fd >= 0);

	assert_int_equal(write(other_nth_fd, "1", 1), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", other_tid);
	assert_int_equal(open(path, O_RDWR), -1);
	assert_int_equal(errno, EOPNOTSUPP);

	/* Arming this thread does not arm the other, and vice versa. */
	nth_write(nth, "1");
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &cmd), -ENOMEM);
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &cmd), 0);

	pthread_barrier_wait(&barrier);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&barrier);
	close(nth);
	close(fd);
}

/* fopen() and stdio work on fail-nth, through a cookie stream. */
static void test_fail_nth_stdio(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int fd = iommu_open();
	unsigned int v = 99;
	FILE *fp;

	fp = fopen("/proc/thread-self/fail-nth", "r+");
	assert_non_null(fp);
	assert_true(fprintf(fp, "1\n") > 0);
	assert_int_equal(fflush(fp), 0);
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &cmd), -ENOMEM);
	rewind(fp);
	assert_int_equal(fscanf(fp, "%u", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(fclose(fp), 0);
	close(fd);
}

static int writeat(int dfd, const char *name, const char *val)
{
	int fd = openat(dfd, name, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? -errno : -EIO;
}

static void read_knob(const char *path, const char *expect)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, expect);
	close(fd);
}

/*
 * What iommufd_fail_nth does before its first test: open debugfs, switch
 * off the gfp filters through relative paths, and quieten every fail*
 * directory it lists.
 */
static void test_debugfs_setup(void **state)
{
	DIR *dir = opendir("/sys/kernel/debug/");
	struct dirent *ent;
	int found = 0;

	assert_non_null(dir);
	assert_int_equal(writeat(dirfd(dir), "failslab/ignore-gfp-wait", "N"),
			 0);
	assert_int_equal(
		writeat(dirfd(dir), "fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(writeat(dirfd(dir),
				 "fail_page_alloc/ignore-gfp-highmem", "N"),
			 0);
	while ((ent = readdir(dir))) {
		char fn[300];

		if (strncmp(ent->d_name, "fail", 4))
			continue;
		assert_int_equal(ent->d_type, DT_DIR);
		snprintf(fn, sizeof(fn), "%s/verbose", ent->d_name);
		assert_int_equal(writeat(dirfd(dir), fn, "0"), 0);
		found++;
	}
	assert_int_equal(found, 2);
	assert_int_equal(writeat(dirfd(dir), "failslab/no-such-knob", "1"),
			 -ENOENT);
	assert_int_equal(closedir(dir), 0);

	read_knob("/sys/kernel/debug/failslab/ignore-gfp-wait", "N\n");
	read_knob("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"
									  "\n");
	read_knob("/sys/kernel/debug/failslab/verbose", "0\n");
	read_knob("/sys/kernel/debug/fail_page_alloc/verbose", "0\n");
	read_knob("/sys/kernel/debug/fail_page_alloc/min-order", "1\n");
	read_knob("/sys/kernel/debug/failslab/times", "1\n");
	read_knob("/sys/kernel/debug/failslab/require-end", "0xffffffffffffffff"
							    "\n");
}

static void test_debugfs_knobs(void **state)
{
	const char *times = "/sys/kernel/debug/failslab/times";
	struct stat st;
	DIR *dir;
	int fd, n = 0;

	fd = open(times, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "-1", 2), 2);
	close(fd);
	read_knob(times, "-1\n");
	fd = open("/sys/kernel/debug/failslab/task-filter", O_WRONLY);
	assert_int_equal(write(fd, "maybe", 5), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, "on", 2), 2);
	close(fd);
	read_knob("/sys/kernel/debug/failslab/task-filter", "Y\n");
	fd = open("/sys/kernel/debug/failslab/probability", O_WRONLY);
	assert_int_equal(write(fd, "12abc", 5), -1);
	assert_int_equal(errno, EINVAL);
	close(fd);

	assert_int_equal(stat("/sys/kernel/debug/failslab", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat("/sys/kernel/debug/failslab/probability", &st),
			 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access("/sys/kernel/debug/failslab/nope", F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(open("/sys/kernel/debug/failslab", O_RDWR), -1);
	assert_int_equal(errno, EISDIR);
	assert_null(opendir("/sys/kernel/debug/failslab/probability"));
	assert_int_equal(errno, ENOTDIR);

	/* A directory's listing, including after rewinddir(). */
	dir = opendir("/sys/kernel/debug/fail_page_alloc");
	assert_non_null(dir);
	while (readdir(dir))
		n++;
	rewinddir(dir);
	assert_string_equal(readdir(dir)->d_name, ".");
	assert_int_equal(closedir(dir), 0);
	/* ".", "..", 13 common attributes and 3 of its own. */
	assert_int_equal(n, 18);

	/* fdopendir() on a directory descriptor from open(). */
	fd = open("/sys/kernel/debug", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	dir = fdopendir(fd);
	assert_non_null(dir);
	n = 0;
	while (readdir(dir))
		n++;
	assert_int_equal(n, 4);
	assert_int_equal(closedir(dir), 0);
	/* closedir() closed it and the table knows. */
	fd = open("/dev/null", O_RDONLY);
	{
		char c;

		assert_int_equal(read(fd, &c, 1), 0);
	}
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_nth_sweep),
		cmocka_unit_test(test_fail_nth_paths),
		cmocka_unit_test(test_fail_nth_other_thread),
		cmocka_unit_test(test_fail_nth_stdio),
		cmocka_unit_test(test_debugfs_setup),
		cmocka_unit_test(test_debugfs_knobs),
	};

	return cmocka_run_group_tests_name("preload_fault", tests, NULL, NULL);
}
