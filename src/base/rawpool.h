/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pool of fixed-size objects for bookkeeping done on behalf of the
 * program's own calls (its mmap(), munmap(), ...), which is not uiommufd's
 * work: the objects come from pages mapped with a raw system call and are
 * recycled through a free list, never from ufd_alloc(), so they consume no
 * fail-nth count meant for an ioctl and do not show in the live-block
 * counter. The only failure is the system running out of memory. Pages
 * are never given back.
 *
 * Locking: none inside; the owner's lock covers every call.
 */
#ifndef UIOMMUFD_BASE_RAWPOOL_H
#define UIOMMUFD_BASE_RAWPOOL_H

#include <stddef.h>

struct ufd_rawpool {
	size_t size; /* of an object; at least a pointer */
	void *free;  /* the free list, linked through the objects */
};

#define UFD_RAWPOOL_INIT(type)                                                 \
	{                                                                      \
		.size = sizeof(type) > sizeof(void *) ? sizeof(type)           \
						      : sizeof(void *),        \
		.free = NULL,                                                  \
	}

void *ufd_rawpool_get(struct ufd_rawpool *pool);
void ufd_rawpool_put(struct ufd_rawpool *pool, void *obj);

#endif
