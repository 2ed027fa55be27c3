/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A table of u32 ids mapping to pointers, the shape of the object ids an
 * iommufd context hands to user space.
 *
 * Ids are allocated lowest-free first, from 1 to a maximum (0 is never an
 * id), in two steps, so an object can own its id before it is visible:
 *
 *	rc = idt_reserve(t, &id);       slot taken, lookups still see NULL
 *	...initialise the object, copy the id to user space...
 *	idt_publish(t, id, obj);        lookups now find obj
 *   or
 *	idt_remove(t, id);              abandon the reservation
 *
 * Costs: lookup O(1) (a bounds check and an array load); reserve O(1)
 * typically, at worst a scan of one bit per 4096 slots of capacity; publish,
 * replace and remove O(1); the table grows by doubling, so an occasional
 * reserve also copies the table. Memory is 8 bytes per slot of capacity plus
 * about one bit, with capacity at most twice the highest id used.
 *
 * Locking: none inside. Writers (reserve, publish, replace, remove,
 * destroy) must be serialised by the owner, and readers (lookup, next,
 * count) must not run concurrently with a writer: growing the table frees
 * the array a concurrent lookup may be reading. Concurrent readers with no
 * writer are fine.
 */
#ifndef UIOMMUFD_BASE_IDTABLE_H
#define UIOMMUFD_BASE_IDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Default highest id: the kernel's iommufd ids are positive 31-bit values. */
#define IDT_DEFAULT_MAX_ID 0x7fffffffU

struct idtable {
	/* Slot per id (index = id), NULL free, idt_reserved_slot reserved. */
	void **slots;
	/* Bit per slot, set when occupied (reserved or published). */
	unsigned long *used;
	/* Bit per word of used[], set when that word is all ones. */
	unsigned long *full;
	/* Number of slots; a multiple of BITS_PER_LONG (0 before first use). */
	size_t capacity;
	/* Every id below this is occupied: where the free-slot search starts. */
	size_t free_hint;
	uint32_t max_id;
	uint32_t count;
};

/**
 * idt_init - initialise an empty table with ids 1..IDT_DEFAULT_MAX_ID.
 *
 * Allocates nothing until the first reservation, so it cannot fail; it
 * returns 0 for symmetry with other init functions.
 */
int idt_init(struct idtable *t);

/**
 * idt_init_max - idt_init() with ids limited to 1..@max_id.
 *
 * Returns 0, or -EINVAL if @max_id is 0.
 */
int idt_init_max(struct idtable *t, uint32_t max_id);

/**
 * idt_destroy - free the table's memory.
 *
 * Entries still in the table are forgotten, not freed: their owner must have
 * released them. The table may be initialised again afterwards.
 */
void idt_destroy(struct idtable *t);

/**
 * idt_reserve - take the lowest free id.
 *
 * On success stores it in *@out_id and returns 0; the id is occupied but
 * idt_lookup() returns NULL for it until idt_publish(). Returns -ENOMEM if
 * the table is full (every id up to the maximum is occupied) or cannot grow.
 */
int idt_reserve(struct idtable *t, uint32_t *out_id);

/**
 * idt_publish - make @ptr (non-NULL) visible at @id, which must be reserved
 * and not yet published. Misuse is a bug and aborts.
 */
void idt_publish(struct idtable *t, uint32_t id, void *ptr);

/**
 * idt_lookup - the pointer published at @id.
 *
 * NULL for ids that are free, reserved but unpublished, 0 or above the
 * maximum.
 */
static inline void *idt_lookup(const struct idtable *t, uint32_t id);

/**
 * idt_remove - free @id, whether reserved or published.
 *
 * Returns the published pointer, or NULL if the id was only reserved or was
 * not occupied at all (then nothing changes).
 */
void *idt_remove(struct idtable *t, uint32_t id);

/**
 * idt_unpublish - hide the pointer published at @id, keeping @id occupied
 * (reserved) until idt_remove(). Returns the pointer. @id must be
 * published; misuse aborts.
 */
void *idt_unpublish(struct idtable *t, uint32_t id);

/**
 * idt_replace - swap the pointer published at @id for @ptr (non-NULL).
 *
 * Returns the old pointer. @id must be published; misuse aborts.
 */
void *idt_replace(struct idtable *t, uint32_t id, void *ptr);

/** idt_count - number of occupied ids, reserved ones included. */
static inline uint32_t idt_count(const struct idtable *t)
{
	return t->count;
}

/**
 * idt_next - the published entry with the lowest id >= *@id.
 *
 * Stores that id in *@id and returns the pointer, or returns NULL (leaving
 * *@id unspecified) when there is none. Reserved ids are skipped.
 */
void *idt_next(const struct idtable *t, uint32_t *id);

/**
 * idt_next_after - idt_next() starting just above *@id.
 *
 * Returns NULL when *@id is U32_MAX, without wrapping to 0.
 */
void *idt_next_after(const struct idtable *t, uint32_t *id);

/*
 * Visit every published entry in ascending id order. The current entry may
 * be removed or replaced inside the loop; other changes are allowed but
 * entries added or published meanwhile may or may not be visited.
 */
#define idt_for_each(t, id, ptr)                                               \
	for ((id) = 0, (ptr) = idt_next((t), &(id)); (ptr);                    \
	     (ptr) = idt_next_after((t), &(id)))

/* Marks a reserved slot; only its address matters. */
extern char idt_reserved_slot;

static inline void *idt_lookup(const struct idtable *t, uint32_t id)
{
	void *p;

	if (id >= t->capacity)
		return NULL;
	p = t->slots[id];
	return p == (void *)&idt_reserved_slot ? NULL : p;
}

#endif
