// SPDX-License-Identifier: BSD-3-Clause
/* The VT-d driver test bench; see vtddrv_tb.h. */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

/* ---- User data ---- */

static int ud_read(void *dst, size_t dst_size, const void *uptr, size_t len)
{
	const uint8_t *p = uptr;
	size_t i;

	if (len <= dst_size) {
		memcpy(dst, uptr, len);
		memset((uint8_t *)dst + len, 0, dst_size - len);
		return 0;
	}
	for (i = dst_size; i < len; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, uptr, dst_size);
	return 0;
}

static int ud_write(void *uptr, const void *src, size_t len)
{
	memcpy(uptr, src, len);
	return 0;
}

struct ufd_user_data tb_udata(uint32_t type, void *p, size_t len)
{
	struct ufd_user_data d = {
		.type = type,
		.uptr = p,
		.len = len,
		.read = ud_read,
		.write = ud_write,
	};

	return d;
}

struct ufd_user_data_array tb_uarray(uint32_t type, const void *p,
				     uint32_t entry_len, uint32_t n)
{
	struct ufd_user_data_array a = {
		.type = type,
		.uptr = p,
		.entry_len = entry_len,
		.entry_num = n,
		.read = ud_read,
	};

	return a;
}

/* ---- Devices, domains, memory ---- */

struct ufd_dev *tb_dev(const struct ufd_iommu_ops *ops, uint32_t flags)
{
	struct ufd_dev *dev = ufd_dev_create(ops, flags);

	assert_false(IS_ERR(dev));
	return dev;
}

void tb_dev_put(struct ufd_dev *dev)
{
	unsigned int i;

	for (i = dev->npasids; i-- > 0;)
		assert_int_equal(ufd_dev_set_pasid_domain(
					 dev, dev->pasids[i].pasid, NULL),
				 0);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	ufd_dev_destroy(dev);
}

struct ufd_domain *tb_paging(struct ufd_dev *dev, uint32_t flags)
{
	struct ufd_domain *d = dev->iommu->domain_alloc_paging(dev, flags);

	assert_false(IS_ERR(d));
	return d;
}

void tb_domain_free(struct ufd_domain *d)
{
	d->ops->free(d);
}

void tb_map(struct ufd_domain *d, uint64_t iova, const void *host, uint64_t len,
	    unsigned int prot)
{
	assert_int_equal(d->iopt.ops->map(&d->iopt, iova,
					  (uint64_t)(uintptr_t)host, len, prot,
					  false),
			 0);
}

uint64_t tb_unmap(struct ufd_domain *d, uint64_t iova, uint64_t len)
{
	return d->iopt.ops->unmap(&d->iopt, iova, len);
}

void *tb_buf(size_t len, size_t align)
{
	void *p = ufd_alloc_aligned(align, len);

	assert_non_null(p);
	memset(p, 0, len);
	return p;
}

void tb_buf_free(void *p)
{
	ufd_free(p);
}

int tb_dma_write64(struct ufd_dev *dev, uint64_t iova, uint64_t v)
{
	return ufd_dev_dma(dev, iova, &v, sizeof(v), true);
}

int tb_dma_read64(struct ufd_dev *dev, uint64_t iova, uint64_t *v)
{
	return ufd_dev_dma(dev, iova, v, sizeof(*v), false);
}

int tb_dma_pasid_write64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
			 uint64_t v)
{
	return ufd_dev_dma_pasid(dev, pasid, iova, &v, sizeof(v), true);
}

int tb_dma_pasid_read64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
			uint64_t *v)
{
	return ufd_dev_dma_pasid(dev, pasid, iova, v, sizeof(*v), false);
}

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

uint64_t tb_seed(const char *what, uint64_t fallback)
{
	const char *env = getenv("TB_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : fallback;

	printf("# %s: seed 0x%" PRIx64 " (TB_SEED repeats it)\n", what, seed);
	return seed;
}

uint64_t tb_rand(uint64_t *state)
{
	/* splitmix64 */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
