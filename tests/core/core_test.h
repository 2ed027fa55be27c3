/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the core tests: a context per test, ioctl wrappers that
 * return -errno like the kernel's ioctl would set it, and IOAS creation.
 */
#ifndef UIOMMUFD_TESTS_CORE_TEST_H
#define UIOMMUFD_TESTS_CORE_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "core/core.h"
#include "uiommufd/uapi/iommufd.h"

static inline struct ufd_ctx *test_ctx_open(void)
{
	struct ufd_ctx *ctx = ufd_ctx_create();

	assert_false(IS_ERR(ctx));
	return ctx;
}

static inline long test_ioctl(struct ufd_ctx *ctx, unsigned int cmd, void *arg)
{
	return ufd_dispatch(ctx, cmd, arg);
}

static inline uint32_t test_ioas_alloc(struct ufd_ctx *ctx)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &cmd), 0);
	assert_int_not_equal(cmd.out_ioas_id, 0);
	return cmd.out_ioas_id;
}

static inline long test_destroy(struct ufd_ctx *ctx, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return test_ioctl(ctx, IOMMU_DESTROY, &cmd);
}

#endif
