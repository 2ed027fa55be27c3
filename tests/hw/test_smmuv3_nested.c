// SPDX-License-Identifier: BSD-3-Clause
/*
 * Nested translation against a brute-force reference.
 *
 * For every pair of granules, a guest maps random VA pages to random
 * guest-physical pages (some read-only, some outside guest memory) in
 * stage-1 tables that live in guest RAM, and the host maps random
 * guest-physical pages to random host pages (some read-only, some not at
 * all) in a stage-2 table. The reference is two plain arrays. Every
 * translation -- and every fault's event record -- must match the
 * reference, also while the mappings change under invalidation commands
 * (TLBI_NH_VA for stage 1; TLBI_S2_IPA plus TLBI_NH_ALL for stage 2, since
 * combined entries are out of S2_IPA's scope).
 */
#include <string.h>

#include "smmuv3_tb.h"

#define VA_BASE 0x40000000ull
#define DATA_GPA 0x100000000ull
#define DATA_SIZE (4ull << 20) /* guest-physical data region */
#define POOL_SIZE (4ull << 20) /* host pages stage 2 maps to */
#define S1_PAGES 256
#define SID 9
#define VMID 0x77
#define ASID 0x55

struct ref_page {
	bool mapped;
	bool ro;
	uint64_t out; /* GPA (stage 1) or PA (stage 2) */
};

struct world {
	struct tb tb;
	struct tb_rng rng;
	unsigned int g1, g2;
	struct pt_table *s1, *s2;
	uint64_t pool;
	unsigned int s2_pages;
	struct ref_page s1ref[S1_PAGES];
	struct ref_page *s2ref;
};

static unsigned int prot(bool ro)
{
	return ro ? PT_PROT_READ : PT_PROT_READ | PT_PROT_WRITE;
}

static void s1_set(struct world *w, unsigned int i)
{
	struct ref_page *r = &w->s1ref[i];
	uint64_t va = VA_BASE + ((uint64_t)i << w->g1), u;

	if (r->mapped)
		assert_int_equal(
			pt_unmap(w->s1, va, 1ull << w->g1, 0, NULL, &u), 0);
	r->mapped = tb_below(&w->rng, 10) < 8;
	r->ro = tb_below(&w->rng, 4) == 0;
	/* Mostly inside the data region, sometimes beyond what S2 maps. */
	r->out = DATA_GPA +
		 (tb_below(&w->rng, (DATA_SIZE + DATA_SIZE / 8) >> w->g1)
		  << w->g1);
	if (r->mapped)
		tb_map(w->s1, va, r->out, 1ull << w->g1, prot(r->ro));
}

static void s2_set(struct world *w, unsigned int i)
{
	struct ref_page *r = &w->s2ref[i];
	uint64_t gpa = DATA_GPA + ((uint64_t)i << w->g2), u;

	if (r->mapped)
		assert_int_equal(
			pt_unmap(w->s2, gpa, 1ull << w->g2, 0, NULL, &u), 0);
	r->mapped = tb_below(&w->rng, 20) < 17;
	r->ro = tb_below(&w->rng, 5) == 0;
	r->out = w->pool + (tb_below(&w->rng, POOL_SIZE >> w->g2) << w->g2);
	if (r->mapped)
		tb_map(w->s2, gpa, r->out, 1ull << w->g2, prot(r->ro));
}

/* The reference answer for @va and @write. */
struct expect {
	uint8_t event; /* 0: success */
	bool s2;
	uint64_t ipa;
	uint64_t pa;
};

static void reference(struct world *w, uint64_t va, bool write,
		      struct expect *e)
{
	unsigned int i = (unsigned int)((va - VA_BASE) >> w->g1);
	const struct ref_page *r1 = &w->s1ref[i], *r2;
	uint64_t gpa, j;

	memset(e, 0, sizeof(*e));
	if (!r1->mapped) {
		e->event = SMMU_EVT_F_TRANSLATION;
		return;
	}
	if (write && r1->ro) {
		e->event = SMMU_EVT_F_PERMISSION;
		return;
	}
	gpa = r1->out + (va & ((1ull << w->g1) - 1));
	e->ipa = gpa;
	j = (gpa - DATA_GPA) >> w->g2;
	if (j >= w->s2_pages || !w->s2ref[j].mapped) {
		e->event = SMMU_EVT_F_TRANSLATION;
		e->s2 = true;
		return;
	}
	r2 = &w->s2ref[j];
	if (write && r2->ro) {
		e->event = SMMU_EVT_F_PERMISSION;
		e->s2 = true;
		return;
	}
	e->pa = r2->out + (gpa & ((1ull << w->g2) - 1));
}

static void check(struct world *w, uint64_t va, bool write)
{
	struct smmuv3_xlate x;
	struct expect e;
	uint64_t evt[4];
	int ret;

	reference(w, va, write, &e);
	ret = smmuv3_translate(w->tb.smmu, SID, SMMUV3_NO_SSID, va,
			       write ? SMMUV3_WRITE : SMMUV3_READ, &x);
	if (!e.event) {
		if (ret || x.oa != e.pa)
			print_message("# va %#" PRIx64 " %s: got %d/%#x "
				      "%#" PRIx64 " want %#" PRIx64 "\n",
				      va, write ? "w" : "r", ret, x.event, x.oa,
				      e.pa);
		assert_int_equal(ret, 0);
		assert_true(x.oa == e.pa);
		return;
	}
	if (x.event != e.event)
		print_message("# va %#" PRIx64 " %s: event %#x want %#x s2 "
			      "%d\n",
			      va, write ? "w" : "r", x.event, e.event, e.s2);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(x.event, e.event);
	assert_true(tb_event(&w->tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID), e.event);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SID), SID);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), e.s2);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_RNW), !write);
	assert_true(evt[2] == va);
	if (e.s2)
		assert_true((smmu_dget(evt, SMMU_EVT_IPA) << 12) ==
			    (e.ipa & ~0xfffull));
}

static unsigned int tg_of(unsigned int g)
{
	return g == 12	 ? SMMU_TLBI_TG_4K
	       : g == 14 ? SMMU_TLBI_TG_16K
			 : SMMU_TLBI_TG_64K;
}

/*
 * Invalidates the stage-1 page at @va, in one of the forms a driver may
 * use: a range of one granule with a level hint, or a single address
 * anywhere inside the page (which must reach every cached piece of it).
 */
static void tlbi_nh_va(struct world *w, uint64_t va)
{
	uint64_t c0 = smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_VA) |
		      smmu_dprep(SMMU_CMD_TLBI_VMID, VMID) |
		      smmu_dprep(SMMU_CMD_TLBI_ASID, ASID);
	uint64_t c1;

	if (tb_below(&w->rng, 2))
		c1 = smmu_dprep(SMMU_CMD_TLBI_TG, tg_of(w->g1)) |
		     smmu_dprep(SMMU_CMD_TLBI_TTL, 3) |
		     smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12);
	else
		c1 = smmu_dprep(SMMU_CMD_TLBI_VA,
				(va + tb_below(&w->rng, 1ull << w->g1)) >> 12);
	assert_int_equal(tb_cmd(&w->tb, c0, c1), 0);
	assert_int_equal(tb_sync(&w->tb), 0);
}

static void tlbi_s2(struct world *w, uint64_t ipa)
{
	assert_int_equal(tb_cmd(&w->tb,
				smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_S2_IPA) |
					smmu_dprep(SMMU_CMD_TLBI_VMID, VMID),
				smmu_dprep(SMMU_CMD_TLBI_IPA, ipa >> 12)),
			 0);
	assert_int_equal(tb_cmd(&w->tb,
				smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ALL) |
					smmu_dprep(SMMU_CMD_TLBI_VMID, VMID),
				0),
			 0);
	assert_int_equal(tb_sync(&w->tb), 0);
}

static uint64_t random_va(struct world *w)
{
	uint64_t page = tb_below(&w->rng, S1_PAGES);

	return VA_BASE + (page << w->g1) +
	       (tb_below(&w->rng, 1ull << w->g1) & ~7ull);
}

static void run(unsigned int g1, unsigned int g2, uint64_t seed)
{
	struct world *w = calloc(1, sizeof(*w));
	uint64_t cd, va;
	unsigned int i, round;

	assert_non_null(w);
	w->g1 = g1;
	w->g2 = g2;
	w->rng.s = seed;
	tb_init(&w->tb, NULL);
	w->s2_pages = (unsigned int)(DATA_SIZE >> g2);
	w->s2ref = calloc(w->s2_pages, sizeof(*w->s2ref));
	assert_non_null(w->s2ref);
	w->pool = tb_alloc(&w->tb, POOL_SIZE, 1ull << 16);

	/* Stage 2: guest RAM (where the guest's tables are) and data. */
	w->s2 = tb_pt(&w->tb, PT_FMT_ARM_S2, g2, 40, 0, false);
	tb_map(w->s2, TB_GPA_BASE, tb_pa(w->tb.gram), TB_GRAM_SIZE,
	       PT_PROT_READ | PT_PROT_WRITE);
	for (i = 0; i < w->s2_pages; i++)
		s2_set(w, i);
	/* Stage 1 in guest RAM, its CD too. */
	w->s1 = tb_pt(&w->tb, PT_FMT_ARM_S1, g1, 48, 0, true);
	for (i = 0; i < S1_PAGES; i++)
		s1_set(w, i);
	cd = tb_galloc(&w->tb, 64, 64);
	tb_cd(tb_gpa_ptr(&w->tb, cd), ASID, w->s1);
	tb_ste_s1(tb_ste(&w->tb, SID), cd, 0, 0, 0);
	tb_ste_add_s2(tb_ste(&w->tb, SID), VMID, w->s2);

	for (round = 0; round < 6; round++) {
		for (i = 0; i < 400; i++) {
			va = random_va(w);
			check(w, va, tb_below(&w->rng, 3) == 0);
		}
		/* Change a few mappings, invalidating each properly. */
		for (i = 0; i < 8; i++) {
			unsigned int p =
				(unsigned int)tb_below(&w->rng, S1_PAGES);

			uint64_t base = VA_BASE + ((uint64_t)p << g1);
			unsigned int k;

			/* Cache pieces of the page, change it, look again. */
			for (k = 0; k < 8; k++)
				check(w,
				      base + (tb_below(&w->rng, 1ull << g1) &
					      ~7ull),
				      false);
			s1_set(w, p);
			tlbi_nh_va(w, base);
			for (k = 0; k < 8; k++)
				check(w,
				      base + (tb_below(&w->rng, 1ull << g1) &
					      ~7ull),
				      false);
		}
		for (i = 0; i < 4; i++) {
			unsigned int p =
				(unsigned int)tb_below(&w->rng, w->s2_pages);

			s2_set(w, p);
			tlbi_s2(w, DATA_GPA + ((uint64_t)p << g2));
		}
	}
	assert_int_equal(tb_event_count(&w->tb), 0);
	tb_fini(&w->tb);
	free(w->s2ref);
	free(w);
}

static void test_nested_reference(void **state)
{
	static const unsigned int g[] = { 12, 14, 16 };
	uint64_t seed = tb_seed("nested reference", 0x5eed0f5eed);
	unsigned int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			run(g[i], g[j], seed + i * 3 + j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
