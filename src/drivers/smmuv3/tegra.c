// SPDX-License-Identifier: BSD-3-Clause
/*
 * Tegra241 CMDQV on the SMMUv3 driver: vIOMMUs of type
 * IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV and their HW queues, what Linux's
 * tegra241-cmdqv does for iommufd.
 *
 * A Tegra241 vIOMMU is an ARM_SMMUV3 vIOMMU (its VMID, nested domains,
 * vDEVICEs and trapped invalidations are the same) that also owns a
 * guest-owned VINTF of the CMDQV (VINTF 0 stays the host's): the VINTF is
 * programmed with the vIOMMU's VMID and HYP_OWN = 0, so the hardware puts
 * that VMID into the guest's TLB invalidations and refuses the commands a
 * guest may not issue. Each vDEVICE takes a SID_MATCH/SID_REPLACE pair
 * (vSID -> physical StreamID) for the guest's ATC invalidations; more
 * vDEVICEs than pairs is ENOSPC.
 *
 * VINTF page 0 is memory from ufd_shmem_alloc() attached to the model as
 * the page itself; the program maps it through the iommufd at the offset
 * the vIOMMU's data reports (core->alloc_mmap), and its guest drives its
 * queues there with plain stores -- the model's consumer thread sees PROD
 * move and consumes, nothing calls into iommufd.
 *
 * HW queues (IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV) are VCMDQs whose memory is
 * the guest's, with Linux's rules: logical index below the VINTF's share of
 * VCMDQs (EINVAL), allocated once (EEXIST), in ascending order (EIO if the
 * previous index is missing), destroyed in descending order (each depends
 * on the one before, which the core enforces); length a power of two from
 * 32 bytes to 16 << IDR1.CMDQS, memory aligned to it (EINVAL). VCMDQ
 * v * n + l serves logical queue l of VINTF v.
 *
 * A VCMDQ that stops on a command error is reported to the vIOMMU's
 * IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV queue with the VINTF's LVCMDQ error map;
 * the guest acknowledges it through its page.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/shmem.h"
#include "drivers/smmuv3/smmuv3_priv.h"
#include "uiommufd/uapi/iommufd.h"

static void cv_wr32(struct ufd_smmuv3 *smmu, uint64_t off, uint32_t v)
{
	cmdqv_mmio_write(smmu->cv, off, 4, v);
}

static uint32_t cv_rd32(struct ufd_smmuv3 *smmu, uint64_t off)
{
	return (uint32_t)cmdqv_mmio_read(smmu->cv, off, 4);
}

static uint64_t vcmdq_page0(unsigned int idx, unsigned int reg)
{
	return CMDQV_VCMDQ_PAGE0_BASE + CMDQV_VCMDQ_STRIDE * idx + reg;
}

static uint64_t vcmdq_page1(unsigned int idx, unsigned int reg)
{
	return CMDQV_VCMDQ_PAGE1_BASE + CMDQV_VCMDQ_STRIDE * idx + reg;
}

/**
 * smmu_tegra_init_instance() - bring the CMDQV up beside the SMMU
 *
 * Reads its geometry and enables it; VINTF 0 is kept for the host and no
 * guest gets it. Return: 0 or -EINVAL (fewer than two VINTFs).
 */
int smmu_tegra_init_instance(struct ufd_smmuv3 *smmu)
{
	uint32_t param = cv_rd32(smmu, CMDQV_PARAM);
	unsigned int nvcmdqs;

	smmu->nvintfs = 1u << smmu_fget(param, CMDQV_PARAM_NUM_VINTF_LOG2);
	nvcmdqs = 1u << smmu_fget(param, CMDQV_PARAM_NUM_VCMDQ_LOG2);
	smmu->nlvcmdqs = nvcmdqs / smmu->nvintfs;
	smmu->nsids = 1u << smmu_fget(param, CMDQV_PARAM_NUM_SID_PER_VM_LOG2);
	smmu->cmdqv_version = smmu_fget(param, CMDQV_PARAM_VER);
	if (smmu->nvintfs < 2 || smmu->nvintfs > ARRAY_SIZE(smmu->vintfs))
		return -EINVAL;
	cv_wr32(smmu, CMDQV_CONFIG, (uint32_t)smmu_fprep(CMDQV_CONFIG_EN, 1));
	return 0;
}

/** smmu_tegra_hw_info() - IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV data */
void *smmu_tegra_hw_info(struct ufd_smmuv3 *smmu, uint32_t *length)
{
	struct iommu_hw_info_tegra241_cmdqv *info = ufd_zalloc(sizeof(*info));

	if (!info)
		return ERR_PTR(-ENOMEM);
	info->version = (uint8_t)smmu->cmdqv_version;
	info->log2vcmdqs = (uint8_t)__builtin_ctz(smmu->nlvcmdqs);
	info->log2vsids = (uint8_t)__builtin_ctz(smmu->nsids);
	*length = sizeof(*info);
	return info;
}

/* ---- HW queues ---- */

static struct smmu_vsmmu *to_vsmmu(struct ufd_viommu *viommu)
{
	return viommu->priv;
}

/* Takes VCMDQ @q away from the guest: disabled, empty, unmapped. */
static void vcmdq_deinit(struct ufd_smmuv3 *smmu, struct smmu_vcmdq *q)
{
	cv_wr32(smmu, vcmdq_page0(q->idx, CMDQV_VCMDQ_CONFIG), 0);
	/* Nothing reads the guest's queue memory after this. */
	cmdqv_vcmdq_quiesce(smmu->cv, q->idx);
	/*
	 * A timed-out ATC invalidation of the guest must not fail the next
	 * owner's sync: a CMD_SYNC on the host's queue takes it.
	 */
	smmu_cmdq_issue(smmu, NULL, 0, true, NULL);
	cv_wr32(smmu, vcmdq_page0(q->idx, CMDQV_VCMDQ_PROD), 0);
	cv_wr32(smmu, vcmdq_page0(q->idx, CMDQV_VCMDQ_CONS), 0);
	cmdqv_mmio_write(smmu->cv, vcmdq_page1(q->idx, CMDQV_VCMDQ_BASE), 8, 0);
	cmdqv_mmio_write(smmu->cv,
			 vcmdq_page1(q->idx, CMDQV_VCMDQ_CONS_INDX_BASE), 8, 0);
	cv_wr32(smmu, vcmdq_page0(q->idx, CMDQV_VCMDQ_GERRORN),
		cv_rd32(smmu, vcmdq_page0(q->idx, CMDQV_VCMDQ_GERROR)));
	cv_wr32(smmu, CMDQV_CMDQ_ALLOC(q->idx), 0);
}

static void vcmdq_destroy(struct ufd_hw_queue *queue)
{
	struct smmu_vsmmu *v = to_vsmmu(queue->viommu);
	struct smmu_vintf *vintf = v->vintf;
	struct smmu_vcmdq *q = queue->priv;

	ufd_mutex_lock(&vintf->lvcmdq_lock);
	vcmdq_deinit(v->smmu, q);
	vintf->lvcmdqs[q->lidx] = NULL;
	if (q->prev)
		v->core->core->hw_queue_undepend(queue, q->prev->core);
	ufd_mutex_unlock(&vintf->lvcmdq_lock);
	queue->priv = NULL;
	ufd_free(q);
}

static bool tegra_hw_queue_supported(struct ufd_viommu *viommu, uint32_t type)
{
	return type == IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
}

static int tegra_hw_queue_init(struct ufd_hw_queue *queue, uint64_t base)
{
	struct smmu_vsmmu *v = to_vsmmu(queue->viommu);
	struct ufd_smmuv3 *smmu = v->smmu;
	struct smmu_vintf *vintf = v->vintf;
	struct smmu_vcmdq *q, *prev = NULL;
	uint32_t lidx = queue->index;
	uint64_t len = queue->length;
	unsigned int log2size;
	int rc;

	if (queue->type != IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV)
		return -EOPNOTSUPP;
	if (lidx >= smmu->nlvcmdqs)
		return -EINVAL;
	q = ufd_zalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	ufd_mutex_lock(&vintf->lvcmdq_lock);
	if (vintf->lvcmdqs[lidx]) {
		rc = -EEXIST;
		goto out_unlock;
	}
	/* The hardware maps logical queues in ascending order only. */
	if (lidx) {
		prev = vintf->lvcmdqs[lidx - 1];
		if (!prev) {
			rc = -EIO;
			goto out_unlock;
		}
	}
	if (len < 32 || (len & (len - 1)) || len > (16ull << smmu->cmdqs_lg2) ||
	    (base & ~smmu_fmask(CMDQV_VCMDQ_BASE_ADDR)) || (base & (len - 1))) {
		rc = -EINVAL;
		goto out_unlock;
	}
	log2size = (unsigned int)__builtin_ctzll(len) - 4;
	/* ... and unmaps them in descending order: the core keeps it. */
	if (prev) {
		rc = v->core->core->hw_queue_depend(queue, prev->core);
		if (rc)
			goto out_unlock;
	}
	q->core = queue;
	q->vintf = vintf;
	q->prev = prev;
	q->lidx = lidx;
	q->idx = vintf->idx * smmu->nlvcmdqs + lidx;
	cv_wr32(smmu, CMDQV_CMDQ_ALLOC(q->idx),
		(uint32_t)(smmu_fprep(CMDQV_CMDQ_ALLOC_ALLOCATED, 1) |
			   smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, vintf->idx) |
			   smmu_fprep(CMDQV_CMDQ_ALLOC_LVCMDQ, lidx)));
	/* The guest enables it through its page; we only place it. */
	cmdqv_mmio_write(smmu->cv, vcmdq_page1(q->idx, CMDQV_VCMDQ_BASE), 8,
			 base | smmu_fprep(CMDQV_VCMDQ_BASE_LOG2SIZE,
					   log2size));
	vintf->lvcmdqs[lidx] = q;
	queue->priv = q;
	queue->destroy = vcmdq_destroy;
	ufd_mutex_unlock(&vintf->lvcmdq_lock);
	return 0;

out_unlock:
	ufd_mutex_unlock(&vintf->lvcmdq_lock);
	ufd_free(q);
	return rc;
}

/* ---- vDEVICEs: SID_MATCH / SID_REPLACE pairs ---- */

static uint64_t vintf_reg(const struct smmu_vintf *vintf, unsigned int reg)
{
	return CMDQV_VINTF(vintf->idx) + reg;
}

static int tegra_vdevice_init(struct ufd_vdevice *vdev)
{
	struct smmu_vsmmu *v = to_vsmmu(vdev->viommu);
	struct ufd_smmuv3 *smmu = v->smmu;
	struct smmu_vintf *vintf = v->vintf;
	struct smmu_master *m;
	unsigned int slot;
	int rc;

	if (vdev->virt_id > UINT32_MAX)
		return -EINVAL;
	rc = smmu_vsmmu_vdevice_init(vdev);
	if (rc)
		return rc;
	m = vdev->priv;
	ufd_mutex_lock(&smmu->streams_lock);
	for (slot = 0; slot < smmu->nsids; slot++)
		if (!(vintf->sid_slots & (1u << slot)))
			break;
	if (slot < smmu->nsids) {
		vintf->sid_slots |= 1u << slot;
		m->vintf_slot = (int)slot;
	}
	ufd_mutex_unlock(&smmu->streams_lock);
	if (slot == smmu->nsids) {
		rc = -ENOSPC;
		goto out_vdevice;
	}
	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_REPLACE(slot)), m->sid);
	/* The register keeps vSID bits 30:0; the hardware has no more. */
	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_MATCH(slot)),
		(uint32_t)(smmu_fprep(CMDQV_SID_MATCH_VSID, vdev->virt_id) |
			   smmu_fprep(CMDQV_SID_MATCH_ENABLE, 1)));
	return 0;

out_vdevice:
	smmu_vsmmu_vdevice_destroy(vdev);
	return rc;
}

static void tegra_vdevice_destroy(struct ufd_vdevice *vdev)
{
	struct smmu_vsmmu *v = to_vsmmu(vdev->viommu);
	struct ufd_smmuv3 *smmu = v->smmu;
	struct smmu_vintf *vintf = v->vintf;
	struct smmu_master *m = vdev->priv;
	unsigned int slot = (unsigned int)m->vintf_slot;

	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_MATCH(slot)), 0);
	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_REPLACE(slot)), 0);
	ufd_mutex_lock(&smmu->streams_lock);
	vintf->sid_slots &= ~(1u << slot);
	m->vintf_slot = -1;
	ufd_mutex_unlock(&smmu->streams_lock);
	smmu_vsmmu_vdevice_destroy(vdev);
}

/* ---- The vIOMMU ---- */

static void vintf_hw_deinit(struct ufd_smmuv3 *smmu, struct smmu_vintf *vintf)
{
	unsigned int s;

	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_CONFIG), 0);
	for (s = 0; s < smmu->nsids; s++) {
		cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_MATCH(s)), 0);
		cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_SID_REPLACE(s)), 0);
	}
}

static void tegra_viommu_destroy(struct ufd_viommu *viommu)
{
	struct smmu_vsmmu *v = to_vsmmu(viommu);
	struct ufd_smmuv3 *smmu = v->smmu;
	struct smmu_vintf *vintf = v->vintf;

	viommu->core->destroy_mmap(viommu, vintf->mmap_offset);
	cmdqv_vintf_page_detach(smmu->cv, vintf->idx);
	ufd_shmem_free(vintf->page);
	vintf_hw_deinit(smmu, vintf);
	ufd_mutex_lock(&smmu->vintf_lock);
	smmu->vintfs[vintf->idx] = NULL;
	ufd_mutex_unlock(&smmu->vintf_lock);
	ufd_mutex_destroy(&vintf->lvcmdq_lock);
	ufd_free(vintf);
	smmu_vsmmu_teardown(v);
}

static const struct ufd_viommu_ops tegra_viommu_ops = {
	.destroy = tegra_viommu_destroy,
	.alloc_domain_nested = smmu_vsmmu_alloc_domain_nested,
	/* What the VCMDQs refuse still goes through the host's queue. */
	.cache_invalidate = smmu_vsmmu_cache_invalidate,
	.vdevice_init = tegra_vdevice_init,
	.vdevice_destroy = tegra_vdevice_destroy,
	.hw_queue_supported = tegra_hw_queue_supported,
	.hw_queue_init = tegra_hw_queue_init,
};

/**
 * smmu_tegra_viommu_init() - a IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV vIOMMU
 *
 * A VMID, a free guest VINTF programmed with it, page 0 as shared memory
 * the program can map; @data gets its mmap offset and length. Return: 0;
 * -EINVAL (no data, wrong type or size, no CMDQV, bad parent); -ENOSPC (no
 * VINTF or VMID left); -E2BIG, -EFAULT (@data); the core's alloc_mmap
 * error; -ENOMEM.
 */
int smmu_tegra_viommu_init(struct ufd_viommu *viommu,
			   const struct ufd_user_data *data)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_of(viommu->iommu);
	struct iommu_viommu_tegra241_cmdqv arg;
	struct smmu_vintf *vintf;
	struct smmu_vsmmu *v;
	unsigned int i;
	int rc;

	if (!data || IS_ERR_OR_NULL(smmu) || !smmu->cv)
		return -EINVAL;
	rc = ufd_user_data_copy(&arg, sizeof(arg), data,
				IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
				offsetofend(struct iommu_viommu_tegra241_cmdqv,
					    out_vintf_mmap_length));
	if (rc)
		return rc;
	vintf = ufd_zalloc(sizeof(*vintf));
	if (!vintf)
		return -ENOMEM;
	ufd_mutex_init(&vintf->lvcmdq_lock);
	rc = smmu_vsmmu_setup(viommu, &v);
	if (rc)
		goto out_free_vintf;
	ufd_mutex_lock(&smmu->vintf_lock);
	for (i = 1; i < smmu->nvintfs && smmu->vintfs[i]; i++)
		;
	if (i < smmu->nvintfs)
		smmu->vintfs[i] = v;
	ufd_mutex_unlock(&smmu->vintf_lock);
	if (i == smmu->nvintfs) {
		rc = -ENOSPC;
		goto out_teardown;
	}
	vintf->idx = i;
	v->vintf = vintf;

	/* Guest-owned: the hardware enforces the VMID and the command set. */
	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_CONFIG),
		(uint32_t)smmu_fprep(CMDQV_VINTF_CONFIG_VMID, v->vmid));
	cv_wr32(smmu, vintf_reg(vintf, CMDQV_VINTF_CONFIG),
		(uint32_t)(smmu_fprep(CMDQV_VINTF_CONFIG_VMID, v->vmid) |
			   smmu_fprep(CMDQV_VINTF_CONFIG_EN, 1)));

	vintf->page = ufd_shmem_alloc(CMDQV_PAGE_SIZE);
	if (IS_ERR(vintf->page)) {
		rc = (int)PTR_ERR(vintf->page);
		goto out_hw_deinit;
	}
	rc = cmdqv_vintf_page_attach(smmu->cv, vintf->idx, vintf->page);
	if (rc)
		goto out_free_page;
	rc = viommu->core->alloc_mmap(viommu, vintf->page, CMDQV_PAGE_SIZE,
				      &vintf->mmap_offset);
	if (rc)
		goto out_detach;
	arg.out_vintf_mmap_offset = vintf->mmap_offset;
	arg.out_vintf_mmap_length = CMDQV_PAGE_SIZE;
	rc = ufd_user_data_respond(
		data, &arg, sizeof(arg), IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		offsetofend(struct iommu_viommu_tegra241_cmdqv,
			    out_vintf_mmap_length));
	if (rc)
		goto out_destroy_mmap;
	viommu->ops = &tegra_viommu_ops;
	return 0;

out_destroy_mmap:
	viommu->core->destroy_mmap(viommu, vintf->mmap_offset);
out_detach:
	cmdqv_vintf_page_detach(smmu->cv, vintf->idx);
out_free_page:
	ufd_shmem_free(vintf->page);
out_hw_deinit:
	vintf_hw_deinit(smmu, vintf);
	ufd_mutex_lock(&smmu->vintf_lock);
	smmu->vintfs[vintf->idx] = NULL;
	ufd_mutex_unlock(&smmu->vintf_lock);
out_teardown:
	smmu_vsmmu_teardown(v);
out_free_vintf:
	ufd_mutex_destroy(&vintf->lvcmdq_lock);
	ufd_free(vintf);
	return rc;
}

int ufd_smmuv3_viommu_vintf(const struct ufd_viommu *viommu)
{
	const struct smmu_vsmmu *v = viommu->priv;

	if (viommu->type != IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV || !v->vintf)
		return -EINVAL;
	return (int)v->vintf->idx;
}

/**
 * smmu_tegra_on_error() - the CMDQV stopped a VCMDQ on a command error
 *
 * The model's error callback (no model lock held): a guest VINTF's error
 * becomes an IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV event with its LVCMDQ error
 * map; the guest sees which queue stopped and acknowledges it itself.
 */
void smmu_tegra_on_error(void *priv, unsigned int vintf, unsigned int lvcmdq,
			 const uint64_t lvcmdq_err_map[2], unsigned int cerror)
{
	struct ufd_smmuv3 *smmu = priv;
	struct iommu_vevent_tegra241_cmdqv vevt;
	struct smmu_vsmmu *v;

	smmu_stat_inc(smmu, cmdqv_errors);
	ufd_mutex_lock(&smmu->vintf_lock);
	v = vintf < ARRAY_SIZE(smmu->vintfs) ? smmu->vintfs[vintf] : NULL;
	if (v && v->vintf) {
		vevt.lvcmdq_err_map[0] = lvcmdq_err_map[0];
		vevt.lvcmdq_err_map[1] = lvcmdq_err_map[1];
		if (v->core->core->report_event(
			    v->core, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, &vevt,
			    sizeof(vevt)))
			smmu_stat_inc(smmu, events_lost);
		else
			smmu_stat_inc(smmu, events_fwd);
	}
	ufd_mutex_unlock(&smmu->vintf_lock);
}
