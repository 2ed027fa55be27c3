/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uiommufd: iommufd, the Linux /dev/iommu user API, in user space.
 *
 * This is the native C API. A context is what one open of /dev/iommu is;
 * uiommufd_ioctl() runs any iommufd command (include/uiommufd/uapi/
 * iommufd.h, the same numbers and structs as Linux) on it and gets exactly
 * the answer Linux would give, as a return value instead of errno.
 * Emulated DMA devices sit behind software IOMMUs and can be bound to a
 * context and driven from C.
 *
 * Conventions:
 *  - Every function that can fail returns 0 (or a non-negative result) on
 *    success and a negative errno on failure; errno is not used.
 *  - Handles are opaque and owned by the caller until passed to the
 *    matching destroy/close function.
 *
 * Thread safety: every function may be called from any thread at any time,
 * concurrently with any other, on the same or different handles, except
 * that a handle must not be used during or after the call that destroys it.
 * uiommufd_ctx_close() waits for nothing: the caller ensures no other call
 * on that context is in progress.
 */
#ifndef UIOMMUFD_UIOMMUFD_H
#define UIOMMUFD_UIOMMUFD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UIOMMUFD_API __attribute__((visibility("default")))

/** An open iommufd context (one open of /dev/iommu). */
struct uiommufd_ctx;

/** An emulated DMA device behind a software IOMMU. */
struct uiommufd_dev;

/**
 * uiommufd_version() - the library's version string, e.g. "0.1.0"
 */
UIOMMUFD_API const char *uiommufd_version(void);

/**
 * uiommufd_ctx_open() - open a new, empty context
 * @out_ctx: receives the context
 *
 * Return: 0, or -ENOMEM.
 */
UIOMMUFD_API int uiommufd_ctx_open(struct uiommufd_ctx **out_ctx);

/**
 * uiommufd_ctx_close() - close a context and destroy every object in it
 * @ctx: the context; NULL is ignored
 *
 * Objects are destroyed leaf-first, as closing the file does in Linux.
 */
UIOMMUFD_API void uiommufd_ctx_close(struct uiommufd_ctx *ctx);

/**
 * uiommufd_ioctl() - run one iommufd or VFIO-compat ioctl on a context
 * @ctx: the context
 * @cmd: the ioctl number (IOMMU_IOAS_ALLOC, VFIO_CHECK_EXTENSION, ...)
 * @arg: the command's argument: a pointer to its struct, or an integer
 *       for the VFIO commands that take one
 *
 * Return: a non-negative result (0 for iommufd commands) or the negative
 * errno Linux returns for the same call. Common ones: -ENOTTY (unknown
 * command), -EINVAL (struct size below the command's minimum, or an invalid
 * argument), -E2BIG (struct larger than known with a non-zero tail),
 * -EOPNOTSUPP (unknown flags or a non-zero reserved field), -ENOENT (no
 * object of the required type with that id), -EBUSY (object in use),
 * -EFAULT (NULL or non-user pointer), -ENOMEM. Each command's own errors
 * are documented in the uAPI header.
 */
UIOMMUFD_API long uiommufd_ioctl(struct uiommufd_ctx *ctx, unsigned long cmd,
				 void *arg);

/**
 * uiommufd_mmap() - map an MMIO region the context exported
 * @ctx: the context
 * @offset: the mmap offset an ioctl returned (a vIOMMU's out_*_mmap_offset)
 * @length: its length, exactly
 * @out_addr: receives the mapping (shared, read and write)
 *
 * What mmap(iommufd, offset) does under the kernel: the mapping shows the
 * hardware's page (a VINTF's queue registers, say), to hand to a guest.
 * It holds the object that exported it (IOMMU_DESTROY answers EBUSY) and
 * the context until uiommufd_munmap().
 *
 * Return: 0; -ENXIO (no region at @offset of @length); -EINVAL; -ENOMEM.
 */
UIOMMUFD_API int uiommufd_mmap(struct uiommufd_ctx *ctx, uint64_t offset,
			       size_t length, void **out_addr);

/** uiommufd_munmap() - undo uiommufd_mmap() (any part; all to release) */
UIOMMUFD_API int uiommufd_munmap(void *addr, size_t length);

/**
 * uiommufd_mem_mapped() - declare memory the caller mapped, for fast pins
 * @addr: start, page aligned
 * @length: bytes (rounded up to whole pages)
 * @prot: PROT_READ, PROT_WRITE or both: what the memory is mapped with
 *
 * A pin (IOMMU_IOAS_MAP into an IOAS with a domain, an access pinning)
 * must fail with EFAULT for memory that is not mapped with the access it
 * needs, as the kernel's pin does. For memory declared here that check is
 * a lookup; otherwise it is one system call (MADV_POPULATE_*), most of
 * what a 4 KiB map costs. The caller promises the range stays mapped with
 * @prot (anonymous or shared memory, not a file that may be truncated)
 * until it calls uiommufd_mem_unmapped(), which it must do before any
 * munmap(), mremap(), mprotect() or MAP_FIXED mapping over part of it; a
 * device DMA into declared memory that was taken away faults the process.
 * The preload library keeps this record on its own from the calls it
 * sees. The declaration is process-wide.
 *
 * Return: 0, or -EINVAL (@addr not page aligned, @length 0 or wrapping,
 * @prot neither readable nor writable or with other bits).
 */
UIOMMUFD_API int uiommufd_mem_mapped(void *addr, size_t length, int prot);

/**
 * uiommufd_mem_unmapped() - withdraw a declaration, in whole or in part
 *
 * Pins of [@addr, @addr + @length) check the memory with a system call
 * again. Return: 0, or -EINVAL (@length 0 or wrapping).
 */
UIOMMUFD_API int uiommufd_mem_unmapped(void *addr, size_t length);

/** Which software IOMMU a device sits behind. */
enum uiommufd_iommu_model {
	UIOMMUFD_MODEL_MOCK = 0, /* the kernel selftest's mock IOMMU */
	UIOMMUFD_MODEL_SMMUV3 = 1,
	UIOMMUFD_MODEL_VTD = 2,
	UIOMMUFD_MODEL_AMD = 3,
};

/** Configuration of an emulated device. */
struct uiommufd_dev_cfg {
	uint32_t size;	     /* sizeof(struct uiommufd_dev_cfg) */
	uint32_t model;	     /* enum uiommufd_iommu_model */
	uint32_t pasid_bits; /* 0: no PASID support */
	uint32_t flags;	     /* UIOMMUFD_DEV_* */
};
/*
 * PCIe ATS: the device has an ATC. Behind an IOMMU that lets it use ATS,
 * its DMA asks the IOMMU for translations and caches them, and uses a
 * cached one until the IOMMU invalidates it (as on hardware: a missing
 * invalidation shows as a stale translation).
 */
#define UIOMMUFD_DEV_ATS (1u << 0)
/*
 * PCIe PRI: page requests, with UIOMMUFD_DEV_ATS. While the device uses
 * ATS and is attached to a HWPT with a fault queue, a DMA that finds no
 * translation sends its IOMMU a Page Request Group, which reaches the
 * program as fault records on that queue, and waits for the response.
 */
#define UIOMMUFD_DEV_PRI (1u << 1)

/**
 * uiommufd_dev_create() - create an emulated device bound to a context
 * @ctx: the context to bind to
 * @cfg: the device's configuration
 * @out_dev: receives the device
 *
 * The device is bound (it has a dev_id usable in every iommufd command)
 * and attached to nothing: its DMA is blocked until it is attached.
 * Models: UIOMMUFD_MODEL_MOCK; UIOMMUFD_MODEL_SMMUV3 (a device behind one
 * process-wide SMMUv3 with a Tegra241 CMDQV; each gets its own StreamID);
 * UIOMMUFD_MODEL_VTD (one process-wide Intel VT-d in scalable mode; each
 * device gets its own source-id); UIOMMUFD_MODEL_AMD (one process-wide
 * AMD-Vi IOMMU; each device gets its own DeviceID).
 *
 * UIOMMUFD_DEV_ATS is available with UIOMMUFD_MODEL_SMMUV3 and
 * UIOMMUFD_MODEL_VTD: the device uses ATS whenever it is attached to a
 * paging HWPT (or an IOAS), or (SMMUv3) to a nested HWPT whose vSTE
 * enables it (EATS) or bypasses stage 1, as Linux enables ATS;
 * IOMMU_GET_HW_INFO then leaves out
 * IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED. Unmapping from the HWPT invalidates
 * the device's ATC; a guest invalidates it with CMD_ATC_INV through its
 * vIOMMU. Its DMA behaves as that of a device without ATS otherwise.
 *
 * UIOMMUFD_DEV_PRI (with UIOMMUFD_DEV_ATS, UIOMMUFD_MODEL_SMMUV3): while
 * the device uses ATS and is attached to a HWPT allocated with a fault
 * queue (IOMMU_HWPT_FAULT_ID_VALID), the SMMUv3 driver enables its PRI.
 * A DMA that reaches pages with no translation (or none with write, for a
 * write) then sends a Page Request Group for them, up to 16 pages of the
 * rest of the transfer; the SMMU queues it in its PRI queue and the
 * program reads one fault record per page on the fault queue (grpid the
 * group's PRG index, LAST_PAGE on the last). IOMMUFD_PAGE_RESP_SUCCESS
 * makes the device translate again and go on, IOMMUFD_PAGE_RESP_INVALID
 * fails the DMA with -EFAULT; so does a detach (or replace) while it
 * waits, and no answer within 10 s. Without such a HWPT the device
 * behaves as one without PRI. IOMMU_GET_HW_INFO reports nothing about PRI,
 * as Linux for the SMMUv3.
 *
 * PASIDs (cfg->pasid_bits, at most 20) behind the VT-d and the AMD-Vi
 * IOMMU: the device gets the width asked or the IOMMU's, whichever is
 * smaller, and its PASIDs can be attached to HWPTs the driver allows there.
 *
 * Return: 0, -EINVAL (bad cfg or flags, UIOMMUFD_DEV_PRI without
 * UIOMMUFD_DEV_ATS, pasid_bits above 20), -EOPNOTSUPP (a model not
 * available in this version; UIOMMUFD_DEV_ATS with a model other than
 * the SMMUv3 and the VT-d, UIOMMUFD_DEV_PRI with one other than the SMMUv3,
 * pasid_bits with one other than the VT-d and the AMD-Vi IOMMU), -ENOMEM.
 */
UIOMMUFD_API int uiommufd_dev_create(struct uiommufd_ctx *ctx,
				     const struct uiommufd_dev_cfg *cfg,
				     struct uiommufd_dev **out_dev);

/** uiommufd_dev_destroy() - unbind and destroy a device; NULL is ignored */
UIOMMUFD_API void uiommufd_dev_destroy(struct uiommufd_dev *dev);

/** uiommufd_dev_id() - the device's dev_id in its context */
UIOMMUFD_API uint32_t uiommufd_dev_id(const struct uiommufd_dev *dev);

/**
 * uiommufd_dev_attach() - attach the device to an IOAS or a paging HWPT
 * @dev: the device
 * @pt_id: an IOAS (a compatible domain is found or made on it) or a HWPT
 * @out_hwpt_id: receives the HWPT the device now uses; may be NULL
 *
 * Attaching an attached device replaces its translation atomically.
 *
 * Return: 0; -ENOENT (no such object); -EINVAL (not an IOAS or a HWPT of
 * this device's IOMMU); -EADDRINUSE (the IOAS maps IOVA the IOMMU cannot
 * translate); -ENOMEM.
 */
UIOMMUFD_API int uiommufd_dev_attach(struct uiommufd_dev *dev, uint32_t pt_id,
				     uint32_t *out_hwpt_id);

/** uiommufd_dev_detach() - detach; the device's DMA is blocked again */
UIOMMUFD_API void uiommufd_dev_detach(struct uiommufd_dev *dev);

/**
 * uiommufd_dma_read() - device DMA read from (pasid, iova) into buf
 * @dev: the device
 * @pasid: PASID, or UIOMMUFD_NO_PASID
 * @iova: IO virtual address
 * @buf: destination
 * @len: bytes
 *
 * With a PASID the DMA goes through the HWPT attached at that PASID. The
 * transfer stops at the first IOVA that does not translate; what came
 * before it was transferred, as on hardware. If the HWPT it faulted on has
 * a fault queue (IOMMU_HWPT_FAULT_ID_VALID), the device raises an I/O page
 * fault there and waits (up to 10 s) for the program's response; on
 * IOMMUFD_PAGE_RESP_SUCCESS it translates again and goes on. A device
 * with PRI enabled (UIOMMUFD_DEV_PRI) does the same through its IOMMU's
 * page request queue, one record per faulting page of a group. Stop a
 * device's DMA before destroying it.
 *
 * Return: 0 when every byte was transferred; -EFAULT when the IOMMU
 * faulted (nothing mapped there, nothing attached at that PASID, or the
 * page fault was not answered with success); -EPERM when the mapping
 * forbids the access.
 */
UIOMMUFD_API int uiommufd_dma_read(struct uiommufd_dev *dev, uint32_t pasid,
				   uint64_t iova, void *buf, size_t len);

/** uiommufd_dma_write() - device DMA write; errors as uiommufd_dma_read() */
UIOMMUFD_API int uiommufd_dma_write(struct uiommufd_dev *dev, uint32_t pasid,
				    uint64_t iova, const void *buf, size_t len);

#define UIOMMUFD_NO_PASID UINT32_MAX

#ifdef __cplusplus
}
#endif

#endif
