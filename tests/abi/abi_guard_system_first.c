// SPDX-License-Identifier: BSD-3-Clause
/*
 * The system's headers first, then ours: ours must fold away without a
 * single redefinition (this file compiling is half the test), and the
 * program must see the system's complete VFIO API.
 */
#include <linux/vfio.h>
#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#define ABI_SYSTEM_IOMMUFD 1
#endif
#endif

#include "uiommufd/uapi/vfio.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

#include "abi_guard.h"

void abi_guard_system_first(struct abi_guard_seen *seen)
{
#ifdef VFIO_DEVICE_GET_INFO
	seen->vfio_device_api = true;
#endif
	seen->vfio_map_dma = VFIO_IOMMU_MAP_DMA;
	seen->vfio_dma_map_size = sizeof(struct vfio_iommu_type1_dma_map);
	seen->vfio_dma_unmap_size = sizeof(struct vfio_iommu_type1_dma_unmap);
#ifdef IOMMU_IOAS_MAP
	seen->iommufd_api = true;
	seen->iommu_ioas_map = IOMMU_IOAS_MAP;
	seen->iommu_ioas_map_size = sizeof(struct iommu_ioas_map);
#endif
#ifdef ABI_SYSTEM_IOMMUFD
	seen->system_iommufd = true;
#endif
}
