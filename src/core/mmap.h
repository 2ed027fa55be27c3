/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MMIO regions a context lets the program mmap() through its iommufd (the
 * kernel's iommufd_mmap): a vIOMMU's page, a VINTF's queue registers.
 * Each region has an offset the creating ioctl reports; mmap() must name
 * exactly that offset and that length. A mapping holds the region's owner
 * (IOMMU_DESTROY answers EBUSY) and the context until the program unmaps
 * it, which the front end reports with ufd_mmap_unmapped().
 *
 * Locking: ctx->mmap_lock guards ctx->mmaps; a leaf.
 */
#ifndef UIOMMUFD_CORE_MMAP_H
#define UIOMMUFD_CORE_MMAP_H

#include "core/core.h"

int ufd_mmap_register(struct ufd_ctx *ctx, struct ufd_object *owner, void *host,
		      size_t len, uint64_t *offset);
void ufd_mmap_unregister(struct ufd_ctx *ctx, uint64_t offset);
int ufd_mmap_get(struct ufd_ctx *ctx, uint64_t offset, uint64_t len,
		 void **host, struct ufd_object **owner);
void ufd_mmap_put(struct ufd_object *owner);
void *ufd_mmap_map(struct ufd_ctx *ctx, void *addr, size_t len, int prot,
		   int flags, uint64_t off);
void ufd_mmap_unmapped(void *addr, size_t len);
extern _Atomic unsigned int ufd_mmap_live;
void ufd_mmap_init(struct ufd_ctx *ctx);
void ufd_mmap_fini(struct ufd_ctx *ctx);

#endif
