// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hostile input to the AMD-Vi model: page tables of random descriptors
 * (pointers to other tables, to themselves, outside memory; every
 * NextLevel; reserved bits), random device table entries, random commands.
 * Every outcome must be architectural -- a translation the specification's
 * walk agrees with, or an event of an allowed kind -- never a crash, a hang
 * or an access outside bench memory (the memory ops refuse those).
 */
#include <string.h>

#include "amdvi_tb.h"

#define NPAGES 24

/*
 * The walk the specification defines (2.2.3), strict: false for anything
 * that is not a translation (not present, NextLevel that skips or is
 * reserved, reserved bits, a sized page of a size its level cannot hold,
 * a page in the top level of a six-level table, a table outside @lo..@hi).
 */
static bool ref_walk(uint64_t root, unsigned int mode, uint64_t iova,
		     uint64_t lo, uint64_t hi, uint64_t *oa, unsigned int *perm)
{
	uint64_t table = root, e, addr, m;
	unsigned int level = mode, p = AMDVI_READ | AMDVI_WRITE, nl, shift, lg2;

	if (mode < 6 && (iova >> (12 + 9 * mode)))
		return false;
	for (;;) {
		if (table < lo || table + 4096 > hi)
			return false;
		shift = 12 + 9 * (level - 1);
		e = ((const uint64_t *)tb_ptr(table))[(iova >> shift) & 0x1ff];
		if (!(e & 1) || ((e >> 52) & 0x7f))
			return false;
		if (!(e & (1ull << 61)))
			p &= ~AMDVI_READ;
		if (!(e & (1ull << 62)))
			p &= ~AMDVI_WRITE;
		nl = (e >> 9) & 7;
		addr = e & 0x000ffffffffff000ull;
		if (nl == 0 || nl == 7 || level == 1) {
			if (level == 6 || (level == 1 && nl != 0 && nl != 7))
				return false;
			lg2 = shift;
			if (nl == 7) {
				lg2 = 13 + (unsigned int)__builtin_ctzll(
						   ~(addr >> 12));
				if (lg2 <= shift || lg2 >= shift + 9)
					return false;
			}
			m = (1ull << lg2) - 1;
			*oa = (addr & ~m) | (iova & m);
			*perm = p;
			return true;
		}
		if (nl != level - 1)
			return false;
		table = addr;
		level = nl;
	}
}

static uint64_t rand_desc(struct tb_rng *r, const uint64_t *pages)
{
	uint64_t e = 0;

	switch (tb_below(r, 6)) {
	case 0:
		return 0;
	case 1:
		return tb_rand(r);
	case 2: /* outside memory */
		e = 1 | (tb_below(r, 8) << 9) | (0x1000ull << tb_below(r, 8));
		break;
	default: /* another table (or this one) */
		e = 1 | (tb_below(r, 8) << 9) | pages[tb_below(r, NPAGES)];
		break;
	}
	if (tb_below(r, 4))
		e |= 1ull << 61;
	if (tb_below(r, 4))
		e |= 1ull << 62;
	if (!tb_below(r, 16))
		e |= 1ull << (52 + tb_below(r, 7));
	return e;
}

static void check_result(struct tb *tb, int ret, const struct amdvi_xlate *x)
{
	uint64_t ev[4][2];
	unsigned int n = tb_events(tb, ev, 4), code;

	if (!ret) {
		assert_int_equal(n, 0);
		return;
	}
	assert_int_equal(ret, -EFAULT);
	code = x->event;
	assert_true(code == AMDVI_EVT_IO_PAGE_FAULT ||
		    code == AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR ||
		    code == AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY ||
		    code == AMDVI_EVT_INVALID_DEVICE_REQUEST);
	assert_int_equal(n, x->recorded ? 1 : 0);
	if (n)
		assert_int_equal(amdvi_dget(ev[0], AMDVI_EVT_CODE), code);
}

static void test_random_tables(void **state)
{
	struct tb_rng rng = { tb_seed("hostile tables", 0xbad7ab1e) };
	uint64_t pages[NPAGES], lo, hi;
	unsigned int round, i, n_ok = 0;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	for (i = 0; i < NPAGES; i++)
		pages[i] = tb_alloc(&tb, 4096, 4096);
	lo = pages[0];
	hi = pages[NPAGES - 1] + 4096;
	for (round = 0; round < 40; round++) {
		unsigned int mode = 1 + (unsigned int)tb_below(&rng, 6);
		uint64_t *dte = tb_dte(&tb, 1), root;

		for (i = 0; i < NPAGES * 512; i++)
			((uint64_t *)tb_ptr(lo))[i] = rand_desc(&rng, pages);
		root = pages[tb_below(&rng, NPAGES)];
		tb_dte_host(dte, 9, NULL);
		amdvi_dset(dte, AMDVI_DTE_MODE, mode);
		amdvi_dset(dte, AMDVI_DTE_HPTRP, root >> 12);
		/* No A/D updates: they would change what the reference reads. */
		tb_inv_all(&tb);
		for (i = 0; i < 300; i++) {
			uint64_t iova = tb_rand(&rng) & ~7ull, oa = 0;
			unsigned int perm = 0, a = 1u << tb_below(&rng, 2);
			struct amdvi_xlate x;
			bool ok;
			int ret;

			if (tb_below(&rng, 2))
				iova &= 0xffffffffffull;
			ok = ref_walk(root, mode, iova, lo, hi, &oa, &perm);
			ret = amdvi_translate(tb.iommu, 1, AMDVI_NO_PASID, iova,
					      a, &x);
			check_result(&tb, ret, &x);
			if (ok && (perm & a)) {
				assert_int_equal(ret, 0);
				assert_true(x.oa == oa);
				n_ok++;
			} else if (!ret) {
				/* Only a table outside the bench's pages. */
				assert_false(ok);
			}
		}
	}
	print_message("# %u translations agreed with the reference\n", n_ok);
	assert_true(n_ok > 0);
	tb_fini(&tb);
}

/* A PDE pointing at its own table: a reserved NextLevel, not a loop. */
static void test_self_loop(void **state)
{
	struct amdvi_xlate x;
	struct tb tb;
	uint64_t t, *dte, ev[2];

	(void)state;
	tb_init(&tb, NULL);
	t = tb_alloc(&tb, 4096, 4096);
	((uint64_t *)tb_ptr(t))[0] = 1 | (3ull << 9) | t | (3ull << 61);
	dte = tb_dte(&tb, 2);
	tb_dte_host(dte, 9, NULL);
	amdvi_dset(dte, AMDVI_DTE_MODE, 4);
	amdvi_dset(dte, AMDVI_DTE_HPTRP, t >> 12);
	assert_int_equal(amdvi_translate(tb.iommu, 2, AMDVI_NO_PASID, 0x1000,
					 AMDVI_READ, &x),
			 -EFAULT);
	tb_one_event(&tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
			 AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_FLAGS),
			 AMDVI_EVF_PR | AMDVI_EVF_RZ);
	tb_fini(&tb);
}

static void test_random_dtes(void **state)
{
	struct tb_rng rng = { tb_seed("hostile DTEs", 0xd7e) };
	unsigned int i, j;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	for (i = 0; i < 64; i++) {
		uint64_t *dte = tb_dte(&tb, (uint16_t)i);

		for (j = 0; j < 4; j++)
			dte[j] = tb_rand(&rng);
		if (tb_below(&rng, 2)) {
			/* Mostly legal-looking, pointers into memory. */
			dte[0] &= ~(amdvi_dmask(AMDVI_DTE_RSVD0) |
				    amdvi_dmask(AMDVI_DTE_RSVD63) |
				    amdvi_dmask(AMDVI_DTE_HPTRP));
			dte[0] |=
				amdvi_dprep(AMDVI_DTE_HPTRP, tb.devtab >> 12) |
				amdvi_dprep(AMDVI_DTE_V, 1) |
				amdvi_dprep(AMDVI_DTE_TV, 1);
		}
	}
	for (i = 0; i < 5000; i++) {
		uint32_t pasid = tb_below(&rng, 3)
					 ? AMDVI_NO_PASID
					 : (uint32_t)tb_rand(&rng) & 0xfffff;
		struct amdvi_xlate x;
		int ret;

		ret = amdvi_translate(tb.iommu, (uint16_t)tb_below(&rng, 80),
				      pasid, tb_rand(&rng),
				      1u << tb_below(&rng, 4), &x);
		check_result(&tb, ret, &x);
		if (!tb_below(&rng, 50))
			tb_inv_all(&tb);
	}
	tb_fini(&tb);
}

static void test_random_commands(void **state)
{
	struct tb_rng rng = { tb_seed("hostile commands", 0xc0dd) };
	const uint64_t run = amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN);
	uint64_t scratch, ctrl, ev[8][2];
	unsigned int i, stops = 0;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	scratch = tb_alloc(&tb, 4096, 4096);
	ctrl = amdvi_mmio_read(tb.iommu, AMDVI_CONTROL, 8);
	for (i = 0; i < 3000; i++) {
		uint64_t q0 = tb_rand(&rng), q1 = tb_rand(&rng);

		if (tb_below(&rng, 2))
			q0 &= ~amdvi_dmask(AMDVI_CMD_OPCODE) |
			      amdvi_dprep(AMDVI_CMD_OPCODE, 0x8 | 0x7);
		if (tb_below(&rng, 2)) {
			q0 = amdvi_dprep(AMDVI_CMD_OPCODE,
					 1 + tb_below(&rng, 8)) |
			     (q0 & 0xffff);
			q1 &= ~0xff8ull;
		}
		if (amdvi_dget(&q0, AMDVI_CMD_OPCODE) ==
			    AMDVI_CMD_COMPLETION_WAIT &&
		    tb_below(&rng, 2))
			amdvi_dset(&q0, AMDVI_CMD_CW_ADDR,
				   (scratch + 8 * tb_below(&rng, 512)) >> 3);
		tb_cmd(&tb, q0, q1);
		if (!(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) & run)) {
			/* Skip the bad command, as a driver would. */
			stops++;
			amdvi_mmio_write(
				tb.iommu, AMDVI_CONTROL, 8,
				ctrl & ~amdvi_fmask(AMDVI_CTRL_CMDBUF_EN));
			amdvi_mmio_write(tb.iommu, AMDVI_CMDBUF_HEAD, 8,
					 tb.cmd_tail);
			amdvi_mmio_write(tb.iommu, AMDVI_CONTROL, 8, ctrl);
			assert_true(amdvi_mmio_read(tb.iommu, AMDVI_STATUS, 8) &
				    run);
		}
		while (tb_events(&tb, ev, 8))
			;
	}
	print_message("# %u of 3000 commands stopped the buffer\n", stops);
	assert_true(stops > 100 && stops < 2900);
	tb_sync(&tb);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_tables),
		cmocka_unit_test(test_self_loop),
		cmocka_unit_test(test_random_dtes),
		cmocka_unit_test(test_random_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
