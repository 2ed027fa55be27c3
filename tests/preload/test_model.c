// SPDX-License-Identifier: BSD-3-Clause
/*
 * UIOMMUFD_MODEL (uiommufd run --model=...): the devices
 * IOMMU_TEST_OP_MOCK_DOMAIN makes sit behind the IOMMU it names, so a
 * program written against the Linux uAPI sees that IOMMU's hardware
 * information and uses its data types, as on a machine with that IOMMU:
 * - smmuv3: ARM hardware information, a nesting parent and an ARM SMMUv3
 *   vIOMMU;
 * - vtd: Intel VT-d CAP/ECAP, nested HWPTs from a guest's stage-1 table
 *   (IOMMU_HWPT_DATA_VTD_S1) and their invalidation;
 * - amd: AMD EFR/EFR2, a vIOMMU over a nesting parent and nested HWPTs
 *   from a guest's Device Table Entry (IOMMU_HWPT_DATA_AMD_GUEST).
 * Mock-only data types are refused. The meson file runs this program once
 * per model; each test skips unless its model is the one set.
 */
#include <stdbool.h>

#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"

static bool model_is(const char *name)
{
	const char *m = getenv("UIOMMUFD_MODEL");

	return m && !strcmp(m, name);
}

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
	int fd;

	if (!model_is("smmuv3"))
		skip();
	fd = iommu_open();
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

/* One device behind the model, on a fresh IOAS. */
struct model_dev {
	int fd;
	uint32_t ioas, stdev, idev, hwpt;
};

static void model_dev_make(struct model_dev *d)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};

	d->fd = iommu_open();
	assert_int_equal(ioctl_rc(d->fd, IOMMU_IOAS_ALLOC, &ioas), 0);
	mock.id = ioas.out_ioas_id;
	assert_int_equal(ioctl_rc(d->fd, IOMMU_TEST_CMD, &mock), 0);
	d->ioas = ioas.out_ioas_id;
	d->stdev = mock.mock_domain.out_stdev_id;
	d->idev = mock.mock_domain.out_idev_id;
	d->hwpt = mock.mock_domain.out_hwpt_id;
}

static int hwpt_alloc(struct model_dev *d, uint32_t flags, uint32_t pt_id,
		      uint32_t type, void *data, uint32_t len, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = d->idev,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl_rc(d->fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static int replace(struct model_dev *d, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = d->stdev,
		.mock_domain_replace.pt_id = pt_id,
	};

	return ioctl_rc(d->fd, IOMMU_TEST_CMD, &cmd);
}

static void test_vtd_devices(void **state)
{
	struct iommu_hw_info_vtd info = { 0 };
	struct iommu_hw_info hw = {
		.size = sizeof(hw),
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = 0x100000,
		.addr_width = 48,
	};
	struct iommu_hwpt_vtd_s1_invalidate inv[2] = {
		{ .addr = 0, .npages = UINT64_MAX },
		{ .addr = 0x1000, .npages = 1, .__reserved = 1 },
	};
	struct iommu_hwpt_invalidate ic = {
		.size = sizeof(ic),
		.data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(inv[0]),
		.entry_num = 2,
	};
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
	};
	uint32_t parent, nested, tracked;
	struct model_dev d;

	if (!model_is("vtd"))
		skip();
	model_dev_make(&d);
	hw.dev_id = d.idev;
	assert_int_equal(ioctl_rc(d.fd, IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_true(info.cap_reg != 0);
	/* ECAP.NEST (bit 26) and ECAP.SSADS (bit 45): nesting, dirty. */
	assert_true(info.ecap_reg & (1ull << 26));
	assert_true(info.ecap_reg & (1ull << 45));
	assert_true(hw.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(hwpt_alloc(&d, IOMMU_HWPT_ALLOC_NEST_PARENT, d.ioas,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, &parent),
			 0);
	assert_int_equal(hwpt_alloc(&d, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, d.ioas,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, &tracked),
			 0);
	/* A guest stage-1 table over the parent, attached and invalidated. */
	assert_int_equal(hwpt_alloc(&d, 0, parent, IOMMU_HWPT_DATA_VTD_S1, &s1,
				    sizeof(s1), &nested),
			 0);
	assert_int_equal(replace(&d, nested), 0);
	ic.hwpt_id = nested;
	/* A reserved field set: EOPNOTSUPP, as Linux; one entry handled. */
	assert_int_equal(ioctl_rc(d.fd, IOMMU_HWPT_INVALIDATE, &ic),
			 -EOPNOTSUPP);
	assert_int_equal(ic.entry_num, 1);
	/* Not on a paging HWPT, and not with the ARM data type. */
	ic.hwpt_id = parent;
	ic.entry_num = 1;
	assert_int_equal(ioctl_rc(d.fd, IOMMU_HWPT_INVALIDATE, &ic), -EINVAL);
	assert_int_equal(hwpt_alloc(&d, 0, parent, IOMMU_HWPT_DATA_ARM_SMMUV3,
				    &s1, 16, NULL),
			 -EOPNOTSUPP);
	/* The VT-d driver has no vIOMMU. */
	va.dev_id = d.idev;
	va.hwpt_id = parent;
	assert_int_equal(ioctl_rc(d.fd, IOMMU_VIOMMU_ALLOC, &va), -EOPNOTSUPP);
	assert_int_equal(replace(&d, tracked), 0);
	close(d.fd);
}

static void test_amd_devices(void **state)
{
	struct iommu_hw_info_amd info = { 0 };
	struct iommu_hw_info hw = {
		.size = sizeof(hw),
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};
	/* V, GV, a GCR3 table root (bits 14:12 and 30:15), 4-level GPM 0. */
	struct iommu_hwpt_amd_guest gdte = {
		.dte = { 1ull | 1ull << 55 | 1ull << 58, 0x10ull << 16 | 7, 0,
			 0 },
	};
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
	};
	uint32_t parent, nested;
	struct model_dev d;

	if (!model_is("amd"))
		skip();
	model_dev_make(&d);
	hw.dev_id = d.idev;
	assert_int_equal(ioctl_rc(d.fd, IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOMMU_HW_INFO_TYPE_AMD);
	assert_true(info.efr != 0);
	assert_int_equal(hwpt_alloc(&d, IOMMU_HWPT_ALLOC_NEST_PARENT, d.ioas,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, &parent),
			 0);
	assert_int_equal(hwpt_alloc(&d, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, d.ioas,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, NULL),
			 0);
	/* AMD nesting goes through a vIOMMU (any type but the default). */
	va.dev_id = d.idev;
	va.hwpt_id = parent;
	assert_int_equal(ioctl_rc(d.fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	assert_int_equal(hwpt_alloc(&d, 0, va.out_viommu_id,
				    IOMMU_HWPT_DATA_AMD_GUEST, &gdte,
				    sizeof(gdte), &nested),
			 0);
	assert_int_equal(replace(&d, nested), 0);
	/* A guest DTE naming a host table is refused. */
	gdte.dte[0] |= 4ull << 9; /* Mode */
	assert_int_equal(hwpt_alloc(&d, 0, va.out_viommu_id,
				    IOMMU_HWPT_DATA_AMD_GUEST, &gdte,
				    sizeof(gdte), NULL),
			 -EINVAL);
	assert_int_equal(replace(&d, parent), 0);
	close(d.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smmuv3_devices),
		cmocka_unit_test(test_vtd_devices),
		cmocka_unit_test(test_amd_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
