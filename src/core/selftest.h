/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SELFTEST object type and IOMMU_TEST_CMD; see selftest.c.
 */
#ifndef UIOMMUFD_CORE_SELFTEST_H
#define UIOMMUFD_CORE_SELFTEST_H

#include "core/core.h"

struct ufd_dev;
struct ufd_device;

/*
 * A SELFTEST object: the kernel selftests' "mock device" (stdev). It owns
 * an emulated device behind the mock IOMMU and the bound device object
 * (idev) it appears as, or, for core tests, just holds a reference on
 * another object. Destroying it unbinds and frees the device.
 */
struct ufd_selftest_obj {
	struct ufd_object obj;
	struct ufd_object *held; /* long-term reference, or NULL */
	struct ufd_dev *dev;
	struct ufd_device *idev;
};

int64_t ufd_selftest_obj_create(struct ufd_ctx *ctx, uint32_t hold_id);
struct ufd_selftest_obj *ufd_selftest_find_mock(struct ufd_ctx *ctx,
						uint32_t dev_id);

struct iommu_test_cmd;
/* Op families in their own files (selftest_*.c). */
int ufd_test_access_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd);
int ufd_test_iopf_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd);
int ufd_test_dirty_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd);
int ufd_test_dmabuf_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd);

#endif
