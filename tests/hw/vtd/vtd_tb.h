/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VT-d model test bench: a RAM window whose physical addresses are its
 * host addresses, a bump allocator for tables in it, helpers that program
 * the model as a driver does (root/context/PASID entries, the invalidation
 * queue) and brute-force reference walks of the page-table formats.
 */
#ifndef UIOMMUFD_TESTS_HW_VTD_TB_H
#define UIOMMUFD_TESTS_HW_VTD_TB_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "hw/vtd/vtd.h"

#define TB_RAM_SIZE (64ull << 20)
#define TB_IQ_ENTRIES 128 /* 256-bit descriptors in one 4 KiB page */

struct tb {
	void *ram;
	uint64_t next; /* bump allocator offset */
	struct pt_flat_mem fm;
	struct pt_mem_ops ops; /* flat map + bump alloc, for pt_alloc() */
	struct vtd *vtd;
	uint64_t root;
	uint64_t iq;
	unsigned int iq_tail;
	uint32_t *wait_status;
	unsigned int irqs[3];
};

/* Default config with @mod applied (may be NULL), programmed and enabled. */
void tb_init(struct tb *tb, void (*mod)(struct vtd_config *cfg));
void tb_fini(struct tb *tb);
/* Zeroed, 4 KiB-aligned RAM; its physical address. */
uint64_t tb_alloc(struct tb *tb, size_t size);
static inline void *tb_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
/* Scalable-mode root + context entry for @sid (PASIDE set, 2^(pdts+7)). */
uint64_t *tb_ctx(struct tb *tb, uint16_t sid, uint32_t rid_pasid);
/* The PASID table entry of (sid, pasid), created as needed (zeroed). */
uint64_t *tb_pe(struct tb *tb, uint16_t sid, uint32_t pasid);
/* A table in RAM: SS (ias 48/57) or FS (48/57), @flags PT_CFG_*. */
struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int ias,
		       uint32_t flags);
/* Fill a PASID entry for @pgtt with the given tables (NULL allowed). */
void tb_pe_set(uint64_t *pe, unsigned int pgtt, uint16_t did,
	       struct pt_table *ss, struct pt_table *fs, bool ssade);
/* Queue one descriptor and run the queue; returns FSTS after. */
uint32_t tb_qi(struct tb *tb, uint64_t d0, uint64_t d1);
/* A wait descriptor with status write; true when the status arrived. */
bool tb_wait(struct tb *tb);
/* Invalidations as a driver issues them. */
void tb_inv_ctx_all(struct tb *tb);
void tb_inv_pc(struct tb *tb, unsigned int g, uint16_t did, uint32_t pasid);
void tb_inv_iotlb(struct tb *tb, unsigned int g, uint16_t did, uint64_t addr,
		  unsigned int am);
void tb_inv_piotlb(struct tb *tb, unsigned int g, uint16_t did, uint32_t pasid,
		   uint64_t addr, unsigned int am);
/* Clears all fault records and FSTS status. */
void tb_clear_faults(struct tb *tb);

/*
 * Reference walks, written from the specification independently of src/pt:
 * true with the output address and permissions (VTD_READ/WRITE/EXEC).
 * @xlate_table maps a table address (nested: through the second stage).
 */
bool ref_ss(uint64_t root, unsigned int levels, uint64_t iova, uint64_t *oa,
	    unsigned int *perm);
bool ref_fs(uint64_t root, unsigned int levels, uint64_t iova, bool priv,
	    uint64_t *oa, unsigned int *perm,
	    bool (*xlate_table)(void *priv, uint64_t gpa, uint64_t *pa),
	    void *xpriv);

#endif
