/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The io_pagetable's map of a paging domain onto the domain's page table
 * (src/pt), for drivers whose domains are one pt table: the protection
 * translated, small-only mappings made page by page, the table's answer
 * for an address it cannot hold turned into the io_pagetable's EINVAL;
 * and the remap of moved memory, all or nothing.
 *
 * The _inv variants are the whole iopt_domain_ops (and the dirty harvest)
 * of a driver whose IOMMU caches translations (SMMUv3, VT-d, AMD-Vi): the change is made under the
 * domain's lock held for write, which keeps the driver's own walks and
 * dirty harvests out, and the driver's @inv invalidates the IOMMU's caches
 * for the changed range before the lock is dropped and before tables the
 * unmap emptied are freed.
 */
#ifndef UIOMMUFD_DRIVERS_PT_MAP_H
#define UIOMMUFD_DRIVERS_PT_MAP_H

#include <stdint.h>

struct pt_table;
struct ufd_dirty_sink;
struct ufd_rwlock;

/* Invalidates what the IOMMU may cache of [iova, iova + len) of the table. */
typedef void (*ufd_pt_inv_fn)(void *priv, uint64_t iova, uint64_t len);

int ufd_pt_domain_map(struct pt_table *pt, uint64_t iova, uint64_t paddr,
		      uint64_t len, unsigned int prot, uint64_t small_pgsize,
		      uint64_t *done);
int ufd_pt_domain_remap(struct pt_table *pt, uint64_t iova, uint64_t len,
			uint64_t old_paddr, uint64_t new_paddr);

uint64_t ufd_pt_domain_unmap_inv(struct pt_table *pt, struct ufd_rwlock *lock,
				 uint64_t iova, uint64_t len, ufd_pt_inv_fn inv,
				 void *priv);
int ufd_pt_domain_map_inv(struct pt_table *pt, struct ufd_rwlock *lock,
			  uint64_t iova, uint64_t paddr, uint64_t len,
			  unsigned int prot, uint64_t small_pgsize,
			  ufd_pt_inv_fn inv, void *priv);
int ufd_pt_domain_remap_inv(struct pt_table *pt, struct ufd_rwlock *lock,
			    uint64_t iova, uint64_t len, uint64_t old_paddr,
			    uint64_t new_paddr, ufd_pt_inv_fn inv, void *priv);
int ufd_pt_domain_read_and_clear_dirty_inv(struct pt_table *pt,
					   struct ufd_rwlock *lock,
					   uint64_t iova, uint64_t len,
					   unsigned int flags,
					   const struct ufd_dirty_sink *sink,
					   ufd_pt_inv_fn inv, void *priv);

#endif
