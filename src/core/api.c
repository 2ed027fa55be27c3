// SPDX-License-Identifier: BSD-3-Clause
/*
 * The native C API (include/uiommufd/uiommufd.h): a thin front end over
 * the context and the dispatcher. The public handle is the context itself.
 */
#include <errno.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "base/sys.h"
#include "core/mmap.h"
#include "core/core.h"
#include "core/device.h"
#include "iopt/mapped.h"
#include "iopt/pages.h"
#include "dev/dev.h"
#include "drivers/amdvi/amdvi_drv.h"
#include "drivers/mock/mock.h"
#include "drivers/smmuv3/smmuv3_drv.h"
#include "drivers/vtd/vtd_drv.h"
#include "uiommufd/uiommufd.h"

struct uiommufd_ctx {
	struct ufd_ctx ctx;
};

UIOMMUFD_API const char *uiommufd_version(void)
{
	return UIOMMUFD_VERSION;
}

UIOMMUFD_API int uiommufd_ctx_open(struct uiommufd_ctx **out_ctx)
{
	struct ufd_ctx *ctx = ufd_ctx_create();

	if (IS_ERR(ctx))
		return (int)PTR_ERR(ctx);
	*out_ctx = (struct uiommufd_ctx *)ctx;
	return 0;
}

UIOMMUFD_API void uiommufd_ctx_close(struct uiommufd_ctx *uctx)
{
	if (uctx)
		ufd_ctx_put(&uctx->ctx);
}

UIOMMUFD_API long uiommufd_ioctl(struct uiommufd_ctx *uctx, unsigned long cmd,
				 void *arg)
{
	/* ioctl numbers are 32 bits; a larger value names no command. */
	if (cmd > UINT32_MAX)
		return -ENOTTY;
	return ufd_dispatch(&uctx->ctx, (unsigned int)cmd, arg);
}

UIOMMUFD_API int uiommufd_mmap(struct uiommufd_ctx *uctx, uint64_t offset,
			       size_t length, void **out_addr)
{
	void *p;

	if (!uctx || !out_addr || !length)
		return -EINVAL;
	p = ufd_mmap_map(&uctx->ctx, NULL, length, PROT_READ | PROT_WRITE,
			 MAP_SHARED, offset);
	if (IS_ERR(p))
		return (int)PTR_ERR(p);
	*out_addr = p;
	return 0;
}

UIOMMUFD_API int uiommufd_munmap(void *addr, size_t length)
{
	int rc = ufd_sys_munmap(addr, length);

	if (!rc)
		ufd_mmap_unmapped(addr, length);
	return rc;
}

UIOMMUFD_API int uiommufd_mem_mapped(void *addr, size_t length, int prot)
{
	uintptr_t a = (uintptr_t)addr;

	if (a % iopt_page_size() || !length || a + length < a ||
	    !(prot & (PROT_READ | PROT_WRITE)) ||
	    (prot & ~(PROT_READ | PROT_WRITE)))
		return -EINVAL;
	iopt_mapped_add(a, length, prot);
	return 0;
}

UIOMMUFD_API int uiommufd_mem_unmapped(void *addr, size_t length)
{
	uintptr_t a = (uintptr_t)addr;

	if (!length || a + length < a)
		return -EINVAL;
	iopt_mapped_forget(a, length);
	return 0;
}

/*
 * A public device: an emulated endpoint behind a software IOMMU, bound to
 * the caller's context. The handle owns the device and its binding.
 */
struct uiommufd_dev {
	struct ufd_dev *dev;
	struct ufd_device *idev;
};

UIOMMUFD_API int uiommufd_dev_create(struct uiommufd_ctx *uctx,
				     const struct uiommufd_dev_cfg *cfg,
				     struct uiommufd_dev **out_dev)
{
	const struct ufd_iommu_ops *iommu;
	struct uiommufd_dev *udev;
	uint32_t flags = 0;
	int rc;

	if (!uctx || !cfg || cfg->size < sizeof(*cfg) || !out_dev ||
	    cfg->flags & ~(UIOMMUFD_DEV_ATS | UIOMMUFD_DEV_PRI))
		return -EINVAL;
	switch (cfg->model) {
	case UIOMMUFD_MODEL_MOCK:
		iommu = &ufd_mock_iommu;
		break;
	case UIOMMUFD_MODEL_SMMUV3:
		iommu = &ufd_smmuv3_iommu;
		break;
	case UIOMMUFD_MODEL_VTD:
		iommu = &ufd_vtd_iommu;
		break;
	case UIOMMUFD_MODEL_AMD:
		iommu = &ufd_amdvi_iommu;
		break;
	default:
		return -EOPNOTSUPP;
	}
	/* PRI rides on ATS, as in PCIe. */
	if ((cfg->flags & UIOMMUFD_DEV_PRI) && !(cfg->flags & UIOMMUFD_DEV_ATS))
		return -EINVAL;
	/*
	 * What each model's driver offers a device: ATS behind the SMMUv3
	 * and the VT-d, PRI behind the SMMUv3, PASIDs behind the VT-d and
	 * the AMD-Vi IOMMU (the mock IOMMU has none of them).
	 */
	if (((cfg->flags & UIOMMUFD_DEV_ATS) &&
	     cfg->model != UIOMMUFD_MODEL_SMMUV3 &&
	     cfg->model != UIOMMUFD_MODEL_VTD) ||
	    ((cfg->flags & UIOMMUFD_DEV_PRI) &&
	     cfg->model != UIOMMUFD_MODEL_SMMUV3) ||
	    (cfg->pasid_bits && cfg->model != UIOMMUFD_MODEL_VTD &&
	     cfg->model != UIOMMUFD_MODEL_AMD))
		return -EOPNOTSUPP;
	if (cfg->pasid_bits > 20)
		return -EINVAL;
	if (cfg->flags & UIOMMUFD_DEV_ATS)
		flags |= UFD_DEV_ATS;
	if (cfg->flags & UIOMMUFD_DEV_PRI)
		flags |= UFD_DEV_PRI;
	if (cfg->pasid_bits)
		flags |= UFD_DEV_PASID;
	udev = ufd_zalloc(sizeof(*udev));
	if (!udev)
		return -ENOMEM;
	udev->dev = ufd_dev_create(iommu, flags);
	if (IS_ERR(udev->dev)) {
		rc = (int)PTR_ERR(udev->dev);
		goto out_free;
	}
	/* The device's PASID capability is no wider than asked. */
	if (udev->dev->pasid_bits > cfg->pasid_bits)
		udev->dev->pasid_bits = cfg->pasid_bits;
	udev->idev = ufd_device_bind(&uctx->ctx, udev->dev);
	if (IS_ERR(udev->idev)) {
		rc = (int)PTR_ERR(udev->idev);
		goto out_destroy_dev;
	}
	*out_dev = udev;
	return 0;

out_destroy_dev:
	ufd_dev_destroy(udev->dev);
out_free:
	ufd_free(udev);
	return rc;
}

UIOMMUFD_API void uiommufd_dev_destroy(struct uiommufd_dev *udev)
{
	if (!udev)
		return;
	ufd_device_unbind(udev->idev);
	ufd_dev_destroy(udev->dev);
	ufd_free(udev);
}

UIOMMUFD_API uint32_t uiommufd_dev_id(const struct uiommufd_dev *udev)
{
	return udev->idev->obj.id;
}

UIOMMUFD_API int uiommufd_dev_attach(struct uiommufd_dev *udev, uint32_t pt_id,
				     uint32_t *out_hwpt_id)
{
	uint32_t hwpt_id;
	int rc;

	/* EBUSY from attach means "already attached": then replace. */
	rc = ufd_device_attach(udev->idev, pt_id, &hwpt_id);
	if (rc == -EBUSY)
		rc = ufd_device_replace(udev->idev, pt_id, &hwpt_id);
	if (!rc && out_hwpt_id)
		*out_hwpt_id = hwpt_id;
	return rc;
}

UIOMMUFD_API void uiommufd_dev_detach(struct uiommufd_dev *udev)
{
	ufd_device_detach(udev->idev);
}

UIOMMUFD_API int uiommufd_dma_read(struct uiommufd_dev *udev, uint32_t pasid,
				   uint64_t iova, void *buf, size_t len)
{
	_Static_assert(UIOMMUFD_NO_PASID == UFD_NO_PASID, "same no-PASID");
	return ufd_dev_dma_pasid(udev->dev, pasid, iova, buf, len, false);
}

UIOMMUFD_API int uiommufd_dma_write(struct uiommufd_dev *udev, uint32_t pasid,
				    uint64_t iova, const void *buf, size_t len)
{
	return ufd_dev_dma_pasid(udev->dev, pasid, iova, (void *)buf, len,
				 true);
}
