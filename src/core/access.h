/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access objects: the in-process API through which emulated and mediated
 * devices reach IOAS memory by IOVA (Linux's iommufd_access_* driver API).
 * The device model creates an access, attaches it to an IOAS, pins pages
 * or reads and writes by IOVA, and must drop its pins when its unmap
 * callback says a range is going away.
 *
 * An access object appears in the context's object table (its id may be
 * passed around), but belongs to the device model that created it: the
 * creator holds a reference, so IOMMU_DESTROY on it answers EBUSY until
 * ufd_access_destroy().
 */
#ifndef UIOMMUFD_CORE_ACCESS_H
#define UIOMMUFD_CORE_ACCESS_H

#include "core/core.h"
#include "core/ioas.h"

struct ufd_access_ops {
	/*
	 * The access pins pages (ufd_access_pin_pages()), so its IOVAs must
	 * be CPU-page aligned; one that only reads and writes takes any.
	 */
	bool needs_pin_pages;
	/* Drop every pin inside [iova, iova + length). */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

/* ufd_access_rw() and ufd_access_pin_pages() flags */
#define UFD_ACCESS_WRITE (1u << 0)

/*
 * ioas_lock serialises attach, replace, detach and the IOAS pointer that
 * pin/rw use; it nests outside the io_pagetable's locks.
 */
struct ufd_access {
	struct ufd_object obj;
	struct ufd_ctx *ctx;
	const struct ufd_access_ops *ops;
	void *data;
	struct ufd_mutex ioas_lock;
	struct ufd_ioas *ioas; /* ioas_lock; holds a users ref on it */
	struct iopt_access iacc;
	bool internal; /* ufd_access_create_internal(); fixed */
};

struct ufd_access *ufd_access_create(struct ufd_ctx *ctx,
				     const struct ufd_access_ops *ops,
				     void *data);
void ufd_access_destroy(struct ufd_access *access);
struct ufd_access *ufd_access_create_internal(struct ufd_ctx *ctx);
void ufd_access_destroy_internal(struct ufd_access *access);
int ufd_access_attach(struct ufd_access *access, uint32_t ioas_id);
int ufd_access_replace(struct ufd_access *access, uint32_t ioas_id);
void ufd_access_detach(struct ufd_access *access);
int ufd_access_pin_pages(struct ufd_access *access, uint64_t iova,
			 uint64_t length, uintptr_t *out_pages,
			 unsigned int flags);
void ufd_access_unpin_pages(struct ufd_access *access, uint64_t iova,
			    uint64_t length);
int ufd_access_rw(struct ufd_access *access, uint64_t iova, void *buf,
		  uint64_t len, unsigned int flags);
void ufd_access_object_destroy(struct ufd_object *obj);

#endif
