/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory the program mapped, as the preload library saw it.
 *
 * Pinning must answer EFAULT for memory that is not mapped, or not mapped
 * with the access asked, as pin_user_pages() does. The safe probe is one
 * system call (MADV_POPULATE_READ/WRITE, src/iopt/pages.c), and it is most
 * of what a small IOMMU_IOAS_MAP costs. The preload library sees every
 * mmap(), munmap(), mremap() and mprotect() the program makes through the
 * C library, so it records here the anonymous mappings it saw made, with
 * their protection, and forgets any range those calls change. A pin that
 * lies inside recorded memory with the access it needs skips the probe;
 * anything else (memory mapped before the library started, file mappings,
 * the C library's own mappings such as malloc()'s) takes it as before.
 *
 * Only anonymous memory is recorded: a file mapping can lose its backing
 * (truncation) without any call we see. The record is wrong only if the
 * program changes its own mapping without the C library's wrappers (a raw
 * system call) and then maps the changed memory into an IOAS; then a
 * device's DMA there faults where Linux would have failed the map.
 *
 * Locking: mapped_lock (in mapped.c), a leaf.
 */
#ifndef UIOMMUFD_IOPT_MAPPED_H
#define UIOMMUFD_IOPT_MAPPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void iopt_mapped_add(uintptr_t addr, size_t len, int prot);
void iopt_mapped_note(uintptr_t addr, size_t len, int prot, int flags);
void iopt_mapped_forget(uintptr_t addr, size_t len);
bool iopt_mapped_covers(uintptr_t addr, size_t len, bool write);

#endif
