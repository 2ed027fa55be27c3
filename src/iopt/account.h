/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accounting of pinned memory against RLIMIT_MEMLOCK, as iommufd does.
 *
 * IOMMU_OPTION_RLIMIT_MODE picks where a context's pins are charged:
 *  - per user (mode 0, iommufd's default): the kernel charges the user's
 *    locked_vm, shared by every process of that user;
 *  - per process (mode 1, VFIO type1's way): the process's pinned_vm.
 * A user-space implementation sees one process, so the per-user count
 * here is shared by every context of this process that runs as the same
 * real uid, and the per-process count by every context of the process. Both
 * are kept, each compared with the process's RLIMIT_MEMLOCK (soft limit,
 * read at every charge so setrlimit() takes effect at once), and a charge
 * that would exceed it fails with ENOMEM and charges nothing. A caller with
 * CAP_IPC_LOCK is charged nothing (its pages get a NULL account).
 */
#ifndef UIOMMUFD_IOPT_ACCOUNT_H
#define UIOMMUFD_IOPT_ACCOUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct iopt_account {
	const char *name;
	_Atomic uint64_t pages; /* pages of iopt_page_size() charged */
};

bool iopt_account_exempt(void);
struct iopt_account *iopt_account_user(void);
struct iopt_account *iopt_account_mm(void);
int iopt_account_charge(struct iopt_account *account, uint64_t npages);
void iopt_account_uncharge(struct iopt_account *account, uint64_t npages);
uint64_t iopt_account_read(struct iopt_account *account);

#endif
