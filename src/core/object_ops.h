/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-type lifetime operations, indexed by enum ufd_obj_type. destroy
 * releases everything an object holds (it is called once, with no user
 * left); abort, where a type has one, undoes a creation that did not reach
 * ufd_object_finalize() and may differ from destroy because the object was
 * never visible. Neither frees the object itself.
 */
#ifndef UIOMMUFD_CORE_OBJECT_OPS_H
#define UIOMMUFD_CORE_OBJECT_OPS_H

#include "core/core.h"

struct ufd_object_ops {
	void (*destroy)(struct ufd_object *obj);
	void (*abort)(struct ufd_object *obj);
};

extern const struct ufd_object_ops ufd_object_ops[UFD_OBJ_MAX];

void ufd_selftest_object_destroy(struct ufd_object *obj);

#endif
