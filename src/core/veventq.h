/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vEVENTQs (IOMMU_VEVENTQ_ALLOC): events a vIOMMU's hardware reports for
 * its VM (a translation fault of a nested device, a VCMDQ error), queued
 * for the VMM to read from a descriptor and reflect into the guest. See
 * veventq.c.
 */
#ifndef UIOMMUFD_CORE_VEVENTQ_H
#define UIOMMUFD_CORE_VEVENTQ_H

#include "core/viommu.h"

int ufd_veventq_report(struct ufd_viommu_obj *vobj, uint32_t type,
		       const void *data, size_t len);
void ufd_veventq_destroy(struct ufd_object *obj);

#endif
