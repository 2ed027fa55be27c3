// SPDX-License-Identifier: BSD-3-Clause
/*
 * Many threads on one context: creating, looking up, using and destroying
 * objects at once. Run under ThreadSanitizer in CI; here the assertions are
 * that every operation gets a kernel answer (never a crash or a wrong
 * errno), that a lookup never sees a freed object, and that the table ends
 * exactly as the operations say it must.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "core_test.h"
#include "core/selftest.h"

#define NTHREADS 8
#define ITERS 4000

struct shared {
	struct ufd_ctx *ctx;
	_Atomic uint32_t last_id;
	_Atomic unsigned int destroyed, created, busy;
	/* SELFTEST objects destroyed by case 1 before their creator could. */
	_Atomic unsigned int stolen;
};

static void *worker(void *arg)
{
	struct shared *s = arg;
	uint64_t seed = (uintptr_t)pthread_self();

	for (int i = 0; i < ITERS; i++) {
		uint32_t id;
		long rc;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		switch ((seed >> 33) % 4) {
		case 0: {
			struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

			rc = test_ioctl(s->ctx, IOMMU_IOAS_ALLOC, &cmd);
			if (rc)
				fail_msg("IOAS_ALLOC: %ld", rc);
			atomic_store(&s->last_id, cmd.out_ioas_id);
			atomic_fetch_add(&s->created, 1);
			break;
		}
		case 1:
			id = atomic_load(&s->last_id) - (uint32_t)(seed % 3);
			rc = test_destroy(s->ctx, id);
			if (rc == 0)
				atomic_fetch_add(&s->destroyed, 1);
			else if (rc == -EBUSY)
				atomic_fetch_add(&s->busy, 1);
			else if (rc != -ENOENT)
				fail_msg("DESTROY: %ld", rc);
			break;
		case 2: {
			struct iommu_option cmd = {
				.size = sizeof(cmd),
				.option_id = IOMMU_OPTION_HUGE_PAGES,
				.op = IOMMU_OPTION_OP_GET,
				.object_id = atomic_load(&s->last_id),
			};

			rc = test_ioctl(s->ctx, IOMMU_OPTION, &cmd);
			if (rc && rc != -ENOENT)
				fail_msg("OPTION: %ld", rc);
			if (!rc && cmd.val64 != 1)
				fail_msg("OPTION read %llu",
					 (unsigned long long)cmd.val64);
			break;
		}
		case 3: {
			/* Hold the latest IOAS through a dependent object. */
			int64_t st = ufd_selftest_obj_create(
				s->ctx, atomic_load(&s->last_id));

			if (st > 0) {
				/*
				 * EBUSY while another thread's new object
				 * briefly holds this one (ids are reused);
				 * ENOENT when case 1 destroyed it first.
				 */
				do {
					rc = test_destroy(s->ctx, (uint32_t)st);
				} while (rc == -EBUSY);
				if (rc == -ENOENT)
					atomic_fetch_add(&s->stolen, 1);
				else if (rc)
					fail_msg("destroy selftest obj: %ld",
						 rc);
			} else if (st != -ENOENT) {
				fail_msg("selftest obj: %lld", (long long)st);
			}
			break;
		}
		}
	}
	return NULL;
}

static void test_many_threads(void **state)
{
	int64_t live = ufd_alloc_live();
	struct shared s = { .ctx = test_ctx_open() };
	pthread_t t[NTHREADS];
	unsigned int left;

	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &s), 0);
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);

	left = ufd_object_count(s.ctx);
	printf("# created %u, destroyed %u, busy %u, left %u\n",
	       atomic_load(&s.created), atomic_load(&s.destroyed),
	       atomic_load(&s.busy), left);
	/* Every SELFTEST object was destroyed; only IOASes remain. */
	assert_int_equal(left,
			 atomic_load(&s.created) - (atomic_load(&s.destroyed) -
						    atomic_load(&s.stolen)));
	ufd_ctx_put(s.ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

/* A destroy racing lookups of the same object: exactly one winner. */
static void *lookup_loop(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < ITERS * 4; i++) {
		struct ufd_object *obj = ufd_get_object(
			s->ctx, atomic_load(&s->last_id), UFD_OBJ_IOAS);

		if (!IS_ERR(obj)) {
			if (obj->type != UFD_OBJ_IOAS)
				fail_msg("lookup returned a freed object");
			ufd_put_object(s->ctx, obj);
		}
	}
	return NULL;
}

static void test_destroy_vs_lookup(void **state)
{
	struct shared s = { .ctx = test_ctx_open() };
	pthread_t t[2];
	unsigned int destroyed = 0;

	atomic_store(&s.last_id, test_ioas_alloc(s.ctx));
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_loop, &s),
				 0);
	for (int i = 0; i < 2000; i++) {
		uint32_t id = atomic_load(&s.last_id);
		long rc;

		do {
			rc = test_destroy(s.ctx, id);
		} while (rc == -EBUSY);
		assert_int_equal(rc, 0);
		destroyed++;
		atomic_store(&s.last_id, test_ioas_alloc(s.ctx));
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(destroyed, 2000);
	assert_int_equal(ufd_object_count(s.ctx), 1);
	ufd_ctx_put(s.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_destroy_vs_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
