/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the VT-d model: the instance, its caches and the helpers the
 * model's files share. Not for users of the model (vtd.h is the API).
 *
 * Files:
 *   vtd.c        instance, register file, fault recording, interrupts
 *   config.c     root/context/PASID directory/PASID entry fetch and decode,
 *                the configuration cache (context + PASID cache)
 *   iotlb.c      the IOTLB: tagged, set-associative, seqlock readers
 *   translate.c  requests: first-stage, second-stage, nested, pass-through
 *   qi.c         the invalidation queue and register-based invalidation
 *
 * Locking (outermost first):
 *   regs_lock   register writes (GCMD, RTADDR, CCMD, IOTLB, IQ*, IECTL)
 *               and the invalidation queue; held while descriptors execute
 *   dev_lock    (rwlock) the device-operations table; read-held around
 *               device callbacks
 *   fault_lock  FSTS, FECTL/FEDATA/FEADDR/FEUADDR and the fault records
 *   per-set seqlocks in the configuration cache and the IOTLB (writers
 *   only; never held while taking another lock)
 * Words the translation path reads without a lock (gsts, root) are
 * written under regs_lock with atomic stores and read with atomic loads.
 */
#ifndef UIOMMUFD_HW_VTD_VTD_PRIV_H
#define UIOMMUFD_HW_VTD_VTD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "base/seqlock.h"
#include "hw/vtd/vtd.h"

#define vtd_load(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define vtd_store(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define vtd_load_acquire(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define vtd_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define vtd_inc(p) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED)

static inline uint64_t vtd_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

static inline unsigned int vtd_hash(uint64_t x, unsigned int lg2)
{
	x ^= x >> 29;
	x *= 0x9e3779b97f4a7c15ull;
	return lg2 ? (unsigned int)(x >> (64 - lg2)) : 0;
}

/* Cache sets are guarded by sequence locks (base/seqlock.h). */

/* --- configuration (config.c) --- */

/*
 * A decoded configuration for (source-id, PASID): what the scalable-mode
 * context entry and the PASID table entry the request selects say. The
 * configuration cache holds these, so it plays the architecture's context
 * cache and PASID cache at once (6.2.2, 6.2.3): an entry is dropped by a
 * context-cache invalidation of its source-id and by a PASID-cache
 * invalidation of its (DID, PASID).
 */
struct vtd_cfg {
	uint64_t key; /* VTD_KEY_*; 0: empty */
	uint64_t hot; /* VTD_HOT_* */
	uint64_t ssptr;
	uint64_t fsptr;
};
#define VTD_CFG_WORDS 4

#define VTD_KEY_VALID VTD_FIELD(0, 1)
#define VTD_KEY_PV VTD_FIELD(1, 1) /* request with PASID */
#define VTD_KEY_SID VTD_FIELD(2, 16)
#define VTD_KEY_PASID VTD_FIELD(18, 20)

#define VTD_HOT_PGTT VTD_FIELD(0, 3)
#define VTD_HOT_AW VTD_FIELD(3, 3)
#define VTD_HOT_FSPM VTD_FIELD(6, 2)
#define VTD_HOT_SSADE VTD_FIELD(8, 1)
#define VTD_HOT_SRE VTD_FIELD(9, 1)
#define VTD_HOT_ERE VTD_FIELD(10, 1)
#define VTD_HOT_FPD VTD_FIELD(11, 1) /* any FPD on the way to the entry */
#define VTD_HOT_DTE VTD_FIELD(12, 1)
#define VTD_HOT_RID_PRIV VTD_FIELD(13, 1)
#define VTD_HOT_PRE VTD_FIELD(14, 1)
#define VTD_HOT_DID VTD_FIELD(16, 16)
#define VTD_HOT_PASID VTD_FIELD(32, 20) /* PASID of the entry used */
#define VTD_HOT_WPE VTD_FIELD(52, 1)

static inline uint64_t vtd_cfg_key(uint16_t sid, uint32_t pasid)
{
	uint64_t k = vtd_fprep(VTD_KEY_VALID, 1) | vtd_fprep(VTD_KEY_SID, sid);

	if (pasid != VTD_NO_PASID)
		k |= vtd_fprep(VTD_KEY_PV, 1) | vtd_fprep(VTD_KEY_PASID, pasid);
	return k;
}

struct vtd_cfg_cache {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;	     /* per set */
	uint32_t *victim;    /* per set; under the set's seq */
	struct vtd_cfg *ent; /* sets * ways */
	uint64_t gen;	     /* odd while an invalidation runs */
};

/* Why a configuration could not be had: the reason and whether to record. */
struct vtd_fault {
	uint8_t reason;
	bool fpd; /* fault processing disabled on the way */
};

/* Which configuration-cache entries an invalidation drops. */
struct vtd_cfg_inval {
	bool all;
	bool by_sid; /* source-ids matching sid under sid_mask */
	uint16_t sid, sid_mask;
	bool by_did; /* PASID-cache: entries of DID (and PASID if by_pasid) */
	uint16_t did;
	bool by_pasid;
	uint32_t pasid;
};

/* --- IOTLB (iotlb.c) --- */

enum vtd_tlb_kind {
	VTD_TLB_SS = 1, /* second stage only; tagged with DID, no PASID */
	VTD_TLB_FS,	/* first stage only */
	VTD_TLB_NESTED, /* first stage then second stage, combined */
};

#define VTD_TE_VALID VTD_FIELD(0, 1)
#define VTD_TE_KIND VTD_FIELD(1, 2)
#define VTD_TE_PRIV VTD_FIELD(3, 1)
#define VTD_TE_GLOBAL VTD_FIELD(4, 1)
#define VTD_TE_PAGE_LG2 VTD_FIELD(5, 6)
#define VTD_TE_PERM VTD_FIELD(11, 3)
#define VTD_TE_PASID VTD_FIELD(14, 20)
#define VTD_TE_DID VTD_FIELD(34, 16)
#define VTD_TE_FS_LG2 VTD_FIELD(50, 6) /* first-stage leaf, nested */

struct vtd_tlb_entry {
	uint64_t tag;
	uint64_t va;
	uint64_t oa;
	uint64_t attr;
};

struct vtd_iotlb {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;
	uint32_t *victim;
	struct vtd_tlb_entry *ent;
	/* Page sizes inserted per DID bucket; only grows. */
	uint64_t sizes[64];
	uint64_t gen; /* odd while an invalidation runs */
};

struct vtd_tlb_fill {
	enum vtd_tlb_kind kind;
	uint16_t did;
	uint32_t pasid; /* 0 for VTD_TLB_SS */
	bool priv;
	bool global;
	unsigned int page_lg2;
	unsigned int fs_lg2; /* nested: first-stage leaf size */
	unsigned int perm;   /* VTD_READ/WRITE/EXEC */
	uint64_t va, oa, attr;
};

/* The scope of an IOTLB invalidation. */
struct vtd_tlbi {
	enum {
		VTD_TLBI_ALL,	   /* everything */
		VTD_TLBI_DID,	   /* every entry of did */
		VTD_TLBI_DID_PAGE, /* SS entries of did in range; nested all */
		VTD_TLBI_PASID,	   /* non-global FS/nested of (did, pasid) */
		VTD_TLBI_PASID_PAGE, /* FS/nested of (did, pasid) in range */
	} scope;
	uint16_t did;
	uint32_t pasid;
	uint64_t first, last; /* inclusive */
};

int vtd_iotlb_init(struct vtd_iotlb *tlb, unsigned int sets_lg2,
		   unsigned int ways);
void vtd_iotlb_destroy(struct vtd_iotlb *tlb);
/** vtd_iotlb_lookup - a hit for (kind, did, pasid, priv, va) into @out. */
bool vtd_iotlb_lookup(struct vtd_iotlb *tlb, enum vtd_tlb_kind kind,
		      uint16_t did, uint32_t pasid, bool priv, uint64_t va,
		      struct vtd_tlb_fill *out);
/**
 * vtd_iotlb_insert - cache @f unless an invalidation started since @gen
 * (vtd_iotlb_gen() read before the walk). True when an entry was evicted.
 */
bool vtd_iotlb_insert(struct vtd_iotlb *tlb, const struct vtd_tlb_fill *f,
		      uint64_t gen);
static inline uint64_t vtd_iotlb_gen(struct vtd_iotlb *tlb)
{
	return __atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST);
}
/** vtd_iotlb_invalidate - drop every entry in the scope of @inv. */
void vtd_iotlb_invalidate(struct vtd_iotlb *tlb, const struct vtd_tlbi *inv);

/* --- the instance --- */

struct vtd_dev {
	bool used;
	uint16_t sid;
	const struct vtd_dev_ops *ops;
	void *priv;
};

#define VTD_MAX_DEVS 64

struct vtd {
	struct vtd_config cfg;
	uint64_t cap;  /* fixed at create */
	uint64_t ecap; /* fixed at create */

	struct ufd_mutex regs_lock;
	uint32_t gsts;	 /* atomic reads */
	uint64_t rtaddr; /* RTADDR_REG as written */
	uint64_t root;	 /* RTADDR latched by SRTP; atomic reads */
	uint64_t ccmd;
	uint64_t iva;
	uint64_t iotlb_reg;
	uint64_t iqh, iqt, iqa;
	uint32_t ics;
	uint32_t iectl, iedata, ieaddr, ieuaddr;
	uint64_t iqercd;
	uint64_t pqh, pqt, pqa;
	uint32_t prs, pectl, pedata, peaddr, peuaddr;
	uint64_t irta;
	uint32_t irq_pending; /* atomic bitmap of enum vtd_irq */

	struct ufd_mutex fault_lock;
	uint32_t fsts; /* atomic reads */
	uint32_t fectl, fedata, feaddr, feuaddr;
	uint64_t (*frcd)[2]; /* cfg.nfr records */
	unsigned int frcd_next;

	struct ufd_rwlock dev_lock;
	struct vtd_dev devs[VTD_MAX_DEVS];

	struct vtd_cfg_cache cfgc;
	struct vtd_iotlb tlb;

	struct vtd_stats stats; /* atomic counters */
};

/* Host pointer of [pa, pa + len) of physical memory, NULL if refused. */
static inline void *vtd_map(struct vtd *vtd, uint64_t pa, size_t len,
			    bool write)
{
	return pt_mem_map(vtd->cfg.mem, vtd->cfg.mem_priv, vtd->cfg.mem_window,
			  pa, len, write);
}

/** vtd_read_words - @n 64-bit words at @pa, each loaded atomically. */
int vtd_read_words(struct vtd *vtd, uint64_t pa, uint64_t *w, unsigned int n);

/* vtd.c */
/** vtd_raise_irq - mark @irq pending; delivered by vtd_deliver_irqs(). */
void vtd_raise_irq(struct vtd *vtd, enum vtd_irq irq);
/** vtd_deliver_irqs - call cfg.irq for pending interrupts; no lock held. */
void vtd_deliver_irqs(struct vtd *vtd);
/**
 * vtd_record_fault - write a fault record (7.2.1): PFO when the next
 * record is still pending, PPF/FRI and the fault event otherwise.
 * Returns whether it was recorded.
 */
bool vtd_record_fault(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		      uint64_t addr, unsigned int access, uint8_t reason);
/**
 * vtd_set_fsts_error - set FSTS.IQE/ICE/ITE bits (@bits in FSTS layout)
 * and signal the fault event.
 */
void vtd_set_fsts_error(struct vtd *vtd, uint32_t bits);
/** vtd_signal_inv_event - the invalidation completion event; regs_lock. */
void vtd_signal_inv_event(struct vtd *vtd);
/**
 * vtd_dev_get - the device operations of @sid, or NULL, with dev_lock
 * read-held until vtd_dev_put() (also after NULL).
 */
const struct vtd_dev *vtd_dev_get(struct vtd *vtd, uint16_t sid);
void vtd_dev_put(struct vtd *vtd);

/* config.c */
int vtd_cfgc_init(struct vtd_cfg_cache *c, unsigned int sets_lg2,
		  unsigned int ways);
void vtd_cfgc_destroy(struct vtd_cfg_cache *c);
/**
 * vtd_cfg_lookup - the cached configuration for @key; false on a miss.
 */
bool vtd_cfg_lookup(struct vtd_cfg_cache *c, uint64_t key, struct vtd_cfg *out);
/**
 * vtd_cfg_get - the configuration for (sid, pasid): from the cache, or
 * fetched from the tables, decoded and cached (unless an invalidation ran
 * meanwhile). Returns 0, or -EFAULT with @fault.
 */
int vtd_cfg_get(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		struct vtd_cfg *cfg, struct vtd_fault *fault);
/** vtd_cfgc_invalidate - drop the entries @inv selects. */
void vtd_cfgc_invalidate(struct vtd_cfg_cache *c,
			 const struct vtd_cfg_inval *inv);

/* qi.c */
/**
 * vtd_qi_process - execute descriptors from IQH to IQT while queued
 * invalidation is enabled and no IQE is pending. Called with regs_lock.
 */
void vtd_qi_process(struct vtd *vtd);
/** vtd_ccmd_write - register-based context invalidation; regs_lock held. */
void vtd_ccmd_write(struct vtd *vtd, uint64_t val);
/** vtd_iotlb_reg_write - register-based IOTLB invalidation; regs_lock. */
void vtd_iotlb_reg_write(struct vtd *vtd, uint64_t val);

#endif
