// SPDX-License-Identifier: BSD-3-Clause
/*
 * Devices bound to a context: bind/unbind, attach/replace/detach to an
 * IOAS (through an auto domain) or a paging HWPT, and IOMMU_GET_HW_INFO.
 * See device.h.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/device.h"
#include "core/eventq.h"
#include "core/uaccess.h"
#include "core/viommu.h"
#include "dev/dev.h"

/** ufd_get_device() - look up a bound device; pairs with ufd_put_object() */
struct ufd_device *ufd_get_device(struct ufd_ctx *ctx, uint32_t id)
{
	struct ufd_object *obj = ufd_get_object(ctx, id, UFD_OBJ_DEVICE);

	return IS_ERR(obj) ? ERR_CAST(obj) : to_device(obj);
}

/* How long a faulting DMA waits for the program's page response. */
#define DMA_FAULT_WAIT_NS (10ull * 1000 * 1000 * 1000)

/*
 * A DMA of the device did not translate (dev.h's fault_ops): if the HWPT
 * the fault belongs to has a fault queue, report a one-request page
 * fault and wait for the answer, as a device with PRI waits for its page
 * response. Returns 0 (answered success: retry), -ENOENT (no fault queue:
 * the DMA fails as it would have), -EFAULT (answered otherwise, or no
 * answer in time).
 */
static int device_dma_fault(void *priv, bool pasid_valid, uint32_t pasid,
			    uint64_t iova, bool write)
{
	struct ufd_device *idev = priv;
	struct ufd_iopf iopf = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE |
			 (pasid_valid ? IOMMU_PGFAULT_FLAGS_PASID_VALID : 0),
		.pasid = pasid_valid ? pasid : 0,
		.perm = write ? IOMMU_PGFAULT_PERM_WRITE
			      : IOMMU_PGFAULT_PERM_READ,
		.addr = iova,
	};
	struct ufd_object *fault = NULL;
	const void *handle = NULL;
	struct ufd_hwpt *hwpt;
	uint32_t code;
	int rc;

	ufd_mutex_lock(&idev->lock);
	hwpt = ufd_device_fault_hwpt_locked(idev, pasid_valid, pasid);
	if (hwpt && hwpt->fault) {
		fault = hwpt->fault;
		handle = hwpt;
		/* The queue stays while we wait: destroy answers EBUSY. */
		ufd_object_ref(fault);
	}
	ufd_mutex_unlock(&idev->lock);
	if (!fault)
		return -ENOENT;
	rc = ufd_fault_report_wait(fault, handle, idev->obj.id, &iopf, 1,
				   DMA_FAULT_WAIT_NS, &code);
	ufd_object_unref(fault);
	if (rc)
		return -EFAULT;
	return code == IOMMUFD_PAGE_RESP_SUCCESS ? 0 : -EFAULT;
}

/*
 * The device's IOMMU received a Page Request Group from it (dev.h's
 * fault_ops.page_request, PRI): report it to the fault queue of the HWPT
 * its PASID (or the device) is attached to. Under the device lock, so a
 * detach either comes first (nowhere to report: -ENOENT) or answers the
 * group for the program (ufd_fault_auto_response()).
 */
static int device_page_request(void *priv, const struct ufd_iopf *reqs,
			       unsigned int n, ufd_iopf_done_fn done, void *arg)
{
	struct ufd_device *idev = priv;
	struct ufd_hwpt *hwpt;
	int rc = -ENOENT;

	if (!n)
		return -EINVAL;
	ufd_mutex_lock(&idev->lock);
	hwpt = ufd_device_fault_hwpt_locked(
		idev, reqs[0].flags & IOMMU_PGFAULT_FLAGS_PASID_VALID,
		reqs[0].pasid);
	if (hwpt && hwpt->fault)
		rc = ufd_fault_report(hwpt->fault, hwpt, idev->obj.id, reqs, n,
				      done, arg);
	ufd_mutex_unlock(&idev->lock);
	return rc;
}

static const struct ufd_dev_fault_ops device_fault_ops = {
	.fault = device_dma_fault,
	.page_request = device_page_request,
};

/**
 * ufd_device_bind() - bind an emulated device to a context
 *
 * Return: the bound device (obj.id is its dev_id) or ERR_PTR(-ENOMEM).
 */
struct ufd_device *ufd_device_bind(struct ufd_ctx *ctx, struct ufd_dev *dev)
{
	struct ufd_device *idev;

	idev = ufd_object_alloc_type(ctx, idev, UFD_OBJ_DEVICE);
	if (IS_ERR(idev))
		return idev;
	idev->ctx = ctx;
	idev->dev = dev;
	ufd_mutex_init(&idev->lock);
	/* Its DMA faults are ours to report from now on. */
	ufd_dev_set_fault_ops(dev, &device_fault_ops, idev);
	/* The binder's reference; pairs with ufd_device_unbind(). */
	ufd_object_ref(&idev->obj);
	ufd_object_finalize(ctx, &idev->obj);
	return idev;
}

/*
 * Finds or makes the HWPT to attach @idev to for @pt (an IOAS, a paging
 * or a nested HWPT) and returns it with a users reference for the device.
 */
static struct ufd_hwpt *get_target(struct ufd_device *idev,
				   struct ufd_object *pt)
{
	struct ufd_hwpt_paging *paging;
	struct ufd_ioas *ioas;

	if (pt->type == UFD_OBJ_HWPT_PAGING ||
	    pt->type == UFD_OBJ_HWPT_NESTED) {
		struct ufd_hwpt *hwpt = to_hwpt(pt);

		if (hwpt->domain->owner != idev->dev->iommu)
			return ERR_PTR(-EINVAL);
		ufd_object_ref(&hwpt->obj);
		return hwpt;
	}
	if (pt->type != UFD_OBJ_IOAS)
		return ERR_PTR(-EINVAL);

	/* An IOAS: share a compatible auto domain, or make one. */
	ioas = to_ioas(pt);
	ufd_mutex_lock(&ioas->mutex);
	for (paging = ioas->hwpts; paging; paging = paging->next)
		if (paging->auto_domain &&
		    paging->common.domain->owner == idev->dev->iommu &&
		    ufd_object_tryref(&paging->common.obj))
			goto out_unlock;
	paging = ufd_hwpt_paging_alloc(NULL, idev->ctx, ioas, idev->dev, 0,
				       true);
	if (!IS_ERR(paging)) {
		ufd_object_ref(&paging->common.obj); /* the device's */
		ufd_object_finalize(idev->ctx, &paging->common.obj);
	}
out_unlock:
	ufd_mutex_unlock(&ioas->mutex);
	return IS_ERR(paging) ? ERR_CAST(paging) : &paging->common;
}

/* Drops the device's reference on @hwpt; an unused auto domain goes. */
static void put_target(struct ufd_ctx *ctx, struct ufd_hwpt *hwpt)
{
	bool auto_domain = hwpt_is_paging(hwpt) &&
			   to_hwpt_paging(&hwpt->obj)->auto_domain;
	uint32_t id = hwpt->obj.id;

	ufd_object_unref(&hwpt->obj);
	/* EBUSY just means another device still uses it. */
	if (auto_domain)
		ufd_object_remove(ctx, id);
}

/*
 * The device no longer uses @hwpt: faults it raised there that are still
 * unanswered get the automatic response, then the reference goes.
 */
static void leave_hwpt(struct ufd_device *idev, struct ufd_hwpt *hwpt)
{
	if (hwpt->fault)
		ufd_fault_auto_response(hwpt->fault, idev->obj.id, hwpt);
	put_target(idev->ctx, hwpt);
}

/*
 * Linux's PASID compatibility rule: while any PASID is attached, the
 * device itself may only use a HWPT allocated for PASID use, and a PASID
 * may only be attached (to such a HWPT) while the device's own HWPT is one
 * too. lock held.
 */
static int pasid_compat_locked(struct ufd_device *idev, struct ufd_hwpt *hwpt,
			       bool for_pasid)
{
	if (!for_pasid)
		return !hwpt->pasid_compat && idev->npasids ? -EINVAL : 0;
	if (!hwpt->pasid_compat)
		return -EINVAL;
	if (idev->hwpt && !idev->hwpt->pasid_compat)
		return -EINVAL;
	return 0;
}

static int attach_locked(struct ufd_device *idev, uint32_t pt_id,
			 uint32_t *out_hwpt_id, bool replace)
{
	struct ufd_hwpt *hwpt, *old = idev->hwpt;
	struct ufd_object *pt;
	int rc;

	if (replace && !old)
		return -EINVAL;
	pt = ufd_get_object(idev->ctx, pt_id, UFD_OBJ_ANY);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	hwpt = get_target(idev, pt);
	ufd_put_object(idev->ctx, pt);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (replace && hwpt == old) {
		/* Replacing with the same HWPT changes nothing. */
		ufd_object_unref(&hwpt->obj);
		*out_hwpt_id = hwpt->obj.id;
		return 0;
	}
	rc = pasid_compat_locked(idev, hwpt, false);
	/* Attached already: Linux finds the device in use. */
	if (!rc && !replace && old)
		rc = -EBUSY;
	if (rc) {
		put_target(idev->ctx, hwpt);
		return rc;
	}
	/* Its faults have somewhere to go: the driver may enable PRI. */
	rc = ufd_dev_set_domain_iopf(idev->dev, hwpt->domain, hwpt->fault);
	if (rc) {
		put_target(idev->ctx, hwpt);
		return rc;
	}
	idev->hwpt = hwpt;
	*out_hwpt_id = hwpt->obj.id;
	if (old)
		leave_hwpt(idev, old);
	return 0;
}

/**
 * ufd_device_attach() - attach to an IOAS (auto domain) or a HWPT
 * @out_hwpt_id: the HWPT the device now uses
 *
 * Return: 0; -EINVAL (already attached, or @pt_id is neither an IOAS nor
 * a HWPT this device's IOMMU made); -ENOENT; the driver's and the
 * io_pagetable's errors when a domain has to be made.
 */
int ufd_device_attach(struct ufd_device *idev, uint32_t pt_id,
		      uint32_t *out_hwpt_id)
{
	int rc;

	ufd_mutex_lock(&idev->lock);
	rc = attach_locked(idev, pt_id, out_hwpt_id, false);
	ufd_mutex_unlock(&idev->lock);
	return rc;
}

/**
 * ufd_device_replace() - move an attached device to another IOAS or HWPT
 *
 * DMA switches from the old translation to the new one with no moment of
 * being blocked. On failure the device stays where it was.
 *
 * Return: 0; -EINVAL if not attached; otherwise as ufd_device_attach().
 */
int ufd_device_replace(struct ufd_device *idev, uint32_t pt_id,
		       uint32_t *out_hwpt_id)
{
	int rc;

	ufd_mutex_lock(&idev->lock);
	rc = attach_locked(idev, pt_id, out_hwpt_id, true);
	ufd_mutex_unlock(&idev->lock);
	return rc;
}

static void detach_locked(struct ufd_device *idev)
{
	struct ufd_hwpt *hwpt = idev->hwpt;

	if (!hwpt)
		return;
	ufd_dev_set_domain(idev->dev, NULL);
	idev->hwpt = NULL;
	leave_hwpt(idev, hwpt);
}

static struct ufd_pasid_attach *pasid_find(struct ufd_device *idev,
					   uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < idev->npasids; i++)
		if (idev->pasids[i].pasid == pasid)
			return &idev->pasids[i];
	return NULL;
}

/**
 * ufd_device_pasid_attach() - attach (or replace) a PASID of the device
 * @idev: the device
 * @pasid: the PASID
 * @pt_id: a paging HWPT allocated with IOMMU_HWPT_ALLOC_PASID
 * @replace: the PASID must already be attached (else must not be)
 * @out_hwpt_id: the HWPT the PASID now uses
 *
 * Return: 0; -EINVAL (no PASID support, PASID out of range, a HWPT that
 * cannot serve PASIDs or this device, already attached / not attached);
 * -ENOENT; -ENOMEM.
 */
int ufd_device_pasid_attach(struct ufd_device *idev, uint32_t pasid,
			    uint32_t pt_id, bool replace, uint32_t *out_hwpt_id)
{
	const struct ufd_iommu_ops *iommu = idev->dev->iommu;
	struct ufd_pasid_attach *slot, *grown;
	struct ufd_hwpt *hwpt;
	struct ufd_object *pt;
	int rc;

	if (!iommu || !iommu->attach_pasid)
		return -EINVAL;
	ufd_mutex_lock(&idev->lock);
	slot = pasid_find(idev, pasid);
	if (replace && !slot) {
		rc = -EINVAL;
		goto out_unlock;
	}
	pt = ufd_get_object(idev->ctx, pt_id, UFD_OBJ_ANY);
	if (IS_ERR(pt)) {
		rc = PTR_ERR(pt);
		goto out_unlock;
	}
	hwpt = get_target(idev, pt);
	ufd_put_object(idev->ctx, pt);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_unlock;
	}
	rc = pasid_compat_locked(idev, hwpt, true);
	if (!rc && !replace && slot)
		rc = -EBUSY;
	if (rc)
		goto out_put;
	rc = ufd_dev_set_pasid_domain(idev->dev, pasid, hwpt->domain);
	if (rc)
		goto out_put;
	*out_hwpt_id = hwpt->obj.id;
	if (slot) {
		struct ufd_hwpt *old = slot->hwpt;

		slot->hwpt = hwpt;
		leave_hwpt(idev, old);
		goto out_unlock;
	}
	grown = ufd_realloc(idev->pasids,
			    (idev->npasids + 1) * sizeof(*idev->pasids));
	if (!grown) {
		ufd_dev_set_pasid_domain(idev->dev, pasid, NULL);
		rc = -ENOMEM;
		goto out_put;
	}
	idev->pasids = grown;
	idev->pasids[idev->npasids++] =
		(struct ufd_pasid_attach){ .pasid = pasid, .hwpt = hwpt };
	goto out_unlock;

out_put:
	put_target(idev->ctx, hwpt);
out_unlock:
	ufd_mutex_unlock(&idev->lock);
	return rc;
}

/* Detaches one PASID; lock held. Nothing attached is fine. */
static void pasid_detach_locked(struct ufd_device *idev, uint32_t pasid)
{
	struct ufd_pasid_attach *slot = pasid_find(idev, pasid);
	struct ufd_hwpt *hwpt;

	if (!slot)
		return;
	ufd_dev_set_pasid_domain(idev->dev, pasid, NULL);
	hwpt = slot->hwpt;
	*slot = idev->pasids[--idev->npasids];
	leave_hwpt(idev, hwpt);
}

/* Detaches every PASID, as unbinding does; lock held or last user. */
static void pasids_release(struct ufd_device *idev)
{
	while (idev->npasids)
		pasid_detach_locked(idev, idev->pasids[0].pasid);
	ufd_free(idev->pasids);
	idev->pasids = NULL;
}

/** ufd_device_pasid_detach() - detach a PASID (a no-op if not attached) */
void ufd_device_pasid_detach(struct ufd_device *idev, uint32_t pasid)
{
	ufd_mutex_lock(&idev->lock);
	pasid_detach_locked(idev, pasid);
	ufd_mutex_unlock(&idev->lock);
}

/**
 * ufd_device_fault_hwpt_locked() - where an I/O page fault of the device goes
 * @idev: the device; its lock held
 * @pasid_valid: the request carries a PASID
 * @pasid: that PASID
 *
 * As Linux's IOPF core: the HWPT attached at the PASID, or, for an IOMMU
 * whose PASID table the guest owns (nesting), the nested HWPT the device
 * itself is attached to; without a PASID, the device's HWPT.
 *
 * Return: the HWPT (valid while the lock is held), or NULL.
 */
struct ufd_hwpt *ufd_device_fault_hwpt_locked(struct ufd_device *idev,
					      bool pasid_valid, uint32_t pasid)
{
	struct ufd_pasid_attach *slot;

	ufd_mutex_assert_held(&idev->lock);
	if (!pasid_valid)
		return idev->hwpt;
	slot = pasid_find(idev, pasid);
	if (slot)
		return slot->hwpt;
	if (idev->hwpt && idev->hwpt->obj.type == UFD_OBJ_HWPT_NESTED)
		return idev->hwpt;
	return NULL;
}

/** ufd_device_pasid_hwpt() - the HWPT id a PASID uses, 0 if none */
uint32_t ufd_device_pasid_hwpt(struct ufd_device *idev, uint32_t pasid)
{
	struct ufd_pasid_attach *slot;
	uint32_t id;

	ufd_mutex_lock(&idev->lock);
	slot = pasid_find(idev, pasid);
	id = slot ? slot->hwpt->obj.id : 0;
	ufd_mutex_unlock(&idev->lock);
	return id;
}

/** ufd_device_detach() - block the device's DMA and leave its HWPT */
void ufd_device_detach(struct ufd_device *idev)
{
	ufd_mutex_lock(&idev->lock);
	detach_locked(idev);
	ufd_mutex_unlock(&idev->lock);
}

/** ufd_device_unbind() - detach and unbind; the binder's end of it */
void ufd_device_unbind(struct ufd_device *idev)
{
	struct ufd_ctx *ctx = idev->ctx;
	uint32_t id = idev->obj.id;

	ufd_device_remove_vdev(idev);
	ufd_mutex_lock(&idev->lock);
	pasids_release(idev);
	detach_locked(idev);
	ufd_mutex_unlock(&idev->lock);
	/*
	 * The device model has stopped its DMA: no fault can come now. Its
	 * IOMMU may still be handing over a page request; this waits for it
	 * (outside our lock, which that takes).
	 */
	ufd_dev_set_fault_ops(idev->dev, NULL, NULL);
	ufd_object_unref(&idev->obj); /* pairs with ufd_device_bind() */
	if (ufd_object_remove(ctx, id))
		ufd_err("device %u still referenced at unbind", id);
}

/* The object op. */
void ufd_device_object_destroy(struct ufd_object *obj)
{
	struct ufd_device *idev = to_device(obj);

	pasids_release(idev);
	detach_locked(idev);
	ufd_mutex_destroy(&idev->lock);
}

int ufd_get_hw_info_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void *uptr = (void *)(uintptr_t)cmd->data_uptr;
	const struct ufd_iommu_ops *ops;
	uint32_t data_len = 0, copy_len;
	struct ufd_device *idev;
	void *data = NULL;
	int rc;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	/* Without the flag the field is not an input: ask for the default. */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	idev = ufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	ops = idev->dev->iommu;
	if (ops && ops->hw_info) {
		/* in_data_type and out_data_type share their storage. */
		data = ops->hw_info(idev->dev, &data_len, &cmd->out_data_type);
		if (IS_ERR(data)) {
			rc = PTR_ERR(data);
			data = NULL;
			goto out_put;
		}
		/* A driver with information names its type. */
		if (cmd->out_data_type == IOMMU_HW_INFO_TYPE_NONE) {
			rc = -EOPNOTSUPP;
			goto out_free;
		}
	} else {
		cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
	}
	/* What fits; the rest of a larger buffer reads as zero. */
	copy_len = ufd_min(cmd->data_len, data_len);
	if (copy_len) {
		rc = copy_to_user(uptr, data, copy_len);
		if (rc)
			goto out_free;
	}
	if (copy_len < cmd->data_len) {
		if (!uaccess_ok((uint8_t *)uptr + copy_len,
				cmd->data_len - copy_len)) {
			rc = -EFAULT;
			goto out_free;
		}
		memset((uint8_t *)uptr + copy_len, 0, cmd->data_len - copy_len);
	}
	/* Our length, even beyond the buffer: tells what the driver has. */
	cmd->data_len = data_len;
	cmd->out_capabilities = 0;
	if (ufd_iommu_capable(ops, idev->dev, UFD_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	if (!ufd_iommu_capable(ops, idev->dev, UFD_CAP_PCI_ATS_SUPPORTED))
		cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	/* The PASID width the device and its IOMMU agreed on at probe. */
	cmd->out_max_pasid_log2 = (uint8_t)idev->dev->pasid_bits;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	ufd_free(data);
out_put:
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}
