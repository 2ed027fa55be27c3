// SPDX-License-Identifier: BSD-3-Clause
/*
 * A guest that owns an SMMUv3 outright -- the model with no VMM in between,
 * its physical memory being guest RAM -- driven only through src/guest:
 * bring-up, stage-1 translation for every granule, stale translations and
 * configurations until the guest's TLBI/CFGI and CMD_SYNC, the event
 * records of bad configurations as the guest's consumer decodes them,
 * command errors as the guest sees them in CONS.ERR, device-directed
 * commands, event queue overflow, and random mappings checked against a
 * brute-force reference.
 */
#include <string.h>

#include "base/err.h"
#include "guest_tb.h"

#define SID 3
#define ASID 0x11
#define VA 0x10000000ull
#define FAR_GPA 0x7000000000ull /* beyond guest RAM */
#define RW (PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE)
#define RO (PT_PROT_READ | PT_PROT_CACHE)

struct ew {
	struct gtb b;
	struct guest_smmu *gs;
	struct guest_cmdq *q;
	struct guest_evtq *eq;
};

static void ew_init_cfg(struct ew *w, void (*tweak)(struct smmuv3_config *),
			const struct guest_smmu_cfg *cfg)
{
	gtb_init(&w->b, GTB_EMULATED, tweak);
	w->gs = guest_smmu_init(w->b.ram, &w->b.mmio, cfg);
	assert_false(IS_ERR(w->gs));
	w->q = guest_smmu_cmdq(w->gs);
	w->eq = guest_smmu_evtq(w->gs);
}

static void ew_init(struct ew *w)
{
	ew_init_cfg(w, NULL, NULL);
}

static void ew_fini(struct ew *w)
{
	gtb_expect_no_event(w->eq);
	guest_smmu_destroy(w->gs);
	gtb_fini(&w->b);
}

/* A stream translating through one stage-1 table and one CD. */
struct stream {
	struct guest_s1 *s1;
	struct guest_cdtab *tab;
	struct guest_cd cd;
};

static void stream_init(struct ew *w, struct stream *s, uint32_t sid,
			unsigned int g, uint16_t asid)
{
	struct guest_ste ste;

	s->s1 = gtb_s1(&w->b, g, 48);
	s->tab = guest_cdtab_alloc(w->b.ram, 0, SMMU_S1FMT_LINEAR);
	assert_false(IS_ERR(s->tab));
	guest_cd_init(&s->cd, s->s1, asid);
	assert_int_equal(
		guest_smmu_cd_install(w->gs, sid, s->tab, 0, &s->cd, NULL), 0);
	guest_ste_init_s1(&ste, s->tab, SMMU_S1DSS_SSID0);
	assert_int_equal(guest_smmu_ste_install(w->gs, sid, &ste, NULL), 0);
}

static void stream_fini(struct stream *s)
{
	guest_cdtab_free(s->tab);
	guest_s1_free(s->s1);
}

static void submit1(struct ew *w, const uint64_t cmd[SMMU_CMD_DWORDS])
{
	gtb_submit1(w->q, cmd);
}

static void remap(struct stream *s, uint64_t va, uint64_t gpa, uint64_t size)
{
	assert_int_equal(guest_s1_unmap(s->s1, va, size), 0);
	gtb_map(s->s1, va, gpa, size, RW);
}

static void no_smmu_s1(struct smmuv3_config *cfg)
{
	cfg->stage1 = false;
}

static void test_bringup(void **state)
{
	const struct guest_smmu_caps *caps;
	struct guest_smmu_cfg cfg = { .sid_bits = 17 };
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct guest_mmio *m;
	struct ew w;

	ew_init(&w);
	m = &w.b.mmio;
	caps = guest_smmu_caps(w.gs);
	assert_true(caps->s1 && caps->s2 && caps->ats && caps->pri &&
		    caps->msi && caps->cd2l && caps->st_2lvl && caps->ril);
	assert_false(caps->stall);
	assert_int_equal(caps->httu, SMMU_HTTU_AD);
	assert_int_equal(caps->sid_bits, 16);
	assert_int_equal(caps->ssid_bits, 20);
	assert_int_equal(caps->oas_bits, 48);
	assert_int_equal(caps->cmdq_lg2, 19);
	assert_int_equal(caps->evtq_lg2, 19);
	assert_true(caps->gran_4k && caps->gran_16k && caps->gran_64k);
	/* What the guest programmed is what the SMMU holds. */
	assert_true(guest_mmio_read64(m, SMMU_STRTAB_BASE) ==
		    guest_strtab_base(guest_smmu_strtab(w.gs)));
	assert_int_equal(guest_mmio_read32(m, SMMU_STRTAB_BASE_CFG),
			 guest_strtab_base_cfg(guest_smmu_strtab(w.gs)));
	assert_true(guest_mmio_read64(m, SMMU_CMDQ_BASE) ==
		    guest_cmdq_base_reg(w.q));
	assert_true(guest_mmio_read64(m, SMMU_EVENTQ_BASE) ==
		    guest_evtq_base_reg(w.eq));
	assert_int_equal(guest_mmio_read32(m, SMMU_CR0ACK),
			 smmu_fmask(SMMU_CR0_SMMUEN) |
				 smmu_fmask(SMMU_CR0_CMDQEN) |
				 smmu_fmask(SMMU_CR0_EVENTQEN));
	/* Every STE starts invalid; beyond the table is a bad StreamID. */
	assert_int_equal(gtb_xlate(&w.b, 7, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_STE, 7);
	assert_false(ev.ssv || ev.has_addr);
	assert_int_equal(gtb_xlate(&w.b, 0x300, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_STREAMID, 0x300);
	gtb_expect_no_event(w.eq);
	/* What the SMMU cannot do is refused. */
	assert_ptr_equal(guest_smmu_init(w.b.ram, m, &cfg), ERR_PTR(-EINVAL));
	guest_smmu_destroy(w.gs);
	assert_int_equal(guest_mmio_read32(m, SMMU_CR0ACK), 0);
	gtb_fini(&w.b);

	gtb_init(&w.b, GTB_EMULATED, no_smmu_s1);
	assert_ptr_equal(guest_smmu_init(w.b.ram, &w.b.mmio, NULL),
			 ERR_PTR(-EOPNOTSUPP));
	gtb_fini(&w.b);
}

/* Nothing leaks: a torn-down guest SMMU gives all its pages back. */
static void test_teardown_frees(void **state)
{
	struct guest_smmu_cfg cfg = { .sid_bits = 12, .st_2lvl = true };
	struct stream s;
	uint64_t before;
	struct ew w;

	gtb_init(&w.b, GTB_EMULATED, NULL);
	before = guest_ram_free_bytes(w.b.ram);
	w.gs = guest_smmu_init(w.b.ram, &w.b.mmio, &cfg);
	assert_false(IS_ERR(w.gs));
	w.q = guest_smmu_cmdq(w.gs);
	w.eq = guest_smmu_evtq(w.gs);
	stream_init(&w, &s, 0x345, 12, ASID);
	gtb_map(s.s1, VA, GTB_GPA_BASE, 4096, RW);
	assert_true(gtb_xl(&w.b, 0x345, SMMUV3_NO_SSID, VA) == GTB_GPA_BASE);
	stream_fini(&s);
	guest_smmu_destroy(w.gs);
	assert_true(guest_ram_free_bytes(w.b.ram) == before);
	gtb_fini(&w.b);
}

static void test_translate(void **state)
{
	static const struct {
		unsigned int g, block_lg2;
	} cases[] = { { 12, 21 }, { 14, 25 }, { 16, 29 } };
	struct smmuv3_xlate x;
	struct guest_event ev;
	unsigned int i;
	struct ew w;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t g = 1ull << cases[i].g;
		uint64_t block = 1ull << cases[i].block_lg2;
		struct stream s;
		uint64_t d0;

		ew_init(&w);
		stream_init(&w, &s, SID, cases[i].g, ASID);
		d0 = gtb_galloc(&w.b, 2 * g, g);
		gtb_map(s.s1, VA, d0, 2 * g, RW);
		gtb_map(s.s1, VA + 4 * g, d0, g, RO);
		/* A block: the output need not be RAM. */
		gtb_map(s.s1, 4 * block, FAR_GPA, block, RW);

		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID,
					   VA + g + 0x18, SMMUV3_WRITE, &x),
				 0);
		assert_true(x.oa == d0 + g + 0x18);
		assert_int_equal(x.page_lg2, cases[i].g);
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID,
				   4 * block + block - 8) ==
			    FAR_GPA + block - 8);
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, 4 * block,
					   SMMUV3_READ, &x),
				 0);
		assert_int_equal(x.page_lg2, cases[i].block_lg2);

		/* A write to the read-only page. */
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID,
					   VA + 4 * g + 8, SMMUV3_WRITE, &x),
				 -EFAULT);
		gtb_expect_event(w.eq, &ev, SMMU_EVT_F_PERMISSION, SID);
		assert_true(ev.has_addr && ev.input_addr == VA + 4 * g + 8);
		assert_false(ev.rnw || ev.s2 || ev.has_ipa || ev.ssv);
		assert_int_equal(ev.cls, SMMU_CLASS_IN);
		/* Nothing mapped. */
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID,
					   VA + 2 * g, SMMUV3_READ, &x),
				 -EFAULT);
		gtb_expect_event(w.eq, &ev, SMMU_EVT_F_TRANSLATION, SID);
		assert_true(ev.rnw && ev.input_addr == VA + 2 * g);
		stream_fini(&s);
		ew_fini(&w);
	}
}

/* Translates VA, remaps it, and checks it is stale until @cmd. */
static void stale_then(struct ew *w, struct stream *s, const uint64_t *cmd,
		       bool clears)
{
	uint64_t a = gtb_galloc(&w->b, 4096, 4096);
	uint64_t b = gtb_galloc(&w->b, 4096, 4096);

	remap(s, VA, a, 4096);
	/* Whatever was cached: start from a known translation. */
	submit1(w, (uint64_t[2]){ SMMU_CMD_TLBI_NSNH_ALL, 0 });
	assert_true(gtb_xl(&w->b, SID, SMMUV3_NO_SSID, VA) == a);
	remap(s, VA, b, 4096);
	assert_true(gtb_xl(&w->b, SID, SMMUV3_NO_SSID, VA) == a);
	submit1(w, cmd);
	guest_s1_reclaim(s->s1);
	assert_true(gtb_xl(&w->b, SID, SMMUV3_NO_SSID, VA) == (clears ? b : a));
}

static void test_stale_until_tlbi(void **state)
{
	uint64_t c[SMMU_CMD_DWORDS];
	struct stream s;
	struct ew w;

	ew_init(&w);
	stream_init(&w, &s, SID, 12, ASID);
	guest_cmd_tlbi_nh_va(c, 0, ASID, VA, NULL, true);
	stale_then(&w, &s, c, true);
	/* Another ASID, another address, another VMID: still stale. */
	guest_cmd_tlbi_nh_va(c, 0, ASID + 1, VA, NULL, true);
	stale_then(&w, &s, c, false);
	guest_cmd_tlbi_nh_va(c, 0, ASID, VA + 4096, NULL, true);
	stale_then(&w, &s, c, false);
	guest_cmd_tlbi_nh_asid(c, 1, ASID);
	stale_then(&w, &s, c, false);
	guest_cmd_tlbi_nh_asid(c, 0, ASID);
	stale_then(&w, &s, c, true);
	guest_cmd_tlbi_nh_vaa(c, 0, VA, NULL, false);
	stale_then(&w, &s, c, true);
	guest_cmd_tlbi_nh_all(c, 0);
	stale_then(&w, &s, c, true);
	guest_cmd_tlbi_nsnh_all(c);
	stale_then(&w, &s, c, true);
	/* A range of one granule that covers VA. */
	guest_cmd_tlbi_nh_va(c, 0, ASID, VA,
			     &(struct guest_tlbi_range){ .tg = SMMU_TLBI_TG_4K,
							 .ttl = 3 },
			     true);
	stale_then(&w, &s, c, true);
	/* Configuration invalidation leaves the TLB alone. */
	guest_cmd_cfgi_all(c);
	stale_then(&w, &s, c, false);
	stream_fini(&s);
	ew_fini(&w);
}

/* guest_cmdq_tlbi_range() refreshes exactly the range, with and without RIL. */
static void test_tlbi_range(void **state)
{
	uint64_t a, b, va;
	struct stream s;
	unsigned int i, ril;
	struct ew w;

	ew_init(&w);
	stream_init(&w, &s, SID, 12, ASID);
	a = gtb_galloc(&w.b, 64 * 4096, 4096);
	b = gtb_galloc(&w.b, 64 * 4096, 4096);
	for (ril = 0; ril < 2; ril++) {
		guest_cmdq_set_range_inv(w.q, ril);
		remap(&s, VA, a, 64 * 4096);
		submit1(&w, (uint64_t[2]){ SMMU_CMD_TLBI_NSNH_ALL, 0 });
		for (i = 0; i < 64; i++)
			assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID,
					   VA + 4096ull * i) ==
				    a + 4096ull * i);
		remap(&s, VA, b, 64 * 4096);
		/* Pages 3 .. 3 + 37: an odd count needs several ranges. */
		assert_int_equal(guest_cmdq_tlbi_range(w.q, SMMU_CMD_TLBI_NH_VA,
						       0, ASID, VA + 3 * 4096,
						       37 * 4096, 12, true,
						       NULL),
				 0);
		assert_int_equal(guest_cmdq_sync(w.q, NULL), 0);
		for (i = 0; i < 64; i++) {
			va = VA + 4096ull * i;
			assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, va) ==
				    (i >= 3 && i < 40 ? b : a) + 4096ull * i);
		}
	}
	stream_fini(&s);
	ew_fini(&w);
}

static void test_stale_until_cfgi(void **state)
{
	uint64_t ste_words[SMMU_STE_DWORDS], c[SMMU_CMD_DWORDS];
	struct guest_strtab *st;
	struct smmuv3_xlate x;
	struct guest_ste ste;
	struct stream s, t;
	struct guest_cd cd;
	unsigned int round;
	uint64_t a, b;
	struct ew w;

	ew_init(&w);
	st = guest_smmu_strtab(w.gs);
	stream_init(&w, &s, SID, 12, ASID);
	t.s1 = gtb_s1(&w.b, 12, 48);
	a = gtb_galloc(&w.b, 4096, 4096);
	b = gtb_galloc(&w.b, 4096, 4096);
	gtb_map(s.s1, VA, a, 4096, RW);
	gtb_map(t.s1, VA, b, 4096, RW);

	/* A new CD (another table, another ASID), by CFGI_CD then CD_ALL. */
	assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == a);
	for (round = 0; round < 2; round++) {
		guest_cd_init(&cd, round ? s.s1 : t.s1,
			      round ? ASID : ASID + 1);
		assert_int_equal(guest_cd_write(s.tab, 0, &cd), 0);
		/* The TLB is empty; the cached CD still says the old table. */
		submit1(&w, (uint64_t[2]){ SMMU_CMD_TLBI_NSNH_ALL, 0 });
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) ==
			    (round ? b : a));
		if (round)
			guest_cmd_cfgi_cd_all(c, SID);
		else
			guest_cmd_cfgi_cd(c, SID, 0, true);
		submit1(&w, c);
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) ==
			    (round ? a : b));
	}

	/* The STE becomes abort: CFGI_STE, then CFGI_ALL, make it seen. */
	for (round = 0; round < 2; round++) {
		guest_ste_init_abort(&ste);
		guest_ste_encode(&ste, ste_words);
		assert_int_equal(guest_strtab_write(st, SID, ste_words), 0);
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == a);
		if (round)
			guest_cmd_cfgi_all(c);
		else
			guest_cmd_cfgi_ste(c, SID, true);
		submit1(&w, c);
		/* An aborting STE terminates silently. */
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA,
					   SMMUV3_READ, &x),
				 -EFAULT);
		assert_false(x.recorded);
		guest_ste_init_s1(&ste, s.tab, SMMU_S1DSS_SSID0);
		assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL),
				 0);
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == a);
	}
	/* A bypass STE through the break-before-make install. */
	guest_ste_init_bypass(&ste);
	assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL), 0);
	assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA + 0x123) ==
		    VA + 0x123);
	guest_s1_free(t.s1);
	stream_fini(&s);
	ew_fini(&w);
}

static void test_bad_config_events(void **state)
{
	struct guest_cdtab *tab;
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct guest_ste ste;
	struct guest_cd cd;
	struct stream s;
	struct ew w;

	ew_init(&w);
	stream_init(&w, &s, SID, 12, ASID);
	gtb_map(s.s1, VA, GTB_GPA_BASE, 4096, RW);

	/* A CD that is not AArch64. */
	cd = s.cd;
	cd.aa64 = false;
	assert_int_equal(guest_smmu_cd_install(w.gs, SID, s.tab, 0, &cd, NULL),
			 0);
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_CD);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_CD, SID);
	assert_false(ev.ssv || ev.has_addr || ev.has_fetch);

	/* Its table walks fault on memory that is not RAM. */
	cd = s.cd;
	cd.ttb0 = FAR_GPA;
	assert_int_equal(guest_smmu_cd_install(w.gs, SID, s.tab, 0, &cd, NULL),
			 0);
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_F_WALK_EABT, SID);
	assert_true(ev.has_fetch && ev.fetch_addr == FAR_GPA);
	assert_int_equal(ev.cls, SMMU_CLASS_TT);
	assert_true(ev.has_addr && ev.input_addr == VA);

	/* Substreams: a bad CD at SSID 3, SSID 16 beyond S1CDMax 4. */
	tab = guest_cdtab_alloc(w.b.ram, 4, SMMU_S1FMT_LINEAR);
	assert_false(IS_ERR(tab));
	cd = s.cd;
	assert_int_equal(guest_cd_write(tab, 0, &cd), 0);
	cd.tg0_lg2 = 13;
	assert_int_equal(guest_cd_write(tab, 3, &cd), 0);
	guest_ste_init_s1(&ste, tab, SMMU_S1DSS_TERMINATE);
	assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL), 0);
	assert_int_equal(gtb_xlate(&w.b, SID, 3, VA, SMMUV3_READ, &x), -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_CD, SID);
	assert_true(ev.ssv && ev.ssid == 3);
	assert_int_equal(gtb_xlate(&w.b, SID, 16, VA, SMMUV3_READ, &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_SUBSTREAMID, SID);
	assert_int_equal(ev.ssid, 16);
	/* No SubstreamID with S1DSS terminate. */
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_F_STREAM_DISABLED, SID);
	assert_true(gtb_xl(&w.b, SID, 0, VA) == GTB_GPA_BASE);

	/* A CD table outside RAM. */
	guest_ste_init_s1(&ste, tab, SMMU_S1DSS_SSID0);
	ste.s1ctxptr = FAR_GPA;
	ste.s1cdmax = 0;
	assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL), 0);
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_F_CD_FETCH, SID);
	assert_true(ev.has_fetch && ev.fetch_addr == FAR_GPA);

	/* An invalid STE. */
	ste.valid = false;
	assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL), 0);
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_STE, SID);
	guest_cdtab_free(tab);
	stream_fini(&s);
	ew_fini(&w);
}

static void test_substreams(void **state)
{
	static const struct {
		unsigned int cdmax, fmt;
	} tabs[] = { { 6, SMMU_S1FMT_LINEAR },
		     { 8, SMMU_S1FMT_4K_L2 },
		     { 12, SMMU_S1FMT_64K_L2 } };
	struct guest_s1 *s1[4];
	struct guest_cdtab *tab;
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct guest_ste ste;
	struct guest_cd cd;
	uint32_t ssid[4];
	unsigned int i, k;
	struct ew w;

	ew_init(&w);
	for (k = 0; k < 4; k++) {
		s1[k] = gtb_s1(&w.b, 12 + 2 * (k % 3), 48);
		gtb_map(s1[k], VA, GTB_GPA_BASE + 0x100000ull * (k + 1),
			1ull << (12 + 2 * (k % 3)), RW);
	}
	for (i = 0; i < ARRAY_SIZE(tabs); i++) {
		uint32_t last = (1u << tabs[i].cdmax) - 1;

		ssid[0] = 0;
		ssid[1] = last;
		ssid[2] = last / 3;
		ssid[3] = 1;
		tab = guest_cdtab_alloc(w.b.ram, tabs[i].cdmax, tabs[i].fmt);
		assert_false(IS_ERR(tab));
		guest_ste_init_s1(&ste, tab, SMMU_S1DSS_SSID0);
		assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL),
				 0);
		for (k = 0; k < 4; k++) {
			guest_cd_init(&cd, s1[k], (uint16_t)(0x100 + k));
			assert_int_equal(guest_smmu_cd_install(w.gs, SID, tab,
							       ssid[k], &cd,
							       NULL),
					 0);
		}
		for (k = 1; k < 4; k++)
			assert_true(gtb_xl(&w.b, SID, ssid[k], VA + 8) ==
				    GTB_GPA_BASE + 0x100000ull * (k + 1) + 8);
		/*
		 * With S1DSS SSID0, CD 0 belongs to transactions without a
		 * SubstreamID, and SubstreamID 0 itself is refused.
		 */
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) ==
			    GTB_GPA_BASE + 0x100000ull);
		assert_int_equal(gtb_xlate(&w.b, SID, 0, VA, SMMUV3_READ, &x),
				 -EFAULT);
		gtb_expect_event(w.eq, &ev, SMMU_EVT_F_STREAM_DISABLED, SID);
		guest_ste_init_s1(&ste, tab, SMMU_S1DSS_BYPASS);
		assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL),
				 0);
		assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == VA);
		guest_ste_init_abort(&ste);
		assert_int_equal(guest_smmu_ste_install(w.gs, SID, &ste, NULL),
				 0);
		guest_cdtab_free(tab);
	}
	for (k = 0; k < 4; k++)
		guest_s1_free(s1[k]);
	ew_fini(&w);
}

static void test_strtab_2lvl(void **state)
{
	struct guest_smmu_cfg cfg = { .sid_bits = 16, .st_2lvl = true };
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct stream a, b;
	struct ew w;

	ew_init_cfg(&w, NULL, &cfg);
	stream_init(&w, &a, 0x0005, 12, 1);
	stream_init(&w, &b, 0xfedc, 16, 2);
	gtb_map(a.s1, VA, GTB_GPA_BASE, 4096, RW);
	gtb_map(b.s1, VA, GTB_GPA_BASE + 0x10000, 0x10000, RW);
	assert_true(gtb_xl(&w.b, 0x0005, SMMUV3_NO_SSID, VA + 4) ==
		    GTB_GPA_BASE + 4);
	assert_true(gtb_xl(&w.b, 0xfedc, SMMUV3_NO_SSID, VA + 4) ==
		    GTB_GPA_BASE + 0x10004);
	/* No leaf table for 0x12xx: the L1 descriptor says SPAN 0. */
	assert_int_equal(gtb_xlate(&w.b, 0x1234, SMMUV3_NO_SSID, VA,
				   SMMUV3_READ, &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_STREAMID, 0x1234);
	/* Same leaf table as 0x0005, but an invalid STE. */
	assert_int_equal(gtb_xlate(&w.b, 0x0006, SMMUV3_NO_SSID, VA,
				   SMMUV3_READ, &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_C_BAD_STE, 0x0006);
	stream_fini(&a);
	stream_fini(&b);
	ew_fini(&w);
}

struct devlog {
	unsigned int natc, npri, nresume;
	uint32_t sid, ssid;
	uint64_t addr;
	unsigned int size_lg2, resp, action;
	bool global;
	uint16_t prgi, stag;
	int atc_ret;
};

static int dev_atc(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
		   unsigned int size_lg2, bool global)
{
	struct devlog *d = priv;

	d->natc++;
	d->sid = sid;
	d->ssid = ssid;
	d->addr = addr;
	d->size_lg2 = size_lg2;
	d->global = global;
	return d->atc_ret;
}

static void dev_pri(void *priv, uint32_t sid, uint32_t ssid, uint16_t prgi,
		    unsigned int resp)
{
	struct devlog *d = priv;

	d->npri++;
	d->sid = sid;
	d->ssid = ssid;
	d->prgi = prgi;
	d->resp = resp;
}

static void dev_resume(void *priv, uint32_t sid, uint16_t stag,
		       unsigned int action)
{
	struct devlog *d = priv;

	d->nresume++;
	d->sid = sid;
	d->stag = stag;
	d->action = action;
}

static const struct smmuv3_dev_ops dev_ops = {
	.atc_inval = dev_atc,
	.pri_resp = dev_pri,
	.resume = dev_resume,
};

static void with_stall(struct smmuv3_config *cfg)
{
	cfg->stall = true;
}

static void test_device_commands(void **state)
{
	struct devlog d = { 0 };
	uint64_t c[SMMU_CMD_DWORDS], addr;
	struct guest_cmdq_error err;
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct guest_cd cd;
	unsigned int size;
	struct stream s;
	struct ew w;

	ew_init_cfg(&w, with_stall, NULL);
	assert_true(guest_smmu_caps(w.gs)->stall);
	assert_int_equal(smmuv3_dev_register(w.b.smmu, SID, &dev_ops, &d), 0);

	guest_atc_inv_span(0x12345000, 0x3000, &addr, &size);
	guest_cmd_atc_inv(c, SID, 5, addr, size, false);
	submit1(&w, c);
	assert_int_equal(d.natc, 1);
	assert_int_equal(d.sid, SID);
	assert_int_equal(d.ssid, 5);
	assert_true(d.addr == 0x12344000);
	assert_int_equal(d.size_lg2, 14);
	assert_false(d.global);
	guest_cmd_atc_inv(c, SID, GUEST_NO_SSID, 0, SMMU_ATC_INV_SIZE_ALL,
			  true);
	submit1(&w, c);
	assert_true(d.ssid == SMMUV3_NO_SSID && d.global && d.size_lg2 == 64);
	/* A device that does not answer: the CMD_SYNC reports it. */
	d.atc_ret = -ETIMEDOUT;
	assert_int_equal(guest_cmdq_submit(w.q, (uint64_t(*)[2])c, 1, &err),
			 -EIO);
	assert_int_equal(err.cerror, SMMU_CERROR_ATC_INV_SYNC);
	assert_int_equal(smmu_dget(err.cmd, SMMU_CMD_OP), SMMU_CMD_SYNC);
	assert_false(err.stopped);
	d.atc_ret = 0;
	assert_int_equal(guest_cmdq_sync(w.q, &err), 0);

	guest_cmd_pri_resp(c, SID, 9, 0x155, SMMU_PRI_RESP_FAIL);
	submit1(&w, c);
	assert_true(d.npri == 1 && d.ssid == 9 && d.prgi == 0x155 &&
		    d.resp == SMMU_PRI_RESP_FAIL);
	guest_cmd_prefetch_config(c, SID, GUEST_NO_SSID);
	submit1(&w, c);

	/* A stalling CD: the fault holds the transaction until RESUME. */
	stream_init(&w, &s, SID, 12, ASID);
	cd = s.cd;
	cd.s = true;
	assert_int_equal(guest_smmu_cd_install(w.gs, SID, s.tab, 0, &cd, NULL),
			 0);
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_STALLED);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_F_TRANSLATION, SID);
	assert_true(ev.stall);
	assert_int_equal(ev.stag, x.stag);
	guest_cmd_resume(c, SID, ev.stag, SMMU_RESUME_RETRY);
	submit1(&w, c);
	assert_true(d.nresume == 1 && d.stag == x.stag &&
		    d.action == SMMU_RESUME_RETRY);
	/* CMD_STALL_TERM ends every stall of the stream. */
	assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID, VA + 4096,
				   SMMUV3_READ, &x),
			 -EFAULT);
	gtb_expect_event(w.eq, &ev, SMMU_EVT_F_TRANSLATION, SID);
	guest_cmd_stall_term(c, SID);
	submit1(&w, c);
	assert_true(d.nresume == 2 && d.stag == ev.stag &&
		    d.action == SMMU_RESUME_TERM);
	stream_fini(&s);
	assert_int_equal(smmuv3_dev_unregister(w.b.smmu, SID), 0);
	ew_fini(&w);
}

static void test_command_errors(void **state)
{
	uint64_t cmds[3][SMMU_CMD_DWORDS];
	struct guest_cmdq_error err;
	struct guest_cmdq *bad;
	struct guest_mmio *m;
	struct stream s;
	uint64_t a, b;
	struct ew w;

	ew_init(&w);
	m = &w.b.mmio;
	stream_init(&w, &s, SID, 12, ASID);
	a = gtb_galloc(&w.b, 4096, 4096);
	b = gtb_galloc(&w.b, 4096, 4096);
	gtb_map(s.s1, VA, a, 4096, RW);
	assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == a);
	remap(&s, VA, b, 4096);

	/* EL2 TLBIs do not exist here; PRI response 0b11 is reserved. */
	cmds[0][0] = SMMU_CMD_TLBI_EL2_ALL;
	cmds[0][1] = 0;
	guest_cmd_pri_resp(cmds[1], SID, GUEST_NO_SSID, 1, 3);
	guest_cmd_tlbi_nh_va(cmds[2], 0, ASID, VA, NULL, true);
	assert_int_equal(guest_cmdq_submit(w.q, cmds, 3, &err), -EIO);
	assert_int_equal(err.count, 2);
	assert_int_equal(err.cerror, SMMU_CERROR_ILL);
	assert_memory_equal(err.cmd, cmds[0], sizeof(cmds[0]));
	assert_false(err.stopped);
	/* The queue went on past both: the TLBI took effect. */
	assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == b);
	assert_int_equal(guest_mmio_read32(m, SMMU_GERROR),
			 guest_mmio_read32(m, SMMU_GERRORN));
	assert_int_equal(guest_cmdq_sync(w.q, &err), 0);

	/* A queue whose memory the SMMU cannot read stays stopped. */
	assert_int_equal(guest_cmdq_disable(w.q), 0);
	bad = guest_cmdq_alloc_smmu(w.b.ram, m, 4);
	assert_false(IS_ERR(bad));
	guest_mmio_write64(m, SMMU_CMDQ_BASE, FAR_GPA | 4);
	guest_mmio_write32(m, SMMU_CMDQ_PROD, 0);
	guest_mmio_write32(m, SMMU_CMDQ_CONS, 0);
	assert_int_equal(guest_cmdq_enable(bad), 0);
	assert_int_equal(guest_cmdq_sync(bad, &err), -EIO);
	assert_true(err.stopped);
	assert_int_equal(err.cerror, SMMU_CERROR_ABT);
	assert_int_equal(err.index, 0);
	assert_int_equal(smmu_fget(guest_mmio_read32(m, SMMU_CMDQ_CONS),
				   SMMU_CMDQ_CONS_ERR),
			 SMMU_CERROR_ABT);
	/* The guest recovers by hand: disable, acknowledge, re-point. */
	assert_int_equal(guest_cmdq_disable(bad), 0);
	guest_mmio_write32(m, SMMU_GERRORN, guest_mmio_read32(m, SMMU_GERROR));
	guest_cmdq_free(bad);
	guest_mmio_write64(m, SMMU_CMDQ_BASE, guest_cmdq_base_reg(w.q));
	guest_mmio_write32(m, SMMU_CMDQ_PROD, 0);
	guest_mmio_write32(m, SMMU_CMDQ_CONS, 0);
	assert_int_equal(guest_cmdq_enable(w.q), 0);
	assert_int_equal(guest_cmdq_sync(w.q, &err), 0);
	stream_fini(&s);
	ew_fini(&w);
}

/* A 16-entry queue through thousands of commands, batches beyond its size. */
static void test_cmdq_wrap(void **state)
{
	struct guest_smmu_cfg cfg = { .cmdq_lg2 = 4 };
	struct gtb_rng rng = { gtb_seed("cmdq_wrap", 0x5eed0101) };
	uint64_t cmds[40][SMMU_CMD_DWORDS];
	struct smmuv3_stats st0, st1;
	uint64_t total = 0;
	unsigned int i, k, n;
	struct stream s;
	uint64_t a;
	struct ew w;

	ew_init_cfg(&w, NULL, &cfg);
	assert_int_equal(guest_cmdq_log2size(w.q), 4);
	stream_init(&w, &s, SID, 12, ASID);
	a = gtb_galloc(&w.b, 4096, 4096);
	gtb_map(s.s1, VA, a, 4096, RW);
	smmuv3_get_stats(w.b.smmu, &st0);
	for (i = 0; i < 120; i++) {
		n = 1 + (unsigned int)gtb_below(&rng, 40);
		for (k = 0; k < n; k++)
			guest_cmd_tlbi_nh_va(cmds[k], 0, ASID,
					     VA + 4096 * gtb_below(&rng, 64),
					     NULL, true);
		assert_int_equal(guest_cmdq_submit(w.q, cmds, n, NULL), 0);
		total += n + 1;
		/* Still translating, and still invalidating when it matters. */
		if (i % 10 == 0) {
			a = gtb_galloc(&w.b, 4096, 4096);
			assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) != a);
			remap(&s, VA, a, 4096);
			guest_cmd_tlbi_nh_va(cmds[0], 0, ASID, VA, NULL, true);
			assert_int_equal(guest_cmdq_submit(w.q, cmds, 1, NULL),
					 0);
			total += 2;
			assert_true(gtb_xl(&w.b, SID, SMMUV3_NO_SSID, VA) == a);
		}
	}
	smmuv3_get_stats(w.b.smmu, &st1);
	assert_true(st1.commands - st0.commands == total);
	stream_fini(&s);
	ew_fini(&w);
}

static void small_evtq(struct smmuv3_config *cfg)
{
	cfg->evtq_max_lg2 = 2;
}

static void test_evtq_overflow(void **state)
{
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct stream s;
	unsigned int i;
	struct ew w;

	ew_init_cfg(&w, small_evtq, NULL);
	assert_int_equal(guest_smmu_caps(w.gs)->evtq_lg2, 2);
	stream_init(&w, &s, SID, 12, ASID);
	for (i = 0; i < 6; i++)
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID,
					   VA + 4096ull * i, SMMUV3_READ, &x),
				 -EFAULT);
	/* Four fit; the rest were lost, which the first pop acknowledges. */
	for (i = 0; i < 4; i++) {
		gtb_expect_event(w.eq, &ev, SMMU_EVT_F_TRANSLATION, SID);
		assert_true(ev.input_addr == VA + 4096ull * i);
	}
	assert_int_equal(guest_evtq_overflows(w.eq), 1);
	gtb_expect_no_event(w.eq);
	for (i = 0; i < 2; i++)
		assert_int_equal(gtb_xlate(&w.b, SID, SMMUV3_NO_SSID,
					   VA + 4096ull * (10 + i), SMMUV3_READ,
					   &x),
				 -EFAULT);
	for (i = 0; i < 2; i++) {
		gtb_expect_event(w.eq, &ev, SMMU_EVT_F_TRANSLATION, SID);
		assert_true(ev.input_addr == VA + 4096ull * (10 + i));
	}
	assert_int_equal(guest_evtq_overflows(w.eq), 1);
	stream_fini(&s);
	ew_fini(&w);
}

/*
 * Random maps and unmaps of runs of granules, each followed by the
 * guest's range TLBI and CMD_SYNC; every translation, and every fault's
 * record, checked against a plain array.
 */
#define REF_PAGES 256

struct ref {
	bool mapped, ro;
	uint64_t gpa;
};

static void check_page(struct ew *w, struct ref *r, unsigned int i,
		       unsigned int g, struct gtb_rng *rng)
{
	uint64_t iova = VA + ((uint64_t)i << g) + gtb_below(rng, 1ull << g);
	bool write = gtb_below(rng, 2);
	struct smmuv3_xlate x;
	struct guest_event ev;
	int ret;

	ret = gtb_xlate(&w->b, SID, SMMUV3_NO_SSID, iova,
			write ? SMMUV3_WRITE : SMMUV3_READ, &x);
	if (r[i].mapped && !(write && r[i].ro)) {
		assert_int_equal(ret, 0);
		assert_true(x.oa == r[i].gpa + (iova & ((1ull << g) - 1)));
		return;
	}
	assert_int_equal(ret, -EFAULT);
	gtb_expect_event(w->eq, &ev,
			 r[i].mapped ? SMMU_EVT_F_PERMISSION
				     : SMMU_EVT_F_TRANSLATION,
			 SID);
	assert_true(ev.input_addr == iova);
	assert_true(ev.rnw == !write);
}

static void test_random_reference(void **state)
{
	struct gtb_rng rng = { gtb_seed("random_reference", 0x5eed0102) };
	static struct ref r[REF_PAGES];
	unsigned int g, i, k, op, first, n;
	struct stream s;
	struct ew w;

	for (g = 12; g <= 16; g += 2) {
		ew_init(&w);
		stream_init(&w, &s, SID, g, ASID);
		memset(r, 0, sizeof(r));
		for (op = 0; op < 300; op++) {
			first = (unsigned int)gtb_below(&rng, REF_PAGES);
			n = 1 + (unsigned int)gtb_below(&rng, 20);
			if (first + n > REF_PAGES)
				n = REF_PAGES - first;
			if (gtb_below(&rng, 3)) {
				/* Map what is free in the run, one by one. */
				for (k = first; k < first + n; k++) {
					if (r[k].mapped)
						continue;
					r[k].mapped = true;
					r[k].ro = gtb_below(&rng, 4) == 0;
					r[k].gpa = (0x100000ull +
						    gtb_below(&rng, 1u << 16))
						   << g;
					gtb_map(s.s1, VA + ((uint64_t)k << g),
						r[k].gpa, 1ull << g,
						r[k].ro ? RO : RW);
				}
			} else {
				assert_int_equal(
					guest_s1_unmap(s.s1,
						       VA + ((uint64_t)first
							     << g),
						       (uint64_t)n << g),
					0);
				for (k = first; k < first + n; k++)
					r[k].mapped = false;
			}
			guest_cmdq_set_range_inv(w.q, gtb_below(&rng, 2));
			assert_int_equal(
				guest_cmdq_tlbi_range(
					w.q, SMMU_CMD_TLBI_NH_VA, 0, ASID,
					VA + ((uint64_t)first << g),
					(uint64_t)n << g, g, true, NULL),
				0);
			assert_int_equal(guest_cmdq_sync(w.q, NULL), 0);
			guest_s1_reclaim(s.s1);
			for (k = first; k < first + n; k++)
				check_page(&w, r, k, g, &rng);
			for (i = 0; i < 16; i++)
				check_page(&w, r,
					   (unsigned int)gtb_below(&rng,
								   REF_PAGES),
					   g, &rng);
		}
		stream_fini(&s);
		ew_fini(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup),
		cmocka_unit_test(test_teardown_frees),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_stale_until_tlbi),
		cmocka_unit_test(test_tlbi_range),
		cmocka_unit_test(test_stale_until_cfgi),
		cmocka_unit_test(test_bad_config_events),
		cmocka_unit_test(test_substreams),
		cmocka_unit_test(test_strtab_2lvl),
		cmocka_unit_test(test_device_commands),
		cmocka_unit_test(test_command_errors),
		cmocka_unit_test(test_cmdq_wrap),
		cmocka_unit_test(test_evtq_overflow),
		cmocka_unit_test(test_random_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
