// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi model's caches: device table entries (with the GCR3 table
 * entries reached through them) and the IOTLB.
 *
 * What is cached and how it is tagged follows the architecture's
 * invalidation commands. A DTE is cached by DeviceID and stays until an
 * INVALIDATE_DEVTAB_ENTRY of that DeviceID (or INVALIDATE_IOMMU_ALL). A
 * GCR3 entry is cached by (DeviceID, PASID), remembers the DomainID it was
 * fetched under, and goes with its device's DTE or with an
 * INVALIDATE_IOMMU_PAGES with GN = 1 of that (DomainID, PASID). A
 * translation is cached by DomainID -- not DeviceID: devices sharing a
 * domain share entries -- with GN and the PASID for guest translations,
 * and stays until an INVALIDATE_IOMMU_PAGES of its DomainID covers it:
 * GN = 0 covers host translations in the range and every guest
 * translation that went through the host table (their input addresses
 * are GVAs, so the GPA range cannot select them); GN = 1 covers the
 * PASID's guest translations in the range.
 *
 * Shape: sets of ways, round-robin replacement within a set; a full set
 * evicts one entry, never the cache. An IOTLB entry of page size 2^n lives
 * in the set hashed from (DomainID, address >> n, n); a lookup probes one
 * set per page size the DomainID's bucket has held.
 *
 * Concurrency: readers (DMA on any thread) take no lock: each set has a
 * sequence count that writers make odd while they change it, and readers
 * retry when it moved; writers exclude each other through the same count.
 * Every word is accessed atomically. A generation count, bumped before and
 * after each invalidation, orders fills against invalidations: a fill
 * reads it before fetching and inserts only if it did not move, so a
 * completed invalidation command never leaves an entry it covered.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "hw/amdvi/amdvi_priv.h"

static int sets_alloc(unsigned int sets_lg2, size_t ent_size, unsigned int ways,
		      uint32_t **seq, uint32_t **victim, void **ent)
{
	size_t sets = (size_t)1 << sets_lg2;

	*seq = ufd_calloc(sets, sizeof(**seq));
	if (!*seq)
		goto out_err;
	*victim = ufd_calloc(sets, sizeof(**victim));
	if (!*victim)
		goto out_free_seq;
	*ent = ufd_alloc_aligned(64, sets * ways * ent_size);
	if (!*ent)
		goto out_free_victim;
	return 0;

out_free_victim:
	ufd_free(*victim);
out_free_seq:
	ufd_free(*seq);
out_err:
	return -ENOMEM;
}

/* --- DTE / GCR3 entry cache --- */

int amdvi_dtec_init(struct amdvi_dte_cache *c, unsigned int sets_lg2,
		    unsigned int ways)
{
	void *ent = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->sets_lg2 = sets_lg2;
	c->ways = ways;
	rc = sets_alloc(sets_lg2, sizeof(*c->ent), ways, &c->seq, &c->victim,
			&ent);
	c->ent = ent;
	return rc;
}

void amdvi_dtec_destroy(struct amdvi_dte_cache *c)
{
	ufd_free(c->ent);
	ufd_free(c->victim);
	ufd_free(c->seq);
}

bool amdvi_dtec_lookup(struct amdvi_dte_cache *c, uint64_t key,
		       uint64_t w[AMDVI_DTE_QWORDS])
{
	unsigned int set = amdvi_hash(key, c->sets_lg2);
	struct amdvi_cent *e = &c->ent[(size_t)set * c->ways];
	unsigned int i, j;
	bool hit;
	uint32_t s;

	do {
		s = ufd_seq_begin(&c->seq[set]);
		hit = false;
		for (i = 0; i < c->ways; i++) {
			if (ufd_seq_load(&e[i].key) != key)
				continue;
			for (j = 0; j < AMDVI_DTE_QWORDS; j++)
				w[j] = ufd_seq_load(&e[i].w[j]);
			hit = true;
			break;
		}
	} while (ufd_seq_retry(&c->seq[set], s));
	return hit;
}

bool amdvi_dtec_insert(struct amdvi_dte_cache *c, uint64_t key,
		       const uint64_t w[AMDVI_DTE_QWORDS], uint64_t gen)
{
	unsigned int set = amdvi_hash(key, c->sets_lg2);
	struct amdvi_cent *e = &c->ent[(size_t)set * c->ways];
	unsigned int i, j, way = c->ways;
	bool evicted = false;

	/* An invalidation under way: what was fetched may be older. */
	if (gen & 1)
		return false;
	ufd_seq_lock(&c->seq[set]);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) != gen)
		goto out_unlock;
	for (i = 0; i < c->ways; i++) {
		uint64_t k = amdvi_load(&e[i].key);

		if (k == key) {
			way = i;
			break;
		}
		if (!amdvi_fget(k, AMDVI_CK_VALID) && way == c->ways)
			way = i;
	}
	if (way == c->ways) {
		way = c->victim[set] % c->ways;
		c->victim[set] = way + 1;
		evicted = true;
	}
	ufd_seq_store(&e[way].key, key);
	for (j = 0; j < AMDVI_DTE_QWORDS; j++)
		ufd_seq_store(&e[way].w[j], w[j]);
out_unlock:
	ufd_seq_unlock(&c->seq[set]);
	return evicted;
}

static bool dtec_match(uint64_t key, const uint64_t *w, bool all, bool by_dev,
		       uint16_t devid, uint16_t domid, uint32_t pasid)
{
	if (!amdvi_fget(key, AMDVI_CK_VALID))
		return false;
	if (all)
		return true;
	if (by_dev)
		return amdvi_fget(key, AMDVI_CK_DEVID) == devid;
	return amdvi_fget(key, AMDVI_CK_GCR3) && w[1] == domid &&
	       amdvi_fget(key, AMDVI_CK_PASID) == pasid;
}

void amdvi_dtec_invalidate(struct amdvi_dte_cache *c, bool all, bool by_dev,
			   uint16_t devid, uint16_t domid, uint32_t pasid)
{
	size_t sets = (size_t)1 << c->sets_lg2, set;
	unsigned int i;

	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
	for (set = 0; set < sets; set++) {
		struct amdvi_cent *e = &c->ent[set * c->ways];

		ufd_seq_lock(&c->seq[set]);
		for (i = 0; i < c->ways; i++) {
			uint64_t w[2] = { 0, amdvi_load(&e[i].w[1]) };

			if (dtec_match(amdvi_load(&e[i].key), w, all, by_dev,
				       devid, domid, pasid))
				ufd_seq_store(&e[i].key, 0);
		}
		ufd_seq_unlock(&c->seq[set]);
	}
	__atomic_fetch_add(&c->gen, 1, __ATOMIC_SEQ_CST);
}

/* --- IOTLB --- */

int amdvi_iotlb_init(struct amdvi_iotlb *tlb, unsigned int sets_lg2,
		     unsigned int ways)
{
	void *ent = NULL;
	int rc;

	memset(tlb, 0, sizeof(*tlb));
	tlb->sets_lg2 = sets_lg2;
	tlb->ways = ways;
	rc = sets_alloc(sets_lg2, sizeof(*tlb->ent), ways, &tlb->seq,
			&tlb->victim, &ent);
	tlb->ent = ent;
	return rc;
}

void amdvi_iotlb_destroy(struct amdvi_iotlb *tlb)
{
	ufd_free(tlb->ent);
	ufd_free(tlb->victim);
	ufd_free(tlb->seq);
}

static uint64_t *tlb_sizes(struct amdvi_iotlb *tlb, uint16_t domid)
{
	return &tlb->sizes[domid & 63];
}

bool amdvi_iotlb_lookup(struct amdvi_iotlb *tlb, uint16_t domid, bool gn,
			uint32_t pasid, bool priv, uint64_t va,
			struct amdvi_tlb_fill *out)
{
	uint64_t sizes =
		__atomic_load_n(tlb_sizes(tlb, domid), __ATOMIC_ACQUIRE);

	while (sizes) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(sizes);
		uint64_t base = va & ~amdvi_mask(lg2);
		uint64_t want = amdvi_tlb_want(domid, gn, pasid, priv, lg2);
		unsigned int set = amdvi_tlb_set(tlb, domid, base, lg2);
		struct amdvi_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
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
				if ((tag & AMDVI_TLB_MATCH_MASK) != want ||
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
		out->domid = domid;
		out->gn = gn;
		out->pasid = pasid;
		out->priv = priv;
		out->nested = amdvi_fget(tag, AMDVI_TLB_NESTED);
		out->page_lg2 = lg2;
		out->perm = amdvi_fget(tag, AMDVI_TLB_PERM);
		out->va = base;
		out->oa = oa;
		out->attr = attr;
		return true;
	}
	return false;
}

bool amdvi_iotlb_insert(struct amdvi_iotlb *tlb, const struct amdvi_tlb_fill *f,
			uint64_t gen)
{
	uint64_t base = f->va & ~amdvi_mask(f->page_lg2);
	uint64_t want =
		amdvi_tlb_want(f->domid, f->gn, f->pasid, f->priv, f->page_lg2);
	unsigned int set = amdvi_tlb_set(tlb, f->domid, base, f->page_lg2);
	struct amdvi_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
	unsigned int i, way = tlb->ways;
	bool evicted = false;
	uint64_t tag;

	if (gen & 1)
		return false;
	tag = want | amdvi_fprep(AMDVI_TLB_NESTED, f->nested) |
	      amdvi_fprep(AMDVI_TLB_PERM, f->perm);
	/* Visible before the entry: lookups and invalidations probe by it. */
	__atomic_fetch_or(tlb_sizes(tlb, f->domid), 1ull << f->page_lg2,
			  __ATOMIC_SEQ_CST);
	if (f->nested)
		__atomic_store_n(&tlb->nested[f->domid & 63], 1,
				 __ATOMIC_SEQ_CST);
	ufd_seq_lock(&tlb->seq[set]);
	if (__atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST) != gen)
		goto out_unlock;
	for (i = 0; i < tlb->ways; i++) {
		uint64_t t = amdvi_load(&e[i].tag);

		/* The same translation again (say, now writable): replace. */
		if ((t & AMDVI_TLB_MATCH_MASK) == want &&
		    amdvi_load(&e[i].va) == base) {
			way = i;
			break;
		}
		if (!amdvi_fget(t, AMDVI_TLB_VALID) && way == tlb->ways)
			way = i;
	}
	if (way == tlb->ways) {
		way = tlb->victim[set] % tlb->ways;
		tlb->victim[set] = way + 1;
		evicted = true;
	}
	ufd_seq_store(&e[way].tag, tag);
	ufd_seq_store(&e[way].va, base);
	ufd_seq_store(&e[way].oa, f->oa & ~amdvi_mask(f->page_lg2));
	ufd_seq_store(&e[way].attr, f->attr);
out_unlock:
	ufd_seq_unlock(&tlb->seq[set]);
	return evicted;
}

/* Whether @inv covers the entry (@tag, @va). */
static bool inv_match(uint64_t tag, uint64_t va, const struct amdvi_tlbi *inv)
{
	unsigned int lg2 = amdvi_fget(tag, AMDVI_TLB_PAGE_LG2);
	bool gn = amdvi_fget(tag, AMDVI_TLB_GN);

	if (!amdvi_fget(tag, AMDVI_TLB_VALID))
		return false;
	if (inv->all)
		return true;
	if (amdvi_fget(tag, AMDVI_TLB_DOMID) != inv->domid)
		return false;
	if (!inv->gn) {
		/* A host table change reaches what was nested through it. */
		if (gn)
			return amdvi_fget(tag, AMDVI_TLB_NESTED);
	} else if (!gn || amdvi_fget(tag, AMDVI_TLB_PASID) != inv->pasid) {
		return false;
	}
	return va <= inv->last && (va | amdvi_mask(lg2)) >= inv->first;
}

/*
 * Drops the entries of one set @inv covers. Sets holding nothing to drop
 * are passed over unlocked, when no insertion is in flight: one that takes
 * the set after this look checks the generation (bumped before) under its
 * seq_cst lock and gives up.
 */
static void inval_set(struct amdvi_iotlb *tlb, unsigned int set,
		      const struct amdvi_tlbi *inv)
{
	struct amdvi_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
	unsigned int i;
	bool any = false;

	if (!(__atomic_load_n(&tlb->seq[set], __ATOMIC_SEQ_CST) & 1)) {
		for (i = 0; i < tlb->ways && !any; i++)
			any = inv_match(ufd_seq_load(&e[i].tag),
					ufd_seq_load(&e[i].va), inv);
		if (!any)
			return;
	}
	ufd_seq_lock(&tlb->seq[set]);
	for (i = 0; i < tlb->ways; i++)
		if (inv_match(amdvi_load(&e[i].tag), amdvi_load(&e[i].va), inv))
			ufd_seq_store(&e[i].tag, 0);
	ufd_seq_unlock(&tlb->seq[set]);
}

/*
 * Probes the sets entries overlapping [first, last] can be in, one per
 * page size of the DomainID's bucket; false (nothing done) when that takes
 * more probes than scanning every set.
 */
static bool inval_probe(struct amdvi_iotlb *tlb, const struct amdvi_tlbi *inv)
{
	uint64_t sets = 1ull << tlb->sets_lg2, probes = 0, s, sizes;

	sizes = __atomic_load_n(tlb_sizes(tlb, inv->domid), __ATOMIC_SEQ_CST);
	for (s = sizes; s; s &= s - 1) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(s);
		uint64_t n = (inv->last >> lg2) - (inv->first >> lg2);

		if (n >= sets || probes + n >= sets)
			return false;
		probes += n + 1;
	}
	for (s = sizes; s; s &= s - 1) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(s);
		uint64_t pfn;

		for (pfn = inv->first >> lg2;; pfn++) {
			inval_set(tlb,
				  amdvi_tlb_set(tlb, inv->domid, pfn << lg2,
						lg2),
				  inv);
			if (pfn == inv->last >> lg2)
				break;
		}
	}
	return true;
}

void amdvi_iotlb_invalidate(struct amdvi_iotlb *tlb,
			    const struct amdvi_tlbi *inv)
{
	size_t sets = (size_t)1 << tlb->sets_lg2, set;
	bool done = false;

	/* Odd while running; pairs with amdvi_iotlb_insert(). */
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
	/* Nested guest entries hash by GVA: a host range cannot find them. */
	if (!inv->all &&
	    (inv->gn ||
	     !__atomic_load_n(&tlb->nested[inv->domid & 63], __ATOMIC_SEQ_CST)))
		done = inval_probe(tlb, inv);
	for (set = 0; !done && set < sets; set++)
		inval_set(tlb, (unsigned int)set, inv);
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
}
