/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm SMMUv3 as the architecture defines it: the register map, the in-memory
 * structures (stream table entries, context descriptors, level-1 table
 * descriptors), command and event record layouts, and their encodings.
 *
 * Every field is declared exactly once, as (shift, width) for a register or
 * as (dword, shift, width) for a structure that is an array of little-endian
 * 64-bit words, and is read and built only through smmu_fget()/smmu_fprep()
 * and smmu_dget()/smmu_dprep(). Section numbers refer to the SMMUv3
 * architecture specification, IHI 0070: chapter 6 for registers, 5.2 STE,
 * 5.3 L1CD, 5.4 CD, 4.x commands, 7.3 event records, 8 PRI queue records.
 *
 * This header is the one place the model, drivers (which build STEs, CDs and
 * commands) and tests agree on encodings; it holds no behaviour.
 */
#ifndef UIOMMUFD_HW_SMMUV3_HW_H
#define UIOMMUFD_HW_SMMUV3_HW_H

#include <stdint.h>

/* A register field: first bit and width. Use through the accessors. */
#define SMMU_FIELD(shift, width) (shift), (width)
/* A structure field: 64-bit word index, first bit within it, width. */
#define SMMU_DFIELD(dw, shift, width) (dw), (shift), (width)

#define _smmu_fmask(shift, width) ((~0ull >> (64 - (width))) << (shift))
#define _smmu_fget(v, shift, width)                                            \
	(((uint64_t)(v) >> (shift)) & (~0ull >> (64 - (width))))
#define _smmu_fprep(shift, width, x)                                           \
	((((uint64_t)(x)) << (shift)) & _smmu_fmask(shift, width))
#define _smmu_dget(d, dw, shift, width) _smmu_fget((d)[dw], shift, width)
#define _smmu_dprep(dw, shift, width, x) _smmu_fprep(shift, width, x)
#define _smmu_ddw(dw, shift, width) (dw)
#define _smmu_dmask(dw, shift, width) _smmu_fmask(shift, width)

/* The extra level lets a field name expand into its numbers. */
#define smmu_fmask(f) _smmu_fmask(f)
#define smmu_fget(v, f) _smmu_fget(v, f)
#define smmu_fprep(f, x) _smmu_fprep(f, x)
/* Value of field @f of the structure @d (an array of uint64_t). */
#define smmu_dget(d, f) _smmu_dget(d, f)
/* The bits of field @f holding @x, to be OR-ed into word smmu_ddw(f). */
#define smmu_dprep(f, x) _smmu_dprep(f, x)
/* Word index of field @f. */
#define smmu_ddw(f) _smmu_ddw(f)
#define smmu_dmask(f) _smmu_dmask(f)
/* Set field @f of structure @d to @x, leaving the other bits alone. */
#define smmu_dset(d, f, x) _smmu_dset(d, f, x)
#define _smmu_dset(d, dw, shift, width, x)                                     \
	((d)[dw] = ((d)[dw] & ~_smmu_fmask(shift, width)) |                    \
		   _smmu_fprep(shift, width, x))

/*
 * Register map (6.2, 6.3). Page 0 holds the control registers; page 1, at
 * 64 KiB, holds the producer/consumer indexes software polls.
 */
#define SMMU_PAGE_SIZE 0x10000u
#define SMMU_MMIO_SIZE (2 * SMMU_PAGE_SIZE)

#define SMMU_IDR0 0x0000
#define SMMU_IDR1 0x0004
#define SMMU_IDR2 0x0008
#define SMMU_IDR3 0x000c
#define SMMU_IDR4 0x0010
#define SMMU_IDR5 0x0014
#define SMMU_IIDR 0x0018
#define SMMU_AIDR 0x001c
#define SMMU_CR0 0x0020
#define SMMU_CR0ACK 0x0024
#define SMMU_CR1 0x0028
#define SMMU_CR2 0x002c
#define SMMU_STATUSR 0x0040
#define SMMU_GBPA 0x0044
#define SMMU_AGBPA 0x0048
#define SMMU_IRQ_CTRL 0x0050
#define SMMU_IRQ_CTRLACK 0x0054
#define SMMU_GERROR 0x0060
#define SMMU_GERRORN 0x0064
#define SMMU_GERROR_IRQ_CFG0 0x0068 /* 64-bit */
#define SMMU_GERROR_IRQ_CFG1 0x0070
#define SMMU_GERROR_IRQ_CFG2 0x0074
#define SMMU_STRTAB_BASE 0x0080 /* 64-bit */
#define SMMU_STRTAB_BASE_CFG 0x0088
#define SMMU_CMDQ_BASE 0x0090 /* 64-bit */
#define SMMU_CMDQ_PROD 0x0098
#define SMMU_CMDQ_CONS 0x009c
#define SMMU_EVENTQ_BASE 0x00a0	    /* 64-bit */
#define SMMU_EVENTQ_IRQ_CFG0 0x00b0 /* 64-bit */
#define SMMU_EVENTQ_IRQ_CFG1 0x00b8
#define SMMU_EVENTQ_IRQ_CFG2 0x00bc
#define SMMU_PRIQ_BASE 0x00c0	  /* 64-bit */
#define SMMU_PRIQ_IRQ_CFG0 0x00d0 /* 64-bit */
#define SMMU_PRIQ_IRQ_CFG1 0x00d8
#define SMMU_PRIQ_IRQ_CFG2 0x00dc
/* Page 1. The model also answers at the page-0 offsets (page & 0xffff). */
#define SMMU_EVENTQ_PROD 0x100a8
#define SMMU_EVENTQ_CONS 0x100ac
#define SMMU_PRIQ_PROD 0x100c8
#define SMMU_PRIQ_CONS 0x100cc

/* 6.3.1 SMMU_IDR0 */
#define SMMU_IDR0_S2P SMMU_FIELD(0, 1)
#define SMMU_IDR0_S1P SMMU_FIELD(1, 1)
#define SMMU_IDR0_TTF SMMU_FIELD(2, 2)
#define SMMU_IDR0_COHACC SMMU_FIELD(4, 1)
#define SMMU_IDR0_BTM SMMU_FIELD(5, 1)
#define SMMU_IDR0_HTTU SMMU_FIELD(6, 2)
#define SMMU_IDR0_DORMHINT SMMU_FIELD(8, 1)
#define SMMU_IDR0_HYP SMMU_FIELD(9, 1)
#define SMMU_IDR0_ATS SMMU_FIELD(10, 1)
#define SMMU_IDR0_NS1ATS SMMU_FIELD(11, 1)
#define SMMU_IDR0_ASID16 SMMU_FIELD(12, 1)
#define SMMU_IDR0_MSI SMMU_FIELD(13, 1)
#define SMMU_IDR0_SEV SMMU_FIELD(14, 1)
#define SMMU_IDR0_ATOS SMMU_FIELD(15, 1)
#define SMMU_IDR0_PRI SMMU_FIELD(16, 1)
#define SMMU_IDR0_VMW SMMU_FIELD(17, 1)
#define SMMU_IDR0_VMID16 SMMU_FIELD(18, 1)
#define SMMU_IDR0_CD2L SMMU_FIELD(19, 1)
#define SMMU_IDR0_VATOS SMMU_FIELD(20, 1)
#define SMMU_IDR0_TTENDIAN SMMU_FIELD(21, 2)
#define SMMU_IDR0_ATSRECERR SMMU_FIELD(23, 1)
#define SMMU_IDR0_STALL_MODEL SMMU_FIELD(24, 2)
#define SMMU_IDR0_TERM_MODEL SMMU_FIELD(26, 1)
#define SMMU_IDR0_ST_LEVEL SMMU_FIELD(27, 2)

#define SMMU_TTF_AARCH64 2
#define SMMU_HTTU_NONE 0
#define SMMU_HTTU_A 1
#define SMMU_HTTU_AD 2
#define SMMU_TTENDIAN_LE 2
#define SMMU_STALL_MODEL_BOTH 0	   /* stall and terminate */
#define SMMU_STALL_MODEL_NOSTALL 1 /* terminate only */
#define SMMU_ST_LEVEL_2LVL 1

/* 6.3.2 SMMU_IDR1 */
#define SMMU_IDR1_SIDSIZE SMMU_FIELD(0, 6)
#define SMMU_IDR1_SSIDSIZE SMMU_FIELD(6, 5)
#define SMMU_IDR1_PRIQS SMMU_FIELD(11, 5)
#define SMMU_IDR1_EVENTQS SMMU_FIELD(16, 5)
#define SMMU_IDR1_CMDQS SMMU_FIELD(21, 5)
#define SMMU_IDR1_ATTR_PERMS_OVR SMMU_FIELD(26, 1)
#define SMMU_IDR1_ATTR_TYPES_OVR SMMU_FIELD(27, 1)
#define SMMU_IDR1_REL SMMU_FIELD(28, 1)
#define SMMU_IDR1_QUEUES_PRESET SMMU_FIELD(29, 1)
#define SMMU_IDR1_TABLES_PRESET SMMU_FIELD(30, 1)

/* 6.3.4 SMMU_IDR3 */
#define SMMU_IDR3_HAD SMMU_FIELD(2, 1)
#define SMMU_IDR3_RIL SMMU_FIELD(10, 1)

/* 6.3.6 SMMU_IDR5 */
#define SMMU_IDR5_OAS SMMU_FIELD(0, 3)
#define SMMU_IDR5_GRAN4K SMMU_FIELD(4, 1)
#define SMMU_IDR5_GRAN16K SMMU_FIELD(5, 1)
#define SMMU_IDR5_GRAN64K SMMU_FIELD(6, 1)
#define SMMU_IDR5_VAX SMMU_FIELD(10, 2)
#define SMMU_IDR5_STALL_MAX SMMU_FIELD(16, 16)

/* Address size encodings shared by IDR5.OAS, CD.IPS and STE.S2PS. */
#define SMMU_PS_32 0
#define SMMU_PS_36 1
#define SMMU_PS_40 2
#define SMMU_PS_42 3
#define SMMU_PS_44 4
#define SMMU_PS_48 5
#define SMMU_PS_52 6

/* 6.3.8 SMMU_AIDR */
#define SMMU_AIDR_MINOR SMMU_FIELD(0, 4)
#define SMMU_AIDR_MAJOR SMMU_FIELD(4, 4)

/* 6.3.9 SMMU_CR0 (and CR0ACK) */
#define SMMU_CR0_SMMUEN SMMU_FIELD(0, 1)
#define SMMU_CR0_PRIQEN SMMU_FIELD(1, 1)
#define SMMU_CR0_EVENTQEN SMMU_FIELD(2, 1)
#define SMMU_CR0_CMDQEN SMMU_FIELD(3, 1)
#define SMMU_CR0_ATSCHK SMMU_FIELD(4, 1)
#define SMMU_CR0_VMW SMMU_FIELD(6, 3)

/* 6.3.11 SMMU_CR1 */
#define SMMU_CR1_QUEUE_IC SMMU_FIELD(0, 2)
#define SMMU_CR1_QUEUE_OC SMMU_FIELD(2, 2)
#define SMMU_CR1_QUEUE_SH SMMU_FIELD(4, 2)
#define SMMU_CR1_TABLE_IC SMMU_FIELD(6, 2)
#define SMMU_CR1_TABLE_OC SMMU_FIELD(8, 2)
#define SMMU_CR1_TABLE_SH SMMU_FIELD(10, 2)

/* 6.3.12 SMMU_CR2 */
#define SMMU_CR2_E2H SMMU_FIELD(0, 1)
#define SMMU_CR2_RECINVSID SMMU_FIELD(1, 1)
#define SMMU_CR2_PTM SMMU_FIELD(2, 1)

/* 6.3.14 SMMU_GBPA */
#define SMMU_GBPA_MEMATTR SMMU_FIELD(0, 4)
#define SMMU_GBPA_MTCFG SMMU_FIELD(4, 1)
#define SMMU_GBPA_ALLOCCFG SMMU_FIELD(8, 4)
#define SMMU_GBPA_SHCFG SMMU_FIELD(12, 2)
#define SMMU_GBPA_PRIVCFG SMMU_FIELD(16, 2)
#define SMMU_GBPA_INSTCFG SMMU_FIELD(18, 2)
#define SMMU_GBPA_ABORT SMMU_FIELD(20, 1)
#define SMMU_GBPA_UPDATE SMMU_FIELD(31, 1)

/* 6.3.16 SMMU_IRQ_CTRL (and IRQ_CTRLACK) */
#define SMMU_IRQ_CTRL_GERROR_IRQEN SMMU_FIELD(0, 1)
#define SMMU_IRQ_CTRL_PRIQ_IRQEN SMMU_FIELD(1, 1)
#define SMMU_IRQ_CTRL_EVENTQ_IRQEN SMMU_FIELD(2, 1)

/* 6.3.18 SMMU_GERROR (and GERRORN): an error is active while they differ. */
#define SMMU_GERROR_CMDQ_ERR SMMU_FIELD(0, 1)
#define SMMU_GERROR_EVTQ_ABT_ERR SMMU_FIELD(2, 1)
#define SMMU_GERROR_PRIQ_ABT_ERR SMMU_FIELD(3, 1)
#define SMMU_GERROR_MSI_CMDQ_ABT_ERR SMMU_FIELD(4, 1)
#define SMMU_GERROR_MSI_EVTQ_ABT_ERR SMMU_FIELD(5, 1)
#define SMMU_GERROR_MSI_PRIQ_ABT_ERR SMMU_FIELD(6, 1)
#define SMMU_GERROR_MSI_GERROR_ABT_ERR SMMU_FIELD(7, 1)
#define SMMU_GERROR_SFM_ERR SMMU_FIELD(8, 1)

/* SMMU_*_IRQ_CFG0/1/2: MSI address, data and attributes. */
#define SMMU_IRQ_CFG0_ADDR SMMU_FIELD(2, 50) /* bits [51:2] */
#define SMMU_IRQ_CFG2_MEMATTR SMMU_FIELD(0, 4)
#define SMMU_IRQ_CFG2_SH SMMU_FIELD(4, 2)

/* 6.3.24 SMMU_STRTAB_BASE, 6.3.25 SMMU_STRTAB_BASE_CFG */
#define SMMU_STRTAB_BASE_ADDR SMMU_FIELD(6, 46) /* bits [51:6] */
#define SMMU_STRTAB_BASE_RA SMMU_FIELD(62, 1)
#define SMMU_STRTAB_BASE_CFG_LOG2SIZE SMMU_FIELD(0, 6)
#define SMMU_STRTAB_BASE_CFG_SPLIT SMMU_FIELD(6, 5)
#define SMMU_STRTAB_BASE_CFG_FMT SMMU_FIELD(16, 2)
#define SMMU_STRTAB_FMT_LINEAR 0
#define SMMU_STRTAB_FMT_2LVL 1

/* The bits of CR1, GBPA, IRQ_CTRL, GERROR and *_IRQ_CFG2 that exist. */
#define SMMU_CR1_MASK                                                          \
	(smmu_fmask(SMMU_CR1_QUEUE_IC) | smmu_fmask(SMMU_CR1_QUEUE_OC) |       \
	 smmu_fmask(SMMU_CR1_QUEUE_SH) | smmu_fmask(SMMU_CR1_TABLE_IC) |       \
	 smmu_fmask(SMMU_CR1_TABLE_OC) | smmu_fmask(SMMU_CR1_TABLE_SH))
#define SMMU_GBPA_MASK                                                         \
	(smmu_fmask(SMMU_GBPA_MEMATTR) | smmu_fmask(SMMU_GBPA_MTCFG) |         \
	 smmu_fmask(SMMU_GBPA_ALLOCCFG) | smmu_fmask(SMMU_GBPA_SHCFG) |        \
	 smmu_fmask(SMMU_GBPA_PRIVCFG) | smmu_fmask(SMMU_GBPA_INSTCFG) |       \
	 smmu_fmask(SMMU_GBPA_ABORT))
#define SMMU_IRQ_CTRL_MASK                                                     \
	(smmu_fmask(SMMU_IRQ_CTRL_GERROR_IRQEN) |                              \
	 smmu_fmask(SMMU_IRQ_CTRL_PRIQ_IRQEN) |                                \
	 smmu_fmask(SMMU_IRQ_CTRL_EVENTQ_IRQEN))
#define SMMU_GERROR_MASK                                                       \
	(smmu_fmask(SMMU_GERROR_CMDQ_ERR) |                                    \
	 smmu_fmask(SMMU_GERROR_EVTQ_ABT_ERR) |                                \
	 smmu_fmask(SMMU_GERROR_PRIQ_ABT_ERR) |                                \
	 smmu_fmask(SMMU_GERROR_MSI_CMDQ_ABT_ERR) |                            \
	 smmu_fmask(SMMU_GERROR_MSI_EVTQ_ABT_ERR) |                            \
	 smmu_fmask(SMMU_GERROR_MSI_PRIQ_ABT_ERR) |                            \
	 smmu_fmask(SMMU_GERROR_MSI_GERROR_ABT_ERR) |                          \
	 smmu_fmask(SMMU_GERROR_SFM_ERR))
#define SMMU_IRQ_CFG2_MASK                                                     \
	(smmu_fmask(SMMU_IRQ_CFG2_MEMATTR) | smmu_fmask(SMMU_IRQ_CFG2_SH))

/* Queue base registers (CMDQ, EVENTQ, PRIQ). */
#define SMMU_Q_BASE_LOG2SIZE SMMU_FIELD(0, 5)
#define SMMU_Q_BASE_ADDR SMMU_FIELD(5, 47) /* bits [51:5] */
#define SMMU_Q_BASE_RWA SMMU_FIELD(62, 1)
/*
 * Queue index registers: an index of LOG2SIZE bits with the wrap bit just
 * above it; the top bit is CMDQ_CONS-reserved, EVENTQ/PRIQ_PROD.OVFLG or
 * EVENTQ/PRIQ_CONS.OVACKFLG.
 */
#define SMMU_Q_OVF SMMU_FIELD(31, 1)
#define SMMU_CMDQ_CONS_ERR SMMU_FIELD(24, 7)
/* Index and wrap bit of the largest queue (LOG2SIZE 19). */
#define SMMU_Q_IDX_WRAP SMMU_FIELD(0, 20)

/* CMDQ_CONS.ERR codes (7.1). */
#define SMMU_CERROR_NONE 0
#define SMMU_CERROR_ILL 1
#define SMMU_CERROR_ABT 2
#define SMMU_CERROR_ATC_INV_SYNC 3

/* Queue entry sizes (4.1, 7.3, 8). */
#define SMMU_CMD_DWORDS 2
#define SMMU_EVT_DWORDS 4
#define SMMU_PRI_DWORDS 2

/* 5.1 Level-1 stream table descriptor. */
#define SMMU_L1STD_SPAN SMMU_DFIELD(0, 0, 5)
#define SMMU_L1STD_L2PTR SMMU_DFIELD(0, 6, 46) /* bits [51:6] */

/* 5.2 Stream table entry: 64 bytes. */
#define SMMU_STE_DWORDS 8
#define SMMU_STE_V SMMU_DFIELD(0, 0, 1)
#define SMMU_STE_CONFIG SMMU_DFIELD(0, 1, 3)
#define SMMU_STE_S1FMT SMMU_DFIELD(0, 4, 2)
#define SMMU_STE_S1CTXPTR SMMU_DFIELD(0, 6, 46) /* bits [51:6] */
#define SMMU_STE_S1CDMAX SMMU_DFIELD(0, 59, 5)
#define SMMU_STE_S1DSS SMMU_DFIELD(1, 0, 2)
#define SMMU_STE_S1CIR SMMU_DFIELD(1, 2, 2)
#define SMMU_STE_S1COR SMMU_DFIELD(1, 4, 2)
#define SMMU_STE_S1CSH SMMU_DFIELD(1, 6, 2)
#define SMMU_STE_DRE SMMU_DFIELD(1, 12, 1)
#define SMMU_STE_CONT SMMU_DFIELD(1, 13, 4)
#define SMMU_STE_DCP SMMU_DFIELD(1, 17, 1)
#define SMMU_STE_PPAR SMMU_DFIELD(1, 18, 1)
#define SMMU_STE_MEV SMMU_DFIELD(1, 19, 1)
#define SMMU_STE_S2FWB SMMU_DFIELD(1, 25, 1)
#define SMMU_STE_S1MPAM SMMU_DFIELD(1, 26, 1)
#define SMMU_STE_S1STALLD SMMU_DFIELD(1, 27, 1)
#define SMMU_STE_EATS SMMU_DFIELD(1, 28, 2)
#define SMMU_STE_STRW SMMU_DFIELD(1, 30, 2)
#define SMMU_STE_MEMATTR SMMU_DFIELD(1, 32, 4)
#define SMMU_STE_MTCFG SMMU_DFIELD(1, 36, 1)
#define SMMU_STE_ALLOCCFG SMMU_DFIELD(1, 37, 4)
#define SMMU_STE_SHCFG SMMU_DFIELD(1, 44, 2)
#define SMMU_STE_NSCFG SMMU_DFIELD(1, 46, 2)
#define SMMU_STE_PRIVCFG SMMU_DFIELD(1, 48, 2)
#define SMMU_STE_INSTCFG SMMU_DFIELD(1, 50, 2)
#define SMMU_STE_S2VMID SMMU_DFIELD(2, 0, 16)
#define SMMU_STE_S2T0SZ SMMU_DFIELD(2, 32, 6)
#define SMMU_STE_S2SL0 SMMU_DFIELD(2, 38, 2)
#define SMMU_STE_S2IR0 SMMU_DFIELD(2, 40, 2)
#define SMMU_STE_S2OR0 SMMU_DFIELD(2, 42, 2)
#define SMMU_STE_S2SH0 SMMU_DFIELD(2, 44, 2)
#define SMMU_STE_S2TG SMMU_DFIELD(2, 46, 2)
#define SMMU_STE_S2PS SMMU_DFIELD(2, 48, 3)
#define SMMU_STE_S2AA64 SMMU_DFIELD(2, 51, 1)
#define SMMU_STE_S2ENDI SMMU_DFIELD(2, 52, 1)
#define SMMU_STE_S2AFFD SMMU_DFIELD(2, 53, 1)
#define SMMU_STE_S2PTW SMMU_DFIELD(2, 54, 1)
#define SMMU_STE_S2HD SMMU_DFIELD(2, 55, 1)
#define SMMU_STE_S2HA SMMU_DFIELD(2, 56, 1)
#define SMMU_STE_S2S SMMU_DFIELD(2, 57, 1)
#define SMMU_STE_S2R SMMU_DFIELD(2, 58, 1)
#define SMMU_STE_S2TTB SMMU_DFIELD(3, 4, 48) /* bits [51:4] */

/* STE.Config (5.2): bit 0 stage 1 translates, bit 1 stage 2 translates. */
#define SMMU_STE_CFG_ABORT 0
#define SMMU_STE_CFG_BYPASS 4
#define SMMU_STE_CFG_S1 5
#define SMMU_STE_CFG_S2 6
#define SMMU_STE_CFG_NESTED 7
/* STE.S1Fmt */
#define SMMU_S1FMT_LINEAR 0
#define SMMU_S1FMT_4K_L2 1
#define SMMU_S1FMT_64K_L2 2
/* STE.S1DSS */
#define SMMU_S1DSS_TERMINATE 0
#define SMMU_S1DSS_BYPASS 1
#define SMMU_S1DSS_SSID0 2
/* STE.EATS */
#define SMMU_EATS_ABT 0
#define SMMU_EATS_TRANS 1
#define SMMU_EATS_S1CHK 2
/* STE.S2TG */
#define SMMU_S2TG_4K 0
#define SMMU_S2TG_64K 1
#define SMMU_S2TG_16K 2

/* 5.3 Level-1 context descriptor. */
#define SMMU_L1CD_V SMMU_DFIELD(0, 0, 1)
#define SMMU_L1CD_L2PTR SMMU_DFIELD(0, 12, 40) /* bits [51:12] */

/* 5.4 Context descriptor: 64 bytes. */
#define SMMU_CD_DWORDS 8
#define SMMU_CD_T0SZ SMMU_DFIELD(0, 0, 6)
#define SMMU_CD_TG0 SMMU_DFIELD(0, 6, 2)
#define SMMU_CD_IR0 SMMU_DFIELD(0, 8, 2)
#define SMMU_CD_OR0 SMMU_DFIELD(0, 10, 2)
#define SMMU_CD_SH0 SMMU_DFIELD(0, 12, 2)
#define SMMU_CD_EPD0 SMMU_DFIELD(0, 14, 1)
#define SMMU_CD_ENDI SMMU_DFIELD(0, 15, 1)
#define SMMU_CD_T1SZ SMMU_DFIELD(0, 16, 6)
#define SMMU_CD_TG1 SMMU_DFIELD(0, 22, 2)
#define SMMU_CD_IR1 SMMU_DFIELD(0, 24, 2)
#define SMMU_CD_OR1 SMMU_DFIELD(0, 26, 2)
#define SMMU_CD_SH1 SMMU_DFIELD(0, 28, 2)
#define SMMU_CD_EPD1 SMMU_DFIELD(0, 30, 1)
#define SMMU_CD_V SMMU_DFIELD(0, 31, 1)
#define SMMU_CD_IPS SMMU_DFIELD(0, 32, 3)
#define SMMU_CD_AFFD SMMU_DFIELD(0, 35, 1)
#define SMMU_CD_WXN SMMU_DFIELD(0, 36, 1)
#define SMMU_CD_UWXN SMMU_DFIELD(0, 37, 1)
#define SMMU_CD_TBI0 SMMU_DFIELD(0, 38, 1)
#define SMMU_CD_TBI1 SMMU_DFIELD(0, 39, 1)
#define SMMU_CD_PAN SMMU_DFIELD(0, 40, 1)
#define SMMU_CD_AA64 SMMU_DFIELD(0, 41, 1)
#define SMMU_CD_HD SMMU_DFIELD(0, 42, 1)
#define SMMU_CD_HA SMMU_DFIELD(0, 43, 1)
#define SMMU_CD_S SMMU_DFIELD(0, 44, 1)
#define SMMU_CD_R SMMU_DFIELD(0, 45, 1)
#define SMMU_CD_A SMMU_DFIELD(0, 46, 1)
#define SMMU_CD_ASET SMMU_DFIELD(0, 47, 1)
#define SMMU_CD_ASID SMMU_DFIELD(0, 48, 16)
#define SMMU_CD_NSCFG0 SMMU_DFIELD(1, 0, 1)
#define SMMU_CD_HAD0 SMMU_DFIELD(1, 1, 1)
#define SMMU_CD_TTB0 SMMU_DFIELD(1, 4, 48) /* bits [51:4] */
#define SMMU_CD_NSCFG1 SMMU_DFIELD(2, 0, 1)
#define SMMU_CD_HAD1 SMMU_DFIELD(2, 1, 1)
#define SMMU_CD_TTB1 SMMU_DFIELD(2, 4, 48) /* bits [51:4] */
#define SMMU_CD_MAIR0 SMMU_DFIELD(3, 0, 32)
#define SMMU_CD_MAIR1 SMMU_DFIELD(3, 32, 32)

/* CD.TG0 and CD.TG1 encode granules differently (as TCR_ELx does). */
#define SMMU_TG0_4K 0
#define SMMU_TG0_64K 1
#define SMMU_TG0_16K 2
#define SMMU_TG1_16K 1
#define SMMU_TG1_4K 2
#define SMMU_TG1_64K 3

/* 4.1 Commands: 16 bytes. Common fields. */
#define SMMU_CMD_OP SMMU_DFIELD(0, 0, 8)
#define SMMU_CMD_SSEC SMMU_DFIELD(0, 10, 1)
#define SMMU_CMD_SSV SMMU_DFIELD(0, 11, 1)
#define SMMU_CMD_SSID SMMU_DFIELD(0, 12, 20)
#define SMMU_CMD_SID SMMU_DFIELD(0, 32, 32)
/* 4.2 prefetch */
#define SMMU_CMD_PREFETCH_SIZE SMMU_DFIELD(1, 0, 5)
#define SMMU_CMD_PREFETCH_ADDR SMMU_DFIELD(1, 12, 52)
/* 4.3 configuration invalidation */
#define SMMU_CMD_CFGI_LEAF SMMU_DFIELD(1, 0, 1)
#define SMMU_CMD_CFGI_RANGE SMMU_DFIELD(1, 0, 5)
/* 4.4 TLB invalidation */
#define SMMU_CMD_TLBI_NUM SMMU_DFIELD(0, 12, 5)
#define SMMU_CMD_TLBI_SCALE SMMU_DFIELD(0, 20, 5) /* 6 bits with IDR5.DS */
#define SMMU_CMD_TLBI_VMID SMMU_DFIELD(0, 32, 16)
#define SMMU_CMD_TLBI_ASID SMMU_DFIELD(0, 48, 16)
#define SMMU_CMD_TLBI_LEAF SMMU_DFIELD(1, 0, 1)
#define SMMU_CMD_TLBI_TTL SMMU_DFIELD(1, 8, 2)
#define SMMU_CMD_TLBI_TG SMMU_DFIELD(1, 10, 2)
#define SMMU_CMD_TLBI_VA SMMU_DFIELD(1, 12, 52)	 /* VA[63:12] */
#define SMMU_CMD_TLBI_IPA SMMU_DFIELD(1, 12, 40) /* IPA[51:12] */
/* 4.5 ATC invalidation */
#define SMMU_CMD_ATC_GLOBAL SMMU_DFIELD(0, 9, 1)
#define SMMU_CMD_ATC_SIZE SMMU_DFIELD(1, 0, 6)
#define SMMU_CMD_ATC_ADDR SMMU_DFIELD(1, 12, 52)
/* 4.6 PRI response */
#define SMMU_CMD_PRI_PRGI SMMU_DFIELD(1, 0, 9)
#define SMMU_CMD_PRI_RESP SMMU_DFIELD(1, 12, 2)
/* 4.7 stall resume / terminate */
#define SMMU_CMD_RESUME_ACTION SMMU_DFIELD(0, 12, 2)
#define SMMU_CMD_RESUME_STAG SMMU_DFIELD(1, 0, 16)
/* 4.8 CMD_SYNC */
#define SMMU_CMD_SYNC_CS SMMU_DFIELD(0, 12, 2)
#define SMMU_CMD_SYNC_MSH SMMU_DFIELD(0, 22, 2)
#define SMMU_CMD_SYNC_MSIATTR SMMU_DFIELD(0, 24, 4)
#define SMMU_CMD_SYNC_MSIDATA SMMU_DFIELD(0, 32, 32)
#define SMMU_CMD_SYNC_MSIADDR SMMU_DFIELD(1, 2, 50) /* bits [51:2] */

/* 4.1.1 Command opcodes. */
#define SMMU_CMD_PREFETCH_CONFIG 0x01
#define SMMU_CMD_PREFETCH_ADDR_OP 0x02
#define SMMU_CMD_CFGI_STE 0x03
#define SMMU_CMD_CFGI_STE_RANGE 0x04 /* CFGI_ALL: Range == 31 */
#define SMMU_CMD_CFGI_CD 0x05
#define SMMU_CMD_CFGI_CD_ALL 0x06
#define SMMU_CMD_CFGI_VMS_PIDM 0x07
#define SMMU_CMD_TLBI_NH_ALL 0x10
#define SMMU_CMD_TLBI_NH_ASID 0x11
#define SMMU_CMD_TLBI_NH_VA 0x12
#define SMMU_CMD_TLBI_NH_VAA 0x13
#define SMMU_CMD_TLBI_EL3_ALL 0x18
#define SMMU_CMD_TLBI_EL3_VA 0x1a
#define SMMU_CMD_TLBI_EL2_ALL 0x20
#define SMMU_CMD_TLBI_EL2_ASID 0x21
#define SMMU_CMD_TLBI_EL2_VA 0x22
#define SMMU_CMD_TLBI_EL2_VAA 0x23
#define SMMU_CMD_TLBI_S12_VMALL 0x28
#define SMMU_CMD_TLBI_S2_IPA 0x2a
#define SMMU_CMD_TLBI_NSNH_ALL 0x30
#define SMMU_CMD_ATC_INV 0x40
#define SMMU_CMD_PRI_RESP_OP 0x41
#define SMMU_CMD_RESUME 0x44
#define SMMU_CMD_STALL_TERM 0x45
#define SMMU_CMD_SYNC 0x46

#define SMMU_CFGI_RANGE_ALL 31
/* CMD_SYNC.CS */
#define SMMU_SYNC_SIG_NONE 0
#define SMMU_SYNC_SIG_IRQ 1
#define SMMU_SYNC_SIG_SEV 2
/* CMD_RESUME.Action */
#define SMMU_RESUME_TERM 0
#define SMMU_RESUME_RETRY 1
#define SMMU_RESUME_ABORT 2
/* CMD_PRI_RESP.Resp (PCIe PRG response codes) */
#define SMMU_PRI_RESP_DENY 0
#define SMMU_PRI_RESP_FAIL 1
#define SMMU_PRI_RESP_SUCC 2
/* CMD_TLBI_*.TG: granule of the entries to invalidate (0: any) */
#define SMMU_TLBI_TG_ANY 0
#define SMMU_TLBI_TG_4K 1
#define SMMU_TLBI_TG_16K 2
#define SMMU_TLBI_TG_64K 3
/* CMD_ATC_INV.Size that invalidates the whole ATC of the function. */
#define SMMU_ATC_INV_SIZE_ALL 52

/* 7.3 Event records: 32 bytes. */
#define SMMU_EVT_ID SMMU_DFIELD(0, 0, 8)
#define SMMU_EVT_SSV SMMU_DFIELD(0, 11, 1)
#define SMMU_EVT_SSID SMMU_DFIELD(0, 12, 20)
#define SMMU_EVT_SID SMMU_DFIELD(0, 32, 32)
#define SMMU_EVT_STAG SMMU_DFIELD(1, 0, 16)
#define SMMU_EVT_STALL SMMU_DFIELD(1, 31, 1)
#define SMMU_EVT_PNU SMMU_DFIELD(1, 33, 1)
#define SMMU_EVT_IND SMMU_DFIELD(1, 34, 1)
#define SMMU_EVT_RNW SMMU_DFIELD(1, 35, 1)
#define SMMU_EVT_S2 SMMU_DFIELD(1, 39, 1)
#define SMMU_EVT_CLASS SMMU_DFIELD(1, 40, 2)
#define SMMU_EVT_INPUT_ADDR SMMU_DFIELD(2, 0, 64)
#define SMMU_EVT_IPA SMMU_DFIELD(3, 12, 44)	  /* IPA[55:12] */
#define SMMU_EVT_FETCH_ADDR SMMU_DFIELD(3, 3, 53) /* FetchAddr[55:3] */

/* Event numbers (7.3). */
#define SMMU_EVT_F_UUT 0x01
#define SMMU_EVT_C_BAD_STREAMID 0x02
#define SMMU_EVT_F_STE_FETCH 0x03
#define SMMU_EVT_C_BAD_STE 0x04
#define SMMU_EVT_F_BAD_ATS_TREQ 0x05
#define SMMU_EVT_F_STREAM_DISABLED 0x06
#define SMMU_EVT_F_TRANSL_FORBIDDEN 0x07
#define SMMU_EVT_C_BAD_SUBSTREAMID 0x08
#define SMMU_EVT_F_CD_FETCH 0x09
#define SMMU_EVT_C_BAD_CD 0x0a
#define SMMU_EVT_F_WALK_EABT 0x0b
#define SMMU_EVT_F_TRANSLATION 0x10
#define SMMU_EVT_F_ADDR_SIZE 0x11
#define SMMU_EVT_F_ACCESS 0x12
#define SMMU_EVT_F_PERMISSION 0x13
#define SMMU_EVT_F_TLB_CONFLICT 0x20
#define SMMU_EVT_F_CFG_CONFLICT 0x21
#define SMMU_EVT_E_PAGE_REQUEST 0x24

/* Event CLASS: what the faulting access was doing. */
#define SMMU_CLASS_CD 0
#define SMMU_CLASS_TT 1
#define SMMU_CLASS_IN 2

/* 8.1 PRI queue records: 16 bytes. */
#define SMMU_PRI_SID SMMU_DFIELD(0, 0, 32)
#define SMMU_PRI_SSID SMMU_DFIELD(0, 32, 20)
#define SMMU_PRI_PRIV SMMU_DFIELD(0, 58, 1)
#define SMMU_PRI_EXEC SMMU_DFIELD(0, 59, 1)
#define SMMU_PRI_READ SMMU_DFIELD(0, 60, 1)
#define SMMU_PRI_WRITE SMMU_DFIELD(0, 61, 1)
#define SMMU_PRI_LAST SMMU_DFIELD(0, 62, 1)
#define SMMU_PRI_SSV SMMU_DFIELD(0, 63, 1)
#define SMMU_PRI_PRGI SMMU_DFIELD(1, 0, 9)
#define SMMU_PRI_ADDR SMMU_DFIELD(1, 12, 52)

/*
 * Decodes of address size encodings (IDR5.OAS, CD.IPS, STE.S2PS) into bits;
 * values the model does not implement saturate to 52 and are then capped to
 * the OAS by the caller, as the architecture specifies for eff_IPS/eff_S2PS.
 */
static inline unsigned int smmu_ps_bits(unsigned int ps)
{
	static const unsigned char bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };

	return bits[ps & 7];
}

#endif
