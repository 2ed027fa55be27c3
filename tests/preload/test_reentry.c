// SPDX-License-Identifier: BSD-3-Clause
/*
 * The preload library never calls an interposed function itself.
 *
 * Runs with LD_PRELOAD=libpreload_spy.so:libuiommufd-preload.so (see
 * spy.c): drives every interposed function down its emulated path and its
 * pass-through path, including fork (the atfork handlers and the refusal
 * diagnostic) and exec (the start-up scan of inherited descriptors), then
 * asks the spy whether any call came from inside the preload library. It
 * also checks that the spy saw the program's own calls to each function,
 * so a spy that was not in the chain cannot make the test pass.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"

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
int sym_fcntl(int fd, int cmd, ...) __asm__("fcntl");
int sym_fcntl64(int fd, int cmd, ...) __asm__("fcntl64");
void *sym_mmap(void *a, size_t l, int p, int f, int fd, off_t o) __asm__("mma"
									 "p");
void *sym_mmap64(void *a, size_t l, int p, int f, int fd, off_t o) __asm__("mma"
									   "p6"
									   "4");
ssize_t sym_read(int fd, void *buf, size_t n) __asm__("read");
ssize_t sym_read_chk(int fd, void *buf, size_t n, size_t bl) __asm__("__read_"
								     "chk");
ssize_t sym_pread(int fd, void *buf, size_t n, off_t o) __asm__("pread");
ssize_t sym_pread64(int fd, void *buf, size_t n, off_t o) __asm__("pread64");
ssize_t sym_pread_chk(int fd, void *buf, size_t n, off_t o,
		      size_t bl) __asm__("__pread_chk");
ssize_t sym_pread64_chk(int fd, void *buf, size_t n, off_t o,
			size_t bl) __asm__("__pread64_chk");
ssize_t sym_pwrite(int fd, const void *b, size_t n, off_t o) __asm__("pwrite");
ssize_t sym_pwrite64(int fd, const void *b, size_t n, off_t o) __asm__("pwrite6"
								       "4");
int sym_stat(const char *p, struct stat *st) __asm__("stat");
int sym_stat64(const char *p, struct stat *st) __asm__("stat64");
int sym_lstat(const char *p, struct stat *st) __asm__("lstat");
int sym_lstat64(const char *p, struct stat *st) __asm__("lstat64");
int sym_fstat(int fd, struct stat *st) __asm__("fstat");
int sym_fstat64(int fd, struct stat *st) __asm__("fstat64");
int sym_fstatat(int d, const char *p, struct stat *st, int f) __asm__("fstata"
								      "t");
int sym_fstatat64(int d, const char *p, struct stat *st, int f) __asm__("fstata"
									"t64");
struct dirent *sym_readdir(DIR *d) __asm__("readdir");
struct dirent *sym_readdir64(DIR *d) __asm__("readdir64");

/* Runs @fn from the dlsym'd name, for the symbols headers do not declare. */
static void *lookup(const char *name)
{
	void *p = dlsym(RTLD_DEFAULT, name);

	assert_non_null(p);
	return p;
}

/* An ioctl that works on an iommufd and is refused by /dev/null. */
static void ioas_alloc_or_not(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
}

/*
 * munmap, madvise and mremap over memory a mock domain pins, and over
 * memory nothing pins.
 */
static void exercise_pinned(void)
{
	int fd = iommu_open();
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE,
		.length = 4 * 4096,
	};
	char *buf = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(buf != MAP_FAILED);
	mock.id = map.ioas_id = ioas_alloc(fd);
	assert_int_equal(ioctl_rc(fd, IOMMU_TEST_CMD, &mock), 0);
	map.user_va = (uintptr_t)buf;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_MAP, &map), 0);
	/* The pinned pages follow the move, then move aside. */
	buf = mremap(buf, 8 * 4096, 16 * 4096, MREMAP_MAYMOVE);
	assert_true(buf != MAP_FAILED);
	assert_int_equal(madvise(buf, 8 * 4096, MADV_DONTNEED), 0);
	assert_true(mremap(buf, 8 * 4096, 2 * 4096, 0) == buf);
	assert_int_equal(mprotect(buf, 2 * 4096, PROT_READ), 0);
	assert_int_equal(munmap(buf, 2 * 4096), 0);
	close(fd);
}

/* Every function, on an emulated file and on an ordinary one. */
static void exercise(void)
{
	int (*xstat)(int, const char *, struct stat *) = lookup("__xstat");
	int (*xstat64)(int, const char *, struct stat *) = lookup("__xstat64");
	int (*lxstat)(int, const char *, struct stat *) = lookup("__lxstat");
	int (*lxstat64)(int, const char *, struct stat *) = lookup("__"
								   "lxstat64");
	int (*fxstat)(int, int, struct stat *) = lookup("__fxstat");
	int (*fxstat64)(int, int, struct stat *) = lookup("__fxstat64");
	int (*fxstatat)(int, int, const char *, struct stat *, int) =
		lookup("__fxstatat");
	int (*fxstatat64)(int, int, const char *, struct stat *, int) =
		lookup("__fxstatat64");
	int (*eacc)(const char *, int) = lookup("eaccess");
	const char *files[] = { "/dev/iommu", "/dev/null" };
	char buf[32];
	struct statx stx;
	struct stat st;
	int fd, nth, i, d;
	DIR *dir;
	FILE *fp;

	for (i = 0; i < 2; i++) {
		const char *f = files[i];

		close(sym_open(f, O_RDWR));
		close(sym_open64(f, O_RDWR));
		close(sym_openat(AT_FDCWD, f, O_RDWR));
		close(sym_openat64(AT_FDCWD, f, O_RDWR));
		close(sym_open_2(f, O_RDWR));
		close(sym_open64_2(f, O_RDWR));
		close(sym_openat_2(AT_FDCWD, f, O_RDWR));
		close(sym_openat64_2(AT_FDCWD, f, O_RDWR));
		fclose(sym_fopen(f, "r+"));
		fclose(sym_fopen64(f, "r+"));
		sym_stat(f, &st);
		sym_stat64(f, &st);
		sym_lstat(f, &st);
		sym_lstat64(f, &st);
		sym_fstatat(AT_FDCWD, f, &st, 0);
		sym_fstatat64(AT_FDCWD, f, &st, 0);
		xstat(1, f, &st);
		xstat64(1, f, &st);
		lxstat(1, f, &st);
		lxstat64(1, f, &st);
		fxstatat(1, AT_FDCWD, f, &st, 0);
		fxstatat64(1, AT_FDCWD, f, &st, 0);
		statx(AT_FDCWD, f, 0, STATX_BASIC_STATS, &stx);
		access(f, R_OK);
		faccessat(AT_FDCWD, f, R_OK, 0);
		euidaccess(f, R_OK);
		eacc(f, R_OK);

		fd = sym_open(f, O_RDWR);
		assert_true(fd >= 0);
		ioas_alloc_or_not(fd);
		sym_fstat(fd, &st);
		sym_fstat64(fd, &st);
		fxstat(1, fd, &st);
		fxstat64(1, fd, &st);
		statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx);
		sym_read(fd, buf, 1);
		sym_read_chk(fd, buf, 1, sizeof(buf));
		write(fd, "", 0);
		sym_pread(fd, buf, 1, 0);
		sym_pread64(fd, buf, 1, 0);
		sym_pread_chk(fd, buf, 1, 0, sizeof(buf));
		sym_pread64_chk(fd, buf, 1, 0, sizeof(buf));
		sym_pwrite(fd, "", 0, 0);
		sym_pwrite64(fd, "", 0, 0);
		munmap(sym_mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0),
		       4096);
		munmap(sym_mmap64(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0),
		       4096);
		d = dup(fd);
		dup2(fd, 300);
		dup3(fd, 301, O_CLOEXEC);
		close(sym_fcntl(fd, F_DUPFD, 310));
		close(sym_fcntl64(fd, F_DUPFD_CLOEXEC, 320));
		sym_fcntl(fd, F_GETFD);
		close_range(300, 301, CLOSE_RANGE_CLOEXEC);
		close_range(300, 300, 0);
		dup2(fd, 900);
		closefrom(900);
		close(d);
		close(fd);
	}

	exercise_pinned();

	/* fail-nth: through a descriptor and through stdio. */
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	assert_true(nth >= 0);
	assert_int_equal(write(nth, "5", 1), 1);
	assert_true(sym_read(nth, buf, sizeof(buf)) > 0);
	assert_int_equal(sym_pwrite(nth, "0", 1, 0), 1);
	assert_true(sym_pread(nth, buf, sizeof(buf), 0) > 0);
	close(nth);
	fp = fopen("/proc/thread-self/fail-nth", "r+");
	assert_non_null(fp);
	fprintf(fp, "0\n");
	fflush(fp);
	rewind(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);

	/* debugfs: directories and knobs. */
	for (i = 0; i < 2; i++) {
		dir = opendir(i ? "/tmp" : "/sys/kernel/debug");
		assert_non_null(dir);
		while (sym_readdir(dir))
			;
		rewinddir(dir);
		while (sym_readdir64(dir))
			;
		fd = openat(dirfd(dir), "failslab/verbose", O_WRONLY);
		if (fd >= 0) {
			assert_int_equal(write(fd, "0", 1), 1);
			close(fd);
		}
		closedir(dir);
	}
	fd = open("/sys/kernel/debug/failslab/probability", O_RDONLY);
	assert_true(fd >= 0);
	assert_true(sym_read(fd, buf, sizeof(buf)) > 0);
	close(fd);
}

static void check_spy(void)
{
	unsigned long (*reentries)(const char **) = lookup("spy_reentries");
	unsigned long (*calls)(const char *) = lookup("spy_calls");
	const char *(*name)(size_t) = lookup("spy_name");
	/*
	 * A sanitizer's interceptors sit in front of the spy and may forward
	 * a call under another name (ThreadSanitizer turns fstat() into
	 * __fxstat()); under one, only the basic names must arrive as such.
	 */
	bool sanitized = dlsym(RTLD_DEFAULT, "__tsan_init") ||
			 dlsym(RTLD_DEFAULT, "__asan_init");
	const char *first = NULL;
	unsigned long n;
	size_t i;

	/* Every function the spy wraps (all the library interposes). */
	for (i = 0; name(i); i++) {
		if (calls(name(i)))
			continue;
		print_message("the spy never saw %s\n", name(i));
		if (!sanitized || !strcmp(name(i), "open") ||
		    !strcmp(name(i), "ioctl") || !strcmp(name(i), "close"))
			fail();
	}
	n = reentries(&first);
	if (n) {
		print_error("%lu calls into interposed functions from inside "
			    "the preload library, the first to %s\n",
			    n, first);
		fail();
	}
}

static void test_no_reentry(void **state)
{
	exercise();
	check_spy();
}

/* A forked child refusing an inherited iommufd, and the atfork path. */
static void test_no_reentry_fork(void **state)
{
	int fd = iommu_open(), status;
	pid_t pid;

	ioas_alloc(fd);
	pid = fork();
	if (!pid) {
		const char *first;
		unsigned long (*reentries)(const char **) =
			dlsym(RTLD_DEFAULT, "spy_reentries");
		int devnull = open("/dev/null", O_WRONLY);

		/* The refusal's diagnostic is expected: keep it quiet. */
		dup2(devnull, STDERR_FILENO);
		ioas_alloc_or_not(fd);
		close(fd);
		_exit(reentries(&first) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
	check_spy();
}

/* The start-up scan after exec, with an inherited iommufd to find. */
static void test_no_reentry_exec(void **state)
{
	int fd = iommu_open(), status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, STDERR_FILENO);
		execl("/proc/self/exe", "test_preload_reentry", "--exec-child",
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
}

/* After exec: the inherited iommufd (fd 3 or above) is refused. */
static int exec_child(void)
{
	unsigned long (*reentries)(const char **) = dlsym(RTLD_DEFAULT, "spy_"
									"reentr"
									"ies");
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	const char *first;
	int fd, refused = 0;

	for (fd = 3; fd < 64; fd++) {
		errno = 0;
		if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd) && errno == EPERM)
			refused++;
	}
	if (!reentries || reentries(&first))
		return 1;
	return refused == 1 ? 0 : 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_reentry),
		cmocka_unit_test(test_no_reentry_fork),
		cmocka_unit_test(test_no_reentry_exec),
	};

	if (argc > 1 && !strcmp(argv[1], "--exec-child"))
		return exec_child();
	return cmocka_run_group_tests_name("preload_reentry", tests, NULL,
					   NULL);
}
