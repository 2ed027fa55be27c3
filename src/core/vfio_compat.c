// SPDX-License-Identifier: BSD-3-Clause
/*
 * VFIO type1 compatibility on the iommufd fd, as Linux provides it: a
 * program written for the VFIO container API opens /dev/iommu (or gets it
 * as /dev/vfio/vfio) and issues VFIO_* ioctls. They act on one IOAS of the
 * context, the compat IOAS, which IOMMU_VFIO_IOAS reads and sets.
 *
 * Here: IOMMU_VFIO_IOAS, VFIO_GET_API_VERSION and VFIO_CHECK_EXTENSION are
 * complete; the container commands find the compat IOAS (ENODEV without
 * one, as the kernel answers) and need the io_pagetable's area layer for
 * the rest.
 */
#include <errno.h>

#include "core/core.h"
#include "core/ioas.h"
#include "uiommufd/uapi/vfio.h"

/* The compat IOAS with a short-term reference, or ERR_PTR(-ENODEV). */
static struct ufd_ioas *get_compat_ioas(struct ufd_ctx *ctx)
{
	struct ufd_ioas *ioas;
	uint32_t id;

	ufd_mutex_lock(&ctx->obj_lock);
	ioas = ctx->vfio_ioas;
	id = ioas ? ioas->obj.id : 0;
	ufd_mutex_unlock(&ctx->obj_lock);
	if (!id)
		return ERR_PTR(-ENODEV);
	ioas = ufd_get_ioas(ctx, id);
	return IS_ERR(ioas) ? ERR_PTR(-ENODEV) : ioas;
}

int ufd_vfio_ioas_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct ufd_ctx *ctx = ucmd->ctx;
	struct ufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ctx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		ufd_put_object(ctx, &ioas->obj);
		return ufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = ufd_get_ioas(ctx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		ufd_mutex_lock(&ctx->obj_lock);
		ctx->vfio_ioas = ioas;
		ufd_mutex_unlock(&ctx->obj_lock);
		ufd_put_object(ctx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ufd_mutex_lock(&ctx->obj_lock);
		ctx->vfio_ioas = NULL;
		ufd_mutex_unlock(&ctx->obj_lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static long vfio_check_extension(unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	default:
		/* No NOIOMMU, no SPAPR, no nesting, no VADDR update. */
		return 0;
	}
}

/* A container command: needs the compat IOAS first. */
static long vfio_container_cmd(struct ufd_ctx *ctx)
{
	struct ufd_ioas *ioas = get_compat_ioas(ctx);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ufd_put_object(ctx, &ioas->obj);
	return -EOPNOTSUPP;
}

/**
 * ufd_vfio_ioctl() - the VFIO type1 commands iommufd answers
 * @ctx: the context
 * @cmd: a VFIO ioctl number (anything outside the iommufd command range)
 * @arg: pointer or integer argument, as the command defines
 *
 * Return: the command's non-negative result or a negative errno; -ENOTTY
 * for commands the compat layer does not know.
 */
long ufd_vfio_ioctl(struct ufd_ctx *ctx, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension((unsigned long)arg);
	case VFIO_SET_IOMMU:
	case VFIO_IOMMU_GET_INFO:
	case VFIO_IOMMU_MAP_DMA:
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_container_cmd(ctx);
	default:
		return -ENOTTY;
	}
}
