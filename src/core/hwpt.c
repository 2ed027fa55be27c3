// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hardware page tables: paging HWPTs on an IOAS (IOMMU_HWPT_ALLOC, and the
 * auto domains device attach creates), and the commands on HWPTs: dirty
 * tracking and invalidation; nested HWPTs over a nesting parent, made
 * directly or through a vIOMMU.
 *
 * Dirty tracking, as Linux does it. A paging HWPT allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING has a domain with dirty_ops; any other
 * answers EOPNOTSUPP to both dirty commands. Turning tracking on first
 * cleans every mapped leaf, so the first harvest reports only what was
 * written after the switch. A harvest (IOMMU_HWPT_GET_DIRTY_BITMAP) takes
 * the IOAS's iova_rwsem for read, so the areas it walks cannot be unmapped
 * under it, and walks the areas that lie back to back from the start of the
 * range: like the kernel it stops quietly at the first hole and still
 * answers success. Bit n of the caller's bitmap stands for
 * [iova + n * 2^pgshift, iova + (n + 1) * 2^pgshift), where pgshift is the
 * lowest set bit of page_size (the kernel's reading of a page_size that is
 * not a power of two); bits are only ever set, never cleared, and bits
 * that would land in memory the caller cannot have are dropped, as the
 * kernel drops what it cannot pin.
 *
 * Lock order: ioas->mutex -> iopt iova_rwsem -> the driver's table locks.
 */
#include <errno.h>
#include <string.h>

#include "base/overflow.h"
#include "core/device.h"
#include "core/hwpt.h"
#include "core/uaccess.h"
#include "core/viommu.h"
#include "dev/dev.h"

#define HWPT_ALLOC_FLAGS                                                       \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |      \
	 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

/* Asks @dev's driver for a paging domain, with or without user data. */
static struct ufd_domain *domain_alloc(struct ufd_dev *dev, uint32_t flags,
				       const struct ufd_user_data *data)
{
	const struct ufd_iommu_ops *ops = dev->iommu;

	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !ufd_iommu_capable(ops, dev, UFD_CAP_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);
	if (!data)
		return ops->domain_alloc_paging(dev, flags);
	if (!ops->domain_alloc_paging_data)
		return ERR_PTR(-EOPNOTSUPP);
	return ops->domain_alloc_paging_data(dev, flags, data);
}

static struct ufd_hwpt_paging *
hwpt_paging_alloc(struct ufd_ucmd *ucmd, struct ufd_ctx *ctx,
		  struct ufd_ioas *ioas, struct ufd_dev *dev, uint32_t flags,
		  bool auto_domain, const struct ufd_user_data *data)
{
	struct ufd_hwpt_paging *hwpt;
	struct ufd_domain *domain;
	struct ufd_object *obj;
	int rc;

	_Static_assert(offsetof(struct ufd_hwpt_paging, common.obj) == 0,
		       "object header must be at offset 0");
	ufd_mutex_assert_held(&ioas->mutex);
	domain = domain_alloc(dev, flags, data);
	if (IS_ERR(domain))
		return ERR_CAST(domain);
	if (ucmd)
		obj = ufd_object_alloc_ucmd(ucmd, sizeof(*hwpt),
					    UFD_OBJ_HWPT_PAGING);
	else
		obj = ufd_object_alloc(ctx, sizeof(*hwpt), UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj)) {
		domain->ops->free(domain);
		return ERR_CAST(obj);
	}
	hwpt = to_hwpt_paging(obj);
	hwpt->common.domain = domain;
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
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
		ufd_object_abort_and_destroy(ctx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/**
 * ufd_hwpt_paging_alloc() - a paging HWPT on @ioas, built by @dev's driver
 * @ucmd: the ioctl creating it (the dispatcher then finalizes or aborts
 *        it), or NULL for an auto domain (the caller finalizes it)
 * @ctx: the context
 * @ioas: the IOAS; the caller holds ioas->mutex
 * @dev: the device whose IOMMU builds the domain
 * @flags: IOMMU_HWPT_ALLOC_* the driver must honour (not FAULT_ID_VALID)
 * @auto_domain: created by attaching to an IOAS directly
 *
 * The domain is filled with every area of the IOAS before this returns.
 *
 * Return: the HWPT, or an ERR_PTR: the driver's refusal (-EOPNOTSUPP, also
 * for DIRTY_TRACKING on an IOMMU that cannot track), the io_pagetable's
 * (-EADDRINUSE, -EINVAL, -EFAULT), -ENOMEM.
 */
struct ufd_hwpt_paging *ufd_hwpt_paging_alloc(struct ufd_ucmd *ucmd,
					      struct ufd_ctx *ctx,
					      struct ufd_ioas *ioas,
					      struct ufd_dev *dev,
					      uint32_t flags, bool auto_domain)
{
	return hwpt_paging_alloc(ucmd, ctx, ioas, dev, flags, auto_domain,
				 NULL);
}

/* What every HWPT releases: its fault queue and its domain. */
static void hwpt_common_destroy(struct ufd_hwpt *hwpt)
{
	if (hwpt->fault)
		ufd_object_unref(hwpt->fault); /* pairs with hwpt_set_fault() */
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
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
		iopt_remove_domain(&ioas->iopt, &hwpt->common.domain->iopt);
		ufd_object_unref(&ioas->obj);
	}
	hwpt_common_destroy(&hwpt->common);
}

/* The object op; also the abort op (it copes with a partial creation). */
void ufd_hwpt_nested_destroy(struct ufd_object *obj)
{
	struct ufd_hwpt_nested *hwpt = to_hwpt_nested(obj);

	hwpt_common_destroy(&hwpt->common);
	/* A nested HWPT of a vIOMMU holds the vIOMMU, which holds the parent. */
	if (hwpt->viommu)
		ufd_object_unref(hwpt->viommu);
	else if (hwpt->parent)
		ufd_object_unref(&hwpt->parent->common.obj);
}

/* Connects the fault queue @fault_id to a new HWPT. */
static int hwpt_set_fault(struct ufd_ucmd *ucmd, struct ufd_hwpt *hwpt,
			  uint32_t fault_id)
{
	struct ufd_object *fault;

	fault = ufd_get_object(ucmd->ctx, fault_id, UFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	ufd_object_ref(fault); /* pairs with hwpt_common_destroy() */
	hwpt->fault = fault;
	ufd_put_object(ucmd->ctx, fault);
	return 0;
}

/* IOMMU_HWPT_ALLOC on an IOAS: a paging HWPT. */
static struct ufd_hwpt *hwpt_alloc_paging(struct ufd_ucmd *ucmd,
					  struct ufd_ioas *ioas,
					  struct ufd_device *idev,
					  const struct ufd_user_data *data)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ufd_hwpt_paging *hwpt;

	/* A fault queue serves the stage-1 HWPTs, not their parent. */
	if ((cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) &&
	    (cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ERR_PTR(-EOPNOTSUPP);
	ufd_mutex_lock(&ioas->mutex);
	hwpt = hwpt_paging_alloc(ucmd, ucmd->ctx, ioas, idev->dev,
				 cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID, false,
				 data->len ? data : NULL);
	ufd_mutex_unlock(&ioas->mutex);
	return IS_ERR(hwpt) ? ERR_CAST(hwpt) : &hwpt->common;
}

/* The object of a nested HWPT; the caller sets it up. */
static struct ufd_hwpt_nested *hwpt_nested_new(struct ufd_ucmd *ucmd,
					       uint32_t flags)
{
	struct ufd_hwpt_nested *hwpt;
	struct ufd_object *obj;

	_Static_assert(offsetof(struct ufd_hwpt_nested, common.obj) == 0,
		       "object header must be at offset 0");
	if (flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	obj = ufd_object_alloc_ucmd(ucmd, sizeof(*hwpt), UFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	hwpt = to_hwpt_nested(obj);
	hwpt->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	return hwpt;
}

/* Checks the domain a driver made for a nested HWPT and keeps it. */
static int hwpt_nested_set_domain(struct ufd_hwpt_nested *hwpt,
				  struct ufd_domain *domain)
{
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	hwpt->common.domain = domain;
	/* A driver that hands back anything else is broken. */
	return domain->type == UFD_DOMAIN_NESTED ? 0 : -EOPNOTSUPP;
}

/* IOMMU_HWPT_ALLOC on a paging HWPT: a nested HWPT over it. */
static struct ufd_hwpt *hwpt_alloc_nested(struct ufd_ucmd *ucmd,
					  struct ufd_hwpt_paging *parent,
					  struct ufd_device *idev,
					  const struct ufd_user_data *data)
{
	const struct ufd_iommu_ops *ops = idev->dev->iommu;
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ufd_hwpt_nested *hwpt;
	int rc;

	if (!data->len || !ops || !ops->domain_alloc_nested)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->auto_domain || !parent->nest_parent ||
	    parent->common.domain->owner != ops)
		return ERR_PTR(-EINVAL);
	hwpt = hwpt_nested_new(ucmd, cmd->flags);
	if (IS_ERR(hwpt))
		return ERR_CAST(hwpt);
	ufd_object_ref(&parent->common.obj); /* pairs with nested_destroy */
	hwpt->parent = parent;
	rc = hwpt_nested_set_domain(
		hwpt, ops->domain_alloc_nested(
			      idev->dev, parent->common.domain,
			      cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID, data));
	return rc ? ERR_PTR(rc) : &hwpt->common;
}

/* IOMMU_HWPT_ALLOC on a vIOMMU: a nested HWPT the vIOMMU's driver makes. */
static struct ufd_hwpt *hwpt_alloc_viommu(struct ufd_ucmd *ucmd,
					  struct ufd_viommu_obj *vobj,
					  struct ufd_device *idev,
					  const struct ufd_user_data *data)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ufd_viommu *viommu = &vobj->v;
	struct ufd_hwpt_nested *hwpt;
	int rc;

	if (viommu->iommu != idev->dev->iommu)
		return ERR_PTR(-EINVAL);
	if (cmd->flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if (!data->len || !viommu->ops->alloc_domain_nested)
		return ERR_PTR(-EOPNOTSUPP);
	hwpt = hwpt_nested_new(ucmd, cmd->flags);
	if (IS_ERR(hwpt))
		return ERR_CAST(hwpt);
	ufd_object_ref(&vobj->obj); /* pairs with nested_destroy */
	hwpt->viommu = &vobj->obj;
	hwpt->parent = vobj->hwpt;
	rc = hwpt_nested_set_domain(
		hwpt,
		viommu->ops->alloc_domain_nested(
			viommu, cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID, data));
	return rc ? ERR_PTR(rc) : &hwpt->common;
}

int ufd_hwpt_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct ufd_user_data data = {
		.type = cmd->data_type,
		.uptr = (void *)(uintptr_t)cmd->data_uptr,
		.len = cmd->data_len,
		.read = copy_struct_from_user,
		.write = copy_to_user,
	};
	struct ufd_device *idev;
	struct ufd_object *pt;
	struct ufd_hwpt *hwpt;
	int rc;

	if ((cmd->flags & ~HWPT_ALLOC_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	/* Data and its type come together or not at all. */
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
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
	case UFD_OBJ_IOAS:
		hwpt = hwpt_alloc_paging(ucmd, to_ioas(pt), idev, &data);
		break;
	case UFD_OBJ_HWPT_PAGING:
		hwpt = hwpt_alloc_nested(ucmd, to_hwpt_paging(pt), idev, &data);
		break;
	case UFD_OBJ_VIOMMU:
		hwpt = hwpt_alloc_viommu(ucmd, to_viommu_obj(pt), idev, &data);
		break;
	default:
		hwpt = ERR_PTR(-EINVAL);
	}
	/* On failure the dispatcher aborts whatever object was made. */
	rc = PTR_ERR_OR_ZERO(hwpt);
	if (rc)
		goto out_put_pt;
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		rc = hwpt_set_fault(ucmd, hwpt, cmd->fault_id);
		if (rc)
			goto out_put_pt;
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put_pt:
	ufd_put_object(ucmd->ctx, pt);
out_put_idev:
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/* Bounds one invalidation call's work, as Linux does. */
#define HWPT_INVALIDATE_ENTRY_NUM_MAX (1u << 19)
#define HWPT_INVALIDATE_ENTRY_LEN_MAX 4096u

int ufd_hwpt_invalidate_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct ufd_user_data_array array = {
		.type = cmd->data_type,
		.uptr = (const void *)(uintptr_t)cmd->data_uptr,
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
		.read = copy_struct_from_user,
	};
	struct ufd_object *obj;
	uint32_t done = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len ||
	     cmd->entry_len > HWPT_INVALIDATE_ENTRY_LEN_MAX ||
	     cmd->entry_num > HWPT_INVALIDATE_ENTRY_NUM_MAX)) {
		rc = -EINVAL;
		goto out;
	}
	obj = ufd_get_object(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out;
	}
	if (obj->type == UFD_OBJ_HWPT_NESTED) {
		struct ufd_domain *domain = to_hwpt(obj)->domain;

		rc = -EOPNOTSUPP;
		if (domain->ops->cache_invalidate_user)
			rc = domain->ops->cache_invalidate_user(domain, &array);
	} else if (obj->type == UFD_OBJ_VIOMMU) {
		struct ufd_viommu *viommu = &to_viommu_obj(obj)->v;

		rc = -EOPNOTSUPP;
		if (viommu->ops->cache_invalidate)
			rc = viommu->ops->cache_invalidate(viommu, &array);
	} else {
		ufd_put_object(ucmd->ctx, obj);
		rc = -EINVAL;
		goto out;
	}
	done = array.entry_num;
	ufd_put_object(ucmd->ctx, obj);
out:
	/* How many were handled goes back even when one failed. */
	cmd->entry_num = done;
	if (ufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

/* The first area at @iova, if it holds pages. iova_rwsem held. */
static struct iopt_area *area_at(struct io_pagetable *iopt, uint64_t iova)
{
	struct rangemap_node *node =
		rangemap_iter_first(&iopt->areas, iova, iova);
	struct iopt_area *area;

	if (!node)
		return NULL;
	area = container_of(node, struct iopt_area, node);
	/* An area still being mapped has no pages and no translation yet. */
	return area->pages ? area : NULL;
}

/*
 * Cleans every mapped leaf of the domain, so tracking starts from a clean
 * snapshot. iova_rwsem held.
 */
static int hwpt_clear_dirty(struct ufd_hwpt_paging *hwpt)
{
	const struct ufd_dirty_ops *ops = hwpt->common.domain->dirty_ops;
	struct io_pagetable *iopt = &hwpt->ioas->iopt;
	struct rangemap_node *node;
	int rc;

	for (node = rangemap_first(&iopt->areas); node;
	     node = rangemap_next(&iopt->areas, node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (!area->pages)
			continue;
		rc = ops->read_and_clear_dirty(hwpt->common.domain,
					       iopt_area_iova(area),
					       iopt_area_length(area), 0, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Turns dirty tracking of @hwpt on (cleaning every mapped leaf first) or
 * off. Returns 0, -EOPNOTSUPP (not allocated with DIRTY_TRACKING) or the
 * driver's error.
 */
static int hwpt_set_dirty_tracking(struct ufd_hwpt_paging *hwpt, bool enable)
{
	const struct ufd_dirty_ops *ops = hwpt->common.domain->dirty_ops;
	struct io_pagetable *iopt = &hwpt->ioas->iopt;
	int rc = 0;

	if (!ops)
		return -EOPNOTSUPP;
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	if (enable)
		rc = hwpt_clear_dirty(hwpt);
	if (!rc)
		rc = ops->set_dirty_tracking(hwpt->common.domain, enable);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

int ufd_hwpt_set_dirty_tracking_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct ufd_object *obj;
	int rc;

	/* Linux checks the flags only; __reserved is not looked at. */
	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	obj = ufd_get_object(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rc = hwpt_set_dirty_tracking(to_hwpt_paging(obj),
				     cmd->flags &
					     IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

/* The caller's bitmap, as the dirty sink writes it. */
struct user_bitmap {
	uint8_t *data;	      /* bit n: data[n / 8], bit n % 8 */
	uint64_t iova;	      /* what bit 0 stands for */
	uint64_t last;	      /* the last IOVA the bitmap covers */
	unsigned int pgshift; /* IOVA bytes per bit, lg2 */
	bool drop;	      /* the bitmap is out of the caller's reach */
};

/* Sets bits [first, last] of the caller's bitmap, byte by byte. */
static void user_bitmap_set(uint8_t *data, uint64_t first, uint64_t last)
{
	uint64_t fb = first / 8, lb = last / 8;
	uint8_t lo = (uint8_t)(0xffu << (first % 8));
	uint8_t hi = (uint8_t)(0xffu >> (7 - last % 8));

	if (fb == lb) {
		data[fb] |= lo & hi;
		return;
	}
	data[fb] |= lo;
	memset(data + fb + 1, 0xff, lb - fb - 1);
	data[lb] |= hi;
}

/* A dirty run from the driver: set its bits, clipped to the bitmap. */
static void user_bitmap_record(void *priv, uint64_t iova, uint64_t len)
{
	struct user_bitmap *bm = priv;
	uint64_t last = iova + (len - 1);

	if (bm->drop || last < bm->iova || iova > bm->last)
		return;
	if (iova < bm->iova)
		iova = bm->iova;
	if (last > bm->last)
		last = bm->last;
	user_bitmap_set(bm->data, (iova - bm->iova) >> bm->pgshift,
			(last - bm->iova) >> bm->pgshift);
}

/*
 * The range checks of IOMMU_HWPT_GET_DIRTY_BITMAP, in the kernel's order.
 * iova_rwsem held (for iova_alignment).
 */
static int dirty_range_check(struct io_pagetable *iopt,
			     const struct iommu_hwpt_get_dirty_bitmap *cmd,
			     uint64_t *last)
{
	uint64_t align = iopt->iova_alignment;

	/* length 0 wraps to a range ending at U64_MAX, as in Linux. */
	if (check_add_overflow(cmd->iova, cmd->length - 1, last))
		return -EOVERFLOW;
	if ((cmd->iova | (*last + 1)) & (align - 1))
		return -EINVAL;
	if (!cmd->page_size)
		return -EINVAL;
	if ((cmd->iova | (*last + 1)) & (cmd->page_size - 1))
		return -EINVAL;
	return 0;
}

/*
 * Harvests @hwpt's dirty state into the caller's bitmap (see the essay at
 * the top). Returns 0; -EOVERFLOW (iova + length wraps); -EINVAL (iova or
 * length not aligned to the IOAS's alignment or to page_size, page_size
 * 0); -EOPNOTSUPP (not allocated with DIRTY_TRACKING).
 */
static int hwpt_read_dirty(struct ufd_hwpt_paging *hwpt,
			   const struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	const struct ufd_dirty_ops *ops = hwpt->common.domain->dirty_ops;
	struct io_pagetable *iopt = &hwpt->ioas->iopt;
	struct user_bitmap bm = {
		.data = (uint8_t *)(uintptr_t)cmd->data,
		.iova = cmd->iova,
	};
	const struct ufd_dirty_sink sink = {
		.record = user_bitmap_record,
		.priv = &bm,
	};
	unsigned int flags = 0;
	struct iopt_area *area;
	uint64_t cur = cmd->iova;
	int rc;

	if (cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
		flags |= UFD_DIRTY_NO_CLEAR;
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	rc = dirty_range_check(iopt, cmd, &bm.last);
	if (rc)
		goto out_unlock;
	if (!ops) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	bm.pgshift = (unsigned int)__builtin_ctzll(cmd->page_size);
	/*
	 * A bitmap the caller cannot have loses its bits while the harvest
	 * still cleans, as in the kernel, which drops what it cannot pin.
	 */
	bm.drop = !uaccess_ok(bm.data,
			      ((bm.last - bm.iova) >> bm.pgshift) / 8 + 1);
	for (area = area_at(iopt, cur); area; area = area_at(iopt, cur)) {
		uint64_t end = ufd_min(bm.last, iopt_area_last(area));

		/* Linux ignores the driver's answer here too. */
		ops->read_and_clear_dirty(hwpt->common.domain, cur,
					  end - cur + 1, flags, &sink);
		if (end == bm.last)
			break;
		cur = end + 1;
	}
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

int ufd_hwpt_get_dirty_bitmap_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct ufd_object *obj;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	obj = ufd_get_object(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rc = hwpt_read_dirty(to_hwpt_paging(obj), cmd);
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}
