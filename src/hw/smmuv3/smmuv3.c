// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 model's instance and register file: identification registers
 * built from the configuration, control registers and their
 * acknowledgements, the queue registers, GERROR/GERRORN, and the two output
 * queues the SMMU produces into (events, 7.2-7.4; PRI, 8).
 *
 * Registers behave as chapter 6 says: CR0ACK and IRQ_CTRLACK follow their
 * registers at once (the model has no delayed enable); GBPA changes only
 * with UPDATE set; a base register is ignored while its queue or the SMMU
 * is enabled; CMDQ_CONS is writable only while the command queue is
 * disabled; a global error is active while its GERROR bit differs from the
 * GERRORN bit and is acknowledged by making them equal.
 *
 * Output queues: a record is written at PROD and PROD advances; a full
 * event queue drops the record and sets EVENTQ_PROD.OVFLG (a new overflow
 * is only flagged once software acknowledged the last); a queue write that
 * memory refuses activates EVTQ_ABT_ERR / PRIQ_ABT_ERR and delivery stops
 * until it is acknowledged. Interrupts go to the MSI address of the
 * queue's IRQ_CFG0 when one is set, else to the configured irq callback,
 * which is called once the model's locks are released.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "hw/smmuv3/smmuv3_priv.h"

void smmuv3_config_default(struct smmuv3_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->stage1 = true;
	cfg->stage2 = true;
	cfg->ats = true;
	cfg->pri = true;
	cfg->msi = true;
	cfg->range_inv = true;
	cfg->st_2lvl = true;
	cfg->cd_2lvl = true;
	cfg->httu = SMMU_HTTU_AD;
	cfg->sid_bits = 16;
	cfg->ssid_bits = 20;
	cfg->oas_bits = 48;
	cfg->gran_4k = true;
	cfg->gran_16k = true;
	cfg->gran_64k = true;
	cfg->cmdq_max_lg2 = 19;
	cfg->evtq_max_lg2 = 19;
	cfg->priq_max_lg2 = 19;
	cfg->gbpa_abort = true;
	cfg->tlb_sets_lg2 = 9;
	cfg->tlb_ways = 8;
	cfg->cfg_sets_lg2 = 6;
	cfg->cfg_ways = 4;
	cfg->stall_max = 64;
}

static int oas_encoding(unsigned int bits)
{
	unsigned int ps;

	for (ps = SMMU_PS_32; ps <= SMMU_PS_48; ps++)
		if (smmu_ps_bits(ps) == bits)
			return (int)ps;
	return -EINVAL;
}

static int check_config(const struct smmuv3_config *c)
{
	if (!c->mem || !c->mem->map)
		return -EINVAL;
	if (!c->stage1 && !c->stage2)
		return -EINVAL;
	if (!c->gran_4k && !c->gran_16k && !c->gran_64k)
		return -EINVAL;
	if (c->sid_bits > 32 || c->ssid_bits > 20 ||
	    oas_encoding(c->oas_bits) < 0)
		return -EINVAL;
	if (c->httu > SMMU_HTTU_AD)
		return -EINVAL;
	if (c->cmdq_max_lg2 > 19 || c->evtq_max_lg2 > 19 ||
	    c->priq_max_lg2 > 19)
		return -EINVAL;
	if (c->tlb_sets_lg2 > 20 || !c->tlb_ways || c->tlb_ways > 8)
		return -EINVAL;
	if (c->cfg_sets_lg2 > 16 || !c->cfg_ways || c->cfg_ways > 32)
		return -EINVAL;
	if (c->stall && (!c->stall_max ||
			 c->stall_max > smmu_fget(~0ull, SMMU_IDR5_STALL_MAX)))
		return -EINVAL;
	return 0;
}

static void build_idrs(struct smmuv3 *smmu)
{
	const struct smmuv3_config *c = &smmu->cfg;

	smmu->idr[0] =
		(uint32_t)(smmu_fprep(SMMU_IDR0_S2P, c->stage2) |
			   smmu_fprep(SMMU_IDR0_S1P, c->stage1) |
			   smmu_fprep(SMMU_IDR0_TTF, SMMU_TTF_AARCH64) |
			   smmu_fprep(SMMU_IDR0_COHACC, 1) |
			   smmu_fprep(SMMU_IDR0_HTTU, c->httu) |
			   smmu_fprep(SMMU_IDR0_ATS, c->ats) |
			   /* Split-stage ATS is not implemented. */
			   smmu_fprep(SMMU_IDR0_NS1ATS, 1) |
			   smmu_fprep(SMMU_IDR0_ASID16, 1) |
			   smmu_fprep(SMMU_IDR0_MSI, c->msi) |
			   smmu_fprep(SMMU_IDR0_SEV, 1) |
			   smmu_fprep(SMMU_IDR0_PRI, c->pri) |
			   smmu_fprep(SMMU_IDR0_VMID16, 1) |
			   smmu_fprep(SMMU_IDR0_CD2L, c->cd_2lvl) |
			   smmu_fprep(SMMU_IDR0_TTENDIAN, SMMU_TTENDIAN_LE) |
			   smmu_fprep(SMMU_IDR0_STALL_MODEL,
				      c->stall ? SMMU_STALL_MODEL_BOTH
					       : SMMU_STALL_MODEL_NOSTALL) |
			   smmu_fprep(SMMU_IDR0_ST_LEVEL,
				      c->st_2lvl ? SMMU_ST_LEVEL_2LVL : 0));
	smmu->idr[1] =
		(uint32_t)(smmu_fprep(SMMU_IDR1_SIDSIZE, c->sid_bits) |
			   smmu_fprep(SMMU_IDR1_SSIDSIZE, c->ssid_bits) |
			   smmu_fprep(SMMU_IDR1_PRIQS,
				      c->pri ? c->priq_max_lg2 : 0) |
			   smmu_fprep(SMMU_IDR1_EVENTQS, c->evtq_max_lg2) |
			   smmu_fprep(SMMU_IDR1_CMDQS, c->cmdq_max_lg2));
	smmu->idr[2] = 0;
	smmu->idr[3] = (uint32_t)smmu_fprep(SMMU_IDR3_RIL, c->range_inv);
	smmu->idr[4] = 0;
	smmu->idr[5] = (uint32_t)(smmu_fprep(SMMU_IDR5_OAS,
					     oas_encoding(c->oas_bits)) |
				  smmu_fprep(SMMU_IDR5_GRAN4K, c->gran_4k) |
				  smmu_fprep(SMMU_IDR5_GRAN16K, c->gran_16k) |
				  smmu_fprep(SMMU_IDR5_GRAN64K, c->gran_64k) |
				  smmu_fprep(SMMU_IDR5_STALL_MAX,
					     c->stall ? c->stall_max : 0));
	smmu->iidr = 0;
	/* SMMUv3.1 */
	smmu->aidr = (uint32_t)(smmu_fprep(SMMU_AIDR_MAJOR, 0) |
				smmu_fprep(SMMU_AIDR_MINOR, 1));
}

static uint64_t smmu_next_id = 1;

struct smmuv3 *smmuv3_create(const struct smmuv3_config *cfg)
{
	struct smmuv3 *smmu;
	int ret;

	ret = check_config(cfg);
	if (ret)
		return ERR_PTR(ret);
	smmu = ufd_zalloc(sizeof(*smmu));
	if (!smmu)
		return ERR_PTR(-ENOMEM);
	smmu->cfg = *cfg;
	smmu->id = __atomic_fetch_add(&smmu_next_id, 1, __ATOMIC_RELAXED);
	if (!smmu->cfg.stall)
		smmu->cfg.stall_max = 0;
	smmu->oas = cfg->oas_bits;
	smmu->ssid_bits = cfg->ssid_bits;
	build_idrs(smmu);
	if (smmu->cfg.stall) {
		smmu->stalls =
			ufd_calloc(smmu->cfg.stall_max, sizeof(*smmu->stalls));
		if (!smmu->stalls) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	ret = smmu_cfgc_init(&smmu->cfgc, cfg->cfg_sets_lg2, cfg->cfg_ways);
	if (ret)
		goto out_free_stalls;
	ret = smmu_iotlb_init(&smmu->tlb, cfg->tlb_sets_lg2, cfg->tlb_ways);
	if (ret)
		goto out_free_cfgc;
	ufd_mutex_init(&smmu->regs_lock);
	ufd_mutex_init(&smmu->evtq_lock);
	ufd_mutex_init(&smmu->priq_lock);
	ufd_mutex_init(&smmu->err_lock);
	ufd_mutex_init(&smmu->stall_lock);
	ufd_rwlock_init(&smmu->dev_lock);
	/* Reset values: everything disabled; GBPA as configured. */
	smmu->gbpa = (uint32_t)smmu_fprep(SMMU_GBPA_ABORT, cfg->gbpa_abort) |
		     (uint32_t)smmu_fprep(SMMU_GBPA_SHCFG, 1);
	return smmu;

out_free_cfgc:
	smmu_cfgc_destroy(&smmu->cfgc);
out_free_stalls:
	ufd_free(smmu->stalls);
out_free:
	ufd_free(smmu);
	return ERR_PTR(ret);
}

void smmuv3_destroy(struct smmuv3 *smmu)
{
	if (!smmu)
		return;
	ufd_rwlock_destroy(&smmu->dev_lock);
	ufd_mutex_destroy(&smmu->stall_lock);
	ufd_mutex_destroy(&smmu->err_lock);
	ufd_mutex_destroy(&smmu->priq_lock);
	ufd_mutex_destroy(&smmu->evtq_lock);
	ufd_mutex_destroy(&smmu->regs_lock);
	smmu_iotlb_destroy(&smmu->tlb);
	smmu_cfgc_destroy(&smmu->cfgc);
	ufd_free(smmu->devs);
	ufd_free(smmu->stalls);
	ufd_free(smmu);
}

void smmuv3_get_stats(struct smmuv3 *smmu, struct smmuv3_stats *st)
{
	smmu_iotlb_counts(&smmu->tlb, &st->tlb_fills, &st->tlb_evictions);
	st->cfg_fills = smmu_load(&smmu->stats.cfg_fills);
	st->cfg_evictions = smmu_load(&smmu->stats.cfg_evictions);
	st->events = smmu_load(&smmu->stats.events);
	st->events_lost = smmu_load(&smmu->stats.events_lost);
	st->commands = smmu_load(&smmu->stats.commands);
}

/* --- interrupts and global errors --- */

void smmu_raise_irq(struct smmuv3 *smmu, enum smmuv3_irq irq)
{
	__atomic_fetch_or(&smmu->irq_pending, 1u << irq, __ATOMIC_RELEASE);
}

void smmu_deliver_irqs(struct smmuv3 *smmu)
{
	uint32_t pending;
	unsigned int i;

	if (!smmu_load(&smmu->irq_pending))
		return;
	pending = __atomic_exchange_n(&smmu->irq_pending, 0, __ATOMIC_ACQUIRE);
	for (i = 0; pending; i++, pending >>= 1)
		if ((pending & 1) && smmu->cfg.irq)
			smmu->cfg.irq(smmu->cfg.irq_priv, (enum smmuv3_irq)i);
}

bool smmu_msi_write(struct smmuv3 *smmu, uint64_t addr, uint32_t data)
{
	uint32_t *p;

	if (addr & 3)
		return false;
	p = smmu_map(smmu, addr, sizeof(*p), true);
	if (!p)
		return false;
	__atomic_store_n(p, data, __ATOMIC_RELEASE);
	return true;
}

/*
 * Signals an interrupt source: an MSI when its IRQ_CFG0 holds an address,
 * else the wired line. Returns false when the MSI write was refused.
 */
static bool signal(struct smmuv3 *smmu, enum smmuv3_irq irq, uint64_t cfg0,
		   uint32_t data)
{
	uint64_t addr = smmu_fget(cfg0, SMMU_IRQ_CFG0_ADDR) << 2;

	if (smmu->cfg.msi && addr)
		return smmu_msi_write(smmu, addr, data);
	smmu_raise_irq(smmu, irq);
	return true;
}

bool smmu_gerror_active(struct smmuv3 *smmu, uint32_t bits)
{
	bool active;

	ufd_mutex_lock(&smmu->err_lock);
	active = (smmu->gerror ^ smmu->gerrorn) & bits;
	ufd_mutex_unlock(&smmu->err_lock);
	return active;
}

void smmu_gerror_activate(struct smmuv3 *smmu, uint32_t bits)
{
	uint32_t newly;

	ufd_mutex_lock(&smmu->err_lock);
	/* An active error stays as it is; an inactive one toggles. */
	newly = bits & ~(smmu->gerror ^ smmu->gerrorn);
	smmu_store(&smmu->gerror, smmu->gerror ^ newly);
	ufd_mutex_unlock(&smmu->err_lock);
	if (!newly ||
	    !smmu_fget(smmu_load(&smmu->irq_ctrl), SMMU_IRQ_CTRL_GERROR_IRQEN))
		return;
	if (!signal(smmu, SMMUV3_IRQ_GERROR, smmu_load(&smmu->gerror_irq_cfg0),
		    smmu_load(&smmu->gerror_irq_cfg1)) &&
	    !(newly & smmu_fmask(SMMU_GERROR_MSI_GERROR_ABT_ERR)))
		smmu_gerror_activate(
			smmu, smmu_fmask(SMMU_GERROR_MSI_GERROR_ABT_ERR));
}

/* --- output queues --- */

/* Effective log2 entries and entry address of a queue's base register. */
static unsigned int q_log2size(uint64_t qbase, unsigned int max)
{
	unsigned int l = smmu_fget(qbase, SMMU_Q_BASE_LOG2SIZE);

	return l > max ? max : l;
}

static uint64_t q_entry(uint64_t qbase, unsigned int log2size,
			unsigned int ent_lg2, uint32_t idx)
{
	uint64_t base = smmu_fget(qbase, SMMU_Q_BASE_ADDR) << 5;

	/* Aligned to the queue size, at least 32 bytes. */
	base &= ~smmu_mask(ufd_max(log2size + ent_lg2, 5u));
	return base + ((uint64_t)(idx & smmu_mask(log2size)) << ent_lg2);
}

/*
 * Space in an output queue: 1 for room, 0 when full, flagging overflow
 * (PROD.OVFLG toggles unless an overflow is already unacknowledged).
 */
static bool q_room(struct smmu_queue *q, unsigned int log2size)
{
	uint32_t wrap_mask = (uint32_t)smmu_mask(log2size + 1);
	uint32_t prod = q->prod & wrap_mask, cons = q->cons & wrap_mask;
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);

	if ((prod ^ cons) != (1u << log2size))
		return true;
	if ((q->prod & ovf) == (q->cons & ovf))
		q->prod ^= ovf;
	return false;
}

static void q_advance(struct smmu_queue *q, unsigned int log2size)
{
	uint32_t wrap_mask = (uint32_t)smmu_mask(log2size + 1);

	q->prod = (q->prod & ~wrap_mask) | ((q->prod + 1) & wrap_mask);
}

bool smmu_record_event(struct smmuv3 *smmu, const uint64_t evt[4])
{
	uint32_t abt = (uint32_t)smmu_fmask(SMMU_GERROR_EVTQ_ABT_ERR);
	unsigned int log2size;
	bool ok = false;

	ufd_mutex_lock(&smmu->evtq_lock);
	if (!smmu_fget(smmu_cr0(smmu), SMMU_CR0_EVENTQEN))
		goto out_lost;
	/* Delivery stops while an abort is flagged (7.2). */
	if (smmu_gerror_active(smmu, abt))
		goto out_lost;
	log2size = q_log2size(smmu->evtq.base, smmu->cfg.evtq_max_lg2);
	if (!q_room(&smmu->evtq, log2size))
		goto out_lost;
	if (smmu_write_words(smmu,
			     q_entry(smmu->evtq.base, log2size, 5,
				     smmu->evtq.prod),
			     evt, SMMU_EVT_DWORDS)) {
		smmu_gerror_activate(smmu, abt);
		goto out_lost;
	}
	q_advance(&smmu->evtq, log2size);
	smmu_inc(&smmu->stats.events);
	ok = true;
	if (smmu_fget(smmu_load(&smmu->irq_ctrl), SMMU_IRQ_CTRL_EVENTQ_IRQEN) &&
	    !signal(smmu, SMMUV3_IRQ_EVTQ, smmu->evtq.irq_cfg0,
		    smmu->evtq.irq_cfg1))
		smmu_gerror_activate(smmu,
				     smmu_fmask(SMMU_GERROR_MSI_EVTQ_ABT_ERR));
	ufd_mutex_unlock(&smmu->evtq_lock);
	return ok;

out_lost:
	smmu_inc(&smmu->stats.events_lost);
	ufd_mutex_unlock(&smmu->evtq_lock);
	return ok;
}

int smmuv3_pri_request(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		       uint64_t addr, unsigned int perm, uint16_t prgi,
		       bool last)
{
	uint32_t abt = (uint32_t)smmu_fmask(SMMU_GERROR_PRIQ_ABT_ERR);
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	uint64_t rec[SMMU_PRI_DWORDS];
	const struct smmu_dev *dev;
	unsigned int log2size;
	bool auto_resp = false;
	uint32_t cr0;
	int ret;

	if (!smmu->cfg.pri)
		return -EOPNOTSUPP;
	rec[0] = smmu_dprep(SMMU_PRI_SID, sid) |
		 smmu_dprep(SMMU_PRI_PRIV, !!(perm & SMMUV3_PRIV)) |
		 smmu_dprep(SMMU_PRI_EXEC, !!(perm & SMMUV3_EXEC)) |
		 smmu_dprep(SMMU_PRI_READ, !!(perm & SMMUV3_READ)) |
		 smmu_dprep(SMMU_PRI_WRITE, !!(perm & SMMUV3_WRITE)) |
		 smmu_dprep(SMMU_PRI_LAST, last);
	if (ssid != SMMUV3_NO_SSID)
		rec[0] |= smmu_dprep(SMMU_PRI_SSV, 1) |
			  smmu_dprep(SMMU_PRI_SSID, ssid);
	rec[1] = smmu_dprep(SMMU_PRI_PRGI, prgi) |
		 smmu_dprep(SMMU_PRI_ADDR, addr >> 12);

	ufd_mutex_lock(&smmu->priq_lock);
	cr0 = smmu_cr0(smmu);
	if (!smmu_fget(cr0, SMMU_CR0_SMMUEN) ||
	    !smmu_fget(cr0, SMMU_CR0_PRIQEN)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (smmu_gerror_active(smmu, abt)) {
		ret = -EIO;
		goto out_unlock;
	}
	log2size = q_log2size(smmu->priq.base, smmu->cfg.priq_max_lg2);
	/* Unlike events, an unacknowledged overflow stops the queue (8.1). */
	if ((smmu->priq.prod & ovf) != (smmu->priq.cons & ovf) ||
	    !q_room(&smmu->priq, log2size)) {
		auto_resp = last;
		ret = -ENOSPC;
		goto out_unlock;
	}
	if (smmu_write_words(smmu,
			     q_entry(smmu->priq.base, log2size, 4,
				     smmu->priq.prod),
			     rec, SMMU_PRI_DWORDS)) {
		smmu_gerror_activate(smmu, abt);
		ret = -EIO;
		goto out_unlock;
	}
	q_advance(&smmu->priq, log2size);
	ret = 0;
	if (smmu_fget(smmu_load(&smmu->irq_ctrl), SMMU_IRQ_CTRL_PRIQ_IRQEN) &&
	    !signal(smmu, SMMUV3_IRQ_PRIQ, smmu->priq.irq_cfg0,
		    smmu->priq.irq_cfg1))
		smmu_gerror_activate(smmu,
				     smmu_fmask(SMMU_GERROR_MSI_PRIQ_ABT_ERR));
out_unlock:
	ufd_mutex_unlock(&smmu->priq_lock);
	if (auto_resp) {
		/* The discarded group's last request is answered Success. */
		dev = smmu_dev_get(smmu, sid);
		if (dev && dev->ops->pri_resp)
			dev->ops->pri_resp(dev->priv, sid, ssid, prgi,
					   SMMU_PRI_RESP_SUCC);
		smmu_dev_put(smmu);
	}
	smmu_deliver_irqs(smmu);
	return ret;
}

/* --- devices --- */

/* Index of the first device with StreamID >= @sid (dev_lock held). */
static unsigned int dev_find(struct smmuv3 *smmu, uint32_t sid)
{
	unsigned int lo = 0, hi = smmu->dev_count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (smmu->devs[mid].sid < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int smmuv3_dev_register(struct smmuv3 *smmu, uint32_t sid,
			const struct smmuv3_dev_ops *ops, void *priv)
{
	unsigned int i;
	int ret = 0;

	if (!ops)
		return -EINVAL;
	if ((uint64_t)sid >> smmu->cfg.sid_bits)
		return -ERANGE;
	ufd_rwlock_wrlock(&smmu->dev_lock);
	i = dev_find(smmu, sid);
	if (i < smmu->dev_count && smmu->devs[i].sid == sid) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (smmu->dev_count == smmu->dev_cap) {
		unsigned int cap = smmu->dev_cap ? smmu->dev_cap * 2 : 16;
		struct smmu_dev *d;

		d = ufd_realloc(smmu->devs, cap * sizeof(*d));
		if (!d) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		smmu->devs = d;
		smmu->dev_cap = cap;
	}
	memmove(&smmu->devs[i + 1], &smmu->devs[i],
		(smmu->dev_count - i) * sizeof(*smmu->devs));
	smmu->devs[i] =
		(struct smmu_dev){ .sid = sid, .ops = ops, .priv = priv };
	smmu->dev_count++;
out_unlock:
	ufd_rwlock_unlock(&smmu->dev_lock);
	return ret;
}

int smmuv3_dev_unregister(struct smmuv3 *smmu, uint32_t sid)
{
	unsigned int i;
	int ret = -ENOENT;

	ufd_rwlock_wrlock(&smmu->dev_lock);
	i = dev_find(smmu, sid);
	if (i < smmu->dev_count && smmu->devs[i].sid == sid) {
		memmove(&smmu->devs[i], &smmu->devs[i + 1],
			(smmu->dev_count - i - 1) * sizeof(*smmu->devs));
		smmu->dev_count--;
		ret = 0;
	}
	ufd_rwlock_unlock(&smmu->dev_lock);
	return ret;
}

/* Pairs with smmu_dev_put(), also when it returns NULL. */
const struct smmu_dev *smmu_dev_get(struct smmuv3 *smmu, uint32_t sid)
{
	unsigned int i;

	ufd_rwlock_rdlock(&smmu->dev_lock);
	i = dev_find(smmu, sid);
	if (i < smmu->dev_count && smmu->devs[i].sid == sid)
		return &smmu->devs[i];
	return NULL;
}

void smmu_dev_put(struct smmuv3 *smmu)
{
	ufd_rwlock_unlock(&smmu->dev_lock);
}

/* --- registers --- */

static bool reg_is_64(uint64_t off)
{
	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
	case SMMU_STRTAB_BASE:
	case SMMU_CMDQ_BASE:
	case SMMU_EVENTQ_BASE:
	case SMMU_EVENTQ_IRQ_CFG0:
	case SMMU_PRIQ_BASE:
	case SMMU_PRIQ_IRQ_CFG0:
		return true;
	default:
		return false;
	}
}

/* Page-1 registers are also answered at their page-0 offsets. */
static uint64_t reg_canon(uint64_t off)
{
	switch (off & (SMMU_PAGE_SIZE - 1)) {
	case SMMU_EVENTQ_PROD &(SMMU_PAGE_SIZE - 1):
	case SMMU_EVENTQ_CONS &(SMMU_PAGE_SIZE - 1):
	case SMMU_PRIQ_PROD &(SMMU_PAGE_SIZE - 1):
	case SMMU_PRIQ_CONS &(SMMU_PAGE_SIZE - 1):
		return (off & (SMMU_PAGE_SIZE - 1)) | SMMU_PAGE_SIZE;
	default:
		return off < SMMU_PAGE_SIZE ? off : ~0ull;
	}
}

static uint64_t reg_read64(struct smmuv3 *smmu, uint64_t off)
{
	uint64_t v;

	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		return smmu->gerror_irq_cfg0;
	case SMMU_STRTAB_BASE:
		return smmu->strtab_base;
	case SMMU_CMDQ_BASE:
		return smmu->cmdq.base;
	case SMMU_EVENTQ_BASE:
	case SMMU_EVENTQ_IRQ_CFG0:
		ufd_mutex_lock(&smmu->evtq_lock);
		v = off == SMMU_EVENTQ_BASE ? smmu->evtq.base
					    : smmu->evtq.irq_cfg0;
		ufd_mutex_unlock(&smmu->evtq_lock);
		return v;
	case SMMU_PRIQ_BASE:
	case SMMU_PRIQ_IRQ_CFG0:
		ufd_mutex_lock(&smmu->priq_lock);
		v = off == SMMU_PRIQ_BASE ? smmu->priq.base
					  : smmu->priq.irq_cfg0;
		ufd_mutex_unlock(&smmu->priq_lock);
		return v;
	default:
		return 0;
	}
}

static uint32_t reg_read32(struct smmuv3 *smmu, uint64_t off)
{
	uint32_t v;

	if (reg_is_64(off & ~7ull))
		return (uint32_t)(reg_read64(smmu, off & ~7ull) >>
				  ((off & 4) * 8));
	switch (off) {
	case SMMU_IDR0:
	case SMMU_IDR1:
	case SMMU_IDR2:
	case SMMU_IDR3:
	case SMMU_IDR4:
	case SMMU_IDR5:
		return smmu->idr[off / 4];
	case SMMU_IIDR:
		return smmu->iidr;
	case SMMU_AIDR:
		return smmu->aidr;
	case SMMU_CR0:
	case SMMU_CR0ACK:
		return smmu_cr0(smmu);
	case SMMU_CR1:
		return smmu->cr1;
	case SMMU_CR2:
		return smmu_load(&smmu->cr2);
	case SMMU_GBPA:
		return smmu_load(&smmu->gbpa);
	case SMMU_IRQ_CTRL:
	case SMMU_IRQ_CTRLACK:
		return smmu_load(&smmu->irq_ctrl);
	case SMMU_GERROR:
	case SMMU_GERRORN:
		ufd_mutex_lock(&smmu->err_lock);
		v = off == SMMU_GERROR ? smmu->gerror : smmu->gerrorn;
		ufd_mutex_unlock(&smmu->err_lock);
		return v;
	case SMMU_GERROR_IRQ_CFG1:
		return smmu->gerror_irq_cfg1;
	case SMMU_GERROR_IRQ_CFG2:
		return smmu->gerror_irq_cfg2;
	case SMMU_STRTAB_BASE_CFG:
		return smmu->strtab_cfg;
	case SMMU_CMDQ_PROD:
		return smmu->cmdq.prod;
	case SMMU_CMDQ_CONS:
		return smmu->cmdq.cons;
	case SMMU_EVENTQ_PROD:
	case SMMU_EVENTQ_CONS:
	case SMMU_EVENTQ_IRQ_CFG1:
	case SMMU_EVENTQ_IRQ_CFG2:
		ufd_mutex_lock(&smmu->evtq_lock);
		v = off == SMMU_EVENTQ_PROD	  ? smmu->evtq.prod
		    : off == SMMU_EVENTQ_CONS	  ? smmu->evtq.cons
		    : off == SMMU_EVENTQ_IRQ_CFG1 ? smmu->evtq.irq_cfg1
						  : smmu->evtq.irq_cfg2;
		ufd_mutex_unlock(&smmu->evtq_lock);
		return v;
	case SMMU_PRIQ_PROD:
	case SMMU_PRIQ_CONS:
	case SMMU_PRIQ_IRQ_CFG1:
	case SMMU_PRIQ_IRQ_CFG2:
		if (!smmu->cfg.pri)
			return 0;
		ufd_mutex_lock(&smmu->priq_lock);
		v = off == SMMU_PRIQ_PROD	? smmu->priq.prod
		    : off == SMMU_PRIQ_CONS	? smmu->priq.cons
		    : off == SMMU_PRIQ_IRQ_CFG1 ? smmu->priq.irq_cfg1
						: smmu->priq.irq_cfg2;
		ufd_mutex_unlock(&smmu->priq_lock);
		return v;
	default:
		return 0;
	}
}

uint64_t smmuv3_mmio_read(struct smmuv3 *smmu, uint64_t offset,
			  unsigned int size)
{
	uint64_t off, v;

	if ((size != 4 && size != 8) || (offset & (size - 1)) ||
	    offset >= SMMU_MMIO_SIZE)
		return 0;
	off = reg_canon(offset);
	if (off == ~0ull)
		return 0;
	ufd_mutex_lock(&smmu->regs_lock);
	if (size == 4)
		v = reg_read32(smmu, off);
	else if (reg_is_64(off))
		v = reg_read64(smmu, off);
	else
		v = reg_read32(smmu, off) |
		    (uint64_t)reg_read32(smmu, reg_canon(offset + 4)) << 32;
	ufd_mutex_unlock(&smmu->regs_lock);
	return v;
}

/* Bits software may set in CR0 given what is implemented. */
static uint32_t cr0_writable(struct smmuv3 *smmu)
{
	uint32_t m = (uint32_t)(smmu_fmask(SMMU_CR0_SMMUEN) |
				smmu_fmask(SMMU_CR0_EVENTQEN) |
				smmu_fmask(SMMU_CR0_CMDQEN));

	if (smmu->cfg.pri)
		m |= (uint32_t)smmu_fmask(SMMU_CR0_PRIQEN);
	if (smmu->cfg.ats)
		m |= (uint32_t)smmu_fmask(SMMU_CR0_ATSCHK);
	return m;
}

/* Index registers hold an index, its wrap bit and (bit 31) a flag. */
#define Q_INDEX_MASK                                                           \
	((uint32_t)(smmu_fmask(SMMU_Q_IDX_WRAP) | smmu_fmask(SMMU_Q_OVF)))

static void reg_write64(struct smmuv3 *smmu, uint64_t off, uint64_t v)
{
	uint32_t cr0 = smmu_cr0(smmu);
	/* Addresses are [51:x]: RES0 bits above are not stored. */
	uint64_t qmask = smmu_fmask(SMMU_Q_BASE_LOG2SIZE) |
			 smmu_fmask(SMMU_Q_BASE_ADDR) |
			 smmu_fmask(SMMU_Q_BASE_RWA);
	uint64_t irqmask = smmu_fmask(SMMU_IRQ_CFG0_ADDR);

	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		smmu_store(&smmu->gerror_irq_cfg0, v & irqmask);
		break;
	case SMMU_STRTAB_BASE:
		/* Ignored while the SMMU is enabled. */
		if (!smmu_fget(cr0, SMMU_CR0_SMMUEN))
			smmu_store(&smmu->strtab_base,
				   v & (smmu_fmask(SMMU_STRTAB_BASE_ADDR) |
					smmu_fmask(SMMU_STRTAB_BASE_RA)));
		break;
	case SMMU_CMDQ_BASE:
		if (!smmu_fget(cr0, SMMU_CR0_CMDQEN))
			smmu->cmdq.base = v & qmask;
		break;
	case SMMU_EVENTQ_BASE:
	case SMMU_EVENTQ_IRQ_CFG0:
		ufd_mutex_lock(&smmu->evtq_lock);
		if (off == SMMU_EVENTQ_IRQ_CFG0)
			smmu->evtq.irq_cfg0 = v & irqmask;
		else if (!smmu_fget(cr0, SMMU_CR0_EVENTQEN))
			smmu->evtq.base = v & qmask;
		ufd_mutex_unlock(&smmu->evtq_lock);
		break;
	case SMMU_PRIQ_BASE:
	case SMMU_PRIQ_IRQ_CFG0:
		if (!smmu->cfg.pri)
			break;
		ufd_mutex_lock(&smmu->priq_lock);
		if (off == SMMU_PRIQ_IRQ_CFG0)
			smmu->priq.irq_cfg0 = v & irqmask;
		else if (!smmu_fget(cr0, SMMU_CR0_PRIQEN))
			smmu->priq.base = v & qmask;
		ufd_mutex_unlock(&smmu->priq_lock);
		break;
	default:
		break;
	}
}

static void write_gerrorn(struct smmuv3 *smmu, uint32_t v)
{
	uint32_t cmdq = (uint32_t)smmu_fmask(SMMU_GERROR_CMDQ_ERR);
	bool was;

	ufd_mutex_lock(&smmu->err_lock);
	was = (smmu->gerror ^ smmu->gerrorn) & cmdq;
	smmu->gerrorn = v & (uint32_t)SMMU_GERROR_MASK;
	ufd_mutex_unlock(&smmu->err_lock);
	/* Acknowledging a command queue error restarts consumption at CONS. */
	if (was && !smmu_gerror_active(smmu, cmdq))
		smmu_cmdq_process(smmu);
}

static void reg_write32(struct smmuv3 *smmu, uint64_t off, uint32_t v)
{
	uint32_t cr0 = smmu_cr0(smmu);

	if (reg_is_64(off & ~7ull)) {
		uint64_t old = reg_read64(smmu, off & ~7ull);
		unsigned int sh = (off & 4) * 8;

		reg_write64(smmu, off & ~7ull,
			    (old & ~(0xffffffffull << sh)) |
				    ((uint64_t)v << sh));
		return;
	}
	switch (off) {
	case SMMU_CR0:
		v &= cr0_writable(smmu);
		/* Output queues sample the enable under their own locks. */
		ufd_mutex_lock(&smmu->evtq_lock);
		ufd_mutex_lock(&smmu->priq_lock);
		smmu_store(&smmu->cr0, v);
		ufd_mutex_unlock(&smmu->priq_lock);
		ufd_mutex_unlock(&smmu->evtq_lock);
		if (!smmu_fget(cr0, SMMU_CR0_CMDQEN) &&
		    smmu_fget(v, SMMU_CR0_CMDQEN))
			smmu_cmdq_process(smmu);
		break;
	case SMMU_CR1:
		smmu->cr1 = v & (uint32_t)SMMU_CR1_MASK;
		break;
	case SMMU_CR2:
		/* E2H is RES0 without IDR0.HYP. */
		smmu_store(&smmu->cr2,
			   v & (uint32_t)(smmu_fmask(SMMU_CR2_RECINVSID) |
					  smmu_fmask(SMMU_CR2_PTM)));
		break;
	case SMMU_GBPA:
		/* Takes effect only with UPDATE, which completes at once. */
		if (smmu_fget(v, SMMU_GBPA_UPDATE))
			smmu_store(&smmu->gbpa, v & (uint32_t)SMMU_GBPA_MASK);
		break;
	case SMMU_IRQ_CTRL:
		smmu_store(&smmu->irq_ctrl, v & (uint32_t)SMMU_IRQ_CTRL_MASK);
		break;
	case SMMU_GERRORN:
		write_gerrorn(smmu, v);
		break;
	case SMMU_GERROR_IRQ_CFG1:
		smmu_store(&smmu->gerror_irq_cfg1, v);
		break;
	case SMMU_GERROR_IRQ_CFG2:
		smmu->gerror_irq_cfg2 = v & (uint32_t)SMMU_IRQ_CFG2_MASK;
		break;
	case SMMU_STRTAB_BASE_CFG:
		if (!smmu_fget(cr0, SMMU_CR0_SMMUEN))
			smmu_store(
				&smmu->strtab_cfg,
				v & (uint32_t)(smmu_fmask(
						       SMMU_STRTAB_BASE_CFG_LOG2SIZE) |
					       smmu_fmask(
						       SMMU_STRTAB_BASE_CFG_SPLIT) |
					       smmu_fmask(
						       SMMU_STRTAB_BASE_CFG_FMT)));
		break;
	case SMMU_CMDQ_PROD:
		smmu->cmdq.prod = v & Q_INDEX_MASK &
				  ~(uint32_t)smmu_fmask(SMMU_Q_OVF);
		smmu_cmdq_process(smmu);
		break;
	case SMMU_CMDQ_CONS:
		if (!smmu_fget(cr0, SMMU_CR0_CMDQEN))
			smmu->cmdq.cons =
				v & (uint32_t)(smmu_fmask(SMMU_Q_IDX_WRAP) |
					       smmu_fmask(SMMU_CMDQ_CONS_ERR));
		break;
	case SMMU_EVENTQ_PROD:
	case SMMU_EVENTQ_CONS:
	case SMMU_EVENTQ_IRQ_CFG1:
	case SMMU_EVENTQ_IRQ_CFG2:
		ufd_mutex_lock(&smmu->evtq_lock);
		if (off == SMMU_EVENTQ_CONS)
			smmu->evtq.cons = v & Q_INDEX_MASK;
		else if (off == SMMU_EVENTQ_IRQ_CFG1)
			smmu->evtq.irq_cfg1 = v;
		else if (off == SMMU_EVENTQ_IRQ_CFG2)
			smmu->evtq.irq_cfg2 = v & (uint32_t)SMMU_IRQ_CFG2_MASK;
		else if (!smmu_fget(cr0, SMMU_CR0_EVENTQEN))
			smmu->evtq.prod = v & Q_INDEX_MASK;
		ufd_mutex_unlock(&smmu->evtq_lock);
		break;
	case SMMU_PRIQ_PROD:
	case SMMU_PRIQ_CONS:
	case SMMU_PRIQ_IRQ_CFG1:
	case SMMU_PRIQ_IRQ_CFG2:
		if (!smmu->cfg.pri)
			break;
		ufd_mutex_lock(&smmu->priq_lock);
		if (off == SMMU_PRIQ_CONS)
			smmu->priq.cons = v & Q_INDEX_MASK;
		else if (off == SMMU_PRIQ_IRQ_CFG1)
			smmu->priq.irq_cfg1 = v;
		else if (off == SMMU_PRIQ_IRQ_CFG2)
			smmu->priq.irq_cfg2 = v & (uint32_t)SMMU_IRQ_CFG2_MASK;
		else if (!smmu_fget(cr0, SMMU_CR0_PRIQEN))
			smmu->priq.prod = v & Q_INDEX_MASK;
		ufd_mutex_unlock(&smmu->priq_lock);
		break;
	default:
		/* Identification, ACK and reserved registers ignore writes. */
		break;
	}
}

int smmuv3_mmio_write(struct smmuv3 *smmu, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	uint64_t off;

	if ((size != 4 && size != 8) || (offset & (size - 1)) ||
	    offset >= SMMU_MMIO_SIZE)
		return -EINVAL;
	off = reg_canon(offset);
	if (off == ~0ull)
		return 0;
	ufd_mutex_lock(&smmu->regs_lock);
	if (size == 4) {
		reg_write32(smmu, off, (uint32_t)value);
	} else if (reg_is_64(off)) {
		reg_write64(smmu, off, value);
	} else {
		reg_write32(smmu, off, (uint32_t)value);
		reg_write32(smmu, reg_canon(offset + 4),
			    (uint32_t)(value >> 32));
	}
	ufd_mutex_unlock(&smmu->regs_lock);
	smmu_deliver_irqs(smmu);
	return 0;
}
