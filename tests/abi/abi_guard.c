// SPDX-License-Identifier: BSD-3-Clause
/*
 * abi_guard: our uAPI headers and the system's in one program.
 *
 * Ours use the kernel's include guards, so whichever of the two is included
 * first wins and the other folds away. Each check below was compiled in its
 * own translation unit (abi_guard_*.c), because the order of includes is the
 * thing under test; here we look at what each of them saw. That those units
 * compiled at all with -Werror is the first half of the test: a guard that
 * did not match would have produced redefinition errors.
 *
 * Debian 12 ships <linux/vfio.h> but no <linux/iommufd.h>, so the real
 * system-header path is exercised for VFIO, and for iommufd when the system
 * has the header; abi_guard_installed.c and abi_guard_source.c cover the
 * iommufd guard names on any system by defining them first, as the system
 * header or the kernel tree's header would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "abi_guard.h"

/* Literal Linux values: VFIO_IOMMU_MAP_DMA, IOMMU_IOAS_MAP, struct sizes. */
#define LINUX_VFIO_IOMMU_MAP_DMA 0x3b71ul
#define LINUX_VFIO_DMA_MAP_SIZE 32
#define LINUX_VFIO_DMA_UNMAP_SIZE 24
#define LINUX_IOMMU_IOAS_MAP 0x3b85ul
#define LINUX_IOMMU_IOAS_MAP_SIZE 40

static void check_common(const struct abi_guard_seen *seen)
{
	assert_int_equal(seen->vfio_map_dma, LINUX_VFIO_IOMMU_MAP_DMA);
	assert_int_equal(seen->vfio_dma_map_size, LINUX_VFIO_DMA_MAP_SIZE);
	assert_int_equal(seen->vfio_dma_unmap_size, LINUX_VFIO_DMA_UNMAP_SIZE);
	/* Whichever header won, iommufd is declared, with Linux's layout. */
	assert_true(seen->iommufd_api);
	assert_int_equal(seen->iommu_ioas_map, LINUX_IOMMU_IOAS_MAP);
	assert_int_equal(seen->iommu_ioas_map_size, LINUX_IOMMU_IOAS_MAP_SIZE);
}

static void system_first_wins(void **state)
{
	struct abi_guard_seen seen = { 0 };

	abi_guard_system_first(&seen);
	print_message("system <linux/iommufd.h>: %s\n",
		      seen.system_iommufd ? "present" : "absent");
	/* The system's complete VFIO API is visible, not our subset. */
	assert_true(seen.vfio_device_api);
	check_common(&seen);
}

static void ours_first_wins(void **state)
{
	struct abi_guard_seen seen = { 0 };

	abi_guard_ours_first(&seen);
	/* Our subset won: the system's device API was folded away. */
	assert_false(seen.vfio_device_api);
	check_common(&seen);
}

static void installed_guard_folds_ours(void **state)
{
	struct abi_guard_seen seen = { 0 };

	abi_guard_installed_guard_set(&seen);
	assert_false(seen.iommufd_api);
	assert_int_equal(seen.vfio_map_dma, 0);
}

static void source_guard_folds_ours(void **state)
{
	struct abi_guard_seen seen = { 0 };

	abi_guard_source_guard_set(&seen);
	assert_false(seen.iommufd_api);
	assert_int_equal(seen.vfio_map_dma, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(system_first_wins),
		cmocka_unit_test(ours_first_wins),
		cmocka_unit_test(installed_guard_folds_ours),
		cmocka_unit_test(source_guard_folds_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
