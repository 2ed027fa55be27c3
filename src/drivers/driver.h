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
 *
 * Dirty tracking: a paging domain allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING has dirty_ops. While tracking is on, the
 * hardware marks the leaf of every DMA write dirty in the page table; the
 * core harvests those marks with read_and_clear_dirty() for
 * IOMMU_HWPT_GET_DIRTY_BITMAP. A domain without dirty_ops cannot track.
 */
#ifndef UIOMMUFD_DRIVERS_DRIVER_H
#define UIOMMUFD_DRIVERS_DRIVER_H

#include <errno.h>
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
	 * -EFAULT (nothing mapped) / -EPERM (not permitted). A write while
	 * dirty tracking is on marks the translation's leaf dirty.
	 */
	int (*translate)(struct ufd_domain *domain, uint64_t iova, bool write,
			 struct ufd_translation *out);
};

/*
 * Where read_and_clear_dirty() reports dirty IOVA: @record gets maximal
 * runs [iova, iova + len). A dirty large page is reported whole, even when
 * the range asked about covers only part of it, as the kernel reports the
 * whole IOPTE.
 */
struct ufd_dirty_sink {
	void (*record)(void *priv, uint64_t iova, uint64_t len);
	void *priv;
};

/* read_and_clear_dirty() flags */
#define UFD_DIRTY_NO_CLEAR (1u << 0) /* report, leave the marks set */

/* The dirty-tracking half of a paging domain (the kernel's dirty_ops). */
struct ufd_dirty_ops {
	/*
	 * Starts or stops the hardware marking written leaves dirty.
	 * Turning it on when on, or off when off, changes nothing. Returns 0
	 * or -errno.
	 */
	int (*set_dirty_tracking)(struct ufd_domain *domain, bool enable);
	/*
	 * Reports every dirty leaf intersecting [iova, iova + len) to @sink
	 * (NULL: report nowhere) and, without UFD_DIRTY_NO_CLEAR, marks it
	 * clean. Returns 0 or -errno (-ERANGE: outside the table).
	 */
	int (*read_and_clear_dirty)(struct ufd_domain *domain, uint64_t iova,
				    uint64_t len, unsigned int flags,
				    const struct ufd_dirty_sink *sink);
};

enum ufd_domain_type {
	UFD_DOMAIN_PAGING,
	UFD_DOMAIN_NESTED,
};

struct ufd_domain {
	struct iopt_domain iopt; /* what the io_pagetable fills */
	const struct ufd_domain_ops *ops;
	/* NULL: the domain cannot track dirty pages. Fixed at allocation. */
	const struct ufd_dirty_ops *dirty_ops;
	const struct ufd_iommu_ops *owner; /* the driver that made it */
	enum ufd_domain_type type;
};

/*
 * Driver-specific data a user passed with a command (the kernel's
 * struct iommu_user_data): its type code, where it is in the caller's
 * memory, and the front end's reader for that memory, so drivers never
 * touch a user pointer themselves. Read it with ufd_user_data_copy().
 */
struct ufd_user_data {
	uint32_t type;
	const void *uptr;
	size_t len;
	/*
	 * Copies a struct of @len bytes at @uptr into @dst_size bytes:
	 * zero-extends a shorter one, accepts a longer one only with a zero
	 * tail. Returns 0, -E2BIG or -EFAULT.
	 */
	int (*read)(void *dst, size_t dst_size, const void *uptr, size_t len);
};

/**
 * ufd_user_data_copy() - read driver data of a known type
 * @dst: our struct, @dst_size bytes
 * @data: what the user passed
 * @type: the type code @dst has
 * @min_size: the end of the first version of the struct
 *
 * Return: 0; -EINVAL (another type, or shorter than @min_size); -E2BIG
 * (a non-zero tail we do not know); -EFAULT.
 */
static inline int ufd_user_data_copy(void *dst, size_t dst_size,
				     const struct ufd_user_data *data,
				     uint32_t type, size_t min_size)
{
	if (data->type != type || data->len < min_size)
		return -EINVAL;
	return data->read(dst, dst_size, data->uptr, data->len);
}

/* What a driver can be asked about a device (the kernel's iommu_cap). */
enum ufd_iommu_cap {
	UFD_CAP_CACHE_COHERENCY,
	UFD_CAP_DIRTY_TRACKING,	   /* paging domains can track dirty pages */
	UFD_CAP_PCI_ATS_SUPPORTED, /* ATS can be used for the device */
};

/* Flags for domain_alloc_paging (the IOMMU_HWPT_ALLOC_* values). */
struct ufd_iommu_ops {
	const char *name;
	/*
	 * Optional. Called when a device is created behind this IOMMU, to
	 * set what the IOMMU and the device agree on (dev->pasid_bits).
	 * Returns 0 or -errno (the device is then not created).
	 */
	int (*probe_device)(struct ufd_dev *dev);
	/*
	 * A new empty paging domain for @dev. Returns it or an ERR_PTR
	 * (-EOPNOTSUPP for flags the hardware cannot honour).
	 */
	struct ufd_domain *(*domain_alloc_paging)(struct ufd_dev *dev,
						  uint32_t flags);
	/*
	 * Optional: a paging domain described by driver data the user
	 * passed to IOMMU_HWPT_ALLOC (@data, never NULL). Returns as
	 * domain_alloc_paging, plus the errors of reading @data. Without it,
	 * such data is refused with -EOPNOTSUPP.
	 */
	struct ufd_domain *(*domain_alloc_paging_data)(
		struct ufd_dev *dev, uint32_t flags,
		const struct ufd_user_data *data);
	/* Points @dev at @domain (NULL: blocked). Returns 0 or -errno. */
	int (*attach)(struct ufd_dev *dev, struct ufd_domain *domain);
	/*
	 * Optional: points PASID @pasid of @dev at @domain (NULL: blocked).
	 * Missing means the IOMMU has no PASID support (EINVAL).
	 */
	int (*attach_pasid)(struct ufd_dev *dev, uint32_t pasid,
			    struct ufd_domain *domain);
	/*
	 * Optional: does the IOMMU offer @cap for @dev? Missing means no
	 * capability at all.
	 */
	bool (*capable)(struct ufd_dev *dev, enum ufd_iommu_cap cap);
	/*
	 * Optional: the hardware information IOMMU_GET_HW_INFO reports.
	 * *type is the type asked for on entry (IOMMU_HW_INFO_TYPE_DEFAULT:
	 * the driver's own) and the type returned on exit. Returns memory
	 * from ufd_zalloc() holding *length bytes, which the caller frees, or
	 * an ERR_PTR (-EOPNOTSUPP: a type the driver does not report).
	 */
	void *(*hw_info)(struct ufd_dev *dev, uint32_t *length, uint32_t *type);
};

/** ufd_iommu_capable() - does @ops offer @cap for @dev? */
static inline bool ufd_iommu_capable(const struct ufd_iommu_ops *ops,
				     struct ufd_dev *dev,
				     enum ufd_iommu_cap cap)
{
	return ops && ops->capable && ops->capable(dev, cap);
}

#endif
