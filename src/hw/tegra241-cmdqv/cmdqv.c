// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Tegra241 CMDQV model: register file, VCMDQ consumption, the guest
 * restrictions and the error maps (see cmdqv.h for the API).
 *
 * How a command travels: the guest writes 16-byte SMMU commands into queue
 * memory and moves PROD through its VINTF page. A consumer (the PROD
 * writer, the consumer thread or cmdqv_kick()) takes a snapshot of the
 * queue and of its VINTF under the register lock, drops the lock, reads and
 * executes up to CHUNK commands as one smmuv3_cmd_run with a
 * .prepare hook that applies the VINTF's rules, then publishes CONS (and an
 * error) under the lock again. CONS therefore passes a CMD_SYNC only after
 * every earlier command of the queue executed, which is all CMD_SYNC
 * promises here; completion is observed by polling CONS.
 *
 * Guest-owned VINTFs (HYP_OWN == 0), as the Linux driver relies on: only
 * TLBI_NH_ASID and TLBI_NH_VA (the VMID field replaced by VINTF_CONFIG.VMID,
 * so a guest can only reach its own VM's TLB entries), ATC_INV (its
 * StreamID matched against the enabled SID_MATCH slots and replaced by the
 * paired SID_REPLACE; no match is an illegal command, so a guest cannot
 * reach a device it was not given), CMD_SYNC (an MSI address is dropped: it
 * would be a guest address), and optionally CFGI_CD/CFGI_CD_ALL with the
 * same StreamID rule. Anything else is CERROR_ILL. Hypervisor-owned VINTFs
 * pass commands unchanged.
 *
 * Errors: a failing command stops its queue: CONS points at it with
 * CONS.ERR set, GERROR.CMDQ_ERR toggles so it differs from GERRORN, and the
 * queue's bits in CMDQ_ERR_MAP, its VINTF's LVCMDQ_ERR_MAP and VINTF_ERR_MAP
 * read as set (the maps are derived from GERROR != GERRORN, so they can
 * never disagree with it). Acknowledging through GERRORN resumes at CONS.
 *
 * Memory-backed VINTF pages (cmdqv_vintf_page_attach()): the page is the
 * guest's view of its LVCMDQ registers, and the registers stay in the
 * model. For every register of a mapped slot the VINTF keeps "seen", the
 * value the page held when the model last looked at or wrote it. Import
 * (polling, cmdqv_kick()) applies a guest-writable register whose page
 * value differs from seen as if the guest had written it through
 * cmdqv_vintf_mmio_write(). Export (after every register change and every
 * publication of CONS) brings the page up to date: read-only registers are
 * stored, guest-writable ones only by compare-and-swap against seen, so a
 * store the guest makes at the same moment is never overwritten -- the next
 * import picks it up instead. Both run under cmdqv->lock; the page itself
 * is only ever accessed with atomic loads and stores.
 *
 * Invariants: every register lives under cmdqv->lock; a queue has at most
 * one consumer at a time (its consume_lock, taken before cmdqv->lock); a
 * consumer publishes only if the queue's generation is unchanged, so a
 * queue reset, rebased, disabled or reassigned meanwhile is not overwritten
 * by stale progress. Nothing calls back into the caller with a lock held.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/spin.h"
#include "hw/tegra241-cmdqv/cmdqv.h"

/* Commands run between two publications of CONS. */
#define CHUNK 256

struct cmdqv_vcmdq {
	/* Registers; under cmdqv->lock. */
	uint32_t alloc;	  /* CMDQ_ALLOC */
	uint32_t cons;	  /* index, wrap, ERR */
	uint32_t prod;	  /* index, wrap */
	uint32_t config;  /* CONFIG.EN; STATUS follows it */
	uint32_t gerror;  /* written by the model */
	uint32_t gerrorn; /* written by software */
	uint64_t base;
	uint64_t cons_indx_base; /* stored; the model does not write it */
	/* Bumped when progress in flight must not be published. */
	uint64_t gen;
	/* One consumer at a time. Lock order: consume_lock, cmdqv->lock. */
	struct ufd_mutex consume_lock;
};

/* LVCMDQ slots a memory page can show, and the registers of each. */
#define PAGE_SLOTS 128
#define PAGE_REGS 6 /* CONS, PROD, CONFIG, STATUS, GERROR, GERRORN */

struct cmdqv_vintf {
	/* Under cmdqv->lock. */
	uint32_t config;
	uint32_t sid_match[CMDQV_MAX_SIDS];
	uint32_t sid_replace[CMDQV_MAX_SIDS];
	/* Memory page 0, or NULL; seen[slot][reg]: see the essay above. */
	uint32_t *page;
	uint32_t (*seen)[PAGE_REGS];
	/*
	 * The page's mapped slots: slot[i] shows VCMDQ queue[i], as of
	 * cmdqv->map_gen == slots_gen (see slots_sync()).
	 */
	unsigned int nslots;
	uint8_t slot[PAGE_SLOTS];
	uint8_t queue[PAGE_SLOTS];
	uint64_t slots_gen;
};

struct cmdqv {
	struct cmdqv_config cfg;
	unsigned int nvintfs, nvcmdqs, nsids;
	/* min(19, the SMMU's IDR1.CMDQS): larger LOG2SIZE is capped. */
	unsigned int log2size_max;

	/* Protects every register below, pending and stop. */
	struct ufd_mutex lock;
	uint32_t config;
	uint32_t int_mask[2];
	struct cmdqv_vintf vintfs[CMDQV_MAX_VINTFS];
	struct cmdqv_vcmdq vcmdqs[CMDQV_MAX_VCMDQS];

	/* Consumer thread: queues to look at, and its stop request. */
	uint64_t pending[2];
	bool stop;
	/* VINTFs with a memory page attached. */
	unsigned int npages;
	/* Bumped when a slot may have changed hands (CMDQ_ALLOC, attach). */
	uint64_t map_gen;
	struct ufd_cond wake;
	pthread_t thread;
	bool has_thread; /* written before the thread starts */

	/* Atomic counters. */
	struct cmdqv_stats stats;
};

/* Queues a register write may have made runnable. */
struct work {
	uint64_t q[2];
};

/* A queue and its VINTF, as a consumer saw them. */
struct consume_ctx {
	struct cmdqv *cmdqv;
	uint64_t base;
	unsigned int log2size;
	uint32_t prod, cons;
	uint64_t gen;
	unsigned int vintf, lidx;
	bool hyp_own;
	uint16_t vmid;
	unsigned int nsids;
	uint32_t sid_match[CMDQV_MAX_SIDS];
	uint32_t sid_replace[CMDQV_MAX_SIDS];
};

#define cmdqv_inc(p) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED)

static void work_add(struct work *w, unsigned int q)
{
	w->q[q / 64] |= 1ull << (q % 64);
}

static void work_all(struct cmdqv *cmdqv, struct work *w)
{
	unsigned int q;

	for (q = 0; q < cmdqv->nvcmdqs; q++)
		work_add(w, q);
}

static bool vcmdq_err_active(const struct cmdqv_vcmdq *q)
{
	return smmu_fget(q->gerror ^ q->gerrorn, CMDQV_VCMDQ_GERROR_CMDQ_ERR);
}

static bool vcmdq_allocated(const struct cmdqv_vcmdq *q)
{
	return smmu_fget(q->alloc, CMDQV_CMDQ_ALLOC_ALLOCATED);
}

/*
 * The global VCMDQ serving LVCMDQ @lidx of VINTF @v, or -1. Should the
 * host assign two queues to one slot, the lowest-numbered one answers.
 */
static int lvcmdq_lookup(struct cmdqv *cmdqv, unsigned int v, unsigned int lidx)
{
	unsigned int q;

	ufd_mutex_assert_held(&cmdqv->lock);
	for (q = 0; q < cmdqv->nvcmdqs; q++) {
		const struct cmdqv_vcmdq *vq = &cmdqv->vcmdqs[q];

		if (vcmdq_allocated(vq) &&
		    smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_VINTF) == v &&
		    smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_LVCMDQ) == lidx)
			return (int)q;
	}
	return -1;
}

/* LVCMDQ_ERR_MAP of VINTF @v; returns the number of LVCMDQs it has. */
static unsigned int vintf_scan(struct cmdqv *cmdqv, unsigned int v,
			       uint64_t map[2])
{
	unsigned int q, n = 0;

	ufd_mutex_assert_held(&cmdqv->lock);
	map[0] = map[1] = 0;
	for (q = 0; q < cmdqv->nvcmdqs; q++) {
		const struct cmdqv_vcmdq *vq = &cmdqv->vcmdqs[q];
		unsigned int l;

		if (!vcmdq_allocated(vq) ||
		    smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_VINTF) != v ||
		    lvcmdq_lookup(cmdqv, v,
				  smmu_fget(vq->alloc,
					    CMDQV_CMDQ_ALLOC_LVCMDQ)) != (int)q)
			continue;
		n++;
		l = smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_LVCMDQ);
		if (vcmdq_err_active(vq))
			map[l / 64] |= 1ull << (l % 64);
	}
	return n;
}

static uint64_t vintf_err_map(struct cmdqv *cmdqv)
{
	uint64_t map = 0, lmap[2];
	unsigned int v;

	for (v = 0; v < cmdqv->nvintfs; v++) {
		vintf_scan(cmdqv, v, lmap);
		if (lmap[0] | lmap[1])
			map |= 1ull << v;
	}
	return map;
}

static uint32_t cmdq_err_map(struct cmdqv *cmdqv, unsigned int word)
{
	uint32_t map = 0;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		unsigned int q = word * 32 + i;

		if (q < cmdqv->nvcmdqs && vcmdq_err_active(&cmdqv->vcmdqs[q]))
			map |= 1u << i;
	}
	return map;
}

/* A 64-bit register read whole (size 8) or by 32-bit half at @half. */
static uint64_t reg64_read(uint64_t reg, unsigned int half, unsigned int size)
{
	if (size == 8)
		return reg;
	return half ? reg >> 32 : (uint32_t)reg;
}

static void reg64_write(uint64_t *reg, unsigned int half, unsigned int size,
			uint64_t value, uint64_t mask)
{
	uint64_t v = *reg;

	if (size == 8)
		v = value;
	else if (half)
		v = (v & 0xffffffffull) | (value << 32);
	else
		v = (v & ~0xffffffffull) | (uint32_t)value;
	*reg = v & mask;
}

/* ---- VCMDQ page 0 and page 1 ---- */

static uint64_t page0_read(struct cmdqv *cmdqv, unsigned int qi,
			   unsigned int reg, unsigned int size)
{
	const struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];

	if (size != 4)
		return 0;
	switch (reg) {
	case CMDQV_VCMDQ_CONS:
		return q->cons;
	case CMDQV_VCMDQ_PROD:
		return q->prod;
	case CMDQV_VCMDQ_CONFIG:
		return q->config;
	case CMDQV_VCMDQ_STATUS:
		return smmu_fprep(CMDQV_VCMDQ_STATUS_ENABLED,
				  smmu_fget(q->config, CMDQV_VCMDQ_CONFIG_EN));
	case CMDQV_VCMDQ_GERROR:
		return q->gerror;
	case CMDQV_VCMDQ_GERRORN:
		return q->gerrorn;
	default:
		return 0;
	}
}

static int page0_write(struct cmdqv *cmdqv, unsigned int qi, unsigned int reg,
		       unsigned int size, uint64_t value, struct work *w)
{
	struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];
	bool en = smmu_fget(q->config, CMDQV_VCMDQ_CONFIG_EN);

	if (size != 4)
		return -EINVAL;
	switch (reg) {
	case CMDQV_VCMDQ_CONS:
		/* Software may only rewind a stopped queue. */
		if (en)
			break;
		q->cons = (uint32_t)(value & smmu_fmask(CMDQV_VCMDQ_IDX_WRAP));
		q->gen++;
		break;
	case CMDQV_VCMDQ_PROD:
		q->prod = (uint32_t)(value & smmu_fmask(CMDQV_VCMDQ_IDX_WRAP));
		work_add(w, qi);
		break;
	case CMDQV_VCMDQ_CONFIG:
		q->config =
			(uint32_t)(value & smmu_fmask(CMDQV_VCMDQ_CONFIG_EN));
		if (en != (bool)smmu_fget(q->config, CMDQV_VCMDQ_CONFIG_EN))
			q->gen++;
		work_add(w, qi);
		break;
	case CMDQV_VCMDQ_GERRORN:
		q->gerrorn =
			(uint32_t)(value &
				   smmu_fmask(CMDQV_VCMDQ_GERROR_CMDQ_ERR));
		work_add(w, qi);
		break;
	default:
		break;
	}
	return 0;
}

static uint64_t page1_read(struct cmdqv *cmdqv, unsigned int qi,
			   unsigned int reg, unsigned int size)
{
	const struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];

	switch (reg & ~7u) {
	case CMDQV_VCMDQ_BASE:
		return reg64_read(q->base, reg & 4, size);
	case CMDQV_VCMDQ_CONS_INDX_BASE:
		return reg64_read(q->cons_indx_base, reg & 4, size);
	default:
		return 0;
	}
}

static int page1_write(struct cmdqv *cmdqv, unsigned int qi, unsigned int reg,
		       unsigned int size, uint64_t value)
{
	struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];

	switch (reg & ~7u) {
	case CMDQV_VCMDQ_BASE:
		/* As an SMMU queue base: fixed while the queue is enabled. */
		if (smmu_fget(q->config, CMDQV_VCMDQ_CONFIG_EN))
			break;
		reg64_write(&q->base, reg & 4, size, value,
			    smmu_fmask(CMDQV_VCMDQ_BASE_ADDR) |
				    smmu_fmask(CMDQV_VCMDQ_BASE_LOG2SIZE));
		q->gen++;
		break;
	case CMDQV_VCMDQ_CONS_INDX_BASE:
		reg64_write(&q->cons_indx_base, reg & 4, size, value,
			    smmu_fmask(CMDQV_VCMDQ_CONS_INDX_BASE_ADDR));
		break;
	default:
		break;
	}
	return 0;
}

/* ---- The global configuration page ---- */

static uint32_t param(const struct cmdqv *cmdqv)
{
	return (uint32_t)(smmu_fprep(CMDQV_PARAM_VER, cmdqv->cfg.version) |
			  smmu_fprep(CMDQV_PARAM_NUM_VCMDQ_LOG2,
				     cmdqv->cfg.log2_vcmdqs) |
			  smmu_fprep(CMDQV_PARAM_NUM_VINTF_LOG2,
				     cmdqv->cfg.log2_vintfs) |
			  smmu_fprep(CMDQV_PARAM_NUM_SID_PER_VM_LOG2,
				     cmdqv->cfg.log2_sids));
}

static uint64_t vintf_regs_read(struct cmdqv *cmdqv, unsigned int v,
				unsigned int reg, unsigned int size)
{
	const struct cmdqv_vintf *vi = &cmdqv->vintfs[v];
	uint64_t map[2];
	unsigned int n;

	if (reg >= CMDQV_VINTF_LVCMDQ_ERR_MAP(0) &&
	    reg < CMDQV_VINTF_LVCMDQ_ERR_MAP(2)) {
		vintf_scan(cmdqv, v, map);
		return reg64_read(
			map[(reg - CMDQV_VINTF_LVCMDQ_ERR_MAP(0)) / 8], reg & 4,
			size);
	}
	if (size != 4)
		return 0;
	if (reg == CMDQV_VINTF_CONFIG)
		return vi->config;
	if (reg == CMDQV_VINTF_STATUS) {
		n = vintf_scan(cmdqv, v, map);
		return smmu_fprep(CMDQV_VINTF_STATUS_ENABLED,
				  smmu_fget(vi->config,
					    CMDQV_VINTF_CONFIG_EN)) |
		       smmu_fprep(CMDQV_VINTF_STATUS_NUM_LVCMDQ, n);
	}
	if (reg >= CMDQV_VINTF_SID_MATCH(0) &&
	    reg < CMDQV_VINTF_SID_MATCH(cmdqv->nsids))
		return vi->sid_match[(reg - CMDQV_VINTF_SID_MATCH(0)) / 4];
	if (reg >= CMDQV_VINTF_SID_REPLACE(0) &&
	    reg < CMDQV_VINTF_SID_REPLACE(cmdqv->nsids))
		return vi->sid_replace[(reg - CMDQV_VINTF_SID_REPLACE(0)) / 4];
	return 0;
}

static int vintf_regs_write(struct cmdqv *cmdqv, unsigned int v,
			    unsigned int reg, unsigned int size, uint64_t value,
			    struct work *w)
{
	struct cmdqv_vintf *vi = &cmdqv->vintfs[v];

	if (size != 4)
		return -EINVAL;
	if (reg == CMDQV_VINTF_CONFIG) {
		vi->config =
			(uint32_t)(value &
				   (smmu_fmask(CMDQV_VINTF_CONFIG_EN) |
				    smmu_fmask(CMDQV_VINTF_CONFIG_VMID) |
				    smmu_fmask(CMDQV_VINTF_CONFIG_HYP_OWN)));
		work_all(cmdqv, w);
	} else if (reg >= CMDQV_VINTF_SID_MATCH(0) &&
		   reg < CMDQV_VINTF_SID_MATCH(cmdqv->nsids)) {
		vi->sid_match[(reg - CMDQV_VINTF_SID_MATCH(0)) / 4] =
			(uint32_t)value;
	} else if (reg >= CMDQV_VINTF_SID_REPLACE(0) &&
		   reg < CMDQV_VINTF_SID_REPLACE(cmdqv->nsids)) {
		vi->sid_replace[(reg - CMDQV_VINTF_SID_REPLACE(0)) / 4] =
			(uint32_t)value;
	}
	return 0;
}

static uint64_t global_read(struct cmdqv *cmdqv, uint32_t off,
			    unsigned int size)
{
	unsigned int v;

	if (off >= CMDQV_VINTF(0) && off < CMDQV_VINTF(cmdqv->nvintfs)) {
		v = (off - CMDQV_VINTF(0)) / CMDQV_VINTF_REGS_SIZE;
		return vintf_regs_read(cmdqv, v, off % CMDQV_VINTF_REGS_SIZE,
				       size);
	}
	if (size != 4)
		return 0;
	if (off >= CMDQV_CMDQ_ALLOC(0) &&
	    off < CMDQV_CMDQ_ALLOC(cmdqv->nvcmdqs))
		return cmdqv->vcmdqs[(off - CMDQV_CMDQ_ALLOC(0)) / 4].alloc;
	if (off >= CMDQV_CMDQ_ERR_MAP(0) && off < CMDQV_CMDQ_ERR_MAP(4))
		return cmdq_err_map(cmdqv, (off - CMDQV_CMDQ_ERR_MAP(0)) / 4);
	switch (off) {
	case CMDQV_CONFIG:
		return cmdqv->config;
	case CMDQV_PARAM:
		return param(cmdqv);
	case CMDQV_STATUS:
		return smmu_fprep(CMDQV_STATUS_ENABLED,
				  smmu_fget(cmdqv->config, CMDQV_CONFIG_EN));
	case CMDQV_VINTF_ERR_MAP:
		return (uint32_t)vintf_err_map(cmdqv);
	case CMDQV_VINTF_ERR_MAP + 4:
		return vintf_err_map(cmdqv) >> 32;
	case CMDQV_VINTF_INT_MASK:
		return cmdqv->int_mask[0];
	case CMDQV_VINTF_INT_MASK + 4:
		return cmdqv->int_mask[1];
	default:
		return 0;
	}
}

static int global_write(struct cmdqv *cmdqv, uint32_t off, unsigned int size,
			uint64_t value, struct work *w)
{
	struct cmdqv_vcmdq *q;
	uint32_t alloc;
	unsigned int v;

	if (off >= CMDQV_VINTF(0) && off < CMDQV_VINTF(cmdqv->nvintfs)) {
		v = (off - CMDQV_VINTF(0)) / CMDQV_VINTF_REGS_SIZE;
		return vintf_regs_write(cmdqv, v, off % CMDQV_VINTF_REGS_SIZE,
					size, value, w);
	}
	if (size != 4)
		return -EINVAL;
	if (off >= CMDQV_CMDQ_ALLOC(0) &&
	    off < CMDQV_CMDQ_ALLOC(cmdqv->nvcmdqs)) {
		q = &cmdqv->vcmdqs[(off - CMDQV_CMDQ_ALLOC(0)) / 4];
		alloc = (uint32_t)(value &
				   (smmu_fmask(CMDQV_CMDQ_ALLOC_ALLOCATED) |
				    smmu_fmask(CMDQV_CMDQ_ALLOC_LVCMDQ) |
				    smmu_fmask(CMDQV_CMDQ_ALLOC_VINTF)));
		if (alloc != q->alloc) {
			q->gen++;
			cmdqv->map_gen++;
		}
		q->alloc = alloc;
		work_all(cmdqv, w);
		return 0;
	}
	switch (off) {
	case CMDQV_CONFIG:
		cmdqv->config = (uint32_t)(value & smmu_fmask(CMDQV_CONFIG_EN));
		work_all(cmdqv, w);
		break;
	case CMDQV_VINTF_INT_MASK:
		cmdqv->int_mask[0] = (uint32_t)value;
		break;
	case CMDQV_VINTF_INT_MASK + 4:
		cmdqv->int_mask[1] = (uint32_t)value;
		break;
	default:
		break;
	}
	return 0;
}

/* ---- Memory-backed VINTF pages ---- */

/* Whether the guest may write register @r of a slot (CONS only stopped). */
static bool page_reg_guest(unsigned int r)
{
	return r != CMDQV_VCMDQ_STATUS / 4 && r != CMDQV_VCMDQ_GERROR / 4;
}

/* slot_q[l]: the VCMDQ answering for LVCMDQ l of VINTF @v, or -1. */
static void page_slots(struct cmdqv *cmdqv, unsigned int v,
		       int16_t slot_q[PAGE_SLOTS])
{
	unsigned int q, l;

	ufd_mutex_assert_held(&cmdqv->lock);
	for (l = 0; l < PAGE_SLOTS; l++)
		slot_q[l] = -1;
	/* Ascending: the lowest-numbered claimant of a slot answers. */
	for (q = 0; q < cmdqv->nvcmdqs; q++) {
		const struct cmdqv_vcmdq *vq = &cmdqv->vcmdqs[q];

		if (!vcmdq_allocated(vq) ||
		    smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_VINTF) != v)
			continue;
		l = smmu_fget(vq->alloc, CMDQV_CMDQ_ALLOC_LVCMDQ);
		if (slot_q[l] < 0)
			slot_q[l] = (int16_t)q;
	}
}

static uint32_t *page_reg(const struct cmdqv_vintf *vi, unsigned int l,
			  unsigned int r)
{
	return &vi->page[(CMDQV_VCMDQ_STRIDE * l) / 4 + r];
}

/*
 * Brings VINTF @v's list of mapped slots up to date: unmapped slots are
 * zeroed in the page once (an unmapped slot reads as zero), so the polls
 * look at mapped slots only.
 */
static void slots_sync(struct cmdqv *cmdqv, unsigned int v)
{
	struct cmdqv_vintf *vi = &cmdqv->vintfs[v];
	int16_t slot_q[PAGE_SLOTS];
	unsigned int l, r;

	if (vi->slots_gen == cmdqv->map_gen)
		return;
	page_slots(cmdqv, v, slot_q);
	vi->nslots = 0;
	for (l = 0; l < PAGE_SLOTS; l++) {
		if (slot_q[l] >= 0) {
			vi->slot[vi->nslots] = (uint8_t)l;
			vi->queue[vi->nslots++] = (uint8_t)slot_q[l];
			continue;
		}
		for (r = 0; r < PAGE_REGS; r++) {
			if (!vi->seen[l][r])
				continue;
			__atomic_store_n(page_reg(vi, l, r), 0,
					 __ATOMIC_RELEASE);
			vi->seen[l][r] = 0;
		}
	}
	vi->slots_gen = cmdqv->map_gen;
}

/* Applies what the guest stored in VINTF @v's page since we last looked. */
static void page_import(struct cmdqv *cmdqv, unsigned int v, struct work *w)
{
	struct cmdqv_vintf *vi = &cmdqv->vintfs[v];
	unsigned int i, l, r;
	uint32_t val;

	if (!vi->page)
		return;
	slots_sync(cmdqv, v);
	for (i = 0; i < vi->nslots; i++) {
		l = vi->slot[i];
		for (r = 0; r < PAGE_REGS; r++) {
			if (!page_reg_guest(r))
				continue;
			/* Acquire: commands written before PROD are seen. */
			val = __atomic_load_n(page_reg(vi, l, r),
					      __ATOMIC_ACQUIRE);
			if (val == vi->seen[l][r])
				continue;
			vi->seen[l][r] = val;
			page0_write(cmdqv, vi->queue[i], 4 * r, 4, val, w);
		}
	}
}

/* Brings slot @i of VINTF @v's list up to date with its registers. */
static void slot_export(struct cmdqv *cmdqv, struct cmdqv_vintf *vi,
			unsigned int i)
{
	unsigned int l = vi->slot[i], r;
	uint32_t val, old;

	for (r = 0; r < PAGE_REGS; r++) {
		uint32_t *p = page_reg(vi, l, r);

		val = (uint32_t)page0_read(cmdqv, vi->queue[i], 4 * r, 4);
		if (!page_reg_guest(r)) {
			if (__atomic_load_n(p, __ATOMIC_RELAXED) != val)
				__atomic_store_n(p, val, __ATOMIC_RELEASE);
			vi->seen[l][r] = val;
			continue;
		}
		if (val == vi->seen[l][r])
			continue;
		/* Lose to a concurrent guest store; import sees it. */
		old = vi->seen[l][r];
		if (__atomic_compare_exchange_n(p, &old, val, false,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			vi->seen[l][r] = val;
	}
}

/*
 * Brings VINTF @v's page up to date with the registers: every mapped slot,
 * or with @qi >= 0 only the slots VCMDQ @qi answers for.
 */
static void page_export(struct cmdqv *cmdqv, unsigned int v, int qi)
{
	struct cmdqv_vintf *vi = &cmdqv->vintfs[v];
	unsigned int i;

	if (!vi->page)
		return;
	slots_sync(cmdqv, v);
	for (i = 0; i < vi->nslots; i++)
		if (qi < 0 || vi->queue[i] == qi)
			slot_export(cmdqv, vi, i);
}

static void pages_import(struct cmdqv *cmdqv, struct work *w)
{
	unsigned int v;

	ufd_mutex_assert_held(&cmdqv->lock);
	if (!cmdqv->npages)
		return;
	for (v = 0; v < cmdqv->nvintfs; v++)
		page_import(cmdqv, v, w);
}

static void pages_export(struct cmdqv *cmdqv)
{
	unsigned int v;

	ufd_mutex_assert_held(&cmdqv->lock);
	if (!cmdqv->npages)
		return;
	for (v = 0; v < cmdqv->nvintfs; v++)
		page_export(cmdqv, v, -1);
}

/* ---- Consumption ---- */

/* Replaces a guest StreamID through the VINTF's SID_MATCH/SID_REPLACE. */
static unsigned int replace_sid(const struct consume_ctx *ctx, uint64_t *cmd)
{
	uint64_t vsid = smmu_dget(cmd, SMMU_CMD_SID);
	unsigned int s;

	for (s = 0; s < ctx->nsids; s++) {
		uint32_t m = ctx->sid_match[s];

		if (!smmu_fget(m, CMDQV_SID_MATCH_ENABLE) ||
		    smmu_fget(m, CMDQV_SID_MATCH_VSID) != vsid)
			continue;
		smmu_dset(cmd, SMMU_CMD_SID,
			  smmu_fget(ctx->sid_replace[s],
				    CMDQV_SID_REPLACE_SID));
		return SMMU_CERROR_NONE;
	}
	return SMMU_CERROR_ILL;
}

/* smmuv3_cmdq_ops.prepare: what the VINTF's hardware does to a command. */
static unsigned int vcmdq_prepare(void *priv, uint64_t cmd[SMMU_CMD_DWORDS])
{
	const struct consume_ctx *ctx = priv;

	if (ctx->hyp_own)
		return SMMU_CERROR_NONE;
	switch (smmu_dget(cmd, SMMU_CMD_OP)) {
	case SMMU_CMD_TLBI_NH_ASID:
	case SMMU_CMD_TLBI_NH_VA:
		smmu_dset(cmd, SMMU_CMD_TLBI_VMID, ctx->vmid);
		return SMMU_CERROR_NONE;
	case SMMU_CMD_ATC_INV:
		return replace_sid(ctx, cmd);
	case SMMU_CMD_CFGI_CD:
	case SMMU_CMD_CFGI_CD_ALL:
		if (!ctx->cmdqv->cfg.guest_cfgi_cd)
			return SMMU_CERROR_ILL;
		return replace_sid(ctx, cmd);
	case SMMU_CMD_SYNC:
		/* A guest's MSI address is not a host address: no write. */
		smmu_dset(cmd, SMMU_CMD_SYNC_MSIADDR, 0);
		return SMMU_CERROR_NONE;
	default:
		return SMMU_CERROR_ILL;
	}
}

/* CMD_SYNC with CS=SIG_IRQ on a VCMDQ: the CMDQV has no such interrupt. */
static void vcmdq_sync_irq(void *priv)
{
}

/* Takes the snapshot of queue @qi; false when it has nothing to run. */
static bool snapshot(struct cmdqv *cmdqv, unsigned int qi,
		     struct consume_ctx *ctx)
{
	const struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];
	const struct cmdqv_vintf *vi;
	unsigned int v, lg2;
	uint32_t wrap_mask;

	ufd_mutex_assert_held(&cmdqv->lock);
	if (!smmu_fget(cmdqv->config, CMDQV_CONFIG_EN) || !vcmdq_allocated(q) ||
	    !smmu_fget(q->config, CMDQV_VCMDQ_CONFIG_EN) || vcmdq_err_active(q))
		return false;
	v = smmu_fget(q->alloc, CMDQV_CMDQ_ALLOC_VINTF);
	if (v >= cmdqv->nvintfs)
		return false;
	vi = &cmdqv->vintfs[v];
	if (!smmu_fget(vi->config, CMDQV_VINTF_CONFIG_EN))
		return false;
	lg2 = ufd_min((unsigned int)smmu_fget(q->base,
					      CMDQV_VCMDQ_BASE_LOG2SIZE),
		      cmdqv->log2size_max);
	wrap_mask = (2u << lg2) - 1;
	if ((q->cons & wrap_mask) == (q->prod & wrap_mask))
		return false;
	ctx->cmdqv = cmdqv;
	/* Aligned to the queue size (at least 32 bytes), as an SMMU queue. */
	ctx->base = (smmu_fget(q->base, CMDQV_VCMDQ_BASE_ADDR) << 5) &
		    ~((1ull << ufd_max(lg2 + 4, 5u)) - 1);
	ctx->log2size = lg2;
	ctx->prod = q->prod & wrap_mask;
	ctx->cons = q->cons & wrap_mask;
	ctx->gen = q->gen;
	ctx->vintf = v;
	ctx->lidx = smmu_fget(q->alloc, CMDQV_CMDQ_ALLOC_LVCMDQ);
	ctx->hyp_own = smmu_fget(vi->config, CMDQV_VINTF_CONFIG_HYP_OWN);
	ctx->vmid = (uint16_t)smmu_fget(vi->config, CMDQV_VINTF_CONFIG_VMID);
	ctx->nsids = cmdqv->nsids;
	memcpy(ctx->sid_match, vi->sid_match, sizeof(ctx->sid_match));
	memcpy(ctx->sid_replace, vi->sid_replace, sizeof(ctx->sid_replace));
	return true;
}

/*
 * Host pointer to the @n commands from ring index @idx on, mapped once for
 * the run. When the run is not mapped in one piece, only its first
 * command (*n becomes 1); NULL when not even that is.
 */
static const uint64_t *map_run(const struct consume_ctx *ctx, uint32_t idx,
			       unsigned int *n)
{
	const struct pt_mem_ops *mem = ctx->cmdqv->cfg.mem;
	void *priv = ctx->cmdqv->cfg.mem_priv;
	uint64_t addr = ctx->base + 16ull * idx;
	const void *p = pt_mem_map(mem, priv, NULL, addr, 16ull * *n, false);

	if (!p) {
		*n = 1;
		p = pt_mem_map(mem, priv, NULL, addr, 16, false);
	}
	return p;
}

/*
 * Asks for the cache lines of @n commands at @p at once: the guest has
 * just written them on another CPU, and fetched one by one as the
 * commands execute, each line would cost a full transfer.
 */
static void prefetch_run(const uint64_t *p, unsigned int n)
{
	const char *c = (const char *)p, *end = c + 16ull * n;

	for (c = (const char *)((uintptr_t)c & ~(uintptr_t)63); c < end;
	     c += 64)
		__builtin_prefetch(c, 0, 3);
}

/*
 * Executes up to CHUNK commands of the snapshot, advancing ctx->cons past
 * each that completed. Returns the count read; *err the CERROR code.
 */
static unsigned int run_chunk(struct consume_ctx *ctx, unsigned int *err)
{
	struct cmdqv *cmdqv = ctx->cmdqv;
	const struct smmuv3_cmdq_ops ops = {
		.prepare = vcmdq_prepare,
		.sync_irq = vcmdq_sync_irq,
		.priv = ctx,
	};
	uint32_t wrap_mask = (2u << ctx->log2size) - 1;
	uint32_t idx_mask = (1u << ctx->log2size) - 1;
	uint32_t c = ctx->cons, idx;
	uint64_t cmd[SMMU_CMD_DWORDS];
	struct smmuv3_cmd_run exec;
	unsigned int n = 0, run, i;
	const uint64_t *p;

	*err = SMMU_CERROR_NONE;
	smmuv3_cmd_run_begin(&exec, cmdqv->cfg.smmu, &ops);
	while (c != ctx->prod && n < CHUNK) {
		/* Up to PROD, the ring's end or the chunk's, what comes first. */
		idx = c & idx_mask;
		run = ufd_min(ufd_min((ctx->prod - c) & wrap_mask,
				      idx_mask + 1 - idx),
			      CHUNK - n);
		p = map_run(ctx, idx, &run);
		if (!p) {
			n++;
			*err = SMMU_CERROR_ABT;
			break;
		}
		prefetch_run(p, run);
		for (i = 0; i < run; i++) {
			n++;
			/* The guest may be rewriting the slot: whole words. */
			cmd[0] = __atomic_load_n(&p[2 * i], __ATOMIC_RELAXED);
			cmd[1] = __atomic_load_n(&p[2 * i + 1],
						 __ATOMIC_RELAXED);
			*err = smmuv3_cmd_run_execute(&exec, cmd);
			if (*err)
				goto out;
			c = (c + 1) & wrap_mask;
		}
	}
out:
	smmuv3_cmd_run_end(&exec);
	ctx->cons = c;
	return n;
}

/* Consumes queue @qi until it drains or stops; returns commands read. */
static unsigned int consume_queue(struct cmdqv *cmdqv, unsigned int qi)
{
	struct cmdqv_vcmdq *q = &cmdqv->vcmdqs[qi];
	unsigned int total = 0, err = SMMU_CERROR_NONE;
	unsigned int err_vintf = 0, err_lidx = 0;
	uint64_t map[2] = { 0, 0 };
	struct consume_ctx ctx;
	bool stopped = false;
	uint32_t wrap_mask;

	ufd_mutex_lock(&q->consume_lock);
	for (;;) {
		ufd_mutex_lock(&cmdqv->lock);
		if (!snapshot(cmdqv, qi, &ctx)) {
			ufd_mutex_unlock(&cmdqv->lock);
			break;
		}
		ufd_mutex_unlock(&cmdqv->lock);

		total += run_chunk(&ctx, &err);

		ufd_mutex_lock(&cmdqv->lock);
		if (q->gen != ctx.gen) {
			/* Reset or reassigned meanwhile: progress is void. */
			ufd_mutex_unlock(&cmdqv->lock);
			continue;
		}
		wrap_mask = (2u << ctx.log2size) - 1;
		q->cons = (q->cons & ~wrap_mask) | ctx.cons;
		if (err) {
			q->cons =
				(uint32_t)((q->cons &
					    ~smmu_fmask(CMDQV_VCMDQ_CONS_ERR)) |
					   smmu_fprep(CMDQV_VCMDQ_CONS_ERR,
						      err));
			q->gerror ^= smmu_fmask(CMDQV_VCMDQ_GERROR_CMDQ_ERR);
			vintf_scan(cmdqv, ctx.vintf, map);
			err_vintf = ctx.vintf;
			err_lidx = ctx.lidx;
			stopped = true;
		}
		page_export(cmdqv, ctx.vintf, (int)qi);
		ufd_mutex_unlock(&cmdqv->lock);
		if (stopped)
			break;
	}
	ufd_mutex_unlock(&q->consume_lock);

	__atomic_fetch_add(&cmdqv->stats.commands, total, __ATOMIC_RELAXED);
	if (stopped) {
		cmdqv_inc(&cmdqv->stats.errors);
		/* After unlocking: the callback may acknowledge at once. */
		if (cmdqv->cfg.on_error)
			cmdqv->cfg.on_error(cmdqv->cfg.err_priv, err_vintf,
					    err_lidx, map, err);
	}
	return total;
}

static void consume_work(struct cmdqv *cmdqv, const struct work *w)
{
	unsigned int q;

	for (q = 0; q < cmdqv->nvcmdqs; q++)
		if (w->q[q / 64] & (1ull << (q % 64)))
			consume_queue(cmdqv, q);
}

/*
 * Hands the queues a register write touched to whoever consumes them.
 * Called with the lock held; returns true when the caller must consume
 * them itself after unlocking (synchronous mode).
 */
static bool post_work(struct cmdqv *cmdqv, const struct work *w)
{
	ufd_mutex_assert_held(&cmdqv->lock);
	if (!(w->q[0] | w->q[1]))
		return false;
	switch (cmdqv->cfg.consume) {
	case CMDQV_CONSUME_SYNC:
		return true;
	case CMDQV_CONSUME_THREAD:
		cmdqv->pending[0] |= w->q[0];
		cmdqv->pending[1] |= w->q[1];
		ufd_cond_signal(&cmdqv->wake);
		return false;
	default:
		return false;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Sleeps until a queue may have work; never spins while idle. With memory
 * pages attached it also polls them: without sleeping for poll_spin_ns
 * after a change (pausing between looks, ufd_poll_relax()), then at
 * poll_min_ns, backing off to poll_max_ns while they stay the same.
 */
static void *consumer_main(void *arg)
{
	struct cmdqv *cmdqv = arg;
	uint64_t interval = cmdqv->cfg.poll_min_ns, spin_until = 0;
	unsigned int round = 0;
	struct work w;

	ufd_mutex_lock(&cmdqv->lock);
	while (!cmdqv->stop) {
		if (cmdqv->pending[0] | cmdqv->pending[1]) {
			w.q[0] = cmdqv->pending[0];
			w.q[1] = cmdqv->pending[1];
			cmdqv->pending[0] = cmdqv->pending[1] = 0;
			ufd_mutex_unlock(&cmdqv->lock);
			cmdqv_inc(&cmdqv->stats.wakeups);
			consume_work(cmdqv, &w);
			ufd_mutex_lock(&cmdqv->lock);
			continue;
		}
		if (!cmdqv->npages) {
			ufd_cond_wait(&cmdqv->wake, &cmdqv->lock);
			continue;
		}
		w.q[0] = w.q[1] = 0;
		pages_import(cmdqv, &w);
		/* Also restores read-only registers the guest scribbled on. */
		pages_export(cmdqv);
		if (w.q[0] | w.q[1]) {
			cmdqv->pending[0] |= w.q[0];
			cmdqv->pending[1] |= w.q[1];
			interval = cmdqv->cfg.poll_min_ns;
			spin_until = mono_ns() + cmdqv->cfg.poll_spin_ns;
			continue;
		}
		if (spin_until && mono_ns() < spin_until) {
			/* Busy: look again soon, letting writers in. */
			ufd_mutex_unlock(&cmdqv->lock);
			ufd_poll_relax(round++);
			ufd_mutex_lock(&cmdqv->lock);
			continue;
		}
		spin_until = 0;
		if (ufd_cond_timedwait_ns(&cmdqv->wake, &cmdqv->lock,
					  interval) == -ETIMEDOUT)
			interval =
				ufd_min(2 * interval, cmdqv->cfg.poll_max_ns);
	}
	ufd_mutex_unlock(&cmdqv->lock);
	return NULL;
}

/* ---- API ---- */

void cmdqv_config_default(struct cmdqv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log2_vintfs = 2;
	cfg->log2_vcmdqs = 4;
	cfg->log2_sids = 4;
	cfg->version = 1;
	cfg->consume = CMDQV_CONSUME_SYNC;
	cfg->poll_spin_ns = 50000;
	cfg->poll_min_ns = 20000;
	cfg->poll_max_ns = 1000000;
}

struct cmdqv *cmdqv_create(const struct cmdqv_config *cfg)
{
	struct cmdqv *cmdqv;
	unsigned int q, cmdqs;
	int ret;

	if (!cfg->smmu || !cfg->mem || !cfg->mem->map || cfg->log2_vintfs > 6 ||
	    cfg->log2_vcmdqs > 7 || cfg->log2_vcmdqs < cfg->log2_vintfs ||
	    cfg->log2_sids > 4 || cfg->version > 15 ||
	    cfg->consume > CMDQV_CONSUME_KICK)
		return ERR_PTR(-EINVAL);
	cmdqv = ufd_zalloc(sizeof(*cmdqv));
	if (!cmdqv)
		return ERR_PTR(-ENOMEM);
	cmdqv->cfg = *cfg;
	if (!cmdqv->cfg.poll_spin_ns)
		cmdqv->cfg.poll_spin_ns = 50000;
	if (!cmdqv->cfg.poll_min_ns)
		cmdqv->cfg.poll_min_ns = 20000;
	if (!cmdqv->cfg.poll_max_ns)
		cmdqv->cfg.poll_max_ns = 1000000;
	cmdqv->cfg.poll_max_ns =
		ufd_max(cmdqv->cfg.poll_max_ns, cmdqv->cfg.poll_min_ns);
	cmdqv->nvintfs = 1u << cfg->log2_vintfs;
	cmdqv->nvcmdqs = 1u << cfg->log2_vcmdqs;
	cmdqv->nsids = 1u << cfg->log2_sids;
	cmdqs = smmu_fget(smmuv3_mmio_read(cfg->smmu, SMMU_IDR1, 4),
			  SMMU_IDR1_CMDQS);
	cmdqv->log2size_max = ufd_min(cmdqs, CMDQV_VCMDQ_LOG2SIZE_MAX);
	ufd_mutex_init(&cmdqv->lock);
	ufd_cond_init(&cmdqv->wake);
	for (q = 0; q < CMDQV_MAX_VCMDQS; q++)
		ufd_mutex_init(&cmdqv->vcmdqs[q].consume_lock);
	if (cfg->consume == CMDQV_CONSUME_THREAD) {
		ret = pthread_create(&cmdqv->thread, NULL, consumer_main,
				     cmdqv);
		if (ret)
			goto out_destroy_locks;
		cmdqv->has_thread = true;
	}
	return cmdqv;

out_destroy_locks:
	for (q = 0; q < CMDQV_MAX_VCMDQS; q++)
		ufd_mutex_destroy(&cmdqv->vcmdqs[q].consume_lock);
	ufd_cond_destroy(&cmdqv->wake);
	ufd_mutex_destroy(&cmdqv->lock);
	ufd_free(cmdqv);
	return ERR_PTR(-ret);
}

void cmdqv_destroy(struct cmdqv *cmdqv)
{
	unsigned int q;

	if (!cmdqv)
		return;
	if (cmdqv->has_thread) {
		ufd_mutex_lock(&cmdqv->lock);
		cmdqv->stop = true;
		ufd_cond_broadcast(&cmdqv->wake);
		ufd_mutex_unlock(&cmdqv->lock);
		pthread_join(cmdqv->thread, NULL);
	}
	for (q = 0; q < CMDQV_MAX_VINTFS; q++)
		ufd_free(cmdqv->vintfs[q].seen);
	for (q = 0; q < CMDQV_MAX_VCMDQS; q++)
		ufd_mutex_destroy(&cmdqv->vcmdqs[q].consume_lock);
	ufd_cond_destroy(&cmdqv->wake);
	ufd_mutex_destroy(&cmdqv->lock);
	ufd_free(cmdqv);
}

uint64_t cmdqv_mmio_size(const struct cmdqv *cmdqv)
{
	return CMDQV_MMIO_SIZE(cmdqv->nvintfs);
}

static bool access_ok(uint64_t offset, unsigned int size, uint64_t limit)
{
	return (size == 4 || size == 8) && !(offset & (size - 1)) &&
	       offset < limit && size <= limit - offset;
}

/* A VINTF page (0 or 1) of LVCMDQ registers. Lock held. */
static uint64_t vintf_page_read(struct cmdqv *cmdqv, unsigned int v,
				unsigned int page, uint32_t off,
				unsigned int size)
{
	int qi = lvcmdq_lookup(cmdqv, v, off / CMDQV_VCMDQ_STRIDE);

	if (qi < 0)
		return 0;
	if (page == 0)
		return page0_read(cmdqv, (unsigned int)qi,
				  off % CMDQV_VCMDQ_STRIDE, size);
	return page1_read(cmdqv, (unsigned int)qi, off % CMDQV_VCMDQ_STRIDE,
			  size);
}

static int vintf_page_write(struct cmdqv *cmdqv, unsigned int v,
			    unsigned int page, uint32_t off, unsigned int size,
			    uint64_t value, struct work *w)
{
	int qi = lvcmdq_lookup(cmdqv, v, off / CMDQV_VCMDQ_STRIDE);

	/* An LVCMDQ slot with no VCMDQ behind it is RAZ/WI. */
	if (qi < 0)
		return 0;
	if (page == 0)
		return page0_write(cmdqv, (unsigned int)qi,
				   off % CMDQV_VCMDQ_STRIDE, size, value, w);
	return page1_write(cmdqv, (unsigned int)qi, off % CMDQV_VCMDQ_STRIDE,
			   size, value);
}

uint64_t cmdqv_mmio_read(struct cmdqv *cmdqv, uint64_t offset,
			 unsigned int size)
{
	uint32_t off = (uint32_t)offset;
	uint64_t val = 0;
	unsigned int q;

	if (!access_ok(offset, size, cmdqv_mmio_size(cmdqv)))
		return 0;
	ufd_mutex_lock(&cmdqv->lock);
	if (off < CMDQV_VCMDQ_PAGE0_BASE) {
		val = global_read(cmdqv, off, size);
	} else if (off < CMDQV_VCMDQ_PAGE1_BASE) {
		q = (off - CMDQV_VCMDQ_PAGE0_BASE) / CMDQV_VCMDQ_STRIDE;
		if (q < cmdqv->nvcmdqs)
			val = page0_read(cmdqv, q, off % CMDQV_VCMDQ_STRIDE,
					 size);
	} else if (off < CMDQV_VINTF_PAGE_BASE) {
		q = (off - CMDQV_VCMDQ_PAGE1_BASE) / CMDQV_VCMDQ_STRIDE;
		if (q < cmdqv->nvcmdqs)
			val = page1_read(cmdqv, q, off % CMDQV_VCMDQ_STRIDE,
					 size);
	} else {
		off -= CMDQV_VINTF_PAGE_BASE;
		val = vintf_page_read(cmdqv, off / CMDQV_VINTF_PAGES_SIZE,
				      (off / CMDQV_PAGE_SIZE) & 1,
				      off % CMDQV_PAGE_SIZE, size);
	}
	ufd_mutex_unlock(&cmdqv->lock);
	return val;
}

int cmdqv_mmio_write(struct cmdqv *cmdqv, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	uint32_t off = (uint32_t)offset;
	struct work w = { { 0, 0 } };
	unsigned int q;
	bool consume;
	int ret = 0;

	if (!access_ok(offset, size, cmdqv_mmio_size(cmdqv)))
		return -EINVAL;
	ufd_mutex_lock(&cmdqv->lock);
	if (off < CMDQV_VCMDQ_PAGE0_BASE) {
		ret = global_write(cmdqv, off, size, value, &w);
	} else if (off < CMDQV_VCMDQ_PAGE1_BASE) {
		q = (off - CMDQV_VCMDQ_PAGE0_BASE) / CMDQV_VCMDQ_STRIDE;
		if (q < cmdqv->nvcmdqs)
			ret = page0_write(cmdqv, q, off % CMDQV_VCMDQ_STRIDE,
					  size, value, &w);
		else if (size != 4)
			ret = -EINVAL;
	} else if (off < CMDQV_VINTF_PAGE_BASE) {
		q = (off - CMDQV_VCMDQ_PAGE1_BASE) / CMDQV_VCMDQ_STRIDE;
		if (q < cmdqv->nvcmdqs)
			ret = page1_write(cmdqv, q, off % CMDQV_VCMDQ_STRIDE,
					  size, value);
	} else {
		off -= CMDQV_VINTF_PAGE_BASE;
		ret = vintf_page_write(cmdqv, off / CMDQV_VINTF_PAGES_SIZE,
				       (off / CMDQV_PAGE_SIZE) & 1,
				       off % CMDQV_PAGE_SIZE, size, value, &w);
	}
	pages_export(cmdqv);
	consume = post_work(cmdqv, &w);
	ufd_mutex_unlock(&cmdqv->lock);
	if (consume)
		consume_work(cmdqv, &w);
	return ret;
}

uint64_t cmdqv_vintf_mmio_read(struct cmdqv *cmdqv, unsigned int vintf,
			       uint64_t offset, unsigned int size)
{
	uint64_t val;

	if (vintf >= cmdqv->nvintfs || size != 4 ||
	    !access_ok(offset, size, CMDQV_PAGE_SIZE))
		return 0;
	ufd_mutex_lock(&cmdqv->lock);
	val = vintf_page_read(cmdqv, vintf, 0, (uint32_t)offset, size);
	ufd_mutex_unlock(&cmdqv->lock);
	return val;
}

int cmdqv_vintf_mmio_write(struct cmdqv *cmdqv, unsigned int vintf,
			   uint64_t offset, unsigned int size, uint64_t value)
{
	struct work w = { { 0, 0 } };
	bool consume;
	int ret;

	/* Page 0 holds 32-bit registers only. */
	if (size != 4 || !access_ok(offset, size, CMDQV_PAGE_SIZE))
		return -EINVAL;
	if (vintf >= cmdqv->nvintfs)
		return 0;
	ufd_mutex_lock(&cmdqv->lock);
	ret = vintf_page_write(cmdqv, vintf, 0, (uint32_t)offset, size, value,
			       &w);
	page_export(cmdqv, vintf, -1);
	consume = post_work(cmdqv, &w);
	ufd_mutex_unlock(&cmdqv->lock);
	if (consume)
		consume_work(cmdqv, &w);
	return ret;
}

int cmdqv_vintf_page_attach(struct cmdqv *cmdqv, unsigned int vintf, void *page)
{
	uint32_t(*seen)[PAGE_REGS];
	struct cmdqv_vintf *vi;
	int16_t slot_q[PAGE_SLOTS];
	unsigned int l, r;
	uint32_t val;
	int ret;

	if (vintf >= cmdqv->nvintfs || !page || ((uintptr_t)page & 3))
		return -EINVAL;
	seen = ufd_calloc(PAGE_SLOTS, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	vi = &cmdqv->vintfs[vintf];
	ufd_mutex_lock(&cmdqv->lock);
	if (vi->page) {
		ret = -EBUSY;
		goto out_unlock;
	}
	vi->page = page;
	vi->seen = seen;
	/* Whatever the memory held, it now shows the registers. */
	page_slots(cmdqv, vintf, slot_q);
	for (l = 0; l < PAGE_SLOTS; l++) {
		for (r = 0; r < PAGE_REGS; r++) {
			val = slot_q[l] < 0
				      ? 0
				      : (uint32_t)page0_read(
						cmdqv, (unsigned int)slot_q[l],
						4 * r, 4);
			__atomic_store_n(page_reg(vi, l, r), val,
					 __ATOMIC_RELEASE);
			seen[l][r] = val;
		}
	}
	cmdqv->npages++;
	cmdqv->map_gen++;
	ufd_cond_signal(&cmdqv->wake);
	ufd_mutex_unlock(&cmdqv->lock);
	return 0;

out_unlock:
	ufd_mutex_unlock(&cmdqv->lock);
	ufd_free(seen);
	return ret;
}

void cmdqv_vintf_page_detach(struct cmdqv *cmdqv, unsigned int vintf)
{
	struct cmdqv_vintf *vi;
	uint32_t(*seen)[PAGE_REGS] = NULL;

	if (vintf >= cmdqv->nvintfs)
		return;
	vi = &cmdqv->vintfs[vintf];
	ufd_mutex_lock(&cmdqv->lock);
	if (vi->page) {
		vi->page = NULL;
		seen = vi->seen;
		vi->seen = NULL;
		cmdqv->npages--;
	}
	ufd_mutex_unlock(&cmdqv->lock);
	ufd_free(seen);
}

void cmdqv_vcmdq_quiesce(struct cmdqv *cmdqv, unsigned int q)
{
	if (q >= cmdqv->nvcmdqs)
		return;
	/* A consumer holds it from its snapshot to its last read. */
	ufd_mutex_lock(&cmdqv->vcmdqs[q].consume_lock);
	ufd_mutex_unlock(&cmdqv->vcmdqs[q].consume_lock);
}

unsigned int cmdqv_kick(struct cmdqv *cmdqv)
{
	struct work w = { { 0, 0 } };
	unsigned int q, total = 0;

	/* What the guest stored in its pages counts as written now. */
	ufd_mutex_lock(&cmdqv->lock);
	pages_import(cmdqv, &w);
	pages_export(cmdqv);
	ufd_mutex_unlock(&cmdqv->lock);
	for (q = 0; q < cmdqv->nvcmdqs; q++)
		total += consume_queue(cmdqv, q);
	return total;
}

void cmdqv_get_stats(struct cmdqv *cmdqv, struct cmdqv_stats *st)
{
	st->commands =
		__atomic_load_n(&cmdqv->stats.commands, __ATOMIC_RELAXED);
	st->errors = __atomic_load_n(&cmdqv->stats.errors, __ATOMIC_RELAXED);
	st->wakeups = __atomic_load_n(&cmdqv->stats.wakeups, __ATOMIC_RELAXED);
}
