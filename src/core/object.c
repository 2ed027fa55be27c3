// SPDX-License-Identifier: BSD-3-Clause
/*
 * The object table of a context: two-phase creation, lookup with short-term
 * references, destroy with EBUSY for objects still in use, and leaf-first
 * teardown. The rules are in the essay at the top of core.h.
 */
#include <errno.h>
#include <stdatomic.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/core.h"
#include "core/object_ops.h"

/* How long destroy waits for an in-flight ioctl to drop its reference. */
#define UFD_DESTROY_WAIT_NS (10ull * 1000 * 1000 * 1000)

static bool dec_if_one(_Atomic uint32_t *v)
{
	uint32_t one = 1;

	return atomic_compare_exchange_strong(v, &one, 0);
}

static bool inc_not_zero(_Atomic uint32_t *v)
{
	uint32_t old = atomic_load_explicit(v, memory_order_relaxed);

	do {
		if (!old)
			return false;
	} while (!atomic_compare_exchange_weak(v, &old, old + 1));
	return true;
}

/**
 * ufd_object_alloc() - allocate an object and reserve its id
 * @ctx: the context
 * @size: size of the containing object (header at offset 0)
 * @type: object type
 *
 * The object is zeroed, holds the table's users and shortterm references,
 * and is invisible to lookups until ufd_object_finalize(). Undo with
 * ufd_object_abort() or ufd_object_abort_and_destroy().
 *
 * Return: the object, or ERR_PTR(-ENOMEM).
 */
struct ufd_object *ufd_object_alloc(struct ufd_ctx *ctx, size_t size,
				    enum ufd_obj_type type)
{
	struct ufd_object *obj;
	int rc;

	obj = ufd_zalloc(size);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	atomic_init(&obj->users, 1);
	atomic_init(&obj->shortterm_users, 1);

	ufd_mutex_lock(&ctx->obj_lock);
	rc = idt_reserve(&ctx->objects, &obj->id);
	ufd_mutex_unlock(&ctx->obj_lock);
	if (rc)
		goto out_free;
	return obj;

out_free:
	ufd_free(obj);
	return ERR_PTR(rc);
}

/**
 * ufd_object_alloc_ucmd() - allocate the object an ioctl creates
 * @ucmd: the ioctl in flight
 * @size: size of the containing object
 * @type: object type
 *
 * Like ufd_object_alloc(), and hands the object to the dispatcher: it is
 * finalized if the handler returns 0 and aborted (through the type's abort
 * or destroy op) otherwise, so handlers never finalize or abort it
 * themselves. One such object per ioctl.
 */
struct ufd_object *ufd_object_alloc_ucmd(struct ufd_ucmd *ucmd, size_t size,
					 enum ufd_obj_type type)
{
	struct ufd_object *obj;

	if (ucmd->new_obj)
		return ERR_PTR(-EBUSY);
	obj = ufd_object_alloc(ucmd->ctx, size, type);
	if (!IS_ERR(obj))
		ucmd->new_obj = obj;
	return obj;
}

/**
 * ufd_object_finalize() - make a fully initialised object visible
 * @ctx: the context
 * @obj: from ufd_object_alloc()
 *
 * Called only once creation cannot fail any more.
 */
void ufd_object_finalize(struct ufd_ctx *ctx, struct ufd_object *obj)
{
	ufd_mutex_lock(&ctx->obj_lock);
	idt_publish(&ctx->objects, obj->id, obj);
	ufd_mutex_unlock(&ctx->obj_lock);
}

/**
 * ufd_object_abort() - release an object that was never finalized
 * @ctx: the context
 * @obj: from ufd_object_alloc(); nothing in it needs destroying
 */
void ufd_object_abort(struct ufd_ctx *ctx, struct ufd_object *obj)
{
	ufd_mutex_lock(&ctx->obj_lock);
	idt_remove(&ctx->objects, obj->id);
	ufd_mutex_unlock(&ctx->obj_lock);
	ufd_free(obj);
}

/**
 * ufd_object_abort_and_destroy() - undo an initialised, unfinalized object
 * @ctx: the context
 * @obj: from ufd_object_alloc(), initialised as far as its type's abort
 *       (or destroy) op can undo
 */
void ufd_object_abort_and_destroy(struct ufd_ctx *ctx, struct ufd_object *obj)
{
	const struct ufd_object_ops *ops = &ufd_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else if (ops->destroy)
		ops->destroy(obj);
	ufd_object_abort(ctx, obj);
}

/**
 * ufd_get_object() - look up an object and take a short-term reference
 * @ctx: the context
 * @id: object id from the caller
 * @type: required type, or UFD_OBJ_ANY
 *
 * Pairs with ufd_put_object(). Objects not yet finalized, being destroyed,
 * or of another type are not found.
 *
 * Return: the object or ERR_PTR(-ENOENT).
 */
struct ufd_object *ufd_get_object(struct ufd_ctx *ctx, uint32_t id,
				  enum ufd_obj_type type)
{
	struct ufd_object *obj;

	/* Lookups are a fail point, as the kernel's are, for fail-nth. */
	if (ufd_fail_point("get_object"))
		return ERR_PTR(-ENOENT);

	ufd_mutex_lock(&ctx->obj_lock);
	obj = idt_lookup(&ctx->objects, id);
	if (!obj || (type != UFD_OBJ_ANY && obj->type != type) ||
	    !inc_not_zero(&obj->shortterm_users)) {
		obj = ERR_PTR(-ENOENT);
		goto out_unlock;
	}
	atomic_fetch_add_explicit(&obj->users, 1, memory_order_relaxed);
out_unlock:
	ufd_mutex_unlock(&ctx->obj_lock);
	return obj;
}

/**
 * ufd_put_object() - drop the references ufd_get_object() took
 * @ctx: the context
 * @obj: the object
 */
void ufd_put_object(struct ufd_ctx *ctx, struct ufd_object *obj)
{
	/*
	 * users first, then shortterm: a destroy that sees shortterm reach
	 * zero must never find a users count this put still holds.
	 */
	atomic_fetch_sub_explicit(&obj->users, 1, memory_order_release);
	if (atomic_fetch_sub_explicit(&obj->shortterm_users, 1,
				      memory_order_acq_rel) == 1) {
		/* Only a destroy waiting on this object gets here. */
		ufd_mutex_lock(&ctx->obj_lock);
		ufd_cond_broadcast(&ctx->destroy_wait);
		ufd_mutex_unlock(&ctx->obj_lock);
	}
}

/*
 * Drops the table's shortterm reference of an object already removed from
 * the table and waits for in-flight lookups to put theirs. Called and
 * returns with obj_lock held.
 */
static int wait_shortterm_locked(struct ufd_ctx *ctx, struct ufd_object *obj)
{
	if (atomic_fetch_sub(&obj->shortterm_users, 1) == 1)
		return 0;
	while (atomic_load(&obj->shortterm_users)) {
		if (ufd_cond_timedwait_ns(&ctx->destroy_wait, &ctx->obj_lock,
					  UFD_DESTROY_WAIT_NS) == -ETIMEDOUT &&
		    atomic_load(&obj->shortterm_users))
			return -EBUSY;
	}
	return 0;
}

/*
 * IOMMU_DESTROY's work, and the tombstone's: takes the table's reference
 * of object @id (only if nothing else holds one), takes it out of sight
 * (@tombstone: the id stays taken), waits for in-flight lookups, destroys
 * and frees it.
 */
static int object_remove(struct ufd_ctx *ctx, uint32_t id, bool tombstone)
{
	struct ufd_object *obj;
	int rc;

	ufd_mutex_lock(&ctx->obj_lock);
	obj = idt_lookup(&ctx->objects, id);
	if (!obj) {
		rc = -ENOENT;
		goto out_unlock;
	}
	if (!dec_if_one(&obj->users)) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (tombstone)
		idt_unpublish(&ctx->objects, id);
	else
		idt_remove(&ctx->objects, id);
	if (ctx->vfio_ioas && (void *)ctx->vfio_ioas == (void *)obj)
		ctx->vfio_ioas = NULL;
	rc = wait_shortterm_locked(ctx, obj);
	ufd_mutex_unlock(&ctx->obj_lock);
	if (rc) {
		/* A reference leaked; keeping the memory is the safe choice. */
		ufd_err("object %u (type %d) still referenced after destroy",
			id, obj->type);
		return 0;
	}
	ufd_object_ops[obj->type].destroy(obj);
	ufd_free(obj);
	return 0;

out_unlock:
	ufd_mutex_unlock(&ctx->obj_lock);
	return rc;
}

/**
 * ufd_object_remove() - destroy an object by id (IOMMU_DESTROY)
 * @ctx: the context
 * @id: object id
 *
 * Return: 0; -ENOENT if there is no such object; -EBUSY if another object
 * or an access still uses it (nothing changes then).
 */
int ufd_object_remove(struct ufd_ctx *ctx, uint32_t id)
{
	return object_remove(ctx, id, false);
}

/**
 * ufd_object_tombstone() - destroy an object, keeping its id taken
 * @ctx: the context
 * @id: object id
 *
 * For objects that go because something they depend on went (a vDEVICE
 * whose device is unbound): the id is never handed out again while the
 * context lives, so a program still holding it cannot reach a newer
 * object by mistake; IOMMU_DESTROY answers ENOENT for it.
 *
 * Return: 0; -ENOENT (no such object: already destroyed); -EBUSY.
 */
int ufd_object_tombstone(struct ufd_ctx *ctx, uint32_t id)
{
	return object_remove(ctx, id, true);
}

/**
 * ufd_objects_destroy_all() - tear down every object of a closing context
 * @ctx: the context, with no other user left
 *
 * Leaf-first: every pass destroys the objects only the table still uses,
 * which releases what they held on others. A pass that destroys nothing
 * while objects remain means a leaked reference; it is reported and the
 * remaining objects are left allocated rather than freed under a user.
 */
void ufd_objects_destroy_all(struct ufd_ctx *ctx)
{
	for (;;) {
		unsigned int destroyed = 0, remaining = 0;
		struct ufd_object *obj;
		uint32_t id = 1;

		for (;;) {
			ufd_mutex_lock(&ctx->obj_lock);
			obj = idt_next(&ctx->objects, &id);
			while (obj && !dec_if_one(&obj->users)) {
				remaining++;
				id++;
				obj = id ? idt_next(&ctx->objects, &id) : NULL;
			}
			if (obj)
				idt_remove(&ctx->objects, obj->id);
			ufd_mutex_unlock(&ctx->obj_lock);
			if (!obj)
				break;
			ufd_object_ops[obj->type].destroy(obj);
			ufd_free(obj);
			destroyed++;
			if (!++id)
				break;
		}
		if (!remaining)
			return;
		if (!destroyed) {
			ufd_err("context teardown stuck: %u objects still "
				"referenced",
				remaining);
			return;
		}
	}
}

/** ufd_object_count() - number of objects in the table (any state) */
unsigned int ufd_object_count(struct ufd_ctx *ctx)
{
	unsigned int n;

	ufd_mutex_lock(&ctx->obj_lock);
	n = idt_count(&ctx->objects);
	ufd_mutex_unlock(&ctx->obj_lock);
	return n;
}

/** ufd_objects_empty_locked() - true if no object exists; obj_lock held */
bool ufd_objects_empty_locked(struct ufd_ctx *ctx)
{
	ufd_mutex_assert_held(&ctx->obj_lock);
	return idt_count(&ctx->objects) == 0;
}
