// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOAS behaviour in the fixture x variant style: every test runs once per
 * variant -- no domain, one mock domain, two mock domains, one mock domain
 * with the temporary memory limit the kernel's tests set -- and asserts
 * what must hold in all of them (the answers of the ioctls do not depend
 * on the domains) and, where there are domains, what each domain maps
 * (IOMMU_TEST_OP_MD_CHECK_MAP) after every step.
 */
#include <unistd.h>

#include "mock_test.h"

#include "core/fault_fd.h"

#define PS ((uint64_t)sysconf(_SC_PAGESIZE))
#define BASE ((uint64_t)MOCK_APERTURE_START)
#define BUF_PAGES 64

struct variant {
	const char *name;
	unsigned int ndomains;
	bool limit;
};

static const struct variant variants[] = {
	{ "no_domain", 0, false },
	{ "mock_domain", 1, false },
	{ "two_mock_domain", 2, false },
	{ "mock_domain_limit", 1, true },
};

struct fix {
	const struct variant *v;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct mock_dev dev[2];
	uint8_t *buf;
};

static int setup(void **state, const struct variant *v)
{
	struct fix *f = calloc(1, sizeof(*f));
	unsigned int i;

	f->v = v;
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	f->buf = t_alloc(PS, BUF_PAGES * PS);
	for (i = 0; i < BUF_PAGES * PS; i++)
		f->buf[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < v->ndomains; i++)
		assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &f->dev[i]), 0);
	if (v->limit) {
		struct iommu_test_cmd lim = {
			.size = sizeof(lim),
			.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
			.memory_limit = { .limit = 65536 },
		};

		assert_int_equal(test_ioctl(f->ctx, IOMMU_TEST_CMD, &lim), 0);
	}
	*state = f;
	return 0;
}

#define VARIANT_SETUP(n)                                                       \
	static int setup_##n(void **state)                                     \
	{                                                                      \
		return setup(state, &variants[n]);                             \
	}
VARIANT_SETUP(0)
VARIANT_SETUP(1)
VARIANT_SETUP(2)
VARIANT_SETUP(3)

static int teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	/* Access descriptors are released asynchronously. */
	ufd_fdchan_flush(NULL);
	free(f->buf);
	free(f);
	assert_int_equal(ufd_alloc_live(), 0);
	return 0;
}

static long check_map(struct ufd_ctx *ctx, uint32_t hwpt, uint64_t iova,
		      uint64_t len, const void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { iova, len, (uintptr_t)uptr },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* Every domain of the variant maps [iova, +len) to uptr, or none does. */
static void domains_map(struct fix *f, uint64_t iova, uint64_t len,
			const void *uptr, bool mapped)
{
	unsigned int i;

	for (i = 0; i < f->v->ndomains; i++)
		assert_int_equal(check_map(f->ctx, f->dev[i].hwpt, iova, len,
					   uptr),
				 mapped ? 0 : -EINVAL);
}

/* A device of the variant reads what the CPU wrote, through its domain. */
static void domains_dma(struct fix *f, uint64_t iova, const void *expect)
{
	uint8_t got[64];
	unsigned int i;

	for (i = 0; i < f->v->ndomains; i++) {
		assert_int_equal(ufd_dev_dma(t_dev(f->ctx, f->dev[i].stdev),
					     iova, got, sizeof(got), false),
				 0);
		assert_memory_equal(got, expect, sizeof(got));
	}
}

static long map_auto(struct fix *f, void *va, uint64_t len, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = f->ioas,
		.user_va = (uintptr_t)va,
		.length = len,
	};
	long rc = test_ioctl(f->ctx, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

static long unmap_len(struct fix *f, uint64_t iova, uint64_t len, uint64_t *out)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = f->ioas,
		.iova = iova,
		.length = len,
	};
	long rc = test_ioctl(f->ctx, IOMMU_IOAS_UNMAP, &cmd);

	*out = cmd.length;
	return rc;
}

/* Map, see it in every domain, unmap, see it gone, unmap again: ENOENT. */
static void test_map_unmap(void **state)
{
	struct fix *f = *state;
	uint64_t done;

	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, 8 * PS, BASE), 0);
	domains_map(f, BASE, 8 * PS, f->buf, true);
	domains_dma(f, BASE + PS, f->buf + PS);
	/* Over it, and half into it: in use. */
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, PS, BASE), -EEXIST);
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, 8 * PS, BASE + 4 * PS),
			 -EEXIST);
	assert_int_equal(unmap_len(f, BASE, 8 * PS, &done), 0);
	assert_int_equal(done, 8 * PS);
	domains_map(f, BASE, PS, f->buf, false);
	/* A failed unmap writes nothing back, as Linux: length as given. */
	assert_int_equal(unmap_len(f, BASE, 8 * PS, &done), -ENOENT);
	assert_int_equal(done, 8 * PS);
}

/* Unmap takes whole areas: a range that cuts one is refused (ENOENT). */
static void test_unmap_whole_areas(void **state)
{
	struct fix *f = *state;
	uint64_t done;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(t_map(f->ctx, f->ioas, f->buf + i * 4 * PS,
				       4 * PS, BASE + i * 4 * PS),
				 0);
	/*
	 * Cuts the second area: the first goes, then the cut stops it with
	 * ENOENT (and, failing, the length is not written back).
	 */
	assert_int_equal(unmap_len(f, BASE, 6 * PS, &done), -ENOENT);
	assert_int_equal(done, 6 * PS);
	domains_map(f, BASE, PS, f->buf, false);
	domains_map(f, BASE + 4 * PS, 12 * PS, f->buf + 4 * PS, true);
	/* 0 .. U64_MAX takes everything that is left. */
	assert_int_equal(unmap_len(f, 0, UINT64_MAX, &done), 0);
	assert_int_equal(done, 12 * PS);
	domains_map(f, BASE + 4 * PS, PS, f->buf + 4 * PS, false);
}

/* Automatic placement: aligned, inside what every domain translates. */
static void test_auto_iova(void **state)
{
	struct fix *f = *state;
	uint64_t iova, iova2, done;

	assert_int_equal(map_auto(f, f->buf, 4 * PS, &iova), 0);
	assert_int_equal(iova % PS, 0);
	if (f->v->ndomains)
		assert_true(iova >= MOCK_APERTURE_START &&
			    iova + 4 * PS - 1 <= MOCK_APERTURE_LAST);
	domains_map(f, iova, 4 * PS, f->buf, true);
	/*
	 * A sub-page offset is kept, which a domain's 2 KiB alignment then
	 * refuses (EINVAL), as Linux does.
	 */
	if (f->v->ndomains) {
		assert_int_equal(map_auto(f, f->buf + 8 * PS + 64, PS, &iova2),
				 -EINVAL);
	} else {
		assert_int_equal(map_auto(f, f->buf + 8 * PS + 64, PS, &iova2),
				 0);
		assert_int_equal(iova2 % PS, 64);
		assert_int_equal(unmap_len(f, iova2, PS, &done), 0);
	}
	assert_int_equal(unmap_len(f, iova, 4 * PS, &done), 0);
}

/* IOVA ranges: everything without a domain, the mock aperture with one. */
static void test_iova_ranges(void **state)
{
	struct fix *f = *state;
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = f->ioas,
		.num_iovas = 0,
		.allowed_iovas = (uintptr_t)r,
	};

	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_IOVA_RANGES, &cmd),
			 -EMSGSIZE);
	assert_int_equal(cmd.num_iovas, 1);
	cmd.num_iovas = 4;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_IOVA_RANGES, &cmd), 0);
	assert_int_equal(cmd.num_iovas, 1);
	if (f->v->ndomains) {
		assert_int_equal(r[0].start, MOCK_APERTURE_START);
		assert_int_equal(r[0].last, MOCK_APERTURE_LAST);
		assert_int_equal(cmd.out_iova_alignment, MOCK_PAGE_SIZE);
	} else {
		assert_int_equal(r[0].start, 0);
		assert_int_equal(r[0].last, UINT64_MAX);
		assert_int_equal(cmd.out_iova_alignment, 1);
	}
}

/* COPY: the second IOAS maps the same pages; this IOAS's domains unchanged. */
static void test_copy(void **state)
{
	struct fix *f = *state;
	uint32_t dst = test_ioas_alloc(f->ctx);
	struct iommu_ioas_copy cp = {
		.size = sizeof(cp),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = f->ioas,
		.length = 4 * PS,
		.dst_iova = BASE + 64 * PS,
		.src_iova = BASE + 2 * PS,
	};
	struct mock_dev m;
	uint64_t done;

	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, 8 * PS, BASE), 0);
	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_COPY, &cp), 0);
	assert_int_equal(t_mock_dev(f->ctx, dst, 0, &m), 0);
	assert_int_equal(check_map(f->ctx, m.hwpt, BASE + 64 * PS, 4 * PS,
				   f->buf + 2 * PS),
			 0);
	/* Out of the source's mapped range: ENOENT. */
	cp.src_iova = BASE + 6 * PS;
	cp.dst_iova = BASE + 128 * PS;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_COPY, &cp), -ENOENT);
	/* Unmapping the source leaves the copy. */
	assert_int_equal(unmap_len(f, BASE, 8 * PS, &done), 0);
	assert_int_equal(check_map(f->ctx, m.hwpt, BASE + 64 * PS, 4 * PS,
				   f->buf + 2 * PS),
			 0);
	assert_int_equal(test_destroy(f->ctx, m.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, dst), 0);
}

/* An access reads and writes by IOVA, with or without domains. */
static void test_access_rw(void **state)
{
	struct fix *f = *state;
	struct iommu_test_cmd create = {
		.size = sizeof(create),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = f->ioas,
	};
	uint8_t data[32] = "through an access";
	struct iommu_test_cmd rw = {
		.size = sizeof(rw),
		.op = IOMMU_TEST_OP_ACCESS_RW,
	};

	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, 8 * PS, BASE), 0);
	assert_int_equal(test_ioctl(f->ctx, IOMMU_TEST_CMD, &create), 0);
	rw.id = create.create_access.out_access_fd;
	rw.access_rw.iova = BASE + PS + 100;
	rw.access_rw.length = sizeof(data);
	rw.access_rw.uptr = (uintptr_t)data;
	rw.access_rw.flags = MOCK_ACCESS_RW_WRITE;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_TEST_CMD, &rw), 0);
	assert_memory_equal(f->buf + PS + 100, data, sizeof(data));
	/* A device sees the CPU-path write too. */
	domains_dma(f, BASE + PS + 100 - 32, f->buf + PS + 100 - 32);
	/* Beyond the mapping: ENOENT. */
	rw.access_rw.iova = BASE + 8 * PS;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_TEST_CMD, &rw), -ENOENT);
	close((int)create.create_access.out_access_fd);
}

/* A read-only mapping: devices may read, and may not write (EPERM). */
static void test_read_only(void **state)
{
	struct fix *f = *state;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = f->ioas,
		.user_va = (uintptr_t)f->buf,
		.length = 4 * PS,
		.iova = BASE,
	};
	unsigned int i;
	uint8_t b = 1;

	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_MAP, &cmd), 0);
	domains_dma(f, BASE, f->buf);
	for (i = 0; i < f->v->ndomains; i++)
		assert_int_equal(ufd_dev_dma(t_dev(f->ctx, f->dev[i].stdev),
					     BASE, &b, 1, true),
				 -EPERM);
	/* Neither readable nor writeable: EINVAL. */
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = BASE + 16 * PS;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_MAP, &cmd), -EINVAL);
}

#define VARIANT_TESTS(n)                                                       \
	cmocka_unit_test_setup_teardown(test_map_unmap, setup_##n, teardown),  \
		cmocka_unit_test_setup_teardown(test_unmap_whole_areas,        \
						setup_##n, teardown),          \
		cmocka_unit_test_setup_teardown(test_auto_iova, setup_##n,     \
						teardown),                     \
		cmocka_unit_test_setup_teardown(test_iova_ranges, setup_##n,   \
						teardown),                     \
		cmocka_unit_test_setup_teardown(test_copy, setup_##n,          \
						teardown),                     \
		cmocka_unit_test_setup_teardown(test_access_rw, setup_##n,     \
						teardown),                     \
		cmocka_unit_test_setup_teardown(test_read_only, setup_##n,     \
						teardown)

int main(void)
{
	const struct CMUnitTest v0[] = { VARIANT_TESTS(0) };
	const struct CMUnitTest v1[] = { VARIANT_TESTS(1) };
	const struct CMUnitTest v2[] = { VARIANT_TESTS(2) };
	const struct CMUnitTest v3[] = { VARIANT_TESTS(3) };
	int failed = 0;

	failed += _cmocka_run_group_tests(variants[0].name, v0, 7, NULL, NULL);
	failed += _cmocka_run_group_tests(variants[1].name, v1, 7, NULL, NULL);
	failed += _cmocka_run_group_tests(variants[2].name, v2, 7, NULL, NULL);
	failed += _cmocka_run_group_tests(variants[3].name, v3, 7, NULL, NULL);
	return failed;
}
