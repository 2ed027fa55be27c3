// SPDX-License-Identifier: BSD-3-Clause
/* Copying command structs from the caller; see uaccess.h. */
#include <sys/uio.h>
#include <unistd.h>

#include "base/compiler.h"
#include "core/uaccess.h"

/*
 * Checks that [usrc, usrc + len) reads as zeros. The memory is read with
 * process_vm_readv so that a size larger than the caller's buffer yields
 * EFAULT instead of a crash; this path runs only for oversized structs.
 */
static int check_zeroed_user(const void *usrc, size_t len)
{
	unsigned char chunk[256];
	size_t done = 0;

	while (done < len) {
		size_t n = ufd_min(len - done, sizeof(chunk));
		struct iovec local = { .iov_base = chunk, .iov_len = n };
		struct iovec remote = {
			.iov_base = (void *)((uintptr_t)usrc + done),
			.iov_len = n,
		};
		size_t i;

		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
		    (ssize_t)n)
			return -EFAULT;
		for (i = 0; i < n; i++)
			if (chunk[i])
				return -E2BIG;
		done += n;
	}
	return 0;
}

int copy_struct_from_user(void *dst, size_t ksize, const void *usrc,
			  size_t usize)
{
	size_t size = ufd_min(ksize, usize);
	int rc;

	if (!uaccess_ok(usrc, usize))
		return -EFAULT;
	if (usize > ksize) {
		rc = check_zeroed_user((const char *)usrc + ksize,
				       usize - ksize);
		if (rc)
			return rc;
	} else if (usize < ksize) {
		memset((char *)dst + usize, 0, ksize - usize);
	}
	memcpy(dst, usrc, size);
	return 0;
}
