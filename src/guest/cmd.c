// SPDX-License-Identifier: BSD-3-Clause
/*
 * Command encoders (IHI 0070 chapter 4): one function per command, each
 * placing its fields with the (dword, shift, width) definitions of
 * smmuv3_hw.h. They build what the guest means and never check it against
 * what an SMMU implements: a guest may issue an illegal command and learn
 * about it from CONS.ERR, and tests rely on being able to.
 */
#include <string.h>

#include "guest/guest.h"

static void cmd_start(uint64_t cmd[SMMU_CMD_DWORDS], unsigned int op)
{
	cmd[0] = smmu_dprep(SMMU_CMD_OP, op);
	cmd[1] = 0;
}

/* SSV and SSID of commands addressed to a (StreamID, SubstreamID). */
static void cmd_ssid(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t ssid)
{
	if (ssid == GUEST_NO_SSID)
		return;
	cmd[0] |= smmu_dprep(SMMU_CMD_SSV, 1) | smmu_dprep(SMMU_CMD_SSID, ssid);
}

static void tlbi_range(uint64_t cmd[SMMU_CMD_DWORDS],
		       const struct guest_tlbi_range *rng, bool leaf)
{
	cmd[1] |= smmu_dprep(SMMU_CMD_TLBI_LEAF, leaf);
	if (!rng)
		return;
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_NUM, rng->num) |
		  smmu_dprep(SMMU_CMD_TLBI_SCALE, rng->scale);
	cmd[1] |= smmu_dprep(SMMU_CMD_TLBI_TG, rng->tg) |
		  smmu_dprep(SMMU_CMD_TLBI_TTL, rng->ttl);
}

void guest_cmd_tlbi_nh_all(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid)
{
	cmd_start(cmd, SMMU_CMD_TLBI_NH_ALL);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid);
}

void guest_cmd_tlbi_nh_asid(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			    uint16_t asid)
{
	cmd_start(cmd, SMMU_CMD_TLBI_NH_ASID);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid) |
		  smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
}

void guest_cmd_tlbi_nh_va(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			  uint16_t asid, uint64_t va,
			  const struct guest_tlbi_range *rng, bool leaf)
{
	cmd_start(cmd, SMMU_CMD_TLBI_NH_VA);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid) |
		  smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
	cmd[1] |= smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12);
	tlbi_range(cmd, rng, leaf);
}

void guest_cmd_tlbi_nh_vaa(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			   uint64_t va, const struct guest_tlbi_range *rng,
			   bool leaf)
{
	cmd_start(cmd, SMMU_CMD_TLBI_NH_VAA);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid);
	cmd[1] |= smmu_dprep(SMMU_CMD_TLBI_VA, va >> 12);
	tlbi_range(cmd, rng, leaf);
}

void guest_cmd_tlbi_s2_ipa(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid,
			   uint64_t ipa, const struct guest_tlbi_range *rng,
			   bool leaf)
{
	cmd_start(cmd, SMMU_CMD_TLBI_S2_IPA);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid);
	cmd[1] |= smmu_dprep(SMMU_CMD_TLBI_IPA, ipa >> 12);
	tlbi_range(cmd, rng, leaf);
}

void guest_cmd_tlbi_s12_vmall(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t vmid)
{
	cmd_start(cmd, SMMU_CMD_TLBI_S12_VMALL);
	cmd[0] |= smmu_dprep(SMMU_CMD_TLBI_VMID, vmid);
}

void guest_cmd_tlbi_nsnh_all(uint64_t cmd[SMMU_CMD_DWORDS])
{
	cmd_start(cmd, SMMU_CMD_TLBI_NSNH_ALL);
}

void guest_cmd_cfgi_ste(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid, bool leaf)
{
	cmd_start(cmd, SMMU_CMD_CFGI_STE);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
	cmd[1] |= smmu_dprep(SMMU_CMD_CFGI_LEAF, leaf);
}

void guest_cmd_cfgi_ste_range(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			      unsigned int range)
{
	cmd_start(cmd, SMMU_CMD_CFGI_STE_RANGE);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
	cmd[1] |= smmu_dprep(SMMU_CMD_CFGI_RANGE, range);
}

void guest_cmd_cfgi_all(uint64_t cmd[SMMU_CMD_DWORDS])
{
	guest_cmd_cfgi_ste_range(cmd, 0, SMMU_CFGI_RANGE_ALL);
}

void guest_cmd_cfgi_cd(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		       uint32_t ssid, bool leaf)
{
	cmd_start(cmd, SMMU_CMD_CFGI_CD);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid) |
		  smmu_dprep(SMMU_CMD_SSID, ssid);
	cmd[1] |= smmu_dprep(SMMU_CMD_CFGI_LEAF, leaf);
}

void guest_cmd_cfgi_cd_all(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid)
{
	cmd_start(cmd, SMMU_CMD_CFGI_CD_ALL);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
}

void guest_cmd_atc_inv(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		       uint32_t ssid, uint64_t addr, unsigned int size,
		       bool global)
{
	cmd_start(cmd, SMMU_CMD_ATC_INV);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid) |
		  smmu_dprep(SMMU_CMD_ATC_GLOBAL, global);
	cmd_ssid(cmd, ssid);
	cmd[1] |= smmu_dprep(SMMU_CMD_ATC_SIZE, size) |
		  smmu_dprep(SMMU_CMD_ATC_ADDR, addr >> 12);
}

void guest_cmd_pri_resp(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			uint32_t ssid, uint16_t prgi, unsigned int resp)
{
	cmd_start(cmd, SMMU_CMD_PRI_RESP_OP);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
	cmd_ssid(cmd, ssid);
	cmd[1] |= smmu_dprep(SMMU_CMD_PRI_PRGI, prgi) |
		  smmu_dprep(SMMU_CMD_PRI_RESP, resp);
}

void guest_cmd_resume(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
		      uint16_t stag, unsigned int action)
{
	cmd_start(cmd, SMMU_CMD_RESUME);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid) |
		  smmu_dprep(SMMU_CMD_RESUME_ACTION, action);
	cmd[1] |= smmu_dprep(SMMU_CMD_RESUME_STAG, stag);
}

void guest_cmd_stall_term(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid)
{
	cmd_start(cmd, SMMU_CMD_STALL_TERM);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
}

void guest_cmd_prefetch_config(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid,
			       uint32_t ssid)
{
	cmd_start(cmd, SMMU_CMD_PREFETCH_CONFIG);
	cmd[0] |= smmu_dprep(SMMU_CMD_SID, sid);
	cmd_ssid(cmd, ssid);
}

void guest_cmd_sync(uint64_t cmd[SMMU_CMD_DWORDS], unsigned int cs,
		    uint64_t msi_addr, uint32_t msi_data)
{
	cmd_start(cmd, SMMU_CMD_SYNC);
	cmd[0] |= smmu_dprep(SMMU_CMD_SYNC_CS, cs);
	if (msi_addr)
		cmd[0] |= smmu_dprep(SMMU_CMD_SYNC_MSIDATA, msi_data);
	cmd[1] |= smmu_dprep(SMMU_CMD_SYNC_MSIADDR, msi_addr >> 2);
}

void guest_atc_inv_span(uint64_t iova, uint64_t len, uint64_t *addr,
			unsigned int *size)
{
	uint64_t first, last;
	unsigned int span_lg2;

	if (!len || len - 1 > U64_MAX - iova) {
		*addr = 0;
		*size = SMMU_ATC_INV_SIZE_ALL;
		return;
	}
	first = iova >> 12;
	last = (iova + len - 1) >> 12;
	/*
	 * The span of 2^n pages aligned to itself holds both ends exactly
	 * when they agree above bit n: n is one past the highest bit in
	 * which the page numbers differ.
	 */
	span_lg2 = first == last ? 0 : 64 - __builtin_clzll(first ^ last);
	if (span_lg2 + 12 > 63) {
		*addr = 0;
		*size = SMMU_ATC_INV_SIZE_ALL;
		return;
	}
	*addr = (first & ~((1ull << span_lg2) - 1)) << 12;
	*size = span_lg2;
}
