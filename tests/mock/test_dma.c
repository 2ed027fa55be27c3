// SPDX-License-Identifier: BSD-3-Clause
/*
 * DMA by mock devices end to end: by PASID through the HWPT attached at
 * that PASID, and DMA that faults on a HWPT with a fault queue, raising an
 * I/O page fault the program answers (success: the DMA goes on; anything
 * else, or the device leaving the HWPT: it fails).
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mock_test.h"

#include "core/fault_fd.h"

#define PS ((uint64_t)sysconf(_SC_PAGESIZE))
#define IOVA ((uint64_t)MOCK_APERTURE_START)

struct fix {
	struct ufd_ctx *ctx;
	uint32_t ioas;
	uint8_t *buf; /* 8 pages */
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	f->buf = t_alloc(PS, 8 * PS);
	memset(f->buf, 0, 8 * PS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	ufd_fdchan_flush(NULL);
	free(f->buf);
	free(f);
	assert_int_equal(ufd_alloc_live(), 0);
	return 0;
}

static long t_pasid(struct ufd_ctx *ctx, uint32_t op, uint32_t stdev,
		    uint32_t pasid, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev,
		.pasid_attach = { .pasid = pasid, .pt_id = pt },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

/* PASID-tagged DMA goes through the PASID's HWPT, untagged the device's. */
static void test_pasid_dma(void **state)
{
	struct fix *f = *state;
	uint32_t ioas2 = test_ioas_alloc(f->ctx), rid_hwpt, pasid_hwpt;
	uint8_t *other = t_alloc(PS, PS);
	struct mock_dev m;
	struct ufd_dev *dev;
	char out[8];

	memcpy(f->buf, "rid....", 8);
	memcpy(other, "pasid..", 8);
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf, PS, IOVA), 0);
	assert_int_equal(t_map(f->ctx, ioas2, other, PS, IOVA), 0);
	assert_int_equal(
		t_mock_dev(f->ctx, f->ioas, MOCK_FLAGS_DEVICE_PASID, &m), 0);
	dev = t_dev(f->ctx, m.stdev);
	assert_int_equal(t_hwpt_alloc(f->ctx, m.idev, f->ioas,
				      IOMMU_HWPT_ALLOC_PASID, &rid_hwpt),
			 0);
	assert_int_equal(t_replace(f->ctx, m.stdev, rid_hwpt), 0);
	assert_int_equal(t_hwpt_alloc(f->ctx, m.idev, ioas2,
				      IOMMU_HWPT_ALLOC_PASID, &pasid_hwpt),
			 0);
	/* Nothing at PASID 9 yet: the DMA faults. */
	assert_int_equal(ufd_dev_dma_pasid(dev, 9, IOVA, out, 8, false),
			 -EFAULT);
	assert_int_equal(t_pasid(f->ctx, IOMMU_TEST_OP_PASID_ATTACH, m.stdev, 9,
				 pasid_hwpt),
			 0);
	assert_int_equal(ufd_dev_dma_pasid(dev, 9, IOVA, out, 8, false), 0);
	assert_string_equal(out, "pasid..");
	assert_int_equal(ufd_dev_dma(dev, IOVA, out, 8, false), 0);
	assert_string_equal(out, "rid....");
	assert_int_equal(ufd_dev_dma_pasid(dev, 10, IOVA, out, 8, false),
			 -EFAULT);
	/* Writes land in the PASID's memory. */
	assert_int_equal(
		ufd_dev_dma_pasid(dev, 9, IOVA + 8, "written", 8, true), 0);
	assert_string_equal((char *)other + 8, "written");
	assert_int_equal(
		t_pasid(f->ctx, IOMMU_TEST_OP_PASID_DETACH, m.stdev, 9, 0), 0);
	assert_int_equal(ufd_dev_dma_pasid(dev, 9, IOVA, out, 8, false),
			 -EFAULT);
	assert_int_equal(test_destroy(f->ctx, m.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, pasid_hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, rid_hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, ioas2), 0);
	free(other);
}

struct dma_job {
	struct ufd_dev *dev;
	uint64_t iova;
	char data[16];
	int rc;
};

static void *dma_main(void *arg)
{
	struct dma_job *j = arg;

	j->rc = ufd_dev_dma(j->dev, j->iova, j->data, sizeof(j->data), true);
	return NULL;
}

/* A mock device on a HWPT whose faults go to a fresh queue. */
static void fault_setup(struct fix *f, struct mock_dev *m, uint32_t *hwpt,
			uint32_t *fault_id, int *fault_fd)
{
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };

	assert_int_equal(test_ioctl(f->ctx, IOMMU_FAULT_QUEUE_ALLOC, &fa), 0);
	*fault_id = fa.out_fault_id;
	*fault_fd = (int)fa.out_fault_fd;
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, m), 0);
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.flags = IOMMU_HWPT_FAULT_ID_VALID,
			.dev_id = m->idev,
			.pt_id = f->ioas,
			.fault_id = *fault_id,
		};

		assert_int_equal(test_ioctl(f->ctx, IOMMU_HWPT_ALLOC, &cmd), 0);
		*hwpt = cmd.out_hwpt_id;
	}
	assert_int_equal(t_replace(f->ctx, m->stdev, *hwpt), 0);
}

static void read_fault(int fd, struct iommu_hwpt_pgfault *rec)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_int_equal(read(fd, rec, sizeof(*rec)), sizeof(*rec));
}

static void respond(int fd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	assert_int_equal(write(fd, &r, sizeof(r)), sizeof(r));
}

/* The program maps the page and answers success: the DMA completes. */
static void test_fault_resolved(void **state)
{
	struct fix *f = *state;
	struct dma_job job = { .iova = IOVA + PS + 8, .data = "page fault!" };
	struct iommu_hwpt_pgfault rec;
	uint32_t hwpt, fault_id;
	struct mock_dev m;
	pthread_t t;
	int fd;

	fault_setup(f, &m, &hwpt, &fault_id, &fd);
	job.dev = t_dev(f->ctx, m.stdev);
	pthread_create(&t, NULL, dma_main, &job);
	read_fault(fd, &rec);
	assert_int_equal(rec.dev_id, m.idev);
	assert_int_equal(rec.addr, job.iova);
	assert_int_equal(rec.perm, IOMMU_PGFAULT_PERM_WRITE);
	assert_true(rec.flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_false(rec.flags & IOMMU_PGFAULT_FLAGS_PASID_VALID);
	assert_int_equal(t_map(f->ctx, f->ioas, f->buf + PS, PS, IOVA + PS), 0);
	respond(fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	pthread_join(t, NULL);
	assert_int_equal(job.rc, 0);
	assert_string_equal((char *)f->buf + PS + 8, "page fault!");

	assert_int_equal(test_destroy(f->ctx, m.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	close(fd);
	ufd_fdchan_flush(f->ctx);
	assert_int_equal(test_destroy(f->ctx, fault_id), 0);
}

/* Any other answer, or none because the device left: the DMA fails. */
static void test_fault_refused(void **state)
{
	struct fix *f = *state;
	struct dma_job job = { .iova = IOVA, .data = "nope" };
	struct iommu_hwpt_pgfault rec;
	uint32_t hwpt, fault_id;
	struct mock_dev m;
	pthread_t t;
	int fd;

	fault_setup(f, &m, &hwpt, &fault_id, &fd);
	job.dev = t_dev(f->ctx, m.stdev);
	pthread_create(&t, NULL, dma_main, &job);
	read_fault(fd, &rec);
	respond(fd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID);
	pthread_join(t, NULL);
	assert_int_equal(job.rc, -EFAULT);

	/* Unanswered when the device moves away: answered for it. */
	pthread_create(&t, NULL, dma_main, &job);
	read_fault(fd, &rec);
	assert_int_equal(t_replace(f->ctx, m.stdev, f->ioas), 0);
	pthread_join(t, NULL);
	assert_int_equal(job.rc, -EFAULT);

	/* Without a fault queue a fault just fails the DMA. */
	assert_int_equal(ufd_dev_dma(job.dev, IOVA, job.data, 4, true),
			 -EFAULT);

	assert_int_equal(test_destroy(f->ctx, m.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	close(fd);
	ufd_fdchan_flush(f->ctx);
	assert_int_equal(test_destroy(f->ctx, fault_id), 0);
}

struct churn {
	struct ufd_dev *dev;
	atomic_bool stop;
	unsigned long ok, faults;
};

static void *churn_dma(void *arg)
{
	struct churn *c = arg;
	static __thread uint8_t buf[16384];

	while (!atomic_load(&c->stop)) {
		int rc = ufd_dev_dma(c->dev, IOVA, buf, sizeof(buf),
				     (c->ok + c->faults) & 1);

		if (rc)
			c->faults++;
		else
			c->ok++;
	}
	return NULL;
}

/*
 * Unmapping a memfd window (whose memory we unmap ourselves when the area
 * goes) while a device streams DMA through it: every DMA either completes
 * or faults, none touches the memory after it is gone (that would crash).
 */
static void test_dma_vs_unmap(void **state)
{
	struct fix *f = *state;
	struct churn c = { 0 };
	struct mock_dev m;
	pthread_t t;
	int fd = memfd_create("dma-vs-unmap", MFD_CLOEXEC), i;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 16384), 0);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &m), 0);
	c.dev = t_dev(f->ctx, m.stdev);
	pthread_create(&t, NULL, churn_dma, &c);
	for (i = 0; i < 2000; i++) {
		struct iommu_ioas_map_file map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE |
				 IOMMU_IOAS_MAP_FIXED_IOVA,
			.ioas_id = f->ioas,
			.fd = fd,
			.length = 16384,
			.iova = IOVA,
		};

		assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_MAP_FILE, &map),
				 0);
		assert_int_equal(t_unmap(f->ctx, f->ioas, IOVA, 16384), 0);
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	assert_true(c.ok + c.faults > 0);
	assert_int_equal(test_destroy(f->ctx, m.stdev), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pasid_dma, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_resolved, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dma_vs_unmap, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
