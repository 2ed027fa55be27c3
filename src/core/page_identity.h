/* SPDX-License-Identifier: BSD-3-Clause */
/* Page identity for the selftest ops; see page_identity.c. */
#ifndef UIOMMUFD_CORE_PAGE_IDENTITY_H
#define UIOMMUFD_CORE_PAGE_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

/* A byte of a file: which file (device, inode) and where in it. */
struct ufd_backing {
	unsigned long dev_major, dev_minor;
	uint64_t inode;
	uint64_t file_offset;
};

bool ufd_same_page(uintptr_t a, uintptr_t b);
char *ufd_maps_read(void);
bool ufd_maps_backing(const char *maps, uintptr_t addr, struct ufd_backing *b);

#endif
