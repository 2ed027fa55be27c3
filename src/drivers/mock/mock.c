// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock IOMMU driver: paging domains on the mock page-table format and
 * DMA translation by walking them. See mock.h.
 *
 * Locking: a domain's table_lock is taken for read by translations and for
 * write by unmap, so a table freed by an unmap is never under a walker
 * (the role the IOTLB flush plays on real hardware).
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd_test.h"

struct mock_domain {
	struct ufd_domain base;
	struct ufd_rwlock table_lock;
	struct pt_table *pt;
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
	unsigned int pt_prot = PT_PROT_CACHE |
			       (prot & IOPT_PROT_READ ? PT_PROT_READ : 0) |
			       (prot & IOPT_PROT_WRITE ? PT_PROT_WRITE : 0);
	uint64_t step = small_only ? MOCK_PAGE_SIZE : len, done = 0, mapped;
	int rc = 0;

	/* Small-only mappings go page by page so any page can go later. */
	while (done < len && !rc) {
		mapped = 0;
		rc = pt_map(m->pt, iova + done, paddr + done,
			    step < len - done ? step : len - done, pt_prot,
			    &mapped);
		done += mapped;
	}
	if (rc && done)
		mock_unmap(d, iova, done);
	return rc == -ERANGE ? -EINVAL : rc;
}

static void mock_domain_free(struct ufd_domain *d)
{
	struct mock_domain *m = to_mock(d);

	pt_free(m->pt);
	ufd_rwlock_destroy(&m->table_lock);
	ufd_free(m);
}

static int mock_translate(struct ufd_domain *d, uint64_t iova, bool write,
			  struct ufd_translation *out)
{
	struct mock_domain *m = to_mock(d);
	struct pt_walk_result res;
	uint64_t size;
	int rc;

	ufd_rwlock_rdlock(&m->table_lock);
	rc = pt_walk(pt_table_walk_ctx(m->pt), iova,
		     write ? PT_ACCESS_WRITE : PT_ACCESS_READ, &res);
	ufd_rwlock_unlock(&m->table_lock);
	if (rc)
		return res.fault == PT_FAULT_PERMISSION ? -EPERM : -EFAULT;
	size = 1ull << res.page_lg2;
	out->addr = res.oa;
	out->len = size - (iova & (size - 1));
	return 0;
}

static const struct iopt_domain_ops mock_iopt_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
};

static const struct ufd_domain_ops mock_domain_ops = {
	.free = mock_domain_free,
	.translate = mock_translate,
};

static struct ufd_domain *mock_domain_alloc_paging(struct ufd_dev *dev,
						   uint32_t flags)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_MOCK,
		.pgsize_allowed = MOCK_PAGE_SIZE,
	};
	struct mock_domain *m;
	int rc;

	/* Dirty tracking is not modelled yet. */
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
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
	m->base.iopt.aperture_start = MOCK_APERTURE_START;
	m->base.iopt.aperture_last = MOCK_APERTURE_LAST;
	m->base.ops = &mock_domain_ops;
	m->base.owner = &ufd_mock_iommu;
	m->base.type = UFD_DOMAIN_PAGING;
	return &m->base;

out_free:
	ufd_free(m);
	return ERR_PTR(rc);
}

static int mock_attach(struct ufd_dev *dev, struct ufd_domain *domain)
{
	/* The mock has no device table: the domain pointer is the state. */
	if (domain && domain->owner != &ufd_mock_iommu)
		return -EINVAL;
	return 0;
}

const struct ufd_iommu_ops ufd_mock_iommu = {
	.name = "mock",
	.domain_alloc_paging = mock_domain_alloc_paging,
	.attach = mock_attach,
};
