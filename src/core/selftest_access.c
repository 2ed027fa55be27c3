// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD ops on test accesses: CREATE_ACCESS, DESTROY_ACCESS_PAGES,
 * ACCESS_PAGES, ACCESS_RW, ACCESS_REPLACE_IOAS, and MD_CHECK_REFS. Not
 * answered yet: refused as a kernel refuses an op it does not implement.
 */
#include <errno.h>

#include "core/selftest.h"

int ufd_test_access_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	return -EOPNOTSUPP;
}
