// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi test bench (see amdvi_tb.h). Everything here is what a driver
 * would do by hand: place fields, write registers, queue commands, read the
 * event log. It never interprets a result for the test.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "base/err.h"
#include "amdvi_tb.h"

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

/* The IOMMU's physical memory: the two bench buffers, nothing else. */
static void *tb_phys_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct tb *tb = priv;
	uint64_t ram = tb_pa(tb->ram), gram = tb_pa(tb->gram);

	(void)write;
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

static void *host_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	*pa = tb_alloc(priv, size, align);
	return tb_ptr(*pa);
}

static void noop_free(void *priv, uint64_t pa, void *host, size_t size)
{
	(void)priv;
	(void)pa;
	(void)host;
	(void)size;
}

static const struct pt_mem_ops tb_host_pt_ops = {
	.map = tb_phys_map,
	.alloc = host_alloc,
	.free = noop_free,
};

static void *guest_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	struct tb *tb = priv;

	(void)write;
	if (gpa < TB_GPA_BASE || gpa - TB_GPA_BASE >= TB_GRAM_SIZE ||
	    len > TB_GRAM_SIZE - (gpa - TB_GPA_BASE))
		return ERR_PTR(-EFAULT);
	return tb->gram + (gpa - TB_GPA_BASE);
}

static void *guest_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	*pa = tb_galloc(priv, size, align);
	return tb_gpa_ptr(priv, *pa);
}

static const struct pt_mem_ops tb_guest_pt_ops = {
	.map = guest_map,
	.alloc = guest_alloc,
	.free = noop_free,
};

static void tb_irq(void *priv, enum amdvi_irq irq)
{
	struct tb *tb = priv;

	__atomic_fetch_add(&tb->irqs[irq], 1, __ATOMIC_RELAXED);
}

static void wr(struct tb *tb, uint64_t off, uint64_t v)
{
	assert_int_equal(amdvi_mmio_write(tb->iommu, off, 8, v), 0);
}

void tb_init(struct tb *tb, void (*tweak)(struct amdvi_config *cfg))
{
	memset(tb, 0, sizeof(*tb));
	tb->ram = mmap(NULL, TB_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tb->gram = mmap(NULL, TB_GRAM_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(tb->ram != MAP_FAILED && tb->gram != MAP_FAILED);
	tb->ram_next = 4096;
	tb->gram_next = 4096;
	amdvi_config_default(&tb->cfg);
	tb->cfg.mem = &tb_phys_ops;
	tb->cfg.mem_priv = tb;
	tb->cfg.irq = tb_irq;
	tb->cfg.irq_priv = tb;
	if (tweak)
		tweak(&tb->cfg);
	tb->iommu = amdvi_create(&tb->cfg);
	assert_false(IS_ERR(tb->iommu));

	tb->devtab = tb_alloc(tb, TB_DEVTAB_PAGES * 4096ull, 4096);
	tb->cmdbuf = tb_alloc(tb, 16ull << TB_CMD_LEN, 4096);
	tb->evtlog = tb_alloc(tb, 16ull << TB_EVT_LEN, 4096);
	tb->wait_word = tb_alloc(tb, 8, 8);
	wr(tb, AMDVI_DEVTAB_BASE,
	   tb->devtab | amdvi_fprep(AMDVI_DEVTAB_SIZE, TB_DEVTAB_PAGES - 1));
	wr(tb, AMDVI_CMDBUF_BASE,
	   tb->cmdbuf | amdvi_fprep(AMDVI_LOG_LEN, TB_CMD_LEN));
	wr(tb, AMDVI_EVTLOG_BASE,
	   tb->evtlog | amdvi_fprep(AMDVI_LOG_LEN, TB_EVT_LEN));
	wr(tb, AMDVI_CMDBUF_HEAD, 0);
	wr(tb, AMDVI_CMDBUF_TAIL, 0);
	wr(tb, AMDVI_EVTLOG_HEAD, 0);
	wr(tb, AMDVI_EVTLOG_TAIL, 0);
	wr(tb, AMDVI_CONTROL,
	   amdvi_fprep(AMDVI_CTRL_IOMMU_EN, 1) |
		   amdvi_fprep(AMDVI_CTRL_EVTLOG_EN, 1) |
		   amdvi_fprep(AMDVI_CTRL_EVT_INT_EN, 1) |
		   amdvi_fprep(AMDVI_CTRL_COMWAIT_INT_EN, 1) |
		   amdvi_fprep(AMDVI_CTRL_CMDBUF_EN, 1));
}

void tb_fini(struct tb *tb)
{
	unsigned int i;

	for (i = 0; i < tb->npts; i++)
		pt_free(tb->pts[i]);
	amdvi_destroy(tb->iommu);
	munmap(tb->ram, TB_RAM_SIZE);
	munmap(tb->gram, TB_GRAM_SIZE);
}

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

struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int ias,
		       unsigned int levels, bool guest, uint32_t flags)
{
	struct pt_cfg cfg = {
		.fmt = fmt,
		.ias = ias,
		.levels = levels,
		.flags = flags,
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

uint64_t *tb_leaf(struct pt_table *t, uint64_t iova)
{
	struct pt_walk_result r;

	pt_walk(pt_table_walk_ctx(t), iova, PT_ACCESS_READ, &r);
	assert_true(r.desc_pa != 0);
	return tb_ptr(r.desc_pa);
}

uint64_t *tb_dte(struct tb *tb, uint16_t devid)
{
	return tb_ptr(tb->devtab + (uint64_t)devid * AMDVI_DTE_SIZE);
}

void tb_dte_host(uint64_t *dte, uint16_t domid, struct pt_table *t)
{
	const struct pt_walk_ctx *c = t ? pt_table_walk_ctx(t) : NULL;

	memset(dte, 0, AMDVI_DTE_SIZE);
	dte[0] = amdvi_dprep(AMDVI_DTE_V, 1) | amdvi_dprep(AMDVI_DTE_TV, 1) |
		 amdvi_dprep(AMDVI_DTE_IR, 1) | amdvi_dprep(AMDVI_DTE_IW, 1) |
		 amdvi_dprep(AMDVI_DTE_MODE, t ? pt_levels(c) : 0) |
		 amdvi_dprep(AMDVI_DTE_HPTRP, t ? pt_root(c) >> 12 : 0);
	dte[1] = amdvi_dprep(AMDVI_DTE_DOMAIN_ID, domid);
}

void tb_dte_guest(uint64_t *dte, uint64_t gcr3_root, unsigned int glx,
		  unsigned int gpm)
{
	amdvi_dset(dte, AMDVI_DTE_GV, 1);
	amdvi_dset(dte, AMDVI_DTE_GLX, glx);
	amdvi_dset(dte, AMDVI_DTE_GCR3_A, gcr3_root >> AMDVI_GCR3_A_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_B, gcr3_root >> AMDVI_GCR3_B_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_C, gcr3_root >> AMDVI_GCR3_C_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GPM, gpm);
}

void tb_cmd(struct tb *tb, uint64_t q0, uint64_t q1)
{
	uint64_t *slot = tb_ptr(tb->cmdbuf + tb->cmd_tail);

	slot[0] = q0;
	slot[1] = q1;
	tb->cmd_tail = (tb->cmd_tail + 16) & ((16ull << TB_CMD_LEN) - 1);
	wr(tb, AMDVI_CMDBUF_TAIL, tb->cmd_tail);
}

void tb_inv_dte(struct tb *tb, uint16_t devid)
{
	tb_cmd(tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_DEVTAB_ENTRY) |
		       amdvi_dprep(AMDVI_CMD_DEVID, devid),
	       0);
}

void tb_inv_pages(struct tb *tb, uint16_t domid, bool gn, uint32_t pasid,
		  uint64_t addr, unsigned int lg2)
{
	uint64_t q1 = amdvi_dprep(AMDVI_CMD_GN, gn), a;

	if (lg2 > 12) {
		/* Ones below the size bit: 2^(lg2 - 13) - 1 pages' worth. */
		a = lg2 >= 64 ? AMDVI_CMD_ADDR_ALL
			      : (addr & ~((1ull << lg2) - 1)) |
					(((1ull << (lg2 - 1)) - 1) & ~0xfffull);
		q1 |= amdvi_dprep(AMDVI_CMD_S, 1) |
		      amdvi_dprep(AMDVI_CMD_ADDR, a >> 12);
	} else {
		q1 |= amdvi_dprep(AMDVI_CMD_ADDR, addr >> 12);
	}
	tb_cmd(tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES) |
		       amdvi_dprep(AMDVI_CMD_IP_DOMAIN_ID, domid) |
		       amdvi_dprep(AMDVI_CMD_IP_PASID, gn ? pasid : 0),
	       q1);
}

void tb_inv_all(struct tb *tb)
{
	tb_cmd(tb, amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_ALL), 0);
}

void tb_sync(struct tb *tb)
{
	static uint64_t seq;
	uint64_t v = TB_CMD_WAIT_MAGIC | ++seq;

	tb_cmd(tb,
	       amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_COMPLETION_WAIT) |
		       amdvi_dprep(AMDVI_CMD_CW_S, 1) |
		       amdvi_dprep(AMDVI_CMD_CW_ADDR, tb->wait_word >> 3),
	       v);
	assert_true(*(volatile uint64_t *)tb_ptr(tb->wait_word) == v);
}

unsigned int tb_events(struct tb *tb, uint64_t (*ev)[2], unsigned int max)
{
	uint64_t size = 16ull << TB_EVT_LEN;
	uint64_t head = amdvi_mmio_read(tb->iommu, AMDVI_EVTLOG_HEAD, 8);
	uint64_t tail = amdvi_mmio_read(tb->iommu, AMDVI_EVTLOG_TAIL, 8);
	unsigned int n = 0;

	while (head != tail && n < max) {
		const uint64_t *rec = tb_ptr(tb->evtlog + head);

		ev[n][0] = rec[0];
		ev[n][1] = rec[1];
		n++;
		head = (head + 16) & (size - 1);
	}
	wr(tb, AMDVI_EVTLOG_HEAD, head);
	return n;
}

void tb_one_event(struct tb *tb, uint64_t ev[2])
{
	uint64_t evs[4][2];

	assert_int_equal(tb_events(tb, evs, 4), 1);
	ev[0] = evs[0][0];
	ev[1] = evs[0][1];
}

void tb_no_event(struct tb *tb)
{
	uint64_t evs[1][2];

	assert_int_equal(tb_events(tb, evs, 1), 0);
}
