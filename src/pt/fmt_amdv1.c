// SPDX-License-Identifier: BSD-3-Clause
/* The page-table engine for AMD IOMMU v1 host tables. */
#define PTF_MOCK 0
#define PTF_NAME "amdv1"
#define PTF_OPS pt_fmt_amdv1

#include "pt/fmt_amdv1.h"
#include "pt/pt_engine.h"
