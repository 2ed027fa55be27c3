// SPDX-License-Identifier: BSD-3-Clause
/* Host memory as an IOMMU model's physical memory (host_mem.h). */
#include <errno.h>

#include "base/err.h"
#include "drivers/host_mem.h"

/* The lowest address a model may touch, and one past the highest. */
#define HOST_PA_MIN 0x10000ull
#define HOST_PA_END (1ull << 47)

static void *host_map(void *priv, uint64_t pa, size_t len, bool write)
{
	if (pa < HOST_PA_MIN || pa >= HOST_PA_END || len > HOST_PA_END - pa)
		return ERR_PTR(-EFAULT);
	return (void *)(uintptr_t)pa;
}

const struct pt_mem_ops ufd_host_mem_ops = {
	.map = host_map,
};

const struct pt_mem_window ufd_host_mem_window = {
	.pa = HOST_PA_MIN,
	.size = HOST_PA_END - HOST_PA_MIN,
	.host = HOST_PA_MIN,
	.write = true,
};
