// SPDX-License-Identifier: BSD-3-Clause
/*
 * The process's mappings, from /proc/self/maps; see maps.h. Read with raw
 * system calls: this code must not enter the preload library's
 * interposers.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/maps.h"

/*
 * The line of @maps whose range holds @addr, with that range in *start
 * and *end; NULL if none.
 */
static const char *line_of(const char *maps, uintptr_t addr,
			   unsigned long long *start, unsigned long long *end)
{
	const char *line = maps;

	while (line && *line) {
		if (sscanf(line, "%llx-%llx", start, end) == 2 &&
		    addr >= *start && addr < *end)
			return line;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/**
 * ufd_maps_backing() - the file position @addr maps, per @maps
 * @maps: from ufd_maps_read()
 *
 * Return: true and *b filled when @addr lies in a file mapping.
 */
bool ufd_maps_backing(const char *maps, uintptr_t addr, struct ufd_backing *b)
{
	unsigned long long start, end, off, inode;
	const char *line = line_of(maps, addr, &start, &end);
	unsigned long maj, min;
	char perms[8];

	if (!line || sscanf(line, "%*[0-9a-f]-%*[0-9a-f] %7s %llx %lx:%lx %llu",
			    perms, &off, &maj, &min, &inode) != 5)
		return false;
	if (!inode)
		return false; /* anonymous: no file to share */
	b->dev_major = maj;
	b->dev_minor = min;
	b->inode = inode;
	b->file_offset = off + (addr - start);
	return true;
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
 * ufd_maps_vma_end() - the end of the mapping holding @addr, per @maps
 * @maps: from ufd_maps_read()
 *
 * Return: one past its last byte, or 0 if no mapping holds @addr.
 */
uint64_t ufd_maps_vma_end(const char *maps, uintptr_t addr)
{
	unsigned long long start, end;

	return line_of(maps, addr, &start, &end) ? end : 0;
}
