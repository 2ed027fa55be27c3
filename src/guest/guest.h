/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a guest OS does with an SMMUv3 (and a Tegra241 CMDQV virtual queue).
 *
 * What: the driver half of the SMMU, written as a guest kernel would write
 * it, for tests, the demo and people who script guests. It knows guest RAM
 * (guest-physical addresses -- the IOVAs of the VMM's IOAS, stage-2 input
 * addresses -- and the host pointers behind them), builds stage-1 page
 * tables (src/pt), context descriptors and stream table entries in that RAM,
 * produces commands into a command queue and consumes event records from an
 * event queue.
 *
 * Why: the hardware models (src/hw) and the iommufd layers above them are
 * only tested as far as something drives them the way a guest does. This
 * library is that something, written once: every structure it places in
 * guest RAM is laid out by the field definitions of smmuv3_hw.h, and every
 * address it writes into a descriptor is a guest-physical address.
 *
 * How it reaches hardware: only through guest RAM and MMIO. A struct
 * guest_mmio names four accessors (32- and 64-bit reads and writes at an
 * offset) that go to the SMMU's registers, to a VINTF page of a CMDQV, or to
 * whatever a VMM traps; guest_mmio_bind_smmuv3() and guest_mmio_bind_vintf()
 * wire them straight to the models for tests with no VMM in between. Nothing
 * here calls src/core.
 *
 * Invariants:
 * - Descriptors hold GPAs. A structure becomes visible to hardware by its
 *   first 64-bit word (the one with V), written last with a release store.
 * - Queue indexes follow the architecture: LOG2SIZE index bits and a wrap
 *   bit above them; the queue is empty when PROD == CONS and full when they
 *   differ only in the wrap bit. The producer never overwrites an entry the
 *   consumer has not passed.
 * - The guest tells hardware about a change only with commands: rewriting
 *   a CD, an STE or a page-table entry has no effect on what the SMMU has
 *   cached until the matching CFGI/TLBI and a CMD_SYNC complete.
 *
 * Errors: negative errno; constructors return ERR_PTR. Command errors are
 * what the guest sees in CONS.ERR, reported in struct guest_cmdq_error.
 *
 * Thread safety: guest RAM allocation and each command queue are safe to
 * use from several threads (each has a lock); guest_s1 follows src/pt
 * (maps and unmaps of disjoint ranges may run concurrently). CD tables,
 * stream tables, event queues and struct guest_smmu belong to one thread
 * at a time.
 */
#ifndef UIOMMUFD_GUEST_GUEST_H
#define UIOMMUFD_GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/smmuv3/smmuv3_hw.h"
#include "pt/pt.h"

struct smmuv3;
struct cmdqv;
struct iommu_hwpt_arm_smmuv3;

/* ------------------------------------------------------------------ MMIO */

/*
 * Register accessors at a byte offset. read64/write64 may be NULL: the
 * library then makes two 32-bit accesses, low word first. relax is called
 * between two polls of a register, @round counting the polls of this wait
 * from 0 (NULL: ufd_poll_relax(), a pause and now and then a yield); a
 * test may use it to run a model that consumes only when kicked.
 */
struct guest_mmio_ops {
	uint32_t (*read32)(void *priv, uint64_t off);
	void (*write32)(void *priv, uint64_t off, uint32_t val);
	uint64_t (*read64)(void *priv, uint64_t off);
	void (*write64)(void *priv, uint64_t off, uint64_t val);
	void (*relax)(void *priv, unsigned int round);
};

/* A register window: @base is added to every offset. Copied by users. */
struct guest_mmio {
	const struct guest_mmio_ops *ops;
	void *priv;
	uint64_t base;
};

/*
 * guest_mmio_read32/write32/read64/write64 - one register access at
 * m->base + @off; guest_mmio_relax - what a poll loop does between reads
 * (@round: the polls of this wait so far).
 */
uint32_t guest_mmio_read32(const struct guest_mmio *m, uint64_t off);
void guest_mmio_write32(const struct guest_mmio *m, uint64_t off, uint32_t v);
uint64_t guest_mmio_read64(const struct guest_mmio *m, uint64_t off);
void guest_mmio_write64(const struct guest_mmio *m, uint64_t off, uint64_t v);
void guest_mmio_relax(const struct guest_mmio *m, unsigned int round);

/**
 * guest_mmio_bind_smmuv3 - @m reaches the registers of an SMMUv3 model
 * directly (smmuv3_mmio_read/write), as if the guest owned the SMMU.
 */
void guest_mmio_bind_smmuv3(struct guest_mmio *m, struct smmuv3 *smmu);

/*
 * A VINTF's page 0 of a Tegra241 CMDQV model, the page a VMM maps into its
 * guest. With @kick, polling a register runs cmdqv_kick(), for a model
 * created with CMDQV_CONSUME_KICK. Must outlive the guest_mmio bound to it.
 */
struct guest_vintf_port {
	struct cmdqv *cmdqv;
	unsigned int vintf;
	bool kick;
};

/** guest_mmio_bind_vintf - @m reaches the VINTF page @port describes. */
void guest_mmio_bind_vintf(struct guest_mmio *m, struct guest_vintf_port *port);

/* ------------------------------------------------------------- guest RAM */

#define GUEST_PAGE_LG2 12
#define GUEST_PAGE_SIZE (1ull << GUEST_PAGE_LG2)
#define GUEST_RAM_MAX_REGIONS 8

struct guest_ram;

/** guest_ram_create - an empty guest-physical address space, or NULL. */
struct guest_ram *guest_ram_create(void);

/**
 * guest_ram_destroy - forget the regions (their memory stays the caller's).
 * NULL is a no-op.
 */
void guest_ram_destroy(struct guest_ram *ram);

/**
 * guest_ram_add - GPA [gpa, gpa + size) is the host memory at @host.
 * @alloc: guest_ram_alloc() may hand out pages of this region.
 *
 * Regions are added before the RAM is used; lookups do not lock. Returns
 * 0, -EINVAL (size 0, or gpa, host or size not 4 KiB aligned), -EOVERFLOW
 * (the range wraps), -EEXIST (it overlaps a region), -ENOSPC (more than
 * GUEST_RAM_MAX_REGIONS), -ENOMEM.
 */
int guest_ram_add(struct guest_ram *ram, uint64_t gpa, void *host,
		  uint64_t size, bool alloc);

/**
 * guest_ram_ptr - host pointer to @len bytes at @gpa, or NULL unless they
 * lie within one region.
 */
void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len);

/**
 * guest_ram_gpa - the GPA of host address @host. Returns 0 and sets *gpa,
 * or -ENOENT when no region holds it.
 */
int guest_ram_gpa(const struct guest_ram *ram, const void *host, uint64_t *gpa);

/**
 * guest_ram_alloc - zeroed guest pages.
 * @size: rounded up to whole 4 KiB pages.
 * @align: of the GPA; a power of two, at least a page is used.
 * @gpa: set to the GPA.
 *
 * First fit over the regions added with @alloc. Returns the host pointer,
 * or NULL when nothing fits or @size/@align is invalid.
 */
void *guest_ram_alloc(struct guest_ram *ram, uint64_t size, uint64_t align,
		      uint64_t *gpa);

/**
 * guest_ram_free - return pages from guest_ram_alloc(). @size is the size
 * asked for. Freeing what was not allocated is a caller bug (UFD_WARN_ON).
 */
void guest_ram_free(struct guest_ram *ram, uint64_t gpa, uint64_t size);

/** guest_ram_free_bytes - allocatable bytes not allocated now. */
uint64_t guest_ram_free_bytes(struct guest_ram *ram);

/*
 * Guest RAM as pt_mem_ops (priv: struct guest_ram *): .map turns a GPA into
 * a host pointer or refuses, .alloc/.free use the page allocator. What
 * src/pt uses for guest tables, and the memory of an SMMU model that a VMM
 * emulates for its guest (the model then sees GPAs as physical addresses).
 */
extern const struct pt_mem_ops guest_ram_pt_ops;

/* ------------------------------------------------------ stage-1 tables */

struct guest_s1;

/**
 * guest_s1_alloc - an empty VMSAv8-64 stage-1 table in guest RAM.
 * @granule_lg2: 12, 14 or 16.
 * @ias: input address bits (25..48); becomes CD.T0SZ = 64 - ias.
 * @pt_flags: PT_CFG_* (PT_CFG_DIRTY for DBM leaves).
 *
 * Output addresses and table addresses are GPAs below 2^48. Returns the
 * table or an ERR_PTR: -EINVAL (geometry), -ENOMEM.
 */
struct guest_s1 *guest_s1_alloc(struct guest_ram *ram, unsigned int granule_lg2,
				unsigned int ias, uint32_t pt_flags);

/** guest_s1_free - free every table page. NULL is a no-op. */
void guest_s1_free(struct guest_s1 *s1);

/**
 * guest_s1_map - map IOVA [iova, iova + size) to GPA [gpa, gpa + size).
 * @prot: PT_PROT_* (READ and/or WRITE, CACHE, NOEXEC, PRIV, MMIO).
 *
 * All or nothing. Returns 0, -EINVAL (alignment, empty, prot), -EOVERFLOW,
 * -ERANGE (beyond the IAS or 48-bit GPAs), -EADDRINUSE (already mapped),
 * -ENOMEM.
 */
int guest_s1_map(struct guest_s1 *s1, uint64_t iova, uint64_t gpa,
		 uint64_t size, unsigned int prot);

/**
 * guest_s1_unmap - remove whatever is mapped in [iova, iova + size),
 * splitting blocks the range cuts. Tables it empties are kept until
 * guest_s1_reclaim(), since the SMMU may walk them until invalidated.
 *
 * Returns 0, -EINVAL (alignment, empty), -EOVERFLOW, -ERANGE, -ENOMEM
 * (a split needed a table).
 */
int guest_s1_unmap(struct guest_s1 *s1, uint64_t iova, uint64_t size);

/**
 * guest_s1_reclaim - free the tables unmaps detached. Call after the TLB
 * invalidation covering those unmaps completed (CMD_SYNC).
 */
void guest_s1_reclaim(struct guest_s1 *s1);

/** guest_s1_root - GPA of the top table (CD.TTB0). */
uint64_t guest_s1_root(const struct guest_s1 *s1);
/** guest_s1_granule_lg2 - the granule given to guest_s1_alloc(). */
unsigned int guest_s1_granule_lg2(const struct guest_s1 *s1);
/** guest_s1_ias - the input address bits given to guest_s1_alloc(). */
unsigned int guest_s1_ias(const struct guest_s1 *s1);

/**
 * guest_s1_iova_to_gpa - what the table says for @iova. Returns 0 and sets
 * *gpa, or -ENOENT.
 */
int guest_s1_iova_to_gpa(struct guest_s1 *s1, uint64_t iova, uint64_t *gpa);

/** guest_s1_table - the src/pt table, for walks and dirty harvesting. */
struct pt_table *guest_s1_table(struct guest_s1 *s1);

/* --------------------------------------------------- context descriptors */

/*
 * Memory attributes of the MAIR the library programs: AttrIndx 0 normal
 * non-cacheable, 1 normal write-back read/write-allocate, 2 device-nGnRE --
 * the indexes src/pt writes into stage-1 leaves.
 */
#define GUEST_MAIR_DEFAULT 0x000000000004ff44ull

/*
 * A context descriptor (5.4) in decoded form. guest_cd_init() fills a
 * valid one for a guest_s1; tests change fields to make it bad.
 * Granules are given as log2 sizes (12, 14, 16); any other value encodes
 * the reserved TG encoding.
 */
struct guest_cd {
	bool valid; /* V */
	bool aa64;  /* AA64: VMSAv8-64 tables */
	uint16_t asid;
	uint64_t ttb0; /* GPA of the TTB0 table */
	unsigned int t0sz;
	unsigned int tg0_lg2;
	bool epd0;
	uint64_t ttb1; /* GPA of the TTB1 table */
	unsigned int t1sz;
	unsigned int tg1_lg2;
	bool epd1;
	unsigned int ips; /* SMMU_PS_* */
	unsigned int ir0, or0, sh0, ir1, or1, sh1;
	uint64_t mair;
	bool tbi0, tbi1, affd, wxn, uwxn, pan, ha, hd;
	bool r, a, s; /* record, abort (vs RAZ/WI), stall */
};

/**
 * guest_cd_init - a valid CD translating through @s1 (TTB0, TTB1 disabled)
 * with ASID @asid: AA64, IPS 48 bits, write-back inner-shareable walks,
 * GUEST_MAIR_DEFAULT, R = A = 1.
 */
void guest_cd_init(struct guest_cd *cd, const struct guest_s1 *s1,
		   uint16_t asid);

/** guest_cd_encode - the eight 64-bit words of @cd. */
void guest_cd_encode(const struct guest_cd *cd, uint64_t out[SMMU_CD_DWORDS]);

struct guest_cdtab;

/**
 * guest_cdtab_alloc - a context descriptor table in guest RAM.
 * @s1cdmax: STE.S1CDMax: 2^s1cdmax CDs (0: one CD, no substreams).
 * @s1fmt: SMMU_S1FMT_LINEAR, _4K_L2 (64 CDs per leaf table) or _64K_L2
 *         (1024); 2-level leaf tables are allocated when first written.
 *
 * Returns the table or an ERR_PTR: -EINVAL (s1cdmax > 20, bad s1fmt),
 * -ENOMEM.
 */
struct guest_cdtab *guest_cdtab_alloc(struct guest_ram *ram,
				      unsigned int s1cdmax, unsigned int s1fmt);

/** guest_cdtab_free - free the table and its leaf tables. NULL: no-op. */
void guest_cdtab_free(struct guest_cdtab *tab);

/** guest_cdtab_gpa - STE.S1ContextPtr: GPA of the (level-1) table. */
uint64_t guest_cdtab_gpa(const struct guest_cdtab *tab);
/** guest_cdtab_s1cdmax - STE.S1CDMax for the table. */
unsigned int guest_cdtab_s1cdmax(const struct guest_cdtab *tab);
/** guest_cdtab_s1fmt - STE.S1Fmt (linear when S1CDMax is 0). */
unsigned int guest_cdtab_s1fmt(const struct guest_cdtab *tab);

/**
 * guest_cd_write - encode @cd into slot @ssid: words 1-7, then word 0.
 *
 * The SMMU keeps using a cached CD until CFGI_CD (guest_smmu_cd_install()
 * does both). Returns 0, -ERANGE (ssid >= 2^s1cdmax), -ENOMEM (a leaf
 * table).
 */
int guest_cd_write(struct guest_cdtab *tab, uint32_t ssid,
		   const struct guest_cd *cd);

/** guest_cd_clear - make slot @ssid invalid. Returns 0 or -ERANGE. */
int guest_cd_clear(struct guest_cdtab *tab, uint32_t ssid);

/**
 * guest_cd_ptr - the eight words of slot @ssid in guest RAM, or NULL when
 * out of range or its leaf table does not exist yet.
 */
uint64_t *guest_cd_ptr(struct guest_cdtab *tab, uint32_t ssid);

/* -------------------------------------------------- stream table entries */

/*
 * The guest's view of a stream table entry (5.2): only the fields a guest
 * owns (the ones iommufd accepts in a vSTE) plus V. Config is any 3-bit
 * value (SMMU_STE_CFG_*), so a test can write an illegal one.
 */
struct guest_ste {
	bool valid;
	unsigned int config;
	uint64_t s1ctxptr; /* GPA of the CD table */
	unsigned int s1cdmax, s1fmt, s1dss;
	unsigned int s1cir, s1cor, s1csh;
	unsigned int eats;
	bool s1stalld;
};

/** guest_ste_init_abort - a valid STE whose Config aborts every access. */
void guest_ste_init_abort(struct guest_ste *ste);
/** guest_ste_init_bypass - a valid STE whose Config bypasses the SMMU. */
void guest_ste_init_bypass(struct guest_ste *ste);

/**
 * guest_ste_init_s1 - stage-1 translation through @tab, with S1DSS @s1dss
 * (SMMU_S1DSS_*) for transactions without a SubstreamID, write-back
 * inner-shareable CD fetches.
 */
void guest_ste_init_s1(struct guest_ste *ste, const struct guest_cdtab *tab,
		       unsigned int s1dss);

/** guest_ste_encode - all eight words (words 2-7 zero). */
void guest_ste_encode(const struct guest_ste *ste,
		      uint64_t out[SMMU_STE_DWORDS]);

/**
 * guest_ste_vste - the vSTE a VMM passes to IOMMU_HWPT_ALLOC: words 0 and 1,
 * little-endian.
 */
void guest_ste_vste(const struct guest_ste *ste,
		    struct iommu_hwpt_arm_smmuv3 *out);

struct guest_strtab;

/**
 * guest_strtab_alloc - a stream table in guest RAM for 2^sid_bits streams.
 * @two_level: SPLIT 8 (256 STEs per leaf table, allocated when first
 *             written); else linear, aligned to its size.
 *
 * Returns the table or an ERR_PTR: -EINVAL (sid_bits > 32; linear beyond
 * 2^24 STEs), -ENOMEM.
 */
struct guest_strtab *guest_strtab_alloc(struct guest_ram *ram,
					unsigned int sid_bits, bool two_level);

/** guest_strtab_free - free the table and leaf tables. NULL: no-op. */
void guest_strtab_free(struct guest_strtab *st);

/**
 * guest_strtab_write - store @ste for @sid: words 1-7, then word 0.
 *
 * Returns 0, -ERANGE (sid beyond the table), -ENOMEM (a leaf table).
 */
int guest_strtab_write(struct guest_strtab *st, uint32_t sid,
		       const uint64_t ste[SMMU_STE_DWORDS]);

/** guest_strtab_ste_ptr - @sid's STE in guest RAM, or NULL. */
uint64_t *guest_strtab_ste_ptr(struct guest_strtab *st, uint32_t sid);

/** guest_strtab_base - value for SMMU_STRTAB_BASE (RA set). */
uint64_t guest_strtab_base(const struct guest_strtab *st);

/** guest_strtab_base_cfg - value for SMMU_STRTAB_BASE_CFG. */
uint32_t guest_strtab_base_cfg(const struct guest_strtab *st);

/* -------------------------------------------------------------- commands */

/* An SSID argument meaning "no SubstreamID" (SSV = 0). */
#define GUEST_NO_SSID UINT32_MAX

/*
 * The range of a TLBI by address (4.4.1.1), as encoded: TG (SMMU_TLBI_TG_*;
 * 0: the one address), NUM (granules - 1 before scaling), SCALE and TTL.
 * A NULL range means TG = 0.
 */
struct guest_tlbi_range {
	unsigned int tg, num, scale, ttl;
};

/*
 * Encoders: one per command, fields as smmuv3_hw.h declares them (4.x).
 * Values wider than their field are truncated to it; addresses lose the
 * bits below the field (page offset).
 */
void guest_cmd_tlbi_nh_all(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid);
void guest_cmd_tlbi_nh_asid(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			    uint16_t asid);
void guest_cmd_tlbi_nh_va(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			  uint16_t asid, uint64_t va,
			  const struct guest_tlbi_range *rng, bool leaf);
void guest_cmd_tlbi_nh_vaa(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			   uint64_t va, const struct guest_tlbi_range *rng,
			   bool leaf);
void guest_cmd_tlbi_s2_ipa(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			   uint64_t ipa, const struct guest_tlbi_range *rng,
			   bool leaf);
void guest_cmd_tlbi_s12_vmall(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid);
void guest_cmd_tlbi_nsnh_all(uint64_t cmd[SMMU_CMD_DWORDS]);
void guest_cmd_cfgi_ste(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid, bool leaf);
/* StreamIDs sid & ~(2^(range+1) - 1) .. | (2^(range+1) - 1). */
void guest_cmd_cfgi_ste_range(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			      unsigned int range);
void guest_cmd_cfgi_all(uint64_t cmd[SMMU_CMD_DWORDS]);
void guest_cmd_cfgi_cd(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		       uint32_t ssid, bool leaf);
void guest_cmd_cfgi_cd_all(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid);
/*
 * @ssid: GUEST_NO_SSID for requests without PASID. @size: the Size field,
 * 2^size 4 KiB pages at @addr (SMMU_ATC_INV_SIZE_ALL: everything); see
 * guest_atc_inv_span().
 */
void guest_cmd_atc_inv(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		       uint32_t ssid, uint64_t addr, unsigned int size,
		       bool global);
void guest_cmd_pri_resp(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			uint32_t ssid, uint16_t prgi, unsigned int resp);
void guest_cmd_resume(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		      uint16_t stag, unsigned int action);
void guest_cmd_stall_term(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid);
void guest_cmd_prefetch_config(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			       uint32_t ssid);
/* @cs: SMMU_SYNC_SIG_*; @msi_addr 0: no MSI. */
void guest_cmd_sync(uint64_t cmd[SMMU_CMD_DWORDS], unsigned int cs,
		    uint64_t msi_addr, uint32_t msi_data);

/**
 * guest_atc_inv_span - the smallest naturally aligned power-of-two span
 * of pages covering [iova, iova + len), as CMD_ATC_INV's Address and Size.
 * @len 0 or a span beyond 2^63 bytes: everything (SMMU_ATC_INV_SIZE_ALL).
 */
void guest_atc_inv_span(uint64_t iova, uint64_t len, uint64_t *addr,
			unsigned int *size);

/* ------------------------------------------------------ command queues */

struct guest_cmdq;

/*
 * What went wrong in the queue during one call, as the guest saw it: the
 * first error's CONS.ERR code, the index (with wrap bit) CONS stopped at and
 * the command found there. Errors with code CERROR_ILL are skipped (the
 * command is overwritten with a CMD_SYNC, as Linux does), CERROR_ATC_INV_SYNC
 * retries the CMD_SYNC; CERROR_ABT leaves the queue stopped (@stopped).
 */
struct guest_cmdq_error {
	unsigned int count;
	unsigned int cerror;
	uint32_t index;
	uint64_t cmd[SMMU_CMD_DWORDS];
	bool stopped;
};

/**
 * guest_cmdq_alloc_smmu - the SMMU's own command queue (CMDQ_BASE, PROD,
 * CONS, CR0.CMDQEN, GERROR.CMDQ_ERR), 2^log2size entries in guest RAM.
 *
 * Returns the queue or an ERR_PTR: -EINVAL (log2size > 19), -ENOMEM.
 */
struct guest_cmdq *guest_cmdq_alloc_smmu(struct guest_ram *ram,
					 const struct guest_mmio *mmio,
					 unsigned int log2size);

/**
 * guest_cmdq_alloc_vcmdq - logical VCMDQ @lvcmdq of the VINTF page @mmio
 * reaches (its CONS, PROD, CONFIG, STATUS, GERROR, GERRORN). The queue's
 * base lives in the host-owned page 1: the VMM programs it from
 * guest_cmdq_base_reg() (translating the GPA).
 *
 * Returns the queue or an ERR_PTR: -EINVAL (log2size > 19, lvcmdq beyond
 * the page), -ENOMEM.
 */
struct guest_cmdq *guest_cmdq_alloc_vcmdq(struct guest_ram *ram,
					  const struct guest_mmio *mmio,
					  unsigned int lvcmdq,
					  unsigned int log2size);

/** guest_cmdq_free - free the ring. The queue should be disabled. */
void guest_cmdq_free(struct guest_cmdq *q);

/** guest_cmdq_gpa - GPA of the ring (entry 0). */
uint64_t guest_cmdq_gpa(const struct guest_cmdq *q);
/** guest_cmdq_log2size - entries in the ring, log2. */
unsigned int guest_cmdq_log2size(const struct guest_cmdq *q);

/** guest_cmdq_base_reg - ADDR | LOG2SIZE as CMDQ_BASE and VCMDQ BASE. */
uint64_t guest_cmdq_base_reg(const struct guest_cmdq *q);

/**
 * guest_cmdq_enable - take PROD from hardware and enable the queue:
 * CR0.CMDQEN (waiting for CR0ACK) or VCMDQ CONFIG.EN (waiting for STATUS).
 * The base register must be programmed. Returns 0 or -ETIMEDOUT.
 */
int guest_cmdq_enable(struct guest_cmdq *q);

/** guest_cmdq_disable - the reverse. Returns 0 or -ETIMEDOUT. */
int guest_cmdq_disable(struct guest_cmdq *q);

/** guest_cmdq_set_timeout - how long a wait polls (default 2 s). */
void guest_cmdq_set_timeout(struct guest_cmdq *q, uint64_t ns);

/**
 * guest_cmdq_set_range_inv - whether the SMMU has range invalidation
 * (IDR3.RIL), which guest_cmdq_tlbi_range() then uses. Default off.
 */
void guest_cmdq_set_range_inv(struct guest_cmdq *q, bool ril);

/**
 * guest_cmdq_push - write one command at PROD.
 * @err: may be NULL.
 *
 * Publishes PROD only when the ring is full and it must wait for space.
 * Returns 0, -EIO (a command error; see @err), -ETIMEDOUT.
 */
int guest_cmdq_push(struct guest_cmdq *q, const uint64_t cmd[SMMU_CMD_DWORDS],
		    struct guest_cmdq_error *err);

/**
 * guest_cmdq_sync - push a CMD_SYNC, publish PROD and poll CONS until the
 * CMD_SYNC has been consumed (so every earlier command has completed).
 * @err: may be NULL; zeroed first.
 *
 * Returns 0; -EIO when a command failed on the way (skipped or retried as
 * struct guest_cmdq_error says, and the wait completed unless @stopped);
 * -ETIMEDOUT when CONS did not get there in time.
 */
int guest_cmdq_sync(struct guest_cmdq *q, struct guest_cmdq_error *err);

/**
 * guest_cmdq_submit - push @n commands and a CMD_SYNC, and wait for it.
 * Returns as guest_cmdq_sync(), whose @err covers the pushes too.
 */
int guest_cmdq_submit(struct guest_cmdq *q,
		      const uint64_t (*cmds)[SMMU_CMD_DWORDS], unsigned int n,
		      struct guest_cmdq_error *err);

/**
 * guest_cmdq_tlbi_range - push the TLB invalidations of [iova, iova +
 * size) for one granule (no CMD_SYNC).
 * @op: SMMU_CMD_TLBI_NH_VA (@asid used), _NH_VAA or _S2_IPA.
 *
 * With range invalidation the range is covered by as few range commands
 * as NUM/SCALE allow (a lone granule is widened to two: a range of one
 * granule without TTL is a reserved encoding); without, one command per
 * granule, or one wider
 * command (NH_ASID, NH_ALL, S12_VMALL) above 512 granules. Returns 0,
 * -EINVAL (op, granule, alignment, empty), -EOVERFLOW, or as
 * guest_cmdq_push().
 */
int guest_cmdq_tlbi_range(struct guest_cmdq *q, unsigned int op, uint16_t vmid,
			  uint16_t asid, uint64_t iova, uint64_t size,
			  unsigned int granule_lg2, bool leaf,
			  struct guest_cmdq_error *err);

/* --------------------------------------------------------- event queues */

/*
 * An event record (7.3) decoded. Fields the event type does not define are
 * zero, with their has_* flag clear.
 */
struct guest_event {
	uint8_t id; /* SMMU_EVT_* number */
	uint32_t sid;
	bool ssv;
	uint32_t ssid;
	bool stall;
	uint16_t stag;
	bool pnu, ind, rnw; /* privileged, instruction, read */
	bool s2;	    /* the fault is at stage 2 */
	unsigned int cls;   /* SMMU_CLASS_*: what the walk was fetching */
	bool has_addr;
	uint64_t input_addr;
	bool has_ipa;
	uint64_t ipa;
	bool has_fetch;
	uint64_t fetch_addr;
	uint64_t raw[SMMU_EVT_DWORDS];
};

/** guest_event_decode - decode a record (from a ring or a vEVENTQ). */
void guest_event_decode(const uint64_t raw[SMMU_EVT_DWORDS],
			struct guest_event *ev);

/** guest_event_name - "F_TRANSLATION", ...; "UNKNOWN" otherwise. */
const char *guest_event_name(unsigned int id);

struct guest_evtq;

/**
 * guest_evtq_alloc_smmu - the SMMU's event queue (EVENTQ_BASE, PROD, CONS,
 * CR0.EVENTQEN) of 2^log2size records in guest RAM.
 *
 * Returns the queue or an ERR_PTR: -EINVAL (log2size > 19), -ENOMEM.
 */
struct guest_evtq *guest_evtq_alloc_smmu(struct guest_ram *ram,
					 const struct guest_mmio *mmio,
					 unsigned int log2size);

/** guest_evtq_free - free the ring. NULL is a no-op. */
void guest_evtq_free(struct guest_evtq *q);
/** guest_evtq_gpa - GPA of the ring (record 0). */
uint64_t guest_evtq_gpa(const struct guest_evtq *q);

/** guest_evtq_base_reg - ADDR | LOG2SIZE for EVENTQ_BASE. */
uint64_t guest_evtq_base_reg(const struct guest_evtq *q);

/**
 * guest_evtq_enable - take CONS from hardware, set CR0.EVENTQEN and wait
 * for CR0ACK. The base register must be programmed. 0 or -ETIMEDOUT.
 */
int guest_evtq_enable(struct guest_evtq *q);

/**
 * guest_evtq_pop - take the oldest record and move CONS past it.
 *
 * Acknowledges an overflow (PROD.OVFLG) on the way, counting it. Returns
 * 1 with @ev filled, 0 when the queue is empty.
 */
int guest_evtq_pop(struct guest_evtq *q, struct guest_event *ev);

/** guest_evtq_overflows - overflows acknowledged so far. */
unsigned int guest_evtq_overflows(const struct guest_evtq *q);

/* ----------------------------------------------- a guest's SMMU driver */

/* What the SMMU says it implements (IDR0..5), decoded. */
struct guest_smmu_caps {
	uint32_t idr[6];
	bool s1, s2, ats, pri, msi, cd2l, st_2lvl, ril, stall;
	unsigned int httu;
	unsigned int sid_bits, ssid_bits, oas_bits;
	unsigned int cmdq_lg2, evtq_lg2;
	bool gran_4k, gran_16k, gran_64k;
};

/** guest_smmu_probe - read and decode the ID registers. */
void guest_smmu_probe(const struct guest_mmio *mmio,
		      struct guest_smmu_caps *caps);

/* How guest_smmu_init() sets the SMMU up; zero picks the default. */
struct guest_smmu_cfg {
	unsigned int sid_bits; /* default min(SIDSIZE, 8) */
	bool st_2lvl;	       /* 2-level stream table, if implemented */
	unsigned int cmdq_lg2; /* default min(CMDQS, 8) */
	unsigned int evtq_lg2; /* default min(EVENTQS, 7) */
};

struct guest_smmu;

/**
 * guest_smmu_init - probe and bring up an SMMU the guest owns (a fully
 * emulated one): disable, program a stream table of invalid STEs (a
 * transaction then records C_BAD_STE) and the command queue, invalidate
 * everything (CFGI_ALL, TLBI_NSNH_ALL, CMD_SYNC), program the event queue,
 * then set SMMUEN.
 * @cfg: NULL for the defaults.
 *
 * Returns the SMMU or an ERR_PTR: -EOPNOTSUPP (no stage 1, no AArch64
 * tables), -EINVAL (cfg beyond the SMMU), -ENOMEM, -ETIMEDOUT (an enable
 * was not acknowledged), -EIO (a command failed).
 */
struct guest_smmu *guest_smmu_init(struct guest_ram *ram,
				   const struct guest_mmio *mmio,
				   const struct guest_smmu_cfg *cfg);

/** guest_smmu_destroy - clear CR0 and free everything. NULL: no-op. */
void guest_smmu_destroy(struct guest_smmu *gs);

/*
 * guest_smmu_caps/cmdq/evtq/strtab - what guest_smmu_init() probed and
 * built; owned by @gs, valid until guest_smmu_destroy().
 */
const struct guest_smmu_caps *guest_smmu_caps(const struct guest_smmu *gs);
struct guest_cmdq *guest_smmu_cmdq(struct guest_smmu *gs);
struct guest_evtq *guest_smmu_evtq(struct guest_smmu *gs);
struct guest_strtab *guest_smmu_strtab(struct guest_smmu *gs);

/**
 * guest_smmu_ste_install - point @sid at @ste. A valid STE is first made
 * invalid (CFGI_STE, CMD_SYNC), then rewritten and invalidated again: a
 * break-before-make update the SMMU can never see half-written.
 *
 * Returns 0, -ERANGE, -ENOMEM, or as guest_cmdq_sync().
 */
int guest_smmu_ste_install(struct guest_smmu *gs, uint32_t sid,
			   const struct guest_ste *ste,
			   struct guest_cmdq_error *err);

/**
 * guest_smmu_cd_install - write @cd into @tab's slot @ssid and invalidate
 * it for @sid (CFGI_CD, CMD_SYNC). Returns as guest_cd_write() or
 * guest_cmdq_sync().
 */
int guest_smmu_cd_install(struct guest_smmu *gs, uint32_t sid,
			  struct guest_cdtab *tab, uint32_t ssid,
			  const struct guest_cd *cd,
			  struct guest_cmdq_error *err);

#endif
