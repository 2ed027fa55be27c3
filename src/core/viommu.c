// SPDX-License-Identifier: BSD-3-Clause
/*
 * The vIOMMU family: IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC and
 * IOMMU_HW_QUEUE_ALLOC, the lifetimes of those objects, and the services
 * the core gives their drivers. See viommu.h; vEVENTQs are in veventq.c.
 */
#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/overflow.h"
#include "core/access.h"
#include "core/device.h"
#include "core/lookup_only.h"
#include "core/mmap.h"
#include "core/uaccess.h"
#include "core/veventq.h"
#include "core/viommu.h"
#include "dev/dev.h"

static struct ufd_viommu_obj *viommu_of(struct ufd_viommu *viommu)
{
	return container_of(viommu, struct ufd_viommu_obj, v);
}

static struct ufd_vdevice_obj *vdev_at(struct itree_node *node)
{
	return container_of(node, struct ufd_vdevice_obj, node);
}

/* The ready vDEVICE with @virt_id; vdevs_lock held. */
static struct ufd_vdevice_obj *vdev_find_locked(struct ufd_viommu_obj *vobj,
						uint64_t virt_id)
{
	struct itree_node *node =
		itree_iter_first(&vobj->vdevs, virt_id, virt_id);

	return node && vdev_at(node)->ready ? vdev_at(node) : NULL;
}

static int core_vdev_id(struct ufd_viommu *viommu, struct ufd_dev *dev,
			uint64_t *virt_id)
{
	struct ufd_viommu_obj *vobj = viommu_of(viommu);
	struct itree_node *node;
	int rc = -ENOENT;

	ufd_rwlock_rdlock(&vobj->vdevs_lock);
	for (node = itree_first(&vobj->vdevs); node; node = itree_next(node)) {
		if (vdev_at(node)->ready && vdev_at(node)->v.dev == dev) {
			*virt_id = vdev_at(node)->v.virt_id;
			rc = 0;
			break;
		}
	}
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	return rc;
}

static int core_with_vdev(struct ufd_viommu *viommu, uint64_t virt_id,
			  int (*fn)(void *arg, struct ufd_vdevice *vdev),
			  void *arg)
{
	struct ufd_viommu_obj *vobj = viommu_of(viommu);
	struct ufd_vdevice_obj *vdev;
	int rc = -EINVAL;

	ufd_rwlock_rdlock(&vobj->vdevs_lock);
	vdev = vdev_find_locked(vobj, virt_id);
	if (vdev)
		rc = fn(arg, &vdev->v);
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	return rc;
}

static int core_report_event(struct ufd_viommu *viommu, uint32_t type,
			     const void *data, size_t len)
{
	return ufd_veventq_report(viommu_of(viommu), type, data, len);
}

static int core_alloc_mmap(struct ufd_viommu *viommu, void *host, size_t len,
			   uint64_t *offset)
{
	struct ufd_viommu_obj *vobj = viommu_of(viommu);

	return ufd_mmap_register(vobj->ctx, &vobj->obj, host, len, offset);
}

static void core_destroy_mmap(struct ufd_viommu *viommu, uint64_t offset)
{
	ufd_mmap_unregister(viommu_of(viommu)->ctx, offset);
}

static struct ufd_hw_queue_obj *queue_of(struct ufd_hw_queue *q)
{
	return container_of(q, struct ufd_hw_queue_obj, q);
}

static int core_hw_queue_depend(struct ufd_hw_queue *dependent,
				struct ufd_hw_queue *queue)
{
	if (dependent == queue)
		return -EINVAL;
	ufd_object_ref(&queue_of(queue)->obj);
	return 0;
}

static void core_hw_queue_undepend(struct ufd_hw_queue *dependent,
				   struct ufd_hw_queue *queue)
{
	if (dependent != queue)
		ufd_object_unref(&queue_of(queue)->obj);
}

static const struct ufd_viommu_core_ops viommu_core_ops = {
	.vdev_id = core_vdev_id,
	.with_vdev = core_with_vdev,
	.report_event = core_report_event,
	.alloc_mmap = core_alloc_mmap,
	.destroy_mmap = core_destroy_mmap,
	.hw_queue_depend = core_hw_queue_depend,
	.hw_queue_undepend = core_hw_queue_undepend,
};

/* The object op; also the abort op (it copes with a partial creation). */
void ufd_viommu_destroy(struct ufd_object *obj)
{
	struct ufd_viommu_obj *vobj = to_viommu_obj(obj);

	if (vobj->v.ops && vobj->v.ops->destroy)
		vobj->v.ops->destroy(&vobj->v);
	if (vobj->hwpt)
		ufd_object_unref(&vobj->hwpt->common.obj);
	ufd_rwlock_destroy(&vobj->vdevs_lock);
	ufd_rwlock_destroy(&vobj->veventqs_lock);
}

int ufd_viommu_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct ufd_user_data data = {
		.type = cmd->type,
		.uptr = (void *)(uintptr_t)cmd->data_uptr,
		.len = cmd->data_len,
		.read = copy_struct_from_user,
		.write = copy_to_user,
	};
	const struct ufd_iommu_ops *ops;
	struct ufd_hwpt_paging *hwpt;
	struct ufd_viommu_obj *vobj;
	struct ufd_device *idev;
	struct ufd_object *obj;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = ufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	ops = idev->dev->iommu;
	if (!ops || !ops->viommu_init || !ops->viommu_supported ||
	    !ops->viommu_supported(idev->dev, cmd->type)) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	obj = ufd_get_object(ucmd->ctx, cmd->hwpt_id, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_put_idev;
	}
	hwpt = to_hwpt_paging(obj);
	if (!hwpt->nest_parent || hwpt->common.domain->owner != ops) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}
	vobj = ufd_object_alloc_ucmd_type(ucmd, vobj, UFD_OBJ_VIOMMU);
	if (IS_ERR(vobj)) {
		rc = PTR_ERR(vobj);
		goto out_put_hwpt;
	}
	vobj->ctx = ucmd->ctx;
	ufd_rwlock_init(&vobj->vdevs_lock);
	itree_root_init(&vobj->vdevs);
	ufd_rwlock_init(&vobj->veventqs_lock);
	ufd_object_ref(&hwpt->common.obj); /* pairs with ufd_viommu_destroy */
	vobj->hwpt = hwpt;
	vobj->v.type = cmd->type;
	vobj->v.parent = hwpt->common.domain;
	vobj->v.iommu = ops;
	vobj->v.core = &viommu_core_ops;
	rc = ops->viommu_init(&vobj->v, cmd->data_len ? &data : NULL);
	if (rc)
		goto out_put_hwpt;
	if (!vobj->v.ops) {
		/* A driver bug; keep destroy from calling into nothing. */
		rc = -EOPNOTSUPP;
		goto out_put_hwpt;
	}
	cmd->out_viommu_id = vobj->obj.id;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put_hwpt:
	ufd_put_object(ucmd->ctx, obj);
out_put_idev:
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/*
 * Undoes a vDEVICE: the driver's part, its place in the vIOMMU, and the
 * references. Runs with the device's lock held. Copes with a vDEVICE that
 * never got that far.
 */
static void vdevice_teardown(struct ufd_vdevice_obj *vdev)
{
	struct ufd_viommu_obj *vobj = vdev->viommu;
	bool was_ready;

	ufd_mutex_assert_held(&vdev->idev->lock);
	ufd_rwlock_wrlock(&vobj->vdevs_lock);
	was_ready = vdev->ready;
	vdev->ready = false;
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	if (was_ready && vobj->v.ops->vdevice_destroy)
		vobj->v.ops->vdevice_destroy(&vdev->v);
	ufd_rwlock_wrlock(&vobj->vdevs_lock);
	if (vdev->in_tree)
		itree_remove(&vobj->vdevs, &vdev->node);
	vdev->in_tree = false;
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	vdev->idev->vdev = NULL;
}

static void vdevice_release(struct ufd_vdevice_obj *vdev)
{
	ufd_object_unref(&vdev->viommu->obj); /* pairs with vdevice_alloc */
	ufd_object_unref(&vdev->idev->obj);
}

/* The object op: IOMMU_DESTROY, the device's unbind, or context close. */
void ufd_vdevice_destroy(struct ufd_object *obj)
{
	struct ufd_vdevice_obj *vdev =
		container_of(obj, struct ufd_vdevice_obj, obj);
	struct ufd_device *idev = vdev->idev;

	ufd_mutex_lock(&idev->lock);
	vdevice_teardown(vdev);
	ufd_mutex_unlock(&idev->lock);
	vdevice_release(vdev);
}

/* Inserts @vdev unless its virt_id is taken; vdevs_lock held for write. */
static int vdev_insert_locked(struct ufd_viommu_obj *vobj,
			      struct ufd_vdevice_obj *vdev)
{
	uint64_t id = vdev->v.virt_id;

	if (itree_iter_first(&vobj->vdevs, id, id))
		return -EEXIST;
	vdev->node.start = id;
	vdev->node.last = id;
	itree_insert(&vobj->vdevs, &vdev->node);
	vdev->in_tree = true;
	return 0;
}

/* IOMMU_VDEVICE_ALLOC with both objects looked up; idev->lock held. */
static int vdevice_alloc_locked(struct ufd_ucmd *ucmd,
				struct ufd_viommu_obj *vobj,
				struct ufd_device *idev)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct ufd_vdevice_obj *vdev;
	int rc;

	if (idev->destroying)
		return -ENOENT;
	if (idev->vdev)
		return -EEXIST;
	/*
	 * Finalized here, under the device's lock, so an unbind that runs
	 * next finds a vDEVICE it can destroy.
	 */
	vdev = ufd_object_alloc_type(ucmd->ctx, vdev, UFD_OBJ_VDEVICE);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	ufd_object_ref(&vobj->obj);
	vdev->viommu = vobj;
	ufd_object_ref(&idev->obj);
	vdev->idev = idev;
	idev->vdev = vdev;
	vdev->v.viommu = &vobj->v;
	vdev->v.dev = idev->dev;
	vdev->v.virt_id = cmd->virt_id;
	ufd_rwlock_wrlock(&vobj->vdevs_lock);
	rc = vdev_insert_locked(vobj, vdev);
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	if (rc)
		goto out_abort;
	if (vobj->v.ops->vdevice_init) {
		rc = vobj->v.ops->vdevice_init(&vdev->v);
		if (rc)
			goto out_abort;
	}
	ufd_rwlock_wrlock(&vobj->vdevs_lock);
	vdev->ready = true;
	ufd_rwlock_unlock(&vobj->vdevs_lock);
	cmd->out_vdevice_id = vdev->obj.id;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	ufd_object_finalize(ucmd->ctx, &vdev->obj);
	return 0;

out_abort:
	/* Not yet ready: the driver's destroy is not called. */
	vdevice_teardown(vdev);
	vdevice_release(vdev);
	ufd_object_abort(ucmd->ctx, &vdev->obj);
	return rc;
}

int ufd_vdevice_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct ufd_viommu_obj *vobj;
	struct ufd_device *idev;
	struct ufd_object *obj;
	int rc;

	obj = ufd_get_object(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vobj = to_viommu_obj(obj);
	idev = ufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}
	if (idev->dev->iommu != vobj->v.iommu) {
		rc = -EINVAL;
		goto out_put_idev;
	}
	ufd_mutex_lock(&idev->lock);
	rc = vdevice_alloc_locked(ucmd, vobj, idev);
	ufd_mutex_unlock(&idev->lock);
out_put_idev:
	ufd_put_object(ucmd->ctx, &idev->obj);
out_put_viommu:
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

/**
 * ufd_device_remove_vdev() - the device is going: its vDEVICE goes first
 * @idev: the device being unbound
 *
 * No vDEVICE can be created for the device after this. A vDEVICE still
 * there is destroyed and its id left a tombstone; one that the program is
 * destroying at the same moment is waited for.
 */
void ufd_device_remove_vdev(struct ufd_device *idev)
{
	struct ufd_vdevice_obj *vdev;
	uint32_t id = 0;

	ufd_mutex_lock(&idev->lock);
	idev->destroying = true;
	vdev = idev->vdev;
	if (vdev)
		id = vdev->obj.id;
	ufd_mutex_unlock(&idev->lock);
	if (!vdev)
		return;
	ufd_object_tombstone(idev->ctx, id);
	/* Another thread's IOMMU_DESTROY of it may still be finishing. */
	for (;;) {
		ufd_mutex_lock(&idev->lock);
		vdev = idev->vdev;
		ufd_mutex_unlock(&idev->lock);
		if (!vdev)
			break;
		sched_yield();
	}
}

/* The object op; also the abort op. */
void ufd_hw_queue_destroy(struct ufd_object *obj)
{
	struct ufd_hw_queue_obj *hq =
		container_of(obj, struct ufd_hw_queue_obj, obj);

	if (hq->q.destroy)
		hq->q.destroy(&hq->q);
	if (hq->access) {
		ufd_access_unpin_pages(hq->access, hq->pin_iova, hq->pin_len);
		ufd_access_destroy_internal(hq->access);
	}
	if (hq->viommu)
		ufd_object_unref(&hq->viommu->obj);
}

/*
 * Pins the queue's guest memory for the hardware, which reads it by
 * physical address: it must be one run of contiguous host memory. Sets
 * *base to the host address of the queue's first byte.
 */
static int hw_queue_pin(struct ufd_hw_queue_obj *hq, struct ufd_ctx *ctx,
			const struct iommu_hw_queue_alloc *cmd, uint64_t *base)
{
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t first = cmd->nesting_parent_iova & ~(ps - 1);
	uint64_t offset = cmd->nesting_parent_iova - first, len, i, n;
	struct ufd_access *access;
	uintptr_t *pages;
	int rc;

	if (check_add_overflow(offset, cmd->length, &len) ||
	    check_add_overflow(len, ps - 1, &len))
		return -ERANGE;
	len &= ~(ps - 1);
	n = len / ps;
	pages = ufd_calloc(n, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	access = ufd_access_create_internal(ctx);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_free;
	}
	rc = ufd_access_attach(access, hq->viommu->hwpt->ioas->obj.id);
	if (rc)
		goto out_destroy;
	rc = ufd_access_pin_pages(access, first, len, pages, 0);
	if (rc)
		goto out_destroy;
	for (i = 1; i < n; i++) {
		if (pages[i] != pages[i - 1] + ps) {
			rc = -EFAULT;
			goto out_unpin;
		}
	}
	hq->access = access;
	hq->pin_iova = first;
	hq->pin_len = len;
	*base = pages[0] + offset;
	ufd_free(pages);
	return 0;

out_unpin:
	ufd_access_unpin_pages(access, first, len);
out_destroy:
	ufd_access_destroy_internal(access);
out_free:
	ufd_free(pages);
	return rc;
}

int ufd_hw_queue_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct ufd_hw_queue_obj *hq;
	struct ufd_viommu_obj *vobj;
	struct ufd_object *obj;
	uint64_t last, base = 0;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return -EOVERFLOW;
	obj = ufd_get_object(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vobj = to_viommu_obj(obj);
	if (!vobj->v.ops->hw_queue_init || !vobj->v.ops->hw_queue_supported ||
	    !vobj->v.ops->hw_queue_supported(&vobj->v, cmd->type)) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	hq = ufd_object_alloc_ucmd_type(ucmd, hq, UFD_OBJ_HW_QUEUE);
	if (IS_ERR(hq)) {
		rc = PTR_ERR(hq);
		goto out_put;
	}
	ufd_object_ref(&vobj->obj); /* pairs with ufd_hw_queue_destroy() */
	hq->viommu = vobj;
	rc = hw_queue_pin(hq, ucmd->ctx, cmd, &base);
	if (rc)
		goto out_put;
	hq->q.viommu = &vobj->v;
	hq->q.type = cmd->type;
	hq->q.index = cmd->index;
	hq->q.base_iova = cmd->nesting_parent_iova;
	hq->q.length = cmd->length;
	rc = vobj->v.ops->hw_queue_init(&hq->q, base);
	if (rc)
		goto out_put;
	cmd->out_hw_queue_id = hq->obj.id;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}
