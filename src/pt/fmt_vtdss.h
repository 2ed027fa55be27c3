/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d second-stage paging, 3, 4 or 5 levels, for the engine.
 *
 * References: Intel VT-d Architecture Specification, 3.7 "Second-Stage
 * Translation" (walk, permissions ANDed down the levels, 3.7.1 A/D flags
 * with SSADE) and 9.8 "Second-Stage Paging Entries" (the SL-PML5E, PML4E,
 * PDPE, PDE and PTE layouts). Engine level 0 is the SS-PTE, 1 the SS-PDE
 * (PS: 2M page), 2 the SS-PDPE (PS: 1G page), 3 the SS-PML4E, 4 the
 * SS-PML5E; the specification's level number is engine level + 1.
 *
 * An entry is present when R or W is set (9.8: "not present" is R = W = 0).
 * Execute requests are allowed where reads are (SSEE and X are not
 * modelled). Memory type fields (EMT, IPAT) are reported, never written. A
 * map writes R/W as asked, SNP with PT_CFG_FORCE_COHERENT, and leaves A and
 * D clear: with SSADE the walker sets them (PT_HW_HA/PT_HW_HD).
 */
#ifndef UIOMMUFD_PT_FMT_VTDSS_H
#define UIOMMUFD_PT_FMT_VTDSS_H

#include "pt/pt_priv.h"

#define PTF_FMT PT_FMT_VTD_SS
#define PTF_GRANULE_LG2 12
#define PTF_BITS 9
#define PTF_MAX_LEVELS 5
#define PTF_AF_FAULTS 0
/* Address bits beyond the host address width are reserved (9.8). */
#define PTF_OAS_FAULT PT_FAULT_RESERVED

/* 9.8, every level. */
#define VTDSS_R PT_BIT(0)
#define VTDSS_W PT_BIT(1)
#define VTDSS_A PT_BIT(8)
#define VTDSS_ADDR PT_FIELD(12, 40) /* bits 51:12 (HAW-1:12) */
/* 9.8, leaves. */
#define VTDSS_EMT PT_FIELD(3, 3) /* extended memory type */
#define VTDSS_IPAT PT_BIT(6)	 /* ignore PAT */
#define VTDSS_PS PT_BIT(7)	 /* PDE/PDPE: maps a page */
#define VTDSS_D PT_BIT(9)	 /* dirty */
#define VTDSS_SNP PT_BIT(11)	 /* snoop */

static inline uint64_t fmt_level_sizes(const struct pt_walk_ctx *c,
				       unsigned int lvl)
{
	/* 4K, and 2M/1G super-pages where SLLPS reports them (9.8). */
	return lvl <= 2 ? PT_BIT(12 + 9 * lvl) : 0;
}

static inline unsigned int fmt_arch_level(unsigned int lvl)
{
	return lvl + 1;
}

static inline unsigned int fmt_type(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	if (!(e & (VTDSS_R | VTDSS_W)))
		return PT_E_EMPTY;
	if (lvl == 0 || (lvl <= 2 && (e & VTDSS_PS)))
		return PT_E_LEAF;
	return PT_E_TABLE;
}

static inline enum pt_fault fmt_check(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t e,
				      unsigned int type)
{
	/* PS is reserved in SS-PML4Es and SS-PML5Es. */
	if (type == PT_E_TABLE && lvl >= 3 && (e & VTDSS_PS))
		return PT_FAULT_RESERVED;
	/* A super-page's address bits below its size are reserved. */
	if (type == PT_E_LEAF && lvl &&
	    (e & pt_fmask(VTDSS_ADDR) & pt_lg2_mask(12 + 9 * lvl)))
		return PT_FAULT_RESERVED;
	return PT_FAULT_NONE;
}

static inline uint64_t fmt_table_pa(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	return e & pt_fmask(VTDSS_ADDR);
}

static inline unsigned int fmt_leaf_lg2(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t e)
{
	return 12 + 9 * lvl;
}

static inline uint64_t fmt_oa(const struct pt_walk_ctx *c, unsigned int lvl,
			      uint64_t e, unsigned int s_lg2, uint64_t iova)
{
	uint64_t m = pt_lg2_mask(s_lg2);

	return (e & pt_fmask(VTDSS_ADDR) & ~m) | (iova & m);
}

static inline int fmt_prot_bits(const struct pt_walk_ctx *c, unsigned int prot,
				uint64_t *bits)
{
	uint64_t b = 0;

	if (prot & PT_PROT_READ)
		b |= VTDSS_R;
	if (prot & PT_PROT_WRITE)
		b |= VTDSS_W;
	if (c->flags & PT_CFG_FORCE_COHERENT)
		b |= VTDSS_SNP;
	*bits = b;
	return 0;
}

/* fmt_make_leaf(oa) == fmt_make_leaf(0) | fmt_leaf_oa_bits(oa). */
static inline uint64_t fmt_leaf_oa_bits(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t oa,
					unsigned int s_lg2)
{
	return oa & pt_fmask(VTDSS_ADDR);
}

static inline uint64_t fmt_make_leaf(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t oa,
				     unsigned int s_lg2, uint64_t bits)
{
	uint64_t e = bits | (oa & pt_fmask(VTDSS_ADDR));

	return lvl ? e | VTDSS_PS : e;
}

/* Tables grant R and W; leaves decide (rights are ANDed, 3.7). */
static inline uint64_t fmt_make_table(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t pa)
{
	return (pa & pt_fmask(VTDSS_ADDR)) | VTDSS_R | VTDSS_W;
}

static inline uint64_t fmt_leaf_bits(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	return e & ~(pt_fmask(VTDSS_ADDR) | VTDSS_PS);
}

static inline bool fmt_can_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & VTDSS_W;
}

static inline bool fmt_is_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & VTDSS_D;
}

static inline uint64_t fmt_make_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | VTDSS_D;
}

static inline uint64_t fmt_make_clean(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & ~VTDSS_D;
}

static inline bool fmt_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & VTDSS_A;
}

static inline uint64_t fmt_set_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | VTDSS_A;
}

/* R and W grant only when set at every level. */
static inline unsigned int fmt_table_deny(const struct pt_walk_ctx *c,
					  uint64_t any, uint64_t all,
					  unsigned int access)
{
	unsigned int deny = 0;

	if (!(all & VTDSS_R))
		deny |= PT_PERM_READ | PT_PERM_EXEC;
	if (!(all & VTDSS_W))
		deny |= PT_PERM_WRITE;
	return deny;
}

static inline unsigned int fmt_leaf_perm(const struct pt_walk_ctx *c,
					 uint64_t e, unsigned int access)
{
	unsigned int p = PT_PERM_UNPRIV;

	if (e & VTDSS_R)
		p |= PT_PERM_READ | PT_PERM_EXEC;
	if (e & VTDSS_W)
		p |= PT_PERM_WRITE;
	return p;
}

static inline uint64_t fmt_leaf_attr(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	uint64_t a = pt_fget(e, VTDSS_EMT) | ((e & VTDSS_IPAT) ? 8 : 0);

	if (e & VTDSS_SNP)
		a |= PT_ATTR_COHERENT;
	return a;
}

/* AGAW 39, 48 or 57 bits: 3, 4 or 5 levels; narrower MGAW in between. */
static inline int fmt_init(struct pt_walk_ctx *c, const struct pt_cfg *cfg)
{
	unsigned int ias = cfg->ias ? cfg->ias : 48;
	unsigned int oas = cfg->oas ? cfg->oas : 52;
	unsigned int levels;

	if (ias < 31 || ias > 57 || oas < 32 || oas > 52)
		return -EINVAL;
	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (cfg->flags & ~(PT_CFG_DIRTY | PT_CFG_FORCE_COHERENT))
		return -EINVAL;
	levels = (ias - 12 + 8) / 9;
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;
	c->ias = ias;
	c->oas = oas;
	c->cfg_top_level = levels - 1;
	c->cfg_top_bits = ias - 12 - 9 * (levels - 1);
	return 0;
}

#endif
