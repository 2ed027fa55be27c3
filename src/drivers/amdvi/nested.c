// SPDX-License-Identifier: BSD-3-Clause
/*
 * Nested translation of the AMD-Vi driver: vIOMMUs and nested domains.
 *
 * As Linux 7 reaches it: IOMMU_VIOMMU_ALLOC on a nesting-parent v1 domain
 * (any type but the default: the driver only records the parent), then
 * IOMMU_HWPT_ALLOC on the vIOMMU with IOMMU_HWPT_DATA_AMD_GUEST, a guest's
 * 256-bit DTE. The guest DTE is validated as Linux's
 * validate_gdte_nested() does (Mode and the host root must be zero, a
 * valid GV entry needs a GCR3 root, guest paging mode 4 or 5 levels and
 * no more than the IOMMU has, GLX 3 reserved) and attaching builds the
 * host DTE from the parent's v1 table (Mode, root, IR/IW, HAD) plus the
 * guest's GV, GLX, GIoV, PPR, GCR3 root and paging mode -- the IOMMU then
 * walks the guest's GCR3 and v2 tables (guest physical addresses) through
 * the parent.
 *
 * DomainIDs: a guest tags its translations with its own DomainIDs; two
 * guest DTEs with different GCR3 tables but one DomainID mean one TLB tag
 * to the guest, and two DomainIDs two tags. Each vIOMMU therefore maps a
 * guest DomainID to one host DomainID of its own, shared by the nested
 * domains naming it and freed with the last of them (Linux's gdomid
 * xarray). An unmap of the parent invalidates the parent's DomainID and
 * every host DomainID of every vIOMMU over it (GN = 0: the guest
 * translations made through the host table go too).
 *
 * Locking: a vIOMMU is on its parent's list under the parent's dte_lock;
 * its guest DomainID map is under its own lock, taken inside the parent's
 * locks.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "drivers/amdvi/amdvi_priv.h"
#include "uiommufd/uapi/iommufd.h"

static struct amdvi_viommu *to_aviommu(struct ufd_viommu *viommu)
{
	return viommu->priv;
}

/* ---- Guest DomainIDs ---- */

static struct amdvi_gdom *gdom_find(struct amdvi_viommu *v, uint16_t gdomid)
{
	struct amdvi_link *l;

	for (l = v->gdoms.next; l != &v->gdoms; l = l->next) {
		struct amdvi_gdom *g = container_of(l, struct amdvi_gdom, link);

		if (g->gdomid == gdomid)
			return g;
	}
	return NULL;
}

/* The host DomainID for @gdomid, one more user of it; or an ERR_PTR. */
static struct amdvi_gdom *gdom_get(struct amdvi_viommu *v, uint16_t gdomid)
{
	struct amdvi_gdom *g;
	int hdomid;

	ufd_mutex_lock(&v->lock);
	g = gdom_find(v, gdomid);
	if (g) {
		g->users++;
		goto out_unlock;
	}
	g = ufd_zalloc(sizeof(*g));
	if (!g) {
		g = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	hdomid = amdvi_domid_alloc(v->iommu);
	if (hdomid < 0) {
		ufd_free(g);
		g = ERR_PTR(hdomid);
		goto out_unlock;
	}
	g->gdomid = gdomid;
	g->hdomid = (uint16_t)hdomid;
	g->users = 1;
	amdvi_list_add(&v->gdoms, &g->link);
out_unlock:
	ufd_mutex_unlock(&v->lock);
	return g;
}

static void gdom_put(struct amdvi_viommu *v, struct amdvi_gdom *g)
{
	struct amdvi_batch b = { .iommu = v->iommu };
	bool last;

	ufd_mutex_lock(&v->lock);
	last = --g->users == 0;
	if (last)
		amdvi_list_del(&g->link);
	ufd_mutex_unlock(&v->lock);
	if (!last)
		return;
	/* The host DomainID may be reused: nothing tagged with it stays. */
	amdvi_cmd_inv_pages(&b, g->hdomid, AMDVI_NO_PASID, 0, 0);
	amdvi_batch_submit(&b);
	amdvi_domid_free(v->iommu, g->hdomid);
	ufd_free(g);
}

int ufd_amdvi_viommu_hdomid(struct ufd_viommu *viommu, uint16_t gdomid)
{
	struct amdvi_viommu *v = to_aviommu(viommu);
	struct amdvi_gdom *g;
	int rc = -ENOENT;

	ufd_mutex_lock(&v->lock);
	g = gdom_find(v, gdomid);
	if (g)
		rc = g->hdomid;
	ufd_mutex_unlock(&v->lock);
	return rc;
}

/**
 * amdvi_parent_flush_viommus() - queue the invalidation of [iova, iova +
 * len) of nesting parent @parent under every host DomainID of its vIOMMUs
 *
 * @parent's lock held.
 */
void amdvi_parent_flush_viommus(struct amdvi_domain *parent,
				struct amdvi_batch *b, uint64_t iova,
				uint64_t len)
{
	struct amdvi_link *l, *m;

	ufd_mutex_lock(&parent->dte_lock);
	for (l = parent->viommus.next; l != &parent->viommus; l = l->next) {
		struct amdvi_viommu *v =
			container_of(l, struct amdvi_viommu, parent_link);

		ufd_mutex_lock(&v->lock);
		for (m = v->gdoms.next; m != &v->gdoms; m = m->next)
			amdvi_cmd_inv_pages(
				b,
				container_of(m, struct amdvi_gdom, link)->hdomid,
				AMDVI_NO_PASID, iova, len);
		ufd_mutex_unlock(&v->lock);
	}
	ufd_mutex_unlock(&parent->dte_lock);
}

/* ---- Nested domains ---- */

/* Linux's validate_gdte_nested(), on the fields it names. */
static int validate_gdte(struct ufd_amdvi *iommu,
			 const uint64_t g[AMDVI_DTE_QWORDS])
{
	uint64_t gpm = amdvi_dget(g, AMDVI_DTE_GPM);

	if (amdvi_dget(g, AMDVI_DTE_MODE) || amdvi_dget(g, AMDVI_DTE_HPTRP))
		return -EINVAL;
	if (amdvi_dget(g, AMDVI_DTE_V) && amdvi_dget(g, AMDVI_DTE_GV) &&
	    !amdvi_dget(g, AMDVI_DTE_GCR3_A) &&
	    !amdvi_dget(g, AMDVI_DTE_GCR3_B) &&
	    !amdvi_dget(g, AMDVI_DTE_GCR3_C))
		return -EINVAL;
	if (gpm != AMDVI_GATS_4LVL && gpm != AMDVI_GATS_5LVL)
		return -EINVAL;
	if (amdvi_dget(g, AMDVI_DTE_GLX) == 3)
		return -EINVAL;
	if (gpm == AMDVI_GATS_5LVL && iommu->gats_levels < 5)
		return -EOPNOTSUPP;
	return 0;
}

static void nested_free(struct ufd_domain *domain)
{
	struct amdvi_nested *n = to_amdvi_nested(domain);

	gdom_put(n->viommu, n->gdom);
	ufd_free(n);
}

static int nested_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct amdvi_nested *n = to_amdvi_nested(domain);
	struct amdvi_domain *parent = n->viommu->parent;
	unsigned int access = write ? AMDVI_WRITE : AMDVI_READ;
	struct amdvi_xlate x;
	struct amdvi_link *l;
	int rc = -EFAULT;

	if (out->dev &&
	    !amdvi_translate_cached(parent->iommu->hw,
				    ufd_amdvi_dev_devid(out->dev),
				    amdvi_dma_pasid(out), iova, access, &x)) {
		out->addr = x.oa;
		out->len = (1ull << x.page_lg2) -
			   (iova & ((1ull << x.page_lg2) - 1));
		return 0;
	}
	/* The walk reads the parent's tables: no unmap may free them. */
	ufd_rwlock_rdlock(&parent->lock);
	if (out->dev) {
		rc = amdvi_translate_devid(parent->iommu,
					   ufd_amdvi_dev_devid(out->dev),
					   amdvi_dma_pasid(out), iova, write,
					   out);
		goto out_unlock;
	}
	for (l = parent->attached.next; l != &parent->attached; l = l->next) {
		struct amdvi_attach *a =
			container_of(l, struct amdvi_attach, link);

		if (a->pasid != AMDVI_RID || a->dd->domain != domain)
			continue;
		rc = amdvi_translate_devid(parent->iommu, a->dd->devid,
					   AMDVI_NO_PASID, iova, write, out);
		break;
	}
out_unlock:
	ufd_rwlock_unlock(&parent->lock);
	return rc;
}

const struct ufd_domain_ops amdvi_nested_ops = {
	.free = nested_free,
	.translate = nested_translate,
};

/**
 * amdvi_make_nested_dte() - the host DTE of @dd for nested domain @n
 *
 * The parent's dte_lock held (its root, levels and dirty_on).
 */
void amdvi_make_nested_dte(uint64_t dte[AMDVI_DTE_QWORDS],
			   struct amdvi_dev_data *dd, struct amdvi_nested *n)
{
	const uint64_t *g = n->gdte;

	amdvi_make_v1_dte(dte, n->viommu->parent, n->gdom->hdomid);
	amdvi_dset(dte, AMDVI_DTE_GV, 1);
	amdvi_dset(dte, AMDVI_DTE_PPR, amdvi_dget(g, AMDVI_DTE_PPR));
	amdvi_dset(dte, AMDVI_DTE_GLX, amdvi_dget(g, AMDVI_DTE_GLX));
	amdvi_dset(dte, AMDVI_DTE_GIOV, amdvi_dget(g, AMDVI_DTE_GIOV));
	amdvi_dset(dte, AMDVI_DTE_GCR3_A, amdvi_dget(g, AMDVI_DTE_GCR3_A));
	amdvi_dset(dte, AMDVI_DTE_GCR3_B, amdvi_dget(g, AMDVI_DTE_GCR3_B));
	amdvi_dset(dte, AMDVI_DTE_GCR3_C, amdvi_dget(g, AMDVI_DTE_GCR3_C));
	amdvi_dset(dte, AMDVI_DTE_GPM, amdvi_dget(g, AMDVI_DTE_GPM));
}

/**
 * amdvi_attach_nested() - point @dd's DTE at nested domain @n
 *
 * Return: 0, -EINVAL (PASIDs attached: Linux refuses nesting with PASID
 * enabled), -EIO.
 */
int amdvi_attach_nested(struct amdvi_dev_data *dd, struct amdvi_nested *n)
{
	struct ufd_domain *old = dd->domain;
	int rc;

	if (dd->npasids)
		return -EINVAL;
	rc = amdvi_install_dte(dd, &n->base);
	if (old && old->type == UFD_DOMAIN_PAGING &&
	    to_amdvi_domain(old)->version == 2)
		amdvi_gcr3_set(dd, 0, 0);
	return rc;
}

/**
 * viommu_alloc_domain_nested() - ufd_viommu_ops.alloc_domain_nested
 *
 * Return: the domain, or ERR_PTR(-EOPNOTSUPP (another data type, a flag
 * other than IOMMU_HWPT_ALLOC_PASID, a 5-level guest table the IOMMU has
 * not), -EINVAL (a guest DTE Linux refuses, a bad size), -EFAULT,
 * -ENOSPC (no host DomainID left), -ENOMEM).
 */
static struct ufd_domain *
viommu_alloc_domain_nested(struct ufd_viommu *viommu, uint32_t flags,
			   const struct ufd_user_data *data)
{
	struct amdvi_viommu *v = to_aviommu(viommu);
	struct iommu_hwpt_amd_guest arg;
	uint64_t gdte[AMDVI_DTE_QWORDS];
	struct amdvi_nested *n;
	struct amdvi_gdom *g;
	unsigned int i;
	int rc;

	if (!data || data->type != IOMMU_HWPT_DATA_AMD_GUEST ||
	    (flags & ~IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	rc = ufd_user_data_copy(
		&arg, sizeof(arg), data, IOMMU_HWPT_DATA_AMD_GUEST,
		AMDVI_OFFSETOFEND(struct iommu_hwpt_amd_guest, dte));
	if (rc)
		return ERR_PTR(rc);
	for (i = 0; i < AMDVI_DTE_QWORDS; i++)
		gdte[i] = arg.dte[i];
	rc = validate_gdte(v->iommu, gdte);
	if (rc)
		return ERR_PTR(rc);
	n = ufd_zalloc(sizeof(*n));
	if (!n)
		return ERR_PTR(-ENOMEM);
	memcpy(n->gdte, gdte, sizeof(gdte));
	n->gdomid = (uint16_t)amdvi_dget(n->gdte, AMDVI_DTE_DOMAIN_ID);
	g = gdom_get(v, n->gdomid);
	if (IS_ERR(g)) {
		ufd_free(n);
		return ERR_CAST(g);
	}
	n->gdom = g;
	n->viommu = v;
	n->base.ops = &amdvi_nested_ops;
	n->base.owner = ufd_amdvi_ops(v->iommu);
	n->base.type = UFD_DOMAIN_NESTED;
	return &n->base;
}

/* ---- vIOMMUs ---- */

/**
 * amdvi_viommu_supported() - any type but the default, with nesting
 *
 * As Linux 7's amd_iommufd_get_viommu_size(), which sizes every type.
 */
bool amdvi_viommu_supported(struct ufd_dev *dev, uint32_t type)
{
	struct ufd_amdvi *iommu = dev_to_dd(dev)->iommu;

	return type != IOMMU_VIOMMU_TYPE_DEFAULT && iommu->gt && iommu->gio;
}

static void viommu_destroy(struct ufd_viommu *viommu)
{
	struct amdvi_viommu *v = to_aviommu(viommu);

	ufd_mutex_lock(&v->parent->dte_lock);
	amdvi_list_del(&v->parent_link);
	ufd_mutex_unlock(&v->parent->dte_lock);
	ufd_mutex_destroy(&v->lock);
	viommu->priv = NULL;
	ufd_free(v);
}

static const struct ufd_viommu_ops amdvi_viommu_ops = {
	.destroy = viommu_destroy,
	.alloc_domain_nested = viommu_alloc_domain_nested,
};

/**
 * amdvi_viommu_init() - iommu_ops.viommu_init: record the parent
 *
 * Return: 0, -EINVAL (the parent is not a nesting-parent v1 domain of this
 * IOMMU), -ENOMEM.
 */
int amdvi_viommu_init(struct ufd_viommu *viommu,
		      const struct ufd_user_data *data)
{
	struct ufd_amdvi *iommu = ufd_amdvi_of(viommu->iommu);
	struct amdvi_domain *parent;
	struct amdvi_viommu *v;

	if (IS_ERR_OR_NULL(iommu) || !viommu->parent ||
	    viommu->parent->owner != viommu->iommu ||
	    viommu->parent->type != UFD_DOMAIN_PAGING)
		return -EINVAL;
	parent = to_amdvi_domain(viommu->parent);
	if (parent->version != 1 || !parent->nest_parent)
		return -EINVAL;
	v = ufd_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->core = viommu;
	v->iommu = iommu;
	v->parent = parent;
	ufd_mutex_init(&v->lock);
	amdvi_list_init(&v->gdoms);
	ufd_mutex_lock(&parent->dte_lock);
	amdvi_list_add(&parent->viommus, &v->parent_link);
	ufd_mutex_unlock(&parent->dte_lock);
	viommu->priv = v;
	viommu->ops = &amdvi_viommu_ops;
	return 0;
}
