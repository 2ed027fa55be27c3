// SPDX-License-Identifier: BSD-3-Clause
/*
 * The generic ABI test: every command in the dispatcher's table, driven
 * through the same five probes:
 *   1. size one byte below the command's minimum: EINVAL;
 *   2. size 8 bytes past ours with a non-zero tail: E2BIG;
 *   3. size 8 bytes past ours with a zero tail: exactly the result (and the
 *      reply) of the same call with our size;
 *   4. an unknown flag (or a non-zero reserved field, for commands without
 *      flags): EOPNOTSUPP;
 *   5. the first object id the command looks up naming an object of the
 *      wrong type: what Linux answers (ENOENT, or EINVAL where the kernel
 *      looks up any type and then rejects it).
 * A table entry describes each command; the test fails if a command in the
 * dispatcher has no entry, so a new command cannot skip these probes.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "core_test.h"
#include "core/dispatch_table.h"
#include "core/selftest.h"
#include "uiommufd/uapi/iommufd_test.h"

#define NONE (-1)
#define BAD_FLAG (1u << 31)

struct abi_case {
	unsigned int ioctl_num;
	int flags_off; /* u32 flags field, or NONE */
	int resv_off;  /* u32 reserved field that must be 0, or NONE */
	int id_off;    /* u32 id of the first object looked up, or NONE */
	int wrong_type_errno;
	/* Makes the command valid up to its first object lookup. */
	void (*setup)(void *cmd, uint32_t ioas_id);
};

static uint8_t user_buf[4096] __attribute__((aligned(4096)));

static void setup_map(void *p, uint32_t ioas)
{
	struct iommu_ioas_map *cmd = p;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->ioas_id = ioas;
	cmd->user_va = (uintptr_t)user_buf;
	cmd->length = sizeof(user_buf);
}

static void setup_map_file(void *p, uint32_t ioas)
{
	struct iommu_ioas_map_file *cmd = p;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->ioas_id = ioas;
	cmd->fd = -1;
	cmd->length = 4096;
}

static void setup_copy(void *p, uint32_t ioas)
{
	struct iommu_ioas_copy *cmd = p;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->src_ioas_id = ioas;
	cmd->dst_ioas_id = ioas;
	cmd->length = 4096;
}

static void setup_unmap(void *p, uint32_t ioas)
{
	struct iommu_ioas_unmap *cmd = p;

	cmd->ioas_id = ioas;
	cmd->length = 4096;
}

static void setup_ioas_id_after_size(void *p, uint32_t ioas)
{
	/* ALLOW_IOVAS and IOVA_RANGES keep the IOAS id right after size. */
	((uint32_t *)p)[1] = ioas;
}

static void setup_option(void *p, uint32_t ioas)
{
	struct iommu_option *cmd = p;

	cmd->option_id = IOMMU_OPTION_HUGE_PAGES;
	cmd->op = IOMMU_OPTION_OP_GET;
	cmd->object_id = ioas;
}

static void setup_vfio_ioas(void *p, uint32_t ioas)
{
	struct iommu_vfio_ioas *cmd = p;

	cmd->op = IOMMU_VFIO_IOAS_SET;
	cmd->ioas_id = ioas;
}

static void setup_noiommu(void *p, uint32_t ioas)
{
	struct iommu_ioas_noiommu_get_pa *cmd = p;

	cmd->ioas_id = ioas;
	cmd->length = 4096;
}

static void setup_viommu(void *p, uint32_t ioas)
{
	struct iommu_viommu_alloc *cmd = p;

	cmd->type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	cmd->hwpt_id = ioas;
}

static void setup_veventq(void *p, uint32_t ioas)
{
	struct iommu_veventq_alloc *cmd = p;

	cmd->type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	cmd->veventq_depth = 1;
}

static void setup_hw_queue(void *p, uint32_t ioas)
{
	struct iommu_hw_queue_alloc *cmd = p;

	cmd->type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	cmd->length = 4096;
}

static void setup_destroy(void *p, uint32_t ioas)
{
	((struct iommu_destroy *)p)->id = ioas;
}

static void setup_nothing(void *p, uint32_t ioas)
{
}

#define OFF(type, field) ((int)offsetof(type, field))

static const struct abi_case cases[] = {
	{ IOMMU_DESTROY, NONE, NONE, NONE, 0, setup_destroy },
	{ IOMMU_IOAS_ALLOC, OFF(struct iommu_ioas_alloc, flags), NONE, NONE, 0,
	  setup_nothing },
	{ IOMMU_IOAS_ALLOW_IOVAS, NONE,
	  OFF(struct iommu_ioas_allow_iovas, __reserved),
	  OFF(struct iommu_ioas_allow_iovas, ioas_id), ENOENT,
	  setup_ioas_id_after_size },
	{ IOMMU_IOAS_COPY, OFF(struct iommu_ioas_copy, flags), NONE,
	  OFF(struct iommu_ioas_copy, src_ioas_id), ENOENT, setup_copy },
	{ IOMMU_IOAS_IOVA_RANGES, NONE,
	  OFF(struct iommu_ioas_iova_ranges, __reserved),
	  OFF(struct iommu_ioas_iova_ranges, ioas_id), ENOENT,
	  setup_ioas_id_after_size },
	{ IOMMU_IOAS_MAP, OFF(struct iommu_ioas_map, flags),
	  OFF(struct iommu_ioas_map, __reserved),
	  OFF(struct iommu_ioas_map, ioas_id), ENOENT, setup_map },
	{ IOMMU_IOAS_UNMAP, NONE, NONE, OFF(struct iommu_ioas_unmap, ioas_id),
	  ENOENT, setup_unmap },
	{ IOMMU_OPTION, NONE, OFF(struct iommu_option, __reserved),
	  OFF(struct iommu_option, object_id), ENOENT, setup_option },
	{ IOMMU_VFIO_IOAS, NONE, OFF(struct iommu_vfio_ioas, __reserved),
	  OFF(struct iommu_vfio_ioas, ioas_id), ENOENT, setup_vfio_ioas },
	{ IOMMU_HWPT_ALLOC, OFF(struct iommu_hwpt_alloc, flags),
	  OFF(struct iommu_hwpt_alloc, __reserved),
	  OFF(struct iommu_hwpt_alloc, dev_id), ENOENT, setup_nothing },
	{ IOMMU_GET_HW_INFO, OFF(struct iommu_hw_info, flags), NONE,
	  OFF(struct iommu_hw_info, dev_id), ENOENT, setup_nothing },
	{ IOMMU_HWPT_SET_DIRTY_TRACKING,
	  OFF(struct iommu_hwpt_set_dirty_tracking, flags),
	  OFF(struct iommu_hwpt_set_dirty_tracking, __reserved),
	  OFF(struct iommu_hwpt_set_dirty_tracking, hwpt_id), ENOENT,
	  setup_nothing },
	{ IOMMU_HWPT_GET_DIRTY_BITMAP,
	  OFF(struct iommu_hwpt_get_dirty_bitmap, flags),
	  OFF(struct iommu_hwpt_get_dirty_bitmap, __reserved),
	  OFF(struct iommu_hwpt_get_dirty_bitmap, hwpt_id), ENOENT,
	  setup_nothing },
	/* The kernel finds any object, then refuses the wrong kind: EINVAL. */
	{ IOMMU_HWPT_INVALIDATE, NONE,
	  OFF(struct iommu_hwpt_invalidate, __reserved),
	  OFF(struct iommu_hwpt_invalidate, hwpt_id), EINVAL, setup_nothing },
	{ IOMMU_FAULT_QUEUE_ALLOC, OFF(struct iommu_fault_alloc, flags), NONE,
	  NONE, 0, setup_nothing },
	{ IOMMU_IOAS_MAP_FILE, OFF(struct iommu_ioas_map_file, flags), NONE,
	  OFF(struct iommu_ioas_map_file, ioas_id), ENOENT, setup_map_file },
	{ IOMMU_VIOMMU_ALLOC, OFF(struct iommu_viommu_alloc, flags), NONE,
	  OFF(struct iommu_viommu_alloc, dev_id), ENOENT, setup_viommu },
	{ IOMMU_VDEVICE_ALLOC, NONE, NONE,
	  OFF(struct iommu_vdevice_alloc, viommu_id), ENOENT, setup_nothing },
	{ IOMMU_IOAS_CHANGE_PROCESS, NONE,
	  OFF(struct iommu_ioas_change_process, __reserved), NONE, 0,
	  setup_nothing },
	{ IOMMU_VEVENTQ_ALLOC, OFF(struct iommu_veventq_alloc, flags),
	  OFF(struct iommu_veventq_alloc, __reserved),
	  OFF(struct iommu_veventq_alloc, viommu_id), ENOENT, setup_veventq },
	{ IOMMU_HW_QUEUE_ALLOC, OFF(struct iommu_hw_queue_alloc, flags), NONE,
	  OFF(struct iommu_hw_queue_alloc, viommu_id), ENOENT, setup_hw_queue },
	{ IOMMU_IOAS_NOIOMMU_GET_PA,
	  OFF(struct iommu_ioas_noiommu_get_pa, flags),
	  OFF(struct iommu_ioas_noiommu_get_pa, __reserved),
	  OFF(struct iommu_ioas_noiommu_get_pa, ioas_id), ENOENT,
	  setup_noiommu },
	/* Ops of the test interface are covered by the mock's own tests. */
	{ IOMMU_TEST_CMD, NONE, NONE, NONE, 0, setup_nothing },
};

static const struct abi_case *find_case(unsigned int num)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (cases[i].ioctl_num == num)
			return &cases[i];
	return NULL;
}

/* A context with one IOAS (id 1) and one SELFTEST object (id 2). */
struct fixture {
	struct ufd_ctx *ctx;
	uint32_t ioas_id;
	uint32_t other_id;
};

static void fixture_open(struct fixture *f)
{
	int64_t st;

	f->ctx = test_ctx_open();
	f->ioas_id = test_ioas_alloc(f->ctx);
	st = ufd_selftest_obj_create(f->ctx, 0);
	assert_true(st > 0);
	f->other_id = (uint32_t)st;
}

static void fixture_close(struct fixture *f)
{
	ufd_ctx_put(f->ctx);
}

/* Builds the command in buf (zeroed, `size` field set) and runs it. */
static long run(const struct ufd_ioctl_op *op, const struct abi_case *c,
		uint8_t *buf, uint32_t size)
{
	struct fixture f;
	long rc;

	fixture_open(&f);
	memcpy(buf, &size, sizeof(size));
	c->setup(buf, f.ioas_id);
	rc = test_ioctl(f.ctx, op->ioctl_num, buf);
	/* A new fault queue hands out an fd: close it so runs compare. */
	if (!rc && op->ioctl_num == IOMMU_FAULT_QUEUE_ALLOC) {
		struct iommu_fault_alloc *fa = (void *)buf;

		close((int)fa->out_fault_fd);
		fa->out_fault_fd = 0;
	}
	fixture_close(&f);
	return rc;
}

static void put_u32(uint8_t *buf, int off, uint32_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static void probe_command(const struct ufd_ioctl_op *op,
			  const struct abi_case *c)
{
	uint8_t exact[512], longer[512 + 8];
	struct fixture f;
	long rc;

	assert_true(op->size <= sizeof(exact));
	printf("# %s\n", op->name);

	/* 1. One byte below the minimum. */
	memset(exact, 0, sizeof(exact));
	assert_int_equal(run(op, c, exact, op->min_size - 1), -EINVAL);

	/* 2. Longer, non-zero tail. */
	memset(longer, 0, sizeof(longer));
	longer[op->size + 7] = 1;
	assert_int_equal(run(op, c, longer, op->size + 8), -E2BIG);

	/* 3. Longer, zero tail: same result and same reply as exact. */
	memset(exact, 0, sizeof(exact));
	memset(longer, 0, sizeof(longer));
	rc = run(op, c, exact, op->size);
	assert_int_equal(run(op, c, longer, op->size + 8), rc);
	assert_memory_equal(exact + 4, longer + 4, op->size - 4);
	for (unsigned int i = op->size; i < op->size + 8; i++)
		assert_int_equal(longer[i], 0);

	/* 4. An unknown flag, or a non-zero reserved field. */
	if (c->flags_off != NONE || c->resv_off != NONE) {
		memset(exact, 0, sizeof(exact));
		fixture_open(&f);
		put_u32(exact, 0, op->size);
		c->setup(exact, f.ioas_id);
		if (c->flags_off != NONE) {
			uint32_t flags;

			memcpy(&flags, exact + c->flags_off, sizeof(flags));
			put_u32(exact, c->flags_off, flags | BAD_FLAG);
		} else {
			put_u32(exact, c->resv_off, 1);
		}
		assert_int_equal(test_ioctl(f.ctx, op->ioctl_num, exact),
				 -EOPNOTSUPP);
		/* Refused commands create nothing. */
		assert_int_equal(ufd_object_count(f.ctx), 2);
		fixture_close(&f);
	}

	/* 5. The first object id names an object of another type. */
	if (c->id_off != NONE) {
		memset(exact, 0, sizeof(exact));
		fixture_open(&f);
		put_u32(exact, 0, op->size);
		c->setup(exact, f.ioas_id);
		put_u32(exact, c->id_off, f.other_id);
		assert_int_equal(test_ioctl(f.ctx, op->ioctl_num, exact),
				 -c->wrong_type_errno);
		/* And an id that names nothing at all. */
		put_u32(exact, c->id_off, 1000);
		assert_int_equal(test_ioctl(f.ctx, op->ioctl_num, exact),
				 c->wrong_type_errno == EINVAL
					 ? -ENOENT
					 : -c->wrong_type_errno);
		assert_int_equal(ufd_object_count(f.ctx), 2);
		fixture_close(&f);
	}
}

static void test_every_command(void **state)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ufd_ioctl_ops_count; i++) {
		const struct ufd_ioctl_op *op = &ufd_ioctl_ops[i];
		const struct abi_case *c;

		if (!op->ioctl_num)
			continue;
		c = find_case(op->ioctl_num);
		if (!c)
			fail_msg("%s has no generic ABI case", op->name);
		probe_command(op, c);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(cases));
}

/* The table holds every command of the uAPI, with Linux's numbers. */
static void test_table_is_complete(void **state)
{
	static const unsigned int all[] = {
		IOMMU_DESTROY,
		IOMMU_IOAS_ALLOC,
		IOMMU_IOAS_ALLOW_IOVAS,
		IOMMU_IOAS_COPY,
		IOMMU_IOAS_IOVA_RANGES,
		IOMMU_IOAS_MAP,
		IOMMU_IOAS_UNMAP,
		IOMMU_OPTION,
		IOMMU_VFIO_IOAS,
		IOMMU_HWPT_ALLOC,
		IOMMU_GET_HW_INFO,
		IOMMU_HWPT_SET_DIRTY_TRACKING,
		IOMMU_HWPT_GET_DIRTY_BITMAP,
		IOMMU_HWPT_INVALIDATE,
		IOMMU_FAULT_QUEUE_ALLOC,
		IOMMU_IOAS_MAP_FILE,
		IOMMU_VIOMMU_ALLOC,
		IOMMU_VDEVICE_ALLOC,
		IOMMU_IOAS_CHANGE_PROCESS,
		IOMMU_VEVENTQ_ALLOC,
		IOMMU_HW_QUEUE_ALLOC,
		IOMMU_IOAS_NOIOMMU_GET_PA,
		IOMMU_TEST_CMD,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		const struct ufd_ioctl_op *op = ufd_ioctl_op_find(all[i]);

		assert_non_null(op);
		assert_true(op->min_size >= 8);
		assert_true(op->min_size <= op->size);
	}
	/* Numbers are facts of the ABI: first and last of the range. */
	assert_int_equal(IOMMU_DESTROY, 0x3b80);
	assert_int_equal(IOMMU_HW_QUEUE_ALLOC, 0x3b94);
	assert_int_equal(IOMMU_TEST_CMD, 0x3ba0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_complete),
		cmocka_unit_test(test_every_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
