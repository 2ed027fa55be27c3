// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d requests: what happens to a DMA between the device and memory in
 * scalable mode (3.4-3.8).
 *
 * Order: GSTS.TES (disabled: untranslated); the latched root's TTM; the
 * configuration of (source-id, PASID) from the configuration cache or the
 * tables (config.c); the request checks the PASID entry imposes (SRE for
 * supervisor requests, ERE for execute requests); the IOTLB; on a miss the
 * walk the PGTT selects -- second stage only, first stage only, nested
 * (first-stage tables and output are guest-physical and go through the
 * second stage) or pass-through -- and the result goes into the IOTLB. A
 * fault gets its scalable-mode reason code and is recorded unless an entry
 * on the way set FPD.
 *
 * The walks are src/pt's hardware walker over the tables where software
 * put them. First-stage Accessed/Dirty flags are always updated by the
 * walker (3.6.2); second-stage ones only with the PASID entry's SSADE
 * (3.7.2). What the IOTLB caches is what the hardware may cache: the leaf,
 * its size (for nested the smaller of the two stages), its permissions as
 * they stand -- a writable leaf whose D flag the walker must still set is
 * cached read-only, so the first write walks and marks it dirty -- and
 * never a fault. A hit lacking a permission walks again.
 *
 * Model limits: write protection of supervisor requests is always enforced
 * (as WPE = 1); SMEP, EAFE and the snoop/memory-type fields are not
 * modelled; second-stage execute follows read (SSEE is not modelled).
 */
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "hw/vtd/vtd_priv.h"

/* x86 A/D flags and VT-d second-stage D flag (9.7, 9.8). */
#define FS_A VTD_FIELD(5, 1)
#define FS_D VTD_FIELD(6, 1)
#define SS_D VTD_FIELD(9, 1)

#define VTD_RWX (VTD_READ | VTD_WRITE | VTD_EXEC)

static unsigned int pt_access(unsigned int access)
{
	return ((access & VTD_READ) ? PT_ACCESS_READ : 0) |
	       ((access & VTD_WRITE) ? PT_ACCESS_WRITE : 0) |
	       ((access & VTD_EXEC) ? PT_ACCESS_EXEC : 0) |
	       ((access & VTD_PRIV) ? PT_ACCESS_PRIV : 0);
}

static unsigned int aw_bits(uint64_t hot)
{
	return vtd_fget(hot, VTD_HOT_AW) == VTD_AW_57 ? 57 : 48;
}

static unsigned int fs_bits(uint64_t hot)
{
	return vtd_fget(hot, VTD_HOT_FSPM) == VTD_FSPM_5LVL ? 57 : 48;
}

static unsigned int ss_hw(uint64_t hot)
{
	return vtd_fget(hot, VTD_HOT_SSADE) ? PT_HW_HA | PT_HW_HD : 0;
}

/* Stage-2 access context for the first-stage tables of a nested walk. */
struct ss_access {
	struct vtd *vtd;
	const struct pt_walk_ctx *ss;
	unsigned int hw;
	unsigned int aw;
	uint8_t reason;
	bool failed;
};

static void *nested_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	struct ss_access *acc = priv;
	struct pt_walk_result r;
	unsigned int a = PT_ACCESS_READ | acc->hw;
	void *p;

	if (write)
		a |= PT_ACCESS_WRITE;
	if (gpa >> acc->aw) {
		acc->reason = VTD_FR_SM_FS_NESTED_MGAW;
		goto out_fail;
	}
	if (pt_walk(acc->ss, gpa, a, &r)) {
		switch (r.fault) {
		case PT_FAULT_PERMISSION:
			acc->reason = write ? VTD_FR_SM_FS_NESTED_WR
					    : VTD_FR_SM_FS_NESTED_RD;
			break;
		case PT_FAULT_EXTERNAL:
			acc->reason = VTD_FR_SM_SS_ACCESS;
			break;
		case PT_FAULT_TRANSLATION:
			acc->reason = VTD_FR_SM_SS_P;
			break;
		default:
			acc->reason = VTD_FR_SM_SS_RSVD;
			break;
		}
		goto out_fail;
	}
	p = vtd_map(acc->vtd, r.oa, len, write);
	if (!p) {
		acc->reason = VTD_FR_SM_FS_ACCESS;
		goto out_fail;
	}
	return p;

out_fail:
	acc->failed = true;
	return ERR_PTR(-EFAULT);
}

static const struct pt_mem_ops nested_mem_ops = {
	.map = nested_map,
};

static uint8_t ss_reason(const struct pt_walk_result *r, unsigned int access)
{
	switch (r->fault) {
	case PT_FAULT_TRANSLATION:
		return VTD_FR_SM_SS_P;
	case PT_FAULT_PERMISSION:
		return (access & VTD_WRITE) && !(r->perm & PT_PERM_WRITE)
			       ? VTD_FR_SM_WRITE
			       : VTD_FR_SM_READ;
	case PT_FAULT_EXTERNAL:
		return VTD_FR_SM_SS_ACCESS;
	default:
		return VTD_FR_SM_SS_RSVD;
	}
}

static uint8_t fs_reason(const struct pt_walk_result *r, unsigned int access,
			 const struct ss_access *acc)
{
	switch (r->fault) {
	case PT_FAULT_TRANSLATION:
		return VTD_FR_SM_FS_P;
	case PT_FAULT_PERMISSION:
		if (!r->perm)
			return VTD_FR_SM_FS_US;
		if ((access & VTD_WRITE) && !(r->perm & PT_PERM_WRITE))
			return VTD_FR_SM_WRITE;
		if ((access & VTD_EXEC) && !(r->perm & PT_PERM_EXEC))
			return VTD_FR_SM_EXEC;
		return VTD_FR_SM_READ;
	case PT_FAULT_EXTERNAL:
		return acc && acc->failed ? acc->reason : VTD_FR_SM_FS_ACCESS;
	default:
		return VTD_FR_SM_FS_RSVD;
	}
}

static int ss_ctx(struct vtd *vtd, const struct vtd_cfg *cfg,
		  struct pt_walk_ctx *ctx)
{
	struct pt_cfg pc = {
		.fmt = PT_FMT_VTD_SS,
		.ias = aw_bits(cfg->hot),
		.oas = vtd->cfg.haw,
		.mem = vtd->cfg.mem,
		.mem_priv = vtd->cfg.mem_priv,
		.mem_window = vtd->cfg.mem_window,
	};

	return pt_walk_ctx_init(ctx, &pc, cfg->ssptr);
}

static unsigned int ss_cache_perm(const struct pt_walk_result *r, uint64_t hot)
{
	unsigned int p = 0;

	if (r->perm & PT_PERM_READ)
		p |= VTD_READ | VTD_EXEC;
	if ((r->perm & PT_PERM_WRITE) &&
	    (!vtd_fget(hot, VTD_HOT_SSADE) || vtd_fget(r->desc, SS_D)))
		p |= VTD_WRITE;
	return p;
}

static unsigned int fs_cache_perm(const struct pt_walk_result *r)
{
	unsigned int p = 0;

	if (r->perm & PT_PERM_READ)
		p |= VTD_READ;
	if (r->perm & PT_PERM_EXEC)
		p |= VTD_EXEC;
	if ((r->perm & PT_PERM_WRITE) && vtd_fget(r->desc, FS_D))
		p |= VTD_WRITE;
	return p;
}

/* Whether the walker must set A or D in the first-stage leaf of @r. */
static bool fs_needs_ad(const struct pt_walk_result *r, unsigned int access)
{
	return !vtd_fget(r->desc, FS_A) ||
	       ((access & VTD_WRITE) && (r->perm & PT_PERM_WRITE) &&
		!vtd_fget(r->desc, FS_D));
}

/* Whether @va is canonical for a first stage of @bits input bits. */
static bool canonical(uint64_t va, unsigned int bits)
{
	uint64_t top = va >> (bits - 1);

	return !top || top == (~0ull >> (bits - 1));
}

/*
 * Walks the tables of @cfg for @iova; fills @f ready for the IOTLB and
 * *oa. Returns 0, or -EFAULT with *reason.
 */
static int xlate_walk(struct vtd *vtd, const struct vtd_cfg *cfg, uint64_t iova,
		      unsigned int access, struct vtd_tlb_fill *f, uint64_t *oa,
		      uint8_t *reason)
{
	unsigned int pgtt = vtd_fget(cfg->hot, VTD_HOT_PGTT);
	unsigned int a = pt_access(access);
	struct pt_walk_ctx ss, fs;
	struct pt_walk_result r1, r2;
	struct ss_access acc;
	struct pt_cfg pc;

	memset(f, 0, sizeof(*f));
	f->did = (uint16_t)vtd_fget(cfg->hot, VTD_HOT_DID);
	f->pasid = (uint32_t)vtd_fget(cfg->hot, VTD_HOT_PASID);
	f->priv = access & VTD_PRIV;
	f->va = iova;
	vtd_inc(&vtd->stats.walks);

	if (pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED) {
		if (ss_ctx(vtd, cfg, &ss)) {
			*reason = VTD_FR_SM_SS_ROOT_INV;
			return -EFAULT;
		}
	}
	if (pgtt == VTD_PGTT_SS) {
		if (iova >> aw_bits(cfg->hot)) {
			*reason = VTD_FR_SM_ADDR_MAX;
			return -EFAULT;
		}
		if (pt_walk(&ss, iova, a | ss_hw(cfg->hot), &r2)) {
			*reason = ss_reason(&r2, access);
			return -EFAULT;
		}
		f->kind = VTD_TLB_SS;
		f->page_lg2 = r2.page_lg2;
		f->perm = ss_cache_perm(&r2, cfg->hot);
		f->attr = r2.attr;
		*oa = r2.oa;
		goto out_fill;
	}

	/* First stage, alone or nested. */
	if (!canonical(iova, fs_bits(cfg->hot))) {
		*reason = VTD_FR_SM_NON_CANONICAL;
		return -EFAULT;
	}
	memset(&pc, 0, sizeof(pc));
	pc.fmt = PT_FMT_VTD_FS;
	pc.ias = fs_bits(cfg->hot);
	pc.oas = vtd->cfg.haw;
	pc.flags = PT_CFG_SIGN_EXTEND;
	pc.mem = vtd->cfg.mem;
	pc.mem_priv = vtd->cfg.mem_priv;
	pc.mem_window = vtd->cfg.mem_window;
	memset(&acc, 0, sizeof(acc));
	if (pgtt == VTD_PGTT_NESTED) {
		acc.vtd = vtd;
		acc.ss = &ss;
		acc.hw = ss_hw(cfg->hot);
		acc.aw = aw_bits(cfg->hot);
		pc.mem = &nested_mem_ops;
		pc.mem_priv = &acc;
		pc.mem_window = NULL;
	}
	if (pt_walk_ctx_init(&fs, &pc, cfg->fsptr)) {
		*reason = VTD_FR_SM_FS_RSVD;
		return -EFAULT;
	}
	/*
	 * Nested: the first-stage tables are guest memory, written only to
	 * set A/D, and only that write needs (and dirties) a writable
	 * second-stage mapping of them. A walk that may update maps every
	 * table for writing, so look first and update only when needed.
	 */
	if (pgtt == VTD_PGTT_NESTED) {
		if (pt_walk(&fs, iova, a, &r1)) {
			*reason = fs_reason(&r1, access, &acc);
			return -EFAULT;
		}
		if (fs_needs_ad(&r1, access))
			acc.failed = false;
		else
			goto fs_done;
	}
	if (pt_walk(&fs, iova, a | PT_HW_HA | PT_HW_HD, &r1)) {
		*reason = fs_reason(&r1, access,
				    pgtt == VTD_PGTT_NESTED ? &acc : NULL);
		return -EFAULT;
	}
fs_done:
	f->kind = pgtt == VTD_PGTT_NESTED ? VTD_TLB_NESTED : VTD_TLB_FS;
	f->global = r1.attr & PT_ATTR_GLOBAL;
	f->page_lg2 = r1.page_lg2;
	f->perm = fs_cache_perm(&r1);
	f->attr = r1.attr;
	*oa = r1.oa;
	if (pgtt == VTD_PGTT_NESTED) {
		if (r1.oa >> acc.aw) {
			*reason = VTD_FR_SM_ADDR_MAX;
			return -EFAULT;
		}
		if (pt_walk(&ss, r1.oa, a | ss_hw(cfg->hot), &r2)) {
			*reason = ss_reason(&r2, access);
			return -EFAULT;
		}
		f->fs_lg2 = r1.page_lg2;
		if (r2.page_lg2 < f->page_lg2)
			f->page_lg2 = r2.page_lg2;
		f->perm &= ss_cache_perm(&r2, cfg->hot);
		f->attr = r2.attr;
		*oa = r2.oa;
	}
out_fill:
	f->oa = *oa - (iova & vtd_mask(f->page_lg2));
	f->va = iova & ~vtd_mask(f->page_lg2);
	return 0;
}

static enum vtd_tlb_kind tlb_kind(unsigned int pgtt)
{
	return pgtt == VTD_PGTT_SS   ? VTD_TLB_SS
	       : pgtt == VTD_PGTT_FS ? VTD_TLB_FS
				     : VTD_TLB_NESTED;
}

/*
 * The request's effective attributes: without PASID, privilege comes from
 * the context entry's RID_PRIV and there is no execute request. Returns 0
 * or the reason the PASID entry refuses the request.
 */
static uint8_t request_attrs(uint64_t hot, uint32_t pasid, unsigned int *access)
{
	if (pasid == VTD_NO_PASID) {
		*access &= ~(VTD_PRIV | VTD_EXEC);
		if (vtd_fget(hot, VTD_HOT_RID_PRIV))
			*access |= VTD_PRIV;
	}
	if ((*access & VTD_PRIV) && !vtd_fget(hot, VTD_HOT_SRE))
		return VTD_FR_SM_PTE_SRE;
	if ((*access & VTD_EXEC) && !vtd_fget(hot, VTD_HOT_ERE))
		return VTD_FR_SM_PTE_ERE;
	return 0;
}

static void res_from_fill(struct vtd_xlate *res, const struct vtd_tlb_fill *f,
			  uint64_t iova)
{
	res->status = VTD_OK;
	res->page_lg2 = f->page_lg2;
	res->oa = f->oa + (iova & vtd_mask(f->page_lg2));
	res->perm = f->perm;
	res->attr = f->attr;
}

static void res_untranslated(struct vtd_xlate *res, uint64_t iova)
{
	res->status = VTD_OK;
	res->oa = iova;
	res->page_lg2 = 12;
	res->perm = VTD_RWX;
}

static int fault(struct vtd *vtd, struct vtd_xlate *res, uint16_t sid,
		 uint32_t pasid, uint64_t iova, unsigned int access,
		 uint8_t reason, bool fpd)
{
	res->status = VTD_FAULT;
	res->reason = reason;
	if (!fpd)
		res->recorded =
			vtd_record_fault(vtd, sid, pasid, iova, access, reason);
	return -EFAULT;
}

/*
 * Shared front: TES, TTM and the configuration. Returns 1 when the
 * request is answered untranslated, 0 with @cfg, or -EFAULT (res filled,
 * fault recorded). With @cached_only, a configuration miss is -EAGAIN.
 */
static int xlate_front(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		       uint64_t iova, unsigned int access, struct vtd_cfg *cfg,
		       struct vtd_xlate *res, bool cached_only, bool quiet)
{
	struct vtd_fault f;
	uint64_t root;

	memset(res, 0, sizeof(*res));
	if (!vtd_fget(vtd_load_acquire(&vtd->gsts), VTD_GSTS_TES)) {
		res_untranslated(res, iova);
		return 1;
	}
	if (cached_only)
		return vtd_cfg_lookup(&vtd->cfgc, vtd_cfg_key(sid, pasid), cfg)
			       ? 0
			       : -EAGAIN;
	root = vtd_load_acquire(&vtd->root);
	switch (vtd_fget(root, VTD_RTADDR_TTM)) {
	case VTD_TTM_SCALABLE:
		break;
	case VTD_TTM_ABORT:
		res->status = VTD_FAULT;
		return -EFAULT;
	default:
		return fault(vtd, res, sid, pasid, iova, access,
			     VTD_FR_SM_RTA_INVALID, quiet);
	}
	if (vtd_cfg_get(vtd, sid, pasid, cfg, &f))
		return fault(vtd, res, sid, pasid, iova, access, f.reason,
			     f.fpd || quiet);
	return 0;
}

static int translate(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		     uint64_t iova, unsigned int access, struct vtd_xlate *res,
		     bool cached_only, bool quiet)
{
	struct vtd_tlb_fill f;
	struct vtd_cfg cfg;
	unsigned int pgtt, need;
	uint8_t reason;
	uint64_t gen, oa;
	bool fpd;
	int ret;

	ret = xlate_front(vtd, sid, pasid, iova, access, &cfg, res, cached_only,
			  quiet);
	if (ret)
		return ret > 0 ? 0 : ret;
	fpd = vtd_fget(cfg.hot, VTD_HOT_FPD) || quiet;
	res->did = (uint16_t)vtd_fget(cfg.hot, VTD_HOT_DID);
	res->pasid = (uint32_t)vtd_fget(cfg.hot, VTD_HOT_PASID);
	reason = request_attrs(cfg.hot, pasid, &access);
	if (reason) {
		if (cached_only)
			return -EAGAIN;
		return fault(vtd, res, sid, pasid, iova, access, reason, fpd);
	}
	pgtt = vtd_fget(cfg.hot, VTD_HOT_PGTT);
	if (pgtt == VTD_PGTT_PT) {
		if (iova >> vtd->cfg.haw) {
			if (cached_only)
				return -EAGAIN;
			return fault(vtd, res, sid, pasid, iova, access,
				     VTD_FR_SM_OA_MAX, fpd);
		}
		res_untranslated(res, iova);
		return 0;
	}
	need = access & VTD_RWX;
	if (vtd_iotlb_lookup(&vtd->tlb, tlb_kind(pgtt), res->did, res->pasid,
			     access & VTD_PRIV, iova, &f) &&
	    !(need & ~f.perm)) {
		res_from_fill(res, &f, iova);
		res->tlb_hit = true;
		return 0;
	}
	if (cached_only)
		return -EAGAIN;
	gen = vtd_iotlb_gen(&vtd->tlb);
	if (xlate_walk(vtd, &cfg, iova, access, &f, &oa, &reason))
		return fault(vtd, res, sid, pasid, iova, access, reason, fpd);
	/* The walk granted the access even when the cached perm lacks it. */
	res_from_fill(res, &f, iova);
	res->perm |= need;
	vtd_inc(&vtd->stats.tlb_fills);
	if (vtd_iotlb_insert(&vtd->tlb, &f, gen))
		vtd_inc(&vtd->stats.tlb_evictions);
	return 0;
}

int vtd_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, struct vtd_xlate *res)
{
	return translate(vtd, sid, pasid, iova, access, res, false, false);
}

int vtd_translate_cached(struct vtd *vtd, uint16_t sid, uint32_t pasid,
			 uint64_t iova, unsigned int access,
			 struct vtd_xlate *res)
{
	return translate(vtd, sid, pasid, iova, access, res, true, false);
}

int vtd_ats_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		      uint64_t iova, unsigned int access, struct vtd_ats *res)
{
	struct vtd_xlate x;
	struct vtd_cfg cfg;
	struct vtd_fault f;

	memset(res, 0, sizeof(*res));
	if (!vtd->cfg.dt)
		return -EOPNOTSUPP;
	if (!vtd_fget(vtd_load_acquire(&vtd->gsts), VTD_GSTS_TES) ||
	    vtd_fget(vtd_load_acquire(&vtd->root), VTD_RTADDR_TTM) !=
		    VTD_TTM_SCALABLE) {
		res->status = VTD_ATS_UR;
		return -EFAULT;
	}
	/* A configuration error is recorded, as for any request (7.1.3). */
	if (vtd_cfg_get(vtd, sid, pasid, &cfg, &f)) {
		if (!f.fpd)
			vtd_record_fault(vtd, sid, pasid, iova, access,
					 f.reason);
		res->status = VTD_ATS_UR;
		return -EFAULT;
	}
	if (!vtd_fget(cfg.hot, VTD_HOT_DTE)) {
		if (!vtd_fget(cfg.hot, VTD_HOT_FPD))
			vtd_record_fault(vtd, sid, pasid, iova, access,
					 VTD_FR_SM_CTX_DTE);
		res->status = VTD_ATS_UR;
		return -EFAULT;
	}
	/* A translation fault answers "no permission", recording nothing. */
	if (translate(vtd, sid, pasid, iova, access, &x, false, true))
		return 0;
	res->status = VTD_ATS_SUCCESS;
	res->oa = x.oa & ~vtd_mask(x.page_lg2);
	res->page_lg2 = x.page_lg2;
	res->perm = x.perm | (access & VTD_PRIV);
	return 0;
}
