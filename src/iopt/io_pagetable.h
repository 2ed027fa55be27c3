/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The io_pagetable: how the IOVAs of one IOAS map to pages, shared by every
 * domain attached to the IOAS and every access object on it.
 *
 * IOVA space is described by three trees:
 *  - areas: mapped ranges, each referencing a byte range of an iopt_pages;
 *    areas never overlap, and there may be millions, so they live in a
 *    B+tree range map (base/rangemap.h) whose upper levels stay in cache;
 *  - reserved: ranges nothing may be mapped at (outside a domain's
 *    aperture, MSI windows and other regions devices bring), each with an
 *    owner so it can be released again;
 *  - allowed: if not empty, where automatic IOVA allocation may place
 *    areas (IOMMU_IOAS_ALLOW_IOVAS); a promise that those ranges stay
 *    usable, so reserving inside them is refused.
 * The last two are interval trees (base/itree.h): few ranges, which may
 * overlap. All three are O(log n) for insert, remove and lookup, which is what keeps
 * map and unmap O(log n) in the number of areas.
 *
 * Domains: every domain attached is kept identical to the areas: adding a
 * domain fills it from the existing areas, mapping an area maps it into
 * every domain, unmapping unmaps from every domain, removing a domain
 * empties it. Pages are pinned once per area while at least one domain is
 * attached, whatever the number of domains. Test dma-buf areas are the
 * exception: never pinned, and a revocation of the buffer takes them out
 * of every domain behind the io_pagetable's back (dmabuf.c), so they are
 * mapped and unmapped through dmabuf.c, which tracks where they are.
 *
 * iova_alignment is the least common IOVA alignment: 1 with no domain, the
 * largest smallest-page-size of the attached domains, and at least the CPU
 * page when large pages are disabled. A domain whose alignment existing
 * areas do not meet is refused.
 *
 * Accesses (emulated devices reaching memory by IOVA) pin pages through
 * the same per-page counts; unmapping an area they pinned first tells
 * every access to let go (access.c).
 *
 * Locking (lock order: access_lock -> domains_rwsem -> iova_rwsem ->
 * dmabuf.c's dmabuf_lock -> pages->mutex):
 *  - domains_rwsem: the domain array; written to add or remove a domain,
 *    read by everything that maps or unmaps into domains.
 *  - iova_rwsem: the three trees, iova_alignment and disable_large_pages;
 *    written by map, unmap and policy changes, read by lookups.
 */
#ifndef UIOMMUFD_IOPT_IO_PAGETABLE_H
#define UIOMMUFD_IOPT_IO_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/itree.h"
#include "base/rangemap.h"
#include "base/lock.h"
#include "iopt/domain.h"
#include "iopt/pages.h"

struct io_pagetable {
	struct ufd_rwlock domains_rwsem;
	struct iopt_domain **domains; /* domains_rwsem */
	unsigned int ndomains;	      /* domains_rwsem */

	/*
	 * Accesses attached; access_lock, which nests outside iova_rwsem
	 * (notifying an access may make it unpin).
	 */
	struct ufd_mutex access_lock;
	struct iopt_access *accesses;

	struct ufd_rwlock iova_rwsem;
	struct rangemap areas;		  /* iova_rwsem */
	struct itree_root allowed_itree;  /* iova_rwsem */
	struct itree_root reserved_itree; /* iova_rwsem */
	uint64_t iova_alignment;	  /* iova_rwsem */
	uint64_t access_alignment;	  /* iova_rwsem: largest of accesses */
	bool disable_large_pages;	  /* iova_rwsem */
};

/* A mapped range of IOVA. */
struct iopt_area {
	struct rangemap_node node; /* [iova, last] in areas */
	struct iopt_pages *pages;
	uint64_t pages_byte; /* offset of the first byte from page 0 */
	unsigned int prot;   /* IOPT_PROT_* */
	/* Pins accesses hold on the area; atomic under iova_rwsem read. */
	_Atomic unsigned int num_accesses;
	/* Of those, pins that forbid unmapping (IOPT_PIN_LOCK): EBUSY. */
	_Atomic unsigned int num_locks;
	/* Being unmapped: no new access pins or reads (iova_rwsem). */
	bool prevent_access;
	/*
	 * On pages->areas (pages->mutex): where a move of the pages finds
	 * the IOVA that map them (move.c).
	 */
	struct io_pagetable *iopt;
	struct iopt_area *pages_prev, *pages_next;
};

/*
 * An access: an emulated or mediated device that reaches IOAS memory by
 * IOVA through the CPU instead of through a domain. It pins pages for a
 * while and must drop its pins when told an IOVA range is being unmapped,
 * which is what ops->unmap is for (Linux's iommufd_access contract).
 */
struct iopt_access_ops {
	/* Drop every pin inside [iova, iova + length); called unlocked. */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

struct iopt_access {
	const struct iopt_access_ops *ops;
	void *data;
	uint64_t iova_alignment;  /* IOVAs it pins are aligned to this */
	struct iopt_access *next; /* io_pagetable.accesses; access_lock */
};

/* iopt_access_rw() flags */
#define IOPT_ACCESS_RW_WRITE (1u << 0)

/* A reserved or allowed range. */
struct iopt_range {
	struct itree_node node;
	const void *owner; /* reserved ranges: who reserved it */
};

static inline uint64_t iopt_area_iova(const struct iopt_area *area)
{
	return area->node.start;
}

static inline uint64_t iopt_area_last(const struct iopt_area *area)
{
	return area->node.last;
}

static inline uint64_t iopt_area_length(const struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* A run of pages to map: pages[pages_byte, pages_byte + length). */
struct iopt_piece {
	struct iopt_pages *pages;
	uint64_t pages_byte;
	uint64_t length;
};

/* Pieces laid back to back in IOVA (what IOMMU_IOAS_COPY carries over). */
struct iopt_pieces {
	unsigned int n;
	struct iopt_piece piece[];
};

/* Flags for iopt_map_user() and friends. */
#define IOPT_ALLOC_IOVA (1u << 0) /* choose the IOVA; else *iova is fixed */

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);

int iopt_map_user(struct io_pagetable *iopt, struct iopt_account *account,
		  uint64_t *iova, uintptr_t uptr, uint64_t length,
		  unsigned int prot, unsigned int flags);
int iopt_map_file(struct io_pagetable *iopt, struct iopt_account *account,
		  uint64_t *iova, int fd, uint64_t start, uint64_t length,
		  unsigned int prot, unsigned int flags);
int iopt_map_dmabuf(struct io_pagetable *iopt, uint64_t *iova, int fd,
		    uint64_t start, uint64_t length, unsigned int prot,
		    unsigned int flags);
struct iopt_pieces *iopt_get_pieces(struct io_pagetable *src, uint64_t iova,
				    uint64_t length);
void iopt_put_pieces(struct iopt_pieces *set);
int iopt_map_pieces(struct io_pagetable *iopt, const struct iopt_piece *pieces,
		    unsigned int n, uint64_t *iova, unsigned int prot,
		    unsigned int flags);
int iopt_unmap(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
	       uint64_t *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped);
int iopt_cut(struct io_pagetable *iopt, const uint64_t *cuts, unsigned int n);
uint64_t iopt_pgsize_bitmap(struct io_pagetable *iopt);
bool iopt_only_file_backed(struct io_pagetable *iopt);
bool iopt_range_has_area(struct io_pagetable *iopt, uint64_t iova,
			 uint64_t length);

int iopt_reserve(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		 const void *owner);
void iopt_unreserve_owner(struct io_pagetable *iopt, const void *owner);
int iopt_set_allowed(struct io_pagetable *iopt, const uint64_t *starts,
		     const uint64_t *lasts, unsigned int n);
void iopt_usable_ranges(struct io_pagetable *iopt, uint64_t *starts,
			uint64_t *lasts, unsigned int max, unsigned int *count,
			uint64_t *alignment);

int iopt_add_domain(struct io_pagetable *iopt, struct iopt_domain *domain);
void iopt_remove_domain(struct io_pagetable *iopt, struct iopt_domain *domain);

int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);
bool iopt_large_pages_enabled(struct io_pagetable *iopt);

int iopt_add_access(struct io_pagetable *iopt, struct iopt_access *access);
void iopt_remove_access(struct io_pagetable *iopt, struct iopt_access *access);
/* iopt_access_pin() and iopt_access_unpin() flags */
#define IOPT_PIN_WRITE (1u << 0)
#define IOPT_PIN_LOCK (1u << 1)
int iopt_access_pin(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uintptr_t *out_pages, unsigned int flags);
void iopt_access_unpin(struct io_pagetable *iopt, uint64_t iova,
		       uint64_t length, unsigned int flags);
int iopt_access_rw(struct io_pagetable *iopt, uint64_t iova, void *buf,
		   uint64_t len, unsigned int flags);

uint32_t iopt_pin_count(struct io_pagetable *iopt, uint64_t iova);
unsigned int iopt_area_count(struct io_pagetable *iopt);

#endif
