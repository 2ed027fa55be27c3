// SPDX-License-Identifier: BSD-3-Clause
/*
 * The selftest's test accesses through IOMMU_TEST_CMD: CREATE_ACCESS and
 * the descriptor that is the access (found by number, dup()s included;
 * closing it destroys the access), ACCESS_PAGES with the page check and
 * item ids, DESTROY_ACCESS_PAGES, the unmap contract (an IOAS unmap makes
 * the access unpin and succeeds), ACCESS_RW both ways at unaligned
 * offsets, ACCESS_REPLACE_IOAS, MD_CHECK_REFS, the syzkaller IOVA form,
 * and pins, replaces and unmaps racing each other. Every test ends with
 * no memory, descriptor or channel left behind.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fault_test.h"

#define NPAGES 16
#define BASE ((uint64_t)MOCK_APERTURE_START)
#define BASE2 (BASE + 0x1000000)

struct ax {
	struct ft_baseline base;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	uint8_t *buf; /* NPAGES CPU pages */
};

static uint8_t *map_pages(unsigned int n)
{
	void *p = mmap(NULL, n * PS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static int ax_setup(void **state)
{
	struct ax *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->base = ft_baseline();
	a->ctx = test_ctx_open();
	a->ioas = test_ioas_alloc(a->ctx);
	a->buf = map_pages(NPAGES);
	*state = a;
	return 0;
}

static int ax_teardown(void **state)
{
	struct ax *a = *state;

	ufd_ctx_put(a->ctx);
	munmap(a->buf, NPAGES * PS);
	ft_check_baseline(a->base);
	free(a);
	return 0;
}

static long create_access(struct ufd_ctx *ctx, uint32_t ioas, uint32_t flags,
			  int *fd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas,
		.create_access = { .flags = flags },
	};
	long rc = test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);

	*fd = (int)cmd.create_access.out_access_fd;
	return rc;
}

static long access_pages(struct ufd_ctx *ctx, uint32_t fd, uint64_t iova,
			 uint64_t len, const void *uptr, uint32_t flags,
			 uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = fd,
		.access_pages = { .flags = flags,
				  .out_access_pages_id = 0xdead,
				  .iova = iova,
				  .length = len,
				  .uptr = (uintptr_t)uptr },
	};
	long rc = test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);

	if (id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static long destroy_pages(struct ufd_ctx *ctx, uint32_t fd, uint32_t id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = fd,
		.destroy_access_pages = { .access_pages_id = id },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static long access_rw(struct ufd_ctx *ctx, uint32_t fd, uint64_t iova,
		      void *buf, uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = fd,
		.access_rw = { .iova = iova,
			       .length = len,
			       .uptr = (uintptr_t)buf,
			       .flags = flags },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static long access_replace(struct ufd_ctx *ctx, uint32_t fd, uint32_t ioas)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		.id = fd,
		.access_replace_ioas = { .ioas_id = ioas },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static void test_create_errors(void **state)
{
	struct ax *a = *state;
	int fd = -1;

	assert_int_equal(create_access(a->ctx, a->ioas, 2, &fd), -EOPNOTSUPP);
	assert_int_equal(create_access(a->ctx, 0xfffff, 0, &fd), -ENOENT);
	assert_int_equal(create_access(a->ctx, 0, 0, &fd), -ENOENT);
	/* Some other object: not an IOAS. */
	{
		struct ft_mock m;

		ft_mock_domain(a->ctx, a->ioas, &m);
		assert_int_equal(create_access(a->ctx, m.stdev, 0, &fd),
				 -ENOENT);
		assert_int_equal(create_access(a->ctx, m.hwpt, 0, &fd),
				 -ENOENT);
		assert_int_equal(test_destroy(a->ctx, m.stdev), 0);
	}
	/* Only the IOAS is left, and no descriptor (teardown checks). */
	assert_int_equal(ufd_object_count(a->ctx), 1);
}

static void test_fd_lifetime(void **state)
{
	struct ax *a = *state;
	uint8_t byte = 0;
	int fd, dup_fd, pipefd[2];

	a->buf[7] = 0x5a;
	assert_int_equal(
		ft_map(a->ctx, a->ioas, a->buf, NPAGES * PS, BASE, FT_RW), 0);
	assert_int_equal(create_access(a->ctx, a->ioas, 0, &fd), 0);
	assert_true(fd > 2);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The access holds the IOAS. */
	assert_int_equal(test_destroy(a->ctx, a->ioas), -EBUSY);

	/* Any descriptor for the same file is the access. */
	dup_fd = dup(fd);
	assert_true(dup_fd >= 0);
	close(fd);
	assert_int_equal(access_rw(a->ctx, dup_fd, BASE + 7, &byte, 1, 0), 0);
	assert_int_equal(byte, 0x5a);
	assert_int_equal(ft_destroy_after_close(a->ctx, a->ioas), -EBUSY);
	assert_int_equal(access_rw(a->ctx, fd, BASE + 7, &byte, 1, 0), -EBADFD);
	close(dup_fd);
	assert_int_equal(access_rw(a->ctx, dup_fd, BASE + 7, &byte, 1, 0),
			 -EBADFD);
	assert_int_equal(ft_destroy_after_close(a->ctx, a->ioas), 0);

	/* Descriptors that are not accesses. */
	a->ioas = test_ioas_alloc(a->ctx);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(access_rw(a->ctx, pipefd[0], BASE, &byte, 1, 0),
			 -EBADFD);
	assert_int_equal(destroy_pages(a->ctx, pipefd[1], 0), -EBADFD);
	assert_int_equal(access_replace(a->ctx, 0, a->ioas), -EBADFD);
	assert_int_equal(access_pages(a->ctx, 0xffffffffu, BASE, PS, NULL, 0,
				      NULL),
			 -EBADFD);
	assert_int_equal(access_rw(a->ctx, 0x80000000u, BASE, &byte, 1, 0),
			 -EBADFD);
	close(pipefd[0]);
	close(pipefd[1]);
	{
		struct iommu_fault_alloc fq = { .size = sizeof(fq) };

		assert_int_equal(
			test_ioctl(a->ctx, IOMMU_FAULT_QUEUE_ALLOC, &fq), 0);
		assert_int_equal(access_rw(a->ctx, fq.out_fault_fd, BASE, &byte,
					   1, 0),
				 -EBADFD);
		close((int)fq.out_fault_fd);
	}
}

static void test_pin(void **state)
{
	struct ax *a = *state;
	uint8_t *gone = map_pages(1), *ro = map_pages(2);
	uint32_t id, id2;
	int fd, fd_nopin;

	munmap(gone, PS);
	assert_int_equal(
		ft_map(a->ctx, a->ioas, a->buf, NPAGES * PS, BASE, FT_RW), 0);
	assert_int_equal(ft_map(a->ctx, a->ioas, ro, 2 * PS, BASE2,
				IOMMU_IOAS_MAP_READABLE),
			 0);
	assert_int_equal(create_access(a->ctx, a->ioas,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd),
			 0);
	assert_int_equal(create_access(a->ctx, a->ioas, 0, &fd_nopin), 0);

	/* Item ids count from 0 per access. */
	assert_int_equal(access_pages(a->ctx, fd, BASE, 3 * PS, a->buf, 0, &id),
			 0);
	assert_int_equal(id, 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 3 * PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 3 * PS,
				       (NPAGES - 3) * PS, 0),
			 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 3 * PS, 0), -EIO);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 4 * PS, 1), -EIO);
	/* A second pin of the same pages: still one pin object-wise. */
	assert_int_equal(access_pages(a->ctx, fd, BASE + PS, PS, a->buf + PS,
				      MOCK_FLAGS_ACCESS_WRITE, &id2),
			 0);
	assert_int_equal(id2, 1);
	assert_int_equal(destroy_pages(a->ctx, fd, id), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + PS, PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, PS, 0), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id), -ENOENT);
	assert_int_equal(destroy_pages(a->ctx, fd, id2), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, 99), -ENOENT);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);

	/* The pages must be the caller's: another page is EBADE. */
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, a->buf + PS, 0,
				      NULL),
			 -EBADE);
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, gone, 0, NULL),
			 -EFAULT);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);
	/* A zero uptr skips the check; ids keep counting. */
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, NULL, 0, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(destroy_pages(a->ctx, fd, id), 0);

	/* Unaligned IOVAs pin the CPU pages they touch. */
	assert_int_equal(access_pages(a->ctx, fd, BASE + 100, 10, a->buf + 100,
				      0, &id),
			 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + PS, PS, 0), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id), 0);
	assert_int_equal(access_pages(a->ctx, fd, BASE + 2 * PS - 1, 2,
				      a->buf + 2 * PS - 1, 0, &id),
			 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + PS, 2 * PS, 1), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id), 0);

	/* Errors, in the kernel's order. */
	assert_int_equal(access_pages(a->ctx, fd, BASE, (16 << 20) + 1, a->buf,
				      2, NULL),
			 -ENOMEM);
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, a->buf, 2, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(access_pages(a->ctx, fd_nopin, BASE, PS, a->buf, 0,
				      NULL),
			 -EOPNOTSUPP);
	assert_int_equal(access_pages(a->ctx, fd, BASE, 0, a->buf, 0, NULL),
			 -EINVAL);
	assert_int_equal(access_pages(a->ctx, fd, UINT64_MAX - 10, 100, a->buf,
				      0, NULL),
			 -EOVERFLOW);
	assert_int_equal(access_pages(a->ctx, fd, BASE + NPAGES * PS, PS, NULL,
				      0, NULL),
			 -ENOENT);
	/* Runs off the end of the area. */
	assert_int_equal(access_pages(a->ctx, fd, BASE + (NPAGES - 1) * PS,
				      2 * PS, NULL, 0, NULL),
			 -ENOENT);
	/* Read-only memory pins for reading only. */
	assert_int_equal(access_pages(a->ctx, fd, BASE2, PS, ro,
				      MOCK_FLAGS_ACCESS_WRITE, NULL),
			 -EPERM);
	assert_int_equal(access_pages(a->ctx, fd, BASE2, 2 * PS, ro, 0, &id),
			 0);
	assert_int_equal(ft_check_refs(a->ctx, ro, 2 * PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);

	/* Closing the descriptor unpins what the access still holds. */
	close(fd);
	close(fd_nopin);
	ufd_fdchan_flush(a->ctx);
	assert_int_equal(ft_check_refs(a->ctx, ro, 2 * PS, 0), 0);
	assert_int_equal(ft_unmap(a->ctx, a->ioas, BASE2, 2 * PS), 0);
	munmap(ro, 2 * PS);
}

/* An unmap tells the access, which unpins; the unmap succeeds. */
static void test_unmap_notifies(void **state)
{
	struct ax *a = *state;
	uint32_t id1, id2, id3;
	int fd;

	assert_int_equal(ft_map(a->ctx, a->ioas, a->buf, 8 * PS, BASE, FT_RW),
			 0);
	assert_int_equal(ft_map(a->ctx, a->ioas, a->buf + 8 * PS, 8 * PS,
				BASE + 8 * PS, FT_RW),
			 0);
	assert_int_equal(create_access(a->ctx, a->ioas,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd),
			 0);
	assert_int_equal(access_pages(a->ctx, fd, BASE + PS, PS, a->buf + PS, 0,
				      &id1),
			 0);
	assert_int_equal(access_pages(a->ctx, fd, BASE + 9 * PS, PS,
				      a->buf + 9 * PS, 0, &id2),
			 0);
	/* Spans both areas. */
	assert_int_equal(access_pages(a->ctx, fd, BASE + 7 * PS, 2 * PS,
				      a->buf + 7 * PS, 0, &id3),
			 0);
	assert_int_equal(ft_unmap(a->ctx, a->ioas, BASE, 8 * PS), 0);
	/* The items touching the range were dropped for us. */
	assert_int_equal(destroy_pages(a->ctx, fd, id1), -ENOENT);
	assert_int_equal(destroy_pages(a->ctx, fd, id3), -ENOENT);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 9 * PS, 0), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 9 * PS, PS, 1), 0);
	assert_int_equal(ft_unmap(a->ctx, a->ioas, BASE + 8 * PS, 8 * PS), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id2), -ENOENT);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);
	close(fd);
}

/* Reads and writes, byte-exact, at every offset around a page edge. */
static void check_rw(struct ax *a, int fd, uint64_t iova, uint32_t flags)
{
	uint8_t tmp[64], *whole = malloc(NPAGES * PS);
	uint64_t i, len;

	assert_non_null(whole);
	for (i = 0; i < NPAGES * PS; i++)
		a->buf[i] = (uint8_t)rand();
	for (i = iova + PS - 50; i < iova + PS + 50; i++) {
		for (len = 1; len < sizeof(tmp); len++) {
			unsigned int k;

			assert_int_equal(
				access_rw(a->ctx, fd, i, tmp, len, flags), 0);
			assert_memory_equal(tmp, a->buf + (i - iova), len);
			for (k = 0; k < len; k++)
				tmp[k] = (uint8_t)rand();
			assert_int_equal(
				access_rw(a->ctx, fd, i, tmp, len,
					  flags | MOCK_ACCESS_RW_WRITE),
				0);
			assert_memory_equal(a->buf + (i - iova), tmp, len);
		}
	}
	assert_int_equal(access_rw(a->ctx, fd, iova, whole, NPAGES * PS, flags),
			 0);
	assert_memory_equal(whole, a->buf, NPAGES * PS);
	free(whole);
}

static void test_rw(void **state)
{
	struct ax *a = *state;
	unsigned int seed = 20240611;
	uint8_t *ro = map_pages(1), byte = 0;
	struct ft_mock m;
	int fd;

	print_message("seed %u\n", seed);
	srand(seed);
	assert_int_equal(create_access(a->ctx, a->ioas, 0, &fd), 0);
	/* Not page aligned: accesses that do not pin allow it. */
	assert_int_equal(ft_map(a->ctx, a->ioas, a->buf, NPAGES * PS,
				BASE + MOCK_PAGE_SIZE, FT_RW),
			 0);
	check_rw(a, fd, BASE + MOCK_PAGE_SIZE, 0);
	check_rw(a, fd, BASE + MOCK_PAGE_SIZE, MOCK_ACCESS_RW_SLOW_PATH);
	/* The same through a mock domain's pins. */
	ft_mock_domain(a->ctx, a->ioas, &m);
	check_rw(a, fd, BASE + MOCK_PAGE_SIZE, 0);
	assert_int_equal(test_destroy(a->ctx, m.stdev), 0);

	assert_int_equal(ft_map(a->ctx, a->ioas, ro, PS, BASE2,
				IOMMU_IOAS_MAP_READABLE),
			 0);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, &byte, 1,
				   MOCK_ACCESS_RW_WRITE),
			 -EPERM);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, &byte, 1, 0), 0);
	assert_int_equal(access_rw(a->ctx, fd, BASE, &byte, 1, 0), -ENOENT);
	assert_int_equal(access_rw(a->ctx, fd, BASE2 + PS - 1, &byte, 2, 0),
			 -ENOENT);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, &byte, 0, 0), -EINVAL);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, &byte, 1, 2),
			 -EOPNOTSUPP);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, &byte, (16 << 20) + 1, 0),
			 -ENOMEM);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, NULL, 1, 0), -EFAULT);
	assert_int_equal(access_rw(a->ctx, fd, BASE2, NULL, 1,
				   MOCK_ACCESS_RW_WRITE),
			 -EFAULT);
	assert_int_equal(ft_unmap(a->ctx, a->ioas, BASE2, PS), 0);
	close(fd);
	munmap(ro, PS);
}

/* MOCK_FLAGS_ACCESS_SYZ: the IOVA is {nth area, offset}. */
static void test_syz(void **state)
{
	struct ax *a = *state;
	uint8_t byte = 0;
	uint32_t id;
	int fd;

	memset(a->buf, 0, NPAGES * PS);
	a->buf[5] = 11;
	a->buf[8 * PS + 9] = 22;
	assert_int_equal(ft_map(a->ctx, a->ioas, a->buf + 8 * PS, 8 * PS, BASE2,
				FT_RW),
			 0);
	assert_int_equal(ft_map(a->ctx, a->ioas, a->buf, 8 * PS, BASE, FT_RW),
			 0);
	assert_int_equal(create_access(a->ctx, a->ioas,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd),
			 0);
	/* Areas in IOVA order: BASE is the 0th, BASE2 the 1st. */
	assert_int_equal(access_rw(a->ctx, fd, 5ull << 32, &byte, 1,
				   MOCK_FLAGS_ACCESS_SYZ),
			 0);
	assert_int_equal(byte, 11);
	assert_int_equal(access_rw(a->ctx, fd, (9ull << 32) | 1, &byte, 1,
				   MOCK_FLAGS_ACCESS_SYZ),
			 0);
	assert_int_equal(byte, 22);
	/* No third area: IOVA 0, not mapped. */
	assert_int_equal(access_rw(a->ctx, fd, 2, &byte, 1,
				   MOCK_FLAGS_ACCESS_SYZ),
			 -ENOENT);
	assert_int_equal(access_pages(a->ctx, fd, (1ull << 32) | 1, PS,
				      a->buf + 8 * PS + 1,
				      MOCK_FLAGS_ACCESS_SYZ, &id),
			 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 8 * PS, PS, 1), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id), 0);
	close(fd);
}

static void test_replace(void **state)
{
	struct ax *a = *state;
	uint8_t *buf2 = map_pages(4), byte = 0;
	uint32_t ioas2 = test_ioas_alloc(a->ctx), id;
	int fd;

	a->buf[3] = 1;
	buf2[3] = 2;
	assert_int_equal(
		ft_map(a->ctx, a->ioas, a->buf, NPAGES * PS, BASE, FT_RW), 0);
	assert_int_equal(ft_map(a->ctx, ioas2, buf2, 4 * PS, BASE, FT_RW), 0);
	assert_int_equal(create_access(a->ctx, a->ioas,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd),
			 0);
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, a->buf, 0, &id), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, PS, 1), 0);

	/* Leaving the old IOAS unpins there; the same IOVA now is buf2. */
	assert_int_equal(access_replace(a->ctx, fd, ioas2), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, PS, 0), 0);
	assert_int_equal(destroy_pages(a->ctx, fd, id), -ENOENT);
	assert_int_equal(access_rw(a->ctx, fd, BASE + 3, &byte, 1, 0), 0);
	assert_int_equal(byte, 2);
	assert_int_equal(access_pages(a->ctx, fd, BASE, PS, buf2, 0, &id), 0);
	assert_int_equal(ft_check_refs(a->ctx, buf2, PS, 1), 0);

	/* A failed replace leaves it where it was. */
	assert_int_equal(access_replace(a->ctx, fd, 0xfffff), -ENOENT);
	assert_int_equal(access_rw(a->ctx, fd, BASE + 3, &byte, 1, 0), 0);
	assert_int_equal(byte, 2);
	assert_int_equal(ft_check_refs(a->ctx, buf2, PS, 1), 0);
	/* Replacing with the current IOAS changes nothing. */
	assert_int_equal(access_replace(a->ctx, fd, ioas2), 0);
	assert_int_equal(ft_check_refs(a->ctx, buf2, PS, 1), 0);

	/* The old IOAS is free to go, the new one is held. */
	assert_int_equal(test_destroy(a->ctx, a->ioas), 0);
	assert_int_equal(test_destroy(a->ctx, ioas2), -EBUSY);
	close(fd);
	assert_int_equal(ft_destroy_after_close(a->ctx, ioas2), 0);
	/* ax_teardown needs nothing from the destroyed IOAS. */
	munmap(buf2, 4 * PS);
}

static void test_check_refs(void **state)
{
	struct ax *a = *state;
	uint8_t *gone = map_pages(2);
	uint32_t ioas2 = test_ioas_alloc(a->ctx),
		 ioas3 = test_ioas_alloc(a->ctx);
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = FT_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.dst_ioas_id = ioas3,
		.src_ioas_id = a->ioas,
		.length = NPAGES * PS,
		.dst_iova = BASE,
		.src_iova = BASE,
	};
	struct ft_mock m1, m2, m3;

	munmap(gone, 2 * PS);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 1, PS, 0), -EINVAL);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, PS + 1, 0), -EINVAL);
	assert_int_equal(ft_check_refs(a->ctx, (void *)(uintptr_t)(0 - PS),
				       2 * PS, 0),
			 -EINVAL);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 0, 7), 0);
	assert_int_equal(ft_check_refs(a->ctx, gone, PS, 0), -EFAULT);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);

	/* A domain pins what the IOAS maps. */
	ft_mock_domain(a->ctx, a->ioas, &m1);
	assert_int_equal(
		ft_map(a->ctx, a->ioas, a->buf, NPAGES * PS, BASE, FT_RW), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 1), 0);
	/* A second mapping of the same memory pins it a second time. */
	ft_mock_domain(a->ctx, ioas2, &m2);
	assert_int_equal(
		ft_map(a->ctx, ioas2, a->buf + 4 * PS, 4 * PS, BASE, FT_RW), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 4 * PS, 4 * PS, 2), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 4 * PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 8 * PS, 1), -EIO);
	/* A copy shares the pages, and their pins. */
	ft_mock_domain(a->ctx, ioas3, &m3);
	assert_int_equal(test_ioctl(a->ctx, IOMMU_IOAS_COPY, &copy), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, 4 * PS, 1), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf + 4 * PS, 4 * PS, 2), 0);

	/* Pins go with the domains. */
	assert_int_equal(test_destroy(a->ctx, m2.stdev), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 1), 0);
	assert_int_equal(test_destroy(a->ctx, m1.stdev), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 1), 0);
	assert_int_equal(test_destroy(a->ctx, m3.stdev), 0);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);
}

/* The program closes /dev/iommu first; the access keeps it alive. */
static void test_ctx_closed_first(void **state)
{
	struct ft_baseline b = ft_baseline();
	struct ufd_ctx *ctx = test_ctx_open(), *ctx2;
	uint8_t *buf = map_pages(1), byte = 0;
	uint32_t ioas = test_ioas_alloc(ctx);
	int fd;

	buf[9] = 0x77;
	assert_int_equal(ft_map(ctx, ioas, buf, PS, BASE, FT_RW), 0);
	assert_int_equal(create_access(ctx, ioas, 0, &fd), 0);
	ufd_ctx_put(ctx);
	/* The access descriptor works from another iommufd, as in Linux. */
	ctx2 = test_ctx_open();
	assert_int_equal(access_rw(ctx2, fd, BASE + 9, &byte, 1, 0), 0);
	assert_int_equal(byte, 0x77);
	close(fd);
	ufd_fdchan_flush(NULL);
	assert_int_equal(access_rw(ctx2, fd, BASE + 9, &byte, 1, 0), -EBADFD);
	ufd_ctx_put(ctx2);
	munmap(buf, PS);
	ft_check_baseline(b);
}

/* Pins, unmaps and replaces racing: no deadlock, unmaps never fail. */
struct race {
	struct ax *a;
	uint32_t ioas2;
	int fd;
	pthread_barrier_t go;
	uint64_t until_ms;
	/* Answers that should not happen (cmocka asserts only in main). */
	_Atomic unsigned int bad;
	_Atomic unsigned int pinned;
};

static void *race_pin(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	pthread_barrier_wait(&r->go);
	for (i = 0; ft_now_ms() < r->until_ms; i++) {
		uint32_t id;
		long rc = access_pages(r->a->ctx, r->fd, BASE + (i % 4) * PS,
				       PS, NULL, 0, &id);

		/* Unmapped, or being unmapped, at this moment. */
		if (rc && rc != -ENOENT && rc != -EINVAL)
			r->bad++;
		if (!rc)
			r->pinned++;
		if (!rc && (i & 1)) {
			/* ENOENT: an unmap or a replace dropped it. */
			rc = destroy_pages(r->a->ctx, r->fd, id);
			if (rc && rc != -ENOENT)
				r->bad++;
		}
	}
	return NULL;
}

static void *race_replace(void *arg)
{
	struct timespec pause = { 0, 100000 };
	struct race *r = arg;
	unsigned int i;

	pthread_barrier_wait(&r->go);
	for (i = 0; ft_now_ms() < r->until_ms; i++) {
		if (access_replace(r->a->ctx, r->fd,
				   i & 1 ? r->ioas2 : r->a->ioas))
			r->bad++;
		/* Let the pins in: mutexes are not fair. */
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void test_races(void **state)
{
	struct ax *a = *state;
	struct race r = { .a = a, .ioas2 = test_ioas_alloc(a->ctx) };
	pthread_t t1, t2;

	assert_int_equal(
		ft_map(a->ctx, r.ioas2, a->buf, NPAGES * PS, BASE, FT_RW), 0);
	assert_int_equal(create_access(a->ctx, a->ioas,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &r.fd),
			 0);
	assert_int_equal(pthread_barrier_init(&r.go, NULL, 3), 0);
	r.until_ms = ft_now_ms() + 300;
	assert_int_equal(pthread_create(&t1, NULL, race_pin, &r), 0);
	assert_int_equal(pthread_create(&t2, NULL, race_replace, &r), 0);
	pthread_barrier_wait(&r.go);
	while (ft_now_ms() < r.until_ms) {
		assert_int_equal(ft_map(a->ctx, a->ioas, a->buf, 4 * PS, BASE,
					FT_RW),
				 0);
		assert_int_equal(ft_unmap(a->ctx, a->ioas, BASE, 4 * PS), 0);
	}
	assert_int_equal(pthread_join(t1, NULL), 0);
	assert_int_equal(pthread_join(t2, NULL), 0);
	pthread_barrier_destroy(&r.go);
	assert_int_equal(r.bad, 0);
	assert_true(r.pinned > 0);
	/* Whatever is still pinned goes with the descriptor. */
	close(r.fd);
	ufd_fdchan_flush(a->ctx);
	assert_int_equal(ft_check_refs(a->ctx, a->buf, NPAGES * PS, 0), 0);
}

/*
 * The access ops with the 1st, 2nd, ... fail point failing: every step
 * either works or fails cleanly, and nothing leaks or stays pinned.
 */
static void test_fail_nth(void **state)
{
	struct ft_baseline b = ft_baseline();
	uint8_t *buf = map_pages(2), tmp[8];
	unsigned int n;

	for (n = 1; n < 1000; n++) {
		struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
		struct ufd_ctx *ctx;
		uint32_t id;
		int fd = -1;
		bool fired;
		long rc;

		ufd_fail_nth_set(n);
		ctx = ufd_ctx_create();
		if (IS_ERR(ctx)) {
			ufd_fail_nth_set(0);
			continue;
		}
		rc = test_ioctl(ctx, IOMMU_IOAS_ALLOC, &ioas);
		if (rc)
			goto out_check;
		rc = ft_map(ctx, ioas.out_ioas_id, buf, 2 * PS, BASE, FT_RW);
		if (rc)
			goto out_check;
		rc = create_access(ctx, ioas.out_ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &fd);
		if (rc) {
			fd = -1;
			goto out_check;
		}
		rc = access_pages(ctx, fd, BASE, PS, buf, 0, &id);
		if (rc)
			goto out_check;
		rc = access_rw(ctx, fd, BASE + PS - 4, tmp, sizeof(tmp), 0);
		if (rc)
			goto out_check;
		rc = ft_check_refs(ctx, buf, PS, 1);
		if (rc)
			goto out_check;
		rc = destroy_pages(ctx, fd, id);
		if (rc)
			goto out_check;
		rc = ft_unmap(ctx, ioas.out_ioas_id, BASE, 2 * PS);
out_check:
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		/* EFAULT: the injected failure of a pin ("pin_pages"). */
		assert_true(!rc || rc == -ENOMEM || rc == -ENOENT ||
			    rc == -EFAULT);
		if (fd >= 0)
			close(fd);
		ufd_ctx_put(ctx);
		ft_check_baseline(b);
		if (!fired)
			break;
	}
	print_message("swept %u fail points\n", n - 1);
	assert_true(n > 10 && n < 1000);
	munmap(buf, 2 * PS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ax_setup, ax_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_errors),
		T(test_fd_lifetime),
		T(test_pin),
		T(test_unmap_notifies),
		T(test_rw),
		T(test_syz),
		T(test_replace),
		T(test_check_refs),
		cmocka_unit_test(test_ctx_closed_first),
		T(test_races),
		cmocka_unit_test(test_fail_nth),
	};

	ft_warm_up();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
