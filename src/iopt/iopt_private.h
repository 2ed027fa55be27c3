/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the io_pagetable's files (io_pagetable.c: areas;
 * ranges.c: reserved and allowed ranges; domains.c: attached domains and
 * the alignment policy). Not for use outside src/iopt.
 */
#ifndef UIOMMUFD_IOPT_PRIVATE_H
#define UIOMMUFD_IOPT_PRIVATE_H

#include "base/compiler.h"
#include "iopt/io_pagetable.h"

static inline struct iopt_area *to_area(struct rangemap_node *node)
{
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

static inline struct iopt_range *to_range(struct itree_node *node)
{
	return node ? container_of(node, struct iopt_range, node) : NULL;
}

/* Page index range [*first, *last] of an area in its pages. */
static inline void iopt_area_page_range(const struct iopt_area *area,
					uint64_t *first, uint64_t *last)
{
	uint64_t ps = iopt_page_size();

	*first = area->pages_byte / ps;
	*last = (area->pages_byte + iopt_area_length(area) - 1) / ps;
}

int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned int from, unsigned int n, bool pin);
void iopt_free_ranges(struct itree_root *root);
uint64_t iopt_calc_alignment(struct io_pagetable *iopt);
bool iopt_areas_aligned(struct io_pagetable *iopt, uint64_t align);
void iopt_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
			      uint64_t length);
void iopt_unreserve_owner_locked(struct io_pagetable *iopt, const void *owner);
void iopt_area_link(struct io_pagetable *iopt, struct iopt_area *area);
void iopt_area_unlink(struct iopt_area *area);

#endif
