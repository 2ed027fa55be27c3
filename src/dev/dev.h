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
 * Locking: domain_lock guards the attached domains and ats_enabled. DMA
 * holds it for read while it translates and copies, so a domain cannot be
 * detached (and then freed) under a transfer in flight; attach and detach
 * hold it for write. A DMA waiting for a page fault's answer holds nothing.
 * The ATC has its own lock, a leaf: the IOMMU takes it while it executes an
 * invalidation command, possibly under any lock of its driver (the domain
 * lock an unmap holds, the command-queue lock), so a DMA never holds it
 * while it calls the IOMMU.
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
 * What the device does when a DMA does not translate (set by whoever
 * bound the device, NULL: nothing). It may report an I/O page fault and
 * wait for the answer; 0 means "translated now, retry", a negative errno
 * that the DMA ends with that error. Called with no lock of the device
 * held.
 */
struct ufd_dev_fault_ops {
	int (*fault)(void *priv, bool pasid_valid, uint32_t pasid,
		     uint64_t iova, bool write);
};

/*
 * Capabilities of the device itself, which mean the same to every driver:
 * the top bits of ufd_dev_create()'s @flags (drivers define the others).
 */
#define UFD_DEV_ATS (1u << 30) /* PCIe ATS: an ATC, Translation Requests */
#define UFD_DEV_PRI (1u << 31) /* PCIe PRI: Page Requests (needs ATS) */

struct ufd_atc;

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
	struct ufd_atc *atc; /* with UFD_DEV_ATS; fixed; its own lock */
	const struct ufd_dev_fault_ops *fault_ops; /* set before any DMA */
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

#endif
