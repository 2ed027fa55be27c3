// SPDX-License-Identifier: BSD-3-Clause
/*
 * The lifetime operations of every object type. A type whose creation
 * command does not exist yet has no entry; it can never be allocated, which
 * ufd_object_alloc() callers guarantee by construction.
 */
#include "core/access.h"
#include "core/device.h"
#include "core/eventq.h"
#include "core/hwpt.h"
#include "core/object_ops.h"
#include "core/veventq.h"
#include "core/viommu.h"

const struct ufd_object_ops ufd_object_ops[UFD_OBJ_MAX] = {
	[UFD_OBJ_ACCESS] = {
		.destroy = ufd_access_object_destroy,
	},
	[UFD_OBJ_DEVICE] = {
		.destroy = ufd_device_object_destroy,
	},
	[UFD_OBJ_FAULT] = {
		.destroy = ufd_fault_destroy,
	},
	[UFD_OBJ_HWPT_PAGING] = {
		.destroy = ufd_hwpt_paging_destroy,
	},
	[UFD_OBJ_HWPT_NESTED] = {
		.destroy = ufd_hwpt_nested_destroy,
	},
	[UFD_OBJ_HW_QUEUE] = {
		.destroy = ufd_hw_queue_destroy,
	},
	[UFD_OBJ_IOAS] = {
		.destroy = ufd_ioas_destroy,
	},
	[UFD_OBJ_SELFTEST] = {
		.destroy = ufd_selftest_object_destroy,
	},
	[UFD_OBJ_VDEVICE] = {
		.destroy = ufd_vdevice_destroy,
	},
	[UFD_OBJ_VEVENTQ] = {
		.destroy = ufd_veventq_destroy,
	},
	[UFD_OBJ_VIOMMU] = {
		.destroy = ufd_viommu_destroy,
	},
};
