// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mmap regions of a context; see mmap.h. Offsets are allocated from
 * the page after 0 upwards in an interval tree, so the hole search and the
 * lookups are O(log n).
 */
#include <errno.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/itree.h"
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
