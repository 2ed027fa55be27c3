// SPDX-License-Identifier: BSD-3-Clause
/*
 * `uiommufd bench dma`: what a device's DMA costs when an IOMMU sits in its
 * path, in two parts.
 *
 * Translation, on the SMMUv3 model (the model with an IOTLB), programmed
 * the way a driver programs it: a linear stream table, a context
 * descriptor and VMSAv8-64 tables (4 KiB granule, 4 levels) in one window
 * of "physical" memory reached through pt_flat_mem_ops, PA == host
 * address. Two streams: stage 1 only and stage 2 only.
 *
 *   translate_hit_ns       stage 1, one warm page over and over: the
 *                          model's translation caches answer from their
 *                          front, the per-thread micro-TLB
 *   translate_iotlb_hit_ns stage 1, 64 pages in turn, more than the
 *                          micro-TLB holds: every translation is a hash
 *                          probe of the shared IOTLB (what a DMA streaming
 *                          through a buffer gets)
 *   translate_s2_iotlb_hit_ns  stage 2 only, as translate_iotlb_hit_ns
 *   translate_s{1,2}_miss_ns  65,536 pages in turn, 16 times the IOTLB:
 *                          each translation walks the tables and fills
 *   translate_walk_ns      the mock paging domain's translate op, one
 *                          2 KiB leaf: no IOTLB, a 3-level walk each time
 *   translate_run_64k_ns   the same op asked for 64 KiB of a contiguous
 *                          mapping
 *
 * Every hit loop checks that every translation hit; every miss loop checks
 * with the model's counters that (nearly) every translation filled the
 * IOTLB; the run figure checks that each answer covers the 64 KiB.
 *
 * Copies, through the public C API as a program drives an emulated device:
 * a mock device attached to an IOAS in which a 1 MiB buffer is mapped
 * (the mock's default domain: 2 KiB pages), DMA reads and writes of
 * 4 KiB / 64 KiB walking through the buffer, and memcpy of the same sizes
 * over the same buffer, alternated round by round so that both see the
 * same machine. A ratio is DMA throughput over memcpy throughput, the
 * median of the per-round ratios; copy_<size>_ratio, the figure the issue
 * sets a target for, is the lower of the read and write ratios. The
 * transfers are checked to land where the IOVA is mapped.
 *
 * --quick runs fewer rounds of fewer operations; no figure's size changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/compiler.h"
#include "base/err.h"
#include "bench.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "hw/smmuv3/smmuv3.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uiommufd.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

#define MAX_ROUNDS 31

/* --- the SMMUv3 rig --- */

#define RIG_RAM_SIZE (16 * MiB)
#define RIG_STE_LOG2 4
#define RIG_CMDQ_LOG2 6
#define RIG_SID_S1 1
#define RIG_SID_S2 2
#define RIG_ASID 1
#define RIG_VMID 1
#define RIG_IOVA (1ull << 32)
/* The miss loops: 16 times the default IOTLB's 4096 entries. */
#define RIG_MISS_PAGES 65536u
/* Output of every mapping: one 1 MiB region, aliased as often as needed. */
#define RIG_OUT_SIZE MiB

struct rig {
	uint8_t *ram; /* the SMMU's physical memory; PA == host address */
	uint64_t ram_next;
	struct pt_flat_mem win;
	struct smmuv3 *smmu;
	uint64_t strtab;
	uint64_t out; /* where every IOVA points */
	struct pt_table *s1, *s2;
};

static void *rig_pt_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct rig *r = priv;

	return pt_flat_mem_ops.map(&r->win, pa, len, write);
}

/* Zeroed memory of the window, @align aligned as a PA; NULL if used up. */
static void *rig_alloc(struct rig *r, uint64_t size, uint64_t align,
		       uint64_t *pa)
{
	uint64_t base = (uint64_t)(uintptr_t)r->ram;
	uint64_t off = ((base + r->ram_next + align - 1) & ~(align - 1)) - base;

	if (off > RIG_RAM_SIZE || size > RIG_RAM_SIZE - off)
		return NULL;
	r->ram_next = off + size;
	*pa = (uint64_t)(uintptr_t)(r->ram + off);
	/* Fresh anonymous memory is zero; nothing is ever handed out twice. */
	return r->ram + off;
}

static void *rig_pt_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	return rig_alloc(priv, size, align, pa);
}

static void rig_pt_free(void *priv, uint64_t pa, void *host, size_t size)
{
	/* The window goes away whole with the rig. */
}

static const struct pt_mem_ops rig_pt_ops = {
	.map = rig_pt_map,
	.alloc = rig_pt_alloc,
	.free = rig_pt_free,
};

static struct pt_table *rig_table(struct rig *r, enum pt_format fmt)
{
	struct pt_cfg cfg = {
		.fmt = fmt,
		.granule_lg2 = 12,
		.ias = 48,
		.oas = 48,
		.mem = &rig_pt_ops,
		.mem_priv = r,
	};

	return pt_alloc(&cfg);
}

/*
 * IOVA [RIG_IOVA, + pages * 4 KiB) onto the output region, again and again.
 * The output is one page off the IOVA's alignment, so only 4 KiB pages fit
 * (no contiguous runs, no blocks): one IOTLB entry per page.
 */
static int rig_map(struct pt_table *t, uint64_t out, unsigned int pages)
{
	uint64_t len = (uint64_t)pages << 12, done, mapped = 0;
	int rc = 0;

	for (done = 0; done < len && !rc; done += RIG_OUT_SIZE)
		rc = pt_map(t, RIG_IOVA + done, out + 4 * KiB,
			    ufd_min(RIG_OUT_SIZE, len - done),
			    PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
			    &mapped);
	return rc;
}

static uint64_t *rig_ste(struct rig *r, uint32_t sid)
{
	return (uint64_t *)(uintptr_t)(r->strtab + 64ull * sid);
}

/* Field values as IHI 0070 5.2 (STE) and 5.4 (CD) define them. */
static void rig_ste_s2(struct rig *r)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(r->s2);
	uint64_t *ste = rig_ste(r, RIG_SID_S2);

	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S2);
	smmu_dset(ste, SMMU_STE_S2VMID, RIG_VMID);
	smmu_dset(ste, SMMU_STE_S2T0SZ, 64 - c->ias);
	/* 4 KiB granule: SL0 == 2 starts at level 0 (4 levels). */
	smmu_dset(ste, SMMU_STE_S2SL0, 2 - (4 - pt_levels(c)));
	smmu_dset(ste, SMMU_STE_S2TG, SMMU_S2TG_4K);
	smmu_dset(ste, SMMU_STE_S2PS, SMMU_PS_48);
	smmu_dset(ste, SMMU_STE_S2AA64, 1);
	smmu_dset(ste, SMMU_STE_S2R, 1);
	smmu_dset(ste, SMMU_STE_S2TTB, pt_root(c) >> 4);
}

static int rig_ste_s1(struct rig *r)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(r->s1);
	uint64_t *ste = rig_ste(r, RIG_SID_S1), *cd, cd_pa;

	cd = rig_alloc(r, 64, 64, &cd_pa);
	if (!cd)
		return -ENOMEM;
	smmu_dset(cd, SMMU_CD_V, 1);
	smmu_dset(cd, SMMU_CD_T0SZ, 64 - c->ias);
	smmu_dset(cd, SMMU_CD_TG0, SMMU_TG0_4K);
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	smmu_dset(cd, SMMU_CD_ASID, RIG_ASID);
	smmu_dset(cd, SMMU_CD_TTB0, pt_root(c) >> 4);

	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S1);
	smmu_dset(ste, SMMU_STE_S1CTXPTR, cd_pa >> 6);
	smmu_dset(ste, SMMU_STE_S1FMT, SMMU_S1FMT_LINEAR);
	return 0;
}

static void rig_fini(struct rig *r)
{
	smmuv3_destroy(r->smmu);
	pt_free(r->s1);
	pt_free(r->s2);
	if (r->ram)
		munmap(r->ram, RIG_RAM_SIZE);
}

/*
 * An enabled SMMU with a stage-1 stream and a stage-2 stream, each mapping
 * RIG_MISS_PAGES pages of 4 KiB from RIG_IOVA on.
 */
static int rig_init(struct rig *r)
{
	struct smmuv3_config cfg;
	uint64_t cmdq;
	uint32_t cr0;
	int rc = -ENOMEM;

	memset(r, 0, sizeof(*r));
	r->ram = mmap(NULL, RIG_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->ram == MAP_FAILED) {
		r->ram = NULL;
		goto out_fini;
	}
	r->win.pa = (uint64_t)(uintptr_t)r->ram;
	r->win.host = r->ram;
	r->win.size = RIG_RAM_SIZE;
	/* PA 0 of the window stays unused, as on a board. */
	r->ram_next = 4096;
	if (!rig_alloc(r, 64ull << RIG_STE_LOG2, 64ull << RIG_STE_LOG2,
		       &r->strtab) ||
	    !rig_alloc(r, 16ull << RIG_CMDQ_LOG2, 16ull << RIG_CMDQ_LOG2,
		       &cmdq) ||
	    !rig_alloc(r, RIG_OUT_SIZE + 4 * KiB, RIG_OUT_SIZE, &r->out))
		goto out_fini;

	smmuv3_config_default(&cfg);
	cfg.mem = &pt_flat_mem_ops;
	cfg.mem_priv = &r->win;
	r->smmu = smmuv3_create(&cfg);
	if (IS_ERR(r->smmu)) {
		rc = (int)PTR_ERR(r->smmu);
		r->smmu = NULL;
		goto out_fini;
	}
	r->s1 = rig_table(r, PT_FMT_ARM_S1);
	r->s2 = rig_table(r, PT_FMT_ARM_S2);
	if (IS_ERR(r->s1) || IS_ERR(r->s2)) {
		rc = IS_ERR(r->s1) ? (int)PTR_ERR(r->s1) : (int)PTR_ERR(r->s2);
		r->s1 = IS_ERR(r->s1) ? NULL : r->s1;
		r->s2 = IS_ERR(r->s2) ? NULL : r->s2;
		goto out_fini;
	}
	rc = rig_map(r->s1, r->out, RIG_MISS_PAGES);
	if (!rc)
		rc = rig_map(r->s2, r->out, RIG_MISS_PAGES);
	if (!rc)
		rc = rig_ste_s1(r);
	if (rc)
		goto out_fini;
	rig_ste_s2(r);

	smmuv3_mmio_write(r->smmu, SMMU_STRTAB_BASE, 8, r->strtab);
	smmuv3_mmio_write(r->smmu, SMMU_STRTAB_BASE_CFG, 4,
			  smmu_fprep(SMMU_STRTAB_BASE_CFG_LOG2SIZE,
				     RIG_STE_LOG2));
	smmuv3_mmio_write(r->smmu, SMMU_CMDQ_BASE, 8, cmdq | RIG_CMDQ_LOG2);
	cr0 = (uint32_t)(smmu_fprep(SMMU_CR0_SMMUEN, 1) |
			 smmu_fprep(SMMU_CR0_CMDQEN, 1));
	smmuv3_mmio_write(r->smmu, SMMU_CR0, 4, cr0);
	if (smmuv3_mmio_read(r->smmu, SMMU_CR0ACK, 4) != cr0) {
		rc = -EIO;
		goto out_fini;
	}
	return 0;

out_fini:
	rig_fini(r);
	return rc;
}

/*
 * ns per smmuv3_translate() of @sid over @pages pages in turn, @n per
 * round. With @hits every translation must hit the IOTLB; otherwise
 * (nearly) every one must fill it. Returns -EIO when that does not hold.
 */
static int rig_translate(struct bench_ctx *b, struct rig *r, const char *name,
			 uint32_t sid, unsigned int pages, unsigned int n,
			 bool hits)
{
	unsigned int rounds = bench_reps(b, 15, 5), i, k;
	struct smmuv3_stats st0, st1;
	struct smmuv3_xlate x;
	double s[MAX_ROUNDS];
	uint64_t misses = 0, sum = 0, fills;

	/* Warm: every page translated once (a fill), then hits from now. */
	for (k = 0; k < pages && hits; k++)
		if (smmuv3_translate(r->smmu, sid, SMMUV3_NO_SSID,
				     RIG_IOVA + ((uint64_t)k << 12),
				     SMMUV3_READ, &x))
			return -EIO;
	smmuv3_get_stats(r->smmu, &st0);
	for (i = 0; i < rounds; i++) {
		uint64_t t = bench_now_ns();

		for (k = 0; k < n; k++) {
			/* pages is a power of two: no division here. */
			uint64_t iova =
				RIG_IOVA + ((uint64_t)(k & (pages - 1)) << 12);

			if (smmuv3_translate(r->smmu, sid, SMMUV3_NO_SSID, iova,
					     SMMUV3_READ, &x))
				return -EIO;
			misses += !x.tlb_hit;
			sum += x.oa;
		}
		s[i] = (double)(bench_now_ns() - t) / n;
	}
	smmuv3_get_stats(r->smmu, &st1);
	bench_sink(&sum);
	fills = st1.tlb_fills - st0.tlb_fills;
	/*
	 * A miss loop may find a few entries still cached from the round
	 * before (a set that happened to take few insertions since).
	 */
	if (hits ? misses != 0 : fills < (uint64_t)rounds * n / 100 * 99) {
		fprintf(stderr,
			"bench dma: %s: %llu of %llu translations missed, %llu "
			"fills\n",
			name, (unsigned long long)misses,
			(unsigned long long)rounds * n,
			(unsigned long long)fills);
		return -EIO;
	}
	bench_figure(b, name, bench_median(s, rounds), "ns/op");
	return 0;
}

static int translate_smmuv3(struct bench_ctx *b)
{
	unsigned int n = bench_reps(b, 1u << 20, 1u << 17);
	struct rig r;
	int rc;

	rc = rig_init(&r);
	if (rc)
		return rc;
	rc = rig_translate(b, &r, "dma.translate_hit_ns", RIG_SID_S1, 1, n,
			   true);
	if (!rc)
		rc = rig_translate(b, &r, "dma.translate_iotlb_hit_ns",
				   RIG_SID_S1, 64, n, true);
	if (!rc)
		rc = rig_translate(b, &r, "dma.translate_s2_iotlb_hit_ns",
				   RIG_SID_S2, 64, n, true);
	/* A pass over all pages per round: each one misses. */
	if (!rc)
		rc = rig_translate(b, &r, "dma.translate_s1_miss_ns",
				   RIG_SID_S1, RIG_MISS_PAGES, RIG_MISS_PAGES,
				   false);
	if (!rc)
		rc = rig_translate(b, &r, "dma.translate_s2_miss_ns",
				   RIG_SID_S2, RIG_MISS_PAGES, RIG_MISS_PAGES,
				   false);
	rig_fini(&r);
	return rc;
}

/* --- the mock paging domain's translate op --- */

#define MOCK_BUF_SIZE MiB

/*
 * ns per translate() call of a mock paging domain mapping a contiguous
 * 1 MiB buffer in 2 KiB pages, asking for @want bytes (0: no preference)
 * at IOVAs @step apart; each answer must cover at least @expect bytes.
 */
static int mock_translate_ns(struct bench_ctx *b, struct ufd_domain *d,
			     const char *name, uint64_t want, uint64_t step,
			     uint64_t expect)
{
	unsigned int rounds = bench_reps(b, 15, 5), i, k;
	unsigned int n = bench_reps(b, 1u << 19, 1u << 16);
	uint64_t sum = 0, iova;
	struct ufd_translation t;
	double s[MAX_ROUNDS];

	for (i = 0; i < rounds; i++) {
		uint64_t t0 = bench_now_ns();

		for (k = 0; k < n; k++) {
			iova = MOCK_APERTURE_START +
			       (((uint64_t)k * step) & (MOCK_BUF_SIZE - 1));
			t.addr = 0;
			t.len = want;
			if (d->ops->translate(d, iova, false, &t) ||
			    t.len < expect) {
				fprintf(stderr,
					"bench dma: %s: %#llx answered %llu "
					"bytes\n",
					name, (unsigned long long)iova,
					(unsigned long long)t.len);
				return -EIO;
			}
			sum += t.addr;
		}
		s[i] = (double)(bench_now_ns() - t0) / n;
	}
	bench_sink(&sum);
	bench_figure(b, name, bench_median(s, rounds), "ns/op");
	return 0;
}

static int translate_mock(struct bench_ctx *b)
{
	struct ufd_dev *dev = ufd_dev_create(&ufd_mock_iommu, 0);
	struct ufd_domain *d;
	uint8_t *buf;
	int rc;

	if (IS_ERR(dev))
		return (int)PTR_ERR(dev);
	d = ufd_mock_iommu.domain_alloc_paging(dev, 0);
	if (IS_ERR(d)) {
		rc = (int)PTR_ERR(d);
		goto out_destroy_dev;
	}
	buf = mmap(NULL, MOCK_BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		rc = -ENOMEM;
		goto out_free_domain;
	}
	rc = d->iopt.ops->map(&d->iopt, MOCK_APERTURE_START,
			      (uint64_t)(uintptr_t)buf, MOCK_BUF_SIZE,
			      IOPT_PROT_READ | IOPT_PROT_WRITE, false);
	if (rc)
		goto out_unmap_buf;
	/* Consecutive leaves, as a DMA crosses them. */
	rc = mock_translate_ns(b, d, "dma.translate_walk_ns", 0, MOCK_PAGE_SIZE,
			       MOCK_PAGE_SIZE);
	if (!rc)
		rc = mock_translate_ns(b, d, "dma.translate_run_64k_ns",
				       64 * KiB, 64 * KiB, 64 * KiB);
	d->iopt.ops->unmap(&d->iopt, MOCK_APERTURE_START, MOCK_BUF_SIZE);
out_unmap_buf:
	munmap(buf, MOCK_BUF_SIZE);
out_free_domain:
	d->ops->free(d);
out_destroy_dev:
	ufd_dev_destroy(dev);
	return rc;
}

/* --- copies through the C API --- */

#define COPY_BUF_SIZE MiB
#define COPY_IOVA MOCK_APERTURE_START

struct copy_rig {
	struct uiommufd_ctx *ctx;
	struct uiommufd_dev *dev;
	uint8_t *mem;  /* mapped at COPY_IOVA */
	uint8_t *dbuf; /* the device's side of every transfer */
};

static void copy_fini(struct copy_rig *c)
{
	uiommufd_dev_destroy(c->dev);
	uiommufd_ctx_close(c->ctx);
	if (c->mem)
		munmap(c->mem, COPY_BUF_SIZE);
	free(c->dbuf);
}

static int copy_init(struct copy_rig *c)
{
	struct uiommufd_dev_cfg cfg = {
		.size = sizeof(cfg),
		.model = UIOMMUFD_MODEL_MOCK,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = COPY_BUF_SIZE,
		.iova = COPY_IOVA,
	};
	int rc;

	memset(c, 0, sizeof(*c));
	rc = uiommufd_ctx_open(&c->ctx);
	if (rc)
		return rc;
	rc = -ENOMEM;
	c->mem = mmap(NULL, COPY_BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->mem == MAP_FAILED) {
		c->mem = NULL;
		goto out_fini;
	}
	c->dbuf = aligned_alloc(4096, 64 * KiB);
	if (!c->dbuf)
		goto out_fini;
	memset(c->mem, 0x5a, COPY_BUF_SIZE);
	memset(c->dbuf, 0xa5, 64 * KiB);
	rc = (int)uiommufd_ioctl(c->ctx, IOMMU_IOAS_ALLOC, &alloc);
	if (rc)
		goto out_fini;
	rc = uiommufd_dev_create(c->ctx, &cfg, &c->dev);
	if (rc)
		goto out_fini;
	rc = uiommufd_dev_attach(c->dev, alloc.out_ioas_id, NULL);
	if (rc)
		goto out_fini;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)c->mem;
	rc = (int)uiommufd_ioctl(c->ctx, IOMMU_IOAS_MAP, &map);
	if (rc)
		goto out_fini;
	return 0;

out_fini:
	copy_fini(c);
	return rc;
}

enum copy_kind {
	COPY_MEMCPY_FROM, /* memcpy(dbuf, mem + off): a DMA read's work */
	COPY_MEMCPY_TO,	  /* memcpy(mem + off, dbuf): a DMA write's work */
	COPY_DMA_READ,
	COPY_DMA_WRITE,
	COPY_KINDS,
};

/* GiB/s of @total bytes moved in @size pieces, walking through the buffer. */
static double copy_once(struct copy_rig *c, enum copy_kind kind, size_t size,
			uint64_t total)
{
	uint64_t t = bench_now_ns(), done, off;
	int rc = 0;

	for (done = 0; done < total && !rc; done += size) {
		off = done % COPY_BUF_SIZE;
		switch (kind) {
		case COPY_MEMCPY_FROM:
			memcpy(c->dbuf, c->mem + off, size);
			bench_sink(c->dbuf);
			break;
		case COPY_MEMCPY_TO:
			memcpy(c->mem + off, c->dbuf, size);
			bench_sink(c->mem);
			break;
		case COPY_DMA_READ:
			rc = uiommufd_dma_read(c->dev, UIOMMUFD_NO_PASID,
					       COPY_IOVA + off, c->dbuf, size);
			break;
		default:
			rc = uiommufd_dma_write(c->dev, UIOMMUFD_NO_PASID,
						COPY_IOVA + off, c->dbuf, size);
			break;
		}
	}
	if (rc)
		return -1;
	return (double)total / GiB / ((double)(bench_now_ns() - t) / 1e9);
}

static void copy_figure(struct bench_ctx *b, const char *what, size_t size,
			double *s, unsigned int n, const char *unit)
{
	char name[64];

	snprintf(name, sizeof(name), "dma.%s_%zuk%s", what, size / 1024,
		 !strcmp(unit, "GiB/s") ? "_gib_s" : "_ratio");
	bench_figure(b, name, bench_median(s, n), unit);
}

static int copy_size(struct bench_ctx *b, struct copy_rig *c, size_t size)
{
	unsigned int rounds = bench_reps(b, MAX_ROUNDS, 7), i, k;
	uint64_t total = bench_reps(b, 64, 8) * MiB;
	double gib[COPY_KINDS][MAX_ROUNDS], rd[MAX_ROUNDS], wr[MAX_ROUNDS];
	double rd_med, wr_med, worst;

	/* One round untimed: caches and the page tables warm. */
	for (i = 0; i <= rounds; i++) {
		double v[COPY_KINDS];

		for (k = 0; k < COPY_KINDS; k++) {
			v[k] = copy_once(c, k, size, total);
			if (v[k] < 0) {
				fprintf(stderr,
					"bench dma: a %zu-byte DMA "
					"failed\n",
					size);
				return -EIO;
			}
		}
		if (!i)
			continue;
		for (k = 0; k < COPY_KINDS; k++)
			gib[k][i - 1] = v[k];
		rd[i - 1] = v[COPY_DMA_READ] / v[COPY_MEMCPY_FROM];
		wr[i - 1] = v[COPY_DMA_WRITE] / v[COPY_MEMCPY_TO];
	}
	copy_figure(b, "memcpy_from", size, gib[COPY_MEMCPY_FROM], rounds,
		    "GiB/s");
	copy_figure(b, "memcpy_to", size, gib[COPY_MEMCPY_TO], rounds, "GiB/s");
	copy_figure(b, "read", size, gib[COPY_DMA_READ], rounds, "GiB/s");
	copy_figure(b, "write", size, gib[COPY_DMA_WRITE], rounds, "GiB/s");
	rd_med = bench_median(rd, rounds);
	wr_med = bench_median(wr, rounds);
	copy_figure(b, "read", size, &rd_med, 1, "ratio");
	copy_figure(b, "write", size, &wr_med, 1, "ratio");
	/* The worse direction, of the medians: not of each round's noise. */
	worst = ufd_min(rd_med, wr_med);
	copy_figure(b, "copy", size, &worst, 1, "ratio");
	return 0;
}

/* The transfers measured really land where the IOVA is mapped. */
static int copy_check(struct copy_rig *c)
{
	uint64_t off = COPY_BUF_SIZE - 64 * KiB - 2 * KiB;
	size_t i;

	for (i = 0; i < 64 * KiB; i++)
		c->dbuf[i] = (uint8_t)(i * 7 + 1);
	if (uiommufd_dma_write(c->dev, UIOMMUFD_NO_PASID, COPY_IOVA + off,
			       c->dbuf, 64 * KiB) ||
	    memcmp(c->mem + off, c->dbuf, 64 * KiB))
		return -EIO;
	memset(c->dbuf, 0, 64 * KiB);
	if (uiommufd_dma_read(c->dev, UIOMMUFD_NO_PASID, COPY_IOVA + off,
			      c->dbuf, 64 * KiB) ||
	    memcmp(c->mem + off, c->dbuf, 64 * KiB))
		return -EIO;
	return 0;
}

static int copies(struct bench_ctx *b)
{
	struct copy_rig c;
	int rc;

	rc = copy_init(&c);
	if (rc)
		return rc;
	rc = copy_size(b, &c, 4 * KiB);
	if (!rc)
		rc = copy_size(b, &c, 64 * KiB);
	if (!rc) {
		rc = copy_check(&c);
		if (rc)
			fprintf(stderr, "bench dma: DMA data went astray\n");
	}
	copy_fini(&c);
	return rc;
}

static int run(struct bench_ctx *b)
{
	int rc;

	rc = translate_smmuv3(b);
	if (!rc)
		rc = translate_mock(b);
	if (!rc)
		rc = copies(b);
	return rc;
}

const struct bench_suite bench_suite_dma = {
	.name = "dma",
	.what = "DMA through the IOMMU: IOTLB hits and misses, copy throughput",
	.run = run,
};
