// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver under concurrency (run it under TSan too):
 *
 *   - DMA threads read through a stage-1 domain while a mutator unmaps and
 *     remaps its pages. Each page has a generation count the mutator makes
 *     odd while it changes the page; a read whose generation was even and
 *     the same before and after must see exactly the current mapping (a
 *     stale IOTLB entry would show the old page);
 *   - the same through a nested domain, with the guest remapping its
 *     stage 1 and invalidating through cache_invalidate;
 *   - devices joining and leaving a domain under DMA, faults feeding the
 *     event thread while the vDEVICE comes and goes, and a guest pushing
 *     commands into a Tegra241 VCMDQ meanwhile.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "smmudrv_tb.h"

#define NPAGES 64
#define IOVA 0x800000000ull

struct shared {
	struct ufd_dev *dev;
	uint64_t base; /* IOVA (or VA) of page 0 */
	_Atomic unsigned int gen[NPAGES];
	_Atomic int cur[NPAGES]; /* value the page holds, -1 unmapped */
	_Atomic bool stop;
	_Atomic unsigned long checked, bad;
};

struct reader_arg {
	struct shared *s;
	uint64_t seed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *reader(void *arg)
{
	const struct reader_arg *ra = arg;
	struct shared *s = ra->s;
	uint64_t rng = ra->seed, v;
	unsigned int p, g1, g2;
	int cur, rc;

	while (!atomic_load(&s->stop)) {
		p = (unsigned int)(tb_rand(&rng) % NPAGES);
		g1 = atomic_load(&s->gen[p]);
		cur = atomic_load(&s->cur[p]);
		rc = tb_dma_read64(s->dev, s->base + p * TB_PAGE, &v);
		g2 = atomic_load(&s->gen[p]);
		if (g1 != g2 || (g1 & 1))
			continue;
		/* cmocka's asserts belong to the main thread: count. */
		if (cur < 0 ? rc != -EFAULT : rc || v != (uint64_t)cur)
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->checked, 1);
	}
	return NULL;
}

/* Runs @mutate with two readers; @mutate flips pages as described. */
static void run_readers(struct shared *s, void (*mutate)(void *, unsigned int),
			void *priv, unsigned int rounds)
{
	struct reader_arg args[2] = { { s, 0x1000 }, { s, 0x2000 } };
	unsigned long before;
	uint64_t deadline;
	pthread_t th[2];
	unsigned int i;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &args[i]),
				 0);
	/* The readers run before the changes start... */
	deadline = now_ns() + 10000000000ull;
	while (!atomic_load(&s->checked) && now_ns() < deadline)
		sched_yield();
	before = atomic_load(&s->checked);
	/* ...and enough of their reads fall among the changes. */
	for (i = 0; (i < rounds || atomic_load(&s->checked) - before < 5000) &&
		    now_ns() < deadline;
	     i++)
		mutate(priv, i);
	atomic_store(&s->stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("# %lu reads checked, %lu during changes\n",
	       atomic_load(&s->checked), atomic_load(&s->checked) - before);
	assert_true(atomic_load(&s->checked) - before > 0);
	assert_int_equal(atomic_load(&s->bad), 0);
}

/* ---- Host remaps under DMA ---- */

struct host_world {
	struct shared s;
	struct ufd_domain *d;
	uint64_t *pool; /* 2 * NPAGES pages, page i holds i */
	uint64_t rng;
};

static void host_mutate(void *priv, unsigned int round)
{
	struct host_world *h = priv;
	unsigned int p = (unsigned int)(tb_rand(&h->rng) % NPAGES);
	uint64_t r = tb_rand(&h->rng);
	/* A quarter of the changes leave the page unmapped. */
	int q = r % 4 ? (int)((r >> 2) % (2 * NPAGES)) : -1;
	uint64_t iova = h->s.base + p * TB_PAGE;

	atomic_fetch_add(&h->s.gen[p], 1);
	tb_unmap(h->d, iova, TB_PAGE);
	if (q >= 0)
		tb_map(h->d, iova, (uint8_t *)h->pool + q * TB_PAGE, TB_PAGE,
		       RW);
	atomic_store(&h->s.cur[p], q);
	atomic_fetch_add(&h->s.gen[p], 1);
}

static void test_host_remap(void **state)
{
	struct host_world *h = calloc(1, sizeof(*h));
	unsigned int i;

	h->rng = tb_seed("host remap", 0xbeef);
	h->pool = tb_buf(2 * NPAGES * TB_PAGE, TB_PAGE);
	for (i = 0; i < 2 * NPAGES; i++)
		h->pool[i * TB_PAGE / 8] = i;
	h->s.dev = tb_dev(&ufd_smmuv3_iommu, 0);
	h->s.base = IOVA;
	h->d = tb_paging(h->s.dev, 0);
	for (i = 0; i < NPAGES; i++) {
		tb_map(h->d, IOVA + i * TB_PAGE,
		       (uint8_t *)h->pool + i * TB_PAGE, TB_PAGE, RW);
		atomic_store(&h->s.cur[i], (int)i);
	}
	assert_int_equal(ufd_dev_set_domain(h->s.dev, h->d), 0);
	run_readers(&h->s, host_mutate, h, 3000);
	tb_dev_put(h->s.dev);
	tb_unmap(h->d, IOVA, NPAGES * TB_PAGE);
	tb_domain_free(h->d);
	tb_buf_free(h->pool);
	free(h);
}

/* ---- A guest remapping and invalidating under DMA ---- */

struct guest_world {
	struct shared s;
	struct ufd_domain *s2, *nested;
	struct tb_guest g;
	struct tb_viommu tv;
	struct ufd_vdevice vdev;
	uint64_t pool_gpa; /* 2 * NPAGES guest pages, page i holds i */
	uint64_t rng;
};

static void guest_mutate(void *priv, unsigned int round)
{
	struct guest_world *w = priv;
	unsigned int p = (unsigned int)(tb_rand(&w->rng) % NPAGES);
	uint64_t r = tb_rand(&w->rng);
	int q = r % 4 ? (int)((r >> 2) % (2 * NPAGES)) : -1;
	uint64_t va = w->s.base + p * TB_PAGE;
	uint64_t cmd[2][2] = {
		{ tb_cmd0(SMMU_CMD_TLBI_NH_VA) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 0x21),
		  smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12) },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 0x21),
		  0 },
	};
	struct ufd_user_data_array a;

	atomic_fetch_add(&w->s.gen[p], 1);
	if (atomic_load(&w->s.cur[p]) >= 0)
		tb_gunmap(&w->g, va, TB_PAGE);
	if (q >= 0)
		tb_gmap(&w->g, va, w->pool_gpa + q * TB_PAGE, TB_PAGE, true);
	/* As a guest does: invalidate by VA, now and then ASID-wide. */
	a = tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		      round % 7 ? cmd[0] : cmd[1], 16, 1);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 0);
	atomic_store(&w->s.cur[p], q);
	atomic_fetch_add(&w->s.gen[p], 1);
}

static void test_guest_remap(void **state)
{
	struct guest_world *w = calloc(1, sizeof(*w));
	uint64_t ste[2], v;
	unsigned int i;

	w->rng = tb_seed("guest remap", 0xcafe);
	w->s.dev = tb_dev(&ufd_smmuv3_iommu, 0);
	w->s.base = 0x10000000ull;
	w->s2 = tb_paging(w->s.dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, 0x21);
	w->pool_gpa = tb_galloc(&w->g, 2 * NPAGES * TB_PAGE, TB_PAGE);
	for (i = 0; i < 2 * NPAGES; i++)
		*(uint64_t *)tb_gpa_ptr(&w->g, w->pool_gpa + i * TB_PAGE) = i;
	for (i = 0; i < NPAGES; i++)
		atomic_store(&w->s.cur[i], -1);
	assert_int_equal(tb_viommu_init(&w->tv, &ufd_smmuv3_iommu,
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, w->s2,
					NULL),
			 0);
	assert_int_equal(tb_vdev_init(&w->vdev, &w->tv, w->s.dev, 3), 0);
	tb_gste(&w->g, ste);
	w->nested = tb_nested(&w->tv, ste);
	assert_int_equal(ufd_dev_set_domain(w->s.dev, w->nested), 0);
	run_readers(&w->s, guest_mutate, w, 2000);
	/* Faults of unmapped pages went to the guest, under its vSID. */
	assert_int_equal(tb_dma_read64(w->s.dev, w->s.base + NPAGES * TB_PAGE,
				       &v),
			 -EFAULT);
	ufd_smmuv3_evtq_poll(ufd_smmuv3_default());
	assert_true(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3) > 0);
	assert_int_equal(
		smmu_dget(tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
				  ->data,
			  SMMU_EVT_SID),
		3);
	assert_int_equal(ufd_dev_set_domain(w->s.dev, NULL), 0);
	w->nested->ops->free(w->nested);
	tb_vdev_fini(&w->vdev);
	tb_viommu_fini(&w->tv);
	tb_dev_put(w->s.dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
	free(w);
}

/* ---- Churn: attach/detach, vDEVICEs, events, a VCMDQ, all at once ---- */

struct churn {
	struct ufd_domain *s2, *nested, *paging;
	struct tb_guest g;
	struct tb_viommu tv;
	struct iommu_viommu_tegra241_cmdqv data;
	struct ufd_dev *a, *b;
	struct ufd_vdevice vb;
	uint8_t *buf;
	_Atomic bool stop;
	_Atomic unsigned long dmas, syncs, bad;
};

static void *churn_dma(void *arg)
{
	struct churn *c = arg;
	uint64_t v;
	int rc;

	while (!atomic_load(&c->stop)) {
		/* a stays attached: its reads always work. */
		v = 0;
		if (tb_dma_read64(c->a, 0x1000, &v) || v != 0xc0ffee)
			atomic_fetch_add(&c->bad, 1);
		/* b comes and goes; an unmapped VA faults into the evtq. */
		rc = tb_dma_read64(c->b, 0x1000, &v);
		if (rc && rc != -EFAULT)
			atomic_fetch_add(&c->bad, 1);
		tb_dma_read64(c->b, 0x5000000, &v);
		atomic_fetch_add(&c->dmas, 1);
	}
	return NULL;
}

/* A guest pushing TLBIs and syncs into LVCMDQ 0 through its page. */
static void *churn_vcmdq(void *arg)
{
	struct churn *c = arg;
	uint32_t *page = c->tv.mmap_host, prod = 0, cons;
	uint64_t gpa = tb_galloc(&c->g, 512, 512);
	uint64_t *mem = tb_gpa_ptr(&c->g, gpa), deadline;
	struct ufd_hw_queue q = {
		.viommu = &c->tv.viommu,
		.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
		.index = 0,
		.base_iova = gpa,
		.length = 512,
	};
	unsigned int i;

	if (c->tv.viommu.ops->hw_queue_init(&q, (uint64_t)(uintptr_t)mem)) {
		atomic_fetch_add(&c->bad, 1);
		return NULL;
	}
	__atomic_store_n(&page[CMDQV_VCMDQ_CONFIG / 4], 1, __ATOMIC_RELEASE);
	while (!atomic_load(&c->stop)) {
		for (i = 0; i < 3; i++) {
			unsigned int e = prod % 32;

			mem[2 * e] =
				i < 2 ? tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
						smmu_dprep(SMMU_CMD_TLBI_ASID,
							   0x21)
				      : tb_cmd0(SMMU_CMD_SYNC);
			mem[2 * e + 1] = 0;
			prod = (prod + 1) % 64;
		}
		__atomic_store_n(&page[CMDQV_VCMDQ_PROD / 4], prod,
				 __ATOMIC_RELEASE);
		deadline = now_ns() + 10000000000ull;
		do {
			cons = __atomic_load_n(&page[CMDQV_VCMDQ_CONS / 4],
					       __ATOMIC_ACQUIRE);
			if (now_ns() > deadline) {
				atomic_fetch_add(&c->bad, 1);
				goto out;
			}
			sched_yield();
		} while ((cons & 63) != prod);
		atomic_fetch_add(&c->syncs, 1);
	}
out:
	q.destroy(&q);
	return NULL;
}

static void test_churn(void **state)
{
	const struct ufd_iommu_ops *ops = &ufd_smmuv3_iommu;
	struct churn *c = calloc(1, sizeof(*c));
	uint64_t deadline;
	pthread_t th[2];
	uint64_t ste[2];
	unsigned int i;

	c->a = tb_dev(ops, 0);
	c->b = tb_dev(ops, 0);
	c->buf = tb_buf(TB_PAGE, TB_PAGE);
	*(uint64_t *)c->buf = 0xc0ffee;
	c->paging = tb_paging(c->a, 0);
	tb_map(c->paging, 0x1000, c->buf, TB_PAGE, RW);
	c->s2 = tb_paging(c->a, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&c->g, c->s2, 0x21);
	{
		struct ufd_user_data ud =
			tb_udata(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, &c->data,
				 sizeof(c->data));

		assert_int_equal(
			tb_viommu_init(&c->tv, ops,
				       IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, c->s2,
				       &ud),
			0);
	}
	tb_gste(&c->g, ste);
	c->nested = tb_nested(&c->tv, ste);
	assert_int_equal(ufd_dev_set_domain(c->a, c->paging), 0);
	assert_int_equal(pthread_create(&th[0], NULL, churn_dma, c), 0);
	assert_int_equal(pthread_create(&th[1], NULL, churn_vcmdq, c), 0);
	deadline = now_ns() + 10000000000ull;
	for (i = 0; (i < 300 || atomic_load(&c->dmas) < 1000 ||
		     atomic_load(&c->syncs) < 20) &&
		    now_ns() < deadline;
	     i++) {
		/* b: paging, then a vDEVICE and the nested domain, then off. */
		assert_int_equal(ufd_dev_set_domain(c->b, c->paging), 0);
		assert_int_equal(tb_vdev_init(&c->vb, &c->tv, c->b, 9), 0);
		assert_int_equal(ufd_dev_set_domain(c->b, c->nested), 0);
		if (i % 3 == 0)
			ufd_smmuv3_evtq_poll(ufd_smmuv3_default());
		assert_int_equal(ufd_dev_set_domain(c->b, NULL), 0);
		tb_vdev_fini(&c->vb);
	}
	atomic_store(&c->stop, true);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	printf("# churn: %lu DMA rounds, %lu guest syncs\n",
	       atomic_load(&c->dmas), atomic_load(&c->syncs));
	assert_true(atomic_load(&c->dmas) > 0);
	assert_true(atomic_load(&c->syncs) > 0);
	assert_int_equal(atomic_load(&c->bad), 0);

	c->nested->ops->free(c->nested);
	tb_viommu_fini(&c->tv);
	tb_dev_put(c->a);
	tb_dev_put(c->b);
	tb_guest_fini(&c->g, c->s2);
	tb_domain_free(c->s2);
	tb_unmap(c->paging, 0x1000, TB_PAGE);
	tb_domain_free(c->paging);
	tb_buf_free(c->buf);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_remap),
		cmocka_unit_test(test_guest_remap),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
