/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Arm SMMUv3 hardware model.
 *
 * What: an SMMUv3 (IHI 0070) as software sees it -- a register file reached
 * through smmuv3_mmio_read()/smmuv3_mmio_write(), a stream table, context
 * descriptors and page tables in "physical" memory, a command queue the
 * model consumes when CMDQ_PROD is written, an event queue and a PRI queue it
 * produces into -- plus the transaction side a device uses: smmuv3_translate()
 * for a DMA, smmuv3_ats_translate() for a PCIe ATS Translation Request,
 * smmuv3_pri_request() for a Page Request.
 *
 * Nothing above the hardware is assumed. A driver programs the model exactly
 * as it programs real hardware, and the model enforces the architecture's
 * caching rules: configuration (STEs and CDs) and translations are cached,
 * tagged with the architecture's dimensions, and stay cached until a command
 * invalidates them, so a driver or guest that forgets to invalidate sees the
 * stale data it would see on silicon.
 *
 * Memory: a physical address is whatever the configured pt_mem_ops .map turns
 * into a host pointer (DESIGN.md: normally the host virtual address itself).
 * Every table, queue and MSI access goes through it, and an address it
 * refuses becomes the architectural error (F_STE_FETCH, F_CD_FETCH,
 * F_WALK_EABT, CERROR_ABT, GERROR.EVTQ_ABT_ERR, ...), never a host access.
 *
 * Thread safety: every function may be called from any thread concurrently
 * with every other, except smmuv3_destroy(). Translations do not take a
 * global lock on the IOTLB-hit path. Interrupt callbacks run after the model
 * dropped its locks. Device callbacks run during command consumption, with
 * the register lock held: they must not call smmuv3_mmio_*() or
 * smmuv3_dev_(un)register() of the same instance.
 *
 * Errors: negative errno for misuse of the model (bad configuration, bad
 * arguments); guest mistakes are reported architecturally, not as errno.
 */
#ifndef UIOMMUFD_HW_SMMUV3_SMMUV3_H
#define UIOMMUFD_HW_SMMUV3_SMMUV3_H

#include <stdbool.h>
#include <stdint.h>

#include "pt/pt.h"
#include "hw/smmuv3/smmuv3_hw.h"

struct smmuv3;

/* Interrupt lines the model raises when no MSI address is programmed. */
enum smmuv3_irq {
	SMMUV3_IRQ_EVTQ = 0,
	SMMUV3_IRQ_PRIQ,
	SMMUV3_IRQ_GERROR,
	SMMUV3_IRQ_CMD_SYNC, /* CMD_SYNC CS=SIG_IRQ without MSIAddr */
	SMMUV3_IRQ_SEV,	     /* CMD_SYNC CS=SIG_SEV: a WFE wake-up event */
};

/* What the model implements; smmuv3_config_default() fills a full set. */
struct smmuv3_config {
	bool stage1; /* IDR0.S1P */
	bool stage2; /* IDR0.S2P; with stage1: nesting */
	bool ats;    /* IDR0.ATS */
	bool pri;    /* IDR0.PRI and a PRI queue */
	bool stall; /* IDR0.STALL_MODEL: stall and terminate (else terminate) */
	bool msi;   /* IDR0.MSI */
	bool range_inv;		/* IDR3.RIL: range invalidation and TTL hints */
	bool st_2lvl;		/* IDR0.ST_LEVEL: 2-level stream tables */
	bool cd_2lvl;		/* IDR0.CD2L: 2-level CD tables */
	unsigned int httu;	/* IDR0.HTTU: SMMU_HTTU_NONE/_A/_AD */
	unsigned int sid_bits;	/* IDR1.SIDSIZE, 0..32 */
	unsigned int ssid_bits; /* IDR1.SSIDSIZE, 0..20 */
	unsigned int oas_bits;	/* 32, 36, 40, 42, 44 or 48 */
	bool gran_4k, gran_16k, gran_64k; /* IDR5.GRAN* */
	/* Largest queue sizes (log2 entries), IDR1.CMDQS/EVENTQS/PRIQS. */
	unsigned int cmdq_max_lg2;
	unsigned int evtq_max_lg2;
	unsigned int priq_max_lg2;
	/* Reset value of GBPA.ABORT: whether DMA aborts before SMMUEN. */
	bool gbpa_abort;
	/*
	 * Caches: sets (log2) times ways. Evictions are per set. The IOTLB
	 * has 1 to 8 ways (a set's signatures fill one word).
	 */
	unsigned int tlb_sets_lg2;
	unsigned int tlb_ways;
	unsigned int cfg_sets_lg2;
	unsigned int cfg_ways;
	/* Stalled transactions held at once (IDR5.STALL_MAX) with stall. */
	unsigned int stall_max;
	/*
	 * Physical memory: only .map is used. Required. It runs inside
	 * translations, so it must not translate through this SMMU itself.
	 */
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/*
	 * Optional: physical memory the model addresses directly, without a
	 * call to .map (struct pt_mem_window, src/pt/pt.h). It must answer
	 * as .map would; the pointer must stay valid for the SMMU's life.
	 */
	const struct pt_mem_window *mem_window;
	/*
	 * Wired interrupts, NULL for none. Called after the model dropped
	 * its locks; it may call any smmuv3_*() function.
	 */
	void (*irq)(void *priv, enum smmuv3_irq irq);
	void *irq_priv;
};

/**
 * smmuv3_config_default - the model's standard implementation.
 *
 * Stage 1, stage 2 and nesting, 4K/16K/64K granules, 48-bit IAS/OAS,
 * 2-level stream and CD tables, 16-bit StreamIDs, 20-bit SubstreamIDs, ATS,
 * PRI, MSIs, range invalidation, HTTU access and dirty, terminate-only fault
 * model, 2^19-entry queues, a 4096-entry IOTLB and a 256-entry configuration
 * cache. @mem must still be set.
 */
void smmuv3_config_default(struct smmuv3_config *cfg);

/**
 * smmuv3_create - an SMMU in its reset state.
 * @cfg: copied.
 *
 * Returns the SMMU or an ERR_PTR: -EINVAL for an inconsistent configuration
 * (no memory ops, no stage, unsupported sizes, no granule), -ENOMEM.
 */
struct smmuv3 *smmuv3_create(const struct smmuv3_config *cfg);

/**
 * smmuv3_destroy - free the SMMU. NULL is a no-op.
 *
 * No other call on @smmu may be in progress or follow.
 */
void smmuv3_destroy(struct smmuv3 *smmu);

/**
 * smmuv3_mmio_read - a register read.
 * @offset: byte offset in the SMMU's 128 KiB register space.
 * @size: 4, or 8 for the 64-bit registers (and 4 for either half of one).
 *
 * Unimplemented or reserved offsets and bad sizes read as zero.
 */
uint64_t smmuv3_mmio_read(struct smmuv3 *smmu, uint64_t offset,
			  unsigned int size);

/**
 * smmuv3_mmio_write - a register write, with its side effects.
 *
 * Writing CMDQ_PROD (or enabling the queue, or acknowledging a command
 * queue error in GERRORN) consumes commands synchronously before returning.
 * Read-only, reserved and unimplemented offsets ignore writes. Returns 0, or
 * -EINVAL for a size or alignment no register accepts (the write is
 * ignored, as the bus would).
 */
int smmuv3_mmio_write(struct smmuv3 *smmu, uint64_t offset, unsigned int size,
		      uint64_t value);

/* A transaction without a SubstreamID (SSV == 0). */
#define SMMUV3_NO_SSID UINT32_MAX

/* Transaction attributes (smmuv3_translate() @access) and permissions. */
#define SMMUV3_READ (1u << 0)
#define SMMUV3_WRITE (1u << 1)
#define SMMUV3_EXEC (1u << 2) /* instruction fetch (InD = 1) */
#define SMMUV3_PRIV (1u << 3) /* privileged (PnU = 1) */

enum smmuv3_status {
	SMMUV3_OK = 0,	/* translated: res.oa */
	SMMUV3_ABORT,	/* terminated, abort reported to the device */
	SMMUV3_RAZWI,	/* terminated: reads return 0, writes dropped */
	SMMUV3_STALLED, /* held until CMD_RESUME/CMD_STALL_TERM (res.stag) */
};

struct smmuv3_xlate {
	enum smmuv3_status status;
	uint64_t oa;	       /* output address of the input address */
	unsigned int page_lg2; /* the translation covers an aligned 2^n */
	unsigned int perm;     /* SMMUV3_READ/WRITE/EXEC known granted */
	uint64_t attr;	       /* PT_ATTR_* of the final stage */
	uint8_t event;	       /* event number of a fault (recorded or not) */
	bool recorded;	       /* the event went into the event queue */
	bool tlb_hit;	       /* served by the IOTLB or the micro-TLB */
	uint16_t stag;	       /* SMMUV3_STALLED: the stall tag */
};

/**
 * smmuv3_translate - translate one device transaction.
 * @sid: StreamID.
 * @ssid: SubstreamID, or SMMUV3_NO_SSID.
 * @iova: the input address.
 * @access: SMMUV3_READ or SMMUV3_WRITE (or EXEC), optionally SMMUV3_PRIV.
 *
 * Follows the architecture end to end: SMMUEN/GBPA, stream table, STE, CD,
 * stage 1 and stage 2 walks (with hardware access/dirty updates when
 * configured), the IOTLB, and the fault's event record. Returns 0 when
 * res->status is SMMUV3_OK, -EFAULT otherwise.
 */
int smmuv3_translate(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		     uint64_t iova, unsigned int access,
		     struct smmuv3_xlate *res);

/**
 * smmuv3_translate_cached - smmuv3_translate() answered from the caches only
 *
 * For a DMA engine streaming through pages it expects to be cached: a hit
 * is answered exactly as smmuv3_translate() would; anything that would
 * need a walk (a miss, a permission the cached entry lacks, a disabled
 * SMMU) returns -EAGAIN with nothing walked, filled or recorded, and the
 * caller translates that address with smmuv3_translate().
 *
 * Returns 0 (res->status is SMMUV3_OK) or -EAGAIN.
 */
int smmuv3_translate_cached(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t iova, unsigned int access,
			    struct smmuv3_xlate *res);

/**
 * smmuv3_translate_cached_more - how far a translation runs on: the bytes
 * from @iova, up to @want or a little past it (whole pages), that the
 * caches translate for @access to @oa onward, contiguously. For a DMA
 * that translated the page before @iova to output ending at @oa; stops at
 * the first page the caches cannot answer or that maps elsewhere. Walks
 * nothing and records nothing.
 */
uint64_t smmuv3_translate_cached_more(struct smmuv3 *smmu, uint32_t sid,
				      uint32_t ssid, uint64_t iova,
				      unsigned int access, uint64_t oa,
				      uint64_t want);

/* ATS Translation Completion status (PCIe). */
enum smmuv3_ats_status {
	SMMUV3_ATS_SUCCESS = 0, /* res.perm may be 0: "R = W = 0" */
	SMMUV3_ATS_UR,		/* Unsupported Request */
	SMMUV3_ATS_CA,		/* Completer Abort */
};

struct smmuv3_ats {
	enum smmuv3_ats_status status;
	uint64_t oa;	       /* translated address of the request */
	unsigned int page_lg2; /* size the device may cache */
	unsigned int perm;     /* SMMUV3_READ/WRITE/EXEC; PRIV = privileged */
};

/**
 * smmuv3_ats_translate - serve a PCIe ATS Translation Request.
 * @access: SMMUV3_READ, plus SMMUV3_WRITE unless No-Write, EXEC, PRIV.
 *
 * Per STE.EATS: a stream without ATS enabled answers UR and records
 * F_BAD_ATS_TREQ; an invalid or aborting configuration answers UR or CA
 * with no event; a translation fault answers success with no permissions,
 * recording nothing (the device may then use PRI). Returns 0 when
 * res->status is SMMUV3_ATS_SUCCESS, -EFAULT otherwise.
 */
int smmuv3_ats_translate(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			 uint64_t iova, unsigned int access,
			 struct smmuv3_ats *res);

/**
 * smmuv3_check_translated - admit an ATS Translated transaction.
 * @pa: the address the device's ATC produced.
 *
 * With CR0.ATSCHK == 0 translated traffic bypasses the SMMU. With it set,
 * the StreamID's STE must enable ATS (EATS): otherwise the transaction is
 * terminated and F_TRANSL_FORBIDDEN recorded (also when SMMUEN == 0); an
 * invalid, ILLEGAL or aborting STE terminates it silently. Returns 0 when
 * the transaction may pass, -EFAULT when it is terminated.
 */
int smmuv3_check_translated(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t pa, unsigned int access);

/*
 * What a device behind the SMMU does for the commands addressed to it.
 * Called during command consumption, from the thread that wrote CMDQ_PROD
 * (or consumed a queue with smmuv3_cmdq_consume()).
 */
struct smmuv3_dev_ops {
	/*
	 * CMD_ATC_INV: drop ATC entries overlapping [addr, addr +
	 * 2^size_lg2) for @ssid (SMMUV3_NO_SSID: entries without PASID),
	 * or for every PASID when @global. Return 0, or -ETIMEDOUT to make
	 * the next CMD_SYNC report CERROR_ATC_INV_SYNC.
	 */
	int (*atc_inval)(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
			 unsigned int size_lg2, bool global);
	/* CMD_PRI_RESP: the response to Page Request Group @prgi. */
	void (*pri_resp)(void *priv, uint32_t sid, uint32_t ssid, uint16_t prgi,
			 unsigned int resp);
	/*
	 * CMD_RESUME or CMD_STALL_TERM for a transaction that
	 * smmuv3_translate() reported SMMUV3_STALLED: @action is
	 * SMMU_RESUME_RETRY (translate again) or _ABORT/_TERM. The event
	 * is visible to software before smmuv3_translate() returns, so this
	 * may run (on another thread) before the device saw the stall.
	 */
	void (*resume)(void *priv, uint32_t sid, uint16_t stag,
		       unsigned int action);
};

/**
 * smmuv3_dev_register - attach device operations to a StreamID.
 *
 * Any member of @ops may be NULL. Returns 0, -EEXIST if @sid has
 * operations, -ERANGE for a StreamID beyond IDR1.SIDSIZE, -ENOMEM.
 */
int smmuv3_dev_register(struct smmuv3 *smmu, uint32_t sid,
			const struct smmuv3_dev_ops *ops, void *priv);

/**
 * smmuv3_dev_unregister - detach them; waits for running callbacks.
 *
 * Returns 0 or -ENOENT.
 */
int smmuv3_dev_unregister(struct smmuv3 *smmu, uint32_t sid);

/**
 * smmuv3_pri_request - a PCIe Page Request arriving at the SMMU.
 * @perm: SMMUV3_READ/WRITE/EXEC/PRIV requested.
 * @prgi: Page Request Group Index (9 bits).
 * @last: last request of the group.
 *
 * Queued into the PRI queue. When the queue is full the request is lost
 * (PRIQ_PROD.OVFLG) and a last request is answered at once with Success,
 * as the architecture does on overflow. Returns 0 when queued, -ENOSPC on
 * overflow, -EOPNOTSUPP when PRI is not implemented, -EAGAIN when the PRI
 * queue or the SMMU is disabled, -EIO when the queue write aborted.
 */
int smmuv3_pri_request(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		       uint64_t addr, unsigned int perm, uint16_t prgi,
		       bool last);

/*
 * How a command queue other than the SMMU's own (a Tegra241 CMDQV virtual
 * queue) feeds the common command decoder. All members may be NULL.
 */
struct smmuv3_cmdq_ops {
	/*
	 * Called with each command before it executes: may rewrite it (the
	 * VMID or StreamID a virtual queue substitutes) or refuse it by
	 * returning a CERROR code (non-zero).
	 */
	unsigned int (*prepare)(void *priv, uint64_t cmd[SMMU_CMD_DWORDS]);
	/* CMD_SYNC with CS=SIG_IRQ and no MSI address. */
	void (*sync_irq)(void *priv);
	void *priv;
};

/**
 * smmuv3_cmd_execute - decode and execute one command.
 * @ops: NULL for the SMMU's own command queue.
 *
 * Returns SMMU_CERROR_NONE, or the command error (SMMU_CERROR_ILL for an
 * unknown opcode or invalid fields, SMMU_CERROR_ATC_INV_SYNC for a CMD_SYNC
 * after a failed ATC invalidation); the command then had no effect.
 */
unsigned int smmuv3_cmd_execute(struct smmuv3 *smmu,
				const struct smmuv3_cmdq_ops *ops,
				const uint64_t cmd[SMMU_CMD_DWORDS]);

/*
 * A run of commands one queue's consumer executes back to back, as
 * smmuv3_cmd_execute() would one by one, for less: consecutive TLB
 * invalidations share one invalidation window of the IOTLB (two atomic
 * increments per run of TLBIs instead of per command) and the command
 * counter is added once. Any other command closes the window first, so a
 * CMD_SYNC still finds every TLBI before it complete. Effects are complete
 * only after smmuv3_cmd_run_end(): call it before publishing CONS.
 * Single-threaded: one run per consumer.
 */
struct smmuv3_cmd_run {
	struct smmuv3 *smmu;
	const struct smmuv3_cmdq_ops *ops;
	unsigned int count;
	bool tlbi_open;
};

void smmuv3_cmd_run_begin(struct smmuv3_cmd_run *run, struct smmuv3 *smmu,
			  const struct smmuv3_cmdq_ops *ops);
/*
 * Returns what smmuv3_cmd_execute() would. @cmd is the caller's copy:
 * .prepare may rewrite it.
 */
unsigned int smmuv3_cmd_run_execute(struct smmuv3_cmd_run *run,
				    uint64_t cmd[SMMU_CMD_DWORDS]);
void smmuv3_cmd_run_end(struct smmuv3_cmd_run *run);

/**
 * smmuv3_cmdq_consume - consume a command queue in physical memory.
 * @base: address of entry 0.
 * @log2size: entries, log2.
 * @prod: producer index (index and wrap bit; higher bits ignored).
 * @cons: consumer index, advanced past each consumed command.
 *
 * Consumes from *cons up to @prod and stops at the first error, *cons then
 * pointing at the failing command. Returns the CERROR code (SMMU_CERROR_ABT
 * when an entry cannot be read), SMMU_CERROR_NONE when the queue drained.
 */
unsigned int smmuv3_cmdq_consume(struct smmuv3 *smmu,
				 const struct smmuv3_cmdq_ops *ops,
				 uint64_t base, unsigned int log2size,
				 uint32_t prod, uint32_t *cons);

/* Counters kept on the slow paths, for tests and benchmarks. */
struct smmuv3_stats {
	uint64_t tlb_fills; /* entries the IOTLB took */
	uint64_t tlb_evictions;
	uint64_t cfg_fills;
	uint64_t cfg_evictions;
	uint64_t events;      /* records written to the event queue */
	uint64_t events_lost; /* records dropped: queue full or disabled */
	uint64_t commands;    /* commands executed */
};

/** smmuv3_get_stats - snapshot of the counters. */
void smmuv3_get_stats(struct smmuv3 *smmu, struct smmuv3_stats *st);

#endif
