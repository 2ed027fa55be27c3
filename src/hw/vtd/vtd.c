// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d model: first commit, the API only. Every entry point refuses.
 */
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "hw/vtd/vtd.h"

void vtd_config_default(struct vtd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

struct vtd *vtd_create(const struct vtd_config *cfg)
{
	(void)cfg;
	return ERR_PTR(-EOPNOTSUPP);
}

void vtd_destroy(struct vtd *vtd)
{
	(void)vtd;
}

uint64_t vtd_mmio_read(struct vtd *vtd, uint64_t offset, unsigned int size)
{
	(void)vtd;
	(void)offset;
	(void)size;
	return 0;
}

int vtd_mmio_write(struct vtd *vtd, uint64_t offset, unsigned int size,
		   uint64_t value)
{
	(void)vtd;
	(void)offset;
	(void)size;
	(void)value;
	return -EOPNOTSUPP;
}

int vtd_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, struct vtd_xlate *res)
{
	(void)vtd;
	(void)sid;
	(void)pasid;
	(void)iova;
	(void)access;
	memset(res, 0, sizeof(*res));
	res->status = VTD_FAULT;
	return -EOPNOTSUPP;
}

int vtd_translate_cached(struct vtd *vtd, uint16_t sid, uint32_t pasid,
			 uint64_t iova, unsigned int access,
			 struct vtd_xlate *res)
{
	return vtd_translate(vtd, sid, pasid, iova, access, res) ? -EAGAIN : 0;
}

int vtd_ats_translate(struct vtd *vtd, uint16_t sid, uint32_t pasid,
		      uint64_t iova, unsigned int access, struct vtd_ats *res)
{
	(void)vtd;
	(void)sid;
	(void)pasid;
	(void)iova;
	(void)access;
	memset(res, 0, sizeof(*res));
	res->status = VTD_ATS_UR;
	return -EOPNOTSUPP;
}

int vtd_dev_register(struct vtd *vtd, uint16_t sid,
		     const struct vtd_dev_ops *ops, void *priv)
{
	(void)vtd;
	(void)sid;
	(void)ops;
	(void)priv;
	return -EOPNOTSUPP;
}

int vtd_dev_unregister(struct vtd *vtd, uint16_t sid)
{
	(void)vtd;
	(void)sid;
	return -ENOENT;
}

void vtd_get_stats(struct vtd *vtd, struct vtd_stats *st)
{
	(void)vtd;
	memset(st, 0, sizeof(*st));
}

static void *flat_map(void *priv, uint64_t pa, size_t len, bool write)
{
	const struct vtd_flat_mem *m = priv;
	uint64_t off;

	(void)write;
	if (pa < m->pa)
		return ERR_PTR(-EFAULT);
	off = pa - m->pa;
	if (off >= m->size || len > m->size - off)
		return ERR_PTR(-EFAULT);
	return (char *)m->host + off;
}

const struct pt_mem_ops vtd_flat_mem_ops = {
	.map = flat_map,
};
