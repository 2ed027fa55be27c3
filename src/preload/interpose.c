// SPDX-License-Identifier: BSD-3-Clause
/*
 * The interposed C library functions: the only symbols the preload library
 * exports (preload.map lists them).
 *
 * Each one does the least it can for calls that are not ours. For calls on
 * a descriptor that is one lock-free array read (pl_fd_maybe_ours()) and a
 * tail call to the real function; for calls on a path, a lexical match
 * against a handful of names. errno is never touched on those paths: the
 * real function sets it, or leaves it alone on success, as it would
 * without us.
 *
 * What is interposed and why:
 *   open family, fopen       /dev/iommu, fail-nth and debugfs knobs exist
 *   close, close_range,      the fd table follows the kernel's descriptors
 *     closefrom, dup family,
 *     fcntl(F_DUPFD*), fclose,
 *     closedir
 *   ioctl                    iommufd commands run in the calling thread
 *   mmap                     the kernel's answers for the iommufd file
 *   munmap                   unmapping an iommufd MMIO mapping releases it;
 *                            pinned memory moves aside for devices
 *   madvise                  advice that drops pages moves pinned ones
 *                            aside
 *   mremap                   pinned memory moves with the pins following
 *   mprotect                 (and the three above, and mmap) keep the
 *                            record of memory known good for pinning
 *   read/write/pread/pwrite  fail-nth and knob files are interpreted; the
 *                            iommufd file answers EINVAL like the kernel's
 *   stat family, statx,      /dev/iommu and the fault-injection files exist
 *     access family             (programs and test suites check first)
 *   opendir, readdir,        /sys/kernel/debug lists the fault-injection
 *     rewinddir                 directories, as the kernel selftests expect
 *
 * Only the variants glibc 2.36 exports are interposed: the *64 names are
 * separate symbols (programs built with _FILE_OFFSET_BITS=64 call them),
 * __open_2 and friends come from _FORTIFY_SOURCE, and __xstat and friends
 * are what binaries built against glibc before 2.33 call for stat().
 *
 * Pinned memory: munmap(), madvise(MADV_DONTNEED, _FREE), mremap() and a
 * MAP_FIXED or MREMAP_FIXED mapping over memory a device has pinned move
 * the pinned pages (aside, or along) with the pins following
 * (src/iopt/move.c), with a one-load test while nothing is pinned. Pages
 * that cannot move stay mapped for the device (src/iopt/pinned.h); a
 * MAP_FIXED mapping over such kept memory takes it back.
 *
 * This file is compiled without _FILE_OFFSET_BITS and _FORTIFY_SOURCE, so
 * that each function below defines the symbol of its own name.
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/log.h"
#include "core/mmap.h"
#include "iopt/mapped.h"
#include "iopt/pinned.h"
#include "preload/preload.h"

#define PL_EXPORT __attribute__((visibility("default")))

/* Not declared by glibc's headers unless _FORTIFY_SOURCE is on. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);
void __chk_fail(void) __attribute__((noreturn));
/* Removed from glibc's headers in 2.33, still exported for old binaries. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int flags);

/* open(2)'s rule for when the third argument is there. */
#define OPEN_NEEDS_MODE(flags)                                                 \
	(((flags)&O_CREAT) || ((flags)&O_TMPFILE) == O_TMPFILE)

#define GET_MODE(flags, mode)                                                  \
	do {                                                                   \
		va_list ap_;                                                   \
		if (OPEN_NEEDS_MODE(flags)) {                                  \
			va_start(ap_, flags);                                  \
			mode = va_arg(ap_, mode_t);                            \
			va_end(ap_);                                           \
		}                                                              \
	} while (0)

/* Turns a negative errno from the internals into the libc convention. */
static long set_errno(long rc)
{
	if (rc >= 0)
		return rc;
	errno = (int)-rc;
	return -1;
}

/*
 * A descriptor the kernel just created through a call we passed through
 * cannot be one of ours; a slot there is stale.
 */
static int passed_newfd(int fd)
{
	if (unlikely(pl_fd_maybe_ours(fd)))
		pl_fd_forget(fd);
	return fd;
}

/*
 * Opens (@dirfd, @path) if it names an emulated node. *@handled is false
 * when it does not, and the caller passes the call through.
 */
static int open_node(int dirfd, const char *path, int flags, bool *handled)
{
	struct pl_node node;
	int rc = pl_path_lookup(dirfd, path, &node);

	*handled = rc || node.type != PL_NODE_NONE;
	if (!*handled)
		return 0;
	if (!rc)
		rc = pl_node_open(&node, flags);
	return (int)set_errno(rc);
}

PL_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	bool handled;
	int fd;

	GET_MODE(flags, mode);
	pl_ensure_init();
	fd = open_node(AT_FDCWD, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.open(path, flags, mode));
}

PL_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	bool handled;
	int fd;

	GET_MODE(flags, mode);
	pl_ensure_init();
	fd = open_node(AT_FDCWD, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.open64(path, flags, mode));
}

PL_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	bool handled;
	int fd;

	GET_MODE(flags, mode);
	pl_ensure_init();
	fd = open_node(dirfd, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.openat(dirfd, path, flags, mode));
}

PL_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	bool handled;
	int fd;

	GET_MODE(flags, mode);
	pl_ensure_init();
	fd = open_node(dirfd, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.openat64(dirfd, path, flags, mode));
}

PL_EXPORT int __open_2(const char *path, int flags)
{
	bool handled;
	int fd;

	pl_ensure_init();
	fd = open_node(AT_FDCWD, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.open_2(path, flags));
}

PL_EXPORT int __open64_2(const char *path, int flags)
{
	bool handled;
	int fd;

	pl_ensure_init();
	fd = open_node(AT_FDCWD, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.open64_2(path, flags));
}

PL_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	bool handled;
	int fd;

	pl_ensure_init();
	fd = open_node(dirfd, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.openat_2(dirfd, path, flags));
}

PL_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	bool handled;
	int fd;

	pl_ensure_init();
	fd = open_node(dirfd, path, flags, &handled);
	if (handled)
		return fd;
	return passed_newfd(pl_real.openat64_2(dirfd, path, flags));
}

static FILE *fopen_node(const char *path, const char *mode, bool *handled)
{
	struct pl_node node;
	int rc = pl_path_lookup(AT_FDCWD, path, &node);

	*handled = rc || node.type != PL_NODE_NONE;
	if (rc) {
		errno = -rc;
		return NULL;
	}
	return *handled ? pl_node_fopen(&node, mode) : NULL;
}

PL_EXPORT FILE *fopen(const char *path, const char *mode)
{
	bool handled;
	FILE *fp;

	pl_ensure_init();
	fp = fopen_node(path, mode, &handled);
	return handled ? fp : pl_real.fopen(path, mode);
}

PL_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	bool handled;
	FILE *fp;

	pl_ensure_init();
	fp = fopen_node(path, mode, &handled);
	return handled ? fp : pl_real.fopen64(path, mode);
}

PL_EXPORT int fclose(FILE *fp)
{
	/* The field, not fileno(), which sets errno for fd-less streams. */
	int fd = fp ? fp->_fileno : -1;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)))
		return pl_real.fclose(fp);
	return pl_fd_fclose(fp, fd);
}

PL_EXPORT int close(int fd)
{
	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)))
		return pl_real.close(fd);
	return pl_fd_close(fd);
}

PL_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	pl_ensure_init();
	if (likely(!atomic_load_explicit(&pl_nr_files, memory_order_relaxed)) ||
	    (flags & CLOSE_RANGE_CLOEXEC))
		return pl_real.close_range(first, last, flags);
	return pl_fd_close_range(first, last, flags);
}

PL_EXPORT void closefrom(int lowfd)
{
	pl_ensure_init();
	if (likely(!atomic_load_explicit(&pl_nr_files, memory_order_relaxed)))
		pl_real.closefrom(lowfd);
	else
		pl_fd_closefrom(lowfd);
}

PL_EXPORT int dup(int fd)
{
	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)))
		return passed_newfd(pl_real.dup(fd));
	return pl_fd_dup(fd, -1, 0);
}

PL_EXPORT int dup2(int oldfd, int newfd)
{
	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(oldfd) && !pl_fd_maybe_ours(newfd)))
		return pl_real.dup2(oldfd, newfd);
	return pl_fd_dup3(oldfd, newfd, 0, true);
}

PL_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(oldfd) && !pl_fd_maybe_ours(newfd)))
		return pl_real.dup3(oldfd, newfd, flags);
	return pl_fd_dup3(oldfd, newfd, flags, false);
}

/*
 * The third argument is read as a pointer, as glibc itself does: every
 * fcntl argument travels in one 64-bit register or stack slot.
 */
static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	if (likely(cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
		return real(fd, cmd, arg);
	if (likely(!pl_fd_maybe_ours(fd)))
		return passed_newfd(real(fd, cmd, arg));
	return pl_fd_dup(fd, cmd, (int)(long)arg);
}

PL_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	pl_ensure_init();
	return fcntl_common(pl_real.fcntl, fd, cmd, arg);
}

PL_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	pl_ensure_init();
	return fcntl_common(pl_real.fcntl64, fd, cmd, arg);
}

static __noinline int ioctl_slow(int fd, unsigned long request, void *arg)
{
	struct pl_file *f = pl_fd_get(fd);
	long rc;

	if (!f)
		return pl_real.ioctl(fd, request, arg);
	switch (request) {
	case FIOCLEX:
	case FIONCLEX:
	case FIONBIO:
	case FIOASYNC:
		/* The VFS answers these for every file, from the descriptor. */
		rc = pl_real.ioctl(fd, request, arg);
		break;
	default:
		if (f->kind == PL_IOMMUFD) {
			rc = pl_iommufd_ioctl(f, fd, request, arg);
		} else {
			errno = ENOTTY;
			rc = -1;
		}
		break;
	}
	pl_file_put(f);
	return (int)rc;
}

PL_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)))
		return pl_real.ioctl(fd, request, arg);
	return ioctl_slow(fd, request, arg);
}

static void *mmap_slow(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off, bool is64)
{
	struct pl_file *f = pl_fd_get(fd);
	void *p;

	if (!f)
		return is64 ? pl_real.mmap64(addr, len, prot, flags, fd, off)
			    : pl_real.mmap(addr, len, prot, flags, fd, off);
	if (f->kind == PL_IOMMUFD) {
		p = pl_iommufd_mmap(f, fd, addr, len, prot, flags, off);
	} else {
		/* Directories, proc and debugfs attributes have no mmap. */
		errno = ENODEV;
		p = MAP_FAILED;
	}
	pl_file_put(f);
	return p;
}

/*
 * Before a mapping is made: a fixed one replaces what was there, so that is
 * no longer known good for pinning (src/iopt/mapped.h).
 */
static void mmap_before(void *addr, size_t len, int flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		iopt_mapped_forget((uintptr_t)addr, len);
	/*
	 * Pinned pages there stay the devices': they move aside first, the
	 * range left mapped so that the mapping still replaces it whole.
	 */
	if (unlikely((flags & MAP_FIXED) &&
		     atomic_load_explicit(&iopt_pinned_live,
					  memory_order_relaxed)) &&
	    !((uintptr_t)addr % PL_PAGE_SIZE) && len &&
	    len <= UINTPTR_MAX - (uintptr_t)addr - PL_PAGE_SIZE)
		iopt_pinned_move_aside((uintptr_t)addr, len, true);
}

/*
 * After: the new mapping is recorded for pinning, and a fixed one over
 * memory we kept for devices takes it back.
 */
static void *mmap_after(void *p, size_t len, int prot, int flags)
{
	if (p == MAP_FAILED)
		return p;
	iopt_mapped_note((uintptr_t)p, len, prot, flags);
	if (unlikely((flags & MAP_FIXED) &&
		     atomic_load_explicit(&iopt_pinned_live,
					  memory_order_relaxed)))
		iopt_pinned_reclaimed((uintptr_t)p, len);
	return p;
}

PL_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off)
{
	pl_ensure_init();
	mmap_before(addr, len, flags);
	if (likely((flags & MAP_ANONYMOUS) || !pl_fd_maybe_ours(fd)))
		return mmap_after(pl_real.mmap(addr, len, prot, flags, fd, off),
				  len, prot, flags);
	return mmap_after(mmap_slow(addr, len, prot, flags, fd, off, false),
			  len, prot, flags);
}

PL_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		       off64_t off)
{
	pl_ensure_init();
	mmap_before(addr, len, flags);
	if (likely((flags & MAP_ANONYMOUS) || !pl_fd_maybe_ours(fd)))
		return mmap_after(pl_real.mmap64(addr, len, prot, flags, fd,
						 off),
				  len, prot, flags);
	return mmap_after(mmap_slow(addr, len, prot, flags, fd, off, true), len,
			  prot, flags);
}

/* A range the real call would accept; the others it refuses itself. */
static bool pinned_checkable(const void *addr, size_t len)
{
	return !((uintptr_t)addr % PL_PAGE_SIZE) && len &&
	       len <= UINTPTR_MAX - (uintptr_t)addr - PL_PAGE_SIZE;
}

/*
 * Unmapping pinned memory keeps the pinned pages mapped for the devices
 * (src/iopt/pinned.h) and unmaps the rest; unmapping an iommufd mapping
 * releases what it held (core/mmap.c). While neither exists, two loads
 * decide.
 */
static int release_unmap(uintptr_t start, size_t len, void *arg)
{
	return pl_real.munmap((void *)start, len);
}

static int munmap_slow(void *addr, size_t len)
{
	int rc;

	if (!pinned_checkable(addr, len))
		rc = pl_real.munmap(addr, len);
	else if (iopt_pinned_fast_enter()) {
		rc = pl_real.munmap(addr, len);
		iopt_pinned_fast_exit();
	} else {
		/* Pinned pages move aside; what could not is kept there. */
		rc = iopt_pinned_unmap((uintptr_t)addr, len, false,
				       release_unmap, NULL);
	}
	if (!rc && atomic_load(&ufd_mmap_live))
		ufd_mmap_unmapped(addr, len);
	return rc;
}

PL_EXPORT int munmap(void *addr, size_t len)
{
	pl_ensure_init();
	/* First: a pin racing the unmap must probe, not trust the record. */
	iopt_mapped_forget((uintptr_t)addr, len);
	if (likely(!atomic_load_explicit(&ufd_mmap_live,
					 memory_order_relaxed)) &&
	    likely(iopt_pinned_fast_enter())) {
		int rc = pl_real.munmap(addr, len);

		iopt_pinned_fast_exit();
		return rc;
	}
	return munmap_slow(addr, len);
}

/*
 * Advice that drops a page's contents: pinned pages move aside with the
 * range left mapped and empty (MREMAP_DONTUNMAP), so the device keeps the
 * memory it was given and the program sees fresh pages, as under Linux.
 * Pinned pages that cannot move (or MADV_REMOVE, which punches the file)
 * are left alone: the program keeps seeing them.
 */
static int release_advise(uintptr_t start, size_t len, void *arg)
{
	return pl_real.madvise((void *)start, len, *(int *)arg);
}

PL_EXPORT int madvise(void *addr, size_t len, int advice)
{
	int rc;

	pl_ensure_init();
	if ((advice != MADV_DONTNEED && advice != MADV_FREE &&
	     advice != MADV_REMOVE) ||
	    !pinned_checkable(addr, len))
		return pl_real.madvise(addr, len, advice);
	if (likely(iopt_pinned_fast_enter())) {
		rc = pl_real.madvise(addr, len, advice);
		iopt_pinned_fast_exit();
		return rc;
	}
	if (advice != MADV_REMOVE)
		return iopt_pinned_unmap((uintptr_t)addr, len, true,
					 release_advise, &advice);
	return iopt_pinned_release((uintptr_t)addr, len, false, release_advise,
				   &advice);
}

/*
 * Moves shared memory the way Linux does while its pages stay pinned: a
 * second mapping of the same pages at the new place (mremap() with an old
 * size of 0, which only shared mappings allow), then the old range goes
 * as munmap() would, its pinned pages staying mapped for the devices. The
 * program and the devices keep sharing the pages. MAP_FAILED with errno
 * EINVAL for private memory, whose pages cannot have two addresses.
 */
static void *mremap_shared(void *old, size_t old_len, size_t new_len, int flags,
			   void *new_addr)
{
	void *p;
	int err;

	p = pl_real.mremap(old, 0, new_len, flags, new_addr);
	if (p == MAP_FAILED)
		return p;
	if (munmap_slow(old, old_len)) {
		err = errno;
		pl_real.munmap(p, new_len);
		errno = err;
		return MAP_FAILED;
	}
	if (flags & MREMAP_FIXED)
		iopt_pinned_reclaimed((uintptr_t)p, new_len);
	return p;
}

/* Do [a, a + alen) and [b, b + blen) overlap? */
static bool ranges_overlap(const void *a, size_t alen, const void *b,
			   size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return y < x + alen && x < y + blen;
}

/*
 * A move of pinned memory with the pages following (src/iopt/move.c): the
 * program and the devices see the same pages at the new address, as under
 * Linux. Moving and shrinking drops the tail first, as Linux does. Sets
 * *@fallback (nothing done) when the pages cannot follow.
 */
static void *mremap_follow(void *old, size_t old_len, size_t new_len, int flags,
			   void *new_addr, bool *fallback)
{
	size_t len = (old_len + PL_PAGE_SIZE - 1) & ~(PL_PAGE_SIZE - 1);
	size_t nlen = (new_len + PL_PAGE_SIZE - 1) & ~(PL_PAGE_SIZE - 1);
	void *to = new_addr;
	int rc;

	*fallback = false;
	if (!nlen) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!(flags & MREMAP_FIXED)) {
		/* Where the kernel would put it: room of our choosing. */
		to = pl_real.mmap(NULL, nlen, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
		if (to == MAP_FAILED)
			return MAP_FAILED;
	}
	if (nlen < len) {
		if (munmap_slow((char *)old + nlen, len - nlen))
			goto fail;
		len = nlen;
	}
	rc = iopt_pinned_move((uintptr_t)old, len, nlen,
			      flags & MREMAP_DONTUNMAP, (uintptr_t)to);
	if (!rc)
		return to;
	*fallback = rc > 0;
	errno = rc > 0 ? ENOMEM : -rc;
fail:
	if (!(flags & MREMAP_FIXED)) {
		rc = errno;
		pl_real.munmap(to, nlen);
		errno = rc;
	}
	return MAP_FAILED;
}

/*
 * mremap() of pinned memory: shrinking drops the tail as munmap() would
 * and growing in place leaves the pinned pages where they are. A move
 * takes the pinned pages along (mremap_follow()); where they cannot
 * follow, shared memory is mapped twice (mremap_shared()) and private
 * memory is refused with ENOMEM (as when the kernel finds no room) and a
 * one-line diagnostic.
 */
static void *mremap_pinned(void *old, size_t old_len, size_t new_len, int flags,
			   void *new_addr)
{
	void *p;

	/* A fixed target overlapping the source: EINVAL, as Linux. */
	if ((flags & MREMAP_FIXED) &&
	    ranges_overlap(old, old_len, new_addr, new_len)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && old_len &&
	    new_len && new_len <= old_len) {
		size_t cut = (new_len + PL_PAGE_SIZE - 1) & ~(PL_PAGE_SIZE - 1);

		if (cut < old_len &&
		    munmap_slow((char *)old + cut, old_len - cut))
			return MAP_FAILED;
		return old;
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) {
		p = pl_real.mremap(old, old_len, new_len, 0);
		if (p != MAP_FAILED || !(flags & MREMAP_MAYMOVE))
			return p;
	}
	if (flags & MREMAP_MAYMOVE) {
		bool fallback;

		p = mremap_follow(old, old_len, new_len, flags, new_addr,
				  &fallback);
		if (!fallback)
			return p;
	}
	if ((flags & MREMAP_MAYMOVE) && !(flags & MREMAP_DONTUNMAP)) {
		p = mremap_shared(old, old_len, new_len, flags, new_addr);
		if (p != MAP_FAILED || errno != EINVAL)
			return p;
	}
	ufd_err("mremap(%p, %zu): ENOMEM: the memory is private and pinned "
		"for DMA, so it cannot move; unmap it from the IOAS first",
		old, old_len);
	errno = ENOMEM;
	return MAP_FAILED;
}

/* A real mremap(), run by iopt_pinned_any() or directly. */
struct mremap_call {
	void *old, *new_addr, *p;
	size_t old_len, new_len;
	int flags, err;
	bool done;
};

static void real_mremap(void *arg)
{
	struct mremap_call *a = arg;

	a->p = pl_real.mremap(a->old, a->old_len, a->new_len, a->flags,
			      a->new_addr);
	a->err = errno;
	a->done = true;
}

PL_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags,
		       ...)
{
	void *new_addr = NULL, *p;
	struct mremap_call a;
	va_list ap;

	pl_ensure_init();
	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
		iopt_mapped_forget((uintptr_t)new_addr, new_len);
		/*
		 * Pinned pages in the way move aside, as for MAP_FIXED, if
		 * the call is one the kernel carries out.
		 */
		if (unlikely(atomic_load_explicit(&iopt_pinned_live,
						  memory_order_relaxed)) &&
		    pinned_checkable(new_addr, new_len) &&
		    (flags & MREMAP_MAYMOVE) &&
		    !ranges_overlap(old, old_len, new_addr, new_len))
			iopt_pinned_move_aside((uintptr_t)new_addr, new_len,
					       true);
	}
	iopt_mapped_forget((uintptr_t)old, old_len);
	if (likely(iopt_pinned_fast_enter())) {
		p = pl_real.mremap(old, old_len, new_len, flags, new_addr);
		iopt_pinned_fast_exit();
		return p;
	}
	a = (struct mremap_call){ .old = old,
				  .new_addr = new_addr,
				  .old_len = old_len,
				  .new_len = new_len,
				  .flags = flags };
	/*
	 * old_len 0 duplicates a shared mapping and unmaps nothing. Memory
	 * nothing pins moves under the registry's lock, out of a pin's way.
	 */
	if (old_len && pinned_checkable(old, old_len) &&
	    iopt_pinned_any((uintptr_t)old, old_len, real_mremap, &a))
		return mremap_pinned(old, old_len, new_len, flags, new_addr);
	if (!a.done)
		real_mremap(&a);
	p = a.p;
	errno = a.err;
	if (p != MAP_FAILED && (flags & MREMAP_FIXED))
		iopt_pinned_reclaimed((uintptr_t)p, new_len);
	return p;
}

/* A protection change makes the range unknown for pinning. */
PL_EXPORT int mprotect(void *addr, size_t len, int prot)
{
	pl_ensure_init();
	iopt_mapped_forget((uintptr_t)addr, len);
	return pl_real.mprotect(addr, len, prot);
}

/*
 * read/write family on an emulated file. @f is NULL when the descriptor
 * turned out not to be ours after all; the caller passes through then.
 */
static ssize_t emul_read(struct pl_file *f, int fd, void *buf, size_t n,
			 off_t off, bool positioned)
{
	ssize_t rc;

	if (positioned && off < 0)
		rc = -EINVAL;
	else
		rc = pl_emul_read(f, fd, buf, n, off, positioned);
	pl_file_put(f);
	return set_errno(rc);
}

static ssize_t emul_write(struct pl_file *f, int fd, const void *buf, size_t n,
			  off_t off, bool positioned)
{
	ssize_t rc;

	if (positioned && off < 0)
		rc = -EINVAL;
	else
		rc = pl_emul_write(f, fd, buf, n);
	pl_file_put(f);
	return set_errno(rc);
}

PL_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.read(fd, buf, n);
	return emul_read(f, fd, buf, n, 0, false);
}

PL_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.read_chk(fd, buf, n, buflen);
	if (n > buflen) {
		pl_file_put(f);
		__chk_fail();
	}
	return emul_read(f, fd, buf, n, 0, false);
}

PL_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.write(fd, buf, n);
	return emul_write(f, fd, buf, n, 0, false);
}

PL_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pread(fd, buf, n, off);
	return emul_read(f, fd, buf, n, off, true);
}

PL_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pread64(fd, buf, n, off);
	return emul_read(f, fd, buf, n, off, true);
}

PL_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off,
			      size_t buflen)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pread_chk(fd, buf, n, off, buflen);
	if (n > buflen) {
		pl_file_put(f);
		__chk_fail();
	}
	return emul_read(f, fd, buf, n, off, true);
}

PL_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off,
				size_t buflen)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pread64_chk(fd, buf, n, off, buflen);
	if (n > buflen) {
		pl_file_put(f);
		__chk_fail();
	}
	return emul_read(f, fd, buf, n, off, true);
}

PL_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pwrite(fd, buf, n, off);
	return emul_write(f, fd, buf, n, off, true);
}

PL_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	struct pl_file *f;

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return pl_real.pwrite64(fd, buf, n, off);
	return emul_write(f, fd, buf, n, off, true);
}

/*
 * stat family. struct stat and struct stat64 are the same on x86-64, and
 * __xstat's version argument selects nothing else there.
 */
BUILD_ASSERT(sizeof(struct stat) == sizeof(struct stat64));

/* 1: answered from @node (or an error); 0: pass through. */
static int stat_path(int dirfd, const char *path, void *st, int *ret)
{
	struct pl_node node;
	int rc = pl_path_lookup(dirfd, path, &node);

	if (!rc && node.type == PL_NODE_NONE)
		return 0;
	if (!rc)
		pl_node_stat(&node, st);
	*ret = (int)set_errno(rc);
	return 1;
}

static int stat_fd(int fd, void *st, int *ret)
{
	struct pl_file *f;

	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return 0;
	pl_node_stat(&f->node, st);
	pl_file_put(f);
	*ret = 0;
	return 1;
}

/* fstatat() and friends: AT_EMPTY_PATH with "" means the descriptor. */
static int stat_at(int dirfd, const char *path, void *st, int flags, int *ret)
{
	if ((flags & AT_EMPTY_PATH) && path && !*path)
		return stat_fd(dirfd, st, ret);
	return stat_path(dirfd, path, st, ret);
}

PL_EXPORT int stat(const char *path, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.stat(path, st);
}

PL_EXPORT int stat64(const char *path, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.stat64(path, st);
}

PL_EXPORT int lstat(const char *path, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.lstat(path, st);
}

PL_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.lstat64(path, st);
}

PL_EXPORT int fstat(int fd, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_fd(fd, st, &ret))
		return ret;
	return pl_real.fstat(fd, st);
}

PL_EXPORT int fstat64(int fd, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_fd(fd, st, &ret))
		return ret;
	return pl_real.fstat64(fd, st);
}

PL_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int ret;

	pl_ensure_init();
	if (stat_at(dirfd, path, st, flags, &ret))
		return ret;
	return pl_real.fstatat(dirfd, path, st, flags);
}

PL_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st,
			int flags)
{
	int ret;

	pl_ensure_init();
	if (stat_at(dirfd, path, st, flags, &ret))
		return ret;
	return pl_real.fstatat64(dirfd, path, st, flags);
}

PL_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.xstat(ver, path, st);
}

PL_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.xstat64(ver, path, st);
}

PL_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.lxstat(ver, path, st);
}

PL_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_path(AT_FDCWD, path, st, &ret))
		return ret;
	return pl_real.lxstat64(ver, path, st);
}

PL_EXPORT int __fxstat(int ver, int fd, struct stat *st)
{
	int ret;

	pl_ensure_init();
	if (stat_fd(fd, st, &ret))
		return ret;
	return pl_real.fxstat(ver, fd, st);
}

PL_EXPORT int __fxstat64(int ver, int fd, struct stat64 *st)
{
	int ret;

	pl_ensure_init();
	if (stat_fd(fd, st, &ret))
		return ret;
	return pl_real.fxstat64(ver, fd, st);
}

PL_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
			 int flags)
{
	int ret;

	pl_ensure_init();
	if (stat_at(dirfd, path, st, flags, &ret))
		return ret;
	return pl_real.fxstatat(ver, dirfd, path, st, flags);
}

PL_EXPORT int __fxstatat64(int ver, int dirfd, const char *path,
			   struct stat64 *st, int flags)
{
	int ret;

	pl_ensure_init();
	if (stat_at(dirfd, path, st, flags, &ret))
		return ret;
	return pl_real.fxstatat64(ver, dirfd, path, st, flags);
}

static void statx_from_stat(const struct stat *st, struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st->st_blksize;
	stx->stx_nlink = (uint32_t)st->st_nlink;
	stx->stx_uid = st->st_uid;
	stx->stx_gid = st->st_gid;
	stx->stx_mode = (uint16_t)st->st_mode;
	stx->stx_ino = st->st_ino;
	stx->stx_size = (uint64_t)st->st_size;
	stx->stx_blocks = (uint64_t)st->st_blocks;
	stx->stx_rdev_major = major(st->st_rdev);
	stx->stx_rdev_minor = minor(st->st_rdev);
	stx->stx_dev_major = major(st->st_dev);
	stx->stx_dev_minor = minor(st->st_dev);
}

PL_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask,
		    struct statx *stx)
{
	struct stat st;
	int ret;

	pl_ensure_init();
	if (!stat_at(dirfd, path, &st, flags, &ret))
		return pl_real.statx(dirfd, path, flags, mask, stx);
	if (!ret)
		statx_from_stat(&st, stx);
	return ret;
}

/* 1: answered (0 or -1/errno in *ret); 0: pass through. */
static int access_path(int dirfd, const char *path, int mode, int *ret)
{
	struct pl_node node;
	int rc = pl_path_lookup(dirfd, path, &node);

	if (!rc && node.type == PL_NODE_NONE)
		return 0;
	if (!rc)
		rc = pl_node_access(&node, mode);
	*ret = (int)set_errno(rc);
	return 1;
}

PL_EXPORT int access(const char *path, int mode)
{
	int ret;

	pl_ensure_init();
	if (access_path(AT_FDCWD, path, mode, &ret))
		return ret;
	return pl_real.access(path, mode);
}

PL_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	int ret;

	pl_ensure_init();
	if (access_path(dirfd, path, mode, &ret))
		return ret;
	return pl_real.faccessat(dirfd, path, mode, flags);
}

PL_EXPORT int euidaccess(const char *path, int mode)
{
	int ret;

	pl_ensure_init();
	if (access_path(AT_FDCWD, path, mode, &ret))
		return ret;
	return pl_real.euidaccess(path, mode);
}

PL_EXPORT int eaccess(const char *path, int mode)
{
	int ret;

	pl_ensure_init();
	if (access_path(AT_FDCWD, path, mode, &ret))
		return ret;
	return pl_real.eaccess(path, mode);
}

PL_EXPORT DIR *opendir(const char *path)
{
	struct pl_node node;
	int rc, saved_errno;
	DIR *dir;

	pl_ensure_init();
	rc = pl_path_lookup(AT_FDCWD, path, &node);
	if (!rc && node.type == PL_NODE_NONE)
		return pl_real.opendir(path);
	if (!rc && node.type != PL_NODE_DIR)
		rc = -ENOTDIR;
	if (!rc)
		rc = pl_node_open(&node, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	dir = fdopendir(rc);
	if (!dir) {
		saved_errno = errno;
		pl_fd_close(rc);
		errno = saved_errno;
	}
	return dir;
}

/* The emulated directory behind @dir, with a reference, or NULL. */
static struct pl_file *dir_file(DIR *dir)
{
	int fd = dirfd(dir);
	struct pl_file *f;

	if (likely(!pl_fd_maybe_ours(fd)) || !(f = pl_fd_get(fd)))
		return NULL;
	if (f->kind != PL_DIR) {
		pl_file_put(f);
		return NULL;
	}
	return f;
}

/* readdir() hands out our dirent64 as a dirent: the same on x86-64. */
BUILD_ASSERT(sizeof(struct dirent) == sizeof(struct dirent64));

PL_EXPORT struct dirent *readdir(DIR *dir)
{
	struct pl_file *f;
	struct dirent64 *ent;

	pl_ensure_init();
	f = dir_file(dir);
	if (!f)
		return pl_real.readdir(dir);
	ent = pl_dir_next(f);
	/* The DIR keeps its descriptor, and so the description, alive. */
	pl_file_put(f);
	return (struct dirent *)ent;
}

PL_EXPORT struct dirent64 *readdir64(DIR *dir)
{
	struct pl_file *f;
	struct dirent64 *ent;

	pl_ensure_init();
	f = dir_file(dir);
	if (!f)
		return pl_real.readdir64(dir);
	ent = pl_dir_next(f);
	pl_file_put(f);
	return ent;
}

PL_EXPORT void rewinddir(DIR *dir)
{
	struct pl_file *f;

	pl_ensure_init();
	f = dir_file(dir);
	if (f) {
		f->dir_pos = 0;
		pl_file_put(f);
	}
	pl_real.rewinddir(dir);
}

PL_EXPORT int closedir(DIR *dir)
{
	int fd = dirfd(dir);

	pl_ensure_init();
	if (likely(!pl_fd_maybe_ours(fd)))
		return pl_real.closedir(dir);
	return pl_fd_closedir(dir, fd);
}
