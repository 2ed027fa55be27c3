// SPDX-License-Identifier: BSD-3-Clause
/* Fixed-size objects from raw pages; see rawpool.h. */
#include <stdint.h>
#include <sys/mman.h>

#include "base/rawpool.h"
#include "base/sys.h"

#define RAWPOOL_CHUNK (64u << 10)

/* The object size, rounded so every object stays pointer-aligned. */
static size_t slot_size(const struct ufd_rawpool *pool)
{
	return (pool->size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

/** ufd_rawpool_get() - an object (contents undefined), or NULL */
void *ufd_rawpool_get(struct ufd_rawpool *pool)
{
	size_t slot = slot_size(pool), i, n = RAWPOOL_CHUNK / slot;
	uint8_t *chunk;
	void *obj;

	if (!pool->free) {
		chunk = ufd_sys_mmap(NULL, RAWPOOL_CHUNK,
				     PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ufd_sys_ptr_err(chunk))
			return NULL;
		for (i = 0; i < n; i++)
			*(void **)(chunk + i * slot) =
				i + 1 < n ? chunk + (i + 1) * slot : NULL;
		pool->free = chunk;
	}
	obj = pool->free;
	pool->free = *(void **)obj;
	return obj;
}

/** ufd_rawpool_put() - give @obj back to @pool */
void ufd_rawpool_put(struct ufd_rawpool *pool, void *obj)
{
	*(void **)obj = pool->free;
	pool->free = obj;
}
