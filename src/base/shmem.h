/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared memory the program can map: pages a hardware model exposes as
 * MMIO (a vIOMMU's page, a VINTF's queue registers) live in memory that
 * both the model (through the pointer ufd_shmem_alloc() returns) and the
 * program (through mmap() of the iommufd, which the front end turns into
 * an mmap of the backing file) see. Writes on either side are visible to
 * the other at once, as on a real MMIO page the hardware polls.
 *
 * Each allocation is a memfd of its own, kept open until it is freed.
 */
#ifndef UIOMMUFD_BASE_SHMEM_H
#define UIOMMUFD_BASE_SHMEM_H

#include <stddef.h>
#include <stdint.h>

void *ufd_shmem_alloc(size_t len);
void ufd_shmem_free(void *p);
int ufd_shmem_backing(const void *p, size_t len, int *fd, uint64_t *offset);

#endif
