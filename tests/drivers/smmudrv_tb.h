/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bench for the SMMUv3 driver tests: what the core would hand the driver
 * (user data readers over plain memory, a fake set of vIOMMU core services
 * that records events, mmaps and queue dependencies), host buffers that
 * stand for pinned user memory, and a guest: a block of "guest RAM" that a
 * stage-2 domain maps at TB_GPA, with a guest stage-1 table, CD table and
 * STE written into it the way a guest OS writes them.
 */
#ifndef UIOMMUFD_TESTS_DRIVERS_SMMUDRV_TB_H
#define UIOMMUFD_TESTS_DRIVERS_SMMUDRV_TB_H

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

#include "drvtb.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "dev/dev.h"
#include "drivers/smmuv3/smmuv3_drv.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd.h"

#define TB_PAGE 4096ull
#define TB_GPA 0x40000000ull	  /* where guest RAM starts, guest-physical */
#define TB_GRAM_SIZE (8ull << 20) /* guest RAM */
#define RW (IOPT_PROT_READ | IOPT_PROT_WRITE)

/* ---- The core's vIOMMU services, faked ---- */

#define TB_MAX_EVENTS 512

struct tb_event {
	uint32_t type;
	size_t len;
	uint64_t data[4];
};

struct tb_viommu {
	struct ufd_viommu viommu;
	struct ufd_mutex lock;
	/* report_event: what arrived; refuse[type] answers -EOPNOTSUPP. */
	struct tb_event events[TB_MAX_EVENTS];
	unsigned int nevents;
	bool refuse[4];
	/* alloc_mmap */
	void *mmap_host;
	size_t mmap_len;
	uint64_t mmap_offset;
	unsigned int nmmaps;
	/* hw_queue_depend/undepend: the pairs in force. */
	unsigned int ndeps;
};

/*
 * Makes @tv a vIOMMU of @type over @parent through @ops->viommu_init.
 * Returns what viommu_init returns.
 */
int tb_viommu_init(struct tb_viommu *tv, const struct ufd_iommu_ops *ops,
		   uint32_t type, struct ufd_domain *parent,
		   const struct ufd_user_data *data);
/* Destroys it (ops->destroy) unless init failed. */
void tb_viommu_fini(struct tb_viommu *tv);
/* Events of @type so far. */
unsigned int tb_events(struct tb_viommu *tv, uint32_t type);
/* The last event of @type; fails the test if there is none. */
const struct tb_event *tb_last_event(struct tb_viommu *tv, uint32_t type);

/* vDEVICE @virt_id for @dev; returns vdevice_init's result. */
int tb_vdev_init(struct ufd_vdevice *vdev, struct tb_viommu *tv,
		 struct ufd_dev *dev, uint64_t virt_id);
void tb_vdev_fini(struct ufd_vdevice *vdev);

/* ---- Devices, domains, memory ---- */

/* Is the model's IOTLB (or micro-TLB) holding @sid's translation? */
bool tb_cached(struct ufd_dev *dev, uint64_t iova);

/* ---- A guest ---- */

struct tb_guest {
	uint8_t *ram;	     /* host memory behind [TB_GPA, TB_GPA + size) */
	uint64_t next;	     /* bump allocator, guest-physical */
	struct pt_table *s1; /* its stage-1 table (4K granule) */
	uint64_t cd_gpa;     /* its CD table: one CD */
	uint16_t asid;
};

/*
 * Guest RAM mapped by nest-parent @s2 at TB_GPA, a stage-1 table and a CD
 * for it (ASID @asid) in guest RAM.
 */
void tb_guest_init(struct tb_guest *g, struct ufd_domain *s2, uint16_t asid);
void tb_guest_fini(struct tb_guest *g, struct ufd_domain *s2);
void *tb_gpa_ptr(struct tb_guest *g, uint64_t gpa);
/* Guest RAM for data or tables (zeroed); returns its GPA. */
uint64_t tb_galloc(struct tb_guest *g, uint64_t size, uint64_t align);
/* The guest maps VA -> GPA in its stage 1 (read-only unless @rw). */
void tb_gmap(struct tb_guest *g, uint64_t va, uint64_t gpa, uint64_t len,
	     bool rw);
void tb_gunmap(struct tb_guest *g, uint64_t va, uint64_t len);
/* Rewrites the guest's CD (V, ASID, TTB0 of its table). */
void tb_gcd_write(struct tb_guest *g, bool valid);
/* The guest's STE for its CD table (Config = stage-1 translate). */
void tb_gste(struct tb_guest *g, uint64_t ste[2]);

/* A nested domain from vSTE @ste on vIOMMU @tv; returns it or ERR_PTR. */
struct ufd_domain *tb_nested(struct tb_viommu *tv, const uint64_t ste[2]);

/* Command words. */
static inline uint64_t tb_cmd0(unsigned int op)
{
	return smmu_dprep(SMMU_CMD_OP, op);
}

#endif
