// SPDX-License-Identifier: BSD-3-Clause
/*
 * Test dma-bufs: what they are, how they are found again, and how revoking
 * one takes its translations out of every domain.
 *
 * What. The kernel's selftest exports a dma-buf of kernel memory
 * (IOMMU_TEST_OP_DMABUF_GET; the ioctl's result is the new descriptor),
 * can revoke it (IOMMU_TEST_OP_DMABUF_REVOKE), and iommufd imports it
 * through IOMMU_IOAS_MAP_FILE. Here a test dma-buf is a memfd we create,
 * laid out as
 *
 *	[0, length)			the buffer: zeroed, what devices reach
 *	[length, length + 4 KiB)	a trailer: magic, length, revoked flag
 *
 * and sealed against growing, shrinking and further seals, so its size,
 * and with it the place of the trailer, never changes. Any descriptor for
 * the file (the one we returned, a dup, a reopen through /proc) is
 * recognised by reading it: a regular file carrying our three seals, a
 * size of whole pages, and a trailer whose magic and length agree with
 * that size.
 *
 * Why the state lives in the file. A kernel dma-buf lives while a
 * descriptor or an importer holds it. A registry of buffers here could not
 * see the program close its descriptor: it would leak, or need a hook in
 * every context's teardown. With the exporter's state in the file, the
 * buffer lives exactly as long as the kernel's would: while the program
 * has a descriptor for it or an importer has a window of it mapped. The
 * only list kept here is of importers (attachments), and each entry
 * belongs to an iopt_pages and goes with it, so nothing outlives the
 * contexts whose IOAS made it.
 *
 * Importing. Each IOMMU_IOAS_MAP_FILE of a buffer makes a new iopt_pages
 * of source IOPT_PAGES_DMABUF, and that is one attachment: a shared
 * mapping of the window, never pinned and never charged to RLIMIT_MEMLOCK
 * (the kernel's dma-buf path neither pins nor accounts). Accesses cannot
 * reach it: pinning answers EINVAL, as in Linux. An attachment keeps the
 * (area, domain) pairs that map it, its tracks: a pair is added when the
 * io_pagetable fills an area into a domain and dropped when it unfills it.
 *
 * Revocation, with Linux 7.3's semantics:
 *  - the exporter's revoked flag decides whether a new attachment may be
 *    made: IOMMU_IOAS_MAP_FILE of a revoked buffer answers ENODEV, after
 *    the window checks, which answer EINVAL first;
 *  - every IOMMU_TEST_OP_DMABUF_REVOKE, whatever its value, invalidates the
 *    buffer's current attachments, as the kernel's test exporter does:
 *    every tracked (area, domain) range is unmapped before the op returns,
 *    so a DMA there faults, and the attachment is marked revoked;
 *  - that mark is for good: an invalidated attachment never maps again.
 *    A domain attached later fills fine and skips it (tracks it, maps
 *    nothing), and unfilling skips the domains. After an un-revoke the
 *    program unmaps the area and maps the buffer again, which makes a new,
 *    live attachment (what the kernel's selftest does to restore an IOVA).
 *
 * Locking. dmabuf_lock, one mutex for the process, is the exporter's lock
 * (the kernel's reservation lock): trailers are read for decisions and
 * written only under it, and it guards the attachment list, so a revoke
 * and an attach are ordered and no attachment is made from a stale flag.
 * An attachment's revoked flag and tracks are guarded by its pages'
 * mutex, which the io_pagetable takes around every fill and unfill of an
 * area of those pages, and the revoke path around its unmaps.
 *
 * Lock order: iova_rwsem -> dmabuf_lock -> pages->mutex -> a domain's own
 * locks. The io_pagetable takes dmabuf_lock only to release pages (under
 * its locks, never under a pages mutex); the revoke path takes no
 * io_pagetable lock at all, which is why it needs the tracks rather than
 * the io_pagetable's domain array. A domain or area named by a track is
 * alive: both are untracked, under the pages mutex, before they go.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/sys.h"
#include "iopt/dmabuf.h"
#include "iopt/io_pagetable.h"
#include "iopt/pages.h"

#define DMABUF_PAGE 4096ull
#define DMABUF_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW)
#define DMABUF_NAME "uiommufd-dmabuf"

/* The first bytes of the trailer page. */
struct dmabuf_trailer {
	char magic[16];
	uint64_t length;  /* bytes of buffer before the trailer */
	uint32_t revoked; /* the exporter's flag: no new attachment */
	uint32_t reserved;
};

static const char dmabuf_magic[16] = "uiommufd dmabuf";

/* What a descriptor's trailer says. */
struct dmabuf_id {
	uint64_t dev;
	uint64_t ino;
	uint64_t length;
	bool revoked;
};

/* An (area, domain) pair that maps an attachment. */
struct dmabuf_track {
	struct iopt_area *area;
	struct iopt_domain *domain;
	struct dmabuf_track *next;
};

/* One importer of one buffer: the iopt_pages that maps a window of it. */
struct iopt_dmabuf_attach {
	struct iopt_pages *pages; /* fixed */
	uint64_t dev;		  /* the buffer's file; fixed */
	uint64_t ino;
	/* The attachment list; dmabuf_lock. */
	struct iopt_dmabuf_attach *next;
	struct iopt_dmabuf_attach **pprev;
	/* Invalidated: no translation, ever again; pages->mutex. */
	bool revoked;
	struct dmabuf_track *tracks; /* pages->mutex */
};

static struct ufd_mutex dmabuf_lock = UFD_MUTEX_INIT;
static struct iopt_dmabuf_attach *attachments; /* dmabuf_lock */

static void sys_close(long fd)
{
	ufd_sys6(SYS_close, fd, 0, 0, 0, 0, 0);
}

/*
 * What @fd names. Return: 1 with *id filled for a test dma-buf, 0 for any
 * other open file (one we cannot read included), -EBADF if @fd is not
 * open. Decisions are taken on what it reads under dmabuf_lock.
 */
static int dmabuf_read(int fd, struct dmabuf_id *id)
{
	struct dmabuf_trailer tr;
	struct stat st;
	long seals, n;

	if (ufd_sys6(SYS_fstat, fd, (long)&st, 0, 0, 0, 0))
		return -EBADF;
	if (!S_ISREG(st.st_mode) || st.st_size < 2 * (long)DMABUF_PAGE ||
	    st.st_size % DMABUF_PAGE)
		return 0;
	seals = ufd_sys6(SYS_fcntl, fd, F_GET_SEALS, 0, 0, 0, 0);
	if (seals < 0 || (seals & DMABUF_SEALS) != DMABUF_SEALS)
		return 0;
	n = ufd_sys6(SYS_pread64, fd, (long)&tr, sizeof(tr),
		     st.st_size - (long)DMABUF_PAGE, 0, 0);
	if (n != (long)sizeof(tr) ||
	    memcmp(tr.magic, dmabuf_magic, sizeof(tr.magic)) ||
	    tr.length != (uint64_t)st.st_size - DMABUF_PAGE)
		return 0;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->length = tr.length;
	id->revoked = tr.revoked;
	return 1;
}

/* Records the exporter's flag in the trailer. dmabuf_lock held. */
static int dmabuf_write_revoked(int fd, const struct dmabuf_id *id,
				bool revoked)
{
	uint32_t v = revoked;
	long n;

	n = ufd_sys6(
		SYS_pwrite64, fd, (long)&v, sizeof(v),
		(long)(id->length + offsetof(struct dmabuf_trailer, revoked)),
		0, 0);
	if (n == (long)sizeof(v))
		return 0;
	return n < 0 ? (int)n : -EIO;
}

/**
 * iopt_dmabuf_create() - a new test dma-buf (IOMMU_TEST_OP_DMABUF_GET)
 * @length: bytes, rounded up to whole pages
 * @open_flags: O_CLOEXEC and O_NONBLOCK are honoured on the descriptor;
 *		other bits are ignored, as the kernel's exporter ignores them
 *
 * The descriptor is the program's; the buffer lives until the program
 * closes every descriptor for it and no IOAS maps it any more.
 *
 * Return: the new descriptor (>= 0); -EINVAL (no length, or more than
 * IOPT_DMABUF_MAX_PAGES pages); -ENOMEM; or the system's error creating
 * the file (-EMFILE, -ENFILE...).
 */
int iopt_dmabuf_create(uint64_t length, uint32_t open_flags)
{
	struct dmabuf_trailer tr = { .revoked = 0 };
	unsigned int mfd_flags = MFD_ALLOW_SEALING;
	uint64_t len;
	long fd, rc;

	/* Checked before rounding, so the rounding cannot overflow. */
	if (!length || length > IOPT_DMABUF_MAX_PAGES * DMABUF_PAGE)
		return -EINVAL;
	len = (length + DMABUF_PAGE - 1) & ~(DMABUF_PAGE - 1);
	/* The kernel allocates the buffer here; fail-nth may fail it. */
	if (ufd_fail_point(UFD_FAIL_POINT_ALLOC))
		return -ENOMEM;
	if (open_flags & O_CLOEXEC)
		mfd_flags |= MFD_CLOEXEC;
	fd = ufd_sys6(SYS_memfd_create, (long)DMABUF_NAME, mfd_flags, 0, 0, 0,
		      0);
	if (fd < 0)
		return (int)fd;
	rc = ufd_sys6(SYS_ftruncate, fd, (long)(len + DMABUF_PAGE), 0, 0, 0, 0);
	if (rc)
		goto out_close;
	memcpy(tr.magic, dmabuf_magic, sizeof(tr.magic));
	tr.length = len;
	rc = ufd_sys6(SYS_pwrite64, fd, (long)&tr, sizeof(tr), (long)len, 0, 0);
	if (rc != (long)sizeof(tr)) {
		rc = rc < 0 ? rc : -EIO;
		goto out_close;
	}
	rc = ufd_sys6(SYS_fcntl, fd, F_ADD_SEALS, DMABUF_SEALS, 0, 0, 0);
	if (rc)
		goto out_close;
	if (open_flags & O_NONBLOCK) {
		rc = ufd_sys6(SYS_fcntl, fd, F_SETFL, O_NONBLOCK, 0, 0, 0);
		if (rc)
			goto out_close;
	}
	return (int)fd;

out_close:
	sys_close(fd);
	return (int)rc;
}

/*
 * Takes every translation of an attachment away, once. dmabuf_lock held,
 * which keeps the attachment (and so its pages) from being freed.
 */
static void attach_invalidate(struct iopt_dmabuf_attach *at)
{
	struct dmabuf_track *t;

	ufd_mutex_lock(&at->pages->mutex);
	if (!at->revoked) {
		/* Dma-buf areas are never split: their range is fixed. */
		for (t = at->tracks; t; t = t->next)
			t->domain->ops->unmap(t->domain,
					      iopt_area_iova(t->area),
					      iopt_area_length(t->area));
		at->revoked = true;
	}
	ufd_mutex_unlock(&at->pages->mutex);
}

/**
 * iopt_dmabuf_revoke() - revoke or restore a test dma-buf
 *			  (IOMMU_TEST_OP_DMABUF_REVOKE)
 * @fd: a descriptor for the buffer, open for reading and writing
 * @revoked: the exporter's new state: refuse new attachments, or not
 *
 * Whatever @revoked says, every current attachment is invalidated: its
 * translations have left every domain when this returns (see the top of
 * this file for why that is Linux's behaviour).
 *
 * Return: 0; -EBADF (@fd is not open, or not for writing); -EINVAL (@fd
 * names something else than a test dma-buf).
 */
int iopt_dmabuf_revoke(int fd, bool revoked)
{
	struct iopt_dmabuf_attach *at;
	struct dmabuf_id id;
	int rc;

	ufd_mutex_lock(&dmabuf_lock);
	rc = dmabuf_read(fd, &id);
	if (rc <= 0) {
		rc = rc ? rc : -EINVAL;
		goto out_unlock;
	}
	rc = dmabuf_write_revoked(fd, &id, revoked);
	if (rc)
		goto out_unlock;
	for (at = attachments; at; at = at->next)
		if (at->dev == id.dev && at->ino == id.ino)
			attach_invalidate(at);
out_unlock:
	ufd_mutex_unlock(&dmabuf_lock);
	return rc;
}

/**
 * iopt_dmabuf_match() - does @fd name a test dma-buf?
 * @fd: the program's descriptor
 *
 * For choosing the path of IOMMU_IOAS_MAP_FILE. A guess taken without the
 * lock: iopt_dmabuf_attach() reads the buffer again under it.
 */
bool iopt_dmabuf_match(int fd)
{
	struct dmabuf_id id;

	return dmabuf_read(fd, &id) > 0;
}

/**
 * iopt_dmabuf_attach() - make @pages an importer of the buffer @fd names
 * @pages: new pages of source IOPT_PAGES_DMABUF with their window set
 *	   (file_start, map_len, writable) and nothing mapped yet
 * @fd: the program's descriptor
 * @start: first byte of the window in the buffer
 * @length: bytes, not 0, with start + length - 1 not overflowing
 *
 * Maps the window and links the attachment, which iopt_dmabuf_detach()
 * undoes when the pages go.
 *
 * Return: 0; -EINVAL (@fd names no test dma-buf, or the window reaches
 * past its end); -ENODEV (the buffer is revoked); -EBADF; -EPERM (a
 * writable window of a descriptor not open for writing); -ENOMEM.
 */
int iopt_dmabuf_attach(struct iopt_pages *pages, int fd, uint64_t start,
		       uint64_t length)
{
	struct iopt_dmabuf_attach *at;
	struct dmabuf_id id;
	void *map;
	int rc;

	at = ufd_zalloc(sizeof(*at));
	if (!at)
		return -ENOMEM;
	ufd_mutex_lock(&dmabuf_lock);
	rc = dmabuf_read(fd, &id);
	if (rc <= 0) {
		rc = rc ? rc : -EINVAL;
		goto out_unlock;
	}
	/* The window first, as Linux: EINVAL before ENODEV. */
	if (start + (length - 1) >= id.length) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (id.revoked) {
		rc = -ENODEV;
		goto out_unlock;
	}
	map = ufd_sys_mmap(NULL, pages->map_len,
			   PROT_READ | (pages->writable ? PROT_WRITE : 0),
			   MAP_SHARED, fd, (long)(start - start % DMABUF_PAGE));
	rc = ufd_sys_ptr_err(map);
	if (rc) {
		if (rc == -EACCES)
			rc = -EPERM;
		goto out_unlock;
	}
	pages->base = (uintptr_t)map;
	at->pages = pages;
	at->dev = id.dev;
	at->ino = id.ino;
	at->next = attachments;
	if (attachments)
		attachments->pprev = &at->next;
	at->pprev = &attachments;
	attachments = at;
	pages->dmabuf = at;
	at = NULL;
out_unlock:
	ufd_mutex_unlock(&dmabuf_lock);
	ufd_free(at);
	return rc;
}

/**
 * iopt_dmabuf_detach() - the pages of an attachment are being freed
 * @pages: dma-buf pages whose last reference is gone
 *
 * Unlinks the attachment, so no revoke can reach the pages any more; the
 * caller then unmaps the window. Every area unfilled itself before it let
 * go of the pages, so no track is left.
 */
void iopt_dmabuf_detach(struct iopt_pages *pages)
{
	struct iopt_dmabuf_attach *at = pages->dmabuf;

	ufd_mutex_lock(&dmabuf_lock);
	*at->pprev = at->next;
	if (at->next)
		at->next->pprev = at->pprev;
	ufd_mutex_unlock(&dmabuf_lock);
	UFD_WARN_ON(at->tracks);
	pages->dmabuf = NULL;
	ufd_free(at);
}

/**
 * iopt_dmabuf_fill() - map a dma-buf area into domains
 * @area: an area of dma-buf pages
 * @domains: the domains
 * @n: how many
 * @small_only: the io_pagetable's large-page setting (disabled: true)
 *
 * Tracks (@area, domain) for each domain, and maps the area into it unless
 * the attachment was revoked. All or nothing. Called with the
 * io_pagetable's domains_rwsem and iova_rwsem held.
 *
 * Return: 0, -ENOMEM, or the domain's map error.
 */
int iopt_dmabuf_fill(struct iopt_area *area, struct iopt_domain *const *domains,
		     unsigned int n, bool small_only)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf_attach *at = pages->dmabuf;
	struct dmabuf_track *fresh = NULL, *tail = NULL, *t;
	unsigned int i;
	int rc = 0;

	/* Allocated first: nothing to undo in the domains if this fails. */
	for (i = 0; i < n; i++) {
		t = ufd_zalloc(sizeof(*t));
		if (!t) {
			rc = -ENOMEM;
			goto out_free;
		}
		t->area = area;
		t->domain = domains[i];
		t->next = fresh;
		fresh = t;
		if (!tail)
			tail = t;
	}

	ufd_mutex_lock(&pages->mutex);
	if (!at->revoked) {
		for (i = 0; i < n; i++) {
			/* base never changes for dma-buf pages. */
			rc = domains[i]->ops->map(
				domains[i], iopt_area_iova(area),
				pages->base + area->pages_byte,
				iopt_area_length(area), area->prot, small_only);
			if (rc)
				goto out_unmap;
		}
	}
	if (tail) {
		tail->next = at->tracks;
		at->tracks = fresh;
		fresh = NULL;
	}
	goto out_unlock;

out_unmap:
	while (i--)
		domains[i]->ops->unmap(domains[i], iopt_area_iova(area),
				       iopt_area_length(area));
out_unlock:
	ufd_mutex_unlock(&pages->mutex);
out_free:
	while ((t = fresh)) {
		fresh = t->next;
		ufd_free(t);
	}
	return rc;
}

/* Unlinks the track of (@area, @domain). pages->mutex held. */
static struct dmabuf_track *track_take(struct iopt_dmabuf_attach *at,
				       struct iopt_area *area,
				       struct iopt_domain *domain)
{
	struct dmabuf_track **link, *t;

	for (link = &at->tracks; (t = *link); link = &t->next) {
		if (t->area == area && t->domain == domain) {
			*link = t->next;
			return t;
		}
	}
	return NULL;
}

/**
 * iopt_dmabuf_unfill() - unmap a dma-buf area from domains
 * @area: an area of dma-buf pages, filled into every one of @domains
 * @domains: the domains
 * @n: how many
 *
 * Unmaps the area (a revoked attachment was unmapped already) and forgets
 * the tracks. Called with the io_pagetable's domains_rwsem and iova_rwsem
 * held, before the area or a domain goes.
 */
void iopt_dmabuf_unfill(struct iopt_area *area,
			struct iopt_domain *const *domains, unsigned int n)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf_attach *at = pages->dmabuf;
	struct dmabuf_track *gone = NULL, *t;
	unsigned int i;

	ufd_mutex_lock(&pages->mutex);
	for (i = 0; i < n; i++) {
		if (!at->revoked)
			domains[i]->ops->unmap(domains[i], iopt_area_iova(area),
					       iopt_area_length(area));
		t = track_take(at, area, domains[i]);
		if (UFD_WARN_ON(!t))
			continue;
		t->next = gone;
		gone = t;
	}
	ufd_mutex_unlock(&pages->mutex);
	while ((t = gone)) {
		gone = t->next;
		ufd_free(t);
	}
}
