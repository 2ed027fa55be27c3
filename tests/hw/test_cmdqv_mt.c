// SPDX-License-Identifier: BSD-3-Clause
/*
 * Tegra241 CMDQV model under threads: the consumer thread runs commands
 * with no kick (bounded wait) and sleeps when idle; several guests drive
 * their own queues while the host reads registers and kicks, in the
 * threaded and the synchronous consumption modes. Run under TSan to check
 * the locking.
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "hw/tegra241-cmdqv/cmdqv.h"
#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)
#define QLOG2 4
#define NGUESTS 4
#define PER_GUEST 3000

struct mtb {
	struct tb tb;
	struct cmdqv *cv;
	unsigned int nerr; /* atomic */
};

struct guest {
	struct mtb *m;
	unsigned int vintf;
	uint64_t base;
	uint32_t prod;
	bool ok;
};

static void on_error(void *priv, unsigned int vintf, unsigned int lvcmdq,
		     const uint64_t map[2], unsigned int cerror)
{
	struct mtb *m = priv;

	__atomic_fetch_add(&m->nerr, 1, __ATOMIC_RELAXED);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void mtb_init(struct mtb *m, enum cmdqv_consume mode)
{
	struct cmdqv_config cfg;

	memset(m, 0, sizeof(*m));
	tb_init(&m->tb, NULL);
	cmdqv_config_default(&cfg);
	cfg.smmu = m->tb.smmu;
	cfg.mem = m->tb.cfg.mem;
	cfg.mem_priv = m->tb.cfg.mem_priv;
	cfg.consume = mode;
	cfg.on_error = on_error;
	cfg.err_priv = m;
	m->cv = cmdqv_create(&cfg);
	assert_false(IS_ERR(m->cv));
	assert_int_equal(cmdqv_mmio_write(m->cv, CMDQV_CONFIG, 4, 1), 0);
}

static void mtb_fini(struct mtb *m)
{
	cmdqv_destroy(m->cv);
	tb_fini(&m->tb);
}

/* VINTF @v (guest-owned, VMID 10 + v) with global VCMDQ v as LVCMDQ 0. */
static void guest_setup(struct mtb *m, struct guest *g, unsigned int v)
{
	memset(g, 0, sizeof(*g));
	g->m = m;
	g->vintf = v;
	g->base = tb_alloc(&m->tb, 16u << QLOG2, 16u << QLOG2);
	assert_int_equal(
		cmdqv_mmio_write(m->cv, CMDQV_VINTF(v) + CMDQV_VINTF_CONFIG, 4,
				 smmu_fprep(CMDQV_VINTF_CONFIG_EN, 1) |
					 smmu_fprep(CMDQV_VINTF_CONFIG_VMID,
						    10 + v)),
		0);
	assert_int_equal(
		cmdqv_mmio_write(m->cv, CMDQV_CMDQ_ALLOC(v), 4,
				 smmu_fprep(CMDQV_CMDQ_ALLOC_ALLOCATED, 1) |
					 smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, v)),
		0);
	assert_int_equal(
		cmdqv_mmio_write(m->cv, CMDQV_VINTF_PAGE1(v) + CMDQV_VCMDQ_BASE,
				 8, g->base | QLOG2),
		0);
	assert_int_equal(
		cmdqv_vintf_mmio_write(m->cv, v, CMDQV_VCMDQ_CONFIG, 4, 1), 0);
}

static uint32_t gcons(struct guest *g)
{
	return (uint32_t)cmdqv_vintf_mmio_read(g->m->cv, g->vintf,
					       CMDQV_VCMDQ_CONS, 4) &
	       ((2u << QLOG2) - 1);
}

static void gpush(struct guest *g, uint64_t c0, uint64_t c1)
{
	uint64_t *s = tb_ptr(g->base + 16ull * (g->prod & ((1u << QLOG2) - 1)));

	s[0] = c0;
	s[1] = c1;
	g->prod = (g->prod + 1) & ((2u << QLOG2) - 1);
}

/* Polls CONS until it reaches PROD, for at most 10 s. */
static bool wait_drained(struct guest *g)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + 10000000000ull;

	while (gcons(g) != g->prod) {
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			return false;
		sched_yield();
	}
	return true;
}

static uint64_t tlbi_va(uint16_t asid)
{
	return smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_VA) |
	       smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
}

static void test_thread_consumes(void **state)
{
	struct cmdqv_stats st;
	struct pt_table *t;
	struct smmuv3_xlate x;
	uint64_t pa, alt, *cd, *leaf, cpu;
	struct guest g;
	struct mtb m;

	mtb_init(&m, CMDQV_CONSUME_THREAD);
	t = tb_pt(&m.tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	pa = tb_alloc(&m.tb, 4096, 4096);
	alt = tb_alloc(&m.tb, 4096, 4096);
	tb_map(t, VA, pa, 4096, RW);
	cd = tb_ptr(tb_alloc(&m.tb, 64, 64));
	tb_cd(cd, 3, t);
	tb_ste_s1(tb_ste(&m.tb, 1), tb_pa(cd), 0, 0, 0);
	smmu_dset(tb_ste(&m.tb, 1), SMMU_STE_S2VMID, 11);
	guest_setup(&m, &g, 1);
	assert_int_equal(smmuv3_translate(m.tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == pa);
	leaf = tb_leaf(t, VA, false, &m.tb);
	*leaf = (*leaf & ~(((1ull << 48) - 1) & ~0xfffull)) | alt;

	gpush(&g, tlbi_va(3), smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12));
	gpush(&g, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC), 0);
	/* No kick: the consumer thread notices PROD. */
	assert_int_equal(cmdqv_vintf_mmio_write(m.cv, 1, CMDQV_VCMDQ_PROD, 4,
						g.prod),
			 0);
	assert_true(wait_drained(&g));
	assert_int_equal(smmuv3_translate(m.tb.smmu, 1, SMMUV3_NO_SSID, VA,
					  SMMUV3_READ, &x),
			 0);
	assert_true(x.oa == alt);
	cmdqv_get_stats(m.cv, &st);
	assert_true(st.wakeups >= 1);
	assert_true(st.commands == 2);

	/* Idle: the thread sleeps rather than spinning on a core. */
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	print_message("# idle CPU over 200 ms: %" PRIu64 " us\n", cpu / 1000);
	assert_true(cpu < 100000000ull);
	mtb_fini(&m);
}

static void *guest_main(void *arg)
{
	struct guest *g = arg;
	unsigned int done = 0, i, n;

	g->ok = false;
	while (done < PER_GUEST) {
		n = ufd_min(PER_GUEST - done, (1u << QLOG2) - 1);
		for (i = 0; i + 1 < n; i++)
			gpush(g, tlbi_va((uint16_t)i),
			      smmu_dprep(SMMU_CMD_TLBI_VA, (VA >> 12) + i));
		gpush(g, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC), 0);
		if (cmdqv_vintf_mmio_write(g->m->cv, g->vintf, CMDQV_VCMDQ_PROD,
					   4, g->prod))
			return NULL;
		if (!wait_drained(g))
			return NULL;
		done += n;
	}
	g->ok = true;
	return NULL;
}

struct host_arg {
	struct mtb *m;
	bool stop; /* atomic */
	unsigned long reads;
	unsigned long bad;
};

/* The host reads the error maps and status, and kicks, meanwhile. */
static void *host_main(void *arg)
{
	struct host_arg *h = arg;
	unsigned int v;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		/* cmocka asserts only in the main thread: count instead. */
		if (cmdqv_mmio_read(h->m->cv, CMDQV_VINTF_ERR_MAP, 4))
			h->bad++;
		for (v = 0; v < NGUESTS; v++)
			cmdqv_mmio_read(h->m->cv,
					CMDQV_VINTF(v) + CMDQV_VINTF_STATUS, 4);
		cmdqv_kick(h->m->cv);
		h->reads++;
		sched_yield();
	}
	return NULL;
}

static void run_concurrent(enum cmdqv_consume mode)
{
	pthread_t gt[NGUESTS], ht;
	struct guest g[NGUESTS];
	struct host_arg h;
	struct cmdqv_stats st;
	struct mtb m;
	unsigned int i;

	mtb_init(&m, mode);
	memset(&h, 0, sizeof(h));
	h.m = &m;
	for (i = 0; i < NGUESTS; i++)
		guest_setup(&m, &g[i], i);
	assert_int_equal(pthread_create(&ht, NULL, host_main, &h), 0);
	for (i = 0; i < NGUESTS; i++)
		assert_int_equal(
			pthread_create(&gt[i], NULL, guest_main, &g[i]), 0);
	for (i = 0; i < NGUESTS; i++)
		pthread_join(gt[i], NULL);
	__atomic_store_n(&h.stop, true, __ATOMIC_RELEASE);
	pthread_join(ht, NULL);
	for (i = 0; i < NGUESTS; i++) {
		assert_true(g[i].ok);
		assert_int_equal(gcons(&g[i]), g[i].prod);
	}
	assert_int_equal(h.bad, 0);
	assert_int_equal(__atomic_load_n(&m.nerr, __ATOMIC_RELAXED), 0);
	cmdqv_get_stats(m.cv, &st);
	assert_true(st.commands == (uint64_t)NGUESTS * PER_GUEST);
	assert_true(st.errors == 0);
	mtb_fini(&m);
}

static void test_concurrent_thread(void **state)
{
	run_concurrent(CMDQV_CONSUME_THREAD);
}

static void test_concurrent_sync(void **state)
{
	run_concurrent(CMDQV_CONSUME_SYNC);
}

static void test_concurrent_kick(void **state)
{
	run_concurrent(CMDQV_CONSUME_KICK);
}

/* Destroying with the thread asleep, and with work still pending. */
static void test_destroy_with_work(void **state)
{
	struct guest g;
	struct mtb m;
	unsigned int i;

	mtb_init(&m, CMDQV_CONSUME_THREAD);
	mtb_fini(&m);
	mtb_init(&m, CMDQV_CONSUME_THREAD);
	guest_setup(&m, &g, 2);
	for (i = 0; i < 10; i++)
		gpush(&g, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC), 0);
	assert_int_equal(cmdqv_vintf_mmio_write(m.cv, 2, CMDQV_VCMDQ_PROD, 4,
						g.prod),
			 0);
	mtb_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_consumes),
		cmocka_unit_test(test_concurrent_thread),
		cmocka_unit_test(test_concurrent_sync),
		cmocka_unit_test(test_concurrent_kick),
		cmocka_unit_test(test_destroy_with_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
