// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices and paging domains of the AMD-Vi driver.
 *
 * A device (struct amdvi_dev_data) gets a DeviceID at probe; its DTE
 * blocks until something is attached. A paging domain is a page table in
 * host memory in one of two shapes, as Linux 7's amd_iommu chooses them:
 *   - v1 (the default, nesting parents, dirty tracking): an AMD host page
 *     table (PT_FMT_AMDV1) that starts with three levels and grows its top
 *     as mappings reach higher (PT_CFG_DYNAMIC_TOP), tagged by its own
 *     DomainID. Attaching writes a DTE with Mode = levels and the root,
 *     IR = IW = 1 and HAD while dirty tracking is on. When the table grows
 *     (top_changed, under the table's grow lock, before any mapping uses
 *     the new top) every DTE holding the old root is rewritten and
 *     invalidated;
 *   - v2 (IOMMU_HWPT_ALLOC_PASID): an x86-64 table (PT_FMT_VTD_FS, 4 or 5
 *     levels by EFR.GATS), reached through the device's GCR3 table (see
 *     pasid.c): GCR3[0] for the requests without PASID (DTE.GIoV),
 *     GCR3[pasid] for a PASID attachment. Its translations are tagged with
 *     the device's GCR3 DomainID and the PASID (GN = 1).
 * Every DTE change is followed by INVALIDATE_DEVTAB_ENTRY and the new
 * domain's INVALIDATE_IOMMU_PAGES, then COMPLETION_WAIT.
 *
 * The io_pagetable fills a domain through map/unmap. Mapping needs no
 * invalidation (no non-present caching); unmapping removes the PTEs, then
 * invalidates every tag the table is used under (INVALIDATE_IOMMU_PAGES
 * with the range's size encoding, PDE = 1) and waits, and only then frees
 * the detached tables.
 *
 * Translation: the model translates by DeviceID (and PASID): a DMA's own
 * when it names its device (out->dev, out->pasid), else the first
 * attachment of the domain's (every attachment means the same table).
 *
 * Dirty tracking, as Linux does it: v1 leaves are written clean
 * (PT_CFG_DIRTY); while tracking is on the DTEs have HAD = 3 and the IOMMU
 * sets D in the leaf of every write it walks; turning it on or off
 * rewrites every DTE, invalidates them and the domain's IOTLB entries so
 * the next write walks; a harvest that cleared marks invalidates what it
 * reported.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/amdvi/amdvi_priv.h"
#include "drivers/pt_map.h"
#include "uiommufd/uapi/iommufd.h"

#define PAGING_FLAGS                                                           \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |      \
	 IOMMU_HWPT_ALLOC_PASID)
/* A v1 table starts with three levels (39 bits), as Linux's does. */
#define V1_START_LEVELS 3
/* x86-64 page sizes: 4 KiB, 2 MiB, 1 GiB. */
#define V2_PGSIZES ((1ull << 12) | (1ull << 21) | (1ull << 30))

static struct amdvi_domain *iopt_to_domain(struct iopt_domain *d)
{
	return container_of(d, struct amdvi_domain, base.iopt);
}

static struct amdvi_attach *link_to_attach(struct amdvi_link *l)
{
	return container_of(l, struct amdvi_attach, link);
}

/* ---- DTE images ---- */

/**
 * amdvi_make_v1_dte() - a DTE translating through v1 table @d
 * @domid: the DomainID its translations are tagged with
 *
 * @d's dte_lock held (its root, levels and dirty_on).
 */
void amdvi_make_v1_dte(uint64_t dte[AMDVI_DTE_QWORDS], struct amdvi_domain *d,
		       uint16_t domid)
{
	memset(dte, 0, AMDVI_DTE_QWORDS * sizeof(*dte));
	amdvi_dset(dte, AMDVI_DTE_V, 1);
	amdvi_dset(dte, AMDVI_DTE_TV, 1);
	amdvi_dset(dte, AMDVI_DTE_MODE, d->levels);
	amdvi_dset(dte, AMDVI_DTE_HPTRP, d->root >> 12);
	amdvi_dset(dte, AMDVI_DTE_IR, 1);
	amdvi_dset(dte, AMDVI_DTE_IW, 1);
	amdvi_dset(dte, AMDVI_DTE_DOMAIN_ID, domid);
	if (d->dirty_on)
		amdvi_dset(dte, AMDVI_DTE_HAD, AMDVI_HAD_AD);
}

/*
 * The DTE of a device whose requests go through its GCR3 table: host
 * translation off (Mode 0, the guest table's output is the address), the
 * requests without PASID through GCR3[0] (GIoV).
 */
static void make_gcr3_dte(uint64_t dte[AMDVI_DTE_QWORDS],
			  struct amdvi_dev_data *dd)
{
	memset(dte, 0, AMDVI_DTE_QWORDS * sizeof(*dte));
	amdvi_dset(dte, AMDVI_DTE_V, 1);
	amdvi_dset(dte, AMDVI_DTE_TV, 1);
	amdvi_dset(dte, AMDVI_DTE_IR, 1);
	amdvi_dset(dte, AMDVI_DTE_IW, 1);
	amdvi_dset(dte, AMDVI_DTE_GIOV, 1);
	amdvi_dset(dte, AMDVI_DTE_DOMAIN_ID, dd->gcr3.domid);
	amdvi_dte_add_gcr3(dte, dd);
}

/* ---- Invalidation ---- */

/* Queues what a change of [iova, iova + len) of @d needs; @d's lock held. */
static void domain_flush_queue(struct amdvi_domain *d, struct amdvi_batch *b,
			       uint64_t iova, uint64_t len)
{
	struct amdvi_link *l;

	if (d->version == 1) {
		amdvi_cmd_inv_pages(b, d->domid, AMDVI_NO_PASID, iova, len);
		if (d->nest_parent)
			amdvi_parent_flush_viommus(d, b, iova, len);
		return;
	}
	for (l = d->attached.next; l != &d->attached; l = l->next) {
		struct amdvi_attach *a = link_to_attach(l);

		amdvi_cmd_inv_pages(b, a->dd->gcr3.domid,
				    a->pasid == AMDVI_RID ? 0 : a->pasid, iova,
				    len);
	}
}

/**
 * amdvi_domain_flush() - invalidate what a change of [iova, iova + len) of
 * @d's table may have left cached, and wait (@len 0: everything)
 *
 * @d's lock held (either way).
 */
void amdvi_domain_flush(struct amdvi_domain *d, uint64_t iova, uint64_t len)
{
	struct amdvi_batch b = { .iommu = d->iommu };

	domain_flush_queue(d, &b, iova, len);
	if (amdvi_batch_submit(&b))
		ufd_log(UFD_LOG_ERR, "amdvi: invalidation failed");
}

/* ---- Translation ---- */

/*
 * Answers @out from translation @x of @iova. A DMA going further runs on
 * through the pages the IOTLB already holds with contiguous output: no
 * walk, no event; the first page that would need a walk ends the run.
 */
static void translate_run(struct amdvi *hw, uint16_t devid, uint32_t pasid,
			  uint64_t iova, unsigned int access,
			  struct amdvi_xlate *x, struct ufd_translation *out)
{
	uint64_t size = 1ull << x->page_lg2, want = out->len;

	out->addr = x->oa;
	out->len = size - (iova & (size - 1));
	while (out->len < want &&
	       !amdvi_translate_cached(hw, devid, pasid, iova + out->len,
				       access, x) &&
	       x->oa == out->addr + out->len)
		out->len += 1ull << x->page_lg2;
}

/**
 * amdvi_translate_devid() - a DMA's translation by the IOMMU model
 *
 * The caller holds the locks of the tables the walk may reach. Return: 0
 * or -EFAULT (a fault: the event is in the log unless suppressed).
 */
int amdvi_translate_devid(struct ufd_amdvi *iommu, uint16_t devid,
			  uint32_t pasid, uint64_t iova, bool write,
			  struct ufd_translation *out)
{
	unsigned int access = write ? AMDVI_WRITE : AMDVI_READ;
	struct amdvi_xlate x;

	if (amdvi_translate(iommu->hw, devid, pasid, iova, access, &x))
		return x.event == AMDVI_EVT_IO_PAGE_FAULT && x.perm ? -EPERM
								    : -EFAULT;
	translate_run(iommu->hw, devid, pasid, iova, access, &x, out);
	return 0;
}

static int paging_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct amdvi_domain *d = to_amdvi_domain(domain);
	unsigned int access = write ? AMDVI_WRITE : AMDVI_READ;
	uint32_t pasid = AMDVI_NO_PASID;
	struct amdvi_xlate x;
	struct amdvi_link *l;
	uint16_t devid = 0;
	int rc = -EFAULT;

	/* The device's attachment is steady: its cached entries answer. */
	if (out->dev) {
		devid = ufd_amdvi_dev_devid(out->dev);
		pasid = amdvi_dma_pasid(out);
		if (!amdvi_translate_cached(d->iommu->hw, devid, pasid, iova,
					    access, &x)) {
			translate_run(d->iommu->hw, devid, pasid, iova, access,
				      &x, out);
			return 0;
		}
	}
	ufd_rwlock_rdlock(&d->lock);
	if (out->dev) {
		rc = amdvi_translate_devid(d->iommu, devid, pasid, iova, write,
					   out);
		goto out_unlock;
	}
	for (l = d->attached.next; l != &d->attached; l = l->next) {
		struct amdvi_attach *a = link_to_attach(l);

		if (a->dd->domain && a->dd->domain->type == UFD_DOMAIN_NESTED &&
		    a->pasid == AMDVI_RID)
			continue;
		pasid = a->pasid == AMDVI_RID ? AMDVI_NO_PASID : a->pasid;
		rc = amdvi_translate_devid(d->iommu, a->dd->devid, pasid, iova,
					   write, out);
		break;
	}
out_unlock:
	/*
	 * The event says present-but-denied in its flags, which the
	 * translation does not return: our own table says it as well.
	 */
	if (rc == -EFAULT && !pt_iova_to_phys(d->pt, iova, &(uint64_t){ 0 }))
		rc = -EPERM;
	ufd_rwlock_unlock(&d->lock);
	return rc;
}

/* ---- Map and unmap ---- */

static void amdvi_inv(void *d, uint64_t iova, uint64_t len)
{
	amdvi_domain_flush(d, iova, len);
}

static uint64_t amdvi_unmap(struct iopt_domain *id, uint64_t iova, uint64_t len)
{
	struct amdvi_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_unmap_inv(d->pt, &d->lock, iova, len, amdvi_inv,
				       d);
}

static int amdvi_map(struct iopt_domain *id, uint64_t iova, uint64_t paddr,
		     uint64_t len, unsigned int prot, bool small_only)
{
	struct amdvi_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_map_inv(d->pt, &d->lock, iova, paddr, len, prot,
				     small_only ? d->small_pgsize : 0,
				     amdvi_inv, d);
}

/* Moved memory: new output addresses, and the old ones out of the IOTLB. */
static int amdvi_remap(struct iopt_domain *id, uint64_t iova, uint64_t len,
		       uint64_t old_paddr, uint64_t new_paddr)
{
	struct amdvi_domain *d = iopt_to_domain(id);

	return ufd_pt_domain_remap_inv(d->pt, &d->lock, iova, len, old_paddr,
				       new_paddr, amdvi_inv, d);
}

static const struct iopt_domain_ops amdvi_iopt_ops = {
	.map = amdvi_map,
	.unmap = amdvi_unmap,
	.remap = amdvi_remap,
};

/* ---- A v1 table growing ---- */

/*
 * Rewrites qword 0 of every DTE attached to @d (directly or as a nested
 * domain's parent) from @d's root, levels and dirty_on, and invalidates
 * the entries. @d's dte_lock held.
 */
static void rewrite_dtes(struct amdvi_domain *d, struct amdvi_batch *b)
{
	struct amdvi_link *l;

	for (l = d->attached.next; l != &d->attached; l = l->next) {
		struct amdvi_attach *a = link_to_attach(l);
		uint64_t *p = amdvi_dte_ptr(d->iommu, a->dd->devid);
		uint64_t q0[1] = { __atomic_load_n(&p[0], __ATOMIC_RELAXED) };

		if (a->pasid != AMDVI_RID)
			continue;
		amdvi_dset(q0, AMDVI_DTE_MODE, d->levels);
		amdvi_dset(q0, AMDVI_DTE_HPTRP, d->root >> 12);
		amdvi_dset(q0, AMDVI_DTE_HAD,
			   d->dirty_on ? AMDVI_HAD_AD : AMDVI_HAD_NONE);
		/* One store: the walker sees the old or the new top. */
		__atomic_store_n(&p[0], q0[0], __ATOMIC_RELEASE);
		amdvi_cmd_inv_dte(b, a->dd->devid);
	}
}

/* pt_cfg.top_changed: under the table's grow lock, before any map uses it. */
static void v1_top_changed(void *priv, uint64_t root, unsigned int levels)
{
	struct amdvi_domain *d = priv;
	struct amdvi_batch b = { .iommu = d->iommu };

	ufd_mutex_lock(&d->dte_lock);
	d->root = root;
	d->levels = levels;
	rewrite_dtes(d, &b);
	ufd_mutex_unlock(&d->dte_lock);
	amdvi_stat_inc(d->iommu, top_changes);
	if (amdvi_batch_submit(&b))
		ufd_log(UFD_LOG_ERR, "amdvi: DTE invalidation failed");
}

/* ---- Dirty tracking ---- */

static int amdvi_set_dirty_tracking(struct ufd_domain *domain, bool enable)
{
	struct amdvi_domain *d = to_amdvi_domain(domain);
	struct amdvi_batch b = { .iommu = d->iommu };
	int rc;

	ufd_rwlock_rdlock(&d->lock);
	ufd_mutex_lock(&d->dte_lock);
	if (d->dirty_on == enable) {
		ufd_mutex_unlock(&d->dte_lock);
		ufd_rwlock_unlock(&d->lock);
		return 0;
	}
	d->dirty_on = enable;
	rewrite_dtes(d, &b);
	ufd_mutex_unlock(&d->dte_lock);
	/* Writes must walk again to find HAD: drop the cached entries. */
	domain_flush_queue(d, &b, 0, 0);
	rc = amdvi_batch_submit(&b);
	ufd_rwlock_unlock(&d->lock);
	return rc;
}

static int amdvi_read_and_clear_dirty(struct ufd_domain *domain, uint64_t iova,
				      uint64_t len, unsigned int flags,
				      const struct ufd_dirty_sink *sink)
{
	struct amdvi_domain *d = to_amdvi_domain(domain);

	return ufd_pt_domain_read_and_clear_dirty_inv(
		d->pt, &d->lock, iova, len, flags, sink, amdvi_inv, d);
}

static const struct ufd_dirty_ops amdvi_dirty_ops = {
	.set_dirty_tracking = amdvi_set_dirty_tracking,
	.read_and_clear_dirty = amdvi_read_and_clear_dirty,
};

/* ---- Domains ---- */

static void paging_free(struct ufd_domain *domain)
{
	struct amdvi_domain *d = to_amdvi_domain(domain);
	struct amdvi_batch b = { .iommu = d->iommu };

	/* The DomainID may be reused: nothing cached under it may survive. */
	if (d->version == 1) {
		amdvi_cmd_inv_pages(&b, d->domid, AMDVI_NO_PASID, 0, 0);
		amdvi_batch_submit(&b);
		amdvi_domid_free(d->iommu, d->domid);
	}
	pt_free(d->pt);
	ufd_mutex_destroy(&d->dte_lock);
	ufd_rwlock_destroy(&d->lock);
	ufd_free(d);
}

const struct ufd_domain_ops amdvi_paging_ops = {
	.free = paging_free,
	.translate = paging_translate,
};

static struct ufd_domain *domain_new(struct ufd_amdvi *iommu,
				     unsigned int version, bool nest_parent,
				     bool dirty)
{
	struct pt_cfg cfg = { 0 };
	struct amdvi_domain *d;
	unsigned int ias;
	int rc, domid = 0;

	d = ufd_zalloc(sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	ufd_rwlock_init(&d->lock);
	ufd_mutex_init(&d->dte_lock);
	amdvi_list_init(&d->attached);
	amdvi_list_init(&d->viommus);
	d->iommu = iommu;
	d->version = version;
	d->nest_parent = nest_parent;
	if (version == 1) {
		domid = amdvi_domid_alloc(iommu);
		if (domid < 0) {
			rc = domid;
			goto out_free;
		}
		d->domid = (uint16_t)domid;
		/* As many bits as the host table's levels can reach. */
		ias = iommu->hats_levels == AMDVI_MODE_MAX
			      ? 64
			      : 12 + 9 * iommu->hats_levels;
		cfg.fmt = PT_FMT_AMDV1;
		cfg.ias = ias;
		cfg.levels = V1_START_LEVELS;
		cfg.flags = PT_CFG_DYNAMIC_TOP | PT_CFG_FORCE_COHERENT |
			    (dirty ? PT_CFG_DIRTY : 0);
		cfg.top_changed = v1_top_changed;
		cfg.top_priv = d;
	} else {
		/*
		 * Without the top input bit, as Linux: the table then means
		 * the same at PASID 0 (no sign extension) and elsewhere.
		 */
		ias = iommu->gats_levels == 5 ? 57 : 48;
		cfg.fmt = PT_FMT_VTD_FS;
		cfg.ias = ias;
		cfg.pgsize_allowed = V2_PGSIZES;
		ias--;
	}
	d->pt = pt_alloc(&cfg);
	if (IS_ERR(d->pt)) {
		rc = (int)PTR_ERR(d->pt);
		goto out_free_domid;
	}
	d->root = pt_root(pt_table_walk_ctx(d->pt));
	d->levels = pt_levels(pt_table_walk_ctx(d->pt));
	d->base.iopt.ops = &amdvi_iopt_ops;
	d->base.iopt.pgsize_bitmap = pt_pgsize_bitmap(d->pt);
	d->small_pgsize = iopt_domain_min_pgsize(&d->base.iopt);
	d->base.iopt.aperture_start = 0;
	d->base.iopt.aperture_last = ias >= 64 ? UINT64_MAX : (1ull << ias) - 1;
	d->base.ops = &amdvi_paging_ops;
	if (dirty)
		d->base.dirty_ops = &amdvi_dirty_ops;
	d->base.owner = ufd_amdvi_ops(iommu);
	d->base.type = UFD_DOMAIN_PAGING;
	if (version == 1) {
		/* A DomainID without IA support may hold a previous life. */
		struct amdvi_batch b = { .iommu = iommu };

		amdvi_cmd_inv_pages(&b, d->domid, AMDVI_NO_PASID, 0, 0);
		amdvi_batch_submit(&b);
	}
	return &d->base;

out_free_domid:
	if (version == 1)
		amdvi_domid_free(iommu, d->domid);
out_free:
	ufd_mutex_destroy(&d->dte_lock);
	ufd_rwlock_destroy(&d->lock);
	ufd_free(d);
	return ERR_PTR(rc);
}

/**
 * amdvi_domain_alloc_paging() - iommu_ops.domain_alloc_paging
 *
 * As Linux's amd_iommu_domain_alloc_paging_flags(): v1 for no flag, for
 * dirty tracking (needs EFR.HDSup) and for a nesting parent (needs guest
 * translation with GIoV; Linux also wants EFR2.GCR3TRPMode, which the
 * model does not declare); v2 for IOMMU_HWPT_ALLOC_PASID alone (needs
 * guest translation with GIoV). Return: the domain, or
 * ERR_PTR(-EOPNOTSUPP, -ENOSPC (no DomainID left), -ENOMEM).
 */
struct ufd_domain *amdvi_domain_alloc_paging(struct ufd_dev *dev,
					     uint32_t flags)
{
	struct ufd_amdvi *iommu = dev_to_dd(dev)->iommu;

	if (flags & ~PAGING_FLAGS)
		return ERR_PTR(-EOPNOTSUPP);
	switch (flags) {
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_NEST_PARENT:
		if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !iommu->hd)
			return ERR_PTR(-EOPNOTSUPP);
		if ((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
		    !(iommu->gt && iommu->gio))
			return ERR_PTR(-EOPNOTSUPP);
		/* fallthrough */
	case 0:
		return domain_new(iommu, 1,
				  flags & IOMMU_HWPT_ALLOC_NEST_PARENT,
				  flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	case IOMMU_HWPT_ALLOC_PASID:
		if (!(iommu->gt && iommu->gio))
			return ERR_PTR(-EOPNOTSUPP);
		return domain_new(iommu, 2, false, false);
	default:
		return ERR_PTR(-EOPNOTSUPP);
	}
}

int ufd_amdvi_domain_info(struct ufd_domain *domain,
			  struct ufd_amdvi_domain_info *info)
{
	struct amdvi_domain *d;

	if (!domain || domain->type != UFD_DOMAIN_PAGING ||
	    !amdvi_is_our_ops(domain->owner))
		return -EINVAL;
	d = to_amdvi_domain(domain);
	info->version = d->version;
	info->domid = d->domid;
	ufd_mutex_lock(&d->dte_lock);
	info->levels = d->levels;
	info->root = d->root;
	ufd_mutex_unlock(&d->dte_lock);
	info->nest_parent = d->nest_parent;
	return 0;
}

/* ---- Attach ---- */

/* The paging domain whose attachment list holds @domain's devices. */
static struct amdvi_domain *list_domain(struct ufd_domain *domain)
{
	if (!domain)
		return NULL;
	if (domain->type == UFD_DOMAIN_NESTED)
		return to_amdvi_nested(domain)->viommu->parent;
	return to_amdvi_domain(domain);
}

/* Builds the DTE @dd gets for @domain; its list domain's dte_lock held. */
static void build_dte(uint64_t dte[AMDVI_DTE_QWORDS], struct amdvi_dev_data *dd,
		      struct ufd_domain *domain)
{
	struct amdvi_domain *d;

	if (!domain) {
		/* PASIDs in use: the GCR3 table stays, GCR3[0] is empty. */
		if (dd->npasids)
			make_gcr3_dte(dte, dd);
		else
			amdvi_make_blocked_dte(dte);
		return;
	}
	if (domain->type == UFD_DOMAIN_NESTED) {
		amdvi_make_nested_dte(dte, dd, to_amdvi_nested(domain));
		return;
	}
	d = to_amdvi_domain(domain);
	if (d->version == 1)
		amdvi_make_v1_dte(dte, d, d->domid);
	else
		make_gcr3_dte(dte, dd);
}

/**
 * amdvi_install_dte() - point @dd's DTE at @domain (NULL: blocked)
 *
 * The device leaves its old domain's list before the DTE changes and
 * joins the new one's while the DTE is written (under that domain's
 * dte_lock, so a growing table cannot miss it), then
 * INVALIDATE_DEVTAB_ENTRY and the new domain's INVALIDATE_IOMMU_PAGES are
 * waited for. Called with dev->domain_lock held for write. Return: 0 or
 * -EIO (the IOMMU did not complete the invalidations).
 */
int amdvi_install_dte(struct amdvi_dev_data *dd, struct ufd_domain *domain)
{
	struct amdvi_domain *old = list_domain(dd->domain);
	struct amdvi_domain *nd = list_domain(domain);
	struct amdvi_batch b = { .iommu = dd->iommu };
	uint64_t dte[AMDVI_DTE_QWORDS];

	if (old) {
		ufd_rwlock_wrlock(&old->lock);
		ufd_mutex_lock(&old->dte_lock);
		amdvi_list_del(&dd->rid.link);
		ufd_mutex_unlock(&old->dte_lock);
		ufd_rwlock_unlock(&old->lock);
	}
	if (nd) {
		ufd_rwlock_wrlock(&nd->lock);
		ufd_mutex_lock(&nd->dte_lock);
	}
	build_dte(dte, dd, domain);
	amdvi_write_dte(dd->iommu, dd->devid, dte);
	if (nd) {
		amdvi_list_add(&nd->attached, &dd->rid.link);
		ufd_mutex_unlock(&nd->dte_lock);
		ufd_rwlock_unlock(&nd->lock);
	}
	amdvi_cmd_inv_dte(&b, dd->devid);
	/* Whatever the new DomainID cached before is not this table's. */
	amdvi_cmd_inv_pages(&b, (uint16_t)amdvi_dget(dte, AMDVI_DTE_DOMAIN_ID),
			    AMDVI_NO_PASID, 0, 0);
	dd->domain = domain;
	return amdvi_batch_submit(&b);
}

/**
 * amdvi_attach() - iommu_ops.attach: point @dev's DTE at @domain
 *
 * Return: 0, -EINVAL (a domain of another driver or IOMMU; a v1 domain
 * while PASIDs are attached, which would nest them over it), -ENOMEM, or
 * the nested attach's errors.
 */
int amdvi_attach(struct ufd_dev *dev, struct ufd_domain *domain)
{
	struct amdvi_dev_data *dd = dev_to_dd(dev);
	struct ufd_domain *old = dd->domain;
	struct amdvi_domain *d;
	int rc;

	if (domain && domain->owner != dev->iommu)
		return -EINVAL;
	if (domain && domain->type == UFD_DOMAIN_NESTED)
		return amdvi_attach_nested(dd, to_amdvi_nested(domain));
	d = domain ? to_amdvi_domain(domain) : NULL;
	if (d && d->version == 1 && dd->npasids)
		return -EINVAL;
	if (d && d->version == 2) {
		rc = amdvi_gcr3_prepare(dd);
		if (rc)
			return rc;
		/* The table is complete before the DTE points at it. */
		rc = amdvi_gcr3_set(dd, 0, d->root);
		if (rc)
			return rc;
	}
	rc = amdvi_install_dte(dd, domain);
	/* GCR3[0] of a v2 domain the device left goes. */
	if (old && old->type == UFD_DOMAIN_PAGING &&
	    to_amdvi_domain(old)->version == 2 && !(d && d->version == 2))
		amdvi_gcr3_set(dd, 0, 0);
	return rc;
}

/* ---- Devices ---- */

/**
 * amdvi_probe_device() - iommu_ops.probe_device: a DeviceID for @dev
 *
 * The lowest free DeviceID, its DTE blocking (and invalidated: a reused
 * DeviceID may still be cached); dev->priv becomes the device's struct
 * amdvi_dev_data. PASID bits for a device with UFD_DEV_PASID when
 * the IOMMU has guest translation. Return: 0, -ENODEV (ops not ours), the
 * default instance's creation error, -ENOSPC (no DeviceID left), -ENOMEM.
 */
int amdvi_probe_device(struct ufd_dev *dev)
{
	struct ufd_amdvi *iommu = ufd_amdvi_of(dev->iommu);
	uint64_t dte[AMDVI_DTE_QWORDS];
	struct amdvi_batch b;
	struct amdvi_dev_data *dd;
	unsigned long devid;
	int rc;

	if (IS_ERR_OR_NULL(iommu))
		return iommu ? (int)PTR_ERR(iommu) : -ENODEV;
	dd = ufd_zalloc(sizeof(*dd));
	if (!dd)
		return -ENOMEM;
	dd->iommu = iommu;
	dd->dev = dev;
	dd->rid.dd = dd;
	dd->rid.pasid = AMDVI_RID;
	amdvi_list_init(&dd->rid.link);
	ufd_mutex_lock(&iommu->devtab_lock);
	devid = find_next_zero_bit(iommu->devid_map, AMDVI_DRV_DEVIDS,
				   AMDVI_DRV_DEVID_FIRST);
	if (devid >= AMDVI_DRV_DEVIDS) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	set_bit(devid, iommu->devid_map);
	dd->devid = (uint16_t)devid;
	iommu->by_devid[devid] = dd;
	amdvi_make_blocked_dte(dte);
	amdvi_write_dte(iommu, dd->devid, dte);
	ufd_mutex_unlock(&iommu->devtab_lock);
	b = (struct amdvi_batch){ .iommu = iommu };
	amdvi_cmd_inv_dte(&b, dd->devid);
	amdvi_batch_submit(&b);
	dev->priv = dd;
	dev->pasid_bits = (dev->flags & UFD_DEV_PASID) ? iommu->pasid_bits : 0;
	return 0;

out_unlock:
	ufd_mutex_unlock(&iommu->devtab_lock);
	ufd_free(dd);
	return rc;
}

void ufd_amdvi_release_device(struct ufd_dev *dev)
{
	struct amdvi_dev_data *dd;
	struct ufd_amdvi *iommu;

	if (!dev || !amdvi_is_our_ops(dev->iommu) || !dev->priv)
		return;
	dd = dev_to_dd(dev);
	iommu = dd->iommu;
	amdvi_pasids_release(dd);
	amdvi_attach(dev, NULL);
	amdvi_gcr3_free(dd);
	ufd_mutex_lock(&iommu->devtab_lock);
	iommu->by_devid[dd->devid] = NULL;
	clear_bit(dd->devid, iommu->devid_map);
	ufd_mutex_unlock(&iommu->devtab_lock);
	dev->priv = NULL;
	ufd_free(dd);
}

uint16_t ufd_amdvi_dev_devid(const struct ufd_dev *dev)
{
	return dev_to_dd(dev)->devid;
}

/**
 * amdvi_capable() - iommu_ops.capable, from the EFR
 *
 * Coherent always (as Linux); dirty tracking with EFR.HDSup; no ATS.
 */
bool amdvi_capable(struct ufd_dev *dev, enum ufd_iommu_cap cap)
{
	struct ufd_amdvi *iommu = dev_to_dd(dev)->iommu;

	switch (cap) {
	case UFD_CAP_CACHE_COHERENCY:
		return true;
	case UFD_CAP_DIRTY_TRACKING:
		return iommu->hd;
	default:
		return false;
	}
}

/**
 * amdvi_hw_info() - iommu_ops.hw_info
 *
 * IOMMU_HW_INFO_TYPE_AMD (also for DEFAULT): the raw EFR and EFR2, read
 * from the IOMMU. Anything else is -EOPNOTSUPP.
 */
void *amdvi_hw_info(struct ufd_dev *dev, uint32_t *length, uint32_t *type)
{
	struct ufd_amdvi *iommu = dev_to_dd(dev)->iommu;
	struct iommu_hw_info_amd *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_AMD)
		return ERR_PTR(-EOPNOTSUPP);
	info = ufd_zalloc(sizeof(*info));
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->efr = amdvi_mmio_read(iommu->hw, AMDVI_EFR, 8);
	info->efr2 = amdvi_mmio_read(iommu->hw, AMDVI_EFR2, 8);
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_AMD;
	return info;
}
