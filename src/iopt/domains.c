// SPDX-License-Identifier: BSD-3-Clause
/*
 * Domains attached to an io_pagetable, and the IOVA alignment policy that
 * follows from them and from the large-page setting. See io_pagetable.h.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/gate.h"
#include "base/log.h"
#include "iopt/dmabuf.h"
#include "iopt/iopt_private.h"

/*
 * The alignment every mapping needs: the largest smallest-page-size of the
 * domains (plus @extra when not NULL), at least the CPU page when large
 * pages are disabled, else at least 1. domains_rwsem held.
 */
static bool areas_aligned(struct io_pagetable *iopt, uint64_t align);

static uint64_t calc_alignment(struct io_pagetable *iopt,
			       const struct iopt_domain *extra)
{
	uint64_t align = iopt->disable_large_pages ? iopt_page_size() : 1;
	unsigned int i;

	align = ufd_max(align, iopt->access_alignment);
	for (i = 0; i < iopt->ndomains; i++)
		align = ufd_max(align,
				iopt_domain_min_pgsize(iopt->domains[i]));
	if (extra)
		align = ufd_max(align, iopt_domain_min_pgsize(extra));
	return align;
}

/** iopt_calc_alignment() - the alignment the domains and accesses need */
uint64_t iopt_calc_alignment(struct io_pagetable *iopt)
{
	return calc_alignment(iopt, NULL);
}

/** iopt_areas_aligned() - do all areas meet @align? iova_rwsem held */
bool iopt_areas_aligned(struct io_pagetable *iopt, uint64_t align)
{
	return areas_aligned(iopt, align);
}

/* Do all areas start, end and sit in their pages on @align? */
static bool areas_aligned(struct io_pagetable *iopt, uint64_t align)
{
	struct rangemap_node *node;

	for (node = rangemap_first(&iopt->areas); node;
	     node = rangemap_next(&iopt->areas, node))
		if ((node->start | (node->last + 1)) & (align - 1) ||
		    (to_area(node)->pages_byte % iopt_page_size()) &
			    (align - 1))
			return false;
	return true;
}

/* Does an area or an allowed range lie outside the domain's aperture? */
static bool outside_aperture(struct io_pagetable *iopt,
			     const struct iopt_domain *domain)
{
	uint64_t s[2], l[2];
	unsigned int n = 0, i;

	if (domain->aperture_start) {
		s[n] = 0;
		l[n++] = domain->aperture_start - 1;
	}
	if (domain->aperture_last != UINT64_MAX) {
		s[n] = domain->aperture_last + 1;
		l[n++] = UINT64_MAX;
	}
	for (i = 0; i < n; i++)
		if (rangemap_iter_first(&iopt->areas, s[i], l[i]) ||
		    itree_iter_first(&iopt->allowed_itree, s[i], l[i]))
			return true;
	return false;
}

static struct iopt_range *range_new(uint64_t start, uint64_t last,
				    const void *owner)
{
	struct iopt_range *range = ufd_zalloc(sizeof(*range));

	if (range) {
		range->node.start = start;
		range->node.last = last;
		range->owner = owner;
	}
	return range;
}

/**
 * iopt_add_domain() - attach a domain and fill it with every area
 * @iopt: the io_pagetable
 * @domain: an empty domain
 *
 * IOVA outside the domain's aperture becomes reserved (owned by it).
 *
 * Return: 0; -EINVAL if the domain's smallest page is larger than the CPU
 * page; -EADDRINUSE if areas or allowed ranges lie outside the aperture,
 * or areas do not meet the domain's page alignment; -EFAULT or -ENOMEM from
 * pinning; -ENOMEM. On failure nothing changed.
 */
int iopt_add_domain(struct io_pagetable *iopt, struct iopt_domain *domain)
{
	struct iopt_range *low = NULL, *high = NULL;
	struct iopt_domain **grown;
	struct rangemap_node *node;
	uint64_t align;
	int rc = 0;

	if (domain->aperture_start) {
		low = range_new(0, domain->aperture_start - 1, domain);
		if (!low)
			return -ENOMEM;
	}
	if (domain->aperture_last != UINT64_MAX) {
		high = range_new(domain->aperture_last + 1, UINT64_MAX, domain);
		if (!high) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	ufd_gate_enter();
	ufd_rwlock_wrlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	grown = ufd_realloc(iopt->domains,
			    (iopt->ndomains + 1) * sizeof(*iopt->domains));
	if (!grown) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	iopt->domains = grown;
	align = calc_alignment(iopt, domain);
	if (align > iopt_page_size()) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (outside_aperture(iopt, domain) || !areas_aligned(iopt, align)) {
		rc = -EADDRINUSE;
		goto out_unlock;
	}

	/* The new domain goes last so a failure unwinds only it. */
	iopt->domains[iopt->ndomains] = domain;
	for (node = rangemap_first(&iopt->areas); node;
	     node = rangemap_next(&iopt->areas, node)) {
		rc = iopt_area_fill_domains(iopt, to_area(node), iopt->ndomains,
					    iopt->ndomains + 1,
					    !iopt->ndomains);
		if (rc)
			goto out_unfill;
	}
	iopt->ndomains++;
	iopt->iova_alignment = align;
	if (low)
		itree_insert(&iopt->reserved_itree, &low->node);
	if (high)
		itree_insert(&iopt->reserved_itree, &high->node);
	low = high = NULL;
	goto out_unlock;

out_unfill:
	/* node failed as a whole; undo the areas before it. */
	while ((node = rangemap_prev(&iopt->areas, node))) {
		struct iopt_area *area = to_area(node);
		uint64_t first, last;

		if (iopt_pages_is_dmabuf(area->pages)) {
			iopt_dmabuf_unfill(area, &domain, 1);
			continue;
		}
		domain->ops->unmap(domain, iopt_area_iova(area),
				   iopt_area_length(area));
		if (!iopt->ndomains) {
			iopt_area_page_range(area, &first, &last);
			iopt_pages_unpin(area->pages, first, last);
		}
	}
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_gate_exit();
out_free:
	ufd_free(low);
	ufd_free(high);
	return rc;
}

/**
 * iopt_remove_domain() - empty a domain and detach it
 *
 * The last domain's removal unpins every area's pages.
 */
void iopt_remove_domain(struct io_pagetable *iopt, struct iopt_domain *domain)
{
	struct rangemap_node *node;
	unsigned int i;

	ufd_gate_enter();
	ufd_rwlock_wrlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	for (i = 0; i < iopt->ndomains && iopt->domains[i] != domain; i++)
		;
	if (i == iopt->ndomains) {
		ufd_warn("removing a domain that was never added");
		goto out_unlock;
	}
	for (node = rangemap_first(&iopt->areas); node;
	     node = rangemap_next(&iopt->areas, node)) {
		struct iopt_area *area = to_area(node);
		uint64_t first, last;

		if (iopt_pages_is_dmabuf(area->pages)) {
			iopt_dmabuf_unfill(area, &domain, 1);
			continue;
		}
		domain->ops->unmap(domain, iopt_area_iova(area),
				   iopt_area_length(area));
		if (iopt->ndomains == 1) {
			iopt_area_page_range(area, &first, &last);
			iopt_pages_unpin(area->pages, first, last);
		}
	}
	iopt->domains[i] = iopt->domains[--iopt->ndomains];
	iopt_unreserve_owner_locked(iopt, domain);
	iopt->iova_alignment = calc_alignment(iopt, NULL);
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_gate_exit();
}

/**
 * iopt_disable_large_pages() - map with the CPU page size at most
 *
 * Once disabled, any page-aligned sub-range of an area can be unmapped
 * from a domain, which VFIO type1 semantics need.
 *
 * Return: 0; -EINVAL if domains already hold mappings (which may be
 * large); -EADDRINUSE if an area is not aligned to the CPU page.
 */
int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc = 0;

	ufd_rwlock_wrlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	if (iopt->disable_large_pages)
		goto out_unlock;
	if (iopt->ndomains && !rangemap_empty(&iopt->areas)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iopt->disable_large_pages = true;
	if (!areas_aligned(iopt, calc_alignment(iopt, NULL))) {
		iopt->disable_large_pages = false;
		rc = -EADDRINUSE;
		goto out_unlock;
	}
	iopt->iova_alignment = calc_alignment(iopt, NULL);
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	return rc;
}

/** iopt_enable_large_pages() - allow large IOPTEs for future mappings */
void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	ufd_rwlock_wrlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	iopt->disable_large_pages = false;
	iopt->iova_alignment = calc_alignment(iopt, NULL);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
}

/** iopt_large_pages_enabled() - the current HUGE_PAGES setting */
bool iopt_large_pages_enabled(struct io_pagetable *iopt)
{
	bool enabled;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	enabled = !iopt->disable_large_pages;
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return enabled;
}
