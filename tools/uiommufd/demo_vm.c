// SPDX-License-Identifier: BSD-3-Clause
/*
 * The demo's main story: a VMM gives its guest an IOMMU of its own. The
 * VMM side goes through the uAPI on a uiommufd context (bench/vm.c), the
 * guest side is src/guest writing its tables and commands into its RAM,
 * and the hardware is the SMMUv3 model with its Tegra241 CMDQV. Each step
 * prints what happened, with the numbers that make it concrete; a result
 * other than the expected one is counted as a failure.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../bench/vm.h"
#include "uiommufd/uapi/iommufd.h"
#include "tool.h"

#define IOVA 0x10000000ull /* where the guest maps its DMA buffer */

static int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		printf("  !! UNEXPECTED: %s\n", what);
		failures++;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The guest invalidates one page of its stage 1 through its VCMDQ. */
static int guest_tlbi_va(struct vm *vm, uint64_t iova)
{
	uint64_t cmd[1][SMMU_CMD_DWORDS];

	guest_cmd_tlbi_nh_va(cmd[0], 0, VM_ASID, iova, NULL, true);
	return guest_cmdq_submit(vm->vcmdq, cmd, 1, NULL);
}

static void story_boot(struct vm *vm)
{
	unsigned long before = vm->ioctls;
	int rc;

	printf("\n2. The guest turns on its IOMMU\n");
	rc = vm_guest_boot(vm);
	check(!rc, "the guest's STE became a nested HWPT");
	if (rc)
		return;
	printf("  the guest wrote a stage-1 table (root at GPA %#llx) and a "
	       "context\n  descriptor (ASID %u) into its RAM, then its STE; "
	       "the VMM turned the\n  STE into nested HWPT %u and attached "
	       "the device (%lu ioctls)\n",
	       (unsigned long long)guest_s1_root(vm->s1), VM_ASID, vm->s1_hwpt,
	       vm->ioctls - before);
}

static void story_dma(struct vm *vm, uint8_t **page, uint64_t *gpa)
{
	char seen[32] = { 0 };
	uint64_t t0, t1;
	int rc;

	printf("\n3. DMA through two stages\n");
	*page = vm_guest_page(vm, gpa);
	rc = guest_s1_map(vm->s1, IOVA, *gpa, GUEST_PAGE_SIZE,
			  PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
	check(!rc, "the guest mapped its buffer");
	t0 = now_ns();
	rc = uiommufd_dma_write(vm->dev, UIOMMUFD_NO_PASID, IOVA + 64,
				"hello, guest", 13);
	t1 = now_ns();
	check(!rc, "the device's DMA write went through");
	printf("  the guest maps IOVA %#llx -> GPA %#llx; the VMM maps GPA "
	       "%#llx -> host %p\n",
	       (unsigned long long)IOVA, (unsigned long long)*gpa,
	       (unsigned long long)*gpa, (void *)*page);
	printf("  the device writes \"hello, guest\" at IOVA %#llx: it lands "
	       "in the guest's page\n  (\"%s\"), walked through both stages "
	       "in %llu ns\n",
	       (unsigned long long)IOVA + 64, (char *)*page + 64,
	       (unsigned long long)(t1 - t0));
	check(!strcmp((char *)*page + 64, "hello, guest"), "data landed");
	t0 = now_ns();
	rc = uiommufd_dma_read(vm->dev, UIOMMUFD_NO_PASID, IOVA + 64, seen, 13);
	t1 = now_ns();
	printf("  reading it back hits the IOTLB: %llu ns\n",
	       (unsigned long long)(t1 - t0));
	check(!rc && !strcmp(seen, "hello, guest"), "DMA read back");
}

static void story_vcmdq(struct vm *vm, uint64_t gpa)
{
	uint64_t gpa2, t0, t1;
	uint8_t *page2;
	char seen[32] = { 0 };
	unsigned long before;
	int rc;

	printf("\n4. The guest's own command queue (Tegra241 CMDQV)\n");
	before = vm->ioctls;
	rc = vm_vcmdq_start(vm, 8);
	check(!rc, "the VCMDQ started");
	if (rc)
		return;
	printf("  VCMDQ of 256 commands at GPA %#llx, backed by HW queue %u "
	       "(%lu ioctl);\n  the guest enables it through the VINTF page "
	       "the VMM mapped for it\n",
	       (unsigned long long)guest_cmdq_gpa(vm->vcmdq), vm->hwq,
	       vm->ioctls - before);

	printf("\n5. Why invalidation matters\n");
	page2 = vm_guest_page(vm, &gpa2);
	strcpy((char *)page2 + 64, "the new page");
	guest_s1_unmap(vm->s1, IOVA, GUEST_PAGE_SIZE);
	guest_s1_map(vm->s1, IOVA, gpa2, GUEST_PAGE_SIZE,
		     PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
	rc = uiommufd_dma_read(vm->dev, UIOMMUFD_NO_PASID, IOVA + 64, seen, 13);
	printf("  the guest remaps IOVA %#llx from GPA %#llx to %#llx but "
	       "does not invalidate:\n  the device still reads \"%s\" "
	       "through the stale IOTLB entry\n",
	       (unsigned long long)IOVA, (unsigned long long)gpa,
	       (unsigned long long)gpa2, seen);
	check(!rc && !strcmp(seen, "hello, guest"), "stale read");

	before = vm->ioctls;
	t0 = now_ns();
	rc = guest_tlbi_va(vm, IOVA);
	t1 = now_ns();
	check(!rc, "TLBI through the VCMDQ");
	rc = uiommufd_dma_read(vm->dev, UIOMMUFD_NO_PASID, IOVA + 64, seen, 13);
	printf("  the guest writes TLBI_NH_VA + CMD_SYNC into its VCMDQ and "
	       "bumps PROD with a\n  plain store: done in %llu ns, %lu "
	       "ioctls, no VM exit; the device now reads \"%s\"\n",
	       (unsigned long long)(t1 - t0), vm->ioctls - before, seen);
	check(!rc && !strcmp(seen, "the new page"), "fresh read");
	check(vm->ioctls == before, "no ioctl during the guest's TLBI");
}

static void story_event(struct vm *vm)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_arm_smmuv3 ev;
	} rec;
	struct pollfd p = { .fd = vm->veventq_fd, .events = POLLIN };
	struct guest_event ev;
	char seen[8];
	int rc;

	printf("\n6. A fault the guest must hear about\n");
	guest_s1_unmap(vm->s1, IOVA, GUEST_PAGE_SIZE);
	if (vm->vcmdq)
		guest_tlbi_va(vm, IOVA);
	rc = uiommufd_dma_read(vm->dev, UIOMMUFD_NO_PASID, IOVA, seen, 8);
	check(rc == -EFAULT, "the DMA faulted");
	rc = poll(&p, 1, 2000);
	check(rc == 1, "an event reached the vEVENTQ");
	if (rc != 1)
		return;
	check(read(vm->veventq_fd, &rec, sizeof(rec)) == sizeof(rec), "read "
								      "one "
								      "record");
	guest_event_decode((const uint64_t *)rec.ev.evt, &ev);
	printf("  the guest unmapped the page; the device's DMA faults "
	       "(%s), and the SMMU\n  records %s at IOVA %#llx; the VMM reads "
	       "it from its vEVENTQ (sequence %u)\n  with the StreamID "
	       "already rewritten to the guest's vSID %#x, ready to\n  inject "
	       "into the guest's event queue\n",
	       strerror(EFAULT), guest_event_name(ev.id),
	       (unsigned long long)ev.input_addr, rec.hdr.sequence, ev.sid);
	check(ev.sid == VM_VSID, "the event carries the vSID");
}

static void story_dirty(struct vm *vm)
{
	struct iommu_hwpt_set_dirty_tracking on = {
		.size = sizeof(on),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		.hwpt_id = vm->s2,
	};
	uint64_t bitmap[16] = { 0 }, gpa;
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = vm->s2,
		.iova = VM_GPA_BASE,
		.length = 1024 * GUEST_PAGE_SIZE,
		.page_size = GUEST_PAGE_SIZE,
		.data = (uintptr_t)bitmap,
	};
	unsigned int dirty = 0, i;
	long rc;

	printf("\n7. Live migration: what did devices write?\n");
	if (!vm->s2_dirty) {
		printf("  this IOMMU cannot track dirty pages at stage 2, as "
		       "Linux's arm-smmu-v3\n  driver today: a VMM migrating "
		       "this guest has to assume every page it\n  mapped for "
		       "DMA is dirty\n");
		return;
	}
	rc = vm_ioctl(vm, IOMMU_HWPT_SET_DIRTY_TRACKING, &on);
	check(!rc, "dirty tracking on");
	vm_guest_page(vm, &gpa);
	guest_s1_map(vm->s1, IOVA, gpa, GUEST_PAGE_SIZE,
		     PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
	if (vm->vcmdq)
		guest_tlbi_va(vm, IOVA);
	check(!uiommufd_dma_write(vm->dev, UIOMMUFD_NO_PASID, IOVA, "x", 1),
	      "DMA write after tracking started");
	rc = vm_ioctl(vm, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
	check(!rc, "dirty bitmap read");
	for (i = 0; i < 1024; i++)
		if (bitmap[i / 64] & (1ull << (i % 64)))
			dirty++;
	printf("  dirty tracking on the nesting parent; the device writes one "
	       "byte at IOVA %#llx\n  (GPA %#llx): %u of the first 1024 guest "
	       "pages read back dirty, GPA %#llx\n  among them. The stage 2 "
	       "maps guest RAM with 2 MiB blocks and the SMMU\n  marks the "
	       "block it wrote through, so one byte costs a migration "
	       "%u pages;\n  a VMM maps with IOMMU_OPTION_HUGE_PAGES 0 when "
	       "it wants 4 KiB precision\n",
	       (unsigned long long)IOVA, (unsigned long long)gpa, dirty,
	       (unsigned long long)gpa, dirty);
	check(bitmap[(gpa - VM_GPA_BASE) / GUEST_PAGE_SIZE / 64] &
		      (1ull << ((gpa - VM_GPA_BASE) / GUEST_PAGE_SIZE % 64)),
	      "the written page is among the dirty ones");
	check(dirty >= 1, "the written page is dirty");
}

/**
 * demo_vm() - the nested-translation story
 *
 * Return: the number of unexpected results (0: the story held).
 */
int demo_vm(void)
{
	const struct vm_cfg cfg = { .ram_size = 64ull << 20, .dirty = true };
	uint64_t gpa = 0;
	uint8_t *page = NULL;
	struct vm vm;
	int rc;

	printf("\nA VM with an IOMMU of its own\n");
	printf("\n1. The VMM sets the stage\n");
	rc = vm_create(&vm, &cfg);
	check(!rc, "the VMM's objects");
	if (rc) {
		printf("  setup failed: %s\n", strerror(-rc));
		vm_destroy(&vm);
		return failures;
	}
	printf("  64 MiB of guest RAM at GPA %#llx (IOAS %u), a device "
	       "behind the SMMUv3,\n  a nesting-parent stage 2 (HWPT %u%s), "
	       "a %s vIOMMU (%u),\n  the device's vDEVICE with vSID %#x, "
	       "and a vEVENTQ: %lu ioctls\n",
	       (unsigned long long)VM_GPA_BASE, vm.ioas, vm.s2,
	       vm.s2_dirty ? ", tracking dirty pages" : "",
	       vm.cmdqv ? "Tegra241 CMDQV" : "SMMUv3", vm.viommu, VM_VSID,
	       vm.ioctls);
	story_boot(&vm);
	if (!vm.s1_hwpt)
		goto out;
	story_dma(&vm, &page, &gpa);
	story_vcmdq(&vm, gpa);
	story_event(&vm);
	story_dirty(&vm);
out:
	vm_destroy(&vm);
	return failures;
}
