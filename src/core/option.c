// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_OPTION: get or set a context-wide option (object_id 0) or a
 * per-object one. RLIMIT_MODE selects how pinned memory is accounted and
 * may change only while the context holds no object, since every pin
 * already taken was charged under the old mode. Setting it needs
 * CAP_SYS_RESOURCE, as in Linux.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/core.h"
#include "core/uaccess.h"

/* True if the calling thread has CAP_SYS_RESOURCE in its effective set. */
static bool capable_sys_resource(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_RESOURCE / 32].effective &
	       (1u << (CAP_SYS_RESOURCE % 32));
}

static int option_rlimit_mode(struct iommu_option *cmd, struct ufd_ctx *ctx)
{
	int rc = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = atomic_load(&ctx->account_mode) == UFD_ACCOUNT_MM;
		return 0;
	case IOMMU_OPTION_OP_SET:
		if (!capable_sys_resource())
			return -EPERM;
		ufd_mutex_lock(&ctx->obj_lock);
		if (!ufd_objects_empty_locked(ctx))
			rc = -EBUSY;
		else if (cmd->val64 == 0)
			atomic_store(&ctx->account_mode, UFD_ACCOUNT_USER);
		else if (cmd->val64 == 1)
			atomic_store(&ctx->account_mode, UFD_ACCOUNT_MM);
		else
			rc = -EINVAL;
		ufd_mutex_unlock(&ctx->obj_lock);
		return rc;
	default:
		return -EOPNOTSUPP;
	}
}

int ufd_option_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = option_rlimit_mode(cmd, ucmd->ctx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = ufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only val64 is an output; the rest of the caller's struct stays. */
	return copy_to_user(&((struct iommu_option *)ucmd->ubuffer)->val64,
			    &cmd->val64, sizeof(cmd->val64));
}
