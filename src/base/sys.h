/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw system calls for the memory-management calls that the preload
 * library interposes (mmap, munmap, mremap, madvise). Code inside uiommufd
 * uses these, never the libc symbols, so it cannot re-enter the preload
 * library's interposers (STYLE.md principle 12). Each returns the kernel's
 * result: a value or a negative errno; errno is left alone.
 */
#ifndef UIOMMUFD_BASE_SYS_H
#define UIOMMUFD_BASE_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

long ufd_sys6(long nr, long a, long b, long c, long d, long e, long f);

/* Returns the mapping's address, or a negative errno cast to pointer. */
static inline void *ufd_sys_mmap(void *addr, size_t len, int prot, int flags,
				 int fd, long off)
{
	return (void *)ufd_sys6(SYS_mmap, (long)addr, (long)len, prot, flags,
				fd, off);
}

static inline int ufd_sys_munmap(void *addr, size_t len)
{
	return (int)ufd_sys6(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

static inline int ufd_sys_madvise(void *addr, size_t len, int advice)
{
	return (int)ufd_sys6(SYS_madvise, (long)addr, (long)len, advice, 0, 0,
			     0);
}

static inline void *ufd_sys_mremap(void *old, size_t old_len, size_t new_len,
				   int flags, void *new_addr)
{
	return (void *)ufd_sys6(SYS_mremap, (long)old, (long)old_len,
				(long)new_len, flags, (long)new_addr, 0);
}

/* True if a pointer returned by ufd_sys_mmap()/mremap() is an error. */
static inline int ufd_sys_ptr_err(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return v >= (uintptr_t)-4095 ? (int)(intptr_t)v : 0;
}

#endif
