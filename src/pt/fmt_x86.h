/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86-64 4- and 5-level paging as VT-d walks it for first-stage
 * translation, for the engine.
 *
 * References: Intel VT-d Architecture Specification, 9.7 "First-Stage
 * Paging Entries" (the entry layouts, with the CPU's meaning), and the Intel
 * SDM vol. 3, 4.5 "4-Level Paging and 5-Level Paging" (4.5.4 entry formats,
 * 4.6 "Access Rights", 4.8 "Accessed and Dirty Flags"). Engine level 0 is
 * the PTE (VT-d level 1), level 1 the PDE, 2 the PDPE, 3 the PML4E, 4 the
 * PML5E.
 *
 * Input addresses are canonical when PT_CFG_SIGN_EXTEND is set (bits above
 * the top level's range copy its highest bit), as VT-d requires for
 * first-stage requests. Modelling limits: write protection is always
 * enforced for privileged requests (as if WPE/CR0.WP were set), SMEP/SMAP,
 * protection keys and the PAT bit are not modelled (the PAT index reported
 * uses PWT/PCD/PAT as found).
 *
 * A map writes A=1 and, unless the table takes part in dirty tracking,
 * D=1 on writable leaves, so hardware never has to update them; with
 * PT_CFG_DIRTY writable leaves start with D=0.
 */
#ifndef UIOMMUFD_PT_FMT_X86_H
#define UIOMMUFD_PT_FMT_X86_H

#include "pt/pt_priv.h"

#define PTF_FMT PT_FMT_VTD_FS
#define PTF_GRANULE_LG2 12
#define PTF_BITS 9
#define PTF_MAX_LEVELS 5
#define PTF_AF_FAULTS 0
/* Address bits beyond the supported width are reserved bits (SDM 4.5.4). */
#define PTF_OAS_FAULT PT_FAULT_RESERVED

/* SDM 4.5.4 / VT-d 9.7, every level. */
#define X86_P PT_BIT(0)		  /* present */
#define X86_RW PT_BIT(1)	  /* writes allowed */
#define X86_US PT_BIT(2)	  /* user-mode (unprivileged) access allowed */
#define X86_PWT PT_BIT(3)	  /* page-level write-through */
#define X86_PCD PT_BIT(4)	  /* page-level cache disable */
#define X86_A PT_BIT(5)		  /* accessed */
#define X86_XD PT_BIT(63)	  /* execute disable */
#define X86_ADDR PT_FIELD(12, 40) /* bits 51:12 */
/* Leaves. */
#define X86_D PT_BIT(6)		 /* dirty */
#define X86_PS PT_BIT(7)	 /* PDE/PDPE: maps a page */
#define X86_PAT_4K PT_BIT(7)	 /* PTE: PAT */
#define X86_G PT_BIT(8)		 /* global */
#define X86_PAT_LARGE PT_BIT(12) /* 2M/1G leaf: PAT */

static inline uint64_t fmt_level_sizes(const struct pt_walk_ctx *c,
				       unsigned int lvl)
{
	/* 4K PTEs, 2M PDEs and 1G PDPEs (SDM 4.5.4). */
	return lvl <= 2 ? PT_BIT(12 + 9 * lvl) : 0;
}

static inline unsigned int fmt_arch_level(unsigned int lvl)
{
	return lvl + 1;
}

static inline unsigned int fmt_type(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	if (!(e & X86_P))
		return PT_E_EMPTY;
	if (lvl == 0 || (lvl <= 2 && (e & X86_PS)))
		return PT_E_LEAF;
	return PT_E_TABLE;
}

static inline enum pt_fault fmt_check(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t e,
				      unsigned int type)
{
	/* PS is reserved in PML4Es and PML5Es. */
	if (type == PT_E_TABLE && lvl >= 3 && (e & X86_PS))
		return PT_FAULT_RESERVED;
	/* Address bits below a large page's size, above PAT, are reserved. */
	if (type == PT_E_LEAF && lvl &&
	    (e & pt_fmask(X86_ADDR) & pt_lg2_mask(12 + 9 * lvl) &
	     ~X86_PAT_LARGE))
		return PT_FAULT_RESERVED;
	return PT_FAULT_NONE;
}

static inline uint64_t fmt_table_pa(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	return e & pt_fmask(X86_ADDR);
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

	return (e & pt_fmask(X86_ADDR) & ~m) | (iova & m);
}

static inline int fmt_prot_bits(const struct pt_walk_ctx *c, unsigned int prot,
				uint64_t *bits)
{
	uint64_t b = X86_A;

	if (!(prot & PT_PROT_PRIV))
		b |= X86_US;
	if (prot & PT_PROT_WRITE) {
		b |= X86_RW;
		if (!(c->flags & PT_CFG_DIRTY))
			b |= X86_D;
	}
	if (prot & PT_PROT_NOEXEC)
		b |= X86_XD;
	*bits = b;
	return 0;
}

/* fmt_make_leaf(oa) == fmt_make_leaf(0) | fmt_leaf_oa_bits(oa). */
static inline uint64_t fmt_leaf_oa_bits(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t oa,
					unsigned int s_lg2)
{
	return oa & pt_fmask(X86_ADDR);
}

static inline uint64_t fmt_make_leaf(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t oa,
				     unsigned int s_lg2, uint64_t bits)
{
	uint64_t e = bits | (oa & pt_fmask(X86_ADDR)) | X86_P;

	return lvl ? e | X86_PS : e;
}

/* Tables grant everything; rights are ANDed down the walk (SDM 4.6). */
static inline uint64_t fmt_make_table(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t pa)
{
	return (pa & pt_fmask(X86_ADDR)) | X86_P | X86_RW | X86_US | X86_A;
}

static inline uint64_t fmt_leaf_bits(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	return e & ~(pt_fmask(X86_ADDR) | X86_P | X86_PS);
}

static inline bool fmt_can_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & X86_RW;
}

static inline bool fmt_is_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & X86_D;
}

static inline uint64_t fmt_make_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | X86_D;
}

static inline uint64_t fmt_make_clean(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & ~X86_D;
}

static inline bool fmt_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & X86_A;
}

static inline uint64_t fmt_set_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | X86_A;
}

/* R/W and U/S grant only when set at every level; XD set anywhere. */
static inline unsigned int fmt_table_deny(const struct pt_walk_ctx *c,
					  uint64_t any, uint64_t all,
					  unsigned int access)
{
	unsigned int deny = 0;

	if (!(all & X86_RW))
		deny |= PT_PERM_WRITE;
	if (any & X86_XD)
		deny |= PT_PERM_EXEC;
	if (!(all & X86_US) && !(access & PT_ACCESS_PRIV))
		deny |= PT_PERM_READ | PT_PERM_WRITE | PT_PERM_EXEC;
	return deny;
}

static inline unsigned int fmt_leaf_perm(const struct pt_walk_ctx *c,
					 uint64_t e, unsigned int access)
{
	unsigned int p = PT_PERM_READ;

	if (e & X86_RW)
		p |= PT_PERM_WRITE;
	if (!(e & X86_XD))
		p |= PT_PERM_EXEC;
	if (!(e & X86_US))
		return (access & PT_ACCESS_PRIV) ? p : 0;
	return p | PT_PERM_UNPRIV;
}

static inline uint64_t fmt_leaf_attr(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	uint64_t pat = lvl ? X86_PAT_LARGE : X86_PAT_4K;
	uint64_t a = ((e & X86_PWT) ? 1 : 0) | ((e & X86_PCD) ? 2 : 0) |
		     ((e & pat) ? 4 : 0);

	if (e & X86_G)
		a |= PT_ATTR_GLOBAL;
	return a;
}

/* 48-bit input with 4 levels or 57-bit with 5 (SDM 4.5). */
static inline int fmt_init(struct pt_walk_ctx *c, const struct pt_cfg *cfg)
{
	unsigned int ias = cfg->ias ? cfg->ias : 48;
	unsigned int oas = cfg->oas ? cfg->oas : 52;
	unsigned int levels = ias == 57 ? 5 : 4;

	if ((ias != 48 && ias != 57) || oas < 32 || oas > 52)
		return -EINVAL;
	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;
	if (cfg->flags & ~(PT_CFG_DIRTY | PT_CFG_SIGN_EXTEND))
		return -EINVAL;
	c->ias = ias;
	c->oas = oas;
	c->cfg_top_level = levels - 1;
	c->cfg_top_bits = 9;
	return 0;
}

#endif
