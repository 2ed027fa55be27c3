// SPDX-License-Identifier: BSD-3-Clause
/*
 * Opening /dev/iommu through every C library entry point, its open flags,
 * and what stat() and access() say about it.
 *
 * Each entry point is called by its exact symbol name (asm labels), since
 * the headers would otherwise map open() to open64() and so on.
 */
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "preload_test.h"

int sym_open(const char *path, int flags, ...) __asm__("open");
int sym_open64(const char *path, int flags, ...) __asm__("open64");
int sym_openat(int dirfd, const char *path, int flags, ...) __asm__("openat");
int sym_openat64(int dirfd, const char *path, int flags, ...) __asm__("openat6"
								      "4");
int sym_open_2(const char *path, int flags) __asm__("__open_2");
int sym_open64_2(const char *path, int flags) __asm__("__open64_2");
int sym_openat_2(int dirfd, const char *path, int flags) __asm__("__openat_2");
int sym_openat64_2(int dirfd, const char *path, int flags) __asm__("__openat64_"
								   "2");
FILE *sym_fopen(const char *path, const char *mode) __asm__("fopen");
FILE *sym_fopen64(const char *path, const char *mode) __asm__("fopen64");
int sym_stat(const char *path, struct stat *st) __asm__("stat");
int sym_stat64(const char *path, struct stat64 *st) __asm__("stat64");
int sym_lstat(const char *path, struct stat *st) __asm__("lstat");
int sym_lstat64(const char *path, struct stat64 *st) __asm__("lstat64");
int sym_fstat(int fd, struct stat *st) __asm__("fstat");
int sym_fstat64(int fd, struct stat64 *st) __asm__("fstat64");
int sym_fstatat(int dirfd, const char *path, struct stat *st,
		int flags) __asm__("fstatat");
int sym_fstatat64(int dirfd, const char *path, struct stat64 *st,
		  int flags) __asm__("fstatat64");

/* Opens through @fd-returning call, checks it is a working iommufd. */
static void check_iommufd(int fd)
{
	assert_true(fd >= 0);
	ioas_alloc(fd);
	assert_int_equal(close(fd), 0);
}

static void test_open_variants(void **state)
{
	check_iommufd(sym_open("/dev/iommu", O_RDWR));
	check_iommufd(sym_open64("/dev/iommu", O_RDWR));
	check_iommufd(sym_openat(AT_FDCWD, "/dev/iommu", O_RDWR));
	check_iommufd(sym_openat64(AT_FDCWD, "/dev/iommu", O_RDWR));
	check_iommufd(sym_open_2("/dev/iommu", O_RDWR));
	check_iommufd(sym_open64_2("/dev/iommu", O_RDWR));
	check_iommufd(sym_openat_2(AT_FDCWD, "/dev/iommu", O_RDWR));
	check_iommufd(sym_openat64_2(AT_FDCWD, "/dev/iommu", O_RDWR));
	/* An absolute path ignores dirfd, as in the kernel. */
	check_iommufd(sym_openat(12345, "/dev/iommu", O_RDWR));
	/* Lexically equivalent spellings name the same device. */
	check_iommufd(sym_open("//dev/./iommu", O_RDWR));
	check_iommufd(sym_open("/dev/../dev/iommu", O_RDWR));
}

static void test_open_errors(void **state)
{
	errno = 0;
	assert_int_equal(sym_open("/dev/iommu", O_RDWR | O_DIRECTORY), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(sym_open("/dev/iommu/", O_RDWR), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(
		sym_open("/dev/iommu", O_RDWR | O_CREAT | O_EXCL, 0600), -1);
	assert_int_equal(errno, EEXIST);
	/* Neighbouring names are the real filesystem's business. */
	assert_int_equal(sym_open("/dev/iommu-not-there", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_open_flags(void **state)
{
	int fd, fd2;

	fd = sym_open("/dev/iommu", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);

	fd = sym_open("/dev/iommu", O_RDWR | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);

	/* The access mode rules read and write, not ioctl, as in Linux. */
	fd = sym_open("/dev/iommu", O_RDONLY);
	assert_true(fd >= 0);
	ioas_alloc(fd);
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	close(fd);

	/* Every open is a new context. */
	fd = iommu_open();
	fd2 = iommu_open();
	ioas_alloc(fd);
	ioas_alloc(fd);
	assert_int_equal(ioas_exists(fd, 2), 0);
	assert_int_equal(ioas_exists(fd2, 2), -ENOENT);
	close(fd);
	close(fd2);
}

static void test_fopen(void **state)
{
	FILE *fp;
	int fd, again;

	fp = sym_fopen("/dev/iommu", "r+");
	assert_non_null(fp);
	fd = fileno(fp);
	ioas_alloc(fd);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	assert_int_equal(fclose(fp), 0);
	/*
	 * The number is free again and no longer ours: the kernel answers for
	 * whatever takes it next.
	 */
	again = open("/dev/null", O_RDWR);
	assert_int_equal(again, fd);
	{
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

		assert_int_equal(ioctl_rc(again, IOMMU_IOAS_ALLOC, &cmd),
				 -ENOTTY);
	}
	close(again);

	fp = sym_fopen64("/dev/iommu", "re");
	assert_non_null(fp);
	assert_int_equal(fcntl(fileno(fp), F_GETFD), FD_CLOEXEC);
	ioas_alloc(fileno(fp));
	assert_int_equal(fclose(fp), 0);

	assert_null(sym_fopen("/dev/iommu/", "r"));
	assert_int_equal(errno, ENOTDIR);
}

static void check_chardev(const struct stat *st)
{
	assert_true(S_ISCHR(st->st_mode));
	assert_int_equal(major(st->st_rdev), 10);
	assert_int_equal(st->st_uid, geteuid());
	assert_int_equal(st->st_mode & 0777, 0660);
}

static void test_stat_family(void **state)
{
	int (*xstat)(int, const char *, struct stat *);
	int (*fxstat)(int, int, struct stat *);
	int (*fxstatat)(int, int, const char *, struct stat *, int);
	struct stat st;
	struct stat64 st64;
	struct statx stx;
	int fd = iommu_open();

	assert_int_equal(sym_stat("/dev/iommu", &st), 0);
	check_chardev(&st);
	assert_int_equal(sym_stat64("/dev/iommu", &st64), 0);
	check_chardev((struct stat *)&st64);
	assert_int_equal(sym_lstat("/dev/iommu", &st), 0);
	check_chardev(&st);
	assert_int_equal(sym_lstat64("/dev/iommu", &st64), 0);
	check_chardev((struct stat *)&st64);
	assert_int_equal(sym_fstat(fd, &st), 0);
	check_chardev(&st);
	assert_int_equal(sym_fstat64(fd, &st64), 0);
	check_chardev((struct stat *)&st64);
	assert_int_equal(sym_fstatat(AT_FDCWD, "/dev/iommu", &st, 0), 0);
	check_chardev(&st);
	assert_int_equal(sym_fstatat(fd, "", &st, AT_EMPTY_PATH), 0);
	check_chardev(&st);
	assert_int_equal(sym_fstatat64(AT_FDCWD, "/dev/iommu", &st64, 0), 0);
	check_chardev((struct stat *)&st64);

	assert_int_equal(
		statx(AT_FDCWD, "/dev/iommu", 0, STATX_BASIC_STATS, &stx), 0);
	assert_true(S_ISCHR(stx.stx_mode));
	assert_int_equal(stx.stx_rdev_major, 10);
	assert_int_equal(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx),
			 0);
	assert_true(S_ISCHR(stx.stx_mode));

	/* What binaries built against glibc < 2.33 call (_STAT_VER is 1). */
	*(void **)&xstat = dlsym(RTLD_DEFAULT, "__xstat");
	*(void **)&fxstat = dlsym(RTLD_DEFAULT, "__fxstat");
	*(void **)&fxstatat = dlsym(RTLD_DEFAULT, "__fxstatat");
	assert_non_null(xstat);
	assert_non_null(fxstat);
	assert_non_null(fxstatat);
	assert_int_equal(xstat(1, "/dev/iommu", &st), 0);
	check_chardev(&st);
	assert_int_equal(fxstat(1, fd, &st), 0);
	check_chardev(&st);
	assert_int_equal(fxstatat(1, AT_FDCWD, "/dev/iommu", &st, 0), 0);
	check_chardev(&st);
	*(void **)&xstat = dlsym(RTLD_DEFAULT, "__lxstat");
	assert_int_equal(xstat(1, "/dev/iommu", &st), 0);
	check_chardev(&st);

	/* Everything else is the kernel's answer. */
	assert_int_equal(sym_stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 1);
	assert_int_equal(sym_stat("/dev/iommu-not-there", &st), -1);
	assert_int_equal(errno, ENOENT);
	close(fd);
}

static void test_access(void **state)
{
	int (*euid)(const char *, int);

	assert_int_equal(access("/dev/iommu", F_OK), 0);
	assert_int_equal(access("/dev/iommu", R_OK | W_OK), 0);
	assert_int_equal(access("/dev/iommu", X_OK), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(faccessat(AT_FDCWD, "/dev/iommu", R_OK | W_OK, 0), 0);
	assert_int_equal(euidaccess("/dev/iommu", R_OK | W_OK), 0);
	*(void **)&euid = dlsym(RTLD_DEFAULT, "eaccess");
	assert_int_equal(euid("/dev/iommu", R_OK | W_OK), 0);
	assert_int_equal(access("/dev/iommu-not-there", F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/*
 * Every interposed name resolves to the preload library, and nothing of
 * uiommufd's own leaks out of it.
 */
static void test_exports(void **state)
{
	static const char *const names[] = {
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
	void *lib = dlopen("libuiommufd-preload.so", RTLD_NOW | RTLD_NOLOAD);
	size_t i;

	assert_non_null(lib);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *sym = dlsym(lib, names[i]);
		Dl_info info;

		assert_non_null(sym);
		assert_true(dladdr(sym, &info));
		if (!strstr(info.dli_fname, "libuiommufd-preload")) {
			print_error("%s resolves to %s\n", names[i],
				    info.dli_fname);
			fail();
		}
	}
	assert_null(dlsym(lib, "ufd_dispatch"));
	assert_null(dlsym(lib, "uiommufd_ioctl"));
	assert_null(dlsym(lib, "pl_real"));
	dlclose(lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_variants),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_fopen),
		cmocka_unit_test(test_stat_family),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_exports),
	};

	return cmocka_run_group_tests_name("preload_open", tests, NULL, NULL);
}
