// SPDX-License-Identifier: BSD-3-Clause
/*
 * The guest's command queue producer, for the SMMU's own queue and for a
 * Tegra241 CMDQV virtual queue seen through its VINTF page.
 *
 * Both queues work alike (SMMUv3 4.1, 6.3.26-6.3.28): a ring of 16-byte
 * commands at BASE, a PROD index the producer writes, a CONS index the
 * consumer advances, both carrying the wrap bit above LOG2SIZE index bits,
 * and a command error that stops the queue with CONS at the failing
 * command and its code in CONS.ERR while GERROR.CMDQ_ERR differs from
 * GERRORN. They differ only in where the registers are and how the queue
 * is enabled, which struct guest_cmdq records as offsets.
 *
 * The producer keeps its own copy of PROD; the ring slots from CONS to PROD
 * belong to the consumer, the rest to the producer. A CMD_SYNC completes
 * when CONS moves past it, and the consumer moves CONS past a CMD_SYNC only
 * after every earlier command completed, so "wait for CONS" is the whole
 * completion protocol (no MSI, no SEV: polling works on every queue).
 *
 * Errors are handled as a Linux guest does: an illegal command is
 * overwritten with a CMD_SYNC and the error acknowledged, so the queue
 * resumes; a failed ATC invalidation is reported by the CMD_SYNC that
 * follows it, which is simply retried; a queue entry the SMMU could not
 * read (CERROR_ABT) cannot be fixed from here and leaves the queue stopped.
 *
 * Locking: q->lock serialises producers; it is held while a caller waits,
 * so one CMD_SYNC covers everything pushed before it.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/overflow.h"
#include "guest/guest.h"
#include "hw/tegra241-cmdqv/cmdqv_hw.h"

#define CMDQ_DEFAULT_TIMEOUT_NS 2000000000ull
/* Without range invalidation, more granules than this: one wide TLBI. */
#define TLBI_MAX_PAGES 512

struct guest_cmdq {
	/* Serialises producers: protects prod, cons and the ring's slots. */
	struct ufd_mutex lock;
	struct guest_ram *ram;
	struct guest_mmio mmio;
	/* Register offsets in @mmio. */
	uint64_t prod_off, cons_off, gerror_off, gerrorn_off;
	/* Enable: a bit in a control register, acknowledged in another. */
	uint64_t en_off, ack_off;
	uint32_t en_mask, ack_mask;
	bool en_rmw; /* the control register holds other enables (CR0) */
	unsigned int log2size;
	uint64_t gpa;
	uint64_t *ring;
	uint32_t prod; /* lock: PROD as last written (index | wrap) */
	uint32_t cons; /* lock: CONS as last read (index | wrap) */
	uint64_t timeout_ns;
	bool ril;
};

static uint32_t wrap_mask(const struct guest_cmdq *q)
{
	return (2u << q->log2size) - 1;
}

static uint32_t entries(const struct guest_cmdq *q)
{
	return 1u << q->log2size;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct guest_cmdq *cmdq_alloc(struct guest_ram *ram,
				     const struct guest_mmio *mmio,
				     unsigned int log2size)
{
	/* Aligned to the ring's size, at least 32 bytes (6.3.26). */
	uint64_t size = 16ull << log2size;
	struct guest_cmdq *q;

	if (log2size > 19)
		return ERR_PTR(-EINVAL);
	q = ufd_zalloc(sizeof(*q));
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->ring = guest_ram_alloc(ram, size, ufd_max(size, 32), &q->gpa);
	if (!q->ring)
		goto out_free_q;
	ufd_mutex_init(&q->lock);
	q->ram = ram;
	q->mmio = *mmio;
	q->log2size = log2size;
	q->timeout_ns = CMDQ_DEFAULT_TIMEOUT_NS;
	return q;

out_free_q:
	ufd_free(q);
	return ERR_PTR(-ENOMEM);
}

struct guest_cmdq *guest_cmdq_alloc_smmu(struct guest_ram *ram,
					 const struct guest_mmio *mmio,
					 unsigned int log2size)
{
	struct guest_cmdq *q = cmdq_alloc(ram, mmio, log2size);

	if (IS_ERR(q))
		return q;
	q->prod_off = SMMU_CMDQ_PROD;
	q->cons_off = SMMU_CMDQ_CONS;
	q->gerror_off = SMMU_GERROR;
	q->gerrorn_off = SMMU_GERRORN;
	q->en_off = SMMU_CR0;
	q->ack_off = SMMU_CR0ACK;
	q->en_mask = (uint32_t)smmu_fmask(SMMU_CR0_CMDQEN);
	q->ack_mask = q->en_mask;
	q->en_rmw = true;
	return q;
}

struct guest_cmdq *guest_cmdq_alloc_vcmdq(struct guest_ram *ram,
					  const struct guest_mmio *mmio,
					  unsigned int lvcmdq,
					  unsigned int log2size)
{
	uint64_t regs = (uint64_t)CMDQV_VCMDQ_STRIDE * lvcmdq;
	struct guest_cmdq *q;

	if (regs >= CMDQV_PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	q = cmdq_alloc(ram, mmio, log2size);
	if (IS_ERR(q))
		return q;
	q->prod_off = regs + CMDQV_VCMDQ_PROD;
	q->cons_off = regs + CMDQV_VCMDQ_CONS;
	q->gerror_off = regs + CMDQV_VCMDQ_GERROR;
	q->gerrorn_off = regs + CMDQV_VCMDQ_GERRORN;
	q->en_off = regs + CMDQV_VCMDQ_CONFIG;
	q->ack_off = regs + CMDQV_VCMDQ_STATUS;
	q->en_mask = (uint32_t)smmu_fmask(CMDQV_VCMDQ_CONFIG_EN);
	q->ack_mask = (uint32_t)smmu_fmask(CMDQV_VCMDQ_STATUS_ENABLED);
	return q;
}

void guest_cmdq_free(struct guest_cmdq *q)
{
	if (!q)
		return;
	guest_ram_free(q->ram, q->gpa, 16ull << q->log2size);
	ufd_mutex_destroy(&q->lock);
	ufd_free(q);
}

uint64_t guest_cmdq_gpa(const struct guest_cmdq *q)
{
	return q->gpa;
}

unsigned int guest_cmdq_log2size(const struct guest_cmdq *q)
{
	return q->log2size;
}

uint64_t guest_cmdq_base_reg(const struct guest_cmdq *q)
{
	/* SMMU_Q_BASE and CMDQV_VCMDQ_BASE place ADDR and LOG2SIZE alike. */
	return smmu_fprep(SMMU_Q_BASE_ADDR, q->gpa >> 5) |
	       smmu_fprep(SMMU_Q_BASE_LOG2SIZE, q->log2size);
}

void guest_cmdq_set_timeout(struct guest_cmdq *q, uint64_t ns)
{
	ufd_mutex_lock(&q->lock);
	q->timeout_ns = ns;
	ufd_mutex_unlock(&q->lock);
}

void guest_cmdq_set_range_inv(struct guest_cmdq *q, bool ril)
{
	ufd_mutex_lock(&q->lock);
	q->ril = ril;
	ufd_mutex_unlock(&q->lock);
}

/* Sets or clears the enable and polls its acknowledgement. */
static int cmdq_set_enable(struct guest_cmdq *q, bool on)
{
	uint64_t deadline = now_ns() + q->timeout_ns;
	uint32_t v = on ? q->en_mask : 0;
	unsigned int round = 0;

	if (q->en_rmw) {
		v = guest_mmio_read32(&q->mmio, q->en_off) & ~q->en_mask;
		if (on)
			v |= q->en_mask;
	}
	guest_mmio_write32(&q->mmio, q->en_off, v);
	while (!!(guest_mmio_read32(&q->mmio, q->ack_off) & q->ack_mask) !=
	       on) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		guest_mmio_relax(&q->mmio, round++);
	}
	return 0;
}

int guest_cmdq_enable(struct guest_cmdq *q)
{
	int ret;

	ufd_mutex_lock(&q->lock);
	q->prod = guest_mmio_read32(&q->mmio, q->prod_off) & wrap_mask(q);
	q->cons = guest_mmio_read32(&q->mmio, q->cons_off) & wrap_mask(q);
	ret = cmdq_set_enable(q, true);
	ufd_mutex_unlock(&q->lock);
	return ret;
}

int guest_cmdq_disable(struct guest_cmdq *q)
{
	int ret;

	ufd_mutex_lock(&q->lock);
	ret = cmdq_set_enable(q, false);
	ufd_mutex_unlock(&q->lock);
	return ret;
}

static uint32_t cmdq_used(const struct guest_cmdq *q)
{
	return (q->prod - q->cons) & wrap_mask(q);
}

static void cmdq_publish(struct guest_cmdq *q)
{
	/* Commands are in memory before the SMMU can see PROD move. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	guest_mmio_write32(&q->mmio, q->prod_off, q->prod);
}

static uint64_t *cmdq_slot(struct guest_cmdq *q, uint32_t idx)
{
	return q->ring + SMMU_CMD_DWORDS * (idx & (entries(q) - 1));
}

/*
 * The queue stopped on a command error: record it, repair it if a guest
 * can, and acknowledge it so consumption resumes at CONS.
 */
static int cmdq_handle_error(struct guest_cmdq *q, struct guest_cmdq_error *err)
{
	uint32_t cons = guest_mmio_read32(&q->mmio, q->cons_off);
	unsigned int code = smmu_fget(cons, SMMU_CMDQ_CONS_ERR);
	uint32_t idx = cons & wrap_mask(q);
	uint64_t *slot = cmdq_slot(q, idx);
	uint32_t bit = (uint32_t)smmu_fmask(SMMU_GERROR_CMDQ_ERR);
	uint32_t gerror, gerrorn;

	if (!err->count) {
		err->cerror = code;
		err->index = idx;
		err->cmd[0] = slot[0];
		err->cmd[1] = slot[1];
	}
	err->count++;
	switch (code) {
	case SMMU_CERROR_ABT:
		err->stopped = true;
		return -EIO;
	case SMMU_CERROR_NONE:
		/* Nothing to repair; the acknowledgement restarts it. */
		break;
	case SMMU_CERROR_ATC_INV_SYNC:
		/* CONS is at the CMD_SYNC: issuing it again is the retry. */
		break;
	default:
		/* CERROR_ILL and codes this guest does not know: skip it. */
		guest_cmd_sync(slot, SMMU_SYNC_SIG_NONE, 0, 0);
		break;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gerror = guest_mmio_read32(&q->mmio, q->gerror_off);
	gerrorn = guest_mmio_read32(&q->mmio, q->gerrorn_off);
	guest_mmio_write32(&q->mmio, q->gerrorn_off,
			   (gerrorn & ~bit) | (gerror & bit));
	return 0;
}

/*
 * Polls CONS until the CMD_SYNC at @sync_idx was consumed (@for_sync) or
 * the ring has a free slot, handling command errors on the way.
 */
static int cmdq_wait(struct guest_cmdq *q, bool for_sync, uint32_t sync_idx,
		     struct guest_cmdq_error *err)
{
	uint32_t bit = (uint32_t)smmu_fmask(SMMU_GERROR_CMDQ_ERR);
	uint64_t deadline = now_ns() + q->timeout_ns;
	unsigned int round = 0;
	bool done;
	int ret;

	for (;;) {
		if ((guest_mmio_read32(&q->mmio, q->gerror_off) ^
		     guest_mmio_read32(&q->mmio, q->gerrorn_off)) &
		    bit) {
			ret = cmdq_handle_error(q, err);
			if (ret)
				return ret;
		} else {
			q->cons = guest_mmio_read32(&q->mmio, q->cons_off) &
				  wrap_mask(q);
			/*
			 * The CMD_SYNC is behind CONS when it is no nearer
			 * to CONS than PROD is (CONS never passes PROD).
			 */
			if (for_sync)
				done = ((sync_idx - q->cons) & wrap_mask(q)) >=
				       cmdq_used(q);
			else
				done = cmdq_used(q) < entries(q);
			if (done) {
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				return 0;
			}
		}
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		guest_mmio_relax(&q->mmio, round++);
	}
}

static int cmdq_push_locked(struct guest_cmdq *q,
			    const uint64_t cmd[SMMU_CMD_DWORDS],
			    struct guest_cmdq_error *err)
{
	uint64_t *slot;
	int ret;

	if (cmdq_used(q) == entries(q)) {
		cmdq_publish(q);
		ret = cmdq_wait(q, false, 0, err);
		if (ret)
			return ret;
	}
	/* The SMMU may be reading the ring: whole-word stores. */
	slot = cmdq_slot(q, q->prod);
	__atomic_store_n(&slot[0], cmd[0], __ATOMIC_RELAXED);
	__atomic_store_n(&slot[1], cmd[1], __ATOMIC_RELAXED);
	q->prod = (q->prod + 1) & wrap_mask(q);
	return 0;
}

static int cmdq_sync_locked(struct guest_cmdq *q, struct guest_cmdq_error *err)
{
	uint64_t cmd[SMMU_CMD_DWORDS];
	uint32_t sync_idx;
	int ret;

	guest_cmd_sync(cmd, SMMU_SYNC_SIG_NONE, 0, 0);
	ret = cmdq_push_locked(q, cmd, err);
	if (ret)
		return ret;
	sync_idx = (q->prod - 1) & wrap_mask(q);
	cmdq_publish(q);
	ret = cmdq_wait(q, true, sync_idx, err);
	if (ret)
		return ret;
	return err->count ? -EIO : 0;
}

int guest_cmdq_push(struct guest_cmdq *q, const uint64_t cmd[SMMU_CMD_DWORDS],
		    struct guest_cmdq_error *err)
{
	struct guest_cmdq_error local = { 0 };
	int ret;

	ufd_mutex_lock(&q->lock);
	ret = cmdq_push_locked(q, cmd, err ? err : &local);
	ufd_mutex_unlock(&q->lock);
	return ret;
}

int guest_cmdq_sync(struct guest_cmdq *q, struct guest_cmdq_error *err)
{
	struct guest_cmdq_error local;
	int ret;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	ufd_mutex_lock(&q->lock);
	ret = cmdq_sync_locked(q, err);
	ufd_mutex_unlock(&q->lock);
	return ret;
}

int guest_cmdq_submit(struct guest_cmdq *q,
		      const uint64_t (*cmds)[SMMU_CMD_DWORDS], unsigned int n,
		      struct guest_cmdq_error *err)
{
	struct guest_cmdq_error local;
	unsigned int i;
	int ret = 0;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	ufd_mutex_lock(&q->lock);
	for (i = 0; i < n && !ret; i++)
		ret = cmdq_push_locked(q, cmds[i], err);
	if (!ret)
		ret = cmdq_sync_locked(q, err);
	ufd_mutex_unlock(&q->lock);
	return ret;
}

static unsigned int tlbi_tg(unsigned int granule_lg2)
{
	return granule_lg2 == 12   ? SMMU_TLBI_TG_4K
	       : granule_lg2 == 14 ? SMMU_TLBI_TG_16K
				   : SMMU_TLBI_TG_64K;
}

static void tlbi_cmd(uint64_t cmd[SMMU_CMD_DWORDS], unsigned int op,
		     uint16_t vmid, uint16_t asid, uint64_t addr,
		     const struct guest_tlbi_range *rng, bool leaf)
{
	if (op == SMMU_CMD_TLBI_NH_VA)
		guest_cmd_tlbi_nh_va(cmd, vmid, asid, addr, rng, leaf);
	else if (op == SMMU_CMD_TLBI_NH_VAA)
		guest_cmd_tlbi_nh_vaa(cmd, vmid, addr, rng, leaf);
	else
		guest_cmd_tlbi_s2_ipa(cmd, vmid, addr, rng, leaf);
}

/* The range commands covering @pages granules from @iova (4.4.1.1). */
static int tlbi_ranges(struct guest_cmdq *q, unsigned int op, uint16_t vmid,
		       uint16_t asid, uint64_t iova, uint64_t pages,
		       unsigned int g, bool leaf, struct guest_cmdq_error *err)
{
	struct guest_tlbi_range rng = { .tg = tlbi_tg(g) };
	uint64_t cmd[SMMU_CMD_DWORDS];
	unsigned int scale;
	uint64_t num;
	int ret;

	/*
	 * Each command covers (NUM + 1) << SCALE granules: take the lowest
	 * set bit of what is left as SCALE and the five bits from there as
	 * NUM + 1, so the chunks add up to exactly @pages.
	 */
	while (pages) {
		scale = (unsigned int)__builtin_ctzll(pages);
		if (scale > 31) {
			scale = 31;
			num = ufd_min(pages >> 31, 32ull);
		} else {
			num = (pages >> scale) & 31;
		}
		rng.scale = scale;
		/*
		 * One granule with neither range nor level (TTL) is a
		 * reserved encoding; two granules, one more than asked, is
		 * an over-invalidation the architecture permits.
		 */
		rng.num = num == 1 && !scale ? 1 : (unsigned int)num - 1;
		tlbi_cmd(cmd, op, vmid, asid, iova, &rng, leaf);
		ret = cmdq_push_locked(q, cmd, err);
		if (ret)
			return ret;
		pages -= num << scale;
		iova += (num << scale) << g;
	}
	return 0;
}

int guest_cmdq_tlbi_range(struct guest_cmdq *q, unsigned int op, uint16_t vmid,
			  uint16_t asid, uint64_t iova, uint64_t size,
			  unsigned int granule_lg2, bool leaf,
			  struct guest_cmdq_error *err)
{
	struct guest_cmdq_error local = { 0 };
	uint64_t cmd[SMMU_CMD_DWORDS];
	uint64_t pages, last, i;
	int ret;

	if (op != SMMU_CMD_TLBI_NH_VA && op != SMMU_CMD_TLBI_NH_VAA &&
	    op != SMMU_CMD_TLBI_S2_IPA)
		return -EINVAL;
	if (granule_lg2 != 12 && granule_lg2 != 14 && granule_lg2 != 16)
		return -EINVAL;
	if (!is_aligned_u64(iova | size, 1ull << granule_lg2))
		return -EINVAL;
	ret = range_last(iova, size, &last);
	if (ret)
		return ret;
	if (!err)
		err = &local;
	pages = size >> granule_lg2;

	ufd_mutex_lock(&q->lock);
	if (q->ril) {
		ret = tlbi_ranges(q, op, vmid, asid, iova, pages, granule_lg2,
				  leaf, err);
	} else if (pages > TLBI_MAX_PAGES) {
		if (op == SMMU_CMD_TLBI_NH_VA)
			guest_cmd_tlbi_nh_asid(cmd, vmid, asid);
		else if (op == SMMU_CMD_TLBI_NH_VAA)
			guest_cmd_tlbi_nh_all(cmd, vmid);
		else
			guest_cmd_tlbi_s12_vmall(cmd, vmid);
		ret = cmdq_push_locked(q, cmd, err);
	} else {
		for (i = 0; i < pages && !ret; i++) {
			tlbi_cmd(cmd, op, vmid, asid, iova + (i << granule_lg2),
				 NULL, leaf);
			ret = cmdq_push_locked(q, cmd, err);
		}
	}
	ufd_mutex_unlock(&q->lock);
	return ret;
}
