/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HWPT objects: a hardware page table (a driver's domain) as an iommufd
 * object. A paging HWPT is built on an IOAS, whose io_pagetable fills its
 * domain; it holds a users reference on the IOAS for its lifetime and sits
 * on the IOAS's hwpts list. Auto-domain HWPTs are those the core creates
 * when a device attaches to an IOAS directly; they are shared by every
 * compatible device and destroyed when the last one detaches.
 *
 * A nested HWPT is a driver's stage-1 domain over a nesting-parent paging
 * HWPT, made from driver data (a vSTE, a PASID-table entry ...), directly
 * on the parent or through a vIOMMU (viommu.h); invalidations for its
 * caches come back through IOMMU_HWPT_INVALIDATE.
 *
 * A paging HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING can track
 * dirty pages: its domain has dirty_ops, and the tracking state and the
 * dirty marks live in the domain (the driver's), not here.
 */
#ifndef UIOMMUFD_CORE_HWPT_H
#define UIOMMUFD_CORE_HWPT_H

#include "core/core.h"
#include "core/ioas.h"
#include "drivers/driver.h"

/*
 * What every HWPT has: the object, the driver's domain, the fault queue its
 * I/O page faults go to (FAULT_ID_VALID; a users reference), and whether
 * it may serve PASIDs (IOMMU_HWPT_ALLOC_PASID). Fixed once created.
 */
struct ufd_hwpt {
	struct ufd_object obj;
	struct ufd_domain *domain;
	struct ufd_object *fault;
	bool pasid_compat;
};

struct ufd_hwpt_paging {
	struct ufd_hwpt common;
	struct ufd_ioas *ioas; /* users reference, dropped at destroy */
	bool auto_domain;
	bool nest_parent;
	struct ufd_hwpt_paging *next; /* ioas->hwpts; ioas->mutex */
};

/*
 * A nested HWPT: a stage-1 translation a guest owns, over the stage 2 of
 * its parent, which it holds (users reference). One allocated through a
 * vIOMMU also holds the vIOMMU.
 */
struct ufd_hwpt_nested {
	struct ufd_hwpt common;
	struct ufd_hwpt_paging *parent;
	struct ufd_object *viommu; /* NULL unless allocated through one */
};

static inline struct ufd_hwpt *to_hwpt(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_hwpt, obj);
}

static inline struct ufd_hwpt_paging *to_hwpt_paging(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_hwpt_paging, common.obj);
}

static inline struct ufd_hwpt_nested *to_hwpt_nested(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_hwpt_nested, common.obj);
}

static inline bool hwpt_is_paging(const struct ufd_hwpt *hwpt)
{
	return hwpt->obj.type == UFD_OBJ_HWPT_PAGING;
}

struct ufd_dev;
struct ufd_hwpt_paging *ufd_hwpt_paging_alloc(struct ufd_ucmd *ucmd,
					      struct ufd_ctx *ctx,
					      struct ufd_ioas *ioas,
					      struct ufd_dev *dev,
					      uint32_t flags, bool auto_domain);
void ufd_hwpt_paging_destroy(struct ufd_object *obj);
void ufd_hwpt_nested_destroy(struct ufd_object *obj);

#endif
