// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d interrupts and counters: the fault event (FSTS status, FECTL.IM
 * masking, IP pending until unmasked or serviced, one event per transition
 * from no pending status), the invalidation completion event (ICS.IWC,
 * IECTL) and the statistics the model keeps.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0a10
#define DID 5
#define FAULT_SID 0x0b00 /* a bus without a root entry */

/* The callback reads registers: it runs with no model lock held. */
static struct tb *g_tb;
static unsigned int g_fault_irqs, g_inv_irqs;
static uint32_t g_fsts_seen;

static void irq_cb(void *priv, enum vtd_irq irq)
{
	(void)priv;
	if (irq == VTD_IRQ_FAULT) {
		g_fault_irqs++;
		g_fsts_seen =
			(uint32_t)vtd_mmio_read(g_tb->vtd, VTD_FSTS_REG, 4);
	} else if (irq == VTD_IRQ_INV) {
		g_inv_irqs++;
	}
}

static void use_irq_cb(struct vtd_config *cfg)
{
	cfg->irq = irq_cb;
	cfg->irq_priv = NULL;
}

static void setup(struct tb *tb, void (*mod)(struct vtd_config *cfg))
{
	tb_init(tb, mod);
	g_tb = tb;
	g_fault_irqs = g_inv_irqs = 0;
	g_fsts_seen = 0;
}

static uint32_t reg32(struct tb *tb, uint64_t off)
{
	return (uint32_t)vtd_mmio_read(tb->vtd, off, 4);
}

/* A request from a bus with no root entry: a recorded fault. */
static void fault(struct tb *tb)
{
	struct vtd_xlate x;

	assert_int_equal(vtd_translate(tb->vtd, FAULT_SID, VTD_NO_PASID, 0x1000,
				       VTD_READ, &x),
			 -EFAULT);
	assert_int_equal(x.reason, VTD_FR_SM_ROOT_P);
}

static void test_fault_event(void **state)
{
	struct tb tb;

	(void)state;
	setup(&tb, use_irq_cb);
	/* Unmasked (the bench cleared IM): delivered, IP never left set. */
	fault(&tb);
	assert_int_equal(g_fault_irqs, 1);
	assert_true(vtd_fget(g_fsts_seen, VTD_FSTS_PPF));
	assert_false(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IP));
	/* PPF still set: another fault is no new event. */
	fault(&tb);
	assert_int_equal(g_fault_irqs, 1);
	tb_clear_faults(&tb);
	fault(&tb);
	assert_int_equal(g_fault_irqs, 2);
	tb_clear_faults(&tb);

	/* Masked: IP instead, delivered when IM is cleared. */
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, vtd_fmask(VTD_FECTL_IM));
	fault(&tb);
	assert_int_equal(g_fault_irqs, 2);
	assert_true(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IP));
	assert_true(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IM));
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, 0);
	assert_int_equal(g_fault_irqs, 3);
	assert_false(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IP));
	/* Unmasking again delivers nothing more. */
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, vtd_fmask(VTD_FECTL_IM));
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, 0);
	assert_int_equal(g_fault_irqs, 3);
	tb_clear_faults(&tb);

	/* Masked, then serviced by polling: IP withdrawn, no interrupt. */
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, vtd_fmask(VTD_FECTL_IM));
	fault(&tb);
	assert_true(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IP));
	tb_clear_faults(&tb);
	assert_false(vtd_fget(reg32(&tb, VTD_FSTS_REG), VTD_FSTS_PPF));
	assert_false(vtd_fget(reg32(&tb, VTD_FECTL_REG), VTD_FECTL_IP));
	vtd_mmio_write(tb.vtd, VTD_FECTL_REG, 4, 0);
	assert_int_equal(g_fault_irqs, 3);
	tb_fini(&tb);
}

static void test_overflow_and_queue_error(void **state)
{
	uint64_t cap;
	unsigned int i, nfr;
	struct vtd_stats st;
	uint32_t fsts;
	struct tb tb;

	(void)state;
	setup(&tb, use_irq_cb);
	cap = vtd_mmio_read(tb.vtd, VTD_CAP_REG, 8);
	nfr = vtd_fget(cap, VTD_CAP_NFR) + 1;
	for (i = 0; i < nfr; i++)
		fault(&tb);
	assert_false(vtd_fget(reg32(&tb, VTD_FSTS_REG), VTD_FSTS_PFO));
	/* Every record pending: overflow, lost, and no new event. */
	fault(&tb);
	fsts = reg32(&tb, VTD_FSTS_REG);
	assert_true(vtd_fget(fsts, VTD_FSTS_PFO));
	assert_int_equal(g_fault_irqs, 1);
	vtd_get_stats(tb.vtd, &st);
	assert_int_equal(st.faults, nfr);
	assert_int_equal(st.faults_lost, 1);
	/* A queue error while faults are pending: no new event either. */
	fsts = tb_qi(&tb, 0xf, 0);
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(g_fault_irqs, 1);
	tb_fini(&tb);

	/* Alone, a queue error is an event. */
	setup(&tb, use_irq_cb);
	fsts = tb_qi(&tb, 0xf, 0);
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(g_fault_irqs, 1);
	assert_true(vtd_fget(g_fsts_seen, VTD_FSTS_IQE));
	tb_fini(&tb);
}

static void wait_if(struct tb *tb)
{
	assert_false(vtd_fget(
		tb_qi(tb, VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_IF, 1), 0),
		VTD_FSTS_IQE));
}

static void test_inv_event(void **state)
{
	struct tb tb;

	(void)state;
	setup(&tb, use_irq_cb);
	/* IECTL.IM is set at reset: the completion is pending. */
	assert_true(vtd_fget(reg32(&tb, VTD_IECTL_REG), VTD_IECTL_IM));
	wait_if(&tb);
	assert_true(vtd_fget(reg32(&tb, VTD_ICS_REG), VTD_ICS_IWC));
	assert_true(vtd_fget(reg32(&tb, VTD_IECTL_REG), VTD_IECTL_IP));
	assert_int_equal(g_inv_irqs, 0);
	/* IWC still set: no new condition. */
	wait_if(&tb);
	vtd_mmio_write(tb.vtd, VTD_IECTL_REG, 4, 0);
	assert_int_equal(g_inv_irqs, 1);
	assert_false(vtd_fget(reg32(&tb, VTD_IECTL_REG), VTD_IECTL_IP));
	wait_if(&tb);
	assert_int_equal(g_inv_irqs, 1);
	/* IWC cleared (RW1C): the next one is delivered at once. */
	vtd_mmio_write(tb.vtd, VTD_ICS_REG, 4, vtd_fmask(VTD_ICS_IWC));
	assert_false(vtd_fget(reg32(&tb, VTD_ICS_REG), VTD_ICS_IWC));
	wait_if(&tb);
	assert_int_equal(g_inv_irqs, 2);
	/* A wait without IF sets nothing. */
	vtd_mmio_write(tb.vtd, VTD_ICS_REG, 4, vtd_fmask(VTD_ICS_IWC));
	assert_true(tb_wait(&tb));
	assert_false(vtd_fget(reg32(&tb, VTD_ICS_REG), VTD_ICS_IWC));
	/* Masked then serviced: IP withdrawn, nothing on unmask. */
	vtd_mmio_write(tb.vtd, VTD_IECTL_REG, 4, vtd_fmask(VTD_IECTL_IM));
	wait_if(&tb);
	assert_true(vtd_fget(reg32(&tb, VTD_IECTL_REG), VTD_IECTL_IP));
	vtd_mmio_write(tb.vtd, VTD_ICS_REG, 4, vtd_fmask(VTD_ICS_IWC));
	assert_false(vtd_fget(reg32(&tb, VTD_IECTL_REG), VTD_IECTL_IP));
	vtd_mmio_write(tb.vtd, VTD_IECTL_REG, 4, 0);
	assert_int_equal(g_inv_irqs, 2);
	assert_int_equal(g_fault_irqs, 0);
	tb_fini(&tb);
}

static void small_caches(struct vtd_config *cfg)
{
	use_irq_cb(cfg);
	cfg->tlb_sets_lg2 = 0;
	cfg->tlb_ways = 2;
}

static void test_stats(void **state)
{
	struct vtd_stats a, b;
	struct pt_table *ss;
	struct vtd_xlate x;
	uint64_t mapped;
	unsigned int i;
	struct tb tb;

	(void)state;
	setup(&tb, small_caches);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	assert_int_equal(pt_map(ss, 0, tb_alloc(&tb, 4 * 4096), 4 * 4096,
				PT_PROT_READ, &mapped),
			 0);
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, false);
	vtd_get_stats(tb.vtd, &a);
	/* Miss: one configuration fill, one walk, one IOTLB fill. */
	assert_int_equal(
		vtd_translate(tb.vtd, SID, VTD_NO_PASID, 0, VTD_READ, &x), 0);
	vtd_get_stats(tb.vtd, &b);
	assert_int_equal(b.ctx_fills - a.ctx_fills, 1);
	assert_int_equal(b.pasid_fills - a.pasid_fills, 1);
	assert_int_equal(b.walks - a.walks, 1);
	assert_int_equal(b.tlb_fills - a.tlb_fills, 1);
	assert_int_equal(b.tlb_evictions - a.tlb_evictions, 0);
	/* Hit: nothing counted. */
	a = b;
	assert_int_equal(
		vtd_translate(tb.vtd, SID, VTD_NO_PASID, 0, VTD_READ, &x), 0);
	assert_true(x.tlb_hit);
	vtd_get_stats(tb.vtd, &b);
	assert_int_equal(memcmp(&a, &b, sizeof(a)), 0);
	/* Three more pages in a two-way, one-set IOTLB: two evictions. */
	for (i = 1; i < 4; i++)
		assert_int_equal(vtd_translate(tb.vtd, SID, VTD_NO_PASID,
					       i * 4096ull, VTD_READ, &x),
				 0);
	vtd_get_stats(tb.vtd, &b);
	assert_int_equal(b.walks - a.walks, 3);
	assert_int_equal(b.tlb_fills - a.tlb_fills, 3);
	assert_int_equal(b.tlb_evictions - a.tlb_evictions, 2);
	assert_int_equal(b.ctx_fills, a.ctx_fills);
	/* Descriptors executed, one each; a failing one is not counted. */
	a = b;
	assert_true(tb_wait(&tb));
	tb_inv_ctx_all(&tb);
	vtd_get_stats(tb.vtd, &b);
	assert_int_equal(b.descriptors - a.descriptors, 2);
	tb_qi(&tb, 0xf, 0);
	vtd_get_stats(tb.vtd, &a);
	assert_int_equal(a.descriptors, b.descriptors);
	/* A recorded fault. */
	fault(&tb);
	vtd_get_stats(tb.vtd, &b);
	assert_int_equal(b.faults - a.faults, 1);
	pt_free(ss);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_event),
		cmocka_unit_test(test_overflow_and_queue_error),
		cmocka_unit_test(test_inv_event),
		cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
