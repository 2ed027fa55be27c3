// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi translations from several threads while another remaps pages,
 * changes a DTE and invalidates: every translation returns the old or the
 * new output address of its page (never a torn or foreign one), and once
 * an invalidation command has completed, every translation that starts
 * after it returns the new one.
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "amdvi_tb.h"

#define NPG 64
#define NTHREADS 3
#define DEV 0x40
#define IOVA 0x10000000ull
#define OA_A 0x100000000ull
#define OA_B 0x200000000ull

struct shared {
	struct tb *tb;
	int stop;
	/* Per page: 0 = A, 1 = B, as the writer last invalidated it. */
	uint8_t gen[NPG];
	unsigned long done[NTHREADS];
};

/* Page i at A or B: non-contiguous, so every page is its own leaf. */
static uint64_t oa_of(unsigned int i, bool b)
{
	return (b ? OA_B : OA_A) + 0x1000 + 0x2000ull * i;
}

struct worker {
	struct shared *sh;
	unsigned int id;
};

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct tb_rng rng = { 0x1000 + w->id };
	unsigned long n = 0;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		unsigned int i = (unsigned int)tb_below(&rng, NPG);
		uint64_t off = tb_below(&rng, 4096) & ~7ull;
		struct amdvi_xlate x;
		int ret;

		if (tb_below(&rng, 2))
			ret = amdvi_translate(sh->tb->iommu, DEV,
					      AMDVI_NO_PASID,
					      IOVA + 0x1000ull * i + off,
					      AMDVI_READ, &x);
		else
			ret = amdvi_translate_cached(sh->tb->iommu, DEV,
						     AMDVI_NO_PASID,
						     IOVA + 0x1000ull * i + off,
						     AMDVI_READ, &x);
		if (ret == -EAGAIN)
			continue;
		assert_int_equal(ret, 0);
		if (x.oa != oa_of(i, false) + off &&
		    x.oa != oa_of(i, true) + off) {
			print_message("page %u: oa %#" PRIx64 "\n", i, x.oa);
			fail();
		}
		__atomic_store_n(&sh->done[w->id], ++n, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_remap_while_translating(void **state)
{
	struct tb_rng rng = { tb_seed("mt", 0x3e3e) };
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct shared sh;
	struct pt_table *t;
	unsigned int i, round;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	memset(&sh, 0, sizeof(sh));
	sh.tb = &tb;
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	for (i = 0; i < NPG; i++)
		tb_map(t, IOVA + 0x1000ull * i, oa_of(i, false), 0x1000,
		       PT_PROT_READ | PT_PROT_WRITE);
	tb_dte_host(tb_dte(&tb, DEV), 5, t);
	for (i = 0; i < NTHREADS; i++) {
		w[i].sh = &sh;
		w[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, reader, &w[i]),
				 0);
	}
	for (round = 0; round < 400; round++) {
		unsigned int p = (unsigned int)tb_below(&rng, NPG);
		struct amdvi_xlate x;
		uint64_t done;

		sh.gen[p] ^= 1;
		assert_int_equal(pt_remap(t, IOVA + 0x1000ull * p, 0x1000,
					  oa_of(p, sh.gen[p]), &done),
				 0);
		if (round % 3 == 0) {
			tb_inv_pages(&tb, 5, false, 0, IOVA + 0x1000ull * p,
				     12);
		} else if (round % 3 == 1) {
			tb_inv_pages(&tb, 5, false, 0, IOVA, 18);
		} else {
			/* The DTE is rewritten identically and refetched. */
			tb_inv_dte(&tb, DEV);
			tb_inv_all(&tb);
		}
		tb_sync(&tb);
		assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID,
						 IOVA + 0x1000ull * p,
						 AMDVI_READ, &x),
				 0);
		assert_true(x.oa == oa_of(p, sh.gen[p]));
	}
	/* On a loaded machine a reader may not have run yet: let it. */
	for (i = 0; i < NTHREADS; i++)
		while (!__atomic_load_n(&sh.done[i], __ATOMIC_ACQUIRE))
			sched_yield();
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	/* Everything invalidated: all pages at their last address. */
	tb_inv_all(&tb);
	for (i = 0; i < NPG; i++) {
		struct amdvi_xlate x;

		assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID,
						 IOVA + 0x1000ull * i,
						 AMDVI_READ, &x),
				 0);
		assert_true(x.oa == oa_of(i, sh.gen[i]));
	}
	tb_no_event(&tb);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remap_while_translating),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
