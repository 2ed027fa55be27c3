/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small VM with a vIOMMU, for the demo and the viommu benchmarks: the
 * VMM half through the public uAPI (uiommufd_ioctl on a context, a device
 * behind the SMMUv3 model from the C API, the VINTF page through
 * uiommufd_mmap), the guest half through src/guest, in guest RAM that is
 * the IOAS's memory.
 *
 * The VMM: an IOAS mapping guest RAM at VM_GPA_BASE, a nesting-parent
 * HWPT (stage 2, dirty-tracking if asked and the IOMMU can), a vIOMMU (Tegra241 CMDQV when
 * the IOMMU has one, plain SMMUv3 otherwise), the device's vDEVICE with
 * vSID VM_VSID, an SMMUv3 vEVENTQ. The guest: a stage-1 table, a CD table
 * with one CD (ASID VM_ASID), the STE it hands the VMM as a vSTE, and
 * optionally a VCMDQ it drives through the VINTF page with plain stores.
 *
 * Every VMM ioctl goes through vm_ioctl(), which counts them, so the
 * demo can show which steps need none.
 */
#ifndef UIOMMUFD_BENCH_VM_H
#define UIOMMUFD_BENCH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/guest.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uiommufd.h"

#define VM_GPA_BASE 0x80000000ull
#define VM_VSID 0x20u
#define VM_ASID 1u

struct vm_cfg {
	uint64_t ram_size; /* bytes, a multiple of 2 MiB */
	bool dirty;	   /* the stage 2 tracks dirty pages */
};

struct vm {
	struct uiommufd_ctx *ctx;
	unsigned long ioctls; /* VMM ioctls so far */
	uint8_t *ram;
	uint64_t ram_size;
	struct uiommufd_dev *dev;
	uint32_t dev_id, ioas, s2, viommu, vdev, s1_hwpt, veventq, hwq;
	int veventq_fd;
	bool cmdqv;
	bool s2_dirty; /* the stage 2 was made with DIRTY_TRACKING */
	void *vintf;   /* the VINTF page the VMM mapped for its guest */
	size_t vintf_len;
	/* The guest. */
	struct guest_ram *gram;
	struct guest_s1 *s1;
	struct guest_cdtab *cdtab;
	struct guest_mmio vintf_mmio;
	struct guest_cmdq *vcmdq;
};

long vm_ioctl(struct vm *vm, unsigned long cmd, void *arg);
int vm_create(struct vm *vm, const struct vm_cfg *cfg);
int vm_guest_boot(struct vm *vm);
int vm_vcmdq_start(struct vm *vm, unsigned int log2size);
void *vm_guest_page(struct vm *vm, uint64_t *gpa);
int vm_guest_invalidate_trapped(struct vm *vm, const uint64_t (*cmds)[2],
				unsigned int n);
void vm_destroy(struct vm *vm);

#endif
