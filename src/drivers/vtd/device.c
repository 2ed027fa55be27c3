// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices of the VT-d driver: source-ids, context entries and PASID
 * directories (probe and release), what the unit offers a device
 * (capable, hw_info) and its PCIe ATS requests.
 *
 * A device gets the lowest free source-id from bus 0 device 1 on and a
 * present scalable-mode context entry pointing at its own PASID directory;
 * every PASID entry starts not present, so the device is blocked until
 * something is attached (domain.c). Releasing blocks every PASID first,
 * clears the context entry and invalidates the context cache before the
 * PASID tables go.
 *
 * ATS, as Linux's intel-iommu does it: a device created with UFD_DEV_ATS
 * behind a unit with ECAP.DT is ATS capable; its context entry has DTE and
 * its source-id is registered with the model, so device-TLB invalidations
 * reach its ATC. ATS is on while RID_PASID is attached to a domain; every
 * IOTLB invalidation of a table it uses, and every teardown of one of its
 * PASID entries, is followed by a device-TLB invalidation (domain.c).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "drivers/vtd/vtd_priv.h"

/* ---- Devices ---- */

/* The unit executed a device-TLB invalidation for the device. */
static int vtd_dev_atc_inval(void *priv, uint16_t sid, uint32_t pasid,
			     uint64_t addr, unsigned int size_lg2, bool global)
{
	struct vtd_master *m = priv;

	ufd_dev_atc_inval(m->dev, pasid == VTD_NO_PASID ? UFD_NO_PASID : pasid,
			  addr, size_lg2, global);
	return 0;
}

static const struct vtd_dev_ops vtd_dev_ops = {
	.atc_inval = vtd_dev_atc_inval,
};

/* The context entry of @m: its PASID directory, PASIDs, device TLB. */
static void make_ctx(struct vtd_master *m, uint64_t ce[4])
{
	memset(ce, 0, 4 * sizeof(*ce));
	vtd_dset(ce, VTD_SM_CTX_P, 1);
	vtd_dset(ce, VTD_SM_CTX_DTE, m->ats_capable);
	vtd_dset(ce, VTD_SM_CTX_PASIDE, m->dev->pasid_bits != 0);
	vtd_dset(ce, VTD_SM_CTX_PDTS, m->pdts);
	vtd_dset(ce, VTD_SM_CTX_PASIDDIRPTR, vtd_host_pa(m->pdir) >> 12);
	vtd_dset(ce, VTD_SM_CTX_RID_PASID, VTD_DRV_RID_PASID);
}

/**
 * vtd_probe_device() - iommu_ops.probe_device: a source-id for @dev
 *
 * The lowest free source-id from bus 0 device 1 on, a PASID directory
 * (128 entries, or what the device's PASIDs need) and a present context
 * entry pointing at it; every PASID blocked. A device with
 * UFD_DEV_PASID behind a unit with PASIDs gets dev->pasid_bits =
 * ECAP.PSS + 1; one with UFD_DEV_ATS behind a unit with ECAP.DT is ATS
 * capable (DTE set, its device-TLB invalidations reach its ATC).
 * Return: 0, -ENODEV (ops not ours), the default instance's creation
 * error, -ENOSPC (no source-id left), -ENOMEM.
 */
int vtd_probe_device(struct ufd_dev *dev)
{
	struct ufd_vtd *vtd = ufd_vtd_of(dev->iommu);
	struct vtd_batch b;
	struct vtd_master *m;
	unsigned long sid;
	uint64_t ce[4];
	int rc;

	if (IS_ERR_OR_NULL(vtd))
		return vtd ? (int)PTR_ERR(vtd) : -ENODEV;
	m = ufd_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->vtd = vtd;
	m->dev = dev;
	vtd_list_init(&m->attaches);
	dev->pasid_bits = (dev->flags & UFD_DEV_PASID) ? vtd->pasid_bits : 0;
	m->pdts = dev->pasid_bits > 13 ? dev->pasid_bits - 13 : 0;
	m->pdir_entries = 128u << m->pdts;
	m->pdir = ufd_alloc_aligned(4096, ufd_max(m->pdir_entries * 8, 4096u));
	if (!m->pdir) {
		rc = -ENOMEM;
		goto out_free;
	}
	memset(m->pdir, 0, ufd_max(m->pdir_entries * 8, 4096u));
	m->ats_capable = (dev->flags & UFD_DEV_ATS) && vtd->dt;
	ufd_mutex_lock(&vtd->tables_lock);
	sid = find_next_zero_bit(vtd->sid_map, VTD_DRV_NSIDS,
				 VTD_DRV_FIRST_SID);
	if (sid >= VTD_DRV_NSIDS) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	m->sid = (uint16_t)sid;
	make_ctx(m, ce);
	rc = vtd_ctx_set(vtd, m->sid, ce);
	if (rc)
		goto out_unlock;
	if (m->ats_capable) {
		rc = vtd_dev_register(vtd->hw, m->sid, &vtd_dev_ops, m);
		if (rc)
			goto out_clear;
	}
	set_bit(sid, vtd->sid_map);
	vtd->by_sid[sid] = m;
	ufd_mutex_unlock(&vtd->tables_lock);
	/* A reused source-id may still have its old context entry cached. */
	b = (struct vtd_batch){ .vtd = vtd };
	vtd_add_cc_dev(&b, m->sid);
	vtd_batch_submit(&b);
	dev->priv = m;
	return 0;

out_clear:
	memset(ce, 0, sizeof(ce));
	vtd_ctx_set(vtd, m->sid, ce);
out_unlock:
	ufd_mutex_unlock(&vtd->tables_lock);
	ufd_free(m->pdir);
out_free:
	ufd_free(m);
	dev->pasid_bits = 0;
	return rc;
}

void ufd_vtd_release_device(struct ufd_dev *dev)
{
	struct vtd_master *m;
	struct ufd_vtd *vtd;
	struct vtd_batch b;
	uint64_t ce[4] = { 0 };
	unsigned int i;

	if (!dev || !vtd_is_our_ops(dev->iommu) || !dev->priv)
		return;
	m = dev_to_master(dev);
	vtd = m->vtd;
	while (!vtd_list_empty(&m->attaches)) {
		struct vtd_attach *a = container_of(
			m->attaches.next, struct vtd_attach, dev_link);

		vtd_install(m, a->pasid, NULL, NULL);
	}
	/* Waits for a device-TLB invalidation reaching the device now. */
	if (m->ats_capable)
		vtd_dev_unregister(vtd->hw, m->sid);
	ufd_mutex_lock(&vtd->tables_lock);
	vtd_ctx_set(vtd, m->sid, ce);
	vtd->by_sid[m->sid] = NULL;
	ufd_mutex_unlock(&vtd->tables_lock);
	b = (struct vtd_batch){ .vtd = vtd };
	vtd_add_cc_dev(&b, m->sid);
	vtd_batch_submit(&b);
	/* Not present since the tear-downs and the flush: tables can go. */
	for (i = 0; i < m->pdir_entries; i++)
		if (vtd_fget(m->pdir[i], VTD_PDE_P))
			ufd_free(vtd_host_ptr(
				vtd_fget(m->pdir[i], VTD_PDE_SMPTBLPTR) << 12));
	ufd_mutex_lock(&vtd->tables_lock);
	clear_bit(m->sid, vtd->sid_map);
	ufd_mutex_unlock(&vtd->tables_lock);
	dev->priv = NULL;
	ufd_free(m->pdir);
	ufd_free(m);
}

uint16_t ufd_vtd_dev_sid(const struct ufd_dev *dev)
{
	return dev_to_master(dev)->sid;
}

/**
 * vtd_capable() - iommu_ops.capable, from CAP and ECAP
 *
 * Cache coherency always (as Linux answers); dirty tracking with
 * ECAP.SSADS; ATS for a device that has it behind a unit with ECAP.DT.
 */
bool vtd_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap)
{
	struct ufd_vtd *vtd = vtd_of_dev(dev);

	switch (cap) {
	case UFD_CAP_CACHE_COHERENCY:
		return true;
	case UFD_CAP_DIRTY_TRACKING:
		return vtd->ssads;
	case UFD_CAP_PCI_ATS_SUPPORTED:
		return dev_to_master(dev)->ats_capable;
	default:
		return false;
	}
}

/* The read locks that keep the tables behind @domain out of unmap's way. */
static void walk_locks(struct ufd_domain *domain, struct ufd_rwlock *locks[2])
{
	locks[0] = locks[1] = NULL;
	if (domain->type == UFD_DOMAIN_PAGING) {
		locks[0] = &to_vtd_domain(domain)->lock;
	} else {
		locks[0] = &to_vtd_nested(domain)->lock;
		locks[1] = &to_vtd_nested(domain)->parent->lock;
	}
}

/**
 * vtd_ats_request() - iommu_ops.ats_request: a PCIe ATS request of @dev
 *
 * Translation Requests are served by the model for the device's own
 * source-id and PASID (vtd_ats_translate()), under the read locks of the
 * tables it walks; a translation fault answers "no access". Translated
 * requests pass untranslated while the context entry has DTE, which is
 * what the architecture does. The caller holds dev->domain_lock for read,
 * so the attachments stay. Return: 0, -EFAULT (Unsupported Request,
 * Completer Abort, a refused Translated request), -EINVAL (unknown kind).
 */
int vtd_ats_request(struct ufd_dev *dev, struct ufd_ats_req *req)
{
	struct vtd_master *m = dev_to_master(dev);
	uint32_t pasid = req->pasid_valid ? req->pasid : VTD_DRV_RID_PASID;
	struct ufd_rwlock *locks[2];
	struct vtd_attach *a;
	struct vtd_ats res;
	unsigned int i;
	int rc;

	switch (req->kind) {
	case UFD_ATS_TRANSLATED:
		return m->ats_capable ? 0 : -EFAULT;
	case UFD_ATS_TRANSLATE:
		break;
	default:
		return -EINVAL;
	}
	a = vtd_find_attach(m, pasid);
	if (!a || !m->ats_capable)
		return -EFAULT;
	walk_locks(a->domain, locks);
	for (i = 0; i < 2 && locks[i]; i++)
		ufd_rwlock_rdlock(locks[i]);
	/* A read asks without write (No-Write), so no page turns dirty. */
	rc = vtd_ats_translate(m->vtd->hw, m->sid,
			       req->pasid_valid ? req->pasid : VTD_NO_PASID,
			       req->addr,
			       VTD_READ | (req->write ? VTD_WRITE : 0), &res);
	for (i = 2; i-- > 0;)
		if (locks[i])
			ufd_rwlock_unlock(locks[i]);
	if (rc)
		return -EFAULT;
	req->out_page_lg2 = res.page_lg2;
	req->out_addr = res.oa & ~((1ull << res.page_lg2) - 1);
	req->out_read = res.perm & VTD_READ;
	req->out_write = res.perm & VTD_WRITE;
	return 0;
}

/**
 * vtd_hw_info() - iommu_ops.hw_info
 *
 * IOMMU_HW_INFO_TYPE_INTEL_VTD (also for DEFAULT): CAP_REG and ECAP_REG
 * as the unit reports them, no errata flags. Anything else is
 * -EOPNOTSUPP.
 */
void *vtd_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type)
{
	struct ufd_vtd *vtd = vtd_of_dev(dev);
	struct iommu_hw_info_vtd *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		return ERR_PTR(-EOPNOTSUPP);
	info = ufd_zalloc(sizeof(*info));
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->cap_reg = vtd_mmio_read(vtd->hw, VTD_CAP_REG, 8);
	info->ecap_reg = vtd_mmio_read(vtd->hw, VTD_ECAP_REG, 8);
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return info;
}
