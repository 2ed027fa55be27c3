// SPDX-License-Identifier: BSD-3-Clause
/*
 * SMMUv3 register file and output queues: identification registers, the
 * rules of control and base registers, 64-bit registers through 32-bit
 * halves, the event queue's overflow and abort behaviour and interrupts,
 * the PRI queue, and ATS Translation Requests.
 */
#include <string.h>

#include "base/err.h"
#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)

static void small(struct smmuv3_config *cfg)
{
	cfg->sid_bits = 8;
	cfg->ssid_bits = 0;
	cfg->httu = SMMU_HTTU_A;
	cfg->gran_16k = false;
	cfg->ats = false;
	cfg->pri = false;
	cfg->oas_bits = 44;
	cfg->cmdq_max_lg2 = 7;
}

static void test_idr(void **state)
{
	uint32_t idr0, idr1, idr5;
	struct tb tb;

	tb_init_raw(&tb, NULL);
	idr0 = tb_rd(&tb, SMMU_IDR0);
	idr1 = tb_rd(&tb, SMMU_IDR1);
	idr5 = tb_rd(&tb, SMMU_IDR5);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_S1P), 1);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_S2P), 1);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_TTF), SMMU_TTF_AARCH64);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_HTTU), SMMU_HTTU_AD);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_ATS), 1);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_PRI), 1);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_CD2L), 1);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_ST_LEVEL),
			 SMMU_ST_LEVEL_2LVL);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_STALL_MODEL),
			 SMMU_STALL_MODEL_NOSTALL);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_HYP), 0);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_SIDSIZE), 16);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_SSIDSIZE), 20);
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_IDR3), SMMU_IDR3_RIL), 1);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_OAS), SMMU_PS_48);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_GRAN4K), 1);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_GRAN16K), 1);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_GRAN64K), 1);
	/* Identification registers ignore writes. */
	tb_wr(&tb, SMMU_IDR0, 0);
	assert_int_equal(tb_rd(&tb, SMMU_IDR0), idr0);
	tb_fini(&tb);

	tb_init_raw(&tb, small);
	idr0 = tb_rd(&tb, SMMU_IDR0);
	idr1 = tb_rd(&tb, SMMU_IDR1);
	idr5 = tb_rd(&tb, SMMU_IDR5);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_HTTU), SMMU_HTTU_A);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_ATS), 0);
	assert_int_equal(smmu_fget(idr0, SMMU_IDR0_PRI), 0);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_SIDSIZE), 8);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_SSIDSIZE), 0);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_CMDQS), 7);
	assert_int_equal(smmu_fget(idr1, SMMU_IDR1_PRIQS), 0);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_OAS), SMMU_PS_44);
	assert_int_equal(smmu_fget(idr5, SMMU_IDR5_GRAN16K), 0);
	/* Without PRI or ATS the enables cannot be set. */
	tb_wr(&tb, SMMU_CR0, 0xff);
	assert_int_equal(tb_rd(&tb, SMMU_CR0),
			 (uint32_t)(smmu_fmask(SMMU_CR0_SMMUEN) |
				    smmu_fmask(SMMU_CR0_EVENTQEN) |
				    smmu_fmask(SMMU_CR0_CMDQEN)));
	tb_fini(&tb);
}

static void test_create_errors(void **state)
{
	struct smmuv3_config cfg;
	struct smmuv3 *s;

	smmuv3_config_default(&cfg);
	s = smmuv3_create(&cfg); /* no memory ops */
	assert_true((uintptr_t)s >= (uintptr_t)-4095);
	cfg.mem = &pt_flat_mem_ops;
	cfg.oas_bits = 50;
	s = smmuv3_create(&cfg);
	assert_true((uintptr_t)s >= (uintptr_t)-4095);
	cfg.oas_bits = 48;
	cfg.stage1 = cfg.stage2 = false;
	s = smmuv3_create(&cfg);
	assert_true((uintptr_t)s >= (uintptr_t)-4095);
	/* An IOTLB set's signatures fill one word: at most 8 ways. */
	cfg.stage1 = cfg.stage2 = true;
	cfg.tlb_ways = 9;
	s = smmuv3_create(&cfg);
	assert_ptr_equal(s, ERR_PTR(-EINVAL));
	cfg.tlb_ways = 8;
	s = smmuv3_create(&cfg);
	assert_false(IS_ERR(s));
	smmuv3_destroy(s);
}

static void test_control_registers(void **state)
{
	uint64_t v;
	struct tb tb;

	tb_init_raw(&tb, NULL);
	/* CR0ACK follows CR0; reserved bits stay zero. */
	tb_wr(&tb, SMMU_CR0, 0xffffffffu);
	assert_int_equal(tb_rd(&tb, SMMU_CR0), 0x1f);
	assert_int_equal(tb_rd(&tb, SMMU_CR0ACK), 0x1f);
	tb_wr(&tb, SMMU_CR0, 0);
	assert_int_equal(tb_rd(&tb, SMMU_CR0ACK), 0);
	tb_wr(&tb, SMMU_IRQ_CTRL, 0xff);
	assert_int_equal(tb_rd(&tb, SMMU_IRQ_CTRLACK), 7);
	/* A 64-bit register through its two 32-bit halves. */
	tb_wr(&tb, SMMU_STRTAB_BASE, 0x12345640);
	tb_wr(&tb, SMMU_STRTAB_BASE + 4, 0x789);
	v = tb_rd64(&tb, SMMU_STRTAB_BASE);
	assert_true(v == 0x78912345640ull);
	assert_int_equal(tb_rd(&tb, SMMU_STRTAB_BASE + 4), 0x789);
	/* Address bits above 51 are RES0 and not kept. */
	tb_wr64(&tb, SMMU_CMDQ_BASE, ~0ull);
	assert_true(tb_rd64(&tb, SMMU_CMDQ_BASE) ==
		    ((1ull << 62) | ((1ull << 52) - 1)));
	/* Page-1 registers, and their page-0 alias. */
	tb_wr(&tb, SMMU_EVENTQ_PROD, 5);
	assert_int_equal(tb_rd(&tb, SMMU_EVENTQ_PROD), 5);
	assert_int_equal(tb_rd(&tb, SMMU_EVENTQ_PROD & 0xffff), 5);
	/* Bad sizes and alignments are refused and read as zero. */
	assert_int_equal(smmuv3_mmio_write(tb.smmu, SMMU_CR0, 2, 1), -EINVAL);
	assert_int_equal(smmuv3_mmio_write(tb.smmu, SMMU_CR0 + 1, 4, 1),
			 -EINVAL);
	assert_int_equal(smmuv3_mmio_write(tb.smmu, SMMU_CR0, 8, 1), 0);
	assert_int_equal(smmuv3_mmio_write(tb.smmu, SMMU_MMIO_SIZE, 4, 1),
			 -EINVAL);
	assert_true(smmuv3_mmio_read(tb.smmu, SMMU_IDR0 + 2, 4) == 0);
	assert_true(smmuv3_mmio_read(tb.smmu, SMMU_IDR0, 1) == 0);
	/* Reserved and unimplemented offsets: RAZ/WI. */
	tb_wr(&tb, 0x200, 0x1234);
	assert_int_equal(tb_rd(&tb, 0x200), 0);
	assert_int_equal(tb_rd(&tb, 0x10200), 0);
	tb_fini(&tb);
}

/* A stream whose every access faults: one event per translation. */
static void fault_once(struct tb *tb)
{
	struct smmuv3_xlate x;

	smmuv3_translate(tb->smmu, 200, SMMUV3_NO_SSID, 0, SMMUV3_READ, &x);
	assert_int_equal(x.event, SMMU_EVT_C_BAD_STE);
}

static void test_evtq_overflow(void **state)
{
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	struct smmuv3_stats st;
	unsigned int i, n = 1u << TB_EVTQ_LOG2;
	uint64_t evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	for (i = 0; i < n + 5; i++)
		fault_once(&tb);
	/* Full: 2^n entries, then losses flagged once in PROD.OVFLG. */
	assert_int_equal(tb_event_count(&tb), n);
	assert_int_equal((tb_rd(&tb, SMMU_EVENTQ_PROD) ^
			  tb_rd(&tb, SMMU_EVENTQ_CONS)) &
				 ((2u << TB_EVTQ_LOG2) - 1),
			 1u << TB_EVTQ_LOG2);
	assert_true((tb_rd(&tb, SMMU_EVENTQ_PROD) & ovf) !=
		    (tb_rd(&tb, SMMU_EVENTQ_CONS) & ovf));
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.events_lost, 5);
	/* Consume one (acknowledging): recording resumes. */
	assert_true(tb_event(&tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID), SMMU_EVT_C_BAD_STE);
	assert_true((tb_rd(&tb, SMMU_EVENTQ_PROD) & ovf) ==
		    (tb_rd(&tb, SMMU_EVENTQ_CONS) & ovf));
	fault_once(&tb);
	for (i = 0; i < n; i++)
		assert_true(tb_event(&tb, evt));
	assert_false(tb_event(&tb, evt));
	tb_fini(&tb);
}

static void test_evtq_abort_and_disable(void **state)
{
	uint32_t abt = (uint32_t)smmu_fmask(SMMU_GERROR_EVTQ_ABT_ERR);
	struct smmuv3_stats st;
	struct tb tb;

	tb_init(&tb, NULL);
	/* EVENTQEN == 0: events are dropped, no overflow. */
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~4u);
	fault_once(&tb);
	smmuv3_get_stats(tb.smmu, &st);
	assert_int_equal(st.events_lost, 1);
	assert_int_equal(tb_rd(&tb, SMMU_EVENTQ_PROD), 0);
	/* An event queue memory refuses: EVTQ_ABT_ERR, delivery stops. */
	tb_wr64(&tb, SMMU_EVENTQ_BASE, 0x30000ull | TB_EVTQ_LOG2);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) | 4u);
	fault_once(&tb);
	assert_true((tb_rd(&tb, SMMU_GERROR) ^ tb_rd(&tb, SMMU_GERRORN)) & abt);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~4u);
	tb_wr64(&tb, SMMU_EVENTQ_BASE, tb.evtq | TB_EVTQ_LOG2);
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) | 4u);
	fault_once(&tb);
	assert_int_equal(tb_event_count(&tb), 0);
	/* Acknowledged: events flow again. */
	tb_wr(&tb, SMMU_GERRORN, tb_rd(&tb, SMMU_GERROR));
	fault_once(&tb);
	assert_int_equal(tb_event_count(&tb), 1);
	tb_fini(&tb);
}

static void test_irqs(void **state)
{
	uint64_t msi;
	struct tb tb;

	tb_init(&tb, NULL);
	fault_once(&tb);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_EVTQ], 0);
	tb_wr(&tb, SMMU_IRQ_CTRL,
	      (uint32_t)(smmu_fmask(SMMU_IRQ_CTRL_EVENTQ_IRQEN) |
			 smmu_fmask(SMMU_IRQ_CTRL_GERROR_IRQEN)));
	fault_once(&tb);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_EVTQ], 1);
	/* With an MSI address the interrupt is a memory write instead. */
	msi = tb_alloc(&tb, 64, 64);
	tb_wr64(&tb, SMMU_EVENTQ_IRQ_CFG0, msi + 4);
	tb_wr(&tb, SMMU_EVENTQ_IRQ_CFG1, 0x5eed);
	fault_once(&tb);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_EVTQ], 1);
	assert_int_equal(*(uint32_t *)tb_ptr(msi + 4), 0x5eed);
	/* A global error raises the GERROR interrupt. */
	assert_int_equal(tb_cmd(&tb, 0, 0), SMMU_CERROR_ILL);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_GERROR], 1);
	tb_fini(&tb);
}

struct pri_dev {
	unsigned int calls;
	uint16_t prgi;
	unsigned int resp;
};

static void pri_resp(void *priv, uint32_t sid, uint32_t ssid, uint16_t prgi,
		     unsigned int resp)
{
	struct pri_dev *d = priv;

	d->calls++;
	d->prgi = prgi;
	d->resp = resp;
}

static const struct smmuv3_dev_ops pri_ops = { .pri_resp = pri_resp };

static void test_priq(void **state)
{
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	struct pri_dev d = { 0 };
	uint64_t q, *rec;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	assert_int_equal(smmuv3_dev_register(tb.smmu, 3, &pri_ops, &d), 0);
	assert_int_equal(smmuv3_pri_request(tb.smmu, 3, 9, VA, SMMUV3_READ, 1,
					    true),
			 -EAGAIN);
	q = tb_alloc(&tb, 16 * 4, 64);
	tb_wr64(&tb, SMMU_PRIQ_BASE, q | 2);
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) | (uint32_t)smmu_fmask(SMMU_CR0_PRIQEN));
	tb_wr(&tb, SMMU_IRQ_CTRL,
	      (uint32_t)smmu_fmask(SMMU_IRQ_CTRL_PRIQ_IRQEN));
	assert_int_equal(smmuv3_pri_request(tb.smmu, 3, 9, VA + 0x1234,
					    SMMUV3_READ | SMMUV3_WRITE, 0x1a5,
					    true),
			 0);
	assert_int_equal(tb.irqs[SMMUV3_IRQ_PRIQ], 1);
	rec = tb_ptr(q);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_SID), 3);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_SSV), 1);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_SSID), 9);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_READ), 1);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_WRITE), 1);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_EXEC), 0);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_LAST), 1);
	assert_int_equal(smmu_dget(rec, SMMU_PRI_PRGI), 0x1a5);
	assert_true((smmu_dget(rec, SMMU_PRI_ADDR) << 12) == VA + 0x1000);
	assert_int_equal(tb_rd(&tb, SMMU_PRIQ_PROD), 1);
	/* Fill the 4 entries; the next overflows and is auto-answered. */
	for (i = 0; i < 3; i++)
		assert_int_equal(smmuv3_pri_request(tb.smmu, 3, SMMUV3_NO_SSID,
						    VA, SMMUV3_READ, i, false),
				 0);
	assert_int_equal(smmuv3_pri_request(tb.smmu, 3, SMMUV3_NO_SSID, VA,
					    SMMUV3_READ, 0x77, true),
			 -ENOSPC);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.prgi, 0x77);
	assert_int_equal(d.resp, SMMU_PRI_RESP_SUCC);
	assert_true(tb_rd(&tb, SMMU_PRIQ_PROD) & ovf);
	/* Overflow stops the queue until acknowledged, even with room. */
	tb_wr(&tb, SMMU_PRIQ_CONS, 4);
	assert_int_equal(smmuv3_pri_request(tb.smmu, 3, SMMUV3_NO_SSID, VA,
					    SMMUV3_READ, 1, false),
			 -ENOSPC);
	assert_int_equal(d.calls, 1); /* not last: silently dropped */
	tb_wr(&tb, SMMU_PRIQ_CONS, 4 | ovf);
	assert_int_equal(smmuv3_pri_request(tb.smmu, 3, SMMUV3_NO_SSID, VA,
					    SMMUV3_READ, 1, false),
			 0);
	tb_fini(&tb);
}

static void test_ats(void **state)
{
	struct smmuv3_ats a;
	struct pt_table *t;
	uint64_t *cd, pa, ro, *leaf, evt[4];
	struct tb tb;

	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	pa = tb_alloc(&tb, 2ull << 20, 2ull << 20);
	ro = tb_alloc(&tb, 4096, 4096);
	tb_map(t, VA, pa, 2ull << 20, RW);
	tb_map(t, VA + (2ull << 20), ro, 4096, PT_PROT_READ);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 1, t);
	smmu_dset(cd, SMMU_CD_HA, 1);
	smmu_dset(cd, SMMU_CD_HD, 1);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	/* EATS == 0: UR and F_BAD_ATS_TREQ. */
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + 0x1234, SMMUV3_READ, &a),
			 -EFAULT);
	assert_int_equal(a.status, SMMUV3_ATS_UR);
	assert_true(tb_event(&tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID), SMMU_EVT_F_BAD_ATS_TREQ);
	assert_true(evt[2] == VA + 0x1000);

	smmu_dset(tb_ste(&tb, 1), SMMU_STE_EATS, SMMU_EATS_TRANS);
	assert_int_equal(tb_cfgi_ste(&tb, 1), 0);
	/* The whole block may be cached by the device. */
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + 0x1234,
					      SMMUV3_READ | SMMUV3_WRITE, &a),
			 0);
	assert_int_equal(a.status, SMMUV3_ATS_SUCCESS);
	assert_true(a.oa == pa + 0x1234);
	assert_int_equal(a.page_lg2, 21);
	assert_true((a.perm & (SMMUV3_READ | SMMUV3_WRITE)) ==
		    (SMMUV3_READ | SMMUV3_WRITE));
	/* Read-only page: R = 1, W = 0, still a success. */
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + (2ull << 20),
					      SMMUV3_READ | SMMUV3_WRITE, &a),
			 0);
	assert_int_equal(a.perm & (SMMUV3_READ | SMMUV3_WRITE), SMMUV3_READ);
	/* A write-clean page is made dirty when write is granted. */
	leaf = tb_leaf(t, VA + (2ull << 20), false, &tb);
	*leaf |= 1ull << 51; /* DBM: writable-clean */
	assert_int_equal(tb_tlbi_all(&tb), 0);
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + (2ull << 20), SMMUV3_READ,
					      &a),
			 0);
	assert_int_equal(a.perm & SMMUV3_WRITE, 0);
	assert_true(*leaf & (1ull << 7));
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + (2ull << 20),
					      SMMUV3_READ | SMMUV3_WRITE, &a),
			 0);
	assert_true(a.perm & SMMUV3_WRITE);
	assert_false(*leaf & (1ull << 7));
	/* Unmapped: success with no access, and no event. */
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID,
					      VA + (4ull << 20), SMMUV3_READ,
					      &a),
			 0);
	assert_int_equal(a.perm, 0);
	assert_int_equal(tb_event_count(&tb), 0);
	/* Invalid STE: CA, no event. Abort STE: UR, no event. */
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 2, SMMUV3_NO_SSID, VA,
					      SMMUV3_READ, &a),
			 -EFAULT);
	assert_int_equal(a.status, SMMUV3_ATS_CA);
	tb_ste_abort(tb_ste(&tb, 3));
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 3, SMMUV3_NO_SSID, VA,
					      SMMUV3_READ, &a),
			 -EFAULT);
	assert_int_equal(a.status, SMMUV3_ATS_UR);
	assert_int_equal(tb_event_count(&tb), 0);
	/* Bypass STE: ATS is effectively off. */
	tb_ste_bypass(tb_ste(&tb, 4));
	smmu_dset(tb_ste(&tb, 4), SMMU_STE_EATS, SMMU_EATS_TRANS);
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 4, SMMUV3_NO_SSID, VA,
					      SMMUV3_READ, &a),
			 -EFAULT);
	assert_int_equal(a.status, SMMUV3_ATS_UR);
	tb_expect_event(&tb, SMMU_EVT_F_BAD_ATS_TREQ, 4);
	/* Translated traffic: free without ATSCHK, checked with it. */
	assert_int_equal(smmuv3_check_translated(tb.smmu, 4, SMMUV3_NO_SSID, pa,
						 SMMUV3_WRITE),
			 0);
	tb_wr(&tb, SMMU_CR0,
	      tb_rd(&tb, SMMU_CR0) | (uint32_t)smmu_fmask(SMMU_CR0_ATSCHK));
	assert_int_equal(smmuv3_check_translated(tb.smmu, 1, SMMUV3_NO_SSID, pa,
						 SMMUV3_WRITE),
			 0);
	assert_int_equal(smmuv3_check_translated(tb.smmu, 4, SMMUV3_NO_SSID,
						 pa + 0x10, SMMUV3_WRITE),
			 -EFAULT);
	assert_true(tb_event(&tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID),
			 SMMU_EVT_F_TRANSL_FORBIDDEN);
	assert_true(evt[2] == pa + 0x10);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_RNW), 0);
	/* Invalid or aborting STEs terminate it silently. */
	assert_int_equal(smmuv3_check_translated(tb.smmu, 2, SMMUV3_NO_SSID, pa,
						 SMMUV3_READ),
			 -EFAULT);
	assert_int_equal(smmuv3_check_translated(tb.smmu, 3, SMMUV3_NO_SSID, pa,
						 SMMUV3_READ),
			 -EFAULT);
	assert_int_equal(tb_event_count(&tb), 0);
	/* SMMUEN == 0: F_BAD_ATS_TREQ. */
	tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~1u);
	assert_int_equal(smmuv3_ats_translate(tb.smmu, 1, SMMUV3_NO_SSID, VA,
					      SMMUV3_READ, &a),
			 -EFAULT);
	tb_expect_event(&tb, SMMU_EVT_F_BAD_ATS_TREQ, 1);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idr),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_control_registers),
		cmocka_unit_test(test_evtq_overflow),
		cmocka_unit_test(test_evtq_abort_and_disable),
		cmocka_unit_test(test_irqs),
		cmocka_unit_test(test_priq),
		cmocka_unit_test(test_ats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
