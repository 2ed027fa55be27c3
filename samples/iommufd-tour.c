// SPDX-License-Identifier: BSD-3-Clause
/*
 * iommufd-tour: a walk through the iommufd user API, written as a VMM or a
 * test suite writes it: open(), ioctl(), poll(), read() and write() on
 * /dev/iommu and the descriptors it hands out, nothing else. It includes
 * only uAPI headers (the project's copies of Linux 7.3's <linux/iommufd.h>,
 * of the selftest interface iommufd_test.h and of the container part of
 * <linux/vfio.h>, same numbers and layouts) and links no library, so the
 * same binary runs
 *   - on uiommufd:  uiommufd run -- ./iommufd-tour
 *   - on Linux built with CONFIG_IOMMUFD_TEST=y, as a user who may open
 *     /dev/iommu:   ./iommufd-tour
 *
 * Devices are the selftest's mock devices behind the mock IOMMU
 * (IOMMU_TEST_CMD), because those exist on both without hardware. The tour:
 *   1. IOAS: allocate, ask for the usable IOVA ranges before and after a
 *      device is attached, map at an IOVA the kernel picks and at a fixed
 *      one, copy a mapping into a second IOAS, unmap.
 *   2. HWPT: allocate a paging HWPT that can track dirty pages, move the
 *      device onto it, and see what a device without dirty tracking is
 *      refused.
 *   3. Dirty tracking: turn it on, have the mock IOMMU mark pages dirty as
 *      hardware would on DMA writes, read the bitmap back.
 *   4. I/O page faults: a fault queue, a HWPT that reports to it, a fault
 *      raised by the mock device, read from the queue's descriptor and
 *      answered.
 *   5. VFIO type1 compatibility on the same descriptor.
 *
 * Every step prints one line. Steps that must fail are part of the tour:
 * the errno is the documented behaviour being shown. A step whose result
 * differs from what the kernel documents prints what was expected and what
 * happened (with errno) and the program exits 1 at once; whatever it had
 * created goes with the process, since closing /dev/iommu destroys every
 * object in it. That is also why the steps need no unwinding of their own.
 *
 * Kernel and uiommufd differ in one way a program can see here: Linux's
 * fault descriptor returns 0 from read() when nothing is queued and may
 * return several fault groups per read(); uiommufd's is non-blocking
 * (EAGAIN) and returns one group per read(). The fault loop below polls,
 * then reads until a read returns anything but a positive count, which is
 * right for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uapi/vfio.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* The buffer every mapping is made from, in CPU pages; two halves. */
#define BUF_PAGES 16
/* How long a raised fault may take to reach the queue's descriptor. */
#define FAULT_POLL_MS 5000
/* The fault group the tour raises, so the record read back can be checked. */
#define TOUR_GRPID 0x5
/* Mock IOMMU pages the tour marks dirty (of the 2 KiB pages of a half). */
static const unsigned int dirty_pages[] = { 1, 4, 5, 14 };

/* What the steps share: the descriptor and the objects made so far. */
struct tour {
	int fd;
	unsigned char *buf;
	size_t buf_len;
	size_t half; /* each half of buf is mapped on its own */
	__u32 ioas;
	__u32 stdev; /* the mock device; its bound device ID is idev */
	__u32 idev;
	__u32 hwpt_auto; /* the HWPT the device got when attached to the IOAS */
	__u32 hwpt_dirty;
	__u64 iova_auto;  /* first half: an IOVA the kernel chose */
	__u64 iova_fixed; /* second half: an IOVA the tour chose */
};

static unsigned int nsteps;

/* The errno names this tour expects, for lines a person reads. */
static const char *errname(int err)
{
	switch (err) {
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		return "an error";
	}
}

/*
 * Ends the tour: a step did not give the documented result. @err is the
 * errno that explains it, or 0 when the result was wrong but no call failed.
 */
static void __printf(2, 3) __attribute__((noreturn))
fail(int err, const char *fmt, ...)
{
	va_list ap;

	/* stdout may be a pipe: keep the failure after the steps before it. */
	fflush(stdout);
	fprintf(stderr, "FAIL  ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s (errno %d)", strerror(err), err);
	fputc('\n', stderr);
	exit(1);
}

/* One finished step, one line. */
static void __printf(1, 2) step(const char *fmt, ...)
{
	va_list ap;

	printf("ok %2u  ", ++nsteps);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void section(const char *title)
{
	printf("\n== %s\n", title);
}

/* An ioctl that must succeed. */
static void must(struct tour *t, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(t->fd, cmd, arg))
		fail(errno, "%s", what);
}

/*
 * A call that must fail with errno @want, given its result @rc (0 or -1);
 * the failure is the step.
 */
static void expect_error(int rc, int want, const char *what)
{
	if (!rc)
		fail(0, "%s: succeeded, expected %s", what, errname(want));
	if (errno != want)
		fail(errno, "%s: expected %s, got", what, errname(want));
	step("%s -> %s, as documented", what, errname(want));
}

/* An ioctl that must fail with @want. */
static void must_fail(struct tour *t, unsigned long cmd, void *arg, int want,
		      const char *what)
{
	expect_error(ioctl(t->fd, cmd, arg), want, what);
}

/* IOMMU_TEST_CMD: every op carries the whole struct. */
static int test_cmd(struct tour *t, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(t->fd, IOMMU_TEST_CMD, cmd);
}

static __u32 ioas_alloc(struct tour *t)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	must(t, IOMMU_IOAS_ALLOC, &cmd, "IOMMU_IOAS_ALLOC");
	return cmd.out_ioas_id;
}

static void destroy(struct tour *t, __u32 id, const char *what)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	must(t, IOMMU_DESTROY, &cmd, what);
	step("%s", what);
}

static int hwpt_alloc(struct tour *t, __u32 flags, __u32 dev_id, __u32 pt_id,
		      __u32 fault_id, __u32 *out_hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
		.fault_id = fault_id,
	};
	int rc = ioctl(t->fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out_hwpt = cmd.out_hwpt_id;
	return rc;
}

/* Moves mock device @stdev to the IOAS or HWPT @pt_id. */
static int replace(struct tour *t, __u32 stdev, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return test_cmd(t, &cmd);
}

/*
 * Asks the mock IOMMU whether HWPT @hwpt translates [iova, iova + len) to
 * the memory at @p, page by page: what a device would reach by DMA.
 */
static void check_map(struct tour *t, __u32 hwpt, __u64 iova, size_t len,
		      const void *p, const char *why)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { .iova = iova,
			       .length = len,
			       .uptr = (uintptr_t)p },
	};

	if (test_cmd(t, &cmd))
		fail(errno, "IOMMU_TEST_OP_MD_CHECK_MAP HWPT %u IOVA 0x%llx",
		     hwpt, (unsigned long long)iova);
	step("IOMMU_TEST_OP_MD_CHECK_MAP: HWPT %u maps IOVA 0x%llx+%zu KiB "
	     "to the buffer (%s)",
	     hwpt, (unsigned long long)iova, len / 1024, why);
}

/*
 * IOMMU_IOAS_IOVA_RANGES the way the kernel means it to be used: ask with
 * no room, learn the count (EMSGSIZE says the array was too small), then
 * ask again with room for all of them. Returns the number of ranges.
 */
static unsigned int iova_ranges(struct tour *t, __u32 ioas,
				struct iommu_iova_range *r, unsigned int max,
				__u64 *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
	};

	if (ioctl(t->fd, IOMMU_IOAS_IOVA_RANGES, &cmd) && errno != EMSGSIZE)
		fail(errno, "IOMMU_IOAS_IOVA_RANGES (count)");
	if (cmd.num_iovas > max)
		fail(0,
		     "IOMMU_IOAS_IOVA_RANGES: %u ranges, the tour has room "
		     "for %u",
		     cmd.num_iovas, max);
	cmd.num_iovas = max;
	cmd.allowed_iovas = (uintptr_t)r;
	must(t, IOMMU_IOAS_IOVA_RANGES, &cmd, "IOMMU_IOAS_IOVA_RANGES");
	*align = cmd.out_iova_alignment;
	return cmd.num_iovas;
}

static int ioas_map(struct tour *t, __u32 ioas, void *p, size_t len,
		    __u32 flags, __u64 *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = len,
		.iova = *iova,
	};
	int rc = ioctl(t->fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

/* Unmaps [iova, iova + len) of @ioas; returns how many bytes went. */
static __u64 ioas_unmap(struct tour *t, __u32 ioas, __u64 iova, __u64 len,
			const char *what)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	must(t, IOMMU_IOAS_UNMAP, &cmd, what);
	return cmd.length;
}

static void tour_ioas(struct tour *t)
{
	struct iommu_ioas_copy copy = { .size = sizeof(copy) };
	struct iommu_test_cmd mock = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_iova_range r[8];
	unsigned int n, i;
	__u32 ioas2;
	__u64 align, iova;
	bool inside = false;

	section("IOAS: IO address spaces");
	t->ioas = ioas_alloc(t);
	step("IOMMU_IOAS_ALLOC: IOAS %u", t->ioas);

	n = iova_ranges(t, t->ioas, r, ARRAY_SIZE(r), &align);
	if (n != 1 || r[0].start != 0 || r[0].last != UINT64_MAX)
		fail(0, "IOMMU_IOAS_IOVA_RANGES: an IOAS with no device "
			"should allow every IOVA");
	step("IOMMU_IOAS_IOVA_RANGES: no device yet, so every IOVA: "
	     "[0x0, 0x%llx]",
	     (unsigned long long)r[0].last);

	/*
	 * A mock device bound and attached to the IOAS in one op; the IOAS
	 * gets a HWPT (an IOMMU domain) made for it automatically.
	 */
	mock.id = t->ioas;
	if (test_cmd(t, &mock))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN");
	t->stdev = mock.mock_domain.out_stdev_id;
	t->hwpt_auto = mock.mock_domain.out_hwpt_id;
	t->idev = mock.mock_domain.out_idev_id;
	step("IOMMU_TEST_OP_MOCK_DOMAIN: mock device %u (device ID %u) "
	     "attached through HWPT %u",
	     t->stdev, t->idev, t->hwpt_auto);

	n = iova_ranges(t, t->ioas, r, ARRAY_SIZE(r), &align);
	for (i = 0; i < n; i++)
		if (r[i].start < MOCK_APERTURE_START ||
		    r[i].last > MOCK_APERTURE_LAST)
			fail(0,
			     "IOMMU_IOAS_IOVA_RANGES: [0x%llx, 0x%llx] is "
			     "outside the mock IOMMU's aperture",
			     (unsigned long long)r[i].start,
			     (unsigned long long)r[i].last);
	if (!n || !align || (align & (align - 1)))
		fail(0, "IOMMU_IOAS_IOVA_RANGES: %u ranges, alignment %llu", n,
		     (unsigned long long)align);
	step("IOMMU_IOAS_IOVA_RANGES: the device narrows it to %u range(s) "
	     "from 0x%llx, alignment %llu",
	     n, (unsigned long long)r[0].start, (unsigned long long)align);

	t->iova_auto = 0;
	if (ioas_map(t, t->ioas, t->buf, t->half, 0, &t->iova_auto))
		fail(errno, "IOMMU_IOAS_MAP");
	for (i = 0; i < n; i++)
		inside |= t->iova_auto >= r[i].start &&
			  t->iova_auto + t->half - 1 <= r[i].last;
	if (!inside || t->iova_auto % align)
		fail(0, "IOMMU_IOAS_MAP: IOVA 0x%llx is not usable",
		     (unsigned long long)t->iova_auto);
	step("IOMMU_IOAS_MAP: %zu KiB at IOVA 0x%llx, chosen by the kernel",
	     t->half / 1024, (unsigned long long)t->iova_auto);
	check_map(t, t->hwpt_auto, t->iova_auto, t->half, t->buf,
		  "the domain follows the IOAS");

	/* Well away from wherever the automatic mapping went. */
	t->iova_fixed = MOCK_APERTURE_START + 0x40000000;
	if (t->iova_auto >= t->iova_fixed - t->half)
		t->iova_fixed = MOCK_APERTURE_START;
	iova = t->iova_fixed;
	if (ioas_map(t, t->ioas, t->buf + t->half, t->half,
		     IOMMU_IOAS_MAP_FIXED_IOVA, &iova))
		fail(errno, "IOMMU_IOAS_MAP at IOVA 0x%llx",
		     (unsigned long long)t->iova_fixed);
	step("IOMMU_IOAS_MAP FIXED_IOVA: %zu KiB at IOVA 0x%llx",
	     t->half / 1024, (unsigned long long)t->iova_fixed);

	/* A fixed mapping never replaces one that is there. */
	iova = t->iova_fixed;
	expect_error(ioas_map(t, t->ioas, t->buf, t->half,
			      IOMMU_IOAS_MAP_FIXED_IOVA, &iova),
		     EEXIST, "IOMMU_IOAS_MAP FIXED_IOVA over that mapping");

	/* The copy shares the pinned pages; nothing is pinned twice. */
	ioas2 = ioas_alloc(t);
	copy.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	copy.dst_ioas_id = ioas2;
	copy.src_ioas_id = t->ioas;
	copy.length = t->half;
	copy.src_iova = t->iova_fixed;
	must(t, IOMMU_IOAS_COPY, &copy, "IOMMU_IOAS_COPY");
	step("IOMMU_IOAS_COPY: IOAS %u IOVA 0x%llx -> IOAS %u IOVA 0x%llx",
	     t->ioas, (unsigned long long)t->iova_fixed, ioas2,
	     (unsigned long long)copy.dst_iova);
	if (ioas_unmap(t, ioas2, copy.dst_iova, t->half,
		       "IOMMU_IOAS_UNMAP of the copy") != t->half)
		fail(0, "IOMMU_IOAS_UNMAP of the copy: wrong length");
	step("IOMMU_IOAS_UNMAP: the copy in IOAS %u, %zu KiB", ioas2,
	     t->half / 1024);
	destroy(t, ioas2, "IOMMU_DESTROY of the second IOAS");

	if (ioas_unmap(t, t->ioas, t->iova_fixed, t->half,
		       "IOMMU_IOAS_UNMAP") != t->half)
		fail(0, "IOMMU_IOAS_UNMAP: wrong length");
	step("IOMMU_IOAS_UNMAP: IOVA 0x%llx, %zu KiB",
	     (unsigned long long)t->iova_fixed, t->half / 1024);
	unmap.ioas_id = t->ioas;
	unmap.iova = t->iova_fixed;
	unmap.length = t->half;
	must_fail(t, IOMMU_IOAS_UNMAP, &unmap, ENOENT,
		  "IOMMU_IOAS_UNMAP of it again");
}

static void tour_hwpt(struct tour *t)
{
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.mock_domain_flags = { .dev_flags =
					       MOCK_FLAGS_DEVICE_NO_DIRTY },
	};
	struct iommu_destroy gone = { .size = sizeof(gone) };
	__u32 stdev2, unused;

	section("HWPT: hardware page tables");
	if (hwpt_alloc(t, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, t->idev, t->ioas, 0,
		       &t->hwpt_dirty))
		fail(errno, "IOMMU_HWPT_ALLOC DIRTY_TRACKING");
	step("IOMMU_HWPT_ALLOC DIRTY_TRACKING: HWPT %u on IOAS %u",
	     t->hwpt_dirty, t->ioas);

	if (replace(t, t->stdev, t->hwpt_dirty))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	step("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: device %u moved from HWPT %u "
	     "to HWPT %u",
	     t->stdev, t->hwpt_auto, t->hwpt_dirty);
	check_map(t, t->hwpt_dirty, t->iova_auto, t->half, t->buf,
		  "a new HWPT is filled from its IOAS");

	/* A HWPT made for an attach goes when its last device leaves. */
	gone.id = t->hwpt_auto;
	must_fail(t, IOMMU_DESTROY, &gone, ENOENT,
		  "IOMMU_DESTROY of the automatic HWPT, now unused");

	mock.id = t->ioas;
	if (test_cmd(t, &mock))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS");
	stdev2 = mock.mock_domain_flags.out_stdev_id;
	step("IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS NO_DIRTY: mock device %u "
	     "(device ID %u), its IOMMU cannot track dirty pages",
	     stdev2, mock.mock_domain_flags.out_idev_id);

	expect_error(hwpt_alloc(t, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				mock.mock_domain_flags.out_idev_id, t->ioas, 0,
				&unused),
		     EOPNOTSUPP, "IOMMU_HWPT_ALLOC DIRTY_TRACKING for it");
	expect_error(replace(t, stdev2, t->hwpt_dirty), EINVAL,
		     "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE of it onto the "
		     "dirty-tracking HWPT");
	destroy(t, stdev2, "IOMMU_DESTROY of the NO_DIRTY mock device");

	gone.id = t->hwpt_dirty;
	must_fail(t, IOMMU_DESTROY, &gone, EBUSY,
		  "IOMMU_DESTROY of a HWPT a device is attached to");
}

/* IOMMU_HWPT_GET_DIRTY_BITMAP over the first half, one bit a mock page. */
static void get_dirty(struct tour *t, __u32 flags, __u64 *bitmap, size_t words)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = t->hwpt_dirty,
		.flags = flags,
		.iova = t->iova_auto,
		.length = t->half,
		.page_size = MOCK_PAGE_SIZE,
		.data = (uintptr_t)bitmap,
	};

	memset(bitmap, 0, words * sizeof(*bitmap));
	must(t, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd,
	     "IOMMU_HWPT_GET_DIRTY_BITMAP");
}

/*
 * Checks that exactly the pages in @want (or none) are set in @bitmap and
 * writes their numbers to @out for the step's line.
 */
static void check_dirty(const __u64 *bitmap, unsigned int nbits, bool want,
			char *out, size_t size, const char *what)
{
	unsigned int bit, i;
	size_t used = 0;

	out[0] = '\0';
	for (bit = 0; bit < nbits; bit++) {
		bool set = bitmap[bit / 64] >> (bit % 64) & 1;
		bool expected = false;

		for (i = 0; want && i < ARRAY_SIZE(dirty_pages); i++)
			expected |= dirty_pages[i] == bit;
		if (set != expected)
			fail(0, "%s: page %u is %s", what, bit,
			     set ? "dirty, expected clean"
				 : "clean, expected dirty");
		if (set && used < size)
			used += snprintf(out + used, size - used, " %u", bit);
	}
}

static void tour_dirty(struct tour *t)
{
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		.hwpt_id = t->hwpt_dirty,
	};
	struct iommu_test_cmd mark = { .op = IOMMU_TEST_OP_DIRTY,
				       .id = t->hwpt_dirty };
	unsigned int nbits = t->half / MOCK_PAGE_SIZE, i;
	__u64 bitmap[4], marks[4] = { 0 };
	char pages[64];

	section("Dirty tracking");
	if (nbits > 64 * ARRAY_SIZE(bitmap))
		fail(0, "dirty tracking: %u pages, the tour has room for %zu",
		     nbits, 64 * ARRAY_SIZE(bitmap));
	must(t, IOMMU_HWPT_SET_DIRTY_TRACKING, &track,
	     "IOMMU_HWPT_SET_DIRTY_TRACKING enable");
	step("IOMMU_HWPT_SET_DIRTY_TRACKING: on for HWPT %u", t->hwpt_dirty);

	get_dirty(t, 0, bitmap, ARRAY_SIZE(bitmap));
	check_dirty(bitmap, nbits, false, pages, sizeof(pages),
		    "IOMMU_HWPT_GET_DIRTY_BITMAP before any DMA");
	step("IOMMU_HWPT_GET_DIRTY_BITMAP: %u pages of %u bytes, all clean",
	     nbits, MOCK_PAGE_SIZE);

	/* What a device's DMA writes would do to the page table. */
	for (i = 0; i < ARRAY_SIZE(dirty_pages); i++)
		marks[dirty_pages[i] / 64] |= 1ull << (dirty_pages[i] % 64);
	mark.dirty.iova = t->iova_auto;
	mark.dirty.length = t->half;
	mark.dirty.page_size = MOCK_PAGE_SIZE;
	mark.dirty.uptr = (uintptr_t)marks;
	if (test_cmd(t, &mark))
		fail(errno, "IOMMU_TEST_OP_DIRTY");
	if (mark.dirty.out_nr_dirty != ARRAY_SIZE(dirty_pages))
		fail(0, "IOMMU_TEST_OP_DIRTY: %llu pages marked, expected %zu",
		     (unsigned long long)mark.dirty.out_nr_dirty,
		     ARRAY_SIZE(dirty_pages));
	step("IOMMU_TEST_OP_DIRTY: the mock IOMMU marked %llu pages dirty",
	     (unsigned long long)mark.dirty.out_nr_dirty);

	get_dirty(t, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, bitmap,
		  ARRAY_SIZE(bitmap));
	check_dirty(bitmap, nbits, true, pages, sizeof(pages),
		    "IOMMU_HWPT_GET_DIRTY_BITMAP NO_CLEAR");
	step("IOMMU_HWPT_GET_DIRTY_BITMAP NO_CLEAR: dirty pages%s", pages);

	get_dirty(t, 0, bitmap, ARRAY_SIZE(bitmap));
	check_dirty(bitmap, nbits, true, pages, sizeof(pages),
		    "IOMMU_HWPT_GET_DIRTY_BITMAP after NO_CLEAR");
	step("IOMMU_HWPT_GET_DIRTY_BITMAP: the same pages%s, now cleared",
	     pages);

	get_dirty(t, 0, bitmap, ARRAY_SIZE(bitmap));
	check_dirty(bitmap, nbits, false, pages, sizeof(pages),
		    "IOMMU_HWPT_GET_DIRTY_BITMAP after a clearing read");
	step("IOMMU_HWPT_GET_DIRTY_BITMAP: all clean again");

	track.flags = 0;
	must(t, IOMMU_HWPT_SET_DIRTY_TRACKING, &track,
	     "IOMMU_HWPT_SET_DIRTY_TRACKING disable");
	step("IOMMU_HWPT_SET_DIRTY_TRACKING: off");
}

/*
 * Drains the fault queue into @rec. Linux answers a read() with nothing
 * queued with 0 and may return several groups at once; uiommufd answers
 * EAGAIN and returns one group per read(). Reading until a read returns
 * anything but a positive count is right for both.
 */
static unsigned int read_faults(int fault_fd, struct iommu_hwpt_pgfault *rec,
				unsigned int max)
{
	unsigned int n = 0;
	ssize_t got;

	while (n < max) {
		got = read(fault_fd, rec + n, (max - n) * sizeof(*rec));
		if (got == 0 || (got < 0 && errno == EAGAIN))
			break;
		if (got < 0)
			fail(errno, "read() of the fault queue");
		if (got % sizeof(*rec))
			fail(0,
			     "read() of the fault queue: %zd bytes, not whole "
			     "records",
			     got);
		n += got / sizeof(*rec);
	}
	return n;
}

static void tour_faults(struct tour *t)
{
	struct iommu_fault_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd trigger = { .op = IOMMU_TEST_OP_TRIGGER_IOPF };
	struct iommu_destroy busy = { .size = sizeof(busy) };
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec[8];
	struct pollfd pfd = { .events = POLLIN };
	__u64 addr = t->iova_fixed; /* unmapped since the IOAS section */
	__u32 hwpt_iopf;
	unsigned int n;
	int fault_fd, rc;

	section("I/O page faults");
	must(t, IOMMU_FAULT_QUEUE_ALLOC, &alloc, "IOMMU_FAULT_QUEUE_ALLOC");
	fault_fd = (int)alloc.out_fault_fd;
	step("IOMMU_FAULT_QUEUE_ALLOC: fault queue %u, descriptor %d",
	     alloc.out_fault_id, fault_fd);

	if (hwpt_alloc(t, IOMMU_HWPT_FAULT_ID_VALID, t->idev, t->ioas,
		       alloc.out_fault_id, &hwpt_iopf))
		fail(errno, "IOMMU_HWPT_ALLOC FAULT_ID_VALID");
	step("IOMMU_HWPT_ALLOC FAULT_ID_VALID: HWPT %u reports to queue %u",
	     hwpt_iopf, alloc.out_fault_id);
	if (replace(t, t->stdev, hwpt_iopf))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE to HWPT %u",
		     hwpt_iopf);
	step("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: device %u now on HWPT %u",
	     t->stdev, hwpt_iopf);

	/* PASID 0 is "no PASID": the fault is routed by the device's HWPT. */
	trigger.trigger_iopf.dev_id = t->idev;
	trigger.trigger_iopf.pasid = 0;
	trigger.trigger_iopf.grpid = TOUR_GRPID;
	trigger.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ |
				    IOMMU_PGFAULT_PERM_WRITE;
	trigger.trigger_iopf.addr = addr;
	if (test_cmd(t, &trigger))
		fail(errno, "IOMMU_TEST_OP_TRIGGER_IOPF");
	step("IOMMU_TEST_OP_TRIGGER_IOPF: device %u faults reading and "
	     "writing IOVA 0x%llx",
	     t->idev, (unsigned long long)addr);

	pfd.fd = fault_fd;
	rc = poll(&pfd, 1, FAULT_POLL_MS);
	if (rc < 0)
		fail(errno, "poll() of the fault queue");
	if (!rc || !(pfd.revents & POLLIN))
		fail(0,
		     "poll() of the fault queue: not readable after %d ms "
		     "(revents 0x%x)",
		     FAULT_POLL_MS, pfd.revents);
	step("poll(): the fault queue is readable");

	n = read_faults(fault_fd, rec, ARRAY_SIZE(rec));
	if (n != 1)
		fail(0, "read() of the fault queue: %u records, expected 1", n);
	if (rec[0].dev_id != t->idev || rec[0].grpid != TOUR_GRPID ||
	    rec[0].addr != addr || rec[0].perm != trigger.trigger_iopf.perm ||
	    rec[0].flags != IOMMU_PGFAULT_FLAGS_LAST_PAGE)
		fail(0,
		     "read() of the fault queue: record dev %u grpid %u "
		     "addr 0x%llx perm 0x%x flags 0x%x is not the fault "
		     "raised",
		     rec[0].dev_id, rec[0].grpid,
		     (unsigned long long)rec[0].addr, rec[0].perm,
		     rec[0].flags);
	step("read(): 1 fault, device %u, group %u, IOVA 0x%llx, last of its "
	     "group, cookie %u",
	     rec[0].dev_id, rec[0].grpid, (unsigned long long)rec[0].addr,
	     rec[0].cookie);

	/* One answer per group, carrying the cookie of its last request. */
	resp.cookie = rec[0].cookie;
	if (write(fault_fd, &resp, sizeof(resp)) != (ssize_t)sizeof(resp))
		fail(errno, "write() of the page response");
	step("write(): IOMMUFD_PAGE_RESP_SUCCESS for cookie %u, the device "
	     "retries",
	     resp.cookie);

	busy.id = alloc.out_fault_id;
	must_fail(t, IOMMU_DESTROY, &busy, EBUSY,
		  "IOMMU_DESTROY of a fault queue with its descriptor open");

	if (replace(t, t->stdev, t->hwpt_dirty))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE back to HWPT %u",
		     t->hwpt_dirty);
	step("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: device %u back on HWPT %u",
	     t->stdev, t->hwpt_dirty);
	destroy(t, hwpt_iopf, "IOMMU_DESTROY of the faulting HWPT");
	if (close(fault_fd))
		fail(errno, "close() of the fault queue descriptor");
	destroy(t, alloc.out_fault_id,
		"IOMMU_DESTROY of the fault queue, its descriptor closed");
}

/*
 * Walks the VFIO_IOMMU_GET_INFO capability chain in @info (@argsz bytes
 * valid) and returns the first usable IOVA; prints what it found.
 */
static __u64 vfio_caps(const struct vfio_iommu_type1_info *info, __u32 argsz)
{
	const char *base = (const char *)info;
	const struct vfio_info_cap_header *hdr;
	__u64 first = UINT64_MAX;
	__u32 off, avail = 0, nranges = 0, i;
	bool have_avail = false;

	for (off = info->cap_offset; off; off = hdr->next) {
		/* Each offset comes from the reply; check before following. */
		if (off < sizeof(*info) || off % 4 ||
		    off + sizeof(*hdr) > argsz)
			fail(0,
			     "VFIO_IOMMU_GET_INFO: capability at offset %u "
			     "is outside the reply",
			     off);
		hdr = (const void *)(base + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			const struct vfio_iommu_type1_info_cap_iova_range *r =
				(const void *)hdr;

			if (off + sizeof(*r) +
				    r->nr_iovas * sizeof(r->iova_ranges[0]) >
			    argsz)
				fail(0, "VFIO_IOMMU_GET_INFO: the IOVA range "
					"capability is truncated");
			nranges = r->nr_iovas;
			for (i = 0; i < nranges; i++)
				if (r->iova_ranges[i].start < first)
					first = r->iova_ranges[i].start;
		} else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			avail = ((const struct vfio_iommu_type1_info_dma_avail *)
					 hdr)
					->avail;
			have_avail = true;
		}
	}
	if (!nranges)
		fail(0, "VFIO_IOMMU_GET_INFO: no IOVA range capability");
	if (have_avail)
		step("VFIO_IOMMU_GET_INFO capabilities: %u IOVA range(s) from "
		     "0x%llx, %u more DMA mappings allowed",
		     nranges, (unsigned long long)first, avail);
	else
		step("VFIO_IOMMU_GET_INFO capabilities: %u IOVA range(s) from "
		     "0x%llx",
		     nranges, (unsigned long long)first);
	return first;
}

static void tour_vfio(struct tour *t)
{
	struct iommu_test_cmd mock = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_vfio_ioas vioas = { .size = sizeof(vioas) };
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	/* Room for the capability chain, aligned as the structs need. */
	union {
		struct vfio_iommu_type1_info info;
		char bytes[1024];
	} big;
	__u32 ioas3;
	int rc;

	section("VFIO type1 compatibility, on the same descriptor");
	/*
	 * VFIO_SET_IOMMU needs an IOAS to stand for the container; a VMM
	 * gets one when it binds a VFIO device, the tour names one.
	 */
	ioas3 = ioas_alloc(t);
	mock.id = ioas3;
	if (test_cmd(t, &mock))
		fail(errno, "IOMMU_TEST_OP_MOCK_DOMAIN");
	vioas.op = IOMMU_VFIO_IOAS_SET;
	vioas.ioas_id = ioas3;
	must(t, IOMMU_VFIO_IOAS, &vioas, "IOMMU_VFIO_IOAS set");
	step("IOMMU_VFIO_IOAS: IOAS %u (with mock device %u) is the "
	     "container's",
	     ioas3, mock.mock_domain.out_stdev_id);

	rc = ioctl(t->fd, VFIO_GET_API_VERSION);
	if (rc != VFIO_API_VERSION)
		fail(rc < 0 ? errno : 0,
		     "VFIO_GET_API_VERSION: %d, expected %d", rc,
		     VFIO_API_VERSION);
	step("VFIO_GET_API_VERSION: %d", rc);

	rc = ioctl(t->fd, VFIO_CHECK_EXTENSION,
		   (unsigned long)VFIO_TYPE1v2_IOMMU);
	if (rc <= 0)
		fail(rc < 0 ? errno : 0,
		     "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU): %d", rc);
	rc = ioctl(t->fd, VFIO_CHECK_EXTENSION,
		   (unsigned long)VFIO_SPAPR_TCE_IOMMU);
	if (rc != 0)
		fail(rc < 0 ? errno : 0,
		     "VFIO_CHECK_EXTENSION(VFIO_SPAPR_TCE_IOMMU): %d", rc);
	step("VFIO_CHECK_EXTENSION: TYPE1v2 yes, SPAPR_TCE no");

	if (ioctl(t->fd, VFIO_SET_IOMMU, (unsigned long)VFIO_TYPE1v2_IOMMU))
		fail(errno, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)");
	step("VFIO_SET_IOMMU: VFIO_TYPE1v2_IOMMU");

	/* First with no room for capabilities: argsz says how much to give. */
	must(t, VFIO_IOMMU_GET_INFO, &info, "VFIO_IOMMU_GET_INFO");
	if (!(info.flags & VFIO_IOMMU_INFO_PGSIZES) || !info.iova_pgsizes)
		fail(0, "VFIO_IOMMU_GET_INFO: no page sizes (flags 0x%x)",
		     info.flags);
	if (info.argsz <= sizeof(info) || info.argsz > sizeof(big))
		fail(0, "VFIO_IOMMU_GET_INFO: argsz %u for the capabilities",
		     info.argsz);
	step("VFIO_IOMMU_GET_INFO: page sizes 0x%llx, %u bytes with "
	     "capabilities",
	     (unsigned long long)info.iova_pgsizes, info.argsz);
	memset(&big, 0, sizeof(big));
	big.info.argsz = info.argsz;
	must(t, VFIO_IOMMU_GET_INFO, &big.info,
	     "VFIO_IOMMU_GET_INFO with capabilities");
	if (!(big.info.flags & VFIO_IOMMU_INFO_CAPS) || !big.info.cap_offset)
		fail(0, "VFIO_IOMMU_GET_INFO: no capability chain (flags 0x%x)",
		     big.info.flags);

	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)t->buf;
	map.iova = vfio_caps(&big.info, info.argsz);
	map.size = t->buf_len;
	must(t, VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA");
	step("VFIO_IOMMU_MAP_DMA: %zu KiB at IOVA 0x%llx", t->buf_len / 1024,
	     (unsigned long long)map.iova);
	check_map(t, mock.mock_domain.out_hwpt_id, map.iova, t->buf_len, t->buf,
		  "type1 maps land in the IOAS");

	unmap.iova = map.iova;
	unmap.size = map.size;
	must(t, VFIO_IOMMU_UNMAP_DMA, &unmap, "VFIO_IOMMU_UNMAP_DMA");
	if (unmap.size != map.size)
		fail(0,
		     "VFIO_IOMMU_UNMAP_DMA: %llu bytes unmapped, expected "
		     "%llu",
		     (unsigned long long)unmap.size,
		     (unsigned long long)map.size);
	step("VFIO_IOMMU_UNMAP_DMA: %llu KiB",
	     (unsigned long long)unmap.size / 1024);
}

static void tour_teardown(struct tour *t)
{
	section("Teardown");
	destroy(t, t->stdev, "IOMMU_DESTROY of the mock device (detaches it)");
	destroy(t, t->hwpt_dirty, "IOMMU_DESTROY of the dirty-tracking HWPT");
	/* iova 0 and length U64_MAX: everything, whatever it is. */
	if (ioas_unmap(t, t->ioas, 0, UINT64_MAX,
		       "IOMMU_IOAS_UNMAP of everything") != t->half)
		fail(0, "IOMMU_IOAS_UNMAP of everything: wrong length");
	step("IOMMU_IOAS_UNMAP of everything: %zu KiB", t->half / 1024);
	destroy(t, t->ioas, "IOMMU_DESTROY of the IOAS");
	if (close(t->fd))
		fail(errno, "close() of /dev/iommu");
	step("close(): /dev/iommu and what is left in it are gone");
}

int main(void)
{
	struct tour t = { .fd = -1 };
	long page = sysconf(_SC_PAGESIZE);
	size_t i;

	if (page <= 0)
		fail(errno, "sysconf(_SC_PAGESIZE)");
	t.buf_len = BUF_PAGES * (size_t)page;
	t.half = t.buf_len / 2;
	t.buf = mmap(NULL, t.buf_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t.buf == MAP_FAILED)
		fail(errno, "mmap() of the buffer");
	for (i = 0; i < t.buf_len; i++)
		t.buf[i] = (unsigned char)(i * 7 + 1);

	printf("iommufd tour: the /dev/iommu uAPI, step by step\n");
	t.fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (t.fd < 0)
		fail(errno, "open(\"/dev/iommu\") (on uiommufd, start this "
			    "program with `uiommufd run --`)");
	step("open(\"/dev/iommu\"): descriptor %d", t.fd);

	tour_ioas(&t);
	tour_hwpt(&t);
	tour_dirty(&t);
	tour_faults(&t);
	tour_vfio(&t);
	tour_teardown(&t);

	munmap(t.buf, t.buf_len);
	printf("\ntour complete: %u steps, all as documented\n", nsteps);
	return 0;
}
