// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD, the kernel's selftest interface, and the SELFTEST object
 * type it creates. The mock IOMMU driver answers these ops; until it
 * exists, every op is refused as the kernel refuses an op it does not
 * implement.
 *
 * A SELFTEST object may hold a long-term reference on another object, the
 * way the mock device the kernel creates holds the objects it is attached
 * to; core tests use this to build dependency chains.
 */
#include <errno.h>

#include "core/core.h"
#include "core/object_ops.h"
#include "core/selftest.h"
#include "uiommufd/uapi/iommufd_test.h"

int ufd_test_cmd_ioctl(struct ufd_ucmd *ucmd)
{
	return -EOPNOTSUPP;
}

/**
 * ufd_selftest_obj_create() - create a SELFTEST object
 * @ctx: the context
 * @hold_id: an object it keeps a long-term reference on, or 0
 *
 * The reference is dropped when the SELFTEST object is destroyed.
 *
 * Return: the object's id (> 0) or a negative errno (-ENOENT: no object
 * @hold_id; -ENOMEM).
 */
int64_t ufd_selftest_obj_create(struct ufd_ctx *ctx, uint32_t hold_id)
{
	struct ufd_selftest_obj *sobj;
	struct ufd_object *held = NULL;
	int64_t id;

	if (hold_id) {
		held = ufd_get_object(ctx, hold_id, UFD_OBJ_ANY);
		if (IS_ERR(held))
			return PTR_ERR(held);
	}
	sobj = ufd_object_alloc_type(ctx, sobj, UFD_OBJ_SELFTEST);
	if (IS_ERR(sobj)) {
		id = PTR_ERR(sobj);
		goto out_put;
	}
	if (held) {
		ufd_object_ref(
			held); /* pairs with ufd_selftest_object_destroy */
		sobj->held = held;
	}
	id = sobj->obj.id;
	ufd_object_finalize(ctx, &sobj->obj);
out_put:
	if (held)
		ufd_put_object(ctx, held);
	return id;
}

void ufd_selftest_object_destroy(struct ufd_object *obj)
{
	struct ufd_selftest_obj *sobj =
		container_of(obj, struct ufd_selftest_obj, obj);

	if (sobj->held)
		ufd_object_unref(sobj->held);
}
