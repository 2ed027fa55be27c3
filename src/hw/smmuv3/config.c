// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 configuration: the stream table walk, STE and CD fetch and decode,
 * and the configuration cache.
 *
 * A transaction's configuration is its StreamID's STE (5.2) and, when stage
 * 1 translates, the CD its SubstreamID selects (5.4), fetched from the CD
 * table the STE points at -- through stage 2 when the STE nests. Everything
 * in those structures is guest-controlled and hostile: every field is
 * checked against what the model implements, an ILLEGAL combination is
 * C_BAD_STE or C_BAD_CD, a SubstreamID out of range is C_BAD_SUBSTREAMID, a
 * StreamID beyond the stream table is C_BAD_STREAMID (recorded only when
 * CR2.RECINVSID), and an address memory refuses is F_STE_FETCH or
 * F_CD_FETCH (or a stage 2 fault of class CD when nested). Nothing read from
 * memory is ever dereferenced except through the memory ops.
 *
 * The configuration cache holds decoded (STE, CD) pairs keyed by
 * (StreamID, SSV, SubstreamID). It keeps them until CMD_CFGI_* removes
 * them, so a changed STE or CD takes effect only after its invalidation, as
 * on hardware. CFGI_CD also drops the STE half of an entry; the
 * architecture allows that over-invalidation. Errors are never cached.
 *
 * Invariants: a fill that began before an invalidation is not inserted
 * (the cache generation), so after CFGI + CMD_SYNC no cached entry predates
 * the invalidation; replacement is per set (round robin), never a flush.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/overflow.h"
#include "hw/smmuv3/smmuv3_priv.h"

int smmu_cfgc_init(struct smmu_cfg_cache *c, unsigned int sets_lg2,
		   unsigned int ways)
{
	size_t sets = (size_t)1 << sets_lg2;

	c->sets_lg2 = sets_lg2;
	c->ways = ways;
	c->gen = 0;
	c->seq = ufd_calloc(sets, sizeof(*c->seq));
	if (!c->seq)
		goto out_err;
	c->victim = ufd_calloc(sets, sizeof(*c->victim));
	if (!c->victim)
		goto out_free_seq;
	c->ent = ufd_calloc(sets * ways, sizeof(*c->ent));
	if (!c->ent)
		goto out_free_victim;
	return 0;

out_free_victim:
	ufd_free(c->victim);
out_free_seq:
	ufd_free(c->seq);
out_err:
	return -ENOMEM;
}

void smmu_cfgc_destroy(struct smmu_cfg_cache *c)
{
	ufd_free(c->ent);
	ufd_free(c->victim);
	ufd_free(c->seq);
}

/*
 * Entries are copied word by word with atomics: readers race writers.
 * Inline, so that each caller's constant @nwords makes both copies plain
 * moves (a variable length became a string copy with its start-up cost).
 */
static __always_inline void cfg_load(const struct smmu_cfg *e,
				     struct smmu_cfg *out, unsigned int nwords)
{
	const uint64_t *src = (const uint64_t *)(const void *)e;
	uint64_t w[SMMU_CFG_WORDS];
	unsigned int i;

#pragma GCC unroll 32
	for (i = 0; i < nwords; i++)
		w[i] = ufd_seq_load(&src[i]);
	memcpy(out, w, nwords * sizeof(uint64_t));
}

static void cfg_store(struct smmu_cfg *e, const struct smmu_cfg *in)
{
	uint64_t *dst = (uint64_t *)(void *)e;
	uint64_t w[SMMU_CFG_WORDS];
	unsigned int i;

	memcpy(w, in, sizeof(w));
	for (i = 0; i < SMMU_CFG_WORDS; i++)
		ufd_seq_store(&dst[i], w[i]);
}

/* Lookup: key and hot words, or the whole entry when @full. */
static bool cfgc_lookup(struct smmu_cfg_cache *c, uint64_t key, bool full,
			struct smmu_cfg *out)
{
	unsigned int set = smmu_hash(key, c->sets_lg2);
	struct smmu_cfg *e = &c->ent[(size_t)set * c->ways];
	unsigned int i;
	uint32_t s;
	bool hit;

	do {
		s = ufd_seq_begin(&c->seq[set]);
		hit = false;
		for (i = 0; i < c->ways; i++) {
			if (ufd_seq_load(&e[i].key) != key)
				continue;
			if (full)
				cfg_load(&e[i], out, SMMU_CFG_WORDS);
			else
				cfg_load(&e[i], out, 2);
			hit = true;
			break;
		}
	} while (ufd_seq_retry(&c->seq[set], s));
	/* A torn read is retried above; the key re-check catches reuse. */
	return hit && out->key == key;
}

static bool cfgc_insert(struct smmu_cfg_cache *c, const struct smmu_cfg *cfg,
			uint64_t gen)
{
	unsigned int set = smmu_hash(cfg->key, c->sets_lg2);
	struct smmu_cfg *e = &c->ent[(size_t)set * c->ways];
	unsigned int i, way = c->ways;
	bool evicted = false;

	ufd_seq_lock(&c->seq[set]);
	/* An invalidation since the fetch began may have covered it. */
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) != gen)
		goto out_unlock;
	for (i = 0; i < c->ways; i++) {
		uint64_t k = smmu_load(&e[i].key);

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
		evicted = true;
	}
	cfg_store(&e[way], cfg);
out_unlock:
	ufd_seq_unlock(&c->seq[set]);
	return evicted;
}

/* Drops every entry @match accepts. */
static void cfgc_inval(struct smmu_cfg_cache *c,
		       bool (*match)(const struct smmu_cfg *e, const void *arg),
		       const void *arg)
{
	size_t sets = (size_t)1 << c->sets_lg2;
	struct smmu_cfg tmp;
	size_t set;
	unsigned int i;

	/*
	 * Odd while running. Pairs with the check in cfgc_insert() (fills
	 * that straddle it are void) and with the translation micro-TLB.
	 */
	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
	for (set = 0; set < sets; set++) {
		struct smmu_cfg *e = &c->ent[set * c->ways];

		ufd_seq_lock(&c->seq[set]);
		for (i = 0; i < c->ways; i++) {
			if (!smmu_load(&e[i].key))
				continue;
			cfg_load(&e[i], &tmp, SMMU_CFG_WORDS);
			if (match(&tmp, arg))
				ufd_seq_store(&e[i].key, 0);
		}
		ufd_seq_unlock(&c->seq[set]);
	}
	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
}

struct sid_range {
	uint32_t first, last;
};

static bool match_sids(const struct smmu_cfg *e, const void *arg)
{
	const struct sid_range *r = arg;
	uint32_t sid = (uint32_t)smmu_fget(e->key, SMMU_KEY_SID);

	return sid >= r->first && sid <= r->last;
}

void smmu_cfgc_inval_sids(struct smmuv3 *smmu, uint32_t first, uint32_t last)
{
	struct sid_range r = { first, last };

	cfgc_inval(&smmu->cfgc, match_sids, &r);
}

struct cd_match {
	uint32_t sid;
	uint32_t cd_index;
	bool all;
};

static bool match_cd(const struct smmu_cfg *e, const void *arg)
{
	const struct cd_match *m = arg;

	if (smmu_fget(e->key, SMMU_KEY_SID) != m->sid)
		return false;
	if (!(e->flags & SMMU_CF_SSID_CD))
		return false;
	return m->all || e->cd_index == m->cd_index;
}

void smmu_cfgc_inval_cd(struct smmuv3 *smmu, uint32_t sid, uint32_t cd_index,
			bool all)
{
	struct cd_match m = { sid, cd_index, all };

	cfgc_inval(&smmu->cfgc, match_cd, &m);
}

/* --- fetch --- */

static void fault_set(struct smmu_fault *f, uint8_t event)
{
	memset(f, 0, sizeof(*f));
	f->event = event;
}

static void fault_fetch(struct smmu_fault *f, uint8_t event, uint64_t addr)
{
	fault_set(f, event);
	f->has_fetch = true;
	f->fetch = addr;
}

int smmu_read_words(struct smmuv3 *smmu, uint64_t pa, uint64_t *w,
		    unsigned int n)
{
	const uint64_t *p;
	unsigned int i;

	if ((pa & 7) || !n)
		return -EFAULT;
	p = smmu_map(smmu, pa, (size_t)n * 8, false);
	if (!p)
		return -EFAULT;
	/* Software may be rewriting the structure: whole-word loads. */
	for (i = 0; i < n; i++)
		w[i] = __atomic_load_n(&p[i], __ATOMIC_ACQUIRE);
	return 0;
}

int smmu_write_words(struct smmuv3 *smmu, uint64_t pa, const uint64_t *w,
		     unsigned int n)
{
	uint64_t *p;
	unsigned int i;

	if ((pa & 7) || !n)
		return -EFAULT;
	p = smmu_map(smmu, pa, (size_t)n * 8, true);
	if (!p)
		return -EFAULT;
	for (i = 0; i < n; i++)
		__atomic_store_n(&p[i], w[i], __ATOMIC_RELEASE);
	return 0;
}

static int bad_streamid(struct smmu_fault *f)
{
	fault_set(f, SMMU_EVT_C_BAD_STREAMID);
	return -EFAULT;
}

/*
 * The STE of @sid (6.3.24, 3.3.2): linear, or through a level-1 descriptor.
 * Fills @fault with C_BAD_STREAMID or F_STE_FETCH on failure.
 */
int smmu_ste_fetch(struct smmuv3 *smmu, uint32_t sid, uint64_t ste[8],
		   struct smmu_fault *fault)
{
	uint64_t base =
		smmu_fget(smmu_load(&smmu->strtab_base), SMMU_STRTAB_BASE_ADDR)
		<< 6;
	uint32_t cfg = smmu_load(&smmu->strtab_cfg);
	unsigned int log2size = smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_LOG2SIZE);
	unsigned int fmt = smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_FMT);
	uint64_t addr;

	/* LOG2SIZE beyond SIDSIZE is capped to it (6.3.25). */
	if (log2size > smmu->cfg.sid_bits)
		log2size = smmu->cfg.sid_bits;
	if ((uint64_t)sid >> log2size)
		return bad_streamid(fault);

	if (fmt == SMMU_STRTAB_FMT_2LVL && smmu->cfg.st_2lvl) {
		unsigned int split = smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_SPLIT);
		unsigned int l1_lg2, span;
		uint64_t l1, l2;

		/* Only 6, 8 and 10 are architected; others reach nothing. */
		if (split != 6 && split != 8 && split != 10)
			return bad_streamid(fault);
		l1_lg2 = log2size > split ? log2size - split : 0;
		/* The L1 table is aligned to its size, at least 64 bytes. */
		base &= ~smmu_mask(ufd_max(l1_lg2 + 3, 6u));
		addr = base + 8ull * ((uint64_t)sid >> split);
		if (smmu_read_words(smmu, addr, &l1, 1)) {
			fault_fetch(fault, SMMU_EVT_F_STE_FETCH, addr);
			return -EFAULT;
		}
		span = smmu_dget(&l1, SMMU_L1STD_SPAN);
		/* SPAN 0 is invalid; above SPLIT + 1 it is reserved. */
		if (!span || span > split + 1)
			return bad_streamid(fault);
		if ((sid & smmu_mask(split)) >> (span - 1))
			return bad_streamid(fault);
		l2 = smmu_dget(&l1, SMMU_L1STD_L2PTR) << 6;
		l2 &= ~smmu_mask(span - 1 + 6);
		addr = l2 + 64ull * (sid & smmu_mask(split));
	} else {
		/* Linear, aligned to the table size (FMT 0b1x: reserved). */
		base &= ~smmu_mask(log2size + 6);
		addr = base + 64ull * sid;
	}
	if (smmu_read_words(smmu, addr, ste, SMMU_STE_DWORDS)) {
		fault_fetch(fault, SMMU_EVT_F_STE_FETCH, addr);
		return -EFAULT;
	}
	return 0;
}

/* --- decode --- */

static int bad_ste(struct smmu_fault *f)
{
	fault_set(f, SMMU_EVT_C_BAD_STE);
	return -EFAULT;
}

static int bad_cd(struct smmu_fault *f)
{
	fault_set(f, SMMU_EVT_C_BAD_CD);
	return -EFAULT;
}

static int bad_substream(struct smmu_fault *f, uint32_t ssid)
{
	fault_set(f, SMMU_EVT_C_BAD_SUBSTREAMID);
	f->ssid_valid = true;
	f->ssid = ssid;
	return -EFAULT;
}

static int stream_disabled(struct smmu_fault *f)
{
	fault_set(f, SMMU_EVT_F_STREAM_DISABLED);
	return -EFAULT;
}

static bool gran_ok(struct smmuv3 *smmu, unsigned int g)
{
	return (g == 12 && smmu->cfg.gran_4k) ||
	       (g == 14 && smmu->cfg.gran_16k) ||
	       (g == 16 && smmu->cfg.gran_64k);
}

/* Stage-1 walks of a nested stream read tables through stage 2. */
static void *nested_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct smmu_s2_access *acc = priv;

	return smmu_s2_map(acc, pa, len, write, SMMU_EVT_F_WALK_EABT);
}

static const struct pt_mem_ops smmu_nested_ops = {
	.map = nested_map,
};

/*
 * A walk context for a translation table at @ttb, which the SMMU aligns to
 * the size of its starting table (the TTB's low bits are treated as zero).
 */
static int walk_ctx(struct smmuv3 *smmu, struct pt_walk_ctx *ctx,
		    enum pt_format fmt, unsigned int g, unsigned int ias,
		    unsigned int oas, unsigned int levels, uint64_t ttb,
		    bool nested)
{
	struct pt_cfg cfg = {
		.fmt = fmt,
		.granule_lg2 = g,
		.ias = ias,
		.oas = oas,
		.levels = levels,
		.mem = nested ? &smmu_nested_ops : smmu->cfg.mem,
		.mem_priv = nested ? NULL : smmu->cfg.mem_priv,
		.mem_window = nested ? NULL : smmu->cfg.mem_window,
	};
	int ret;

	ret = pt_walk_ctx_init(ctx, &cfg, 0);
	if (ret)
		return ret;
	ttb &= ~smmu_mask(ctx->cfg_top_bits + 3);
	return pt_walk_ctx_init(ctx, &cfg, ttb);
}

/* Stage 2 fields of an STE (5.2), checked as the architecture says. */
static int decode_s2(struct smmuv3 *smmu, const uint64_t *ste,
		     struct smmu_cfg *cfg, struct smmu_fault *fault)
{
	unsigned int t0sz = smmu_dget(ste, SMMU_STE_S2T0SZ);
	unsigned int sl0 = smmu_dget(ste, SMMU_STE_S2SL0);
	unsigned int tg = smmu_dget(ste, SMMU_STE_S2TG);
	unsigned int ps = smmu_ps_bits(smmu_dget(ste, SMMU_STE_S2PS));
	uint64_t ttb = smmu_dget(ste, SMMU_STE_S2TTB) << 4;
	unsigned int g, start, ias;
	bool ha = smmu_dget(ste, SMMU_STE_S2HA);
	bool hd = smmu_dget(ste, SMMU_STE_S2HD);

	if (!smmu_dget(ste, SMMU_STE_S2AA64) || smmu_dget(ste, SMMU_STE_S2ENDI))
		return bad_ste(fault);
	if (tg == SMMU_S2TG_4K)
		g = 12;
	else if (tg == SMMU_S2TG_16K)
		g = 14;
	else if (tg == SMMU_S2TG_64K)
		g = 16;
	else
		return bad_ste(fault);
	if (!gran_ok(smmu, g))
		return bad_ste(fault);
	/* IAS == OAS in an implementation without AArch32 tables. */
	if (t0sz < 64 - smmu->oas || t0sz > 39)
		return bad_ste(fault);
	ias = 64 - t0sz;
	/* S2SL0 (VTCR_EL2.SL0): 4K counts from level 2, others level 3. */
	if (sl0 == 3)
		return bad_ste(fault);
	start = (g == 12 ? 2 : 3) - sl0;
	if (ps > smmu->oas)
		ps = smmu->oas;
	if ((ha && smmu->cfg.httu == SMMU_HTTU_NONE) ||
	    (hd && smmu->cfg.httu != SMMU_HTTU_AD))
		return bad_ste(fault);
	if (smmu_dget(ste, SMMU_STE_S2S) && !smmu->cfg.stall)
		return bad_ste(fault);
	if (ttb >> ps || (g < 16 && ttb >> 48))
		return bad_ste(fault);
	/* A start level inconsistent with S2T0SZ is refused by the walker. */
	if (walk_ctx(smmu, &cfg->s2, PT_FMT_ARM_S2, g, ias, ps, 4 - start, ttb,
		     false))
		return bad_ste(fault);
	if (ha) {
		cfg->flags |= SMMU_CF_S2_HA;
		if (hd)
			cfg->flags |= SMMU_CF_S2_HD;
	}
	if (smmu_dget(ste, SMMU_STE_S2AFFD))
		cfg->flags |= SMMU_CF_S2_AFFD;
	if (smmu_dget(ste, SMMU_STE_S2R))
		cfg->flags |= SMMU_CF_S2_R;
	if (smmu_dget(ste, SMMU_STE_S2S))
		cfg->flags |= SMMU_CF_S2_S;
	if (smmu_dget(ste, SMMU_STE_S2PTW))
		cfg->flags |= SMMU_CF_S2_PTW;
	return 0;
}

/* CD.TG0 and CD.TG1 as granule sizes (lg2); 0 for reserved values. */
static unsigned int tg0_granule(unsigned int tg)
{
	switch (tg) {
	case SMMU_TG0_4K:
		return 12;
	case SMMU_TG0_16K:
		return 14;
	case SMMU_TG0_64K:
		return 16;
	default:
		return 0;
	}
}

static unsigned int tg1_granule(unsigned int tg)
{
	switch (tg) {
	case SMMU_TG1_4K:
		return 12;
	case SMMU_TG1_16K:
		return 14;
	case SMMU_TG1_64K:
		return 16;
	default:
		return 0;
	}
}

/* One translation table region of a CD: TTB0 (r = 0) or TTB1. */
static int decode_region(struct smmuv3 *smmu, const uint64_t *cd,
			 unsigned int r, unsigned int ips, bool nested,
			 struct smmu_cfg *cfg, struct smmu_fault *fault)
{
	unsigned int tsz = r ? smmu_dget(cd, SMMU_CD_T1SZ)
			     : smmu_dget(cd, SMMU_CD_T0SZ);
	unsigned int tg = r ? smmu_dget(cd, SMMU_CD_TG1)
			    : smmu_dget(cd, SMMU_CD_TG0);
	uint64_t ttb =
		(r ? smmu_dget(cd, SMMU_CD_TTB1) : smmu_dget(cd, SMMU_CD_TTB0))
		<< 4;
	unsigned int g = r ? tg1_granule(tg) : tg0_granule(tg);

	if (!g || !gran_ok(smmu, g))
		return bad_cd(fault);
	/* 48-bit VAs (IDR5.VAX == 0), no small translation tables. */
	if (tsz < 16 || tsz > 39)
		return bad_cd(fault);
	if (ttb >> ips || (g < 16 && ttb >> 48))
		return bad_cd(fault);
	cfg->s1_ias[r] = (uint8_t)(64 - tsz);
	if (walk_ctx(smmu, &cfg->s1[r], PT_FMT_ARM_S1, g, 64 - tsz, ips, 0, ttb,
		     nested))
		return bad_cd(fault);
	return 0;
}

/* A CD (5.4) reached from a valid stage-1 STE. */
static int decode_cd(struct smmuv3 *smmu, const uint64_t *ste,
		     const uint64_t *cd, bool nested, struct smmu_cfg *cfg,
		     struct smmu_fault *fault)
{
	unsigned int ips = smmu_ps_bits(smmu_dget(cd, SMMU_CD_IPS));
	bool epd0 = smmu_dget(cd, SMMU_CD_EPD0);
	bool epd1 = smmu_dget(cd, SMMU_CD_EPD1);
	bool ha = smmu_dget(cd, SMMU_CD_HA);
	bool hd = smmu_dget(cd, SMMU_CD_HD);
	bool s = smmu_dget(cd, SMMU_CD_S);
	int ret;

	if (!smmu_dget(cd, SMMU_CD_V))
		return bad_cd(fault);
	/* Only VMSAv8-64, little-endian tables are implemented. */
	if (!smmu_dget(cd, SMMU_CD_AA64))
		return bad_cd(fault);
	if ((!epd0 || !epd1) && smmu_dget(cd, SMMU_CD_ENDI))
		return bad_cd(fault);
	if ((ha && smmu->cfg.httu == SMMU_HTTU_NONE) ||
	    (hd && smmu->cfg.httu != SMMU_HTTU_AD))
		return bad_cd(fault);
	if (s && (!smmu->cfg.stall || smmu_dget(ste, SMMU_STE_S1STALLD)))
		return bad_cd(fault);
	if (ips > smmu->oas)
		ips = smmu->oas;
	if (!epd0) {
		ret = decode_region(smmu, cd, 0, ips, nested, cfg, fault);
		if (ret)
			return ret;
	} else {
		cfg->flags |= SMMU_CF_EPD0;
	}
	if (!epd1) {
		ret = decode_region(smmu, cd, 1, ips, nested, cfg, fault);
		if (ret)
			return ret;
	} else {
		cfg->flags |= SMMU_CF_EPD1;
	}
	/* {HD, HA} = {1, 0} is reserved and behaves as no update. */
	if (ha) {
		cfg->flags |= SMMU_CF_S1_HA;
		if (hd)
			cfg->flags |= SMMU_CF_S1_HD;
	}
	if (smmu_dget(cd, SMMU_CD_AFFD))
		cfg->flags |= SMMU_CF_S1_AFFD;
	if (smmu_dget(cd, SMMU_CD_R))
		cfg->flags |= SMMU_CF_S1_R;
	if (smmu_dget(cd, SMMU_CD_A))
		cfg->flags |= SMMU_CF_S1_A;
	if (s)
		cfg->flags |= SMMU_CF_S1_S;
	if (smmu_dget(cd, SMMU_CD_WXN))
		cfg->flags |= SMMU_CF_WXN;
	if (smmu_dget(cd, SMMU_CD_PAN))
		cfg->flags |= SMMU_CF_PAN;
	if (smmu_dget(cd, SMMU_CD_TBI0))
		cfg->flags |= SMMU_CF_TBI0;
	if (smmu_dget(cd, SMMU_CD_TBI1))
		cfg->flags |= SMMU_CF_TBI1;
	cfg->hot |= smmu_fprep(SMMU_HOT_ASID, smmu_dget(cd, SMMU_CD_ASID)) |
		    smmu_fprep(SMMU_HOT_TBI0, smmu_dget(cd, SMMU_CD_TBI0)) |
		    smmu_fprep(SMMU_HOT_TBI1, smmu_dget(cd, SMMU_CD_TBI1));
	return 0;
}

/*
 * Reads @n words at @addr of a CD table: a physical address, or an IPA
 * translated by stage 2 (class CD) for a nested stream.
 */
static int cd_read(struct smmuv3 *smmu, struct smmu_cfg *cfg, bool nested,
		   uint64_t addr, uint64_t *w, unsigned int n,
		   struct smmu_fault *fault)
{
	struct smmu_s2_access acc;
	const uint64_t *p;
	unsigned int i;

	smmu_s2_access_init(&acc, smmu, &cfg->s2, cfg->flags, SMMU_CLASS_CD,
			    fault);

	if (!nested) {
		if (smmu_read_words(smmu, addr, w, n)) {
			fault_fetch(fault, SMMU_EVT_F_CD_FETCH, addr);
			return -EFAULT;
		}
		return 0;
	}
	/* 8-byte aligned and at most 64 bytes: never crosses a page. */
	p = smmu_s2_map(&acc, addr, (size_t)n * 8, false, SMMU_EVT_F_CD_FETCH);
	if (!p)
		return -EFAULT;
	for (i = 0; i < n; i++)
		w[i] = __atomic_load_n(&p[i], __ATOMIC_ACQUIRE);
	return 0;
}

/*
 * The CD at index @idx of the table the STE describes (5.2 S1Fmt): linear,
 * or a level-1 table of L1CDs pointing at 4 KiB (64 CDs) or 64 KiB (1024
 * CDs) leaf tables.
 */
static int cd_fetch(struct smmuv3 *smmu, const uint64_t *ste,
		    struct smmu_cfg *cfg, bool nested, unsigned int cdmax,
		    uint32_t idx, uint64_t *cd, struct smmu_fault *fault)
{
	uint64_t ptr = smmu_dget(ste, SMMU_STE_S1CTXPTR) << 6;
	unsigned int fmt = smmu_dget(ste, SMMU_STE_S1FMT);
	uint64_t addr, l1, l2;
	unsigned int split;
	int ret;

	if (fmt == 3)
		fmt = SMMU_S1FMT_LINEAR; /* reserved, behaves as linear */
	if (!cdmax) {
		addr = ptr;
	} else if (fmt == SMMU_S1FMT_LINEAR) {
		addr = (ptr & ~smmu_mask(cdmax + 6)) + 64ull * idx;
	} else {
		split = fmt == SMMU_S1FMT_4K_L2 ? 6 : 10;
		if (cdmax > split)
			ptr &= ~smmu_mask(ufd_max(cdmax - split + 3, 6u));
		addr = ptr + 8ull * (idx >> split);
		ret = cd_read(smmu, cfg, nested, addr, &l1, 1, fault);
		if (ret)
			return ret;
		if (!smmu_dget(&l1, SMMU_L1CD_V))
			return bad_substream(fault, idx);
		l2 = smmu_dget(&l1, SMMU_L1CD_L2PTR) << 12;
		if (fmt == SMMU_S1FMT_64K_L2)
			l2 &= ~smmu_mask(16);
		/* An L2Ptr beyond the address space is C_BAD_SUBSTREAMID. */
		if (l2 >> (nested ? cfg->s2.ias : smmu->oas))
			return bad_substream(fault, idx);
		addr = l2 + 64ull * (idx & smmu_mask(split));
	}
	return cd_read(smmu, cfg, nested, addr, cd, SMMU_CD_DWORDS, fault);
}

/*
 * What the miss path of a configuration whose stage 1 translates reads
 * instead of working it out each time (smmu_cfg.s1_va_mask and the rest).
 */
static void derive_s1(struct smmu_cfg *cfg, bool nested)
{
	uint64_t tag =
		smmu_tlb_want(nested ? SMMU_TLB_S12 : SMMU_TLB_S1,
			      (uint16_t)smmu_fget(cfg->hot, SMMU_HOT_VMID),
			      false, 0) |
		smmu_fprep(SMMU_TLB_ASID, smmu_fget(cfg->hot, SMMU_HOT_ASID));
	unsigned int r;

	if (nested)
		tag |= smmu_fprep(SMMU_TLB_S2_TG,
				  smmu_tg_code(cfg->s2.granule_lg2));
	for (r = 0; r < 2; r++) {
		bool tbi = cfg->flags & (r ? SMMU_CF_TBI1 : SMMU_CF_TBI0);
		uint64_t m = smmu_mask(tbi ? 56 : 64) &
			     ~smmu_mask(cfg->s1_ias[r]);

		if (cfg->flags & (r ? SMMU_CF_EPD1 : SMMU_CF_EPD0)) {
			/* Walks disabled: no VA matches. */
			cfg->s1_va_mask[r] = 0;
			cfg->s1_va_want[r] = 1;
		} else {
			/* VA[55:ias] (and the top byte) copies of VA[55]. */
			cfg->s1_va_mask[r] = m;
			cfg->s1_va_want[r] = r ? m : 0;
		}
		cfg->tlb_tag[r] =
			tag | smmu_fprep(SMMU_TLB_S1_TG,
					 smmu_tg_code(cfg->s1[r].granule_lg2));
	}
}

/* Fetches and decodes the configuration of (sid, ssid) into @cfg. */
static int cfg_fetch(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		     struct smmu_cfg *cfg, struct smmu_fault *fault)
{
	uint64_t ste[SMMU_STE_DWORDS], cd[SMMU_CD_DWORDS];
	bool has_ssid = ssid != SMMUV3_NO_SSID;
	unsigned int config, cdmax, dss, eats;
	bool s1, s2;
	uint32_t idx;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = smmu_ste_fetch(smmu, sid, ste, fault);
	if (ret)
		return ret;
	if (!smmu_dget(ste, SMMU_STE_V))
		return bad_ste(fault);
	config = smmu_dget(ste, SMMU_STE_CONFIG);
	if (!(config & 4)) {
		/* 0b000 (and reserved 0b0xx): abort with no event. */
		cfg->hot = smmu_fprep(SMMU_HOT_KIND, SMMU_K_ABORT);
		return 0;
	}
	s1 = config & 1;
	s2 = config & 2;
	if ((s1 && !smmu->cfg.stage1) || (s2 && !smmu->cfg.stage2))
		return bad_ste(fault);

	/* Translations are VMID-tagged whenever stage 2 is implemented. */
	if (smmu->cfg.stage2 && (s1 || s2))
		cfg->hot |= smmu_fprep(SMMU_HOT_VMID,
				       smmu_dget(ste, SMMU_STE_S2VMID));

	eats = 0;
	if (smmu->cfg.ats && (s1 || s2)) {
		eats = smmu_dget(ste, SMMU_STE_EATS);
		if (eats == SMMU_EATS_TRANS && s2 &&
		    smmu_dget(ste, SMMU_STE_S2S))
			return bad_ste(fault);
		/* Split-stage ATS is not implemented (IDR0.NS1ATS == 1). */
		if (eats == SMMU_EATS_S1CHK)
			return bad_ste(fault);
		/* 0b11 without DPT behaves as 0b00. */
		if (eats == 3)
			eats = SMMU_EATS_ABT;
	}
	cfg->hot |= smmu_fprep(SMMU_HOT_EATS, eats);
	if (s1 && !smmu->cfg.stall && smmu_dget(ste, SMMU_STE_S1STALLD))
		return bad_ste(fault);

	if (s2) {
		ret = decode_s2(smmu, ste, cfg, fault);
		if (ret)
			return ret;
	}

	cdmax = 0;
	if (s1) {
		unsigned int fmt = smmu_dget(ste, SMMU_STE_S1FMT);

		if (smmu->ssid_bits)
			cdmax = smmu_dget(ste, SMMU_STE_S1CDMAX);
		if (cdmax > smmu->ssid_bits)
			return bad_ste(fault);
		if (cdmax && fmt != SMMU_S1FMT_LINEAR && fmt != 3 &&
		    !smmu->cfg.cd_2lvl)
			return bad_ste(fault);
	}

	/* Which CD, if any, this transaction uses (S1CDMax, S1DSS). */
	if (!s1) {
		if (has_ssid)
			return bad_substream(fault, ssid);
		cfg->hot |= smmu_fprep(SMMU_HOT_KIND,
				       s2 ? SMMU_K_S2 : SMMU_K_BYPASS);
		return 0;
	}
	dss = smmu_dget(ste, SMMU_STE_S1DSS);
	if (has_ssid) {
		if (!cdmax || (uint64_t)ssid >> cdmax)
			return bad_substream(fault, ssid);
		if (dss == SMMU_S1DSS_SSID0 && !ssid)
			return stream_disabled(fault);
		idx = ssid;
	} else if (!cdmax) {
		idx = 0;
	} else if (dss == SMMU_S1DSS_BYPASS) {
		cfg->hot |= smmu_fprep(SMMU_HOT_KIND,
				       s2 ? SMMU_K_S2 : SMMU_K_BYPASS);
		return 0;
	} else if (dss == SMMU_S1DSS_SSID0) {
		idx = 0;
	} else {
		return stream_disabled(fault);
	}

	ret = cd_fetch(smmu, ste, cfg, s2, cdmax, idx, cd, fault);
	if (ret)
		return ret;
	ret = decode_cd(smmu, ste, cd, s2, cfg, fault);
	if (ret)
		return ret;
	cfg->cd_index = idx;
	cfg->flags |= SMMU_CF_SSID_CD;
	cfg->hot |= smmu_fprep(SMMU_HOT_KIND, s2 ? SMMU_K_NESTED : SMMU_K_S1);
	derive_s1(cfg, s2);
	return 0;
}

int smmu_cfg_get(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid, bool full,
		 struct smmu_cfg *cfg, struct smmu_fault *fault)
{
	uint64_t key = smmu_cfg_key(sid, ssid);
	uint64_t gen;
	int ret;

	if (cfgc_lookup(&smmu->cfgc, key, full, cfg))
		return 0;
	gen = __atomic_load_n(&smmu->cfgc.gen, __ATOMIC_SEQ_CST);
	ret = cfg_fetch(smmu, sid, ssid, cfg, fault);
	if (ret) {
		/* Configuration errors carry the transaction's substream. */
		if (!fault->ssid_valid && ssid != SMMUV3_NO_SSID &&
		    fault->event != SMMU_EVT_F_STREAM_DISABLED) {
			fault->ssid_valid = true;
			fault->ssid = ssid;
		}
		return ret;
	}
	cfg->key = key;
	smmu_inc(&smmu->stats.cfg_fills);
	if (cfgc_insert(&smmu->cfgc, cfg, gen))
		smmu_inc(&smmu->stats.cfg_evictions);
	return 0;
}
