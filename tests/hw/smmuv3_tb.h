/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test bench for the SMMUv3 model: "physical memory" made of host buffers
 * (a physical address is the host address, DESIGN.md, and the SMMU may touch
 * nothing outside the buffers), the SMMU's queues and stream table in that
 * memory, register and queue access the way a driver does it, and raw
 * STE/CD builders that only place fields (smmuv3_hw.h) -- no policy.
 *
 * Guest memory for nested tests is a second buffer seen at guest physical
 * address TB_GPA_BASE: the test writes guest tables there through
 * tb_gpa_ptr(), and a stage 2 table built by the test maps the IPAs.
 */
#ifndef UIOMMUFD_TESTS_HW_SMMUV3_TB_H
#define UIOMMUFD_TESTS_HW_SMMUV3_TB_H

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

#include "hw/smmuv3/smmuv3.h"
#include "pt/pt.h"

#define TB_RAM_SIZE (24ull << 20)
#define TB_GRAM_SIZE (8ull << 20)
#define TB_GPA_BASE 0x80000000ull
#define TB_STE_LOG2 8 /* linear stream table entries */
#define TB_CMDQ_LOG2 8
#define TB_EVTQ_LOG2 6

struct tb {
	struct smmuv3 *smmu;
	struct smmuv3_config cfg;
	/* Host RAM: PA == host address. */
	uint8_t *ram;
	uint64_t ram_next;
	/* Guest RAM at TB_GPA_BASE. */
	uint8_t *gram;
	uint64_t gram_next;
	/* Addresses of the structures the bench set up. */
	uint64_t strtab;
	uint64_t cmdq;
	uint64_t evtq;
	uint32_t cmdq_prod;
	/* Interrupts seen, per enum smmuv3_irq. */
	unsigned int irqs[8];
	/* Tables made by tb_pt(), freed by tb_fini(). */
	struct pt_table *pts[64];
	unsigned int npts;
};

/* splitmix64, seeded and printed. */
struct tb_rng {
	uint64_t s;
};

uint64_t tb_seed(const char *what, uint64_t fallback);
uint64_t tb_rand(struct tb_rng *r);
static inline uint64_t tb_below(struct tb_rng *r, uint64_t n)
{
	return tb_rand(r) % n;
}

/*
 * Creates an SMMU over the bench memory; @tweak (may be NULL) adjusts the
 * default configuration first. Sets up a linear stream table of
 * 2^TB_STE_LOG2 STEs, a command queue and an event queue, and enables
 * SMMUEN, CMDQEN and EVENTQEN.
 */
void tb_init(struct tb *tb, void (*tweak)(struct smmuv3_config *cfg));
/* Same without enabling anything or programming any base register. */
void tb_init_raw(struct tb *tb, void (*tweak)(struct smmuv3_config *cfg));
void tb_fini(struct tb *tb);

/* Zeroed host RAM, aligned; returns its PA. */
uint64_t tb_alloc(struct tb *tb, uint64_t size, uint64_t align);
/* Zeroed guest RAM; returns its GPA. */
uint64_t tb_galloc(struct tb *tb, uint64_t size, uint64_t align);
void *tb_gpa_ptr(struct tb *tb, uint64_t gpa);
static inline void *tb_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
static inline uint64_t tb_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Registers. */
uint32_t tb_rd(struct tb *tb, uint64_t off);
void tb_wr(struct tb *tb, uint64_t off, uint32_t v);
uint64_t tb_rd64(struct tb *tb, uint64_t off);
void tb_wr64(struct tb *tb, uint64_t off, uint64_t v);

/* The STE of @sid in the linear stream table. */
uint64_t *tb_ste(struct tb *tb, uint32_t sid);

/*
 * Pushes commands and writes CMDQ_PROD. Returns the command error
 * (CMDQ_CONS.ERR) if GERROR.CMDQ_ERR became active, else 0.
 */
unsigned int tb_cmd(struct tb *tb, uint64_t c0, uint64_t c1);
/* Acknowledges an active CMDQ_ERR through GERRORN. */
void tb_ack_cmdq_err(struct tb *tb);
/* CMD_SYNC with no signal; returns its error. */
unsigned int tb_sync(struct tb *tb);
unsigned int tb_cfgi_ste(struct tb *tb, uint32_t sid);
unsigned int tb_cfgi_cd(struct tb *tb, uint32_t sid, uint32_t ssid);
unsigned int tb_cfgi_all(struct tb *tb);
unsigned int tb_tlbi_all(struct tb *tb);

/* Pops one event record; false when the queue is empty. */
bool tb_event(struct tb *tb, uint64_t evt[4]);
/* Events waiting. */
unsigned int tb_event_count(struct tb *tb);
/* Drops all pending events. */
void tb_events_clear(struct tb *tb);

/* Memory ops for pt: tables in bench host RAM (PA) or guest RAM (GPA). */
extern const struct pt_mem_ops tb_host_pt_ops;
extern const struct pt_mem_ops tb_guest_pt_ops;

/*
 * A table of @fmt in bench memory (host RAM, or guest RAM when @guest).
 * @levels 0: the fewest.
 */
struct pt_table *tb_pt(struct tb *tb, enum pt_format fmt, unsigned int g,
		       unsigned int ias, unsigned int levels, bool guest);
void tb_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t len,
	    unsigned int prot);

/* STE builders: each zeroes the STE, then sets V and the fields. */
void tb_ste_abort(uint64_t *ste);
void tb_ste_bypass(uint64_t *ste);
/* Stage 1 only; @cdmax and @fmt per STE.S1CDMax/S1Fmt, @dss S1DSS. */
void tb_ste_s1(uint64_t *ste, uint64_t cdptr, unsigned int cdmax,
	       unsigned int fmt, unsigned int dss);
/* Adds stage 2 to an STE (Config becomes S2 or nested). */
void tb_ste_add_s2(uint64_t *ste, uint16_t vmid, struct pt_table *s2);
/* Stage 2 only. */
void tb_ste_s2(uint64_t *ste, uint16_t vmid, struct pt_table *s2);

/* A valid CD for @s1 (TTB0), ASID @asid, R = A = 1, IPS 48. */
void tb_cd(uint64_t *cd, uint16_t asid, struct pt_table *s1);

/* The leaf descriptor pt wrote for @iova, to tamper with. */
uint64_t *tb_leaf(struct pt_table *t, uint64_t iova, bool guest, struct tb *tb);

/* Asserts an event record's defining fields. */
void tb_expect_event(struct tb *tb, uint8_t id, uint32_t sid);

#endif
