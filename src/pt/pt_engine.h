/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The page-table engine, written once and compiled once per format.
 *
 * A format's translation unit defines its geometry and accessors and then
 * includes this file, which turns them into the map/unmap/remap/walk/dirty/
 * free entry points of a struct pt_fmt_ops named PTF_OPS. Everything here is
 * static, so each format gets its own copy with its accessors inlined; there
 * are no function pointers on the hot paths.
 *
 * What a format provides (c is the walk context, lvl an engine level, e a
 * descriptor): PTF_NAME, PTF_FMT, PTF_GRANULE_LG2, PTF_BITS, PTF_MAX_LEVELS,
 * PTF_AF_FAULTS (AF=0 faults without hardware update), PTF_OAS_FAULT (what
 * an address beyond oas is), and static inline
 *   fmt_init(c, cfg)                 validate cfg, fill ias/oas/top geometry
 *   fmt_level_sizes(c, lvl)          leaf sizes lvl can store
 *   fmt_arch_level(lvl)              the specification's level number
 *   fmt_type(c, lvl, e)              PT_E_EMPTY / PT_E_TABLE / PT_E_LEAF
 *   fmt_check(c, lvl, e, type)       reserved-encoding fault of a valid e
 *   fmt_table_pa(c, lvl, e)          next table's address
 *   fmt_leaf_lg2(c, lvl, e)          size of the page e belongs to
 *   fmt_oa(c, lvl, e, s_lg2, iova)   output address of iova in that page
 *   fmt_prot_bits(c, prot, &bits)    leaf attribute bits for a PT_PROT_* set
 *   fmt_make_leaf(c, lvl, oa, s, b)  entry for the item at oa of a page
 *   fmt_leaf_oa_bits(c, lvl, oa, s)  its address part (make_leaf(0) | this)
 *   fmt_make_table(c, lvl, pa)       entry pointing at a table
 *   fmt_leaf_bits(c, lvl, e)         e's attributes, to rebuild it resized
 *   fmt_can_dirty / fmt_is_dirty / fmt_make_dirty / fmt_make_clean
 *   fmt_accessed / fmt_set_accessed
 *   fmt_table_deny(c, any, all, a)   permissions the tables above a leaf take
 *                                    away, from the OR (any) and AND (all)
 *                                    of their descriptors (0 and ~0: none)
 *   fmt_leaf_perm(c, e, access)      permissions a leaf grants the request
 *   fmt_leaf_attr(c, lvl, e)         PT_ATTR_* of a leaf
 * A page of n = 2^(s - item) entries occupies n aligned entries; every
 * entry decodes (fmt_leaf_lg2) to the page's size.
 *
 * Geometry. Engine level 0 holds the smallest items (2^PTF_GRANULE_LG2
 * bytes); an entry at level L covers 2^(PTF_GRANULE_LG2 + PTF_BITS * L)
 * bytes. Every table has 2^PTF_BITS entries except the top one, which has
 * ctx->cfg_top_bits (fewer for a short input range, up to PTF_BITS + 4 for
 * ARM stage-2 concatenation, PTF_BITS once an AMD table has grown). The
 * live top level and root travel together in ctx->top so a growing table
 * swaps both at once.
 *
 * Position retention. map, unmap and remap walk down once and then work
 * along the table they reached, entry after entry, climbing only as far as
 * the next IOVA requires and descending again from there: a 256-page map
 * touches the upper levels once, not 256 times. tbl[] holds the current path
 * (host pointers of the tables at each level that contain the current IOVA);
 * the invariant is that tbl[lvl..top] are valid for the IOVA being worked on.
 *
 * Page size choice. At every step map takes the largest allowed size that
 * the IOVA, the output address and the remaining length are all aligned to
 * (eng_best_lg2()), then fills a run of leaves of that size in one go until
 * a larger size could start, the table ends or the length runs out.
 *
 * Splitting. When PT_UNMAP_SPLIT lets unmap cut a large page, or remap meets
 * a page its range cuts or whose new address is not aligned to its size,
 * the page is replaced by pieces of the next smaller size: the largest
 * smaller size the same level stores (a contiguous run or an AMD page-size
 * group is rewritten in place, entry by entry, each entry always translating
 * the same way), or, for a single entry, a new table one level down filled
 * with the largest size that level stores; the new table replaces the leaf
 * with one atomic swap. Pieces inherit the dirty state of the page. This
 * repeats until the cut falls on a piece boundary (and, for remap, the new
 * address on a piece's alignment).
 *
 * Remapping changes only the address part of leaves: each entry is rebuilt
 * from its own attribute bits (fmt_leaf_bits()) with compare-and-swap, so a
 * hardware A/D update racing with it is redone on the new entry rather than
 * lost, and a walker sees each entry's old or new translation. Pieces are
 * never merged back: remapping to the old address restores translations,
 * not the old page sizes.
 *
 * Invariants a caller can rely on: a descriptor is only ever changed by one
 * 64-bit atomic store or compare-and-swap; a table is fully initialised
 * before the release store that links it; nothing is freed while still
 * linked.
 */
#ifndef PTF_OPS
#error "define the format (fmt_*.h) and PTF_OPS before including pt_engine.h"
#endif

#include "base/overflow.h"
#include "pt/pt_priv.h"

#define ENG_TABLE_BYTES ((size_t)8 << PTF_BITS)

static inline unsigned int eng_item_lg2(unsigned int lvl)
{
	return PTF_GRANULE_LG2 + PTF_BITS * lvl;
}

static inline unsigned int eng_top_level(uint64_t top)
{
	return (unsigned int)(top & 7);
}

static inline uint64_t eng_root(uint64_t top)
{
	return top & ~7ull;
}

/* Index bits of the table at @lvl when the top is at @tl. */
static inline unsigned int eng_nbits(const struct pt_walk_ctx *c,
				     unsigned int lvl, unsigned int tl)
{
	unsigned int avail;

	if (lvl != tl)
		return PTF_BITS;
	if (tl == c->cfg_top_level)
		return c->cfg_top_bits;
	/* A top added by growth: a full table, or what is left of ias. */
	avail = c->ias - eng_item_lg2(tl);
	return avail < PTF_BITS ? avail : PTF_BITS;
}

static inline unsigned int eng_index(uint64_t va, unsigned int lvl,
				     unsigned int nbits)
{
	return (unsigned int)((va >> eng_item_lg2(lvl)) & pt_lg2_mask(nbits));
}

/* Whether [iova, last] lies inside what a table topped at @tl translates. */
static inline bool eng_range_ok(const struct pt_walk_ctx *c, unsigned int tl,
				uint64_t iova, uint64_t last)
{
	unsigned int cov = eng_item_lg2(tl) + eng_nbits(c, tl, tl);

	if (c->flags & PT_CFG_SIGN_EXTEND) {
		unsigned int half = cov - 1;

		if (!pt_above(last, half))
			return true;
		/* Upper half: every bit from half up is set. */
		return (iova >> half) == (~0ull >> half);
	}
	return !pt_above(last, cov);
}

/*
 * A growing table maps nothing beyond its current top: clip [iova, *last]
 * to what it covers now. Returns 0 (whole or clipped), 1 when none of the
 * range is covered yet, -ERANGE when the table can never cover it.
 */
static inline int eng_clip(const struct pt_walk_ctx *c, unsigned int tl,
			   uint64_t iova, uint64_t *last)
{
	unsigned int cov;

	if (eng_range_ok(c, tl, iova, *last))
		return 0;
	if (!(c->flags & PT_CFG_DYNAMIC_TOP) || pt_above(*last, c->ias))
		return -ERANGE;
	cov = eng_item_lg2(tl) + eng_nbits(c, tl, tl);
	if (pt_above(iova, cov))
		return 1;
	*last = pt_lg2_mask(cov);
	return 0;
}

/*
 * The address bits beyond the output address size: an address with any of
 * them set faults. Every format's fmt_init() keeps oas at 52 or below.
 * A walk keeps this in a local, which its acquire loads do not force it to
 * read again.
 */
static inline uint64_t eng_oas_out(const struct pt_walk_ctx *c)
{
	return ~0ull << (c->oas & 63);
}

/* Host pointer of a table of 2^nbits entries, NULL if unreachable. */
static inline uint64_t *eng_tbl(const struct pt_walk_ctx *c, uint64_t pa,
				unsigned int nbits, bool write)
{
	if (likely(!c->mem))
		return (uint64_t *)(uintptr_t)pa;
	return pt_mem_map(c->mem, c->mem_priv, c->win, pa, (size_t)8 << nbits,
			  write);
}

/*
 * How a walk reaches its descriptors, in three words it keeps in registers:
 * [pa, pa + size) is at host + (address - pa); elsewhere it calls map().
 * Without memory ops that is all of memory at offset 0; with them, the
 * window (pt_mem_window), if any, when it takes the walk's accesses.
 * Copied because the descriptor loads are acquires, after which the
 * compiler would read the window from memory again at every level; map()
 * may move the window, so the copy is taken again after each call.
 */
struct eng_rd {
	uint64_t pa, size;
	uintptr_t host;
};

static inline void eng_rd_init(struct eng_rd *rd, const struct pt_walk_ctx *c,
			       bool write)
{
	const struct pt_mem_window *w = c->win;

	rd->pa = 0;
	rd->host = 0;
	rd->size = c->mem ? 0 : ~0ull;
	if (c->mem && w && (!write || w->write)) {
		rd->pa = w->pa;
		rd->size = w->size;
		rd->host = w->host;
	}
}

/* Host pointer of one descriptor, NULL if unreachable. */
static inline uint64_t *eng_desc(const struct pt_walk_ctx *c, struct eng_rd *rd,
				 uint64_t pa, bool write)
{
	void *p;

	/* Descriptor and window are 8-aligned: inside means all 8 bytes. */
	if (likely(pa - rd->pa < rd->size))
		return (uint64_t *)(rd->host + (uintptr_t)(pa - rd->pa));
	p = c->mem->map(c->mem_priv, pa, 8, write);
	eng_rd_init(rd, c, write);
	return IS_ERR_OR_NULL(p) ? NULL : p;
}

/* Largest allowed page size (lg2) for the next step of a map; 0 if none. */
static inline unsigned int eng_best_lg2(const struct pt_table *t, uint64_t iova,
					uint64_t oa, uint64_t len)
{
	uint64_t cand = t->pgsize_bitmap;
	uint64_t a = iova | oa;

	/* Sizes no larger than the alignment (all of them for 0). */
	if (a)
		cand &= ((a & -a) << 1) - 1;
	/* Sizes no larger than len; 2 << 63 wraps to 0, giving all sizes. */
	cand &= (2ull << pt_fls64(len)) - 1;
	return cand ? pt_fls64(cand) : 0;
}

/*
 * How many leaves of 2^sz a map may lay down from @iova before a larger size
 * could start (iova and oa then both aligned to it) or the length runs out.
 */
static inline uint64_t eng_run(const struct pt_table *t, uint64_t iova,
			       uint64_t oa, uint64_t len, unsigned int sz)
{
	uint64_t larger = t->pgsize_bitmap & ~pt_lg2_mask(sz + 1);
	uint64_t cong = iova ^ oa;
	uint64_t leaves = len >> sz;

	/* A larger size needs iova and oa congruent modulo it. */
	if (cong)
		larger &= ((cong & -cong) << 1) - 1;
	if (larger) {
		uint64_t to =
			((iova | pt_lg2_mask(pt_ffs64(larger))) + 1) - iova;

		if ((to >> sz) < leaves)
			leaves = to >> sz;
	}
	return leaves;
}

/* Largest stored size at @lvl below 2^below, the level's item if none. */
static inline unsigned int eng_split_size(const struct pt_table *t,
					  unsigned int lvl, unsigned int below)
{
	uint64_t s = t->level_sizes[lvl] & pt_lg2_mask(below);

	return s ? pt_fls64(s) : eng_item_lg2(lvl);
}

/* Whether the subtree of the table at @pa (level @lvl) maps nothing. */
static bool eng_subtree_empty(const struct pt_walk_ctx *c, unsigned int lvl,
			      uint64_t pa)
{
	uint64_t *tblp = eng_tbl(c, pa, PTF_BITS, false);
	unsigned int i;

	if (!tblp)
		return false;
	for (i = 0; i < (1u << PTF_BITS); i++) {
		uint64_t e = pt_load(tblp + i);

		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_EMPTY:
			break;
		case PT_E_TABLE:
			if (lvl == 0 ||
			    !eng_subtree_empty(c, lvl - 1,
					       fmt_table_pa(c, lvl, e)))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* Queues every table of an (empty) subtree, children first. */
static void eng_retire_subtree(struct pt_table *t, unsigned int lvl,
			       uint64_t pa, struct pt_gather *gather)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t *tblp = eng_tbl(c, pa, PTF_BITS, true);
	unsigned int i;

	if (!tblp)
		return;
	for (i = 0; lvl && i < (1u << PTF_BITS); i++) {
		uint64_t e = pt_load(tblp + i);

		if (e && fmt_type(c, lvl, e) == PT_E_TABLE)
			eng_retire_subtree(t, lvl - 1, fmt_table_pa(c, lvl, e),
					   gather);
	}
	pt_table_retire(c, gather, pa, tblp, ENG_TABLE_BYTES);
}

/*
 * A map wants a leaf over the entry at @p (level @lvl), which is not empty.
 * An empty leftover table is unlinked and queued; anything that maps
 * something is -EADDRINUSE.
 */
static int eng_reclaim(struct pt_table *t, unsigned int lvl, uint64_t *p,
		       uint64_t e)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t pa;

	if (fmt_type(c, lvl, e) == PT_E_EMPTY)
		return 0;
	if (fmt_type(c, lvl, e) != PT_E_TABLE || !lvl)
		return -EADDRINUSE;
	pa = fmt_table_pa(c, lvl, e);
	if (!eng_subtree_empty(c, lvl - 1, pa))
		return -EADDRINUSE;
	pt_store(p, 0);
	eng_retire_subtree(t, lvl - 1, pa, &t->deferred);
	return 0;
}

/*
 * Make tbl[lvl - 1] the table below the entry for @iova at @lvl, installing
 * a new one if the entry is empty.
 */
static int eng_map_descend(struct pt_table *t, uint64_t **tbl, unsigned int lvl,
			   unsigned int tl, uint64_t iova)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t *p = tbl[lvl] + eng_index(iova, lvl, eng_nbits(c, lvl, tl));
	uint64_t e = pt_load(p);
	uint64_t pa;
	uint64_t *host;

	for (;;) {
		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE:
			tbl[lvl - 1] = eng_tbl(c, fmt_table_pa(c, lvl, e),
					       PTF_BITS, true);
			return tbl[lvl - 1] ? 0 : -EFAULT;
		case PT_E_LEAF:
			return -EADDRINUSE;
		default:
			break;
		}
		host = pt_table_alloc(c, ENG_TABLE_BYTES, &pa);
		if (!host)
			return -ENOMEM;
		/* A disjoint map racing on the same entry may win. */
		if (pt_cmpxchg(p, &e, fmt_make_table(c, lvl, pa))) {
			tbl[lvl - 1] = host;
			return 0;
		}
		pt_table_free(c, pa, host, ENG_TABLE_BYTES);
	}
}

/*
 * Lay down leaves at @lvl in @tblp starting at *iova while the best size
 * stays at this level and the table lasts. Advances *iova, *oa, *len.
 */
static int eng_map_fill(struct pt_table *t, uint64_t *tblp, unsigned int lvl,
			unsigned int nbits, uint64_t *iova_p, uint64_t *oa_p,
			uint64_t *len_p, uint64_t bits, unsigned int sz)
{
	const struct pt_walk_ctx *c = &t->ctx;
	const unsigned int ilg2 = eng_item_lg2(lvl);
	const unsigned int end = 1u << nbits;
	uint64_t iova = *iova_p, oa = *oa_p, len = *len_p;
	unsigned int idx = eng_index(iova, lvl, nbits);
	int ret = 0;

	for (;;) {
		const unsigned int per_lg2 = sz - ilg2;
		uint64_t run = eng_run(t, iova, oa, len, sz);
		uint64_t room = (end - idx) >> per_lg2;
		uint64_t *p = tblp + idx;
		uint64_t k, ents, tmpl, a;

		if (run > room)
			run = room;
		/*
		 * Check every entry the run covers, then write them: a leaf of
		 * n entries is written whole or not at all. Each entry gets
		 * its own item's address; formats whose entries all hold the
		 * page's address (AMD) take it from there.
		 */
		ents = run << per_lg2;
		for (k = 0; k < ents; k++) {
			uint64_t e = pt_load(p + k);

			if (unlikely(e)) {
				ret = eng_reclaim(t, lvl, p + k, e);
				if (ret) {
					run = k >> per_lg2;
					ents = run << per_lg2;
					break;
				}
			}
		}
		/* Only the address part changes from entry to entry. */
		tmpl = fmt_make_leaf(c, lvl, 0, sz, bits);
		for (k = 0, a = oa; k < ents; k++, a += 1ull << ilg2)
			pt_store(p + k, tmpl | fmt_leaf_oa_bits(c, lvl, a, sz));
		idx += run << per_lg2;
		iova += run << sz;
		oa += run << sz;
		len -= run << sz;
		if (ret || !len || idx == end)
			break;
		sz = eng_best_lg2(t, iova, oa, len);
		if (t->size_level[sz] != lvl)
			break;
	}
	*iova_p = iova;
	*oa_p = oa;
	*len_p = len;
	return ret;
}

/*
 * Add levels on top until [iova, last] is covered and leaves can be stored
 * at @need_lvl (PT_CFG_DYNAMIC_TOP).
 */
static int eng_grow(struct pt_table *t, uint64_t iova, uint64_t last,
		    unsigned int need_lvl)
{
	struct pt_walk_ctx *c = &t->ctx;
	int ret = 0;

	ufd_mutex_lock(&t->grow_lock);
	for (;;) {
		uint64_t top = pt_load(&c->top);
		unsigned int tl = eng_top_level(top);
		uint64_t *host, pa;

		if (eng_range_ok(c, tl, iova, last) && tl >= need_lvl)
			break;
		if (tl + 1 >= PTF_MAX_LEVELS ||
		    eng_item_lg2(tl + 1) >= c->ias) {
			ret = -ERANGE;
			break;
		}
		host = pt_table_alloc(c, ENG_TABLE_BYTES, &pa);
		if (!host) {
			ret = -ENOMEM;
			break;
		}
		/* The old top becomes entry 0 of the new one. */
		pt_store(host, fmt_make_table(c, tl + 1, eng_root(top)));
		if (t->cfg.top_changed)
			t->cfg.top_changed(t->cfg.top_priv, pa, tl + 2);
		pt_store_release(&c->top, pa | (tl + 1));
	}
	ufd_mutex_unlock(&t->grow_lock);
	return ret;
}

static int eng_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
		   unsigned int prot, uint64_t *mapped)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t *tbl[PT_MAX_LEVELS];
	uint64_t bits, top, last, todo = len;
	unsigned int tl, lvl;
	int ret;

	if (!(prot & (PT_PROT_READ | PT_PROT_WRITE)))
		return -EINVAL;
	ret = pt_check_span(t, iova, oa, len, &last);
	if (ret)
		return ret;
	ret = fmt_prot_bits(c, prot, &bits);
	if (ret)
		return ret;

	top = pt_load(&c->top);
	tl = eng_top_level(top);
	if (c->flags & PT_CFG_DYNAMIC_TOP) {
		/*
		 * No step can use a size larger than the length or one that
		 * iova and oa are not congruent modulo: that bounds the level
		 * the top must reach.
		 */
		uint64_t cand = t->pgsize_bitmap &
				((2ull << pt_fls64(len)) - 1);
		uint64_t cong = iova ^ oa;
		unsigned int need = 0;

		if (cong)
			cand &= ((cong & -cong) << 1) - 1;
		if (cand)
			need = t->size_level[pt_fls64(cand)];
		if (!eng_range_ok(c, tl, iova, last) || need > tl) {
			ret = eng_grow(t, iova, last, need);
			if (ret)
				return ret;
			top = pt_load(&c->top);
			tl = eng_top_level(top);
		}
	} else if (!eng_range_ok(c, tl, iova, last)) {
		return -ERANGE;
	}
	tbl[tl] = eng_tbl(c, eng_root(top), eng_nbits(c, tl, tl), true);
	if (!tbl[tl])
		return -EFAULT;

	lvl = tl;
	for (;;) {
		unsigned int sz = eng_best_lg2(t, iova, oa, todo);
		unsigned int leaf_lvl = t->size_level[sz];

		while (lvl > leaf_lvl) {
			ret = eng_map_descend(t, tbl, lvl, tl, iova);
			if (ret)
				goto out;
			lvl--;
		}
		ret = eng_map_fill(t, tbl[lvl], lvl, eng_nbits(c, lvl, tl),
				   &iova, &oa, &todo, bits, sz);
		if (ret || !todo)
			goto out;
		/* Climb past every table the IOVA has left. */
		while (lvl < tl && eng_index(iova, lvl, PTF_BITS) == 0)
			lvl++;
	}
out:
	*mapped += len - todo;
	return ret;
}

/* Replace the leaf at tblp[idx] (level @lvl) by smaller pieces. */
static int eng_split(struct pt_table *t, uint64_t *tblp, unsigned int lvl,
		     unsigned int idx)
{
	const struct pt_walk_ctx *c = &t->ctx;
	const unsigned int ilg2 = eng_item_lg2(lvl);
	uint64_t e = pt_load(tblp + idx);
	unsigned int s_lg2 = fmt_leaf_lg2(c, lvl, e);
	unsigned int i, n = 1u << (s_lg2 - ilg2);
	uint64_t *g = tblp + (idx & ~(n - 1));
	uint64_t e0 = pt_load(g);
	uint64_t goa = fmt_oa(c, lvl, e0, s_lg2, 0);
	uint64_t bits = fmt_leaf_bits(c, lvl, e0);
	bool dirty = false;

	for (i = 0; i < n; i++) {
		uint64_t ei = pt_load(g + i);

		dirty |= fmt_can_dirty(c, ei) && fmt_is_dirty(c, ei);
	}
	if (fmt_can_dirty(c, bits))
		bits = dirty ? fmt_make_dirty(c, bits)
			     : fmt_make_clean(c, bits);

	if (s_lg2 > ilg2) {
		unsigned int p_lg2 = eng_split_size(t, lvl, s_lg2);

		/* In place: each entry keeps translating the same way. */
		for (i = 0; i < n; i++) {
			uint64_t cur = pt_load(g + i), nv, b;

			do {
				b = bits;
				if (fmt_can_dirty(c, b) && fmt_is_dirty(c, cur))
					b = fmt_make_dirty(c, b);
				nv = fmt_make_leaf(c, lvl,
						   goa + ((uint64_t)i << ilg2),
						   p_lg2, b);
			} while (!pt_cmpxchg(g + i, &cur, nv));
		}
		return 0;
	}
	if (!lvl)
		return -EINVAL;
	{
		unsigned int clg2 = eng_item_lg2(lvl - 1);
		unsigned int p_lg2 = eng_split_size(t, lvl - 1, s_lg2);
		uint64_t pa, *child = pt_table_alloc(c, ENG_TABLE_BYTES, &pa);

		if (!child)
			return -ENOMEM;
		for (i = 0; i < (1u << PTF_BITS); i++)
			pt_store(child + i,
				 fmt_make_leaf(c, lvl - 1,
					       goa + ((uint64_t)i << clg2),
					       p_lg2, bits));
		/* Lost to a hardware A/D update: the caller retries. */
		if (!pt_cmpxchg(g, &e0, fmt_make_table(c, lvl, pa)))
			pt_table_free(c, pa, child, ENG_TABLE_BYTES);
	}
	return 0;
}

/* Whether @e is a leaf of a page of 2^s_lg2 bytes. */
static inline bool eng_is_page(const struct pt_walk_ctx *c, unsigned int lvl,
			       uint64_t e, unsigned int s_lg2)
{
	return e && fmt_type(c, lvl, e) == PT_E_LEAF &&
	       fmt_leaf_lg2(c, lvl, e) == s_lg2;
}

/*
 * Clear the page of 2^s_lg2 bytes whose first entry is tblp[idx], and the
 * pages of that size that follow it, stopping at entry @kend or at the first
 * entry that is anything else. Returns the entries cleared.
 */
static unsigned int eng_clear_run(const struct pt_walk_ctx *c, uint64_t *tblp,
				  unsigned int lvl, unsigned int idx,
				  unsigned int kend, unsigned int s_lg2)
{
	const unsigned int n = 1u << (s_lg2 - eng_item_lg2(lvl));
	unsigned int i, k;

	for (i = 0; i < n; i++)
		pt_store(tblp + idx + i, 0);
	if (n == 1) {
		/* Single entries kept apart: the loop the benchmarks time. */
		for (k = idx + 1; k < kend; k++) {
			if (!eng_is_page(c, lvl, pt_load(tblp + k), s_lg2))
				break;
			pt_store(tblp + k, 0);
		}
		return k - idx;
	}
	for (k = idx + n; k + n <= kend; k += n) {
		if (!eng_is_page(c, lvl, pt_load(tblp + k), s_lg2))
			break;
		for (i = 0; i < n; i++)
			pt_store(tblp + k + i, 0);
	}
	return k - idx;
}

static int eng_unmap(struct pt_table *t, uint64_t iova, uint64_t len,
		     unsigned int flags, struct pt_gather *gather,
		     uint64_t *unmapped)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t *tbl[PT_MAX_LEVELS];
	uint64_t tpa[PT_MAX_LEVELS];
	bool covered[PT_MAX_LEVELS] = { false };
	uint64_t top, last, asked_last, pos = iova, rem, done = 0;
	unsigned int tl, lvl;
	int ret = 0;

	*unmapped = 0;
	if (!len)
		return -EINVAL;
	if (check_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	top = pt_load(&c->top);
	tl = eng_top_level(top);
	asked_last = last;
	ret = eng_clip(c, tl, iova, &last);
	if (ret < 0)
		return ret;
	if (ret) {
		/* All of it beyond a growing table's top: one hole. */
		if (!(flags & PT_UNMAP_HOLES))
			return -ENOENT;
		*unmapped = len;
		return 0;
	}
	tpa[tl] = eng_root(top);
	tbl[tl] = eng_tbl(c, tpa[tl], eng_nbits(c, tl, tl), true);
	if (!tbl[tl])
		return -EFAULT;

	rem = last - iova;
	lvl = tl;
	for (;;) {
		const unsigned int ilg2 = eng_item_lg2(lvl);
		unsigned int idx = eng_index(pos, lvl, eng_nbits(c, lvl, tl));
		uint64_t e = pt_load(tbl[lvl] + idx);
		uint64_t step;
		bool fin, hole = false;

		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE:
			/* Freed on the way out if the range covers all of it. */
			covered[lvl - 1] = !(pos & pt_lg2_mask(ilg2)) &&
					   rem >= pt_lg2_mask(ilg2);
			tpa[lvl - 1] = fmt_table_pa(c, lvl, e);
			tbl[lvl - 1] = eng_tbl(c, tpa[lvl - 1], PTF_BITS, true);
			if (!tbl[lvl - 1]) {
				ret = -EFAULT;
				goto out;
			}
			lvl--;
			continue;
		case PT_E_LEAF: {
			unsigned int s_lg2 = fmt_leaf_lg2(c, lvl, e), kend;
			uint64_t most;

			if ((pos & pt_lg2_mask(s_lg2)) ||
			    rem < pt_lg2_mask(s_lg2)) {
				if (flags & PT_UNMAP_SPLIT) {
					ret = eng_split(t, tbl[lvl], lvl, idx);
					if (ret)
						goto out;
					continue;
				}
				/* The kernel's refusal to cut a page's head. */
				if (pos & pt_lg2_mask(s_lg2)) {
					ret = -EINVAL;
					goto out;
				}
			}
			/*
			 * Whole pages from here: as many as the range takes
			 * (the first even when it overshoots the end).
			 */
			most = ((rem + 1) >> s_lg2) << (s_lg2 - ilg2);
			kend = 1u << eng_nbits(c, lvl, tl);
			if (most < kend - idx)
				kend = idx + (unsigned int)most;
			step = eng_clear_run(c, tbl[lvl], lvl, idx, kend,
					     s_lg2);
			step <<= ilg2;
			break;
		}
		default:
			if (!(flags & PT_UNMAP_HOLES)) {
				ret = -ENOENT;
				goto out;
			}
			step = (1ull << ilg2) - (pos & pt_lg2_mask(ilg2));
			hole = true;
			break;
		}

		fin = step - 1 >= rem;
		/* A leaf cut at the end counts whole; a hole only up to last. */
		done += (fin && hole) ? rem + 1 : step;
		pos += step;
		if (!fin)
			rem -= step;
		/* Climb past finished tables, freeing those wholly unmapped. */
		while (lvl < tl && eng_index(pos, lvl, PTF_BITS) == 0) {
			if (covered[lvl]) {
				uint64_t *pp =
					tbl[lvl + 1] +
					eng_index(pos - 1, lvl + 1,
						  eng_nbits(c, lvl + 1, tl));

				pt_store(pp, 0);
				pt_table_retire(c, gather, tpa[lvl], tbl[lvl],
						ENG_TABLE_BYTES);
				covered[lvl] = false;
			}
			lvl++;
		}
		if (fin)
			break;
	}
	/* The part beyond a growing table's top is a hole. */
	if (last != asked_last) {
		if (flags & PT_UNMAP_HOLES)
			done += asked_last - last;
		else
			ret = -ENOENT;
	}
out:
	*unmapped = done;
	return ret;
}

/*
 * Point the page of 2^s_lg2 bytes whose first entry is tblp[idx] (level
 * @lvl) at @oa. Each entry is rebuilt from its own attributes, so its
 * permissions and A/D state stay; the compare-and-swap redoes an entry a
 * hardware A/D update changed meanwhile.
 */
static void eng_repoint(const struct pt_walk_ctx *c, uint64_t *tblp,
			unsigned int lvl, unsigned int idx, unsigned int s_lg2,
			uint64_t oa)
{
	const unsigned int ilg2 = eng_item_lg2(lvl);
	const unsigned int n = 1u << (s_lg2 - ilg2);
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint64_t *p = tblp + idx + k;
		uint64_t cur = pt_load(p), nv;

		do {
			nv = fmt_make_leaf(c, lvl, oa + ((uint64_t)k << ilg2),
					   s_lg2, fmt_leaf_bits(c, lvl, cur));
		} while (!pt_cmpxchg(p, &cur, nv));
	}
}

/*
 * Arguments are checked by pt_remap(). One pass from @iova, retaining the
 * position like eng_unmap(): a leaf that does not fit -- the range starts
 * or ends inside it, or its new address is not aligned to its size -- is
 * split (eng_split()) and looked at again; one that fits is repointed and
 * the walk moves past it. Leaves behind the position are never touched again,
 * and splits only happen at the position, so [iova, iova + *done) always
 * holds whole leaves that were aligned before the call too.
 */
static int eng_remap(struct pt_table *t, uint64_t iova, uint64_t len,
		     uint64_t oa, uint64_t *done_p)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t *tbl[PT_MAX_LEVELS];
	uint64_t top, last, asked_last, pos = iova, done = 0;
	unsigned int tl, lvl;
	int ret;

	*done_p = 0;
	last = iova + (len - 1);
	top = pt_load(&c->top);
	tl = eng_top_level(top);
	asked_last = last;
	ret = eng_clip(c, tl, iova, &last);
	if (ret)
		/* All of it beyond a growing table's top: a hole. */
		return ret < 0 ? ret : -ENOENT;
	tbl[tl] = eng_tbl(c, eng_root(top), eng_nbits(c, tl, tl), true);
	if (!tbl[tl])
		return -EFAULT;

	lvl = tl;
	for (;;) {
		unsigned int idx = eng_index(pos, lvl, eng_nbits(c, lvl, tl));
		uint64_t e = pt_load(tbl[lvl] + idx);
		uint64_t to = oa + (pos - iova), mask;
		unsigned int s_lg2;

		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE:
			tbl[lvl - 1] = eng_tbl(c, fmt_table_pa(c, lvl, e),
					       PTF_BITS, true);
			if (!tbl[lvl - 1]) {
				ret = -EFAULT;
				goto out;
			}
			lvl--;
			continue;
		case PT_E_LEAF:
			break;
		default:
			ret = -ENOENT;
			goto out;
		}
		s_lg2 = fmt_leaf_lg2(c, lvl, e);
		mask = pt_lg2_mask(s_lg2);
		if (((pos | to) & mask) || last - pos < mask) {
			/*
			 * pos, to and last + 1 are aligned to the smallest
			 * page: no split is asked of a single level-0 entry.
			 */
			ret = eng_split(t, tbl[lvl], lvl, idx);
			if (ret)
				goto out;
			continue;
		}
		eng_repoint(c, tbl[lvl], lvl, idx, s_lg2, to);
		done += mask + 1;
		if (last - pos == mask)
			break;
		pos += mask + 1;
		/* Climb past every table the position has left. */
		while (lvl < tl && eng_index(pos, lvl, PTF_BITS) == 0)
			lvl++;
	}
	/* The part beyond a growing table's top is a hole. */
	if (last != asked_last)
		ret = -ENOENT;
out:
	*done_p = done;
	return ret;
}

static int eng_iova_to_phys(const struct pt_walk_ctx *c, uint64_t iova,
			    uint64_t *oa)
{
	uint64_t top = pt_load(&c->top);
	unsigned int tl = eng_top_level(top), lvl = tl;
	unsigned int nb = eng_nbits(c, tl, tl);
	struct eng_rd rd;
	uint64_t epa;

	if (unlikely(!eng_range_ok(c, tl, iova, iova)))
		return -ENOENT;
	eng_rd_init(&rd, c, false);
	epa = eng_root(top) +
	      8 * ((iova >> eng_item_lg2(tl)) & pt_lg2_mask(nb));
	for (;;) {
		const uint64_t *p = eng_desc(c, &rd, epa, false);
		uint64_t e;

		if (unlikely(!p))
			return -EFAULT;
		e = pt_load(p);
		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE:
			lvl--;
			epa = fmt_table_pa(c, lvl + 1, e) +
			      8 * ((iova >> eng_item_lg2(lvl)) &
				   pt_lg2_mask(PTF_BITS));
			break;
		case PT_E_LEAF:
			*oa = fmt_oa(c, lvl, e, fmt_leaf_lg2(c, lvl, e), iova);
			return 0;
		default:
			return -ENOENT;
		}
	}
}

static int eng_walk_fault(struct pt_walk_result *res, enum pt_fault fault,
			  unsigned int lvl, uint64_t e, uint64_t epa)
{
	if (fault != PT_FAULT_PERMISSION)
		res->perm = 0;
	res->page_lg2 = 0;
	res->oa = 0;
	res->attr = 0;
	res->fault = fault;
	res->level = lvl;
	res->arch_level = fmt_arch_level(lvl);
	res->desc = e;
	res->desc_pa = epa;
	return -EFAULT;
}

static int eng_walk(const struct pt_walk_ctx *c, uint64_t iova,
		    unsigned int access, struct pt_walk_result *res)
{
	const bool upd = access & (PT_HW_HA | PT_HW_HD);
	uint64_t top = pt_load(&c->top);
	unsigned int tl = eng_top_level(top), lvl = tl;
	unsigned int nb = eng_nbits(c, tl, tl);
	unsigned int need, s_lg2, perm;
	uint64_t pa = eng_root(top), epa, e, oa;
	/* The table descriptors passed, for fmt_table_deny() at the leaf. */
	uint64_t t_any = 0, t_all = ~0ull;
	const uint64_t oas_out = eng_oas_out(c);
	struct eng_rd rd;
	uint64_t *p;
	enum pt_fault f;
	unsigned int type;

	if (unlikely(!eng_range_ok(c, tl, iova, iova)))
		return eng_walk_fault(res, PT_FAULT_TRANSLATION, tl, 0, 0);
	if (unlikely(pa & oas_out))
		return eng_walk_fault(res, PTF_OAS_FAULT, tl, 0, 0);
	epa = pa + 8 * ((iova >> eng_item_lg2(tl)) & pt_lg2_mask(nb));
	eng_rd_init(&rd, c, upd);
	for (;;) {
		p = eng_desc(c, &rd, epa, upd);
		if (unlikely(!p))
			return eng_walk_fault(res, PT_FAULT_EXTERNAL, lvl, 0,
					      epa);
		e = pt_load(p);
		type = fmt_type(c, lvl, e);
		if (type != PT_E_TABLE)
			break;
		f = fmt_check(c, lvl, e, type);
		if (unlikely(f))
			return eng_walk_fault(res, f, lvl, e, epa);
		pa = fmt_table_pa(c, lvl, e);
		if (unlikely(pa & oas_out))
			return eng_walk_fault(res, PTF_OAS_FAULT, lvl, e, epa);
		t_any |= e;
		t_all &= e;
		lvl--;
		epa = pa +
		      8 * ((iova >> eng_item_lg2(lvl)) & pt_lg2_mask(PTF_BITS));
	}
retry:
	if (unlikely(type == PT_E_EMPTY))
		return eng_walk_fault(res, PT_FAULT_TRANSLATION, lvl, e, epa);
	f = fmt_check(c, lvl, e, type);
	if (unlikely(f))
		return eng_walk_fault(res, f, lvl, e, epa);
	s_lg2 = fmt_leaf_lg2(c, lvl, e);
	oa = fmt_oa(c, lvl, e, s_lg2, iova);
	if (unlikely(oa & oas_out))
		return eng_walk_fault(res, PTF_OAS_FAULT, lvl, e, epa);
	if (unlikely(!fmt_accessed(c, e))) {
		if (access & PT_HW_HA) {
			if (!pt_cmpxchg(p, &e, fmt_set_accessed(c, e)))
				goto reload;
			e = fmt_set_accessed(c, e);
		} else if (PTF_AF_FAULTS) {
			return eng_walk_fault(res, PT_FAULT_ACCESS_FLAG, lvl, e,
					      epa);
		}
	}
	perm = fmt_leaf_perm(c, e, access) &
	       ~fmt_table_deny(c, t_any, t_all, access);
	need = access & (PT_ACCESS_READ | PT_ACCESS_WRITE | PT_ACCESS_EXEC);
	if (unlikely(need & ~perm)) {
		res->perm = perm;
		return eng_walk_fault(res, PT_FAULT_PERMISSION, lvl, e, epa);
	}
	if ((access & PT_ACCESS_WRITE) && (access & PT_HW_HD) &&
	    fmt_can_dirty(c, e) && !fmt_is_dirty(c, e)) {
		if (!pt_cmpxchg(p, &e, fmt_make_dirty(c, e)))
			goto reload;
		e = fmt_make_dirty(c, e);
	}
	res->fault = PT_FAULT_NONE;
	res->level = lvl;
	res->arch_level = fmt_arch_level(lvl);
	res->page_lg2 = s_lg2;
	res->perm = perm;
	res->oa = oa;
	res->desc = e;
	res->desc_pa = epa;
	res->attr = fmt_leaf_attr(c, lvl, e);
	return 0;

reload:
	/* A concurrent update changed the leaf: decide again on *p as is. */
	type = fmt_type(c, lvl, e);
	if (type == PT_E_TABLE)
		return eng_walk_fault(res, PT_FAULT_TRANSLATION, lvl, e, epa);
	goto retry;
}

struct eng_dirty {
	const struct pt_dirty_sink *sink;
	unsigned int flags;
	uint64_t run_start;
	uint64_t run_len;
};

/* Adjacent dirty leaves reach the sink as one run. */
static inline void eng_dirty_add(struct eng_dirty *d, uint64_t va, uint64_t len)
{
	if (d->run_len && d->run_start + d->run_len == va) {
		d->run_len += len;
		return;
	}
	if (d->run_len && d->sink)
		pt_dirty_record(d->sink, d->run_start, d->run_len);
	d->run_start = va;
	d->run_len = len;
}

/*
 * Harvest dirty leaves of the table at @lvl whose entry 0 translates @va,
 * entries [first, lastidx], within [iova, last].
 */
static int eng_dirty_table(const struct pt_walk_ctx *c, uint64_t *tblp,
			   unsigned int lvl, uint64_t va, unsigned int first,
			   unsigned int lastidx, uint64_t iova, uint64_t last,
			   struct eng_dirty *d)
{
	const unsigned int ilg2 = eng_item_lg2(lvl);
	const bool clear = !(d->flags & PT_DIRTY_NO_CLEAR);
	unsigned int i;
	int ret;

	for (i = first; i <= lastidx; i++) {
		uint64_t e = pt_load(tblp + i);
		uint64_t eva;

		/*
		 * Level 0 holds only leaves and most of them are clean, so
		 * one test per entry until a dirty one turns up: that loop is
		 * what 16M entries cost. The first and last entries are
		 * always decoded in full: they may belong to a multi-entry
		 * page whose dirty entry lies outside the range.
		 */
		if (lvl == 0 && i != first) {
			while (likely(!fmt_is_dirty(c, e)) && i < lastidx)
				e = pt_load(tblp + ++i);
		}
		eva = va + ((uint64_t)i << ilg2);

		if (!e)
			continue;
		switch (fmt_type(c, lvl, e)) {
		case PT_E_TABLE: {
			uint64_t lo = eva < iova ? iova : eva;
			uint64_t hi = eva + pt_lg2_mask(ilg2);
			uint64_t *child = eng_tbl(c, fmt_table_pa(c, lvl, e),
						  PTF_BITS, clear);

			if (hi > last)
				hi = last;
			if (!child)
				return -EFAULT;
			ret = eng_dirty_table(c, child, lvl - 1, eva,
					      eng_index(lo, lvl - 1, PTF_BITS),
					      eng_index(hi, lvl - 1, PTF_BITS),
					      iova, last, d);
			if (ret)
				return ret;
			break;
		}
		case PT_E_LEAF: {
			unsigned int s_lg2 = fmt_leaf_lg2(c, lvl, e);
			unsigned int k, g0, n;
			bool dirty = false;

			if (likely(s_lg2 == ilg2)) {
				if (!fmt_is_dirty(c, e))
					break;
				eng_dirty_add(d, eva, 1ull << ilg2);
				if (clear)
					pt_store(tblp + i,
						 fmt_make_clean(c, e));
				break;
			}
			/* A run or size group: dirty if any entry is. */
			n = 1u << (s_lg2 - ilg2);
			g0 = i & ~(n - 1);
			for (k = 0; k < n; k++)
				dirty |=
					fmt_is_dirty(c, pt_load(tblp + g0 + k));
			if (dirty) {
				eng_dirty_add(d, va + ((uint64_t)g0 << ilg2),
					      1ull << s_lg2);
				for (k = 0; clear && k < n; k++)
					pt_store(tblp + g0 + k,
						 fmt_make_clean(
							 c, pt_load(tblp + g0 +
								    k)));
			}
			i = g0 + n - 1;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

static int eng_read_and_clear_dirty(struct pt_table *t, uint64_t iova,
				    uint64_t len, unsigned int flags,
				    const struct pt_dirty_sink *sink)
{
	const struct pt_walk_ctx *c = &t->ctx;
	struct eng_dirty d = { .sink = sink, .flags = flags };
	uint64_t top, last, *root;
	unsigned int tl, nb;
	int ret;

	if (!len)
		return -EINVAL;
	if (check_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	top = pt_load(&c->top);
	tl = eng_top_level(top);
	ret = eng_clip(c, tl, iova, &last);
	if (ret)
		return ret < 0 ? ret : 0;
	nb = eng_nbits(c, tl, tl);
	root = eng_tbl(c, eng_root(top), nb, !(flags & PT_DIRTY_NO_CLEAR));
	if (!root)
		return -EFAULT;
	ret = eng_dirty_table(c, root, tl,
			      iova & ~pt_lg2_mask(eng_item_lg2(tl) + nb),
			      eng_index(iova, tl, nb), eng_index(last, tl, nb),
			      iova, last, &d);
	if (d.run_len && sink)
		pt_dirty_record(sink, d.run_start, d.run_len);
	return ret;
}

static int eng_set_dirty(struct pt_table *t, uint64_t iova)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t top = pt_load(&c->top);
	unsigned int tl = eng_top_level(top), lvl = tl;
	uint64_t *tblp;

	if (!eng_range_ok(c, tl, iova, iova))
		return -ENOENT;
	tblp = eng_tbl(c, eng_root(top), eng_nbits(c, tl, tl), true);
	for (;;) {
		uint64_t *p, e;

		if (!tblp)
			return -EFAULT;
		p = tblp + eng_index(iova, lvl, eng_nbits(c, lvl, tl));
		e = pt_load(p);
		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE:
			tblp = eng_tbl(c, fmt_table_pa(c, lvl, e), PTF_BITS,
				       true);
			lvl--;
			break;
		case PT_E_LEAF:
			/* The entry a hardware walk used is the one updated. */
			do {
				if (!fmt_can_dirty(c, e))
					return -EACCES;
				if (fmt_is_dirty(c, e))
					return 0;
			} while (!pt_cmpxchg(p, &e, fmt_make_dirty(c, e)));
			return 0;
		default:
			return -ENOENT;
		}
	}
}

struct eng_leaf_args {
	int (*fn)(void *priv, uint64_t iova, unsigned int size_lg2, uint64_t oa,
		  uint64_t desc);
	void *priv;
};

static int eng_leaf_table(const struct pt_walk_ctx *c, uint64_t *tblp,
			  unsigned int lvl, uint64_t va, unsigned int first,
			  unsigned int lastidx, uint64_t iova, uint64_t last,
			  const struct eng_leaf_args *a)
{
	const unsigned int ilg2 = eng_item_lg2(lvl);
	unsigned int i;
	int ret;

	for (i = first; i <= lastidx; i++) {
		uint64_t e = pt_load(tblp + i);
		uint64_t eva = va + ((uint64_t)i << ilg2);

		switch (e ? fmt_type(c, lvl, e) : PT_E_EMPTY) {
		case PT_E_TABLE: {
			uint64_t lo = eva < iova ? iova : eva;
			uint64_t hi = eva + pt_lg2_mask(ilg2);
			uint64_t *child = eng_tbl(c, fmt_table_pa(c, lvl, e),
						  PTF_BITS, false);

			if (hi > last)
				hi = last;
			if (!child)
				return -EFAULT;
			ret = eng_leaf_table(c, child, lvl - 1, eva,
					     eng_index(lo, lvl - 1, PTF_BITS),
					     eng_index(hi, lvl - 1, PTF_BITS),
					     iova, last, a);
			if (ret)
				return ret;
			break;
		}
		case PT_E_LEAF: {
			unsigned int s_lg2 = fmt_leaf_lg2(c, lvl, e);
			unsigned int n = 1u << (s_lg2 - ilg2);
			unsigned int g0 = i & ~(n - 1);
			uint64_t e0 = pt_load(tblp + g0);

			ret = a->fn(a->priv, va + ((uint64_t)g0 << ilg2), s_lg2,
				    fmt_oa(c, lvl, e0, s_lg2, 0), e0);
			if (ret)
				return ret;
			i = g0 + n - 1;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

static int eng_for_each_leaf(struct pt_table *t, uint64_t iova, uint64_t len,
			     int (*fn)(void *priv, uint64_t iova,
				       unsigned int size_lg2, uint64_t oa,
				       uint64_t desc),
			     void *priv)
{
	const struct pt_walk_ctx *c = &t->ctx;
	struct eng_leaf_args a = { .fn = fn, .priv = priv };
	uint64_t top, last, *root;
	unsigned int tl, nb;
	int ret;

	if (!len)
		return -EINVAL;
	if (check_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	top = pt_load(&c->top);
	tl = eng_top_level(top);
	ret = eng_clip(c, tl, iova, &last);
	if (ret)
		return ret < 0 ? ret : 0;
	nb = eng_nbits(c, tl, tl);
	root = eng_tbl(c, eng_root(top), nb, false);
	if (!root)
		return -EFAULT;
	return eng_leaf_table(c, root, tl,
			      iova & ~pt_lg2_mask(eng_item_lg2(tl) + nb),
			      eng_index(iova, tl, nb), eng_index(last, tl, nb),
			      iova, last, &a);
}

static void eng_free_subtree(const struct pt_walk_ctx *c, unsigned int lvl,
			     uint64_t *tblp, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; lvl && i < (1u << nbits); i++) {
		uint64_t e = pt_load(tblp + i), pa;
		uint64_t *child;

		if (!e || fmt_type(c, lvl, e) != PT_E_TABLE)
			continue;
		pa = fmt_table_pa(c, lvl, e);
		child = eng_tbl(c, pa, PTF_BITS, true);
		if (!child)
			continue;
		eng_free_subtree(c, lvl - 1, child, PTF_BITS);
		pt_table_free(c, pa, child, ENG_TABLE_BYTES);
	}
}

static void eng_free_tables(struct pt_table *t)
{
	const struct pt_walk_ctx *c = &t->ctx;
	uint64_t top = pt_load(&c->top);
	unsigned int tl = eng_top_level(top);
	uint64_t *root = eng_tbl(c, eng_root(top), eng_nbits(c, tl, tl), true);

	if (root)
		eng_free_subtree(c, tl, root, eng_nbits(c, tl, tl));
}

static uint64_t eng_level_sizes(const struct pt_walk_ctx *c, unsigned int lvl)
{
	return fmt_level_sizes(c, lvl);
}

static int eng_init(struct pt_walk_ctx *c, const struct pt_cfg *cfg)
{
	c->ops = &PTF_OPS;
	c->fmt = PTF_FMT;
	c->granule_lg2 = PTF_GRANULE_LG2;
	c->mem = cfg->mem;
	c->mem_priv = cfg->mem_priv;
	c->win = cfg->mem ? cfg->mem_window : NULL;
	c->flags = cfg->flags;
	return fmt_init(c, cfg);
}

const struct pt_fmt_ops PTF_OPS = {
	.name = PTF_NAME,
	.fmt = PTF_FMT,
	.granule_lg2 = PTF_GRANULE_LG2,
	.bits = PTF_BITS,
	.max_levels = PTF_MAX_LEVELS,
	.init = eng_init,
	.level_sizes = eng_level_sizes,
	.map = eng_map,
	.unmap = eng_unmap,
	.remap = eng_remap,
	.walk = eng_walk,
	.iova_to_phys = eng_iova_to_phys,
	.read_and_clear_dirty = eng_read_and_clear_dirty,
	.set_dirty = eng_set_dirty,
	.for_each_leaf = eng_for_each_leaf,
	.free_tables = eng_free_tables,
};
