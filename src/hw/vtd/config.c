// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d scalable-mode configuration: from a request's (source-id, PASID) to
 * the PASID table entry that says how to translate it (3.4, 9.2-9.6).
 *
 * Walk: the root entry of the bus (LP/LCTP for devfn 0..127, UP/UCTP for
 * 128..255), the 256-bit context entry of the devfn, the PASID directory
 * entry (PASID[19:6]) and the 512-bit PASID table entry (PASID[5:0]). A
 * request without PASID uses the context entry's RID_PASID. Each step's
 * failure has its own fault reason; FPD in an entry that was read disables
 * recording for what fails after it (7.1.2).
 *
 * The cache: decoded entries keyed by (source-id, PASID presence, PASID),
 * sets of ways each under a sequence lock, as the IOTLB. It stands for both
 * the context cache and the PASID cache; what it caches stays until a
 * context-cache invalidation names the source-id (or is global / domain
 * selective) or a PASID-cache invalidation names its DID (and PASID).
 * Fills straddling an invalidation are dropped (the generation count).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "hw/vtd/vtd_priv.h"

int vtd_cfgc_init(struct vtd_cfg_cache *c, unsigned int sets_lg2,
		  unsigned int ways)
{
	size_t sets = (size_t)1 << sets_lg2;

	memset(c, 0, sizeof(*c));
	c->sets_lg2 = sets_lg2;
	c->ways = ways;
	c->seq = ufd_calloc(sets, sizeof(*c->seq));
	c->victim = ufd_calloc(sets, sizeof(*c->victim));
	c->ent = ufd_alloc_aligned(64, sets * ways * sizeof(*c->ent));
	if (!c->seq || !c->victim || !c->ent) {
		vtd_cfgc_destroy(c);
		return -ENOMEM;
	}
	return 0;
}

void vtd_cfgc_destroy(struct vtd_cfg_cache *c)
{
	ufd_free(c->ent);
	ufd_free(c->victim);
	ufd_free(c->seq);
	memset(c, 0, sizeof(*c));
}

bool vtd_cfg_lookup(struct vtd_cfg_cache *c, uint64_t key, struct vtd_cfg *out)
{
	unsigned int set = vtd_hash(key, c->sets_lg2);
	struct vtd_cfg *e = &c->ent[(size_t)set * c->ways];
	unsigned int i;
	bool hit;
	uint32_t s;

	do {
		s = ufd_seq_begin(&c->seq[set]);
		hit = false;
		for (i = 0; i < c->ways; i++) {
			if (ufd_seq_load(&e[i].key) != key)
				continue;
			out->key = key;
			out->hot = ufd_seq_load(&e[i].hot);
			out->ssptr = ufd_seq_load(&e[i].ssptr);
			out->fsptr = ufd_seq_load(&e[i].fsptr);
			hit = true;
			break;
		}
	} while (ufd_seq_retry(&c->seq[set], s));
	return hit;
}

static bool cfgc_insert(struct vtd *vtd, const struct vtd_cfg *cfg,
			uint64_t gen)
{
	struct vtd_cfg_cache *c = &vtd->cfgc;
	unsigned int set = vtd_hash(cfg->key, c->sets_lg2);
	struct vtd_cfg *e = &c->ent[(size_t)set * c->ways];
	unsigned int i, way = c->ways;
	bool filled = false;

	ufd_seq_lock(&c->seq[set]);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) != gen)
		goto out_unlock;
	for (i = 0; i < c->ways; i++) {
		uint64_t k = vtd_load(&e[i].key);

		if (k == cfg->key) {
			way = i;
			break;
		}
		if (!k && way == c->ways)
			way = i;
	}
	if (way == c->ways) {
		way = c->victim[set] % c->ways;
		c->victim[set] = way + 1;
	}
	ufd_seq_store(&e[way].key, cfg->key);
	ufd_seq_store(&e[way].hot, cfg->hot);
	ufd_seq_store(&e[way].ssptr, cfg->ssptr);
	ufd_seq_store(&e[way].fsptr, cfg->fsptr);
	filled = true;
out_unlock:
	ufd_seq_unlock(&c->seq[set]);
	return filled;
}

static bool inval_match(const struct vtd_cfg *e,
			const struct vtd_cfg_inval *inv)
{
	uint64_t key = vtd_load(&e->key), hot;

	if (!key)
		return false;
	if (inv->all)
		return true;
	if (inv->by_sid) {
		uint16_t sid = (uint16_t)vtd_fget(key, VTD_KEY_SID);

		return (sid & ~inv->sid_mask) == (inv->sid & ~inv->sid_mask);
	}
	hot = vtd_load(&e->hot);
	if (inv->by_did && vtd_fget(hot, VTD_HOT_DID) != inv->did)
		return false;
	if (inv->by_pasid && vtd_fget(hot, VTD_HOT_PASID) != inv->pasid)
		return false;
	return inv->by_did;
}

void vtd_cfgc_invalidate(struct vtd_cfg_cache *c,
			 const struct vtd_cfg_inval *inv)
{
	size_t sets = (size_t)1 << c->sets_lg2, set;
	unsigned int i;

	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
	for (set = 0; set < sets; set++) {
		struct vtd_cfg *e = &c->ent[set * c->ways];

		ufd_seq_lock(&c->seq[set]);
		for (i = 0; i < c->ways; i++)
			if (inval_match(&e[i], inv))
				ufd_seq_store(&e[i].key, 0);
		ufd_seq_unlock(&c->seq[set]);
	}
	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
}

static int cfg_fail(struct vtd_fault *f, uint8_t reason, bool fpd)
{
	f->reason = reason;
	f->fpd = fpd;
	return -EFAULT;
}

/* Checks a present PASID table entry against what the unit implements. */
static uint8_t pe_check(struct vtd *vtd, const uint64_t pe[8])
{
	const struct vtd_config *c = &vtd->cfg;
	unsigned int pgtt = vtd_dget(pe, VTD_PE_PGTT);
	unsigned int aw = vtd_dget(pe, VTD_PE_AW);
	bool ss, fs;

	if ((pe[1] & VTD_PE_RSVD1) || (pe[2] & VTD_PE_RSVD2) || pe[4] ||
	    pe[5] || pe[6] || pe[7])
		return VTD_FR_SM_PTE_RSVD;
	switch (pgtt) {
	case VTD_PGTT_FS:
		if (!c->fs)
			return VTD_FR_SM_PTE_INV;
		break;
	case VTD_PGTT_SS:
		if (!c->ss)
			return VTD_FR_SM_PTE_INV;
		break;
	case VTD_PGTT_NESTED:
		if (!c->nest)
			return VTD_FR_SM_PTE_INV;
		break;
	case VTD_PGTT_PT:
		if (!c->pt)
			return VTD_FR_SM_PTE_INV;
		break;
	default:
		return VTD_FR_SM_PTE_INV;
	}
	ss = pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED;
	fs = pgtt == VTD_PGTT_FS || pgtt == VTD_PGTT_NESTED;
	if (ss) {
		if (aw != VTD_AW_48 && !(aw == VTD_AW_57 && c->ss_5lvl))
			return VTD_FR_SM_PTE_INV;
		if (vtd_dget(pe, VTD_PE_SSADE) && !c->ssad)
			return VTD_FR_SM_PTE_INV;
	}
	if (fs) {
		unsigned int fspm = vtd_dget(pe, VTD_PE_FSPM);

		if (fspm != VTD_FSPM_4LVL &&
		    !(fspm == VTD_FSPM_5LVL && c->fs_5lvl))
			return VTD_FR_SM_PTE_INV;
	}
	if (vtd_dget(pe, VTD_PE_SRE) && !c->sre)
		return VTD_FR_SM_PTE_RSVD;
	if (vtd_dget(pe, VTD_PE_ERE) && !c->ere)
		return VTD_FR_SM_PTE_RSVD;
	return 0;
}

/* Reads and decodes the tables for (sid, pasid) into @cfg. */
static int cfg_fetch(struct vtd *vtd, uint64_t root, uint16_t sid,
		     uint32_t pasid, struct vtd_cfg *cfg, struct vtd_fault *f)
{
	uint64_t rta = vtd_fget(root, VTD_RTADDR_RTA) << 12;
	unsigned int devfn = sid & 0xff, pdts, pgtt;
	uint64_t re[2], ce[4], pde, pe[8], ctp, pa;
	bool upper = devfn >= 128, fpd;
	uint8_t reason;

	if (vtd_read_words(vtd, rta + (uint64_t)(sid >> 8) * 16, re, 2))
		return cfg_fail(f, VTD_FR_SM_ROOT_ACCESS, false);
	if (!(upper ? vtd_dget(re, VTD_SM_ROOT_UP)
		    : vtd_dget(re, VTD_SM_ROOT_LP)))
		return cfg_fail(f, VTD_FR_SM_ROOT_P, false);
	if ((re[upper] & VTD_SM_ROOT_RSVD0))
		return cfg_fail(f, VTD_FR_SM_ROOT_RSVD, false);
	ctp = (upper ? vtd_dget(re, VTD_SM_ROOT_UCTP)
		     : vtd_dget(re, VTD_SM_ROOT_LCTP))
	      << 12;
	if (vtd_read_words(vtd, ctp + (uint64_t)(devfn & 0x7f) * 32, ce, 4))
		return cfg_fail(f, VTD_FR_SM_CTX_ACCESS, false);
	fpd = vtd_dget(ce, VTD_SM_CTX_FPD);
	if (!vtd_dget(ce, VTD_SM_CTX_P))
		return cfg_fail(f, VTD_FR_SM_CTX_P, fpd);
	if ((ce[0] & VTD_SM_CTX_RSVD0) || (ce[1] & VTD_SM_CTX_RSVD1) || ce[2] ||
	    ce[3])
		return cfg_fail(f, VTD_FR_SM_CTX_RSVD, fpd);
	if (vtd_dget(ce, VTD_SM_CTX_DTE) && !vtd->cfg.dt)
		return cfg_fail(f, VTD_FR_SM_CTX_INV, fpd);
	if (pasid == VTD_NO_PASID) {
		pasid = (uint32_t)vtd_dget(ce, VTD_SM_CTX_RID_PASID);
	} else if (!vtd_dget(ce, VTD_SM_CTX_PASIDE)) {
		return cfg_fail(f, VTD_FR_SM_CTX_PASIDE, fpd);
	}
	pdts = vtd_dget(ce, VTD_SM_CTX_PDTS);
	if (pasid >> vtd->cfg.pasid_bits ||
	    (pasid >> VTD_PASID_DIR_SHIFT) >= (1u << (pdts + 7)))
		return cfg_fail(f, VTD_FR_SM_CTX_PASID_MAX, fpd);

	pa = (vtd_dget(ce, VTD_SM_CTX_PASIDDIRPTR) << 12) +
	     (uint64_t)(pasid >> VTD_PASID_DIR_SHIFT) * 8;
	if (vtd_read_words(vtd, pa, &pde, 1))
		return cfg_fail(f, VTD_FR_SM_PDE_ACCESS, fpd);
	fpd |= vtd_fget(pde, VTD_PDE_FPD);
	if (!vtd_fget(pde, VTD_PDE_P))
		return cfg_fail(f, VTD_FR_SM_PDE_P, fpd);
	if (pde & VTD_PDE_RSVD)
		return cfg_fail(f, VTD_FR_SM_PDE_RSVD, fpd);

	pa = (vtd_fget(pde, VTD_PDE_SMPTBLPTR) << 12) +
	     (uint64_t)(pasid & (VTD_PASID_TBL_ENTRIES - 1)) *
		     VTD_PASID_ENTRY_SIZE;
	if (vtd_read_words(vtd, pa, pe, 8))
		return cfg_fail(f, VTD_FR_SM_PTE_ACCESS, fpd);
	fpd |= vtd_dget(pe, VTD_PE_FPD);
	if (!vtd_dget(pe, VTD_PE_P))
		return cfg_fail(f, VTD_FR_SM_PTE_P, fpd);
	reason = pe_check(vtd, pe);
	if (reason)
		return cfg_fail(f, reason, fpd);

	pgtt = vtd_dget(pe, VTD_PE_PGTT);
	cfg->ssptr = vtd_dget(pe, VTD_PE_SSPTPTR) << 12;
	cfg->fsptr = vtd_dget(pe, VTD_PE_FSPTPTR) << 12;
	cfg->hot =
		vtd_fprep(VTD_HOT_PGTT, pgtt) |
		vtd_fprep(VTD_HOT_AW, vtd_dget(pe, VTD_PE_AW)) |
		vtd_fprep(VTD_HOT_FSPM, vtd_dget(pe, VTD_PE_FSPM)) |
		vtd_fprep(VTD_HOT_SSADE, vtd_dget(pe, VTD_PE_SSADE)) |
		vtd_fprep(VTD_HOT_SRE, vtd_dget(pe, VTD_PE_SRE)) |
		vtd_fprep(VTD_HOT_ERE, vtd_dget(pe, VTD_PE_ERE)) |
		vtd_fprep(VTD_HOT_WPE, vtd_dget(pe, VTD_PE_WPE)) |
		vtd_fprep(VTD_HOT_FPD, fpd) |
		vtd_fprep(VTD_HOT_DTE, vtd_dget(ce, VTD_SM_CTX_DTE)) |
		vtd_fprep(VTD_HOT_PRE, vtd_dget(ce, VTD_SM_CTX_PRE)) |
		vtd_fprep(VTD_HOT_RID_PRIV, vtd_dget(ce, VTD_SM_CTX_RID_PRIV)) |
		vtd_fprep(VTD_HOT_DID, vtd_dget(pe, VTD_PE_DID)) |
		vtd_fprep(VTD_HOT_PASID, pasid);
	return 0;
}

int vtd_cfg_get(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		struct vtd_cfg *cfg, struct vtd_fault *fault)
{
	uint64_t key = vtd_cfg_key(sid, pasid);
	uint64_t gen, root;
	int ret;

	if (vtd_cfg_lookup(&vtd->cfgc, key, cfg))
		return 0;
	gen = __atomic_load_n(&vtd->cfgc.gen, __ATOMIC_SEQ_CST);
	root = vtd_load_acquire(&vtd->root);
	ret = cfg_fetch(vtd, root, sid, pasid, cfg, fault);
	if (ret)
		return ret;
	cfg->key = key;
	/* An odd generation: an invalidation is running, do not cache. */
	/* One fill holds a context entry and a PASID entry: count both. */
	if (!(gen & 1) && cfgc_insert(vtd, cfg, gen)) {
		vtd_inc(&vtd->stats.ctx_fills);
		vtd_inc(&vtd->stats.pasid_fills);
	}
	return 0;
}
