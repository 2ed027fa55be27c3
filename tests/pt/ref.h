/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A brute-force reference model of a page table, for checking src/pt.
 *
 * The model is a sorted array of leaves (IOVA, size, output address,
 * protection, dirty). It knows nothing about descriptors or levels beyond
 * the page sizes a table reports; it states the contract of pt_map(),
 * pt_unmap(), pt_remap(), pt_read_and_clear_dirty() and pt_set_dirty()
 * directly:
 *
 *  - map lays leaves greedily: at each step the largest size in the table's
 *    page-size bitmap that the IOVA and output address are both aligned to
 *    and that fits the remaining length; it stops at the first leaf that
 *    would overlap an existing one (-EADDRINUSE);
 *  - unmap removes leaves from the start; a leaf the range starts inside is
 *    refused (-EINVAL) and one it ends inside is removed whole, unless
 *    splitting is allowed, in which case the leaf is replaced by the
 *    largest smaller size its level stores (or, for a single entry, the
 *    largest size the level below stores) until the cut is on a boundary;
 *  - remap gives each leaf of the range its new address, splitting (as
 *    unmap does) a leaf the range cuts or whose new address is not aligned
 *    to its size; leaves keep their protection and dirty state;
 *  - a dirty leaf is reported and cleaned whole.
 *
 * Everything is linear in the number of leaves; tests keep that small.
 */
#ifndef UIOMMUFD_TESTS_PT_REF_H
#define UIOMMUFD_TESTS_PT_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt/pt.h"

struct ref_leaf {
	uint64_t iova;
	uint64_t oa;
	unsigned int s_lg2;
	unsigned int prot;
	bool dirty;
};

struct ref {
	const struct pt_table *t;
	struct ref_leaf *v;
	size_t n, cap;
};

void ref_init(struct ref *r, const struct pt_table *t);
void ref_destroy(struct ref *r);

/* Index of the leaf containing @iova, or -1. */
long ref_find(const struct ref *r, uint64_t iova);

/* Expected result of pt_map(); updates the model like the table. */
int ref_map(struct ref *r, uint64_t iova, uint64_t oa, uint64_t len,
	    unsigned int prot, uint64_t *mapped);

/* Expected result of pt_unmap(); updates the model. */
int ref_unmap(struct ref *r, uint64_t iova, uint64_t len, unsigned int flags,
	      uint64_t *unmapped);

/*
 * Expected result of pt_remap() for arguments pt_remap() accepts (aligned,
 * in range); updates the model. A leaf the range cuts or whose new address
 * is misaligned is split as unmap splits, until the pieces fit.
 */
int ref_remap(struct ref *r, uint64_t iova, uint64_t len, uint64_t oa,
	      uint64_t *done);

/* Expected result of pt_set_dirty(). */
int ref_set_dirty(struct ref *r, uint64_t iova);

/*
 * Expected dirty runs of pt_read_and_clear_dirty() over [iova, last], as
 * (start, len) pairs coalesced like the engine's sink; clears unless
 * no_clear. Returns the number of runs written to @runs (at most @max).
 */
size_t ref_read_dirty(struct ref *r, uint64_t iova, uint64_t last,
		      bool no_clear, uint64_t (*runs)[2], size_t max);

/* Level of the engine that stores a page of 2^s_lg2 bytes. */
unsigned int ref_level_of(const struct ref *r, unsigned int s_lg2);

#endif
