// SPDX-License-Identifier: BSD-3-Clause
/*
 * `uiommufd bench viommu`: a guest that owns its stage 1 (bench/vm.c) on
 * the SMMUv3 model with its Tegra241 CMDQV, measured where a VMM feels it.
 *
 * Translation (nested.*): the model's translation of a guest IOVA through
 * the guest's stage 1 and the VMM's stage 2, for the device's StreamID.
 * A hit is the IOTLB answering. A stage-1 miss follows a TLBI of that VA,
 * a full miss also a TLBI of its IPA at stage 2 (see tlbi()). A miss is
 * the time of a run of invalidations each followed by a translation, less
 * that of the invalidations alone, per translation.
 *
 * Copies (nested.copy_*_ratio): DMA through the nested translation against
 * memcpy of the same size, both hot.
 *
 * Invalidation (inval.*): the same batches of guest TLBI_NH_VA commands
 * followed by a CMD_SYNC, through the guest's VCMDQ (plain stores into its
 * queue and its VINTF page; the hardware model consumes them, no call into
 * iommufd) and through the trapped path (the VMM forwards each batch with
 * IOMMU_HWPT_INVALIDATE on the vIOMMU, in process: the VM exit a real
 * trap costs is not included, which flatters the trapped path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "kvm.h"
#include "hw/smmuv3/smmuv3_hw.h"
#include "core/device.h"
#include "drivers/smmuv3/smmuv3_drv.h"
#include "vm.h"

#define IOVA 0x10000000ull
#define PAGES 64 /* guest pages mapped at IOVA: 256 KiB */
#define BATCH 32 /* invalidation commands per CMD_SYNC */

struct nested_bench {
	struct vm vm;
	struct smmuv3 *smmu;
	uint32_t sid;
	uint16_t vmid; /* the vIOMMU's, as the device's STE holds it */
	uint8_t *pages[PAGES];
};

static int nb_setup(struct nested_bench *nb)
{
	const struct vm_cfg cfg = { .ram_size = 64ull << 20 };
	struct ufd_device *idev;
	uint64_t gpa;
	int rc, i;

	rc = vm_create(&nb->vm, &cfg);
	if (!rc)
		rc = vm_guest_boot(&nb->vm);
	if (!rc)
		rc = vm_vcmdq_start(&nb->vm, 10);
	if (rc)
		return rc;
	/* Contiguous guest pages, so 64 KiB copies walk 16 translations. */
	for (i = 0; i < PAGES; i++) {
		nb->pages[i] = vm_guest_page(&nb->vm, &gpa);
		if (!nb->pages[i])
			return -ENOMEM;
		rc = guest_s1_map(nb->vm.s1, IOVA + (uint64_t)i * 4096, gpa,
				  4096,
				  PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
		if (rc)
			return rc;
	}
	nb->smmu = ufd_smmuv3_hw(ufd_smmuv3_default());
	idev = ufd_get_device((struct ufd_ctx *)nb->vm.ctx, nb->vm.dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	nb->sid = ufd_smmuv3_dev_sid(idev->dev);
	ufd_put_object((struct ufd_ctx *)nb->vm.ctx, &idev->obj);
	{
		uint64_t ste[SMMU_STE_DWORDS];

		rc = ufd_smmuv3_read_ste(ufd_smmuv3_default(), nb->sid, ste);
		if (rc)
			return rc;
		nb->vmid = (uint16_t)smmu_dget(ste, SMMU_STE_S2VMID);
	}
	return 0;
}

static int xlate(struct nested_bench *nb, uint64_t iova)
{
	struct smmuv3_xlate res;
	int rc = smmuv3_translate(nb->smmu, nb->sid, SMMUV3_NO_SSID, iova,
				  SMMUV3_READ, &res);

	return rc || res.status != SMMUV3_OK ? -EFAULT : 0;
}

/*
 * Invalidations issued on the host's command decoder directly, so that
 * their cost (subtracted from the miss figures) stays small: the stage-1
 * entry of one VA, and with @s2 also the stage-2 entry of its IPA. The
 * model caches no separate stage-2 entries for the guest's table pages,
 * so either way the next translation walks 4 + 4 levels; the two figures
 * differ in what was invalidated, not in the walk.
 */
static void tlbi(struct nested_bench *nb, uint64_t iova, bool s2)
{
	uint64_t cmd[SMMU_CMD_DWORDS], gpa = 0;

	guest_cmd_tlbi_nh_va(cmd, nb->vmid, VM_ASID, iova, NULL, true);
	smmuv3_cmd_execute(nb->smmu, NULL, cmd);
	if (!s2 || guest_s1_iova_to_gpa(nb->vm.s1, iova, &gpa))
		return;
	guest_cmd_tlbi_s2_ipa(cmd, nb->vmid, gpa, NULL, true);
	smmuv3_cmd_execute(nb->smmu, NULL, cmd);
}

/*
 * Nanoseconds per miss: a run of @n invalidations each followed by a
 * translation, less a run of the invalidations alone, over @n. Batched so
 * the clock's own cost and resolution do not enter.
 */
static double miss_ns(struct nested_bench *nb, bool s1only, unsigned int n,
		      int *rc)
{
	uint64_t t0, t1, t2;
	unsigned int i;

	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		uint64_t iova = IOVA + (i % PAGES) * 4096;

		tlbi(nb, iova, !s1only);
		*rc |= xlate(nb, iova);
	}
	t1 = bench_now_ns();
	for (i = 0; i < n; i++)
		tlbi(nb, IOVA + (i % PAGES) * 4096, !s1only);
	t2 = bench_now_ns();
	return ((double)(t1 - t0) - (double)(t2 - t1)) / n;
}

static int bench_translate(struct bench_ctx *b, struct nested_bench *nb)
{
	unsigned int reps = bench_reps(b, 31, 5), i, j;
	double hit[31], s1[31], full[31];
	uint64_t t0, t1;
	int rc;

	rc = xlate(nb, IOVA);
	for (i = 0; !rc && i < reps; i++) {
		t0 = bench_now_ns();
		for (j = 0; j < 10000; j++)
			rc |= xlate(nb, IOVA + (j & 7) * 4096);
		t1 = bench_now_ns();
		hit[i] = (double)(t1 - t0) / 10000;
		s1[i] = miss_ns(nb, true, 1000, &rc);
		full[i] = miss_ns(nb, false, 1000, &rc);
	}
	if (rc)
		return rc;
	bench_figure(b, "nested.translate_hit_ns", bench_median(hit, reps),
		     "ns");
	bench_figure(b, "nested.translate_s1miss_ns", bench_median(s1, reps),
		     "ns");
	bench_figure(b, "nested.translate_fullmiss_ns",
		     bench_median(full, reps), "ns");
	return 0;
}

/* DMA of @len bytes through the nested translation, against memcpy. */
static int bench_copy(struct bench_ctx *b, struct nested_bench *nb, size_t len,
		      const char *name)
{
	unsigned int reps = bench_reps(b, 501, 51), i, j;
	double *dma = calloc(reps, sizeof(double));
	double *cpy = calloc(reps, sizeof(double));
	/* The DMA writes page-aligned guest pages: so does the memcpy. */
	uint8_t *buf = malloc(len), *dst = aligned_alloc(4096, len);
	char fig[64];
	int rc = -ENOMEM;

	if (!dma || !cpy || !buf || !dst)
		goto out;
	memset(buf, 0x5a, len);
	memset(dst, 0, len);
	rc = uiommufd_dma_write(nb->vm.dev, UIOMMUFD_NO_PASID, IOVA, buf, len);
	for (i = 0; !rc && i < reps; i++) {
		uint64_t t0 = bench_now_ns(), t1;

		for (j = 0; j < 8; j++)
			rc |= uiommufd_dma_write(nb->vm.dev, UIOMMUFD_NO_PASID,
						 IOVA, buf, len);
		t1 = bench_now_ns();
		dma[i] = (double)(t1 - t0) / 8;
		t0 = bench_now_ns();
		for (j = 0; j < 8; j++) {
			memcpy(dst, buf, len);
			bench_sink(dst);
		}
		t1 = bench_now_ns();
		cpy[i] = (double)(t1 - t0) / 8;
	}
	if (rc)
		goto out;
	snprintf(fig, sizeof(fig), "nested.copy_%s_ratio", name);
	bench_figure(b, fig, bench_median(cpy, reps) / bench_median(dma, reps),
		     "x");
out:
	free(dma);
	free(cpy);
	free(buf);
	free(dst);
	return rc;
}

/* One batch of guest TLBIs: BATCH commands over the mapped pages. */
static void batch_cmds(uint64_t (*cmds)[2], unsigned int round)
{
	unsigned int i;

	for (i = 0; i < BATCH; i++)
		guest_cmd_tlbi_nh_va(cmds[i], 0, VM_ASID,
				     IOVA + ((round + i) % PAGES) * 4096, NULL,
				     true);
}

/*
 * The trapped path as a VM pays for it: each batch costs the guest at least
 * one exit (its write of the emulated queue's PROD; a guest that then polls
 * CONS through the emulated register exits again, which is not counted),
 * a real KVM exit taken here before the VMM's IOMMU_HWPT_INVALIDATE. Also
 * reports the exit's round trip alone. Skipped, with a note, on a machine
 * that cannot run a KVM guest.
 */
static int bench_inval_kvm(struct bench_ctx *b, struct nested_bench *nb,
			   double vcmdq)
{
	unsigned int rounds = bench_reps(b, 2000, 200), r;
	uint64_t cmds[BATCH + 1][2], t0, t1;
	int rc = 0, krc = 0;
	struct bench_kvm k;
	double exit_ns, trapped;

	krc = bench_kvm_open(&k);
	if (krc)
		goto no_kvm;
	t0 = bench_now_ns();
	for (r = 0; !krc && r < rounds; r++)
		krc = bench_kvm_exit(&k);
	t1 = bench_now_ns();
	exit_ns = (double)(t1 - t0) / rounds;
	t0 = bench_now_ns();
	for (r = 0; !krc && !rc && r < rounds; r++) {
		krc = bench_kvm_exit(&k);
		batch_cmds(cmds, r);
		rc = vm_guest_invalidate_trapped(&nb->vm, cmds, BATCH);
	}
	t1 = bench_now_ns();
	bench_kvm_close(&k);
	if (rc)
		return rc;
	if (krc)
		goto no_kvm;
	trapped = (double)rounds * BATCH * 1e9 / (double)(t1 - t0);
	bench_figure(b, "baseline.kvm_exit_ns", exit_ns, "ns");
	bench_figure(b, "inval.trapped_kvm_cmds_s", trapped, "cmd/s");
	bench_figure(b, "inval.vcmdq_over_trapped_kvm", vcmdq / trapped, "x");
	return 0;
no_kvm:
	/* A machine without a usable KVM is not a failure of the suite. */
	fprintf(stderr,
		"bench viommu: no KVM guest here (%s): the trapped path with "
		"a real VM exit is not measured\n",
		strerror(-krc));
	return 0;
}

static int bench_inval(struct bench_ctx *b, struct nested_bench *nb)
{
	unsigned int rounds = bench_reps(b, 2000, 200), r;
	uint64_t cmds[BATCH + 1][2], t0, t1;
	double vcmdq, trapped;
	int rc = 0;

	t0 = bench_now_ns();
	for (r = 0; !rc && r < rounds; r++) {
		batch_cmds(cmds, r);
		rc = guest_cmdq_submit(nb->vm.vcmdq, cmds, BATCH, NULL);
	}
	t1 = bench_now_ns();
	vcmdq = (double)rounds * BATCH * 1e9 / (double)(t1 - t0);
	t0 = bench_now_ns();
	for (r = 0; !rc && r < rounds; r++) {
		batch_cmds(cmds, r);
		/* The CMD_SYNC a guest ends with is the ioctl's return. */
		rc = vm_guest_invalidate_trapped(&nb->vm, cmds, BATCH);
	}
	t1 = bench_now_ns();
	trapped = (double)rounds * BATCH * 1e9 / (double)(t1 - t0);
	if (rc)
		return rc;
	bench_figure(b, "inval.vcmdq_cmds_s", vcmdq, "cmd/s");
	bench_figure(b, "inval.trapped_cmds_s", trapped, "cmd/s");
	bench_figure(b, "inval.vcmdq_over_trapped", vcmdq / trapped, "x");
	return bench_inval_kvm(b, nb, vcmdq);
}

static int run(struct bench_ctx *b)
{
	struct nested_bench nb;
	int rc;

	memset(&nb, 0, sizeof(nb));
	rc = nb_setup(&nb);
	if (!rc)
		rc = bench_translate(b, &nb);
	if (!rc)
		rc = bench_copy(b, &nb, 4096, "4k");
	if (!rc)
		rc = bench_copy(b, &nb, 65536, "64k");
	if (!rc)
		rc = bench_inval(b, &nb);
	if (rc)
		fprintf(stderr, "bench viommu: %s\n", strerror(-rc));
	vm_destroy(&nb.vm);
	return rc;
}

const struct bench_suite bench_suite_viommu = {
	.name = "viommu",
	.what = "nested translation and guest invalidation (SMMUv3 + CMDQV)",
	.run = run,
};
