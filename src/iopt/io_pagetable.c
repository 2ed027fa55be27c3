// SPDX-License-Identifier: BSD-3-Clause
/* The io_pagetable's table and large-page policy; see io_pagetable.h. */
#include <errno.h>
#include <unistd.h>

#include "iopt/io_pagetable.h"

/** iopt_init_table() - an empty io_pagetable */
void iopt_init_table(struct io_pagetable *iopt)
{
	ufd_rwlock_init(&iopt->domains_rwsem);
	ufd_rwlock_init(&iopt->iova_rwsem);
	itree_root_init(&iopt->area_itree);
	itree_root_init(&iopt->allowed_itree);
	itree_root_init(&iopt->reserved_itree);
	iopt->ndomains = 0;
	/* Without a domain, IOVAs are aligned to the CPU page, as in Linux. */
	iopt->iova_alignment = (uint64_t)sysconf(_SC_PAGESIZE);
	iopt->disable_large_pages = false;
}

/** iopt_destroy_table() - release an io_pagetable with nothing left in it */
void iopt_destroy_table(struct io_pagetable *iopt)
{
	ufd_rwlock_destroy(&iopt->iova_rwsem);
	ufd_rwlock_destroy(&iopt->domains_rwsem);
}

/**
 * iopt_disable_large_pages() - map with the smallest page size only
 * @iopt: the io_pagetable
 *
 * Once disabled, any sub-range of an area can be unmapped from a domain,
 * which VFIO type1 semantics need. Refused while domains already hold
 * mappings, which may be large.
 *
 * Return: 0 or -EINVAL.
 */
int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc = 0;

	ufd_rwlock_wrlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	if (iopt->disable_large_pages)
		goto out_unlock;
	if (iopt->ndomains && !itree_empty(&iopt->area_itree)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iopt->disable_large_pages = true;
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
