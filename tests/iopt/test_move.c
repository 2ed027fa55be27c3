// SPDX-License-Identifier: BSD-3-Clause
/*
 * Moving pinned memory (src/iopt/move.c), driven the way the preload
 * library drives it for munmap(), madvise() and mremap(): the domains and
 * the pages follow the memory to its new host address, the data never
 * moves, the program's range changes as under Linux, the memory set aside
 * goes when its last pin goes, and a move that cannot be done changes
 * nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "iopt/io_pagetable.h"
#include "iopt/pinned.h"
#include "uiommufd/uiommufd.h"
#include "uiommufd/uapi/iommufd.h"
#include "fake_domain.h"

#define PS 4096ull
#define IOVA 0x100000ull

static uint8_t *map_anon(size_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static bool is_mapped(uintptr_t p)
{
	unsigned char vec;

	return mincore((void *)p, PS, &vec) == 0;
}

static int release_unmap(uintptr_t start, size_t len, void *arg)
{
	return munmap((void *)start, len);
}

static int release_dontneed(uintptr_t start, size_t len, void *arg)
{
	return madvise((void *)start, len, MADV_DONTNEED);
}

/* The host address the domain maps IOVA + @off to. */
static uintptr_t pa_of(struct fake_domain *f, uint64_t off)
{
	return f->pa[(IOVA + off) / f->granule];
}

static void setup_map(struct io_pagetable *iopt, struct fake_domain *f,
		      uint8_t *buf, size_t len)
{
	uint64_t iova = IOVA;

	iopt_init_table(iopt);
	assert_int_equal(iopt_add_domain(iopt, &f->dom), 0);
	assert_int_equal(iopt_map_user(iopt, iopt_account_user(), &iova,
				       (uintptr_t)buf, len,
				       IOPT_PROT_READ | IOPT_PROT_WRITE, 0),
			 0);
}

static void teardown_map(struct io_pagetable *iopt, struct fake_domain *f)
{
	uint64_t unmapped;

	assert_int_equal(iopt_unmap_all(iopt, &unmapped), 0);
	iopt_remove_domain(iopt, &f->dom);
	iopt_destroy_table(iopt);
	free(f);
}

/* munmap() of all of it: the pages move aside, the domain follows. */
static void test_unmap_moves_aside(void **state)
{
	int64_t live = ufd_alloc_live();
	struct fake_domain *f = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(8 * PS), got[8];
	uintptr_t aside;

	for (int i = 0; i < 8; i++)
		memset(buf + i * PS, 0xa0 + i, PS);
	setup_map(&iopt, f, buf, 8 * PS);
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf, 8 * PS, false,
					   release_unmap, NULL),
			 0);
	assert_false(is_mapped((uintptr_t)buf));
	assert_false(is_mapped((uintptr_t)buf + 7 * PS));
	aside = pa_of(f, 0);
	assert_true(aside != (uintptr_t)buf);
	for (int i = 0; i < 8; i++) {
		/* Still linear, and the data is where the domain points. */
		assert_int_equal(pa_of(f, i * PS), aside + i * PS);
		assert_int_equal(*(uint8_t *)(aside + i * PS), 0xa0 + i);
	}
	/* The pages followed too: a read by IOVA finds the data. */
	assert_int_equal(iopt_access_rw(&iopt, IOVA + 3 * PS - 4, got, 8, 0),
			 0);
	assert_int_equal(got[0], 0xa2);
	assert_int_equal(got[7], 0xa3);
	/* The last pin goes, and the memory set aside with it. */
	teardown_map(&iopt, f);
	assert_false(is_mapped(aside));
	assert_false(is_mapped(aside + 7 * PS));
	assert_int_equal(ufd_alloc_live(), live);
}

/*
 * An unmap that cuts the mapping: the pages are in three segments, every
 * domain (also one attached afterwards) maps each piece where it is, and
 * reads by IOVA cross the pieces.
 */
static void test_unmap_cuts(void **state)
{
	struct fake_domain *f = fake_domain_new(PS), *g = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(8 * PS), got[2 * PS];
	uintptr_t aside;

	for (int i = 0; i < 8; i++)
		memset(buf + i * PS, 0x10 + i, PS);
	setup_map(&iopt, f, buf, 8 * PS);
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf + 3 * PS, 2 * PS,
					   false, release_unmap, NULL),
			 0);
	assert_false(is_mapped((uintptr_t)buf + 3 * PS));
	assert_true(is_mapped((uintptr_t)buf + 5 * PS));
	aside = pa_of(f, 3 * PS);
	assert_int_equal(pa_of(f, 2 * PS), (uintptr_t)buf + 2 * PS);
	assert_int_equal(pa_of(f, 4 * PS), aside + PS);
	assert_int_equal(pa_of(f, 5 * PS), (uintptr_t)buf + 5 * PS);
	/* A store by the program reaches the domain's view of its pages. */
	buf[5 * PS] = 0xee;
	assert_int_equal(iopt_access_rw(&iopt, IOVA + 4 * PS, got, 2 * PS, 0),
			 0);
	assert_int_equal(got[0], 0x14);
	assert_int_equal(got[PS], 0xee);
	/* A domain attached now is filled piece by piece. */
	assert_int_equal(iopt_add_domain(&iopt, &g->dom), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pa_of(g, i * PS), pa_of(f, i * PS));
	iopt_remove_domain(&iopt, &g->dom);
	free(g);
	teardown_map(&iopt, f);
	assert_false(is_mapped(aside));
	munmap(buf, 8 * PS);
}

/*
 * Once nothing pins them, moved pages are the program's range again: a
 * new pin reaches whatever the program has mapped there now, as Linux
 * pins by address.
 */
static void test_repin_after_move(void **state)
{
	struct fake_domain *f = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(4 * PS), *again;

	setup_map(&iopt, f, buf, 4 * PS);
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf, 4 * PS, false,
					   release_unmap, NULL),
			 0);
	assert_true(pa_of(f, 0) != (uintptr_t)buf);
	/* The domain goes: nothing pins the pages. */
	iopt_remove_domain(&iopt, &f->dom);
	again = mmap(buf, 4 * PS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_ptr_equal(again, buf);
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	assert_int_equal(pa_of(f, 0), (uintptr_t)buf);
	assert_int_equal(pa_of(f, 3 * PS), (uintptr_t)buf + 3 * PS);
	teardown_map(&iopt, f);
	munmap(buf, 4 * PS);
}

/* MADV_DONTNEED: the program sees zeroes, the domain keeps the data. */
static void test_dontneed(void **state)
{
	struct fake_domain *f = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(4 * PS);

	memset(buf, 0x5c, 4 * PS);
	setup_map(&iopt, f, buf, 2 * PS);
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf, 4 * PS, true,
					   release_dontneed, NULL),
			 0);
	assert_true(is_mapped((uintptr_t)buf));
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[3 * PS], 0);
	assert_int_equal(*(uint8_t *)pa_of(f, PS), 0x5c);
	teardown_map(&iopt, f);
	munmap(buf, 4 * PS);
}

/* The program's mremap(): the domain follows the memory to its target. */
static void test_program_move(void **state)
{
	struct fake_domain *f = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(4 * PS), *dest = map_anon(8 * PS);

	memset(buf, 0x3e, 4 * PS);
	setup_map(&iopt, f, buf, 4 * PS);
	assert_int_equal(iopt_pinned_move((uintptr_t)buf, 4 * PS, 8 * PS, 0,
					  (uintptr_t)dest),
			 0);
	assert_false(is_mapped((uintptr_t)buf));
	assert_int_equal(pa_of(f, 0), (uintptr_t)dest);
	assert_int_equal(pa_of(f, 3 * PS), (uintptr_t)dest + 3 * PS);
	assert_int_equal(dest[3 * PS], 0x3e);
	/* The program's memory: it stays when the pins go. */
	teardown_map(&iopt, f);
	assert_int_equal(dest[3 * PS], 0x3e);
	dest[7 * PS] = 1;
	/* A move the kernel refuses (overlap) changes nothing. */
	f = fake_domain_new(PS);
	setup_map(&iopt, f, dest, 4 * PS);
	assert_true(iopt_pinned_move((uintptr_t)dest, 4 * PS, 4 * PS, 0,
				     (uintptr_t)dest + PS) < 0);
	assert_int_equal(pa_of(f, 0), (uintptr_t)dest);
	teardown_map(&iopt, f);
	munmap(dest, 8 * PS);
}

/*
 * A domain that fails to follow: the domains already moved are pointed
 * back, the memory stays, and on munmap() it is kept (the fallback).
 */
static void test_remap_failure(void **state)
{
	struct fake_domain *f = fake_domain_new(PS), *g = fake_domain_new(PS);
	struct io_pagetable iopt;
	uint8_t *buf = map_anon(4 * PS);

	buf[0] = 0x71;
	setup_map(&iopt, f, buf, 4 * PS);
	assert_int_equal(iopt_add_domain(&iopt, &g->dom), 0);
	/* Two domains: the second one's remap fails. */
	g->remap_fail_at = 1;
	assert_int_equal(iopt_pinned_move((uintptr_t)buf, 4 * PS, 4 * PS, 0,
					  (uintptr_t)buf + 64 * PS),
			 1);
	assert_int_equal(pa_of(f, 0), (uintptr_t)buf);
	assert_int_equal(pa_of(g, 0), (uintptr_t)buf);
	/* munmap(): kept where it is for the domains. */
	g->remap_calls = 0;
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf, 4 * PS, false,
					   release_unmap, NULL),
			 0);
	assert_true(is_mapped((uintptr_t)buf));
	assert_int_equal(buf[0], 0x71);
	assert_int_equal(pa_of(f, 0), (uintptr_t)buf);
	iopt_remove_domain(&iopt, &g->dom);
	free(g);
	teardown_map(&iopt, f);
	/* The kept pages went with the last pin. */
	assert_false(is_mapped((uintptr_t)buf));
}

struct pin_access {
	struct iopt_access acc;
};

static void access_unmap(void *data, uint64_t iova, uint64_t length)
{
}

static const struct iopt_access_ops pin_access_ops = {
	.unmap = access_unmap,
};

/* Pages an access pinned do not move: the access holds their addresses. */
static void test_access_pins_stay(void **state)
{
	struct fake_domain *f = fake_domain_new(PS);
	struct io_pagetable iopt;
	struct pin_access a = { { &pin_access_ops, NULL, PS, NULL } };
	uint8_t *buf = map_anon(4 * PS);
	uintptr_t pages[1];

	setup_map(&iopt, f, buf, 4 * PS);
	assert_int_equal(iopt_add_access(&iopt, &a.acc), 0);
	assert_int_equal(iopt_access_pin(&iopt, IOVA + PS, PS, pages, 0), 0);
	assert_int_equal(iopt_pinned_unmap((uintptr_t)buf, 4 * PS, false,
					   release_unmap, NULL),
			 0);
	assert_true(is_mapped((uintptr_t)buf + PS));
	assert_int_equal(pa_of(f, PS), (uintptr_t)buf + PS);
	assert_int_equal(pages[0], (uintptr_t)buf + PS);
	iopt_access_unpin(&iopt, IOVA + PS, PS, 0);
	iopt_remove_access(&iopt, &a.acc);
	teardown_map(&iopt, f);
	assert_false(is_mapped((uintptr_t)buf + PS));
}

/*
 * An SMMUv3 rig: @len bytes of memory aligned to 2 MiB (so the domain maps
 * blocks), each page holding its own offset, mapped at SMMU_IOVA of a
 * fresh IOAS; devices attach to it.
 */
#define SMMU_IOVA (1ull << 30)

struct smmu_rig {
	struct uiommufd_ctx *ctx;
	uint32_t ioas;
	uint8_t *raw, *buf;
	size_t len;
};

static void rig_open(struct smmu_rig *r, size_t len)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = len,
		.iova = SMMU_IOVA,
	};

	r->len = len;
	r->raw = map_anon(len + (2ul << 20));
	r->buf = (uint8_t *)(((uintptr_t)r->raw + (2ul << 20) - 1) &
			     ~((2ul << 20) - 1));
	for (uint64_t off = 0; off < len; off += PS)
		*(uint64_t *)(r->buf + off) = off;
	assert_int_equal(uiommufd_ctx_open(&r->ctx), 0);
	assert_int_equal(uiommufd_ioctl(r->ctx, IOMMU_IOAS_ALLOC, &alloc), 0);
	r->ioas = map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)r->buf;
	assert_int_equal(uiommufd_ioctl(r->ctx, IOMMU_IOAS_MAP, &map), 0);
}

static struct uiommufd_dev *rig_dev(struct smmu_rig *r, uint32_t flags)
{
	struct uiommufd_dev_cfg cfg = {
		.size = sizeof(cfg),
		.model = UIOMMUFD_MODEL_SMMUV3,
		.flags = flags,
	};
	struct uiommufd_dev *dev;

	assert_int_equal(uiommufd_dev_create(r->ctx, &cfg, &dev), 0);
	assert_int_equal(uiommufd_dev_attach(dev, r->ioas, NULL), 0);
	return dev;
}

/* Reads the offset each 512 KiB holds through @dev. */
static void rig_check(struct smmu_rig *r, struct uiommufd_dev *dev)
{
	uint64_t v;

	for (uint64_t off = 0; off < r->len; off += 512 * 1024) {
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   SMMU_IOVA + off, &v, 8),
				 0);
		assert_int_equal(v, off);
	}
}

static void rig_close(struct smmu_rig *r, struct uiommufd_dev **devs,
		      unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uiommufd_dev_detach(devs[i]);
		uiommufd_dev_destroy(devs[i]);
	}
	uiommufd_ctx_close(r->ctx);
	munmap(r->raw, r->len + (2ul << 20));
}

/*
 * Through a real IOMMU: an SMMUv3 domain mapping 2 MiB blocks, a device
 * with an ATC and one without, both with the old translations cached.
 * After the move every DMA reaches the memory at its new place (the TLB
 * and ATC entries of the old address were invalidated: one left behind
 * would read unmapped memory).
 */
static void test_smmuv3_dma_follows(void **state)
{
	struct uiommufd_dev *devs[2];
	struct smmu_rig r;
	uint64_t v = 0xfeed;

	rig_open(&r, 4ul << 20);
	devs[0] = rig_dev(&r, 0);
	devs[1] = rig_dev(&r, UIOMMUFD_DEV_ATS);
	rig_check(&r, devs[0]);
	rig_check(&r, devs[1]);

	/* All of it aside: the blocks stay blocks at the new address. */
	assert_int_equal(iopt_pinned_unmap((uintptr_t)r.buf, r.len, false,
					   release_unmap, NULL),
			 0);
	assert_false(is_mapped((uintptr_t)r.buf));
	rig_check(&r, devs[0]);
	rig_check(&r, devs[1]);
	assert_int_equal(uiommufd_dma_write(devs[1], UIOMMUFD_NO_PASID,
					    SMMU_IOVA + PS, &v, 8),
			 0);
	v = 0;
	assert_int_equal(uiommufd_dma_read(devs[0], UIOMMUFD_NO_PASID,
					   SMMU_IOVA + PS, &v, 8),
			 0);
	assert_int_equal(v, 0xfeed);
	rig_close(&r, devs, 2);
}

/*
 * The program's remap of one page inside a 2 MiB block: the block is
 * split, the page follows, the rest of the block stays.
 */
static void test_smmuv3_split(void **state)
{
	uint8_t *dest = map_anon(PS);
	struct uiommufd_dev *dev;
	struct smmu_rig r;
	uint64_t v;

	rig_open(&r, 2ul << 20);
	dev = rig_dev(&r, 0);
	rig_check(&r, dev);
	assert_int_equal(iopt_pinned_move((uintptr_t)r.buf + 5 * PS, PS, PS, 0,
					  (uintptr_t)dest),
			 0);
	dest[8] = 0x42;
	for (uint64_t off = 4 * PS; off < 7 * PS; off += PS) {
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   SMMU_IOVA + off, &v, 8),
				 0);
		assert_int_equal(v, off);
	}
	assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
					   SMMU_IOVA + 5 * PS + 8, &v, 1),
			 0);
	assert_int_equal(v & 0xff, 0x42);
	rig_check(&r, dev);
	rig_close(&r, &dev, 1);
	munmap(dest, PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmap_moves_aside),
		cmocka_unit_test(test_unmap_cuts),
		cmocka_unit_test(test_repin_after_move),
		cmocka_unit_test(test_dontneed),
		cmocka_unit_test(test_program_move),
		cmocka_unit_test(test_remap_failure),
		cmocka_unit_test(test_access_pins_stay),
		cmocka_unit_test(test_smmuv3_dma_follows),
		cmocka_unit_test(test_smmuv3_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
