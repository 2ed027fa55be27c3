// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOAS objects: an IO address space backed by one io_pagetable.
 *
 * Every IOAS command validates its struct the way the kernel does, in the
 * kernel's order (reserved fields and flags, then ranges, then the object),
 * so a caller sees the same errno for the same misuse. Mapping commands
 * answer EOPNOTSUPP for a valid request until the io_pagetable's area layer
 * exists; everything before that point is final.
 */
#include <errno.h>

#include "base/log.h"
#include "core/core.h"
#include "core/ioas.h"

#define IOAS_MAP_FLAGS                                                         \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |                \
	 IOMMU_IOAS_MAP_READABLE)

/** ufd_get_ioas() - look up an IOAS; pairs with ufd_put_object() */
struct ufd_ioas *ufd_get_ioas(struct ufd_ctx *ctx, uint32_t id)
{
	struct ufd_object *obj = ufd_get_object(ctx, id, UFD_OBJ_IOAS);

	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return to_ioas(obj);
}

/* The object op: called with no user left. */
void ufd_ioas_destroy(struct ufd_object *obj)
{
	iopt_destroy_table(&to_ioas(obj)->iopt);
}

int ufd_ioas_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = ufd_object_alloc_ucmd_type(ucmd, ioas, UFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	iopt_init_table(&ioas->iopt);
	cmd->out_ioas_id = ioas->obj.id;
	return ufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * The common tail of the commands whose work belongs to the area layer:
 * the object exists and the request is well formed.
 */
static int ioas_not_yet(struct ufd_ctx *ctx, uint32_t ioas_id, const char *what)
{
	struct ufd_ioas *ioas = ufd_get_ioas(ctx, ioas_id);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ufd_dbg("%s: not supported yet", what);
	ufd_put_object(ctx, &ioas->obj);
	return -EOPNOTSUPP;
}

int ufd_ioas_iova_ranges_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	return ioas_not_yet(ucmd->ctx, cmd->ioas_id, "IOMMU_IOAS_IOVA_RANGES");
}

int ufd_ioas_allow_iovas_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	return ioas_not_yet(ucmd->ctx, cmd->ioas_id, "IOMMU_IOAS_ALLOW_IOVAS");
}

/* An IOVA or length the kernel cannot hold in an unsigned long. */
static bool ioas_range_overflows(uint64_t a, uint64_t b)
{
	return a >= UINT64_MAX || b >= UINT64_MAX;
}

int ufd_ioas_map_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;

	if ((cmd->flags & ~IOAS_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (ioas_range_overflows(cmd->iova, cmd->length))
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	return ioas_not_yet(ucmd->ctx, cmd->ioas_id, "IOMMU_IOAS_MAP");
}

int ufd_ioas_map_file_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (ioas_range_overflows(cmd->iova, cmd->length) ||
	    cmd->start >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	return ioas_not_yet(ucmd->ctx, cmd->ioas_id, "IOMMU_IOAS_MAP_FILE");
}

/*
 * Translating an IOVA to a physical address is for devices without an
 * IOMMU; no such device can be bound here, so a valid request is refused.
 */
int ufd_ioas_noiommu_get_pa_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_noiommu_get_pa *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	return ioas_not_yet(ucmd->ctx, cmd->ioas_id,
			    "IOMMU_IOAS_NOIOMMU_GET_PA");
}

int ufd_ioas_copy_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct ufd_ioas *src;
	int rc;

	if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
	    cmd->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	src = ufd_get_ioas(ucmd->ctx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	rc = ioas_not_yet(ucmd->ctx, cmd->dst_ioas_id, "IOMMU_IOAS_COPY");
	ufd_put_object(ucmd->ctx, &src->obj);
	return rc;
}

int ufd_ioas_unmap_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;
	int rc = -EOPNOTSUPP;

	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* 0..U64_MAX means "everything"; any other range must fit. */
	if (!(cmd->iova == 0 && cmd->length == UINT64_MAX) &&
	    ioas_range_overflows(cmd->iova, cmd->length))
		rc = -EOVERFLOW;
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

int ufd_ioas_change_process_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	/*
	 * Every context lives in the process that opened it, and nothing is
	 * pinned yet that could belong to another: moving is a no-op.
	 */
	return 0;
}

/* IOMMU_OPTION_HUGE_PAGES on one IOAS. */
static int ioas_option_huge_pages(struct iommu_option *cmd,
				  struct ufd_ioas *ioas)
{
	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = iopt_large_pages_enabled(&ioas->iopt);
		return 0;
	case IOMMU_OPTION_OP_SET:
		if (cmd->val64 == 0)
			return iopt_disable_large_pages(&ioas->iopt);
		if (cmd->val64 == 1) {
			iopt_enable_large_pages(&ioas->iopt);
			return 0;
		}
		return -EINVAL;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * ufd_ioas_option() - the per-IOAS options of IOMMU_OPTION
 * @ucmd: the ioctl, its struct iommu_option naming an IOAS in object_id
 *
 * Return: 0, -ENOENT (no such IOAS), -EINVAL (bad value), -EOPNOTSUPP
 * (unknown op or option).
 */
int ufd_ioas_option(struct ufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;
	int rc;

	ioas = ufd_get_ioas(ucmd->ctx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	switch (cmd->option_id) {
	case IOMMU_OPTION_HUGE_PAGES:
		rc = ioas_option_huge_pages(cmd, ioas);
		break;
	default:
		rc = -EOPNOTSUPP;
	}
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}
