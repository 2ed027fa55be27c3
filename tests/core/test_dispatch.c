// SPDX-License-Identifier: BSD-3-Clause
/*
 * The dispatcher's size rules and the commands that work end to end:
 * IOMMU_DESTROY, IOMMU_IOAS_ALLOC, IOMMU_OPTION, IOMMU_VFIO_IOAS and the
 * VFIO version and extension queries.
 */
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core_test.h"
#include "core/dispatch_table.h"
#include "uiommufd/uapi/vfio.h"

static void test_size_rules(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct {
		struct iommu_ioas_alloc cmd;
		uint8_t tail[24];
	} big;
	struct iommu_ioas_alloc small;

	/* Below the minimum (end of out_ioas_id): EINVAL, nothing created. */
	memset(&small, 0, sizeof(small));
	small.size = offsetof(struct iommu_ioas_alloc, out_ioas_id) + 3;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &small), -EINVAL);
	small.size = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &small), -EINVAL);
	assert_int_equal(ufd_object_count(ctx), 0);

	/* Longer with a zero tail: works, and the tail is left alone. */
	memset(&big, 0, sizeof(big));
	big.cmd.size = sizeof(big);
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &big), 0);
	assert_int_equal(big.cmd.out_ioas_id, 1);
	for (size_t i = 0; i < sizeof(big.tail); i++)
		assert_int_equal(big.tail[i], 0);

	/* Longer with any non-zero tail byte: E2BIG, nothing created. */
	for (size_t i = 0; i < sizeof(big.tail); i++) {
		memset(&big, 0, sizeof(big));
		big.cmd.size = sizeof(big);
		big.tail[i] = 0x80;
		assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &big),
				 -E2BIG);
	}
	assert_int_equal(ufd_object_count(ctx), 1);

	ufd_ctx_put(ctx);
}

/*
 * A size reaching past the caller's memory is EFAULT, not a crash: the
 * struct sits at the end of a page whose successor is unmapped, so the
 * zero tail runs into the hole.
 */
static void test_size_past_mapping(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	long page = sysconf(_SC_PAGESIZE);
	struct iommu_ioas_alloc *cmd;
	char *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(munmap(map + page, page), 0);
	cmd = (struct iommu_ioas_alloc *)(map + page - 64);
	cmd->size = 64 + 16;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, cmd), -EFAULT);
	cmd->size = UINT32_MAX;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, cmd), -EFAULT);
	cmd->size = 64;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, cmd), 0);
	assert_int_equal(ufd_object_count(ctx), 1);
	munmap(map, page);
	ufd_ctx_put(ctx);
}

static void test_reply_copies_callers_size(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct iommu_vfio_ioas set = { .size = sizeof(set) };
	struct {
		struct iommu_vfio_ioas cmd;
		uint64_t canary;
	} get;

	set.op = IOMMU_VFIO_IOAS_SET;
	set.ioas_id = test_ioas_alloc(ctx);
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &set), 0);

	/* A caller whose struct is exactly ours gets exactly ours back. */
	memset(&get, 0, sizeof(get));
	get.cmd.size = sizeof(get.cmd);
	get.cmd.op = IOMMU_VFIO_IOAS_GET;
	get.canary = 0x1122334455667788ull;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &get), 0);
	assert_int_equal(get.cmd.ioas_id, set.ioas_id);
	assert_int_equal(get.canary, 0x1122334455667788ull);
	ufd_ctx_put(ctx);
}

static void test_unknown_commands(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	unsigned int nr;

	/* Inside the iommufd range, every hole is ENOTTY. */
	for (nr = IOMMUFD_CMD_BASE; nr < IOMMUFD_CMD_BASE + ufd_ioctl_ops_count;
	     nr++) {
		unsigned int num = _IO(IOMMUFD_TYPE, nr);

		if (ufd_ioctl_op_find(num))
			continue;
		assert_int_equal(test_ioctl(ctx, num, &cmd), -ENOTTY);
	}
	/* A right number with the wrong type or direction bits: ENOTTY. */
	assert_int_equal(test_ioctl(ctx, _IO('x', 0x80), &cmd), -ENOTTY);
	assert_int_equal(test_ioctl(ctx, _IOW(IOMMUFD_TYPE, 0x80, int), &cmd),
			 -ENOTTY);
	/* Past the table: the VFIO layer, which knows none of these. */
	assert_int_equal(test_ioctl(ctx, _IO(IOMMUFD_TYPE, 0xc0), &cmd),
			 -ENOTTY);
	assert_int_equal(test_ioctl(ctx, _IO(IOMMUFD_TYPE, 0x10), &cmd),
			 -ENOTTY);
	/* NULL argument: EFAULT. */
	assert_int_equal(test_ioctl(ctx, IOMMU_DESTROY, NULL), -EFAULT);
	ufd_ctx_put(ctx);
}

static void test_ioas_alloc_flags(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &cmd), -EOPNOTSUPP);
	assert_int_equal(cmd.out_ioas_id, 0);
	assert_int_equal(ufd_object_count(ctx), 0);
	ufd_ctx_put(ctx);
}

static long option(struct ufd_ctx *ctx, uint32_t option_id, uint16_t op,
		   uint32_t object_id, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	long rc = test_ioctl(ctx, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return rc;
}

static void test_option_huge_pages(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	uint64_t v = 0;

	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_GET, ioas, &v),
			 0);
	assert_int_equal(v, 1);
	v = 0;
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_SET, ioas, &v),
			 0);
	v = 7;
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_GET, ioas, &v),
			 0);
	assert_int_equal(v, 0);
	v = 2;
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_SET, ioas, &v),
			 -EINVAL);
	v = 1;
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_SET, ioas, &v),
			 0);
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_GET, ioas, &v),
			 0);
	assert_int_equal(v, 1);
	/* Bad op, missing object, object of another type, unknown option. */
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES, 2, ioas, &v),
			 -EOPNOTSUPP);
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_GET, ioas + 1, &v),
			 -ENOENT);
	assert_int_equal(option(ctx, IOMMU_OPTION_HUGE_PAGES,
				IOMMU_OPTION_OP_GET, 0, &v),
			 -ENOENT);
	assert_int_equal(option(ctx, 2, IOMMU_OPTION_OP_GET, ioas, &v),
			 -EOPNOTSUPP);
	ufd_ctx_put(ctx);
}

static void test_option_reserved_and_output(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 55,
	};

	cmd.__reserved = 1;
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &cmd), -EOPNOTSUPP);
	assert_int_equal(cmd.val64, 55);
	cmd.__reserved = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &cmd), 0);
	assert_int_equal(cmd.val64, 0);
	/* RLIMIT_MODE is context-wide: an object id is refused. */
	cmd.object_id = 1;
	assert_int_equal(test_ioctl(ctx, IOMMU_OPTION, &cmd), -EOPNOTSUPP);
	ufd_ctx_put(ctx);
}

/* Whether this thread may set RLIMIT_MODE, as the kernel decides it. */
static bool have_cap_sys_resource(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_RESOURCE / 32].effective &
	       (1u << (CAP_SYS_RESOURCE % 32));
}

static void test_option_rlimit_mode(void **state)
{
	struct ufd_ctx *ctx;
	uint64_t v;
	uint32_t ioas;

	if (!have_cap_sys_resource()) {
		printf("# no CAP_SYS_RESOURCE here; the EPERM test covers "
		       "it\n");
		skip();
	}
	ctx = test_ctx_open();
	v = 1;
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_SET, 0, &v),
			 0);
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_GET, 0, &v),
			 0);
	assert_int_equal(v, 1);
	v = 2;
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_SET, 0, &v),
			 -EINVAL);
	/* Once an object exists the mode is fixed. */
	ioas = test_ioas_alloc(ctx);
	v = 0;
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_SET, 0, &v),
			 -EBUSY);
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_GET, 0, &v),
			 0);
	assert_int_equal(v, 1);
	assert_int_equal(test_destroy(ctx, ioas), 0);
	v = 0;
	assert_int_equal(option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				IOMMU_OPTION_OP_SET, 0, &v),
			 0);
	ufd_ctx_put(ctx);
}

/* Without CAP_SYS_RESOURCE, setting the mode is EPERM (in a child). */
static void test_option_rlimit_mode_eperm(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct data[2];
		struct ufd_ctx *ctx;
		uint64_t v = 1;

		if (syscall(SYS_capget, &hdr, data))
			_exit(2);
		data[CAP_SYS_RESOURCE / 32].effective &=
			~(1u << (CAP_SYS_RESOURCE % 32));
		if (syscall(SYS_capset, &hdr, data))
			_exit(2);
		ctx = ufd_ctx_create();
		if (IS_ERR(ctx))
			_exit(2);
		_exit(option(ctx, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET,
			     0, &v) == -EPERM
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_vfio_ioas(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd) };
	uint32_t a = test_ioas_alloc(ctx), b = test_ioas_alloc(ctx);

	cmd.op = IOMMU_VFIO_IOAS_GET;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -ENODEV);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = 99;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -ENOENT);
	cmd.ioas_id = a;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
	cmd.ioas_id = b;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.ioas_id = 0;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
	assert_int_equal(cmd.ioas_id, b);
	/* Destroying the compat IOAS unsets it. */
	assert_int_equal(test_destroy(ctx, b), 0);
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -ENODEV);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = a;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
	cmd.op = IOMMU_VFIO_IOAS_CLEAR;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), 0);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -ENODEV);
	cmd.op = 3;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -EOPNOTSUPP);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.__reserved = 1;
	assert_int_equal(test_ioctl(ctx, IOMMU_VFIO_IOAS, &cmd), -EOPNOTSUPP);
	ufd_ctx_put(ctx);
}

static void test_vfio_queries(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();

	assert_int_equal(test_ioctl(ctx, VFIO_GET_API_VERSION, NULL),
			 VFIO_API_VERSION);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
			 1);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 1);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_UNMAP_ALL),
			 1);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_SPAPR_TCE_IOMMU),
			 0);
	assert_int_equal(test_ioctl(ctx, VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)VFIO_UPDATE_VADDR),
			 0);
	/* Container commands need the compat IOAS. */
	assert_int_equal(test_ioctl(ctx, VFIO_SET_IOMMU,
				    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 -ENODEV);
	ufd_ctx_put(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_rules),
		cmocka_unit_test(test_size_past_mapping),
		cmocka_unit_test(test_reply_copies_callers_size),
		cmocka_unit_test(test_unknown_commands),
		cmocka_unit_test(test_ioas_alloc_flags),
		cmocka_unit_test(test_option_huge_pages),
		cmocka_unit_test(test_option_reserved_and_output),
		cmocka_unit_test(test_option_rlimit_mode),
		cmocka_unit_test(test_option_rlimit_mode_eperm),
		cmocka_unit_test(test_vfio_ioas),
		cmocka_unit_test(test_vfio_queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
