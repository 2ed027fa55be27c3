// SPDX-License-Identifier: BSD-3-Clause
/*
 * VFIO type1 compatibility on the iommufd fd, as Linux provides it: a
 * program written for the VFIO container API opens /dev/iommu (or gets it
 * as /dev/vfio/vfio) and issues VFIO_* ioctls. They act on one IOAS of the
 * context, the compat IOAS, which IOMMU_VFIO_IOAS reads and sets.
 *
 * Without a compat IOAS every container command answers ENODEV, as the
 * kernel does. VFIO_TYPE1_IOMMU is emulated by disabling large pages on
 * the compat IOAS, so that unmapping a sub-range can cut areas.
 */
#include <errno.h>

#include <string.h>

#include "base/overflow.h"
#include "core/core.h"
#include "core/ioas.h"
#include "core/uaccess.h"
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

/* 1 if every HWPT on the compat IOAS enforces cache coherency. */
static long vfio_cc_iommu(struct ufd_ctx *ctx)
{
	struct ufd_ioas *ioas = get_compat_ioas(ctx);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* No HWPT exists yet that could fail to enforce it. */
	ufd_put_object(ctx, &ioas->obj);
	return 1;
}

static long vfio_check_extension(struct ufd_ctx *ctx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return vfio_cc_iommu(ctx);
	default:
		/* No NOIOMMU, no SPAPR, no nesting, no VADDR update. */
		return 0;
	}
}

/*
 * VFIO_SET_IOMMU: type1 is emulated by mapping with CPU pages only, so any
 * page-aligned sub-range can be unmapped; type1v2 needs nothing.
 */
static long vfio_set_iommu(struct ufd_ctx *ctx, unsigned long type)
{
	struct ufd_ioas *ioas;
	long rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	ioas = get_compat_ioas(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_disable_large_pages(&ioas->iopt);
	ufd_put_object(ctx, &ioas->obj);
	return rc;
}

/* The DMA_AVAIL capability: no limit on the number of mappings. */
static size_t fill_cap_dma_avail(struct ufd_ioas *ioas, void *cur, size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			    .version = 1 },
		.avail = UINT32_MAX,
	};

	if (avail >= sizeof(cap))
		memcpy(cur, &cap, sizeof(cap));
	return sizeof(cap);
}

/* The IOVA_RANGE capability: the usable ranges, as IOVA_RANGES has them. */
static size_t fill_cap_iova(struct ufd_ioas *ioas, void *cur, size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			    .version = 1 },
	};
	uint64_t starts[16], lasts[16], align;
	struct vfio_iova_range *ranges;
	unsigned int count, i;
	size_t size;

	iopt_usable_ranges(&ioas->iopt, starts, lasts, ARRAY_SIZE(starts),
			   &count, &align);
	/* More than 16 holes would take more reserved ranges than exist. */
	count = ufd_min(count, (unsigned int)ARRAY_SIZE(starts));
	cap.nr_iovas = count;
	size = sizeof(cap) + count * sizeof(struct vfio_iova_range);
	/* The caller's buffer need not be aligned: copy bytes. */
	ranges = (struct vfio_iova_range *)((char *)cur + sizeof(cap));
	for (i = 0; i < count; i++) {
		struct vfio_iova_range r = { starts[i], lasts[i] };

		if (avail >= sizeof(cap) + (i + 1) * sizeof(r))
			memcpy(&ranges[i], &r, sizeof(r));
	}
	if (avail >= size)
		memcpy(cur, &cap, sizeof(cap));
	return size;
}

/*
 * VFIO_IOMMU_GET_INFO: page sizes and a capability chain written as far
 * as the caller's argsz allows; argsz comes back as the size all of it
 * needs, and cap_offset is set only when all of it fit.
 */
static long vfio_get_info(struct ufd_ctx *ctx, void *arg)
{
	size_t (*const fill[])(struct ufd_ioas *, void *, size_t) = {
		fill_cap_dma_avail,
		fill_cap_iova,
	};
	struct vfio_iommu_type1_info info = { 0 };
	size_t minsz = offsetof(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_info_cap_header *last_cap = NULL;
	size_t total = sizeof(info), i;
	struct ufd_ioas *ioas;
	long rc;

	rc = copy_from_user(&info, arg, minsz);
	if (rc)
		return rc;
	if (info.argsz < minsz)
		return -EINVAL;
	if (!uaccess_ok(arg, info.argsz))
		return -EFAULT;
	minsz = ufd_min((size_t)info.argsz, sizeof(info));
	ioas = get_compat_ioas(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iopt_pgsize_bitmap(&ioas->iopt);
	info.cap_offset = 0;
	for (i = 0; i < ARRAY_SIZE(fill); i++) {
		char *cur = (char *)arg + total;
		size_t avail = info.argsz > total ? info.argsz - total : 0;
		/* Each capability starts 8-byte aligned, as Linux lays them. */
		size_t size = (fill[i](ioas, avail ? cur : NULL, avail) + 7) &
			      ~(size_t)7;

		if (last_cap && info.argsz >= total)
			last_cap->next = (uint32_t)total;
		last_cap = (struct vfio_info_cap_header *)cur;
		total += size;
	}
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	ufd_put_object(ctx, &ioas->obj);
	return copy_to_user(arg, &info, minsz);
}

static long vfio_map_dma(struct ufd_ctx *ctx, void *arg)
{
	uint32_t supported = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map map;
	struct ufd_ioas *ioas;
	uint64_t iova;
	long rc;

	rc = copy_from_user(&map, arg, sizeof(map));
	if (rc)
		return rc;
	if (map.argsz < sizeof(map) || map.flags & ~supported)
		return -EINVAL;
	ioas = get_compat_ioas(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	iova = map.iova;
	rc = iopt_map_user(
		&ioas->iopt, ufd_ctx_account(ctx), &iova, (uintptr_t)map.vaddr,
		map.size,
		(map.flags & VFIO_DMA_MAP_FLAG_READ ? IOPT_PROT_READ : 0) |
			(map.flags & VFIO_DMA_MAP_FLAG_WRITE ? IOPT_PROT_WRITE
							     : 0),
		0);
	ufd_put_object(ctx, &ioas->obj);
	return rc;
}

static long vfio_unmap_dma(struct ufd_ctx *ctx, void *arg)
{
	struct vfio_iommu_type1_dma_unmap unmap;
	struct ufd_ioas *ioas;
	uint64_t unmapped = 0;
	long rc;

	rc = copy_from_user(&unmap, arg, sizeof(unmap));
	if (rc)
		return rc;
	if (unmap.argsz < sizeof(unmap) ||
	    unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	ioas = get_compat_ioas(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = -EINVAL;
			goto out_put;
		}
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		uint64_t last;

		if (unmap.size &&
		    !check_add_overflow(unmap.iova, unmap.size - 1, &last) &&
		    !iopt_large_pages_enabled(&ioas->iopt)) {
			/* type1: cut areas so the range can be unmapped. */
			uint64_t cuts[2] = { last, unmap.iova - 1 };

			rc = iopt_cut(&ioas->iopt, cuts, unmap.iova ? 2 : 1);
			if (rc)
				goto out_put;
		}
		rc = iopt_unmap(&ioas->iopt, unmap.iova, unmap.size, &unmapped);
		/* Unmapping nothing is success for VFIO. */
		if (rc == -ENOENT && !unmapped &&
		    !iopt_range_has_area(&ioas->iopt, unmap.iova, unmap.size))
			rc = 0;
	}
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, sizeof(unmap)))
		rc = -EFAULT;
out_put:
	ufd_put_object(ctx, &ioas->obj);
	return rc;
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
		return vfio_check_extension(ctx, (unsigned long)arg);
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ctx, (unsigned long)arg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_get_info(ctx, arg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ctx, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ctx, arg);
	default:
		return -ENOTTY;
	}
}
