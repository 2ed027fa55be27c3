/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bitmaps stored as arrays of unsigned long, bit i in word i / BITS_PER_LONG
 * at position i % BITS_PER_LONG (the kernel's layout, so a bitmap can be
 * handed to code written against that convention).
 *
 * Sizes and bit numbers are unsigned long. A bitmap of nbits bits owns
 * BITS_TO_LONGS(nbits) words; bits at and above nbits in the last word are
 * "don't care": the functions taking nbits ignore them, and bitmap_set /
 * bitmap_clear never touch bits outside the range they are given.
 *
 * Concurrency: set_bit(), clear_bit(), bitmap_set() and friends are plain
 * read-modify-write operations, unlike the kernel's set_bit(); use them on
 * bitmaps that a lock protects or only one thread writes. The atomic_*
 * variants are sequentially consistent read-modify-writes on a single word
 * and may race with each other on the same bitmap. They are implemented with
 * the compiler's __atomic builtins, which give C11 atomic semantics on plain
 * unsigned long words, so one bitmap can be used both ways (for example,
 * built non-atomically before it is published).
 */
#ifndef UIOMMUFD_BASE_BITMAP_H
#define UIOMMUFD_BASE_BITMAP_H

#include <limits.h>
#include <stdbool.h>

#include "base/compiler.h"

#define BITS_PER_LONG (sizeof(unsigned long) * CHAR_BIT)

/* Written to avoid overflow for nbits near ULONG_MAX. */
#define BITS_TO_LONGS(nbits)                                                   \
	((nbits) / BITS_PER_LONG + !!((nbits) % BITS_PER_LONG))

#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))

/**
 * bitmap_zalloc - allocate a zeroed bitmap of @nbits bits.
 *
 * Returns NULL on allocation failure (the allocation goes through
 * ufd_calloc(), so fail points reach it). Free with bitmap_free().
 */
unsigned long *bitmap_zalloc(unsigned long nbits);

/** bitmap_free - free a bitmap from bitmap_zalloc(); NULL is allowed. */
void bitmap_free(unsigned long *map);

static inline void set_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void clear_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[BIT_WORD(nr)] & BIT_MASK(nr);
}

static inline void atomic_set_bit(unsigned long nr, unsigned long *map)
{
	__atomic_fetch_or(&map[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

static inline void atomic_clear_bit(unsigned long nr, unsigned long *map)
{
	__atomic_fetch_and(&map[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

/* Set bit nr and return its previous value, atomically. */
static inline bool atomic_test_and_set_bit(unsigned long nr, unsigned long *map)
{
	return __atomic_fetch_or(&map[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

/* Clear bit nr and return its previous value, atomically. */
static inline bool atomic_test_and_clear_bit(unsigned long nr,
					     unsigned long *map)
{
	return __atomic_fetch_and(&map[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

/* test_bit() for a word that other threads change with atomic_*_bit(). */
static inline bool atomic_test_bit(unsigned long nr, const unsigned long *map)
{
	return __atomic_load_n(&map[BIT_WORD(nr)], __ATOMIC_ACQUIRE) &
	       BIT_MASK(nr);
}

/** bitmap_zero - clear all @nbits bits (whole words). */
void bitmap_zero(unsigned long *map, unsigned long nbits);

/** bitmap_set - set bits [start, start + len); no-op when len is 0. */
void bitmap_set(unsigned long *map, unsigned long start, unsigned long len);

/** bitmap_clear - clear bits [start, start + len); no-op when len is 0. */
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len);

/**
 * find_next_bit - first set bit at or after @offset, below @size.
 *
 * Returns @size when there is none (including when @offset >= @size).
 */
unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long offset);

/** find_next_zero_bit - like find_next_bit(), for a clear bit. */
unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size,
				 unsigned long offset);

/** find_first_bit - lowest set bit below @size, or @size if none. */
unsigned long find_first_bit(const unsigned long *map, unsigned long size);

/** find_first_zero_bit - lowest clear bit below @size, or @size if none. */
unsigned long find_first_zero_bit(const unsigned long *map, unsigned long size);

/** find_last_bit - highest set bit below @size, or @size if none. */
unsigned long find_last_bit(const unsigned long *map, unsigned long size);

/** bitmap_weight - number of set bits among the first @nbits. */
unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits);

/** bitmap_empty - true when none of the first @nbits bits is set. */
bool bitmap_empty(const unsigned long *map, unsigned long nbits);

/** bitmap_full - true when all of the first @nbits bits are set. */
bool bitmap_full(const unsigned long *map, unsigned long nbits);

/* Visit every set bit below size in ascending order. */
#define for_each_set_bit(bit, map, size)                                       \
	for ((bit) = find_first_bit((map), (size)); (bit) < (size);            \
	     (bit) = find_next_bit((map), (size), (bit) + 1))

/* Visit every clear bit below size in ascending order. */
#define for_each_clear_bit(bit, map, size)                                     \
	for ((bit) = find_first_zero_bit((map), (size)); (bit) < (size);       \
	     (bit) = find_next_zero_bit((map), (size), (bit) + 1))

#endif
