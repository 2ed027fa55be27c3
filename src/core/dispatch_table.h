/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dispatcher's command table, visible to the tests (the generic ABI
 * test walks every entry) and to tracing front ends that decode commands.
 */
#ifndef UIOMMUFD_CORE_DISPATCH_TABLE_H
#define UIOMMUFD_CORE_DISPATCH_TABLE_H

#include "core/core.h"

struct ufd_ioctl_op {
	const char *name;
	unsigned int size;     /* our struct size */
	unsigned int min_size; /* end of the first-version fields */
	unsigned int ioctl_num;
	int (*execute)(struct ufd_ucmd *ucmd);
};

/* Indexed by _IOC_NR(cmd) - IOMMUFD_CMD_BASE; holes have ioctl_num 0. */
extern const struct ufd_ioctl_op ufd_ioctl_ops[];
extern const unsigned int ufd_ioctl_ops_count;

const struct ufd_ioctl_op *ufd_ioctl_op_find(unsigned int cmd);

#endif
