// SPDX-License-Identifier: BSD-3-Clause
/*
 * /dev/iommu: the iommufd file. Opening it creates a uiommufd context and a
 * real descriptor to name it; ioctl() on that descriptor runs the core
 * dispatcher in the calling thread, with no system call.
 *
 * The descriptor is a memfd named "uiommufd-iommu", sealed empty. A memfd
 * because it is cheap, has a number, flags and a close-on-exec bit the
 * kernel manages, polls like any file with no poll method (always ready, as
 * the kernel's iommufd, which has none either), and its name survives exec,
 * which lets the next program image recognise an inherited iommufd (see
 * pl_file_from_memfd_name()). Sealed so that writev() or a shared mapping,
 * which we do not interpose, cannot give it contents.
 *
 * Processes. The context lives in the memory of the process that opened
 * /dev/iommu. Linux lets a forked child use an inherited iommufd (it is the
 * same kernel object); we cannot yet, because the child has only a copy of
 * that memory: changes would silently diverge from the parent's. So in a
 * child every call that needs the context fails with EPERM and a one-line
 * diagnostic on stderr, and close() works. EPERM because the operation is
 * refused by policy, not because the descriptor or the arguments are bad
 * (EBADF or EINVAL would send a program looking for the wrong bug), and
 * because it is what a program gets from the kernel for operating on an
 * object it is not allowed to touch. The same holds after exec for a
 * descriptor opened without O_CLOEXEC: the new image finds it by name and
 * refuses it the same way. Sharing contexts across processes is a later
 * capability.
 *
 * mmap. The kernel maps vIOMMU and HW-queue MMIO pages at offsets that an
 * ioctl returned, and answers ENXIO for any other offset or length. The
 * argument checks follow the kernel's order; the region lookup and the
 * mapping itself are the core's (core/mmap.c).
 *
 * Tracing. With UIOMMUFD_TRACE set ("1" or "stderr" for standard error,
 * anything else is a file appended to), every ioctl on an iommufd is
 * logged as one line, decoded strace-style by trace.c: the command, its
 * struct field by field, the result with errno, and the objects created
 * or destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "core/core.h"
#include "core/mmap.h"
#include "preload/preload.h"
#include "preload/trace.h"
#include "uiommufd/uapi/vfio.h"

/* Where trace lines go: nowhere, stderr, or appended to trace_path. */
static enum { TRACE_OFF, TRACE_STDERR, TRACE_FILE } trace_mode;
static char trace_path[512];

/*
 * Reads UIOMMUFD_TRACE, once, at the first open of /dev/iommu: pl_init()
 * can run before the C library has set up the environment (a sanitizer
 * runtime's start-up calls mmap()), and nothing is traced before a context
 * exists anyway.
 */
static void trace_init(void)
{
	const char *v = getenv("UIOMMUFD_TRACE");

	if (!v || !*v || !strcmp(v, "0"))
		return;
	if (!strcmp(v, "1") || !strcmp(v, "stderr")) {
		trace_mode = TRACE_STDERR;
		return;
	}
	if (strlen(v) >= sizeof(trace_path)) {
		ufd_err("UIOMMUFD_TRACE: path too long; tracing to stderr");
		trace_mode = TRACE_STDERR;
		return;
	}
	strcpy(trace_path, v);
	trace_mode = TRACE_FILE;
}

/**
 * pl_iommufd_open - open /dev/iommu with open(2) flags @flags.
 *
 * Returns the new descriptor or a negative errno (-ENOMEM, or what the
 * kernel said when asked for a descriptor, such as -EMFILE).
 */
int pl_iommufd_open(int flags)
{
	static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
	struct ufd_ctx *ctx;
	struct pl_file *f;
	int fd, rc;

	pthread_once(&trace_once, trace_init);
	f = pl_file_alloc(PL_IOMMUFD, flags);
	if (!f)
		return -ENOMEM;
	f->node.type = PL_NODE_IOMMU;
	ctx = ufd_ctx_create();
	if (IS_ERR(ctx)) {
		rc = (int)PTR_ERR(ctx);
		goto out_put_file;
	}
	f->ctx = ctx; /* the description's reference; see pl_file_put() */
	fd = pl_memfd("uiommufd-iommu", flags, true);
	if (fd < 0) {
		rc = fd;
		goto out_put_file;
	}
	rc = pl_fd_install(fd, f);
	if (rc)
		goto out_close;
	return fd;

out_close:
	ufd_sys6(SYS_close, fd, 0, 0, 0, 0, 0);
out_put_file:
	pl_file_put(f); /* and the context, if it got one */
	return rc;
}

/**
 * pl_file_is_foreign - true if @f's state is not in this process's memory.
 *
 * A description inherited through fork() (its pid is the parent's) or
 * through exec() (pid 0).
 */
bool pl_file_is_foreign(const struct pl_file *f)
{
	return f->pid != pl_current_pid();
}

/**
 * pl_foreign_diag - say once per description why @call on @fd is refused.
 */
void pl_foreign_diag(struct pl_file *f, int fd, const char *call)
{
	if (atomic_exchange(&f->warned, true))
		return;
	if (!f->pid)
		ufd_err("%s on fd %d: EPERM: this iommufd was inherited across "
			"exec() and its context stayed with the program that "
			"opened it; only close() works",
			call, fd);
	else
		ufd_err("%s on fd %d: EPERM: this iommufd belongs to process "
			"%d; a uiommufd context cannot be shared with a forked "
			"child yet; only close() works",
			call, fd, (int)f->pid);
}

/*
 * Runs one ioctl with tracing on: the argument is copied before the
 * dispatcher can overwrite it, and the decoded line (trace.c) is written
 * after. The file is opened for each line so that the library never owns
 * a descriptor the program could close or reuse under it; tracing is for
 * debugging, not for speed. Kept out of line so that the untraced path
 * does not pay for the buffers.
 */
static __noinline long trace_ioctl(struct ufd_ctx *ctx, int fd,
				   unsigned int cmd, void *arg)
{
	struct pl_trace_arg before;
	char line[1024];
	long rc, out;
	size_t len;

	pl_trace_capture(&before, cmd, arg);
	rc = ufd_dispatch(ctx, cmd, arg);
	len = pl_trace_format(line, sizeof(line), fd, cmd, &before, rc);
	if (!len)
		return rc;
	if (trace_mode == TRACE_STDERR) {
		ufd_sys6(SYS_write, STDERR_FILENO, (long)line, (long)len, 0, 0,
			 0);
		return rc;
	}
	out = ufd_sys6(SYS_openat, AT_FDCWD, (long)trace_path,
		       O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644, 0, 0);
	if (out < 0)
		return rc;
	/* One write per line: O_APPEND keeps threads' lines whole. */
	ufd_sys6(SYS_write, out, (long)line, (long)len, 0, 0, 0);
	ufd_sys6(SYS_close, out, 0, 0, 0, 0, 0);
	return rc;
}

/**
 * pl_iommufd_ioctl - ioctl(2) on an iommufd description.
 *
 * The caller holds a reference on @f for the duration (pl_fd_get()), which
 * keeps the context alive even if another thread closes @fd meanwhile.
 * Returns the result, or -1 with errno set.
 */
long pl_iommufd_ioctl(struct pl_file *f, int fd, unsigned long cmd, void *arg)
{
	long rc;

	if (pl_file_is_foreign(f)) {
		pl_foreign_diag(f, fd, "ioctl");
		errno = EPERM;
		return -1;
	}
	/* The syscall takes an unsigned int; the upper bits never arrive. */
	if (unlikely(trace_mode != TRACE_OFF))
		rc = trace_ioctl(f->ctx, fd, (unsigned int)cmd, arg);
	else
		rc = ufd_dispatch(f->ctx, (unsigned int)cmd, arg);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/**
 * pl_iommufd_mmap - mmap(2) of an iommufd description.
 *
 * Returns the mapping of a registered MMIO region (core/mmap.c), or MAP_FAILED
 * with errno set as the kernel would.
 */
void *pl_iommufd_mmap(struct pl_file *f, int fd, void *addr, size_t len,
		      int prot, int flags, off_t off)
{
	int type = flags & MAP_TYPE, acc = f->flags & O_ACCMODE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	void *p;
	int err;

	/* The system call's own checks come first... */
	if (!len || (off & (off_t)(PL_PAGE_SIZE - 1)) || off < 0) {
		err = EINVAL;
		goto out_err;
	}
	if (!shared && type != MAP_PRIVATE) {
		err = EINVAL;
		goto out_err;
	}
	if (acc == O_WRONLY ||
	    (shared && (prot & PROT_WRITE) && acc == O_RDONLY)) {
		err = EACCES;
		goto out_err;
	}
	if (pl_file_is_foreign(f)) {
		pl_foreign_diag(f, fd, "mmap");
		err = EPERM;
		goto out_err;
	}
	/* ...then iommufd's: shared only, never executable... */
	if (!shared) {
		err = EINVAL;
		goto out_err;
	}
	if (prot & PROT_EXEC) {
		err = EPERM;
		goto out_err;
	}
	/* ...then the region lookup: offset and length as registered. */
	p = ufd_mmap_map(f->ctx, addr, len, prot, flags, (uint64_t)off);
	if (!IS_ERR(p))
		return p;
	err = (int)-PTR_ERR(p);
out_err:
	errno = err;
	return MAP_FAILED;
}
