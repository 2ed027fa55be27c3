/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver interface: what iommufd's core asks of an IOMMU driver, and
 * what a driver hands back. A driver (src/drivers/<iommu>) programs its
 * hardware model the way a kernel driver programs hardware; the core never
 * decodes a hardware format.
 *
 * A domain is a translation the driver built: a paging domain maps IOVA
 * to host addresses through a page table the io_pagetable fills (its
 * struct iopt_domain), and answers translations for DMA. Devices are
 * attached to domains through the driver, which is where the hardware's
 * device tables would be written.
 */
#ifndef UIOMMUFD_DRIVERS_DRIVER_H
#define UIOMMUFD_DRIVERS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iopt/domain.h"

struct ufd_dev;
struct ufd_domain;

/* What a DMA translation answers. */
struct ufd_translation {
	uint64_t addr; /* host address of the IOVA */
	uint64_t len;  /* bytes from there on translated the same way */
};

struct ufd_domain_ops {
	void (*free)(struct ufd_domain *domain);
	/*
	 * Translates @iova for a DMA of the given direction. Returns 0, or
	 * -EFAULT (nothing mapped) / -EPERM (not permitted).
	 */
	int (*translate)(struct ufd_domain *domain, uint64_t iova, bool write,
			 struct ufd_translation *out);
};

enum ufd_domain_type {
	UFD_DOMAIN_PAGING,
	UFD_DOMAIN_NESTED,
};

struct ufd_domain {
	struct iopt_domain iopt; /* what the io_pagetable fills */
	const struct ufd_domain_ops *ops;
	const struct ufd_iommu_ops *owner; /* the driver that made it */
	enum ufd_domain_type type;
};

/* Flags for domain_alloc_paging (the IOMMU_HWPT_ALLOC_* values). */
struct ufd_iommu_ops {
	const char *name;
	/*
	 * A new empty paging domain for @dev. Returns it or an ERR_PTR
	 * (-EOPNOTSUPP for flags the hardware cannot honour).
	 */
	struct ufd_domain *(*domain_alloc_paging)(struct ufd_dev *dev,
						  uint32_t flags);
	/* Points @dev at @domain (NULL: blocked). Returns 0 or -errno. */
	int (*attach)(struct ufd_dev *dev, struct ufd_domain *domain);
};

#endif
