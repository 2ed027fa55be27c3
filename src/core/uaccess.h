/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access to the caller's memory ("user" memory in the kernel's words).
 *
 * Front ends run in the caller's process, so a user pointer is an ordinary
 * pointer and copies are memcpy. What the kernel turns into EFAULT we catch
 * where it costs nothing: NULL and pointers outside the canonical user half
 * of the address space, and ranges that wrap. A non-NULL pointer into
 * unmapped memory is not probed on the fast path (that would cost a
 * syscall per ioctl); only a struct tail beyond our size, which exists
 * only when a program passes a newer, larger struct, is read through
 * process_vm_readv so that a bogus size cannot crash the process.
 */
#ifndef UIOMMUFD_CORE_UACCESS_H
#define UIOMMUFD_CORE_UACCESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* x86-64 user addresses are below 2^47 (4-level) or 2^56 (5-level). */
#define UFD_USER_ADDR_LIMIT (1ull << 56)

static inline bool uaccess_ok(const void *uptr, size_t len)
{
	uintptr_t p = (uintptr_t)uptr;

	if (!len)
		return true;
	if (p < 4096)
		return false;
	return len <= UFD_USER_ADDR_LIMIT && p <= UFD_USER_ADDR_LIMIT - len;
}

static inline int copy_from_user(void *dst, const void *usrc, size_t len)
{
	if (!uaccess_ok(usrc, len))
		return -EFAULT;
	memcpy(dst, usrc, len);
	return 0;
}

static inline int copy_to_user(void *udst, const void *src, size_t len)
{
	if (!uaccess_ok(udst, len))
		return -EFAULT;
	memcpy(udst, src, len);
	return 0;
}

/*
 * Copies a command struct of usize bytes from the caller into a buffer of
 * ksize bytes: zero-extends a shorter struct, and accepts a longer one only
 * if every byte past ksize is zero (E2BIG otherwise), as the kernel does.
 */
int copy_struct_from_user(void *dst, size_t ksize, const void *usrc,
			  size_t usize);

#endif
