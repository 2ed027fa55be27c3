/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault queues (IOMMU_FAULT_QUEUE_ALLOC): where the I/O page faults of the
 * HWPTs that name a queue go, for the program to resolve. See eventq.c.
 *
 * Producers (the mock device's TRIGGER_IOPF, a DMA path that faults on a
 * HWPT with a fault queue) report a group of page requests with
 * ufd_fault_report() and learn the outcome through a callback, or wait for
 * it with ufd_fault_report_wait(). The program reads the group as struct
 * iommu_hwpt_pgfault records from the queue's descriptor and answers with
 * a struct iommu_hwpt_page_response carrying the group's cookie. Groups a
 * device leaves behind when it detaches are answered for it with
 * IOMMUFD_PAGE_RESP_INVALID (ufd_fault_auto_response()), and so is every
 * group still pending when the queue is destroyed.
 */
#ifndef UIOMMUFD_CORE_EVENTQ_H
#define UIOMMUFD_CORE_EVENTQ_H

#include <stdint.h>

#include "core/core.h"
#include "dev/dev.h"

/*
 * struct ufd_iopf (one page request of a group) and ufd_iopf_done_fn come
 * from dev/dev.h, so a device's IOMMU can hand its page requests over
 * as they are. A group's done function gets the program's
 * IOMMUFD_PAGE_RESP_* code, or IOMMUFD_PAGE_RESP_INVALID when the group
 * was answered for it (device detached, queue destroyed). It runs with no
 * lock of the queue held, on whatever thread answered: the service thread
 * for a program's response, the detaching or destroying thread otherwise.
 */

/* Upper bound on faults in one group (the kernel has none that small). */
#define UFD_IOPF_GROUP_MAX 256

int ufd_fault_report(struct ufd_object *fault, const void *handle,
		     uint32_t dev_id, const struct ufd_iopf *faults,
		     unsigned int n, ufd_iopf_done_fn done, void *arg);
int ufd_fault_report_wait(struct ufd_object *fault, const void *handle,
			  uint32_t dev_id, const struct ufd_iopf *faults,
			  unsigned int n, uint64_t timeout_ns,
			  uint32_t *out_code);
void ufd_fault_auto_response(struct ufd_object *fault, uint32_t dev_id,
			     const void *handle);
unsigned int ufd_fault_pending(struct ufd_object *fault);
uint64_t ufd_fault_rejected(struct ufd_object *fault);
void ufd_fault_destroy(struct ufd_object *obj);

#endif
