/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The strace-style decoder behind UIOMMUFD_TRACE: one line per ioctl on an
 * iommufd, with the command's struct printed field by field. See trace.c
 * for the format and its rules.
 *
 * Use: pl_trace_capture() before the command runs (it copies what the
 * caller passed, since the command may overwrite it), then
 * pl_trace_format() with the result. Neither allocates, takes a lock or
 * touches errno, and neither can fault on a bad user pointer. They may be
 * called from any thread.
 */
#ifndef UIOMMUFD_PRELOAD_TRACE_H
#define UIOMMUFD_PRELOAD_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the largest command struct the decoder knows (checked there). */
#define PL_TRACE_ARG_MAX 96

/* The smallest line buffer pl_trace_format() accepts; 1024 is plenty. */
#define PL_TRACE_LINE_MIN 256

/*
 * What the caller's argument held before the call: the first @len bytes of
 * the struct at @uptr, which is min(the caller's size, ours), at least the
 * size field itself. @len is 0 when nothing was (or could be) read; when
 * @short_read, only the size field could be, and the call will fail with
 * EFAULT.
 */
struct pl_trace_arg {
	const void *uptr;
	unsigned int len;
	/* The struct's own size field (argsz for VFIO), valid if len. */
	uint32_t usize;
	bool short_read;
	union {
		unsigned char bytes[PL_TRACE_ARG_MAX];
		uint64_t align;
	};
};

/**
 * pl_trace_capture() - copy the caller's argument of an ioctl for tracing
 * @ta: filled in
 * @cmd: the ioctl number
 * @arg: the caller's argument (a pointer, or an integer for some VFIO
 *       commands)
 *
 * Reads only as much as the caller's size field declares, and reads
 * through the kernel (process_vm_readv), so an unmapped pointer yields an
 * empty capture, not a crash.
 */
void pl_trace_capture(struct pl_trace_arg *ta, unsigned int cmd,
		      const void *arg);

/**
 * pl_trace_format() - the trace line of one ioctl
 * @line: where to write the line (NUL-terminated, ends with a newline)
 * @size: size of @line, at least PL_TRACE_LINE_MIN
 * @fd: the descriptor the ioctl was issued on
 * @cmd: the ioctl number
 * @before: pl_trace_capture() of the argument, taken before the call
 * @rc: the call's result: non-negative, or a negative errno
 *
 * Reads the argument again (safely) for the fields the call wrote. A line
 * that does not fit is cut with "..." before the result, which is always
 * printed.
 *
 * Return: the length of the line, or 0 (and no line) if @size is below
 * PL_TRACE_LINE_MIN.
 */
size_t pl_trace_format(char *line, size_t size, int fd, unsigned int cmd,
		       const struct pl_trace_arg *before, long rc);

#endif
