// SPDX-License-Identifier: BSD-3-Clause
/*
 * The program test_proc execs to see what survives exec. Run as
 *   preload_exec_helper CLOEXEC_FD INHERITED_FD FAIL_NTH_FD
 * it checks that the close-on-exec iommufd is gone, that the inherited one
 * is still an open iommufd descriptor which now refuses ioctl and mmap with
 * EPERM (its context stayed in the previous program image) but closes
 * normally, and that an inherited fail-nth file still works. Exit status 0
 * means every check passed; otherwise the number of the failed check's
 * source line, modulo 256, with a message on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uiommufd/uapi/iommufd.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("exec_helper:%d: %s failed (errno %d)\n",       \
			       __LINE__, #cond, errno);                        \
			exit(__LINE__ & 0xff ? __LINE__ & 0xff : 1);           \
		}                                                              \
	} while (0)

int main(int argc, char **argv)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int cloexec_fd, inherited_fd, nth_fd;
	struct stat st;
	char buf[16];
	ssize_t n;

	CHECK(argc == 4);
	cloexec_fd = atoi(argv[1]);
	inherited_fd = atoi(argv[2]);
	nth_fd = atoi(argv[3]);

	CHECK(fcntl(cloexec_fd, F_GETFD) == -1 && errno == EBADF);

	CHECK(fcntl(inherited_fd, F_GETFD) == 0);
	CHECK(fstat(inherited_fd, &st) == 0 && S_ISCHR(st.st_mode));
	errno = 0;
	CHECK(ioctl(inherited_fd, IOMMU_IOAS_ALLOC, &cmd) == -1);
	CHECK(errno == EPERM);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, inherited_fd, 0) ==
		      MAP_FAILED &&
	      errno == EPERM);
	CHECK(close(inherited_fd) == 0);
	CHECK(fcntl(inherited_fd, F_GETFD) == -1 && errno == EBADF);

	/* The fail-nth file belongs to this thread, before and after exec. */
	CHECK(pwrite(nth_fd, "3", 1, 0) == 1);
	n = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	CHECK(n == 2 && !memcmp(buf, "3\n", 2));
	CHECK(pwrite(nth_fd, "0", 1, 0) == 1);
	CHECK(close(nth_fd) == 0);
	return 0;
}
