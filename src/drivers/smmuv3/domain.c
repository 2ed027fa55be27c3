// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices and paging domains of the SMMUv3 driver.
 *
 * A device (struct smmu_master) gets a StreamID at probe; its STE aborts
 * until something is attached. A paging domain is a page table in host
 * memory in one of two shapes, as Linux chooses them:
 *   - stage 1 (the default): an ARM VMSAv8-64 stage-1 table with 4 KiB
 *     granule and 48-bit input, tagged by an ASID. Attaching writes a
 *     context descriptor for it into the device's own one-entry CD table
 *     and an STE with Config = stage 1 (VMID 0);
 *   - stage 2 (IOMMU_HWPT_ALLOC_NEST_PARENT, or an SMMU without stage 1): a
 *     stage-2 table, tagged by a VMID; attaching writes an STE with
 *     Config = stage 2. A nesting parent is also the stage 2 of nested
 *     domains and vIOMMUs, which tag it with their own VMIDs.
 * Every STE change is followed by CFGI_STE and CMD_SYNC, so the model's
 * configuration cache never serves the old one.
 *
 * The io_pagetable fills a domain through map/unmap. Mapping needs no
 * invalidation (the SMMU caches no faults); unmapping removes the PTEs,
 * then invalidates the TLB entries of every tag the table is used under
 * (range TLBIs where the SMMU has them) with a CMD_SYNC, and only then
 * frees the detached tables -- so a translation never comes from a stale
 * entry of a table the host changed.
 *
 * Translation: the model translates by StreamID: the DMA's device's (and
 * its PASID as SubstreamID) when the DMA names it, else the first device
 * in the domain's list: every device of a domain has an STE of identical
 * meaning, so the translation is right, but a fault is recorded against
 * that device (see docs/drivers-smmuv3.md, "Interface gaps").
 *
 * Locking: a domain's rwlock is held for read by translations and dirty
 * harvests and for write by unmap and by changes to its device list, so
 * the model never walks a table page an unmap freed, and a device leaving
 * the domain is out of the list before its STE changes.
 *
 * PRI (pri.c): a device with UFD_DEV_PRI that uses ATS gets its PRI
 * Enable bit while its attachment has a fault queue; it is cleared before
 * every STE change, as ATS is.
 *
 * ATS, as Linux's arm-smmu-v3 does it: a device created with UFD_DEV_ATS
 * behind an SMMU with ATS is "ATS capable"; its StreamID is registered with
 * the model (smmu_dev_ops) so CMD_ATC_INV reaches its ATC. Attaching it to
 * a paging domain sets STE.EATS to full ATS and enables ATS on the device;
 * blocking clears both. Every STE change of such a device is followed by a
 * CMD_ATC_INV of its whole ATC, so nothing cached under the old STE
 * survives. While EATS is set the device is on its table's ats_masters
 * list, and every TLB invalidation of the table (unmap, dirty harvest) is
 * followed by CMD_ATC_INV for each of them before the CMD_SYNC -- the range
 * for a domain it uses directly, everything for one it reaches through a
 * nested domain (its ATC holds guest addresses the host cannot map back),
 * as arm_smmu_atc_inv_domain() does. The device's Translation Requests
 * (smmu_ats_request()) go to the model by its own StreamID, under the
 * domain's read lock like any walk.
 *
 * Dirty tracking, as Linux does it: a domain allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING has DBM leaves and a CD with HA/HD, so
 * the SMMU marks every written page dirty whether or not tracking is "on"
 * (the core clears the marks when it turns tracking on); a harvest that
 * cleared marks invalidates the TLB for what it reported, so the next
 * write walks and marks again.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/pt_map.h"
#include "drivers/smmuv3/smmuv3_priv.h"
#include "uiommufd/uapi/iommufd.h"

#define PAGING_FLAGS                                                           \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |      \
	 IOMMU_HWPT_ALLOC_PASID)

/* Page sizes of the 4K granule: pages, 2 MiB and 1 GiB blocks. */
#define PGSIZES_4K ((1ull << 12) | (1ull << 21) | (1ull << 30))
#define DOMAIN_IAS 48
/* Ranges above this many pages invalidate the whole ASID or VMID. */
#define INV_ALL_PAGES (1ull << 20)
/* Without range invalidation: one TLBI per page up to this many. */
#define INV_PAGES_MAX 64

/* MAIR: AttrIndx 0 normal non-cacheable, 1 write-back, 2 device nGnRE. */
#define CD_MAIR0 0x0004ff44u

static struct smmu_domain *iopt_to_domain(struct iopt_domain *d)
{
	return container_of(d, struct smmu_domain, base.iopt);
}

/* ---- STE and CD images ---- */

/** smmu_make_abort_ste() - an STE that aborts every transaction */
void smmu_make_abort_ste(uint64_t ste[SMMU_STE_DWORDS])
{
	memset(ste, 0, SMMU_STE_DWORDS * sizeof(*ste));
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_ABORT);
}

/**
 * smmu_make_s2_ste() - a stage-2 STE for table @d under VMID @vmid
 *
 * Nested STEs start from this and add the guest's stage-1 words.
 */
void smmu_make_s2_ste(uint64_t ste[SMMU_STE_DWORDS], struct smmu_domain *d,
		      uint16_t vmid)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(d->pt);
	unsigned int start = 4 - pt_levels(c);

	memset(ste, 0, SMMU_STE_DWORDS * sizeof(*ste));
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S2);
	smmu_dset(ste, SMMU_STE_SHCFG, 1); /* incoming shareability */
	smmu_dset(ste, SMMU_STE_S2VMID, vmid);
	smmu_dset(ste, SMMU_STE_S2T0SZ, 64 - c->ias);
	/* 4K granule: SL0 0, 1, 2 start at lookup level 2, 1, 0. */
	smmu_dset(ste, SMMU_STE_S2SL0, 2 - start);
	smmu_dset(ste, SMMU_STE_S2IR0, 1);
	smmu_dset(ste, SMMU_STE_S2OR0, 1);
	smmu_dset(ste, SMMU_STE_S2SH0, 3);
	smmu_dset(ste, SMMU_STE_S2TG, SMMU_S2TG_4K);
	smmu_dset(ste, SMMU_STE_S2PS, SMMU_PS_48);
	smmu_dset(ste, SMMU_STE_S2AA64, 1);
	smmu_dset(ste, SMMU_STE_S2R, 1);
	smmu_dset(ste, SMMU_STE_S2TTB, pt_root(c) >> 4);
	/* Stage-2 HTTU: the SMMU marks the DBM leaves it writes through. */
	if (d->base.dirty_ops) {
		smmu_dset(ste, SMMU_STE_S2HA, 1);
		smmu_dset(ste, SMMU_STE_S2HD, 1);
	}
}

/* The STE of a device whose CD table holds a stage-1 domain's CD. */
static void make_cdtable_ste(uint64_t ste[SMMU_STE_DWORDS],
			     struct smmu_master *m)
{
	memset(ste, 0, SMMU_STE_DWORDS * sizeof(*ste));
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S1);
	smmu_dset(ste, SMMU_STE_S1FMT, SMMU_S1FMT_LINEAR);
	smmu_dset(ste, SMMU_STE_S1CTXPTR, smmu_host_pa(m->cd_table) >> 6);
	smmu_dset(ste, SMMU_STE_S1CDMAX, 0);
	smmu_dset(ste, SMMU_STE_S1DSS, SMMU_S1DSS_SSID0);
	smmu_dset(ste, SMMU_STE_S1CIR, 1);
	smmu_dset(ste, SMMU_STE_S1COR, 1);
	smmu_dset(ste, SMMU_STE_S1CSH, 3);
	smmu_dset(ste, SMMU_STE_SHCFG, 1);
	/* Our devices never stall: fault at once where stalls exist. */
	if (m->smmu->stall)
		smmu_dset(ste, SMMU_STE_S1STALLD, 1);
}

static void make_s1_cd(uint64_t cd[SMMU_CD_DWORDS], struct smmu_domain *d)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(d->pt);

	memset(cd, 0, SMMU_CD_DWORDS * sizeof(*cd));
	smmu_dset(cd, SMMU_CD_T0SZ, 64 - c->ias);
	smmu_dset(cd, SMMU_CD_TG0, SMMU_TG0_4K);
	smmu_dset(cd, SMMU_CD_IR0, 1);
	smmu_dset(cd, SMMU_CD_OR0, 1);
	smmu_dset(cd, SMMU_CD_SH0, 3);
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_V, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	if (d->base.dirty_ops) {
		smmu_dset(cd, SMMU_CD_HA, 1);
		smmu_dset(cd, SMMU_CD_HD, 1);
	}
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	smmu_dset(cd, SMMU_CD_ASET, 1);
	smmu_dset(cd, SMMU_CD_ASID, d->asid);
	smmu_dset(cd, SMMU_CD_TTB0, pt_root(c) >> 4);
	smmu_dset(cd, SMMU_CD_MAIR0, CD_MAIR0);
}

/* ---- TLB invalidation ---- */

/* Commands gathered, then issued in batches with one CMD_SYNC at the end. */
struct cmd_batch {
	struct ufd_smmuv3 *smmu;
	uint64_t c[SMMU_DRV_BATCH][SMMU_CMD_DWORDS];
	unsigned int n;
};

static void batch_add(struct cmd_batch *b, uint64_t c0, uint64_t c1)
{
	if (b->n == SMMU_DRV_BATCH) {
		smmu_cmdq_issue(b->smmu, b->c, b->n, false, NULL);
		b->n = 0;
	}
	b->c[b->n][0] = c0;
	b->c[b->n][1] = c1;
	b->n++;
}

static void batch_submit(struct cmd_batch *b)
{
	/* Our own commands are well formed; a failure is a driver bug. */
	if (smmu_cmdq_issue(b->smmu, b->c, b->n, true, NULL))
		ufd_log(UFD_LOG_ERR, "smmuv3: invalidation failed");
	b->n = 0;
}

/* Everything tagged @asid (stage 1, VMID 0) or @vmid (stage 2). */
static void inv_tag(struct cmd_batch *b, unsigned int stage, uint16_t asid,
		    uint16_t vmid)
{
	if (stage == 1)
		batch_add(b,
			  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ASID) |
				  smmu_dprep(SMMU_CMD_TLBI_ASID, asid),
			  0);
	else
		batch_add(b,
			  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_S12_VMALL) |
				  smmu_dprep(SMMU_CMD_TLBI_VMID, vmid),
			  0);
}

/*
 * TLBIs removing [iova, iova + len) from the entries of a stage-1 table
 * (TLBI_NH_VA, @asid) or a stage-2 table (TLBI_S2_IPA, @vmid). With range
 * invalidation each command covers NUM + 1 times 2^SCALE pages; a single
 * page uses the TG = 0 form, which the range form may not express.
 */
static void inv_range(struct cmd_batch *b, unsigned int stage, uint16_t asid,
		      uint16_t vmid, uint64_t iova, uint64_t len)
{
	uint8_t op = stage == 1 ? SMMU_CMD_TLBI_NH_VA : SMMU_CMD_TLBI_S2_IPA;
	uint64_t pages = len >> 12, n, c0, c1;
	unsigned int scale, num;

	if (!pages)
		return;
	if (pages > INV_ALL_PAGES || (!b->smmu->ril && pages > INV_PAGES_MAX)) {
		inv_tag(b, stage, asid, vmid);
		return;
	}
	while (pages) {
		c0 = smmu_dprep(SMMU_CMD_OP, op) |
		     smmu_dprep(SMMU_CMD_TLBI_VMID, vmid);
		if (stage == 1)
			c0 |= smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
		c1 = stage == 1 ? smmu_dprep(SMMU_CMD_TLBI_VA, iova >> 12)
				: smmu_dprep(SMMU_CMD_TLBI_IPA, iova >> 12);
		if (b->smmu->ril) {
			scale = (unsigned int)__builtin_ctzll(pages);
			num = (unsigned int)((pages >> scale) & 31);
			n = (uint64_t)num << scale;
		} else {
			scale = 0;
			num = 1;
			n = 1;
		}
		if (n > 1) {
			c0 |= smmu_dprep(SMMU_CMD_TLBI_NUM, num - 1) |
			      smmu_dprep(SMMU_CMD_TLBI_SCALE, scale);
			c1 |= smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K);
		}
		batch_add(b, c0, c1);
		iova += n << 12;
		pages -= n;
	}
}

/*
 * CMD_ATC_INV for @sid's translations without PASID in [iova, iova + len),
 * or all of them when @len is 0: the smallest aligned power-of-two span of
 * pages that covers the range (4.5), as a device can only be told that.
 */
static void atc_inv(struct cmd_batch *b, uint32_t sid, uint64_t iova,
		    uint64_t len)
{
	unsigned int span = SMMU_ATC_INV_SIZE_ALL;
	uint64_t first = 0, last;

	if (len) {
		first = iova >> 12;
		last = (iova + (len - 1)) >> 12;
		span = first == last ? 0
				     : 64 - (unsigned int)__builtin_clzll(
						    first ^ last);
		if (span >= SMMU_ATC_INV_SIZE_ALL) {
			span = SMMU_ATC_INV_SIZE_ALL;
			first = 0;
		} else {
			first &= ~((1ull << span) - 1);
		}
	}
	batch_add(b,
		  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_ATC_INV) |
			  smmu_dprep(SMMU_CMD_SID, sid),
		  smmu_dprep(SMMU_CMD_ATC_SIZE, span) |
			  smmu_dprep(SMMU_CMD_ATC_ADDR, first));
	smmu_stat_inc(b->smmu, atc_invs);
}

/*
 * ATC invalidations for a change to [iova, iova + len) of @d's table, for
 * every device with ATS that uses it. @d's lock held (either way).
 */
static void domain_atc_inv(struct cmd_batch *b, struct smmu_domain *d,
			   uint64_t iova, uint64_t len)
{
	struct smmu_link *l;

	for (l = d->ats_masters.next; l != &d->ats_masters; l = l->next) {
		struct smmu_master *m =
			container_of(l, struct smmu_master, ats_link);

		atc_inv(b, m->sid, iova, m->ats_nested ? 0 : len);
	}
}

/*
 * Invalidates what a change to [iova, iova + len) of @d's table may have
 * left cached, under every tag the table is used with and in the ATCs of
 * the devices using it, then syncs. @d's lock held (either way).
 */
static void domain_inv(struct smmu_domain *d, uint64_t iova, uint64_t len)
{
	struct cmd_batch b = { .smmu = d->smmu };
	struct smmu_link *l;

	if (d->stage == 1) {
		inv_range(&b, 1, d->asid, 0, iova, len);
		/* After the TLBIs: a refill must not find the old entry. */
		domain_atc_inv(&b, d, iova, len);
		batch_submit(&b);
		return;
	}
	inv_range(&b, 2, 0, d->vmid, iova, len);
	if (d->nest_parent) {
		/*
		 * S2_IPA leaves combined stage-1+2 entries alone: drop the
		 * nested entries of every VMID this stage 2 serves.
		 */
		batch_add(&b,
			  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ALL) |
				  smmu_dprep(SMMU_CMD_TLBI_VMID, d->vmid),
			  0);
		ufd_mutex_lock(&d->vsmmus_lock);
		for (l = d->vsmmus.next; l != &d->vsmmus; l = l->next) {
			struct smmu_vsmmu *v =
				container_of(l, struct smmu_vsmmu, s2_link);

			inv_range(&b, 2, 0, v->vmid, iova, len);
			batch_add(
				&b,
				smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ALL) |
					smmu_dprep(SMMU_CMD_TLBI_VMID, v->vmid),
				0);
		}
		ufd_mutex_unlock(&d->vsmmus_lock);
	}
	domain_atc_inv(&b, d, iova, len);
	batch_submit(&b);
}

/** smmu_inv_vmid_all() - drop every TLB entry of @vmid, and sync */
void smmu_inv_vmid_all(struct ufd_smmuv3 *smmu, uint16_t vmid)
{
	struct cmd_batch b = { .smmu = smmu };

	inv_tag(&b, 2, 0, vmid);
	batch_submit(&b);
}

/* ---- Translation ---- */

/*
 * Answers @out from translation @x of @iova for StreamID @sid. A DMA
 * going further runs on through the pages the IOTLB already holds with
 * contiguous output: no walk, no event, one call for the lot; the first
 * page that would need a walk ends the run and the DMA translates it on
 * its own.
 */
static void translate_run(struct smmuv3 *hw, uint32_t sid, uint32_t ssid,
			  uint64_t iova, unsigned int access,
			  struct smmuv3_xlate *x, struct ufd_translation *out)
{
	uint64_t size = 1ull << x->page_lg2, want = out->len;

	out->addr = x->oa;
	out->len = size - (iova & (size - 1));
	if (out->len < want)
		out->len += smmuv3_translate_cached_more(
			hw, sid, ssid, iova + out->len, access,
			out->addr + out->len, want - out->len);
}

/* The SubstreamID of a DMA that names its device. */
static uint32_t dma_ssid(const struct ufd_translation *out)
{
	return out->pasid == UFD_NO_PASID ? SMMUV3_NO_SSID : out->pasid;
}

/**
 * smmu_translate_sid() - translate for a device attached through @masters
 *
 * By out->dev's StreamID (and out->pasid as SubstreamID) when the caller
 * names the device, else by the first device of @masters. The caller holds the lock that guards
 * @masters (and the tables' locks). Return: 0, -EFAULT (no device, or a
 * fault) or -EPERM (a permission fault).
 */
int smmu_translate_sid(struct ufd_smmuv3 *smmu, struct smmu_link *masters,
		       uint64_t iova, bool write, struct ufd_translation *out)
{
	unsigned int access = write ? SMMUV3_WRITE : SMMUV3_READ;
	struct smmu_master *m;
	struct smmuv3_xlate x;
	uint32_t sid, ssid;

	if (smmu_list_empty(masters))
		return -EFAULT;
	m = container_of(masters->next, struct smmu_master, dom_link);
	sid = out->dev ? ufd_smmuv3_dev_sid(out->dev) : m->sid;
	ssid = out->dev ? dma_ssid(out) : SMMUV3_NO_SSID;
	if (smmuv3_translate(smmu->hw, sid, ssid, iova, access, &x))
		return x.event == SMMU_EVT_F_PERMISSION ? -EPERM : -EFAULT;
	translate_run(smmu->hw, sid, ssid, iova, access, &x, out);
	return 0;
}

/**
 * smmu_translate_cached_dev() - a DMA's translation from the SMMU's caches
 *
 * For out->dev (the device making the DMA, whose attachment its caller
 * holds steady), by its own StreamID and out->pasid. Needs no domain lock: it reads
 * only the device's StreamID, fixed for its life, and the SMMU's caches,
 * which the model keeps consistent with invalidations by itself; the
 * domain's tables are not touched. Return: 0, or -EAGAIN when the caches
 * cannot answer (no device given, a miss, a permission the cached entry
 * lacks): the caller then takes its locks and translates in full, which
 * walks and reports faults.
 */
int smmu_translate_cached_dev(struct ufd_smmuv3 *smmu, uint64_t iova,
			      bool write, struct ufd_translation *out)
{
	unsigned int access = write ? SMMUV3_WRITE : SMMUV3_READ;
	struct smmuv3_xlate x;
	uint32_t sid;

	if (!out->dev)
		return -EAGAIN;
	sid = ufd_smmuv3_dev_sid(out->dev);
	if (smmuv3_translate_cached(smmu->hw, sid, dma_ssid(out), iova, access,
				    &x))
		return -EAGAIN;
	translate_run(smmu->hw, sid, dma_ssid(out), iova, access, &x, out);
	return 0;
}

static int paging_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct smmu_domain *d = to_smmu_domain(domain);
	int rc;

	if (!smmu_translate_cached_dev(d->smmu, iova, write, out))
		return 0;
	ufd_rwlock_rdlock(&d->lock);
	rc = smmu_translate_sid(d->smmu, &d->masters, iova, write, out);
	ufd_rwlock_unlock(&d->lock);
	return rc;
}

/* ---- Map and unmap ---- */

static void smmu_inv(void *d, uint64_t iova, uint64_t len)
{
	domain_inv(d, iova, len);
}

static uint64_t smmu_unmap(struct iopt_domain *id, uint64_t iova, uint64_t len)
{
	struct smmu_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_unmap_inv(d->pt, &d->lock, iova, len, smmu_inv, d);
}

static int smmu_map(struct iopt_domain *id, uint64_t iova, uint64_t paddr,
		    uint64_t len, unsigned int prot, bool small_only)
{
	struct smmu_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_map_inv(d->pt, &d->lock, iova, paddr, len, prot,
				     small_only ? d->small_pgsize : 0, smmu_inv,
				     d);
}

/* Moved memory: new output addresses, and the old ones out of the TLBs. */
static int smmu_remap(struct iopt_domain *id, uint64_t iova, uint64_t len,
		      uint64_t old_paddr, uint64_t new_paddr)
{
	struct smmu_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_remap_inv(d->pt, &d->lock, iova, len, old_paddr,
				       new_paddr, smmu_inv, d);
}

static const struct iopt_domain_ops smmu_iopt_ops = {
	.map = smmu_map,
	.unmap = smmu_unmap,
	.remap = smmu_remap,
};

/* ---- Dirty tracking ---- */

static int smmu_set_dirty_tracking(struct ufd_domain *domain, bool enable)
{
	/* The hardware always tracks; the core cleared the marks. */
	return 0;
}

static int smmu_read_and_clear_dirty(struct ufd_domain *domain, uint64_t iova,
				     uint64_t len, unsigned int flags,
				     const struct ufd_dirty_sink *sink)
{
	struct smmu_domain *d = to_smmu_domain(domain);

	return ufd_pt_domain_read_and_clear_dirty_inv(
		d->pt, &d->lock, iova, len, flags, sink, smmu_inv, d);
}

static const struct ufd_dirty_ops smmu_dirty_ops = {
	.set_dirty_tracking = smmu_set_dirty_tracking,
	.read_and_clear_dirty = smmu_read_and_clear_dirty,
};

/* ---- Domains ---- */

static void paging_free(struct ufd_domain *domain)
{
	struct smmu_domain *d = to_smmu_domain(domain);
	struct cmd_batch b = { .smmu = d->smmu };

	/* The tag may be reused: nothing cached under it may survive. */
	inv_tag(&b, d->stage, d->asid, d->vmid);
	batch_submit(&b);
	pt_free(d->pt);
	if (d->stage == 1)
		smmu_id_free(d->smmu, d->smmu->asid_map, d->asid);
	else
		smmu_id_free(d->smmu, d->smmu->vmid_map, d->vmid);
	ufd_mutex_destroy(&d->vsmmus_lock);
	ufd_rwlock_destroy(&d->lock);
	ufd_free(d);
}

const struct ufd_domain_ops smmu_paging_ops = {
	.free = paging_free,
	.translate = paging_translate,
};

static struct ufd_domain *domain_new(struct ufd_smmuv3 *smmu,
				     unsigned int stage, bool nest_parent,
				     bool dirty)
{
	struct pt_cfg cfg = {
		.fmt = stage == 1 ? PT_FMT_ARM_S1 : PT_FMT_ARM_S2,
		.granule_lg2 = 12,
		.ias = DOMAIN_IAS,
		.oas = 48,
		.flags = dirty ? PT_CFG_DIRTY : 0,
		.pgsize_allowed = PGSIZES_4K,
	};
	struct smmu_domain *d;
	int rc, tag;

	d = ufd_zalloc(sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	if (stage == 1)
		tag = smmu_id_alloc(smmu, smmu->asid_map, smmu->asid_bits, 1);
	else
		tag = smmu_id_alloc(smmu, smmu->vmid_map, smmu->vmid_bits, 1);
	if (tag < 0) {
		rc = tag;
		goto out_free;
	}
	d->pt = pt_alloc(&cfg);
	if (IS_ERR(d->pt)) {
		rc = (int)PTR_ERR(d->pt);
		goto out_free_tag;
	}
	d->smmu = smmu;
	d->stage = stage;
	d->nest_parent = nest_parent;
	if (stage == 1)
		d->asid = (uint16_t)tag;
	else
		d->vmid = (uint16_t)tag;
	ufd_rwlock_init(&d->lock);
	ufd_mutex_init(&d->vsmmus_lock);
	smmu_list_init(&d->masters);
	smmu_list_init(&d->ats_masters);
	smmu_list_init(&d->vsmmus);
	d->base.iopt.ops = &smmu_iopt_ops;
	d->base.iopt.pgsize_bitmap = pt_pgsize_bitmap(d->pt);
	d->small_pgsize = iopt_domain_min_pgsize(&d->base.iopt);
	pt_iova_range(pt_table_walk_ctx(d->pt), &d->base.iopt.aperture_start,
		      &d->base.iopt.aperture_last);
	d->base.ops = &smmu_paging_ops;
	if (dirty)
		d->base.dirty_ops = &smmu_dirty_ops;
	d->base.owner = ufd_smmuv3_ops(smmu);
	d->base.type = UFD_DOMAIN_PAGING;
	return &d->base;

out_free_tag:
	smmu_id_free(smmu, stage == 1 ? smmu->asid_map : smmu->vmid_map,
		     (unsigned int)tag);
out_free:
	ufd_free(d);
	return ERR_PTR(rc);
}

/**
 * smmu_domain_alloc_paging() - iommu_ops.domain_alloc_paging
 *
 * Stage 1 unless @flags has IOMMU_HWPT_ALLOC_NEST_PARENT (or the SMMU has
 * no stage 1); dirty tracking needs HTTU with dirty update. A nesting
 * parent may track dirty pages too (stage-2 HTTU, STE.S2HA/S2HD), which a
 * VMM migrating a guest with nested devices needs; Linux's arm-smmu-v3
 * refuses that combination today (EOPNOTSUPP), AMD's driver accepts it.
 * Return: the domain, or ERR_PTR(-EOPNOTSUPP, -ENOSPC (no ASID/VMID
 * left), -ENOMEM).
 */
struct ufd_domain *smmu_domain_alloc_paging(struct ufd_dev *dev, uint32_t flags)
{
	struct ufd_smmuv3 *smmu = smmu_of_dev(dev);
	unsigned int stage;

	/* The combinations Linux's arm-smmu-v3 accepts, and one more. */
	switch (flags) {
	case 0:
		stage = smmu->s1 ? 1 : 2;
		break;
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
	case IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
		if (!smmu->nesting)
			return ERR_PTR(-EOPNOTSUPP);
		stage = 2;
		break;
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID:
	case IOMMU_HWPT_ALLOC_PASID:
		if (!smmu->s1)
			return ERR_PTR(-EOPNOTSUPP);
		stage = 1;
		break;
	default:
		return ERR_PTR(-EOPNOTSUPP);
	}
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !smmu->hd)
		return ERR_PTR(-EOPNOTSUPP);
	return domain_new(smmu, stage, flags & IOMMU_HWPT_ALLOC_NEST_PARENT,
			  flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
}

int ufd_smmuv3_domain_info(struct ufd_domain *domain,
			   struct ufd_smmuv3_domain_info *info)
{
	struct smmu_domain *d;

	if (!domain || domain->type != UFD_DOMAIN_PAGING ||
	    !smmu_is_our_ops(domain->owner))
		return -EINVAL;
	d = to_smmu_domain(domain);
	info->stage = d->stage;
	info->asid = d->asid;
	info->vmid = d->vmid;
	info->nest_parent = d->nest_parent;
	return 0;
}

/* ---- Attach ---- */

/*
 * The device stops using ATS (its ATC is dropped) and leaves the list of
 * the table it used, so unmaps no longer reach it. dev->domain_lock held
 * for write.
 */
static void ats_leave(struct smmu_master *m)
{
	struct smmu_domain *t = m->ats_table;

	ufd_dev_set_ats(m->dev, false);
	ufd_rwlock_wrlock(&t->lock);
	smmu_list_del(&m->ats_link);
	ufd_rwlock_unlock(&t->lock);
	m->ats_on = false;
	m->ats_table = NULL;
}

/*
 * The device joins the ATS list of the table behind @domain, then uses
 * ATS: from its first Translation Request on, unmaps invalidate its ATC.
 * dev->domain_lock held for write.
 */
static void ats_join(struct smmu_master *m, struct ufd_domain *domain)
{
	bool nested = domain->type == UFD_DOMAIN_NESTED;
	struct smmu_domain *t = nested ? to_smmu_nested(domain)->parent
				       : to_smmu_domain(domain);

	ufd_rwlock_wrlock(&t->lock);
	smmu_list_add(&t->ats_masters, &m->ats_link);
	ufd_rwlock_unlock(&t->lock);
	m->ats_table = t;
	m->ats_nested = nested;
	m->ats_on = true;
	ufd_dev_set_ats(m->dev, true);
}

/* The lock and device list of a domain this driver made. */
static void domain_masters(struct ufd_domain *domain, struct ufd_rwlock **lock,
			   struct smmu_link **list)
{
	if (domain->type == UFD_DOMAIN_PAGING) {
		*lock = &to_smmu_domain(domain)->lock;
		*list = &to_smmu_domain(domain)->masters;
	} else {
		*lock = &to_smmu_nested(domain)->lock;
		*list = &to_smmu_nested(domain)->masters;
	}
}

/**
 * smmu_master_install() - point @master's STE at @domain
 * @domain: what the STE means (NULL: blocked)
 * @ste: the new STE
 * @vm: where the device's events go from now on (NULL: the host)
 *
 * The device leaves its old domain's list before the STE changes and joins
 * the new one's after CFGI_STE completed, so no translation of a domain
 * ever uses an STE in transition. ATS follows @ste's EATS for a device
 * that has it: off (and the ATC dropped) before the change, its whole ATC
 * invalidated with the CFGI_STE, on again after. PRI goes off before ATS
 * and comes back after it, when the device has PRI and the attachment a
 * fault queue (dev->iopf). Called with
 * dev->domain_lock held for write. Return: 0.
 */
int smmu_master_install(struct smmu_master *master, struct ufd_domain *domain,
			const uint64_t ste[SMMU_STE_DWORDS],
			const struct smmu_vmaster *vm)
{
	struct ufd_smmuv3 *smmu = master->smmu;
	struct cmd_batch b = { .smmu = smmu };
	bool ats = master->ats_capable && domain &&
		   smmu_dget(ste, SMMU_STE_EATS) == SMMU_EATS_TRANS;
	bool had_ats = master->ats_on;
	/* PRI needs ATS, and somewhere for the faults to go. */
	bool pri = ats && master->pri_capable && master->dev->iopf;
	struct smmu_link *list;
	struct ufd_rwlock *lock;
	uint64_t cd[SMMU_CD_DWORDS];
	unsigned int i;

	/* Page requests end before ATS does: they rely on its answers. */
	smmu_pri_set(master, false);
	if (had_ats)
		ats_leave(master);
	if (master->domain) {
		domain_masters(master->domain, &lock, &list);
		ufd_rwlock_wrlock(lock);
		smmu_list_del(&master->dom_link);
		ufd_rwlock_unlock(lock);
	}
	if (domain && domain->type == UFD_DOMAIN_PAGING &&
	    to_smmu_domain(domain)->stage == 1) {
		make_s1_cd(cd, to_smmu_domain(domain));
		for (i = 0; i < SMMU_CD_DWORDS; i++)
			__atomic_store_n(&master->cd_table[i], cd[i],
					 __ATOMIC_RELAXED);
	}
	smmu_write_ste(smmu, master->sid, ste);
	/* Drops the STE and every CD cached through it. */
	batch_add(&b,
		  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE) |
			  smmu_dprep(SMMU_CMD_SID, master->sid),
		  smmu_dprep(SMMU_CMD_CFGI_LEAF, 1));
	/* Nothing the old STE let the device cache may outlive it. */
	if (had_ats || ats)
		atc_inv(&b, master->sid, 0, 0);
	batch_submit(&b);
	if (domain) {
		domain_masters(domain, &lock, &list);
		ufd_rwlock_wrlock(lock);
		smmu_list_add(list, &master->dom_link);
		ufd_rwlock_unlock(lock);
	}
	if (ats)
		ats_join(master, domain);
	smmu_pri_set(master, pri);
	ufd_mutex_lock(&smmu->streams_lock);
	master->has_vm = vm != NULL;
	if (vm)
		master->vm = *vm;
	ufd_mutex_unlock(&smmu->streams_lock);
	master->domain = domain;
	return 0;
}

/**
 * smmu_attach() - iommu_ops.attach: point @dev's STE at @domain
 *
 * Return: 0, -EINVAL (a domain of another driver or SMMU), or the nested
 * attach's errors.
 */
int smmu_attach(struct ufd_dev *dev, struct ufd_domain *domain)
{
	struct smmu_master *m = dev_to_master(dev);
	uint64_t ste[SMMU_STE_DWORDS];
	struct smmu_domain *d;

	if (!domain) {
		smmu_make_abort_ste(ste);
		return smmu_master_install(m, NULL, ste, NULL);
	}
	/* Another driver's domain, or another SMMU's. */
	if (domain->owner != dev->iommu)
		return -EINVAL;
	if (domain->type == UFD_DOMAIN_NESTED)
		return smmu_attach_nested(m, to_smmu_nested(domain));
	d = to_smmu_domain(domain);
	if (d->stage == 1)
		make_cdtable_ste(ste, m);
	else
		smmu_make_s2_ste(ste, d, d->vmid);
	/* Linux enables ATS for every paging domain when it can. */
	if (m->ats_capable)
		smmu_dset(ste, SMMU_STE_EATS, SMMU_EATS_TRANS);
	return smmu_master_install(m, domain, ste, NULL);
}

/* ---- Devices ---- */

/* The SMMU executed CMD_ATC_INV for the device: its ATC drops the range. */
static int smmu_dev_atc_inval(void *priv, uint32_t sid, uint32_t ssid,
			      uint64_t addr, unsigned int size_lg2, bool global)
{
	struct smmu_master *m = priv;

	ufd_dev_atc_inval(m->dev, ssid == SMMUV3_NO_SSID ? UFD_NO_PASID : ssid,
			  addr, size_lg2, global);
	return 0;
}

/* What the SMMU model reaches of a device with ATS (and PRI). */
static const struct smmuv3_dev_ops smmu_dev_ops = {
	.atc_inval = smmu_dev_atc_inval,
	.pri_resp = smmu_dev_pri_resp,
};

/**
 * smmu_probe_device() - iommu_ops.probe_device: a StreamID for @dev
 *
 * The lowest free StreamID, its STE aborting; dev->priv becomes the
 * device's struct smmu_master. A device with UFD_DEV_ATS behind an SMMU
 * with ATS is ATS capable: its StreamID's commands reach its ATC (and,
 * with UFD_DEV_PRI and a PRI queue, its PRI: CMD_PRI_RESP). Return:
 * 0, -ENODEV (ops not ours), the default instance's creation error,
 * -ENOSPC (no StreamID left), -ENOMEM.
 */
int smmu_probe_device(struct ufd_dev *dev)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_of(dev->iommu);
	uint64_t ste[SMMU_STE_DWORDS];
	struct smmu_master *m;
	unsigned long sid;
	int rc;

	if (IS_ERR_OR_NULL(smmu))
		return smmu ? (int)PTR_ERR(smmu) : -ENODEV;
	m = ufd_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cd_table = ufd_alloc_aligned(64, SMMU_CD_DWORDS * 8);
	if (!m->cd_table) {
		rc = -ENOMEM;
		goto out_free;
	}
	m->smmu = smmu;
	m->dev = dev;
	m->vintf_slot = -1;
	m->ats_capable = (dev->flags & UFD_DEV_ATS) && smmu->ats;
	m->pri_capable = (dev->flags & UFD_DEV_PRI) && smmu->pri &&
			 m->ats_capable;
	smmu_list_init(&m->dom_link);
	smmu_list_init(&m->ats_link);
	ufd_mutex_lock(&smmu->streams_lock);
	sid = find_first_zero_bit(smmu->sid_map, 1ul << smmu->sid_bits);
	if (sid >= (1ul << smmu->sid_bits)) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	rc = smmu_strtab_prepare(smmu, (uint32_t)sid);
	if (rc)
		goto out_unlock;
	if (m->ats_capable) {
		rc = smmuv3_dev_register(smmu->hw, (uint32_t)sid, &smmu_dev_ops,
					 m);
		if (rc)
			goto out_unlock;
	}
	set_bit(sid, smmu->sid_map);
	m->sid = (uint32_t)sid;
	smmu->by_sid[sid] = m;
	smmu_make_abort_ste(ste);
	smmu_write_ste(smmu, m->sid, ste);
	ufd_mutex_unlock(&smmu->streams_lock);
	/* A reused StreamID may still have its old STE cached. */
	smmu_cmd_sync_one(smmu,
			  smmu_dprep(SMMU_CMD_OP, SMMU_CMD_CFGI_STE) |
				  smmu_dprep(SMMU_CMD_SID, m->sid),
			  smmu_dprep(SMMU_CMD_CFGI_LEAF, 1));
	dev->priv = m;
	dev->pasid_bits = 0;
	return 0;

out_unlock:
	ufd_mutex_unlock(&smmu->streams_lock);
	ufd_free(m->cd_table);
out_free:
	ufd_free(m);
	return rc;
}

void ufd_smmuv3_release_device(struct ufd_dev *dev)
{
	struct smmu_master *m;
	struct ufd_smmuv3 *smmu;

	if (!dev || !smmu_is_our_ops(dev->iommu) || !dev->priv)
		return;
	m = dev_to_master(dev);
	smmu = m->smmu;
	if (m->domain)
		smmu_attach(dev, NULL);
	/* Waits for a CMD_ATC_INV reaching the device right now. */
	if (m->ats_capable)
		smmuv3_dev_unregister(smmu->hw, m->sid);
	ufd_mutex_lock(&smmu->streams_lock);
	smmu->by_sid[m->sid] = NULL;
	ufd_mutex_unlock(&smmu->streams_lock);
	/* Out of the table: the PRI consumer finds it no more. */
	if (m->pri_capable)
		smmu_pri_forget(smmu, m->sid);
	ufd_mutex_lock(&smmu->streams_lock);
	clear_bit(m->sid, smmu->sid_map);
	ufd_mutex_unlock(&smmu->streams_lock);
	dev->priv = NULL;
	ufd_free(m->cd_table);
	ufd_free(m);
}

uint32_t ufd_smmuv3_dev_sid(const struct ufd_dev *dev)
{
	return dev_to_master(dev)->sid;
}

/**
 * smmu_capable() - iommu_ops.capable, from the SMMU's IDRs
 *
 * ATS for a device that has it, on an SMMU that has it (Linux's
 * arm_smmu_ats_supported(), which IOMMU_GET_HW_INFO reports).
 */
bool smmu_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap)
{
	struct ufd_smmuv3 *smmu = smmu_of_dev(dev);

	switch (cap) {
	case UFD_CAP_CACHE_COHERENCY:
		return smmu->coherent;
	case UFD_CAP_DIRTY_TRACKING:
		return smmu->hd;
	case UFD_CAP_PCI_ATS_SUPPORTED:
		return dev_to_master(dev)->ats_capable;
	default:
		return false;
	}
}

/*
 * The read locks that keep the tables behind @domain out of an unmap's
 * way while the SMMU walks them (as paging_translate and nested_translate
 * take them); NULL: none.
 */
static void domain_walk_locks(struct ufd_domain *domain,
			      struct ufd_rwlock *locks[2])
{
	locks[0] = locks[1] = NULL;
	if (!domain)
		return;
	if (domain->type == UFD_DOMAIN_PAGING) {
		locks[0] = &to_smmu_domain(domain)->lock;
	} else {
		locks[0] = &to_smmu_nested(domain)->lock;
		locks[1] = &to_smmu_nested(domain)->parent->lock;
	}
}

/**
 * smmu_ats_request() - iommu_ops.ats_request: a PCIe ATS request of @dev
 *
 * Served by the SMMU model for the device's own StreamID:
 * smmuv3_ats_translate() for a Translation Request (under the read locks
 * of the tables it walks; a translation fault answers "no access"),
 * smmuv3_check_translated() for a Translated request. The caller holds
 * dev->domain_lock for read, so the attached domain stays.
 *
 * Return: 0 or -EFAULT (Unsupported Request, Completer Abort, or a
 * terminated Translated request), -EINVAL for an unknown kind.
 */
int smmu_ats_request(struct ufd_dev *dev, struct ufd_ats_req *req)
{
	struct smmu_master *m = dev_to_master(dev);
	struct ufd_smmuv3 *smmu = m->smmu;
	uint32_t ssid = req->pasid_valid ? req->pasid : SMMUV3_NO_SSID;
	unsigned int access = req->write ? SMMUV3_WRITE : SMMUV3_READ;
	struct ufd_rwlock *locks[2];
	struct smmuv3_ats res;
	unsigned int i;
	int rc;

	switch (req->kind) {
	case UFD_ATS_TRANSLATED:
		smmu_stat_inc(smmu, ats_translated);
		rc = smmuv3_check_translated(smmu->hw, m->sid, ssid, req->addr,
					     access);
		return rc ? -EFAULT : 0;
	case UFD_ATS_TRANSLATE:
		break;
	default:
		return -EINVAL;
	}
	smmu_stat_inc(smmu, ats_treqs);
	domain_walk_locks(m->domain, locks);
	for (i = 0; i < 2 && locks[i]; i++)
		ufd_rwlock_rdlock(locks[i]);
	/* A read asks without write (No-Write), so no page turns dirty. */
	rc = smmuv3_ats_translate(smmu->hw, m->sid, ssid, req->addr,
				  SMMUV3_READ | (req->write ? SMMUV3_WRITE : 0),
				  &res);
	for (i = 2; i-- > 0;)
		if (locks[i])
			ufd_rwlock_unlock(locks[i]);
	if (rc)
		return -EFAULT;
	req->out_page_lg2 = res.page_lg2;
	req->out_addr = res.oa & ~((1ull << res.page_lg2) - 1);
	req->out_read = res.perm & SMMUV3_READ;
	req->out_write = res.perm & SMMUV3_WRITE;
	return 0;
}

/**
 * smmu_hw_info() - iommu_ops.hw_info
 *
 * IOMMU_HW_INFO_TYPE_ARM_SMMUV3 (also for DEFAULT): the raw IDR0-5, IIDR
 * and AIDR; IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV with a CMDQV. Anything else
 * is -EOPNOTSUPP.
 */
void *smmu_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type)
{
	struct ufd_smmuv3 *smmu = smmu_of_dev(dev);
	struct iommu_hw_info_arm_smmuv3 *info;
	unsigned int i;

	if (*type == IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV && smmu->cv)
		return smmu_tegra_hw_info(smmu, length);
	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return ERR_PTR(-EOPNOTSUPP);
	info = ufd_zalloc(sizeof(*info));
	if (!info)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < 6; i++)
		info->idr[i] = (uint32_t)smmuv3_mmio_read(smmu->hw,
							  SMMU_IDR0 + 4 * i, 4);
	info->iidr = (uint32_t)smmuv3_mmio_read(smmu->hw, SMMU_IIDR, 4);
	info->aidr = (uint32_t)smmuv3_mmio_read(smmu->hw, SMMU_AIDR, 4);
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	return info;
}
