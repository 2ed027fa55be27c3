// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi event log records, field by field (48882 2.5): IO_PAGE_FAULT and
 * its suppression by DTE.SA, ILLEGAL_DEV_TABLE_ENTRY for each illegal DTE
 * encoding and a DeviceID beyond the table, DEV_TAB_HARDWARE_ERROR,
 * PAGE_TAB_HARDWARE_ERROR, INVALID_DEVICE_REQUEST; EventLogInt and the
 * interrupt; a full log: EventOverflow, EventLogRun cleared, restart.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x31
#define DOM 0x1234
#define IOVA 0x7000000ull

static void fault_one(struct tb *tb, uint16_t devid, uint32_t pasid,
		      uint64_t iova, unsigned int access, unsigned int code,
		      uint64_t ev[2])
{
	struct amdvi_xlate x;

	assert_int_equal(amdvi_translate(tb->iommu, devid, pasid, iova, access,
					 &x),
			 -EFAULT);
	assert_int_equal(x.status, AMDVI_ABORT);
	assert_int_equal(x.event, code);
	assert_true(x.recorded);
	tb_one_event(tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE), code);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DEVID), devid);
}

static void test_page_fault(void **state)
{
	const uint64_t st_int = amdvi_fmask(AMDVI_STATUS_EVT_INT);
	struct amdvi_xlate x;
	struct pt_table *t;
	struct tb tb;
	uint64_t ev[2], *dte;

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 4, false, 0);
	dte = tb_dte(&tb, DEV);
	tb_dte_host(dte, DOM, t);
	fault_one(&tb, DEV, AMDVI_NO_PASID, IOVA + 0x123, AMDVI_WRITE,
		  AMDVI_EVT_IO_PAGE_FAULT, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DOMAIN_ID), DOM);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_PASID_HI), 0);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS), AMDVI_EVF_RW);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == IOVA + 0x123);
	assert_int_equal(tb.irqs[AMDVI_IRQ_EVENT], 1);
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & st_int);
	/* RW1C, also through the low half. */
	assert_int_equal(amdvi_mmio_write(tb.iommu, AMDVI_STATUS, 4, st_int),
			 0);
	assert_false(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & st_int);
	/* A reserved encoding: the level-4 PDE says NextLevel 1, not 3. */
	tb_map(t, IOVA, 0x300000000ull, 0x1000, PT_PROT_READ);
	{
		uint64_t *root = tb_ptr(pt_root(pt_table_walk_ctx(t)));

		root[0] = (root[0] & ~(7ull << 9)) | (1ull << 9);
	}
	fault_one(&tb, DEV, AMDVI_NO_PASID, IOVA, AMDVI_READ,
		  AMDVI_EVT_IO_PAGE_FAULT, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS),
			 AMDVI_EVF_PR | AMDVI_EVF_RZ);
	/* DTE.SA: the fault is not logged. */
	amdvi_dset(dte, AMDVI_DTE_SA, 1);
	tb_inv_dte(&tb, DEV);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, IOVA,
					 AMDVI_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_IO_PAGE_FAULT);
	assert_false(x.recorded);
	tb_no_event(&tb);
	assert_int_equal(tb.irqs[AMDVI_IRQ_EVENT], 2);
	tb_fini(&tb);
}

static void no_gt(struct amdvi_config *cfg)
{
	cfg->gt = false;
	cfg->ha = cfg->hd = false;
}

static void expect_illegal(struct tb *tb, uint64_t q0, uint64_t q1, uint64_t q2)
{
	uint64_t *dte = tb_dte(tb, DEV), ev[2];

	dte[0] = q0;
	dte[1] = q1;
	dte[2] = q2;
	tb_inv_dte(tb, DEV);
	fault_one(tb, DEV, AMDVI_NO_PASID, IOVA, AMDVI_READ,
		  AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == IOVA);
}

static void test_illegal_dte(void **state)
{
	uint64_t ok = amdvi_dprep(AMDVI_DTE_V, 1) |
		      amdvi_dprep(AMDVI_DTE_TV, 1) |
		      amdvi_dprep(AMDVI_DTE_IR, 1);
	struct amdvi_xlate x;
	struct tb tb;

	(void)state;
	tb_init(&tb, no_gt);
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_RSVD0, 1), 0, 0);
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_RSVD63, 1), 0, 0);
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_HAD, AMDVI_HAD_RSVD), 0,
		       0);
	/* No HASup/HDSup in this configuration. */
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_HAD, AMDVI_HAD_A), 0, 0);
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_MODE, 7), 0, 0);
	expect_illegal(&tb, ok | amdvi_dprep(AMDVI_DTE_GV, 1), 0, 0);
	/* And a legal one translates (identity, Mode 0). */
	tb_dte(&tb, DEV)[0] = ok;
	tb_inv_dte(&tb, DEV);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, IOVA,
					 AMDVI_READ, &x),
			 0);
	tb_no_event(&tb);
	tb_fini(&tb);
}

static void test_devtab_errors(void **state)
{
	struct tb tb;
	uint64_t ev[2];

	(void)state;
	tb_init(&tb, NULL);
	/* A one-page table: 128 entries; DeviceID 200 is beyond it. */
	assert_int_equal(
		amdvi_mmio_write(tb.iommu, AMDVI_DEVTAB_BASE, 8, tb.devtab), 0);
	fault_one(&tb, 200, AMDVI_NO_PASID, IOVA, AMDVI_READ,
		  AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY, ev);
	/* A table outside memory: the DTE read fails. */
	assert_int_equal(
		amdvi_mmio_write(tb.iommu, AMDVI_DEVTAB_BASE, 8,
				 0x1000 | amdvi_fprep(AMDVI_DEVTAB_SIZE, 511)),
		0);
	fault_one(&tb, DEV, AMDVI_NO_PASID, IOVA, AMDVI_WRITE,
		  AMDVI_EVT_DEV_TAB_HARDWARE_ERROR, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) ==
		    0x1000 + DEV * AMDVI_DTE_SIZE);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS),
			 AMDVI_EVF_RW | (AMDVI_HWERR_MASTER_ABORT
					 << AMDVI_EVF_TYPE_SHIFT));
	tb_fini(&tb);
}

static void test_page_tab_error(void **state)
{
	struct tb tb;
	uint64_t ev[2], *dte;

	(void)state;
	tb_init(&tb, NULL);
	dte = tb_dte(&tb, DEV);
	tb_dte_host(dte, DOM, NULL);
	/* A 3-level table rooted outside memory. */
	amdvi_dset(dte, AMDVI_DTE_MODE, 3);
	amdvi_dset(dte, AMDVI_DTE_HPTRP, 0x40);
	fault_one(&tb, DEV, AMDVI_NO_PASID, IOVA, AMDVI_READ,
		  AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) ==
		    0x40000 + 8 * ((IOVA >> 30) & 0x1ff));
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DOMAIN_ID), DOM);
	tb_fini(&tb);
}

static void test_invalid_request(void **state)
{
	struct pt_table *t;
	struct tb tb;
	uint64_t ev[2];

	(void)state;
	tb_init(&tb, NULL);
	t = tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0);
	tb_map(t, IOVA, 0x300000000ull, 0x1000, PT_PROT_READ);
	tb_dte_host(tb_dte(&tb, DEV), DOM, t);
	/* A PASID-tagged request to a device without guest translation. */
	fault_one(&tb, DEV, 5, IOVA, AMDVI_READ,
		  AMDVI_EVT_INVALID_DEVICE_REQUEST, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_FLAGS) & AMDVI_EVF_GN);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DOMAIN_ID), 5);
	tb_fini(&tb);
}

static void test_overflow(void **state)
{
	const uint64_t ovf = amdvi_fmask(AMDVI_STATUS_EVT_OVERFLOW);
	const uint64_t run = amdvi_fmask(AMDVI_STATUS_EVTLOG_RUN);
	const unsigned int slots = (1u << TB_EVT_LEN) - 1;
	struct amdvi_stats st;
	struct amdvi_xlate x;
	struct tb tb;
	unsigned int i, n;
	uint64_t(*ev)[2] = calloc(1u << TB_EVT_LEN, sizeof(*ev));
	uint64_t ctrl;

	(void)state;
	tb_init(&tb, NULL);
	tb_dte_host(tb_dte(&tb, DEV), DOM,
		    tb_pt(&tb, PT_FMT_AMDV1, 0, 3, false, 0));
	for (i = 0; i < slots + 10; i++) {
		amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, i * 0x1000ull,
				AMDVI_READ, &x);
		assert_int_equal(x.recorded, i < slots);
	}
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & ovf);
	assert_false(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & run);
	amdvi_get_stats(tb.iommu, &st);
	assert_true(st.events == slots && st.events_lost == 10);
	n = tb_events(&tb, ev, 1u << TB_EVT_LEN);
	assert_int_equal(n, slots);
	for (i = 0; i < n; i++)
		assert_true(amdvi_dget(ev[i], AMDVI_EVT_ADDR) == i * 0x1000ull);
	/* Still stopped after draining ... */
	amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x999000, AMDVI_READ,
			&x);
	assert_false(x.recorded);
	/* ... until software restarts the log, as Linux does. */
	ctrl = amdvi_mmio_read(tb.iommu, AMDVI_CONTROL, 8);
	amdvi_mmio_write(tb.iommu, AMDVI_CONTROL, 8,
			 ctrl & ~amdvi_fmask(AMDVI_CTRL_EVTLOG_EN));
	amdvi_mmio_write(tb.iommu, AMDVI_STATUS, 8, ovf);
	amdvi_mmio_write(tb.iommu, AMDVI_CONTROL, 8, ctrl);
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & run);
	assert_false(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & ovf);
	amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x999000, AMDVI_READ,
			&x);
	assert_true(x.recorded);
	tb_one_event(&tb, ev[0]);
	assert_true(amdvi_dget(ev[0], AMDVI_EVT_ADDR) == 0x999000);
	free(ev);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_fault),
		cmocka_unit_test(test_illegal_dte),
		cmocka_unit_test(test_devtab_errors),
		cmocka_unit_test(test_page_tab_error),
		cmocka_unit_test(test_invalid_request),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
