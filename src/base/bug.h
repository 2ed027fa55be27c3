/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fatal and non-fatal assertions for broken invariants.
 *
 * A broken internal invariant (a refcount going negative, unlocking a lock
 * that is not held, publishing an id that was never reserved) means memory
 * may already be corrupt; carrying on would turn a clear report into a
 * mystery later. Those paths call ufd_panic(), which writes one line to
 * stderr and aborts. Conditions that are wrong but survivable use
 * UFD_WARN_ON(), which logs and lets the caller recover.
 *
 * Misuse by a user of the API is never a BUG: it is an errno.
 */
#ifndef UIOMMUFD_BASE_BUG_H
#define UIOMMUFD_BASE_BUG_H

#include <stdbool.h>

#include "base/compiler.h"

/**
 * ufd_panic - report a broken invariant and abort the process.
 * @fmt: printf format of the message (no trailing newline needed).
 *
 * Writes "uiommufd: BUG: <message>" to stderr without allocating, then calls
 * abort(). Safe to call from any thread and with any lock held. Bypasses the
 * log sink and level: a panic is always reported.
 */
__noreturn __cold __printf(1, 2) void ufd_panic(const char *fmt, ...);

/* Abort with the file and line when cond is true. cond is evaluated once. */
#define UFD_BUG_ON(cond)                                                       \
	do {                                                                   \
		if (unlikely(cond))                                            \
			ufd_panic("%s:%d: %s: BUG_ON(%s)", __FILE__, __LINE__, \
				  __func__, #cond);                            \
	} while (0)

/**
 * ufd_warn_at - log a warning for a failed UFD_WARN_ON().
 *
 * Not called directly; UFD_WARN_ON() supplies the location.
 */
__cold void ufd_warn_at(const char *file, int line, const char *func,
			const char *cond);

/*
 * Evaluate cond once; if it is true, log a warning with the location. The
 * value of the expression is !!cond so it can guard a recovery path:
 *	if (UFD_WARN_ON(x > limit))
 *		return -EINVAL;
 */
#define UFD_WARN_ON(cond)                                                      \
	({                                                                     \
		bool ufd_warn_cond_ = !!(cond);                                \
		if (unlikely(ufd_warn_cond_))                                  \
			ufd_warn_at(__FILE__, __LINE__, __func__, #cond);      \
		ufd_warn_cond_;                                                \
	})

#endif
