// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d under concurrency: reader threads translate while a writer remaps
 * pages between two output addresses and invalidates. A reader may see the
 * old or the new address of a page (the stale rule) but never anything
 * else, and after the writer's invalidation completes no reader that
 * starts later sees the address from before it.
 */
#include <pthread.h>
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0200
#define DID 1
#define NPAGES 64
#define OA_A 0x10000000ull
#define OA_B 0x20000000ull

struct mt {
	struct tb tb;
	struct pt_table *ss;
	int stop;
	unsigned long bad;
};

static void *reader(void *arg)
{
	struct mt *m = arg;
	unsigned long n = 0;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		uint64_t iova = (n++ % NPAGES) * 4096;
		struct vtd_xlate x;

		if (vtd_translate(m->tb.vtd, SID, VTD_NO_PASID, iova, VTD_READ,
				  &x))
			continue; /* between unmap and map */
		if (x.oa != OA_A + iova && x.oa != OA_B + iova)
			__atomic_fetch_add(&m->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_remap_while_translating(void **state)
{
	pthread_t th[3];
	uint64_t done, un;
	struct mt m;
	unsigned int i, round;

	(void)state;
	memset(&m, 0, sizeof(m));
	tb_init(&m.tb, NULL);
	m.ss = tb_pt(&m.tb, PT_FMT_VTD_SS, 48, 0);
	pt_map(m.ss, 0, OA_A, NPAGES * 4096, PT_PROT_READ, &done);
	tb_pe_set(tb_pe(&m.tb, SID, 0), VTD_PGTT_SS, DID, m.ss, NULL, false);
	for (i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, reader, &m);
	for (round = 0; round < 300; round++) {
		uint64_t oa = (round & 1) ? OA_A : OA_B;
		struct vtd_xlate x;

		if (round % 3 == 0) {
			pt_unmap(m.ss, 0, NPAGES * 4096, 0, NULL, &un);
			pt_map(m.ss, 0, oa, NPAGES * 4096, PT_PROT_READ, &done);
		} else {
			assert_int_equal(
				pt_remap(m.ss, 0, NPAGES * 4096, oa, &done), 0);
		}
		tb_inv_iotlb(&m.tb, VTD_TLB_DOMAIN, DID, 0, 0);
		assert_true(tb_wait(&m.tb));
		/* After the invalidation: the new address, always. */
		for (i = 0; i < NPAGES; i += 7) {
			assert_int_equal(vtd_translate(m.tb.vtd, SID,
						       VTD_NO_PASID, i * 4096,
						       VTD_READ, &x),
					 0);
			assert_int_equal(x.oa, oa + i * 4096);
		}
	}
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(m.bad, 0);
	pt_free(m.ss);
	tb_fini(&m.tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remap_while_translating),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
