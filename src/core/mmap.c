// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mmap regions of a context, and the program's mappings of them; see
 * mmap.h. Offsets are allocated from the page after 0 upwards in an
 * interval tree, so the hole search and the lookups are O(log n).
 *
 * A program mapping is a MAP_SHARED mapping of the region's memfd
 * (base/shmem.h): the program's stores reach the hardware model, which
 * polls the same pages. Like the kernel's vma, it holds the region's
 * owner and the context until every page of it is unmapped; front ends
 * report unmaps with ufd_mmap_unmapped() (the preload library from its
 * munmap(), the C API from uiommufd_munmap()). maps_lock guards the list
 * of mappings; ufd_mmap_live lets a front end skip the lookup with one
 * load while there are none.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/itree.h"
#include "base/shmem.h"
#include "base/sys.h"
#include "core/core.h"
#include "core/mmap.h"

struct ufd_mmap {
	struct itree_node node; /* [offset, offset + len - 1] */
	void *host;
	size_t len;
	struct ufd_object *owner;
};

/* Offsets stay below 2^62: positive in any off_t and page count. */
#define MMAP_OFFSET_LAST ((1ull << 62) - 1)

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

void ufd_mmap_init(struct ufd_ctx *ctx)
{
	ufd_mutex_init(&ctx->mmap_lock);
	itree_root_init(&ctx->mmaps);
}

/* Every region's owner unregistered it before the context went. */
void ufd_mmap_fini(struct ufd_ctx *ctx)
{
	ufd_mutex_destroy(&ctx->mmap_lock);
}

/**
 * ufd_mmap_register() - let the program map @len bytes at @host
 * @ctx: the context
 * @owner: the object the region belongs to; mappings hold it
 * @host: page-aligned memory from ufd_shmem_alloc()
 * @len: bytes, a multiple of the page size
 * @offset: set to the mmap() offset of the region
 *
 * Return: 0; -EINVAL (not page aligned, empty); -ENOMEM; -ENOSPC.
 */
int ufd_mmap_register(struct ufd_ctx *ctx, struct ufd_object *owner, void *host,
		      size_t len, uint64_t *offset)
{
	uint64_t ps = page_size(), start;
	struct ufd_mmap *m;
	int rc;

	if (!len || len % ps || (uintptr_t)host % ps)
		return -EINVAL;
	m = ufd_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	ufd_mutex_lock(&ctx->mmap_lock);
	/* Never offset 0, so a forgotten offset cannot map anything. */
	rc = itree_find_hole(&ctx->mmaps, ps, MMAP_OFFSET_LAST, len, ps,
			     &start);
	if (rc) {
		ufd_mutex_unlock(&ctx->mmap_lock);
		ufd_free(m);
		return -ENOSPC;
	}
	m->node.start = start;
	m->node.last = start + len - 1;
	m->host = host;
	m->len = len;
	m->owner = owner;
	itree_insert(&ctx->mmaps, &m->node);
	ufd_mutex_unlock(&ctx->mmap_lock);
	*offset = start;
	return 0;
}

/** ufd_mmap_unregister() - forget the region at @offset (mappings stay) */
void ufd_mmap_unregister(struct ufd_ctx *ctx, uint64_t offset)
{
	struct itree_node *node;

	ufd_mutex_lock(&ctx->mmap_lock);
	node = itree_iter_first(&ctx->mmaps, offset, offset);
	if (node && node->start == offset)
		itree_remove(&ctx->mmaps, node);
	else
		node = NULL;
	ufd_mutex_unlock(&ctx->mmap_lock);
	if (node)
		ufd_free(container_of(node, struct ufd_mmap, node));
}

/**
 * ufd_mmap_get() - the region a program's mmap() names
 * @ctx: the context
 * @offset: mmap()'s offset
 * @len: mmap()'s length
 * @host: set to the region's memory
 * @owner: set to its owner, which now has a users reference for the
 *         mapping: drop it with ufd_mmap_put() when the mapping goes
 *
 * Return: 0, or -ENXIO: no region starts at @offset, @len is not its
 * length, or its owner is being destroyed.
 */
int ufd_mmap_get(struct ufd_ctx *ctx, uint64_t offset, uint64_t len,
		 void **host, struct ufd_object **owner)
{
	struct itree_node *node;
	struct ufd_mmap *m;
	int rc = -ENXIO;

	ufd_mutex_lock(&ctx->mmap_lock);
	node = itree_iter_first(&ctx->mmaps, offset, offset);
	if (!node || node->start != offset)
		goto out_unlock;
	m = container_of(node, struct ufd_mmap, node);
	if (m->len != len || !ufd_object_tryref(m->owner))
		goto out_unlock;
	*host = m->host;
	*owner = m->owner;
	rc = 0;
out_unlock:
	ufd_mutex_unlock(&ctx->mmap_lock);
	return rc;
}

/** ufd_mmap_put() - a mapping ufd_mmap_get() allowed is gone */
void ufd_mmap_put(struct ufd_object *owner)
{
	ufd_object_unref(owner);
}

struct prog_map {
	uintptr_t start;
	size_t npages;
	size_t mapped;	/* pages still mapped */
	uint8_t *pages; /* 1: page i still mapped */
	struct ufd_ctx *ctx;
	struct ufd_object *owner;
	struct prog_map *next; /* maps; maps_lock */
};

static struct ufd_mutex maps_lock = UFD_MUTEX_INIT;
static struct prog_map *maps;
_Atomic unsigned int ufd_mmap_live;

/**
 * ufd_mmap_map() - map the region at @off into the program
 * @ctx: the context whose region it is
 * @addr, @len, @prot, @flags, @off: mmap()'s arguments, checked by the
 *	caller as the kernel checks them before looking the offset up
 *
 * Return: the mapping, or an ERR_PTR: -ENXIO (no region starts at @off,
 * or it is not @len long), -ENOMEM, or the system's mmap() error.
 */
void *ufd_mmap_map(struct ufd_ctx *ctx, void *addr, size_t len, int prot,
		   int flags, uint64_t off)
{
	uint64_t ps = page_size(), boff;
	struct ufd_object *owner;
	struct prog_map *m;
	void *host, *p;
	int bfd, rc;

	if (ufd_mmap_get(ctx, off, len, &host, &owner))
		return ERR_PTR(-ENXIO);
	m = ufd_zalloc(sizeof(*m));
	if (m)
		m->pages = ufd_zalloc(len / ps);
	if (!m || !m->pages) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = ufd_shmem_backing(host, len, &bfd, &boff);
	if (rc) {
		rc = -ENXIO;
		goto out_put;
	}
	p = ufd_sys_mmap(addr, len, prot, flags, bfd, (long)boff);
	rc = ufd_sys_ptr_err(p);
	if (rc)
		goto out_put;
	m->start = (uintptr_t)p;
	m->npages = len / ps;
	m->mapped = m->npages;
	memset(m->pages, 1, m->npages);
	m->owner = owner;
	m->ctx = ctx;
	ufd_ctx_get(ctx);
	ufd_mutex_lock(&maps_lock);
	m->next = maps;
	maps = m;
	atomic_fetch_add(&ufd_mmap_live, 1);
	ufd_mutex_unlock(&maps_lock);
	return p;

out_put:
	if (m)
		ufd_free(m->pages);
	ufd_free(m);
	ufd_mmap_put(owner);
	return ERR_PTR(rc);
}

/* Marks [start, end) unmapped in @m; true when none of it is left. */
static bool unmapped_locked(struct prog_map *m, uintptr_t start, uintptr_t end)
{
	uint64_t ps = page_size();
	uintptr_t mend = m->start + m->npages * ps;
	size_t i, first, last;

	if (end <= m->start || start >= mend)
		return false;
	first = (start > m->start ? start - m->start : 0) / ps;
	last = ((end < mend ? end : mend) - m->start - 1) / ps;
	for (i = first; i <= last; i++) {
		if (m->pages[i]) {
			m->pages[i] = 0;
			m->mapped--;
		}
	}
	return !m->mapped;
}

/**
 * ufd_mmap_unmapped() - the program unmapped [@addr, @addr + @len)
 *
 * Releases every mapping of ufd_mmap_map() now wholly gone. Call after
 * the unmap succeeded.
 */
void ufd_mmap_unmapped(void *addr, size_t len)
{
	uint64_t ps = page_size();
	uintptr_t start = (uintptr_t)addr,
		  end = start + ((len + ps - 1) & ~(ps - 1));
	struct prog_map **pp, *m, *gone = NULL;

	ufd_mutex_lock(&maps_lock);
	for (pp = &maps; (m = *pp);) {
		if (unmapped_locked(m, start, end)) {
			*pp = m->next;
			m->next = gone;
			gone = m;
			atomic_fetch_sub(&ufd_mmap_live, 1);
			continue;
		}
		pp = &m->next;
	}
	ufd_mutex_unlock(&maps_lock);
	while ((m = gone)) {
		gone = m->next;
		ufd_mmap_put(m->owner);
		ufd_ctx_put(m->ctx);
		ufd_free(m->pages);
		ufd_free(m);
	}
}
