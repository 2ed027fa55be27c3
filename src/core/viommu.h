/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vIOMMU family as iommufd objects: vIOMMU, vDEVICE, HW queue and
 * vEVENTQ. Each embeds the driver's view of it (drivers/driver.h), which
 * the driver that the vIOMMU's IOMMU belongs to fills in and serves.
 *
 * Lifetimes, as Linux's:
 *  - a vIOMMU holds its nesting-parent HWPT; vDEVICEs, HW queues,
 *    vEVENTQs and nested HWPTs made through it hold the vIOMMU, and so do
 *    program mappings of its MMIO pages;
 *  - a vDEVICE holds its device (the bound ufd_device) too, and is the
 *    device's only one (idev->vdev); unbinding the device destroys it and
 *    leaves its id a tombstone, never reused, that IOMMU_DESTROY answers
 *    ENOENT for;
 *  - a HW queue holds the guest memory it reads through an internal access
 *    whose pins lock the areas (IOMMU_IOAS_UNMAP answers EBUSY), and may
 *    hold another queue the driver says it depends on.
 *
 * Locking: vdevs_lock (rw) guards the vdevs tree; readers are the driver's
 * lookups (with_vdev, vdev_id), writers vDEVICE creation and destruction.
 * veventqs_lock (rw) guards the veventqs list: event reports read it,
 * vEVENTQ creation and destruction write it. Both are leaves except that
 * the driver's with_vdev callback runs under vdevs_lock for read. The
 * device's lock (idev->lock) nests outside vdevs_lock.
 */
#ifndef UIOMMUFD_CORE_VIOMMU_H
#define UIOMMUFD_CORE_VIOMMU_H

#include "base/itree.h"
#include "core/core.h"
#include "core/hwpt.h"
#include "drivers/driver.h"

struct ufd_veventq;

struct ufd_viommu_obj {
	struct ufd_object obj;
	struct ufd_viommu v;
	struct ufd_ctx *ctx;
	struct ufd_hwpt_paging *hwpt; /* users reference */
	struct ufd_rwlock vdevs_lock;
	struct itree_root vdevs; /* ufd_vdevice_obj by virt_id; vdevs_lock */
	struct ufd_rwlock veventqs_lock;
	struct ufd_veventq *veventqs; /* veventqs_lock */
};

struct ufd_vdevice_obj {
	struct ufd_object obj;
	struct ufd_vdevice v;
	struct ufd_viommu_obj *viommu; /* users reference */
	struct ufd_device *idev;       /* users reference */
	struct itree_node node;	       /* in viommu->vdevs; vdevs_lock */
	bool in_tree;		       /* vdevs_lock */
	bool ready;		       /* the driver accepted it; vdevs_lock */
};

struct ufd_hw_queue_obj {
	struct ufd_object obj;
	struct ufd_hw_queue q;
	struct ufd_viommu_obj *viommu; /* users reference */
	struct ufd_access *access;     /* pins the queue memory */
	uint64_t pin_iova, pin_len;    /* what access pinned */
};

static inline struct ufd_viommu_obj *to_viommu_obj(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_viommu_obj, obj);
}

void ufd_viommu_destroy(struct ufd_object *obj);
void ufd_vdevice_destroy(struct ufd_object *obj);
void ufd_hw_queue_destroy(struct ufd_object *obj);
void ufd_device_remove_vdev(struct ufd_device *idev);

#endif
