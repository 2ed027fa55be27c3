/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NVIDIA Tegra241 CMDQV hardware model: virtual command queues beside
 * an SMMUv3 (hw/smmuv3), which a guest drives through its own MMIO page.
 *
 * What: global VCMDQs, each assigned by the host (CMDQ_ALLOC) to a logical
 * slot (LVCMDQ) of a virtual interface (VINTF). A VINTF has a VMID and, for
 * a guest-owned VINTF (HYP_OWN == 0), a table of StreamID match/replace
 * pairs. Commands written to a VCMDQ's memory are consumed into the SMMU's
 * command decoder (smmuv3_cmd_execute()); on the way, the hardware of a
 * guest-owned VINTF substitutes its VMID into TLB invalidations, translates
 * the guest's StreamIDs into physical ones, and refuses everything else.
 * A refused or failing command stops the queue with CONS.ERR and GERROR, and
 * shows in the LVCMDQ, VCMDQ and VINTF error maps until software
 * acknowledges it through GERRORN.
 *
 * Views: cmdqv_mmio_read/write() is the host's view of the whole register
 * space (cmdqv_hw.h). cmdqv_vintf_mmio_read/write() is a VINTF's page 0, the
 * 64 KiB a VMM maps into a guest: the control registers of that VINTF's own
 * LVCMDQs and nothing else.
 *
 * Consumption: no call into iommufd. Per struct cmdqv_config.consume, a
 * write of PROD (or anything that makes a queue runnable) consumes at once
 * in the writer's thread, or wakes the model's consumer thread, or waits
 * for cmdqv_kick(). cmdqv_kick() works in every mode.
 *
 * Memory-backed VINTF pages: cmdqv_vintf_page_attach() makes a block of
 * memory (shared memory a VMM maps into its guest) VINTF page 0 itself. The
 * guest then drives its queues with plain loads and stores: the model
 * notices what the guest wrote to PROD, CONFIG, GERRORN and CONS by
 * comparing the page with what it last saw there, and writes CONS, STATUS,
 * GERROR (and any register the host changed) back into the page. In
 * CMDQV_CONSUME_THREAD mode the consumer thread polls attached pages,
 * quickly while they are busy and backing off to cfg.poll_max_ns when
 * idle; in every mode cmdqv_kick() looks at them first.
 *
 * Memory: queue entries are read through cfg.mem (.map only); an address it
 * refuses becomes CERROR_ABT on that queue, never a host access.
 *
 * Thread safety: every function may be called from any thread concurrently
 * with every other, except cmdqv_destroy(). The error callback runs with no
 * lock of the model held and may call any cmdqv_*() function.
 */
#ifndef UIOMMUFD_HW_TEGRA241_CMDQV_CMDQV_H
#define UIOMMUFD_HW_TEGRA241_CMDQV_CMDQV_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/smmuv3/smmuv3.h"
#include "hw/tegra241-cmdqv/cmdqv_hw.h"
#include "pt/pt.h"

struct cmdqv;

/* When commands written to a VCMDQ are consumed. */
enum cmdqv_consume {
	/* In the thread that writes PROD (or enables, or acknowledges). */
	CMDQV_CONSUME_SYNC = 0,
	/* By the model's consumer thread, woken by those writes. */
	CMDQV_CONSUME_THREAD,
	/* Only by cmdqv_kick(): deterministic tests. */
	CMDQV_CONSUME_KICK,
};

struct cmdqv_config {
	/* The SMMU whose command decoder executes the commands. Required. */
	struct smmuv3 *smmu;
	/* Queue memory: only .map is used. Required. */
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/* PARAM fields: log2 of VINTFs (0..6), of VCMDQs (0..7, at least
	 * the VINTFs'), of SID pairs per VINTF (0..4); version (0..15). */
	unsigned int log2_vintfs;
	unsigned int log2_vcmdqs;
	unsigned int log2_sids;
	unsigned int version;
	enum cmdqv_consume consume;
	/*
	 * A guest-owned VINTF also accepts CFGI_CD and CFGI_CD_ALL (with its
	 * StreamID replaced). The Linux driver only sends TLBI_NH_ASID,
	 * TLBI_NH_VA and ATC_INV (and CMD_SYNC) to such a queue; default off.
	 */
	bool guest_cfgi_cd;
	/*
	 * A VCMDQ stopped on a command error: @vintf and @lvcmdq locate it,
	 * @lvcmdq_err_map is the VINTF's LVCMDQ_ERR_MAP when it happened (the
	 * payload of struct iommu_vevent_tegra241_cmdqv), @cerror the
	 * CONS.ERR code. No lock of the model is held. May be NULL.
	 */
	void (*on_error)(void *priv, unsigned int vintf, unsigned int lvcmdq,
			 const uint64_t lvcmdq_err_map[2], unsigned int cerror);
	void *err_priv;
	/*
	 * Memory-backed pages, CMDQV_CONSUME_THREAD: after a change the
	 * consumer thread keeps looking at them without sleeping for
	 * poll_spin_ns (a guest that just wrote PROD usually waits for its
	 * CMD_SYNC and writes again: hardware would already be consuming),
	 * then every poll_min_ns, doubling the wait while nothing changes up
	 * to poll_max_ns. 0 picks 50 us, 20 us and 1 ms.
	 */
	uint64_t poll_spin_ns, poll_min_ns, poll_max_ns;
};

/**
 * cmdqv_config_default - 4 VINTFs, 16 VCMDQs, 16 SID pairs, version 1,
 * synchronous consumption. @smmu and @mem must still be set.
 */
void cmdqv_config_default(struct cmdqv_config *cfg);

/**
 * cmdqv_create - a CMDQV in its reset state (disabled, nothing allocated).
 * @cfg: copied.
 *
 * Returns the CMDQV or an ERR_PTR: -EINVAL for a configuration outside the
 * limits above or without SMMU or memory, -ENOMEM, or the error of
 * starting the consumer thread.
 */
struct cmdqv *cmdqv_create(const struct cmdqv_config *cfg);

/**
 * cmdqv_destroy - stop the consumer thread and free the CMDQV. NULL is a
 * no-op. No other call on @cmdqv may be in progress or follow.
 */
void cmdqv_destroy(struct cmdqv *cmdqv);

/** cmdqv_mmio_size - bytes of the host's register space. */
uint64_t cmdqv_mmio_size(const struct cmdqv *cmdqv);

/**
 * cmdqv_mmio_read - a host register read.
 * @offset: in the space cmdqv_mmio_size() gives.
 * @size: 4, or 8 for the 64-bit registers (VCMDQ BASE and CONS_INDX_BASE,
 *        LVCMDQ_ERR_MAP); naturally aligned.
 *
 * Reserved or unimplemented offsets and bad sizes read as zero.
 */
uint64_t cmdqv_mmio_read(struct cmdqv *cmdqv, uint64_t offset,
			 unsigned int size);

/**
 * cmdqv_mmio_write - a host register write, with its side effects.
 *
 * Read-only and reserved offsets ignore writes. Returns 0, or -EINVAL for a
 * size or alignment no register accepts (the write is dropped).
 */
int cmdqv_mmio_write(struct cmdqv *cmdqv, uint64_t offset, unsigned int size,
		     uint64_t value);

/**
 * cmdqv_vintf_mmio_read - a read of VINTF @vintf's page 0 (guest view).
 * @offset: 0 .. CMDQV_PAGE_SIZE - 1; LVCMDQ l at CMDQV_VCMDQ_STRIDE * l.
 *
 * Only LVCMDQs the host mapped to @vintf answer; everything else, and any
 * @vintf the CMDQV lacks, reads as zero.
 */
uint64_t cmdqv_vintf_mmio_read(struct cmdqv *cmdqv, unsigned int vintf,
			       uint64_t offset, unsigned int size);

/**
 * cmdqv_vintf_mmio_write - a write to VINTF @vintf's page 0 (guest view).
 *
 * Reaches only @vintf's mapped LVCMDQs; other offsets ignore writes.
 * Returns 0, or -EINVAL for a bad size or alignment.
 */
int cmdqv_vintf_mmio_write(struct cmdqv *cmdqv, unsigned int vintf,
			   uint64_t offset, unsigned int size, uint64_t value);

/**
 * cmdqv_vintf_page_attach - back VINTF @vintf's page 0 by memory @page.
 * @page: CMDQV_PAGE_SIZE bytes, 4-byte aligned, shared with the guest;
 *        the model writes the current registers into it at once.
 *
 * Slot l (offset CMDQV_VCMDQ_STRIDE * l, l < 128) holds the registers of
 * LVCMDQ l while a VCMDQ is mapped there; a slot the host unmaps is
 * cleared. What the guest stores elsewhere in the page has no effect.
 * Accesses through cmdqv_vintf_mmio_read/write() keep working and see the
 * same registers. Returns 0, -EINVAL (no such VINTF, bad pointer), -EBUSY
 * (a page is attached already), -ENOMEM.
 */
int cmdqv_vintf_page_attach(struct cmdqv *cmdqv, unsigned int vintf,
			    void *page);

/**
 * cmdqv_vintf_page_detach - stop using VINTF @vintf's memory page.
 *
 * Once this returns the model no longer reads or writes the page. A
 * VINTF without a page is ignored.
 */
void cmdqv_vintf_page_detach(struct cmdqv *cmdqv, unsigned int vintf);

/**
 * cmdqv_vcmdq_quiesce - wait until no consumer reads VCMDQ @q's memory.
 *
 * For a host taking a queue away: once the queue is disabled (or
 * unallocated) and this returns, the model no longer touches the memory
 * the queue's BASE pointed at. @q beyond the CMDQV's queues is ignored.
 */
void cmdqv_vcmdq_quiesce(struct cmdqv *cmdqv, unsigned int q);

/**
 * cmdqv_kick - consume every runnable VCMDQ now, in the caller's thread.
 *
 * Looks at attached memory pages first. Returns the number of commands
 * consumed (including failing ones).
 */
unsigned int cmdqv_kick(struct cmdqv *cmdqv);

/* Counters, for tests. */
struct cmdqv_stats {
	uint64_t commands; /* commands read from queues */
	uint64_t errors;   /* queues stopped on a command error */
	uint64_t wakeups;  /* consumer thread wake-ups */
};

/** cmdqv_get_stats - snapshot of the counters. */
void cmdqv_get_stats(struct cmdqv *cmdqv, struct cmdqv_stats *st);

#endif
