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
struct ufd_user_data_array;
struct ufd_viommu;

/* What a DMA translation answers. */
struct ufd_translation {
	uint64_t addr; /* out: host address of the IOVA */
	/*
	 * In: how many bytes the caller wants translated (0: one leaf will
	 * do). Out: bytes from the IOVA on translated the same way, which
	 * may be less or, within what the walk proved, more.
	 */
	uint64_t len;
	/*
	 * In: the device making the DMA when the caller holds its
	 * attachment steady (its domain_lock); else NULL. A driver then
	 * translates for that device and @pasid (its caches may answer
	 * without the domain's locks, its faults name them); without it,
	 * for any device attached to the domain.
	 */
	const struct ufd_dev *dev;
	/* In, with @dev: the PASID the DMA carries, or UFD_NO_PASID. */
	uint32_t pasid;
};

struct ufd_domain_ops {
	void (*free)(struct ufd_domain *domain);
	/*
	 * Translates @iova for a DMA of the given direction; out->len says
	 * on entry how far the DMA goes. Returns 0, or
	 * -EFAULT (nothing mapped) / -EPERM (not permitted). A write while
	 * dirty tracking is on marks the translation's leaf dirty.
	 */
	int (*translate)(struct ufd_domain *domain, uint64_t iova, bool write,
			 struct ufd_translation *out);
	/*
	 * Nested domains, optional: the user's invalidation requests for the
	 * caches of this domain (IOMMU_HWPT_INVALIDATE on the HWPT). Sets
	 * array->entry_num to the requests handled, which is all of them on
	 * success. Returns 0 or -errno (the first request that failed).
	 */
	int (*cache_invalidate_user)(struct ufd_domain *domain,
				     struct ufd_user_data_array *array);
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
 * memory, and the front end's accessors for that memory, so drivers never
 * touch a user pointer themselves. Use ufd_user_data_copy() and
 * ufd_user_data_respond().
 */
struct ufd_user_data {
	uint32_t type;
	void *uptr;
	size_t len;
	/*
	 * Copies a struct of @len bytes at @uptr into @dst_size bytes:
	 * zero-extends a shorter one, accepts a longer one only with a zero
	 * tail. Returns 0, -E2BIG or -EFAULT.
	 */
	int (*read)(void *dst, size_t dst_size, const void *uptr, size_t len);
	/* Copies @len bytes to @uptr. Returns 0 or -EFAULT. */
	int (*write)(void *uptr, const void *src, size_t len);
};

/**
 * ufd_user_data_copy() - read driver data of a known type
 * @dst: our struct, @dst_size bytes
 * @data: what the user passed
 * @type: the type code @dst has
 * @min_size: the end of the first version of the struct
 *
 * As Linux, a struct longer than ours is refused whatever its tail holds.
 *
 * Return: 0; -EINVAL (another type, shorter than @min_size or longer than
 * @dst_size); -EFAULT.
 */
static inline int ufd_user_data_copy(void *dst, size_t dst_size,
				     const struct ufd_user_data *data,
				     uint32_t type, size_t min_size)
{
	if (data->type != type || data->len < min_size || data->len > dst_size)
		return -EINVAL;
	return data->read(dst, dst_size, data->uptr, data->len);
}

/**
 * ufd_user_data_respond() - write driver data back into the user's struct
 * @data: what the user passed (its length is what gets written)
 * @src: our struct, @src_size bytes
 * @type: the type code @src has
 * @min_size: the end of the first version of the struct
 *
 * Return: 0; -EINVAL (as ufd_user_data_copy()); -E2BIG (the user's struct
 * is too short for what we have to say); -EFAULT.
 */
static inline int ufd_user_data_respond(const struct ufd_user_data *data,
					const void *src, size_t src_size,
					uint32_t type, size_t min_size)
{
	const uint8_t *tail = (const uint8_t *)src + data->len;

	if (data->type != type || data->len < min_size || data->len > src_size)
		return -EINVAL;
	for (; tail < (const uint8_t *)src + src_size; tail++)
		if (*tail)
			return -E2BIG;
	return data->write(data->uptr, src, data->len);
}

/*
 * An array of driver-specific entries (the kernel's struct
 * iommu_user_data_array), for invalidation requests. entry_num is the
 * number of entries on entry and, on return from a driver, how many it
 * handled. Read entries with ufd_user_array_entry() or
 * ufd_user_array_copy_all().
 */
struct ufd_user_data_array {
	uint32_t type;
	const void *uptr;
	uint32_t entry_len;
	uint32_t entry_num;
	/* As ufd_user_data's read. */
	int (*read)(void *dst, size_t dst_size, const void *uptr, size_t len);
};

/**
 * ufd_user_array_entry() - read entry @index of a user array
 * @dst: our struct, @dst_size bytes
 * @array: what the user passed
 * @type: the type code @dst has
 * @index: which entry, below array->entry_num
 * @min_size: the end of the first version of the struct
 *
 * Return: 0; -EINVAL (another type, no such entry, entries shorter than
 * @min_size or longer than @dst_size); -EFAULT.
 */
static inline int ufd_user_array_entry(void *dst, size_t dst_size,
				       const struct ufd_user_data_array *array,
				       uint32_t type, uint32_t index,
				       size_t min_size)
{
	const struct ufd_user_data one = {
		.type = array->type,
		.uptr = (uint8_t *)(uintptr_t)array->uptr +
			(size_t)array->entry_len * index,
		.len = array->entry_len,
		.read = array->read,
	};

	if (index >= array->entry_num)
		return -EINVAL;
	return ufd_user_data_copy(dst, dst_size, &one, type, min_size);
}

/**
 * ufd_user_array_copy_all() - read every entry of a user array at once
 * @dst: room for array->entry_num structs of @entry_size bytes
 * @entry_size: our struct's size
 * @array: what the user passed
 * @type: the type code the entries have
 *
 * Entries of another size are converted one by one: shorter ones
 * zero-extended, longer ones accepted only with a zero tail.
 *
 * Return: 0; -EINVAL (another type, or no entries); -E2BIG; -EFAULT.
 */
static inline int
ufd_user_array_copy_all(void *dst, size_t entry_size,
			const struct ufd_user_data_array *array, uint32_t type)
{
	uint32_t i;
	int rc;

	if (array->type != type || !array->entry_num)
		return -EINVAL;
	for (i = 0; i < array->entry_num; i++) {
		rc = array->read((uint8_t *)dst + entry_size * i, entry_size,
				 (const uint8_t *)array->uptr +
					 (size_t)array->entry_len * i,
				 array->entry_len);
		if (rc)
			return rc;
	}
	return 0;
}

/* What a driver can be asked about a device (the kernel's iommu_cap). */
enum ufd_iommu_cap {
	UFD_CAP_CACHE_COHERENCY,
	UFD_CAP_DIRTY_TRACKING,	   /* paging domains can track dirty pages */
	UFD_CAP_PCI_ATS_SUPPORTED, /* ATS can be used for the device */
};

/*
 * PCIe ATS: what a device with an ATC asks its IOMMU (iommu_ops.ats_request).
 * A Translation Request asks for the translation of one IOVA, which the
 * device then caches; a Translated request is a DMA at an address from
 * that cache, which the IOMMU does not translate but may refuse.
 */
enum ufd_ats_kind {
	UFD_ATS_TRANSLATE,  /* a Translation Request: answers in out_* */
	UFD_ATS_TRANSLATED, /* a Translated request: may it pass? */
};

struct ufd_ats_req {
	enum ufd_ats_kind kind;
	bool pasid_valid;
	uint32_t pasid;
	/* TRANSLATE: the IOVA; TRANSLATED: the address the ATC produced. */
	uint64_t addr;
	/*
	 * TRANSLATE: ask for write permission too (PCIe No-Write clear);
	 * TRANSLATED: the request is a write.
	 */
	bool write;
	/*
	 * TRANSLATE, out: the naturally aligned 2^out_page_lg2 bytes holding
	 * addr translate, from their first byte, to out_addr, with these
	 * permissions. Neither read nor write: nothing is mapped there (the
	 * device must not cache that answer).
	 */
	uint64_t out_addr;
	unsigned int out_page_lg2;
	bool out_read, out_write;
};

/*
 * PCIe PRI: one Page Request of a Page Request Group a device sends its
 * IOMMU (iommu_ops.pri_request) for a page it could not translate. The
 * group is answered as a whole, later, with a PRG Response the IOMMU
 * delivers to the device (ufd_dev_pri_resp()).
 */
struct ufd_pri_req {
	bool pasid_valid;
	uint32_t pasid;
	uint64_t addr;		      /* the page, 4 KiB aligned */
	bool read, write, exec, priv; /* the access the device wants */
	uint16_t prgi;		      /* the group's index: 9 bits */
	bool last;		      /* the group's last request */
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
	/* Optional: undoes probe_device when the device is destroyed. */
	void (*release_device)(struct ufd_dev *dev);
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
	 * Optional: PCIe ATS requests of @dev (struct ufd_ats_req). The
	 * device sends them only while the driver has ATS enabled on it
	 * (ufd_dev_set_ats()), with dev->domain_lock held for read and not
	 * the ATC's lock, so the driver may take here locks it holds while
	 * it invalidates ATCs (ufd_dev_atc_inval()). Returns 0 (TRANSLATE:
	 * answered, maybe with no access; TRANSLATED: admitted) or -EFAULT
	 * (TRANSLATE: Unsupported Request or Completer Abort; TRANSLATED:
	 * terminated).
	 */
	int (*ats_request)(struct ufd_dev *dev, struct ufd_ats_req *req);
	/*
	 * Optional: a PCIe Page Request of @dev (struct ufd_pri_req). The
	 * device sends them only while the driver has PRI enabled on it
	 * (ufd_dev_set_pri()), holding no lock of its own, so the IOMMU may
	 * deliver the group's response (ufd_dev_pri_resp()) before this
	 * returns. Returns 0 (taken), -ENOSPC (lost to an overflow of the
	 * IOMMU's queue; a lost last request is answered Success, as the
	 * SMMU does) or another -errno (lost, and nobody will answer).
	 */
	int (*pri_request)(struct ufd_dev *dev, const struct ufd_pri_req *req);
	/*
	 * Optional: the hardware information IOMMU_GET_HW_INFO reports.
	 * *type is the type asked for on entry (IOMMU_HW_INFO_TYPE_DEFAULT:
	 * the driver's own) and the type returned on exit. Returns memory
	 * from ufd_zalloc() holding *length bytes, which the caller frees, or
	 * an ERR_PTR (-EOPNOTSUPP: a type the driver does not report).
	 */
	void *(*hw_info)(struct ufd_dev *dev, uint32_t *length, uint32_t *type);
	/*
	 * Optional: a nested domain (stage 1 over @parent, a paging domain
	 * of this driver allocated as a nesting parent) described by driver
	 * data. @flags may hold IOMMU_HWPT_ALLOC_PASID. Returns the domain
	 * (type UFD_DOMAIN_NESTED) or an ERR_PTR: -EOPNOTSUPP (a data type
	 * or flag the driver does not take), the errors of reading @data,
	 * -EINVAL for values the hardware refuses.
	 */
	struct ufd_domain *(*domain_alloc_nested)(
		struct ufd_dev *dev, struct ufd_domain *parent, uint32_t flags,
		const struct ufd_user_data *data);
	/*
	 * Optional, with viommu_init: can this IOMMU make a vIOMMU of
	 * @type (IOMMU_VIOMMU_TYPE_*) for @dev?
	 */
	bool (*viommu_supported)(struct ufd_dev *dev, uint32_t type);
	/*
	 * Sets @viommu up (its type, parent and core services are filled
	 * in) and its ops. @data is the user's driver data or NULL; what
	 * the driver returns in it is written with ufd_user_data_respond().
	 * Returns 0 or -errno; on failure the driver has undone everything.
	 */
	int (*viommu_init)(struct ufd_viommu *viommu,
			   const struct ufd_user_data *data);
};

/*
 * The vIOMMU family, as the driver sees it. The core owns the objects
 * (struct ufd_viommu, ufd_vdevice and ufd_hw_queue are embedded in them)
 * and their lifetime rules; the driver keeps its state behind priv and
 * reaches the core only through the services in viommu->core.
 */

/* A device's virtual identity on a vIOMMU (IOMMU_VDEVICE_ALLOC). */
struct ufd_vdevice {
	struct ufd_viommu *viommu;
	struct ufd_dev *dev;
	uint64_t virt_id; /* the guest's id: a vSID, a vRID, ... */
	void *priv;	  /* the driver's */
};

/* A queue the hardware reads from guest memory (IOMMU_HW_QUEUE_ALLOC). */
struct ufd_hw_queue {
	struct ufd_viommu *viommu;
	uint32_t type;	    /* IOMMU_HW_QUEUE_TYPE_* */
	uint32_t index;	    /* the driver's queue number */
	uint64_t base_iova; /* nesting_parent_iova: guest physical */
	uint64_t length;    /* bytes */
	/* Set by the driver's hw_queue_init; called before the core's part. */
	void (*destroy)(struct ufd_hw_queue *queue);
	void *priv; /* the driver's */
};

/* What a vIOMMU's driver does (the kernel's iommufd_viommu_ops). */
struct ufd_viommu_ops {
	/* Optional: undo viommu_init. Every vDEVICE and queue is gone. */
	void (*destroy)(struct ufd_viommu *viommu);
	/*
	 * Optional: a nested domain on this vIOMMU (over its parent) from
	 * the user's driver data. As iommu_ops.domain_alloc_nested.
	 */
	struct ufd_domain *(*alloc_domain_nested)(
		struct ufd_viommu *viommu, uint32_t flags,
		const struct ufd_user_data *data);
	/*
	 * Optional: invalidation requests addressed to the vIOMMU
	 * (IOMMU_HWPT_INVALIDATE on the vIOMMU). As cache_invalidate_user;
	 * an empty array of the right type answers 0 (probing support).
	 */
	int (*cache_invalidate)(struct ufd_viommu *viommu,
				struct ufd_user_data_array *array);
	/*
	 * Optional: a vDEVICE is being created; refuse it with -errno.
	 * Paired with vdevice_destroy when it goes.
	 */
	int (*vdevice_init)(struct ufd_vdevice *vdev);
	void (*vdevice_destroy)(struct ufd_vdevice *vdev);
	/* Optional, with hw_queue_init: does the vIOMMU have @type queues? */
	bool (*hw_queue_supported)(struct ufd_viommu *viommu, uint32_t type);
	/*
	 * Starts a queue the hardware reads at host address @base (the
	 * guest's queue memory, pinned and contiguous for the queue's life).
	 * Returns 0 or -errno (-EINVAL bad index, -EEXIST index in use ...).
	 */
	int (*hw_queue_init)(struct ufd_hw_queue *queue, uint64_t base);
};

/* What the core does for a vIOMMU's driver (the kernel's driver.c). */
struct ufd_viommu_core_ops {
	/*
	 * The virtual id of @dev on @viommu. Returns 0 or -ENOENT (no
	 * vDEVICE for it).
	 */
	int (*vdev_id)(struct ufd_viommu *viommu, struct ufd_dev *dev,
		       uint64_t *virt_id);
	/*
	 * Runs @fn on the device whose vDEVICE has @virt_id, with the
	 * vDEVICE table locked so it cannot go away meanwhile. Returns
	 * @fn's result, or -EINVAL when there is no such vDEVICE.
	 */
	int (*with_vdev)(struct ufd_viommu *viommu, uint64_t virt_id,
			 int (*fn)(void *arg, struct ufd_vdevice *vdev),
			 void *arg);
	/*
	 * Queues an event of @type (IOMMU_VEVENTQ_TYPE_*) for the VMM.
	 * Returns 0, -EOPNOTSUPP (no vEVENTQ of that type) or -ENOMEM (the
	 * event was lost and the queue says so).
	 */
	int (*report_event)(struct ufd_viommu *viommu, uint32_t type,
			    const void *data, size_t len);
	/*
	 * Lets the program mmap() @len bytes at @host (page aligned, memory
	 * from ufd_mmio_alloc()) through the iommufd, at the returned
	 * *offset. The mapping holds the vIOMMU. Returns 0 or -errno.
	 */
	int (*alloc_mmap)(struct ufd_viommu *viommu, void *host, size_t len,
			  uint64_t *offset);
	void (*destroy_mmap)(struct ufd_viommu *viommu, uint64_t offset);
	/*
	 * @queue cannot be destroyed before @dependent is. Returns 0 or
	 * -EINVAL (the same queue).
	 */
	int (*hw_queue_depend)(struct ufd_hw_queue *dependent,
			       struct ufd_hw_queue *queue);
	void (*hw_queue_undepend)(struct ufd_hw_queue *dependent,
				  struct ufd_hw_queue *queue);
};

/* A vIOMMU (IOMMU_VIOMMU_ALLOC): a VM's slice of one IOMMU. */
struct ufd_viommu {
	uint32_t type;			   /* IOMMU_VIOMMU_TYPE_* */
	struct ufd_domain *parent;	   /* the nesting parent's domain */
	const struct ufd_iommu_ops *iommu; /* the IOMMU it is a slice of */
	const struct ufd_viommu_core_ops *core;
	const struct ufd_viommu_ops *ops; /* set by viommu_init */
	void *priv;			  /* the driver's */
};

/** ufd_iommu_capable() - does @ops offer @cap for @dev? */
static inline bool ufd_iommu_capable(const struct ufd_iommu_ops *ops,
				     struct ufd_dev *dev,
				     enum ufd_iommu_cap cap)
{
	return ops && ops->capable && ops->capable(dev, cap);
}

#endif
