// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi device-facing commands and logs: INVALIDATE_IOTLB_PAGES reaches
 * the device's ATC callback with its PASID and range, a device that does
 * not answer makes an IOTLB_INV_TIMEOUT event; page requests go into the
 * PPR log (record fields, PprInt and the interrupt, overflow) and
 * COMPLETE_PPR_REQUEST reaches the device.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x70

struct dev_state {
	unsigned int invals;
	uint16_t devid;
	uint32_t pasid;
	uint64_t addr;
	unsigned int lg2;
	int ret;
	unsigned int completes;
	uint16_t tag;
	unsigned int status;
};

static int dev_inval(void *priv, uint16_t devid, uint32_t pasid, uint64_t addr,
		     unsigned int size_lg2)
{
	struct dev_state *d = priv;

	d->invals++;
	d->devid = devid;
	d->pasid = pasid;
	d->addr = addr;
	d->lg2 = size_lg2;
	return d->ret;
}

static void dev_complete(void *priv, uint16_t devid, uint32_t pasid,
			 uint16_t tag, unsigned int status)
{
	struct dev_state *d = priv;

	d->completes++;
	d->devid = devid;
	d->pasid = pasid;
	d->tag = tag;
	d->status = status;
}

static const struct amdvi_dev_ops dev_ops = {
	.iotlb_inval = dev_inval,
	.ppr_complete = dev_complete,
};

static void inv_iotlb(struct tb *tb, uint16_t devid, bool gn, uint32_t pasid,
		      uint64_t q1addr, bool s)
{
	tb_cmd(tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOTLB_PAGES) |
		       amdvi_dprep(AMDVI_CMD_DEVID, devid) |
		       amdvi_dprep(AMDVI_CMD_IT_PASID_HI, pasid >> 8) |
		       amdvi_dprep(AMDVI_CMD_IT_PASID_LO, pasid) |
		       amdvi_dprep(AMDVI_CMD_IT_MAXPEND, 32),
	       amdvi_dprep(AMDVI_CMD_GN, gn) | amdvi_dprep(AMDVI_CMD_S, s) |
		       amdvi_dprep(AMDVI_CMD_ADDR, q1addr >> 12));
}

static void test_iotlb_inval(void **state)
{
	struct dev_state d = { 0 };
	struct tb tb;
	uint64_t ev[2], at;

	(void)state;
	tb_init(&tb, NULL);
	assert_int_equal(amdvi_dev_register(tb.iommu, DEV, &dev_ops, &d), 0);
	assert_int_equal(amdvi_dev_register(tb.iommu, DEV, &dev_ops, &d),
			 -EEXIST);
	inv_iotlb(&tb, DEV, false, 0, 0x12345000, false);
	assert_int_equal(d.invals, 1);
	assert_int_equal(d.devid, DEV);
	assert_true(d.pasid == AMDVI_NO_PASID);
	assert_true(d.addr == 0x12345000);
	assert_int_equal(d.lg2, 12);
	/* 64 KiB (S = 1, ones up to bit 14) for PASID 0x1234. */
	inv_iotlb(&tb, DEV, true, 0x1234, 0x12347000, true);
	assert_int_equal(d.invals, 2);
	assert_true(d.pasid == 0x1234);
	assert_true(d.addr == 0x12340000);
	assert_int_equal(d.lg2, 16);
	/* Another device: nobody to call, nothing logged. */
	inv_iotlb(&tb, DEV + 1, false, 0, 0, false);
	assert_int_equal(d.invals, 2);
	tb_no_event(&tb);
	/* The device does not answer: IOTLB_INV_TIMEOUT, and on it goes. */
	d.ret = -ETIMEDOUT;
	at = tb.cmdbuf + tb.cmd_tail;
	inv_iotlb(&tb, DEV, false, 0, 0x5000, false);
	tb_one_event(&tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
			 AMDVI_EVT_IOTLB_INV_TIMEOUT);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DEVID), DEV);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == at);
	tb_sync(&tb);
	assert_int_equal(amdvi_dev_unregister(tb.iommu, DEV), 0);
	assert_int_equal(amdvi_dev_unregister(tb.iommu, DEV), -ENOENT);
	inv_iotlb(&tb, DEV, false, 0, 0x5000, false);
	assert_int_equal(d.invals, 3);
	tb_fini(&tb);
}

#define PPR_LEN 8

static uint64_t ppr_setup(struct tb *tb)
{
	uint64_t log = tb_alloc(tb, 16ull << PPR_LEN, 4096);
	uint64_t ctrl = amdvi_mmio_read(tb->iommu, AMDVI_CONTROL, 8);

	amdvi_mmio_write(tb->iommu, AMDVI_PPRLOG_BASE, 8,
			 log | amdvi_fprep(AMDVI_LOG_LEN, PPR_LEN));
	amdvi_mmio_write(tb->iommu, AMDVI_CONTROL, 8,
			 ctrl | amdvi_fmask(AMDVI_CTRL_PPRLOG_EN) |
				 amdvi_fmask(AMDVI_CTRL_PPR_EN) |
				 amdvi_fmask(AMDVI_CTRL_PPR_INT_EN));
	return log;
}

static void test_ppr(void **state)
{
	const uint64_t ovf = amdvi_fmask(AMDVI_STATUS_PPR_OVERFLOW);
	struct dev_state d = { 0 };
	const uint64_t *rec;
	struct tb tb;
	uint64_t log;
	unsigned int i;

	(void)state;
	tb_init(&tb, NULL);
	assert_int_equal(amdvi_ppr_request(tb.iommu, DEV, 5, 0x1000, AMDVI_READ,
					   1),
			 -EAGAIN);
	log = ppr_setup(&tb);
	assert_int_equal(amdvi_ppr_request(tb.iommu, DEV, 0x12345, 0xabcdef123,
					   AMDVI_READ | AMDVI_WRITE, 0x1a5),
			 0);
	assert_int_equal(tb.irqs[AMDVI_IRQ_PPR], 1);
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) &
		    amdvi_fmask(AMDVI_STATUS_PPR_INT));
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_PPRLOG_TAIL, 8) == 16);
	rec = tb_ptr(log);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_CODE),
			 AMDVI_PPR_CODE_PAGE_REQUEST);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_DEVID), DEV);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_PASID_LO), 0x2345);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_PASID_HI), 0x1);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_TAG), 0x1a5);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_FLAGS),
			 AMDVI_PPRF_RD | AMDVI_PPRF_WR | AMDVI_PPRF_US |
				 AMDVI_PPRF_GN);
	assert_true(amdvi_dget(rec, AMDVI_PPR_ADDR) == 0xabcdef000);
	/* The response reaches the device. */
	assert_int_equal(amdvi_dev_register(tb.iommu, DEV, &dev_ops, &d), 0);
	tb_cmd(&tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_COMPLETE_PPR_REQUEST) |
		       amdvi_dprep(AMDVI_CMD_DEVID, DEV) |
		       amdvi_dprep(AMDVI_CMD_PPR_PASID, 0x12345),
	       amdvi_dprep(AMDVI_CMD_GN, 1) |
		       amdvi_dprep(AMDVI_CMD_PPR_TAG, 0x1a5) |
		       amdvi_dprep(AMDVI_CMD_PPR_STATUS, AMDVI_PPR_INVALID));
	assert_int_equal(d.completes, 1);
	assert_true(d.pasid == 0x12345);
	assert_int_equal(d.tag, 0x1a5);
	assert_int_equal(d.status, AMDVI_PPR_INVALID);
	/* Fill the log: the last slot stays empty, then overflow. */
	for (i = 1; i < (1u << PPR_LEN) - 1; i++)
		assert_int_equal(amdvi_ppr_request(tb.iommu, DEV,
						   AMDVI_NO_PASID, i << 12,
						   AMDVI_READ | AMDVI_PRIV, 0),
				 0);
	assert_int_equal(amdvi_ppr_request(tb.iommu, DEV, AMDVI_NO_PASID, 0,
					   AMDVI_READ, 0),
			 -ENOSPC);
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & ovf);
	rec = tb_ptr(log + 16);
	assert_int_equal(amdvi_dget(rec, AMDVI_PPR_FLAGS), AMDVI_PPRF_RD);
	tb_no_event(&tb);
	tb_fini(&tb);
}

static void no_ppr(struct amdvi_config *cfg)
{
	cfg->ppr = false;
}

static void test_no_ppr(void **state)
{
	struct tb tb;

	(void)state;
	tb_init(&tb, no_ppr);
	ppr_setup(&tb);
	assert_int_equal(amdvi_ppr_request(tb.iommu, DEV, 5, 0x1000, AMDVI_READ,
					   1),
			 -EOPNOTSUPP);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iotlb_inval),
		cmocka_unit_test(test_ppr),
		cmocka_unit_test(test_no_ppr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
