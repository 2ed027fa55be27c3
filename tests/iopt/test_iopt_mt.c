// SPDX-License-Identifier: BSD-3-Clause
/*
 * Many threads on one IOAS with a mock domain attached: mapping and
 * unmapping (each thread in its own IOVA window, all of them racing for
 * one shared window, and all of them placing areas automatically in one
 * allowed range), copying into a second IOAS, reading through an
 * access, and a device DMA-reading the mapped memory. Run under
 * ThreadSanitizer in CI. The assertions: every call gets one of the
 * answers Linux gives for it, a DMA that succeeds returns the bytes of the
 * memory mapped there, and at the end the IOAS, the domain and the pin
 * counts are empty and nothing leaked.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "../core/core_test.h"
#include "core/access.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PS 4096ull
#define NMAPPERS 4
#define ITERS 10000
#define WINDOW (1ull << 24) /* MOCK_APERTURE_START */
#define SHARED (WINDOW + 64 * (64 * PS))
/* Where automatic placement may put areas (IOMMU_IOAS_ALLOW_IOVAS). */
#define AUTO_START (1ull << 28)
#define AUTO_LAST (AUTO_START + (16ull << 20) - 1)

static uint8_t mem[NMAPPERS + 1][16 * 4096] __attribute__((aligned(4096)));

struct shared {
	struct ufd_ctx *ctx;
	uint32_t ioas, ioas2;
	struct ufd_dev *dev;
	struct ufd_access *access;
	_Atomic bool stop;
};

static long map_at(struct shared *s, uint32_t ioas, void *va, uint64_t len,
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

	return test_ioctl(s->ctx, IOMMU_IOAS_MAP, &cmd);
}

static long unmap_at(struct shared *s, uint32_t ioas, uint64_t iova,
		     uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return test_ioctl(s->ctx, IOMMU_IOAS_UNMAP, &cmd);
}

struct mapper {
	struct shared *s;
	unsigned int index;
};

static void *mapper(void *arg)
{
	struct mapper *m = arg;
	struct shared *s = m->s;
	uint64_t own = WINDOW + m->index * (64 * PS);
	unsigned int seed = m->index * 7919 + 1;

	for (int i = 0; i < ITERS; i++) {
		uint64_t len = (1 + (seed % 8)) * PS;
		long rc;

		seed = seed * 1103515245 + 12345;
		/* Our own window: must always work. */
		if (map_at(s, s->ioas, mem[m->index], len, own))
			fail_msg("map own window");
		if (unmap_at(s, s->ioas, own, len))
			fail_msg("unmap own window");
		/* The shared window: whoever wins maps, the others see it. */
		rc = map_at(s, s->ioas, mem[NMAPPERS], 4 * PS, SHARED);
		if (rc && rc != -EEXIST)
			fail_msg("map shared: %ld", rc);
		if (i % 3 == 0) {
			struct iommu_ioas_copy cp = {
				.size = sizeof(cp),
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
					 IOMMU_IOAS_MAP_READABLE,
				.dst_ioas_id = s->ioas2,
				.src_ioas_id = s->ioas,
				.length = 4 * PS,
				.dst_iova = WINDOW + m->index * (64 * PS),
				.src_iova = SHARED,
			};

			rc = test_ioctl(s->ctx, IOMMU_IOAS_COPY, &cp);
			if (rc && rc != -ENOENT)
				fail_msg("copy: %ld", rc);
			if (!rc && unmap_at(s, s->ioas2, cp.dst_iova, 4 * PS))
				fail_msg("unmap copy");
		}
		rc = unmap_at(s, s->ioas, SHARED, 4 * PS);
		if (rc && rc != -ENOENT)
			fail_msg("unmap shared: %ld", rc);
		if (i % 2 == 0) {
			/* Placed for us: inside the allowed range, and ours. */
			struct iommu_ioas_map cmd = {
				.size = sizeof(cmd),
				.flags = IOMMU_IOAS_MAP_READABLE,
				.ioas_id = s->ioas,
				.user_va = (uintptr_t)mem[m->index],
				.length = len,
			};

			if (test_ioctl(s->ctx, IOMMU_IOAS_MAP, &cmd))
				fail_msg("automatic map");
			if (cmd.iova < AUTO_START ||
			    cmd.iova + len - 1 > AUTO_LAST)
				fail_msg("placed at %#llx",
					 (unsigned long long)cmd.iova);
			if (unmap_at(s, s->ioas, cmd.iova, len))
				fail_msg("unmap automatic");
		}
	}
	return NULL;
}

/* Reads the shared window by DMA and through the access. */
static void *reader(void *arg)
{
	struct shared *s = arg;
	uint8_t buf[64];

	while (!atomic_load(&s->stop)) {
		int rc = ufd_dev_dma(s->dev, SHARED + 100, buf, sizeof(buf),
				     false);

		if (rc == 0 && memcmp(buf, mem[NMAPPERS] + 100, sizeof(buf)))
			fail_msg("DMA read the wrong bytes");
		if (rc && rc != -EFAULT)
			fail_msg("DMA: %d", rc);
		rc = ufd_access_rw(s->access, SHARED + 200, buf, sizeof(buf),
				   0);
		if (rc == 0 && memcmp(buf, mem[NMAPPERS] + 200, sizeof(buf)))
			fail_msg("access read the wrong bytes");
		if (rc && rc != -ENOENT && rc != -EINVAL)
			fail_msg("access rw: %d", rc);
	}
	return NULL;
}

static void test_many_threads(void **state)
{
	int64_t live = ufd_alloc_live();
	struct shared s = { .ctx = test_ctx_open() };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct mapper m[NMAPPERS];
	pthread_t t[NMAPPERS + 1];
	struct iommu_iova_range auto_range = { AUTO_START, AUTO_LAST };
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow),
		.num_iovas = 1,
		.allowed_iovas = (uintptr_t)&auto_range,
	};
	struct ufd_object *obj;
	struct ufd_ioas *ioas;
	uint64_t len;

	for (int i = 0; i <= NMAPPERS; i++)
		memset(mem[i], 0x40 + i, sizeof(mem[i]));
	s.ioas = test_ioas_alloc(s.ctx);
	s.ioas2 = test_ioas_alloc(s.ctx);
	allow.ioas_id = s.ioas;
	assert_int_equal(test_ioctl(s.ctx, IOMMU_IOAS_ALLOW_IOVAS, &allow), 0);
	mock.id = s.ioas;
	assert_int_equal(test_ioctl(s.ctx, IOMMU_TEST_CMD, &mock), 0);
	obj = ufd_get_object(s.ctx, mock.mock_domain.out_stdev_id,
			     UFD_OBJ_SELFTEST);
	assert_false(IS_ERR(obj));
	s.dev = container_of(obj, struct ufd_selftest_obj, obj)->dev;
	ufd_put_object(s.ctx, obj);
	s.access = ufd_access_create(s.ctx, NULL, NULL);
	assert_false(IS_ERR(s.access));
	assert_int_equal(ufd_access_attach(s.access, s.ioas), 0);

	assert_int_equal(pthread_create(&t[NMAPPERS], NULL, reader, &s), 0);
	for (unsigned int i = 0; i < NMAPPERS; i++) {
		m[i] = (struct mapper){ &s, i };
		assert_int_equal(pthread_create(&t[i], NULL, mapper, &m[i]), 0);
	}
	for (int i = 0; i < NMAPPERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	atomic_store(&s.stop, true);
	assert_int_equal(pthread_join(t[NMAPPERS], NULL), 0);

	/* Everything was unmapped again: nothing is pinned or mapped. */
	ioas = ufd_get_ioas(s.ctx, s.ioas);
	assert_false(IS_ERR(ioas));
	assert_int_equal(iopt_area_count(&ioas->iopt), 0);
	ufd_put_object(s.ctx, &ioas->obj);
	assert_int_equal(ufd_dev_dma(s.dev, SHARED, &len, 8, false), -EFAULT);
	ufd_access_destroy(s.access);
	ufd_ctx_put(s.ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
