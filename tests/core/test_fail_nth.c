// SPDX-License-Identifier: BSD-3-Clause
/*
 * The fail-nth sweep over the core: run a sequence of context operations
 * with the 1st, 2nd, 3rd ... fail point on this thread failing, until the
 * sequence runs through without reaching the armed one. After every run
 * the context must hold exactly the objects whose creation succeeded, and
 * closing it must give back every allocation.
 */
#include "core_test.h"
#include "core/selftest.h"

/* Returns the number of objects the sequence left in the context. */
static unsigned int sequence(struct ufd_ctx *ctx)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
	};
	unsigned int expect = 0;
	uint32_t ioas = 0;
	int64_t st = 0;
	long rc;

	rc = test_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc);
	if (rc == 0) {
		ioas = alloc.out_ioas_id;
		expect++;
	} else {
		assert_int_equal(rc, -ENOMEM);
	}
	rc = test_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc);
	if (rc == 0)
		expect++;
	else
		assert_int_equal(rc, -ENOMEM);
	if (ioas) {
		st = ufd_selftest_obj_create(ctx, ioas);
		if (st > 0)
			expect++;
		else
			assert_true(st == -ENOMEM || st == -ENOENT);
		opt.object_id = ioas;
		rc = test_ioctl(ctx, IOMMU_OPTION, &opt);
		assert_true(rc == 0 || rc == -ENOENT);
	}
	if (st > 0) {
		rc = test_destroy(ctx, (uint32_t)st);
		/* Destroy has no fail point: it never fails. */
		assert_int_equal(rc, 0);
		expect--;
	}
	return expect;
}

static void test_sweep(void **state)
{
	int64_t live = ufd_alloc_live();
	unsigned int n, expect;

	for (n = 1; n < 1000; n++) {
		struct ufd_ctx *ctx;
		bool fired;

		ufd_fail_nth_set(n);
		ctx = ufd_ctx_create();
		if (IS_ERR(ctx)) {
			assert_int_equal(PTR_ERR(ctx), -ENOMEM);
			assert_int_equal(ufd_alloc_live(), live);
			continue;
		}
		expect = sequence(ctx);
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		assert_int_equal(ufd_object_count(ctx), expect);
		ufd_ctx_put(ctx);
		assert_int_equal(ufd_alloc_live(), live);
		if (!fired)
			break;
	}
	printf("# swept %u fail points\n", n - 1);
	/* Context, table, two IOASes, the SELFTEST object and the lookups. */
	assert_true(n > 5);
	assert_true(n < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
