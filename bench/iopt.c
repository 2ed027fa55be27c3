// SPDX-License-Identifier: BSD-3-Clause
/*
 * `uiommufd bench iopt`: the io_pagetable through the full ioctl path
 * (ufd_dispatch, as every front end reaches it), with mock domains
 * attached as the figure names say. Baselines in the same run: a cheap
 * syscall, first touch of fresh memory, memcpy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "core/access.h"
#include "core/core.h"
#include "iopt/mapped.h"
#include "uiommufd/uapi/iommufd_test.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define BASE_IOVA (1ull << 24) /* MOCK_APERTURE_START */

static long ioctl_ok(struct ufd_ctx *ctx, unsigned int cmd, void *arg)
{
	long rc = ufd_dispatch(ctx, cmd, arg);

	if (rc < 0) {
		fprintf(stderr, "bench iopt: ioctl %#x: %s\n", cmd,
			strerror((int)-rc));
		abort();
	}
	return rc;
}

static uint32_t ioas_alloc(struct ufd_ctx *ctx)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	ioctl_ok(ctx, IOMMU_IOAS_ALLOC, &cmd);
	return cmd.out_ioas_id;
}

/* Attaches ndomains mock paging domains (separate HWPTs) to the IOAS. */
static void attach_domains(struct ufd_ctx *ctx, uint32_t ioas,
			   unsigned int ndomains)
{
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas,
	};
	unsigned int i;

	if (!ndomains)
		return;
	ioctl_ok(ctx, IOMMU_TEST_CMD, &mock);
	for (i = 1; i < ndomains; i++) {
		struct iommu_hwpt_alloc alloc = {
			.size = sizeof(alloc),
			.dev_id = mock.mock_domain.out_idev_id,
			.pt_id = ioas,
		};

		ioctl_ok(ctx, IOMMU_HWPT_ALLOC, &alloc);
	}
}

static int map_fixed(struct ufd_ctx *ctx, uint32_t ioas, void *va, uint64_t len,
		     uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return (int)ufd_dispatch(ctx, IOMMU_IOAS_MAP, &cmd);
}

static int unmap(struct ufd_ctx *ctx, uint32_t ioas, uint64_t iova,
		 uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return (int)ufd_dispatch(ctx, IOMMU_IOAS_UNMAP, &cmd);
}

static void *alloc_mem(uint64_t len, bool populate)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS |
			       (populate ? MAP_POPULATE : 0),
		       -1, 0);

	if (p == MAP_FAILED) {
		perror("bench iopt: mmap");
		abort();
	}
	return p;
}

static void baselines(struct bench_ctx *b)
{
	unsigned int reps = bench_reps(b, 9, 3), i, n;
	double s[9];
	uint64_t len = bench_reps(b, 256, 64) * MiB;
	static uint8_t src[64 * KiB], dst[64 * KiB];

	for (i = 0; i < reps; i++) {
		uint64_t t = bench_now_ns();

		for (n = 0; n < 100000; n++)
			bench_sink((void *)(uintptr_t)getppid());
		s[i] = (double)(bench_now_ns() - t) / 100000;
	}
	bench_figure(b, "baseline.syscall_ns", bench_median(s, reps), "ns");

	for (i = 0; i < reps; i++) {
		uint8_t *p = alloc_mem(len, false);
		uint64_t t = bench_now_ns();

		for (uint64_t off = 0; off < len; off += 4096)
			p[off] = 1;
		s[i] = (double)len / GiB / ((bench_now_ns() - t) / 1e9);
		munmap(p, len);
	}
	bench_figure(b, "baseline.touch_gib_s", bench_median(s, reps), "GiB/s");

	memset(src, 1, sizeof(src));
	for (i = 0; i < reps; i++) {
		uint64_t t = bench_now_ns();

		for (n = 0; n < 20000; n++) {
			memcpy(dst, src, sizeof(src));
			bench_sink(dst);
		}
		s[i] = 20000.0 * sizeof(src) / GiB /
		       ((bench_now_ns() - t) / 1e9);
	}
	bench_figure(b, "baseline.memcpy_gib_s", bench_median(s, reps),
		     "GiB/s");
}

/*
 * IOAS_MAP + IOAS_UNMAP of len at a fixed IOVA, ndomains attached. With
 * @seen the memory is recorded as the preload library records a program's
 * mmap() (src/iopt/mapped.h), so pinning skips its probe as it does under
 * `uiommufd run`; without, pinning probes as for the native C API.
 */
static void map_unmap(struct bench_ctx *b, const char *name, uint64_t len,
		      unsigned int ndomains, unsigned int iters, bool seen)
{
	unsigned int reps = bench_reps(b, 7, 3), i, n;
	struct ufd_ctx *ctx = ufd_ctx_create();
	uint32_t ioas = ioas_alloc(ctx);
	uint8_t *mem = alloc_mem(len + 2 * MiB, true);
	/* 2 MiB aligned so large pages are possible where allowed. */
	uint8_t *va =
		(uint8_t *)(((uintptr_t)mem + 2 * MiB - 1) & ~(2 * MiB - 1));
	double smap[7], sunmap[7];
	char fig[64];

	if (seen)
		iopt_mapped_note((uintptr_t)mem, len + 2 * MiB,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS);
	attach_domains(ctx, ioas, ndomains);
	for (i = 0; i < reps; i++) {
		uint64_t tmap = 0, tunmap = 0, t;

		for (n = 0; n < iters; n++) {
			t = bench_now_ns();
			if (map_fixed(ctx, ioas, va, len, BASE_IOVA))
				abort();
			tmap += bench_now_ns() - t;
			t = bench_now_ns();
			if (unmap(ctx, ioas, BASE_IOVA, len))
				abort();
			tunmap += bench_now_ns() - t;
		}
		smap[i] = (double)tmap / iters;
		sunmap[i] = (double)tunmap / iters;
	}
	snprintf(fig, sizeof(fig), "%s.map_ns", name);
	bench_figure(b, fig, bench_median(smap, reps), "ns");
	snprintf(fig, sizeof(fig), "%s.unmap_ns", name);
	bench_figure(b, fig, bench_median(sunmap, reps), "ns");
	ufd_ctx_put(ctx);
	iopt_mapped_forget((uintptr_t)mem, len + 2 * MiB);
	munmap(mem, len + 2 * MiB);
}

/* 1 GiB of 4 KiB pages pinned and filled into one domain. */
static void map_1g(struct bench_ctx *b)
{
	unsigned int reps = bench_reps(b, 5, 2), i;
	struct ufd_ctx *ctx = ufd_ctx_create();
	uint32_t ioas = ioas_alloc(ctx);
	uint8_t *mem = alloc_mem(GiB, true);
	double s[5];

	madvise(mem, GiB, MADV_NOHUGEPAGE);
	attach_domains(ctx, ioas, 1);
	for (i = 0; i < reps; i++) {
		uint64_t t = bench_now_ns();

		if (map_fixed(ctx, ioas, mem, GiB, BASE_IOVA))
			abort();
		s[i] = 1.0 / ((bench_now_ns() - t) / 1e9);
		if (unmap(ctx, ioas, BASE_IOVA, GiB))
			abort();
	}
	bench_figure(b, "map_1g.d1.gib_s", bench_median(s, reps), "GiB/s");
	ufd_ctx_put(ctx);
	munmap(mem, GiB);
}

/* Maps n distinct 4 KiB areas, every other page so they never merge. */
static void areas_build(struct ufd_ctx *ctx, uint32_t ioas, uint8_t *page,
			uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		if (map_fixed(ctx, ioas, page, 4096, BASE_IOVA + k * 8192))
			abort();
}

/* The k-th of n positions in a spread order (n a power of two). */
static uint64_t spread(uint64_t k, uint64_t n)
{
	return (k * 7919ull) % n;
}

/* Per-op figures of areas(), for the 1M / 64K ratios. */
struct areas_figs {
	double map_all, map, unmap_each, unmap_spread;
};

/* Unmaps the n areas one by one, in IOVA order or a spread order. */
static double areas_unmap_each(struct ufd_ctx *ctx, uint32_t ioas, uint64_t n,
			       bool spread_order)
{
	uint64_t t = bench_now_ns(), k;

	for (k = 0; k < n; k++) {
		uint64_t i = spread_order ? spread(k, n) : k;

		if (unmap(ctx, ioas, BASE_IOVA + i * 8192, 4096))
			abort();
	}
	return (double)(bench_now_ns() - t) / n;
}

/*
 * The io_pagetable with n distinct 4 KiB areas (no domain: the area map
 * is what is measured). Per op: mapping all of them in IOVA order; mapping
 * into a gap and unmapping it again at spread positions; an automatic-IOVA
 * map of 8 KiB that must pass over all n 4 KiB holes (automatic placement
 * is confined to [BASE_IOVA, ...) by an allowed range); unmapping them one
 * by one in IOVA order, and again (after mapping them anew) in a spread
 * order. Then one IOAS_UNMAP of all of them.
 */
static void areas(struct bench_ctx *b, const char *name, uint64_t n,
		  struct areas_figs *f)
{
	struct ufd_ctx *ctx = ufd_ctx_create();
	uint32_t ioas = ioas_alloc(ctx);
	uint8_t *page = alloc_mem(8192, true);
	unsigned int probes = 2000, i;
	static double smap[2000], sunmap[2000];
	struct iommu_iova_range allow = { BASE_IOVA, UINT64_MAX - 4095 };
	struct iommu_ioas_allow_iovas allow_cmd = {
		.size = sizeof(allow_cmd),
		.ioas_id = ioas,
		.num_iovas = 1,
		.allowed_iovas = (uintptr_t)&allow,
	};
	struct iommu_ioas_map automap = {
		.size = sizeof(automap),
		.flags = IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)page,
		.length = 8192,
	};
	struct iommu_ioas_unmap all = { .size = sizeof(all),
					.ioas_id = ioas,
					.length = UINT64_MAX };
	char fig[64];
	uint64_t t;

	ioctl_ok(ctx, IOMMU_IOAS_ALLOW_IOVAS, &allow_cmd);
	t = bench_now_ns();
	areas_build(ctx, ioas, page, n);
	f->map_all = (double)(bench_now_ns() - t) / n;
	snprintf(fig, sizeof(fig), "%s.map_all_ns", name);
	bench_figure(b, fig, f->map_all, "ns");

	/* Probe: map into a gap, then unmap it, at spread positions. */
	for (i = 0; i < probes; i++) {
		uint64_t iova = BASE_IOVA + spread(i, n) * 8192 + 4096;

		t = bench_now_ns();
		if (map_fixed(ctx, ioas, page, 4096, iova))
			abort();
		smap[i] = (double)(bench_now_ns() - t);
		t = bench_now_ns();
		if (unmap(ctx, ioas, iova, 4096))
			abort();
		sunmap[i] = (double)(bench_now_ns() - t);
	}
	f->map = bench_median(smap, probes);
	snprintf(fig, sizeof(fig), "%s.map_ns", name);
	bench_figure(b, fig, f->map, "ns");
	snprintf(fig, sizeof(fig), "%s.unmap_ns", name);
	bench_figure(b, fig, bench_median(sunmap, probes), "ns");

	for (i = 0; i < 200; i++) {
		t = bench_now_ns();
		ioctl_ok(ctx, IOMMU_IOAS_MAP, &automap);
		smap[i] = (double)(bench_now_ns() - t);
		if (automap.iova < BASE_IOVA + n * 8192 - 4096 ||
		    unmap(ctx, ioas, automap.iova, 8192))
			abort();
	}
	snprintf(fig, sizeof(fig), "%s.map_auto_ns", name);
	bench_figure(b, fig, bench_median(smap, 200), "ns");

	f->unmap_each = areas_unmap_each(ctx, ioas, n, false);
	snprintf(fig, sizeof(fig), "%s.unmap_each_ns", name);
	bench_figure(b, fig, f->unmap_each, "ns");
	areas_build(ctx, ioas, page, n);
	f->unmap_spread = areas_unmap_each(ctx, ioas, n, true);
	snprintf(fig, sizeof(fig), "%s.unmap_spread_ns", name);
	bench_figure(b, fig, f->unmap_spread, "ns");

	areas_build(ctx, ioas, page, n);
	t = bench_now_ns();
	ioctl_ok(ctx, IOMMU_IOAS_UNMAP, &all);
	snprintf(fig, sizeof(fig), "%s.unmap_all_ms", name);
	bench_figure(b, fig, (bench_now_ns() - t) / 1e6, "ms");
	ufd_ctx_put(ctx);
	munmap(page, 8192);
}

/* 64K and 1M areas, and how much dearer an op is with 16 times more. */
static void areas_both(struct bench_ctx *b)
{
	struct areas_figs k64, m1;

	areas(b, "areas_64k", 65536, &k64);
	areas(b, "areas_1m", 1048576, &m1);
	bench_figure(b, "areas.map_all_1m_over_64k", m1.map_all / k64.map_all,
		     "x");
	bench_figure(b, "areas.unmap_each_1m_over_64k",
		     m1.unmap_each / k64.unmap_each, "x");
	bench_figure(b, "areas.map_1m_over_64k", m1.map / k64.map, "x");
	bench_figure(b, "areas.unmap_spread_1m_over_64k",
		     m1.unmap_spread / k64.unmap_spread, "x");
}

static void copy_1g(struct bench_ctx *b)
{
	unsigned int reps = bench_reps(b, 7, 3), i;
	struct ufd_ctx *ctx = ufd_ctx_create();
	uint32_t src = ioas_alloc(ctx), dst = ioas_alloc(ctx);
	uint8_t *mem = alloc_mem(GiB, false);
	struct iommu_ioas_copy cp = {
		.size = sizeof(cp),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = GiB,
		.dst_iova = BASE_IOVA,
		.src_iova = BASE_IOVA,
	};
	double s[7];

	if (map_fixed(ctx, src, mem, GiB, BASE_IOVA))
		abort();
	for (i = 0; i < reps; i++) {
		uint64_t t = bench_now_ns();

		ioctl_ok(ctx, IOMMU_IOAS_COPY, &cp);
		s[i] = (bench_now_ns() - t) / 1e6;
		if (unmap(ctx, dst, BASE_IOVA, GiB))
			abort();
	}
	bench_figure(b, "copy_1g.ms", bench_median(s, reps), "ms");
	ufd_ctx_put(ctx);
	munmap(mem, GiB);
}

static void access_rw(struct bench_ctx *b, const char *name, uint64_t chunk)
{
	unsigned int reps = bench_reps(b, 7, 3), i;
	struct ufd_ctx *ctx = ufd_ctx_create();
	uint32_t ioas = ioas_alloc(ctx);
	uint64_t len = 16 * MiB, total = 256 * MiB;
	uint8_t *mem = alloc_mem(len, true), *buf = malloc(chunk);
	struct ufd_access *access = ufd_access_create(ctx, NULL, NULL);
	double s[7];

	/* A domain keeps the pages pinned, the access's fast path. */
	attach_domains(ctx, ioas, 1);
	if (IS_ERR(access) || ufd_access_attach(access, ioas) ||
	    map_fixed(ctx, ioas, mem, len, BASE_IOVA))
		abort();
	for (i = 0; i < reps; i++) {
		uint64_t t = bench_now_ns(), done;

		for (done = 0; done < total; done += chunk)
			if (ufd_access_rw(access, BASE_IOVA + done % len, buf,
					  chunk, 0))
				abort();
		s[i] = (double)total / GiB / ((bench_now_ns() - t) / 1e9);
	}
	bench_figure(b, name, bench_median(s, reps), "GiB/s");
	if (unmap(ctx, ioas, BASE_IOVA, len))
		abort();
	ufd_access_destroy(access);
	ufd_ctx_put(ctx);
	free(buf);
	munmap(mem, len);
}

static int run(struct bench_ctx *b)
{
	baselines(b);
	map_unmap(b, "map_4k.d0", 4 * KiB, 0, bench_reps(b, 20000, 5000),
		  false);
	map_unmap(b, "map_4k.d1", 4 * KiB, 1, bench_reps(b, 20000, 5000),
		  false);
	map_unmap(b, "map_4k.d4", 4 * KiB, 4, bench_reps(b, 20000, 5000),
		  false);
	map_unmap(b, "map_2m.d1", 2 * MiB, 1, bench_reps(b, 500, 100), false);
	map_unmap(b, "map_4k_seen.d1", 4 * KiB, 1, bench_reps(b, 20000, 5000),
		  true);
	map_unmap(b, "map_4k_seen.d4", 4 * KiB, 4, bench_reps(b, 20000, 5000),
		  true);
	map_unmap(b, "map_2m_seen.d1", 2 * MiB, 1, bench_reps(b, 500, 100),
		  true);
	map_1g(b);
	areas_both(b);
	copy_1g(b);
	access_rw(b, "access_rw_4k.gib_s", 4 * KiB);
	access_rw(b, "access_rw_64k.gib_s", 64 * KiB);
	return 0;
}

const struct bench_suite bench_suite_iopt = {
	.name = "iopt",
	.what = "io_pagetable map/unmap/copy/access through the ioctl path",
	.run = run,
};
