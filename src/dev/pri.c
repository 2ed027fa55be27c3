// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Page Request Interface of an emulated PCIe device (UFD_DEV_PRI).
 *
 * What: while the IOMMU driver has PRI enabled (ufd_dev_set_pri()), a DMA
 * that cannot translate a page through ATS asks the IOMMU to make its pages
 * available: it sends a Page Request Group -- one Page Request per faulting
 * page, the last one flagged Last -- through iommu_ops.pri_request, then
 * waits for the PRG Response (ufd_dev_pri_resp()). Success makes the DMA
 * translate again; Invalid Request and Response Failure end it.
 *
 * PRG indexes (9 bits) are the device's: one is unique among the groups
 * outstanding, and they are handed out round robin, so a late response to
 * a group that is no longer waited for (answered, given up) cannot reach
 * the next group that happens to reuse the index any time soon. A response
 * that matches no outstanding group, or a group of another PASID, is what
 * buggy or hostile software sends: it is ignored and counted.
 *
 * Invariants:
 *  - A group is on the outstanding list exactly while its sender waits for
 *    it; the waiter takes it off. Responses and disabling only mark it.
 *  - Disabling PRI answers every outstanding group (as given up), so no
 *    wait outlives the Enable bit: a detach or a device release never
 *    leaves a DMA hanging. While disabled, nothing is sent and every
 *    response is ignored.
 *  - A wait also ends after PRI_WAIT_NS without a response (the same bound
 *    as a fault report without PRI).
 *
 * Locking: struct ufd_pri.lock guards all of it and is a leaf: the IOMMU
 * delivers responses while it executes commands, under locks of its own,
 * so a device never holds it while it calls the IOMMU. The Enable bit is
 * written under the device's domain_lock as well, so the DMA path may read
 * it under either lock.
 */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "base/alloc.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "dev/pri.h"

/* How long a group waits for its response at most. */
#define PRI_WAIT_NS (10ull * 1000 * 1000 * 1000)

/* A Page Request Group in flight: on the outstanding list. */
struct pri_prg {
	struct pri_prg *next;
	uint32_t pasid; /* UFD_NO_PASID: sent without */
	uint16_t prgi;
	bool done;		/* answered or given up */
	enum ufd_prg_resp resp; /* when done and not aborted */
	bool aborted;		/* given up: PRI disabled, request lost */
};

/* Everything under lock (see above). */
struct ufd_pri {
	struct ufd_mutex lock;
	struct ufd_cond answered; /* some outstanding group got done */
	bool enabled;		  /* also under the device's domain_lock */
	uint16_t next_prgi;
	struct pri_prg *outstanding;
	struct ufd_pri_stats st;
};

struct ufd_pri *pri_create(void)
{
	struct ufd_pri *pri = ufd_zalloc(sizeof(*pri));

	if (!pri)
		return NULL;
	ufd_mutex_init(&pri->lock);
	ufd_cond_init(&pri->answered);
	return pri;
}

void pri_destroy(struct ufd_pri *pri)
{
	if (!pri)
		return;
	ufd_cond_destroy(&pri->answered);
	ufd_mutex_destroy(&pri->lock);
	ufd_free(pri);
}

/* The outstanding group with @prgi, or NULL. Lock held. */
static struct pri_prg *prg_find(struct ufd_pri *pri, uint16_t prgi)
{
	struct pri_prg *g;

	for (g = pri->outstanding; g; g = g->next)
		if (g->prgi == prgi)
			return g;
	return NULL;
}

/* A free PRG index for @g and @g on the list; false if none. Lock held. */
static bool prg_start(struct ufd_pri *pri, struct pri_prg *g)
{
	unsigned int k;

	if (pri->st.outstanding >= UFD_PRG_INDEXES)
		return false;
	for (k = 0; k < UFD_PRG_INDEXES; k++) {
		uint16_t prgi = (pri->next_prgi + k) % UFD_PRG_INDEXES;

		if (!prg_find(pri, prgi)) {
			g->prgi = prgi;
			pri->next_prgi = (prgi + 1) % UFD_PRG_INDEXES;
			break;
		}
	}
	g->next = pri->outstanding;
	pri->outstanding = g;
	pri->st.outstanding++;
	pri->st.groups++;
	return true;
}

static void prg_del(struct ufd_pri *pri, struct pri_prg *g)
{
	struct pri_prg **pp = &pri->outstanding;

	while (*pp != g)
		pp = &(*pp)->next;
	*pp = g->next;
	pri->st.outstanding--;
}

/* Gives @g up unless it was answered already. Lock held. */
static void prg_abort(struct ufd_pri *pri, struct pri_prg *g)
{
	if (g->done)
		return;
	g->done = true;
	g->aborted = true;
	ufd_cond_broadcast(&pri->answered);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sends the requests of @g; false once one is lost for good. */
static bool prg_send(struct ufd_dev *dev, const struct pri_prg *g,
		     const uint64_t *pages, unsigned int n, bool write)
{
	struct ufd_pri *pri = dev->pri;
	struct ufd_pri_req req = {
		.pasid_valid = g->pasid != UFD_NO_PASID,
		.pasid = g->pasid != UFD_NO_PASID ? g->pasid : 0,
		.read = true,
		.write = write,
		.prgi = g->prgi,
	};
	unsigned int i, lost = 0;
	bool ok = true;
	int rc;

	for (i = 0; i < n && ok; i++) {
		req.addr = pages[i];
		req.last = i == n - 1;
		rc = dev->iommu->pri_request(dev, &req);
		/* A lost last request is answered by the IOMMU; others not. */
		if (rc)
			lost++;
		if (rc && rc != -ENOSPC)
			ok = false;
	}
	ufd_mutex_lock(&pri->lock);
	pri->st.requests += i;
	pri->st.lost += lost;
	ufd_mutex_unlock(&pri->lock);
	return ok;
}

int pri_group(struct ufd_dev *dev, uint32_t pasid, const uint64_t *pages,
	      unsigned int n, bool write)
{
	struct ufd_pri *pri = dev->pri;
	struct pri_prg g = { .pasid = pasid };
	uint64_t start, now;
	bool sent;
	int rc;

	if (!pri || !n || n > UFD_PRG_PAGES_MAX || !dev->iommu ||
	    !dev->iommu->pri_request)
		return -EFAULT;
	ufd_mutex_lock(&pri->lock);
	if (!pri->enabled || !prg_start(pri, &g)) {
		ufd_mutex_unlock(&pri->lock);
		return -EFAULT;
	}
	ufd_mutex_unlock(&pri->lock);

	/* No lock held: the response may come before the last send returns. */
	sent = prg_send(dev, &g, pages, n, write);

	start = now_ns();
	ufd_mutex_lock(&pri->lock);
	if (!sent)
		prg_abort(pri, &g);
	while (!g.done) {
		now = now_ns();
		if (now - start >= PRI_WAIT_NS) {
			prg_abort(pri, &g);
			break;
		}
		ufd_cond_timedwait_ns(&pri->answered, &pri->lock,
				      PRI_WAIT_NS - (now - start));
	}
	prg_del(pri, &g);
	if (g.aborted)
		pri->st.aborted++;
	else if (g.resp == UFD_PRG_RESP_SUCCESS)
		pri->st.success++;
	else
		pri->st.refused++;
	rc = !g.aborted && g.resp == UFD_PRG_RESP_SUCCESS ? 0 : -EFAULT;
	ufd_mutex_unlock(&pri->lock);
	return rc;
}

/**
 * ufd_dev_set_pri() - set or clear the Enable bit of the device's PRI
 * @dev: the device; nothing happens without UFD_DEV_PRI
 * @enable: may the device send Page Requests from now on
 *
 * For the IOMMU driver, with dev->domain_lock held for write (its attach,
 * or the device being released). Clearing the bit gives up every group
 * still waiting for a response: those DMAs fail with -EFAULT, and a late
 * response is ignored.
 */
void ufd_dev_set_pri(struct ufd_dev *dev, bool enable)
{
	struct ufd_pri *pri = dev->pri;
	struct pri_prg *g;

	if (!pri)
		return;
	ufd_mutex_lock(&pri->lock);
	pri->enabled = enable;
	if (!enable)
		for (g = pri->outstanding; g; g = g->next)
			prg_abort(pri, g);
	ufd_mutex_unlock(&pri->lock);
}

/** ufd_dev_pri_enabled() - is the Enable bit of the device's PRI set? */
bool ufd_dev_pri_enabled(struct ufd_dev *dev)
{
	struct ufd_pri *pri = dev->pri;
	bool on;

	if (!pri)
		return false;
	ufd_mutex_lock(&pri->lock);
	on = pri->enabled;
	ufd_mutex_unlock(&pri->lock);
	return on;
}

/**
 * ufd_dev_pri_resp() - the device receives a PRG Response
 * @dev: the device (nothing happens without PRI)
 * @pasid: the PASID the response carries, or UFD_NO_PASID
 * @prgi: the group it answers
 * @resp: the response code
 *
 * What the IOMMU calls when it executes a PRG response command for the
 * device (or answers a group it lost). Wakes the group's sender; a
 * response for no outstanding group, for a group of another PASID, or
 * while PRI is disabled, is ignored. Takes only the PRI lock; any thread,
 * any lock of the IOMMU held.
 */
void ufd_dev_pri_resp(struct ufd_dev *dev, uint32_t pasid, uint16_t prgi,
		      enum ufd_prg_resp resp)
{
	struct ufd_pri *pri = dev->pri;
	struct pri_prg *g;

	if (!pri)
		return;
	ufd_mutex_lock(&pri->lock);
	g = pri->enabled ? prg_find(pri, prgi) : NULL;
	/* A group sent with a PASID is answered with that PASID (PCIe). */
	if (!g || g->done || g->pasid != pasid) {
		pri->st.ignored++;
	} else {
		g->done = true;
		g->resp = resp;
		ufd_cond_broadcast(&pri->answered);
	}
	ufd_mutex_unlock(&pri->lock);
}

/**
 * ufd_dev_pri_stats() - what the device's PRI did so far
 *
 * Return: 0, or -EINVAL for a device without PRI.
 */
int ufd_dev_pri_stats(struct ufd_dev *dev, struct ufd_pri_stats *st)
{
	struct ufd_pri *pri = dev->pri;

	if (!pri)
		return -EINVAL;
	ufd_mutex_lock(&pri->lock);
	*st = pri->st;
	ufd_mutex_unlock(&pri->lock);
	return 0;
}
