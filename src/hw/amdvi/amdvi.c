// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi model's instance and register file: the Extended Feature
 * Registers built from the configuration, Control and its side effects, the
 * base, head and tail registers of the command buffer, event log and PPR
 * log, Status, and the event log the IOMMU produces into (3.4, 2.5).
 *
 * Registers: 64-bit, also accessed as two 32-bit halves (a half write
 * merges into the register and takes effect as a whole write). A base
 * register is ignored while its buffer is enabled. The command buffer head
 * is writable only while the buffer does not run; the event log tail only
 * while the log is disabled. Status holds RW1C interrupt and overflow bits
 * and the read-only run bits, which follow the enables: CmdBufRun is set
 * when CmdBufEn goes to 1 and cleared when it goes to 0 or a command fails;
 * EventLogRun is set when EventLogEn goes to 1 and cleared when it goes to
 * 0 or the log overflows. Software restarts either by clearing and setting
 * the enable again, as the specification says. Length fields below the
 * architectural minimum (256 entries) are reserved; the model then uses
 * the minimum. The exclusion range registers read back what was written;
 * the range itself is not modelled (as if ExEn were 0).
 *
 * Event log: a record is written at the tail, which advances; when the
 * tail would reach the head the log is full: the record is dropped,
 * EventOverflow set and logging stops (EventLogRun = 0). Each record sets
 * EventLogInt. The PPR log works the same way for page requests
 * (amdvi_ppr_request(): PPREn and PPRLogEn must be set; a full log sets
 * PprOverflow and stops it). Interrupts are raised when their enable bit
 * in Control is set, and delivered through the configured callback once
 * the model holds no lock.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "hw/amdvi/amdvi_priv.h"

void amdvi_config_default(struct amdvi_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hats_levels = 6;
	cfg->gt = true;
	cfg->gats_levels = 4;
	cfg->glx_levels = 3;
	cfg->pasid_bits = 16;
	cfg->nx = true;
	cfg->ia = true;
	cfg->prefetch = true;
	cfg->ppr = true;
	cfg->ha = true;
	cfg->hd = true;
	cfg->gio = true;
	cfg->tlb_sets_lg2 = 9;
	cfg->tlb_ways = 8;
	cfg->dte_sets_lg2 = 7;
	cfg->dte_ways = 4;
}

static int config_check(const struct amdvi_config *c)
{
	if (!c->mem || !c->mem->map)
		return -EINVAL;
	if (c->hats_levels < 4 || c->hats_levels > 6)
		return -EINVAL;
	if (c->gt &&
	    (c->gats_levels < 4 || c->gats_levels > 5 || c->glx_levels < 1 ||
	     c->glx_levels > 3 || c->pasid_bits < 1 || c->pasid_bits > 20))
		return -EINVAL;
	if (c->pasid_bits > 20 || (c->hd && !c->ha))
		return -EINVAL;
	if (c->tlb_sets_lg2 > 20 || !c->tlb_ways || c->tlb_ways > 64 ||
	    c->dte_sets_lg2 > 20 || !c->dte_ways || c->dte_ways > 64)
		return -EINVAL;
	return 0;
}

static uint64_t efr_build(const struct amdvi_config *c)
{
	uint64_t efr = 0;

	efr |= amdvi_fprep(AMDVI_EFR_PREF_SUP, c->prefetch);
	efr |= amdvi_fprep(AMDVI_EFR_PPR_SUP, c->ppr);
	efr |= amdvi_fprep(AMDVI_EFR_NX_SUP, c->nx);
	efr |= amdvi_fprep(AMDVI_EFR_GT_SUP, c->gt);
	efr |= amdvi_fprep(AMDVI_EFR_IA_SUP, c->ia);
	efr |= amdvi_fprep(AMDVI_EFR_GA_SUP, c->ga);
	efr |= amdvi_fprep(AMDVI_EFR_HATS, c->hats_levels - 4);
	if (c->gt) {
		efr |= amdvi_fprep(AMDVI_EFR_GATS, c->gats_levels - 4);
		efr |= amdvi_fprep(AMDVI_EFR_GLX_SUP, c->glx_levels - 1);
	}
	if (c->pasid_bits)
		efr |= amdvi_fprep(AMDVI_EFR_PASMAX, c->pasid_bits - 1);
	efr |= amdvi_fprep(AMDVI_EFR_GIO_SUP, c->gio);
	efr |= amdvi_fprep(AMDVI_EFR_HA_SUP, c->ha);
	efr |= amdvi_fprep(AMDVI_EFR_EPH_SUP, c->eph);
	efr |= amdvi_fprep(AMDVI_EFR_HD_SUP, c->hd);
	efr |= amdvi_fprep(AMDVI_EFR_INV_IOTLB_TYPE_SUP, c->inv_iotlb_type);
	return efr;
}

struct amdvi *amdvi_create(const struct amdvi_config *cfg)
{
	struct amdvi *iommu;
	int rc;

	rc = config_check(cfg);
	if (rc)
		goto out_err;
	rc = -ENOMEM;
	iommu = ufd_zalloc(sizeof(*iommu));
	if (!iommu)
		goto out_err;
	iommu->cfg = *cfg;
	iommu->efr = efr_build(cfg);
	if (amdvi_dtec_init(&iommu->dtec, cfg->dte_sets_lg2, cfg->dte_ways))
		goto out_free;
	if (amdvi_iotlb_init(&iommu->tlb, cfg->tlb_sets_lg2, cfg->tlb_ways))
		goto out_dtec;
	ufd_mutex_init(&iommu->regs_lock);
	ufd_mutex_init(&iommu->log_lock);
	ufd_rwlock_init(&iommu->dev_lock);
	return iommu;

out_dtec:
	amdvi_dtec_destroy(&iommu->dtec);
out_free:
	ufd_free(iommu);
out_err:
	return ERR_PTR(rc);
}

void amdvi_destroy(struct amdvi *iommu)
{
	if (!iommu)
		return;
	ufd_rwlock_destroy(&iommu->dev_lock);
	ufd_mutex_destroy(&iommu->log_lock);
	ufd_mutex_destroy(&iommu->regs_lock);
	ufd_free(iommu->devs);
	amdvi_iotlb_destroy(&iommu->tlb);
	amdvi_dtec_destroy(&iommu->dtec);
	ufd_free(iommu);
}

void *amdvi_map(struct amdvi *iommu, uint64_t pa, size_t len, bool write)
{
	return pt_mem_map(iommu->cfg.mem, iommu->cfg.mem_priv,
			  iommu->cfg.mem_window, pa, len, write);
}

static uint64_t ctrl_get(struct amdvi *iommu)
{
	return __atomic_load_n(&iommu->control, __ATOMIC_ACQUIRE);
}

static void status_set(struct amdvi *iommu, uint64_t bits)
{
	__atomic_fetch_or(&iommu->status, bits, __ATOMIC_SEQ_CST);
}

static void status_clear(struct amdvi *iommu, uint64_t bits)
{
	__atomic_fetch_and(&iommu->status, ~bits, __ATOMIC_SEQ_CST);
}

void amdvi_raise(struct amdvi *iommu, enum amdvi_irq irq)
{
	uint64_t ctrl = ctrl_get(iommu);
	bool en;

	switch (irq) {
	case AMDVI_IRQ_EVENT:
		en = amdvi_fget(ctrl, AMDVI_CTRL_EVT_INT_EN);
		break;
	case AMDVI_IRQ_COMWAIT:
		en = amdvi_fget(ctrl, AMDVI_CTRL_COMWAIT_INT_EN);
		break;
	default:
		en = amdvi_fget(ctrl, AMDVI_CTRL_PPR_INT_EN);
		break;
	}
	if (en)
		__atomic_fetch_or(&iommu->irq_pending, 1u << irq,
				  __ATOMIC_SEQ_CST);
}

void amdvi_irq_flush(struct amdvi *iommu)
{
	uint32_t p;

	if (!__atomic_load_n(&iommu->irq_pending, __ATOMIC_RELAXED))
		return;
	p = __atomic_exchange_n(&iommu->irq_pending, 0, __ATOMIC_SEQ_CST);
	while (p) {
		unsigned int irq = (unsigned int)__builtin_ctz(p);

		p &= p - 1;
		if (iommu->cfg.irq)
			iommu->cfg.irq(iommu->cfg.irq_priv,
				       (enum amdvi_irq)irq);
	}
}

/* Bytes of a buffer whose base register is @base. */
static uint64_t log_bytes(uint64_t base)
{
	unsigned int len = amdvi_fget(base, AMDVI_LOG_LEN);

	if (len < AMDVI_LOG_LEN_MIN)
		len = AMDVI_LOG_LEN_MIN;
	return (uint64_t)AMDVI_ENTRY_SIZE << len;
}

static uint64_t log_addr(uint64_t base)
{
	return amdvi_fget(base, AMDVI_LOG_ADDR) << 12;
}

void amdvi_event_make(struct amdvi_event *ev, unsigned int code, uint16_t devid,
		      uint16_t domid_or_pasid, uint32_t pasid_hi,
		      unsigned int flags, uint64_t addr)
{
	ev->q[0] = amdvi_dprep(AMDVI_EVT_DEVID, devid) |
		   amdvi_dprep(AMDVI_EVT_PASID_HI, pasid_hi) |
		   amdvi_dprep(AMDVI_EVT_DOMAIN_ID, domid_or_pasid) |
		   amdvi_dprep(AMDVI_EVT_FLAGS, flags) |
		   amdvi_dprep(AMDVI_EVT_CODE, code);
	ev->q[1] = amdvi_dprep(AMDVI_EVT_ADDR, addr);
}

bool amdvi_log_event(struct amdvi *iommu, const struct amdvi_event *ev)
{
	const uint64_t run = amdvi_fmask(AMDVI_STATUS_EVTLOG_RUN);
	uint64_t size, head, tail, next, base;
	bool logged = false;
	void *p;

	ufd_mutex_lock(&iommu->log_lock);
	if (!amdvi_fget(ctrl_get(iommu), AMDVI_CTRL_EVTLOG_EN) ||
	    !(__atomic_load_n(&iommu->status, __ATOMIC_SEQ_CST) & run))
		goto out_unlock;
	base = iommu->evtlog_base;
	size = log_bytes(base);
	head = iommu->evt_head & (size - 1);
	tail = iommu->evt_tail & (size - 1);
	next = (tail + AMDVI_ENTRY_SIZE) & (size - 1);
	if (next == head) {
		status_clear(iommu, run);
		status_set(iommu, amdvi_fmask(AMDVI_STATUS_EVT_OVERFLOW));
		amdvi_raise(iommu, AMDVI_IRQ_EVENT);
		goto out_unlock;
	}
	p = amdvi_map(iommu, log_addr(base) + tail, AMDVI_ENTRY_SIZE, true);
	if (!p) {
		/* The log is unwritable: stop logging, as on overflow. */
		status_clear(iommu, run);
		goto out_unlock;
	}
	memcpy(p, ev->q, AMDVI_ENTRY_SIZE);
	iommu->evt_tail = next;
	status_set(iommu, amdvi_fmask(AMDVI_STATUS_EVT_INT));
	amdvi_raise(iommu, AMDVI_IRQ_EVENT);
	logged = true;
out_unlock:
	ufd_mutex_unlock(&iommu->log_lock);
	amdvi_inc(logged ? &iommu->cnt.events : &iommu->cnt.events_lost);
	return logged;
}

/* --- registers --- */

#define CTRL_MASK                                                              \
	(amdvi_fmask(AMDVI_CTRL_IOMMU_EN) |                                    \
	 amdvi_fmask(AMDVI_CTRL_HT_TUN_EN) |                                   \
	 amdvi_fmask(AMDVI_CTRL_EVTLOG_EN) |                                   \
	 amdvi_fmask(AMDVI_CTRL_EVT_INT_EN) |                                  \
	 amdvi_fmask(AMDVI_CTRL_COMWAIT_INT_EN) |                              \
	 amdvi_fmask(AMDVI_CTRL_INV_TIMEOUT) |                                 \
	 amdvi_fmask(AMDVI_CTRL_PASSPW) | amdvi_fmask(AMDVI_CTRL_RESPASSPW) |  \
	 amdvi_fmask(AMDVI_CTRL_COHERENT) | amdvi_fmask(AMDVI_CTRL_ISOC) |     \
	 amdvi_fmask(AMDVI_CTRL_CMDBUF_EN) |                                   \
	 amdvi_fmask(AMDVI_CTRL_PPRLOG_EN) |                                   \
	 amdvi_fmask(AMDVI_CTRL_PPR_INT_EN) | amdvi_fmask(AMDVI_CTRL_PPR_EN) | \
	 amdvi_fmask(AMDVI_CTRL_GT_EN) | amdvi_fmask(AMDVI_CTRL_GA_EN))
#define LOG_BASE_MASK (amdvi_fmask(AMDVI_LOG_ADDR) | amdvi_fmask(AMDVI_LOG_LEN))
#define DEVTAB_MASK                                                            \
	(amdvi_fmask(AMDVI_DEVTAB_ADDR) | amdvi_fmask(AMDVI_DEVTAB_SIZE))
#define EXCL_BASE_MASK                                                         \
	(amdvi_fmask(AMDVI_EXCL_EN) | amdvi_fmask(AMDVI_EXCL_ALLOW) |          \
	 amdvi_fmask(AMDVI_EXCL_ADDR))
#define PTR_MASK amdvi_fmask(AMDVI_PTR)

/* A whole-register read (regs_lock held). */
static uint64_t reg_read_locked(struct amdvi *iommu, uint64_t off)
{
	uint64_t v = 0;

	switch (off) {
	case AMDVI_DEVTAB_BASE:
		return amdvi_load(&iommu->devtab_base);
	case AMDVI_CMDBUF_BASE:
		return iommu->cmdbuf_base;
	case AMDVI_EVTLOG_BASE:
		return iommu->evtlog_base;
	case AMDVI_PPRLOG_BASE:
		return iommu->pprlog_base;
	case AMDVI_EXCL_BASE:
		return iommu->excl_base;
	case AMDVI_EXCL_LIMIT:
		return iommu->excl_limit;
	case AMDVI_CMDBUF_HEAD:
		return iommu->cmd_head;
	case AMDVI_CMDBUF_TAIL:
		return iommu->cmd_tail;
	case AMDVI_CONTROL:
		return ctrl_get(iommu);
	case AMDVI_EFR:
		return iommu->efr;
	case AMDVI_EFR2:
		return iommu->efr2;
	case AMDVI_EVTLOG_HEAD:
	case AMDVI_EVTLOG_TAIL:
	case AMDVI_PPRLOG_HEAD:
	case AMDVI_PPRLOG_TAIL:
		ufd_mutex_lock(&iommu->log_lock);
		if (off == AMDVI_EVTLOG_HEAD)
			v = iommu->evt_head;
		else if (off == AMDVI_EVTLOG_TAIL)
			v = iommu->evt_tail;
		else if (off == AMDVI_PPRLOG_HEAD)
			v = iommu->ppr_head;
		else
			v = iommu->ppr_tail;
		ufd_mutex_unlock(&iommu->log_lock);
		return v;
	case AMDVI_STATUS:
		return __atomic_load_n(&iommu->status, __ATOMIC_SEQ_CST);
	default:
		return 0;
	}
}

uint64_t amdvi_mmio_read(struct amdvi *iommu, uint64_t offset,
			 unsigned int size)
{
	uint64_t v;

	if (offset >= AMDVI_MMIO_SIZE || (size != 4 && size != 8) ||
	    (offset & (size - 1)))
		return 0;
	ufd_mutex_lock(&iommu->regs_lock);
	v = reg_read_locked(iommu, offset & ~7ull);
	ufd_mutex_unlock(&iommu->regs_lock);
	if (size == 4)
		v = (uint32_t)(v >> (8 * (offset & 4)));
	return v;
}

/* Control changed from @old to @new (regs_lock held). */
static void control_write(struct amdvi *iommu, uint64_t old, uint64_t new)
{
	uint64_t up = new & ~old, down = old & ~new;

	__atomic_store_n(&iommu->control, new, __ATOMIC_RELEASE);
	if (down & amdvi_fmask(AMDVI_CTRL_EVTLOG_EN))
		status_clear(iommu, amdvi_fmask(AMDVI_STATUS_EVTLOG_RUN));
	if (up & amdvi_fmask(AMDVI_CTRL_EVTLOG_EN)) {
		ufd_mutex_lock(&iommu->log_lock);
		status_set(iommu, amdvi_fmask(AMDVI_STATUS_EVTLOG_RUN));
		ufd_mutex_unlock(&iommu->log_lock);
	}
	if (down & amdvi_fmask(AMDVI_CTRL_PPRLOG_EN))
		status_clear(iommu, amdvi_fmask(AMDVI_STATUS_PPRLOG_RUN));
	if ((up & amdvi_fmask(AMDVI_CTRL_PPRLOG_EN)) && iommu->cfg.ppr)
		status_set(iommu, amdvi_fmask(AMDVI_STATUS_PPRLOG_RUN));
	if (down & amdvi_fmask(AMDVI_CTRL_CMDBUF_EN))
		status_clear(iommu, amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN));
	if (up & amdvi_fmask(AMDVI_CTRL_CMDBUF_EN)) {
		status_set(iommu, amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN));
		amdvi_cmdbuf_run(iommu);
	}
}

/* A whole-register write (regs_lock held). */
static void reg_write(struct amdvi *iommu, uint64_t off, uint64_t v)
{
	uint64_t ctrl = ctrl_get(iommu);

	switch (off) {
	case AMDVI_DEVTAB_BASE:
		__atomic_store_n(&iommu->devtab_base, v & DEVTAB_MASK,
				 __ATOMIC_RELEASE);
		break;
	case AMDVI_CMDBUF_BASE:
		if (!amdvi_fget(ctrl, AMDVI_CTRL_CMDBUF_EN))
			iommu->cmdbuf_base = v & LOG_BASE_MASK;
		break;
	case AMDVI_EVTLOG_BASE:
		if (!amdvi_fget(ctrl, AMDVI_CTRL_EVTLOG_EN)) {
			ufd_mutex_lock(&iommu->log_lock);
			iommu->evtlog_base = v & LOG_BASE_MASK;
			ufd_mutex_unlock(&iommu->log_lock);
		}
		break;
	case AMDVI_PPRLOG_BASE:
		if (!amdvi_fget(ctrl, AMDVI_CTRL_PPRLOG_EN)) {
			ufd_mutex_lock(&iommu->log_lock);
			iommu->pprlog_base = v & LOG_BASE_MASK;
			ufd_mutex_unlock(&iommu->log_lock);
		}
		break;
	case AMDVI_CONTROL:
		control_write(iommu, ctrl, v & CTRL_MASK);
		break;
	case AMDVI_EXCL_BASE:
		iommu->excl_base = v & EXCL_BASE_MASK;
		break;
	case AMDVI_EXCL_LIMIT:
		iommu->excl_limit = v & amdvi_fmask(AMDVI_EXCL_ADDR);
		break;
	case AMDVI_CMDBUF_HEAD:
		if (!(__atomic_load_n(&iommu->status, __ATOMIC_SEQ_CST) &
		      amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN)))
			iommu->cmd_head = v & PTR_MASK;
		break;
	case AMDVI_CMDBUF_TAIL:
		iommu->cmd_tail = v & PTR_MASK;
		amdvi_cmdbuf_run(iommu);
		break;
	case AMDVI_EVTLOG_HEAD:
		ufd_mutex_lock(&iommu->log_lock);
		iommu->evt_head = v & PTR_MASK;
		ufd_mutex_unlock(&iommu->log_lock);
		break;
	case AMDVI_EVTLOG_TAIL:
		ufd_mutex_lock(&iommu->log_lock);
		if (!amdvi_fget(ctrl, AMDVI_CTRL_EVTLOG_EN))
			iommu->evt_tail = v & PTR_MASK;
		ufd_mutex_unlock(&iommu->log_lock);
		break;
	case AMDVI_PPRLOG_HEAD:
		ufd_mutex_lock(&iommu->log_lock);
		iommu->ppr_head = v & PTR_MASK;
		ufd_mutex_unlock(&iommu->log_lock);
		break;
	case AMDVI_PPRLOG_TAIL:
		ufd_mutex_lock(&iommu->log_lock);
		if (!amdvi_fget(ctrl, AMDVI_CTRL_PPRLOG_EN))
			iommu->ppr_tail = v & PTR_MASK;
		ufd_mutex_unlock(&iommu->log_lock);
		break;
	case AMDVI_STATUS:
		status_clear(iommu, v & AMDVI_STATUS_RW1C);
		break;
	default:
		break;
	}
}

int amdvi_mmio_write(struct amdvi *iommu, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	uint64_t off = offset & ~7ull, v;

	if (offset >= AMDVI_MMIO_SIZE || (size != 4 && size != 8) ||
	    (offset & (size - 1)))
		return -EINVAL;
	ufd_mutex_lock(&iommu->regs_lock);
	if (size == 4) {
		unsigned int sh = 8 * (offset & 4);

		/* Status is RW1C: the other half writes zeroes. */
		v = off == AMDVI_STATUS ? 0 : reg_read_locked(iommu, off);
		v = (v & ~(0xffffffffull << sh)) |
		    ((value & 0xffffffffull) << sh);
	} else {
		v = value;
	}
	reg_write(iommu, off, v);
	ufd_mutex_unlock(&iommu->regs_lock);
	amdvi_irq_flush(iommu);
	return 0;
}

/* --- device operations --- */

int amdvi_dev_register(struct amdvi *iommu, uint16_t devid,
		       const struct amdvi_dev_ops *ops, void *priv)
{
	struct amdvi_dev *d;
	size_t i;
	int rc = 0;

	ufd_rwlock_wrlock(&iommu->dev_lock);
	for (i = 0; i < iommu->ndevs; i++) {
		if (iommu->devs[i].devid == devid) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}
	if (iommu->ndevs == iommu->devs_cap) {
		size_t cap = iommu->devs_cap ? 2 * iommu->devs_cap : 8;

		d = ufd_calloc(cap, sizeof(*d));
		if (!d) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		if (iommu->ndevs)
			memcpy(d, iommu->devs, iommu->ndevs * sizeof(*d));
		ufd_free(iommu->devs);
		iommu->devs = d;
		iommu->devs_cap = cap;
	}
	d = &iommu->devs[iommu->ndevs++];
	d->devid = devid;
	d->ops = ops;
	d->priv = priv;
out_unlock:
	ufd_rwlock_unlock(&iommu->dev_lock);
	return rc;
}

int amdvi_dev_unregister(struct amdvi *iommu, uint16_t devid)
{
	size_t i;
	int rc = -ENOENT;

	ufd_rwlock_wrlock(&iommu->dev_lock);
	for (i = 0; i < iommu->ndevs; i++) {
		if (iommu->devs[i].devid != devid)
			continue;
		iommu->devs[i] = iommu->devs[--iommu->ndevs];
		rc = 0;
		break;
	}
	ufd_rwlock_unlock(&iommu->dev_lock);
	return rc;
}

int amdvi_ppr_request(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		      uint64_t addr, unsigned int perm, uint16_t tag)
{
	const uint64_t run = amdvi_fmask(AMDVI_STATUS_PPRLOG_RUN);
	uint64_t ctrl = ctrl_get(iommu), size, head, tail, next, q[2];
	unsigned int flags = 0;
	void *p;
	int rc;

	if (!iommu->cfg.ppr)
		return -EOPNOTSUPP;
	if (perm & AMDVI_READ)
		flags |= AMDVI_PPRF_RD;
	if (perm & AMDVI_WRITE)
		flags |= AMDVI_PPRF_WR;
	if (perm & AMDVI_EXEC)
		flags |= AMDVI_PPRF_NX;
	if (!(perm & AMDVI_PRIV))
		flags |= AMDVI_PPRF_US;
	if (pasid != AMDVI_NO_PASID)
		flags |= AMDVI_PPRF_GN;
	else
		pasid = 0;
	q[0] = amdvi_dprep(AMDVI_PPR_DEVID, devid) |
	       amdvi_dprep(AMDVI_PPR_PASID_LO, pasid) |
	       amdvi_dprep(AMDVI_PPR_TAG, tag) |
	       amdvi_dprep(AMDVI_PPR_PASID_HI, pasid >> 16) |
	       amdvi_dprep(AMDVI_PPR_FLAGS, flags) |
	       amdvi_dprep(AMDVI_PPR_CODE, AMDVI_PPR_CODE_PAGE_REQUEST);
	q[1] = amdvi_dprep(AMDVI_PPR_ADDR, addr & ~0xfffull);

	ufd_mutex_lock(&iommu->log_lock);
	rc = -EAGAIN;
	if (!amdvi_fget(ctrl, AMDVI_CTRL_PPRLOG_EN) ||
	    !amdvi_fget(ctrl, AMDVI_CTRL_PPR_EN) ||
	    !(__atomic_load_n(&iommu->status, __ATOMIC_SEQ_CST) & run))
		goto out_unlock;
	size = log_bytes(iommu->pprlog_base);
	head = iommu->ppr_head & (size - 1);
	tail = iommu->ppr_tail & (size - 1);
	next = (tail + AMDVI_ENTRY_SIZE) & (size - 1);
	rc = -ENOSPC;
	if (next == head) {
		/* Full: the request is lost and logging stops, as events. */
		status_clear(iommu, run);
		status_set(iommu, amdvi_fmask(AMDVI_STATUS_PPR_OVERFLOW));
		amdvi_raise(iommu, AMDVI_IRQ_PPR);
		goto out_unlock;
	}
	rc = -EIO;
	p = amdvi_map(iommu, log_addr(iommu->pprlog_base) + tail,
		      AMDVI_ENTRY_SIZE, true);
	if (!p) {
		status_clear(iommu, run);
		goto out_unlock;
	}
	memcpy(p, q, AMDVI_ENTRY_SIZE);
	iommu->ppr_tail = next;
	status_set(iommu, amdvi_fmask(AMDVI_STATUS_PPR_INT));
	amdvi_raise(iommu, AMDVI_IRQ_PPR);
	rc = 0;
out_unlock:
	ufd_mutex_unlock(&iommu->log_lock);
	amdvi_irq_flush(iommu);
	return rc;
}

void amdvi_get_stats(struct amdvi *iommu, struct amdvi_stats *st)
{
	const struct amdvi_counters *c = &iommu->cnt;

	st->tlb_fills = amdvi_load(&c->tlb_fills);
	st->tlb_evictions = amdvi_load(&c->tlb_evictions);
	st->dte_fills = amdvi_load(&c->dte_fills);
	st->dte_evictions = amdvi_load(&c->dte_evictions);
	st->events = amdvi_load(&c->events);
	st->events_lost = amdvi_load(&c->events_lost);
	st->commands = amdvi_load(&c->commands);
}
