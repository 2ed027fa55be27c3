/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the fault suite: ioctl wrappers over ufd_dispatch() that
 * return -errno, mock devices, fault queues, waiting for the service
 * thread, and counting this process's descriptors (every test checks it
 * leaks neither memory nor descriptors).
 */
#ifndef UIOMMUFD_TESTS_FAULT_TEST_H
#define UIOMMUFD_TESTS_FAULT_TEST_H

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../core/core_test.h"

#include "base/alloc.h"
#include "core/core.h"
#include "core/fault_fd.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PS 4096ull

/*
 * What IOMMU_DESTROY does once the dispatcher finishes pending releases
 * first (see fault_fd.c): a destroy right after close() of the descriptor
 * that held the object.
 */
static inline long ft_destroy_after_close(struct ufd_ctx *ctx, uint32_t id)
{
	ufd_fdchan_flush(ctx);
	return test_destroy(ctx, id);
}

static inline long ft_map(struct ufd_ctx *ctx, uint32_t ioas, void *va,
			  uint64_t len, uint64_t iova, uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd);
}

#define FT_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static inline long ft_unmap(struct ufd_ctx *ctx, uint32_t ioas, uint64_t iova,
			    uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return test_ioctl(ctx, IOMMU_IOAS_UNMAP, &cmd);
}

struct ft_mock {
	uint32_t stdev, hwpt, idev;
};

static inline void ft_mock_domain(struct ufd_ctx *ctx, uint32_t pt,
				  struct ft_mock *m)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt,
	};

	assert_int_equal(test_ioctl(ctx, IOMMU_TEST_CMD, &cmd), 0);
	m->stdev = cmd.mock_domain.out_stdev_id;
	m->hwpt = cmd.mock_domain.out_hwpt_id;
	m->idev = cmd.mock_domain.out_idev_id;
}

static inline long ft_mock_replace(struct ufd_ctx *ctx, uint32_t stdev,
				   uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static inline long ft_check_refs(struct ufd_ctx *ctx, const void *uptr,
				 uint64_t len, uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len,
				.uptr = (uintptr_t)uptr,
				.refs = refs },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* Descriptors open in this process. */
static inline int ft_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own */
}

static inline uint64_t ft_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Polls @cond for up to 5 s (the service thread works asynchronously). */
#define ft_wait_until(cond)                                                    \
	do {                                                                   \
		uint64_t _deadline = ft_now_ms() + 5000;                       \
		while (!(cond) && ft_now_ms() < _deadline) {                   \
			struct timespec _ts = { 0, 200000 };                   \
			nanosleep(&_ts, NULL);                                 \
		}                                                              \
		assert_true(cond);                                             \
	} while (0)

/*
 * The baseline a test must return to: allocations and descriptors. Taken
 * after the service thread exists (its epoll descriptor lives as long as
 * the process), which ft_warm_up() ensures.
 */
struct ft_baseline {
	int64_t live;
	int fds;
};

static inline void ft_warm_up(void)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	struct ufd_ctx *ctx = test_ctx_open();

	assert_int_equal(test_ioctl(ctx, IOMMU_FAULT_QUEUE_ALLOC, &cmd), 0);
	close((int)cmd.out_fault_fd);
	ufd_ctx_put(ctx);
	ufd_fdchan_flush(NULL);
}

static inline struct ft_baseline ft_baseline(void)
{
	struct ft_baseline b = { ufd_alloc_live(), ft_fd_count() };

	return b;
}

static inline void ft_check_baseline(struct ft_baseline b)
{
	ufd_fdchan_flush(NULL);
	assert_int_equal(ufd_fdchan_count(), 0);
	assert_int_equal(ufd_alloc_live(), b.live);
	assert_int_equal(ft_fd_count(), b.fds);
}

#endif
