/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The io_pagetable's map of a paging domain onto the domain's page table
 * (src/pt), for drivers whose domains are one pt table: the protection
 * translated, small-only mappings made page by page, the table's answer
 * for an address it cannot hold turned into the io_pagetable's EINVAL;
 * and the remap of moved memory, all or nothing.
 */
#ifndef UIOMMUFD_DRIVERS_PT_MAP_H
#define UIOMMUFD_DRIVERS_PT_MAP_H

#include <stdint.h>

struct pt_table;

int ufd_pt_domain_map(struct pt_table *pt, uint64_t iova, uint64_t paddr,
		      uint64_t len, unsigned int prot, uint64_t small_pgsize,
		      uint64_t *done);
int ufd_pt_domain_remap(struct pt_table *pt, uint64_t iova, uint64_t len,
			uint64_t old_paddr, uint64_t new_paddr);

#endif
