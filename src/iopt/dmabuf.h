/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test dma-bufs: the exporter behind IOMMU_TEST_OP_DMABUF_GET and
 * IOMMU_TEST_OP_DMABUF_REVOKE, and the importer side of IOMMU_IOAS_MAP_FILE
 * for such buffers. The model, its lifetime rules and its locking are
 * described at the top of dmabuf.c.
 *
 * What the rest of the io_pagetable needs to know: an iopt_pages whose
 * source is IOPT_PAGES_DMABUF is never pinned or charged, and it is mapped
 * into and unmapped from domains only through iopt_dmabuf_fill() and
 * iopt_dmabuf_unfill(), which remember which domains map which area so
 * that a revocation can take the translations away again.
 */
#ifndef UIOMMUFD_IOPT_DMABUF_H
#define UIOMMUFD_IOPT_DMABUF_H

#include <stdbool.h>
#include <stdint.h>

#include "iopt/domain.h"

struct iopt_area;
struct iopt_pages;

/* The largest test dma-buf, as the kernel's selftest exporter allows. */
#define IOPT_DMABUF_MAX_PAGES 512

/* The exporter (IOMMU_TEST_CMD). */
int iopt_dmabuf_create(uint64_t length, uint32_t open_flags);
int iopt_dmabuf_revoke(int fd, bool revoked);

/* The importer (IOMMU_IOAS_MAP_FILE). */
bool iopt_dmabuf_match(int fd);
int iopt_dmabuf_attach(struct iopt_pages *pages, int fd, uint64_t start,
		       uint64_t length);
void iopt_dmabuf_detach(struct iopt_pages *pages);

/* Domains (the io_pagetable, with its locks held). */
int iopt_dmabuf_fill(struct iopt_area *area, struct iopt_domain *const *domains,
		     unsigned int n, bool small_only);
void iopt_dmabuf_unfill(struct iopt_area *area,
			struct iopt_domain *const *domains, unsigned int n);

#endif
