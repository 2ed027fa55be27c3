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
 * that of the invalidations alone, per translation. The guest's stage-1
 * tables and its buffer share one stage-2 block, so the stage 2 of the
 * output comes from the leaf the table accesses just went through (the
 * walk cache within one translation); the _far figure's pages lie in
 * another stage-2 block, which costs a second stage-2 walk.
 *
 * Copies (nested.copy_*_ratio): DMA through the nested translation against
 * memcpy of the same size, both hot; that memcpy of 64 KiB is also the
 * run's baseline.memcpy_gib_s.
 *
 * Invalidation (inval.*): the same batches of guest TLBI_NH_VA commands
 * followed by a CMD_SYNC, with the IOTLB full (fill_iotlb()), through the
 * guest's VCMDQ (plain stores into its queue and its VINTF page; the
 * hardware model consumes them, no call into iommufd) and through the
 * trapped path (the VMM forwards each batch with IOMMU_HWPT_INVALIDATE on
 * the vIOMMU, in process: the VM exit a real trap costs is not included,
 * which flatters the trapped path).
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
/* FAR_PAGES guest pages in a 2 MiB block of their own, at IOVA_FAR. */
#define IOVA_FAR 0x20000000ull
#define FAR_PAGES 8
#define BATCH 32 /* invalidation commands per CMD_SYNC */
/* Guest pages at IOVA_FILL that fill the default IOTLB (512 sets x 8). */
#define IOVA_FILL 0x40000000ull
#define FILL_PAGES 4096

struct nested_bench {
	struct vm vm;
	struct smmuv3 *smmu;
	uint32_t sid;
	uint16_t vmid; /* the vIOMMU's, as the device's STE holds it */
	uint8_t *pages[PAGES];
	/* Guest-physical addresses of the pages at IOVA and at IOVA_FAR. */
	uint64_t gpa, gpa_far;
};

/* @n guest pages at @gpa mapped at @iova, read-write. */
static int map_pages(struct nested_bench *nb, uint64_t iova, uint64_t gpa,
		     unsigned int n)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; !rc && i < n; i++)
		rc = guest_s1_map(nb->vm.s1, iova + (uint64_t)i * 4096,
				  gpa + (uint64_t)i * 4096, 4096,
				  PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
	return rc;
}

static int nb_setup(struct nested_bench *nb)
{
	const struct vm_cfg cfg = { .ram_size = 64ull << 20 };
	struct ufd_device *idev;
	uint8_t *block;
	uint64_t gpa;
	int rc, i;

	rc = vm_create(&nb->vm, &cfg);
	if (!rc)
		rc = vm_guest_boot(&nb->vm);
	if (!rc)
		rc = vm_vcmdq_start(&nb->vm, 10);
	if (rc)
		return rc;
	/*
	 * Contiguous guest pages (a guest's 64 KiB DMA buffer), mapped page
	 * by page, so 64 KiB copies take 16 translations.
	 */
	block = guest_ram_alloc(nb->vm.gram, PAGES * 4096ull, 4096, &gpa);
	if (!block)
		return -ENOMEM;
	for (i = 0; i < PAGES; i++)
		nb->pages[i] = block + (size_t)i * 4096;
	nb->gpa = gpa;
	rc = map_pages(nb, IOVA, gpa, PAGES);
	if (rc)
		return rc;
	/* A whole 2 MiB block: no guest table can share its stage-2 leaf. */
	if (!guest_ram_alloc(nb->vm.gram, 2ull << 20, 2ull << 20, &gpa))
		return -ENOMEM;
	nb->gpa_far = gpa;
	rc = map_pages(nb, IOVA_FAR, gpa, FAR_PAGES);
	if (rc)
		return rc;
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
 * model keeps no stage-2 entries for the guest's table pages across
 * translations, so either way the next translation walks the four
 * stage-1 levels and stage 2 afresh; the two figures differ in what was
 * invalidated, not in the walk.
 */
static void tlbi(struct nested_bench *nb, uint64_t iova, bool s2)
{
	uint64_t cmd[SMMU_CMD_DWORDS];

	guest_cmd_tlbi_nh_va(cmd, nb->vmid, VM_ASID, iova, NULL, true);
	smmuv3_cmd_execute(nb->smmu, NULL, cmd);
	if (!s2)
		return;
	guest_cmd_tlbi_s2_ipa(cmd, nb->vmid,
			      iova >= IOVA_FAR ? nb->gpa_far + (iova - IOVA_FAR)
					       : nb->gpa + (iova - IOVA),
			      NULL, true);
	smmuv3_cmd_execute(nb->smmu, NULL, cmd);
}

/*
 * Nanoseconds per miss: a run of @n invalidations each followed by a
 * translation of one of the @pages pages at @base, less a run of the
 * invalidations alone, over @n. Batched so the clock's own cost and
 * resolution do not enter.
 */
static double miss_ns(struct nested_bench *nb, uint64_t base,
		      unsigned int pages, bool s1only, unsigned int n, int *rc)
{
	uint64_t t0, t1, t2;
	unsigned int i;

	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		uint64_t iova = base + (i % pages) * 4096;

		tlbi(nb, iova, !s1only);
		*rc |= xlate(nb, iova);
	}
	t1 = bench_now_ns();
	for (i = 0; i < n; i++)
		tlbi(nb, base + (i % pages) * 4096, !s1only);
	t2 = bench_now_ns();
	return ((double)(t1 - t0) - (double)(t2 - t1)) / n;
}

static int bench_translate(struct bench_ctx *b, struct nested_bench *nb)
{
	unsigned int reps = bench_reps(b, 31, 5), i, j;
	double hit[31], s1[31], full[31], far[31];
	uint64_t t0, t1;
	int rc;

	rc = xlate(nb, IOVA);
	for (i = 0; !rc && i < reps; i++) {
		t0 = bench_now_ns();
		for (j = 0; j < 10000; j++)
			rc |= xlate(nb, IOVA + (j & 7) * 4096);
		t1 = bench_now_ns();
		hit[i] = (double)(t1 - t0) / 10000;
		s1[i] = miss_ns(nb, IOVA, PAGES, true, 1000, &rc);
		full[i] = miss_ns(nb, IOVA, PAGES, false, 1000, &rc);
		far[i] = miss_ns(nb, IOVA_FAR, FAR_PAGES, false, 1000, &rc);
	}
	if (rc)
		return rc;
	bench_figure(b, "nested.translate_hit_ns", bench_median(hit, reps),
		     "ns");
	bench_figure(b, "nested.translate_s1miss_ns", bench_median(s1, reps),
		     "ns");
	bench_figure(b, "nested.translate_fullmiss_ns",
		     bench_median(full, reps), "ns");
	bench_figure(b, "nested.translate_fullmiss_far_ns",
		     bench_median(far, reps), "ns");
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
	/* The run's memcpy throughput, a baseline of the machine's speed. */
	if (len == 65536)
		bench_figure(b, "baseline.memcpy_gib_s",
			     (double)len / bench_median(cpy, reps) * 1e9 /
				     (1ull << 30),
			     "GiB/s");
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
 * Fills the IOTLB, as a busy guest's is: FILL_PAGES more guest pages, each
 * translated once. The TLBIs then probe full sets, not empty ones.
 */
static int fill_iotlb(struct nested_bench *nb)
{
	uint64_t gpa;
	unsigned int i;
	int rc;

	if (!guest_ram_alloc(nb->vm.gram, FILL_PAGES * 4096ull, 4096, &gpa))
		return -ENOMEM;
	rc = map_pages(nb, IOVA_FILL, gpa, FILL_PAGES);
	for (i = 0; !rc && i < FILL_PAGES; i++)
		rc = xlate(nb, IOVA_FILL + i * 4096ull);
	return rc;
}

/* The ways a batch of guest TLBIs reaches the SMMU, measured side by side. */
enum inval_path {
	PATH_VCMDQ,	  /* the guest's own queue: stores and polls only */
	PATH_TRAPPED,	  /* IOMMU_HWPT_INVALIDATE, no exit counted */
	PATH_EXIT,	  /* a real KVM exit alone */
	PATH_TRAPPED_KVM, /* a real KVM exit, then IOMMU_HWPT_INVALIDATE */
	NR_PATHS,
};

/* Nanoseconds per batch over @batches batches through @path. */
static double inval_sample(struct nested_bench *nb, struct bench_kvm *k,
			   enum inval_path path, unsigned int batches,
			   unsigned int *round, int *rc)
{
	uint64_t cmds[BATCH + 1][2], t0, t1;
	unsigned int i;

	/*
	 * The CMDQV's consumer thread sleeps when the guest has been quiet
	 * (cmdqv_config.poll_*): wake it, so the sample is what a busy guest
	 * sees, not the last poll interval.
	 */
	for (i = 0; path == PATH_VCMDQ && !*rc && i < 4; i++) {
		batch_cmds(cmds, (*round)++);
		*rc = guest_cmdq_submit(nb->vm.vcmdq, cmds, BATCH, NULL);
	}
	t0 = bench_now_ns();
	for (i = 0; !*rc && i < batches; i++) {
		batch_cmds(cmds, (*round)++);
		if (path == PATH_EXIT || path == PATH_TRAPPED_KVM)
			*rc = bench_kvm_exit(k);
		if (*rc || path == PATH_EXIT)
			continue;
		if (path == PATH_VCMDQ)
			*rc = guest_cmdq_submit(nb->vm.vcmdq, cmds, BATCH,
						NULL);
		else
			/* The CMD_SYNC a guest ends with: the return. */
			*rc = vm_guest_invalidate_trapped(&nb->vm, cmds, BATCH);
	}
	t1 = bench_now_ns();
	return (double)(t1 - t0) / batches;
}

/*
 * Each repetition takes one sample of every path in a row, so that the
 * ratios compare samples taken under the same conditions (a VM's vCPUs
 * are not always equally fast); figures are medians over repetitions, the
 * ratios medians of the per-repetition ratios.
 *
 * The trapped path as a VM pays for it: each batch costs the guest at
 * least one exit (its write of the emulated queue's PROD; a guest that
 * then polls CONS through the emulated register exits again, which is not
 * counted), a real KVM exit taken here before the VMM's
 * IOMMU_HWPT_INVALIDATE. Skipped, with a note, on a machine that cannot
 * run a KVM guest.
 */
static int bench_inval(struct bench_ctx *b, struct nested_bench *nb)
{
	unsigned int reps = bench_reps(b, 31, 5), batches = 64, round = 0;
	double *ns[NR_PATHS], *ratio[2];
	unsigned int r, p, npaths = NR_PATHS;
	struct bench_kvm k;
	int rc = -ENOMEM, krc;

	for (p = 0; p < NR_PATHS; p++)
		ns[p] = calloc(reps, sizeof(double));
	ratio[0] = calloc(reps, sizeof(double));
	ratio[1] = calloc(reps, sizeof(double));
	krc = bench_kvm_open(&k);
	if (krc) {
		/* A machine without a usable KVM is not a failure. */
		fprintf(stderr,
			"bench viommu: no KVM guest here (%s): the trapped "
			"path with a real VM exit is not measured\n",
			strerror(-krc));
		npaths = PATH_EXIT;
	}
	for (p = 0; p < NR_PATHS; p++)
		if (!ns[p])
			goto out;
	if (!ratio[0] || !ratio[1])
		goto out;
	rc = fill_iotlb(nb);
	for (r = 0; !rc && r < reps; r++) {
		for (p = 0; p < npaths; p++)
			ns[p][r] =
				inval_sample(nb, &k, p, batches, &round, &rc);
		ratio[0][r] = ns[PATH_TRAPPED][r] / ns[PATH_VCMDQ][r];
		if (npaths == NR_PATHS)
			ratio[1][r] =
				ns[PATH_TRAPPED_KVM][r] / ns[PATH_VCMDQ][r];
	}
	if (rc)
		goto out;
	bench_figure(b, "inval.vcmdq_cmds_s",
		     BATCH * 1e9 / bench_median(ns[PATH_VCMDQ], reps), "cmd/s");
	bench_figure(b, "inval.trapped_cmds_s",
		     BATCH * 1e9 / bench_median(ns[PATH_TRAPPED], reps),
		     "cmd/s");
	bench_figure(b, "inval.vcmdq_over_trapped",
		     bench_median(ratio[0], reps), "x");
	if (npaths < NR_PATHS)
		goto out;
	bench_figure(b, "baseline.kvm_exit_ns",
		     bench_median(ns[PATH_EXIT], reps), "ns");
	bench_figure(b, "inval.trapped_kvm_cmds_s",
		     BATCH * 1e9 / bench_median(ns[PATH_TRAPPED_KVM], reps),
		     "cmd/s");
	bench_figure(b, "inval.vcmdq_over_trapped_kvm",
		     bench_median(ratio[1], reps), "x");
out:
	if (!krc)
		bench_kvm_close(&k);
	for (p = 0; p < NR_PATHS; p++)
		free(ns[p]);
	free(ratio[0]);
	free(ratio[1]);
	return rc;
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
