// SPDX-License-Identifier: BSD-3-Clause
/*
 * An SMMUv3 driver instance: the SMMU model brought up the way Linux brings
 * an SMMU up, the structures the host owns in its memory (a two-level
 * stream table, a command queue, an event queue), and the two ways the
 * driver talks to the hardware afterwards.
 *
 * Commands: smmu_cmdq_issue() writes a batch into the queue and moves
 * CMDQ_PROD; the model consumes synchronously in the writing thread, so
 * when the register write returns the batch (with its CMD_SYNC) has
 * completed or stopped on an error. A stopped queue is recovered as Linux
 * recovers it -- the failing command and everything after it in the batch
 * are overwritten with CMD_SYNC and GERRORN acknowledges -- so the queue is
 * always empty between batches and one caller's bad command cannot stop
 * another's. An ATC-invalidation timeout (CERROR_ATC_INV_SYNC) is
 * acknowledged and its CMD_SYNC runs again, as Linux does.
 *
 * Events: the model writes records into the event queue and raises the
 * event-queue interrupt (a callback in whichever thread faulted, after the
 * model dropped its locks). The callback only wakes the instance's event
 * thread, which reads the queue, hands each record to smmu_handle_event()
 * and moves EVENTQ_CONS -- the threaded interrupt handler of Linux.
 * ufd_smmuv3_evtq_poll() does the same work in the caller's thread. The
 * PRI queue (pri.c) is read the same way, by the same thread, when its
 * interrupt comes: both go through smmu_outq_drain().
 *
 * Physical memory: a "physical address" is a host address in this process
 * (DESIGN.md); the model's memory ops let the SMMU reach any of it except
 * the first 64 KiB and addresses beyond 47 bits, so a zero or garbage
 * pointer becomes an architectural abort, not a crash. Everything a guest
 * controls is reached through a stage 2 the host built, never directly.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/host_mem.h"
#include "drivers/smmuv3/smmuv3_priv.h"

/** smmu_host_ptr() - the host pointer of a "physical" address */
void *smmu_host_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/** smmu_host_pa() - the "physical" address of host memory @p */
uint64_t smmu_host_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- Identifiers ---- */

/**
 * smmu_id_alloc() - the lowest free id in [@first, 2^@bits) of @map
 *
 * Return: the id, or -ENOSPC.
 */
int smmu_id_alloc(struct ufd_smmuv3 *smmu, unsigned long *map,
		  unsigned int bits, unsigned int first)
{
	unsigned long id;

	ufd_mutex_lock(&smmu->ids_lock);
	id = find_next_zero_bit(map, 1ul << bits, first);
	if (id < (1ul << bits))
		set_bit(id, map);
	ufd_mutex_unlock(&smmu->ids_lock);
	return id < (1ul << bits) ? (int)id : -ENOSPC;
}

/** smmu_id_free() - give back an id from smmu_id_alloc() */
void smmu_id_free(struct ufd_smmuv3 *smmu, unsigned long *map, unsigned int id)
{
	ufd_mutex_lock(&smmu->ids_lock);
	clear_bit(id, map);
	ufd_mutex_unlock(&smmu->ids_lock);
}

/* ---- Stream table ---- */

/**
 * smmu_strtab_prepare() - make sure a level-2 table covers @sid
 *
 * A new level-2 table starts with every STE aborting. Called with
 * streams_lock held. Return: 0 or -ENOMEM.
 */
int smmu_strtab_prepare(struct ufd_smmuv3 *smmu, uint32_t sid)
{
	unsigned int i = sid >> SMMU_DRV_SPLIT, s;
	uint64_t *l2, desc = 0;

	ufd_mutex_assert_held(&smmu->streams_lock);
	if (smmu->l2[i])
		return 0;
	l2 = ufd_alloc_aligned(SMMU_DRV_L2_STES * SMMU_STE_DWORDS * 8,
			       SMMU_DRV_L2_STES * SMMU_STE_DWORDS * 8);
	if (!l2)
		return -ENOMEM;
	for (s = 0; s < SMMU_DRV_L2_STES; s++)
		smmu_make_abort_ste(&l2[s * SMMU_STE_DWORDS]);
	smmu_dset(&desc, SMMU_L1STD_SPAN, SMMU_DRV_SPLIT + 1);
	smmu_dset(&desc, SMMU_L1STD_L2PTR, smmu_host_pa(l2) >> 6);
	smmu->l2[i] = l2;
	/* Publishes the initialised table to the walker. */
	__atomic_store_n(&smmu->l1[i], desc, __ATOMIC_RELEASE);
	return 0;
}

/** smmu_ste_ptr() - the STE of @sid, whose level-2 table must exist */
uint64_t *smmu_ste_ptr(struct ufd_smmuv3 *smmu, uint32_t sid)
{
	return &smmu->l2[sid >> SMMU_DRV_SPLIT]
			[(sid % SMMU_DRV_L2_STES) * SMMU_STE_DWORDS];
}

/**
 * smmu_write_ste() - store a new STE for @sid
 *
 * The caller issues CFGI_STE afterwards. Nothing translates for @sid
 * meanwhile (its device is being attached), so the words need no order.
 */
void smmu_write_ste(struct ufd_smmuv3 *smmu, uint32_t sid,
		    const uint64_t ste[SMMU_STE_DWORDS])
{
	uint64_t *p = smmu_ste_ptr(smmu, sid);
	unsigned int i;

	for (i = 0; i < SMMU_STE_DWORDS; i++)
		__atomic_store_n(&p[i], ste[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

int ufd_smmuv3_read_ste(struct ufd_smmuv3 *smmu, uint32_t sid,
			uint64_t ste[SMMU_STE_DWORDS])
{
	int rc = -ENOENT;
	unsigned int i;

	if (sid >> smmu->sid_bits)
		return -ENOENT;
	ufd_mutex_lock(&smmu->streams_lock);
	if (smmu->l2[sid >> SMMU_DRV_SPLIT]) {
		for (i = 0; i < SMMU_STE_DWORDS; i++)
			ste[i] = __atomic_load_n(&smmu_ste_ptr(smmu, sid)[i],
						 __ATOMIC_RELAXED);
		rc = 0;
	}
	ufd_mutex_unlock(&smmu->streams_lock);
	return rc;
}

/* ---- Command queue ---- */

static uint32_t rd32(struct ufd_smmuv3 *smmu, uint64_t off)
{
	return (uint32_t)smmuv3_mmio_read(smmu->hw, off, 4);
}

static void wr32(struct ufd_smmuv3 *smmu, uint64_t off, uint32_t v)
{
	smmuv3_mmio_write(smmu->hw, off, 4, v);
}

static void wr64(struct ufd_smmuv3 *smmu, uint64_t off, uint64_t v)
{
	smmuv3_mmio_write(smmu->hw, off, 8, v);
}

static bool cmdq_err_active(struct ufd_smmuv3 *smmu)
{
	return smmu_fget(rd32(smmu, SMMU_GERROR) ^ rd32(smmu, SMMU_GERRORN),
			 SMMU_GERROR_CMDQ_ERR);
}

static void cmdq_ack_err(struct ufd_smmuv3 *smmu)
{
	/* Consumption restarts at CONS in this very write. */
	wr32(smmu, SMMU_GERRORN, rd32(smmu, SMMU_GERROR));
}

static void cmdq_put(struct ufd_smmuv3 *smmu, uint32_t idx, uint64_t c0,
		     uint64_t c1)
{
	uint64_t *e = &smmu->cmdq[(idx % (1u << SMMU_DRV_CMDQ_LG2)) * 2];

	e[0] = c0;
	e[1] = c1;
}

static uint64_t cmd_sync_word(void)
{
	return smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC) |
	       smmu_dprep(SMMU_CMD_SYNC_CS, SMMU_SYNC_SIG_NONE);
}

/*
 * Runs entries [start, start + n) of the queue, n at most the queue size.
 * Returns the index (from @start) of the command that failed, or n.
 */
static unsigned int cmdq_run(struct ufd_smmuv3 *smmu, uint32_t start,
			     unsigned int n, unsigned int *cerror)
{
	uint32_t wrap = (2u << SMMU_DRV_CMDQ_LG2) - 1, cons, i;
	unsigned int failed = n;

	*cerror = SMMU_CERROR_NONE;
	smmu->cmdq_prod = (start + n) & wrap;
	wr32(smmu, SMMU_CMDQ_PROD, smmu->cmdq_prod);
	while (cmdq_err_active(smmu)) {
		cons = rd32(smmu, SMMU_CMDQ_CONS);
		smmu_stat_inc(smmu, cmdq_errors);
		if (smmu_fget(cons, SMMU_CMDQ_CONS_ERR) ==
		    SMMU_CERROR_ATC_INV_SYNC) {
			/* CONS is at the CMD_SYNC: run it again. */
			cmdq_ack_err(smmu);
			continue;
		}
		if (failed == n) {
			failed = (cons - start) & wrap;
			*cerror = smmu_fget(cons, SMMU_CMDQ_CONS_ERR);
		}
		/* Nothing from the failing command on may take effect. */
		for (i = cons & wrap; i != smmu->cmdq_prod; i = (i + 1) & wrap)
			cmdq_put(smmu, i, cmd_sync_word(), 0);
		cmdq_ack_err(smmu);
	}
	return failed;
}

/**
 * smmu_cmdq_issue() - execute commands through the SMMU's command queue
 * @cmds: @n commands, CPU order
 * @sync: follow them with a CMD_SYNC
 * @done: set to the number of @cmds that completed (NULL: not wanted)
 *
 * Commands after a failing one do not execute.
 *
 * Return: 0, or -EIO when a command failed (CERROR_ILL or CERROR_ABT).
 */
int smmu_cmdq_issue(struct ufd_smmuv3 *smmu,
		    const uint64_t (*cmds)[SMMU_CMD_DWORDS], unsigned int n,
		    bool sync, unsigned int *done)
{
	const unsigned int qsize = 1u << SMMU_DRV_CMDQ_LG2;
	unsigned int total = n + sync, i = 0, chunk, k, failed, cerror = 0;
	int rc = 0;

	ufd_mutex_lock(&smmu->cmdq_lock);
	while (i < total) {
		uint32_t start = smmu->cmdq_prod;

		chunk = ufd_min(total - i, qsize);
		for (k = 0; k < chunk; k++) {
			if (i + k < n)
				cmdq_put(smmu, start + k, cmds[i + k][0],
					 cmds[i + k][1]);
			else
				cmdq_put(smmu, start + k, cmd_sync_word(), 0);
		}
		__atomic_fetch_add(&smmu->stats.cmds, chunk, __ATOMIC_RELAXED);
		failed = cmdq_run(smmu, start, chunk, &cerror);
		if (failed < chunk) {
			i += failed;
			rc = -EIO;
			break;
		}
		i += chunk;
	}
	ufd_mutex_unlock(&smmu->cmdq_lock);
	if (done)
		*done = ufd_min(i, n);
	if (rc)
		ufd_log(UFD_LOG_DEBUG, "smmuv3: command %u failed, CERROR %u",
			i, cerror);
	return rc;
}

/** smmu_cmd_sync_one() - one command and a CMD_SYNC; returns as issue */
int smmu_cmd_sync_one(struct ufd_smmuv3 *smmu, uint64_t c0, uint64_t c1)
{
	const uint64_t cmd[1][SMMU_CMD_DWORDS] = { { c0, c1 } };

	return smmu_cmdq_issue(smmu, cmd, 1, true, NULL);
}

/* ---- Output queues: events, page requests ---- */

/**
 * smmu_outq_drain() - consume every record the SMMU wrote into @q
 *
 * Hands each record to q->handle in order and moves CONS past it; an
 * overflow (PROD.OVFLG) is reported to q->overflow and acknowledged once
 * the records before it are consumed. The caller serialises consumers of
 * @q. Return: the number of records handled.
 */
unsigned int smmu_outq_drain(struct ufd_smmuv3 *smmu, const struct smmu_outq *q)
{
	const uint32_t wrap = (2u << q->lg2) - 1;
	const uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	uint64_t rec[SMMU_EVT_DWORDS];
	unsigned int n = 0, i;
	uint32_t prod;

	for (;;) {
		prod = rd32(smmu, q->prod_reg);
		if ((prod & wrap) == (*q->cons & wrap) &&
		    (prod & ovf) == (*q->cons & ovf))
			break;
		while ((prod & wrap) != (*q->cons & wrap)) {
			const uint64_t *e =
				&q->base[(*q->cons % (1u << q->lg2)) *
					 q->dwords];

			for (i = 0; i < q->dwords; i++)
				rec[i] = e[i];
			*q->cons = (*q->cons & ovf) | ((*q->cons + 1) & wrap);
			q->handle(smmu, rec);
			n++;
		}
		/* Acknowledge an overflow: the records it lost are gone. */
		if ((prod & ovf) != (*q->cons & ovf)) {
			q->overflow(smmu);
			*q->cons = (*q->cons & wrap) | (prod & ovf);
		}
		wr32(smmu, q->cons_reg, *q->cons);
	}
	return n;
}

static void evtq_handle(struct ufd_smmuv3 *smmu, const uint64_t *rec)
{
	smmu_stat_inc(smmu, events);
	smmu_handle_event(smmu, rec);
}

static void evtq_overflow(struct ufd_smmuv3 *smmu)
{
	smmu_stat_inc(smmu, evtq_overflows);
}

unsigned int ufd_smmuv3_evtq_poll(struct ufd_smmuv3 *smmu)
{
	const struct smmu_outq q = {
		.prod_reg = SMMU_EVENTQ_PROD,
		.cons_reg = SMMU_EVENTQ_CONS,
		.base = smmu->evtq,
		.lg2 = SMMU_DRV_EVTQ_LG2,
		.dwords = SMMU_EVT_DWORDS,
		.cons = &smmu->evtq_cons,
		.handle = evtq_handle,
		.overflow = evtq_overflow,
	};
	unsigned int n;

	ufd_mutex_lock(&smmu->evtq_lock);
	n = smmu_outq_drain(smmu, &q);
	ufd_mutex_unlock(&smmu->evtq_lock);
	return n;
}

static void *evt_thread_main(void *arg)
{
	struct ufd_smmuv3 *smmu = arg;

	bool evt, pri;

	ufd_mutex_lock(&smmu->wake_lock);
	while (!smmu->evt_stop) {
		if (!smmu->evt_pending && !smmu->pri_pending) {
			ufd_cond_wait(&smmu->wake, &smmu->wake_lock);
			continue;
		}
		evt = smmu->evt_pending;
		pri = smmu->pri_pending;
		smmu->evt_pending = smmu->pri_pending = false;
		ufd_mutex_unlock(&smmu->wake_lock);
		if (evt)
			ufd_smmuv3_evtq_poll(smmu);
		if (pri)
			ufd_smmuv3_priq_poll(smmu);
		ufd_mutex_lock(&smmu->wake_lock);
	}
	ufd_mutex_unlock(&smmu->wake_lock);
	return NULL;
}

/* The SMMU's wired interrupts; runs in the faulting thread, no lock held. */
static void smmu_irq(void *priv, enum smmuv3_irq irq)
{
	struct ufd_smmuv3 *smmu = priv;

	if ((irq != SMMUV3_IRQ_EVTQ && irq != SMMUV3_IRQ_PRIQ) ||
	    !smmu->has_thread)
		return;
	ufd_mutex_lock(&smmu->wake_lock);
	if (irq == SMMUV3_IRQ_EVTQ)
		smmu->evt_pending = true;
	else
		smmu->pri_pending = true;
	ufd_cond_signal(&smmu->wake);
	ufd_mutex_unlock(&smmu->wake_lock);
}

/* ---- Bring-up ---- */

static int probe_idrs(struct ufd_smmuv3 *smmu)
{
	unsigned int i;
	uint32_t *idr = smmu->idr;

	for (i = 0; i < 6; i++)
		idr[i] = rd32(smmu, SMMU_IDR0 + 4 * i);
	smmu->s1 = smmu_fget(idr[0], SMMU_IDR0_S1P);
	smmu->s2 = smmu_fget(idr[0], SMMU_IDR0_S2P);
	smmu->nesting = smmu->s1 && smmu->s2;
	smmu->coherent = smmu_fget(idr[0], SMMU_IDR0_COHACC);
	smmu->hd = smmu_fget(idr[0], SMMU_IDR0_HTTU) == SMMU_HTTU_AD &&
		   smmu->coherent;
	smmu->ats = smmu_fget(idr[0], SMMU_IDR0_ATS);
	/* PRI with a queue of the SMMU's size if it is smaller than ours. */
	smmu->priq_lg2 =
		ufd_min((unsigned int)smmu_fget(idr[1], SMMU_IDR1_PRIQS),
			(unsigned int)SMMU_DRV_PRIQ_LG2);
	smmu->pri = smmu_fget(idr[0], SMMU_IDR0_PRI);
	smmu->stall = smmu_fget(idr[0], SMMU_IDR0_STALL_MODEL) !=
		      SMMU_STALL_MODEL_NOSTALL;
	smmu->asid_bits = smmu_fget(idr[0], SMMU_IDR0_ASID16) ? 16 : 8;
	smmu->vmid_bits = smmu_fget(idr[0], SMMU_IDR0_VMID16) ? 16 : 8;
	smmu->sid_bits =
		ufd_min((unsigned int)smmu_fget(idr[1], SMMU_IDR1_SIDSIZE),
			(unsigned int)SMMU_DRV_SID_BITS_MAX);
	smmu->ssid_bits = smmu_fget(idr[1], SMMU_IDR1_SSIDSIZE);
	smmu->cmdqs_lg2 = smmu_fget(idr[1], SMMU_IDR1_CMDQS);
	smmu->ril = smmu_fget(idr[3], SMMU_IDR3_RIL);
	/*
	 * Host tables and queues sit at host addresses: 4K pages, a 48-bit
	 * output size and room for our queues are what this driver needs.
	 */
	if ((!smmu->s1 && !smmu->s2) || !smmu_fget(idr[5], SMMU_IDR5_GRAN4K) ||
	    smmu_fget(idr[5], SMMU_IDR5_OAS) < SMMU_PS_48 ||
	    smmu_fget(idr[0], SMMU_IDR0_ST_LEVEL) != SMMU_ST_LEVEL_2LVL ||
	    smmu->cmdqs_lg2 < SMMU_DRV_CMDQ_LG2 ||
	    smmu_fget(idr[1], SMMU_IDR1_EVENTQS) < SMMU_DRV_EVTQ_LG2)
		return -EINVAL;
	return 0;
}

static int alloc_structures(struct ufd_smmuv3 *smmu)
{
	unsigned int nsids = 1u << smmu->sid_bits;
	unsigned int nl1 = ufd_max(nsids >> SMMU_DRV_SPLIT, 1u);

	/* The SMMU aligns the level-1 table to its size. */
	smmu->l1 = ufd_alloc_aligned(ufd_max(nl1 * sizeof(uint64_t), 64ul),
				     nl1 * sizeof(uint64_t));
	smmu->l2 = ufd_calloc(nl1, sizeof(*smmu->l2));
	smmu->by_sid = ufd_calloc(nsids, sizeof(*smmu->by_sid));
	smmu->sid_map = bitmap_zalloc(nsids);
	smmu->asid_map = bitmap_zalloc(1ul << smmu->asid_bits);
	smmu->vmid_map = bitmap_zalloc(1ul << smmu->vmid_bits);
	smmu->cmdq = ufd_alloc_aligned(16u << SMMU_DRV_CMDQ_LG2,
				       16u << SMMU_DRV_CMDQ_LG2);
	smmu->evtq = ufd_alloc_aligned(32u << SMMU_DRV_EVTQ_LG2,
				       32u << SMMU_DRV_EVTQ_LG2);
	/* The SMMU aligns a queue to its size, and to 32 bytes at least. */
	if (smmu->pri)
		smmu->priq =
			ufd_alloc_aligned(ufd_max(16u << smmu->priq_lg2, 32u),
					  ufd_max(16u << smmu->priq_lg2, 32u));
	if (!smmu->l1 || !smmu->l2 || !smmu->by_sid || !smmu->sid_map ||
	    !smmu->asid_map || !smmu->vmid_map || !smmu->cmdq || !smmu->evtq ||
	    (smmu->pri && !smmu->priq))
		return -ENOMEM;
	return 0;
}

static void free_structures(struct ufd_smmuv3 *smmu)
{
	unsigned int nl1 = ufd_max((1u << smmu->sid_bits) >> SMMU_DRV_SPLIT,
				   1u),
		     i;

	if (smmu->l2)
		for (i = 0; i < nl1; i++)
			ufd_free(smmu->l2[i]);
	ufd_free(smmu->l2);
	ufd_free(smmu->l1);
	ufd_free(smmu->by_sid);
	bitmap_free(smmu->sid_map);
	bitmap_free(smmu->asid_map);
	bitmap_free(smmu->vmid_map);
	ufd_free(smmu->cmdq);
	ufd_free(smmu->evtq);
	ufd_free(smmu->priq);
}

static uint32_t cr0_with(struct ufd_smmuv3 *smmu, uint32_t bits)
{
	uint32_t cr0 = rd32(smmu, SMMU_CR0) | bits;

	wr32(smmu, SMMU_CR0, cr0);
	return rd32(smmu, SMMU_CR0ACK);
}

/* What Linux's device reset does, for this driver's structures. */
static int smmu_reset(struct ufd_smmuv3 *smmu)
{
	uint32_t cr1, ack;
	uint64_t base;

	wr32(smmu, SMMU_CR0, 0);
	if (rd32(smmu, SMMU_CR0ACK))
		return -EIO;
	cr1 = (uint32_t)(smmu_fprep(SMMU_CR1_TABLE_SH, 3) |
			 smmu_fprep(SMMU_CR1_TABLE_OC, 1) |
			 smmu_fprep(SMMU_CR1_TABLE_IC, 1) |
			 smmu_fprep(SMMU_CR1_QUEUE_SH, 3) |
			 smmu_fprep(SMMU_CR1_QUEUE_OC, 1) |
			 smmu_fprep(SMMU_CR1_QUEUE_IC, 1));
	wr32(smmu, SMMU_CR1, cr1);
	wr32(smmu, SMMU_CR2,
	     (uint32_t)(smmu_fprep(SMMU_CR2_RECINVSID, 1) |
			smmu_fprep(SMMU_CR2_PTM, 1)));

	base = smmu_fprep(SMMU_STRTAB_BASE_ADDR, smmu_host_pa(smmu->l1) >> 6) |
	       smmu_fprep(SMMU_STRTAB_BASE_RA, 1);
	wr64(smmu, SMMU_STRTAB_BASE, base);
	wr32(smmu, SMMU_STRTAB_BASE_CFG,
	     (uint32_t)(smmu_fprep(SMMU_STRTAB_BASE_CFG_FMT,
				   SMMU_STRTAB_FMT_2LVL) |
			smmu_fprep(SMMU_STRTAB_BASE_CFG_SPLIT, SMMU_DRV_SPLIT) |
			smmu_fprep(SMMU_STRTAB_BASE_CFG_LOG2SIZE,
				   smmu->sid_bits)));

	base = smmu_fprep(SMMU_Q_BASE_ADDR, smmu_host_pa(smmu->cmdq) >> 5) |
	       smmu_fprep(SMMU_Q_BASE_LOG2SIZE, SMMU_DRV_CMDQ_LG2);
	wr64(smmu, SMMU_CMDQ_BASE, base);
	wr32(smmu, SMMU_CMDQ_PROD, 0);
	wr32(smmu, SMMU_CMDQ_CONS, 0);
	ack = cr0_with(smmu, (uint32_t)smmu_fmask(SMMU_CR0_CMDQEN));
	if (!smmu_fget(ack, SMMU_CR0_CMDQEN))
		return -EIO;

	/* Nothing may survive from before: configuration and TLBs. */
	if (smmu_cmd_sync_one(
		    smmu, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE_RANGE),
		    smmu_dprep(SMMU_CMD_CFGI_RANGE, SMMU_CFGI_RANGE_ALL)) ||
	    smmu_cmd_sync_one(
		    smmu, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NSNH_ALL), 0))
		return -EIO;

	base = smmu_fprep(SMMU_Q_BASE_ADDR, smmu_host_pa(smmu->evtq) >> 5) |
	       smmu_fprep(SMMU_Q_BASE_LOG2SIZE, SMMU_DRV_EVTQ_LG2);
	wr64(smmu, SMMU_EVENTQ_BASE, base);
	wr32(smmu, SMMU_EVENTQ_PROD, 0);
	wr32(smmu, SMMU_EVENTQ_CONS, 0);
	ack = cr0_with(smmu, (uint32_t)smmu_fmask(SMMU_CR0_EVENTQEN));
	if (!smmu_fget(ack, SMMU_CR0_EVENTQEN))
		return -EIO;

	if (smmu->pri && smmu_priq_init(smmu))
		return -EIO;

	wr32(smmu, SMMU_IRQ_CTRL,
	     (uint32_t)(smmu_fmask(SMMU_IRQ_CTRL_GERROR_IRQEN) |
			smmu_fmask(SMMU_IRQ_CTRL_EVENTQ_IRQEN) |
			(smmu->pri ? smmu_fmask(SMMU_IRQ_CTRL_PRIQ_IRQEN)
				   : 0)));

	ack = cr0_with(smmu, (uint32_t)(smmu_fmask(SMMU_CR0_SMMUEN) |
					(smmu->ats ? smmu_fmask(SMMU_CR0_ATSCHK)
						   : 0)));
	return smmu_fget(ack, SMMU_CR0_SMMUEN) ? 0 : -EIO;
}

/* The operations; the default instance's, copied into every other one. */
const struct ufd_iommu_ops ufd_smmuv3_iommu = {
	.name = "arm-smmu-v3",
	.probe_device = smmu_probe_device,
	.release_device = ufd_smmuv3_release_device,
	.domain_alloc_paging = smmu_domain_alloc_paging,
	.attach = smmu_attach,
	.capable = smmu_capable,
	.ats_request = smmu_ats_request,
	.pri_request = smmu_pri_request,
	.hw_info = smmu_hw_info,
	.domain_alloc_nested = smmu_domain_alloc_nested,
	.viommu_supported = smmu_viommu_supported,
	.viommu_init = smmu_viommu_init,
};

static void smmu_free(struct ufd_smmuv3 *smmu)
{
	if (smmu->has_thread) {
		ufd_mutex_lock(&smmu->wake_lock);
		smmu->evt_stop = true;
		ufd_cond_broadcast(&smmu->wake);
		ufd_mutex_unlock(&smmu->wake_lock);
		pthread_join(smmu->evt_thread, NULL);
	}
	cmdqv_destroy(smmu->cv);
	if (smmu->hw && !IS_ERR(smmu->hw))
		smmuv3_destroy(smmu->hw);
	smmu_priq_free(smmu);
	free_structures(smmu);
	ufd_cond_destroy(&smmu->wake);
	ufd_mutex_destroy(&smmu->wake_lock);
	ufd_mutex_destroy(&smmu->evtq_lock);
	ufd_mutex_destroy(&smmu->pri_lock);
	ufd_mutex_destroy(&smmu->cmdq_lock);
	ufd_mutex_destroy(&smmu->ids_lock);
	ufd_mutex_destroy(&smmu->streams_lock);
	ufd_mutex_destroy(&smmu->vintf_lock);
	ufd_free(smmu);
}

struct ufd_smmuv3 *ufd_smmuv3_create(const struct ufd_smmuv3_opts *opts)
{
	static const struct ufd_smmuv3_opts none;
	struct smmuv3_config cfg;
	struct ufd_smmuv3 *smmu;
	int rc;

	if (!opts)
		opts = &none;
	smmu = ufd_zalloc(sizeof(*smmu));
	if (!smmu)
		return ERR_PTR(-ENOMEM);
	smmu->ops = ufd_smmuv3_iommu;
	ufd_mutex_init(&smmu->streams_lock);
	ufd_mutex_init(&smmu->ids_lock);
	ufd_mutex_init(&smmu->cmdq_lock);
	ufd_mutex_init(&smmu->evtq_lock);
	ufd_mutex_init(&smmu->pri_lock);
	smmu_list_init(&smmu->prgs);
	ufd_mutex_init(&smmu->wake_lock);
	ufd_mutex_init(&smmu->vintf_lock);
	ufd_cond_init(&smmu->wake);

	smmuv3_config_default(&cfg);
	if (opts->tweak)
		opts->tweak(&cfg);
	cfg.mem = &ufd_host_mem_ops;
	cfg.mem_priv = NULL;
	cfg.mem_window = &ufd_host_mem_window;
	cfg.irq = smmu_irq;
	cfg.irq_priv = smmu;
	smmu->hw = smmuv3_create(&cfg);
	if (IS_ERR(smmu->hw)) {
		rc = (int)PTR_ERR(smmu->hw);
		goto out_free;
	}
	rc = probe_idrs(smmu);
	if (rc)
		goto out_free;
	rc = alloc_structures(smmu);
	if (rc)
		goto out_free;
	rc = smmu_reset(smmu);
	if (rc)
		goto out_free;
	if (opts->cmdqv) {
		struct cmdqv_config ccfg;

		cmdqv_config_default(&ccfg);
		ccfg.consume = CMDQV_CONSUME_THREAD;
		if (opts->cmdqv_tweak)
			opts->cmdqv_tweak(&ccfg);
		ccfg.smmu = smmu->hw;
		ccfg.mem = &ufd_host_mem_ops;
		ccfg.mem_priv = NULL;
		ccfg.on_error = smmu_tegra_on_error;
		ccfg.err_priv = smmu;
		smmu->cv = cmdqv_create(&ccfg);
		if (IS_ERR(smmu->cv)) {
			rc = (int)PTR_ERR(smmu->cv);
			smmu->cv = NULL;
			goto out_free;
		}
		rc = smmu_tegra_init_instance(smmu);
		if (rc)
			goto out_free;
	}
	if (!opts->evtq_no_thread) {
		rc = -pthread_create(&smmu->evt_thread, NULL, evt_thread_main,
				     smmu);
		if (rc)
			goto out_free;
		smmu->has_thread = true;
	}
	return smmu;

out_free:
	smmu_free(smmu);
	return ERR_PTR(rc);
}

void ufd_smmuv3_destroy(struct ufd_smmuv3 *smmu)
{
	if (IS_ERR_OR_NULL(smmu) || smmu->is_default)
		return;
	wr32(smmu, SMMU_CR0, 0);
	smmu_free(smmu);
}

/* The default instance: made once, never destroyed. */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct ufd_smmuv3 *default_smmu;

static void default_init(void)
{
	const struct ufd_smmuv3_opts opts = { .cmdqv = true };
	struct ufd_smmuv3 *smmu = ufd_smmuv3_create(&opts);

	if (!IS_ERR(smmu))
		smmu->is_default = true;
	__atomic_store_n(&default_smmu, smmu, __ATOMIC_RELEASE);
}

struct ufd_smmuv3 *ufd_smmuv3_default(void)
{
	pthread_once(&default_once, default_init);
	return __atomic_load_n(&default_smmu, __ATOMIC_ACQUIRE);
}

/** smmu_is_our_ops() - are @ops this driver's (any instance's)? */
bool smmu_is_our_ops(const struct ufd_iommu_ops *ops)
{
	return ops && ops->probe_device == smmu_probe_device;
}

struct ufd_smmuv3 *ufd_smmuv3_of(const struct ufd_iommu_ops *ops)
{
	if (ops == &ufd_smmuv3_iommu)
		return ufd_smmuv3_default();
	if (!smmu_is_our_ops(ops))
		return NULL;
	return container_of(ops, struct ufd_smmuv3, ops);
}

/** smmu_of_dev() - the instance of a device this driver probed */
struct ufd_smmuv3 *smmu_of_dev(const struct ufd_dev *dev)
{
	return dev_to_master(dev)->smmu;
}

const struct ufd_iommu_ops *ufd_smmuv3_ops(struct ufd_smmuv3 *smmu)
{
	return smmu->is_default ? &ufd_smmuv3_iommu : &smmu->ops;
}

struct smmuv3 *ufd_smmuv3_hw(struct ufd_smmuv3 *smmu)
{
	return smmu->hw;
}

struct cmdqv *ufd_smmuv3_cmdqv(struct ufd_smmuv3 *smmu)
{
	return smmu->cv;
}

void ufd_smmuv3_get_stats(struct ufd_smmuv3 *smmu, struct ufd_smmuv3_stats *st)
{
	st->cmds = __atomic_load_n(&smmu->stats.cmds, __ATOMIC_RELAXED);
	st->cmdq_errors =
		__atomic_load_n(&smmu->stats.cmdq_errors, __ATOMIC_RELAXED);
	st->events = __atomic_load_n(&smmu->stats.events, __ATOMIC_RELAXED);
	st->events_fwd =
		__atomic_load_n(&smmu->stats.events_fwd, __ATOMIC_RELAXED);
	st->events_lost =
		__atomic_load_n(&smmu->stats.events_lost, __ATOMIC_RELAXED);
	st->evtq_overflows =
		__atomic_load_n(&smmu->stats.evtq_overflows, __ATOMIC_RELAXED);
	st->cmdqv_errors =
		__atomic_load_n(&smmu->stats.cmdqv_errors, __ATOMIC_RELAXED);
	st->ats_treqs =
		__atomic_load_n(&smmu->stats.ats_treqs, __ATOMIC_RELAXED);
	st->ats_translated =
		__atomic_load_n(&smmu->stats.ats_translated, __ATOMIC_RELAXED);
	st->atc_invs = __atomic_load_n(&smmu->stats.atc_invs, __ATOMIC_RELAXED);
	st->pri_reqs = __atomic_load_n(&smmu->stats.pri_reqs, __ATOMIC_RELAXED);
	st->pri_groups =
		__atomic_load_n(&smmu->stats.pri_groups, __ATOMIC_RELAXED);
	st->pri_denied =
		__atomic_load_n(&smmu->stats.pri_denied, __ATOMIC_RELAXED);
	st->pri_resps =
		__atomic_load_n(&smmu->stats.pri_resps, __ATOMIC_RELAXED);
	st->pri_dropped =
		__atomic_load_n(&smmu->stats.pri_dropped, __ATOMIC_RELAXED);
	st->priq_overflows =
		__atomic_load_n(&smmu->stats.priq_overflows, __ATOMIC_RELAXED);
}
