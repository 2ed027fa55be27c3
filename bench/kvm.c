// SPDX-License-Identifier: BSD-3-Clause
/*
 * A real VM exit for the trapped path's baseline; see kvm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"

#define GUEST_MEM 0x4000ul
#define GUEST_CODE 0x1000ul

/* out 0x10, al; jmp back to the out: one exit per KVM_RUN. */
static const unsigned char guest_code[] = { 0xe6, 0x10, 0xeb, 0xfc };

/* Real mode at GUEST_CODE: flat code segment, rflags' fixed bit only. */
static int vcpu_start(struct bench_kvm *k)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(k->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(k->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 2;
	if (ioctl(k->vcpu, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

/**
 * bench_kvm_open() - make the guest
 *
 * Return: 0, or -errno when this machine cannot run one (no /dev/kvm, no
 * permission, no virtualization under a VM); then @k holds nothing.
 */
int bench_kvm_open(struct bench_kvm *k)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = GUEST_MEM,
	};
	int size, rc;

	memset(k, 0, sizeof(*k));
	k->kvm = k->vm = k->vcpu = -1;
	k->run = k->mem = MAP_FAILED;
	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0)
		return -errno;
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0)
		goto fail;
	k->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k->mem == MAP_FAILED)
		goto fail;
	memcpy((char *)k->mem + GUEST_CODE, guest_code, sizeof(guest_code));
	region.userspace_addr = (unsigned long)k->mem;
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		goto fail;
	k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0);
	size = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (k->vcpu < 0 || size <= 0)
		goto fail;
	k->run_size = (size_t)size;
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu, 0);
	if (k->run == MAP_FAILED)
		goto fail;
	rc = vcpu_start(k);
	if (!rc)
		rc = bench_kvm_exit(k);
	if (!rc)
		return 0;
	bench_kvm_close(k);
	return rc;
fail:
	rc = -errno;
	bench_kvm_close(k);
	return rc ? rc : -ENODEV;
}

/**
 * bench_kvm_exit() - run the guest until its next exit
 *
 * Return: 0 when it was the OUT's, else -errno (-EIO for any other exit).
 */
int bench_kvm_exit(struct bench_kvm *k)
{
	struct kvm_run *run = k->run;

	if (ioctl(k->vcpu, KVM_RUN, 0) < 0)
		return -errno;
	return run->exit_reason == KVM_EXIT_IO ? 0 : -EIO;
}

void bench_kvm_close(struct bench_kvm *k)
{
	if (k->run != MAP_FAILED)
		munmap(k->run, k->run_size);
	if (k->mem != MAP_FAILED)
		munmap(k->mem, GUEST_MEM);
	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
	k->kvm = k->vm = k->vcpu = -1;
	k->run = k->mem = MAP_FAILED;
}
