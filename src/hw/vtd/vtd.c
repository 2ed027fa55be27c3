// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d model's instance and register file (11.4), fault recording
 * (7.2) and interrupts.
 *
 * Registers: VER/CAP/ECAP are fixed at create from the configuration.
 * GCMD writes complete at once: TE sets or clears GSTS.TES, SRTP latches
 * RTADDR as the root the translation path reads (no cache is flushed:
 * CAP.ESRTPS = 0, so software invalidates after SRTP as the specification
 * asks), QIE enables the invalidation queue (and resets IQH when
 * disabled). WBF completes at once (RWBF = 0). Interrupt remapping is not
 * modelled (ECAP.IR = 0).
 *
 * Faults: a request that faults writes the next fault recording register
 * (round robin over CAP.NFR + 1 records) unless that record still holds an
 * unserviced fault, in which case FSTS.PFO is set and the fault is lost.
 * FSTS.PPF is the OR of the records' F bits and FSTS.FRI the index of the
 * first pending record (set when PPF goes from 0 to 1). Setting PPF, PFO,
 * IQE, ICE or ITE is a fault-event condition only when none of those
 * status bits was already set (11.4.9.2: an event while status is pending
 * is not a new one; software's handler drains every record anyway). An
 * event with FECTL.IM clear runs the irq callback; with IM set it leaves
 * FECTL.IP set and the callback runs when software clears IM, unless
 * software serviced every status bit first, which clears IP (7.4).
 * The invalidation completion event follows the same IM/IP rules with
 * IECTL, its condition being ICS.IWC going from 0 to 1.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "hw/vtd/vtd_priv.h"

void vtd_config_default(struct vtd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->fs = true;
	cfg->ss = true;
	cfg->nest = true;
	cfg->pt = true;
	cfg->ssad = true;
	cfg->dt = true;
	cfg->sre = true;
	cfg->ere = true;
	cfg->ss_5lvl = true;
	cfg->fs_5lvl = true;
	cfg->fs_1g = true;
	cfg->ss_2m = true;
	cfg->ss_1g = true;
	cfg->mgaw = 57;
	cfg->haw = 52;
	cfg->pasid_bits = 20;
	cfg->nfr = 8;
	cfg->nd = 6;
	cfg->mamv = 18;
	cfg->tlb_sets_lg2 = 10;
	cfg->tlb_ways = 4;
	cfg->ctx_sets_lg2 = 6;
	cfg->ctx_ways = 4;
}

static int check_config(const struct vtd_config *c)
{
	if (!c->mem || !c->mem->map)
		return -EINVAL;
	if (!c->fs && !c->ss)
		return -EINVAL;
	if (c->nest && !(c->fs && c->ss))
		return -EINVAL;
	if (c->mgaw != 48 && c->mgaw != 57)
		return -EINVAL;
	if (c->ss_5lvl && c->mgaw != 57)
		return -EINVAL;
	if (c->fs_5lvl && c->mgaw != 57)
		return -EINVAL;
	if (c->haw < 39 || c->haw > 52)
		return -EINVAL;
	if (c->pasid_bits < 1 || c->pasid_bits > 20)
		return -EINVAL;
	if (c->nfr < 1 || c->nfr > 256 || c->nd > 6 || c->mamv > 63)
		return -EINVAL;
	if (!c->tlb_ways || !c->ctx_ways || c->tlb_sets_lg2 > 20 ||
	    c->ctx_sets_lg2 > 20)
		return -EINVAL;
	return 0;
}

static void make_caps(struct vtd *vtd)
{
	const struct vtd_config *c = &vtd->cfg;
	unsigned int sagaw = VTD_SAGAW_48 | (c->ss_5lvl ? VTD_SAGAW_57 : 0);
	unsigned int sllps = (c->ss_2m ? VTD_SLLPS_2M : 0) |
			     (c->ss_1g ? VTD_SLLPS_1G : 0);

	vtd->cap = vtd_fprep(VTD_CAP_ND, c->nd) |
		   vtd_fprep(VTD_CAP_SAGAW, c->ss ? sagaw : 0) |
		   vtd_fprep(VTD_CAP_MGAW, c->mgaw - 1) |
		   vtd_fprep(VTD_CAP_FRO, VTD_FRO_OFFSET / 16) |
		   vtd_fprep(VTD_CAP_SLLPS, c->ss ? sllps : 0) |
		   vtd_fprep(VTD_CAP_PSI, 1) |
		   vtd_fprep(VTD_CAP_NFR, c->nfr - 1) |
		   vtd_fprep(VTD_CAP_MAMV, c->mamv) |
		   vtd_fprep(VTD_CAP_DWD, 1) | vtd_fprep(VTD_CAP_DRD, 1) |
		   vtd_fprep(VTD_CAP_FS1GP, c->fs && c->fs_1g) |
		   vtd_fprep(VTD_CAP_FS5LP, c->fs && c->fs_5lvl);
	vtd->ecap = vtd_fprep(VTD_ECAP_C, 1) | vtd_fprep(VTD_ECAP_QI, 1) |
		    vtd_fprep(VTD_ECAP_DT, c->dt) |
		    vtd_fprep(VTD_ECAP_PT, c->pt) |
		    vtd_fprep(VTD_ECAP_IRO, VTD_IRO_OFFSET / 16) |
		    vtd_fprep(VTD_ECAP_MHMV, 15) |
		    vtd_fprep(VTD_ECAP_NEST, c->nest) |
		    vtd_fprep(VTD_ECAP_PRS, c->prs) |
		    vtd_fprep(VTD_ECAP_ERS, c->ere) |
		    vtd_fprep(VTD_ECAP_SRS, c->sre) |
		    vtd_fprep(VTD_ECAP_PSS, c->pasid_bits - 1) |
		    vtd_fprep(VTD_ECAP_PASID, 1) | vtd_fprep(VTD_ECAP_SMTS, 1) |
		    vtd_fprep(VTD_ECAP_SSADS, c->ss && c->ssad) |
		    vtd_fprep(VTD_ECAP_SSTS, c->ss) |
		    vtd_fprep(VTD_ECAP_FSTS, c->fs);
}

struct vtd *vtd_create(const struct vtd_config *cfg)
{
	struct vtd *vtd;
	int ret;

	ret = check_config(cfg);
	if (ret)
		goto out_err;
	ret = -ENOMEM;
	vtd = ufd_zalloc(sizeof(*vtd));
	if (!vtd)
		goto out_err;
	vtd->cfg = *cfg;
	vtd->frcd = ufd_calloc(cfg->nfr, sizeof(*vtd->frcd));
	if (!vtd->frcd)
		goto out_free;
	if (vtd_cfgc_init(&vtd->cfgc, cfg->ctx_sets_lg2, cfg->ctx_ways))
		goto out_free_frcd;
	if (vtd_iotlb_init(&vtd->tlb, cfg->tlb_sets_lg2, cfg->tlb_ways))
		goto out_free_cfgc;
	make_caps(vtd);
	ufd_mutex_init(&vtd->regs_lock);
	ufd_mutex_init(&vtd->fault_lock);
	ufd_rwlock_init(&vtd->dev_lock);
	/* Reset: fault and invalidation events masked (11.4.9.2). */
	vtd->fectl = vtd_fprep(VTD_FECTL_IM, 1);
	vtd->iectl = vtd_fprep(VTD_IECTL_IM, 1);
	vtd->pectl = vtd_fprep(VTD_XECTL_IM, 1);
	return vtd;

out_free_cfgc:
	vtd_cfgc_destroy(&vtd->cfgc);
out_free_frcd:
	ufd_free(vtd->frcd);
out_free:
	ufd_free(vtd);
out_err:
	return ERR_PTR(ret);
}

void vtd_destroy(struct vtd *vtd)
{
	if (!vtd)
		return;
	ufd_rwlock_destroy(&vtd->dev_lock);
	ufd_mutex_destroy(&vtd->fault_lock);
	ufd_mutex_destroy(&vtd->regs_lock);
	vtd_iotlb_destroy(&vtd->tlb);
	vtd_cfgc_destroy(&vtd->cfgc);
	ufd_free(vtd->frcd);
	ufd_free(vtd);
}

int vtd_read_words(struct vtd *vtd, uint64_t pa, uint64_t *w, unsigned int n)
{
	const uint64_t *p = vtd_map(vtd, pa, n * sizeof(uint64_t), false);
	unsigned int i;

	if (!p || (pa & 7))
		return -EFAULT;
	for (i = 0; i < n; i++)
		w[i] = __atomic_load_n(&p[i], __ATOMIC_ACQUIRE);
	return 0;
}

/* --- interrupts --- */

void vtd_raise_irq(struct vtd *vtd, enum vtd_irq irq)
{
	__atomic_fetch_or(&vtd->irq_pending, 1u << irq, __ATOMIC_SEQ_CST);
}

void vtd_deliver_irqs(struct vtd *vtd)
{
	uint32_t p =
		__atomic_exchange_n(&vtd->irq_pending, 0, __ATOMIC_SEQ_CST);
	unsigned int i;

	for (i = 0; p && i < 32; i++) {
		if (!(p & (1u << i)))
			continue;
		p &= ~(1u << i);
		if (vtd->cfg.irq)
			vtd->cfg.irq(vtd->cfg.irq_priv, (enum vtd_irq)i);
	}
}

/*
 * An event condition for the interrupt controlled by *@ctl: nothing if one
 * is already pending (IP), pending if masked, raised otherwise.
 */
static void signal_event(struct vtd *vtd, uint32_t *ctl, enum vtd_irq irq)
{
	if (vtd_fget(*ctl, VTD_XECTL_IP))
		return;
	if (vtd_fget(*ctl, VTD_XECTL_IM)) {
		*ctl |= vtd_fmask(VTD_XECTL_IP);
		return;
	}
	vtd_raise_irq(vtd, irq);
}

/* A write of the control register: unmasking delivers a pending event. */
static void write_ectl(struct vtd *vtd, uint32_t *ctl, uint32_t val,
		       enum vtd_irq irq)
{
	bool im = vtd_fget(val, VTD_XECTL_IM);

	*ctl = (*ctl & vtd_fmask(VTD_XECTL_IP)) | vtd_fprep(VTD_XECTL_IM, im);
	if (!im && vtd_fget(*ctl, VTD_XECTL_IP)) {
		*ctl &= ~vtd_fmask(VTD_XECTL_IP);
		vtd_raise_irq(vtd, irq);
	}
}

void vtd_signal_inv_event(struct vtd *vtd)
{
	signal_event(vtd, &vtd->iectl, VTD_IRQ_INV);
}

/* --- faults (fault_lock) --- */

static bool any_frcd_pending(struct vtd *vtd)
{
	unsigned int i;

	for (i = 0; i < vtd->cfg.nfr; i++)
		if (vtd_dget(vtd->frcd[i], VTD_FRCD_F))
			return true;
	return false;
}

static uint32_t fsts_status_bits(void)
{
	return vtd_fmask(VTD_FSTS_PFO) | vtd_fmask(VTD_FSTS_PPF) |
	       vtd_fmask(VTD_FSTS_IQE) | vtd_fmask(VTD_FSTS_ICE) |
	       vtd_fmask(VTD_FSTS_ITE);
}

/*
 * Sets the FSTS status @bits (FRI replaced by @fri when given with PPF);
 * a fault-event condition when no status bit was set before. fault_lock.
 */
static void set_fsts_locked(struct vtd *vtd, uint32_t bits, uint32_t fri)
{
	uint32_t old = vtd->fsts, f = old | bits;

	if (vtd_fget(bits, VTD_FSTS_PPF))
		f = (f & ~vtd_fmask(VTD_FSTS_FRI)) | fri;
	vtd_store(&vtd->fsts, f);
	if (!(old & fsts_status_bits()) && (bits & fsts_status_bits()))
		signal_event(vtd, &vtd->fectl, VTD_IRQ_FAULT);
}

bool vtd_record_fault(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		      uint64_t addr, unsigned int access, uint8_t reason)
{
	unsigned int i;
	uint64_t *r;
	bool recorded = false;

	ufd_mutex_lock(&vtd->fault_lock);
	if (vtd_fget(vtd->fsts, VTD_FSTS_PFO))
		goto out_lost;
	i = vtd->frcd_next;
	r = vtd->frcd[i];
	if (vtd_dget(r, VTD_FRCD_F)) {
		set_fsts_locked(vtd, vtd_fmask(VTD_FSTS_PFO), 0);
		goto out_lost;
	}
	r[0] = vtd_dprep(VTD_FRCD_FI, addr >> 12);
	r[1] = vtd_dprep(VTD_FRCD_SID, sid) |
	       vtd_dprep(VTD_FRCD_PRIV, !!(access & VTD_PRIV)) |
	       vtd_dprep(VTD_FRCD_EXE, !!(access & VTD_EXEC)) |
	       vtd_dprep(VTD_FRCD_FR, reason) |
	       vtd_dprep(VTD_FRCD_T1, !(access & VTD_WRITE)) |
	       vtd_dprep(VTD_FRCD_F, 1);
	if (pasid != VTD_NO_PASID)
		r[1] |= vtd_dprep(VTD_FRCD_PP, 1) |
			vtd_dprep(VTD_FRCD_PV, pasid);
	vtd->frcd_next = (i + 1) % vtd->cfg.nfr;
	if (!vtd_fget(vtd->fsts, VTD_FSTS_PPF))
		set_fsts_locked(vtd, vtd_fmask(VTD_FSTS_PPF),
				vtd_fprep(VTD_FSTS_FRI, i));
	recorded = true;
	vtd_inc(&vtd->stats.faults);
	goto out_unlock;

out_lost:
	vtd_inc(&vtd->stats.faults_lost);
out_unlock:
	ufd_mutex_unlock(&vtd->fault_lock);
	vtd_deliver_irqs(vtd);
	return recorded;
}

void vtd_set_fsts_error(struct vtd *vtd, uint32_t bits)
{
	ufd_mutex_lock(&vtd->fault_lock);
	set_fsts_locked(vtd, bits & fsts_status_bits(), 0);
	ufd_mutex_unlock(&vtd->fault_lock);
}

/* FSTS: the status bits are RW1C; PPF follows the records. */
static void fsts_write(struct vtd *vtd, uint32_t val)
{
	uint32_t clr = val & fsts_status_bits() & ~vtd_fmask(VTD_FSTS_PPF);
	uint32_t f = vtd->fsts & ~clr;

	vtd_store(&vtd->fsts, f);
	/* All serviced: a pending but masked event is withdrawn (7.4). */
	if (!(f & fsts_status_bits()))
		vtd->fectl &= ~vtd_fmask(VTD_FECTL_IP);
}

static void frcd_write(struct vtd *vtd, unsigned int idx, unsigned int qw,
		       uint64_t val)
{
	uint64_t *r = vtd->frcd[idx];

	/* Only F is writable (RW1C); the record's other fields are RO. */
	if (qw != 1 || !(val >> 63))
		return;
	r[1] &= ~vtd_dmask(VTD_FRCD_F);
	if (!any_frcd_pending(vtd)) {
		uint32_t f = vtd->fsts & ~vtd_fmask(VTD_FSTS_PPF);

		vtd_store(&vtd->fsts, f);
		if (!(f & fsts_status_bits()))
			vtd->fectl &= ~vtd_fmask(VTD_FECTL_IP);
	}
}

/* --- register file --- */

/* The 64-bit register at @off8 (8-aligned) as read; *ok false if none. */
static uint64_t reg_read64(struct vtd *vtd, uint64_t off8, bool *ok)
{
	uint64_t fro_end = VTD_FRO_OFFSET + vtd->cfg.nfr * VTD_FRCD_SIZE;

	*ok = true;
	if (off8 >= VTD_FRO_OFFSET && off8 < fro_end) {
		uint64_t rel = off8 - VTD_FRO_OFFSET;

		return vtd->frcd[rel / VTD_FRCD_SIZE][(rel / 8) & 1];
	}
	switch (off8) {
	case VTD_VER_REG:
		return vtd_fprep(VTD_VER_MAX, 5);
	case VTD_CAP_REG:
		return vtd->cap;
	case VTD_ECAP_REG:
		return vtd->ecap;
	case VTD_GCMD_REG: /* GCMD reads as 0, GSTS in the upper half */
		return (uint64_t)vtd_load(&vtd->gsts) << 32;
	case VTD_RTADDR_REG:
		return vtd->rtaddr;
	case VTD_CCMD_REG:
		return vtd->ccmd;
	case 0x30: /* FSTS at 0x34 */
		return (uint64_t)vtd_load(&vtd->fsts) << 32;
	case VTD_FECTL_REG:
		return vtd->fectl | (uint64_t)vtd->fedata << 32;
	case VTD_FEADDR_REG:
		return vtd->feaddr | (uint64_t)vtd->feuaddr << 32;
	case VTD_IQH_REG:
		return vtd->iqh;
	case VTD_IQT_REG:
		return vtd->iqt;
	case VTD_IQA_REG:
		return vtd->iqa;
	case 0x98: /* ICS at 0x9c */
		return (uint64_t)vtd->ics << 32;
	case VTD_IECTL_REG:
		return vtd->iectl | (uint64_t)vtd->iedata << 32;
	case VTD_IEADDR_REG:
		return vtd->ieaddr | (uint64_t)vtd->ieuaddr << 32;
	case VTD_IQERCD_REG:
		return vtd->iqercd;
	case VTD_IRTA_REG:
		return vtd->irta;
	case VTD_PQH_REG:
		return vtd->pqh;
	case VTD_PQT_REG:
		return vtd->pqt;
	case VTD_PQA_REG:
		return vtd->pqa;
	case 0xd8: /* PRS at 0xdc */
		return (uint64_t)vtd->prs << 32;
	case VTD_PECTL_REG:
		return vtd->pectl | (uint64_t)vtd->pedata << 32;
	case VTD_PEADDR_REG:
		return vtd->peaddr | (uint64_t)vtd->peuaddr << 32;
	case VTD_IRO_OFFSET + VTD_IVA_OFF:
		return vtd->iva;
	case VTD_IRO_OFFSET + VTD_IOTLB_OFF:
		return vtd->iotlb_reg;
	default:
		*ok = false;
		return 0;
	}
}

uint64_t vtd_mmio_read(struct vtd *vtd, uint64_t offset, unsigned int size)
{
	uint64_t v;
	bool ok;

	if ((size != 4 && size != 8) || (offset & (size - 1)) ||
	    offset >= VTD_MMIO_SIZE)
		return 0;
	ufd_mutex_lock(&vtd->regs_lock);
	ufd_mutex_lock(&vtd->fault_lock);
	v = reg_read64(vtd, offset & ~7ull, &ok);
	ufd_mutex_unlock(&vtd->fault_lock);
	ufd_mutex_unlock(&vtd->regs_lock);
	if (size == 4)
		v = (offset & 4) ? v >> 32 : (uint32_t)v;
	return v;
}

static void gcmd_write(struct vtd *vtd, uint32_t val)
{
	uint32_t gsts = vtd->gsts;

	if (vtd_fget(val, VTD_GCMD_SRTP)) {
		vtd_store_release(&vtd->root, vtd->rtaddr);
		gsts |= vtd_fmask(VTD_GSTS_RTPS);
	}
	if (vtd_fget(val, VTD_GCMD_TE))
		gsts |= vtd_fmask(VTD_GSTS_TES);
	else
		gsts &= ~vtd_fmask(VTD_GSTS_TES);
	if (vtd_fget(val, VTD_GCMD_QIE)) {
		gsts |= vtd_fmask(VTD_GSTS_QIES);
	} else if (vtd_fget(gsts, VTD_GSTS_QIES)) {
		gsts &= ~vtd_fmask(VTD_GSTS_QIES);
		vtd->iqh = 0;
	}
	vtd_store_release(&vtd->gsts, gsts);
	if (vtd_fget(gsts, VTD_GSTS_QIES))
		vtd_qi_process(vtd);
}

/* Merges a 4-byte write into the 64-bit value @old. */
static uint64_t merge(uint64_t old, uint64_t offset, unsigned int size,
		      uint64_t val)
{
	if (size == 8)
		return val;
	if (offset & 4)
		return (old & 0xffffffffull) | (val << 32);
	return (old & ~0xffffffffull) | (uint32_t)val;
}

static void reg_write(struct vtd *vtd, uint64_t offset, unsigned int size,
		      uint64_t val)
{
	uint64_t off8 = offset & ~7ull;
	uint64_t fro_end = VTD_FRO_OFFSET + vtd->cfg.nfr * VTD_FRCD_SIZE;
	uint32_t v32 = (uint32_t)val;
	uint64_t qmask;

	if (offset >= VTD_FRO_OFFSET && offset < fro_end) {
		uint64_t rel = off8 - VTD_FRO_OFFSET;

		if (size == 4 && !(offset & 4))
			return;
		ufd_mutex_lock(&vtd->fault_lock);
		frcd_write(vtd, rel / VTD_FRCD_SIZE, (rel / 8) & 1,
			   size == 4 ? val << 32 : val);
		ufd_mutex_unlock(&vtd->fault_lock);
		return;
	}
	switch (offset) {
	case VTD_GCMD_REG:
		gcmd_write(vtd, v32);
		return;
	case VTD_RTADDR_REG:
	case VTD_RTADDR_REG + 4:
		vtd->rtaddr =
			merge(vtd->rtaddr, offset, size, val) &
			(vtd_fmask(VTD_RTADDR_RTA) | vtd_fmask(VTD_RTADDR_TTM));
		return;
	case VTD_CCMD_REG:
	case VTD_CCMD_REG + 4:
		vtd->ccmd = merge(vtd->ccmd, offset, size, val);
		/* The command starts when the half holding ICC is written. */
		if (size == 8 || (offset & 4))
			vtd_ccmd_write(vtd, vtd->ccmd);
		return;
	case VTD_FSTS_REG:
		ufd_mutex_lock(&vtd->fault_lock);
		fsts_write(vtd, v32);
		ufd_mutex_unlock(&vtd->fault_lock);
		/* Clearing IQE or ITE lets the queue go on from IQH. */
		if (vtd_fget(v32, VTD_FSTS_IQE) || vtd_fget(v32, VTD_FSTS_ITE))
			vtd_qi_process(vtd);
		return;
	case VTD_FECTL_REG:
		ufd_mutex_lock(&vtd->fault_lock);
		write_ectl(vtd, &vtd->fectl, v32, VTD_IRQ_FAULT);
		if (size == 8)
			vtd->fedata = (uint32_t)(val >> 32);
		ufd_mutex_unlock(&vtd->fault_lock);
		return;
	case VTD_FEDATA_REG:
		vtd->fedata = v32;
		return;
	case VTD_FEADDR_REG:
		vtd->feaddr = v32 & ~3u;
		if (size == 8)
			vtd->feuaddr = (uint32_t)(val >> 32);
		return;
	case VTD_FEUADDR_REG:
		vtd->feuaddr = v32;
		return;
	case VTD_IQT_REG:
	case VTD_IQT_REG + 4:
		vtd->iqt = merge(vtd->iqt, offset, size, val) &
			   vtd_fmask(VTD_IQ_QT);
		vtd_qi_process(vtd);
		return;
	case VTD_IQA_REG:
	case VTD_IQA_REG + 4:
		qmask = vtd_fmask(VTD_IQA_IQA) | vtd_fmask(VTD_IQA_DW) |
			vtd_fmask(VTD_IQA_QS);
		vtd->iqa = merge(vtd->iqa, offset, size, val) & qmask;
		return;
	case 0x9c: /* ICS: IWC is RW1C */
		if (vtd_fget(v32, VTD_ICS_IWC)) {
			vtd->ics = 0;
			vtd->iectl &= ~vtd_fmask(VTD_IECTL_IP);
		}
		return;
	case VTD_IECTL_REG:
		write_ectl(vtd, &vtd->iectl, v32, VTD_IRQ_INV);
		return;
	case VTD_IEDATA_REG:
		vtd->iedata = v32;
		return;
	case VTD_IEADDR_REG:
		vtd->ieaddr = v32 & ~3u;
		return;
	case VTD_IEUADDR_REG:
		vtd->ieuaddr = v32;
		return;
	case VTD_IRTA_REG:
	case VTD_IRTA_REG + 4:
		vtd->irta = merge(vtd->irta, offset, size, val);
		return;
	case VTD_PQH_REG:
		vtd->pqh = val & vtd_fmask(VTD_PQ_QH);
		return;
	case VTD_PQA_REG:
	case VTD_PQA_REG + 4:
		vtd->pqa = merge(vtd->pqa, offset, size, val);
		return;
	case VTD_PECTL_REG:
		write_ectl(vtd, &vtd->pectl, v32, VTD_IRQ_PRQ);
		return;
	case VTD_IRO_OFFSET + VTD_IVA_OFF:
	case VTD_IRO_OFFSET + VTD_IVA_OFF + 4:
		vtd->iva = merge(vtd->iva, offset, size, val);
		return;
	case VTD_IRO_OFFSET + VTD_IOTLB_OFF:
	case VTD_IRO_OFFSET + VTD_IOTLB_OFF + 4:
		vtd->iotlb_reg = merge(vtd->iotlb_reg, offset, size, val);
		if (size == 8 || (offset & 4))
			vtd_iotlb_reg_write(vtd, vtd->iotlb_reg);
		return;
	default:
		return;
	}
}

int vtd_mmio_write(struct vtd *vtd, uint64_t offset, unsigned int size,
		   uint64_t value)
{
	if ((size != 4 && size != 8) || (offset & (size - 1)) ||
	    offset >= VTD_MMIO_SIZE)
		return -EINVAL;
	ufd_mutex_lock(&vtd->regs_lock);
	reg_write(vtd, offset, size, value);
	ufd_mutex_unlock(&vtd->regs_lock);
	vtd_deliver_irqs(vtd);
	return 0;
}

/* --- devices --- */

int vtd_dev_register(struct vtd *vtd, uint16_t sid,
		     const struct vtd_dev_ops *ops, void *priv)
{
	int ret = -ENOMEM;
	unsigned int i, slot = VTD_MAX_DEVS;

	ufd_rwlock_wrlock(&vtd->dev_lock);
	for (i = 0; i < VTD_MAX_DEVS; i++) {
		if (vtd->devs[i].used && vtd->devs[i].sid == sid) {
			ret = -EEXIST;
			goto out_unlock;
		}
		if (!vtd->devs[i].used && slot == VTD_MAX_DEVS)
			slot = i;
	}
	if (slot == VTD_MAX_DEVS)
		goto out_unlock;
	vtd->devs[slot].used = true;
	vtd->devs[slot].sid = sid;
	vtd->devs[slot].ops = ops;
	vtd->devs[slot].priv = priv;
	ret = 0;
out_unlock:
	ufd_rwlock_unlock(&vtd->dev_lock);
	return ret;
}

int vtd_dev_unregister(struct vtd *vtd, uint16_t sid)
{
	int ret = -ENOENT;
	unsigned int i;

	ufd_rwlock_wrlock(&vtd->dev_lock);
	for (i = 0; i < VTD_MAX_DEVS; i++) {
		if (vtd->devs[i].used && vtd->devs[i].sid == sid) {
			memset(&vtd->devs[i], 0, sizeof(vtd->devs[i]));
			ret = 0;
			break;
		}
	}
	ufd_rwlock_unlock(&vtd->dev_lock);
	return ret;
}

const struct vtd_dev *vtd_dev_get(struct vtd *vtd, uint16_t sid)
{
	unsigned int i;

	ufd_rwlock_rdlock(&vtd->dev_lock);
	for (i = 0; i < VTD_MAX_DEVS; i++)
		if (vtd->devs[i].used && vtd->devs[i].sid == sid)
			return &vtd->devs[i];
	return NULL;
}

void vtd_dev_put(struct vtd *vtd)
{
	ufd_rwlock_unlock(&vtd->dev_lock);
}

void vtd_get_stats(struct vtd *vtd, struct vtd_stats *st)
{
	const uint64_t *src = (const uint64_t *)&vtd->stats;
	uint64_t *dst = (uint64_t *)st;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = vtd_load(&src[i]);
}
