// SPDX-License-Identifier: BSD-3-Clause
/* What the driver test benches share; see drvtb.h. */
#include "drvtb.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "dev/dev.h"

/* ---- User data ---- */

static int ud_read(void *dst, size_t dst_size, const void *uptr, size_t len)
{
	const uint8_t *p = uptr;
	size_t i;

	if (len <= dst_size) {
		memcpy(dst, uptr, len);
		memset((uint8_t *)dst + len, 0, dst_size - len);
		return 0;
	}
	for (i = dst_size; i < len; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, uptr, dst_size);
	return 0;
}

static int ud_write(void *uptr, const void *src, size_t len)
{
	memcpy(uptr, src, len);
	return 0;
}

struct ufd_user_data tb_udata(uint32_t type, void *p, size_t len)
{
	struct ufd_user_data d = {
		.type = type,
		.uptr = p,
		.len = len,
		.read = ud_read,
		.write = ud_write,
	};

	return d;
}

struct ufd_user_data_array tb_uarray(uint32_t type, const void *p,
				     uint32_t entry_len, uint32_t n)
{
	struct ufd_user_data_array a = {
		.type = type,
		.uptr = p,
		.entry_len = entry_len,
		.entry_num = n,
		.read = ud_read,
	};

	return a;
}

/* ---- Devices, domains, memory ---- */

struct ufd_dev *tb_dev(const struct ufd_iommu_ops *ops, uint32_t flags)
{
	struct ufd_dev *dev = ufd_dev_create(ops, flags);

	assert_false(IS_ERR_OR_NULL(dev));
	return dev;
}

void tb_dev_put(struct ufd_dev *dev)
{
	unsigned int i;

	for (i = dev->npasids; i-- > 0;)
		assert_int_equal(ufd_dev_set_pasid_domain(
					 dev, dev->pasids[i].pasid, NULL),
				 0);
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	/* The driver's release_device op gives the device's id back. */
	ufd_dev_destroy(dev);
}

struct ufd_domain *tb_paging(struct ufd_dev *dev, uint32_t flags)
{
	struct ufd_domain *d = dev->iommu->domain_alloc_paging(dev, flags);

	assert_false(IS_ERR_OR_NULL(d));
	return d;
}

void tb_domain_free(struct ufd_domain *d)
{
	d->ops->free(d);
}

void tb_map(struct ufd_domain *d, uint64_t iova, const void *host, uint64_t len,
	    unsigned int prot)
{
	assert_int_equal(d->iopt.ops->map(&d->iopt, iova,
					  (uint64_t)(uintptr_t)host, len, prot,
					  false),
			 0);
}

uint64_t tb_unmap(struct ufd_domain *d, uint64_t iova, uint64_t len)
{
	return d->iopt.ops->unmap(&d->iopt, iova, len);
}

void *tb_buf(size_t len, size_t align)
{
	void *p = ufd_alloc_aligned(align, len); /* zeroed */

	assert_non_null(p);
	return p;
}

void tb_buf_free(void *p)
{
	ufd_free(p);
}

int tb_dma_write64(struct ufd_dev *dev, uint64_t iova, uint64_t v)
{
	return ufd_dev_dma(dev, iova, &v, sizeof(v), true);
}

int tb_dma_read64(struct ufd_dev *dev, uint64_t iova, uint64_t *v)
{
	return ufd_dev_dma(dev, iova, v, sizeof(*v), false);
}

int tb_pasid_write64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		     uint64_t v)
{
	return ufd_dev_dma_pasid(dev, pasid, iova, &v, sizeof(v), true);
}

int tb_pasid_read64(struct ufd_dev *dev, uint32_t pasid, uint64_t iova,
		    uint64_t *v)
{
	return ufd_dev_dma_pasid(dev, pasid, iova, v, sizeof(*v), false);
}

/* ---- Randomized tests ---- */

uint64_t tb_seed(const char *what, uint64_t fallback)
{
	const char *env = getenv("TB_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : fallback;

	printf("# %s: seed 0x%" PRIx64 " (set TB_SEED to repeat)\n", what,
	       seed);
	return seed;
}

uint64_t tb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
