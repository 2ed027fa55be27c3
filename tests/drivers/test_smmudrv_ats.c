// SPDX-License-Identifier: BSD-3-Clause
/*
 * ATS on the SMMUv3 driver: devices created with UFD_DEV_ATS whose DMA goes
 * through their ATC (src/dev/atc.c), Translation Requests served by the
 * SMMU model, Translated requests it checks, and the ATC invalidations the
 * driver (on unmap, dirty harvest, attach) and a guest (through its
 * vIOMMU) send.
 *
 * "No IOMMU lookup on a hit" is checked two ways: the counters (the
 * driver's Translation Requests, the model's TLB and configuration fills
 * stay still), and staleness -- a guest changes its stage 1 and
 * invalidates only the SMMU's TLB: the SMMU now answers the new page, the
 * device keeps reading the old one until an ATC_INV reaches it.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>

#include "smmudrv_tb.h"

#include "hw/smmuv3/smmuv3.h"
#include "uiommufd/uiommufd.h"

#define IOVA 0x100000ull
#define FAR (IOVA + (1ull << 30)) /* another ATC_INV span entirely */
#define VA 0x70000000ull
#define VSID 0x51

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_smmuv3_iommu;
}

static struct ufd_dev *ats_dev(const struct ufd_iommu_ops *o)
{
	struct ufd_dev *dev = ufd_dev_create(o, UFD_DEV_ATS);

	assert_false(IS_ERR(dev));
	return dev;
}

static struct ufd_atc_stats atc(struct ufd_dev *dev)
{
	struct ufd_atc_stats st;

	assert_int_equal(ufd_dev_atc_stats(dev, &st), 0);
	return st;
}

static struct ufd_smmuv3_stats drv_of(struct ufd_smmuv3 *smmu)
{
	struct ufd_smmuv3_stats st;

	ufd_smmuv3_get_stats(smmu, &st);
	return st;
}

static struct ufd_smmuv3_stats drv(struct ufd_dev *dev)
{
	return drv_of(ufd_smmuv3_of(dev->iommu));
}

static struct smmuv3_stats hw(struct ufd_dev *dev)
{
	struct smmuv3_stats st;

	smmuv3_get_stats(ufd_smmuv3_hw(ufd_smmuv3_of(dev->iommu)), &st);
	return st;
}

static void read_ste(struct ufd_dev *dev, uint64_t ste[SMMU_STE_DWORDS])
{
	assert_int_equal(ufd_smmuv3_read_ste(ufd_smmuv3_of(dev->iommu),
					     ufd_smmuv3_dev_sid(dev), ste),
			 0);
}

static unsigned int ste_eats(struct ufd_dev *dev)
{
	uint64_t ste[SMMU_STE_DWORDS];

	read_ste(dev, ste);
	return smmu_dget(ste, SMMU_STE_EATS);
}

static uint64_t rd(struct ufd_dev *dev, uint64_t iova)
{
	uint64_t v = 0;

	assert_int_equal(tb_dma_read64(dev, iova, &v), 0);
	return v;
}

/* A page-aligned buffer of @pages pages; word 0 of page i holds @tag + i. */
static uint64_t *tagged(unsigned int pages, uint64_t tag, size_t align)
{
	uint64_t *p = tb_buf(pages * TB_PAGE, align);
	unsigned int i;

	memset(p, 0, pages * TB_PAGE);
	for (i = 0; i < pages; i++)
		p[i * TB_PAGE / 8] = tag + i;
	return p;
}

/* ---- Who gets ATS ---- */

static void tweak_no_ats(struct smmuv3_config *cfg)
{
	cfg->ats = false;
}

static void test_caps(void **state)
{
	struct ufd_dev *plain = tb_dev(ops(), 0), *dev = ats_dev(ops());
	struct ufd_domain *d = tb_paging(dev, 0);
	const struct ufd_smmuv3_opts no_ats = { .tweak = tweak_no_ats };
	struct ufd_smmuv3 *smmu;
	struct ufd_atc_stats st;
	uint64_t *buf = tagged(1, 0x500, TB_PAGE);
	struct ufd_dev *other;
	struct ufd_domain *od;

	/* PRI without ATS is no device. */
	assert_int_equal(PTR_ERR(ufd_dev_create(ops(), UFD_DEV_PRI)), -EINVAL);

	assert_false(
		ufd_iommu_capable(ops(), plain, UFD_CAP_PCI_ATS_SUPPORTED));
	assert_true(ufd_iommu_capable(ops(), dev, UFD_CAP_PCI_ATS_SUPPORTED));
	assert_int_equal(ufd_dev_atc_stats(plain, &st), -EINVAL);
	/* Blocked: no EATS, ATS off. */
	assert_int_equal(ste_eats(dev), SMMU_EATS_ABT);
	assert_false(dev->ats_enabled);

	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(plain, d), 0);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(ste_eats(plain), SMMU_EATS_ABT);
	assert_false(plain->ats_enabled);
	assert_int_equal(ste_eats(dev), SMMU_EATS_TRANS);
	assert_true(dev->ats_enabled);
	assert_int_equal(rd(plain, IOVA), 0x500);
	assert_int_equal(rd(dev, IOVA), 0x500);
	assert_int_equal(atc(dev).fills, 1);
	tb_dev_put(plain);
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);

	/* A device with ATS behind an SMMU without: untranslated DMA. */
	smmu = ufd_smmuv3_create(&no_ats);
	assert_false(IS_ERR(smmu));
	other = ats_dev(ufd_smmuv3_ops(smmu));
	assert_false(ufd_iommu_capable(ufd_smmuv3_ops(smmu), other,
				       UFD_CAP_PCI_ATS_SUPPORTED));
	od = tb_paging(other, 0);
	tb_map(od, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(other, od), 0);
	assert_int_equal(ste_eats(other), SMMU_EATS_ABT);
	assert_false(other->ats_enabled);
	assert_int_equal(rd(other, IOVA), 0x500);
	assert_int_equal(atc(other).requests, 0);
	assert_int_equal(drv(other).ats_treqs, 0);
	tb_dev_put(other);
	tb_unmap(od, IOVA, TB_PAGE);
	tb_domain_free(od);
	ufd_smmuv3_destroy(smmu);
	tb_buf_free(buf);
}

/* ---- Fill and hit ---- */

static void test_fill_and_hit(void **state)
{
	struct ufd_dev *dev = ats_dev(ops());
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *buf = tagged(2, 0x100, TB_PAGE);
	uint64_t *blk = tagged(512, 0x1000, 2ull << 20);
	struct ufd_smmuv3_stats d0, d1;
	struct ufd_atc_stats a0, a1;
	struct smmuv3_stats h0, h1;
	uint64_t v, big[2];
	unsigned int i;
	uint8_t *copy;

	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	tb_map(d, 1ull << 30, blk, 2ull << 20, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);

	/* The first DMA asks the SMMU and fills the ATC. */
	d0 = drv(dev);
	a0 = atc(dev);
	assert_int_equal(a0.entries, 0);
	assert_int_equal(rd(dev, IOVA), 0x100);
	a1 = atc(dev);
	d1 = drv(dev);
	assert_int_equal(a1.requests - a0.requests, 1);
	assert_int_equal(a1.fills - a0.fills, 1);
	assert_int_equal(a1.entries, 1);
	assert_int_equal(d1.ats_treqs - d0.ats_treqs, 1);
	assert_int_equal(d1.ats_translated - d0.ats_translated, 1);

	/* Hits: no Translation Request, no TLB or configuration fill. */
	d0 = drv(dev);
	a0 = atc(dev);
	h0 = hw(dev);
	for (i = 0; i < 100; i++) {
		assert_int_equal(tb_dma_read64(dev, IOVA + 8 * (i % 64), &v),
				 0);
		assert_int_equal(v, i % 64 ? 0 : 0x100);
	}
	d1 = drv(dev);
	a1 = atc(dev);
	h1 = hw(dev);
	assert_int_equal(a1.hits - a0.hits, 100);
	assert_int_equal(a1.requests, a0.requests);
	assert_int_equal(d1.ats_treqs, d0.ats_treqs);
	assert_int_equal(d1.ats_translated - d0.ats_translated, 100);
	assert_int_equal(h1.tlb_fills, h0.tlb_fills);
	assert_int_equal(h1.cfg_fills, h0.cfg_fills);

	/* A read asked read-only: the first write asks again, for write. */
	assert_int_equal(tb_dma_write64(dev, IOVA + 8, 0x77), 0);
	assert_int_equal(buf[1], 0x77);
	assert_int_equal(atc(dev).requests - a1.requests, 1);
	assert_int_equal(atc(dev).entries, 1);
	assert_int_equal(tb_dma_write64(dev, IOVA + 16, 0x78), 0);
	assert_int_equal(buf[2], 0x78);
	assert_int_equal(atc(dev).requests - a1.requests, 1);

	/* A DMA across two pages: two entries. */
	assert_int_equal(ufd_dev_dma(dev, IOVA + TB_PAGE - 8, big, 16, false),
			 0);
	assert_int_equal(big[1], 0x101);
	assert_int_equal(atc(dev).entries, 2);

	/* A 2 MiB block is one entry, and one DMA piece. */
	a0 = atc(dev);
	copy = tb_buf(2ull << 20, TB_PAGE);
	assert_int_equal(ufd_dev_dma(dev, 1ull << 30, copy, 2ull << 20, false),
			 0);
	assert_memory_equal(copy, blk, 2ull << 20);
	for (i = 0; i < 512; i += 37)
		assert_int_equal(rd(dev, (1ull << 30) + i * TB_PAGE),
				 0x1000 + i);
	a1 = atc(dev);
	assert_int_equal(a1.requests - a0.requests, 1);
	assert_int_equal(a1.entries, 3);
	assert_int_equal(a1.hits - a0.hits, (512 + 36) / 37);

	tb_dev_put(dev);
	tb_unmap(d, 0, 1ull << 31);
	tb_domain_free(d);
	tb_buf_free(copy);
	tb_buf_free(blk);
	tb_buf_free(buf);
}

/* What the ATC holds and what it refuses to hold. */
static void test_perms_and_misses(void **state)
{
	struct ufd_dev *dev = ats_dev(ops()), *plain = tb_dev(ops(), 0);
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *buf = tagged(2, 0x200, TB_PAGE);
	struct ufd_ats_req req = { .kind = UFD_ATS_TRANSLATED };
	struct ufd_atc_stats a0;
	uint64_t v;

	tb_map(d, IOVA, buf, TB_PAGE, IOPT_PROT_READ);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(rd(dev, IOVA), 0x200);
	assert_int_equal(tb_dma_write64(dev, IOVA, 1), -EPERM);
	assert_int_equal(buf[0], 0x200);

	/* "Nothing mapped" is not cached: mapping needs no invalidation. */
	a0 = atc(dev);
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), -EFAULT);
	assert_int_equal(atc(dev).entries, a0.entries);
	assert_int_equal(atc(dev).fills, a0.fills);
	tb_map(d, IOVA + TB_PAGE, buf + TB_PAGE / 8, TB_PAGE, RW);
	assert_int_equal(rd(dev, IOVA + TB_PAGE), 0x201);

	/* The SMMU admits Translated requests only from an ATS stream. */
	assert_int_equal(ufd_dev_set_domain(plain, d), 0);
	req.addr = (uint64_t)(uintptr_t)buf;
	assert_int_equal(ops()->ats_request(dev, &req), 0);
	assert_int_equal(ops()->ats_request(plain, &req), -EFAULT);
	/* And a stream without ATS gets no translations either. */
	req.kind = UFD_ATS_TRANSLATE;
	req.addr = IOVA;
	assert_int_equal(ops()->ats_request(plain, &req), -EFAULT);
	req.kind = 99;
	assert_int_equal(ops()->ats_request(dev, &req), -EINVAL);

	tb_dev_put(plain);
	tb_dev_put(dev);
	tb_unmap(d, IOVA, 2 * TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/* The ATC holds UFD_ATC_ENTRIES translations and evicts one per fill. */
static void test_bounded(void **state)
{
	const unsigned int n = UFD_ATC_ENTRIES + 36;
	struct ufd_dev *dev = ats_dev(ops());
	struct ufd_domain *d = tb_paging(dev, 0);
	uint64_t *buf = tagged(n, 0x4000, TB_PAGE);
	struct ufd_atc_stats a0, a1;
	unsigned int i;

	tb_map(d, IOVA, buf, n * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(rd(dev, IOVA + i * TB_PAGE), 0x4000 + i);
	a0 = atc(dev);
	assert_int_equal(a0.entries, UFD_ATC_ENTRIES);
	assert_int_equal(a0.evictions, n - UFD_ATC_ENTRIES);
	assert_int_equal(a0.requests, n);
	/* The newest UFD_ATC_ENTRIES are still there... */
	for (i = n - UFD_ATC_ENTRIES; i < n; i++)
		assert_int_equal(rd(dev, IOVA + i * TB_PAGE), 0x4000 + i);
	a1 = atc(dev);
	assert_int_equal(a1.requests, a0.requests);
	assert_int_equal(a1.hits - a0.hits, UFD_ATC_ENTRIES);
	/* ...and an evicted one is asked for again. */
	assert_int_equal(rd(dev, IOVA), 0x4000);
	assert_int_equal(atc(dev).requests - a1.requests, 1);
	assert_int_equal(atc(dev).entries, UFD_ATC_ENTRIES);

	tb_dev_put(dev);
	tb_unmap(d, IOVA, n * TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/* ---- The driver's ATC invalidations ---- */

static void unmap_invalidates(uint32_t flags)
{
	struct ufd_dev *dev = ats_dev(ops());
	struct ufd_domain *d = tb_paging(dev, flags);
	uint64_t *a = tagged(4, 0x300, TB_PAGE), *b = tagged(1, 0x900, TB_PAGE);
	struct ufd_smmuv3_stats d0;
	struct ufd_atc_stats a0;
	uint64_t v;

	tb_map(d, IOVA, a, 2 * TB_PAGE, RW);
	tb_map(d, FAR, a + 2 * TB_PAGE / 8, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_int_equal(ste_eats(dev), SMMU_EATS_TRANS);
	assert_int_equal(rd(dev, IOVA), 0x300);
	assert_int_equal(rd(dev, IOVA + TB_PAGE), 0x301);
	assert_int_equal(rd(dev, FAR), 0x302);
	assert_int_equal(atc(dev).entries, 3);

	/* Unmapping one page: one ATC_INV, which spares the far entry. */
	d0 = drv(dev);
	a0 = atc(dev);
	assert_int_equal(tb_unmap(d, IOVA, TB_PAGE), TB_PAGE);
	assert_int_equal(drv(dev).atc_invs - d0.atc_invs, 1);
	assert_int_equal(atc(dev).inval_reqs - a0.inval_reqs, 1);
	assert_int_equal(atc(dev).entries, 2);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	a0 = atc(dev);
	assert_int_equal(rd(dev, FAR), 0x302);
	assert_int_equal(rd(dev, IOVA + TB_PAGE), 0x301);
	assert_int_equal(atc(dev).requests, a0.requests);

	/* Mapped again elsewhere: the device sees the new page. */
	tb_map(d, IOVA, b, TB_PAGE, RW);
	assert_int_equal(rd(dev, IOVA), 0x900);

	/* Unmapping everything empties the ATC. */
	tb_unmap(d, 0, 1ull << 31);
	assert_int_equal(atc(dev).entries, 0);
	assert_int_equal(tb_dma_read64(dev, FAR, &v), -EFAULT);

	tb_dev_put(dev);
	tb_domain_free(d);
	tb_buf_free(b);
	tb_buf_free(a);
}

static void test_unmap_s1(void **state)
{
	unmap_invalidates(0);
}

static void test_unmap_s2(void **state)
{
	unmap_invalidates(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

static void count_dirty(void *priv, uint64_t iova, uint64_t len)
{
	*(uint64_t *)priv += len;
}

/* A harvest that clears a mark must make the next write ask again. */
static void test_dirty(void **state)
{
	struct ufd_dev *dev = ats_dev(ops());
	struct ufd_domain *d = tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	uint64_t *buf = tagged(1, 0, TB_PAGE), dirty = 0;
	const struct ufd_dirty_sink sink = { count_dirty, &dirty };
	struct ufd_atc_stats a0;
	unsigned int round;

	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(d->dirty_ops->set_dirty_tracking(d, true), 0);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	/* A read leaves the page clean: it asked without write. */
	assert_int_equal(rd(dev, IOVA), 0);
	assert_int_equal(d->dirty_ops->read_and_clear_dirty(d, IOVA, TB_PAGE, 0,
							    &sink),
			 0);
	assert_int_equal(dirty, 0);
	for (round = 0; round < 3; round++) {
		a0 = atc(dev);
		assert_int_equal(tb_dma_write64(dev, IOVA, round + 1), 0);
		assert_int_equal(atc(dev).requests - a0.requests, 1);
		/* Hits do not ask, and the page stays marked. */
		assert_int_equal(tb_dma_write64(dev, IOVA + 8, round), 0);
		assert_int_equal(atc(dev).requests - a0.requests, 1);
		dirty = 0;
		assert_int_equal(d->dirty_ops->read_and_clear_dirty(
					 d, IOVA, TB_PAGE, 0, &sink),
				 0);
		assert_int_equal(dirty, TB_PAGE);
		dirty = 0;
		assert_int_equal(d->dirty_ops->read_and_clear_dirty(
					 d, IOVA, TB_PAGE, 0, &sink),
				 0);
		assert_int_equal(dirty, 0);
		assert_int_equal(buf[0], round + 1);
	}
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

/* Changing domains: the ATC starts empty; blocking turns ATS off. */
static void test_attach_switch(void **state)
{
	struct ufd_dev *dev = ats_dev(ops());
	struct ufd_domain *da = tb_paging(dev, 0);
	struct ufd_domain *db = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	uint64_t *a = tagged(1, 0xa0, TB_PAGE), *b = tagged(1, 0xb0, TB_PAGE);
	struct ufd_smmuv3_stats d0;
	uint64_t v;

	tb_map(da, IOVA, a, TB_PAGE, RW);
	tb_map(db, IOVA, b, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, da), 0);
	assert_int_equal(rd(dev, IOVA), 0xa0);
	d0 = drv(dev);
	assert_int_equal(ufd_dev_set_domain(dev, db), 0);
	assert_int_equal(ste_eats(dev), SMMU_EATS_TRANS);
	assert_true(drv(dev).atc_invs > d0.atc_invs);
	assert_int_equal(atc(dev).entries, 0);
	assert_int_equal(rd(dev, IOVA), 0xb0);

	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_int_equal(ste_eats(dev), SMMU_EATS_ABT);
	assert_false(dev->ats_enabled);
	assert_int_equal(atc(dev).entries, 0);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);

	/* Back on A; B's unmaps no longer concern the device. */
	assert_int_equal(ufd_dev_set_domain(dev, da), 0);
	assert_int_equal(rd(dev, IOVA), 0xa0);
	d0 = drv(dev);
	tb_unmap(db, IOVA, TB_PAGE);
	assert_int_equal(drv(dev).atc_invs, d0.atc_invs);
	assert_int_equal(atc(dev).entries, 1);

	tb_dev_put(dev);
	tb_unmap(da, IOVA, TB_PAGE);
	tb_domain_free(da);
	tb_domain_free(db);
	tb_buf_free(a);
	tb_buf_free(b);
}

/* ---- A guest's device ---- */

struct world {
	struct ufd_dev *dev;
	struct ufd_domain *s2;
	struct tb_guest g;
	struct tb_viommu tv;
	struct ufd_vdevice vdev;
	uint64_t pa, pb; /* guest pages holding 0xa and 0xb */
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->dev = ats_dev(ops());
	w->s2 = tb_paging(w->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, 0x31);
	w->pa = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	w->pb = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pa) = 0xa;
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pb) = 0xb;
	assert_int_equal(tb_viommu_init(&w->tv, ops(),
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, w->s2,
					NULL),
			 0);
	assert_int_equal(tb_vdev_init(&w->vdev, &w->tv, w->dev, VSID), 0);
}

static void world_fini(struct world *w)
{
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	tb_vdev_fini(&w->vdev);
	tb_viommu_fini(&w->tv);
	tb_dev_put(w->dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
}

static struct ufd_domain *world_nested(struct world *w, unsigned int cfg,
				       bool eats)
{
	uint64_t ste[2];
	struct ufd_domain *n;

	tb_gste(&w->g, ste);
	smmu_dset(ste, SMMU_STE_CONFIG, cfg);
	smmu_dset(ste, SMMU_STE_EATS, eats ? SMMU_EATS_TRANS : SMMU_EATS_ABT);
	n = tb_nested(&w->tv, ste);
	assert_false(IS_ERR(n));
	return n;
}

static void guest_inv(struct world *w, uint64_t c0, uint64_t c1)
{
	const uint64_t cmd[1][2] = { { c0, c1 } };
	struct ufd_user_data_array a =
		tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmd, 16, 1);

	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 0);
	assert_int_equal(a.entry_num, 1);
}

static void guest_tlbi_va(struct world *w, uint64_t va)
{
	guest_inv(w,
		  tb_cmd0(SMMU_CMD_TLBI_NH_VA) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, w->g.asid),
		  smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12));
}

/* The guest's ATC_INV of 2^span pages at @va, by its vSID. */
static void guest_atc_inv(struct world *w, uint64_t va, unsigned int span)
{
	guest_inv(w, tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, VSID),
		  smmu_dprep(SMMU_CMD_ATC_SIZE, span) |
			  smmu_dprep(SMMU_CMD_ATC_ADDR, va >> 12));
}

/* What the SMMU itself answers for the device at @va now. */
static uint64_t smmu_says(struct world *w, uint64_t va)
{
	struct smmuv3_xlate x;

	assert_int_equal(smmuv3_translate(ufd_smmuv3_hw(ufd_smmuv3_default()),
					  ufd_smmuv3_dev_sid(w->dev),
					  SMMUV3_NO_SSID, va, SMMUV3_READ, &x),
			 0);
	return *(uint64_t *)(uintptr_t)x.oa;
}

static void test_guest_stale_until_atc_inv(void **state)
{
	struct world w;
	struct ufd_domain *n;
	uint64_t ste[SMMU_STE_DWORDS];
	struct ufd_atc_stats a0;

	world_init(&w);
	n = world_nested(&w, SMMU_STE_CFG_S1, true);
	assert_int_equal(ufd_dev_set_domain(w.dev, n), 0);
	read_ste(w.dev, ste);
	assert_int_equal(smmu_dget(ste, SMMU_STE_CONFIG), SMMU_STE_CFG_NESTED);
	assert_int_equal(smmu_dget(ste, SMMU_STE_EATS), SMMU_EATS_TRANS);
	assert_true(w.dev->ats_enabled);

	tb_gmap(&w.g, VA, w.pa, TB_PAGE, true);
	assert_int_equal(rd(w.dev, VA), 0xa);
	assert_int_equal(atc(w.dev).entries, 1);

	/* The guest remaps and invalidates the SMMU's TLB only. */
	tb_gunmap(&w.g, VA, TB_PAGE);
	tb_gmap(&w.g, VA, w.pb, TB_PAGE, true);
	guest_tlbi_va(&w, VA);
	assert_int_equal(smmu_says(&w, VA), 0xb);
	a0 = atc(w.dev);
	assert_int_equal(rd(w.dev, VA), 0xa);
	assert_int_equal(atc(w.dev).requests, a0.requests);

	/* An ATC_INV of another range leaves the entry... */
	guest_atc_inv(&w, VA + (1ull << 20), 0);
	assert_int_equal(atc(w.dev).inval_reqs - a0.inval_reqs, 1);
	assert_int_equal(rd(w.dev, VA), 0xa);
	/* ...one covering it (16 pages, aligned) drops it. */
	guest_atc_inv(&w, VA, 4);
	assert_int_equal(atc(w.dev).entries, 0);
	assert_int_equal(rd(w.dev, VA), 0xb);
	assert_int_equal(atc(w.dev).requests - a0.requests, 1);

	/* The host's stage-2 unmap reaches the nested ATC: all of it. */
	a0 = atc(w.dev);
	tb_unmap(w.s2, w.pa, TB_PAGE);
	assert_int_equal(atc(w.dev).inval_reqs - a0.inval_reqs, 1);
	assert_int_equal(atc(w.dev).entries, 0);
	tb_map(w.s2, w.pa, tb_gpa_ptr(&w.g, w.pa), TB_PAGE, RW);

	assert_int_equal(ufd_dev_set_domain(w.dev, NULL), 0);
	n->ops->free(n);
	world_fini(&w);
}

/* The physical EATS follows the guest's, for each vSTE Config. */
static void test_guest_eats(void **state)
{
	static const struct {
		unsigned int cfg;
		bool eats, ats;
	} cases[] = {
		{ SMMU_STE_CFG_S1, true, true },
		{ SMMU_STE_CFG_S1, false, false },
		{ SMMU_STE_CFG_BYPASS, false, true },
		{ SMMU_STE_CFG_BYPASS, true, true },
		{ SMMU_STE_CFG_ABORT, true, false },
	};
	struct world w;
	unsigned int i;
	uint64_t v;

	world_init(&w);
	tb_gmap(&w.g, VA, w.pa, TB_PAGE, true);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ufd_domain *n =
			world_nested(&w, cases[i].cfg, cases[i].eats);
		struct ufd_atc_stats a0 = atc(w.dev);
		uint64_t where = cases[i].cfg == SMMU_STE_CFG_BYPASS ? w.pa
								     : VA;

		assert_int_equal(ufd_dev_set_domain(w.dev, n), 0);
		assert_int_equal(ste_eats(w.dev), cases[i].ats ? SMMU_EATS_TRANS
							       : SMMU_EATS_ABT);
		assert_int_equal(w.dev->ats_enabled, cases[i].ats);
		if (cases[i].cfg == SMMU_STE_CFG_ABORT) {
			assert_int_equal(tb_dma_read64(w.dev, VA, &v), -EFAULT);
		} else {
			assert_int_equal(rd(w.dev, where), 0xa);
			assert_int_equal(atc(w.dev).requests - a0.requests,
					 cases[i].ats);
		}
		assert_int_equal(ufd_dev_set_domain(w.dev, NULL), 0);
		n->ops->free(n);
	}
	world_fini(&w);
}

/* ---- Under concurrency (run under TSan too) ---- */

#define MT_PAGES 32

struct mt {
	struct ufd_dev *dev;
	struct ufd_domain *d;
	uint64_t *pool; /* 2 * MT_PAGES pages, page i holds i */
	_Atomic unsigned int gen[MT_PAGES];
	_Atomic int cur[MT_PAGES]; /* pool page mapped, -1: none */
	_Atomic bool stop;
	_Atomic unsigned int started; /* readers running */
	/* Checked reads, those of pages remapped before, wrong ones. */
	_Atomic unsigned long checked, remapped, bad;
};

struct mt_reader {
	struct mt *m;
	uint64_t seed;
};

/*
 * Reads a random page; when the page's generation was even and unchanged
 * around the DMA, it must have seen exactly the current mapping: an ATC
 * entry that outlived its unmap would show the old page.
 */
static void *mt_reader(void *arg)
{
	const struct mt_reader *r = arg;
	struct mt *m = r->m;
	uint64_t rng = r->seed, v;
	unsigned int p, g1, g2;
	int cur, rc;

	atomic_fetch_add(&m->started, 1);
	while (!atomic_load(&m->stop)) {
		p = (unsigned int)(tb_rand(&rng) % MT_PAGES);
		g1 = atomic_load(&m->gen[p]);
		cur = atomic_load(&m->cur[p]);
		rc = tb_dma_read64(m->dev, IOVA + p * TB_PAGE, &v);
		g2 = atomic_load(&m->gen[p]);
		if (g1 != g2 || (g1 & 1))
			continue;
		if (cur < 0 ? rc != -EFAULT : rc || v != (uint64_t)cur)
			atomic_fetch_add(&m->bad, 1);
		atomic_fetch_add(&m->checked, 1);
		/* Only these can meet an entry that outlived its unmap. */
		if (g1)
			atomic_fetch_add(&m->remapped, 1);
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_mt_dma_vs_unmap(void **state)
{
	struct mt *m = calloc(1, sizeof(*m));
	struct mt_reader args[2] = { { m, 0x1111 }, { m, 0x2222 } };
	uint64_t rng = tb_seed("ats dma vs unmap", 0xa75), deadline;
	unsigned int i, p, rounds, overlapped = 0;
	unsigned long seen = 0;
	pthread_t th[2];
	int q;

	assert_non_null(m);
	m->pool = tagged(2 * MT_PAGES, 0, TB_PAGE);
	m->dev = ats_dev(ops());
	m->d = tb_paging(m->dev, 0);
	for (i = 0; i < MT_PAGES; i++) {
		tb_map(m->d, IOVA + i * TB_PAGE, m->pool + i * TB_PAGE / 8,
		       TB_PAGE, RW);
		atomic_store(&m->cur[i], (int)i);
	}
	assert_int_equal(ufd_dev_set_domain(m->dev, m->d), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, mt_reader, &args[i]), 0);
	/*
	 * Enough changes while reads go on (a thread can take milliseconds
	 * to start or be scheduled on a loaded machine, longer than all the
	 * changes take), and enough reads of changed pages.
	 */
	while (atomic_load(&m->started) < 2)
		sched_yield();
	deadline = now_ns() + 8000000000ull;
	for (rounds = 0;
	     (overlapped < 5000 || atomic_load(&m->remapped) < 5000) &&
	     now_ns() < deadline;
	     rounds++) {
		uint64_t r = tb_rand(&rng);

		p = (unsigned int)(r % MT_PAGES);
		/* A quarter of the changes leave the page unmapped. */
		q = (r >> 8) % 4 ? (int)((r >> 16) % (2 * MT_PAGES)) : -1;
		atomic_fetch_add(&m->gen[p], 1);
		tb_unmap(m->d, IOVA + p * TB_PAGE, TB_PAGE);
		if (q >= 0)
			tb_map(m->d, IOVA + p * TB_PAGE,
			       m->pool + q * TB_PAGE / 8, TB_PAGE, RW);
		atomic_store(&m->cur[p], q);
		atomic_fetch_add(&m->gen[p], 1);
		if (atomic_load(&m->checked) != seen) {
			seen = atomic_load(&m->checked);
			overlapped++;
		}
	}
	atomic_store(&m->stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("# %lu reads checked (%lu of remapped pages), %u remaps (%u "
	       "among reads), %" PRIu64 " stale answers\n",
	       atomic_load(&m->checked), atomic_load(&m->remapped), rounds,
	       overlapped, atc(m->dev).stale);
	assert_true(overlapped > 0);
	assert_true(atomic_load(&m->remapped) > 0);
	assert_int_equal(atomic_load(&m->bad), 0);
	assert_true(atc(m->dev).hits > 0);
	tb_dev_put(m->dev);
	tb_unmap(m->d, IOVA, MT_PAGES * TB_PAGE);
	tb_domain_free(m->d);
	tb_buf_free(m->pool);
	free(m);
}

/*
 * An unmap's ATC invalidation returns only once a copy through the old
 * entry is over: after tb_unmap() the memory may change (or go), and the
 * DMA must have read all of it before, or nothing (it faults).
 */
#define BIG (2ull << 20)

struct copier {
	struct ufd_dev *dev;
	uint8_t *dst;
	_Atomic bool go;
	int rc;
};

static void *copier_main(void *arg)
{
	struct copier *c = arg;

	atomic_store(&c->go, true);
	c->rc = ufd_dev_dma(c->dev, 1ull << 30, c->dst, BIG, false);
	return NULL;
}

static void test_inval_waits_for_copy(void **state)
{
	struct copier c = { .dev = ats_dev(ops()) };
	struct ufd_domain *d = tb_paging(c.dev, 0);
	uint8_t *src = tb_buf(BIG, BIG);
	uint64_t rng = tb_seed("ats copy vs unmap", 0xc0b1), spin;
	unsigned int k, copied = 0, faulted = 0;
	pthread_t th;
	size_t i;

	c.dst = tb_buf(BIG, TB_PAGE);
	assert_int_equal(ufd_dev_set_domain(c.dev, d), 0);
	for (k = 0; k < 200; k++) {
		memset(src, (int)(k & 0x7f), BIG);
		memset(c.dst, 0xff, BIG);
		tb_map(d, 1ull << 30, src, BIG, RW);
		atomic_store(&c.go, false);
		assert_int_equal(pthread_create(&th, NULL, copier_main, &c), 0);
		while (!atomic_load(&c.go))
			sched_yield();
		/* Land anywhere in the DMA: before, in the request, the copy. */
		for (spin = tb_rand(&rng) % 20000; spin; spin--)
			__asm__ volatile("" ::: "memory");
		tb_unmap(d, 1ull << 30, BIG);
		memset(src, 0x80, BIG);
		pthread_join(th, NULL);
		if (c.rc) {
			assert_int_equal(c.rc, -EFAULT);
			faulted++;
			continue;
		}
		for (i = 0; i < BIG; i += 64)
			if (c.dst[i] != (uint8_t)(k & 0x7f))
				fail_msg("round %u: byte %zu is %#x", k, i,
					 c.dst[i]);
		copied++;
	}
	printf("# %u copies done, %u faulted\n", copied, faulted);
	tb_dev_put(c.dev);
	tb_domain_free(d);
	tb_buf_free(c.dst);
	tb_buf_free(src);
}

/* ---- Through the C API and the core ---- */

static uint64_t hw_caps(struct uiommufd_ctx *ctx, struct uiommufd_dev *udev)
{
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = uiommufd_dev_id(udev),
	};

	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_GET_HW_INFO, &info), 0);
	return info.out_capabilities;
}

static void test_core_path(void **state)
{
	struct uiommufd_dev_cfg cfg = {
		.size = sizeof(cfg),
		.model = UIOMMUFD_MODEL_SMMUV3,
		.flags = UIOMMUFD_DEV_ATS,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = 2 * TB_PAGE,
		.iova = IOVA,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.iova = IOVA,
		.length = 2 * TB_PAGE,
	};
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct uiommufd_dev *udev, *plain, *bad;
	struct ufd_smmuv3_stats d0, d1;
	struct uiommufd_ctx *ctx;
	uint64_t *mem, v;
	unsigned int i;

	mem = mmap(NULL, 2 * TB_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	mem[0] = 0x1234;
	assert_int_equal(uiommufd_ctx_open(&ctx), 0);
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc), 0);
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uint64_t)(uintptr_t)mem;
	unmap.ioas_id = alloc.out_ioas_id;
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_MAP, &map), 0);

	/* ATS and PRI behind the mock are not there; PRI needs ATS. */
	cfg.model = UIOMMUFD_MODEL_MOCK;
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &bad), -EOPNOTSUPP);
	cfg.flags = UIOMMUFD_DEV_ATS | UIOMMUFD_DEV_PRI;
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &bad), -EOPNOTSUPP);
	cfg.model = UIOMMUFD_MODEL_SMMUV3;
	cfg.flags = UIOMMUFD_DEV_PRI;
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &bad), -EINVAL);
	cfg.flags = 0;
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &plain), 0);
	cfg.flags = UIOMMUFD_DEV_ATS;
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &udev), 0);
	assert_true(hw_caps(ctx, plain) & IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_false(hw_caps(ctx, udev) & IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);

	assert_int_equal(uiommufd_dev_attach(udev, alloc.out_ioas_id, NULL), 0);
	assert_int_equal(uiommufd_dev_attach(plain, alloc.out_ioas_id, NULL),
			 0);
	d0 = drv_of(smmu);
	for (i = 0; i < 10; i++) {
		assert_int_equal(uiommufd_dma_read(udev, UIOMMUFD_NO_PASID,
						   IOVA, &v, 8),
				 0);
		assert_int_equal(v, 0x1234);
	}
	v = 0x5678;
	assert_int_equal(uiommufd_dma_write(udev, UIOMMUFD_NO_PASID,
					    IOVA + TB_PAGE, &v, 8),
			 0);
	assert_int_equal(mem[TB_PAGE / 8], 0x5678);
	d1 = drv_of(smmu);
	/* One Translation Request per page; the rest hit the ATC. */
	assert_int_equal(d1.ats_treqs - d0.ats_treqs, 2);
	assert_int_equal(
		uiommufd_dma_read(plain, UIOMMUFD_NO_PASID, IOVA, &v, 8), 0);
	assert_int_equal(drv_of(smmu).ats_treqs, d1.ats_treqs);

	/* IOMMU_IOAS_UNMAP reaches the ATC: the next DMA faults. */
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_UNMAP, &unmap), 0);
	assert_true(drv_of(smmu).atc_invs > d1.atc_invs);
	assert_int_equal(uiommufd_dma_read(udev, UIOMMUFD_NO_PASID, IOVA, &v,
					   8),
			 -EFAULT);
	assert_int_equal(uiommufd_dma_read(udev, UIOMMUFD_NO_PASID,
					   IOVA + TB_PAGE, &v, 8),
			 -EFAULT);

	uiommufd_dev_destroy(udev);
	uiommufd_dev_destroy(plain);
	uiommufd_ctx_close(ctx);
	munmap(mem, 2 * TB_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_fill_and_hit),
		cmocka_unit_test(test_perms_and_misses),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_unmap_s1),
		cmocka_unit_test(test_unmap_s2),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_attach_switch),
		cmocka_unit_test(test_guest_stale_until_atc_inv),
		cmocka_unit_test(test_guest_eats),
		cmocka_unit_test(test_mt_dma_vs_unmap),
		cmocka_unit_test(test_inval_waits_for_copy),
		cmocka_unit_test(test_core_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
