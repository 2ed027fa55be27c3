// SPDX-License-Identifier: BSD-3-Clause
/*
 * Translation runs of the mock paging domain (mock_translate() asked for
 * more than one leaf) and the device DMA loop that asks for them, against a
 * model of the mapping:
 *  - a seeded random layout of 2 KiB pages over 4 MiB of IOVA (four leaf
 *    tables): holes, read-only, write-only and read-write stretches, output
 *    that goes on contiguously and output that jumps;
 *  - every answer translates its first byte as the model does, covers only
 *    pages the model maps contiguously with the access permitted, and does
 *    not reach past the leaf holding the last byte asked for;
 *  - where the model proves the whole request (one leaf table, contiguous,
 *    one permission) the answer covers it;
 *  - with dirty tracking on, every page a write's answer covers is dirty
 *    afterwards, whatever was dirty before;
 *  - a DMA through ufd_dev_dma() moves exactly the bytes the model maps and
 *    stops with the model's error at the first page that does not
 *    translate;
 *  - neighbours whose dirty marks differ, met first, do not spoil later
 *    runs.
 * The seed is printed; UIOMMUFD_TEST_SEED replays a run.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "base/err.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "iopt/domain.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PG MOCK_PAGE_SIZE
#define WIN_PAGES 2048u /* 4 MiB of IOVA: four leaf tables */
#define BASE ((uint64_t)MOCK_APERTURE_START)
#define HOST_SIZE (8u << 20)
#define TABLE_SPAN (1ull << 20) /* IOVA one leaf table of 2 KiB pages maps */

struct page_model {
	bool mapped;
	unsigned int prot; /* IOPT_PROT_* */
	uint64_t oa;
};

struct fix {
	struct ufd_dev *dev;
	struct ufd_domain *d;
	uint8_t *host;
	struct page_model pages[WIN_PAGES];
	uint64_t rng;
	bool dirty;
};

static uint64_t rnd(struct fix *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(struct fix *f, uint64_t n)
{
	return rnd(f) % n;
}

static uint64_t seed(void)
{
	const char *s = getenv("UIOMMUFD_TEST_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : 0x5eed0fd3a11ull;

	printf("# translate_run: seed %#" PRIx64 " (set UIOMMUFD_TEST_SEED to "
	       "change)\n",
	       v);
	return v;
}

/* A random layout: stretches of holes and of mappings, written at once. */
static void layout(struct fix *f)
{
	static const unsigned int prots[] = {
		IOPT_PROT_READ | IOPT_PROT_WRITE,
		IOPT_PROT_READ | IOPT_PROT_WRITE,
		IOPT_PROT_READ | IOPT_PROT_WRITE,
		IOPT_PROT_READ,
		IOPT_PROT_WRITE,
	};
	uint64_t host = (uint64_t)(uintptr_t)f->host, next_oa = host;
	unsigned int p = 0, n, i, prot;
	uint64_t oa;

	while (p < WIN_PAGES) {
		n = 1 + (unsigned int)below(f, below(f, 4) ? 300 : 8);
		if (n > WIN_PAGES - p)
			n = WIN_PAGES - p;
		if (!below(f, 4)) {
			p += n; /* a hole */
			continue;
		}
		prot = prots[below(f, 5)];
		/* Mostly the output goes on where the last stretch ended. */
		oa = next_oa;
		if (!below(f, 3) || oa + (uint64_t)n * PG > host + HOST_SIZE)
			oa = host + below(f, HOST_SIZE / PG - n) * PG;
		assert_int_equal(f->d->iopt.ops->map(
					 &f->d->iopt, BASE + (uint64_t)p * PG,
					 oa, (uint64_t)n * PG, prot, false),
				 0);
		for (i = 0; i < n; i++) {
			f->pages[p + i].mapped = true;
			f->pages[p + i].prot = prot;
			f->pages[p + i].oa = oa + (uint64_t)i * PG;
		}
		next_oa = oa + (uint64_t)n * PG;
		p += n;
	}
}

static void fix_open(struct fix *f, bool dirty, uint64_t s)
{
	memset(f, 0, sizeof(*f));
	f->rng = s;
	f->dirty = dirty;
	f->dev = ufd_dev_create(&ufd_mock_iommu, 0);
	assert_false(IS_ERR(f->dev));
	f->d = ufd_mock_iommu.domain_alloc_paging(
		f->dev, dirty ? IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0);
	assert_false(IS_ERR(f->d));
	f->host = mmap(NULL, HOST_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->host != MAP_FAILED);
	layout(f);
	assert_int_equal(ufd_dev_set_domain(f->dev, f->d), 0);
}

static void fix_close(struct fix *f)
{
	assert_int_equal(ufd_dev_set_domain(f->dev, NULL), 0);
	f->d->iopt.ops->unmap(&f->d->iopt, BASE, (uint64_t)WIN_PAGES * PG);
	f->d->ops->free(f->d);
	ufd_dev_destroy(f->dev);
	munmap(f->host, HOST_SIZE);
}

static unsigned int need(bool write)
{
	return write ? IOPT_PROT_WRITE : IOPT_PROT_READ;
}

/* The error the model gives for an access to page @p. */
static int model_err(const struct fix *f, unsigned int p, bool write)
{
	if (!f->pages[p].mapped)
		return -EFAULT;
	return (f->pages[p].prot & need(write)) ? 0 : -EPERM;
}

struct dirty_pages {
	bool dirty[WIN_PAGES];
};

static void record_dirty(void *priv, uint64_t iova, uint64_t len)
{
	struct dirty_pages *dp = priv;
	uint64_t a;

	for (a = iova; a < iova + len; a += PG)
		if (a >= BASE && a - BASE < (uint64_t)WIN_PAGES * PG)
			dp->dirty[(a - BASE) / PG] = true;
}

/* One translation at a random place, checked against the model. */
static void check_one(struct fix *f)
{
	unsigned int p = (unsigned int)below(f, WIN_PAGES), q, last, i;
	uint64_t iova = BASE + (uint64_t)p * PG + below(f, PG);
	bool write = below(f, 2);
	uint64_t want = below(f, 4) ? below(f, 256 << 10) : below(f, 2 * PG);
	uint64_t first = PG - (iova & (PG - 1)), end, lim;
	struct ufd_translation t = { .len = want };
	struct dirty_pages dp;
	struct ufd_dirty_sink sink = { .record = record_dirty, .priv = &dp };
	bool whole = true;
	int rc;

	rc = f->d->ops->translate(f->d, iova, write, &t);
	assert_int_equal(rc, model_err(f, p, write));
	if (rc)
		return;
	assert_true(t.addr == f->pages[p].oa + (iova & (PG - 1)));
	assert_true(t.len >= first && t.len % PG == first % PG);
	/* Never past the leaf of the last byte asked for. */
	lim = want > first ? want : first;
	end = iova + t.len;
	assert_true(end <= ((iova + lim - 1) | (PG - 1)) + 1);
	/* Every page covered is mapped on, with the access permitted. */
	last = (unsigned int)((end - 1 - BASE) / PG);
	assert_true(last < WIN_PAGES);
	for (q = p + 1; q <= last; q++) {
		assert_true(f->pages[q].mapped);
		assert_true(f->pages[q].prot & need(write));
		assert_true(f->pages[q].oa ==
			    f->pages[p].oa + (uint64_t)(q - p) * PG);
	}
	/*
   * Where the model proves the whole request, it is all answered
   * (without dirty tracking: its marks may differ from leaf to leaf).
   */
	if (!f->dirty && want > first) {
		last = (unsigned int)((iova + want - 1 - BASE) / PG);
		if (last >= WIN_PAGES ||
		    (iova & ~(TABLE_SPAN - 1)) !=
			    ((iova + want - 1) & ~(TABLE_SPAN - 1)))
			whole = false;
		for (q = p + 1; whole && q <= last; q++)
			whole = f->pages[q].mapped &&
				f->pages[q].prot == f->pages[p].prot &&
				f->pages[q].oa ==
					f->pages[p].oa + (uint64_t)(q - p) * PG;
		if (whole)
			assert_true(t.len >= want);
	}
	/* A tracked write leaves every page it may touch dirty. */
	if (f->dirty && write) {
		memset(&dp, 0, sizeof(dp));
		assert_int_equal(f->d->dirty_ops->read_and_clear_dirty(
					 f->d, iova & ~(uint64_t)(PG - 1),
					 end - (iova & ~(uint64_t)(PG - 1)),
					 UFD_DIRTY_NO_CLEAR, &sink),
				 0);
		for (i = p; i <= (unsigned int)((end - 1 - BASE) / PG); i++)
			assert_true(dp.dirty[i]);
	}
}

/*
 * A DMA at a random place: the bytes up to the first page that does not
 * translate move, and the DMA ends with that page's error.
 */
static void check_dma(struct fix *f, uint8_t *buf, uint8_t *shadow)
{
	unsigned int p = (unsigned int)below(f, WIN_PAGES), q;
	uint64_t iova = BASE + (uint64_t)p * PG + below(f, PG);
	uint64_t len = 1 + below(f, 96 << 10), off, done = 0, n;
	bool write = below(f, 2);
	int want_rc = 0, rc;

	if (iova + len > BASE + (uint64_t)WIN_PAGES * PG)
		len = BASE + (uint64_t)WIN_PAGES * PG - iova;
	/* How far the model lets the DMA go. */
	for (off = 0; off < len; off += n) {
		q = (unsigned int)((iova + off - BASE) / PG);
		n = PG - ((iova + off) & (PG - 1));
		if (n > len - off)
			n = len - off;
		want_rc = model_err(f, q, write);
		if (want_rc)
			break;
		done += n;
	}
	for (off = 0; off < len; off++)
		buf[off] = (uint8_t)rnd(f);
	memcpy(shadow, buf, len);
	rc = ufd_dev_dma(f->dev, iova, buf, len, write);
	assert_int_equal(rc, want_rc);
	for (off = 0; off < len; off += n) {
		q = (unsigned int)((iova + off - BASE) / PG);
		n = PG - ((iova + off) & (PG - 1));
		if (n > len - off)
			n = len - off;
		if (off >= done) {
			/* Not moved: the buffer is as it was. */
			assert_memory_equal(buf + off, shadow + off, n);
			continue;
		}
		if (write)
			assert_memory_equal(
				(uint8_t *)(uintptr_t)f->pages[q].oa +
					((iova + off) & (PG - 1)),
				buf + off, n);
		else
			assert_memory_equal(
				buf + off,
				(uint8_t *)(uintptr_t)f->pages[q].oa +
					((iova + off) & (PG - 1)),
				n);
	}
}

static void run(bool dirty)
{
	uint64_t s = seed();
	uint8_t *buf = malloc(96 << 10), *shadow = malloc(96 << 10);
	unsigned int layouts, i;
	struct fix f;

	assert_non_null(buf);
	assert_non_null(shadow);
	for (layouts = 0; layouts < 8; layouts++) {
		fix_open(&f, dirty, s + layouts);
		if (dirty)
			assert_int_equal(
				f.d->dirty_ops->set_dirty_tracking(f.d, true),
				0);
		for (i = 0; i < 4000; i++)
			check_one(&f);
		for (i = 0; i < 300; i++)
			check_dma(&f, buf, shadow);
		/* Harvests clear marks; runs must not lean on old ones. */
		if (dirty)
			for (i = 0; i < 2000; i++) {
				if (!(i % 50))
					assert_int_equal(
						f.d->dirty_ops->read_and_clear_dirty(
							f.d, BASE,
							(uint64_t)WIN_PAGES *
								PG,
							0, NULL),
						0);
				check_one(&f);
			}
		fix_close(&f);
	}
	free(buf);
	free(shadow);
}

/*
 * Neighbours that differ only in their dirty mark prove each other, but
 * must not teach the domain a wrong step from one leaf to the next: once
 * the marks agree again, a contiguous mapping is answered whole.
 */
static void test_mixed_marks(void **state)
{
	struct ufd_dev *dev = ufd_dev_create(&ufd_mock_iommu, 0);
	struct ufd_translation t;
	struct ufd_domain *d;
	uint8_t *host;

	assert_false(IS_ERR(dev));
	d = ufd_mock_iommu.domain_alloc_paging(dev,
					       IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	assert_false(IS_ERR(d));
	host = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(host != MAP_FAILED);
	assert_int_equal(d->iopt.ops->map(&d->iopt, BASE,
					  (uint64_t)(uintptr_t)host, 64 * PG,
					  IOPT_PROT_READ | IOPT_PROT_WRITE,
					  false),
			 0);
	/* The first run this process asks for: a clean leaf, a dirty one. */
	assert_int_equal(mock_domain_set_dirty(d, BASE + PG), 0);
	t.len = 8 * PG;
	assert_int_equal(d->ops->translate(d, BASE, false, &t), 0);
	assert_true(t.addr == (uint64_t)(uintptr_t)host);
	assert_true(t.len >= PG && t.len <= 8 * PG);
	assert_int_equal(d->dirty_ops->read_and_clear_dirty(d, BASE, 64 * PG, 0,
							    NULL),
			 0);
	t.len = 64 * PG;
	assert_int_equal(d->ops->translate(d, BASE, false, &t), 0);
	assert_true(t.addr == (uint64_t)(uintptr_t)host);
	assert_true(t.len == 64 * PG);
	d->iopt.ops->unmap(&d->iopt, BASE, 64 * PG);
	d->ops->free(d);
	ufd_dev_destroy(dev);
	munmap(host, 64 * PG);
}

static void test_runs(void **state)
{
	run(false);
}

static void test_runs_dirty(void **state)
{
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: it asks for the first run of the process. */
		cmocka_unit_test(test_mixed_marks),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_runs_dirty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
