// SPDX-License-Identifier: BSD-3-Clause
/*
 * Dirty tracking on the mock IOMMU, end to end through the uAPI:
 *  - IOMMU_HWPT_SET_DIRTY_TRACKING and its errno;
 *  - IOMMU_TEST_OP_DIRTY (marking pages as the hardware would) and its
 *    errno;
 *  - IOMMU_HWPT_GET_DIRTY_BITMAP: the range and page-size rules, bitmaps
 *    at any byte alignment, NO_CLEAR, page sizes above, below and beside
 *    the IOMMU page, holes, and the kernel's quiet cases (NULL data,
 *    length 0);
 *  - DMA writes by a mock device marking what they touch, reads not;
 *  - huge-page tables reporting the whole 1 MiB leaf;
 *  - pattern runs over many buffer sizes and bitmap placements, and a
 *    seeded random run against a model of the dirty state.
 * Every test ends with the allocation count it started with.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "mock_test.h"

/* Where buffers are mapped in every test. */
#define IOVA ((uint64_t)MOCK_APERTURE_START)

/* One context with a mapped buffer and a dirty-tracking HWPT on it. */
struct fix {
	int64_t live;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct mock_dev first; /* created the auto domain on ioas */
	struct mock_dev dev;   /* attached to hwpt: its DMA is tracked */
	uint32_t hwpt;	       /* DIRTY_TRACKING, tracking on */
	uint8_t *buf;
	uint64_t size;
	uint64_t leaf; /* the size of hwpt's leaves over buf */
};

/*
 * @cpu_pages: map only CPU-page IOPTEs (IOMMU_OPTION_HUGE_PAGES = 0), as
 * the kernel's tests do for 2 KiB tables; it must precede the mappings.
 */
static void fix_open_opt(struct fix *f, uint64_t size, bool huge,
			 bool cpu_pages)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = 0,
	};

	memset(f, 0, sizeof(*f));
	f->live = ufd_alloc_live();
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	if (cpu_pages) {
		opt.object_id = f->ioas;
		assert_int_equal(test_ioctl(f->ctx, IOMMU_OPTION, &opt), 0);
	}
	f->size = size;
	f->leaf = huge ? HPS : MPS;
	f->buf = t_alloc(MiB, size);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &f->first), 0);
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, size, IOVA), 0);
	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->first.idev, f->ioas,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 huge ? MOCK_IOMMUPT_HUGE
					      : MOCK_IOMMUPT_DEFAULT,
					 &f->hwpt),
			 0);
	assert_int_equal(t_mock_dev(f->ctx, f->hwpt, 0, &f->dev), 0);
	assert_int_equal(t_set_tracking(f->ctx, f->hwpt, true), 0);
	if (huge)
		assert_int_equal(t_leaf_lg2(f->ctx, f->hwpt, IOVA), 20);
}

static void fix_open(struct fix *f, uint64_t size, bool huge)
{
	fix_open_opt(f, size, huge, false);
}

static void fix_close(struct fix *f)
{
	ufd_ctx_put(f->ctx);
	free(f->buf);
	assert_int_equal(ufd_alloc_live(), f->live);
}

static long dma(struct fix *f, uint64_t iova, void *data, size_t len,
		bool write)
{
	return ufd_dev_dma(t_dev(f->ctx, f->dev.stdev), iova, data, len, write);
}

/* Marks the units of @page_size whose numbers are listed. */
static void mark(struct fix *f, uint64_t page_size, const uint64_t *units,
		 size_t n)
{
	uint64_t nbits = f->size / page_size, nr;
	uint8_t *bm = calloc(1, nbits / 8 + 1);
	size_t i;

	for (i = 0; i < n; i++)
		t_set_bit(bm, units[i]);
	assert_int_equal(t_mark_dirty(f->ctx, f->hwpt, IOVA, f->size, page_size,
				      bm, &nr),
			 0);
	assert_int_equal(nr, n);
	free(bm);
}

/*
 * Reads the whole buffer's bitmap at @page_size and checks that exactly
 * the listed bits are set.
 */
static void expect(struct fix *f, uint64_t page_size, uint32_t flags,
		   const uint64_t *bits, size_t n)
{
	uint64_t nbits = f->size / page_size, i;
	uint8_t *bm = calloc(1, nbits / 8 + 1);
	size_t j, set = 0;

	assert_int_equal(t_get_bitmap(f->ctx, f->hwpt, IOVA, f->size, page_size,
				      bm, flags),
			 0);
	for (j = 0; j < n; j++)
		assert_true(t_bit(bm, bits[j]));
	for (i = 0; i < nbits; i++)
		set += t_bit(bm, i);
	assert_int_equal(set, n);
	free(bm);
}

static void expect_clean(struct fix *f)
{
	expect(f, MPS, 0, NULL, 0);
}

static void test_set_tracking(void **state)
{
	struct fix f;
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};

	fix_open(&f, 64 * KiB, false);
	/* On when on, off when off: no change, no error. */
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, true), 0);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, false), 0);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, false), 0);
	/* A HWPT made without DIRTY_TRACKING (the auto domain). */
	assert_int_equal(t_set_tracking(f.ctx, f.first.hwpt, true),
			 -EOPNOTSUPP);
	assert_int_equal(t_set_tracking(f.ctx, f.first.hwpt, false),
			 -EOPNOTSUPP);
	/* Not a paging HWPT, or nothing at all. */
	assert_int_equal(t_set_tracking(f.ctx, f.ioas, true), -ENOENT);
	assert_int_equal(t_set_tracking(f.ctx, f.dev.stdev, true), -ENOENT);
	assert_int_equal(t_set_tracking(f.ctx, 999, true), -ENOENT);
	/* Unknown flags; __reserved is not checked by Linux. */
	cmd.hwpt_id = f.hwpt;
	cmd.flags = 2;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd),
			 -EOPNOTSUPP);
	cmd.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	cmd.__reserved = 7;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd),
			 0);
	fix_close(&f);
}

static void test_mark_errors(void **state)
{
	uint64_t bm[4] = { 1 }, nr = 77;
	struct fix f;

	fix_open(&f, 64 * KiB, false);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, MPS, 0, bm, NULL),
			 -EINVAL);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, 0, MPS, bm, NULL),
			 -EINVAL);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA + 1, MPS, MPS, bm,
				      NULL),
			 -EINVAL);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, MPS + 1, MPS, bm,
				      NULL),
			 -EINVAL);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, MPS, MPS, NULL,
				      NULL),
			 -EINVAL);
	/* More than 16 MiB of bitmap. */
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, 0, (1ull << 27) * 2 + 2, 1,
				      bm, NULL),
			 -EOVERFLOW);
	/* Not a paging HWPT; a HWPT without tracking on. */
	assert_int_equal(t_mark_dirty(f.ctx, f.ioas, IOVA, MPS, MPS, bm, NULL),
			 -ENOENT);
	assert_int_equal(t_mark_dirty(f.ctx, f.first.hwpt, IOVA, MPS, MPS, bm,
				      NULL),
			 -EINVAL);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, false), 0);
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, MPS, MPS, bm, NULL),
			 -EINVAL);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, true), 0);
	/* A bitmap the caller cannot have. */
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA, MPS, MPS, (void *)8,
				      NULL),
			 -EFAULT);
	expect_clean(&f);
	/* Bits past length / page_size are not looked at. */
	bm[0] = 0xf0;
	assert_int_equal(
		t_mark_dirty(f.ctx, f.hwpt, IOVA, 4 * MPS, MPS, bm, &nr), 0);
	assert_int_equal(nr, 0);
	expect_clean(&f);
	/* Bits over unmapped IOVA count but mark nothing. */
	bm[0] = 0x3;
	assert_int_equal(t_mark_dirty(f.ctx, f.hwpt, IOVA + f.size - MPS,
				      2 * MPS, MPS, bm, &nr),
			 0);
	assert_int_equal(nr, 2);
	expect(&f, MPS, 0, (uint64_t[]){ f.size / MPS - 1 }, 1);
	fix_close(&f);
}

static void test_bitmap_errors(void **state)
{
	uint64_t bm[64] = { 0 };
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.iova = IOVA,
		.length = 64 * KiB,
		.page_size = MPS,
		.data = (uintptr_t)bm,
	};
	struct fix f;

	fix_open(&f, 64 * KiB, false);
	cmd.hwpt_id = f.hwpt;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd),
			 0);
	cmd.flags = 2;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd),
			 -EOPNOTSUPP);
	cmd.flags = 0;
	cmd.__reserved = 1;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd),
			 -EOPNOTSUPP);
	cmd.__reserved = 0;
	cmd.hwpt_id = f.ioas;
	assert_int_equal(test_ioctl(f.ctx, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd),
			 -ENOENT);
	cmd.hwpt_id = f.hwpt;

	/* iova + length wraps. */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, U64_MAX - MPS + 1, 2 * MPS,
				      MPS, bm, 0),
			 -EOVERFLOW);
	/* length 0 wraps too, unless iova is 0. */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, 0, MPS, bm, 0),
			 -EOVERFLOW);
	/* Not aligned to the IOAS's alignment (2 KiB here). */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + 1024, 2 * MPS, 1024,
				      bm, 0),
			 -EINVAL);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, MPS + 1024, 1024, bm,
				      0),
			 -EINVAL);
	/* page_size 0, or iova / end not on a page_size boundary. */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, 2 * MPS, 0, bm, 0),
			 -EINVAL);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + MPS, 4 * MPS,
				      4 * MPS, bm, 0),
			 -EINVAL);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, 3 * MPS, 2 * MPS, bm,
				      0),
			 -EINVAL);
	/* The range is checked before the HWPT's ability. */
	assert_int_equal(t_get_bitmap(f.ctx, f.first.hwpt, IOVA, 2 * MPS, 0, bm,
				      0),
			 -EINVAL);
	assert_int_equal(t_get_bitmap(f.ctx, f.first.hwpt, IOVA, 2 * MPS, MPS,
				      bm, 0),
			 -EOPNOTSUPP);
	fix_close(&f);
}

/* The kernel's quiet cases: they succeed and report what they can. */
static void test_bitmap_quiet_cases(void **state)
{
	uint64_t bm[64] = { 0 };
	struct fix f;

	fix_open(&f, 64 * KiB, false);
	mark(&f, MPS, (uint64_t[]){ 1, 5 }, 2);
	/* length 0 at iova 0 wraps to everything; nothing is mapped at 0. */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, 0, 0, MPS, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	/* A range starting in a hole reports nothing and clears nothing. */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA - 64 * KiB, 128 * KiB,
				      MPS, bm, 0),
			 0);
	assert_int_equal(bm[0] | bm[1], 0);
	/* A NULL bitmap: success, the marks are consumed (Linux 7.3). */
	assert_int_equal(
		t_get_bitmap(f.ctx, f.hwpt, IOVA, f.size, MPS, NULL, 0), 0);
	expect_clean(&f);
	/* Also when the bitmap would land in the first page of memory. */
	mark(&f, MPS, (uint64_t[]){ 2 }, 1);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, f.size, MPS,
				      (void *)64, 0),
			 0);
	expect_clean(&f);
	fix_close(&f);
}

/*
 * How bits stand for IOVA: page_size above, below and beside the IOMMU
 * page; bits already set by the caller stay set; nothing outside the
 * bitmap is written.
 */
static void test_bitmap_granules(void **state)
{
	uint8_t raw[64];
	uint8_t *bm = raw + 8;
	struct fix f;
	size_t i;

	fix_open(&f, 64 * KiB, false);
	/* 8 KiB per bit: pages 4 and 5 share bit 1; page 31 is bit 7. */
	mark(&f, MPS, (uint64_t[]){ 4, 5, 31 }, 3);
	expect(&f, 4 * MPS, 0, (uint64_t[]){ 1, 7 }, 2);
	expect_clean(&f);
	/* 1 KiB per bit: a 2 KiB page is two bits. */
	mark(&f, MPS, (uint64_t[]){ 6 }, 1);
	expect(&f, 1024, 0, (uint64_t[]){ 12, 13 }, 2);
	/*
	 * 6 KiB is not a power of two: its lowest set bit (2 KiB) sizes the
	 * bits, and alignment is checked against 6 KiB - 1 as a mask.
	 */
	mark(&f, MPS, (uint64_t[]){ 9 }, 1);
	expect(&f, 3 * MPS, 0, (uint64_t[]){ 9 }, 1);

	/* The caller's own bits survive; bytes around the bitmap too. */
	mark(&f, MPS, (uint64_t[]){ 0, 17 }, 2);
	memset(raw, 0, sizeof(raw));
	bm[1] = 0x80; /* bit 15 */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, f.size, MPS, bm, 0),
			 0);
	assert_true(t_bit(bm, 0) && t_bit(bm, 15) && t_bit(bm, 17));
	for (i = 0; i < sizeof(raw); i++) {
		if (i < 8 || i >= 8 + f.size / MPS / 8)
			assert_int_equal(raw[i], 0);
	}
	/* A window inside the buffer: bit 0 is the window's first page. */
	mark(&f, MPS, (uint64_t[]){ 20, 23 }, 2);
	memset(raw, 0, sizeof(raw));
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + 20 * MPS, 2 * MPS,
				      MPS, raw, 0),
			 0);
	assert_int_equal(raw[0], 0x1);
	/* Page 23 was outside the window: still there. */
	expect(&f, MPS, 0, (uint64_t[]){ 23 }, 1);
	fix_close(&f);
}

/* DMA writes mark what they touch while tracking is on; reads never. */
static void test_dma_marks(void **state)
{
	char data[3000], out[16];
	struct fix f;

	memset(data, 0x5a, sizeof(data));
	fix_open(&f, 64 * KiB, false);
	/* Reads do not dirty. */
	assert_int_equal(dma(&f, IOVA + 10 * MPS, out, sizeof(out), false), 0);
	expect_clean(&f);

	assert_int_equal(dma(&f, IOVA + 5, data, 1, true), 0);
	/* 6244..9243: the end of page 3 and the start of page 4. */
	assert_int_equal(
		dma(&f, IOVA + 3 * MPS + 100, data, sizeof(data), true), 0);
	/* Runs off the end: the mapped part is written and marked. */
	assert_int_equal(dma(&f, IOVA + f.size - 100, data, 200, true),
			 -EFAULT);
	assert_int_equal(f.buf[5], 0x5a);
	assert_int_equal(f.buf[3 * MPS + 100 + sizeof(data) - 1], 0x5a);
	assert_int_equal(f.buf[f.size - 1], 0x5a);
	/* NO_CLEAR reports and keeps; the next read reports and clears. */
	expect(&f, MPS, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
	       (uint64_t[]){ 0, 3, 4, 31 }, 4);
	expect(&f, MPS, 0, (uint64_t[]){ 0, 3, 4, 31 }, 4);
	expect_clean(&f);

	/* Tracking off: writes go through unmarked. */
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, false), 0);
	assert_int_equal(dma(&f, IOVA + 7 * MPS, data, 8, true), 0);
	expect_clean(&f);
	/* Turning it on starts from a clean table. */
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, true), 0);
	assert_int_equal(dma(&f, IOVA + 7 * MPS, data, 8, true), 0);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, false), 0);
	expect(&f, MPS, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, (uint64_t[]){ 7 },
	       1);
	assert_int_equal(t_set_tracking(f.ctx, f.hwpt, true), 0);
	expect_clean(&f);

	/* The auto domain's device is not tracked, whatever it writes. */
	assert_int_equal(ufd_dev_dma(t_dev(f.ctx, f.first.stdev), IOVA + MPS,
				     data, 8, true),
			 0);
	expect_clean(&f);
	/* Moved onto the tracked HWPT, it is. */
	assert_int_equal(t_replace(f.ctx, f.first.stdev, f.hwpt), 0);
	assert_int_equal(ufd_dev_dma(t_dev(f.ctx, f.first.stdev), IOVA + MPS,
				     data, 8, true),
			 0);
	expect(&f, MPS, 0, (uint64_t[]){ 1 }, 1);
	fix_close(&f);
}

/* Unmapping drops dirty state; the new mapping starts clean. */
static void test_unmap_and_holes(void **state)
{
	uint64_t bm[4] = { 0 };
	struct fix f;

	fix_open(&f, 64 * KiB, false);
	mark(&f, MPS, (uint64_t[]){ 2, 12, 20 }, 3);
	/* Cut a hole at pages 8..15 and map it again: page 12 is gone. */
	assert_int_equal(t_unmap(f.ctx, f.ioas, IOVA, f.size), 0);
	assert_int_equal(t_map(f.ctx, f.ioas, f.buf, 8 * MPS, IOVA), 0);
	assert_int_equal(t_map(f.ctx, f.ioas, f.buf + 16 * MPS, 16 * MPS,
			       IOVA + 16 * MPS),
			 0);
	expect_clean(&f);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + 16 * MPS, 16 * MPS,
				      MPS, bm, 0),
			 0);
	assert_int_equal(bm[0], 0);
	mark(&f, MPS, (uint64_t[]){ 2, 20 }, 2);
	/*
	 * Over the hole: the areas before it are reported, and like Linux
	 * the walk ends quietly at the hole.
	 */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, f.size, MPS, bm, 0),
			 0);
	assert_int_equal(bm[0], 1ull << 2);
	/* The area after the hole, asked about alone. */
	bm[0] = 0;
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + 16 * MPS, 16 * MPS,
				      MPS, bm, 0),
			 0);
	assert_int_equal(bm[0], 1ull << 4);
	fix_close(&f);
}

/* Huge leaves are reported whole, and cleared whole. */
static void test_huge_dma(void **state)
{
	uint8_t *bm = calloc(1, 4 * MiB / MPS / 8);
	struct fix f;
	uint64_t i;

	fix_open(&f, 4 * MiB, true);
	assert_int_equal(dma(&f, IOVA + MiB + 7, "x", 1, true), 0);
	/* 512 bits of 2 KiB for the leaf [1 MiB, 2 MiB). */
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, f.size, MPS, bm,
				      IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			 0);
	for (i = 0; i < f.size / MPS; i++)
		assert_int_equal(t_bit(bm, i), i >= 512 && i < 1024);
	/* One bit of 1 MiB. */
	expect(&f, HPS, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, (uint64_t[]){ 1 },
	       1);
	/* A window on part of the leaf: all of the window is dirty... */
	memset(bm, 0, 16);
	assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA + MiB + 64 * KiB,
				      64 * KiB, MPS, bm, 0),
			 0);
	for (i = 0; i < 32; i++)
		assert_true(t_bit(bm, i));
	assert_false(t_bit(bm, 32));
	/* ...and the whole leaf was cleaned. */
	expect_clean(&f);
	/* The test op marks the leaf of the unit's start. */
	mark(&f, MPS, (uint64_t[]){ 3 * 512 + 100 }, 1);
	expect(&f, HPS, 0, (uint64_t[]){ 3 }, 1);
	free(bm);
	fix_close(&f);
}

/*
 * Harvests racing DMA writes lose nothing: a writer thread writes pages
 * and remembers which; the main thread harvests over and over and ORs
 * what it reads into an accumulator; after the writer stops, one last
 * harvest. Every page written must have been reported at least once, and
 * nothing else.
 */
struct racer {
	struct ufd_dev *dev;
	uint64_t npages;
	struct t_rng rng;
	uint8_t *written;    /* one byte per 2 KiB page */
	_Atomic bool stop;   /* set by the harvester */
	_Atomic long writes; /* done so far */
	_Atomic int failed;  /* a DMA failed (cmocka asserts main-only) */
};

static void *race_writer(void *arg)
{
	struct racer *r = arg;
	uint32_t v = 0xfeedf00d;
	uint64_t page, off;

	while (!atomic_load(&r->stop)) {
		page = t_rng_below(&r->rng, r->npages);
		off = t_rng_below(&r->rng, MPS - sizeof(v));
		r->written[page] = 1;
		if (ufd_dev_dma(r->dev, IOVA + page * MPS + off, &v, sizeof(v),
				true))
			atomic_store(&r->failed, 1);
		atomic_fetch_add(&r->writes, 1);
	}
	return NULL;
}

/* One harvest of the whole buffer, ORed into @seen. */
static void harvest_into(struct fix *f, uint8_t *bm, uint8_t *seen,
			 uint64_t npages)
{
	uint64_t i;

	memset(bm, 0, npages / 8);
	assert_int_equal(
		t_get_bitmap(f->ctx, f->hwpt, IOVA, f->size, MPS, bm, 0), 0);
	for (i = 0; i < npages / 8; i++)
		seen[i] |= bm[i];
}

static void test_race_harvest(void **state)
{
	struct fix f;
	struct racer r = { 0 };
	pthread_t th;
	uint64_t i, harvests;
	uint8_t *bm, *seen;

	fix_open(&f, 256 * KiB, false);
	r.npages = f.size / MPS;
	r.dev = t_dev(f.ctx, f.dev.stdev);
	r.written = calloc(1, r.npages);
	t_rng_init(&r.rng, "race_harvest", 0x4ace);
	bm = calloc(1, r.npages / 8);
	seen = calloc(1, r.npages / 8);
	assert_int_equal(pthread_create(&th, NULL, race_writer, &r), 0);
	/* Harvest while the writer runs (bounded however it is scheduled). */
	for (harvests = 1; harvests < 200000; harvests++) {
		harvest_into(&f, bm, seen, r.npages);
		if (harvests >= 2000 && atomic_load(&r.writes) >= 2000)
			break;
	}
	atomic_store(&r.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	/* What the writer did last is in the final harvest. */
	harvest_into(&f, bm, seen, r.npages);
	printf("# %" PRIu64 " harvests, %ld writes\n", harvests,
	       (long)atomic_load(&r.writes));
	assert_int_equal(atomic_load(&r.failed), 0);
	for (i = 0; i < r.npages; i++)
		assert_int_equal(t_bit(seen, i), r.written[i]);
	free(r.written);
	free(seen);
	free(bm);
	fix_close(&f);
}

/*
 * The fail-nth sweep over the dirty-tracking flow: with the 1st, 2nd, ...
 * fail point failing, each step either works or fails with ENOMEM (or
 * ENOENT, where a lookup's fail point fired); later steps are skipped when
 * what they need is missing; a bitmap read after a mark that worked is
 * right; closing the context gives everything back.
 */
static bool step_ok(long rc)
{
	assert_true(rc == 0 || rc == -ENOMEM || rc == -ENOENT);
	return rc == 0;
}

static void dirty_sequence(struct ufd_ctx *ctx, uint8_t *buf)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct mock_dev d, d2;
	uint64_t marks = 0x9, got = 0, nr;
	uint32_t hwpt;
	bool marked;
	long rc;

	if (!step_ok(test_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc)))
		return;
	if (!step_ok(t_mock_dev(ctx, alloc.out_ioas_id, 0, &d)))
		return;
	info.dev_id = d.idev;
	step_ok(test_ioctl(ctx, IOMMU_GET_HW_INFO, &info));
	/* Pinning's own fail point reads as memory that is not there. */
	rc = t_map(ctx, alloc.out_ioas_id, buf, 2 * MiB, IOVA);
	if (rc == -EFAULT || !step_ok(rc))
		return;
	/* A failed lookup of pt_id reads as EINVAL, as Linux answers it. */
	rc = t_hwpt_alloc_pt(ctx, d.idev, alloc.out_ioas_id,
			     IOMMU_HWPT_ALLOC_DIRTY_TRACKING, MOCK_IOMMUPT_HUGE,
			     &hwpt);
	if (rc == -EINVAL || !step_ok(rc))
		return;
	step_ok(t_mock_dev(ctx, hwpt, 0, &d2));
	if (!step_ok(t_set_tracking(ctx, hwpt, true)))
		return;
	marked = step_ok(
		t_mark_dirty(ctx, hwpt, IOVA, 2 * MiB, HPS / 2, &marks, &nr));
	if (step_ok(t_get_bitmap(ctx, hwpt, IOVA, 2 * MiB, HPS / 2, &got, 0)))
		assert_int_equal(got, marked ? 0xf : 0);
}

static void test_fail_nth(void **state)
{
	int64_t live = ufd_alloc_live();
	uint8_t *buf = t_alloc(MiB, 2 * MiB);
	unsigned int n;

	for (n = 1; n < 2000; n++) {
		struct ufd_ctx *ctx;
		bool fired;

		ufd_fail_nth_set(n);
		ctx = ufd_ctx_create();
		if (IS_ERR(ctx)) {
			assert_int_equal(PTR_ERR(ctx), -ENOMEM);
			continue;
		}
		dirty_sequence(ctx, buf);
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		ufd_ctx_put(ctx);
		assert_int_equal(ufd_alloc_live(), live);
		if (!fired)
			break;
	}
	printf("# swept %u fail points\n", n - 1);
	assert_true(n > 10 && n < 2000);
	free(buf);
}

/*
 * The pattern runs: mark every other leaf through the test op, read the
 * bitmap back at 2 KiB per bit (each marked leaf reads as all its bits),
 * read again (empty, or the same with NO_CLEAR), over buffers whose
 * bitmaps are part of a byte, one byte, words, and more than a page, with
 * the bitmap aligned, on an odd 2 KiB offset and on an odd byte.
 */
struct variant {
	uint64_t size;
	bool huge;
	size_t offset;
	uint32_t flags;
};

static void test_pattern(void **state)
{
	const struct variant *v = *state;
	uint64_t nbits = v->size / MPS, per, group, i, nr, want = 0;
	size_t bytes = (nbits + 7) / 8, slack = 4096 + 64;
	uint8_t *raw = t_alloc(4096, bytes + 2 * slack), *bm = raw + v->offset;
	struct fix f;
	int pass;

	fix_open_opt(&f, v->size, v->huge, !v->huge);
	per = f.leaf / MPS;
	group = 2 * per;
	for (i = 0; i < nbits; i += group) {
		t_set_bit(bm, i);
		want++;
	}
	assert_int_equal(
		t_mark_dirty(f.ctx, f.hwpt, IOVA, v->size, MPS, bm, &nr), 0);
	assert_int_equal(nr, want);
	for (pass = 0; pass < 2; pass++) {
		bool expect_set =
			!pass ||
			(v->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);

		memset(raw, 0, bytes + 2 * slack);
		assert_int_equal(t_get_bitmap(f.ctx, f.hwpt, IOVA, v->size, MPS,
					      bm, v->flags),
				 0);
		for (i = 0; i < nbits; i++)
			assert_int_equal(t_bit(bm, i),
					 expect_set && i % group < per);
		/* Nothing before or after the bitmap was touched. */
		for (i = 0; i < v->offset; i++)
			assert_int_equal(raw[i], 0);
		for (i = nbits; i < (bytes + slack) * 8; i++)
			assert_false(t_bit(bm, i));
	}
	free(raw);
	fix_close(&f);
}

#define SIZES(X, huge)                                                         \
	X(8 * KiB, huge), X(16 * KiB, huge), X(64 * KiB, huge),                \
		X(128 * KiB, huge), X(320 * KiB, huge), X(4 * MiB, huge)
#define HUGE_SIZES(X) X(2 * MiB, true), X(4 * MiB, true)

#define V(sz, hg, off, fl)                                                     \
	{                                                                      \
		.size = sz, .huge = hg, .offset = off, .flags = fl             \
	}
#define V_ALL(sz, hg)                                                          \
	V(sz, hg, 0, 0), V(sz, hg, MPS, 0), V(sz, hg, 0xff1, 0),               \
		V(sz, hg, 0, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),            \
		V(sz, hg, MPS, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),          \
		V(sz, hg, 0xff1, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)

static const struct variant variants[] = { SIZES(V_ALL, false),
					   HUGE_SIZES(V_ALL) };

/*
 * The random run: DMA writes and reads, test-op marks, tracking switched
 * off and on, and harvests of random windows at random page sizes into
 * bitmaps at random byte offsets, checked against a model that keeps one
 * dirty flag per leaf (a harvest clears every leaf it touches, whole).
 */
static void random_run(uint64_t size, bool huge, uint64_t seed,
		       const char *name)
{
	static const uint64_t page_sizes[] = { 1024, 2048, 4096, 8192, 65536 };
	struct t_rng rng;
	struct fix f;
	uint64_t nleaves, align, iter;
	bool *dirty, tracking = true;
	uint8_t *raw;
	char data[256];

	t_rng_init(&rng, name, seed);
	fix_open(&f, size, huge);
	align = huge ? 4096 : MPS; /* the IOAS's alignment */
	nleaves = size / f.leaf;
	dirty = calloc(nleaves, sizeof(*dirty));
	raw = t_alloc(64, size / 1024 / 8 + 64);
	memset(data, 0xc3, sizeof(data));
	for (iter = 0; iter < 3000; iter++) {
		uint64_t op = t_rng_below(&rng, 100), off, len, i;

		if (op < 40) {
			/* A DMA write or read of up to 256 bytes. */
			bool write = op < 30;

			len = 1 + t_rng_below(&rng, sizeof(data));
			off = t_rng_below(&rng, size - len + 1);
			assert_int_equal(dma(&f, IOVA + off, data, len, write),
					 0);
			if (write && tracking)
				for (i = off / f.leaf;
				     i <= (off + len - 1) / f.leaf; i++)
					dirty[i] = true;
		} else if (op < 55) {
			/* Mark one 2 KiB unit through the test op. */
			uint64_t unit = t_rng_below(&rng, size / MPS), nr;

			memset(raw, 0, 64);
			t_set_bit(raw, unit % 8);
			if (!tracking) {
				assert_int_equal(
					t_mark_dirty(f.ctx, f.hwpt,
						     IOVA + unit / 8 * 8 * MPS,
						     8 * MPS, MPS, raw, &nr),
					-EINVAL);
				continue;
			}
			assert_int_equal(t_mark_dirty(f.ctx, f.hwpt,
						      IOVA + unit / 8 * 8 * MPS,
						      8 * MPS, MPS, raw, &nr),
					 0);
			assert_int_equal(nr, 1);
			dirty[unit * MPS / f.leaf] = true;
		} else if (op < 60) {
			/* Switch tracking; turning it on cleans. */
			tracking = !tracking;
			assert_int_equal(
				t_set_tracking(f.ctx, f.hwpt, tracking), 0);
			if (tracking)
				memset(dirty, 0, nleaves * sizeof(*dirty));
		} else {
			/* Harvest a random window. */
			uint64_t ps = page_sizes[t_rng_below(&rng, 5)];
			uint64_t unit = ufd_max(ps, align), first, n, nbits;
			uint64_t lo, hi, l;
			size_t boff = t_rng_below(&rng, 9);
			uint8_t *bm = raw + boff;
			uint32_t flags =
				t_rng_below(&rng, 4)
					? 0
					: IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;

			if (unit > size)
				continue;
			first = t_rng_below(&rng, size / unit);
			n = 1 + t_rng_below(&rng, size / unit - first);
			nbits = n * unit / ps;
			memset(raw, 0, nbits / 8 + 16);
			assert_int_equal(t_get_bitmap(f.ctx, f.hwpt,
						      IOVA + first * unit,
						      n * unit, ps, bm, flags),
					 0);
			for (i = 0; i < nbits; i++) {
				bool want = false;

				lo = first * unit + i * ps;
				hi = lo + ps - 1;
				for (l = lo / f.leaf; l <= hi / f.leaf; l++)
					want |= dirty[l];
				assert_int_equal(t_bit(bm, i), want);
			}
			for (i = 0; i < boff; i++)
				assert_int_equal(raw[i], 0);
			assert_false(t_bit(bm, nbits));
			if (!flags) {
				lo = first * unit / f.leaf;
				hi = (first * unit + n * unit - 1) / f.leaf;
				for (l = lo; l <= hi; l++)
					dirty[l] = false;
			}
		}
	}
	free(raw);
	free(dirty);
	fix_close(&f);
}

static void test_random_default(void **state)
{
	random_run(512 * KiB, false, 0x5eed0d1f7, "random_default");
}

static void test_random_huge(void **state)
{
	random_run(4 * MiB, true, 0x5eedb16, "random_huge");
}

int main(void)
{
	struct CMUnitTest tests[16 + ARRAY_SIZE(variants)];
	char names[ARRAY_SIZE(variants)][64];
	size_t n = 0, i;

#define ADD(fn) tests[n++] = (struct CMUnitTest)cmocka_unit_test(fn)
	ADD(test_set_tracking);
	ADD(test_mark_errors);
	ADD(test_bitmap_errors);
	ADD(test_bitmap_quiet_cases);
	ADD(test_bitmap_granules);
	ADD(test_dma_marks);
	ADD(test_unmap_and_holes);
	ADD(test_huge_dma);
	ADD(test_race_harvest);
	ADD(test_fail_nth);
	ADD(test_random_default);
	ADD(test_random_huge);
#undef ADD
	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		const struct variant *v = &variants[i];

		snprintf(names[i], sizeof(names[i]),
			 "pattern_%" PRIu64 "k%s_off%zu%s",
			 (uint64_t)(v->size / KiB), v->huge ? "_huge" : "",
			 v->offset, v->flags ? "_noclear" : "");
		tests[n++] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_pattern,
			.initial_state = (void *)v,
		};
	}
	return _cmocka_run_group_tests("mock_dirty", tests, n, NULL, NULL);
}
