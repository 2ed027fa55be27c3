/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMD-Vi driver: what Linux's amd_iommu driver does for iommufd, done
 * to the AMD-Vi hardware model of src/hw/amdvi the way a driver does it to
 * silicon -- a device table, host (v1) and guest (v2) page tables and GCR3
 * tables in memory, commands through the command buffer each batch closed
 * by a COMPLETION_WAIT whose store the driver polls, faults read back from
 * the event log.
 *
 * Instances: one driver instance is one AMD IOMMU model with the tables
 * and buffers the host owns. Devices are created behind an instance with
 * ufd_dev_create(ops, flags), where ops is either ufd_amdvi_iommu (the
 * process-wide default instance, created on first use, with the model's
 * default configuration: 6-level host tables, guest translation, 16-bit
 * PASIDs, host dirty updates) or ufd_amdvi_ops() of an instance made with
 * ufd_amdvi_create() (tests use that for other hardware configurations).
 *
 * What the ops provide:
 *   - devices: probe_device gives each device a DeviceID (dev->priv holds
 *     the driver's per-device state), its DTE blocked until attached; a
 *     device created with UFD_DEV_PASID behind an IOMMU with guest
 *     translation gets EFR.PASmax + 1 PASID bits;
 *   - paging domains: v1 host tables (PT_FMT_AMDV1, growing their top as
 *     Linux's generic page table does) by default, for nesting parents and
 *     for dirty tracking (DTE.HAD, needs EFR.HDSup); v2 tables (x86-64
 *     format, PT_FMT_VTD_FS) for IOMMU_HWPT_ALLOC_PASID, reached through
 *     the device's GCR3 table. Unmapping issues INVALIDATE_IOMMU_PAGES, so
 *     the model's IOTLB never serves a stale entry of a host-owned table;
 *   - PASID attachments of v2 domains (attach_pasid), in the device's GCR3
 *     table;
 *   - hw_info (IOMMU_HW_INFO_TYPE_AMD: raw EFR and EFR2);
 *   - vIOMMUs over a nesting parent and nested domains from a guest's DTE
 *     (IOMMU_HWPT_DATA_AMD_GUEST), validated as Linux validates it, guest
 *     DomainIDs mapped to host DomainIDs per vIOMMU.
 *
 * Thread safety: every op may be called from any thread; the rules the
 * core must follow (no two attaches of one device at once, which
 * ufd_dev_set_domain() guarantees) are Linux's. Lock order: see
 * amdvi_priv.h.
 */
#ifndef UIOMMUFD_DRIVERS_AMDVI_AMDVI_DRV_H
#define UIOMMUFD_DRIVERS_AMDVI_AMDVI_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "hw/amdvi/amdvi.h"

struct ufd_dev;
struct ufd_amdvi;

/* The default instance's driver: pass it to ufd_dev_create(). */
extern const struct ufd_iommu_ops ufd_amdvi_iommu;

/* How ufd_amdvi_create() builds an instance. Zeroed: the default. */
struct ufd_amdvi_opts {
	/*
	 * Adjusts the model's configuration, which starts as
	 * amdvi_config_default(); may be NULL. The memory and interrupt
	 * members are the driver's and are overwritten.
	 */
	void (*tweak)(struct amdvi_config *cfg);
	/*
	 * Event records are read only by ufd_amdvi_evtlog_poll(), not by
	 * the driver's event thread (deterministic tests).
	 */
	bool evt_no_thread;
};

/**
 * ufd_amdvi_create() - a driver instance over a new AMD-Vi model
 * @opts: NULL for the default configuration
 *
 * Brings the model up as Linux brings an AMD IOMMU up: device table with
 * every entry blocking, command buffer, event log, guest translation when
 * present, event interrupt, then IommuEn, and every cache invalidated.
 *
 * Return: the instance or ERR_PTR(-ENOMEM, -EINVAL for a configuration the
 * driver cannot drive, or the model's errors).
 */
struct ufd_amdvi *ufd_amdvi_create(const struct ufd_amdvi_opts *opts);

/**
 * ufd_amdvi_destroy() - stop and free an instance from ufd_amdvi_create()
 *
 * Every device, domain and vIOMMU of the instance must be gone. NULL and
 * the default instance are ignored.
 */
void ufd_amdvi_destroy(struct ufd_amdvi *iommu);

/** ufd_amdvi_ops() - the driver ops of @iommu, for ufd_dev_create() */
const struct ufd_iommu_ops *ufd_amdvi_ops(struct ufd_amdvi *iommu);

/**
 * ufd_amdvi_default() - the default instance, created on first use
 *
 * Thread-safe. Return: the instance, or an ERR_PTR if creating it failed
 * (every later call returns the same error).
 */
struct ufd_amdvi *ufd_amdvi_default(void);

/**
 * ufd_amdvi_of() - the instance behind driver ops @ops
 *
 * Return: the instance, NULL when @ops are not this driver's, or an
 * ERR_PTR when the default instance could not be created.
 */
struct ufd_amdvi *ufd_amdvi_of(const struct ufd_iommu_ops *ops);

/** ufd_amdvi_hw() - the model of @iommu (tests look inside) */
struct amdvi *ufd_amdvi_hw(struct ufd_amdvi *iommu);

/**
 * ufd_amdvi_release_device() - give up @dev's DeviceID and state
 *
 * The driver's release_device op: ufd_dev_destroy() calls it. An attached
 * device is blocked first. Calling it again, or for a device of another
 * driver, does nothing.
 */
void ufd_amdvi_release_device(struct ufd_dev *dev);

/** ufd_amdvi_dev_devid() - the DeviceID probe_device gave @dev */
uint16_t ufd_amdvi_dev_devid(const struct ufd_dev *dev);

/**
 * ufd_amdvi_read_dte() - copy the DTE the driver wrote for @devid
 *
 * Return: 0, or -ENOENT when @devid is beyond the device table.
 */
int ufd_amdvi_read_dte(struct ufd_amdvi *iommu, uint16_t devid,
		       uint64_t dte[AMDVI_DTE_QWORDS]);

/**
 * ufd_amdvi_evtlog_poll() - read and handle every record in the event log
 *
 * Whether or not the event thread runs, every record the IOMMU wrote
 * before this call has been handled (counted, the last one kept) when it
 * returns. Returns the number of records this call handled.
 */
unsigned int ufd_amdvi_evtlog_poll(struct ufd_amdvi *iommu);

/**
 * ufd_amdvi_last_event() - the last event record the driver read
 *
 * Return: 0 and the record in @evt, or -ENOENT when none was read yet.
 */
int ufd_amdvi_last_event(struct ufd_amdvi *iommu,
			 uint64_t evt[AMDVI_EVT_QWORDS]);

/* Counters, for tests. */
struct ufd_amdvi_stats {
	uint64_t cmds;		 /* commands the driver put in the buffer */
	uint64_t cmd_errors;	 /* batches whose COMPLETION_WAIT never came */
	uint64_t inv_pages;	 /* INVALIDATE_IOMMU_PAGES issued */
	uint64_t inv_dte;	 /* INVALIDATE_DEVTAB_ENTRY issued */
	uint64_t events;	 /* event records read */
	uint64_t io_page_faults; /* of which IO_PAGE_FAULT */
	uint64_t evt_overflows;	 /* Status.EventOverflow seen */
	uint64_t top_changes;	 /* v1 tables grown: DTEs rewritten */
};

/** ufd_amdvi_get_stats() - snapshot of @iommu's counters */
void ufd_amdvi_get_stats(struct ufd_amdvi *iommu, struct ufd_amdvi_stats *st);

/* What the driver derived for a paging domain, for tests. */
struct ufd_amdvi_domain_info {
	unsigned int version; /* 1 (host table) or 2 (guest table) */
	uint16_t domid;	      /* v1: the DomainID of its DTEs */
	unsigned int levels;  /* the table's levels now */
	uint64_t root;	      /* its top table now */
	bool nest_parent;
};

/**
 * ufd_amdvi_domain_info() - format and tags of a paging domain
 *
 * Return: 0, or -EINVAL for a domain that is not a paging domain of this
 * driver.
 */
int ufd_amdvi_domain_info(struct ufd_domain *domain,
			  struct ufd_amdvi_domain_info *info);

/**
 * ufd_amdvi_viommu_hdomid() - the host DomainID a vIOMMU gave guest
 * DomainID @gdomid
 *
 * Return: the host DomainID, or -ENOENT when no nested domain of
 * @viommu uses @gdomid.
 */
int ufd_amdvi_viommu_hdomid(struct ufd_viommu *viommu, uint16_t gdomid);

#endif
