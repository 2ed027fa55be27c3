// SPDX-License-Identifier: BSD-3-Clause
/* A small VM with a vIOMMU; see vm.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "core/fault_fd.h"
#include "vm.h"

/* The VINTF page as the guest sees it: plain loads and stores. */
static uint32_t page_read32(void *priv, uint64_t off)
{
	return __atomic_load_n((uint32_t *)((uint8_t *)priv + off),
			       __ATOMIC_ACQUIRE);
}

static void page_write32(void *priv, uint64_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)((uint8_t *)priv + off), v,
			 __ATOMIC_RELEASE);
}

static uint64_t page_read64(void *priv, uint64_t off)
{
	return __atomic_load_n((uint64_t *)((uint8_t *)priv + off),
			       __ATOMIC_ACQUIRE);
}

static void page_write64(void *priv, uint64_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)((uint8_t *)priv + off), v,
			 __ATOMIC_RELEASE);
}

static const struct guest_mmio_ops page_ops = {
	.read32 = page_read32,
	.write32 = page_write32,
	.read64 = page_read64,
	.write64 = page_write64,
};

/** vm_ioctl() - one VMM ioctl on the VM's iommufd, counted */
long vm_ioctl(struct vm *vm, unsigned long cmd, void *arg)
{
	vm->ioctls++;
	return uiommufd_ioctl(vm->ctx, cmd, arg);
}

/* The vIOMMU: Tegra241 CMDQV if the IOMMU has one, else plain SMMUv3. */
static int vm_viommu(struct vm *vm)
{
	struct iommu_viommu_tegra241_cmdqv data = { 0 };
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		.dev_id = vm->dev_id,
		.hwpt_id = vm->s2,
		.data_uptr = (uintptr_t)&data,
		.data_len = sizeof(data),
	};
	long rc = vm_ioctl(vm, IOMMU_VIOMMU_ALLOC, &va);

	if (rc == -EOPNOTSUPP) {
		va.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
		va.data_uptr = 0;
		va.data_len = 0;
		rc = vm_ioctl(vm, IOMMU_VIOMMU_ALLOC, &va);
	}
	if (rc)
		return (int)rc;
	vm->viommu = va.out_viommu_id;
	vm->cmdqv = va.type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
	if (vm->cmdqv) {
		vm->vintf_len = data.out_vintf_mmap_length;
		rc = uiommufd_mmap(vm->ctx, data.out_vintf_mmap_offset,
				   vm->vintf_len, &vm->vintf);
	}
	return (int)rc;
}

/**
 * vm_create() - the VMM's half: guest RAM, stage 2, vIOMMU, vDEVICE and
 * vEVENTQ for one device behind the SMMUv3 model
 *
 * Return: 0 or -errno (then vm_destroy() cleans up what was made).
 */
int vm_create(struct vm *vm, const struct vm_cfg *cfg)
{
	struct uiommufd_dev_cfg dcfg = {
		.size = sizeof(dcfg),
		.model = UIOMMUFD_MODEL_SMMUV3,
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.iova = VM_GPA_BASE,
	};
	struct iommu_hwpt_alloc s2 = {
		.size = sizeof(s2),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
			 (cfg->dirty ? IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0),
	};
	struct iommu_vdevice_alloc vd = {
		.size = sizeof(vd),
		.virt_id = VM_VSID,
	};
	struct iommu_veventq_alloc vq = {
		.size = sizeof(vq),
		.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
		.veventq_depth = 64,
	};
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->veventq_fd = -1;
	rc = uiommufd_ctx_open(&vm->ctx);
	if (rc)
		return rc;
	vm->ram_size = cfg->ram_size;
	vm->ram = aligned_alloc(2u << 20, vm->ram_size);
	if (!vm->ram)
		return -ENOMEM;
	memset(vm->ram, 0, vm->ram_size);
	rc = (int)vm_ioctl(vm, IOMMU_IOAS_ALLOC, &ioas);
	if (rc)
		return rc;
	vm->ioas = ioas.out_ioas_id;
	map.ioas_id = vm->ioas;
	map.user_va = (uintptr_t)vm->ram;
	map.length = vm->ram_size;
	rc = (int)vm_ioctl(vm, IOMMU_IOAS_MAP, &map);
	if (rc)
		return rc;
	rc = uiommufd_dev_create(vm->ctx, &dcfg, &vm->dev);
	if (rc)
		return rc;
	vm->dev_id = uiommufd_dev_id(vm->dev);
	s2.dev_id = vm->dev_id;
	s2.pt_id = vm->ioas;
	rc = (int)vm_ioctl(vm, IOMMU_HWPT_ALLOC, &s2);
	if (rc == -EOPNOTSUPP && cfg->dirty) {
		/* An IOMMU that cannot track dirty pages at stage 2. */
		s2.flags &= ~IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
		rc = (int)vm_ioctl(vm, IOMMU_HWPT_ALLOC, &s2);
	}
	if (rc)
		return rc;
	vm->s2 = s2.out_hwpt_id;
	vm->s2_dirty = s2.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	/* Until the guest brings its SMMU up, DMA goes through stage 2. */
	rc = uiommufd_dev_attach(vm->dev, vm->s2, NULL);
	if (rc)
		return rc;
	rc = vm_viommu(vm);
	if (rc)
		return rc;
	vd.viommu_id = vm->viommu;
	vd.dev_id = vm->dev_id;
	rc = (int)vm_ioctl(vm, IOMMU_VDEVICE_ALLOC, &vd);
	if (rc)
		return rc;
	vm->vdev = vd.out_vdevice_id;
	vq.viommu_id = vm->viommu;
	rc = (int)vm_ioctl(vm, IOMMU_VEVENTQ_ALLOC, &vq);
	if (rc)
		return rc;
	vm->veventq = vq.out_veventq_id;
	vm->veventq_fd = (int)vq.out_veventq_fd;
	vm->gram = guest_ram_create();
	if (!vm->gram)
		return -ENOMEM;
	return guest_ram_add(vm->gram, VM_GPA_BASE, vm->ram, vm->ram_size,
			     true);
}

/**
 * vm_guest_boot() - the guest turns its SMMU on for the device: a stage-1
 * table, a CD, and its STE, which the VMM installs as a nested HWPT
 *
 * Return: 0 or -errno.
 */
int vm_guest_boot(struct vm *vm)
{
	struct iommu_hwpt_arm_smmuv3 vste;
	struct iommu_hwpt_alloc s1 = {
		.size = sizeof(s1),
		.dev_id = vm->dev_id,
		.pt_id = vm->viommu,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data_uptr = (uintptr_t)&vste,
		.data_len = sizeof(vste),
	};
	struct guest_ste ste;
	struct guest_cd cd;
	int rc;

	vm->s1 = guest_s1_alloc(vm->gram, 12, 48, 0);
	if (IS_ERR(vm->s1)) {
		rc = (int)PTR_ERR(vm->s1);
		vm->s1 = NULL;
		return rc;
	}
	vm->cdtab = guest_cdtab_alloc(vm->gram, 0, SMMU_S1FMT_LINEAR);
	if (IS_ERR(vm->cdtab)) {
		rc = (int)PTR_ERR(vm->cdtab);
		vm->cdtab = NULL;
		return rc;
	}
	guest_cd_init(&cd, vm->s1, VM_ASID);
	rc = guest_cd_write(vm->cdtab, 0, &cd);
	if (rc)
		return rc;
	guest_ste_init_s1(&ste, vm->cdtab, SMMU_S1DSS_SSID0);
	guest_ste_vste(&ste, &vste);
	/* The guest's STE write traps; the VMM makes it a nested HWPT. */
	rc = (int)vm_ioctl(vm, IOMMU_HWPT_ALLOC, &s1);
	if (rc)
		return rc;
	vm->s1_hwpt = s1.out_hwpt_id;
	return uiommufd_dev_attach(vm->dev, vm->s1_hwpt, NULL);
}

/**
 * vm_vcmdq_start() - the guest gets a virtual command queue of its own:
 * queue memory in guest RAM, the VMM backs it with a HW queue, the guest
 * enables it through the VINTF page
 *
 * Return: 0; -EOPNOTSUPP (no CMDQV); -errno.
 */
int vm_vcmdq_start(struct vm *vm, unsigned int log2size)
{
	struct iommu_hw_queue_alloc hq = {
		.size = sizeof(hq),
		.viommu_id = vm->viommu,
		.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
		.index = 0,
	};
	int rc;

	if (!vm->cmdqv)
		return -EOPNOTSUPP;
	vm->vintf_mmio.ops = &page_ops;
	vm->vintf_mmio.priv = vm->vintf;
	vm->vcmdq =
		guest_cmdq_alloc_vcmdq(vm->gram, &vm->vintf_mmio, 0, log2size);
	if (IS_ERR(vm->vcmdq)) {
		rc = (int)PTR_ERR(vm->vcmdq);
		vm->vcmdq = NULL;
		return rc;
	}
	/* The guest's write of VCMDQ_BASE (page 1) traps to the VMM. */
	hq.nesting_parent_iova = guest_cmdq_gpa(vm->vcmdq);
	hq.length = (uint64_t)SMMU_CMD_DWORDS * 8 << log2size;
	rc = (int)vm_ioctl(vm, IOMMU_HW_QUEUE_ALLOC, &hq);
	if (rc)
		return rc;
	vm->hwq = hq.out_hw_queue_id;
	return guest_cmdq_enable(vm->vcmdq);
}

/** vm_guest_page() - a zeroed guest page; its GPA in *gpa (NULL if none) */
void *vm_guest_page(struct vm *vm, uint64_t *gpa)
{
	return guest_ram_alloc(vm->gram, GUEST_PAGE_SIZE, GUEST_PAGE_SIZE, gpa);
}

/**
 * vm_guest_invalidate_trapped() - commands the guest wrote to an emulated
 * command queue, which the VMM forwards with IOMMU_HWPT_INVALIDATE on the
 * vIOMMU (what a VMM without a VCMDQ does after the PROD write traps)
 *
 * Return: 0 or -errno.
 */
int vm_guest_invalidate_trapped(struct vm *vm, const uint64_t (*cmds)[2],
				unsigned int n)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.hwpt_id = vm->viommu,
		.data_uptr = (uintptr_t)cmds,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
		.entry_num = n,
	};

	return (int)vm_ioctl(vm, IOMMU_HWPT_INVALIDATE, &inv);
}

static void destroy_id(struct vm *vm, uint32_t *id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = *id };

	if (*id)
		vm_ioctl(vm, IOMMU_DESTROY, &d);
	*id = 0;
}

/** vm_destroy() - tear down what vm_create() and friends made */
void vm_destroy(struct vm *vm)
{
	if (vm->vcmdq)
		guest_cmdq_disable(vm->vcmdq);
	destroy_id(vm, &vm->hwq);
	if (vm->vcmdq)
		guest_cmdq_free(vm->vcmdq);
	if (vm->dev) {
		uiommufd_dev_destroy(vm->dev);
		vm->dev = NULL;
	}
	destroy_id(vm, &vm->s1_hwpt);
	if (vm->veventq_fd >= 0) {
		close(vm->veventq_fd);
		/* Its release is asynchronous; let it finish first. */
		ufd_fdchan_flush(NULL);
	}
	if (vm->vintf)
		uiommufd_munmap(vm->vintf, vm->vintf_len);
	guest_cdtab_free(vm->cdtab);
	guest_s1_free(vm->s1);
	guest_ram_destroy(vm->gram);
	/* Closing the context destroys the rest in a working order. */
	if (vm->ctx)
		uiommufd_ctx_close(vm->ctx);
	free(vm->ram);
	memset(vm, 0, sizeof(*vm));
	vm->veventq_fd = -1;
}
