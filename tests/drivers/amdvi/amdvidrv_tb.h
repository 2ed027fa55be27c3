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

#include "../drvtb.h"
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

#endif
