// SPDX-License-Identifier: BSD-3-Clause
/*
 * A test-only LD_PRELOAD library that sits in front of
 * libuiommufd-preload.so (LD_PRELOAD=libpreload_spy.so:libuiommufd-preload.so)
 * and interposes the same functions. Each of its wrappers counts the call,
 * notes whether the caller's code lies inside libuiommufd-preload.so, and
 * forwards to the next definition (the preload library's).
 *
 * The preload library must never call an interposed function through the
 * dynamic linker: if it did, the call would land here first, with a return
 * address inside it. spy_reentries() counts such calls. The preload
 * library's own pass-through calls go to the C library directly (through
 * pointers resolved with RTLD_NEXT from inside it), so they never reach
 * the spy and are not counted.
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE

#include <dirent.h>
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define SPY_EXPORT __attribute__((visibility("default")))

/* Kept in the order of the preload library's export list. */
static const char *const spy_names[] = {
	"open",		 "open64",     "openat",       "openat64",
	"__open_2",	 "__open64_2", "__openat_2",   "__openat64_2",
	"fopen",	 "fopen64",    "fclose",       "close",
	"close_range",	 "closefrom",  "dup",	       "dup2",
	"dup3",		 "fcntl",      "fcntl64",      "ioctl",
	"mmap",		 "mmap64",     "munmap",       "madvise",
	"mremap",	 "mprotect",   "read",	       "__read_chk",
	"write",	 "pread",      "pread64",      "__pread_chk",
	"__pread64_chk", "pwrite",     "pwrite64",     "stat",
	"stat64",	 "lstat",      "lstat64",      "fstat",
	"fstat64",	 "fstatat",    "fstatat64",    "__xstat",
	"__xstat64",	 "__lxstat",   "__lxstat64",   "__fxstat",
	"__fxstat64",	 "__fxstatat", "__fxstatat64", "statx",
	"access",	 "faccessat",  "euidaccess",   "eaccess",
	"opendir",	 "closedir",   "readdir",      "readdir64",
	"rewinddir",
};

#define SPY_N (sizeof(spy_names) / sizeof(spy_names[0]))

static atomic_ulong spy_counts[SPY_N];
static atomic_ulong spy_reentry_count;
static _Atomic(const char *) spy_first_reentry;
static _Atomic uintptr_t lib_start, lib_end;

static int find_lib(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int i;

	if (!info->dlpi_name || !strstr(info->dlpi_name, "libuiommufd-preload"))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	atomic_store(&lib_start, lo);
	atomic_store(&lib_end, hi);
	return 1;
}

static void spy_note(const char *name, void *ret)
{
	uintptr_t ra = (uintptr_t)ret;
	size_t i;

	if (!atomic_load(&lib_end))
		dl_iterate_phdr(find_lib, NULL);
	for (i = 0; i < SPY_N; i++)
		if (!strcmp(spy_names[i], name))
			atomic_fetch_add(&spy_counts[i], 1);
	if (ra >= atomic_load(&lib_start) && ra < atomic_load(&lib_end)) {
		const char *none = NULL;

		atomic_fetch_add(&spy_reentry_count, 1);
		atomic_compare_exchange_strong(&spy_first_reentry, &none, name);
	}
}

static void *spy_next(_Atomic(void *) *slot, const char *name)
{
	void *p = atomic_load(slot);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		atomic_store(slot, p);
	}
	return p;
}

/* The results, for the test program (found with dlsym()). */
SPY_EXPORT unsigned long spy_reentries(const char **first);
SPY_EXPORT unsigned long spy_calls(const char *name);
SPY_EXPORT const char *spy_name(size_t i);

/* The @i-th function the spy wraps, NULL past the last. */
SPY_EXPORT const char *spy_name(size_t i)
{
	return i < SPY_N ? spy_names[i] : NULL;
}

SPY_EXPORT unsigned long spy_reentries(const char **first)
{
	*first = atomic_load(&spy_first_reentry);
	return atomic_load(&spy_reentry_count);
}

SPY_EXPORT unsigned long spy_calls(const char *name)
{
	size_t i;

	for (i = 0; i < SPY_N; i++)
		if (!strcmp(spy_names[i], name))
			return atomic_load(&spy_counts[i]);
	return 0;
}

#define SPY(ret, name, params, args)                                           \
	SPY_EXPORT ret name params;                                            \
	SPY_EXPORT ret name params                                             \
	{                                                                      \
		static _Atomic(void *) next_;                                  \
		ret(*fn_) params;                                              \
                                                                               \
		spy_note(#name, __builtin_return_address(0));                  \
		*(void **)&fn_ = spy_next(&next_, #name);                      \
		return fn_ args;                                               \
	}

/* The variadic ones forward their optional argument as a pointer. */
#define SPY_VA(ret, name, params, last, args)                                  \
	SPY_EXPORT ret name params;                                            \
	SPY_EXPORT ret name params                                             \
	{                                                                      \
		static _Atomic(void *) next_;                                  \
		ret(*fn_) params;                                              \
		va_list ap;                                                    \
		void *va;                                                      \
                                                                               \
		va_start(ap, last);                                            \
		va = va_arg(ap, void *);                                       \
		va_end(ap);                                                    \
		spy_note(#name, __builtin_return_address(0));                  \
		*(void **)&fn_ = spy_next(&next_, #name);                      \
		return fn_ args;                                               \
	}

SPY_VA(int, open, (const char *p, int f, ...), f, (p, f, va))
SPY_VA(int, open64, (const char *p, int f, ...), f, (p, f, va))
SPY_VA(int, openat, (int d, const char *p, int f, ...), f, (d, p, f, va))
SPY_VA(int, openat64, (int d, const char *p, int f, ...), f, (d, p, f, va))
SPY(int, __open_2, (const char *p, int f), (p, f))
SPY(int, __open64_2, (const char *p, int f), (p, f))
SPY(int, __openat_2, (int d, const char *p, int f), (d, p, f))
SPY(int, __openat64_2, (int d, const char *p, int f), (d, p, f))
SPY(FILE *, fopen, (const char *p, const char *m), (p, m))
SPY(FILE *, fopen64, (const char *p, const char *m), (p, m))
SPY(int, fclose, (FILE * fp), (fp))
SPY(int, close, (int fd), (fd))
SPY(int, close_range, (unsigned int a, unsigned int b, int f), (a, b, f))
SPY_EXPORT void closefrom(int fd);
SPY_EXPORT void closefrom(int fd)
{
	static _Atomic(void *) next_;
	void (*fn_)(int);

	spy_note("closefrom", __builtin_return_address(0));
	*(void **)&fn_ = spy_next(&next_, "closefrom");
	fn_(fd);
}

SPY(int, dup, (int fd), (fd))
SPY(int, dup2, (int a, int b), (a, b))
SPY(int, dup3, (int a, int b, int f), (a, b, f))
SPY_VA(int, fcntl, (int fd, int cmd, ...), cmd, (fd, cmd, va))
SPY_VA(int, fcntl64, (int fd, int cmd, ...), cmd, (fd, cmd, va))
SPY_VA(int, ioctl, (int fd, unsigned long req, ...), req, (fd, req, va))
SPY(void *, mmap, (void *a, size_t l, int p, int f, int fd, off_t o),
    (a, l, p, f, fd, o))
SPY(void *, mmap64, (void *a, size_t l, int p, int f, int fd, off64_t o),
    (a, l, p, f, fd, o))
SPY(int, munmap, (void *a, size_t l), (a, l))
SPY(int, madvise, (void *a, size_t l, int adv), (a, l, adv))
SPY_VA(void *, mremap, (void *a, size_t ol, size_t nl, int f, ...), f,
       (a, ol, nl, f, va))
SPY(int, mprotect, (void *a, size_t l, int p), (a, l, p))
SPY(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
SPY(ssize_t, __read_chk, (int fd, void *b, size_t n, size_t bl), (fd, b, n, bl))
SPY(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
SPY(ssize_t, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))
SPY(ssize_t, pread64, (int fd, void *b, size_t n, off64_t o), (fd, b, n, o))
SPY(ssize_t, __pread_chk, (int fd, void *b, size_t n, off_t o, size_t bl),
    (fd, b, n, o, bl))
SPY(ssize_t, __pread64_chk, (int fd, void *b, size_t n, off64_t o, size_t bl),
    (fd, b, n, o, bl))
SPY(ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
SPY(ssize_t, pwrite64, (int fd, const void *b, size_t n, off64_t o),
    (fd, b, n, o))
SPY(int, stat, (const char *p, struct stat *s), (p, s))
SPY(int, stat64, (const char *p, struct stat64 *s), (p, s))
SPY(int, lstat, (const char *p, struct stat *s), (p, s))
SPY(int, lstat64, (const char *p, struct stat64 *s), (p, s))
SPY(int, fstat, (int fd, struct stat *s), (fd, s))
SPY(int, fstat64, (int fd, struct stat64 *s), (fd, s))
SPY(int, fstatat, (int d, const char *p, struct stat *s, int f), (d, p, s, f))
SPY(int, fstatat64, (int d, const char *p, struct stat64 *s, int f),
    (d, p, s, f))
SPY(int, __xstat, (int v, const char *p, struct stat *s), (v, p, s))
SPY(int, __xstat64, (int v, const char *p, struct stat64 *s), (v, p, s))
SPY(int, __lxstat, (int v, const char *p, struct stat *s), (v, p, s))
SPY(int, __lxstat64, (int v, const char *p, struct stat64 *s), (v, p, s))
SPY(int, __fxstat, (int v, int fd, struct stat *s), (v, fd, s))
SPY(int, __fxstat64, (int v, int fd, struct stat64 *s), (v, fd, s))
SPY(int, __fxstatat, (int v, int d, const char *p, struct stat *s, int f),
    (v, d, p, s, f))
SPY(int, __fxstatat64, (int v, int d, const char *p, struct stat64 *s, int f),
    (v, d, p, s, f))
SPY(int, statx, (int d, const char *p, int f, unsigned int m, struct statx *s),
    (d, p, f, m, s))
SPY(int, access, (const char *p, int m), (p, m))
SPY(int, faccessat, (int d, const char *p, int m, int f), (d, p, m, f))
SPY(int, euidaccess, (const char *p, int m), (p, m))
SPY(int, eaccess, (const char *p, int m), (p, m))
SPY(DIR *, opendir, (const char *p), (p))
SPY(int, closedir, (DIR * d), (d))
SPY(struct dirent *, readdir, (DIR * d), (d))
SPY(struct dirent64 *, readdir64, (DIR * d), (d))

SPY_EXPORT void rewinddir(DIR *d);
SPY_EXPORT void rewinddir(DIR *d)
{
	static _Atomic(void *) next_;
	void (*fn_)(DIR *);

	spy_note("rewinddir", __builtin_return_address(0));
	*(void **)&fn_ = spy_next(&next_, "rewinddir");
	fn_(d);
}
