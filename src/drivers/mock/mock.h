/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mock IOMMU: the kernel selftests' mock driver, in user space. Its
 * paging domains use the mock page-table format of src/pt (pages of
 * MOCK_PAGE_SIZE, half the CPU page, so code that assumes the two are
 * equal is caught) and translate only inside [MOCK_APERTURE_START,
 * MOCK_APERTURE_LAST], as the kernel's mock does.
 */
#ifndef UIOMMUFD_DRIVERS_MOCK_H
#define UIOMMUFD_DRIVERS_MOCK_H

#include "drivers/driver.h"

extern const struct ufd_iommu_ops ufd_mock_iommu;

struct pt_table;
/* The page table behind a mock domain, for MD_CHECK_MAP and friends. */
struct pt_table *mock_domain_table(struct ufd_domain *domain);

#endif
