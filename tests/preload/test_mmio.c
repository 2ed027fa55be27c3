// SPDX-License-Identifier: BSD-3-Clause
/*
 * mmap() of an iommufd under the preload library, as a VMM does it: the
 * mock vIOMMU exports two pages; only their offset and length map; the
 * program and the vIOMMU see the same memory; the mapping holds the vIOMMU
 * until every page of it is unmapped, and the context after the iommufd is
 * closed. Written against the Linux uAPI only.
 */
#include <sys/mman.h>

#include "preload_test.h"
#include "uiommufd/uapi/iommufd_test.h"

#define PS 4096ul

struct viommu_fix {
	int fd;
	uint32_t viommu;
	struct iommu_viommu_selftest data;
};

static void viommu_setup(struct viommu_fix *v)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.data_len = sizeof(v->data),
	};

	v->fd = iommu_open();
	assert_int_equal(ioctl_rc(v->fd, IOMMU_IOAS_ALLOC, &ioas), 0);
	mock.id = ioas.out_ioas_id;
	assert_int_equal(ioctl_rc(v->fd, IOMMU_TEST_CMD, &mock), 0);
	parent.dev_id = mock.mock_domain.out_idev_id;
	parent.pt_id = ioas.out_ioas_id;
	assert_int_equal(ioctl_rc(v->fd, IOMMU_HWPT_ALLOC, &parent), 0);
	v->data.in_data = 0xfeedbeef;
	va.dev_id = parent.dev_id;
	va.hwpt_id = parent.out_hwpt_id;
	va.data_uptr = (uintptr_t)&v->data;
	assert_int_equal(ioctl_rc(v->fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	v->viommu = va.out_viommu_id;
	assert_int_equal(v->data.out_data, 0xfeedbeef);
	assert_int_equal(v->data.out_mmap_length, 2 * PS);
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return ioctl_rc(fd, IOMMU_DESTROY, &d);
}

static void check_enxio(int fd, size_t len, off_t off)
{
	errno = 0;
	assert_true(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 off) == MAP_FAILED);
	assert_int_equal(errno, ENXIO);
}

static void test_map_and_hold(void **state)
{
	struct viommu_fix v;
	uint32_t *p;

	viommu_setup(&v);
	check_enxio(v.fd, v.data.out_mmap_length, v.data.out_mmap_offset + PS);
	check_enxio(v.fd, v.data.out_mmap_length / 2, v.data.out_mmap_offset);
	check_enxio(v.fd, v.data.out_mmap_length * 2, v.data.out_mmap_offset);
	p = mmap(NULL, v.data.out_mmap_length, PROT_READ | PROT_WRITE,
		 MAP_SHARED, v.fd, v.data.out_mmap_offset);
	assert_true(p != MAP_FAILED);
	assert_int_equal(p[0], 0xfeedbeef);
	/* The same memory for a second mapping: a store shows through. */
	{
		uint32_t *q = mmap(NULL, v.data.out_mmap_length, PROT_READ,
				   MAP_SHARED, v.fd, v.data.out_mmap_offset);

		assert_true(q != MAP_FAILED);
		p[1] = 42;
		assert_int_equal(q[1], 42);
		assert_int_equal(munmap(q, v.data.out_mmap_length), 0);
	}
	assert_int_equal(destroy(v.fd, v.viommu), -EBUSY);
	/* Half unmapped still holds it; the other half lets go. */
	assert_int_equal(munmap(p, PS), 0);
	assert_int_equal(destroy(v.fd, v.viommu), -EBUSY);
	assert_int_equal(munmap((char *)p + PS, PS), 0);
	assert_int_equal(destroy(v.fd, v.viommu), 0);
	close(v.fd);
}

/* The mapping keeps the context: it works after the iommufd is closed. */
static void test_outlives_fd(void **state)
{
	struct viommu_fix v;
	volatile uint32_t *p;

	viommu_setup(&v);
	p = mmap(NULL, v.data.out_mmap_length, PROT_READ | PROT_WRITE,
		 MAP_SHARED, v.fd, v.data.out_mmap_offset);
	assert_true(p != MAP_FAILED);
	close(v.fd);
	p[0] = 7;
	assert_int_equal(p[0], 7);
	assert_int_equal(munmap((void *)p, v.data.out_mmap_length), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_and_hold),
		cmocka_unit_test(test_outlives_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
