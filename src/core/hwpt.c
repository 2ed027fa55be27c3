// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hardware page tables (HWPT): paging domains allocated from an IOAS and
 * nested domains allocated from a parent. Devices do not exist yet, so
 * every command here validates its struct as the kernel does and then finds
 * no device or HWPT.
 */
#include <errno.h>

#include "core/core.h"
#include "core/lookup_only.h"

#define HWPT_ALLOC_FLAGS                                                       \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |      \
	 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

int ufd_hwpt_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;

	if ((cmd->flags & ~HWPT_ALLOC_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->data_len && cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return -EINVAL;
	if ((cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
	    cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return -EINVAL;
	return ufd_lookup_only(ucmd->ctx, cmd->dev_id, UFD_OBJ_DEVICE);
}

int ufd_hwpt_invalidate_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct ufd_object *obj;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len))
		return -EINVAL;
	obj = ufd_get_object(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	/* Only nested HWPTs and vIOMMUs take invalidations. */
	if (obj->type == UFD_OBJ_HWPT_NESTED || obj->type == UFD_OBJ_VIOMMU)
		rc = -EOPNOTSUPP;
	else
		rc = -EINVAL;
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

int ufd_hwpt_set_dirty_tracking_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;

	if ((cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE) || cmd->__reserved)
		return -EOPNOTSUPP;
	return ufd_lookup_only(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_HWPT_PAGING);
}

int ufd_hwpt_get_dirty_bitmap_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	return ufd_lookup_only(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_HWPT_PAGING);
}
