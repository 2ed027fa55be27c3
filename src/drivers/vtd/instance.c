// SPDX-License-Identifier: BSD-3-Clause
/*
 * A VT-d driver instance: the remapping unit brought up the way Linux
 * brings one up in scalable mode, the structures the host owns in its
 * memory (a root table, context tables per half bus, the invalidation
 * queue, the wait status word), and the two ways the driver talks to the
 * unit afterwards.
 *
 * Invalidations: descriptors are gathered into a batch (struct vtd_batch);
 * vtd_batch_submit() copies them into the queue, closes them with an
 * invalidation wait descriptor whose status write carries a new sequence
 * number, and moves IQT. The model consumes synchronously in the writing
 * thread, so when the register write returns the batch has completed --
 * the status word holds the sequence -- or stopped on an error. An
 * invalidation queue error (FSTS.IQE) is recovered as Linux recovers it:
 * the descriptors from the one IQH points at up to the wait are replaced
 * by harmless waits and IQE is cleared, so one bad descriptor never stops
 * the queue for everyone; a device-TLB time-out (FSTS.ITE) is cleared and
 * reported. The queue is always empty between batches.
 *
 * Faults: the model records non-recoverable faults in its fault recording
 * registers and raises the fault event (a callback in the faulting thread,
 * after the model dropped its locks). The callback reads and clears every
 * record at once, as Linux's dmar_fault() does, so the registers never
 * overflow for long; the records are counted and logged.
 *
 * Physical memory: a "physical address" is a host address in this process
 * (DESIGN.md); the model's memory ops let the unit reach any of it except
 * the first 64 KiB and addresses beyond 47 bits, so a zero or garbage
 * pointer becomes an architectural fault, not a crash. Everything a guest
 * controls is reached through a second stage the host built.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/host_mem.h"
#include "drivers/vtd/vtd_priv.h"

#define CTX_TABLES 512u /* a bus has two: devfn 0..127 and 128..255 */
#define CTX_PER_TABLE 128u

/** vtd_host_ptr() - the host pointer of a "physical" address */
void *vtd_host_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/** vtd_host_pa() - the "physical" address of host memory @p */
uint64_t vtd_host_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint32_t rd32(struct ufd_vtd *vtd, uint64_t off)
{
	return (uint32_t)vtd_mmio_read(vtd->hw, off, 4);
}

static uint64_t rd64(struct ufd_vtd *vtd, uint64_t off)
{
	return vtd_mmio_read(vtd->hw, off, 8);
}

static void wr32(struct ufd_vtd *vtd, uint64_t off, uint32_t v)
{
	vtd_mmio_write(vtd->hw, off, 4, v);
}

static void wr64(struct ufd_vtd *vtd, uint64_t off, uint64_t v)
{
	vtd_mmio_write(vtd->hw, off, 8, v);
}

/* ---- Domain ids ---- */

/**
 * vtd_did_alloc() - the lowest free domain id
 *
 * Return: the id, or -ENOSPC.
 */
int vtd_did_alloc(struct ufd_vtd *vtd)
{
	unsigned long n = 1ul << vtd->did_bits, id;

	ufd_mutex_lock(&vtd->ids_lock);
	id = find_next_zero_bit(vtd->did_map, n, VTD_DRV_FIRST_DID);
	if (id < n)
		set_bit(id, vtd->did_map);
	ufd_mutex_unlock(&vtd->ids_lock);
	return id < n ? (int)id : -ENOSPC;
}

/** vtd_did_free() - give back an id from vtd_did_alloc() */
void vtd_did_free(struct ufd_vtd *vtd, uint16_t did)
{
	ufd_mutex_lock(&vtd->ids_lock);
	clear_bit(did, vtd->did_map);
	ufd_mutex_unlock(&vtd->ids_lock);
}

/* ---- Root and context tables ---- */

/**
 * vtd_ctx_set() - store scalable-mode context entry @ce for @sid
 *
 * Creates the half-bus context table (and points the root entry at it)
 * on first use. The caller holds tables_lock and issues the context-cache
 * invalidation the change needs. Words 1 to 3 are stored before word 0,
 * which holds P, so the unit never sees a present entry half written.
 * Return: 0 or -ENOMEM.
 */
int vtd_ctx_set(struct ufd_vtd *vtd, uint16_t sid, const uint64_t ce[4])
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff, half = devfn >> 7;
	uint64_t *t = vtd->ctx[bus * 2 + half], *e, re;
	unsigned int i;

	ufd_mutex_assert_held(&vtd->tables_lock);
	if (!t) {
		t = ufd_alloc_aligned(4096, 4096);
		if (!t)
			return -ENOMEM;
		memset(t, 0, 4096);
		vtd->ctx[bus * 2 + half] = t;
		re = __atomic_load_n(&vtd->root[bus * 2 + half],
				     __ATOMIC_RELAXED);
		if (!half) {
			re = vtd_dprep(VTD_SM_ROOT_LP, 1) |
			     vtd_dprep(VTD_SM_ROOT_LCTP, vtd_host_pa(t) >> 12);
		} else {
			re = vtd_dprep(VTD_SM_ROOT_UP, 1) |
			     vtd_dprep(VTD_SM_ROOT_UCTP, vtd_host_pa(t) >> 12);
		}
		/* Publishes the zeroed table to the walker. */
		__atomic_store_n(&vtd->root[bus * 2 + half], re,
				 __ATOMIC_RELEASE);
	}
	e = &t[(devfn % CTX_PER_TABLE) * (VTD_SM_CTX_ENTRY_SIZE / 8)];
	for (i = 1; i < 4; i++)
		__atomic_store_n(&e[i], ce[i], __ATOMIC_RELAXED);
	__atomic_store_n(&e[0], ce[0], __ATOMIC_RELEASE);
	return 0;
}

/* ---- Invalidation queue ---- */

static void iq_put(struct ufd_vtd *vtd, uint32_t slot, const struct vtd_desc *d)
{
	uint64_t *e = &vtd->iq[(slot % VTD_DRV_IQ_SLOTS) * VTD_DRV_DESC_QWORDS];
	unsigned int i;

	for (i = 0; i < VTD_DRV_DESC_QWORDS; i++)
		e[i] = d->qw[i];
}

static uint64_t desc_type(unsigned int type)
{
	return vtd_dprep(VTD_DESC_TYPE_LO, type & 0xf) |
	       vtd_dprep(VTD_DESC_TYPE_HI, type >> 4);
}

/* A wait descriptor that does nothing: what replaces a failed one. */
static void nop_wait(struct vtd_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->qw[0] = desc_type(VTD_DESC_WAIT);
}

static uint32_t iq_head(struct ufd_vtd *vtd)
{
	/* IQH counts 128-bit slots; ours are 256-bit. */
	return (uint32_t)(vtd_fget(rd64(vtd, VTD_IQH_REG), VTD_IQ_QH) >> 1);
}

/*
 * Runs @n descriptors, the last a wait writing @seq, from the current
 * tail. qi_lock held. Returns 0, -EIO (a descriptor the unit refused) or
 * -ETIMEDOUT (a device-TLB invalidation timed out).
 */
static int iq_run(struct ufd_vtd *vtd, unsigned int n, uint32_t seq)
{
	uint32_t start = vtd->iq_tail, wait_slot, i, fsts;
	struct vtd_desc nop;
	unsigned int tries;
	int rc = 0;

	wait_slot = (start + n - 1) % VTD_DRV_IQ_SLOTS;
	vtd->iq_tail = (start + n) % VTD_DRV_IQ_SLOTS;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr64(vtd, VTD_IQT_REG, (uint64_t)vtd->iq_tail * 32);
	nop_wait(&nop);
	for (tries = 0; tries <= VTD_DRV_IQ_SLOTS; tries++) {
		if (__atomic_load_n(vtd->wait_status, __ATOMIC_ACQUIRE) == seq)
			return rc;
		fsts = rd32(vtd, VTD_FSTS_REG);
		if (vtd_fget(fsts, VTD_FSTS_IQE)) {
			vtd_stat_inc(vtd, qi_errors);
			/* Nothing from the failing descriptor on may run. */
			for (i = iq_head(vtd); i != wait_slot;
			     i = (i + 1) % VTD_DRV_IQ_SLOTS)
				iq_put(vtd, i, &nop);
			rc = -EIO;
			wr32(vtd, VTD_FSTS_REG,
			     (uint32_t)vtd_fmask(VTD_FSTS_IQE));
			continue;
		}
		if (vtd_fget(fsts, VTD_FSTS_ITE) ||
		    vtd_fget(fsts, VTD_FSTS_ICE)) {
			vtd_stat_inc(vtd, qi_errors);
			rc = -ETIMEDOUT;
			wr32(vtd, VTD_FSTS_REG,
			     (uint32_t)(vtd_fmask(VTD_FSTS_ITE) |
					vtd_fmask(VTD_FSTS_ICE)));
			continue;
		}
		break;
	}
	/* The wait never completed: start again where the unit is. */
	ufd_log(UFD_LOG_ERR, "vtd: invalidation queue stuck at %u",
		iq_head(vtd));
	vtd->iq_tail = iq_head(vtd);
	return rc ? rc : -EIO;
}

/*
 * Queues @n descriptors and a wait, and waits. qi_lock taken here.
 */
static int qi_submit(struct ufd_vtd *vtd, const struct vtd_desc *d,
		     unsigned int n)
{
	struct vtd_desc wait = { { 0 } };
	unsigned int i;
	uint32_t seq;
	int rc;

	ufd_mutex_lock(&vtd->qi_lock);
	seq = ++vtd->wait_seq;
	for (i = 0; i < n; i++)
		iq_put(vtd, vtd->iq_tail + i, &d[i]);
	wait.qw[0] = desc_type(VTD_DESC_WAIT) | vtd_dprep(VTD_WAIT_SW, 1) |
		     vtd_dprep(VTD_WAIT_FN, 1) | vtd_dprep(VTD_WAIT_SDATA, seq);
	wait.qw[1] =
		vtd_dprep(VTD_WAIT_SADDR, vtd_host_pa(vtd->wait_status) >> 2);
	iq_put(vtd, vtd->iq_tail + n, &wait);
	vtd_stat_add(vtd, descs, n + 1);
	vtd_stat_inc(vtd, waits);
	rc = iq_run(vtd, n + 1, seq);
	ufd_mutex_unlock(&vtd->qi_lock);
	return rc;
}

/** vtd_batch_add() - gather @d; a full batch is queued first */
void vtd_batch_add(struct vtd_batch *b, const struct vtd_desc *d)
{
	if (b->n == VTD_DRV_BATCH)
		vtd_batch_submit(b);
	b->d[b->n++] = *d;
}

/**
 * vtd_batch_submit() - queue what @b gathered with a wait, and wait
 *
 * An empty batch still waits (for what others queued before it). Our own
 * descriptors are well formed: a failure is logged as a driver bug.
 * Return: 0 or iq_run()'s error.
 */
int vtd_batch_submit(struct vtd_batch *b)
{
	int rc = qi_submit(b->vtd, b->d, b->n);

	if (rc)
		ufd_log(UFD_LOG_ERR, "vtd: invalidation failed: %d", rc);
	b->n = 0;
	return rc;
}

/* The aligned span of pages covering [iova, iova + len): address, AM. */
static unsigned int span_am(uint64_t iova, uint64_t len, uint64_t *addr)
{
	uint64_t first = iova >> 12, last;
	unsigned int am;

	if (len - 1 > U64_MAX - iova)
		last = U64_MAX >> 12;
	else
		last = (iova + (len - 1)) >> 12;
	am = first == last ? 0
			   : 64 - (unsigned int)__builtin_clzll(first ^ last);
	*addr = am >= 52 ? 0 : (first & ~((1ull << am) - 1)) << 12;
	return am;
}

/** vtd_add_cc_dev() - device-selective context-cache invalidation */
void vtd_add_cc_dev(struct vtd_batch *b, uint16_t sid)
{
	struct vtd_desc d = { { 0 } };

	d.qw[0] = desc_type(VTD_DESC_CC) | vtd_dprep(VTD_CC_G, VTD_CC_DEVICE) |
		  vtd_dprep(VTD_CC_SID, sid);
	vtd_batch_add(b, &d);
}

/** vtd_add_pc() - PASID-selective-within-domain PASID-cache invalidation */
void vtd_add_pc(struct vtd_batch *b, uint16_t did, uint32_t pasid)
{
	struct vtd_desc d = { { 0 } };

	d.qw[0] = desc_type(VTD_DESC_PC) | vtd_dprep(VTD_PC_G, VTD_PC_G_PASID) |
		  vtd_dprep(VTD_PC_DID, did) | vtd_dprep(VTD_PC_PASID, pasid);
	vtd_batch_add(b, &d);
	vtd_stat_inc(b->vtd, pc_invs);
}

/*
 * vtd_add_iotlb() - IOTLB invalidation of @did: page-selective for
 * [iova, iova + len) where the unit can say it (CAP.PSI, AM up to MAMV),
 * else domain-selective; @len 0 means the whole domain. Second-stage and
 * nested translations tagged @did go.
 */
void vtd_add_iotlb(struct vtd_batch *b, uint16_t did, uint64_t iova,
		   uint64_t len)
{
	struct ufd_vtd *vtd = b->vtd;
	struct vtd_desc d = { { 0 } };
	unsigned int am = 0;
	uint64_t addr = 0;

	if (len)
		am = span_am(iova, len, &addr);
	d.qw[0] = desc_type(VTD_DESC_IOTLB) | vtd_dprep(VTD_IOTLB_DID_D, did) |
		  vtd_dprep(VTD_IOTLB_DR_D, vtd_fget(vtd->cap, VTD_CAP_DRD)) |
		  vtd_dprep(VTD_IOTLB_DW_D, vtd_fget(vtd->cap, VTD_CAP_DWD));
	if (!len || !vtd->psi || am > vtd->mamv) {
		d.qw[0] |= vtd_dprep(VTD_IOTLB_G, VTD_TLB_DOMAIN);
	} else {
		d.qw[0] |= vtd_dprep(VTD_IOTLB_G, VTD_TLB_PAGE);
		d.qw[1] = vtd_dprep(VTD_IOTLB_ADDR_D, addr >> 12) |
			  vtd_dprep(VTD_IOTLB_AM_D, am);
	}
	vtd_batch_add(b, &d);
	vtd_stat_inc(vtd, iotlb_invs);
}

/*
 * vtd_add_piotlb() - PASID-based IOTLB invalidation of (@did, @pasid):
 * page-selective for [iova, iova + len) (AM up to MAMV), else all of the
 * PASID's non-global entries; @len 0 means all. @leaf: only leaves
 * changed (IH), paging-structure caches may stay.
 */
void vtd_add_piotlb(struct vtd_batch *b, uint16_t did, uint32_t pasid,
		    uint64_t iova, uint64_t len, bool leaf)
{
	struct ufd_vtd *vtd = b->vtd;
	struct vtd_desc d = { { 0 } };
	unsigned int am = 0;
	uint64_t addr = 0;

	if (len)
		am = span_am(iova, len, &addr);
	d.qw[0] = desc_type(VTD_DESC_PIOTLB) | vtd_dprep(VTD_PIOTLB_DID, did) |
		  vtd_dprep(VTD_PIOTLB_PASID, pasid);
	if (!len || am > vtd->mamv) {
		d.qw[0] |= vtd_dprep(VTD_PIOTLB_G, VTD_PIOTLB_G_PASID);
	} else {
		d.qw[0] |= vtd_dprep(VTD_PIOTLB_G, VTD_PIOTLB_G_PAGE);
		d.qw[1] = vtd_dprep(VTD_PIOTLB_ADDR, addr >> 12) |
			  vtd_dprep(VTD_PIOTLB_AM, am) |
			  vtd_dprep(VTD_PIOTLB_IH, leaf);
	}
	vtd_batch_add(b, &d);
	vtd_stat_inc(vtd, piotlb_invs);
}

/*
 * vtd_add_devtlb() - invalidation of @m's device TLB for [iova, iova +
 * len) of @pasid (RID_PASID: requests without PASID; @len 0: all), when
 * the device uses ATS. The size is encoded in the address (S = 1: the
 * lowest clear bit above bit 11 gives the span), as PCIe ATS says.
 */
void vtd_add_devtlb(struct vtd_batch *b, struct vtd_master *m, uint32_t pasid,
		    uint64_t iova, uint64_t len)
{
	struct vtd_desc d = { { 0 } };
	unsigned int am = 52;
	uint64_t addr = 0;

	if (!m->ats_capable || !m->dev->ats_enabled)
		return;
	if (len)
		am = span_am(iova, len, &addr);
	if (am >= 52) {
		am = 52;
		addr = 0;
	}
	/* S = 1: bits 12 .. 12 + am - 2 set, bit 12 + am - 1 clear. */
	if (am)
		addr |= ((1ull << (am - 1)) - 1) << 12;
	if (pasid == VTD_DRV_RID_PASID) {
		d.qw[0] = desc_type(VTD_DESC_DEVTLB) |
			  vtd_dprep(VTD_DEVTLB_SID, m->sid);
		d.qw[1] = vtd_dprep(VTD_DEVTLB_S, am != 0) |
			  vtd_dprep(VTD_DEVTLB_ADDR, addr >> 12);
	} else {
		d.qw[0] = desc_type(VTD_DESC_PDEVTLB) |
			  vtd_dprep(VTD_PDEVTLB_SID, m->sid) |
			  vtd_dprep(VTD_PDEVTLB_PASID, pasid);
		d.qw[1] = vtd_dprep(VTD_PDEVTLB_S, am != 0) |
			  vtd_dprep(VTD_PDEVTLB_ADDR, addr >> 12);
	}
	vtd_batch_add(b, &d);
	vtd_stat_inc(b->vtd, devtlb_invs);
}

/* ---- Faults ---- */

/* Reads and clears every fault record, under fault_lock. */
static void fault_drain_locked(struct ufd_vtd *vtd)
{
	uint64_t off, rec[2];
	unsigned int i;

	for (i = 0; i < vtd->nfr; i++) {
		off = vtd->fro + (uint64_t)i * VTD_FRCD_SIZE;
		rec[1] = rd64(vtd, off + 8);
		if (!vtd_dget(rec, VTD_FRCD_F))
			continue;
		rec[0] = rd64(vtd, off);
		ufd_log(UFD_LOG_DEBUG,
			"vtd: fault reason %#x sid %#x addr %#llx",
			(unsigned int)vtd_dget(rec, VTD_FRCD_FR),
			(unsigned int)vtd_dget(rec, VTD_FRCD_SID),
			(unsigned long long)(vtd_dget(rec, VTD_FRCD_FI) << 12));
		vtd_stat_inc(vtd, faults);
		/* F is write-1-to-clear. */
		wr64(vtd, off + 8, vtd_dprep(VTD_FRCD_F, 1));
	}
	wr32(vtd, VTD_FSTS_REG,
	     (uint32_t)(vtd_fmask(VTD_FSTS_PFO) | vtd_fmask(VTD_FSTS_PPF)));
}

/*
 * Reads and clears every fault record; the fault event's handler. A fault
 * recorded while a drain runs raises the event again, possibly from the
 * drain's own register writes and so in the draining thread, under
 * fault_lock: the event then only marks work pending and returns, and the
 * drain that holds the lock goes round again once it has let go.
 */
static void fault_drain(struct ufd_vtd *vtd)
{
	__atomic_store_n(&vtd->fault_pending, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&vtd->fault_pending, __ATOMIC_SEQ_CST) &&
	       ufd_mutex_trylock(&vtd->fault_lock)) {
		__atomic_store_n(&vtd->fault_pending, false, __ATOMIC_SEQ_CST);
		fault_drain_locked(vtd);
		ufd_mutex_unlock(&vtd->fault_lock);
	}
}

/* The unit's interrupts; run in the thread that caused them, no lock. */
static void vtd_irq(void *priv, enum vtd_irq irq)
{
	if (irq == VTD_IRQ_FAULT)
		fault_drain(priv);
}

/* ---- Bring-up ---- */

/* Levels of the largest SAGAW the unit has that MGAW needs at most. */
static int pick_ss_geometry(struct ufd_vtd *vtd)
{
	unsigned int sagaw = (unsigned int)vtd_fget(vtd->cap, VTD_CAP_SAGAW);
	static const struct {
		unsigned int bit, levels, width, aw;
	} g[] = {
		{ VTD_SAGAW_57, 5, 57, VTD_AW_57 },
		{ VTD_SAGAW_48, 4, 48, VTD_AW_48 },
		{ VTD_SAGAW_39, 3, 39, VTD_AW_39 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(g); i++) {
		if (!(sagaw & g[i].bit))
			continue;
		/* A wider table than MGAW asks for is of no use. */
		if (i + 1 < ARRAY_SIZE(g) && vtd->mgaw <= g[i + 1].width &&
		    (sagaw & g[i + 1].bit))
			continue;
		vtd->ss_levels = g[i].levels;
		vtd->ss_ias = ufd_min(vtd->mgaw, g[i].width);
		vtd->ss_aw = g[i].aw;
		return 0;
	}
	return -EINVAL;
}

static int probe_caps(struct ufd_vtd *vtd)
{
	uint64_t cap = rd64(vtd, VTD_CAP_REG), ecap = rd64(vtd, VTD_ECAP_REG);
	unsigned int sllps = (unsigned int)vtd_fget(cap, VTD_CAP_SLLPS);

	vtd->cap = cap;
	vtd->ecap = ecap;
	vtd->fs = vtd_fget(ecap, VTD_ECAP_FSTS);
	vtd->ss = vtd_fget(ecap, VTD_ECAP_SSTS);
	vtd->nest = vtd_fget(ecap, VTD_ECAP_NEST) && vtd->fs && vtd->ss;
	vtd->ssads = vtd_fget(ecap, VTD_ECAP_SSADS) && vtd->ss;
	vtd->dt = vtd_fget(ecap, VTD_ECAP_DT);
	vtd->pasid = vtd_fget(ecap, VTD_ECAP_PASID);
	vtd->pasid_bits =
		vtd->pasid ? (unsigned int)vtd_fget(ecap, VTD_ECAP_PSS) + 1 : 0;
	vtd->srs = vtd_fget(ecap, VTD_ECAP_SRS);
	vtd->eafs = vtd_fget(ecap, VTD_ECAP_EAFS);
	vtd->smpwc = vtd_fget(ecap, VTD_ECAP_SMPWCS);
	vtd->fs5lp = vtd_fget(cap, VTD_CAP_FS5LP);
	vtd->fs1gp = vtd_fget(cap, VTD_CAP_FS1GP);
	vtd->psi = vtd_fget(cap, VTD_CAP_PSI);
	vtd->cm = vtd_fget(cap, VTD_CAP_CM);
	vtd->mamv = (unsigned int)vtd_fget(cap, VTD_CAP_MAMV);
	vtd->did_bits =
		ufd_min(4 + 2 * (unsigned int)vtd_fget(cap, VTD_CAP_ND), 16u);
	vtd->mgaw = (unsigned int)vtd_fget(cap, VTD_CAP_MGAW) + 1;
	vtd->fro = vtd_fget(cap, VTD_CAP_FRO) * 16;
	vtd->nfr = (unsigned int)vtd_fget(cap, VTD_CAP_NFR) + 1;
	vtd->iro = vtd_fget(ecap, VTD_ECAP_IRO) * 16;
	vtd->fs_ias = vtd->fs5lp && vtd->mgaw >= 57 ? 57 : 48;
	vtd->fs_pgsizes = (1ull << 12) | (1ull << 21) |
			  (vtd->fs1gp ? 1ull << 30 : 0);
	vtd->ss_pgsizes = (1ull << 12) |
			  (sllps & VTD_SLLPS_2M ? 1ull << 21 : 0) |
			  (sllps & VTD_SLLPS_1G ? 1ull << 30 : 0);
	/* What this driver drives: scalable mode with queued invalidation. */
	if (!vtd_fget(ecap, VTD_ECAP_SMTS) || !vtd_fget(ecap, VTD_ECAP_QI) ||
	    (!vtd->fs && !vtd->ss))
		return -EINVAL;
	if (vtd->ss && pick_ss_geometry(vtd))
		return -EINVAL;
	return 0;
}

static int alloc_structures(struct ufd_vtd *vtd)
{
	vtd->root = ufd_alloc_aligned(4096, 4096);
	vtd->ctx = ufd_calloc(CTX_TABLES, sizeof(*vtd->ctx));
	vtd->by_sid = ufd_calloc(VTD_DRV_NSIDS, sizeof(*vtd->by_sid));
	vtd->sid_map = bitmap_zalloc(VTD_DRV_NSIDS);
	vtd->did_map = bitmap_zalloc(1ul << vtd->did_bits);
	vtd->iq = ufd_alloc_aligned(4096, 4096u << VTD_DRV_IQ_QS);
	vtd->wait_status = ufd_alloc_aligned(64, 64);
	if (!vtd->root || !vtd->ctx || !vtd->by_sid || !vtd->sid_map ||
	    !vtd->did_map || !vtd->iq || !vtd->wait_status)
		return -ENOMEM;
	memset(vtd->root, 0, 4096);
	memset(vtd->iq, 0, 4096u << VTD_DRV_IQ_QS);
	*vtd->wait_status = 0;
	return 0;
}

static void free_structures(struct ufd_vtd *vtd)
{
	unsigned int i;

	if (vtd->ctx)
		for (i = 0; i < CTX_TABLES; i++)
			ufd_free(vtd->ctx[i]);
	ufd_free(vtd->ctx);
	ufd_free(vtd->root);
	ufd_free(vtd->by_sid);
	bitmap_free(vtd->sid_map);
	bitmap_free(vtd->did_map);
	ufd_free(vtd->iq);
	ufd_free(vtd->wait_status);
}

/*
 * A GCMD command: the persistent enables GSTS shows, plus @bit. Returns
 * whether GSTS shows @status afterwards as @want.
 */
static bool gcmd(struct ufd_vtd *vtd, uint32_t bit, uint32_t status, bool on)
{
	const uint32_t keep =
		(uint32_t)(vtd_fmask(VTD_GSTS_TES) | vtd_fmask(VTD_GSTS_QIES) |
			   vtd_fmask(VTD_GSTS_IRES) | vtd_fmask(VTD_GSTS_CFIS));
	uint32_t v = rd32(vtd, VTD_GSTS_REG) & keep;

	wr32(vtd, VTD_GCMD_REG, on ? v | bit : v & ~bit);
	return !!(rd32(vtd, VTD_GSTS_REG) & status) == on;
}

/* Global context-cache, PASID-cache and IOTLB invalidation. */
static int flush_global(struct ufd_vtd *vtd)
{
	struct vtd_desc d[3];

	memset(d, 0, sizeof(d));
	d[0].qw[0] = desc_type(VTD_DESC_CC) |
		     vtd_dprep(VTD_CC_G, VTD_CC_GLOBAL);
	d[1].qw[0] = desc_type(VTD_DESC_PC) |
		     vtd_dprep(VTD_PC_G, VTD_PC_G_GLOBAL);
	d[2].qw[0] =
		desc_type(VTD_DESC_IOTLB) |
		vtd_dprep(VTD_IOTLB_G, VTD_TLB_GLOBAL) |
		vtd_dprep(VTD_IOTLB_DR_D, vtd_fget(vtd->cap, VTD_CAP_DRD)) |
		vtd_dprep(VTD_IOTLB_DW_D, vtd_fget(vtd->cap, VTD_CAP_DWD));
	return qi_submit(vtd, d, 3);
}

/* What Linux's init_dmars() and iommu_enable_translation() do for us. */
static int vtd_reset(struct ufd_vtd *vtd)
{
	const uint32_t te = (uint32_t)vtd_fmask(VTD_GCMD_TE);

	if (!gcmd(vtd, te, (uint32_t)vtd_fmask(VTD_GSTS_TES), false) ||
	    !gcmd(vtd, (uint32_t)vtd_fmask(VTD_GCMD_QIE),
		  (uint32_t)vtd_fmask(VTD_GSTS_QIES), false))
		return -EIO;
	wr64(vtd, VTD_RTADDR_REG,
	     vtd_fprep(VTD_RTADDR_RTA, vtd_host_pa(vtd->root) >> 12) |
		     vtd_fprep(VTD_RTADDR_TTM, VTD_TTM_SCALABLE));
	if (!gcmd(vtd, (uint32_t)vtd_fmask(VTD_GCMD_SRTP),
		  (uint32_t)vtd_fmask(VTD_GSTS_RTPS), true))
		return -EIO;

	wr64(vtd, VTD_IQT_REG, 0);
	wr64(vtd, VTD_IQA_REG,
	     vtd_fprep(VTD_IQA_IQA, vtd_host_pa(vtd->iq) >> 12) |
		     vtd_fprep(VTD_IQA_DW, 1) |
		     vtd_fprep(VTD_IQA_QS, VTD_DRV_IQ_QS));
	vtd->iq_tail = 0;
	if (!gcmd(vtd, (uint32_t)vtd_fmask(VTD_GCMD_QIE),
		  (uint32_t)vtd_fmask(VTD_GSTS_QIES), true))
		return -EIO;
	/* Nothing may survive from before. */
	if (flush_global(vtd))
		return -EIO;
	/* Fault events unmasked; an empty status. */
	fault_drain(vtd);
	wr32(vtd, VTD_FECTL_REG, 0);
	return gcmd(vtd, te, (uint32_t)vtd_fmask(VTD_GSTS_TES), true) ? 0
								      : -EIO;
}

/* The operations; the default instance's, copied into every other one. */
const struct ufd_iommu_ops ufd_vtd_iommu = {
	.name = "intel-iommu",
	.probe_device = vtd_probe_device,
	.release_device = ufd_vtd_release_device,
	.domain_alloc_paging = vtd_domain_alloc_paging,
	.attach = vtd_attach,
	.attach_pasid = vtd_attach_pasid,
	.capable = vtd_capable,
	.ats_request = vtd_ats_request,
	.hw_info = vtd_hw_info,
	.domain_alloc_nested = vtd_domain_alloc_nested,
};

static void vtd_free(struct ufd_vtd *vtd)
{
	if (vtd->hw && !IS_ERR(vtd->hw))
		vtd_destroy(vtd->hw);
	free_structures(vtd);
	ufd_mutex_destroy(&vtd->fault_lock);
	ufd_mutex_destroy(&vtd->qi_lock);
	ufd_mutex_destroy(&vtd->ids_lock);
	ufd_mutex_destroy(&vtd->tables_lock);
	ufd_free(vtd);
}

struct ufd_vtd *ufd_vtd_create(const struct ufd_vtd_opts *opts)
{
	struct vtd_config cfg;
	struct ufd_vtd *vtd;
	int rc;

	vtd = ufd_zalloc(sizeof(*vtd));
	if (!vtd)
		return ERR_PTR(-ENOMEM);
	vtd->ops = ufd_vtd_iommu;
	ufd_mutex_init(&vtd->tables_lock);
	ufd_mutex_init(&vtd->ids_lock);
	ufd_mutex_init(&vtd->qi_lock);
	ufd_mutex_init(&vtd->fault_lock);

	vtd_config_default(&cfg);
	if (opts && opts->tweak)
		opts->tweak(&cfg);
	cfg.mem = &ufd_host_mem_ops;
	cfg.mem_window = &ufd_host_mem_window;
	cfg.mem_priv = NULL;
	cfg.irq = vtd_irq;
	cfg.irq_priv = vtd;
	vtd->hw = vtd_create(&cfg);
	if (IS_ERR(vtd->hw)) {
		rc = (int)PTR_ERR(vtd->hw);
		goto out_free;
	}
	rc = probe_caps(vtd);
	if (rc)
		goto out_free;
	rc = alloc_structures(vtd);
	if (rc)
		goto out_free;
	rc = vtd_reset(vtd);
	if (rc)
		goto out_free;
	return vtd;

out_free:
	vtd_free(vtd);
	return ERR_PTR(rc);
}

void ufd_vtd_destroy(struct ufd_vtd *vtd)
{
	if (IS_ERR_OR_NULL(vtd) || vtd->is_default)
		return;
	gcmd(vtd, (uint32_t)vtd_fmask(VTD_GCMD_TE),
	     (uint32_t)vtd_fmask(VTD_GSTS_TES), false);
	vtd_free(vtd);
}

/* The default instance: made once, never destroyed. */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct ufd_vtd *default_vtd;

static void default_init(void)
{
	struct ufd_vtd *vtd = ufd_vtd_create(NULL);

	if (!IS_ERR(vtd))
		vtd->is_default = true;
	__atomic_store_n(&default_vtd, vtd, __ATOMIC_RELEASE);
}

struct ufd_vtd *ufd_vtd_default(void)
{
	pthread_once(&default_once, default_init);
	return __atomic_load_n(&default_vtd, __ATOMIC_ACQUIRE);
}

/** vtd_is_our_ops() - are @ops this driver's (any instance's)? */
bool vtd_is_our_ops(const struct ufd_iommu_ops *ops)
{
	return ops && ops->probe_device == vtd_probe_device;
}

struct ufd_vtd *ufd_vtd_of(const struct ufd_iommu_ops *ops)
{
	if (ops == &ufd_vtd_iommu)
		return ufd_vtd_default();
	if (!vtd_is_our_ops(ops))
		return NULL;
	return container_of(ops, struct ufd_vtd, ops);
}

/** vtd_of_dev() - the instance of a device this driver probed */
struct ufd_vtd *vtd_of_dev(const struct ufd_dev *dev)
{
	return dev_to_master(dev)->vtd;
}

const struct ufd_iommu_ops *ufd_vtd_ops(struct ufd_vtd *vtd)
{
	return vtd->is_default ? &ufd_vtd_iommu : &vtd->ops;
}

struct vtd *ufd_vtd_hw(struct ufd_vtd *vtd)
{
	return vtd->hw;
}

void ufd_vtd_get_stats(struct ufd_vtd *vtd, struct ufd_vtd_stats *st)
{
	st->descs = __atomic_load_n(&vtd->stats.descs, __ATOMIC_RELAXED);
	st->waits = __atomic_load_n(&vtd->stats.waits, __ATOMIC_RELAXED);
	st->qi_errors =
		__atomic_load_n(&vtd->stats.qi_errors, __ATOMIC_RELAXED);
	st->faults = __atomic_load_n(&vtd->stats.faults, __ATOMIC_RELAXED);
	st->piotlb_invs =
		__atomic_load_n(&vtd->stats.piotlb_invs, __ATOMIC_RELAXED);
	st->iotlb_invs =
		__atomic_load_n(&vtd->stats.iotlb_invs, __ATOMIC_RELAXED);
	st->pc_invs = __atomic_load_n(&vtd->stats.pc_invs, __ATOMIC_RELAXED);
	st->devtlb_invs =
		__atomic_load_n(&vtd->stats.devtlb_invs, __ATOMIC_RELAXED);
}
