// SPDX-License-Identifier: BSD-3-Clause
/*
 * `uiommufd run`: it finds the preload library, puts it in LD_PRELOAD
 * (after what is already there), passes --trace and --model on, and execs
 * the program; and it refuses bad command lines with a message.
 *
 * This program is not itself preloaded. It runs the tool ($UIOMMUFD_TOOL)
 * on preload_run_target ($RUN_TARGET) with the environment it was given
 * (under a sanitizer, LD_PRELOAD holds the sanitizer's runtime, which must
 * stay first).
 */
#include <sys/wait.h>

#include "preload_test.h"

struct result {
	int status; /* exit status, or -1 if killed */
	char out[4096];
	char err[4096];
};

/*
 * Runs the tool with @args (NULL-terminated, after the tool's path), with
 * @env_set ("NAME=VALUE" or NULL) added to the environment.
 */
static void run_tool(const char *const *args, const char *env_set,
		     struct result *r)
{
	const char *tool = getenv("UIOMMUFD_TOOL");
	int out[2], err[2], status;
	const char *argv[16];
	pid_t pid;
	size_t i;

	assert_non_null(tool);
	argv[0] = tool;
	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (env_set)
			putenv((char *)env_set);
		execv(tool, (char *const *)argv);
		_exit(99);
	}
	close(out[1]);
	close(err[1]);
	drain_fd(out[0], r->out, sizeof(r->out));
	drain_fd(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *target(void)
{
	const char *t = getenv("RUN_TARGET");

	assert_non_null(t);
	return t;
}

static void expect_ok(const struct result *r)
{
	if (r->status) {
		print_error("status %d\nstdout:\n%s\nstderr:\n%s\n", r->status,
			    r->out, r->err);
		fail();
	}
}

static void test_run_program(void **state)
{
	struct result r;
	const char *before = getenv("LD_PRELOAD");
	char expect[512];

	run_tool((const char *[]){ "run", "--", target(), NULL }, NULL, &r);
	expect_ok(&r);
	/* Ours is appended, after anything already preloaded. */
	assert_non_null(strstr(r.out, "libuiommufd-preload.so"));
	if (before && *before) {
		snprintf(expect, sizeof(expect), "LD_PRELOAD=%s:", before);
		assert_non_null(strstr(r.out, expect));
	}
	/* Without "--" too. */
	run_tool((const char *[]){ "run", target(), NULL }, NULL, &r);
	expect_ok(&r);
	run_tool((const char *[]){ "run", "--model=mock", "--", target(),
				   NULL },
		 NULL, &r);
	expect_ok(&r);
}

/* --model puts the program's devices behind that IOMMU. */
static void test_models(void **state)
{
	static const struct {
		const char *arg;
		const char *hw_info;
	} models[] = {
		{ "--model=mock", "hw_info=0xfeedbeef" }, /* SELFTEST */
		{ "--model=smmuv3", "hw_info=0x2" },	  /* ARM_SMMUV3 */
		{ "--model=vtd", "hw_info=0x1" },	  /* INTEL_VTD */
		{ "--model=amd", "hw_info=0x4" },	  /* AMD */
	};
	struct result r;
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		run_tool((const char *[]){ "run", models[i].arg, "--", target(),
					   NULL },
			 NULL, &r);
		expect_ok(&r);
		if (!strstr(r.out, models[i].hw_info))
			fail_msg("%s: expected %s in:\n%s", models[i].arg,
				 models[i].hw_info, r.out);
	}
}

/* The difference the tool makes, where the machine has no /dev/iommu. */
static void test_without_run(void **state)
{
	int status;
	pid_t pid;

	if (!access("/dev/iommu", F_OK))
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, STDOUT_FILENO);
		execl(target(), target(), (char *)NULL);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

static void test_trace(void **state)
{
	char path[] = "/tmp/uiommufd-trace-XXXXXX", opt[64], text[4096];
	struct result r;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	snprintf(opt, sizeof(opt), "--trace=%s", path);
	run_tool((const char *[]){ "run", opt, "--", target(), NULL }, NULL,
		 &r);
	expect_ok(&r);
	drain_fd(fd, text, sizeof(text));
	close(fd);
	unlink(path);
	assert_non_null(strstr(text, "IOMMU_IOAS_ALLOC, {size=12, flags=0} => "
				     "{out_ioas_id=1}) = 0 [created ioas "
				     "1]\n"));
	assert_non_null(strstr(text, "IOMMU_DESTROY, {size=8, id=1}) = 0 "
				     "[destroyed 1]\n"));

	run_tool((const char *[]){ "run", "--trace", "--", target(), NULL },
		 NULL, &r);
	expect_ok(&r);
	assert_non_null(strstr(r.err, "IOMMU_IOAS_ALLOC, {size=12, flags=0}"));
}

static void test_preload_override(void **state)
{
	static char good[1024];
	const char *lib = getenv("PRELOAD_LIB");
	struct result r;

	assert_non_null(lib);
	snprintf(good, sizeof(good), "UIOMMUFD_PRELOAD=%s", lib);
	run_tool((const char *[]){ "run", "--", target(), NULL }, good, &r);
	expect_ok(&r);

	run_tool((const char *[]){ "run", "--", target(), NULL },
		 "UIOMMUFD_PRELOAD=/nonexistent/lib.so", &r);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "UIOMMUFD_PRELOAD"));
}

static void test_bad_command_lines(void **state)
{
	struct result r;

	run_tool((const char *[]){ "run", NULL }, NULL, &r);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no program"));
	run_tool((const char *[]){ "run", "--bogus", "--", target(), NULL },
		 NULL, &r);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--bogus"));
	run_tool((const char *[]){ "run", "--model=x", "--", target(), NULL },
		 NULL, &r);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "unknown model"));
	run_tool((const char *[]){ "run", "--", "/nonexistent/prog", NULL },
		 NULL, &r);
	assert_int_equal(r.status, 127);
	run_tool((const char *[]){ "run", "--help", NULL }, NULL, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: uiommufd run"));
	run_tool((const char *[]){ "help", NULL }, NULL, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "  run "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_program),
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_without_run),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_preload_override),
		cmocka_unit_test(test_bad_command_lines),
	};

	return cmocka_run_group_tests_name("preload_run", tests, NULL, NULL);
}
