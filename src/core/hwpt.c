// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hardware page tables: paging HWPTs on an IOAS (IOMMU_HWPT_ALLOC, and the
 * auto domains device attach creates), and the commands on HWPTs. Nested
 * HWPTs, dirty tracking and invalidation arrive with the drivers that
 * support them; until then those commands validate their struct as Linux
 * does and find no such HWPT.
 */
#include <errno.h>

#include "core/device.h"
#include "core/hwpt.h"
#include "core/lookup_only.h"
#include "dev/dev.h"

#define HWPT_ALLOC_FLAGS                                                       \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |      \
	 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

/**
 * ufd_hwpt_paging_alloc() - a paging HWPT on @ioas, built by @dev's driver
 * @ucmd: the ioctl creating it (the dispatcher then finalizes or aborts
 *        it), or NULL for an auto domain (the caller finalizes it)
 * @ctx: the context
 * @ioas: the IOAS; the caller holds ioas->mutex
 * @dev: the device whose IOMMU builds the domain
 * @flags: IOMMU_HWPT_ALLOC_* the driver must honour
 * @auto_domain: created by attaching to an IOAS directly
 *
 * The domain is filled with every area of the IOAS before this returns.
 *
 * Return: the HWPT, or an ERR_PTR: the driver's refusal (-EOPNOTSUPP),
 * the io_pagetable's (-EADDRINUSE, -EINVAL, -EFAULT), -ENOMEM.
 */
struct ufd_hwpt_paging *ufd_hwpt_paging_alloc(struct ufd_ucmd *ucmd,
					      struct ufd_ctx *ctx,
					      struct ufd_ioas *ioas,
					      struct ufd_dev *dev,
					      uint32_t flags, bool auto_domain)
{
	struct ufd_hwpt_paging *hwpt;
	struct ufd_domain *domain;
	int rc;

	ufd_mutex_assert_held(&ioas->mutex);
	domain = dev->iommu->domain_alloc_paging(dev, flags);
	if (IS_ERR(domain))
		return ERR_CAST(domain);
	if (ucmd)
		hwpt = ufd_object_alloc_ucmd_type(ucmd, hwpt,
						  UFD_OBJ_HWPT_PAGING);
	else
		hwpt = ufd_object_alloc_type(ctx, hwpt, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt)) {
		domain->ops->free(domain);
		return hwpt;
	}
	hwpt->domain = domain;
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	rc = iopt_add_domain(&ioas->iopt, &domain->iopt);
	if (rc)
		goto out_abort;
	/* From here on destroy undoes the fill and drops the IOAS. */
	ufd_object_ref(&ioas->obj); /* pairs with ufd_hwpt_paging_destroy */
	hwpt->ioas = ioas;
	hwpt->next = ioas->hwpts;
	ioas->hwpts = hwpt;
	return hwpt;

out_abort:
	if (!ucmd)
		ufd_object_abort_and_destroy(ctx, &hwpt->obj);
	return ERR_PTR(rc);
}

/* The object op; also the abort op (it copes with a partial creation). */
void ufd_hwpt_paging_destroy(struct ufd_object *obj)
{
	struct ufd_hwpt_paging *hwpt = to_hwpt_paging(obj);
	struct ufd_ioas *ioas = hwpt->ioas;

	if (ioas) {
		struct ufd_hwpt_paging **pp;

		ufd_mutex_lock(&ioas->mutex);
		for (pp = &ioas->hwpts; *pp; pp = &(*pp)->next) {
			if (*pp == hwpt) {
				*pp = hwpt->next;
				break;
			}
		}
		ufd_mutex_unlock(&ioas->mutex);
		iopt_remove_domain(&ioas->iopt, &hwpt->domain->iopt);
		ufd_object_unref(&ioas->obj);
	}
	if (hwpt->fault)
		ufd_object_unref(hwpt->fault); /* pairs with hwpt_set_fault() */
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
}

/* Connects the fault queue @fault_id to a new HWPT. */
static int hwpt_set_fault(struct ufd_ucmd *ucmd, struct ufd_hwpt_paging *hwpt,
			  uint32_t fault_id)
{
	struct ufd_object *fault;

	fault = ufd_get_object(ucmd->ctx, fault_id, UFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	ufd_object_ref(fault); /* pairs with ufd_hwpt_paging_destroy() */
	hwpt->fault = fault;
	ufd_put_object(ucmd->ctx, fault);
	return 0;
}

int ufd_hwpt_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ufd_hwpt_paging *hwpt;
	struct ufd_device *idev;
	struct ufd_object *pt;
	int rc;

	if ((cmd->flags & ~HWPT_ALLOC_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->data_len && cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return -EINVAL;
	if ((cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
	    cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return -EINVAL;
	idev = ufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	pt = ufd_get_object(ucmd->ctx, cmd->pt_id, UFD_OBJ_ANY);
	if (IS_ERR(pt)) {
		rc = -EINVAL;
		goto out_put_idev;
	}
	switch (pt->type) {
	case UFD_OBJ_IOAS: {
		struct ufd_ioas *ioas = to_ioas(pt);

		/* Driver-specific paging data arrives with the drivers. */
		if (cmd->data_type != IOMMU_HWPT_DATA_NONE) {
			rc = -EOPNOTSUPP;
			break;
		}
		ufd_mutex_lock(&ioas->mutex);
		hwpt = ufd_hwpt_paging_alloc(
			ucmd, ucmd->ctx, ioas, idev->dev,
			cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID, false);
		ufd_mutex_unlock(&ioas->mutex);
		if (IS_ERR(hwpt)) {
			rc = PTR_ERR(hwpt);
			break;
		}
		if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
			rc = hwpt_set_fault(ucmd, hwpt, cmd->fault_id);
			if (rc)
				break;
		}
		cmd->out_hwpt_id = hwpt->obj.id;
		rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
		break;
	}
	case UFD_OBJ_HWPT_PAGING:
		/* Nested domains come with the drivers that build them. */
		rc = -EOPNOTSUPP;
		break;
	default:
		rc = -EINVAL;
	}
	ufd_put_object(ucmd->ctx, pt);
out_put_idev:
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
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
	/* No driver here tracks dirty pages yet. */
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
