// SPDX-License-Identifier: BSD-3-Clause
/* Access objects; see access.h. */
#include <errno.h>

#include "base/log.h"
#include "core/access.h"

static void access_unmap_cb(void *data, uint64_t iova, uint64_t length)
{
	struct ufd_access *access = data;

	if (access->ops && access->ops->unmap)
		access->ops->unmap(access->data, iova, length);
}

static const struct iopt_access_ops access_iopt_ops = {
	.unmap = access_unmap_cb,
};

/* An access object, not yet in the table. */
static struct ufd_access *
access_new(struct ufd_ctx *ctx, const struct ufd_access_ops *ops, void *data)
{
	struct ufd_access *access;

	access = ufd_object_alloc_type(ctx, access, UFD_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;
	access->ctx = ctx;
	access->ops = ops;
	access->data = data;
	ufd_mutex_init(&access->ioas_lock);
	access->iacc.ops = &access_iopt_ops;
	access->iacc.data = access;
	/* Pins hand out CPU pages: page-aligned IOVAs, as in Linux. */
	access->iacc.iova_alignment =
		ops && ops->needs_pin_pages ? iopt_page_size() : 1;
	return access;
}

/**
 * ufd_access_create() - create an access object, not yet attached
 * @ctx: the context
 * @ops: callbacks; unmap is required for accesses that pin pages
 * @data: passed to the callbacks
 *
 * Return: the access (its obj.id is its object id) or ERR_PTR(-ENOMEM).
 */
struct ufd_access *ufd_access_create(struct ufd_ctx *ctx,
				     const struct ufd_access_ops *ops,
				     void *data)
{
	struct ufd_access *access = access_new(ctx, ops, data);

	if (IS_ERR(access))
		return access;
	/* The creator's reference; pairs with ufd_access_destroy(). */
	ufd_object_ref(&access->obj);
	ufd_object_finalize(ctx, &access->obj);
	return access;
}

/**
 * ufd_access_create_internal() - an access the core keeps for itself
 * @ctx: the context
 *
 * For memory the hardware reads on its own, such as a HW queue in guest
 * RAM: the access never appears in the object table, its pins lock the
 * areas they cover (IOMMU_IOAS_UNMAP answers EBUSY) instead of asking it
 * to let go, and it is destroyed with ufd_access_destroy_internal().
 *
 * Return: the access or ERR_PTR(-ENOMEM).
 */
struct ufd_access *ufd_access_create_internal(struct ufd_ctx *ctx)
{
	static const struct ufd_access_ops internal_ops = {
		.needs_pin_pages = true,
	};
	struct ufd_access *access = access_new(ctx, &internal_ops, NULL);

	if (!IS_ERR(access))
		access->internal = true;
	return access;
}

/** ufd_access_destroy_internal() - detach and free an internal access */
void ufd_access_destroy_internal(struct ufd_access *access)
{
	ufd_object_abort_and_destroy(access->ctx, &access->obj);
}

/* Leaves the current IOAS, dropping any pins first. ioas_lock held. */
static void access_leave_locked(struct ufd_access *access)
{
	struct ufd_ioas *ioas = access->ioas;

	if (!ioas)
		return;
	access_unmap_cb(access, 0, UINT64_MAX);
	iopt_remove_access(&ioas->iopt, &access->iacc);
	access->ioas = NULL;
	ufd_object_unref(&ioas->obj); /* pairs with access_join_locked() */
}

/* Joins the IOAS @ioas_id. ioas_lock held. */
static int access_join_locked(struct ufd_access *access, uint32_t ioas_id)
{
	struct ufd_ioas *ioas = ufd_get_ioas(access->ctx, ioas_id);
	int rc;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_add_access(&ioas->iopt, &access->iacc);
	if (!rc) {
		ufd_object_ref(&ioas->obj); /* pairs with access_leave */
		access->ioas = ioas;
	}
	ufd_put_object(access->ctx, &ioas->obj);
	return rc;
}

/**
 * ufd_access_attach() - attach to an IOAS
 *
 * Return: 0; -EINVAL if already attached; -ENOENT (no such IOAS);
 * -EADDRINUSE (its areas are not page aligned).
 */
int ufd_access_attach(struct ufd_access *access, uint32_t ioas_id)
{
	int rc;

	ufd_mutex_lock(&access->ioas_lock);
	rc = access->ioas ? -EINVAL : access_join_locked(access, ioas_id);
	ufd_mutex_unlock(&access->ioas_lock);
	return rc;
}

/**
 * ufd_access_replace() - move to another IOAS
 *
 * Pins on the old IOAS are dropped through the unmap callback first. If
 * the new IOAS refuses the access, it goes back to the old one.
 *
 * Return: 0; -EINVAL if not attached; errors as ufd_access_attach().
 */
int ufd_access_replace(struct ufd_access *access, uint32_t ioas_id)
{
	uint32_t old_id;
	int rc;

	ufd_mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		rc = -EINVAL;
		goto out_unlock;
	}
	old_id = access->ioas->obj.id;
	if (old_id == ioas_id) {
		rc = 0;
		goto out_unlock;
	}
	/* The old IOAS is still held: the way back cannot vanish. */
	ufd_object_ref(&access->ioas->obj);
	{
		struct ufd_ioas *old = access->ioas;

		access_leave_locked(access);
		rc = access_join_locked(access, ioas_id);
		if (rc && access_join_locked(access, old_id))
			ufd_err("access %u lost its IOAS on a failed replace",
				access->obj.id);
		ufd_object_unref(&old->obj);
	}
out_unlock:
	ufd_mutex_unlock(&access->ioas_lock);
	return rc;
}

/** ufd_access_detach() - leave the IOAS, dropping pins first */
void ufd_access_detach(struct ufd_access *access)
{
	ufd_mutex_lock(&access->ioas_lock);
	access_leave_locked(access);
	ufd_mutex_unlock(&access->ioas_lock);
}

/** ufd_access_destroy() - detach and destroy; the creator's end of it */
void ufd_access_destroy(struct ufd_access *access)
{
	struct ufd_ctx *ctx = access->ctx;
	uint32_t id = access->obj.id;

	ufd_access_detach(access);
	ufd_object_unref(&access->obj); /* pairs with ufd_access_create() */
	if (ufd_object_remove(ctx, id))
		ufd_err("access %u still referenced at destroy", id);
}

/* The object op: whatever is left when the context closes. */
void ufd_access_object_destroy(struct ufd_object *obj)
{
	struct ufd_access *access = container_of(obj, struct ufd_access, obj);

	access_leave_locked(access);
	ufd_mutex_destroy(&access->ioas_lock);
}

static unsigned int pin_flags(const struct ufd_access *access,
			      unsigned int flags)
{
	return (flags & UFD_ACCESS_WRITE ? IOPT_PIN_WRITE : 0) |
	       (access->internal ? IOPT_PIN_LOCK : 0);
}

/**
 * ufd_access_pin_pages() - pin the pages behind an IOVA range
 * @out_pages: one host address per CPU page of the range
 *
 * Return: 0; -ENOENT (not attached, or not all mapped); otherwise as
 * iopt_access_pin().
 */
int ufd_access_pin_pages(struct ufd_access *access, uint64_t iova,
			 uint64_t length, uintptr_t *out_pages,
			 unsigned int flags)
{
	int rc = -ENOENT;

	ufd_mutex_lock(&access->ioas_lock);
	if (access->ioas)
		rc = iopt_access_pin(&access->ioas->iopt, iova, length,
				     out_pages, pin_flags(access, flags));
	ufd_mutex_unlock(&access->ioas_lock);
	return rc;
}

/** ufd_access_unpin_pages() - undo ufd_access_pin_pages() */
void ufd_access_unpin_pages(struct ufd_access *access, uint64_t iova,
			    uint64_t length)
{
	/*
	 * No ioas_lock: this is what the unmap callback calls, and leaving
	 * an IOAS calls the callback with ioas_lock held. The IOAS cannot go
	 * while pins hold it (the caller still has them).
	 */
	struct ufd_ioas *ioas = READ_ONCE(access->ioas);

	if (ioas)
		iopt_access_unpin(&ioas->iopt, iova, length,
				  pin_flags(access, 0));
}

/**
 * ufd_access_rw() - read or write IOAS memory by IOVA
 *
 * Return: 0; -ENOENT (not attached, or not all mapped); otherwise as
 * iopt_access_rw().
 */
int ufd_access_rw(struct ufd_access *access, uint64_t iova, void *buf,
		  uint64_t len, unsigned int flags)
{
	int rc = -ENOENT;

	ufd_mutex_lock(&access->ioas_lock);
	if (access->ioas)
		rc = iopt_access_rw(
			&access->ioas->iopt, iova, buf, len,
			flags & UFD_ACCESS_WRITE ? IOPT_ACCESS_RW_WRITE : 0);
	ufd_mutex_unlock(&access->ioas_lock);
	return rc;
}
