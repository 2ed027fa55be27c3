/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Arm SMMUv3 driver: what Linux's arm-smmu-v3 driver (with its Tegra241
 * CMDQV part) does for iommufd, done to the SMMUv3 and CMDQV hardware
 * models of src/hw the way a driver does it to silicon -- stream table,
 * context descriptors and page tables in memory, commands through the
 * command queue, faults read back from the event queue.
 *
 * Instances: one driver instance is one SMMU model (and, optionally, a
 * CMDQV beside it) with the tables and queues the host owns. Devices are
 * created behind an instance with ufd_dev_create(ops, flags), where ops is
 * either ufd_smmuv3_iommu (the process-wide default instance, created on
 * first use: an SMMU with stage 1, stage 2, nesting, HTTU and a CMDQV whose
 * virtual queues are consumed by the model's own thread) or
 * ufd_smmuv3_ops() of an instance made with ufd_smmuv3_create() (tests use
 * that for other hardware configurations).
 *
 * What the ops provide (see docs/drivers-smmuv3.md for the full account):
 *   - devices: probe_device gives each device a StreamID (dev->priv holds
 *     the driver's per-device state), its STE blocked (abort) until
 *     attached;
 *   - paging domains: stage 1 (ARM 4K, ASID-tagged) by default, stage 2
 *     (VMID-tagged) for IOMMU_HWPT_ALLOC_NEST_PARENT, dirty tracking
 *     through HTTU with IOMMU_HWPT_ALLOC_DIRTY_TRACKING; unmapping issues
 *     the TLB invalidations, so the model's IOTLB never serves a stale
 *     entry of a host-owned table;
 *   - ATS for devices created with UFD_DEV_ATS: STE.EATS where Linux
 *     enables ATS, Translation and Translated requests served by the
 *     model for the device's StreamID (ats_request), and CMD_ATC_INV to
 *     its ATC after every TLB invalidation of a table it uses and every
 *     STE change;
 *   - PRI for devices created with UFD_DEV_PRI: enabled while ATS is on
 *     and the attachment has a fault queue; page requests read from the
 *     PRI queue go to the core as fault groups, whose answers return as
 *     CMD_PRI_RESP;
 *   - nested domains from a guest's STE (IOMMU_HWPT_DATA_ARM_SMMUV3),
 *     validated as Linux validates it;
 *   - vIOMMUs of type IOMMU_VIOMMU_TYPE_ARM_SMMUV3 (a VMID each, vDEVICEs
 *     mapping virtual StreamIDs, guest invalidation commands checked and
 *     rewritten, guest stage-1 faults forwarded as vEVENTs) and
 *     IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV (a VINTF whose page 0 the program
 *     maps, and HW queues the guest drives with plain stores).
 *
 * Thread safety: every op may be called from any thread; the rules the
 * core must follow (no two attaches of one device at once, which
 * ufd_dev_set_domain() guarantees) are Linux's. Lock order, outermost
 * first: the core's locks, dev->domain_lock, a domain's lock, the
 * instance's stream lock, its command-queue lock, the models' locks, a
 * device's ATC lock (taken when the SMMU executes CMD_ATC_INV). The
 * driver calls the core's vIOMMU services (viommu->core) with its stream
 * lock or VINTF lock held, as Linux does: the core must not call back into
 * the driver from them.
 */
#ifndef UIOMMUFD_DRIVERS_SMMUV3_SMMUV3_DRV_H
#define UIOMMUFD_DRIVERS_SMMUV3_SMMUV3_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "hw/smmuv3/smmuv3.h"
#include "hw/tegra241-cmdqv/cmdqv.h"

struct ufd_dev;
struct ufd_smmuv3;

/* The default instance's driver: pass it to ufd_dev_create(). */
extern const struct ufd_iommu_ops ufd_smmuv3_iommu;

/* How ufd_smmuv3_create() builds an instance. Zeroed: the default. */
struct ufd_smmuv3_opts {
	/*
	 * Adjusts the SMMU model's configuration, which starts as
	 * smmuv3_config_default(); may be NULL. The memory and interrupt
	 * members are the driver's and are overwritten.
	 */
	void (*tweak)(struct smmuv3_config *cfg);
	/* Add a Tegra241 CMDQV beside the SMMU. */
	bool cmdqv;
	/*
	 * Adjusts the CMDQV's configuration, which starts as
	 * cmdqv_config_default() with CMDQV_CONSUME_THREAD; may be NULL.
	 * The SMMU, memory and error members are the driver's.
	 */
	void (*cmdqv_tweak)(struct cmdqv_config *cfg);
	/*
	 * Event records are read only by ufd_smmuv3_evtq_poll(), and page
	 * requests only by ufd_smmuv3_priq_poll(), not by the driver's
	 * event thread (deterministic tests).
	 */
	bool evtq_no_thread;
};

/**
 * ufd_smmuv3_create() - a driver instance over a new SMMU model
 * @opts: NULL for the default configuration
 *
 * Brings the model up as Linux brings an SMMU up: CR1/CR2, a two-level
 * stream table with every StreamID aborting, command and event queues,
 * interrupts, then SMMUEN.
 *
 * Return: the instance or ERR_PTR(-ENOMEM, -EINVAL for a configuration
 * the driver cannot drive (no stage 1 nor stage 2, no 4K granule, no
 * two-level stream table), or the models' errors).
 */
struct ufd_smmuv3 *ufd_smmuv3_create(const struct ufd_smmuv3_opts *opts);

/**
 * ufd_smmuv3_destroy() - stop and free an instance from ufd_smmuv3_create()
 *
 * Every device, domain and vIOMMU of the instance must be gone. NULL and
 * the default instance are ignored.
 */
void ufd_smmuv3_destroy(struct ufd_smmuv3 *smmu);

/** ufd_smmuv3_ops() - the driver ops of @smmu, for ufd_dev_create() */
const struct ufd_iommu_ops *ufd_smmuv3_ops(struct ufd_smmuv3 *smmu);

/**
 * ufd_smmuv3_default() - the default instance, created on first use
 *
 * Thread-safe. Return: the instance, or an ERR_PTR if creating it failed
 * (every later call returns the same error).
 */
struct ufd_smmuv3 *ufd_smmuv3_default(void);

/**
 * ufd_smmuv3_of() - the instance behind driver ops @ops
 *
 * Return: the instance, NULL when @ops are not this driver's, or an
 * ERR_PTR when the default instance could not be created.
 */
struct ufd_smmuv3 *ufd_smmuv3_of(const struct ufd_iommu_ops *ops);

/** ufd_smmuv3_hw() - the SMMU model of @smmu (tests look inside) */
struct smmuv3 *ufd_smmuv3_hw(struct ufd_smmuv3 *smmu);

/** ufd_smmuv3_cmdqv() - the CMDQV model of @smmu, NULL without one */
struct cmdqv *ufd_smmuv3_cmdqv(struct ufd_smmuv3 *smmu);

/**
 * ufd_smmuv3_release_device() - give up @dev's StreamID and state
 *
 * The driver's release_device op: ufd_dev_destroy() calls it. The device
 * must have no vDEVICE; an attached one is blocked first. Calling it again,
 * or for a device of another driver, does nothing.
 */
void ufd_smmuv3_release_device(struct ufd_dev *dev);

/** ufd_smmuv3_dev_sid() - the StreamID probe_device gave @dev */
uint32_t ufd_smmuv3_dev_sid(const struct ufd_dev *dev);

/**
 * ufd_smmuv3_evtq_poll() - read and handle every record in the event queue
 *
 * Whether or not the event thread runs, every record the SMMU wrote before
 * this call has been handled (forwarded to a vEVENTQ or counted) when it
 * returns. Returns the number of records this call handled.
 */
unsigned int ufd_smmuv3_evtq_poll(struct ufd_smmuv3 *smmu);

/**
 * ufd_smmuv3_priq_poll() - read and handle every record in the PRI queue
 *
 * As ufd_smmuv3_evtq_poll(), for page requests: every request the SMMU
 * queued before this call has been handled (kept for its group, or its
 * group reported or answered) when it returns, and an overflow
 * acknowledged. Returns the number of records this call handled; 0 on an
 * SMMU without PRI.
 */
unsigned int ufd_smmuv3_priq_poll(struct ufd_smmuv3 *smmu);

/* Counters, for tests. */
struct ufd_smmuv3_stats {
	uint64_t cmds;		 /* commands the driver put in its queue */
	uint64_t cmdq_errors;	 /* CMDQ_ERR the driver had to clear */
	uint64_t events;	 /* event records read */
	uint64_t events_fwd;	 /* forwarded to a vEVENTQ */
	uint64_t events_lost;	 /* forwarding refused (no queue, full) */
	uint64_t evtq_overflows; /* EVENTQ_PROD.OVFLG seen */
	uint64_t cmdqv_errors;	 /* VCMDQ errors forwarded or dropped */
	uint64_t ats_treqs;	 /* ATS Translation Requests served */
	uint64_t ats_translated; /* ATS Translated requests checked */
	uint64_t atc_invs;	 /* CMD_ATC_INV the driver issued itself */
	uint64_t pri_reqs;	 /* PRI queue records read */
	uint64_t pri_groups;	 /* Page Request Groups reported to the core */
	uint64_t pri_denied;	 /* groups the driver answered Deny itself */
	uint64_t pri_resps;	 /* CMD_PRI_RESP for the program's answers */
	uint64_t pri_dropped;	 /* unfinished groups dropped (overflow...) */
	uint64_t priq_overflows; /* PRIQ_PROD.OVFLG seen */
};

/** ufd_smmuv3_get_stats() - snapshot of @smmu's counters */
void ufd_smmuv3_get_stats(struct ufd_smmuv3 *smmu, struct ufd_smmuv3_stats *st);

/* What the driver derived for a paging domain, for tests. */
struct ufd_smmuv3_domain_info {
	unsigned int stage; /* 1 or 2 */
	uint16_t asid;	    /* stage 1 */
	uint16_t vmid;	    /* stage 2 */
	bool nest_parent;
};

/**
 * ufd_smmuv3_domain_info() - stage and tags of a paging domain
 *
 * Return: 0, or -EINVAL for a domain that is not a paging domain of this
 * driver.
 */
int ufd_smmuv3_domain_info(struct ufd_domain *domain,
			   struct ufd_smmuv3_domain_info *info);

/**
 * ufd_smmuv3_read_ste() - copy the STE the hardware sees for @sid
 *
 * Return: 0, or -ENOENT when no level-2 table covers @sid.
 */
int ufd_smmuv3_read_ste(struct ufd_smmuv3 *smmu, uint32_t sid,
			uint64_t ste[SMMU_STE_DWORDS]);

/** ufd_smmuv3_viommu_vmid() - the VMID the driver gave a vIOMMU */
uint16_t ufd_smmuv3_viommu_vmid(const struct ufd_viommu *viommu);

/**
 * ufd_smmuv3_viommu_vintf() - the CMDQV VINTF of a Tegra241 vIOMMU
 *
 * Return: the VINTF index, or -EINVAL for another kind of vIOMMU.
 */
int ufd_smmuv3_viommu_vintf(const struct ufd_viommu *viommu);

#endif
