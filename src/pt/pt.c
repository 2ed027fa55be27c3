// SPDX-License-Identifier: BSD-3-Clause
/*
 * The public face of src/pt: picks the engine instantiation for a format,
 * validates configurations, owns table memory and the deferred-free lists,
 * and forwards each call to the format's ops. The algorithms themselves are
 * in pt_engine.h.
 *
 * Page sizes: a table's pgsize_bitmap is what the format stores at the
 * levels the table may use, restricted to cfg.pgsize_allowed and to sizes
 * that fit both the input range and the output address size; size_level[]
 * maps each size to the one engine level that stores it (the formats never
 * store one size at two levels).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "pt/pt_priv.h"

static const struct pt_fmt_ops *const pt_all_fmts[] = {
	&pt_fmt_arm_s1_4k, &pt_fmt_arm_s1_16k, &pt_fmt_arm_s1_64k,
	&pt_fmt_arm_s2_4k, &pt_fmt_arm_s2_16k, &pt_fmt_arm_s2_64k,
	&pt_fmt_vtd_ss,	   &pt_fmt_vtd_fs,     &pt_fmt_amdv1,
	&pt_fmt_mock,
};

static const struct pt_fmt_ops *pt_find_fmt(const struct pt_cfg *cfg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pt_all_fmts); i++) {
		const struct pt_fmt_ops *ops = pt_all_fmts[i];

		if (ops->fmt != cfg->fmt)
			continue;
		/* ARM is built per granule; the others have one. */
		if (cfg->fmt == PT_FMT_ARM_S1 || cfg->fmt == PT_FMT_ARM_S2) {
			unsigned int g = cfg->granule_lg2 ? cfg->granule_lg2
							  : 12;

			if (ops->granule_lg2 == g)
				return ops;
			continue;
		}
		return ops;
	}
	return NULL;
}

static int pt_ctx_init(struct pt_walk_ctx *ctx, const struct pt_cfg *cfg)
{
	const struct pt_fmt_ops *ops = pt_find_fmt(cfg);

	memset(ctx, 0, sizeof(*ctx));
	if (!ops)
		return (cfg->fmt >= PT_FMT_ARM_S1 && cfg->fmt <= PT_FMT_MOCK)
			       ? -EINVAL
			       : -EOPNOTSUPP;
	if (cfg->mem && !cfg->mem->map)
		return -EINVAL;
	return ops->init(ctx, cfg);
}

int pt_walk_ctx_init(struct pt_walk_ctx *ctx, const struct pt_cfg *cfg,
		     uint64_t root)
{
	int ret = pt_ctx_init(ctx, cfg);

	if (ret)
		return ret;
	/* The level shares the word with the root: it must be 8-aligned. */
	if (root & 7)
		return -EINVAL;
	ctx->top = root | ctx->cfg_top_level;
	return 0;
}

void *pt_table_alloc(const struct pt_walk_ctx *ctx, size_t bytes, uint64_t *pa)
{
	void *p;

	if (ctx->mem) {
		if (!ctx->mem->alloc)
			return NULL;
		return ctx->mem->alloc(ctx->mem_priv, bytes, bytes, pa);
	}
	p = ufd_alloc_aligned(bytes, bytes);
	if (!p)
		return NULL;
	*pa = (uintptr_t)p;
	/* A table the descriptors cannot point at is no table at all. */
	if (pt_above(*pa, ctx->oas)) {
		ufd_free(p);
		return NULL;
	}
	return p;
}

void pt_table_free(const struct pt_walk_ctx *ctx, uint64_t pa, void *host,
		   size_t bytes)
{
	if (ctx->mem) {
		if (ctx->mem->free)
			ctx->mem->free(ctx->mem_priv, pa, host, bytes);
		return;
	}
	ufd_free(host);
}

/*
 * The link lives in descriptor 0 as (next | 4): bit 0 clear reads as
 * invalid/not present in every format, and so does R = W = 0 for VT-d
 * second stage, so a walker still inside the table sees a non-present
 * entry. The 4 keeps a table at address 0 distinguishable from the end.
 */
void pt_table_retire(const struct pt_walk_ctx *ctx, struct pt_gather *gather,
		     uint64_t pa, void *host, size_t bytes)
{
	uint64_t head;

	if (!gather) {
		pt_table_free(ctx, pa, host, bytes);
		return;
	}
	head = __atomic_load_n(&gather->head, __ATOMIC_RELAXED);
	do {
		pt_store(host, head);
	} while (!__atomic_compare_exchange_n(&gather->head, &head, pa | 4,
					      false, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	__atomic_fetch_add(&gather->count, 1, __ATOMIC_RELAXED);
}

static void pt_gather_drain(const struct pt_walk_ctx *ctx,
			    struct pt_gather *gather)
{
	const size_t bytes = (size_t)8 << ctx->ops->bits;
	uint64_t link = __atomic_exchange_n(&gather->head, 0, __ATOMIC_ACQUIRE);

	while (link) {
		uint64_t pa = link & ~7ull;
		uint64_t *host;

		if (ctx->mem) {
			host = ctx->mem->map(ctx->mem_priv, pa, bytes, true);
			if (IS_ERR_OR_NULL(host))
				break; /* unreachable: leak rather than guess */
		} else {
			host = (uint64_t *)(uintptr_t)pa;
		}
		link = pt_load(host);
		pt_table_free(ctx, pa, host, bytes);
		__atomic_fetch_sub(&gather->count, 1, __ATOMIC_RELAXED);
	}
}

void pt_gather_free(struct pt_table *t, struct pt_gather *gather)
{
	if (gather)
		pt_gather_drain(&t->ctx, gather);
	pt_gather_drain(&t->ctx, &t->deferred);
}

void pt_dirty_record(const struct pt_dirty_sink *sink, uint64_t iova,
		     uint64_t len)
{
	if (sink->record)
		sink->record(sink->priv, iova, len);
	if (sink->bitmap && sink->nbits) {
		uint64_t last = iova + (len - 1);
		uint64_t blast =
			sink->base + ((sink->nbits << sink->pgshift) - 1);
		uint64_t first_bit, last_bit;

		/* Clip to the bitmap's window. */
		if (last < sink->base || iova > blast)
			return;
		if (iova < sink->base)
			iova = sink->base;
		if (last > blast)
			last = blast;
		first_bit = (iova - sink->base) >> sink->pgshift;
		last_bit = (last - sink->base) >> sink->pgshift;
		bitmap_set(sink->bitmap, first_bit, last_bit - first_bit + 1);
	}
}

/*
 * Page sizes per level: what the format stores, within the allowed set,
 * no larger than the output address space or the input range the table can
 * reach at that level.
 */
static void pt_setup_sizes(struct pt_table *t)
{
	const struct pt_walk_ctx *c = &t->ctx;
	const struct pt_fmt_ops *ops = c->ops;
	unsigned int lvl, max_lvl = c->cfg_top_level;
	uint64_t limit = pt_lg2_mask(c->ias < c->oas ? c->ias : c->oas);

	if (c->flags & PT_CFG_DYNAMIC_TOP)
		max_lvl = ops->max_levels - 1;
	memset(t->size_level, 0xff, sizeof(t->size_level));
	t->pgsize_bitmap = 0;
	for (lvl = 0; lvl <= max_lvl && lvl < PT_MAX_LEVELS; lvl++) {
		/* Sizes up to 2^limit_lg2 inclusive: mask off above it. */
		uint64_t s = ops->level_sizes(c, lvl) & (limit | (limit + 1));
		uint64_t rest;

		if (t->cfg.pgsize_allowed)
			s &= t->cfg.pgsize_allowed;
		t->level_sizes[lvl] = s;
		t->pgsize_bitmap |= s;
		for (rest = s; rest; rest &= rest - 1)
			t->size_level[pt_ffs64(rest)] = lvl;
	}
}

struct pt_table *pt_alloc(const struct pt_cfg *cfg)
{
	struct pt_table *t;
	uint64_t pa;
	void *root;
	size_t bytes;
	unsigned int nb;
	int ret;

	t = ufd_zalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->cfg = *cfg;
	ret = pt_ctx_init(&t->ctx, cfg);
	if (ret)
		goto out_free_table;
	if (cfg->mem && (!cfg->mem->alloc || !cfg->mem->free)) {
		ret = -EINVAL;
		goto out_free_table;
	}
	pt_setup_sizes(t);

	/* The root: at least a full table, naturally aligned. */
	nb = t->ctx.cfg_top_bits;
	if (nb < t->ctx.ops->bits)
		nb = t->ctx.ops->bits;
	bytes = (size_t)8 << nb;
	root = pt_table_alloc(&t->ctx, bytes, &pa);
	if (!root) {
		/* A host table out of reach of oas is a configuration error. */
		ret = (!cfg->mem && t->ctx.oas < 48) ? -ERANGE : -ENOMEM;
		goto out_free_table;
	}
	t->ctx.top = pa | t->ctx.cfg_top_level;
	ufd_mutex_init(&t->grow_lock);
	return t;

out_free_table:
	ufd_free(t);
	return ERR_PTR(ret);
}

void pt_free(struct pt_table *t)
{
	const struct pt_walk_ctx *c;
	uint64_t top, pa;
	unsigned int tl, nb;
	void *root;

	if (!t)
		return;
	c = &t->ctx;
	c->ops->free_tables(t);
	pt_gather_drain(c, &t->deferred);

	top = pt_load(&c->top);
	tl = top & 7;
	pa = top & ~7ull;
	nb = c->ops->bits;
	if (tl == c->cfg_top_level && c->cfg_top_bits > nb)
		nb = c->cfg_top_bits;
	root = c->mem ? c->mem->map(c->mem_priv, pa, (size_t)8 << nb, true)
		      : (void *)(uintptr_t)pa;
	if (!IS_ERR_OR_NULL(root))
		pt_table_free(c, pa, root, (size_t)8 << nb);
	ufd_mutex_destroy(&t->grow_lock);
	ufd_free(t);
}

int pt_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
	   unsigned int prot, uint64_t *mapped)
{
	return t->ctx.ops->map(t, iova, oa, len, prot, mapped);
}

int pt_unmap(struct pt_table *t, uint64_t iova, uint64_t len,
	     unsigned int flags, struct pt_gather *gather, uint64_t *unmapped)
{
	return t->ctx.ops->unmap(t, iova, len, flags, gather, unmapped);
}

int pt_remap(struct pt_table *t, uint64_t iova, uint64_t len, uint64_t oa,
	     uint64_t *done)
{
	uint64_t last;
	int rc;

	*done = 0;
	rc = pt_check_span(t, iova, oa, len, &last);
	return rc ? rc : t->ctx.ops->remap(t, iova, len, oa, done);
}

int pt_iova_to_phys(struct pt_table *t, uint64_t iova, uint64_t *oa)
{
	return t->ctx.ops->iova_to_phys(&t->ctx, iova, oa);
}

int pt_walk(const struct pt_walk_ctx *ctx, uint64_t iova, unsigned int access,
	    struct pt_walk_result *res)
{
	return ctx->ops->walk(ctx, iova, access, res);
}

int pt_read_and_clear_dirty(struct pt_table *t, uint64_t iova, uint64_t len,
			    unsigned int flags,
			    const struct pt_dirty_sink *sink)
{
	return t->ctx.ops->read_and_clear_dirty(t, iova, len, flags, sink);
}

int pt_set_dirty(struct pt_table *t, uint64_t iova)
{
	return t->ctx.ops->set_dirty(t, iova);
}

int pt_for_each_leaf(struct pt_table *t, uint64_t iova, uint64_t len,
		     int (*fn)(void *priv, uint64_t iova, unsigned int size_lg2,
			       uint64_t oa, uint64_t desc),
		     void *priv)
{
	return t->ctx.ops->for_each_leaf(t, iova, len, fn, priv);
}

uint64_t pt_root(const struct pt_walk_ctx *ctx)
{
	return __atomic_load_n(&ctx->top, __ATOMIC_ACQUIRE) & ~7ull;
}

unsigned int pt_levels(const struct pt_walk_ctx *ctx)
{
	return (unsigned int)(__atomic_load_n(&ctx->top, __ATOMIC_ACQUIRE) &
			      7) +
	       1;
}

void pt_iova_range(const struct pt_walk_ctx *ctx, uint64_t *first,
		   uint64_t *last)
{
	unsigned int tl = pt_levels(ctx) - 1;
	unsigned int item = ctx->granule_lg2 + ctx->ops->bits * tl;
	unsigned int nb = ctx->ops->bits, cov;

	if (tl == ctx->cfg_top_level)
		nb = ctx->cfg_top_bits;
	else if (ctx->ias - item < nb)
		nb = ctx->ias - item;
	cov = item + nb;
	if (ctx->flags & PT_CFG_SIGN_EXTEND)
		cov--;
	*first = 0;
	*last = pt_lg2_mask(cov);
}

const char *pt_format_name(const struct pt_walk_ctx *ctx)
{
	return ctx->ops ? ctx->ops->name : "none";
}

unsigned int pt_item_lg2(const struct pt_walk_ctx *ctx, unsigned int lvl)
{
	return ctx->granule_lg2 + ctx->ops->bits * lvl;
}

static void *flat_map(void *priv, uint64_t pa, size_t len, bool write)
{
	const struct pt_flat_mem *m = priv;
	uint64_t off;

	(void)write;
	if (pa < m->pa)
		return ERR_PTR(-EFAULT);
	off = pa - m->pa;
	if (off >= m->size || len > m->size - off)
		return ERR_PTR(-EFAULT);
	return (char *)m->host + off;
}

const struct pt_mem_ops pt_flat_mem_ops = {
	.map = flat_map,
};
