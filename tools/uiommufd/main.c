// SPDX-License-Identifier: BSD-3-Clause
/* The uiommufd command: subcommand dispatch and usage. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../bench/bench.h"
#include "uiommufd/uiommufd.h"
#include "tool.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: uiommufd <command> [args]\n"
		     "\n"
		     "commands:\n"
		     "  run [--trace[=FILE]] [--model=MODEL] [--] PROGRAM "
		     "[ARGS...]\n"
		     "                           run PROGRAM with /dev/iommu\n"
		     "  demo                     run the end-to-end "
		     "demonstration\n"
		     "  bench [SUITE...] [--json] [--quick]\n"
		     "                           run benchmarks (all suites by "
		     "default)\n"
		     "  version                  print the version\n"
		     "  help                     this text\n");
}

static void bench_usage(FILE *out)
{
	const struct bench_suite *const *s;

	fprintf(out, "usage: uiommufd bench [SUITE...] [--json] [--quick]\n"
		     "\n"
		     "  --json   one JSON object per suite on stdout\n"
		     "  --quick  shorter runs: every suite in under a minute\n"
		     "\n"
		     "suites (all by default):\n");
	for (s = bench_suites; *s; s++)
		fprintf(out, "  %-8s %s\n", (*s)->name, (*s)->what);
}

static int cmd_bench(int argc, char **argv)
{
	bool json = false, quick = false;
	char *names[64];
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			bench_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "uiommufd bench: unknown option %s\n",
				argv[i]);
			return 2;
		} else if (n < (int)(sizeof(names) / sizeof(names[0])))
			names[n++] = argv[i];
	}
	return bench_main(n, names, json, quick) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return tool_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "demo"))
		return tool_demo(argc - 2, argv + 2);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 2, argv + 2);
	if (!strcmp(argv[1], "version")) {
		printf("uiommufd %s\n", uiommufd_version());
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "uiommufd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
