/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The LD_PRELOAD library's private header: the file objects behind the file
 * descriptors it emulates, the fd table, and the real libc entry points.
 *
 * The model is the kernel's: a file descriptor refers to an open file
 * description (struct pl_file here, struct file there), dup() makes a second
 * descriptor for the same description, and the description lives until its
 * last descriptor is closed and the last call using it returns. Every
 * descriptor we emulate is a real descriptor the kernel allocated (a memfd,
 * or a directory for emulated directories), so numbering, close-on-exec,
 * inheritance and poll behave as the kernel's own; the table below says
 * which of them we answer for, and with what.
 *
 * Kinds of emulated file:
 *   PL_IOMMUFD   /dev/iommu: a uiommufd context; ioctl runs the dispatcher
 *   PL_FAIL_NTH  /proc/.../fail-nth: the calling thread's fail-nth countdown
 *   PL_KNOB      a debugfs fault-injection attribute (failslab/...)
 *   PL_DIR       a debugfs fault-injection directory (for opendir/openat)
 *
 * Processes. A pl_file remembers the process whose memory holds its state
 * (pid). After fork() the child inherits the descriptor and a copy of the
 * table, but a uiommufd context cannot be shared between two address spaces
 * yet, so calls that need the state fail with EPERM (see iommufd.c); close
 * still works. After exec() the table is gone; pl_init() rebuilds entries
 * for inherited descriptors from the memfd names, with no state (pid 0).
 */
#ifndef UIOMMUFD_PRELOAD_PRELOAD_H
#define UIOMMUFD_PRELOAD_PRELOAD_H

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/compiler.h"
#include "base/refcount.h"

/* The page size the library assumes (x86_64). */
#define PL_PAGE_SIZE 4096UL

struct ufd_ctx;

enum pl_kind {
	PL_IOMMUFD,
	PL_FAIL_NTH,
	PL_KNOB,
	PL_DIR,
};

/*
 * A node of the emulated namespace: what a path (or an emulated fd) names.
 * PL_NODE_NONE means "not ours": the call passes through to libc.
 */
enum pl_node_type {
	PL_NODE_NONE,
	PL_NODE_IOMMU,
	PL_NODE_FAIL_NTH,
	PL_NODE_KNOB,
	PL_NODE_DIR,
};

struct pl_node {
	enum pl_node_type type;
	/* PL_NODE_FAIL_NTH: the thread the file belongs to. */
	pid_t tid;
	/* PL_NODE_KNOB: index into the knob table; PL_NODE_DIR: dir index. */
	int index;
};

/*
 * An open file description we emulate.
 *
 * refs counts the fd table slots that point here, plus every call in
 * progress that looked it up (pl_fd_get()), plus a stdio cookie for files
 * opened with fopen(). The last pl_file_put() destroys it, and for
 * PL_IOMMUFD drops the context reference the description holds (pairs with
 * ufd_ctx_create() in pl_iommufd_open()).
 *
 * Every field is written once, before the description is published in the
 * table, except: dir_pos and dir_ent (only the thread iterating the DIR
 * stream touches them, as for any DIR), and warned (atomic).
 */
struct pl_file {
	refcount_t refs;
	enum pl_kind kind;
	/* Process whose memory holds the state; 0 = inherited across exec. */
	pid_t pid;
	/* The open(2) flags it was opened with (access mode, O_NONBLOCK...). */
	int flags;
	/* Set once the "cannot use this here" diagnostic has been printed. */
	atomic_bool warned;
	struct pl_node node;
	/* PL_IOMMUFD: the context; NULL when inherited across exec. */
	struct ufd_ctx *ctx;
	/* Chains dying descriptions in pl_fd_close_range(); see there. */
	struct pl_file *next_dead;
	/* PL_DIR: readdir() position and the entry it last returned. */
	unsigned int dir_pos;
	struct dirent64 dir_ent;
};

/*
 * The real libc functions, resolved once with dlsym(RTLD_NEXT) by pl_init().
 * Internal code calls these (or raw system calls), never the interposed
 * names, so it cannot re-enter the library.
 */
struct pl_real {
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	int (*fclose)(FILE *);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mmap64)(void *, size_t, int, int, int, off64_t);
	int (*munmap)(void *, size_t);
	int (*madvise)(void *, size_t, int);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*mprotect)(void *, size_t, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*read_chk)(int, void *, size_t, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pread64)(int, void *, size_t, off64_t);
	ssize_t (*pread_chk)(int, void *, size_t, off_t, size_t);
	ssize_t (*pread64_chk)(int, void *, size_t, off64_t, size_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*pwrite64)(int, const void *, size_t, off64_t);
	int (*stat)(const char *, struct stat *);
	int (*stat64)(const char *, struct stat64 *);
	int (*lstat)(const char *, struct stat *);
	int (*lstat64)(const char *, struct stat64 *);
	int (*fstat)(int, struct stat *);
	int (*fstat64)(int, struct stat64 *);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*fstatat64)(int, const char *, struct stat64 *, int);
	int (*xstat)(int, const char *, struct stat *);
	int (*xstat64)(int, const char *, struct stat64 *);
	int (*lxstat)(int, const char *, struct stat *);
	int (*lxstat64)(int, const char *, struct stat64 *);
	int (*fxstat)(int, int, struct stat *);
	int (*fxstat64)(int, int, struct stat64 *);
	int (*fxstatat)(int, int, const char *, struct stat *, int);
	int (*fxstatat64)(int, int, const char *, struct stat64 *, int);
	int (*statx)(int, const char *, int, unsigned int, struct statx *);
	int (*access)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	int (*euidaccess)(const char *, int);
	int (*eaccess)(const char *, int);
	DIR *(*opendir)(const char *);
	int (*closedir)(DIR *);
	struct dirent *(*readdir)(DIR *);
	struct dirent64 *(*readdir64)(DIR *);
	void (*rewinddir)(DIR *);
};

extern struct pl_real pl_real;
extern atomic_bool pl_inited;

/* real.c */
void pl_init_slow(void);

/*
 * Every interposed entry point calls this first: before the library's
 * constructor has run (another library's constructor may call open()),
 * the real symbols are resolved here, once, under pthread_once().
 */
static inline void pl_ensure_init(void)
{
	if (unlikely(!atomic_load_explicit(&pl_inited, memory_order_acquire)))
		pl_init_slow();
}

/**
 * pl_current_pid - this process's pid, without a system call.
 *
 * Read from a page that the kernel zeroes in any child created without
 * CLONE_VM (MADV_WIPEONFORK), so a fork(), _Fork() or clone3() child sees
 * zero and refreshes it with one getpid(). A vfork() child shares memory
 * and sees its parent's pid; see pl_in_vfork_child().
 */
pid_t pl_current_pid(void);

/**
 * pl_in_vfork_child - true in a child that shares its parent's memory.
 *
 * Costs a getpid() system call: only for paths that are about to change
 * shared state (closing one of our descriptors), never for ioctl.
 */
bool pl_in_vfork_child(void);

/**
 * pl_memfd - a new real descriptor to stand behind an emulated file.
 * @name: memfd name ("uiommufd-..."); pl_init() recognises these after exec
 * @flags: the open(2) flags; O_CLOEXEC and O_NONBLOCK are applied
 * @seal: seal it empty (for /dev/iommu, whose file has no contents)
 *
 * Returns the descriptor or a negative errno.
 */
int pl_memfd(const char *name, int flags, bool seal);

/* fdtable.c: the fd -> pl_file map. See the essay there. */
struct pl_slots {
	unsigned int nr;
	/* The array this one replaced; kept because readers may still use it. */
	struct pl_slots *older;
	_Atomic(struct pl_file *) file[];
};

extern _Atomic(struct pl_slots *) pl_slots;
extern atomic_uint pl_nr_files;

/*
 * The pass-through test, with no lock: one bounds-checked array read. A
 * true answer is only a hint; callers confirm under the table lock.
 */
static inline bool pl_fd_maybe_ours(int fd)
{
	struct pl_slots *s =
		atomic_load_explicit(&pl_slots, memory_order_acquire);

	return s && (unsigned int)fd < s->nr &&
	       atomic_load_explicit(&s->file[fd], memory_order_relaxed);
}

struct pl_file *pl_file_alloc(enum pl_kind kind, int flags);
void pl_file_put(struct pl_file *f);
struct pl_file *pl_fd_get(int fd);
int pl_fd_install(int fd, struct pl_file *f);
void pl_fd_forget(int fd);
int pl_fd_close(int fd);
int pl_fd_dup(int oldfd, int cmd, int arg);
int pl_fd_dup3(int oldfd, int newfd, int flags, bool is_dup2);
int pl_fd_close_range(unsigned int first, unsigned int last, int flags);
void pl_fd_closefrom(int lowfd);
int pl_fd_fclose(FILE *fp, int fd);
int pl_fd_closedir(DIR *dir, int fd);
void pl_fd_atfork_prepare(void);
void pl_fd_atfork_parent(void);
void pl_fd_atfork_child(void);

/* iommufd.c */
int pl_iommufd_open(int flags);
long pl_iommufd_ioctl(struct pl_file *f, int fd, unsigned long cmd, void *arg);
void *pl_iommufd_mmap(struct pl_file *f, int fd, void *addr, size_t len,
		      int prot, int flags, off_t off);

bool pl_file_is_foreign(const struct pl_file *f);
void pl_foreign_diag(struct pl_file *f, int fd, const char *call);

/* node.c: the emulated namespace */
int pl_path_lookup(int dirfd, const char *path, struct pl_node *node);
int pl_node_open(const struct pl_node *node, int flags);
void pl_node_stat(const struct pl_node *node, struct stat *st);
int pl_node_access(const struct pl_node *node, int mode);
FILE *pl_node_fopen(const struct pl_node *node, const char *mode);
struct dirent64 *pl_dir_next(struct pl_file *f);
ssize_t pl_emul_read(struct pl_file *f, int fd, void *buf, size_t n, off_t off,
		     bool positioned);
ssize_t pl_emul_write(struct pl_file *f, int fd, const void *buf, size_t n);
struct pl_file *pl_file_from_memfd_name(const char *name);

#endif
