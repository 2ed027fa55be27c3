// SPDX-License-Identifier: BSD-3-Clause
/*
 * Are two host addresses the same page of memory? For the selftest ops
 * that compare the pages behind an IOVA with the caller's buffer
 * (MD_CHECK_MAP, ACCESS_PAGES). Equal addresses are; otherwise two
 * mappings of one file (a memfd mapped by the program and again by the
 * io_pagetable) are the same page when they map the same file at the same
 * offset, which /proc/self/maps tells. Read with raw system calls: this
 * code must not enter the preload library's interposers. Test paths
 * only: the cost is a read of the maps file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/page_identity.h"

/**
 * ufd_maps_backing() - the file position @addr maps, per @maps
 * @maps: from ufd_maps_read()
 *
 * Return: true and *b filled when @addr lies in a file mapping.
 */
bool ufd_maps_backing(const char *maps, uintptr_t addr, struct ufd_backing *b)
{
	const char *line = maps;

	while (line && *line) {
		unsigned long long start, end, off, inode;
		unsigned long maj, min;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s %llx %lx:%lx %llu", &start,
			   &end, perms, &off, &maj, &min, &inode) == 7 &&
		    addr >= start && addr < end) {
			if (!inode)
				return false; /* anonymous: no file to share */
			b->dev_major = maj;
			b->dev_minor = min;
			b->inode = inode;
			b->file_offset = off + (addr - start);
			return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/** ufd_maps_read() - /proc/self/maps, NUL-terminated; free with ufd_free() */
char *ufd_maps_read(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = ufd_alloc(cap), *grown;
	long fd, n;

	if (!buf)
		return NULL;
	fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/maps",
		     O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out_free;
	for (;;) {
		if (cap - len < 4096) {
			grown = ufd_realloc(buf, cap * 2);
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
		n = syscall(SYS_read, fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	syscall(SYS_close, fd);
	buf[len] = 0;
	return buf;

out_free:
	ufd_free(buf);
	return NULL;
}

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
