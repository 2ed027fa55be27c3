// SPDX-License-Identifier: BSD-3-Clause
/*
 * ufd_panic() formats into a stack buffer and writes it with one fwrite() on
 * unbuffered stderr, so a panic from inside the allocator, the logger or a
 * lock helper cannot recurse into any of them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/bug.h"
#include "base/log.h"

void ufd_panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int prefix, n;

	prefix = snprintf(buf, sizeof(buf), "uiommufd: BUG: ");
	va_start(ap, fmt);
	n = vsnprintf(buf + prefix, sizeof(buf) - prefix - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* vsnprintf reports the untruncated length; clamp to what fits. */
	if ((size_t)n > sizeof(buf) - prefix - 2)
		n = sizeof(buf) - prefix - 2;
	buf[prefix + n] = '\n';
	fwrite(buf, 1, prefix + n + 1, stderr);
	fflush(stderr);
	abort();
}

void ufd_warn_at(const char *file, int line, const char *func, const char *cond)
{
	ufd_warn("%s:%d: %s: WARN_ON(%s)", file, line, func, cond);
}
