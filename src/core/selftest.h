/* SPDX-License-Identifier: BSD-3-Clause */
/* The SELFTEST object type; see selftest.c. */
#ifndef UIOMMUFD_CORE_SELFTEST_H
#define UIOMMUFD_CORE_SELFTEST_H

#include "core/core.h"

struct ufd_selftest_obj {
	struct ufd_object obj;
	struct ufd_object *held; /* long-term reference, or NULL */
};

int64_t ufd_selftest_obj_create(struct ufd_ctx *ctx, uint32_t hold_id);

#endif
