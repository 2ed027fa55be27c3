/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /dev/iommu user API: ioctl numbers, argument structures, flags and
 * type codes, exactly as Linux defines them.
 *
 * What this is. Everything in uiommufd codes against this header, and so do
 * programs that talk to uiommufd instead of the kernel. It describes the same
 * interface as Linux's include/uapi/linux/iommufd.h of Linux 7.3 (the newest
 * at the time of writing): every command from IOMMU_DESTROY (0x80) to
 * IOMMU_IOAS_NOIOMMU_GET_PA (0x95), with the kernel's names for every type,
 * field and constant, so that code written for the kernel builds against it
 * unchanged. The prose is ours; the numbers, names and layouts are the
 * interface itself and are reproduced as facts.
 *
 * Invariants. Each struct has the size, field offsets, field sizes and field
 * signedness of its kernel twin, and each constant has the kernel's value.
 * tests/abi checks all of these against a table generated from the kernel's
 * own headers, and checks that this file declares nothing the kernel does not
 * (beyond the compatibility shims marked below). Changing a layout here is
 * therefore never a local decision: the kernel decides, we follow.
 *
 * How a command is called. Every ioctl takes a pointer to its argument
 * struct, whose first __u32 is the caller's sizeof() of that struct. This is
 * how the interface grows: a newer struct only ever appends fields. The
 * receiver treats bytes it does not know about as follows: a caller struct
 * shorter than the receiver's is zero-extended; a longer one is accepted only
 * if every byte past the receiver's end is zero (otherwise E2BIG). Reserved
 * fields (named __reserved) must be zero. Errors that every command may
 * return, with the same meaning everywhere:
 *   ENOTTY     the ioctl number is not a command at all;
 *   E2BIG      the struct has non-zero bytes beyond what is understood;
 *   EOPNOTSUPP the struct is understood but a field asks for something that
 *              is not supported (an unknown flag or type, for instance);
 *   EINVAL     everything is understood but some field is wrong;
 *   ENOENT     an ID or IOVA does not name anything;
 *   ENOMEM     out of memory;
 *   EOVERFLOW  arithmetic on the given values overflowed.
 * Commands document their additional errors below.
 *
 * Ranges. An IOVA range is given either as (start, last) with last
 * inclusive, or as (iova, length) in bytes; IOVAs are 64-bit and the range
 * may reach U64_MAX.
 *
 * Types. Fields use the kernel's fixed-size types from <linux/types.h>
 * (__u32, __aligned_u64, __aligned_le64, ...), which every Linux C
 * toolchain has (Debian: linux-libc-dev). Declaring them with the same types
 * as the kernel keeps the two headers interchangeable, down to the 8-byte
 * alignment that __aligned_u64 gives 64-bit fields on 32-bit targets.
 *
 * Include guard. A program may include both this header and the system's
 * <linux/iommufd.h>. The two declare the same names, so only one of them may
 * take effect. This header therefore uses the kernel's own guard names: the
 * installed one (_IOMMUFD_H, which `make headers_install` and distribution
 * packages use) and the source-tree one (_UAPI_IOMMUFD_H). Whichever header
 * is included first wins and the other becomes empty. If the system header
 * wins it may be older than this one, and the newest names are then missing;
 * include this header first to get all of them.
 */
#if !defined(_IOMMUFD_H) && !defined(_UAPI_IOMMUFD_H)
#define _IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Compatibility shim: very old <linux/types.h> copies lack the 8-byte aligned
 * types. These definitions equal the kernel's, so a later header that defines
 * them again sees an identical redefinition.
 */
#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif
#ifndef __aligned_le64
#define __aligned_le64 __le64 __attribute__((aligned(8)))
#endif

/* The ioctl "type" byte shared by iommufd (and by VFIO). */
#define IOMMUFD_TYPE (';')

/*
 * Command numbers: the "nr" byte of each ioctl. Numbers are never reused;
 * a new command takes the next free number.
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
	/* New in Linux 7.3. */
	IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA = 0x95,
};

/* ------------------------------------------------------------------------
 * Objects and IO address spaces
 */

/**
 * struct iommu_destroy - argument of IOMMU_DESTROY
 * @size: sizeof(struct iommu_destroy)
 * @id: the object to destroy; any object type that user space may destroy
 *
 * Drops the user's handle on an object of any kind. An object that other
 * objects still depend on (an IOAS with an attached HWPT, a vIOMMU with a
 * vDEVICE, ...) cannot go away yet and the call fails with EBUSY.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - argument of IOMMU_IOAS_ALLOC
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0
 * @out_ioas_id: returns the ID of the new IOAS
 *
 * Creates an empty IO address space: a table of IOVA ranges, each backed by
 * user memory, that page tables (HWPTs) and in-kernel accesses are built from.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one IOVA interval
 * @start: first IOVA of the interval
 * @last: last IOVA of the interval (inclusive)
 *
 * Element of the arrays used by IOMMU_IOAS_IOVA_RANGES and
 * IOMMU_IOAS_ALLOW_IOVAS.
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - argument of IOMMU_IOAS_IOVA_RANGES
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: the IOAS to query
 * @num_iovas: in: capacity of the @allowed_iovas array, in elements;
 *             out: number of ranges the IOAS has
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: returns the alignment every mapping must respect
 *
 * Reports which IOVAs may currently be mapped in the IOAS. An IOAS nobody
 * uses allows everything; each attached device can take IOVAs away (reserved
 * regions, aperture limits) and detaching can give them back, so the answer
 * is only valid until the next attach or detach.
 *
 * The ranges are written to @allowed_iovas as far as @num_iovas allows, and
 * @num_iovas always returns the full count. If the array was too small the
 * call fails with EMSGSIZE after updating @num_iovas, so the caller can grow
 * the array and ask again.
 *
 * Both the start and the end (start + length) of every IOMMU_IOAS_MAP or
 * IOMMU_IOAS_COPY must be multiples of @out_iova_alignment. It is at least 1
 * and at most the CPU page size.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - argument of IOMMU_IOAS_ALLOW_IOVAS
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: the IOAS to change
 * @num_iovas: number of elements in @allowed_iovas
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Promises that the given IOVA ranges stay usable: from now on the IOAS
 * refuses any change, such as attaching a device with a reserved region
 * inside them, that would make IOMMU_IOAS_IOVA_RANGES report less than these
 * ranges; and the call itself fails if some of them are already unusable.
 * When an allowed list exists, automatic IOVA allocation by IOMMU_IOAS_MAP
 * picks addresses only inside it. Each call replaces the whole list; an
 * empty list removes the promise.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags of IOMMU_IOAS_MAP, _MAP_FILE and _COPY
 * @IOMMU_IOAS_MAP_FIXED_IOVA: map at the IOVA the caller gives; without it
 *                             the IOVA is chosen for the caller
 * @IOMMU_IOAS_MAP_WRITEABLE: devices may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: devices may read through the mapping
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - argument of IOMMU_IOAS_MAP
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @ioas_id: the IOAS to map into
 * @__reserved: must be 0
 * @user_va: start of the process memory to map
 * @length: number of bytes to map
 * @iova: with IOMMU_IOAS_MAP_FIXED_IOVA, the IOVA to map at (input);
 *        otherwise returns the IOVA that was chosen
 *
 * Maps process memory into the IOAS, pinning it (and charging it to the
 * memory lock limit). Without FIXED_IOVA a free, suitably aligned IOVA range
 * is picked that avoids reserved ranges and stays inside the allowed list if
 * there is one. With FIXED_IOVA the whole target range must be free: an
 * existing mapping is never replaced (EEXIST).
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_noiommu_get_pa - argument of IOMMU_IOAS_NOIOMMU_GET_PA
 * @size: sizeof(struct iommu_ioas_noiommu_get_pa)
 * @flags: must be 0
 * @ioas_id: the IOAS to look the IOVA up in
 * @__reserved: must be 0
 * @iova: the IOVA to translate
 * @length: in: the most bytes to look at from @iova, not 0;
 *          out: how many bytes from @out_phys on are physically contiguous
 *          (never more than the input value)
 * @out_phys: returns the physical address that @iova is backed by
 *
 * New in Linux 7.3. Translates an IOVA of the IOAS to the physical address
 * behind it; @iova must be mapped. Only meaningful for devices without an
 * IOMMU (no-IOMMU mode), which DMA to physical addresses directly.
 */
struct iommu_ioas_noiommu_get_pa {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 out_phys;
};
#define IOMMU_IOAS_NOIOMMU_GET_PA                                              \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA)

/**
 * struct iommu_ioas_map_file - argument of IOMMU_IOAS_MAP_FILE
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: as for struct iommu_ioas_map
 * @ioas_id: as for struct iommu_ioas_map
 * @fd: the file to map: a memfd, or a dma-buf of a kind that is supported
 * @start: offset in the file, in bytes, of the first byte to map
 * @length: as for struct iommu_ioas_map
 * @iova: as for struct iommu_ioas_map
 *
 * Like IOMMU_IOAS_MAP, except that the memory is named by a file and an
 * offset instead of a process address. Mappings made this way do not depend
 * on the process's address space, which is what IOMMU_IOAS_CHANGE_PROCESS
 * relies on. Only some dma-bufs are accepted (for instance single-range VFIO
 * PCI dma-bufs); others are refused.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - argument of IOMMU_IOAS_COPY
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @dst_ioas_id: the IOAS to create the new mapping in
 * @src_ioas_id: the IOAS holding the existing mapping
 * @length: number of bytes to copy
 * @dst_iova: with IOMMU_IOAS_MAP_FIXED_IOVA, where to map in the destination
 *            (input); otherwise returns the IOVA that was chosen
 * @src_iova: start of the existing mapping in the source
 *
 * Maps, in the destination IOAS, the same memory that backs a range of the
 * source IOAS. The source range must be exactly a range that was created by
 * one map call. The memory is not pinned again: both IOASes share the pinned
 * pages, which makes this cheaper than mapping the memory a second time.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - argument of IOMMU_IOAS_UNMAP
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: the IOAS to unmap from
 * @iova: first IOVA to unmap
 * @length: in: number of bytes to unmap; out: number of bytes unmapped
 *
 * Removes every mapping inside [iova, iova + length). A mapping is removed
 * whole or not at all: a range that would cut one in two fails. The range
 * iova = 0, length = U64_MAX means "everything".
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/* ------------------------------------------------------------------------
 * Options
 */

/**
 * enum iommufd_option - option IDs of IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: how pinned memory is charged against
 *     RLIMIT_MEMLOCK: 0 (the default) per user, 1 per process. Global to the
 *     iommufd context (object_id must be 0); changing it needs privilege.
 * @IOMMU_OPTION_HUGE_PAGES: per IOAS (object_id is the IOAS). 1 (the
 *     default) lets physically contiguous pages be mapped with large IOMMU
 *     pages; 0 maps everything with CPU-page-sized entries, which is mostly
 *     useful for measurements.
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - operations of IOMMU_OPTION
 * @IOMMU_OPTION_OP_SET: store val64 as the option's value
 * @IOMMU_OPTION_OP_GET: return the option's value in val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - argument of IOMMU_OPTION
 * @size: sizeof(struct iommu_option)
 * @option_id: one of enum iommufd_option
 * @op: one of enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: the object the option belongs to, or 0 for global options
 * @val64: the value to set, or the value returned by a get
 *
 * Reads or writes one simple setting of the context or of an object.
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/* ------------------------------------------------------------------------
 * VFIO container compatibility
 */

/**
 * enum iommufd_vfio_ioas_op - operations of IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the IOAS that VFIO compatibility uses
 * @IOMMU_VFIO_IOAS_SET: make ioas_id the IOAS that VFIO compatibility uses
 * @IOMMU_VFIO_IOAS_CLEAR: turn VFIO compatibility off
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - argument of IOMMU_VFIO_IOAS
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: input for IOMMU_VFIO_IOAS_SET, output for IOMMU_VFIO_IOAS_GET
 * @op: one of enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * The VFIO container API (see vfio.h) has no way to name an address space,
 * so an iommufd used as a VFIO container works on one designated IOAS. If
 * none is designated when a VFIO container operation first needs it, one is
 * created automatically. This command reads or changes that designation; it
 * never destroys an IOAS, automatically created or not.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* ------------------------------------------------------------------------
 * Hardware page tables (HWPT)
 */

/**
 * enum iommufd_hwpt_alloc_flags - flags of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the HWPT may later be the stage-2 parent of
 *                                nested HWPTs (or be wrapped by a vIOMMU)
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the HWPT must support dirty tracking;
 *                                   devices whose IOMMU cannot do it are
 *                                   refused at attach time
 * @IOMMU_HWPT_FAULT_ID_VALID: the fault_id field names a fault queue that
 *                             receives this HWPT's I/O page faults
 * @IOMMU_HWPT_ALLOC_PASID: the HWPT may be attached to PASIDs of a device.
 *                          Once any PASID of a device is attached, whatever
 *                          is attached to the device's non-PASID side must
 *                          have this flag too (and an IOAS, which gets an
 *                          automatic HWPT without it, is a poor choice for
 *                          either side). EOPNOTSUPP if the IOMMU has no PASID
 *                          support.
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - attributes of an Intel VT-d stage-1 table
 * @IOMMU_VTD_S1_SRE: supervisor requests allowed
 * @IOMMU_VTD_S1_EAFE: extended access flag enabled
 * @IOMMU_VTD_S1_WPE: write protect enabled
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - data of IOMMU_HWPT_DATA_VTD_S1
 * @flags: combination of enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest-physical address of the stage-1 page table root
 * @addr_width: input address width of the stage-1 table, in bits
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - data of IOMMU_HWPT_DATA_ARM_SMMUV3
 * @ste: the guest's Stream Table Entry, its first two 64-bit words, in
 *       little-endian byte order
 *
 * Only these STE fields may be set (SMMUv3 architecture, "Stream Table
 * Entry"): word 0 V, Cfg, S1Fmt, S1ContextPtr, S1CDMax; word 1 EATS, S1DSS,
 * S1CIR, S1COR, S1CSH, S1STALLD. Anything else, or an illegal combination,
 * fails with EIO. Cfg selects abort, bypass (translate like the stage-2
 * parent alone) or stage-1 translation through a Context Descriptor table
 * in guest memory, itself read through the parent.
 *
 * A vDEVICE carrying the guest's StreamID should exist before a stage-1
 * (Cfg=translate) nested HWPT is attached, since invalidations and events
 * need that ID. For bypass and abort the vDEVICE is not required at attach
 * time (a guest running with the SMMU disabled), but without one events for
 * the device cannot be reported to the guest.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * struct iommu_hwpt_amd_guest - data of IOMMU_HWPT_DATA_AMD_GUEST
 * @dte: the guest's AMD IOMMU Device Table Entry, 256 bits
 */
struct iommu_hwpt_amd_guest {
	__aligned_u64 dte[4];
};

/**
 * enum iommu_hwpt_data_type - format of the data given to IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_DATA_NONE: no data: a paging HWPT managed by iommufd
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: struct iommu_hwpt_arm_smmuv3
 * @IOMMU_HWPT_DATA_AMD_GUEST: struct iommu_hwpt_amd_guest
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	IOMMU_HWPT_DATA_AMD_GUEST = 3,
};

/**
 * struct iommu_hwpt_alloc - argument of IOMMU_HWPT_ALLOC
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: the device the HWPT is made for (its IOMMU decides the format)
 * @pt_id: what the HWPT is built on: an IOAS, a parent HWPT or a vIOMMU
 * @out_hwpt_id: returns the ID of the new HWPT
 * @__reserved: must be 0
 * @data_type: one of enum iommu_hwpt_data_type
 * @data_len: length in bytes of the data at @data_uptr
 * @data_uptr: user pointer to the type-specific data
 * @fault_id: fault queue for this HWPT, used only with
 *            IOMMU_HWPT_FAULT_ID_VALID
 * @__reserved2: must be 0 (pads the struct to 8 bytes)
 *
 * Creates a hardware page table: what a device is attached to, and what the
 * IOMMU walks. Two kinds exist:
 *
 * - A paging HWPT: @pt_id is an IOAS, @data_type is IOMMU_HWPT_DATA_NONE and
 *   iommufd fills the table from the IOAS and keeps it in sync. With
 *   IOMMU_HWPT_ALLOC_NEST_PARENT it can become a stage-2 for nesting.
 * - A nested HWPT: @pt_id is a nesting-parent HWPT or a vIOMMU that wraps
 *   one, and @data_type names a hardware format whose stage-1 the user
 *   manages (typically a guest's page table). The device and the vIOMMU must
 *   be behind the same physical IOMMU.
 *
 * With IOMMU_HWPT_DATA_NONE, @data_len and @data_uptr must be 0; otherwise
 * both must be given.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/* ------------------------------------------------------------------------
 * Hardware information
 */

/**
 * enum iommu_hw_info_vtd_flags - flags of struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the hardware has Intel erratum
 *     772415 (SPR17): read-only mappings must not be used in a HWPT that is
 *     a nesting parent
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - data of IOMMU_HW_INFO_TYPE_INTEL_VTD
 * @flags: combination of enum iommu_hw_info_vtd_flags
 * @__reserved: 0
 * @cap_reg: the raw VT-d Capability Register (VT-d spec 11.4.2)
 * @ecap_reg: the raw VT-d Extended Capability Register (VT-d spec 11.4.3)
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * enum iommu_hw_info_arm_smmuv3_flags - flags of struct
 *                                       iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI: the hardware has
 *     erratum T264-SMMU-3: every TLBI or CFGI command, with its CMD_SYNC,
 *     must be issued twice. New in Linux 7.3.
 */
enum iommu_hw_info_arm_smmuv3_flags {
	IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI = 1 << 0,
};

/**
 * struct iommu_hw_info_arm_smmuv3 - data of IOMMU_HW_INFO_TYPE_ARM_SMMUV3
 * @flags: combination of enum iommu_hw_info_arm_smmuv3_flags
 * @__reserved: 0
 * @idr: the raw SMMU_IDR0..SMMU_IDR5 registers
 * @iidr: the raw SMMU_IIDR register (implementer and revision)
 * @aidr: the raw SMMU_AIDR register (architecture version)
 *
 * The registers are copied from the hardware (SMMUv3 spec 6.3.1 to 6.3.6)
 * and not every bit describes what a guest may use. A VMM should look only
 * at: IDR0 ST_LEVEL, TERM_MODEL, STALL_MODEL, TTENDIAN, CD2L, ASID16, TTF;
 * IDR1 SIDSIZE, SSIDSIZE; IDR3 BBML, RIL; IDR5 VAX, GRAN64K, GRAN16K,
 * GRAN4K, DS. Stage-1 support is implied by being able to create a nested
 * HWPT, coherent access is always assumed, and ATS is a property of each
 * device. Bits outside this list must be ignored so that newer kernels can
 * extend it.
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_tegra241_cmdqv - data of
 *                                       IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV
 * @flags: 0
 * @version: CMDQV version, as in bits 3:0 of its PARAM register
 * @log2vcmdqs: log2 of the number of virtual command queues (PARAM 7:4)
 * @log2vsids: log2 of the number of StreamID replacements (PARAM 15:12)
 * @__reserved: 0
 *
 * A VMM can copy these into the PARAM register it emulates; it should
 * expose a single virtual interface, i.e. report PARAM bits 11:8 as 0.
 */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/**
 * struct iommu_hw_info_amd - data of IOMMU_HW_INFO_TYPE_AMD
 * @efr: the raw Extended Feature Register (MMIO offset 0x30)
 * @efr2: the raw Extended Feature 2 Register (MMIO offset 0x1a0)
 *
 * Raw hardware values (AMD IOMMU specification). Not all features can be
 * offered to a guest; a VMM should only pass on EFR GTSup, GASup, GIoSup,
 * PPRSup, EPHSup, GATS, GLX and PASmax.
 */
struct iommu_hw_info_amd {
	__aligned_u64 efr;
	__aligned_u64 efr2;
};

/**
 * enum iommu_hw_info_type - format of IOMMU_GET_HW_INFO data
 * @IOMMU_HW_INFO_TYPE_NONE: output: the driver reports no data
 * @IOMMU_HW_INFO_TYPE_DEFAULT: input: whatever type the driver reports by
 *                              default
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: struct iommu_hw_info_tegra241_cmdqv
 *                                     (the CMDQV extension of an SMMUv3)
 * @IOMMU_HW_INFO_TYPE_AMD: struct iommu_hw_info_amd
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

/**
 * enum iommufd_hw_capabilities - generic capability bits of IOMMU_GET_HW_INFO
 * @IOMMU_HW_CAP_DIRTY_TRACKING: the IOMMU can track dirty IOVAs, so
 *                               IOMMU_HWPT_SET_DIRTY_TRACKING and
 *                               IOMMU_HWPT_GET_DIRTY_BITMAP work
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: the PCI device supports the PASID Execute
 *                               permission (meaningless when
 *                               out_max_pasid_log2 is 0)
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: the PCI device supports PASID Privileged
 *                               Mode (meaningless when out_max_pasid_log2
 *                               is 0)
 * @IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED: ATS cannot be used with this device.
 *                                      Negative on purpose: a kernel that
 *                                      does not know the bit leaves it 0,
 *                                      which keeps meaning "ATS may work".
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

/**
 * enum iommufd_hw_info_flags - flags of IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: in_data_type holds the type the caller
 *                                 asks for
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - argument of IOMMU_GET_HW_INFO
 * @size: sizeof(struct iommu_hw_info)
 * @flags: combination of enum iommufd_hw_info_flags
 * @dev_id: a device bound to this iommufd
 * @data_len: in: size of the buffer at @data_uptr; out: size of the data
 *            the driver has (which may be more or less than was copied)
 * @data_uptr: user pointer to a buffer for the type-specific data
 * @in_data_type: with IOMMU_HW_INFO_FLAG_INPUT_TYPE, the enum
 *                iommu_hw_info_type wanted; otherwise ignored and taken as
 *                IOMMU_HW_INFO_TYPE_DEFAULT. Shares storage with
 *                @out_data_type.
 * @out_data_type: returns the enum iommu_hw_info_type of the data written
 * @out_max_pasid_log2: returns the PASID width in bits; 0 means no PASID
 * @__reserved: must be 0
 * @out_capabilities: returns a combination of enum iommufd_hw_capabilities
 *
 * Describes the IOMMU behind a device, so that a VMM can build a virtual
 * IOMMU the guest can use with nesting on this hardware. The data is copied
 * up to the smaller of the buffer and the data; a larger buffer is zero
 * filled past the data. @data_len may be 0 to learn only the size and type.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/* ------------------------------------------------------------------------
 * Dirty tracking
 */

/**
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags of
 *                                              IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: set: start tracking; clear: stop
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - argument of
 *                                        IOMMU_HWPT_SET_DIRTY_TRACKING
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: combination of enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: the HWPT, which must have been allocated with
 *           IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @__reserved: must be 0
 *
 * Starts or stops recording which IOVAs devices write to.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING                                          \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags of
 *                                            IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report the dirty state but leave it
 *                                        set, e.g. because the range is about
 *                                        to be unmapped anyway
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - argument of IOMMU_HWPT_GET_DIRTY_BITMAP
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: the HWPT to read
 * @flags: combination of enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: first IOVA of the range; bit 0 of the bitmap describes it
 * @length: length of the range in bytes
 * @page_size: how many bytes of IOVA one bit stands for
 * @data: user pointer to the bitmap, an array of __u64
 *
 * Reads the dirty state that the IOMMU recorded in the page table for the
 * range and, unless told otherwise, clears it. Bit n of the bitmap (bit n % 64
 * of data[n / 64]) stands for the IOVAs from iova + n * page_size to
 * iova + (n + 1) * page_size - 1 and is set if any of them was written.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP                                            \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/* ------------------------------------------------------------------------
 * Cache invalidation
 */

/**
 * enum iommu_hwpt_invalidate_data_type - format of IOMMU_HWPT_INVALIDATE
 *                                        entries
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate,
 *                                     for a nested VT-d HWPT
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: struct
 *                                           iommu_viommu_arm_smmuv3_invalidate,
 *                                           for an SMMUv3 vIOMMU
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of struct
 *                                           iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries changed, so the paging
 *                            structure caches need not be flushed
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - entry of
 *                                       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1
 * @addr: first address to invalidate, 4 KiB aligned
 * @npages: number of 4 KiB pages to invalidate
 * @flags: combination of enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 *
 * Tells the IOMMU which part of a user-managed stage-1 table changed.
 * @addr = 0 with @npages = U64_MAX invalidates everything the table may have
 * cached. Device TLBs (ATS) are invalidated along with the IOTLB.
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - entry of
 *                                      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3
 * @cmd: one 128-bit SMMUv3 command-queue command, little-endian
 *
 * Accepted commands (given a vIOMMU as hwpt_id): CMD_TLBI_NSNH_ALL,
 * CMD_TLBI_NH_VA, CMD_TLBI_NH_VAA, CMD_TLBI_NH_ALL, CMD_TLBI_NH_ASID,
 * CMD_ATC_INV, CMD_CFGI_CD and CMD_CFGI_CD_ALL. StreamIDs in commands are
 * the guest's (vDEVICE virt_id) and VMIDs are supplied by the vIOMMU. Any
 * other command fails with EIO.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/**
 * struct iommu_hwpt_invalidate - argument of IOMMU_HWPT_INVALIDATE
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: a nested HWPT, or a vIOMMU
 * @data_uptr: user pointer to an array of invalidation entries
 * @data_type: one of enum iommu_hwpt_invalidate_data_type, the format of
 *             every entry; must be one @hwpt_id supports
 * @entry_len: size in bytes of one entry
 * @entry_num: in: number of entries; out: number of entries carried out
 * @__reserved: must be 0
 *
 * Flushes caches after the user changed what they cache: the IOTLB after a
 * change to a user-managed stage-1 table (given a nested HWPT), or any cache
 * the vIOMMU exposes, including device and descriptor caches (given a
 * vIOMMU). Entries are processed in order; on failure @entry_num tells how
 * many succeeded. @entry_num = 0 is valid and only checks that @data_type is
 * supported (@entry_len and @data_uptr are then ignored).
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/* ------------------------------------------------------------------------
 * I/O page faults
 */

/**
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: the pasid field is meaningful
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: last fault of its group; only this one
 *                                 gets a response
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access rights a faulting request wanted
 * @IOMMU_PGFAULT_PERM_READ: read
 * @IOMMU_PGFAULT_PERM_WRITE: write
 * @IOMMU_PGFAULT_PERM_EXEC: execute (PCIe PASID prefix Execute Requested)
 * @IOMMU_PGFAULT_PERM_PRIV: privileged (PCIe PASID prefix Privileged Mode
 *                           Requested)
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - a fault record read from a fault queue fd
 * @flags: combination of enum iommu_hwpt_pgfault_flags
 * @dev_id: the device that faulted
 * @pasid: its PASID, if IOMMU_PGFAULT_FLAGS_PASID_VALID
 * @grpid: PCI Page Request Group Index
 * @perm: combination of enum iommu_hwpt_pgfault_perm
 * @__reserved: 0
 * @addr: the faulting address
 * @length: how many bytes the device expects to access from @addr, as a hint
 *          for faulting in more than one page; 0 when unknown
 * @cookie: identifies the group; the response to the group's last fault
 *          must carry it back
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - outcome written back for a fault group
 * @IOMMUFD_PAGE_RESP_SUCCESS: handled, the device should retry (PCI
 *                             "Success")
 * @IOMMUFD_PAGE_RESP_INVALID: not handled, the device must not retry (PCI
 *                             "Invalid Request")
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - a response written to a fault queue fd
 * @cookie: the cookie of the group's last fault
 * @code: one of enum iommufd_page_response_code
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - argument of IOMMU_FAULT_QUEUE_ALLOC
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: returns the ID of the new fault queue object
 * @out_fault_fd: returns a file descriptor for the queue
 *
 * Creates a queue that collects I/O page faults of the HWPTs that name it
 * (IOMMU_HWPT_FAULT_ID_VALID). read() on the fd returns struct
 * iommu_hwpt_pgfault records; write() takes struct iommu_hwpt_page_response
 * records.
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/* ------------------------------------------------------------------------
 * Virtual IOMMUs and virtual devices
 */

/**
 * enum iommu_viommu_type - kind of vIOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: reserved
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: an ARM SMMUv3
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: an ARM SMMUv3 with NVIDIA's Tegra241
 *     CMDQV extension. The vIOMMU is backed by a virtual interface (VINTF)
 *     owned by the guest, not the hypervisor, so the VMM must present the
 *     guest's VINTF_CONFIG.HYP_OWN bit as 0 or the virtual command queues do
 *     not work.
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_tegra241_cmdqv - data of
 *                                      IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV
 * @out_vintf_mmap_offset: returns the mmap() offset of the VINTF's page 0
 * @out_vintf_mmap_length: returns the mmap() length of the VINTF's page 0
 *
 * Mapping that page into the guest lets the guest drive its virtual command
 * queues without exits.
 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/**
 * struct iommu_viommu_alloc - argument of IOMMU_VIOMMU_ALLOC
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: one of enum iommu_viommu_type
 * @dev_id: a device behind the physical IOMMU that will back the vIOMMU
 * @hwpt_id: a nesting-parent HWPT: the stage-2 of the guest
 * @out_viommu_id: returns the ID of the new vIOMMU
 * @data_len: length in bytes of the data at @data_uptr
 * @__reserved: must be 0
 * @data_uptr: user pointer to type-specific data
 *
 * Creates a vIOMMU: the share of one physical IOMMU that belongs to one VM.
 * It holds what is global to an IOMMU rather than to a device: the VM's
 * cache tags (VMID), translation of the guest's device IDs (vDEVICEs),
 * events not tied to a device, invalidation on behalf of the guest, and
 * hardware queues or interrupts handed to the guest. Nested HWPTs can be
 * allocated on it.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - argument of IOMMU_VDEVICE_ALLOC
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: the vIOMMU the device is seen through
 * @dev_id: the physical device
 * @out_vdevice_id: returns the ID of the new vDEVICE
 * @virt_id: the device's ID as the guest sees it on that vIOMMU (SMMUv3
 *           StreamID, AMD DeviceID, VT-d requester ID)
 *
 * Records how the guest names a device, so that commands and events can be
 * translated between guest and host IDs. Destroy the vDEVICE before the
 * device is unbound; otherwise the vDEVICE is torn down with the device and
 * its ID stays taken, unusable, until the iommufd is closed.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/**
 * struct iommu_ioas_change_process - argument of IOMMU_IOAS_CHANGE_PROCESS
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Moves the pinned-memory accounting of every mapping of every IOAS of this
 * iommufd to the calling process, e.g. when a new process takes over a device
 * during a live update. All mappings must have been made with
 * IOMMU_IOAS_MAP_FILE, otherwise EINVAL. On failure nothing changes.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS                                              \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/* ------------------------------------------------------------------------
 * Virtual event queues
 */

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: events were dropped at the end of the
 *                                  queue; no data follows this header
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - header in front of each vEVENT
 * @flags: combination of enum iommu_veventq_flag
 * @sequence: sequence number of the event, counting from 0 to INT_MAX and
 *            then wrapping to 0
 *
 * read() on a vEVENTQ fd returns a stream of headers, each followed by the
 * type-specific record of its event. Sequence numbers of consecutive events
 * differ by one; a larger gap means gap - 1 events were lost in between.
 * When events are lost after the last one in the queue, a final header with
 * IOMMU_VEVENTQ_FLAG_LOST_EVENTS, and no record after it, carries the next
 * sequence number.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - kind of vEVENTQ
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: reserved
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: struct iommu_vevent_arm_smmuv3 records
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: struct iommu_vevent_tegra241_cmdqv
 *                                     records
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_vevent_arm_smmuv3 - record of IOMMU_VEVENTQ_TYPE_ARM_SMMUV3
 * @evt: one 256-bit SMMUv3 event record, little-endian
 *
 * Reported events (SMMUv3 spec, "Event records"): 0x04 C_BAD_STE,
 * 0x06 F_STREAM_DISABLED, 0x08 C_BAD_SUBSTREAMID, 0x0a C_BAD_CD,
 * 0x10 F_TRANSLATION, 0x11 F_ADDR_SIZE, 0x12 F_ACCESS, 0x13 F_PERMISSION.
 * The StreamID field holds the guest's ID (vDEVICE virt_id); devices without
 * a vDEVICE get no events.
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_tegra241_cmdqv - record of
 *                                      IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV
 * @lvcmdq_err_map: the 128-bit logical VCMDQ error map of the vIOMMU's
 *                  VINTF (its LVCMDQ_ERR_MAP registers), little-endian
 */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/**
 * struct iommu_veventq_alloc - argument of IOMMU_VEVENTQ_ALLOC
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU whose events the queue receives
 * @type: one of enum iommu_veventq_type
 * @veventq_depth: how many events the queue holds before it drops events
 * @out_veventq_id: returns the ID of the new vEVENTQ
 * @out_veventq_fd: returns a file descriptor to read events from; the caller
 *                  owns it and must close it
 * @__reserved: must be 0
 *
 * Creates a queue of virtual events (struct iommufd_vevent_header followed by
 * a record) for a vIOMMU. A vIOMMU has at most one vEVENTQ of each type
 * (EEXIST for a second one).
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/* ------------------------------------------------------------------------
 * Hardware queues
 */

/**
 * enum iommu_hw_queue_type - kind of HW queue
 * @IOMMU_HW_QUEUE_TYPE_DEFAULT: reserved
 * @IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV: a Tegra241 virtual command queue
 *     (VCMDQ). Allocation fails unless: queues are allocated in increasing
 *     index order from 0 and destroyed in decreasing order; the queue memory
 *     is mapped in the IOAS and nesting_parent_iova is aligned to length;
 *     length is a power of two from 32 bytes up to 16 << IDR1.CMDQS bytes
 *     (IDR1 from struct iommu_hw_info_arm_smmuv3). Backing the queue with
 *     physically contiguous memory (e.g. one huge page aligned to the queue
 *     size, with the emulated IDR1.CMDQS capped to match) is recommended.
 */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - argument of IOMMU_HW_QUEUE_ALLOC
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU the queue belongs to
 * @type: one of enum iommu_hw_queue_type
 * @index: which queue of this type, for vIOMMUs with several
 * @out_hw_queue_id: returns the ID of the new HW queue
 * @nesting_parent_iova: guest-physical address (an IOVA of the stage-2
 *                       parent) of the queue memory
 * @length: size in bytes of the queue memory
 *
 * Hands a hardware-accelerated queue to the guest: the IOMMU reads the queue
 * straight from guest memory. Each (type, index) pair can be allocated once
 * per vIOMMU.
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif /* !_IOMMUFD_H && !_UAPI_IOMMUFD_H */
