// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d Accessed/Dirty flags as DMA sets them: second stage only with the
 * PASID entry's SSADE (3.7.2), first stage always (3.6.2), nested first
 * stage through the second stage (the guest's A/D writes are DMA writes
 * to guest memory), and the IOTLB rule software depends on for dirty
 * tracking: a translation cached writable does not set D again until it
 * is invalidated, while one cached before its D was set is cached
 * read-only, so the first write walks and sets D.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0310
#define DID 21
#define PASID 0x31

/* Flag positions (9.7 first-stage, 9.8 second-stage entries). */
#define FS_A (1ull << 5)
#define FS_D (1ull << 6)
#define SS_A (1ull << 8)
#define SS_D (1ull << 9)

#define GPA_DATA 0x7f0000000000ull /* data pages, outside the bench RAM */

/* The leaf descriptor in memory for @iova (read, nothing updated). */
static uint64_t *leaf(struct pt_table *t, uint64_t iova)
{
	struct pt_walk_result r;

	assert_int_equal(
		pt_walk(pt_table_walk_ctx(t), iova, PT_ACCESS_READ, &r), 0);
	return tb_ptr(r.desc_pa);
}

static struct vtd_xlate dma(struct tb *tb, uint32_t pasid, uint64_t iova,
			    unsigned int access)
{
	struct vtd_xlate x;

	assert_int_equal(vtd_translate(tb->vtd, SID, pasid, iova, access, &x),
			 0);
	return x;
}

struct runs {
	unsigned int n;
	uint64_t iova[16], len[16];
};

static void record(void *priv, uint64_t iova, uint64_t len)
{
	struct runs *r = priv;

	assert_true(r->n < 16);
	r->iova[r->n] = iova;
	r->len[r->n++] = len;
}

/* Dirty runs of [iova, iova + len), cleared. */
static struct runs harvest(struct pt_table *t, uint64_t iova, uint64_t len)
{
	struct runs r = { 0 };
	struct pt_dirty_sink sink = { .record = record, .priv = &r };

	assert_int_equal(pt_read_and_clear_dirty(t, iova, len, 0, &sink), 0);
	return r;
}

static struct pt_table *ss_pages(struct tb *tb, unsigned int n,
				 unsigned int prot)
{
	struct pt_table *ss = tb_pt(tb, PT_FMT_VTD_SS, 48, PT_CFG_DIRTY);
	uint64_t mapped;
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(pt_map(ss, GPA_DATA + i * 4096ull,
					tb_alloc(tb, 4096), 4096, prot,
					&mapped),
				 0);
	return ss;
}

static void test_ss_no_ssade(void **state)
{
	struct pt_table *ss;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	assert_true(vtd_fget(vtd_mmio_read(tb.vtd, VTD_ECAP_REG, 8),
			     VTD_ECAP_SSADS));
	ss = ss_pages(&tb, 2, PT_PROT_READ | PT_PROT_WRITE);
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, false);
	dma(&tb, VTD_NO_PASID, GPA_DATA, VTD_WRITE);
	dma(&tb, VTD_NO_PASID, GPA_DATA + 4096, VTD_READ);
	assert_int_equal(*leaf(ss, GPA_DATA) & (SS_A | SS_D), 0);
	assert_int_equal(*leaf(ss, GPA_DATA + 4096) & (SS_A | SS_D), 0);
	assert_int_equal(harvest(ss, GPA_DATA, 2 * 4096).n, 0);
	pt_free(ss);
	tb_fini(&tb);
}

static void test_ss_ssade(void **state)
{
	const uint64_t p0 = GPA_DATA, p1 = GPA_DATA + 4096,
		       p2 = GPA_DATA + 2 * 4096;
	struct pt_table *ss;
	struct vtd_xlate x;
	struct runs r;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	ss = ss_pages(&tb, 4, PT_PROT_READ | PT_PROT_WRITE);
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, true);
	/* A read sets A only; a write sets A and D; p2 is never touched. */
	dma(&tb, VTD_NO_PASID, p0, VTD_READ);
	dma(&tb, VTD_NO_PASID, p1 + 8, VTD_WRITE);
	assert_int_equal(*leaf(ss, p0) & (SS_A | SS_D), SS_A);
	assert_int_equal(*leaf(ss, p1) & (SS_A | SS_D), SS_A | SS_D);
	assert_int_equal(*leaf(ss, p2) & (SS_A | SS_D), 0);
	r = harvest(ss, GPA_DATA, 4 * 4096);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.iova[0], p1);
	assert_int_equal(r.len[0], 4096);
	assert_int_equal(*leaf(ss, p1) & SS_D, 0);

	/* Cached writable: the next write hits and leaves D clear (stale). */
	x = dma(&tb, VTD_NO_PASID, p1, VTD_WRITE);
	assert_true(x.tlb_hit);
	assert_int_equal(*leaf(ss, p1) & SS_D, 0);
	assert_int_equal(harvest(ss, GPA_DATA, 4 * 4096).n, 0);
	/* Invalidated: the next write walks and sets D again. */
	tb_inv_iotlb(&tb, VTD_TLB_PAGE, DID, p1, 0);
	x = dma(&tb, VTD_NO_PASID, p1, VTD_WRITE);
	assert_false(x.tlb_hit);
	assert_int_equal(*leaf(ss, p1) & SS_D, SS_D);

	/*
	 * p0 was cached by a read while clean: cached read-only, so a write
	 * misses the permission, walks and sets D; then it hits.
	 */
	x = dma(&tb, VTD_NO_PASID, p0, VTD_READ);
	assert_true(x.tlb_hit);
	x = dma(&tb, VTD_NO_PASID, p0, VTD_WRITE);
	assert_false(x.tlb_hit);
	assert_int_equal(*leaf(ss, p0) & SS_D, SS_D);
	x = dma(&tb, VTD_NO_PASID, p0, VTD_WRITE);
	assert_true(x.tlb_hit);
	r = harvest(ss, GPA_DATA, 4 * 4096);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.iova[0], p0);
	assert_int_equal(r.len[0], 2 * 4096);
	pt_free(ss);
	tb_fini(&tb);
}

static void test_fs(void **state)
{
	struct pt_table *fs;
	struct vtd_xlate x;
	uint64_t mapped;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	fs = tb_pt(&tb, PT_FMT_VTD_FS, 48, PT_CFG_SIGN_EXTEND | PT_CFG_DIRTY);
	assert_int_equal(pt_map(fs, 0x400000, tb_alloc(&tb, 2 * 4096), 2 * 4096,
				PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_FS, DID, NULL, fs, false);
	/* As a guest might: A clear too. SSADE plays no part. */
	*leaf(fs, 0x400000) &= ~FS_A;
	*leaf(fs, 0x401000) &= ~FS_A;
	dma(&tb, PASID, 0x400000, VTD_READ);
	assert_int_equal(*leaf(fs, 0x400000) & (FS_A | FS_D), FS_A);
	assert_int_equal(*leaf(fs, 0x401000) & (FS_A | FS_D), 0);
	x = dma(&tb, PASID, 0x400000, VTD_WRITE);
	assert_false(x.tlb_hit);
	assert_int_equal(*leaf(fs, 0x400000) & (FS_A | FS_D), FS_A | FS_D);
	dma(&tb, PASID, 0x401000, VTD_WRITE);
	assert_int_equal(*leaf(fs, 0x401000) & (FS_A | FS_D), FS_A | FS_D);
	/* Cleaned without invalidation: stale writable, D stays clear. */
	assert_int_equal(harvest(fs, 0x400000, 2 * 4096).n, 1);
	x = dma(&tb, PASID, 0x400000, VTD_WRITE);
	assert_true(x.tlb_hit);
	assert_int_equal(*leaf(fs, 0x400000) & FS_D, 0);
	tb_inv_piotlb(&tb, VTD_PIOTLB_G_PAGE, DID, PASID, 0x400000, 0);
	dma(&tb, PASID, 0x400000, VTD_WRITE);
	assert_int_equal(*leaf(fs, 0x400000) & FS_D, FS_D);
	pt_free(fs);
	tb_fini(&tb);
}

/*
 * Nested: the guest's first-stage tables sit in bench RAM, mapped at
 * GPA = PA by the second stage; data pages at GPA_DATA.
 */
struct nested {
	struct tb tb;
	struct pt_table *ss, *fs;
	uint64_t ram;
};

static void nested_init(struct nested *n, bool ssade, bool tables_ro)
{
	uint64_t mapped;

	tb_init(&n->tb, NULL);
	n->ram = (uint64_t)(uintptr_t)n->tb.ram;
	n->ss = ss_pages(&n->tb, 2, PT_PROT_READ | PT_PROT_WRITE);
	assert_int_equal(pt_map(n->ss, n->ram, n->ram, TB_RAM_SIZE,
				PT_PROT_READ | (tables_ro ? 0 : PT_PROT_WRITE),
				&mapped),
			 0);
	n->fs = tb_pt(&n->tb, PT_FMT_VTD_FS, 48,
		      PT_CFG_SIGN_EXTEND | PT_CFG_DIRTY);
	assert_int_equal(pt_map(n->fs, 0x10000, GPA_DATA, 2 * 4096,
				PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);
	tb_pe_set(tb_pe(&n->tb, SID, PASID), VTD_PGTT_NESTED, DID, n->ss, n->fs,
		  ssade);
}

static void nested_fini(struct nested *n)
{
	pt_free(n->fs);
	pt_free(n->ss);
	tb_fini(&n->tb);
}

static void test_nested(void **state)
{
	struct nested n;
	struct runs r;

	(void)state;
	nested_init(&n, true, false);
	/* The write sets the guest's A/D and the second stage's of both. */
	dma(&n.tb, PASID, 0x10000, VTD_WRITE);
	assert_int_equal(*leaf(n.fs, 0x10000) & (FS_A | FS_D), FS_A | FS_D);
	assert_int_equal(*leaf(n.fs, 0x11000) & FS_D, 0);
	r = harvest(n.ss, GPA_DATA, 2 * 4096);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.iova[0], GPA_DATA);
	/* The first-stage table page was written: dirty in the second stage. */
	r = harvest(n.ss, n.ram, TB_RAM_SIZE);
	assert_int_equal(r.n, 1);
	assert_true(r.iova[0] <= (uint64_t)(uintptr_t)leaf(n.fs, 0x10000));
	assert_true((uint64_t)(uintptr_t)leaf(n.fs, 0x10000) <
		    r.iova[0] + r.len[0]);
	/*
	 * Walked again with the guest's flags already set: no guest table
	 * write, so the data page is dirty and the tables are not.
	 */
	tb_inv_piotlb(&n.tb, VTD_PIOTLB_G_PASID, DID, PASID, 0, 0);
	dma(&n.tb, PASID, 0x10000, VTD_WRITE);
	assert_int_equal(harvest(n.ss, GPA_DATA, 2 * 4096).n, 1);
	assert_int_equal(harvest(n.ss, n.ram, TB_RAM_SIZE).n, 0);
	nested_fini(&n);

	/* SSADE = 0: the guest's flags still, the second stage's never. */
	nested_init(&n, false, false);
	dma(&n.tb, PASID, 0x11000, VTD_WRITE);
	assert_int_equal(*leaf(n.fs, 0x11000) & (FS_A | FS_D), FS_A | FS_D);
	assert_int_equal(harvest(n.ss, GPA_DATA, 2 * 4096).n, 0);
	assert_int_equal(harvest(n.ss, n.ram, TB_RAM_SIZE).n, 0);
	nested_fini(&n);
}

/*
 * First-stage tables the second stage maps read-only: walks that need no
 * flag update work; one that must set D faults (SFS.8) and leaves the
 * guest's table as it was.
 */
static void test_nested_ro_tables(void **state)
{
	struct vtd_xlate x;
	struct nested n;

	(void)state;
	nested_init(&n, true, true);
	dma(&n.tb, PASID, 0x10000, VTD_READ);
	assert_int_equal(*leaf(n.fs, 0x10000) & (FS_A | FS_D), FS_A);
	assert_int_equal(vtd_translate(n.tb.vtd, SID, PASID, 0x10000, VTD_WRITE,
				       &x),
			 -EFAULT);
	assert_int_equal(x.reason, VTD_FR_SM_FS_NESTED_WR);
	assert_int_equal(*leaf(n.fs, 0x10000) & FS_D, 0);
	/* Once the guest sets D itself, the write needs no table write. */
	*leaf(n.fs, 0x10000) |= FS_D;
	dma(&n.tb, PASID, 0x10000, VTD_WRITE);
	nested_fini(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ss_no_ssade),
		cmocka_unit_test(test_ss_ssade),
		cmocka_unit_test(test_fs),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nested_ro_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
