// SPDX-License-Identifier: BSD-3-Clause
/*
 * Start-up of the preload library: the real libc symbols, process identity,
 * fork handlers, and descriptors inherited across exec.
 *
 * Resolution happens once, under pthread_once(), on the first call into any
 * interposed function or from the constructor, whichever comes first: the
 * constructors of libraries loaded after us run before ours, and may already
 * call open(). Nothing in here calls an interposed symbol; the descriptor
 * scan uses raw system calls.
 *
 * Process identity: pl_current_pid() reads a word on a page marked
 * MADV_WIPEONFORK, which the kernel hands to any child created without
 * CLONE_VM as a zero page. So fork(), _Fork() and a raw clone3() (the kernel
 * selftest harness forks its test children that way, without running
 * pthread_atfork handlers) all make the child notice it is not the process
 * that created its contexts, without a getpid() on every ioctl. On kernels
 * without MADV_WIPEONFORK the word lives in ordinary memory and the
 * pthread_atfork child handler clears it, which covers fork().
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/dmaguard.h"
#include "base/gate.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/tslot.h"
#include "preload/preload.h"

struct pl_real pl_real;
atomic_bool pl_inited;

static pthread_once_t pl_once = PTHREAD_ONCE_INIT;

/* Fallback home of the pid word when MADV_WIPEONFORK is unavailable. */
static _Atomic pid_t pl_pid_fallback;
static _Atomic pid_t *pl_pid_word = &pl_pid_fallback;

#define REAL(field, sym)                                                       \
	{                                                                      \
		offsetof(struct pl_real, field), sym                           \
	}

static const struct {
	size_t offset;
	const char *name;
} pl_real_syms[] = {
	REAL(open, "open"),
	REAL(open64, "open64"),
	REAL(openat, "openat"),
	REAL(openat64, "openat64"),
	REAL(open_2, "__open_2"),
	REAL(open64_2, "__open64_2"),
	REAL(openat_2, "__openat_2"),
	REAL(openat64_2, "__openat64_2"),
	REAL(fopen, "fopen"),
	REAL(fopen64, "fopen64"),
	REAL(fclose, "fclose"),
	REAL(close, "close"),
	REAL(close_range, "close_range"),
	REAL(closefrom, "closefrom"),
	REAL(dup, "dup"),
	REAL(dup2, "dup2"),
	REAL(dup3, "dup3"),
	REAL(fcntl, "fcntl"),
	REAL(fcntl64, "fcntl64"),
	REAL(ioctl, "ioctl"),
	REAL(mmap, "mmap"),
	REAL(mmap64, "mmap64"),
	REAL(munmap, "munmap"),
	REAL(madvise, "madvise"),
	REAL(mremap, "mremap"),
	REAL(mprotect, "mprotect"),
	REAL(read, "read"),
	REAL(read_chk, "__read_chk"),
	REAL(write, "write"),
	REAL(pread, "pread"),
	REAL(pread64, "pread64"),
	REAL(pread_chk, "__pread_chk"),
	REAL(pread64_chk, "__pread64_chk"),
	REAL(pwrite, "pwrite"),
	REAL(pwrite64, "pwrite64"),
	REAL(stat, "stat"),
	REAL(stat64, "stat64"),
	REAL(lstat, "lstat"),
	REAL(lstat64, "lstat64"),
	REAL(fstat, "fstat"),
	REAL(fstat64, "fstat64"),
	REAL(fstatat, "fstatat"),
	REAL(fstatat64, "fstatat64"),
	REAL(xstat, "__xstat"),
	REAL(xstat64, "__xstat64"),
	REAL(lxstat, "__lxstat"),
	REAL(lxstat64, "__lxstat64"),
	REAL(fxstat, "__fxstat"),
	REAL(fxstat64, "__fxstat64"),
	REAL(fxstatat, "__fxstatat"),
	REAL(fxstatat64, "__fxstatat64"),
	REAL(statx, "statx"),
	REAL(access, "access"),
	REAL(faccessat, "faccessat"),
	REAL(euidaccess, "euidaccess"),
	REAL(eaccess, "eaccess"),
	REAL(opendir, "opendir"),
	REAL(closedir, "closedir"),
	REAL(readdir, "readdir"),
	REAL(readdir64, "readdir64"),
	REAL(rewinddir, "rewinddir"),
};

/*
 * Stand-ins for functions an older C library at run time may lack: the
 * program can still call ours (it was linked against a newer one).
 */
static int fallback_close_range(unsigned int first, unsigned int last,
				int flags)
{
	long rc = ufd_sys6(SYS_close_range, first, last, flags, 0, 0, 0);

	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}

static void fallback_closefrom(int lowfd)
{
	if (lowfd >= 0)
		ufd_sys6(SYS_close_range, lowfd, ~0U, 0, 0, 0, 0);
}

static int fallback_statx(int dirfd, const char *path, int flags,
			  unsigned int mask, struct statx *stx)
{
	long rc = ufd_sys6(SYS_statx, dirfd, (long)path, flags, mask, (long)stx,
			   0);

	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}

pid_t pl_current_pid(void)
{
	pid_t pid = atomic_load_explicit(pl_pid_word, memory_order_relaxed);

	if (unlikely(!pid)) {
		pid = (pid_t)ufd_sys6(SYS_getpid, 0, 0, 0, 0, 0, 0);
		atomic_store_explicit(pl_pid_word, pid, memory_order_relaxed);
	}
	return pid;
}

bool pl_in_vfork_child(void)
{
	return (pid_t)ufd_sys6(SYS_getpid, 0, 0, 0, 0, 0, 0) !=
	       pl_current_pid();
}

int pl_memfd(const char *name, int flags, bool seal)
{
	unsigned int mfd_flags = (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0;
	int fd, rc;

	if (seal)
		mfd_flags |= MFD_ALLOW_SEALING;
	fd = (int)ufd_sys6(SYS_memfd_create, (long)name, mfd_flags, 0, 0, 0, 0);
	if (fd == -ENOSYS) {
		/*
		 * No memfd (very old kernel, or a seccomp filter): any real
		 * descriptor will do, only exec inheritance loses its name.
		 */
		fd = (int)ufd_sys6(SYS_openat, AT_FDCWD, (long)"/dev/null",
				   O_RDWR | (flags & O_CLOEXEC), 0, 0, 0);
		seal = false;
	}
	if (fd < 0)
		return fd;
	if (seal) {
		/* Empty for good: write(2) and mmap cannot give it content. */
		rc = (int)ufd_sys6(SYS_fcntl, fd, F_ADD_SEALS,
				   F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
					   F_SEAL_SEAL,
				   0, 0, 0);
		if (rc)
			goto out_close;
	}
	if (flags & O_NONBLOCK) {
		rc = (int)ufd_sys6(SYS_fcntl, fd, F_SETFL, O_NONBLOCK, 0, 0, 0);
		if (rc)
			goto out_close;
	}
	return fd;

out_close:
	ufd_sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	return rc;
}

static void pl_pid_init(void)
{
	void *page = ufd_sys_mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (ufd_sys_ptr_err(page))
		return;
	if (ufd_sys_madvise(page, 4096, MADV_WIPEONFORK)) {
		ufd_sys_munmap(page, 4096);
		return;
	}
	pl_pid_word = page;
}

static void pl_atfork_child(void)
{
	atomic_store_explicit(pl_pid_word, 0, memory_order_relaxed);
	pl_fd_atfork_child();
	/* Threads of the parent inside a DMA or the mapping gate are gone. */
	ufd_tslot_atfork_child();
	ufd_gate_atfork_child();
	ufd_dma_atfork_child();
}

/*
 * Registers descriptors inherited across exec whose memfd names say they
 * were ours in the previous program image. Raw system calls only: this runs
 * inside pl_init_slow(), before the real symbols may be used.
 */
static void pl_scan_inherited(void)
{
	char dents[1024] __attribute__((aligned(8)));
	long dfd, n, pos;

	dfd = ufd_sys6(SYS_openat, AT_FDCWD, (long)"/proc/self/fd",
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
	if (dfd < 0)
		return;
	while ((n = ufd_sys6(SYS_getdents64, dfd, (long)dents, sizeof(dents), 0,
			     0, 0)) > 0) {
		for (pos = 0; pos < n;) {
			struct dirent64 *d = (struct dirent64 *)(dents + pos);
			char link[256];
			struct pl_file *f;
			long len;
			int fd;

			pos += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			fd = atoi(d->d_name);
			if (fd == dfd)
				continue;
			len = ufd_sys6(SYS_readlinkat, dfd, (long)d->d_name,
				       (long)link, sizeof(link) - 1, 0, 0);
			if (len <= 0)
				continue;
			link[len] = '\0';
			f = pl_file_from_memfd_name(link);
			if (!f)
				continue;
			if (pl_fd_install(fd, f))
				pl_file_put(f);
		}
	}
	ufd_sys6(SYS_close, dfd, 0, 0, 0, 0, 0);
}

static void pl_do_init(void)
{
	int saved_errno = errno;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pl_real_syms); i++) {
		void *sym = dlsym(RTLD_NEXT, pl_real_syms[i].name);

		memcpy((char *)&pl_real + pl_real_syms[i].offset, &sym,
		       sizeof(sym));
	}
	if (!pl_real.close_range)
		pl_real.close_range = fallback_close_range;
	if (!pl_real.closefrom)
		pl_real.closefrom = fallback_closefrom;
	if (!pl_real.statx)
		pl_real.statx = fallback_statx;
	/* Without these there is nothing to pass calls through to. */
	if (!pl_real.open || !pl_real.close || !pl_real.ioctl ||
	    !pl_real.read || !pl_real.write)
		ufd_err("preload: cannot resolve the C library's symbols");
	pl_pid_init();
	pthread_atfork(pl_fd_atfork_prepare, pl_fd_atfork_parent,
		       pl_atfork_child);
	pl_scan_inherited();
	atomic_store_explicit(&pl_inited, true, memory_order_release);
	errno = saved_errno;
}

void pl_init_slow(void)
{
	int saved_errno = errno;

	pthread_once(&pl_once, pl_do_init);
	errno = saved_errno;
}

__attribute__((constructor)) static void pl_constructor(void)
{
	pl_ensure_init();
}
