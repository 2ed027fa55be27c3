/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVIDIA Tegra241 CMDQV (command queue virtualization) as software sees it:
 * the register map and every register field, declared once as (shift,
 * width) with SMMU_FIELD() and read and built only through smmu_fget() and
 * smmu_fprep() (hw/smmuv3/smmuv3_hw.h).
 *
 * The layout is the one the Linux driver programs (tegra241-cmdqv.c): a
 * global configuration page, a page of VCMDQ control registers (page 0) and
 * a page of VCMDQ base registers (page 1) indexed by the global VCMDQ
 * number, then two pages per virtual interface (VINTF) that show the same
 * VCMDQ registers indexed by the logical number a queue has in that VINTF.
 * A VMM maps a VINTF's page 0 into its guest; page 1 (the queue bases,
 * which hold host physical addresses) stays with the host.
 *
 * This header holds no behaviour; the model, drivers and tests share it.
 */
#ifndef UIOMMUFD_HW_TEGRA241_CMDQV_CMDQV_HW_H
#define UIOMMUFD_HW_TEGRA241_CMDQV_CMDQV_HW_H

#include <stdint.h>

#include "hw/smmuv3/smmuv3_hw.h"

#define CMDQV_PAGE_SIZE 0x10000u
/* Global VCMDQ pages, then VINTF i's two pages at VINTF_PAGE_BASE + i*128K. */
#define CMDQV_VCMDQ_PAGE0_BASE 0x10000u
#define CMDQV_VCMDQ_PAGE1_BASE 0x20000u
#define CMDQV_VINTF_PAGE_BASE 0x30000u
#define CMDQV_VINTF_PAGES_SIZE 0x20000u
#define CMDQV_VINTF_PAGE0(i)                                                   \
	(CMDQV_VINTF_PAGE_BASE + CMDQV_VINTF_PAGES_SIZE * (i))
#define CMDQV_VINTF_PAGE1(i) (CMDQV_VINTF_PAGE0(i) + CMDQV_PAGE_SIZE)
/* Register space of a CMDQV with @nvintfs virtual interfaces. */
#define CMDQV_MMIO_SIZE(nvintfs) CMDQV_VINTF_PAGE0(nvintfs)
/* Each VCMDQ's registers, in every page that shows them. */
#define CMDQV_VCMDQ_STRIDE 0x80u

/* Architectural limits the register layout implies. */
#define CMDQV_MAX_VINTFS 64  /* VINTF_ERR_MAP bits, CMDQ_ALLOC.VINTF */
#define CMDQV_MAX_VCMDQS 128 /* CMDQ_ERR_MAP bits, CMDQ_ALLOC.LVCMDQ */
#define CMDQV_MAX_SIDS 16    /* SID_MATCH slots before SID_REPLACE */
#define CMDQV_VCMDQ_LOG2SIZE_MAX 19

/* Global configuration page. */
#define CMDQV_CONFIG 0x0000
#define CMDQV_PARAM 0x0004
#define CMDQV_STATUS 0x0008
#define CMDQV_VINTF_ERR_MAP 0x0014  /* 64 bits as two 32-bit registers */
#define CMDQV_VINTF_INT_MASK 0x001c /* 64 bits as two 32-bit registers */
#define CMDQV_CMDQ_ERR_MAP(m) (0x0024 + 4 * (m)) /* m = 0..3 */
#define CMDQV_CMDQ_ALLOC(q) (0x0200 + 4 * (q))
#define CMDQV_VINTF(v) (0x1000 + 0x100 * (v))

#define CMDQV_CONFIG_EN SMMU_FIELD(0, 1)
#define CMDQV_PARAM_VER SMMU_FIELD(0, 4)
#define CMDQV_PARAM_NUM_VCMDQ_LOG2 SMMU_FIELD(4, 4)
#define CMDQV_PARAM_NUM_VINTF_LOG2 SMMU_FIELD(8, 4)
#define CMDQV_PARAM_NUM_SID_PER_VM_LOG2 SMMU_FIELD(12, 4)
#define CMDQV_STATUS_ENABLED SMMU_FIELD(0, 1)
/* CMDQ_ALLOC(q): global VCMDQ q serves LVCMDQ of VINTF while ALLOCATED. */
#define CMDQV_CMDQ_ALLOC_ALLOCATED SMMU_FIELD(0, 1)
#define CMDQV_CMDQ_ALLOC_LVCMDQ SMMU_FIELD(1, 7)
#define CMDQV_CMDQ_ALLOC_VINTF SMMU_FIELD(15, 6)

/* Per-VINTF registers, at CMDQV_VINTF(v) + offset. */
#define CMDQV_VINTF_CONFIG 0x00
#define CMDQV_VINTF_STATUS 0x04
#define CMDQV_VINTF_SID_MATCH(s) (0x40 + 4 * (s))
#define CMDQV_VINTF_SID_REPLACE(s) (0x80 + 4 * (s))
#define CMDQV_VINTF_LVCMDQ_ERR_MAP(m) (0xc0 + 8 * (m)) /* m = 0, 1 */
#define CMDQV_VINTF_REGS_SIZE 0x100

#define CMDQV_VINTF_CONFIG_EN SMMU_FIELD(0, 1)
#define CMDQV_VINTF_CONFIG_VMID SMMU_FIELD(1, 16)
#define CMDQV_VINTF_CONFIG_HYP_OWN SMMU_FIELD(17, 1)
#define CMDQV_VINTF_STATUS_ENABLED SMMU_FIELD(0, 1)
#define CMDQV_VINTF_STATUS_STATUS SMMU_FIELD(1, 3)
#define CMDQV_VINTF_STATUS_NUM_LVCMDQ SMMU_FIELD(16, 8)
/* SID_MATCH: a guest (virtual) StreamID and its enable; REPLACE: the pSID. */
#define CMDQV_SID_MATCH_ENABLE SMMU_FIELD(0, 1)
#define CMDQV_SID_MATCH_VSID SMMU_FIELD(1, 31)
#define CMDQV_SID_REPLACE_SID SMMU_FIELD(0, 32)

/* VCMDQ page 0, at (a page 0 base) + CMDQV_VCMDQ_STRIDE * index. */
#define CMDQV_VCMDQ_CONS 0x00
#define CMDQV_VCMDQ_PROD 0x04
#define CMDQV_VCMDQ_CONFIG 0x08
#define CMDQV_VCMDQ_STATUS 0x0c
#define CMDQV_VCMDQ_GERROR 0x10
#define CMDQV_VCMDQ_GERRORN 0x14
/* VCMDQ page 1 (64-bit registers). */
#define CMDQV_VCMDQ_BASE 0x00
#define CMDQV_VCMDQ_CONS_INDX_BASE 0x08

/* CONS and PROD: index and wrap bit as SMMU_Q_IDX_WRAP; CONS.ERR a CERROR. */
#define CMDQV_VCMDQ_IDX_WRAP SMMU_Q_IDX_WRAP
#define CMDQV_VCMDQ_CONS_ERR SMMU_FIELD(24, 7)
#define CMDQV_VCMDQ_CONFIG_EN SMMU_FIELD(0, 1)
#define CMDQV_VCMDQ_STATUS_ENABLED SMMU_FIELD(0, 1)
/* GERROR/GERRORN: an error is active while the bits differ. */
#define CMDQV_VCMDQ_GERROR_CMDQ_ERR SMMU_FIELD(0, 1)
#define CMDQV_VCMDQ_BASE_LOG2SIZE SMMU_FIELD(0, 5)
#define CMDQV_VCMDQ_BASE_ADDR SMMU_FIELD(5, 43) /* bits [47:5] */
#define CMDQV_VCMDQ_CONS_INDX_BASE_ADDR SMMU_FIELD(0, 48)

#endif
