// SPDX-License-Identifier: BSD-3-Clause
/*
 * IOMMU_HWPT_ALLOC on the mock IOMMU: allocation flags (DIRTY_TRACKING,
 * NEST_PARENT, PASID, FAULT_ID_VALID), the mock's driver data (struct
 * iommu_hwpt_selftest: default and huge page tables) with the errno of
 * every malformed variant, and what each table type does to the IOAS
 * (aperture, alignment) and to the mappings (huge leaves).
 */
#include "mock_test.h"

struct fix {
	int64_t live;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct mock_dev dev;
};

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->live = ufd_alloc_live();
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	assert_int_equal(t_mock_dev(f->ctx, f->ioas, 0, &f->dev), 0);
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	ufd_ctx_put(f->ctx);
	assert_int_equal(ufd_alloc_live(), f->live);
	free(f);
	return 0;
}

/* The usable ranges and alignment of @ioas. */
static void ranges(struct fix *f, uint32_t ioas, struct iommu_iova_range *r,
		   uint32_t *n, uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)r,
	};

	assert_int_equal(test_ioctl(f->ctx, IOMMU_IOAS_IOVA_RANGES, &cmd), 0);
	*n = cmd.num_iovas;
	*align = cmd.out_iova_alignment;
}

static void test_flags(void **state)
{
	struct fix *f = *state;
	struct mock_dev nd, other;
	uint32_t hwpt, ioas2, fault_less;

	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas,
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt),
			 0);
	/* A device whose IOMMU tracks dirty pages joins it... */
	assert_int_equal(t_mock_dev(f->ctx, hwpt, 0, &other), 0);
	assert_int_equal(other.hwpt, hwpt);
	/* ...one whose IOMMU cannot is refused, as by the kernel's mock. */
	assert_int_equal(t_mock_dev(f->ctx, hwpt, MOCK_FLAGS_DEVICE_NO_DIRTY,
				    &nd),
			 -EINVAL);
	assert_int_equal(test_destroy(f->ctx, other.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);

	/* Asking for dirty tracking through a device that cannot: refused. */
	ioas2 = test_ioas_alloc(f->ctx);
	assert_int_equal(
		t_mock_dev(f->ctx, ioas2, MOCK_FLAGS_DEVICE_NO_DIRTY, &nd), 0);
	assert_int_equal(t_hwpt_alloc(f->ctx, nd.idev, ioas2,
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt),
			 -EOPNOTSUPP);
	assert_int_equal(t_hwpt_alloc_pt(f->ctx, nd.idev, ioas2,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 MOCK_IOMMUPT_HUGE, &hwpt),
			 -EOPNOTSUPP);
	assert_int_equal(t_hwpt_alloc(f->ctx, nd.idev, ioas2, 0, &hwpt), 0);
	/* But it still attaches to an ordinary HWPT. */
	assert_int_equal(t_replace(f->ctx, nd.stdev, hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, nd.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);

	/* The other flags the mock honours. */
	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas,
				      IOMMU_HWPT_ALLOC_NEST_PARENT |
					      IOMMU_HWPT_ALLOC_PASID |
					      IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				      &hwpt),
			 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	/* A fault queue is for stage-1 HWPTs, never a nesting parent. */
	fault_less = 0;
	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas,
				      IOMMU_HWPT_ALLOC_NEST_PARENT |
					      IOMMU_HWPT_FAULT_ID_VALID,
				      &fault_less),
			 -EOPNOTSUPP);
	/* An unknown flag. */
	assert_int_equal(t_hwpt_alloc(f->ctx, f->dev.idev, f->ioas, 1u << 8,
				      &hwpt),
			 -EOPNOTSUPP);
	/* Failures left nothing: the IOAS, the device's three, ioas2. */
	assert_int_equal(ufd_object_count(f->ctx), 5);
}

static void test_data_errors(void **state)
{
	struct fix *f = *state;
	struct {
		struct iommu_hwpt_selftest s;
		uint64_t tail;
	} big = { { IOMMU_TEST_IOTLB_DEFAULT, MOCK_IOMMUPT_DEFAULT }, 0 };
	struct iommu_iova_range r[4];
	uint32_t hwpt, ioas, n;
	uint64_t align;

	/* Data and type come together. */
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_NONE, &big, 8,
					   &hwpt),
			 -EINVAL);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big, 0,
					   &hwpt),
			 -EINVAL);
	/* A type the mock does not know. */
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_ARM_SMMUV3, &big, 8,
					   &hwpt),
			 -EOPNOTSUPP);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   0x1234, &big, 8, &hwpt),
			 -EOPNOTSUPP);
	/* Shorter than the first version (iotlb). */
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big, 3,
					   &hwpt),
			 -EINVAL);
	/* Longer than ours: refused whatever the tail holds, as Linux. */
	big.tail = 1;
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big,
					   sizeof(big), &hwpt),
			 -EINVAL);
	big.tail = 0;
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big,
					   sizeof(big), &hwpt),
			 -EINVAL);
	/* Memory the caller cannot have. */
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, NULL, 8,
					   &hwpt),
			 -EFAULT);
	/* A page table type the mock does not have. */
	big.tail = 0;
	big.s.pagetable_type = MOCK_IOMMUPT_HUGE + 1;
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big, 8,
					   &hwpt),
			 -EOPNOTSUPP);
	assert_int_equal(ufd_object_count(f->ctx), 4);

	/* Exactly ours; shorter but complete (iotlb only). */
	big.s.pagetable_type = MOCK_IOMMUPT_DEFAULT;
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, f->ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big,
					   sizeof(big.s), &hwpt),
			 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	/* pagetable_type lies beyond the 4 bytes passed: it reads as 0. */
	big.s.pagetable_type = MOCK_IOMMUPT_HUGE;
	ioas = test_ioas_alloc(f->ctx);
	assert_int_equal(t_hwpt_alloc_data(f->ctx, f->dev.idev, ioas, 0,
					   IOMMU_HWPT_DATA_SELFTEST, &big, 4,
					   &hwpt),
			 0);
	ranges(f, ioas, r, &n, &align);
	assert_int_equal(r[0].start, MOCK_APERTURE_START);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, ioas), 0);
	/* Data with NEST_PARENT is fine in Linux 7.3. */
	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->dev.idev, f->ioas,
					 IOMMU_HWPT_ALLOC_NEST_PARENT,
					 MOCK_IOMMUPT_DEFAULT, &hwpt),
			 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
}

/* The default table: the mock aperture and 2 KiB pages only. */
static void test_default_table(void **state)
{
	struct fix *f = *state;
	uint32_t ioas = test_ioas_alloc(f->ctx), hwpt, n;
	struct iommu_iova_range r[4];
	uint64_t align;
	uint8_t *buf = t_alloc(MiB, 2 * MiB);

	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->dev.idev, ioas, 0,
					 MOCK_IOMMUPT_DEFAULT, &hwpt),
			 0);
	ranges(f, ioas, r, &n, &align);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, MOCK_APERTURE_START);
	assert_int_equal(r[0].last, MOCK_APERTURE_LAST);
	assert_int_equal(align, MPS);
	/* Even a huge-aligned mapping is made of 2 KiB leaves. */
	assert_int_equal(t_map(f->ctx, ioas, buf, 2 * MiB, MOCK_APERTURE_START),
			 0);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, MOCK_APERTURE_START), 11);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, MOCK_APERTURE_START + MiB),
			 11);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, ioas), 0);
	free(buf);
}

/*
 * The huge table: the whole 38-bit table is usable (the kernel leaves the
 * huge variant's aperture alone), pages are the CPU page and
 * MOCK_HUGE_PAGE_SIZE, and a mapping aligned for it uses huge leaves.
 */
static void test_huge_table(void **state)
{
	struct fix *f = *state;
	uint32_t ioas = test_ioas_alloc(f->ctx), hwpt, n;
	struct iommu_iova_range r[4];
	struct mock_dev d;
	uint64_t align, iova = 64 * MiB;
	uint8_t *buf = t_alloc(MiB, 3 * MiB);
	char out[8];
	struct iommu_test_cmd check = {
		.size = sizeof(check),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
	};

	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->dev.idev, ioas, 0,
					 MOCK_IOMMUPT_HUGE, &hwpt),
			 0);
	ranges(f, ioas, r, &n, &align);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, (1ull << 38) - 1);
	assert_int_equal(align, 4096);
	/* 1 MiB + 2 MiB: a huge leaf where aligned, CPU pages elsewhere. */
	assert_int_equal(t_map(f->ctx, ioas, buf, MiB, iova), 0);
	assert_int_equal(t_map(f->ctx, ioas, buf + MiB + 4096, MiB - 4096,
			       iova + MiB + 4096),
			 0);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, iova), 20);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, iova + MiB - 1), 20);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, iova + MiB + 4096), 12);
	check.id = hwpt;
	check.check_map.iova = iova;
	check.check_map.length = MiB;
	check.check_map.uptr = (uintptr_t)buf;
	assert_int_equal(test_ioctl(f->ctx, IOMMU_TEST_CMD, &check), 0);

	/* DMA through a huge leaf reaches the right byte. */
	assert_int_equal(t_mock_dev(f->ctx, hwpt, 0, &d), 0);
	memcpy(buf + 0x54321, "huge!", 6);
	assert_int_equal(ufd_dev_dma(t_dev(f->ctx, d.stdev), iova + 0x54321,
				     out, 6, false),
			 0);
	assert_string_equal(out, "huge!");
	/* The CPU page the second mapping left out does not translate. */
	assert_int_equal(ufd_dev_dma(t_dev(f->ctx, d.stdev), iova + MiB, out, 1,
				     false),
			 -EFAULT);
	/* Unaligned to the CPU page: refused by the IOAS. */
	assert_int_equal(t_map(f->ctx, ioas, buf + 2 * MiB, MPS, 8 * MiB),
			 -EINVAL);
	assert_int_equal(test_destroy(f->ctx, d.stdev), 0);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, ioas), 0);
	free(buf);
}

/* A huge table on an IOAS with a mapping outside the mock aperture. */
static void test_huge_aperture(void **state)
{
	struct fix *f = *state;
	uint32_t ioas = test_ioas_alloc(f->ctx), hwpt;
	uint8_t *buf = t_alloc(4096, 4096);

	/* IOVA 4 KiB: outside the default aperture, inside the huge one. */
	assert_int_equal(t_map(f->ctx, ioas, buf, 4096, 4096), 0);
	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->dev.idev, ioas, 0,
					 MOCK_IOMMUPT_DEFAULT, &hwpt),
			 -EADDRINUSE);
	assert_int_equal(t_hwpt_alloc_pt(f->ctx, f->dev.idev, ioas, 0,
					 MOCK_IOMMUPT_HUGE, &hwpt),
			 0);
	assert_int_equal(t_leaf_lg2(f->ctx, hwpt, 4096), 12);
	assert_int_equal(test_destroy(f->ctx, hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, ioas), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flags, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_data_errors, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_default_table, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_huge_table, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_huge_aperture, fix_setup,
						fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
