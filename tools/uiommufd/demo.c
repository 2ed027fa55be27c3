// SPDX-License-Identifier: BSD-3-Clause
/*
 * `uiommufd demo`: an end-to-end walk through what exists, using only the
 * native C API and the Linux uAPI structs, printing each step and its
 * result. It grows into the full VMM story as the layers land.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "uiommufd/uiommufd.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/vfio.h"
#include "tool.h"

static int failures;

/* Prints one step; a step whose result differs from `want` is a failure. */
static void step(const char *what, long rc, long want)
{
	const char *verdict = rc == want ? "ok" : "UNEXPECTED";

	if (rc < 0)
		printf("  %-58s -> %s (%s)\n", what, strerror((int)-rc),
		       verdict);
	else
		printf("  %-58s -> %ld (%s)\n", what, rc, verdict);
	if (rc != want)
		failures++;
}

static void demo_objects(struct uiommufd_ctx *ctx)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option opt = { .size = sizeof(opt) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct iommu_vfio_ioas vfio = { .size = sizeof(vfio) };
	char big[sizeof(alloc) + 8];
	long rc;

	printf("\nObjects and options\n");
	rc = uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc);
	step("IOMMU_IOAS_ALLOC", rc, 0);
	printf("  %-58s    ioas_id=%u\n", "", alloc.out_ioas_id);

	opt.option_id = IOMMU_OPTION_HUGE_PAGES;
	opt.op = IOMMU_OPTION_OP_GET;
	opt.object_id = alloc.out_ioas_id;
	rc = uiommufd_ioctl(ctx, IOMMU_OPTION, &opt);
	step("IOMMU_OPTION HUGE_PAGES get", rc, 0);
	printf("  %-58s    huge pages=%llu\n", "",
	       (unsigned long long)opt.val64);
	opt.op = IOMMU_OPTION_OP_SET;
	opt.val64 = 0;
	step("IOMMU_OPTION HUGE_PAGES set 0 (VFIO type1 style)",
	     uiommufd_ioctl(ctx, IOMMU_OPTION, &opt), 0);
	opt.val64 = 2;
	step("IOMMU_OPTION HUGE_PAGES set 2 (bad value)",
	     uiommufd_ioctl(ctx, IOMMU_OPTION, &opt), -EINVAL);

	opt.option_id = IOMMU_OPTION_RLIMIT_MODE;
	opt.object_id = 0;
	opt.op = IOMMU_OPTION_OP_GET;
	step("IOMMU_OPTION RLIMIT_MODE get (0: per user)",
	     uiommufd_ioctl(ctx, IOMMU_OPTION, &opt), 0);

	vfio.op = IOMMU_VFIO_IOAS_GET;
	step("IOMMU_VFIO_IOAS get before any is set",
	     uiommufd_ioctl(ctx, IOMMU_VFIO_IOAS, &vfio), -ENODEV);
	vfio.op = IOMMU_VFIO_IOAS_SET;
	vfio.ioas_id = alloc.out_ioas_id;
	step("IOMMU_VFIO_IOAS set", uiommufd_ioctl(ctx, IOMMU_VFIO_IOAS, &vfio),
	     0);
	step("VFIO_GET_API_VERSION",
	     uiommufd_ioctl(ctx, VFIO_GET_API_VERSION, NULL), VFIO_API_VERSION);
	step("VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)",
	     uiommufd_ioctl(ctx, VFIO_CHECK_EXTENSION,
			    (void *)(unsigned long)VFIO_TYPE1v2_IOMMU),
	     1);

	printf("\nThe size rules every command follows\n");
	alloc.size = 4;
	step("IOMMU_IOAS_ALLOC with size below the minimum",
	     uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc), -EINVAL);
	memset(big, 0, sizeof(big));
	((struct iommu_ioas_alloc *)big)->size = sizeof(big);
	big[sizeof(big) - 1] = 1;
	step("IOMMU_IOAS_ALLOC, newer struct with a non-zero tail",
	     uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, big), -E2BIG);
	step("ioctl number iommufd does not know",
	     uiommufd_ioctl(ctx, _IO(IOMMUFD_TYPE, 0x9f), &alloc), -ENOTTY);

	printf("\nLifetime\n");
	destroy.id = alloc.out_ioas_id;
	step("IOMMU_DESTROY the IOAS",
	     uiommufd_ioctl(ctx, IOMMU_DESTROY, &destroy), 0);
	step("IOMMU_DESTROY it again",
	     uiommufd_ioctl(ctx, IOMMU_DESTROY, &destroy), -ENOENT);
}

static void demo_dma(struct uiommufd_ctx *ctx)
{
	static char guest_ram[64 * 1024] __attribute__((aligned(4096)));
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct uiommufd_dev_cfg cfg = { .size = sizeof(cfg),
					.model = UIOMMUFD_MODEL_MOCK };
	struct uiommufd_dev *dev = NULL;
	uint32_t hwpt_id = 0;
	char seen[32] = { 0 };
	long rc;

	printf("\nA device, its IOMMU and DMA\n");
	step("IOMMU_IOAS_ALLOC", uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc),
	     0);
	rc = uiommufd_dev_create(ctx, &cfg, &dev);
	step("create a device behind the mock IOMMU", rc, 0);
	if (rc)
		return;
	printf("  %-58s    dev_id=%u\n", "", uiommufd_dev_id(dev));
	step("attach it to the IOAS (an auto domain is made)",
	     uiommufd_dev_attach(dev, alloc.out_ioas_id, &hwpt_id), 0);
	printf("  %-58s    hwpt_id=%u\n", "", hwpt_id);
	step("DMA before anything is mapped",
	     uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, 1ull << 24, seen, 8),
	     -EFAULT);

	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)guest_ram;
	map.length = sizeof(guest_ram);
	step("IOMMU_IOAS_MAP 64 KiB of our memory",
	     uiommufd_ioctl(ctx, IOMMU_IOAS_MAP, &map), 0);
	printf("  %-58s    iova=%#llx\n", "", (unsigned long long)map.iova);
	strcpy(guest_ram + 4096, "written by the CPU");
	step("device DMA-reads iova+4096",
	     uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, map.iova + 4096, seen,
			       19),
	     0);
	printf("  %-58s    read \"%s\"\n", "", seen);
	step("device DMA-writes iova+8192",
	     uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, map.iova + 8192,
				"written by the device", 22),
	     0);
	printf("  %-58s    memory now holds \"%s\"\n", "", guest_ram + 8192);

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = map.length;
	step("IOMMU_IOAS_UNMAP", uiommufd_ioctl(ctx, IOMMU_IOAS_UNMAP, &unmap),
	     0);
	step("the same DMA after the unmap faults",
	     uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, map.iova + 4096, seen,
			       19),
	     -EFAULT);
	uiommufd_dev_destroy(dev);
}

int tool_demo(int argc, char **argv)
{
	struct uiommufd_ctx *ctx;
	int rc;

	if (argc && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		printf("usage: uiommufd demo\n\nRuns the end-to-end "
		       "demonstration and prints what happens.\n");
		return 0;
	}
	if (argc) {
		fprintf(stderr, "uiommufd demo: takes no arguments\n");
		return 2;
	}

	printf("uiommufd %s demo: iommufd in user space\n", uiommufd_version());
	rc = uiommufd_ctx_open(&ctx);
	if (rc) {
		fprintf(stderr, "uiommufd_ctx_open: %s\n", strerror(-rc));
		return 1;
	}
	demo_objects(ctx);
	demo_dma(ctx);
	uiommufd_ctx_close(ctx);
	failures += demo_vm();

	printf("\n%s: %d unexpected result(s)\n", failures ? "FAILED" : "done",
	       failures);
	return failures ? 1 : 0;
}
