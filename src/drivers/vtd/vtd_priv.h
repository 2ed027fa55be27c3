/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VT-d driver's private object model, shared by its files:
 *
 *   instance.c  bring-up, the invalidation queue, domain ids, the root
 *               table and context tables, fault records, the default
 *               instance
 *   device.c    devices (source-ids, context entries, PASID directories),
 *               capable, hw_info, ATS requests
 *   domain.c    PASID tables and entries, paging domains of both stages,
 *               attach and attach_pasid, translation, unmap invalidation,
 *               dirty tracking
 *   nested.c    nested domains (a guest first stage over a nest-parent
 *               second stage), their attach and the guest's invalidations
 *
 * Objects:
 *   struct ufd_vtd      one VT-d model and the host's tables and queue;
 *   struct vtd_master   a device (ufd_dev.priv): source-id, context entry,
 *                       PASID directory, its attachments;
 *   struct vtd_attach   one (device, PASID) pointing at a domain: in the
 *                       master's list and in the domain's;
 *   struct vtd_domain   a paging domain, its page table and domain id;
 *   struct vtd_nested   a nested domain: a guest's first-stage table
 *                       (validated struct iommu_hwpt_vtd_s1) over a parent.
 *
 * Locks, outermost first (a lock is never taken while a later one in this
 * list is held):
 *   dev->domain_lock (the core's)  an attach in progress; a DMA
 *   vtd_domain/vtd_nested.lock     rwlock: translations and harvests read;
 *                                  unmap, attachment lists, dirty-tracking
 *                                  changes write. A nested domain's lock
 *                                  nests outside its parent's.
 *   ufd_vtd.tables_lock            root and context tables, the source-id
 *                                  map, every PASID directory and table
 *   ufd_vtd.ids_lock               the domain-id map
 *   ufd_vtd.qi_lock                the invalidation queue and its tail
 *   the model's locks
 *   ufd_vtd.fault_lock             fault recording registers; taken in the
 *                                  fault interrupt, under any of the above,
 *                                  never waited for (the interrupt comes
 *                                  again from the drain's own writes)
 */
#ifndef UIOMMUFD_DRIVERS_VTD_VTD_PRIV_H
#define UIOMMUFD_DRIVERS_VTD_VTD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/vtd/vtd_drv.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* A minimal intrusive doubly linked list. */
struct vtd_link {
	struct vtd_link *prev, *next;
};

static inline void vtd_list_init(struct vtd_link *head)
{
	head->prev = head->next = head;
}

static inline bool vtd_list_empty(const struct vtd_link *head)
{
	return head->next == head;
}

static inline void vtd_list_add(struct vtd_link *head, struct vtd_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static inline void vtd_list_del(struct vtd_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

#define vtd_for_each(pos, head)                                                \
	for (pos = (head)->next; pos != (head); pos = pos->next)

/* The queue: 2^QS 4 KiB pages of 256-bit descriptors. */
#define VTD_DRV_IQ_QS 0
#define VTD_DRV_IQ_SLOTS ((4096u << VTD_DRV_IQ_QS) / 32)
#define VTD_DRV_DESC_QWORDS 4
/* Descriptors per batch before the wait (the queue holds one batch). */
#define VTD_DRV_BATCH (VTD_DRV_IQ_SLOTS - 2)
/* RID_PASID: requests without PASID use PASID entry 0, as Linux sets. */
#define VTD_DRV_RID_PASID 0u
/* Source-ids: 16 bits. */
#define VTD_DRV_NSIDS 65536u
/* Source-ids handed out from bus 0 device 1 on. */
#define VTD_DRV_FIRST_SID 0x08u
/* Domain ids 0 and 1 are Linux's reserved ones. */
#define VTD_DRV_FIRST_DID 2u

struct ufd_vtd {
	/* dev->iommu of devices on a non-default instance points here. */
	struct ufd_iommu_ops ops;
	bool is_default;
	struct vtd *hw;

	/* What CAP and ECAP say; fixed after bring-up. */
	uint64_t cap, ecap;
	bool fs, ss, nest, ssads, dt, pasid, srs, eafs, fs5lp, fs1gp, psi, cm;
	bool smpwc;
	unsigned int pasid_bits; /* ECAP.PSS + 1 with ECAP.PASID, else 0 */
	unsigned int did_bits;	 /* 4 + 2 * CAP.ND */
	unsigned int mgaw;	 /* CAP.MGAW + 1 */
	unsigned int ss_levels, ss_ias, ss_aw; /* from SAGAW and MGAW */
	unsigned int fs_ias;		       /* 57 with FS5LP, else 48 */
	unsigned int mamv;
	uint64_t ss_pgsizes, fs_pgsizes;
	uint64_t iro, fro;
	unsigned int nfr;

	/*
	 * tables_lock: the root table, the context tables behind it (ctx[],
	 * allocated once per half bus, never freed before the instance),
	 * by_sid, sid_map, and every master's PASID directory and tables.
	 */
	struct ufd_mutex tables_lock;
	uint64_t *root; /* 256 root entries of 16 bytes */
	uint64_t **ctx; /* 512 half-bus tables of 128 context entries */
	struct vtd_master **by_sid;
	unsigned long *sid_map;

	/* ids_lock: did_map (bit set = in use). */
	struct ufd_mutex ids_lock;
	unsigned long *did_map;

	/*
	 * qi_lock: the invalidation queue, its tail (in 256-bit slots) and
	 * the status word the wait descriptors write, with its sequence.
	 */
	struct ufd_mutex qi_lock;
	uint64_t *iq;
	uint32_t iq_tail;
	uint32_t *wait_status;
	uint32_t wait_seq;

	/* fault_lock: the fault recording registers' consumer. */
	struct ufd_mutex fault_lock;
	/* A fault event since the running drain began. Atomic. */
	bool fault_pending;

	/* Atomic counters. */
	struct ufd_vtd_stats stats;
};

#define vtd_stat_add(v, f, n)                                                  \
	__atomic_fetch_add(&(v)->stats.f, (n), __ATOMIC_RELAXED)
#define vtd_stat_inc(v, f) vtd_stat_add(v, f, 1)

/* One invalidation descriptor as the queue holds it. */
struct vtd_desc {
	uint64_t qw[VTD_DRV_DESC_QWORDS];
};

/* Descriptors gathered, then queued in batches closed by one wait. */
struct vtd_batch {
	struct ufd_vtd *vtd;
	struct vtd_desc d[VTD_DRV_BATCH];
	unsigned int n;
};

struct vtd_domain;
struct vtd_nested;

/*
 * One (device, PASID) attachment. Lives from the attach that makes it to
 * the attach that ends it; its domain_link is in the domain's attachment
 * list (under that domain's lock), its dev_link in the master's list
 * (dev->domain_lock held for write).
 */
struct vtd_attach {
	struct vtd_master *m;
	uint32_t pasid;
	struct ufd_domain *domain;
	struct vtd_link domain_link;
	struct vtd_link dev_link;
};

struct vtd_master {
	struct ufd_vtd *vtd;
	struct ufd_dev *dev;
	uint16_t sid;
	/*
	 * The PASID directory (pdir_entries of them, a power of two of at
	 * least 128, whose tables tables_lock guards) and PDTS.
	 */
	uint64_t *pdir;
	unsigned int pdir_entries, pdts;
	/* ats_capable is fixed at probe (the device has ATS, the unit DT). */
	bool ats_capable;
	/* Attachments of the device: dev->domain_lock held for write. */
	struct vtd_link attaches;
};

struct vtd_domain {
	struct ufd_domain base;
	struct ufd_vtd *vtd;
	bool first_stage;
	bool nest_parent;
	uint16_t did;
	unsigned int levels;
	struct pt_table *pt;
	uint64_t small_pgsize;
	/*
	 * Read: translations (the model walks the table), dirty harvests.
	 * Write: unmap (the tables it frees are then under no walker),
	 * changes of the attachment and nested lists, dirty_tracking.
	 */
	struct ufd_rwlock lock;
	struct vtd_link attaches; /* struct vtd_attach.domain_link */
	struct vtd_link nested;	  /* struct vtd_nested.parent_link */
	bool dirty_tracking;	  /* SSADE in every entry using the table */
};

struct vtd_nested {
	struct ufd_domain base;
	struct vtd_domain *parent;
	uint16_t did; /* its own, as Linux gives each nested domain one */
	struct iommu_hwpt_vtd_s1 s1;
	/* As vtd_domain.lock, for the attachment list. */
	struct ufd_rwlock lock;
	struct vtd_link attaches;
	struct vtd_link parent_link; /* in parent->nested, its lock */
};

static inline struct vtd_domain *to_vtd_domain(struct ufd_domain *d)
{
	return container_of(d, struct vtd_domain, base);
}

static inline struct vtd_nested *to_vtd_nested(struct ufd_domain *d)
{
	return container_of(d, struct vtd_nested, base);
}

static inline struct vtd_master *dev_to_master(const struct ufd_dev *dev)
{
	return dev->priv;
}

/* instance.c */
struct ufd_vtd *vtd_of_dev(const struct ufd_dev *dev);
bool vtd_is_our_ops(const struct ufd_iommu_ops *ops);
int vtd_did_alloc(struct ufd_vtd *vtd);
void vtd_did_free(struct ufd_vtd *vtd, uint16_t did);
uint64_t vtd_host_pa(const void *p);
void *vtd_host_ptr(uint64_t pa);
int vtd_ctx_set(struct ufd_vtd *vtd, uint16_t sid, const uint64_t ce[4]);
void vtd_batch_add(struct vtd_batch *b, const struct vtd_desc *d);
int vtd_batch_submit(struct vtd_batch *b);
void vtd_add_cc_dev(struct vtd_batch *b, uint16_t sid);
void vtd_add_pc(struct vtd_batch *b, uint16_t did, uint32_t pasid);
void vtd_add_iotlb(struct vtd_batch *b, uint16_t did, uint64_t iova,
		   uint64_t len);
void vtd_add_piotlb(struct vtd_batch *b, uint16_t did, uint32_t pasid,
		    uint64_t iova, uint64_t len, bool leaf);
void vtd_add_devtlb(struct vtd_batch *b, struct vtd_master *m, uint32_t pasid,
		    uint64_t iova, uint64_t len);

/* device.c */
int vtd_probe_device(struct ufd_dev *dev);
bool vtd_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap);
void *vtd_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type);
int vtd_ats_request(struct ufd_dev *dev, struct ufd_ats_req *req);

/* domain.c */
extern const struct ufd_domain_ops vtd_paging_ops;
struct ufd_domain *vtd_domain_alloc_paging(struct ufd_dev *dev, uint32_t flags);
int vtd_attach(struct ufd_dev *dev, struct ufd_domain *domain);
int vtd_attach_pasid(struct ufd_dev *dev, uint32_t pasid,
		     struct ufd_domain *domain);
struct vtd_attach *vtd_find_attach(struct vtd_master *m, uint32_t pasid);
int vtd_install(struct vtd_master *m, uint32_t pasid, struct ufd_domain *domain,
		const uint64_t pe[8]);
int vtd_translate_attaches(struct ufd_vtd *vtd, struct vtd_link *attaches,
			   uint64_t iova, bool write,
			   struct ufd_translation *out);
int vtd_translate_cached_dev(struct ufd_vtd *vtd, uint64_t iova, bool write,
			     struct ufd_translation *out);
void vtd_domain_flush_all(struct vtd_batch *b, struct vtd_domain *d);

/* nested.c */
extern const struct ufd_domain_ops vtd_nested_ops;
struct ufd_domain *vtd_domain_alloc_nested(struct ufd_dev *dev,
					   struct ufd_domain *parent,
					   uint32_t flags,
					   const struct ufd_user_data *data);
int vtd_nested_make_pe(struct vtd_master *m, struct vtd_nested *n,
		       uint64_t pe[8]);

#endif
