/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every driver test bench (smmudrv_tb, vtd/vtddrv_tb, amdvi/amdvidrv_tb)
 * hands its tests alike: user data over plain memory, as a front end would
 * pass it; devices and paging domains driven through their ops, failing the
 * test on error; iopt map and unmap; host buffers standing for pinned user
 * pages; DMA of one 64-bit word; the seed of a randomized test.
 */
#ifndef UIOMMUFD_TESTS_DRIVERS_DRVTB_H
#define UIOMMUFD_TESTS_DRIVERS_DRVTB_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"

struct ufd_dev;

/* User data, as a front end would pass it. */
struct ufd_user_data tb_udata(uint32_t type, void *p, size_t len);
struct ufd_user_data_array tb_uarray(uint32_t type, const void *p,
				     uint32_t entry_len, uint32_t n);

/* A device behind @ops with @flags; fails the test on error. */
struct ufd_dev *tb_dev(const struct ufd_iommu_ops *ops, uint32_t flags);
/* Detaches every PASID and the device, then destroys it. */
void tb_dev_put(struct ufd_dev *dev);
/* A paging domain with @flags; fails the test on error. */
struct ufd_domain *tb_paging(struct ufd_dev *dev, uint32_t flags);
void tb_domain_free(struct ufd_domain *d);
/* iopt map / unmap of a domain. */
void tb_map(struct ufd_domain *d, uint64_t iova, const void *host, uint64_t len,
	    unsigned int prot);
uint64_t tb_unmap(struct ufd_domain *d, uint64_t iova, uint64_t len);
/* Zeroed host memory aligned to @align ("pinned user pages"). */
void *tb_buf(size_t len, size_t align);
void tb_buf_free(void *p);

/* DMA of one 64-bit word; returns ufd_dev_dma[_pasid]()'s result. */
int tb_dma_write64(struct ufd_dev *dev, uint64_t iova, uint64_t v);
int tb_dma_read64(struct ufd_dev *dev, uint64_t iova, uint64_t *v);
int tb_pasid_write64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		     uint64_t v);
int tb_pasid_read64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		    uint64_t *v);

/* The seed of a randomized test: $TB_SEED or @fallback, printed. */
uint64_t tb_seed(const char *what, uint64_t fallback);
/* splitmix64 */
uint64_t tb_rand(uint64_t *state);

#endif
