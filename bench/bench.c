// SPDX-License-Identifier: BSD-3-Clause
/* The benchmark harness: suite registry, timing helpers and output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *samples, size_t n)
{
	if (!n)
		return 0;
	qsort(samples, n, sizeof(*samples), cmp_double);
	if (n & 1)
		return samples[n / 2];
	return (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

void bench_sink(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void bench_suite_begin(struct bench_ctx *ctx, const char *suite)
{
	ctx->suite = suite;
	ctx->nfigures = 0;
	if (ctx->json)
		printf("{\"suite\": \"%s\", \"figures\": {", suite);
	else
		printf("\n%-40s %14s  %s\n", suite, "value", "unit");
}

void bench_figure(struct bench_ctx *ctx, const char *name, double value,
		  const char *unit)
{
	if (ctx->json)
		printf("%s\"%s\": {\"value\": %.6g, \"unit\": \"%s\"}",
		       ctx->nfigures ? ", " : "", name, value, unit);
	else
		printf("  %-38s %14.3f  %s\n", name, value, unit);
	ctx->nfigures++;
	fflush(stdout);
}

static void bench_suite_end(struct bench_ctx *ctx)
{
	if (ctx->json)
		printf("}}\n");
	fflush(stdout);
	ctx->suite = NULL;
}

int bench_main(int nnames, char **names, bool json, bool quick)
{
	struct bench_ctx ctx = { .json = json, .quick = quick };
	const struct bench_suite *const *s;
	int i, ret = 0;

	for (i = 0; i < nnames; i++) {
		for (s = bench_suites; *s; s++)
			if (!strcmp((*s)->name, names[i]))
				break;
		if (!*s) {
			fprintf(stderr, "uiommufd bench: unknown suite '%s'\n",
				names[i]);
			return -EINVAL;
		}
	}
	for (s = bench_suites; *s; s++) {
		bool wanted = !nnames;

		for (i = 0; i < nnames; i++)
			wanted |= !strcmp((*s)->name, names[i]);
		if (!wanted)
			continue;
		bench_suite_begin(&ctx, (*s)->name);
		ret = (*s)->run(&ctx);
		bench_suite_end(&ctx);
		if (ret) {
			fprintf(stderr, "uiommufd bench: suite %s failed: %s\n",
				(*s)->name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}
