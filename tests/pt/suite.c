// SPDX-License-Identifier: BSD-3-Clause
/*
 * The page-table suite, compiled once per format (PT_SUITE_FMT names it) and
 * run over each of that format's configurations (testlib.c):
 *
 *  - long random sequences of map, unmap (with and without splitting and
 *    holes), iova-to-phys, hardware walks, set-dirty and dirty harvesting,
 *    each checked against the brute-force model (ref.c), with the complete
 *    leaf set compared at intervals;
 *  - every page size the table uses, at the bottom and the top of the
 *    address space and across table boundaries;
 *  - the error contract, the kernel's refusal to cut a page, splitting,
 *    dirty tracking through both sinks, fail-nth over every allocation,
 *    tables in "guest memory" reached through pt_mem_ops, growth of a
 *    dynamic top, and maps racing a walker.
 *
 * Every test checks that the live allocation count returns to where it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "ref.h"
#include "testlib.h"

#ifndef PT_SUITE_FMT
#error "PT_SUITE_FMT names the format under test"
#endif

#define MAX_RUNS 4096

static uint64_t lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

static bool is_arm(const struct pt_cfg *cfg)
{
	return cfg->fmt == PT_FMT_ARM_S1 || cfg->fmt == PT_FMT_ARM_S2;
}

/* Whether a read by a privileged request succeeds on a leaf mapped @prot. */
static bool readable(const struct pt_cfg *cfg, unsigned int prot)
{
	if (cfg->fmt == PT_FMT_ARM_S1 || cfg->fmt == PT_FMT_VTD_FS)
		return true; /* these formats cannot express write-only */
	return prot & PT_PROT_READ;
}

static bool dirty_capable(const struct pt_cfg *cfg, unsigned int prot)
{
	if (!(prot & PT_PROT_WRITE))
		return false;
	return !is_arm(cfg) || (cfg->flags & PT_CFG_DIRTY);
}

static unsigned int smallest_lg2(const struct pt_table *t)
{
	return (unsigned int)__builtin_ctzll(pt_pgsize_bitmap(t));
}

/* The lower half's last IOVA (the whole range without sign extension). */
static uint64_t cov_last(const struct pt_table *t)
{
	uint64_t first, last;

	pt_iova_range(pt_table_walk_ctx(t), &first, &last);
	return last;
}

static bool sext(const struct pt_table *t)
{
	return t->cfg.flags & PT_CFG_SIGN_EXTEND;
}

static bool in_range(const struct pt_table *t, uint64_t iova, uint64_t last)
{
	uint64_t cl = cov_last(t);

	if (last < iova)
		return false;
	if (last <= cl)
		return true;
	return sext(t) && iova >= ~cl;
}

/* In range now, or once a growing table has grown. */
static bool in_max_range(const struct pt_table *t, uint64_t iova, uint64_t last)
{
	if (!(t->cfg.flags & PT_CFG_DYNAMIC_TOP))
		return in_range(t, iova, last);
	return last >= iova && (t->ctx.ias >= 64 || !(last >> t->ctx.ias));
}

static struct pt_table *new_table(const struct pt_cfg *cfg)
{
	struct pt_table *t = pt_alloc(cfg);

	assert_false(IS_ERR(t));
	return t;
}

/* ---- comparing the whole table with the model ---- */

struct leaf_cmp {
	const struct ref *r;
	size_t next;
	bool failed;
};

static int leaf_cmp_fn(void *priv, uint64_t iova, unsigned int size_lg2,
		       uint64_t oa, uint64_t desc)
{
	struct leaf_cmp *lc = priv;
	const struct ref_leaf *l;

	if (lc->next >= lc->r->n) {
		printf("# extra leaf iova 0x%" PRIx64 " 2^%u oa 0x%" PRIx64
		       "\n",
		       iova, size_lg2, oa);
		lc->failed = true;
		return 1;
	}
	l = &lc->r->v[lc->next++];
	if (l->iova != iova || l->s_lg2 != size_lg2 || l->oa != oa) {
		printf("# leaf %zu: table iova 0x%" PRIx64 " 2^%u oa 0x%" PRIx64
		       ", model iova 0x%" PRIx64 " 2^%u oa 0x%" PRIx64 "\n",
		       lc->next - 1, iova, size_lg2, oa, l->iova, l->s_lg2,
		       l->oa);
		lc->failed = true;
		return 1;
	}
	return 0;
}

static void for_each_leaf_all(struct pt_table *t,
			      int (*fn)(void *, uint64_t, unsigned int,
					uint64_t, uint64_t),
			      void *priv)
{
	uint64_t cl = cov_last(t);

	if (cl == U64_MAX) {
		pt_for_each_leaf(t, 0, 1ull << 63, fn, priv);
		pt_for_each_leaf(t, 1ull << 63, 1ull << 63, fn, priv);
		return;
	}
	if (pt_for_each_leaf(t, 0, cl + 1, fn, priv))
		return;
	if (sext(t))
		pt_for_each_leaf(t, ~cl, cl + 1, fn, priv);
}

static void check_full(struct pt_table *t, const struct ref *r)
{
	struct leaf_cmp lc = { .r = r };

	for_each_leaf_all(t, leaf_cmp_fn, &lc);
	if (!lc.failed && lc.next != r->n) {
		printf("# table has %zu leaves, model %zu\n", lc.next, r->n);
		lc.failed = true;
	}
	assert_false(lc.failed);
}

/* ---- probes ---- */

static void check_probe(struct pt_table *t, const struct ref *r, uint64_t iova)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(t);
	struct pt_walk_result res;
	long i = ref_find(r, iova);
	uint64_t oa = 0;
	int ret;

	ret = pt_iova_to_phys(t, iova, &oa);
	if (i < 0) {
		assert_int_equal(ret, -ENOENT);
	} else {
		assert_int_equal(ret, 0);
		assert_true(oa == r->v[i].oa + (iova - r->v[i].iova));
	}

	ret = pt_walk(c, iova, PT_ACCESS_READ | PT_ACCESS_PRIV | PT_HW_HA,
		      &res);
	if (i < 0) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_TRANSLATION);
		return;
	}
	if (!readable(&t->cfg, r->v[i].prot)) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_PERMISSION);
		return;
	}
	assert_int_equal(ret, 0);
	assert_true(res.oa == r->v[i].oa + (iova - r->v[i].iova));
	assert_int_equal(res.page_lg2, r->v[i].s_lg2);
	assert_int_equal(res.level, ref_level_of(r, r->v[i].s_lg2));
	assert_true(res.perm & PT_PERM_READ);
}

/* A write as the hardware does it, with dirty management on. */
static void check_write(struct pt_table *t, struct ref *r, uint64_t iova)
{
	struct pt_walk_result res;
	long i = ref_find(r, iova);
	int ret;

	ret = pt_walk(pt_table_walk_ctx(t), iova,
		      PT_ACCESS_WRITE | PT_ACCESS_PRIV | PT_HW_HA | PT_HW_HD,
		      &res);
	if (i < 0) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_TRANSLATION);
		return;
	}
	if (!(r->v[i].prot & PT_PROT_WRITE)) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_PERMISSION);
		return;
	}
	assert_int_equal(ret, 0);
	assert_true(res.perm & PT_PERM_WRITE);
	if (dirty_capable(&t->cfg, r->v[i].prot))
		r->v[i].dirty = true;
}

struct runs {
	uint64_t v[MAX_RUNS][2];
	size_t n;
};

static void runs_record(void *priv, uint64_t iova, uint64_t len)
{
	struct runs *rs = priv;

	assert_true(rs->n < MAX_RUNS);
	rs->v[rs->n][0] = iova;
	rs->v[rs->n][1] = len;
	rs->n++;
}

static void check_dirty(struct pt_table *t, struct ref *r, uint64_t iova,
			uint64_t len, bool no_clear)
{
	static struct runs got, want;
	struct pt_dirty_sink sink = { .record = runs_record, .priv = &got };
	size_t k;
	int ret;

	got.n = 0;
	ret = pt_read_and_clear_dirty(t, iova, len,
				      no_clear ? PT_DIRTY_NO_CLEAR : 0, &sink);
	assert_int_equal(ret, 0);
	want.n = ref_read_dirty(r, iova, iova + (len - 1), no_clear, want.v,
				MAX_RUNS);
	if (got.n != want.n)
		printf("# dirty over 0x%" PRIx64 "+0x%" PRIx64 ": %zu runs, "
		       "model %zu\n",
		       iova, len, got.n, want.n);
	assert_int_equal(got.n, want.n);
	for (k = 0; k < got.n; k++) {
		assert_true(got.v[k][0] == want.v[k][0]);
		assert_true(got.v[k][1] == want.v[k][1]);
	}
}

/* ---- the random sequence ---- */

struct base {
	uint64_t b;
	int dir; /* +1: offsets above, -1: below */
};

struct rt {
	struct pt_table *t;
	struct ref r;
	struct rng rng;
	struct base bases[8];
	unsigned int nbases;
	unsigned int sizes[64];
	unsigned int nsizes;
	struct pt_gather gather;
	bool remaps; /* remaps join the sequence */
	/* What the sequence exercised, printed at the end. */
	unsigned long maps_ok, maps_err, unmaps_ok, unmaps_err, probes;
	unsigned long remaps_ok, remaps_err, remaps_split;
	size_t max_leaves;
	uint64_t sizes_seen;
};

static void rt_bases(struct rt *x)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(x->t);
	uint64_t cl = cov_last(x->t);
	unsigned int tl = pt_levels(c) - 1;

	x->nbases = 0;
	x->bases[x->nbases++] = (struct base){ 0, 1 };
	/* The boundary between the first two top-level entries. */
	if (pt_item_lg2(c, tl) < 63 && lg2_mask(pt_item_lg2(c, tl)) < cl)
		x->bases[x->nbases++] =
			(struct base){ 1ull << pt_item_lg2(c, tl), 0 };
	/* A lower-level boundary. */
	if (tl >= 2)
		x->bases[x->nbases++] =
			(struct base){ 3ull << pt_item_lg2(c, 2), 0 };
	/* The top of the address space. */
	x->bases[x->nbases++] = (struct base){ cl + 1, -1 };
	if (sext(x->t)) {
		x->bases[x->nbases++] = (struct base){ ~cl, 1 };
		x->bases[x->nbases++] = (struct base){ 0, -1 }; /* 2^64 */
	}
}

static uint64_t rt_addr(struct rt *x, unsigned int s, uint64_t count)
{
	const struct base *b = &x->bases[rng_below(&x->rng, x->nbases)];
	int dir = b->dir ? b->dir : (rng_below(&x->rng, 2) ? 1 : -1);
	uint64_t off = rng_below(&x->rng, 160);

	/* Bases need not be aligned to every size: round down. */
	if (dir > 0)
		return (b->b + (off << s)) & ~lg2_mask(s);
	/* Below the base, leaving room for count pages. */
	return (b->b - ((off + count) << s)) & ~lg2_mask(s);
}

static const unsigned int rt_prots[] = {
	PT_PROT_READ | PT_PROT_WRITE,
	PT_PROT_READ,
	PT_PROT_WRITE,
	PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	PT_PROT_READ | PT_PROT_NOEXEC,
	PT_PROT_READ | PT_PROT_WRITE | PT_PROT_PRIV,
	PT_PROT_READ | PT_PROT_WRITE | PT_PROT_MMIO,
};

static void rt_map(struct rt *x)
{
	unsigned int pick =
		rng_below(&x->rng, 2)
			? (unsigned int)rng_below(&x->rng,
						  x->nsizes < 2 ? x->nsizes : 2)
			: (unsigned int)rng_below(&x->rng, x->nsizes);
	unsigned int s = x->sizes[pick];
	uint64_t count = 1 + rng_below(&x->rng, pick == 0 ? 40 : 6);
	uint64_t len = count << s, iova = rt_addr(x, s, count), oa, last;
	unsigned int oa_align = s, prot;
	uint64_t mapped = 0, want_mapped = 0;
	int ret, want;

	switch (rng_below(&x->rng, 6)) {
	case 0:
		oa_align = smallest_lg2(x->t);
		break;
	case 1:
		oa_align = s + (unsigned int)rng_below(&x->rng, 5);
		break;
	default:
		break;
	}
	if (oa_align > x->t->ctx.oas - 2u)
		oa_align = x->t->ctx.oas - 2u;
	if (oa_align < smallest_lg2(x->t))
		oa_align = smallest_lg2(x->t);
	/* A misaligned OA means small leaves: keep their number sane. */
	if (oa_align + 8 < s)
		oa_align = s - 8;
	if (oa_align < s && count > (1024u >> (s - oa_align)))
		count = 1 + (1024u >> (s - oa_align));
	len = count << s;
	oa = (rng_next(&x->rng) & lg2_mask(x->t->ctx.oas - 1)) &
	     ~lg2_mask(oa_align);
	if (len > (1ull << (x->t->ctx.oas - 1)))
		return;
	prot = rt_prots[rng_below(&x->rng,
				  sizeof(rt_prots) / sizeof(rt_prots[0]))];

	last = iova + (len - 1);
	ret = pt_map(x->t, iova, oa, len, prot, &mapped);
	if (last < iova) {
		assert_int_equal(ret, -EOVERFLOW);
		return;
	}
	if (!in_range(x->t, iova, last) &&
	    !(x->t->cfg.flags & PT_CFG_DYNAMIC_TOP)) {
		assert_int_equal(ret, -ERANGE);
		assert_true(mapped == 0);
		return;
	}
	want = ref_map(&x->r, iova, oa, len, prot, &want_mapped);
	if (ret != want || mapped != want_mapped)
		printf("# map 0x%" PRIx64 "+0x%" PRIx64 " oa 0x%" PRIx64
		       ": %d/0x%" PRIx64 ", model %d/0x%" PRIx64 "\n",
		       iova, len, oa, ret, mapped, want, want_mapped);
	assert_int_equal(ret, want);
	assert_true(mapped == want_mapped);
	if (ret)
		x->maps_err++;
	else
		x->maps_ok++;
}

static void rt_unmap(struct rt *x)
{
	static const unsigned int flagsets[] = { 0, PT_UNMAP_SPLIT,
						 PT_UNMAP_HOLES,
						 PT_UNMAP_SPLIT |
							 PT_UNMAP_HOLES };
	unsigned int flags = flagsets[rng_below(&x->rng, 4)];
	unsigned int g = smallest_lg2(x->t);
	uint64_t iova, len, unmapped = 0, want_unmapped = 0, last;
	struct pt_gather *gather = rng_below(&x->rng, 2) ? &x->gather : NULL;
	int ret, want;

	if (!x->r.n || !rng_below(&x->rng, 5)) {
		uint64_t count = 1 + rng_below(&x->rng, 64);

		iova = rt_addr(x, g, count);
		len = count << g;
	} else {
		size_t k = rng_below(&x->rng, x->r.n);
		size_t j = k + rng_below(&x->rng, 4);
		const struct ref_leaf *l = &x->r.v[k];

		if (j >= x->r.n)
			j = x->r.n - 1;
		iova = l->iova;
		if (!rng_below(&x->rng, 4))
			iova += rng_below(&x->rng, 1ull << (l->s_lg2 - g)) << g;
		last = x->r.v[j].iova + lg2_mask(x->r.v[j].s_lg2);
		if (!rng_below(&x->rng, 4) && last > iova)
			last -= rng_below(&x->rng, ((last - iova) >> g) + 1)
				<< g;
		len = last - iova + 1;
	}
	last = iova + (len - 1);
	ret = pt_unmap(x->t, iova, len, flags, gather, &unmapped);
	if (last < iova) {
		assert_int_equal(ret, -EOVERFLOW);
		return;
	}
	if (!in_max_range(x->t, iova, last)) {
		assert_int_equal(ret, -ERANGE);
		return;
	}
	want = ref_unmap(&x->r, iova, len, flags, &want_unmapped);
	if (ret != want || unmapped != want_unmapped)
		printf("# unmap 0x%" PRIx64 "+0x%" PRIx64
		       " flags %u: %d/0x%" PRIx64 ", model %d/0x%" PRIx64 "\n",
		       iova, len, flags, ret, unmapped, want, want_unmapped);
	assert_int_equal(ret, want);
	assert_true(unmapped == want_unmapped);
	if (ret)
		x->unmaps_err++;
	else
		x->unmaps_ok++;
}

/*
 * Remap a range of leaves (cut anywhere) or of anything, shifted by an
 * amount aligned near the largest leaf involved: above it nothing splits
 * but the cuts, a little below it the leaves split, and no further below so
 * the number of pieces stays sane.
 */
static void rt_remap(struct rt *x)
{
	const unsigned int g = smallest_lg2(x->t), oas = x->t->ctx.oas;
	unsigned int big = g, a;
	uint64_t iova, len, last, oa, done = 1, want_done = 0;
	size_t k, before = x->r.n;
	int ret, want;

	if (!x->r.n || !rng_below(&x->rng, 5)) {
		uint64_t count = 1 + rng_below(&x->rng, 64);

		iova = rt_addr(x, g, count);
		len = count << g;
	} else {
		size_t j;
		const struct ref_leaf *l;

		k = rng_below(&x->rng, x->r.n);
		j = k + rng_below(&x->rng, 4);
		l = &x->r.v[k];
		if (j >= x->r.n)
			j = x->r.n - 1;
		iova = l->iova;
		if (!rng_below(&x->rng, 3))
			iova += rng_below(&x->rng, 1ull << (l->s_lg2 - g)) << g;
		last = x->r.v[j].iova + lg2_mask(x->r.v[j].s_lg2);
		if (!rng_below(&x->rng, 3) && last > iova)
			last -= rng_below(&x->rng, ((last - iova) >> g) + 1)
				<< g;
		len = last - iova + 1;
	}
	last = iova + (len - 1);
	if (last < iova) {
		assert_int_equal(pt_remap(x->t, iova, len, 0, &done),
				 -EOVERFLOW);
		assert_true(done == 0);
		return;
	}
	if (!in_max_range(x->t, iova, last)) {
		assert_int_equal(pt_remap(x->t, iova, len, 0, &done), -ERANGE);
		assert_true(done == 0);
		return;
	}
	if (len > (1ull << (oas - 2)))
		return;
	for (k = 0; k < x->r.n; k++) {
		const struct ref_leaf *l = &x->r.v[k];

		if (l->iova <= last && l->iova + lg2_mask(l->s_lg2) >= iova &&
		    l->s_lg2 > big)
			big = l->s_lg2;
	}
	if (rng_below(&x->rng, 3))
		a = big - (unsigned int)rng_below(
				  &x->rng, (big - g < 6 ? big - g : 6) + 1);
	else
		a = big + (unsigned int)rng_below(&x->rng, 4);
	if (a > oas - 3)
		a = oas - 3;
	if (a < g)
		a = g;
	oa = (rng_next(&x->rng) & lg2_mask(oas - 2)) & ~lg2_mask(a);
	/*
	 * Pieces are as small as the shift oa - iova is aligned: keep it
	 * aligned like oa, except on short ranges now and then.
	 */
	if ((len >> g) > 4096 || rng_below(&x->rng, 4))
		oa |= iova & lg2_mask(a);

	ret = pt_remap(x->t, iova, len, oa, &done);
	want = ref_remap(&x->r, iova, len, oa, &want_done);
	if (ret != want || done != want_done)
		printf("# remap 0x%" PRIx64 "+0x%" PRIx64 " to 0x%" PRIx64
		       ": %d/0x%" PRIx64 ", model %d/0x%" PRIx64 "\n",
		       iova, len, oa, ret, done, want, want_done);
	assert_int_equal(ret, want);
	assert_true(done == want_done);
	if (ret)
		x->remaps_err++;
	else
		x->remaps_ok++;
	if (x->r.n != before)
		x->remaps_split++;
	check_probe(x->t, &x->r, iova);
	check_probe(x->t, &x->r, last);
	if (done)
		check_probe(x->t, &x->r, iova + done - 1);
}

/* An IOVA near something mapped, or anywhere in the bases' reach. */
static uint64_t rt_probe_addr(struct rt *x)
{
	unsigned int g = smallest_lg2(x->t);

	if (x->r.n && rng_below(&x->rng, 4)) {
		const struct ref_leaf *l = &x->r.v[rng_below(&x->rng, x->r.n)];
		uint64_t off = rng_next(&x->rng) & lg2_mask(l->s_lg2);

		switch (rng_below(&x->rng, 4)) {
		case 0:
			return l->iova - (1ull << g); /* just below */
		case 1:
			return l->iova + (1ull << l->s_lg2); /* just above */
		default:
			return l->iova + off;
		}
	}
	return rt_addr(x, g, 1) + (rng_next(&x->rng) & lg2_mask(g));
}

static void rt_step(struct rt *x)
{
	uint64_t iova;
	int ret;

	/* Drawn only with remaps on: other sequences stay as they were. */
	if (x->remaps && !rng_below(&x->rng, 5)) {
		rt_remap(x);
		return;
	}
	switch (rng_below(&x->rng, 20)) {
	case 0 ... 5:
		rt_map(x);
		break;
	case 6 ... 10:
		rt_unmap(x);
		break;
	case 11 ... 13:
		iova = rt_probe_addr(x);
		if (in_max_range(x->t, iova, iova)) {
			check_probe(x->t, &x->r, iova);
			x->probes++;
		}
		break;
	case 14:
		iova = rt_probe_addr(x);
		if (in_max_range(x->t, iova, iova))
			check_write(x->t, &x->r, iova);
		break;
	case 15 ... 16:
		iova = rt_probe_addr(x);
		if (!in_max_range(x->t, iova, iova))
			break;
		ret = pt_set_dirty(x->t, iova);
		assert_int_equal(ret, ref_set_dirty(&x->r, iova));
		break;
	case 17 ... 18: {
		uint64_t a = rt_probe_addr(x), b = rt_probe_addr(x), t;

		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
		if (!in_max_range(x->t, a, b))
			break;
		check_dirty(x->t, &x->r, a, b - a + 1, !rng_below(&x->rng, 3));
		break;
	}
	default:
		pt_gather_free(x->t, &x->gather);
		break;
	}
}

/* Unmap everything the table covers, as one sweep per half. */
static void unmap_all(struct pt_table *t, struct ref *r)
{
	uint64_t cl = cov_last(t), unmapped, want_unmapped;
	unsigned int f = PT_UNMAP_HOLES | PT_UNMAP_SPLIT;

	if (cl == U64_MAX) {
		assert_int_equal(pt_unmap(t, 0, 1ull << 63, f, NULL, &unmapped),
				 ref_unmap(r, 0, 1ull << 63, f,
					   &want_unmapped));
		assert_int_equal(pt_unmap(t, 1ull << 63, 1ull << 63, f, NULL,
					  &unmapped),
				 ref_unmap(r, 1ull << 63, 1ull << 63, f,
					   &want_unmapped));
		return;
	}
	assert_int_equal(pt_unmap(t, 0, cl + 1, f, NULL, &unmapped),
			 ref_unmap(r, 0, cl + 1, f, &want_unmapped));
	assert_true(unmapped == cl + 1);
	if (sext(t)) {
		assert_int_equal(pt_unmap(t, ~cl, cl + 1, f, NULL, &unmapped),
				 ref_unmap(r, ~cl, cl + 1, f, &want_unmapped));
		assert_true(unmapped == cl + 1);
	}
	assert_int_equal(r->n, 0);
}

static void run_random(const struct pt_cfg *cfg, uint64_t seed,
		       unsigned int steps, bool remaps)
{
	int64_t live = ufd_alloc_live();
	struct rt x = { 0 };
	uint64_t bm;
	unsigned int i;

	x.t = new_table(cfg);
	ref_init(&x.r, x.t);
	rng_seed(&x.rng, seed);
	x.remaps = remaps;
	rt_bases(&x);
	for (bm = pt_pgsize_bitmap(x.t); bm; bm &= bm - 1)
		x.sizes[x.nsizes++] = (unsigned int)__builtin_ctzll(bm);
	assert_true(x.nsizes > 0);

	for (i = 0; i < steps; i++) {
		size_t k;

		rt_step(&x);
		if (x.r.n > x.max_leaves)
			x.max_leaves = x.r.n;
		for (k = 0; k < x.r.n && k < 64; k++)
			x.sizes_seen |= 1ull << x.r.v[k].s_lg2;
		if (!(i % 97))
			check_full(x.t, &x.r);
		/* A growing table gains bases as it grows. */
		if (cfg->flags & PT_CFG_DYNAMIC_TOP)
			rt_bases(&x);
	}
	check_full(x.t, &x.r);
	printf("#  %u steps: maps %lu ok %lu failed, unmaps %lu ok %lu failed, "
	       "%lu probes, up to %zu leaves, sizes seen 0x%" PRIx64 "\n",
	       steps, x.maps_ok, x.maps_err, x.unmaps_ok, x.unmaps_err,
	       x.probes, x.max_leaves, x.sizes_seen);
	if (remaps)
		printf("#  remaps %lu ok %lu failed, %lu split leaves\n",
		       x.remaps_ok, x.remaps_err, x.remaps_split);
	unmap_all(x.t, &x.r);
	check_full(x.t, &x.r);
	pt_gather_free(x.t, &x.gather);
	/* Only the pt_table and its root remain once everything is gone. */
	assert_int_equal(ufd_alloc_live(), live + (cfg->mem ? 1 : 2));
	pt_free(x.t);
	ref_destroy(&x.r);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_random(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	uint64_t seed = test_seed(PT_SUITE_FMT " random");

	for (; tc->desc; tc++, seed++) {
		/* Big granules make big tables: fewer steps, same coverage. */
		unsigned int steps = tc->cfg.granule_lg2 == 16	 ? 2000
				     : tc->cfg.granule_lg2 == 14 ? 3000
								 : 4000;

		printf("# %s\n", tc->desc);
		run_random(&tc->cfg, seed, steps, false);
	}
}

/* ---- every page size, at the edges ---- */

static int count_fn(void *priv, uint64_t iova, unsigned int s_lg2, uint64_t oa,
		    uint64_t desc)
{
	(*(size_t *)priv)++;
	return 0;
}

static size_t count_leaves(struct pt_table *t)
{
	size_t n = 0;

	for_each_leaf_all(t, count_fn, &n);
	return n;
}

static void one_page(struct pt_table *t, struct ref *r, uint64_t iova,
		     unsigned int s)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(t);
	uint64_t oa = (3ull << s) & lg2_mask(t->ctx.oas);
	uint64_t mapped = 0, unmapped = 0, pa, size = 1ull << s;
	struct pt_walk_result res;

	if (!in_range(t, iova, iova + (size - 1)))
		return;
	assert_int_equal(pt_map(t, iova, oa, size, PT_PROT_READ | PT_PROT_WRITE,
				&mapped),
			 0);
	assert_true(mapped == size);
	assert_int_equal(ref_map(r, iova, oa, size,
				 PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);
	check_full(t, r);
	assert_int_equal(count_leaves(t), 1);

	assert_int_equal(pt_iova_to_phys(t, iova, &pa), 0);
	assert_true(pa == oa);
	assert_int_equal(pt_iova_to_phys(t, iova + size - 1, &pa), 0);
	assert_true(pa == oa + size - 1);
	assert_int_equal(pt_iova_to_phys(t, iova + size / 2 + 8, &pa), 0);
	assert_true(pa == oa + size / 2 + 8);

	assert_int_equal(pt_walk(c, iova + size - 1,
				 PT_ACCESS_READ | PT_ACCESS_PRIV, &res),
			 0);
	assert_int_equal(res.page_lg2, s);
	assert_int_equal(res.level, ref_level_of(r, s));
	assert_true(res.oa == oa + size - 1);
	/* Nothing on either side. */
	if (iova && in_range(t, iova - 1, iova - 1)) {
		assert_int_equal(pt_walk(c, iova - 1, PT_ACCESS_READ, &res),
				 -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_TRANSLATION);
	}
	if (iova + size && in_range(t, iova + size, iova + size))
		assert_int_equal(pt_iova_to_phys(t, iova + size, &pa), -ENOENT);

	assert_int_equal(pt_unmap(t, iova, size, 0, NULL, &unmapped), 0);
	assert_true(unmapped == size);
	assert_int_equal(ref_unmap(r, iova, size, 0, &unmapped), 0);
	assert_int_equal(count_leaves(t), 0);
}

static void test_every_size(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		uint64_t bm = pt_pgsize_bitmap(t), cl = cov_last(t);
		struct ref r;

		ref_init(&r, t);
		printf("# %s: page sizes 0x%" PRIx64 "\n", tc->desc, bm);
		for (; bm; bm &= bm - 1) {
			unsigned int s = (unsigned int)__builtin_ctzll(bm);
			const struct pt_walk_ctx *c = pt_table_walk_ctx(t);
			unsigned int tl = pt_levels(c) - 1, lvl;

			one_page(t, &r, 0, s);
			one_page(t, &r, 1ull << s, s);
			/* The very top of the (lower) address space. */
			one_page(t, &r, (cl - (1ull << s)) + 1, s);
			if (sext(t)) {
				one_page(t, &r, ~cl, s);
				one_page(t, &r, -(1ull << s), s);
			}
			/* Each side of every table boundary above it. */
			for (lvl = ref_level_of(&r, s) + 1; lvl <= tl; lvl++) {
				uint64_t b = 1ull << pt_item_lg2(c, lvl);

				one_page(t, &r, b - (1ull << s), s);
				one_page(t, &r, b, s);
			}
		}
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* Small pages across table boundaries, then holes punched in them. */
static void test_boundaries(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		const struct pt_walk_ctx *c = pt_table_walk_ctx(t);
		unsigned int g = smallest_lg2(t), tl = pt_levels(c) - 1, lvl;
		struct ref r;

		ref_init(&r, t);
		for (lvl = 1; lvl <= tl; lvl++) {
			uint64_t b = 1ull << pt_item_lg2(c, lvl);
			/* Unaligned OA: only the smallest size fits. */
			uint64_t iova = b - (8ull << g),
				 oa = (1ull << 30) + (1ull << g);
			uint64_t len = 16ull << g, m = 0, wm = 0, u, wu;
			uint64_t k;

			if (!in_range(t, iova, iova + len - 1))
				continue;
			assert_int_equal(
				pt_map(t, iova, oa, len, PT_PROT_READ, &m),
				ref_map(&r, iova, oa, len, PT_PROT_READ, &wm));
			assert_true(m == len && wm == len);
			check_full(t, &r);
			for (k = 0; k < 16; k++)
				check_probe(t, &r, iova + (k << g) + 5);
			/* Punch out the 4 pages around the boundary. */
			assert_int_equal(pt_unmap(t, b - (2ull << g), 4ull << g,
						  0, NULL, &u),
					 ref_unmap(&r, b - (2ull << g),
						   4ull << g, 0, &wu));
			assert_true(u == wu && u == 4ull << g);
			check_full(t, &r);
			for (k = 0; k < 16; k++)
				check_probe(t, &r, iova + (k << g));
			unmap_all(t, &r);
		}
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* ---- the error contract ---- */

static void test_errors(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t);
		uint64_t pg = 1ull << g, cl = cov_last(t), m = 0, u = 0;
		uint64_t base = 1ull << 30;
		const unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;

		if (!in_range(t, base, base + (64ull << g)))
			base = 16 * pg;
		assert_int_equal(pt_map(t, base, 0, 0, rw, &m), -EINVAL);
		assert_int_equal(pt_map(t, base + pg / 2, 0, pg, rw, &m),
				 -EINVAL);
		assert_int_equal(pt_map(t, base, pg / 2, pg, rw, &m), -EINVAL);
		assert_int_equal(pt_map(t, base, 0, pg + pg / 2, rw, &m),
				 -EINVAL);
		assert_int_equal(pt_map(t, base, 0, pg, 0, &m), -EINVAL);
		assert_int_equal(pt_map(t, base, 0, pg, PT_PROT_NOEXEC, &m),
				 -EINVAL);
		/* Output beyond oas. */
		assert_int_equal(pt_map(t, base, 1ull << t->ctx.oas, pg, rw,
					&m),
				 -ERANGE);
		assert_int_equal(pt_map(t, base, (1ull << t->ctx.oas) - pg,
					2 * pg, rw, &m),
				 -ERANGE);
		/* Input beyond the table, or wrapping. */
		assert_int_equal(pt_map(t, -pg, 0, 2 * pg, rw, &m), -EOVERFLOW);
		if (!(t->cfg.flags & PT_CFG_DYNAMIC_TOP) && cl != U64_MAX) {
			assert_int_equal(pt_map(t, cl + 1, 0, pg, rw, &m),
					 -ERANGE);
			assert_int_equal(pt_map(t, cl + 1 - pg, 0, 2 * pg, rw,
						&m),
					 -ERANGE);
			assert_int_equal(pt_unmap(t, cl + 1, pg, 0, NULL, &u),
					 -ERANGE);
		}
		assert_true(m == 0);
		assert_int_equal(pt_unmap(t, base, 0, 0, NULL, &u), -EINVAL);

		/* Overlap: what came before the collision stays mapped. */
		assert_int_equal(pt_map(t, base + 4 * pg, 0, 4 * pg,
					PT_PROT_READ, &m),
				 0);
		m = 0;
		assert_int_equal(pt_map(t, base, 1ull << 20, 6 * pg, rw, &m),
				 -EADDRINUSE);
		assert_true(m == 4 * pg);
		assert_int_equal(count_leaves(t) >= 2, 1);

		/* A hole stops an unmap unless holes are allowed. */
		assert_int_equal(pt_unmap(t, base + 8 * pg, 2 * pg, 0, NULL,
					  &u),
				 -ENOENT);
		assert_true(u == 0);
		assert_int_equal(pt_unmap(t, base + 8 * pg, 2 * pg,
					  PT_UNMAP_HOLES, NULL, &u),
				 0);
		assert_true(u == 2 * pg);
		assert_int_equal(pt_unmap(t, base, 10 * pg, 0, NULL, &u),
				 -ENOENT);
		assert_true(u == 8 * pg);
		assert_int_equal(count_leaves(t), 0);
		/* Out-of-range probes are plain misses. */
		if (!(t->cfg.flags & PT_CFG_DYNAMIC_TOP) && cl != U64_MAX) {
			struct pt_walk_result res;
			uint64_t pa;

			assert_int_equal(pt_iova_to_phys(t, cl + 1, &pa),
					 -ENOENT);
			assert_int_equal(pt_walk(pt_table_walk_ctx(t), cl + 1,
						 PT_ACCESS_READ, &res),
					 -EFAULT);
			assert_int_equal(res.fault, PT_FAULT_TRANSLATION);
			assert_int_equal(res.level, pt_levels(&t->ctx) - 1);
			assert_int_equal(pt_set_dirty(t, cl + 1), -ENOENT);
		}
		pt_free(t);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* ---- large pages: the kernel's refusal, splitting, reclaiming ---- */

/* The smallest page size above the smallest, stored a level up if any. */
static unsigned int big_lg2(struct pt_table *t)
{
	uint64_t bm = pt_pgsize_bitmap(t) &
		      ~(pt_pgsize_bitmap(t) & -pt_pgsize_bitmap(t));

	return bm ? (unsigned int)__builtin_ctzll(bm) : 0;
}

static void test_large_pages(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), s;
		uint64_t bm = pt_pgsize_bitmap(t), m, u, wu;
		const unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
		struct ref r;

		ref_init(&r, t);
		for (bm &= bm - 1; bm; bm &= bm - 1) {
			uint64_t size, x;

			s = (unsigned int)__builtin_ctzll(bm);
			size = 1ull << s;
			x = 2 * size;
			if (!in_range(t, x, x + 2 * size - 1) ||
			    s + 2 > t->ctx.oas)
				continue;
			m = 0;
			assert_int_equal(pt_map(t, x, size, size, rw, &m), 0);
			ref_map(&r, x, size, size, rw, &m);
			/* The head of a page cannot be cut off... */
			assert_int_equal(pt_unmap(t, x + (1ull << g), 1ull << g,
						  0, NULL, &u),
					 -EINVAL);
			assert_true(u == 0);
			/* ...and cutting its tail takes all of it. */
			assert_int_equal(pt_unmap(t, x, 1ull << g, 0, NULL, &u),
					 0);
			assert_true(u == size);
			ref_unmap(&r, x, 1ull << g, 0, &wu);
			assert_int_equal(count_leaves(t), 0);

			/* With splitting allowed, just the pages asked for. */
			assert_int_equal(pt_map(t, x, size, size, rw, &m), 0);
			ref_map(&r, x, size, size, rw, &m);
			assert_int_equal(pt_set_dirty(t, x + size - 1),
					 ref_set_dirty(&r, x + size - 1));
			assert_int_equal(pt_unmap(t, x + (1ull << g), 1ull << g,
						  PT_UNMAP_SPLIT, NULL, &u),
					 ref_unmap(&r, x + (1ull << g),
						   1ull << g, PT_UNMAP_SPLIT,
						   &wu));
			assert_true(u == 1ull << g && wu == u);
			check_full(t, &r);
			check_probe(t, &r, x);
			check_probe(t, &r, x + (1ull << g));
			check_probe(t, &r, x + (2ull << g));
			/* Pieces keep the page's dirty state. */
			check_dirty(t, &r, x, size, false);
			unmap_all(t, &r);

			/*
			 * A page over a table emptied by a partial unmap:
			 * the table is reclaimed, not an error.
			 */
			if (ref_level_of(&r, s) > 0) {
				assert_int_equal(
					pt_map(t, x, 0, 1ull << g, rw, &m), 0);
				assert_int_equal(pt_unmap(t, x, 1ull << g, 0,
							  NULL, &u),
						 0);
				assert_int_equal(
					pt_map(t, x, size, size, rw, &m), 0);
				ref_map(&r, x, size, size, rw, &m);
				check_full(t, &r);
				pt_gather_free(t, NULL);
				unmap_all(t, &r);
			}
		}
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* ---- dirty tracking ---- */

static void test_dirty(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), b = big_lg2(t);
		uint64_t pg = 1ull << g, base = 0, m = 0;
		unsigned long bitmap[4] = { 0 };
		struct pt_dirty_sink sink = {
			.bitmap = bitmap, .base = 0, .pgshift = g, .nbits = 256
		};
		const bool can = dirty_capable(&tc->cfg, PT_PROT_WRITE);
		struct pt_walk_result res;
		struct ref r;

		ref_init(&r, t);
		if (b && b - g < 6)
			base = 1ull << b;
		else
			base = 64 * pg;
		sink.base = base;
		/* Eight writable pages, one read-only, one large page. */
		assert_int_equal(pt_map(t, base, pg, 8 * pg,
					PT_PROT_READ | PT_PROT_WRITE, &m),
				 ref_map(&r, base, pg, 8 * pg,
					 PT_PROT_READ | PT_PROT_WRITE, &m));
		assert_int_equal(
			pt_map(t, base + 8 * pg, 0, pg, PT_PROT_READ, &m),
			ref_map(&r, base + 8 * pg, 0, pg, PT_PROT_READ, &m));
		check_dirty(t, &r, base, 16 * pg, false);
		assert_int_equal(pt_set_dirty(t, base + 8 * pg), -EACCES);
		assert_int_equal(pt_set_dirty(t, base + 9 * pg), -ENOENT);
		assert_int_equal(pt_set_dirty(t, base + pg + 7),
				 can ? 0 : -EACCES);
		ref_set_dirty(&r, base + pg + 7);
		assert_int_equal(pt_set_dirty(t, base + 3 * pg),
				 can ? 0 : -EACCES);
		ref_set_dirty(&r, base + 3 * pg);
		/* Twice is fine: still dirty. */
		assert_int_equal(pt_set_dirty(t, base + 3 * pg),
				 can ? 0 : -EACCES);
		check_dirty(t, &r, base, 16 * pg, true);
		check_dirty(t, &r, base, 16 * pg, true);

		/* The bitmap sink, clipped to its window. */
		assert_int_equal(pt_read_and_clear_dirty(t, base, 16 * pg,
							 PT_DIRTY_NO_CLEAR,
							 &sink),
				 0);
		assert_int_equal(bitmap[0], can ? 0xa : 0);
		check_dirty(t, &r, base, 16 * pg, false);
		check_dirty(t, &r, base, 16 * pg, false);

		/* A write by the walker with dirty management marks it. */
		assert_int_equal(pt_walk(pt_table_walk_ctx(t), base + 5 * pg,
					 PT_ACCESS_WRITE | PT_ACCESS_PRIV |
						 PT_HW_HA | PT_HW_HD,
					 &res),
				 0);
		check_write(t, &r, base + 5 * pg);
		check_dirty(t, &r, base, 16 * pg, false);
		/* Without it, a write-clean ARM leaf is read-only. */
		if (can && is_arm(&tc->cfg)) {
			assert_int_equal(
				pt_walk(pt_table_walk_ctx(t), base + 5 * pg,
					PT_ACCESS_WRITE | PT_ACCESS_PRIV, &res),
				-EFAULT);
			assert_int_equal(res.fault, PT_FAULT_PERMISSION);
		}
		/* Dirty on a large page reports all of it. */
		if (b && (b - g) < 12) {
			uint64_t x = 1ull << (b + 1);

			if (in_range(t, x, x + (1ull << b) - 1)) {
				assert_int_equal(
					pt_map(t, x, 0, 1ull << b,
					       PT_PROT_READ | PT_PROT_WRITE,
					       &m),
					ref_map(&r, x, 0, 1ull << b,
						PT_PROT_READ | PT_PROT_WRITE,
						&m));
				assert_int_equal(pt_set_dirty(t, x + pg),
						 ref_set_dirty(&r, x + pg));
				/* Ranges that start past the dirty entry. */
				check_dirty(t, &r, x + 2 * pg, pg, true);
				check_dirty(t, &r, x + 2 * pg, 4 * pg, true);
				check_dirty(t, &r, x + 2 * pg, 1ull << b, true);
				check_dirty(t, &r, x, 1ull << b, false);
			}
		}
		unmap_all(t, &r);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* ---- every allocation failing in turn ---- */

static void test_fail_nth(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		unsigned int n, g, b, done = 0;

		for (n = 1; n < 200 && !done; n++) {
			struct pt_table *t;
			uint64_t m = 0, u = 0, base, len;
			int ret;

			ufd_fail_nth_set(n);
			t = pt_alloc(&tc->cfg);
			if (IS_ERR(t)) {
				ufd_fail_nth_set(0);
				assert_int_equal(PTR_ERR(t), -ENOMEM);
				assert_int_equal(ufd_alloc_live(), live);
				continue;
			}
			g = smallest_lg2(t);
			b = big_lg2(t);
			/* Pages under two different upper-level tables. */
			base = (1ull << pt_item_lg2(&t->ctx, 1)) - (4ull << g);
			len = 8ull << g;
			if (!in_range(t, base, base + len - 1)) {
				base = 0;
				len = 8ull << g;
			}
			ret = pt_map(t, base, 0, len, PT_PROT_READ, &m);
			if (ret) {
				assert_int_equal(ret, -ENOMEM);
				assert_true(m < len);
			} else if (b && in_range(t, 0, (2ull << b) - 1) &&
				   b - g < 10) {
				/* A split needs a table too. */
				uint64_t x = 1ull << b;

				if (!pt_map(t, x, x, x, PT_PROT_READ, &len) &&
				    pt_unmap(t, x + (1ull << g), 1ull << g,
					     PT_UNMAP_SPLIT, NULL,
					     &u) == -ENOMEM)
					assert_true(u == 0);
			}
			done = ufd_fail_nth_get() != 0;
			ufd_fail_nth_set(0);
			if (m)
				assert_int_equal(
					pt_unmap(t, base, m, 0, NULL, &u), 0);
			pt_free(t);
			assert_int_equal(ufd_alloc_live(), live);
		}
		assert_true(done);
	}
}

/* ---- tables in guest memory ---- */

struct same_walk {
	struct pt_walk_ctx *guest;
	struct pt_table *t;
	size_t n;
};

static int same_walk_fn(void *priv, uint64_t iova, unsigned int s_lg2,
			uint64_t oa, uint64_t desc)
{
	struct same_walk *sw = priv;
	struct pt_walk_result a, b;

	assert_int_equal(pt_walk(pt_table_walk_ctx(sw->t), iova, PT_ACCESS_PRIV,
				 &a),
			 pt_walk(sw->guest, iova, PT_ACCESS_PRIV, &b));
	assert_true(a.oa == b.oa && a.desc == b.desc &&
		    a.desc_pa == b.desc_pa && a.page_lg2 == b.page_lg2);
	sw->n++;
	return 0;
}

/*
 * A new table of @cfg (tables in arena @a) with four of its smallest pages
 * mapped read-write at the IOVA returned in *@x (one entry into level 1,
 * or 0 when that is out of range).
 */
static struct pt_table *guest_table_mapped(const struct pt_cfg *cfg,
					   struct arena *a, uint64_t *x)
{
	struct pt_table *t = new_table(cfg);
	uint64_t m = 0;

	assert_true(pt_root(&t->ctx) >= a->gpa &&
		    pt_root(&t->ctx) < a->gpa + a->size);
	*x = 1ull << pt_item_lg2(&t->ctx, 1);
	if (!in_range(t, *x, *x + (4ull << smallest_lg2(t))))
		*x = 0;
	assert_int_equal(pt_map(t, *x, 0x12340000ull, 4ull << smallest_lg2(t),
				PT_PROT_READ | PT_PROT_WRITE, &m),
			 0);
	return t;
}

static void test_guest_tables(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	uint64_t seed = test_seed(PT_SUITE_FMT " guest tables");

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_cfg cfg = tc->cfg;
		struct arena a;
		struct pt_table *t;
		struct pt_walk_ctx guest;
		struct pt_walk_result res;
		struct same_walk sw;
		uint64_t pa, x;

		arena_init(&a, 256ull << 20, 0x80000000ull);
		cfg.mem = &arena_ops;
		cfg.mem_priv = &a;
		/* The random sequence again, tables in the arena. */
		run_random(&cfg, seed, 600, false);
		assert_int_equal(a.live, 0);

		t = guest_table_mapped(&cfg, &a, &x);
		/* A separate context over the same guest tables agrees. */
		assert_int_equal(
			pt_walk_ctx_init(&guest, &cfg, pt_root(&t->ctx)), 0);
		sw = (struct same_walk){ .guest = &guest, .t = t };
		for_each_leaf_all(t, same_walk_fn, &sw);
		assert_true(sw.n > 0);
		/* Table memory that does not translate is an external abort. */
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &res), 0);
		a.refuse = res.desc_pa & ~4095ull;
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &res),
				 -EFAULT);
		assert_int_equal(res.fault, PT_FAULT_EXTERNAL);
		assert_true((res.desc_pa & ~4095ull) == a.refuse);
		assert_int_equal(pt_iova_to_phys(t, x, &pa), -EFAULT);
		a.refuse = 0;
		assert_int_equal(pt_iova_to_phys(t, x, &pa), 0);
		assert_true(pa == 0x12340000ull);
		pt_free(t);
		assert_int_equal(a.live, 0);
		arena_destroy(&a);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/*
 * A window over table memory: walks read (and with a writable window
 * update) descriptors inside it without calling map(), answer as through
 * map(), and call map() for what lies outside or for stores it refuses.
 */
static void test_mem_window(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	const unsigned int upd = PT_ACCESS_READ | PT_HW_HA | PT_HW_HD;

	for (; tc->desc; tc++) {
		struct pt_mem_window win = { 0 };
		struct pt_walk_result want, got;
		struct pt_cfg cfg = tc->cfg;
		struct pt_walk_ctx guest;
		struct pt_table *t;
		unsigned long maps;
		struct arena a;
		uint64_t x;

		arena_init(&a, 64ull << 20, 0x80000000ull);
		cfg.mem = &arena_ops;
		cfg.mem_priv = &a;
		t = guest_table_mapped(&cfg, &a, &x);
		assert_int_equal(pt_walk(&t->ctx, x, PT_ACCESS_READ, &want), 0);

		/* The whole arena, read-only: reads take no map() call. */
		win = (struct pt_mem_window){ .pa = a.gpa,
					      .size = a.size,
					      .host = (uintptr_t)a.host };
		cfg.mem_window = &win;
		assert_int_equal(
			pt_walk_ctx_init(&guest, &cfg, pt_root(&t->ctx)), 0);
		maps = a.maps;
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &got), 0);
		assert_int_equal(a.maps, maps);
		assert_true(got.oa == want.oa && got.desc == want.desc &&
			    got.desc_pa == want.desc_pa &&
			    got.page_lg2 == want.page_lg2);
		/* A walk that may update goes to map() for every store. */
		assert_int_equal(pt_walk(&guest, x, upd, &got), 0);
		assert_true(a.maps > maps);
		assert_true(got.oa == want.oa);
		/* Writable: no call for those either. */
		win.write = true;
		maps = a.maps;
		assert_int_equal(pt_walk(&guest, x, upd, &got), 0);
		assert_int_equal(a.maps, maps);
		/* Outside the window map() answers, refusals included. */
		win.size = 0;
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &got), 0);
		assert_true(a.maps > maps);
		a.refuse = want.desc_pa & ~4095ull;
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &got),
				 -EFAULT);
		assert_int_equal(got.fault, PT_FAULT_EXTERNAL);
		/* The window is trusted to answer as map() would. */
		win.size = a.size;
		assert_int_equal(pt_walk(&guest, x, PT_ACCESS_READ, &got), 0);
		a.refuse = 0;
		pt_free(t);
		arena_destroy(&a);
	}
}

/* ---- growth of a dynamic top ---- */

struct grow_log {
	uint64_t root;
	unsigned int levels, calls;
};

static void grow_cb(void *priv, uint64_t root, unsigned int levels)
{
	struct grow_log *gl = priv;

	gl->root = root;
	gl->levels = levels;
	gl->calls++;
}

static void test_grow(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct grow_log gl = { 0 };
		struct pt_cfg cfg = tc->cfg;
		struct pt_table *t;
		struct pt_walk_result res;
		uint64_t m = 0, pa, u;
		unsigned int l0;

		if (!(cfg.flags & PT_CFG_DYNAMIC_TOP))
			continue;
		cfg.top_changed = grow_cb;
		cfg.top_priv = &gl;
		cfg.ias = 50;
		t = new_table(&cfg);
		l0 = pt_levels(&t->ctx);
		/* Beyond the top nothing is mapped yet: a hole, no growth. */
		assert_int_equal(pt_unmap(t, 1ull << 45, 0x1000, 0, NULL, &u),
				 -ENOENT);
		assert_int_equal(pt_unmap(t, 0, 1ull << 45, PT_UNMAP_HOLES,
					  NULL, &u),
				 0);
		assert_true(u == 1ull << 45);
		assert_int_equal(
			pt_read_and_clear_dirty(t, 0, 1ull << 45, 0, NULL), 0);
		assert_int_equal(pt_unmap(t, 1ull << 50, 0x1000, PT_UNMAP_HOLES,
					  NULL, &u),
				 -ERANGE);
		assert_int_equal(pt_levels(&t->ctx), l0);
		assert_int_equal(
			pt_map(t, 0x1000, 0x5000, 0x1000, PT_PROT_READ, &m), 0);
		assert_int_equal(gl.calls, 0);
		/* 2^40 needs (40 - 12) / 9 + 1 = 4 levels. */
		assert_int_equal(pt_map(t, 1ull << 40, 0x7000, 0x1000,
					PT_PROT_READ, &m),
				 0);
		assert_true(gl.calls >= 1);
		assert_int_equal(gl.levels, 4);
		assert_int_equal(pt_levels(&t->ctx), 4);
		assert_true(gl.root == pt_root(&t->ctx));
		assert_true(pt_levels(&t->ctx) > l0);
		/* Both mappings walk from the new top. */
		assert_int_equal(pt_walk(&t->ctx, 0x1000, PT_ACCESS_READ, &res),
				 0);
		assert_true(res.oa == 0x5000);
		assert_int_equal(pt_iova_to_phys(t, 1ull << 40, &pa), 0);
		assert_true(pa == 0x7000);
		/* Up to ias and no further. */
		assert_int_equal(pt_map(t, (1ull << 50) - 0x1000, 0x9000,
					0x1000, PT_PROT_READ, &m),
				 0);
		assert_int_equal(pt_levels(&t->ctx), 5);
		assert_int_equal(pt_map(t, 1ull << 50, 0x9000, 0x1000,
					PT_PROT_READ, &m),
				 -ERANGE);
		assert_int_equal(pt_unmap(t, 0, 1ull << 50, PT_UNMAP_HOLES,
					  NULL, &u),
				 0);
		assert_int_equal(count_leaves(t), 0);
		pt_free(t);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* ---- maps racing each other and a walker ---- */

struct race {
	struct pt_table *t;
	uint64_t base;	/* this thread's IOVA, shares upper tables */
	uint64_t delta; /* oa = iova + delta */
	unsigned int g;
	bool *stop; /* atomic */
	unsigned long bad;
};

static void *race_mapper(void *arg)
{
	struct race *rc = arg;
	uint64_t mapped_slots = 0;
	unsigned int i;

	/* Toggle 64 pages, in an order that revisits them unevenly. */
	for (i = 0; i < 4000; i++) {
		unsigned int slot = (i * 7 + i / 64) % 64;
		uint64_t iova = rc->base + ((uint64_t)slot << (rc->g + 1));
		uint64_t m = 0, u = 0;

		if (mapped_slots & (1ull << slot)) {
			if (pt_unmap(rc->t, iova, 1ull << rc->g, 0, NULL, &u))
				rc->bad++;
		} else if (pt_map(rc->t, iova, iova + rc->delta, 1ull << rc->g,
				  PT_PROT_READ | PT_PROT_WRITE, &m)) {
			rc->bad++;
		}
		mapped_slots ^= 1ull << slot;
	}
	return NULL;
}

static void *race_walker(void *arg)
{
	struct race *rc = arg; /* rc[0] and rc[1] */
	uint64_t n = 0;

	while (!__atomic_load_n(rc[0].stop, __ATOMIC_ACQUIRE)) {
		struct race *r = &rc[n & 1];
		uint64_t iova = r->base + ((n % 64) << (r->g + 1));
		struct pt_walk_result res;

		if (!pt_walk(pt_table_walk_ctx(r->t), iova,
			     PT_ACCESS_READ | PT_ACCESS_WRITE | PT_HW_HA |
				     PT_HW_HD | PT_ACCESS_PRIV,
			     &res) &&
		    res.oa != iova + r->delta)
			r->bad++;
		n++;
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	bool stop = false;
	struct pt_table *t = new_table(&tc->cfg);
	unsigned int g = smallest_lg2(t);
	struct race rc[2] = {
		{ .t = t,
		  .base = 0,
		  .delta = 1ull << 30,
		  .g = g,
		  .stop = &stop },
		{ .t = t,
		  .base = 1ull << g,
		  .delta = 2ull << 30,
		  .g = g,
		  .stop = &stop },
	};
	pthread_t m0, m1, w;
	uint64_t u;

	assert_int_equal(pthread_create(&w, NULL, race_walker, rc), 0);
	assert_int_equal(pthread_create(&m0, NULL, race_mapper, &rc[0]), 0);
	assert_int_equal(pthread_create(&m1, NULL, race_mapper, &rc[1]), 0);
	pthread_join(m0, NULL);
	pthread_join(m1, NULL);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	pthread_join(w, NULL);
	assert_int_equal(rc[0].bad, 0);
	assert_int_equal(rc[1].bad, 0);
	assert_int_equal(pt_unmap(t, 0, 256ull << g, PT_UNMAP_HOLES, NULL, &u),
			 0);
	assert_int_equal(count_leaves(t), 0);
	pt_free(t);
}

/* ---- remap ---- */

/* Every 2^step_lg2 bytes of [iova, iova + len) translates linearly to @oa. */
static void check_linear(struct pt_table *t, uint64_t iova, uint64_t len,
			 uint64_t oa, unsigned int step_lg2)
{
	uint64_t off, pa, step = 1ull << step_lg2;

	for (off = 0; off < len; off += step) {
		/* The first and the last byte of each step. */
		uint64_t probe[2] = { off, off + step - 1 };
		unsigned int k;

		for (k = 0; k < 2; k++) {
			int ret = pt_iova_to_phys(t, iova + probe[k], &pa);

			if (ret || pa != oa + probe[k])
				printf("# iova 0x%" PRIx64 ": %d 0x%" PRIx64
				       ", want 0x%" PRIx64 "\n",
				       iova + probe[k], ret, pa, oa + probe[k]);
			assert_int_equal(ret, 0);
			assert_true(pa == oa + probe[k]);
		}
	}
}

struct leaf_rec {
	uint64_t iova, oa, desc;
	unsigned int s_lg2;
};

struct leaf_list {
	struct leaf_rec *v;
	size_t n, cap;
};

static int leaf_list_fn(void *priv, uint64_t iova, unsigned int s_lg2,
			uint64_t oa, uint64_t desc)
{
	struct leaf_list *ll = priv;

	if (ll->n == ll->cap) {
		ll->cap = ll->cap ? 2 * ll->cap : 64;
		ll->v = realloc(ll->v, ll->cap * sizeof(*ll->v));
		assert_non_null(ll->v);
	}
	ll->v[ll->n++] = (struct leaf_rec){ iova, oa, desc, s_lg2 };
	return 0;
}

/* The leaves intersecting [iova, iova + len), in IOVA order. */
static void leaf_list_get(struct pt_table *t, uint64_t iova, uint64_t len,
			  struct leaf_list *ll)
{
	ll->n = 0;
	assert_int_equal(pt_for_each_leaf(t, iova, len, leaf_list_fn, ll), 0);
}

/*
 * Every format keeps a leaf's output address in bits 51:12 (the AMD page
 * size encoding too; ARM with 64K puts OA[51:48] in 15:12), so a remap that
 * keeps the page size must leave every other bit as it was: permissions,
 * attributes, Accessed, Dirty.
 */
#define LEAF_ADDR_BITS (((1ull << 52) - 1) & ~((1ull << 12) - 1))

/* The smallest page size stored above level 0. */
static unsigned int split_lg2(struct pt_table *t, const struct ref *r)
{
	uint64_t bm;

	for (bm = pt_pgsize_bitmap(t); bm; bm &= bm - 1) {
		unsigned int s = (unsigned int)__builtin_ctzll(bm);

		if (ref_level_of(r, s) > 0)
			return s;
	}
	return 0;
}

/* Small pages, across a table boundary; every page checked. */
static void test_remap_small(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t);
		uint64_t pg = 1ull << g, len = 64 * pg, m = 0, wm = 0;
		uint64_t iova = (1ull << pt_item_lg2(&t->ctx, 1)) - 32 * pg;
		/* Only the smallest size fits these output addresses. */
		uint64_t oa0 = (1ull << 30) + pg, oa1 = (3ull << 30) + 5 * pg;
		uint64_t done = 1, wd;
		struct ref r;

		ref_init(&r, t);
		if (!in_max_range(t, iova, iova + len - 1))
			iova = 0;
		assert_int_equal(pt_map(t, iova, oa0, len,
					PT_PROT_READ | PT_PROT_WRITE, &m),
				 ref_map(&r, iova, oa0, len,
					 PT_PROT_READ | PT_PROT_WRITE, &wm));
		assert_true(m == len);
		assert_int_equal(pt_remap(t, iova, len, oa1, &done), 0);
		assert_true(done == len);
		assert_int_equal(ref_remap(&r, iova, len, oa1, &wd), 0);
		check_linear(t, iova, len, oa1, g);
		check_full(t, &r);
		assert_int_equal(count_leaves(t), 64);

		/* A part in the middle back: only that part moves. */
		assert_int_equal(pt_remap(t, iova + 16 * pg, 8 * pg,
					  oa0 + 16 * pg, &done),
				 0);
		assert_true(done == 8 * pg);
		ref_remap(&r, iova + 16 * pg, 8 * pg, oa0 + 16 * pg, &wd);
		check_linear(t, iova, 16 * pg, oa1, g);
		check_linear(t, iova + 16 * pg, 8 * pg, oa0 + 16 * pg, g);
		check_linear(t, iova + 24 * pg, 40 * pg, oa1 + 24 * pg, g);
		check_full(t, &r);

		unmap_all(t, &r);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/*
 * Large pages: to an address aligned like them they stay whole; to one
 * aligned only a little (at most 2^9 pieces a page) they split.
 */
static void test_remap_large(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), oas = t->ctx.oas;
		uint64_t bm = pt_pgsize_bitmap(t);
		const unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
		struct leaf_list ll = { 0 };
		struct ref r;

		ref_init(&r, t);
		for (bm &= bm - 1; bm; bm &= bm - 1) {
			unsigned int s = (unsigned int)__builtin_ctzll(bm), a;
			uint64_t size = 1ull << s, x = 4ull << s, m = 0, d, wd;
			/* Aligned to s and no more: map lays pages of 2^s. */
			uint64_t oa0 = (8ull << s) + size;
			uint64_t oa1 = (32ull << s) + 3 * size;
			uint64_t oa2;
			size_t k;

			if (!in_max_range(t, x, x + 2 * size - 1) ||
			    s + 8 > oas)
				continue;
			assert_int_equal(pt_map(t, x, oa0, 2 * size, rw, &m),
					 0);
			ref_map(&r, x, oa0, 2 * size, rw, &m);
			leaf_list_get(t, x, 2 * size, &ll);
			assert_int_equal(ll.n, 2);

			/* Aligned the same way: the pages stay whole. */
			assert_int_equal(pt_remap(t, x, 2 * size, oa1, &d), 0);
			assert_true(d == 2 * size);
			ref_remap(&r, x, 2 * size, oa1, &wd);
			leaf_list_get(t, x, 2 * size, &ll);
			assert_int_equal(ll.n, 2);
			for (k = 0; k < 2; k++) {
				assert_int_equal(ll.v[k].s_lg2, s);
				assert_true(ll.v[k].iova == x + k * size);
				assert_true(ll.v[k].oa == oa1 + k * size);
			}
			check_full(t, &r);

			/* Aligned to a smaller size only: the pages split. */
			a = s - g > 9 ? s - 9 : g;
			oa2 = (64ull << s) + (1ull << a);
			assert_int_equal(pt_remap(t, x, 2 * size, oa2, &d), 0);
			assert_true(d == 2 * size);
			ref_remap(&r, x, 2 * size, oa2, &wd);
			leaf_list_get(t, x, 2 * size, &ll);
			assert_true(ll.n >= 2ull << (s - a));
			for (k = 0; k < ll.n; k++)
				assert_true(ll.v[k].s_lg2 <= a);
			check_linear(t, x, 2 * size, oa2, a);
			check_full(t, &r);
			unmap_all(t, &r);
		}
		free(ll.v);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* A range that cuts a large page at both ends; the outside stays put. */
static void test_remap_cut(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), oas = t->ctx.oas;
		uint64_t bm = pt_pgsize_bitmap(t), pg = 1ull << g;
		const unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
		struct ref r;

		ref_init(&r, t);
		for (bm &= bm - 1; bm; bm &= bm - 1) {
			unsigned int s = (unsigned int)__builtin_ctzll(bm);
			uint64_t size = 1ull << s, x = 2ull << s, m = 0, d, wd;
			uint64_t oa0 = (8ull << s) + size, in = size - 2 * pg;
			/*
			 * First the same offset modulo the page (pieces are
			 * small only near the cuts), then any offset.
			 */
			uint64_t to[2] = { (32ull << s) + pg,
					   (64ull << s) + 3 * pg };
			unsigned int v;

			/* Room for a page at each end and some between. */
			if (!in_max_range(t, x, x + size - 1) || s + 8 > oas ||
			    s - g < 2)
				continue;
			for (v = 0; v < 2; v++) {
				if (v == 1 && s - g > 10)
					break;
				assert_int_equal(
					pt_map(t, x, oa0, size, rw, &m), 0);
				ref_map(&r, x, oa0, size, rw, &m);
				assert_int_equal(
					pt_remap(t, x + pg, in, to[v], &d), 0);
				assert_true(d == in);
				ref_remap(&r, x + pg, in, to[v], &wd);
				check_full(t, &r);
				check_linear(t, x, pg, oa0, g);
				check_linear(t, x + size - pg, pg,
					     oa0 + size - pg, g);
				if (v == 1 || in <= 8 * pg) {
					check_linear(t, x + pg, in, to[v], g);
				} else {
					/* The ends: the cuts are there. */
					check_linear(t, x + pg, 4 * pg, to[v],
						     g);
					check_linear(t, x + size - 5 * pg,
						     4 * pg,
						     to[v] + in - 4 * pg, g);
				}
				unmap_all(t, &r);
			}
		}
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* What a walk says of @iova apart from the address. */
struct walk_sig {
	int ret;
	enum pt_fault fault;
	unsigned int perm, page_lg2, level;
	uint64_t attr;
};

static const unsigned int sig_access[] = {
	PT_ACCESS_READ | PT_ACCESS_PRIV,
	PT_ACCESS_WRITE | PT_ACCESS_PRIV,
	PT_ACCESS_EXEC | PT_ACCESS_PRIV,
	PT_ACCESS_READ,
	PT_ACCESS_WRITE,
};
#define NSIG (sizeof(sig_access) / sizeof(sig_access[0]))

static void walk_sigs(struct pt_table *t, uint64_t iova, struct walk_sig *sig)
{
	unsigned int k;

	for (k = 0; k < NSIG; k++) {
		struct pt_walk_result res;

		/* No hardware updates: the walk must change nothing. */
		sig[k].ret = pt_walk(pt_table_walk_ctx(t), iova, sig_access[k],
				     &res);
		sig[k].fault = res.fault;
		sig[k].perm = res.perm;
		sig[k].page_lg2 = sig[k].ret ? 0 : res.page_lg2;
		sig[k].level = res.level;
		sig[k].attr = sig[k].ret ? 0 : res.attr;
	}
}

static void check_sigs(const struct walk_sig *a, const struct walk_sig *b)
{
	unsigned int k;

	for (k = 0; k < NSIG; k++) {
		assert_int_equal(a[k].ret, b[k].ret);
		assert_int_equal(a[k].fault, b[k].fault);
		assert_int_equal(a[k].perm, b[k].perm);
		assert_int_equal(a[k].page_lg2, b[k].page_lg2);
		assert_int_equal(a[k].level, b[k].level);
		assert_true(a[k].attr == b[k].attr);
	}
}

/* Permissions, attributes, Accessed and Dirty survive a remap. */
static void test_remap_attrs(void **state)
{
	static const unsigned int prots[] = {
		PT_PROT_READ | PT_PROT_WRITE,
		PT_PROT_READ,
		PT_PROT_WRITE | PT_PROT_NOEXEC,
		PT_PROT_READ | PT_PROT_WRITE | PT_PROT_PRIV | PT_PROT_CACHE,
		PT_PROT_READ | PT_PROT_WRITE | PT_PROT_MMIO,
	};
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), b = big_lg2(t), k, i;
		uint64_t pg = 1ull << g, base = 64 * pg, m = 0, d, wd;
		uint64_t len = 40 * pg, oa0 = (1ull << 30) + pg;
		uint64_t oa1 = (5ull << 30) + 7 * pg, bx = 0, bsz = 0, boa;
		struct walk_sig before[40][NSIG], after[NSIG];
		struct walk_sig bbefore[NSIG], bfirst[NSIG];
		struct leaf_list l0 = { 0 }, l1 = { 0 };
		struct ref r;

		ref_init(&r, t);
		/* Eight small pages of each protection, mapped linearly. */
		for (k = 0; k < 5; k++)
			assert_int_equal(
				pt_map(t, base + k * 8 * pg, oa0 + k * 8 * pg,
				       8 * pg, prots[k], &m),
				ref_map(&r, base + k * 8 * pg, oa0 + k * 8 * pg,
					8 * pg, prots[k], &m));
		/* A large page if one is cheap to split. */
		if (b && b - g <= 10 && b + 4 <= t->ctx.oas) {
			bsz = 1ull << b;
			bx = 2 * bsz;
			if (bx < base + len)
				bx = (base + len + 2 * bsz) & ~(bsz - 1);
			if (!in_max_range(t, bx, bx + bsz - 1))
				bsz = 0;
		}
		if (bsz) {
			assert_int_equal(
				pt_map(t, bx, 4 * bsz, bsz,
				       PT_PROT_READ | PT_PROT_WRITE, &m),
				ref_map(&r, bx, 4 * bsz, bsz,
					PT_PROT_READ | PT_PROT_WRITE, &m));
			assert_int_equal(pt_set_dirty(t, bx + bsz - pg),
					 ref_set_dirty(&r, bx + bsz - pg));
		}
		/* Some dirty, some accessed (where A is not set at map). */
		for (i = 0; i < 40; i += 3)
			assert_int_equal(pt_set_dirty(t, base + i * pg),
					 ref_set_dirty(&r, base + i * pg));
		for (i = 1; i < 40; i += 4) {
			struct pt_walk_result res;

			pt_walk(pt_table_walk_ctx(t), base + i * pg,
				PT_ACCESS_PRIV | PT_HW_HA, &res);
		}
		for (i = 0; i < 40; i++)
			walk_sigs(t, base + i * pg, before[i]);
		leaf_list_get(t, base, len, &l0);
		check_dirty(t, &r, base, len, true);

		assert_int_equal(pt_remap(t, base, len, oa1, &d), 0);
		assert_true(d == len);
		ref_remap(&r, base, len, oa1, &wd);
		check_linear(t, base, len, oa1, g);
		for (i = 0; i < 40; i++) {
			walk_sigs(t, base + i * pg, after);
			check_sigs(before[i], after);
		}
		leaf_list_get(t, base, len, &l1);
		assert_int_equal(l0.n, l1.n);
		for (i = 0; i < l0.n; i++) {
			assert_true(l1.v[i].oa == oa1 + (l1.v[i].iova - base));
			assert_int_equal(l1.v[i].s_lg2, l0.v[i].s_lg2);
			assert_true((l0.v[i].desc & ~LEAF_ADDR_BITS) ==
				    (l1.v[i].desc & ~LEAF_ADDR_BITS));
		}
		check_dirty(t, &r, base, len, true);
		/* Still write-clean where it was: a write dirties it now. */
		assert_int_equal(pt_set_dirty(t, base + pg),
				 ref_set_dirty(&r, base + pg));
		check_dirty(t, &r, base, len, true);

		if (bsz) {
			/*
			 * Probed where the page was made dirty: pieces
			 * inherit the page's dirty state, so an entry that
			 * was clean in a dirty run may become dirty.
			 */
			walk_sigs(t, bx + bsz - pg, bbefore);
			walk_sigs(t, bx, bfirst);
			/*
			 * Aligned: the page stays whole and each of its
			 * entries keeps its own state (only the last one was
			 * written dirty).
			 */
			assert_int_equal(pt_remap(t, bx, bsz, 2 * bsz, &d), 0);
			ref_remap(&r, bx, bsz, 2 * bsz, &wd);
			check_linear(t, bx, bsz, 2 * bsz, g);
			walk_sigs(t, bx + bsz - pg, after);
			check_sigs(bbefore, after);
			walk_sigs(t, bx, after);
			check_sigs(bfirst, after);
			check_full(t, &r);
			/* Misaligned: pieces, each dirty like the page. */
			boa = (8 * bsz) + pg;
			assert_int_equal(pt_remap(t, bx, bsz, boa, &d), 0);
			ref_remap(&r, bx, bsz, boa, &wd);
			check_linear(t, bx, bsz, boa, g);
			check_full(t, &r);
			walk_sigs(t, bx + bsz - pg, after);
			/* Pieces: all the same but the size and level. */
			for (k = 0; k < NSIG; k++) {
				after[k].page_lg2 = bbefore[k].page_lg2;
				after[k].level = bbefore[k].level;
			}
			check_sigs(bbefore, after);
			check_dirty(t, &r, bx, bsz, true);
		}
		check_full(t, &r);
		check_dirty(t, &r, 0, cov_last(t), false);
		free(l0.v);
		free(l1.v);
		unmap_all(t, &r);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* The error contract: holes, arguments, ranges, a growing top. */
static void test_remap_errors(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), oas = t->ctx.oas;
		uint64_t pg = 1ull << g, base = 64 * pg, m = 0, d, wd, cl;
		uint64_t oa0 = (1ull << 30) + pg, oa1 = (2ull << 30) + 3 * pg;
		const unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
		struct ref r;

		ref_init(&r, t);
		/* Four pages, a hole of two, two pages. */
		assert_int_equal(pt_map(t, base, oa0, 4 * pg, rw, &m),
				 ref_map(&r, base, oa0, 4 * pg, rw, &m));
		assert_int_equal(pt_map(t, base + 6 * pg, oa0 + 6 * pg, 2 * pg,
					rw, &m),
				 ref_map(&r, base + 6 * pg, oa0 + 6 * pg,
					 2 * pg, rw, &m));
		d = 1;
		assert_int_equal(pt_remap(t, base, 8 * pg, oa1, &d), -ENOENT);
		assert_true(d == 4 * pg);
		assert_int_equal(ref_remap(&r, base, 8 * pg, oa1, &wd),
				 -ENOENT);
		check_linear(t, base, 4 * pg, oa1, g);
		check_linear(t, base + 6 * pg, 2 * pg, oa0 + 6 * pg, g);
		check_full(t, &r);
		/* Starting in the hole: nothing done. */
		d = 1;
		assert_int_equal(pt_remap(t, base + 4 * pg, 4 * pg, oa1, &d),
				 -ENOENT);
		assert_true(d == 0);
		check_linear(t, base + 6 * pg, 2 * pg, oa0 + 6 * pg, g);
		/* Undone with the old address. */
		assert_int_equal(pt_remap(t, base, 4 * pg, oa0, &d), 0);
		assert_true(d == 4 * pg);
		ref_remap(&r, base, 4 * pg, oa0, &wd);
		check_linear(t, base, 4 * pg, oa0, g);

		/* Arguments: *done is 0 and nothing moves. */
		d = 1;
		assert_int_equal(pt_remap(t, base, 0, oa1, &d), -EINVAL);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, base + pg / 2, pg, oa1, &d),
				 -EINVAL);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, base, pg, oa1 + pg / 2, &d),
				 -EINVAL);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, base, pg + pg / 2, oa1, &d),
				 -EINVAL);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, -pg, 2 * pg, oa1, &d), -EOVERFLOW);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, base, pg, 1ull << oas, &d),
				 -ERANGE);
		assert_true(d == 0);
		d = 1;
		assert_int_equal(pt_remap(t, base, 2 * pg, (1ull << oas) - pg,
					  &d),
				 -ERANGE);
		assert_true(d == 0);
		assert_int_equal(pt_remap(t, base, pg, -pg, &d), -ERANGE);
		cl = cov_last(t);
		if (!(t->cfg.flags & PT_CFG_DYNAMIC_TOP) && cl != U64_MAX) {
			d = 1;
			assert_int_equal(pt_remap(t, cl + 1, pg, oa1, &d),
					 -ERANGE);
			assert_true(d == 0);
			assert_int_equal(pt_remap(t, cl + 1 - pg, 2 * pg, oa1,
						  &d),
					 -ERANGE);
		}
		check_linear(t, base, 4 * pg, oa0, g);
		check_full(t, &r);

		/* A growing table: nothing beyond its top, a hole. */
		if ((t->cfg.flags & PT_CFG_DYNAMIC_TOP) && cl < U64_MAX / 4 &&
		    (t->ctx.ias >= 64 || cl + 1 < (1ull << t->ctx.ias))) {
			unsigned int levels = pt_levels(&t->ctx);

			d = 1;
			assert_int_equal(pt_remap(t, cl + 1, pg, oa1, &d),
					 -ENOENT);
			assert_true(d == 0);
			assert_int_equal(
				pt_map(t, cl + 1 - pg, oa0, pg, rw, &m),
				ref_map(&r, cl + 1 - pg, oa0, pg, rw, &m));
			d = 1;
			assert_int_equal(pt_remap(t, cl + 1 - pg, 2 * pg, oa1,
						  &d),
					 -ENOENT);
			assert_true(d == pg);
			ref_remap(&r, cl + 1 - pg, 2 * pg, oa1, &wd);
			check_linear(t, cl + 1 - pg, pg, oa1, g);
			/* Remapping never grows the table. */
			assert_int_equal(pt_levels(&t->ctx), levels);
			if (t->ctx.ias < 64)
				assert_int_equal(pt_remap(t, 1ull << t->ctx.ias,
							  pg, oa1, &d),
						 -ERANGE);
			check_full(t, &r);
		}
		unmap_all(t, &r);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/*
 * Every table allocation a remap's splits make fails in turn: -ENOMEM,
 * what came before is remapped and the rest is not, and the undo with the
 * old address succeeds without evaluating a single fail point.
 */
static void test_remap_nomem(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);

	for (; tc->desc; tc++) {
		int64_t live = ufd_alloc_live();
		struct pt_table *t = new_table(&tc->cfg);
		unsigned int g = smallest_lg2(t), s, n, nomem = 0;
		uint64_t pg = 1ull << g, size, x, len, oa0, oa1;
		bool finished = false;
		struct ref r;

		ref_init(&r, t);
		s = split_lg2(t, &r);
		assert_true(s > g);
		size = 1ull << s;
		x = 4 * size;
		len = 3 * size;
		oa0 = 8 * size + size; /* aligned to 2^s only */
		oa1 = 16 * size + pg;  /* aligned to the smallest page */
		assert_true(s + 6 <= t->ctx.oas);
		assert_true(in_max_range(t, x, x + len - 1));
		for (n = 1; n < 64 && !finished; n++) {
			uint64_t m = 0, d = 1, d2 = 1, u;
			unsigned int armed;
			int ret;

			assert_int_equal(
				pt_map(t, x, oa0, len, PT_PROT_READ, &m), 0);
			assert_int_equal(count_leaves(t), 3);
			ufd_fail_nth_set(n);
			ret = pt_remap(t, x, len, oa1, &d);
			armed = ufd_fail_nth_get();
			ufd_fail_nth_set(0);
			if (!ret) {
				assert_true(armed != 0);
				assert_true(d == len);
				check_linear(t, x, len, oa1, g);
				finished = true;
			} else {
				assert_int_equal(ret, -ENOMEM);
				assert_int_equal(armed, 0);
				assert_true(d < len && !(d & (pg - 1)));
				nomem++;
				check_linear(t, x, d, oa1, g);
				check_linear(t, x + d, len - d, oa0 + d, g);
				if (d) {
					/* No allocation at all: stays armed. */
					ufd_fail_nth_set(1);
					ret = pt_remap(t, x, d, oa0, &d2);
					armed = ufd_fail_nth_get();
					ufd_fail_nth_set(0);
					assert_int_equal(ret, 0);
					assert_true(d2 == d);
					assert_int_equal(armed, 1);
				}
				check_linear(t, x, len, oa0, g);
			}
			assert_int_equal(pt_unmap(t, x, len, 0, NULL, &u), 0);
			assert_true(u == len);
			assert_int_equal(count_leaves(t), 0);
		}
		assert_true(finished);
		/* Each page's split needs a table. */
		assert_true(nomem >= 3);
		pt_free(t);
		ref_destroy(&r);
		assert_int_equal(ufd_alloc_live(), live);
	}
}

/* The random sequence with remaps, host tables and guest tables. */
static void test_remap_random(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	uint64_t seed = test_seed(PT_SUITE_FMT " remap random");
	struct pt_cfg cfg = tc->cfg;
	struct arena a;

	for (; tc->desc; tc++, seed++) {
		unsigned int steps = tc->cfg.granule_lg2 == 16	 ? 1000
				     : tc->cfg.granule_lg2 == 14 ? 1500
								 : 2000;

		printf("# %s\n", tc->desc);
		run_random(&tc->cfg, seed, steps, true);
	}
	printf("# guest tables\n");
	arena_init(&a, 256ull << 20, 0x80000000ull);
	cfg.mem = &arena_ops;
	cfg.mem_priv = &a;
	run_random(&cfg, seed, 1000, true);
	assert_int_equal(a.live, 0);
	arena_destroy(&a);
}

/*
 * A walker writing while the range moves back and forth, and a harvest
 * after every remap. Harvest i publishes epoch i + 1 when it is done. A
 * write made between reading epochs e1 and e2 found its leaf after harvest
 * e1 - 1 and before harvest e2 + 1 began, so one of harvests e1..e2 + 1
 * must report it: a remap that lost the walker's Dirty update (a plain
 * store instead of compare-and-swap) shows up as a write no harvest saw.
 */
#define RACE_PAGES 64
#define RACE_LOG (1u << 19)

struct race_write {
	uint32_t page, e1, e2;
};

struct remap_race {
	struct pt_table *t;
	uint64_t base, oa[2];
	unsigned int g;
	bool stop;		/* atomic */
	uint32_t epoch;		/* atomic: harvests done */
	unsigned long walks;	/* atomic */
	unsigned long bad;	/* walker only */
	struct race_write *log; /* the walker's writes */
	size_t nlog;		/* atomic */
	uint64_t *seen;		/* per harvest: pages it reported */
	size_t nseen;
};

static void *remap_walker(void *arg)
{
	struct remap_race *rr = arg;
	uint64_t n = 0;

	while (!__atomic_load_n(&rr->stop, __ATOMIC_ACQUIRE)) {
		unsigned int k = (unsigned int)((n * 7 + n / 64) % RACE_PAGES);
		uint64_t off = ((uint64_t)k << rr->g) + 8 * (n % 16);
		struct pt_walk_result res;
		uint32_t e1, e2;

		e1 = __atomic_load_n(&rr->epoch, __ATOMIC_SEQ_CST);
		if (pt_walk(pt_table_walk_ctx(rr->t), rr->base + off,
			    PT_ACCESS_WRITE | PT_ACCESS_PRIV | PT_HW_HA |
				    PT_HW_HD,
			    &res)) {
			rr->bad++;
		} else if (res.oa != rr->oa[0] + off &&
			   res.oa != rr->oa[1] + off) {
			rr->bad++;
		} else if (rr->nlog < RACE_LOG) {
			e2 = __atomic_load_n(&rr->epoch, __ATOMIC_SEQ_CST);
			rr->log[rr->nlog] = (struct race_write){ k, e1, e2 };
			__atomic_store_n(&rr->nlog, rr->nlog + 1,
					 __ATOMIC_RELEASE);
		}
		__atomic_fetch_add(&rr->walks, 1, __ATOMIC_RELAXED);
		n++;
	}
	return NULL;
}

static void remap_harvest(void *priv, uint64_t iova, uint64_t len)
{
	struct remap_race *rr = priv;
	uint64_t k;

	for (k = (iova - rr->base) >> rr->g;
	     k < (iova + len - rr->base) >> rr->g; k++)
		rr->seen[rr->nseen] |= 1ull << k;
}

static void remap_harvest_one(struct remap_race *rr)
{
	struct pt_dirty_sink sink = { .record = remap_harvest, .priv = rr };

	rr->seen[rr->nseen] = 0;
	assert_int_equal(pt_read_and_clear_dirty(rr->t, rr->base,
						 (uint64_t)RACE_PAGES << rr->g,
						 0, &sink),
			 0);
	rr->nseen++;
	__atomic_store_n(&rr->epoch, (uint32_t)rr->nseen, __ATOMIC_SEQ_CST);
}

static void test_remap_concurrent(void **state)
{
	const struct test_cfg *tc = test_cfgs(PT_SUITE_FMT);
	struct pt_table *t = new_table(&tc->cfg);
	unsigned int g = smallest_lg2(t);
	struct remap_race rr = {
		.t = t,
		.base = 1ull << 30,
		.oa = { (1ull << 31) + (1ull << g), (3ull << 30) },
		.g = g,
	};
	const size_t max_remaps = 200000;
	uint64_t len = (uint64_t)RACE_PAGES << g, m = 0, d, u;
	size_t i, lost = 0;
	pthread_t w;

	rr.log = calloc(RACE_LOG, sizeof(*rr.log));
	rr.seen = calloc(max_remaps + 1, sizeof(*rr.seen));
	assert_non_null(rr.log);
	assert_non_null(rr.seen);
	if (!in_max_range(t, rr.base, rr.base + len - 1))
		rr.base = 0;
	assert_int_equal(pt_map(t, rr.base, rr.oa[0], len,
				PT_PROT_READ | PT_PROT_WRITE, &m),
			 0);
	assert_int_equal(pthread_create(&w, NULL, remap_walker, &rr), 0);
	for (i = 0; i < max_remaps; i++) {
		if (i >= 5000 &&
		    __atomic_load_n(&rr.walks, __ATOMIC_RELAXED) >= 300000)
			break;
		assert_int_equal(
			pt_remap(t, rr.base, len, rr.oa[(i + 1) & 1], &d), 0);
		assert_true(d == len);
		remap_harvest_one(&rr);
	}
	__atomic_store_n(&rr.stop, true, __ATOMIC_RELEASE);
	pthread_join(w, NULL);
	remap_harvest_one(&rr);
	printf("# %zu remaps, %lu walks, %zu writes logged\n", i, rr.walks,
	       rr.nlog);
	assert_int_equal(rr.bad, 0);
	assert_true(rr.nlog > 0);
	/* A write the walker made is never lost to a remap. */
	if (dirty_capable(&tc->cfg, PT_PROT_WRITE)) {
		for (i = 0; i < rr.nlog; i++) {
			const struct race_write *wr = &rr.log[i];
			uint64_t any = 0;
			size_t e;

			for (e = wr->e1; e <= wr->e2 + 1 && e < rr.nseen; e++)
				any |= rr.seen[e];
			if (!(any & (1ull << wr->page)))
				lost++;
		}
		if (lost)
			printf("# %zu writes lost\n", lost);
		assert_int_equal(lost, 0);
	}
	assert_int_equal(pt_unmap(t, rr.base, len, 0, NULL, &u), 0);
	free(rr.log);
	free(rr.seen);
	pt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_fail_nth),
		cmocka_unit_test(test_guest_tables),
		cmocka_unit_test(test_mem_window),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_remap_small),
		cmocka_unit_test(test_remap_large),
		cmocka_unit_test(test_remap_cut),
		cmocka_unit_test(test_remap_attrs),
		cmocka_unit_test(test_remap_errors),
		cmocka_unit_test(test_remap_nomem),
		cmocka_unit_test(test_remap_random),
		cmocka_unit_test(test_remap_concurrent),
	};

	return cmocka_run_group_tests_name("pt_" PT_SUITE_FMT, tests, NULL,
					   NULL);
}
