// SPDX-License-Identifier: BSD-3-Clause
/*
 * An AMD-Vi driver instance: the model brought up the way Linux brings an
 * AMD IOMMU up, the structures the host owns in its memory (a device
 * table, a command buffer, an event log, the COMPLETION_WAIT semaphore),
 * and the two ways the driver talks to the hardware afterwards.
 *
 * Commands: amdvi_batch_submit() copies a batch into the buffer, closes it
 * with a COMPLETION_WAIT that stores a new sequence number into cmd_sem,
 * moves the tail and polls the semaphore, as Linux's
 * iommu_completion_wait() does. The model consumes synchronously in the
 * writing thread, so the store has normally landed when the tail write
 * returns; a store that never comes means the IOMMU stopped on a command
 * (ILLEGAL_COMMAND_ERROR or COMMAND_HARDWARE_ERROR in the event log): the
 * buffer is then restarted empty (CmdBufEn off, head = tail, on again), so
 * one bad batch cannot stop the next.
 *
 * Device table: every DTE is valid from bring-up on. Linux writes V and TV
 * at boot and only V for a blocked device; on this model (and per the
 * specification) TV = 0 passes requests through untranslated, so a blocked
 * device keeps V = TV = 1 with Mode 0 and IR = IW = 0 -- no access, an
 * IO_PAGE_FAULT for every request. A DTE changes word by word with atomic
 * stores: a change confined to qword 0 is one store; anything else first
 * blocks the entry, then writes qwords 1-3, then qword 0 (the order rule
 * of Linux's update_dte256(), in its safest form), and is followed by
 * INVALIDATE_DEVTAB_ENTRY.
 *
 * Events: the model writes records into the event log and raises its
 * interrupt (a callback in whichever thread faulted, after the model
 * dropped its locks). The callback only wakes the instance's event thread,
 * which reads the log from head to tail -- Linux's threaded handler.
 * ufd_amdvi_evtlog_poll() does the same in the caller's thread.
 *
 * Physical memory: a "physical address" is a host address in this process
 * (DESIGN.md); the model's memory ops let the IOMMU reach any of it except
 * the first 64 KiB and addresses beyond 47 bits, so a zero or garbage
 * pointer becomes an architectural error, not a crash.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/host_mem.h"
#include "drivers/amdvi/amdvi_priv.h"

/* Polls of the COMPLETION_WAIT semaphore before giving up. */
#define SEM_POLLS 1000000u

/** amdvi_host_ptr() - the host pointer of a "physical" address */
void *amdvi_host_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/** amdvi_host_pa() - the "physical" address of host memory @p */
uint64_t amdvi_host_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint64_t rd64(struct ufd_amdvi *iommu, uint64_t off)
{
	return amdvi_mmio_read(iommu->hw, off, 8);
}

static void wr64(struct ufd_amdvi *iommu, uint64_t off, uint64_t v)
{
	amdvi_mmio_write(iommu->hw, off, 8, v);
}

/* ---- DomainIDs ---- */

/** amdvi_domid_alloc() - the lowest free DomainID; or -ENOSPC */
int amdvi_domid_alloc(struct ufd_amdvi *iommu)
{
	const unsigned long n = 1ul << AMDVI_DRV_DOMID_BITS;
	unsigned long id;

	ufd_mutex_lock(&iommu->ids_lock);
	id = find_next_zero_bit(iommu->domid_map, n, 1);
	if (id < n)
		set_bit(id, iommu->domid_map);
	ufd_mutex_unlock(&iommu->ids_lock);
	return id < n ? (int)id : -ENOSPC;
}

/** amdvi_domid_free() - give back a DomainID from amdvi_domid_alloc() */
void amdvi_domid_free(struct ufd_amdvi *iommu, uint16_t domid)
{
	ufd_mutex_lock(&iommu->ids_lock);
	clear_bit(domid, iommu->domid_map);
	ufd_mutex_unlock(&iommu->ids_lock);
}

/* ---- Device table ---- */

/** amdvi_dte_ptr() - the DTE of @devid, below AMDVI_DRV_DEVIDS */
uint64_t *amdvi_dte_ptr(struct ufd_amdvi *iommu, uint16_t devid)
{
	return &iommu->devtab[(size_t)devid * AMDVI_DTE_QWORDS];
}

/** amdvi_make_blocked_dte() - a DTE that denies every request, logged */
void amdvi_make_blocked_dte(uint64_t dte[AMDVI_DTE_QWORDS])
{
	memset(dte, 0, AMDVI_DTE_QWORDS * sizeof(*dte));
	amdvi_dset(dte, AMDVI_DTE_V, 1);
	amdvi_dset(dte, AMDVI_DTE_TV, 1);
}

/**
 * amdvi_write_dte() - store a new DTE for @devid
 *
 * The caller issues INVALIDATE_DEVTAB_ENTRY afterwards and serialises the
 * writers of this DTE. A walker reading the entry meanwhile sees the old
 * entry, the new one, or one that blocks -- never a mix that enables
 * guest translation with half its fields.
 */
void amdvi_write_dte(struct ufd_amdvi *iommu, uint16_t devid,
		     const uint64_t dte[AMDVI_DTE_QWORDS])
{
	uint64_t *p = amdvi_dte_ptr(iommu, devid), blocked[AMDVI_DTE_QWORDS];
	bool upper_same = true;
	unsigned int i;

	for (i = 1; i < AMDVI_DTE_QWORDS; i++)
		upper_same &= __atomic_load_n(&p[i], __ATOMIC_RELAXED) ==
			      dte[i];
	if (!upper_same) {
		amdvi_make_blocked_dte(blocked);
		__atomic_store_n(&p[0], blocked[0], __ATOMIC_RELEASE);
		for (i = 1; i < AMDVI_DTE_QWORDS; i++)
			__atomic_store_n(&p[i], dte[i], __ATOMIC_RELEASE);
	}
	__atomic_store_n(&p[0], dte[0], __ATOMIC_RELEASE);
}

int ufd_amdvi_read_dte(struct ufd_amdvi *iommu, uint16_t devid,
		       uint64_t dte[AMDVI_DTE_QWORDS])
{
	unsigned int i;

	if (devid >= AMDVI_DRV_DEVIDS)
		return -ENOENT;
	for (i = 0; i < AMDVI_DTE_QWORDS; i++)
		dte[i] = __atomic_load_n(&amdvi_dte_ptr(iommu, devid)[i],
					 __ATOMIC_ACQUIRE);
	return 0;
}

/* ---- Command buffer ---- */

static void cmd_put(struct ufd_amdvi *iommu, uint64_t c0, uint64_t c1)
{
	uint64_t *e = &iommu->cmdbuf[(iommu->cmd_tail / AMDVI_ENTRY_SIZE) *
				     AMDVI_CMD_QWORDS];

	__atomic_store_n(&e[0], c0, __ATOMIC_RELAXED);
	__atomic_store_n(&e[1], c1, __ATOMIC_RELAXED);
	iommu->cmd_tail = (iommu->cmd_tail + AMDVI_ENTRY_SIZE) %
			  (AMDVI_ENTRY_SIZE << AMDVI_DRV_CMD_LG2);
}

/* The IOMMU stopped on a command: start the buffer again, empty. */
static void cmd_restart(struct ufd_amdvi *iommu)
{
	uint64_t ctrl = rd64(iommu, AMDVI_CONTROL);

	wr64(iommu, AMDVI_CONTROL, ctrl & ~amdvi_fmask(AMDVI_CTRL_CMDBUF_EN));
	wr64(iommu, AMDVI_CMDBUF_HEAD, amdvi_fprep(AMDVI_PTR, 0));
	wr64(iommu, AMDVI_CMDBUF_TAIL, amdvi_fprep(AMDVI_PTR, 0));
	iommu->cmd_tail = 0;
	wr64(iommu, AMDVI_CONTROL, ctrl | amdvi_fmask(AMDVI_CTRL_CMDBUF_EN));
}

/*
 * Runs @n commands and a COMPLETION_WAIT, @n + 1 below the buffer size.
 * cmd_lock held. Returns 0 or -EIO (the store never came).
 */
static int cmd_run(struct ufd_amdvi *iommu,
		   const uint64_t (*cmds)[AMDVI_CMD_QWORDS], unsigned int n)
{
	uint64_t val = ++iommu->cmd_sem_val;
	unsigned int i;

	for (i = 0; i < n; i++)
		cmd_put(iommu, cmds[i][0], cmds[i][1]);
	cmd_put(iommu,
		amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_COMPLETION_WAIT) |
			amdvi_dprep(AMDVI_CMD_CW_S, 1) |
			amdvi_dprep(AMDVI_CMD_CW_ADDR,
				    amdvi_host_pa(iommu->cmd_sem) >> 3),
		amdvi_dprep(AMDVI_CMD_CW_DATA, val));
	__atomic_fetch_add(&iommu->stats.cmds, n + 1, __ATOMIC_RELAXED);
	/* The release orders the entries before the tail the IOMMU reads. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr64(iommu, AMDVI_CMDBUF_TAIL,
	     amdvi_fprep(AMDVI_PTR, iommu->cmd_tail / AMDVI_ENTRY_SIZE));
	for (i = 0; i < SEM_POLLS; i++)
		if (__atomic_load_n(iommu->cmd_sem, __ATOMIC_ACQUIRE) == val)
			return 0;
	amdvi_stat_inc(iommu, cmd_errors);
	ufd_log(UFD_LOG_ERR, "amdvi: COMPLETION_WAIT timed out (head %#llx)",
		(unsigned long long)rd64(iommu, AMDVI_CMDBUF_HEAD));
	cmd_restart(iommu);
	return -EIO;
}

/**
 * amdvi_batch_add() - queue one command (two qwords) in @b
 *
 * A full batch is executed (and waited for) first.
 */
void amdvi_batch_add(struct amdvi_batch *b, uint64_t c0, uint64_t c1)
{
	if (b->n == AMDVI_DRV_BATCH)
		amdvi_batch_submit(b);
	b->c[b->n][0] = c0;
	b->c[b->n][1] = c1;
	b->n++;
}

/**
 * amdvi_batch_submit() - execute @b's commands and wait for them
 *
 * Always closes with a COMPLETION_WAIT, even for an empty batch (which
 * then only waits for what others queued before). Return: 0, or -EIO when
 * the IOMMU stopped on a command (the batch's effects are partial).
 */
int amdvi_batch_submit(struct amdvi_batch *b)
{
	struct ufd_amdvi *iommu = b->iommu;
	int rc;

	ufd_mutex_lock(&iommu->cmd_lock);
	rc = cmd_run(iommu, b->c, b->n);
	ufd_mutex_unlock(&iommu->cmd_lock);
	b->n = 0;
	return rc;
}

/** amdvi_cmd_inv_dte() - queue INVALIDATE_DEVTAB_ENTRY for @devid */
void amdvi_cmd_inv_dte(struct amdvi_batch *b, uint16_t devid)
{
	amdvi_batch_add(b,
			amdvi_dprep(AMDVI_CMD_OPCODE,
				    AMDVI_CMD_INV_DEVTAB_ENTRY) |
				amdvi_dprep(AMDVI_CMD_DEVID, devid),
			0);
	amdvi_stat_inc(b->iommu, inv_dte);
}

/*
 * The address field of a page invalidation of [iova, iova + len) (2.4.3):
 * one page with S = 0; else S = 1 and the address's low bits set up to
 * (not including) the highest bit that differs between first and last
 * byte, which names the naturally aligned power-of-two span covering the
 * range; a span beyond bit 51 (or @len 0) is the whole address space.
 */
static uint64_t inv_addr(uint64_t iova, uint64_t len, bool *s)
{
	uint64_t first = iova & ~0xfffull, last, diff;
	unsigned int msb;

	*s = true;
	if (!len || iova + (len - 1) < iova)
		return AMDVI_CMD_ADDR_ALL;
	last = (iova + (len - 1)) & ~0xfffull;
	if (first == last) {
		*s = false;
		return first;
	}
	diff = first ^ last;
	msb = 63 - (unsigned int)__builtin_clzll(diff);
	if (msb > 51)
		return AMDVI_CMD_ADDR_ALL;
	return (first | ((1ull << msb) - 1)) & ~0xfffull;
}

/**
 * amdvi_cmd_inv_pages() - queue INVALIDATE_IOMMU_PAGES
 * @domid: the DomainID the translations are tagged with
 * @pasid: AMDVI_NO_PASID for host (v1) translations; else the guest
 *         translations of that PASID (GN = 1)
 * @len: 0 for every page
 *
 * PDE = 1: the page-directory entries cached for the range go too.
 */
void amdvi_cmd_inv_pages(struct amdvi_batch *b, uint16_t domid, uint32_t pasid,
			 uint64_t iova, uint64_t len)
{
	bool gn = pasid != AMDVI_NO_PASID, s;
	uint64_t addr = inv_addr(iova, len, &s);

	amdvi_batch_add(
		b,
		amdvi_dprep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES) |
			amdvi_dprep(AMDVI_CMD_IP_DOMAIN_ID, domid) |
			amdvi_dprep(AMDVI_CMD_IP_PASID, gn ? pasid : 0),
		amdvi_dprep(AMDVI_CMD_S, s) | amdvi_dprep(AMDVI_CMD_PDE, 1) |
			amdvi_dprep(AMDVI_CMD_GN, gn) |
			amdvi_dprep(AMDVI_CMD_ADDR, addr >> 12));
	amdvi_stat_inc(b->iommu, inv_pages);
}

/* ---- Event log ---- */

static void handle_event(struct ufd_amdvi *iommu,
			 const uint64_t evt[AMDVI_EVT_QWORDS])
{
	unsigned int code = (unsigned int)amdvi_dget(evt, AMDVI_EVT_CODE);

	amdvi_stat_inc(iommu, events);
	if (code == AMDVI_EVT_IO_PAGE_FAULT)
		amdvi_stat_inc(iommu, io_page_faults);
	memcpy(iommu->last_evt, evt, sizeof(iommu->last_evt));
	iommu->has_last_evt = true;
	ufd_log(UFD_LOG_DEBUG,
		"amdvi: event %#x devid %#llx domid %#llx flags %#llx addr "
		"%#llx",
		code, (unsigned long long)amdvi_dget(evt, AMDVI_EVT_DEVID),
		(unsigned long long)amdvi_dget(evt, AMDVI_EVT_DOMAIN_ID),
		(unsigned long long)amdvi_dget(evt, AMDVI_EVT_FLAGS),
		(unsigned long long)amdvi_dget(evt, AMDVI_EVT_ADDR));
}

/* Events were lost: start logging again from an empty log (Linux). */
static void evtlog_restart(struct ufd_amdvi *iommu)
{
	uint64_t ctrl = rd64(iommu, AMDVI_CONTROL);

	amdvi_stat_inc(iommu, evt_overflows);
	wr64(iommu, AMDVI_CONTROL, ctrl & ~amdvi_fmask(AMDVI_CTRL_EVTLOG_EN));
	wr64(iommu, AMDVI_STATUS, amdvi_fmask(AMDVI_STATUS_EVT_OVERFLOW));
	wr64(iommu, AMDVI_EVTLOG_HEAD, 0);
	wr64(iommu, AMDVI_EVTLOG_TAIL, 0);
	iommu->evt_head = 0;
	wr64(iommu, AMDVI_CONTROL, ctrl | amdvi_fmask(AMDVI_CTRL_EVTLOG_EN));
}

unsigned int ufd_amdvi_evtlog_poll(struct ufd_amdvi *iommu)
{
	const uint32_t size = AMDVI_ENTRY_SIZE << AMDVI_DRV_EVT_LG2;
	uint64_t evt[AMDVI_EVT_QWORDS], status;
	unsigned int n = 0, i;
	uint32_t tail;

	ufd_mutex_lock(&iommu->evt_lock);
	for (;;) {
		/* Clear the interrupt first: a record after it raises it. */
		status = rd64(iommu, AMDVI_STATUS);
		wr64(iommu, AMDVI_STATUS,
		     status & amdvi_fmask(AMDVI_STATUS_EVT_INT));
		tail = (uint32_t)amdvi_fget(rd64(iommu, AMDVI_EVTLOG_TAIL),
					    AMDVI_PTR) *
		       AMDVI_ENTRY_SIZE;
		if (tail == iommu->evt_head) {
			if (amdvi_fget(status, AMDVI_STATUS_EVT_OVERFLOW)) {
				evtlog_restart(iommu);
				continue;
			}
			break;
		}
		while (iommu->evt_head != tail) {
			const uint64_t *e = &iommu->evtlog[(iommu->evt_head /
							    AMDVI_ENTRY_SIZE) *
							   AMDVI_EVT_QWORDS];

			for (i = 0; i < AMDVI_EVT_QWORDS; i++)
				evt[i] = __atomic_load_n(&e[i],
							 __ATOMIC_ACQUIRE);
			iommu->evt_head =
				(iommu->evt_head + AMDVI_ENTRY_SIZE) % size;
			handle_event(iommu, evt);
			n++;
		}
		wr64(iommu, AMDVI_EVTLOG_HEAD,
		     amdvi_fprep(AMDVI_PTR,
				 iommu->evt_head / AMDVI_ENTRY_SIZE));
	}
	ufd_mutex_unlock(&iommu->evt_lock);
	return n;
}

int ufd_amdvi_last_event(struct ufd_amdvi *iommu,
			 uint64_t evt[AMDVI_EVT_QWORDS])
{
	int rc = -ENOENT;

	ufd_mutex_lock(&iommu->evt_lock);
	if (iommu->has_last_evt) {
		memcpy(evt, iommu->last_evt, sizeof(iommu->last_evt));
		rc = 0;
	}
	ufd_mutex_unlock(&iommu->evt_lock);
	return rc;
}

static void *evt_thread_main(void *arg)
{
	struct ufd_amdvi *iommu = arg;

	ufd_mutex_lock(&iommu->wake_lock);
	while (!iommu->evt_stop) {
		if (!iommu->evt_pending) {
			ufd_cond_wait(&iommu->wake, &iommu->wake_lock);
			continue;
		}
		iommu->evt_pending = false;
		ufd_mutex_unlock(&iommu->wake_lock);
		ufd_amdvi_evtlog_poll(iommu);
		ufd_mutex_lock(&iommu->wake_lock);
	}
	ufd_mutex_unlock(&iommu->wake_lock);
	return NULL;
}

/* The IOMMU's interrupt; runs in the faulting thread, no model lock held. */
static void amdvi_irq(void *priv, enum amdvi_irq irq)
{
	struct ufd_amdvi *iommu = priv;

	if (irq != AMDVI_IRQ_EVENT || !iommu->has_thread)
		return;
	ufd_mutex_lock(&iommu->wake_lock);
	iommu->evt_pending = true;
	ufd_cond_signal(&iommu->wake);
	ufd_mutex_unlock(&iommu->wake_lock);
}

/* ---- Bring-up ---- */

static int probe_features(struct ufd_amdvi *iommu)
{
	uint64_t efr = rd64(iommu, AMDVI_EFR);

	iommu->efr = efr;
	iommu->efr2 = rd64(iommu, AMDVI_EFR2);
	iommu->gt = amdvi_fget(efr, AMDVI_EFR_GT_SUP);
	iommu->gio = amdvi_fget(efr, AMDVI_EFR_GIO_SUP);
	iommu->hd = amdvi_fget(efr, AMDVI_EFR_HD_SUP);
	iommu->ia = amdvi_fget(efr, AMDVI_EFR_IA_SUP);
	iommu->ppr = amdvi_fget(efr, AMDVI_EFR_PPR_SUP);
	iommu->hats_levels = 4 + (unsigned int)amdvi_fget(efr, AMDVI_EFR_HATS);
	iommu->gats_levels = 4 + (unsigned int)amdvi_fget(efr, AMDVI_EFR_GATS);
	iommu->glx_max = (unsigned int)amdvi_fget(efr, AMDVI_EFR_GLX_SUP);
	if (iommu->gt) {
		/* As many PASID bits as the GCR3 levels can index. */
		iommu->pasid_bits = ufd_min(
			(unsigned int)amdvi_fget(efr, AMDVI_EFR_PASMAX) + 1,
			AMDVI_GCR3_BITS * (iommu->glx_max + 1));
	}
	/* HATS 3 is reserved; guest tables are 4 or 5 levels. */
	if (iommu->hats_levels > AMDVI_MODE_MAX || iommu->gats_levels > 5)
		return -EINVAL;
	return 0;
}

static int alloc_structures(struct ufd_amdvi *iommu)
{
	size_t devtab = (size_t)AMDVI_DRV_DEVIDS * AMDVI_DTE_SIZE;
	unsigned int i;

	iommu->devtab = ufd_alloc_aligned(4096, devtab);
	iommu->by_devid =
		ufd_calloc(AMDVI_DRV_DEVIDS, sizeof(*iommu->by_devid));
	iommu->devid_map = bitmap_zalloc(AMDVI_DRV_DEVIDS);
	iommu->domid_map = bitmap_zalloc(1ul << AMDVI_DRV_DOMID_BITS);
	iommu->cmdbuf =
		ufd_alloc_aligned(4096, AMDVI_ENTRY_SIZE << AMDVI_DRV_CMD_LG2);
	iommu->evtlog =
		ufd_alloc_aligned(4096, AMDVI_ENTRY_SIZE << AMDVI_DRV_EVT_LG2);
	iommu->cmd_sem = ufd_alloc_aligned(8, sizeof(*iommu->cmd_sem));
	if (!iommu->devtab || !iommu->by_devid || !iommu->devid_map ||
	    !iommu->domid_map || !iommu->cmdbuf || !iommu->evtlog ||
	    !iommu->cmd_sem)
		return -ENOMEM;
	for (i = 0; i < AMDVI_DRV_DEVIDS; i++)
		amdvi_make_blocked_dte(amdvi_dte_ptr(iommu, (uint16_t)i));
	return 0;
}

static void free_structures(struct ufd_amdvi *iommu)
{
	ufd_free(iommu->devtab);
	ufd_free(iommu->by_devid);
	bitmap_free(iommu->devid_map);
	bitmap_free(iommu->domid_map);
	ufd_free(iommu->cmdbuf);
	ufd_free(iommu->evtlog);
	ufd_free(iommu->cmd_sem);
}

static uint64_t ctrl_set(struct ufd_amdvi *iommu, uint64_t bits)
{
	uint64_t ctrl = rd64(iommu, AMDVI_CONTROL) | bits;

	wr64(iommu, AMDVI_CONTROL, ctrl);
	return rd64(iommu, AMDVI_CONTROL);
}

/* Nothing cached before bring-up may survive it. */
static int flush_all_caches(struct ufd_amdvi *iommu)
{
	struct amdvi_batch *b = ufd_zalloc(sizeof(*b));
	unsigned int i;
	int rc;

	if (!b)
		return -ENOMEM;
	b->iommu = iommu;
	if (iommu->ia) {
		amdvi_batch_add(b,
				amdvi_dprep(AMDVI_CMD_OPCODE,
					    AMDVI_CMD_INV_IOMMU_ALL),
				0);
	} else {
		for (i = 0; i < AMDVI_DRV_DEVIDS; i++)
			amdvi_cmd_inv_dte(b, (uint16_t)i);
		/* A new DomainID is invalidated before its first use. */
	}
	rc = amdvi_batch_submit(b);
	ufd_free(b);
	return rc;
}

/* What Linux's early_enable_iommu() does, for this driver's structures. */
static int amdvi_reset(struct ufd_amdvi *iommu)
{
	uint64_t ctrl;

	wr64(iommu, AMDVI_CONTROL, 0);
	wr64(iommu, AMDVI_DEVTAB_BASE,
	     amdvi_fprep(AMDVI_DEVTAB_ADDR,
			 amdvi_host_pa(iommu->devtab) >> 12) |
		     amdvi_fprep(AMDVI_DEVTAB_SIZE,
				 AMDVI_DRV_DEVIDS * AMDVI_DTE_SIZE / 4096 - 1));
	wr64(iommu, AMDVI_CMDBUF_BASE,
	     amdvi_fprep(AMDVI_LOG_ADDR, amdvi_host_pa(iommu->cmdbuf) >> 12) |
		     amdvi_fprep(AMDVI_LOG_LEN, AMDVI_DRV_CMD_LG2));
	wr64(iommu, AMDVI_CMDBUF_HEAD, 0);
	wr64(iommu, AMDVI_CMDBUF_TAIL, 0);
	iommu->cmd_tail = 0;
	wr64(iommu, AMDVI_EVTLOG_BASE,
	     amdvi_fprep(AMDVI_LOG_ADDR, amdvi_host_pa(iommu->evtlog) >> 12) |
		     amdvi_fprep(AMDVI_LOG_LEN, AMDVI_DRV_EVT_LG2));
	wr64(iommu, AMDVI_EVTLOG_HEAD, 0);
	wr64(iommu, AMDVI_EVTLOG_TAIL, 0);
	iommu->evt_head = 0;
	ctrl = ctrl_set(
		iommu, amdvi_fmask(AMDVI_CTRL_COHERENT) |
			       amdvi_fmask(AMDVI_CTRL_CMDBUF_EN) |
			       amdvi_fmask(AMDVI_CTRL_EVTLOG_EN) |
			       amdvi_fmask(AMDVI_CTRL_EVT_INT_EN) |
			       (iommu->gt ? amdvi_fmask(AMDVI_CTRL_GT_EN) : 0));
	if (!amdvi_fget(ctrl, AMDVI_CTRL_CMDBUF_EN))
		return -EIO;
	if (flush_all_caches(iommu))
		return -EIO;
	ctrl = ctrl_set(iommu, amdvi_fmask(AMDVI_CTRL_IOMMU_EN));
	return amdvi_fget(ctrl, AMDVI_CTRL_IOMMU_EN) ? 0 : -EIO;
}

/* The operations; the default instance's, copied into every other one. */
const struct ufd_iommu_ops ufd_amdvi_iommu = {
	.name = "amd-vi",
	.probe_device = amdvi_probe_device,
	.release_device = ufd_amdvi_release_device,
	.domain_alloc_paging = amdvi_domain_alloc_paging,
	.attach = amdvi_attach,
	.attach_pasid = amdvi_attach_pasid,
	.capable = amdvi_capable,
	.hw_info = amdvi_hw_info,
	.viommu_supported = amdvi_viommu_supported,
	.viommu_init = amdvi_viommu_init,
};

static void amdvi_free(struct ufd_amdvi *iommu)
{
	if (iommu->has_thread) {
		ufd_mutex_lock(&iommu->wake_lock);
		iommu->evt_stop = true;
		ufd_cond_broadcast(&iommu->wake);
		ufd_mutex_unlock(&iommu->wake_lock);
		pthread_join(iommu->evt_thread, NULL);
	}
	if (iommu->hw && !IS_ERR(iommu->hw))
		amdvi_destroy(iommu->hw);
	free_structures(iommu);
	ufd_cond_destroy(&iommu->wake);
	ufd_mutex_destroy(&iommu->wake_lock);
	ufd_mutex_destroy(&iommu->evt_lock);
	ufd_mutex_destroy(&iommu->cmd_lock);
	ufd_mutex_destroy(&iommu->ids_lock);
	ufd_mutex_destroy(&iommu->devtab_lock);
	ufd_free(iommu);
}

struct ufd_amdvi *ufd_amdvi_create(const struct ufd_amdvi_opts *opts)
{
	static const struct ufd_amdvi_opts none;
	struct amdvi_config cfg;
	struct ufd_amdvi *iommu;
	int rc;

	if (!opts)
		opts = &none;
	iommu = ufd_zalloc(sizeof(*iommu));
	if (!iommu)
		return ERR_PTR(-ENOMEM);
	iommu->ops = ufd_amdvi_iommu;
	ufd_mutex_init(&iommu->devtab_lock);
	ufd_mutex_init(&iommu->ids_lock);
	ufd_mutex_init(&iommu->cmd_lock);
	ufd_mutex_init(&iommu->evt_lock);
	ufd_mutex_init(&iommu->wake_lock);
	ufd_cond_init(&iommu->wake);

	amdvi_config_default(&cfg);
	if (opts->tweak)
		opts->tweak(&cfg);
	cfg.mem = &ufd_host_mem_ops;
	cfg.mem_window = &ufd_host_mem_window;
	cfg.mem_priv = NULL;
	cfg.irq = amdvi_irq;
	cfg.irq_priv = iommu;
	iommu->hw = amdvi_create(&cfg);
	if (IS_ERR(iommu->hw)) {
		rc = (int)PTR_ERR(iommu->hw);
		goto out_free;
	}
	rc = probe_features(iommu);
	if (rc)
		goto out_free;
	rc = alloc_structures(iommu);
	if (rc)
		goto out_free;
	if (!opts->evt_no_thread) {
		rc = -pthread_create(&iommu->evt_thread, NULL, evt_thread_main,
				     iommu);
		if (rc)
			goto out_free;
		iommu->has_thread = true;
	}
	rc = amdvi_reset(iommu);
	if (rc)
		goto out_free;
	return iommu;

out_free:
	amdvi_free(iommu);
	return ERR_PTR(rc);
}

void ufd_amdvi_destroy(struct ufd_amdvi *iommu)
{
	if (IS_ERR_OR_NULL(iommu) || iommu->is_default)
		return;
	wr64(iommu, AMDVI_CONTROL, 0);
	amdvi_free(iommu);
}

/* The default instance: made once, never destroyed. */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct ufd_amdvi *default_iommu;

static void default_init(void)
{
	struct ufd_amdvi *iommu = ufd_amdvi_create(NULL);

	if (!IS_ERR(iommu))
		iommu->is_default = true;
	__atomic_store_n(&default_iommu, iommu, __ATOMIC_RELEASE);
}

struct ufd_amdvi *ufd_amdvi_default(void)
{
	pthread_once(&default_once, default_init);
	return __atomic_load_n(&default_iommu, __ATOMIC_ACQUIRE);
}

/** amdvi_is_our_ops() - are @ops this driver's (any instance's)? */
bool amdvi_is_our_ops(const struct ufd_iommu_ops *ops)
{
	return ops && ops->probe_device == amdvi_probe_device;
}

struct ufd_amdvi *ufd_amdvi_of(const struct ufd_iommu_ops *ops)
{
	if (ops == &ufd_amdvi_iommu)
		return ufd_amdvi_default();
	if (!amdvi_is_our_ops(ops))
		return NULL;
	return container_of(ops, struct ufd_amdvi, ops);
}

const struct ufd_iommu_ops *ufd_amdvi_ops(struct ufd_amdvi *iommu)
{
	return iommu->is_default ? &ufd_amdvi_iommu : &iommu->ops;
}

struct amdvi *ufd_amdvi_hw(struct ufd_amdvi *iommu)
{
	return iommu->hw;
}

void ufd_amdvi_get_stats(struct ufd_amdvi *iommu, struct ufd_amdvi_stats *st)
{
	const uint64_t *src = (const uint64_t *)&iommu->stats;
	uint64_t *dst = (uint64_t *)st;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}
