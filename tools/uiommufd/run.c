// SPDX-License-Identifier: BSD-3-Clause
/*
 * uiommufd run [--trace[=FILE]] [--model=MODEL] [--] PROGRAM [ARGS...]
 *
 * Runs PROGRAM with libuiommufd-preload.so in LD_PRELOAD, so that it finds
 * a working /dev/iommu (docs/preload.md). The library is found, in order:
 *   1. $UIOMMUFD_PRELOAD, if set (it must exist);
 *   2. the build tree: <builddir>/src/preload/, when this tool runs from
 *      <builddir>/tools/uiommufd/;
 *   3. the library directory `meson install` used;
 *   4. <bindir>/../<libdir>/, relative to this tool, for a relocated install.
 * The library is appended to any LD_PRELOAD already set, so libraries the
 * caller preloads (a sanitizer runtime, which must come first) keep their
 * place.
 *
 * --trace[=FILE] sets UIOMMUFD_TRACE for the library: one line per
 * iommufd ioctl, decoded strace-style (docs/preload.md), on stderr or
 * appended to FILE.
 * --model selects the IOMMU model behind the devices IOMMU_TEST_CMD makes
 * (UIOMMUFD_MODEL): "mock", the kernel selftests' mock driver, "smmuv3",
 * the SMMUv3 with its Tegra241 CMDQV, "vtd", the Intel VT-d, or "amd",
 * the AMD-Vi IOMMU.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload/preload_config.h"
#include "tool.h"

#define RUN_USAGE                                                              \
	"usage: uiommufd run [--trace[=FILE]] [--model=MODEL] [--] "           \
	"PROGRAM [ARGS...]\n"                                                  \
	"\n"                                                                   \
	"Runs PROGRAM with a working /dev/iommu (libuiommufd-preload.so).\n"   \
	"  --trace         log every iommufd ioctl, decoded, to stderr\n"      \
	"  --trace=FILE    ... appended to FILE instead\n"                     \
	"  --model=MODEL   IOMMU model behind devices: mock, smmuv3, vtd, "    \
	"amd\n"                                                                \
	"Environment: UIOMMUFD_PRELOAD overrides the library's path;\n"        \
	"UIOMMUFD_TRACE, UIOMMUFD_MODEL and UIOMMUFD_LOG are passed on.\n"

static bool readable(const char *path)
{
	return !access(path, R_OK);
}

/*
 * Fills @out with the preload library's path. Returns 0, or -1 after
 * printing why none was found.
 */
static int find_preload(char *out, size_t size)
{
	const char *env = getenv("UIOMMUFD_PRELOAD");
	char exe[PATH_MAX], *dir = NULL;
	ssize_t n;

	if (env && *env) {
		if (!readable(env)) {
			fprintf(stderr,
				"uiommufd run: UIOMMUFD_PRELOAD=%s: %s\n", env,
				strerror(errno));
			return -1;
		}
		snprintf(out, size, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(out, size, "%s/%s", dir,
			 UIOMMUFD_PRELOAD_FROM_BUILD_TOOL);
		if (readable(out))
			return 0;
	}
	snprintf(out, size, "%s", UIOMMUFD_PRELOAD_INSTALLED);
	if (readable(out))
		return 0;
	if (n > 0) {
		snprintf(out, size, "%s/%s", dir,
			 UIOMMUFD_PRELOAD_FROM_INSTALLED_TOOL);
		if (readable(out))
			return 0;
	}
	fprintf(stderr,
		"uiommufd run: cannot find libuiommufd-preload.so (looked next "
		"to this program and in %s); set UIOMMUFD_PRELOAD to its "
		"path\n",
		UIOMMUFD_PRELOAD_INSTALLED);
	return -1;
}

/* Appends @lib to LD_PRELOAD unless it is already there. */
static int add_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int rc;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (strstr(old, lib))
		return 0;
	val = malloc(strlen(old) + 1 + strlen(lib) + 1);
	if (!val)
		return -1;
	sprintf(val, "%s:%s", old, lib);
	rc = setenv("LD_PRELOAD", val, 1);
	free(val);
	return rc;
}

/**
 * tool_run - the `uiommufd run` subcommand.
 * @argc: arguments after "run"
 * @argv: the arguments
 *
 * Does not return when PROGRAM starts. Returns 2 for a usage error or a
 * missing library, 127 if PROGRAM is not found, 126 if it cannot be run.
 */
int tool_run(int argc, char **argv)
{
	const char *trace = NULL, *model = NULL;
	char lib[PATH_MAX];
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(RUN_USAGE, stdout);
			return 0;
		} else if (!strcmp(a, "--trace")) {
			trace = "stderr";
		} else if (!strncmp(a, "--trace=", 8) && a[8]) {
			trace = a + 8;
		} else if (!strncmp(a, "--model=", 8)) {
			model = a + 8;
		} else {
			fprintf(stderr, "uiommufd run: unknown option %s\n%s",
				a, RUN_USAGE);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "uiommufd run: no program given\n%s",
			RUN_USAGE);
		return 2;
	}
	if (model && strcmp(model, "mock") && strcmp(model, "smmuv3") &&
	    strcmp(model, "vtd") && strcmp(model, "amd")) {
		fprintf(stderr,
			"uiommufd run: --model=%s: unknown model (smmuv3, vtd, "
			"amd or mock)\n",
			model);
		return 2;
	}
	if (find_preload(lib, sizeof(lib)))
		return 2;
	if (add_preload(lib) || (trace && setenv("UIOMMUFD_TRACE", trace, 1)) ||
	    (model && setenv("UIOMMUFD_MODEL", model, 1))) {
		fprintf(stderr, "uiommufd run: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "uiommufd run: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
