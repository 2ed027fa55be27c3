// SPDX-License-Identifier: BSD-3-Clause
/*
 * Stands in for a system whose installed <linux/iommufd.h> and
 * <linux/vfio.h> were already included (headers_install renames the guards
 * to _IOMMUFD_H and VFIO_H): ours must then declare nothing at all. This
 * is the only way to exercise the iommufd guard on a system that has no
 * <linux/iommufd.h>.
 */
#define _IOMMUFD_H
#define VFIO_H

#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/vfio.h"

#include "abi_guard.h"

void abi_guard_installed_guard_set(struct abi_guard_seen *seen)
{
#ifdef IOMMUFD_TYPE
	seen->iommufd_api = true;
#endif
#ifdef VFIO_TYPE
	seen->vfio_map_dma = 1;
#endif
}
