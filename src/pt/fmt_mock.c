// SPDX-License-Identifier: BSD-3-Clause
/* The page-table engine for the kernel selftest mock format (AMD v1, 2K). */
#define PTF_MOCK 1
#define PTF_NAME "mock"
#define PTF_OPS pt_fmt_mock

#include "pt/fmt_amdv1.h"
#include "pt/pt_engine.h"
