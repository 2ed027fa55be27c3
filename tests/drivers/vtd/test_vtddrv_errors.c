// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver's refusals, each with Linux's errno: paging flags,
 * nested allocation (capability, flags, data type, parent, data size),
 * the nested entry's checks at attach (address width, SRE, EAFE against
 * the unit), guest invalidation requests (array type, flags, __reserved,
 * alignment, "everything" with an address) with entry_num counting the
 * entries handled, and PASID attach limits.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_vtd_iommu;
}

static void test_paging_flags(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	static const uint32_t bad[] = {
		IOMMU_HWPT_FAULT_ID_VALID,
		IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_FAULT_ID_VALID,
		1u << 5,
		1u << 31,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
			PTR_ERR(ops()->domain_alloc_paging(dev, bad[i])),
			-EOPNOTSUPP);
	tb_dev_put(dev);
}

static void test_nested_alloc(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *s2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct ufd_domain *fs = tb_paging(dev, 0);
	struct ufd_domain *ss = tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48,
					.pgtbl_addr = 0x1000 };
	uint8_t big[sizeof(s1) + 8] = { 0 };
	struct ufd_user_data data;
	struct ufd_domain *n;

	data = tb_udata(IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	/* Flags: only IOMMU_HWPT_ALLOC_PASID. */
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(
				 dev, s2, IOMMU_HWPT_ALLOC_NEST_PARENT, &data)),
			 -EOPNOTSUPP);
	n = ops()->domain_alloc_nested(dev, s2, IOMMU_HWPT_ALLOC_PASID, &data);
	assert_false(IS_ERR(n));
	tb_domain_free(n);
	/* Another data type. */
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, &s1, sizeof(s1));
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(dev, s2, 0, &data)),
			 -EOPNOTSUPP);
	/* Parents: first stage, second stage not a nest parent, none. */
	data = tb_udata(IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(dev, fs, 0, &data)),
			 -EINVAL);
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(dev, ss, 0, &data)),
			 -EINVAL);
	/* Sizes: shorter than the first version, longer with a tail. */
	data = tb_udata(IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1) - 4);
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(dev, s2, 0, &data)),
			 -EINVAL);
	memcpy(big, &s1, sizeof(s1));
	big[sizeof(s1) + 3] = 1;
	data = tb_udata(IOMMU_HWPT_DATA_VTD_S1, big, sizeof(big));
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(dev, s2, 0, &data)),
			 -EINVAL);
	tb_domain_free(fs);
	tb_domain_free(ss);
	tb_domain_free(s2);
	tb_dev_put(dev);
}

static void no_sre_5lp(struct vtd_config *cfg)
{
	cfg->sre = false;
	cfg->fs_5lvl = false;
}

/* The checks Linux makes when it writes the nested entry: -EINVAL. */
static void test_nested_attach_checks(void **state)
{
	const struct ufd_vtd_opts o = { .tweak = no_sre_5lp };
	struct ufd_vtd *vtd = ufd_vtd_create(&o);
	const struct ufd_iommu_ops *vops;
	static const struct {
		uint64_t flags;
		uint32_t aw;
		int rc;
	} cases[] = {
		{ 0, 48, 0 },
		{ 0, 57, -EINVAL }, /* no FS5LP */
		{ 0, 39, -EINVAL },
		{ 0, 0, -EINVAL },
		{ IOMMU_VTD_S1_SRE, 48, -EINVAL }, /* no SRS */
		{ IOMMU_VTD_S1_WPE, 48, 0 },
	};
	struct ufd_domain *s2, *n;
	struct ufd_dev *dev;
	unsigned int i;
	uint64_t pe[VTD_PASID_ENTRY_SIZE / 8];

	assert_false(IS_ERR(vtd));
	vops = ufd_vtd_ops(vtd);
	dev = tb_dev(vops, 0);
	s2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct iommu_hwpt_vtd_s1 s1 = { .flags = cases[i].flags,
						.addr_width = cases[i].aw,
						.pgtbl_addr = TB_GPA };

		n = tb_nested(dev, s2, &s1);
		assert_false(IS_ERR(n));
		assert_int_equal(ufd_dev_set_domain(dev, n), cases[i].rc);
		assert_int_equal(ufd_vtd_read_pasid_entry(dev, 0, pe), 0);
		assert_int_equal(vtd_dget(pe, VTD_PE_P), !cases[i].rc);
		/* WPE alone means nothing without SRE, as Linux writes it. */
		assert_int_equal(vtd_dget(pe, VTD_PE_WPE), 0);
		assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
		tb_domain_free(n);
	}
	tb_domain_free(s2);
	tb_dev_put(dev);

	/* No nesting at all: -EOPNOTSUPP. */
	ufd_vtd_destroy(vtd);
}

static void test_invalidate_errors(void **state)
{
	struct ufd_dev *dev = tb_dev(ops(), 0);
	struct ufd_domain *s2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48,
					.pgtbl_addr = TB_GPA };
	struct iommu_hwpt_vtd_s1_invalidate e[4];
	struct ufd_user_data_array a;
	struct ufd_domain *n = tb_nested(dev, s2, &s1);
	static const struct {
		uint64_t addr, npages;
		uint32_t flags, rsvd;
		int rc;
	} bad[] = {
		{ 0x1000, 1, 2, 0, -EOPNOTSUPP },
		{ 0x1000, 1, 0, 1, -EOPNOTSUPP },
		{ 0x1800, 1, 0, 0, -EINVAL },
		{ 0x1000, U64_MAX, 0, 0, -EINVAL },
	};
	unsigned int i;

	assert_false(IS_ERR(n));
	assert_int_equal(ufd_dev_set_domain(dev, n), 0);
	memset(e, 0, sizeof(e));
	/* Wrong array type: nothing handled. */
	a = tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 + 1, e, sizeof(e[0]),
		      2);
	assert_int_equal(n->ops->cache_invalidate_user(n, &a), -EINVAL);
	assert_int_equal(a.entry_num, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* Two good entries, then the bad one, then a good one. */
		memset(e, 0, sizeof(e));
		e[0].addr = 0x1000;
		e[0].npages = 1;
		e[1].npages = U64_MAX;
		e[2].addr = bad[i].addr;
		e[2].npages = bad[i].npages;
		e[2].flags = bad[i].flags;
		e[2].__reserved = bad[i].rsvd;
		e[3].addr = 0x2000;
		e[3].npages = 2;
		e[3].flags = IOMMU_VTD_INV_FLAGS_LEAF;
		a = tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, e,
			      sizeof(e[0]), 4);
		assert_int_equal(n->ops->cache_invalidate_user(n, &a),
				 bad[i].rc);
		assert_int_equal(a.entry_num, 2);
	}
	/* All good, one of them empty. */
	e[2].addr = 0x3000;
	e[2].npages = 0;
	e[2].flags = 0;
	e[2].__reserved = 0;
	a = tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, e, sizeof(e[0]), 4);
	assert_int_equal(n->ops->cache_invalidate_user(n, &a), 0);
	assert_int_equal(a.entry_num, 4);
	/* Entries too short for the first version. */
	a = tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, e, 16, 2);
	assert_int_equal(n->ops->cache_invalidate_user(n, &a), -EINVAL);
	assert_int_equal(a.entry_num, 0);
	tb_dev_put(dev);
	tb_domain_free(n);
	tb_domain_free(s2);
}

static void no_nest(struct vtd_config *cfg)
{
	cfg->nest = false;
}

static void test_no_nesting(void **state)
{
	const struct ufd_vtd_opts o = { .tweak = no_nest };
	struct ufd_vtd *vtd = ufd_vtd_create(&o);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct ufd_user_data data =
		tb_udata(IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	struct ufd_domain *ss;
	struct ufd_dev *dev;

	assert_false(IS_ERR(vtd));
	dev = tb_dev(ufd_vtd_ops(vtd), 0);
	assert_int_equal(PTR_ERR(ufd_vtd_ops(vtd)->domain_alloc_paging(
				 dev, IOMMU_HWPT_ALLOC_NEST_PARENT)),
			 -EOPNOTSUPP);
	ss = tb_paging(dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	assert_int_equal(PTR_ERR(ufd_vtd_ops(vtd)->domain_alloc_nested(
				 dev, ss, 0, &data)),
			 -EOPNOTSUPP);
	tb_domain_free(ss);
	tb_dev_put(dev);
	ufd_vtd_destroy(vtd);
}

/* PASIDs: only for devices that asked, below their width, not 0 twice. */
static void test_pasid_limits(void **state)
{
	struct ufd_dev *plain = tb_dev(ops(), 0);
	struct ufd_dev *dev = tb_dev(ops(), UFD_DEV_PASID);
	struct ufd_domain *d = tb_paging(dev, IOMMU_HWPT_ALLOC_PASID);

	assert_int_equal(plain->pasid_bits, 0);
	assert_int_equal(dev->pasid_bits, 20);
	assert_int_equal(ufd_dev_set_pasid_domain(plain, 1, d), -EOPNOTSUPP);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 1u << 20, d), -EINVAL);
	/* PASID 0 is RID_PASID: attach()'s, not attach_pasid()'s. */
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 0, d), -EINVAL);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, (1u << 20) - 1, d), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, (1u << 20) - 1, NULL),
			 0);
	tb_dev_put(plain);
	tb_dev_put(dev);
	tb_domain_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_flags),
		cmocka_unit_test(test_nested_alloc),
		cmocka_unit_test(test_nested_attach_checks),
		cmocka_unit_test(test_invalidate_errors),
		cmocka_unit_test(test_no_nesting),
		cmocka_unit_test(test_pasid_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
