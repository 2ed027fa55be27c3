/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated DMA endpoints. A device sits behind an IOMMU (a driver and its
 * hardware model) and reaches memory only through the domain it is
 * attached to: a DMA at an IOVA is translated by that domain and copied,
 * and a DMA that does not translate, or is not permitted, does not happen.
 * A write through a domain that is tracking dirty pages marks what it
 * touched: the driver's translation of a write is the hardware walk that
 * sets the dirty bit.
 *
 * A DMA may carry a PASID: it then goes through the domain attached at that
 * PASID. A DMA that does not translate may raise an I/O page fault
 * (fault_ops), wait for its answer and retry, as a device with PRI does.
 *
 * ATS (PCIe Address Translation Services): a device created with
 * UFD_DEV_ATS has an ATC, a small cache of translations it asked its IOMMU
 * for (iommu_ops.ats_request). While the IOMMU driver has ATS enabled on
 * it (ufd_dev_set_ats(), done at attach when the IOMMU lets the device use
 * ATS), a DMA looks the ATC up first; on a miss it sends a Translation
 * Request and caches the answer; then it issues the access as a Translated
 * request, which the IOMMU only admits or refuses -- an ATC hit costs no
 * translation in the IOMMU. The ATC keeps what it holds until the IOMMU
 * invalidates it (ufd_dev_atc_inval(), the device's side of an ATC
 * invalidation command), so a driver that forgets to invalidate lets the
 * device use a stale translation, as on hardware. See atc.c.
 *
 * PRI (PCIe Page Request Interface): a device created with UFD_DEV_PRI
 * (which needs UFD_DEV_ATS) has a PRI capability whose Enable bit the IOMMU
 * driver sets (ufd_dev_set_pri()) when the device's faults can be resolved
 * (its attachment has a fault queue) and ATS is on. Then a DMA whose
 * Translation Request answers "no access", or lacks a permission the
 * access needs, sends a Page Request Group -- one Page Request per faulting
 * page of the rest of the transfer, the last one flagged -- to the IOMMU
 * (iommu_ops.pri_request) instead of calling fault_ops, waits for the
 * group's response (ufd_dev_pri_resp(), the device's side of the IOMMU's
 * PRG Response) and, on Success, translates again. See pri.c.
 *
 * Locking: domain_lock guards the attached domains, ats_enabled and iopf
 * (and the PRI Enable bit, which its own lock guards too). DMA
 * holds it for read while it translates and copies, so a domain cannot be
 * detached (and then freed) under a transfer in flight; attach and detach
 * hold it for write. A DMA waiting for a page fault's answer holds nothing.
 * The ATC has its own lock, a leaf: the IOMMU takes it while it executes an
 * invalidation command, possibly under any lock of its driver (the domain
 * lock an unmap holds, the command-queue lock), so a DMA never holds it
 * while it calls the IOMMU. The PRI state has a leaf lock of its own for
 * the same reason (the IOMMU delivers PRG Responses while it executes
 * commands). fault_lock guards fault_ops for whoever reports the device's
 * page requests from outside its DMA (ufd_dev_page_request()).
 */
#ifndef UIOMMUFD_DEV_DEV_H
#define UIOMMUFD_DEV_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "base/lock.h"
#include "drivers/driver.h"

/* A PASID of the device and the domain its DMA goes through. */
struct ufd_dev_pasid {
	uint32_t pasid;
	struct ufd_domain *domain;
};

/*
 * One page request of a group, as an IOMMU received it and as it is
 * reported to whoever resolves the device's faults (IOMMU_PGFAULT_* values).
 */
struct ufd_iopf {
	uint32_t flags; /* IOMMU_PGFAULT_FLAGS_* */
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm; /* IOMMU_PGFAULT_PERM_* */
	uint64_t addr;
	uint32_t length; /* bytes the device wants from addr; 0: unknown */
};

/*
 * Called once per reported group with its outcome: an IOMMUFD_PAGE_RESP_*
 * code. Runs with no lock of the fault's reporter held.
 */
typedef void (*ufd_iopf_done_fn)(void *arg, uint32_t code);

/*
 * What happens to the device's faults (set by whoever bound the device,
 * NULL: nothing).
 */
struct ufd_dev_fault_ops {
	/*
	 * A DMA did not translate and the device has no PRI enabled: it may
	 * report an I/O page fault and wait for the answer; 0 means
	 * "translated now, retry", a negative errno that the DMA ends with
	 * that error. Called with no lock of the device held.
	 */
	int (*fault)(void *priv, bool pasid_valid, uint32_t pasid,
		     uint64_t iova, bool write);
	/*
	 * Optional: the IOMMU received a whole Page Request Group of the
	 * device (@n requests, the last flagged LAST_PAGE): report it where
	 * the faults of the attachment it came through go, and call @done
	 * once with the outcome. Must not block on the program. Returns 0
	 * (then @done will be called), -ENOENT (nowhere to report: the IOMMU
	 * answers itself) or another -errno (also not reported).
	 */
	int (*page_request)(void *priv, const struct ufd_iopf *reqs,
			    unsigned int n, ufd_iopf_done_fn done, void *arg);
};

/*
 * Capabilities of the device itself, which mean the same to every driver:
 * the top bits of ufd_dev_create()'s @flags (drivers define the others).
 */
#define UFD_DEV_PASID (1u << 29) /* PCIe PASID: DMA may carry a PASID */
#define UFD_DEV_ATS (1u << 30)	 /* PCIe ATS: an ATC, Translation Requests */
#define UFD_DEV_PRI (1u << 31)	 /* PCIe PRI: Page Requests (needs ATS) */

struct ufd_atc;
struct ufd_pri;

struct ufd_dev {
	const struct ufd_iommu_ops *iommu;
	uint32_t flags;	     /* capabilities: UFD_DEV_* and the driver's */
	uint32_t pasid_bits; /* 0: no PASID */
	struct ufd_rwlock domain_lock;
	struct ufd_domain *domain;    /* domain_lock; NULL blocks all DMA */
	struct ufd_dev_pasid *pasids; /* domain_lock; npasids of them */
	unsigned int npasids;	      /* domain_lock */
	/*
	 * domain_lock: the Enable bit of the device's ATS capability, which
	 * the IOMMU driver sets with ufd_dev_set_ats(). Only with UFD_DEV_ATS.
	 */
	bool ats_enabled;
	/*
	 * domain_lock: the attachment being made (or in place) is one whose
	 * I/O page faults a fault queue resolves, so the IOMMU driver may
	 * enable PRI (Linux: the domain's iopf handler). Set with
	 * ufd_dev_set_domain_iopf() before the driver's attach runs.
	 */
	bool iopf;
	struct ufd_atc *atc; /* with UFD_DEV_ATS; fixed; its own lock */
	struct ufd_pri *pri; /* with UFD_DEV_PRI; fixed; its own lock */
	/*
	 * Set before any DMA; changed only while no DMA runs, under
	 * fault_lock (written), which ufd_dev_page_request() reads.
	 */
	struct ufd_rwlock fault_lock;
	const struct ufd_dev_fault_ops *fault_ops;
	void *fault_priv;
	void *priv; /* the driver's per-device data */
};

/* How a DMA ended (uiommufd_dma_* return values map onto these). */
enum ufd_dma_result {
	UFD_DMA_OK = 0,
	UFD_DMA_FAULT = -14, /* -EFAULT: an IOVA did not translate */
	UFD_DMA_DENIED = -1, /* -EPERM: the mapping forbids it */
};

struct ufd_dev *ufd_dev_create(const struct ufd_iommu_ops *iommu,
			       uint32_t flags);
void ufd_dev_destroy(struct ufd_dev *dev);
int ufd_dev_set_domain(struct ufd_dev *dev, struct ufd_domain *domain);
int ufd_dev_set_domain_iopf(struct ufd_dev *dev, struct ufd_domain *domain,
			    bool iopf);
void ufd_dev_set_fault_ops(struct ufd_dev *dev,
			   const struct ufd_dev_fault_ops *ops, void *priv);
int ufd_dev_page_request(struct ufd_dev *dev, const struct ufd_iopf *reqs,
			 unsigned int n, ufd_iopf_done_fn done, void *arg);
int ufd_dev_set_pasid_domain(struct ufd_dev *dev, uint32_t pasid,
			     struct ufd_domain *domain);
int ufd_dev_dma(struct ufd_dev *dev, uint64_t iova, void *buf, size_t len,
		bool write);
int ufd_dev_dma_pasid(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		      void *buf, size_t len, bool write);

/* ufd_dev_dma_pasid()'s @pasid for a DMA without a PASID. */
#define UFD_NO_PASID UINT32_MAX

/* ---- ATS: the device's ATC (atc.c) ---- */

/* Translations an ATC holds at most; a full ATC evicts one per fill. */
#define UFD_ATC_ENTRIES 64

void ufd_dev_set_ats(struct ufd_dev *dev, bool enable);
void ufd_dev_atc_inval(struct ufd_dev *dev, uint32_t pasid, uint64_t addr,
		       unsigned int size_lg2, bool global);

/* What an ATC did, for tests and benchmarks. */
struct ufd_atc_stats {
	uint64_t hits;	      /* DMA pieces served by the ATC */
	uint64_t requests;    /* Translation Requests sent to the IOMMU */
	uint64_t fills;	      /* answers cached */
	uint64_t evictions;   /* entries dropped to make room */
	uint64_t inval_reqs;  /* invalidation requests received */
	uint64_t invalidated; /* entries they dropped */
	uint64_t stale;	      /* answers dropped: overtaken by one */
	unsigned int entries; /* held now */
};

int ufd_dev_atc_stats(struct ufd_dev *dev, struct ufd_atc_stats *st);

/* ---- PRI: the device's Page Request Interface (pri.c) ---- */

/* Faulting pages one Page Request Group asks for at most. */
#define UFD_PRG_PAGES_MAX 16
/* PRG indexes are 9 bits: at most this many groups outstanding. */
#define UFD_PRG_INDEXES 512

/* A PRG Response code (PCIe). */
enum ufd_prg_resp {
	UFD_PRG_RESP_SUCCESS, /* the pages are there: retry */
	UFD_PRG_RESP_INVALID, /* Invalid Request: give up */
	UFD_PRG_RESP_FAILURE, /* Response Failure: give up */
};

void ufd_dev_set_pri(struct ufd_dev *dev, bool enable);
bool ufd_dev_pri_enabled(struct ufd_dev *dev);
void ufd_dev_pri_resp(struct ufd_dev *dev, uint32_t pasid, uint16_t prgi,
		      enum ufd_prg_resp resp);

/* What a device's PRI did, for tests. */
struct ufd_pri_stats {
	uint64_t groups;   /* Page Request Groups sent */
	uint64_t requests; /* Page Requests sent */
	uint64_t lost;	   /* of which the IOMMU could not take */
	uint64_t success;  /* groups answered Success */
	uint64_t refused;  /* groups answered Invalid Request or Failure */
	uint64_t aborted;  /* groups given up: PRI disabled, no answer */
	uint64_t ignored;  /* responses matching no outstanding group */
	unsigned int outstanding; /* groups waiting now */
};

int ufd_dev_pri_stats(struct ufd_dev *dev, struct ufd_pri_stats *st);

#endif
