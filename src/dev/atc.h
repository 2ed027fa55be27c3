/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ATC of a device with ATS, inside src/dev: dev.c creates it with the
 * device and sends DMA of an ATS-enabled device through atc_dma(). The
 * rest of uiommufd reaches the ATC through dev.h (ufd_dev_set_ats(),
 * ufd_dev_atc_inval(), ufd_dev_atc_stats()). See atc.c.
 */
#ifndef UIOMMUFD_DEV_ATC_H
#define UIOMMUFD_DEV_ATC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ufd_atc;
struct ufd_dev;

/** atc_create() - an empty ATC; NULL when out of memory */
struct ufd_atc *atc_create(void);

/** atc_destroy() - free an ATC no one uses any more; NULL is ignored */
void atc_destroy(struct ufd_atc *atc);

/**
 * atc_dma() - one piece of an ATS-enabled device's DMA
 * @dev: the device, dev->domain_lock held for read, ATS enabled
 * @pasid: the PASID of the DMA, or UFD_NO_PASID
 * @iova: where the piece starts
 * @buf: the device's side of the transfer
 * @len: bytes the DMA still has to move (non-zero)
 * @write: the device writes memory
 * @moved: set to the bytes moved, up to the end of one ATC entry
 *
 * Translates @iova through the ATC (asking the IOMMU on a miss), has the
 * IOMMU admit the Translated request and copies.
 *
 * Return: 0; -EFAULT (nothing mapped, the IOMMU refused the request, or
 * the translation kept being invalidated under it); -EPERM (a write where
 * the IOMMU grants only reads).
 */
int atc_dma(struct ufd_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	    size_t len, bool write, size_t *moved);

/**
 * atc_translate() - make sure the ATC holds a translation of @iova
 * @dev: the device, dev->domain_lock held for read, ATS enabled
 * @pasid: the PASID, or UFD_NO_PASID
 * @iova: the address
 * @write: the access writes
 *
 * What a device does before it asks for a page with PRI: the ATC is looked
 * up, and on a miss the IOMMU asked (and a positive answer cached).
 *
 * Return: 0 (translated, with write if asked); -EFAULT (the IOMMU answers
 * "no access"); -EPERM (it grants no write); -EIO (it refused the
 * request, or the translation kept being invalidated).
 */
int atc_translate(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		  bool write);

#endif
