/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMMUv3 driver's private object model, shared by its files:
 *
 *   instance.c  bring-up, stream table, command queue, event queue,
 *               identifiers, the default instance
 *   pri.c       the PRI queue, page requests to the core, PRG responses
 *   domain.c    devices, paging domains (stage 1 and stage 2), attach,
 *               TLB invalidation, dirty tracking, hw_info, capable
 *   nested.c    guest STEs, nested domains, ARM_SMMUV3 vIOMMUs, vDEVICEs,
 *               guest invalidations, vEVENT forwarding
 *   tegra.c     Tegra241 CMDQV vIOMMUs (VINTFs) and HW queues (VCMDQs)
 *
 * Objects and who owns them:
 *   struct ufd_smmuv3     one SMMU model and the host's tables and queues;
 *   struct smmu_master    a device (ufd_dev.priv): StreamID, its CD table,
 *                         what its STE points at;
 *   struct smmu_domain    a paging domain and its page table;
 *   struct smmu_nested    a nested domain: a validated guest STE over a
 *                         stage-2 parent, maybe on a vIOMMU;
 *   struct smmu_vsmmu     a vIOMMU (ufd_viommu.priv): its VMID, its vSID
 *                         table, and for Tegra241 its VINTF.
 *
 * Locks, outermost first (a lock is never taken while a later one in this
 * list is held):
 *   ufd_smmuv3.pri_lock                PRI-queue consumer and partial
 *                                      groups; held while a group goes to
 *                                      the core (its device lock)
 *   dev->fault_lock (src/dev), the core's device lock
 *   dev->domain_lock (the core's)      an attach in progress; a DMA
 *   smmu_domain/smmu_nested.lock       rwlock: translations and harvests
 *                                      read; unmap, device lists write
 *   smmu_vintf.lvcmdq_lock             a VINTF's queues
 *   ufd_smmuv3.vintf_lock              VINTF table, CMDQV error forwarding
 *   ufd_smmuv3.evtq_lock               event-queue consumer
 *   ufd_smmuv3.streams_lock            stream table, SID table, vSID
 *                                      tables, master->vmaster
 *   smmu_domain.vsmmus_lock            a stage 2's vIOMMU list
 *   ufd_smmuv3.ids_lock                ASID/VMID/SID/VINTF allocation
 *   ufd_smmuv3.cmdq_lock               the command queue
 *   the models' locks
 *   ufd_smmuv3.wake_lock               the event thread's wake-up; taken
 *                                      by the SMMU's interrupt callback,
 *                                      which may run under any of the above
 *   a device's ATC lock (src/dev)      taken by the SMMU when it executes
 *                                      CMD_ATC_INV (smmu_dev_atc_inval()),
 *                                      under any of the above
 *   a device's PRI lock (src/dev)      the same for CMD_PRI_RESP
 */
#ifndef UIOMMUFD_DRIVERS_SMMUV3_SMMUV3_PRIV_H
#define UIOMMUFD_DRIVERS_SMMUV3_SMMUV3_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/smmuv3/smmuv3_drv.h"
#include "pt/pt.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* A minimal intrusive doubly linked list. */
struct smmu_link {
	struct smmu_link *prev, *next;
};

static inline void smmu_list_init(struct smmu_link *head)
{
	head->prev = head->next = head;
}

static inline bool smmu_list_empty(const struct smmu_link *head)
{
	return head->next == head;
}

static inline void smmu_list_add(struct smmu_link *head, struct smmu_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static inline void smmu_list_del(struct smmu_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* StreamIDs the driver hands out: a two-level table with 256 per level 2. */
#define SMMU_DRV_SID_BITS_MAX 16
#define SMMU_DRV_SPLIT 8
#define SMMU_DRV_L2_STES (1u << SMMU_DRV_SPLIT)
/* The host's queues: 256 commands, 256 event records, 256 page requests. */
#define SMMU_DRV_CMDQ_LG2 8
#define SMMU_DRV_EVTQ_LG2 8
#define SMMU_DRV_PRIQ_LG2 8
/* Commands issued per queue fill, as Linux's batches (CMD_SYNC extra). */
#define SMMU_DRV_BATCH 63

struct smmu_master;
struct smmu_vsmmu;
struct smmu_vintf;

struct ufd_smmuv3 {
	/* dev->iommu of devices on a non-default instance points here. */
	struct ufd_iommu_ops ops;
	bool is_default;
	struct smmuv3 *hw;
	struct cmdqv *cv; /* NULL without a CMDQV */

	/* What the IDRs say; fixed after bring-up. */
	uint32_t idr[6];
	bool s1, s2, nesting, hd, coherent, ril, ats, stall;
	bool pri; /* IDR0.PRI with a PRI queue: the PRI queue is on */
	unsigned int sid_bits; /* what the stream table covers */
	unsigned int asid_bits, vmid_bits, ssid_bits, cmdqs_lg2;

	/*
	 * streams_lock: the level-1 descriptors and level-2 tables (l2 is
	 * written once per slot), by_sid, sid_map, every vSID table and
	 * master->vdev / master->vm. Lock order: see above.
	 */
	struct ufd_mutex streams_lock;
	uint64_t *l1;		     /* 2^(sid_bits - SPLIT) descriptors */
	uint64_t **l2;		     /* host pointers of the level-2 tables */
	struct smmu_master **by_sid; /* 2^sid_bits */
	unsigned long *sid_map;

	/* ids_lock: asid_map, vmid_map (bit set = in use). */
	struct ufd_mutex ids_lock;
	unsigned long *asid_map, *vmid_map;

	/* cmdq_lock: the command queue and its producer index. */
	struct ufd_mutex cmdq_lock;
	uint64_t *cmdq;
	uint32_t cmdq_prod;

	/*
	 * The event queue: evtq_lock serialises consumers (the thread and
	 * ufd_smmuv3_evtq_poll()); evtq_cons is theirs.
	 */
	struct ufd_mutex evtq_lock;
	uint64_t *evtq;
	uint32_t evtq_cons;
	/*
	 * The PRI queue (pri.c): pri_lock serialises consumers (the thread
	 * and ufd_smmuv3_priq_poll()) and guards priq_cons and the groups
	 * whose last request has not arrived yet (prgs, nprgs).
	 */
	struct ufd_mutex pri_lock;
	uint64_t *priq;
	unsigned int priq_lg2;
	uint32_t priq_cons;
	struct smmu_link prgs; /* struct smmu_prg.link */
	unsigned int nprgs;
	/* The event thread's wake-up: wake_lock guards pending and stop. */
	struct ufd_mutex wake_lock;
	struct ufd_cond wake;
	bool evt_pending, pri_pending, evt_stop, has_thread;
	pthread_t evt_thread;

	/* CMDQV: vintf_lock guards vintfs[] (index 0 is the host's). */
	struct ufd_mutex vintf_lock;
	struct smmu_vsmmu *vintfs[64];
	unsigned int nvintfs, nlvcmdqs, nsids, cmdqv_version;

	/* Atomic counters. */
	struct ufd_smmuv3_stats stats;
};

#define smmu_stat_inc(smmu, f)                                                 \
	__atomic_fetch_add(&(smmu)->stats.f, 1, __ATOMIC_RELAXED)

/* Where a master's events go: the vIOMMU and the guest's StreamID. */
struct smmu_vmaster {
	struct smmu_vsmmu *vsmmu;
	uint32_t vsid;
};

struct smmu_master {
	struct ufd_smmuv3 *smmu;
	struct ufd_dev *dev;
	uint32_t sid;
	/*
	 * ATS: ats_capable is fixed at probe (the device has ATS and the SMMU
	 * too; its CMD_ATC_INV then reach the device's ATC). While its STE
	 * has EATS (ats_on), the device is on the ats_masters list of
	 * ats_table, the paging domain whose table its ATC translations come
	 * from (the domain itself, or a nested domain's stage 2; ats_nested
	 * then, and an unmap invalidates its whole ATC). ats_on, ats_table
	 * and ats_nested change under dev->domain_lock held for write; the
	 * list link under ats_table->lock held for write.
	 */
	bool ats_capable;
	bool ats_on, ats_nested;
	/*
	 * PRI: pri_capable is fixed at probe (the device has PRI, the SMMU a
	 * PRI queue, and ATS is possible). pri_on, under dev->domain_lock
	 * held for write, follows the device's Enable bit: set while ATS is
	 * on and the attachment has a fault queue (dev->iopf).
	 */
	bool pri_capable;
	bool pri_on;
	struct smmu_domain *ats_table;
	struct smmu_link ats_link;
	/* One context descriptor: the CD table of stage-1 attachments. */
	uint64_t *cd_table;
	/* What the STE points at; written by attach (dev->domain_lock). */
	struct ufd_domain *domain;
	/* In the attached domain's list; under that domain's lock. */
	struct smmu_link dom_link;
	/* streams_lock: the vDEVICE, and where events go while nested. */
	struct ufd_vdevice *vdev;
	bool has_vm;
	struct smmu_vmaster vm;
	/* Tegra241: the SID_MATCH/REPLACE slot of the vDEVICE, or -1. */
	int vintf_slot;
};

struct smmu_domain {
	struct ufd_domain base;
	struct ufd_smmuv3 *smmu;
	unsigned int stage; /* 1 or 2 */
	bool nest_parent;
	uint16_t asid; /* stage 1 */
	uint16_t vmid; /* stage 2, when attached directly or nested alone */
	struct pt_table *pt;
	uint64_t small_pgsize;
	/*
	 * Read: translations (the model walks the table), dirty harvests.
	 * Write: unmap (tables it frees are then under no walker) and
	 * changes of masters.
	 */
	struct ufd_rwlock lock;
	struct smmu_link masters; /* struct smmu_master.dom_link */
	/* Devices with ATS using this table (smmu_master.ats_link); lock. */
	struct smmu_link ats_masters;
	/* vsmmus_lock: the vIOMMUs over this stage 2 (their VMIDs). */
	struct ufd_mutex vsmmus_lock;
	struct smmu_link vsmmus; /* struct smmu_vsmmu.s2_link */
};

struct smmu_nested {
	struct ufd_domain base;
	struct smmu_domain *parent;
	struct smmu_vsmmu *vsmmu; /* NULL: allocated without a vIOMMU */
	uint64_t ste[2];	  /* the validated guest words 0 and 1 */
	bool enable_ats;
	struct ufd_rwlock lock;	  /* as smmu_domain.lock, for masters */
	struct smmu_link masters; /* struct smmu_master.dom_link */
};

/* A vIOMMU's entry for one vDEVICE; in smmu_vsmmu.vsids, streams_lock. */
struct smmu_vsid {
	uint64_t vsid;
	struct smmu_master *master;
};

struct smmu_vsmmu {
	struct ufd_viommu *core;
	struct ufd_smmuv3 *smmu;
	struct smmu_domain *s2;
	uint16_t vmid;
	struct smmu_link s2_link; /* s2->vsmmus, s2->vsmmus_lock */
	/* streams_lock. */
	struct smmu_vsid *vsids;
	unsigned int nvsids, cap_vsids;
	struct smmu_vintf *vintf; /* Tegra241; NULL for ARM_SMMUV3 */
};

/* A guest-owned VCMDQ (struct ufd_hw_queue.priv). */
struct smmu_vcmdq {
	struct ufd_hw_queue *core;
	struct smmu_vintf *vintf;
	struct smmu_vcmdq *prev; /* index - 1, which we depend on */
	unsigned int idx, lidx;	 /* global and logical index */
};

/* A guest-owned VINTF. */
struct smmu_vintf {
	unsigned int idx;
	void *page; /* page 0, from ufd_shmem_alloc() */
	uint64_t mmap_offset;
	/* lvcmdq_lock: lvcmdqs[]. */
	struct ufd_mutex lvcmdq_lock;
	struct smmu_vcmdq *lvcmdqs[128];
	uint32_t sid_slots; /* SID_MATCH/REPLACE pairs in use; streams_lock */
};

static inline struct smmu_domain *to_smmu_domain(struct ufd_domain *d)
{
	return container_of(d, struct smmu_domain, base);
}

static inline struct smmu_nested *to_smmu_nested(struct ufd_domain *d)
{
	return container_of(d, struct smmu_nested, base);
}

static inline struct smmu_master *dev_to_master(const struct ufd_dev *dev)
{
	return dev->priv;
}

/* instance.c */
struct ufd_smmuv3 *smmu_of_dev(const struct ufd_dev *dev);
bool smmu_is_our_ops(const struct ufd_iommu_ops *ops);
int smmu_id_alloc(struct ufd_smmuv3 *smmu, unsigned long *map,
		  unsigned int bits, unsigned int first);
void smmu_id_free(struct ufd_smmuv3 *smmu, unsigned long *map, unsigned int id);
int smmu_strtab_prepare(struct ufd_smmuv3 *smmu, uint32_t sid);
uint64_t *smmu_ste_ptr(struct ufd_smmuv3 *smmu, uint32_t sid);
void smmu_write_ste(struct ufd_smmuv3 *smmu, uint32_t sid,
		    const uint64_t ste[SMMU_STE_DWORDS]);
int smmu_cmdq_issue(struct ufd_smmuv3 *smmu,
		    const uint64_t (*cmds)[SMMU_CMD_DWORDS], unsigned int n,
		    bool sync, unsigned int *done);
int smmu_cmd_sync_one(struct ufd_smmuv3 *smmu, uint64_t c0, uint64_t c1);
void *smmu_host_ptr(uint64_t pa);
uint64_t smmu_host_pa(const void *p);

/* An output queue the driver consumes (event queue, PRI queue). */
struct smmu_outq {
	uint64_t prod_reg, cons_reg;
	const uint64_t *base;
	unsigned int lg2, dwords; /* entries (log2), words per entry */
	uint32_t *cons;		  /* the consumer's index, with OVACKFLG */
	void (*handle)(struct ufd_smmuv3 *smmu, const uint64_t *rec);
	/* PROD.OVFLG seen: records were lost. Before it is acknowledged. */
	void (*overflow)(struct ufd_smmuv3 *smmu);
};

unsigned int smmu_outq_drain(struct ufd_smmuv3 *smmu,
			     const struct smmu_outq *q);

/* pri.c */
int smmu_priq_init(struct ufd_smmuv3 *smmu);
void smmu_priq_free(struct ufd_smmuv3 *smmu);
void smmu_pri_forget(struct ufd_smmuv3 *smmu, uint32_t sid);
void smmu_pri_set(struct smmu_master *m, bool on);
int smmu_pri_request(struct ufd_dev *dev, const struct ufd_pri_req *req);
void smmu_dev_pri_resp(void *priv, uint32_t sid, uint32_t ssid, uint16_t prgi,
		       unsigned int resp);

/* domain.c */
extern const struct ufd_domain_ops smmu_paging_ops;
void smmu_make_abort_ste(uint64_t ste[SMMU_STE_DWORDS]);
void smmu_make_s2_ste(uint64_t ste[SMMU_STE_DWORDS], struct smmu_domain *d,
		      uint16_t vmid);
int smmu_master_install(struct smmu_master *master, struct ufd_domain *domain,
			const uint64_t ste[SMMU_STE_DWORDS],
			const struct smmu_vmaster *vm);
int smmu_translate_cached_dev(struct ufd_smmuv3 *smmu, uint64_t iova,
			      bool write, struct ufd_translation *out);
int smmu_translate_sid(struct ufd_smmuv3 *smmu, struct smmu_link *masters,
		       uint64_t iova, bool write, struct ufd_translation *out);
void smmu_inv_vmid_all(struct ufd_smmuv3 *smmu, uint16_t vmid);
int smmu_probe_device(struct ufd_dev *dev);
struct ufd_domain *smmu_domain_alloc_paging(struct ufd_dev *dev,
					    uint32_t flags);
int smmu_attach(struct ufd_dev *dev, struct ufd_domain *domain);
bool smmu_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap);
void *smmu_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type);
int smmu_ats_request(struct ufd_dev *dev, struct ufd_ats_req *req);

/* nested.c */
extern const struct ufd_domain_ops smmu_nested_ops;
struct ufd_domain *smmu_domain_alloc_nested(struct ufd_dev *dev,
					    struct ufd_domain *parent,
					    uint32_t flags,
					    const struct ufd_user_data *data);
int smmu_attach_nested(struct smmu_master *master, struct smmu_nested *n);
bool smmu_viommu_supported(struct ufd_dev *dev, uint32_t type);
int smmu_viommu_init(struct ufd_viommu *viommu,
		     const struct ufd_user_data *data);
struct ufd_domain *
smmu_vsmmu_alloc_domain_nested(struct ufd_viommu *viommu, uint32_t flags,
			       const struct ufd_user_data *data);
int smmu_vsmmu_cache_invalidate(struct ufd_viommu *viommu,
				struct ufd_user_data_array *array);
int smmu_vsmmu_vdevice_init(struct ufd_vdevice *vdev);
void smmu_vsmmu_vdevice_destroy(struct ufd_vdevice *vdev);
int smmu_vsmmu_setup(struct ufd_viommu *viommu, struct smmu_vsmmu **out);
void smmu_vsmmu_teardown(struct smmu_vsmmu *vsmmu);
void smmu_handle_event(struct ufd_smmuv3 *smmu,
		       const uint64_t evt[SMMU_EVT_DWORDS]);

/* tegra.c */
int smmu_tegra_init_instance(struct ufd_smmuv3 *smmu);
void *smmu_tegra_hw_info(struct ufd_smmuv3 *smmu, uint32_t *length);
int smmu_tegra_viommu_init(struct ufd_viommu *viommu,
			   const struct ufd_user_data *data);
void smmu_tegra_on_error(void *priv, unsigned int vintf, unsigned int lvcmdq,
			 const uint64_t lvcmdq_err_map[2], unsigned int cerror);

#endif
