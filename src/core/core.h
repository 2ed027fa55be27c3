/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The object model of a uiommufd context: the one private header that every
 * file in src/core includes.
 *
 * A context (struct ufd_ctx) is what one open of /dev/iommu is. It owns a
 * table of objects addressed by u32 ids (IOAS, HWPT, device, access, fault
 * queue, vIOMMU, vDEVICE, vEVENTQ, HW queue). Every object starts with a
 * struct ufd_object header at offset 0, so one table and one set of
 * lifetime rules serve every type:
 *
 *  - users: long-term references. The table holds one; every object that
 *    depends on another (a HWPT on its IOAS, a vDEVICE on its vIOMMU) holds
 *    one on it for as long as it lives. IOMMU_DESTROY succeeds only when the
 *    table's reference is the last one; otherwise EBUSY and nothing changes.
 *  - shortterm_users: references an ioctl holds while it works on the
 *    object. A lookup takes one of each; ufd_put_object() drops both. The
 *    table holds one shortterm reference too; destroy drops it and waits for
 *    any in-flight ioctl to put its own before the object is freed, so no
 *    thread ever touches freed memory.
 *
 * Creation is two-phase. ufd_object_alloc() reserves an id and allocates
 * the object; lookups cannot see it. The handler initialises it and fills in
 * its response; the dispatcher then finalises it (publishes it in the table)
 * when the handler succeeded, or aborts it (type's abort or destroy, then
 * free, id released) when it failed. A created object is thus either
 * completely there or never was.
 *
 * Closing the context destroys everything leaf-first: objects whose only
 * user is the table go first, which releases the users they held on others;
 * every pass must make progress, or a reference leaked (a bug, reported).
 *
 * Lock order (outermost first):
 *   ctx->ioas_creation_lock (rw)  ->  per-object locks  ->  ctx->obj_lock
 * obj_lock is a leaf: it is held only for table operations and reference
 * changes, never across a callback into another layer.
 */
#ifndef UIOMMUFD_CORE_H
#define UIOMMUFD_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/idtable.h"
#include "base/itree.h"
#include "base/lock.h"
#include "uiommufd/uapi/iommufd.h"

enum ufd_obj_type {
	UFD_OBJ_NONE,
	UFD_OBJ_ANY = UFD_OBJ_NONE,
	UFD_OBJ_DEVICE,
	UFD_OBJ_HWPT_PAGING,
	UFD_OBJ_HWPT_NESTED,
	UFD_OBJ_IOAS,
	UFD_OBJ_ACCESS,
	UFD_OBJ_FAULT,
	UFD_OBJ_VIOMMU,
	UFD_OBJ_VDEVICE,
	UFD_OBJ_VEVENTQ,
	UFD_OBJ_HW_QUEUE,
	UFD_OBJ_SELFTEST,
	UFD_OBJ_MAX,
};

/*
 * The header at offset 0 of every object. users and shortterm_users are
 * atomics changed with ctx->obj_lock held, except that ufd_put_object()
 * drops them without the lock (see the essay above). type and id never
 * change after ufd_object_alloc().
 */
struct ufd_object {
	_Atomic uint32_t shortterm_users;
	_Atomic uint32_t users;
	enum ufd_obj_type type;
	uint32_t id;
};

/* Accounting modes for pinned memory (IOMMU_OPTION_RLIMIT_MODE). */
enum ufd_account_mode {
	UFD_ACCOUNT_USER = 0, /* per user, as the kernel's iommufd default */
	UFD_ACCOUNT_MM = 1,   /* per process, as VFIO type1 */
};

struct ufd_ioas;

/*
 * One open of /dev/iommu.
 *
 * Locking:
 *  - obj_lock protects objects (the id table), vfio_ioas, and the
 *    transitions of every object's users/shortterm_users that must be
 *    atomic with a table lookup or removal. destroy_wait is signalled under
 *    it when a shortterm count drops to zero.
 *  - ioas_creation_lock is taken for write by VFIO compat when it creates
 *    its IOAS on demand, for read by everything that looks the compat IOAS
 *    up, so two compat calls cannot create two.
 *  - account_mode is atomic; it may change only while the table is empty.
 *  - refs counts the holders of the context (each front-end handle, and
 *    each fd a context hands out, such as fault queues); the last put frees.
 */
struct ufd_ctx {
	struct ufd_mutex obj_lock;
	struct idtable objects;
	struct ufd_cond destroy_wait;
	struct ufd_ioas *vfio_ioas;
	struct ufd_rwlock ioas_creation_lock;
	_Atomic int account_mode;
	/*
	 * The opener had CAP_IPC_LOCK: its pins are not charged. Linux asks
	 * at every map; asking once here keeps a syscall off the map path.
	 */
	bool account_exempt;
	_Atomic uint32_t refs;
	/* MMIO regions the program may mmap() (mmap.h); mmap_lock. */
	struct ufd_mutex mmap_lock;
	struct itree_root mmaps;
};

/*
 * One ioctl in flight: the command buffer (already size-checked and
 * zero-extended to our struct size), where the caller's struct lives, and
 * the object the handler is creating, if any.
 */
struct ufd_ucmd {
	struct ufd_ctx *ctx;
	void *ubuffer;
	uint32_t user_size;
	void *cmd;
	struct ufd_object *new_obj;
};

/* context.c */
struct ufd_ctx *ufd_ctx_create(void);
void ufd_ctx_get(struct ufd_ctx *ctx);
void ufd_ctx_put(struct ufd_ctx *ctx);

/* object.c */
struct ufd_object *ufd_object_alloc(struct ufd_ctx *ctx, size_t size,
				    enum ufd_obj_type type);
struct ufd_object *ufd_object_alloc_ucmd(struct ufd_ucmd *ucmd, size_t size,
					 enum ufd_obj_type type);
void ufd_object_finalize(struct ufd_ctx *ctx, struct ufd_object *obj);
void ufd_object_abort(struct ufd_ctx *ctx, struct ufd_object *obj);
void ufd_object_abort_and_destroy(struct ufd_ctx *ctx, struct ufd_object *obj);
struct ufd_object *ufd_get_object(struct ufd_ctx *ctx, uint32_t id,
				  enum ufd_obj_type type);
void ufd_put_object(struct ufd_ctx *ctx, struct ufd_object *obj);
int ufd_object_remove(struct ufd_ctx *ctx, uint32_t id);
int ufd_object_tombstone(struct ufd_ctx *ctx, uint32_t id);
void ufd_objects_destroy_all(struct ufd_ctx *ctx);
unsigned int ufd_object_count(struct ufd_ctx *ctx);
bool ufd_objects_empty_locked(struct ufd_ctx *ctx);

/*
 * Takes a long-term reference on an object the caller already holds a
 * reference to (e.g. from ufd_get_object()); pairs with ufd_object_unref().
 */
static inline void ufd_object_ref(struct ufd_object *obj)
{
	atomic_fetch_add_explicit(&obj->users, 1, memory_order_relaxed);
}

/*
 * Takes a long-term reference unless the object is already on its way out
 * (its users count reached zero). Returns whether it did.
 */
static inline bool ufd_object_tryref(struct ufd_object *obj)
{
	uint32_t old = atomic_load(&obj->users);

	do {
		if (!old)
			return false;
	} while (!atomic_compare_exchange_weak(&obj->users, &old, old + 1));
	return true;
}

/* Drops a reference taken by ufd_object_ref(). Never the last one. */
static inline void ufd_object_unref(struct ufd_object *obj)
{
	atomic_fetch_sub_explicit(&obj->users, 1, memory_order_release);
}

/* Allocates an object of the given containing type (obj member at 0). */
#define ufd_object_alloc_type(ctx, ptr, type)                                  \
	((__typeof__(ptr))ufd_object_alloc(                                    \
		ctx, sizeof(*(ptr)) + BUILD_ASSERT_ZERO_OFFSET(ptr), type))
#define ufd_object_alloc_ucmd_type(ucmd, ptr, type)                            \
	((__typeof__(ptr))ufd_object_alloc_ucmd(                               \
		ucmd, sizeof(*(ptr)) + BUILD_ASSERT_ZERO_OFFSET(ptr), type))
#define BUILD_ASSERT_ZERO_OFFSET(ptr)                                          \
	(0 * sizeof(struct {                                                   \
		 _Static_assert(offsetof(__typeof__(*(ptr)), obj) == 0,        \
				"object header must be at offset 0");          \
		 int dummy;                                                    \
	 }))

/* dispatch.c */
int ufd_destroy_ioctl(struct ufd_ucmd *ucmd);
int ufd_ucmd_respond(struct ufd_ucmd *ucmd, size_t cmd_len);
long ufd_dispatch(struct ufd_ctx *ctx, unsigned int cmd, void *arg);

/* option.c */
int ufd_option_ioctl(struct ufd_ucmd *ucmd);

/* ioas.c */
int ufd_ioas_alloc_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_allow_iovas_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_change_process_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_copy_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_iova_ranges_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_map_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_map_file_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_noiommu_get_pa_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_unmap_ioctl(struct ufd_ucmd *ucmd);
int ufd_ioas_option(struct ufd_ucmd *ucmd);
void ufd_ioas_destroy(struct ufd_object *obj);
struct ufd_ioas *ufd_get_ioas(struct ufd_ctx *ctx, uint32_t id);

/* hwpt.c */
int ufd_hwpt_alloc_ioctl(struct ufd_ucmd *ucmd);
int ufd_hwpt_invalidate_ioctl(struct ufd_ucmd *ucmd);
int ufd_hwpt_set_dirty_tracking_ioctl(struct ufd_ucmd *ucmd);
int ufd_hwpt_get_dirty_bitmap_ioctl(struct ufd_ucmd *ucmd);

/* device.c */
int ufd_get_hw_info_ioctl(struct ufd_ucmd *ucmd);

/* eventq.c */
int ufd_fault_alloc_ioctl(struct ufd_ucmd *ucmd);
int ufd_veventq_alloc_ioctl(struct ufd_ucmd *ucmd);

/* viommu.c */
int ufd_viommu_alloc_ioctl(struct ufd_ucmd *ucmd);
int ufd_vdevice_alloc_ioctl(struct ufd_ucmd *ucmd);
int ufd_hw_queue_alloc_ioctl(struct ufd_ucmd *ucmd);

/* vfio_compat.c */
int ufd_vfio_ioas_ioctl(struct ufd_ucmd *ucmd);
long ufd_vfio_ioctl(struct ufd_ctx *ctx, unsigned int cmd, void *arg);

/* selftest.c */
int ufd_test_cmd_ioctl(struct ufd_ucmd *ucmd);

#endif
