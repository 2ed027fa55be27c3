// SPDX-License-Identifier: BSD-3-Clause
/* The SMMUv3 driver test bench; see smmudrv_tb.h. */
#include "smmudrv_tb.h"

#include "base/alloc.h"
#include "hw/smmuv3/smmuv3.h"

/* ---- Fake core services ---- */

static struct tb_viommu *to_tv(struct ufd_viommu *viommu)
{
	return container_of(viommu, struct tb_viommu, viommu);
}

static int fc_vdev_id(struct ufd_viommu *viommu, struct ufd_dev *dev,
		      uint64_t *virt_id)
{
	return -ENOENT;
}

static int fc_with_vdev(struct ufd_viommu *viommu, uint64_t virt_id,
			int (*fn)(void *arg, struct ufd_vdevice *vdev),
			void *arg)
{
	return -EINVAL;
}

static int fc_report_event(struct ufd_viommu *viommu, uint32_t type,
			   const void *data, size_t len)
{
	struct tb_viommu *tv = to_tv(viommu);
	int rc = 0;

	ufd_mutex_lock(&tv->lock);
	if (type < 4 && tv->refuse[type]) {
		rc = -EOPNOTSUPP;
	} else if (tv->nevents < TB_MAX_EVENTS &&
		   len <= sizeof(tv->events[0].data)) {
		tv->events[tv->nevents].type = type;
		tv->events[tv->nevents].len = len;
		memcpy(tv->events[tv->nevents].data, data, len);
		tv->nevents++;
	} else {
		rc = -ENOMEM;
	}
	ufd_mutex_unlock(&tv->lock);
	return rc;
}

static int fc_alloc_mmap(struct ufd_viommu *viommu, void *host, size_t len,
			 uint64_t *offset)
{
	struct tb_viommu *tv = to_tv(viommu);

	tv->mmap_host = host;
	tv->mmap_len = len;
	tv->mmap_offset = 0x10000ull * (++tv->nmmaps);
	*offset = tv->mmap_offset;
	return 0;
}

static void fc_destroy_mmap(struct ufd_viommu *viommu, uint64_t offset)
{
	struct tb_viommu *tv = to_tv(viommu);

	assert_int_equal(offset, tv->mmap_offset);
	tv->mmap_host = NULL;
}

static int fc_hw_queue_depend(struct ufd_hw_queue *dependent,
			      struct ufd_hw_queue *queue)
{
	if (dependent == queue)
		return -EINVAL;
	to_tv(dependent->viommu)->ndeps++;
	return 0;
}

static void fc_hw_queue_undepend(struct ufd_hw_queue *dependent,
				 struct ufd_hw_queue *queue)
{
	to_tv(dependent->viommu)->ndeps--;
}

static const struct ufd_viommu_core_ops fake_core = {
	.vdev_id = fc_vdev_id,
	.with_vdev = fc_with_vdev,
	.report_event = fc_report_event,
	.alloc_mmap = fc_alloc_mmap,
	.destroy_mmap = fc_destroy_mmap,
	.hw_queue_depend = fc_hw_queue_depend,
	.hw_queue_undepend = fc_hw_queue_undepend,
};

int tb_viommu_init(struct tb_viommu *tv, const struct ufd_iommu_ops *ops,
		   uint32_t type, struct ufd_domain *parent,
		   const struct ufd_user_data *data)
{
	int rc;

	memset(tv, 0, sizeof(*tv));
	ufd_mutex_init(&tv->lock);
	tv->viommu.type = type;
	tv->viommu.parent = parent;
	tv->viommu.iommu = ops;
	tv->viommu.core = &fake_core;
	rc = ops->viommu_init(&tv->viommu, data);
	if (rc)
		tv->viommu.ops = NULL;
	return rc;
}

void tb_viommu_fini(struct tb_viommu *tv)
{
	if (tv->viommu.ops && tv->viommu.ops->destroy)
		tv->viommu.ops->destroy(&tv->viommu);
	tv->viommu.ops = NULL;
	ufd_mutex_destroy(&tv->lock);
}

unsigned int tb_events(struct tb_viommu *tv, uint32_t type)
{
	unsigned int i, n = 0;

	ufd_mutex_lock(&tv->lock);
	for (i = 0; i < tv->nevents; i++)
		n += tv->events[i].type == type;
	ufd_mutex_unlock(&tv->lock);
	return n;
}

const struct tb_event *tb_last_event(struct tb_viommu *tv, uint32_t type)
{
	const struct tb_event *e = NULL;
	unsigned int i;

	ufd_mutex_lock(&tv->lock);
	for (i = 0; i < tv->nevents; i++)
		if (tv->events[i].type == type)
			e = &tv->events[i];
	ufd_mutex_unlock(&tv->lock);
	assert_non_null(e);
	return e;
}

int tb_vdev_init(struct ufd_vdevice *vdev, struct tb_viommu *tv,
		 struct ufd_dev *dev, uint64_t virt_id)
{
	memset(vdev, 0, sizeof(*vdev));
	vdev->viommu = &tv->viommu;
	vdev->dev = dev;
	vdev->virt_id = virt_id;
	return tv->viommu.ops->vdevice_init(vdev);
}

void tb_vdev_fini(struct ufd_vdevice *vdev)
{
	vdev->viommu->ops->vdevice_destroy(vdev);
}

/* ---- Devices, domains, memory ---- */

bool tb_cached(struct ufd_dev *dev, uint64_t iova)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_of(dev->iommu);
	struct smmuv3_xlate x;

	smmuv3_translate(ufd_smmuv3_hw(smmu), ufd_smmuv3_dev_sid(dev),
			 SMMUV3_NO_SSID, iova, SMMUV3_READ, &x);
	return x.status == SMMUV3_OK && x.tlb_hit;
}

/* ---- A guest ---- */

void *tb_gpa_ptr(struct tb_guest *g, uint64_t gpa)
{
	assert_true(gpa >= TB_GPA && gpa < TB_GPA + TB_GRAM_SIZE);
	return g->ram + (gpa - TB_GPA);
}

uint64_t tb_galloc(struct tb_guest *g, uint64_t size, uint64_t align)
{
	uint64_t gpa = (g->next + align - 1) & ~(align - 1);

	assert_true(gpa + size <= TB_GPA + TB_GRAM_SIZE);
	g->next = gpa + size;
	memset(tb_gpa_ptr(g, gpa), 0, size);
	return gpa;
}

static void *gmem_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct tb_guest *g = priv;

	if (pa < TB_GPA || pa >= TB_GPA + TB_GRAM_SIZE ||
	    len > TB_GPA + TB_GRAM_SIZE - pa)
		return ERR_PTR(-EFAULT);
	return g->ram + (pa - TB_GPA);
}

static void *gmem_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct tb_guest *g = priv;

	*pa = tb_galloc(g, size, align);
	return tb_gpa_ptr(g, *pa);
}

static void gmem_free(void *priv, uint64_t pa, void *host, size_t size)
{
	/* Guest RAM is a bump allocator; tables are not reused. */
}

static const struct pt_mem_ops gmem_ops = {
	.map = gmem_map,
	.alloc = gmem_alloc,
	.free = gmem_free,
};

void tb_gcd_write(struct tb_guest *g, bool valid)
{
	uint64_t *cd = tb_gpa_ptr(g, g->cd_gpa);
	const struct pt_walk_ctx *c = pt_table_walk_ctx(g->s1);

	memset(cd, 0, SMMU_CD_DWORDS * 8);
	smmu_dset(cd, SMMU_CD_V, valid);
	smmu_dset(cd, SMMU_CD_T0SZ, 64 - c->ias);
	smmu_dset(cd, SMMU_CD_TG0, SMMU_TG0_4K);
	smmu_dset(cd, SMMU_CD_EPD1, 1);
	smmu_dset(cd, SMMU_CD_IPS, SMMU_PS_48);
	smmu_dset(cd, SMMU_CD_AA64, 1);
	smmu_dset(cd, SMMU_CD_R, 1);
	smmu_dset(cd, SMMU_CD_A, 1);
	smmu_dset(cd, SMMU_CD_ASID, g->asid);
	smmu_dset(cd, SMMU_CD_TTB0, pt_root(c) >> 4);
}

void tb_guest_init(struct tb_guest *g, struct ufd_domain *s2, uint16_t asid)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_ARM_S1,
		.granule_lg2 = 12,
		.ias = 48,
		.oas = 48,
		.mem = &gmem_ops,
	};

	memset(g, 0, sizeof(*g));
	g->ram = tb_buf(TB_GRAM_SIZE, 2ull << 20);
	g->next = TB_GPA;
	g->asid = asid;
	cfg.mem_priv = g;
	tb_map(s2, TB_GPA, g->ram, TB_GRAM_SIZE, RW);
	g->s1 = pt_alloc(&cfg);
	assert_false(IS_ERR(g->s1));
	g->cd_gpa = tb_galloc(g, 64, 64);
	tb_gcd_write(g, true);
}

void tb_guest_fini(struct tb_guest *g, struct ufd_domain *s2)
{
	pt_free(g->s1);
	tb_unmap(s2, TB_GPA, TB_GRAM_SIZE);
	tb_buf_free(g->ram);
}

void tb_gmap(struct tb_guest *g, uint64_t va, uint64_t gpa, uint64_t len,
	     bool rw)
{
	uint64_t mapped = 0;

	assert_int_equal(pt_map(g->s1, va, gpa, len,
				PT_PROT_READ | PT_PROT_CACHE |
					(rw ? PT_PROT_WRITE : 0),
				&mapped),
			 0);
}

void tb_gunmap(struct tb_guest *g, uint64_t va, uint64_t len)
{
	uint64_t unmapped = 0;

	assert_int_equal(
		pt_unmap(g->s1, va, len, PT_UNMAP_SPLIT, NULL, &unmapped), 0);
}

void tb_gste(struct tb_guest *g, uint64_t ste[2])
{
	ste[0] = ste[1] = 0;
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_S1);
	smmu_dset(ste, SMMU_STE_S1FMT, SMMU_S1FMT_LINEAR);
	smmu_dset(ste, SMMU_STE_S1CTXPTR, g->cd_gpa >> 6);
	smmu_dset(ste, SMMU_STE_S1CIR, 1);
	smmu_dset(ste, SMMU_STE_S1COR, 1);
	smmu_dset(ste, SMMU_STE_S1CSH, 3);
}

struct ufd_domain *tb_nested(struct tb_viommu *tv, const uint64_t ste[2])
{
	struct iommu_hwpt_arm_smmuv3 arg = { .ste = { ste[0], ste[1] } };
	struct ufd_user_data data =
		tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, &arg, sizeof(arg));

	return tv->viommu.ops->alloc_domain_nested(&tv->viommu, 0, &data);
}

/* ---- Randomness ---- */
