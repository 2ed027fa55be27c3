// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices bound to a context. Binding arrives with the emulated devices;
 * until then IOMMU_GET_HW_INFO validates its struct and finds no device.
 */
#include <errno.h>

#include "core/core.h"
#include "core/lookup_only.h"

int ufd_get_hw_info_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	return ufd_lookup_only(ucmd->ctx, cmd->dev_id, UFD_OBJ_DEVICE);
}
