// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi model's instance (first cut: the API builds, nothing works).
 */
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "hw/amdvi/amdvi.h"

void amdvi_config_default(struct amdvi_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

struct amdvi *amdvi_create(const struct amdvi_config *cfg)
{
	(void)cfg;
	return ERR_PTR(-EOPNOTSUPP);
}

void amdvi_destroy(struct amdvi *iommu)
{
	(void)iommu;
}

uint64_t amdvi_mmio_read(struct amdvi *iommu, uint64_t offset,
			 unsigned int size)
{
	(void)iommu;
	(void)offset;
	(void)size;
	return 0;
}

int amdvi_mmio_write(struct amdvi *iommu, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	(void)iommu;
	(void)offset;
	(void)size;
	(void)value;
	return -EOPNOTSUPP;
}

int amdvi_translate(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		    uint64_t iova, unsigned int access, struct amdvi_xlate *res)
{
	(void)iommu;
	(void)devid;
	(void)pasid;
	(void)iova;
	(void)access;
	memset(res, 0, sizeof(*res));
	res->status = AMDVI_ABORT;
	return -EFAULT;
}

int amdvi_translate_cached(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
			   uint64_t iova, unsigned int access,
			   struct amdvi_xlate *res)
{
	(void)iommu;
	(void)devid;
	(void)pasid;
	(void)iova;
	(void)access;
	(void)res;
	return -EAGAIN;
}

int amdvi_dev_register(struct amdvi *iommu, uint16_t devid,
		       const struct amdvi_dev_ops *ops, void *priv)
{
	(void)iommu;
	(void)devid;
	(void)ops;
	(void)priv;
	return -EOPNOTSUPP;
}

int amdvi_dev_unregister(struct amdvi *iommu, uint16_t devid)
{
	(void)iommu;
	(void)devid;
	return -ENOENT;
}

int amdvi_ppr_request(struct amdvi *iommu, uint16_t devid, uint32_t pasid,
		      uint64_t addr, unsigned int perm, uint16_t tag)
{
	(void)iommu;
	(void)devid;
	(void)pasid;
	(void)addr;
	(void)perm;
	(void)tag;
	return -EOPNOTSUPP;
}

void amdvi_get_stats(struct amdvi *iommu, struct amdvi_stats *st)
{
	(void)iommu;
	memset(st, 0, sizeof(*st));
}

static void *flat_map(void *priv, uint64_t pa, size_t len, bool write)
{
	const struct amdvi_flat_mem *m = priv;
	uint64_t off;

	(void)write;
	if (pa < m->pa)
		return ERR_PTR(-EFAULT);
	off = pa - m->pa;
	if (off >= m->size || len > m->size - off)
		return ERR_PTR(-EFAULT);
	return (char *)m->host + off;
}

const struct pt_mem_ops amdvi_flat_mem_ops = {
	.map = flat_map,
};
