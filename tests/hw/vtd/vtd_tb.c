// SPDX-License-Identifier: BSD-3-Clause
/* VT-d model test bench; see vtd_tb.h. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "vtd_tb.h"

static void *tb_map(void *priv, uint64_t pa, size_t len, bool write)
{
	return pt_flat_mem_ops.map(priv, pa, len, write);
}

static void *tb_palloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct tb *tb = (struct tb *)((char *)priv - offsetof(struct tb, fm));

	(void)align;
	*pa = tb_alloc(tb, size);
	return tb_ptr(*pa);
}

static void tb_pfree(void *priv, uint64_t pa, void *host, size_t size)
{
	(void)priv;
	(void)pa;
	(void)host;
	(void)size;
}

static void tb_irq(void *priv, enum vtd_irq irq)
{
	struct tb *tb = priv;

	__atomic_fetch_add(&tb->irqs[irq], 1, __ATOMIC_RELAXED);
}

uint64_t tb_alloc(struct tb *tb, size_t size)
{
	uint64_t off = tb->next;

	size = (size + 4095) & ~(size_t)4095;
	assert_true(off + size <= TB_RAM_SIZE);
	tb->next += size;
	memset((char *)tb->ram + off, 0, size);
	return (uint64_t)(uintptr_t)tb->ram + off;
}

void tb_init(struct tb *tb, void (*mod)(struct vtd_config *cfg))
{
	struct vtd_config cfg;

	memset(tb, 0, sizeof(*tb));
	tb->ram = aligned_alloc(1 << 21, TB_RAM_SIZE);
	assert_non_null(tb->ram);
	tb->fm.pa = (uint64_t)(uintptr_t)tb->ram;
	tb->fm.host = tb->ram;
	tb->fm.size = TB_RAM_SIZE;
	tb->ops.map = tb_map;
	tb->ops.alloc = tb_palloc;
	tb->ops.free = tb_pfree;
	vtd_config_default(&cfg);
	cfg.mem = &pt_flat_mem_ops;
	cfg.mem_priv = &tb->fm;
	cfg.irq = tb_irq;
	cfg.irq_priv = tb;
	if (mod)
		mod(&cfg);
	tb->vtd = vtd_create(&cfg);
	assert_false(IS_ERR(tb->vtd));
	tb->root = tb_alloc(tb, 4096);
	tb->iq = tb_alloc(tb, 4096);
	tb->wait_status = tb_ptr(tb_alloc(tb, 4096));
	vtd_mmio_write(tb->vtd, VTD_RTADDR_REG, 8,
		       tb->root | vtd_fprep(VTD_RTADDR_TTM, VTD_TTM_SCALABLE));
	vtd_mmio_write(tb->vtd, VTD_GCMD_REG, 4, vtd_fmask(VTD_GCMD_SRTP));
	vtd_mmio_write(tb->vtd, VTD_IQA_REG, 8, tb->iq | vtd_fmask(VTD_IQA_DW));
	vtd_mmio_write(tb->vtd, VTD_IQT_REG, 8, 0);
	vtd_mmio_write(tb->vtd, VTD_GCMD_REG, 4, vtd_fmask(VTD_GCMD_QIE));
	vtd_mmio_write(tb->vtd, VTD_FECTL_REG, 4, 0);
	vtd_mmio_write(tb->vtd, VTD_GCMD_REG, 4,
		       vtd_fmask(VTD_GCMD_QIE) | vtd_fmask(VTD_GCMD_TE));
}

void tb_fini(struct tb *tb)
{
	vtd_destroy(tb->vtd);
	free(tb->ram);
}

uint64_t *tb_ctx(struct tb *tb, uint16_t sid, uint32_t rid_pasid)
{
	uint64_t *re = tb_ptr(tb->root + (sid >> 8) * 16);
	unsigned int devfn = sid & 0xff, up = devfn >= 128;
	uint64_t *ce;

	if (!(re[up] & 1))
		re[up] = tb_alloc(tb, 4096) | 1;
	ce = tb_ptr((re[up] & ~0xfffull) + (devfn & 0x7f) * 32);
	if (!(ce[0] & 1)) {
		/* PDTS 7: 2^14 directory entries, all 20-bit PASIDs. */
		ce[0] = tb_alloc(tb, 1u << 17) | vtd_dprep(VTD_SM_CTX_PDTS, 7) |
			vtd_dprep(VTD_SM_CTX_PASIDE, 1) |
			vtd_dprep(VTD_SM_CTX_P, 1);
		ce[1] = vtd_dprep(VTD_SM_CTX_RID_PASID, rid_pasid);
	}
	return ce;
}

uint64_t *tb_pe(struct tb *tb, uint16_t sid, uint32_t pasid)
{
	uint64_t *ce = tb_ctx(tb, sid, 0);
	uint64_t *dir = tb_ptr(vtd_dget(ce, VTD_SM_CTX_PASIDDIRPTR) << 12);
	uint64_t *pde = &dir[pasid >> 6];

	if (!(*pde & 1))
		*pde = tb_alloc(tb, 4096) | 1;
	return tb_ptr((*pde & ~0xfffull) + (pasid & 63) * 64);
}

struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int ias,
		       uint32_t flags)
{
	struct pt_cfg c = {
		.fmt = fmt,
		.ias = ias,
		.oas = 52,
		.flags = flags,
		.mem = &tb->ops,
		.mem_priv = &tb->fm,
	};
	struct pt_table *t = pt_alloc(&c);

	assert_false(IS_ERR(t));
	return t;
}

void tb_pe_set(uint64_t *pe, unsigned int pgtt, uint16_t did,
	       struct pt_table *ss, struct pt_table *fs, bool ssade)
{
	uint64_t w[8] = { 0 };

	w[0] = vtd_dprep(VTD_PE_P, 1) | vtd_dprep(VTD_PE_PGTT, pgtt);
	if (ss) {
		w[0] |= pt_root(pt_table_walk_ctx(ss)) |
			vtd_dprep(VTD_PE_AW,
				  pt_levels(pt_table_walk_ctx(ss)) == 5
					  ? VTD_AW_57
					  : VTD_AW_48) |
			vtd_dprep(VTD_PE_SSADE, ssade);
	}
	w[1] = vtd_dprep(VTD_PE_DID, did);
	w[2] = vtd_dprep(VTD_PE_SRE, 1) | vtd_dprep(VTD_PE_ERE, 1);
	if (fs)
		w[2] |= pt_root(pt_table_walk_ctx(fs)) |
			vtd_dprep(VTD_PE_FSPM,
				  pt_levels(pt_table_walk_ctx(fs)) == 5
					  ? VTD_FSPM_5LVL
					  : VTD_FSPM_4LVL);
	memcpy(pe, w, sizeof(w));
}

uint32_t tb_qi(struct tb *tb, uint64_t d0, uint64_t d1)
{
	uint64_t *d = tb_ptr(tb->iq + tb->iq_tail * 32);

	d[0] = d0;
	d[1] = d1;
	d[2] = d[3] = 0;
	tb->iq_tail = (tb->iq_tail + 1) % TB_IQ_ENTRIES;
	vtd_mmio_write(tb->vtd, VTD_IQT_REG, 8, (uint64_t)tb->iq_tail << 5);
	return (uint32_t)vtd_mmio_read(tb->vtd, VTD_FSTS_REG, 4);
}

bool tb_wait(struct tb *tb)
{
	uint64_t pa = (uint64_t)(uintptr_t)tb->wait_status;

	*tb->wait_status = 0;
	tb_qi(tb,
	      VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_SW, 1) |
		      vtd_dprep(VTD_WAIT_SDATA, 0x600d),
	      vtd_dprep(VTD_WAIT_SADDR, pa >> 2));
	return *tb->wait_status == 0x600d;
}

void tb_inv_ctx_all(struct tb *tb)
{
	assert_int_equal(tb_qi(tb, VTD_DESC_CC | vtd_dprep(VTD_CC_G, 1), 0) &
				 vtd_fmask(VTD_FSTS_IQE),
			 0);
}

void tb_inv_pc(struct tb *tb, unsigned int g, uint16_t did, uint32_t pasid)
{
	assert_int_equal(tb_qi(tb,
			       VTD_DESC_PC | vtd_dprep(VTD_PC_G, g) |
				       vtd_dprep(VTD_PC_DID, did) |
				       vtd_dprep(VTD_PC_PASID, pasid),
			       0) &
				 vtd_fmask(VTD_FSTS_IQE),
			 0);
}

void tb_inv_iotlb(struct tb *tb, unsigned int g, uint16_t did, uint64_t addr,
		  unsigned int am)
{
	assert_int_equal(tb_qi(tb,
			       VTD_DESC_IOTLB | vtd_dprep(VTD_IOTLB_G, g) |
				       vtd_dprep(VTD_IOTLB_DID_D, did),
			       vtd_dprep(VTD_IOTLB_ADDR_D, addr >> 12) |
				       vtd_dprep(VTD_IOTLB_AM_D, am)) &
				 vtd_fmask(VTD_FSTS_IQE),
			 0);
}

void tb_inv_piotlb(struct tb *tb, unsigned int g, uint16_t did, uint32_t pasid,
		   uint64_t addr, unsigned int am)
{
	assert_int_equal(tb_qi(tb,
			       VTD_DESC_PIOTLB | vtd_dprep(VTD_PIOTLB_G, g) |
				       vtd_dprep(VTD_PIOTLB_DID, did) |
				       vtd_dprep(VTD_PIOTLB_PASID, pasid),
			       vtd_dprep(VTD_PIOTLB_ADDR, addr >> 12) |
				       vtd_dprep(VTD_PIOTLB_AM, am)) &
				 vtd_fmask(VTD_FSTS_IQE),
			 0);
}

void tb_clear_faults(struct tb *tb)
{
	uint64_t cap = vtd_mmio_read(tb->vtd, VTD_CAP_REG, 8);
	unsigned int fro = vtd_fget(cap, VTD_CAP_FRO) * 16;
	unsigned int i, n = vtd_fget(cap, VTD_CAP_NFR) + 1;

	for (i = 0; i < n; i++)
		vtd_mmio_write(tb->vtd, fro + i * 16 + 12, 4, 1u << 31);
	vtd_mmio_write(tb->vtd, VTD_FSTS_REG, 4, 0xff);
}

/* --- reference walks (VT-d 9.7, 9.8) --- */

bool ref_ss(uint64_t root, unsigned int levels, uint64_t iova, uint64_t *oa,
	    unsigned int *perm)
{
	uint64_t table = root, e = 0;
	unsigned int lvl, p = VTD_READ | VTD_WRITE | VTD_EXEC;

	if (iova >> (12 + 9 * levels))
		return false;
	for (lvl = levels; lvl >= 1; lvl--) {
		unsigned int shift = 12 + 9 * (lvl - 1);
		uint64_t *t = tb_ptr(table);

		e = t[(iova >> shift) & 511];
		if (!(e & 3))
			return false;
		if (!(e & 1))
			p &= ~(VTD_READ | VTD_EXEC);
		if (!(e & 2))
			p &= ~VTD_WRITE;
		if (lvl == 1 || (lvl <= 3 && (e & (1u << 7)))) {
			uint64_t m = (1ull << shift) - 1;

			*oa = (e & 0x000ffffffffff000ull & ~m) | (iova & m);
			*perm = p;
			return true;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return false;
}

bool ref_fs(uint64_t root, unsigned int levels, uint64_t iova, bool priv,
	    uint64_t *oa, unsigned int *perm,
	    bool (*xlate_table)(void *priv, uint64_t gpa, uint64_t *pa),
	    void *xpriv)
{
	uint64_t table = root, e, pa;
	unsigned int lvl, p = VTD_READ | VTD_WRITE | VTD_EXEC;
	bool user = true;

	for (lvl = levels; lvl >= 1; lvl--) {
		unsigned int shift = 12 + 9 * (lvl - 1);
		uint64_t *t;

		pa = table;
		if (xlate_table && !xlate_table(xpriv, table, &pa))
			return false;
		t = tb_ptr(pa);
		e = t[(iova >> shift) & 511];
		if (!(e & 1))
			return false;
		if (!(e & 2))
			p &= ~VTD_WRITE;
		if (e >> 63)
			p &= ~VTD_EXEC;
		if (!(e & 4))
			user = false;
		if (lvl == 1 || (lvl <= 3 && (e & (1u << 7)))) {
			uint64_t m = (1ull << shift) - 1;
			uint64_t addr = e & 0x000ffffffffff000ull;

			if (lvl > 1)
				addr &= ~(1ull << 12); /* PAT of a large page */
			*oa = (addr & ~m) | (iova & m);
			*perm = (!user && !priv) ? 0 : p;
			return true;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return false;
}
