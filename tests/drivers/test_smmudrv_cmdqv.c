// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver, layer 4: Tegra241 CMDQV vIOMMUs and their HW queues.
 *
 * The "guest" here does what a guest kernel does with its mapped VINTF
 * page: it only stores to and loads from that memory (no call into the
 * driver or the model), puts commands in its queue memory in guest RAM and
 * waits for CONS to pass them -- which only happens if the model's
 * consumer thread notices. Tests check the rules of queue allocation, the
 * registers the driver programs, the VMID and StreamID substitution the
 * guest's commands get, and the errors that become vEVENTs. One test uses
 * an instance whose CMDQV consumes only on cmdqv_kick(), to check the page
 * mechanism step by step.
 */
#include <time.h>

#include "smmudrv_tb.h"

#include "hw/smmuv3/smmuv3.h"

#define VA 0x70000000ull
#define VSID 0x77
#define QLEN 4096ull /* 256 commands */

struct gq {
	uint32_t *page; /* the VINTF page the guest mapped */
	unsigned int lidx;
	uint64_t *mem; /* queue memory (guest RAM) */
	unsigned int log2;
	uint32_t prod;
	struct ufd_hw_queue hwq;
};

struct world {
	struct ufd_dev *dev;
	struct ufd_domain *s2;
	struct tb_guest g;
	struct tb_viommu tv;
	struct iommu_viommu_tegra241_cmdqv data;
	struct ufd_vdevice vdev;
	struct ufd_domain *nested;
	uint64_t pa, pb;
	struct gq q0;
};

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_smmuv3_iommu;
}

static int tegra_init(struct tb_viommu *tv, const struct ufd_iommu_ops *o,
		      struct ufd_domain *s2,
		      struct iommu_viommu_tegra241_cmdqv *data)
{
	struct ufd_user_data ud =
		tb_udata(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, data, sizeof(*data));

	memset(data, 0, sizeof(*data));
	return tb_viommu_init(tv, o, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, s2, &ud);
}

static uint32_t *preg(struct gq *q, unsigned int reg)
{
	return &q->page[(CMDQV_VCMDQ_STRIDE * q->lidx + reg) / 4];
}

static uint32_t gload(struct gq *q, unsigned int reg)
{
	return __atomic_load_n(preg(q, reg), __ATOMIC_ACQUIRE);
}

static void gstore(struct gq *q, unsigned int reg, uint32_t v)
{
	/* Commands written before are visible with it. */
	__atomic_store_n(preg(q, reg), v, __ATOMIC_RELEASE);
}

static void gq_push(struct gq *q, uint64_t c0, uint64_t c1)
{
	unsigned int i = q->prod & ((1u << q->log2) - 1);

	q->mem[2 * i] = c0;
	q->mem[2 * i + 1] = c1;
	q->prod = (q->prod + 1) & ((2u << q->log2) - 1);
}

static uint64_t sync_cmd(void)
{
	return tb_cmd0(SMMU_CMD_SYNC);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Moves PROD and waits (polling the page, as a guest does) until CONS
 * reaches it or the queue reports an error. Returns 0 or the CERROR.
 */
static unsigned int gq_submit(struct gq *q)
{
	uint64_t deadline = now_ns() + 10000000000ull;
	uint32_t wrap = (2u << q->log2) - 1, cons;
	const struct timespec nap = { 0, 20000 };

	gstore(q, CMDQV_VCMDQ_PROD, q->prod);
	for (;;) {
		cons = gload(q, CMDQV_VCMDQ_CONS);
		if (gload(q, CMDQV_VCMDQ_GERROR) !=
		    gload(q, CMDQV_VCMDQ_GERRORN))
			return smmu_fget(cons, CMDQV_VCMDQ_CONS_ERR);
		if ((cons & wrap) == q->prod)
			return 0;
		assert_true(now_ns() < deadline);
		nanosleep(&nap, NULL);
	}
}

/* Allocates LVCMDQ @lidx of @tv over guest memory; returns the errno. */
static int gq_alloc(struct world *w, struct gq *q, unsigned int lidx,
		    uint64_t len)
{
	/* Odd lengths still get memory, for the length checks. */
	uint64_t gpa = tb_galloc(&w->g, len,
				 (len & (len - 1)) ? 4096 : ufd_max(len, 32));
	int rc;

	memset(q, 0, sizeof(*q));
	q->page = w->tv.mmap_host;
	q->lidx = lidx;
	q->mem = tb_gpa_ptr(&w->g, gpa);
	q->log2 = (unsigned int)__builtin_ctzll(len) - 4;
	q->hwq.viommu = &w->tv.viommu;
	q->hwq.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	q->hwq.index = lidx;
	q->hwq.base_iova = gpa;
	q->hwq.length = len;
	rc = w->tv.viommu.ops->hw_queue_init(&q->hwq,
					     (uint64_t)(uintptr_t)q->mem);
	return rc;
}

static void gq_free(struct gq *q)
{
	q->hwq.destroy(&q->hwq);
}

static void wait_events(struct tb_viommu *tv, uint32_t type, unsigned int n)
{
	uint64_t deadline = now_ns() + 10000000000ull;

	while (tb_events(tv, type) < n) {
		assert_true(now_ns() < deadline);
		sched_yield();
	}
}

/* The guest enables its queue and sees it enabled. */
static void gq_enable(struct gq *q)
{
	uint64_t deadline = now_ns() + 10000000000ull;

	gstore(q, CMDQV_VCMDQ_CONFIG, 1);
	while (!(gload(q, CMDQV_VCMDQ_STATUS) & 1)) {
		assert_true(now_ns() < deadline);
		sched_yield();
	}
}

static void world_init(struct world *w)
{
	uint64_t ste[2];

	memset(w, 0, sizeof(*w));
	w->dev = tb_dev(ops(), 0);
	w->s2 = tb_paging(w->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, 0x21);
	w->pa = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	w->pb = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pa) = 0xa;
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pb) = 0xb;
	assert_int_equal(tegra_init(&w->tv, ops(), w->s2, &w->data), 0);
	assert_int_equal(tb_vdev_init(&w->vdev, &w->tv, w->dev, VSID), 0);
	tb_gste(&w->g, ste);
	w->nested = tb_nested(&w->tv, ste);
	assert_false(IS_ERR(w->nested));
	assert_int_equal(ufd_dev_set_domain(w->dev, w->nested), 0);
	assert_int_equal(gq_alloc(w, &w->q0, 0, QLEN), 0);
	gq_enable(&w->q0);
}

static void world_fini(struct world *w)
{
	gq_free(&w->q0);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	w->nested->ops->free(w->nested);
	tb_vdev_fini(&w->vdev);
	tb_viommu_fini(&w->tv);
	tb_dev_put(w->dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
}

static int setup(void **state)
{
	struct world *w = malloc(sizeof(*w));

	world_init(w);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world_fini(*state);
	free(*state);
	return 0;
}

static uint32_t cv_rd(uint64_t off)
{
	return (uint32_t)cmdqv_mmio_read(ufd_smmuv3_cmdqv(ufd_smmuv3_default()),
					 off, 4);
}

static uint64_t rd(struct world *w, uint64_t va)
{
	uint64_t v = 0;

	assert_int_equal(tb_dma_read64(w->dev, va, &v), 0);
	return v;
}

static void test_viommu_init(void **state)
{
	struct world *w = *state;
	struct tb_viommu t[4];
	struct iommu_viommu_tegra241_cmdqv data[4];
	struct ufd_user_data ud;
	uint64_t short_data = 0;
	uint32_t cfg;
	int v;

	/* What the program mmaps: 64 KiB at the offset the core gave. */
	assert_int_equal(w->data.out_vintf_mmap_length, CMDQV_PAGE_SIZE);
	assert_int_equal(w->data.out_vintf_mmap_offset, w->tv.mmap_offset);
	assert_non_null(w->tv.mmap_host);
	assert_int_equal(w->tv.mmap_len, CMDQV_PAGE_SIZE);
	/* A guest-owned VINTF with the vIOMMU's VMID. */
	v = ufd_smmuv3_viommu_vintf(&w->tv.viommu);
	assert_true(v >= 1 && v < 4);
	cfg = cv_rd(CMDQV_VINTF(v) + CMDQV_VINTF_CONFIG);
	assert_int_equal(smmu_fget(cfg, CMDQV_VINTF_CONFIG_EN), 1);
	assert_int_equal(smmu_fget(cfg, CMDQV_VINTF_CONFIG_HYP_OWN), 0);
	assert_int_equal(smmu_fget(cfg, CMDQV_VINTF_CONFIG_VMID),
			 ufd_smmuv3_viommu_vmid(&w->tv.viommu));

	/* The data is required, of the right type and size. */
	assert_int_equal(tb_viommu_init(&t[0], ops(),
					IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, w->s2,
					NULL),
			 -EINVAL);
	tb_viommu_fini(&t[0]);
	ud = tb_udata(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &data[0], sizeof(data[0]));
	assert_int_equal(tb_viommu_init(&t[0], ops(),
					IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, w->s2,
					&ud),
			 -EINVAL);
	tb_viommu_fini(&t[0]);
	ud = tb_udata(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, &short_data, 8);
	assert_int_equal(tb_viommu_init(&t[0], ops(),
					IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, w->s2,
					&ud),
			 -EINVAL);
	tb_viommu_fini(&t[0]);

	/* Four VINTFs, VINTF 0 the host's: two more guests, then ENOSPC. */
	assert_int_equal(tegra_init(&t[0], ops(), w->s2, &data[0]), 0);
	assert_int_equal(tegra_init(&t[1], ops(), w->s2, &data[1]), 0);
	assert_int_equal(tegra_init(&t[2], ops(), w->s2, &data[2]), -ENOSPC);
	tb_viommu_fini(&t[2]);
	assert_int_not_equal(ufd_smmuv3_viommu_vintf(&t[0].viommu),
			     ufd_smmuv3_viommu_vintf(&t[1].viommu));
	v = ufd_smmuv3_viommu_vintf(&t[1].viommu);
	tb_viommu_fini(&t[1]);
	assert_null(t[1].mmap_host);
	assert_int_equal(cv_rd(CMDQV_VINTF(v) + CMDQV_VINTF_CONFIG), 0);
	/* Freed: usable again. */
	assert_int_equal(tegra_init(&t[3], ops(), w->s2, &data[3]), 0);
	assert_int_equal(ufd_smmuv3_viommu_vintf(&t[3].viommu), v);
	tb_viommu_fini(&t[3]);
	tb_viommu_fini(&t[0]);
	assert_int_equal(ufd_smmuv3_viommu_vintf(&w->tv.viommu) >= 1, 1);
}

static void test_queue_rules(void **state)
{
	struct world *w = *state;
	struct gq q1, q2, bad;
	unsigned int v = (unsigned int)ufd_smmuv3_viommu_vintf(&w->tv.viommu);
	unsigned int idx = v * 4 + 1;
	uint32_t alloc;
	uint64_t base;

	assert_true(w->tv.viommu.ops->hw_queue_supported(
		&w->tv.viommu, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV));
	assert_false(w->tv.viommu.ops->hw_queue_supported(
		&w->tv.viommu, IOMMU_HW_QUEUE_TYPE_DEFAULT));
	/* Index 0 exists (the world's); beyond 4 there is none. */
	assert_int_equal(gq_alloc(w, &bad, 0, QLEN), -EEXIST);
	assert_int_equal(gq_alloc(w, &bad, 4, QLEN), -EINVAL);
	/* Ascending only: 2 before 1 is EIO. */
	assert_int_equal(gq_alloc(w, &bad, 2, QLEN), -EIO);
	/* Sizes: a power of two, 32 bytes up to 16 << CMDQS. */
	assert_int_equal(gq_alloc(w, &bad, 1, 16), -EINVAL);
	assert_int_equal(gq_alloc(w, &bad, 1, 3 * 32), -EINVAL);
	bad.hwq.length = 16ull << 20;
	assert_int_equal(w->tv.viommu.ops->hw_queue_init(
				 &bad.hwq, (uint64_t)(uintptr_t)bad.mem),
			 -EINVAL);
	/* Memory aligned to the size. */
	bad.hwq.length = QLEN;
	assert_int_equal(w->tv.viommu.ops->hw_queue_init(
				 &bad.hwq, (uint64_t)(uintptr_t)bad.mem + 64),
			 -EINVAL);
	bad.hwq.type = IOMMU_HW_QUEUE_TYPE_DEFAULT;
	assert_int_equal(w->tv.viommu.ops->hw_queue_init(
				 &bad.hwq, (uint64_t)(uintptr_t)bad.mem),
			 -EOPNOTSUPP);

	assert_int_equal(gq_alloc(w, &q1, 1, 32), 0);
	assert_int_equal(w->tv.ndeps, 1);
	/* VCMDQ v * 4 + 1 serves it. */
	alloc = cv_rd(CMDQV_CMDQ_ALLOC(idx));
	assert_int_equal(smmu_fget(alloc, CMDQV_CMDQ_ALLOC_ALLOCATED), 1);
	assert_int_equal(smmu_fget(alloc, CMDQV_CMDQ_ALLOC_VINTF), v);
	assert_int_equal(smmu_fget(alloc, CMDQV_CMDQ_ALLOC_LVCMDQ), 1);
	base = cmdqv_mmio_read(ufd_smmuv3_cmdqv(ufd_smmuv3_default()),
			       CMDQV_VCMDQ_PAGE1_BASE +
				       CMDQV_VCMDQ_STRIDE * idx +
				       CMDQV_VCMDQ_BASE,
			       8);
	assert_int_equal(smmu_fget(base, CMDQV_VCMDQ_BASE_ADDR) << 5,
			 (uint64_t)(uintptr_t)q1.mem);
	assert_int_equal(smmu_fget(base, CMDQV_VCMDQ_BASE_LOG2SIZE), 1);
	assert_int_equal(gq_alloc(w, &q2, 2, QLEN), 0);
	assert_int_equal(w->tv.ndeps, 2);
	/* Destroyed in descending order; the slot goes quiet. */
	gq_free(&q2);
	gq_free(&q1);
	assert_int_equal(w->tv.ndeps, 0);
	assert_int_equal(cv_rd(CMDQV_CMDQ_ALLOC(idx)), 0);
	/* And can be had again. */
	assert_int_equal(gq_alloc(w, &q1, 1, QLEN), 0);
	gq_free(&q1);
}

static void test_vdevice_slots(void **state)
{
	struct world *w = *state;
	unsigned int v = (unsigned int)ufd_smmuv3_viommu_vintf(&w->tv.viommu);
	struct ufd_vdevice vd[17];
	struct ufd_dev *devs[17];
	unsigned int i, s, found = 0;
	uint32_t m;

	/* The world's vDEVICE has a pair: vSID -> its StreamID. */
	for (s = 0; s < 16; s++) {
		m = cv_rd(CMDQV_VINTF(v) + CMDQV_VINTF_SID_MATCH(s));
		if (m == ((VSID << 1) | 1)) {
			found++;
			assert_int_equal(cv_rd(CMDQV_VINTF(v) +
					       CMDQV_VINTF_SID_REPLACE(s)),
					 ufd_smmuv3_dev_sid(w->dev));
		}
	}
	assert_int_equal(found, 1);
	devs[0] = tb_dev(ops(), 0);
	assert_int_equal(tb_vdev_init(&vd[0], &w->tv, devs[0], 1ull << 32),
			 -EINVAL);
	tb_dev_put(devs[0]);
	/* 16 pairs, one taken: 15 more, then ENOSPC. */
	for (i = 0; i < 16; i++) {
		devs[i] = tb_dev(ops(), 0);
		assert_int_equal(tb_vdev_init(&vd[i], &w->tv, devs[i],
					      0x100 + i),
				 i < 15 ? 0 : -ENOSPC);
	}
	for (i = 0; i < 15; i++)
		tb_vdev_fini(&vd[i]);
	for (s = 0, found = 0; s < 16; s++)
		found += cv_rd(CMDQV_VINTF(v) + CMDQV_VINTF_SID_MATCH(s)) != 0;
	assert_int_equal(found, 1);
	for (i = 0; i < 16; i++)
		tb_dev_put(devs[i]);
}

/* The guest invalidates its own TLB through its queue; nothing exits. */
static void test_guest_tlbi(void **state)
{
	struct world *w = *state;
	struct gq *q = &w->q0;

	tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa);
	tb_gunmap(&w->g, VA, TB_PAGE);
	tb_gmap(&w->g, VA, w->pb, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa); /* stale: not invalidated yet */
	/* The guest names no VMID (or a wrong one): the VINTF's is used. */
	gq_push(q,
		tb_cmd0(SMMU_CMD_TLBI_NH_VA) |
			smmu_dprep(SMMU_CMD_TLBI_ASID, 0x21) |
			smmu_dprep(SMMU_CMD_TLBI_VMID, 0x3333),
		smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12));
	gq_push(q, sync_cmd(), 0);
	assert_int_equal(gq_submit(q), 0);
	assert_int_equal(rd(w, VA), 0xb);
	/* And ASID-wide. */
	tb_gunmap(&w->g, VA, TB_PAGE);
	tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xb);
	gq_push(q,
		tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			smmu_dprep(SMMU_CMD_TLBI_ASID, 0x21),
		0);
	gq_push(q, sync_cmd(), 0);
	assert_int_equal(gq_submit(q), 0);
	assert_int_equal(rd(w, VA), 0xa);
	tb_gunmap(&w->g, VA, TB_PAGE);
}

struct atc_seen {
	unsigned int n;
	uint32_t sid;
};

static int atc_inval(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
		     unsigned int size_lg2, bool global)
{
	struct atc_seen *a = priv;

	__atomic_store_n(&a->sid, sid, __ATOMIC_RELAXED);
	__atomic_fetch_add(&a->n, 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct smmuv3_dev_ops atc_ops = { .atc_inval = atc_inval };

/* ATC_INV by vSID reaches the device; errors stop the queue and tell. */
static void test_guest_atc_and_errors(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct gq *q = &w->q0;
	struct atc_seen seen = { 0, 0 };
	const struct tb_event *e;
	unsigned int n0, bad;
	uint32_t gerror;

	assert_int_equal(smmuv3_dev_register(ufd_smmuv3_hw(smmu),
					     ufd_smmuv3_dev_sid(w->dev),
					     &atc_ops, &seen),
			 0);
	gq_push(q, tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, VSID),
		smmu_dprep(SMMU_CMD_ATC_SIZE, SMMU_ATC_INV_SIZE_ALL));
	gq_push(q, sync_cmd(), 0);
	assert_int_equal(gq_submit(q), 0);
	assert_int_equal(__atomic_load_n(&seen.n, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(seen.sid, ufd_smmuv3_dev_sid(w->dev));

	/* A vSID the VINTF does not know: CERROR_ILL, and a vEVENT. */
	n0 = tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV);
	bad = q->prod & ((1u << q->log2) - 1);
	gq_push(q,
		tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, VSID + 1),
		smmu_dprep(SMMU_CMD_ATC_SIZE, SMMU_ATC_INV_SIZE_ALL));
	gq_push(q, sync_cmd(), 0);
	assert_int_equal(gq_submit(q), SMMU_CERROR_ILL);
	assert_int_equal(smmu_fget(gload(q, CMDQV_VCMDQ_CONS),
				   CMDQV_VCMDQ_IDX_WRAP) &
				 ((1u << q->log2) - 1),
			 bad);
	/* The vEVENT follows the error by a moment: the model reports it. */
	wait_events(&w->tv, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, n0 + 1);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV);
	assert_int_equal(e->len, sizeof(struct iommu_vevent_tegra241_cmdqv));
	assert_int_equal(e->data[0], 1ull << q->lidx);
	assert_int_equal(e->data[1], 0);
	assert_int_equal(__atomic_load_n(&seen.n, __ATOMIC_ACQUIRE), 1);
	/* The guest skips it (a CMD_SYNC over it) and acknowledges. */
	q->mem[2 * bad] = sync_cmd();
	q->mem[2 * bad + 1] = 0;
	gerror = gload(q, CMDQV_VCMDQ_GERROR);
	gstore(q, CMDQV_VCMDQ_GERRORN, gerror);
	assert_int_equal(gq_submit(q), 0);

	/* Commands a guest queue may not carry at all. */
	gq_push(q,
		tb_cmd0(SMMU_CMD_CFGI_STE) |
			smmu_dprep(SMMU_CMD_SID, ufd_smmuv3_dev_sid(w->dev)),
		0);
	assert_int_equal(gq_submit(q), SMMU_CERROR_ILL);
	q->mem[2 * ((q->prod - 1) & ((1u << q->log2) - 1))] = sync_cmd();
	gstore(q, CMDQV_VCMDQ_GERRORN, gload(q, CMDQV_VCMDQ_GERROR));
	assert_int_equal(gq_submit(q), 0);
	assert_int_equal(smmuv3_dev_unregister(ufd_smmuv3_hw(smmu),
					       ufd_smmuv3_dev_sid(w->dev)),
			 0);
}

/* Trapped invalidations still work on a Tegra241 vIOMMU. */
static void test_trapped_invalidation(void **state)
{
	struct world *w = *state;
	const uint64_t cmd[1][2] = { { tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL), 0 } };
	struct ufd_user_data_array a =
		tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmd, 16, 1);

	tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa);
	tb_gunmap(&w->g, VA, TB_PAGE);
	tb_gmap(&w->g, VA, w->pb, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 0);
	assert_int_equal(rd(w, VA), 0xb);
	tb_gunmap(&w->g, VA, TB_PAGE);
}

static void kick_mode(struct cmdqv_config *cfg)
{
	cfg->consume = CMDQV_CONSUME_KICK;
}

/* The page mechanism one step at a time, on a CMDQV that waits for kicks. */
static void test_page_by_kick(void **state)
{
	const struct ufd_smmuv3_opts o = { .cmdqv = true,
					   .cmdqv_tweak = kick_mode };
	struct ufd_smmuv3 *smmu = ufd_smmuv3_create(&o);
	struct cmdqv *cv;
	struct world *w = malloc(sizeof(*w));
	struct gq *q;
	void *spare;
	unsigned int v;

	assert_false(IS_ERR(smmu));
	cv = ufd_smmuv3_cmdqv(smmu);
	memset(w, 0, sizeof(*w));
	w->dev = tb_dev(ufd_smmuv3_ops(smmu), 0);
	w->s2 = tb_paging(w->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, 1);
	assert_int_equal(
		tegra_init(&w->tv, ufd_smmuv3_ops(smmu), w->s2, &w->data), 0);
	v = (unsigned int)ufd_smmuv3_viommu_vintf(&w->tv.viommu);
	q = &w->q0;
	assert_int_equal(gq_alloc(w, q, 0, QLEN), 0);

	/* Stores to the page do nothing until the model looks. */
	gstore(q, CMDQV_VCMDQ_CONFIG, 1);
	assert_int_equal(gload(q, CMDQV_VCMDQ_STATUS), 0);
	cmdqv_kick(cv);
	assert_int_equal(gload(q, CMDQV_VCMDQ_STATUS), 1);
	assert_int_equal(cmdqv_vintf_mmio_read(cv, v, CMDQV_VCMDQ_CONFIG, 4),
			 1);
	gq_push(q, sync_cmd(), 0);
	gq_push(q, sync_cmd(), 0);
	gstore(q, CMDQV_VCMDQ_PROD, q->prod);
	assert_int_equal(gload(q, CMDQV_VCMDQ_CONS), 0);
	assert_int_equal(cmdqv_kick(cv), 2);
	assert_int_equal(gload(q, CMDQV_VCMDQ_CONS), 2);
	/* The register view and the page agree both ways. */
	assert_int_equal(cmdqv_vintf_mmio_read(cv, v, CMDQV_VCMDQ_PROD, 4), 2);
	gq_push(q, sync_cmd(), 0);
	assert_int_equal(
		cmdqv_vintf_mmio_write(cv, v, CMDQV_VCMDQ_PROD, 4, q->prod), 0);
	assert_int_equal(gload(q, CMDQV_VCMDQ_PROD), 3);
	cmdqv_kick(cv);
	assert_int_equal(gload(q, CMDQV_VCMDQ_CONS), 3);
	/* Read-only registers scribbled on are restored. */
	gstore(q, CMDQV_VCMDQ_STATUS, 0x1234);
	cmdqv_kick(cv);
	assert_int_equal(gload(q, CMDQV_VCMDQ_STATUS), 1);
	/* A slot without a queue stays zero... */
	assert_int_equal(q->page[(CMDQV_VCMDQ_STRIDE * 1) / 4], 0);
	/* ... and one whose queue goes is cleared. */
	gq_free(q);
	assert_int_equal(gload(q, CMDQV_VCMDQ_CONS), 0);
	assert_int_equal(gload(q, CMDQV_VCMDQ_PROD), 0);
	assert_int_equal(gload(q, CMDQV_VCMDQ_STATUS), 0);
	/* One page per VINTF. */
	spare = tb_buf(CMDQV_PAGE_SIZE, 4096);
	assert_int_equal(cmdqv_vintf_page_attach(cv, v, spare), -EBUSY);
	assert_int_equal(cmdqv_vintf_page_attach(cv, 99, spare), -EINVAL);
	tb_buf_free(spare);

	tb_viommu_fini(&w->tv);
	tb_dev_put(w->dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
	free(w);
	ufd_smmuv3_destroy(smmu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_viommu_init, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vdevice_slots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guest_tlbi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guest_atc_and_errors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trapped_invalidation,
						setup, teardown),
		cmocka_unit_test(test_page_by_kick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
