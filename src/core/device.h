/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device objects: an emulated device bound to a context (Linux's
 * iommufd_device). Binding gives it a dev_id; the device model that bound
 * it owns it (IOMMU_DESTROY answers EBUSY) until ufd_device_unbind().
 * A bound device is attached to at most one paging HWPT at a time: given
 * an IOAS, attach finds or creates a compatible auto domain on it.
 *
 * lock serialises attach, replace and detach of this device and guards
 * hwpt. Lock order: device lock -> ioas->mutex -> io_pagetable locks.
 */
#ifndef UIOMMUFD_CORE_DEVICE_H
#define UIOMMUFD_CORE_DEVICE_H

#include "core/core.h"
#include "core/hwpt.h"

struct ufd_dev;

struct ufd_device {
	struct ufd_object obj;
	struct ufd_ctx *ctx;
	struct ufd_dev *dev;
	struct ufd_mutex lock;
	struct ufd_hwpt_paging *hwpt; /* lock; users reference */
};

static inline struct ufd_device *to_device(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_device, obj);
}

struct ufd_device *ufd_get_device(struct ufd_ctx *ctx, uint32_t id);
struct ufd_device *ufd_device_bind(struct ufd_ctx *ctx, struct ufd_dev *dev);
void ufd_device_unbind(struct ufd_device *idev);
int ufd_device_attach(struct ufd_device *idev, uint32_t pt_id,
		      uint32_t *out_hwpt_id);
int ufd_device_replace(struct ufd_device *idev, uint32_t pt_id,
		       uint32_t *out_hwpt_id);
void ufd_device_detach(struct ufd_device *idev);
void ufd_device_object_destroy(struct ufd_object *obj);

#endif
