// SPDX-License-Identifier: BSD-3-Clause
/* The page-table engine for VMSAv8-64 stage 1 with the 16K granule. */
#define PTF_STAGE 1
#define PTF_GRANULE_LG2 14
#define PTF_NAME "arm_s1_16k"
#define PTF_OPS pt_fmt_arm_s1_16k

#include "pt/fmt_armv8.h"
#include "pt/pt_engine.h"
