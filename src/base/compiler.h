/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small language helpers every layer uses: branch hints, container_of,
 * READ_ONCE/WRITE_ONCE for single-copy-atomic access to shared words, and
 * compile-time assertions. Nothing here allocates or locks.
 */
#ifndef UIOMMUFD_BASE_COMPILER_H
#define UIOMMUFD_BASE_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <assert.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))

#define BUILD_ASSERT(cond) _Static_assert(cond, #cond)

/*
 * A load or store of one naturally aligned word that the compiler may not
 * tear, merge or re-read. Used for fields read without the lock that
 * protects their writers (documented at each such field).
 */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define U64_MAX UINT64_MAX
#define U32_MAX UINT32_MAX

#define ufd_min(a, b) ((a) < (b) ? (a) : (b))
#define ufd_max(a, b) ((a) > (b) ? (a) : (b))

#define __maybe_unused __attribute__((unused))
#define __must_check __attribute__((warn_unused_result))
#define __export __attribute__((visibility("default")))

/* Added for src/base: printf checks, cold paths, thread-local models. */
#define __printf(fmt_idx, args_idx)                                            \
	__attribute__((format(printf, fmt_idx, args_idx)))
#define __noreturn __attribute__((noreturn))
#define __cold __attribute__((cold))
#define __noinline __attribute__((noinline))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
/*
 * Thread-local variables on hot paths: a single %fs-relative load instead of
 * a __tls_get_addr call. Safe for the preload library (loaded at start-up)
 * and for small variables in a dlopen()ed libuiommufd, which glibc places in
 * its static TLS surplus.
 */
#define __tls_initial_exec __attribute__((tls_model("initial-exec")))

#endif
