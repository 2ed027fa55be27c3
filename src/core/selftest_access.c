// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_TEST_CMD ops on test accesses: CREATE_ACCESS, ACCESS_PAGES,
 * DESTROY_ACCESS_PAGES, ACCESS_RW, ACCESS_REPLACE_IOAS, and MD_CHECK_REFS.
 *
 * A test access is what the kernel selftest uses to play an emulated
 * device: an access object (access.h) on an IOAS, handed to the program as
 * a file descriptor. The descriptor is the handle: the other ops take its
 * number in cmd->id, and closing it unpins whatever the access still
 * holds and destroys it. Here the descriptor is a descriptor channel
 * (fault_fd.h) that carries no data; its release does the destroying, and
 * a lookup by number finds the channel whose program end that descriptor
 * is (a dup() works too). Anything else answers EBADFD, as the kernel
 * does.
 *
 * ACCESS_PAGES pins an IOVA range and records it as an item with an id
 * (0, 1, ... per access); DESTROY_ACCESS_PAGES unpins an item. An access
 * created with MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES is the only kind
 * that may pin. Both kinds honour the unmap contract: when the IOAS is
 * about to unmap a range, the callback unpins every item that touches it
 * and forgets it, so the unmap succeeds.
 *
 * MD_CHECK_REFS asks whether each CPU page of a range of the caller's
 * memory is pinned (refs 1) or not (refs 0); the kernel reads the page's
 * pin count. Pins here live in the iopt_pages objects behind areas, one
 * count per page per object, so the pins on an address are found by
 * walking every IOAS of the context, collecting the distinct iopt_pages of
 * the caller's memory behind their areas, and counting those with a pin on
 * the page: one per object, as the kernel counts one pin per object
 * however many domains or accesses share it. IOMMU_IOAS_MAP_FILE memory is
 * pinned in our own mapping of the file: the caller's address is matched
 * to it by file position. Pins made through other contexts are not seen.
 *
 * Locking (outermost first): op_lock, held by every op but
 * DESTROY_ACCESS_PAGES and by the release, so the access cannot go and
 * pins cannot race a replace; then the access's ioas_lock, which replace
 * and destroy hold while they call the unmap callback; lock, a leaf that
 * guards the items and that the callback takes (an IOAS unmap calls it
 * from its own thread, holding the io_pagetable's access lock).
 *
 * A pin and its item must not come apart: an unmap between the pin and
 * the recording of the item would find nothing to unpin and fail. The
 * kernel holds its item lock across the pin; here that would order lock
 * before ioas_lock, the reverse of the callback's order under replace. So
 * ACCESS_PAGES records the item first, marked pinning, pins without lock,
 * then settles it; a callback that meets a pinning item in its range
 * waits for it to settle (the pin needs neither of the locks the callback
 * may hold), then unpins it.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "base/alloc.h"
#include "base/itree.h"
#include "base/overflow.h"
#include "base/sys.h"
#include "core/access.h"
#include "core/fault_fd.h"
#include "core/ioas.h"
#include "core/page_identity.h"
#include "core/selftest.h"
#include "core/uaccess.h"
#include "iopt/pages.h"
#include "uiommufd/uapi/iommufd_test.h"

/* The kernel's cap on one ACCESS_PAGES or ACCESS_RW (ENOMEM above it). */
#define ACCESS_MAX_LEN (16ull << 20)

struct test_access_item {
	struct test_access_item *next; /* test_access.items; lock */
	uint64_t iova, last;	       /* as asked, for the unmap callback */
	uint64_t pin_iova, pin_length; /* the page-aligned span pinned */
	uint32_t id;		       /* lock; given when settled */
	bool pinning;		       /* lock: ACCESS_PAGES is pinning it */
};

struct test_access {
	_Atomic uint32_t refs;	 /* the channel's, and each op's in flight */
	struct ufd_fdchan *chan; /* used until the channel is started */
	bool needs_pin;
	struct ufd_mutex op_lock;
	struct ufd_mutex lock;
	struct ufd_cond settled; /* a pinning item settled (with lock) */
	/* Written under op_lock and lock; NULL once released. */
	struct ufd_access *access;
	struct test_access_item *items; /* lock */
	uint32_t next_id;		/* lock */
};

static uint64_t page_size(void)
{
	return iopt_page_size();
}

static void staccess_get(void *data)
{
	struct test_access *sa = data;

	atomic_fetch_add_explicit(&sa->refs, 1, memory_order_relaxed);
}

static void staccess_put(struct test_access *sa)
{
	if (atomic_fetch_sub_explicit(&sa->refs, 1, memory_order_acq_rel) != 1)
		return;
	ufd_cond_destroy(&sa->settled);
	ufd_mutex_destroy(&sa->lock);
	ufd_mutex_destroy(&sa->op_lock);
	ufd_free(sa);
}

/* The unmap callback: unpin and forget every item touching the range. */
static void staccess_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct test_access_item **pp, *item;
	struct test_access *sa = data;
	uint64_t last;

	if (!length)
		return;
	if (check_add_overflow(iova, length - 1, &last))
		last = U64_MAX;
	ufd_mutex_lock(&sa->lock);
	pp = &sa->items;
	while ((item = *pp)) {
		if (iova > item->last || last < item->iova) {
			pp = &item->next;
			continue;
		}
		if (item->pinning) {
			/* The list may change meanwhile: start over. */
			ufd_cond_wait(&sa->settled, &sa->lock);
			pp = &sa->items;
			continue;
		}
		*pp = item->next;
		ufd_access_unpin_pages(sa->access, item->pin_iova,
				       item->pin_length);
		ufd_free(item);
	}
	ufd_mutex_unlock(&sa->lock);
}

static void item_unlink_locked(struct test_access *sa,
			       struct test_access_item *item)
{
	struct test_access_item **pp;

	for (pp = &sa->items; *pp; pp = &(*pp)->next) {
		if (*pp == item) {
			*pp = item->next;
			return;
		}
	}
}

/* Takes the settled item with @id off the list; lock held. */
static struct test_access_item *item_take_locked(struct test_access *sa,
						 uint32_t id)
{
	struct test_access_item **pp, *item;

	for (pp = &sa->items; (item = *pp); pp = &item->next) {
		if (!item->pinning && item->id == id) {
			*pp = item->next;
			return item;
		}
	}
	return NULL;
}

static const struct ufd_access_ops staccess_access_ops = {
	.unmap = staccess_unmap,
};

/* MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES: page-aligned IOVAs. */
static const struct ufd_access_ops staccess_pin_access_ops = {
	.needs_pin_pages = true,
	.unmap = staccess_unmap,
};

/* Nobody reads what the program writes to an access descriptor. */
static void staccess_chan_message(void *data, const void *buf, size_t len)
{
}

/* The program closed the descriptor: unpin everything, destroy. */
static void staccess_chan_release(void *data)
{
	struct test_access *sa = data;
	struct ufd_access *access;

	ufd_mutex_lock(&sa->op_lock);
	access = sa->access;
	staccess_unmap(sa, 0, U64_MAX);
	ufd_access_destroy(access);
	ufd_mutex_lock(&sa->lock);
	sa->access = NULL;
	ufd_mutex_unlock(&sa->lock);
	ufd_mutex_unlock(&sa->op_lock);
	staccess_put(sa); /* pairs with test_create_access() */
}

static const struct ufd_fdchan_ops staccess_chan_ops = {
	.message = staccess_chan_message,
	.release = staccess_chan_release,
	.get = staccess_get,
};

static struct test_access *staccess_lookup(uint32_t fd)
{
	/* An fd number past INT_MAX is no descriptor: EBADFD. */
	return ufd_fdchan_lookup(fd > INT32_MAX ? -1 : (int)fd,
				 &staccess_chan_ops);
}

/*
 * MOCK_FLAGS_ACCESS_SYZ: the 64-bit IOVA is read as {u32 nth_area; u32
 * offset} and becomes the IOVA of the nth area of the access's IOAS plus
 * offset, or 0 if there is no such area. op_lock held.
 */
static uint64_t syz_conv_iova(struct ufd_access *access, uint64_t iova)
{
	uint32_t nth = (uint32_t)iova, offset = (uint32_t)(iova >> 32);
	struct rangemap_node *node;
	struct io_pagetable *iopt;
	uint64_t ret = 0;

	ufd_mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		goto out_unlock;
	iopt = &access->ioas->iopt;
	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	for (node = rangemap_first(&iopt->areas); node;
	     node = rangemap_next(&iopt->areas, node)) {
		if (!nth--) {
			ret = node->start + offset;
			break;
		}
	}
	ufd_rwlock_unlock(&iopt->iova_rwsem);
out_unlock:
	ufd_mutex_unlock(&access->ioas_lock);
	return ret;
}

/* Is the CPU page at @addr mapped in this process? */
static bool page_mapped(uintptr_t addr)
{
	unsigned char vec;

	return !ufd_sys6(SYS_mincore, (long)(addr & ~(page_size() - 1)),
			 (long)page_size(), (long)&vec, 0, 0, 0);
}

static int test_create_access(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint32_t flags = cmd->create_access.flags;
	struct ufd_access *access;
	struct test_access *sa;
	int fd, rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	sa = ufd_zalloc(sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	atomic_init(&sa->refs, 1); /* the channel's */
	ufd_mutex_init(&sa->op_lock);
	ufd_mutex_init(&sa->lock);
	ufd_cond_init(&sa->settled);
	sa->needs_pin = flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	rc = ufd_fdchan_open(&staccess_chan_ops, sa, true, &sa->chan, &fd);
	if (rc)
		goto out_free;
	access = ufd_access_create(ucmd->ctx,
				   sa->needs_pin ? &staccess_pin_access_ops
						 : &staccess_access_ops,
				   sa);
	if (IS_ERR(access)) {
		rc = (int)PTR_ERR(access);
		goto out_abort_chan;
	}
	sa->access = access;
	rc = ufd_access_attach(access, cmd->id);
	if (rc)
		goto out_destroy;
	cmd->create_access.out_access_fd = (uint32_t)fd;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy;
	rc = ufd_fdchan_start(sa->chan, ucmd->ctx);
	if (rc)
		goto out_destroy;
	return 0;

out_destroy:
	ufd_access_destroy(access);
out_abort_chan:
	ufd_fdchan_abort(sa->chan);
out_free:
	staccess_put(sa);
	return rc;
}

/* Are @pages the CPU pages of the caller's memory from @uptr on? */
static int check_pages(uint64_t uptr, const uintptr_t *pages, uint64_t npages)
{
	uint64_t i, va = uptr & ~(page_size() - 1);

	for (i = 0; i < npages; i++, va += page_size()) {
		if (ufd_same_page(pages[i], va))
			continue;
		return page_mapped(va) ? -EBADE : -EFAULT;
	}
	return 0;
}

static int test_access_pages(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->access_pages.iova, len = cmd->access_pages.length;
	uint32_t flags = cmd->access_pages.flags;
	uint64_t last, pin_iova, pin_length, npages;
	struct test_access_item *item;
	struct test_access *sa;
	uintptr_t *pages;
	int rc;

	if (len > ACCESS_MAX_LEN)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	sa = staccess_lookup(cmd->id);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	if (!sa->needs_pin) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	ufd_mutex_lock(&sa->op_lock);
	if (!sa->access) {
		rc = -EBADFD;
		goto out_op_unlock;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = syz_conv_iova(sa->access, iova);
	rc = range_last(iova, len, &last);
	if (rc)
		goto out_op_unlock;
	/* The pages returned are the CPU pages the range touches. */
	pin_iova = iova & ~(page_size() - 1);
	pin_length = (last | (page_size() - 1)) - pin_iova + 1;
	npages = pin_length / page_size();
	pages = ufd_calloc(npages, sizeof(*pages));
	if (!pages) {
		rc = -ENOMEM;
		goto out_op_unlock;
	}

	item = ufd_zalloc(sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto out_free_pages;
	}
	item->iova = iova;
	item->last = last;
	item->pin_iova = pin_iova;
	item->pin_length = pin_length;
	item->pinning = true;
	ufd_mutex_lock(&sa->lock);
	item->next = sa->items;
	sa->items = item;
	ufd_mutex_unlock(&sa->lock);

	rc = ufd_access_pin_pages(
		sa->access, pin_iova, pin_length, pages,
		flags & MOCK_FLAGS_ACCESS_WRITE ? UFD_ACCESS_WRITE : 0);
	/* A zero uptr skips the check (the kernel allows it for fuzzers). */
	if (!rc && cmd->access_pages.uptr) {
		rc = check_pages(cmd->access_pages.uptr - (iova - pin_iova),
				 pages, npages);
		if (rc)
			ufd_access_unpin_pages(sa->access, pin_iova,
					       pin_length);
	}

	ufd_mutex_lock(&sa->lock);
	item->pinning = false;
	ufd_cond_broadcast(&sa->settled);
	if (rc) {
		/* Still listed: nobody else takes a pinning item off. */
		item_unlink_locked(sa, item);
		ufd_mutex_unlock(&sa->lock);
		ufd_free(item);
		goto out_free_pages;
	}
	/* Ids count successful pins only, as in the kernel. */
	item->id = sa->next_id++;
	cmd->access_pages.out_access_pages_id = item->id;
	ufd_mutex_unlock(&sa->lock);
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		/* Unless an unmap dropped it meanwhile. */
		ufd_mutex_lock(&sa->lock);
		item = item_take_locked(sa,
					cmd->access_pages.out_access_pages_id);
		if (item)
			ufd_access_unpin_pages(sa->access, item->pin_iova,
					       item->pin_length);
		ufd_mutex_unlock(&sa->lock);
		ufd_free(item);
	}
out_free_pages:
	ufd_free(pages);
out_op_unlock:
	ufd_mutex_unlock(&sa->op_lock);
out_put:
	staccess_put(sa);
	return rc;
}

static int test_destroy_access_pages(struct ufd_ucmd *ucmd,
				     struct iommu_test_cmd *cmd)
{
	struct test_access_item *item;
	struct test_access *sa;
	int rc = -ENOENT;

	sa = staccess_lookup(cmd->id);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	ufd_mutex_lock(&sa->lock);
	item = item_take_locked(sa, cmd->destroy_access_pages.access_pages_id);
	if (item) {
		ufd_access_unpin_pages(sa->access, item->pin_iova,
				       item->pin_length);
		rc = 0;
	}
	ufd_mutex_unlock(&sa->lock);
	ufd_free(item);
	staccess_put(sa);
	return rc;
}

static int test_access_rw(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->access_rw.iova, len = cmd->access_rw.length;
	void *uptr = (void *)(uintptr_t)cmd->access_rw.uptr;
	uint32_t flags = cmd->access_rw.flags;
	bool write = flags & MOCK_ACCESS_RW_WRITE;
	struct test_access *sa;
	void *tmp;
	int rc;

	if (len > ACCESS_MAX_LEN)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	sa = staccess_lookup(cmd->id);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	tmp = ufd_alloc(len);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (write) {
		rc = copy_from_user(tmp, uptr, len);
		if (rc)
			goto out_free;
	}
	/* One copy path here: SLOW_PATH changes nothing that shows. */
	ufd_mutex_lock(&sa->op_lock);
	rc = -EBADFD;
	if (sa->access) {
		if (flags & MOCK_FLAGS_ACCESS_SYZ)
			iova = syz_conv_iova(sa->access, iova);
		rc = ufd_access_rw(sa->access, iova, tmp, len,
				   write ? UFD_ACCESS_WRITE : 0);
	}
	ufd_mutex_unlock(&sa->op_lock);
	if (!rc && !write)
		rc = copy_to_user(uptr, tmp, len);
out_free:
	ufd_free(tmp);
out_put:
	staccess_put(sa);
	return rc;
}

static int test_access_replace_ioas(struct ufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct test_access *sa;
	struct ufd_ioas *ioas;
	int rc = -EBADFD;

	sa = staccess_lookup(cmd->id);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	ufd_mutex_lock(&sa->op_lock);
	if (sa->access) {
		/*
		 * The kernel looks the new IOAS up before it lets go of the
		 * old one, so a bad id leaves the pins alone; the access
		 * layer leaves first, so check here.
		 */
		ioas = ufd_get_ioas(sa->access->ctx,
				    cmd->access_replace_ioas.ioas_id);
		rc = IS_ERR(ioas) ? (int)PTR_ERR(ioas) : 0;
		if (!rc) {
			ufd_put_object(sa->access->ctx, &ioas->obj);
			rc = ufd_access_replace(
				sa->access, cmd->access_replace_ioas.ioas_id);
		}
	}
	ufd_mutex_unlock(&sa->op_lock);
	staccess_put(sa);
	return rc;
}

/* The distinct iopt_pages of caller memory behind an IOAS's areas. */
struct pages_set {
	struct iopt_pages **p;
	size_t n, cap;
};

static int pages_set_add_ioas(struct pages_set *set, struct ufd_ioas *ioas)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct rangemap_node *node;
	int rc = 0;

	ufd_rwlock_rdlock(&iopt->iova_rwsem);
	for (node = rangemap_first(&iopt->areas); node && !rc;
	     node = rangemap_next(&iopt->areas, node)) {
		struct iopt_pages *pages =
			container_of(node, struct iopt_area, node)->pages;
		size_t i;

		for (i = 0; i < set->n && set->p[i] != pages; i++)
			;
		if (i < set->n)
			continue;
		if (set->n == set->cap) {
			size_t cap = set->cap ? 2 * set->cap : 8;
			void *p = ufd_realloc(set->p, cap * sizeof(*set->p));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			set->p = p;
			set->cap = cap;
		}
		iopt_pages_get(pages); /* pairs with pages_set_release() */
		set->p[set->n++] = pages;
	}
	ufd_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

static int pages_set_fill(struct pages_set *set, struct ufd_ctx *ctx)
{
	struct ufd_object *obj;
	uint32_t id = 1;
	int rc = 0;

	while (!rc) {
		enum ufd_obj_type type;
		struct ufd_ioas *ioas;

		ufd_mutex_lock(&ctx->obj_lock);
		obj = idt_next(&ctx->objects, &id);
		type = obj ? obj->type : UFD_OBJ_NONE;
		ufd_mutex_unlock(&ctx->obj_lock);
		if (!obj)
			break;
		if (type == UFD_OBJ_IOAS) {
			/*
			 * A lookup keeps it alive. One being destroyed under
			 * us (or an injected failure) makes the answer
			 * unknowable: ENOENT rather than a wrong count.
			 */
			ioas = ufd_get_ioas(ctx, id);
			if (IS_ERR(ioas))
				return (int)PTR_ERR(ioas);
			rc = pages_set_add_ioas(set, ioas);
			ufd_put_object(ctx, &ioas->obj);
		}
		if (id == U32_MAX)
			break;
		id++;
	}
	return rc;
}

static void pages_set_release(struct pages_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		iopt_pages_put(set->p[i]);
	ufd_free(set->p);
}

/*
 * The page of @pages that holds the program's @va, or npages if none. File
 * pages live in our own mapping of the file, so the program's address is
 * matched by file position (@maps, read once per check).
 */
static uint64_t page_index(struct iopt_pages *pages, uintptr_t va,
			   const char *maps)
{
	uintptr_t base = iopt_pages_host_addr(pages, 0);
	struct ufd_backing ours, theirs;

	if (va >= base && (va - base) / page_size() < pages->npages)
		return (va - base) / page_size();
	if (pages->source != IOPT_PAGES_FILE || !maps ||
	    !ufd_maps_backing(maps, base, &ours) ||
	    !ufd_maps_backing(maps, va, &theirs) ||
	    ours.inode != theirs.inode || ours.dev_major != theirs.dev_major ||
	    ours.dev_minor != theirs.dev_minor ||
	    theirs.file_offset < ours.file_offset)
		return pages->npages;
	return (theirs.file_offset - ours.file_offset) / page_size();
}

/* How many iopt_pages of @set hold a pin on the CPU page at @va. */
static uint32_t pins_on(struct pages_set *set, uintptr_t va, const char *maps)
{
	uint32_t count = 0;
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint64_t index = page_index(set->p[i], va, maps);

		if (index < set->p[i]->npages &&
		    iopt_pages_pin_count(set->p[i], index))
			count++;
	}
	return count;
}

static int test_check_refs(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t uptr = cmd->check_refs.uptr, len = cmd->check_refs.length;
	struct pages_set set = { 0 };
	char *maps = NULL;
	uint64_t end, va;
	size_t i;
	int rc;

	if (len % page_size() || uptr % page_size() ||
	    check_add_overflow(uptr, len, &end))
		return -EINVAL;
	rc = pages_set_fill(&set, ucmd->ctx);
	if (rc)
		goto out_release;
	for (i = 0; i < set.n && !maps; i++)
		if (set.p[i]->source == IOPT_PAGES_FILE)
			maps = ufd_maps_read();
	for (va = uptr; va != end; va += page_size()) {
		/* The kernel looks the page up first: unmapped is EFAULT. */
		if (!page_mapped(va)) {
			rc = -EFAULT;
			break;
		}
		if (pins_on(&set, va, maps) != cmd->check_refs.refs) {
			rc = -EIO;
			break;
		}
	}
out_release:
	ufd_free(maps);
	pages_set_release(&set);
	return rc;
}

/**
 * ufd_test_access_op() - the access ops of IOMMU_TEST_CMD and MD_CHECK_REFS
 * @ucmd: the ioctl
 * @cmd: its command
 *
 * Return: 0 or the op's errno, the kernel's for the same misuse.
 */
int ufd_test_access_op(struct ufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	switch (cmd->op) {
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return test_create_access(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return test_access_pages(ucmd, cmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return test_destroy_access_pages(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return test_access_rw(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return test_access_replace_ioas(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return test_check_refs(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
