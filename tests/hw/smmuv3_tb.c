// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 test bench (see smmuv3_tb.h). Everything here is what a driver
 * would do by hand: place fields, write registers, push commands, read the
 * event queue. It never interprets a result for the test.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "base/err.h"
#include "smmuv3_tb.h"

uint64_t tb_seed(const char *what, uint64_t fallback)
{
	const char *s = getenv("UIOMMUFD_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : fallback;

	printf("# %s: seed %#" PRIx64 " (set UIOMMUFD_TEST_SEED to change)\n",
	       what, seed);
	fflush(stdout);
	return seed;
}

uint64_t tb_rand(struct tb_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The SMMU's physical memory: the two bench buffers, nothing else. */
static void *tb_phys_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct tb *tb = priv;
	uint64_t ram = tb_pa(tb->ram), gram = tb_pa(tb->gram);

	if (pa >= ram && pa - ram < TB_RAM_SIZE &&
	    len <= TB_RAM_SIZE - (pa - ram))
		return tb_ptr(pa);
	if (pa >= gram && pa - gram < TB_GRAM_SIZE &&
	    len <= TB_GRAM_SIZE - (pa - gram))
		return tb_ptr(pa);
	return ERR_PTR(-EFAULT);
}

static const struct pt_mem_ops tb_phys_ops = {
	.map = tb_phys_map,
};

static void tb_irq(void *priv, enum smmuv3_irq irq)
{
	struct tb *tb = priv;

	__atomic_fetch_add(&tb->irqs[irq], 1, __ATOMIC_RELAXED);
}

/*
 * Bench memory is asked for below 4 GiB (a hint, honoured when free) so
 * tests can program address sizes smaller than the host's; tests that
 * need it check where it landed.
 */
static void *tb_buf(uint64_t size, uint64_t hint)
{
	void *p = mmap(tb_ptr(hint), size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/*
 * Buffers of the bench in use: a failed assertion leaves a test without
 * calling tb_fini(), and the next bench must still get low addresses.
 */
static void *live_ram, *live_gram;

void tb_init_raw(struct tb *tb, void (*tweak)(struct smmuv3_config *cfg))
{
	if (live_ram)
		munmap(live_ram, TB_RAM_SIZE);
	if (live_gram)
		munmap(live_gram, TB_GRAM_SIZE);
	memset(tb, 0, sizeof(*tb));
	tb->ram = tb_buf(TB_RAM_SIZE, 0x50000000ull);
	tb->gram = tb_buf(TB_GRAM_SIZE, 0x60000000ull);
	live_ram = tb->ram;
	live_gram = tb->gram;
	/* Keep PA 0 of each buffer unused: a zero pointer is suspicious. */
	tb->ram_next = 4096;
	tb->gram_next = 4096;
	smmuv3_config_default(&tb->cfg);
	tb->cfg.mem = &tb_phys_ops;
	tb->cfg.mem_priv = tb;
	tb->cfg.irq = tb_irq;
	tb->cfg.irq_priv = tb;
	if (tweak)
		tweak(&tb->cfg);
	tb->smmu = smmuv3_create(&tb->cfg);
	assert_false(IS_ERR(tb->smmu));
}

void tb_init(struct tb *tb, void (*tweak)(struct smmuv3_config *cfg))
{
	tb_init_raw(tb, tweak);
	tb->strtab = tb_alloc(tb, 64ull << TB_STE_LOG2, 64ull << TB_STE_LOG2);
	tb->cmdq = tb_alloc(tb, 16ull << TB_CMDQ_LOG2, 16ull << TB_CMDQ_LOG2);
	tb->evtq = tb_alloc(tb, 32ull << TB_EVTQ_LOG2, 32ull << TB_EVTQ_LOG2);
	tb_wr64(tb, SMMU_STRTAB_BASE, tb->strtab);
	tb_wr(tb, SMMU_STRTAB_BASE_CFG,
	      (uint32_t)smmu_fprep(SMMU_STRTAB_BASE_CFG_LOG2SIZE, TB_STE_LOG2));
	tb_wr64(tb, SMMU_CMDQ_BASE, tb->cmdq | TB_CMDQ_LOG2);
	tb_wr64(tb, SMMU_EVENTQ_BASE, tb->evtq | TB_EVTQ_LOG2);
	tb_wr(tb, SMMU_CR0,
	      (uint32_t)(smmu_fprep(SMMU_CR0_SMMUEN, 1) |
			 smmu_fprep(SMMU_CR0_CMDQEN, 1) |
			 smmu_fprep(SMMU_CR0_EVENTQEN, 1)));
	assert_int_equal(tb_rd(tb, SMMU_CR0ACK), tb_rd(tb, SMMU_CR0));
}

void tb_fini(struct tb *tb)
{
	while (tb->npts)
		pt_free(tb->pts[--tb->npts]);
	smmuv3_destroy(tb->smmu);
	munmap(tb->ram, TB_RAM_SIZE);
	munmap(tb->gram, TB_GRAM_SIZE);
	live_ram = live_gram = NULL;
}

/* Alignment is of the address, as the SMMU sees it. */
uint64_t tb_alloc(struct tb *tb, uint64_t size, uint64_t align)
{
	uint64_t base = tb_pa(tb->ram);
	uint64_t off =
		((base + tb->ram_next + align - 1) & ~(align - 1)) - base;

	assert_true(off + size <= TB_RAM_SIZE);
	tb->ram_next = off + size;
	memset(tb->ram + off, 0, size);
	return tb_pa(tb->ram + off);
}

uint64_t tb_galloc(struct tb *tb, uint64_t size, uint64_t align)
{
	/* TB_GPA_BASE is aligned to any size a test asks for. */
	uint64_t off = (tb->gram_next + align - 1) & ~(align - 1);

	assert_true(off + size <= TB_GRAM_SIZE);
	tb->gram_next = off + size;
	memset(tb->gram + off, 0, size);
	return TB_GPA_BASE + off;
}

void *tb_gpa_ptr(struct tb *tb, uint64_t gpa)
{
	assert_true(gpa >= TB_GPA_BASE && gpa - TB_GPA_BASE < TB_GRAM_SIZE);
	return tb->gram + (gpa - TB_GPA_BASE);
}

uint32_t tb_rd(struct tb *tb, uint64_t off)
{
	return (uint32_t)smmuv3_mmio_read(tb->smmu, off, 4);
}

void tb_wr(struct tb *tb, uint64_t off, uint32_t v)
{
	assert_int_equal(smmuv3_mmio_write(tb->smmu, off, 4, v), 0);
}

uint64_t tb_rd64(struct tb *tb, uint64_t off)
{
	return smmuv3_mmio_read(tb->smmu, off, 8);
}

void tb_wr64(struct tb *tb, uint64_t off, uint64_t v)
{
	assert_int_equal(smmuv3_mmio_write(tb->smmu, off, 8, v), 0);
}

uint64_t *tb_ste(struct tb *tb, uint32_t sid)
{
	assert_true(sid < (1u << TB_STE_LOG2));
	return (uint64_t *)tb_ptr(tb->strtab + 64ull * sid);
}

unsigned int tb_cmd(struct tb *tb, uint64_t c0, uint64_t c1)
{
	uint32_t mask = (2u << TB_CMDQ_LOG2) - 1;
	uint64_t *slot =
		tb_ptr(tb->cmdq +
		       16ull * (tb->cmdq_prod & ((1u << TB_CMDQ_LOG2) - 1)));
	uint32_t gerr;

	slot[0] = c0;
	slot[1] = c1;
	tb->cmdq_prod = (tb->cmdq_prod + 1) & mask;
	tb_wr(tb, SMMU_CMDQ_PROD, tb->cmdq_prod);
	gerr = tb_rd(tb, SMMU_GERROR) ^ tb_rd(tb, SMMU_GERRORN);
	if (!smmu_fget(gerr, SMMU_GERROR_CMDQ_ERR))
		return 0;
	return smmu_fget(tb_rd(tb, SMMU_CMDQ_CONS), SMMU_CMDQ_CONS_ERR);
}

void tb_ack_cmdq_err(struct tb *tb)
{
	tb_wr(tb, SMMU_GERRORN,
	      tb_rd(tb, SMMU_GERRORN) ^
		      (uint32_t)smmu_fmask(SMMU_GERROR_CMDQ_ERR));
}

unsigned int tb_sync(struct tb *tb)
{
	return tb_cmd(tb, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_SYNC), 0);
}

unsigned int tb_cfgi_ste(struct tb *tb, uint32_t sid)
{
	return tb_cmd(tb,
		      smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE) |
			      smmu_dprep(SMMU_CMD_SID, sid),
		      smmu_dprep(SMMU_CMD_CFGI_LEAF, 1));
}

unsigned int tb_cfgi_cd(struct tb *tb, uint32_t sid, uint32_t ssid)
{
	return tb_cmd(tb,
		      smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_CD) |
			      smmu_dprep(SMMU_CMD_SID, sid) |
			      smmu_dprep(SMMU_CMD_SSID, ssid),
		      smmu_dprep(SMMU_CMD_CFGI_LEAF, 1));
}

unsigned int tb_cfgi_all(struct tb *tb)
{
	return tb_cmd(tb, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE_RANGE),
		      smmu_dprep(SMMU_CMD_CFGI_RANGE, SMMU_CFGI_RANGE_ALL));
}

unsigned int tb_tlbi_all(struct tb *tb)
{
	return tb_cmd(tb, smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NSNH_ALL), 0);
}

static uint32_t evtq_mask(void)
{
	return (2u << TB_EVTQ_LOG2) - 1;
}

unsigned int tb_event_count(struct tb *tb)
{
	uint32_t prod = tb_rd(tb, SMMU_EVENTQ_PROD) & evtq_mask();
	uint32_t cons = tb_rd(tb, SMMU_EVENTQ_CONS) & evtq_mask();

	return (prod - cons) & evtq_mask();
}

bool tb_event(struct tb *tb, uint64_t evt[4])
{
	uint32_t cons = tb_rd(tb, SMMU_EVENTQ_CONS);
	uint32_t prod = tb_rd(tb, SMMU_EVENTQ_PROD);
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	const uint64_t *slot;

	if (((prod ^ cons) & evtq_mask()) == 0)
		return false;
	slot = tb_ptr(tb->evtq + 32ull * (cons & ((1u << TB_EVTQ_LOG2) - 1)));
	memcpy(evt, slot, 32);
	/* Consume, acknowledging any overflow as software does. */
	cons = (((cons & evtq_mask()) + 1) & evtq_mask()) | (prod & ovf);
	tb_wr(tb, SMMU_EVENTQ_CONS, cons);
	return true;
}

void tb_events_clear(struct tb *tb)
{
	uint64_t evt[4];

	while (tb_event(tb, evt))
		;
}

void tb_expect_event(struct tb *tb, uint8_t id, uint32_t sid)
{
	uint64_t evt[4];

	assert_true(tb_event(tb, evt));
	assert_int_equal(smmu_dget(evt, SMMU_EVT_ID), id);
	assert_int_equal(smmu_dget(evt, SMMU_EVT_SID), sid);
}

/* --- page tables in bench memory --- */

static void *host_pt_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct tb *tb = priv;

	return tb_phys_map(tb, pa, len, write);
}

static void *host_pt_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct tb *tb = priv;

	*pa = tb_alloc(tb, size, align);
	return tb_ptr(*pa);
}

static void *guest_pt_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	struct tb *tb = priv;

	if (gpa < TB_GPA_BASE || gpa - TB_GPA_BASE >= TB_GRAM_SIZE ||
	    len > TB_GRAM_SIZE - (gpa - TB_GPA_BASE))
		return ERR_PTR(-EFAULT);
	return tb->gram + (gpa - TB_GPA_BASE);
}

static void *guest_pt_alloc(void *priv, size_t size, size_t align,
			    uint64_t *gpa)
{
	struct tb *tb = priv;

	*gpa = tb_galloc(tb, size, align);
	return tb_gpa_ptr(tb, *gpa);
}

static void pt_nofree(void *priv, uint64_t pa, void *host, size_t size)
{
	/* Bench memory is released with the bench. */
}

const struct pt_mem_ops tb_host_pt_ops = {
	.map = host_pt_map,
	.alloc = host_pt_alloc,
	.free = pt_nofree,
};

const struct pt_mem_ops tb_guest_pt_ops = {
	.map = guest_pt_map,
	.alloc = guest_pt_alloc,
	.free = pt_nofree,
};

struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int g,
		       unsigned int ias, unsigned int levels, bool guest)
{
	struct pt_cfg cfg = {
		.fmt = fmt,
		.granule_lg2 = g,
		.ias = ias,
		.oas = 48,
		.levels = levels,
		.mem = guest ? &tb_guest_pt_ops : &tb_host_pt_ops,
		.mem_priv = tb,
	};
	struct pt_table *t = pt_alloc(&cfg);

	assert_false(IS_ERR(t));
	assert_true(tb->npts < sizeof(tb->pts) / sizeof(tb->pts[0]));
	tb->pts[tb->npts++] = t;
	return t;
}

void tb_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
	    unsigned int prot)
{
	uint64_t mapped = 0;

	assert_int_equal(pt_map(t, iova, oa, len, prot, &mapped), 0);
	assert_true(mapped == len);
}

uint64_t *tb_leaf(struct pt_table *t, uint64_t iova, bool guest, struct tb *tb)
{
	struct pt_walk_result r;

	pt_walk(pt_table_walk_ctx(t), iova, PT_ACCESS_READ, &r);
	assert_true(r.desc_pa != 0);
	return guest ? tb_gpa_ptr(tb, r.desc_pa) : tb_ptr(r.desc_pa);
}

/* --- STE and CD fields --- */

void tb_ste_abort(uint64_t *ste)
{
	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_ABORT);
}

void tb_ste_bypass(uint64_t *ste)
{
	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_BYPASS);
}

void tb_ste_s1(uint64_t *ste, uint64_t cdptr, unsigned int cdmax,
	       unsigned int fmt, unsigned int dss)
{
	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S1);
	smmu_dset(ste, SMMU_STE_S1CTXPTR, cdptr >> 6);
	smmu_dset(ste, SMMU_STE_S1CDMAX, cdmax);
	smmu_dset(ste, SMMU_STE_S1FMT, fmt);
	smmu_dset(ste, SMMU_STE_S1DSS, dss);
}

static unsigned int s2tg(unsigned int g)
{
	return g == 12 ? SMMU_S2TG_4K : g == 14 ? SMMU_S2TG_16K : SMMU_S2TG_64K;
}

void tb_ste_add_s2(uint64_t *ste, uint16_t vmid, struct pt_table *s2)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(s2);
	unsigned int g = c->granule_lg2;
	unsigned int levels = pt_levels(c);
	unsigned int start = 4 - levels;

	smmu_dset(ste, SMMU_STE_CONFIG,
		  smmu_dget(ste, SMMU_STE_CONFIG) | SMMU_STE_CFG_S2);
	smmu_dset(ste, SMMU_STE_S2VMID, vmid);
	smmu_dset(ste, SMMU_STE_S2T0SZ, 64 - c->ias);
	smmu_dset(ste, SMMU_STE_S2SL0, (g == 12 ? 2 : 3) - start);
	smmu_dset(ste, SMMU_STE_S2TG, s2tg(g));
	smmu_dset(ste, SMMU_STE_S2PS, SMMU_PS_48);
	smmu_dset(ste, SMMU_STE_S2AA64, 1);
	smmu_dset(ste, SMMU_STE_S2R, 1);
	smmu_dset(ste, SMMU_STE_S2TTB, pt_root(c) >> 4);
}

void tb_ste_s2(uint64_t *ste, uint16_t vmid, struct pt_table *s2)
{
	memset(ste, 0, 64);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_BYPASS);
	tb_ste_add_s2(ste, vmid, s2);
}

static unsigned int tg0(unsigned int g)
{
	return g == 12 ? SMMU_TG0_4K : g == 14 ? SMMU_TG0_16K : SMMU_TG0_64K;
}

void tb_cd(uint64_t *cd, uint16_t asid, struct pt_table *s1)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(s1);

	memset(cd, 0, 64);
	smmu_dset(cd, SMMU_CD_V, 1);
	smmu_dset(cd, SMMU_CD_T0SZ, 64 - c->ias);
	smmu_dset(cd, SMMU_CD_TG0, tg0(c->granule_lg2));
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	smmu_dset(cd, SMMU_CD_ASID, asid);
	smmu_dset(cd, SMMU_CD_TTB0, pt_root(c) >> 4);
}
