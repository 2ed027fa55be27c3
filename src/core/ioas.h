/* SPDX-License-Identifier: BSD-3-Clause */
/* The IOAS object: an io_pagetable with an object header. */
#ifndef UIOMMUFD_CORE_IOAS_H
#define UIOMMUFD_CORE_IOAS_H

#include "core/core.h"
#include "iopt/io_pagetable.h"

struct ufd_hwpt_paging;

/*
 * mutex serialises attaching devices to the IOAS (the auto-domain search
 * and creation) and guards hwpts, the paging HWPTs built on it. It nests
 * outside the io_pagetable's locks.
 */
struct ufd_ioas {
	struct ufd_object obj;
	struct io_pagetable iopt;
	struct ufd_mutex mutex;
	struct ufd_hwpt_paging *hwpts; /* mutex */
};

struct iopt_account *ufd_ctx_account(struct ufd_ctx *ctx);

static inline struct ufd_ioas *to_ioas(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_ioas, obj);
}

#endif
