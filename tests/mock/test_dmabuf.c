// SPDX-License-Identifier: BSD-3-Clause
/*
 * Test dma-bufs end to end: IOMMU_TEST_OP_DMABUF_GET and _REVOKE, and
 * IOMMU_IOAS_MAP_FILE of the buffers, seen by mock devices doing DMA.
 *
 * What is asserted: the descriptor (its flags, its size rounding, how it is
 * recognised again), the window checks (EINVAL before ENODEV), that the
 * memory is neither pinned nor charged nor reachable by accesses, that a
 * revocation removes the translations from every domain that maps the
 * buffer (a DMA faults) with Linux 7.3's one-way rule for the mappings it
 * invalidated, that a domain attached while revoked fills and skips the
 * buffer, that allocation failures anywhere in a map leave nothing behind,
 * and that concurrent map, unmap, revoke, domain changes and DMA stay
 * consistent (the TSan build runs this too). Every test ends with the
 * context closed and no allocation left.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mock_test.h"

#include "core/access.h"
#include "core/fault_fd.h"
#include "core/ioas.h"
#include "iopt/account.h"

#define PG 4096ull
#define IOVA ((uint64_t)MOCK_APERTURE_START)

struct fix {
	struct ufd_ctx *ctx;
	uint32_t ioas;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	ufd_fdchan_flush(NULL);
	free(f);
	assert_int_equal(ufd_alloc_live(), 0);
	return 0;
}

/* IOMMU_TEST_OP_DMABUF_GET: the new descriptor, or -errno. */
static long t_dmabuf_get(struct ufd_ctx *ctx, uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = (uint32_t)len, .open_flags = flags },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static int t_dmabuf(struct ufd_ctx *ctx, uint64_t len)
{
	long fd = t_dmabuf_get(ctx, len, O_CLOEXEC);

	assert_true(fd >= 0);
	return (int)fd;
}

static long t_revoke(struct ufd_ctx *ctx, int fd, uint32_t revoked)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = fd, .revoked = revoked },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* MAP_FILE read/write; at *iova if fixed, else *iova gets the choice. */
static long t_map_file(struct ufd_ctx *ctx, uint32_t ioas, int fd,
		       uint64_t start, uint64_t len, uint64_t *iova, bool fixed)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.fd = fd,
		.start = start,
		.length = len,
		.iova = fixed ? *iova : 0,
	};
	long rc = test_ioctl(ctx, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && !fixed)
		*iova = cmd.iova;
	return rc;
}

static long t_map_at(struct ufd_ctx *ctx, uint32_t ioas, int fd, uint64_t start,
		     uint64_t len, uint64_t iova)
{
	return t_map_file(ctx, ioas, fd, start, len, &iova, true);
}

static long t_copy(struct ufd_ctx *ctx, uint32_t dst, uint64_t dst_iova,
		   uint32_t src, uint64_t src_iova, uint64_t len)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	return test_ioctl(ctx, IOMMU_IOAS_COPY, &cmd);
}

/* A mock device on @ioas (sharing its auto domain) and its endpoint. */
static struct ufd_dev *t_mock(struct fix *f, uint32_t ioas, struct mock_dev *m)
{
	assert_int_equal(t_mock_dev(f->ctx, ioas, 0, m), 0);
	return t_dev(f->ctx, m->stdev);
}

/* DMA-reads 8 bytes at @iova: 0 and the bytes, or the DMA's error. */
static int t_peek(struct ufd_dev *dev, uint64_t iova, char out[8])
{
	memset(out, 0, 8);
	return ufd_dev_dma(dev, iova, out, 8, false);
}

static uint32_t t_pin_count(struct fix *f, uint32_t ioas, uint64_t iova)
{
	struct ufd_ioas *obj = ufd_get_ioas(f->ctx, ioas);
	uint32_t n;

	assert_false(IS_ERR(obj));
	n = iopt_pin_count(&obj->iopt, iova);
	ufd_put_object(f->ctx, &obj->obj);
	return n;
}

static unsigned int t_areas(struct fix *f, uint32_t ioas)
{
	struct ufd_ioas *obj = ufd_get_ioas(f->ctx, ioas);
	unsigned int n;

	assert_false(IS_ERR(obj));
	n = iopt_area_count(&obj->iopt);
	ufd_put_object(f->ctx, &obj->obj);
	return n;
}

/* The descriptor: flags, rounding, limits, zeroed memory, fresh numbers. */
static void test_get(void **state)
{
	struct fix *f = *state;
	int fd, fd2, fd3;
	char buf[PG];
	uint64_t i;

	fd = (int)t_dmabuf_get(f->ctx, 1, O_CLOEXEC);
	assert_true(fd > 2);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* 1 byte is one page: the whole page maps, one byte more does not. */
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, PG, IOVA), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, PG + 1, IOVA + PG),
			 -EINVAL);
	/* The buffer starts zeroed, as the kernel's kzalloc'ed one. */
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);

	fd2 = (int)t_dmabuf_get(f->ctx, PG, O_NONBLOCK);
	assert_true(fd2 > 2 && fd2 != fd);
	assert_false(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd2, F_GETFL) & O_NONBLOCK);

	/* The kernel exporter's limits: 1 to 512 pages. */
	assert_int_equal(t_dmabuf_get(f->ctx, 0, O_CLOEXEC), -EINVAL);
	assert_int_equal(t_dmabuf_get(f->ctx, 512 * PG + 1, O_CLOEXEC),
			 -EINVAL);
	assert_int_equal(t_dmabuf_get(f->ctx, UINT32_MAX, O_CLOEXEC), -EINVAL);
	fd3 = (int)t_dmabuf_get(f->ctx, 512 * PG, O_CLOEXEC);
	assert_true(fd3 > 2);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd3, 511 * PG, PG, IOVA),
			 -EEXIST);
	assert_int_equal(
		t_map_at(f->ctx, f->ioas, fd3, 511 * PG, PG, IOVA + 4 * PG), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd3, 511 * PG, PG + 1,
				  IOVA + 8 * PG),
			 -EINVAL);
	close(fd);
	close(fd2);
	close(fd3);
}

/* The window checks of the kernel's dmabuf_simple, and the overflow. */
static void check_windows(struct fix *f)
{
	uint64_t len = 4 * PG, iova = 0;
	int fd = t_dmabuf(f->ctx, len);

	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, 0, &iova, false),
			 -EINVAL);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, len, len, &iova,
				    false),
			 -EINVAL);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, len + 1, &iova,
				    false),
			 -EINVAL);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, PG, len, &iova, false),
			 -EINVAL);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, (1ull << 63) + 1,
				    1ull << 63, &iova, false),
			 -EOVERFLOW);
	assert_int_equal(t_areas(f, f->ioas), 0);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, len, &iova, false),
			 0);
	assert_int_equal(t_areas(f, f->ioas), 1);
	/* Windows of one buffer, side by side and overlapping. */
	assert_int_equal(
		t_map_file(f->ctx, f->ioas, fd, PG, 2 * PG, &iova, false), 0);
	assert_int_equal(
		t_map_file(f->ctx, f->ioas, fd, 3 * PG, PG, &iova, false), 0);
	assert_int_equal(t_areas(f, f->ioas), 3);
	close(fd);
}

static void test_windows_no_domain(void **state)
{
	check_windows(*state);
}

static void test_windows_domain(void **state)
{
	struct fix *f = *state;
	struct mock_dev m;

	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &m), 0);
	check_windows(f);
}

/* DMA reaches the buffer's memory; nothing is pinned, charged or pinnable. */
static void test_dma_not_pinned(void **state)
{
	static const struct ufd_access_ops acc_ops = { .needs_pin_pages =
							       true };
	struct fix *f = *state;
	struct iopt_account *acct;
	uint64_t iova = 0, mem_iova = 0, before;
	struct ufd_access *acc;
	struct mock_dev m;
	struct ufd_dev *dev;
	uintptr_t host[1];
	int fd, memfd;
	char out[8];

	/* Charge this context even if the test runs with CAP_IPC_LOCK. */
	f->ctx->account_exempt = false;
	acct = ufd_ctx_account(f->ctx);
	assert_non_null(acct);
	dev = t_mock(f, f->ioas, &m);
	fd = t_dmabuf(f->ctx, 4 * PG);
	assert_int_equal(pwrite(fd, "program", 8, PG + 8), 8);
	before = iopt_account_read(acct);
	assert_int_equal(
		t_map_file(f->ctx, f->ioas, fd, 0, 4 * PG, &iova, false), 0);
	assert_int_equal(t_peek(dev, iova + PG + 8, out), 0);
	assert_string_equal(out, "program");
	assert_int_equal(ufd_dev_dma(dev, iova + 3 * PG, "device", 7, true), 0);
	assert_int_equal(pread(fd, out, 7, 3 * PG), 7);
	assert_string_equal(out, "device");
	/* Not pinned, not charged: the kernel's dma-buf path does neither. */
	assert_int_equal(t_pin_count(f, f->ioas, iova), 0);
	assert_int_equal(iopt_account_read(acct), before);

	/* The same map of a plain memfd is pinned: the check can fail. */
	memfd = memfd_create("plain", MFD_CLOEXEC);
	assert_int_equal(ftruncate(memfd, 4 * PG), 0);
	assert_int_equal(t_map_file(f->ctx, f->ioas, memfd, 0, 4 * PG,
				    &mem_iova, false),
			 0);
	assert_int_equal(t_pin_count(f, f->ioas, mem_iova), 1);
	assert_int_equal(iopt_account_read(acct), before + 4);

	/* Accesses cannot reach dma-buf memory (EINVAL, as in Linux). */
	acc = ufd_access_create(f->ctx, &acc_ops, NULL);
	assert_false(IS_ERR(acc));
	assert_int_equal(ufd_access_attach(acc, f->ioas), 0);
	assert_int_equal(ufd_access_pin_pages(acc, iova, PG, host, 0), -EINVAL);
	assert_int_equal(ufd_access_rw(acc, iova, out, 8, 0), -EINVAL);
	assert_int_equal(ufd_access_pin_pages(acc, mem_iova, PG, host, 0), 0);
	ufd_access_unpin_pages(acc, mem_iova, PG);
	ufd_access_detach(acc);
	ufd_access_destroy(acc);
	close(memfd);
	close(fd);
}

/*
 * Revocation reaches every domain: two mock devices on two domains of one
 * IOAS, plus a second IOAS that copied the mapping.
 */
static void test_revoke_every_domain(void **state)
{
	struct fix *f = *state;
	uint32_t ioas2 = test_ioas_alloc(f->ctx), hwpt;
	struct ufd_dev *a, *b, *c;
	struct mock_dev ma, mb, mc;
	char out[8];
	int fd;

	a = t_mock(f, f->ioas, &ma);
	b = t_mock(f, f->ioas, &mb);
	assert_int_equal(t_hwpt_alloc(f->ctx, mb.idev, f->ioas, 0, &hwpt), 0);
	assert_int_equal(t_replace(f->ctx, mb.stdev, hwpt), 0);
	assert_int_not_equal(hwpt, ma.hwpt);
	c = t_mock(f, ioas2, &mc);

	fd = t_dmabuf(f->ctx, 4 * PG);
	assert_int_equal(pwrite(fd, "payload", 8, 0), 8);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_copy(f->ctx, ioas2, IOVA, f->ioas, IOVA, 4 * PG), 0);
	assert_int_equal(t_peek(a, IOVA, out), 0);
	assert_string_equal(out, "payload");
	assert_int_equal(t_peek(b, IOVA, out), 0);
	assert_int_equal(t_peek(c, IOVA, out), 0);
	assert_string_equal(out, "payload");

	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_peek(a, IOVA, out), -EFAULT);
	assert_int_equal(t_peek(b, IOVA + 3 * PG, out), -EFAULT);
	assert_int_equal(t_peek(c, IOVA, out), -EFAULT);
	assert_int_equal(ufd_dev_dma(a, IOVA, "x", 1, true), -EFAULT);
	/* Revoking twice changes nothing. */
	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_peek(a, IOVA, out), -EFAULT);

	/* The areas stay, and unmap as usual. */
	assert_int_equal(t_areas(f, f->ioas), 1);
	assert_int_equal(t_unmap(f->ctx, ioas2, IOVA, 4 * PG), 0);
	assert_int_equal(test_destroy(f->ctx, mc.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, ioas2), 0);
	assert_int_equal(test_destroy(f->ctx, mb.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	close(fd);
}

/* New attachments: ENODEV while revoked, window errors first. */
static void test_revoked_map(void **state)
{
	struct fix *f = *state;
	uint64_t iova = 0;
	int fd = t_dmabuf(f->ctx, 4 * PG);

	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, 4 * PG, &iova,
				    false),
			 -ENODEV);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, 4 * PG + 1, &iova,
				    false),
			 -EINVAL);
	assert_int_equal(t_map_file(f->ctx, f->ioas, fd, 0, 0, &iova, false),
			 -EINVAL);
	assert_int_equal(t_areas(f, f->ioas), 0);
	assert_int_equal(t_revoke(f->ctx, fd, 0), 0);
	assert_int_equal(
		t_map_file(f->ctx, f->ioas, fd, 0, 4 * PG, &iova, false), 0);
	close(fd);
}

/*
 * Linux 7.3: revoking invalidates the mappings that exist, for good; an
 * un-revoke lets new maps translate, and unmap + map restores an IOVA.
 * Every REVOKE op invalidates, the restoring one too.
 */
static void test_unrevoke(void **state)
{
	struct fix *f = *state;
	uint64_t iova2 = IOVA + 16 * PG;
	struct ufd_dev *dev;
	struct mock_dev m;
	char out[8];
	int fd;

	dev = t_mock(f, f->ioas, &m);
	fd = t_dmabuf(f->ctx, 4 * PG);
	assert_int_equal(pwrite(fd, "kept...", 8, 2 * PG), 8);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_revoke(f->ctx, fd, 0), 0);
	/* The invalidated mapping stays without translations. */
	assert_int_equal(t_peek(dev, IOVA + 2 * PG, out), -EFAULT);
	/* A new one translates, to the same memory. */
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, iova2), 0);
	assert_int_equal(t_peek(dev, iova2 + 2 * PG, out), 0);
	assert_string_equal(out, "kept...");
	/* Restoring the IOVA, as the kernel's selftest does. */
	assert_int_equal(t_unmap(f->ctx, f->ioas, IOVA, 4 * PG), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_peek(dev, IOVA + 2 * PG, out), 0);
	assert_string_equal(out, "kept...");
	/* An un-revoke of a live buffer invalidates its mappings too. */
	assert_int_equal(t_revoke(f->ctx, fd, 0), 0);
	assert_int_equal(t_peek(dev, IOVA + 2 * PG, out), -EFAULT);
	assert_int_equal(t_peek(dev, iova2, out), -EFAULT);
	assert_int_equal(
		t_map_at(f->ctx, f->ioas, fd, 2 * PG, PG, IOVA + 64 * PG), 0);
	assert_int_equal(t_peek(dev, IOVA + 64 * PG, out), 0);
	assert_string_equal(out, "kept...");
	close(fd);
}

/* A domain attached while the buffer is revoked fills and skips it. */
static void test_domain_while_revoked(void **state)
{
	struct fix *f = *state;
	struct ufd_dev *dev;
	struct mock_dev m;
	uint32_t hwpt, hwpt2;
	char out[8];
	int fd;

	dev = t_mock(f, f->ioas, &m);
	fd = t_dmabuf(f->ctx, 4 * PG);
	assert_int_equal(pwrite(fd, "again..", 8, 0), 8);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_hwpt_alloc(f->ctx, m.idev, f->ioas, 0, &hwpt), 0);
	assert_int_equal(t_replace(f->ctx, m.stdev, hwpt), 0);
	assert_int_equal(t_peek(dev, IOVA, out), -EFAULT);
	/* A domain that never mapped it goes away cleanly, too. */
	assert_int_equal(t_hwpt_alloc(f->ctx, m.idev, f->ioas, 0, &hwpt2), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt2), 0);
	/* Unmap, un-revoke, map again: the new domain translates it. */
	assert_int_equal(t_unmap(f->ctx, f->ioas, IOVA, 4 * PG), 0);
	assert_int_equal(t_revoke(f->ctx, fd, 0), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_peek(dev, IOVA, out), 0);
	assert_string_equal(out, "again..");
	/* And a domain added now maps it at once. */
	assert_int_equal(t_hwpt_alloc(f->ctx, m.idev, f->ioas, 0, &hwpt2), 0);
	assert_int_equal(t_replace(f->ctx, m.stdev, hwpt2), 0);
	assert_int_equal(t_peek(dev, IOVA, out), 0);
	assert_string_equal(out, "again..");
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	/* Revoking now reaches the domain added last. */
	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_peek(dev, IOVA, out), -EFAULT);
	close(fd);
}

/* Any descriptor for the file names the buffer; closing them is fine. */
static void test_descriptors(void **state)
{
	struct fix *f = *state;
	int fd, dup_fd, reopened, memfd, pipes[2];
	struct ufd_dev *dev;
	struct mock_dev m;
	char path[64], out[8];

	dev = t_mock(f, f->ioas, &m);
	fd = t_dmabuf(f->ctx, 2 * PG);
	assert_int_equal(pwrite(fd, "shared.", 8, 0), 8);
	dup_fd = dup(fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	reopened = open(path, O_RDWR | O_CLOEXEC);
	assert_true(dup_fd >= 0 && reopened >= 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, reopened, 0, PG, IOVA), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, dup_fd, PG, PG, IOVA + PG),
			 0);
	/* The program's descriptors go; the mappings hold the buffer. */
	close(fd);
	close(reopened);
	assert_int_equal(t_peek(dev, IOVA, out), 0);
	assert_string_equal(out, "shared.");
	/* Revoking through the last descriptor reaches both mappings. */
	assert_int_equal(t_revoke(f->ctx, dup_fd, 1), 0);
	assert_int_equal(t_peek(dev, IOVA, out), -EFAULT);
	assert_int_equal(t_peek(dev, IOVA + PG, out), -EFAULT);
	close(dup_fd);
	assert_int_equal(t_map_at(f->ctx, f->ioas, dup_fd, 0, PG,
				  IOVA + 8 * PG),
			 -EBADF);

	/* What is not a test dma-buf. */
	assert_int_equal(t_revoke(f->ctx, dup_fd, 1), -EBADF);
	assert_int_equal(t_revoke(f->ctx, -1, 1), -EBADF);
	memfd = memfd_create("plain", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(memfd, 2 * PG), 0);
	assert_int_equal(fcntl(memfd, F_ADD_SEALS,
			       F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW),
			 0);
	assert_int_equal(t_revoke(f->ctx, memfd, 1), -EINVAL);
	/* A sealed memfd of the same shape still maps as a plain file. */
	assert_int_equal(
		t_map_at(f->ctx, f->ioas, memfd, 0, 2 * PG, IOVA + 16 * PG), 0);
	assert_int_equal(t_pin_count(f, f->ioas, IOVA + 16 * PG), 1);
	assert_int_equal(pipe(pipes), 0);
	assert_int_equal(t_revoke(f->ctx, pipes[0], 0), -EINVAL);
	close(pipes[0]);
	close(pipes[1]);
	close(memfd);
}

/* The kernel refuses dma-buf areas where it needs file or user memory. */
static void test_refusals(void **state)
{
	struct fix *f = *state;
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	int fd = t_dmabuf(f->ctx, 4 * PG);
	struct ufd_ioas *ioas;
	uint64_t cut = IOVA + PG - 1;

	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_CHANGE_PROCESS, &cp),
			 -EINVAL);
	/* VFIO type1's cutting of an area: not for a dma-buf one. */
	ioas = ufd_get_ioas(f->ctx, f->ioas);
	assert_false(IS_ERR(ioas));
	assert_int_equal(iopt_cut(&ioas->iopt, &cut, 1), -EOPNOTSUPP);
	ufd_put_object(f->ctx, &ioas->obj);
	close(fd);
}

/*
 * Fail every fail point of a dma-buf map into two domains in turn, and of
 * attaching a domain to an IOAS holding dma-buf areas: each failure leaves
 * no area, no allocation and working translations behind.
 */
static void test_fail_nth(void **state)
{
	struct fix *f = *state;
	struct mock_dev m1, m2, m3;
	struct ufd_dev *d1, *d2;
	unsigned int n, swept = 0;
	uint32_t hwpt;
	int64_t live;
	char out[8];
	long rc;
	int fd;

	d1 = t_mock(f, f->ioas, &m1);
	d2 = t_mock(f, f->ioas, &m2);
	assert_int_equal(t_hwpt_alloc(f->ctx, m2.idev, f->ioas, 0, &hwpt), 0);
	assert_int_equal(t_replace(f->ctx, m2.stdev, hwpt), 0);
	fd = t_dmabuf(f->ctx, 4 * PG);
	assert_int_equal(pwrite(fd, "sweep..", 8, 0), 8);
	/*
	 * Map once first: the page-table levels it adds stay after the
	 * unmap, so what a failed map leaves allocated is a real leak.
	 */
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_unmap(f->ctx, f->ioas, IOVA, 4 * PG), 0);
	live = ufd_alloc_live();
	for (n = 1;; n++) {
		bool fired;

		ufd_fail_nth_set(n);
		rc = t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA);
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		if (!fired) {
			assert_int_equal(rc, 0);
			break;
		}
		swept++;
		if (rc == 0) {
			/* The failure hit something the map survives. */
			assert_int_equal(t_unmap(f->ctx, f->ioas, IOVA, 4 * PG),
					 0);
		} else {
			assert_int_equal(t_areas(f, f->ioas), 0);
			assert_int_equal(t_peek(d1, IOVA, out), -EFAULT);
			assert_int_equal(t_peek(d2, IOVA, out), -EFAULT);
		}
		assert_int_equal(ufd_alloc_live(), live);
	}
	printf("# map: swept %u fail points\n", swept);
	assert_true(swept >= 4);
	assert_int_equal(t_peek(d1, IOVA, out), 0);
	assert_int_equal(t_peek(d2, IOVA, out), 0);
	assert_string_equal(out, "sweep..");

	/* A new domain filled from the dma-buf area, failing at each step. */
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &m3), 0);
	live = ufd_alloc_live();
	for (n = 1;; n++) {
		uint32_t id = 0;
		bool fired;

		ufd_fail_nth_set(n);
		rc = t_hwpt_alloc(f->ctx, m3.idev, f->ioas, 0, &id);
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		if (!rc)
			assert_int_equal(test_destroy(f->ctx, id), 0);
		assert_int_equal(ufd_alloc_live(), live);
		if (!fired)
			break;
	}
	/* Revocation still finds exactly the domains that map the area. */
	assert_int_equal(t_revoke(f->ctx, fd, 1), 0);
	assert_int_equal(t_peek(d1, IOVA, out), -EFAULT);
	assert_int_equal(t_peek(d2, IOVA, out), -EFAULT);
	close(fd);
}

/*
 * Concurrency: one thread maps and unmaps windows of a buffer, one revokes
 * and restores it, one attaches, fills and removes domains, one DMAs. A
 * DMA either faults or reads exactly the buffer's bytes; afterwards a
 * revoke leaves no translation anywhere. Seeds are fixed and printed.
 *
 * The DMA thread owns slot 0 (it remaps it when a revoke cut it off) and
 * the mapper the others: a DMA copies after it translated, so a DMA into
 * an area another thread unmaps and frees could touch freed memory, which
 * a device in flight during an unmap may do on real hardware too.
 */
#define MT_SLOTS 4
#define MT_BUF (4 * PG)
/*
 * The DMA thread runs until the others have done this much each (a DMA is
 * far quicker than a revoke), and the others as long as it runs. MT_CAP
 * bounds every loop, should a thread stall.
 */
#define MT_OPS 300
#define MT_CAP 2000000
/* The revoker pauses up to this long between revokes. */
#define MT_PAUSE_NS 100000

struct mt {
	struct fix *f;
	int fd;
	struct mock_dev dma_dev, churn_dev;
	struct ufd_dev *dev;
	uint64_t seed;
	pthread_barrier_t start;
	_Atomic bool dma_done;
	/* Slot 0 the DMA thread's, the others the mapper's. */
	bool mapped[MT_SLOTS];
	/* Each written by one thread, read after the join. */
	int bad_dma, bad_map, bad_revoke, bad_domain;
	unsigned int dma_ok, dma_faults;
	/* Progress, read by the DMA thread. */
	_Atomic unsigned int maps, revokes, domains;
};

static uint64_t mt_slot_iova(unsigned int slot)
{
	return IOVA + slot * 2 * MT_BUF;
}

static void mt_rng(struct t_rng *r, uint64_t seed, uint64_t salt)
{
	r->state = seed ^ (salt * 0x9e3779b97f4a7c15ull);
}

static bool mt_running(struct mt *mt, unsigned int i)
{
	return i < MT_CAP && !atomic_load(&mt->dma_done);
}

static void *mt_mapper(void *arg)
{
	struct mt *mt = arg;
	struct t_rng r;
	unsigned int i;

	mt_rng(&r, mt->seed, 1);
	pthread_barrier_wait(&mt->start);
	for (i = 0; mt_running(mt, i); i++) {
		unsigned int s =
			1 + (unsigned int)t_rng_below(&r, MT_SLOTS - 1);
		long rc;

		if (mt->mapped[s]) {
			rc = t_unmap(mt->f->ctx, mt->f->ioas, mt_slot_iova(s),
				     MT_BUF);
			mt->mapped[s] = rc != 0;
		} else {
			rc = t_map_at(mt->f->ctx, mt->f->ioas, mt->fd, 0,
				      MT_BUF, mt_slot_iova(s));
			mt->mapped[s] = rc == 0;
			if (rc == -ENODEV)
				rc = 0;
		}
		if (rc)
			mt->bad_map++;
		mt->maps++;
	}
	return NULL;
}

static void *mt_revoker(void *arg)
{
	struct mt *mt = arg;
	struct t_rng r;
	unsigned int i;

	mt_rng(&r, mt->seed, 2);
	pthread_barrier_wait(&mt->start);
	for (i = 0; mt_running(mt, i); i++) {
		struct timespec pause = {
			.tv_nsec = (long)t_rng_below(&r, MT_PAUSE_NS),
		};

		if (t_revoke(mt->f->ctx, mt->fd, (uint32_t)t_rng_below(&r, 2)))
			mt->bad_revoke++;
		mt->revokes++;
		/* Revokes as fast as they go would starve every remap. */
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void *mt_domains(void *arg)
{
	struct mt *mt = arg;
	unsigned int i;

	pthread_barrier_wait(&mt->start);
	for (i = 0; mt_running(mt, i); i++) {
		uint32_t hwpt;

		if (t_hwpt_alloc(mt->f->ctx, mt->churn_dev.idev, mt->f->ioas, 0,
				 &hwpt) ||
		    t_replace(mt->f->ctx, mt->churn_dev.stdev, hwpt) ||
		    t_replace(mt->f->ctx, mt->churn_dev.stdev,
			      mt->churn_dev.hwpt) ||
		    test_destroy(mt->f->ctx, hwpt))
			mt->bad_domain++;
		mt->domains++;
	}
	return NULL;
}

static void *mt_dma(void *arg)
{
	struct mt *mt = arg;
	struct t_rng r;
	unsigned int i;
	long rc;

	mt_rng(&r, mt->seed, 4);
	pthread_barrier_wait(&mt->start);
	for (i = 0; i < MT_CAP && (atomic_load(&mt->maps) < MT_OPS ||
				   atomic_load(&mt->revokes) < MT_OPS ||
				   atomic_load(&mt->domains) < MT_OPS / 10 ||
				   !mt->dma_ok || !mt->dma_faults);
	     i++) {
		uint64_t off = t_rng_below(&r, MT_BUF / 8) * 8;
		uint64_t want = off / 8, got = 0;

		rc = ufd_dev_dma(mt->dev, mt_slot_iova(0) + off, &got,
				 sizeof(got), false);
		if (!rc) {
			mt->dma_ok++;
			if (got != want)
				mt->bad_dma++;
			continue;
		}
		mt->dma_faults++;
		if (rc != -EFAULT)
			mt->bad_dma++;
		/* Revoked, or never mapped: make a new attachment. */
		if (mt->mapped[0] &&
		    t_unmap(mt->f->ctx, mt->f->ioas, mt_slot_iova(0), MT_BUF))
			mt->bad_map++;
		rc = t_map_at(mt->f->ctx, mt->f->ioas, mt->fd, 0, MT_BUF,
			      mt_slot_iova(0));
		mt->mapped[0] = !rc;
		if (rc && rc != -ENODEV)
			mt->bad_dma++;
	}
	atomic_store(&mt->dma_done, true);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct fix *f = *state;
	struct mt mt = { .f = f };
	pthread_t th[4];
	struct t_rng seed;
	uint64_t w, got;
	unsigned int i;

	t_rng_init(&seed, "dmabuf_concurrent", 0xd1ab0f5eedull);
	mt.seed = seed.state;
	assert_int_equal(pthread_barrier_init(&mt.start, NULL, 4), 0);
	mt.dev = t_mock(f, f->ioas, &mt.dma_dev);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &mt.churn_dev), 0);
	mt.fd = t_dmabuf(f->ctx, MT_BUF);
	/* Word i of the buffer holds i: a DMA proves where it read. */
	for (w = 0; w < MT_BUF / 8; w++)
		assert_int_equal(pwrite(mt.fd, &w, 8, (off_t)(w * 8)), 8);

	assert_int_equal(pthread_create(&th[0], NULL, mt_mapper, &mt), 0);
	assert_int_equal(pthread_create(&th[1], NULL, mt_revoker, &mt), 0);
	assert_int_equal(pthread_create(&th[2], NULL, mt_domains, &mt), 0);
	assert_int_equal(pthread_create(&th[3], NULL, mt_dma, &mt), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&mt.start);
	assert_int_equal(mt.bad_map, 0);
	assert_int_equal(mt.bad_revoke, 0);
	assert_int_equal(mt.bad_domain, 0);
	assert_int_equal(mt.bad_dma, 0);
	printf("# %u DMAs translated, %u faulted; %u maps or unmaps, %u "
	       "revokes, %u domains meanwhile\n",
	       mt.dma_ok, mt.dma_faults, atomic_load(&mt.maps),
	       atomic_load(&mt.revokes), atomic_load(&mt.domains));
	/* Both outcomes happened, or the race was not exercised. */
	assert_true(mt.dma_ok > 0);
	assert_true(mt.dma_faults > 0);

	/* A revoke now leaves nothing translated in any slot. */
	assert_int_equal(t_revoke(f->ctx, mt.fd, 1), 0);
	for (i = 0; i < MT_SLOTS; i++)
		assert_int_equal(ufd_dev_dma(mt.dev, mt_slot_iova(i), &got, 8,
					     false),
				 -EFAULT);
	/* And after unmap, un-revoke and map, every slot translates. */
	for (i = 0; i < MT_SLOTS; i++) {
		if (mt.mapped[i])
			assert_int_equal(t_unmap(f->ctx, f->ioas,
						 mt_slot_iova(i), MT_BUF),
					 0);
	}
	assert_int_equal(t_areas(f, f->ioas), 0);
	assert_int_equal(t_revoke(f->ctx, mt.fd, 0), 0);
	for (i = 0; i < MT_SLOTS; i++) {
		assert_int_equal(t_map_at(f->ctx, f->ioas, mt.fd, 0, MT_BUF,
					  mt_slot_iova(i)),
				 0);
		assert_int_equal(ufd_dev_dma(mt.dev, mt_slot_iova(i) + 8 * i,
					     &got, 8, false),
				 0);
		assert_int_equal(got, i);
	}
	close(mt.fd);
}

/* Buffers still mapped when the context closes are released with it. */
static void test_close_with_mappings(void **state)
{
	struct fix *f = *state;
	struct mock_dev m;
	int fd = t_dmabuf(f->ctx, 4 * PG), fd2 = t_dmabuf(f->ctx, PG);

	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &m), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd, 0, 4 * PG, IOVA), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd2, 0, PG, IOVA + 8 * PG),
			 0);
	assert_int_equal(t_revoke(f->ctx, fd2, 1), 0);
	close(fd);
	/* fd2 stays open past the context: the buffer is the program's. */
	ufd_ctx_put(f->ctx);
	assert_int_equal(ufd_alloc_live(), 0);
	/* Another context finds it, revoked as it was left. */
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd2, 0, PG, IOVA), -ENODEV);
	assert_int_equal(t_revoke(f->ctx, fd2, 0), 0);
	assert_int_equal(t_map_at(f->ctx, f->ioas, fd2, 0, PG, IOVA), 0);
	close(fd2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_no_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_windows_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dma_not_pinned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_revoke_every_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_revoked_map, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unrevoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_while_revoked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_nth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_with_mappings, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("mock_dmabuf", tests, NULL, NULL);
}
