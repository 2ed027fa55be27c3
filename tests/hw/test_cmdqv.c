// SPDX-License-Identifier: BSD-3-Clause
/*
 * Tegra241 CMDQV hardware model: the host programs the CMDQV through its
 * registers (VINTFs with VMIDs, VCMDQs mapped to LVCMDQs, SID match/replace
 * pairs), a "guest" writes commands into its queue memory and moves PROD
 * through its own VINTF page, and the tests check what reached the SMMU
 * model: stale IOTLB entries gone or kept, the StreamID an ATC invalidation
 * reached, and how illegal commands and bad queue memory stop a queue and
 * show in the error maps.
 */
#include <string.h>

#include "base/err.h"
#include "hw/tegra241-cmdqv/cmdqv.h"
#include "smmuv3_tb.h"

#define VA 0x40000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)
#define QLOG2 4 /* 16-entry queues: tests wrap them */
#define QWIN_SIZE (1ull << 20)

struct ctb {
	struct tb tb;
	struct cmdqv *cv;
	struct cmdqv_config cfg;
	/* The CMDQV's memory: one window of bench RAM, nothing else. */
	uint64_t win_lo, win_hi;
	uint64_t win_next;
	/* Last on_error report. */
	unsigned int nerr;
	unsigned int err_vintf, err_lidx, err_cerror;
	uint64_t err_map[2];
	/* ATC invalidations seen by the device behind the SMMU. */
	unsigned int natc;
	uint32_t atc_sid;
};

/* A guest's view of one of its LVCMDQs. */
struct gq {
	struct ctb *c;
	unsigned int vintf, lidx;
	uint64_t base;
	unsigned int log2;
	uint32_t prod;
};

static void *win_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct ctb *c = priv;

	if (pa < c->win_lo || pa >= c->win_hi || len > c->win_hi - pa)
		return ERR_PTR(-EFAULT);
	return tb_ptr(pa);
}

static const struct pt_mem_ops win_ops = { .map = win_map };

static void on_error(void *priv, unsigned int vintf, unsigned int lvcmdq,
		     const uint64_t map[2], unsigned int cerror)
{
	struct ctb *c = priv;

	c->nerr++;
	c->err_vintf = vintf;
	c->err_lidx = lvcmdq;
	c->err_cerror = cerror;
	c->err_map[0] = map[0];
	c->err_map[1] = map[1];
}

static void ctb_init_cfg(struct ctb *c, void (*tweak)(struct cmdqv_config *))
{
	memset(c, 0, sizeof(*c));
	tb_init(&c->tb, NULL);
	c->win_lo = tb_alloc(&c->tb, QWIN_SIZE, QWIN_SIZE);
	c->win_hi = c->win_lo + QWIN_SIZE;
	c->win_next = c->win_lo;
	cmdqv_config_default(&c->cfg);
	c->cfg.smmu = c->tb.smmu;
	c->cfg.mem = &win_ops;
	c->cfg.mem_priv = c;
	c->cfg.on_error = on_error;
	c->cfg.err_priv = c;
	if (tweak)
		tweak(&c->cfg);
	c->cv = cmdqv_create(&c->cfg);
	assert_false(IS_ERR(c->cv));
}

static void ctb_init(struct ctb *c)
{
	ctb_init_cfg(c, NULL);
}

static void ctb_fini(struct ctb *c)
{
	cmdqv_destroy(c->cv);
	tb_fini(&c->tb);
}

static uint64_t win_alloc(struct ctb *c, uint64_t size)
{
	uint64_t pa = (c->win_next + size - 1) & ~(size - 1);

	assert_true(pa + size <= c->win_hi);
	c->win_next = pa + size;
	return pa;
}

static uint32_t hrd(struct ctb *c, uint64_t off)
{
	return (uint32_t)cmdqv_mmio_read(c->cv, off, 4);
}

static void hwr(struct ctb *c, uint64_t off, uint32_t v)
{
	assert_int_equal(cmdqv_mmio_write(c->cv, off, 4, v), 0);
}

static void host_enable(struct ctb *c)
{
	hwr(c, CMDQV_CONFIG, (uint32_t)smmu_fprep(CMDQV_CONFIG_EN, 1));
	assert_int_equal(hrd(c, CMDQV_STATUS), 1);
}

static void host_vintf(struct ctb *c, unsigned int v, uint16_t vmid,
		       bool hyp_own)
{
	hwr(c, CMDQV_VINTF(v) + CMDQV_VINTF_CONFIG,
	    (uint32_t)(smmu_fprep(CMDQV_VINTF_CONFIG_EN, 1) |
		       smmu_fprep(CMDQV_VINTF_CONFIG_VMID, vmid) |
		       smmu_fprep(CMDQV_VINTF_CONFIG_HYP_OWN, hyp_own)));
}

static void host_sid(struct ctb *c, unsigned int v, unsigned int slot,
		     uint32_t vsid, uint32_t psid, bool enable)
{
	hwr(c, CMDQV_VINTF(v) + CMDQV_VINTF_SID_REPLACE(slot), psid);
	hwr(c, CMDQV_VINTF(v) + CMDQV_VINTF_SID_MATCH(slot),
	    (uint32_t)(smmu_fprep(CMDQV_SID_MATCH_VSID, vsid) |
		       smmu_fprep(CMDQV_SID_MATCH_ENABLE, enable)));
}

/*
 * The host maps global VCMDQ @q to LVCMDQ @lidx of VINTF @v and points its
 * base (through the VINTF's page 1) at fresh window memory.
 */
static void host_lvcmdq(struct ctb *c, struct gq *g, unsigned int q,
			unsigned int v, unsigned int lidx, unsigned int log2)
{
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->vintf = v;
	g->lidx = lidx;
	g->log2 = log2;
	g->base = win_alloc(c, 16ull << log2);
	hwr(c, CMDQV_CMDQ_ALLOC(q),
	    (uint32_t)(smmu_fprep(CMDQV_CMDQ_ALLOC_ALLOCATED, 1) |
		       smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, v) |
		       smmu_fprep(CMDQV_CMDQ_ALLOC_LVCMDQ, lidx)));
	assert_int_equal(cmdqv_mmio_write(c->cv,
					  CMDQV_VINTF_PAGE1(v) +
						  CMDQV_VCMDQ_STRIDE * lidx +
						  CMDQV_VCMDQ_BASE,
					  8, g->base | log2),
			 0);
}

static uint32_t grd(struct gq *g, unsigned int reg)
{
	return (uint32_t)cmdqv_vintf_mmio_read(
		g->c->cv, g->vintf, CMDQV_VCMDQ_STRIDE * g->lidx + reg, 4);
}

static void gwr(struct gq *g, unsigned int reg, uint32_t v)
{
	assert_int_equal(cmdqv_vintf_mmio_write(
				 g->c->cv, g->vintf,
				 CMDQV_VCMDQ_STRIDE * g->lidx + reg, 4, v),
			 0);
}

static void guest_enable(struct gq *g)
{
	gwr(g, CMDQV_VCMDQ_CONFIG, 1);
	assert_int_equal(grd(g, CMDQV_VCMDQ_STATUS), 1);
}

static uint64_t *gslot(struct gq *g, uint32_t idx)
{
	return tb_ptr(g->base + 16ull * (idx & ((1u << g->log2) - 1)));
}

/* Writes one command at PROD without publishing it. */
static void gpush(struct gq *g, uint64_t c0, uint64_t c1)
{
	uint64_t *s = gslot(g, g->prod);

	s[0] = c0;
	s[1] = c1;
	g->prod = (g->prod + 1) & ((2u << g->log2) - 1);
}

static void gpublish(struct gq *g)
{
	gwr(g, CMDQV_VCMDQ_PROD, g->prod);
}

static uint32_t gcons_idx(struct gq *g)
{
	return grd(g, CMDQV_VCMDQ_CONS) & ((2u << g->log2) - 1);
}

static bool gerr_active(struct gq *g)
{
	return grd(g, CMDQV_VCMDQ_GERROR) != grd(g, CMDQV_VCMDQ_GERRORN);
}

static uint64_t cmd_op(uint8_t op)
{
	return smmu_dprep(SMMU_CMD_OP, op);
}

static uint64_t tlbi0(uint8_t op, uint16_t vmid, uint16_t asid)
{
	return cmd_op(op) | smmu_dprep(SMMU_CMD_TLBI_VMID, vmid) |
	       smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
}

static uint64_t va1(uint64_t va)
{
	return smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12);
}

/* A stage-1 stream (VMID @vmid, ASID @asid) with pages at VA. */
struct s1 {
	struct pt_table *t;
	uint64_t *cd;
	uint64_t pa[4], alt[4];
};

static void setup_s1(struct tb *tb, uint32_t sid, uint16_t asid, uint16_t vmid,
		     struct s1 *s)
{
	unsigned int i;

	s->t = tb_pt(tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	for (i = 0; i < 4; i++) {
		s->pa[i] = tb_alloc(tb, 4096, 4096);
		s->alt[i] = tb_alloc(tb, 4096, 4096);
		tb_map(s->t, VA + 4096ull * i, s->pa[i], 4096, RW);
	}
	s->cd = tb_ptr(tb_alloc(tb, 64, 64));
	tb_cd(s->cd, asid, s->t);
	tb_ste_s1(tb_ste(tb, sid), tb_pa(s->cd), 0, 0, 0);
	smmu_dset(tb_ste(tb, sid), SMMU_STE_S2VMID, vmid);
}

static uint64_t xl(struct tb *tb, uint32_t sid, uint64_t iova)
{
	struct smmuv3_xlate x;

	assert_int_equal(smmuv3_translate(tb->smmu, sid, SMMUV3_NO_SSID, iova,
					  SMMUV3_READ, &x),
			 0);
	return x.oa;
}

/* Caches every page of @s, then remaps each behind the SMMU's back. */
static void fill_and_remap(struct tb *tb, uint32_t sid, struct s1 *s)
{
	uint64_t oa_mask = ((1ull << 48) - 1) & ~0xfffull;
	unsigned int i;
	uint64_t *leaf;

	/* After an earlier round the tables hold alt: that is now "pa". */
	for (i = 0; i < 4; i++) {
		leaf = tb_leaf(s->t, VA + 4096ull * i, false, tb);
		if ((*leaf & oa_mask) == s->alt[i]) {
			s->alt[i] = s->pa[i];
			s->pa[i] = *leaf & oa_mask;
		}
		assert_true(xl(tb, sid, VA + 4096ull * i) == s->pa[i]);
	}
	for (i = 0; i < 4; i++) {
		leaf = tb_leaf(s->t, VA + 4096ull * i, false, tb);
		*leaf = (*leaf & ~oa_mask) | s->alt[i];
	}
}

static bool stale(struct tb *tb, uint32_t sid, unsigned int i, struct s1 *s)
{
	uint64_t oa = xl(tb, sid, VA + 4096ull * i);

	assert_true(oa == s->pa[i] || oa == s->alt[i]);
	return oa == s->pa[i];
}

static void test_registers(void **state)
{
	struct ctb c;
	struct gq g;
	uint32_t p;

	ctb_init(&c);
	p = hrd(&c, CMDQV_PARAM);
	assert_int_equal(smmu_fget(p, CMDQV_PARAM_VER), 1);
	assert_int_equal(smmu_fget(p, CMDQV_PARAM_NUM_VINTF_LOG2), 2);
	assert_int_equal(smmu_fget(p, CMDQV_PARAM_NUM_VCMDQ_LOG2), 4);
	assert_int_equal(smmu_fget(p, CMDQV_PARAM_NUM_SID_PER_VM_LOG2), 4);
	assert_int_equal(cmdqv_mmio_size(c.cv), CMDQV_VINTF_PAGE0(4));
	/* Reset: disabled, nothing allocated, no errors. */
	assert_int_equal(hrd(&c, CMDQV_STATUS), 0);
	assert_int_equal(hrd(&c, CMDQV_CMDQ_ALLOC(3)), 0);
	assert_int_equal(hrd(&c, CMDQV_VINTF_ERR_MAP), 0);
	host_enable(&c);
	/* PARAM is read-only; unknown bits of CONFIG do not stick. */
	hwr(&c, CMDQV_PARAM, 0);
	assert_int_equal(hrd(&c, CMDQV_PARAM), p);
	hwr(&c, CMDQV_CONFIG, 0xffffffff);
	assert_int_equal(hrd(&c, CMDQV_CONFIG), 1);

	host_vintf(&c, 2, 0x1234, false);
	assert_int_equal(smmu_fget(hrd(&c, CMDQV_VINTF(2) + CMDQV_VINTF_CONFIG),
				   CMDQV_VINTF_CONFIG_VMID),
			 0x1234);
	assert_int_equal(smmu_fget(hrd(&c, CMDQV_VINTF(2) + CMDQV_VINTF_STATUS),
				   CMDQV_VINTF_STATUS_ENABLED),
			 1);
	host_lvcmdq(&c, &g, 9, 2, 0, QLOG2);
	assert_int_equal(smmu_fget(hrd(&c, CMDQV_VINTF(2) + CMDQV_VINTF_STATUS),
				   CMDQV_VINTF_STATUS_NUM_LVCMDQ),
			 1);
	/* CMDQ_ALLOC keeps its three fields only. */
	assert_int_equal(hrd(&c, CMDQV_CMDQ_ALLOC(9)),
			 smmu_fprep(CMDQV_CMDQ_ALLOC_ALLOCATED, 1) |
				 smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, 2));
	/* The base written through VINTF page 1 is global VCMDQ 9's. */
	assert_true(cmdqv_mmio_read(c.cv,
				    CMDQV_VCMDQ_PAGE1_BASE +
					    9 * CMDQV_VCMDQ_STRIDE +
					    CMDQV_VCMDQ_BASE,
				    8) == (g.base | QLOG2));
	assert_int_equal(hrd(&c, CMDQV_VCMDQ_PAGE1_BASE +
					 9 * CMDQV_VCMDQ_STRIDE +
					 CMDQV_VCMDQ_BASE + 4),
			 (uint32_t)(g.base >> 32));
	/* The guest's page and the global page 0 show the same queue. */
	guest_enable(&g);
	assert_int_equal(hrd(&c, CMDQV_VCMDQ_PAGE0_BASE +
					 9 * CMDQV_VCMDQ_STRIDE +
					 CMDQV_VCMDQ_CONFIG),
			 1);
	/* BASE and CONS are fixed while the queue is enabled. */
	assert_int_equal(cmdqv_mmio_write(c.cv,
					  CMDQV_VCMDQ_PAGE1_BASE +
						  9 * CMDQV_VCMDQ_STRIDE,
					  8, 0x1000),
			 0);
	assert_true(
		cmdqv_mmio_read(c.cv,
				CMDQV_VCMDQ_PAGE1_BASE + 9 * CMDQV_VCMDQ_STRIDE,
				8) == (g.base | QLOG2));
	gwr(&g, CMDQV_VCMDQ_CONS, 5);
	assert_int_equal(grd(&g, CMDQV_VCMDQ_CONS), 0);
	/* SID pairs read back; slots past PARAM's count do not exist. */
	host_sid(&c, 2, 15, 0x33, 0x4455, true);
	assert_int_equal(hrd(&c, CMDQV_VINTF(2) + CMDQV_VINTF_SID_MATCH(15)),
			 (0x33 << 1) | 1);
	assert_int_equal(hrd(&c, CMDQV_VINTF(2) + CMDQV_VINTF_SID_REPLACE(15)),
			 0x4455);
	/* Bad sizes and alignment: dropped with -EINVAL, read as zero. */
	assert_int_equal(cmdqv_mmio_write(c.cv, CMDQV_CONFIG, 2, 0), -EINVAL);
	assert_int_equal(cmdqv_mmio_write(c.cv, CMDQV_CONFIG + 2, 4, 0),
			 -EINVAL);
	assert_int_equal(cmdqv_mmio_write(c.cv, CMDQV_CONFIG, 8, 0), -EINVAL);
	assert_int_equal(hrd(&c, CMDQV_CONFIG), 1);
	assert_int_equal(cmdqv_mmio_write(c.cv, cmdqv_mmio_size(c.cv), 4, 0),
			 -EINVAL);
	assert_true(cmdqv_mmio_read(c.cv, cmdqv_mmio_size(c.cv), 4) == 0);
	assert_int_equal(cmdqv_vintf_mmio_write(c.cv, 2, 0x8, 8, 1), -EINVAL);
	assert_int_equal(cmdqv_vintf_mmio_write(c.cv, 2, CMDQV_PAGE_SIZE, 4, 1),
			 -EINVAL);
	ctb_fini(&c);
}

/*
 * Two VMs, each with a stream tagged by its VMID and the same ASID and VA.
 * VM A's guest names VM B's VMID in its TLBI: the hardware substitutes A's,
 * so A's stale entry goes and B's stays.
 */
static void test_tlbi_vmid_substituted(void **state)
{
	struct s1 sa, sb;
	struct gq ga, gb;
	struct ctb c;

	ctb_init(&c);
	setup_s1(&c.tb, 1, 7, 5, &sa);
	setup_s1(&c.tb, 2, 7, 6, &sb);
	host_enable(&c);
	host_vintf(&c, 1, 5, false);
	host_vintf(&c, 2, 6, false);
	host_lvcmdq(&c, &ga, 4, 1, 0, QLOG2);
	host_lvcmdq(&c, &gb, 8, 2, 0, QLOG2);
	guest_enable(&ga);
	guest_enable(&gb);
	fill_and_remap(&c.tb, 1, &sa);
	fill_and_remap(&c.tb, 2, &sb);
	assert_true(stale(&c.tb, 1, 0, &sa));
	assert_true(stale(&c.tb, 2, 0, &sb));

	gpush(&ga, tlbi0(SMMU_CMD_TLBI_NH_VA, 6, 7), va1(VA));
	gpush(&ga, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&ga);
	assert_int_equal(gcons_idx(&ga), 2);
	assert_false(gerr_active(&ga));
	assert_false(stale(&c.tb, 1, 0, &sa));
	assert_true(stale(&c.tb, 2, 0, &sb));
	assert_true(stale(&c.tb, 1, 1, &sa));

	/* By ASID: every page of A, none of B. */
	gpush(&ga, tlbi0(SMMU_CMD_TLBI_NH_ASID, 0, 7), 0);
	gpush(&ga, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&ga);
	assert_int_equal(gcons_idx(&ga), 4);
	assert_false(stale(&c.tb, 1, 1, &sa));
	assert_false(stale(&c.tb, 1, 3, &sa));
	assert_true(stale(&c.tb, 2, 1, &sb));

	/* B's own guest, with a VMID of 0, reaches B. */
	gpush(&gb, tlbi0(SMMU_CMD_TLBI_NH_VA, 0, 7), va1(VA + 4096));
	gpush(&gb, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&gb);
	assert_int_equal(gcons_idx(&gb), 2);
	assert_false(stale(&c.tb, 2, 1, &sb));
	assert_true(stale(&c.tb, 2, 2, &sb));
	assert_int_equal(c.nerr, 0);
	ctb_fini(&c);
}

/* A hypervisor-owned VINTF passes the VMID it is given. */
static void test_hyp_own_unchanged(void **state)
{
	struct s1 sa, sb;
	struct gq g;
	struct ctb c;

	ctb_init(&c);
	setup_s1(&c.tb, 1, 7, 5, &sa);
	setup_s1(&c.tb, 2, 7, 6, &sb);
	host_enable(&c);
	host_vintf(&c, 0, 5, true);
	host_lvcmdq(&c, &g, 0, 0, 0, QLOG2);
	guest_enable(&g);
	fill_and_remap(&c.tb, 1, &sa);
	fill_and_remap(&c.tb, 2, &sb);
	gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_VA, 6, 7), va1(VA));
	/* And commands a guest may not issue. */
	gpush(&g, cmd_op(SMMU_CMD_CFGI_STE) | smmu_dprep(SMMU_CMD_SID, 1), 0);
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	assert_int_equal(gcons_idx(&g), 3);
	assert_false(gerr_active(&g));
	assert_true(stale(&c.tb, 1, 0, &sa));
	assert_false(stale(&c.tb, 2, 0, &sb));
	ctb_fini(&c);
}

static int dev_atc(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
		   unsigned int size_lg2, bool global)
{
	struct ctb *c = priv;

	c->natc++;
	c->atc_sid = sid;
	return 0;
}

static const struct smmuv3_dev_ops atc_ops = { .atc_inval = dev_atc };

static void expect_stopped(struct ctb *c, struct gq *g, unsigned int q,
			   uint32_t at, unsigned int cerror)
{
	uint64_t lmap = 1ull << g->lidx;

	assert_true(gerr_active(g));
	assert_int_equal(gcons_idx(g), at);
	assert_int_equal(smmu_fget(grd(g, CMDQV_VCMDQ_CONS),
				   CMDQV_VCMDQ_CONS_ERR),
			 cerror);
	assert_true(cmdqv_mmio_read(c->cv,
				    CMDQV_VINTF(g->vintf) +
					    CMDQV_VINTF_LVCMDQ_ERR_MAP(0),
				    8) == lmap);
	assert_int_equal(hrd(c, CMDQV_CMDQ_ERR_MAP(q / 32)), 1u << (q % 32));
	assert_int_equal(hrd(c, CMDQV_VINTF_ERR_MAP), 1u << g->vintf);
	assert_int_equal(c->err_vintf, g->vintf);
	assert_int_equal(c->err_lidx, g->lidx);
	assert_int_equal(c->err_cerror, cerror);
	assert_true(c->err_map[0] == lmap && c->err_map[1] == 0);
}

/* The guest acknowledges; the maps clear and consumption resumes. */
static void ack(struct ctb *c, struct gq *g)
{
	gwr(g, CMDQV_VCMDQ_GERRORN, grd(g, CMDQV_VCMDQ_GERROR));
	assert_false(gerr_active(g));
	assert_int_equal(hrd(c, CMDQV_VINTF_ERR_MAP), 0);
	assert_true(cmdqv_mmio_read(c->cv,
				    CMDQV_VINTF(g->vintf) +
					    CMDQV_VINTF_LVCMDQ_ERR_MAP(0),
				    8) == 0);
}

static void test_atc_inv_sid_replaced(void **state)
{
	struct gq g;
	struct ctb c;

	ctb_init(&c);
	assert_int_equal(smmuv3_dev_register(c.tb.smmu, 0x21, &atc_ops, &c), 0);
	assert_int_equal(smmuv3_dev_register(c.tb.smmu, 3, &atc_ops, &c), 0);
	host_enable(&c);
	host_vintf(&c, 1, 9, false);
	host_sid(&c, 1, 0, 4, 0x99, false); /* a disabled slot */
	host_sid(&c, 1, 5, 3, 0x21, true);
	host_lvcmdq(&c, &g, 6, 1, 2, QLOG2);
	guest_enable(&g);
	gpush(&g,
	      cmd_op(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 3) |
		      smmu_dprep(SMMU_CMD_ATC_GLOBAL, 1),
	      smmu_dprep(SMMU_CMD_ATC_SIZE, SMMU_ATC_INV_SIZE_ALL));
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	assert_int_equal(gcons_idx(&g), 2);
	assert_int_equal(c.natc, 1);
	assert_int_equal(c.atc_sid, 0x21);

	/* vSID 4 is in a disabled slot: no device reached, queue stops. */
	gpush(&g, cmd_op(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 4), 0);
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	expect_stopped(&c, &g, 6, 2, SMMU_CERROR_ILL);
	assert_int_equal(c.natc, 1);
	/* The host enables the slot; acknowledging retries the command. */
	host_sid(&c, 1, 0, 4, 0x3, true);
	ack(&c, &g);
	assert_int_equal(gcons_idx(&g), 4);
	assert_int_equal(c.natc, 2);
	assert_int_equal(c.atc_sid, 3);
	ctb_fini(&c);
}

/* Everything but TLBI_NH_ASID/VA, ATC_INV and CMD_SYNC is illegal. */
static void test_illegal_stops_queue(void **state)
{
	static const uint8_t refused[] = {
		SMMU_CMD_TLBI_NH_ALL,
		SMMU_CMD_TLBI_NH_VAA,
		SMMU_CMD_TLBI_S12_VMALL,
		SMMU_CMD_TLBI_S2_IPA,
		SMMU_CMD_TLBI_NSNH_ALL,
		SMMU_CMD_CFGI_STE,
		SMMU_CMD_CFGI_STE_RANGE,
		SMMU_CMD_CFGI_CD,
		SMMU_CMD_CFGI_CD_ALL,
		SMMU_CMD_PREFETCH_CONFIG,
		SMMU_CMD_PRI_RESP_OP,
		SMMU_CMD_RESUME,
		SMMU_CMD_STALL_TERM,
		0x00,
		0x99,
	};
	struct s1 s;
	struct gq g;
	struct ctb c;
	unsigned int i, nerr = 0;
	uint32_t at;

	ctb_init(&c);
	setup_s1(&c.tb, 1, 7, 5, &s);
	host_enable(&c);
	host_vintf(&c, 3, 5, false);
	host_lvcmdq(&c, &g, 15, 3, 1, QLOG2);
	guest_enable(&g);
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		fill_and_remap(&c.tb, 1, &s);
		at = g.prod;
		gpush(&g, cmd_op(refused[i]) | smmu_dprep(SMMU_CMD_SID, 1), 0);
		gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_VA, 0, 7), va1(VA));
		gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
		gpublish(&g);
		expect_stopped(&c, &g, 15, at, SMMU_CERROR_ILL);
		assert_int_equal(c.nerr, ++nerr);
		/* Nothing after the failing command ran... */
		assert_true(stale(&c.tb, 1, 0, &s));
		/* ...and moving PROD does not restart the queue. */
		gpublish(&g);
		assert_int_equal(gcons_idx(&g), at);
		/* The guest skips the command, as a driver does. */
		gslot(&g, at)[0] = cmd_op(SMMU_CMD_SYNC);
		gslot(&g, at)[1] = 0;
		ack(&c, &g);
		assert_int_equal(gcons_idx(&g), g.prod);
		assert_false(stale(&c.tb, 1, 0, &s));
		/* Invalidate all of the VM's entries for the next round. */
		gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_ASID, 0, 7), 0);
		gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
		gpublish(&g);
		assert_int_equal(gcons_idx(&g), g.prod);
	}
	/* A CMD_SYNC with a reserved CS is the SMMU decoder's ILL. */
	at = g.prod;
	gpush(&g, cmd_op(SMMU_CMD_SYNC) | smmu_dprep(SMMU_CMD_SYNC_CS, 3), 0);
	gpublish(&g);
	expect_stopped(&c, &g, 15, at, SMMU_CERROR_ILL);
	ctb_fini(&c);
}

static void allow_cfgi(struct cmdqv_config *cfg)
{
	cfg->guest_cfgi_cd = true;
}

/*
 * With CFGI_CD allowed, the guest's vSID is replaced too: the CD cached for
 * the pSID goes, so a new ASID and table take effect.
 */
static void test_cfgi_cd_sid_replaced(void **state)
{
	struct pt_table *t2;
	struct s1 s;
	struct gq g;
	struct ctb c;
	uint64_t pa2;

	ctb_init_cfg(&c, allow_cfgi);
	setup_s1(&c.tb, 0x40, 7, 5, &s);
	assert_true(xl(&c.tb, 0x40, VA) == s.pa[0]);
	t2 = tb_pt(&c.tb, PT_FMT_ARM_S1, 12, 48, 0, false);
	pa2 = tb_alloc(&c.tb, 4096, 4096);
	tb_map(t2, VA, pa2, 4096, RW);
	tb_cd(s.cd, 8, t2);
	host_enable(&c);
	host_vintf(&c, 0, 5, false);
	host_sid(&c, 0, 1, 0x2, 0x40, true);
	host_lvcmdq(&c, &g, 1, 0, 0, QLOG2);
	guest_enable(&g);
	/* The CD is cached: the old table still translates. */
	assert_true(xl(&c.tb, 0x40, VA) == s.pa[0]);
	gpush(&g, cmd_op(SMMU_CMD_CFGI_CD) | smmu_dprep(SMMU_CMD_SID, 0x2),
	      smmu_dprep(SMMU_CMD_CFGI_LEAF, 1));
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	assert_int_equal(gcons_idx(&g), 2);
	assert_true(xl(&c.tb, 0x40, VA) == pa2);
	/* The pSID itself is not a vSID of this VINTF. */
	gpush(&g, cmd_op(SMMU_CMD_CFGI_CD_ALL) | smmu_dprep(SMMU_CMD_SID, 0x40),
	      0);
	gpublish(&g);
	expect_stopped(&c, &g, 1, 2, SMMU_CERROR_ILL);
	ctb_fini(&c);
}

/* Queue memory outside the CMDQV's memory is CERROR_ABT, not an access. */
static void test_queue_memory_errors(void **state)
{
	struct gq g;
	struct ctb c;
	unsigned int i;
	uint64_t base;

	ctb_init(&c);
	host_enable(&c);
	host_vintf(&c, 1, 5, false);
	host_lvcmdq(&c, &g, 2, 1, 0, QLOG2);
	/* The SMMU could read this (bench RAM), the CMDQV may not. */
	base = c.tb.cmdq;
	assert_int_equal(
		cmdqv_mmio_write(c.cv, CMDQV_VINTF_PAGE1(1) + CMDQV_VCMDQ_BASE,
				 8, base | QLOG2),
		0);
	guest_enable(&g);
	gwr(&g, CMDQV_VCMDQ_PROD, 1);
	expect_stopped(&c, &g, 2, 0, SMMU_CERROR_ABT);
	gwr(&g, CMDQV_VCMDQ_CONFIG, 0);
	ack(&c, &g);

	/* A queue whose last slots lie past the end of memory. */
	g.log2 = 3;
	g.base = (c.win_next + 127) & ~127ull;
	c.win_hi = g.base + 16 * 6;
	gwr(&g, CMDQV_VCMDQ_CONS, 0);
	gwr(&g, CMDQV_VCMDQ_PROD, 0);
	assert_int_equal(
		cmdqv_mmio_write(c.cv, CMDQV_VINTF_PAGE1(1) + CMDQV_VCMDQ_BASE,
				 8, g.base | g.log2),
		0);
	guest_enable(&g);
	g.prod = 0;
	for (i = 0; i < 6; i++)
		gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	/* Slot 6 is outside: PROD past it stops there. */
	g.prod = 8;
	gpublish(&g);
	expect_stopped(&c, &g, 2, 6, SMMU_CERROR_ABT);
	ctb_fini(&c);
}

/*
 * A guest's page reaches its own LVCMDQs only: whatever it writes anywhere
 * in it, another VINTF's queue keeps its registers and does not run.
 */
static void test_guest_isolation(void **state)
{
	uint64_t seed = tb_seed("cmdqv isolation", 0xc0ffee15u);
	struct tb_rng rng = { seed };
	struct gq ga, gb;
	struct ctb c;
	uint32_t before[6], off;
	unsigned int i;

	ctb_init(&c);
	host_enable(&c);
	host_vintf(&c, 1, 5, false);
	host_vintf(&c, 2, 6, false);
	host_lvcmdq(&c, &ga, 3, 1, 0, QLOG2);
	host_lvcmdq(&c, &gb, 4, 2, 1, QLOG2);
	/* An unallocated VCMDQ set up for VINTF 1 slot 1 answers nowhere. */
	hwr(&c, CMDQV_CMDQ_ALLOC(5),
	    (uint32_t)(smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, 1) |
		       smmu_fprep(CMDQV_CMDQ_ALLOC_LVCMDQ, 1)));
	guest_enable(&gb);
	/* B has commands waiting but PROD unmoved. */
	gpush(&gb, cmd_op(0x99), 0);
	for (i = 0; i < 6; i++)
		before[i] = grd(&gb, 4 * i);
	for (off = 0; off < CMDQV_PAGE_SIZE; off += 4) {
		uint32_t v = (uint32_t)tb_rand(&rng);

		/* Leave A itself enabled half the time. */
		assert_int_equal(cmdqv_vintf_mmio_write(c.cv, 1, off, 4, v), 0);
		if (off >= CMDQV_VCMDQ_STRIDE)
			assert_int_equal(cmdqv_vintf_mmio_read(c.cv, 1, off, 4),
					 0);
	}
	for (i = 0; i < 6; i++)
		assert_int_equal(grd(&gb, 4 * i), before[i]);
	assert_int_equal(hrd(&c, CMDQV_VCMDQ_PAGE0_BASE +
					 5 * CMDQV_VCMDQ_STRIDE +
					 CMDQV_VCMDQ_CONFIG),
			 0);
	assert_true(
		cmdqv_mmio_read(c.cv,
				CMDQV_VCMDQ_PAGE1_BASE + 4 * CMDQV_VCMDQ_STRIDE,
				8) == (gb.base | QLOG2));
	/* A VINTF the CMDQV lacks reaches nothing. */
	assert_int_equal(cmdqv_vintf_mmio_write(c.cv, 4, 4, 4, 1), 0);
	assert_int_equal(cmdqv_vintf_mmio_read(c.cv, 4, 8, 4), 0);
	/* Slot 1 of VINTF 2 is B; VINTF 2's slot 0 is empty. */
	assert_int_equal(cmdqv_vintf_mmio_read(c.cv, 2, CMDQV_VCMDQ_CONFIG, 4),
			 0);
	assert_int_equal(cmdqv_vintf_mmio_read(
				 c.cv, 2,
				 CMDQV_VCMDQ_STRIDE + CMDQV_VCMDQ_CONFIG, 4),
			 1);
	assert_int_equal(hrd(&c, CMDQV_VINTF_ERR_MAP) & (1u << 2), 0);
	ctb_fini(&c);
}

/* Consumption needs the CMDQV, the VINTF and the queue enabled. */
static void test_enables_gate(void **state)
{
	struct s1 s;
	struct gq g;
	struct ctb c;

	ctb_init(&c);
	setup_s1(&c.tb, 1, 7, 5, &s);
	fill_and_remap(&c.tb, 1, &s);
	hwr(&c, CMDQV_VINTF(0) + CMDQV_VINTF_CONFIG,
	    (uint32_t)smmu_fprep(CMDQV_VINTF_CONFIG_VMID, 5));
	host_lvcmdq(&c, &g, 0, 0, 0, QLOG2);
	gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_VA, 0, 7), va1(VA));
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	assert_int_equal(gcons_idx(&g), 0);
	guest_enable(&g);
	assert_int_equal(gcons_idx(&g), 0);
	host_enable(&c);
	assert_int_equal(gcons_idx(&g), 0);
	assert_true(stale(&c.tb, 1, 0, &s));
	/* The last enable consumes at once. */
	host_vintf(&c, 0, 5, false);
	assert_int_equal(gcons_idx(&g), 2);
	assert_false(stale(&c.tb, 1, 0, &s));
	ctb_fini(&c);
}

static void kick_mode(struct cmdqv_config *cfg)
{
	cfg->consume = CMDQV_CONSUME_KICK;
}

/*
 * In kick mode nothing moves until cmdqv_kick(); then a long run of
 * commands wrapping the queue many times completes, CONS passing each
 * CMD_SYNC after the invalidations before it took effect.
 */
static void test_kick_many(void **state)
{
	struct cmdqv_stats st;
	struct s1 s;
	struct gq g;
	struct ctb c;
	unsigned int i, round, total = 0;

	ctb_init_cfg(&c, kick_mode);
	setup_s1(&c.tb, 1, 7, 5, &s);
	host_enable(&c);
	host_vintf(&c, 1, 5, false);
	host_lvcmdq(&c, &g, 7, 1, 3, QLOG2);
	guest_enable(&g);
	fill_and_remap(&c.tb, 1, &s);
	gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_VA, 0, 7), va1(VA));
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	assert_int_equal(gcons_idx(&g), 0);
	assert_true(stale(&c.tb, 1, 0, &s));
	assert_int_equal(cmdqv_kick(c.cv), 2);
	total += 2;
	assert_int_equal(gcons_idx(&g), 2);
	assert_false(stale(&c.tb, 1, 0, &s));
	assert_int_equal(cmdqv_kick(c.cv), 0);

	for (round = 0; round < 500; round++) {
		/* Fill all but one slot, then publish and kick. */
		for (i = 0; i < (1u << QLOG2) - 2; i++)
			gpush(&g, tlbi0(SMMU_CMD_TLBI_NH_VA, 0, 7),
			      va1(VA + 4096ull * (i % 4)));
		gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
		gpublish(&g);
		assert_int_equal(cmdqv_kick(c.cv), (1u << QLOG2) - 1);
		total += (1u << QLOG2) - 1;
		assert_int_equal(gcons_idx(&g), g.prod);
	}
	assert_false(gerr_active(&g));
	cmdqv_get_stats(c.cv, &st);
	assert_true(st.commands == total);
	assert_true(st.errors == 0);
	ctb_fini(&c);
}

/*
 * The error callback runs with no lock held: like a driver's interrupt
 * handler it skips the failing command and acknowledges through the host
 * view, which (synchronous mode) resumes the queue from inside the callback.
 */
static void ack_in_cb(void *priv, unsigned int vintf, unsigned int lvcmdq,
		      const uint64_t map[2], unsigned int cerror)
{
	struct ctb *c = priv;
	uint64_t p0 = CMDQV_VINTF_PAGE0(vintf) + CMDQV_VCMDQ_STRIDE * lvcmdq;
	uint64_t p1 = CMDQV_VINTF_PAGE1(vintf) + CMDQV_VCMDQ_STRIDE * lvcmdq;
	uint64_t base = cmdqv_mmio_read(c->cv, p1 + CMDQV_VCMDQ_BASE, 8);
	unsigned int lg2 = smmu_fget(base, CMDQV_VCMDQ_BASE_LOG2SIZE);
	uint32_t cons = hrd(c, p0 + CMDQV_VCMDQ_CONS);
	uint64_t *slot;

	c->nerr++;
	c->err_map[0] = map[0];
	c->err_cerror = cerror;
	c->err_lidx = lvcmdq;
	slot = tb_ptr((smmu_fget(base, CMDQV_VCMDQ_BASE_ADDR) << 5) +
		      16ull * (cons & ((1u << lg2) - 1)));
	slot[0] = cmd_op(SMMU_CMD_SYNC);
	slot[1] = 0;
	hwr(c, p0 + CMDQV_VCMDQ_GERRORN, hrd(c, p0 + CMDQV_VCMDQ_GERROR));
}

static void cb_mode(struct cmdqv_config *cfg)
{
	cfg->on_error = ack_in_cb;
}

static void test_callback_reenters(void **state)
{
	struct gq g;
	struct ctb c;

	ctb_init_cfg(&c, cb_mode);
	host_enable(&c);
	host_vintf(&c, 2, 5, false);
	host_lvcmdq(&c, &g, 3, 2, 1, QLOG2);
	guest_enable(&g);
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpush(&g, cmd_op(0x77), 0);
	gpush(&g, cmd_op(0x78), 0);
	gpush(&g, cmd_op(SMMU_CMD_SYNC), 0);
	gpublish(&g);
	/* Two errors, each skipped by the callback: the queue drained. */
	assert_int_equal(c.nerr, 2);
	assert_int_equal(c.err_lidx, 1);
	assert_true(c.err_map[0] == 2);
	assert_int_equal(c.err_cerror, SMMU_CERROR_ILL);
	assert_int_equal(gcons_idx(&g), 4);
	assert_false(gerr_active(&g));
	ctb_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_tlbi_vmid_substituted),
		cmocka_unit_test(test_hyp_own_unchanged),
		cmocka_unit_test(test_atc_inv_sid_replaced),
		cmocka_unit_test(test_illegal_stops_queue),
		cmocka_unit_test(test_cfgi_cd_sid_replaced),
		cmocka_unit_test(test_queue_memory_errors),
		cmocka_unit_test(test_guest_isolation),
		cmocka_unit_test(test_enables_gate),
		cmocka_unit_test(test_kick_many),
		cmocka_unit_test(test_callback_reenters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
