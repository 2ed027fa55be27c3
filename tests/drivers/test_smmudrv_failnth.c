// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver's error paths: each operation runs with its 1st, 2nd,
 * ... fail point failing (fail-nth) until it completes with the countdown
 * still armed. A failed run must report an error, leave nothing allocated
 * and leave the driver usable: the next run starts from the same state.
 */
#include "smmudrv_tb.h"

/* Runs @op with every fail point in turn failing; checks for leaks. */
static void sweep(const char *what, int (*op)(void *), void *priv)
{
	unsigned int n, failures = 0;
	int64_t before;
	int rc;

	for (n = 1; n < 10000; n++) {
		before = ufd_alloc_live();
		ufd_fail_nth_set(n);
		rc = op(priv);
		if (!ufd_fail_nth_get()) {
			/* The n-th point failed: an error, and no leak. */
			assert_int_not_equal(rc, 0);
			assert_int_equal(ufd_alloc_live(), before);
			failures++;
			continue;
		}
		ufd_fail_nth_set(0);
		assert_int_equal(rc, 0);
		assert_int_equal(ufd_alloc_live(), before);
		break;
	}
	printf("# %s: %u failure points\n", what, failures);
	assert_true(failures > 0);
}

/* Sweeps need the countdown intact after a success: pause it. */
static unsigned int pause_nth(void)
{
	unsigned int left = ufd_fail_nth_get();

	ufd_fail_nth_set(0);
	return left;
}

static void resume_nth(unsigned int left)
{
	ufd_fail_nth_set(left);
}

/* @priv: the device flags (NULL: none). */
static int op_probe(void *priv)
{
	struct ufd_dev *dev =
		ufd_dev_create(&ufd_smmuv3_iommu, priv ? *(uint32_t *)priv : 0);

	unsigned int left;

	if (IS_ERR(dev))
		return (int)PTR_ERR(dev);
	left = pause_nth();
	tb_dev_put(dev);
	resume_nth(left);
	return 0;
}

struct ctx {
	struct ufd_dev *dev;
	struct ufd_domain *s2;
	struct tb_guest g;
	struct tb_viommu tv;
	uint8_t *buf;
};

static int op_paging(void *priv)
{
	struct ctx *c = priv;
	static const uint32_t flags[] = { 0, IOMMU_HWPT_ALLOC_NEST_PARENT,
					  IOMMU_HWPT_ALLOC_DIRTY_TRACKING };
	struct ufd_domain *d;
	unsigned int i, left;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(flags) && !rc; i++) {
		d = ufd_smmuv3_iommu.domain_alloc_paging(c->dev, flags[i]);
		if (IS_ERR(d))
			return (int)PTR_ERR(d);
		/* Tables for a 2M block and some pages around it. */
		rc = d->iopt.ops->map(&d->iopt, 0x40000000ull - 0x3000,
				      (uint64_t)(uintptr_t)c->buf,
				      (2ull << 20) + 0x6000, RW, false);
		if (!rc) {
			rc = ufd_dev_set_domain(c->dev, d);
			left = pause_nth();
			ufd_dev_set_domain(c->dev, NULL);
			d->iopt.ops->unmap(&d->iopt, 0x40000000ull - 0x3000,
					   (2ull << 20) + 0x6000);
			resume_nth(left);
		}
		left = pause_nth();
		d->ops->free(d);
		resume_nth(left);
	}
	return rc;
}

static int op_viommu(void *priv)
{
	struct ctx *c = priv;
	struct iommu_viommu_tegra241_cmdqv data;
	struct ufd_user_data ud =
		tb_udata(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, &data, sizeof(data));
	struct ufd_vdevice vdev;
	struct ufd_hw_queue q = {
		.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
		.length = 4096,
	};
	struct ufd_domain *n;
	uint64_t ste[2];
	unsigned int left;
	int rc;

	memset(&data, 0, sizeof(data));
	rc = tb_viommu_init(&c->tv, &ufd_smmuv3_iommu,
			    IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, c->s2, &ud);
	if (rc) {
		left = pause_nth();
		tb_viommu_fini(&c->tv);
		resume_nth(left);
		return rc;
	}
	rc = tb_vdev_init(&vdev, &c->tv, c->dev, 5);
	if (rc)
		goto out_viommu;
	tb_gste(&c->g, ste);
	n = tb_nested(&c->tv, ste);
	if (IS_ERR(n)) {
		rc = (int)PTR_ERR(n);
		goto out_vdev;
	}
	q.viommu = &c->tv.viommu;
	q.base_iova = TB_GPA + (4ull << 20);
	rc = c->tv.viommu.ops->hw_queue_init(
		&q, (uint64_t)(uintptr_t)tb_gpa_ptr(&c->g, q.base_iova));
	left = pause_nth();
	if (!rc)
		q.destroy(&q);
	n->ops->free(n);
	resume_nth(left);
out_vdev:
	left = pause_nth();
	tb_vdev_fini(&vdev);
	resume_nth(left);
out_viommu:
	left = pause_nth();
	tb_viommu_fini(&c->tv);
	resume_nth(left);
	return rc;
}

static void test_failnth(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	uint32_t ats = UFD_DEV_ATS, pri = UFD_DEV_ATS | UFD_DEV_PRI;

	/* The default instance and lazily made state exist before we count. */
	assert_int_equal(op_probe(NULL), 0);
	assert_int_equal(op_probe(&ats), 0);
	assert_int_equal(op_probe(&pri), 0);
	c->dev = tb_dev(&ufd_smmuv3_iommu, 0);
	c->buf = tb_buf((2ull << 20) + 0x6000, 2ull << 20);
	c->s2 = tb_paging(c->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&c->g, c->s2, 1);
	assert_int_equal(op_paging(c), 0);
	assert_int_equal(op_viommu(c), 0);

	sweep("probe", op_probe, NULL);
	sweep("probe with ATS (its ATC)", op_probe, &ats);
	sweep("probe with ATS and PRI (its PRI state)", op_probe, &pri);
	sweep("paging domains", op_paging, c);
	sweep("tegra vIOMMU, vDEVICE, nested, HW queue", op_viommu, c);

	tb_guest_fini(&c->g, c->s2);
	tb_domain_free(c->s2);
	tb_dev_put(c->dev);
	tb_buf_free(c->buf);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
