// SPDX-License-Identifier: BSD-3-Clause
/*
 * Nested domains of the VT-d driver: a guest's first-stage table over a
 * nest-parent second stage the host owns, as Linux's nested.c and
 * intel_pasid_setup_nested() do it.
 *
 * The user's struct iommu_hwpt_vtd_s1 names the guest table by its
 * guest-physical address; the driver never reads it. Attaching writes a
 * PASID entry with PGTT = nested: FSPTPTR the guest's table (walked by the
 * unit through the parent's second stage, so a hostile pointer becomes a
 * fault record), FSPM from the address width, SRE/WPE/EAFE from the
 * flags, SSPTPTR and AW of the parent, SSADE while the parent tracks dirty
 * pages, and the nested domain's own domain id (Linux gives each nested
 * domain its own DID). Linux checks the address width and the flags
 * against the unit when the entry is written, not when the domain is
 * allocated, and answers -EINVAL there; so does this driver.
 *
 * Guest invalidations (IOMMU_HWPT_INVALIDATE with
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) become PASID-based IOTLB
 * invalidations of the nested DID for every (device, PASID) the domain is
 * attached at, page-selective where the range allows, and device-TLB
 * invalidations after them. Until the guest asks, the unit keeps serving
 * what it cached of the guest's table, as hardware does.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "drivers/vtd/vtd_priv.h"

#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)

/**
 * vtd_nested_make_pe() - the PASID entry of nested domain @n for @m
 *
 * Return: 0, or -EINVAL for an address width or flags the unit does not
 * have (5-level without CAP.FS5LP, SRE without ECAP.SRS, EAFE without
 * ECAP.EAFS), as intel_pasid_setup_nested() refuses them.
 */
int vtd_nested_make_pe(struct vtd_master *m, struct vtd_nested *n,
		       uint64_t pe[PE_QWORDS])
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(n->parent->pt);
	struct ufd_vtd *vtd = m->vtd;
	const struct iommu_hwpt_vtd_s1 *s1 = &n->s1;

	switch (s1->addr_width) {
	case 48:
		break;
	case 57:
		if (!vtd->fs5lp)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (((s1->flags & IOMMU_VTD_S1_SRE) && !vtd->srs) ||
	    ((s1->flags & IOMMU_VTD_S1_EAFE) && !vtd->eafs))
		return -EINVAL;
	memset(pe, 0, PE_QWORDS * sizeof(*pe));
	vtd_dset(pe, VTD_PE_P, 1);
	vtd_dset(pe, VTD_PE_PGTT, VTD_PGTT_NESTED);
	vtd_dset(pe, VTD_PE_DID, n->did);
	vtd_dset(pe, VTD_PE_PWSNP, vtd->smpwc);
	vtd_dset(pe, VTD_PE_FSPTPTR, s1->pgtbl_addr >> 12);
	vtd_dset(pe, VTD_PE_FSPM,
		 s1->addr_width == 57 ? VTD_FSPM_5LVL : VTD_FSPM_4LVL);
	/* WPE means something only for supervisor requests (Linux). */
	if (s1->flags & IOMMU_VTD_S1_SRE) {
		vtd_dset(pe, VTD_PE_SRE, 1);
		if (s1->flags & IOMMU_VTD_S1_WPE)
			vtd_dset(pe, VTD_PE_WPE, 1);
	}
	if (s1->flags & IOMMU_VTD_S1_EAFE)
		vtd_dset(pe, VTD_PE_EAFE, 1);
	vtd_dset(pe, VTD_PE_SSPTPTR, pt_root(c) >> 12);
	vtd_dset(pe, VTD_PE_AW,
		 pt_levels(c) == 5   ? VTD_AW_57
		 : pt_levels(c) == 4 ? VTD_AW_48
				     : VTD_AW_39);
	return 0;
}

static int nested_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct vtd_nested *n = to_vtd_nested(domain);
	struct ufd_vtd *vtd = n->parent->vtd;
	int rc;

	if (!vtd_translate_cached_dev(vtd, iova, write, out))
		return 0;
	/* The guest's table is walked through the parent's. */
	ufd_rwlock_rdlock(&n->lock);
	ufd_rwlock_rdlock(&n->parent->lock);
	rc = vtd_translate_attaches(vtd, &n->attaches, iova, write, out);
	ufd_rwlock_unlock(&n->parent->lock);
	ufd_rwlock_unlock(&n->lock);
	return rc;
}

/*
 * PASID-based IOTLB invalidation of [addr, addr + npages pages) (all of
 * it for npages U64_MAX or a range past the top), for every attachment of
 * @n, then their device TLBs. @n's lock held (either way).
 */
static void nested_inv(struct vtd_nested *n, uint64_t addr, uint64_t npages,
		       bool leaf)
{
	struct vtd_batch b = { .vtd = n->parent->vtd };
	uint64_t len = 0;
	struct vtd_link *l;

	if (!npages)
		return;
	if (npages <= (U64_MAX >> 12) && (npages << 12) - 1 <= U64_MAX - addr)
		len = npages << 12;
	vtd_for_each(l, &n->attaches)
	{
		struct vtd_attach *a =
			container_of(l, struct vtd_attach, domain_link);

		vtd_add_piotlb(&b, n->did, a->pasid, len ? addr : 0, len, leaf);
	}
	vtd_for_each(l, &n->attaches)
	{
		struct vtd_attach *a =
			container_of(l, struct vtd_attach, domain_link);

		vtd_add_devtlb(&b, a->m, a->pasid, len ? addr : 0, len);
	}
	if (b.n)
		vtd_batch_submit(&b);
}

/**
 * nested_cache_invalidate_user() - domain_ops.cache_invalidate_user
 *
 * As Linux: the array must hold IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 entries
 * (else -EINVAL); an entry with flags beyond IOMMU_VTD_INV_FLAGS_LEAF or
 * a non-zero __reserved is -EOPNOTSUPP; an address not 4 KiB aligned, or
 * npages U64_MAX ("everything") with a non-zero address, is -EINVAL.
 * Entries are handled in order until one fails; array->entry_num says how
 * many were.
 */
static int nested_cache_invalidate_user(struct ufd_domain *domain,
					struct ufd_user_data_array *array)
{
	struct vtd_nested *n = to_vtd_nested(domain);
	struct iommu_hwpt_vtd_s1_invalidate e;
	uint32_t i, done = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < array->entry_num; i++) {
		rc = ufd_user_array_entry(
			&e, sizeof(e), array, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
			i,
			offsetofend(struct iommu_hwpt_vtd_s1_invalidate,
				    __reserved));
		if (rc)
			break;
		if ((e.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || e.__reserved) {
			rc = -EOPNOTSUPP;
			break;
		}
		if ((e.addr & 4095) || (e.npages == U64_MAX && e.addr)) {
			rc = -EINVAL;
			break;
		}
		ufd_rwlock_rdlock(&n->lock);
		nested_inv(n, e.addr, e.npages,
			   e.flags & IOMMU_VTD_INV_FLAGS_LEAF);
		ufd_rwlock_unlock(&n->lock);
		done++;
	}
out:
	array->entry_num = done;
	return rc;
}

static void nested_free(struct ufd_domain *domain)
{
	struct vtd_nested *n = to_vtd_nested(domain);
	struct vtd_domain *p = n->parent;
	struct vtd_batch b = { .vtd = p->vtd };

	ufd_rwlock_wrlock(&p->lock);
	vtd_list_del(&n->parent_link);
	ufd_rwlock_unlock(&p->lock);
	/*
	 * The DID may be reused: nothing cached under it may survive. A
	 * domain-selective IOTLB invalidation drops every PASID's entries.
	 */
	vtd_add_iotlb(&b, n->did, 0, 0);
	vtd_batch_submit(&b);
	vtd_did_free(p->vtd, n->did);
	ufd_rwlock_destroy(&n->lock);
	ufd_free(n);
}

const struct ufd_domain_ops vtd_nested_ops = {
	.free = nested_free,
	.translate = nested_translate,
	.cache_invalidate_user = nested_cache_invalidate_user,
};

/**
 * vtd_domain_alloc_nested() - iommu_ops.domain_alloc_nested
 *
 * As Linux's intel_iommu_domain_alloc_nested(): -EOPNOTSUPP without
 * ECAP.NEST, for flags beyond IOMMU_HWPT_ALLOC_PASID or data of another
 * type; -EINVAL when @parent is not a nest-parent second-stage domain of
 * this unit; the errors of reading the data (-EINVAL shorter than the
 * first version, -E2BIG longer with a non-zero tail, -EFAULT); -ENOSPC
 * (no domain id), -ENOMEM. The table's address width and flags are
 * checked when the domain is attached (vtd_nested_make_pe()).
 */
struct ufd_domain *vtd_domain_alloc_nested(struct ufd_dev *dev,
					   struct ufd_domain *parent,
					   uint32_t flags,
					   const struct ufd_user_data *data)
{
	struct ufd_vtd *vtd = vtd_of_dev(dev);
	struct iommu_hwpt_vtd_s1 s1;
	struct vtd_domain *p;
	struct vtd_nested *n;
	int rc, did;

	if (!vtd->nest || (flags & ~IOMMU_HWPT_ALLOC_PASID) ||
	    data->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	if (!parent || parent->owner != dev->iommu ||
	    parent->type != UFD_DOMAIN_PAGING)
		return ERR_PTR(-EINVAL);
	p = to_vtd_domain(parent);
	if (p->first_stage || !p->nest_parent)
		return ERR_PTR(-EINVAL);
	rc = ufd_user_data_copy(&s1, sizeof(s1), data, IOMMU_HWPT_DATA_VTD_S1,
				offsetofend(struct iommu_hwpt_vtd_s1,
					    __reserved));
	if (rc)
		return ERR_PTR(rc);
	n = ufd_zalloc(sizeof(*n));
	if (!n)
		return ERR_PTR(-ENOMEM);
	did = vtd_did_alloc(vtd);
	if (did < 0) {
		ufd_free(n);
		return ERR_PTR(did);
	}
	n->did = (uint16_t)did;
	n->parent = p;
	n->s1 = s1;
	ufd_rwlock_init(&n->lock);
	vtd_list_init(&n->attaches);
	n->base.ops = &vtd_nested_ops;
	n->base.owner = ufd_vtd_ops(vtd);
	n->base.type = UFD_DOMAIN_NESTED;
	ufd_rwlock_wrlock(&p->lock);
	vtd_list_add(&p->nested, &n->parent_link);
	ufd_rwlock_unlock(&p->lock);
	return &n->base;
}
