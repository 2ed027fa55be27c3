// SPDX-License-Identifier: BSD-3-Clause
/*
 * UIOMMUFD_MODEL=smmuv3 (uiommufd run --model=smmuv3): the devices
 * IOMMU_TEST_OP_MOCK_DOMAIN makes sit behind the SMMUv3, so a program
 * written against the Linux uAPI sees ARM hardware information and can
 * build a nesting parent and an ARM SMMUv3 vIOMMU, while mock-only data
 * types are refused.
 */
#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"

static void test_smmuv3_devices(void **state)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_hw_info_arm_smmuv3 info = { 0 };
	struct iommu_hw_info hw = {
		.size = sizeof(hw),
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
	};
	int fd = iommu_open();

	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &ioas), 0);
	mock.id = ioas.out_ioas_id;
	assert_int_equal(ioctl_rc(fd, IOMMU_TEST_CMD, &mock), 0);
	hw.dev_id = mock.mock_domain.out_idev_id;
	assert_int_equal(ioctl_rc(fd, IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_true(info.idr[0] != 0);
	parent.dev_id = hw.dev_id;
	parent.pt_id = ioas.out_ioas_id;
	assert_int_equal(ioctl_rc(fd, IOMMU_HWPT_ALLOC, &parent), 0);
	va.dev_id = hw.dev_id;
	va.hwpt_id = parent.out_hwpt_id;
	assert_int_equal(ioctl_rc(fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	/* The mock's own vIOMMU type is not this IOMMU's. */
	va.type = IOMMU_VIOMMU_TYPE_SELFTEST;
	assert_int_equal(ioctl_rc(fd, IOMMU_VIOMMU_ALLOC, &va), -EOPNOTSUPP);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smmuv3_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
