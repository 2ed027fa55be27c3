/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bench for the AMD-Vi driver tests: driver instances (the default one
 * or one with another hardware configuration and no event thread), what
 * the core would hand the driver (user data over plain memory, a vIOMMU
 * with no core services), host buffers that stand for pinned user memory,
 * DMA of one word, and a look into the model's IOTLB.
 */
#ifndef UIOMMUFD_TESTS_DRIVERS_AMDVI_AMDVIDRV_TB_H
#define UIOMMUFD_TESTS_DRIVERS_AMDVI_AMDVIDRV_TB_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "dev/dev.h"
#include "drivers/amdvi/amdvi_drv.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"

#define TB_PAGE 4096ull
#define RW (IOPT_PROT_READ | IOPT_PROT_WRITE)

/* An instance with @tweak (may be NULL) whose events only polls read. */
struct ufd_amdvi *tb_instance(void (*tweak)(struct amdvi_config *cfg));

/* User data, as a front end would pass it. */
struct ufd_user_data tb_udata(uint32_t type, void *p, size_t len);

/* A device behind @ops with @flags; fails the test on error. */
struct ufd_dev *tb_dev(const struct ufd_iommu_ops *ops, uint32_t flags);
/* Detaches, releases and destroys a device. */
void tb_dev_put(struct ufd_dev *dev);
/* A paging domain with @flags; fails the test on error. */
struct ufd_domain *tb_paging(struct ufd_dev *dev, uint32_t flags);
void tb_domain_free(struct ufd_domain *d);
/* iopt map / unmap of a domain. */
void tb_map(struct ufd_domain *d, uint64_t iova, const void *host, uint64_t len,
	    unsigned int prot);
uint64_t tb_unmap(struct ufd_domain *d, uint64_t iova, uint64_t len);
/* Aligned zeroed host memory ("pinned user pages"), and its free. */
void *tb_buf(size_t len, size_t align);
void tb_buf_free(void *p);

/* DMA of one 64-bit word; returns ufd_dev_dma[_pasid]()'s result. */
int tb_dma_write64(struct ufd_dev *dev, uint64_t iova, uint64_t v);
int tb_dma_read64(struct ufd_dev *dev, uint64_t iova, uint64_t *v);
int tb_pasid_write64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		     uint64_t v);
int tb_pasid_read64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		    uint64_t *v);

/*
 * Does the model's IOTLB hold @dev's translation of @iova at @pasid
 * (AMDVI_NO_PASID: none)? Asks the caches only: nothing is filled.
 */
bool tb_cached(struct ufd_dev *dev, uint32_t pasid, uint64_t iova);

/*
 * The IOMMU translates a read of @iova by @dev at @pasid, as the device's
 * request would (filling its caches). Returns amdvi_translate()'s result.
 */
int tb_translate(struct ufd_dev *dev, uint32_t pasid, uint64_t iova);

/* The instance behind a device. */
struct ufd_amdvi *tb_iommu(struct ufd_dev *dev);
/* The device's DTE as the driver wrote it. */
void tb_dte(struct ufd_dev *dev, uint64_t dte[AMDVI_DTE_QWORDS]);

/*
 * Polls @iommu's event log, then returns the code of the last record read
 * (0 when none was read yet) and, in @evt when not NULL, the record.
 */
unsigned int tb_last_event(struct ufd_amdvi *iommu, uint64_t *evt);

/* The seed of a randomized test: $TB_SEED or @fallback, printed. */
uint64_t tb_seed(const char *what, uint64_t fallback);
uint64_t tb_rand(uint64_t *state);

#endif
