/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain interface: what the io_pagetable needs from a paging domain
 * (the kernel's iommu_domain), implemented by the IOMMU drivers in
 * src/drivers. A domain translates IOVA to "physical" addresses, which in
 * uiommufd are host virtual addresses of pinned memory (DESIGN.md, the
 * memory model).
 *
 * The io_pagetable owns the contents of every domain attached to it: it
 * maps each area into the domain when the domain is added (fill) and as
 * areas are mapped, and unmaps them when areas go away or the domain is
 * removed. Drivers never map on their own into such a domain.
 */
#ifndef UIOMMUFD_IOPT_DOMAIN_H
#define UIOMMUFD_IOPT_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

/* Mapping permissions (the kernel's IOMMU_READ / IOMMU_WRITE). */
#define IOPT_PROT_READ (1u << 0)
#define IOPT_PROT_WRITE (1u << 1)

struct iopt_domain;

struct iopt_domain_ops {
	/*
	 * Maps [iova, iova + len) to [paddr, paddr + len). The range is
	 * aligned to the domain's smallest page size and lies in the
	 * aperture. With small_only, only the smallest page size may be
	 * used, so any sub-range can be unmapped later (VFIO type1).
	 * Returns 0 or a negative errno; on failure nothing stays mapped.
	 */
	int (*map)(struct iopt_domain *domain, uint64_t iova, uint64_t paddr,
		   uint64_t len, unsigned int prot, bool small_only);
	/* Unmaps [iova, iova + len); returns the bytes that were mapped. */
	uint64_t (*unmap)(struct iopt_domain *domain, uint64_t iova,
			  uint64_t len);
	/*
	 * Optional: points [iova, iova + len), mapped linearly to old_paddr,
	 * at new_paddr instead, keeping permissions and dirty state, and
	 * invalidates whatever cached the old addresses (the memory moved:
	 * iopt/move.c, with DMA held off). Returns 0 or a negative errno
	 * (-ENOMEM: splitting a large page needed a table); on failure the
	 * range translates as before. A domain without it pins its memory
	 * where it is.
	 */
	int (*remap)(struct iopt_domain *domain, uint64_t iova, uint64_t len,
		     uint64_t old_paddr, uint64_t new_paddr);
};

struct iopt_domain {
	const struct iopt_domain_ops *ops;
	/* Page sizes the domain can map, as a bitmap of sizes (bit n = 2^n). */
	uint64_t pgsize_bitmap;
	/* The IOVA range the domain translates; outside it is reserved. */
	uint64_t aperture_start;
	uint64_t aperture_last;
};

/* The smallest page size a domain maps. */
static inline uint64_t iopt_domain_min_pgsize(const struct iopt_domain *d)
{
	return d->pgsize_bitmap & -d->pgsize_bitmap;
}

#endif
