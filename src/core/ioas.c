// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOAS objects: an IO address space backed by one io_pagetable.
 *
 * Every IOAS command validates its struct the way the kernel does, in the
 * kernel's order (reserved fields and flags, then ranges, then the object),
 * so a caller sees the same errno for the same misuse, and then hands the
 * work to the io_pagetable (src/iopt).
 */
#include <errno.h>

#include "base/alloc.h"
#include "core/core.h"
#include "core/ioas.h"
#include "core/uaccess.h"
#include "iopt/dmabuf.h"

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
	struct ufd_ioas *ioas = to_ioas(obj);

	iopt_destroy_table(&ioas->iopt);
	ufd_mutex_destroy(&ioas->mutex);
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
	ufd_mutex_init(&ioas->mutex);
	cmd->out_ioas_id = ioas->obj.id;
	return ufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * ufd_ctx_account() - where this context's pins are charged (RLIMIT_MODE)
 *
 * NULL (no charge) when the opener had CAP_IPC_LOCK, as in Linux (which
 * asks at each map; see struct ufd_ctx).
 */
struct iopt_account *ufd_ctx_account(struct ufd_ctx *ctx)
{
	if (ctx->account_exempt)
		return NULL;
	return atomic_load(&ctx->account_mode) == UFD_ACCOUNT_MM
		       ? iopt_account_mm()
		       : iopt_account_user();
}

static unsigned int map_flags_to_prot(uint32_t flags)
{
	return (flags & IOMMU_IOAS_MAP_READABLE ? IOPT_PROT_READ : 0) |
	       (flags & IOMMU_IOAS_MAP_WRITEABLE ? IOPT_PROT_WRITE : 0);
}

static unsigned int map_flags_to_iopt(uint32_t flags)
{
	return flags & IOMMU_IOAS_MAP_FIXED_IOVA ? 0 : IOPT_ALLOC_IOVA;
}

int ufd_ioas_iova_ranges_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range *out = NULL;
	uint32_t max = cmd->num_iovas;
	unsigned int count, i;
	uint64_t *starts = NULL, *lasts = NULL, alignment;
	struct ufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* Two passes: count, then fill; the set is tiny. */
	iopt_usable_ranges(&ioas->iopt, NULL, NULL, 0, &count, &alignment);
	if (count) {
		starts = ufd_calloc(count, sizeof(*starts));
		lasts = ufd_calloc(count, sizeof(*lasts));
		if (!starts || !lasts) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	iopt_usable_ranges(&ioas->iopt, starts, lasts, count, &count,
			   &alignment);
	out = (struct iommu_iova_range *)(uintptr_t)cmd->allowed_iovas;
	for (i = 0; i < count && i < max; i++) {
		struct iommu_iova_range elm = { starts[i], lasts[i] };

		rc = copy_to_user(&out[i], &elm, sizeof(elm));
		if (rc)
			goto out_free;
	}
	cmd->num_iovas = count;
	cmd->out_iova_alignment = alignment;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc && count > max)
		rc = -EMSGSIZE;
out_free:
	ufd_free(starts);
	ufd_free(lasts);
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

int ufd_ioas_allow_iovas_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	const struct iommu_iova_range *in =
		(const struct iommu_iova_range *)(uintptr_t)cmd->allowed_iovas;
	uint64_t *starts = NULL, *lasts = NULL;
	struct ufd_ioas *ioas;
	uint32_t i, j;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (cmd->num_iovas) {
		starts = ufd_calloc(cmd->num_iovas, sizeof(*starts));
		lasts = ufd_calloc(cmd->num_iovas, sizeof(*lasts));
		if (!starts || !lasts) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	for (i = 0; i < cmd->num_iovas; i++) {
		struct iommu_iova_range elm;

		rc = copy_from_user(&elm, &in[i], sizeof(elm));
		if (rc)
			goto out_free;
		/* Linux refuses single-byte ranges too (start >= last). */
		if (elm.start >= elm.last) {
			rc = -EINVAL;
			goto out_free;
		}
		/* The ranges given must not overlap one another. */
		for (j = 0; j < i; j++) {
			if (elm.start <= lasts[j] && starts[j] <= elm.last) {
				rc = -EINVAL;
				goto out_free;
			}
		}
		starts[i] = elm.start;
		lasts[i] = elm.last;
	}
	rc = iopt_set_allowed(&ioas->iopt, starts, lasts, cmd->num_iovas);
out_free:
	ufd_free(starts);
	ufd_free(lasts);
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/* An IOVA or length the kernel cannot hold in an unsigned long. */
static bool ioas_range_overflows(uint64_t a, uint64_t b)
{
	return a >= UINT64_MAX || b >= UINT64_MAX;
}

int ufd_ioas_map_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if ((cmd->flags & ~IOAS_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (ioas_range_overflows(cmd->iova, cmd->length))
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_map_user(&ioas->iopt, ufd_ctx_account(ucmd->ctx), &iova,
			   (uintptr_t)cmd->user_va, cmd->length,
			   map_flags_to_prot(cmd->flags),
			   map_flags_to_iopt(cmd->flags));
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

int ufd_ioas_map_file_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (ioas_range_overflows(cmd->iova, cmd->length) ||
	    cmd->start >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* A test dma-buf: not pinned, not charged, revocable (dmabuf.c). */
	if (iopt_dmabuf_match(cmd->fd))
		rc = iopt_map_dmabuf(&ioas->iopt, &iova, cmd->fd, cmd->start,
				     cmd->length, map_flags_to_prot(cmd->flags),
				     map_flags_to_iopt(cmd->flags));
	else
		rc = iopt_map_file(&ioas->iopt, ufd_ctx_account(ucmd->ctx),
				   &iova, cmd->fd, cmd->start, cmd->length,
				   map_flags_to_prot(cmd->flags),
				   map_flags_to_iopt(cmd->flags));
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/*
 * Translating an IOVA to a physical address is for devices without an
 * IOMMU; no such device can be bound here, so a valid request is refused.
 */
int ufd_ioas_noiommu_get_pa_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_noiommu_get_pa *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return -EOPNOTSUPP;
}

int ufd_ioas_copy_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iopt_pieces *pieces;
	struct ufd_ioas *src, *dst;
	uint64_t iova = cmd->dst_iova;
	int rc;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
	    cmd->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	src = ufd_get_ioas(ucmd->ctx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	pieces = iopt_get_pieces(&src->iopt, cmd->src_iova, cmd->length);
	ufd_put_object(ucmd->ctx, &src->obj);
	if (IS_ERR(pieces))
		return PTR_ERR(pieces);
	dst = ufd_get_ioas(ucmd->ctx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_put_pieces;
	}
	rc = iopt_map_pieces(&dst->iopt, pieces->piece, pieces->n, &iova,
			     map_flags_to_prot(cmd->flags),
			     map_flags_to_iopt(cmd->flags));
	if (rc)
		goto out_put_dst;
	cmd->dst_iova = iova;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put_dst:
	ufd_put_object(ucmd->ctx, &dst->obj);
out_put_pieces:
	iopt_put_pieces(pieces);
	return rc;
}

int ufd_ioas_unmap_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct ufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	ioas = ufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* 0..U64_MAX means "everything"; any other range must fit. */
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (ioas_range_overflows(cmd->iova, cmd->length)) {
		rc = -EOVERFLOW;
	} else {
		rc = iopt_unmap(&ioas->iopt, cmd->iova, cmd->length, &unmapped);
	}
	if (rc)
		goto out_put;
	cmd->length = unmapped;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS moves the pins of a context to the calling
 * process. Only file-backed mappings can move (user-address mappings
 * belong to the old address space): any other area makes it EINVAL. A
 * context here always lives in the process that opened it, so once the
 * check passes there is no charge to move.
 */
int ufd_ioas_change_process_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct ufd_ctx *ctx = ucmd->ctx;
	uint32_t id = 1;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	while (!rc) {
		struct ufd_object *obj;

		ufd_mutex_lock(&ctx->obj_lock);
		obj = idt_next(&ctx->objects, &id);
		while (obj && obj->type != UFD_OBJ_IOAS && ++id)
			obj = idt_next(&ctx->objects, &id);
		ufd_mutex_unlock(&ctx->obj_lock);
		if (!obj)
			break;
		obj = ufd_get_object(ctx, id, UFD_OBJ_IOAS);
		if (!IS_ERR(obj)) {
			if (!iopt_only_file_backed(&to_ioas(obj)->iopt))
				rc = -EINVAL;
			ufd_put_object(ctx, obj);
		}
		if (!++id)
			break;
	}
	return rc;
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
