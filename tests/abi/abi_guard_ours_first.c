// SPDX-License-Identifier: BSD-3-Clause
/*
 * Our headers first (twice, as happens through nested includes), then the
 * system's: the system headers must fold away, leaving the program with our
 * VFIO subset only.
 */
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/vfio.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/vfio.h"

#include <linux/vfio.h>
#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#define ABI_SYSTEM_IOMMUFD 1
#endif
#endif

#include "abi_guard.h"

void abi_guard_ours_first(struct abi_guard_seen *seen)
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
