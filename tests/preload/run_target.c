// SPDX-License-Identifier: BSD-3-Clause
/*
 * The program test_run starts under `uiommufd run`: an unmodified uAPI
 * user. It prints its LD_PRELOAD, makes a device through the selftest
 * interface and prints the type of hardware information its IOMMU reports
 * (which --model decides), and exits 0 if /dev/iommu works (one IOAS
 * allocated and destroyed, the device made), 1 if it does not.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_hw_info hw = { .size = sizeof(hw) };
	const char *preload = getenv("LD_PRELOAD");
	int fd;

	printf("LD_PRELOAD=%s\n", preload ? preload : "");
	fflush(stdout);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
		return 1;
	mock.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &mock))
		return 1;
	hw.dev_id = mock.mock_domain.out_idev_id;
	if (ioctl(fd, IOMMU_GET_HW_INFO, &hw))
		return 1;
	printf("hw_info=%#x\n", hw.out_data_type);
	destroy.id = mock.mock_domain.out_stdev_id;
	if (ioctl(fd, IOMMU_DESTROY, &destroy))
		return 1;
	destroy.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_DESTROY, &destroy) || close(fd))
		return 1;
	return 0;
}
