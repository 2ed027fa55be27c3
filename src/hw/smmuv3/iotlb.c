// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 IOTLB.
 *
 * What: cached translations, each tagged with everything the architecture
 * matches a TLB entry or an invalidation on (3.17, 4.4): the VMID, the ASID
 * or the global bit, whether it translates a VA through stage 1 only,
 * through both stages, or an IPA through stage 2 only, the privilege it was
 * looked up with, its page size, and the granule and level of the leaf of
 * each stage (for the TG and TTL fields of range invalidations). An entry
 * stays until an invalidation command covers it; a guest that changes its
 * tables and does not invalidate keeps translating through the old entry.
 *
 * Shape: sets of ways. An entry of page size 2^n lives in the set hashed
 * from (VMID, input address >> n, n). A lookup probes, for each page size
 * the VMID's bucket has ever inserted (usually one or two), one set. Each
 * way has a signature byte, more hash bits of what it holds (0: empty),
 * eight of them in a word: a probe compares a word against its own
 * signature in a few instructions and reads only the ways that match, so
 * a miss reads no entry and a hit reads about one. Replacement fills an
 * empty way (found the same way) or is round robin within the set; a full
 * set evicts one entry, never the cache.
 *
 * Concurrency: readers (DMA translations on any thread) take no lock; each
 * set has a sequence count that writers make odd while they change it, and
 * readers retry when it moved. Writers of a set exclude each other through
 * the same count. Every word is accessed atomically, so nothing is a data
 * race. The generation count orders fills against invalidations: a fill
 * reads it before walking and inserts only if no invalidation started
 * since, so a completed TLBI (+ CMD_SYNC) never leaves an entry it covered.
 * Invalidations run inside a window that bumps the count on both sides
 * (smmu_iotlb_inval_begin/end); a run of TLBIs shares one window, which
 * is sound because software changed the tables of every TLBI in the run
 * before it published the run (PROD), so a walk that starts inside the
 * window already sees them.
 *
 * Invalidation by address probes the sets the range can hash to when that
 * is fewer than the sets in the cache, and in each only the ways holding
 * the signature of the page it probes for; otherwise it scans every way of
 * every set, which bounds its cost by the cache size, whatever the range.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "hw/smmuv3/smmuv3_priv.h"

int smmu_iotlb_init(struct smmu_iotlb *tlb, unsigned int sets_lg2,
		    unsigned int ways)
{
	size_t sets = (size_t)1 << sets_lg2;

	memset(tlb, 0, sizeof(*tlb));
	tlb->sets_lg2 = sets_lg2;
	tlb->ways = ways;
	tlb->seq = ufd_calloc(sets, sizeof(*tlb->seq));
	if (!tlb->seq)
		goto out_err;
	tlb->count = ufd_calloc(sets, sizeof(*tlb->count));
	if (!tlb->count)
		goto out_free_seq;
	tlb->sig = ufd_calloc(sets, sizeof(*tlb->sig));
	if (!tlb->sig)
		goto out_free_count;
	tlb->ent = ufd_alloc_aligned(64, sets * ways * sizeof(*tlb->ent));
	if (!tlb->ent)
		goto out_free_sig;
	return 0;

out_free_sig:
	ufd_free(tlb->sig);
out_free_count:
	ufd_free(tlb->count);
out_free_seq:
	ufd_free(tlb->seq);
out_err:
	return -ENOMEM;
}

void smmu_iotlb_destroy(struct smmu_iotlb *tlb)
{
	ufd_free(tlb->ent);
	ufd_free(tlb->sig);
	ufd_free(tlb->count);
	ufd_free(tlb->seq);
}

#define SIG_BIT7 0x8080808080808080ull

/* Bit 7 of the signature bytes that stand for a way. */
static uint64_t sig_ways(const struct smmu_iotlb *tlb)
{
	return tlb->ways >= 8 ? SIG_BIT7
			      : SIG_BIT7 & ((1ull << (8 * tlb->ways)) - 1);
}

/* Sets @bit in the word @w (a bitmap of sizes that only grows). */
static inline void tlb_mark(uint64_t *w, uint64_t bit)
{
	if (!(__atomic_load_n(w, __ATOMIC_SEQ_CST) & bit))
		__atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST);
}

void smmu_iotlb_insert(struct smmu_iotlb *tlb, const struct smmu_tlb_entry *ne,
		       uint64_t gen)
{
	uint64_t tag = ne->tag;
	uint16_t vmid = (uint16_t)smmu_fget(tag, SMMU_TLB_VMID);
	unsigned int lg2 = smmu_fget(tag, SMMU_TLB_PAGE_LG2);
	unsigned int s1_lg2 = smmu_fget(tag, SMMU_TLB_S1_LG2);
	struct smmu_tlb_slot sl = smmu_tlb_slot(tlb, vmid, ne->va, lg2);
	struct smmu_tlb_entry *e = &tlb->ent[(size_t)sl.set * tlb->ways];
	struct smmu_tlb_count *cnt = &tlb->count[sl.set];
	uint64_t same = SMMU_TLB_MATCH_MASK | smmu_fmask(SMMU_TLB_GLOBAL) |
			smmu_fmask(SMMU_TLB_ASID);
	unsigned int i, way;
	uint64_t m, w;

	/*
	 * Visible before the entry: lookups and invalidations probe by it.
	 * Bits are never cleared, so one already set needs no locked update.
	 */
	tlb_mark(smmu_tlb_sizes(tlb, vmid), 1ull << lg2);
	if (s1_lg2 > lg2)
		tlb_mark(&tlb->frags[vmid & 63], 1ull << s1_lg2);
	ufd_seq_lock(&tlb->seq[sl.set]);
	if (__atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST) != gen)
		goto out_unlock;
	w = smmu_load(&tlb->sig[sl.set]);
	/* The same translation again (say, now writable): replace. */
	for (m = smmu_tlb_sig_match(w, sl.sig); m; m &= m - 1) {
		i = (unsigned int)__builtin_ctzll(m) / 8;
		if (!((smmu_load(&e[i].tag) ^ tag) & same) &&
		    smmu_load(&e[i].va) == ne->va) {
			way = i;
			goto fill;
		}
	}
	/* Else the first empty way, else a victim. */
	m = smmu_tlb_sig_match(w, 0) & sig_ways(tlb);
	if (m) {
		way = (unsigned int)__builtin_ctzll(m) / 8;
	} else {
		way = cnt->victim % tlb->ways;
		cnt->victim = way + 1;
		smmu_store(&cnt->evictions, cnt->evictions + 1);
	}
fill:
	smmu_store(&cnt->fills, cnt->fills + 1);
	ufd_seq_store(&e[way].tag, tag);
	ufd_seq_store(&e[way].va, ne->va);
	ufd_seq_store(&e[way].oa, ne->oa);
	ufd_seq_store(&e[way].attr, ne->attr);
	/* @w is still the set's word: only lock holders change it. */
	w = (w & ~(0xffull << (way * 8))) | sl.sig << (way * 8);
	ufd_seq_store(&tlb->sig[sl.set], w);
out_unlock:
	ufd_seq_unlock(&tlb->seq[sl.set]);
}

void smmu_iotlb_counts(struct smmu_iotlb *tlb, uint64_t *fills,
		       uint64_t *evictions)
{
	size_t set, sets = (size_t)1 << tlb->sets_lg2;

	*fills = *evictions = 0;
	for (set = 0; set < sets; set++) {
		*fills += smmu_load(&tlb->count[set].fills);
		*evictions += smmu_load(&tlb->count[set].evictions);
	}
}

static bool is_s1_kind(unsigned int kind)
{
	return kind == SMMU_TLB_S1 || kind == SMMU_TLB_S12;
}

/* Whether the invalidation @inv covers the entry (@tag, @va). */
static bool inv_match(uint64_t tag, uint64_t va, const struct smmu_tlbi *inv)
{
	unsigned int kind = smmu_fget(tag, SMMU_TLB_KIND);
	unsigned int lg2 = smmu_fget(tag, SMMU_TLB_PAGE_LG2);
	uint16_t vmid = (uint16_t)smmu_fget(tag, SMMU_TLB_VMID);
	unsigned int tg, lvl;

	if (!smmu_fget(tag, SMMU_TLB_VALID))
		return false;
	switch (inv->op) {
	case SMMU_CMD_TLBI_NSNH_ALL:
		return true;
	case SMMU_CMD_TLBI_S12_VMALL:
		return vmid == inv->vmid;
	case SMMU_CMD_TLBI_NH_ALL:
		return is_s1_kind(kind) && vmid == inv->vmid;
	case SMMU_CMD_TLBI_NH_ASID:
		return is_s1_kind(kind) && vmid == inv->vmid &&
		       !smmu_fget(tag, SMMU_TLB_GLOBAL) &&
		       smmu_fget(tag, SMMU_TLB_ASID) == inv->asid;
	case SMMU_CMD_TLBI_NH_VA:
		if (!smmu_tlb_asid_ok(tag, inv->asid))
			return false;
		/* fall through */
	case SMMU_CMD_TLBI_NH_VAA:
		if (!is_s1_kind(kind) || vmid != inv->vmid)
			return false;
		tg = smmu_fget(tag, SMMU_TLB_S1_TG);
		lvl = smmu_fget(tag, SMMU_TLB_S1_LVL);
		break;
	case SMMU_CMD_TLBI_S2_IPA:
		/* Combined stage 1+2 entries are not in scope (4.4.3.1). */
		if (kind != SMMU_TLB_S2 || vmid != inv->vmid)
			return false;
		tg = smmu_fget(tag, SMMU_TLB_S2_TG);
		lvl = smmu_fget(tag, SMMU_TLB_S2_LVL);
		break;
	default:
		return false;
	}
	if (inv->tg && tg != inv->tg)
		return false;
	if (inv->ttl && lvl != inv->ttl)
		return false;
	/* By stage-1 address, a piece of a leaf goes with the whole leaf. */
	if (inv->op != SMMU_CMD_TLBI_S2_IPA &&
	    smmu_fget(tag, SMMU_TLB_S1_LG2) > lg2) {
		lg2 = smmu_fget(tag, SMMU_TLB_S1_LG2);
		va &= ~smmu_mask(lg2);
	}
	return va <= inv->last && (va | smmu_mask(lg2)) >= inv->first;
}

/* The ways of signature word @w holding @sig, or any entry if @sig is 0. */
static inline uint64_t held_ways(uint64_t w, uint64_t sig)
{
	uint64_t held = w & SIG_BIT7;

	/* Most sets a TLBI probes are empty: no match to compute. */
	return held && sig ? smmu_tlb_sig_match(w, sig) : held;
}

/*
 * Drops the entries of one set that @inv covers: those among the ways
 * whose signature is @sig, or among all full ways when @sig is 0.
 *
 * Most sets hold nothing to drop, so they are looked at before locking.
 * That look is only trusted when no insertion can be in flight unseen:
 * the count is read (seq_cst, after the generation was bumped) and found
 * even. An insertion that takes the set after that read checks the
 * generation after its seq_cst lock, so it sees the bump and gives up; one
 * that finished before it published its entry with the count's release.
 */
static void inval_set(struct smmu_iotlb *tlb, unsigned int set,
		      const struct smmu_tlbi *inv, uint64_t sig)
{
	struct smmu_tlb_entry *e = &tlb->ent[(size_t)set * tlb->ways];
	unsigned int i;
	bool any = false;
	uint64_t m, w;

	if (!(__atomic_load_n(&tlb->seq[set], __ATOMIC_SEQ_CST) & 1)) {
		m = held_ways(ufd_seq_load(&tlb->sig[set]), sig);
		for (; m && !any; m &= m - 1) {
			i = (unsigned int)__builtin_ctzll(m) / 8;
			any = inv_match(ufd_seq_load(&e[i].tag),
					ufd_seq_load(&e[i].va), inv);
		}
		if (!any)
			return;
	}
	ufd_seq_lock(&tlb->seq[set]);
	w = smmu_load(&tlb->sig[set]);
	for (m = held_ways(w, sig); m; m &= m - 1) {
		i = (unsigned int)__builtin_ctzll(m) / 8;
		if (!inv_match(smmu_load(&e[i].tag), smmu_load(&e[i].va), inv))
			continue;
		ufd_seq_store(&e[i].tag, 0);
		w &= ~(0xffull << (i * 8));
	}
	ufd_seq_store(&tlb->sig[set], w);
	ufd_seq_unlock(&tlb->seq[set]);
}

/*
 * Probes the sets entries overlapping [first, last] can be in, one per
 * page size of the VMID's bucket; false (nothing done) when that would
 * take more probes than a scan of every set.
 */
static bool inval_probe(struct smmu_iotlb *tlb, const struct smmu_tlbi *inv,
			uint64_t first, uint64_t last)
{
	uint64_t sets = 1ull << tlb->sets_lg2, probes = 0, s, sizes;

	sizes = __atomic_load_n(smmu_tlb_sizes(tlb, inv->vmid),
				__ATOMIC_SEQ_CST);
	for (s = sizes; s; s &= s - 1) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(s);
		uint64_t n = (last >> lg2) - (first >> lg2);

		/* Compared before adding: n + 1 may wrap for huge ranges. */
		if (n >= sets || probes + n >= sets)
			return false;
		probes += n + 1;
	}
	for (s = sizes; s; s &= s - 1) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(s);
		uint64_t vpn;

		for (vpn = first >> lg2;; vpn++) {
			struct smmu_tlb_slot sl =
				smmu_tlb_slot(tlb, inv->vmid, vpn << lg2, lg2);

			/* What @inv covers there was filled with sl.sig. */
			inval_set(tlb, sl.set, inv, sl.sig);
			if (vpn == last >> lg2)
				break;
		}
	}
	return true;
}

void smmu_iotlb_inval_begin(struct smmu_iotlb *tlb)
{
	/* Odd while running; pairs with smmu_iotlb_insert() and the uTLB. */
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
}

void smmu_iotlb_inval_end(struct smmu_iotlb *tlb)
{
	__atomic_fetch_add(&tlb->gen, 1, __ATOMIC_SEQ_CST);
}

void smmu_iotlb_invalidate(struct smmu_iotlb *tlb, const struct smmu_tlbi *inv)
{
	size_t sets = (size_t)1 << tlb->sets_lg2;
	uint64_t first = inv->first, last = inv->last, frags;
	bool done = false;
	size_t set;

	if (inv->has_range) {
		/* Pieces of a stage-1 leaf hash anywhere inside the leaf. */
		frags = __atomic_load_n(&tlb->frags[inv->vmid & 63],
					__ATOMIC_SEQ_CST);
		if (inv->op != SMMU_CMD_TLBI_S2_IPA && frags) {
			unsigned int big =
				63 - (unsigned int)__builtin_clzll(frags);

			first &= ~smmu_mask(big);
			last |= smmu_mask(big);
		}
		done = inval_probe(tlb, inv, first, last);
	}
	for (set = 0; !done && set < sets; set++)
		inval_set(tlb, (unsigned int)set, inv, 0);
}
