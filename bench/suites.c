// SPDX-License-Identifier: BSD-3-Clause
/* The suites `uiommufd bench` knows, in the order they run. */
#include "bench.h"

extern const struct bench_suite bench_suite_iopt;
extern const struct bench_suite bench_suite_pt;
extern const struct bench_suite bench_suite_dma;
extern const struct bench_suite bench_suite_viommu;

const struct bench_suite *const bench_suites[] = {
	&bench_suite_iopt,
	&bench_suite_pt,
	&bench_suite_dma,
	&bench_suite_viommu,
	NULL,
};
