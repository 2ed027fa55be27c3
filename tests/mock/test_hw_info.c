// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_GET_HW_INFO on mock devices: the selftest information type and
 * register value, how much of the caller's buffer is written or zeroed,
 * the length reported back, capabilities (dirty tracking unless the device
 * says NO_DIRTY; ATS never usable), the PASID width, the requested-type
 * flag, and the errno of every misuse.
 */
#include "mock_test.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

struct fix {
	int64_t live;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct mock_dev plain, nodirty, pasid;
};

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->live = ufd_alloc_live();
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &f->plain), 0);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, MOCK_FLAGS_DEVICE_NO_DIRTY,
				    &f->nodirty),
			 0);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, MOCK_FLAGS_DEVICE_PASID,
				    &f->pasid),
			 0);
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	/* Every buffer the commands allocated went back. */
	assert_int_equal(ufd_alloc_live(), f->live);
	free(f);
	return 0;
}

static long hw_info(struct fix *f, uint32_t dev_id, uint32_t flags,
		    uint32_t type, void *data, uint32_t len,
		    struct iommu_hw_info *out)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
		.in_data_type = type,
	};
	long rc = test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd);

	if (out)
		*out = cmd;
	return rc;
}

static void test_no_buffer(void **state)
{
	struct fix *f = *state;
	struct iommu_hw_info out;

	assert_int_equal(hw_info(f, f->plain.idev, 0, 0, NULL, 0, &out), 0);
	assert_int_equal(out.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	/* The length the driver has, though nothing was copied. */
	assert_int_equal(out.data_len, sizeof(struct iommu_test_hw_info));
	assert_int_equal(out.out_capabilities,
			 IOMMU_HW_CAP_DIRTY_TRACKING |
				 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_int_equal(out.out_max_pasid_log2, 0);
}

static void test_buffer_sizes(void **state)
{
	struct fix *f = *state;
	struct iommu_test_hw_info exact;
	struct iommu_hw_info out;
	uint8_t big[24], small[8];
	size_t i;

	memset(&exact, 0xa5, sizeof(exact));
	assert_int_equal(hw_info(f, f->plain.idev, 0, 0, &exact, sizeof(exact),
				 &out),
			 0);
	assert_int_equal(exact.flags, 0);
	assert_int_equal(exact.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	assert_int_equal(out.data_len, sizeof(exact));

	/* A larger buffer: the data, then zeroes to its end. */
	memset(big, 0xa5, sizeof(big));
	assert_int_equal(
		hw_info(f, f->plain.idev, 0, 0, big, sizeof(big), &out), 0);
	assert_int_equal(out.data_len, sizeof(exact));
	memcpy(&exact, big, sizeof(exact));
	assert_int_equal(exact.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	for (i = sizeof(exact); i < sizeof(big); i++)
		assert_int_equal(big[i], 0);

	/* A smaller one: only what fits; the bytes beyond stay the caller's. */
	memset(small, 0xa5, sizeof(small));
	assert_int_equal(hw_info(f, f->plain.idev, 0, 0, small,
				 offsetofend(struct iommu_test_hw_info, flags),
				 &out),
			 0);
	assert_int_equal(out.data_len, sizeof(exact));
	for (i = 0; i < 4; i++)
		assert_int_equal(small[i], 0);
	for (i = 4; i < sizeof(small); i++)
		assert_int_equal(small[i], 0xa5);
}

static void test_requested_type(void **state)
{
	struct fix *f = *state;
	struct iommu_test_hw_info info;
	struct iommu_hw_info out;

	assert_int_equal(
		hw_info(f, f->plain.idev, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			IOMMU_HW_INFO_TYPE_SELFTEST, &info, sizeof(info), &out),
		0);
	assert_int_equal(out.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	assert_int_equal(info.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	assert_int_equal(
		hw_info(f, f->plain.idev, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			IOMMU_HW_INFO_TYPE_DEFAULT, &info, sizeof(info), &out),
		0);
	assert_int_equal(out.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	/* A type the mock does not report. */
	assert_int_equal(hw_info(f, f->plain.idev,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_SELFTEST + 1, &info,
				 sizeof(info), NULL),
			 -EOPNOTSUPP);
	assert_int_equal(hw_info(f, f->plain.idev,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &info,
				 sizeof(info), NULL),
			 -EOPNOTSUPP);
	/* Without the flag the type field is not read. */
	assert_int_equal(hw_info(f, f->plain.idev, 0,
				 IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &info,
				 sizeof(info), &out),
			 0);
	assert_int_equal(out.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
}

static void test_capabilities(void **state)
{
	struct fix *f = *state;
	struct iommu_hw_info out;

	assert_int_equal(hw_info(f, f->nodirty.idev, 0, 0, NULL, 0, &out), 0);
	assert_int_equal(out.out_capabilities,
			 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_int_equal(out.out_max_pasid_log2, 0);
	assert_int_equal(hw_info(f, f->pasid.idev, 0, 0, NULL, 0, &out), 0);
	assert_int_equal(out.out_max_pasid_log2, MOCK_PASID_WIDTH);
	assert_int_equal(out.out_capabilities,
			 IOMMU_HW_CAP_DIRTY_TRACKING |
				 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
}

static void test_errors(void **state)
{
	struct fix *f = *state;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = f->plain.idev,
	};
	uint8_t info[8];

	cmd.flags = 1u << 1;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd),
			 -EOPNOTSUPP);
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd),
			 -EOPNOTSUPP);
	cmd.__reserved[1] = 0;
	/* Not a bound device: the IOAS, the mock device's own object. */
	cmd.dev_id = f->ioas;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd), -ENOENT);
	cmd.dev_id = f->plain.stdev;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd), -ENOENT);
	cmd.dev_id = 4242;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd), -ENOENT);
	/* A buffer the caller cannot have. */
	assert_int_equal(hw_info(f, f->plain.idev, 0, 0, NULL, 8, NULL),
			 -EFAULT);
	assert_int_equal(hw_info(f, f->plain.idev, 0, 0, (void *)16, 8, NULL),
			 -EFAULT);
	assert_int_equal(
		hw_info(f, f->plain.idev, 0, 0, info, sizeof(info), NULL), 0);
}

/* An older caller's struct, without out_capabilities: not written. */
static void test_short_struct(void **state)
{
	struct fix *f = *state;
	struct iommu_hw_info cmd;
	const uint32_t size = offsetof(struct iommu_hw_info, out_capabilities);

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = size;
	cmd.dev_id = f->pasid.idev;
	cmd.out_capabilities = 0x1234;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	assert_int_equal(cmd.out_max_pasid_log2, MOCK_PASID_WIDTH);
	assert_int_equal(cmd.out_capabilities, 0x1234);
	/* One byte below the first version's end. */
	cmd.size = size - 1;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_GET_HW_INFO, &cmd), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_buffer, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_buffer_sizes, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_requested_type, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_capabilities, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_errors, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_short_struct, fix_setup,
						fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
