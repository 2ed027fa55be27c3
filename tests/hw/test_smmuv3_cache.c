// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 caching: a translation or configuration the SMMU cached stays in
 * use after the tables change, until the invalidation command whose scope
 * covers it -- and only that scope. Every test changes tables behind the
 * SMMU's back, shows the stale result, invalidates something that must not
 * help, then the right thing.
 */
#include <string.h>

#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)

/* Output address of a translation that must succeed. */
static uint64_t xl(struct tb *tb, uint32_t sid, uint32_t ssid, uint64_t iova,
		   bool *hit)
{
	struct smmuv3_xlate x;
	int ret = smmuv3_translate(tb->smmu, sid, ssid, iova, SMMUV3_READ, &x);

	if (ret)
		print_message("# sid %u iova %#" PRIx64 ": event %#x\n", sid,
			      iova, x.event);
	assert_int_equal(ret, 0);
	if (hit)
		*hit = x.tlb_hit;
	return x.oa;
}

/* Rewrites a leaf's output address behind the SMMU's back. */
static void set_oa(uint64_t *leaf, uint64_t pa, unsigned int g)
{
	uint64_t oa_mask = ((1ull << 48) - 1) & ~((1ull << g) - 1);

	*leaf = (*leaf & ~oa_mask) | pa;
}

static unsigned int tlbi(struct tb *tb, uint8_t op, uint16_t vmid,
			 uint16_t asid, uint64_t addr, unsigned int tg,
			 unsigned int ttl, unsigned int num, unsigned int scale)
{
	uint64_t c0 = smmu_dprep(SMMU_CMD_OP, op) |
		      smmu_dprep(SMMU_CMD_TLBI_VMID, vmid) |
		      smmu_dprep(SMMU_CMD_TLBI_ASID, asid) |
		      smmu_dprep(SMMU_CMD_TLBI_NUM, num) |
		      smmu_dprep(SMMU_CMD_TLBI_SCALE, scale);
	uint64_t c1 = smmu_dprep(SMMU_CMD_TLBI_TG, tg) |
		      smmu_dprep(SMMU_CMD_TLBI_TTL, ttl);

	if (op == SMMU_CMD_TLBI_S2_IPA)
		c1 |= smmu_dprep(SMMU_CMD_TLBI_IPA, addr >> 12);
	else
		c1 |= smmu_dprep(SMMU_CMD_TLBI_VA, addr >> 12);
	return tb_cmd(tb, c0, c1) | tb_sync(tb);
}

/* A stage-1 stream: @npages 4K pages at VA, each its own PA. */
struct s1 {
	struct pt_table *t;
	uint64_t *cd;
	uint64_t pa[32];
	uint64_t alt[32];
};

static void setup_s1(struct tb *tb, uint32_t sid, uint16_t asid, uint16_t vmid,
		     unsigned int npages, struct s1 *s)
{
	unsigned int i;

	s->t = tb_pt(tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	for (i = 0; i < npages; i++) {
		s->pa[i] = tb_alloc(tb, 4096, 4096);
		s->alt[i] = tb_alloc(tb, 4096, 4096);
		tb_map(s->t, VA + 4096ull * i, s->pa[i], 4096, RW);
	}
	s->cd = tb_ptr(tb_alloc(tb, 64, 64));
	tb_cd(s->cd, asid, s->t);
	tb_ste_s1(tb_ste(tb, sid), tb_pa(s->cd), 0, 0, 0);
	smmu_dset(tb_ste(tb, sid), SMMU_STE_S2VMID, vmid);
}

/* Fills the IOTLB for every page, then remaps each to its alternate. */
static void fill_and_remap(struct tb *tb, uint32_t sid, unsigned int npages,
			   struct s1 *s)
{
	unsigned int i;

	for (i = 0; i < npages; i++)
		assert_true(xl(tb, sid, SMMUV3_NO_SSID, VA + 4096ull * i,
			       NULL) == s->pa[i]);
	for (i = 0; i < npages; i++)
		set_oa(tb_leaf(s->t, VA + 4096ull * i, false, tb), s->alt[i],
		       12);
}

static bool stale(struct tb *tb, uint32_t sid, unsigned int i, struct s1 *s)
{
	uint64_t oa = xl(tb, sid, SMMUV3_NO_SSID, VA + 4096ull * i, NULL);

	assert_true(oa == s->pa[i] || oa == s->alt[i]);
	return oa == s->pa[i];
}

static void test_stale_until_tlbi_va(void **state)
{
	struct s1 s;
	bool hit;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 7, 0, 1, &s);
	fill_and_remap(&tb, 1, 1, &s);
	/* The guest forgot to invalidate: the old page is still used. */
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 0x10, &hit) ==
		    s.pa[0] + 0x10);
	assert_true(hit);
	/* Wrong ASID, wrong VMID, wrong VA, stage-2 scope: no effect. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 8, VA, 0, 0, 0, 0),
			 0);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 1, 7, VA, 0, 0, 0, 0),
			 0);
	assert_int_equal(
		tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA + 4096, 0, 0, 0, 0), 0);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_S2_IPA, 0, 0, VA, 0, 0, 0, 0),
			 0);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ASID, 0, 8, 0, 0, 0, 0, 0),
			 0);
	assert_true(stale(&tb, 1, 0, &s));
	/* Any address inside the page, with ASID and VMID. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA + 0xff8, 0, 0,
			      0, 0),
			 0);
	assert_false(stale(&tb, 1, 0, &s));
	tb_fini(&tb);
}

/* smmuv3_translate_cached(): the cached answer, or -EAGAIN and nothing. */
static void test_translate_cached(void **state)
{
	struct smmuv3_stats st0, st1;
	struct smmuv3_xlate x;
	struct s1 s;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 7, 0, 2, &s);
	smmuv3_get_stats(tb.smmu, &st0);
	/* Nothing cached yet: no walk, no fill. */
	assert_int_equal(smmuv3_translate_cached(tb.smmu, 1, SMMUV3_NO_SSID, VA,
						 SMMUV3_READ, &x),
			 -EAGAIN);
	smmuv3_get_stats(tb.smmu, &st1);
	assert_int_equal(st1.tlb_fills, st0.tlb_fills);
	/* Cached: the same answer as a translation, even a stale one. */
	fill_and_remap(&tb, 1, 2, &s);
	assert_int_equal(smmuv3_translate_cached(tb.smmu, 1, SMMUV3_NO_SSID,
						 VA + 4096 + 8, SMMUV3_READ,
						 &x),
			 0);
	assert_true(x.status == SMMUV3_OK && x.oa == s.pa[1] + 8);
	/* Unmapped and not cached: no fault recorded either. */
	assert_int_equal(smmuv3_translate_cached(tb.smmu, 1, SMMUV3_NO_SSID,
						 VA + 8 * 4096, SMMUV3_READ,
						 &x),
			 -EAGAIN);
	assert_int_equal(tb_event_count(&tb), 0);
	/* Invalidated: back to -EAGAIN. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA, 0, 0, 0, 0),
			 0);
	assert_int_equal(smmuv3_translate_cached(tb.smmu, 1, SMMUV3_NO_SSID, VA,
						 SMMUV3_READ, &x),
			 -EAGAIN);
	tb_fini(&tb);
}

/*
 * smmuv3_translate_cached_more(): how far the caches carry a translation
 * on, contiguously; walking nothing, and never past an invalidation.
 */
static void test_translate_cached_more(void **state)
{
	struct smmuv3_stats st0, st1;
	struct pt_table *t;
	uint64_t block, alt, *cd;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	block = tb_alloc(&tb, 8 * 4096, 4096);
	alt = tb_alloc(&tb, 4096, 4096);
	tb_map(t, VA, block, 8 * 4096, RW);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 7, t);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	/* Nothing cached: nothing, and no walk. */
	smmuv3_get_stats(tb.smmu, &st0);
	assert_int_equal(smmuv3_translate_cached_more(
				 tb.smmu, 1, SMMUV3_NO_SSID, VA + 4096,
				 SMMUV3_READ, block + 4096, 7 * 4096),
			 0);
	smmuv3_get_stats(tb.smmu, &st1);
	assert_int_equal(st1.tlb_fills, st0.tlb_fills);
	for (i = 0; i < 8; i++)
		assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * i,
			       NULL) == block + 4096ull * i);
	/* Cached: all seven pages, twice (the second from the run). */
	for (i = 0; i < 2; i++)
		assert_int_equal(smmuv3_translate_cached_more(
					 tb.smmu, 1, SMMUV3_NO_SSID, VA + 4096,
					 SMMUV3_READ, block + 4096, 7 * 4096),
				 7 * 4096);
	/* From inside the run, and asking for less: whole pages. */
	assert_int_equal(smmuv3_translate_cached_more(
				 tb.smmu, 1, SMMUV3_NO_SSID, VA + 3 * 4096,
				 SMMUV3_READ, block + 3 * 4096, 1),
			 5 * 4096);
	/* Not where the caller's output continues: nothing. */
	assert_int_equal(smmuv3_translate_cached_more(
				 tb.smmu, 1, SMMUV3_NO_SSID, VA + 4096,
				 SMMUV3_READ, block + 2 * 4096, 7 * 4096),
			 0);
	/* Another stream, another ASID's key: not this run. */
	assert_int_equal(smmuv3_translate_cached_more(
				 tb.smmu, 2, SMMUV3_NO_SSID, VA + 4096,
				 SMMUV3_READ, block + 4096, 7 * 4096),
			 0);
	/* Page 5 moves and is invalidated: the run ends before it. */
	set_oa(tb_leaf(t, VA + 5 * 4096, false, &tb), alt, 12);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA + 5 * 4096, 0,
			      0, 0, 0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 5 * 4096, NULL) == alt);
	for (i = 0; i < 2; i++)
		assert_int_equal(smmuv3_translate_cached_more(
					 tb.smmu, 1, SMMUV3_NO_SSID, VA + 4096,
					 SMMUV3_READ, block + 4096, 7 * 4096),
				 4 * 4096);
	/* Everything invalidated: nothing cached, nothing remembered. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ASID, 0, 7, 0, 0, 0, 0, 0),
			 0);
	assert_int_equal(smmuv3_translate_cached_more(
				 tb.smmu, 1, SMMUV3_NO_SSID, VA + 4096,
				 SMMUV3_READ, block + 4096, 4 * 4096),
			 0);
	tb_fini(&tb);
}

static void test_tlbi_asid_scope(void **state)
{
	struct s1 a, b;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 10, 0, 2, &a);
	setup_s1(&tb, 2, 11, 0, 2, &b);
	fill_and_remap(&tb, 1, 2, &a);
	fill_and_remap(&tb, 2, 2, &b);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ASID, 0, 10, 0, 0, 0, 0, 0),
			 0);
	assert_false(stale(&tb, 1, 0, &a));
	assert_false(stale(&tb, 1, 1, &a));
	assert_true(stale(&tb, 2, 0, &b));
	assert_true(stale(&tb, 2, 1, &b));
	/* NH_VAA: one VA, every ASID of the VMID. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VAA, 0, 0, VA + 4096, 0, 0,
			      0, 0),
			 0);
	assert_true(stale(&tb, 2, 0, &b));
	assert_false(stale(&tb, 2, 1, &b));
	/* NH_ALL of another VMID leaves it; of this VMID removes it. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ALL, 3, 0, 0, 0, 0, 0, 0),
			 0);
	assert_true(stale(&tb, 2, 0, &b));
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ALL, 0, 0, 0, 0, 0, 0, 0),
			 0);
	assert_false(stale(&tb, 2, 0, &b));
	tb_fini(&tb);
}

static void test_tlbi_range(void **state)
{
	struct s1 s;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 7, 0, 16, &s);
	fill_and_remap(&tb, 1, 16, &s);
	/* TG 4K, NUM 3, SCALE 1: (3 + 1) << 1 = 8 pages from page 4. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA + 4 * 4096,
			      SMMU_TLBI_TG_4K, 0, 3, 1),
			 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(stale(&tb, 1, i, &s), i < 4 || i >= 12);
	/* A level hint that does not match the level-3 leaves. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA,
			      SMMU_TLBI_TG_4K, 2, 0, 0),
			 0);
	assert_true(stale(&tb, 1, 0, &s));
	/* A granule that does not match the 4K leaves. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA,
			      SMMU_TLBI_TG_64K, 0, 0, 1),
			 0);
	assert_true(stale(&tb, 1, 0, &s));
	/* TTL 3 with TG 4K: exactly the page. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA,
			      SMMU_TLBI_TG_4K, 3, 0, 0),
			 0);
	assert_false(stale(&tb, 1, 0, &s));
	assert_true(stale(&tb, 1, 1, &s));
	/* A huge range (scan, not probes) takes the rest. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, 0,
			      SMMU_TLBI_TG_4K, 0, 31, 31),
			 0);
	for (i = 0; i < 16; i++)
		assert_false(stale(&tb, 1, i, &s));
	tb_fini(&tb);
}

static void test_tlbi_block(void **state)
{
	struct pt_table *t;
	uint64_t *cd, blk, alt, *leaf;
	struct tb tb;

	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	blk = tb_alloc(&tb, 2ull << 20, 2ull << 20);
	alt = tb_alloc(&tb, 2ull << 20, 2ull << 20);
	tb_map(t, VA, blk, 2ull << 20, RW);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 1, t);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 0x100000, NULL) ==
		    blk + 0x100000);
	leaf = tb_leaf(t, VA, false, &tb);
	set_oa(leaf, alt, 21);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 0x3000, NULL) ==
		    blk + 0x3000);
	/* Level 3 hint: the block is a level 2 leaf. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 1, VA + 0x3000,
			      SMMU_TLBI_TG_4K, 3, 0, 0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 0x3000, NULL) ==
		    blk + 0x3000);
	/* One address anywhere in the block drops the whole block. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 1, VA + 0x1ff000, 0,
			      0, 0, 0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA + 0x3000, NULL) ==
		    alt + 0x3000);
	tb_fini(&tb);
}

static void test_global_entries(void **state)
{
	struct s1 a;
	uint64_t *cd2, *leaf;
	bool hit;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 10, 0, 1, &a);
	/* The same tables under another ASID on sid 2. */
	cd2 = tb_ptr(tb_alloc(&tb, 64, 64));
	memcpy(cd2, a.cd, 64);
	smmu_dset(cd2, SMMU_CD_ASID, 11);
	tb_ste_s1(tb_ste(&tb, 2), tb_pa(cd2), 0, 0, 0);
	/* Make the leaf global (nG = 0). */
	leaf = tb_leaf(a.t, VA, false, &tb);
	*leaf &= ~(1ull << 11);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	/* A global entry matches any ASID. */
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, VA, &hit) == a.pa[0]);
	assert_true(hit);
	set_oa(leaf, a.alt[0], 12);
	/* NH_ASID does not touch global entries. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_ASID, 0, 10, 0, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	/* NH_VA removes it whatever ASID it names. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 99, VA, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, VA, NULL) == a.alt[0]);
	tb_fini(&tb);
}

/* Stage 2: S2_IPA for stage-2-only entries; nested ones need more. */
static void test_tlbi_s2(void **state)
{
	struct pt_table *s2, *s1;
	uint64_t p1, p2, ipa = TB_GPA_BASE + 0x10000, cd, dgpa;
	struct tb tb;

	tb_init(&tb, NULL);
	s2 = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	p1 = tb_alloc(&tb, 4096, 4096);
	p2 = tb_alloc(&tb, 4096, 4096);
	tb_map(s2, ipa, p1, 4096, RW);
	tb_ste_s2(tb_ste(&tb, 4), 5, s2);
	/* Nested stream on the same VMID: VA -> ipa -> p1. */
	tb_map(s2, TB_GPA_BASE, tb_pa(tb.gram), 0x10000, RW);
	s1 = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, true);
	dgpa = ipa;
	tb_map(s1, VA, dgpa, 4096, RW);
	cd = tb_galloc(&tb, 64, 64);
	tb_cd(tb_gpa_ptr(&tb, cd), 3, s1);
	tb_ste_s1(tb_ste(&tb, 6), cd, 0, 0, 0);
	tb_ste_add_s2(tb_ste(&tb, 6), 5, s2);

	assert_true(xl(&tb, 4, SMMUV3_NO_SSID, ipa + 8, NULL) == p1 + 8);
	assert_true(xl(&tb, 6, SMMUV3_NO_SSID, VA + 8, NULL) == p1 + 8);
	set_oa(tb_leaf(s2, ipa, false, &tb), p2, 12);
	assert_true(xl(&tb, 4, SMMUV3_NO_SSID, ipa, NULL) == p1);
	/* Another VMID: no effect. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_S2_IPA, 6, 0, ipa, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 4, SMMUV3_NO_SSID, ipa, NULL) == p1);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_S2_IPA, 5, 0, ipa, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 4, SMMUV3_NO_SSID, ipa, NULL) == p2);
	/* The combined stage 1+2 entry is out of S2_IPA's scope. */
	assert_true(xl(&tb, 6, SMMUV3_NO_SSID, VA, NULL) == p1);
	assert_int_equal(
		tlbi(&tb, SMMU_CMD_TLBI_S12_VMALL, 6, 0, 0, 0, 0, 0, 0), 0);
	assert_true(xl(&tb, 6, SMMUV3_NO_SSID, VA, NULL) == p1);
	assert_int_equal(
		tlbi(&tb, SMMU_CMD_TLBI_S12_VMALL, 5, 0, 0, 0, 0, 0, 0), 0);
	assert_true(xl(&tb, 6, SMMUV3_NO_SSID, VA, NULL) == p2);
	tb_fini(&tb);
}

/* Two VMs: the same IPA, their own tables, never each other's entries. */
static void test_vmid_isolation(void **state)
{
	struct pt_table *s2a, *s2b;
	uint64_t pa, pb, alt, ipa = 0x1000000;
	bool hit;
	struct tb tb;

	tb_init(&tb, NULL);
	s2a = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	s2b = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	pa = tb_alloc(&tb, 4096, 4096);
	pb = tb_alloc(&tb, 4096, 4096);
	alt = tb_alloc(&tb, 4096, 4096);
	tb_map(s2a, ipa, pa, 4096, RW);
	tb_map(s2b, ipa, pb, 4096, RW);
	tb_ste_s2(tb_ste(&tb, 1), 1, s2a);
	tb_ste_s2(tb_ste(&tb, 2), 2, s2b);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, ipa, NULL) == pa);
	/* VM 2's first access misses: VM 1's entry is not its own. */
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, ipa, &hit) == pb);
	assert_false(hit);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, ipa, &hit) == pa);
	assert_true(hit);
	/* VM 2 cannot invalidate VM 1's entries. */
	set_oa(tb_leaf(s2a, ipa, false, &tb), alt, 12);
	assert_int_equal(
		tlbi(&tb, SMMU_CMD_TLBI_S12_VMALL, 2, 0, 0, 0, 0, 0, 0), 0);
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_S2_IPA, 2, 0, ipa, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, ipa, NULL) == pa);
	assert_int_equal(
		tlbi(&tb, SMMU_CMD_TLBI_S12_VMALL, 1, 0, 0, 0, 0, 0, 0), 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, ipa, NULL) == alt);
	/* A stream moved to the other VMID sees that VM's tables only. */
	tb_ste_s2(tb_ste(&tb, 1), 2, s2b);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, ipa, NULL) == pb);
	tb_fini(&tb);
}

static void test_cfgi(void **state)
{
	struct s1 a, b;
	struct smmuv3_xlate x;
	uint64_t saved[8];
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 10, 0, 1, &a);
	setup_s1(&tb, 2, 11, 0, 1, &b);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	/* STE now aborts; until CFGI_STE the cached STE is used. */
	memcpy(saved, tb_ste(&tb, 1), 64);
	tb_ste_abort(tb_ste(&tb, 1));
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NSNH_ALL, 0, 0, 0, 0, 0, 0, 0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	assert_int_equal(tb_cfgi_ste(&tb, 2), 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_ABORT);
	memcpy(tb_ste(&tb, 1), saved, 64);
	/* A range of 2^(Range + 1) StreamIDs: 0..3 covers sid 1. */
	assert_int_equal(
		tb_cmd(&tb,
		       smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE_RANGE) |
			       smmu_dprep(SMMU_CMD_SID, 2),
		       smmu_dprep(SMMU_CMD_CFGI_RANGE, 1)),
		0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);

	/* The CD switches to b's tables; CFGI_CD of another SSID: stale. */
	smmu_dset(a.cd, SMMU_CD_TTB0, pt_root(pt_table_walk_ctx(b.t)) >> 4);
	smmu_dset(a.cd, SMMU_CD_ASID, 12);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 1), 0);
	assert_int_equal(tb_cfgi_cd(&tb, 2, 0), 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	/* New ASID: the old ASID's entry does not match. */
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == b.pa[0]);
	/* CD_ALL and CFGI_ALL work too. */
	smmu_dset(a.cd, SMMU_CD_TTB0, pt_root(pt_table_walk_ctx(a.t)) >> 4);
	smmu_dset(a.cd, SMMU_CD_ASID, 10);
	assert_int_equal(tb_cmd(&tb,
				smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_CD_ALL) |
					smmu_dprep(SMMU_CMD_SID, 1),
				0),
			 0);
	assert_true(xl(&tb, 1, SMMUV3_NO_SSID, VA, NULL) == a.pa[0]);
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, VA, NULL) == b.pa[0]);
	tb_ste_abort(tb_ste(&tb, 2));
	assert_true(xl(&tb, 2, SMMUV3_NO_SSID, VA, NULL) == b.pa[0]);
	assert_int_equal(tb_cfgi_all(&tb), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 2, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 -EFAULT);
	tb_fini(&tb);
}

static void tiny_caches(struct smmuv3_config *cfg)
{
	cfg->tlb_sets_lg2 = 0;
	cfg->tlb_ways = 4;
	cfg->cfg_sets_lg2 = 0;
	cfg->cfg_ways = 2;
}

/*
 * An invalidation that covers nothing of ours: it empties each thread's
 * micro-TLB (which sits in front of the IOTLB and holds recent
 * translations past their eviction), so what follows sees the IOTLB.
 */
static void flush_utlb(struct tb *tb)
{
	assert_int_equal(
		tlbi(tb, SMMU_CMD_TLBI_NH_ALL, 0x3ff, 0, 0, 0, 0, 0, 0), 0);
}

/* A full set evicts one entry; the rest stay. */
static void test_bounded_eviction(void **state)
{
	struct smmuv3_stats st;
	struct s1 s;
	unsigned int i, hits = 0;
	bool hit;
	struct tb tb;

	tb_init(&tb, tiny_caches);
	setup_s1(&tb, 1, 7, 0, 5, &s);
	for (i = 0; i < 4; i++)
		xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * i, &hit);
	flush_utlb(&tb);
	for (i = 0; i < 4; i++) {
		xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * i, &hit);
		assert_true(hit);
	}
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.tlb_evictions, 0);
	xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * 4, &hit);
	assert_false(hit);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.tlb_evictions, 1);
	/* Exactly one entry went: the other four still hit. */
	flush_utlb(&tb);
	for (i = 4; i >= 1; i--) {
		xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * i, &hit);
		hits += hit;
	}
	assert_int_equal(hits, 4);
	xl(&tb, 1, SMMUV3_NO_SSID, VA, &hit);
	assert_false(hit);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.tlb_evictions, 2);
	/* An invalidated entry's way is empty again: the next fill takes it. */
	assert_int_equal(tlbi(&tb, SMMU_CMD_TLBI_NH_VA, 0, 7, VA, 0, 0, 0, 0),
			 0);
	xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096, &hit);
	assert_false(hit);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.tlb_evictions, 2);
	flush_utlb(&tb);
	for (i = 4, hits = 0; i >= 1; i--) {
		xl(&tb, 1, SMMUV3_NO_SSID, VA + 4096ull * i, &hit);
		hits += hit;
	}
	assert_int_equal(hits, 4);

	/* Config cache: two ways; a third stream evicts one of two. */
	setup_s1(&tb, 2, 8, 0, 1, &s);
	setup_s1(&tb, 3, 9, 0, 1, &s);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.cfg_evictions, 0);
	xl(&tb, 2, SMMUV3_NO_SSID, VA, NULL);
	xl(&tb, 3, SMMUV3_NO_SSID, VA, NULL);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.cfg_evictions, 1);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale_until_tlbi_va),
		cmocka_unit_test(test_translate_cached),
		cmocka_unit_test(test_translate_cached_more),
		cmocka_unit_test(test_tlbi_asid_scope),
		cmocka_unit_test(test_tlbi_range),
		cmocka_unit_test(test_tlbi_block),
		cmocka_unit_test(test_global_entries),
		cmocka_unit_test(test_tlbi_s2),
		cmocka_unit_test(test_vmid_isolation),
		cmocka_unit_test(test_cfgi),
		cmocka_unit_test(test_bounded_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
