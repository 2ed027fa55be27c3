/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The io_pagetable: how IOVAs of one IOAS map to pinned pages, shared by
 * every domain attached to the IOAS and every access object on it.
 *
 * This is the first layer of it: the table itself and the large-page
 * policy (IOMMU_OPTION_HUGE_PAGES). Areas, pages, pinning, domains and
 * accounting build on it.
 *
 * Locking (lock order: domains_rwsem -> iova_rwsem):
 *  - domains_rwsem: the set of attached domains; written when one is
 *    attached or detached, read by everything that must see a stable set.
 *  - iova_rwsem: the area, allowed and reserved trees and the IOVA policy
 *    (disable_large_pages, iova_alignment).
 */
#ifndef UIOMMUFD_IOPT_IO_PAGETABLE_H
#define UIOMMUFD_IOPT_IO_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/itree.h"
#include "base/lock.h"

struct io_pagetable {
	struct ufd_rwlock domains_rwsem;
	unsigned int ndomains; /* domains_rwsem */

	struct ufd_rwlock iova_rwsem;
	struct itree_root area_itree;	  /* iova_rwsem */
	struct itree_root allowed_itree;  /* iova_rwsem */
	struct itree_root reserved_itree; /* iova_rwsem */
	uint64_t iova_alignment;	  /* iova_rwsem */
	bool disable_large_pages;	  /* iova_rwsem */
};

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);
int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);
bool iopt_large_pages_enabled(struct io_pagetable *iopt);

#endif
