// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver's nested domains: a guest first-stage table written in
 * guest RAM that a nest-parent second stage maps, DMA through both
 * stages, the PASID entry the driver writes for it, the guest's own
 * changes staying stale until its IOMMU_HWPT_INVALIDATE request, and the
 * parent's unmap reaching the nested entries.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define VA 0x10000000ull
#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)

struct fixture {
	struct ufd_dev *dev;
	struct ufd_domain *s2, *n;
	struct tb_guest g;
	uint64_t gpa[2];    /* two guest data pages */
	uint64_t qi_errors; /* the unit's count when the fixture was made */
};

static uint64_t qi_errors(void)
{
	struct ufd_vtd_stats st;

	ufd_vtd_get_stats(ufd_vtd_default(), &st);
	return st.qi_errors;
}

static void setup(struct fixture *f, unsigned int addr_width)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = addr_width };

	f->qi_errors = qi_errors();
	f->dev = tb_dev(&ufd_vtd_iommu, 0);
	f->s2 = tb_paging(f->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&f->g, f->s2, addr_width);
	f->gpa[0] = tb_galloc(&f->g, TB_PAGE, TB_PAGE);
	f->gpa[1] = tb_galloc(&f->g, TB_PAGE, TB_PAGE);
	*(uint64_t *)tb_gpa_ptr(&f->g, f->gpa[0]) = 0x1111;
	*(uint64_t *)tb_gpa_ptr(&f->g, f->gpa[1]) = 0x2222;
	tb_gmap(&f->g, VA, f->gpa[0], TB_PAGE, true);
	s1.pgtbl_addr = tb_groot(&f->g);
	f->n = tb_nested(f->dev, f->s2, &s1);
	assert_false(IS_ERR(f->n));
	assert_int_equal(f->n->type, UFD_DOMAIN_NESTED);
	assert_int_equal(ufd_dev_set_domain(f->dev, f->n), 0);
}

static void teardown(struct fixture *f)
{
	tb_dev_put(f->dev);
	tb_domain_free(f->n);
	tb_guest_fini(&f->g, f->s2);
	tb_domain_free(f->s2);
	/* Every invalidation the driver issued was a valid descriptor. */
	assert_int_equal(qi_errors(), f->qi_errors);
}

/* One guest invalidation entry; returns the op's result. */
static int ginval(struct ufd_domain *n, uint64_t addr, uint64_t npages,
		  uint32_t *done)
{
	struct iommu_hwpt_vtd_s1_invalidate e = { .addr = addr,
						  .npages = npages };
	struct ufd_user_data_array a =
		tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &e, sizeof(e), 1);
	int rc = n->ops->cache_invalidate_user(n, &a);

	*done = a.entry_num;
	return rc;
}

static void nested_dma(unsigned int addr_width)
{
	struct ufd_vtd_domain_info pi, ni;
	uint64_t v, pe[PE_QWORDS];
	struct fixture f;

	setup(&f, addr_width);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x1111);
	assert_int_equal(tb_dma_write64(f.dev, VA + 8, 0x77), 0);
	assert_int_equal(((uint64_t *)tb_gpa_ptr(&f.g, f.gpa[0]))[1], 0x77);
	/* Not mapped by the guest: a fault. */
	assert_int_equal(tb_dma_read64(f.dev, VA + TB_PAGE, &v), -EFAULT);

	/* The entry: nested, the guest's table, the parent's, own DID. */
	assert_int_equal(ufd_vtd_read_pasid_entry(f.dev, 0, pe), 0);
	assert_int_equal(ufd_vtd_domain_info(f.s2, &pi), 0);
	assert_int_equal(ufd_vtd_domain_info(f.n, &ni), 0);
	assert_int_equal(vtd_dget(pe, VTD_PE_PGTT), VTD_PGTT_NESTED);
	assert_int_equal(vtd_dget(pe, VTD_PE_FSPTPTR) << 12, tb_groot(&f.g));
	assert_int_equal(vtd_dget(pe, VTD_PE_FSPM),
			 addr_width == 57 ? VTD_FSPM_5LVL : VTD_FSPM_4LVL);
	assert_int_equal(vtd_dget(pe, VTD_PE_DID), ni.did);
	assert_int_not_equal(ni.did, pi.did);
	assert_int_equal(vtd_dget(pe, VTD_PE_AW), VTD_AW_57);
	teardown(&f);
}

static void test_nested_dma_48(void **state)
{
	nested_dma(48);
}

static void test_nested_dma_57(void **state)
{
	nested_dma(57);
}

/* The guest repoints its PTE: stale until it invalidates. */
static void test_stale_until_invalidate(void **state)
{
	struct fixture f;
	uint32_t done;
	uint64_t v;

	setup(&f, 48);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x1111);
	assert_true(tb_cached(f.dev, UFD_NO_PASID, VA));
	tb_gunmap(&f.g, VA, TB_PAGE);
	tb_gmap(&f.g, VA, f.gpa[1], TB_PAGE, true);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x1111); /* stale, as hardware */
	/* Another page's invalidation leaves it. */
	assert_int_equal(ginval(f.n, VA + 16 * TB_PAGE, 1, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x1111);
	assert_int_equal(ginval(f.n, VA, 1, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x2222);

	/* Everything: addr 0, npages U64_MAX. */
	tb_gunmap(&f.g, VA, TB_PAGE);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(ginval(f.n, 0, U64_MAX, &done), 0);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), -EFAULT);
	teardown(&f);
}

/* The host unmaps guest RAM: nested entries through it go at once. */
static void test_parent_unmap(void **state)
{
	struct fixture f;
	uint64_t v;

	setup(&f, 48);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_true(tb_cached(f.dev, UFD_NO_PASID, VA));
	assert_int_equal(tb_unmap(f.s2, f.gpa[0], TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), -EFAULT);
	/* Put back for teardown's unmap of the whole RAM. */
	tb_map(f.s2, f.gpa[0], tb_gpa_ptr(&f.g, f.gpa[0]), TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(f.dev, VA, &v), 0);
	assert_int_equal(v, 0x1111);
	teardown(&f);
}

/* A hostile table pointer is a fault, not a host access. */
static void test_hostile_pointer(void **state)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, 0);
	struct ufd_domain *s2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	static const uint64_t bad[] = { 0, 0xdead000, 1ull << 51,
					TB_GPA + TB_GRAM_SIZE };
	struct ufd_domain *n;
	struct tb_guest g;
	unsigned int i;
	uint64_t v;

	tb_guest_init(&g, s2, 48);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s1.pgtbl_addr = bad[i];
		n = tb_nested(dev, s2, &s1);
		assert_false(IS_ERR(n));
		assert_int_equal(ufd_dev_set_domain(dev, n), 0);
		assert_int_equal(tb_dma_read64(dev, VA, &v), -EFAULT);
		assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
		tb_domain_free(n);
	}
	tb_dev_put(dev);
	tb_guest_fini(&g, s2);
	tb_domain_free(s2);
}

/* A nested domain at a PASID, beside a paging domain at RID_PASID. */
static void test_nested_pasid(void **state)
{
	struct ufd_dev *dev = tb_dev(&ufd_vtd_iommu, UFD_DEV_PASID);
	struct ufd_domain *s2 = tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct ufd_domain *n;
	struct tb_guest g;
	uint64_t gpa, v;
	uint32_t done;

	tb_guest_init(&g, s2, 48);
	gpa = tb_galloc(&g, TB_PAGE, TB_PAGE);
	*(uint64_t *)tb_gpa_ptr(&g, gpa) = 0x5555;
	tb_gmap(&g, VA, gpa, TB_PAGE, true);
	s1.pgtbl_addr = tb_groot(&g);
	n = tb_nested(dev, s2, &s1);
	assert_false(IS_ERR(n));
	assert_int_equal(ufd_dev_set_domain(dev, s2), 0);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 7, n), 0);
	assert_int_equal(tb_pasid_read64(dev, 7, VA, &v), 0);
	assert_int_equal(v, 0x5555);
	/* Without PASID: the parent, guest-physical. */
	assert_int_equal(tb_dma_read64(dev, gpa, &v), 0);
	assert_int_equal(v, 0x5555);
	tb_gunmap(&g, VA, TB_PAGE);
	assert_int_equal(tb_pasid_read64(dev, 7, VA, &v), 0);
	assert_int_equal(ginval(n, VA, 1, &done), 0);
	assert_int_equal(tb_pasid_read64(dev, 7, VA, &v), -EFAULT);
	tb_dev_put(dev);
	tb_domain_free(n);
	tb_guest_fini(&g, s2);
	tb_domain_free(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_dma_48),
		cmocka_unit_test(test_nested_dma_57),
		cmocka_unit_test(test_stale_until_invalidate),
		cmocka_unit_test(test_parent_unmap),
		cmocka_unit_test(test_hostile_pointer),
		cmocka_unit_test(test_nested_pasid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
