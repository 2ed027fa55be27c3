// SPDX-License-Identifier: BSD-3-Clause
/*
 * Guest RAM: a guest-physical address space made of a few regions of host
 * memory, and a page allocator for the tables and queues a guest builds.
 *
 * For the guest, "physical" addresses are GPAs: what its descriptors and
 * base registers hold, and what the VMM's stage 2 (the IOAS) translates.
 * The library never writes a host address into guest RAM.
 *
 * The allocator hands out whole 4 KiB pages, first fit, with the GPA
 * aligned as asked (tables and queues must be aligned to their size). One
 * bitmap per allocatable region, one lock for all of them. Lookups
 * (guest_ram_ptr) take no lock: the regions are fixed once the RAM is in
 * use, which is why guest_ram_add() must come first.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bitmap.h"
#include "base/bug.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/overflow.h"
#include "guest/guest.h"

struct guest_ram_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	bool alloc;
	/* Allocatable regions: a bit per page, set while allocated. lock. */
	unsigned long *map;
	uint64_t npages;
	uint64_t nfree; /* lock */
};

struct guest_ram {
	/* Protects the allocation bitmaps and free counts; nothing else. */
	struct ufd_mutex lock;
	unsigned int nregions;
	struct guest_ram_region r[GUEST_RAM_MAX_REGIONS];
};

struct guest_ram *guest_ram_create(void)
{
	struct guest_ram *ram = ufd_zalloc(sizeof(*ram));

	if (ram)
		ufd_mutex_init(&ram->lock);
	return ram;
}

void guest_ram_destroy(struct guest_ram *ram)
{
	unsigned int i;

	if (!ram)
		return;
	for (i = 0; i < ram->nregions; i++)
		bitmap_free(ram->r[i].map);
	ufd_mutex_destroy(&ram->lock);
	ufd_free(ram);
}

int guest_ram_add(struct guest_ram *ram, uint64_t gpa, void *host,
		  uint64_t size, bool alloc)
{
	struct guest_ram_region *r;
	uint64_t last;
	unsigned int i;
	int ret;

	if (!size || !is_aligned_u64(gpa | size, GUEST_PAGE_SIZE) ||
	    !is_aligned_u64((uintptr_t)host, GUEST_PAGE_SIZE))
		return -EINVAL;
	ret = range_last(gpa, size, &last);
	if (ret)
		return ret;
	for (i = 0; i < ram->nregions; i++) {
		r = &ram->r[i];
		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= last)
			return -EEXIST;
	}
	if (ram->nregions == GUEST_RAM_MAX_REGIONS)
		return -ENOSPC;
	r = &ram->r[ram->nregions];
	memset(r, 0, sizeof(*r));
	r->gpa = gpa;
	r->size = size;
	r->host = host;
	r->alloc = alloc;
	if (alloc) {
		r->npages = size >> GUEST_PAGE_LG2;
		r->nfree = r->npages;
		r->map = bitmap_zalloc(r->npages);
		if (!r->map)
			return -ENOMEM;
	}
	ram->nregions++;
	return 0;
}

static const struct guest_ram_region *find_region(const struct guest_ram *ram,
						  uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < ram->nregions; i++) {
		const struct guest_ram_region *r = &ram->r[i];
		uint64_t off = gpa - r->gpa;

		if (gpa >= r->gpa && off < r->size && len <= r->size - off)
			return r;
	}
	return NULL;
}

void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	const struct guest_ram_region *r = find_region(ram, gpa, len);

	return r ? r->host + (gpa - r->gpa) : NULL;
}

int guest_ram_gpa(const struct guest_ram *ram, const void *host, uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)host;
	unsigned int i;

	for (i = 0; i < ram->nregions; i++) {
		const struct guest_ram_region *r = &ram->r[i];

		if (p >= (uintptr_t)r->host &&
		    p - (uintptr_t)r->host < r->size) {
			*gpa = r->gpa + (p - (uintptr_t)r->host);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * First run of @npages clear bits whose first page's GPA is a multiple of
 * @align. Candidates are every (align / page)-th page from the first
 * aligned one; a busy page moves the search to the next candidate past it.
 */
static bool region_fit(const struct guest_ram_region *r, uint64_t npages,
		       uint64_t align, uint64_t *idx)
{
	uint64_t first, step, i, busy;

	if (align_up_u64(r->gpa, align, &first) || first - r->gpa >= r->size)
		return false;
	i = (first - r->gpa) >> GUEST_PAGE_LG2;
	step = align >> GUEST_PAGE_LG2;
	while (npages <= r->npages && i <= r->npages - npages) {
		busy = find_next_bit(r->map, i + npages, i);
		if (busy == i + npages) {
			*idx = i;
			return true;
		}
		i += (busy + 1 - i + step - 1) / step * step;
	}
	return false;
}

void *guest_ram_alloc(struct guest_ram *ram, uint64_t size, uint64_t align,
		      uint64_t *gpa)
{
	struct guest_ram_region *r;
	uint64_t npages, idx;
	void *host = NULL;
	unsigned int i;

	if (!size || size > U64_MAX - (GUEST_PAGE_SIZE - 1))
		return NULL;
	if (align < GUEST_PAGE_SIZE)
		align = GUEST_PAGE_SIZE;
	if (!is_power_of_2_u64(align))
		return NULL;
	npages = (size + GUEST_PAGE_SIZE - 1) >> GUEST_PAGE_LG2;

	ufd_mutex_lock(&ram->lock);
	for (i = 0; i < ram->nregions; i++) {
		r = &ram->r[i];
		if (!r->alloc || r->nfree < npages ||
		    !region_fit(r, npages, align, &idx))
			continue;
		bitmap_set(r->map, idx, npages);
		r->nfree -= npages;
		*gpa = r->gpa + (idx << GUEST_PAGE_LG2);
		host = r->host + (idx << GUEST_PAGE_LG2);
		break;
	}
	ufd_mutex_unlock(&ram->lock);
	/* Outside the lock: the pages are ours now. */
	if (host)
		memset(host, 0, npages << GUEST_PAGE_LG2);
	return host;
}

void guest_ram_free(struct guest_ram *ram, uint64_t gpa, uint64_t size)
{
	const struct guest_ram_region *cr;
	struct guest_ram_region *r;
	uint64_t npages, idx;

	if (!size || size > U64_MAX - (GUEST_PAGE_SIZE - 1))
		return;
	npages = (size + GUEST_PAGE_SIZE - 1) >> GUEST_PAGE_LG2;
	cr = find_region(ram, gpa, npages << GUEST_PAGE_LG2);
	if (UFD_WARN_ON(!cr || !cr->alloc ||
			!is_aligned_u64(gpa, GUEST_PAGE_SIZE)))
		return;
	r = &ram->r[cr - ram->r];
	idx = (gpa - r->gpa) >> GUEST_PAGE_LG2;
	ufd_mutex_lock(&ram->lock);
	if (!UFD_WARN_ON(find_next_zero_bit(r->map, idx + npages, idx) !=
			 idx + npages)) {
		bitmap_clear(r->map, idx, npages);
		r->nfree += npages;
	}
	ufd_mutex_unlock(&ram->lock);
}

uint64_t guest_ram_free_bytes(struct guest_ram *ram)
{
	uint64_t n = 0;
	unsigned int i;

	ufd_mutex_lock(&ram->lock);
	for (i = 0; i < ram->nregions; i++)
		n += ram->r[i].nfree;
	ufd_mutex_unlock(&ram->lock);
	return n << GUEST_PAGE_LG2;
}

/* --- guest RAM as page-table (and SMMU) memory --- */

static void *ram_pt_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	void *p = guest_ram_ptr(priv, gpa, len);

	return p ? p : ERR_PTR(-EFAULT);
}

static void *ram_pt_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	return guest_ram_alloc(priv, size, align, pa);
}

static void ram_pt_free(void *priv, uint64_t pa, void *host, size_t size)
{
	guest_ram_free(priv, pa, size);
}

const struct pt_mem_ops guest_ram_pt_ops = {
	.map = ram_pt_map,
	.alloc = ram_pt_alloc,
	.free = ram_pt_free,
};
