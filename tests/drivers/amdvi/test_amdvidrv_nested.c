// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi driver's nesting: a vIOMMU over a nesting-parent v1 domain,
 * nested domains from a guest's DTE (validated as Linux validates it),
 * the host DTE built from the parent's table and the guest's GCR3 fields,
 * guest DomainIDs mapped to host DomainIDs per vIOMMU, DMA through the
 * guest's GCR3 and v2 tables (in guest RAM, read through the parent), and
 * the parent's unmap reaching the nested translations.
 */
#include "amdvidrv_tb.h"

#define GPA 0x40000000ull
#define GRAM (4ull << 20)
#define GVA 0x7f0000000000ull

struct guest {
	uint8_t *ram;
	uint64_t next; /* bump allocator, guest physical */
	struct pt_table *s1;
	uint64_t gcr3; /* GPA of its one-level GCR3 table */
};

static void *gptr(struct guest *g, uint64_t gpa)
{
	assert_true(gpa >= GPA && gpa < GPA + GRAM);
	return g->ram + (gpa - GPA);
}

static uint64_t galloc(struct guest *g, uint64_t size)
{
	uint64_t gpa = (g->next + TB_PAGE - 1) & ~(TB_PAGE - 1);

	assert_true(gpa + size <= GPA + GRAM);
	g->next = gpa + size;
	memset(gptr(g, gpa), 0, size);
	return gpa;
}

static void *gmem_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct guest *g = priv;

	if (pa < GPA || pa >= GPA + GRAM || len > GPA + GRAM - pa)
		return ERR_PTR(-EFAULT);
	return g->ram + (pa - GPA);
}

static void *gmem_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct guest *g = priv;

	*pa = galloc(g, size);
	return gptr(g, *pa);
}

static void gmem_free(void *priv, uint64_t pa, void *host, size_t size)
{
}

static const struct pt_mem_ops gmem_ops = {
	.map = gmem_map,
	.alloc = gmem_alloc,
	.free = gmem_free,
};

/* Guest RAM mapped by @parent at GPA, a v2 table and a GCR3 table in it. */
static void guest_init(struct guest *g, struct ufd_domain *parent)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_VTD_FS,
		.ias = 48,
		.mem = &gmem_ops,
	};
	uint64_t *gcr3;

	memset(g, 0, sizeof(*g));
	g->ram = tb_buf(GRAM, 2ull << 20);
	g->next = GPA;
	cfg.mem_priv = g;
	tb_map(parent, GPA, g->ram, GRAM, RW);
	g->gcr3 = galloc(g, TB_PAGE);
	g->s1 = pt_alloc(&cfg);
	assert_false(IS_ERR(g->s1));
	gcr3 = gptr(g, g->gcr3);
	gcr3[0] = amdvi_fprep(AMDVI_GCR3_ADDR,
			      pt_root(pt_table_walk_ctx(g->s1)) >> 12) |
		  amdvi_fprep(AMDVI_GCR3_V, 1);
}

static void guest_fini(struct guest *g)
{
	pt_free(g->s1);
	tb_buf_free(g->ram);
}

/* The guest's DTE for its GCR3 table, with guest DomainID @gdomid. */
static void guest_dte(struct guest *g, uint16_t gdomid,
		      uint64_t dte[AMDVI_DTE_QWORDS])
{
	memset(dte, 0, AMDVI_DTE_QWORDS * sizeof(*dte));
	amdvi_dset(dte, AMDVI_DTE_V, 1);
	amdvi_dset(dte, AMDVI_DTE_TV, 1);
	amdvi_dset(dte, AMDVI_DTE_GV, 1);
	amdvi_dset(dte, AMDVI_DTE_GIOV, 1);
	amdvi_dset(dte, AMDVI_DTE_GLX, 0);
	amdvi_dset(dte, AMDVI_DTE_GCR3_A, g->gcr3 >> AMDVI_GCR3_A_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_B, g->gcr3 >> AMDVI_GCR3_B_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_C, g->gcr3 >> AMDVI_GCR3_C_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GPM, AMDVI_GATS_4LVL);
	amdvi_dset(dte, AMDVI_DTE_DOMAIN_ID, gdomid);
}

static struct ufd_domain *nested(struct ufd_viommu *v,
				 const uint64_t dte[AMDVI_DTE_QWORDS])
{
	struct iommu_hwpt_amd_guest arg;
	struct ufd_user_data data;
	unsigned int i;

	for (i = 0; i < AMDVI_DTE_QWORDS; i++)
		arg.dte[i] = dte[i];
	data = tb_udata(IOMMU_HWPT_DATA_AMD_GUEST, &arg, sizeof(arg));
	return v->ops->alloc_domain_nested(v, 0, &data);
}

static void viommu_setup(struct ufd_viommu *v, struct ufd_dev *dev,
			 struct ufd_domain *parent)
{
	memset(v, 0, sizeof(*v));
	v->type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3; /* any but the default */
	v->parent = parent;
	v->iommu = dev->iommu;
	assert_int_equal(dev->iommu->viommu_init(v, NULL), 0);
	assert_non_null(v->ops);
}

static void test_viommu_rules(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *plain = tb_paging(dev, 0);
	struct ufd_domain *v2 = tb_paging(dev, IOMMU_HWPT_ALLOC_PASID);
	struct ufd_domain *parent =
		tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct ufd_viommu v = { .type = 1, .iommu = dev->iommu };

	assert_false(
		dev->iommu->viommu_supported(dev, IOMMU_VIOMMU_TYPE_DEFAULT));
	assert_true(dev->iommu->viommu_supported(dev, 1));
	assert_true(dev->iommu->viommu_supported(dev, 77));
	v.parent = plain;
	assert_int_equal(dev->iommu->viommu_init(&v, NULL), -EINVAL);
	v.parent = v2;
	assert_int_equal(dev->iommu->viommu_init(&v, NULL), -EINVAL);
	viommu_setup(&v, dev, parent);
	v.ops->destroy(&v);
	tb_dev_put(dev);
	tb_domain_free(plain);
	tb_domain_free(v2);
	tb_domain_free(parent);
	ufd_amdvi_destroy(iommu);
}

static void bad_gpm(struct amdvi_config *cfg)
{
	cfg->gats_levels = 4;
}

static void test_gdte_validation(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(bad_gpm);
	struct ufd_dev *dev = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *parent =
		tb_paging(dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct iommu_hwpt_amd_guest arg = { { 0 } };
	struct ufd_user_data data;
	struct ufd_viommu v;
	uint64_t good[AMDVI_DTE_QWORDS], dte[AMDVI_DTE_QWORDS];
	struct guest g;
	struct ufd_domain *n;

	guest_init(&g, parent);
	viommu_setup(&v, dev, parent);
	guest_dte(&g, 3, good);

	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_MODE, 3);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EINVAL);
	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_HPTRP, 0x1234);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EINVAL);
	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_GCR3_A, 0);
	amdvi_dset(dte, AMDVI_DTE_GCR3_B, 0);
	amdvi_dset(dte, AMDVI_DTE_GCR3_C, 0);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EINVAL);
	/* ... which is fine when the guest entry is not valid. */
	amdvi_dset(dte, AMDVI_DTE_V, 0);
	n = nested(&v, dte);
	assert_false(IS_ERR(n));
	n->ops->free(n);
	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_GPM, 2);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EINVAL);
	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_GLX, 3);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EINVAL);
	/* A 5-level guest table on an IOMMU with 4. */
	memcpy(dte, good, sizeof(dte));
	amdvi_dset(dte, AMDVI_DTE_GPM, AMDVI_GATS_5LVL);
	assert_int_equal(PTR_ERR(nested(&v, dte)), -EOPNOTSUPP);
	/* Another data type, a flag, a short struct. */
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, &arg, sizeof(arg));
	assert_int_equal(PTR_ERR(v.ops->alloc_domain_nested(&v, 0, &data)),
			 -EOPNOTSUPP);
	data = tb_udata(IOMMU_HWPT_DATA_AMD_GUEST, &arg, sizeof(arg));
	assert_int_equal(PTR_ERR(v.ops->alloc_domain_nested(
				 &v, IOMMU_HWPT_ALLOC_NEST_PARENT, &data)),
			 -EOPNOTSUPP);
	data = tb_udata(IOMMU_HWPT_DATA_AMD_GUEST, &arg, 16);
	assert_int_equal(PTR_ERR(v.ops->alloc_domain_nested(&v, 0, &data)),
			 -EINVAL);
	v.ops->destroy(&v);
	guest_fini(&g);
	tb_dev_put(dev);
	tb_domain_free(parent);
	ufd_amdvi_destroy(iommu);
}

static void test_nested_dma(void **state)
{
	struct ufd_amdvi *iommu = tb_instance(NULL);
	struct ufd_dev *a = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_dev *b = tb_dev(ufd_amdvi_ops(iommu), 0);
	struct ufd_domain *parent = tb_paging(a, IOMMU_HWPT_ALLOC_NEST_PARENT);
	struct ufd_domain *n1, *n2, *n3;
	uint64_t gdte[AMDVI_DTE_QWORDS], dte[AMDVI_DTE_QWORDS], v, data;
	struct ufd_amdvi_domain_info info;
	uint64_t mapped = 0;
	struct ufd_viommu vi;
	struct guest g;
	int h3, h5;

	guest_init(&g, parent);
	viommu_setup(&vi, a, parent);
	assert_int_equal(ufd_amdvi_domain_info(parent, &info), 0);
	data = galloc(&g, TB_PAGE);
	assert_int_equal(pt_map(g.s1, GVA, data, TB_PAGE,
				PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);

	/* Two nested domains with guest DomainID 3 share a host one. */
	guest_dte(&g, 3, gdte);
	n1 = nested(&vi, gdte);
	n2 = nested(&vi, gdte);
	assert_false(IS_ERR(n1));
	assert_false(IS_ERR(n2));
	guest_dte(&g, 5, gdte);
	n3 = nested(&vi, gdte);
	assert_false(IS_ERR(n3));
	h3 = ufd_amdvi_viommu_hdomid(&vi, 3);
	h5 = ufd_amdvi_viommu_hdomid(&vi, 5);
	assert_true(h3 > 0 && h5 > 0);
	assert_int_not_equal(h3, h5);
	assert_int_not_equal(h3, info.domid);
	assert_int_equal(ufd_amdvi_viommu_hdomid(&vi, 4), -ENOENT);

	assert_int_equal(ufd_dev_set_domain(a, n1), 0);
	assert_int_equal(ufd_dev_set_domain(b, n3), 0);
	/* The host DTE: the parent's table, the guest's GCR3 fields. */
	tb_dte(a, dte);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_MODE), info.levels);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_HPTRP) << 12, info.root);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_DOMAIN_ID), h3);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GIOV), 1);
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GCR3_A),
			 amdvi_dget(gdte, AMDVI_DTE_GCR3_A));
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GCR3_B),
			 amdvi_dget(gdte, AMDVI_DTE_GCR3_B));
	assert_int_equal(amdvi_dget(dte, AMDVI_DTE_GPM), AMDVI_GATS_4LVL);

	/* GVA -> GPA (guest table) -> host (parent). */
	assert_int_equal(tb_dma_write64(a, GVA + 8, 0xabc), 0);
	assert_int_equal(((uint64_t *)gptr(&g, data))[1], 0xabc);
	assert_int_equal(tb_dma_read64(b, GVA + 8, &v), 0);
	assert_int_equal(v, 0xabc);
	assert_true(tb_cached(a, AMDVI_NO_PASID, GVA));
	assert_true(tb_cached(b, AMDVI_NO_PASID, GVA));
	/* The parent unmaps the data page: no nested entry survives. */
	assert_int_equal(tb_unmap(parent, data, TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(a, GVA, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(b, GVA, &v), -EFAULT);

	assert_int_equal(ufd_dev_set_domain(a, NULL), 0);
	assert_int_equal(ufd_dev_set_domain(b, NULL), 0);
	n1->ops->free(n1);
	assert_int_equal(ufd_amdvi_viommu_hdomid(&vi, 3), h3);
	n2->ops->free(n2);
	assert_int_equal(ufd_amdvi_viommu_hdomid(&vi, 3), -ENOENT);
	n3->ops->free(n3);
	vi.ops->destroy(&vi);
	guest_fini(&g);
	tb_dev_put(a);
	tb_dev_put(b);
	tb_domain_free(parent);
	ufd_amdvi_destroy(iommu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_viommu_rules),
		cmocka_unit_test(test_gdte_validation),
		cmocka_unit_test(test_nested_dma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
