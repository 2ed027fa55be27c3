// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 command queue: consumption on CMDQ_PROD, command errors as 7.1
 * reports them (GERROR.CMDQ_ERR, CMDQ_CONS.ERR, CONS left at the failing
 * command, no progress until GERRORN acknowledges), CMD_SYNC completion
 * signalling, commands addressed to devices (ATC_INV, PRI_RESP), and the
 * decoder reused on another queue through smmuv3_cmdq_consume(), and runs
 * of commands (smmuv3_cmd_run_*).
 */
#include <string.h>

#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define OP(op) smmu_dprep(SMMU_CMD_OP, op)
#define SYNC OP(SMMU_CMD_SYNC)

static uint32_t cons_idx(struct tb *tb)
{
	return tb_rd(tb, SMMU_CMDQ_CONS) & ((2u << TB_CMDQ_LOG2) - 1);
}

static bool cmdq_err_active(struct tb *tb)
{
	return smmu_fget(tb_rd(tb, SMMU_GERROR) ^ tb_rd(tb, SMMU_GERRORN),
			 SMMU_GERROR_CMDQ_ERR);
}

/* The queue slot of index @idx. */
static uint64_t *slot(struct tb *tb, uint32_t idx)
{
	return tb_ptr(tb->cmdq + 16ull * (idx & ((1u << TB_CMDQ_LOG2) - 1)));
}

/*
 * Runs one command expecting @err; an erroring command is overwritten
 * with CMD_SYNC and the error acknowledged, as a driver recovers.
 */
static void expect_cmd(struct tb *tb, uint64_t c0, uint64_t c1,
		       unsigned int err)
{
	uint32_t at = tb->cmdq_prod;

	assert_int_equal(tb_cmd(tb, c0, c1), err);
	if (!err) {
		assert_int_equal(cons_idx(tb), tb->cmdq_prod);
		return;
	}
	assert_int_equal(cons_idx(tb), at);
	slot(tb, at)[0] = SYNC;
	slot(tb, at)[1] = 0;
	tb_ack_cmdq_err(tb);
	assert_false(cmdq_err_active(tb));
	assert_int_equal(cons_idx(tb), tb->cmdq_prod);
}

static void test_ill_stops_queue(void **state)
{
	struct tb tb;
	uint32_t bad;

	tb_init(&tb, NULL);
	/* Three commands with one PROD write: the middle one is garbage. */
	slot(&tb, 0)[0] = OP(SMMU_CMD_TLBI_NSNH_ALL);
	slot(&tb, 0)[1] = 0;
	slot(&tb, 1)[0] = 0xdeadbeefcafe0099ull;
	slot(&tb, 1)[1] = 0x1234;
	slot(&tb, 2)[0] = SYNC;
	slot(&tb, 2)[1] = 0;
	tb.cmdq_prod = 3;
	tb_wr(&tb, SMMU_CMDQ_PROD, 3);
	assert_true(cmdq_err_active(&tb));
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_CMDQ_CONS),
				   SMMU_CMDQ_CONS_ERR),
			 SMMU_CERROR_ILL);
	bad = cons_idx(&tb);
	assert_int_equal(bad, 1);
	/* Nothing moves while the error is active. */
	tb_wr(&tb, SMMU_CMDQ_PROD, 3);
	assert_int_equal(cons_idx(&tb), 1);
	/* Acknowledging without fixing: the same command fails again. */
	tb_ack_cmdq_err(&tb);
	assert_true(cmdq_err_active(&tb));
	assert_int_equal(cons_idx(&tb), 1);
	/* Fix it (as Linux does, with a CMD_SYNC) and acknowledge. */
	slot(&tb, 1)[0] = SYNC;
	slot(&tb, 1)[1] = 0;
	tb_ack_cmdq_err(&tb);
	assert_false(cmdq_err_active(&tb));
	assert_int_equal(cons_idx(&tb), 3);
	/* CONS is read-only while the queue runs. */
	tb_wr(&tb, SMMU_CMDQ_CONS, 0);
	assert_int_equal(cons_idx(&tb), 3);
	tb_fini(&tb);
}

static void test_ill_cases(void **state)
{
	struct tb tb;

	tb_init(&tb, NULL);
	expect_cmd(&tb, 0, 0, SMMU_CERROR_ILL); /* opcode 0: reserved */
	expect_cmd(&tb, OP(0x08), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(0x90), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(0xff), 0, SMMU_CERROR_ILL);
	/* SSec on the Non-secure queue. */
	expect_cmd(&tb, OP(SMMU_CMD_CFGI_STE) | smmu_dprep(SMMU_CMD_SSEC, 1), 0,
		   SMMU_CERROR_ILL);
	/* EL2 and EL3 (no IDR0.HYP, no Secure side), MPAM. */
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_EL2_ALL), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_EL2_VA), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_EL3_ALL), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_CFGI_VMS_PIDM), 0, SMMU_CERROR_ILL);
	/* Reserved range encodings. */
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NH_VA),
		   smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K),
		   SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_S2_IPA),
		   smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_16K) |
			   smmu_dprep(SMMU_CMD_TLBI_TTL, 1),
		   SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NH_VA),
		   smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K) |
			   smmu_dprep(SMMU_CMD_TLBI_TTL, 3),
		   0);
	/* CMD_SYNC CS == 0b11, PRI_RESP Resp == 0b11. */
	expect_cmd(&tb, SYNC | smmu_dprep(SMMU_CMD_SYNC_CS, 3), 0,
		   SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_PRI_RESP_OP),
		   smmu_dprep(SMMU_CMD_PRI_RESP, 3), SMMU_CERROR_ILL);
	/* The valid neighbours of all of those. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_PREFETCH_CONFIG) | smmu_dprep(SMMU_CMD_SID, 3),
		   0, 0);
	expect_cmd(&tb, OP(SMMU_CMD_PREFETCH_ADDR_OP), VA, 0);
	expect_cmd(&tb, OP(SMMU_CMD_CFGI_STE_RANGE),
		   smmu_dprep(SMMU_CMD_CFGI_RANGE, SMMU_CFGI_RANGE_ALL), 0);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_S12_VMALL), 0, 0);
	expect_cmd(&tb, OP(SMMU_CMD_RESUME), 0, 0);
	expect_cmd(&tb, OP(SMMU_CMD_STALL_TERM), 0, 0);
	/* Out-of-range StreamIDs have no effect, not an error. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_CFGI_STE) |
			   smmu_dprep(SMMU_CMD_SID, 0xffffffffu),
		   0, 0);
	tb_fini(&tb);
}

static void s2_only(struct smmuv3_config *cfg)
{
	cfg->stage1 = false;
}

static void s1_only(struct smmuv3_config *cfg)
{
	cfg->stage2 = false;
}

static void test_ill_missing_stage(void **state)
{
	struct tb tb;

	tb_init(&tb, s2_only);
	assert_false(smmu_fget(tb_rd(&tb, SMMU_IDR0), SMMU_IDR0_S1P));
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NH_ALL), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NH_VA), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_CFGI_CD), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_CFGI_CD_ALL), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_S2_IPA), 0, 0);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NSNH_ALL), 0, 0);
	tb_fini(&tb);
	tb_init(&tb, s1_only);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_S2_IPA), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_S12_VMALL), 0, SMMU_CERROR_ILL);
	expect_cmd(&tb, OP(SMMU_CMD_TLBI_NH_ALL), 0, 0);
	tb_fini(&tb);
}

static void test_cerror_abt(void **state)
{
	struct tb tb;

	tb_init(&tb, NULL);
	/* A queue base memory refuses. */
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) & ~(uint32_t)smmu_fmask(SMMU_CR0_CMDQEN));
	tb_wr64(&tb, SMMU_CMDQ_BASE, 0x20000ull | TB_CMDQ_LOG2);
	tb_wr(&tb, SMMU_CMDQ_PROD, 0);
	tb_wr(&tb, SMMU_CMDQ_CONS, 0);
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) | (uint32_t)smmu_fmask(SMMU_CR0_CMDQEN));
	tb_wr(&tb, SMMU_CMDQ_PROD, 1);
	assert_true(cmdq_err_active(&tb));
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_CMDQ_CONS),
				   SMMU_CMDQ_CONS_ERR),
			 SMMU_CERROR_ABT);
	assert_int_equal(cons_idx(&tb), 0);
	tb_fini(&tb);
}

static void test_disabled_queue(void **state)
{
	struct tb tb;

	tb_init(&tb, NULL);
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) & ~(uint32_t)smmu_fmask(SMMU_CR0_CMDQEN));
	slot(&tb, 0)[0] = SYNC;
	slot(&tb, 1)[0] = SYNC;
	tb.cmdq_prod = 2;
	tb_wr(&tb, SMMU_CMDQ_PROD, 2);
	assert_int_equal(cons_idx(&tb), 0);
	/* Enabling the queue consumes what is pending. */
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) | (uint32_t)smmu_fmask(SMMU_CR0_CMDQEN));
	assert_int_equal(cons_idx(&tb), 2);
	tb_fini(&tb);
}

static void test_wrap(void **state)
{
	struct smmuv3_stats before, after;
	unsigned int i, n = 3u << TB_CMDQ_LOG2;
	struct tb tb;

	tb_init(&tb, NULL);
	smmuv3_get_stats(tb.smmu, &before);
	for (i = 0; i < n; i++)
		assert_int_equal(tb_sync(&tb), 0);
	smmuv3_get_stats(tb.smmu, &after);
	assert_int_equal(after.commands - before.commands, n);
	/* Index and wrap bit: 3 laps leaves the wrap bit set. */
	assert_int_equal(cons_idx(&tb), 1u << TB_CMDQ_LOG2);
	assert_int_equal(cons_idx(&tb), tb.cmdq_prod);
	/* A full queue written in one go (index equal, wrap differs). */
	for (i = 0; i < (1u << TB_CMDQ_LOG2); i++) {
		slot(&tb, tb.cmdq_prod + i)[0] = SYNC;
		slot(&tb, tb.cmdq_prod + i)[1] = 0;
	}
	tb.cmdq_prod = (tb.cmdq_prod + (1u << TB_CMDQ_LOG2)) &
		       ((2u << TB_CMDQ_LOG2) - 1);
	smmuv3_get_stats(tb.smmu, &before);
	tb_wr(&tb, SMMU_CMDQ_PROD, tb.cmdq_prod);
	smmuv3_get_stats(tb.smmu, &after);
	assert_int_equal(after.commands - before.commands, 1u << TB_CMDQ_LOG2);
	assert_int_equal(cons_idx(&tb), tb.cmdq_prod);
	tb_fini(&tb);
}

static void test_sync_signals(void **state)
{
	uint64_t msi;
	struct tb tb;

	tb_init(&tb, NULL);
	msi = tb_alloc(&tb, 64, 64);
	/* CS = SIG_IRQ with an MSI address: MSIData written there. */
	expect_cmd(&tb,
		   SYNC | smmu_dprep(SMMU_CMD_SYNC_CS, SMMU_SYNC_SIG_IRQ) |
			   smmu_dprep(SMMU_CMD_SYNC_MSIDATA, 0xabcd1234u),
		   smmu_dprep(SMMU_CMD_SYNC_MSIADDR, (msi + 8) >> 2), 0);
	assert_int_equal(*(uint32_t *)tb_ptr(msi + 8), 0xabcd1234u);
	assert_int_equal(*(uint32_t *)tb_ptr(msi), 0);
	/* Without an address: the interrupt line. */
	expect_cmd(&tb, SYNC | smmu_dprep(SMMU_CMD_SYNC_CS, SMMU_SYNC_SIG_IRQ),
		   0, 0);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_CMD_SYNC], 1);
	expect_cmd(&tb, SYNC | smmu_dprep(SMMU_CMD_SYNC_CS, SMMU_SYNC_SIG_SEV),
		   0, 0);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_SEV], 1);
	/* An MSI address memory refuses: GERROR.MSI_CMDQ_ABT_ERR. */
	expect_cmd(&tb, SYNC | smmu_dprep(SMMU_CMD_SYNC_CS, SMMU_SYNC_SIG_IRQ),
		   smmu_dprep(SMMU_CMD_SYNC_MSIADDR, 0x1000 >> 2), 0);
	assert_true(
		smmu_fget(tb_rd(&tb, SMMU_GERROR) ^ tb_rd(&tb, SMMU_GERRORN),
			  SMMU_GERROR_MSI_CMDQ_ABT_ERR));
	tb_fini(&tb);
}

/* A device behind the SMMU: records what it was told. */
struct dev {
	unsigned int atc_calls;
	uint32_t sid, ssid;
	uint64_t addr;
	unsigned int size_lg2;
	bool global;
	int atc_ret;
	unsigned int pri_calls;
	uint16_t prgi;
	unsigned int resp;
};

static int dev_atc(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
		   unsigned int size_lg2, bool global)
{
	struct dev *d = priv;

	d->atc_calls++;
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
	struct dev *d = priv;

	d->pri_calls++;
	d->sid = sid;
	d->ssid = ssid;
	d->prgi = prgi;
	d->resp = resp;
}

static const struct smmuv3_dev_ops dev_ops = {
	.atc_inval = dev_atc,
	.pri_resp = dev_pri,
};

static void test_atc_inv(void **state)
{
	struct dev d = { 0 };
	struct tb tb;

	tb_init(&tb, NULL);
	assert_int_equal(smmuv3_dev_register(tb.smmu, 7, &dev_ops, &d), 0);
	assert_int_equal(smmuv3_dev_register(tb.smmu, 7, &dev_ops, &d),
			 -EEXIST);
	assert_int_equal(smmuv3_dev_register(tb.smmu, 1u << 16, &dev_ops, &d),
			 -ERANGE);
	/* 2^2 pages from an address inside them: aligned down. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 7) |
			   smmu_dprep(SMMU_CMD_SSV, 1) |
			   smmu_dprep(SMMU_CMD_SSID, 0x55),
		   smmu_dprep(SMMU_CMD_ATC_SIZE, 2) |
			   smmu_dprep(SMMU_CMD_ATC_ADDR, 0x12345),
		   0);
	assert_int_equal(d.atc_calls, 1);
	assert_int_equal(d.sid, 7);
	assert_int_equal(d.ssid, 0x55);
	assert_true(d.addr == 0x12344000ull);
	assert_int_equal(d.size_lg2, 14);
	assert_false(d.global);
	/* Whole ATC, no PASID. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 7) |
			   smmu_dprep(SMMU_CMD_ATC_GLOBAL, 1),
		   smmu_dprep(SMMU_CMD_ATC_SIZE, SMMU_ATC_INV_SIZE_ALL), 0);
	assert_int_equal(d.ssid, SMMUV3_NO_SSID);
	assert_int_equal(d.size_lg2, 64);
	assert_true(d.global);
	/* Another SID: nobody to tell. */
	expect_cmd(&tb, OP(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 8), 0,
		   0);
	assert_int_equal(d.atc_calls, 2);
	/* An invalidation that did not complete fails the next CMD_SYNC. */
	d.atc_ret = -ETIMEDOUT;
	expect_cmd(&tb, OP(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 7), 0,
		   0);
	expect_cmd(&tb, SYNC, 0, SMMU_CERROR_ATC_INV_SYNC);
	expect_cmd(&tb, SYNC, 0, 0);
	/* PRI response. */
	expect_cmd(&tb, OP(SMMU_CMD_PRI_RESP_OP) | smmu_dprep(SMMU_CMD_SID, 7),
		   smmu_dprep(SMMU_CMD_PRI_PRGI, 0x1a5) |
			   smmu_dprep(SMMU_CMD_PRI_RESP, SMMU_PRI_RESP_FAIL),
		   0);
	assert_int_equal(d.pri_calls, 1);
	assert_int_equal(d.prgi, 0x1a5);
	assert_int_equal(d.resp, SMMU_PRI_RESP_FAIL);
	assert_int_equal(d.ssid, SMMUV3_NO_SSID);
	assert_int_equal(smmuv3_dev_unregister(tb.smmu, 7), 0);
	assert_int_equal(smmuv3_dev_unregister(tb.smmu, 7), -ENOENT);
	expect_cmd(&tb, OP(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 7), 0,
		   0);
	assert_int_equal(d.atc_calls, 3);
	tb_fini(&tb);
}

/*
 * Another queue feeding the same decoder, like a virtual command queue:
 * the hook puts its own VMID into every TLBI and refuses CFGI_STE.
 */
static unsigned int vq_prepare(void *priv, uint64_t cmd[2])
{
	unsigned int op = smmu_dget(cmd, SMMU_CMD_OP);

	if (op == SMMU_CMD_CFGI_STE)
		return SMMU_CERROR_ILL;
	if (op >= SMMU_CMD_TLBI_NH_ALL && op <= SMMU_CMD_TLBI_NH_VAA)
		smmu_dset(cmd, SMMU_CMD_TLBI_VMID, *(uint16_t *)priv);
	return SMMU_CERROR_NONE;
}

/*
 * StreamID 1, ASID 1, VMID @vmid: VA mapped read-only to *pa and cached,
 * then moved to *alt behind the SMMU's back; returns the leaf.
 */
static uint64_t *cached_then_moved(struct tb *tb, uint16_t vmid, uint64_t *pa,
				   uint64_t *alt)
{
	struct pt_table *t = tb_pt(tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	struct smmuv3_xlate x;
	uint64_t *cd, *leaf;

	*pa = tb_alloc(tb, 4096, 4096);
	*alt = tb_alloc(tb, 4096, 4096);
	tb_map(t, VA, *pa, 4096, PT_PROT_READ);
	cd = tb_ptr(tb_alloc(tb, 64, 64));
	tb_cd(cd, 1, t);
	tb_ste_s1(tb_ste(tb, 1), tb_pa(cd), 0, 0, 0);
	smmu_dset(tb_ste(tb, 1), SMMU_STE_S2VMID, vmid);
	assert_int_equal(smmuv3_translate(tb->smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	leaf = tb_leaf(t, VA, false, tb);
	*leaf = (*leaf & ~0xfffffffff000ull) | *alt;
	return leaf;
}

static void test_consume_api(void **state)
{
	uint16_t vmid = 5;
	struct smmuv3_cmdq_ops ops = { .prepare = vq_prepare, .priv = &vmid };
	uint64_t q, pa, alt;
	struct smmuv3_xlate x;
	uint32_t cons = 0;
	struct tb tb;

	tb_init(&tb, NULL);
	cached_then_moved(&tb, 5, &pa, &alt);

	/* A 4-entry queue: TLBI_NH_ALL naming VMID 0, then a CFGI_STE. */
	q = tb_alloc(&tb, 64, 64);
	((uint64_t *)tb_ptr(q))[0] = OP(SMMU_CMD_TLBI_NH_ALL);
	((uint64_t *)tb_ptr(q))[2] = SYNC;
	((uint64_t *)tb_ptr(q))[4] = OP(SMMU_CMD_CFGI_STE);
	assert_int_equal(smmuv3_cmdq_consume(tb.smmu, &ops, q, 2, 3, &cons),
			 SMMU_CERROR_ILL);
	assert_int_equal(cons, 2);
	/* The hook's VMID was used: the stale entry is gone. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == alt);
	/* Consuming past the end of memory: CERROR_ABT, CONS unmoved. */
	cons = 0;
	assert_int_equal(smmuv3_cmdq_consume(tb.smmu, &ops, 0x3000, 2, 1,
					     &cons),
			 SMMU_CERROR_ABT);
	assert_int_equal(cons, 0);
	/* The single-command entry point. */
	{
		uint64_t cmd[2] = { OP(0x7f), 0 };

		assert_int_equal(smmuv3_cmd_execute(tb.smmu, NULL, cmd),
				 SMMU_CERROR_ILL);
		cmd[0] = SYNC;
		assert_int_equal(smmuv3_cmd_execute(tb.smmu, NULL, cmd), 0);
	}
	tb_fini(&tb);
}

static uint64_t fills(struct tb *tb)
{
	struct smmuv3_stats st;

	smmuv3_get_stats(tb->smmu, &st);
	return st.tlb_fills;
}

static uint64_t commands(struct tb *tb)
{
	struct smmuv3_stats st;

	smmuv3_get_stats(tb->smmu, &st);
	return st.commands;
}

/*
 * A run of commands: each TLBI takes effect when it executes (the next
 * walk sees the new table), the run counts its commands once at its end,
 * and an ended run leaves the IOTLB caching again.
 */
static void test_cmd_run(void **state)
{
	struct smmuv3_cmd_run run;
	uint64_t pa, alt, *leaf, f0, c0;
	uint64_t tlbi[2] = {
		OP(SMMU_CMD_TLBI_NH_ASID) | smmu_dprep(SMMU_CMD_TLBI_ASID, 1), 0
	};
	uint64_t sync[2] = { SYNC, 0 };
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init(&tb, NULL);
	leaf = cached_then_moved(&tb, 0, &pa, &alt);
	f0 = fills(&tb);
	c0 = commands(&tb);

	smmuv3_cmd_run_begin(&run, tb.smmu, NULL);
	assert_int_equal(smmuv3_cmd_run_execute(&run, tlbi), 0);
	/* In effect at once: the next translation walks the new table. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == alt);
	assert_int_equal(fills(&tb), f0 + 1);
	*leaf = (*leaf & ~0xfffffffff000ull) | pa;
	assert_int_equal(smmuv3_cmd_run_execute(&run, tlbi), 0);
	assert_int_equal(smmuv3_cmd_run_execute(&run, sync), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == pa);
	assert_int_equal(fills(&tb), f0 + 2);
	/* Counted once, at the end. */
	assert_int_equal(commands(&tb), c0);
	smmuv3_cmd_run_end(&run);
	assert_int_equal(commands(&tb), c0 + 3);
	/* A run ending on a TLBI: once ended, translations are cached. */
	smmuv3_cmd_run_begin(&run, tb.smmu, NULL);
	assert_int_equal(smmuv3_cmd_run_execute(&run, tlbi), 0);
	smmuv3_cmd_run_end(&run);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_false(x.tlb_hit);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.tlb_hit);
	assert_int_equal(fills(&tb), f0 + 3);
	assert_int_equal(commands(&tb), c0 + 4);
	tb_fini(&tb);
}

struct stall_dev {
	unsigned int calls;
	uint32_t sid;
	uint16_t stag;
	unsigned int action;
};

static void dev_resume(void *priv, uint32_t sid, uint16_t stag,
		       unsigned int action)
{
	struct stall_dev *d = priv;

	d->calls++;
	d->sid = sid;
	d->stag = stag;
	d->action = action;
}

static const struct smmuv3_dev_ops stall_ops = { .resume = dev_resume };

static void with_stall(struct smmuv3_config *cfg)
{
	cfg->stall = true;
	cfg->stall_max = 2;
}

static void test_stall(void **state)
{
	struct stall_dev d = { 0 };
	struct smmuv3_xlate x;
	struct pt_table *t;
	uint64_t *cd, evt[4];
	uint16_t stag;
	struct tb tb;

	tb_init(&tb, with_stall);
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_IDR0),
				   SMMU_IDR0_STALL_MODEL),
			 SMMU_STALL_MODEL_BOTH);
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_IDR5), SMMU_IDR5_STALL_MAX),
			 2);
	assert_int_equal(smmuv3_dev_register(tb.smmu, 1, &stall_ops, &d), 0);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 1, t);
	smmu_dset(cd, SMMU_CD_S, 1);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	/* A stage-1 fault with CD.S: held, recorded with Stall and STAG. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.status, SMMUV3_STALLED);
	assert_int_equal(x.event, SMMU_EVT_F_TRANSLATION);
	stag = x.stag;
	assert_true(tb_event(&tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_STALL), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_STAG), stag);
	/* A wrong tag resumes nothing; the right one retries it, once. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_RESUME) | smmu_dprep(SMMU_CMD_SID, 1) |
			   smmu_dprep(SMMU_CMD_RESUME_ACTION,
				      SMMU_RESUME_RETRY),
		   smmu_dprep(SMMU_CMD_RESUME_STAG, stag + 1), 0);
	assert_int_equal(d.calls, 0);
	expect_cmd(&tb,
		   OP(SMMU_CMD_RESUME) | smmu_dprep(SMMU_CMD_SID, 1) |
			   smmu_dprep(SMMU_CMD_RESUME_ACTION,
				      SMMU_RESUME_RETRY),
		   smmu_dprep(SMMU_CMD_RESUME_STAG, stag), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.stag, stag);
	assert_int_equal(d.action, SMMU_RESUME_RETRY);
	expect_cmd(&tb, OP(SMMU_CMD_RESUME) | smmu_dprep(SMMU_CMD_SID, 1),
		   smmu_dprep(SMMU_CMD_RESUME_STAG, stag), 0);
	assert_int_equal(d.calls, 1);
	/* Action 0b11 is reserved. */
	expect_cmd(&tb,
		   OP(SMMU_CMD_RESUME) | smmu_dprep(SMMU_CMD_SID, 1) |
			   smmu_dprep(SMMU_CMD_RESUME_ACTION, 3),
		   0, SMMU_CERROR_ILL);
	/* STALL_MAX held; the third terminates instead (plain abort). */
	smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, &x);
	assert_int_equal(x.status, SMMUV3_STALLED);
	smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, &x);
	assert_int_equal(x.status, SMMUV3_STALLED);
	smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, &x);
	assert_int_equal(x.status, SMMUV3_ABORT);
	assert_true(tb_event(&tb, evt));
	assert_true(tb_event(&tb, evt));
	assert_true(tb_event(&tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_STALL), 0);
	/* STALL_TERM ends every stalled transaction of the stream. */
	expect_cmd(&tb, OP(SMMU_CMD_STALL_TERM) | smmu_dprep(SMMU_CMD_SID, 1),
		   0, 0);
	assert_int_equal(d.calls, 3);
	assert_int_equal(d.action, SMMU_RESUME_TERM);
	/* S1STALLD forbids CD.S. */
	smmu_dset(tb_ste(&tb, 1), SMMU_STE_S1STALLD, 1);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA, SMMUV3_READ, &x);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_CD);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ill_stops_queue),
		cmocka_unit_test(test_ill_cases),
		cmocka_unit_test(test_ill_missing_stage),
		cmocka_unit_test(test_cerror_abt),
		cmocka_unit_test(test_disabled_queue),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_sync_signals),
		cmocka_unit_test(test_atc_inv),
		cmocka_unit_test(test_consume_api),
		cmocka_unit_test(test_cmd_run),
		cmocka_unit_test(test_stall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
