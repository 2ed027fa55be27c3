// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi driver under concurrency: devices doing DMA on one domain
 * from many threads while another thread maps and unmaps (growing the
 * table's top on the way) and checks that what it unmapped no longer
 * translates, a third toggles dirty tracking and harvests, and a fourth
 * moves a device between domains. The default instance, with its event
 * thread reading the faults as they come.
 */
#include <pthread.h>

#include "amdvidrv_tb.h"

#define NDMA 4
#define ITERS 2000
#define STABLE 0x100000ull
#define CHURN 0x800000ull
#define NCHURN 16

struct ctx {
	struct ufd_domain *d, *other;
	struct ufd_dev *dma[NDMA], *checker, *mover;
	uint64_t *stable, *churn;
	int stop;
	unsigned int errors;
};

struct worker {
	struct ctx *c;
	unsigned int idx;
};

static void *dma_main(void *arg)
{
	struct worker *w = arg;
	struct ctx *c = w->c;
	uint64_t state = 0x1234 + w->idx, v;
	unsigned int i;

	for (i = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); i++) {
		uint64_t off = (tb_rand(&state) % 512) * 8;
		unsigned int page = (unsigned int)(tb_rand(&state) % NCHURN);

		/* The stable region always translates, to the right place. */
		if (tb_dma_read64(c->dma[w->idx], STABLE + off, &v) || v != off)
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		/* The churn region may be there or not; never elsewhere. */
		if (!tb_dma_read64(c->dma[w->idx], CHURN + page * TB_PAGE + 8,
				   &v) &&
		    v != 0xc0ffee)
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		/* Each device its own word: no two writers share memory. */
		tb_dma_write64(c->dma[w->idx],
			       CHURN + page * TB_PAGE + 16 + 8 * w->idx, i);
	}
	return NULL;
}

static void *map_main(void *arg)
{
	struct ctx *c = arg;
	uint64_t state = 99, v;
	unsigned int i, page;

	for (i = 0; i < ITERS; i++) {
		page = (unsigned int)(tb_rand(&state) % NCHURN);
		tb_unmap(c->d, CHURN + page * TB_PAGE, TB_PAGE);
		/* Unmapped: no IOTLB may still answer, for any device. */
		if (tb_dma_read64(c->checker, CHURN + page * TB_PAGE, &v) !=
		    -EFAULT)
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		tb_map(c->d, CHURN + page * TB_PAGE, c->churn, TB_PAGE, RW);
		if (i == ITERS / 2)
			tb_map(c->d, 1ull << 45, c->churn, TB_PAGE, RW);
	}
	return NULL;
}

static void *dirty_main(void *arg)
{
	struct ctx *c = arg;
	unsigned int i;

	for (i = 0; i < ITERS / 4; i++) {
		c->d->dirty_ops->set_dirty_tracking(c->d, i & 1);
		c->d->dirty_ops->read_and_clear_dirty(
			c->d, CHURN, NCHURN * TB_PAGE, 0, NULL);
	}
	return NULL;
}

static void *move_main(void *arg)
{
	struct ctx *c = arg;
	uint64_t v;
	unsigned int i;

	for (i = 0; i < ITERS / 4; i++) {
		if (ufd_dev_set_domain(c->mover, (i & 1) ? c->other : c->d))
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		/* Only c->d maps the stable region. */
		if ((tb_dma_read64(c->mover, STABLE, &v) == 0) == (i & 1))
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_mt(void **state)
{
	const struct ufd_iommu_ops *ops = &ufd_amdvi_iommu;
	struct worker w[NDMA];
	pthread_t dma[NDMA], mapper, dirty, mover;
	struct ufd_amdvi_domain_info info;
	struct ctx c = { 0 };
	unsigned int i;

	c.checker = tb_dev(ops, 0);
	c.mover = tb_dev(ops, 0);
	c.d = tb_paging(c.checker, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	c.other = tb_paging(c.checker, 0);
	c.stable = tb_buf(TB_PAGE, TB_PAGE);
	c.churn = tb_buf(TB_PAGE, TB_PAGE);
	for (i = 0; i < 512; i++)
		c.stable[i] = i * 8;
	c.churn[1] = 0xc0ffee;
	tb_map(c.d, STABLE, c.stable, TB_PAGE, RW);
	tb_map(c.d, CHURN, c.churn, TB_PAGE, RW);
	for (i = 1; i < NCHURN; i++)
		tb_map(c.d, CHURN + i * TB_PAGE, c.churn, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(c.checker, c.d), 0);
	for (i = 0; i < NDMA; i++) {
		c.dma[i] = tb_dev(ops, 0);
		assert_int_equal(ufd_dev_set_domain(c.dma[i], c.d), 0);
		w[i] = (struct worker){ .c = &c, .idx = i };
		assert_int_equal(pthread_create(&dma[i], NULL, dma_main, &w[i]),
				 0);
	}
	assert_int_equal(pthread_create(&mapper, NULL, map_main, &c), 0);
	assert_int_equal(pthread_create(&dirty, NULL, dirty_main, &c), 0);
	assert_int_equal(pthread_create(&mover, NULL, move_main, &c), 0);
	pthread_join(mapper, NULL);
	pthread_join(dirty, NULL);
	pthread_join(mover, NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NDMA; i++)
		pthread_join(dma[i], NULL);
	assert_int_equal(c.errors, 0);
	assert_int_equal(ufd_amdvi_domain_info(c.d, &info), 0);
	assert_int_equal(info.levels, 4);

	for (i = 0; i < NDMA; i++)
		tb_dev_put(c.dma[i]);
	tb_dev_put(c.checker);
	tb_dev_put(c.mover);
	tb_domain_free(c.d);
	tb_domain_free(c.other);
	tb_buf_free(c.stable);
	tb_buf_free(c.churn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
