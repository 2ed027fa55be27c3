// SPDX-License-Identifier: BSD-3-Clause
/*
 * A guest's SMMUv3 driver for an SMMU the guest owns outright -- a fully
 * emulated one, or the model itself in a test with no VMM: probe the ID
 * registers, build a stream table and the two queues in guest RAM, program
 * the base registers with their GPAs, invalidate everything the SMMU might
 * have cached, and enable; afterwards, install STEs and CDs with the
 * invalidations that make the SMMU see them.
 *
 * The bring-up order is the architecture's: everything off (CR0 = 0,
 * waiting for CR0ACK), table and queue attributes and bases while the SMMU
 * cannot use them, the command queue first so the caches can be flushed
 * before translation is enabled, the event queue, SMMUEN last.
 *
 * A nested guest (stage 1 over a VMM's stage 2 through iommufd) does not
 * use this file: its STEs go to the VMM as vSTEs (guest_ste_vste()), and
 * its commands to a virtual command queue or to the VMM.
 */
#include <errno.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "guest/guest.h"

#define SMMU_ACK_TIMEOUT_NS 2000000000ull

struct guest_smmu {
	struct guest_ram *ram;
	struct guest_mmio mmio;
	struct guest_smmu_caps caps;
	struct guest_strtab *strtab;
	struct guest_cmdq *cmdq;
	struct guest_evtq *evtq;
};

void guest_smmu_probe(const struct guest_mmio *mmio,
		      struct guest_smmu_caps *caps)
{
	unsigned int i, stall;
	uint32_t *idr = caps->idr;

	for (i = 0; i < 6; i++)
		idr[i] = guest_mmio_read32(mmio, SMMU_IDR0 + 4 * i);
	caps->s1 = smmu_fget(idr[0], SMMU_IDR0_S1P);
	caps->s2 = smmu_fget(idr[0], SMMU_IDR0_S2P);
	caps->ats = smmu_fget(idr[0], SMMU_IDR0_ATS);
	caps->pri = smmu_fget(idr[0], SMMU_IDR0_PRI);
	caps->msi = smmu_fget(idr[0], SMMU_IDR0_MSI);
	caps->cd2l = smmu_fget(idr[0], SMMU_IDR0_CD2L);
	caps->st_2lvl = smmu_fget(idr[0], SMMU_IDR0_ST_LEVEL) ==
			SMMU_ST_LEVEL_2LVL;
	caps->httu = smmu_fget(idr[0], SMMU_IDR0_HTTU);
	stall = smmu_fget(idr[0], SMMU_IDR0_STALL_MODEL);
	caps->stall = stall != SMMU_STALL_MODEL_NOSTALL;
	caps->sid_bits = smmu_fget(idr[1], SMMU_IDR1_SIDSIZE);
	caps->ssid_bits = smmu_fget(idr[1], SMMU_IDR1_SSIDSIZE);
	caps->cmdq_lg2 = smmu_fget(idr[1], SMMU_IDR1_CMDQS);
	caps->evtq_lg2 = smmu_fget(idr[1], SMMU_IDR1_EVENTQS);
	caps->ril = smmu_fget(idr[3], SMMU_IDR3_RIL);
	caps->oas_bits = smmu_ps_bits(smmu_fget(idr[5], SMMU_IDR5_OAS));
	caps->gran_4k = smmu_fget(idr[5], SMMU_IDR5_GRAN4K);
	caps->gran_16k = smmu_fget(idr[5], SMMU_IDR5_GRAN16K);
	caps->gran_64k = smmu_fget(idr[5], SMMU_IDR5_GRAN64K);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Writes CR0 and waits until CR0ACK says the same. */
static int write_cr0(struct guest_smmu *gs, uint32_t v)
{
	uint64_t deadline = now_ns() + SMMU_ACK_TIMEOUT_NS;
	unsigned int round = 0;

	guest_mmio_write32(&gs->mmio, SMMU_CR0, v);
	while (guest_mmio_read32(&gs->mmio, SMMU_CR0ACK) != v) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		guest_mmio_relax(&gs->mmio, round++);
	}
	return 0;
}

/* Defaults and limits of the configuration, from what the SMMU has. */
static int resolve_cfg(const struct guest_smmu_caps *caps,
		       const struct guest_smmu_cfg *in,
		       struct guest_smmu_cfg *out)
{
	static const struct guest_smmu_cfg none;

	if (!in)
		in = &none;
	*out = *in;
	if (!out->sid_bits)
		out->sid_bits = ufd_min(caps->sid_bits, 8u);
	if (!out->cmdq_lg2)
		out->cmdq_lg2 = ufd_min(caps->cmdq_lg2, 8u);
	if (!out->evtq_lg2)
		out->evtq_lg2 = ufd_min(caps->evtq_lg2, 7u);
	if (out->sid_bits > caps->sid_bits ||
	    (out->st_2lvl && !caps->st_2lvl) ||
	    out->cmdq_lg2 > caps->cmdq_lg2 || out->evtq_lg2 > caps->evtq_lg2)
		return -EINVAL;
	return 0;
}

/* Flushes every configuration and TLB entry the SMMU may hold. */
static int invalidate_all(struct guest_smmu *gs)
{
	uint64_t cmds[2][SMMU_CMD_DWORDS];

	guest_cmd_cfgi_all(cmds[0]);
	guest_cmd_tlbi_nsnh_all(cmds[1]);
	return guest_cmdq_submit(gs->cmdq, cmds, 2, NULL);
}

struct guest_smmu *guest_smmu_init(struct guest_ram *ram,
				   const struct guest_mmio *mmio,
				   const struct guest_smmu_cfg *in)
{
	struct guest_smmu_cfg cfg;
	struct guest_smmu *gs;
	uint32_t attrs;
	int ret;

	gs = ufd_zalloc(sizeof(*gs));
	if (!gs)
		return ERR_PTR(-ENOMEM);
	gs->ram = ram;
	gs->mmio = *mmio;
	guest_smmu_probe(mmio, &gs->caps);
	ret = -EOPNOTSUPP;
	if (!gs->caps.s1 ||
	    !(smmu_fget(gs->caps.idr[0], SMMU_IDR0_TTF) & SMMU_TTF_AARCH64))
		goto out_free;
	ret = resolve_cfg(&gs->caps, in, &cfg);
	if (ret)
		goto out_free;
	ret = write_cr0(gs, 0);
	if (ret)
		goto out_free;

	gs->strtab = guest_strtab_alloc(ram, cfg.sid_bits, cfg.st_2lvl);
	if (IS_ERR(gs->strtab)) {
		ret = (int)PTR_ERR(gs->strtab);
		gs->strtab = NULL;
		goto out_free;
	}
	gs->cmdq = guest_cmdq_alloc_smmu(ram, mmio, cfg.cmdq_lg2);
	if (IS_ERR(gs->cmdq)) {
		ret = (int)PTR_ERR(gs->cmdq);
		gs->cmdq = NULL;
		goto out_free_strtab;
	}
	guest_cmdq_set_range_inv(gs->cmdq, gs->caps.ril);
	gs->evtq = guest_evtq_alloc_smmu(ram, mmio, cfg.evtq_lg2);
	if (IS_ERR(gs->evtq)) {
		ret = (int)PTR_ERR(gs->evtq);
		gs->evtq = NULL;
		goto out_free_cmdq;
	}

	/* Tables and queues: write-back cacheable, inner shareable. */
	attrs = (uint32_t)(smmu_fprep(SMMU_CR1_QUEUE_IC, 1) |
			   smmu_fprep(SMMU_CR1_QUEUE_OC, 1) |
			   smmu_fprep(SMMU_CR1_QUEUE_SH, 3) |
			   smmu_fprep(SMMU_CR1_TABLE_IC, 1) |
			   smmu_fprep(SMMU_CR1_TABLE_OC, 1) |
			   smmu_fprep(SMMU_CR1_TABLE_SH, 3));
	guest_mmio_write32(mmio, SMMU_CR1, attrs);
	/* A transaction from an unknown StreamID is worth an event. */
	guest_mmio_write32(mmio, SMMU_CR2,
			   (uint32_t)smmu_fprep(SMMU_CR2_RECINVSID, 1));
	guest_mmio_write64(mmio, SMMU_STRTAB_BASE,
			   guest_strtab_base(gs->strtab));
	guest_mmio_write32(mmio, SMMU_STRTAB_BASE_CFG,
			   guest_strtab_base_cfg(gs->strtab));

	guest_mmio_write64(mmio, SMMU_CMDQ_BASE, guest_cmdq_base_reg(gs->cmdq));
	guest_mmio_write32(mmio, SMMU_CMDQ_PROD, 0);
	guest_mmio_write32(mmio, SMMU_CMDQ_CONS, 0);
	ret = guest_cmdq_enable(gs->cmdq);
	if (ret)
		goto out_disable;
	ret = invalidate_all(gs);
	if (ret)
		goto out_disable;

	guest_mmio_write64(mmio, SMMU_EVENTQ_BASE,
			   guest_evtq_base_reg(gs->evtq));
	guest_mmio_write32(mmio, SMMU_EVENTQ_PROD, 0);
	guest_mmio_write32(mmio, SMMU_EVENTQ_CONS, 0);
	ret = guest_evtq_enable(gs->evtq);
	if (ret)
		goto out_disable;

	ret = write_cr0(gs, guest_mmio_read32(mmio, SMMU_CR0) |
				    (uint32_t)smmu_fmask(SMMU_CR0_SMMUEN));
	if (ret)
		goto out_disable;
	return gs;

out_disable:
	write_cr0(gs, 0);
	guest_evtq_free(gs->evtq);
out_free_cmdq:
	guest_cmdq_free(gs->cmdq);
out_free_strtab:
	guest_strtab_free(gs->strtab);
out_free:
	ufd_free(gs);
	return ERR_PTR(ret);
}

void guest_smmu_destroy(struct guest_smmu *gs)
{
	if (!gs)
		return;
	/* Nothing may use the tables and queues once they are freed. */
	write_cr0(gs, 0);
	guest_evtq_free(gs->evtq);
	guest_cmdq_free(gs->cmdq);
	guest_strtab_free(gs->strtab);
	ufd_free(gs);
}

const struct guest_smmu_caps *guest_smmu_caps(const struct guest_smmu *gs)
{
	return &gs->caps;
}

struct guest_cmdq *guest_smmu_cmdq(struct guest_smmu *gs)
{
	return gs->cmdq;
}

struct guest_evtq *guest_smmu_evtq(struct guest_smmu *gs)
{
	return gs->evtq;
}

struct guest_strtab *guest_smmu_strtab(struct guest_smmu *gs)
{
	return gs->strtab;
}

static int cfgi_ste_sync(struct guest_smmu *gs, uint32_t sid,
			 struct guest_cmdq_error *err)
{
	uint64_t cmd[1][SMMU_CMD_DWORDS];

	guest_cmd_cfgi_ste(cmd[0], sid, true);
	return guest_cmdq_submit(gs->cmdq, cmd, 1, err);
}

int guest_smmu_ste_install(struct guest_smmu *gs, uint32_t sid,
			   const struct guest_ste *ste,
			   struct guest_cmdq_error *err)
{
	uint64_t words[SMMU_STE_DWORDS];
	uint64_t *old;
	int ret;

	old = guest_strtab_ste_ptr(gs->strtab, sid);
	if (old && smmu_dget(old, SMMU_STE_V)) {
		__atomic_store_n(&old[0], old[0] & ~smmu_dmask(SMMU_STE_V),
				 __ATOMIC_RELEASE);
		ret = cfgi_ste_sync(gs, sid, err);
		if (ret)
			return ret;
	}
	guest_ste_encode(ste, words);
	ret = guest_strtab_write(gs->strtab, sid, words);
	if (ret)
		return ret;
	return cfgi_ste_sync(gs, sid, err);
}

static int cfgi_cd_sync(struct guest_smmu *gs, uint32_t sid, uint32_t ssid,
			struct guest_cmdq_error *err)
{
	uint64_t cmd[1][SMMU_CMD_DWORDS];

	guest_cmd_cfgi_cd(cmd[0], sid, ssid, true);
	return guest_cmdq_submit(gs->cmdq, cmd, 1, err);
}

int guest_smmu_cd_install(struct guest_smmu *gs, uint32_t sid,
			  struct guest_cdtab *tab, uint32_t ssid,
			  const struct guest_cd *cd,
			  struct guest_cmdq_error *err)
{
	uint64_t *old = guest_cd_ptr(tab, ssid);
	int ret;

	if (old && smmu_dget(old, SMMU_CD_V)) {
		ret = guest_cd_clear(tab, ssid);
		if (!ret)
			ret = cfgi_cd_sync(gs, sid, ssid, err);
		if (ret)
			return ret;
	}
	ret = guest_cd_write(tab, ssid, cd);
	if (ret)
		return ret;
	return cfgi_cd_sync(gs, sid, ssid, err);
}
