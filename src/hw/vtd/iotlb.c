// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d IOTLB (6.2.4).
 *
 * What: cached translations tagged with what the architecture matches an
 * entry or an invalidation on -- the domain id, the PASID (none for
 * second-stage-only translations, which all requests of the domain share),
 * whether it is a second-stage, first-stage or combined nested
 * translation, the privilege it was looked up with, the global bit of a
 * first-stage leaf, the page size and, for nested entries, the first-stage
 * leaf size so an invalidation by first-stage address reaches every piece.
 * An entry stays until an invalidation covers it.
 *
 * Shape and concurrency as the SMMUv3 IOTLB: sets of ways, an entry of
 * size 2^n in the set hashed from (DID, address >> n, n), a lookup probes
 * one set per size its DID bucket ever held, lock-free readers under
 * per-set sequence counts, and a generation count that makes a fill racing
 * with an invalidation give up. Invalidations scan the whole cache: they
 * are bounded by its size whatever the range.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "hw/vtd/vtd_priv.h"

#define TLB_MATCH_MASK                                                         \
	(vtd_fmask(VTD_TE_VALID) | vtd_fmask(VTD_TE_KIND) |                    \
	 vtd_fmask(VTD_TE_PRIV) | vtd_fmask(VTD_TE_PAGE_LG2) |                 \
	 vtd_fmask(VTD_TE_DID))

int vtd_iotlb_init(struct vtd_iotlb *tlb, unsigned int sets_lg2,
		   unsigned int ways)
{
	size_t sets = (size_t)1 << sets_lg2;

	memset(tlb, 0, sizeof(*tlb));
	tlb->sets_lg2 = sets_lg2;
	tlb->ways = ways;
	tlb->seq = ufd_calloc(sets, sizeof(*tlb->seq));
	tlb->victim = ufd_calloc(sets, sizeof(*tlb->victim));
	tlb->ent = ufd_alloc_aligned(64, sets * ways * sizeof(*tlb->ent));
	if (!tlb->seq || !tlb->victim || !tlb->ent) {
		vtd_iotlb_destroy(tlb);
		return -ENOMEM;
	}
	return 0;
}

void vtd_iotlb_destroy(struct vtd_iotlb *tlb)
{
	ufd_free(tlb->ent);
	ufd_free(tlb->victim);
	ufd_free(tlb->seq);
	memset(tlb, 0, sizeof(*tlb));
}

static inline unsigned int tlb_set(const struct vtd_iotlb *tlb, uint16_t did,
				   uint64_t va, unsigned int lg2)
{
	return vtd_hash((va >> lg2) ^ ((uint64_t)did << 47) ^
				((uint64_t)lg2 << 41),
			tlb->sets_lg2);
}

static inline uint64_t tlb_want(enum vtd_tlb_kind kind, uint16_t did, bool priv,
				unsigned int lg2)
{
	return vtd_fprep(VTD_TE_VALID, 1) | vtd_fprep(VTD_TE_KIND, kind) |
	       vtd_fprep(VTD_TE_PRIV, priv) | vtd_fprep(VTD_TE_PAGE_LG2, lg2) |
	       vtd_fprep(VTD_TE_DID, did);
}

static inline bool tlb_pasid_ok(uint64_t tag, uint32_t pasid)
{
	return vtd_fget(tag, VTD_TE_GLOBAL) ||
	       vtd_fget(tag, VTD_TE_PASID) == pasid;
}

bool vtd_iotlb_lookup(struct vtd_iotlb *tlb, enum vtd_tlb_kind kind,
		      uint16_t did, uint32_t pasid, bool priv, uint64_t va,
		      struct vtd_tlb_fill *out)
{
	uint64_t sizes = vtd_load(&tlb->sizes[did & 63]);

	if (kind == VTD_TLB_SS) {
		pasid = 0;
		priv = false;
	}
	while (sizes) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(sizes);
		uint64_t base = va & ~vtd_mask(lg2);
		uint64_t want = tlb_want(kind, did, priv, lg2);
		unsigned int set = tlb_set(tlb, did, base, lg2);
		struct vtd_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
		uint64_t tag = 0, oa = 0, attr = 0;
		unsigned int i;
		bool hit;
		uint32_t s;

		sizes &= sizes - 1;
		do {
			s = ufd_seq_begin(&tlb->seq[set]);
			hit = false;
			for (i = 0; i < tlb->ways; i++) {
				tag = ufd_seq_load(&e[i].tag);
				if ((tag & TLB_MATCH_MASK) != want ||
				    !tlb_pasid_ok(tag, pasid) ||
				    ufd_seq_load(&e[i].va) != base)
					continue;
				oa = ufd_seq_load(&e[i].oa);
				attr = ufd_seq_load(&e[i].attr);
				hit = true;
				break;
			}
		} while (ufd_seq_retry(&tlb->seq[set], s));
		if (!hit)
			continue;
		out->kind = kind;
		out->did = did;
		out->pasid = (uint32_t)vtd_fget(tag, VTD_TE_PASID);
		out->priv = priv;
		out->global = vtd_fget(tag, VTD_TE_GLOBAL);
		out->page_lg2 = lg2;
		out->fs_lg2 = vtd_fget(tag, VTD_TE_FS_LG2);
		out->perm = vtd_fget(tag, VTD_TE_PERM);
		out->va = base;
		out->oa = oa;
		out->attr = attr;
		return true;
	}
	return false;
}

bool vtd_iotlb_insert(struct vtd_iotlb *tlb, const struct vtd_tlb_fill *f,
		      uint64_t gen)
{
	bool ss = f->kind == VTD_TLB_SS;
	uint64_t base = f->va & ~vtd_mask(f->page_lg2);
	uint64_t want =
		tlb_want(f->kind, f->did, ss ? false : f->priv, f->page_lg2);
	unsigned int set = tlb_set(tlb, f->did, base, f->page_lg2);
	struct vtd_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
	unsigned int i, way = tlb->ways;
	bool evicted = false, global = !ss && f->global;
	uint64_t tag;

	tag = want | vtd_fprep(VTD_TE_GLOBAL, global) |
	      vtd_fprep(VTD_TE_PASID, ss ? 0 : f->pasid) |
	      vtd_fprep(VTD_TE_PERM, f->perm) |
	      vtd_fprep(VTD_TE_FS_LG2, f->fs_lg2);
	/* Visible before the entry: lookups probe by it. */
	__atomic_fetch_or(&tlb->sizes[f->did & 63], 1ull << f->page_lg2,
			  __ATOMIC_SEQ_CST);
	ufd_seq_lock(&tlb->seq[set]);
	if (__atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST) != gen || (gen & 1))
		goto out_unlock;
	for (i = 0; i < tlb->ways; i++) {
		uint64_t t = vtd_load(&e[i].tag);

		if (!vtd_fget(t, VTD_TE_VALID)) {
			if (way == tlb->ways)
				way = i;
			continue;
		}
		/* The same translation again (say, now writable): replace. */
		if ((t & TLB_MATCH_MASK) == want &&
		    vtd_fget(t, VTD_TE_PASID) == vtd_fget(tag, VTD_TE_PASID) &&
		    vtd_load(&e[i].va) == base) {
			way = i;
			break;
		}
	}
	if (way == tlb->ways) {
		way = tlb->victim[set] % tlb->ways;
		tlb->victim[set] = way + 1;
		evicted = true;
	}
	ufd_seq_store(&e[way].tag, tag);
	ufd_seq_store(&e[way].va, base);
	ufd_seq_store(&e[way].oa, f->oa & ~vtd_mask(f->page_lg2));
	ufd_seq_store(&e[way].attr, f->attr);
out_unlock:
	ufd_seq_unlock(&tlb->seq[set]);
	return evicted;
}

static bool range_hit(uint64_t va, unsigned int lg2, const struct vtd_tlbi *inv)
{
	va &= ~vtd_mask(lg2);
	return va <= inv->last && (va | vtd_mask(lg2)) >= inv->first;
}

/* Whether @inv covers the entry (@tag, @va). */
static bool inv_match(uint64_t tag, uint64_t va, const struct vtd_tlbi *inv)
{
	unsigned int kind = vtd_fget(tag, VTD_TE_KIND);
	unsigned int lg2 = vtd_fget(tag, VTD_TE_PAGE_LG2);
	unsigned int fs_lg2 = vtd_fget(tag, VTD_TE_FS_LG2);
	uint16_t did = (uint16_t)vtd_fget(tag, VTD_TE_DID);
	uint32_t pasid = (uint32_t)vtd_fget(tag, VTD_TE_PASID);

	if (!vtd_fget(tag, VTD_TE_VALID))
		return false;
	if (inv->scope == VTD_TLBI_ALL)
		return true;
	if (did != inv->did)
		return false;
	switch (inv->scope) {
	case VTD_TLBI_DID:
		return true;
	case VTD_TLBI_DID_PAGE:
		/*
		 * By second-stage address: a nested entry's second-stage
		 * input is not kept, so every nested entry of the domain
		 * goes.
		 */
		if (kind == VTD_TLB_NESTED)
			return true;
		return kind == VTD_TLB_SS && range_hit(va, lg2, inv);
	case VTD_TLBI_PASID:
		return kind != VTD_TLB_SS && pasid == inv->pasid &&
		       !vtd_fget(tag, VTD_TE_GLOBAL);
	case VTD_TLBI_PASID_PAGE:
		if (kind == VTD_TLB_SS)
			return false;
		if (pasid != inv->pasid && !vtd_fget(tag, VTD_TE_GLOBAL))
			return false;
		return range_hit(va, fs_lg2 > lg2 ? fs_lg2 : lg2, inv);
	default:
		return false;
	}
}

void vtd_iotlb_invalidate(struct vtd_iotlb *tlb, const struct vtd_tlbi *inv)
{
	size_t sets = (size_t)1 << tlb->sets_lg2, set;
	unsigned int i;

	/* Odd while running; pairs with vtd_iotlb_insert(). */
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
	for (set = 0; set < sets; set++) {
		struct vtd_tlb_entry *e = &tlb->ent[set * tlb->ways];
		bool any = false;

		/*
		 * Look before locking, trusted only when no insert is in
		 * flight: one that locks later sees the bumped generation.
		 */
		if (!(__atomic_load_n(&tlb->seq[set], __ATOMIC_SEQ_CST) & 1)) {
			for (i = 0; i < tlb->ways && !any; i++)
				any = inv_match(ufd_seq_load(&e[i].tag),
						ufd_seq_load(&e[i].va), inv);
			if (!any)
				continue;
		}
		ufd_seq_lock(&tlb->seq[set]);
		for (i = 0; i < tlb->ways; i++)
			if (inv_match(vtd_load(&e[i].tag), vtd_load(&e[i].va),
				      inv))
				ufd_seq_store(&e[i].tag, 0);
		ufd_seq_unlock(&tlb->seq[set]);
	}
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
}
