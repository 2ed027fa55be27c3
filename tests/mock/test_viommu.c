// SPDX-License-Identifier: BSD-3-Clause
/*
 * Nesting and the vIOMMU family on the mock IOMMU, through the uAPI:
 * nested HWPTs (on a parent and through a vIOMMU) and their invalidation,
 * vIOMMU allocation and its exported page, vDEVICEs (uniqueness,
 * invalidation by virtual id, the tombstone an unbind leaves), vEVENTQs
 * (records, sequence numbers, overflow) and HW queues (index order,
 * dependencies, pinned memory, contiguity).
 */
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mock_test.h"

#include "core/fault_fd.h"
#include "core/mmap.h"
#include "uiommufd/uiommufd.h"

#define PS ((uint64_t)sysconf(_SC_PAGESIZE))

struct fix {
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct mock_dev dev;
	uint32_t parent; /* NEST_PARENT paging HWPT */
	uint8_t *buf;	 /* 16 pages mapped at MOCK_APERTURE_START */
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	f->buf = t_alloc(PS, 16 * PS);
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, 16 * PS,
			       MOCK_APERTURE_START),
			 0);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &f->dev), 0);
	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas,
				      IOMMU_HWPT_ALLOC_NEST_PARENT, &f->parent),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	/* A closed event descriptor lets go of the context asynchronously. */
	ufd_fdchan_flush(NULL);
	free(f->buf);
	free(f);
	assert_int_equal(ufd_alloc_live(), 0);
	return 0;
}

static long t_nested(struct ufd_ctx *ctx, uint32_t idev, uint32_t pt,
		     uint32_t flags, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return t_hwpt_alloc_data(ctx, idev, pt, flags, IOMMU_HWPT_DATA_SELFTEST,
				 &data, sizeof(data), out);
}

static long t_check_iotlb(struct ufd_ctx *ctx, uint32_t hwpt, uint32_t id,
			  uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt,
		.check_iotlb = { .id = id, .iotlb = val },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static long t_check_cache(struct ufd_ctx *ctx, uint32_t idev, uint32_t id,
			  uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev,
		.check_dev_cache = { .id = id, .cache = val },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static long t_invalidate(struct ufd_ctx *ctx, uint32_t id, uint32_t type,
			 const void *reqs, uint32_t len, uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = len,
		.entry_num = *num,
	};
	long rc = test_ioctl(ctx, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

static long t_viommu(struct ufd_ctx *ctx, uint32_t idev, uint32_t hwpt,
		     uint32_t type, void *data, uint32_t len, uint32_t *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = idev,
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)data,
		.data_len = len,
	};
	long rc = test_ioctl(ctx, IOMMU_VIOMMU_ALLOC, &cmd);

	if (out)
		*out = cmd.out_viommu_id;
	return rc;
}

static long t_vdev(struct ufd_ctx *ctx, uint32_t viommu, uint32_t idev,
		   uint64_t virt_id, uint32_t *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = idev,
		.virt_id = virt_id,
	};
	long rc = test_ioctl(ctx, IOMMU_VDEVICE_ALLOC, &cmd);

	if (out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static long t_veventq(struct ufd_ctx *ctx, uint32_t viommu, uint32_t depth,
		      uint32_t *id, int *fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = depth,
	};
	long rc = test_ioctl(ctx, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (id)
		*id = cmd.out_veventq_id;
	if (fd)
		*fd = (int)cmd.out_veventq_fd;
	return rc;
}

static long t_trigger(struct ufd_ctx *ctx, uint32_t idev)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static long t_hw_queue(struct ufd_ctx *ctx, uint32_t viommu, uint32_t type,
		       uint32_t index, uint64_t iova, uint64_t len,
		       uint32_t *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = len,
	};
	long rc = test_ioctl(ctx, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/* A selftest vEVENT as read from the descriptor. */
struct rec {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest ev;
};

static void test_nested_alloc(void **state)
{
	struct fix *f = *state;
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t plain, n0, n1, id, num;
	struct iommu_hwpt_invalidate_selftest inv[2] = { { 0 } };
	char out[8];

	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas, 0, &plain),
			 0);
	/* The kernel's refusals, in its order. */
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->parent, 0,
					   IOMMU_HWPT_DATA_NONE, &data,
					   sizeof(data), &id),
			 -EINVAL);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->parent, 0,
					   IOMMU_HWPT_DATA_SELFTEST + 1, &data,
					   sizeof(data), &id),
			 -EOPNOTSUPP);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->parent, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &data, 3,
					   &id),
			 -EINVAL);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->parent, 0,
					   IOMMU_HWPT_DATA_SELFTEST, NULL,
					   sizeof(data), &id),
			 -EFAULT);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, f->parent,
				  IOMMU_HWPT_ALLOC_NEST_PARENT, &id),
			 -EOPNOTSUPP);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, plain, 0, &id), -EINVAL);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, f->dev.hwpt, 0, &id),
			 -EINVAL); /* an auto domain is no parent */
	assert_int_equal(t_nested(f->ctx, f->dev.idev, f->parent, 0, &n0), 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, f->parent, 0, &n1), 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, n0, 0, &id), -EINVAL);
	assert_int_equal(test_destroy(f->ctx, f->parent), -EBUSY);
	for (uint32_t i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		assert_int_equal(t_check_iotlb(f->ctx, n0, i,
					       IOMMU_TEST_IOTLB_DEFAULT),
				 0);
	assert_int_equal(t_check_iotlb(f->ctx, n0, 4, 0), -EINVAL);
	assert_int_equal(t_check_iotlb(f->ctx, f->parent, 0, 0), -ENOENT);

	/* Invalidation: probing, refusals, and partial progress. */
	num = 0;
	assert_int_equal(t_invalidate(f->ctx, n0,
				      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				      sizeof(inv[0]), &num),
			 0);
	num = 1;
	assert_int_equal(t_invalidate(f->ctx, f->parent,
				      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				      sizeof(inv[0]), &num),
			 -EINVAL);
	assert_int_equal(num, 0);
	num = 1;
	assert_int_equal(t_invalidate(f->ctx, n0,
				      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				      4097, &num),
			 -EINVAL);
	num = 2;
	inv[1].flags = 0xffffffff;
	assert_int_equal(t_invalidate(f->ctx, n0,
				      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				      sizeof(inv[0]), &num),
			 -EOPNOTSUPP);
	assert_int_equal(num, 1);
	assert_int_equal(t_check_iotlb(f->ctx, n0, 0, 0), 0);
	assert_int_equal(t_check_iotlb(f->ctx, n0, 1, IOMMU_TEST_IOTLB_DEFAULT),
			 0);
	num = 1;
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	assert_int_equal(t_invalidate(f->ctx, n1,
				      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				      sizeof(inv[0]), &num),
			 0);
	for (uint32_t i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		assert_int_equal(t_check_iotlb(f->ctx, n1, i, 0), 0);

	/* Attached, DMA goes through the parent's stage 2. */
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, n0), 0);
	assert_int_equal(test_destroy(f->ctx, n0), -EBUSY);
	memcpy(f->buf + PS, "nested!", 8);
	assert_int_equal(ufd_dev_dma(t_dev(f->ctx, f->dev.stdev),
				     MOCK_APERTURE_START + PS, out, 8, false),
			 0);
	assert_string_equal(out, "nested!");
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, n0), 0);
	assert_int_equal(test_destroy(f->ctx, n1), 0);
	assert_int_equal(test_destroy(f->ctx, plain), 0);
}

static void test_viommu_alloc(void **state)
{
	struct fix *f = *state;
	struct iommu_viommu_selftest data = { .in_data = 0xbeef };
	uint32_t plain, viommu, viommu2, id;
	struct ufd_object *owner;
	void *host;

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_DEFAULT, NULL, 0, &id),
			 -EOPNOTSUPP);
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent, 0xdead, NULL,
				  0, &id),
			 -EOPNOTSUPP);
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, 0,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &id),
			 -ENOENT);
	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas, 0, &plain),
			 0);
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, plain,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &id),
			 -EINVAL);
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu),
			 0);
	assert_int_equal(test_destroy(f->ctx, f->parent), -EBUSY);

	/* With data: the loopback and an exported page. */
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				  sizeof(data), &viommu2),
			 0);
	assert_int_equal(data.out_data, 0xbeef);
	assert_int_equal(data.out_mmap_length, 2 * PS);
	assert_true(data.out_mmap_offset && !(data.out_mmap_offset % PS));
	assert_int_equal(ufd_mmap_get(f->ctx, data.out_mmap_offset + PS,
				      data.out_mmap_length, &host, &owner),
			 -ENXIO);
	assert_int_equal(ufd_mmap_get(f->ctx, data.out_mmap_offset,
				      data.out_mmap_length / 2, &host, &owner),
			 -ENXIO);
	assert_int_equal(ufd_mmap_get(f->ctx, data.out_mmap_offset,
				      data.out_mmap_length, &host, &owner),
			 0);
	assert_int_equal(*(uint32_t *)host, 0xbeef);
	/* A mapping holds the vIOMMU. */
	assert_int_equal(test_destroy(f->ctx, viommu2), -EBUSY);
	ufd_mmap_put(owner);
	assert_int_equal(test_destroy(f->ctx, viommu2), 0);
	assert_int_equal(ufd_mmap_get(f->ctx, data.out_mmap_offset,
				      data.out_mmap_length, &host, &owner),
			 -ENXIO);
	/* A struct longer than the mock's is refused. */
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				  sizeof(data) + 8, &id),
			 -EINVAL);

	assert_int_equal(test_destroy(f->ctx, viommu), 0);
	assert_int_equal(test_destroy(f->ctx, plain), 0);
}

static void test_vdevice(void **state)
{
	struct fix *f = *state;
	struct iommu_viommu_invalidate_selftest inv[2] = { { 0 } };
	uint32_t viommu, vdev, vdev2, nested, id, num;
	struct mock_dev dev2;

	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &dev2), 0);
	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu),
			 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, viommu, 0, &nested), 0);
	/* Attaching to a nested HWPT of a vIOMMU needs a vDEVICE there. */
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, nested), -ENOENT);
	assert_int_equal(t_vdev(f->ctx, viommu, f->dev.idev, 0x99, &vdev), 0);
	assert_int_equal(t_vdev(f->ctx, viommu, f->dev.idev, 0x98, &id),
			 -EEXIST);
	assert_int_equal(t_vdev(f->ctx, viommu, dev2.idev, 0x99, &id), -EEXIST);
	assert_int_equal(t_vdev(f->ctx, viommu, dev2.idev, 0x77, &vdev2), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), -EBUSY);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, nested), 0);

	/* Invalidation by virtual id reaches the right device's cache. */
	for (uint32_t i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		assert_int_equal(t_check_cache(f->ctx, f->dev.idev, i,
					       IOMMU_TEST_DEV_CACHE_DEFAULT),
				 0);
	num = 0;
	assert_int_equal(
		t_invalidate(f->ctx, viommu,
			     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, inv,
			     sizeof(inv[0]), &num),
		-EINVAL);
	inv[0] = (struct iommu_viommu_invalidate_selftest){ .vdev_id = 0x99,
							    .cache_id = 2 };
	inv[1] = (struct iommu_viommu_invalidate_selftest){ .vdev_id = 0x9,
							    .cache_id = 0 };
	num = 2;
	assert_int_equal(t_invalidate(f->ctx, viommu,
				      IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				      inv, sizeof(inv[0]), &num),
			 -EINVAL);
	assert_int_equal(num, 1);
	assert_int_equal(t_check_cache(f->ctx, f->dev.idev, 2, 0), 0);
	assert_int_equal(t_check_cache(f->ctx, f->dev.idev, 1,
				       IOMMU_TEST_DEV_CACHE_DEFAULT),
			 0);
	assert_int_equal(t_check_cache(f->ctx, dev2.idev, 2,
				       IOMMU_TEST_DEV_CACHE_DEFAULT),
			 0);
	inv[0] = (struct iommu_viommu_invalidate_selftest){
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL, .vdev_id = 0x77
	};
	num = 1;
	assert_int_equal(t_invalidate(f->ctx, viommu,
				      IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				      inv, sizeof(inv[0]), &num),
			 0);
	for (uint32_t i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		assert_int_equal(t_check_cache(f->ctx, dev2.idev, i, 0), 0);

	/* Unbinding leaves a tombstone: gone, and the id is not reused. */
	assert_int_equal(test_destroy(f->ctx, dev2.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, vdev2), -ENOENT);
	id = test_ioas_alloc(f->ctx);
	assert_int_not_equal(id, vdev2);
	assert_int_equal(test_destroy(f->ctx, id), 0);

	assert_int_equal(t_replace(f->ctx, f->dev.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, nested), 0);
	assert_int_equal(test_destroy(f->ctx, vdev), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), 0);
}

static void test_veventq(void **state)
{
	struct fix *f = *state;
	uint32_t viommu, vdev, nested, qid, id;
	struct rec r[4];
	int fd, fd2;

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu),
			 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, viommu, 0, &nested), 0);
	assert_int_equal(t_vdev(f->ctx, viommu, f->dev.idev, 0x88, &vdev), 0);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, nested), 0);
	assert_int_equal(t_veventq(f->ctx, viommu, 0, &id, &fd), -EINVAL);
	assert_int_equal(t_veventq(f->ctx, viommu, (1u << 19) + 1, &id, &fd),
			 -EINVAL);
	/* No queue for the event yet. */
	assert_int_equal(t_trigger(f->ctx, f->dev.idev), -EOPNOTSUPP);
	assert_int_equal(t_veventq(f->ctx, viommu, 2, &qid, &fd), 0);
	assert_int_equal(t_veventq(f->ctx, viommu, 2, &id, &fd2), -EEXIST);
	assert_int_equal(read(fd, r, sizeof(r)), -1);
	assert_int_equal(errno, EAGAIN);

	/* One event: header and record, sequence 0. */
	assert_int_equal(t_trigger(f->ctx, f->dev.idev), 0);
	assert_int_equal(read(fd, r, sizeof(r)), sizeof(r[0]));
	assert_int_equal(r[0].hdr.flags, 0);
	assert_int_equal(r[0].hdr.sequence, 0);
	assert_int_equal(r[0].ev.virt_id, 0x88);

	/* Three into a depth of two: the third is lost, and says so. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(t_trigger(f->ctx, f->dev.idev), 0);
	assert_int_equal(read(fd, &r[0], sizeof(r[0])), sizeof(r[0]));
	assert_int_equal(read(fd, &r[1], sizeof(r[1])), sizeof(r[0]));
	assert_int_equal(read(fd, &r[2], sizeof(r[2])), sizeof(r[2].hdr));
	assert_int_equal(r[0].hdr.sequence, 1);
	assert_int_equal(r[1].hdr.sequence, 2);
	assert_int_equal(r[2].hdr.flags, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	assert_int_equal(r[2].hdr.sequence, 3);
	/* Read, the queue has room again. */
	assert_int_equal(t_trigger(f->ctx, f->dev.idev), 0);
	assert_int_equal(read(fd, r, sizeof(r)), sizeof(r[0]));
	assert_int_equal(r[0].hdr.flags, 0);
	assert_int_equal(r[0].hdr.sequence, 4);

	/* The descriptor holds the queue, the queue holds the vIOMMU. */
	assert_int_equal(test_destroy(f->ctx, qid), -EBUSY);
	close(fd);
	ufd_fdchan_flush(f->ctx);
	assert_int_equal(test_destroy(f->ctx, qid), 0);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, f->ioas), 0);
	/* Not attached through the vIOMMU any more: nothing to report. */
	assert_int_equal(t_trigger(f->ctx, f->dev.idev), -ENOENT);
	assert_int_equal(test_destroy(f->ctx, nested), 0);
	assert_int_equal(test_destroy(f->ctx, vdev), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), 0);
}

struct storm {
	struct ufd_ctx *ctx;
	uint32_t idev;
	int n;
};

static void *storm_main(void *arg)
{
	struct storm *s = arg;

	for (int i = 0; i < s->n; i++)
		assert_int_equal(t_trigger(s->ctx, s->idev), 0);
	return NULL;
}

/* Reports from several threads while the program reads: none is lost. */
static void test_veventq_threads(void **state)
{
	struct fix *f = *state;
	enum { THREADS = 4, EACH = 200 };
	struct storm s = { f->ctx, f->dev.idev, EACH };
	uint32_t viommu, vdev, nested, qid, expect = 0;
	pthread_t t[THREADS];
	struct rec r;
	int fd, got = 0;

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu),
			 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, viommu, 0, &nested), 0);
	assert_int_equal(t_vdev(f->ctx, viommu, f->dev.idev, 7, &vdev), 0);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, nested), 0);
	assert_int_equal(t_veventq(f->ctx, viommu, THREADS * EACH, &qid, &fd),
			 0);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, storm_main, &s);
	while (got < THREADS * EACH) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_true(poll(&p, 1, 10000) == 1);
		while (read(fd, &r, sizeof(r)) == sizeof(r)) {
			assert_int_equal(r.hdr.flags, 0);
			assert_int_equal(r.hdr.sequence, expect++);
			assert_int_equal(r.ev.virt_id, 7);
			got++;
		}
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	close(fd);
	ufd_fdchan_flush(f->ctx);
	assert_int_equal(test_destroy(f->ctx, qid), 0);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, nested), 0);
	assert_int_equal(test_destroy(f->ctx, vdev), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), 0);
}

static void test_hw_queue(void **state)
{
	struct fix *f = *state;
	const uint32_t T = IOMMU_HW_QUEUE_TYPE_SELFTEST;
	uint64_t base = MOCK_APERTURE_START + 32 * PS, iova2 = base + PS;
	uint32_t viommu, q0, q1, id;
	uint8_t *a = t_alloc(PS, 4 * PS);

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu),
			 0);
	assert_int_equal(t_hw_queue(f->ctx, viommu, IOMMU_HW_QUEUE_TYPE_DEFAULT,
				    0, base, PS, &id),
			 -EOPNOTSUPP);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, base, 0, &id),
			 -EINVAL);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, ~0ull, PS, &id),
			 -EOVERFLOW);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, base, PS, &id),
			 -ENOENT);
	assert_int_equal(t_map(f->ctx, f->ioas, a, PS, base), 0);
	assert_int_equal(t_map(f->ctx, f->ioas, a + 2 * PS, PS, iova2), 0);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 1, base, PS, &id), -EIO);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, IOMMU_TEST_HW_QUEUE_MAX,
				    base, PS, &id),
			 -EINVAL);
	/* Two IOVA-adjacent pages that are not adjacent in memory. */
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, base, 2 * PS, &id),
			 -EFAULT);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, base, PS, &q0), 0);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 0, base, PS, &id),
			 -EEXIST);
	/* The queue's memory cannot be unmapped under the hardware. */
	assert_int_equal(t_unmap(f->ctx, f->ioas, base, PS), -EBUSY);
	assert_int_equal(t_unmap(f->ctx, f->ioas, iova2, PS), 0);
	assert_int_equal(t_hw_queue(f->ctx, viommu, T, 1, base + PS / 2, PS / 2,
				    &q1),
			 0);
	assert_int_equal(test_destroy(f->ctx, q0), -EBUSY);
	assert_int_equal(test_destroy(f->ctx, viommu), -EBUSY);
	assert_int_equal(test_destroy(f->ctx, q1), 0);
	assert_int_equal(test_destroy(f->ctx, q0), 0);
	assert_int_equal(t_unmap(f->ctx, f->ioas, base, PS), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), 0);
	free(a);
}

/* The C API's mmap: what a VMM linking libuiommufd does for a VINTF. */
static void test_api_mmap(void **state)
{
	struct fix *f = *state;
	struct iommu_viommu_selftest data = { .in_data = 0x5a5a };
	struct uiommufd_ctx *uctx = (struct uiommufd_ctx *)f->ctx;
	uint32_t viommu;
	uint32_t *p;

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				  sizeof(data), &viommu),
			 0);
	assert_int_equal(uiommufd_mmap(uctx, data.out_mmap_offset + PS,
				       data.out_mmap_length, (void **)&p),
			 -ENXIO);
	assert_int_equal(uiommufd_mmap(uctx, data.out_mmap_offset,
				       data.out_mmap_length, (void **)&p),
			 0);
	assert_int_equal(p[0], 0x5a5a);
	assert_int_equal(test_destroy(f->ctx, viommu), -EBUSY);
	assert_int_equal(uiommufd_munmap(p, data.out_mmap_length), 0);
	assert_int_equal(test_destroy(f->ctx, viommu), 0);
}

/* Context close tears everything down in a working order. */
static void test_teardown_all(void **state)
{
	struct fix *f = *state;
	struct iommu_viommu_selftest data = { .in_data = 1 };
	uint32_t viommu, vdev, nested, qid, hq;
	int fd;

	assert_int_equal(t_viommu(f->ctx, f->dev.idev, f->parent,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				  sizeof(data), &viommu),
			 0);
	assert_int_equal(t_nested(f->ctx, f->dev.idev, viommu, 0, &nested), 0);
	assert_int_equal(t_vdev(f->ctx, viommu, f->dev.idev, 5, &vdev), 0);
	assert_int_equal(t_replace(f->ctx, f->dev.stdev, nested), 0);
	assert_int_equal(t_veventq(f->ctx, viommu, 4, &qid, &fd), 0);
	assert_int_equal(t_hw_queue(f->ctx, viommu,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
				    MOCK_APERTURE_START, PS, &hq),
			 0);
	assert_int_equal(t_trigger(f->ctx, f->dev.idev), 0);
	close(fd);
	/* teardown() closes the context and checks that nothing leaked. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested_alloc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_viommu_alloc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vdevice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_veventq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_veventq_threads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hw_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_mmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_teardown_all, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
