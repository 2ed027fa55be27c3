/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device objects: an emulated device bound to a context (Linux's
 * iommufd_device). Binding gives it a dev_id; the device model that bound
 * it owns it (IOMMU_DESTROY answers EBUSY) until ufd_device_unbind().
 * A bound device is attached to at most one HWPT at a time, paging or
 * nested: given an IOAS, attach finds or creates a compatible auto domain
 * on it. It may have one vDEVICE (viommu.h), which goes before it does.
 *
 * lock serialises attach, replace and detach of this device and guards
 * hwpt. Lock order: device lock -> ioas->mutex -> io_pagetable locks.
 */
#ifndef UIOMMUFD_CORE_DEVICE_H
#define UIOMMUFD_CORE_DEVICE_H

#include "core/core.h"
#include "core/hwpt.h"

struct ufd_dev;
struct ufd_vdevice_obj;

/* One PASID of a device and the HWPT it is attached to. */
struct ufd_pasid_attach {
	uint32_t pasid;
	struct ufd_hwpt *hwpt; /* users reference */
};

struct ufd_device {
	struct ufd_object obj;
	struct ufd_ctx *ctx;
	struct ufd_dev *dev;
	struct ufd_mutex lock;
	struct ufd_hwpt *hwpt;		 /* lock; users reference */
	struct ufd_pasid_attach *pasids; /* lock; npasids of them */
	unsigned int npasids;		 /* lock */
	struct ufd_vdevice_obj *vdev;	 /* lock; its vDEVICE, if any */
	bool destroying;		 /* lock; unbinding: no new vDEVICE */
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
int ufd_device_pasid_attach(struct ufd_device *idev, uint32_t pasid,
			    uint32_t pt_id, bool replace,
			    uint32_t *out_hwpt_id);
void ufd_device_pasid_detach(struct ufd_device *idev, uint32_t pasid);
uint32_t ufd_device_pasid_hwpt(struct ufd_device *idev, uint32_t pasid);
struct ufd_hwpt *ufd_device_fault_hwpt_locked(struct ufd_device *idev,
					      bool pasid_valid, uint32_t pasid);
void ufd_device_object_destroy(struct ufd_object *obj);

#endif
