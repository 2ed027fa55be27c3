// SPDX-License-Identifier: BSD-3-Clause
/* A paging domain's map onto its pt table; see pt_map.h. */
#include <errno.h>

#include "base/bug.h"
#include "base/lock.h"
#include "base/compiler.h"
#include "drivers/driver.h"
#include "drivers/pt_map.h"
#include "iopt/domain.h"
#include "pt/pt.h"

/**
 * ufd_pt_domain_map() - iopt_domain_ops.map onto @pt
 * @pt: the domain's page table
 * @iova: first IOVA
 * @paddr: its host address
 * @len: bytes
 * @prot: IOPT_PROT_*
 * @small_pgsize: 0, or the only page size to use (the io_pagetable's
 *                small_only: any page can then be unmapped on its own)
 * @done: set to the bytes mapped; on failure the caller unmaps those, with
 *        whatever its unmap does besides (invalidation, locking)
 *
 * Return: 0, or -EINVAL (an address the table cannot hold) or the table's
 * -errno.
 */
int ufd_pt_domain_map(struct pt_table *pt, uint64_t iova, uint64_t paddr,
		      uint64_t len, unsigned int prot, uint64_t small_pgsize,
		      uint64_t *done)
{
	unsigned int pt_prot = PT_PROT_CACHE |
			       (prot & IOPT_PROT_READ ? PT_PROT_READ : 0) |
			       (prot & IOPT_PROT_WRITE ? PT_PROT_WRITE : 0);
	uint64_t step = small_pgsize ? small_pgsize : len, mapped;
	int rc = 0;

	*done = 0;
	while (*done < len && !rc) {
		mapped = 0;
		rc = pt_map(pt, iova + *done, paddr + *done,
			    step < len - *done ? step : len - *done, pt_prot,
			    &mapped);
		*done += mapped;
	}
	return rc == -ERANGE ? -EINVAL : rc;
}

/**
 * ufd_pt_domain_remap() - iopt_domain_ops.remap onto @pt, all or nothing
 *
 * The caller holds off walkers and invalidates afterwards. Return: 0, or
 * pt_remap()'s -errno with every translation as it was.
 */
int ufd_pt_domain_remap(struct pt_table *pt, uint64_t iova, uint64_t len,
			uint64_t old_paddr, uint64_t new_paddr)
{
	uint64_t done = 0, undone;
	int rc;

	rc = pt_remap(pt, iova, len, new_paddr, &done);
	/* Pointing back splits nothing, so it cannot fail (pt.h). */
	if (rc && done && pt_remap(pt, iova, done, old_paddr, &undone))
		ufd_panic("pt_remap: cannot undo a remap");
	return rc;
}

/**
 * ufd_pt_domain_unmap_inv() - iopt_domain_ops.unmap onto @pt, invalidated
 *
 * Unmaps what [@iova, @iova + @len) holds (holes allowed, large pages the
 * range cuts split), invalidates it through @inv, then frees the tables the
 * unmap emptied: no walker can be inside them any more.
 *
 * Return: the bytes unmapped.
 */
uint64_t ufd_pt_domain_unmap_inv(struct pt_table *pt, struct ufd_rwlock *lock,
				 uint64_t iova, uint64_t len, ufd_pt_inv_fn inv,
				 void *priv)
{
	struct pt_gather gather = { 0 };
	uint64_t unmapped = 0;

	ufd_rwlock_wrlock(lock);
	pt_unmap(pt, iova, len, PT_UNMAP_HOLES | PT_UNMAP_SPLIT, &gather,
		 &unmapped);
	if (unmapped)
		inv(priv, iova, unmapped);
	pt_gather_free(pt, &gather);
	ufd_rwlock_unlock(lock);
	return unmapped;
}

/**
 * ufd_pt_domain_map_inv() - iopt_domain_ops.map onto @pt, undone on failure
 *
 * As ufd_pt_domain_map(); what was mapped before a failure is unmapped
 * again with ufd_pt_domain_unmap_inv().
 */
int ufd_pt_domain_map_inv(struct pt_table *pt, struct ufd_rwlock *lock,
			  uint64_t iova, uint64_t paddr, uint64_t len,
			  unsigned int prot, uint64_t small_pgsize,
			  ufd_pt_inv_fn inv, void *priv)
{
	uint64_t done;
	int rc;

	rc = ufd_pt_domain_map(pt, iova, paddr, len, prot, small_pgsize, &done);
	if (rc && done)
		ufd_pt_domain_unmap_inv(pt, lock, iova, done, inv, priv);
	return rc;
}

/**
 * ufd_pt_domain_remap_inv() - iopt_domain_ops.remap onto @pt, invalidated
 *
 * Moved memory: the new output addresses, and the old ones out of the
 * IOMMU's caches. Return: as ufd_pt_domain_remap().
 */
int ufd_pt_domain_remap_inv(struct pt_table *pt, struct ufd_rwlock *lock,
			    uint64_t iova, uint64_t len, uint64_t old_paddr,
			    uint64_t new_paddr, ufd_pt_inv_fn inv, void *priv)
{
	int rc;

	ufd_rwlock_wrlock(lock);
	rc = ufd_pt_domain_remap(pt, iova, len, old_paddr, new_paddr);
	if (!rc)
		inv(priv, iova, len);
	ufd_rwlock_unlock(lock);
	return rc;
}

/* The span a harvest found marks in, and the caller's sink on the way. */
struct dirty_span {
	const struct ufd_dirty_sink *user;
	uint64_t first, end;
};

static void dirty_record(void *priv, uint64_t iova, uint64_t len)
{
	struct dirty_span *s = priv;

	if (s->user)
		s->user->record(s->user->priv, iova, len);
	if (s->first == s->end) {
		s->first = iova;
		s->end = iova + len;
		return;
	}
	s->first = ufd_min(s->first, iova);
	s->end = ufd_max(s->end, iova + len);
}

/**
 * ufd_pt_domain_read_and_clear_dirty_inv() - ufd_dirty_ops
 * .read_and_clear_dirty onto @pt, invalidated
 *
 * Reports the dirty marks of [@iova, @iova + @len) to @sink under @lock
 * held for read and, unless @flags has UFD_DIRTY_NO_CLEAR, clears them and
 * invalidates through @inv the span they were found in: the IOMMU may
 * cache a translation with its dirty state, and a cleared page must be
 * walked again for the next write to mark it.
 *
 * Return: 0 or pt_read_and_clear_dirty()'s error.
 */
int ufd_pt_domain_read_and_clear_dirty_inv(struct pt_table *pt,
					   struct ufd_rwlock *lock,
					   uint64_t iova, uint64_t len,
					   unsigned int flags,
					   const struct ufd_dirty_sink *sink,
					   ufd_pt_inv_fn inv, void *priv)
{
	struct dirty_span span = { .user = sink };
	struct pt_dirty_sink ps = { .record = dirty_record, .priv = &span };
	int rc;

	ufd_rwlock_rdlock(lock);
	rc = pt_read_and_clear_dirty(
		pt, iova, len,
		flags & UFD_DIRTY_NO_CLEAR ? PT_DIRTY_NO_CLEAR : 0, &ps);
	if (span.end != span.first && !(flags & UFD_DIRTY_NO_CLEAR))
		inv(priv, span.first, span.end - span.first);
	ufd_rwlock_unlock(lock);
	return rc;
}
