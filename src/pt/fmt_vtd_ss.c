// SPDX-License-Identifier: BSD-3-Clause
/* The page-table engine for Intel VT-d second-stage tables. */
#define PTF_NAME "vtd_ss"
#define PTF_OPS pt_fmt_vtd_ss

#include "pt/fmt_vtdss.h"
#include "pt/pt_engine.h"
