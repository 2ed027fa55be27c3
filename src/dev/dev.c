// SPDX-License-Identifier: BSD-3-Clause
/* Emulated DMA endpoints; see dev.h. */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "dev/dev.h"

/**
 * ufd_dev_create() - a device behind @iommu, attached to nothing
 * @iommu: its IOMMU's driver, whose probe_device (if any) sees it first
 * @flags: device capabilities, as that driver defines them
 *
 * Return: the device, or ERR_PTR(-ENOMEM) or the driver's probe error.
 */
struct ufd_dev *ufd_dev_create(const struct ufd_iommu_ops *iommu,
			       uint32_t flags)
{
	struct ufd_dev *dev = ufd_zalloc(sizeof(*dev));
	int rc;

	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->iommu = iommu;
	dev->flags = flags;
	if (iommu && iommu->probe_device) {
		rc = iommu->probe_device(dev);
		if (rc)
			goto out_free;
	}
	ufd_rwlock_init(&dev->domain_lock);
	return dev;

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
	ufd_rwlock_destroy(&dev->domain_lock);
	ufd_free(dev);
}

/**
 * ufd_dev_set_domain() - point the device's DMA at @domain (NULL blocks)
 *
 * Waits for transfers in flight on the old domain to finish, so the old
 * domain may be freed once this returns.
 *
 * Return: 0 or the driver's attach error (then nothing changed).
 */
int ufd_dev_set_domain(struct ufd_dev *dev, struct ufd_domain *domain)
{
	int rc = 0;

	ufd_rwlock_wrlock(&dev->domain_lock);
	if (dev->iommu && dev->iommu->attach)
		rc = dev->iommu->attach(dev, domain);
	if (!rc)
		dev->domain = domain;
	ufd_rwlock_unlock(&dev->domain_lock);
	return rc;
}

/**
 * ufd_dev_dma() - a DMA by the device at @iova
 * @dev: the device
 * @iova: first IOVA
 * @buf: data to write, or where read data goes
 * @len: bytes
 * @write: device writes memory (else reads)
 *
 * The transfer is translated piece by piece; it stops at the first IOVA
 * that does not translate, having moved what came before it, as hardware
 * would.
 *
 * Return: 0, -EFAULT (a translation fault, or no domain), -EPERM.
 */
int ufd_dev_dma(struct ufd_dev *dev, uint64_t iova, void *buf, size_t len,
		bool write)
{
	uint8_t *p = buf;
	int rc = 0;

	ufd_rwlock_rdlock(&dev->domain_lock);
	if (!dev->domain) {
		rc = -EFAULT;
		goto out_unlock;
	}
	while (len) {
		struct ufd_translation t;
		size_t n;

		rc = dev->domain->ops->translate(dev->domain, iova, write, &t);
		if (rc)
			break;
		n = t.len < len ? t.len : len;
		if (write)
			memcpy((void *)(uintptr_t)t.addr, p, n);
		else
			memcpy(p, (void *)(uintptr_t)t.addr, n);
		p += n;
		iova += n;
		len -= n;
	}
out_unlock:
	ufd_rwlock_unlock(&dev->domain_lock);
	return rc;
}
