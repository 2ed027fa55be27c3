/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PRI capability of a device with UFD_DEV_PRI, inside src/dev: dev.c
 * creates it with the device and sends the Page Request Groups of its DMA
 * through pri_group(). The rest of uiommufd reaches it through dev.h
 * (ufd_dev_set_pri(), ufd_dev_pri_resp(), ufd_dev_pri_stats()). See pri.c.
 */
#ifndef UIOMMUFD_DEV_PRI_H
#define UIOMMUFD_DEV_PRI_H

#include <stdbool.h>
#include <stdint.h>

struct ufd_dev;
struct ufd_pri;

/** pri_create() - a disabled PRI capability; NULL when out of memory */
struct ufd_pri *pri_create(void);

/** pri_destroy() - free it once nothing waits on it; NULL is ignored */
void pri_destroy(struct ufd_pri *pri);

/**
 * pri_group() - send a Page Request Group and wait for its response
 * @dev: the device, PRI capable; no lock of it held
 * @pasid: the PASID of the faulting DMA, or UFD_NO_PASID
 * @pages: the faulting pages (4 KiB aligned), in order
 * @n: how many, 1 to UFD_PRG_PAGES_MAX
 * @write: the DMA writes (the requests ask for read and write)
 *
 * Return: 0 (answered Success: translate again), -EFAULT (answered
 * otherwise, PRI not or no longer enabled, the request lost, no PRG index
 * free, or no answer in time).
 */
int pri_group(struct ufd_dev *dev, uint32_t pasid, const uint64_t *pages,
	      unsigned int n, bool write);

#endif
