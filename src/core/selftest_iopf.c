// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD TRIGGER_IOPF: a mock device raises an I/O page fault.
 * Not answered yet: refused as a kernel refuses an op it does not
 * implement.
 */
#include <errno.h>

#include "core/selftest.h"

int ufd_test_iopf_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	return -EOPNOTSUPP;
}
