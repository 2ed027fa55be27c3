// SPDX-License-Identifier: BSD-3-Clause
/*
 * Are two host addresses the same page of memory? For the selftest ops
 * that compare the pages behind an IOVA with the caller's buffer
 * (MD_CHECK_MAP, ACCESS_PAGES). Equal addresses are; otherwise two
 * mappings of one file (a memfd mapped by the program and again by the
 * io_pagetable) are the same page when they map the same file at the same
 * offset, which /proc/self/maps tells (base/maps.h). Test paths only: the
 * cost is a read of the maps file.
 */
#include <stdbool.h>
#include <stdint.h>

#include "base/alloc.h"
#include "base/maps.h"
#include "core/page_identity.h"

/**
 * ufd_same_page() - do @a and @b address the same byte of memory?
 *
 * Return: true if equal, or both map the same file at the same offset.
 */
bool ufd_same_page(uintptr_t a, uintptr_t b)
{
	struct ufd_backing ba, bb;
	bool same = false;
	char *maps;

	if (a == b)
		return true;
	maps = ufd_maps_read();
	if (!maps)
		return false;
	if (ufd_maps_backing(maps, a, &ba) && ufd_maps_backing(maps, b, &bb))
		same = ba.dev_major == bb.dev_major &&
		       ba.dev_minor == bb.dev_minor && ba.inode == bb.inode &&
		       ba.file_offset == bb.file_offset;
	ufd_free(maps);
	return same;
}
