// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi requests: what the IOMMU does with one DMA (2.2).
 *
 * The DTE of the DeviceID decides. IommuEn = 0, V = 0 or TV = 0: the
 * request passes through untranslated. TV = 1 checks the entry: reserved
 * bits, HAD = 10b or an update the EFR does not offer (HASup/HDSup), Mode 7
 * or more levels than EFR.HATS, GV without GTSup, GLX or the guest paging
 * mode beyond EFR.GLXSup/GATS, GIoV without GIoSup are an
 * ILLEGAL_DEV_TABLE_ENTRY and the request is aborted. Then:
 *
 *   - host translation (no PASID, unless GV and GIoV make it PASID 0;
 *     Mode 0 is translation disabled: the address passes through with the
 *     DTE's IR/IW as permissions; Mode 1..6 walks the v1 table of that many
 *     levels, src/pt's PT_FMT_AMDV1, with hardware A/D updates per
 *     DTE.HAD);
 *   - guest translation (GV = 1 with a PASID, or GIoV): the PASID selects a
 *     GCR3 table entry (GLX + 1 levels of 512 entries), whose guest CR3
 *     roots an x86-64 4- or 5-level table (DTE guest paging mode; src/pt's
 *     PT_FMT_VTD_FS), walked with A/D updates. With Mode != 0 the GCR3
 *     table, its entries' tables and the guest tables are guest physical:
 *     every access to them is translated through the host table first, and
 *     the guest output address too (nested).
 *
 * Permissions are the AND of the DTE's IR/IW and the tables'. A request
 * with a PASID when GV = 0 is an INVALID_DEVICE_REQUEST.
 *
 * Faults: a missing or denied translation is an IO_PAGE_FAULT (PR when the
 * entry was present, PE for a permission, RZ for a reserved bit or
 * encoding, GN/US for guest requests, RW for writes), not logged when
 * DTE.SA is set; DTE.SE is accepted and does not suppress (suppressing
 * repeats is optional). Table memory the memory ops refuse is a
 * PAGE_TAB_HARDWARE_ERROR with the entry's address; a device table entry
 * that cannot be read, DEV_TAB_HARDWARE_ERROR; a DeviceID beyond the device
 * table's size, ILLEGAL_DEV_TABLE_ENTRY. A fault in a nested access to a
 * guest structure reports the request's address.
 *
 * Caching: DTEs and GCR3 entries in the DTE cache, translations in the
 * IOTLB (cache.c). An entry caches only the permissions its tables grant
 * as they stand, minus write while the leaf is write-clean and a dirty
 * update is due, so the first write walks and marks the leaf dirty.
 */
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "hw/amdvi/amdvi_priv.h"

/* x86-64 and AMD v1 leaf dirty bit (the walker sets it; pt decides). */
#define PTE_D AMDVI_FIELD(6, 1)
/* GCR3 entry bits other than V and the address. */
#define GCR3_RSVD (~(amdvi_fmask(AMDVI_GCR3_V) | amdvi_fmask(AMDVI_GCR3_ADDR)))
#define DTE_PERM_ALL (AMDVI_READ | AMDVI_WRITE | AMDVI_EXEC)

/* Everything one request needs while it is worked out. */
struct req {
	struct amdvi *iommu;
	uint16_t devid;
	uint32_t pasid; /* the one used: AMDVI_NO_PASID, or 0 with GIoV */
	uint64_t iova;
	unsigned int access;
	uint64_t dte[AMDVI_DTE_QWORDS];
	uint16_t domid;
	bool gn; /* guest translation */
	unsigned int dte_perm;
	struct pt_walk_ctx host; /* valid when Mode != 0 */
};

/* A fault to report: the event and what goes in it. */
struct fault {
	unsigned int code;
	unsigned int flags;
	uint64_t addr;
};

static unsigned int need_of(unsigned int access)
{
	return access & DTE_PERM_ALL;
}

static unsigned int pt_access_of(unsigned int access)
{
	unsigned int a = 0;

	if (access & AMDVI_READ)
		a |= PT_ACCESS_READ;
	if (access & AMDVI_WRITE)
		a |= PT_ACCESS_WRITE;
	if (access & AMDVI_EXEC)
		a |= PT_ACCESS_EXEC;
	if (access & AMDVI_PRIV)
		a |= PT_ACCESS_PRIV;
	return a;
}

static unsigned int perm_of(unsigned int pt_perm)
{
	unsigned int p = 0;

	if (pt_perm & PT_PERM_READ)
		p |= AMDVI_READ;
	if (pt_perm & PT_PERM_WRITE)
		p |= AMDVI_WRITE;
	if (pt_perm & PT_PERM_EXEC)
		p |= AMDVI_EXEC;
	return p;
}

static unsigned int host_hw(const uint64_t *dte)
{
	switch (amdvi_dget(dte, AMDVI_DTE_HAD)) {
	case AMDVI_HAD_A:
		return PT_HW_HA;
	case AMDVI_HAD_AD:
		return PT_HW_HA | PT_HW_HD;
	default:
		return 0;
	}
}

static void passthrough(struct amdvi_xlate *res, uint64_t iova)
{
	res->status = AMDVI_OK;
	res->oa = iova;
	res->page_lg2 = 12;
	res->perm = DTE_PERM_ALL;
}

/* Records @f (unless suppressed) and fails the request. */
static int report(struct req *rq, const struct fault *f,
		  struct amdvi_xlate *res)
{
	unsigned int flags = f->flags;
	uint16_t id = rq->domid;
	uint32_t pasid_hi = 0;
	struct amdvi_event ev;

	res->status = AMDVI_ABORT;
	res->event = (uint8_t)f->code;
	res->recorded = false;
	if (f->code == AMDVI_EVT_IO_PAGE_FAULT &&
	    amdvi_dget(rq->dte, AMDVI_DTE_SA))
		return -EFAULT;
	if (rq->access & AMDVI_WRITE)
		flags |= AMDVI_EVF_RW;
	if (rq->pasid != AMDVI_NO_PASID) {
		flags |= AMDVI_EVF_GN;
		if (!(rq->access & AMDVI_PRIV))
			flags |= AMDVI_EVF_US;
		id = (uint16_t)rq->pasid;
		pasid_hi = rq->pasid >> 16;
	}
	if ((rq->access & AMDVI_EXEC) && f->code == AMDVI_EVT_IO_PAGE_FAULT)
		flags |= AMDVI_EVF_NX;
	amdvi_event_make(&ev, f->code, rq->devid, id, pasid_hi, flags, f->addr);
	res->recorded = amdvi_log_event(rq->iommu, &ev);
	amdvi_irq_flush(rq->iommu);
	return -EFAULT;
}

static int report_simple(struct req *rq, unsigned int code, unsigned int flags,
			 uint64_t addr, struct amdvi_xlate *res)
{
	struct fault f = { .code = code, .flags = flags, .addr = addr };

	return report(rq, &f, res);
}

/* The event a failed walk means. */
static void fault_of_walk(struct req *rq, const struct pt_walk_result *r,
			  struct fault *f)
{
	f->code = AMDVI_EVT_IO_PAGE_FAULT;
	f->flags = 0;
	f->addr = rq->iova;
	switch (r->fault) {
	case PT_FAULT_PERMISSION:
		f->flags = AMDVI_EVF_PR | AMDVI_EVF_PE;
		break;
	case PT_FAULT_RESERVED:
	case PT_FAULT_ADDRESS_SIZE:
		f->flags = AMDVI_EVF_PR | AMDVI_EVF_RZ;
		break;
	case PT_FAULT_EXTERNAL:
		f->code = AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR;
		f->flags = AMDVI_HWERR_MASTER_ABORT << AMDVI_EVF_TYPE_SHIFT;
		f->addr = r->desc_pa;
		break;
	default:
		break;
	}
}

/* --- device table --- */

enum dte_status {
	DTE_OK = 0,
	DTE_BEYOND, /* DeviceID beyond the table */
	DTE_HWERR,  /* the entry could not be read */
};

static enum dte_status dte_get(struct amdvi *iommu, uint16_t devid,
			       uint64_t dte[AMDVI_DTE_QWORDS], uint64_t *pa)
{
	uint64_t key = amdvi_ck_dte(devid), base, gen;
	const uint64_t *p;
	unsigned int i;

	if (amdvi_dtec_lookup(&iommu->dtec, key, dte))
		return DTE_OK;
	gen = amdvi_dtec_gen(&iommu->dtec);
	base = __atomic_load_n(&iommu->devtab_base, __ATOMIC_ACQUIRE);
	*pa = (amdvi_fget(base, AMDVI_DEVTAB_ADDR) << 12) +
	      (uint64_t)devid * AMDVI_DTE_SIZE;
	if ((uint64_t)devid * AMDVI_DTE_SIZE >=
	    (amdvi_fget(base, AMDVI_DEVTAB_SIZE) + 1) << 12)
		return DTE_BEYOND;
	p = amdvi_map(iommu, *pa, AMDVI_DTE_SIZE, false);
	if (!p)
		return DTE_HWERR;
	for (i = 0; i < AMDVI_DTE_QWORDS; i++)
		dte[i] = __atomic_load_n(&p[i], __ATOMIC_RELAXED);
	if (amdvi_dtec_insert(&iommu->dtec, key, dte, gen))
		amdvi_inc(&iommu->cnt.dte_evictions);
	amdvi_inc(&iommu->cnt.dte_fills);
	return DTE_OK;
}

/* Whether a DTE with V = TV = 1 is legal on this IOMMU. */
static bool dte_legal(const struct amdvi *iommu, const uint64_t *dte)
{
	const struct amdvi_config *c = &iommu->cfg;
	unsigned int had = amdvi_dget(dte, AMDVI_DTE_HAD);
	unsigned int mode = amdvi_dget(dte, AMDVI_DTE_MODE);

	if (amdvi_dget(dte, AMDVI_DTE_RSVD0) ||
	    amdvi_dget(dte, AMDVI_DTE_RSVD63))
		return false;
	if (had == AMDVI_HAD_RSVD || (had == AMDVI_HAD_A && !c->ha) ||
	    (had == AMDVI_HAD_AD && !c->hd))
		return false;
	if (mode > AMDVI_MODE_MAX || mode > c->hats_levels)
		return false;
	if (amdvi_dget(dte, AMDVI_DTE_GIOV) && !c->gio)
		return false;
	if (!amdvi_dget(dte, AMDVI_DTE_GV))
		return true;
	if (!c->gt || amdvi_dget(dte, AMDVI_DTE_GLX) + 1 > c->glx_levels ||
	    amdvi_dget(dte, AMDVI_DTE_GPM) + 4 > c->gats_levels)
		return false;
	return true;
}

static uint64_t dte_gcr3_root(const uint64_t *dte)
{
	return amdvi_dget(dte, AMDVI_DTE_GCR3_A) << AMDVI_GCR3_A_SHIFT |
	       amdvi_dget(dte, AMDVI_DTE_GCR3_B) << AMDVI_GCR3_B_SHIFT |
	       amdvi_dget(dte, AMDVI_DTE_GCR3_C) << AMDVI_GCR3_C_SHIFT;
}

static unsigned int dte_perm(const uint64_t *dte)
{
	unsigned int p = 0;

	if (amdvi_dget(dte, AMDVI_DTE_IR))
		p |= AMDVI_READ | AMDVI_EXEC;
	if (amdvi_dget(dte, AMDVI_DTE_IW))
		p |= AMDVI_WRITE;
	return p;
}

/* --- walks --- */

static int host_ctx(struct req *rq)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_AMDV1,
		.levels = amdvi_dget(rq->dte, AMDVI_DTE_MODE),
		.mem = rq->iommu->cfg.mem,
		.mem_priv = rq->iommu->cfg.mem_priv,
		.mem_window = rq->iommu->cfg.mem_window,
	};

	return pt_walk_ctx_init(&rq->host, &cfg,
				amdvi_dget(rq->dte, AMDVI_DTE_HPTRP) << 12);
}

/*
 * Reading guest structures through the host table: the pt_mem_ops .map a
 * nested walk uses (priv: struct nest).
 */
struct nest {
	struct req *rq;
	bool failed;
	struct pt_walk_result r; /* the host walk that failed */
	bool hwerr;		 /* or: the walk succeeded, memory refused */
	uint64_t hwerr_pa;
};

static void *nest_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	struct nest *n = priv;
	struct req *rq = n->rq;
	unsigned int access = PT_ACCESS_READ | host_hw(rq->dte);
	void *p;

	if (write)
		access |= PT_ACCESS_WRITE;
	if (pt_walk(&rq->host, gpa, access, &n->r))
		goto out_fail;
	/* Guest structures do not cross a 4 KiB page. */
	if ((gpa & 0xfff) + len > 0x1000)
		goto out_fail_size;
	p = amdvi_map(rq->iommu, n->r.oa, len, write);
	if (!p) {
		n->hwerr = true;
		n->hwerr_pa = n->r.oa;
		goto out_fail;
	}
	return p;

out_fail_size:
	n->r.fault = PT_FAULT_TRANSLATION;
out_fail:
	n->failed = true;
	return ERR_PTR(-EFAULT);
}

static const struct pt_mem_ops nest_ops = {
	.map = nest_map,
};

/* Map guest-structure memory: directly, or through the host table. */
static void *gmap(struct req *rq, struct nest *n, uint64_t pa, size_t len,
		  bool write)
{
	void *p;

	if (!amdvi_dget(rq->dte, AMDVI_DTE_MODE))
		return amdvi_map(rq->iommu, pa, len, write);
	p = nest_map(n, pa, len, write);
	return IS_ERR(p) ? NULL : p;
}

/* The fault of a failed access through gmap() at @pa. */
static void fault_of_gmap(struct req *rq, const struct nest *n, uint64_t pa,
			  struct fault *f)
{
	if (!amdvi_dget(rq->dte, AMDVI_DTE_MODE) || n->hwerr) {
		f->code = AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR;
		f->flags = AMDVI_HWERR_MASTER_ABORT << AMDVI_EVF_TYPE_SHIFT;
		f->addr = n->hwerr ? n->hwerr_pa : pa;
		return;
	}
	fault_of_walk(rq, &n->r, f);
	f->addr = n->r.fault == PT_FAULT_EXTERNAL ? n->r.desc_pa : rq->iova;
}

/* The guest CR3 of rq->pasid: from the cache or the GCR3 table. */
static int gcr3_get(struct req *rq, uint64_t *gcr3, struct fault *f)
{
	struct amdvi *iommu = rq->iommu;
	uint64_t key = amdvi_ck_gcr3(rq->devid, rq->pasid), w[4] = { 0 };
	unsigned int levels = amdvi_dget(rq->dte, AMDVI_DTE_GLX) + 1, lvl;
	uint64_t table = dte_gcr3_root(rq->dte), gen, e = 0, pa;
	struct nest n = { .rq = rq };
	const uint64_t *p;

	if (amdvi_dtec_lookup(&iommu->dtec, key, w) && w[1] == rq->domid) {
		*gcr3 = w[0];
		return 0;
	}
	gen = amdvi_dtec_gen(&iommu->dtec);
	for (lvl = levels; lvl-- > 0;) {
		pa = table + 8 * ((rq->pasid >> (AMDVI_GCR3_BITS * lvl)) &
				  amdvi_mask(AMDVI_GCR3_BITS));
		p = gmap(rq, &n, pa, 8, false);
		if (!p) {
			fault_of_gmap(rq, &n, pa, f);
			return -EFAULT;
		}
		e = __atomic_load_n(p, __ATOMIC_RELAXED);
		f->code = AMDVI_EVT_IO_PAGE_FAULT;
		f->addr = rq->iova;
		if (!amdvi_fget(e, AMDVI_GCR3_V)) {
			f->flags = 0;
			return -EFAULT;
		}
		if (e & GCR3_RSVD) {
			f->flags = AMDVI_EVF_PR | AMDVI_EVF_RZ;
			return -EFAULT;
		}
		table = amdvi_fget(e, AMDVI_GCR3_ADDR) << 12;
	}
	w[0] = e;
	w[1] = rq->domid;
	if (amdvi_dtec_insert(&iommu->dtec, key, w, gen))
		amdvi_inc(&iommu->cnt.dte_evictions);
	amdvi_inc(&iommu->cnt.dte_fills);
	*gcr3 = e;
	return 0;
}

/* Host translation of @iova (no guest stage). */
static int xlate_host(struct req *rq, struct amdvi_tlb_fill *fill,
		      struct fault *f)
{
	unsigned int access = pt_access_of(rq->access & ~AMDVI_PRIV);
	struct pt_walk_result r;

	if (pt_walk(&rq->host, rq->iova, access | host_hw(rq->dte), &r)) {
		fault_of_walk(rq, &r, f);
		return -EFAULT;
	}
	fill->page_lg2 = r.page_lg2;
	fill->oa = r.oa;
	fill->attr = r.attr;
	fill->perm = perm_of(r.perm) & rq->dte_perm;
	if ((host_hw(rq->dte) & PT_HW_HD) && !amdvi_fget(r.desc, PTE_D))
		fill->perm &= ~AMDVI_WRITE;
	return 0;
}

/* Guest translation of @iova, nested through the host table if Mode. */
static int xlate_guest(struct req *rq, struct amdvi_tlb_fill *fill,
		       struct fault *f)
{
	bool nested = amdvi_dget(rq->dte, AMDVI_DTE_MODE);
	unsigned int access = pt_access_of(rq->access);
	unsigned int coverage =
		AMDVI_GCR3_BITS * (amdvi_dget(rq->dte, AMDVI_DTE_GLX) + 1);
	struct nest n = { .rq = rq };
	struct pt_walk_result r, hr;
	struct pt_walk_ctx gctx;
	unsigned int perm;
	uint64_t gcr3;
	struct pt_cfg cfg = {
		.fmt = PT_FMT_VTD_FS,
		.ias = amdvi_dget(rq->dte, AMDVI_DTE_GPM) ? 57 : 48,
		.mem = nested ? &nest_ops : rq->iommu->cfg.mem,
		.mem_priv = nested ? (void *)&n : rq->iommu->cfg.mem_priv,
		.mem_window = nested ? NULL : rq->iommu->cfg.mem_window,
	};

	f->code = AMDVI_EVT_IO_PAGE_FAULT;
	f->flags = 0;
	f->addr = rq->iova;
	if ((coverage < 32 && rq->pasid >> coverage) ||
	    rq->pasid >> rq->iommu->cfg.pasid_bits)
		return -EFAULT;
	if (gcr3_get(rq, &gcr3, f))
		return -EFAULT;
	if (pt_walk_ctx_init(&gctx, &cfg,
			     amdvi_fget(gcr3, AMDVI_GCR3_ADDR) << 12))
		return -EFAULT;
	/* Without NXSup, execute is read. */
	if (!rq->iommu->cfg.nx && (access & PT_ACCESS_EXEC))
		access = (access & ~PT_ACCESS_EXEC) | PT_ACCESS_READ;
	if (pt_walk(&gctx, rq->iova, access | PT_HW_HA | PT_HW_HD, &r)) {
		if (nested && n.failed && r.fault == PT_FAULT_EXTERNAL)
			fault_of_gmap(rq, &n, r.desc_pa, f);
		else
			fault_of_walk(rq, &r, f);
		return -EFAULT;
	}
	perm = perm_of(r.perm);
	if (!rq->iommu->cfg.nx && (perm & AMDVI_READ))
		perm |= AMDVI_EXEC;
	if (!amdvi_fget(r.desc, PTE_D))
		perm &= ~AMDVI_WRITE;
	fill->page_lg2 = r.page_lg2;
	fill->oa = r.oa;
	fill->attr = r.attr;
	if (nested) {
		access = pt_access_of(rq->access & (AMDVI_READ | AMDVI_WRITE));
		if (rq->access & AMDVI_EXEC)
			access |= PT_ACCESS_READ;
		if (pt_walk(&rq->host, r.oa, access | host_hw(rq->dte), &hr)) {
			fault_of_walk(rq, &hr, f);
			if (hr.fault != PT_FAULT_EXTERNAL)
				f->addr = rq->iova;
			return -EFAULT;
		}
		fill->oa = hr.oa;
		if (hr.page_lg2 < fill->page_lg2)
			fill->page_lg2 = hr.page_lg2;
		fill->attr = hr.attr;
		perm &= perm_of(hr.perm) |
			((hr.perm & PT_PERM_READ) ? AMDVI_EXEC : 0);
		if ((host_hw(rq->dte) & PT_HW_HD) &&
		    !amdvi_fget(hr.desc, PTE_D))
			perm &= ~AMDVI_WRITE;
	}
	fill->perm = perm & rq->dte_perm;
	fill->nested = nested;
	return 0;
}

/*
 * Sets rq->pasid and rq->gn for the request (GIoV: PASID 0). Returns false
 * for a PASID the DTE cannot take.
 */
static bool req_route(struct req *rq, uint32_t pasid)
{
	bool gv = amdvi_dget(rq->dte, AMDVI_DTE_GV);

	rq->pasid = pasid;
	rq->gn = false;
	if (pasid != AMDVI_NO_PASID) {
		if (!gv)
			return false;
		rq->gn = true;
	} else if (gv && amdvi_dget(rq->dte, AMDVI_DTE_GIOV)) {
		rq->gn = true;
		rq->pasid = 0;
	}
	return true;
}

static void fill_result(struct amdvi_xlate *res, const struct amdvi_tlb_fill *f,
			uint64_t iova, bool hit)
{
	uint64_t m = amdvi_mask(f->page_lg2);

	res->status = AMDVI_OK;
	res->oa = (f->oa & ~m) | (iova & m);
	res->page_lg2 = f->page_lg2;
	res->perm = f->perm;
	res->attr = f->attr;
	res->tlb_hit = hit;
}

int amdvi_translate(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		    uint64_t iova, unsigned int access, struct amdvi_xlate *res)
{
	struct req rq = {
		.iommu = iommu,
		.devid = devid,
		.pasid = pasid,
		.iova = iova,
		.access = access,
	};
	struct amdvi_tlb_fill fill;
	unsigned int need = need_of(access);
	struct fault f;
	uint64_t gen, dte_pa = 0;

	memset(res, 0, sizeof(*res));
	if (!amdvi_fget(__atomic_load_n(&iommu->control, __ATOMIC_ACQUIRE),
			AMDVI_CTRL_IOMMU_EN)) {
		passthrough(res, iova);
		return 0;
	}
	switch (dte_get(iommu, devid, rq.dte, &dte_pa)) {
	case DTE_BEYOND:
		return report_simple(&rq, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY, 0,
				     iova, res);
	case DTE_HWERR:
		return report_simple(&rq, AMDVI_EVT_DEV_TAB_HARDWARE_ERROR,
				     AMDVI_HWERR_MASTER_ABORT
					     << AMDVI_EVF_TYPE_SHIFT,
				     dte_pa, res);
	default:
		break;
	}
	if (!amdvi_dget(rq.dte, AMDVI_DTE_V) ||
	    !amdvi_dget(rq.dte, AMDVI_DTE_TV)) {
		passthrough(res, iova);
		return 0;
	}
	rq.domid = (uint16_t)amdvi_dget(rq.dte, AMDVI_DTE_DOMAIN_ID);
	if (!dte_legal(iommu, rq.dte))
		return report_simple(&rq, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY, 0,
				     iova, res);
	if (!req_route(&rq, pasid))
		return report_simple(&rq, AMDVI_EVT_INVALID_DEVICE_REQUEST, 0,
				     iova, res);
	rq.dte_perm = dte_perm(rq.dte);
	if (need & ~rq.dte_perm)
		return report_simple(&rq, AMDVI_EVT_IO_PAGE_FAULT,
				     AMDVI_EVF_PR | AMDVI_EVF_PE, iova, res);
	if (!rq.gn && !amdvi_dget(rq.dte, AMDVI_DTE_MODE)) {
		/* Translation disabled: identity, DTE permissions. */
		res->status = AMDVI_OK;
		res->oa = iova;
		res->page_lg2 = 12;
		res->perm = rq.dte_perm;
		return 0;
	}
	if (amdvi_iotlb_lookup(&iommu->tlb, rq.domid, rq.gn,
			       rq.gn ? rq.pasid : 0,
			       rq.gn && (access & AMDVI_PRIV), iova, &fill) &&
	    !(need & ~fill.perm)) {
		fill_result(res, &fill, iova, true);
		return 0;
	}
	gen = amdvi_iotlb_gen(&iommu->tlb);
	memset(&fill, 0, sizeof(fill));
	if (amdvi_dget(rq.dte, AMDVI_DTE_MODE) && host_ctx(&rq))
		return report_simple(&rq, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY, 0,
				     iova, res);
	if (rq.gn ? xlate_guest(&rq, &fill, &f) : xlate_host(&rq, &fill, &f))
		return report(&rq, &f, res);
	/* The walk granted what it was asked (A/D updated): use it all. */
	fill_result(res, &fill, iova, false);
	res->perm |= need;
	fill.domid = rq.domid;
	fill.gn = rq.gn;
	fill.pasid = rq.gn ? rq.pasid : 0;
	fill.priv = rq.gn && (access & AMDVI_PRIV);
	fill.va = iova;
	if (amdvi_iotlb_insert(&iommu->tlb, &fill, gen))
		amdvi_inc(&iommu->cnt.tlb_evictions);
	amdvi_inc(&iommu->cnt.tlb_fills);
	return 0;
}

int amdvi_translate_cached(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
			   uint64_t iova, unsigned int access,
			   struct amdvi_xlate *res)
{
	struct req rq = { .iommu = iommu, .devid = devid };
	struct amdvi_tlb_fill fill;

	if (!amdvi_fget(__atomic_load_n(&iommu->control, __ATOMIC_ACQUIRE),
			AMDVI_CTRL_IOMMU_EN))
		return -EAGAIN;
	if (!amdvi_dtec_lookup(&iommu->dtec, amdvi_ck_dte(devid), rq.dte))
		return -EAGAIN;
	if (!amdvi_dget(rq.dte, AMDVI_DTE_V) ||
	    !amdvi_dget(rq.dte, AMDVI_DTE_TV) || !dte_legal(iommu, rq.dte) ||
	    !req_route(&rq, pasid) ||
	    (!rq.gn && !amdvi_dget(rq.dte, AMDVI_DTE_MODE)))
		return -EAGAIN;
	if (need_of(access) & ~dte_perm(rq.dte))
		return -EAGAIN;
	if (!amdvi_iotlb_lookup(&iommu->tlb,
				(uint16_t)amdvi_dget(rq.dte,
						     AMDVI_DTE_DOMAIN_ID),
				rq.gn, rq.gn ? rq.pasid : 0,
				rq.gn && (access & AMDVI_PRIV), iova, &fill) ||
	    (need_of(access) & ~fill.perm))
		return -EAGAIN;
	memset(res, 0, sizeof(*res));
	fill_result(res, &fill, iova, true);
	return 0;
}
