/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host memory as the physical memory of a modelled IOMMU, for the drivers
 * that create one (SMMUv3, VT-d, AMD-Vi): per DESIGN.md a physical address
 * is the host address. What lies below 64 KiB or from 2^47 up is refused,
 * so a table pointer that is no user-space address (a guest's, a stale
 * one) becomes the IOMMU's architectural abort, never a host access.
 *
 * ufd_host_mem_ops answers through .map; ufd_host_mem_window is the same
 * memory as a struct pt_mem_window, which a model reaches without a call.
 */
#ifndef UIOMMUFD_DRIVERS_HOST_MEM_H
#define UIOMMUFD_DRIVERS_HOST_MEM_H

#include "pt/pt.h"

extern const struct pt_mem_ops ufd_host_mem_ops;
extern const struct pt_mem_window ufd_host_mem_window;

#endif
