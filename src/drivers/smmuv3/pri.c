// SPDX-License-Identifier: BSD-3-Clause
/*
 * PRI on the SMMUv3 driver: the PRI queue, and the Page Request Groups of
 * devices with UFD_DEV_PRI turned into I/O page faults for iommufd's fault
 * queues, whose answers go back to the device as CMD_PRI_RESP.
 *
 * The flow:
 *  1. Bring-up (smmu_priq_init()): on an SMMU with IDR0.PRI, a PRI queue
 *     of up to 256 entries (fewer if IDR1.PRIQS says so), PRIQEN, and the
 *     PRI-queue interrupt, which wakes the instance's event thread.
 *  2. Attach (smmu_master_install() in domain.c): a device that is PRI
 *     capable gets its PRI Enable bit set while ATS is on and the
 *     attachment has a fault queue (dev->iopf); it is cleared before any
 *     STE change, before ATS is, so a group waiting at the device ends.
 *  3. The device's Page Requests (smmu_pri_request()) go to the model for
 *     its StreamID, which queues them (or, on overflow, loses them and
 *     answers a lost last request Success itself).
 *  4. The consumer (ufd_smmuv3_priq_poll(), the thread or a test) reads
 *     the queue and gathers requests per (StreamID, SubstreamID, PRG
 *     index) until the Last one, then hands the whole group to the
 *     device's fault handler (ufd_dev_page_request(): the core reports it
 *     on the fault queue of the HWPT the device is attached to, one
 *     record per request, one cookie per group).
 *  5. The program's answer comes back through pri_done(): SUCCESS becomes
 *     CMD_PRI_RESP Success, INVALID (or the core's automatic answer when
 *     the device leaves the HWPT) Failure, with a CMD_SYNC.
 *  6. A group nobody can take -- an unknown or PRI-less StreamID, a device
 *     whose attachment has no fault queue, no memory -- is answered at
 *     once with Deny for its Last request, which is what Linux's
 *     arm-smmu-v3 does with every page request.
 *  7. An overflow (PRIQ_PROD.OVFLG) loses requests: every group still
 *     being gathered is dropped (its Last request was lost and answered by
 *     the SMMU, or will be), and the overflow is acknowledged so the queue
 *     takes requests again.
 *
 * Locking: pri_lock serialises consumers and guards the groups being
 * gathered. It is held while a group goes to the core, which takes the
 * device's locks: so nothing that holds those may take it. A device's
 * release takes it after the device left the StreamID table, so a
 * consumer that found the device keeps it alive until it is done.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "drivers/smmuv3/smmuv3_priv.h"
#include "uiommufd/uapi/iommufd.h"

/* Requests one group may gather; more mean a broken or hostile device. */
#define PRG_REQS_MAX 256
/* Groups gathered at once (all StreamIDs). */
#define PRGS_MAX 1024

/* A group whose Last request has not arrived; then the core's done arg. */
struct smmu_prg {
	struct smmu_link link; /* smmu->prgs, pri_lock */
	struct ufd_smmuv3 *smmu;
	uint32_t sid;
	uint32_t ssid; /* SMMUV3_NO_SSID: no SubstreamID */
	uint16_t prgi;
	bool overlong; /* more than PRG_REQS_MAX requests */
	unsigned int n, cap;
	struct ufd_iopf *reqs;
};

static void prg_free(struct smmu_prg *g)
{
	ufd_free(g->reqs);
	ufd_free(g);
}

/* CMD_PRI_RESP and CMD_SYNC for a group. */
static void pri_respond(struct ufd_smmuv3 *smmu, uint32_t sid, uint32_t ssid,
			uint16_t prgi, unsigned int resp)
{
	uint64_t c0 = smmu_dprep(SMMU_CMD_OP, SMMU_CMD_PRI_RESP_OP) |
		      smmu_dprep(SMMU_CMD_SID, sid);

	if (ssid != SMMUV3_NO_SSID)
		c0 |= smmu_dprep(SMMU_CMD_SSV, 1) |
		      smmu_dprep(SMMU_CMD_SSID, ssid);
	if (smmu_cmd_sync_one(smmu, c0,
			      smmu_dprep(SMMU_CMD_PRI_PRGI, prgi) |
				      smmu_dprep(SMMU_CMD_PRI_RESP, resp)))
		ufd_log(UFD_LOG_ERR, "smmuv3: CMD_PRI_RESP failed");
}

static void pri_deny(struct ufd_smmuv3 *smmu, uint32_t sid, uint32_t ssid,
		     uint16_t prgi)
{
	smmu_stat_inc(smmu, pri_denied);
	pri_respond(smmu, sid, ssid, prgi, SMMU_PRI_RESP_DENY);
}

/*
 * The program answered the group (or the core did for it): the response
 * goes to the device. Runs on whatever thread answered, with none of our
 * locks held.
 */
static void pri_done(void *arg, uint32_t code)
{
	struct smmu_prg *g = arg;

	smmu_stat_inc(g->smmu, pri_resps);
	/* INVALID is PCIe's Invalid Request, which the SMMU calls Deny. */
	pri_respond(g->smmu, g->sid, g->ssid, g->prgi,
		    code == IOMMUFD_PAGE_RESP_SUCCESS ? SMMU_PRI_RESP_SUCC
						      : SMMU_PRI_RESP_DENY);
	prg_free(g);
}

/* The group @rec belongs to, gathered so far, or NULL. pri_lock held. */
static struct smmu_prg *prg_find(struct ufd_smmuv3 *smmu, uint32_t sid,
				 uint32_t ssid, uint16_t prgi)
{
	struct smmu_link *l;

	for (l = smmu->prgs.next; l != &smmu->prgs; l = l->next) {
		struct smmu_prg *g = container_of(l, struct smmu_prg, link);

		if (g->sid == sid && g->ssid == ssid && g->prgi == prgi)
			return g;
	}
	return NULL;
}

static void prg_drop(struct ufd_smmuv3 *smmu, struct smmu_prg *g)
{
	smmu_list_del(&g->link);
	smmu->nprgs--;
	smmu_stat_inc(smmu, pri_dropped);
	prg_free(g);
}

/* Adds @req to @g; false when out of memory. */
static bool prg_add(struct smmu_prg *g, const struct ufd_iopf *req)
{
	struct ufd_iopf *grown;

	if (g->n == PRG_REQS_MAX) {
		g->overlong = true;
		return true;
	}
	if (g->n == g->cap) {
		grown = ufd_realloc(g->reqs,
				    (g->cap ? 2 * g->cap : 4) * sizeof(*grown));
		if (!grown)
			return false;
		g->reqs = grown;
		g->cap = g->cap ? 2 * g->cap : 4;
	}
	g->reqs[g->n++] = *req;
	return true;
}

/* Is @sid a device with PRI? pri_lock held. */
static struct smmu_master *pri_master(struct ufd_smmuv3 *smmu, uint32_t sid)
{
	struct smmu_master *m = NULL;

	if (sid >> smmu->sid_bits)
		return NULL;
	ufd_mutex_lock(&smmu->streams_lock);
	if (smmu->by_sid[sid] && smmu->by_sid[sid]->pri_capable)
		m = smmu->by_sid[sid];
	ufd_mutex_unlock(&smmu->streams_lock);
	return m;
}

/*
 * A whole group, off the list: to the device's fault handler, or answered
 * Deny. pri_lock held, which keeps @m (and its device) from going.
 */
static void prg_deliver(struct ufd_smmuv3 *smmu, struct smmu_master *m,
			struct smmu_prg *g)
{
	int rc = -ENOENT;

	if (m && !g->overlong)
		rc = ufd_dev_page_request(m->dev, g->reqs, g->n, pri_done, g);
	if (!rc) {
		smmu_stat_inc(smmu, pri_groups);
		return;
	}
	pri_deny(smmu, g->sid, g->ssid, g->prgi);
	prg_free(g);
}

/* One PRI queue record (8.1). pri_lock held. */
static void priq_handle(struct ufd_smmuv3 *smmu, const uint64_t *rec)
{
	uint32_t sid = (uint32_t)smmu_dget(rec, SMMU_PRI_SID);
	bool ssv = smmu_dget(rec, SMMU_PRI_SSV);
	uint32_t ssid = ssv ? (uint32_t)smmu_dget(rec, SMMU_PRI_SSID)
			    : SMMUV3_NO_SSID;
	uint16_t prgi = (uint16_t)smmu_dget(rec, SMMU_PRI_PRGI);
	bool last = smmu_dget(rec, SMMU_PRI_LAST);
	struct ufd_iopf req = {
		.flags = (ssv ? IOMMU_PGFAULT_FLAGS_PASID_VALID : 0) |
			 (last ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0),
		.pasid = ssv ? ssid : 0,
		.grpid = prgi,
		.perm = (smmu_dget(rec, SMMU_PRI_READ) ? IOMMU_PGFAULT_PERM_READ
						       : 0) |
			(smmu_dget(rec, SMMU_PRI_WRITE)
				 ? IOMMU_PGFAULT_PERM_WRITE
				 : 0) |
			(smmu_dget(rec, SMMU_PRI_EXEC) ? IOMMU_PGFAULT_PERM_EXEC
						       : 0) |
			(smmu_dget(rec, SMMU_PRI_PRIV) ? IOMMU_PGFAULT_PERM_PRIV
						       : 0),
		.addr = smmu_dget(rec, SMMU_PRI_ADDR) << 12,
	};
	struct smmu_master *m = pri_master(smmu, sid);
	struct smmu_prg *g;

	smmu_stat_inc(smmu, pri_reqs);
	/* Nobody to gather for: only a Last request wants an answer. */
	if (!m) {
		if (last)
			pri_deny(smmu, sid, ssid, prgi);
		return;
	}
	g = prg_find(smmu, sid, ssid, prgi);
	if (!g && smmu->nprgs < PRGS_MAX) {
		g = ufd_zalloc(sizeof(*g));
		if (g) {
			g->smmu = smmu;
			g->sid = sid;
			g->ssid = ssid;
			g->prgi = prgi;
			smmu_list_add(&smmu->prgs, &g->link);
			smmu->nprgs++;
		}
	}
	if (g && !prg_add(g, &req)) {
		prg_drop(smmu, g);
		g = NULL;
	}
	if (!last)
		return;
	if (!g) {
		/* Could not keep the group: it cannot be reported. */
		smmu_stat_inc(smmu, pri_dropped);
		pri_deny(smmu, sid, ssid, prgi);
		return;
	}
	smmu_list_del(&g->link);
	smmu->nprgs--;
	prg_deliver(smmu, m, g);
}

/* Requests were lost: no group being gathered will see its Last. */
static void priq_overflow(struct ufd_smmuv3 *smmu)
{
	smmu_stat_inc(smmu, priq_overflows);
	while (!smmu_list_empty(&smmu->prgs))
		prg_drop(smmu,
			 container_of(smmu->prgs.next, struct smmu_prg, link));
}

unsigned int ufd_smmuv3_priq_poll(struct ufd_smmuv3 *smmu)
{
	const struct smmu_outq q = {
		.prod_reg = SMMU_PRIQ_PROD,
		.cons_reg = SMMU_PRIQ_CONS,
		.base = smmu->priq,
		.lg2 = smmu->priq_lg2,
		.dwords = SMMU_PRI_DWORDS,
		.cons = &smmu->priq_cons,
		.handle = priq_handle,
		.overflow = priq_overflow,
	};
	unsigned int n;

	if (!smmu->pri)
		return 0;
	ufd_mutex_lock(&smmu->pri_lock);
	n = smmu_outq_drain(smmu, &q);
	ufd_mutex_unlock(&smmu->pri_lock);
	return n;
}

/**
 * smmu_priq_init() - program and enable the PRI queue (bring-up)
 *
 * Return: 0, or -EIO when the SMMU does not acknowledge PRIQEN.
 */
int smmu_priq_init(struct ufd_smmuv3 *smmu)
{
	uint64_t base =
		smmu_fprep(SMMU_Q_BASE_ADDR, smmu_host_pa(smmu->priq) >> 5) |
		smmu_fprep(SMMU_Q_BASE_LOG2SIZE, smmu->priq_lg2);
	uint32_t cr0;

	smmuv3_mmio_write(smmu->hw, SMMU_PRIQ_BASE, 8, base);
	smmuv3_mmio_write(smmu->hw, SMMU_PRIQ_PROD, 4, 0);
	smmuv3_mmio_write(smmu->hw, SMMU_PRIQ_CONS, 4, 0);
	cr0 = (uint32_t)smmuv3_mmio_read(smmu->hw, SMMU_CR0, 4) |
	      (uint32_t)smmu_fmask(SMMU_CR0_PRIQEN);
	smmuv3_mmio_write(smmu->hw, SMMU_CR0, 4, cr0);
	return smmu_fget(smmuv3_mmio_read(smmu->hw, SMMU_CR0ACK, 4),
			 SMMU_CR0_PRIQEN)
		       ? 0
		       : -EIO;
}

/** smmu_priq_free() - drop the groups still being gathered (teardown) */
void smmu_priq_free(struct ufd_smmuv3 *smmu)
{
	ufd_mutex_lock(&smmu->pri_lock);
	while (!smmu_list_empty(&smmu->prgs)) {
		struct smmu_prg *g =
			container_of(smmu->prgs.next, struct smmu_prg, link);

		smmu_list_del(&g->link);
		smmu->nprgs--;
		prg_free(g);
	}
	ufd_mutex_unlock(&smmu->pri_lock);
}

/**
 * smmu_pri_forget() - a released device's StreamID is free again
 *
 * Called after the device left the StreamID table: waits for a consumer
 * that is handing one of its groups over, and drops the groups gathered
 * for it, so a device that gets the StreamID next does not inherit them.
 */
void smmu_pri_forget(struct ufd_smmuv3 *smmu, uint32_t sid)
{
	struct smmu_link *l, *next;

	ufd_mutex_lock(&smmu->pri_lock);
	for (l = smmu->prgs.next; l != &smmu->prgs; l = next) {
		struct smmu_prg *g = container_of(l, struct smmu_prg, link);

		next = l->next;
		if (g->sid == sid)
			prg_drop(smmu, g);
	}
	ufd_mutex_unlock(&smmu->pri_lock);
}

/**
 * smmu_pri_set() - set or clear the PRI Enable bit of @m's device
 *
 * dev->domain_lock held for write. Clearing it ends the device's wait for
 * the groups it sent: their responses, when they come, are ignored.
 */
void smmu_pri_set(struct smmu_master *m, bool on)
{
	if (m->pri_on == on)
		return;
	ufd_dev_set_pri(m->dev, on);
	m->pri_on = on;
}

/**
 * smmu_pri_request() - iommu_ops.pri_request: a Page Request of @dev
 *
 * Goes to the SMMU model for the device's StreamID, which queues it in
 * the PRI queue. Return: 0, or smmuv3_pri_request()'s error (-ENOSPC: lost
 * to an overflow; -EOPNOTSUPP: no PRI; -EAGAIN: the queue is off; -EIO).
 */
int smmu_pri_request(struct ufd_dev *dev, const struct ufd_pri_req *req)
{
	struct smmu_master *m = dev_to_master(dev);
	unsigned int perm = (req->read ? SMMUV3_READ : 0) |
			    (req->write ? SMMUV3_WRITE : 0) |
			    (req->exec ? SMMUV3_EXEC : 0) |
			    (req->priv ? SMMUV3_PRIV : 0);

	return smmuv3_pri_request(m->smmu->hw, m->sid,
				  req->pasid_valid ? req->pasid
						   : SMMUV3_NO_SSID,
				  req->addr, perm, req->prgi, req->last);
}

/**
 * smmu_dev_pri_resp() - the SMMU executed CMD_PRI_RESP for the device
 *
 * A smmuv3_dev_ops member: the PRG Response reaches the device. Deny is
 * PCIe's Invalid Request, Fail its Response Failure.
 */
void smmu_dev_pri_resp(void *priv, uint32_t sid, uint32_t ssid, uint16_t prgi,
		       unsigned int resp)
{
	struct smmu_master *m = priv;
	enum ufd_prg_resp r = resp == SMMU_PRI_RESP_SUCC ? UFD_PRG_RESP_SUCCESS
			      : resp == SMMU_PRI_RESP_DENY
				      ? UFD_PRG_RESP_INVALID
				      : UFD_PRG_RESP_FAILURE;

	ufd_dev_pri_resp(m->dev, ssid == SMMUV3_NO_SSID ? UFD_NO_PASID : ssid,
			 prgi, r);
}
