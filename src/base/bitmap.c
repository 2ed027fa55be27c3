// SPDX-License-Identifier: BSD-3-Clause
/*
 * Word-at-a-time bitmap operations. Range operations split into a partial
 * first word, whole middle words and a partial last word; searches invert
 * the words for zero-bit searches and mask off bits below the offset and at
 * or above the size, so the "don't care" tail of the last word never leaks
 * into a result.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"

/* Bits [nr % BITS_PER_LONG, BITS_PER_LONG) of a word. */
static inline unsigned long first_word_mask(unsigned long nr)
{
	return ~0UL << (nr % BITS_PER_LONG);
}

/* Bits [0, nbits % BITS_PER_LONG) of a word, or all bits at a boundary. */
static inline unsigned long last_word_mask(unsigned long nbits)
{
	return ~0UL >> (-nbits % BITS_PER_LONG);
}

unsigned long *bitmap_zalloc(unsigned long nbits)
{
	return ufd_calloc(BITS_TO_LONGS(nbits), sizeof(unsigned long));
}

void bitmap_free(unsigned long *map)
{
	ufd_free(map);
}

void bitmap_zero(unsigned long *map, unsigned long nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

void bitmap_set(unsigned long *map, unsigned long start, unsigned long len)
{
	unsigned long *p = map + BIT_WORD(start);
	unsigned long mask = first_word_mask(start);
	unsigned long room = BITS_PER_LONG - start % BITS_PER_LONG;

	while (len >= room) {
		*p++ |= mask;
		len -= room;
		room = BITS_PER_LONG;
		mask = ~0UL;
	}
	if (len)
		*p |= mask & ~(mask << len);
}

void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len)
{
	unsigned long *p = map + BIT_WORD(start);
	unsigned long mask = first_word_mask(start);
	unsigned long room = BITS_PER_LONG - start % BITS_PER_LONG;

	while (len >= room) {
		*p++ &= ~mask;
		len -= room;
		room = BITS_PER_LONG;
		mask = ~0UL;
	}
	if (len)
		*p &= ~(mask & ~(mask << len));
}

/*
 * Shared search: invert == ~0UL turns the search for a set bit into one for
 * a clear bit without a second copy of the loop.
 */
static unsigned long find_next(const unsigned long *map, unsigned long size,
			       unsigned long offset, unsigned long invert)
{
	unsigned long idx, word;

	if (offset >= size)
		return size;
	idx = BIT_WORD(offset);
	word = (map[idx] ^ invert) & first_word_mask(offset);
	while (!word) {
		idx++;
		if (idx * BITS_PER_LONG >= size)
			return size;
		word = map[idx] ^ invert;
	}
	offset = idx * BITS_PER_LONG + __builtin_ctzl(word);
	return ufd_min(offset, size);
}

unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long offset)
{
	return find_next(map, size, offset, 0);
}

unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size,
				 unsigned long offset)
{
	return find_next(map, size, offset, ~0UL);
}

unsigned long find_first_bit(const unsigned long *map, unsigned long size)
{
	return find_next(map, size, 0, 0);
}

unsigned long find_first_zero_bit(const unsigned long *map, unsigned long size)
{
	return find_next(map, size, 0, ~0UL);
}

unsigned long find_last_bit(const unsigned long *map, unsigned long size)
{
	unsigned long idx, word;

	if (!size)
		return size;
	idx = BIT_WORD(size - 1);
	word = map[idx] & last_word_mask(size);
	for (;;) {
		if (word)
			return idx * BITS_PER_LONG + BITS_PER_LONG - 1 -
			       __builtin_clzl(word);
		if (!idx)
			return size;
		word = map[--idx];
	}
}

unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits)
{
	unsigned long i, full = nbits / BITS_PER_LONG, w = 0;

	for (i = 0; i < full; i++)
		w += __builtin_popcountl(map[i]);
	if (nbits % BITS_PER_LONG)
		w += __builtin_popcountl(map[full] & last_word_mask(nbits));
	return w;
}

bool bitmap_empty(const unsigned long *map, unsigned long nbits)
{
	return find_first_bit(map, nbits) == nbits;
}

bool bitmap_full(const unsigned long *map, unsigned long nbits)
{
	return find_first_zero_bit(map, nbits) == nbits;
}
