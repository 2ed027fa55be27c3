// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "helpers.h"

#include "base/log.h"

struct capture {
	int calls;
	enum ufd_log_level level;
	char msg[UFD_LOG_MAX_MSG + 1];
	size_t len;
};

static void capture_sink(enum ufd_log_level level, const char *msg,
			 void *opaque)
{
	struct capture *c = opaque;

	c->calls++;
	c->level = level;
	c->len = strlen(msg);
	memcpy(c->msg, msg, c->len + 1);
	/* Sinks may clobber errno (write(2) failing, say); callers see none. */
	errno = EIO;
}

static int setup_capture(void **state)
{
	static struct capture cap;

	memset(&cap, 0, sizeof(cap));
	ufd_log_set_sink(capture_sink, &cap);
	ufd_log_set_level(UFD_LOG_DEBUG);
	*state = &cap;
	return 0;
}

static int teardown_capture(void **state)
{
	ufd_log_set_sink(NULL, NULL);
	ufd_log_set_level(UFD_LOG_WARN);
	return 0;
}

static void test_format_and_sink(void **state)
{
	struct capture *cap = *state;

	ufd_err("id %u of %s", 42u, "ioas");
	assert_int_equal(cap->calls, 1);
	assert_int_equal(cap->level, UFD_LOG_ERR);
	assert_string_equal(cap->msg, "id 42 of ioas");

	/* One trailing newline is dropped; the sink adds its own framing. */
	ufd_info("line\n");
	assert_string_equal(cap->msg, "line");
	assert_int_equal(cap->level, UFD_LOG_INFO);
	ufd_dbg("%d", -7);
	assert_int_equal(cap->level, UFD_LOG_DEBUG);
	assert_string_equal(cap->msg, "-7");
	ufd_warn("%s", "");
	assert_int_equal(cap->level, UFD_LOG_WARN);
	assert_string_equal(cap->msg, "");
	assert_int_equal(cap->calls, 4);
}

static void test_levels(void **state)
{
	struct capture *cap = *state;

	ufd_log_set_level(UFD_LOG_WARN);
	assert_int_equal(ufd_log_get_level(), UFD_LOG_WARN);
	assert_true(ufd_log_enabled(UFD_LOG_ERR));
	assert_true(ufd_log_enabled(UFD_LOG_WARN));
	assert_false(ufd_log_enabled(UFD_LOG_INFO));
	ufd_dbg("hidden");
	ufd_info("hidden");
	assert_int_equal(cap->calls, 0);
	ufd_warn("shown");
	ufd_err("shown");
	assert_int_equal(cap->calls, 2);

	ufd_log_set_level(UFD_LOG_ERR);
	ufd_warn("hidden");
	assert_int_equal(cap->calls, 2);
	ufd_log_set_level(UFD_LOG_DEBUG);
	ufd_dbg("shown");
	assert_int_equal(cap->calls, 3);
}

static void test_truncation(void **state)
{
	struct capture *cap = *state;
	static char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	ufd_err("%s", big);
	assert_int_equal(cap->len, UFD_LOG_MAX_MSG);
	assert_int_equal(cap->msg[0], 'x');
}

static void test_errno_preserved(void **state)
{
	errno = EXDEV;
	/* %m reads errno too; it must see the caller's value. */
	ufd_err("%m");
	assert_int_equal(errno, EXDEV);
	assert_string_equal(((struct capture *)*state)->msg, strerror(EXDEV));
	errno = ENOTTY;
	ufd_dbg("disabled or not, errno survives");
	ufd_log_set_level(UFD_LOG_ERR);
	ufd_dbg("disabled");
	assert_int_equal(errno, ENOTTY);
}

static void test_env(void **state)
{
	static const struct {
		const char *value;
		enum ufd_log_level level;
	} cases[] = {
		{ "err", UFD_LOG_ERR },	    { "warn", UFD_LOG_WARN },
		{ "info", UFD_LOG_INFO },   { "debug", UFD_LOG_DEBUG },
		{ "bogus", UFD_LOG_WARN },  { NULL, UFD_LOG_WARN },
		{ "e", UFD_LOG_WARN },	    { "errors", UFD_LOG_WARN },
		{ "DEBUG", UFD_LOG_WARN },  { "", UFD_LOG_WARN },
		{ "debug", UFD_LOG_DEBUG }, { "infox", UFD_LOG_WARN },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].value)
			setenv("UIOMMUFD_LOG", cases[i].value, 1);
		else
			unsetenv("UIOMMUFD_LOG");
		ufd_log_reload_env();
		assert_int_equal(ufd_log_get_level(), cases[i].level);
	}
	unsetenv("UIOMMUFD_LOG");
}

/*
 * Run as "test_log --env-startup" with UIOMMUFD_LOG=debug (see
 * meson.build): nothing has touched the level yet, so the first query reads
 * the variable, and later changes to it are ignored until a reload.
 */
static void test_env_startup(void **state)
{
	assert_int_equal(ufd_log_get_level(), UFD_LOG_DEBUG);
	setenv("UIOMMUFD_LOG", "err", 1);
	assert_int_equal(ufd_log_get_level(), UFD_LOG_DEBUG);
	assert_true(ufd_log_enabled(UFD_LOG_DEBUG));
	ufd_log_reload_env();
	assert_int_equal(ufd_log_get_level(), UFD_LOG_ERR);
}

/* The default sink: "uiommufd: " + message + newline, on stderr. */
static void test_stderr_sink(void **state)
{
	char buf[256];
	int pipefd[2], saved;
	ssize_t n;

	ufd_log_set_sink(NULL, NULL);
	assert_int_equal(pipe(pipefd), 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	dup2(pipefd[1], STDERR_FILENO);
	ufd_warn("hello %d", 1);
	ufd_dbg("second\n");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "uiommufd: hello 1\nuiommufd: second\n");
}

#define LOG_THREADS 4
#define LOG_ITERS 2000

struct mt_capture {
	int calls;
	int bad;
};

static void mt_sink(enum ufd_log_level level, const char *msg, void *opaque)
{
	struct mt_capture *c = opaque;
	unsigned int t, i;
	char expect[64];

	/* Sinks run one at a time, so plain increments are safe. */
	c->calls++;
	if (sscanf(msg, "thread %u iter %u", &t, &i) != 2) {
		c->bad++;
		return;
	}
	snprintf(expect, sizeof(expect), "thread %u iter %u", t, i);
	if (strcmp(expect, msg))
		c->bad++;
}

static void *log_thread(void *arg)
{
	unsigned int me = (uintptr_t)arg, i;

	for (i = 0; i < LOG_ITERS; i++)
		ufd_info("thread %u iter %u", me, i);
	return NULL;
}

static void test_threads(void **state)
{
	struct mt_capture c = { 0, 0 };
	pthread_t th[LOG_THREADS];
	uintptr_t i;

	ufd_log_set_sink(mt_sink, &c);
	for (i = 0; i < LOG_THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, log_thread, (void *)i), 0);
	for (i = 0; i < LOG_THREADS; i++)
		pthread_join(th[i], NULL);
	ufd_log_set_sink(NULL, NULL);
	assert_int_equal(c.calls, LOG_THREADS * LOG_ITERS);
	assert_int_equal(c.bad, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest startup_tests[] = {
		cmocka_unit_test(test_env_startup),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_format_and_sink, setup_capture, teardown_capture),
		cmocka_unit_test_setup_teardown(test_levels, setup_capture,
						teardown_capture),
		cmocka_unit_test_setup_teardown(test_truncation, setup_capture,
						teardown_capture),
		cmocka_unit_test_setup_teardown(
			test_errno_preserved, setup_capture, teardown_capture),
		cmocka_unit_test_setup_teardown(test_env, setup_capture,
						teardown_capture),
		cmocka_unit_test_setup_teardown(test_stderr_sink, setup_capture,
						teardown_capture),
		cmocka_unit_test_setup_teardown(test_threads, setup_capture,
						teardown_capture),
	};

	if (argc > 1 && !strcmp(argv[1], "--env-startup"))
		return cmocka_run_group_tests(startup_tests, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
