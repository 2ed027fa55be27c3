// SPDX-License-Identifier: BSD-3-Clause
/*
 * ioctl, read/write and mmap on an iommufd, and the same calls on ordinary
 * descriptors, which must get the kernel's answers with errno untouched.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>

#include "preload_test.h"
#include "uiommufd/uapi/vfio.h"

static void test_ioas_alloc_destroy(void **state)
{
	int fd = iommu_open();
	uint32_t id = ioas_alloc(fd);

	assert_int_equal(ioas_exists(fd, id), 0);
	assert_int_equal(ioas_destroy(fd, id), 0);
	assert_int_equal(ioas_exists(fd, id), -ENOENT);
	assert_int_equal(ioas_destroy(fd, id), -ENOENT);
	assert_int_equal(ioas_destroy(fd, 0), -ENOENT);
	close(fd);
}

static void test_option(void **state)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 77,
	};
	int fd = iommu_open();

	assert_int_equal(ioctl_rc(fd, IOMMU_OPTION, &cmd), 0);
	assert_int_equal(cmd.val64, 0);
	cmd.option_id = 0x7777;
	assert_int_equal(ioctl_rc(fd, IOMMU_OPTION, &cmd), -EOPNOTSUPP);
	/* Shorter than the first version of the struct. */
	cmd.size = 4;
	assert_int_equal(ioctl_rc(fd, IOMMU_OPTION, &cmd), -EINVAL);
	/* A bad pointer is EFAULT, not a crash. */
	assert_int_equal(ioctl_rc(fd, IOMMU_OPTION, (void *)8), -EFAULT);
	close(fd);
}

static void test_vfio_compat(void **state)
{
	int fd = iommu_open();

	errno = 0;
	assert_int_equal(ioctl(fd, VFIO_GET_API_VERSION), VFIO_API_VERSION);
	assert_int_equal(errno, 0);
	/* A positive result comes back as the return value. */
	assert_int_equal(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU),
			 1);
	close(fd);
}

static void test_unknown_command(void **state)
{
	int fd = iommu_open();
	char buf[64] = { 0 };

	assert_int_equal(ioctl_rc(fd, _IO(IOMMUFD_TYPE, 0xff), buf), -ENOTTY);
	assert_int_equal(ioctl_rc(fd, TCGETS, buf), -ENOTTY);
	close(fd);
}

/* Commands the VFS answers for every file work on an iommufd too. */
static void test_vfs_ioctls(void **state)
{
	int fd = iommu_open(), on = 1;

	assert_int_equal(ioctl(fd, FIOCLEX), 0);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	assert_int_equal(ioctl(fd, FIONCLEX), 0);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	assert_int_equal(ioctl(fd, FIONBIO, &on), 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

static void test_errno_preserved(void **state)
{
	char path[] = "/tmp/uiommufd-preload-XXXXXX";
	int fd = iommu_open(), tmp, pipefd[2], n, dupfd;
	struct stat st;
	char buf[4];

	assert_int_equal(pipe(pipefd), 0);
	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	unlink(path);

	errno = 4321;
	ioas_alloc(fd);
	assert_int_equal(errno, 4321);
	assert_int_equal(write(pipefd[1], "abcd", 4), 4);
	assert_int_equal(ioctl(pipefd[0], FIONREAD, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(read(pipefd[0], buf, 4), 4);
	assert_int_equal(pwrite(tmp, "wxyz", 4, 0), 4);
	assert_int_equal(pread(tmp, buf, 4, 0), 4);
	assert_int_equal(fstat(tmp, &st), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_int_equal(fcntl(tmp, F_GETFD), 0);
	dupfd = dup(tmp);
	assert_true(dupfd >= 0);
	assert_int_equal(close(dupfd), 0);
	assert_int_equal(access("/dev/iommu", R_OK), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(errno, 4321);

	close(tmp);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_passthrough(void **state)
{
	char path[] = "/tmp/uiommufd-preload-XXXXXX";
	int pipefd[2], tmp, n;
	struct stat st;
	char buf[8];
	void *p;

	assert_int_equal(pipe(pipefd), 0);
	/* A pipe is not a terminal: the kernel's errno, not ours. */
	assert_int_equal(ioctl_rc(pipefd[0], TCGETS, buf), -ENOTTY);
	assert_int_equal(ioctl_rc(pipefd[0], IOMMU_IOAS_ALLOC, buf), -ENOTTY);
	assert_int_equal(ioctl_rc(-1, FIONREAD, &n), -EBADF);
	assert_int_equal(fstat(pipefd[0], &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(write(pipefd[1], "hello", 5), 5);
	assert_int_equal(read(pipefd[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(pread(pipefd[0], buf, 1, 0), -1);
	assert_int_equal(errno, ESPIPE);
	close(pipefd[0]);
	close(pipefd[1]);

	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	unlink(path);
	assert_int_equal(ftruncate(tmp, 4096), 0);
	assert_int_equal(pwrite(tmp, "mapped", 6, 100), 6);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, tmp, 0);
	assert_true(p != MAP_FAILED);
	assert_memory_equal((char *)p + 100, "mapped", 6);
	munmap(p, 4096);
	close(tmp);
	assert_int_equal(read(tmp, buf, 1), -1);
	assert_int_equal(errno, EBADF);
}

static void test_read_write(void **state)
{
	int fd = iommu_open(), wr;
	char buf[8];

	/* The kernel's iommufd has no read or write methods. */
	assert_int_equal(read(fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pwrite(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	close(fd);

	wr = open("/dev/iommu", O_WRONLY);
	assert_true(wr >= 0);
	assert_int_equal(read(wr, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EBADF);
	close(wr);
}

static void check_mmap(int fd, size_t len, int prot, int flags, off_t off,
		       int err)
{
	errno = 0;
	assert_true(mmap(NULL, len, prot, flags, fd, off) == MAP_FAILED);
	assert_int_equal(errno, err);
}

static void test_mmap(void **state)
{
	int fd = iommu_open(), ro;
	void *p;

	/* No ioctl has handed out an mmap offset: the kernel says ENXIO. */
	check_mmap(fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0, ENXIO);
	check_mmap(fd, 4096, PROT_READ, MAP_SHARED, 1 << 20, ENXIO);
	check_mmap(fd, 4096, PROT_READ, MAP_PRIVATE, 0, EINVAL);
	check_mmap(fd, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, 0, EPERM);
	check_mmap(fd, 0, PROT_READ, MAP_SHARED, 0, EINVAL);
	check_mmap(fd, 4096, PROT_READ, MAP_SHARED, 123, EINVAL);
	errno = 0;
	assert_true(mmap64(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) ==
		    MAP_FAILED);
	assert_int_equal(errno, ENXIO);

	ro = open("/dev/iommu", O_RDONLY);
	assert_true(ro >= 0);
	check_mmap(ro, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0, EACCES);
	close(ro);

	/* MAP_ANONYMOUS ignores the descriptor, ours or not. */
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, 4096);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioas_alloc_destroy),
		cmocka_unit_test(test_option),
		cmocka_unit_test(test_vfio_compat),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_vfs_ioctls),
		cmocka_unit_test(test_errno_preserved),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_mmap),
	};

	return cmocka_run_group_tests_name("preload_ioctl", tests, NULL, NULL);
}
