// SPDX-License-Identifier: BSD-3-Clause
/*
 * Descriptor encodings, checked against values worked out by hand from each
 * format's specification (the comment above every constant shows the sum),
 * in both directions:
 *
 *  - what pt_map() writes: leaf and table descriptors, page-size bitmaps;
 *  - what pt_walk() makes of descriptors written by hand into "guest
 *    memory" the way a guest or a buggy driver could write them: every
 *    permission control, hierarchical restriction, hardware Access/Dirty
 *    update and architectural fault.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "testlib.h"

#define RW (PT_PROT_READ | PT_PROT_WRITE)
#define PRIV_R (PT_ACCESS_PRIV | PT_ACCESS_READ)
#define PRIV_W (PT_ACCESS_PRIV | PT_ACCESS_WRITE)
#define PRIV_X (PT_ACCESS_PRIV | PT_ACCESS_EXEC)
#define USER_R PT_ACCESS_READ
#define USER_W PT_ACCESS_WRITE
#define USER_X PT_ACCESS_EXEC

/* ---- maps: the descriptor written for a mapping ---- */

struct mapped {
	struct pt_table *t;
	int64_t live;
};

static void mapped_new(struct mapped *m, const struct pt_cfg *cfg)
{
	m->live = ufd_alloc_live();
	m->t = pt_alloc(cfg);
	assert_false(IS_ERR(m->t));
}

static void mapped_free(struct mapped *m)
{
	pt_free(m->t);
	assert_int_equal(ufd_alloc_live(), m->live);
}

/* The leaf descriptor that translates @at. */
static uint64_t leaf_desc(struct mapped *m, uint64_t at)
{
	struct pt_walk_result res;

	/* No access asked: no permission check, no A/D update. */
	assert_int_equal(
		pt_walk(pt_table_walk_ctx(m->t), at, PT_ACCESS_PRIV, &res), 0);
	return res.desc;
}

/* Map and return the leaf descriptor that translates @at. */
static uint64_t map_desc(struct mapped *m, uint64_t iova, uint64_t oa,
			 uint64_t len, unsigned int prot, uint64_t at)
{
	uint64_t done = 0;

	assert_int_equal(pt_map(m->t, iova, oa, len, prot, &done), 0);
	assert_true(done == len);
	return leaf_desc(m, at);
}

/* The root's descriptor for @iova (host tables). */
static uint64_t root_desc(struct mapped *m, unsigned int idx)
{
	return ((uint64_t *)(uintptr_t)pt_root(pt_table_walk_ctx(m->t)))[idx];
}

#define assert_desc(got, want)                                                 \
	do {                                                                   \
		uint64_t g_ = (got), w_ = (want);                              \
		if (g_ != w_)                                                  \
			printf("# descriptor 0x%016" PRIx64                    \
			       ", expected 0x%016" PRIx64 "\n",                \
			       g_, w_);                                        \
		assert_true(g_ == w_);                                         \
	} while (0)

static void test_arm_s1_4k_map(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_ARM_S1,
			      .granule_lg2 = 12,
			      .ias = 48 };
	struct pt_walk_result res;
	struct mapped m;
	uint64_t d;

	mapped_new(&m, &cfg);
	/* 4K + 64K + 2M + 32M + 1G + 16G */
	assert_true(pt_pgsize_bitmap(m.t) == 0x442211000ull);
	/*
	 * Page (D8.3): OA 0x40000000 | 0b11 | AttrIndx 1 << 2 (0x4) |
	 * AP[1] EL0 (0x40) | SH inner 3 << 8 (0x300) | AF (0x400) |
	 * nG (0x800) = 0x40000f47.
	 */
	d = map_desc(&m, 0x1000, 0x40000000, 0x1000, RW | PT_PROT_CACHE,
		     0x1000);
	assert_desc(d, 0x0000000040000f47ull);
	/* Level 0 table descriptor: next table | 0b11 and nothing else. */
	d = root_desc(&m, 0);
	assert_desc(d & 0xfff, 0x3);
	assert_desc(d & ~0x0000fffffffff000ull, 0x3);
	/*
	 * Block at level 2: OA 0x80000000 | 0b01 | AttrIndx 0 | AP[2] RO
	 * (0x80) | SH outer 2 << 8 (0x200) | AF | nG | PXN (bit 53) | UXN
	 * (bit 54) = 0x0060000080000e81. PRIV: AP[1] clear.
	 */
	d = map_desc(&m, 0x200000, 0x80000000, 0x200000,
		     PT_PROT_READ | PT_PROT_PRIV | PT_PROT_NOEXEC, 0x3fffff);
	assert_desc(d, 0x0060000080000e81ull);
	/*
	 * Contiguous run of 16 pages: each entry its own OA | 0b11 | AP[1]
	 * | SH outer | AF | nG | Contiguous (bit 52): 0x0010000000050e43
	 * for the first, ...5fe43 for the last.
	 */
	d = map_desc(&m, 0x10000, 0x50000, 0x10000, RW, 0x10000);
	assert_desc(d, 0x0010000000050e43ull);
	assert_int_equal(pt_walk(pt_table_walk_ctx(m.t), 0x1f123,
				 PT_ACCESS_PRIV, &res),
			 0);
	assert_desc(res.desc, 0x001000000005fe43ull);
	assert_int_equal(res.page_lg2, 16);
	assert_true(res.oa == 0x5f123);
	/* Device memory: AttrIndx 2 (0x8), SH outer: 0xe4b. */
	d = map_desc(&m, 0x2000, 0x9000, 0x1000, RW | PT_PROT_MMIO, 0x2000);
	assert_desc(d, 0x0000000000009e4bull);
	mapped_free(&m);

	/* Dirty tracking: writable-clean = DBM (bit 51) | AP[2] (0x80). */
	cfg.flags = PT_CFG_DIRTY;
	mapped_new(&m, &cfg);
	d = map_desc(&m, 0x1000, 0x40000000, 0x1000, RW | PT_PROT_CACHE,
		     0x1000);
	assert_desc(d, 0x0008000040000fc7ull);
	assert_int_equal(pt_set_dirty(m.t, 0x1000), 0);
	/* Dirty: AP[2] cleared as by the hardware's write. */
	assert_desc(leaf_desc(&m, 0x1000), 0x0008000040000f47ull);
	/* Read and clear sets it again. */
	assert_int_equal(pt_read_and_clear_dirty(m.t, 0, 1ull << 30, 0, NULL),
			 0);
	assert_desc(leaf_desc(&m, 0x1000), 0x0008000040000fc7ull);
	mapped_free(&m);
}

static void test_arm_s2_4k_map(void **state)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_ARM_S2, .granule_lg2 = 12, .ias = 40, .levels = 3
	};
	struct pt_walk_result res;
	struct mapped m;
	uint64_t d;

	mapped_new(&m, &cfg);
	/* Two concatenated level-1 tables: 8K, aligned to 8K. */
	assert_true((pt_root(pt_table_walk_ctx(m.t)) & 0x1fff) == 0);
	assert_int_equal(pt_levels(pt_table_walk_ctx(m.t)), 3);
	/*
	 * Page: 0b11 | MemAttr 0xf << 2 (0x3c) | S2AP R (0x40) | W (0x80) |
	 * SH inner (0x300) | AF (0x400) = 0x7ff.
	 */
	d = map_desc(&m, 0x8000001000ull, 0x40000000, 0x1000,
		     RW | PT_PROT_CACHE, 0x8000001000ull);
	assert_desc(d, 0x00000000400007ffull);
	/* IPA bit 39 selects the second concatenated table: entry 512. */
	assert_desc(root_desc(&m, 512) & 0xfff, 0x3);
	assert_desc(root_desc(&m, 0), 0);
	assert_int_equal(pt_walk(pt_table_walk_ctx(m.t), 0x8000001000ull,
				 PT_ACCESS_READ, &res),
			 0);
	assert_int_equal(res.arch_level, 3);
	/*
	 * Device, read-only, no exec: 0b11 | MemAttr 1 << 2 (0x4) | S2AP R
	 * (0x40) | SH outer (0x200) | AF | XN (bit 54) = 0x0040000000000647.
	 */
	d = map_desc(&m, 0x2000, 0x5000, 0x1000,
		     PT_PROT_READ | PT_PROT_MMIO | PT_PROT_NOEXEC, 0x2000);
	assert_desc(d, 0x0040000000005647ull);
	mapped_free(&m);

	/*
	 * Dirty tracking, normal non-cacheable: 0b11 | MemAttr 5 << 2
	 * (0x14) | S2AP R (0x40) | SH outer | AF | DBM, S2AP[1] clear:
	 * 0x0008000000000657.
	 */
	cfg.flags = PT_CFG_DIRTY;
	mapped_new(&m, &cfg);
	d = map_desc(&m, 0x1000, 0x7000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x0008000000007657ull);
	assert_int_equal(pt_set_dirty(m.t, 0x1000), 0);
	/* Dirty: S2AP[1] (0x80) set by the write. */
	assert_desc(leaf_desc(&m, 0x1000), 0x00080000000076d7ull);
	mapped_free(&m);
}

static void test_arm_64k_map(void **state)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_ARM_S1, .granule_lg2 = 16, .ias = 52, .oas = 52
	};
	struct pt_walk_result res;
	struct mapped m;
	uint64_t d;

	mapped_new(&m, &cfg);
	/* 64K + 2M (32 x 64K) + 512M + 16G (32 x 512M) + 4T (LPA) */
	assert_true(pt_pgsize_bitmap(m.t) == 0x40420210000ull);
	/*
	 * OA 0x000f000012340000: OA[47:16] in place (0x12340000), OA[51:48]
	 * in bits 15:12 (0xf000), | 0b11 | AP[1] | SH outer | AF | nG:
	 * 0x000000001234fe43.
	 */
	d = map_desc(&m, 0x10000, 0x000f000012340000ull, 0x10000, RW, 0x10000);
	assert_desc(d, 0x000000001234fe43ull);
	assert_int_equal(pt_walk(pt_table_walk_ctx(m.t), 0x1abcd,
				 PT_ACCESS_PRIV, &res),
			 0);
	assert_true(res.oa == 0x000f00001234abcdull);
	/* Level 1 has 2^(52 - 42) = 1024 entries: three levels. */
	assert_int_equal(pt_levels(pt_table_walk_ctx(m.t)), 3);
	mapped_free(&m);

	/* 16K granule, 48 bits: level 0 has two entries, four levels. */
	cfg = (struct pt_cfg){ .fmt = PT_FMT_ARM_S1, .granule_lg2 = 14 };
	mapped_new(&m, &cfg);
	assert_int_equal(pt_levels(pt_table_walk_ctx(m.t)), 4);
	/* 16K + 2M (128 x 16K) + 32M + 1G (32 x 32M) */
	assert_true(pt_pgsize_bitmap(m.t) == 0x42204000ull);
	d = map_desc(&m, 0x800000000000ull, 0x4000, 0x4000, RW,
		     0x800000000000ull);
	/* 0x4000 | 0b11 | AP[1] | SH outer | AF | nG */
	assert_desc(d, 0x0000000000004e43ull);
	assert_desc(root_desc(&m, 1) & 0x3fff, 0x3);
	mapped_free(&m);
}

static void test_vtd_map(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_VTD_SS,
			      .ias = 48,
			      .flags = PT_CFG_FORCE_COHERENT };
	struct mapped m;
	uint64_t d;

	mapped_new(&m, &cfg);
	assert_true(pt_pgsize_bitmap(m.t) == 0x40201000ull);
	/* 9.8 SS-PTE: R (1) | W (2) | SNP (0x800) = 0x803. */
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x0000000012345803ull);
	/* SS-PDE 2M: | PS (0x80) = 0x883. */
	d = map_desc(&m, 0x40000000, 0x40000000, 0x200000, RW, 0x40000000);
	assert_desc(d, 0x0000000040000883ull);
	/* SS-PDPE 1G, read-only: R | PS | SNP = 0x881. */
	d = map_desc(&m, 0x80000000ull, 0x80000000ull, 0x40000000, PT_PROT_READ,
		     0x80000000ull);
	assert_desc(d, 0x0000000080000881ull);
	/* Tables: address | R | W. */
	assert_desc(root_desc(&m, 0) & 0xfff, 0x3);
	mapped_free(&m);

	/* First stage (x86-64). */
	cfg = (struct pt_cfg){ .fmt = PT_FMT_VTD_FS,
			       .ias = 48,
			       .flags = PT_CFG_SIGN_EXTEND };
	mapped_new(&m, &cfg);
	/* 9.7: P (1) | R/W (2) | U/S (4) | A (0x20) | D (0x40) = 0x67. */
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x0000000012345067ull);
	/* Supervisor-only read-only 2M, no execute: P | A | PS | XD. */
	d = map_desc(&m, 0x200000, 0x400000, 0x200000,
		     PT_PROT_READ | PT_PROT_PRIV | PT_PROT_NOEXEC, 0x200000);
	assert_desc(d, 0x80000000004000a1ull);
	/* 1G user writable: P | RW | US | A | D | PS = 0xe7. */
	d = map_desc(&m, 0x40000000, 0xc0000000ull, 0x40000000, RW, 0x40000000);
	assert_desc(d, 0x00000000c00000e7ull);
	/* Paging-structure entries: P | RW | US | A = 0x27. */
	assert_desc(root_desc(&m, 0) & 0xfff, 0x27);
	/* The upper canonical half: PML4 index 511 for 0xffffff8000000000. */
	d = map_desc(&m, 0xffffff8000000000ull, 0x5000, 0x1000, RW,
		     0xffffff8000000000ull);
	assert_desc(d, 0x0000000000005067ull);
	assert_desc(root_desc(&m, 511) & 0xfff, 0x27);
	mapped_free(&m);

	/* With dirty tracking writable leaves start clean: 0x27. */
	cfg.flags |= PT_CFG_DIRTY;
	mapped_new(&m, &cfg);
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x0000000012345027ull);
	mapped_free(&m);
}

static void test_amdv1_map(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_AMDV1, .levels = 3 };
	struct mapped m;
	uint64_t d;

	mapped_new(&m, &cfg);
	/* Every power of two from 4K to 256G (half the level-3 span). */
	assert_true(pt_pgsize_bitmap(m.t) == 0x7ffffff000ull);
	/* PTE: PR (1) | IR (bit 61) | IW (bit 62), NextLevel 0. */
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x6000000012345001ull);
	/*
	 * 8K page: two entries, NextLevel 7 (0xe00), address 0x10000000
	 * with no ones below the size bit (bit 12 clear):
	 * 0x6000000010000e01, both.
	 */
	d = map_desc(&m, 0x2000, 0x10000000, 0x2000, RW, 0x2000);
	assert_desc(d, 0x6000000010000e01ull);
	d = map_desc(&m, 0x8000, 0x10008000, 0x4000, RW, 0x9000);
	/* 16K: bit 12 set, bit 13 clear: 0x...10009000 | 0xe01. */
	assert_desc(d, 0x6000000010009e01ull);
	/* 2M is level 2's (engine level 1) item: NextLevel 0. */
	d = map_desc(&m, 0x200000, 0x80000000, 0x200000, RW, 0x200000);
	assert_desc(d, 0x6000000080000001ull);
	/*
	 * 4M: two level-2 entries, NextLevel 7, bits 20:12 all ones
	 * (0x1ff000): 0x60000000801ffe01.
	 */
	d = map_desc(&m, 0x400000, 0x80000000, 0x400000, RW, 0x600000);
	assert_desc(d, 0x60000000801ffe01ull);
	/* 1G at the top level (level 3): NextLevel 0. */
	d = map_desc(&m, 0x40000000, 0xc0000000ull, 0x40000000, PT_PROT_READ,
		     0x40000000);
	assert_desc(d, 0x20000000c0000001ull);
	/* The root's PDE for the level-2 table: NextLevel 2 (0x400). */
	assert_desc(root_desc(&m, 0) & 0xfff, 0x401);
	assert_desc(root_desc(&m, 0) & ~0x000ffffffffff000ull,
		    0x6000000000000401ull);
	mapped_free(&m);

	cfg.flags = PT_CFG_FORCE_COHERENT;
	mapped_new(&m, &cfg);
	/* FC (bit 60). */
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1000);
	assert_desc(d, 0x7000000012345001ull);
	mapped_free(&m);

	/* Six levels reach bit 63; 512G is never used. */
	cfg = (struct pt_cfg){ .fmt = PT_FMT_AMDV1, .levels = 6 };
	mapped_new(&m, &cfg);
	assert_true(pt_pgsize_bitmap(m.t) == 0xfff7ffffff000ull);
	d = map_desc(&m, 0xfffffffffffff000ull, 0x3000, 0x1000, RW,
		     0xfffffffffffff000ull);
	assert_desc(d, 0x6000000000003001ull);
	/* The top table is indexed by bits 63:57: entry 127. */
	assert_desc(root_desc(&m, 127) & 0xfff, 0xa01);
	mapped_free(&m);
}

static void test_mock_map(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_MOCK };
	struct pt_walk_result res;
	struct mapped m;
	uint64_t d, first, last;

	mapped_new(&m, &cfg);
	/* 2K up to 128G (half the top level's span). */
	assert_true(pt_pgsize_bitmap(m.t) == 0x3ffffff800ull);
	pt_iova_range(pt_table_walk_ctx(m.t), &first, &last);
	assert_true(last == (1ull << 38) - 1);
	/*
	 * 2K page at OA 0x12345800: the address field holds OA >> 11 =
	 * 0x2468b at bit 12: 0x2468b000 | PR | IR | IW.
	 */
	d = map_desc(&m, 0x800, 0x12345800, 0x800, RW, 0x800);
	assert_desc(d, 0x600000002468b001ull);
	/* 4K = two 2K entries, NextLevel 7: 0x2468a000 | 0xe01. */
	d = map_desc(&m, 0x1000, 0x12345000, 0x1000, RW, 0x1800);
	assert_desc(d, 0x600000002468ae01ull);
	assert_int_equal(pt_walk(pt_table_walk_ctx(m.t), 0x1abc, PT_ACCESS_PRIV,
				 &res),
			 0);
	assert_int_equal(res.page_lg2, 12);
	assert_true(res.oa == 0x12345abc);
	/* 1M: level 1's item, NextLevel 0: 0x12300000 >> 11 = 0x24600. */
	d = map_desc(&m, 0x100000, 0x12300000, 0x100000, RW, 0x100000);
	assert_desc(d, 0x6000000024600001ull);
	/* 2M: two level-1 entries, field 0x24800 | 0x1ff = 0x249ff. */
	d = map_desc(&m, 0x200000, 0x12400000, 0x200000, RW, 0x200000);
	assert_desc(d, 0x60000000249ffe01ull);
	mapped_free(&m);
}

/* ---- walks of tables written by hand ---- */

struct raw {
	struct arena a;
	struct pt_walk_ctx ctx;
};

#define RAW_GPA 0x100000ull

static uint64_t *raw_tbl(struct raw *r, unsigned int n)
{
	return arena_ptr(&r->a, RAW_GPA + n * 0x1000ull);
}

static uint64_t raw_pa(unsigned int n)
{
	return RAW_GPA + n * 0x1000ull;
}

static void raw_init(struct raw *r, struct pt_cfg cfg)
{
	arena_init(&r->a, 1 << 20, RAW_GPA);
	cfg.mem = &arena_ops;
	cfg.mem_priv = &r->a;
	assert_int_equal(pt_walk_ctx_init(&r->ctx, &cfg, raw_pa(0)), 0);
}

static void walk_ok(struct raw *r, uint64_t iova, unsigned int access,
		    uint64_t oa, unsigned int lg2, unsigned int arch_level)
{
	struct pt_walk_result res;
	int ret = pt_walk(&r->ctx, iova, access, &res);

	if (ret)
		printf("# walk 0x%" PRIx64 ": fault %d at level %u\n", iova,
		       res.fault, res.arch_level);
	assert_int_equal(ret, 0);
	assert_true(res.oa == oa);
	assert_int_equal(res.page_lg2, lg2);
	assert_int_equal(res.arch_level, arch_level);
}

static void walk_fault(struct raw *r, uint64_t iova, unsigned int access,
		       enum pt_fault fault, unsigned int arch_level)
{
	struct pt_walk_result res;
	int ret = pt_walk(&r->ctx, iova, access, &res);

	if (ret != -EFAULT || res.fault != fault)
		printf("# walk 0x%" PRIx64 ": %d fault %d level %u, want %d\n",
		       iova, ret, res.fault, res.arch_level, fault);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(res.fault, fault);
	assert_int_equal(res.arch_level, arch_level);
}

static void test_arm_s1_walk(void **state)
{
	/* 39 bits, 4K: lookup levels 1, 2, 3. */
	struct pt_cfg cfg = { .fmt = PT_FMT_ARM_S1, .ias = 39, .oas = 40 };
	const uint64_t page = 0x3 | 0x400 | 0x40; /* page, AF, AP[1] EL0 */
	struct pt_walk_result res;
	struct raw r;
	uint64_t *l1, *l2, *l3;

	raw_init(&r, cfg);
	l1 = raw_tbl(&r, 0);
	l2 = raw_tbl(&r, 1);
	l3 = raw_tbl(&r, 2);
	/* 0x40201000: L1 index 1, L2 index 1, L3 index 1. */
	l1[1] = raw_pa(1) | 3;
	l2[1] = raw_pa(2) | 3;
	l3[1] = 0x80005000 | page;
	walk_ok(&r, 0x40201abc, USER_R, 0x80005abc, 12, 3);
	walk_ok(&r, 0x40201abc, USER_W, 0x80005abc, 12, 3);
	/* EL0 writable: never executable at EL1; EL0 may execute. */
	walk_fault(&r, 0x40201000, PRIV_X, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, USER_X, 0x80005000, 12, 3);

	/* AP[2] read-only; AP[1] clear: no EL0 access. */
	l3[1] = 0x80005000 | 0x3 | 0x400 | 0x80;
	walk_fault(&r, 0x40201000, PRIV_W, PT_FAULT_PERMISSION, 3);
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, PRIV_R, 0x80005000, 12, 3);
	walk_ok(&r, 0x40201000, PRIV_X, 0x80005000, 12, 3);
	/* PXN (bit 53) / UXN (bit 54). */
	l3[1] = 0x80005000 | page | 0x80 | (1ull << 53);
	walk_fault(&r, 0x40201000, PRIV_X, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, USER_X, 0x80005000, 12, 3);
	l3[1] = 0x80005000 | page | 0x80 | (1ull << 54);
	walk_fault(&r, 0x40201000, USER_X, PT_FAULT_PERMISSION, 3);

	/* Hierarchical controls on the level-2 table descriptor. */
	l3[1] = 0x80005000 | page;
	l2[1] = raw_pa(2) | 3 | (1ull << 62); /* APTable[1]: no writes */
	walk_fault(&r, 0x40201000, PRIV_W, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, USER_R, 0x80005000, 12, 3);
	l2[1] = raw_pa(2) | 3 | (1ull << 61); /* APTable[0]: no EL0 */
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, PRIV_W, 0x80005000, 12, 3);
	l2[1] = raw_pa(2) | 3 | (1ull << 60); /* UXNTable */
	walk_fault(&r, 0x40201000, USER_X, PT_FAULT_PERMISSION, 3);
	l2[1] = raw_pa(2) | 3 | (1ull << 59);	 /* PXNTable */
	l3[1] = 0x80005000 | 0x3 | 0x400 | 0x80; /* EL1 RO: EL1 exec ok */
	walk_fault(&r, 0x40201000, PRIV_X, PT_FAULT_PERMISSION, 3);
	l2[1] = raw_pa(2) | 3;
	walk_ok(&r, 0x40201000, PRIV_X, 0x80005000, 12, 3);
	/* ... and two levels up: it restricts everything below it. */
	l3[1] = 0x80005000 | page;
	l1[1] = raw_pa(1) | 3 | (1ull << 62);
	walk_fault(&r, 0x40201000, PRIV_W, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, PRIV_R, 0x80005000, 12, 3);
	l1[1] = raw_pa(1) | 3;
	walk_ok(&r, 0x40201000, PRIV_W, 0x80005000, 12, 3);

	/* Access flag: a fault without HA, set by the walker with it. */
	l3[1] = 0x80005000 | 0x3 | 0x40;
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_ACCESS_FLAG, 3);
	walk_ok(&r, 0x40201000, USER_R | PT_HW_HA, 0x80005000, 12, 3);
	assert_true(l3[1] == (0x80005000 | 0x3 | 0x40 | 0x400));

	/* DBM: write-clean is read-only without HD; HD clears AP[2]. */
	l3[1] = 0x80005000 | page | 0x80 | (1ull << 51);
	walk_fault(&r, 0x40201000, USER_W, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x40201000, USER_R | PT_HW_HD, 0x80005000, 12, 3);
	assert_true(l3[1] & 0x80);
	walk_ok(&r, 0x40201000, USER_W | PT_HW_HD, 0x80005000, 12, 3);
	assert_true(l3[1] == (0x80005000 | page | (1ull << 51)));
	/* ...and the result carries the updated descriptor. */
	assert_int_equal(pt_walk(&r.ctx, 0x40201000, USER_W | PT_HW_HD, &res),
			 0);
	assert_true(res.desc == l3[1]);
	assert_true(res.desc_pa == raw_pa(2) + 8);
	assert_int_equal(res.level, 0);

	/* Reserved 0b01 at level 3 is invalid. */
	l3[1] = 0x80005000 | 0x1 | 0x400;
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_TRANSLATION, 3);
	/* Contiguous: 16 x 4K translate as one 64K page. */
	l3[16] = 0x80010000 | page | (1ull << 52);
	walk_ok(&r, 0x40210abc, USER_R, 0x80010abc, 16, 3);

	/* Blocks: 2M at level 2, 1G at level 1 (nG clear: global). */
	l2[2] = 0x80200000 | 0x1 | 0x400 | 0x40 | (2 << 2);
	walk_ok(&r, 0x40412345, USER_R, 0x80212345, 21, 2);
	assert_int_equal(pt_walk(&r.ctx, 0x40412345, USER_R, &res), 0);
	assert_true(res.attr == (2 | PT_ATTR_GLOBAL));
	l1[3] = 0x40000000 | 0x1 | 0x400 | 0x40 | (3 << 8) | (1 << 11);
	walk_ok(&r, 0xc1234567, USER_R, 0x41234567, 30, 1);
	assert_int_equal(pt_walk(&r.ctx, 0xc1234567, USER_R, &res), 0);
	assert_true(res.attr == (3ull << PT_ATTR_SH_SHIFT));

	/* Output beyond the 40-bit OAS: address size faults. */
	l1[4] = (1ull << 41) | 0x1 | 0x400 | 0x40;
	walk_fault(&r, 0x100000000ull, USER_R, PT_FAULT_ADDRESS_SIZE, 1);
	l1[5] = (1ull << 42) | 0x3;
	walk_fault(&r, 0x140000000ull, USER_R, PT_FAULT_ADDRESS_SIZE, 1);
	/* Input beyond 39 bits, empty entries, unreachable tables. */
	walk_fault(&r, 1ull << 39, USER_R, PT_FAULT_TRANSLATION, 1);
	walk_fault(&r, 0x180000000ull, USER_R, PT_FAULT_TRANSLATION, 1);
	l1[7] = 0x7ff000 | 3; /* outside guest memory */
	walk_fault(&r, 0x1c0000000ull, USER_R, PT_FAULT_EXTERNAL, 2);
	arena_destroy(&r.a);

	/* Four levels: a block at level 0 does not exist. */
	cfg.ias = 48;
	raw_init(&r, cfg);
	raw_tbl(&r, 0)[0] = 0x1 | 0x400;
	walk_fault(&r, 0x1000, USER_R, PT_FAULT_TRANSLATION, 0);
	arena_destroy(&r.a);
}

static void test_arm_s2_walk(void **state)
{
	/* 40 bits starting at level 1: two concatenated tables (8K). */
	struct pt_cfg cfg = {
		.fmt = PT_FMT_ARM_S2, .ias = 40, .levels = 3, .oas = 44
	};
	struct raw r;
	uint64_t *l1, *l2, *l3;

	raw_init(&r, cfg);
	l1 = raw_tbl(&r, 0); /* tables 0 and 1 */
	l2 = raw_tbl(&r, 2);
	l3 = raw_tbl(&r, 3);
	l1[512] = raw_pa(2) | 3; /* IPA bit 39: the second table */
	l2[0] = raw_pa(3) | 3;
	/* S2AP read only (0x40), AF. */
	l3[0] = 0x9000 | 0x3 | 0x400 | 0x40;
	walk_ok(&r, 0x8000000123ull, USER_R, 0x9123, 12, 3);
	walk_fault(&r, 0x8000000123ull, USER_W, PT_FAULT_PERMISSION, 3);
	/* Write only (0x80): reads fault. */
	l3[0] = 0x9000 | 0x3 | 0x400 | 0x80;
	walk_fault(&r, 0x8000000123ull, USER_R, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x8000000123ull, USER_W, 0x9123, 12, 3);
	/* XN (bit 54). */
	l3[0] = 0x9000 | 0x3 | 0x400 | 0x40 | (1ull << 54);
	walk_fault(&r, 0x8000000123ull, USER_X, PT_FAULT_PERMISSION, 3);
	/* DBM: HD sets S2AP[1]. */
	l3[0] = 0x9000 | 0x3 | 0x400 | 0x40 | (1ull << 51);
	walk_fault(&r, 0x8000000123ull, USER_W, PT_FAULT_PERMISSION, 3);
	walk_ok(&r, 0x8000000123ull, USER_W | PT_HW_HD, 0x9123, 12, 3);
	assert_true(l3[0] & 0x80);
	/* Stage-2 tables carry no restrictions (bits 63:59 ignored). */
	l2[0] = raw_pa(3) | 3 | (0x1full << 59);
	walk_ok(&r, 0x8000000123ull, USER_W, 0x9123, 12, 3);
	/* AF=0 faults at stage 2 too. */
	l3[0] = 0x9000 | 0x3 | 0x40;
	walk_fault(&r, 0x8000000123ull, USER_R, PT_FAULT_ACCESS_FLAG, 3);
	/* Memory attributes: MemAttr 0xf, SH inner. */
	{
		struct pt_walk_result res;

		l3[0] = 0x9000 | 0x3 | 0x400 | 0x40 | (0xf << 2) | (3 << 8);
		assert_int_equal(pt_walk(&r.ctx, 0x8000000123ull, USER_R, &res),
				 0);
		assert_true(res.attr == (0xf | (3ull << PT_ATTR_SH_SHIFT)));
	}
	/* The first table: IPA below 2^39. */
	walk_fault(&r, 0x1000, USER_R, PT_FAULT_TRANSLATION, 1);
	walk_fault(&r, 1ull << 40, USER_R, PT_FAULT_TRANSLATION, 1);
	arena_destroy(&r.a);

	/* 64K granule, 44 bits from level 2: 4 concatenated tables. */
	cfg = (struct pt_cfg){
		.fmt = PT_FMT_ARM_S2, .granule_lg2 = 16, .ias = 44, .levels = 2
	};
	raw_init(&r, cfg);
	/* IPA 0xc0020012345: level-2 index 0xc0020012345 >> 29 = 24577. */
	l2 = arena_ptr(&r.a, RAW_GPA);
	l2[(0xc0020000000ull >> 29)] = 0x20000000 | 0x1 | 0x400 | 0x40;
	walk_ok(&r, 0xc0020012345ull, USER_R, 0x20012345, 29, 2);
	arena_destroy(&r.a);
}

static void test_x86_walk(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_VTD_FS,
			      .ias = 48,
			      .flags = PT_CFG_SIGN_EXTEND };
	struct pt_walk_result res;
	struct raw r;
	uint64_t *l4, *l3, *l2, *l1;

	raw_init(&r, cfg);
	l4 = raw_tbl(&r, 0);
	l3 = raw_tbl(&r, 1);
	l2 = raw_tbl(&r, 2);
	l1 = raw_tbl(&r, 3);
	/* 0x40201000: PML4 0, PDPT 1, PD 1, PT 1. */
	l4[0] = raw_pa(1) | 0x27;
	l3[1] = raw_pa(2) | 0x27;
	l2[1] = raw_pa(3) | 0x27;
	l1[1] = 0x7000 | 0x27; /* P RW US A, not dirty */
	walk_ok(&r, 0x40201fff, USER_W, 0x7fff, 12, 1);
	/* The walker sets D on a write with HD. */
	walk_ok(&r, 0x40201fff, USER_W | PT_HW_HD, 0x7fff, 12, 1);
	assert_true(l1[1] == (0x7000 | 0x67));
	/* A set with HA. */
	l1[1] = 0x7000 | 0x7;
	walk_ok(&r, 0x40201000, USER_R | PT_HW_HA, 0x7000, 12, 1);
	assert_true(l1[1] == (0x7000 | 0x27));
	/* R/W clear in the PDE: no writes below. */
	l2[1] = raw_pa(3) | 0x25;
	walk_fault(&r, 0x40201000, USER_W, PT_FAULT_PERMISSION, 1);
	walk_fault(&r, 0x40201000, PRIV_W, PT_FAULT_PERMISSION, 1);
	walk_ok(&r, 0x40201000, USER_R, 0x7000, 12, 1);
	/* U/S clear in the PDPTE: supervisor only. */
	l2[1] = raw_pa(3) | 0x27;
	l3[1] = raw_pa(2) | 0x23;
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_PERMISSION, 1);
	walk_ok(&r, 0x40201000, PRIV_W, 0x7000, 12, 1);
	l3[1] = raw_pa(2) | 0x27;
	/* XD (bit 63) in the PTE. */
	l1[1] = 0x7000 | 0x27 | (1ull << 63);
	walk_fault(&r, 0x40201000, USER_X, PT_FAULT_PERMISSION, 1);
	walk_ok(&r, 0x40201000, USER_R, 0x7000, 12, 1);
	/* Not present. */
	l1[1] = 0x7000 | 0x26;
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_TRANSLATION, 1);
	/* 2M page (PS) with PWT | PCD | PAT (bit 12): PAT index 7. */
	l2[2] = 0x40000000 | 0xa7 | 0x18 | 0x1000;
	walk_ok(&r, 0x40412345, USER_R, 0x40012345, 21, 2);
	assert_int_equal(pt_walk(&r.ctx, 0x40412345, USER_R, &res), 0);
	assert_true(res.attr == 7);
	/* Reserved: address bit 13 of a 2M page, PS in a PML4E. */
	l2[3] = 0x40000000 | 0xa7 | 0x2000;
	walk_fault(&r, 0x40600000, USER_R, PT_FAULT_RESERVED, 2);
	l4[1] = raw_pa(1) | 0xa7;
	walk_fault(&r, 0x8000000000ull, USER_R, PT_FAULT_RESERVED, 4);
	/* 1G page. */
	l3[3] = 0x80000000 | 0xe7;
	walk_ok(&r, 0xc1234567, USER_R, 0x81234567, 30, 3);
	/* Canonical upper half: PML4 511; a hole in between. */
	l4[511] = raw_pa(1) | 0x27;
	walk_ok(&r, 0xffffff80c1234567ull, USER_R, 0x81234567, 30, 3);
	walk_fault(&r, 0x0000800000000000ull, USER_R, PT_FAULT_TRANSLATION, 4);
	walk_fault(&r, 0xff00000000000000ull, USER_R, PT_FAULT_TRANSLATION, 4);
	arena_destroy(&r.a);
}

static void test_vtdss_walk(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_VTD_SS, .ias = 39, .oas = 39 };
	struct pt_walk_result res;
	struct raw r;
	uint64_t *l3, *l2, *l1;

	raw_init(&r, cfg);
	l3 = raw_tbl(&r, 0);
	l2 = raw_tbl(&r, 1);
	l1 = raw_tbl(&r, 2);
	l3[1] = raw_pa(1) | 3;
	l2[1] = raw_pa(2) | 3;
	/* R | W | EMT 6 (WB) << 3 | IPAT | SNP. */
	l1[1] = 0x9000 | 0x3 | (6 << 3) | 0x40 | 0x800;
	walk_ok(&r, 0x40201000, USER_W, 0x9000, 12, 1);
	assert_int_equal(pt_walk(&r.ctx, 0x40201000, USER_R, &res), 0);
	assert_true(res.attr == (6 | 8 | PT_ATTR_COHERENT));
	/* SSADE: A and D. */
	walk_ok(&r, 0x40201000, USER_W | PT_HW_HA | PT_HW_HD, 0x9000, 12, 1);
	assert_true(l1[1] & 0x100);
	assert_true(l1[1] & 0x200);
	/* Permissions are ANDed down: W clear in the PDE. */
	l2[1] = raw_pa(2) | 1;
	walk_fault(&r, 0x40201000, USER_W, PT_FAULT_PERMISSION, 1);
	/* R clear, W set: present, reads fault. */
	l2[1] = raw_pa(2) | 2;
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_PERMISSION, 1);
	l2[1] = raw_pa(2) | 3;
	/* R = W = 0: not present. */
	l1[1] = 0x9000 | (6 << 3);
	walk_fault(&r, 0x40201000, USER_R, PT_FAULT_TRANSLATION, 1);
	/* Super-pages and their reserved low address bits. */
	l2[2] = 0x40000000 | 0x83;
	walk_ok(&r, 0x40412345, USER_R, 0x40012345, 21, 2);
	l2[3] = 0x40100000 | 0x83;
	walk_fault(&r, 0x40600000, USER_R, PT_FAULT_RESERVED, 2);
	/* An address beyond the 39-bit width is a reserved field. */
	l1[2] = (1ull << 40) | 3;
	walk_fault(&r, 0x40202000, USER_R, PT_FAULT_RESERVED, 1);
	arena_destroy(&r.a);

	/* PS in an SS-PML4E is reserved. */
	cfg.ias = 48;
	cfg.oas = 0;
	raw_init(&r, cfg);
	raw_tbl(&r, 0)[0] = raw_pa(1) | 0x83;
	walk_fault(&r, 0x1000, USER_R, PT_FAULT_RESERVED, 4);
	arena_destroy(&r.a);
}

static void test_amdv1_walk(void **state)
{
	struct pt_cfg cfg = { .fmt = PT_FMT_AMDV1, .levels = 3 };
	const uint64_t irw = (3ull << 61) | 1;
	struct raw r;
	uint64_t *l3, *l2, *l1;

	raw_init(&r, cfg);
	l3 = raw_tbl(&r, 0);
	l2 = raw_tbl(&r, 1);
	l1 = raw_tbl(&r, 2);
	l3[1] = raw_pa(1) | irw | (2 << 9); /* NextLevel 2 */
	l2[1] = raw_pa(2) | irw | (1 << 9); /* NextLevel 1 */
	l1[1] = 0x9000 | irw;
	walk_ok(&r, 0x40201abc, USER_W, 0x9abc, 12, 1);
	/* HAD: the walker sets A and D. */
	walk_ok(&r, 0x40201abc, USER_W | PT_HW_HA | PT_HW_HD, 0x9abc, 12, 1);
	assert_true(l1[1] == (0x9000 | irw | 0x60));
	/* IR/IW are ANDed with the PDEs'. */
	l2[1] = raw_pa(2) | (1ull << 61) | 1 | (1 << 9);
	walk_fault(&r, 0x40201000, USER_W, PT_FAULT_PERMISSION, 1);
	walk_ok(&r, 0x40201000, USER_R, 0x9000, 12, 1);
	l2[1] = raw_pa(2) | irw | (1 << 9);
	/* NextLevel that is not the level below: not modelled, reserved. */
	l3[2] = raw_pa(2) | irw | (1 << 9);
	walk_fault(&r, 0x80000000ull, USER_R, PT_FAULT_RESERVED, 3);
	/* Reserved bits 58:52. */
	l1[2] = 0x9000 | irw | (1ull << 55);
	walk_fault(&r, 0x40202000, USER_R, PT_FAULT_RESERVED, 1);
	/*
	 * Page-size encoding (NextLevel 7): a 32K page at 0x20000 has
	 * address bits 14:12 = 011 (two ones, then the zero at bit 14).
	 */
	l1[8] = l1[9] = l1[10] = l1[11] = l1[12] = l1[13] = l1[14] = l1[15] =
		0x20000 | 0x3000 | irw | (7 << 9);
	walk_ok(&r, 0x4020abcd, USER_R, 0x22bcd, 15, 1);
	/* An encoded size not above the item, or not below the parent. */
	l1[16] = 0x20000 | 0xff000 | irw | (7 << 9); /* 2M at level 1 */
	walk_fault(&r, 0x40210000, USER_R, PT_FAULT_RESERVED, 1);
	/* 4M at level 2: two entries with bits 20:12 set. */
	l2[4] = l2[5] = 0x80000000 | 0x1ff000 | irw | (7 << 9);
	walk_ok(&r, 0x40a12345, USER_R, 0x80212345, 22, 2);
	/* A 2M page at level 2 (NextLevel 0). */
	l2[6] = 0x80000000 | irw;
	walk_ok(&r, 0x40c12345, USER_R, 0x80012345, 21, 2);
	/* Not present. */
	l2[7] = 0x80000000 | (3ull << 61);
	walk_fault(&r, 0x40e00000, USER_R, PT_FAULT_TRANSLATION, 2);
	walk_fault(&r, 1ull << 39, USER_R, PT_FAULT_TRANSLATION, 3);
	arena_destroy(&r.a);

	/* The mock: 2K granule, address field in 2K units. */
	cfg = (struct pt_cfg){ .fmt = PT_FMT_MOCK };
	raw_init(&r, cfg);
	l3 = raw_tbl(&r, 0);
	l2 = raw_tbl(&r, 1);
	l1 = raw_tbl(&r, 2);
	/* Table addresses >> 11 too: 0x101000 >> 11 = 0x202 at bit 12. */
	l3[0] = ((raw_pa(1) >> 11) << 12) | irw | (2 << 9);
	l2[0] = ((raw_pa(2) >> 11) << 12) | irw | (1 << 9);
	/* 2K page at 0x12345800 (field 0x2468b) for IOVA 0x800. */
	l1[1] = 0x2468b000ull | irw;
	walk_ok(&r, 0x8ab, USER_R, 0x123458ab, 11, 1);
	/* 4K: two entries, NextLevel 7, field 0x2468a (bit 0 clear). */
	l1[2] = l1[3] = 0x2468a000ull | irw | (7 << 9);
	walk_ok(&r, 0x1c00, USER_R, 0x12345c00, 12, 1);
	arena_destroy(&r.a);
}

/* ---- configurations each format accepts or refuses ---- */

static void test_cfg_limits(void **state)
{
	static const struct {
		struct pt_cfg cfg;
		int ret;
	} cases[] = {
		{ { .fmt = PT_FMT_ARM_S1, .ias = 48 }, 0 },
		{ { .fmt = PT_FMT_ARM_S1, .ias = 52 }, -EINVAL },
		{ { .fmt = PT_FMT_ARM_S1, .granule_lg2 = 16, .ias = 52 }, 0 },
		{ { .fmt = PT_FMT_ARM_S1, .granule_lg2 = 13 }, -EINVAL },
		{ { .fmt = PT_FMT_ARM_S1, .ias = 24 }, -EINVAL },
		/* Concatenation is stage 2 only, and at most 16 tables. */
		{ { .fmt = PT_FMT_ARM_S1, .ias = 40, .levels = 3 }, -EINVAL },
		{ { .fmt = PT_FMT_ARM_S2, .ias = 40, .levels = 3 }, 0 },
		{ { .fmt = PT_FMT_ARM_S2, .ias = 43, .levels = 3 }, 0 },
		{ { .fmt = PT_FMT_ARM_S2, .ias = 44, .levels = 3 }, -EINVAL },
		{ { .fmt = PT_FMT_ARM_S2, .ias = 40, .levels = 5 }, -EINVAL },
		{ { .fmt = PT_FMT_ARM_S1, .flags = PT_CFG_DYNAMIC_TOP },
		  -EINVAL },
		{ { .fmt = PT_FMT_VTD_FS, .ias = 39 }, -EINVAL },
		{ { .fmt = PT_FMT_VTD_FS, .ias = 57 }, 0 },
		{ { .fmt = PT_FMT_VTD_SS, .ias = 39 }, 0 },
		{ { .fmt = PT_FMT_VTD_SS, .ias = 58 }, -EINVAL },
		{ { .fmt = PT_FMT_VTD_SS, .flags = PT_CFG_SIGN_EXTEND },
		  -EINVAL },
		{ { .fmt = PT_FMT_AMDV1, .levels = 7 }, -EINVAL },
		{ { .fmt = PT_FMT_AMDV1, .levels = 6 }, 0 },
		{ { .fmt = PT_FMT_MOCK, .levels = 4 }, -EINVAL },
		{ { .fmt = PT_FMT_MOCK, .oas = 52 }, -EINVAL },
		{ { .fmt = 0 }, -EOPNOTSUPP },
		{ { .fmt = 42 }, -EOPNOTSUPP },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_table *t = pt_alloc(&cases[i].cfg);
		int ret = IS_ERR(t) ? (int)PTR_ERR(t) : 0;

		if (ret != cases[i].ret)
			printf("# case %zu: %d, want %d\n", i, ret,
			       cases[i].ret);
		assert_int_equal(ret, cases[i].ret);
		if (!ret) {
			assert_string_not_equal(
				pt_format_name(pt_table_walk_ctx(t)), "none");
			pt_free(t);
		}
	}
	{
		struct pt_cfg cfg = { .fmt = PT_FMT_ARM_S1, .granule_lg2 = 14 };
		struct pt_table *t = pt_alloc(&cfg);

		assert_false(IS_ERR(t));
		assert_string_equal(pt_format_name(&t->ctx), "arm_s1_16k");
		pt_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm_s1_4k_map),
		cmocka_unit_test(test_arm_s2_4k_map),
		cmocka_unit_test(test_arm_64k_map),
		cmocka_unit_test(test_vtd_map),
		cmocka_unit_test(test_amdv1_map),
		cmocka_unit_test(test_mock_map),
		cmocka_unit_test(test_arm_s1_walk),
		cmocka_unit_test(test_arm_s2_walk),
		cmocka_unit_test(test_x86_walk),
		cmocka_unit_test(test_vtdss_walk),
		cmocka_unit_test(test_amdv1_walk),
		cmocka_unit_test(test_cfg_limits),
	};

	return cmocka_run_group_tests_name("pt_encode", tests, NULL, NULL);
}
