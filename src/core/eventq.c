// SPDX-License-Identifier: BSD-3-Clause
/*
 * Event queues: fault queues (I/O page faults for user space to resolve)
 * and vEVENTQs (events a vIOMMU reports to its VM). Both hand the caller a
 * file descriptor; until those exist, the commands validate their struct
 * as the kernel does and refuse the rest.
 */
#include <errno.h>

#include "core/core.h"
#include "core/lookup_only.h"

int ufd_fault_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;

	/* Unknown flags and, for now, every valid request. */
	(void)cmd;
	return -EOPNOTSUPP;
}

int ufd_veventq_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth)
		return -EINVAL;
	return ufd_lookup_only(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
}
