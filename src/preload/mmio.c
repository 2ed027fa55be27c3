// SPDX-License-Identifier: BSD-3-Clause
/*
 * mmap() of an iommufd: the MMIO regions the core registered (a vIOMMU's
 * page, a VINTF's queue registers, core/mmap.h) mapped into the program.
 *
 * The region's memory is a memfd the core shares with the hardware model
 * (base/shmem.h); the program gets a MAP_SHARED mapping of the same pages,
 * so its stores reach the model and the model's the program, as on real
 * MMIO. Like the kernel's vma, each mapping holds the region's owner
 * (IOMMU_DESTROY answers EBUSY) and the context (closing the iommufd
 * keeps both alive) until the program unmaps it: munmap() is interposed
 * for that, with a one-load fast path while no such mapping exists.
 * A mapping is released when all its pages have been unmapped, by one
 * munmap() or several; mremap() of it is not followed (the new mapping
 * keeps the pages, the reference stays with the old range).
 *
 * Locking: mmio_lock guards the list; the fast path reads mmio_live.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "base/lock.h"
#include "base/shmem.h"
#include "core/core.h"
#include "core/mmap.h"
#include "preload/preload.h"

struct mmio_map {
	uintptr_t start;
	size_t npages;
	size_t mapped;	/* pages still mapped */
	uint8_t *pages; /* 1: page i still mapped */
	struct ufd_ctx *ctx;
	struct ufd_object *owner;
	struct mmio_map *next; /* mmio_list; mmio_lock */
};

static struct ufd_mutex mmio_lock = UFD_MUTEX_INIT;
static struct mmio_map *mmio_list;
_Atomic unsigned int pl_mmio_live;

/**
 * pl_mmio_map() - map the region registered at @off into the program
 * @f: the iommufd description (its checks done by the caller)
 * @addr, @len, @prot, @flags, @off: mmap()'s arguments
 *
 * Return: the mapping, or MAP_FAILED with errno: ENXIO (no region at
 * @off of length @len), ENOMEM, or what the system's mmap() says.
 */
void *pl_mmio_map(struct pl_file *f, void *addr, size_t len, int prot,
		  int flags, off_t off)
{
	struct ufd_object *owner;
	struct mmio_map *m;
	uint64_t boff;
	void *host, *p;
	int bfd, err;

	if (ufd_mmap_get(f->ctx, (uint64_t)off, len, &host, &owner)) {
		errno = ENXIO;
		return MAP_FAILED;
	}
	m = ufd_zalloc(sizeof(*m));
	if (m)
		m->pages = ufd_zalloc(len / PL_PAGE_SIZE);
	if (!m || !m->pages) {
		err = ENOMEM;
		goto out_put;
	}
	if (ufd_shmem_backing(host, len, &bfd, &boff)) {
		err = ENXIO;
		goto out_put;
	}
	p = pl_real.mmap(addr, len, prot, flags, bfd, (off_t)boff);
	if (p == MAP_FAILED) {
		err = errno;
		goto out_put;
	}
	m->start = (uintptr_t)p;
	m->npages = len / PL_PAGE_SIZE;
	m->mapped = m->npages;
	memset(m->pages, 1, m->npages);
	m->owner = owner;
	m->ctx = f->ctx;
	ufd_ctx_get(m->ctx);
	ufd_mutex_lock(&mmio_lock);
	m->next = mmio_list;
	mmio_list = m;
	atomic_fetch_add(&pl_mmio_live, 1);
	ufd_mutex_unlock(&mmio_lock);
	return p;

out_put:
	if (m)
		ufd_free(m->pages);
	ufd_free(m);
	ufd_mmap_put(owner);
	errno = err;
	return MAP_FAILED;
}

/*
 * Marks [start, end) unmapped in @m. Returns true when none of it is left.
 * mmio_lock held.
 */
static bool mmio_unmapped_locked(struct mmio_map *m, uintptr_t start,
				 uintptr_t end)
{
	uintptr_t mend = m->start + m->npages * PL_PAGE_SIZE;
	size_t i, first, last;

	if (end <= m->start || start >= mend)
		return false;
	first = (start > m->start ? start - m->start : 0) / PL_PAGE_SIZE;
	last = ((end < mend ? end : mend) - m->start - 1) / PL_PAGE_SIZE;
	for (i = first; i <= last; i++) {
		if (m->pages[i]) {
			m->pages[i] = 0;
			m->mapped--;
		}
	}
	return !m->mapped;
}

/**
 * pl_mmio_munmap() - munmap() while iommufd mappings exist
 *
 * Unmaps, then releases every iommufd mapping now wholly gone.
 *
 * Return: as munmap().
 */
int pl_mmio_munmap(void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, end;
	struct mmio_map **pp, *m, *gone = NULL;
	int rc = pl_real.munmap(addr, len);

	if (rc)
		return rc;
	end = start + ((len + PL_PAGE_SIZE - 1) & ~(size_t)(PL_PAGE_SIZE - 1));
	ufd_mutex_lock(&mmio_lock);
	for (pp = &mmio_list; (m = *pp);) {
		if (mmio_unmapped_locked(m, start, end)) {
			*pp = m->next;
			m->next = gone;
			gone = m;
			atomic_fetch_sub(&pl_mmio_live, 1);
			continue;
		}
		pp = &m->next;
	}
	ufd_mutex_unlock(&mmio_lock);
	while ((m = gone)) {
		gone = m->next;
		ufd_mmap_put(m->owner);
		ufd_ctx_put(m->ctx);
		ufd_free(m->pages);
		ufd_free(m);
	}
	return 0;
}
