// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hostile input: random STEs, CDs, level-1 descriptors and tables full of
 * pointers into (and out of) memory; random commands; random register
 * writes; loops in tables; queue indexes and sizes past the end. The SMMU
 * must answer with architectural results -- a translation, or an abort with
 * one of the events the architecture defines -- and never touch memory it
 * was not given (ASan/UBSan builds check the host side).
 */
#include <string.h>

#include "smmuv3_tb.h"

static bool known_event(unsigned int id)
{
	switch (id) {
	case 0:
	case SMMU_EVT_C_BAD_STREAMID:
	case SMMU_EVT_F_STE_FETCH:
	case SMMU_EVT_C_BAD_STE:
	case SMMU_EVT_F_STREAM_DISABLED:
	case SMMU_EVT_C_BAD_SUBSTREAMID:
	case SMMU_EVT_F_CD_FETCH:
	case SMMU_EVT_C_BAD_CD:
	case SMMU_EVT_F_WALK_EABT:
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION:
	case SMMU_EVT_F_BAD_ATS_TREQ:
		return true;
	default:
		return false;
	}
}

/* A random word that is often a pointer into bench memory. */
static uint64_t rnd_word(struct tb *tb, struct tb_rng *r, uint64_t garbage,
			 uint64_t size)
{
	switch (tb_below(r, 4)) {
	case 0:
		return tb_rand(r);
	case 1:
		/* A descriptor pointing into the garbage, low bits random. */
		return (garbage + tb_below(r, size)) | tb_below(r, 4096) |
		       (tb_rand(r) & 0xfff0000000000003ull);
	case 2:
		return tb_rand(r) & 0xffffffffull;
	default:
		return 0;
	}
}

static void drain(struct tb *tb)
{
	uint64_t evt[4];

	while (tb_event(tb, evt))
		assert_true(known_event(smmu_dget(evt, SMMU_EVT_ID)));
}

static void randomize(struct tb *tb, struct tb_rng *r, uint64_t garbage,
		      uint64_t size)
{
	uint64_t *g = tb_ptr(garbage);
	unsigned int i, w;

	for (i = 0; i < size / 8; i++)
		g[i] = rnd_word(tb, r, garbage, size);
	for (i = 0; i < (1u << TB_STE_LOG2); i++) {
		uint64_t *ste = tb_ste(tb, i);

		for (w = 0; w < 8; w++)
			ste[w] = rnd_word(tb, r, garbage, size);
		/* Make most STEs valid translating ones, to get further. */
		if (tb_below(r, 4)) {
			smmu_dset(ste, SMMU_STE_V, 1);
			smmu_dset(ste, SMMU_STE_CONFIG, 4 + tb_below(r, 4));
		}
	}
	/* CDs in the garbage: valid-looking ones. */
	for (i = 0; i < size / 64; i += 1 + (unsigned int)tb_below(r, 8)) {
		uint64_t *cd = &g[i * 8];

		if (tb_below(r, 2)) {
			smmu_dset(cd, SMMU_CD_V, 1);
			smmu_dset(cd, SMMU_CD_AA64, 1);
			smmu_dset(cd, SMMU_CD_ENDI, 0);
			smmu_dset(cd, SMMU_CD_T0SZ, 16 + tb_below(r, 24));
		}
	}
}

static void test_random_structures(void **state)
{
	struct tb_rng r = { tb_seed("random structures", 0xbadc0de) };
	uint64_t garbage, size = 1ull << 20;
	unsigned int i, ok = 0, faults = 0;
	struct tb tb;

	tb_init(&tb, NULL);
	tb_wr(&tb, SMMU_CR2, (uint32_t)smmu_fprep(SMMU_CR2_RECINVSID, 1));
	garbage = tb_alloc(&tb, size, 1ull << 16);
	for (i = 0; i < 30000; i++) {
		struct smmuv3_xlate x;
		struct smmuv3_ats a;
		uint32_t sid = (uint32_t)tb_below(&r, 300);
		uint32_t ssid = tb_below(&r, 2)
					? SMMUV3_NO_SSID
					: (uint32_t)tb_below(&r, 1u << 21);
		uint64_t iova = tb_below(&r, 2) ? tb_rand(&r)
						: tb_below(&r, 1ull << 32);
		unsigned int access = (unsigned int)tb_below(&r, 16);
		int ret;

		if (i % 3000 == 0) {
			randomize(&tb, &r, garbage, size);
			assert_int_equal(tb_cfgi_all(&tb), 0);
			assert_int_equal(tb_tlbi_all(&tb), 0);
		}
		ret = smmuv3_translate(tb.smmu, sid, ssid, iova, access, &x);
		if (!ret) {
			assert_int_equal(x.status, SMMUV3_OK);
			ok++;
		} else {
			assert_int_equal(ret, -EFAULT);
			assert_true(known_event(x.event));
			faults++;
		}
		if (i % 7 == 0)
			smmuv3_ats_translate(tb.smmu, sid, ssid, iova, access,
					     &a);
		if (i % 16 == 0)
			drain(&tb);
	}
	drain(&tb);
	print_message("# %u translated, %u faulted\n", ok, faults);
	assert_true(faults > 0);
	tb_fini(&tb);
}

/* 2-level stream tables with random level-1 descriptors and geometry. */
static void test_random_strtab(void **state)
{
	struct tb_rng r = { tb_seed("random strtab", 0x57ab) };
	uint64_t garbage, size = 1ull << 20;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	tb_wr(&tb, SMMU_CR2, (uint32_t)smmu_fprep(SMMU_CR2_RECINVSID, 1));
	garbage = tb_alloc(&tb, size, 1ull << 16);
	randomize(&tb, &r, garbage, size);
	for (i = 0; i < 2000; i++) {
		struct smmuv3_xlate x;

		if (i % 50 == 0) {
			uint64_t base = tb_below(&r, 2)
						? garbage + tb_below(&r, size)
						: tb_rand(&r);

			tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) & ~1u);
			tb_wr64(&tb, SMMU_STRTAB_BASE, base);
			tb_wr(&tb, SMMU_STRTAB_BASE_CFG, (uint32_t)tb_rand(&r));
			tb_wr(&tb, SMMU_CR0, tb_rd(&tb, SMMU_CR0) | 1u);
			assert_int_equal(tb_cfgi_all(&tb), 0);
		}
		if (smmuv3_translate(
			    tb.smmu, (uint32_t)tb_rand(&r) >> tb_below(&r, 32),
			    SMMUV3_NO_SSID, tb_rand(&r), SMMUV3_READ, &x))
			assert_true(known_event(x.event));
		drain(&tb);
	}
	tb_fini(&tb);
}

/*
 * Writes CMDQ_PROD and recovers from each command error as a driver does:
 * the culprit is replaced by a CMD_SYNC and the error acknowledged.
 */
static unsigned int kick(struct tb *tb)
{
	uint32_t qmask = (1u << TB_CMDQ_LOG2) - 1;
	unsigned int errors = 0;

	tb_wr(tb, SMMU_CMDQ_PROD, tb->cmdq_prod);
	while (smmu_fget(tb_rd(tb, SMMU_GERROR) ^ tb_rd(tb, SMMU_GERRORN),
			 SMMU_GERROR_CMDQ_ERR)) {
		uint32_t c = tb_rd(tb, SMMU_CMDQ_CONS);
		uint64_t *bad = tb_ptr(tb->cmdq + 16ull * (c & qmask));

		assert_int_equal(smmu_fget(c, SMMU_CMDQ_CONS_ERR),
				 SMMU_CERROR_ILL);
		bad[0] = smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC);
		bad[1] = 0;
		errors++;
		tb_wr(tb, SMMU_GERRORN,
		      tb_rd(tb, SMMU_GERRORN) ^
			      (uint32_t)smmu_fmask(SMMU_GERROR_CMDQ_ERR));
	}
	return errors;
}

static void test_random_commands(void **state)
{
	struct tb_rng r = { tb_seed("random commands", 0xc0ffee) };
	static const uint8_t ops[] = {
		SMMU_CMD_PREFETCH_CONFIG,
		SMMU_CMD_CFGI_STE,
		SMMU_CMD_CFGI_STE_RANGE,
		SMMU_CMD_CFGI_CD,
		SMMU_CMD_CFGI_CD_ALL,
		SMMU_CMD_TLBI_NH_ALL,
		SMMU_CMD_TLBI_NH_ASID,
		SMMU_CMD_TLBI_NH_VA,
		SMMU_CMD_TLBI_NH_VAA,
		SMMU_CMD_TLBI_S12_VMALL,
		SMMU_CMD_TLBI_S2_IPA,
		SMMU_CMD_TLBI_NSNH_ALL,
		SMMU_CMD_ATC_INV,
		SMMU_CMD_PRI_RESP_OP,
		SMMU_CMD_RESUME,
		SMMU_CMD_STALL_TERM,
		SMMU_CMD_SYNC,
	};
	uint32_t qmask = (1u << TB_CMDQ_LOG2) - 1;
	unsigned int i, errors = 0;
	struct tb tb;

	tb_init(&tb, NULL);
	for (i = 0; i < 4000; i++) {
		uint64_t *s = tb_ptr(tb.cmdq + 16ull * (tb.cmdq_prod & qmask));
		uint64_t c0 = tb_rand(&r), c1 = tb_rand(&r);

		if (tb_below(&r, 4)) {
			c0 &= ~0xffull;
			c0 |= ops[tb_below(&r, sizeof(ops))];
		}
		/* CMD_SYNC MSIs aimed anywhere must not escape memory. */
		s[0] = c0;
		s[1] = c1;
		tb.cmdq_prod = (tb.cmdq_prod + 1) & ((2u << TB_CMDQ_LOG2) - 1);
		/* Batches of random length, never more than the queue. */
		if (tb_below(&r, 8) && (tb.cmdq_prod & 63))
			continue;
		errors += kick(&tb);
	}
	errors += kick(&tb);
	assert_int_equal(tb_rd(&tb, SMMU_CMDQ_CONS) &
				 ((2u << TB_CMDQ_LOG2) - 1),
			 tb.cmdq_prod);
	print_message("# %u command errors\n", errors);
	assert_true(errors > 0);
	tb_fini(&tb);
}

/* After a storm of random register writes, a clean setup still works. */
static void test_random_registers(void **state)
{
	struct tb_rng r = { tb_seed("random registers", 0x4e6) };
	struct pt_table *t;
	uint64_t *cd, pa;
	unsigned int i;
	struct smmuv3_xlate x;
	struct tb tb;

	tb_init(&tb, NULL);
	for (i = 0; i < 20000; i++) {
		uint64_t off = tb_below(&r, SMMU_MMIO_SIZE + 64);
		unsigned int size = tb_below(&r, 2) ? 4 : 8;

		if (tb_below(&r, 4))
			off &= ~(uint64_t)(size - 1);
		smmuv3_mmio_write(tb.smmu, off, size, tb_rand(&r));
		smmuv3_mmio_read(tb.smmu, tb_below(&r, SMMU_MMIO_SIZE), size);
		if (i % 64 == 0)
			smmuv3_translate(tb.smmu, (uint32_t)tb_below(&r, 512),
					 SMMUV3_NO_SSID, tb_rand(&r),
					 SMMUV3_READ, &x);
	}
	/* Program it again from scratch, as a driver's reset path does. */
	tb_wr(&tb, SMMU_CR0, 0);
	tb_wr(&tb, SMMU_GERRORN, tb_rd(&tb, SMMU_GERROR));
	tb_wr64(&tb, SMMU_STRTAB_BASE, tb.strtab);
	tb_wr(&tb, SMMU_STRTAB_BASE_CFG, TB_STE_LOG2);
	tb_wr64(&tb, SMMU_CMDQ_BASE, tb.cmdq | TB_CMDQ_LOG2);
	tb_wr(&tb, SMMU_CMDQ_PROD, 0);
	tb_wr(&tb, SMMU_CMDQ_CONS, 0);
	tb.cmdq_prod = 0;
	tb_wr64(&tb, SMMU_EVENTQ_BASE, tb.evtq | TB_EVTQ_LOG2);
	tb_wr(&tb, SMMU_EVENTQ_PROD, 0);
	tb_wr(&tb, SMMU_EVENTQ_CONS, 0);
	tb_wr(&tb, SMMU_IRQ_CTRL, 0);
	tb_wr(&tb, SMMU_CR0, 0xd);
	assert_int_equal(tb_cfgi_all(&tb), 0);
	assert_int_equal(tb_tlbi_all(&tb), 0);
	t = tb_pt(&tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	pa = tb_alloc(&tb, 4096, 4096);
	tb_map(t, 0x1000, pa, 4096, PT_PROT_READ);
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	tb_cd(cd, 1, t);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, 0x1008,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == pa + 8);
	tb_fini(&tb);
}

/* Tables that point at themselves: the walk ends after its levels. */
static void test_table_loops(void **state)
{
	uint64_t root, *cd, evt[4], *rt;
	struct smmuv3_xlate x;
	struct pt_table *s2;
	struct tb tb;

	tb_init(&tb, NULL);
	root = tb_alloc(&tb, 4096, 4096);
	rt = tb_ptr(root);
	/* Entry 0 of every level is a table descriptor to the root. */
	rt[0] = root | 3;
	cd = tb_ptr(tb_alloc(&tb, 64, 64));
	memset(cd, 0, 64);
	smmu_dset(cd, SMMU_CD_V, 1);
	smmu_dset(cd, SMMU_CD_T0SZ, 16);
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	smmu_dset(cd, SMMU_CD_TTB0, root >> 4);
	tb_ste_s1(tb_ste(&tb, 1), tb_pa(cd), 0, 0, 0);
	/* At level 3 the descriptor reads as a page, AF clear. */
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, 0x123,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, SMMU_EVT_F_ACCESS);
	drain(&tb);
	/* With hardware AF update the "page" is the table itself. */
	smmu_dset(cd, SMMU_CD_HA, 1);
	assert_int_equal(tb_cfgi_cd(&tb, 1, 0), 0);
	assert_int_equal(smmuv3_translate(tb.smmu, 1, SMMUV3_NO_SSID, 0x123,
					  SMMUV3_READ | SMMUV3_PRIV, &x),
			 0);
	assert_true(x.oa == root + 0x123);

	/* A stage 2 table that loops, reached for a nested CD fetch. */
	s2 = tb_pt(&tb, PT_FMT_ARM_S2, 12, 40, 3, false);
	tb_ste_s1(tb_ste(&tb, 2), 0x0, 0, 0, 0);
	tb_ste_add_s2(tb_ste(&tb, 2), 3, s2);
	rt = tb_ptr(pt_root(pt_table_walk_ctx(s2)));
	rt[0] = pt_root(pt_table_walk_ctx(s2)) | 3;
	assert_int_equal(smmuv3_translate(tb.smmu, 2, SMMUV3_NO_SSID, 0,
					  SMMUV3_READ, &x),
			 -EFAULT);
	assert_true(tb_event(&tb, evt));
	assert_true(known_event(smmu_dget(evt, SMMU_EVT_ID)));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_S2), 1);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_CLASS), SMMU_CLASS_CD);
	tb_fini(&tb);
}

static void test_queue_indexes(void **state)
{
	struct smmuv3_xlate x;
	unsigned int i;
	struct tb tb;

	tb_init(&tb, NULL);
	/* PROD with every bit set: index and wrap bit are all that count. */
	tb_wr(&tb, SMMU_CMDQ_PROD, 0xffffffffu);
	assert_true(smmu_fget(tb_rd(&tb, SMMU_GERROR), SMMU_GERROR_CMDQ_ERR));
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_CMDQ_CONS),
				   SMMU_CMDQ_CONS_ERR),
			 SMMU_CERROR_ILL);
	/* EVENTQ_CONS with every bit set, then faults: no stray writes. */
	tb_wr(&tb, SMMU_EVENTQ_CONS, 0xffffffffu);
	for (i = 0; i < 200; i++)
		smmuv3_translate(tb.smmu, 250, SMMUV3_NO_SSID, 0, SMMUV3_READ,
				 &x);
	/* Queues larger than memory: capped LOG2SIZE, then aborts. */
	tb_wr(&tb, SMMU_CR0, 0);
	tb_wr64(&tb, SMMU_CMDQ_BASE, 0x70000000ull | 31);
	tb_wr64(&tb, SMMU_EVENTQ_BASE, 0x70000000ull | 31);
	tb_wr(&tb, SMMU_GERRORN, tb_rd(&tb, SMMU_GERROR));
	tb_wr(&tb, SMMU_CMDQ_CONS, 0);
	tb_wr(&tb, SMMU_EVENTQ_PROD, 0x7ffff);
	tb_wr(&tb, SMMU_EVENTQ_CONS, 0);
	tb_wr(&tb, SMMU_CR0, 0xd);
	tb_wr(&tb, SMMU_CMDQ_PROD, 0x7ffff);
	assert_int_equal(smmu_fget(tb_rd(&tb, SMMU_CMDQ_CONS),
				   SMMU_CMDQ_CONS_ERR),
			 SMMU_CERROR_ABT);
	smmuv3_translate(tb.smmu, 250, SMMUV3_NO_SSID, 0, SMMUV3_READ, &x);
	assert_true(
		smmu_fget(tb_rd(&tb, SMMU_GERROR) ^ tb_rd(&tb, SMMU_GERRORN),
			  SMMU_GERROR_EVTQ_ABT_ERR));
	/* StreamIDs far beyond any table. */
	for (i = 0; i < 32; i++) {
		smmuv3_translate(tb.smmu, 0xffffffffu >> i, 7, 0, SMMUV3_WRITE,
				 &x);
		assert_int_equal(x.status, SMMUV3_ABORT);
	}
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_structures),
		cmocka_unit_test(test_random_strtab),
		cmocka_unit_test(test_random_commands),
		cmocka_unit_test(test_random_registers),
		cmocka_unit_test(test_table_loops),
		cmocka_unit_test(test_queue_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
