/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the AMD-Vi model: the instance, its caches and the helpers the
 * model's files share. Not for users of the model (amdvi.h is the API).
 *
 * Files:
 *   amdvi.c      instance, register file, event log, interrupts
 *   cache.c      the DTE/GCR3 entry cache and the IOTLB (seqlock readers)
 *   translate.c  requests: device table, v1 host walk, GCR3 and v2 guest
 *                walks (nested through v1), faults
 *   cmdbuf.c     the command decoder and command buffer consumption
 *
 * Locking (outermost first):
 *   regs_lock   register writes and command consumption (the command
 *               buffer registers, Control, the base registers)
 *   dev_lock    (rwlock) the device-operations table; read-held around
 *               device callbacks
 *   log_lock    the event and PPR log registers (head, tail) and the
 *               writes of records into the logs
 *   per-set seqlocks in the DTE cache and the IOTLB (writers only; never
 *   held while taking another lock)
 * Register words the translation path reads without regs_lock (Control,
 * Device Table Base) are written under regs_lock with atomic stores and
 * read with atomic loads. Status is one atomic word: bits are set and
 * cleared with atomic or/and from any of the paths.
 */
#ifndef UIOMMUFD_HW_AMDVI_AMDVI_PRIV_H
#define UIOMMUFD_HW_AMDVI_AMDVI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "base/seqlock.h"
#include "hw/amdvi/amdvi.h"

/* Relaxed atomic word access for state shared with lock-free readers. */
#define amdvi_load(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define amdvi_store(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define amdvi_inc(p) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED)
/* Data under a set's sequence count: acquire loads, release stores. */
#define ufd_seq_load(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ufd_seq_store(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)

static inline uint64_t amdvi_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

/* Mixing for cache indexes: multiplicative, top bits taken. */
static inline unsigned int amdvi_hash(uint64_t x, unsigned int lg2)
{
	x ^= x >> 31;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 29;
	return lg2 ? (unsigned int)(x >> (64 - lg2)) : 0;
}

/* Cache sets are guarded by sequence locks (base/seqlock.h). */

/* --- the DTE / GCR3 entry cache (cache.c) --- */

/*
 * Key of a cached entry: a DTE by DeviceID, or the GCR3 table entry of a
 * (DeviceID, PASID) with the DomainID it was fetched under.
 */
#define AMDVI_CK_VALID AMDVI_FIELD(0, 1)
#define AMDVI_CK_GCR3 AMDVI_FIELD(1, 1)
#define AMDVI_CK_DEVID AMDVI_FIELD(2, 16)
#define AMDVI_CK_PASID AMDVI_FIELD(18, 20)

static inline uint64_t amdvi_ck_dte(uint16_t devid)
{
	return amdvi_fprep(AMDVI_CK_VALID, 1) |
	       amdvi_fprep(AMDVI_CK_DEVID, devid);
}

static inline uint64_t amdvi_ck_gcr3(uint16_t devid, uint32_t pasid)
{
	return amdvi_fprep(AMDVI_CK_VALID, 1) | amdvi_fprep(AMDVI_CK_GCR3, 1) |
	       amdvi_fprep(AMDVI_CK_DEVID, devid) |
	       amdvi_fprep(AMDVI_CK_PASID, pasid);
}

/*
 * One cached entry: a DTE's four qwords, or in w[0] a GCR3 entry and in
 * w[1] the DomainID of the DTE it was reached through. Every word is
 * accessed atomically.
 */
struct amdvi_cent {
	uint64_t key;
	uint64_t w[AMDVI_DTE_QWORDS];
};

struct amdvi_dte_cache {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;	  /* per set */
	uint32_t *victim; /* per set, round robin; under the set's seq */
	struct amdvi_cent *ent;
	/*
	 * Bumped at the start and the end of every invalidation (odd while
	 * one runs); a fill that read it before its fetch is dropped when
	 * it moved, so a completed invalidation never leaves what it covered.
	 */
	uint64_t gen;
};

/* --- the IOTLB (cache.c) --- */

/*
 * Tag of an IOTLB entry: what an invalidation matches (DomainID, GN and
 * PASID, the address range of the page) plus what a hit needs.
 */
#define AMDVI_TLB_VALID AMDVI_FIELD(0, 1)
#define AMDVI_TLB_GN AMDVI_FIELD(1, 1)	   /* guest (PASID) translation */
#define AMDVI_TLB_PRIV AMDVI_FIELD(2, 1)   /* looked up by a priv request */
#define AMDVI_TLB_NESTED AMDVI_FIELD(3, 1) /* GN through the host table */
#define AMDVI_TLB_PAGE_LG2 AMDVI_FIELD(4, 7)
#define AMDVI_TLB_PERM AMDVI_FIELD(11, 3) /* AMDVI_READ/WRITE/EXEC */
#define AMDVI_TLB_DOMID AMDVI_FIELD(16, 16)
#define AMDVI_TLB_PASID AMDVI_FIELD(32, 20)

#define AMDVI_TLB_MATCH_MASK                                                   \
	(amdvi_fmask(AMDVI_TLB_VALID) | amdvi_fmask(AMDVI_TLB_GN) |            \
	 amdvi_fmask(AMDVI_TLB_PRIV) | amdvi_fmask(AMDVI_TLB_PAGE_LG2) |       \
	 amdvi_fmask(AMDVI_TLB_DOMID) | amdvi_fmask(AMDVI_TLB_PASID))

struct amdvi_tlb_entry {
	uint64_t tag;
	uint64_t va; /* input address of the first byte */
	uint64_t oa; /* output address of the first byte */
	uint64_t attr;
};

struct amdvi_iotlb {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;
	uint32_t *victim;
	struct amdvi_tlb_entry *ent;
	/*
	 * Page sizes (bit n: 2^n) entries of a DomainID bucket may have;
	 * only grows, so every live entry is reachable by a probe.
	 */
	uint64_t sizes[64];
	/* Whether a DomainID bucket ever held a nested entry; only grows. */
	uint8_t nested[64];
	uint64_t gen; /* as amdvi_dte_cache.gen */
};

/* A translation to insert, or what a lookup found. */
struct amdvi_tlb_fill {
	uint16_t domid;
	bool gn;
	bool priv;
	bool nested;
	uint32_t pasid; /* 0 unless gn */
	unsigned int page_lg2;
	unsigned int perm;
	uint64_t va;
	uint64_t oa;
	uint64_t attr;
};

/* The scope of an INVALIDATE_IOMMU_PAGES (or _ALL). */
struct amdvi_tlbi {
	bool all; /* INVALIDATE_IOMMU_ALL: everything */
	bool gn;  /* PASID-tagged entries of @pasid; else host ones */
	uint16_t domid;
	uint32_t pasid;
	uint64_t first; /* inclusive */
	uint64_t last;	/* inclusive */
};

static inline unsigned int amdvi_tlb_set(const struct amdvi_iotlb *tlb,
					 uint16_t domid, uint64_t va,
					 unsigned int lg2)
{
	uint64_t x = (va >> lg2) ^ ((uint64_t)domid << 45) ^
		     ((uint64_t)lg2 << 39);

	return amdvi_hash(x, tlb->sets_lg2);
}

static inline uint64_t amdvi_tlb_want(uint16_t domid, bool gn, uint32_t pasid,
				      bool priv, unsigned int lg2)
{
	return amdvi_fprep(AMDVI_TLB_VALID, 1) | amdvi_fprep(AMDVI_TLB_GN, gn) |
	       amdvi_fprep(AMDVI_TLB_PRIV, priv) |
	       amdvi_fprep(AMDVI_TLB_PAGE_LG2, lg2) |
	       amdvi_fprep(AMDVI_TLB_DOMID, domid) |
	       amdvi_fprep(AMDVI_TLB_PASID, pasid);
}

int amdvi_dtec_init(struct amdvi_dte_cache *c, unsigned int sets_lg2,
		    unsigned int ways);
void amdvi_dtec_destroy(struct amdvi_dte_cache *c);
/* Copies the words of @key into @w; false when not cached. Lock free. */
bool amdvi_dtec_lookup(struct amdvi_dte_cache *c, uint64_t key,
		       uint64_t w[AMDVI_DTE_QWORDS]);
/* Generation to pass to amdvi_dtec_insert(); read before the fetch. */
static inline uint64_t amdvi_dtec_gen(struct amdvi_dte_cache *c)
{
	return __atomic_load_n(&c->gen, __ATOMIC_SEQ_CST);
}
/* Inserts unless an invalidation ran since @gen; true if it evicted. */
bool amdvi_dtec_insert(struct amdvi_dte_cache *c, uint64_t key,
		       const uint64_t w[AMDVI_DTE_QWORDS], uint64_t gen);
/*
 * Drops: @all everything; else the DTE of @devid and its GCR3 entries
 * (@by_dev), or the GCR3 entries of (@domid, @pasid).
 */
void amdvi_dtec_invalidate(struct amdvi_dte_cache *c, bool all, bool by_dev,
			   uint16_t devid, uint16_t domid, uint32_t pasid);

int amdvi_iotlb_init(struct amdvi_iotlb *tlb, unsigned int sets_lg2,
		     unsigned int ways);
void amdvi_iotlb_destroy(struct amdvi_iotlb *tlb);
bool amdvi_iotlb_lookup(struct amdvi_iotlb *tlb, uint16_t domid, bool gn,
			uint32_t pasid, bool priv, uint64_t va,
			struct amdvi_tlb_fill *out);
static inline uint64_t amdvi_iotlb_gen(struct amdvi_iotlb *tlb)
{
	return __atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST);
}
bool amdvi_iotlb_insert(struct amdvi_iotlb *tlb, const struct amdvi_tlb_fill *f,
			uint64_t gen);
void amdvi_iotlb_invalidate(struct amdvi_iotlb *tlb,
			    const struct amdvi_tlbi *inv);

/* --- the instance --- */

struct amdvi_dev {
	uint16_t devid;
	const struct amdvi_dev_ops *ops;
	void *priv;
};

struct amdvi_counters {
	uint64_t tlb_fills, tlb_evictions, dte_fills, dte_evictions;
	uint64_t events, events_lost, commands;
};

struct amdvi {
	struct amdvi_config cfg;
	uint64_t efr;  /* read only, from cfg */
	uint64_t efr2; /* read only */

	struct ufd_mutex regs_lock;
	/* Under regs_lock; atomic where the translation path reads them. */
	uint64_t devtab_base; /* atomic */
	uint64_t control;     /* atomic */
	uint64_t cmdbuf_base;
	uint64_t evtlog_base; /* also read under log_lock */
	uint64_t pprlog_base; /* also read under log_lock */
	uint64_t excl_base, excl_limit;
	uint64_t cmd_head, cmd_tail;

	struct ufd_mutex log_lock;
	/* Under log_lock. */
	uint64_t evt_head, evt_tail;
	uint64_t ppr_head, ppr_tail;

	/* Atomic: Status (AMDVI_STATUS_*). */
	uint64_t status;
	/* Atomic: interrupts raised and not yet delivered (1 << amdvi_irq). */
	uint32_t irq_pending;

	struct ufd_rwlock dev_lock;
	/* Under dev_lock. */
	struct amdvi_dev *devs;
	size_t ndevs, devs_cap;

	struct amdvi_dte_cache dtec;
	struct amdvi_iotlb tlb;
	struct amdvi_counters cnt; /* atomic increments */
};

/* Host pointer to @len bytes at physical @pa, or NULL when refused. */
void *amdvi_map(struct amdvi *iommu, uint64_t pa, size_t len, bool write);

/* A record for the event log, built by the reporting path. */
struct amdvi_event {
	uint64_t q[AMDVI_EVT_QWORDS];
};

/*
 * Appends @ev to the event log (or drops it: log disabled or full, which
 * sets EventOverflow) and raises the interrupt. Takes log_lock; may be
 * called with regs_lock held (the interrupt callback then runs under it).
 * Returns true if logged.
 */
bool amdvi_log_event(struct amdvi *iommu, const struct amdvi_event *ev);

/*
 * Marks an interrupt pending if its enable bit in Control is set; it is
 * delivered by the next amdvi_irq_flush(), which callers run once they
 * hold no lock.
 */
void amdvi_raise(struct amdvi *iommu, enum amdvi_irq irq);
void amdvi_irq_flush(struct amdvi *iommu);

/* Consumes commands from head to tail while the buffer runs (regs_lock). */
void amdvi_cmdbuf_run(struct amdvi *iommu);

/* Event builders (translate.c, cmdbuf.c). */
void amdvi_event_make(struct amdvi_event *ev, unsigned int code, uint16_t devid,
		      uint16_t domid_or_pasid, uint32_t pasid_hi,
		      unsigned int flags, uint64_t addr);

#endif
