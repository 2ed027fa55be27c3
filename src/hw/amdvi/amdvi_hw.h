/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMD I/O Virtualization Technology (AMD-Vi) as the architecture defines it:
 * the MMIO register map, the Device Table Entry, the GCR3 table entry, the
 * command buffer and event log record layouts, and their encodings.
 *
 * Reference: AMD I/O Virtualization Technology (IOMMU) Specification, pub.
 * 48882, rev 3.x: 2.2.2 Device Table Entry, 2.2.6 GCR3 table, 2.4 commands,
 * 2.5 event log, 3.4 MMIO registers.
 *
 * Every field is declared exactly once, as (shift, width) for a register or
 * as (qword, shift, width) for a structure that is an array of little-endian
 * 64-bit words (a DTE is 4 qwords, a command or an event record 2), and is
 * read and built only through amdvi_fget()/amdvi_fprep() and
 * amdvi_dget()/amdvi_dprep()/amdvi_dset(). The specification numbers
 * command and event fields in 32-bit words; here word 2n+1 bit b is qword n
 * bit 32 + b.
 *
 * This header is the one place the model, the driver (which builds DTEs,
 * GCR3 tables and commands) and tests agree on encodings; it holds no
 * behaviour.
 */
#ifndef UIOMMUFD_HW_AMDVI_HW_H
#define UIOMMUFD_HW_AMDVI_HW_H

#include <stdint.h>

/* A register field: first bit and width. Use through the accessors. */
#define AMDVI_FIELD(shift, width) (shift), (width)
/* A structure field: 64-bit word index, first bit within it, width. */
#define AMDVI_DFIELD(qw, shift, width) (qw), (shift), (width)

#define _amdvi_fmask(shift, width) ((~0ull >> (64 - (width))) << (shift))
#define _amdvi_fget(v, shift, width)                                           \
	(((uint64_t)(v) >> (shift)) & (~0ull >> (64 - (width))))
#define _amdvi_fprep(shift, width, x)                                          \
	((((uint64_t)(x)) << (shift)) & _amdvi_fmask(shift, width))
#define _amdvi_dget(d, qw, shift, width) _amdvi_fget((d)[qw], shift, width)
#define _amdvi_dprep(qw, shift, width, x) _amdvi_fprep(shift, width, x)
#define _amdvi_dqw(qw, shift, width) (qw)
#define _amdvi_dmask(qw, shift, width) _amdvi_fmask(shift, width)
#define _amdvi_dset(d, qw, shift, width, x)                                    \
	((d)[qw] = ((d)[qw] & ~_amdvi_fmask(shift, width)) |                   \
		   _amdvi_fprep(shift, width, x))

/* The extra level lets a field name expand into its numbers. */
#define amdvi_fmask(f) _amdvi_fmask(f)
#define amdvi_fget(v, f) _amdvi_fget(v, f)
#define amdvi_fprep(f, x) _amdvi_fprep(f, x)
/* Value of field @f of the structure @d (an array of uint64_t). */
#define amdvi_dget(d, f) _amdvi_dget(d, f)
/* The bits of field @f holding @x, to be OR-ed into qword amdvi_dqw(f). */
#define amdvi_dprep(f, x) _amdvi_dprep(f, x)
/* Qword index of field @f, and its mask within that qword. */
#define amdvi_dqw(f) _amdvi_dqw(f)
#define amdvi_dmask(f) _amdvi_dmask(f)
/* Set field @f of structure @d to @x, leaving the other bits alone. */
#define amdvi_dset(d, f, x) _amdvi_dset(d, f, x)

/*
 * 3.4 MMIO register map. The model implements the first 16 KiB control
 * page and the 8 KiB of head/tail/status registers at 0x2000.
 */
#define AMDVI_MMIO_SIZE 0x4000u

#define AMDVI_DEVTAB_BASE 0x0000
#define AMDVI_CMDBUF_BASE 0x0008
#define AMDVI_EVTLOG_BASE 0x0010
#define AMDVI_CONTROL 0x0018
#define AMDVI_EXCL_BASE 0x0020
#define AMDVI_EXCL_LIMIT 0x0028
#define AMDVI_EFR 0x0030
#define AMDVI_PPRLOG_BASE 0x0038
#define AMDVI_EFR2 0x01a0
#define AMDVI_CMDBUF_HEAD 0x2000
#define AMDVI_CMDBUF_TAIL 0x2008
#define AMDVI_EVTLOG_HEAD 0x2010
#define AMDVI_EVTLOG_TAIL 0x2018
#define AMDVI_STATUS 0x2020
#define AMDVI_PPRLOG_HEAD 0x2030
#define AMDVI_PPRLOG_TAIL 0x2038

/* 3.4.1 Device Table Base Address: Size = 4 KiB pages - 1. */
#define AMDVI_DEVTAB_SIZE AMDVI_FIELD(0, 9)
#define AMDVI_DEVTAB_ADDR AMDVI_FIELD(12, 40) /* bits 51:12 */

/*
 * 3.4.2/3.4.3/3.4.5 Command Buffer, Event Log and PPR Log Base Address:
 * the buffer at bits 51:12, its length as log2 of 16-byte entries.
 */
#define AMDVI_LOG_ADDR AMDVI_FIELD(12, 40)
#define AMDVI_LOG_LEN AMDVI_FIELD(56, 4)
#define AMDVI_LOG_LEN_MIN 8  /* 256 entries, 4 KiB */
#define AMDVI_LOG_LEN_MAX 15 /* 32768 entries, 512 KiB */

/* Head and tail pointers: byte offset of a 16-byte entry, bits 18:4. */
#define AMDVI_PTR AMDVI_FIELD(4, 15)
#define AMDVI_ENTRY_SIZE 16u

/* 3.4.4 IOMMU Control Register */
#define AMDVI_CTRL_IOMMU_EN AMDVI_FIELD(0, 1)
#define AMDVI_CTRL_HT_TUN_EN AMDVI_FIELD(1, 1)
#define AMDVI_CTRL_EVTLOG_EN AMDVI_FIELD(2, 1)
#define AMDVI_CTRL_EVT_INT_EN AMDVI_FIELD(3, 1)
#define AMDVI_CTRL_COMWAIT_INT_EN AMDVI_FIELD(4, 1)
#define AMDVI_CTRL_INV_TIMEOUT AMDVI_FIELD(5, 3)
#define AMDVI_CTRL_PASSPW AMDVI_FIELD(8, 1)
#define AMDVI_CTRL_RESPASSPW AMDVI_FIELD(9, 1)
#define AMDVI_CTRL_COHERENT AMDVI_FIELD(10, 1)
#define AMDVI_CTRL_ISOC AMDVI_FIELD(11, 1)
#define AMDVI_CTRL_CMDBUF_EN AMDVI_FIELD(12, 1)
#define AMDVI_CTRL_PPRLOG_EN AMDVI_FIELD(13, 1)
#define AMDVI_CTRL_PPR_INT_EN AMDVI_FIELD(14, 1)
#define AMDVI_CTRL_PPR_EN AMDVI_FIELD(15, 1)
#define AMDVI_CTRL_GT_EN AMDVI_FIELD(16, 1)
#define AMDVI_CTRL_GA_EN AMDVI_FIELD(17, 1)
#define AMDVI_CTRL_GAM_EN AMDVI_FIELD(25, 3)
#define AMDVI_CTRL_GALOG_EN AMDVI_FIELD(28, 1)
#define AMDVI_CTRL_GA_INT_EN AMDVI_FIELD(29, 1)
#define AMDVI_CTRL_XT_EN AMDVI_FIELD(50, 1)
#define AMDVI_CTRL_INTCAPXT_EN AMDVI_FIELD(51, 1)

/* 3.4.6 Exclusion Range: the model keeps the range disabled. */
#define AMDVI_EXCL_EN AMDVI_FIELD(0, 1)
#define AMDVI_EXCL_ALLOW AMDVI_FIELD(1, 1)
#define AMDVI_EXCL_ADDR AMDVI_FIELD(12, 40)

/* 3.4.7 Extended Feature Register (read only). */
#define AMDVI_EFR_PREF_SUP AMDVI_FIELD(0, 1)
#define AMDVI_EFR_PPR_SUP AMDVI_FIELD(1, 1)
#define AMDVI_EFR_XT_SUP AMDVI_FIELD(2, 1)
#define AMDVI_EFR_NX_SUP AMDVI_FIELD(3, 1)
#define AMDVI_EFR_GT_SUP AMDVI_FIELD(4, 1)
#define AMDVI_EFR_IA_SUP AMDVI_FIELD(6, 1)
#define AMDVI_EFR_GA_SUP AMDVI_FIELD(7, 1)
#define AMDVI_EFR_HE_SUP AMDVI_FIELD(8, 1)
#define AMDVI_EFR_PC_SUP AMDVI_FIELD(9, 1)
#define AMDVI_EFR_HATS AMDVI_FIELD(10, 2)
#define AMDVI_EFR_GATS AMDVI_FIELD(12, 2)
#define AMDVI_EFR_GLX_SUP AMDVI_FIELD(14, 2)
#define AMDVI_EFR_SMIF_SUP AMDVI_FIELD(16, 2)
#define AMDVI_EFR_SMIF_RC AMDVI_FIELD(18, 3)
#define AMDVI_EFR_GAM_SUP AMDVI_FIELD(21, 3)
#define AMDVI_EFR_PASMAX AMDVI_FIELD(32, 5)
#define AMDVI_EFR_US_SUP AMDVI_FIELD(37, 1)
#define AMDVI_EFR_GIO_SUP AMDVI_FIELD(48, 1)
#define AMDVI_EFR_HA_SUP AMDVI_FIELD(49, 1)
#define AMDVI_EFR_EPH_SUP AMDVI_FIELD(50, 1)
#define AMDVI_EFR_HD_SUP AMDVI_FIELD(52, 1)
#define AMDVI_EFR_INV_IOTLB_TYPE_SUP AMDVI_FIELD(54, 1)
#define AMDVI_EFR_SNP_SUP AMDVI_FIELD(63, 1)

/* EFR.HATS / EFR.GATS: levels of the host / guest page tables. */
#define AMDVI_HATS_4LVL 0
#define AMDVI_HATS_5LVL 1
#define AMDVI_HATS_6LVL 2
#define AMDVI_GATS_4LVL 0
#define AMDVI_GATS_5LVL 1
/* EFR.GLXSup: the GCR3 table levels DTE.GLX may select, minus one. */
#define AMDVI_GLX_SUP_1LVL 0
#define AMDVI_GLX_SUP_2LVL 1
#define AMDVI_GLX_SUP_3LVL 2

/* 3.4.13 Extended Feature 2 Register (read only). */
#define AMDVI_EFR2_SNPAVIC_SUP AMDVI_FIELD(5, 3)
#define AMDVI_EFR2_NUM_INT_REMAP_SUP AMDVI_FIELD(8, 2)

/* 3.4.9 IOMMU Status Register. RW1C: EVT_OVERFLOW, EVT_INT, COMWAIT_INT,
 * PPR_OVERFLOW, PPR_INT. The RUN bits are read-only.
 */
#define AMDVI_STATUS_EVT_OVERFLOW AMDVI_FIELD(0, 1)
#define AMDVI_STATUS_EVT_INT AMDVI_FIELD(1, 1)
#define AMDVI_STATUS_COMWAIT_INT AMDVI_FIELD(2, 1)
#define AMDVI_STATUS_EVTLOG_RUN AMDVI_FIELD(3, 1)
#define AMDVI_STATUS_CMDBUF_RUN AMDVI_FIELD(4, 1)
#define AMDVI_STATUS_PPR_OVERFLOW AMDVI_FIELD(5, 1)
#define AMDVI_STATUS_PPR_INT AMDVI_FIELD(6, 1)
#define AMDVI_STATUS_PPRLOG_RUN AMDVI_FIELD(7, 1)
#define AMDVI_STATUS_RW1C                                                      \
	(amdvi_fmask(AMDVI_STATUS_EVT_OVERFLOW) |                              \
	 amdvi_fmask(AMDVI_STATUS_EVT_INT) |                                   \
	 amdvi_fmask(AMDVI_STATUS_COMWAIT_INT) |                               \
	 amdvi_fmask(AMDVI_STATUS_PPR_OVERFLOW) |                              \
	 amdvi_fmask(AMDVI_STATUS_PPR_INT))

/*
 * 2.2.2 Device Table Entry: 256 bits, four qwords, indexed by DeviceID.
 */
#define AMDVI_DTE_QWORDS 4
#define AMDVI_DTE_SIZE 32u
#define AMDVI_DEVID_MAX 0xffffu

/* qword 0 */
#define AMDVI_DTE_V AMDVI_DFIELD(0, 0, 1)
#define AMDVI_DTE_TV AMDVI_DFIELD(0, 1, 1)
#define AMDVI_DTE_RSVD0 AMDVI_DFIELD(0, 2, 5)
#define AMDVI_DTE_HAD AMDVI_DFIELD(0, 7, 2) /* host access/dirty update */
#define AMDVI_DTE_MODE AMDVI_DFIELD(0, 9, 3)
#define AMDVI_DTE_HPTRP AMDVI_DFIELD(0, 12, 40) /* root, bits 51:12 */
#define AMDVI_DTE_PPR AMDVI_DFIELD(0, 52, 1)
#define AMDVI_DTE_GPRP AMDVI_DFIELD(0, 53, 1)
#define AMDVI_DTE_GIOV AMDVI_DFIELD(0, 54, 1)
#define AMDVI_DTE_GV AMDVI_DFIELD(0, 55, 1)
#define AMDVI_DTE_GLX AMDVI_DFIELD(0, 56, 2)
#define AMDVI_DTE_GCR3_A AMDVI_DFIELD(0, 58, 3) /* GCR3 root 14:12 */
#define AMDVI_DTE_IR AMDVI_DFIELD(0, 61, 1)
#define AMDVI_DTE_IW AMDVI_DFIELD(0, 62, 1)
#define AMDVI_DTE_RSVD63 AMDVI_DFIELD(0, 63, 1)
/* qword 1 */
#define AMDVI_DTE_DOMAIN_ID AMDVI_DFIELD(1, 0, 16)
#define AMDVI_DTE_GCR3_B AMDVI_DFIELD(1, 16, 16) /* GCR3 root 30:15 */
#define AMDVI_DTE_I AMDVI_DFIELD(1, 32, 1)	 /* IOTLB (ATS) enable */
#define AMDVI_DTE_SE AMDVI_DFIELD(1, 33, 1)	 /* suppress repeated faults */
#define AMDVI_DTE_SA AMDVI_DFIELD(1, 34, 1)	 /* suppress all faults */
#define AMDVI_DTE_IOCTL AMDVI_DFIELD(1, 35, 2)
#define AMDVI_DTE_CACHE AMDVI_DFIELD(1, 37, 1)
#define AMDVI_DTE_SD AMDVI_DFIELD(1, 38, 1)
#define AMDVI_DTE_EX AMDVI_DFIELD(1, 39, 1)
#define AMDVI_DTE_SYSMGT AMDVI_DFIELD(1, 40, 2)
#define AMDVI_DTE_GCR3_C AMDVI_DFIELD(1, 43, 21) /* GCR3 root 51:31 */
/* qword 2: interrupt remapping (not modelled) and the guest paging mode. */
#define AMDVI_DTE_IV AMDVI_DFIELD(2, 0, 1)
#define AMDVI_DTE_INTTABLEN AMDVI_DFIELD(2, 1, 4)
#define AMDVI_DTE_IG AMDVI_DFIELD(2, 5, 1)
#define AMDVI_DTE_INTTAB AMDVI_DFIELD(2, 6, 46)
#define AMDVI_DTE_GPM AMDVI_DFIELD(2, 54, 2) /* AMDVI_GATS_* levels */
#define AMDVI_DTE_INTCTL AMDVI_DFIELD(2, 60, 2)

/* DTE.HAD: hardware updates of the host table's A and D bits. */
#define AMDVI_HAD_NONE 0
#define AMDVI_HAD_A 1
#define AMDVI_HAD_RSVD 2
#define AMDVI_HAD_AD 3

/* DTE.Mode: 0 translation disabled, 1..6 host table levels, 7 reserved. */
#define AMDVI_MODE_NONE 0
#define AMDVI_MODE_MAX 6

/* The GCR3 table root split over GCR3_A/B/C: address bits of each part. */
#define AMDVI_GCR3_A_SHIFT 12
#define AMDVI_GCR3_B_SHIFT 15
#define AMDVI_GCR3_C_SHIFT 31

/*
 * 2.2.6 GCR3 table: 4 KiB tables of 512 8-byte entries indexed by PASID,
 * 1 to 3 levels (DTE.GLX + 1). A leaf entry holds the guest CR3, a
 * non-leaf entry the next GCR3 table, both in bits 51:12 with V in bit 0.
 */
#define AMDVI_GCR3_V AMDVI_FIELD(0, 1)
#define AMDVI_GCR3_ADDR AMDVI_FIELD(12, 40)
#define AMDVI_GCR3_BITS 9

/*
 * 2.4 Commands: 128 bits, the opcode in bits 63:60 of qword 0. Fields not
 * declared for an opcode are reserved: a command with one of them set is
 * an ILLEGAL_COMMAND_ERROR.
 */
#define AMDVI_CMD_QWORDS 2
#define AMDVI_CMD_OPCODE AMDVI_DFIELD(0, 60, 4)

#define AMDVI_CMD_COMPLETION_WAIT 0x1
#define AMDVI_CMD_INV_DEVTAB_ENTRY 0x2
#define AMDVI_CMD_INV_IOMMU_PAGES 0x3
#define AMDVI_CMD_INV_IOTLB_PAGES 0x4
#define AMDVI_CMD_INV_INTR_TABLE 0x5
#define AMDVI_CMD_PREFETCH_IOMMU_PAGES 0x6
#define AMDVI_CMD_COMPLETE_PPR_REQUEST 0x7
#define AMDVI_CMD_INV_IOMMU_ALL 0x8

/* COMPLETION_WAIT: store @data at @addr (8-byte aligned) and/or interrupt. */
#define AMDVI_CMD_CW_S AMDVI_DFIELD(0, 0, 1)
#define AMDVI_CMD_CW_I AMDVI_DFIELD(0, 1, 1)
#define AMDVI_CMD_CW_F AMDVI_DFIELD(0, 2, 1)
#define AMDVI_CMD_CW_ADDR AMDVI_DFIELD(0, 3, 49) /* address bits 51:3 */
#define AMDVI_CMD_CW_DATA AMDVI_DFIELD(1, 0, 64)

/* INVALIDATE_DEVTAB_ENTRY, INVALIDATE_INTERRUPT_TABLE */
#define AMDVI_CMD_DEVID AMDVI_DFIELD(0, 0, 16)

/* INVALIDATE_IOMMU_PAGES */
#define AMDVI_CMD_IP_PASID AMDVI_DFIELD(0, 0, 20)
#define AMDVI_CMD_IP_DOMAIN_ID AMDVI_DFIELD(0, 32, 16)
/* Shared by the page invalidations and prefetch: qword 1. */
#define AMDVI_CMD_S AMDVI_DFIELD(1, 0, 1)
#define AMDVI_CMD_PDE AMDVI_DFIELD(1, 1, 1)
#define AMDVI_CMD_GN AMDVI_DFIELD(1, 2, 1)
#define AMDVI_CMD_ADDR AMDVI_DFIELD(1, 12, 52) /* address bits 63:12 */
/* S = 1 with this address: every page of the domain (or PASID). */
#define AMDVI_CMD_ADDR_ALL 0x7ffffffffffff000ull

/* INVALIDATE_IOTLB_PAGES (device ATC): PASID split in two bytes. */
#define AMDVI_CMD_IT_PASID_HI AMDVI_DFIELD(0, 16, 8) /* PASID 15:8 */
#define AMDVI_CMD_IT_MAXPEND AMDVI_DFIELD(0, 24, 8)
#define AMDVI_CMD_IT_QUEUEID AMDVI_DFIELD(0, 32, 16)
#define AMDVI_CMD_IT_PASID_LO AMDVI_DFIELD(0, 48, 8) /* PASID 7:0 */

/* PREFETCH_IOMMU_PAGES */
#define AMDVI_CMD_PF_COUNT AMDVI_DFIELD(0, 24, 8)
#define AMDVI_CMD_PF_PASID AMDVI_DFIELD(0, 32, 20)
#define AMDVI_CMD_PF_INVAL AMDVI_DFIELD(1, 4, 1)

/* COMPLETE_PPR_REQUEST */
#define AMDVI_CMD_PPR_PASID AMDVI_DFIELD(0, 32, 20)
#define AMDVI_CMD_PPR_TAG AMDVI_DFIELD(1, 32, 9)
#define AMDVI_CMD_PPR_STATUS AMDVI_DFIELD(1, 44, 4)

/*
 * 2.5 Event log records: 128 bits; the event code in bits 63:60 of qword
 * 0, qword 1 the address (of the request, the DTE, the PTE or the command,
 * by event code).
 */
#define AMDVI_EVT_QWORDS 2
#define AMDVI_EVT_DEVID AMDVI_DFIELD(0, 0, 16)
#define AMDVI_EVT_PASID_HI AMDVI_DFIELD(0, 16, 4) /* PASID 19:16 */
/* DomainID, or PASID 15:0 when GN = 1. */
#define AMDVI_EVT_DOMAIN_ID AMDVI_DFIELD(0, 32, 16)
#define AMDVI_EVT_FLAGS AMDVI_DFIELD(0, 48, 12)
#define AMDVI_EVT_CODE AMDVI_DFIELD(0, 60, 4)
#define AMDVI_EVT_ADDR AMDVI_DFIELD(1, 0, 64)

/* Bits of AMDVI_EVT_FLAGS. */
#define AMDVI_EVF_GN (1u << 0) /* guest (PASID) request */
#define AMDVI_EVF_NX (1u << 1) /* no-execute violation / exec request */
#define AMDVI_EVF_US (1u << 2) /* user request */
#define AMDVI_EVF_I (1u << 3)  /* interrupt request */
#define AMDVI_EVF_PR (1u << 4) /* the entry was present */
#define AMDVI_EVF_RW (1u << 5) /* write */
#define AMDVI_EVF_PE (1u << 6) /* permission denied */
#define AMDVI_EVF_RZ (1u << 7) /* a reserved bit was not zero */
#define AMDVI_EVF_TR (1u << 8) /* translation (ATS) request */
#define AMDVI_EVF_TYPE_SHIFT 9 /* hardware errors: 2-bit type */

/* Event codes. */
#define AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY 0x1
#define AMDVI_EVT_IO_PAGE_FAULT 0x2
#define AMDVI_EVT_DEV_TAB_HARDWARE_ERROR 0x3
#define AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR 0x4
#define AMDVI_EVT_ILLEGAL_COMMAND_ERROR 0x5
#define AMDVI_EVT_COMMAND_HARDWARE_ERROR 0x6
#define AMDVI_EVT_IOTLB_INV_TIMEOUT 0x7
#define AMDVI_EVT_INVALID_DEVICE_REQUEST 0x8
#define AMDVI_EVT_INVALID_PPR_REQUEST 0x9

/* Hardware error type (flags TYPE): what the failed access was. */
#define AMDVI_HWERR_MASTER_ABORT 1
#define AMDVI_HWERR_TARGET_ABORT 2
#define AMDVI_HWERR_DATA_ERROR 3

/*
 * 2.6 PPR log records (Page Service Request): 128 bits.
 */
#define AMDVI_PPR_DEVID AMDVI_DFIELD(0, 0, 16)
#define AMDVI_PPR_PASID_LO AMDVI_DFIELD(0, 16, 16) /* PASID 15:0 */
#define AMDVI_PPR_TAG AMDVI_DFIELD(0, 32, 9)
#define AMDVI_PPR_PASID_HI AMDVI_DFIELD(0, 42, 4) /* PASID 19:16 */
#define AMDVI_PPR_FLAGS AMDVI_DFIELD(0, 48, 12)
#define AMDVI_PPR_CODE AMDVI_DFIELD(0, 60, 4)
#define AMDVI_PPR_ADDR AMDVI_DFIELD(1, 0, 64)
#define AMDVI_PPR_CODE_PAGE_REQUEST 0x1
/* Bits of AMDVI_PPR_FLAGS. */
#define AMDVI_PPRF_NX (1u << 1) /* execute requested */
#define AMDVI_PPRF_RD (1u << 2) /* read requested */
#define AMDVI_PPRF_WR (1u << 5) /* write requested */
#define AMDVI_PPRF_US (1u << 6) /* user request */
#define AMDVI_PPRF_RZ (1u << 7) /* reserved bits were set */
#define AMDVI_PPRF_GN (1u << 8) /* PASID valid */

/* COMPLETE_PPR_REQUEST status (PCIe PRG Response codes). */
#define AMDVI_PPR_SUCCESS 0x0
#define AMDVI_PPR_INVALID 0x1
#define AMDVI_PPR_FAILURE 0xf

#endif
