// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD, the kernel's selftest interface, and the SELFTEST
 * objects (mock devices) it creates. Answered here: ADD_RESERVED,
 * MOCK_DOMAIN, MOCK_DOMAIN_FLAGS, MOCK_DOMAIN_REPLACE, MD_CHECK_MAP,
 * MD_CHECK_IOTLB, DEV_CHECK_CACHE, TRIGGER_VEVENT,
 * PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT and SET_TEMP_MEMORY_LIMIT; the
 * access, fault, dirty and dma-buf op families live in selftest_*.c; any
 * other op is refused with EOPNOTSUPP, as a kernel refuses an op it does
 * not implement.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/overflow.h"
#include "core/device.h"
#include "core/ioas.h"
#include "core/object_ops.h"
#include "core/page_identity.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "drivers/amdvi/amdvi_drv.h"
#include "drivers/mock/mock.h"
#include "drivers/smmuv3/smmuv3_drv.h"
#include "drivers/vtd/vtd_drv.h"
#include "pt/pt.h"
#include "uiommufd/uapi/iommufd_test.h"

/**
 * ufd_selftest_obj_create() - create a SELFTEST object holding another
 * @ctx: the context
 * @hold_id: an object it keeps a long-term reference on, or 0
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
	if (sobj->idev)
		ufd_device_unbind(sobj->idev);
	ufd_dev_destroy(sobj->dev);
}

static int test_add_reserved(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct ufd_ioas *ioas;
	uint64_t last;
	int rc;

	if (!cmd->add_reserved.length)
		return -EINVAL;
	if (check_add_overflow(cmd->add_reserved.start,
			       cmd->add_reserved.length - 1, &last))
		return -EOVERFLOW;
	ioas = ufd_get_ioas(ucmd->ctx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve(&ioas->iopt, cmd->add_reserved.start, last, NULL);
	ufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

static const struct ufd_iommu_ops *model_iommu;

static void model_init(void)
{
	static const struct {
		const char *name;
		const struct ufd_iommu_ops *ops;
	} models[] = {
		{ "smmuv3", &ufd_smmuv3_iommu },
		{ "vtd", &ufd_vtd_iommu },
		{ "amd", &ufd_amdvi_iommu },
	};
	const char *m = getenv("UIOMMUFD_MODEL");
	size_t i;

	model_iommu = &ufd_mock_iommu;
	for (i = 0; m && i < ARRAY_SIZE(models); i++)
		if (!strcmp(m, models[i].name))
			model_iommu = models[i].ops;
}

/*
 * The IOMMU that MOCK_DOMAIN puts devices behind: the mock, or the one
 * UIOMMUFD_MODEL names (read once): "smmuv3", "vtd" or "amd". A program
 * then gets devices behind that driver through the selftest interface, and
 * so can drive its paging, dirty-tracking and nesting data types (and the
 * vIOMMU family where the driver has it); the mock-only ops (MD_CHECK_MAP,
 * DIRTY, ...) answer EINVAL for them.
 */
static const struct ufd_iommu_ops *selftest_iommu(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, model_init);
	return model_iommu;
}

/* MOCK_DOMAIN(_FLAGS): a mock device, bound and attached to cmd->id. */
static int test_mock_domain(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint32_t dev_flags = 0, hwpt_id;
	struct ufd_selftest_obj *sobj;
	int rc;

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	if (dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_PASID))
		return -EINVAL;
	sobj = ufd_object_alloc_ucmd_type(ucmd, sobj, UFD_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	/*
	 * The device flags are the mock's; for another IOMMU, a PASID-capable
	 * device is one with a PCIe PASID capability and the rest means
	 * nothing.
	 */
	if (selftest_iommu() != &ufd_mock_iommu)
		dev_flags = dev_flags & MOCK_FLAGS_DEVICE_PASID ? UFD_DEV_PASID
								: 0;
	sobj->dev = ufd_dev_create(selftest_iommu(), dev_flags);
	if (IS_ERR(sobj->dev)) {
		rc = PTR_ERR(sobj->dev);
		sobj->dev = NULL;
		return rc;
	}
	sobj->idev = ufd_device_bind(ucmd->ctx, sobj->dev);
	if (IS_ERR(sobj->idev)) {
		rc = PTR_ERR(sobj->idev);
		sobj->idev = NULL;
		return rc;
	}
	rc = ufd_device_attach(sobj->idev, cmd->id, &hwpt_id);
	if (rc)
		return rc;
	/* The two ops share the layout of their first three fields. */
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_hwpt_id = hwpt_id;
	cmd->mock_domain.out_idev_id = sobj->idev->obj.id;
	return ufd_ucmd_respond(ucmd, sizeof(*cmd));
}

static int test_mock_domain_replace(struct ufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct ufd_selftest_obj *sobj;
	struct ufd_object *obj;
	uint32_t hwpt_id;
	int rc;

	obj = ufd_get_object(ucmd->ctx, cmd->id, UFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sobj = container_of(obj, struct ufd_selftest_obj, obj);
	rc = sobj->idev ? ufd_device_replace(sobj->idev,
					     cmd->mock_domain_replace.pt_id,
					     &hwpt_id)
			: -EINVAL;
	ufd_put_object(ucmd->ctx, obj);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = hwpt_id;
	return ufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* MD_CHECK_MAP: does mock HWPT cmd->id map [iova, +length) to uptr? */
static int test_check_map(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->check_map.iova, len = cmd->check_map.length;
	uint64_t uptr = cmd->check_map.uptr, off;
	struct ufd_hwpt *hwpt;
	struct ufd_object *obj;
	int rc = 0;

	if (iova % MOCK_PAGE_SIZE || len % MOCK_PAGE_SIZE ||
	    uptr % MOCK_PAGE_SIZE || !len)
		return -EINVAL;
	obj = ufd_get_object(ucmd->ctx, cmd->id, UFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	hwpt = to_hwpt(obj);
	if (hwpt->domain->owner != &ufd_mock_iommu) {
		rc = -EINVAL;
		goto out_put;
	}
	for (off = 0; off < len; off += MOCK_PAGE_SIZE) {
		uint64_t oa;

		if (pt_iova_to_phys(mock_domain_table(hwpt->domain), iova + off,
				    &oa) ||
		    !ufd_same_page((uintptr_t)oa, (uintptr_t)(uptr + off))) {
			rc = -EINVAL;
			break;
		}
	}
out_put:
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

/**
 * ufd_selftest_find_mock() - the mock device bound as @dev_id
 * @ctx: the context
 * @dev_id: a bound device's id
 *
 * Return: the SELFTEST object with a short-term reference (pairs with
 * ufd_put_object()), ERR_PTR(-ENOENT) if @dev_id is not a bound device,
 * or ERR_PTR(-EINVAL) if it is not a mock device.
 */
struct ufd_selftest_obj *ufd_selftest_find_mock(struct ufd_ctx *ctx,
						uint32_t dev_id)
{
	struct ufd_device *idev = ufd_get_device(ctx, dev_id);
	struct ufd_selftest_obj *found = ERR_PTR(-EINVAL);
	struct ufd_object *obj;
	uint32_t id = 1;

	if (IS_ERR(idev))
		return ERR_CAST(idev);
	/* Mock devices are few: a walk of the table finds the owner. */
	for (;;) {
		ufd_mutex_lock(&ctx->obj_lock);
		obj = idt_next(&ctx->objects, &id);
		while (obj &&
		       (obj->type != UFD_OBJ_SELFTEST ||
			container_of(obj, struct ufd_selftest_obj, obj)->idev !=
				idev) &&
		       ++id)
			obj = idt_next(&ctx->objects, &id);
		ufd_mutex_unlock(&ctx->obj_lock);
		if (!obj)
			break;
		obj = ufd_get_object(ctx, id, UFD_OBJ_SELFTEST);
		if (!IS_ERR(obj)) {
			found = container_of(obj, struct ufd_selftest_obj, obj);
			break;
		}
		if (!++id)
			break;
	}
	ufd_put_object(ctx, &idev->obj);
	return found;
}

/* A bound device behind the mock IOMMU; pairs with ufd_put_object(). */
static struct ufd_device *get_mock_device(struct ufd_ctx *ctx, uint32_t id)
{
	struct ufd_device *idev = ufd_get_device(ctx, id);

	if (!IS_ERR(idev) && idev->dev->iommu != &ufd_mock_iommu) {
		ufd_put_object(ctx, &idev->obj);
		return ERR_PTR(-EINVAL);
	}
	return idev;
}

/* DEV_CHECK_CACHE: does entry id of device cmd->id's cache hold cache? */
static int test_dev_check_cache(struct ufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	struct ufd_device *idev = get_mock_device(ucmd->ctx, cmd->id);
	uint32_t val;
	int rc;

	if (IS_ERR(idev))
		return PTR_ERR(idev);
	rc = mock_dev_cache(idev->dev, cmd->check_dev_cache.id, &val);
	if (!rc && val != cmd->check_dev_cache.cache)
		rc = -EINVAL;
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/* MD_CHECK_IOTLB: does entry id of nested mock HWPT cmd->id hold iotlb? */
static int test_check_iotlb(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct ufd_object *obj;
	uint32_t val;
	int rc;

	obj = ufd_get_object(ucmd->ctx, cmd->id, UFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rc = -EINVAL;
	if (mock_domain_is_nested(to_hwpt(obj)->domain))
		rc = mock_nested_iotlb(to_hwpt(obj)->domain,
				       cmd->check_iotlb.id, &val);
	if (!rc && val != cmd->check_iotlb.iotlb)
		rc = -EINVAL;
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

/* TRIGGER_VEVENT: the mock vIOMMU reports an event about a device. */
static int test_trigger_vevent(struct ufd_ucmd *ucmd,
			       struct iommu_test_cmd *cmd)
{
	struct ufd_device *idev =
		get_mock_device(ucmd->ctx, cmd->trigger_vevent.dev_id);
	int rc;

	if (IS_ERR(idev))
		return PTR_ERR(idev);
	rc = mock_dev_trigger_vevent(idev->dev);
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/* PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT on mock device cmd->id. */
static int test_pasid(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct ufd_selftest_obj *sobj;
	struct ufd_object *obj;
	uint32_t hwpt_id;
	int rc = 0;

	obj = ufd_get_object(ucmd->ctx, cmd->id, UFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sobj = container_of(obj, struct ufd_selftest_obj, obj);
	if (!sobj->idev) {
		rc = -EINVAL;
		goto out_put;
	}
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		rc = ufd_device_pasid_attach(sobj->idev,
					     cmd->pasid_attach.pasid,
					     cmd->pasid_attach.pt_id, false,
					     &hwpt_id);
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = ufd_device_pasid_attach(sobj->idev,
					     cmd->pasid_replace.pasid,
					     cmd->pasid_replace.pt_id, true,
					     &hwpt_id);
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		ufd_device_pasid_detach(sobj->idev, cmd->pasid_detach.pasid);
		break;
	default: /* IOMMU_TEST_OP_PASID_CHECK_HWPT */
		if (ufd_device_pasid_hwpt(sobj->idev, cmd->pasid_check.pasid) !=
		    cmd->pasid_check.hwpt_id)
			rc = -EINVAL;
	}
out_put:
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}

int ufd_test_cmd_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return test_add_reserved(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return test_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return test_check_map(ucmd, cmd);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return test_dev_check_cache(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return test_check_iotlb(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return test_trigger_vevent(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return test_pasid(ucmd, cmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* Only sizes temporary pin batches, which we do not have. */
		return cmd->memory_limit.limit < 12 ? -EINVAL : 0;
	case IOMMU_TEST_OP_CREATE_ACCESS:
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_RW:
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return ufd_test_access_op(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return ufd_test_iopf_op(ucmd, cmd);
	case IOMMU_TEST_OP_DIRTY:
		return ufd_test_dirty_op(ucmd, cmd);
	case IOMMU_TEST_OP_DMABUF_GET:
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return ufd_test_dmabuf_op(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
