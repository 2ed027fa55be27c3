// SPDX-License-Identifier: BSD-3-Clause
/*
 * Access objects: an emulated device's path to IOAS memory. Lifetime
 * against IOMMU_DESTROY, attach/replace/detach, pin and read/write by IOVA,
 * and the unmap contract with the device's callback.
 */
#include "core_test.h"
#include "core/access.h"

#define PS 4096ull

static uint8_t buf[8 * 4096] __attribute__((aligned(4096)));

struct device {
	struct ufd_access *access;
	uint64_t pinned_iova, pinned_len;
	unsigned int unmaps;
};

static void device_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct device *d = data;

	d->unmaps++;
	if (d->pinned_len && d->pinned_iova <= iova + (length - 1) &&
	    iova <= d->pinned_iova + (d->pinned_len - 1)) {
		ufd_access_unpin_pages(d->access, d->pinned_iova,
				       d->pinned_len);
		d->pinned_len = 0;
	}
}

static const struct ufd_access_ops device_ops = {
	.needs_pin_pages = true,
	.unmap = device_unmap,
};

static uint64_t map(struct ufd_ctx *ctx, uint32_t ioas, uint64_t len)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = len,
	};

	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_MAP, &cmd), 0);
	return cmd.iova;
}

static void test_access_lifecycle(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t a = test_ioas_alloc(ctx), b = test_ioas_alloc(ctx);
	struct device dev = { 0 };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	uintptr_t pages[2];
	uint64_t iova;
	char msg[16] = "through iova";

	dev.access = ufd_access_create(ctx, &device_ops, &dev);
	assert_false(IS_ERR(dev.access));
	/* The creator owns it: userspace cannot destroy it. */
	assert_int_equal(test_destroy(ctx, dev.access->obj.id), -EBUSY);
	assert_int_equal(ufd_access_rw(dev.access, 0, msg, 4, 0), -ENOENT);
	assert_int_equal(ufd_access_attach(dev.access, 99), -ENOENT);
	assert_int_equal(ufd_access_attach(dev.access, a), 0);
	assert_int_equal(ufd_access_attach(dev.access, a), -EINVAL);
	/* The IOAS is in use while the access is on it. */
	assert_int_equal(test_destroy(ctx, a), -EBUSY);

	iova = map(ctx, a, 2 * PS);
	assert_int_equal(ufd_access_rw(dev.access, iova + 100, msg, sizeof(msg),
				       UFD_ACCESS_WRITE),
			 0);
	assert_memory_equal(buf + 100, msg, sizeof(msg));
	assert_int_equal(ufd_access_pin_pages(dev.access, iova, 2 * PS, pages,
					      UFD_ACCESS_WRITE),
			 0);
	assert_ptr_equal((void *)pages[0], buf);
	assert_ptr_equal((void *)pages[1], buf + PS);
	dev.pinned_iova = iova;
	dev.pinned_len = 2 * PS;

	/* Unmap tells the device, which unpins; then the unmap completes. */
	unmap.ioas_id = a;
	unmap.iova = iova;
	unmap.length = 2 * PS;
	assert_int_equal(test_ioctl(ctx, IOMMU_IOAS_UNMAP, &unmap), 0);
	assert_int_equal(dev.pinned_len, 0);
	assert_true(dev.unmaps >= 1);

	/* Replace moves it; pins on the old IOAS are dropped first. */
	iova = map(ctx, a, PS);
	assert_int_equal(ufd_access_pin_pages(dev.access, iova, PS, pages, 0),
			 0);
	dev.pinned_iova = iova;
	dev.pinned_len = PS;
	assert_int_equal(ufd_access_replace(dev.access, 99), -ENOENT);
	assert_int_equal(ufd_access_replace(dev.access, b), 0);
	assert_int_equal(dev.pinned_len, 0);
	assert_int_equal(test_destroy(ctx, a), 0);
	assert_int_equal(test_destroy(ctx, b), -EBUSY);
	ufd_access_destroy(dev.access);
	assert_int_equal(test_destroy(ctx, b), 0);
	assert_int_equal(ufd_object_count(ctx), 0);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
