// SPDX-License-Identifier: BSD-3-Clause
/*
 * The io_pagetable: areas, IOVA allocation, reserved and allowed ranges,
 * and keeping every attached domain in step with the areas. The model and
 * the locking are described in io_pagetable.h.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/dmaguard.h"
#include "base/err.h"
#include "base/gate.h"
#include "base/log.h"
#include "base/overflow.h"
#include "iopt/dmabuf.h"
#include "iopt/io_pagetable.h"
#include "iopt/iopt_private.h"

/** iopt_init_table() - an empty io_pagetable */
void iopt_init_table(struct io_pagetable *iopt)
{
	ufd_rwlock_init(&iopt->domains_rwsem);
	ufd_rwlock_init(&iopt->iova_rwsem);
	rangemap_init(&iopt->areas);
	itree_root_init(&iopt->allowed_itree);
	itree_root_init(&iopt->reserved_itree);
	iopt->domains = NULL;
	iopt->ndomains = 0;
	ufd_mutex_init(&iopt->access_lock);
	iopt->accesses = NULL;
	iopt->access_alignment = 1;
	/* With no domain, any byte alignment will do, as in Linux. */
	iopt->iova_alignment = 1;
	iopt->disable_large_pages = false;
}

/** iopt_free_ranges() - empty a tree of struct iopt_range, freeing them */
void iopt_free_ranges(struct itree_root *root)
{
	struct itree_node *node;

	while ((node = itree_first(root))) {
		itree_remove(root, node);
		ufd_free(to_range(node));
	}
}

/**
 * iopt_destroy_table() - release an io_pagetable
 *
 * Every domain must have been removed. Areas still present are unmapped.
 */
void iopt_destroy_table(struct io_pagetable *iopt)
{
	uint64_t unmapped;

	iopt_unmap_all(iopt, &unmapped);
	rangemap_destroy(&iopt->areas);
	iopt_free_ranges(&iopt->allowed_itree);
	iopt_free_ranges(&iopt->reserved_itree);
	ufd_free(iopt->domains);
	ufd_mutex_destroy(&iopt->access_lock);
	ufd_rwlock_destroy(&iopt->iova_rwsem);
	ufd_rwlock_destroy(&iopt->domains_rwsem);
}

/* Unmaps an area from the first n domains. Both locks held. */
static void area_unmap_domains(struct io_pagetable *iopt,
			       struct iopt_area *area, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		iopt->domains[i]->ops->unmap(iopt->domains[i],
					     iopt_area_iova(area),
					     iopt_area_length(area));
}

/*
 * Maps an area into one domain, a run of host-contiguous pages at a time
 * (pages that moved in part are in segments: pages.h). All or nothing.
 */
static int area_map_domain(struct io_pagetable *iopt, struct iopt_area *area,
			   struct iopt_domain *d)
{
	uint64_t len = iopt_area_length(area), off, run;
	uintptr_t host;
	int rc;

	for (off = 0; off < len; off += run) {
		host = iopt_pages_host_run(area->pages, area->pages_byte + off,
					   &run);
		run = ufd_min(run, len - off);
		rc = d->ops->map(d, iopt_area_iova(area) + off, host, run,
				 area->prot, iopt->disable_large_pages);
		if (rc) {
			if (off)
				d->ops->unmap(d, iopt_area_iova(area), off);
			return rc;
		}
	}
	return 0;
}

/**
 * iopt_area_fill_domains() - map an area into domains [from, n)
 * @pin: pin the area's pages first (once per area, however many domains)
 *
 * Called with domains_rwsem and iova_rwsem held. All or nothing. Dma-buf
 * areas are never pinned; dmabuf.c maps them and remembers where.
 */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned int from, unsigned int n, bool pin)
{
	uint64_t first, last;
	unsigned int i;
	int rc;

	if (from >= n)
		return 0;
	if (iopt_pages_is_dmabuf(area->pages))
		return iopt_dmabuf_fill(area, iopt->domains + from, n - from,
					iopt->disable_large_pages);
	iopt_area_page_range(area, &first, &last);
	if (pin) {
		rc = iopt_pages_pin(area->pages, first, last,
				    area->prot & IOPT_PROT_WRITE);
		if (rc)
			return rc;
	}
	for (i = from; i < n; i++) {
		rc = area_map_domain(iopt, area, iopt->domains[i]);
		if (rc)
			goto out_unmap;
	}
	return 0;

out_unmap:
	while (i-- > from)
		iopt->domains[i]->ops->unmap(iopt->domains[i],
					     iopt_area_iova(area),
					     iopt_area_length(area));
	if (pin)
		iopt_pages_unpin(area->pages, first, last);
	return rc;
}

/* Unmaps an area from every domain and unpins it. Both locks held. */
static void area_unfill_domains(struct io_pagetable *iopt,
				struct iopt_area *area)
{
	uint64_t first, last;

	if (!iopt->ndomains)
		return;
	if (iopt_pages_is_dmabuf(area->pages)) {
		iopt_dmabuf_unfill(area, iopt->domains, iopt->ndomains);
		/* DMA that translated before the unmap finishes first. */
		ufd_dma_guard_wait();
		return;
	}
	area_unmap_domains(iopt, area, iopt->ndomains);
	ufd_dma_guard_wait();
	iopt_area_page_range(area, &first, &last);
	iopt_pages_unpin(area->pages, first, last);
}

/*
 * Checks a fixed IOVA range: aligned, no overflow, not reserved, free.
 * iova_rwsem held.
 */
static int check_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (itree_iter_first(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	if (rangemap_iter_first(&iopt->areas, iova, last))
		return -EEXIST;
	return 0;
}

static uint64_t roundup_pow2(uint64_t v)
{
	return v <= 1 ? 1 : 1ull << (64 - __builtin_clzll(v - 1));
}

/* Automatic placement never aligns beyond a 2 MiB huge page. */
#define IOPT_MAX_ALLOC_ALIGN (2ull << 20)

/*
 * Does [*start, last] hold length bytes once *start is aligned up and the
 * memory's page offset applied? On success *start is where they go.
 */
static bool fit_in_hole(uint64_t *start, uint64_t last, uint64_t length,
			uint64_t align, uint64_t page_offset)
{
	uint64_t s;

	if (align_up_u64(*start, align, &s))
		return false;
	s |= page_offset;
	if (s >= last || last - s < length - 1)
		return false;
	*start = s;
	return true;
}

/*
 * Lowest fit for length bytes in the holes of areas and reserved ranges
 * inside [start, last]. Only holes that hold length bytes are visited (the
 * trees' gap bounds skip the rest), each in O(log n): a hole is passed over
 * only when the alignment and page offset leave it too short. iova_rwsem
 * held.
 */
static bool fit_in_window(struct io_pagetable *iopt, uint64_t start,
			  uint64_t last, uint64_t length, uint64_t align,
			  uint64_t page_offset, uint64_t *out)
{
	uint64_t pos, hs, hl, rpos, rs, rl;

	if (!fit_in_hole(&start, last, length, align, page_offset))
		return false;
	for (pos = start;
	     !rangemap_find_gap(&iopt->areas, pos, last, length, &hs, &hl);
	     pos = hl + 1) {
		for (rpos = hs; !itree_find_gap(&iopt->reserved_itree, rpos, hl,
						length, &rs, &rl);
		     rpos = rl + 1) {
			if (fit_in_hole(&rs, rl, length, align, page_offset)) {
				*out = rs;
				return true;
			}
			if (rl == hl)
				break;
		}
		if (hl == last)
			break;
	}
	return false;
}

/*
 * Finds the lowest free IOVA for length bytes, as Linux places them: the
 * alignment keeps the low bits of the memory's address (up to the length
 * rounded to a power of two, at most 2 MiB), which lets domains use large
 * pages, and the sub-page offset of the memory. The first and the last CPU
 * page of the IOVA space are never chosen. With allowed ranges, only those
 * are searched. iova_rwsem held.
 */
static int alloc_iova(struct io_pagetable *iopt, uint64_t *out, uint64_t addr,
		      uint64_t length)
{
	uint64_t ps = iopt_page_size(), page_offset = addr % ps, align;
	struct itree_span_iter allowed;

	if (!length || length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow2(length);
	if (addr)
		align = ufd_min(align, 1ull << __builtin_ctzll(addr));
	align = ufd_min(align, IOPT_MAX_ALLOC_ALIGN);
	if (align < iopt->iova_alignment)
		return -EINVAL;

	if (itree_empty(&iopt->allowed_itree))
		return fit_in_window(iopt, ps, UINT64_MAX - ps, length, align,
				     page_offset, out)
			       ? 0
			       : -ENOSPC;
	itree_for_each_span (&allowed, &iopt->allowed_itree, ps,
			     UINT64_MAX - ps) {
		if (!allowed.is_hole &&
		    fit_in_window(iopt, allowed.start_used, allowed.last_used,
				  length, align, page_offset, out))
			return 0;
	}
	return -ENOSPC;
}

/* Removes and frees an area. Both locks held for write / read. */
static void area_destroy(struct io_pagetable *iopt, struct iopt_area *area)
{
	rangemap_remove(&iopt->areas, &area->node);
	area_unfill_domains(iopt, area);
	iopt_area_unlink(area);
	iopt_pages_put(area->pages);
	ufd_free(area);
}

/* The address whose low bits automatic IOVA placement preserves. */
static uint64_t piece_addr(const struct iopt_piece *p)
{
	if (p->pages->source != IOPT_PAGES_USER)
		return p->pages->file_start +
		       (p->pages_byte - p->pages->first_offset);
	return iopt_pages_host_addr(p->pages, p->pages_byte);
}

/**
 * iopt_map_pieces() - map pieces back to back from *iova
 * @iopt: the io_pagetable
 * @pieces: the pieces (from iopt_get_pieces(), or one piece of new pages)
 * @n: how many
 * @iova: in: the IOVA unless IOPT_ALLOC_IOVA; out: the IOVA used
 * @prot: IOPT_PROT_*
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * One area per piece, mapped into every domain. All or nothing. Each area
 * takes its own reference on its pages.
 *
 * Return: 0; -EINVAL (length not aligned, misaligned or reserved IOVA, no
 * alignment possible), -EEXIST (IOVA in use), -EOVERFLOW, -ENOSPC, -EPERM
 * (write access to read-only pages), -EFAULT / -ENOMEM (pinning).
 */
int iopt_map_pieces(struct io_pagetable *iopt, const struct iopt_piece *pieces,
		    unsigned int n, uint64_t *iova, unsigned int prot,
		    unsigned int flags)
{
	struct iopt_area **areas;
	uint64_t length = 0, at;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if ((prot & IOPT_PROT_WRITE) && !pieces[i].pages->writable)
			return -EPERM;
		if (check_add_overflow(length, pieces[i].length, &length))
			return -EOVERFLOW;
	}
	areas = ufd_calloc(n, sizeof(*areas));
	if (!areas)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		areas[i] = ufd_zalloc(sizeof(**areas));
		if (!areas[i]) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	if (!length || length & (iopt->iova_alignment - 1)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (flags & IOPT_ALLOC_IOVA)
		rc = alloc_iova(iopt, iova, piece_addr(&pieces[0]), length);
	else
		rc = check_iova(iopt, *iova, length);
	if (rc)
		goto out_unlock;

	at = *iova;
	for (i = 0; i < n; i++) {
		struct iopt_area *area = areas[i];

		/* The memory's offset must suit the domains' page size. */
		if ((pieces[i].pages_byte % iopt_page_size()) &
		    (iopt->iova_alignment - 1)) {
			rc = -EINVAL;
			goto out_unwind;
		}
		area->node.start = at;
		area->node.last = at + pieces[i].length - 1;
		area->pages = pieces[i].pages;
		area->pages_byte = pieces[i].pages_byte;
		area->prot = prot;
		rc = rangemap_reserve(&iopt->areas, 1);
		if (rc)
			goto out_unwind;
		rc = iopt_area_fill_domains(iopt, area, 0, iopt->ndomains,
					    true);
		if (rc)
			goto out_unwind;
		iopt_pages_get(area->pages);
		rangemap_insert(&iopt->areas, &area->node);
		iopt_area_link(iopt, area);
		areas[i] = NULL;
		at += pieces[i].length;
	}
	goto out_unlock;

out_unwind:
	while (i--) {
		struct rangemap_node *node =
			rangemap_iter_first(&iopt->areas, at - 1, at - 1);

		at -= pieces[i].length;
		area_destroy(iopt, to_area(node));
	}
out_unlock:
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_gate_exit();
out_free:
	for (i = 0; i < n; i++)
		ufd_free(areas[i]);
	ufd_free(areas);
	return rc;
}

/* Maps all of freshly allocated @pages (or passes on its error). */
static int map_new_pages(struct io_pagetable *iopt, struct iopt_pages *pages,
			 uint64_t *iova, uint64_t length, unsigned int prot,
			 unsigned int flags)
{
	struct iopt_piece one;
	int rc;

	if (IS_ERR(pages))
		return PTR_ERR(pages);
	one = (struct iopt_piece){ pages, pages->first_offset, length };
	rc = iopt_map_pieces(iopt, &one, 1, iova, prot, flags);
	iopt_pages_put(pages); /* the areas hold their own references */
	return rc;
}

/**
 * iopt_map_user() - map a range of the caller's memory (IOMMU_IOAS_MAP)
 * @iopt: the io_pagetable
 * @account: where pins are charged
 * @iova: in: the IOVA unless IOPT_ALLOC_IOVA; out: the IOVA used
 * @uptr: the memory
 * @length: bytes
 * @prot: IOPT_PROT_*
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * Return: 0; -EINVAL (zero length, misaligned, reserved IOVA), -EEXIST
 * (IOVA in use), -EOVERFLOW, -ENOSPC (no room), -EFAULT (memory not
 * mapped as needed, when a domain pins it), -ENOMEM.
 */
int iopt_map_user(struct io_pagetable *iopt, struct iopt_account *account,
		  uint64_t *iova, uintptr_t uptr, uint64_t length,
		  unsigned int prot, unsigned int flags)
{
	return map_new_pages(iopt,
			     iopt_pages_alloc_user(uptr, length,
						   prot & IOPT_PROT_WRITE,
						   account),
			     iova, length, prot, flags);
}

/**
 * iopt_map_file() - map a window of a memfd (IOMMU_IOAS_MAP_FILE)
 *
 * As iopt_map_user(), with the memory named by @fd and @start; see
 * iopt_pages_alloc_file() for the errors about the file.
 */
int iopt_map_file(struct io_pagetable *iopt, struct iopt_account *account,
		  uint64_t *iova, int fd, uint64_t start, uint64_t length,
		  unsigned int prot, unsigned int flags)
{
	return map_new_pages(iopt,
			     iopt_pages_alloc_file(fd, start, length,
						   prot & IOPT_PROT_WRITE,
						   account),
			     iova, length, prot, flags);
}

/**
 * iopt_map_dmabuf() - map a window of a test dma-buf (IOMMU_IOAS_MAP_FILE)
 *
 * As iopt_map_file(), for a descriptor iopt_dmabuf_match() recognised:
 * nothing is pinned or charged, and revoking the buffer takes the
 * mapping out of every domain. See iopt_pages_alloc_dmabuf() for the
 * errors about the buffer (-ENODEV: revoked).
 */
int iopt_map_dmabuf(struct io_pagetable *iopt, uint64_t *iova, int fd,
		    uint64_t start, uint64_t length, unsigned int prot,
		    unsigned int flags)
{
	return map_new_pages(iopt,
			     iopt_pages_alloc_dmabuf(fd, start, length,
						     prot & IOPT_PROT_WRITE),
			     iova, length, prot, flags);
}

static int unmap_range(struct io_pagetable *iopt, uint64_t iova, uint64_t last,
		       uint64_t *unmapped);

/* How often unmap asks accesses to unpin before giving up (as Linux). */
#define IOPT_UNMAP_TRIES 100

/**
 * iopt_unmap() - unmap every area inside [iova, iova + length)
 * @iopt: the io_pagetable
 * @iova: first IOVA
 * @length: bytes
 * @unmapped: out: bytes unmapped
 *
 * Areas are unmapped whole, lowest first; an area the range only partly
 * covers stops the walk (the ones before it stay unmapped, as in Linux).
 *
 * Areas that accesses pinned are unmapped after the accesses were told to
 * unpin (iopt_access_ops.unmap); an access that does not comply makes the
 * unmap fail with EDEADLOCK after 100 tries, as in Linux.
 *
 * Return: 0; -ENOENT if the range cuts an area or holds none (*unmapped
 * still reports what was unmapped); -EINVAL for a zero length;
 * -EOVERFLOW; -EDEADLOCK.
 */
int iopt_unmap(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
	       uint64_t *unmapped)
{
	uint64_t last;

	*unmapped = 0;
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return unmap_range(iopt, iova, last, unmapped);
}

/* Unmaps the areas inside [iova, last]; see iopt_unmap(). */
static int unmap_range(struct io_pagetable *iopt, uint64_t iova, uint64_t last,
		       uint64_t *unmapped)
{
	struct rangemap_node *node;
	unsigned int tries = 0;
	uint64_t total = 0;
	int rc = 0;

again:
	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	/*
	 * Lowest area first, as Linux does: an area the range cuts stops
	 * the walk with ENOENT, and the areas before it stay unmapped.
	 */
	while ((node = rangemap_iter_first(&iopt->areas, iova, last))) {
		struct iopt_area *area = to_area(node);

		if (node->start < iova || node->last > last) {
			rc = -ENOENT;
			break;
		}
		/* Pinned by a queue the hardware reads: not now. */
		if (atomic_load(&area->num_locks)) {
			rc = -EBUSY;
			break;
		}
		if (atomic_load(&area->num_accesses)) {
			uint64_t start = node->start,
				 len = iopt_area_length(area);

			/* Accesses must let go first; no new pins meanwhile. */
			area->prevent_access = true;
			ufd_rwlock_unlock(&iopt->iova_rwsem);
			ufd_rwlock_unlock(&iopt->domains_rwsem);
			/* Not in the gate: the access may unpin elsewhere. */
			ufd_gate_exit();
			iopt_access_notify_unmap(iopt, start, len);
			/* An access that never unpins would loop forever. */
			if (++tries > IOPT_UNMAP_TRIES) {
				ufd_err("an access does not unpin [%#llx, "
					"+%#llx)",
					(unsigned long long)start,
					(unsigned long long)len);
				*unmapped = total;
				return -EDEADLOCK;
			}
			goto again;
		}
		total += node->last - node->start + 1;
		area_destroy(iopt, area);
	}
	if (!rc && !total)
		rc = -ENOENT;
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_gate_exit();
	*unmapped = total;
	return rc;
}

/**
 * iopt_unmap_all() - unmap every area (IOVA 0, length U64_MAX)
 *
 * Return: 0, also when there was nothing to unmap; -EDEADLOCK as
 * iopt_unmap().
 */
int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped)
{
	int rc = unmap_range(iopt, 0, UINT64_MAX, unmapped);

	return rc == -ENOENT ? 0 : rc;
}

/**
 * iopt_get_pieces() - what maps [iova, iova + length) of an io_pagetable
 * @src: the io_pagetable
 * @iova: first IOVA
 * @length: bytes, not 0
 *
 * The range must be mapped without holes; it may cover parts of areas.
 * Each piece holds a reference on its pages, so the result stays valid
 * after src changes. Release with iopt_put_pieces().
 *
 * Return: the pieces, or ERR_PTR(-EINVAL / -EOVERFLOW / -ENOENT /
 * -ENOMEM).
 */
struct iopt_pieces *iopt_get_pieces(struct io_pagetable *src, uint64_t iova,
				    uint64_t length)
{
	struct iopt_pieces *set, *grown;
	struct rangemap_node *node;
	uint64_t last, next = iova;
	unsigned int cap = 4;
	bool complete = false;
	int rc = 0;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(iova, length - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	set = ufd_zalloc(sizeof(*set) + cap * sizeof(set->piece[0]));
	if (!set)
		return ERR_PTR(-ENOMEM);
	ufd_rwlock_rdlock(&src->iova_rwsem);
	rangemap_for_each (node, &src->areas, iova, last) {
		struct iopt_area *area = to_area(node);
		uint64_t s = ufd_max(node->start, iova);
		uint64_t l = ufd_min(node->last, last);

		if (s != next)
			break;
		if (set->n == cap) {
			cap *= 2;
			grown = ufd_realloc(
				set,
				sizeof(*set) + cap * sizeof(set->piece[0]));
			if (!grown) {
				rc = -ENOMEM;
				goto out_unlock;
			}
			set = grown;
		}
		set->piece[set->n].pages = area->pages;
		set->piece[set->n].pages_byte =
			area->pages_byte + (s - node->start);
		set->piece[set->n].length = l - s + 1;
		iopt_pages_get(area->pages);
		set->n++;
		if (l == last) {
			complete = true;
			break;
		}
		next = l + 1;
	}
	if (!complete && !rc)
		rc = -ENOENT;
out_unlock:
	ufd_rwlock_unlock(&src->iova_rwsem);
	if (rc) {
		iopt_put_pieces(set);
		return ERR_PTR(rc);
	}
	return set;
}

/** iopt_put_pieces() - release what iopt_get_pieces() returned */
void iopt_put_pieces(struct iopt_pieces *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		iopt_pages_put(set->piece[i].pages);
	ufd_free(set);
}

/** iopt_pin_count() - pins on the page behind @iova; 0 if unmapped */
uint32_t iopt_pin_count(struct io_pagetable *iopt, uint64_t iova)
{
	struct rangemap_node *node;
	uint32_t n = 0;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	node = rangemap_iter_first(&iopt->areas, iova, iova);
	if (node) {
		struct iopt_area *area = to_area(node);
		uint64_t byte = area->pages_byte + (iova - node->start);

		n = iopt_pages_pin_count(area->pages, byte / iopt_page_size());
	}
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return n;
}

/** iopt_area_count() - number of areas */
unsigned int iopt_area_count(struct io_pagetable *iopt)
{
	unsigned int n;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	n = (unsigned int)rangemap_count(&iopt->areas);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return n;
}

/*
 * Splits the area holding byte c so that c is its last byte. iova_rwsem
 * held for write, domains_rwsem held.
 */
static int area_split(struct io_pagetable *iopt, struct iopt_area *area,
		      uint64_t c)
{
	uint64_t align = iopt->iova_alignment, off;
	struct iopt_area *rhs;

	if (c == iopt_area_iova(area) || c == iopt_area_last(area))
		return 0;
	/* Revocation unmaps a dma-buf area whole (Linux: EOPNOTSUPP). */
	if (iopt_pages_is_dmabuf(area->pages))
		return -EOPNOTSUPP;
	off = area->pages_byte + (c + 1 - iopt_area_iova(area));
	if (((c + 1) | (off % iopt_page_size())) & (align - 1))
		return -EINVAL;
	/* A domain may hold a large page across c. */
	if (iopt->ndomains && !iopt->disable_large_pages)
		return -EINVAL;
	/* Nothing has changed yet if either allocation fails. */
	if (rangemap_reserve(&iopt->areas, 2))
		return -ENOMEM;
	rhs = ufd_zalloc(sizeof(*rhs));
	if (!rhs)
		return -ENOMEM;
	rhs->node.start = c + 1;
	rhs->node.last = iopt_area_last(area);
	rhs->pages = area->pages;
	rhs->pages_byte = off;
	rhs->prot = area->prot;
	iopt_pages_get(rhs->pages);
	rangemap_remove(&iopt->areas, &area->node);
	area->node.last = c;
	rangemap_insert(&iopt->areas, &area->node);
	rangemap_insert(&iopt->areas, &rhs->node);
	iopt_area_link(iopt, rhs);
	/*
	 * The cut is page aligned in the pages (alignment is at least the
	 * CPU page whenever domains exist here), so the two halves pin
	 * disjoint pages and the pin counts stay right.
	 */
	return 0;
}

/**
 * iopt_cut() - make area boundaries at the given IOVAs (VFIO type1)
 * @iopt: the io_pagetable
 * @cuts: IOVAs that must become the last byte of an area, if mapped
 * @n: how many
 *
 * Return: 0; -EINVAL if a cut is not aligned or would split a large page;
 * -ENOMEM.
 */
int iopt_cut(struct io_pagetable *iopt, const uint64_t *cuts, unsigned int n)
{
	unsigned int i;
	int rc = 0;

	ufd_gate_enter();
	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	ufd_rwlock_wrlock(&iopt->iova_rwsem);
	for (i = 0; i < n && !rc; i++) {
		struct rangemap_node *node =
			rangemap_iter_first(&iopt->areas, cuts[i], cuts[i]);

		if (node)
			rc = area_split(iopt, to_area(node), cuts[i]);
	}
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	ufd_gate_exit();
	return rc;
}

/**
 * iopt_pgsize_bitmap() - page sizes every attached domain can map, as
 *                        VFIO_IOMMU_GET_INFO reports them
 */
uint64_t iopt_pgsize_bitmap(struct io_pagetable *iopt)
{
	uint64_t ps = iopt_page_size(), bitmap = UINT64_MAX;
	unsigned int i;

	ufd_rwlock_rdlock(&iopt->domains_rwsem);
	for (i = 0; i < iopt->ndomains; i++)
		bitmap &= iopt->domains[i]->pgsize_bitmap;
	ufd_rwlock_unlock(&iopt->domains_rwsem);
	/* Sizes below the CPU page are reported as the CPU page. */
	if (bitmap & (ps - 1))
		bitmap = (bitmap & ~(ps - 1)) | ps;
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	bitmap = ufd_max(bitmap, iopt->iova_alignment);
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return bitmap;
}

/** iopt_range_has_area() - does any area overlap [iova, iova + length)? */
bool iopt_range_has_area(struct io_pagetable *iopt, uint64_t iova,
			 uint64_t length)
{
	uint64_t last;
	bool found;

	if (!length || check_add_overflow(iova, length - 1, &last))
		return false;
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	found = rangemap_iter_first(&iopt->areas, iova, last) != NULL;
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return found;
}

/** iopt_only_file_backed() - true if no area maps the caller's memory */
bool iopt_only_file_backed(struct io_pagetable *iopt)
{
	struct rangemap_node *node;
	bool ok = true;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	for (node = rangemap_first(&iopt->areas); node && ok;
	     node = rangemap_next(&iopt->areas, node))
		ok = to_area(node)->pages->source == IOPT_PAGES_FILE;
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return ok;
}
