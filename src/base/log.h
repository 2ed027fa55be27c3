/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diagnostic logging.
 *
 * Messages at or above the current level (ERR is the most severe) go to the
 * sink; the default sink writes "uiommufd: <message>\n" to stderr. The level
 * starts from the UIOMMUFD_LOG environment variable ("err", "warn", "info"
 * or "debug"; default "warn"), read once, on the first message or the first
 * query of the level, unless ufd_log_set_level() was called before that.
 *
 * Logging is thread-safe and may be called from any layer with any lock
 * held: it does not allocate (messages are formatted into a stack buffer and
 * truncated past UFD_LOG_MAX_MSG bytes) and it preserves errno. Sinks are
 * called one at a time under an internal lock, so a sink need not be
 * thread-safe but must not log itself.
 */
#ifndef UIOMMUFD_BASE_LOG_H
#define UIOMMUFD_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "base/compiler.h"

enum ufd_log_level {
	UFD_LOG_ERR,
	UFD_LOG_WARN,
	UFD_LOG_INFO,
	UFD_LOG_DEBUG,
};

/* Longest message passed to a sink, excluding the terminating NUL. */
#define UFD_LOG_MAX_MSG 1023

typedef void (*ufd_log_sink_fn)(enum ufd_log_level level, const char *msg,
				void *opaque);

/**
 * ufd_log - format and emit a message if @level is enabled.
 *
 * The sink receives the formatted message without the "uiommufd: " prefix
 * and without a trailing newline (one is stripped if the format has it).
 */
__printf(2, 3) void ufd_log(enum ufd_log_level level, const char *fmt, ...);

/** ufd_vlog - ufd_log() with a va_list. */
__printf(2, 0) void ufd_vlog(enum ufd_log_level level, const char *fmt,
			     va_list ap);

/** ufd_log_enabled - true if a message at @level would be emitted. */
bool ufd_log_enabled(enum ufd_log_level level);

/** ufd_log_set_level - emit messages at @level and more severe ones. */
void ufd_log_set_level(enum ufd_log_level level);

/** ufd_log_get_level - the current level. */
enum ufd_log_level ufd_log_get_level(void);

/**
 * ufd_log_reload_env - re-read UIOMMUFD_LOG and set the level from it.
 *
 * For programs that change the environment after start-up, and for tests.
 * An unset or unrecognised value selects the default, UFD_LOG_WARN.
 */
void ufd_log_reload_env(void);

/**
 * ufd_log_set_sink - send messages to @sink instead of stderr.
 * @sink: called with each enabled message; NULL restores the stderr sink.
 * @opaque: passed to @sink unchanged.
 *
 * When this returns, no thread is still inside the previous sink, so its
 * @opaque may be freed.
 */
void ufd_log_set_sink(ufd_log_sink_fn sink, void *opaque);

#define ufd_err(fmt, ...) ufd_log(UFD_LOG_ERR, fmt, ##__VA_ARGS__)
#define ufd_warn(fmt, ...) ufd_log(UFD_LOG_WARN, fmt, ##__VA_ARGS__)
#define ufd_info(fmt, ...) ufd_log(UFD_LOG_INFO, fmt, ##__VA_ARGS__)
#define ufd_dbg(fmt, ...) ufd_log(UFD_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif
