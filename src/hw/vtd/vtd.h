/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Intel VT-d hardware model (DMA remapping, scalable mode).
 *
 * What: one VT-d remapping unit as software sees it -- a register file
 * reached through vtd_mmio_read()/vtd_mmio_write(); a root table,
 * scalable-mode context entries, PASID directories and PASID tables and
 * first-/second-stage page tables in "physical" memory; an invalidation
 * queue the model consumes when IQT is written; fault recording registers
 * it fills and a fault-event interrupt it raises -- plus the transaction
 * side a device uses: vtd_translate() for a DMA with or without PASID.
 *
 * Scalable mode (RTADDR.TTM = 01b) is what the model implements. Legacy
 * mode (TTM = 00b) is a model limit: with translation enabled every request
 * is blocked and recorded with VTD_FR_SM_RTA_INVALID, nothing is walked.
 * Abort-DMA mode (TTM = 11b) blocks every request without recording.
 * Translation types per PASID entry: first stage only, second stage only,
 * nested and pass-through.
 *
 * Nothing above the hardware is assumed. A driver programs the model as it
 * programs silicon, and the model enforces the architecture's caching
 * rules: context entries, PASID entries and translations are cached,
 * tagged as 6.2 says (source-id, DID, PASID, address, page size), and stay
 * cached until an invalidation descriptor (or CCMD/IOTLB register) covers
 * them, so software that forgets to invalidate sees stale data.
 *
 * Memory: a physical address is whatever the configured pt_mem_ops .map
 * turns into a host pointer (DESIGN.md: normally the host virtual address
 * itself). Every table, descriptor and status write goes through it, and an
 * address it refuses becomes the architectural error (a fault record, an
 * invalidation queue error), never a host access.
 *
 * Thread safety: every function may be called from any thread concurrently
 * with every other, except vtd_destroy(). Translations take no global lock
 * on the cache-hit path. The interrupt callback runs after the model
 * dropped its locks. Device callbacks run during descriptor processing with
 * the register lock held: they must not call vtd_mmio_*() or
 * vtd_dev_(un)register() of the same unit.
 *
 * Errors: negative errno for misuse of the model (bad configuration, bad
 * arguments); guest and driver mistakes are reported architecturally.
 */
#ifndef UIOMMUFD_HW_VTD_VTD_H
#define UIOMMUFD_HW_VTD_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "pt/pt.h"
#include "hw/vtd/vtd_hw.h"

struct vtd;

/* Interrupts the model raises (when not masked in their control register). */
enum vtd_irq {
	VTD_IRQ_FAULT = 0, /* fault event: FSTS.PPF/PFO/IQE/ICE/ITE */
	VTD_IRQ_INV,	   /* invalidation completion event: ICS.IWC */
	VTD_IRQ_PRQ,	   /* page request event */
};

/* What the model implements; vtd_config_default() fills a full set. */
struct vtd_config {
	bool fs;	   /* ECAP.FSTS: first-stage translation */
	bool ss;	   /* ECAP.SSTS: second-stage translation */
	bool nest;	   /* ECAP.NEST (needs fs and ss) */
	bool pt;	   /* ECAP.PT: pass-through */
	bool ssad;	   /* ECAP.SSADS: second-stage A/D (dirty tracking) */
	bool dt;	   /* ECAP.DT: device TLB (ATS) */
	bool prs;	   /* ECAP.PRS: page requests */
	bool sre;	   /* ECAP.SRS: supervisor requests */
	bool ere;	   /* ECAP.ERS: execute requests */
	bool ss_5lvl;	   /* CAP.SAGAW: 57-bit/5-level second stage too */
	bool fs_5lvl;	   /* CAP.FS5LP: 5-level first stage */
	bool fs_1g;	   /* CAP.FS1GP */
	bool ss_2m, ss_1g; /* CAP.SLLPS */
	unsigned int mgaw; /* 48 or 57: input address width */
	unsigned int haw;  /* host address width (output), 39..52 */
	unsigned int pasid_bits; /* ECAP.PSS + 1, 1..20 */
	unsigned int nfr;	 /* fault recording registers, 1..256 */
	unsigned int nd;	 /* CAP.ND: 2^(4 + 2 * nd) domain ids, 0..6 */
	unsigned int mamv;	 /* CAP.MAMV: largest address mask */
	/* Caches: sets (log2) times ways. Evictions are per set. */
	unsigned int tlb_sets_lg2;
	unsigned int tlb_ways;
	unsigned int ctx_sets_lg2; /* context cache and PASID cache */
	unsigned int ctx_ways;
	/* Physical memory: only .map is used. Required. */
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/*
	 * Optional: physical memory the model addresses directly, without a
	 * call to .map (struct pt_mem_window, src/pt/pt.h). It must answer
	 * as .map would; the pointer must stay valid for the unit's life.
	 */
	const struct pt_mem_window *mem_window;
	/*
	 * Interrupts, NULL for none. Called after the model dropped its
	 * locks, when the interrupt is not masked (the IP bit is set
	 * instead while it is); it may call any vtd_*() function.
	 */
	void (*irq)(void *priv, enum vtd_irq irq);
	void *irq_priv;
};

/**
 * vtd_config_default - the model's standard implementation.
 *
 * Scalable mode with first stage (4- and 5-level, 1G pages), second stage
 * (4- and 5-level, 2M/1G pages), nesting, pass-through, second-stage A/D,
 * device TLB, supervisor and execute requests, 20-bit PASIDs, MGAW 57,
 * HAW 52, 8 fault recording registers, 16-bit domain ids, MAMV 18, a
 * 4096-entry IOTLB and 256-entry context and PASID caches. @mem must still
 * be set.
 */
void vtd_config_default(struct vtd_config *cfg);

/**
 * vtd_create - a remapping unit in its reset state (translation disabled).
 * @cfg: copied.
 *
 * Returns the unit or an ERR_PTR: -EINVAL for an inconsistent configuration
 * (no memory ops, no translation type, sizes out of range), -ENOMEM.
 */
struct vtd *vtd_create(const struct vtd_config *cfg);

/**
 * vtd_destroy - free the unit. NULL is a no-op.
 *
 * No other call on @vtd may be in progress or follow.
 */
void vtd_destroy(struct vtd *vtd);

/**
 * vtd_mmio_read - a register read.
 * @offset: byte offset in the 4 KiB register space.
 * @size: 4, or 8 for the 64-bit registers (4 for either half of one).
 *
 * Unimplemented or reserved offsets and bad sizes read as zero.
 */
uint64_t vtd_mmio_read(struct vtd *vtd, uint64_t offset, unsigned int size);

/**
 * vtd_mmio_write - a register write, with its side effects.
 *
 * GCMD commands complete before returning (GSTS reflects them). Writing IQT
 * while queued invalidation is enabled consumes descriptors synchronously
 * in the writing thread. Read-only, reserved and unimplemented offsets
 * ignore writes. Returns 0, or -EINVAL for a size or alignment no register
 * accepts (the write is ignored, as the bus would).
 */
int vtd_mmio_write(struct vtd *vtd, uint64_t offset, unsigned int size,
		   uint64_t value);

/* A request without PASID (the context entry's RID_PASID is used). */
#define VTD_NO_PASID UINT32_MAX

/* Request attributes (vtd_translate() @access) and permissions. */
#define VTD_READ (1u << 0)
#define VTD_WRITE (1u << 1)
#define VTD_EXEC (1u << 2) /* execute request (ER = 1) */
#define VTD_PRIV (1u << 3) /* supervisor request (PR = 1) */

enum vtd_status {
	VTD_OK = 0, /* translated: res.oa */
	VTD_FAULT,  /* blocked; res.reason says why */
};

struct vtd_xlate {
	enum vtd_status status;
	uint64_t oa;	       /* output address of the input address */
	unsigned int page_lg2; /* the translation covers an aligned 2^n */
	unsigned int perm;     /* VTD_READ/WRITE/EXEC known granted */
	uint64_t attr;	       /* PT_ATTR_* of the final stage */
	uint8_t reason;	       /* enum vtd_fault_reason of a fault */
	bool recorded;	       /* written to a fault recording register */
	bool tlb_hit;	       /* served by the IOTLB */
	/* Set whether ok or not: tags of the translation. */
	uint16_t did;	/* domain id used (0 when none reached) */
	uint32_t pasid; /* PASID used (RID_PASID without PASID) */
};

/* Convenience: the fault-reason field of a result. */
static inline unsigned int vtd_xlate_reason(const struct vtd_xlate *res)
{
	return res->reason;
}

/**
 * vtd_translate - translate one DMA request.
 * @sid: source-id, bus << 8 | devfn.
 * @pasid: the request's PASID, or VTD_NO_PASID.
 * @iova: the input address.
 * @access: VTD_READ or VTD_WRITE (or EXEC), optionally VTD_PRIV.
 *
 * Follows the architecture end to end: GSTS.TES, the root table, the
 * scalable-mode context entry (context cache), the PASID directory and
 * PASID table entry (PASID cache), the IOTLB, and on a miss the first-stage,
 * second-stage or nested walk (with A/D updates), and the fault record of a
 * failure unless fault processing is disabled. With translation disabled
 * (GSTS.TES = 0) requests pass untranslated. Returns 0 when res->status is
 * VTD_OK, -EFAULT otherwise.
 */
int vtd_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, struct vtd_xlate *res);

/**
 * vtd_translate_cached - vtd_translate() answered from the caches only.
 *
 * A hit is answered exactly as vtd_translate() would, and so is a request
 * while translation is disabled (untranslated: nothing to cache); anything
 * that would need a walk (a miss, a permission the cached entry lacks)
 * returns -EAGAIN with nothing walked, filled or recorded.
 *
 * Returns 0 (res->status is VTD_OK) or -EAGAIN.
 */
int vtd_translate_cached(struct vtd *vtd, uint16_t sid, uint32_t pasid,
			 uint64_t iova, unsigned int access,
			 struct vtd_xlate *res);

/* ATS Translation Completion status (PCIe). */
enum vtd_ats_status {
	VTD_ATS_SUCCESS = 0, /* res.perm may be 0: "R = W = 0" */
	VTD_ATS_UR,	     /* Unsupported Request */
	VTD_ATS_CA,	     /* Completer Abort */
};

struct vtd_ats {
	enum vtd_ats_status status;
	uint64_t oa;
	unsigned int page_lg2;
	unsigned int perm; /* VTD_READ/WRITE/EXEC; PRIV = privileged */
};

/**
 * vtd_ats_translate - serve a PCIe ATS Translation Request.
 *
 * A context entry without DTE answers UR (reason VTD_FR_SM_CTX_DTE is
 * recorded), as does a fault in the root, context or PASID entries
 * (recorded unless FPD); a translation fault answers success with no
 * permissions, recording nothing. With SSADE a clean writable page is
 * granted write only to a request asking for write (which sets D).
 * Returns 0 when res->status is VTD_ATS_SUCCESS, -EFAULT otherwise, or
 * -EOPNOTSUPP when the model has no device-TLB support (ECAP.DT = 0).
 */
int vtd_ats_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		      uint64_t iova, unsigned int access, struct vtd_ats *res);

/*
 * What a device behind the unit does for the descriptors addressed to it.
 * Called during queue processing, from the thread that wrote IQT.
 */
struct vtd_dev_ops {
	/*
	 * Device-TLB invalidate (0x3, @pasid VTD_NO_PASID) or PASID-based
	 * device-TLB invalidate (0x8): drop ATC entries overlapping
	 * [addr, addr + 2^size_lg2), for every PASID when @global. Return 0,
	 * or -ETIMEDOUT to report an invalidation time-out: FSTS.ITE, the
	 * next wait descriptor discarded and the queue stopped after it
	 * until software clears ITE.
	 */
	int (*atc_inval)(void *priv, uint16_t sid, uint32_t pasid,
			 uint64_t addr, unsigned int size_lg2, bool global);
	/* Page group response (0x9) for group @prgi. */
	void (*prq_resp)(void *priv, uint16_t sid, uint32_t pasid,
			 uint16_t prgi, unsigned int resp_code);
};

/**
 * vtd_dev_register - attach device operations to a source-id.
 *
 * Any member of @ops may be NULL. Returns 0, -EEXIST if @sid has
 * operations, -ENOMEM.
 */
int vtd_dev_register(struct vtd *vtd, uint16_t sid,
		     const struct vtd_dev_ops *ops, void *priv);

/** vtd_dev_unregister - detach them; waits for running callbacks. 0/-ENOENT. */
int vtd_dev_unregister(struct vtd *vtd, uint16_t sid);

/* Counters kept on the slow paths, for tests and benchmarks. */
struct vtd_stats {
	uint64_t tlb_fills;
	uint64_t tlb_evictions;
	uint64_t ctx_fills;   /* context-cache fills */
	uint64_t pasid_fills; /* PASID-cache fills */
	uint64_t faults;      /* faults recorded */
	uint64_t faults_lost; /* faults not recorded: overflow */
	uint64_t descriptors; /* invalidation descriptors executed */
	uint64_t walks;	      /* page-table walks (misses) */
};

/** vtd_get_stats - snapshot of the counters. */
void vtd_get_stats(struct vtd *vtd, struct vtd_stats *st);

#endif
