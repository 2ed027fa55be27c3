// SPDX-License-Identifier: BSD-3-Clause
/*
 * Stands in for the kernel source tree's uAPI headers (guards
 * _UAPI_IOMMUFD_H and _UAPIVFIO_H) having been included first: ours must
 * then declare nothing at all.
 */
#define _UAPI_IOMMUFD_H
#define _UAPIVFIO_H

#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/vfio.h"

#include "abi_guard.h"

void abi_guard_source_guard_set(struct abi_guard_seen *seen)
{
#ifdef IOMMUFD_TYPE
	seen->iommufd_api = true;
#endif
#ifdef VFIO_TYPE
	seen->vfio_map_dma = 1;
#endif
}
