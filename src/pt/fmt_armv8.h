/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMSAv8-64 translation tables, stage 1 and stage 2, for the engine.
 *
 * References are to the Arm Architecture Reference Manual for A-profile
 * (DDI 0487), chapter D8 "The AArch64 Virtual Memory System Architecture":
 * D8.3 "Translation table descriptor formats" for the layout of table, block
 * and page descriptors; D8.4 "Memory access control" for AP[2:1], S2AP,
 * PXN/UXN/XN and the hierarchical APTable/PXNTable/UXNTable controls;
 * "Hardware updates to the translation tables" (the Access flag, and the
 * dirty state kept in AP[2]/S2AP[1] under DBM) as SMMUv3 (IHI 0070, 3.13
 * "Translation table entries and Access/Dirty flags") applies them with
 * HTTU; and "The Contiguous bit" for the run lengths. Granules and the
 * levels they use are in D8.2 "Translation process".
 *
 * The including file defines PTF_STAGE (1 or 2) and PTF_GRANULE_LG2 (12, 14
 * or 16). Engine level 0 is lookup level 3; the architecture's level number
 * is 3 - engine level. 52-bit input and output addresses are supported with
 * the 64K granule only (FEAT_LVA/FEAT_LPA); FEAT_LPA2 and level -1 are not
 * modelled.
 *
 * Conventions this format chooses (they are behaviour, not architecture):
 * memory attributes follow Linux's io-pgtable MAIR layout (AttrIndx 0
 * normal non-cacheable, 1 normal write-back, 2 device), stage-1 leaves are
 * non-global (nG, the SMMU tags them with the ASID), and a writable leaf of
 * a PT_CFG_DIRTY table starts write-clean so the first write marks it dirty.
 */
#ifndef UIOMMUFD_PT_FMT_ARMV8_H
#define UIOMMUFD_PT_FMT_ARMV8_H

#include "pt/pt_priv.h"

#if !defined(PTF_STAGE) || !defined(PTF_GRANULE_LG2)
#error "define PTF_STAGE and PTF_GRANULE_LG2"
#endif

#define PTF_FMT (PTF_STAGE == 1 ? PT_FMT_ARM_S1 : PT_FMT_ARM_S2)
/* A table is one granule of 8-byte descriptors. */
#define PTF_BITS (PTF_GRANULE_LG2 - 3)
/* 4K and 16K: lookup levels 0..3; 64K: levels 1..3. */
#define PTF_MAX_LEVELS (PTF_GRANULE_LG2 == 16 ? 3 : 4)
/* AF=0 without hardware AF update is an Access flag fault. */
#define PTF_AF_FAULTS 1
/* An address beyond the configured PA size is an Address size fault. */
#define PTF_OAS_FAULT PT_FAULT_ADDRESS_SIZE

/* D8.3: descriptor type, bits[1:0]. 0b11 table (levels 0-2) or page (3). */
#define ARM_VALID PT_BIT(0)
#define ARM_TABLE_OR_PAGE PT_BIT(1)

/* D8.3 block/page lower attributes, stage 1. */
#define ARM_S1_ATTRINDX PT_FIELD(2, 3) /* index into MAIR */
#define ARM_S1_AP1 PT_BIT(6)	       /* AP[1]: EL0 access */
#define ARM_S1_AP2 PT_BIT(7)	       /* AP[2]: read-only */
#define ARM_S1_NG PT_BIT(11)	       /* not global */
/* D8.3 block/page lower attributes, stage 2. */
#define ARM_S2_MEMATTR PT_FIELD(2, 4)
#define ARM_S2AP_R PT_BIT(6) /* S2AP[0]: read */
#define ARM_S2AP_W PT_BIT(7) /* S2AP[1]: write */
/* Both stages. */
#define ARM_SH PT_FIELD(8, 2) /* shareability */
#define ARM_AF PT_BIT(10)     /* Access flag */
/* D8.3 upper attributes. */
#define ARM_DBM PT_BIT(51)  /* Dirty Bit Modifier */
#define ARM_CONT PT_BIT(52) /* Contiguous */
#define ARM_S1_PXN PT_BIT(53)
#define ARM_S1_UXN PT_BIT(54)
#define ARM_S2_XN PT_BIT(54) /* XN[1]; XN[0] (FEAT_XNX) is not modelled */
/* D8.3 stage-1 table descriptor hierarchical controls. */
#define ARM_PXNTABLE PT_BIT(59)
#define ARM_UXNTABLE PT_BIT(60)
#define ARM_APTABLE0 PT_BIT(61) /* no EL0 access below */
#define ARM_APTABLE1 PT_BIT(62) /* no write access below */
/* D8.3 output address: OA[47:granule]; with 64K, OA[51:48] in [15:12]. */
#define ARM_OA_LOW PT_FIELD(PTF_GRANULE_LG2, 48 - PTF_GRANULE_LG2)
#define ARM_OA_HIGH PT_FIELD(12, 4)

/* Shareability encodings (D8.3, SH[1:0]). */
#define ARM_SH_OUTER 2
#define ARM_SH_INNER 3
/* Stage-1 MAIR indices (Linux io-pgtable layout). */
#define ARM_ATTRIDX_NC 0
#define ARM_ATTRIDX_WB 1
#define ARM_ATTRIDX_DEV 2
/* Stage-2 MemAttr[3:0] (D8, stage 2 memory type and cacheability). */
#define ARM_MEMATTR_DEV_NGNRE 0x1
#define ARM_MEMATTR_NC 0x5
#define ARM_MEMATTR_WB 0xf

static inline uint64_t arm_oa_get(uint64_t e)
{
	uint64_t oa = e & pt_fmask(ARM_OA_LOW);

	if (PTF_GRANULE_LG2 == 16)
		oa |= pt_fget(e, ARM_OA_HIGH) << 48;
	return oa;
}

static inline uint64_t arm_oa_prep(uint64_t oa)
{
	uint64_t e = oa & pt_fmask(ARM_OA_LOW);

	if (PTF_GRANULE_LG2 == 16)
		e |= pt_fprep(ARM_OA_HIGH, oa >> 48);
	return e;
}

/*
 * Whether lookup level (3 - lvl) may hold a block or page (D8.3): pages at
 * level 3; 4K blocks at levels 2 and 1; 16K at level 2; 64K at level 2, and
 * level 1 (4TB) only with a 52-bit output address.
 */
static inline bool arm_can_leaf(const struct pt_walk_ctx *c, unsigned int lvl)
{
	if (lvl == 0)
		return true;
	if (PTF_GRANULE_LG2 == 12)
		return lvl <= 2;
	if (PTF_GRANULE_LG2 == 14)
		return lvl == 1;
	return lvl == 1 || (lvl == 2 && c->oas > 48);
}

/*
 * Entries in a contiguous run ("The Contiguous bit"): 4K granule 16 at every
 * block/page level; 16K 128 at level 3 and 32 at level 2; 64K 32 at levels
 * 3 and 2. 0 where the bit has no meaning.
 */
static inline unsigned int arm_contig_lg2(unsigned int lvl)
{
	if (PTF_GRANULE_LG2 == 12)
		return lvl <= 2 ? 4 : 0;
	if (PTF_GRANULE_LG2 == 14)
		return lvl == 0 ? 7 : lvl == 1 ? 5 : 0;
	return lvl <= 1 ? 5 : 0;
}

static inline uint64_t fmt_level_sizes(const struct pt_walk_ctx *c,
				       unsigned int lvl)
{
	unsigned int item = PTF_GRANULE_LG2 + PTF_BITS * lvl;
	uint64_t s;

	if (lvl >= PTF_MAX_LEVELS || !arm_can_leaf(c, lvl))
		return 0;
	s = PT_BIT(item);
	if (arm_contig_lg2(lvl))
		s |= PT_BIT(item + arm_contig_lg2(lvl));
	return s;
}

static inline unsigned int fmt_arch_level(unsigned int lvl)
{
	return 3 - lvl;
}

static inline unsigned int fmt_type(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	if (!(e & ARM_VALID))
		return PT_E_EMPTY;
	/* At level 3, 0b01 is reserved and behaves as invalid. */
	if (lvl == 0)
		return (e & ARM_TABLE_OR_PAGE) ? PT_E_LEAF : PT_E_EMPTY;
	if (e & ARM_TABLE_OR_PAGE)
		return PT_E_TABLE;
	/* A block where the granule allows none is a translation fault. */
	return arm_can_leaf(c, lvl) ? PT_E_LEAF : PT_E_EMPTY;
}

static inline enum pt_fault fmt_check(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t e,
				      unsigned int type)
{
	/* Address size faults are checked by the engine against oas. */
	return PT_FAULT_NONE;
}

static inline uint64_t fmt_table_pa(const struct pt_walk_ctx *c,
				    unsigned int lvl, uint64_t e)
{
	return arm_oa_get(e);
}

static inline unsigned int fmt_leaf_lg2(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t e)
{
	unsigned int item = PTF_GRANULE_LG2 + PTF_BITS * lvl;

	return (e & ARM_CONT) ? item + arm_contig_lg2(lvl) : item;
}

/* Each entry of a run holds its own item's address. */
static inline uint64_t fmt_oa(const struct pt_walk_ctx *c, unsigned int lvl,
			      uint64_t e, unsigned int s_lg2, uint64_t iova)
{
	uint64_t item_mask = pt_lg2_mask(PTF_GRANULE_LG2 + PTF_BITS * lvl);

	return (arm_oa_get(e) & ~item_mask) | (iova & item_mask);
}

static inline int fmt_prot_bits(const struct pt_walk_ctx *c, unsigned int prot,
				uint64_t *bits)
{
	uint64_t b = ARM_AF;
	unsigned int sh = (prot & PT_PROT_CACHE) ? ARM_SH_INNER : ARM_SH_OUTER;

	b |= pt_fprep(ARM_SH, sh);
	if (PTF_STAGE == 1) {
		unsigned int idx = ARM_ATTRIDX_NC;

		if (prot & PT_PROT_MMIO)
			idx = ARM_ATTRIDX_DEV;
		else if (prot & PT_PROT_CACHE)
			idx = ARM_ATTRIDX_WB;
		b |= pt_fprep(ARM_S1_ATTRINDX, idx) | ARM_S1_NG;
		if (!(prot & PT_PROT_PRIV))
			b |= ARM_S1_AP1;
		if (!(prot & PT_PROT_WRITE))
			b |= ARM_S1_AP2;
		else if (c->flags & PT_CFG_DIRTY)
			b |= ARM_DBM | ARM_S1_AP2; /* writable-clean */
		if (prot & PT_PROT_NOEXEC)
			b |= ARM_S1_UXN | ARM_S1_PXN;
	} else {
		unsigned int ma = ARM_MEMATTR_NC;

		if (prot & PT_PROT_MMIO)
			ma = ARM_MEMATTR_DEV_NGNRE;
		else if (prot & PT_PROT_CACHE)
			ma = ARM_MEMATTR_WB;
		b |= pt_fprep(ARM_S2_MEMATTR, ma);
		if (prot & PT_PROT_READ)
			b |= ARM_S2AP_R;
		if (prot & PT_PROT_WRITE)
			b |= (c->flags & PT_CFG_DIRTY) ? ARM_DBM : ARM_S2AP_W;
		if (prot & PT_PROT_NOEXEC)
			b |= ARM_S2_XN;
	}
	*bits = b;
	return 0;
}

/*
 * The part of a leaf that depends on its address: fmt_make_leaf(oa) is
 * fmt_make_leaf(0) | fmt_leaf_oa_bits(oa), so map fills runs from a
 * template.
 */
static inline uint64_t fmt_leaf_oa_bits(const struct pt_walk_ctx *c,
					unsigned int lvl, uint64_t oa,
					unsigned int s_lg2)
{
	return arm_oa_prep(oa);
}

static inline uint64_t fmt_make_leaf(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t oa,
				     unsigned int s_lg2, uint64_t bits)
{
	uint64_t e = bits | arm_oa_prep(oa) | ARM_VALID;

	if (lvl == 0)
		e |= ARM_TABLE_OR_PAGE;
	if (s_lg2 != PTF_GRANULE_LG2 + PTF_BITS * lvl)
		e |= ARM_CONT;
	return e;
}

/* Tables carry no hierarchical restriction: leaves decide. */
static inline uint64_t fmt_make_table(const struct pt_walk_ctx *c,
				      unsigned int lvl, uint64_t pa)
{
	return arm_oa_prep(pa) | ARM_VALID | ARM_TABLE_OR_PAGE;
}

static inline uint64_t fmt_leaf_bits(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	uint64_t addr = pt_fmask(ARM_OA_LOW);

	if (PTF_GRANULE_LG2 == 16)
		addr |= pt_fmask(ARM_OA_HIGH);
	return e & ~(addr | ARM_VALID | ARM_TABLE_OR_PAGE | ARM_CONT);
}

/*
 * Dirty state under DBM: stage 1 is dirty when AP[2] is clear (writable),
 * stage 2 when S2AP[1] is set; a write with hardware dirty management
 * makes a write-clean DBM leaf dirty.
 */
static inline bool fmt_can_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & ARM_DBM;
}

static inline bool fmt_is_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	if (PTF_STAGE == 1)
		return (e & (ARM_DBM | ARM_S1_AP2)) == ARM_DBM;
	return (e & (ARM_DBM | ARM_S2AP_W)) == (ARM_DBM | ARM_S2AP_W);
}

static inline uint64_t fmt_make_dirty(const struct pt_walk_ctx *c, uint64_t e)
{
	return PTF_STAGE == 1 ? e & ~ARM_S1_AP2 : e | ARM_S2AP_W;
}

static inline uint64_t fmt_make_clean(const struct pt_walk_ctx *c, uint64_t e)
{
	return PTF_STAGE == 1 ? e | ARM_S1_AP2 : e & ~ARM_S2AP_W;
}

static inline bool fmt_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e & ARM_AF;
}

static inline uint64_t fmt_set_accessed(const struct pt_walk_ctx *c, uint64_t e)
{
	return e | ARM_AF;
}

/*
 * D8.4: what stage-1 table descriptors take away from everything below
 * them; each hierarchical attribute restricts when set at any level.
 */
static inline unsigned int fmt_table_deny(const struct pt_walk_ctx *c,
					  uint64_t any, uint64_t all,
					  unsigned int access)
{
	unsigned int deny = 0;

	/* Usually none is set: one test. */
	if (PTF_STAGE != 1 || !(any & (ARM_PXNTABLE | ARM_UXNTABLE |
				       ARM_APTABLE0 | ARM_APTABLE1)))
		return 0;
	if (any & ARM_APTABLE1)
		deny |= PT_PERM_WRITE;
	if (access & PT_ACCESS_PRIV) {
		if (any & ARM_PXNTABLE)
			deny |= PT_PERM_EXEC;
	} else {
		if (any & ARM_APTABLE0)
			deny |= PT_PERM_READ | PT_PERM_WRITE | PT_PERM_EXEC;
		if (any & ARM_UXNTABLE)
			deny |= PT_PERM_EXEC;
	}
	return deny;
}

/* D8.4: permissions of a leaf for a request at @access's privilege. */
static inline unsigned int fmt_leaf_perm(const struct pt_walk_ctx *c,
					 uint64_t e, unsigned int access)
{
	bool hd_writable = (e & ARM_DBM) && (access & PT_HW_HD);
	unsigned int p = 0;

	if (PTF_STAGE == 1) {
		bool ro = (e & ARM_S1_AP2) && !hd_writable;
		/* Memory writable at EL0 is never executable at EL1. */
		bool el0_w = (e & ARM_S1_AP1) && !(e & ARM_S1_AP2);

		if (access & PT_ACCESS_PRIV) {
			p = PT_PERM_READ;
			if (!ro)
				p |= PT_PERM_WRITE;
			if (!(e & ARM_S1_PXN) && !el0_w)
				p |= PT_PERM_EXEC;
		} else if (e & ARM_S1_AP1) {
			p = PT_PERM_READ;
			if (!ro)
				p |= PT_PERM_WRITE;
			if (!(e & ARM_S1_UXN))
				p |= PT_PERM_EXEC;
		}
		if (e & ARM_S1_AP1)
			p |= PT_PERM_UNPRIV;
		return p;
	}
	if (e & ARM_S2AP_R)
		p |= PT_PERM_READ;
	if ((e & ARM_S2AP_W) || hd_writable)
		p |= PT_PERM_WRITE;
	if (!(e & ARM_S2_XN))
		p |= PT_PERM_EXEC;
	return p | PT_PERM_UNPRIV;
}

static inline uint64_t fmt_leaf_attr(const struct pt_walk_ctx *c,
				     unsigned int lvl, uint64_t e)
{
	uint64_t a = pt_fget(e, ARM_SH) << PT_ATTR_SH_SHIFT;

	if (PTF_STAGE == 1) {
		a |= pt_fget(e, ARM_S1_ATTRINDX);
		if (!(e & ARM_S1_NG))
			a |= PT_ATTR_GLOBAL;
		return a;
	}
	return a | pt_fget(e, ARM_S2_MEMATTR);
}

/*
 * D8.2: the input size fixes how many levels a walk takes; stage 1 starts
 * at the first level needed, stage 2 may start one level lower with up to
 * 16 concatenated tables ("Concatenated translation tables").
 */
static inline int fmt_init(struct pt_walk_ctx *c, const struct pt_cfg *cfg)
{
	unsigned int max_bits = PTF_GRANULE_LG2 == 16 ? 52 : 48;
	unsigned int ias = cfg->ias ? cfg->ias : 48;
	unsigned int oas = cfg->oas ? cfg->oas : 48;
	unsigned int min_levels, levels, top_bits;

	if (cfg->granule_lg2 && cfg->granule_lg2 != PTF_GRANULE_LG2)
		return -EINVAL;
	if (ias < 25 || ias > max_bits || oas < 32 || oas > max_bits)
		return -EINVAL;
	if (cfg->flags & ~PT_CFG_DIRTY)
		return -EINVAL;
	min_levels = (ias - PTF_GRANULE_LG2 + PTF_BITS - 1) / PTF_BITS;
	levels = cfg->levels ? cfg->levels : min_levels;
	if (levels > min_levels || levels < 1)
		return -EINVAL;
	top_bits = ias - PTF_GRANULE_LG2 - PTF_BITS * (levels - 1);
	if (levels < min_levels && (PTF_STAGE != 2 || top_bits > PTF_BITS + 4))
		return -EINVAL;
	c->ias = ias;
	c->oas = oas;
	c->cfg_top_level = levels - 1;
	c->cfg_top_bits = top_bits;
	return 0;
}

#endif
