// SPDX-License-Identifier: BSD-3-Clause
/*
 * Contexts: what one open of /dev/iommu is. A context is reference counted
 * because more than one front-end handle may keep it alive (a dup'ed file
 * descriptor, an fd a context handed out); the last put tears every object
 * down and frees it.
 */
#include <errno.h>
#include <stdatomic.h>

#include "base/alloc.h"
#include "core/core.h"
#include "core/mmap.h"
#include "iopt/account.h"

/**
 * ufd_ctx_create() - a new, empty context with one reference
 *
 * Return: the context or ERR_PTR(-ENOMEM).
 */
struct ufd_ctx *ufd_ctx_create(void)
{
	struct ufd_ctx *ctx;
	int rc;

	ctx = ufd_zalloc(sizeof(*ctx));
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	rc = idt_init(&ctx->objects);
	if (rc)
		goto out_free;
	ufd_mutex_init(&ctx->obj_lock);
	ufd_cond_init(&ctx->destroy_wait);
	ufd_rwlock_init(&ctx->ioas_creation_lock);
	ufd_mmap_init(ctx);
	atomic_init(&ctx->account_mode, UFD_ACCOUNT_USER);
	ctx->account_exempt = iopt_account_exempt();
	atomic_init(&ctx->refs, 1);
	return ctx;

out_free:
	ufd_free(ctx);
	return ERR_PTR(rc);
}

/** ufd_ctx_get() - take another reference; pairs with ufd_ctx_put() */
void ufd_ctx_get(struct ufd_ctx *ctx)
{
	atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
}

/**
 * ufd_ctx_put() - drop a reference; the last one destroys the context
 * @ctx: the context
 *
 * The caller must not be inside an ioctl on this context: the last put
 * happens when every handle is gone, so no ioctl can still be running.
 */
void ufd_ctx_put(struct ufd_ctx *ctx)
{
	if (atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
		return;
	ufd_objects_destroy_all(ctx);
	ufd_rwlock_destroy(&ctx->ioas_creation_lock);
	ufd_mmap_fini(ctx);
	ufd_cond_destroy(&ctx->destroy_wait);
	ufd_mutex_destroy(&ctx->obj_lock);
	idt_destroy(&ctx->objects);
	ufd_free(ctx);
}
