/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark harness: each suite measures its figures and reports them
 * through bench_figure(). The harness prints a table for people or, with
 * --json, one JSON object per suite on one line (shared format in
 * bench/README.md). Every figure is a median over repeated runs inside the
 * process; baselines are measured in the same run and reported as figures
 * of their own.
 */
#ifndef UIOMMUFD_BENCH_H
#define UIOMMUFD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_ctx {
	bool json;
	bool quick; /* all suites together under a minute on 2 cores */
	/* private to bench.c */
	const char *suite;
	unsigned int nfigures;
};

/* A suite: fills in figures, returns 0 or a negative errno. */
struct bench_suite {
	const char *name;
	const char *what;
	int (*run)(struct bench_ctx *ctx);
};

void bench_figure(struct bench_ctx *ctx, const char *name, double value,
		  const char *unit);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);
/* Median of n samples; sorts the array in place. */
double bench_median(double *samples, size_t n);
/* Keeps the compiler from eliding a computation whose result is unused. */
void bench_sink(const void *p);

/* Repetition count: full or quick (at least 1). */
static inline unsigned int bench_reps(const struct bench_ctx *ctx,
				      unsigned int full, unsigned int quick)
{
	return ctx->quick ? (quick ? quick : 1) : full;
}

/* Every suite the tool knows, NULL-terminated. */
extern const struct bench_suite *const bench_suites[];

/* Runs the named suites (all when nnames == 0). Returns 0 or -errno. */
int bench_main(int nnames, char **names, bool json, bool quick);

#endif
