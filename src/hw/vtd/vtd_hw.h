/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d as the architecture defines it: the register map, the
 * scalable-mode in-memory structures (root, context, PASID directory and
 * PASID table entries), the invalidation descriptors, the fault record and
 * the fault reason codes.
 *
 * Every field is declared exactly once, as (shift, width) for a register or
 * a single 64-bit word, or as (qword, shift, width) for a structure that is
 * an array of little-endian 64-bit words, and is read and built only through
 * vtd_fget()/vtd_fprep() and vtd_dget()/vtd_dprep()/vtd_dset(). Section
 * numbers refer to the Intel Virtualization Technology for Directed I/O
 * Architecture Specification (rev. 4.x/5.0): chapter 11 registers, 9.1-9.6
 * root/context/PASID structures, 6.5.2 invalidation descriptors, 7.1.3 and
 * appendix "Non-Recoverable Fault Reason Encodings" for fault reasons.
 *
 * This header is the one place the model, the driver (which builds the
 * entries and descriptors) and tests agree on encodings; it holds no
 * behaviour.
 */
#ifndef UIOMMUFD_HW_VTD_HW_H
#define UIOMMUFD_HW_VTD_HW_H

#include <stdint.h>

/* A register / word field: first bit and width. Use through accessors. */
#define VTD_FIELD(shift, width) (shift), (width)
/* A structure field: 64-bit word index, first bit within it, width. */
#define VTD_DFIELD(qw, shift, width) (qw), (shift), (width)

#define _vtd_fmask(shift, width) ((~0ull >> (64 - (width))) << (shift))
#define _vtd_fget(v, shift, width)                                             \
	(((uint64_t)(v) >> (shift)) & (~0ull >> (64 - (width))))
#define _vtd_fprep(shift, width, x)                                            \
	((((uint64_t)(x)) << (shift)) & _vtd_fmask(shift, width))
#define _vtd_dget(d, qw, shift, width) _vtd_fget((d)[qw], shift, width)
#define _vtd_dprep(qw, shift, width, x) _vtd_fprep(shift, width, x)
#define _vtd_dqw(qw, shift, width) (qw)
#define _vtd_dmask(qw, shift, width) _vtd_fmask(shift, width)
#define _vtd_dset(d, qw, shift, width, x)                                      \
	((d)[qw] = ((d)[qw] & ~_vtd_fmask(shift, width)) |                     \
		   _vtd_fprep(shift, width, x))

/* The extra level lets a field name expand into its numbers. */
#define vtd_fmask(f) _vtd_fmask(f)
#define vtd_fget(v, f) _vtd_fget(v, f)
#define vtd_fprep(f, x) _vtd_fprep(f, x)
/* Value of field @f of the structure @d (an array of uint64_t). */
#define vtd_dget(d, f) _vtd_dget(d, f)
/* The bits of field @f holding @x, to be OR-ed into word vtd_dqw(f). */
#define vtd_dprep(f, x) _vtd_dprep(f, x)
/* Word index of field @f. */
#define vtd_dqw(f) _vtd_dqw(f)
#define vtd_dmask(f) _vtd_dmask(f)
/* Set field @f of structure @d to @x, leaving the other bits alone. */
#define vtd_dset(d, f, x) _vtd_dset(d, f, x)

/* --- Register map (11.4) --- */
#define VTD_MMIO_SIZE 0x1000u

#define VTD_VER_REG 0x000     /* 32 */
#define VTD_CAP_REG 0x008     /* 64 */
#define VTD_ECAP_REG 0x010    /* 64 */
#define VTD_GCMD_REG 0x018    /* 32 */
#define VTD_GSTS_REG 0x01c    /* 32 */
#define VTD_RTADDR_REG 0x020  /* 64 */
#define VTD_CCMD_REG 0x028    /* 64 */
#define VTD_FSTS_REG 0x034    /* 32 */
#define VTD_FECTL_REG 0x038   /* 32 */
#define VTD_FEDATA_REG 0x03c  /* 32 */
#define VTD_FEADDR_REG 0x040  /* 32 */
#define VTD_FEUADDR_REG 0x044 /* 32 */
#define VTD_AFLOG_REG 0x058   /* 64 */
#define VTD_PMEN_REG 0x064    /* 32 */
#define VTD_IQH_REG 0x080     /* 64 */
#define VTD_IQT_REG 0x088     /* 64 */
#define VTD_IQA_REG 0x090     /* 64 */
#define VTD_ICS_REG 0x09c     /* 32 */
#define VTD_IECTL_REG 0x0a0   /* 32 */
#define VTD_IEDATA_REG 0x0a4  /* 32 */
#define VTD_IEADDR_REG 0x0a8  /* 32 */
#define VTD_IEUADDR_REG 0x0ac /* 32 */
#define VTD_IQERCD_REG 0x0b0  /* 64 */
#define VTD_IRTA_REG 0x0b8    /* 64 */
#define VTD_PQH_REG 0x0c0     /* 64 */
#define VTD_PQT_REG 0x0c8     /* 64 */
#define VTD_PQA_REG 0x0d0     /* 64 */
#define VTD_PRS_REG 0x0dc     /* 32 */
#define VTD_PECTL_REG 0x0e0   /* 32 */
#define VTD_PEDATA_REG 0x0e4  /* 32 */
#define VTD_PEADDR_REG 0x0e8  /* 32 */
#define VTD_PEUADDR_REG 0x0ec /* 32 */

/*
 * Where the model places the register sets CAP.FRO and ECAP.IRO point at
 * (both are advertised, so software must read them from CAP/ECAP).
 */
#define VTD_IRO_OFFSET 0x100 /* IVA_REG; IOTLB_REG at +8 */
#define VTD_IVA_OFF 0x0
#define VTD_IOTLB_OFF 0x8
#define VTD_FRO_OFFSET 0x200 /* fault recording register 0 */
#define VTD_FRCD_SIZE 16     /* bytes per fault recording register */

/* 11.4.1 VER_REG */
#define VTD_VER_MIN VTD_FIELD(0, 4)
#define VTD_VER_MAX VTD_FIELD(4, 4)

/* 11.4.2 CAP_REG */
#define VTD_CAP_ND VTD_FIELD(0, 3) /* domain ids: 2^(4 + 2 * ND) */
#define VTD_CAP_AFL VTD_FIELD(3, 1)
#define VTD_CAP_RWBF VTD_FIELD(4, 1)
#define VTD_CAP_PLMR VTD_FIELD(5, 1)
#define VTD_CAP_PHMR VTD_FIELD(6, 1)
#define VTD_CAP_CM VTD_FIELD(7, 1)
#define VTD_CAP_SAGAW VTD_FIELD(8, 5) /* bit 1: 39/3-lvl, 2: 48/4, 3: 57/5 */
#define VTD_CAP_MGAW VTD_FIELD(16, 6) /* width - 1 */
#define VTD_CAP_ZLR VTD_FIELD(22, 1)
#define VTD_CAP_FRO VTD_FIELD(24, 10)  /* offset / 16 */
#define VTD_CAP_SLLPS VTD_FIELD(34, 4) /* bit 0: 2M, bit 1: 1G */
#define VTD_CAP_PSI VTD_FIELD(39, 1)
#define VTD_CAP_NFR VTD_FIELD(40, 8) /* records - 1 */
#define VTD_CAP_MAMV VTD_FIELD(48, 6)
#define VTD_CAP_DWD VTD_FIELD(54, 1)
#define VTD_CAP_DRD VTD_FIELD(55, 1)
#define VTD_CAP_FS1GP VTD_FIELD(56, 1)
#define VTD_CAP_PI VTD_FIELD(59, 1)
#define VTD_CAP_FS5LP VTD_FIELD(60, 1)
#define VTD_CAP_ECMDS VTD_FIELD(61, 1)
#define VTD_CAP_ESIRTPS VTD_FIELD(62, 1)
#define VTD_CAP_ESRTPS VTD_FIELD(63, 1)

#define VTD_SAGAW_39 (1u << 1)
#define VTD_SAGAW_48 (1u << 2)
#define VTD_SAGAW_57 (1u << 3)
#define VTD_SLLPS_2M (1u << 0)
#define VTD_SLLPS_1G (1u << 1)

/* 11.4.3 ECAP_REG */
#define VTD_ECAP_C VTD_FIELD(0, 1)
#define VTD_ECAP_QI VTD_FIELD(1, 1)
#define VTD_ECAP_DT VTD_FIELD(2, 1)
#define VTD_ECAP_IR VTD_FIELD(3, 1)
#define VTD_ECAP_EIM VTD_FIELD(4, 1)
#define VTD_ECAP_PT VTD_FIELD(6, 1)
#define VTD_ECAP_SC VTD_FIELD(7, 1)
#define VTD_ECAP_IRO VTD_FIELD(8, 10) /* offset / 16 */
#define VTD_ECAP_MHMV VTD_FIELD(20, 4)
#define VTD_ECAP_MTS VTD_FIELD(25, 1)
#define VTD_ECAP_NEST VTD_FIELD(26, 1)
#define VTD_ECAP_PRS VTD_FIELD(29, 1)
#define VTD_ECAP_ERS VTD_FIELD(30, 1)
#define VTD_ECAP_SRS VTD_FIELD(31, 1)
#define VTD_ECAP_NWFS VTD_FIELD(33, 1)
#define VTD_ECAP_EAFS VTD_FIELD(34, 1)
#define VTD_ECAP_PSS VTD_FIELD(35, 5) /* PASID bits - 1 */
#define VTD_ECAP_PASID VTD_FIELD(40, 1)
#define VTD_ECAP_DIT VTD_FIELD(41, 1)
#define VTD_ECAP_PDS VTD_FIELD(42, 1)
#define VTD_ECAP_SMTS VTD_FIELD(43, 1)
#define VTD_ECAP_VCS VTD_FIELD(44, 1)
#define VTD_ECAP_SSADS VTD_FIELD(45, 1) /* second-stage A/D (was SLADS) */
#define VTD_ECAP_SSTS VTD_FIELD(46, 1)	/* second stage (was SLTS) */
#define VTD_ECAP_FSTS VTD_FIELD(47, 1)	/* first stage (was FLTS) */
#define VTD_ECAP_SMPWCS VTD_FIELD(48, 1)
#define VTD_ECAP_RPS VTD_FIELD(49, 1)
#define VTD_ECAP_PMS VTD_FIELD(51, 1)
/* The pre-4.0 names Linux uses. */
#define VTD_ECAP_SLADS VTD_ECAP_SSADS
#define VTD_ECAP_SLTS VTD_ECAP_SSTS
#define VTD_ECAP_FLTS VTD_ECAP_FSTS

/* 11.4.4 GCMD_REG and 11.4.5 GSTS_REG (same bit positions) */
#define VTD_GCMD_CFI VTD_FIELD(23, 1)
#define VTD_GCMD_SIRTP VTD_FIELD(24, 1)
#define VTD_GCMD_IRE VTD_FIELD(25, 1)
#define VTD_GCMD_QIE VTD_FIELD(26, 1)
#define VTD_GCMD_WBF VTD_FIELD(27, 1)
#define VTD_GCMD_EAFL VTD_FIELD(28, 1)
#define VTD_GCMD_SFL VTD_FIELD(29, 1)
#define VTD_GCMD_SRTP VTD_FIELD(30, 1)
#define VTD_GCMD_TE VTD_FIELD(31, 1)
#define VTD_GSTS_CFIS VTD_FIELD(23, 1)
#define VTD_GSTS_IRTPS VTD_FIELD(24, 1)
#define VTD_GSTS_IRES VTD_FIELD(25, 1)
#define VTD_GSTS_QIES VTD_FIELD(26, 1)
#define VTD_GSTS_WBFS VTD_FIELD(27, 1)
#define VTD_GSTS_AFLS VTD_FIELD(28, 1)
#define VTD_GSTS_FLS VTD_FIELD(29, 1)
#define VTD_GSTS_RTPS VTD_FIELD(30, 1)
#define VTD_GSTS_TES VTD_FIELD(31, 1)

/* 11.4.6 RTADDR_REG */
#define VTD_RTADDR_TTM VTD_FIELD(10, 2)
#define VTD_RTADDR_RTA VTD_FIELD(12, 52)
#define VTD_TTM_LEGACY 0
#define VTD_TTM_SCALABLE 1
#define VTD_TTM_ABORT 3 /* abort DMA mode */

/* 11.4.7 CCMD_REG */
#define VTD_CCMD_DID VTD_FIELD(0, 16)
#define VTD_CCMD_SID VTD_FIELD(16, 16)
#define VTD_CCMD_FM VTD_FIELD(32, 2)
#define VTD_CCMD_CAIG VTD_FIELD(59, 2)
#define VTD_CCMD_CIRG VTD_FIELD(61, 2)
#define VTD_CCMD_ICC VTD_FIELD(63, 1)
/* CIRG/CAIG and the context-cache descriptor's G share these values. */
#define VTD_CC_GLOBAL 1
#define VTD_CC_DOMAIN 2
#define VTD_CC_DEVICE 3

/* 11.4.8.1 IVA_REG and 11.4.8.2 IOTLB_REG (at ECAP.IRO) */
#define VTD_IVA_AM VTD_FIELD(0, 6)
#define VTD_IVA_IH VTD_FIELD(6, 1)
#define VTD_IVA_ADDR VTD_FIELD(12, 52)
#define VTD_IOTLB_DID VTD_FIELD(32, 16)
#define VTD_IOTLB_DW VTD_FIELD(48, 1)
#define VTD_IOTLB_DR VTD_FIELD(49, 1)
#define VTD_IOTLB_IAIG VTD_FIELD(57, 2)
#define VTD_IOTLB_IIRG VTD_FIELD(60, 2)
#define VTD_IOTLB_IVT VTD_FIELD(63, 1)
/* IIRG/IAIG and the IOTLB descriptor's G share these values. */
#define VTD_TLB_GLOBAL 1
#define VTD_TLB_DOMAIN 2
#define VTD_TLB_PAGE 3

/* 11.4.9.1 FSTS_REG */
#define VTD_FSTS_PFO VTD_FIELD(0, 1)
#define VTD_FSTS_PPF VTD_FIELD(1, 1)
#define VTD_FSTS_AFO VTD_FIELD(2, 1)
#define VTD_FSTS_APF VTD_FIELD(3, 1)
#define VTD_FSTS_IQE VTD_FIELD(4, 1)
#define VTD_FSTS_ICE VTD_FIELD(5, 1)
#define VTD_FSTS_ITE VTD_FIELD(6, 1)
#define VTD_FSTS_PRO VTD_FIELD(7, 1)
#define VTD_FSTS_FRI VTD_FIELD(8, 8)

/* 11.4.9.2 FECTL_REG, 11.4.9.x IECTL_REG, PECTL_REG */
#define VTD_XECTL_IP VTD_FIELD(30, 1) /* interrupt pending */
#define VTD_XECTL_IM VTD_FIELD(31, 1) /* interrupt mask */
#define VTD_FECTL_IP VTD_XECTL_IP
#define VTD_FECTL_IM VTD_XECTL_IM
#define VTD_IECTL_IP VTD_XECTL_IP
#define VTD_IECTL_IM VTD_XECTL_IM

/* 11.4.10 FRCD_REG: a 128-bit record as two qwords. */
#define VTD_FRCD_FI VTD_DFIELD(0, 12, 52) /* faulting page address */
#define VTD_FRCD_SID VTD_DFIELD(1, 0, 16)
#define VTD_FRCD_PRIV VTD_DFIELD(1, 28, 1)
#define VTD_FRCD_EXE VTD_DFIELD(1, 29, 1)
#define VTD_FRCD_T2 VTD_DFIELD(1, 30, 1)
#define VTD_FRCD_PP VTD_DFIELD(1, 31, 1)  /* PASID present */
#define VTD_FRCD_FR VTD_DFIELD(1, 32, 8)  /* fault reason */
#define VTD_FRCD_PV VTD_DFIELD(1, 40, 20) /* PASID value */
#define VTD_FRCD_AT VTD_DFIELD(1, 60, 2)
#define VTD_FRCD_T1 VTD_DFIELD(1, 62, 1) /* 1: read, 0: write */
#define VTD_FRCD_F VTD_DFIELD(1, 63, 1)	 /* fault; write 1 to clear */

/* 11.4.9.3-5 invalidation queue: IQH_REG, IQT_REG, IQA_REG */
#define VTD_IQ_QH VTD_FIELD(4, 15) /* 128-bit slot offset; DW=1: bit 4 = 0 */
#define VTD_IQ_QT VTD_FIELD(4, 15)
#define VTD_IQA_QS VTD_FIELD(0, 3)  /* 2^QS 4 KiB pages */
#define VTD_IQA_DW VTD_FIELD(11, 1) /* 256-bit descriptors */
#define VTD_IQA_IQA VTD_FIELD(12, 52)
/* ICS_REG */
#define VTD_ICS_IWC VTD_FIELD(0, 1)
/* IQERCD_REG */
#define VTD_IQERCD_IQEI VTD_FIELD(0, 4)
#define VTD_IQERCD_ITESID VTD_FIELD(32, 16)
#define VTD_IQERCD_ICESID VTD_FIELD(48, 16)
/* IQEI values */
#define VTD_IQEI_NONE 0
#define VTD_IQEI_TAIL 1	       /* invalid tail pointer */
#define VTD_IQEI_FETCH 2       /* descriptor fetch failed */
#define VTD_IQEI_TYPE 3	       /* invalid descriptor type */
#define VTD_IQEI_RSVD 4	       /* reserved field set in a valid descriptor */
#define VTD_IQEI_WIDTH 5       /* invalid descriptor width in IQA_REG */
#define VTD_IQEI_QI_DISABLED 6 /* queue not enabled when the tail moved */

/* PQH/PQT/PQA/PRS (page request queue) */
#define VTD_PQ_QH VTD_FIELD(5, 14)
#define VTD_PQ_QT VTD_FIELD(5, 14)
#define VTD_PQA_PQS VTD_FIELD(0, 3)
#define VTD_PQA_PQA VTD_FIELD(12, 52)
#define VTD_PRS_PPR VTD_FIELD(0, 1)
#define VTD_PRS_PRO VTD_FIELD(1, 1)

/* --- Scalable-mode root entry (9.2): 128 bits --- */
#define VTD_ROOT_ENTRY_SIZE 16
#define VTD_SM_ROOT_LP VTD_DFIELD(0, 0, 1)     /* lower context table present */
#define VTD_SM_ROOT_LCTP VTD_DFIELD(0, 12, 52) /* devfn 0..127 */
#define VTD_SM_ROOT_UP VTD_DFIELD(1, 0, 1)
#define VTD_SM_ROOT_UCTP VTD_DFIELD(1, 12, 52) /* devfn 128..255 */
#define VTD_SM_ROOT_RSVD0 0xffeull	       /* bits 11:1 */
#define VTD_SM_ROOT_RSVD1 0xffeull

/* --- Scalable-mode context entry (9.4): 256 bits --- */
#define VTD_SM_CTX_ENTRY_SIZE 32
#define VTD_SM_CTX_P VTD_DFIELD(0, 0, 1)
#define VTD_SM_CTX_FPD VTD_DFIELD(0, 1, 1)
#define VTD_SM_CTX_DTE VTD_DFIELD(0, 2, 1)    /* device TLB enable */
#define VTD_SM_CTX_PASIDE VTD_DFIELD(0, 3, 1) /* requests with PASID */
#define VTD_SM_CTX_PRE VTD_DFIELD(0, 4, 1)    /* page requests */
#define VTD_SM_CTX_PDTS VTD_DFIELD(0, 9, 3)   /* dir: 2^(PDTS + 7) entries */
#define VTD_SM_CTX_PASIDDIRPTR VTD_DFIELD(0, 12, 52)
#define VTD_SM_CTX_RID_PASID VTD_DFIELD(1, 0, 20)
#define VTD_SM_CTX_RID_PRIV VTD_DFIELD(1, 20, 1)
/* Reserved bits the model checks: qword 0 bits 8:5, qword 1 63:21, 2, 3. */
#define VTD_SM_CTX_RSVD0 0x1e0ull
#define VTD_SM_CTX_RSVD1 (~0ull << 21)

/* --- PASID directory entry (9.5): 64 bits --- */
#define VTD_PASID_DIR_SHIFT 6 /* PASID[19:6] indexes the directory */
#define VTD_PASID_TBL_ENTRIES 64
#define VTD_PDE_P VTD_FIELD(0, 1)
#define VTD_PDE_FPD VTD_FIELD(1, 1)
#define VTD_PDE_SMPTBLPTR VTD_FIELD(12, 52)
#define VTD_PDE_RSVD 0xffcull /* bits 11:2 */

/* --- Scalable-mode PASID table entry (9.6): 512 bits --- */
#define VTD_PASID_ENTRY_SIZE 64
#define VTD_PE_P VTD_DFIELD(0, 0, 1)
#define VTD_PE_FPD VTD_DFIELD(0, 1, 1)
#define VTD_PE_AW VTD_DFIELD(0, 2, 3) /* 1: 39/3-lvl, 2: 48/4, 3: 57/5 */
#define VTD_PE_SSEE VTD_DFIELD(0, 5, 1)
#define VTD_PE_PGTT VTD_DFIELD(0, 6, 3)
#define VTD_PE_SSADE VTD_DFIELD(0, 9, 1)
#define VTD_PE_SSPTPTR VTD_DFIELD(0, 12, 52)
#define VTD_PE_DID VTD_DFIELD(1, 0, 16)
#define VTD_PE_PWSNP VTD_DFIELD(1, 23, 1)
#define VTD_PE_PGSNP VTD_DFIELD(1, 24, 1)
#define VTD_PE_CD VTD_DFIELD(1, 25, 1)
#define VTD_PE_EMTE VTD_DFIELD(1, 26, 1)
#define VTD_PE_EMT VTD_DFIELD(1, 27, 3)
#define VTD_PE_PWT VTD_DFIELD(1, 30, 1)
#define VTD_PE_PCD VTD_DFIELD(1, 31, 1)
#define VTD_PE_PAT VTD_DFIELD(1, 32, 32)
#define VTD_PE_SRE VTD_DFIELD(2, 0, 1)
#define VTD_PE_ERE VTD_DFIELD(2, 1, 1)
#define VTD_PE_FSPM VTD_DFIELD(2, 2, 2) /* 0: 4-level, 1: 5-level */
#define VTD_PE_WPE VTD_DFIELD(2, 4, 1)
#define VTD_PE_NXE VTD_DFIELD(2, 5, 1)
#define VTD_PE_SMEP VTD_DFIELD(2, 6, 1)
#define VTD_PE_EAFE VTD_DFIELD(2, 7, 1)
#define VTD_PE_FSPTPTR VTD_DFIELD(2, 12, 52)
/* Reserved bits the model checks. */
#define VTD_PE_RSVD1 (0x7full << 16) /* qword 1 bits 22:16 */
#define VTD_PE_RSVD2 0xf00ull	     /* qword 2 bits 11:8 */

/* PGTT: PASID-granular translation type */
#define VTD_PGTT_FS 1	  /* first stage only */
#define VTD_PGTT_SS 2	  /* second stage only */
#define VTD_PGTT_NESTED 3 /* first stage then second stage */
#define VTD_PGTT_PT 4	  /* pass-through */
/* AW and FSPM encodings */
#define VTD_AW_39 1
#define VTD_AW_48 2
#define VTD_AW_57 3
#define VTD_FSPM_4LVL 0
#define VTD_FSPM_5LVL 1

/* --- Invalidation descriptors (6.5.2): 128 or 256 bits --- */
#define VTD_DESC_TYPE_LO VTD_DFIELD(0, 0, 4)
#define VTD_DESC_TYPE_HI VTD_DFIELD(0, 9, 3) /* type bits 6:4 */

#define VTD_DESC_CC 0x1	       /* context-cache invalidate */
#define VTD_DESC_IOTLB 0x2     /* IOTLB invalidate */
#define VTD_DESC_DEVTLB 0x3    /* device-TLB invalidate */
#define VTD_DESC_IEC 0x4       /* interrupt entry cache invalidate */
#define VTD_DESC_WAIT 0x5      /* invalidation wait */
#define VTD_DESC_PIOTLB 0x6    /* PASID-based IOTLB invalidate */
#define VTD_DESC_PC 0x7	       /* PASID-cache invalidate */
#define VTD_DESC_PDEVTLB 0x8   /* PASID-based device-TLB invalidate */
#define VTD_DESC_PGRP_RESP 0x9 /* page group response */

/* 0x1 context-cache invalidate */
#define VTD_CC_G VTD_DFIELD(0, 4, 2) /* VTD_CC_GLOBAL/DOMAIN/DEVICE */
#define VTD_CC_DID VTD_DFIELD(0, 16, 16)
#define VTD_CC_SID VTD_DFIELD(0, 32, 16)
#define VTD_CC_FM VTD_DFIELD(0, 48, 2)
#define VTD_CC_RSVD0 (0xf1c0ull | (~0ull << 50)) /* 8:6, 15:12, 63:50 */

/* 0x2 IOTLB invalidate */
#define VTD_IOTLB_G VTD_DFIELD(0, 4, 2) /* VTD_TLB_GLOBAL/DOMAIN/PAGE */
#define VTD_IOTLB_DW_D VTD_DFIELD(0, 6, 1)
#define VTD_IOTLB_DR_D VTD_DFIELD(0, 7, 1)
#define VTD_IOTLB_DID_D VTD_DFIELD(0, 16, 16)
#define VTD_IOTLB_AM_D VTD_DFIELD(1, 0, 6)
#define VTD_IOTLB_IH_D VTD_DFIELD(1, 6, 1)
#define VTD_IOTLB_ADDR_D VTD_DFIELD(1, 12, 52)
#define VTD_IOTLB_RSVD0 (0xf100ull | (~0ull << 32)) /* 8, 15:12, 63:32 */
#define VTD_IOTLB_RSVD1 0xf80ull		    /* 11:7 */

/* 0x3 device-TLB invalidate */
#define VTD_DEVTLB_PFSID_LO VTD_DFIELD(0, 12, 4)
#define VTD_DEVTLB_MIP VTD_DFIELD(0, 16, 5)
#define VTD_DEVTLB_SID VTD_DFIELD(0, 32, 16)
#define VTD_DEVTLB_PFSID_HI VTD_DFIELD(0, 52, 12)
#define VTD_DEVTLB_S VTD_DFIELD(1, 0, 1)
#define VTD_DEVTLB_ADDR VTD_DFIELD(1, 12, 52)

/* 0x5 invalidation wait */
#define VTD_WAIT_IF VTD_DFIELD(0, 4, 1)
#define VTD_WAIT_SW VTD_DFIELD(0, 5, 1)
#define VTD_WAIT_FN VTD_DFIELD(0, 6, 1)
#define VTD_WAIT_PD VTD_DFIELD(0, 7, 1)
#define VTD_WAIT_SDATA VTD_DFIELD(0, 32, 32)
#define VTD_WAIT_SADDR VTD_DFIELD(1, 2, 62) /* address bits 63:2 */
#define VTD_WAIT_RSVD0 0xfffff100ull	    /* 8, 31:12 */
#define VTD_WAIT_RSVD1 0x3ull

/* 0x6 PASID-based IOTLB invalidate */
#define VTD_PIOTLB_G VTD_DFIELD(0, 4, 2)
#define VTD_PIOTLB_DID VTD_DFIELD(0, 16, 16)
#define VTD_PIOTLB_PASID VTD_DFIELD(0, 32, 20)
#define VTD_PIOTLB_AM VTD_DFIELD(1, 0, 6)
#define VTD_PIOTLB_IH VTD_DFIELD(1, 6, 1)
#define VTD_PIOTLB_ADDR VTD_DFIELD(1, 12, 52)
#define VTD_PIOTLB_RSVD0 (0xf1c0ull | (~0ull << 52)) /* 8:6, 15:12, 63:52 */
#define VTD_PIOTLB_RSVD1 0xf80ull		     /* 11:7 */
/*
 * G: 10b and 11b are the scalable-mode granularities; 00b and 01b are
 * reserved (an invalid descriptor, IQE). VTD_PIOTLB_G_DOMAIN names 00b
 * only for the tests that check it is refused: to drop every PASID of a
 * domain use the IOTLB descriptor (0x2), domain-selective.
 */
#define VTD_PIOTLB_G_DOMAIN 0 /* reserved */
#define VTD_PIOTLB_G_PASID 2  /* non-global entries of one PASID */
#define VTD_PIOTLB_G_PAGE 3   /* pages of one PASID */

/* 0x7 PASID-cache invalidate */
#define VTD_PC_G VTD_DFIELD(0, 4, 2)
#define VTD_PC_DID VTD_DFIELD(0, 16, 16)
#define VTD_PC_PASID VTD_DFIELD(0, 32, 20)
#define VTD_PC_RSVD0 (0xf1c0ull | (~0ull << 52))
#define VTD_PC_G_DOMAIN 0
#define VTD_PC_G_PASID 1
#define VTD_PC_G_GLOBAL 3

/* 0x8 PASID-based device-TLB invalidate */
#define VTD_PDEVTLB_MIP VTD_DFIELD(0, 4, 5)
#define VTD_PDEVTLB_PFSID_LO VTD_DFIELD(0, 12, 4)
#define VTD_PDEVTLB_SID VTD_DFIELD(0, 16, 16)
#define VTD_PDEVTLB_PASID VTD_DFIELD(0, 32, 20)
#define VTD_PDEVTLB_PFSID_HI VTD_DFIELD(0, 52, 12)
#define VTD_PDEVTLB_G VTD_DFIELD(1, 0, 1) /* all PASIDs */
#define VTD_PDEVTLB_S VTD_DFIELD(1, 11, 1)
#define VTD_PDEVTLB_ADDR VTD_DFIELD(1, 12, 52)

/* 0x9 page group response */
#define VTD_PGRP_PASID_P VTD_DFIELD(0, 4, 1)
#define VTD_PGRP_PDP VTD_DFIELD(0, 5, 1)
#define VTD_PGRP_RESP_CODE VTD_DFIELD(0, 12, 4)
#define VTD_PGRP_RID VTD_DFIELD(0, 16, 16)
#define VTD_PGRP_PASID VTD_DFIELD(0, 32, 20)
#define VTD_PGRP_LPIG VTD_DFIELD(1, 2, 1)
#define VTD_PGRP_PRGI VTD_DFIELD(1, 3, 9)
#define VTD_PGRP_RESP_SUCCESS 0x0
#define VTD_PGRP_RESP_INVALID 0x1
#define VTD_PGRP_RESP_FAILURE 0xf

/*
 * --- Scalable-mode non-recoverable fault reasons (7.1.3, appendix) ---
 * Named after the specification's condition codes.
 */
enum vtd_fault_reason {
	VTD_FR_NONE = 0x00,
	VTD_FR_SM_RTA_INVALID = 0x30, /* SGN: invalid RTADDR in SM */
	VTD_FR_SM_TTM0_PASID = 0x31,  /* request with PASID, legacy mode */
	VTD_FR_SM_TTM0_PGREQ = 0x32,  /* page request, legacy mode */
	VTD_FR_SM_ROOT_ACCESS = 0x38, /* SCT.1: root entry unreachable */
	VTD_FR_SM_ROOT_P = 0x39,      /* SCT.2: root entry UP/LP clear */
	VTD_FR_SM_ROOT_RSVD = 0x3a,   /* SCT.3: root entry reserved bits */
	VTD_FR_SM_CTX_ACCESS = 0x40,  /* SCT.4: context entry unreachable */
	VTD_FR_SM_CTX_P = 0x41,	      /* SCT.5: context entry not present */
	VTD_FR_SM_CTX_RSVD = 0x42,    /* SCT.6: context entry reserved bits */
	VTD_FR_SM_CTX_INV = 0x43,     /* SCT.7: invalid context entry */
	VTD_FR_SM_CTX_DTE = 0x44,     /* SCT.8: translation request, DTE=0 */
	VTD_FR_SM_CTX_PASIDE = 0x45,  /* SCT.9: request with PASID, PASIDE=0 */
	VTD_FR_SM_CTX_PASID_MAX = 0x46, /* SCT.10: PASID beyond PDTS */
	VTD_FR_SM_CTX_PRE = 0x47,	/* SCT.11: page request, PRE=0 */
	VTD_FR_SM_CTX_RID_PASID = 0x48, /* SCT.12: RID_PASID error */
	VTD_FR_SM_PDE_ACCESS = 0x50,	/* SPD.1: PASID dir entry unreachable */
	VTD_FR_SM_PDE_P = 0x51,		/* SPD.2: PASID dir entry not present */
	VTD_FR_SM_PDE_RSVD = 0x52,	/* SPD.3: reserved bits */
	VTD_FR_SM_PTE_ACCESS = 0x58,	/* SPT.1: PASID entry unreachable */
	VTD_FR_SM_PTE_P = 0x59,		/* SPT.2: PASID entry not present */
	VTD_FR_SM_PTE_RSVD = 0x5a,	/* SPT.3: PASID entry reserved bits */
	VTD_FR_SM_PTE_INV = 0x5b,	/* SPT.4: invalid PASID entry (PGTT) */
	VTD_FR_SM_PTE_ERE = 0x5c,	/* SPT.5: execute request, ERE=0 */
	VTD_FR_SM_PTE_SRE = 0x5d,	/* SPT.6: supervisor request, SRE=0 */
	VTD_FR_SM_FS_ACCESS = 0x70,	/* SFS.1: FS entry unreachable */
	VTD_FR_SM_FS_P = 0x71,		/* SFS.2: FS entry not present */
	VTD_FR_SM_FS_RSVD = 0x72,	/* SFS.3: FS entry reserved bits */
	VTD_FR_SM_FS_ROOT_ACCESS = 0x73,    /* SFS.4: FSPTPTR unreachable */
	VTD_FR_SM_FS_NESTED_MGAW = 0x74,    /* SFS.5: nested FS table > MGAW */
	VTD_FR_SM_FS_NESTED_ROOT_RD = 0x75, /* SFS.6: FSPTPTR not readable */
	VTD_FR_SM_FS_NESTED_RD = 0x76,	    /* SFS.7: FS table not readable */
	VTD_FR_SM_FS_NESTED_WR = 0x77,	    /* SFS.8: FS A/D not writable */
	VTD_FR_SM_SS_ACCESS = 0x78,	    /* SSS.1: SS entry unreachable */
	VTD_FR_SM_SS_P = 0x79,		    /* SSS.2: SS entry R = W = 0 */
	VTD_FR_SM_SS_RSVD = 0x7a,	    /* SSS.3: SS entry reserved bits */
	VTD_FR_SM_SS_ROOT_INV = 0x7b,	    /* SSS.4: SSPTPTR invalid */
	VTD_FR_SM_SS_AD_NOSNOOP = 0x7c,
	VTD_FR_SM_NON_CANONICAL = 0x80, /* SGN.1: FS input not canonical */
	VTD_FR_SM_FS_US = 0x81,		/* SGN.2: user request, U/S = 0 */
	VTD_FR_SM_EXEC = 0x82,		/* SGN.3: execute not permitted */
	VTD_FR_SM_ADDR_MAX = 0x83,	/* SGN.4: input beyond AW/MGAW */
	VTD_FR_SM_OA_MAX = 0x84,	/* SGN.5: output address beyond HAW */
	VTD_FR_SM_WRITE = 0x85,		/* SGN.6: write not permitted */
	VTD_FR_SM_READ = 0x86,		/* SGN.7: read not permitted */
	VTD_FR_SM_INTR_ADDR = 0x87,	/* SGN.8: interrupt address range */
	VTD_FR_SM_FS_AD_NOSNOOP = 0x90,
};

#endif
