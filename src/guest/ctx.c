// SPDX-License-Identifier: BSD-3-Clause
/*
 * Context descriptors and stream table entries as a guest writes them: the
 * encodings of a CD (5.4) and of the guest-owned half of an STE (5.2), CD
 * tables (linear, or a level-1 table of L1CDs over 4 KiB / 64 KiB leaf
 * tables, 5.3) and stream tables (linear, or 2-level with SPLIT 8, 5.1) in
 * guest RAM.
 *
 * Publication order: a structure is written from its last word to its
 * first, the first (holding V, or the L1 descriptor's pointer) with a
 * release store, so an SMMU that sees it valid sees the rest. A leaf table
 * is zeroed (all entries invalid) before its level-1 descriptor points at
 * it. Updating a structure the SMMU may already have cached takes a
 * command afterwards; that is the caller's (or guest_smmu_*_install()'s)
 * business.
 *
 * Geometry the SMMU assumes (config.c's fetch follows the same rules): a
 * linear table is aligned to its size; a level-1 table to its size and at
 * least 64 bytes; a CD leaf table to 4 KiB or 64 KiB; an STE leaf table of
 * SPLIT 8 to its 16 KiB.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "guest/guest.h"
#include "uiommufd/uapi/iommufd.h"

/* The SMMU reads these structures as little-endian 64-bit words. */
BUILD_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

#define STRTAB_SPLIT 8

/* Words 1..n-1, then word 0 with release: see the essay. */
static void publish_words(uint64_t *dst, const uint64_t *src, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&dst[0], src[0], __ATOMIC_RELEASE);
}

/* --- context descriptors --- */

static unsigned int tg0_enc(unsigned int lg2)
{
	switch (lg2) {
	case 12:
		return SMMU_TG0_4K;
	case 14:
		return SMMU_TG0_16K;
	case 16:
		return SMMU_TG0_64K;
	default:
		return 3; /* reserved */
	}
}

static unsigned int tg1_enc(unsigned int lg2)
{
	switch (lg2) {
	case 12:
		return SMMU_TG1_4K;
	case 14:
		return SMMU_TG1_16K;
	case 16:
		return SMMU_TG1_64K;
	default:
		return 0; /* reserved */
	}
}

void guest_cd_init(struct guest_cd *cd, const struct guest_s1 *s1,
		   uint16_t asid)
{
	memset(cd, 0, sizeof(*cd));
	cd->valid = true;
	cd->aa64 = true;
	cd->asid = asid;
	cd->ttb0 = guest_s1_root(s1);
	cd->t0sz = 64 - guest_s1_ias(s1);
	cd->tg0_lg2 = guest_s1_granule_lg2(s1);
	/* TTB1 is off, but its fields still hold legal values. */
	cd->epd1 = true;
	cd->t1sz = cd->t0sz;
	cd->tg1_lg2 = cd->tg0_lg2;
	cd->ips = SMMU_PS_48;
	/* Walks: normal write-back read/write-allocate, inner shareable. */
	cd->ir0 = cd->or0 = 1;
	cd->sh0 = 3;
	cd->ir1 = cd->or1 = 1;
	cd->sh1 = 3;
	cd->mair = GUEST_MAIR_DEFAULT;
	cd->r = true;
	cd->a = true;
}

void guest_cd_encode(const struct guest_cd *cd, uint64_t out[SMMU_CD_DWORDS])
{
	memset(out, 0, SMMU_CD_DWORDS * sizeof(uint64_t));
	smmu_dset(out, SMMU_CD_T0SZ, cd->t0sz);
	smmu_dset(out, SMMU_CD_TG0, tg0_enc(cd->tg0_lg2));
	smmu_dset(out, SMMU_CD_IR0, cd->ir0);
	smmu_dset(out, SMMU_CD_OR0, cd->or0);
	smmu_dset(out, SMMU_CD_SH0, cd->sh0);
	smmu_dset(out, SMMU_CD_EPD0, cd->epd0);
	smmu_dset(out, SMMU_CD_T1SZ, cd->t1sz);
	smmu_dset(out, SMMU_CD_TG1, tg1_enc(cd->tg1_lg2));
	smmu_dset(out, SMMU_CD_IR1, cd->ir1);
	smmu_dset(out, SMMU_CD_OR1, cd->or1);
	smmu_dset(out, SMMU_CD_SH1, cd->sh1);
	smmu_dset(out, SMMU_CD_EPD1, cd->epd1);
	smmu_dset(out, SMMU_CD_V, cd->valid);
	smmu_dset(out, SMMU_CD_IPS, cd->ips);
	smmu_dset(out, SMMU_CD_AFFD, cd->affd);
	smmu_dset(out, SMMU_CD_WXN, cd->wxn);
	smmu_dset(out, SMMU_CD_UWXN, cd->uwxn);
	smmu_dset(out, SMMU_CD_TBI0, cd->tbi0);
	smmu_dset(out, SMMU_CD_TBI1, cd->tbi1);
	smmu_dset(out, SMMU_CD_PAN, cd->pan);
	smmu_dset(out, SMMU_CD_AA64, cd->aa64);
	smmu_dset(out, SMMU_CD_HD, cd->hd);
	smmu_dset(out, SMMU_CD_HA, cd->ha);
	smmu_dset(out, SMMU_CD_S, cd->s);
	smmu_dset(out, SMMU_CD_R, cd->r);
	smmu_dset(out, SMMU_CD_A, cd->a);
	smmu_dset(out, SMMU_CD_ASID, cd->asid);
	smmu_dset(out, SMMU_CD_TTB0, cd->ttb0 >> 4);
	smmu_dset(out, SMMU_CD_TTB1, cd->ttb1 >> 4);
	smmu_dset(out, SMMU_CD_MAIR0, (uint32_t)cd->mair);
	smmu_dset(out, SMMU_CD_MAIR1, cd->mair >> 32);
}

struct guest_cdtab {
	struct guest_ram *ram;
	unsigned int s1cdmax;
	unsigned int s1fmt;
	/* Linear: the CDs. 2-level: the L1CDs. */
	uint64_t gpa;
	uint64_t size;
	uint64_t *host;
	/* 2-level: log2 CDs per leaf table, and each leaf's GPA (0: none). */
	unsigned int split;
	uint64_t nl1;
	uint64_t *l2;
};

struct guest_cdtab *guest_cdtab_alloc(struct guest_ram *ram,
				      unsigned int s1cdmax, unsigned int s1fmt)
{
	struct guest_cdtab *tab;
	uint64_t align;

	if (s1cdmax > 20 ||
	    (s1fmt != SMMU_S1FMT_LINEAR && s1fmt != SMMU_S1FMT_4K_L2 &&
	     s1fmt != SMMU_S1FMT_64K_L2))
		return ERR_PTR(-EINVAL);
	tab = ufd_zalloc(sizeof(*tab));
	if (!tab)
		return ERR_PTR(-ENOMEM);
	tab->ram = ram;
	tab->s1cdmax = s1cdmax;
	/* With one CD, S1Fmt is ignored: the table is that CD. */
	tab->s1fmt = s1cdmax ? s1fmt : SMMU_S1FMT_LINEAR;
	if (tab->s1fmt == SMMU_S1FMT_LINEAR) {
		tab->size = 64ull << s1cdmax;
		align = tab->size;
	} else {
		tab->split = tab->s1fmt == SMMU_S1FMT_4K_L2 ? 6 : 10;
		tab->nl1 = 1ull
			   << (s1cdmax > tab->split ? s1cdmax - tab->split : 0);
		tab->size = 8 * tab->nl1;
		align = ufd_max(tab->size, 64);
		tab->l2 = ufd_calloc(tab->nl1, sizeof(*tab->l2));
		if (!tab->l2)
			goto out_free_tab;
	}
	tab->host = guest_ram_alloc(ram, tab->size, align, &tab->gpa);
	if (!tab->host)
		goto out_free_l2;
	return tab;

out_free_l2:
	ufd_free(tab->l2);
out_free_tab:
	ufd_free(tab);
	return ERR_PTR(-ENOMEM);
}

static uint64_t cd_leaf_size(const struct guest_cdtab *tab)
{
	return 64ull << tab->split;
}

void guest_cdtab_free(struct guest_cdtab *tab)
{
	uint64_t i;

	if (!tab)
		return;
	for (i = 0; i < tab->nl1; i++)
		if (tab->l2[i])
			guest_ram_free(tab->ram, tab->l2[i], cd_leaf_size(tab));
	guest_ram_free(tab->ram, tab->gpa, tab->size);
	ufd_free(tab->l2);
	ufd_free(tab);
}

uint64_t guest_cdtab_gpa(const struct guest_cdtab *tab)
{
	return tab->gpa;
}

unsigned int guest_cdtab_s1cdmax(const struct guest_cdtab *tab)
{
	return tab->s1cdmax;
}

unsigned int guest_cdtab_s1fmt(const struct guest_cdtab *tab)
{
	return tab->s1fmt;
}

/* Slot @ssid, creating its leaf table when @create. NULL if none. */
static uint64_t *cd_slot(struct guest_cdtab *tab, uint32_t ssid, bool create)
{
	uint64_t l1, l2gpa, idx;
	void *l2;

	if ((uint64_t)ssid >> tab->s1cdmax)
		return NULL;
	if (tab->s1fmt == SMMU_S1FMT_LINEAR)
		return tab->host + SMMU_CD_DWORDS * (uint64_t)ssid;
	idx = ssid >> tab->split;
	if (!tab->l2[idx]) {
		if (!create)
			return NULL;
		l2 = guest_ram_alloc(tab->ram, cd_leaf_size(tab),
				     cd_leaf_size(tab), &l2gpa);
		if (!l2)
			return NULL;
		tab->l2[idx] = l2gpa;
		l1 = smmu_dprep(SMMU_L1CD_V, 1) |
		     smmu_dprep(SMMU_L1CD_L2PTR, l2gpa >> 12);
		/* The zeroed leaf is visible before the pointer to it. */
		__atomic_store_n(&tab->host[idx], l1, __ATOMIC_RELEASE);
	}
	return (uint64_t *)guest_ram_ptr(tab->ram, tab->l2[idx],
					 cd_leaf_size(tab)) +
	       SMMU_CD_DWORDS * (ssid & ((1u << tab->split) - 1));
}

uint64_t *guest_cd_ptr(struct guest_cdtab *tab, uint32_t ssid)
{
	return cd_slot(tab, ssid, false);
}

int guest_cd_write(struct guest_cdtab *tab, uint32_t ssid,
		   const struct guest_cd *cd)
{
	uint64_t words[SMMU_CD_DWORDS];
	uint64_t *slot;

	if ((uint64_t)ssid >> tab->s1cdmax)
		return -ERANGE;
	slot = cd_slot(tab, ssid, true);
	if (!slot)
		return -ENOMEM;
	guest_cd_encode(cd, words);
	publish_words(slot, words, SMMU_CD_DWORDS);
	return 0;
}

int guest_cd_clear(struct guest_cdtab *tab, uint32_t ssid)
{
	uint64_t *slot;

	if ((uint64_t)ssid >> tab->s1cdmax)
		return -ERANGE;
	slot = cd_slot(tab, ssid, false);
	/* No leaf table: the CD is invalid already (the L1CD is). */
	if (slot)
		__atomic_store_n(&slot[0], slot[0] & ~smmu_dmask(SMMU_CD_V),
				 __ATOMIC_RELEASE);
	return 0;
}

/* --- stream table entries --- */

void guest_ste_init_abort(struct guest_ste *ste)
{
	memset(ste, 0, sizeof(*ste));
	ste->valid = true;
	ste->config = SMMU_STE_CFG_ABORT;
}

void guest_ste_init_bypass(struct guest_ste *ste)
{
	memset(ste, 0, sizeof(*ste));
	ste->valid = true;
	ste->config = SMMU_STE_CFG_BYPASS;
}

void guest_ste_init_s1(struct guest_ste *ste, const struct guest_cdtab *tab,
		       unsigned int s1dss)
{
	memset(ste, 0, sizeof(*ste));
	ste->valid = true;
	ste->config = SMMU_STE_CFG_S1;
	ste->s1ctxptr = guest_cdtab_gpa(tab);
	ste->s1cdmax = guest_cdtab_s1cdmax(tab);
	ste->s1fmt = guest_cdtab_s1fmt(tab);
	ste->s1dss = s1dss;
	/* CD fetches: write-back read-allocate, inner shareable. */
	ste->s1cir = 1;
	ste->s1cor = 1;
	ste->s1csh = 3;
}

void guest_ste_encode(const struct guest_ste *ste,
		      uint64_t out[SMMU_STE_DWORDS])
{
	memset(out, 0, SMMU_STE_DWORDS * sizeof(uint64_t));
	smmu_dset(out, SMMU_STE_V, ste->valid);
	smmu_dset(out, SMMU_STE_CONFIG, ste->config);
	smmu_dset(out, SMMU_STE_S1FMT, ste->s1fmt);
	smmu_dset(out, SMMU_STE_S1CTXPTR, ste->s1ctxptr >> 6);
	smmu_dset(out, SMMU_STE_S1CDMAX, ste->s1cdmax);
	smmu_dset(out, SMMU_STE_S1DSS, ste->s1dss);
	smmu_dset(out, SMMU_STE_S1CIR, ste->s1cir);
	smmu_dset(out, SMMU_STE_S1COR, ste->s1cor);
	smmu_dset(out, SMMU_STE_S1CSH, ste->s1csh);
	smmu_dset(out, SMMU_STE_EATS, ste->eats);
	smmu_dset(out, SMMU_STE_S1STALLD, ste->s1stalld);
}

void guest_ste_vste(const struct guest_ste *ste,
		    struct iommu_hwpt_arm_smmuv3 *out)
{
	uint64_t words[SMMU_STE_DWORDS];

	guest_ste_encode(ste, words);
	out->ste[0] = htole64(words[0]);
	out->ste[1] = htole64(words[1]);
}

struct guest_strtab {
	struct guest_ram *ram;
	unsigned int sid_bits;
	bool two_level;
	/* Linear: the STEs. 2-level: the L1 descriptors. */
	uint64_t gpa;
	uint64_t size;
	uint64_t *host;
	/* 2-level: each leaf table's GPA (0: none). */
	uint64_t nl1;
	uint64_t *l2;
};

static uint64_t ste_leaf_size(void)
{
	return 64ull << STRTAB_SPLIT;
}

struct guest_strtab *guest_strtab_alloc(struct guest_ram *ram,
					unsigned int sid_bits, bool two_level)
{
	struct guest_strtab *st;
	uint64_t align;

	if (sid_bits > 32 || (!two_level && sid_bits > 24))
		return ERR_PTR(-EINVAL);
	st = ufd_zalloc(sizeof(*st));
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->ram = ram;
	st->sid_bits = sid_bits;
	st->two_level = two_level;
	if (!two_level) {
		st->size = 64ull << sid_bits;
		align = st->size;
	} else {
		st->nl1 = 1ull
			  << (sid_bits > STRTAB_SPLIT ? sid_bits - STRTAB_SPLIT
						      : 0);
		st->size = 8 * st->nl1;
		align = ufd_max(st->size, 64);
		st->l2 = ufd_calloc(st->nl1, sizeof(*st->l2));
		if (!st->l2)
			goto out_free_st;
	}
	st->host = guest_ram_alloc(ram, st->size, align, &st->gpa);
	if (!st->host)
		goto out_free_l2;
	return st;

out_free_l2:
	ufd_free(st->l2);
out_free_st:
	ufd_free(st);
	return ERR_PTR(-ENOMEM);
}

void guest_strtab_free(struct guest_strtab *st)
{
	uint64_t i;

	if (!st)
		return;
	for (i = 0; i < st->nl1; i++)
		if (st->l2[i])
			guest_ram_free(st->ram, st->l2[i], ste_leaf_size());
	guest_ram_free(st->ram, st->gpa, st->size);
	ufd_free(st->l2);
	ufd_free(st);
}

static uint64_t *ste_slot(struct guest_strtab *st, uint32_t sid, bool create)
{
	uint64_t l1, l2gpa, idx;
	void *l2;

	if ((uint64_t)sid >> st->sid_bits)
		return NULL;
	if (!st->two_level)
		return st->host + SMMU_STE_DWORDS * (uint64_t)sid;
	idx = sid >> STRTAB_SPLIT;
	if (!st->l2[idx]) {
		if (!create)
			return NULL;
		l2 = guest_ram_alloc(st->ram, ste_leaf_size(), ste_leaf_size(),
				     &l2gpa);
		if (!l2)
			return NULL;
		st->l2[idx] = l2gpa;
		/* SPAN = SPLIT + 1: the leaf holds all 2^SPLIT STEs. */
		l1 = smmu_dprep(SMMU_L1STD_SPAN, STRTAB_SPLIT + 1) |
		     smmu_dprep(SMMU_L1STD_L2PTR, l2gpa >> 6);
		__atomic_store_n(&st->host[idx], l1, __ATOMIC_RELEASE);
	}
	return (uint64_t *)guest_ram_ptr(st->ram, st->l2[idx],
					 ste_leaf_size()) +
	       SMMU_STE_DWORDS * (sid & ((1u << STRTAB_SPLIT) - 1));
}

uint64_t *guest_strtab_ste_ptr(struct guest_strtab *st, uint32_t sid)
{
	return ste_slot(st, sid, false);
}

int guest_strtab_write(struct guest_strtab *st, uint32_t sid,
		       const uint64_t ste[SMMU_STE_DWORDS])
{
	uint64_t *slot;

	if ((uint64_t)sid >> st->sid_bits)
		return -ERANGE;
	slot = ste_slot(st, sid, true);
	if (!slot)
		return -ENOMEM;
	publish_words(slot, ste, SMMU_STE_DWORDS);
	return 0;
}

uint64_t guest_strtab_base(const struct guest_strtab *st)
{
	return smmu_fprep(SMMU_STRTAB_BASE_ADDR, st->gpa >> 6) |
	       smmu_fprep(SMMU_STRTAB_BASE_RA, 1);
}

uint32_t guest_strtab_base_cfg(const struct guest_strtab *st)
{
	return (uint32_t)(smmu_fprep(SMMU_STRTAB_BASE_CFG_LOG2SIZE,
				     st->sid_bits) |
			  smmu_fprep(SMMU_STRTAB_BASE_CFG_SPLIT,
				     st->two_level ? STRTAB_SPLIT : 0) |
			  smmu_fprep(SMMU_STRTAB_BASE_CFG_FMT,
				     st->two_level ? SMMU_STRTAB_FMT_2LVL
						   : SMMU_STRTAB_FMT_LINEAR));
}
