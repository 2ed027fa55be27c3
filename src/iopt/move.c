// SPDX-License-Identifier: BSD-3-Clause
/*
 * Moving pinned memory to another host address, the pages following.
 *
 * Under Linux a pin holds the physical page: the program may unmap, remap
 * or discard its mapping and the device keeps the page. Here a page's
 * "physical address" is a host address (DESIGN.md), so when the program
 * takes its mapping away the pages move instead (mremap(), which moves
 * page table entries, never data) and whatever pointed at the old address
 * is pointed at the new one:
 *  - the segments of every user pages object registered there (pages.h)
 *    and their entries in pinned.c's registry;
 *  - every domain mapping those pages, through its remap op, which also
 *    invalidates the IOTLB and ATC entries that held the old address.
 * Moved aside (iopt_pinned_move_aside(): munmap, MADV_DONTNEED, a
 * MAP_FIXED mapping over the range) the memory is ours, an orphan that
 * goes as its pins go (pinned.c). Moved by the program (iopt_pinned_move():
 * mremap) it stays the program's at the new address, shared with the
 * devices as under Linux.
 *
 * A move runs with the mapping gate closed (base/gate.h): no pin, unpin,
 * map, unmap, copy or attach is under way anywhere, so areas, pages and
 * domains hold still without their locks. DMA is held off (dmaguard.h)
 * from the first translation rewritten until the pages have moved; if the
 * mremap() fails, the translations are pointed back (which needs no
 * allocation: pt_remap()) and nothing changed.
 *
 * What cannot move stays where it is, kept mapped for the devices as
 * pinned.c did before moves existed: pages an access has pinned (its owner
 * holds their host addresses: a HW queue, an emulated device), pages a
 * domain without a remap op maps, a move asked for from inside the gate
 * (an access's unmap callback unmapping memory), and what the kernel will
 * not mremap(). The caller then falls back.
 */
#include <errno.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "base/dmaguard.h"
#include "base/gate.h"
#include "base/log.h"
#include "base/maps.h"
#include "base/sys.h"
#include "iopt/iopt_private.h"
#include "iopt/pinned.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* One domain's mapping of part of the moving range. */
struct move_op {
	struct iopt_domain *domain;
	uint64_t iova, len;
	uintptr_t host; /* where it points before the move */
};

/* One pages object with segments in the moving range. */
struct move_pages {
	struct iopt_pages *pages;
	struct iopt_pages_seg *segs; /* room for the segments after */
	unsigned int nsegs;
};

struct move {
	uint64_t start, last; /* the host range that moves */
	uintptr_t to;	      /* where start goes */
	struct move_pages *mp;
	unsigned int nmp, mp_cap;
	struct move_op *ops;
	unsigned int nops, ops_cap;
};

/* Grows *@arr (of @size-byte items) to hold one more; 0 or -ENOMEM. */
static int grow(void **arr, unsigned int n, unsigned int *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = ufd_realloc(*arr, (size_t)(*cap ? *cap * 2 : 4) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? *cap * 2 : 4;
	return 0;
}

/* iopt_pinned_collect() callback: note the segment's pages once. */
static int collect_seg(struct iopt_pages_seg *seg, void *arg)
{
	struct move *m = arg;
	unsigned int i;

	for (i = 0; i < m->nmp; i++)
		if (m->mp[i].pages == seg->pages)
			return 0;
	if (grow((void **)&m->mp, m->nmp, &m->mp_cap, sizeof(*m->mp)))
		return -ENOMEM;
	m->mp[m->nmp++] = (struct move_pages){ .pages = seg->pages };
	return 0;
}

/* The part of @seg inside the moving range, as page bytes; false: none. */
static bool seg_part(const struct move *m, const struct iopt_pages_seg *seg,
		     uint64_t *b0, uint64_t *b1, uint64_t *hs)
{
	uint64_t s = ufd_max(seg->node.start, m->start);
	uint64_t l = ufd_min(seg->node.last, m->last);

	if (s > l)
		return false;
	*hs = s;
	*b0 = seg->first * iopt_page_size() + (s - seg->node.start);
	*b1 = *b0 + (l - s);
	return true;
}

/* The domain mappings of @mp's moving part through @area. */
static int add_area_ops(struct move *m, struct move_pages *mp,
			struct iopt_area *area)
{
	struct io_pagetable *iopt = area->iopt;
	uint64_t ab0 = area->pages_byte;
	uint64_t ab1 = ab0 + iopt_area_length(area) - 1;
	unsigned int s, d;

	for (s = 0; s < mp->pages->nsegs; s++) {
		uint64_t b0, b1, hs, c0, c1;

		if (!seg_part(m, &mp->pages->segs[s], &b0, &b1, &hs))
			continue;
		c0 = ufd_max(b0, ab0);
		c1 = ufd_min(b1, ab1);
		if (c0 > c1)
			continue;
		for (d = 0; d < iopt->ndomains; d++) {
			struct iopt_domain *dom = iopt->domains[d];

			if (!dom->ops->remap)
				return -EOPNOTSUPP;
			if (grow((void **)&m->ops, m->nops, &m->ops_cap,
				 sizeof(*m->ops)))
				return -ENOMEM;
			m->ops[m->nops++] = (struct move_op){
				.domain = dom,
				.iova = iopt_area_iova(area) + (c0 - ab0),
				.len = c1 - c0 + 1,
				.host = hs + (c0 - b0),
			};
		}
	}
	return 0;
}

/*
 * Everything the move will change, found and allocated before anything
 * changes. Gate closed. 0, -EBUSY (an access pinned pages), -EOPNOTSUPP
 * (a domain cannot remap) or -ENOMEM.
 */
static int move_prepare(struct move *m)
{
	unsigned int i, s, cut;
	struct iopt_area *area;
	int rc;

	rc = iopt_pinned_collect(m->start, m->last, collect_seg, m);
	if (rc)
		return rc;
	for (i = 0; i < m->nmp; i++) {
		struct move_pages *mp = &m->mp[i];
		uint64_t b0, b1, hs;

		if (atomic_load(&mp->pages->access_pins))
			return -EBUSY;
		for (area = mp->pages->areas; area; area = area->pages_next) {
			rc = add_area_ops(m, mp, area);
			if (rc)
				return rc;
		}
		/* Each segment the range cuts becomes up to three. */
		for (s = 0, cut = 0; s < mp->pages->nsegs; s++)
			cut += seg_part(m, &mp->pages->segs[s], &b0, &b1, &hs);
		mp->segs = ufd_calloc(mp->pages->nsegs + 2 * cut,
				      sizeof(*mp->segs));
		if (!mp->segs)
			return -ENOMEM;
	}
	return 0;
}

/* Points ops [0, n) at the old (@back) or the new addresses. */
static int ops_apply(struct move *m, unsigned int n, bool back)
{
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		struct move_op *op = &m->ops[i];
		uintptr_t moved = m->to + (op->host - m->start);

		rc = op->domain->ops->remap(op->domain, op->iova, op->len,
					    back ? moved : op->host,
					    back ? op->host : moved);
		if (rc) {
			/* Undoing needs no allocation (pt_remap()). */
			if (back)
				ufd_panic("move: cannot point a domain back");
			ops_apply(m, i, true);
			return rc;
		}
	}
	return 0;
}

/* @mp's segments with the moving range at its new address. */
static void reseg(struct move *m, struct move_pages *mp)
{
	struct iopt_pages *pages = mp->pages;
	uint64_t ps = iopt_page_size();
	unsigned int s, n = 0;

	for (s = 0; s < pages->nsegs; s++) {
		const struct iopt_pages_seg *old = &pages->segs[s];
		uint64_t b0, b1, hs, he;

		if (!seg_part(m, old, &b0, &b1, &hs)) {
			mp->segs[n++] = *old;
			continue;
		}
		he = hs + (b1 - b0);
		if (hs > old->node.start) {
			mp->segs[n] = *old;
			mp->segs[n++].node.last = hs - 1;
		}
		mp->segs[n].pages = pages;
		mp->segs[n].first = b0 / ps;
		mp->segs[n].node.start = m->to + (hs - m->start);
		mp->segs[n++].node.last = m->to + (he - m->start);
		if (he < old->node.last) {
			mp->segs[n] = *old;
			mp->segs[n].first = (b1 + 1) / ps;
			mp->segs[n++].node.start = he + 1;
		}
	}
	ufd_mutex_lock(&pages->mutex);
	iopt_pinned_resegment(pages, mp->segs, n);
	ufd_mutex_unlock(&pages->mutex);
	mp->segs = NULL; /* the pages own them now */
}

static void move_free(struct move *m)
{
	unsigned int i;

	for (i = 0; i < m->nmp; i++)
		ufd_free(m->mp[i].segs);
	ufd_free(m->mp);
	ufd_free(m->ops);
}

/*
 * Moves [start, last] to @to with @do_move (the real mremap(), 0 or a
 * negative errno), everything that points there following. Gate closed.
 */
static int move_range(uint64_t start, uint64_t last, uintptr_t to,
		      int (*do_move)(void *arg), void *arg)
{
	struct move m = { .start = start, .last = last, .to = to };
	unsigned int i;
	int rc;

	rc = move_prepare(&m);
	if (rc)
		goto out;
	ufd_dma_block();
	rc = ops_apply(&m, m.nops, false);
	if (!rc) {
		rc = do_move(arg);
		if (rc)
			ops_apply(&m, m.nops, true);
	}
	if (!rc)
		for (i = 0; i < m.nmp; i++)
			reseg(&m, &m.mp[i]);
	ufd_dma_unblock();
out:
	move_free(&m);
	return rc;
}

struct mremap_arg {
	uintptr_t from, to;
	size_t old_len, new_len;
	int flags;
	int err; /* the real call's -errno */
};

static int real_mremap(void *arg)
{
	struct mremap_arg *a = arg;

	a->err = ufd_sys_ptr_err(ufd_sys_mremap((void *)a->from, a->old_len,
						a->new_len, a->flags,
						(void *)a->to));
	return a->err;
}

/*
 * Address space for @len bytes whose address is congruent to @addr
 * modulo the largest page size (2 MiB, 1 GiB) @len can hold, so the
 * domains keep their large pages; 0 if there is none.
 */
static uintptr_t reserve_aside(uintptr_t addr, size_t len)
{
	size_t align = len >= (1ul << 30)   ? 1ul << 30
		       : len >= (2ul << 20) ? 2ul << 20
					    : iopt_page_size();
	size_t slack = align > iopt_page_size() ? align : 0;
	void *p = ufd_sys_mmap(NULL, len + slack, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			       0);
	uintptr_t res, to;

	if (ufd_sys_ptr_err(p))
		return 0;
	res = (uintptr_t)p;
	to = res + ((addr - res) & (align - 1));
	if (slack) {
		if (to > res)
			ufd_sys_munmap((void *)res, to - res);
		if (res + slack > to)
			ufd_sys_munmap((void *)(to + len), res + slack - to);
	}
	return to;
}

/* Address space set aside for the pinned spans of a range. */
struct aside {
	uint64_t addr, last; /* the range */
	uintptr_t to;	     /* where addr goes; 0: none */
};

/*
 * Reserves room for [addr, addr + len) rounded to pages, before anything
 * in the range is let go, so the room is never a piece of the range the
 * program just gave up.
 */
static void aside_reserve(struct aside *a, uintptr_t addr, size_t len)
{
	uint64_t ps = iopt_page_size();

	a->addr = addr;
	a->last = addr + ((len + ps - 1) & ~(ps - 1)) - 1;
	a->to = reserve_aside(addr, a->last - addr + 1);
}

/*
 * Moves the registered span [start, last] of @a to its place in the
 * room; the bytes moved. @maps: the process's mappings, read before.
 */
static uint64_t move_span_aside(const struct aside *a, const char *maps,
				uint64_t start, uint64_t last, bool keep)
{
	uint64_t len = last - start + 1, done = 0, end;
	uintptr_t to = a->to + (start - a->addr);
	struct mremap_arg m;

	/* One mremap() per mapping the span crosses. */
	while (done < len) {
		end = ufd_maps_vma_end(maps, start + done);
		if (!end)
			break;
		m = (struct mremap_arg){
			.from = start + done,
			.to = to + done,
			.old_len = ufd_min(end - (start + done), len - done),
			.flags = MREMAP_MAYMOVE | MREMAP_FIXED |
				 (keep ? MREMAP_DONTUNMAP : 0),
		};
		m.new_len = m.old_len;
		if (move_range(m.from, m.from + m.old_len - 1, m.to,
			       real_mremap, &m))
			break;
		/* Ours now: it goes when nothing pins it. */
		iopt_pinned_orphan(m.to, m.to + m.old_len - 1);
		done += m.old_len;
	}
	return done;
}

/*
 * Moves every registered span of @a into the room and gives back the
 * room nothing moved into. Gate closed. Returns the bytes of registered
 * spans that stayed.
 */
static size_t aside_move(struct aside *a, bool keep)
{
	uint64_t cur = a->addr, span_last, moved, unused = a->addr;
	char *maps = a->to ? ufd_maps_read() : NULL;
	size_t left = 0;

	while (cur <= a->last &&
	       iopt_pinned_next_span(&cur, a->last, &span_last)) {
		moved = maps ? move_span_aside(a, maps, cur, span_last, keep)
			     : 0;
		left += span_last - cur + 1 - moved;
		if (a->to && cur > unused)
			ufd_sys_munmap((void *)(a->to + (unused - a->addr)),
				       cur - unused);
		unused = cur + moved;
		if (span_last == a->last)
			break;
		cur = span_last + 1;
	}
	if (a->to && unused <= a->last)
		ufd_sys_munmap((void *)(a->to + (unused - a->addr)),
			       a->last - unused + 1);
	ufd_free(maps);
	return left;
}

/**
 * iopt_pinned_move_aside() - move the pinned memory in a range aside
 * @addr: page aligned
 * @len: bytes
 * @keep: leave the range mapped, empty (MREMAP_DONTUNMAP: what
 *        MADV_DONTNEED does to private memory); else it is left unmapped
 *
 * Each registered span in the range moves to an address of ours, the
 * pages following (see the top of this file); what nothing pins is left
 * alone. A span that cannot move stays (pinned.c then keeps it).
 *
 * Return: the bytes of registered spans still in the range.
 */
size_t iopt_pinned_move_aside(uintptr_t addr, size_t len, bool keep)
{
	struct aside a;
	size_t left;

	if (!len || ufd_gate_inside())
		return len;
	/* Nothing pinned there: no need to stop the world. */
	if (!iopt_pinned_any(addr, len, NULL, NULL))
		return 0;
	ufd_gate_close();
	aside_reserve(&a, addr, len);
	left = aside_move(&a, keep);
	ufd_gate_open();
	return left;
}

static int release_none(uintptr_t start, size_t len, void *arg)
{
	return 0;
}

/**
 * iopt_pinned_unmap() - the program unmaps or discards [addr, addr + len)
 * @addr: page aligned
 * @len: bytes
 * @discard: madvise() dropping the contents (pinned pages move aside and
 *           the range stays mapped, empty); else munmap() (pinned pages
 *           move aside and the range is unmapped)
 * @release: does the program's call on a piece nothing pins
 * @arg: for @release
 *
 * All of it with no pin registering meanwhile: what nothing pins is
 * released first, then the pinned spans move, so a mapping another
 * thread makes in the range meanwhile is never touched. Pinned pages
 * that cannot move stay (pinned.c; on munmap() they become orphans).
 *
 * Return: 0, or -1 with errno from the first @release that failed.
 */
int iopt_pinned_unmap(uintptr_t addr, size_t len, bool discard,
		      iopt_pinned_release_fn release, void *arg)
{
	struct aside a;
	int rc;

	/*
	 * From inside the gate nothing can move; with nothing pinned there
	 * nothing needs to (a pin registering meanwhile is kept).
	 */
	if (ufd_gate_inside() || !iopt_pinned_any(addr, len, NULL, NULL))
		return iopt_pinned_release(addr, len, !discard, release, arg);
	ufd_gate_close();
	aside_reserve(&a, addr, len);
	rc = iopt_pinned_release(addr, len, false, release, arg);
	if (rc) {
		/* Nothing moves: the room goes back. */
		if (a.to)
			ufd_sys_munmap((void *)a.to, a.last - a.addr + 1);
	} else if (aside_move(&a, discard) && !discard) {
		iopt_pinned_release(addr, len, true, release_none, NULL);
	}
	ufd_gate_open();
	return rc;
}

/**
 * iopt_pinned_move() - the program's mremap() of pinned memory
 * @from: page aligned
 * @old_len: bytes at @from (a multiple of the page size)
 * @new_len: bytes at @to after the move, at least @old_len
 * @flags: the program's mremap() flags; MREMAP_MAYMOVE and MREMAP_FIXED
 *         are added
 * @to: page aligned, not overlapping [from, from + old_len)
 *
 * The pinned pages in the range follow the memory to @to.
 *
 * Return: 0; the mremap()'s negative errno; or 1 when the pages cannot
 * follow (an access pinned them, a domain cannot remap, no memory, or
 * called from inside the gate) and nothing was tried. On failure nothing
 * changed.
 */
int iopt_pinned_move(uintptr_t from, size_t old_len, size_t new_len, int flags,
		     uintptr_t to)
{
	struct mremap_arg a = {
		.from = from,
		.to = to,
		.old_len = old_len,
		.new_len = new_len,
		.flags = flags | MREMAP_MAYMOVE | MREMAP_FIXED,
	};
	int rc;

	if (ufd_gate_inside())
		return 1;
	ufd_gate_close();
	rc = move_range(from, from + old_len - 1, to, real_mremap, &a);
	ufd_gate_open();
	if (rc && !a.err)
		return 1;
	return rc;
}

/**
 * iopt_area_link() - @area uses its pages; gate entered, iopt locked
 */
void iopt_area_link(struct io_pagetable *iopt, struct iopt_area *area)
{
	struct iopt_pages *pages = area->pages;

	area->iopt = iopt;
	ufd_mutex_lock(&pages->mutex);
	area->pages_prev = NULL;
	area->pages_next = pages->areas;
	if (pages->areas)
		pages->areas->pages_prev = area;
	pages->areas = area;
	ufd_mutex_unlock(&pages->mutex);
}

/** iopt_area_unlink() - @area no longer uses its pages */
void iopt_area_unlink(struct iopt_area *area)
{
	struct iopt_pages *pages = area->pages;

	ufd_mutex_lock(&pages->mutex);
	if (area->pages_prev)
		area->pages_prev->pages_next = area->pages_next;
	else
		pages->areas = area->pages_next;
	if (area->pages_next)
		area->pages_next->pages_prev = area->pages_prev;
	ufd_mutex_unlock(&pages->mutex);
}
