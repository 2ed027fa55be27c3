// SPDX-License-Identifier: BSD-3-Clause
/*
 * Nesting on the SMMUv3 driver: guest STEs, nested domains, vIOMMUs of
 * type IOMMU_VIOMMU_TYPE_ARM_SMMUV3, vDEVICEs, guest invalidations and
 * guest events -- the iommufd side of Linux's arm-smmu-v3, with Linux's
 * rules and errno.
 *
 * A guest STE (IOMMU_HWPT_DATA_ARM_SMMUV3) may set only V, Config,
 * S1Fmt, S1ContextPtr, S1CDMax in word 0 and S1DSS, S1CIR, S1COR, S1CSH,
 * S1STALLD, EATS in word 1; Config must be abort, bypass or stage-1
 * translate and EATS abort or translate; anything else is EIO. An STE with
 * V = 0 becomes an abort STE. The guest's EATS is not copied: it says
 * whether the guest enabled ATS on its device (and will send ATC_INV for
 * it), and the physical EATS follows it, for a device with ATS, as in
 * Linux: full ATS for a stage-1 vSTE with EATS set, and for a bypass vSTE
 * (stage 2 alone, which the host invalidates); none for a stage-1 vSTE
 * without it, nor for abort. The physical STE of a stage-1 nested domain
 * is the parent's stage-2 STE (with the vIOMMU's VMID, or the parent's own
 * without a vIOMMU) turned into Config = nested, plus the guest's stage-1
 * words and MEV; bypass installs the stage 2 alone; abort aborts. The SMMU
 * then reads the guest's CD table and stage-1 tables at guest physical
 * addresses through that stage 2, so a guest reaches nothing the host did
 * not map for it.
 *
 * A vIOMMU has a VMID of its own: nested STEs on it carry it, so its
 * guest's TLB invalidations reach its own entries and no one else's, and a
 * stage 2 shared by several vIOMMUs invalidates under each of their VMIDs
 * when the host unmaps (domain.c).
 *
 * Guest invalidations (cache_invalidate) accept Linux's list: TLBI_NH_VA,
 * TLBI_NH_VAA, TLBI_NH_ALL, TLBI_NH_ASID (VMID replaced by the vIOMMU's),
 * TLBI_NSNH_ALL (turned into TLBI_NH_ALL of the VMID), ATC_INV, CFGI_CD,
 * CFGI_CD_ALL (virtual StreamID replaced by the physical one; an unknown
 * vSID is EIO). Every field outside what the opcode may carry -- reserved
 * bits, SSec, range fields without range invalidation, reserved range
 * encodings, ASID bits beyond the SMMU's -- is EIO too, so no guest command
 * can stop the host's queue. Commands are checked a batch at a time and a
 * batch runs only if all of it passed; entry_num counts what ran.
 *
 * Guest events: records of C_BAD_STE, F_STREAM_DISABLED, C_BAD_SUBSTREAMID,
 * C_BAD_CD, F_TRANSLATION, F_ADDR_SIZE, F_ACCESS and F_PERMISSION that are
 * not stage-2 faults, for a device attached to a nested domain of a vIOMMU
 * on which it has a vDEVICE, go to that vIOMMU's IOMMU_VEVENTQ_TYPE_ARM_SMMUV3
 * queue with the StreamID replaced by the vSID. The rest stay with the host.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "drivers/smmuv3/smmuv3_priv.h"
#include "uiommufd/uapi/iommufd.h"

/* The guest STE fields Linux lets through (its NESTING_ALLOWED masks). */
#define VSTE0_ALLOWED                                                          \
	(smmu_dmask(SMMU_STE_V) | smmu_dmask(SMMU_STE_CONFIG) |                \
	 smmu_dmask(SMMU_STE_S1FMT) | smmu_dmask(SMMU_STE_S1CTXPTR) |          \
	 smmu_dmask(SMMU_STE_S1CDMAX))
#define VSTE1_ALLOWED                                                          \
	(smmu_dmask(SMMU_STE_S1DSS) | smmu_dmask(SMMU_STE_S1CIR) |             \
	 smmu_dmask(SMMU_STE_S1COR) | smmu_dmask(SMMU_STE_S1CSH) |             \
	 smmu_dmask(SMMU_STE_S1STALLD) | smmu_dmask(SMMU_STE_EATS))

/* ---- Guest STEs and nested domains ---- */

static int validate_vste(uint64_t ste[2], bool *enable_ats)
{
	unsigned int cfg, eats;

	if (!smmu_dget(ste, SMMU_STE_V)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~VSTE0_ALLOWED) || (ste[1] & ~VSTE1_ALLOWED))
		return -EIO;
	cfg = smmu_dget(ste, SMMU_STE_CONFIG);
	if (cfg != SMMU_STE_CFG_ABORT && cfg != SMMU_STE_CFG_BYPASS &&
	    cfg != SMMU_STE_CFG_S1)
		return -EIO;
	/* Full ATS or none; the physical EATS is the host's business. */
	eats = smmu_dget(ste, SMMU_STE_EATS);
	smmu_dset(ste, SMMU_STE_EATS, 0);
	if (eats != SMMU_EATS_ABT && eats != SMMU_EATS_TRANS)
		return -EIO;
	if (cfg == SMMU_STE_CFG_S1)
		*enable_ats = eats == SMMU_EATS_TRANS;
	return 0;
}

static unsigned int vste_cfg(const struct smmu_nested *n)
{
	if (!smmu_dget(n->ste, SMMU_STE_V))
		return SMMU_STE_CFG_ABORT;
	return smmu_dget(n->ste, SMMU_STE_CONFIG);
}

static void make_nested_ste(uint64_t ste[SMMU_STE_DWORDS],
			    const struct smmu_nested *n, uint16_t vmid)
{
	switch (vste_cfg(n)) {
	case SMMU_STE_CFG_S1:
		smmu_make_s2_ste(ste, n->parent, vmid);
		ste[0] = smmu_dprep(SMMU_STE_V, 1) |
			 smmu_dprep(SMMU_STE_CONFIG, SMMU_STE_CFG_NESTED) |
			 (n->ste[0] & ~smmu_dmask(SMMU_STE_CONFIG));
		ste[1] |= n->ste[1];
		/* Merge events: a guest's faults may come in floods. */
		smmu_dset(ste, SMMU_STE_MEV, 1);
		break;
	case SMMU_STE_CFG_BYPASS:
		smmu_make_s2_ste(ste, n->parent, vmid);
		break;
	default:
		smmu_make_abort_ste(ste);
		break;
	}
}

/*
 * Does a device with ATS use it under @n (Linux's choice)? A guest that
 * translates decides with its vSTE's EATS, as only it will invalidate its
 * device's ATC; bypass is the host's stage 2, whose unmaps invalidate it.
 */
static bool nested_ats(const struct smmu_nested *n)
{
	switch (vste_cfg(n)) {
	case SMMU_STE_CFG_S1:
		return n->enable_ats;
	case SMMU_STE_CFG_BYPASS:
		return true;
	default:
		return false;
	}
}

static int nested_translate(struct ufd_domain *domain, uint64_t iova,
			    bool write, struct ufd_translation *out)
{
	struct smmu_nested *n = to_smmu_nested(domain);
	int rc;

	if (!smmu_translate_cached_dev(n->parent->smmu, iova, write, out))
		return 0;
	ufd_rwlock_rdlock(&n->lock);
	/* The parent's lock keeps its freed tables out of the walk. */
	ufd_rwlock_rdlock(&n->parent->lock);
	rc = smmu_translate_sid(n->parent->smmu, &n->masters, iova, write, out);
	ufd_rwlock_unlock(&n->parent->lock);
	ufd_rwlock_unlock(&n->lock);
	return rc;
}

static void nested_free(struct ufd_domain *domain)
{
	struct smmu_nested *n = to_smmu_nested(domain);

	ufd_rwlock_destroy(&n->lock);
	ufd_free(n);
}

const struct ufd_domain_ops smmu_nested_ops = {
	.free = nested_free,
	.translate = nested_translate,
};

static struct ufd_domain *nested_new(struct smmu_domain *parent,
				     struct smmu_vsmmu *vsmmu,
				     const struct ufd_user_data *data)
{
	struct iommu_hwpt_arm_smmuv3 arg;
	struct smmu_nested *n;
	bool enable_ats = false;
	uint64_t ste[2];
	int rc;

	if (data->type != IOMMU_HWPT_DATA_ARM_SMMUV3)
		return ERR_PTR(-EOPNOTSUPP);
	rc = ufd_user_data_copy(&arg, sizeof(arg), data,
				IOMMU_HWPT_DATA_ARM_SMMUV3,
				offsetofend(struct iommu_hwpt_arm_smmuv3, ste));
	if (rc)
		return ERR_PTR(rc);
	/* Little-endian words, as on the host. */
	ste[0] = arg.ste[0];
	ste[1] = arg.ste[1];
	rc = validate_vste(ste, &enable_ats);
	if (rc)
		return ERR_PTR(rc);
	n = ufd_zalloc(sizeof(*n));
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->parent = parent;
	n->vsmmu = vsmmu;
	n->ste[0] = ste[0];
	n->ste[1] = ste[1];
	n->enable_ats = enable_ats;
	ufd_rwlock_init(&n->lock);
	smmu_list_init(&n->masters);
	n->base.ops = &smmu_nested_ops;
	n->base.owner = ufd_smmuv3_ops(parent->smmu);
	n->base.type = UFD_DOMAIN_NESTED;
	return &n->base;
}

/**
 * smmu_domain_alloc_nested() - iommu_ops.domain_alloc_nested (no vIOMMU)
 *
 * The nested domain uses the parent's own VMID. Return: the domain, or
 * ERR_PTR(-EOPNOTSUPP (no nesting, another data type, any flag), -EINVAL
 * (parent not a nesting parent of this SMMU, bad data size), -EIO (a vSTE
 * Linux refuses), -EFAULT, -ENOMEM).
 */
struct ufd_domain *smmu_domain_alloc_nested(struct ufd_dev *dev,
					    struct ufd_domain *parent,
					    uint32_t flags,
					    const struct ufd_user_data *data)
{
	struct ufd_smmuv3 *smmu = smmu_of_dev(dev);

	if (!smmu->nesting || data->type != IOMMU_HWPT_DATA_ARM_SMMUV3 || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!parent || parent->owner != dev->iommu ||
	    parent->type != UFD_DOMAIN_PAGING ||
	    !to_smmu_domain(parent)->nest_parent)
		return ERR_PTR(-EINVAL);
	return nested_new(to_smmu_domain(parent), NULL, data);
}

/**
 * smmu_attach_nested() - attach @master to nested domain @n
 *
 * A stage-1 (translating) nested domain of a vIOMMU needs the device's
 * vDEVICE on that vIOMMU first: invalidations and events name the device
 * by its vSID. Abort and bypass do not (a guest with its SMMU off).
 *
 * Return: 0, -EINVAL (another SMMU), -ENOENT (no vDEVICE).
 */
int smmu_attach_nested(struct smmu_master *master, struct smmu_nested *n)
{
	struct ufd_smmuv3 *smmu = master->smmu;
	uint64_t ste[SMMU_STE_DWORDS];
	struct smmu_vmaster vm;
	bool has_vm = false;
	uint16_t vmid;

	if (n->parent->smmu != smmu)
		return -EINVAL;
	if (n->vsmmu) {
		ufd_mutex_lock(&smmu->streams_lock);
		if (master->vdev && master->vdev->viommu == n->vsmmu->core) {
			vm.vsmmu = n->vsmmu;
			vm.vsid = (uint32_t)master->vdev->virt_id;
			has_vm = true;
		}
		ufd_mutex_unlock(&smmu->streams_lock);
		if (!has_vm && vste_cfg(n) == SMMU_STE_CFG_S1)
			return -ENOENT;
	}
	vmid = n->vsmmu ? n->vsmmu->vmid : n->parent->vmid;
	make_nested_ste(ste, n, vmid);
	if (master->ats_capable && nested_ats(n))
		smmu_dset(ste, SMMU_STE_EATS, SMMU_EATS_TRANS);
	return smmu_master_install(master, &n->base, ste, has_vm ? &vm : NULL);
}

/* ---- vIOMMU ---- */

static struct smmu_vsmmu *to_vsmmu(struct ufd_viommu *viommu)
{
	return viommu->priv;
}

/** smmu_viommu_supported() - ARM_SMMUV3 with nesting; TEGRA241 with a CMDQV */
bool smmu_viommu_supported(struct ufd_dev *dev, uint32_t type)
{
	struct ufd_smmuv3 *smmu = smmu_of_dev(dev);

	if (!smmu->nesting)
		return false;
	return type == IOMMU_VIOMMU_TYPE_ARM_SMMUV3 ||
	       (type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV && smmu->cv);
}

/**
 * smmu_vsmmu_setup() - the state every vIOMMU type of this driver has
 *
 * A VMID of its own, on the parent's list of users. viommu->priv is set.
 * Return: 0, -EINVAL (parent not a nesting parent of this SMMU), -ENOSPC
 * (no VMID left), -ENOMEM.
 */
int smmu_vsmmu_setup(struct ufd_viommu *viommu, struct smmu_vsmmu **out)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_of(viommu->iommu);
	struct smmu_domain *s2;
	struct smmu_vsmmu *v;
	int vmid;

	if (IS_ERR_OR_NULL(smmu) || !viommu->parent ||
	    viommu->parent->owner != viommu->iommu ||
	    viommu->parent->type != UFD_DOMAIN_PAGING)
		return -EINVAL;
	s2 = to_smmu_domain(viommu->parent);
	if (!s2->nest_parent)
		return -EINVAL;
	v = ufd_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	vmid = smmu_id_alloc(smmu, smmu->vmid_map, smmu->vmid_bits, 1);
	if (vmid < 0)
		goto out_free;
	v->core = viommu;
	v->smmu = smmu;
	v->s2 = s2;
	v->vmid = (uint16_t)vmid;
	ufd_mutex_lock(&s2->vsmmus_lock);
	smmu_list_add(&s2->vsmmus, &v->s2_link);
	ufd_mutex_unlock(&s2->vsmmus_lock);
	viommu->priv = v;
	*out = v;
	return 0;

out_free:
	ufd_free(v);
	return vmid;
}

/** smmu_vsmmu_teardown() - undo smmu_vsmmu_setup(); no vDEVICE is left */
void smmu_vsmmu_teardown(struct smmu_vsmmu *v)
{
	ufd_mutex_lock(&v->s2->vsmmus_lock);
	smmu_list_del(&v->s2_link);
	ufd_mutex_unlock(&v->s2->vsmmus_lock);
	/* The VMID may be reused: its guest's entries must not linger. */
	smmu_inv_vmid_all(v->smmu, v->vmid);
	smmu_id_free(v->smmu, v->smmu->vmid_map, v->vmid);
	v->core->priv = NULL;
	ufd_free(v->vsids);
	ufd_free(v);
}

static void vsmmu_destroy(struct ufd_viommu *viommu)
{
	smmu_vsmmu_teardown(to_vsmmu(viommu));
}

/**
 * smmu_vsmmu_alloc_domain_nested() - viommu_ops.alloc_domain_nested
 *
 * As smmu_domain_alloc_nested(), over the vIOMMU's parent and VMID.
 */
struct ufd_domain *
smmu_vsmmu_alloc_domain_nested(struct ufd_viommu *viommu, uint32_t flags,
			       const struct ufd_user_data *data)
{
	struct smmu_vsmmu *v = to_vsmmu(viommu);

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	return nested_new(v->s2, v, data);
}

/* The master whose vDEVICE on @v has @vsid; streams_lock held. */
static struct smmu_master *vsid_master(struct smmu_vsmmu *v, uint64_t vsid)
{
	unsigned int i;

	for (i = 0; i < v->nvsids; i++)
		if (v->vsids[i].vsid == vsid)
			return v->vsids[i].master;
	return NULL;
}

/* Reserved range encodings (4.4.1.1), which the SMMU would refuse. */
static int validate_range(const uint64_t cmd[SMMU_CMD_DWORDS])
{
	bool range = smmu_dget(cmd, SMMU_CMD_TLBI_NUM) ||
		     smmu_dget(cmd, SMMU_CMD_TLBI_SCALE);
	unsigned int ttl = smmu_dget(cmd, SMMU_CMD_TLBI_TTL);
	unsigned int tg = smmu_dget(cmd, SMMU_CMD_TLBI_TG);

	if (!tg)
		return range || ttl ? -EIO : 0;
	/* 16K with TTL 1 needs 52-bit addressing, which we lack. */
	if (tg == SMMU_TLBI_TG_16K && ttl == 1)
		return -EIO;
	if (!range && !ttl)
		return -EIO;
	return 0;
}

/* The fields a guest may set in a command with this opcode. */
static int allowed_fields(struct ufd_smmuv3 *smmu,
			  const uint64_t cmd[SMMU_CMD_DWORDS],
			  uint64_t allowed[SMMU_CMD_DWORDS])
{
	/* An SMMU with 8-bit ASIDs has the upper 8 bits RES0. */
	uint64_t asid_mask =
		smmu_dprep(SMMU_CMD_TLBI_ASID, (1u << smmu->asid_bits) - 1);

	allowed[0] = smmu_dmask(SMMU_CMD_OP);
	allowed[1] = 0;
	switch (smmu_dget(cmd, SMMU_CMD_OP)) {
	case SMMU_CMD_TLBI_NSNH_ALL:
		return 0;
	case SMMU_CMD_TLBI_NH_VA:
		allowed[0] |= asid_mask;
		/* fall through */
	case SMMU_CMD_TLBI_NH_VAA:
		if (smmu->ril) {
			if (validate_range(cmd))
				return -EIO;
			allowed[0] |= smmu_dmask(SMMU_CMD_TLBI_NUM) |
				      smmu_dmask(SMMU_CMD_TLBI_SCALE);
			allowed[1] |= smmu_dmask(SMMU_CMD_TLBI_TG) |
				      smmu_dmask(SMMU_CMD_TLBI_TTL);
		}
		allowed[0] |= smmu_dmask(SMMU_CMD_TLBI_VMID);
		allowed[1] |= smmu_dmask(SMMU_CMD_TLBI_LEAF) |
			      smmu_dmask(SMMU_CMD_TLBI_VA);
		return 0;
	case SMMU_CMD_TLBI_NH_ASID:
		allowed[0] |= asid_mask;
		/* fall through */
	case SMMU_CMD_TLBI_NH_ALL:
		allowed[0] |= smmu_dmask(SMMU_CMD_TLBI_VMID);
		return 0;
	case SMMU_CMD_ATC_INV:
		if (!smmu->ats ||
		    smmu_dget(cmd, SMMU_CMD_ATC_SIZE) > SMMU_ATC_INV_SIZE_ALL)
			return -EIO;
		if (smmu->ssid_bits)
			allowed[0] |= smmu_dmask(SMMU_CMD_SSV) |
				      smmu_dmask(SMMU_CMD_SSID) |
				      smmu_dmask(SMMU_CMD_ATC_GLOBAL);
		allowed[0] |= smmu_dmask(SMMU_CMD_SID);
		allowed[1] |= smmu_dmask(SMMU_CMD_ATC_SIZE) |
			      smmu_dmask(SMMU_CMD_ATC_ADDR);
		return 0;
	case SMMU_CMD_CFGI_CD:
		if (smmu->ssid_bits)
			allowed[0] |= smmu_dmask(SMMU_CMD_SSID);
		allowed[1] |= smmu_dmask(SMMU_CMD_CFGI_LEAF);
		/* fall through */
	case SMMU_CMD_CFGI_CD_ALL:
		allowed[0] |= smmu_dmask(SMMU_CMD_SID);
		return 0;
	default:
		return -EIO;
	}
}

/*
 * Checks a guest command and makes it the host's: the vIOMMU's VMID, the
 * physical StreamID. streams_lock held. Returns 0 or -EIO.
 */
static int convert_cmd(struct smmu_vsmmu *v, uint64_t cmd[SMMU_CMD_DWORDS])
{
	uint64_t allowed[SMMU_CMD_DWORDS];
	struct smmu_master *m;

	if (allowed_fields(v->smmu, cmd, allowed) || (cmd[0] & ~allowed[0]) ||
	    (cmd[1] & ~allowed[1]))
		return -EIO;
	switch (smmu_dget(cmd, SMMU_CMD_OP)) {
	case SMMU_CMD_TLBI_NSNH_ALL:
		/* "Everything" for a guest is everything of its VMID. */
		cmd[0] = smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ALL) |
			 smmu_dprep(SMMU_CMD_TLBI_VMID, v->vmid);
		cmd[1] = 0;
		return 0;
	case SMMU_CMD_TLBI_NH_VA:
	case SMMU_CMD_TLBI_NH_VAA:
	case SMMU_CMD_TLBI_NH_ALL:
	case SMMU_CMD_TLBI_NH_ASID:
		smmu_dset(cmd, SMMU_CMD_TLBI_VMID, v->vmid);
		return 0;
	default: /* ATC_INV, CFGI_CD, CFGI_CD_ALL */
		m = vsid_master(v, smmu_dget(cmd, SMMU_CMD_SID));
		if (!m)
			return -EIO;
		smmu_dset(cmd, SMMU_CMD_SID, m->sid);
		return 0;
	}
}

/**
 * smmu_vsmmu_cache_invalidate() - viommu_ops.cache_invalidate
 *
 * Runs the guest's commands, checked and rewritten as described above, in
 * batches of SMMU_DRV_BATCH with a CMD_SYNC each. Return: 0; -EINVAL
 * (another data type); -EIO (a command refused: its batch did not run);
 * -E2BIG, -EFAULT (reading the array). array->entry_num: commands run.
 */
int smmu_vsmmu_cache_invalidate(struct ufd_viommu *viommu,
				struct ufd_user_data_array *array)
{
	struct smmu_vsmmu *v = to_vsmmu(viommu);
	uint64_t cmds[SMMU_DRV_BATCH][SMMU_CMD_DWORDS];
	uint32_t total = array->entry_num, processed = 0, i;
	unsigned int done;
	int rc = 0;

	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3) {
		array->entry_num = 0;
		return -EINVAL;
	}
	while (processed < total) {
		struct ufd_user_data_array batch = *array;

		batch.entry_num =
			ufd_min(total - processed, (uint32_t)SMMU_DRV_BATCH);
		batch.uptr = (const uint8_t *)array->uptr +
			     (size_t)array->entry_len * processed;
		rc = ufd_user_array_copy_all(cmds, sizeof(cmds[0]), &batch,
					     array->type);
		if (rc)
			break;
		/* A bad command fails its whole batch: nothing of it runs. */
		ufd_mutex_lock(&v->smmu->streams_lock);
		for (i = 0; i < batch.entry_num && !rc; i++)
			rc = convert_cmd(v, cmds[i]);
		ufd_mutex_unlock(&v->smmu->streams_lock);
		if (rc)
			break;
		rc = smmu_cmdq_issue(v->smmu, cmds, batch.entry_num, true,
				     &done);
		if (rc) {
			processed += done;
			break;
		}
		processed += batch.entry_num;
	}
	array->entry_num = processed;
	return rc;
}

/**
 * smmu_vsmmu_vdevice_init() - viommu_ops.vdevice_init: vSID -> StreamID
 *
 * Return: 0, -EINVAL (a device of another SMMU), -EEXIST (the vSID is
 * taken on this vIOMMU, or the device has a vDEVICE), -ENOMEM.
 */
int smmu_vsmmu_vdevice_init(struct ufd_vdevice *vdev)
{
	struct smmu_vsmmu *v = to_vsmmu(vdev->viommu);
	struct smmu_master *m;
	struct smmu_vsid *grown;
	unsigned int cap;
	int rc = 0;

	if (!smmu_is_our_ops(vdev->dev->iommu) ||
	    dev_to_master(vdev->dev)->smmu != v->smmu)
		return -EINVAL;
	m = dev_to_master(vdev->dev);
	ufd_mutex_lock(&v->smmu->streams_lock);
	if (m->vdev || vsid_master(v, vdev->virt_id)) {
		rc = -EEXIST;
		goto out_unlock;
	}
	if (v->nvsids == v->cap_vsids) {
		cap = v->cap_vsids ? 2 * v->cap_vsids : 8;
		grown = ufd_realloc(v->vsids, cap * sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		v->vsids = grown;
		v->cap_vsids = cap;
	}
	v->vsids[v->nvsids].vsid = vdev->virt_id;
	v->vsids[v->nvsids].master = m;
	v->nvsids++;
	m->vdev = vdev;
	vdev->priv = m;
out_unlock:
	ufd_mutex_unlock(&v->smmu->streams_lock);
	return rc;
}

/** smmu_vsmmu_vdevice_destroy() - forget the vSID; events stay home */
void smmu_vsmmu_vdevice_destroy(struct ufd_vdevice *vdev)
{
	struct smmu_vsmmu *v = to_vsmmu(vdev->viommu);
	struct smmu_master *m = vdev->priv;
	unsigned int i;

	ufd_mutex_lock(&v->smmu->streams_lock);
	for (i = 0; i < v->nvsids; i++) {
		if (v->vsids[i].master != m)
			continue;
		v->vsids[i] = v->vsids[--v->nvsids];
		break;
	}
	m->vdev = NULL;
	/* Without its vSID the guest cannot be told about the device. */
	if (m->has_vm && m->vm.vsmmu == v)
		m->has_vm = false;
	ufd_mutex_unlock(&v->smmu->streams_lock);
	vdev->priv = NULL;
}

static const struct ufd_viommu_ops vsmmu_ops = {
	.destroy = vsmmu_destroy,
	.alloc_domain_nested = smmu_vsmmu_alloc_domain_nested,
	.cache_invalidate = smmu_vsmmu_cache_invalidate,
	.vdevice_init = smmu_vsmmu_vdevice_init,
	.vdevice_destroy = smmu_vsmmu_vdevice_destroy,
};

/**
 * smmu_viommu_init() - iommu_ops.viommu_init
 *
 * Return: 0, -EOPNOTSUPP (a type this driver has not), or the type's own
 * errors (smmu_vsmmu_setup(), smmu_tegra_viommu_init()).
 */
int smmu_viommu_init(struct ufd_viommu *viommu,
		     const struct ufd_user_data *data)
{
	struct smmu_vsmmu *v;
	int rc;

	switch (viommu->type) {
	case IOMMU_VIOMMU_TYPE_ARM_SMMUV3:
		rc = smmu_vsmmu_setup(viommu, &v);
		if (rc)
			return rc;
		viommu->ops = &vsmmu_ops;
		return 0;
	case IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV:
		return smmu_tegra_viommu_init(viommu, data);
	default:
		return -EOPNOTSUPP;
	}
}

uint16_t ufd_smmuv3_viommu_vmid(const struct ufd_viommu *viommu)
{
	const struct smmu_vsmmu *v = viommu->priv;

	return v->vmid;
}

/* ---- Events ---- */

static bool guest_event(unsigned int id)
{
	switch (id) {
	case SMMU_EVT_C_BAD_STE:
	case SMMU_EVT_F_STREAM_DISABLED:
	case SMMU_EVT_C_BAD_SUBSTREAMID:
	case SMMU_EVT_C_BAD_CD:
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION:
		return true;
	default:
		return false;
	}
}

/**
 * smmu_handle_event() - one event record from the event queue
 *
 * Forwards it to the guest as described above, or leaves it with the host
 * (counted only: the host has nothing to resolve). Called by the event
 * queue's consumer.
 */
void smmu_handle_event(struct ufd_smmuv3 *smmu,
		       const uint64_t evt[SMMU_EVT_DWORDS])
{
	uint64_t sid = smmu_dget(evt, SMMU_EVT_SID);
	struct iommu_vevent_arm_smmuv3 vevt;
	struct smmu_master *m;
	struct ufd_viommu *viommu;
	unsigned int i;

	if (!guest_event(smmu_dget(evt, SMMU_EVT_ID)) ||
	    smmu_dget(evt, SMMU_EVT_STALL) || smmu_dget(evt, SMMU_EVT_S2) ||
	    (sid >> smmu->sid_bits))
		return;
	ufd_mutex_lock(&smmu->streams_lock);
	m = smmu->by_sid[sid];
	if (m && m->has_vm) {
		for (i = 0; i < SMMU_EVT_DWORDS; i++)
			vevt.evt[i] = evt[i];
		smmu_dset(vevt.evt, SMMU_EVT_SID, m->vm.vsid);
		viommu = m->vm.vsmmu->core;
		if (viommu->core->report_event(viommu,
					       IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
					       &vevt, sizeof(vevt)))
			smmu_stat_inc(smmu, events_lost);
		else
			smmu_stat_inc(smmu, events_fwd);
	}
	ufd_mutex_unlock(&smmu->streams_lock);
}
