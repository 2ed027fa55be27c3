/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HWPT objects: a hardware page table (a driver's domain) as an iommufd
 * object. A paging HWPT is built on an IOAS, whose io_pagetable fills its
 * domain; it holds a users reference on the IOAS for its lifetime and sits
 * on the IOAS's hwpts list. Auto-domain HWPTs are those the core creates
 * when a device attaches to an IOAS directly; they are shared by every
 * compatible device and destroyed when the last one detaches.
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

struct ufd_hwpt_paging {
	struct ufd_object obj;
	struct ufd_domain *domain;
	struct ufd_ioas *ioas; /* users reference, dropped at destroy */
	bool auto_domain;
	bool nest_parent;
	bool pasid_compat; /* IOMMU_HWPT_ALLOC_PASID: may serve PASIDs */
	/* Fault queue for I/O page faults (FAULT_ID_VALID); users ref. */
	struct ufd_object *fault;
	struct ufd_hwpt_paging *next; /* ioas->hwpts; ioas->mutex */
};

static inline struct ufd_hwpt_paging *to_hwpt_paging(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_hwpt_paging, obj);
}

struct ufd_dev;
struct ufd_hwpt_paging *ufd_hwpt_paging_alloc(struct ufd_ucmd *ucmd,
					      struct ufd_ctx *ctx,
					      struct ufd_ioas *ioas,
					      struct ufd_dev *dev,
					      uint32_t flags, bool auto_domain);
void ufd_hwpt_paging_destroy(struct ufd_object *obj);
void ufd_hwpt_paging_abort(struct ufd_object *obj);

#endif
