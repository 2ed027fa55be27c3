// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD DIRTY: mark pages of a mock paging HWPT dirty as the
 * hardware would on a DMA write, so dirty harvesting can be tested without
 * a device. The kernel's semantics: bit i of the user bitmap at uptr names
 * [iova + i * page_size, iova + (i + 1) * page_size); the leaf translating
 * the start of each named unit is marked dirty (a whole large page, then),
 * whether or not anything is mapped there, and out_nr_dirty counts the bits
 * that were set in the user's bitmap. Dirty tracking must be on.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "core/hwpt.h"
#include "core/selftest.h"
#include "core/uaccess.h"
#include "drivers/mock/mock.h"
#include "uiommufd/uapi/iommufd_test.h"

/* The kernel's cap on the bitmap: 16 MiB of it. */
#define DIRTY_MAX_BITS (16ull * 1024 * 1024 * 8)

#define BITS_PER_ULONG (8 * sizeof(unsigned long))

int ufd_test_dirty_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, page_size = cmd->dirty.page_size;
	uint64_t length = cmd->dirty.length, max, i, count = 0;
	const void *uptr = (const void *)(uintptr_t)cmd->dirty.uptr;
	struct ufd_hwpt *hwpt;
	struct ufd_object *obj;
	unsigned long *bits;
	int rc;

	if (cmd->op != IOMMU_TEST_OP_DIRTY)
		return -EOPNOTSUPP;
	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return -EINVAL;
	max = length / page_size;
	if (max > DIRTY_MAX_BITS)
		return -EOVERFLOW;
	obj = ufd_get_object(ucmd->ctx, cmd->id, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	hwpt = to_hwpt(obj);
	if (!mock_domain_is_paging(hwpt->domain) ||
	    !mock_domain_dirty_tracking(hwpt->domain)) {
		rc = -EINVAL;
		goto out_put;
	}
	bits = ufd_calloc((max + BITS_PER_ULONG - 1) / BITS_PER_ULONG,
			  sizeof(*bits));
	if (!bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = copy_from_user(bits, uptr, (max + 7) / 8);
	if (rc)
		goto out_free;
	for (i = find_first_bit(bits, max); i < max;
	     i = find_next_bit(bits, max, i + 1)) {
		/* Unmapped or read-only units count but mark nothing. */
		mock_domain_set_dirty(hwpt->domain, iova + i * page_size);
		count++;
	}
	cmd->dirty.out_nr_dirty = count;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	ufd_free(bits);
out_put:
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}
