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

int tool_demo(int argc, char **argv)
{
	struct uiommufd_ctx *ctx;
	int rc;

	printf("uiommufd %s demo: iommufd in user space\n", uiommufd_version());
	rc = uiommufd_ctx_open(&ctx);
	if (rc) {
		fprintf(stderr, "uiommufd_ctx_open: %s\n", strerror(-rc));
		return 1;
	}
	demo_objects(ctx);
	uiommufd_ctx_close(ctx);

	printf("\nNot in this build yet: mapping memory (IOMMU_IOAS_MAP), "
	       "mock\n"
	       "devices and DMA. The demo grows with them.\n");
	printf("\n%s: %d unexpected result(s)\n", failures ? "FAILED" : "done",
	       failures);
	return failures ? 1 : 0;
}
