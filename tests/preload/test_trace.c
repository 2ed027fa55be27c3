// SPDX-License-Identifier: BSD-3-Clause
/*
 * UIOMMUFD_TRACE: the strace-style line of each iommufd ioctl.
 *
 * Two halves. The first runs real ioctls on /dev/iommu (this program is
 * preloaded with the library, as `uiommufd run` would do) with
 * UIOMMUFD_TRACE naming a temporary file, and checks whole lines of that
 * file. The second calls the decoder directly (trace.c is compiled into
 * this program) on crafted structs: sizes shorter and longer than ours,
 * pointers that cannot be read, flags and ops nobody knows, lines too long
 * for the buffer, and random input from a fixed seed.
 */
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "preload/trace.h"
#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uapi/vfio.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define TRACE_SEED 0x7e57ace5u
#define PAGE 4096

static char trace_path[] = "/tmp/uiommufd-test-trace-XXXXXX";

/* ---- helpers ---------------------------------------------------------- */

/* Where the next line of the trace file will start. */
static off_t trace_mark(void)
{
	struct stat st;

	assert_int_equal(stat(trace_path, &st), 0);
	return st.st_size;
}

/* The trace written since @mark, NUL-terminated, in @buf. */
static void trace_since(off_t mark, char *buf, size_t size)
{
	int fd = open(trace_path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = pread(fd, buf, size - 1, mark);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/*
 * Asserts that @text holds the line "[uiommufd] " + @fmt..., whole: from
 * the start of a line to its newline.
 */
static void __attribute__((format(printf, 2, 3)))
expect_line(const char *text, const char *fmt, ...)
{
	char want[1024];
	const char *p;
	va_list ap;
	int n;

	n = snprintf(want, sizeof(want), "[uiommufd] ");
	va_start(ap, fmt);
	vsnprintf(want + n, sizeof(want) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(want, "\n");
	for (p = strstr(text, want); p; p = strstr(p + 1, want))
		if (p == text || p[-1] == '\n')
			return;
	print_error("missing line:\n%swithin:\n%s", want, text);
	fail();
}

static void *map_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/*
 * @len readable bytes that end where an inaccessible page begins, so that
 * reading one byte more than @len would fault. Free with edge_free().
 */
static void *edge_alloc(size_t len)
{
	char *p = map_pages(2 * PAGE);

	assert_true(len <= PAGE);
	assert_int_equal(mprotect(p + PAGE, PAGE, PROT_NONE), 0);
	return p + PAGE - len;
}

static void edge_free(void *p, size_t len)
{
	munmap((char *)p + len - PAGE, 2 * PAGE);
}

static void put_u32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Decodes one call on crafted memory: capture, then format with @rc. */
static size_t decode(char *line, size_t size, unsigned int cmd, const void *arg,
		     long rc)
{
	struct pl_trace_arg ta;
	size_t len;

	pl_trace_capture(&ta, cmd, arg);
	len = pl_trace_format(line, size, 5, cmd, &ta, rc);
	assert_int_equal(len, strlen(line));
	return len;
}

static void expect_decode(unsigned int cmd, const void *arg, long rc,
			  const char *want)
{
	char line[1024];

	decode(line, sizeof(line), cmd, arg, rc);
	if (strcmp(line, want)) {
		print_error("want: %sgot:  %s", want, line);
		fail();
	}
}

/* ---- real ioctls, through the preload library ------------------------- */

static void test_ioas_map_unmap_destroy(void **state)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE,
		.length = 0x4000,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.iova = 0x100000,
		.length = 0x4000,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	off_t mark = trace_mark();
	void *buf = map_pages(0x4000);
	int fd = iommu_open();
	uint64_t chosen;
	char text[8192];
	uint32_t id;

	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &alloc), 0);
	id = alloc.out_ioas_id;
	map.ioas_id = id;
	map.user_va = (uintptr_t)buf;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_MAP, &map), 0);
	chosen = map.iova;
	map.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	map.iova = 0x100000;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_MAP, &map), 0);
	unmap.ioas_id = id;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_UNMAP, &unmap), 0);
	destroy.id = id;
	assert_int_equal(ioctl_rc(fd, IOMMU_DESTROY, &destroy), 0);
	assert_int_equal(ioctl_rc(fd, IOMMU_DESTROY, &destroy), -ENOENT);
	close(fd);
	munmap(buf, 0x4000);
	trace_since(mark, text, sizeof(text));

	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_ALLOC, {size=12, flags=0} => "
		    "{out_ioas_id=%u}) = 0 [created ioas %u]",
		    fd, id, id);
	/* The IOVA the kernel chose comes back as an output... */
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_MAP, {size=40, "
		    "flags=IOMMU_IOAS_MAP_WRITEABLE|IOMMU_IOAS_MAP_READABLE, "
		    "ioas_id=%u, user_va=%p, length=0x4000, iova=0} => "
		    "{iova=%#" PRIx64 "}) = 0",
		    fd, id, buf, chosen);
	/* ...a fixed one is only an input. */
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_MAP, {size=40, "
		    "flags=IOMMU_IOAS_MAP_FIXED_IOVA|IOMMU_IOAS_MAP_WRITEABLE|"
		    "IOMMU_IOAS_MAP_READABLE, ioas_id=%u, user_va=%p, "
		    "length=0x4000, iova=0x100000}) = 0",
		    fd, id, buf);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_UNMAP, {size=24, ioas_id=%u, "
		    "iova=0x100000, length=0x4000} => {length=0x4000}) = 0",
		    fd, id);
	expect_line(text,
		    "ioctl(%d, IOMMU_DESTROY, {size=8, id=%u}) = 0 "
		    "[destroyed %u]",
		    fd, id, id);
	expect_line(text,
		    "ioctl(%d, IOMMU_DESTROY, {size=8, id=%u}) = -1 ENOENT "
		    "(No such file or directory)",
		    fd, id);
}

static void test_unknown_flag_and_sizes(void **state)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | 0x100,
		.length = 0x1000,
		.iova = 0x200000,
	};
	/* Our struct plus a tail we do not know. */
	struct {
		struct iommu_ioas_alloc cmd;
		uint32_t tail;
	} big = { .cmd.size = sizeof(big) };
	struct iommu_ioas_alloc alloc = { .size = 4 };
	off_t mark = trace_mark();
	int fd = iommu_open();
	uint32_t id = ioas_alloc(fd);
	char text[8192];

	map.ioas_id = id;
	map.user_va = 0x10000;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_MAP, &map), -EOPNOTSUPP);
	/* Shorter than the first version of the struct. */
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &alloc), -EINVAL);
	map.size = 16;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_MAP, &map), -EINVAL);
	/* Longer than ours: fine while the tail is zero, E2BIG after. */
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &big), 0);
	big.tail = 1;
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, &big), -E2BIG);
	close(fd);
	trace_since(mark, text, sizeof(text));

	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_MAP, {size=40, "
		    "flags=IOMMU_IOAS_MAP_READABLE|0x100, ioas_id=%u, "
		    "user_va=0x10000, length=0x1000, iova=0x200000}) = -1 "
		    "EOPNOTSUPP (Operation not supported)",
		    fd, id);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_ALLOC, {size=4}) = -1 EINVAL "
		    "(Invalid argument)",
		    fd);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_MAP, {size=16, "
		    "flags=IOMMU_IOAS_MAP_READABLE|0x100, ioas_id=%u}) = -1 "
		    "EINVAL (Invalid argument)",
		    fd, id);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_ALLOC, {size=16, flags=0, ...} => "
		    "{out_ioas_id=%u}) = 0 [created ioas %u]",
		    fd, big.cmd.out_ioas_id, big.cmd.out_ioas_id);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_ALLOC, {size=16, flags=0, ...}) = -1 "
		    "E2BIG (Argument list too long)",
		    fd);
}

static void test_mock_domain(void **state)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	off_t mark = trace_mark();
	int fd = iommu_open();
	uint32_t ioas = ioas_alloc(fd), stdev, hwpt, idev;
	char text[8192];

	cmd.id = ioas;
	assert_int_equal(ioctl_rc(fd, IOMMU_TEST_CMD, &cmd), 0);
	stdev = cmd.mock_domain.out_stdev_id;
	hwpt = cmd.mock_domain.out_hwpt_id;
	idev = cmd.mock_domain.out_idev_id;
	assert_int_equal(ioas_destroy(fd, stdev), 0);
	cmd.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	cmd.id = stdev;
	cmd.mock_domain_replace.pt_id = ioas;
	assert_int_equal(ioctl_rc(fd, IOMMU_TEST_CMD, &cmd), -ENOENT);
	close(fd);
	trace_since(mark, text, sizeof(text));

	expect_line(text,
		    "ioctl(%d, IOMMU_TEST_CMD, {size=%zu, "
		    "op=IOMMU_TEST_OP_MOCK_DOMAIN, id=%u} => {out_stdev_id=%u, "
		    "out_hwpt_id=%u, out_idev_id=%u}) = 0 "
		    "[created stdev %u, idev %u]",
		    fd, sizeof(cmd), ioas, stdev, hwpt, idev, stdev, idev);
	expect_line(text,
		    "ioctl(%d, IOMMU_DESTROY, {size=8, id=%u}) = 0 "
		    "[destroyed %u]",
		    fd, stdev, stdev);
	/* The mock device is gone. */
	expect_line(text,
		    "ioctl(%d, IOMMU_TEST_CMD, {size=%zu, "
		    "op=IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, id=%u, pt_id=%u}) "
		    "= -1 ENOENT (No such file or directory)",
		    fd, sizeof(cmd), stdev, ioas);
}

static void test_option_and_iova_ranges(void **state)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 77,
	};
	struct iommu_ioas_iova_ranges ranges = { .size = sizeof(ranges) };
	off_t mark = trace_mark();
	int fd = iommu_open();
	char text[8192];

	assert_int_equal(ioctl_rc(fd, IOMMU_OPTION, &opt), 0);
	ranges.ioas_id = ioas_alloc(fd);
	/* No room for the ranges: EMSGSIZE, with the count written back. */
	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_IOVA_RANGES, &ranges),
			 -EMSGSIZE);
	assert_int_not_equal(ranges.num_iovas, 0);
	close(fd);
	trace_since(mark, text, sizeof(text));

	/* val64 is an output of a get: the 77 passed in is not shown. */
	expect_line(text,
		    "ioctl(%d, IOMMU_OPTION, {size=24, "
		    "option_id=IOMMU_OPTION_RLIMIT_MODE, "
		    "op=IOMMU_OPTION_OP_GET, "
		    "object_id=0} => {val64=%" PRIu64 "}) = 0",
		    fd, (uint64_t)opt.val64);
	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_IOVA_RANGES, {size=32, ioas_id=%u, "
		    "num_iovas=0, allowed_iovas=0} => {num_iovas=%u, "
		    "out_iova_alignment=%#" PRIx64 "}) = -1 EMSGSIZE "
		    "(Message too long)",
		    fd, ranges.ioas_id, ranges.num_iovas,
		    (uint64_t)ranges.out_iova_alignment);
}

static void test_vfio(void **state)
{
	struct iommu_vfio_ioas set = {
		.size = sizeof(set),
		.op = IOMMU_VFIO_IOAS_SET,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = 0x200000,
		.size = 0x4000,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = 0x200000,
		.size = 0x4000,
	};
	off_t mark = trace_mark();
	void *buf = map_pages(0x4000);
	int fd = iommu_open();
	char text[8192];

	set.ioas_id = ioas_alloc(fd);
	assert_int_equal(ioctl(fd, VFIO_GET_API_VERSION), VFIO_API_VERSION);
	assert_int_equal(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU),
			 1);
	assert_int_equal(ioctl_rc(fd, IOMMU_VFIO_IOAS, &set), 0);
	assert_int_equal(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	map.vaddr = (uintptr_t)buf;
	assert_int_equal(ioctl_rc(fd, VFIO_IOMMU_MAP_DMA, &map), 0);
	assert_int_equal(ioctl_rc(fd, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	close(fd);
	munmap(buf, 0x4000);
	trace_since(mark, text, sizeof(text));

	expect_line(text, "ioctl(%d, VFIO_GET_API_VERSION) = 0", fd);
	expect_line(text,
		    "ioctl(%d, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) = 1",
		    fd);
	expect_line(text,
		    "ioctl(%d, IOMMU_VFIO_IOAS, {size=12, ioas_id=%u, "
		    "op=IOMMU_VFIO_IOAS_SET}) = 0",
		    fd, set.ioas_id);
	expect_line(text, "ioctl(%d, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) = 0",
		    fd);
	expect_line(text,
		    "ioctl(%d, VFIO_IOMMU_MAP_DMA, {argsz=32, "
		    "flags=VFIO_DMA_MAP_FLAG_READ|VFIO_DMA_MAP_FLAG_WRITE, "
		    "vaddr=%p, iova=0x200000, size=0x4000}) = 0",
		    fd, buf);
	expect_line(text,
		    "ioctl(%d, VFIO_IOMMU_UNMAP_DMA, {argsz=24, flags=0, "
		    "iova=0x200000, size=0x4000} => {size=0x4000}) = 0",
		    fd);
}

static void test_bad_pointer_and_unknown_command(void **state)
{
	struct iommu_destroy cmd = { .size = 16 };
	off_t mark = trace_mark();
	int fd = iommu_open();
	char text[8192];

	assert_int_equal(ioctl_rc(fd, IOMMU_IOAS_ALLOC, (void *)16), -EFAULT);
	assert_int_equal(ioctl_rc(fd, IOMMU_DESTROY, NULL), -EFAULT);
	assert_int_equal(ioctl_rc(fd, _IO(IOMMUFD_TYPE, 0x96), &cmd), -ENOTTY);
	assert_int_equal(ioctl_rc(fd, _IOWR(IOMMUFD_TYPE, 0x81, cmd), &cmd),
			 -ENOTTY);
	close(fd);
	trace_since(mark, text, sizeof(text));

	expect_line(text,
		    "ioctl(%d, IOMMU_IOAS_ALLOC, 0x10) = -1 EFAULT (Bad "
		    "address)",
		    fd);
	expect_line(text,
		    "ioctl(%d, IOMMU_DESTROY, NULL) = -1 EFAULT (Bad address)",
		    fd);
	expect_line(text,
		    "ioctl(%d, _IOC(_IOC_NONE, 0x3b, 0x96, 0), {size=16, ...}) "
		    "= -1 ENOTTY (Inappropriate ioctl for device)",
		    fd);
	expect_line(text,
		    "ioctl(%d, _IOC(_IOC_READ|_IOC_WRITE, 0x3b, 0x81, 0x8), "
		    "{size=16, ...}) = -1 ENOTTY (Inappropriate ioctl for "
		    "device)",
		    fd);
}

/* ---- the decoder on crafted structs ----------------------------------- */

/* Only the bytes the caller's size declares are read. */
static void test_decode_short_struct(void **state)
{
	/* Not 8-byte aligned, so only ever accessed through memcpy(). */
	unsigned char *map = edge_alloc(12);
	struct pl_trace_arg ta;

	/* Three fields fit before the inaccessible page; size says so. */
	memcpy(map, &(uint32_t[]){ 12, IOMMU_IOAS_MAP_READABLE, 7 }, 12);
	pl_trace_capture(&ta, IOMMU_IOAS_MAP, map);
	assert_int_equal(ta.len, 12);
	assert_false(ta.short_read);
	expect_decode(IOMMU_IOAS_MAP, map, -EINVAL,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_MAP, {size=12, "
		      "flags=IOMMU_IOAS_MAP_READABLE, ioas_id=7}) = -1 EINVAL "
		      "(Invalid argument)\n");
	/* A size of 0 still shows the field that said it. */
	put_u32(map, 0);
	expect_decode(IOMMU_IOAS_MAP, map, -EINVAL,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_MAP, {size=0}) = -1 "
		      "EINVAL (Invalid argument)\n");
	/* A size larger than the memory: only the size can be shown. */
	put_u32(map, 40);
	pl_trace_capture(&ta, IOMMU_IOAS_MAP, map);
	assert_int_equal(ta.len, 4);
	assert_true(ta.short_read);
	expect_decode(IOMMU_IOAS_MAP, map, -EFAULT,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_MAP, {size=40, ...}) = "
		      "-1 "
		      "EFAULT (Bad address)\n");
	edge_free(map, 12);
}

static void test_decode_bad_pointer(void **state)
{
	char *gone = map_pages(PAGE), want[256];

	munmap(gone, PAGE);
	/* Canonical but unmapped: must not be dereferenced. */
	snprintf(want, sizeof(want),
		 "[uiommufd] ioctl(5, IOMMU_HWPT_ALLOC, %p) = -1 EFAULT (Bad "
		 "address)\n",
		 (void *)gone);
	expect_decode(IOMMU_HWPT_ALLOC, gone, -EFAULT, want);
	snprintf(want, sizeof(want),
		 "[uiommufd] ioctl(5, VFIO_IOMMU_MAP_DMA, %p) = -1 EFAULT "
		 "(Bad address)\n",
		 (void *)(gone + 8));
	expect_decode(VFIO_IOMMU_MAP_DMA, gone + 8, -EFAULT, want);
	/* In the first page, and beyond the user half of the address space. */
	expect_decode(IOMMU_TEST_CMD, (void *)0x10, -EFAULT,
		      "[uiommufd] ioctl(5, IOMMU_TEST_CMD, 0x10) = -1 EFAULT "
		      "(Bad address)\n");
	expect_decode(IOMMU_IOAS_COPY, (void *)0xdead000000000000ull, -EFAULT,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_COPY, "
		      "0xdead000000000000) "
		      "= -1 EFAULT (Bad address)\n");
	expect_decode(IOMMU_DESTROY, NULL, -EFAULT,
		      "[uiommufd] ioctl(5, IOMMU_DESTROY, NULL) = -1 EFAULT "
		      "(Bad address)\n");
}

/*
 * Outputs: all of them after a success, only the changed ones after a
 * failure; and which fields are outputs depends on the caller's flags.
 */
static void test_decode_outputs(void **state)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = 3,
		.iova = 0x1000,
		.length = 0x3000,
	};
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = 2,
		.src_ioas_id = 3,
		.length = 0x2000,
		.dst_iova = 0x5000,
		.src_iova = 0x1000,
	};
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = 2,
		.val64 = 1,
	};
	struct pl_trace_arg ta;
	char line[1024];

	/* The call "writes" between the capture and the decoding. */
	pl_trace_capture(&ta, IOMMU_IOAS_UNMAP, &unmap);
	unmap.length = 0x1000;
	pl_trace_format(line, sizeof(line), 5, IOMMU_IOAS_UNMAP, &ta, -EBUSY);
	assert_string_equal(line, "[uiommufd] ioctl(5, IOMMU_IOAS_UNMAP, "
				  "{size=24, ioas_id=3, iova=0x1000, "
				  "length=0x3000} => {length=0x1000}) = -1 "
				  "EBUSY (Device or resource busy)\n");
	/* A failure that wrote nothing shows no outputs. */
	expect_decode(IOMMU_IOAS_UNMAP, &unmap, -ENOENT,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_UNMAP, {size=24, "
		      "ioas_id=3, iova=0x1000, length=0x1000}) = -1 ENOENT "
		      "(No such file or directory)\n");
	/* A success shows them even when unchanged. */
	expect_decode(IOMMU_IOAS_UNMAP, &unmap, 0,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_UNMAP, {size=24, "
		      "ioas_id=3, iova=0x1000, length=0x1000} => "
		      "{length=0x1000}) = 0\n");
	expect_decode(IOMMU_IOAS_COPY, &copy, 0,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_COPY, {size=40, "
		      "flags=IOMMU_IOAS_MAP_FIXED_IOVA|IOMMU_IOAS_MAP_READABLE,"
		      " "
		      "dst_ioas_id=2, src_ioas_id=3, length=0x2000, "
		      "dst_iova=0x5000, src_iova=0x1000}) = 0\n");
	copy.flags = IOMMU_IOAS_MAP_WRITEABLE;
	expect_decode(IOMMU_IOAS_COPY, &copy, 0,
		      "[uiommufd] ioctl(5, IOMMU_IOAS_COPY, {size=40, "
		      "flags=IOMMU_IOAS_MAP_WRITEABLE, dst_ioas_id=2, "
		      "src_ioas_id=3, length=0x2000, dst_iova=0x5000, "
		      "src_iova=0x1000} => {dst_iova=0x5000}) = 0\n");
	/* A set takes val64 in; a non-zero reserved field is shown. */
	opt.__reserved = 9;
	expect_decode(IOMMU_OPTION, &opt, -EOPNOTSUPP,
		      "[uiommufd] ioctl(5, IOMMU_OPTION, {size=24, "
		      "option_id=IOMMU_OPTION_HUGE_PAGES, "
		      "op=IOMMU_OPTION_OP_SET, __reserved=0x9, object_id=2, "
		      "val64=1}) = -1 EOPNOTSUPP (Operation not supported)\n");
}

static void test_decode_objects(void **state)
{
	struct iommu_veventq_alloc veventq = {
		.size = sizeof(veventq),
		.viommu_id = 4,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
		.out_veventq_id = 6,
		.out_veventq_fd = 9,
	};
	struct iommu_test_cmd access = {
		.size = sizeof(access),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = 2,
		.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
		.create_access.out_access_fd = 11,
	};
	char want[512];

	expect_decode(IOMMU_VEVENTQ_ALLOC, &veventq, 0,
		      "[uiommufd] ioctl(5, IOMMU_VEVENTQ_ALLOC, {size=32, "
		      "flags=0, viommu_id=4, type=IOMMU_VEVENTQ_TYPE_SELFTEST, "
		      "veventq_depth=2} => {out_veventq_id=6, "
		      "out_veventq_fd=9}) = 0 [created veventq 6, fd 9]\n");
	/* Nothing is created by a failure. */
	expect_decode(IOMMU_VEVENTQ_ALLOC, &veventq, -ENOMEM,
		      "[uiommufd] ioctl(5, IOMMU_VEVENTQ_ALLOC, {size=32, "
		      "flags=0, viommu_id=4, type=IOMMU_VEVENTQ_TYPE_SELFTEST, "
		      "veventq_depth=2}) = -1 ENOMEM (Cannot allocate "
		      "memory)\n");
	snprintf(want, sizeof(want),
		 "[uiommufd] ioctl(5, IOMMU_TEST_CMD, {size=%zu, "
		 "op=IOMMU_TEST_OP_CREATE_ACCESS, id=2, "
		 "flags=MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES} => "
		 "{out_access_fd=11}) = 0 [created access fd 11]\n",
		 sizeof(access));
	expect_decode(IOMMU_TEST_CMD, &access, 0, want);
}

#define NAMED(x)                                                               \
	{                                                                      \
		x, #x                                                          \
	}

static const struct {
	unsigned int cmd;
	const char *name;
} all_cmds[] = {
	NAMED(IOMMU_DESTROY),
	NAMED(IOMMU_IOAS_ALLOC),
	NAMED(IOMMU_IOAS_ALLOW_IOVAS),
	NAMED(IOMMU_IOAS_COPY),
	NAMED(IOMMU_IOAS_IOVA_RANGES),
	NAMED(IOMMU_IOAS_MAP),
	NAMED(IOMMU_IOAS_UNMAP),
	NAMED(IOMMU_OPTION),
	NAMED(IOMMU_VFIO_IOAS),
	NAMED(IOMMU_HWPT_ALLOC),
	NAMED(IOMMU_GET_HW_INFO),
	NAMED(IOMMU_HWPT_SET_DIRTY_TRACKING),
	NAMED(IOMMU_HWPT_GET_DIRTY_BITMAP),
	NAMED(IOMMU_HWPT_INVALIDATE),
	NAMED(IOMMU_FAULT_QUEUE_ALLOC),
	NAMED(IOMMU_IOAS_MAP_FILE),
	NAMED(IOMMU_VIOMMU_ALLOC),
	NAMED(IOMMU_VDEVICE_ALLOC),
	NAMED(IOMMU_IOAS_CHANGE_PROCESS),
	NAMED(IOMMU_VEVENTQ_ALLOC),
	NAMED(IOMMU_HW_QUEUE_ALLOC),
	NAMED(IOMMU_IOAS_NOIOMMU_GET_PA),
	NAMED(IOMMU_TEST_CMD),
	NAMED(VFIO_GET_API_VERSION),
	NAMED(VFIO_CHECK_EXTENSION),
	NAMED(VFIO_SET_IOMMU),
	NAMED(VFIO_IOMMU_GET_INFO),
	NAMED(VFIO_IOMMU_MAP_DMA),
	NAMED(VFIO_IOMMU_UNMAP_DMA),
	NAMED(VFIO_IOMMU_DIRTY_PAGES),
};

static const struct {
	uint32_t op;
	const char *name;
} all_ops[] = {
	NAMED(IOMMU_TEST_OP_ADD_RESERVED),
	NAMED(IOMMU_TEST_OP_MOCK_DOMAIN),
	NAMED(IOMMU_TEST_OP_MD_CHECK_MAP),
	NAMED(IOMMU_TEST_OP_MD_CHECK_REFS),
	NAMED(IOMMU_TEST_OP_CREATE_ACCESS),
	NAMED(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES),
	NAMED(IOMMU_TEST_OP_ACCESS_PAGES),
	NAMED(IOMMU_TEST_OP_ACCESS_RW),
	NAMED(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT),
	NAMED(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE),
	NAMED(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS),
	NAMED(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS),
	NAMED(IOMMU_TEST_OP_DIRTY),
	NAMED(IOMMU_TEST_OP_MD_CHECK_IOTLB),
	NAMED(IOMMU_TEST_OP_TRIGGER_IOPF),
	NAMED(IOMMU_TEST_OP_DEV_CHECK_CACHE),
	NAMED(IOMMU_TEST_OP_TRIGGER_VEVENT),
	NAMED(IOMMU_TEST_OP_PASID_ATTACH),
	NAMED(IOMMU_TEST_OP_PASID_REPLACE),
	NAMED(IOMMU_TEST_OP_PASID_DETACH),
	NAMED(IOMMU_TEST_OP_PASID_CHECK_HWPT),
	NAMED(IOMMU_TEST_OP_DMABUF_GET),
	NAMED(IOMMU_TEST_OP_DMABUF_REVOKE),
};

/* Every command of the uAPI headers, and every test op, by its name. */
static void test_decode_names(void **state)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd), .id = 1 };
	char line[1024], want[128];
	unsigned int nr;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_cmds); i++) {
		decode(line, sizeof(line), all_cmds[i].cmd, NULL, -EFAULT);
		snprintf(want, sizeof(want), "[uiommufd] ioctl(5, %s",
			 all_cmds[i].name);
		assert_memory_equal(line, want, strlen(want));
		assert_true(strchr(",)", line[strlen(want)]));
	}
	/* No hole from the first command number to the last. */
	for (nr = IOMMUFD_CMD_BASE; nr <= IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA;
	     nr++) {
		decode(line, sizeof(line), _IO(IOMMUFD_TYPE, nr), NULL,
		       -EFAULT);
		assert_null(strstr(line, "_IOC("));
	}
	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		cmd.op = all_ops[i].op;
		decode(line, sizeof(line), IOMMU_TEST_CMD, &cmd, -EINVAL);
		snprintf(want, sizeof(want), ", op=%s, id=1", all_ops[i].name);
		assert_non_null(strstr(line, want));
	}
	cmd.op = 0x99;
	snprintf(want, sizeof(want),
		 "[uiommufd] ioctl(5, IOMMU_TEST_CMD, {size=%zu, op=0x99, "
		 "id=1}) = -1 EOPNOTSUPP (Operation not supported)\n",
		 sizeof(cmd));
	expect_decode(IOMMU_TEST_CMD, &cmd, -EOPNOTSUPP, want);
	/* A union field named like the command's own id keeps its member. */
	cmd.op = IOMMU_TEST_OP_MD_CHECK_IOTLB;
	cmd.check_iotlb.id = 3;
	cmd.check_iotlb.iotlb = 0xbadbeef;
	snprintf(want, sizeof(want),
		 "[uiommufd] ioctl(5, IOMMU_TEST_CMD, {size=%zu, "
		 "op=IOMMU_TEST_OP_MD_CHECK_IOTLB, id=1, check_iotlb.id=3, "
		 "iotlb=0xbadbeef}) = 0\n",
		 sizeof(cmd));
	expect_decode(IOMMU_TEST_CMD, &cmd, 0, want);
	/* Integer arguments, and results that are not errnos. */
	expect_decode(VFIO_CHECK_EXTENSION, (void *)VFIO_UNMAP_ALL, 1,
		      "[uiommufd] ioctl(5, VFIO_CHECK_EXTENSION, "
		      "VFIO_UNMAP_ALL) = 1\n");
	expect_decode(VFIO_SET_IOMMU, (void *)77, -4000,
		      "[uiommufd] ioctl(5, VFIO_SET_IOMMU, 0x4d) = -1 errno "
		      "4000\n");
}

/* A line too long for the buffer loses its middle, never its result. */
static void test_decode_cut(void **state)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = 0x8000000f,
		.dev_id = UINT32_MAX,
		.pt_id = UINT32_MAX,
		.out_hwpt_id = 12,
		.__reserved = UINT32_MAX,
		.data_type = 0x12345678,
		.data_len = UINT32_MAX,
		.data_uptr = UINT64_MAX,
		.fault_id = UINT32_MAX,
		.__reserved2 = UINT32_MAX,
	};
	const char *end = "...) = 0 [created hwpt 12]\n";
	char line[1024];
	size_t len;

	len = decode(line, sizeof(line), IOMMU_HWPT_ALLOC, &cmd, 0);
	assert_true(len > PL_TRACE_LINE_MIN);
	assert_non_null(strstr(line, "flags=IOMMU_HWPT_ALLOC_NEST_PARENT|"
				     "IOMMU_HWPT_ALLOC_DIRTY_TRACKING|"
				     "IOMMU_HWPT_FAULT_ID_VALID|"
				     "IOMMU_HWPT_ALLOC_PASID|0x80000000, "));
	assert_non_null(strstr(line, "__reserved2=0xffffffff} => "
				     "{out_hwpt_id=12}) = 0 [created hwpt "
				     "12]\n"));
	memset(line, 'x', sizeof(line));
	len = decode(line, PL_TRACE_LINE_MIN, IOMMU_HWPT_ALLOC, &cmd, 0);
	assert_int_equal(len, PL_TRACE_LINE_MIN - 1);
	assert_memory_equal(line, "[uiommufd] ioctl(5, IOMMU_HWPT_ALLOC, {",
			    strlen("[uiommufd] ioctl(5, IOMMU_HWPT_ALLOC, {"));
	assert_string_equal(line + len - strlen(end), end);
	/* Not a byte beyond the buffer. */
	assert_int_equal(line[PL_TRACE_LINE_MIN], 'x');
	/* Below the minimum there is no line at all. */
	assert_int_equal(decode(line, PL_TRACE_LINE_MIN - 1, IOMMU_HWPT_ALLOC,
				&cmd, 0),
			 0);
	assert_string_equal(line, "");
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/*
 * Random commands, sizes, contents, results and buffer sizes, with the
 * struct at the very end of the readable memory. Every line must be one
 * well-formed, NUL-terminated line inside its buffer.
 */
static void test_decode_random(void **state)
{
	static const long rcs[] = { 0,	       1,	3,
				    -EINVAL,   -EFAULT, -ENOENT,
				    -EMSGSIZE, -E2BIG,	-4000 };
	uint64_t seed = TRACE_SEED;
	char line[1024 + 1];
	unsigned int i, j;

	print_message("seed %#x\n", TRACE_SEED);
	for (i = 0; i < 20000; i++) {
		size_t avail = rnd(&seed) % (PL_TRACE_ARG_MAX + 16);
		unsigned char *p = edge_alloc(avail);
		size_t size = PL_TRACE_LINE_MIN +
			      rnd(&seed) % (sizeof(line) - PL_TRACE_LINE_MIN);
		unsigned int cmd =
			all_cmds[rnd(&seed) % ARRAY_SIZE(all_cmds)].cmd;
		long rc = rcs[rnd(&seed) % ARRAY_SIZE(rcs)];
		size_t len;
		char *nl;

		for (j = 0; j < avail; j++)
			p[j] = (unsigned char)(rnd(&seed) % 4 ? rnd(&seed) : 0);
		if (avail >= 8) {
			/* Plausible sizes and ops, often enough. */
			if (rnd(&seed) % 2)
				put_u32(p, rnd(&seed) % (avail + 8));
			if (rnd(&seed) % 2)
				put_u32(p + 4, rnd(&seed) % 32);
		}
		if (rnd(&seed) % 8 == 0)
			cmd = _IOC(rnd(&seed) % 4, IOMMUFD_TYPE,
				   rnd(&seed) % 256, rnd(&seed) % 64);
		line[size] = 'x';
		len = decode(line, size, cmd, p, rc);
		assert_true(len < size);
		assert_int_equal(line[size], 'x');
		assert_memory_equal(line, "[uiommufd] ioctl(5, ", 20);
		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_int_equal(nl - line, (long)len - 1);
		assert_non_null(strstr(line, ") = "));
		edge_free(p, avail);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioas_map_unmap_destroy),
		cmocka_unit_test(test_unknown_flag_and_sizes),
		cmocka_unit_test(test_mock_domain),
		cmocka_unit_test(test_option_and_iova_ranges),
		cmocka_unit_test(test_vfio),
		cmocka_unit_test(test_bad_pointer_and_unknown_command),
		cmocka_unit_test(test_decode_short_struct),
		cmocka_unit_test(test_decode_bad_pointer),
		cmocka_unit_test(test_decode_outputs),
		cmocka_unit_test(test_decode_objects),
		cmocka_unit_test(test_decode_names),
		cmocka_unit_test(test_decode_cut),
		cmocka_unit_test(test_decode_random),
	};
	int fd, rc;

	/* Read at the first open of /dev/iommu, which comes later. */
	fd = mkstemp(trace_path);
	if (fd < 0 || setenv("UIOMMUFD_TRACE", trace_path, 1)) {
		perror("trace file");
		return 1;
	}
	close(fd);
	rc = cmocka_run_group_tests_name("preload_trace", tests, NULL, NULL);
	unlink(trace_path);
	return rc;
}
