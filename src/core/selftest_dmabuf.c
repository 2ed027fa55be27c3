// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD DMABUF_GET and DMABUF_REVOKE: the kernel selftest's
 * dma-buf exporter. DMABUF_GET makes a buffer of dmabuf_get.length bytes
 * (rounded up to pages, at most 512 of them) and answers with the new
 * descriptor as the ioctl's result, which is how the selftest reads it.
 * DMABUF_REVOKE sets the buffer's revoked state; importers made before it
 * lose their translations either way. What a test dma-buf is, and the
 * revocation rules, are in src/iopt/dmabuf.c. Neither op names an object:
 * cmd->id is not looked at, as in Linux.
 */
#include <errno.h>

#include "core/selftest.h"
#include "iopt/dmabuf.h"
#include "uiommufd/uapi/iommufd_test.h"

int ufd_test_dmabuf_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	switch (cmd->op) {
	case IOMMU_TEST_OP_DMABUF_GET:
		return iopt_dmabuf_create(cmd->dmabuf_get.length,
					  cmd->dmabuf_get.open_flags);
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return iopt_dmabuf_revoke(cmd->dmabuf_revoke.dmabuf_fd,
					  cmd->dmabuf_revoke.revoked);
	default:
		return -EOPNOTSUPP;
	}
}
