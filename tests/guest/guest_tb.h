/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bench for src/guest: an SMMUv3 model with guest RAM in front of it, in
 * one of two worlds.
 *
 * GTB_EMULATED: the guest owns the SMMU (a VMM's fully emulated SMMU, or
 * the model with no VMM at all). The model's physical memory is guest RAM
 * itself (guest_ram_pt_ops), so every address it reads -- stream table,
 * queues, CDs, page tables -- is a GPA, and a translation's output is a GPA.
 *
 * GTB_NESTED: the model is the host's SMMU. Its physical memory is host
 * memory (host addresses, DESIGN.md): the guest's RAM buffer and a second
 * "hypervisor" buffer. The hypervisor is itself driven with src/guest over
 * an identity-mapped RAM (GPA == host address): its stream table, command
 * queue and event queue come from guest_smmu_init(), and a stage-2 table in
 * its memory maps guest RAM's GPAs to their host addresses. Guest STEs
 * reach the stream table as vSTEs merged with the hypervisor's stage-2
 * fields, as iommufd's nested HWPT does.
 */
#ifndef UIOMMUFD_TESTS_GUEST_GUEST_TB_H
#define UIOMMUFD_TESTS_GUEST_GUEST_TB_H

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

#include "guest/guest.h"
#include "hw/smmuv3/smmuv3.h"
#include "pt/pt.h"

#define GTB_GPA_BASE 0x40000000ull
#define GTB_GRAM_SIZE (32ull << 20)
#define GTB_HRAM_SIZE (16ull << 20)
#define GTB_VMID 0x42

enum gtb_mode {
	GTB_EMULATED,
	GTB_NESTED,
};

struct gtb {
	enum gtb_mode mode;
	struct smmuv3 *smmu;
	struct smmuv3_config cfg;
	/* The SMMU's registers, as the guest (or hypervisor) reaches them. */
	struct guest_mmio mmio;
	struct guest_ram *ram;
	uint8_t *gram;
	/* GTB_NESTED: the hypervisor's memory, SMMU and stage 2. */
	uint8_t *hram;
	struct guest_ram *hv;
	struct guest_smmu *hsmmu;
	struct pt_table *s2;
};

/* splitmix64 with a printed, overridable seed. */
struct gtb_rng {
	uint64_t s;
};

uint64_t gtb_seed(const char *what, uint64_t fallback);
uint64_t gtb_rand(struct gtb_rng *r);
static inline uint64_t gtb_below(struct gtb_rng *r, uint64_t n)
{
	return gtb_rand(r) % n;
}

/*
 * @tweak (may be NULL) adjusts the model's configuration. GTB_NESTED also
 * brings up the hypervisor's SMMU and a stage 2 over all of guest RAM
 * (4 KiB granule, VMID GTB_VMID).
 */
void gtb_init(struct gtb *b, enum gtb_mode mode,
	      void (*tweak)(struct smmuv3_config *cfg));
void gtb_fini(struct gtb *b);

/* Where the SMMU's output for @gpa lands: the GPA, or its host address. */
uint64_t gtb_out(struct gtb *b, uint64_t gpa);

/* Zeroed guest pages; asserts. */
uint64_t gtb_galloc(struct gtb *b, uint64_t size, uint64_t align);

/* smmuv3_translate() of a read (or @access) without asserting. */
int gtb_xlate(struct gtb *b, uint32_t sid, uint32_t ssid, uint64_t iova,
	      unsigned int access, struct smmuv3_xlate *x);
/* Asserts a successful read translation and returns its output. */
uint64_t gtb_xl(struct gtb *b, uint32_t sid, uint32_t ssid, uint64_t iova);

/*
 * GTB_NESTED: install the guest's vSTE for @sid in the hypervisor's stream
 * table with stage 2 added (or a stage-2-only STE when @vste is NULL), and
 * invalidate it.
 */
void gtb_nested_ste(struct gtb *b, uint32_t sid,
		    const struct iommu_hwpt_arm_smmuv3 *vste);

/* GTB_NESTED: remap one 4 KiB guest page in stage 2 to host @pa. */
void gtb_s2_remap(struct gtb *b, uint64_t gpa, uint64_t pa);

/* Pops one event from @q, asserting there is one, and checks id and sid. */
void gtb_expect_event(struct guest_evtq *q, struct guest_event *ev, uint8_t id,
		      uint32_t sid);
void gtb_expect_no_event(struct guest_evtq *q);

/* Asserting wrappers. */
struct guest_s1 *gtb_s1(struct gtb *b, unsigned int g, unsigned int ias);
void gtb_map(struct guest_s1 *s1, uint64_t iova, uint64_t gpa, uint64_t size,
	     unsigned int prot);
void gtb_submit1(struct guest_cmdq *q, const uint64_t cmd[SMMU_CMD_DWORDS]);

#endif
