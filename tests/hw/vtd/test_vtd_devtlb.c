// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d and the devices behind it: device-TLB invalidations (0x3, 0x8)
 * reaching the device's callback with its source-id, PASID and range (the
 * S-bit size encoding), a device that never completes one (FSTS.ITE, the
 * wait descriptor discarded, the queue stopped until ITE is cleared), ATS
 * Translation Requests answered by vtd_ats_translate(), and page group
 * responses reaching the device.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID_A 0x0c08
#define SID_B 0x0c10
#define DID 17
#define PASID 0x55

struct call {
	uint16_t sid;
	uint32_t pasid;
	uint64_t addr;
	unsigned int lg2;
	bool global;
	uint16_t prgi;
	unsigned int code;
};

struct dev {
	unsigned int n;
	struct call c[8];
	bool timeout;
};

static int atc_inval(void *priv, uint16_t sid, uint32_t pasid, uint64_t addr,
		     unsigned int size_lg2, bool global)
{
	struct dev *d = priv;
	struct call *c = &d->c[d->n++ % 8];

	c->sid = sid;
	c->pasid = pasid;
	c->addr = addr;
	c->lg2 = size_lg2;
	c->global = global;
	return d->timeout ? -ETIMEDOUT : 0;
}

static void prq_resp(void *priv, uint16_t sid, uint32_t pasid, uint16_t prgi,
		     unsigned int resp_code)
{
	struct dev *d = priv;
	struct call *c = &d->c[d->n++ % 8];

	c->sid = sid;
	c->pasid = pasid;
	c->prgi = prgi;
	c->code = resp_code;
}

static const struct vtd_dev_ops dev_ops = {
	.atc_inval = atc_inval,
	.prq_resp = prq_resp,
};

static uint64_t devtlb(uint16_t sid)
{
	return VTD_DESC_DEVTLB | vtd_dprep(VTD_DEVTLB_SID, sid);
}

static uint64_t devtlb_addr(uint64_t addr, bool s)
{
	return vtd_dprep(VTD_DEVTLB_ADDR, addr >> 12) |
	       vtd_dprep(VTD_DEVTLB_S, s);
}

static void check(const struct call *c, uint16_t sid, uint32_t pasid,
		  uint64_t addr, unsigned int lg2, bool global)
{
	assert_int_equal(c->sid, sid);
	assert_int_equal(c->pasid, pasid);
	assert_int_equal(c->addr, addr);
	assert_int_equal(c->lg2, lg2);
	assert_int_equal(c->global, global);
}

static void test_devtlb_inval(void **state)
{
	struct dev a = { 0 }, b = { 0 };
	uint32_t fsts;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	assert_int_equal(vtd_dev_register(tb.vtd, SID_A, &dev_ops, &a), 0);
	assert_int_equal(vtd_dev_register(tb.vtd, SID_A, &dev_ops, &a),
			 -EEXIST);
	assert_int_equal(vtd_dev_register(tb.vtd, SID_B, &dev_ops, &b), 0);
	/* S = 0: one 4 KiB page. */
	tb_qi(&tb, devtlb(SID_A), devtlb_addr(0x5000, false));
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 0);
	check(&a.c[0], SID_A, VTD_NO_PASID, 0x5000, 12, false);
	/* S = 1: the lowest clear address bit from 12 up gives the size. */
	tb_qi(&tb, devtlb(SID_A), devtlb_addr(0x4000, true));
	check(&a.c[1], SID_A, VTD_NO_PASID, 0x4000, 13, false);
	tb_qi(&tb, devtlb(SID_A), devtlb_addr(0x17000, true));
	check(&a.c[2], SID_A, VTD_NO_PASID, 0x10000, 16, false);
	tb_qi(&tb, devtlb(SID_A), devtlb_addr(0x7ffffffff000ull, true));
	check(&a.c[3], SID_A, VTD_NO_PASID, 0, 48, false);
	tb_qi(&tb, devtlb(SID_A), devtlb_addr(~0ull, true));
	check(&a.c[4], SID_A, VTD_NO_PASID, 0, 64, false);
	/* PASID-based: PASID, G and the same size encoding. */
	fsts = tb_qi(&tb,
		     VTD_DESC_PDEVTLB | vtd_dprep(VTD_PDEVTLB_SID, SID_B) |
			     vtd_dprep(VTD_PDEVTLB_PASID, PASID),
		     vtd_dprep(VTD_PDEVTLB_ADDR, 0x203000 >> 12) |
			     vtd_dprep(VTD_PDEVTLB_S, 1));
	assert_int_equal(fsts, 0);
	assert_int_equal(b.n, 1);
	check(&b.c[0], SID_B, PASID, 0x200000, 15, false);
	tb_qi(&tb,
	      VTD_DESC_PDEVTLB | vtd_dprep(VTD_PDEVTLB_SID, SID_B) |
		      vtd_dprep(VTD_PDEVTLB_PASID, PASID + 1),
	      vtd_dprep(VTD_PDEVTLB_ADDR, 0x9000 >> 12) |
		      vtd_dprep(VTD_PDEVTLB_G, 1));
	check(&b.c[1], SID_B, PASID + 1, 0x9000, 12, true);
	assert_int_equal(a.n, 5);
	/* A source-id with no device: completes, nothing called. */
	assert_int_equal(vtd_dev_unregister(tb.vtd, SID_B), 0);
	assert_int_equal(vtd_dev_unregister(tb.vtd, SID_B), -ENOENT);
	fsts = tb_qi(&tb, devtlb(SID_B), devtlb_addr(0, false));
	assert_int_equal(fsts, 0);
	assert_int_equal(b.n, 2);
	assert_true(tb_wait(&tb));
	tb_fini(&tb);
}

static void no_dt(struct vtd_config *cfg)
{
	cfg->dt = false;
}

static void test_no_device_tlb(void **state)
{
	struct vtd_ats ats;
	uint32_t fsts;
	struct tb tb;

	(void)state;
	tb_init(&tb, no_dt);
	assert_false(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_ECAP_REG, 8), VTD_ECAP_DT));
	fsts = tb_qi(&tb, devtlb(SID_A), 0);
	assert_true(vtd_fget(fsts, VTD_FSTS_IQE));
	assert_int_equal(vtd_fget(vtd_mmio_read(tb.vtd, VTD_IQERCD_REG, 8),
				  VTD_IQERCD_IQEI),
			 VTD_IQEI_TYPE);
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0,
					   VTD_READ, &ats),
			 -EOPNOTSUPP);
	tb_fini(&tb);
}

/* Descriptors written at the tail without moving IQT yet. */
static void put(struct tb *tb, uint64_t d0, uint64_t d1)
{
	uint64_t *d = tb_ptr(tb->iq + tb->iq_tail * 32);

	d[0] = d0;
	d[1] = d1;
	d[2] = d[3] = 0;
	tb->iq_tail = (tb->iq_tail + 1) % TB_IQ_ENTRIES;
}

static void put_wait(struct tb *tb, uint32_t *status, uint32_t data)
{
	*status = 0;
	put(tb,
	    VTD_DESC_WAIT | vtd_dprep(VTD_WAIT_SW, 1) |
		    vtd_dprep(VTD_WAIT_IF, 1) | vtd_dprep(VTD_WAIT_SDATA, data),
	    vtd_dprep(VTD_WAIT_SADDR, (uint64_t)(uintptr_t)status >> 2));
}

static void kick(struct tb *tb)
{
	vtd_mmio_write(tb->vtd, VTD_IQT_REG, 8, (uint64_t)tb->iq_tail << 5);
}

static uint32_t fsts(struct tb *tb)
{
	return (uint32_t)vtd_mmio_read(tb->vtd, VTD_FSTS_REG, 4);
}

static void test_timeout(void **state)
{
	struct dev a = { 0 }, b = { .timeout = true };
	uint32_t *st = NULL;
	unsigned int irqs;
	uint64_t iqercd;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	st = tb_ptr(tb_alloc(&tb, 4096));
	vtd_mmio_write(tb.vtd, VTD_IECTL_REG, 4, 0);
	vtd_dev_register(tb.vtd, SID_A, &dev_ops, &a);
	vtd_dev_register(tb.vtd, SID_B, &dev_ops, &b);
	irqs = tb.irqs[VTD_IRQ_FAULT];
	/* B never answers; A's invalidation was fetched with it. */
	put(&tb, devtlb(SID_B), devtlb_addr(0x1000, false));
	put(&tb, devtlb(SID_A), devtlb_addr(0x2000, false));
	put(&tb, devtlb(SID_B), devtlb_addr(0x3000, false));
	put_wait(&tb, &st[0], 0x1111);
	put_wait(&tb, &st[1], 0x2222);
	kick(&tb);
	assert_true(vtd_fget(fsts(&tb), VTD_FSTS_ITE));
	assert_false(vtd_fget(fsts(&tb), VTD_FSTS_IQE));
	iqercd = vtd_mmio_read(tb.vtd, VTD_IQERCD_REG, 8);
	assert_int_equal(vtd_fget(iqercd, VTD_IQERCD_ITESID), SID_B);
	assert_int_equal(tb.irqs[VTD_IRQ_FAULT], irqs + 1);
	assert_int_equal(a.n, 1);
	check(&a.c[0], SID_A, VTD_NO_PASID, 0x2000, 12, false);
	assert_int_equal(b.n, 2);
	/* The wait was discarded: no status, no completion event. */
	assert_int_equal(st[0], 0);
	assert_false(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_ICS_REG, 4), VTD_ICS_IWC));
	assert_int_equal(tb.irqs[VTD_IRQ_INV], 0);
	/* Stopped after it: the next wait is not fetched... */
	assert_int_equal(vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8),
			 (uint64_t)(tb.iq_tail - 1) << 5);
	assert_int_equal(st[1], 0);
	/* ... nor anything queued later, until ITE is cleared. */
	put_wait(&tb, &st[2], 0x3333);
	kick(&tb);
	assert_int_equal(st[2], 0);
	b.timeout = false;
	vtd_mmio_write(tb.vtd, VTD_FSTS_REG, 4, vtd_fmask(VTD_FSTS_ITE));
	assert_false(vtd_fget(fsts(&tb), VTD_FSTS_ITE));
	assert_int_equal(st[0], 0);
	assert_int_equal(st[1], 0x2222);
	assert_int_equal(st[2], 0x3333);
	assert_int_equal(vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8),
			 (uint64_t)tb.iq_tail << 5);
	assert_int_equal(tb.irqs[VTD_IRQ_INV], 1);
	/* Software resubmits what was lost; it completes now. */
	put(&tb, devtlb(SID_B), devtlb_addr(0x1000, false));
	put_wait(&tb, &st[3], 0x4444);
	kick(&tb);
	assert_int_equal(st[3], 0x4444);
	assert_int_equal(b.n, 3);
	/* A time-out with no wait behind it: stops at the tail. */
	b.timeout = true;
	put(&tb, devtlb(SID_B), devtlb_addr(0x1000, false));
	kick(&tb);
	assert_true(vtd_fget(fsts(&tb), VTD_FSTS_ITE));
	assert_int_equal(vtd_mmio_read(tb.vtd, VTD_IQH_REG, 8),
			 (uint64_t)tb.iq_tail << 5);
	tb_fini(&tb);
}

/* Context entry of @sid with DTE (device TLB enable) as given. */
static void set_dte(struct tb *tb, uint16_t sid, bool dte)
{
	uint64_t *ce = tb_ctx(tb, sid, 0);

	vtd_dset(ce, VTD_SM_CTX_DTE, dte);
	tb_inv_ctx_all(tb);
}

static void test_ats(void **state)
{
	uint64_t ro, rw, big, mapped, fr, rec[2] = { 0 };
	struct pt_table *ss;
	struct vtd_ats ats;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	ro = tb_alloc(&tb, 4096);
	rw = tb_alloc(&tb, 4096);
	big = (tb_alloc(&tb, 4u << 20) + (2u << 20) - 1) & ~((2ull << 20) - 1);
	pt_map(ss, 0x1000, ro, 4096, PT_PROT_READ, &mapped);
	pt_map(ss, 0x2000, rw, 4096, PT_PROT_READ | PT_PROT_WRITE, &mapped);
	pt_map(ss, 0x400000, big, 2u << 20, PT_PROT_READ | PT_PROT_WRITE,
	       &mapped);
	tb_pe_set(tb_pe(&tb, SID_A, 0), VTD_PGTT_SS, DID, ss, NULL, true);
	tb_pe_set(tb_pe(&tb, SID_B, 0), VTD_PGTT_SS, DID, ss, NULL, true);
	set_dte(&tb, SID_A, true);
	set_dte(&tb, SID_B, false);

	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0x1234,
					   VTD_READ, &ats),
			 0);
	assert_int_equal(ats.status, VTD_ATS_SUCCESS);
	assert_int_equal(ats.oa, ro);
	assert_int_equal(ats.page_lg2, 12);
	assert_int_equal(ats.perm & (VTD_READ | VTD_WRITE), VTD_READ);
	/* 2 MiB page: its size and base. */
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID,
					   0x512345, VTD_READ, &ats),
			 0);
	assert_int_equal(ats.oa, big);
	assert_int_equal(ats.page_lg2, 21);
	/*
	 * SSADE: a read of a clean writable page answers read-only, so the
	 * device asks again to write, and that sets D.
	 */
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0x2000,
					   VTD_READ, &ats),
			 0);
	assert_int_equal(ats.perm & (VTD_READ | VTD_WRITE), VTD_READ);
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0x2000,
					   VTD_READ | VTD_WRITE, &ats),
			 0);
	assert_int_equal(ats.perm & (VTD_READ | VTD_WRITE),
			 VTD_READ | VTD_WRITE);
	assert_int_equal(ats.oa, rw);
	{
		struct pt_walk_result r;

		pt_walk(pt_table_walk_ctx(ss), 0x2000, PT_ACCESS_READ, &r);
		assert_true(r.desc & (1ull << 9));
	}
	/* Not mapped, or write to read-only: success, no permission, quiet. */
	tb_clear_faults(&tb);
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0x9000,
					   VTD_READ, &ats),
			 0);
	assert_int_equal(ats.status, VTD_ATS_SUCCESS);
	assert_int_equal(ats.perm & (VTD_READ | VTD_WRITE), 0);
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_A, VTD_NO_PASID, 0x1000,
					   VTD_WRITE, &ats),
			 0);
	assert_int_equal(ats.perm & VTD_WRITE, 0);
	assert_false(vtd_fget(fsts(&tb), VTD_FSTS_PPF));
	/* DTE = 0: Unsupported Request, recorded as SCT.8. */
	assert_int_equal(vtd_ats_translate(tb.vtd, SID_B, VTD_NO_PASID, 0x1000,
					   VTD_READ, &ats),
			 -EFAULT);
	assert_int_equal(ats.status, VTD_ATS_UR);
	assert_true(vtd_fget(fsts(&tb), VTD_FSTS_PPF));
	fr = vtd_mmio_read(tb.vtd,
			   vtd_fget(vtd_mmio_read(tb.vtd, VTD_CAP_REG, 8),
				    VTD_CAP_FRO) *
					   16 +
				   vtd_fget(fsts(&tb), VTD_FSTS_FRI) * 16 + 8,
			   8);
	rec[1] = fr;
	assert_int_equal(vtd_dget(rec, VTD_FRCD_FR), VTD_FR_SM_CTX_DTE);
	assert_int_equal(vtd_dget(rec, VTD_FRCD_SID), SID_B);
	/* Ordinary DMA of that device still translates. */
	{
		struct vtd_xlate x;

		assert_int_equal(vtd_translate(tb.vtd, SID_B, VTD_NO_PASID,
					       0x1000, VTD_READ, &x),
				 0);
		assert_int_equal(x.oa, ro);
	}
	pt_free(ss);
	tb_fini(&tb);
}

static void with_prs(struct vtd_config *cfg)
{
	cfg->prs = true;
}

static void test_page_response(void **state)
{
	struct dev a = { 0 };
	uint32_t f;
	struct tb tb;

	(void)state;
	tb_init(&tb, with_prs);
	assert_true(
		vtd_fget(vtd_mmio_read(tb.vtd, VTD_ECAP_REG, 8), VTD_ECAP_PRS));
	vtd_dev_register(tb.vtd, SID_A, &dev_ops, &a);
	f = tb_qi(&tb,
		  VTD_DESC_PGRP_RESP | vtd_dprep(VTD_PGRP_PASID_P, 1) |
			  vtd_dprep(VTD_PGRP_RID, SID_A) |
			  vtd_dprep(VTD_PGRP_PASID, PASID) |
			  vtd_dprep(VTD_PGRP_RESP_CODE, VTD_PGRP_RESP_INVALID),
		  vtd_dprep(VTD_PGRP_PRGI, 0x1a5) |
			  vtd_dprep(VTD_PGRP_LPIG, 1));
	assert_int_equal(f, 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.c[0].sid, SID_A);
	assert_int_equal(a.c[0].pasid, PASID);
	assert_int_equal(a.c[0].prgi, 0x1a5);
	assert_int_equal(a.c[0].code, VTD_PGRP_RESP_INVALID);
	/* Without PASID present. */
	tb_qi(&tb,
	      VTD_DESC_PGRP_RESP | vtd_dprep(VTD_PGRP_RID, SID_A) |
		      vtd_dprep(VTD_PGRP_RESP_CODE, VTD_PGRP_RESP_SUCCESS),
	      vtd_dprep(VTD_PGRP_PRGI, 3));
	assert_int_equal(a.n, 2);
	assert_int_equal(a.c[1].pasid, VTD_NO_PASID);
	assert_int_equal(a.c[1].prgi, 3);
	assert_int_equal(a.c[1].code, VTD_PGRP_RESP_SUCCESS);
	tb_fini(&tb);
	/* Without page requests (ECAP.PRS = 0) the type is invalid. */
	tb_init(&tb, NULL);
	f = tb_qi(&tb, VTD_DESC_PGRP_RESP | vtd_dprep(VTD_PGRP_RID, SID_A), 0);
	assert_true(vtd_fget(f, VTD_FSTS_IQE));
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devtlb_inval),
		cmocka_unit_test(test_no_device_tlb),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_ats),
		cmocka_unit_test(test_page_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
