// SPDX-License-Identifier: BSD-3-Clause
/*
 * Id table: a growable array of slots indexed by id, plus a two-level
 * occupancy bitmap to find the lowest free id quickly.
 *
 *   slots[id]  NULL (free), &idt_reserved_slot (reserved) or the pointer.
 *              Slot 0 is permanently occupied (marked reserved) so id 0 is
 *              never handed out and needs no special case in the search.
 *   used       bit id set <=> slots[id] != NULL.
 *   full       bit w set <=> used word w is all ones.
 *   free_hint  every id below it is occupied.
 *
 * Finding the lowest free id: look at the used word holding free_hint (bits
 * from free_hint up); if it has no zero, find the first clear bit of `full`
 * after it, whose used word must have a zero. `full` has one bit per 64
 * slots, so its scan touches one word per 4096 slots, and the hint usually
 * makes it end at once.
 *
 * Capacity is a multiple of BITS_PER_LONG and doubles as needed up to
 * max_id + 1 (rounded up), so the bitmaps never have a partial last word.
 * Ids between max_id and capacity are never handed out.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/bug.h"
#include "base/idtable.h"

#define IDT_MIN_CAPACITY 64

char idt_reserved_slot;

#define RESERVED ((void *)&idt_reserved_slot)

int idt_init_max(struct idtable *t, uint32_t max_id)
{
	if (!max_id)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->max_id = max_id;
	return 0;
}

int idt_init(struct idtable *t)
{
	return idt_init_max(t, IDT_DEFAULT_MAX_ID);
}

void idt_destroy(struct idtable *t)
{
	ufd_free(t->slots);
	ufd_free(t->used);
	ufd_free(t->full);
	memset(t, 0, sizeof(*t));
}

static void mark_used(struct idtable *t, size_t id)
{
	size_t w = BIT_WORD(id);

	set_bit(id, t->used);
	if (t->used[w] == ~0UL)
		set_bit(w, t->full);
}

static void mark_free(struct idtable *t, size_t id)
{
	clear_bit(id, t->used);
	clear_bit(BIT_WORD(id), t->full);
	if (id < t->free_hint)
		t->free_hint = id;
}

/* Grow to at least @min_capacity slots. All-or-nothing. */
static int idt_grow(struct idtable *t, size_t min_capacity)
{
	size_t limit = ((size_t)t->max_id + BITS_PER_LONG) &
		       ~(BITS_PER_LONG - 1);
	size_t cap = t->capacity ? t->capacity : IDT_MIN_CAPACITY;
	unsigned long *used, *full;
	void **slots;
	int rc = -ENOMEM;

	while (cap < min_capacity)
		cap *= 2;
	cap = ufd_min(cap, limit);

	slots = ufd_calloc(cap, sizeof(*slots));
	if (!slots)
		goto out;
	used = bitmap_zalloc(cap);
	if (!used)
		goto out_free_slots;
	full = bitmap_zalloc(cap / BITS_PER_LONG);
	if (!full)
		goto out_free_used;

	if (t->capacity) {
		memcpy(slots, t->slots, t->capacity * sizeof(*slots));
		memcpy(used, t->used,
		       t->capacity / BITS_PER_LONG * sizeof(unsigned long));
		memcpy(full, t->full,
		       BITS_TO_LONGS(t->capacity / BITS_PER_LONG) *
			       sizeof(unsigned long));
	}
	ufd_free(t->slots);
	ufd_free(t->used);
	ufd_free(t->full);
	t->slots = slots;
	t->used = used;
	t->full = full;
	if (!t->capacity) {
		/* Id 0 is never valid: keep its slot permanently occupied. */
		t->slots[0] = RESERVED;
		mark_used(t, 0);
		t->free_hint = 1;
	}
	t->capacity = cap;
	return 0;

out_free_used:
	bitmap_free(used);
out_free_slots:
	ufd_free(slots);
out:
	return rc;
}

/* Lowest unoccupied index >= free_hint; capacity if every slot is taken. */
static size_t find_free(const struct idtable *t)
{
	size_t words = t->capacity / BITS_PER_LONG;
	size_t w = BIT_WORD(t->free_hint);
	unsigned long avail;

	if (t->free_hint >= t->capacity)
		return t->capacity;
	avail = ~t->used[w] & (~0UL << (t->free_hint % BITS_PER_LONG));
	if (!avail) {
		w = find_next_zero_bit(t->full, words, w + 1);
		if (w == words)
			return t->capacity;
		avail = ~t->used[w];
	}
	return w * BITS_PER_LONG + __builtin_ctzl(avail);
}

int idt_reserve(struct idtable *t, uint32_t *out_id)
{
	size_t id = t->capacity ? find_free(t) : 1;
	int rc;

	if (id > t->max_id)
		return -ENOMEM;
	if (id >= t->capacity) {
		rc = idt_grow(t, id + 1);
		if (rc)
			return rc;
	}
	t->slots[id] = RESERVED;
	mark_used(t, id);
	t->free_hint = id + 1;
	t->count++;
	*out_id = id;
	return 0;
}

void idt_publish(struct idtable *t, uint32_t id, void *ptr)
{
	UFD_BUG_ON(!ptr);
	UFD_BUG_ON(!id || id >= t->capacity || t->slots[id] != RESERVED);
	t->slots[id] = ptr;
}

void *idt_remove(struct idtable *t, uint32_t id)
{
	void *p;

	if (!id || id >= t->capacity || !t->slots[id])
		return NULL;
	p = t->slots[id];
	t->slots[id] = NULL;
	mark_free(t, id);
	t->count--;
	return p == RESERVED ? NULL : p;
}

void *idt_unpublish(struct idtable *t, uint32_t id)
{
	void *p;

	UFD_BUG_ON(!id || id >= t->capacity || !t->slots[id] ||
		   t->slots[id] == RESERVED);
	p = t->slots[id];
	t->slots[id] = RESERVED;
	return p;
}

void *idt_replace(struct idtable *t, uint32_t id, void *ptr)
{
	void *old;

	UFD_BUG_ON(!ptr);
	UFD_BUG_ON(!id || id >= t->capacity);
	old = t->slots[id];
	UFD_BUG_ON(!old || old == RESERVED);
	t->slots[id] = ptr;
	return old;
}

void *idt_next(const struct idtable *t, uint32_t *id)
{
	size_t i;

	for (i = find_next_bit(t->used, t->capacity, *id); i < t->capacity;
	     i = find_next_bit(t->used, t->capacity, i + 1)) {
		if (t->slots[i] != RESERVED) {
			*id = i;
			return t->slots[i];
		}
	}
	return NULL;
}

void *idt_next_after(const struct idtable *t, uint32_t *id)
{
	if (*id == U32_MAX)
		return NULL;
	(*id)++;
	return idt_next(t, id);
}
