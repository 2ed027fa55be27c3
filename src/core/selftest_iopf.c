// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD TRIGGER_IOPF: a mock device raises an I/O page fault, a
 * one-request group (IOMMU_PGFAULT_FLAGS_LAST_PAGE, plus PASID_VALID for a
 * PASID other than 0, the kernel's IOMMU_NO_PASID), as its mock does.
 *
 * Routing follows the kernel's IOPF core (ufd_device_fault_hwpt_locked()):
 * a request without a PASID goes to the HWPT the device is attached to; a
 * request with a PASID to the HWPT attached at that PASID or, since the
 * mock IOMMU has a user-managed PASID table, to a nested HWPT attached to
 * the device itself. If there is no such HWPT, or it has no fault queue,
 * the fault is answered "invalid" for the device and nothing reaches user
 * space. The op succeeds either way, as the kernel's does; only an unknown
 * device (ENOENT) or one that is not a mock device (EINVAL) fails it.
 */
#include <errno.h>

#include "core/device.h"
#include "core/eventq.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "uiommufd/uapi/iommufd_test.h"

/* The PASID value that means "no PASID" (the kernel's IOMMU_NO_PASID). */
#define NO_PASID 0u

/**
 * ufd_test_iopf_op() - IOMMU_TEST_OP_TRIGGER_IOPF
 * @ucmd: the ioctl
 * @cmd: its command; trigger_iopf names the device and the request
 *
 * Return: 0 (delivered or not, see above); -ENOENT; -EINVAL.
 */
int ufd_test_iopf_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct ufd_iopf iopf = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.pasid = cmd->trigger_iopf.pasid,
		.grpid = cmd->trigger_iopf.grpid,
		.perm = cmd->trigger_iopf.perm,
		.addr = cmd->trigger_iopf.addr,
	};
	struct ufd_hwpt *hwpt;
	struct ufd_device *idev;
	int rc = 0;

	idev = ufd_get_device(ucmd->ctx, cmd->trigger_iopf.dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	if (idev->dev->iommu != &ufd_mock_iommu) {
		rc = -EINVAL;
		goto out_put;
	}
	if (iopf.pasid != NO_PASID)
		iopf.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;

	/* The device lock keeps the attachment, and so its queue, in place. */
	ufd_mutex_lock(&idev->lock);
	hwpt = ufd_device_fault_hwpt_locked(idev, iopf.pasid != NO_PASID,
					    iopf.pasid);
	if (hwpt && hwpt->fault)
		/* A fault the queue cannot take is lost, as in the kernel. */
		ufd_fault_report(hwpt->fault, hwpt, idev->obj.id, &iopf, 1,
				 NULL, NULL);
	ufd_mutex_unlock(&idev->lock);
out_put:
	ufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}
