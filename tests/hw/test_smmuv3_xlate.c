// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 translation through every stream configuration, and the event
 * record each fault produces, checked field by field against 7.3. Tables,
 * STEs and CDs are written into bench memory directly; the SMMU is driven
 * through its registers and queues only.
 */
#include <string.h>

#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)

/* Stage-1 tables (granule @g, 48-bit VA) and a CD at sid's STE. */
struct s1_setup {
	struct pt_table *t;
	uint64_t *cd;
	uint64_t page; /* PA mapped at VA */
};

static void setup_s1(struct tb *tb, uint32_t sid, unsigned int g,
		     struct s1_setup *s)
{
	s->t = tb_pt(tb, PT_FMT_ARM_S1, g, 48, 0, false);
	s->page = tb_alloc(tb, 1ull << g, 1ull << g);
	tb_map(s->t, VA, s->page, 1ull << g, RW);
	s->cd = tb_ptr(tb_alloc(tb, 64, 64));
	tb_cd(s->cd, 7, s->t);
	tb_ste_s1(tb_ste(tb, sid), tb_pa(s->cd), 0, 0, 0);
}

static void expect_ok(struct tb *tb, uint32_t sid, uint32_t ssid, uint64_t iova,
		      unsigned int access, uint64_t oa)
{
	struct smmuv3_xlate x;
	int ret = smmuv3_translate(tb->smmu, sid, ssid, iova, access, &x);

	if (ret)
		print_message("# sid %u iova %#" PRIx64 ": event %#x\n", sid,
			      iova, x.event);
	assert_int_equal(ret, 0);
	assert_int_equal(x.status, SMMUV3_OK);
	assert_true(x.oa == oa);
}

/* Translates expecting a fault; returns its event record. */
static void expect_fault(struct tb *tb, uint32_t sid, uint32_t ssid,
			 uint64_t iova, unsigned int access, uint8_t id,
			 uint64_t evt[4])
{
	struct smmuv3_xlate x;

	assert_int_equal(smmuv3_translate(tb->smmu, sid, ssid, iova, access,
					  &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_ABORT);
	assert_int_equal(x.event, id);
	assert_true(x.recorded);
	assert_true(tb_event(tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID), id);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SID), sid);
	assert_int_equal(tb_event_count(tb), 0);
}

static void test_gbpa(void **state)
{
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init_raw(&tb, NULL);
	/* Reset: GBPA.ABORT (the model's configured reset value). */
	assert_true(smmu_fget(tb_rd(&tb, SMMU_GBPA), SMMU_GBPA_ABORT));
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, 0x1000,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_ABORT);
	/* Without UPDATE a GBPA write has no effect. */
	tb_wr(&tb, SMMU_GBPA, 0);
	assert_true(smmu_fget(tb_rd(&tb, SMMU_GBPA), SMMU_GBPA_ABORT));
	tb_wr(&tb, SMMU_GBPA, (uint32_t)smmu_fprep(SMMU_GBPA_UPDATE, 1));
	assert_int_equal(tb_rd(&tb, SMMU_GBPA) &
				 (uint32_t)(smmu_fmask(SMMU_GBPA_ABORT) |
					    smmu_fmask(SMMU_GBPA_UPDATE)),
			 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, 0x123456, SMMUV3_WRITE, 0x123456);
	tb_fini(&tb);
}

static void test_bypass_abort(void **state)
{
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init(&tb, NULL);
	tb_ste_bypass(tb_ste(&tb, 3));
	expect_ok(&tb, 3, SMMUV3_NO_SSID, 0xdead000, SMMUV3_READ, 0xdead000);
	/* Config 0b000 aborts without an event; so do reserved 0b0xx. */
	tb_ste_abort(tb_ste(&tb, 4));
	smmu_dset(tb_ste(&tb, 5), SMMU_STE_V, 1);
	smmu_dset(tb_ste(&tb, 5), SMMU_STE_CONFIG, 3);
	assert_int_equal(smmuv3_translate(tb.smmu, 4, SMMUV3_NO_SSID, 0, 0, &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_ABORT);
	assert_int_equal(x.event, 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 5, SMMUV3_NO_SSID, 0, 0, &x),
			 -EFAULT);
	assert_int_equal(x.event, 0);
	assert_int_equal(tb_event_count(&tb), 0);
	/* A substream on a stream without stage 1. */
	assert_int_equal(smmuv3_translate(tb.smmu, 3, 5, 0, 0, &x), -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_SUBSTREAMID);
	tb_expect_event(&tb, SMMU_EVT_C_BAD_SUBSTREAMID, 3);
	tb_fini(&tb);
}

static void test_bad_ste(void **state)
{
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	/* V == 0 */
	expect_fault(&tb, 9, SMMUV3_NO_SSID, 0x1000, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STE, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 0);
	/* The record carries the transaction's substream. */
	expect_fault(&tb, 9, 77, 0x1000, SMMUV3_READ, SMMU_EVT_C_BAD_STE, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSID), 77);
	assert_true(evt[1] == 0 && evt[2] == 0 && evt[3] == 0);
	/* Stage 2 fields that are ILLEGAL. */
	tb_ste_bypass(tb_ste(&tb, 9));
	smmu_dset(tb_ste(&tb, 9), SMMU_STE_CONFIG, SMMU_STE_CFG_S2);
	expect_fault(&tb, 9, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt); /* S2AA64 == 0 */
	/* Split-stage ATS is not implemented. */
	tb_ste_bypass(tb_ste(&tb, 10));
	smmu_dset(tb_ste(&tb, 10), SMMU_STE_CONFIG, SMMU_STE_CFG_S1);
	smmu_dset(tb_ste(&tb, 10), SMMU_STE_EATS, SMMU_EATS_S1CHK);
	expect_fault(&tb, 10, SMMUV3_NO_SSID, 0, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STE, evt);
	/* S1CDMax beyond SSIDSIZE. */
	tb_ste_s1(tb_ste(&tb, 11), tb_alloc(&tb, 64, 64), 21, 0, 0);
	expect_fault(&tb, 11, SMMUV3_NO_SSID, 0, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STE, evt);
	tb_fini(&tb);
}

static void s1_granule(unsigned int g)
{
	struct s1_setup s;
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, g, &s);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA + 0x18, SMMUV3_READ,
		  s.page + 0x18);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					  VA + (1ull << g) - 8, SMMUV3_WRITE,
					  &x),
			 0);
	assert_true(x.oa == s.page + (1ull << g) - 8);
	assert_int_equal(x.page_lg2, g);
	assert_true(x.tlb_hit);
	assert_true(x.perm & SMMUV3_WRITE);
	/* One granule further is not mapped. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					  VA + (1ull << g), SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_F_TRANSLATION);
	tb_fini(&tb);
}

static void test_s1_4k(void **state)
{
	s1_granule(12);
}

static void test_s1_16k(void **state)
{
	s1_granule(14);
}

static void test_s1_64k(void **state)
{
	s1_granule(16);
}

static void test_s1_block(void **state)
{
	struct smmuv3_xlate x;
	struct pt_table *t;
	uint64_t *cd, blk;
	struct tb tb;

	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	blk = tb_alloc(&tb, 2ull << 20, 2ull << 20);
	tb_map(t, VA, blk, 2ull << 20, RW);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 1, t);
	tb_ste_s1(tb_ste(&tb, 2), tb_pa(cd), 0, 0, 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 2, SMMUV3_NO_SSID,
					  VA + 0x12345, SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == blk + 0x12345);
	assert_int_equal(x.page_lg2, 21);
	/* Anywhere in the block now hits the one IOTLB entry. */
	assert_int_equal(smmuv3_translate(tb.smmu, 2, SMMUV3_NO_SSID,
					  VA + 0x1ff000, SMMUV3_READ, &x),
			 0);
	assert_true(x.tlb_hit);
	assert_true(x.oa == blk + 0x1ff000);
	tb_fini(&tb);
}

static void test_s1_faults(void **state)
{
	struct s1_setup s;
	struct smmuv3_xlate x;
	uint64_t evt[4], *leaf, ro;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	ro = tb_alloc(&tb, 4096, 4096);
	tb_map(s.t, VA + 0x1000, ro, 4096, PT_PROT_READ | PT_PROT_NOEXEC);

	/* Translation fault: S2 = 0, CLASS = IN, InputAddr, RnW. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x5008, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	assert_true(evt[2] == VA + 0x5008);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_RNW), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_PNU), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_IND), 0);

	/* Permission: write to read-only, RnW = 0, PnU from the access. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x1010,
		     SMMUV3_WRITE | SMMUV3_PRIV, SMMU_EVT_F_PERMISSION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_RNW), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_PNU), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 0);
	assert_true(evt[2] == VA + 0x1010);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA + 0x1010, SMMUV3_READ, ro + 0x10);
	/* Instruction fetch from an execute-never page: InD = 1. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x1000, SMMUV3_EXEC,
		     SMMU_EVT_F_PERMISSION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_IND), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_RNW), 1);

	/* Access flag: AF cleared in the leaf (and never cached before). */
	tb_map(s.t, VA + 0x2000, ro, 4096, PT_PROT_READ);
	leaf = tb_leaf(s.t, VA + 0x2000, false, &tb);
	*leaf &= ~(1ull << 10);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x2000, SMMUV3_READ,
		     SMMU_EVT_F_ACCESS, evt);

	/* CD.R == 0: the fault is not recorded. */
	smmu_dset(s.cd, SMMU_CD_R, 0);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					  VA + 0x7000, SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_F_TRANSLATION);
	assert_false(x.recorded);
	assert_int_equal(x.status, SMMUV3_ABORT);
	assert_int_equal(tb_event_count(&tb), 0);
	/* CD.A == 0: terminated as RAZ/WI instead of an abort. */
	smmu_dset(s.cd, SMMU_CD_A, 0);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					  VA + 0x7000, SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_RAZWI);
	tb_fini(&tb);
}

static void test_s1_priv_and_pan(void **state)
{
	struct s1_setup s;
	uint64_t evt[4], page;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	page = tb_alloc(&tb, 4096, 4096);
	tb_map(s.t, VA + 0x1000, page, 4096, RW | PT_PROT_PRIV);
	/* Privileged-only page: an unprivileged access faults. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x1000, SMMUV3_READ,
		     SMMU_EVT_F_PERMISSION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_PNU), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA + 0x1000,
		  SMMUV3_READ | SMMUV3_PRIV, page);
	/* The VA page is user-accessible: PAN refuses privileged data. */
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_WRITE | SMMUV3_PRIV,
		  s.page);
	smmu_dset(s.cd, SMMU_CD_PAN, 1);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_WRITE | SMMUV3_PRIV,
		     SMMU_EVT_F_PERMISSION, evt);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_WRITE, s.page);
	tb_fini(&tb);
}

static void test_s1_httu(void **state)
{
	struct s1_setup s;
	uint64_t evt[4], *leaf;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	leaf = tb_leaf(s.t, VA, false, &tb);
	/* Hardware Access flag update: AF = 0 is set instead of faulting. */
	*leaf &= ~(1ull << 10);
	smmu_dset(s.cd, SMMU_CD_HA, 1);
	smmu_dset(s.cd, SMMU_CD_HD, 1);
	/* Write-clean: DBM with AP[2] read-only. */
	*leaf |= (1ull << 51) | (1ull << 7);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA + 8, SMMUV3_READ, s.page + 8);
	assert_true(*leaf & (1ull << 10));
	/* Still clean after a read; the first write marks it dirty. */
	assert_true(*leaf & (1ull << 7));
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA + 8, SMMUV3_WRITE, s.page + 8);
	assert_false(*leaf & (1ull << 7));

	/* Without HD, a write-clean page is read-only. */
	*leaf |= 1ull << 7;
	smmu_dset(s.cd, SMMU_CD_HD, 0);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_WRITE,
		     SMMU_EVT_F_PERMISSION, evt);
	tb_fini(&tb);
}

static void test_s1_addr_size(void **state)
{
	struct s1_setup s;
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	if (s.page >> 32) {
		/* The bench RAM did not land below 4 GiB. */
		print_message("# bench RAM above 4 GiB: address size "
			      "skipped\n");
		tb_fini(&tb);
		return;
	}
	/* A 32-bit IPS: an output address above 4 GiB is out of range. */
	smmu_dset(s.cd, SMMU_CD_IPS, SMMU_PS_32);
	tb_map(s.t, VA + 0x1000, 1ull << 33, 4096, RW);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, s.page);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA + 0x1000, SMMUV3_READ,
		     SMMU_EVT_F_ADDR_SIZE, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	/* A TTB beyond the IPS makes the CD ILLEGAL. */
	smmu_dset(s.cd, SMMU_CD_TTB0, (1ull << 33) >> 4);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, SMMU_EVT_C_BAD_CD,
		     evt);
	tb_fini(&tb);
}

static void test_s1_walk_eabt(void **state)
{
	uint64_t evt[4], *cd;
	struct tb tb;

	tb_init(&tb, NULL);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	memset(cd, 0, 64);
	smmu_dset(cd, SMMU_CD_V, 1);
	smmu_dset(cd, SMMU_CD_T0SZ, 16);
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	/* A table at an address memory refuses (below the bench RAM). */
	smmu_dset(cd, SMMU_CD_TTB0, 0x10000ull >> 4);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_WALK_EABT, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 0);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_TT);
	assert_true(evt[2] == VA);
	/* The level-0 descriptor's address: table + VA[47:39] * 8. */
	assert_true((smmu_dget(evt, SMMU_EVT_FETCH_ADDR) << 3) ==
		    0x10000ull + 8 * ((VA >> 39) & 511));
	tb_fini(&tb);
}

static void test_bad_cd(void **state)
{
	struct s1_setup s;
	uint64_t evt[4], good[8];
	struct tb tb;
	static const struct {
		unsigned int dw, shift, width;
		uint64_t val;
	} bad[] = {
		{ SMMU_CD_V, 0 },     { SMMU_CD_AA64, 0 }, { SMMU_CD_T0SZ, 10 },
		{ SMMU_CD_T0SZ, 40 }, { SMMU_CD_TG0, 3 },  { SMMU_CD_ENDI, 1 },
		{ SMMU_CD_S, 1 }, /* no stall model */
	};
	unsigned int i;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	memcpy(good, s.cd, 64);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(s.cd, good, 64);
		s.cd[bad[i].dw] =
			(s.cd[bad[i].dw] &
			 ~(((~0ull) >> (64 - bad[i].width)) << bad[i].shift)) |
			(bad[i].val << bad[i].shift);
		assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
		expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ,
			     SMMU_EVT_C_BAD_CD, evt);
	}
	memcpy(s.cd, good, 64);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, s.page);
	tb_fini(&tb);
}

static void no_httu(struct smmuv3_config *cfg)
{
	cfg->httu = SMMU_HTTU_NONE;
	cfg->gran_16k = false;
}

static void test_bad_cd_features(void **state)
{
	struct s1_setup s;
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, no_httu);
	setup_s1(&tb, 1, 12, &s);
	smmu_dset(s.cd, SMMU_CD_HA, 1);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, SMMU_EVT_C_BAD_CD,
		     evt);
	smmu_dset(s.cd, SMMU_CD_HA, 0);
	smmu_dset(s.cd, SMMU_CD_TG0, SMMU_TG0_16K);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, SMMU_EVT_C_BAD_CD,
		     evt);
	tb_fini(&tb);
}

static void test_cd_fetch(void **state)
{
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	/* S1ContextPtr outside memory. */
	tb_ste_s1(tb_ste(&tb, 1), 0x40000ull, 0, 0, 0);
	expect_fault(&tb, 1, 0x0, VA, SMMUV3_READ, SMMU_EVT_C_BAD_SUBSTREAMID,
		     evt); /* SSID with S1CDMax == 0 */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_CD_FETCH, evt);
	assert_true((smmu_dget(evt, SMMU_EVT_FETCH_ADDR) << 3) == 0x40000ull);
	tb_fini(&tb);
}

/* Substreams: linear and 2-level CD tables, S1DSS. */
static void test_substreams(void **state)
{
	struct pt_table *t[3];
	uint64_t pages[3], evt[4];
	uint64_t cdtab, l1, l2;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	for (i = 0; i < 3; i++) {
		t[i] = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
		pages[i] = tb_alloc(&tb, 4096, 4096);
		tb_map(t[i], VA, pages[i], 4096, RW);
	}
	/* Linear table of 16 CDs: SSID n uses CD n. */
	cdtab = tb_alloc(&tb, 64 * 16, 64 * 16);
	tb_cd(tb_ptr(cdtab + 64 * 0), 10, t[0]);
	tb_cd(tb_ptr(cdtab + 64 * 5), 15, t[1]);
	tb_ste_s1(tb_ste(&tb, 1), cdtab, 4, SMMU_S1FMT_LINEAR,
		  SMMU_S1DSS_TERMINATE);
	expect_ok(&tb, 1, 5, VA, SMMUV3_READ, pages[1]);
	expect_ok(&tb, 1, 0, VA, SMMUV3_READ, pages[0]);
	/* SSID beyond 2^S1CDMax; an invalid CD; no SSID with Terminate. */
	expect_fault(&tb, 1, 16, VA, SMMUV3_READ, SMMU_EVT_C_BAD_SUBSTREAMID,
		     evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSID), 16);
	expect_fault(&tb, 1, 6, VA, SMMUV3_READ, SMMU_EVT_C_BAD_CD, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSID), 6);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 1);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_STREAM_DISABLED, evt);
	assert_true(evt[0] ==
		    (smmu_dprep(SMMU_EVT_ID, SMMU_EVT_F_STREAM_DISABLED) |
		     smmu_dprep(SMMU_EVT_SID, 1)));
	/* S1DSS: substream 0 serves traffic without an SSID, not SSID 0. */
	smmu_dset(tb_ste(&tb, 1), SMMU_STE_S1DSS, SMMU_S1DSS_SSID0);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, pages[0]);
	expect_fault(&tb, 1, 0, VA, SMMUV3_READ, SMMU_EVT_F_STREAM_DISABLED,
		     evt);
	/* S1DSS bypass: no SSID bypasses stage 1. */
	smmu_dset(tb_ste(&tb, 1), SMMU_STE_S1DSS, SMMU_S1DSS_BYPASS);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, 0x5000, SMMUV3_READ, 0x5000);

	/* 2-level, 4 KiB leaves: SSID 0x1234 = L1[0x48], L2[0x34]. */
	l1 = tb_alloc(&tb, 8 << 10, 8 << 10);
	l2 = tb_alloc(&tb, 4096, 4096);
	*(uint64_t *)tb_ptr(l1 + 8 * 0x48) =
		smmu_dprep(SMMU_L1CD_V, 1) |
		smmu_dprep(SMMU_L1CD_L2PTR, l2 >> 12);
	tb_cd(tb_ptr(l2 + 64 * 0x34), 20, t[2]);
	tb_ste_s1(tb_ste(&tb, 2), l1, 16, SMMU_S1FMT_4K_L2,
		  SMMU_S1DSS_TERMINATE);
	expect_ok(&tb, 2, 0x1234, VA, SMMUV3_READ, pages[2]);
	/* An invalid L1CD is C_BAD_SUBSTREAMID. */
	expect_fault(&tb, 2, 0x2234, VA, SMMUV3_READ,
		     SMMU_EVT_C_BAD_SUBSTREAMID, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSID), 0x2234);
	/* 64 KiB leaves: SSID 0x1234 = L1[4], L2[0x234]. */
	l1 = tb_alloc(&tb, 64 * 8, 64 * 8);
	l2 = tb_alloc(&tb, 64 << 10, 64 << 10);
	*(uint64_t *)tb_ptr(l1 + 8 * 4) = smmu_dprep(SMMU_L1CD_V, 1) |
					  smmu_dprep(SMMU_L1CD_L2PTR, l2 >> 12);
	tb_cd(tb_ptr(l2 + 64 * 0x234), 21, t[1]);
	tb_ste_s1(tb_ste(&tb, 3), l1, 16, SMMU_S1FMT_64K_L2,
		  SMMU_S1DSS_TERMINATE);
	expect_ok(&tb, 3, 0x1234, VA, SMMUV3_READ, pages[1]);
	tb_fini(&tb);
}

static void test_tbi_ttb1(void **state)
{
	struct s1_setup s;
	struct pt_table *t1;
	uint64_t evt[4], page, va1;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_s1(&tb, 1, 12, &s);
	/* Top byte not a sign extension of VA[55]: translation fault. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA | (0x5aull << 56), SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_true(evt[2] == (VA | (0x5aull << 56)));
	smmu_dset(s.cd, SMMU_CD_TBI0, 1);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA | (0x5aull << 56) | 0x40,
		  SMMUV3_READ, s.page + 0x40);

	/* TTB1: a 39-bit upper region. */
	t1 = tb_pt(&tb, PT_FMT_ARM_S1, 16, 39, 0, false);
	page = tb_alloc(&tb, 1 << 16, 1 << 16);
	va1 = 0xffffff8000000000ull + 0x12340000ull;
	tb_map(t1, va1 & ((1ull << 39) - 1), page, 1 << 16, RW);
	smmu_dset(s.cd, SMMU_CD_EPD1, 0);
	smmu_dset(s.cd, SMMU_CD_T1SZ, 25);
	smmu_dset(s.cd, SMMU_CD_TG1, SMMU_TG1_64K);
	smmu_dset(s.cd, SMMU_CD_TTB1, pt_root(pt_table_walk_ctx(t1)) >> 4);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	expect_ok(&tb, 1, SMMUV3_NO_SSID, va1 + 0x88, SMMUV3_WRITE,
		  page + 0x88);
	/* Below the TTB1 region (bit 39 clear): translation fault. */
	expect_fault(&tb, 1, SMMUV3_NO_SSID, va1 & ~(1ull << 39), SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	/* TTB0 still works; EPD0 turns it off. */
	expect_ok(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, s.page);
	smmu_dset(s.cd, SMMU_CD_EPD0, 1);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_fault(&tb, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	tb_fini(&tb);
}

/* Stage 2 only: IPA -> PA. */
static void test_s2_only(void **state)
{
	struct pt_table *s2;
	uint64_t page, evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	/* 40-bit IPA, 4K: 3 levels with 2 concatenated start tables. */
	s2 = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	page = tb_alloc(&tb, 4096, 4096);
	tb_map(s2, 0x8000001000ull, page, 4096, RW);
	tb_ste_s2(tb_ste(&tb, 4), 5, s2);
	expect_ok(&tb, 4, SMMUV3_NO_SSID, 0x8000001abcull, SMMUV3_WRITE,
		  page + 0xabc);
	/* S2 fault: S2 = 1, CLASS = IN, the IPA reported. */
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0x8000003008ull, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	assert_true(evt[2] == 0x8000003008ull);
	assert_true((smmu_dget(evt, SMMU_EVT_IPA) << 12) == 0x8000003000ull);
	/* Beyond the 40-bit IPA space. */
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 1ull << 40, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	/* Beyond the SMMU's IAS: stage 1 (bypassed) address size fault. */
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 1ull << 50, SMMUV3_READ,
		     SMMU_EVT_F_ADDR_SIZE, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 0);
	/* Read-only at stage 2. */
	tb_map(s2, 0x8000002000ull, page, 4096, PT_PROT_READ);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0x8000002000ull, SMMUV3_WRITE,
		     SMMU_EVT_F_PERMISSION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	/* STE.S2R == 0: stage 2 faults are not recorded. */
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2R, 0);
	assert_int_equal(tb_cfgi_ste(&tb, 4), 0);
	{
		struct smmuv3_xlate x;

		assert_int_equal(smmuv3_translate(tb.smmu, 4, SMMUV3_NO_SSID,
						  0x8000002000ull, SMMUV3_WRITE,
						  &x),
				 -EFAULT);
		assert_false(x.recorded);
		assert_int_equal(tb_event_count(&tb), 0);
	}
	tb_fini(&tb);
}

static void test_s2_bad_ste(void **state)
{
	struct pt_table *s2;
	uint64_t evt[4], good[8];
	struct tb tb;

	tb_init(&tb, NULL);
	s2 = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	tb_ste_s2(tb_ste(&tb, 4), 5, s2);
	memcpy(good, tb_ste(&tb, 4), 64);
	/* S2SL0 inconsistent with S2T0SZ (4 levels for 40 bits at SL0 3). */
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2SL0, 3);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	/* Start level 2 would need 2^19 concatenated... > 16: ILLEGAL. */
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2SL0, 0);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2T0SZ, 8);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2TG, 3);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2ENDI, 1);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2S, 1);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	memcpy(tb_ste(&tb, 4), good, 64);
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_S2TTB, (1ull << 49) >> 4);
	expect_fault(&tb, 4, SMMUV3_NO_SSID, 0, SMMUV3_READ, SMMU_EVT_C_BAD_STE,
		     evt);
	tb_fini(&tb);
}

/*
 * Nested: guest stage-1 tables and CD in guest RAM at IPAs, a stage-2 table
 * mapping guest RAM to its host buffer.
 */
struct nested {
	struct pt_table *s1, *s2;
	uint64_t cd_gpa;
	uint64_t data_gpa;
};

static void setup_nested(struct tb *tb, uint32_t sid, uint16_t vmid,
			 struct nested *n)
{
	n->s2 = tb_pt(tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	tb_map(n->s2, TB_GPA_BASE, tb_pa(tb->gram), TB_GRAM_SIZE, RW);
	n->s1 = tb_pt(tb, PT_FMT_ARM_S1, 12, 48, 0, true);
	n->data_gpa = tb_galloc(tb, 4096, 4096);
	tb_map(n->s1, VA, n->data_gpa, 4096, RW);
	n->cd_gpa = tb_galloc(tb, 64, 64);
	tb_cd(tb_gpa_ptr(tb, n->cd_gpa), 3, n->s1);
	tb_ste_s1(tb_ste(tb, sid), n->cd_gpa, 0, 0, 0);
	tb_ste_add_s2(tb_ste(tb, sid), vmid, n->s2);
}

static void test_nested(void **state)
{
	struct nested n;
	uint64_t evt[4], unmapped;
	struct pt_walk_result r;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_nested(&tb, 6, 9, &n);
	expect_ok(&tb, 6, SMMUV3_NO_SSID, VA + 0x44, SMMUV3_WRITE,
		  tb_pa(tb_gpa_ptr(&tb, n.data_gpa)) + 0x44);

	/* Stage 1 points at an IPA stage 2 does not map: CLASS IN. */
	unmapped = TB_GPA_BASE + TB_GRAM_SIZE + 0x3000;
	tb_map(n.s1, VA + 0x1000, unmapped, 4096, RW);
	expect_fault(&tb, 6, SMMUV3_NO_SSID, VA + 0x1010, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	assert_true(evt[2] == VA + 0x1010);
	assert_true((smmu_dget(evt, SMMU_EVT_IPA) << 12) == unmapped);

	/* Stage 2 made read-only: a write faults at stage 2. */
	assert_int_equal(pt_unmap(n.s2, TB_GPA_BASE, TB_GRAM_SIZE,
				  PT_UNMAP_SPLIT, NULL, &unmapped),
			 0);
	tb_map(n.s2, TB_GPA_BASE, tb_pa(tb.gram), TB_GRAM_SIZE, PT_PROT_READ);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_fault(&tb, 6, SMMUV3_NO_SSID, VA, SMMUV3_WRITE,
		     SMMU_EVT_F_PERMISSION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_IN);
	expect_ok(&tb, 6, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		  tb_pa(tb_gpa_ptr(&tb, n.data_gpa)));

	/* A stage-1 table page stage 2 does not map: CLASS TT. */
	pt_walk(pt_table_walk_ctx(n.s1), VA, PT_ACCESS_READ, &r);
	assert_int_equal(pt_unmap(n.s2, r.desc_pa & ~0xfffull, 4096,
				  PT_UNMAP_SPLIT, NULL, &unmapped),
			 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_fault(&tb, 6, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_TT);
	assert_true((smmu_dget(evt, SMMU_EVT_IPA) << 12) ==
		    (r.desc_pa & ~0xfffull));

	/* The CD's page unmapped at stage 2: CLASS CD, IPA = the CD. */
	assert_int_equal(pt_unmap(n.s2, n.cd_gpa & ~0xfffull, 4096,
				  PT_UNMAP_SPLIT, NULL, &unmapped),
			 0);
	assert_int_equal(tb_cfgi_ste(&tb, 6), 0);
	expect_fault(&tb, 6, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_TRANSLATION, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_CD);
	assert_true((smmu_dget(evt, SMMU_EVT_IPA) << 12) ==
		    (n.cd_gpa & ~0xfffull));
	assert_true(evt[2] == VA);
	tb_fini(&tb);
}

/*
 * The output IPA in the stage-2 leaf the stage-1 table accesses went
 * through (guest RAM is one 2 MiB block here): answered like a walk of it,
 * and a write to the write-clean leaf with S2HD still marks it dirty.
 */
static void test_nested_shared_s2_leaf(void **state)
{
	struct pt_walk_result r;
	struct smmuv3_xlate x;
	uint64_t *leaf, pa;
	struct nested n;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_nested(&tb, 6, 9, &n);
	pa = tb_pa(tb_gpa_ptr(&tb, n.data_gpa));
	pt_walk(pt_table_walk_ctx(n.s1), VA, PT_ACCESS_READ, &r);
	leaf = tb_leaf(n.s2, n.data_gpa, false, &tb);
	assert_true(leaf == tb_leaf(n.s2, r.desc_pa, false, &tb));
	assert_int_equal(smmuv3_translate(tb.smmu, 6, SMMUV3_NO_SSID, VA + 8,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == pa + 8);
	assert_int_equal(x.page_lg2, 12);

	/* Write-clean (DBM, S2AP[1] clear) under S2HA/S2HD. */
	*leaf |= 1ull << 51;
	*leaf &= ~(1ull << 7);
	smmu_dset(tb_ste(&tb, 6), SMMU_STE_S2HA, 1);
	smmu_dset(tb_ste(&tb, 6), SMMU_STE_S2HD, 1);
	assert_int_equal(tb_cfgi_ste(&tb, 6), 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	expect_ok(&tb, 6, SMMUV3_NO_SSID, VA + 8, SMMUV3_READ, pa + 8);
	assert_false(*leaf & (1ull << 7));
	expect_ok(&tb, 6, SMMUV3_NO_SSID, VA + 8, SMMUV3_WRITE, pa + 8);
	assert_true(*leaf & (1ull << 7));
	tb_fini(&tb);
}

/* Stage 2 maps guest RAM onto memory the SMMU cannot reach. */
static void test_nested_eabt(void **state)
{
	struct nested n;
	uint64_t evt[4], unmapped;
	struct tb tb;

	tb_init(&tb, NULL);
	setup_nested(&tb, 6, 9, &n);
	/* The CD page maps to a PA outside memory: F_CD_FETCH of that PA. */
	assert_int_equal(pt_unmap(n.s2, n.cd_gpa & ~0xfffull, 4096,
				  PT_UNMAP_SPLIT, NULL, &unmapped),
			 0);
	tb_map(n.s2, n.cd_gpa & ~0xfffull, 0x7000000000ull, 4096, RW);
	expect_fault(&tb, 6, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_F_CD_FETCH, evt);
	assert_true((smmu_dget(evt, SMMU_EVT_FETCH_ADDR) << 3) ==
		    0x7000000000ull + (n.cd_gpa & 0xfff));
	tb_fini(&tb);
}

static void test_2lvl_strtab(void **state)
{
	struct s1_setup s;
	uint64_t l1, l2, evt[4];
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init(&tb, NULL);
	/* Build the CD etc. on sid 1 of the linear table, then move it. */
	setup_s1(&tb, 1, 12, &s);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~1u);
	/* 16-bit SIDs, SPLIT 8: 256 L1 descriptors of 256 STEs. */
	l1 = tb_alloc(&tb, 8 * 256, 8 * 256);
	l2 = tb_alloc(&tb, 64 * 256, 64 * 256);
	*(uint64_t *)tb_ptr(l1 + 8 * 0x12) =
		smmu_dprep(SMMU_L1STD_SPAN, 9) |
		smmu_dprep(SMMU_L1STD_L2PTR, l2 >> 6);
	/* A span of 2^3 STEs only. */
	*(uint64_t *)tb_ptr(l1 + 8 * 0x13) =
		smmu_dprep(SMMU_L1STD_SPAN, 4) |
		smmu_dprep(SMMU_L1STD_L2PTR, l2 >> 6);
	memcpy(tb_ptr(l2 + 64 * 0x34), tb_ste(&tb, 1), 64);
	tb_wr64(&tb, SMMU_STRTAB_BASE, l1);
	tb_wr(&tb, SMMU_STRTAB_BASE_CFG,
	      (uint32_t)(smmu_fprep(SMMU_STRTAB_BASE_CFG_LOG2SIZE, 16) |
			 smmu_fprep(SMMU_STRTAB_BASE_CFG_SPLIT, 8) |
			 smmu_fprep(SMMU_STRTAB_BASE_CFG_FMT,
				    SMMU_STRTAB_FMT_2LVL)));
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) | 1u);
	assert_int_equal(tb_cfgi_all(&tb), 0);
	expect_ok(&tb, 0x1234, SMMUV3_NO_SSID, VA, SMMUV3_READ, s.page);
	/* Invalid L1 descriptor, and a SID beyond a short span. */
	tb_wr(&tb, SMMU_CR2, (uint32_t)smmu_fprep(SMMU_CR2_RECINVSID, 1));
	expect_fault(&tb, 0x1134, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STREAMID, evt);
	expect_fault(&tb, 0x1308, SMMUV3_NO_SSID, VA, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STREAMID, evt);
	assert_int_equal(smmuv3_translate(tb.smmu, 0x1307, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_STE); /* zero STE */
	tb_events_clear(&tb);
	tb_fini(&tb);
}

static void test_bad_streamid(void **state)
{
	struct smmuv3_xlate x;
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	/* Beyond 2^LOG2SIZE: aborted; recorded only with RECINVSID. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1u << TB_STE_LOG2,
					  SMMUV3_NO_SSID, 0, SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_STREAMID);
	assert_false(x.recorded);
	assert_int_equal(tb_event_count(&tb), 0);
	tb_wr(&tb, SMMU_CR2, (uint32_t)smmu_fprep(SMMU_CR2_RECINVSID, 1));
	expect_fault(&tb, 0xffffffffu, 4, 0, SMMUV3_READ,
		     SMMU_EVT_C_BAD_STREAMID, evt);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSV), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SSID), 4);
	tb_fini(&tb);
}

static void test_ste_fetch(void **state)
{
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~1u);
	/* Base registers are ignored while the SMMU is enabled... */
	tb_wr64(&tb, SMMU_STRTAB_BASE, 0x100000ull);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) | 1u);
	tb_wr64(&tb, SMMU_STRTAB_BASE, tb.strtab);
	assert_true(tb_rd64(&tb, SMMU_STRTAB_BASE) == 0x100000ull);
	expect_fault(&tb, 3, SMMUV3_NO_SSID, 0, SMMUV3_READ,
		     SMMU_EVT_F_STE_FETCH, evt);
	assert_true((smmu_dget(evt, SMMU_EVT_FETCH_ADDR) << 3) ==
		    0x100000ull + 3 * 64);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gbpa),
		cmocka_unit_test(test_bypass_abort),
		cmocka_unit_test(test_bad_ste),
		cmocka_unit_test(test_s1_4k),
		cmocka_unit_test(test_s1_16k),
		cmocka_unit_test(test_s1_64k),
		cmocka_unit_test(test_s1_block),
		cmocka_unit_test(test_s1_faults),
		cmocka_unit_test(test_s1_priv_and_pan),
		cmocka_unit_test(test_s1_httu),
		cmocka_unit_test(test_s1_addr_size),
		cmocka_unit_test(test_s1_walk_eabt),
		cmocka_unit_test(test_bad_cd),
		cmocka_unit_test(test_bad_cd_features),
		cmocka_unit_test(test_cd_fetch),
		cmocka_unit_test(test_substreams),
		cmocka_unit_test(test_tbi_ttb1),
		cmocka_unit_test(test_s2_only),
		cmocka_unit_test(test_s2_bad_ste),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nested_shared_s2_leaf),
		cmocka_unit_test(test_nested_eabt),
		cmocka_unit_test(test_2lvl_strtab),
		cmocka_unit_test(test_bad_streamid),
		cmocka_unit_test(test_ste_fetch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
