/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMD-Vi (AMD I/O Virtualization Technology) IOMMU hardware model.
 *
 * What: an AMD IOMMU (pub. 48882, rev 3.x) as software sees it -- a register
 * file reached through amdvi_mmio_read()/amdvi_mmio_write(), a device table,
 * host (v1) page tables, GCR3 tables and guest (v2) page tables in
 * "physical" memory, a command buffer the model consumes when the tail
 * register is written, an event log and a PPR log it produces into -- plus
 * the transaction side a device uses: amdvi_translate() for a DMA.
 *
 * Nothing above the hardware is assumed. A driver programs the model exactly
 * as Linux's amd_iommu driver programs silicon, and the model enforces the
 * architecture's caching rules: device table entries, GCR3 entries and
 * translations are cached, tagged with the architecture's dimensions
 * (DeviceID; DomainID, PASID/GN, address, page size), and stay cached until
 * a command invalidates them (INVALIDATE_DEVTAB_ENTRY,
 * INVALIDATE_IOMMU_PAGES, INVALIDATE_IOMMU_ALL), so a driver or guest that
 * forgets to invalidate sees the stale data it would see on silicon.
 *
 * Memory: a physical address is whatever the configured pt_mem_ops .map turns
 * into a host pointer (DESIGN.md: normally the host virtual address itself).
 * Every table, buffer and completion-wait store goes through it, and an
 * address it refuses becomes the architectural error
 * (DEV_TAB_HARDWARE_ERROR, PAGE_TAB_HARDWARE_ERROR, COMMAND_HARDWARE_ERROR,
 * a lost event), never a host access.
 *
 * Thread safety: every function may be called from any thread concurrently
 * with every other, except amdvi_destroy(). Translations do not take a
 * global lock on the IOTLB-hit path. Interrupt callbacks run after the model
 * dropped its locks. Device callbacks run during command consumption, with
 * the register lock held: they must not call amdvi_mmio_*() or
 * amdvi_dev_(un)register() of the same instance.
 *
 * Errors: negative errno for misuse of the model (bad configuration, bad
 * arguments); guest mistakes are reported architecturally, not as errno.
 */
#ifndef UIOMMUFD_HW_AMDVI_AMDVI_H
#define UIOMMUFD_HW_AMDVI_AMDVI_H

#include <stdbool.h>
#include <stdint.h>

#include "pt/pt.h"
#include "hw/amdvi/amdvi_hw.h"

struct amdvi;

/* Interrupts the model raises (the IOMMU's MSI, by cause). */
enum amdvi_irq {
	AMDVI_IRQ_EVENT =
		0,	   /* Status.EventLogInt or EventOverflow, EventIntEn */
	AMDVI_IRQ_COMWAIT, /* Status.ComWaitInt, ComWaitIntEn */
	AMDVI_IRQ_PPR,	   /* Status.PprInt or PprOverflow, PprIntEn */
};

/* What the model implements; amdvi_config_default() fills a full set. */
struct amdvi_config {
	/* Host table levels, EFR.HATS: 4, 5 or 6. */
	unsigned int hats_levels;
	/* Guest (v2) translation, EFR.GTSup; its levels EFR.GATS: 4 or 5. */
	bool gt;
	unsigned int gats_levels;
	/* GCR3 table levels DTE.GLX may select, EFR.GLXSup: 1..3. */
	unsigned int glx_levels;
	/* PASID width, EFR.PASMax + 1: 1..20 (16 in practice). */
	unsigned int pasid_bits;
	bool nx;	     /* EFR.NXSup: no-execute in guest tables */
	bool ia;	     /* EFR.IASup: INVALIDATE_IOMMU_ALL */
	bool prefetch;	     /* EFR.PreFSup: PREFETCH_IOMMU_PAGES */
	bool ppr;	     /* EFR.PPRSup: PPR log, COMPLETE_PPR_REQUEST */
	bool ha, hd;	     /* EFR.HASup/HDSup: host access/dirty updates */
	bool gio;	     /* EFR.GIoSup: DTE.GIoV */
	bool eph;	     /* EFR.EPHSup */
	bool inv_iotlb_type; /* EFR.InvIotlbTypeSup */
	bool ga;	     /* EFR.GASup (interrupts are not modelled) */
	/* Caches: sets (log2) times ways. Evictions are per set. */
	unsigned int tlb_sets_lg2;
	unsigned int tlb_ways;
	unsigned int dte_sets_lg2; /* DTE and GCR3 entry cache */
	unsigned int dte_ways;
	/* Physical memory: only .map is used. Required. */
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/*
	 * Optional: physical memory the model addresses directly, without a
	 * call to .map (struct pt_mem_window, src/pt/pt.h). It must answer
	 * as .map would; the pointer must stay valid for the IOMMU's life.
	 */
	const struct pt_mem_window *mem_window;
	/*
	 * The interrupt, NULL for none. Called after the model dropped its
	 * locks; it may call any amdvi_*() function.
	 */
	void (*irq)(void *priv, enum amdvi_irq irq);
	void *irq_priv;
};

/**
 * amdvi_config_default - the model's standard implementation.
 *
 * 6-level host tables, guest translation with 4-level guest tables
 * (GATS 4), 3 GCR3 levels, 16-bit PASIDs, NX, INVALIDATE_IOMMU_ALL,
 * prefetch, PPR, host access and dirty updates, GIoV, a 4096-entry IOTLB
 * and a 512-entry DTE/GCR3 cache. @mem must still be set.
 */
void amdvi_config_default(struct amdvi_config *cfg);

/**
 * amdvi_create - an IOMMU in its reset state (everything disabled).
 * @cfg: copied.
 *
 * Returns the IOMMU or an ERR_PTR: -EINVAL for an inconsistent
 * configuration (no memory ops, unsupported levels or sizes), -ENOMEM.
 */
struct amdvi *amdvi_create(const struct amdvi_config *cfg);

/**
 * amdvi_destroy - free the IOMMU. NULL is a no-op.
 *
 * No other call on @iommu may be in progress or follow.
 */
void amdvi_destroy(struct amdvi *iommu);

/**
 * amdvi_mmio_read - a register read.
 * @offset: byte offset in the register space (AMDVI_MMIO_SIZE).
 * @size: 8, or 4 for either half of a register.
 *
 * Unimplemented or reserved offsets and bad sizes read as zero.
 */
uint64_t amdvi_mmio_read(struct amdvi *iommu, uint64_t offset,
			 unsigned int size);

/**
 * amdvi_mmio_write - a register write, with its side effects.
 *
 * Writing the command buffer tail (or enabling the command buffer)
 * consumes commands synchronously, in the writing thread, before
 * returning. Read-only, reserved and unimplemented offsets ignore writes.
 * Returns 0, or -EINVAL for a size or alignment no register accepts (the
 * write is ignored, as the bus would).
 */
int amdvi_mmio_write(struct amdvi *iommu, uint64_t offset, unsigned int size,
		     uint64_t value);

/* A request without a PASID (no PASID TLP prefix). */
#define AMDVI_NO_PASID UINT32_MAX

/* Request attributes (amdvi_translate() @access) and permissions. */
#define AMDVI_READ (1u << 0)
#define AMDVI_WRITE (1u << 1)
#define AMDVI_EXEC (1u << 2) /* execute requested */
#define AMDVI_PRIV (1u << 3) /* privileged (supervisor) request */

enum amdvi_status {
	AMDVI_OK = 0, /* translated (or passed through): res.oa */
	AMDVI_ABORT,  /* target abort reported to the device */
};

struct amdvi_xlate {
	enum amdvi_status status;
	uint64_t oa;	       /* output (system physical) address */
	unsigned int page_lg2; /* the translation covers an aligned 2^n */
	unsigned int perm;     /* AMDVI_READ/WRITE/EXEC known granted */
	uint64_t attr;	       /* PT_ATTR_* of the final stage */
	uint8_t event;	       /* AMDVI_EVT_* of a fault (recorded or not) */
	bool recorded;	       /* the event went into the event log */
	bool tlb_hit;	       /* served by the IOTLB */
};

/**
 * amdvi_translate - translate one device request.
 * @devid: DeviceID (requester ID).
 * @pasid: PASID, or AMDVI_NO_PASID.
 * @iova: the input address (GVA with a PASID and guest translation).
 * @access: AMDVI_READ or AMDVI_WRITE, optionally AMDVI_EXEC and
 *          AMDVI_PRIV.
 *
 * Follows the architecture end to end: IommuEn, the device table and its
 * DTE (V, TV, Mode, IR/IW), guest translation through the GCR3 table and
 * the guest table, host translation through the v1 table (nested under the
 * guest table when both are enabled), hardware access/dirty updates per
 * DTE.HAD, the IOTLB, and the fault's event record (IO_PAGE_FAULT unless
 * DTE.SA, ILLEGAL_DEV_TABLE_ENTRY, DEV_TAB_/PAGE_TAB_HARDWARE_ERROR).
 * With IommuEn = 0, or a DTE with V = 0 or TV = 0, the request passes
 * through untranslated. Returns 0 when res->status is AMDVI_OK, -EFAULT
 * otherwise.
 */
int amdvi_translate(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		    uint64_t iova, unsigned int access,
		    struct amdvi_xlate *res);

/**
 * amdvi_translate_cached - amdvi_translate() answered from the caches only
 *
 * For a DMA engine streaming through pages it expects to be cached: a hit
 * is answered exactly as amdvi_translate() would; anything that would need
 * a walk (a miss, a permission the cached entry lacks, a disabled IOMMU, a
 * pass-through device) returns -EAGAIN with nothing walked, filled or
 * recorded, and the caller translates that address with amdvi_translate().
 *
 * Returns 0 (res->status is AMDVI_OK) or -EAGAIN.
 */
int amdvi_translate_cached(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
			   uint64_t iova, unsigned int access,
			   struct amdvi_xlate *res);

/*
 * What a device behind the IOMMU does for the commands addressed to it.
 * Called during command consumption, from the thread that wrote the
 * command buffer tail.
 */
struct amdvi_dev_ops {
	/*
	 * INVALIDATE_IOTLB_PAGES: drop ATC entries overlapping [addr, addr +
	 * 2^size_lg2) for @pasid (AMDVI_NO_PASID: entries without PASID).
	 * Return 0, or -ETIMEDOUT to make the model log IOTLB_INV_TIMEOUT.
	 */
	int (*iotlb_inval)(void *priv, uint16_t devid, uint32_t pasid,
			   uint64_t addr, unsigned int size_lg2);
	/* COMPLETE_PPR_REQUEST: the response to page request @tag. */
	void (*ppr_complete)(void *priv, uint16_t devid, uint32_t pasid,
			     uint16_t tag, unsigned int status);
};

/**
 * amdvi_dev_register - attach device operations to a DeviceID.
 *
 * Any member of @ops may be NULL. Returns 0, -EEXIST if @devid has
 * operations, -ENOMEM.
 */
int amdvi_dev_register(struct amdvi *iommu, uint16_t devid,
		       const struct amdvi_dev_ops *ops, void *priv);

/**
 * amdvi_dev_unregister - detach them; waits for running callbacks.
 *
 * Returns 0 or -ENOENT.
 */
int amdvi_dev_unregister(struct amdvi *iommu, uint16_t devid);

/**
 * amdvi_ppr_request - a PCIe Page Request arriving at the IOMMU.
 * @perm: AMDVI_READ/WRITE/EXEC/PRIV requested.
 * @tag: Page Request Group Index (9 bits).
 *
 * Logged into the PPR log as a PAGE_SERVICE_REQUEST record (the address
 * is logged page aligned; GN and the PASID when @pasid is not
 * AMDVI_NO_PASID; US unless AMDVI_PRIV). The model does not check DTE.PPR.
 * Returns 0 when logged, -ENOSPC on overflow (Status.PprOverflow; the log
 * stops until PPRLogEn is cleared and set again), -EOPNOTSUPP when PPR is
 * not implemented (EFR.PPRSup = 0), -EAGAIN when PPRLogEn, PPREn or
 * PprLogRun is clear, -EIO when the log write failed (the log stops).
 */
int amdvi_ppr_request(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		      uint64_t addr, unsigned int perm, uint16_t tag);

/* Counters kept on the slow paths, for tests and benchmarks. */
struct amdvi_stats {
	uint64_t tlb_fills;
	uint64_t tlb_evictions;
	uint64_t dte_fills; /* DTE and GCR3 entry cache */
	uint64_t dte_evictions;
	uint64_t events;      /* records written to the event log */
	uint64_t events_lost; /* records dropped: log full or disabled */
	uint64_t commands;    /* commands executed */
};

/** amdvi_get_stats - snapshot of the counters. */
void amdvi_get_stats(struct amdvi *iommu, struct amdvi_stats *st);

#endif
