// SPDX-License-Identifier: BSD-3-Clause
/* The VT-d driver test bench; see vtddrv_tb.h. */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

/* ---- Devices, domains, memory ---- */

struct ufd_vtd *tb_vtd(struct ufd_dev *dev)
{
	struct ufd_vtd *vtd = ufd_vtd_of(dev->iommu);

	assert_false(IS_ERR_OR_NULL(vtd));
	return vtd;
}

bool tb_cached(struct ufd_dev *dev, uint32_t pasid, uint64_t iova)
{
	struct vtd_xlate x;

	return !vtd_translate_cached(
		ufd_vtd_hw(tb_vtd(dev)), ufd_vtd_dev_sid(dev),
		pasid == UFD_NO_PASID ? VTD_NO_PASID : pasid, iova, VTD_READ,
		&x);
}

int tb_warm(struct ufd_dev *dev, uint32_t pasid, uint64_t iova)
{
	struct vtd_xlate x;

	return vtd_translate(ufd_vtd_hw(tb_vtd(dev)), ufd_vtd_dev_sid(dev),
			     pasid == UFD_NO_PASID ? VTD_NO_PASID : pasid, iova,
			     VTD_READ, &x);
}

/* ---- A guest ---- */

void *tb_gpa_ptr(struct tb_guest *g, uint64_t gpa)
{
	assert_true(gpa >= TB_GPA && gpa < TB_GPA + TB_GRAM_SIZE);
	return g->ram + (gpa - TB_GPA);
}

uint64_t tb_galloc(struct tb_guest *g, uint64_t size, uint64_t align)
{
	uint64_t gpa = (g->next + align - 1) & ~(align - 1);

	assert_true(gpa + size <= TB_GPA + TB_GRAM_SIZE);
	g->next = gpa + size;
	memset(tb_gpa_ptr(g, gpa), 0, size);
	return gpa;
}

/* The guest's own view of its RAM, for writing its tables. */
static void *gram_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct tb_guest *g = priv;

	if (pa < TB_GPA || pa >= TB_GPA + TB_GRAM_SIZE ||
	    len > TB_GPA + TB_GRAM_SIZE - pa)
		return ERR_PTR(-EFAULT);
	return g->ram + (pa - TB_GPA);
}

static void *gram_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct tb_guest *g = priv;

	*pa = tb_galloc(g, size, align);
	return tb_gpa_ptr(g, *pa);
}

static void gram_free(void *priv, uint64_t pa, void *host, size_t size)
{
	/* A bump allocator: guest tables are never reused. */
}

static const struct pt_mem_ops gram_ops = {
	.map = gram_map,
	.alloc = gram_alloc,
	.free = gram_free,
};

void tb_guest_init(struct tb_guest *g, struct ufd_domain *s2,
		   unsigned int addr_width)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_VTD_FS,
		.ias = addr_width,
		.oas = 48,
		.flags = PT_CFG_SIGN_EXTEND,
		.mem = &gram_ops,
	};

	memset(g, 0, sizeof(*g));
	g->ram = tb_buf(TB_GRAM_SIZE, 2ull << 20);
	g->next = TB_GPA;
	cfg.mem_priv = g;
	tb_map(s2, TB_GPA, g->ram, TB_GRAM_SIZE, RW);
	g->s1 = pt_alloc(&cfg);
	assert_false(IS_ERR(g->s1));
}

void tb_guest_fini(struct tb_guest *g, struct ufd_domain *s2)
{
	pt_free(g->s1);
	tb_unmap(s2, TB_GPA, TB_GRAM_SIZE);
	tb_buf_free(g->ram);
}

uint64_t tb_groot(struct tb_guest *g)
{
	return pt_root(pt_table_walk_ctx(g->s1));
}

void tb_gmap(struct tb_guest *g, uint64_t va, uint64_t gpa, uint64_t len,
	     bool rw)
{
	uint64_t mapped = 0;

	assert_int_equal(pt_map(g->s1, va, gpa, len,
				PT_PROT_READ | PT_PROT_CACHE |
					(rw ? PT_PROT_WRITE : 0),
				&mapped),
			 0);
}

void tb_gunmap(struct tb_guest *g, uint64_t va, uint64_t len)
{
	uint64_t unmapped = 0;

	assert_int_equal(
		pt_unmap(g->s1, va, len, PT_UNMAP_SPLIT, NULL, &unmapped), 0);
}

struct ufd_domain *tb_nested(struct ufd_dev *dev, struct ufd_domain *s2,
			     const struct iommu_hwpt_vtd_s1 *s1)
{
	struct iommu_hwpt_vtd_s1 copy = *s1;
	struct ufd_user_data data =
		tb_udata(IOMMU_HWPT_DATA_VTD_S1, &copy, sizeof(copy));

	return dev->iommu->domain_alloc_nested(dev, s2, 0, &data);
}

/* ---- Randomness ---- */
