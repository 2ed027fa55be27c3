/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the SMMUv3 model: the instance, its caches and the helpers the
 * model's files share. Not for users of the model (smmuv3.h is the API).
 *
 * Files:
 *   smmuv3.c     instance, register file, event/PRI queues, GERROR, IRQs
 *   config.c     stream table and CD fetch, STE/CD decode, config cache
 *   iotlb.c      the IOTLB: tagged, set-associative, seqlock readers
 *   translate.c  transactions: stage 1/2/nested walks, faults, ATS
 *   cmdq.c       the command decoder and queue consumption
 *
 * Locking (outermost first):
 *   regs_lock   register writes and the command queue; held while commands
 *               execute for the SMMU's own queue
 *   dev_lock    (rwlock) the device-operations table; read-held around
 *               device callbacks
 *   evtq_lock   event queue registers and writes to the event queue
 *   priq_lock   PRI queue registers and writes to the PRI queue
 *   stall_lock  the stalled-transaction table
 *   err_lock    GERROR and GERRORN
 *   per-set seqlocks in the config cache and the IOTLB (writers only; never
 *   held while taking another lock)
 * Register words the translation path reads without regs_lock (CR0, CR2,
 * GBPA, STRTAB_BASE, STRTAB_BASE_CFG) are written under regs_lock with
 * atomic stores and read with atomic loads.
 */
#ifndef UIOMMUFD_HW_SMMUV3_SMMUV3_PRIV_H
#define UIOMMUFD_HW_SMMUV3_SMMUV3_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "base/seqlock.h"
#include "hw/smmuv3/smmuv3.h"

/* Relaxed atomic word access for state shared with lock-free readers. */
#define smmu_load(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define smmu_store(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define smmu_load_acquire(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smmu_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smmu_inc(p) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED)

static inline uint64_t smmu_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

/* Mixing for cache indexes: multiplicative, top bits taken. */
static inline uint64_t smmu_mix(uint64_t x)
{
	x ^= x >> 29;
	return x * 0x9e3779b97f4a7c15ull;
}

static inline unsigned int smmu_hash(uint64_t x, unsigned int lg2)
{
	x = smmu_mix(x);
	return lg2 ? (unsigned int)(x >> (64 - lg2)) : 0;
}

/* Cache sets are guarded by sequence locks (base/seqlock.h). */

/* --- configuration (config.c) --- */

/* What a stream (and substream) does with a transaction. */
enum smmu_kind {
	SMMU_K_ABORT = 0, /* Config 0b0xx: abort, no event */
	SMMU_K_BYPASS,	  /* no translation */
	SMMU_K_S1,	  /* stage 1 only */
	SMMU_K_S2,	  /* stage 2 only (also S1DSS bypass with stage 2) */
	SMMU_K_NESTED,	  /* stage 1 then stage 2 */
};

/* smmu_cfg.hot flags */
#define SMMU_HOT_KIND SMMU_FIELD(0, 3)
#define SMMU_HOT_TBI0 SMMU_FIELD(3, 1)
#define SMMU_HOT_TBI1 SMMU_FIELD(4, 1)
#define SMMU_HOT_EATS SMMU_FIELD(5, 2) /* effective STE.EATS */
#define SMMU_HOT_VMID SMMU_FIELD(16, 16)
#define SMMU_HOT_ASID SMMU_FIELD(32, 16)

/* smmu_cfg.flags */
#define SMMU_CF_EPD0 (1u << 0)	   /* TTB0 walks disabled */
#define SMMU_CF_EPD1 (1u << 1)	   /* TTB1 walks disabled */
#define SMMU_CF_S1_HA (1u << 2)	   /* CD.HA */
#define SMMU_CF_S1_HD (1u << 3)	   /* CD.HD */
#define SMMU_CF_S1_AFFD (1u << 4)  /* CD.AFFD */
#define SMMU_CF_S1_R (1u << 5)	   /* CD.R: record stage 1 faults */
#define SMMU_CF_S1_A (1u << 6)	   /* CD.A: abort (else RAZ/WI) */
#define SMMU_CF_S1_S (1u << 7)	   /* CD.S: stall */
#define SMMU_CF_WXN (1u << 8)	   /* CD.WXN */
#define SMMU_CF_PAN (1u << 9)	   /* CD.PAN */
#define SMMU_CF_S2_HA (1u << 10)   /* STE.S2HA */
#define SMMU_CF_S2_HD (1u << 11)   /* STE.S2HD */
#define SMMU_CF_S2_AFFD (1u << 12) /* STE.S2AFFD */
#define SMMU_CF_S2_R (1u << 13)	   /* STE.S2R */
#define SMMU_CF_S2_S (1u << 14)	   /* STE.S2S */
#define SMMU_CF_S2_PTW (1u << 15)  /* STE.S2PTW */
#define SMMU_CF_TBI0 (1u << 16)	   /* CD.TBI0 */
#define SMMU_CF_TBI1 (1u << 17)	   /* CD.TBI1 */
#define SMMU_CF_SSID_CD (1u << 18) /* config reached a CD (cd_index valid) */

/*
 * A decoded configuration: the STE of a StreamID and, when stage 1
 * translates, the CD the transaction's SubstreamID selects. This is what the
 * configuration cache holds, keyed by (StreamID, SSV, SubstreamID). @hot is
 * everything an IOTLB hit needs; the rest is read on a miss.
 */
struct smmu_cfg {
	uint64_t key;
	uint64_t hot;
	uint32_t flags;	   /* SMMU_CF_* */
	uint32_t cd_index; /* CD table index used (CFGI_CD matching) */
	uint8_t s1_ias[2]; /* input bits of TTB0 and TTB1 regions */
	uint8_t pad[6];
	/* Walk contexts: stage 1 TTB0, TTB1; stage 2. mem_priv is patched. */
	struct pt_walk_ctx s1[2];
	struct pt_walk_ctx s2;
	/*
	 * Derived once per decode for the miss path, per stage-1 region
	 * (VA[55]): a VA walks through TTBn only if (va & s1_va_mask[n]) ==
	 * s1_va_want[n] (VA[55:ias] and, without TBI, the top byte copy
	 * VA[55]; nothing matches when EPDn is set); its IOTLB entries carry
	 * tlb_tag[n] (kind, VMID, ASID, granules) and what the leaf adds.
	 */
	uint64_t s1_va_mask[2], s1_va_want[2];
	uint64_t tlb_tag[2];
};

#define SMMU_CFG_WORDS (sizeof(struct smmu_cfg) / sizeof(uint64_t))
BUILD_ASSERT(sizeof(struct smmu_cfg) % sizeof(uint64_t) == 0);

/* Key layout: valid, SSV, SubstreamID, StreamID. */
#define SMMU_KEY_VALID SMMU_FIELD(0, 1)
#define SMMU_KEY_SSV SMMU_FIELD(1, 1)
#define SMMU_KEY_SSID SMMU_FIELD(2, 20)
#define SMMU_KEY_SID SMMU_FIELD(32, 32)

static inline uint64_t smmu_cfg_key(uint32_t sid, uint32_t ssid)
{
	uint64_t k = smmu_fprep(SMMU_KEY_VALID, 1) |
		     smmu_fprep(SMMU_KEY_SID, sid);

	if (ssid != SMMUV3_NO_SSID)
		k |= smmu_fprep(SMMU_KEY_SSV, 1) |
		     smmu_fprep(SMMU_KEY_SSID, ssid);
	return k;
}

static inline enum smmu_kind smmu_cfg_kind(uint64_t hot)
{
	return (enum smmu_kind)smmu_fget(hot, SMMU_HOT_KIND);
}

/*
 * Why a configuration lookup failed: the event to record (0: abort
 * silently) and what it reports.
 */
struct smmu_fault {
	uint8_t event;
	uint8_t cls;	    /* SMMU_CLASS_* */
	bool s2;	    /* stage 2 fault */
	bool translation;   /* one of the four translation-related faults */
	bool ssid_valid;    /* report @ssid in the record */
	bool has_ipa;	    /* @ipa goes into the record */
	bool has_fetch;	    /* @fetch goes into the record */
	uint32_t cfg_flags; /* SMMU_CF_* known when it happened (S2R, S2S) */
	uint32_t ssid;
	uint64_t ipa;
	uint64_t fetch;
};

/* A configuration cache: sets of ways, each set under a seqlock. */
struct smmu_cfg_cache {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;	      /* per set */
	uint32_t *victim;     /* per set, round-robin; under the set's seq */
	struct smmu_cfg *ent; /* sets * ways */
	/*
	 * Bumped at the start and the end of every invalidation (odd while
	 * one runs); fills that straddle one are dropped.
	 */
	uint64_t gen;
};

/*
 * The hot words of the configuration of @key, inline for the DMA fast
 * path; false if not cached.
 */
static inline bool smmu_cfgc_hot(struct smmu_cfg_cache *c, uint64_t key,
				 uint64_t *hot)
{
	unsigned int set = smmu_hash(key, c->sets_lg2);
	struct smmu_cfg *e = &c->ent[(size_t)set * c->ways];
	unsigned int i, ways = c->ways;
	bool hit;
	uint32_t s;

	do {
		s = ufd_seq_begin(&c->seq[set]);
		hit = false;
		for (i = 0; i < ways; i++) {
			if (ufd_seq_load(&e[i].key) != key)
				continue;
			*hot = ufd_seq_load(&e[i].hot);
			hit = true;
			break;
		}
	} while (ufd_seq_retry(&c->seq[set], s));
	return hit;
}

/* --- IOTLB (iotlb.c) --- */

/* What an IOTLB entry translates. */
enum smmu_tlb_kind {
	SMMU_TLB_S1 = 1, /* VA -> PA, stage 1 only */
	SMMU_TLB_S12,	 /* VA -> PA through both stages */
	SMMU_TLB_S2,	 /* IPA -> PA, stage 2 only */
};

/*
 * Entry word 0: the tag and the permissions. The granule and level of each
 * stage are kept so TLBI range and TTL hints match exactly what the
 * architecture says they match.
 */
#define SMMU_TLB_VALID SMMU_FIELD(0, 1)
#define SMMU_TLB_KIND SMMU_FIELD(1, 2)
#define SMMU_TLB_GLOBAL SMMU_FIELD(3, 1)
#define SMMU_TLB_PRIV SMMU_FIELD(4, 1)
#define SMMU_TLB_PAGE_LG2 SMMU_FIELD(5, 6)
#define SMMU_TLB_S1_TG SMMU_FIELD(11, 2) /* SMMU_TLBI_TG_* */
#define SMMU_TLB_S1_LVL SMMU_FIELD(13, 2)
#define SMMU_TLB_S2_TG SMMU_FIELD(15, 2)
#define SMMU_TLB_S2_LVL SMMU_FIELD(17, 2)
#define SMMU_TLB_PERM SMMU_FIELD(19, 3) /* SMMUV3_READ/WRITE/EXEC */
/* Stage-1 leaf size: larger than the entry when stage 2 split it. */
#define SMMU_TLB_S1_LG2 SMMU_FIELD(22, 6)
#define SMMU_TLB_VMID SMMU_FIELD(32, 16)
#define SMMU_TLB_ASID SMMU_FIELD(48, 16)

/* One cached translation, as four words read and written atomically. */
struct smmu_tlb_entry {
	uint64_t tag;
	uint64_t va;   /* input address of the first byte */
	uint64_t oa;   /* output address of the first byte */
	uint64_t attr; /* PT_ATTR_* of the final stage */
};

/*
 * What each IOTLB set counts, under its sequence count: the next victim
 * of round-robin replacement, and for smmuv3_get_stats() the entries it
 * took and evicted (summed over the sets when read, so that a fill takes
 * no locked instruction beyond the set's own).
 */
struct smmu_tlb_count {
	uint64_t fills;
	uint64_t evictions;
	uint32_t victim;
};

struct smmu_iotlb {
	unsigned int sets_lg2;
	unsigned int ways;
	uint32_t *seq;
	struct smmu_tlb_count *count;
	struct smmu_tlb_entry *ent;
	/*
	 * A word per set, a byte per way (at most 8): the signature of what
	 * the way holds (smmu_tlb_slot()), 0 when it is empty. A lookup
	 * compares the full entry only where the signature matches. Written
	 * with the entry, under the set's sequence count.
	 */
	uint64_t *sig;
	/*
	 * Page sizes (bit n: 2^n) that entries of a VMID bucket may have;
	 * only ever grows, so every live entry is reachable by a probe.
	 */
	uint64_t sizes[64];
	/*
	 * Stage-1 leaf sizes of entries smaller than their stage-1 leaf (a
	 * nested translation split by smaller stage-2 pages), per VMID
	 * bucket: an invalidation by address must reach every piece.
	 */
	uint64_t frags[64];
	/* As smmu_cfg_cache.gen: odd while an invalidation runs. */
	uint64_t gen;
};

/* The scope of a TLB invalidation command. */
struct smmu_tlbi {
	uint8_t op; /* command opcode */
	uint16_t vmid;
	uint16_t asid;
	bool has_range;	  /* the address fields apply */
	uint64_t first;	  /* inclusive */
	uint64_t last;	  /* inclusive */
	unsigned int tg;  /* SMMU_TLBI_TG_*, 0 any */
	unsigned int ttl; /* level, 0 any */
};

/* Where an entry lives: its set, and its signature byte in that set. */
struct smmu_tlb_slot {
	unsigned int set;
	uint64_t sig; /* 0x80..0xff */
};

/*
 * The slot of (@vmid, @va, 2^@lg2): the set from the top bits of the
 * hash, the signature from the seven below them (bit 7 set, so that no
 * signature is an empty way's 0).
 */
static inline struct smmu_tlb_slot smmu_tlb_slot(const struct smmu_iotlb *tlb,
						 uint16_t vmid, uint64_t va,
						 unsigned int lg2)
{
	uint64_t x = (va >> lg2) ^ ((uint64_t)vmid << 47) ^
		     ((uint64_t)lg2 << 41);
	unsigned int sl = tlb->sets_lg2;
	struct smmu_tlb_slot r;

	x = smmu_mix(x);
	r.set = sl ? (unsigned int)(x >> (64 - sl)) : 0;
	r.sig = ((x >> (56 - sl)) & 0xff) | 0x80;
	return r;
}

#define SMMU_TLB_BYTES_LO 0x0101010101010101ull
#define SMMU_TLB_BYTES_7F 0x7f7f7f7f7f7f7f7full

/*
 * The bytes of the signature word @w equal to @sig, as their bit 7 (so
 * way = ctz / 8). Exact: no borrow crosses bytes.
 */
static inline uint64_t smmu_tlb_sig_match(uint64_t w, uint64_t sig)
{
	uint64_t x = w ^ (sig * SMMU_TLB_BYTES_LO);

	return ~(((x & SMMU_TLB_BYTES_7F) + SMMU_TLB_BYTES_7F) | x |
		 SMMU_TLB_BYTES_7F);
}

static inline uint64_t *smmu_tlb_sizes(struct smmu_iotlb *tlb, uint16_t vmid)
{
	return &tlb->sizes[vmid & 63];
}

/* TLBI TG of a granule (SMMU_TLBI_TG_*), as entries keep it. */
static inline unsigned int smmu_tg_code(unsigned int granule_lg2)
{
	return granule_lg2 == 12   ? SMMU_TLBI_TG_4K
	       : granule_lg2 == 14 ? SMMU_TLBI_TG_16K
	       : granule_lg2 == 16 ? SMMU_TLBI_TG_64K
				   : SMMU_TLBI_TG_ANY;
}

/* Tag bits a lookup compares exactly (ASID and global are separate). */
static inline uint64_t smmu_tlb_want(enum smmu_tlb_kind kind, uint16_t vmid,
				     bool priv, unsigned int lg2)
{
	return smmu_fprep(SMMU_TLB_VALID, 1) | smmu_fprep(SMMU_TLB_KIND, kind) |
	       smmu_fprep(SMMU_TLB_VMID, vmid) |
	       smmu_fprep(SMMU_TLB_PRIV, priv) |
	       smmu_fprep(SMMU_TLB_PAGE_LG2, lg2);
}

#define SMMU_TLB_MATCH_MASK                                                    \
	(smmu_fmask(SMMU_TLB_VALID) | smmu_fmask(SMMU_TLB_KIND) |              \
	 smmu_fmask(SMMU_TLB_VMID) | smmu_fmask(SMMU_TLB_PRIV) |               \
	 smmu_fmask(SMMU_TLB_PAGE_LG2))

static inline bool smmu_tlb_asid_ok(uint64_t tag, uint16_t asid)
{
	return smmu_fget(tag, SMMU_TLB_GLOBAL) ||
	       smmu_fget(tag, SMMU_TLB_ASID) == asid;
}

/*
 * The IOTLB lookup, inline because it is the DMA fast path: one probe per
 * page size the VMID's bucket holds, each a hash and, under the set's
 * sequence count, a look at the ways whose signature matches.
 */
static inline bool smmu_iotlb_find(struct smmu_iotlb *tlb,
				   enum smmu_tlb_kind kind, uint16_t vmid,
				   uint16_t asid, bool priv, uint64_t va,
				   struct smmu_tlb_entry *h)
{
	uint64_t sizes = smmu_load(smmu_tlb_sizes(tlb, vmid));

	while (sizes) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(sizes);
		uint64_t base = va & ~smmu_mask(lg2);
		uint64_t want = smmu_tlb_want(kind, vmid, priv, lg2);
		struct smmu_tlb_slot sl = smmu_tlb_slot(tlb, vmid, base, lg2);
		struct smmu_tlb_entry *e =
			&tlb->ent[(size_t)sl.set * tlb->ways];
		unsigned int i;
		uint64_t m;
		bool hit;
		uint32_t s;

		sizes &= sizes - 1;
		do {
			s = ufd_seq_begin(&tlb->seq[sl.set]);
			hit = false;
			m = smmu_tlb_sig_match(ufd_seq_load(&tlb->sig[sl.set]),
					       sl.sig);
			for (; m; m &= m - 1) {
				uint64_t tag;

				i = (unsigned int)__builtin_ctzll(m) / 8;
				tag = ufd_seq_load(&e[i].tag);
				if ((tag & SMMU_TLB_MATCH_MASK) != want ||
				    !smmu_tlb_asid_ok(tag, asid) ||
				    ufd_seq_load(&e[i].va) != base)
					continue;
				h->tag = tag;
				h->va = base;
				h->oa = ufd_seq_load(&e[i].oa);
				h->attr = ufd_seq_load(&e[i].attr);
				hit = true;
				break;
			}
		} while (ufd_seq_retry(&tlb->seq[sl.set], s));
		if (hit)
			return true;
	}
	return false;
}

/** smmu_iotlb_init - an empty IOTLB of 2^@sets_lg2 sets; 0 or -ENOMEM. */
int smmu_iotlb_init(struct smmu_iotlb *tlb, unsigned int sets_lg2,
		    unsigned int ways);
/** smmu_iotlb_destroy - free its memory; no lookup may be running. */
void smmu_iotlb_destroy(struct smmu_iotlb *tlb);
/**
 * smmu_iotlb_insert - cache the entry @ne (page-aligned va and oa).
 * @gen: smmu_iotlb_gen() read before the walk that produced it.
 *
 * Does nothing if an invalidation started since @gen was read. A full set
 * evicts one of its entries to make room.
 */
void smmu_iotlb_insert(struct smmu_iotlb *tlb, const struct smmu_tlb_entry *ne,
		       uint64_t gen);
/** smmu_iotlb_counts - entries taken and evicted so far, over all sets. */
void smmu_iotlb_counts(struct smmu_iotlb *tlb, uint64_t *fills,
		       uint64_t *evictions);
/** smmu_iotlb_gen - the invalidation generation, for smmu_iotlb_insert(). */
static inline uint64_t smmu_iotlb_gen(struct smmu_iotlb *tlb)
{
	return __atomic_load_n(&tlb->gen, __ATOMIC_SEQ_CST);
}
/**
 * smmu_iotlb_inval_begin/end - open and close an invalidation window: the
 * generation is bumped on both sides, so a fill whose walk began before
 * the window closed is not inserted. One window may hold any number of
 * smmu_iotlb_invalidate() calls; windows of several threads may overlap.
 */
void smmu_iotlb_inval_begin(struct smmu_iotlb *tlb);
void smmu_iotlb_inval_end(struct smmu_iotlb *tlb);
/**
 * smmu_iotlb_invalidate - drop every entry in the scope of @inv; inside a
 * window (smmu_iotlb_inval_begin()).
 *
 * Probes the sets a small address range hashes to, scans all otherwise.
 */
void smmu_iotlb_invalidate(struct smmu_iotlb *tlb, const struct smmu_tlbi *inv);

/* --- the instance --- */

struct smmu_queue {
	uint64_t base;	   /* *_BASE register */
	uint32_t prod;	   /* *_PROD register */
	uint32_t cons;	   /* *_CONS register */
	uint64_t irq_cfg0; /* MSI address */
	uint32_t irq_cfg1; /* MSI data */
	uint32_t irq_cfg2; /* MSI attributes */
};

/* A registered device: its StreamID and operations. */
struct smmu_dev {
	uint32_t sid;
	const struct smmuv3_dev_ops *ops;
	void *priv;
};

/* A stalled transaction awaiting CMD_RESUME. */
struct smmu_stall {
	bool used;
	uint32_t sid;
	uint16_t stag;
};

struct smmuv3 {
	struct smmuv3_config cfg;
	/* Never reused, so a thread's micro-TLB cannot match a new SMMU. */
	uint64_t id;
	/* Identification registers, fixed at create. */
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
	unsigned int oas; /* bits */
	unsigned int ssid_bits;

	/* Register state. Written under regs_lock. */
	struct ufd_mutex regs_lock;
	uint32_t cr0; /* atomic reads */
	uint32_t cr1;
	uint32_t cr2;	      /* atomic reads */
	uint32_t gbpa;	      /* atomic reads */
	uint32_t irq_ctrl;    /* atomic reads */
	uint64_t strtab_base; /* atomic reads */
	uint32_t strtab_cfg;  /* atomic reads */
	uint64_t gerror_irq_cfg0;
	uint32_t gerror_irq_cfg1;
	uint32_t gerror_irq_cfg2;
	struct smmu_queue cmdq; /* under regs_lock */
	/* Interrupts raised under a lock, delivered after unlocking. */
	uint32_t irq_pending; /* atomic bitmap of enum smmuv3_irq */

	struct ufd_mutex evtq_lock;
	struct smmu_queue evtq; /* under evtq_lock (and regs_lock) */

	struct ufd_mutex priq_lock;
	struct smmu_queue priq; /* under priq_lock (and regs_lock) */

	struct ufd_mutex err_lock;
	uint32_t gerror;  /* under err_lock; atomic reads */
	uint32_t gerrorn; /* under err_lock */

	struct ufd_rwlock dev_lock;
	struct smmu_dev *devs; /* open hash, dev_cap slots */
	unsigned int dev_cap;
	unsigned int dev_count;

	struct ufd_mutex stall_lock;
	struct smmu_stall *stalls; /* cfg.stall_max slots */
	uint16_t next_stag;

	/* An ATC invalidation failed since the last CMD_SYNC. Atomic. */
	uint32_t atc_failed;

	struct smmu_cfg_cache cfgc;
	struct smmu_iotlb tlb;

	/* Atomic counters; the IOTLB counts its own (smmu_iotlb_counts()). */
	struct smmuv3_stats stats;
};

static inline uint32_t smmu_cr0(struct smmuv3 *smmu)
{
	return smmu_load(&smmu->cr0);
}

/* Host pointer of [pa, pa + len) of physical memory, NULL if refused. */
static inline void *smmu_map(struct smmuv3 *smmu, uint64_t pa, size_t len,
			     bool write)
{
	return pt_mem_map(smmu->cfg.mem, smmu->cfg.mem_priv,
			  smmu->cfg.mem_window, pa, len, write);
}

/**
 * smmu_read_words - read @n little-endian 64-bit words of physical memory
 * at @pa (8-byte aligned) with single-copy-atomic loads; -EFAULT if refused.
 */
int smmu_read_words(struct smmuv3 *smmu, uint64_t pa, uint64_t *w,
		    unsigned int n);
/** smmu_write_words - store @n words at @pa, each atomically; -EFAULT. */
int smmu_write_words(struct smmuv3 *smmu, uint64_t pa, const uint64_t *w,
		     unsigned int n);

/* smmuv3.c */
/**
 * smmu_raise_irq - mark a wired interrupt pending; callable under any lock.
 * smmu_deliver_irqs() calls the irq callback once the caller unlocked.
 */
void smmu_raise_irq(struct smmuv3 *smmu, enum smmuv3_irq irq);
/** smmu_deliver_irqs - call cfg.irq for pending interrupts; no lock held. */
void smmu_deliver_irqs(struct smmuv3 *smmu);
/**
 * smmu_gerror_activate - activate the GERROR @bits not already active and
 * signal the GERROR interrupt (MSI or line) for those newly active.
 */
void smmu_gerror_activate(struct smmuv3 *smmu, uint32_t bits);
/** smmu_gerror_active - whether any of @bits is active (GERROR != GERRORN). */
bool smmu_gerror_active(struct smmuv3 *smmu, uint32_t bits);
/**
 * smmu_record_event - write an event record into the event queue (7.2-7.4:
 * EVENTQEN, overflow, EVTQ_ABT_ERR, interrupt). False when it was lost.
 */
bool smmu_record_event(struct smmuv3 *smmu, const uint64_t evt[4]);
/** smmu_msi_write - a 32-bit MSI write; false if memory refused it. */
bool smmu_msi_write(struct smmuv3 *smmu, uint64_t addr, uint32_t data);
/**
 * smmu_dev_get - the device registered for @sid, or NULL, with dev_lock
 * read-held until smmu_dev_put() (also after NULL): call its operations
 * between the two.
 */
const struct smmu_dev *smmu_dev_get(struct smmuv3 *smmu, uint32_t sid);
/** smmu_dev_put - pairs with smmu_dev_get(). */
void smmu_dev_put(struct smmuv3 *smmu);
/**
 * smmu_cmdq_process - consume the SMMU's own command queue from CONS to
 * PROD if it is enabled and no command error is active; a failing command
 * sets CONS.ERR and GERROR.CMDQ_ERR. Called with regs_lock held.
 */
void smmu_cmdq_process(struct smmuv3 *smmu);

/* config.c */
/** smmu_cfgc_init - an empty configuration cache; 0 or -ENOMEM. */
int smmu_cfgc_init(struct smmu_cfg_cache *c, unsigned int sets_lg2,
		   unsigned int ways);
/** smmu_cfgc_destroy - free its memory; no lookup may be running. */
void smmu_cfgc_destroy(struct smmu_cfg_cache *c);
/**
 * smmu_cfg_get - the configuration for (sid, ssid): from the cache, or
 * fetched, decoded and cached (unless an invalidation ran meanwhile).
 * @full: also copy the walk contexts (else only key and hot).
 *
 * Returns 0, or -EFAULT with @fault describing the error (not recorded).
 */
int smmu_cfg_get(struct smmuv3 *smmu, uint32_t sid, uint32_t ssid, bool full,
		 struct smmu_cfg *cfg, struct smmu_fault *fault);
/** smmu_cfgc_inval_sids - CFGI_STE(_RANGE): entries of sids in [first, last]. */
void smmu_cfgc_inval_sids(struct smmuv3 *smmu, uint32_t first, uint32_t last);
/**
 * smmu_cfgc_inval_cd - CFGI_CD: entries of @sid that used CD @cd_index;
 * with @all (CFGI_CD_ALL), every entry of @sid that reached a CD.
 */
void smmu_cfgc_inval_cd(struct smmuv3 *smmu, uint32_t sid, uint32_t cd_index,
			bool all);
/**
 * smmu_ste_fetch - read the STE of @sid through the stream table; 0, or
 * -EFAULT with C_BAD_STREAMID or F_STE_FETCH in @fault. Not cached.
 */
int smmu_ste_fetch(struct smmuv3 *smmu, uint32_t sid, uint64_t ste[8],
		   struct smmu_fault *fault);

/* translate.c */
/* Stage-2 mem ops context for IPAs (CD fetches, stage-1 tables). */
struct smmu_s2_access {
	struct smmuv3 *smmu;
	const struct pt_walk_ctx *s2;
	uint32_t flags;		  /* SMMU_CF_* of the configuration */
	uint8_t cls;		  /* SMMU_CLASS_* of the access */
	struct smmu_fault *fault; /* where a failure is described */
	bool failed;
	/*
	 * The stage-2 leaf the last access of this walk went through (a walk
	 * cache for one translation: the guest's tables usually share one
	 * stage-2 page or block, which the hardware may then walk once).
	 * Nothing cached at first (leaf_valid false, win.size 0; the other
	 * leaf fields are written with leaf_valid). @win is the same leaf as
	 * a window of IPAs when the memory ops mapped its output as one
	 * piece (size 0 otherwise: each access is mapped on its own); a
	 * nested stage-1 walk reads its tables through it without a call
	 * (pt_mem_window).
	 */
	bool leaf_valid, leaf_write;
	uint64_t leaf_ipa, leaf_oa, leaf_mask;
	struct pt_mem_window win;
	/*
	 * The leaf as the IOTLB would cache it (permissions as the tables
	 * stand, size, architectural level, attributes), for the stage 2 of
	 * the translation's output when it lies in the same leaf.
	 */
	unsigned int leaf_perm, leaf_lg2, leaf_lvl;
	uint64_t leaf_attr;
};
/*
 * An access of class @cls through the stage 2 @s2 of @smmu, with nothing
 * cached yet. Only the fields read before they are written are set: this
 * runs on every nested IOTLB miss, and zeroing the whole struct costs more
 * than the rest of the set-up.
 */
static inline void smmu_s2_access_init(struct smmu_s2_access *acc,
				       struct smmuv3 *smmu,
				       const struct pt_walk_ctx *s2,
				       uint32_t flags, uint8_t cls,
				       struct smmu_fault *fault)
{
	acc->smmu = smmu;
	acc->s2 = s2;
	acc->flags = flags;
	acc->cls = cls;
	acc->fault = fault;
	acc->failed = false;
	acc->leaf_valid = false;
	acc->win.pa = 0;
	acc->win.size = 0;
}

/**
 * smmu_s2_map - host pointer for @len bytes at IPA @ipa through stage 2.
 * @write: the access will store (HTTU); needs stage-2 write permission.
 * @pa_fail_event: the event when the output PA itself is refused.
 *
 * Returns NULL with acc->fault filled (a stage 2 fault of acc->cls, an
 * F_WALK_EABT, or @pa_fail_event) and acc->failed set.
 */
void *smmu_s2_map(struct smmu_s2_access *acc, uint64_t ipa, size_t len,
		  bool write, uint8_t pa_fail_event);

#endif
