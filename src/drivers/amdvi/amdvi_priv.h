/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMD-Vi driver's private object model, shared by its files:
 *
 *   instance.c  bring-up, device table, command buffer, event log,
 *               DomainIDs, the default instance
 *   domain.c    devices, paging domains (v1 and v2), attach, translate,
 *               invalidation, dirty tracking, hw_info, capable
 *   pasid.c     GCR3 tables, PASID attachments of v2 domains
 *   nested.c    vIOMMUs and nested domains from guest DTEs
 *
 * Objects and who owns them:
 *   struct ufd_amdvi      one AMD IOMMU model and the host's tables;
 *   struct amdvi_dev_data a device (ufd_dev.priv): DeviceID, its GCR3 table,
 *                         what its DTE points at;
 *   struct amdvi_domain   a paging domain (v1 or v2) and its page table;
 *   struct amdvi_attach   one use of a domain: a device, and the PASID it
 *                         is attached at (AMDVI_RID for the requests
 *                         without PASID);
 *   struct amdvi_nested   a nested domain: a validated guest DTE over a
 *                         v1 parent, on a vIOMMU;
 *   struct amdvi_viommu   a vIOMMU (ufd_viommu.priv): its parent and its
 *                         guest-to-host DomainID map.
 *
 * Locks, outermost first (a lock is never taken while a later one in this
 * list is held):
 *   dev->domain_lock (the core's)   an attach in progress; a DMA
 *   amdvi_domain.lock               rwlock: translations and harvests read;
 *                                   unmap, remap and attachment lists write
 *   the page table's grow lock      (src/pt) a v1 table growing its top
 *   amdvi_domain.dte_lock           the DTEs of the devices using the
 *                                   domain (rewritten when the top grows
 *                                   or dirty tracking toggles), root and
 *                                   levels, dirty_on
 *   amdvi_viommu.lock               guest DomainID map
 *   ufd_amdvi.devtab_lock           by_devid, devid_map
 *   ufd_amdvi.ids_lock              DomainID allocation
 *   ufd_amdvi.cmd_lock              the command buffer
 *   the model's locks
 *   ufd_amdvi.wake_lock             the event thread's wake-up; taken by
 *                                   the model's interrupt callback
 */
#ifndef UIOMMUFD_DRIVERS_AMDVI_AMDVI_PRIV_H
#define UIOMMUFD_DRIVERS_AMDVI_AMDVI_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/amdvi/amdvi_drv.h"
#include "pt/pt.h"

#define AMDVI_OFFSETOFEND(type, member)                                        \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* A minimal intrusive doubly linked list. */
struct amdvi_link {
	struct amdvi_link *prev, *next;
};

static inline void amdvi_list_init(struct amdvi_link *head)
{
	head->prev = head->next = head;
}

static inline bool amdvi_list_empty(const struct amdvi_link *head)
{
	return head->next == head;
}

static inline void amdvi_list_add(struct amdvi_link *head, struct amdvi_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static inline void amdvi_list_del(struct amdvi_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* DeviceIDs the driver hands out: a 1024-entry device table (32 KiB). */
#define AMDVI_DRV_DEVIDS 1024u
/* The first DeviceID handed out (0 is the host bridge's). */
#define AMDVI_DRV_DEVID_FIRST 1u
/* DomainIDs: 16 bits, 0 never used. */
#define AMDVI_DRV_DOMID_BITS 16
/* Command buffer and event log: 256 entries each (the minimum, 4 KiB). */
#define AMDVI_DRV_CMD_LG2 8
#define AMDVI_DRV_EVT_LG2 8
/* Commands per fill of the buffer (one slot stays empty). */
#define AMDVI_DRV_BATCH ((1u << AMDVI_DRV_CMD_LG2) - 2)
/* The PASID of requests without one, in attachment records. */
#define AMDVI_RID UINT32_MAX

struct amdvi_dev_data;
struct amdvi_viommu;

struct ufd_amdvi {
	/* dev->iommu of devices on a non-default instance points here. */
	struct ufd_iommu_ops ops;
	bool is_default;
	struct amdvi *hw;

	/* What the EFRs say; fixed after bring-up. */
	uint64_t efr, efr2;
	bool gt, gio, hd, ia, ppr;
	unsigned int hats_levels; /* host table levels, 4..6 */
	unsigned int gats_levels; /* guest table levels, 4 or 5 */
	unsigned int glx_max;	  /* DTE.GLX values 0..glx_max allowed */
	unsigned int pasid_bits;  /* EFR.PASmax + 1 with GT, else 0 */

	/*
	 * The device table: each DTE is written by whoever holds the lock
	 * its device's state names (amdvi_dev_data), word by word with
	 * atomic stores, then invalidated. devtab_lock guards by_devid and
	 * devid_map.
	 */
	uint64_t *devtab; /* AMDVI_DRV_DEVIDS entries */
	struct ufd_mutex devtab_lock;
	struct amdvi_dev_data **by_devid;
	unsigned long *devid_map;

	/* ids_lock: domid_map (bit set = in use). */
	struct ufd_mutex ids_lock;
	unsigned long *domid_map;

	/*
	 * cmd_lock: the command buffer, its tail (bytes), and the
	 * COMPLETION_WAIT store target and the value last asked for.
	 */
	struct ufd_mutex cmd_lock;
	uint64_t *cmdbuf;
	uint32_t cmd_tail;
	uint64_t *cmd_sem; /* 8 bytes the IOMMU stores into */
	uint64_t cmd_sem_val;

	/*
	 * The event log: evt_lock serialises consumers (the thread and
	 * ufd_amdvi_evtlog_poll()); evt_head and last_evt are theirs.
	 */
	struct ufd_mutex evt_lock;
	uint64_t *evtlog;
	uint32_t evt_head;
	uint64_t last_evt[AMDVI_EVT_QWORDS];
	bool has_last_evt;
	/* The event thread's wake-up: wake_lock guards pending and stop. */
	struct ufd_mutex wake_lock;
	struct ufd_cond wake;
	bool evt_pending, evt_stop, has_thread;
	pthread_t evt_thread;

	/* Atomic counters. */
	struct ufd_amdvi_stats stats;
};

#define amdvi_stat_inc(iommu, f)                                               \
	__atomic_fetch_add(&(iommu)->stats.f, 1, __ATOMIC_RELAXED)

/*
 * A device's GCR3 table (2.2.6): the root table and the tables below it,
 * with the DomainID that tags its guest translations (Linux's per-device
 * gcr3_info.domid). Created on the first v2 attachment, kept until the
 * device goes. Changed under dev->domain_lock held for write.
 */
struct amdvi_gcr3 {
	uint64_t *root;
	unsigned int glx; /* DTE.GLX: levels - 1 */
	uint16_t domid;
};

/* One use of a paging domain; in amdvi_domain.attached (its lock). */
struct amdvi_attach {
	struct amdvi_link link;
	struct amdvi_dev_data *dd;
	uint32_t pasid; /* AMDVI_RID: the requests without PASID */
};

struct amdvi_dev_data {
	struct ufd_amdvi *iommu;
	struct ufd_dev *dev;
	uint16_t devid;
	/* What the DTE points at; written by attach (dev->domain_lock). */
	struct ufd_domain *domain;
	/* The RID attachment to domain (a paging domain), in its list. */
	struct amdvi_attach rid;
	struct amdvi_gcr3 gcr3; /* root NULL: none yet */
	/* PASID attachments (dev->domain_lock): pasids[i].pasid != 0. */
	struct amdvi_attach **pasids;
	unsigned int npasids;
	/* The vIOMMU's nested domain the device is attached to, if any. */
	struct amdvi_viommu *viommu;
};

struct amdvi_domain {
	struct ufd_domain base;
	struct ufd_amdvi *iommu;
	unsigned int version; /* 1: host (v1) table, 2: guest (v2) table */
	bool nest_parent;
	uint16_t domid; /* v1: the DomainID of the DTEs pointing at it */
	struct pt_table *pt;
	uint64_t small_pgsize;
	/*
	 * Read: translations (the model walks the table), dirty harvests.
	 * Write: unmap and remap (tables they free are then under no walker)
	 * and changes of the attachment list.
	 */
	struct ufd_rwlock lock;
	struct amdvi_link attached; /* struct amdvi_attach.link */
	/*
	 * dte_lock: the DTEs of the devices attached (RID) to this domain,
	 * directly or as a nested domain's parent; root, levels (the v1
	 * table's top as its DTEs hold it) and dirty_on.
	 */
	struct ufd_mutex dte_lock;
	uint64_t root;
	unsigned int levels;
	bool dirty_on;
	/* dte_lock: the vIOMMUs over this parent (amdvi_viommu.parent_link). */
	struct amdvi_link viommus;
};

struct amdvi_nested {
	struct ufd_domain base;
	struct amdvi_viommu *viommu;
	uint64_t gdte[AMDVI_DTE_QWORDS]; /* the validated guest DTE */
	uint16_t gdomid;
	struct amdvi_gdom *gdom; /* its host DomainID, shared */
};

/* A guest DomainID and the host DomainID it maps to, in a vIOMMU. */
struct amdvi_gdom {
	struct amdvi_link link; /* amdvi_viommu.gdoms */
	uint16_t gdomid, hdomid;
	unsigned int users; /* nested domains using it; viommu lock */
};

struct amdvi_viommu {
	struct ufd_viommu *core;
	struct ufd_amdvi *iommu;
	struct amdvi_domain *parent;
	struct amdvi_link parent_link; /* parent->viommus, its dte_lock */
	/* lock: gdoms, and the users counts in them. */
	struct ufd_mutex lock;
	struct amdvi_link gdoms;
};

static inline struct amdvi_domain *to_amdvi_domain(struct ufd_domain *d)
{
	return container_of(d, struct amdvi_domain, base);
}

static inline struct amdvi_nested *to_amdvi_nested(struct ufd_domain *d)
{
	return container_of(d, struct amdvi_nested, base);
}

static inline struct amdvi_dev_data *dev_to_dd(const struct ufd_dev *dev)
{
	return dev->priv;
}

/* instance.c */
bool amdvi_is_our_ops(const struct ufd_iommu_ops *ops);
int amdvi_domid_alloc(struct ufd_amdvi *iommu);
void amdvi_domid_free(struct ufd_amdvi *iommu, uint16_t domid);
void *amdvi_host_ptr(uint64_t pa);
uint64_t amdvi_host_pa(const void *p);
uint64_t *amdvi_dte_ptr(struct ufd_amdvi *iommu, uint16_t devid);
void amdvi_make_blocked_dte(uint64_t dte[AMDVI_DTE_QWORDS]);
void amdvi_write_dte(struct ufd_amdvi *iommu, uint16_t devid,
		     const uint64_t dte[AMDVI_DTE_QWORDS]);

/* Commands gathered, issued in fills of the buffer, then waited for. */
struct amdvi_batch {
	struct ufd_amdvi *iommu;
	uint64_t c[AMDVI_DRV_BATCH][AMDVI_CMD_QWORDS];
	unsigned int n;
};

void amdvi_batch_add(struct amdvi_batch *b, uint64_t c0, uint64_t c1);
int amdvi_batch_submit(struct amdvi_batch *b);
void amdvi_cmd_inv_dte(struct amdvi_batch *b, uint16_t devid);
void amdvi_cmd_inv_pages(struct amdvi_batch *b, uint16_t domid, uint32_t pasid,
			 uint64_t iova, uint64_t len);

/* domain.c */
extern const struct ufd_domain_ops amdvi_paging_ops;
void amdvi_make_v1_dte(uint64_t dte[AMDVI_DTE_QWORDS], struct amdvi_domain *d,
		       uint16_t domid);
int amdvi_install_dte(struct amdvi_dev_data *dd, struct ufd_domain *domain);
void amdvi_domain_flush(struct amdvi_domain *d, uint64_t iova, uint64_t len);
int amdvi_translate_devid(struct ufd_amdvi *iommu, uint16_t devid,
			  uint32_t pasid, uint64_t iova, bool write,
			  struct ufd_translation *out);

/* The PASID a DMA that names its device carries, as the model takes it. */
static inline uint32_t amdvi_dma_pasid(const struct ufd_translation *out)
{
	return out->pasid == UFD_NO_PASID ? AMDVI_NO_PASID : out->pasid;
}
int amdvi_probe_device(struct ufd_dev *dev);
struct ufd_domain *amdvi_domain_alloc_paging(struct ufd_dev *dev,
					     uint32_t flags);
int amdvi_attach(struct ufd_dev *dev, struct ufd_domain *domain);
bool amdvi_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap);
void *amdvi_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type);

/* pasid.c */
int amdvi_gcr3_prepare(struct amdvi_dev_data *dd);
void amdvi_gcr3_free(struct amdvi_dev_data *dd);
int amdvi_gcr3_set(struct amdvi_dev_data *dd, uint32_t pasid, uint64_t cr3);
void amdvi_dte_add_gcr3(uint64_t dte[AMDVI_DTE_QWORDS],
			struct amdvi_dev_data *dd);
int amdvi_attach_pasid(struct ufd_dev *dev, uint32_t pasid,
		       struct ufd_domain *domain);
void amdvi_pasids_release(struct amdvi_dev_data *dd);

/* nested.c */
extern const struct ufd_domain_ops amdvi_nested_ops;
int amdvi_attach_nested(struct amdvi_dev_data *dd, struct amdvi_nested *n);
void amdvi_make_nested_dte(uint64_t dte[AMDVI_DTE_QWORDS],
			   struct amdvi_dev_data *dd, struct amdvi_nested *n);
bool amdvi_viommu_supported(struct ufd_dev *dev, uint32_t type);
int amdvi_viommu_init(struct ufd_viommu *viommu,
		      const struct ufd_user_data *data);
void amdvi_parent_flush_viommus(struct amdvi_domain *parent,
				struct amdvi_batch *b, uint64_t iova,
				uint64_t len);

#endif
