/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iopt_pages: the memory behind one or more areas.
 *
 * An iopt_pages describes a page-aligned run of host memory: a range of the
 * caller's address space (IOMMU_IOAS_MAP), a window of a memfd that the
 * io_pagetable maps itself (IOMMU_IOAS_MAP_FILE), or a window of a test
 * dma-buf (IOMMU_IOAS_MAP_FILE too; dmabuf.h), which is never pinned or
 * charged and reaches domains only through dmabuf.c. Areas reference a byte
 * range of it; IOMMU_IOAS_COPY makes a second area share the same pages,
 * which is how memory is pinned once however many IOAS map it.
 *
 * Pinning. A page is pinned while a domain maps it or an access holds it;
 * each page keeps a pin count (pin_counts[i]), and the 0 -> 1 and 1 -> 0
 * transitions are what is charged against RLIMIT_MEMLOCK and what faults
 * the memory in. Pinning means what the kernel's pin_user_pages() means for
 * the program: the memory is populated (MADV_POPULATE_READ/WRITE, which
 * fails with EFAULT on an address that is not mapped or not writable as
 * requested, as pinning does) and its host address stays valid for DMA
 * until unpinned. If the program unmaps or remaps pinned memory, the
 * preload library moves the pinned pages to another host address and the
 * pages follow them (src/iopt/move.c): user pages are then in segments,
 * each a run of pages at its own host address, until the last pin goes
 * and they are the program's range again.
 *
 * Locking: mutex protects pin_counts, npinned, segs and nsegs (and, for
 * dma-buf pages, the attachment's revoked flag and tracks: dmabuf.c); it
 * nests inside the io_pagetable's locks. A move changes segs only with
 * the mapping gate closed (base/gate.h) and mutex held; whoever reads a
 * host address and uses it afterwards runs inside the gate. refs is
 * atomic.
 */
#ifndef UIOMMUFD_IOPT_PAGES_H
#define UIOMMUFD_IOPT_PAGES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/itree.h"
#include "base/lock.h"
#include "iopt/account.h"

enum iopt_pages_source {
	IOPT_PAGES_USER,   /* caller's address space */
	IOPT_PAGES_FILE,   /* a memfd window we map ourselves */
	IOPT_PAGES_DMABUF, /* a test dma-buf window we map ourselves */
};

struct iopt_dmabuf_attach;
struct iopt_area;

/* A run of user pages at one host address. */
struct iopt_pages_seg {
	/* Host range [start, last]; in pinned.c's registry while pinned. */
	struct itree_node node;
	struct iopt_pages *pages;
	uint64_t first; /* index of its first page */
};

struct iopt_pages {
	_Atomic uint32_t refs;
	enum iopt_pages_source source;
	bool writable;
	uint64_t npages; /* of iopt_page_size() */
	/* Offset of the first mapped byte inside page 0. */
	uint64_t first_offset;

	struct ufd_mutex mutex;
	/* Host address of page 0: the program's (USER) or our mapping's. */
	uintptr_t base;
	uint32_t *pin_counts; /* per page, allocated on first pin; mutex */
	uint64_t npinned;     /* pages with a non-zero count; mutex */
	struct iopt_account *account; /* charged for npinned; set at alloc */
	/*
	 * USER: where the pages are, in page order: one segment at base
	 * (seg0) unless pinned memory moved (move.c). Each segment's node
	 * is in pinned.c's registry while npinned.
	 */
	struct iopt_pages_seg *segs;
	unsigned int nsegs;
	struct iopt_pages_seg seg0;
	/* Pins accesses hold: their owners keep the host addresses. */
	_Atomic uint64_t access_pins;
	/* The areas using these pages (move.c); mutex. */
	struct iopt_area *areas;

	/* IOPT_PAGES_FILE, _DMABUF: the window we mapped of the file. */
	int fd;
	uint64_t file_start;
	size_t map_len;
	/* IOPT_PAGES_DMABUF: the attachment (dmabuf.c); set at alloc. */
	struct iopt_dmabuf_attach *dmabuf;
};

static inline bool iopt_pages_is_dmabuf(const struct iopt_pages *pages)
{
	return pages->source == IOPT_PAGES_DMABUF;
}

uint64_t iopt_page_size(void);

struct iopt_pages *iopt_pages_alloc_user(uintptr_t uptr, uint64_t length,
					 bool writable,
					 struct iopt_account *account);
struct iopt_pages *iopt_pages_alloc_file(int fd, uint64_t start,
					 uint64_t length, bool writable,
					 struct iopt_account *account);
struct iopt_pages *iopt_pages_alloc_dmabuf(int fd, uint64_t start,
					   uint64_t length, bool writable);
void iopt_pages_get(struct iopt_pages *pages);
void iopt_pages_put(struct iopt_pages *pages);

int iopt_pages_pin(struct iopt_pages *pages, uint64_t first, uint64_t last,
		   bool write);
void iopt_pages_unpin(struct iopt_pages *pages, uint64_t first, uint64_t last);
uint32_t iopt_pages_pin_count(struct iopt_pages *pages, uint64_t index);
uintptr_t iopt_pages_host_addr(struct iopt_pages *pages, uint64_t byte);
uintptr_t iopt_pages_host_run(struct iopt_pages *pages, uint64_t byte,
			      uint64_t *run);
void iopt_pages_seg_reset(struct iopt_pages *pages);

#endif
