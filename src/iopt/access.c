// SPDX-License-Identifier: BSD-3-Clause
/*
 * Accesses: emulated and mediated devices that reach the memory of an IOAS
 * by IOVA through the CPU rather than through a domain (Linux's
 * iommufd_access, used for mdevs behind a vIOMMU and by the selftests).
 *
 * An access may pin the pages behind an IOVA range to get their host
 * addresses, or read and write by IOVA. Pins go through the same per-page
 * counts as domain pins, so memory is faulted in and charged once. The
 * contract with unmap: an area an access has pinned is not torn down under
 * it; the unmap marks the area (no new pins or reads), tells every access
 * the range is going (ops->unmap, called with no io_pagetable lock held)
 * and tries again once they have let go.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/gate.h"
#include "base/overflow.h"
#include "iopt/iopt_private.h"

/**
 * iopt_add_access() - attach an access to an io_pagetable
 *
 * The access's IOVA alignment becomes part of what every mapping needs.
 *
 * Return: 0, or -EADDRINUSE if existing areas do not meet it.
 */
int iopt_add_access(struct io_pagetable *iopt, struct iopt_access *access)
{
	uint64_t old;
	int rc = 0;

	ufd_mutex_lock(&iopt->access_lock);
	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	old = iopt->access_alignment;
	iopt->access_alignment = ufd_max(old, access->iova_alignment);
	if (!iopt_areas_aligned(iopt, iopt_calc_alignment(iopt))) {
		iopt->access_alignment = old;
		rc = -EADDRINUSE;
		goto out_unlock;
	}
	iopt->iova_alignment = iopt_calc_alignment(iopt);
	access->next = iopt->accesses;
	iopt->accesses = access;
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_mutex_unlock(&iopt->access_lock);
	return rc;
}

/**
 * iopt_remove_access() - detach an access; it must hold no pins
 *
 * Must not be called from the access's own unmap callback.
 */
void iopt_remove_access(struct io_pagetable *iopt, struct iopt_access *access)
{
	struct iopt_access **pp, *a;
	uint64_t align = 1;

	ufd_mutex_lock(&iopt->access_lock);
	for (pp = &iopt->accesses; *pp; pp = &(*pp)->next) {
		if (*pp == access) {
			*pp = access->next;
			break;
		}
	}
	for (a = iopt->accesses; a; a = a->next)
		align = ufd_max(align, a->iova_alignment);
	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	iopt->access_alignment = align;
	iopt->iova_alignment = iopt_calc_alignment(iopt);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_mutex_unlock(&iopt->access_lock);
}

/** iopt_access_notify_unmap() - tell every access [iova, +length) goes */
void iopt_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
			      uint64_t length)
{
	struct iopt_access *a;

	ufd_mutex_lock(&iopt->access_lock);
	for (a = iopt->accesses; a; a = a->next)
		if (a->ops && a->ops->unmap)
			a->ops->unmap(a->data, iova, length);
	ufd_mutex_unlock(&iopt->access_lock);
}

/* The part of one area that a walk over an IOVA range visits. */
struct piece_walk {
	struct iopt_area *area;
	uint64_t start, last; /* the IOVA piece inside the area */
};

/*
 * Calls fn for each area piece of [iova, last], which must be mapped
 * without holes (-ENOENT otherwise). iova_rwsem held for read. Stops at
 * the first error.
 */
static int walk_pieces(struct io_pagetable *iopt, uint64_t iova, uint64_t last,
		       int (*fn)(struct piece_walk *w, void *arg), void *arg)
{
	struct rangemap_node *node;
	uint64_t next = iova;
	int rc;

	rangemap_for_each (node, &iopt->areas, iova, last) {
		struct piece_walk w = {
			.area = to_area(node),
			.start = ufd_max(node->start, iova),
			.last = ufd_min(node->last, last),
		};

		if (w.start != next)
			return -ENOENT;
		rc = fn(&w, arg);
		if (rc)
			return rc;
		if (w.last == last)
			return 0;
		next = w.last + 1;
	}
	return -ENOENT;
}

/* Page index range of a piece in its area's pages. */
static void piece_pages(const struct piece_walk *w, uint64_t *first,
			uint64_t *last)
{
	uint64_t off = w->area->pages_byte + (w->start - w->area->node.start);

	*first = off / iopt_page_size();
	*last = (off + (w->last - w->start)) / iopt_page_size();
}

struct pin_arg {
	bool write;
	bool lock;
	uintptr_t *out;
	size_t nout;
	uint64_t done_last; /* last IOVA pinned so far, for unwinding */
	bool any;
};

static int pin_piece(struct piece_walk *w, void *arg)
{
	struct pin_arg *p = arg;
	uint64_t first, last, i;
	int rc;

	if (w->area->prevent_access)
		return -EINVAL;
	if (p->write && !(w->area->prot & IOPT_PROT_WRITE))
		return -EPERM;
	piece_pages(w, &first, &last);
	rc = iopt_pages_pin(w->area->pages, first, last, p->write);
	if (rc)
		return rc;
	atomic_fetch_add(&w->area->num_accesses, 1);
	/* The host addresses go out: these pages cannot move (move.c). */
	atomic_fetch_add(&w->area->pages->access_pins, 1);
	if (p->lock)
		atomic_fetch_add(&w->area->num_locks, 1);
	for (i = first; i <= last; i++)
		p->out[p->nout++] = iopt_pages_host_addr(w->area->pages,
							 i * iopt_page_size());
	p->done_last = w->last;
	p->any = true;
	return 0;
}

static int unpin_piece(struct piece_walk *w, void *arg)
{
	const unsigned int *flags = arg;
	uint64_t first, last;

	piece_pages(w, &first, &last);
	iopt_pages_unpin(w->area->pages, first, last);
	atomic_fetch_sub(&w->area->pages->access_pins, 1);
	atomic_fetch_sub(&w->area->num_accesses, 1);
	if (*flags & IOPT_PIN_LOCK)
		atomic_fetch_sub(&w->area->num_locks, 1);
	return 0;
}

/**
 * iopt_access_pin() - pin the pages behind [iova, iova + length)
 * @iopt: the io_pagetable
 * @iova: first IOVA, aligned to the CPU page
 * @length: bytes, not 0
 * @out_pages: receives the host address of each CPU page of the range
 * @flags: IOPT_PIN_WRITE: the access will write; IOPT_PIN_LOCK: the areas
 *         cannot be unmapped (EBUSY) until unpinned, and the access is not
 *         asked to let go (an internal access: a queue the hardware reads)
 *
 * Undo with iopt_access_unpin() on exactly the same range and flags.
 *
 * Return: 0; -EINVAL (zero length, misaligned, area being unmapped);
 * -EOVERFLOW; -ENOENT (not all mapped); -EPERM (write to a read-only
 * mapping); -EFAULT / -ENOMEM (pinning).
 */
int iopt_access_pin(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uintptr_t *out_pages, unsigned int flags)
{
	struct pin_arg p = {
		.write = flags & IOPT_PIN_WRITE,
		.lock = flags & IOPT_PIN_LOCK,
		.out = out_pages,
	};
	uint64_t last;
	int rc;

	if (!length || iova % iopt_page_size())
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	rc = walk_pieces(iopt, iova, last, pin_piece, &p);
	if (rc && p.any)
		walk_pieces(iopt, iova, p.done_last, unpin_piece, &flags);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_gate_exit();
	return rc;
}

/** iopt_access_unpin() - drop what iopt_access_pin() took on that range */
void iopt_access_unpin(struct io_pagetable *iopt, uint64_t iova,
		       uint64_t length, unsigned int flags)
{
	uint64_t last;

	if (!length || check_add_overflow(iova, length - 1, &last))
		return;
	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	walk_pieces(iopt, iova, last, unpin_piece, &flags);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_gate_exit();
}

struct rw_arg {
	uint8_t *buf;
	uint64_t iova;
	unsigned int flags;
};

static int rw_piece(struct piece_walk *w, void *arg)
{
	struct rw_arg *a = arg;
	bool write = a->flags & IOPT_ACCESS_RW_WRITE;
	uint64_t first, last, n = w->last - w->start + 1, off, run;
	uint64_t byte = w->area->pages_byte + (w->start - w->area->node.start);
	uint8_t *host, *buf = a->buf + (w->start - a->iova);
	int rc;

	if (w->area->prevent_access)
		return -EINVAL;
	if (write && !(w->area->prot & IOPT_PROT_WRITE))
		return -EPERM;
	/* Pinning for the copy makes an unmapped page EFAULT, not a crash. */
	piece_pages(w, &first, &last);
	rc = iopt_pages_pin(w->area->pages, first, last, write);
	if (rc)
		return rc;
	for (off = 0; off < n; off += run) {
		host = (uint8_t *)iopt_pages_host_run(w->area->pages,
						      byte + off, &run);
		run = ufd_min(run, n - off);
		if (write)
			memcpy(host, buf + off, run);
		else
			memcpy(buf + off, host, run);
	}
	iopt_pages_unpin(w->area->pages, first, last);
	return 0;
}

/**
 * iopt_access_rw() - read or write IOAS memory by IOVA
 * @iopt: the io_pagetable
 * @iova: first IOVA (any byte alignment)
 * @buf: the data
 * @len: bytes, not 0
 * @flags: IOPT_ACCESS_RW_WRITE to write
 *
 * Return: 0; -EINVAL; -EOVERFLOW; -ENOENT (not all mapped); -EPERM (write
 * to a read-only mapping); -EFAULT (memory not mapped).
 */
int iopt_access_rw(struct io_pagetable *iopt, uint64_t iova, void *buf,
		   uint64_t len, unsigned int flags)
{
	struct rw_arg a = { .buf = buf, .iova = iova, .flags = flags };
	uint64_t last;
	int rc;

	if (!len)
		return -EINVAL;
	if (check_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	rc = walk_pieces(iopt, iova, last, rw_piece, &a);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_gate_exit();
	return rc;
}
