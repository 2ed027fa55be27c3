// SPDX-License-Identifier: BSD-3-Clause
/*
 * No system call on the ioctl path: once a context is set up, mapping
 * memory the program mmap()ed into an IOAS with a domain attached (which
 * pins), unmapping it, copying it to another IOAS and asking for ranges
 * and options make no system call at all. A forked child runs them under
 * a seccomp filter that kills it on any system call but write and exit,
 * so one stray call anywhere on those paths fails the test.
 */
#include <dlfcn.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PAGE 4096ul
#define IOVA MOCK_APERTURE_START

/* Allows write, exit and exit_group on x86_64; kills on anything else. */
static int forbid_syscalls(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* ioas_alloc() without cmocka's asserts, for the child: 0 on failure. */
static uint32_t child_ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	return ioctl(fd, IOMMU_IOAS_ALLOC, &cmd) ? 0 : cmd.out_ioas_id;
}

static int map_at(int fd, uint32_t ioas, void *buf, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = 4 * PAGE,
		.iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &map);
}

static int unmap_at(int fd, uint32_t ioas, uint64_t iova)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = ioas,
		.iova = iova,
		.length = 4 * PAGE,
	};

	return ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
}

/* One round of the commands under test; 0 when every one succeeded. */
static int round_trip(int fd, uint32_t ioas, uint32_t ioas2, void *buf)
{
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = ioas2,
		.src_ioas_id = ioas,
		.length = 4 * PAGE,
		.dst_iova = IOVA,
		.src_iova = IOVA,
	};
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges rq = {
		.size = sizeof(rq),
		.ioas_id = ioas,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = ioas,
	};
	int rc = 0;

	rc |= map_at(fd, ioas, buf, IOVA);
	rc |= ioctl(fd, IOMMU_IOAS_COPY, &copy);
	rc |= ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &rq);
	rc |= ioctl(fd, IOMMU_OPTION, &opt);
	rc |= unmap_at(fd, ioas2, IOVA);
	rc |= unmap_at(fd, ioas, IOVA);
	return rc;
}

static void test_no_syscalls(void **state)
{
	int status;
	pid_t pid;

	if (dlsym(RTLD_DEFAULT, "__tsan_init") || dlsym(RTLD_DEFAULT, "__asan_"
								      "init"))
		skip(); /* the sanitizers' interceptors make calls of their own */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct iommu_test_cmd mock = {
			.size = sizeof(mock),
			.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		};
		int fd = open("/dev/iommu", O_RDWR), i, rc = 0;
		uint32_t ioas, ioas2;
		void *buf;

		if (fd < 0)
			_exit(10);
		ioas = child_ioas_alloc(fd);
		ioas2 = child_ioas_alloc(fd);
		if (!ioas || !ioas2)
			_exit(10);
		mock.id = ioas;
		if (ioctl(fd, IOMMU_TEST_CMD, &mock))
			_exit(11);
		mock.id = ioas2;
		if (ioctl(fd, IOMMU_TEST_CMD, &mock))
			_exit(11);
		buf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			_exit(12);
		/* Warm up: the allocator has what the rounds need. */
		for (i = 0; i < 100; i++)
			rc |= round_trip(fd, ioas, ioas2, buf);
		if (rc)
			_exit(13);
		if (forbid_syscalls())
			_exit(14);
		for (i = 0; i < 1000; i++)
			rc |= round_trip(fd, ioas, ioas2, buf);
		/* Raw exit: no atexit handler runs, nothing else is called. */
		syscall(SYS_exit_group, rc ? 15 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		print_error("child killed by signal %d: a system call on the "
			    "ioctl path\n",
			    WTERMSIG(status));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 14) {
		/* A sandbox that forbids installing filters: nothing to see. */
		print_message("seccomp filters are not available here\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_syscalls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
