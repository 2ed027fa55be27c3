// SPDX-License-Identifier: BSD-3-Clause
/* The suites `uiommufd bench` knows, in the order they run. */
#include "bench.h"

const struct bench_suite *const bench_suites[] = {
	NULL,
};
