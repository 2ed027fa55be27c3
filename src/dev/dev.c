// SPDX-License-Identifier: BSD-3-Clause
/* Emulated DMA endpoints; see dev.h. */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/dmaguard.h"
#include "base/err.h"
#include "dev/atc.h"
#include "dev/dev.h"
#include "dev/pri.h"

/**
 * ufd_dev_create() - a device behind @iommu, attached to nothing
 * @iommu: its IOMMU's driver, whose probe_device (if any) sees it first
 * @flags: device capabilities: UFD_DEV_ATS and UFD_DEV_PRI, and bits that
 *         driver defines
 *
 * A device with UFD_DEV_ATS gets an ATC, which it uses once the driver
 * enables ATS on it; one with UFD_DEV_PRI too a PRI capability, which it
 * uses once the driver enables PRI.
 *
 * Return: the device, or ERR_PTR(-EINVAL (PRI without ATS), -ENOMEM, or
 * the driver's probe error).
 */
struct ufd_dev *ufd_dev_create(const struct ufd_iommu_ops *iommu,
			       uint32_t flags)
{
	struct ufd_dev *dev;
	int rc;

	if ((flags & UFD_DEV_PRI) && !(flags & UFD_DEV_ATS))
		return ERR_PTR(-EINVAL);
	dev = ufd_zalloc(sizeof(*dev));
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->iommu = iommu;
	dev->flags = flags;
	if (flags & UFD_DEV_ATS) {
		dev->atc = atc_create();
		if (!dev->atc) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	if (flags & UFD_DEV_PRI) {
		dev->pri = pri_create();
		if (!dev->pri) {
			rc = -ENOMEM;
			goto out_free_atc;
		}
	}
	if (iommu && iommu->probe_device) {
		rc = iommu->probe_device(dev);
		if (rc)
			goto out_free_pri;
	}
	ufd_rwlock_init(&dev->domain_lock);
	ufd_rwlock_init(&dev->fault_lock);
	return dev;

out_free_pri:
	pri_destroy(dev->pri);
out_free_atc:
	atc_destroy(dev->atc);
out_free:
	ufd_free(dev);
	return ERR_PTR(rc);
}

/** ufd_dev_destroy() - free a device; it must be detached */
void ufd_dev_destroy(struct ufd_dev *dev)
{
	if (!dev)
		return;
	if (dev->iommu && dev->iommu->release_device)
		dev->iommu->release_device(dev);
	ufd_free(dev->pasids);
	/* After release_device: the IOMMU reaches this ATC and PRI no more. */
	atc_destroy(dev->atc);
	pri_destroy(dev->pri);
	ufd_rwlock_destroy(&dev->fault_lock);
	ufd_rwlock_destroy(&dev->domain_lock);
	ufd_free(dev);
}

/**
 * ufd_dev_set_domain_iopf() - point the device's DMA at @domain (NULL blocks)
 * @dev: the device
 * @domain: the domain, or NULL
 * @iopf: a fault queue resolves the I/O page faults of this attachment, so
 *        the driver may let the device use PRI (dev->iopf during attach)
 *
 * Waits for transfers in flight on the old domain to finish, so the old
 * domain may be freed once this returns.
 *
 * Return: 0 or the driver's attach error (then nothing changed).
 */
int ufd_dev_set_domain_iopf(struct ufd_dev *dev, struct ufd_domain *domain,
			    bool iopf)
{
	bool old_iopf;
	int rc = 0;

	ufd_rwlock_wrlock(&dev->domain_lock);
	old_iopf = dev->iopf;
	dev->iopf = iopf && domain;
	if (dev->iommu && dev->iommu->attach)
		rc = dev->iommu->attach(dev, domain);
	if (!rc)
		dev->domain = domain;
	else
		dev->iopf = old_iopf;
	ufd_rwlock_unlock(&dev->domain_lock);
	return rc;
}

/** ufd_dev_set_domain() - ufd_dev_set_domain_iopf() with no fault queue */
int ufd_dev_set_domain(struct ufd_dev *dev, struct ufd_domain *domain)
{
	return ufd_dev_set_domain_iopf(dev, domain, false);
}

/**
 * ufd_dev_set_fault_ops() - who handles the device's faults from now on
 * @dev: the device, with no DMA running
 * @ops: the handler, or NULL for none
 * @priv: for @ops
 *
 * Waits for ufd_dev_page_request() calls in progress, so whatever @priv
 * was may go once this returns.
 */
void ufd_dev_set_fault_ops(struct ufd_dev *dev,
			   const struct ufd_dev_fault_ops *ops, void *priv)
{
	ufd_rwlock_wrlock(&dev->fault_lock);
	dev->fault_ops = ops;
	dev->fault_priv = priv;
	ufd_rwlock_unlock(&dev->fault_lock);
}

/**
 * ufd_dev_page_request() - hand over a Page Request Group the IOMMU received
 * @dev: the device that sent it
 * @reqs: its requests, in order, the last flagged IOMMU_PGFAULT_FLAGS_LAST_PAGE
 * @n: how many
 * @done: called once with the outcome (an IOMMUFD_PAGE_RESP_* code)
 * @arg: for @done
 *
 * For the IOMMU driver, from wherever it reads page requests; it must hold
 * no lock the device's attach path takes. The group goes where the
 * device's fault handler reports it (fault_ops.page_request).
 *
 * Return: 0 (reported: @done will be called); -ENOENT (no handler, or
 * nowhere to report); another -errno. @done is not called on failure.
 */
int ufd_dev_page_request(struct ufd_dev *dev, const struct ufd_iopf *reqs,
			 unsigned int n, ufd_iopf_done_fn done, void *arg)
{
	int rc = -ENOENT;

	ufd_rwlock_rdlock(&dev->fault_lock);
	if (dev->fault_ops && dev->fault_ops->page_request)
		rc = dev->fault_ops->page_request(dev->fault_priv, reqs, n,
						  done, arg);
	ufd_rwlock_unlock(&dev->fault_lock);
	return rc;
}

/**
 * ufd_dev_set_pasid_domain() - point DMA tagged with @pasid at @domain
 * @dev: the device
 * @pasid: below 2^pasid_bits
 * @domain: the domain, or NULL to block the PASID
 *
 * Waits for transfers in flight, as ufd_dev_set_domain().
 *
 * Return: 0; -EINVAL (no PASID support); -ENOMEM; the driver's attach
 * error (then nothing changed).
 */
int ufd_dev_set_pasid_domain(struct ufd_dev *dev, uint32_t pasid,
			     struct ufd_domain *domain)
{
	struct ufd_dev_pasid *grown;
	unsigned int i;
	int rc;

	if (!dev->iommu || !dev->iommu->attach_pasid)
		return -EINVAL;
	ufd_rwlock_wrlock(&dev->domain_lock);
	for (i = 0; i < dev->npasids && dev->pasids[i].pasid != pasid; i++)
		;
	if (i == dev->npasids && domain) {
		/* Room first, so a driver that said yes is never undone. */
		grown = ufd_realloc(dev->pasids,
				    (dev->npasids + 1) * sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		dev->pasids = grown;
	}
	rc = dev->iommu->attach_pasid(dev, pasid, domain);
	if (rc)
		goto out_unlock;
	if (!domain) {
		if (i < dev->npasids)
			dev->pasids[i] = dev->pasids[--dev->npasids];
	} else {
		if (i == dev->npasids)
			dev->pasids[dev->npasids++].pasid = pasid;
		dev->pasids[i].domain = domain;
	}
out_unlock:
	ufd_rwlock_unlock(&dev->domain_lock);
	return rc;
}

/* The domain DMA with @pasid goes through; domain_lock held. */
static struct ufd_domain *dma_domain(struct ufd_dev *dev, uint32_t pasid)
{
	unsigned int i;

	if (pasid == UFD_NO_PASID)
		return dev->domain;
	for (i = 0; i < dev->npasids; i++)
		if (dev->pasids[i].pasid == pasid)
			return dev->pasids[i].domain;
	return NULL;
}

/*
 * One piece of a DMA the IOMMU translates (an Untranslated request): as
 * much of @len as one translation covers. Returns 0 with *moved set, or
 * the domain's translate error.
 */
static int dma_untranslated(struct ufd_dev *dev, uint32_t pasid,
			    struct ufd_domain *domain, uint64_t iova,
			    uint8_t *p, size_t len, bool write, size_t *moved)
{
	/* In: how far this DMA goes, so one answer can cover it all. */
	struct ufd_translation t = {
		.len = len,
		.dev = dev,
		.pasid = pasid,
	};
	size_t n;
	int rc;

	rc = domain->ops->translate(domain, iova, write, &t);
	if (rc)
		return rc;
	n = t.len < len ? t.len : len;
	if (write)
		memcpy((void *)(uintptr_t)t.addr, p, n);
	else
		memcpy(p, (void *)(uintptr_t)t.addr, n);
	*moved = n;
	return 0;
}

/* A DMA that stopped at a fault asks how to go on: a page request. */
#define DMA_FAULT_RETRIES 8

/* The page size of PCIe Page Requests. */
#define PRI_PAGE 4096ull

/*
 * The pages a Page Request Group asks for when an ATS-enabled DMA stopped
 * at @iova with @len bytes still to move: @iova's page if its translation
 * is missing ("no access", or no write for a write), and every later page
 * of the transfer whose translation is missing too, up to
 * UFD_PRG_PAGES_MAX. dev->domain_lock held for read. Returns how many
 * (0: the IOMMU refused the request outright, which PRI cannot help).
 */
static unsigned int pri_collect(struct ufd_dev *dev, uint32_t pasid,
				uint64_t iova, size_t len, bool write,
				uint64_t pages[UFD_PRG_PAGES_MAX])
{
	uint64_t page = iova & ~(PRI_PAGE - 1);
	uint64_t span = (iova - page) + (len - 1); /* to the last byte */
	unsigned int n = 0, k;
	int rc;

	for (k = 0; n < UFD_PRG_PAGES_MAX && (uint64_t)k * PRI_PAGE <= span;
	     k++) {
		uint64_t p = page + (uint64_t)k * PRI_PAGE;

		rc = atc_translate(dev, pasid, k ? p : iova, write);
		if (rc == -EFAULT || rc == -EPERM)
			pages[n++] = p;
		else if (!k)
			return 0;
	}
	return n;
}

/**
 * ufd_dev_dma_pasid() - a DMA by the device at (@pasid, @iova)
 * @dev: the device
 * @pasid: the PASID the DMA carries, or UFD_NO_PASID
 * @iova: first IOVA
 * @buf: data to write, or where read data goes
 * @len: bytes
 * @write: device writes memory (else reads)
 *
 * The transfer is translated piece by piece; it stops at the first IOVA
 * that does not translate, having moved what came before it, as hardware
 * would. There, a device whose faults are handled (fault_ops: the HWPT
 * has a fault queue) raises an I/O page fault and waits for the answer:
 * on success it translates again and goes on. While ATS is enabled on the
 * device, the pieces are translated through its ATC and sent as
 * Translated requests (atc.c); an IOVA the IOMMU answers "no access" for
 * is such a fault too. While PRI is enabled as well, such a fault (or a
 * write the IOMMU grants no write for) is a Page Request Group sent to
 * the IOMMU instead (pri.c), and the response says whether to go on. Each
 * stop at the same IOVA counts against a bound; progress resets it.
 *
 * Return: 0, -EFAULT (a translation fault, or no domain), -EPERM, or the
 * fault handler's answer.
 */
int ufd_dev_dma_pasid(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		      void *buf, size_t len, bool write)
{
	uint64_t pages[UFD_PRG_PAGES_MAX], stuck_at = iova;
	struct ufd_tslot *guard;
	unsigned int retries = 0, npages;
	uint8_t *p = buf;
	int rc = 0;

again:
	npages = 0;
	/*
	 * An unmap waits for this copy before letting the memory go; a move
	 * of pinned memory holds it here, before any lock (dmaguard.h).
	 */
	guard = ufd_dma_guard_enter();
	ufd_rwlock_rdlock(&dev->domain_lock);
	while (len) {
		struct ufd_domain *domain = dma_domain(dev, pasid);
		size_t n;

		if (!domain)
			rc = -EFAULT;
		else if (dev->ats_enabled)
			rc = atc_dma(dev, pasid, iova, p, len, write, &n);
		else
			rc = dma_untranslated(dev, pasid, domain, iova, p, len,
					      write, &n);
		if (rc)
			break;
		p += n;
		iova += n;
		len -= n;
	}
	/* PRI is enabled only with ATS: the Enable bit, domain_lock held. */
	if (rc && dev->pri && dev->ats_enabled && dma_domain(dev, pasid) &&
	    ufd_dev_pri_enabled(dev))
		npages = pri_collect(dev, pasid, iova, len, write, pages);
	ufd_rwlock_unlock(&dev->domain_lock);
	ufd_dma_guard_exit(guard);
	if (npages) {
		if (iova != stuck_at)
			retries = 0;
		stuck_at = iova;
		if (retries++ >= DMA_FAULT_RETRIES)
			return rc;
		/* No lock held: the response may take a detach to come. */
		rc = pri_group(dev, pasid, pages, npages, write);
		if (!rc)
			goto again;
		return rc;
	}
	if (rc && dev->fault_ops && retries++ < DMA_FAULT_RETRIES) {
		/* No lock held: the answer may take a detach to come. */
		int frc = dev->fault_ops->fault(dev->fault_priv,
						pasid != UFD_NO_PASID, pasid,
						iova, write);

		if (!frc)
			goto again;
		if (frc != -ENOENT)
			rc = frc;
	}
	return rc;
}

/** ufd_dev_dma() - ufd_dev_dma_pasid() without a PASID */
int ufd_dev_dma(struct ufd_dev *dev, uint64_t iova, void *buf, size_t len,
		bool write)
{
	return ufd_dev_dma_pasid(dev, UFD_NO_PASID, iova, buf, len, write);
}
