// SPDX-License-Identifier: BSD-3-Clause
/*
 * Paging domains of the VT-d driver and the PASID entries that point at
 * them. Requests without PASID use the entry of PASID 0 (the context
 * entry's RID_PASID), as Linux sets it up; devices themselves are
 * device.c's.
 *
 * A paging domain is a page table in host memory in one of two shapes, as
 * Linux (6.x and later) chooses them:
 *   - first stage (the default when ECAP.FSTS): the x86-64 4- or 5-level
 *     format, 5 levels when CAP.FS5LP and MGAW allow it. A PASID entry
 *     with PGTT = first stage; its IOTLB entries are tagged (DID, PASID),
 *     so unmapping issues a PASID-based IOTLB invalidation for every
 *     (device, PASID) the domain is attached at;
 *   - second stage (IOMMU_HWPT_ALLOC_NEST_PARENT, dirty tracking, or a
 *     unit without first stage): levels from SAGAW and MGAW. A PASID entry
 *     with PGTT = second stage; its IOTLB entries are tagged by DID, so
 *     unmapping issues an IOTLB invalidation of the domain's DID, and of
 *     the DID of every nested domain over it (their combined entries).
 * Every domain has its own domain id from the instance's allocator.
 *
 * Changing a PASID entry follows the specification's guidance for
 * invalidations as Linux does it: a present entry is first torn down --
 * cleared, then PASID-cache invalidation (PASID-selective within its
 * DID), PASID-based IOTLB invalidation of the PASID (first stage) or
 * domain-selective IOTLB invalidation (second stage, nested), and the
 * device TLB -- and only then is the new entry written, which needs no
 * invalidation (a not-present entry is never cached) unless the unit is
 * in caching mode.
 *
 * Translation: the model translates by (source-id, PASID): the device's
 * and the DMA's PASID when the DMA names its device (out->dev,
 * out->pasid), else the first attachment in the domain's list (every
 * attachment of a domain has an entry of identical meaning).
 *
 * Locking: a domain's rwlock is held for read by translations and dirty
 * harvests and for write by unmap and by changes to its attachment list
 * and dirty-tracking state, so the model never walks a table page an
 * unmap freed and an attachment is in the list exactly while its entry
 * may be cached. A nested domain's attachments change under its own lock
 * and its parent's, so the parent's unmap and dirty tracking reach them.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/pt_map.h"
#include "drivers/vtd/vtd_priv.h"

#define PE_QWORDS (VTD_PASID_ENTRY_SIZE / 8)

static struct vtd_domain *iopt_to_domain(struct iopt_domain *d)
{
	return container_of(d, struct vtd_domain, base.iopt);
}

/* ---- PASID directory and tables ---- */

/*
 * The PASID entry of (@m, @pasid), its table made when @alloc. tables_lock
 * held. Returns NULL when the directory does not reach @pasid or the
 * table is missing (or could not be made).
 */
static uint64_t *pasid_entry(struct vtd_master *m, uint32_t pasid, bool alloc)
{
	uint32_t di = pasid >> VTD_PASID_DIR_SHIFT;
	uint64_t pde, *t;

	ufd_mutex_assert_held(&m->vtd->tables_lock);
	if (di >= m->pdir_entries)
		return NULL;
	pde = __atomic_load_n(&m->pdir[di], __ATOMIC_RELAXED);
	if (!vtd_fget(pde, VTD_PDE_P)) {
		if (!alloc)
			return NULL;
		t = ufd_alloc_aligned(4096, 4096);
		if (!t)
			return NULL;
		memset(t, 0, 4096);
		pde = vtd_fprep(VTD_PDE_P, 1) |
		      vtd_fprep(VTD_PDE_SMPTBLPTR, vtd_host_pa(t) >> 12);
		/* Publishes the zeroed table to the walker. */
		__atomic_store_n(&m->pdir[di], pde, __ATOMIC_RELEASE);
	}
	t = vtd_host_ptr(vtd_fget(pde, VTD_PDE_SMPTBLPTR) << 12);
	return &t[(pasid % VTD_PASID_TBL_ENTRIES) * PE_QWORDS];
}

int ufd_vtd_read_pasid_entry(struct ufd_dev *dev, uint32_t pasid,
			     uint64_t pe[PE_QWORDS])
{
	struct vtd_master *m = dev_to_master(dev);
	uint64_t *e;
	unsigned int i;
	int rc = -ENOENT;

	ufd_mutex_lock(&m->vtd->tables_lock);
	e = pasid_entry(m, pasid, false);
	if (e) {
		for (i = 0; i < PE_QWORDS; i++)
			pe[i] = __atomic_load_n(&e[i], __ATOMIC_RELAXED);
		rc = 0;
	}
	ufd_mutex_unlock(&m->vtd->tables_lock);
	return rc;
}

/* ---- PASID entry images ---- */

static unsigned int aw_of_levels(unsigned int levels)
{
	return levels == 5 ? VTD_AW_57 : levels == 4 ? VTD_AW_48 : VTD_AW_39;
}

/* Fields every entry of ours has: present, DID, page-walk snoop. */
static void pe_common(struct ufd_vtd *vtd, uint64_t pe[PE_QWORDS],
		      unsigned int pgtt, uint16_t did)
{
	memset(pe, 0, PE_QWORDS * sizeof(*pe));
	vtd_dset(pe, VTD_PE_P, 1);
	vtd_dset(pe, VTD_PE_PGTT, pgtt);
	vtd_dset(pe, VTD_PE_DID, did);
	vtd_dset(pe, VTD_PE_PWSNP, vtd->smpwc);
}

/* The entry of a paging domain @d. SSADE is vtd_install()'s. */
static void make_paging_pe(struct vtd_domain *d, uint64_t pe[PE_QWORDS])
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(d->pt);
	struct ufd_vtd *vtd = d->vtd;

	if (d->first_stage) {
		pe_common(vtd, pe, VTD_PGTT_FS, d->did);
		vtd_dset(pe, VTD_PE_FSPTPTR, pt_root(c) >> 12);
		vtd_dset(pe, VTD_PE_FSPM,
			 pt_levels(c) == 5 ? VTD_FSPM_5LVL : VTD_FSPM_4LVL);
		/* Linux puts the unit's AGAW in every entry it writes. */
		vtd_dset(pe, VTD_PE_AW,
			 vtd->ss ? vtd->ss_aw : aw_of_levels(pt_levels(c)));
		return;
	}
	pe_common(vtd, pe, VTD_PGTT_SS, d->did);
	vtd_dset(pe, VTD_PE_SSPTPTR, pt_root(c) >> 12);
	vtd_dset(pe, VTD_PE_AW, aw_of_levels(pt_levels(c)));
}

/* The paging domain whose table's dirty state an entry for @domain uses. */
static struct vtd_domain *ss_table_of(struct ufd_domain *domain)
{
	if (domain->type == UFD_DOMAIN_NESTED)
		return to_vtd_nested(domain)->parent;
	return to_vtd_domain(domain)->first_stage ? NULL
						  : to_vtd_domain(domain);
}

/* ---- Attachment lists ---- */

/* Write-locks what guards @domain's attachment list (see the essay). */
static void attaches_lock(struct ufd_domain *domain)
{
	if (domain->type == UFD_DOMAIN_NESTED) {
		ufd_rwlock_wrlock(&to_vtd_nested(domain)->lock);
		ufd_rwlock_wrlock(&to_vtd_nested(domain)->parent->lock);
	} else {
		ufd_rwlock_wrlock(&to_vtd_domain(domain)->lock);
	}
}

static void attaches_unlock(struct ufd_domain *domain)
{
	if (domain->type == UFD_DOMAIN_NESTED) {
		ufd_rwlock_unlock(&to_vtd_nested(domain)->parent->lock);
		ufd_rwlock_unlock(&to_vtd_nested(domain)->lock);
	} else {
		ufd_rwlock_unlock(&to_vtd_domain(domain)->lock);
	}
}

static struct vtd_link *attaches_of(struct ufd_domain *domain)
{
	if (domain->type == UFD_DOMAIN_NESTED)
		return &to_vtd_nested(domain)->attaches;
	return &to_vtd_domain(domain)->attaches;
}

/** vtd_find_attach() - the attachment of (@m, @pasid), or NULL */
struct vtd_attach *vtd_find_attach(struct vtd_master *m, uint32_t pasid)
{
	struct vtd_link *l;

	vtd_for_each(l, &m->attaches)
	{
		struct vtd_attach *a =
			container_of(l, struct vtd_attach, dev_link);

		if (a->pasid == pasid)
			return a;
	}
	return NULL;
}

/*
 * Tears down the present entry of (@m, @pasid): cleared, then the
 * invalidations the specification lists for it, with the DID and type the
 * entry had. tables_lock not held.
 */
static void teardown_entry(struct vtd_master *m, uint32_t pasid)
{
	struct ufd_vtd *vtd = m->vtd;
	struct vtd_batch b = { .vtd = vtd };
	uint64_t old[PE_QWORDS], *e;
	unsigned int i;

	ufd_mutex_lock(&vtd->tables_lock);
	e = pasid_entry(m, pasid, false);
	if (!e) {
		ufd_mutex_unlock(&vtd->tables_lock);
		return;
	}
	for (i = 0; i < PE_QWORDS; i++)
		old[i] = __atomic_load_n(&e[i], __ATOMIC_RELAXED);
	if (!vtd_dget(old, VTD_PE_P)) {
		ufd_mutex_unlock(&vtd->tables_lock);
		return;
	}
	/* P goes first: the unit never sees a present half-cleared entry. */
	__atomic_store_n(&e[0], 0, __ATOMIC_RELEASE);
	for (i = 1; i < PE_QWORDS; i++)
		__atomic_store_n(&e[i], 0, __ATOMIC_RELAXED);
	ufd_mutex_unlock(&vtd->tables_lock);

	vtd_add_pc(&b, (uint16_t)vtd_dget(old, VTD_PE_DID), pasid);
	if (vtd_dget(old, VTD_PE_PGTT) == VTD_PGTT_FS ||
	    vtd_dget(old, VTD_PE_PGTT) == VTD_PGTT_PT)
		vtd_add_piotlb(&b, (uint16_t)vtd_dget(old, VTD_PE_DID), pasid,
			       0, 0, false);
	else
		vtd_add_iotlb(&b, (uint16_t)vtd_dget(old, VTD_PE_DID), 0, 0);
	vtd_add_devtlb(&b, m, pasid, 0, 0);
	vtd_batch_submit(&b);
}

/* Writes @pe, not present before, for (@m, @pasid). Returns 0/-ENOMEM. */
static int write_entry(struct vtd_master *m, uint32_t pasid,
		       const uint64_t pe[PE_QWORDS])
{
	struct ufd_vtd *vtd = m->vtd;
	struct vtd_batch b = { .vtd = vtd };
	uint64_t *e;
	unsigned int i;

	ufd_mutex_lock(&vtd->tables_lock);
	e = pasid_entry(m, pasid, true);
	if (!e) {
		ufd_mutex_unlock(&vtd->tables_lock);
		return -ENOMEM;
	}
	for (i = 1; i < PE_QWORDS; i++)
		__atomic_store_n(&e[i], pe[i], __ATOMIC_RELAXED);
	__atomic_store_n(&e[0], pe[0], __ATOMIC_RELEASE);
	ufd_mutex_unlock(&vtd->tables_lock);
	/* Only a unit in caching mode may have cached "not present". */
	if (vtd->cm) {
		uint16_t did = (uint16_t)vtd_dget(pe, VTD_PE_DID);

		vtd_add_pc(&b, did, pasid);
		if (vtd_dget(pe, VTD_PE_PGTT) == VTD_PGTT_FS)
			vtd_add_piotlb(&b, did, pasid, 0, 0, false);
		else
			vtd_add_iotlb(&b, did, 0, 0);
		vtd_batch_submit(&b);
	}
	return 0;
}

/**
 * vtd_install() - point (@m, @pasid) at @domain with entry @pe
 * @domain: what the entry means (NULL: blocked, @pe unused)
 * @pe: the new entry without SSADE, which follows the dirty-tracking
 *      state of the second-stage table under that table's lock
 *
 * The attachment leaves its old domain's list, the old entry is torn
 * down, the new one written, and the attachment joins the new domain's
 * list -- under the lists' locks, so unmaps and dirty-tracking changes
 * see every attachment whose entry may be cached. dev->domain_lock held
 * for write. Return: 0 or -ENOMEM (then (@m, @pasid) is blocked).
 */
int vtd_install(struct vtd_master *m, uint32_t pasid, struct ufd_domain *domain,
		const uint64_t pe[PE_QWORDS])
{
	struct vtd_attach *a = vtd_find_attach(m, pasid);
	struct vtd_domain *ss;
	uint64_t img[PE_QWORDS];
	int rc = 0;

	if (a) {
		attaches_lock(a->domain);
		vtd_list_del(&a->domain_link);
		attaches_unlock(a->domain);
	}
	teardown_entry(m, pasid);
	/* ATS follows what RID_PASID points at; its ATC went with the entry. */
	if (pasid == VTD_DRV_RID_PASID && m->dev->ats_enabled)
		ufd_dev_set_ats(m->dev, false);
	if (!domain) {
		if (a) {
			vtd_list_del(&a->dev_link);
			ufd_free(a);
		}
		return 0;
	}
	if (!a) {
		a = ufd_zalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->m = m;
		a->pasid = pasid;
		vtd_list_init(&a->domain_link);
		vtd_list_add(&m->attaches, &a->dev_link);
	}
	a->domain = domain;
	memcpy(img, pe, sizeof(img));
	attaches_lock(domain);
	ss = ss_table_of(domain);
	if (ss && ss->dirty_tracking)
		vtd_dset(img, VTD_PE_SSADE, 1);
	rc = write_entry(m, pasid, img);
	if (!rc)
		vtd_list_add(attaches_of(domain), &a->domain_link);
	attaches_unlock(domain);
	if (rc) {
		vtd_list_del(&a->dev_link);
		ufd_free(a);
		return rc;
	}
	/* Linux enables ATS on a device attached to a translating domain. */
	if (pasid == VTD_DRV_RID_PASID && m->ats_capable)
		ufd_dev_set_ats(m->dev, true);
	return 0;
}

static int vtd_attach_entry(struct ufd_dev *dev, uint32_t pasid,
			    struct ufd_domain *domain);

/**
 * vtd_attach() - iommu_ops.attach: point @dev's RID_PASID at @domain
 *
 * Return: 0, -EINVAL (a domain of another driver or unit), or the nested
 * attach's errors, -ENOMEM.
 */
int vtd_attach(struct ufd_dev *dev, struct ufd_domain *domain)
{
	return vtd_attach_entry(dev, VTD_DRV_RID_PASID, domain);
}

/**
 * vtd_attach_pasid() - iommu_ops.attach_pasid
 *
 * PASID 0 is RID_PASID, which attach() owns: -EINVAL, as Linux refuses
 * IOMMU_NO_PASID there. Otherwise as vtd_attach_entry().
 */
int vtd_attach_pasid(struct ufd_dev *dev, uint32_t pasid,
		     struct ufd_domain *domain)
{
	if (pasid == VTD_DRV_RID_PASID)
		return -EINVAL;
	return vtd_attach_entry(dev, pasid, domain);
}

/*
 * Points (@dev, @pasid) at @domain (NULL: blocked). As Linux: any paging
 * domain (first or second stage) and nested domains may be attached at a
 * PASID of a device with PASIDs enabled. Returns 0; -EINVAL (PASID beyond
 * the device's, another driver's domain); -EOPNOTSUPP (no PASID support);
 * the nested entry's errors; -ENOMEM.
 */
static int vtd_attach_entry(struct ufd_dev *dev, uint32_t pasid,
			    struct ufd_domain *domain)
{
	struct vtd_master *m = dev_to_master(dev);
	uint64_t pe[PE_QWORDS];
	int rc;

	if (pasid != VTD_DRV_RID_PASID) {
		if (!m->vtd->pasid || !dev->pasid_bits)
			return -EOPNOTSUPP;
		if (pasid >= (1u << dev->pasid_bits))
			return -EINVAL;
	}
	if (!domain)
		return vtd_install(m, pasid, NULL, NULL);
	if (domain->owner != dev->iommu)
		return -EINVAL;
	if (domain->type == UFD_DOMAIN_NESTED) {
		rc = vtd_nested_make_pe(m, to_vtd_nested(domain), pe);
		if (rc)
			return rc;
	} else {
		make_paging_pe(to_vtd_domain(domain), pe);
	}
	return vtd_install(m, pasid, domain, pe);
}

/* ---- Translation ---- */

static int xlate_errno(const struct vtd_xlate *x)
{
	switch (x->reason) {
	case VTD_FR_SM_WRITE:
	case VTD_FR_SM_READ:
	case VTD_FR_SM_EXEC:
	case VTD_FR_SM_FS_US:
		return -EPERM;
	default:
		return -EFAULT;
	}
}

/*
 * Answers @out from translation @x of @iova for (@sid, @pasid). A DMA
 * going further runs on through what the IOTLB already holds with
 * contiguous output: no walk, no fault, one call for the lot.
 */
static void translate_run(struct vtd *hw, uint16_t sid, uint32_t pasid,
			  uint64_t iova, unsigned int access,
			  struct vtd_xlate *x, struct ufd_translation *out)
{
	uint64_t size = 1ull << x->page_lg2, want = out->len;

	out->addr = x->oa;
	out->len = size - (iova & (size - 1));
	while (out->len < want &&
	       !vtd_translate_cached(hw, sid, pasid, iova + out->len, access,
				     x) &&
	       x->oa == out->addr + out->len)
		out->len += 1ull << x->page_lg2;
}

/* The PASID a DMA that names its device carries, as the model takes it. */
static uint32_t dma_pasid(const struct ufd_translation *out)
{
	return out->pasid == UFD_NO_PASID ? VTD_NO_PASID : out->pasid;
}

/**
 * vtd_translate_attaches() - translate for a device attached through
 * @attaches
 *
 * By out->dev's source-id and out->pasid when the caller names the
 * device, else by the first attachment. The caller holds the lock that
 * guards @attaches (and the tables' locks). Return: 0, -EFAULT (nothing
 * attached, or a fault) or -EPERM (a permission fault).
 */
int vtd_translate_attaches(struct ufd_vtd *vtd, struct vtd_link *attaches,
			   uint64_t iova, bool write,
			   struct ufd_translation *out)
{
	unsigned int access = write ? VTD_WRITE : VTD_READ;
	uint32_t pasid = VTD_NO_PASID;
	struct vtd_xlate x;
	uint16_t sid;

	if (out->dev) {
		sid = ufd_vtd_dev_sid(out->dev);
		pasid = dma_pasid(out);
	} else {
		struct vtd_attach *a;

		if (vtd_list_empty(attaches))
			return -EFAULT;
		a = container_of(attaches->next, struct vtd_attach,
				 domain_link);
		sid = a->m->sid;
		if (a->pasid != VTD_DRV_RID_PASID)
			pasid = a->pasid;
	}
	if (vtd_translate(vtd->hw, sid, pasid, iova, access, &x))
		return xlate_errno(&x);
	translate_run(vtd->hw, sid, pasid, iova, access, &x, out);
	return 0;
}

/**
 * vtd_translate_cached_dev() - a DMA's translation from the unit's caches
 *
 * For out->dev (whose attachment its caller holds steady), by its own
 * source-id and out->pasid, without a domain lock: only the unit's caches are read,
 * which the model keeps consistent with invalidations itself. Return: 0,
 * or -EAGAIN when the caches cannot answer (then translate in full).
 */
int vtd_translate_cached_dev(struct ufd_vtd *vtd, uint64_t iova, bool write,
			     struct ufd_translation *out)
{
	unsigned int access = write ? VTD_WRITE : VTD_READ;
	struct vtd_xlate x;
	uint16_t sid;

	if (!out->dev)
		return -EAGAIN;
	sid = ufd_vtd_dev_sid(out->dev);
	if (vtd_translate_cached(vtd->hw, sid, dma_pasid(out), iova, access,
				 &x))
		return -EAGAIN;
	translate_run(vtd->hw, sid, dma_pasid(out), iova, access, &x, out);
	return 0;
}

static int paging_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	int rc;

	if (!vtd_translate_cached_dev(d->vtd, iova, write, out))
		return 0;
	ufd_rwlock_rdlock(&d->lock);
	rc = vtd_translate_attaches(d->vtd, &d->attaches, iova, write, out);
	ufd_rwlock_unlock(&d->lock);
	return rc;
}

/* ---- Invalidation ---- */

/*
 * Invalidates what a change to [iova, iova + len) of @d's table (@len 0:
 * all of it) may have left cached, under every tag the table is used with,
 * and in the device TLBs of its users. @d's lock held (either way).
 */
static void domain_inv(struct vtd_domain *d, uint64_t iova, uint64_t len)
{
	struct vtd_batch b = { .vtd = d->vtd };
	struct vtd_link *l, *k;

	if (d->first_stage) {
		vtd_for_each(l, &d->attaches)
		{
			struct vtd_attach *a =
				container_of(l, struct vtd_attach, domain_link);

			vtd_add_piotlb(&b, d->did, a->pasid, iova, len, false);
		}
	} else {
		vtd_add_iotlb(&b, d->did, iova, len);
		/* The guest addresses of nested entries cannot be named. */
		vtd_for_each(l, &d->nested)
		{
			struct vtd_nested *n =
				container_of(l, struct vtd_nested, parent_link);

			vtd_add_iotlb(&b, n->did, 0, 0);
		}
	}
	/* After the IOTLB: a device refill must not find the old entry. */
	vtd_for_each(l, &d->attaches)
	{
		struct vtd_attach *a =
			container_of(l, struct vtd_attach, domain_link);

		vtd_add_devtlb(&b, a->m, a->pasid, iova, len);
	}
	vtd_for_each(l, &d->nested)
	{
		struct vtd_nested *n =
			container_of(l, struct vtd_nested, parent_link);

		vtd_for_each(k, &n->attaches)
		{
			struct vtd_attach *a =
				container_of(k, struct vtd_attach, domain_link);

			vtd_add_devtlb(&b, a->m, a->pasid, 0, 0);
		}
	}
	vtd_batch_submit(&b);
}

/* ---- Map and unmap ---- */

static void vtd_inv(void *d, uint64_t iova, uint64_t len)
{
	domain_inv(d, iova, len);
}

static uint64_t vtd_unmap(struct iopt_domain *id, uint64_t iova, uint64_t len)
{
	struct vtd_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_unmap_inv(d->pt, &d->lock, iova, len, vtd_inv, d);
}

static int vtd_map(struct iopt_domain *id, uint64_t iova, uint64_t paddr,
		   uint64_t len, unsigned int prot, bool small_only)
{
	struct vtd_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_map_inv(d->pt, &d->lock, iova, paddr, len, prot,
				     small_only ? d->small_pgsize : 0, vtd_inv,
				     d);
}

/* Moved memory: new output addresses, and the old ones out of the IOTLB. */
static int vtd_remap(struct iopt_domain *id, uint64_t iova, uint64_t len,
		     uint64_t old_paddr, uint64_t new_paddr)
{
	struct vtd_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_remap_inv(d->pt, &d->lock, iova, len, old_paddr,
				       new_paddr, vtd_inv, d);
}

static const struct iopt_domain_ops vtd_iopt_ops = {
	.map = vtd_map,
	.unmap = vtd_unmap,
	.remap = vtd_remap,
};

/* ---- Dirty tracking ---- */

/*
 * Sets SSADE of the present entry of @a to @on and invalidates as the
 * specification asks for a changed second-stage entry: PASID cache, the
 * domain's IOTLB, the device TLB.
 */
static void attach_set_ssade(struct vtd_batch *b, struct vtd_attach *a, bool on)
{
	struct ufd_vtd *vtd = a->m->vtd;
	uint64_t *e, w[2];

	ufd_mutex_lock(&vtd->tables_lock);
	e = pasid_entry(a->m, a->pasid, false);
	if (!e) {
		ufd_mutex_unlock(&vtd->tables_lock);
		return;
	}
	w[0] = __atomic_load_n(&e[0], __ATOMIC_RELAXED);
	w[1] = __atomic_load_n(&e[1], __ATOMIC_RELAXED);
	vtd_dset(w, VTD_PE_SSADE, on);
	__atomic_store_n(&e[0], w[0], __ATOMIC_RELEASE);
	ufd_mutex_unlock(&vtd->tables_lock);
	vtd_add_pc(b, (uint16_t)vtd_dget(w, VTD_PE_DID), a->pasid);
	vtd_add_iotlb(b, (uint16_t)vtd_dget(w, VTD_PE_DID), 0, 0);
	vtd_add_devtlb(b, a->m, a->pasid, 0, 0);
}

static int vtd_set_dirty_tracking(struct ufd_domain *domain, bool enable)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	struct vtd_batch b = { .vtd = d->vtd };
	struct vtd_link *l, *k;

	ufd_rwlock_wrlock(&d->lock);
	if (d->dirty_tracking == enable)
		goto out_unlock;
	d->dirty_tracking = enable;
	vtd_for_each(l, &d->attaches)
	{
		attach_set_ssade(
			&b, container_of(l, struct vtd_attach, domain_link),
			enable);
	}
	/* Nested domains walk this table too: their entries follow. */
	vtd_for_each(l, &d->nested)
	{
		struct vtd_nested *n =
			container_of(l, struct vtd_nested, parent_link);

		vtd_for_each(k, &n->attaches)
		{
			attach_set_ssade(&b,
					 container_of(k, struct vtd_attach,
						      domain_link),
					 enable);
		}
	}
	vtd_batch_submit(&b);
out_unlock:
	ufd_rwlock_unlock(&d->lock);
	return 0;
}

static int vtd_read_and_clear_dirty(struct ufd_domain *domain, uint64_t iova,
				    uint64_t len, unsigned int flags,
				    const struct ufd_dirty_sink *sink)
{
	struct vtd_domain *d = to_vtd_domain(domain);

	return ufd_pt_domain_read_and_clear_dirty_inv(
		d->pt, &d->lock, iova, len, flags, sink, vtd_inv, d);
}

static const struct ufd_dirty_ops vtd_dirty_ops = {
	.set_dirty_tracking = vtd_set_dirty_tracking,
	.read_and_clear_dirty = vtd_read_and_clear_dirty,
};

/* ---- Domains ---- */

/** vtd_domain_flush_all() - everything cached under @d's DID */
void vtd_domain_flush_all(struct vtd_batch *b, struct vtd_domain *d)
{
	/*
	 * A domain-selective IOTLB invalidation: in scalable mode it drops
	 * every entry tagged with the DID, whatever the PASID and the
	 * translation type. (The PASID-based descriptor has no granularity
	 * for all PASIDs: 00b is reserved.)
	 */
	vtd_add_iotlb(b, d->did, 0, 0);
}

static void paging_free(struct ufd_domain *domain)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	struct vtd_batch b = { .vtd = d->vtd };

	/* The DID may be reused: nothing cached under it may survive. */
	vtd_domain_flush_all(&b, d);
	vtd_batch_submit(&b);
	pt_free(d->pt);
	vtd_did_free(d->vtd, d->did);
	ufd_rwlock_destroy(&d->lock);
	ufd_free(d);
}

const struct ufd_domain_ops vtd_paging_ops = {
	.free = paging_free,
	.translate = paging_translate,
};

static struct ufd_domain *domain_new(struct ufd_vtd *vtd, bool first_stage,
				     bool nest_parent, bool dirty)
{
	struct pt_cfg cfg = {
		.oas = 48,
	};
	struct vtd_domain *d;
	int rc, did;

	if (first_stage) {
		cfg.fmt = PT_FMT_VTD_FS;
		cfg.ias = vtd->fs_ias;
		cfg.flags = PT_CFG_SIGN_EXTEND;
		cfg.pgsize_allowed = vtd->fs_pgsizes;
	} else {
		cfg.fmt = PT_FMT_VTD_SS;
		cfg.ias = vtd->ss_ias;
		cfg.levels = vtd->ss_levels;
		cfg.flags = dirty ? PT_CFG_DIRTY : 0;
		cfg.pgsize_allowed = vtd->ss_pgsizes;
	}
	d = ufd_zalloc(sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	did = vtd_did_alloc(vtd);
	if (did < 0) {
		rc = did;
		goto out_free;
	}
	d->pt = pt_alloc(&cfg);
	if (IS_ERR(d->pt)) {
		rc = (int)PTR_ERR(d->pt);
		goto out_free_did;
	}
	d->vtd = vtd;
	d->first_stage = first_stage;
	d->nest_parent = nest_parent;
	d->did = (uint16_t)did;
	d->levels = pt_levels(pt_table_walk_ctx(d->pt));
	ufd_rwlock_init(&d->lock);
	vtd_list_init(&d->attaches);
	vtd_list_init(&d->nested);
	d->base.iopt.ops = &vtd_iopt_ops;
	d->base.iopt.pgsize_bitmap = pt_pgsize_bitmap(d->pt);
	d->small_pgsize = iopt_domain_min_pgsize(&d->base.iopt);
	pt_iova_range(pt_table_walk_ctx(d->pt), &d->base.iopt.aperture_start,
		      &d->base.iopt.aperture_last);
	d->base.ops = &vtd_paging_ops;
	if (dirty)
		d->base.dirty_ops = &vtd_dirty_ops;
	d->base.owner = ufd_vtd_ops(vtd);
	d->base.type = UFD_DOMAIN_PAGING;
	return &d->base;

out_free_did:
	vtd_did_free(vtd, (uint16_t)did);
out_free:
	ufd_free(d);
	return ERR_PTR(rc);
}

/**
 * vtd_domain_alloc_paging() - iommu_ops.domain_alloc_paging
 *
 * As Linux's intel_iommu_domain_alloc_paging_flags(): first stage when
 * @flags hold nothing but IOMMU_HWPT_ALLOC_PASID and the unit has it;
 * otherwise second stage, which takes NEST_PARENT (needs ECAP.NEST),
 * DIRTY_TRACKING (needs ECAP.SSADS) and PASID. Return: the domain, or
 * ERR_PTR(-EOPNOTSUPP, -ENOSPC (no domain id left), -ENOMEM).
 */
struct ufd_domain *vtd_domain_alloc_paging(struct ufd_dev *dev, uint32_t flags)
{
	struct ufd_vtd *vtd = vtd_of_dev(dev);

	if (!(flags & ~IOMMU_HWPT_ALLOC_PASID) && vtd->fs)
		return domain_new(vtd, true, false, false);
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if (((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && !vtd->nest) ||
	    ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !vtd->ssads) ||
	    !vtd->ss)
		return ERR_PTR(-EOPNOTSUPP);
	return domain_new(vtd, false, flags & IOMMU_HWPT_ALLOC_NEST_PARENT,
			  flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
}

int ufd_vtd_domain_info(struct ufd_domain *domain,
			struct ufd_vtd_domain_info *info)
{
	struct vtd_domain *d;

	if (!domain || !vtd_is_our_ops(domain->owner))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (domain->type == UFD_DOMAIN_NESTED) {
		struct vtd_nested *n = to_vtd_nested(domain);

		info->first_stage = true;
		info->did = n->did;
		info->ias = n->s1.addr_width;
		info->levels = n->s1.addr_width == 57 ? 5 : 4;
		return 0;
	}
	d = to_vtd_domain(domain);
	info->first_stage = d->first_stage;
	info->nest_parent = d->nest_parent;
	info->did = d->did;
	info->ias = pt_table_walk_ctx(d->pt)->ias;
	info->levels = d->levels;
	return 0;
}
