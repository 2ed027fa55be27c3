// SPDX-License-Identifier: BSD-3-Clause
/*
 * The vIOMMU family: vIOMMU, vDEVICE and HW queue objects. They need a
 * device and a nesting parent, which arrive later; the commands validate
 * their struct as the kernel does and find no device or vIOMMU.
 */
#include <errno.h>

#include "base/overflow.h"
#include "core/core.h"
#include "core/lookup_only.h"

int ufd_viommu_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	return ufd_lookup_only(ucmd->ctx, cmd->dev_id, UFD_OBJ_DEVICE);
}

int ufd_vdevice_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;

	return ufd_lookup_only(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
}

int ufd_hw_queue_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	uint64_t last;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return -EOVERFLOW;
	return ufd_lookup_only(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
}
