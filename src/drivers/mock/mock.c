// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock IOMMU driver: paging domains on the mock page-table format, DMA
 * translation by walking them, dirty tracking in their D bits, and the
 * hardware information of the kernel's mock. See mock.h.
 *
 * Locking: a domain's table_lock is taken for read by translations, dirty
 * harvests and set-dirty, and for write by unmap, so a table freed by an
 * unmap is never under a walker (the role the IOTLB flush plays on real
 * hardware). dirty_tracking is atomic: the walker reads it per
 * translation, as hardware reads its context entry.
 */
#include <errno.h>
#include <stdatomic.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "drivers/mock/mock_priv.h"
#include "drivers/pt_map.h"
#include "iopt/pages.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd_test.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* The allocation flags a mock paging domain can honour. */
#define MOCK_PAGING_FLAGS                                                      \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID |               \
	 IOMMU_HWPT_ALLOC_DIRTY_TRACKING)

struct mock_domain {
	struct ufd_domain base;
	struct ufd_rwlock table_lock;
	struct pt_table *pt;
	/* The page small_only mappings use: the domain's smallest. */
	uint64_t small_pgsize;
	/* The walker marks written leaves dirty (only with dirty_ops). */
	_Atomic bool dirty_tracking;
};

static struct mock_domain *to_mock(struct ufd_domain *d)
{
	return container_of(d, struct mock_domain, base);
}

static struct mock_domain *iopt_to_mock(struct iopt_domain *d)
{
	return container_of(d, struct mock_domain, base.iopt);
}

/** mock_domain_table() - the page table of a mock domain */
struct pt_table *mock_domain_table(struct ufd_domain *domain)
{
	return to_mock(domain)->pt;
}

/** mock_domain_is_paging() - is @domain a mock paging domain? */
bool mock_domain_is_paging(const struct ufd_domain *domain)
{
	return domain->owner == &ufd_mock_iommu &&
	       domain->type == UFD_DOMAIN_PAGING;
}

/** mock_domain_dirty_tracking() - is dirty tracking on in @domain? */
bool mock_domain_dirty_tracking(struct ufd_domain *domain)
{
	return domain->dirty_ops &&
	       atomic_load_explicit(&to_mock(domain)->dirty_tracking,
				    memory_order_acquire);
}

/**
 * mock_domain_set_dirty() - mark the leaf at @iova dirty
 *
 * Return: 0, -ENOENT (nothing mapped at @iova), -EACCES (read-only leaf).
 */
int mock_domain_set_dirty(struct ufd_domain *domain, uint64_t iova)
{
	struct mock_domain *m = to_mock(domain);
	int rc;

	ufd_rwlock_rdlock(&m->table_lock);
	rc = pt_set_dirty(m->pt, iova);
	ufd_rwlock_unlock(&m->table_lock);
	return rc;
}

static uint64_t mock_unmap(struct iopt_domain *d, uint64_t iova, uint64_t len)
{
	struct mock_domain *m = iopt_to_mock(d);
	uint64_t unmapped = 0;

	ufd_rwlock_wrlock(&m->table_lock);
	pt_unmap(m->pt, iova, len, PT_UNMAP_HOLES | PT_UNMAP_SPLIT, NULL,
		 &unmapped);
	pt_gather_free(m->pt, NULL);
	ufd_rwlock_unlock(&m->table_lock);
	return unmapped;
}

static int mock_map(struct iopt_domain *d, uint64_t iova, uint64_t paddr,
		    uint64_t len, unsigned int prot, bool small_only)
{
	struct mock_domain *m = iopt_to_mock(d);
	uint64_t done;
	int rc;

	rc = ufd_pt_domain_map(m->pt, iova, paddr, len, prot,
			       small_only ? m->small_pgsize : 0, &done);
	if (rc && done)
		mock_unmap(d, iova, done);
	return rc;
}

static int mock_remap(struct iopt_domain *d, uint64_t iova, uint64_t len,
		      uint64_t old_paddr, uint64_t new_paddr)
{
	struct mock_domain *m = iopt_to_mock(d);
	int rc;

	/* No TLB to invalidate: translations walk the table. */
	ufd_rwlock_wrlock(&m->table_lock);
	rc = ufd_pt_domain_remap(m->pt, iova, len, old_paddr, new_paddr);
	ufd_rwlock_unlock(&m->table_lock);
	return rc;
}

static void mock_domain_free(struct ufd_domain *d)
{
	struct mock_domain *m = to_mock(d);

	pt_free(m->pt);
	ufd_rwlock_destroy(&m->table_lock);
	ufd_free(m);
}

/*
 * Translation runs. A DMA moves more than a page, and pays for every
 * translation it asks for: a walk and the table lock. So a translation
 * answers, besides the leaf that the walk of @iova proves, the leaves after
 * it in the same leaf table that map the output onward, with the same
 * permissions, as far as the DMA wants to go.
 *
 * An output address is a binary field of a descriptor, in every format
 * src/pt has, so moving a leaf's output on by one leaf adds a constant
 * power of two to the descriptor, the same for every leaf of a level. A
 * walk of two neighbouring leaves that agree in everything else shows that
 * constant; it is learned once per level (mock_run_delta). From then on a
 * leaf is proven by reading it and finding exactly the descriptor the one
 * before it predicts: the same attributes, the next output. Leaves of one
 * table share the tables above them, so the permissions the walk gathered
 * on the way down hold for all of them.
 *
 * A write with dirty tracking on marks the leaf it walks; the leaves proven
 * by reading must then be dirty already (they match it), so none is
 * written unmarked.
 */
/*
 * By engine level: the step between the descriptors of neighbouring leaves
 * of the mock format (every mock domain's), 0 until a walk showed it.
 * Atomic: translations of any domain may learn it, all the same value.
 */
static _Atomic uint64_t mock_run_delta[PT_MAX_LEVELS];

/*
 * The bytes proven to translate on after the leaf @r (a walk result at
 * @iova, for @access), covering at least @more when the mapping allows.
 * Called with table_lock held for read, which keeps the leaf table alive.
 */
static uint64_t mock_run(struct mock_domain *m, const struct pt_walk_result *r,
			 uint64_t iova, unsigned int access, uint64_t more)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(m->pt);
	unsigned int lg2 = r->page_lg2, lvl = r->level;
	uint64_t size = 1ull << lg2, oa = r->oa - (iova & (size - 1));
	uint64_t n, k, delta, expect, last;
	struct pt_walk_result next;
	const uint64_t *p;

	/*
	 * A single-entry leaf below the top (its table's bounds are known) of
	 * the format mock_run_delta is for.
	 */
	if (c->fmt != PT_FMT_MOCK || lvl + 1 >= pt_levels(c) ||
	    lg2 != pt_item_lg2(c, lvl))
		return 0;
	/* Leaves after this one in its table, and how many are wanted. */
	last = (1ull << (pt_item_lg2(c, lvl + 1) - lg2)) - 1;
	n = ufd_min(last - ((iova >> lg2) & last),
		    (more >> lg2) + !!(more & (size - 1)));
	if (!n)
		return 0;
	delta = atomic_load_explicit(&mock_run_delta[lvl],
				     memory_order_relaxed);
	if (!delta) {
		if (pt_walk(c, (iova | (size - 1)) + 1, access, &next) ||
		    next.level != lvl || next.page_lg2 != lg2 ||
		    next.perm != r->perm || next.attr != r->attr ||
		    next.oa != oa + size || next.desc_pa != r->desc_pa + 8)
			return 0;
		delta = next.desc - r->desc;
		if (!delta || (delta & (delta - 1)))
			return size;
		atomic_store_explicit(&mock_run_delta[lvl], delta,
				      memory_order_relaxed);
	}
	p = (const uint64_t *)(uintptr_t)r->desc_pa;
	expect = r->desc;
	for (k = 1; k <= n; k++) {
		expect += delta;
		if (__atomic_load_n(p + k, __ATOMIC_RELAXED) != expect)
			break;
	}
	return (k - 1) << lg2;
}

/*
 * The domain's translate op. @out->len on entry is how many bytes the
 * caller means to move from @iova (0: no more than the leaf); the answer
 * covers at least the rest of the leaf and, where the mapping proves it,
 * up to that many bytes (mock_run()).
 */
static int mock_translate(struct ufd_domain *d, uint64_t iova, bool write,
			  struct ufd_translation *out)
{
	struct mock_domain *m = to_mock(d);
	unsigned int access = write ? PT_ACCESS_WRITE : PT_ACCESS_READ;
	uint64_t want = out->len, size, len = 0;
	struct pt_walk_result res;
	int rc;

	/* Like a context entry with hardware dirty update enabled. */
	if (write &&
	    atomic_load_explicit(&m->dirty_tracking, memory_order_acquire))
		access |= PT_HW_HD;
	ufd_rwlock_rdlock(&m->table_lock);
	rc = pt_walk(pt_table_walk_ctx(m->pt), iova, access, &res);
	if (!rc) {
		size = 1ull << res.page_lg2;
		len = size - (iova & (size - 1));
		if (want > len)
			len += mock_run(m, &res, iova, access, want - len);
	}
	ufd_rwlock_unlock(&m->table_lock);
	if (rc)
		return res.fault == PT_FAULT_PERMISSION ? -EPERM : -EFAULT;
	out->addr = res.oa;
	out->len = len;
	return 0;
}

static int mock_set_dirty_tracking(struct ufd_domain *d, bool enable)
{
	atomic_store_explicit(&to_mock(d)->dirty_tracking, enable,
			      memory_order_release);
	return 0;
}

static int mock_read_and_clear_dirty(struct ufd_domain *d, uint64_t iova,
				     uint64_t len, unsigned int flags,
				     const struct ufd_dirty_sink *sink)
{
	struct mock_domain *m = to_mock(d);
	struct pt_dirty_sink ps = { 0 };
	int rc;

	if (sink) {
		ps.record = sink->record;
		ps.priv = sink->priv;
	}
	ufd_rwlock_rdlock(&m->table_lock);
	rc = pt_read_and_clear_dirty(
		m->pt, iova, len,
		flags & UFD_DIRTY_NO_CLEAR ? PT_DIRTY_NO_CLEAR : 0,
		sink ? &ps : NULL);
	ufd_rwlock_unlock(&m->table_lock);
	return rc;
}

static const struct iopt_domain_ops mock_iopt_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
	.remap = mock_remap,
};

static const struct ufd_domain_ops mock_domain_ops = {
	.free = mock_domain_free,
	.translate = mock_translate,
};

static const struct ufd_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

/* A paging domain with the table @pagetable_type names. */
static struct ufd_domain *mock_domain_new(uint32_t flags,
					  uint32_t pagetable_type)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_MOCK };
	struct mock_domain *m;
	int rc;

	switch (pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
		cfg.pgsize_allowed = MOCK_PAGE_SIZE;
		break;
	case MOCK_IOMMUPT_HUGE:
		/*
		 * The kernel's huge variant offers the CPU page besides the
		 * huge one, so that iommufd accepts the domain.
		 */
		cfg.pgsize_allowed = MOCK_HUGE_PAGE_SIZE | iopt_page_size();
		break;
	default:
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		cfg.flags |= PT_CFG_DIRTY;
	m = ufd_zalloc(sizeof(*m));
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->pt = pt_alloc(&cfg);
	if (IS_ERR(m->pt)) {
		rc = (int)PTR_ERR(m->pt);
		goto out_free;
	}
	ufd_rwlock_init(&m->table_lock);
	m->base.iopt.ops = &mock_iopt_ops;
	m->base.iopt.pgsize_bitmap = pt_pgsize_bitmap(m->pt);
	m->small_pgsize = iopt_domain_min_pgsize(&m->base.iopt);
	if (pagetable_type == MOCK_IOMMUPT_DEFAULT) {
		m->base.iopt.aperture_start = MOCK_APERTURE_START;
		m->base.iopt.aperture_last = MOCK_APERTURE_LAST;
	} else {
		pt_iova_range(pt_table_walk_ctx(m->pt),
			      &m->base.iopt.aperture_start,
			      &m->base.iopt.aperture_last);
	}
	m->base.ops = &mock_domain_ops;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		m->base.dirty_ops = &mock_dirty_ops;
	m->base.owner = &ufd_mock_iommu;
	m->base.type = UFD_DOMAIN_PAGING;
	return &m->base;

out_free:
	ufd_free(m);
	return ERR_PTR(rc);
}

/* The flags this device's IOMMU can honour: -EOPNOTSUPP otherwise. */
static int mock_check_flags(struct ufd_dev *dev, uint32_t flags)
{
	if (flags & ~MOCK_PAGING_FLAGS)
		return -EOPNOTSUPP;
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (dev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EOPNOTSUPP;
	return 0;
}

static struct ufd_domain *mock_domain_alloc_paging(struct ufd_dev *dev,
						   uint32_t flags)
{
	int rc = mock_check_flags(dev, flags);

	if (rc)
		return ERR_PTR(rc);
	return mock_domain_new(flags, MOCK_IOMMUPT_DEFAULT);
}

static struct ufd_domain *
mock_domain_alloc_paging_data(struct ufd_dev *dev, uint32_t flags,
			      const struct ufd_user_data *data)
{
	struct iommu_hwpt_selftest cfg;
	int rc = mock_check_flags(dev, flags);

	if (rc)
		return ERR_PTR(rc);
	if (data->type != IOMMU_HWPT_DATA_SELFTEST &&
	    data->type != IOMMU_HWPT_DATA_NONE)
		return ERR_PTR(-EOPNOTSUPP);
	rc = ufd_user_data_copy(&cfg, sizeof(cfg), data,
				IOMMU_HWPT_DATA_SELFTEST,
				offsetofend(struct iommu_hwpt_selftest, iotlb));
	if (rc)
		return ERR_PTR(rc);
	return mock_domain_new(flags, cfg.pagetable_type);
}

/* The checks every attach makes, for the whole device or a PASID. */
static int mock_attach_check(struct ufd_dev *dev, struct ufd_domain *domain)
{
	/* The mock has no device table: the domain pointer is the state. */
	if (domain && domain->owner != &ufd_mock_iommu)
		return -EINVAL;
	/* This device's IOMMU could not keep the domain's dirty state. */
	if (domain && domain->dirty_ops &&
	    (dev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	return 0;
}

static int mock_attach(struct ufd_dev *dev, struct ufd_domain *domain)
{
	int rc = mock_attach_check(dev, domain);

	return rc ? rc : mock_attach_nested(dev, domain);
}

static int mock_attach_pasid(struct ufd_dev *dev, uint32_t pasid,
			     struct ufd_domain *domain)
{
	struct mock_dev *md = dev->priv;
	int rc;

	/* Only devices made with MOCK_FLAGS_DEVICE_PASID have PASIDs. */
	if (!dev->pasid_bits || pasid >= (1u << dev->pasid_bits))
		return -EINVAL;
	rc = mock_attach_check(dev, domain);
	if (rc || pasid != 1024)
		return rc;
	/* Blocking always works and starts the cycle over. */
	if (!domain) {
		atomic_store(&md->pasid_1024_fail_next, false);
		return 0;
	}
	if (atomic_exchange(&md->pasid_1024_fail_next, false))
		return -ENOMEM;
	atomic_store(&md->pasid_1024_fail_next, true);
	return 0;
}

static int mock_probe_device(struct ufd_dev *dev)
{
	struct mock_dev *md = ufd_zalloc(sizeof(*md));

	if (!md)
		return -ENOMEM;
	for (unsigned int i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		atomic_init(&md->cache[i], IOMMU_TEST_DEV_CACHE_DEFAULT);
	ufd_rwlock_init(&md->viommu_lock);
	dev->priv = md;
	if (dev->flags & MOCK_FLAGS_DEVICE_PASID)
		dev->pasid_bits = MOCK_PASID_WIDTH;
	return 0;
}

static void mock_release_device(struct ufd_dev *dev)
{
	struct mock_dev *md = dev->priv;

	ufd_rwlock_destroy(&md->viommu_lock);
	ufd_free(md);
}

static bool mock_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap)
{
	switch (cap) {
	case UFD_CAP_CACHE_COHERENCY:
		return true;
	case UFD_CAP_DIRTY_TRACKING:
		return !(dev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	default:
		return false;
	}
}

static void *mock_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type)
{
	struct iommu_test_hw_info *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	info = ufd_zalloc(sizeof(*info));
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return info;
}

const struct ufd_iommu_ops ufd_mock_iommu = {
	.name = "mock",
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_paging_data = mock_domain_alloc_paging_data,
	.attach = mock_attach,
	.attach_pasid = mock_attach_pasid,
	.capable = mock_capable,
	.hw_info = mock_hw_info,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.viommu_supported = mock_viommu_supported,
	.viommu_init = mock_viommu_init,
};
