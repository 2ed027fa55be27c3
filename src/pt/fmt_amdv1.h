/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMD IOMMU v1 host page tables, and the kernel selftest's mock format that
 * is built on them, for the engine.
 *
 * References: AMD I/O Virtualization Technology (IOMMU) Specification
 * (48882), 2.2.3 "I/O Page Tables for Host Translations": the PDE and PTE
 * formats (PR, A, D, NextLevel, address, U, FC, IR, IW), Table "Example
 * Page Size Encodings" (NextLevel = 7: the page size is encoded in the
 * address by a run of ones below the first zero) and Table "Page Table
 * Level Parameters" (levels 1..6; the top level of a mode-6 table takes
 * address bits 63:57 and holds no pages). IR and IW are ANDed down the walk;
 * the IOMMU sets A and, with host dirty tracking (DTE HAD), D.
 *
 * Engine level L is AMD level L + 1; a PDE at engine level L points to a
 * table whose NextLevel value is L. A page larger than its level's item is
 * written as that many identical entries, each encoding the whole page
 * (NextLevel 7); a page exactly the item's size uses NextLevel 0. Every
 * power-of-two size from an item up to half its table's span is stored,
 * except 512G, which Linux never uses because of a hardware erratum; we
 * follow it so the page-size bitmap matches. Level skipping (a NextLevel
 * below the entry's level - 1) is not modelled: a walk reports it as a
 * reserved encoding.
 *
 * The mock format (PTF_MOCK = 1) is what the Linux iommufd selftest's mock
 * domain uses since it moved to the generic page table: the same encoding
 * with a 2 KiB granule -- half the CPU page, to catch code that confuses the
 * two -- so the address field holds the output address shifted right by 11,
 * 4 KiB tables of 512 entries, three fixed levels (38-bit IOVA) and 51-bit
 * output addresses.
 */
#ifndef UIOMMUFD_PT_FMT_AMDV1_H
#define UIOMMUFD_PT_FMT_AMDV1_H

#include "pt/pt_priv.h"

#ifndef PTF_MOCK
#error "define PTF_MOCK"
#endif

#define PTF_FMT (PTF_MOCK ? PT_FMT_MOCK : PT_FMT_AMDV1)
#define PTF_GRANULE_LG2 (PTF_MOCK ? 11 : 12)
#define PTF_BITS 9
#define PTF_MAX_LEVELS (PTF_MOCK ? 3 : 6)
#define PTF_AF_FAULTS 0
#define PTF_OAS_FAULT PT_FAULT_RESERVED

/* 2.2.3 PDE/PTE fields. */
#define AMD_PR PT_BIT(0)	  /* present */
#define AMD_A PT_BIT(5)		  /* accessed */
#define AMD_D PT_BIT(6)		  /* dirty (PTE) */
#define AMD_NL PT_FIELD(9, 3)	  /* NextLevel */
#define AMD_ADDR PT_FIELD(12, 40) /* address bits 51:12 */
#define AMD_RSVD PT_FIELD(52, 7)  /* 58:52 reserved */
#define AMD_U PT_BIT(59)	  /* untranslated access only */
#define AMD_FC PT_BIT(60)	  /* force coherent */
#define AMD_IR PT_BIT(61)	  /* read permission */
#define AMD_IW PT_BIT(62)	  /* write permission */
#define AMD_NL_PAGE 0		  /* a page of the level's size */
#define AMD_NL_SIZED 7		  /* a page of the encoded size */
/* The DTE and the mode field allow six levels at most. */
#define AMD_MAX_LEVELS 6

static inline unsigned int amd_item_lg2(unsigned int lvl)
{
	return PTF_GRANULE_LG2 + PTF_BITS * lvl;
}

/* The address field holds the address in granule units. */
static inline uint64_t amd_addr_get(uint64_t e)
{
	return pt_fget(e, AMD_ADDR) << PTF_GRANULE_LG2;
}

static inline uint64_t amd_addr_prep(uint64_t addr)
{
	return pt_fprep(AMD_ADDR, addr >> PTF_GRANULE_LG2);
}

/* Size of a NextLevel-7 page: one past the first zero of the field. */
static inline unsigned int amd_sized_lg2(uint64_t e)
{
	return PTF_GRANULE_LG2 + 1 + pt_ffs64(~pt_fget(e, AMD_ADDR));
}

static inline uint64_t fmt_level_sizes(const struct pt_walk_ctx *c,
				       unsigned int lvl)
{
	unsigned int lo = amd_item_lg2(lvl);
	unsigned int hi = lo + PTF_BITS - 1;

	/* The top level of a six-level table holds no pages. */
	if (lvl >= PTF_MAX_LEVELS || lvl + 1 >= AMD_MAX_LEVELS)
		return 0;
	if (hi > 51)
		hi = 51;
	return PT_GENMASK(hi, lo) & ~PT_BIT(39);
}

static inline unsigned int fmt_arch_level(unsigned int lvl)
{
	return lvl + 1;
}

static inline unsigned int fmt_type(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	unsigned int nl = pt_fget(e, AMD_NL);

	if (!(e & AMD_PR))
		return PT_E_EMPTY;
	if (lvl == 0 || nl == AMD_NL_PAGE || nl == AMD_NL_SIZED)
		return PT_E_LEAF;
	return PT_E_TABLE;
}

static inline enum pt_fault fmt_check(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t e,
				      unsigned int type)
{
	unsigned int nl = pt_fget(e, AMD_NL);

	if (pt_fget(e, AMD_RSVD))
		return PT_FAULT_RESERVED;
	if (type == PT_E_TABLE)
		return nl == lvl ? PT_FAULT_NONE : PT_FAULT_RESERVED;
	if (nl != AMD_NL_PAGE && nl != AMD_NL_SIZED)
		return PT_FAULT_RESERVED;
	if (!PTF_MOCK && lvl + 1 >= AMD_MAX_LEVELS)
		return PT_FAULT_RESERVED;
	if (nl == AMD_NL_SIZED) {
		unsigned int s = amd_sized_lg2(e);

		if (s <= amd_item_lg2(lvl) || s >= amd_item_lg2(lvl + 1))
			return PT_FAULT_RESERVED;
	}
	return PT_FAULT_NONE;
}

static inline uint64_t fmt_table_pa(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	return amd_addr_get(e);
}

static inline unsigned int fmt_leaf_lg2(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t e)
{
	unsigned int item = amd_item_lg2(lvl), s;

	if (pt_fget(e, AMD_NL) != AMD_NL_SIZED)
		return item;
	/* Clamp what a guest could write; a walk reports it (fmt_check). */
	s = amd_sized_lg2(e);
	if (s <= item)
		return item;
	if (s >= item + PTF_BITS)
		return item + PTF_BITS - 1;
	return s;
}

/* Every entry of a sized page holds the page's address. */
static inline uint64_t fmt_oa(const struct pt_walk_ctx *c, unsigned int lvl,
			      uint64_t e, unsigned int s_lg2, uint64_t iova)
{
	uint64_t m = pt_lg2_mask(s_lg2);

	return (amd_addr_get(e) & ~m) | (iova & m);
}

static inline int fmt_prot_bits(const struct pt_walk_ctx *c, unsigned int prot,
				uint64_t *bits)
{
	uint64_t b = 0;

	if (prot & PT_PROT_READ)
		b |= AMD_IR;
	if (prot & PT_PROT_WRITE)
		b |= AMD_IW;
	if (c->flags & PT_CFG_FORCE_COHERENT)
		b |= AMD_FC;
	*bits = b;
	return 0;
}

/*
 * fmt_make_leaf(oa) == fmt_make_leaf(0) | fmt_leaf_oa_bits(oa): the size
 * ones do not depend on the address, and every entry of a sized page
 * holds the page's address.
 */
static inline uint64_t fmt_leaf_oa_bits(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t oa,
					unsigned int s_lg2)
{
	return amd_addr_prep(oa & ~pt_lg2_mask(s_lg2));
}

static inline uint64_t fmt_make_leaf(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t oa,
				     unsigned int s_lg2, uint64_t bits)
{
	uint64_t field;

	if (s_lg2 == amd_item_lg2(lvl))
		return bits | AMD_PR | pt_fprep(AMD_NL, AMD_NL_PAGE) |
		       amd_addr_prep(oa);
	/* Ones below the size bit: 2^(s - granule - 1) - 1 in the field. */
	field = ((oa & ~pt_lg2_mask(s_lg2)) >> PTF_GRANULE_LG2) |
		pt_lg2_mask(s_lg2 - PTF_GRANULE_LG2 - 1);
	return bits | AMD_PR | pt_fprep(AMD_NL, AMD_NL_SIZED) |
	       pt_fprep(AMD_ADDR, field);
}

/* PDEs grant IR and IW: permission is ANDed, leaves decide. */
static inline uint64_t fmt_make_table(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t pa)
{
	return AMD_PR | pt_fprep(AMD_NL, lvl) | amd_addr_prep(pa) | AMD_IR |
	       AMD_IW;
}

static inline uint64_t fmt_leaf_bits(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	return e & ~(AMD_PR | pt_fmask(AMD_NL) | pt_fmask(AMD_ADDR));
}

static inline bool fmt_can_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & AMD_IW;
}

static inline bool fmt_is_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & AMD_D;
}

static inline uint64_t fmt_make_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | AMD_D;
}

static inline uint64_t fmt_make_clean(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & ~AMD_D;
}

static inline bool fmt_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & AMD_A;
}

static inline uint64_t fmt_set_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | AMD_A;
}

/* IR and IW grant only when set at every level. */
static inline unsigned int fmt_table_deny(const struct pt_walk_ctx *c,
					  uint64_t any, uint64_t all,
					  unsigned int access)
{
	unsigned int deny = 0;

	if (!(all & AMD_IR))
		deny |= PT_PERM_READ | PT_PERM_EXEC;
	if (!(all & AMD_IW))
		deny |= PT_PERM_WRITE;
	return deny;
}

static inline unsigned int fmt_leaf_perm(const struct pt_walk_ctx *c,
					 uint64_t e, unsigned int access)
{
	unsigned int p = PT_PERM_UNPRIV;

	if (e & AMD_IR)
		p |= PT_PERM_READ | PT_PERM_EXEC;
	if (e & AMD_IW)
		p |= PT_PERM_WRITE;
	return p;
}

static inline uint64_t fmt_leaf_attr(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	return (e & AMD_FC) ? PT_ATTR_COHERENT : 0;
}

/*
 * AMD v1: 1..6 levels (mode), 12 + 9 * levels input bits (64 at six);
 * with PT_CFG_DYNAMIC_TOP the table starts at cfg->levels (3 if 0) and
 * grows up to cfg->ias (64 if 0). Mock: three fixed levels, 38 bits.
 */
static inline int fmt_init(struct pt_walk_ctx *c, const struct pt_cfg *cfg)
{
	unsigned int oas_max = PTF_MOCK ? 51 : 52;
	unsigned int oas = cfg->oas ? cfg->oas : oas_max;
	unsigned int levels, cov, ias;
	uint32_t ok = PT_CFG_DIRTY | PT_CFG_FORCE_COHERENT;

	if (!PTF_MOCK)
		ok |= PT_CFG_DYNAMIC_TOP;
	if (cfg->flags & ~ok || oas < 32 || oas > oas_max)
		return -EINVAL;
	if (cfg->granule_lg2 && cfg->granule_lg2 != PTF_GRANULE_LG2)
		return -EINVAL;
	if (PTF_MOCK) {
		levels = 3;
		if ((cfg->levels && cfg->levels != 3) ||
		    (cfg->ias && cfg->ias != 38))
			return -EINVAL;
	} else if (cfg->levels) {
		levels = cfg->levels;
	} else if (cfg->ias && !(cfg->flags & PT_CFG_DYNAMIC_TOP)) {
		levels = cfg->ias <= 12 ? 1 : (cfg->ias - 12 + 8) / 9;
	} else {
		levels = 3;
	}
	if (levels < 1 || levels > PTF_MAX_LEVELS)
		return -EINVAL;
	cov = levels == AMD_MAX_LEVELS ? 64 : amd_item_lg2(levels);
	if (cfg->flags & PT_CFG_DYNAMIC_TOP)
		ias = cfg->ias ? cfg->ias : 64;
	else
		ias = cfg->ias ? cfg->ias : cov;
	if (ias > 64 || ias <= amd_item_lg2(levels - 1) ||
	    (!(cfg->flags & PT_CFG_DYNAMIC_TOP) && ias > cov))
		return -EINVAL;
	c->ias = ias;
	c->oas = oas;
	c->cfg_top_level = levels - 1;
	c->cfg_top_bits = (ias < cov ? ias : cov) - amd_item_lg2(levels - 1);
	return 0;
}

#endif
