/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For commands whose objects have no implementation yet: after the
 * command's own validation, look the named object up exactly as the
 * finished command will (so a missing or wrong-typed id gives the kernel's
 * ENOENT), and answer EOPNOTSUPP if it were ever found.
 */
#ifndef UIOMMUFD_CORE_LOOKUP_ONLY_H
#define UIOMMUFD_CORE_LOOKUP_ONLY_H

#include <errno.h>

#include "core/core.h"

static inline int ufd_lookup_only(struct ufd_ctx *ctx, uint32_t id,
				  enum ufd_obj_type type)
{
	struct ufd_object *obj = ufd_get_object(ctx, id, type);

	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ufd_put_object(ctx, obj);
	return -EOPNOTSUPP;
}

#endif
