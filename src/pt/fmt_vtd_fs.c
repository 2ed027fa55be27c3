// SPDX-License-Identifier: BSD-3-Clause
/* The page-table engine for VT-d first-stage (x86-64 4/5-level) tables. */
#define PTF_NAME "vtd_fs"
#define PTF_OPS pt_fmt_vtd_fs

#include "pt/fmt_x86.h"
#include "pt/pt_engine.h"
