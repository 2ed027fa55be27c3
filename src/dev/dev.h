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
 * Locking: domain_lock guards the attached domains. DMA holds it for read
 * while it translates and copies, so a domain cannot be detached (and then
 * freed) under a transfer in flight; attach and detach hold it for write.
 * A DMA waiting for a page fault's answer holds nothing.
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

struct ufd_dev {
	const struct ufd_iommu_ops *iommu;
	uint32_t flags;	     /* device capabilities (driver-defined) */
	uint32_t pasid_bits; /* 0: no PASID */
	struct ufd_rwlock domain_lock;
	struct ufd_domain *domain;    /* domain_lock; NULL blocks all DMA */
	struct ufd_dev_pasid *pasids; /* domain_lock; npasids of them */
	unsigned int npasids;	      /* domain_lock */
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

#endif
