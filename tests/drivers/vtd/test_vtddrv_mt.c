// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver under concurrency: DMA threads (with and without PASID)
 * read and write a stable mapping of a domain while other threads map and
 * unmap other ranges of the same domain, and check that once their unmap
 * returned a DMA to the range faults -- the invalidation was complete --
 * and that it works again once mapped; one more thread harvests dirty
 * state of a second-stage domain that DMA writes through. Runs under TSan
 * in the sanitizer build.
 */
#include <pthread.h>

#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define STABLE 0x1000000ull
#define CHURN 0x4000000ull
#define CHURN_STRIDE 0x100000ull
#define STABLE_PAGES 16
#define DMA_THREADS 3
#define MAP_THREADS 2
#define ITERS 400
#define PASID 11

struct ctx {
	struct ufd_dev *dev;
	struct ufd_domain *fs, *ss;
	uint64_t *stable, *ssbuf;
	uint8_t *churn[MAP_THREADS];
	uint64_t seed;
	int stop;
	int errors;
};

static void mt_fail(struct ctx *c)
{
	__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
}

struct dmaer {
	struct ctx *c;
	unsigned int idx;
	uint64_t st;
};

static void *dma_thread(void *arg)
{
	struct dmaer *dm = arg;
	struct ctx *c = dm->c;
	uint64_t st = dm->st, v, iova, slot;
	unsigned int i;

	for (i = 0; i < ITERS * 4; i++) {
		/* Each thread owns word idx of every page: no data race. */
		slot = dm->idx * 8 + (tb_rand(&st) % STABLE_PAGES) * TB_PAGE;
		iova = STABLE + slot;
		if (tb_dma_write64(c->dev, iova, i) ||
		    tb_pasid_read64(c->dev, PASID, iova, &v) || v != i)
			mt_fail(c);
		if (tb_dma_write64(
			    c->dev,
			    STABLE + TB_PAGE * STABLE_PAGES + dm->idx * 8, i))
			mt_fail(c);
	}
	return NULL;
}

struct mapper {
	struct ctx *c;
	unsigned int idx;
};

static void *map_thread(void *arg)
{
	struct mapper *mp = arg;
	struct ctx *c = mp->c;
	uint64_t iova = CHURN + mp->idx * CHURN_STRIDE, v;
	struct ufd_domain *d = c->fs;
	unsigned int i;

	for (i = 0; i < ITERS; i++) {
		if (d->iopt.ops->map(&d->iopt, iova,
				     (uint64_t)(uintptr_t)c->churn[mp->idx],
				     4 * TB_PAGE, RW, false))
			mt_fail(c);
		if (tb_dma_write64(c->dev, iova + (i % 4) * TB_PAGE, i) ||
		    tb_pasid_read64(c->dev, PASID, iova + (i % 4) * TB_PAGE,
				    &v) ||
		    v != i)
			mt_fail(c);
		if (d->iopt.ops->unmap(&d->iopt, iova, 4 * TB_PAGE) !=
		    4 * TB_PAGE)
			mt_fail(c);
		/* Unmapped and invalidated: nothing may reach the memory. */
		if (tb_dma_read64(c->dev, iova + (i % 4) * TB_PAGE, &v) !=
			    -EFAULT ||
		    tb_pasid_read64(c->dev, PASID, iova, &v) != -EFAULT)
			mt_fail(c);
	}
	return NULL;
}

static void dirty_record(void *priv, uint64_t iova, uint64_t len)
{
	(*(uint64_t *)priv)++;
}

static void *harvest_thread(void *arg)
{
	struct ctx *c = arg;
	uint64_t runs = 0;
	const struct ufd_dirty_sink sink = { .record = dirty_record,
					     .priv = &runs };

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		if (c->ss->dirty_ops->read_and_clear_dirty(
			    c->ss, STABLE, STABLE_PAGES * TB_PAGE, 0, &sink))
			mt_fail(c);
	return NULL;
}

static void test_mt(void **state)
{
	pthread_t dma[DMA_THREADS], map[MAP_THREADS], harv;
	struct ufd_dev *ssdev = tb_dev(&ufd_vtd_iommu, 0);
	struct mapper mp[MAP_THREADS];
	struct dmaer dm[DMA_THREADS];
	struct ctx c = { 0 };
	unsigned int i;

	c.seed = tb_seed("vtddrv_mt", 0x5eed);
	c.dev = tb_dev(&ufd_vtd_iommu, UFD_DEV_PASID);
	c.fs = tb_paging(c.dev, 0);
	c.ss = tb_paging(ssdev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	c.stable = tb_buf((STABLE_PAGES + 1) * TB_PAGE, TB_PAGE);
	c.ssbuf = tb_buf(STABLE_PAGES * TB_PAGE, TB_PAGE);
	for (i = 0; i < MAP_THREADS; i++)
		c.churn[i] = tb_buf(4 * TB_PAGE, TB_PAGE);
	tb_map(c.fs, STABLE, c.stable, (STABLE_PAGES + 1) * TB_PAGE, RW);
	tb_map(c.ss, STABLE, c.ssbuf, STABLE_PAGES * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(c.dev, c.fs), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(c.dev, PASID, c.fs), 0);
	assert_int_equal(ufd_dev_set_domain(ssdev, c.ss), 0);
	assert_int_equal(c.ss->dirty_ops->set_dirty_tracking(c.ss, true), 0);

	for (i = 0; i < DMA_THREADS; i++) {
		dm[i] = (struct dmaer){ .c = &c,
					.idx = i,
					.st = tb_rand(&c.seed) };
		assert_int_equal(
			pthread_create(&dma[i], NULL, dma_thread, &dm[i]), 0);
	}
	for (i = 0; i < MAP_THREADS; i++) {
		mp[i] = (struct mapper){ .c = &c, .idx = i };
		assert_int_equal(
			pthread_create(&map[i], NULL, map_thread, &mp[i]), 0);
	}
	assert_int_equal(pthread_create(&harv, NULL, harvest_thread, &c), 0);
	/* The main thread writes through the tracked domain meanwhile. */
	for (i = 0; i < ITERS; i++)
		if (tb_dma_write64(ssdev, STABLE + (i % STABLE_PAGES) * TB_PAGE,
				   i))
			mt_fail(&c);
	for (i = 0; i < DMA_THREADS; i++)
		pthread_join(dma[i], NULL);
	for (i = 0; i < MAP_THREADS; i++)
		pthread_join(map[i], NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(harv, NULL);
	assert_int_equal(c.errors, 0);

	tb_dev_put(c.dev);
	tb_dev_put(ssdev);
	tb_unmap(c.fs, STABLE, (STABLE_PAGES + 1) * TB_PAGE);
	tb_unmap(c.ss, STABLE, STABLE_PAGES * TB_PAGE);
	tb_domain_free(c.fs);
	tb_domain_free(c.ss);
	tb_buf_free(c.stable);
	tb_buf_free(c.ssbuf);
	for (i = 0; i < MAP_THREADS; i++)
		tb_buf_free(c.churn[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
