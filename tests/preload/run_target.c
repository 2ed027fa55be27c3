// SPDX-License-Identifier: BSD-3-Clause
/*
 * The program test_run starts under `uiommufd run`: an unmodified uAPI
 * user. It prints its LD_PRELOAD and exits 0 if /dev/iommu works (one
 * IOAS allocated and destroyed), 1 if it does not.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uiommufd/uapi/iommufd.h"

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	const char *preload = getenv("LD_PRELOAD");
	int fd;

	printf("LD_PRELOAD=%s\n", preload ? preload : "");
	fflush(stdout);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
		return 1;
	destroy.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_DESTROY, &destroy) || close(fd))
		return 1;
	return 0;
}
