// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi command buffer and registers: COMPLETION_WAIT's store and
 * interrupt; ILLEGAL_COMMAND_ERROR for an unknown opcode, a reserved bit,
 * or a command whose feature the EFR does not report, with the buffer
 * stopped at the failing command until software restarts it;
 * COMMAND_HARDWARE_ERROR for unreadable commands and refused stores; the
 * EFR from the configuration; register access rules.
 */
#include <string.h>

#include "amdvi_tb.h"

static uint64_t rd(struct tb *tb, uint64_t off)
{
	return amdvi_mmio_read(tb->iommu, off, 8);
}

static void wr(struct tb *tb, uint64_t off, uint64_t v)
{
	assert_int_equal(amdvi_mmio_write(tb->iommu, off, 8, v), 0);
}

static uint64_t cw(uint64_t addr, bool s, bool i)
{
	return amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_COMPLETION_WAIT) |
	       amdvi_dprep(AMDVI_CMD_CW_S, s) | amdvi_dprep(AMDVI_CMD_CW_I, i) |
	       amdvi_dprep(AMDVI_CMD_CW_ADDR, addr >> 3);
}

static void test_completion_wait(void **state)
{
	const uint64_t ci = amdvi_fmask(AMDVI_STATUS_COMWAIT_INT);
	struct amdvi_stats st;
	struct tb tb;
	uint64_t *word;

	(void)state;
	tb_init(&tb, NULL);
	word = tb_ptr(tb.wait_word);
	tb_cmd(&tb, cw(tb.wait_word, true, false), 0x1122334455667788ull);
	assert_true(*word == 0x1122334455667788ull);
	assert_false(rd(&tb, AMDVI_STATUS) & ci);
	assert_int_equal(tb.irqs[AMDVI_IRQ_COMWAIT], 0);
	tb_cmd(&tb, cw(0, false, true), 0);
	assert_true(rd(&tb, AMDVI_STATUS) & ci);
	assert_int_equal(tb.irqs[AMDVI_IRQ_COMWAIT], 1);
	wr(&tb, AMDVI_STATUS, ci);
	assert_false(rd(&tb, AMDVI_STATUS) & ci);
	/* Head followed the tail. */
	assert_true(rd(&tb, AMDVI_CMDBUF_HEAD) == tb.cmd_tail);
	amdvi_get_stats(tb.iommu, &st);
	assert_true(st.commands == 2);
	tb_no_event(&tb);
	tb_fini(&tb);
}

static void expect_cmd_error(struct tb *tb, unsigned int code, uint64_t pa)
{
	uint64_t ev[2];

	tb_one_event(tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE), code);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == pa);
	assert_false(rd(tb, AMDVI_STATUS) &
		     amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN));
}

static void restart(struct tb *tb)
{
	uint64_t ctrl = rd(tb, AMDVI_CONTROL);

	wr(tb, AMDVI_CONTROL, ctrl & ~amdvi_fmask(AMDVI_CTRL_CMDBUF_EN));
	wr(tb, AMDVI_CONTROL, ctrl);
}

/* @q0/@q1 are illegal: the buffer stops at it, and restarts once fixed. */
static void check_illegal(struct tb *tb, uint64_t q0, uint64_t q1)
{
	uint64_t *word = tb_ptr(tb->wait_word), at = tb->cmd_tail;
	uint64_t *slot = tb_ptr(tb->cmdbuf + at);

	*word = 0;
	/* The bad command and a store behind it, in one tail write. */
	slot[0] = q0;
	slot[1] = q1;
	slot[2] = cw(tb->wait_word, true, false);
	slot[3] = 42;
	tb->cmd_tail += 32;
	wr(tb, AMDVI_CMDBUF_TAIL, tb->cmd_tail);
	expect_cmd_error(tb, AMDVI_EVT_ILLEGAL_COMMAND_ERROR, tb->cmdbuf + at);
	assert_true(rd(tb, AMDVI_CMDBUF_HEAD) == at);
	assert_true(*word == 0);
	/* More tail writes do nothing while stopped. */
	wr(tb, AMDVI_CMDBUF_TAIL, tb->cmd_tail);
	assert_true(*word == 0);
	/* Software replaces the command by a harmless one and restarts. */
	slot[0] = amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_INTR_TABLE);
	slot[1] = 0;
	restart(tb);
	assert_true(*word == 42);
	assert_true(rd(tb, AMDVI_CMDBUF_HEAD) == tb->cmd_tail);
}

static void test_illegal(void **state)
{
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	/* Unknown opcodes. */
	check_illegal(&tb, amdvi_dprep(AMDVI_CMD_OPCODE, 0), 0);
	check_illegal(&tb, amdvi_dprep(AMDVI_CMD_OPCODE, 0xf), 0);
	/* Reserved bits. */
	check_illegal(&tb,
		      amdvi_dprep(AMDVI_CMD_OPCODE,
				  AMDVI_CMD_INV_DEVTAB_ENTRY) |
			      (1ull << 16),
		      0);
	check_illegal(&tb,
		      amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES),
		      1ull << 3);
	check_illegal(
		&tb, amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_ALL), 1);
	tb_fini(&tb);
}

static void no_ia(struct amdvi_config *cfg)
{
	cfg->ia = false;
	cfg->prefetch = false;
	cfg->ppr = false;
}

/* Commands of features the EFR does not report are illegal. */
static void test_features(void **state)
{
	struct tb tb;
	uint64_t efr;

	(void)state;
	tb_init(&tb, no_ia);
	efr = rd(&tb, AMDVI_EFR);
	assert_false(amdvi_fget(efr, AMDVI_EFR_IA_SUP));
	assert_false(amdvi_fget(efr, AMDVI_EFR_PREF_SUP));
	assert_false(amdvi_fget(efr, AMDVI_EFR_PPR_SUP));
	check_illegal(
		&tb, amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_ALL), 0);
	check_illegal(&tb,
		      amdvi_dprep(AMDVI_CMD_OPCODE,
				  AMDVI_CMD_PREFETCH_IOMMU_PAGES),
		      0);
	check_illegal(&tb,
		      amdvi_dprep(AMDVI_CMD_OPCODE,
				  AMDVI_CMD_COMPLETE_PPR_REQUEST),
		      0);
	tb_fini(&tb);
}

static void test_hw_errors(void **state)
{
	struct tb tb;
	uint64_t at, ctrl;

	(void)state;
	tb_init(&tb, NULL);
	/* A completion store memory refuses. */
	at = tb.cmdbuf + tb.cmd_tail;
	tb_cmd(&tb, cw(0x1000, true, false), 1);
	expect_cmd_error(&tb, AMDVI_EVT_COMMAND_HARDWARE_ERROR, at);
	/* A command buffer outside memory. */
	ctrl = rd(&tb, AMDVI_CONTROL);
	wr(&tb, AMDVI_CONTROL, ctrl & ~amdvi_fmask(AMDVI_CTRL_CMDBUF_EN));
	wr(&tb, AMDVI_CMDBUF_BASE,
	   0x10000 | amdvi_fprep(AMDVI_LOG_LEN, TB_CMD_LEN));
	wr(&tb, AMDVI_CMDBUF_HEAD, 0);
	wr(&tb, AMDVI_CMDBUF_TAIL, 0);
	wr(&tb, AMDVI_CONTROL, ctrl);
	assert_true(rd(&tb, AMDVI_STATUS) &
		    amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN));
	wr(&tb, AMDVI_CMDBUF_TAIL, 0x20);
	expect_cmd_error(&tb, AMDVI_EVT_COMMAND_HARDWARE_ERROR, 0x10000);
	assert_true(rd(&tb, AMDVI_CMDBUF_HEAD) == 0);
	tb_fini(&tb);
}

static void small(struct amdvi_config *cfg)
{
	cfg->hats_levels = 5;
	cfg->gats_levels = 5;
	cfg->glx_levels = 2;
	cfg->pasid_bits = 10;
	cfg->hd = false;
}

static void test_registers(void **state)
{
	struct tb tb;
	uint64_t efr, base;

	(void)state;
	tb_init(&tb, small);
	efr = rd(&tb, AMDVI_EFR);
	assert_int_equal(amdvi_fget(efr, AMDVI_EFR_HATS), AMDVI_HATS_5LVL);
	assert_int_equal(amdvi_fget(efr, AMDVI_EFR_GATS), AMDVI_GATS_5LVL);
	assert_int_equal(amdvi_fget(efr, AMDVI_EFR_GLX_SUP),
			 AMDVI_GLX_SUP_2LVL);
	assert_int_equal(amdvi_fget(efr, AMDVI_EFR_PASMAX), 9);
	assert_true(amdvi_fget(efr, AMDVI_EFR_GT_SUP));
	assert_true(amdvi_fget(efr, AMDVI_EFR_HA_SUP));
	assert_false(amdvi_fget(efr, AMDVI_EFR_HD_SUP));
	/* Read only. */
	wr(&tb, AMDVI_EFR, 0);
	assert_true(rd(&tb, AMDVI_EFR) == efr);
	/* 32-bit halves. */
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_EFR + 4, 4) == efr >> 32);
	/* A base register is ignored while its buffer is enabled. */
	base = rd(&tb, AMDVI_CMDBUF_BASE);
	wr(&tb, AMDVI_CMDBUF_BASE, 0x5000);
	assert_true(rd(&tb, AMDVI_CMDBUF_BASE) == base);
	/* Reserved bits of the device table base read as zero. */
	wr(&tb, AMDVI_DEVTAB_BASE, tb.devtab | 0xe00 | (1ull << 63));
	assert_true(rd(&tb, AMDVI_DEVTAB_BASE) == tb.devtab);
	/* A half write merges. */
	assert_int_equal(
		amdvi_mmio_write(tb.iommu, AMDVI_DEVTAB_BASE, 4, 0x1ff), 0);
	assert_true(rd(&tb, AMDVI_DEVTAB_BASE) ==
		    ((tb.devtab & ~0xffffffffull) | 0x1ff));
	/* Bad sizes and alignment. */
	assert_int_equal(amdvi_mmio_write(tb.iommu, AMDVI_CONTROL, 2, 0),
			 -EINVAL);
	assert_int_equal(amdvi_mmio_write(tb.iommu, AMDVI_CONTROL + 4, 8, 0),
			 -EINVAL);
	assert_true(amdvi_mmio_read(tb.iommu, AMDVI_CONTROL, 1) == 0);
	assert_true(amdvi_mmio_read(tb.iommu, 0x12345678, 8) == 0);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_completion_wait),
		cmocka_unit_test(test_illegal),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_hw_errors),
		cmocka_unit_test(test_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
