// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 transactions: what happens to a DMA (and to an ATS Translation
 * Request) between the device and memory.
 *
 * Order, as in the architecture (3.3): SMMUEN and GBPA; the configuration
 * of (StreamID, SubstreamID) from the configuration cache or the tables;
 * the IOTLB; on a miss the walks: stage 1 (each table access translated by
 * stage 2 when the stream nests, with faults of class TT), then stage 2 of
 * the stage-1 output (class IN); the result goes into the IOTLB. A fault
 * becomes an event record laid out as 7.3 says, subject to the R/A/S bits
 * of the stage it happened at (5.5); configuration errors are always
 * recorded.
 *
 * The walks are src/pt's hardware walker over the tables where the guest
 * put them: stage-1 tables of a nested stream are reached through a memory
 * ops whose map translates each descriptor address through stage 2 and
 * remembers why it failed, so a stage-2 fault on a stage-1 table access is
 * reported as such (S2 = 1, CLASS = TT, IPA = the descriptor's address).
 *
 * What the IOTLB caches is what the hardware may cache: the leaf, its size
 * (for nesting the smaller of the two stages' pages), its permissions as
 * they stand in memory -- a write-clean (DBM) page is cached read-only, so
 * the first write misses and walks to mark it dirty -- and never a fault. A
 * hit that lacks a permission walks again rather than faulting from the
 * cache, which the architecture permits.
 *
 * Model choices, documented in docs/hw-smmuv3.md: CD.AFFD and STE.S2AFFD
 * are implemented as hardware Access-flag update (the AF is set in memory
 * instead of being ignored); with HTTU enabled, stage-1 table accesses of a
 * nested stream need stage-2 write permission.
 */
#include <errno.h>
#include <string.h>

#include "hw/smmuv3/smmuv3_priv.h"

/* VMSAv8-64 leaf bits the SMMU needs outside the walker (D8.3, D8.4). */
#define TTD_S1_AP2 SMMU_FIELD(7, 1)    /* stage 1: read-only (write-clean) */
#define TTD_S2AP_W SMMU_FIELD(7, 1)    /* stage 2: writable (dirty) */
#define S2_MEMATTR_HI SMMU_FIELD(2, 2) /* MemAttr[3:2] == 0: Device */
/* VA[63:56], which TBI ignores; VA[55] selects TTB0 or TTB1. */
#define VA_TOP_BYTE SMMU_FIELD(56, 8)
#define VA_UPPER SMMU_FIELD(55, 1)

#define SMMUV3_RWX (SMMUV3_READ | SMMUV3_WRITE | SMMUV3_EXEC)

static unsigned int pt_access(unsigned int access)
{
	unsigned int a = 0;

	if (access & SMMUV3_READ)
		a |= PT_ACCESS_READ;
	if (access & SMMUV3_WRITE)
		a |= PT_ACCESS_WRITE;
	if (access & SMMUV3_EXEC)
		a |= PT_ACCESS_EXEC;
	if (access & SMMUV3_PRIV)
		a |= PT_ACCESS_PRIV;
	return a;
}

/* Hardware updates a stage makes; AFFD is modelled as setting the AF. */
static unsigned int s1_hw(uint32_t flags)
{
	return ((flags & (SMMU_CF_S1_HA | SMMU_CF_S1_AFFD)) ? PT_HW_HA : 0) |
	       ((flags & SMMU_CF_S1_HD) ? PT_HW_HD : 0);
}

static unsigned int s2_hw(uint32_t flags)
{
	return ((flags & (SMMU_CF_S2_HA | SMMU_CF_S2_AFFD)) ? PT_HW_HA : 0) |
	       ((flags & SMMU_CF_S2_HD) ? PT_HW_HD : 0);
}

/* The fault a failed walk reports, at stage 1 or 2, for @cls. */
static void fault_from_walk(struct smmu_fault *f,
			    const struct pt_walk_result *r, bool s2,
			    uint8_t cls, uint64_t ipa, uint32_t flags)
{
	memset(f, 0, sizeof(*f));
	f->s2 = s2;
	f->cls = cls;
	f->cfg_flags = flags;
	f->translation = true;
	switch (r->fault) {
	case PT_FAULT_PERMISSION:
		f->event = SMMU_EVT_F_PERMISSION;
		break;
	case PT_FAULT_ADDRESS_SIZE:
		f->event = SMMU_EVT_F_ADDR_SIZE;
		break;
	case PT_FAULT_ACCESS_FLAG:
		f->event = SMMU_EVT_F_ACCESS;
		break;
	case PT_FAULT_EXTERNAL:
		f->event = SMMU_EVT_F_WALK_EABT;
		f->translation = false;
		f->has_fetch = true;
		f->fetch = r->desc_pa;
		return;
	default:
		f->event = SMMU_EVT_F_TRANSLATION;
		break;
	}
	/* Stage 2 faults report the IPA; stage 1 ones leave it UNKNOWN. */
	if (s2) {
		f->has_ipa = true;
		f->ipa = ipa;
	}
}

static void fault_simple(struct smmu_fault *f, uint8_t event, bool s2,
			 uint8_t cls, uint32_t flags)
{
	memset(f, 0, sizeof(*f));
	f->event = event;
	f->s2 = s2;
	f->cls = cls;
	f->cfg_flags = flags;
	f->translation = event >= SMMU_EVT_F_TRANSLATION &&
			 event <= SMMU_EVT_F_PERMISSION;
}

/* Permissions a cached stage-2 leaf grants, as the tables stand. */
static unsigned int s2_cache_perm(const struct pt_walk_result *r)
{
	unsigned int p = 0;

	if (r->perm & PT_PERM_READ)
		p |= SMMUV3_READ;
	if (r->perm & PT_PERM_EXEC)
		p |= SMMUV3_EXEC;
	if ((r->perm & PT_PERM_WRITE) && smmu_fget(r->desc, TTD_S2AP_W))
		p |= SMMUV3_WRITE;
	return p;
}

void *smmu_s2_map(struct smmu_s2_access *acc, uint64_t ipa, size_t len,
		  bool write, uint8_t pa_fail_event)
{
	unsigned int access = PT_ACCESS_READ | s2_hw(acc->flags);
	struct pt_walk_result r;
	void *p;

	p = pt_mem_window_ptr(&acc->win, ipa, len, write);
	if (p)
		return p;
	/* Inside the leaf this walk already went through: no new walk. */
	if (acc->leaf_valid && (ipa & ~acc->leaf_mask) == acc->leaf_ipa &&
	    (!write || acc->leaf_write)) {
		r.oa = acc->leaf_oa | (ipa & acc->leaf_mask);
		goto map;
	}
	if (write)
		access |= PT_ACCESS_WRITE;
	if (pt_walk(acc->s2, ipa, access, &r)) {
		fault_from_walk(acc->fault, &r, true, acc->cls, ipa,
				acc->flags);
		goto out_fail;
	}
	/* S2PTW: table walks and CD fetches must not touch Device memory. */
	if ((acc->flags & SMMU_CF_S2_PTW) &&
	    !smmu_fget(r.attr & PT_ATTR_MEMATTR, S2_MEMATTR_HI)) {
		fault_simple(acc->fault, SMMU_EVT_F_PERMISSION, true, acc->cls,
			     acc->flags);
		acc->fault->has_ipa = true;
		acc->fault->ipa = ipa;
		goto out_fail;
	}
	acc->leaf_mask = (1ull << r.page_lg2) - 1;
	acc->leaf_ipa = ipa & ~acc->leaf_mask;
	acc->leaf_oa = r.oa & ~acc->leaf_mask;
	/* A write walk made the leaf writable (and dirty, with HTTU). */
	acc->leaf_write = write;
	acc->leaf_valid = true;
	acc->leaf_perm = s2_cache_perm(&r);
	acc->leaf_lg2 = r.page_lg2;
	acc->leaf_lvl = r.arch_level & 3;
	acc->leaf_attr = r.attr;
	/* The whole leaf as a window when the memory ops map it at once. */
	p = smmu_map(acc->smmu, acc->leaf_oa, acc->leaf_mask + 1, write);
	acc->win.pa = acc->leaf_ipa;
	acc->win.size = p ? acc->leaf_mask + 1 : 0;
	acc->win.host = (uintptr_t)p;
	acc->win.write = write;
	p = pt_mem_window_ptr(&acc->win, ipa, len, write);
	if (p)
		return p;
map:
	p = smmu_map(acc->smmu, r.oa, len, write);
	if (!p) {
		/* The IPA translated; the physical access itself aborted. */
		fault_simple(acc->fault, pa_fail_event, false, acc->cls,
			     acc->flags);
		acc->fault->has_fetch = true;
		acc->fault->fetch = r.oa;
		goto out_fail;
	}
	return p;

out_fail:
	acc->failed = true;
	return NULL;
}

/* Permissions a cached stage-1 leaf grants, as the tables stand. */
static unsigned int s1_cache_perm(const struct pt_walk_result *r,
				  uint32_t flags, bool priv)
{
	unsigned int p = 0;

	if (r->perm & PT_PERM_READ)
		p |= SMMUV3_READ;
	if (r->perm & PT_PERM_EXEC)
		p |= SMMUV3_EXEC;
	/* Write-clean (DBM) leaves stay read-only until a write marks them. */
	if ((r->perm & PT_PERM_WRITE) && !smmu_fget(r->desc, TTD_S1_AP2))
		p |= SMMUV3_WRITE;
	/* PAN: privileged data access to unprivileged-accessible memory. */
	if ((flags & SMMU_CF_PAN) && priv && (r->perm & PT_PERM_UNPRIV))
		p &= ~(SMMUV3_READ | SMMUV3_WRITE);
	/* WXN: writable memory is never executable. */
	if ((flags & SMMU_CF_WXN) && (r->perm & PT_PERM_WRITE))
		p &= ~SMMUV3_EXEC;
	return p;
}

/* Top byte as TBI leaves it: a copy of VA[55] when ignored. */
static inline uint64_t va_canon(uint64_t va, uint64_t hot)
{
	bool upper = smmu_fget(va, VA_UPPER);

	if (upper ? smmu_fget(hot, SMMU_HOT_TBI1)
		  : smmu_fget(hot, SMMU_HOT_TBI0))
		va = (va & ~smmu_fmask(VA_TOP_BYTE)) |
		     (upper ? smmu_fmask(VA_TOP_BYTE) : 0);
	return va;
}

/*
 * The IOTLB tags a translating configuration's answers go under: the
 * entry kind, the ASID, whether privilege counts (*priv is cleared for
 * stage 2 only, which ignores it) and the input address as tagged. False
 * for a configuration that does not translate (abort, bypass).
 */
static inline bool tlb_tags(uint64_t hot, uint64_t iova,
			    enum smmu_tlb_kind *kind, uint16_t *asid,
			    bool *priv, uint64_t *va)
{
	switch (smmu_cfg_kind(hot)) {
	case SMMU_K_S2:
		*kind = SMMU_TLB_S2;
		*asid = 0;
		*priv = false;
		*va = iova;
		return true;
	case SMMU_K_S1:
	case SMMU_K_NESTED:
		*kind = smmu_cfg_kind(hot) == SMMU_K_S1 ? SMMU_TLB_S1
							: SMMU_TLB_S12;
		*asid = (uint16_t)smmu_fget(hot, SMMU_HOT_ASID);
		*va = va_canon(iova, hot);
		return true;
	default:
		return false;
	}
}

/* Stage 2 of @ipa for the final access (class IN). */
static int s2_walk(const struct smmu_cfg *cfg, uint64_t ipa,
		   unsigned int access, struct pt_walk_result *r,
		   struct smmu_fault *fault)
{
	unsigned int a = pt_access(access & SMMUV3_RWX) | s2_hw(cfg->flags);

	if (pt_walk(&cfg->s2, ipa, a, r)) {
		fault_from_walk(fault, r, true, SMMU_CLASS_IN, ipa, cfg->flags);
		return -EFAULT;
	}
	return 0;
}

/*
 * Stage 1 of @va; a nested stream's tables through stage 2 with @acc, which
 * then remembers the last stage-2 leaf they went through.
 */
static int s1_walk(const struct smmu_cfg *cfg, uint64_t va, unsigned int access,
		   struct smmu_s2_access *acc, struct pt_walk_result *r,
		   struct smmu_fault *fault)
{
	bool upper = smmu_fget(va, VA_UPPER);
	unsigned int ias = cfg->s1_ias[upper];
	bool nested = smmu_cfg_kind(cfg->hot) == SMMU_K_NESTED;
	struct pt_walk_ctx ctx;

	/*
	 * VA[55:ias] must match the region (all zeros or all ones), and so
	 * must the top byte without TBI; EPDn disables the region's walks.
	 */
	if ((va & cfg->s1_va_mask[upper]) != cfg->s1_va_want[upper])
		goto out_translation;
	ctx = cfg->s1[upper];
	if (nested) {
		ctx.mem_priv = acc;
		ctx.win = &acc->win;
	}
	if (pt_walk(&ctx, va & smmu_mask(ias),
		    pt_access(access) | s1_hw(cfg->flags), r)) {
		if (nested && acc->failed && r->fault == PT_FAULT_EXTERNAL)
			return -EFAULT; /* acc->fault says why */
		fault_from_walk(fault, r, false,
				r->fault == PT_FAULT_EXTERNAL ? SMMU_CLASS_TT
							      : SMMU_CLASS_IN,
				0, cfg->flags);
		return -EFAULT;
	}
	return 0;

out_translation:
	fault_simple(fault, SMMU_EVT_F_TRANSLATION, false, SMMU_CLASS_IN,
		     cfg->flags);
	return -EFAULT;
}

/*
 * Walks the tables of @cfg for @iova and describes the translation as the
 * IOTLB entry @e, with the output address in *oa. Returns 0 or -EFAULT
 * with @fault.
 */
static int xlate_walk(struct smmuv3 *smmu, const struct smmu_cfg *cfg,
		      uint64_t iova, unsigned int access,
		      struct smmu_tlb_entry *e, uint64_t *oa,
		      struct smmu_fault *fault)
{
	enum smmu_kind kind = smmu_cfg_kind(cfg->hot);
	uint16_t vmid = (uint16_t)smmu_fget(cfg->hot, SMMU_HOT_VMID);
	bool priv = access & SMMUV3_PRIV;
	unsigned int need = access & SMMUV3_RWX, lg2, perm;
	struct smmu_s2_access acc;
	struct pt_walk_result r1, r2;
	uint64_t va, tag;
	bool global;
	int ret;

	smmu_s2_access_init(&acc, smmu, &cfg->s2, cfg->flags, SMMU_CLASS_TT,
			    fault);

	if (kind == SMMU_K_S2) {
		/* Stage 1 bypassed: an input beyond the IAS is its fault. */
		if (iova >> smmu->oas) {
			fault_simple(fault, SMMU_EVT_F_ADDR_SIZE, false,
				     SMMU_CLASS_IN, cfg->flags);
			return -EFAULT;
		}
		ret = s2_walk(cfg, iova, access, &r2, fault);
		if (ret)
			return ret;
		va = iova;
		lg2 = r2.page_lg2;
		perm = s2_cache_perm(&r2);
		tag = smmu_tlb_want(SMMU_TLB_S2, vmid, false, 0) |
		      smmu_fprep(SMMU_TLB_S2_TG,
				 smmu_tg_code(cfg->s2.granule_lg2)) |
		      smmu_fprep(SMMU_TLB_S2_LVL, r2.arch_level & 3);
		e->attr = r2.attr;
		*oa = r2.oa;
		goto out_fill;
	}

	va = va_canon(iova, cfg->hot);
	ret = s1_walk(cfg, va, access, &acc, &r1, fault);
	if (ret)
		return ret;
	lg2 = r1.page_lg2;
	perm = s1_cache_perm(&r1, cfg->flags, priv);
	global = r1.attr & PT_ATTR_GLOBAL;
	tag = cfg->tlb_tag[smmu_fget(va, VA_UPPER)] |
	      smmu_fprep(SMMU_TLB_PRIV, priv) |
	      smmu_fprep(SMMU_TLB_S1_LG2, lg2) |
	      smmu_fprep(SMMU_TLB_S1_LVL, r1.arch_level & 3);
	/* A global entry matches every ASID: it carries none. */
	if (global)
		tag = (tag & ~smmu_fmask(SMMU_TLB_ASID)) |
		      smmu_fprep(SMMU_TLB_GLOBAL, 1);
	e->attr = r1.attr;
	*oa = r1.oa;
	/* The walker granted the access; PAN and WXN may still refuse it. */
	if (need & ~perm) {
		fault_simple(fault, SMMU_EVT_F_PERMISSION, false, SMMU_CLASS_IN,
			     cfg->flags);
		return -EFAULT;
	}
	if (kind != SMMU_K_NESTED)
		goto out_fill;
	if (acc.leaf_valid && (r1.oa & ~acc.leaf_mask) == acc.leaf_ipa &&
	    !(need & ~acc.leaf_perm)) {
		/*
		 * The output IPA lies in the stage-2 leaf this translation's
		 * table accesses went through, read from memory moments ago
		 * and granting the access as it stands (a write to a
		 * write-clean leaf walks, to mark it dirty): the walk cache
		 * answers, as it does for the tables themselves.
		 */
		if (acc.leaf_lg2 < lg2)
			lg2 = acc.leaf_lg2;
		tag |= smmu_fprep(SMMU_TLB_S2_LVL, acc.leaf_lvl);
		perm &= acc.leaf_perm;
		e->attr = acc.leaf_attr;
		*oa = acc.leaf_oa | (r1.oa & acc.leaf_mask);
		goto out_fill;
	}
	ret = s2_walk(cfg, r1.oa, access, &r2, fault);
	if (ret)
		return ret;
	if (r2.page_lg2 < lg2)
		lg2 = r2.page_lg2;
	tag |= smmu_fprep(SMMU_TLB_S2_LVL, r2.arch_level & 3);
	perm &= s2_cache_perm(&r2);
	e->attr = r2.attr;
	*oa = r2.oa;
out_fill:
	/* The page is the smaller of the two stages' leaves. */
	e->tag = tag | smmu_fprep(SMMU_TLB_PAGE_LG2, lg2) |
		 smmu_fprep(SMMU_TLB_PERM, perm);
	e->va = va & ~smmu_mask(lg2);
	e->oa = *oa & ~smmu_mask(lg2);
	return 0;
}

/* Outcome of the part of a translation shared by DMA and ATS. */
enum xl_result {
	XL_OK,
	XL_FAULT,  /* @fault describes it */
	XL_SILENT, /* abort with no event (STE.Config == 0b0xx) */
};

/* With the micro-TLB below: the whole configuration, this thread's copy. */
static const struct smmu_cfg *cfg_full(struct smmuv3 *smmu, uint32_t sid,
				       uint32_t ssid, struct smmu_cfg *tmp,
				       struct smmu_fault *fault);

static void res_bypass(struct smmuv3_xlate *res, uint64_t iova)
{
	res->status = SMMUV3_OK;
	res->oa = iova;
	res->page_lg2 = 12;
	res->perm = SMMUV3_RWX;
}

/*
 * The walk of @iova under @cfg and its IOTLB fill. @gen: the IOTLB's
 * generation, read before @cfg was obtained (a TLB invalidation that
 * follows a configuration change the copy predates voids the fill).
 */
static enum xl_result xlate_fill(struct smmuv3 *smmu,
				 const struct smmu_cfg *cfg, uint64_t gen,
				 uint64_t iova, unsigned int access,
				 struct smmuv3_xlate *res,
				 struct smmu_fault *fault)
{
	struct smmu_tlb_entry ent;
	uint64_t oa;

	if (xlate_walk(smmu, cfg, iova, access, &ent, &oa, fault))
		return XL_FAULT;
	smmu_iotlb_insert(&smmu->tlb, &ent, gen);
	res->status = SMMUV3_OK;
	res->oa = oa;
	res->page_lg2 = smmu_fget(ent.tag, SMMU_TLB_PAGE_LG2);
	/* The walk granted this access. */
	res->perm = smmu_fget(ent.tag, SMMU_TLB_PERM) | (access & SMMUV3_RWX);
	res->attr = ent.attr;
	return XL_OK;
}

/*
 * The translation of (@sid, @ssid, @iova) from the caches or the tables.
 * With @tlb_missed the caller has just looked the IOTLB up for it, under a
 * cached configuration that translates, and missed: straight to the walk.
 */
static enum xl_result xlate_core(struct smmuv3 *smmu, uint32_t sid,
				 uint32_t ssid, uint64_t iova,
				 unsigned int access, struct smmuv3_xlate *res,
				 struct smmu_fault *fault, bool tlb_missed)
{
	unsigned int need = access & SMMUV3_RWX;
	bool priv = access & SMMUV3_PRIV;
	const struct smmu_cfg *cfg;
	enum smmu_tlb_kind tkind;
	struct smmu_tlb_entry hit;
	struct smmu_cfg tmp;
	uint64_t va, gen;
	uint16_t vmid, asid = 0;

	if (ssid != SMMUV3_NO_SSID && (uint64_t)ssid >> smmu->ssid_bits) {
		fault_simple(fault, SMMU_EVT_C_BAD_SUBSTREAMID, false, 0, 0);
		fault->ssid_valid = true;
		fault->ssid = ssid & (uint32_t)smmu_mask(20);
		return XL_FAULT;
	}
	/* Before the configuration: see xlate_fill(). */
	gen = smmu_iotlb_gen(&smmu->tlb);
	cfg = cfg_full(smmu, sid, ssid, &tmp, fault);
	if (!cfg)
		return XL_FAULT;
	switch (smmu_cfg_kind(cfg->hot)) {
	case SMMU_K_BYPASS:
		res_bypass(res, iova);
		return XL_OK;
	case SMMU_K_ABORT:
		return XL_SILENT;
	default:
		break;
	}
	if (tlb_missed)
		goto miss;
	vmid = (uint16_t)smmu_fget(cfg->hot, SMMU_HOT_VMID);
	/* What is not a configuration that translates: no translation. */
	if (!tlb_tags(cfg->hot, iova, &tkind, &asid, &priv, &va))
		return XL_SILENT;
	if (smmu_iotlb_find(&smmu->tlb, tkind, vmid, asid, priv, va, &hit) &&
	    !(need & ~smmu_fget(hit.tag, SMMU_TLB_PERM))) {
		res->status = SMMUV3_OK;
		res->oa = hit.oa + (va - hit.va);
		res->page_lg2 = smmu_fget(hit.tag, SMMU_TLB_PAGE_LG2);
		res->perm = smmu_fget(hit.tag, SMMU_TLB_PERM);
		res->attr = hit.attr;
		res->tlb_hit = true;
		return XL_OK;
	}

miss:
	return xlate_fill(smmu, cfg, gen, iova, access, res, fault);
}

/* Event record of @fault for a transaction (7.3). */
static void build_event(uint64_t evt[SMMU_EVT_DWORDS], uint32_t sid,
			uint32_t ssid, uint64_t iova, unsigned int access,
			const struct smmu_fault *f)
{
	memset(evt, 0, SMMU_EVT_DWORDS * sizeof(uint64_t));
	evt[0] = smmu_dprep(SMMU_EVT_ID, f->event) |
		 smmu_dprep(SMMU_EVT_SID, sid);
	switch (f->event) {
	case SMMU_EVT_C_BAD_SUBSTREAMID:
		/* Always valid here; the record has no SSV qualifier. */
		evt[0] |= smmu_dprep(SMMU_EVT_SSID, f->ssid);
		return;
	case SMMU_EVT_F_STREAM_DISABLED:
		return;
	default:
		break;
	}
	if (ssid != SMMUV3_NO_SSID)
		evt[0] |= smmu_dprep(SMMU_EVT_SSV, 1) |
			  smmu_dprep(SMMU_EVT_SSID, ssid);
	switch (f->event) {
	case SMMU_EVT_F_WALK_EABT:
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION:
		evt[1] |= smmu_dprep(SMMU_EVT_S2, f->s2) |
			  smmu_dprep(SMMU_EVT_CLASS, f->cls);
		/* fall through */
	case SMMU_EVT_F_BAD_ATS_TREQ:
	case SMMU_EVT_F_TRANSL_FORBIDDEN:
		evt[1] |= smmu_dprep(SMMU_EVT_RNW, !(access & SMMUV3_WRITE)) |
			  smmu_dprep(SMMU_EVT_PNU, !!(access & SMMUV3_PRIV)) |
			  smmu_dprep(SMMU_EVT_IND, !!(access & SMMUV3_EXEC));
		evt[2] = iova;
		break;
	default:
		break;
	}
	if (f->has_ipa)
		evt[3] |= smmu_dprep(SMMU_EVT_IPA, f->ipa >> 12);
	if (f->has_fetch)
		evt[3] |= smmu_dprep(SMMU_EVT_FETCH_ADDR, f->fetch >> 3);
}

/* Holds a stalled transaction of @sid; false when all slots are taken. */
static bool stall_hold(struct smmuv3 *smmu, uint32_t sid, uint16_t *stag)
{
	struct smmu_stall *free_slot = NULL;
	unsigned int i;
	bool clash;

	ufd_mutex_lock(&smmu->stall_lock);
	/* A tag unique among the stream's stalled transactions. */
	do {
		*stag = smmu->next_stag++;
		clash = false;
		free_slot = NULL;
		for (i = 0; i < smmu->cfg.stall_max; i++) {
			struct smmu_stall *st = &smmu->stalls[i];

			if (!st->used) {
				if (!free_slot)
					free_slot = st;
				continue;
			}
			if (st->sid == sid && st->stag == *stag)
				clash = true;
		}
	} while (clash && free_slot);
	if (free_slot) {
		free_slot->used = true;
		free_slot->sid = sid;
		free_slot->stag = *stag;
	}
	ufd_mutex_unlock(&smmu->stall_lock);
	return free_slot;
}

static void stall_drop(struct smmuv3 *smmu, uint32_t sid, uint16_t stag)
{
	unsigned int i;

	ufd_mutex_lock(&smmu->stall_lock);
	for (i = 0; i < smmu->cfg.stall_max; i++)
		if (smmu->stalls[i].used && smmu->stalls[i].sid == sid &&
		    smmu->stalls[i].stag == stag)
			smmu->stalls[i].used = false;
	ufd_mutex_unlock(&smmu->stall_lock);
}

/*
 * The stall model (3.12.2, 5.5): a translation-related fault of a stage
 * configured to stall holds the transaction and records the event with
 * Stall = 1 and its tag; CMD_RESUME or CMD_STALL_TERM later completes it
 * through the device's resume callback. A stall that cannot be recorded
 * (queue full or off) or held (STALL_MAX reached) terminates instead.
 */
static bool try_stall(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		      uint64_t iova, unsigned int access,
		      const struct smmu_fault *f, struct smmuv3_xlate *res)
{
	uint64_t evt[SMMU_EVT_DWORDS];
	uint16_t stag;
	bool s;

	if (!smmu->cfg.stall || !f->translation)
		return false;
	if (f->s2)
		s = f->cfg_flags & SMMU_CF_S2_S;
	else
		s = (f->cfg_flags & SMMU_CF_SSID_CD) &&
		    (f->cfg_flags & SMMU_CF_S1_S);
	if (!s || !stall_hold(smmu, sid, &stag))
		return false;
	build_event(evt, sid, ssid, iova, access, f);
	evt[1] |= smmu_dprep(SMMU_EVT_STALL, 1) |
		  smmu_dprep(SMMU_EVT_STAG, stag);
	if (!smmu_record_event(smmu, evt)) {
		stall_drop(smmu, sid, stag);
		return false;
	}
	res->status = SMMUV3_STALLED;
	res->stag = stag;
	res->recorded = true;
	smmu_deliver_irqs(smmu);
	return true;
}

/* Terminates a faulting transaction per R/A and records its event. */
static int report(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		  uint64_t iova, unsigned int access,
		  const struct smmu_fault *f, struct smmuv3_xlate *res)
{
	uint64_t evt[SMMU_EVT_DWORDS];
	bool record = true;

	res->status = SMMUV3_ABORT;
	res->event = f->event;
	if (try_stall(smmu, sid, ssid, iova, access, f, res))
		return -EFAULT;
	if (f->translation) {
		if (f->s2) {
			record = f->cfg_flags & SMMU_CF_S2_R;
		} else if (f->cfg_flags & SMMU_CF_SSID_CD) {
			/* Stage 1 faults follow the CD's R and A bits. */
			record = f->cfg_flags & SMMU_CF_S1_R;
			/* CD.A == 0: terminate with RAZ/WI, no abort. */
			if (!(f->cfg_flags & SMMU_CF_S1_A))
				res->status = SMMUV3_RAZWI;
		}
	}
	if (f->event == SMMU_EVT_C_BAD_STREAMID &&
	    !smmu_fget(smmu_load(&smmu->cr2), SMMU_CR2_RECINVSID))
		record = false;
	if (record && f->event) {
		build_event(evt, sid, ssid, iova, access, f);
		res->recorded = smmu_record_event(smmu, evt);
		smmu_deliver_irqs(smmu);
	}
	return -EFAULT;
}

/*
 * A micro-TLB per thread: the last few translations this thread used,
 * valid while no invalidation of any kind ran since they were read from the
 * caches (the sum of both generation counts unchanged: both only grow). It
 * is one more level of translation caching, as a TBU has in front of the
 * shared TLB, and it obeys the same rule: only an invalidation removes what
 * it holds, so it never hides an invalidation nor shows what the IOTLB no
 * longer could. It is filled only when no invalidation ran during the
 * lookup (both counts even before and unchanged after): an entry seen while
 * an invalidation is still removing entries could otherwise outlive it.
 *
 * Direct mapped by the 4 KiB page of the input address, small enough for
 * initial-exec TLS (DESIGN: a hit must cost a probe, not a lock). It also
 * keeps a copy of the whole configuration last used, under the rule of
 * the configuration cache alone (struct smmu_utlb), so that a hit in the
 * IOTLB behind it costs one probe, not two, and a walk no copy.
 *
 * An entry is laid out for the common miss, a DMA streaming through pages
 * the micro-TLB never saw: one masked compare of the input address rejects
 * it before anything else is looked at.
 */
#define UTLB_ENTRIES 16
#define UTLB_PERM SMMU_FIELD(0, 3)
#define UTLB_LG2 SMMU_FIELD(3, 6)
#define UTLB_PRIV SMMU_FIELD(9, 1)
#define UTLB_ANY_PRIV SMMU_FIELD(10, 1) /* stage 2 only: privilege moot */
#define UTLB_ATTR SMMU_FIELD(16, 16)

struct smmu_utlb_entry {
	uint64_t key; /* configuration key; 0: empty */
	uint64_t va;  /* first input address of the translation (TBI applied) */
	/*
	 * The input address bits that must equal those of @va: the bits above
	 * the page, less the top byte when TBI ignores it in @va's half. VA[55]
	 * is compared, so a match is in @va's half.
	 */
	uint64_t cmp;
	uint64_t oa;   /* output address of @va */
	uint64_t info; /* UTLB_* */
};

struct smmu_utlb {
	uint64_t id;	/* struct smmuv3.id of the entries, 0: none */
	uint64_t epoch; /* tlb.gen + cfgc.gen they were read under */
	struct smmu_utlb_entry e[UTLB_ENTRIES];
	/*
	 * The last run smmuv3_translate_cached_more() proved: for run_key
	 * and run_access, [run_va, run_va + run_len) translates to run_oa
	 * onward. run_len 0: none.
	 */
	uint64_t run_key, run_va, run_len, run_oa;
	unsigned int run_access;
	/*
	 * The whole configuration this thread last used (cfg.key says whose),
	 * a copy from the configuration cache, valid for SMMU cfg_id while
	 * cfgc.gen is cfg_gen: only a configuration invalidation ends it, so
	 * it outlives TLB invalidations, and a walk after one reads it in
	 * place instead of looking it up and copying it again. Not cleared
	 * by utlb_get().
	 */
	uint64_t cfg_id, cfg_gen;
	struct smmu_cfg cfg;
};

static _Thread_local struct smmu_utlb smmu_utlb __tls_initial_exec;

/* The epoch micro-TLB contents must have been read under to be valid. */
static inline uint64_t utlb_epoch(struct smmuv3 *smmu)
{
	return __atomic_load_n(&smmu->tlb.gen, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE);
}

/* This thread's micro-TLB entry that answers @access at @iova, or NULL. */
static inline const struct smmu_utlb_entry *
utlb_find(struct smmuv3 *smmu, uint64_t key, uint64_t iova, unsigned int access)
{
	const struct smmu_utlb *u = &smmu_utlb;
	const struct smmu_utlb_entry *e = &u->e[(iova >> 12) % UTLB_ENTRIES];
	uint64_t info;

	if (((iova ^ e->va) & e->cmp) || e->key != key)
		return NULL;
	if (u->id != smmu->id || u->epoch != utlb_epoch(smmu))
		return NULL;
	info = e->info;
	if ((!smmu_fget(info, UTLB_ANY_PRIV) &&
	     smmu_fget(info, UTLB_PRIV) != !!(access & SMMUV3_PRIV)) ||
	    (access & SMMUV3_RWX & ~smmu_fget(info, UTLB_PERM)))
		return NULL;
	return e;
}

/* A hit in this thread's micro-TLB, filling @res; false on a miss. */
static inline bool utlb_hit(struct smmuv3 *smmu, uint64_t key, uint64_t iova,
			    unsigned int access, struct smmuv3_xlate *res)
{
	const struct smmu_utlb_entry *e = utlb_find(smmu, key, iova, access);
	unsigned int lg2, perm;
	uint64_t info;

	if (!e)
		return false;
	info = e->info;
	perm = smmu_fget(info, UTLB_PERM);
	lg2 = smmu_fget(info, UTLB_LG2);
	res->status = SMMUV3_OK;
	/* TBI rewrites only the top byte, never the offset in the page. */
	res->oa = e->oa + (iova & smmu_mask(lg2));
	res->page_lg2 = lg2;
	res->perm = perm;
	res->attr = smmu_fget(info, UTLB_ATTR);
	res->event = 0;
	res->recorded = false;
	res->tlb_hit = true;
	res->stag = 0;
	return true;
}

/*
 * Makes the micro-TLB current for @epoch, dropping what it held under an
 * older one.
 */
static inline struct smmu_utlb *utlb_get(struct smmuv3 *smmu, uint64_t epoch)
{
	struct smmu_utlb *u = &smmu_utlb;

	if (unlikely(u->id != smmu->id || u->epoch != epoch)) {
		memset(u, 0, offsetof(struct smmu_utlb, cfg_id));
		u->id = smmu->id;
		u->epoch = epoch;
	}
	return u;
}

/* The StreamID and SubstreamID of a valid configuration key. */
static inline uint32_t key_sid(uint64_t key)
{
	return (uint32_t)smmu_fget(key, SMMU_KEY_SID);
}

static inline uint32_t key_ssid(uint64_t key)
{
	return smmu_fget(key, SMMU_KEY_SSV)
		       ? (uint32_t)smmu_fget(key, SMMU_KEY_SSID)
		       : SMMUV3_NO_SSID;
}

/* This thread's copy of the configuration @key if valid at @cfg_gen. */
static inline const struct smmu_cfg *utlb_cfg(struct smmuv3 *smmu, uint64_t key,
					      uint64_t cfg_gen)
{
	const struct smmu_utlb *u = &smmu_utlb;

	if (u->cfg.key == key && u->cfg_id == smmu->id && u->cfg_gen == cfg_gen)
		return &u->cfg;
	return NULL;
}

/*
 * The whole configuration of (@sid, @ssid): this thread's copy while it
 * is valid, else the configuration cache's (or the tables'), which becomes
 * this thread's copy when no configuration invalidation ran meanwhile (or
 * goes to @tmp when one did). NULL with @fault on a configuration error.
 * Nothing a translation calls replaces the copy while it is in use: the
 * one thread that could is the one translating.
 */
static const struct smmu_cfg *cfg_full(struct smmuv3 *smmu, uint32_t sid,
				       uint32_t ssid, struct smmu_cfg *tmp,
				       struct smmu_fault *fault)
{
	uint64_t gen = __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE);
	struct smmu_utlb *u = &smmu_utlb;
	const struct smmu_cfg *c;

	c = utlb_cfg(smmu, smmu_cfg_key(sid, ssid), gen);
	if (c)
		return c;
	if (gen & 1)
		return smmu_cfg_get(smmu, sid, ssid, true, tmp, fault) ? NULL
								       : tmp;
	u->cfg_id = 0;
	if (smmu_cfg_get(smmu, sid, ssid, true, &u->cfg, fault))
		return NULL;
	if (__atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE) == gen) {
		u->cfg_id = smmu->id;
		u->cfg_gen = gen;
	}
	return &u->cfg;
}

/*
 * Makes the configuration of @key this thread's copy, so that the next
 * IOTLB hit or walk reads it in place. Errors are left for a walk to meet.
 */
static __noinline void cfg_keep(struct smmuv3 *smmu, uint64_t key)
{
	struct smmu_fault fault;
	struct smmu_cfg tmp;

	(void)cfg_full(smmu, key_sid(key), key_ssid(key), &tmp, &fault);
}

static int translate_slow(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			  uint64_t iova, unsigned int access,
			  struct smmuv3_xlate *res, bool tlb_missed);
/*
 * An IOTLB miss under this thread's configuration copy @cfg (a
 * configuration that translates), with @tlb_gen read before it: straight
 * to the walk, the IOTLB fill or the fault. Six arguments, so that the
 * caller's call is a jump.
 */
static __noinline int translate_walk(struct smmuv3 *smmu,
				     const struct smmu_cfg *cfg,
				     uint64_t tlb_gen, uint64_t iova,
				     unsigned int access,
				     struct smmuv3_xlate *res)
{
	struct smmu_fault fault;

	memset(res, 0, sizeof(*res));
	if (xlate_fill(smmu, cfg, tlb_gen, iova, access, res, &fault) == XL_OK)
		return 0;
	return report(smmu, key_sid(cfg->key), key_ssid(cfg->key), iova, access,
		      &fault, res);
}

/*
 * The IOTLB-hit path behind a micro-TLB miss: the hot words of the
 * configuration (this thread's copy, or from the configuration cache), one
 * IOTLB probe, no lock and no copy; a miss under this thread's copy goes
 * to translate_walk(), anything else to translate_slow(). Out of line from
 * the micro-TLB probe, so that a micro-TLB hit saves and restores no
 * registers.
 */
static __noinline int translate_iotlb(struct smmuv3 *smmu, uint64_t key,
				      uint64_t iova, unsigned int access,
				      struct smmuv3_xlate *res, bool cached)
{
	const struct smmu_cfg *cfg;
	bool priv = access & SMMUV3_PRIV, tbi = false;
	uint64_t hot = 0, va, tlb_gen, cfg_gen;
	enum smmu_tlb_kind tkind;
	struct smmu_tlb_entry h;
	struct smmu_utlb *u;
	struct smmu_utlb_entry *e;
	uint16_t asid = 0;
	unsigned int perm, lg2;
	bool missed = false;

	/* Read before the caches: an invalidation after it voids the fill. */
	tlb_gen = __atomic_load_n(&smmu->tlb.gen, __ATOMIC_ACQUIRE);
	cfg_gen = __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE);
	cfg = utlb_cfg(smmu, key, cfg_gen);
	if (cfg)
		hot = cfg->hot;
	else if (!smmu_cfgc_hot(&smmu->cfgc, key, &hot))
		goto out_slow;
	if (!tlb_tags(hot, iova, &tkind, &asid, &priv, &va))
		goto out_slow;
	if (tkind != SMMU_TLB_S2)
		tbi = smmu_fget(iova, VA_UPPER) ? smmu_fget(hot, SMMU_HOT_TBI1)
						: smmu_fget(hot, SMMU_HOT_TBI0);
	/* From here a miss goes straight to the walk (xlate_core()). */
	missed = true;
	if (!smmu_iotlb_find(&smmu->tlb, tkind,
			     (uint16_t)smmu_fget(hot, SMMU_HOT_VMID), asid,
			     priv, va, &h))
		goto out_slow;
	perm = smmu_fget(h.tag, SMMU_TLB_PERM);
	if (access & SMMUV3_RWX & ~perm)
		goto out_slow;
	lg2 = smmu_fget(h.tag, SMMU_TLB_PAGE_LG2);
	res->status = SMMUV3_OK;
	res->oa = h.oa + (va - h.va);
	res->page_lg2 = lg2;
	res->perm = perm;
	res->attr = h.attr;
	res->event = 0;
	res->recorded = false;
	res->tlb_hit = true;
	res->stag = 0;
	/* Into the micro-TLB only if no invalidation ran meanwhile. */
	if (((tlb_gen | cfg_gen) & 1) ||
	    __atomic_load_n(&smmu->tlb.gen, __ATOMIC_ACQUIRE) != tlb_gen ||
	    __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE) != cfg_gen)
		return 0;
	u = utlb_get(smmu, tlb_gen + cfg_gen);
	e = &u->e[(iova >> 12) % UTLB_ENTRIES];
	e->key = key;
	e->va = h.va;
	e->cmp = ~smmu_mask(lg2) & ~(tbi ? smmu_fmask(VA_TOP_BYTE) : 0);
	e->oa = h.oa;
	e->info = smmu_fprep(UTLB_PERM, perm) | smmu_fprep(UTLB_LG2, lg2) |
		  smmu_fprep(UTLB_PRIV, priv) |
		  smmu_fprep(UTLB_ANY_PRIV, tkind == SMMU_TLB_S2) |
		  smmu_fprep(UTLB_ATTR, h.attr);
	if (!cfg)
		cfg_keep(smmu, key);
	return 0;

out_slow:
	if (cached)
		return -EAGAIN;
	if (missed && cfg)
		return translate_walk(smmu, cfg, tlb_gen, iova, access, res);
	/* The key holds a valid (sid, ssid) exactly; passing it saves a spill. */
	return translate_slow(smmu, key_sid(key), key_ssid(key), iova, access,
			      res, missed);
}

/*
 * Everything but a hit. Out of line so that the hit path is a small leaf
 * function: sharing a frame with the walks made the compiler spill the hit
 * path's values to the stack.
 */
static __noinline int translate_slow(struct smmuv3 *smmu, uint32_t sid,
				     uint32_t ssid, uint64_t iova,
				     unsigned int access,
				     struct smmuv3_xlate *res, bool tlb_missed)
{
	struct smmu_fault fault;

	memset(res, 0, sizeof(*res));
	if (!smmu_fget(smmu_cr0(smmu), SMMU_CR0_SMMUEN)) {
		/* Global bypass attributes (6.3.14). */
		if (smmu_fget(smmu_load(&smmu->gbpa), SMMU_GBPA_ABORT)) {
			res->status = SMMUV3_ABORT;
			return -EFAULT;
		}
		res_bypass(res, iova);
		return 0;
	}
	switch (xlate_core(smmu, sid, ssid, iova, access, res, &fault,
			   tlb_missed)) {
	case XL_OK:
		return 0;
	case XL_SILENT:
		res->status = SMMUV3_ABORT;
		return -EFAULT;
	default:
		return report(smmu, sid, ssid, iova, access, &fault, res);
	}
}

/* Both entry points: the micro-TLB, then the IOTLB, then (unless @cached)
 * the walks. */
static inline int translate(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t iova, unsigned int access,
			    struct smmuv3_xlate *res, bool cached)
{
	uint64_t key;

	if (!(access & SMMUV3_RWX))
		access |= SMMUV3_READ;
	if (unlikely(!smmu_fget(smmu_cr0(smmu), SMMU_CR0_SMMUEN)) ||
	    unlikely(ssid != SMMUV3_NO_SSID &&
		     (uint64_t)ssid >> smmu->ssid_bits))
		return cached ? -EAGAIN
			      : translate_slow(smmu, sid, ssid, iova, access,
					       res, false);
	key = smmu_cfg_key(sid, ssid);
	if (utlb_hit(smmu, key, iova, access, res))
		return 0;
	return translate_iotlb(smmu, key, iova, access, res, cached);
}

int smmuv3_translate(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		     uint64_t iova, unsigned int access,
		     struct smmuv3_xlate *res)
{
	return translate(smmu, sid, ssid, iova, access, res, false);
}

int smmuv3_translate_cached(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t iova, unsigned int access,
			    struct smmuv3_xlate *res)
{
	return translate(smmu, sid, ssid, iova, access, res, true);
}

/*
 * What the micro-TLB's remembered run says of @iova -> @oa, if it was
 * proven under @epoch; 0: nothing.
 */
static uint64_t utlb_run_find(struct smmuv3 *smmu, uint64_t key, uint64_t iova,
			      unsigned int access, uint64_t oa, uint64_t epoch)
{
	const struct smmu_utlb *u = &smmu_utlb;
	uint64_t off = iova - u->run_va;

	if (u->run_key != key || u->run_access != access || iova < u->run_va ||
	    off >= u->run_len || u->run_oa + off != oa || u->id != smmu->id ||
	    u->epoch != epoch)
		return 0;
	return u->run_len - off;
}

/*
 * Remembers the run [@iova, @iova + @len) -> @oa proven under the caches'
 * generations @tlb_gen and @cfg_gen: only if they are still those and no
 * invalidation was running (the rule micro-TLB entries follow).
 */
static void utlb_run_save(struct smmuv3 *smmu, uint64_t key, uint64_t iova,
			  unsigned int access, uint64_t oa, uint64_t len,
			  uint64_t tlb_gen, uint64_t cfg_gen)
{
	struct smmu_utlb *u;

	if (((tlb_gen | cfg_gen) & 1) ||
	    __atomic_load_n(&smmu->tlb.gen, __ATOMIC_ACQUIRE) != tlb_gen ||
	    __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE) != cfg_gen)
		return;
	u = utlb_get(smmu, tlb_gen + cfg_gen);
	u->run_key = key;
	u->run_va = iova;
	u->run_len = len;
	u->run_oa = oa;
	u->run_access = access;
}

uint64_t smmuv3_translate_cached_more(struct smmuv3 *smmu, uint32_t sid,
				      uint32_t ssid, uint64_t iova,
				      unsigned int access, uint64_t oa,
				      uint64_t want)
{
	const struct smmu_utlb_entry *e;
	struct smmuv3_xlate x;
	uint64_t done, key, at, size, tlb_gen, cfg_gen;

	if (!(access & SMMUV3_RWX))
		access |= SMMUV3_READ;
	if (!smmu_fget(smmu_cr0(smmu), SMMU_CR0_SMMUEN) ||
	    (ssid != SMMUV3_NO_SSID && (uint64_t)ssid >> smmu->ssid_bits))
		return 0;
	key = smmu_cfg_key(sid, ssid);
	/* Read before the caches: an invalidation after it voids the run. */
	tlb_gen = __atomic_load_n(&smmu->tlb.gen, __ATOMIC_ACQUIRE);
	cfg_gen = __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_ACQUIRE);
	/* The same run as last time (a DMA engine repeating a transfer). */
	done = utlb_run_find(smmu, key, iova, access, oa, tlb_gen + cfg_gen);
	if (done >= want)
		return done;
	while (done < want) {
		at = iova + done;
		e = utlb_find(smmu, key, at, access);
		if (e) {
			/* The micro-TLB: no result to fill, no call. */
			size = 1ull << smmu_fget(e->info, UTLB_LG2);
			if (e->oa + (at & (size - 1)) != oa + done)
				break;
		} else {
			/* The IOTLB, which also fills the micro-TLB. */
			if (translate_iotlb(smmu, key, at, access, &x, true) ||
			    x.oa != oa + done)
				break;
			size = 1ull << x.page_lg2;
		}
		done += size - (at & (size - 1));
	}
	if (done)
		utlb_run_save(smmu, key, iova, access, oa, done, tlb_gen,
			      cfg_gen);
	return done;
}

static int ats_bad_treq(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			uint64_t iova, unsigned int access,
			struct smmuv3_ats *res)
{
	uint64_t evt[SMMU_EVT_DWORDS];
	struct smmu_fault f;

	fault_simple(&f, SMMU_EVT_F_BAD_ATS_TREQ, false, 0, 0);
	build_event(evt, sid, ssid, iova & ~smmu_mask(12), access, &f);
	smmu_record_event(smmu, evt);
	smmu_deliver_irqs(smmu);
	res->status = SMMUV3_ATS_UR;
	return -EFAULT;
}

int smmuv3_ats_translate(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			 uint64_t iova, unsigned int access,
			 struct smmuv3_ats *res)
{
	unsigned int rd = (access & ~SMMUV3_WRITE) | SMMUV3_READ;
	struct smmuv3_xlate x;
	struct smmu_fault fault;
	struct smmu_cfg cfg;

	memset(res, 0, sizeof(*res));
	if (!smmu->cfg.ats) {
		res->status = SMMUV3_ATS_UR;
		return -EFAULT;
	}
	if (!smmu_fget(smmu_cr0(smmu), SMMU_CR0_SMMUEN))
		return ats_bad_treq(smmu, sid, ssid, iova, access, res);
	if ((ssid != SMMUV3_NO_SSID && (uint64_t)ssid >> smmu->ssid_bits) ||
	    smmu_cfg_get(smmu, sid, ssid, false, &cfg, &fault)) {
		/* Configuration errors complete with CA, recording nothing. */
		res->status = SMMUV3_ATS_CA;
		return -EFAULT;
	}
	if (smmu_cfg_kind(cfg.hot) == SMMU_K_ABORT) {
		res->status = SMMUV3_ATS_UR;
		return -EFAULT;
	}
	if (smmu_fget(cfg.hot, SMMU_HOT_EATS) != SMMU_EATS_TRANS)
		return ats_bad_treq(smmu, sid, ssid, iova, access, res);

	/* Read first: a read-only page answers R = 1, W = 0. */
	memset(&x, 0, sizeof(x));
	switch (xlate_core(smmu, sid, ssid, iova, rd, &x, &fault, false)) {
	case XL_OK:
		break;
	case XL_SILENT:
		res->status = SMMUV3_ATS_UR;
		return -EFAULT;
	default:
		/* A translation fault is a successful "no access" answer. */
		res->status = SMMUV3_ATS_SUCCESS;
		res->oa = 0;
		res->page_lg2 = 12;
		return 0;
	}
	res->status = SMMUV3_ATS_SUCCESS;
	res->oa = x.oa;
	res->page_lg2 = x.page_lg2;
	res->perm = x.perm & (SMMUV3_READ | SMMUV3_EXEC);
	if (access & SMMUV3_WRITE) {
		/* Granting write marks the page dirty, as HTTU does. */
		if (xlate_core(smmu, sid, ssid, iova, rd | SMMUV3_WRITE, &x,
			       &fault, false) == XL_OK) {
			res->perm |= SMMUV3_WRITE;
			if (x.page_lg2 < res->page_lg2)
				res->page_lg2 = x.page_lg2;
		}
	}
	if (access & SMMUV3_PRIV)
		res->perm |= SMMUV3_PRIV;
	return 0;
}

static int transl_forbidden(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t pa, unsigned int access)
{
	uint64_t evt[SMMU_EVT_DWORDS];
	struct smmu_fault f;

	fault_simple(&f, SMMU_EVT_F_TRANSL_FORBIDDEN, false, 0, 0);
	build_event(evt, sid, ssid, pa, access, &f);
	smmu_record_event(smmu, evt);
	smmu_deliver_irqs(smmu);
	return -EFAULT;
}

int smmuv3_check_translated(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			    uint64_t pa, unsigned int access)
{
	uint32_t cr0 = smmu_cr0(smmu);
	uint64_t ste[SMMU_STE_DWORDS];
	struct smmu_fault fault;
	unsigned int config;

	if (!smmu->cfg.ats || !smmu_fget(cr0, SMMU_CR0_ATSCHK))
		return 0;
	if (!smmu_fget(cr0, SMMU_CR0_SMMUEN))
		return transl_forbidden(smmu, sid, ssid, pa, access);
	/* Only the STE matters; it is read afresh, never cached here. */
	if (smmu_ste_fetch(smmu, sid, ste, &fault) ||
	    !smmu_dget(ste, SMMU_STE_V))
		return -EFAULT;
	config = smmu_dget(ste, SMMU_STE_CONFIG);
	if (!(config & 4))
		return -EFAULT;
	/* Full bypass has an effective EATS of 0; 0b11 without DPT too. */
	if ((config & 3) == 0 ||
	    smmu_dget(ste, SMMU_STE_EATS) != SMMU_EATS_TRANS)
		return transl_forbidden(smmu, sid, ssid, pa, access);
	return 0;
}
