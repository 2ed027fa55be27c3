/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mock IOMMU: the kernel selftests' mock driver, in user space. Its
 * paging domains use the mock page-table format of src/pt (pages of
 * MOCK_PAGE_SIZE, half the CPU page, so code that assumes the two are
 * equal is caught) and translate only inside [MOCK_APERTURE_START,
 * MOCK_APERTURE_LAST], as the kernel's mock does.
 *
 * IOMMU_HWPT_ALLOC may pass struct iommu_hwpt_selftest to choose the
 * table: MOCK_IOMMUPT_DEFAULT is the domain above; MOCK_IOMMUPT_HUGE maps
 * with MOCK_HUGE_PAGE_SIZE pages where it can and CPU pages elsewhere, and
 * covers the whole table ([0, 2^38 - 1]) as the kernel leaves its huge
 * variant's aperture alone.
 *
 * Dirty tracking: a domain allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * writes its leaves with D clear (PT_CFG_DIRTY). While tracking is on, a
 * DMA write walks the table with hardware dirty update (PT_HW_HD), which
 * sets D in the leaf it used; IOMMU_HWPT_GET_DIRTY_BITMAP harvests D.
 * Devices created with MOCK_FLAGS_DEVICE_NO_DIRTY sit behind an IOMMU
 * without that ability: no such domain for them, no attaching to one.
 * A write still being copied when a harvest clears its leaf is reported by
 * that harvest, like a DMA posted before an IOTLB flush completes; a final
 * harvest after the device stopped sees everything.
 *
 * Nesting and vIOMMU (nested.c): nested domains over a nesting parent,
 * from struct iommu_hwpt_selftest, with four IOTLB words that
 * invalidations clear; IOMMU_VIOMMU_TYPE_SELFTEST vIOMMUs with their
 * invalidation of device caches, exported page, vEVENTs and HW queues.
 */
#ifndef UIOMMUFD_DRIVERS_MOCK_H
#define UIOMMUFD_DRIVERS_MOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/driver.h"

extern const struct ufd_iommu_ops ufd_mock_iommu;

struct pt_table;
/* The page table behind a mock domain, for MD_CHECK_MAP and friends. */
struct pt_table *mock_domain_table(struct ufd_domain *domain);

/* Is @domain a paging domain of the mock IOMMU? */
bool mock_domain_is_paging(const struct ufd_domain *domain);

/* Is dirty tracking on in mock paging domain @domain? */
bool mock_domain_dirty_tracking(struct ufd_domain *domain);

/*
 * Marks the leaf translating @iova dirty, as a DMA write with tracking on
 * would (IOMMU_TEST_OP_DIRTY). Returns 0, -ENOENT (nothing mapped there) or
 * -EACCES (a read-only leaf).
 */
int mock_domain_set_dirty(struct ufd_domain *domain, uint64_t iova);

/* Is @domain a nested domain of the mock IOMMU? */
bool mock_domain_is_nested(const struct ufd_domain *domain);

/*
 * IOTLB entry @id of mock nested domain @domain (MD_CHECK_IOTLB). Returns
 * 0 or -EINVAL (id past MOCK_NESTED_DOMAIN_IOTLB_ID_MAX).
 */
int mock_nested_iotlb(struct ufd_domain *domain, uint32_t id, uint32_t *val);

/* The vIOMMU mock nested domain @domain was made through, or NULL. */
struct ufd_viommu *mock_nested_viommu(struct ufd_domain *domain);

struct ufd_dev;
/*
 * Entry @id of mock device @dev's cache (DEV_CHECK_CACHE). Returns 0 or
 * -EINVAL (id past MOCK_DEV_CACHE_ID_MAX).
 */
int mock_dev_cache(struct ufd_dev *dev, uint32_t id, uint32_t *val);

/* TRIGGER_VEVENT: an event about @dev to the vIOMMU it is attached via. */
int mock_dev_trigger_vevent(struct ufd_dev *dev);

#endif
