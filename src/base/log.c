// SPDX-License-Identifier: BSD-3-Clause
/*
 * The level lives in one atomic int. LEVEL_UNSET means "not read from the
 * environment yet"; the first reader parses UIOMMUFD_LOG and installs the
 * result with a compare-and-swap, so an explicit ufd_log_set_level() that
 * raced ahead of it wins. Checking the level is one relaxed load: disabled
 * messages cost no lock and no formatting.
 *
 * The sink and its opaque pointer change together, so they are read and
 * written under sink_lock, which is also held across the sink call. That
 * keeps lines from different threads whole, and gives ufd_log_set_sink() its
 * promise that the old sink is no longer running when it returns. The lock
 * is a raw pthread mutex: the ufd_mutex helpers report misuse through
 * ufd_panic(), and the logger must not depend on anything that might log.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define LEVEL_UNSET -1
#define LOG_PREFIX "uiommufd: "

static _Atomic int log_level = LEVEL_UNSET;

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
/* Protected by sink_lock. NULL means the stderr sink. */
static ufd_log_sink_fn sink_fn;
static void *sink_opaque;

static int level_from_env(void)
{
	static const char *const names[] = {
		[UFD_LOG_ERR] = "err",
		[UFD_LOG_WARN] = "warn",
		[UFD_LOG_INFO] = "info",
		[UFD_LOG_DEBUG] = "debug",
	};
	const char *s = getenv("UIOMMUFD_LOG");
	size_t i;

	if (s) {
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(s, names[i]))
				return i;
	}
	return UFD_LOG_WARN;
}

static int current_level(void)
{
	int level = atomic_load_explicit(&log_level, memory_order_relaxed);
	int expected = LEVEL_UNSET;

	if (likely(level != LEVEL_UNSET))
		return level;
	level = level_from_env();
	if (!atomic_compare_exchange_strong_explicit(
		    &log_level, &expected, level, memory_order_relaxed,
		    memory_order_relaxed))
		level = expected;
	return level;
}

bool ufd_log_enabled(enum ufd_log_level level)
{
	return (int)level <= current_level();
}

void ufd_log_set_level(enum ufd_log_level level)
{
	atomic_store_explicit(&log_level, level, memory_order_relaxed);
}

enum ufd_log_level ufd_log_get_level(void)
{
	return current_level();
}

void ufd_log_reload_env(void)
{
	atomic_store_explicit(&log_level, level_from_env(),
			      memory_order_relaxed);
}

void ufd_log_set_sink(ufd_log_sink_fn sink, void *opaque)
{
	pthread_mutex_lock(&sink_lock);
	sink_fn = sink;
	sink_opaque = opaque;
	pthread_mutex_unlock(&sink_lock);
}

/* One fwrite per line: stderr is unbuffered, so that is one write(2). */
static void stderr_sink(const char *msg, size_t len)
{
	char line[sizeof(LOG_PREFIX) + UFD_LOG_MAX_MSG + 1];
	size_t plen = sizeof(LOG_PREFIX) - 1;

	memcpy(line, LOG_PREFIX, plen);
	memcpy(line + plen, msg, len);
	line[plen + len] = '\n';
	fwrite(line, 1, plen + len + 1, stderr);
}

void ufd_vlog(enum ufd_log_level level, const char *fmt, va_list ap)
{
	char msg[UFD_LOG_MAX_MSG + 1];
	int saved_errno = errno;
	size_t len;
	int n;

	if (!ufd_log_enabled(level))
		goto out_restore_errno;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		goto out_restore_errno;
	len = ufd_min((size_t)n, sizeof(msg) - 1);
	if (len && msg[len - 1] == '\n')
		msg[--len] = '\0';

	pthread_mutex_lock(&sink_lock);
	if (sink_fn)
		sink_fn(level, msg, sink_opaque);
	else
		stderr_sink(msg, len);
	pthread_mutex_unlock(&sink_lock);

out_restore_errno:
	errno = saved_errno;
}

void ufd_log(enum ufd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ufd_vlog(level, fmt, ap);
	va_end(ap);
}
