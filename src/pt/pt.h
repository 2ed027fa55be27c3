/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page tables as the hardware stores them.
 *
 * What: one page-table engine -- map a range with the best page size at every
 * step, unmap a range, remap a range to new output addresses, iova-to-phys, a
 * hardware walk with architectural fault reporting, read-and-clear of
 * hardware dirty state, set-dirty, free -- over every IOMMU table format the
 * project models:
 *
 *   PT_FMT_ARM_S1   VMSAv8-64 stage 1, 4K/16K/64K granules (Arm ARM DDI 0487
 *                   D8 "The AArch64 Virtual Memory System Architecture")
 *   PT_FMT_ARM_S2   VMSAv8-64 stage 2, same granules, concatenated start
 *                   tables (HTTU/DBM as used by SMMUv3, IHI 0070 3.13)
 *   PT_FMT_VTD_SS   Intel VT-d second stage, 3/4/5 levels (VT-d 9.8)
 *   PT_FMT_VTD_FS   Intel VT-d first stage: the CPU's x86-64 4/5-level
 *                   format (VT-d 9.7, SDM vol. 3 4.5)
 *   PT_FMT_AMDV1    AMD IOMMU host page table (AMD 48882 2.2.3), growing
 *   PT_FMT_MOCK     the kernel selftest's mock domain: AMD v1 with a 2 KiB
 *                   granule, half the CPU page, 3 fixed levels, 38-bit IOVA
 *
 * Why one engine: the algorithms (position-retaining range walks, page-size
 * choice, splitting, dirty harvesting) are the hard part and are the same for
 * every format; the formats differ only in how a 64-bit descriptor encodes
 * "empty / next table / leaf of this size at this address with these
 * permissions". So the algorithm is written once, in pt_engine.h, as static
 * inline C that each format's translation unit includes after defining a
 * handful of small inline accessors (fmt_*.h). Every format thus gets its own
 * fully inlined copy of the engine, reached through a per-format ops table.
 * There is no second page-table implementation in the tree.
 *
 * Levels: the engine numbers levels from 0 (the smallest items, 4 KiB pages
 * for a 4K granule) upwards; a walk result also carries the specification's
 * own number (ARM lookup level 3..0, x86/VT-d/AMD level 1..6).
 *
 * Memory model: an output or table address is a host virtual address in this
 * process (DESIGN.md). Tables we own come from ufd_alloc_aligned(). Tables
 * anywhere else -- a guest's stage-1 tables in guest RAM, read through stage
 * 2 -- are reached through struct pt_mem_ops, which turns a table address
 * into a host pointer or refuses (the walk then reports PT_FAULT_EXTERNAL);
 * a struct pt_mem_window, where the owner has one, lets a walk address the
 * part of that memory it covers without the call.
 *
 * Page sizes: pt_map() lays, at every step, the largest size the table may
 * use (pt_pgsize_bitmap(): what the format stores, cut down by
 * pt_cfg.pgsize_allowed) that the IOVA, the output address and the
 * remaining length allow -- blocks and huge pages, ARM contiguous runs, AMD
 * page-size-encoded groups. A page of n entries is always written and
 * cleared whole.
 *
 * Unmap follows the kernel's generic page table: it removes whole pages,
 * refuses a range that starts inside one and takes all of a page that the
 * range's end cuts, unless PT_UNMAP_SPLIT allows it to replace the page by
 * smaller pieces (a new table one level down, or a contiguous run rewritten
 * in place) until the cut falls on a piece boundary.
 *
 * Remap points the translations of a mapped range at other output
 * addresses, as when memory a device has pinned moves: each leaf keeps its
 * permissions, attributes and A/D state, and is split like PT_UNMAP_SPLIT
 * splits when the range cuts it or its new address is not aligned to its
 * size.
 *
 * Dirty tracking: "dirty" is the format's hardware-set write state -- ARM
 * DBM leaves whose AP[2] (stage 1) or S2AP[1] (stage 2) says writable, the
 * D bit of VT-d and AMD leaves. A multi-entry page is dirty when any of its
 * entries is and is reported and cleaned whole. pt_walk() with PT_HW_HD and
 * pt_set_dirty() update exactly the entry the walk used, as hardware does.
 * Without PT_CFG_DIRTY, VT-d first-stage writable leaves are written with D
 * already set (the kernel's choice: the hardware never needs to write them).
 *
 * Growing tables (AMD v1 with PT_CFG_DYNAMIC_TOP): a map beyond the current
 * top adds levels above it, the old top becoming entry 0 of the new one;
 * the owner learns the new root through pt_cfg.top_changed before any map
 * uses it. Beyond the current top nothing is mapped: unmap and remap see a
 * hole, dirty harvesting nothing, a walk a translation fault.
 *
 * Concurrency: every descriptor is read and written as one 64-bit atomic, so
 * a concurrent walker (a DMA in another thread) sees either the old or the
 * new entry, never a torn one. New tables are zeroed before a release store
 * links them. Callers serialise map, unmap, remap and read_and_clear_dirty
 * of overlapping IOVA ranges (an rwlock with dirty harvesting on the read
 * side is enough); maps and unmaps of disjoint ranges may run concurrently
 * (tables are installed with compare-and-swap, and a table is freed only by
 * an unmap that covers all of its IOVA). pt_walk(), pt_iova_to_phys() and
 * pt_set_dirty() may run concurrently with anything; hardware Access/Dirty
 * updates use compare-and-swap. Freeing: a table unmap removes may still be
 * read by a walker that had loaded the pointer to it, so pt_unmap() can
 * queue it on a struct pt_gather for pt_gather_free() once the caller has
 * invalidated its IOTLBs and quiesced its walkers; empty tables that
 * pt_map() replaces by a large page always wait on the table's own list
 * for the next pt_gather_free() (or pt_free()).
 */
#ifndef UIOMMUFD_PT_PT_H
#define UIOMMUFD_PT_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/lock.h"

enum pt_format {
	PT_FMT_ARM_S1 = 1,
	PT_FMT_ARM_S2,
	PT_FMT_VTD_SS,
	PT_FMT_VTD_FS,
	PT_FMT_AMDV1,
	PT_FMT_MOCK,
};

/* Engine levels: at most six (AMD v1 mode 6). */
#define PT_MAX_LEVELS 6

/* Protection for pt_map(); values match the kernel's IOMMU_* prot bits. */
#define PT_PROT_READ (1u << 0)
#define PT_PROT_WRITE (1u << 1)
#define PT_PROT_CACHE (1u << 2)	 /* normal cacheable memory */
#define PT_PROT_NOEXEC (1u << 3) /* instruction fetch not permitted */
#define PT_PROT_MMIO (1u << 4)	 /* device memory */
#define PT_PROT_PRIV (1u << 5)	 /* privileged requests only */

/* struct pt_cfg.flags */
/*
 * The table takes part in hardware dirty tracking: writable leaves are
 * written write-clean (ARM: DBM=1 with AP[2]/S2AP[1] read-only; x86, VT-d
 * and AMD: D=0) so the first write by the walker marks them dirty. Without
 * it ARM leaves have no dirty state (DBM=0) and VT-d first-stage writable
 * leaves are written already dirty.
 */
#define PT_CFG_DIRTY (1u << 0)
/* AMD v1: a map beyond the top grows the table by adding levels. */
#define PT_CFG_DYNAMIC_TOP (1u << 1)
/* VT-d first stage: canonical addresses, upper half sign-extended. */
#define PT_CFG_SIGN_EXTEND (1u << 2)
/* VT-d second stage SNP / AMD FC on every leaf. */
#define PT_CFG_FORCE_COHERENT (1u << 3)

/*
 * Memory that tables live in when it is not ours. All callbacks get
 * pt_cfg.mem_priv. Addresses are table addresses as the descriptors hold
 * them (for example guest physical addresses).
 */
struct pt_mem_ops {
	/*
	 * Host pointer to @len bytes of table memory at @pa (8-byte aligned),
	 * or an ERR_PTR when @pa does not reach memory (a stage-2 fault, an
	 * address outside guest RAM). @write: the caller will store to it.
	 * The pointer stays valid while the table is in use.
	 */
	void *(*map)(void *priv, uint64_t pa, size_t len, bool write);
	/*
	 * Zeroed table memory of @size bytes aligned to @align; returns the
	 * host pointer and sets *pa, or returns NULL. Needed by pt_map() and
	 * pt_alloc(); a walk-only context may leave it NULL.
	 */
	void *(*alloc)(void *priv, size_t size, size_t align, uint64_t *pa);
	/* Returns memory from alloc(). */
	void (*free)(void *priv, uint64_t pa, void *host, size_t size);
};

/*
 * A stretch of table memory a walk may address without asking the memory
 * ops: [pa, pa + size) is host memory from host onward, so a descriptor
 * there is read (and, with @write, updated) at host + (address - pa), with
 * no call to map(). pa and size are multiples of 8; size 0 is no window.
 * Outside it (and for stores when !@write) the walk calls map() as usual.
 * Walks read it without a lock: its owner changes it only where no walk
 * through it runs (a window of one walk's own, on its stack, changed by
 * that walk's map()).
 */
struct pt_mem_window {
	uint64_t pa;
	uint64_t size;
	uintptr_t host;
	bool write;
};

/*
 * Host pointer of [@pa, @pa + @len) through @w, or NULL when @w does not
 * cover all of it (or it is the store @write and @w is read-only).
 */
static inline void *pt_mem_window_ptr(const struct pt_mem_window *w,
				      uint64_t pa, size_t len, bool write)
{
	uint64_t off = pa - w->pa;

	if (off >= w->size || len > w->size - off || (write && !w->write))
		return NULL;
	return (void *)(w->host + (uintptr_t)off);
}

/*
 * Host pointer of [@pa, @pa + @len) of memory reached through @mem (with
 * @priv) and optionally window @w: the window when it covers the range,
 * else map(); NULL when refused. What a hardware model's accesses use.
 */
static inline void *pt_mem_map(const struct pt_mem_ops *mem, void *priv,
			       const struct pt_mem_window *w, uint64_t pa,
			       size_t len, bool write)
{
	void *p;

	if (w) {
		p = pt_mem_window_ptr(w, pa, len, write);
		if (p)
			return p;
	}
	p = mem->map(priv, pa, len, write);
	return (!p || (uintptr_t)p >= (uintptr_t)-4095) ? NULL : p;
}

struct pt_cfg {
	enum pt_format fmt;
	/* ARM: 12, 14 or 16. Other formats: 0 (their granule is fixed). */
	unsigned int granule_lg2;
	/*
	 * Input address bits; 0 picks the format default (ARM 48, VT-d 48,
	 * AMD v1 from levels, mock 38). ARM 25..48 (52 with 64K), VT-d
	 * second stage 31..57, first stage 48 or 57. With
	 * PT_CFG_DYNAMIC_TOP this is the most the table may grow to (64 if 0).
	 */
	unsigned int ias;
	/* Output address bits; 0 picks the format maximum. */
	unsigned int oas;
	/*
	 * Levels; 0 picks the fewest that cover ias. ARM stage 2 may ask for
	 * fewer: the start table is then 2..16 concatenated tables. AMD v1
	 * with PT_CFG_DYNAMIC_TOP: the starting number of levels.
	 */
	unsigned int levels;
	uint32_t flags; /* PT_CFG_* */
	/*
	 * Page sizes map may use, as a bitmap of sizes; 0 = everything the
	 * format stores. Restricting it does not change what a walk accepts.
	 */
	uint64_t pgsize_allowed;
	/* Table memory; NULL means host memory from ufd_alloc_aligned(). */
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/* Optional, with @mem: memory a walk reaches without map(). */
	const struct pt_mem_window *mem_window;
	/*
	 * PT_CFG_DYNAMIC_TOP: called (under the table's grow lock) with the
	 * new root and level count after the new top is built and before any
	 * map uses it -- where a driver rewrites its device table entry.
	 */
	void (*top_changed)(void *priv, uint64_t root, unsigned int levels);
	void *top_priv;
};

struct pt_fmt_ops;

/*
 * Everything a hardware walker needs to walk a table: a pt_table embeds one
 * (pt_table_walk_ctx()), and hardware models fill their own from a device's
 * configuration with pt_walk_ctx_init() to walk tables they do not own.
 * Read-only after init except @top, which a growing table replaces
 * atomically.
 */
struct pt_walk_ctx {
	const struct pt_fmt_ops *ops;
	/* Root table address | top engine level in bits 2:0. Atomic. */
	uint64_t top;
	const struct pt_mem_ops *mem;
	void *mem_priv;
	/* Memory reached without mem->map (pt_cfg.mem_window), or NULL. */
	const struct pt_mem_window *win;
	uint32_t flags;	       /* PT_CFG_* */
	uint8_t fmt;	       /* enum pt_format */
	uint8_t ias;	       /* input bits the table may cover */
	uint8_t oas;	       /* output address bits */
	uint8_t granule_lg2;   /* size of level-0 items */
	uint8_t cfg_top_level; /* top level at creation */
	uint8_t cfg_top_bits;  /* index bits of the top table at creation */
};

/*
 * Tables detached from a live table and not yet freed, linked through their
 * first descriptor (which then reads as invalid in every format). Fill it
 * with pt_unmap(), free it with pt_gather_free(). Initialise to zero.
 */
struct pt_gather {
	uint64_t head; /* first table's address | 4, 0 when empty; atomic */
	size_t count;  /* atomic */
};

/* Hierarchy of a live table. Thread-safety: see the essay above. */
struct pt_table {
	struct pt_walk_ctx ctx;
	struct pt_cfg cfg;
	/* Sizes map() uses, and per level; fixed at pt_alloc(). */
	uint64_t pgsize_bitmap;
	uint64_t level_sizes[PT_MAX_LEVELS];
	/* Engine level storing each size lg2, 0xff for none. */
	uint8_t size_level[64];
	/*
	 * Empty tables map() displaced to lay a large page over them, waiting
	 * for pt_gather_free() or pt_free() (pushed atomically).
	 */
	struct pt_gather deferred;
	/* Serialises growth of a PT_CFG_DYNAMIC_TOP table. */
	struct ufd_mutex grow_lock;
};

/* Accesses a walk performs (pt_walk() @access). */
#define PT_ACCESS_READ (1u << 0)
#define PT_ACCESS_WRITE (1u << 1)
#define PT_ACCESS_EXEC (1u << 2)
#define PT_ACCESS_PRIV (1u << 3) /* a privileged request */
/*
 * Hardware updates the walker performs, as configured in the device's
 * context (SMMU CD/STE HA/HD, VT-d SSADE, AMD HAD): set the access flag
 * instead of faulting, and mark a write-clean leaf dirty on a write.
 */
#define PT_HW_HA (1u << 8)
#define PT_HW_HD (1u << 9)

/* Permissions a leaf grants (struct pt_walk_result.perm). */
#define PT_PERM_READ (1u << 0)
#define PT_PERM_WRITE (1u << 1)
#define PT_PERM_EXEC (1u << 2)
#define PT_PERM_UNPRIV (1u << 3) /* the leaf admits unprivileged requests */

enum pt_fault {
	PT_FAULT_NONE = 0,
	PT_FAULT_TRANSLATION, /* invalid/not-present entry, IOVA out of range */
	PT_FAULT_PERMISSION,
	PT_FAULT_ADDRESS_SIZE, /* a table or output address beyond oas */
	PT_FAULT_ACCESS_FLAG,  /* ARM: AF=0 without hardware AF update */
	PT_FAULT_RESERVED,     /* x86/VT-d/AMD: reserved bit or encoding */
	PT_FAULT_EXTERNAL,     /* table memory did not translate (pt_mem_ops) */
};

/* struct pt_walk_result.attr */
#define PT_ATTR_MEMATTR                                                        \
	0xffull		   /* ARM AttrIndx / MemAttr, x86 PAT index,
				   VT-d EMT | IPAT << 3 */
#define PT_ATTR_SH_SHIFT 8 /* ARM shareability */
#define PT_ATTR_SH (3ull << PT_ATTR_SH_SHIFT)
#define PT_ATTR_GLOBAL (1ull << 10)   /* ARM !nG, x86 G */
#define PT_ATTR_COHERENT (1ull << 11) /* VT-d SNP, AMD FC */

struct pt_walk_result {
	enum pt_fault fault;
	unsigned int level;	 /* engine level of the leaf or the fault */
	unsigned int arch_level; /* the specification's level number */
	unsigned int page_lg2;	 /* size of the translation (incl. contig) */
	unsigned int perm;	 /* PT_PERM_* */
	uint64_t oa;		 /* output address of the IOVA */
	uint64_t desc;		 /* leaf (or faulting) descriptor */
	uint64_t desc_pa;	 /* its address; 0 for an input range fault */
	uint64_t attr;		 /* PT_ATTR_* */
};

/* pt_unmap() flags */
/* Split a large page the range cuts (else the kernel's refusal). */
#define PT_UNMAP_SPLIT (1u << 0)
/* Pass over unmapped IOVA instead of stopping there. */
#define PT_UNMAP_HOLES (1u << 1)

/* pt_read_and_clear_dirty() flags */
#define PT_DIRTY_NO_CLEAR (1u << 0)

/*
 * Where dirty IOVA goes. Either or both of a bitmap (bit n covers
 * [base + n << pgshift, base + (n + 1) << pgshift), clipped to nbits) and a
 * callback with maximal runs of dirty IOVA.
 */
struct pt_dirty_sink {
	unsigned long *bitmap;
	uint64_t base;
	unsigned int pgshift;
	uint64_t nbits;
	void (*record)(void *priv, uint64_t iova, uint64_t len);
	void *priv;
};

/**
 * pt_alloc - create an empty table.
 * @cfg: format and geometry; copied.
 *
 * Returns the table or an ERR_PTR: -EINVAL for a configuration the format
 * does not have, -EOPNOTSUPP for an unknown format, -ENOMEM, or -ERANGE
 * when host memory for the root lies beyond cfg->oas (host tables need an
 * oas that reaches this process's addresses, in practice 48 or more).
 */
struct pt_table *pt_alloc(const struct pt_cfg *cfg);

/**
 * pt_free - free every table and the pt_table itself. NULL is a no-op.
 *
 * No walker may be using the table any more.
 */
void pt_free(struct pt_table *t);

/**
 * pt_map - map [iova, iova + len) to [oa, oa + len).
 * @prot: PT_PROT_*; at least one of READ and WRITE.
 * @mapped: incremented by the bytes mapped, also on failure.
 *
 * Chooses at every step the largest allowed page size that iova, oa and the
 * remaining length allow (blocks, huge pages, contiguous runs). Returns 0,
 * -EINVAL (unaligned to the smallest page size, empty, bad prot),
 * -EOVERFLOW (the IOVA range wraps), -ERANGE (IOVA outside the table, OA
 * beyond oas), -EADDRINUSE (something is already mapped there; the range
 * before it stays mapped), -ENOMEM, -EFAULT (table memory unreachable).
 */
int pt_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
	   unsigned int prot, uint64_t *mapped);

/**
 * pt_unmap - remove the translations of [iova, iova + len).
 * @flags: PT_UNMAP_*.
 * @gather: where detached tables go; NULL frees them at once.
 * @unmapped: set to the bytes of IOVA unmapped from @iova on.
 *
 * A large page the end of the range cuts is removed whole (so *unmapped may
 * exceed @len) unless PT_UNMAP_SPLIT. A range starting inside a large page
 * is refused unless PT_UNMAP_SPLIT. Tables the range covers entirely are
 * detached. With PT_UNMAP_HOLES, *unmapped counts the holes passed over
 * too, so iova + *unmapped is where the walk ended. Returns 0 when the
 * range was processed, -EINVAL (refused cut, empty range, or a cut inside
 * the smallest page), -EOVERFLOW (range wraps), -ERANGE (outside the
 * table), -ENOENT (a hole without PT_UNMAP_HOLES), -ENOMEM (a split needed
 * a table), -EFAULT (table memory unreachable). On error iova + *unmapped
 * is where unmapping stopped; what came before it is unmapped.
 */
int pt_unmap(struct pt_table *t, uint64_t iova, uint64_t len,
	     unsigned int flags, struct pt_gather *gather, uint64_t *unmapped);

/**
 * pt_remap - point the translations of [iova, iova + len) at [oa, oa + len).
 * @done: set to the bytes from @iova whose translations now point at the new
 *        addresses (also on failure).
 *
 * Every byte of the range must be mapped. Each leaf keeps its permissions,
 * attributes and its hardware Accessed/Dirty state; only its output address
 * changes, to oa + (leaf iova - iova). A leaf the range cuts (it starts
 * before @iova or ends after the last byte), or whose new output address is
 * not aligned to its size, is split first, exactly as PT_UNMAP_SPLIT splits,
 * until the pieces fit; pieces are not merged again later. Descriptors
 * change by compare-and-swap so a concurrent hardware A/D update is never
 * lost, and a concurrent walker sees either the old or the new translation
 * of each page. The caller serialises this against map/unmap/dirty-harvest
 * of overlapping ranges (like pt_map) and invalidates its IOTLBs afterwards.
 * Nothing beyond a growing table's current top is mapped: a hole.
 *
 * Note the argument order: @len comes before @oa, unlike pt_map().
 *
 * Returns 0; -EINVAL (empty, @iova, @len or @oa not aligned to the smallest
 * page); -EOVERFLOW (range wraps); -ERANGE (outside the table, or @oa range
 * beyond oas); -ENOENT (a hole: what came before it is remapped); -ENOMEM
 * (a split needed a table); -EFAULT (table memory unreachable).
 *
 * Undoing: after a failure, pt_remap(t, iova, *done, old_oa) with the
 * output address the range had before (when it was mapped linearly) needs
 * no split, so it cannot fail with -ENOMEM: [iova, iova + *done) holds only
 * whole leaves that were aligned to their size at the old address too.
 * When *done is 0 there is nothing to undo (and a zero length is -EINVAL).
 */
int pt_remap(struct pt_table *t, uint64_t iova, uint64_t len, uint64_t oa,
	     uint64_t *done);

/**
 * pt_gather_free - free the tables pt_unmap() detached into @gather, and
 * those pt_map() displaced from @t. @gather may be NULL.
 *
 * Call after IOTLBs that may cache them are invalidated and no walker can
 * still be inside them.
 */
void pt_gather_free(struct pt_table *t, struct pt_gather *gather);

/**
 * pt_iova_to_phys - output address for @iova (any alignment).
 *
 * Returns 0 and sets *oa, or -ENOENT when nothing is mapped there.
 */
int pt_iova_to_phys(struct pt_table *t, uint64_t iova, uint64_t *oa);

/**
 * pt_walk - walk as the hardware does.
 * @access: PT_ACCESS_* of the request | PT_HW_* updates the walker may make.
 *
 * Fills @res with the translation or the architectural fault. Returns 0 for
 * a translation, -EFAULT for a fault (res->fault says which).
 */
int pt_walk(const struct pt_walk_ctx *ctx, uint64_t iova, unsigned int access,
	    struct pt_walk_result *res);

/**
 * pt_walk_ctx_init - walk context for tables at @root described by @cfg.
 *
 * For tables we do not own (a guest's, a device context's). Returns 0 or
 * -EINVAL/-EOPNOTSUPP as pt_alloc().
 */
int pt_walk_ctx_init(struct pt_walk_ctx *ctx, const struct pt_cfg *cfg,
		     uint64_t root);

/** pt_table_walk_ctx - the walk context of a table we own. */
static inline const struct pt_walk_ctx *
pt_table_walk_ctx(const struct pt_table *t)
{
	return &t->ctx;
}

/**
 * pt_read_and_clear_dirty - report and clear hardware dirty state.
 * @flags: PT_DIRTY_NO_CLEAR reports without clearing.
 * @sink: where the dirty IOVA goes; NULL only clears.
 *
 * A dirty leaf is reported whole (a large page or contiguous run even when
 * the range covers part of it) and cleared whole. Serialise against map
 * and unmap of the range. Returns 0, -EINVAL (empty range), -EOVERFLOW,
 * -ERANGE (outside the table), -EFAULT (table memory unreachable).
 */
int pt_read_and_clear_dirty(struct pt_table *t, uint64_t iova, uint64_t len,
			    unsigned int flags,
			    const struct pt_dirty_sink *sink);

/**
 * pt_set_dirty - mark the leaf at @iova dirty, as a hardware write does.
 *
 * Returns 0, -ENOENT (not mapped), -EACCES (the leaf is not writable or has
 * no dirty state, e.g. ARM without DBM).
 */
int pt_set_dirty(struct pt_table *t, uint64_t iova);

/**
 * pt_for_each_leaf - call @fn for every leaf intersecting [iova, iova+len).
 *
 * @fn gets the leaf's first IOVA, its size, the output address of that first
 * IOVA and its (first) descriptor; a non-zero return stops the walk and is
 * returned. Returns 0, -ERANGE or @fn's value.
 */
int pt_for_each_leaf(struct pt_table *t, uint64_t iova, uint64_t len,
		     int (*fn)(void *priv, uint64_t iova, unsigned int size_lg2,
			       uint64_t oa, uint64_t desc),
		     void *priv);

/** pt_pgsize_bitmap - the page sizes map uses (bit n set: 2^n bytes). */
static inline uint64_t pt_pgsize_bitmap(const struct pt_table *t)
{
	return t->pgsize_bitmap;
}

/** pt_root - address of the top table now. */
uint64_t pt_root(const struct pt_walk_ctx *ctx);

/** pt_levels - number of levels now. */
unsigned int pt_levels(const struct pt_walk_ctx *ctx);

/**
 * pt_iova_range - the IOVA the table covers now: [*first, *last]. With
 * PT_CFG_SIGN_EXTEND only the lower half is reported; the upper half is its
 * mirror below U64_MAX.
 */
void pt_iova_range(const struct pt_walk_ctx *ctx, uint64_t *first,
		   uint64_t *last);

/** pt_item_lg2 - size (lg2) of one entry at engine level @lvl. */
unsigned int pt_item_lg2(const struct pt_walk_ctx *ctx, unsigned int lvl);

/** pt_format_name - short name ("arm_s1_4k", "vtd_ss", ...) of a context. */
const char *pt_format_name(const struct pt_walk_ctx *ctx);

/*
 * Physical memory made of one flat window, for tests, benchmarks and a
 * VMM's guest RAM: pt_flat_mem_ops (priv: struct pt_flat_mem) turns
 * [pa, pa + size) into host + (address - pa) and refuses any access
 * outside it.
 */
struct pt_flat_mem {
	uint64_t pa;
	void *host;
	uint64_t size;
};

extern const struct pt_mem_ops pt_flat_mem_ops;

#endif
