// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d invalidation: the invalidation queue (6.5.2) and the register-based
 * context-command and IOTLB registers (6.5.1).
 *
 * The queue is consumed synchronously, in the thread that wrote IQT (or
 * enabled the queue, or cleared FSTS.IQE), from IQH up to IQT. Descriptors
 * are 128-bit, or 256-bit when IQA.DW is set (the upper 128 bits of the
 * types below are reserved and must be zero). A descriptor that cannot be
 * read, has an unknown type or a reserved field set, or a tail that is not
 * a descriptor boundary inside the queue, stops the queue with FSTS.IQE
 * and IQERCD.IQEI saying why; IQH keeps pointing at the failing
 * descriptor until software clears IQE, after which processing resumes
 * from IQH.
 *
 * Scopes (see iotlb.c for the IOTLB tags): a context-cache invalidation
 * drops the configuration-cache entries of the source-ids it names
 * (domain-selective ones are treated as global: scalable-mode context
 * entries carry no DID); a PASID-cache invalidation those of the (DID[,
 * PASID]) it names; the IOTLB descriptor covers second-stage and nested
 * entries by DID (page-selective: second-stage entries in the range, every
 * nested entry of the DID); the PASID-based IOTLB descriptor covers
 * first-stage and nested entries of (DID[, PASID]) -- AM sizes the range,
 * IH (paging-structure caches, which the model has none of) is accepted.
 *
 * The PASID-based IOTLB descriptor has two granularities in scalable
 * mode, 10b (the non-global entries of one PASID) and 11b (pages of one
 * PASID, global pages of any PASID included); 00b and 01b are reserved
 * and stop the queue with IQEI 4 like any reserved field. A page-selective
 * one drops first-stage and nested entries of (DID, PASID) whose
 * first-stage page meets the range, nothing else.
 *
 * Device-TLB invalidation time-out (6.5.2.10): a device callback answering
 * -ETIMEDOUT stands for a device that never completes. The model sets
 * FSTS.ITE (and IQERCD.ITESID if ITE was clear) and, as hardware discards
 * the invalidation wait descriptors pending when it detects the time-out,
 * treats everything up to the next wait descriptor as already fetched: it
 * executes the invalidations in between, discards that wait descriptor
 * (no status write, no completion event), leaves IQH after it and stops
 * fetching. Software learns of the loss from ITE and the missing status,
 * clears ITE, and the queue resumes from IQH. An error in the stretch
 * still stops the queue at the failing descriptor with IQE. Invalidation
 * completion errors (ICE) cannot happen: the model has no completion
 * messages to get wrong.
 *
 * Register-based invalidation is refused (completes without effect,
 * CAIG/IAIG = 0) while queued invalidation is enabled.
 */
#include <errno.h>
#include <string.h>

#include "hw/vtd/vtd_priv.h"

/*
 * exec_desc() results besides 0 and IQEI codes: a device-TLB invalidation
 * timed out; the descriptor itself completed (as far as it goes).
 */
#define QI_TIMEOUT 0x100

static unsigned int desc_type(const uint64_t *d)
{
	return (unsigned int)(vtd_dget(d, VTD_DESC_TYPE_LO) |
			      vtd_dget(d, VTD_DESC_TYPE_HI) << 4);
}

/* Source-id mask bits a function mask (CCMD.FM / descriptor FM) ignores. */
static uint16_t fm_mask(unsigned int fm)
{
	static const uint16_t m[4] = { 0, 0x4, 0x6, 0x7 };

	return m[fm & 3];
}

static void inval_context(struct vtd *vtd, unsigned int g, uint16_t sid,
			  unsigned int fm)
{
	struct vtd_cfg_inval inv = { 0 };

	if (g == VTD_CC_DEVICE) {
		inv.by_sid = true;
		inv.sid = sid;
		inv.sid_mask = fm_mask(fm);
	} else {
		inv.all = true;
	}
	vtd_cfgc_invalidate(&vtd->cfgc, &inv);
}

/* The IOTLB scope of a page-selective request; false if AM is too big. */
static bool page_range(struct vtd *vtd, uint64_t addr, unsigned int am,
		       struct vtd_tlbi *inv)
{
	if (am > vtd->cfg.mamv)
		return false;
	inv->first = (addr << 12) & ~vtd_mask(12 + am);
	inv->last = inv->first | vtd_mask(12 + am);
	return true;
}

static unsigned int inval_iotlb(struct vtd *vtd, unsigned int g, uint16_t did,
				uint64_t addr, unsigned int am)
{
	struct vtd_tlbi inv = { .did = did };

	switch (g) {
	case VTD_TLB_GLOBAL:
		inv.scope = VTD_TLBI_ALL;
		break;
	case VTD_TLB_DOMAIN:
		inv.scope = VTD_TLBI_DID;
		break;
	case VTD_TLB_PAGE:
		inv.scope = VTD_TLBI_DID_PAGE;
		if (!page_range(vtd, addr, am, &inv))
			return VTD_IQEI_RSVD;
		break;
	default:
		return VTD_IQEI_RSVD;
	}
	vtd_iotlb_invalidate(&vtd->tlb, &inv);
	return 0;
}

/* Device-TLB invalidation size: S = 1 encodes it in the address (6.5.2.5). */
static void devtlb_range(uint64_t addr_pfn, bool s, uint64_t *addr,
			 unsigned int *lg2)
{
	unsigned int ones = 0;

	if (s)
		ones = (unsigned int)__builtin_ctzll(~addr_pfn);
	*lg2 = s ? 12 + ones + 1 : 12;
	if (*lg2 > 64)
		*lg2 = 64;
	*addr = (addr_pfn << 12) & ~vtd_mask(*lg2);
}

static unsigned int devtlb(struct vtd *vtd, uint16_t sid, uint32_t pasid,
			   uint64_t addr_pfn, bool s, bool global)
{
	const struct vtd_dev *dev = vtd_dev_get(vtd, sid);
	unsigned int lg2;
	uint64_t addr;
	int ret = 0;

	devtlb_range(addr_pfn, s, &addr, &lg2);
	if (dev && dev->ops && dev->ops->atc_inval)
		ret = dev->ops->atc_inval(dev->priv, sid, pasid, addr, lg2,
					  global);
	vtd_dev_put(vtd);
	if (ret != -ETIMEDOUT)
		return 0;
	/* ITESID names the first time-out while ITE is set. */
	if (!vtd_fget(vtd_load(&vtd->fsts), VTD_FSTS_ITE))
		vtd->iqercd = (vtd->iqercd & ~vtd_fmask(VTD_IQERCD_ITESID)) |
			      vtd_fprep(VTD_IQERCD_ITESID, sid);
	vtd_set_fsts_error(vtd, vtd_fmask(VTD_FSTS_ITE));
	return QI_TIMEOUT;
}

/* @discard: a time-out is pending, the wait is dropped once checked. */
static unsigned int exec_wait(struct vtd *vtd, const uint64_t *d, bool discard)
{
	if ((d[0] & VTD_WAIT_RSVD0) || (d[1] & VTD_WAIT_RSVD1))
		return VTD_IQEI_RSVD;
	if (discard)
		return 0;
	if (vtd_dget(d, VTD_WAIT_SW)) {
		uint32_t *p = vtd_map(vtd, vtd_dget(d, VTD_WAIT_SADDR) << 2,
				      sizeof(uint32_t), true);

		if (!p)
			return VTD_IQEI_FETCH;
		__atomic_store_n(p, (uint32_t)vtd_dget(d, VTD_WAIT_SDATA),
				 __ATOMIC_RELEASE);
	}
	if (vtd_dget(d, VTD_WAIT_IF) && !vtd_fget(vtd->ics, VTD_ICS_IWC)) {
		vtd->ics |= vtd_fmask(VTD_ICS_IWC);
		vtd_signal_inv_event(vtd);
	}
	return 0;
}

static unsigned int exec_piotlb(struct vtd *vtd, const uint64_t *d)
{
	struct vtd_tlbi inv = {
		.did = (uint16_t)vtd_dget(d, VTD_PIOTLB_DID),
		.pasid = (uint32_t)vtd_dget(d, VTD_PIOTLB_PASID),
	};

	if ((d[0] & VTD_PIOTLB_RSVD0) || (d[1] & VTD_PIOTLB_RSVD1))
		return VTD_IQEI_RSVD;
	switch (vtd_dget(d, VTD_PIOTLB_G)) {
	case VTD_PIOTLB_G_PASID:
		inv.scope = VTD_TLBI_PASID;
		break;
	case VTD_PIOTLB_G_PAGE:
		inv.scope = VTD_TLBI_PASID_PAGE;
		if (!page_range(vtd, vtd_dget(d, VTD_PIOTLB_ADDR),
				vtd_dget(d, VTD_PIOTLB_AM), &inv))
			return VTD_IQEI_RSVD;
		break;
	default:
		return VTD_IQEI_RSVD;
	}
	vtd_iotlb_invalidate(&vtd->tlb, &inv);
	return 0;
}

static unsigned int exec_pc(struct vtd *vtd, const uint64_t *d)
{
	struct vtd_cfg_inval inv = {
		.did = (uint16_t)vtd_dget(d, VTD_PC_DID),
		.pasid = (uint32_t)vtd_dget(d, VTD_PC_PASID),
	};

	if ((d[0] & VTD_PC_RSVD0) || d[1])
		return VTD_IQEI_RSVD;
	switch (vtd_dget(d, VTD_PC_G)) {
	case VTD_PC_G_DOMAIN:
		inv.by_did = true;
		break;
	case VTD_PC_G_PASID:
		inv.by_did = true;
		inv.by_pasid = true;
		break;
	case VTD_PC_G_GLOBAL:
		inv.all = true;
		break;
	default:
		return VTD_IQEI_RSVD;
	}
	vtd_cfgc_invalidate(&vtd->cfgc, &inv);
	return 0;
}

/*
 * Executes one descriptor; 0, the IQEI of the error or QI_TIMEOUT.
 * @discard: a time-out is pending (wait descriptors are dropped).
 */
static unsigned int exec_desc(struct vtd *vtd, const uint64_t d[4], bool dw,
			      bool discard)
{
	unsigned int type = desc_type(d);
	const struct vtd_dev *dev;

	if (dw && type != VTD_DESC_PGRP_RESP && (d[2] || d[3]))
		return VTD_IQEI_RSVD;
	switch (type) {
	case VTD_DESC_CC:
		if ((d[0] & VTD_CC_RSVD0) || d[1] || !vtd_dget(d, VTD_CC_G))
			return VTD_IQEI_RSVD;
		inval_context(vtd, vtd_dget(d, VTD_CC_G),
			      (uint16_t)vtd_dget(d, VTD_CC_SID),
			      vtd_dget(d, VTD_CC_FM));
		return 0;
	case VTD_DESC_IOTLB:
		if ((d[0] & VTD_IOTLB_RSVD0) || (d[1] & VTD_IOTLB_RSVD1))
			return VTD_IQEI_RSVD;
		return inval_iotlb(vtd, vtd_dget(d, VTD_IOTLB_G),
				   (uint16_t)vtd_dget(d, VTD_IOTLB_DID_D),
				   vtd_dget(d, VTD_IOTLB_ADDR_D),
				   vtd_dget(d, VTD_IOTLB_AM_D));
	case VTD_DESC_DEVTLB:
		if (!vtd->cfg.dt)
			return VTD_IQEI_TYPE;
		return devtlb(vtd, (uint16_t)vtd_dget(d, VTD_DEVTLB_SID),
			      VTD_NO_PASID, vtd_dget(d, VTD_DEVTLB_ADDR),
			      vtd_dget(d, VTD_DEVTLB_S), false);
	case VTD_DESC_IEC:
		return 0;
	case VTD_DESC_WAIT:
		return exec_wait(vtd, d, discard);
	case VTD_DESC_PIOTLB:
		return exec_piotlb(vtd, d);
	case VTD_DESC_PC:
		return exec_pc(vtd, d);
	case VTD_DESC_PDEVTLB:
		if (!vtd->cfg.dt)
			return VTD_IQEI_TYPE;
		return devtlb(vtd, (uint16_t)vtd_dget(d, VTD_PDEVTLB_SID),
			      (uint32_t)vtd_dget(d, VTD_PDEVTLB_PASID),
			      vtd_dget(d, VTD_PDEVTLB_ADDR),
			      vtd_dget(d, VTD_PDEVTLB_S),
			      vtd_dget(d, VTD_PDEVTLB_G));
	case VTD_DESC_PGRP_RESP:
		if (!vtd->cfg.prs)
			return VTD_IQEI_TYPE;
		dev = vtd_dev_get(vtd, (uint16_t)vtd_dget(d, VTD_PGRP_RID));
		if (dev && dev->ops && dev->ops->prq_resp)
			dev->ops->prq_resp(
				dev->priv, (uint16_t)vtd_dget(d, VTD_PGRP_RID),
				vtd_dget(d, VTD_PGRP_PASID_P)
					? (uint32_t)vtd_dget(d, VTD_PGRP_PASID)
					: VTD_NO_PASID,
				(uint16_t)vtd_dget(d, VTD_PGRP_PRGI),
				vtd_dget(d, VTD_PGRP_RESP_CODE));
		vtd_dev_put(vtd);
		return 0;
	default:
		return VTD_IQEI_TYPE;
	}
}

static void queue_error(struct vtd *vtd, unsigned int iqei)
{
	vtd->iqercd = (vtd->iqercd & ~vtd_fmask(VTD_IQERCD_IQEI)) |
		      vtd_fprep(VTD_IQERCD_IQEI, iqei);
	vtd_set_fsts_error(vtd, vtd_fmask(VTD_FSTS_IQE));
}

void vtd_qi_process(struct vtd *vtd)
{
	bool dw = vtd_fget(vtd->iqa, VTD_IQA_DW);
	unsigned int shift = 4 + dw, iqei;
	uint64_t entries = 1ull << (vtd_fget(vtd->iqa, VTD_IQA_QS) + 8 - dw);
	uint64_t base = vtd_fget(vtd->iqa, VTD_IQA_IQA) << 12;
	uint64_t head, tail, d[4] = { 0 };

	uint32_t stop = vtd_fmask(VTD_FSTS_IQE) | vtd_fmask(VTD_FSTS_ITE);
	bool timed_out = false, wait;

	if (!vtd_fget(vtd->gsts, VTD_GSTS_QIES) ||
	    (vtd_load(&vtd->fsts) & stop))
		return;
	tail = vtd->iqt >> shift;
	if ((dw && (vtd->iqt & 0x10)) || tail >= entries) {
		queue_error(vtd, VTD_IQEI_TAIL);
		return;
	}
	head = (vtd->iqh >> shift) % entries;
	while (head != tail) {
		if (vtd_read_words(vtd, base + (head << shift), d,
				   dw ? 4 : 2)) {
			queue_error(vtd, VTD_IQEI_FETCH);
			return;
		}
		wait = desc_type(d) == VTD_DESC_WAIT;
		iqei = exec_desc(vtd, d, dw, timed_out);
		if (iqei == QI_TIMEOUT) {
			timed_out = true;
			iqei = 0;
		}
		if (iqei) {
			queue_error(vtd, iqei);
			return;
		}
		vtd_inc(&vtd->stats.descriptors);
		head = (head + 1) % entries;
		vtd->iqh = head << shift;
		/* Time-out: the wait that ordered it is dropped; stop. */
		if (timed_out && wait)
			return;
	}
}

void vtd_ccmd_write(struct vtd *vtd, uint64_t val)
{
	unsigned int g = vtd_fget(val, VTD_CCMD_CIRG);
	uint64_t v = val &
		     ~(vtd_fmask(VTD_CCMD_ICC) | vtd_fmask(VTD_CCMD_CAIG));

	if (!vtd_fget(val, VTD_CCMD_ICC))
		return;
	if (!vtd_fget(vtd->gsts, VTD_GSTS_QIES) && g) {
		inval_context(vtd, g, (uint16_t)vtd_fget(val, VTD_CCMD_SID),
			      vtd_fget(val, VTD_CCMD_FM));
		v |= vtd_fprep(VTD_CCMD_CAIG, g);
	}
	vtd->ccmd = v;
}

void vtd_iotlb_reg_write(struct vtd *vtd, uint64_t val)
{
	unsigned int g = vtd_fget(val, VTD_IOTLB_IIRG);
	uint64_t v = val &
		     ~(vtd_fmask(VTD_IOTLB_IVT) | vtd_fmask(VTD_IOTLB_IAIG));

	if (!vtd_fget(val, VTD_IOTLB_IVT))
		return;
	if (!vtd_fget(vtd->gsts, VTD_GSTS_QIES) &&
	    !inval_iotlb(vtd, g, (uint16_t)vtd_fget(val, VTD_IOTLB_DID),
			 vtd_fget(vtd->iva, VTD_IVA_ADDR),
			 vtd_fget(vtd->iva, VTD_IVA_AM)))
		v |= vtd_fprep(VTD_IOTLB_IAIG, g);
	vtd->iotlb_reg = v;
}
