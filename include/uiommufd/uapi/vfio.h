/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The part of the VFIO user API that an iommufd answers when it is used as
 * a VFIO container: the container ioctls and the Type1 IOMMU API, laid out
 * exactly as in Linux's include/uapi/linux/vfio.h (Linux 7.3).
 *
 * What this is. Programs written for VFIO's /dev/vfio/vfio container can
 * hand an iommufd file instead, and iommufd then emulates the Type1 IOMMU on
 * its designated IOAS (see IOMMU_VFIO_IOAS in iommufd.h). This header holds
 * exactly the declarations that emulation needs: API version and extension
 * queries, selecting the IOMMU type, IOMMU info with its capability chain,
 * DMA map and unmap, enable/disable, and the dirty page logging interface
 * (which iommufd's emulation refuses, but programs still pass it). Group
 * and device ioctls are not here.
 *
 * Invariants. Every name, value and layout here equals the kernel's; tests/abi
 * checks them against numbers generated from the kernel's header. The
 * ioctls use _IO() without a size: VFIO structs carry their own size in
 * argsz, which grows as fields are added.
 *
 * Include guard. The system's <linux/vfio.h> is a superset of this file
 * (device, group, migration and platform APIs). Both use the kernel's guard
 * names (VFIO_H when installed, _UAPIVFIO_H in the kernel tree), so in a
 * program that includes both, the first one wins. If the system header comes
 * first the program sees all of VFIO, including everything declared here
 * with the same layout; if this header comes first the program sees only
 * this subset. Include the system header first (or only) when the rest of
 * VFIO is needed.
 */
#if !defined(VFIO_H) && !defined(_UAPIVFIO_H)
#define VFIO_H
#define _UAPIVFIO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* See iommufd.h: identical to the kernel's definition. */
#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

/* The only VFIO API version there has been. */
#define VFIO_API_VERSION 0

/*
 * Extension IDs for VFIO_CHECK_EXTENSION; the IOMMU types among them are
 * also arguments of VFIO_SET_IOMMU.
 */
/* The original Type1 IOMMU. */
#define VFIO_TYPE1_IOMMU 1
/* IBM sPAPR TCE IOMMU (POWER). */
#define VFIO_SPAPR_TCE_IOMMU 2
/* Type1 with the v2 semantics (unmap of part of a mapping fails). */
#define VFIO_TYPE1v2_IOMMU 3
/*
 * The IOMMU makes device DMA cache coherent (e.g. it ignores PCIe No-Snoop).
 * May change as groups come and go.
 */
#define VFIO_DMA_CC_IOMMU 4
/* sPAPR EEH error recovery is available. */
#define VFIO_EEH 5
/* Formerly the two-stage Type1 IOMMU; the ID is retired but stays taken. */
#define __VFIO_RESERVED_TYPE1_NESTING_IOMMU 6
/*
 * Compatibility shim: the name that ID had in older kernel headers, kept for
 * programs written against them. The kernel's current header lacks it.
 */
#define VFIO_TYPE1_NESTING_IOMMU __VFIO_RESERVED_TYPE1_NESTING_IOMMU
/* sPAPR TCE IOMMU, version 2. */
#define VFIO_SPAPR_TCE_v2_IOMMU 7
/*
 * No IOMMU at all: no translation, no isolation, and no ioctl but
 * VFIO_CHECK_EXTENSION. Using it taints the kernel.
 */
#define VFIO_NOIOMMU_IOMMU 8
/* VFIO_DMA_UNMAP_FLAG_ALL is supported. */
#define VFIO_UNMAP_ALL 9
/*
 * VFIO_DMA_MAP_FLAG_VADDR and VFIO_DMA_UNMAP_FLAG_VADDR are supported (not
 * with mediated devices, so this may change as groups come and go).
 */
#define VFIO_UPDATE_VADDR 10

/* ioctl type byte (the same as IOMMUFD_TYPE) and the first VFIO nr. */
#define VFIO_TYPE (';')
#define VFIO_BASE 100

/**
 * struct vfio_info_cap_header - header of one capability in an info chain
 * @id: which capability follows (IDs are per info ioctl)
 * @version: version of that capability's layout
 * @next: offset of the next capability from the start of the info struct;
 *        0 ends the chain
 *
 * Info ioctls that support capabilities set a flag and give the offset of
 * the first header (cap_offset). If argsz is too small for the chain, the
 * call still succeeds, the chain is left out (cap_offset 0) and argsz
 * returns the size needed.
 */
struct vfio_info_cap_header {
	__u16 id;
	__u16 version;
	__u32 next;
};

/* ------------------------------------------------------------------------
 * Container ioctls
 */

/* Returns VFIO_API_VERSION. Takes no argument. */
#define VFIO_GET_API_VERSION _IO(VFIO_TYPE, VFIO_BASE + 0)

/*
 * The argument is an extension ID (passed by value); returns 0 if it is not
 * supported and a positive value if it is.
 */
#define VFIO_CHECK_EXTENSION _IO(VFIO_TYPE, VFIO_BASE + 1)

/*
 * The argument is an IOMMU type (passed by value) for which
 * VFIO_CHECK_EXTENSION answered yes. Needs a group in the container first.
 * Returns 0 or a negative errno.
 */
#define VFIO_SET_IOMMU _IO(VFIO_TYPE, VFIO_BASE + 2)

/* ------------------------------------------------------------------------
 * Type1 IOMMU
 */

/**
 * struct vfio_iommu_type1_info - argument of VFIO_IOMMU_GET_INFO
 * @argsz: size of the caller's buffer, which may be larger than this struct
 *         to hold capabilities; returns the size needed for all of them
 * @flags: returns VFIO_IOMMU_INFO_* bits
 * @iova_pgsizes: returns the bitmap of supported IOMMU page sizes
 * @cap_offset: returns the offset of the first capability, or 0
 * @pad: 0
 */
struct vfio_iommu_type1_info {
	__u32 argsz;
	__u32 flags;
/* iova_pgsizes is valid. */
#define VFIO_IOMMU_INFO_PGSIZES (1 << 0)
/* cap_offset is valid (a capability chain is supported). */
#define VFIO_IOMMU_INFO_CAPS (1 << 1)
	__aligned_u64 iova_pgsizes;
	__u32 cap_offset;
	__u32 pad;
};

/* Capability: the usable IOVA ranges (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE 1

/**
 * struct vfio_iova_range - one usable IOVA interval
 * @start: first IOVA
 * @end: last IOVA (inclusive, despite the name)
 */
struct vfio_iova_range {
	__u64 start;
	__u64 end;
};

/**
 * struct vfio_iommu_type1_info_cap_iova_range - the IOVA range capability
 *   (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
 * @header: capability header
 * @nr_iovas: number of elements of @iova_ranges
 * @reserved: 0
 * @iova_ranges: the ranges outside which DMA mapping fails (reserved
 *               regions of the attached devices already removed)
 */
struct vfio_iommu_type1_info_cap_iova_range {
	struct vfio_info_cap_header header;
	__u32 nr_iovas;
	__u32 reserved;
	struct vfio_iova_range iova_ranges[];
};

/* Capability: dirty page logging is supported (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION 2

/**
 * struct vfio_iommu_type1_info_cap_migration - the migration capability
 *   (VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)
 * @header: capability header
 * @flags: 0
 * @pgsize_bitmap: page sizes that dirty logging can report at
 * @max_dirty_bitmap_size: largest bitmap, in bytes, one query may ask for
 */
struct vfio_iommu_type1_info_cap_migration {
	struct vfio_info_cap_header header;
	__u32 flags;
	__u64 pgsize_bitmap;
	__u64 max_dirty_bitmap_size;
};

/* Capability: how many more DMA mappings may be made (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL 3

/**
 * struct vfio_iommu_type1_info_dma_avail - VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL
 * @header: capability header
 * @avail: number of further mappings currently allowed
 */
struct vfio_iommu_type1_info_dma_avail {
	struct vfio_info_cap_header header;
	__u32 avail;
};

#define VFIO_IOMMU_GET_INFO _IO(VFIO_TYPE, VFIO_BASE + 12)

/**
 * struct vfio_iommu_type1_dma_map - argument of VFIO_IOMMU_MAP_DMA
 * @argsz: sizeof(struct vfio_iommu_type1_dma_map)
 * @flags: VFIO_DMA_MAP_FLAG_* bits; READ and/or WRITE is required
 * @vaddr: process address of the memory to map
 * @iova: IOVA to map it at
 * @size: length of the mapping in bytes
 *
 * With VFIO_DMA_MAP_FLAG_VADDR nothing new is mapped: an existing mapping
 * whose process address was invalidated (VFIO_DMA_UNMAP_FLAG_VADDR) gets
 * @vaddr as its new address. @iova and @size must equal the original
 * mapping's, READ and WRITE must be clear, and @vaddr must reach the same
 * memory as before; if it does not, devices and the program see different
 * memory.
 */
struct vfio_iommu_type1_dma_map {
	__u32 argsz;
	__u32 flags;
/* Devices may read the memory. */
#define VFIO_DMA_MAP_FLAG_READ (1 << 0)
/* Devices may write the memory. */
#define VFIO_DMA_MAP_FLAG_WRITE (1 << 1)
/* Give an existing mapping a new process address (see above). */
#define VFIO_DMA_MAP_FLAG_VADDR (1 << 2)
	__u64 vaddr;
	__u64 iova;
	__u64 size;
};

#define VFIO_IOMMU_MAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 13)

/**
 * struct vfio_bitmap - a dirty bitmap supplied by the caller
 * @pgsize: bytes of IOVA that one bit stands for
 * @size: size of the bitmap in bytes
 * @data: the bitmap, zeroed by the caller; bit n is set if the page at
 *        iova + n * pgsize was dirtied
 */
struct vfio_bitmap {
	__u64 pgsize;
	__u64 size;
	__u64 *data;
};

/**
 * struct vfio_iommu_type1_dma_unmap - argument of VFIO_IOMMU_UNMAP_DMA
 * @argsz: sizeof(struct vfio_iommu_type1_dma_unmap), plus
 *         sizeof(struct vfio_bitmap) with VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
 * @flags: VFIO_DMA_UNMAP_FLAG_* bits
 * @iova: first IOVA to unmap
 * @size: in: length in bytes; out: how many bytes were unmapped
 * @data: a struct vfio_bitmap, with VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
 *
 * Unmaps IOVA space. Ranges that do not line up with how memory was mapped
 * may fail. GET_DIRTY_BITMAP also reports, through the bitmap in @data, which
 * pages of the unmapped range were dirty. ALL unmaps everything (@iova and
 * @size must be 0). VADDR unmaps nothing but invalidates the process
 * addresses of the mappings in the range; DMA continues, and no group may
 * join the container until the addresses are given back with
 * VFIO_DMA_MAP_FLAG_VADDR. Neither ALL nor VADDR combine with
 * GET_DIRTY_BITMAP.
 */
struct vfio_iommu_type1_dma_unmap {
	__u32 argsz;
	__u32 flags;
#define VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP (1 << 0)
#define VFIO_DMA_UNMAP_FLAG_ALL (1 << 1)
#define VFIO_DMA_UNMAP_FLAG_VADDR (1 << 2)
	__u64 iova;
	__u64 size;
	__u8 data[];
};

#define VFIO_IOMMU_UNMAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 14)

/*
 * Turn the container's IOMMU on and off; no argument. Only the sPAPR TCE
 * IOMMU implements them.
 */
#define VFIO_IOMMU_ENABLE _IO(VFIO_TYPE, VFIO_BASE + 15)
#define VFIO_IOMMU_DISABLE _IO(VFIO_TYPE, VFIO_BASE + 16)

/**
 * struct vfio_iommu_type1_dirty_bitmap - argument of VFIO_IOMMU_DIRTY_PAGES
 * @argsz: sizeof(struct vfio_iommu_type1_dirty_bitmap), plus
 *         sizeof(struct vfio_iommu_type1_dirty_bitmap_get) for GET_BITMAP
 *         (but not the bitmap memory itself)
 * @flags: exactly one of the VFIO_IOMMU_DIRTY_PAGES_FLAG_* bits
 * @data: a struct vfio_iommu_type1_dirty_bitmap_get, for GET_BITMAP
 *
 * START begins logging the pages devices dirty (or may have dirtied), for
 * migration; STOP ends it; GET_BITMAP reports the dirty pages of an IOVA
 * range at the smallest supported page size into a zeroed bitmap, and fails
 * when logging is off.
 */
struct vfio_iommu_type1_dirty_bitmap {
	__u32 argsz;
	__u32 flags;
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_START (1 << 0)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP (1 << 1)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP (1 << 2)
	__u8 data[];
};

/**
 * struct vfio_iommu_type1_dirty_bitmap_get - range of a GET_BITMAP request
 * @iova: first IOVA of the range
 * @size: length of the range in bytes
 * @bitmap: where to store the result
 */
struct vfio_iommu_type1_dirty_bitmap_get {
	__u64 iova;
	__u64 size;
	struct vfio_bitmap bitmap;
};

#define VFIO_IOMMU_DIRTY_PAGES _IO(VFIO_TYPE, VFIO_BASE + 17)

#endif /* !VFIO_H && !_UAPIVFIO_H */
