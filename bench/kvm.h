/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real VM exit, for the trapped path's baseline: a one-vCPU KVM guest in
 * real mode whose only code is an OUT in a loop, so every KVM_RUN returns
 * to us once with KVM_EXIT_IO. That round trip is the least a VMM pays
 * when the guest's write to an emulated register traps.
 */
#ifndef UIOMMUFD_BENCH_KVM_H
#define UIOMMUFD_BENCH_KVM_H

#include <stddef.h>

struct bench_kvm {
	int kvm, vm, vcpu;
	void *run;	 /* the vCPU's struct kvm_run */
	size_t run_size; /* and its mapping's length */
	void *mem;	 /* the guest's memory */
};

int bench_kvm_open(struct bench_kvm *k);
int bench_kvm_exit(struct bench_kvm *k);
void bench_kvm_close(struct bench_kvm *k);

#endif
