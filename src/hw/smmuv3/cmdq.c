// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 command decoder and command queue consumption (chapter 4).
 *
 * One decoder serves the SMMU's own command queue (consumed synchronously
 * when software writes CMDQ_PROD) and any other queue that feeds it through
 * smmuv3_cmdq_consume() -- the Tegra241 CMDQV virtual queues, whose
 * smmuv3_cmdq_ops.prepare hook substitutes the VMID and StreamIDs the way
 * that hardware does and refuses what a virtual queue may not issue.
 *
 * Errors (4.1.3, 7.1): a reserved opcode, an opcode for something the model
 * does not implement (EL2/EL3 TLBIs, MPAM, a stage the model lacks), SSec
 * set on the Non-secure queue, or an ILLEGAL parameter combination is
 * CERROR_ILL; an entry that cannot be read is CERROR_ABT; a CMD_SYNC after
 * an ATC invalidation that did not complete is CERROR_ATC_INV_SYNC. The
 * queue stops at the failing command (CONS points at it) until software
 * acknowledges GERROR.CMDQ_ERR through GERRORN; consumption then resumes at
 * CONS, so software either fixes the command or skips it. Reserved fields
 * that are not part of an ILLEGAL combination are ignored, which the
 * architecture allows.
 *
 * Out-of-range StreamIDs and SubstreamIDs in invalidations have no effect
 * (4.1.7 allows that choice).
 */
#include <errno.h>
#include <string.h>

#include "base/overflow.h"
#include "hw/smmuv3/smmuv3_priv.h"

/*
 * The address range of a TLBI by address (4.4.1.1): one address when TG is
 * 0, else (NUM + 1) << SCALE granules from the address, with TTL as a hint
 * that only entries of that level are targeted.
 */
static unsigned int tlbi_range(struct smmuv3 *smmu, const uint64_t *cmd,
			       bool ipa, struct smmu_tlbi *inv)
{
	uint64_t addr = ipa ? smmu_dget(cmd, SMMU_CMD_TLBI_IPA) << 12
			    : smmu_dget(cmd, SMMU_CMD_TLBI_VA) << 12;
	unsigned int tg = smmu_dget(cmd, SMMU_CMD_TLBI_TG);
	unsigned int ttl = smmu_dget(cmd, SMMU_CMD_TLBI_TTL);
	unsigned int num = smmu_dget(cmd, SMMU_CMD_TLBI_NUM);
	unsigned int scale = smmu_dget(cmd, SMMU_CMD_TLBI_SCALE);
	unsigned int g;
	uint64_t bytes;

	/* Without IDR3.RIL these fields are RES0: single-address scope. */
	if (!smmu->cfg.range_inv)
		tg = ttl = num = scale = 0;
	inv->has_range = true;
	inv->first = addr;
	if (!tg) {
		inv->last = addr;
		inv->tg = 0;
		inv->ttl = 0;
		return SMMU_CERROR_NONE;
	}
	/* A granule with neither range nor level is a reserved encoding. */
	if (!num && !scale && !ttl)
		return SMMU_CERROR_ILL;
	/* 16K level 1 needs IDR5.DS; without it the encoding is ILLEGAL. */
	if (tg == SMMU_TLBI_TG_16K && ttl == 1)
		return SMMU_CERROR_ILL;
	g = tg == SMMU_TLBI_TG_4K ? 12 : tg == SMMU_TLBI_TG_16K ? 14 : 16;
	/* At most 32 << (31 + 16): no overflow in 64 bits. */
	bytes = (uint64_t)(num + 1) << (scale + g);
	/* The range does not wrap past the top of the address space. */
	if (check_add_overflow(addr, bytes - 1, &inv->last))
		inv->last = U64_MAX;
	inv->tg = tg;
	inv->ttl = ttl;
	return SMMU_CERROR_NONE;
}

static unsigned int cmd_tlbi(struct smmuv3_cmd_run *run, const uint64_t *cmd,
			     uint8_t op)
{
	struct smmuv3 *smmu = run->smmu;
	struct smmu_tlbi inv = { .op = op };
	unsigned int err;

	switch (op) {
	case SMMU_CMD_TLBI_NH_ALL:
	case SMMU_CMD_TLBI_NH_ASID:
	case SMMU_CMD_TLBI_NH_VA:
	case SMMU_CMD_TLBI_NH_VAA:
		if (!smmu->cfg.stage1)
			return SMMU_CERROR_ILL;
		break;
	case SMMU_CMD_TLBI_S12_VMALL:
	case SMMU_CMD_TLBI_S2_IPA:
		if (!smmu->cfg.stage2)
			return SMMU_CERROR_ILL;
		break;
	default:
		break;
	}
	/* VMID is only matched when stage 2 is implemented (4.4.2). */
	if (smmu->cfg.stage2)
		inv.vmid = (uint16_t)smmu_dget(cmd, SMMU_CMD_TLBI_VMID);
	inv.asid = (uint16_t)smmu_dget(cmd, SMMU_CMD_TLBI_ASID);
	if (op == SMMU_CMD_TLBI_NH_VA || op == SMMU_CMD_TLBI_NH_VAA ||
	    op == SMMU_CMD_TLBI_S2_IPA) {
		err = tlbi_range(smmu, cmd, op == SMMU_CMD_TLBI_S2_IPA, &inv);
		if (err)
			return err;
	}
	if (!run->tlbi_open) {
		smmu_iotlb_inval_begin(&smmu->tlb);
		run->tlbi_open = true;
	}
	smmu_iotlb_invalidate(&smmu->tlb, &inv);
	return SMMU_CERROR_NONE;
}

static unsigned int cmd_cfgi(struct smmuv3 *smmu, const uint64_t *cmd,
			     uint8_t op)
{
	uint32_t sid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SID);
	uint32_t ssid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SSID);
	unsigned int range;
	uint32_t first, last;

	if (smmu_dget(cmd, SMMU_CMD_SSEC))
		return SMMU_CERROR_ILL;
	if ((op == SMMU_CMD_CFGI_CD || op == SMMU_CMD_CFGI_CD_ALL) &&
	    !smmu->cfg.stage1)
		return SMMU_CERROR_ILL;
	switch (op) {
	case SMMU_CMD_CFGI_STE:
		smmu_cfgc_inval_sids(smmu, sid, sid);
		break;
	case SMMU_CMD_CFGI_STE_RANGE:
		range = smmu_dget(cmd, SMMU_CMD_CFGI_RANGE);
		if (range == SMMU_CFGI_RANGE_ALL) {
			first = 0;
			last = U32_MAX;
		} else {
			first = sid & ~(uint32_t)smmu_mask(range + 1);
			last = first | (uint32_t)smmu_mask(range + 1);
		}
		smmu_cfgc_inval_sids(smmu, first, last);
		break;
	case SMMU_CMD_CFGI_CD:
		smmu_cfgc_inval_cd(smmu, sid, ssid, false);
		break;
	default:
		smmu_cfgc_inval_cd(smmu, sid, 0, true);
		break;
	}
	return SMMU_CERROR_NONE;
}

static unsigned int cmd_atc_inv(struct smmuv3 *smmu, const uint64_t *cmd)
{
	uint32_t sid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SID);
	uint32_t ssid = SMMUV3_NO_SSID;
	unsigned int size = smmu_dget(cmd, SMMU_CMD_ATC_SIZE);
	uint64_t addr = smmu_dget(cmd, SMMU_CMD_ATC_ADDR) << 12;
	bool global = smmu_dget(cmd, SMMU_CMD_ATC_GLOBAL);
	const struct smmu_dev *dev;
	unsigned int size_lg2;

	if (!smmu->cfg.ats || smmu_dget(cmd, SMMU_CMD_SSEC))
		return SMMU_CERROR_ILL;
	if (smmu_dget(cmd, SMMU_CMD_SSV))
		ssid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SSID);
	/* A span of 2^Size pages, aligned to itself; 52 and up: all. */
	size_lg2 = size >= SMMU_ATC_INV_SIZE_ALL ? 64 : size + 12;
	addr &= ~smmu_mask(size_lg2);
	dev = smmu_dev_get(smmu, sid);
	if (dev && dev->ops->atc_inval &&
	    dev->ops->atc_inval(dev->priv, sid, ssid, addr, size_lg2, global))
		__atomic_store_n(&smmu->atc_failed, 1, __ATOMIC_RELAXED);
	smmu_dev_put(smmu);
	return SMMU_CERROR_NONE;
}

static unsigned int cmd_pri_resp(struct smmuv3 *smmu, const uint64_t *cmd)
{
	uint32_t sid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SID);
	uint32_t ssid = SMMUV3_NO_SSID;
	unsigned int resp = smmu_dget(cmd, SMMU_CMD_PRI_RESP);
	const struct smmu_dev *dev;

	if (!smmu->cfg.pri || smmu_dget(cmd, SMMU_CMD_SSEC))
		return SMMU_CERROR_ILL;
	/* Response codes are Deny, Failure and Success; 0b11 is reserved. */
	if (resp > SMMU_PRI_RESP_SUCC)
		return SMMU_CERROR_ILL;
	if (smmu_dget(cmd, SMMU_CMD_SSV))
		ssid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SSID);
	dev = smmu_dev_get(smmu, sid);
	if (dev && dev->ops->pri_resp)
		dev->ops->pri_resp(dev->priv, sid, ssid,
				   (uint16_t)smmu_dget(cmd, SMMU_CMD_PRI_PRGI),
				   resp);
	smmu_dev_put(smmu);
	return SMMU_CERROR_NONE;
}

/* Completes one stalled transaction; false if it is not stalled. */
static bool stall_complete(struct smmuv3 *smmu, uint32_t sid, uint16_t stag,
			   bool any_stag, unsigned int action)
{
	const struct smmu_dev *dev;
	bool found = false;
	unsigned int i;

	ufd_mutex_lock(&smmu->stall_lock);
	for (i = 0; i < smmu->cfg.stall_max; i++) {
		struct smmu_stall *st = &smmu->stalls[i];

		if (!st->used || st->sid != sid ||
		    (!any_stag && st->stag != stag))
			continue;
		st->used = false;
		stag = st->stag;
		found = true;
		break;
	}
	ufd_mutex_unlock(&smmu->stall_lock);
	if (!found)
		return false;
	dev = smmu_dev_get(smmu, sid);
	if (dev && dev->ops->resume)
		dev->ops->resume(dev->priv, sid, stag, action);
	smmu_dev_put(smmu);
	return true;
}

static unsigned int cmd_resume(struct smmuv3 *smmu, const uint64_t *cmd,
			       uint8_t op)
{
	uint32_t sid = (uint32_t)smmu_dget(cmd, SMMU_CMD_SID);
	unsigned int action = smmu_dget(cmd, SMMU_CMD_RESUME_ACTION);

	if (smmu_dget(cmd, SMMU_CMD_SSEC))
		return SMMU_CERROR_ILL;
	if (op == SMMU_CMD_RESUME && action > SMMU_RESUME_ABORT)
		return SMMU_CERROR_ILL;
	/* Without a stall model nothing is ever stalled: no effect. */
	if (!smmu->cfg.stall)
		return SMMU_CERROR_NONE;
	if (op == SMMU_CMD_RESUME) {
		stall_complete(smmu, sid,
			       (uint16_t)smmu_dget(cmd, SMMU_CMD_RESUME_STAG),
			       false, action);
	} else {
		while (stall_complete(smmu, sid, 0, true, SMMU_RESUME_TERM))
			;
	}
	return SMMU_CERROR_NONE;
}

static unsigned int cmd_sync(struct smmuv3 *smmu,
			     const struct smmuv3_cmdq_ops *ops,
			     const uint64_t *cmd)
{
	unsigned int cs = smmu_dget(cmd, SMMU_CMD_SYNC_CS);
	uint64_t msi = smmu_dget(cmd, SMMU_CMD_SYNC_MSIADDR) << 2;

	if (cs > SMMU_SYNC_SIG_SEV)
		return SMMU_CERROR_ILL;
	/* Every earlier command has completed; report an ATC that did not. */
	if (__atomic_exchange_n(&smmu->atc_failed, 0, __ATOMIC_RELAXED))
		return SMMU_CERROR_ATC_INV_SYNC;
	if (cs == SMMU_SYNC_SIG_IRQ) {
		if (smmu->cfg.msi && msi) {
			if (!smmu_msi_write(
				    smmu, msi,
				    (uint32_t)smmu_dget(cmd,
							SMMU_CMD_SYNC_MSIDATA)))
				smmu_gerror_activate(
					smmu,
					smmu_fmask(
						SMMU_GERROR_MSI_CMDQ_ABT_ERR));
		} else if (ops && ops->sync_irq) {
			ops->sync_irq(ops->priv);
		} else {
			smmu_raise_irq(smmu, SMMUV3_IRQ_CMD_SYNC);
		}
	} else if (cs == SMMU_SYNC_SIG_SEV) {
		smmu_raise_irq(smmu, SMMUV3_IRQ_SEV);
	}
	return SMMU_CERROR_NONE;
}

void smmuv3_cmd_run_begin(struct smmuv3_cmd_run *run, struct smmuv3 *smmu,
			  const struct smmuv3_cmdq_ops *ops)
{
	run->smmu = smmu;
	run->ops = ops;
	run->count = 0;
	run->tlbi_open = false;
}

/* Closes the TLB invalidation window the run's last TLBIs opened. */
static void run_tlbi_close(struct smmuv3_cmd_run *run)
{
	if (!run->tlbi_open)
		return;
	smmu_iotlb_inval_end(&run->smmu->tlb);
	run->tlbi_open = false;
}

void smmuv3_cmd_run_end(struct smmuv3_cmd_run *run)
{
	run_tlbi_close(run);
	if (run->count)
		__atomic_fetch_add(&run->smmu->stats.commands, run->count,
				   __ATOMIC_RELAXED);
	run->count = 0;
}

static bool is_tlbi(uint8_t op)
{
	switch (op) {
	case SMMU_CMD_TLBI_NH_ALL:
	case SMMU_CMD_TLBI_NH_ASID:
	case SMMU_CMD_TLBI_NH_VA:
	case SMMU_CMD_TLBI_NH_VAA:
	case SMMU_CMD_TLBI_S12_VMALL:
	case SMMU_CMD_TLBI_S2_IPA:
	case SMMU_CMD_TLBI_NSNH_ALL:
		return true;
	default:
		return false;
	}
}

/*
 * Every command but a TLBI. Apart from the TLBIs, so that a run of them
 * (the common case) goes through a small function.
 */
static __noinline unsigned int
cmd_other(struct smmuv3_cmd_run *run, uint64_t cmd[SMMU_CMD_DWORDS], uint8_t op)
{
	const struct smmuv3_cmdq_ops *ops = run->ops;
	struct smmuv3 *smmu = run->smmu;

	/* What follows TLBIs (a CMD_SYNC above all) sees them complete. */
	run_tlbi_close(run);
	switch (op) {
	case SMMU_CMD_PREFETCH_CONFIG:
	case SMMU_CMD_PREFETCH_ADDR_OP:
		/* Hints; prefetching nothing is a valid implementation. */
		if (smmu_dget(cmd, SMMU_CMD_SSEC))
			return SMMU_CERROR_ILL;
		return SMMU_CERROR_NONE;
	case SMMU_CMD_CFGI_STE:
	case SMMU_CMD_CFGI_STE_RANGE:
	case SMMU_CMD_CFGI_CD:
	case SMMU_CMD_CFGI_CD_ALL:
		return cmd_cfgi(smmu, cmd, op);
	case SMMU_CMD_ATC_INV:
		return cmd_atc_inv(smmu, cmd);
	case SMMU_CMD_PRI_RESP_OP:
		return cmd_pri_resp(smmu, cmd);
	case SMMU_CMD_RESUME:
	case SMMU_CMD_STALL_TERM:
		return cmd_resume(smmu, cmd, op);
	case SMMU_CMD_SYNC:
		return cmd_sync(smmu, ops, cmd);
	default:
		/*
		 * Reserved opcodes, and commands for what the model does not
		 * implement: CFGI_VMS_PIDM (MPAM), TLBI_EL2_* (IDR0.HYP == 0),
		 * TLBI_EL3_* and the Secure-only commands.
		 */
		return SMMU_CERROR_ILL;
	}
}

unsigned int smmuv3_cmd_run_execute(struct smmuv3_cmd_run *run,
				    uint64_t cmd[SMMU_CMD_DWORDS])
{
	const struct smmuv3_cmdq_ops *ops = run->ops;
	unsigned int err;
	uint8_t op;

	if (ops && ops->prepare) {
		err = ops->prepare(ops->priv, cmd);
		if (err)
			return err;
	}
	op = (uint8_t)smmu_dget(cmd, SMMU_CMD_OP);
	run->count++;
	if (is_tlbi(op))
		return cmd_tlbi(run, cmd, op);
	return cmd_other(run, cmd, op);
}

unsigned int smmuv3_cmd_execute(struct smmuv3 *smmu,
				const struct smmuv3_cmdq_ops *ops,
				const uint64_t cmd_in[SMMU_CMD_DWORDS])
{
	uint64_t cmd[SMMU_CMD_DWORDS] = { cmd_in[0], cmd_in[1] };
	struct smmuv3_cmd_run run;
	unsigned int err;

	smmuv3_cmd_run_begin(&run, smmu, ops);
	err = smmuv3_cmd_run_execute(&run, cmd);
	smmuv3_cmd_run_end(&run);
	return err;
}

unsigned int smmuv3_cmdq_consume(struct smmuv3 *smmu,
				 const struct smmuv3_cmdq_ops *ops,
				 uint64_t base, unsigned int log2size,
				 uint32_t prod, uint32_t *cons)
{
	uint32_t wrap_mask = (uint32_t)smmu_mask(log2size + 1);
	uint32_t c = *cons & wrap_mask;
	unsigned int err = SMMU_CERROR_NONE;
	uint64_t cmd[SMMU_CMD_DWORDS];
	struct smmuv3_cmd_run run;

	smmuv3_cmd_run_begin(&run, smmu, ops);
	prod &= wrap_mask;
	/* The base is aligned to the queue size, at least 32 bytes. */
	base &= ~smmu_mask(ufd_max(log2size + 4, 5u));
	while (c != prod) {
		uint64_t addr = base + 16ull * (c & smmu_mask(log2size));

		if (smmu_read_words(smmu, addr, cmd, SMMU_CMD_DWORDS)) {
			err = SMMU_CERROR_ABT;
			break;
		}
		err = smmuv3_cmd_run_execute(&run, cmd);
		if (err)
			break;
		c = (c + 1) & wrap_mask;
	}
	smmuv3_cmd_run_end(&run);
	*cons = (*cons & ~wrap_mask) | c;
	return err;
}

void smmu_cmdq_process(struct smmuv3 *smmu)
{
	uint64_t qbase = smmu->cmdq.base;
	unsigned int log2size = smmu_fget(qbase, SMMU_Q_BASE_LOG2SIZE);
	uint32_t cons;
	unsigned int err;

	ufd_mutex_assert_held(&smmu->regs_lock);
	if (!smmu_fget(smmu_cr0(smmu), SMMU_CR0_CMDQEN))
		return;
	if (smmu_gerror_active(smmu, smmu_fmask(SMMU_GERROR_CMDQ_ERR)))
		return;
	if (log2size > smmu->cfg.cmdq_max_lg2)
		log2size = smmu->cfg.cmdq_max_lg2;
	cons = smmu->cmdq.cons;
	err = smmuv3_cmdq_consume(smmu, NULL,
				  smmu_fget(qbase, SMMU_Q_BASE_ADDR) << 5,
				  log2size, smmu->cmdq.prod, &cons);
	if (err) {
		cons = (cons & ~smmu_fmask(SMMU_CMDQ_CONS_ERR)) |
		       smmu_fprep(SMMU_CMDQ_CONS_ERR, err);
		smmu->cmdq.cons = cons;
		smmu_gerror_activate(smmu, smmu_fmask(SMMU_GERROR_CMDQ_ERR));
		return;
	}
	smmu->cmdq.cons = cons;
}
