// SPDX-License-Identifier: BSD-3-Clause
/*
 * The native C API (include/uiommufd/uiommufd.h): a thin front end over
 * the context and the dispatcher. The public handle is the context itself.
 */
#include <errno.h>

#include "core/core.h"
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

UIOMMUFD_API int uiommufd_dev_create(struct uiommufd_ctx *uctx,
				     const struct uiommufd_dev_cfg *cfg,
				     struct uiommufd_dev **out_dev)
{
	if (!cfg || cfg->size < sizeof(*cfg) || !out_dev)
		return -EINVAL;
	return -EOPNOTSUPP;
}

UIOMMUFD_API void uiommufd_dev_destroy(struct uiommufd_dev *dev)
{
}

UIOMMUFD_API uint32_t uiommufd_dev_id(const struct uiommufd_dev *dev)
{
	return 0;
}

UIOMMUFD_API int uiommufd_dma_read(struct uiommufd_dev *dev, uint32_t pasid,
				   uint64_t iova, void *buf, size_t len)
{
	return -EOPNOTSUPP;
}

UIOMMUFD_API int uiommufd_dma_write(struct uiommufd_dev *dev, uint32_t pasid,
				    uint64_t iova, const void *buf, size_t len)
{
	return -EOPNOTSUPP;
}
