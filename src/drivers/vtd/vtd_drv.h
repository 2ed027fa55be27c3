/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Intel VT-d driver: what Linux's intel-iommu driver does for iommufd,
 * done to the VT-d hardware model of src/hw/vtd the way a driver does it to
 * silicon -- a root table, scalable-mode context entries, PASID directories
 * and PASID tables in memory, invalidation descriptors through the
 * invalidation queue, each batch closed by an invalidation wait descriptor
 * whose status write the driver polls.
 *
 * Instances: one driver instance is one VT-d remapping unit (a model) with
 * the tables and queue the host owns. Devices are created behind an
 * instance with ufd_dev_create(ops, flags), where ops is ufd_vtd_iommu (the
 * process-wide default instance, created on first use, over the model's
 * default configuration) or ufd_vtd_ops() of an instance made with
 * ufd_vtd_create() (tests use that for other hardware configurations).
 * A device created with UFD_DEV_PASID asks for PASIDs: behind a unit
 * with PASID support it gets dev->pasid_bits = ECAP.PSS + 1.
 *
 * What the ops provide:
 *   - devices: probe_device gives each device a source-id (bus:devfn), a
 *     present scalable-mode context entry and a PASID directory; every
 *     PASID entry is not present (blocked) until something is attached;
 *   - paging domains: first stage (x86-64 4/5-level, PASID-tagged IOTLB
 *     entries) by default where the unit has it, second stage for
 *     IOMMU_HWPT_ALLOC_NEST_PARENT or IOMMU_HWPT_ALLOC_DIRTY_TRACKING (the
 *     latter needing ECAP.SSADS), as Linux chooses; each has a domain id;
 *   - attach (RID_PASID = PASID 0) and attach_pasid: the PASID table entry,
 *     with the invalidations the specification asks for when a present
 *     entry is torn down;
 *   - unmap: PASID-based IOTLB invalidation (first stage) or IOTLB
 *     invalidation (second stage, and the nested domains over it) before
 *     the freed tables go, so the model never serves a stale entry of a
 *     host-owned table;
 *   - dirty tracking through SSADE (second-stage A/D);
 *   - nested domains from a guest's first-stage table
 *     (IOMMU_HWPT_DATA_VTD_S1) over a nest-parent second stage, and the
 *     guest's invalidation requests (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1);
 *   - hw_info: IOMMU_HW_INFO_TYPE_INTEL_VTD with CAP_REG and ECAP_REG.
 *
 * Thread safety: every op may be called from any thread; the rules the
 * core must follow (no two attaches of one device at once, which
 * ufd_dev_set_domain() guarantees) are Linux's. Lock order, outermost
 * first: dev->domain_lock, a domain's lock, the instance's table lock, its
 * id lock, its queue lock, the model's locks, the fault lock (taken in the
 * model's fault interrupt, which may come under any of the above).
 */
#ifndef UIOMMUFD_DRIVERS_VTD_VTD_DRV_H
#define UIOMMUFD_DRIVERS_VTD_VTD_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "hw/vtd/vtd.h"

struct ufd_dev;
struct ufd_vtd;

/* The default instance's driver: pass it to ufd_dev_create(). */
extern const struct ufd_iommu_ops ufd_vtd_iommu;

/* How ufd_vtd_create() builds an instance. Zeroed: the default. */
struct ufd_vtd_opts {
	/*
	 * Adjusts the model's configuration, which starts as
	 * vtd_config_default(); may be NULL. The memory and interrupt
	 * members are the driver's and are overwritten.
	 */
	void (*tweak)(struct vtd_config *cfg);
};

/**
 * ufd_vtd_create() - a driver instance over a new VT-d model
 * @opts: NULL for the default configuration
 *
 * Brings the unit up as Linux does: a root table in scalable mode
 * (RTADDR.TTM = 01b, GCMD.SRTP), the invalidation queue with 256-bit
 * descriptors (IQA.DW, GCMD.QIE), global context-cache, PASID-cache and
 * IOTLB invalidations, the fault event unmasked, then GCMD.TE.
 *
 * Return: the instance or ERR_PTR(-ENOMEM, -EINVAL for a unit the driver
 * cannot drive (no scalable mode, no queued invalidation, neither stage),
 * -EIO when the unit does not come up, or the model's errors).
 */
struct ufd_vtd *ufd_vtd_create(const struct ufd_vtd_opts *opts);

/**
 * ufd_vtd_destroy() - stop and free an instance from ufd_vtd_create()
 *
 * Every device and domain of the instance must be gone. NULL and the
 * default instance are ignored.
 */
void ufd_vtd_destroy(struct ufd_vtd *vtd);

/** ufd_vtd_ops() - the driver ops of @vtd, for ufd_dev_create() */
const struct ufd_iommu_ops *ufd_vtd_ops(struct ufd_vtd *vtd);

/**
 * ufd_vtd_default() - the default instance, created on first use
 *
 * Thread-safe. Return: the instance, or an ERR_PTR if creating it failed
 * (every later call returns the same error).
 */
struct ufd_vtd *ufd_vtd_default(void);

/**
 * ufd_vtd_of() - the instance behind driver ops @ops
 *
 * Return: the instance, NULL when @ops are not this driver's, or an
 * ERR_PTR when the default instance could not be created.
 */
struct ufd_vtd *ufd_vtd_of(const struct ufd_iommu_ops *ops);

/** ufd_vtd_hw() - the VT-d model of @vtd (tests look inside) */
struct vtd *ufd_vtd_hw(struct ufd_vtd *vtd);

/**
 * ufd_vtd_release_device() - give up @dev's source-id and tables
 *
 * The driver's release_device op: ufd_dev_destroy() calls it. Every PASID
 * of the device is blocked first. Calling it again, or for a device of
 * another driver, does nothing.
 */
void ufd_vtd_release_device(struct ufd_dev *dev);

/** ufd_vtd_dev_sid() - the source-id probe_device gave @dev */
uint16_t ufd_vtd_dev_sid(const struct ufd_dev *dev);

/**
 * ufd_vtd_read_pasid_entry() - copy the PASID table entry the unit sees
 * for (@dev, @pasid), PASID 0 being RID_PASID
 *
 * Return: 0, or -ENOENT when no PASID table covers @pasid.
 */
int ufd_vtd_read_pasid_entry(struct ufd_dev *dev, uint32_t pasid,
			     uint64_t pe[VTD_PASID_ENTRY_SIZE / 8]);

/* What the driver derived for a paging domain, for tests. */
struct ufd_vtd_domain_info {
	bool first_stage; /* PT_FMT_VTD_FS, else second stage */
	bool nest_parent;
	uint16_t did;
	unsigned int ias, levels;
};

/**
 * ufd_vtd_domain_info() - stage, tag and geometry of a domain
 *
 * For a nested domain: did is its own, first_stage is true, ias and
 * levels are the guest's. Return: 0, or -EINVAL for a domain that is not
 * this driver's.
 */
int ufd_vtd_domain_info(struct ufd_domain *domain,
			struct ufd_vtd_domain_info *info);

/* Counters, for tests. */
struct ufd_vtd_stats {
	uint64_t descs;	      /* descriptors the driver queued (waits too) */
	uint64_t waits;	      /* invalidation wait descriptors */
	uint64_t qi_errors;   /* FSTS.IQE/ITE/ICE the driver had to clear */
	uint64_t faults;      /* fault records read and cleared */
	uint64_t piotlb_invs; /* PASID-based IOTLB invalidations */
	uint64_t iotlb_invs;  /* IOTLB invalidations */
	uint64_t pc_invs;     /* PASID-cache invalidations */
	uint64_t devtlb_invs; /* device-TLB invalidations */
};

/** ufd_vtd_get_stats() - snapshot of @vtd's counters */
void ufd_vtd_get_stats(struct ufd_vtd *vtd, struct ufd_vtd_stats *st);

#endif
