// SPDX-License-Identifier: BSD-3-Clause
/*
 * Reserved and allowed IOVA ranges of an io_pagetable, and the usable
 * ranges IOMMU_IOAS_IOVA_RANGES reports. See io_pagetable.h.
 */
#include <errno.h>

#include "base/alloc.h"
#include "iopt/iopt_private.h"

/**
 * iopt_reserve() - reserve [start, last] for @owner
 *
 * Overlapping other reserved ranges is fine.
 *
 * Return: 0; -EADDRINUSE if an area is mapped there or the range touches
 * an allowed range; -ENOMEM.
 */
int iopt_reserve(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		 const void *owner)
{
	struct iopt_range *range;
	int rc = 0;

	range = ufd_zalloc(sizeof(*range));
	if (!range)
		return -ENOMEM;
	range->node.start = start;
	range->node.last = last;
	range->owner = owner;
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	if (rangemap_iter_first(&iopt->areas, start, last) ||
	    itree_iter_first(&iopt->allowed_itree, start, last)) {
		rc = -EADDRINUSE;
		goto out_unlock;
	}
	itree_insert(&iopt->reserved_itree, &range->node);
	range = NULL;
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_free(range);
	return rc;
}

/** iopt_unreserve_owner_locked() - iopt_unreserve_owner(), lock held */
void iopt_unreserve_owner_locked(struct io_pagetable *iopt, const void *owner)
{
	struct itree_node *node = itree_first(&iopt->reserved_itree), *next;

	ufd_rwlock_assert_wrheld(&iopt->iova_rwsem);
	for (; node; node = next) {
		next = itree_next(node);
		if (to_range(node)->owner != owner)
			continue;
		itree_remove(&iopt->reserved_itree, node);
		ufd_free(to_range(node));
	}
}

/** iopt_unreserve_owner() - release every range @owner reserved */
void iopt_unreserve_owner(struct io_pagetable *iopt, const void *owner)
{
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	iopt_unreserve_owner_locked(iopt, owner);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
}

/**
 * iopt_set_allowed() - replace the allowed ranges (IOMMU_IOAS_ALLOW_IOVAS)
 * @starts: first IOVA of each range
 * @lasts: last IOVA of each range (inclusive)
 * @n: number of ranges; 0 removes the restriction
 *
 * Existing areas are not checked: allowed ranges only steer automatic
 * placement and keep reservations out.
 *
 * Return: 0; -EINVAL for a range with last < start; -EADDRINUSE if a range
 * touches a reserved range; -ENOMEM. On failure the old set stays.
 */
int iopt_set_allowed(struct io_pagetable *iopt, const uint64_t *starts,
		     const uint64_t *lasts, unsigned int n)
{
	struct itree_root fresh = ITREE_ROOT_INIT;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		struct iopt_range *range;

		if (lasts[i] < starts[i]) {
			rc = -EINVAL;
			goto out_free;
		}
		range = ufd_zalloc(sizeof(*range));
		if (!range) {
			rc = -ENOMEM;
			goto out_free;
		}
		range->node.start = starts[i];
		range->node.last = lasts[i];
		itree_insert(&fresh, &range->node);
	}

	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	for (i = 0; i < n; i++) {
		if (itree_iter_first(&iopt->reserved_itree, starts[i],
				     lasts[i])) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc) {
		struct itree_root old = iopt->allowed_itree;

		iopt->allowed_itree = fresh;
		fresh = old;
	}
	ufd_rwlock_unlock(&iopt->iova_rwsem);
out_free:
	iopt_free_ranges(&fresh);
	return rc;
}

/**
 * iopt_usable_ranges() - the IOVA ranges not reserved (IOAS_IOVA_RANGES)
 * @starts: out, up to @max entries
 * @lasts: out, up to @max entries
 * @max: capacity of the arrays (may be 0)
 * @count: out: how many ranges exist (may exceed @max)
 * @alignment: out: the IOVA alignment mappings need
 *
 * Allowed ranges and areas do not narrow what is reported, as in Linux.
 */
void iopt_usable_ranges(struct io_pagetable *iopt, uint64_t *starts,
			uint64_t *lasts, unsigned int max, unsigned int *count,
			uint64_t *alignment)
{
	struct itree_span_iter span;
	unsigned int n = 0;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	itree_for_each_span (&span, &iopt->reserved_itree, 0, UINT64_MAX) {
		if (!span.is_hole)
			continue;
		if (n < max) {
			starts[n] = span.start_hole;
			lasts[n] = span.last_hole;
		}
		n++;
	}
	*alignment = iopt->iova_alignment;
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	*count = n;
}
