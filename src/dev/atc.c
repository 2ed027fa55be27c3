// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Address Translation Cache of an emulated PCIe device with ATS.
 *
 * What: up to UFD_ATC_ENTRIES translations the device asked its IOMMU for,
 * each a naturally aligned region of 2^lg2 bytes of one PASID (or of none)
 * that maps to a translated address with read and/or write permission. A
 * DMA piece of an ATS-enabled device (atc_dma()) looks its IOVA up; on a
 * miss it sends a Translation Request (iommu_ops.ats_request) and caches a
 * positive answer; then it sends the access as a Translated request, which
 * the IOMMU only admits or terminates, and copies. An ATC hit therefore
 * involves no translation in the IOMMU, and what the ATC holds stays in use
 * until the IOMMU invalidates it (ufd_dev_atc_inval()): a driver that
 * forgets an ATC invalidation leaves the device a stale translation, as a
 * real ATC would.
 *
 * Why this shape: for a table this small, with regions of mixed sizes, a
 * linear scan that starts at the last hit beats a hash. A fill replaces an
 * overlapping entry of the same PASID, or takes a free slot, or evicts one
 * entry round robin -- never more than one.
 *
 * Invariants:
 *  - Only positive answers are cached: "nothing mapped" may change with no
 *    invalidation at all (mapping needs none), so it is asked again.
 *  - An answer an invalidation overtook is never used. While a Translation
 *    Request is outstanding the device waits for the IOMMU without the ATC
 *    lock, on the pending list; an invalidation arriving meanwhile widens
 *    the request's hull of invalidated addresses, and an answer whose
 *    region meets the hull is dropped and asked again. PCIe asks the same
 *    of a device: an invalidation also covers translations in flight.
 *  - When ufd_dev_atc_inval() returns, no copy uses what it invalidated. A
 *    copy goes on the use list once the IOMMU admitted it, and only if its
 *    entry is still in place (the slot's generation did not move); an
 *    invalidation waits for the overlapping copies on the list, as a PCIe
 *    Invalidate Completion waits for the requests that used the old
 *    translation. A listed copy holds nothing and calls nothing, so the
 *    wait always ends.
 *  - Invalidations match as in PCIe: one without a PASID drops every entry
 *    in its range, whatever PASID the entry was filled for; one with a
 *    PASID drops that PASID's entries, or every PASID's with Global.
 *
 * Locking: struct ufd_atc.lock guards all of it. It is a leaf: the IOMMU
 * takes it when it executes an ATC invalidation, under locks of its own
 * (the domain lock an unmap holds, its command queue's), so the DMA side
 * never holds it while it calls the IOMMU.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/lock.h"
#include "dev/atc.h"
#include "dev/dev.h"

/* A DMA piece whose translation is invalidated this often gives up. */
#define ATC_MAX_TRIES 1000

struct atc_entry {
	uint64_t iova;	/* first IOVA of the region, aligned to 2^lg2 */
	uint64_t addr;	/* what that IOVA translates to */
	uint32_t pasid; /* UFD_NO_PASID: asked for without a PASID */
	uint32_t gen;	/* moves whenever the slot's translation goes */
	uint8_t lg2;	/* 0: a free slot */
	bool read, write;
};

/* A Translation Request in flight: on the pending list while outstanding. */
struct atc_pending {
	struct atc_pending *next;
	uint32_t pasid;
	bool hit;	      /* an invalidation that reaches it arrived */
	uint64_t first, last; /* the hull of what those invalidations hit */
};

/* A copy through an entry: on the use list while it runs. */
struct atc_use {
	struct atc_use *next;
	uint32_t pasid;
	uint64_t first, last; /* the IOVA it covers */
};

/* Everything under lock (see above). */
struct ufd_atc {
	struct ufd_mutex lock;
	struct ufd_cond idle; /* a use ended while invalidations wait */
	struct atc_entry e[UFD_ATC_ENTRIES];
	unsigned int mru;     /* slot of the last hit or fill */
	unsigned int hand;    /* the next slot to evict */
	unsigned int waiters; /* invalidations waiting for uses to end */
	struct atc_pending *pending;
	struct atc_use *uses;
	struct ufd_atc_stats st;
};

/* Where one DMA piece goes, found under the lock and used without it. */
struct atc_hit {
	unsigned int slot;
	uint32_t gen;
	uint64_t addr; /* translated address of the piece's first byte */
	uint64_t left; /* bytes from there to the end of the entry */
};

static uint64_t lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? U64_MAX : (1ull << lg2) - 1;
}

static bool overlaps(uint64_t a_first, uint64_t a_last, uint64_t b_first,
		     uint64_t b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

/* Does an invalidation for (@pasid, @global) reach what @e_pasid filled? */
static bool inval_reaches(uint32_t pasid, bool global, uint32_t e_pasid)
{
	return pasid == UFD_NO_PASID || global || pasid == e_pasid;
}

static uint64_t entry_last(const struct atc_entry *e)
{
	return e->iova + lg2_mask(e->lg2);
}

struct ufd_atc *atc_create(void)
{
	struct ufd_atc *atc = ufd_zalloc(sizeof(*atc));

	if (!atc)
		return NULL;
	ufd_mutex_init(&atc->lock);
	ufd_cond_init(&atc->idle);
	return atc;
}

void atc_destroy(struct ufd_atc *atc)
{
	if (!atc)
		return;
	ufd_cond_destroy(&atc->idle);
	ufd_mutex_destroy(&atc->lock);
	ufd_free(atc);
}

static void slot_drop(struct ufd_atc *atc, struct atc_entry *e)
{
	e->lg2 = 0;
	e->gen++;
	atc->st.entries--;
}

/* The slot holding (@pasid, @iova), or -1. Lock held. */
static int atc_find(struct ufd_atc *atc, uint32_t pasid, uint64_t iova)
{
	unsigned int k, i;

	for (k = 0; k < UFD_ATC_ENTRIES; k++) {
		const struct atc_entry *e;

		i = (atc->mru + k) % UFD_ATC_ENTRIES;
		e = &atc->e[i];
		if (e->lg2 && e->pasid == pasid &&
		    !((iova ^ e->iova) >> e->lg2))
			return (int)i;
	}
	return -1;
}

/* Caches the IOMMU's answer @req for (@pasid, @iova). Lock held. */
static unsigned int atc_fill(struct ufd_atc *atc, uint32_t pasid, uint64_t iova,
			     const struct ufd_ats_req *req)
{
	uint64_t first = iova & ~lg2_mask(req->out_page_lg2);
	uint64_t last = first + lg2_mask(req->out_page_lg2);
	struct atc_entry *e;
	int slot = -1;
	unsigned int i;

	for (i = 0; i < UFD_ATC_ENTRIES; i++) {
		e = &atc->e[i];
		/* An older answer for the same place: the new one wins. */
		if (e->lg2 && e->pasid == pasid &&
		    overlaps(e->iova, entry_last(e), first, last))
			slot_drop(atc, e);
		if (!e->lg2 && slot < 0)
			slot = (int)i;
	}
	if (slot < 0) {
		slot = (int)atc->hand;
		atc->hand = (atc->hand + 1) % UFD_ATC_ENTRIES;
		slot_drop(atc, &atc->e[slot]);
		atc->st.evictions++;
	}
	e = &atc->e[slot];
	e->iova = first;
	e->addr = req->out_addr;
	e->pasid = pasid;
	e->lg2 = (uint8_t)req->out_page_lg2;
	e->read = req->out_read;
	e->write = req->out_write;
	atc->st.entries++;
	atc->st.fills++;
	return (unsigned int)slot;
}

static void pending_del(struct ufd_atc *atc, struct atc_pending *p)
{
	struct atc_pending **pp = &atc->pending;

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
}

static void use_del(struct ufd_atc *atc, struct atc_use *u)
{
	struct atc_use **pp = &atc->uses;

	while (*pp != u)
		pp = &(*pp)->next;
	*pp = u->next;
}

/*
 * Asks the IOMMU to translate (@pasid, @iova) and caches the answer.
 * Called and returns with the lock held, dropping it meanwhile. Returns
 * the slot, -EAGAIN when an invalidation overtook the answer, -EFAULT (no
 * access), -EPERM (no write) or -EIO (the IOMMU refused the request).
 */
static int atc_request(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		       bool write)
{
	struct ufd_atc *atc = dev->atc;
	struct atc_pending pend = { .next = atc->pending, .pasid = pasid };
	struct ufd_ats_req req = {
		.kind = UFD_ATS_TRANSLATE,
		.pasid_valid = pasid != UFD_NO_PASID,
		.pasid = pasid != UFD_NO_PASID ? pasid : 0,
		.addr = iova,
		/* Asking for write on a read would make the page dirty. */
		.write = write,
	};
	uint64_t first, last;
	int rc;

	atc->pending = &pend;
	atc->st.requests++;
	ufd_mutex_unlock(&atc->lock);
	rc = dev->iommu->ats_request(dev, &req);
	ufd_mutex_lock(&atc->lock);
	pending_del(atc, &pend);
	if (rc)
		return -EIO;
	if (!req.out_read && !req.out_write)
		return -EFAULT;
	/* Below a page, or an address not aligned to it: not an answer. */
	if (req.out_page_lg2 < 12 || req.out_page_lg2 > 63 ||
	    (req.out_addr & lg2_mask(req.out_page_lg2)))
		return -EIO;
	first = iova & ~lg2_mask(req.out_page_lg2);
	last = first + lg2_mask(req.out_page_lg2);
	if (pend.hit && overlaps(pend.first, pend.last, first, last)) {
		atc->st.stale++;
		return -EAGAIN;
	}
	if (write && !req.out_write)
		return -EPERM;
	return (int)atc_fill(atc, pasid, iova, &req);
}

/*
 * Finds or fetches the translation of (@pasid, @iova) for an access of
 * the given direction. Returns 0 with @h filled, -EAGAIN (try again), or
 * atc_request()'s errors.
 */
static int atc_lookup(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		      bool write, struct atc_hit *h)
{
	struct ufd_atc *atc = dev->atc;
	const struct atc_entry *e;
	int slot;

	ufd_mutex_lock(&atc->lock);
	slot = atc_find(atc, pasid, iova);
	if (slot >= 0 && (!write || atc->e[slot].write))
		atc->st.hits++;
	else
		slot = atc_request(dev, pasid, iova, write);
	if (slot >= 0) {
		e = &atc->e[slot];
		atc->mru = (unsigned int)slot;
		h->slot = (unsigned int)slot;
		h->gen = e->gen;
		h->addr = e->addr + (iova - e->iova);
		h->left = lg2_mask(e->lg2) - (iova - e->iova) + 1;
	}
	ufd_mutex_unlock(&atc->lock);
	return slot < 0 ? slot : 0;
}

int atc_translate(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		  bool write)
{
	unsigned int tries = 0;
	struct atc_hit h;
	int rc;

	do
		rc = atc_lookup(dev, pasid, iova, write, &h);
	while (rc == -EAGAIN && ++tries < ATC_MAX_TRIES);
	return rc == -EAGAIN ? -EIO : rc;
}

int atc_dma(struct ufd_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	    size_t len, bool write, size_t *moved)
{
	struct ufd_atc *atc = dev->atc;
	struct ufd_ats_req req = {
		.kind = UFD_ATS_TRANSLATED,
		.pasid_valid = pasid != UFD_NO_PASID,
		.pasid = pasid != UFD_NO_PASID ? pasid : 0,
		.write = write,
	};
	struct atc_use use = { .pasid = pasid, .first = iova };
	unsigned int tries = 0;
	struct atc_hit h;
	size_t n = 0;
	int rc;

	do {
		rc = atc_lookup(dev, pasid, iova, write, &h);
		if (rc == -EAGAIN)
			continue;
		if (rc)
			return rc == -EPERM ? -EPERM : -EFAULT;
		n = len < h.left ? len : (size_t)h.left;
		req.addr = h.addr;
		if (dev->iommu->ats_request(dev, &req))
			return -EFAULT;
		ufd_mutex_lock(&atc->lock);
		/* Invalidated since the lookup: the copy may not use it. */
		if (atc->e[h.slot].gen != h.gen) {
			rc = -EAGAIN;
		} else {
			use.last = iova + n - 1;
			use.next = atc->uses;
			atc->uses = &use;
		}
		ufd_mutex_unlock(&atc->lock);
	} while (rc == -EAGAIN && ++tries < ATC_MAX_TRIES);
	if (rc)
		return -EFAULT;

	if (write)
		memcpy((void *)(uintptr_t)h.addr, buf, n);
	else
		memcpy(buf, (const void *)(uintptr_t)h.addr, n);

	ufd_mutex_lock(&atc->lock);
	use_del(atc, &use);
	if (atc->waiters)
		ufd_cond_broadcast(&atc->idle);
	ufd_mutex_unlock(&atc->lock);
	*moved = n;
	return 0;
}

/* Is a copy that an invalidation of [first, last] reaches still running? */
static bool uses_in(struct ufd_atc *atc, uint32_t pasid, bool global,
		    uint64_t first, uint64_t last)
{
	const struct atc_use *u;

	for (u = atc->uses; u; u = u->next)
		if (inval_reaches(pasid, global, u->pasid) &&
		    overlaps(u->first, u->last, first, last))
			return true;
	return false;
}

/* Drops what an invalidation reaches and waits for its copies. Locked. */
static void atc_inval_locked(struct ufd_atc *atc, uint32_t pasid,
			     uint64_t first, uint64_t last, bool global)
{
	struct atc_pending *p;
	unsigned int i;

	for (i = 0; i < UFD_ATC_ENTRIES; i++) {
		struct atc_entry *e = &atc->e[i];

		if (e->lg2 && inval_reaches(pasid, global, e->pasid) &&
		    overlaps(e->iova, entry_last(e), first, last)) {
			slot_drop(atc, e);
			atc->st.invalidated++;
		}
	}
	for (p = atc->pending; p; p = p->next) {
		if (!inval_reaches(pasid, global, p->pasid))
			continue;
		if (!p->hit) {
			p->hit = true;
			p->first = first;
			p->last = last;
		} else {
			p->first = ufd_min(p->first, first);
			p->last = ufd_max(p->last, last);
		}
	}
	while (uses_in(atc, pasid, global, first, last)) {
		atc->waiters++;
		ufd_cond_wait(&atc->idle, &atc->lock);
		atc->waiters--;
	}
}

/**
 * ufd_dev_atc_inval() - the device's side of an ATC invalidation
 * @dev: the device (nothing happens without an ATC)
 * @pasid: the PASID of the request, or UFD_NO_PASID for one without
 * @addr: an address in the range, which is aligned to its size
 * @size_lg2: log2 of the range's size; 64 for everything
 * @global: with a PASID, reach the entries of every PASID
 *
 * What the IOMMU calls when it executes an ATC invalidation for the
 * device. Returns once nothing in the range can be used any more: entries
 * dropped, Translation Requests in flight marked, copies through the old
 * entries finished. Takes only the ATC's lock; any thread, any lock of the
 * IOMMU held.
 */
void ufd_dev_atc_inval(struct ufd_dev *dev, uint32_t pasid, uint64_t addr,
		       unsigned int size_lg2, bool global)
{
	struct ufd_atc *atc = dev->atc;
	uint64_t first = addr & ~lg2_mask(size_lg2);

	if (!atc)
		return;
	ufd_mutex_lock(&atc->lock);
	atc->st.inval_reqs++;
	atc_inval_locked(atc, pasid, first, first + lg2_mask(size_lg2), global);
	ufd_mutex_unlock(&atc->lock);
}

/**
 * ufd_dev_set_ats() - set or clear the Enable bit of the device's ATS
 * @dev: the device; nothing happens without UFD_DEV_ATS
 * @enable: what its DMA does from now on: ATS, or untranslated requests
 *
 * For the IOMMU driver, when it lets the device use ATS (its attach, with
 * dev->domain_lock held for write, or the device being released). A device
 * whose ATS is disabled drops what its ATC holds, so re-enabling starts
 * from an empty cache.
 */
void ufd_dev_set_ats(struct ufd_dev *dev, bool enable)
{
	struct ufd_atc *atc = dev->atc;

	if (!atc)
		return;
	dev->ats_enabled = enable;
	if (enable)
		return;
	ufd_mutex_lock(&atc->lock);
	atc_inval_locked(atc, UFD_NO_PASID, 0, U64_MAX, true);
	ufd_mutex_unlock(&atc->lock);
}

/**
 * ufd_dev_atc_stats() - what the device's ATC did so far, and holds now
 *
 * Return: 0, or -EINVAL for a device without ATS.
 */
int ufd_dev_atc_stats(struct ufd_dev *dev, struct ufd_atc_stats *st)
{
	struct ufd_atc *atc = dev->atc;

	if (!atc)
		return -EINVAL;
	ufd_mutex_lock(&atc->lock);
	*st = atc->st;
	ufd_mutex_unlock(&atc->lock);
	return 0;
}
