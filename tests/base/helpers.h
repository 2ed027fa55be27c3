/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helpers for the base unit tests: a seeded PRNG whose seed is
 * printed (and can be forced with UIOMMUFD_TEST_SEED) so a randomized
 * failure reproduces, and a fork-based check that a call aborts.
 */
#ifndef UIOMMUFD_TESTS_BASE_HELPERS_H
#define UIOMMUFD_TESTS_BASE_HELPERS_H

#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* splitmix64: tiny, fast, good enough to drive model tests. */
struct test_rng {
	uint64_t state;
};

static inline uint64_t test_seed(const char *test, uint64_t fallback)
{
	const char *s = getenv("UIOMMUFD_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : fallback;

	printf("# %s: seed %#" PRIx64 " (set UIOMMUFD_TEST_SEED to change)\n",
	       test, seed);
	fflush(stdout);
	return seed;
}

static inline void rng_init(struct test_rng *r, uint64_t seed)
{
	r->state = seed;
}

static inline uint64_t rng_u64(struct test_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. The modulo bias is irrelevant here. */
static inline uint64_t rng_below(struct test_rng *r, uint64_t n)
{
	return rng_u64(r) % n;
}

/*
 * Run fn(arg) in a forked child with stderr silenced and assert that the
 * child dies of SIGABRT (what ufd_panic() does). A child that hangs instead
 * (say, deadlocks where it should have aborted) is killed by SIGALRM after
 * 10 s and fails the assertion.
 */
static inline void assert_aborts(void (*fn)(void *), void *arg)
{
	int status, devnull;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		alarm(10);
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

#endif
