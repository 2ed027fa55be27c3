/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test interface of iommufd: IOMMU_TEST_CMD and the data formats of the
 * mock IOMMU driver, laid out exactly as Linux's
 * drivers/iommu/iommufd/iommufd_test.h (Linux 7.3).
 *
 * What this is. A kernel built with CONFIG_IOMMUFD_TEST accepts one extra
 * ioctl, IOMMU_TEST_CMD, that lets the iommufd selftests create mock devices
 * behind a mock IOMMU, inspect what the mock hardware would see, inject
 * faults and events, and exercise in-kernel access paths. uiommufd offers
 * the same interface so that test suites written for the kernel run
 * unchanged against it. The kernel's header is not a uAPI header (it lives
 * next to the driver and uses the kernel's spelling of types); this one is
 * a clean user-space declaration of the same layout.
 *
 * Invariants. As in iommufd.h: names, values and layouts equal the kernel's,
 * and tests/abi checks each one against numbers generated from the kernel's
 * header. The op numbers are positions in an enum that only grows at its
 * end, so an old test binary keeps calling the same ops.
 *
 * Calling convention. struct iommu_test_cmd follows the iommufd size rules
 * (see iommufd.h). @id names the object an op works on (an IOAS, a HWPT,
 * an access or a mock device, depending on the op) and the union holds the
 * op's own arguments. The mock IOMMU translates with its own page table
 * format and a page size smaller than the CPU's (MOCK_PAGE_SIZE), so tests
 * also cover IOMMU pages that are smaller than CPU pages.
 *
 * Include guard: the kernel header's guard name, so a program that includes
 * both gets whichever comes first.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/types.h>

#include "iommufd.h"

/*
 * IOMMU_TEST_CMD ops (the op field). Each op names the union member that
 * carries its arguments.
 */
enum {
	/* add_reserved: reserve [start, start + length) in IOAS @id. */
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	/*
	 * mock_domain: create a mock device and attach it to the IOAS or HWPT
	 * @id; returns the mock device, its HWPT and its bound device IDs.
	 */
	IOMMU_TEST_OP_MOCK_DOMAIN,
	/*
	 * check_map: check that the mock HWPT @id translates every page of
	 * [iova, iova + length) to the memory at uptr.
	 */
	IOMMU_TEST_OP_MD_CHECK_MAP,
	/* check_refs: check the reference count of each page of uptr. */
	IOMMU_TEST_OP_MD_CHECK_REFS,
	/* create_access: create an in-kernel access to IOAS @id, as an fd. */
	IOMMU_TEST_OP_CREATE_ACCESS,
	/* destroy_access_pages: unpin pages an access pinned earlier. */
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	/* access_pages: pin an IOVA range through access @id. */
	IOMMU_TEST_OP_ACCESS_PAGES,
	/* access_rw: copy between an IOVA range and user memory. */
	IOMMU_TEST_OP_ACCESS_RW,
	/*
	 * memory_limit: cap, in bytes, the temporary memory that pinning uses
	 * per batch, so that large operations take their multi-batch paths.
	 */
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	/* mock_domain_replace: move mock device @id to another IOAS/HWPT. */
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	/* access_replace_ioas: move access @id to another IOAS. */
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	/* mock_domain_flags: IOMMU_TEST_OP_MOCK_DOMAIN with device flags. */
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	/* dirty: mark pages of mock HWPT @id dirty, as the hardware would. */
	IOMMU_TEST_OP_DIRTY,
	/* check_iotlb: check one entry of nested mock HWPT @id's IOTLB. */
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	/* trigger_iopf: make a mock device raise an I/O page fault. */
	IOMMU_TEST_OP_TRIGGER_IOPF,
	/* check_dev_cache: check one entry of mock device @id's cache. */
	IOMMU_TEST_OP_DEV_CHECK_CACHE,
	/* trigger_vevent: make the mock vIOMMU report an event for a device. */
	IOMMU_TEST_OP_TRIGGER_VEVENT,
	/* pasid_attach: attach a PASID of mock device @id. */
	IOMMU_TEST_OP_PASID_ATTACH,
	/* pasid_replace: move an attached PASID of mock device @id. */
	IOMMU_TEST_OP_PASID_REPLACE,
	/* pasid_detach: detach a PASID of mock device @id. */
	IOMMU_TEST_OP_PASID_DETACH,
	/* pasid_check: check what a PASID of mock device @id is attached to. */
	IOMMU_TEST_OP_PASID_CHECK_HWPT,
	/* dmabuf_get: create a test dma-buf; the ioctl returns its fd. */
	IOMMU_TEST_OP_DMABUF_GET,
	/* dmabuf_revoke: revoke (or restore) a test dma-buf. */
	IOMMU_TEST_OP_DMABUF_REVOKE,
};

/* Page table formats of the mock IOMMU (struct iommu_hwpt_selftest). */
enum {
	/* Only MOCK_PAGE_SIZE pages. */
	MOCK_IOMMUPT_DEFAULT = 0,
	/* Also MOCK_HUGE_PAGE_SIZE pages. */
	MOCK_IOMMUPT_HUGE,
};

/* Geometry of the mock IOMMU, for the MOCK_IOMMUPT_DEFAULT format. */
enum {
	/* First and last IOVA the mock IOMMU can translate. */
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
	/* The mock IOMMU page, deliberately smaller than a CPU page. */
	MOCK_PAGE_SIZE = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* access_pages.flags; MOCK_FLAGS_ACCESS_SYZ is also valid in access_rw.flags */
enum {
	/* Pin for writing. */
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	/*
	 * The IOVA comes from a fuzzer, in an encoding that is turned into an
	 * IOVA of the access's IOAS before use.
	 */
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* access_rw.flags */
enum {
	/* Copy from user memory to the IOVA range (default: the reverse). */
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	/* Take the page-by-page path even where a faster one exists. */
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* create_access.flags */
enum {
	/* The access will pin pages, so it must be told about unmaps. */
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* mock_domain_flags.dev_flags */
enum {
	/* The device's IOMMU cannot track dirty pages. */
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	/* The device supports PASIDs (MOCK_PASID_WIDTH bits). */
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/* IOTLB entries of a nested mock HWPT: 0..MOCK_NESTED_DOMAIN_IOTLB_ID_MAX */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* The cache of a mock device: entries 0..MOCK_DEV_CACHE_ID_MAX */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/* A PASID kept free for the PASID replace tests. */
#define IOMMU_TEST_PASID_RESERVED 1024

/**
 * struct iommu_test_cmd - argument of IOMMU_TEST_CMD
 * @size: sizeof(struct iommu_test_cmd)
 * @op: one of the IOMMU_TEST_OP_* values
 * @id: the object the op works on (see each op)
 * @__reserved: must be 0
 * @last: marks the end of the struct; unused
 *
 * The union member named after the op carries its arguments; fields
 * prefixed out_ are outputs.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		/* IOMMU_TEST_OP_ADD_RESERVED */
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		/* IOMMU_TEST_OP_MOCK_DOMAIN */
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			/* An ordinary bound-device ID, usable anywhere. */
			__u32 out_idev_id;
		} mock_domain;
		/* IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS */
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			/* Combination of MOCK_FLAGS_DEVICE_*. */
			__u32 dev_flags;
		} mock_domain_flags;
		/* IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE */
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		/* IOMMU_TEST_OP_MD_CHECK_MAP */
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		/* IOMMU_TEST_OP_MD_CHECK_REFS */
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		/* IOMMU_TEST_OP_CREATE_ACCESS */
		struct {
			__u32 out_access_fd;
			/* Combination of MOCK_FLAGS_ACCESS_CREATE_*. */
			__u32 flags;
		} create_access;
		/* IOMMU_TEST_OP_DESTROY_ACCESS_PAGES */
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		/* IOMMU_TEST_OP_ACCESS_PAGES */
		struct {
			/* Combination of MOCK_FLAGS_ACCESS_*. */
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			/* The memory the pinned pages must be. */
			__aligned_u64 uptr;
		} access_pages;
		/* IOMMU_TEST_OP_ACCESS_RW */
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			/* Combination of MOCK_ACCESS_RW_*. */
			__u32 flags;
		} access_rw;
		/* IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT */
		struct {
			__u32 limit;
		} memory_limit;
		/* IOMMU_TEST_OP_ACCESS_REPLACE_IOAS */
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		/* IOMMU_TEST_OP_DIRTY */
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			/* Bitmap: which page_size units to dirty. */
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		/* IOMMU_TEST_OP_MD_CHECK_IOTLB */
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		/* IOMMU_TEST_OP_TRIGGER_IOPF */
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		/* IOMMU_TEST_OP_DEV_CHECK_CACHE */
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		/* IOMMU_TEST_OP_TRIGGER_VEVENT */
		struct {
			__u32 dev_id;
		} trigger_vevent;
		/* IOMMU_TEST_OP_PASID_ATTACH; @id is the mock device. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		/* IOMMU_TEST_OP_PASID_REPLACE; @id is the mock device. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		/* IOMMU_TEST_OP_PASID_DETACH; @id is the mock device. */
		struct {
			__u32 pasid;
		} pasid_detach;
		/* IOMMU_TEST_OP_PASID_CHECK_HWPT; @id is the mock device. */
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
		/* IOMMU_TEST_OP_DMABUF_GET */
		struct {
			__u32 length;
			/* O_* flags for the returned fd, e.g. O_CLOEXEC. */
			__u32 open_flags;
		} dmabuf_get;
		/* IOMMU_TEST_OP_DMABUF_REVOKE */
		struct {
			__s32 dmabuf_fd;
			/* Non-zero revokes, zero restores. */
			__u32 revoked;
		} dmabuf_revoke;
	};
	__u32 last;
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID width, in bits, of mock devices and of the mock IOMMU. */
#define MOCK_PASID_WIDTH 20

/* IOMMU_GET_HW_INFO of a mock device: type code and register value. */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

/**
 * struct iommu_test_hw_info - data of IOMMU_HW_INFO_TYPE_SELFTEST
 * @flags: 0
 * @test_reg: IOMMU_HW_INFO_SELFTEST_REGVAL
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/*
 * The mock's IOMMU_HWPT_ALLOC data type, chosen to collide with no value of
 * enum iommu_hwpt_data_type, and the initial contents of mock caches.
 */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/**
 * struct iommu_hwpt_selftest - data of IOMMU_HWPT_DATA_SELFTEST
 * @iotlb: initial value of every IOTLB entry of the nested HWPT, normally
 *         IOMMU_TEST_IOTLB_DEFAULT
 * @pagetable_type: MOCK_IOMMUPT_DEFAULT or MOCK_IOMMUPT_HUGE
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;
};

/*
 * The mock's IOMMU_HWPT_INVALIDATE data type (colliding with no value of
 * enum iommu_hwpt_invalidate_data_type), and a type the mock refuses.
 */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* Invalidate every entry; the index field is then ignored. */
#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

/**
 * struct iommu_hwpt_invalidate_selftest - entry of
 *                                         IOMMU_HWPT_INVALIDATE_DATA_SELFTEST
 * @flags: 0 or IOMMU_TEST_INVALIDATE_FLAG_ALL
 * @iotlb_id: the IOTLB entry to invalidate, up to
 *            MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
 */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* The mock's vIOMMU type. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/**
 * struct iommu_viommu_selftest - data of IOMMU_VIOMMU_TYPE_SELFTEST
 * @in_data: any value
 * @out_data: returns @in_data, proving the data made the round trip
 * @out_mmap_offset: returns an mmap() offset of a page the vIOMMU exports
 * @out_mmap_length: returns the mmap() length of that page
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/*
 * The mock vIOMMU's IOMMU_HWPT_INVALIDATE data type, and a type it refuses.
 */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_viommu_invalidate_selftest - entry of
 *                                        IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST
 * @flags: 0 or IOMMU_TEST_INVALIDATE_FLAG_ALL
 * @vdev_id: the device, by its vDEVICE virt_id
 * @cache_id: the device cache entry to invalidate, up to
 *            MOCK_DEV_CACHE_ID_MAX
 */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* The mock vIOMMU's vEVENTQ type. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

/**
 * struct iommu_viommu_event_selftest - record of IOMMU_VEVENTQ_TYPE_SELFTEST
 * @virt_id: the vDEVICE virt_id of the device the event is about
 */
struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* The mock vIOMMU's HW queue type, and how many queues it has. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* _UAPI_IOMMUFD_TEST_H */
