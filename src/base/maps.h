/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process's mappings as /proc/self/maps lists them: which file a byte
 * maps (page identity for the selftest ops) and where a mapping ends (one
 * mremap() moves no more: iopt/move.c).
 */
#ifndef UIOMMUFD_BASE_MAPS_H
#define UIOMMUFD_BASE_MAPS_H

#include <stdbool.h>
#include <stdint.h>

/* A byte of a file: which file (device, inode) and where in it. */
struct ufd_backing {
	unsigned long dev_major, dev_minor;
	uint64_t inode;
	uint64_t file_offset;
};

char *ufd_maps_read(void);
bool ufd_maps_backing(const char *maps, uintptr_t addr, struct ufd_backing *b);
uint64_t ufd_maps_vma_end(const char *maps, uintptr_t addr);

#endif
