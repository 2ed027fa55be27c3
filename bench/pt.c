// SPDX-License-Identifier: BSD-3-Clause
/*
 * The pt suite: the page-table engine on its own, per format, the figure
 * set the Linux generic page table work published (ns per call).
 *
 *  map/unmap 1 x SIZE   one page per call, at distinct IOVAs in warm
 *                       tables (the tables above already exist);
 *  map/unmap 256 x SIZE one call for 256 pages of that size; the output
 *                       address is offset by one page so no larger size
 *                       applies and exactly 256 entries are written;
 *  walk, iova_to_phys   one lookup of a 4K mapping, warm caches;
 *  dirty_{1,64}g_ms     read-and-clear over 1 GiB / 64 GiB of 4K
 *                       mappings (256K / 16M entries), one page in 64
 *                       dirty, into a bitmap.
 *
 * Every figure is the median of repeated batches; --quick runs fewer and
 * drops dirty_64g_ms (its name fixes the size). baseline.read_128m_ms,
 * reading 128 MiB (the leaf tables of 64 GiB of 4K pages), puts the dirty
 * figures in proportion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "bench.h"
#include "pt/pt.h"

struct pt_bench_fmt {
	const char *name;
	struct pt_cfg cfg;
};

static const struct pt_bench_fmt pt_bench_fmts[] = {
	{ "arm_s1_4k",
	  { .fmt = PT_FMT_ARM_S1,
	    .granule_lg2 = 12,
	    .ias = 48,
	    .flags = PT_CFG_DIRTY } },
	{ "arm_s2_4k",
	  { .fmt = PT_FMT_ARM_S2,
	    .granule_lg2 = 12,
	    .ias = 48,
	    .flags = PT_CFG_DIRTY } },
	{ "arm_s1_16k",
	  { .fmt = PT_FMT_ARM_S1,
	    .granule_lg2 = 14,
	    .ias = 48,
	    .flags = PT_CFG_DIRTY } },
	{ "arm_s1_64k",
	  { .fmt = PT_FMT_ARM_S1,
	    .granule_lg2 = 16,
	    .ias = 48,
	    .flags = PT_CFG_DIRTY } },
	{ "vtd_ss",
	  { .fmt = PT_FMT_VTD_SS, .ias = 48, .flags = PT_CFG_DIRTY } },
	{ "vtd_fs",
	  { .fmt = PT_FMT_VTD_FS,
	    .ias = 48,
	    .flags = PT_CFG_DIRTY | PT_CFG_SIGN_EXTEND } },
	{ "amdv1",
	  { .fmt = PT_FMT_AMDV1, .levels = 4, .flags = PT_CFG_DIRTY } },
	{ "mock", { .fmt = PT_FMT_MOCK, .flags = PT_CFG_DIRTY } },
};

#define MAX_REPS 400

struct pt_bench {
	struct bench_ctx *ctx;
	const struct pt_bench_fmt *f;
	struct pt_table *t;
	double samples[MAX_REPS];
	char name[96];
};

static void pt_bench_figure(struct pt_bench *b, const char *what, double v,
			    const char *unit)
{
	snprintf(b->name, sizeof(b->name), "%s.%s", b->f->name, what);
	bench_figure(b->ctx, b->name, v, unit);
}

static bool has_size(struct pt_bench *b, unsigned int lg2)
{
	return pt_pgsize_bitmap(b->t) & (1ull << lg2);
}

/* "4k", "2m", "1g": how figure names spell a size. */
static const char *size_name(unsigned int lg2, char *buf, size_t len)
{
	static const char units[] = "kmgt";

	snprintf(buf, len, "%llu%c", 1ull << ((lg2 - 10) % 10),
		 units[(lg2 - 10) / 10]);
	return buf;
}

/*
 * @batch calls of map (then of unmap) of @count pages of 2^lg2 each, at
 * IOVAs 2^span_lg2 apart from @base; ns per call, medians.
 */
static int pt_bench_map(struct pt_bench *b, unsigned int lg2,
			unsigned int count, unsigned int batch, uint64_t base,
			unsigned int span_lg2)
{
	unsigned int reps = bench_reps(b->ctx, 120, 12), r, k;
	double unmap_samples[MAX_REPS];
	uint64_t len = (uint64_t)count << lg2;
	/* One page off the larger alignment: only this size fits. */
	uint64_t oa = (count > 1 ? 1ull << lg2 : 0) + (1ull << 40);
	char what[64], sz[16];

	for (r = 0; r <= reps; r++) {
		uint64_t t0, t1, t2, m, u;

		t0 = bench_now_ns();
		for (k = 0; k < batch; k++) {
			m = 0;
			if (pt_map(b->t, base + ((uint64_t)k << span_lg2),
				   oa + ((uint64_t)k << span_lg2), len,
				   PT_PROT_READ | PT_PROT_WRITE, &m))
				return -EIO;
		}
		t1 = bench_now_ns();
		for (k = 0; k < batch; k++)
			if (pt_unmap(b->t, base + ((uint64_t)k << span_lg2),
				     len, 0, NULL, &u) ||
			    u != len)
				return -EIO;
		t2 = bench_now_ns();
		/* The first round builds the tables above: not counted. */
		if (!r)
			continue;
		b->samples[r - 1] = (double)(t1 - t0) / batch;
		unmap_samples[r - 1] = (double)(t2 - t1) / batch;
	}
	size_name(lg2, sz, sizeof(sz));
	snprintf(what, sizeof(what), "map_%ux%s_ns", count, sz);
	pt_bench_figure(b, what, bench_median(b->samples, reps), "ns/op");
	snprintf(what, sizeof(what), "unmap_%ux%s_ns", count, sz);
	pt_bench_figure(b, what, bench_median(unmap_samples, reps), "ns/op");
	return 0;
}

/* Lookups in a page of 2^g bytes at @iova. */
static int pt_bench_lookup(struct pt_bench *b, uint64_t iova, unsigned int g)
{
	const struct pt_walk_ctx *wc = pt_table_walk_ctx(b->t);
	unsigned int reps = bench_reps(b->ctx, 50, 5), r, k, n = 20000;
	uint64_t m = 0, u, pa = 0;
	struct pt_walk_result res;

	if (pt_map(b->t, iova, 1ull << 30, 1ull << g,
		   PT_PROT_READ | PT_PROT_WRITE, &m))
		return -EIO;
	/* Offsets within the page: the same leaf, as a DMA stream sees it. */
	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();

		for (k = 0; k < n; k++)
			if (pt_walk(wc, iova + (k & 0xfff),
				    PT_ACCESS_READ | PT_HW_HA, &res))
				return -EIO;
		b->samples[r] = (double)(bench_now_ns() - t0) / n;
	}
	bench_sink(&res);
	pt_bench_figure(b, "walk_ns", bench_median(b->samples, reps), "ns/op");
	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns(), sum = 0;

		for (k = 0; k < n; k++) {
			if (pt_iova_to_phys(b->t, iova + (k & 0xfff), &pa))
				return -EIO;
			sum += pa;
		}
		b->samples[r] = (double)(bench_now_ns() - t0) / n;
		bench_sink(&sum);
	}
	pt_bench_figure(b, "iova_to_phys_ns", bench_median(b->samples, reps),
			"ns/op");
	return pt_unmap(b->t, iova, 1ull << g, 0, NULL, &u) ? -EIO : 0;
}

/*
 * read-and-clear over @size of pages of 2^g bytes (4K, or the granule when
 * larger), one in 64 dirty, into a bitmap.
 */
static int pt_bench_dirty(struct pt_bench *b, const char *label, uint64_t size,
			  unsigned int g)
{
	struct pt_cfg cfg = b->f->cfg;
	unsigned int reps = bench_reps(b->ctx, 5, 2), r;
	uint64_t base = 1ull << 40, npages = size >> g, m = 0, u, i;
	struct pt_dirty_sink sink = { .base = base,
				      .pgshift = g,
				      .nbits = npages };
	struct pt_table *t;
	char what[64];
	int ret = -EIO;

	/* Only the smallest leaves, whatever else the format could use. */
	cfg.pgsize_allowed = 1ull << g;
	t = pt_alloc(&cfg);
	if (IS_ERR(t))
		return (int)PTR_ERR(t);
	sink.bitmap = ufd_calloc((npages + 63) / 64, sizeof(unsigned long));
	if (!sink.bitmap) {
		ret = -ENOMEM;
		goto out_free_table;
	}
	/* The output address does not matter: everything maps one place. */
	for (i = 0; i < npages; i += 1ull << 18) {
		uint64_t chunk = npages - i < (1ull << 18) ? npages - i
							   : 1ull << 18;

		if (pt_map(t, base + (i << g), 1ull << 30, chunk << g,
			   PT_PROT_READ | PT_PROT_WRITE, &m))
			goto out_free_bitmap;
	}
	for (r = 0; r < reps; r++) {
		uint64_t t0;

		for (i = 0; i < npages; i += 64)
			if (pt_set_dirty(t, base + (i << g)))
				goto out_free_bitmap;
		t0 = bench_now_ns();
		if (pt_read_and_clear_dirty(t, base, size, 0, &sink))
			goto out_free_bitmap;
		b->samples[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	snprintf(what, sizeof(what), "dirty_%s_ms", label);
	pt_bench_figure(b, what, bench_median(b->samples, reps), "ms");
	ret = pt_unmap(t, base, size, 0, NULL, &u) ? -EIO : 0;
out_free_bitmap:
	ufd_free(sink.bitmap);
out_free_table:
	pt_free(t);
	return ret;
}

static int pt_bench_one(struct bench_ctx *ctx, const struct pt_bench_fmt *f)
{
	struct pt_bench b = { .ctx = ctx, .f = f };
	uint64_t first, last, base;
	unsigned int g, cov;
	int ret;

	b.t = pt_alloc(&f->cfg);
	if (IS_ERR(b.t))
		return (int)PTR_ERR(b.t);
	/* Figures count 4K pages; bigger granules count their own. */
	g = (unsigned int)__builtin_ctzll(pt_pgsize_bitmap(b.t));
	if (g < 12)
		g = 12;
	pt_iova_range(pt_table_walk_ctx(b.t), &first, &last);
	cov = 64 - (unsigned int)__builtin_clzll(last);
	/* Away from 0, with room for the largest batch above it. */
	base = cov > 44 ? 1ull << 42 : 1ull << (cov - 2);

	ret = pt_bench_map(&b, g, 1, 256, base, g);
	if (!ret && g < 16 && has_size(&b, 16))
		ret = pt_bench_map(&b, 16, 1, 64, base, 16);
	if (!ret && has_size(&b, 20))
		ret = pt_bench_map(&b, 20, 1, 64, base, 20);
	if (!ret && has_size(&b, 21))
		ret = pt_bench_map(&b, 21, 1, 64, base, 21);
	if (!ret)
		ret = pt_bench_map(&b, g, 256, 8, base, g + 9);
	if (!ret && has_size(&b, 21))
		ret = pt_bench_map(&b, 21, 256, 2, base, 30);
	if (!ret && has_size(&b, 30) && cov >= 38)
		ret = pt_bench_map(&b, 30, 256, 1, 0, 39);
	if (!ret)
		ret = pt_bench_lookup(&b, base + (0x123ull << g), g);
	pt_free(b.t);
	/* The mock's 2K entries make 4K pages two entries: not comparable. */
	if (!ret && f->cfg.fmt != PT_FMT_MOCK)
		ret = pt_bench_dirty(&b, "1g", 1ull << 30, g);
	if (!ret && f->cfg.fmt != PT_FMT_MOCK && !ctx->quick)
		ret = pt_bench_dirty(&b, "64g", 1ull << 36, g);
	return ret;
}

static int pt_bench_baseline(struct bench_ctx *ctx)
{
	const size_t words = (128u << 20) / sizeof(uint64_t);
	unsigned int reps = bench_reps(ctx, 5, 2), r;
	double samples[8];
	uint64_t *mem = ufd_alloc(words * sizeof(uint64_t)), sum = 0;
	size_t i;

	if (!mem)
		return -ENOMEM;
	for (i = 0; i < words; i++)
		mem[i] = i;
	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();

		for (i = 0; i < words; i++)
			sum += __atomic_load_n(&mem[i], __ATOMIC_RELAXED);
		samples[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	bench_sink(&sum);
	ufd_free(mem);
	bench_figure(ctx, "baseline.read_128m_ms", bench_median(samples, reps),
		     "ms");
	return 0;
}

static int pt_bench_run(struct bench_ctx *ctx)
{
	size_t i;
	int ret;

	ret = pt_bench_baseline(ctx);
	for (i = 0;
	     !ret && i < sizeof(pt_bench_fmts) / sizeof(pt_bench_fmts[0]); i++)
		ret = pt_bench_one(ctx, &pt_bench_fmts[i]);
	return ret;
}

const struct bench_suite bench_suite_pt = {
	.name = "pt",
	.what = "page-table engine per format: map/unmap, walk, dirty",
	.run = pt_bench_run,
};
