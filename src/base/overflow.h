/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overflow-checked arithmetic for sizes, counts and address ranges.
 *
 * Everything a user hands us (an IOVA, a length, an array count) goes through
 * these before it is used, so a wrapped value becomes -EOVERFLOW instead of a
 * range that silently covers the wrong memory. Ranges follow the house rule:
 * `last` is inclusive, so [0, U64_MAX] is a valid range and `last + 1` is
 * never computed without a check.
 */
#ifndef UIOMMUFD_BASE_OVERFLOW_H
#define UIOMMUFD_BASE_OVERFLOW_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

/*
 * check_{add,sub,mul}_overflow(a, b, d): store a op b in *d and return true
 * when the mathematically exact result does not fit in *d's type. The
 * operands may have different types; the compiler computes in infinite
 * precision, so mixed signedness is handled exactly. *d is written even on
 * overflow (with the wrapped value); callers must not use it then.
 */
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/*
 * range_last - inclusive end of [start, start + length).
 *
 * Returns 0 and sets *last, -EINVAL for an empty range (it has no last
 * byte), or -EOVERFLOW when the range runs past U64_MAX. A range that ends
 * exactly at U64_MAX is fine.
 */
static inline int range_last(uint64_t start, uint64_t length, uint64_t *last)
{
	if (!length)
		return -EINVAL;
	/* start + (length - 1) cannot be rewritten as (start + length) - 1. */
	if (check_add_overflow(start, length - 1, last))
		return -EOVERFLOW;
	return 0;
}

static inline bool is_power_of_2_u64(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* align must be a power of two; 0 is not a valid alignment. */
static inline bool is_aligned_u64(uint64_t v, uint64_t align)
{
	return !(v & (align - 1));
}

/*
 * align_up_u64 - round v up to a multiple of align (a power of two).
 *
 * Returns 0 with *out set, or -EOVERFLOW if the rounded value does not fit
 * (for example v = U64_MAX with align > 1).
 */
static inline int align_up_u64(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t mask = align - 1;

	if (check_add_overflow(v, mask, out))
		return -EOVERFLOW;
	*out &= ~mask;
	return 0;
}

/* Round v down to a multiple of align (a power of two). Cannot overflow. */
static inline uint64_t align_down_u64(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

#endif
