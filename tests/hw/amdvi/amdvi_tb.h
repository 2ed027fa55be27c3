/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test bench for the AMD-Vi model: "physical memory" made of host buffers
 * (a physical address is the host address, DESIGN.md; the IOMMU may touch
 * nothing outside them), the device table, command buffer and event log in
 * that memory, register and command access the way a driver does it, and
 * raw DTE builders that only place fields (amdvi_hw.h) -- no policy.
 *
 * Guest memory for nested tests is a second buffer seen at guest physical
 * address TB_GPA_BASE: the test writes guest structures there through
 * tb_gpa_ptr(), and a host (v1) table built by the test maps the GPAs.
 */
#ifndef UIOMMUFD_TESTS_HW_AMDVI_TB_H
#define UIOMMUFD_TESTS_HW_AMDVI_TB_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw/amdvi/amdvi.h"
#include "pt/pt.h"

#define TB_RAM_SIZE (40ull << 20)
#define TB_GRAM_SIZE (8ull << 20)
#define TB_GPA_BASE 0x80000000ull
#define TB_DEVTAB_PAGES 512 /* 65536 DTEs */
#define TB_CMD_LEN 8	    /* 256 commands */
#define TB_EVT_LEN 8	    /* 256 records */
#define TB_CMD_WAIT_MAGIC 0x5a5a0000ull

struct tb {
	struct amdvi *iommu;
	struct amdvi_config cfg;
	uint8_t *ram; /* PA == host address */
	uint64_t ram_next;
	uint8_t *gram; /* at TB_GPA_BASE */
	uint64_t gram_next;
	uint64_t devtab, cmdbuf, evtlog, wait_word;
	uint64_t cmd_tail;
	unsigned int irqs[4];
	struct pt_table *pts[64];
	unsigned int npts;
};

struct tb_rng {
	uint64_t s;
};

uint64_t tb_seed(const char *what, uint64_t fallback);
uint64_t tb_rand(struct tb_rng *r);
static inline uint64_t tb_below(struct tb_rng *r, uint64_t n)
{
	return tb_rand(r) % n;
}

static inline uint64_t tb_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline void *tb_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/*
 * Creates an IOMMU over the bench memory (@tweak, may be NULL, adjusts the
 * default configuration), programs the device table, command buffer and
 * event log, and enables IommuEn, CmdBufEn, EventLogEn and both interrupts.
 */
void tb_init(struct tb *tb, void (*tweak)(struct amdvi_config *cfg));
void tb_fini(struct tb *tb);

/* Zeroed bench memory (PA), aligned. */
uint64_t tb_alloc(struct tb *tb, uint64_t size, uint64_t align);
/* Zeroed guest memory: returns the GPA. */
uint64_t tb_galloc(struct tb *tb, uint64_t size, uint64_t align);
void *tb_gpa_ptr(struct tb *tb, uint64_t gpa);

/*
 * A table in bench memory (@guest: in guest memory, addresses GPAs).
 * @levels 0: the format's default. Freed by tb_fini().
 */
struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int ias,
		       unsigned int levels, bool guest, uint32_t flags);
void tb_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
	    unsigned int prot);
/* The leaf descriptor mapping @iova (host memory tables only). */
uint64_t *tb_leaf(struct pt_table *t, uint64_t iova);

/* The DTE of @devid in the device table. */
uint64_t *tb_dte(struct tb *tb, uint16_t devid);
/* V, TV, IR, IW, a host table of @t's levels at @t's root, DomainID. */
void tb_dte_host(uint64_t *dte, uint16_t domid, struct pt_table *t);
/* GV and the GCR3 root / levels / guest paging mode. */
void tb_dte_guest(uint64_t *dte, uint64_t gcr3_root, unsigned int glx,
		  unsigned int gpm);

/* Queues one command and writes the tail. */
void tb_cmd(struct tb *tb, uint64_t q0, uint64_t q1);
void tb_inv_dte(struct tb *tb, uint16_t devid);
/* INVALIDATE_IOMMU_PAGES of 2^lg2 bytes at @addr (lg2 12: S = 0). */
void tb_inv_pages(struct tb *tb, uint16_t domid, bool gn, uint32_t pasid,
		  uint64_t addr, unsigned int lg2);
void tb_inv_all(struct tb *tb);
/* COMPLETION_WAIT with a store; asserts the store landed. */
void tb_sync(struct tb *tb);

/* Reads up to @max records from the event log and consumes them. */
unsigned int tb_events(struct tb *tb, uint64_t (*ev)[2], unsigned int max);
/* Asserts exactly one event is pending and returns it in @ev. */
void tb_one_event(struct tb *tb, uint64_t ev[2]);
void tb_no_event(struct tb *tb);

#endif
