// SPDX-License-Identifier: BSD-3-Clause
/*
 * The ioctl dispatcher: the one table every front end goes through.
 *
 * Every iommufd command struct starts with a u32 size that the caller sets
 * to the size of the struct it was compiled with. That is how the uAPI
 * grows without new ioctl numbers, and the rules are the kernel's:
 *  - size below the end of the command's first-version fields: EINVAL;
 *  - size smaller than ours: the missing tail reads as zero;
 *  - size larger than ours: accepted only if the extra bytes are zero,
 *    E2BIG otherwise (the caller asked for something we do not know);
 *  - a reply copies min(caller's size, our size) bytes back.
 * Numbers inside [IOMMUFD_CMD_BASE, last table entry] that are not commands
 * answer ENOTTY; numbers outside go to the VFIO type1 compatibility layer,
 * which shares the fd as it does in the kernel.
 *
 * The handler for a command that creates an object allocates it with
 * ufd_object_alloc_ucmd(); the dispatcher finalizes it after the handler
 * succeeded (and after the reply was written) or destroys it when the
 * handler failed, so no handler has an abort path for its object.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "core/core.h"
#include "core/dispatch_table.h"
#include "core/fault_fd.h"
#include "core/uaccess.h"
#include "uiommufd/uapi/iommufd_test.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* Large enough for every command struct in the table. */
union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hw_queue_alloc hw_queue;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_change_process change_process;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_noiommu_get_pa noiommu_get_pa;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vdevice_alloc vdev;
	struct iommu_veventq_alloc veventq;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu;
	struct iommu_test_cmd test;
	uint64_t align;
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                  \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                               \
		.name = #_ioctl,                                               \
		.size = sizeof(_struct),                                       \
		.min_size = offsetofend(_struct, _last),                       \
		.ioctl_num = _ioctl,                                           \
		.execute = _fn,                                                \
	}

const struct ufd_ioctl_op ufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, ufd_destroy_ioctl, struct iommu_destroy, id),
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, ufd_fault_alloc_ioctl,
		 struct iommu_fault_alloc, out_fault_fd),
	IOCTL_OP(IOMMU_GET_HW_INFO, ufd_get_hw_info_ioctl, struct iommu_hw_info,
		 __reserved),
	IOCTL_OP(IOMMU_HW_QUEUE_ALLOC, ufd_hw_queue_alloc_ioctl,
		 struct iommu_hw_queue_alloc, length),
	IOCTL_OP(IOMMU_HWPT_ALLOC, ufd_hwpt_alloc_ioctl,
		 struct iommu_hwpt_alloc, __reserved),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, ufd_hwpt_get_dirty_bitmap_ioctl,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, ufd_hwpt_invalidate_ioctl,
		 struct iommu_hwpt_invalidate, __reserved),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING,
		 ufd_hwpt_set_dirty_tracking_ioctl,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMU_IOAS_ALLOC, ufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, ufd_ioas_allow_iovas_ioctl,
		 struct iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, ufd_ioas_change_process_ioctl,
		 struct iommu_ioas_change_process, __reserved),
	IOCTL_OP(IOMMU_IOAS_COPY, ufd_ioas_copy_ioctl, struct iommu_ioas_copy,
		 src_iova),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, ufd_ioas_iova_ranges_ioctl,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMU_IOAS_MAP, ufd_ioas_map_ioctl, struct iommu_ioas_map,
		 iova),
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, ufd_ioas_map_file_ioctl,
		 struct iommu_ioas_map_file, iova),
	IOCTL_OP(IOMMU_IOAS_NOIOMMU_GET_PA, ufd_ioas_noiommu_get_pa_ioctl,
		 struct iommu_ioas_noiommu_get_pa, out_phys),
	IOCTL_OP(IOMMU_IOAS_UNMAP, ufd_ioas_unmap_ioctl,
		 struct iommu_ioas_unmap, length),
	IOCTL_OP(IOMMU_OPTION, ufd_option_ioctl, struct iommu_option, val64),
	IOCTL_OP(IOMMU_VDEVICE_ALLOC, ufd_vdevice_alloc_ioctl,
		 struct iommu_vdevice_alloc, virt_id),
	IOCTL_OP(IOMMU_VEVENTQ_ALLOC, ufd_veventq_alloc_ioctl,
		 struct iommu_veventq_alloc, __reserved),
	IOCTL_OP(IOMMU_VFIO_IOAS, ufd_vfio_ioas_ioctl, struct iommu_vfio_ioas,
		 __reserved),
	IOCTL_OP(IOMMU_VIOMMU_ALLOC, ufd_viommu_alloc_ioctl,
		 struct iommu_viommu_alloc, out_viommu_id),
	IOCTL_OP(IOMMU_TEST_CMD, ufd_test_cmd_ioctl, struct iommu_test_cmd,
		 last),
};

const unsigned int ufd_ioctl_ops_count = ARRAY_SIZE(ufd_ioctl_ops);

/**
 * ufd_ioctl_op_find() - the table entry for an ioctl number
 * @cmd: ioctl number
 *
 * Return: the entry, or NULL if @cmd is not an iommufd command.
 */
const struct ufd_ioctl_op *ufd_ioctl_op_find(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd);
	const struct ufd_ioctl_op *op;

	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ufd_ioctl_ops_count)
		return NULL;
	op = &ufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	return op->ioctl_num == cmd ? op : NULL;
}

/**
 * ufd_ucmd_respond() - copy the command struct back to the caller
 * @ucmd: the ioctl in flight
 * @cmd_len: our size of the struct
 *
 * Copies min(caller's size, @cmd_len) bytes, so an older caller gets the
 * fields it knows and a newer one keeps its own tail.
 *
 * Return: 0 or -EFAULT.
 */
int ufd_ucmd_respond(struct ufd_ucmd *ucmd, size_t cmd_len)
{
	return copy_to_user(ucmd->ubuffer, ucmd->cmd,
			    ufd_min((size_t)ucmd->user_size, cmd_len));
}

/**
 * ufd_dispatch() - run one ioctl on a context
 * @ctx: the context
 * @cmd: ioctl number
 * @arg: the caller's argument (a pointer for iommufd commands; VFIO compat
 *       commands also take plain integers)
 *
 * Return: a non-negative result (0 for iommufd commands; VFIO compat
 * commands return values such as the API version) or a negative errno.
 */
long ufd_dispatch(struct ufd_ctx *ctx, unsigned int cmd, void *arg)
{
	unsigned int nr = _IOC_NR(cmd);
	const struct ufd_ioctl_op *op;
	struct ufd_ucmd ucmd = { .ctx = ctx, .ubuffer = arg };
	union ucmd_buffer buf;
	int rc;

	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ufd_ioctl_ops_count)
		return ufd_vfio_ioctl(ctx, cmd, arg);

	rc = copy_from_user(&ucmd.user_size, arg, sizeof(ucmd.user_size));
	if (rc)
		return rc;
	op = &ufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	rc = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;
	rc = op->execute(&ucmd);
	if (ucmd.new_obj) {
		if (rc)
			ufd_object_abort_and_destroy(ctx, ucmd.new_obj);
		else
			ufd_object_finalize(ctx, ucmd.new_obj);
	}
	return rc;
}

/* IOMMU_DESTROY: destroy any object by id. */
int ufd_destroy_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	/*
	 * Let the fd service finish closes the program already made: after
	 * close(fault_fd) an object the fd held must be destroyable, as in
	 * Linux where the close has released it by the time it returns.
	 */
	ufd_fdchan_flush(ucmd->ctx);
	return ufd_object_remove(ucmd->ctx, cmd->id);
}
