// SPDX-License-Identifier: BSD-3-Clause
/*
 * Decoding iommufd ioctls for UIOMMUFD_TRACE, one line each, in the manner
 * of strace:
 *
 *   [uiommufd] ioctl(3, IOMMU_IOAS_MAP, {size=40,
 *     flags=IOMMU_IOAS_MAP_WRITEABLE|IOMMU_IOAS_MAP_READABLE, ioas_id=2,
 *     user_va=0x7f3a1c000000, length=0x1000, iova=0}
 *     => {iova=0x1000000}) = 0
 *
 * (one line; wrapped here). The rules:
 *  - The struct in braces is what the caller passed, before the call: every
 *    input field, by name, in declaration order. Output-only fields (out_*)
 *    are left out, and so are reserved fields unless they are non-zero
 *    (then they are the reason for an EINVAL or EOPNOTSUPP).
 *  - " => {...}" follows with the fields the call wrote: every output and
 *    in/out field after a success; after a failure, only those whose value
 *    changed (IOMMU_IOAS_IOVA_RANGES reports num_iovas with EMSGSIZE). A
 *    field is in/out or output-only according to the flags and op the
 *    caller passed: iova of IOMMU_IOAS_MAP is an output unless
 *    IOMMU_IOAS_MAP_FIXED_IOVA was given, val64 of IOMMU_OPTION only for
 *    IOMMU_OPTION_OP_GET, and so on.
 *  - Flags are symbols joined with '|', unknown bits in hex at the end;
 *    enums are symbols, unknown values in hex. Addresses and lengths are in
 *    hex, ids, counts and fds in decimal.
 *  - Then the result: "= 0", "= 1", or "= -1 ENOENT (No such file or
 *    directory)", and after a success the objects the call made,
 *    " [created ioas 2]", or the one it destroyed, " [destroyed 2]".
 *  - IOMMU_TEST_CMD prints op by name and then the fields of the union
 *    member that op uses, flat (check_iotlb.id and check_dev_cache.id keep
 *    their member's name, to stay apart from the command's id).
 *  - VFIO type1 commands on the iommufd print their struct the same way
 *    (argsz is their size), or their integer argument by name.
 *  - An unknown command prints as _IOC(dir, type, nr, size), followed by
 *    {size=N, ...} if it is in iommufd's number range and its argument is
 *    readable, otherwise the argument in hex.
 *
 * Safety. The caller's struct is untrusted: the pointer may be bad, the
 * size may be anything. Only min(the caller's size, our size) bytes are
 * read (at least the size field, which the dispatcher reads too), and they
 * are read with process_vm_readv(), which fails where a load would crash;
 * an unreadable argument is printed as its address. A caller's struct
 * longer than ours shows as a trailing ", ..." in the braces; fields past a
 * shorter struct are not printed (the dispatcher reads them as zero).
 *
 * Bounds. No allocation and no lock: the decoder writes into the caller's
 * buffer, cutting the decoded part with "..." when it does not fit, so the
 * result and the objects are always on the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "base/compiler.h"
#include "base/sys.h"
#include "core/uaccess.h"
#include "preload/trace.h"
#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uapi/vfio.h"

/* A symbol for a flag bit or an enum value; tables end with a NULL name. */
struct sym {
	uint64_t val;
	const char *name;
};

enum field_fmt {
	F_DEC,	 /* unsigned decimal */
	F_HEX,	 /* hex, for addresses and lengths */
	F_FD,	 /* a file descriptor: signed decimal */
	F_FLAGS, /* symbols of the bits, joined with '|' */
	F_ENUM,	 /* the symbol of the value */
	F_TESTOP /* IOMMU_TEST_CMD's op, by name */
};

/*
 * Which way a field travels. The conditional roles depend on another
 * field of the caller's struct; see field_dirs().
 */
enum field_role {
	R_IN,
	R_OUT,
	R_INOUT,
	R_RSV,		/* input that must be zero: printed only if it is not */
	R_IOVA,		/* in/out, input only with IOMMU_IOAS_MAP_FIXED_IOVA */
	R_OPTION_VAL,	/* struct iommu_option: output for OP_GET */
	R_VFIO_IOAS_ID, /* struct iommu_vfio_ioas: output for IOAS_GET */
	R_HW_INFO_TYPE, /* input only with IOMMU_HW_INFO_FLAG_INPUT_TYPE */
};

#define DIR_IN 1u
#define DIR_OUT 2u

struct field {
	const char *name;
	unsigned short off;
	unsigned char width; /* bytes, up to 8; little-endian */
	unsigned char fmt;   /* enum field_fmt */
	unsigned char role;  /* enum field_role */
	const struct sym *syms;
};

/* An object (or fd) a successful command made, named by an output field. */
struct made {
	const char *kind;
	unsigned short off;
	bool is_fd;
};

enum arg_kind {
	A_NONE,	  /* no argument */
	A_INT,	  /* an integer, printed by name from int_syms */
	A_STRUCT, /* a struct whose first u32 is its size (or argsz) */
	A_TEST,	  /* struct iommu_test_cmd: fields depend on op */
};

struct cmd_desc {
	unsigned int cmd;
	const char *name;
	unsigned char arg;	 /* enum arg_kind */
	unsigned char nr_fields; /* of fields */
	unsigned char nr_made;	 /* of made */
	/*
	 * The dispatcher answers this command without reading its argument;
	 * see read_user() for why that matters.
	 */
	bool unread;
	unsigned short size; /* our struct's size */
	const struct field *fields;
	const struct made *made;
	const struct sym *int_syms;
};

struct test_op_desc {
	const char *name;
	unsigned char nr_fields;
	unsigned char nr_made;
	const struct field *fields;
	const struct made *made;
};

#define FIELD_AT(_name, _off, _width, _fmt, _role, _syms)                      \
	{                                                                      \
		.name = _name, .off = _off, .width = _width, .fmt = _fmt,      \
		.role = _role, .syms = _syms,                                  \
	}
#define FLD(_s, _m, _fmt, _role, _syms)                                        \
	FIELD_AT(#_m, offsetof(_s, _m), sizeof(((_s *)0)->_m), _fmt, _role,    \
		 _syms)
/* A field of IOMMU_TEST_CMD's union member _u, under its own name. */
#define TFLD_NAMED(_name, _u, _m, _fmt, _role, _syms)                          \
	FIELD_AT(_name, offsetof(struct iommu_test_cmd, _u._m),                \
		 sizeof(((struct iommu_test_cmd *)0)->_u._m), _fmt, _role,     \
		 _syms)
#define TFLD(_u, _m, _fmt, _role, _syms)                                       \
	TFLD_NAMED(#_m, _u, _m, _fmt, _role, _syms)
#define MADE(_kind, _s, _m, _is_fd)                                            \
	{                                                                      \
		.kind = _kind, .off = offsetof(_s, _m), .is_fd = _is_fd,       \
	}

#define SYM(_x)                                                                \
	{                                                                      \
		.val = (_x), .name = #_x                                       \
	}
#define SYM_END                                                                \
	{                                                                      \
		.name = NULL                                                   \
	}

/* Every struct the decoder copies must fit struct pl_trace_arg. */
union all_args {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_map map;
	struct iommu_ioas_noiommu_get_pa get_pa;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_copy copy;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_set_dirty_tracking set_dirty;
	struct iommu_hwpt_get_dirty_bitmap get_dirty;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_ioas_change_process change_process;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
	struct iommu_test_cmd test;
	struct vfio_iommu_type1_info vfio_info;
	struct vfio_iommu_type1_dma_map vfio_map;
	struct vfio_iommu_type1_dma_unmap vfio_unmap;
	struct vfio_iommu_type1_dirty_bitmap vfio_dirty;
};
BUILD_ASSERT(sizeof(union all_args) <= PL_TRACE_ARG_MAX);

/* R_IOVA reads the flags of these three at one offset. */
#define MAP_FLAGS_OFF offsetof(struct iommu_ioas_map, flags)
BUILD_ASSERT(offsetof(struct iommu_ioas_map_file, flags) == MAP_FLAGS_OFF);
BUILD_ASSERT(offsetof(struct iommu_ioas_copy, flags) == MAP_FLAGS_OFF);

/* ---- symbols ---------------------------------------------------------- */

static const struct sym ioas_map_flags[] = {
	SYM(IOMMU_IOAS_MAP_FIXED_IOVA),
	SYM(IOMMU_IOAS_MAP_WRITEABLE),
	SYM(IOMMU_IOAS_MAP_READABLE),
	SYM_END,
};

static const struct sym option_ids[] = {
	SYM(IOMMU_OPTION_RLIMIT_MODE),
	SYM(IOMMU_OPTION_HUGE_PAGES),
	SYM_END,
};

static const struct sym option_ops[] = {
	SYM(IOMMU_OPTION_OP_SET),
	SYM(IOMMU_OPTION_OP_GET),
	SYM_END,
};

static const struct sym vfio_ioas_ops[] = {
	SYM(IOMMU_VFIO_IOAS_GET),
	SYM(IOMMU_VFIO_IOAS_SET),
	SYM(IOMMU_VFIO_IOAS_CLEAR),
	SYM_END,
};

static const struct sym hwpt_alloc_flags[] = {
	SYM(IOMMU_HWPT_ALLOC_NEST_PARENT),
	SYM(IOMMU_HWPT_ALLOC_DIRTY_TRACKING),
	SYM(IOMMU_HWPT_FAULT_ID_VALID),
	SYM(IOMMU_HWPT_ALLOC_PASID),
	SYM_END,
};

static const struct sym hwpt_data_types[] = {
	SYM(IOMMU_HWPT_DATA_NONE),	 SYM(IOMMU_HWPT_DATA_VTD_S1),
	SYM(IOMMU_HWPT_DATA_ARM_SMMUV3), SYM(IOMMU_HWPT_DATA_AMD_GUEST),
	SYM(IOMMU_HWPT_DATA_SELFTEST),	 SYM_END,
};

static const struct sym hw_info_flags[] = {
	SYM(IOMMU_HW_INFO_FLAG_INPUT_TYPE),
	SYM_END,
};

/* NONE and DEFAULT are both 0; the newer name wins. */
static const struct sym hw_info_types[] = {
	SYM(IOMMU_HW_INFO_TYPE_DEFAULT),
	SYM(IOMMU_HW_INFO_TYPE_INTEL_VTD),
	SYM(IOMMU_HW_INFO_TYPE_ARM_SMMUV3),
	SYM(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV),
	SYM(IOMMU_HW_INFO_TYPE_AMD),
	SYM(IOMMU_HW_INFO_TYPE_SELFTEST),
	SYM_END,
};

static const struct sym hw_caps[] = {
	SYM(IOMMU_HW_CAP_DIRTY_TRACKING),
	SYM(IOMMU_HW_CAP_PCI_PASID_EXEC),
	SYM(IOMMU_HW_CAP_PCI_PASID_PRIV),
	SYM(IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED),
	SYM_END,
};

static const struct sym set_dirty_flags[] = {
	SYM(IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
	SYM_END,
};

static const struct sym get_dirty_flags[] = {
	SYM(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
	SYM_END,
};

/* The selftest types of the HWPT and of the vIOMMU share one value. */
static const struct sym invalidate_types[] = {
	SYM(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1),
	SYM(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3),
	SYM(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST),
	SYM(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID),
	SYM_END,
};

static const struct sym viommu_types[] = {
	SYM(IOMMU_VIOMMU_TYPE_DEFAULT),
	SYM(IOMMU_VIOMMU_TYPE_ARM_SMMUV3),
	SYM(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV),
	SYM(IOMMU_VIOMMU_TYPE_SELFTEST),
	SYM_END,
};

static const struct sym veventq_types[] = {
	SYM(IOMMU_VEVENTQ_TYPE_DEFAULT),
	SYM(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3),
	SYM(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV),
	SYM(IOMMU_VEVENTQ_TYPE_SELFTEST),
	SYM_END,
};

static const struct sym hw_queue_types[] = {
	SYM(IOMMU_HW_QUEUE_TYPE_DEFAULT),
	SYM(IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV),
	SYM(IOMMU_HW_QUEUE_TYPE_SELFTEST),
	SYM_END,
};

static const struct sym vfio_extensions[] = {
	SYM(VFIO_TYPE1_IOMMU),
	SYM(VFIO_SPAPR_TCE_IOMMU),
	SYM(VFIO_TYPE1v2_IOMMU),
	SYM(VFIO_DMA_CC_IOMMU),
	SYM(VFIO_EEH),
	SYM(VFIO_TYPE1_NESTING_IOMMU),
	SYM(VFIO_SPAPR_TCE_v2_IOMMU),
	SYM(VFIO_NOIOMMU_IOMMU),
	SYM(VFIO_UNMAP_ALL),
	SYM(VFIO_UPDATE_VADDR),
	SYM_END,
};

static const struct sym vfio_info_flags[] = {
	SYM(VFIO_IOMMU_INFO_PGSIZES),
	SYM(VFIO_IOMMU_INFO_CAPS),
	SYM_END,
};

static const struct sym vfio_map_flags[] = {
	SYM(VFIO_DMA_MAP_FLAG_READ),
	SYM(VFIO_DMA_MAP_FLAG_WRITE),
	SYM(VFIO_DMA_MAP_FLAG_VADDR),
	SYM_END,
};

static const struct sym vfio_unmap_flags[] = {
	SYM(VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP),
	SYM(VFIO_DMA_UNMAP_FLAG_ALL),
	SYM(VFIO_DMA_UNMAP_FLAG_VADDR),
	SYM_END,
};

static const struct sym vfio_dirty_flags[] = {
	SYM(VFIO_IOMMU_DIRTY_PAGES_FLAG_START),
	SYM(VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP),
	SYM(VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP),
	SYM_END,
};

static const struct sym mock_access_flags[] = {
	SYM(MOCK_FLAGS_ACCESS_WRITE),
	SYM(MOCK_FLAGS_ACCESS_SYZ),
	SYM_END,
};

static const struct sym mock_rw_flags[] = {
	SYM(MOCK_ACCESS_RW_WRITE),
	SYM(MOCK_ACCESS_RW_SLOW_PATH),
	SYM(MOCK_FLAGS_ACCESS_SYZ),
	SYM_END,
};

static const struct sym mock_create_access_flags[] = {
	SYM(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES),
	SYM_END,
};

static const struct sym mock_dev_flags[] = {
	SYM(MOCK_FLAGS_DEVICE_NO_DIRTY),
	SYM(MOCK_FLAGS_DEVICE_PASID),
	SYM_END,
};

static const struct sym pgfault_perms[] = {
	SYM(IOMMU_PGFAULT_PERM_READ),
	SYM(IOMMU_PGFAULT_PERM_WRITE),
	SYM(IOMMU_PGFAULT_PERM_EXEC),
	SYM(IOMMU_PGFAULT_PERM_PRIV),
	SYM_END,
};

static const struct sym open_flags[] = {
	SYM(O_CLOEXEC),
	SYM(O_NONBLOCK),
	SYM_END,
};

/* ---- iommufd commands ------------------------------------------------- */

#define S struct iommu_destroy
static const struct field destroy_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, id, F_DEC, R_IN, NULL),
};
#undef S

#define S struct iommu_ioas_alloc
static const struct field ioas_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, out_ioas_id, F_DEC, R_OUT, NULL),
};
static const struct made ioas_alloc_made[] = {
	MADE("ioas", S, out_ioas_id, false),
};
#undef S

#define S struct iommu_ioas_iova_ranges
static const struct field iova_ranges_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, num_iovas, F_DEC, R_INOUT, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, allowed_iovas, F_HEX, R_IN, NULL),
	FLD(S, out_iova_alignment, F_HEX, R_OUT, NULL),
};
#undef S

#define S struct iommu_ioas_allow_iovas
static const struct field allow_iovas_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, num_iovas, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, allowed_iovas, F_HEX, R_IN, NULL),
};
#undef S

#define S struct iommu_ioas_map
static const struct field ioas_map_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, ioas_map_flags),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, user_va, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_IN, NULL),
	FLD(S, iova, F_HEX, R_IOVA, NULL),
};
#undef S

#define S struct iommu_ioas_noiommu_get_pa
static const struct field get_pa_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, iova, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_INOUT, NULL),
	FLD(S, out_phys, F_HEX, R_OUT, NULL),
};
#undef S

#define S struct iommu_ioas_map_file
static const struct field map_file_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, ioas_map_flags),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, fd, F_FD, R_IN, NULL),
	FLD(S, start, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_IN, NULL),
	FLD(S, iova, F_HEX, R_IOVA, NULL),
};
#undef S

#define S struct iommu_ioas_copy
static const struct field ioas_copy_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, ioas_map_flags),
	FLD(S, dst_ioas_id, F_DEC, R_IN, NULL),
	FLD(S, src_ioas_id, F_DEC, R_IN, NULL),
	FLD(S, length, F_HEX, R_IN, NULL),
	FLD(S, dst_iova, F_HEX, R_IOVA, NULL),
	FLD(S, src_iova, F_HEX, R_IN, NULL),
};
#undef S

#define S struct iommu_ioas_unmap
static const struct field ioas_unmap_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, ioas_id, F_DEC, R_IN, NULL),
	FLD(S, iova, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_INOUT, NULL),
};
#undef S

#define S struct iommu_option
static const struct field option_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, option_id, F_ENUM, R_IN, option_ids),
	FLD(S, op, F_ENUM, R_IN, option_ops),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, object_id, F_DEC, R_IN, NULL),
	FLD(S, val64, F_DEC, R_OPTION_VAL, NULL),
};
#undef S

#define S struct iommu_vfio_ioas
static const struct field vfio_ioas_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, ioas_id, F_DEC, R_VFIO_IOAS_ID, NULL),
	FLD(S, op, F_ENUM, R_IN, vfio_ioas_ops),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
#undef S

#define S struct iommu_hwpt_alloc
static const struct field hwpt_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, hwpt_alloc_flags),
	FLD(S, dev_id, F_DEC, R_IN, NULL),
	FLD(S, pt_id, F_DEC, R_IN, NULL),
	FLD(S, out_hwpt_id, F_DEC, R_OUT, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, data_type, F_ENUM, R_IN, hwpt_data_types),
	FLD(S, data_len, F_DEC, R_IN, NULL),
	FLD(S, data_uptr, F_HEX, R_IN, NULL),
	FLD(S, fault_id, F_DEC, R_IN, NULL),
	FLD(S, __reserved2, F_HEX, R_RSV, NULL),
};
static const struct made hwpt_alloc_made[] = {
	MADE("hwpt", S, out_hwpt_id, false),
};
#undef S

#define S struct iommu_hw_info
static const struct field hw_info_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, hw_info_flags),
	FLD(S, dev_id, F_DEC, R_IN, NULL),
	FLD(S, data_len, F_DEC, R_INOUT, NULL),
	FLD(S, data_uptr, F_HEX, R_IN, NULL),
	FLD(S, in_data_type, F_ENUM, R_HW_INFO_TYPE, hw_info_types),
	FLD(S, out_data_type, F_ENUM, R_OUT, hw_info_types),
	FLD(S, out_max_pasid_log2, F_DEC, R_OUT, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, out_capabilities, F_FLAGS, R_OUT, hw_caps),
};
#undef S

#define S struct iommu_hwpt_set_dirty_tracking
static const struct field set_dirty_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, set_dirty_flags),
	FLD(S, hwpt_id, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
#undef S

#define S struct iommu_hwpt_get_dirty_bitmap
static const struct field get_dirty_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, hwpt_id, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, get_dirty_flags),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, iova, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_IN, NULL),
	FLD(S, page_size, F_HEX, R_IN, NULL),
	FLD(S, data, F_HEX, R_IN, NULL),
};
#undef S

#define S struct iommu_hwpt_invalidate
static const struct field invalidate_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, hwpt_id, F_DEC, R_IN, NULL),
	FLD(S, data_uptr, F_HEX, R_IN, NULL),
	FLD(S, data_type, F_ENUM, R_IN, invalidate_types),
	FLD(S, entry_len, F_DEC, R_IN, NULL),
	FLD(S, entry_num, F_DEC, R_INOUT, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
#undef S

#define S struct iommu_fault_alloc
static const struct field fault_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, out_fault_id, F_DEC, R_OUT, NULL),
	FLD(S, out_fault_fd, F_FD, R_OUT, NULL),
};
static const struct made fault_alloc_made[] = {
	MADE("fault", S, out_fault_id, false),
	MADE("fd", S, out_fault_fd, true),
};
#undef S

#define S struct iommu_viommu_alloc
static const struct field viommu_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, type, F_ENUM, R_IN, viommu_types),
	FLD(S, dev_id, F_DEC, R_IN, NULL),
	FLD(S, hwpt_id, F_DEC, R_IN, NULL),
	FLD(S, out_viommu_id, F_DEC, R_OUT, NULL),
	FLD(S, data_len, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
	FLD(S, data_uptr, F_HEX, R_IN, NULL),
};
static const struct made viommu_alloc_made[] = {
	MADE("viommu", S, out_viommu_id, false),
};
#undef S

#define S struct iommu_vdevice_alloc
static const struct field vdevice_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, viommu_id, F_DEC, R_IN, NULL),
	FLD(S, dev_id, F_DEC, R_IN, NULL),
	FLD(S, out_vdevice_id, F_DEC, R_OUT, NULL),
	FLD(S, virt_id, F_HEX, R_IN, NULL),
};
static const struct made vdevice_alloc_made[] = {
	MADE("vdevice", S, out_vdevice_id, false),
};
#undef S

#define S struct iommu_ioas_change_process
static const struct field change_process_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
#undef S

#define S struct iommu_veventq_alloc
static const struct field veventq_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, viommu_id, F_DEC, R_IN, NULL),
	FLD(S, type, F_ENUM, R_IN, veventq_types),
	FLD(S, veventq_depth, F_DEC, R_IN, NULL),
	FLD(S, out_veventq_id, F_DEC, R_OUT, NULL),
	FLD(S, out_veventq_fd, F_FD, R_OUT, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
static const struct made veventq_alloc_made[] = {
	MADE("veventq", S, out_veventq_id, false),
	MADE("fd", S, out_veventq_fd, true),
};
#undef S

#define S struct iommu_hw_queue_alloc
static const struct field hw_queue_alloc_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, NULL),
	FLD(S, viommu_id, F_DEC, R_IN, NULL),
	FLD(S, type, F_ENUM, R_IN, hw_queue_types),
	FLD(S, index, F_DEC, R_IN, NULL),
	FLD(S, out_hw_queue_id, F_DEC, R_OUT, NULL),
	FLD(S, nesting_parent_iova, F_HEX, R_IN, NULL),
	FLD(S, length, F_HEX, R_IN, NULL),
};
static const struct made hw_queue_alloc_made[] = {
	MADE("hw_queue", S, out_hw_queue_id, false),
};
#undef S

/* The common head of IOMMU_TEST_CMD; the op's own fields follow. */
#define S struct iommu_test_cmd
static const struct field test_fields[] = {
	FLD(S, size, F_DEC, R_IN, NULL),
	FLD(S, op, F_TESTOP, R_IN, NULL),
	FLD(S, id, F_DEC, R_IN, NULL),
	FLD(S, __reserved, F_HEX, R_RSV, NULL),
};
#undef S

/* ---- VFIO type1 commands ---------------------------------------------- */

#define S struct vfio_iommu_type1_info
static const struct field vfio_info_fields[] = {
	FLD(S, argsz, F_DEC, R_INOUT, NULL),
	FLD(S, flags, F_FLAGS, R_OUT, vfio_info_flags),
	FLD(S, iova_pgsizes, F_HEX, R_OUT, NULL),
	FLD(S, cap_offset, F_DEC, R_OUT, NULL),
};
#undef S

#define S struct vfio_iommu_type1_dma_map
static const struct field vfio_map_fields[] = {
	FLD(S, argsz, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, vfio_map_flags),
	FLD(S, vaddr, F_HEX, R_IN, NULL),
	FLD(S, iova, F_HEX, R_IN, NULL),
	FLD(S, size, F_HEX, R_IN, NULL),
};
#undef S

#define S struct vfio_iommu_type1_dma_unmap
static const struct field vfio_unmap_fields[] = {
	FLD(S, argsz, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, vfio_unmap_flags),
	FLD(S, iova, F_HEX, R_IN, NULL),
	FLD(S, size, F_HEX, R_INOUT, NULL),
};
#undef S

#define S struct vfio_iommu_type1_dirty_bitmap
static const struct field vfio_dirty_fields[] = {
	FLD(S, argsz, F_DEC, R_IN, NULL),
	FLD(S, flags, F_FLAGS, R_IN, vfio_dirty_flags),
};
#undef S

#define CMD_STRUCT(_cmd, _s, _fields)                                          \
	{                                                                      \
		.cmd = _cmd, .name = #_cmd, .arg = A_STRUCT,                   \
		.size = sizeof(_s), .fields = _fields,                         \
		.nr_fields = ARRAY_SIZE(_fields),                              \
	}
#define CMD_MADE(_cmd, _s, _fields, _made)                                     \
	{                                                                      \
		.cmd = _cmd, .name = #_cmd, .arg = A_STRUCT,                   \
		.size = sizeof(_s), .fields = _fields,                         \
		.nr_fields = ARRAY_SIZE(_fields), .made = _made,               \
		.nr_made = ARRAY_SIZE(_made),                                  \
	}

static const struct cmd_desc cmds[] = {
	CMD_STRUCT(IOMMU_DESTROY, struct iommu_destroy, destroy_fields),
	CMD_MADE(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, ioas_alloc_fields,
		 ioas_alloc_made),
	CMD_STRUCT(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
		   allow_iovas_fields),
	CMD_STRUCT(IOMMU_IOAS_COPY, struct iommu_ioas_copy, ioas_copy_fields),
	CMD_STRUCT(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
		   iova_ranges_fields),
	CMD_STRUCT(IOMMU_IOAS_MAP, struct iommu_ioas_map, ioas_map_fields),
	CMD_STRUCT(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap,
		   ioas_unmap_fields),
	CMD_STRUCT(IOMMU_OPTION, struct iommu_option, option_fields),
	CMD_STRUCT(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, vfio_ioas_fields),
	CMD_MADE(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, hwpt_alloc_fields,
		 hwpt_alloc_made),
	CMD_STRUCT(IOMMU_GET_HW_INFO, struct iommu_hw_info, hw_info_fields),
	CMD_STRUCT(IOMMU_HWPT_SET_DIRTY_TRACKING,
		   struct iommu_hwpt_set_dirty_tracking, set_dirty_fields),
	CMD_STRUCT(IOMMU_HWPT_GET_DIRTY_BITMAP,
		   struct iommu_hwpt_get_dirty_bitmap, get_dirty_fields),
	CMD_STRUCT(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate,
		   invalidate_fields),
	CMD_MADE(IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc,
		 fault_alloc_fields, fault_alloc_made),
	CMD_STRUCT(IOMMU_IOAS_MAP_FILE, struct iommu_ioas_map_file,
		   map_file_fields),
	CMD_MADE(IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc,
		 viommu_alloc_fields, viommu_alloc_made),
	CMD_MADE(IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc,
		 vdevice_alloc_fields, vdevice_alloc_made),
	CMD_STRUCT(IOMMU_IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process,
		   change_process_fields),
	CMD_MADE(IOMMU_VEVENTQ_ALLOC, struct iommu_veventq_alloc,
		 veventq_alloc_fields, veventq_alloc_made),
	CMD_MADE(IOMMU_HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc,
		 hw_queue_alloc_fields, hw_queue_alloc_made),
	CMD_STRUCT(IOMMU_IOAS_NOIOMMU_GET_PA, struct iommu_ioas_noiommu_get_pa,
		   get_pa_fields),
	{
		.cmd = IOMMU_TEST_CMD,
		.name = "IOMMU_TEST_CMD",
		.arg = A_TEST,
		.size = sizeof(struct iommu_test_cmd),
		.fields = test_fields,
		.nr_fields = ARRAY_SIZE(test_fields),
	},
	{ .cmd = VFIO_GET_API_VERSION, .name = "VFIO_GET_API_VERSION" },
	{
		.cmd = VFIO_CHECK_EXTENSION,
		.name = "VFIO_CHECK_EXTENSION",
		.arg = A_INT,
		.int_syms = vfio_extensions,
	},
	{
		.cmd = VFIO_SET_IOMMU,
		.name = "VFIO_SET_IOMMU",
		.arg = A_INT,
		.int_syms = vfio_extensions,
	},
	CMD_STRUCT(VFIO_IOMMU_GET_INFO, struct vfio_iommu_type1_info,
		   vfio_info_fields),
	CMD_STRUCT(VFIO_IOMMU_MAP_DMA, struct vfio_iommu_type1_dma_map,
		   vfio_map_fields),
	CMD_STRUCT(VFIO_IOMMU_UNMAP_DMA, struct vfio_iommu_type1_dma_unmap,
		   vfio_unmap_fields),
	{
		.cmd = VFIO_IOMMU_DIRTY_PAGES,
		.name = "VFIO_IOMMU_DIRTY_PAGES",
		.arg = A_STRUCT,
		.size = sizeof(struct vfio_iommu_type1_dirty_bitmap),
		.fields = vfio_dirty_fields,
		.nr_fields = ARRAY_SIZE(vfio_dirty_fields),
		.unread = true,
	},
};

/* ---- IOMMU_TEST_CMD ops ----------------------------------------------- */

static const struct field t_add_reserved[] = {
	TFLD(add_reserved, start, F_HEX, R_IN, NULL),
	TFLD(add_reserved, length, F_HEX, R_IN, NULL),
};

static const struct field t_mock_domain[] = {
	TFLD(mock_domain, out_stdev_id, F_DEC, R_OUT, NULL),
	TFLD(mock_domain, out_hwpt_id, F_DEC, R_OUT, NULL),
	TFLD(mock_domain, out_idev_id, F_DEC, R_OUT, NULL),
};

/*
 * The mock device and its bound device are new; the HWPT may be one the
 * device was attached to, so it is only shown in the outputs.
 */
static const struct made t_mock_domain_made[] = {
	MADE("stdev", struct iommu_test_cmd, mock_domain.out_stdev_id, false),
	MADE("idev", struct iommu_test_cmd, mock_domain.out_idev_id, false),
};
BUILD_ASSERT(offsetof(struct iommu_test_cmd, mock_domain.out_idev_id) ==
	     offsetof(struct iommu_test_cmd, mock_domain_flags.out_idev_id));

static const struct field t_check_map[] = {
	TFLD(check_map, iova, F_HEX, R_IN, NULL),
	TFLD(check_map, length, F_HEX, R_IN, NULL),
	TFLD(check_map, uptr, F_HEX, R_IN, NULL),
};

static const struct field t_check_refs[] = {
	TFLD(check_refs, length, F_HEX, R_IN, NULL),
	TFLD(check_refs, uptr, F_HEX, R_IN, NULL),
	TFLD(check_refs, refs, F_DEC, R_IN, NULL),
};

static const struct field t_create_access[] = {
	TFLD(create_access, out_access_fd, F_FD, R_OUT, NULL),
	TFLD(create_access, flags, F_FLAGS, R_IN, mock_create_access_flags),
};

static const struct made t_create_access_made[] = {
	MADE("access fd", struct iommu_test_cmd, create_access.out_access_fd,
	     true),
};

static const struct field t_destroy_access_pages[] = {
	TFLD(destroy_access_pages, access_pages_id, F_DEC, R_IN, NULL),
};

static const struct field t_access_pages[] = {
	TFLD(access_pages, flags, F_FLAGS, R_IN, mock_access_flags),
	TFLD(access_pages, out_access_pages_id, F_DEC, R_OUT, NULL),
	TFLD(access_pages, iova, F_HEX, R_IN, NULL),
	TFLD(access_pages, length, F_HEX, R_IN, NULL),
	TFLD(access_pages, uptr, F_HEX, R_IN, NULL),
};

static const struct field t_access_rw[] = {
	TFLD(access_rw, iova, F_HEX, R_IN, NULL),
	TFLD(access_rw, length, F_HEX, R_IN, NULL),
	TFLD(access_rw, uptr, F_HEX, R_IN, NULL),
	TFLD(access_rw, flags, F_FLAGS, R_IN, mock_rw_flags),
};

static const struct field t_memory_limit[] = {
	TFLD(memory_limit, limit, F_DEC, R_IN, NULL),
};

/* The IOAS given as pt_id comes back as the HWPT the device attached to. */
static const struct field t_mock_domain_replace[] = {
	TFLD(mock_domain_replace, pt_id, F_DEC, R_INOUT, NULL),
};

static const struct field t_access_replace_ioas[] = {
	TFLD(access_replace_ioas, ioas_id, F_DEC, R_IN, NULL),
};

static const struct field t_mock_domain_flags[] = {
	TFLD(mock_domain_flags, out_stdev_id, F_DEC, R_OUT, NULL),
	TFLD(mock_domain_flags, out_hwpt_id, F_DEC, R_OUT, NULL),
	TFLD(mock_domain_flags, out_idev_id, F_DEC, R_OUT, NULL),
	TFLD(mock_domain_flags, dev_flags, F_FLAGS, R_IN, mock_dev_flags),
};

static const struct field t_dirty[] = {
	TFLD(dirty, flags, F_FLAGS, R_IN, NULL),
	TFLD(dirty, iova, F_HEX, R_IN, NULL),
	TFLD(dirty, length, F_HEX, R_IN, NULL),
	TFLD(dirty, page_size, F_HEX, R_IN, NULL),
	TFLD(dirty, uptr, F_HEX, R_IN, NULL),
	TFLD(dirty, out_nr_dirty, F_DEC, R_OUT, NULL),
};

static const struct field t_check_iotlb[] = {
	TFLD_NAMED("check_iotlb.id", check_iotlb, id, F_DEC, R_IN, NULL),
	TFLD(check_iotlb, iotlb, F_HEX, R_IN, NULL),
};

static const struct field t_trigger_iopf[] = {
	TFLD(trigger_iopf, dev_id, F_DEC, R_IN, NULL),
	TFLD(trigger_iopf, pasid, F_DEC, R_IN, NULL),
	TFLD(trigger_iopf, grpid, F_DEC, R_IN, NULL),
	TFLD(trigger_iopf, perm, F_FLAGS, R_IN, pgfault_perms),
	TFLD(trigger_iopf, addr, F_HEX, R_IN, NULL),
};

static const struct field t_check_dev_cache[] = {
	TFLD_NAMED("check_dev_cache.id", check_dev_cache, id, F_DEC, R_IN,
		   NULL),
	TFLD(check_dev_cache, cache, F_HEX, R_IN, NULL),
};

static const struct field t_trigger_vevent[] = {
	TFLD(trigger_vevent, dev_id, F_DEC, R_IN, NULL),
};

static const struct field t_pasid_attach[] = {
	TFLD(pasid_attach, pasid, F_DEC, R_IN, NULL),
	TFLD(pasid_attach, pt_id, F_DEC, R_IN, NULL),
};

static const struct field t_pasid_replace[] = {
	TFLD(pasid_replace, pasid, F_DEC, R_IN, NULL),
	TFLD(pasid_replace, pt_id, F_DEC, R_IN, NULL),
};

static const struct field t_pasid_detach[] = {
	TFLD(pasid_detach, pasid, F_DEC, R_IN, NULL),
};

static const struct field t_pasid_check[] = {
	TFLD(pasid_check, pasid, F_DEC, R_IN, NULL),
	TFLD(pasid_check, hwpt_id, F_DEC, R_IN, NULL),
};

static const struct field t_dmabuf_get[] = {
	TFLD(dmabuf_get, length, F_HEX, R_IN, NULL),
	TFLD(dmabuf_get, open_flags, F_FLAGS, R_IN, open_flags),
};

static const struct field t_dmabuf_revoke[] = {
	TFLD(dmabuf_revoke, dmabuf_fd, F_FD, R_IN, NULL),
	TFLD(dmabuf_revoke, revoked, F_DEC, R_IN, NULL),
};

#define TEST_OP(_op, _fields)                                                  \
	[_op] = {                                                              \
		.name = #_op,                                                  \
		.fields = _fields,                                             \
		.nr_fields = ARRAY_SIZE(_fields),                              \
	}
#define TEST_OP_MADE(_op, _fields, _made)                                      \
	[_op] = {                                                              \
		.name = #_op,                                                  \
		.fields = _fields,                                             \
		.nr_fields = ARRAY_SIZE(_fields),                              \
		.made = _made,                                                 \
		.nr_made = ARRAY_SIZE(_made),                                  \
	}

/* Indexed by op; op 0 and holes have no name. */
static const struct test_op_desc test_ops[] = {
	TEST_OP(IOMMU_TEST_OP_ADD_RESERVED, t_add_reserved),
	TEST_OP_MADE(IOMMU_TEST_OP_MOCK_DOMAIN, t_mock_domain,
		     t_mock_domain_made),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_MAP, t_check_map),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_REFS, t_check_refs),
	TEST_OP_MADE(IOMMU_TEST_OP_CREATE_ACCESS, t_create_access,
		     t_create_access_made),
	TEST_OP(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, t_destroy_access_pages),
	TEST_OP(IOMMU_TEST_OP_ACCESS_PAGES, t_access_pages),
	TEST_OP(IOMMU_TEST_OP_ACCESS_RW, t_access_rw),
	TEST_OP(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, t_memory_limit),
	TEST_OP(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, t_mock_domain_replace),
	TEST_OP(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, t_access_replace_ioas),
	TEST_OP_MADE(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, t_mock_domain_flags,
		     t_mock_domain_made),
	TEST_OP(IOMMU_TEST_OP_DIRTY, t_dirty),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_IOTLB, t_check_iotlb),
	TEST_OP(IOMMU_TEST_OP_TRIGGER_IOPF, t_trigger_iopf),
	TEST_OP(IOMMU_TEST_OP_DEV_CHECK_CACHE, t_check_dev_cache),
	TEST_OP(IOMMU_TEST_OP_TRIGGER_VEVENT, t_trigger_vevent),
	TEST_OP(IOMMU_TEST_OP_PASID_ATTACH, t_pasid_attach),
	TEST_OP(IOMMU_TEST_OP_PASID_REPLACE, t_pasid_replace),
	TEST_OP(IOMMU_TEST_OP_PASID_DETACH, t_pasid_detach),
	TEST_OP(IOMMU_TEST_OP_PASID_CHECK_HWPT, t_pasid_check),
	TEST_OP(IOMMU_TEST_OP_DMABUF_GET, t_dmabuf_get),
	TEST_OP(IOMMU_TEST_OP_DMABUF_REVOKE, t_dmabuf_revoke),
};

/* ---- the line buffer -------------------------------------------------- */

/*
 * Appends to s[0..cap) and keeps s[len] a NUL, so s must have cap + 1
 * bytes. What does not fit is dropped and sets over.
 */
struct lbuf {
	char *s;
	size_t cap;
	size_t len;
	bool over;
};

static void __printf(2, 3) lb_printf(struct lbuf *lb, const char *fmt, ...)
{
	size_t room = lb->cap - lb->len;
	va_list ap;
	int n;

	if (lb->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(lb->s + lb->len, room + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		lb->s[lb->len] = '\0';
		lb->over = true;
	} else if ((size_t)n > room) {
		/* vsnprintf() kept what fit, NUL-terminated at s[cap]. */
		lb->len = lb->cap;
		lb->over = true;
	} else {
		lb->len += (size_t)n;
	}
}

/* ---- reading the caller's memory -------------------------------------- */

/*
 * Copies @len bytes from the caller without trusting the pointer: through
 * process_vm_readv(), which fails with EFAULT where a load would crash.
 * Where that call is not allowed (a seccomp filter), and only when the
 * dispatcher reads the same bytes itself (@core_reads), a plain copy does:
 * it can crash only where the dispatcher would crash anyway.
 */
static bool read_user(void *dst, const void *src, size_t len, bool core_reads)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = {
		.iov_base = (void *)(uintptr_t)src,
		.iov_len = len,
	};
	long pid, n;

	if (!uaccess_ok(src, len))
		return false;
	/* Not cached: a forked child must name itself. */
	pid = ufd_sys6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	n = ufd_sys6(SYS_process_vm_readv, pid, (long)&local, 1, (long)&remote,
		     1, 0);
	if ((n == -ENOSYS || n == -EPERM) && core_reads) {
		memcpy(dst, src, len);
		return true;
	}
	return n == (long)len;
}

/* ---- decoding --------------------------------------------------------- */

static const struct cmd_desc *cmd_find(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}

/* An unknown command that may well take an iommufd-style struct. */
static bool unknown_iommufd(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == IOMMUFD_TYPE &&
	       _IOC_NR(cmd) >= IOMMUFD_CMD_BASE;
}

static const struct test_op_desc *test_op_find(uint32_t op)
{
	if (op >= ARRAY_SIZE(test_ops) || !test_ops[op].name)
		return NULL;
	return &test_ops[op];
}

/*
 * The value of the field at [off, off + width) of a capture; zero past
 * what was captured, as the dispatcher zero-extends a short struct.
 */
static uint64_t arg_get(const unsigned char *bytes, unsigned int len,
			unsigned int off, unsigned int width)
{
	uint64_t v = 0;

	if (off + width > len)
		return 0;
	/* Little-endian, as every struct here is on x86-64. */
	while (width--)
		v = v << 8 | bytes[off + width];
	return v;
}

static uint64_t field_val(const struct field *f, const unsigned char *bytes,
			  unsigned int len)
{
	return arg_get(bytes, len, f->off, f->width);
}

static bool field_visible(const struct field *f, unsigned int len)
{
	return f->off + f->width <= len;
}

/* DIR_IN and/or DIR_OUT, given what the caller passed in @ta. */
static unsigned int field_dirs(const struct field *f,
			       const struct pl_trace_arg *ta)
{
	const unsigned char *b = ta->bytes;
	unsigned int len = ta->len;

	switch (f->role) {
	case R_IN:
		return DIR_IN;
	case R_OUT:
		return DIR_OUT;
	case R_INOUT:
		return DIR_IN | DIR_OUT;
	case R_RSV:
		return field_val(f, b, len) ? DIR_IN : 0;
	case R_IOVA:
		if (arg_get(b, len, MAP_FLAGS_OFF, 4) &
		    IOMMU_IOAS_MAP_FIXED_IOVA)
			return DIR_IN;
		return DIR_IN | DIR_OUT;
	case R_OPTION_VAL:
		if (arg_get(b, len, offsetof(struct iommu_option, op), 2) ==
		    IOMMU_OPTION_OP_GET)
			return DIR_OUT;
		return DIR_IN;
	case R_VFIO_IOAS_ID:
		if (arg_get(b, len, offsetof(struct iommu_vfio_ioas, op), 2) ==
		    IOMMU_VFIO_IOAS_GET)
			return DIR_OUT;
		return DIR_IN;
	case R_HW_INFO_TYPE:
		if (arg_get(b, len, offsetof(struct iommu_hw_info, flags), 4) &
		    IOMMU_HW_INFO_FLAG_INPUT_TYPE)
			return DIR_IN;
		return 0;
	}
	return 0;
}

static void put_flags(struct lbuf *lb, const struct sym *syms, uint64_t v)
{
	bool first = true;

	if (!v) {
		lb_printf(lb, "0");
		return;
	}
	for (; syms && syms->name; syms++) {
		if (!syms->val || (v & syms->val) != syms->val)
			continue;
		lb_printf(lb, "%s%s", first ? "" : "|", syms->name);
		v &= ~syms->val;
		first = false;
	}
	if (v)
		lb_printf(lb, "%s%#" PRIx64, first ? "" : "|", v);
}

static void put_enum(struct lbuf *lb, const struct sym *syms, uint64_t v)
{
	for (; syms && syms->name; syms++) {
		if (syms->val == v) {
			lb_printf(lb, "%s", syms->name);
			return;
		}
	}
	lb_printf(lb, "%#" PRIx64, v);
}

static void put_value(struct lbuf *lb, const struct field *f, uint64_t v)
{
	const struct test_op_desc *op;

	switch (f->fmt) {
	case F_DEC:
		lb_printf(lb, "%" PRIu64, v);
		break;
	case F_HEX:
		/* "%#x" prints a zero as plain "0", as strace does. */
		lb_printf(lb, "%#" PRIx64, v);
		break;
	case F_FD:
		lb_printf(lb, "%d", (int)(int32_t)(uint32_t)v);
		break;
	case F_FLAGS:
		put_flags(lb, f->syms, v);
		break;
	case F_ENUM:
		put_enum(lb, f->syms, v);
		break;
	case F_TESTOP:
		op = test_op_find((uint32_t)v);
		if (op)
			lb_printf(lb, "%s", op->name);
		else
			lb_printf(lb, "%#" PRIx64, v);
		break;
	}
}

/*
 * Prints the fields of @fields that travel in @dir. For DIR_IN the values
 * are the caller's (@in); for DIR_OUT they are @out's, and after a failure
 * (!@ok) only those that differ from @in.
 */
static void put_fields(struct lbuf *lb, const struct field *fields,
		       unsigned int nr, const struct pl_trace_arg *in,
		       const struct pl_trace_arg *out, unsigned int dir,
		       bool ok, bool *first)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct field *f = &fields[i];
		const struct pl_trace_arg *src = dir == DIR_OUT ? out : in;
		uint64_t v;

		if (!field_visible(f, in->len) || !(field_dirs(f, in) & dir))
			continue;
		v = field_val(f, src->bytes, src->len);
		if (dir == DIR_OUT && !ok &&
		    v == field_val(f, in->bytes, in->len))
			continue;
		lb_printf(lb, "%s%s=", *first ? "" : ", ", f->name);
		put_value(lb, f, v);
		*first = false;
	}
}

/* The op-specific half of IOMMU_TEST_CMD, or NULL. */
static const struct test_op_desc *test_op_of(const struct cmd_desc *d,
					     const struct pl_trace_arg *ta)
{
	if (d->arg != A_TEST)
		return NULL;
	return test_op_find((uint32_t)arg_get(
		ta->bytes, ta->len, offsetof(struct iommu_test_cmd, op), 4));
}

static void put_unknown_cmd(struct lbuf *lb, unsigned int cmd)
{
	static const char *const dirs[] = {
		[_IOC_NONE] = "_IOC_NONE",
		[_IOC_WRITE] = "_IOC_WRITE",
		[_IOC_READ] = "_IOC_READ",
		[_IOC_READ | _IOC_WRITE] = "_IOC_READ|_IOC_WRITE",
	};

	lb_printf(lb, "_IOC(%s, %#x, %#x, %#x)", dirs[_IOC_DIR(cmd) & 3],
		  _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd));
}

static void put_ptr(struct lbuf *lb, const void *p)
{
	if (p)
		lb_printf(lb, "%p", p);
	else
		lb_printf(lb, "NULL");
}

/*
 * The argument and, for structs, the outputs: everything between the
 * command's name and the closing parenthesis.
 */
static void put_arg(struct lbuf *lb, const struct cmd_desc *d,
		    const struct pl_trace_arg *in,
		    const struct pl_trace_arg *out, bool ok)
{
	const struct test_op_desc *op;
	bool first = true, was_over;
	size_t mark;

	if (d->arg == A_NONE)
		return;
	if (d->arg == A_INT) {
		lb_printf(lb, ", ");
		put_enum(lb, d->int_syms, (uintptr_t)in->uptr);
		return;
	}
	if (!in->len) {
		lb_printf(lb, ", ");
		put_ptr(lb, in->uptr);
		return;
	}
	op = test_op_of(d, in);
	lb_printf(lb, ", {");
	put_fields(lb, d->fields, d->nr_fields, in, NULL, DIR_IN, ok, &first);
	if (op)
		put_fields(lb, op->fields, op->nr_fields, in, NULL, DIR_IN, ok,
			   &first);
	if (in->usize > d->size || in->short_read)
		lb_printf(lb, ", ...");
	lb_printf(lb, "}");
	if (!out->len)
		return;
	/* Take " => {" back if the call wrote nothing worth showing. */
	mark = lb->len;
	was_over = lb->over;
	first = true;
	lb_printf(lb, " => {");
	put_fields(lb, d->fields, d->nr_fields, in, out, DIR_OUT, ok, &first);
	if (op)
		put_fields(lb, op->fields, op->nr_fields, in, out, DIR_OUT, ok,
			   &first);
	if (first) {
		lb->len = mark;
		lb->over = was_over;
		lb->s[mark] = '\0';
		return;
	}
	lb_printf(lb, "}");
}

/* " [created ioas 2]": the objects a successful call made, from @out. */
static void put_made(struct lbuf *lb, const struct made *made, unsigned int nr,
		     const struct pl_trace_arg *out, bool *first)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct made *m = &made[i];
		uint32_t v;

		if (m->off + sizeof(v) > out->len)
			continue;
		v = (uint32_t)arg_get(out->bytes, out->len, m->off, sizeof(v));
		lb_printf(lb, "%s%s ", *first ? " [created " : ", ", m->kind);
		if (m->is_fd)
			lb_printf(lb, "%d", (int)(int32_t)v);
		else
			lb_printf(lb, "%" PRIu32, v);
		*first = false;
	}
}

/* ") = result" and the objects: the part of the line that is never cut. */
static void put_tail(struct lbuf *lb, const struct cmd_desc *d,
		     const struct pl_trace_arg *in,
		     const struct pl_trace_arg *out, long rc)
{
	const struct test_op_desc *op;
	const char *name, *desc;
	bool first = true;

	if (rc < 0 && rc >= -4095) {
		name = strerrorname_np((int)-rc);
		desc = strerrordesc_np((int)-rc);
		if (name && desc)
			lb_printf(lb, ") = -1 %s (%s)\n", name, desc);
		else
			lb_printf(lb, ") = -1 errno %ld\n", -rc);
		return;
	}
	lb_printf(lb, ") = %ld", rc);
	if (d && d->cmd == IOMMU_DESTROY &&
	    in->len >= sizeof(struct iommu_destroy))
		lb_printf(lb, " [destroyed %" PRIu64 "]",
			  arg_get(in->bytes, in->len,
				  offsetof(struct iommu_destroy, id), 4));
	if (d) {
		op = test_op_of(d, in);
		put_made(lb, d->made, d->nr_made, out, &first);
		if (op)
			put_made(lb, op->made, op->nr_made, out, &first);
		if (!first)
			lb_printf(lb, "]");
	}
	lb_printf(lb, "\n");
}

void pl_trace_capture(struct pl_trace_arg *ta, unsigned int cmd,
		      const void *arg)
{
	const struct cmd_desc *d = cmd_find(cmd);
	bool core_reads = d && !d->unread;
	uint32_t usize;
	size_t want;

	ta->uptr = arg;
	ta->len = 0;
	ta->usize = 0;
	ta->short_read = false;
	if (d ? d->arg != A_STRUCT && d->arg != A_TEST : !unknown_iommufd(cmd))
		return;
	/* The size field comes first, and the dispatcher reads it in full. */
	if (!read_user(&usize, arg, sizeof(usize), core_reads))
		return;
	ta->usize = usize;
	memcpy(ta->bytes, &usize, sizeof(usize));
	ta->len = sizeof(usize);
	if (!d)
		return;
	want = ufd_max(sizeof(usize), ufd_min((size_t)usize, (size_t)d->size));
	if (want == sizeof(usize))
		return;
	if (read_user(ta->bytes, arg, want, core_reads))
		ta->len = (unsigned int)want;
	else
		ta->short_read = true;
}

size_t pl_trace_format(char *line, size_t size, int fd, unsigned int cmd,
		       const struct pl_trace_arg *before, long rc)
{
	const struct cmd_desc *d = cmd_find(cmd);
	struct pl_trace_arg after = { .uptr = before->uptr };
	char tail[128];
	struct lbuf t = { .s = tail, .cap = sizeof(tail) - 1 };
	struct lbuf b = { .s = line };

	if (size < PL_TRACE_LINE_MIN) {
		if (size)
			line[0] = '\0';
		return 0;
	}
	/*
	 * What the call wrote. Not after EFAULT: the argument may be partly
	 * unreadable, and the call wrote nothing the caller could use.
	 */
	if (d && before->len && !before->short_read && rc != -EFAULT &&
	    read_user(after.bytes, before->uptr, before->len, !d->unread))
		after.len = before->len;
	tail[0] = '\0';
	put_tail(&t, d, before, &after, rc);
	/* Cannot happen with 128 bytes; the line must still end. */
	if (t.over)
		tail[t.len - 1] = '\n';

	/* Room for the tail, for "..." if the body is cut, and for the NUL. */
	b.cap = size - 1 - t.len - 3;
	line[0] = '\0';
	lb_printf(&b, "[uiommufd] ioctl(%d, ", fd);
	if (d) {
		lb_printf(&b, "%s", d->name);
		put_arg(&b, d, before, &after, rc >= 0);
	} else {
		put_unknown_cmd(&b, cmd);
		if (before->len)
			lb_printf(&b, ", {size=%" PRIu32 ", ...}",
				  before->usize);
		else
			lb_printf(&b, ", %#lx", (unsigned long)before->uptr);
	}
	if (b.over) {
		memcpy(line + b.len, "...", 3);
		b.len += 3;
	}
	memcpy(line + b.len, tail, t.len + 1);
	return b.len + t.len;
}
