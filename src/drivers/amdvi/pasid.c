// SPDX-License-Identifier: BSD-3-Clause
/*
 * GCR3 tables and PASID attachments of the AMD-Vi driver.
 *
 * A device that uses a v2 (guest-format) table has a GCR3 table (2.2.6):
 * 4 KiB tables of 512 entries indexed by 9 PASID bits a level, DTE.GLX + 1
 * levels, as many as the device's PASID bits need. Entry 0 serves the
 * requests without PASID (DTE.GIoV) and holds the root of the v2 domain
 * attached to the device itself; entry n the one attached at PASID n.
 * The table is made on first use with a DomainID of its own (Linux's
 * per-device gcr3_info.domid), which tags every guest translation made
 * through it, and stays until the device goes.
 *
 * Changing an entry: intermediate tables are built and linked (zeroed,
 * then one release store) before the leaf entry is stored, so the IOMMU
 * never walks a half-made path; then INVALIDATE_IOMMU_PAGES with GN = 1
 * for (DomainID, PASID) drops the cached GCR3 entry and every translation
 * of the old table, and COMPLETION_WAIT ends it -- Linux's update_gcr3().
 *
 * Attaching at a PASID (Linux's set_dev_pasid, for v2 paging domains): the
 * PASID must be one the device has (1 .. 2^pasid_bits - 1; 0 is the
 * requests without PASID), the domain a v2 domain of this IOMMU, and the
 * device itself blocked or on a v2 domain -- a PASID table under a v1
 * table would be nested translation, which Linux refuses too. A blocked
 * device with PASIDs keeps a DTE that enables its GCR3 table with an empty
 * entry 0, so its requests without PASID still fault.
 *
 * Locking: everything here runs with dev->domain_lock held for write; an
 * attachment joins and leaves its domain's list under that domain's lock.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/amdvi/amdvi_priv.h"

#define GCR3_ENTRIES (1u << AMDVI_GCR3_BITS)
#define GCR3_TABLE_SIZE (GCR3_ENTRIES * sizeof(uint64_t))

/** amdvi_gcr3_prepare() - make @dd's GCR3 table if it has none */
int amdvi_gcr3_prepare(struct amdvi_dev_data *dd)
{
	struct ufd_amdvi *iommu = dd->iommu;
	unsigned int bits = ufd_max(dd->dev->pasid_bits, 1u);
	unsigned int glx = (bits + AMDVI_GCR3_BITS - 1) / AMDVI_GCR3_BITS - 1;
	int domid;

	if (dd->gcr3.root)
		return 0;
	if (glx > iommu->glx_max)
		return -EINVAL;
	dd->gcr3.root = ufd_alloc_aligned(4096, GCR3_TABLE_SIZE);
	if (!dd->gcr3.root)
		return -ENOMEM;
	domid = amdvi_domid_alloc(iommu);
	if (domid < 0) {
		ufd_free(dd->gcr3.root);
		dd->gcr3.root = NULL;
		return domid;
	}
	dd->gcr3.domid = (uint16_t)domid;
	dd->gcr3.glx = glx;
	return 0;
}

static void gcr3_free_level(uint64_t *table, unsigned int level)
{
	unsigned int i;

	if (level)
		for (i = 0; i < GCR3_ENTRIES; i++)
			if (amdvi_fget(table[i], AMDVI_GCR3_V))
				gcr3_free_level(
					amdvi_host_ptr(
						amdvi_fget(table[i],
							   AMDVI_GCR3_ADDR)
						<< 12),
					level - 1);
	ufd_free(table);
}

/**
 * amdvi_gcr3_free() - free @dd's GCR3 table and its DomainID
 *
 * The DTE no longer points at it (invalidated), so nothing walks it.
 */
void amdvi_gcr3_free(struct amdvi_dev_data *dd)
{
	struct amdvi_batch b = { .iommu = dd->iommu };

	if (!dd->gcr3.root)
		return;
	/* The DomainID may be reused: its guest translations go. */
	amdvi_cmd_inv_pages(&b, dd->gcr3.domid, AMDVI_NO_PASID, 0, 0);
	amdvi_batch_submit(&b);
	gcr3_free_level(dd->gcr3.root, dd->gcr3.glx);
	amdvi_domid_free(dd->iommu, dd->gcr3.domid);
	dd->gcr3.root = NULL;
}

/**
 * amdvi_gcr3_set() - point GCR3 entry @pasid of @dd at @cr3 (0: clear it)
 *
 * Then invalidates it as Linux's update_gcr3() does. Return: 0, -ENOMEM
 * (a level table; nothing changed) or -EIO (the invalidation failed).
 */
int amdvi_gcr3_set(struct amdvi_dev_data *dd, uint32_t pasid, uint64_t cr3)
{
	struct amdvi_batch b = { .iommu = dd->iommu };
	uint64_t *table = dd->gcr3.root, e;
	unsigned int level, idx;

	for (level = dd->gcr3.glx; level > 0; level--) {
		idx = (pasid >> (AMDVI_GCR3_BITS * level)) & (GCR3_ENTRIES - 1);
		e = __atomic_load_n(&table[idx], __ATOMIC_ACQUIRE);
		if (!amdvi_fget(e, AMDVI_GCR3_V)) {
			uint64_t *next;

			if (!cr3)
				return 0;
			next = ufd_alloc_aligned(4096, GCR3_TABLE_SIZE);
			if (!next)
				return -ENOMEM;
			e = amdvi_fprep(AMDVI_GCR3_ADDR,
					amdvi_host_pa(next) >> 12) |
			    amdvi_fprep(AMDVI_GCR3_V, 1);
			__atomic_store_n(&table[idx], e, __ATOMIC_RELEASE);
		}
		table = amdvi_host_ptr(amdvi_fget(e, AMDVI_GCR3_ADDR) << 12);
	}
	idx = pasid & (GCR3_ENTRIES - 1);
	e = cr3 ? amdvi_fprep(AMDVI_GCR3_ADDR, cr3 >> 12) |
			    amdvi_fprep(AMDVI_GCR3_V, 1)
		: 0;
	__atomic_store_n(&table[idx], e, __ATOMIC_RELEASE);
	amdvi_cmd_inv_pages(&b, dd->gcr3.domid, pasid, 0, 0);
	return amdvi_batch_submit(&b);
}

/** amdvi_dte_add_gcr3() - the GCR3 fields of @dd's DTE (GV, GLX, root, GPM) */
void amdvi_dte_add_gcr3(uint64_t dte[AMDVI_DTE_QWORDS],
			struct amdvi_dev_data *dd)
{
	uint64_t pa = amdvi_host_pa(dd->gcr3.root);

	amdvi_dset(dte, AMDVI_DTE_GV, 1);
	amdvi_dset(dte, AMDVI_DTE_GLX, dd->gcr3.glx);
	amdvi_dset(dte, AMDVI_DTE_GCR3_A, pa >> AMDVI_GCR3_A_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_B, pa >> AMDVI_GCR3_B_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GCR3_C, pa >> AMDVI_GCR3_C_SHIFT);
	amdvi_dset(dte, AMDVI_DTE_GPM,
		   dd->iommu->gats_levels == 5 ? AMDVI_GATS_5LVL
					       : AMDVI_GATS_4LVL);
}

/* The index in dd->pasids of @pasid's attachment, or dd->npasids. */
static unsigned int pasid_find(struct amdvi_dev_data *dd, uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < dd->npasids && dd->pasids[i]->pasid != pasid; i++)
		;
	return i;
}

/* Takes @a off its domain's list; @d is that domain. */
static void attach_unlink(struct amdvi_domain *d, struct amdvi_attach *a)
{
	ufd_rwlock_wrlock(&d->lock);
	ufd_mutex_lock(&d->dte_lock);
	amdvi_list_del(&a->link);
	ufd_mutex_unlock(&d->dte_lock);
	ufd_rwlock_unlock(&d->lock);
}

static void attach_link(struct amdvi_domain *d, struct amdvi_attach *a)
{
	ufd_rwlock_wrlock(&d->lock);
	ufd_mutex_lock(&d->dte_lock);
	amdvi_list_add(&d->attached, &a->link);
	ufd_mutex_unlock(&d->dte_lock);
	ufd_rwlock_unlock(&d->lock);
}

/* Each PASID attachment records its domain: a->link is in its list. */
struct amdvi_pasid_attach {
	struct amdvi_attach a;
	struct amdvi_domain *domain;
};

static struct amdvi_pasid_attach *to_pa(struct amdvi_attach *a)
{
	return container_of(a, struct amdvi_pasid_attach, a);
}

/* Detaches PASID slot @i of @dd: GCR3 entry cleared, then the record. */
static void pasid_remove(struct amdvi_dev_data *dd, unsigned int i)
{
	struct amdvi_pasid_attach *pa = to_pa(dd->pasids[i]);

	amdvi_gcr3_set(dd, pa->a.pasid, 0);
	attach_unlink(pa->domain, &pa->a);
	dd->pasids[i] = dd->pasids[--dd->npasids];
	ufd_free(pa);
}

/**
 * amdvi_attach_pasid() - iommu_ops.attach_pasid
 *
 * Return: 0; -EINVAL (a PASID the device does not have, a domain that is
 * not a v2 domain of this IOMMU, a device attached to a v1 or nested
 * domain); -ENOMEM; -EIO.
 */
int amdvi_attach_pasid(struct ufd_dev *dev, uint32_t pasid,
		       struct ufd_domain *domain)
{
	struct amdvi_dev_data *dd = dev_to_dd(dev);
	struct amdvi_pasid_attach *pa = NULL;
	struct amdvi_attach **grown;
	struct amdvi_domain *d;
	unsigned int i;
	bool had_gcr3;
	int rc;

	if (!dev->pasid_bits || !pasid || pasid >= (1u << dev->pasid_bits))
		return -EINVAL;
	i = pasid_find(dd, pasid);
	if (!domain) {
		if (i < dd->npasids)
			pasid_remove(dd, i);
		return 0;
	}
	if (domain->owner != dev->iommu || domain->type != UFD_DOMAIN_PAGING)
		return -EINVAL;
	d = to_amdvi_domain(domain);
	if (d->version != 2)
		return -EINVAL;
	if (dd->domain && (dd->domain->type != UFD_DOMAIN_PAGING ||
			   to_amdvi_domain(dd->domain)->version != 2))
		return -EINVAL;
	had_gcr3 = dd->gcr3.root && (dd->npasids || dd->domain);
	rc = amdvi_gcr3_prepare(dd);
	if (rc)
		return rc;
	if (i == dd->npasids) {
		pa = ufd_zalloc(sizeof(*pa));
		grown = ufd_realloc(dd->pasids,
				    (dd->npasids + 1) * sizeof(*grown));
		if (!pa || !grown) {
			ufd_free(pa);
			if (grown)
				dd->pasids = grown;
			return -ENOMEM;
		}
		dd->pasids = grown;
		pa->a.dd = dd;
		pa->a.pasid = pasid;
		amdvi_list_init(&pa->a.link);
	}
	rc = amdvi_gcr3_set(dd, pasid, d->root);
	if (rc) {
		ufd_free(pa);
		return rc;
	}
	if (pa) {
		dd->pasids[dd->npasids++] = &pa->a;
	} else {
		pa = to_pa(dd->pasids[i]);
		attach_unlink(pa->domain, &pa->a);
	}
	pa->domain = d;
	attach_link(d, &pa->a);
	/* A blocked device starts using its GCR3 table. */
	if (!had_gcr3)
		rc = amdvi_install_dte(dd, dd->domain);
	return rc;
}

/** amdvi_pasids_release() - detach every PASID of @dd (device going) */
void amdvi_pasids_release(struct amdvi_dev_data *dd)
{
	while (dd->npasids)
		pasid_remove(dd, dd->npasids - 1);
	ufd_free(dd->pasids);
	dd->pasids = NULL;
}
