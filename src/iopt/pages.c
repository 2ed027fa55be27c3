// SPDX-License-Identifier: BSD-3-Clause
/*
 * iopt_pages: pin counts, population and accounting of the memory behind
 * areas. See pages.h for the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/overflow.h"
#include "base/sys.h"
#include "iopt/dmabuf.h"
#include "iopt/mapped.h"
#include "iopt/pages.h"
#include "iopt/pinned.h"

#define IOPT_PAGE_SIZE 4096ull

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

/** iopt_page_size() - the CPU page size pins are counted in (x86-64) */
uint64_t iopt_page_size(void)
{
	return IOPT_PAGE_SIZE;
}

static struct iopt_pages *pages_alloc(uint64_t first_offset, uint64_t length,
				      bool writable,
				      struct iopt_account *account)
{
	struct iopt_pages *pages;
	uint64_t end;

	if (check_add_overflow(first_offset, length, &end) ||
	    end > UINT64_MAX - IOPT_PAGE_SIZE)
		return ERR_PTR(-EOVERFLOW);
	pages = ufd_zalloc(sizeof(*pages));
	if (!pages)
		return ERR_PTR(-ENOMEM);
	atomic_init(&pages->refs, 1);
	pages->writable = writable;
	pages->first_offset = first_offset;
	pages->npages = (end + IOPT_PAGE_SIZE - 1) / IOPT_PAGE_SIZE;
	pages->account = account;
	pages->fd = -1;
	ufd_mutex_init(&pages->mutex);
	return pages;
}

/*
 * Pages for bytes [@start, @start + @length) of a file or dma-buf, which
 * the caller then maps (base) or attaches; pages_discard() if that fails.
 */
static struct iopt_pages *pages_alloc_window(enum iopt_pages_source source,
					     uint64_t start, uint64_t length,
					     bool writable,
					     struct iopt_account *account)
{
	struct iopt_pages *pages =
		pages_alloc(start % IOPT_PAGE_SIZE, length, writable, account);

	if (IS_ERR(pages))
		return pages;
	pages->source = source;
	pages->file_start = start;
	pages->map_len = pages->npages * IOPT_PAGE_SIZE;
	return pages;
}

/* Frees the pages object itself (its mapping and pins are gone). */
static void pages_discard(struct iopt_pages *pages)
{
	ufd_mutex_destroy(&pages->mutex);
	ufd_free(pages);
}

/**
 * iopt_pages_alloc_user() - pages for a range of the caller's memory
 * @uptr: first byte
 * @length: bytes, not 0
 * @writable: whether the memory may be mapped for device writes
 * @account: where pins are charged
 *
 * Nothing is checked about the memory until it is pinned, as in Linux.
 *
 * Return: the pages with one reference, or ERR_PTR(-EINVAL / -EOVERFLOW /
 * -ENOMEM).
 */
struct iopt_pages *iopt_pages_alloc_user(uintptr_t uptr, uint64_t length,
					 bool writable,
					 struct iopt_account *account)
{
	struct iopt_pages *pages;
	uint64_t last;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((uint64_t)uptr, length - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	pages = pages_alloc(uptr % IOPT_PAGE_SIZE, length, writable, account);
	if (IS_ERR(pages))
		return pages;
	pages->source = IOPT_PAGES_USER;
	pages->base = uptr - uptr % IOPT_PAGE_SIZE;
	pages->seg0.pages = pages;
	pages->segs = &pages->seg0;
	iopt_pages_seg_reset(pages);
	return pages;
}

/**
 * iopt_pages_seg_reset() - user @pages are the program's range again
 *
 * One segment at base; what a move left is freed. mutex held, or the
 * pages not yet shared.
 */
void iopt_pages_seg_reset(struct iopt_pages *pages)
{
	if (pages->segs != &pages->seg0)
		ufd_free(pages->segs);
	pages->segs = &pages->seg0;
	pages->nsegs = 1;
	pages->seg0.first = 0;
	pages->seg0.node.start = pages->base;
	pages->seg0.node.last =
		pages->base + pages->npages * IOPT_PAGE_SIZE - 1;
}

/**
 * iopt_pages_alloc_file() - pages for a window of a memfd
 * @fd: the memfd; it is not kept open, our mapping holds the file
 * @start: offset in the file of the first byte
 * @length: bytes, not 0
 * @writable: map for device writes too
 * @account: where pins are charged
 *
 * Return: the pages, or ERR_PTR(): -EBADF (not a file descriptor), -EINVAL
 * (not a memfd, or the window reaches past the end of the file),
 * -EOVERFLOW, -ENOMEM.
 */
struct iopt_pages *iopt_pages_alloc_file(int fd, uint64_t start,
					 uint64_t length, bool writable,
					 struct iopt_account *account)
{
	uint64_t map_start = start - start % IOPT_PAGE_SIZE, end;
	struct iopt_pages *pages;
	struct stat st;
	void *map;
	int rc;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length, &end))
		return ERR_PTR(-EOVERFLOW);
	if (fstat(fd, &st))
		return ERR_PTR(-EBADF);
	/* Only memfds carry seals; that is how a memfd is recognised. */
	if (fcntl(fd, F_GET_SEALS) < 0 || !S_ISREG(st.st_mode))
		return ERR_PTR(-EINVAL);
	if (end > (uint64_t)st.st_size)
		return ERR_PTR(-EINVAL);

	pages = pages_alloc_window(IOPT_PAGES_FILE, start, length, writable,
				   account);
	if (IS_ERR(pages))
		return pages;
	map = ufd_sys_mmap(NULL, pages->map_len,
			   PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
			   fd, (long)map_start);
	rc = ufd_sys_ptr_err(map);
	if (rc) {
		pages_discard(pages);
		/* A write mapping of a read-only file: what EACCES means. */
		return ERR_PTR(rc == -EACCES ? -EPERM : rc);
	}
	pages->base = (uintptr_t)map;
	return pages;
}

/**
 * iopt_pages_alloc_dmabuf() - pages for a window of a test dma-buf
 * @fd: a descriptor for the buffer; not kept, our mapping holds the file
 * @start: offset in the buffer of the first byte
 * @length: bytes, not 0
 * @writable: map for device writes too
 *
 * The pages are one attachment of the buffer (dmabuf.c): never pinned,
 * never charged, and cut off from every domain when the buffer is revoked.
 *
 * Return: the pages, or ERR_PTR(): -EINVAL (zero length, not a test
 * dma-buf, or the window reaches past its end), -EOVERFLOW, -ENODEV (the
 * buffer is revoked), -EBADF, -EPERM, -ENOMEM.
 */
struct iopt_pages *iopt_pages_alloc_dmabuf(int fd, uint64_t start,
					   uint64_t length, bool writable)
{
	struct iopt_pages *pages;
	uint64_t last;
	int rc;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	pages = pages_alloc_window(IOPT_PAGES_DMABUF, start, length, writable,
				   NULL);
	if (IS_ERR(pages))
		return pages;
	rc = iopt_dmabuf_attach(pages, fd, start, length);
	if (rc) {
		pages_discard(pages);
		return ERR_PTR(rc);
	}
	return pages;
}

/** iopt_pages_get() - another reference; pairs with iopt_pages_put() */
void iopt_pages_get(struct iopt_pages *pages)
{
	atomic_fetch_add(&pages->refs, 1);
}

/** iopt_pages_put() - drop a reference; the last frees the pages */
void iopt_pages_put(struct iopt_pages *pages)
{
	if (atomic_fetch_sub(&pages->refs, 1) != 1)
		return;
	/* Every area that pinned has unpinned before dropping its ref. */
	if (pages->source == IOPT_PAGES_DMABUF)
		iopt_dmabuf_detach(pages); /* before the window goes */
	if (pages->source != IOPT_PAGES_USER)
		ufd_sys_munmap((void *)pages->base, pages->map_len);
	else
		iopt_pages_seg_reset(pages);
	ufd_free(pages->pin_counts);
	pages_discard(pages);
}

/* iopt_pages_host_run() with mutex held (or the pages not shared). */
static uintptr_t pages_host_run(const struct iopt_pages *pages, uint64_t byte,
				uint64_t *run)
{
	uint64_t total = pages->npages * IOPT_PAGE_SIZE, index, end;
	const struct iopt_pages_seg *seg;
	unsigned int lo = 0, hi;

	if (pages->source != IOPT_PAGES_USER || pages->nsegs == 1) {
		*run = total - byte;
		return pages->source == IOPT_PAGES_USER
			       ? pages->segs[0].node.start + byte
			       : pages->base + byte;
	}
	/* The last segment starting at or before the page. */
	index = byte / IOPT_PAGE_SIZE;
	hi = pages->nsegs;
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pages->segs[mid].first <= index)
			lo = mid;
		else
			hi = mid;
	}
	seg = &pages->segs[lo];
	end = lo + 1 < pages->nsegs ? pages->segs[lo + 1].first * IOPT_PAGE_SIZE
				    : total;
	*run = end - byte;
	return seg->node.start + (byte - seg->first * IOPT_PAGE_SIZE);
}

/*
 * Whether the kernel has MADV_POPULATE_READ/WRITE (Linux 5.14): probed
 * once on a page of our own. 0 unknown, 1 yes, -1 no.
 */
static _Atomic int have_populate;

static bool populate_supported(void)
{
	static long probe_page[IOPT_PAGE_SIZE / sizeof(long)]
		__attribute__((aligned(IOPT_PAGE_SIZE)));
	int v = atomic_load(&have_populate);

	if (!v) {
		v = ufd_sys_madvise(probe_page, sizeof(probe_page),
				    MADV_POPULATE_READ)
			    ? -1
			    : 1;
		atomic_store(&have_populate, v);
	}
	return v > 0;
}

/* Faults in [first, last] (page indexes) as pin_user_pages() would. */
static int pages_populate(struct iopt_pages *pages, uint64_t first,
			  uint64_t last, bool write)
{
	uint64_t byte = first * IOPT_PAGE_SIZE,
		 end = (last + 1) * IOPT_PAGE_SIZE;
	uint64_t run;
	uintptr_t host;

	if (ufd_fail_point("pin_pages"))
		return -EFAULT;
	for (; byte < end; byte += run) {
		host = pages_host_run(pages, byte, &run);
		if (run > end - byte)
			run = end - byte;
		/* Memory the program mapped as it should be needs no probe. */
		if (iopt_mapped_covers(host, run, write))
			continue;
		/* Without MADV_POPULATE there is no safe probe: trust it. */
		if (!populate_supported())
			return 0;
		/*
		 * Not mapped (ENOMEM), not accessible as asked (EINVAL,
		 * EFAULT) or not backed (a file hole past EOF): what pinning
		 * calls EFAULT.
		 */
		if (ufd_sys_madvise((void *)host, run,
				    write ? MADV_POPULATE_WRITE
					  : MADV_POPULATE_READ))
			return -EFAULT;
	}
	return 0;
}

/* Undoes count increments on [first, last] made by a failed pin. */
static uint64_t pages_drop_counts(struct iopt_pages *pages, uint64_t first,
				  uint64_t last)
{
	uint64_t i, released = 0;

	for (i = first; i <= last; i++)
		if (!--pages->pin_counts[i])
			released++;
	return released;
}

/**
 * iopt_pages_pin() - pin pages [first, last] (indexes) once more
 * @pages: the pages
 * @first: first page index
 * @last: last page index, inclusive
 * @write: the pin is for device writes too
 *
 * Pages pinned for the first time are faulted in and charged.
 *
 * Return: 0; -EFAULT if the memory is not mapped, or not writable when
 * @write; -ENOMEM if the charge exceeds RLIMIT_MEMLOCK or on allocation
 * failure; -EINVAL for dma-buf pages. On failure nothing changed.
 */
int iopt_pages_pin(struct iopt_pages *pages, uint64_t first, uint64_t last,
		   bool write)
{
	uint64_t i, run_start = 0, newly = 0;
	bool in_run = false, registered = false;
	int rc = 0;

	/* Dma-buf memory is not pinned; accesses to it are refused (Linux). */
	if (iopt_pages_is_dmabuf(pages))
		return -EINVAL;
	ufd_mutex_lock(&pages->mutex);
	if (!pages->pin_counts) {
		pages->pin_counts =
			ufd_calloc(pages->npages, sizeof(*pages->pin_counts));
		if (!pages->pin_counts) {
			rc = -ENOMEM;
			goto out_unlock;
		}
	}
	/*
	 * Registered before the memory is checked: an munmap() from now on
	 * keeps these pages, one before it made the check fail (pinned.h).
	 */
	registered = !pages->npinned && pages->source == IOPT_PAGES_USER;
	if (registered)
		iopt_pinned_add(pages);
	/* Fault in each run of not-yet-pinned pages with one call. */
	for (i = first; i <= last + 1; i++) {
		bool unpinned = i <= last && !pages->pin_counts[i];

		if (unpinned && !in_run) {
			run_start = i;
			in_run = true;
		} else if (!unpinned && in_run) {
			rc = pages_populate(pages, run_start, i - 1, write);
			if (rc)
				goto out_unlock;
			newly += i - run_start;
			in_run = false;
		}
	}
	rc = iopt_account_charge(pages->account, newly);
	if (rc)
		goto out_unlock;
	for (i = first; i <= last; i++)
		pages->pin_counts[i]++;
	pages->npinned += newly;
out_unlock:
	/* Nothing pinned after all: munmap() need not ask any more. */
	if (registered && !pages->npinned)
		iopt_pinned_del(pages);
	ufd_mutex_unlock(&pages->mutex);
	return rc;
}

/** iopt_pages_unpin() - drop one pin on pages [first, last] */
void iopt_pages_unpin(struct iopt_pages *pages, uint64_t first, uint64_t last)
{
	uint64_t released;

	ufd_mutex_lock(&pages->mutex);
	released = pages_drop_counts(pages, first, last);
	pages->npinned -= released;
	iopt_account_uncharge(pages->account, released);
	if (released && !pages->npinned && pages->source == IOPT_PAGES_USER)
		iopt_pinned_del(pages);
	ufd_mutex_unlock(&pages->mutex);
}

/** iopt_pages_pin_count() - how many pins page @index holds (for tests) */
uint32_t iopt_pages_pin_count(struct iopt_pages *pages, uint64_t index)
{
	uint32_t n;

	ufd_mutex_lock(&pages->mutex);
	n = pages->pin_counts && index < pages->npages
		    ? pages->pin_counts[index]
		    : 0;
	ufd_mutex_unlock(&pages->mutex);
	return n;
}

/**
 * iopt_pages_host_run() - host address of byte @byte of the pages
 * @run: set to the bytes from there on that are contiguous in host memory
 *
 * The address stays valid while the caller is inside the mapping gate
 * (base/gate.h) and the page is pinned.
 */
uintptr_t iopt_pages_host_run(struct iopt_pages *pages, uint64_t byte,
			      uint64_t *run)
{
	uintptr_t host;

	ufd_mutex_lock(&pages->mutex);
	host = pages_host_run(pages, byte, run);
	ufd_mutex_unlock(&pages->mutex);
	return host;
}

/** iopt_pages_host_addr() - iopt_pages_host_run() without the run */
uintptr_t iopt_pages_host_addr(struct iopt_pages *pages, uint64_t byte)
{
	uint64_t run;

	return iopt_pages_host_run(pages, byte, &run);
}
