/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bench for the VT-d driver tests: what the core would hand the driver
 * (user data readers over plain memory), host buffers that stand for
 * pinned user memory, devices behind the default instance or one made for
 * a test, and a guest: a block of "guest RAM" that a nest-parent
 * second-stage domain maps at TB_GPA, with a first-stage table the guest
 * writes into it.
 */
#ifndef UIOMMUFD_TESTS_DRIVERS_VTD_VTDDRV_TB_H
#define UIOMMUFD_TESTS_DRIVERS_VTD_VTDDRV_TB_H

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
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/vtd/vtd_drv.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"

#define TB_PAGE 4096ull
#define TB_GPA 0x40000000ull	  /* where guest RAM starts, guest-physical */
#define TB_GRAM_SIZE (8ull << 20) /* guest RAM */
#define RW (IOPT_PROT_READ | IOPT_PROT_WRITE)

/* Does the unit's IOTLB hold (@dev, @pasid)'s translation of @iova? */
bool tb_cached(struct ufd_dev *dev, uint32_t pasid, uint64_t iova);

/*
 * The unit translates (@dev, @pasid, @iova) itself, as for a DMA of the
 * device -- a PASID DMA through ufd_dev_dma_pasid() reaches the domain
 * without naming its device (driver.h), so the driver translates it under
 * the tag of the domain's first attachment. Returns vtd_translate()'s.
 */
int tb_warm(struct ufd_dev *dev, uint32_t pasid, uint64_t iova);

/* The instance behind a device. */
struct ufd_vtd *tb_vtd(struct ufd_dev *dev);

/* ---- A guest ---- */

struct tb_guest {
	uint8_t *ram;	     /* host memory behind [TB_GPA, TB_GPA + size) */
	uint64_t next;	     /* bump allocator, guest-physical */
	struct pt_table *s1; /* its first-stage table */
};

/* Guest RAM mapped by nest-parent @s2 at TB_GPA and a first-stage table. */
void tb_guest_init(struct tb_guest *g, struct ufd_domain *s2,
		   unsigned int addr_width);
void tb_guest_fini(struct tb_guest *g, struct ufd_domain *s2);
void *tb_gpa_ptr(struct tb_guest *g, uint64_t gpa);
/* Guest RAM for data or tables (zeroed); returns its GPA. */
uint64_t tb_galloc(struct tb_guest *g, uint64_t size, uint64_t align);
/* The guest maps VA -> GPA in its first stage (read-only unless @rw). */
void tb_gmap(struct tb_guest *g, uint64_t va, uint64_t gpa, uint64_t len,
	     bool rw);
void tb_gunmap(struct tb_guest *g, uint64_t va, uint64_t len);
/* The guest's table root, guest-physical. */
uint64_t tb_groot(struct tb_guest *g);
/* A nested domain over @s2 for data @s1; returns it or ERR_PTR. */
struct ufd_domain *tb_nested(struct ufd_dev *dev, struct ufd_domain *s2,
			     const struct iommu_hwpt_vtd_s1 *s1);

#endif
