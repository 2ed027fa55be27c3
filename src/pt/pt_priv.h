/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the page-table engine (pt_engine.h), the format
 * accessors (fmt_*.h) and the dispatcher (pt.c). Not for users of src/pt.
 *
 * Descriptor fields are declared as (shift, width) pairs with PT_FIELD() and
 * read and built only through pt_fget()/pt_fprep()/pt_fmask(), so every
 * encoding is named once next to the section of the specification that
 * defines it.
 */
#ifndef UIOMMUFD_PT_PT_PRIV_H
#define UIOMMUFD_PT_PT_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/overflow.h"
#include "pt/pt.h"

#define PT_BIT(n) (1ull << (n))
/* A descriptor field: first bit and width. Use through the accessors. */
#define PT_FIELD(shift, width) (shift), (width)

#define _pt_fmask(shift, width) ((~0ull >> (64 - (width))) << (shift))
#define _pt_fget(v, shift, width) (((v) >> (shift)) & (~0ull >> (64 - (width))))
#define _pt_fprep(shift, width, x)                                             \
	((((uint64_t)(x)) << (shift)) & _pt_fmask(shift, width))
/* The extra level lets a PT_FIELD() name expand into its two numbers. */
#define pt_fmask(f) _pt_fmask(f)
#define pt_fget(v, f) _pt_fget(v, f)
#define pt_fprep(f, x) _pt_fprep(f, x)

/* Bits [hi:lo] of a 64-bit value as a mask. */
#define PT_GENMASK(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))

/* Engine entry types. */
enum {
	PT_E_EMPTY = 0, /* invalid / not present */
	PT_E_TABLE,
	PT_E_LEAF,
};

/*
 * One instantiation of the engine: a format at a granule. The function
 * pointers are the engine's entry points for that format; pt.c dispatches
 * the public API through them.
 */
struct pt_fmt_ops {
	const char *name;
	uint8_t fmt;
	uint8_t granule_lg2; /* size of level-0 items */
	uint8_t bits;	     /* index bits of a full table */
	uint8_t max_levels;
	/* Validates @cfg and fills everything in @ctx but @top. */
	int (*init)(struct pt_walk_ctx *ctx, const struct pt_cfg *cfg);
	/* Leaf sizes the format can store at @lvl (engine numbering). */
	uint64_t (*level_sizes)(const struct pt_walk_ctx *ctx,
				unsigned int lvl);
	int (*map)(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
		   unsigned int prot, uint64_t *mapped);
	int (*unmap)(struct pt_table *t, uint64_t iova, uint64_t len,
		     unsigned int flags, struct pt_gather *gather,
		     uint64_t *unmapped);
	/*
	 * pt_remap() after its argument checks: @iova, @len and @oa are
	 * aligned to the smallest page, the ranges do not wrap and the
	 * output range lies within oas. Sets *done.
	 */
	int (*remap)(struct pt_table *t, uint64_t iova, uint64_t len,
		     uint64_t oa, uint64_t *done);
	int (*walk)(const struct pt_walk_ctx *ctx, uint64_t iova,
		    unsigned int access, struct pt_walk_result *res);
	int (*iova_to_phys)(const struct pt_walk_ctx *ctx, uint64_t iova,
			    uint64_t *oa);
	int (*read_and_clear_dirty)(struct pt_table *t, uint64_t iova,
				    uint64_t len, unsigned int flags,
				    const struct pt_dirty_sink *sink);
	int (*set_dirty)(struct pt_table *t, uint64_t iova);
	int (*for_each_leaf)(struct pt_table *t, uint64_t iova, uint64_t len,
			     int (*fn)(void *priv, uint64_t iova,
				       unsigned int size_lg2, uint64_t oa,
				       uint64_t desc),
			     void *priv);
	/* Frees every table below the root (not the root). */
	void (*free_tables)(struct pt_table *t);
};

/* The instantiations (one translation unit each). */
extern const struct pt_fmt_ops pt_fmt_arm_s1_4k;
extern const struct pt_fmt_ops pt_fmt_arm_s1_16k;
extern const struct pt_fmt_ops pt_fmt_arm_s1_64k;
extern const struct pt_fmt_ops pt_fmt_arm_s2_4k;
extern const struct pt_fmt_ops pt_fmt_arm_s2_16k;
extern const struct pt_fmt_ops pt_fmt_arm_s2_64k;
extern const struct pt_fmt_ops pt_fmt_vtd_ss;
extern const struct pt_fmt_ops pt_fmt_vtd_fs;
extern const struct pt_fmt_ops pt_fmt_amdv1;
extern const struct pt_fmt_ops pt_fmt_mock;

/*
 * Table memory, shared by every format (pt.c). pt_table_alloc() returns a
 * zeroed, @bytes-aligned table and its address in *pa, or NULL; host tables
 * whose address does not fit the context's oas are refused (NULL).
 */
void *pt_table_alloc(const struct pt_walk_ctx *ctx, size_t bytes, uint64_t *pa);
void pt_table_free(const struct pt_walk_ctx *ctx, uint64_t pa, void *host,
		   size_t bytes);
/* Queue a detached table on @gather, or free it now when @gather is NULL. */
void pt_table_retire(const struct pt_walk_ctx *ctx, struct pt_gather *gather,
		     uint64_t pa, void *host, size_t bytes);
/* Report [iova, iova + len) dirty to @sink (bitmap and/or callback). */
void pt_dirty_record(const struct pt_dirty_sink *sink, uint64_t iova,
		     uint64_t len);

/*
 * Descriptor access: always whole 64-bit atomics (see pt.h). Loads are
 * acquires, pairing with the release that published a table: a
 * descriptor may point to a table another thread just published, whose
 * zeroed contents must be visible before it is followed (on x86-64 an
 * acquire load is an ordinary load).
 */
static inline uint64_t pt_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void pt_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Publishes a table whose zeroed contents must be seen first. */
static inline void pt_store_release(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* On failure *old is reloaded with the current value. */
static inline bool pt_cmpxchg(uint64_t *p, uint64_t *old, uint64_t new)
{
	return __atomic_compare_exchange_n(p, old, new, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static inline unsigned int pt_fls64(uint64_t v)
{
	/* Index of the highest set bit; v must not be 0. */
	return 63 - (unsigned int)__builtin_clzll(v);
}

static inline unsigned int pt_ffs64(uint64_t v)
{
	/* Index of the lowest set bit; v must not be 0. */
	return (unsigned int)__builtin_ctzll(v);
}

/* Whether @v has any bit at or above @lg2 (false for lg2 >= 64). */
static inline bool pt_above(uint64_t v, unsigned int lg2)
{
	return lg2 < 64 && (v >> lg2);
}

/* 2^lg2 - 1 for lg2 in [0, 64]. */
static inline uint64_t pt_lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

/*
 * The argument checks map and remap share, in their order: -EINVAL (empty,
 * no page sizes, not aligned to the smallest page), -EOVERFLOW (the IOVA
 * range wraps), -ERANGE (output beyond oas). Sets *last to the last IOVA.
 */
static inline int pt_check_span(const struct pt_table *t, uint64_t iova,
				uint64_t oa, uint64_t len, uint64_t *last)
{
	uint64_t min_mask, oa_last;

	if (!len || !t->pgsize_bitmap)
		return -EINVAL;
	min_mask = (t->pgsize_bitmap & -t->pgsize_bitmap) - 1;
	if ((iova | oa | len) & min_mask)
		return -EINVAL;
	if (check_add_overflow(iova, len - 1, last))
		return -EOVERFLOW;
	if (check_add_overflow(oa, len - 1, &oa_last) ||
	    pt_above(oa_last, t->ctx.oas))
		return -ERANGE;
	return 0;
}

#endif
