/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each translation unit of the abi_guard test observed after including
 * the system's VFIO/iommufd headers and ours in some order. Each TU fills one
 * of these so that the checks can live in abi_guard.c, under cmocka.
 */
#ifndef UIOMMUFD_TESTS_ABI_GUARD_H
#define UIOMMUFD_TESTS_ABI_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct abi_guard_seen {
	/* A VFIO device ioctl exists: only the system <linux/vfio.h> has it. */
	bool vfio_device_api;
	unsigned long vfio_map_dma;
	size_t vfio_dma_map_size;
	size_t vfio_dma_unmap_size;
	/* iommufd as seen from the same TU (when it included any). */
	bool iommufd_api;
	unsigned long iommu_ioas_map;
	size_t iommu_ioas_map_size;
	/* The system has a <linux/iommufd.h> of its own. */
	bool system_iommufd;
};

void abi_guard_system_first(struct abi_guard_seen *seen);
void abi_guard_ours_first(struct abi_guard_seen *seen);
void abi_guard_installed_guard_set(struct abi_guard_seen *seen);
void abi_guard_source_guard_set(struct abi_guard_seen *seen);

#endif
