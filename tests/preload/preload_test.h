/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the preload tests. These programs are written only against
 * the Linux uAPI (open("/dev/iommu"), ioctl, close...), as an unmodified
 * program would be, and run with libuiommufd-preload.so in LD_PRELOAD
 * (tests/preload/meson.build). None of them links uiommufd.
 */
#ifndef UIOMMUFD_TESTS_PRELOAD_TEST_H
#define UIOMMUFD_TESTS_PRELOAD_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "uiommufd/uapi/iommufd.h"

/* ioctl() as the kernel's convention, folded into one value: 0 or -errno. */
static inline int ioctl_rc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int iommu_open(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	assert_true(fd >= 0);
	return fd;
}

static inline uint32_t ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &cmd), 0);
	assert_int_not_equal(cmd.out_ioas_id, 0);
	return cmd.out_ioas_id;
}

static inline int ioas_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl_rc(fd, IOMMU_DESTROY, &cmd);
}

/*
 * 0 if IOAS @id exists in the context behind @fd, else -errno (-ENOENT).
 * A read-only question (IOMMU_OPTION get on the IOAS), so asking it twice
 * gives the same answer.
 */
static inline int ioas_exists(int fd, uint32_t id)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = id,
	};

	return ioctl_rc(fd, IOMMU_OPTION, &cmd);
}

/* Reads what is available on @fd (a pipe) into @buf, NUL-terminated. */
static inline size_t drain_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

#endif
