// SPDX-License-Identifier: BSD-3-Clause
/*
 * The record of memory known good for pinning (src/iopt/mapped.c): what it
 * records and forgets, checked against a brute-force model of one page
 * array, with random notes and forgets that split and replace ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "iopt/mapped.h"

#define PS 4096ul
#define NP 512ul
/* Addresses only: nothing is mapped there, the record is bookkeeping. */
#define BASE (0x7e0000000000ul)

static int model[NP]; /* per page: 0 unknown, else PROT_READ|PROT_WRITE */

static void reset(void)
{
	iopt_mapped_forget(BASE, NP * PS);
	memset(model, 0, sizeof(model));
}

static void test_basics(void **state)
{
	reset();
	iopt_mapped_note(BASE, 4 * PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	assert_true(iopt_mapped_covers(BASE, 4 * PS, true));
	assert_true(iopt_mapped_covers(BASE + 100, 10, false));
	/* Past the end, or before the start. */
	assert_false(iopt_mapped_covers(BASE, 4 * PS + 1, false));
	assert_false(iopt_mapped_covers(BASE - PS, 2 * PS, false));
	/* An unaligned length rounds up to pages. */
	iopt_mapped_note(BASE + 8 * PS, 100, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	assert_true(iopt_mapped_covers(BASE + 9 * PS - 1, 1, false));
	assert_false(iopt_mapped_covers(BASE + 8 * PS, 1, true));
	/* Forgetting the middle splits the range. */
	iopt_mapped_forget(BASE + PS + 5, 1);
	assert_true(iopt_mapped_covers(BASE, PS, true));
	assert_false(iopt_mapped_covers(BASE + PS, 1, false));
	assert_true(iopt_mapped_covers(BASE + 2 * PS, 2 * PS, true));
	/* Adjacent ranges cover together. */
	iopt_mapped_note(BASE + PS, PS, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS);
	assert_true(iopt_mapped_covers(BASE, 4 * PS, true));
	/* A write needs every range writable. */
	iopt_mapped_note(BASE + 4 * PS, 4 * PS, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	assert_true(iopt_mapped_covers(BASE, 9 * PS, false));
	assert_false(iopt_mapped_covers(BASE, 9 * PS, true));
	reset();
}

/* What is not recorded: files, no access, stacks, unreserved memory. */
static void test_not_recorded(void **state)
{
	reset();
	iopt_mapped_note(BASE, PS, PROT_READ, MAP_PRIVATE);
	iopt_mapped_note(BASE + PS, PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
	iopt_mapped_note(BASE + 2 * PS, PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN);
	iopt_mapped_note(BASE + 3 * PS, PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
	iopt_mapped_note(BASE + 4 * PS + 1, PS, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	for (unsigned long i = 0; i < 6; i++)
		assert_false(iopt_mapped_covers(BASE + i * PS, 1, false));
	/* Huge pages with a reservation are. */
	iopt_mapped_note(BASE, PS, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB);
	assert_true(iopt_mapped_covers(BASE, PS, false));
	/* A file mapping over recorded memory replaces it. */
	iopt_mapped_note(BASE, PS, PROT_READ, MAP_SHARED | MAP_FIXED);
	assert_false(iopt_mapped_covers(BASE, PS, false));
	/* Ranges that wrap are refused, not recorded. */
	iopt_mapped_note(UINTPTR_MAX - PS + 1, 2 * PS, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS);
	assert_false(iopt_mapped_covers(UINTPTR_MAX - PS + 1, PS, false));
	assert_false(iopt_mapped_covers(BASE, 0, false));
	reset();
}

static bool model_covers(unsigned long first, unsigned long n, bool write)
{
	for (unsigned long i = first; i < first + n; i++)
		if (!(model[i] & (write ? PROT_WRITE : PROT_READ)))
			return false;
	return true;
}

static void test_random(void **state)
{
	unsigned int seed = 12345;

	reset();
	for (int step = 0; step < 20000; step++) {
		unsigned long first = (unsigned long)rand_r(&seed) % NP;
		unsigned long n = 1 + (unsigned long)rand_r(&seed) % 16;
		int what = rand_r(&seed) % 4;
		int prot = (rand_r(&seed) % 2 ? PROT_READ : 0) |
			   (rand_r(&seed) % 2 ? PROT_WRITE : 0);

		if (first + n > NP)
			n = NP - first;
		if (what == 0) {
			iopt_mapped_note(BASE + first * PS, n * PS, prot,
					 MAP_PRIVATE | MAP_ANONYMOUS);
			for (unsigned long i = first; i < first + n; i++)
				model[i] = prot;
		} else if (what == 1) {
			iopt_mapped_forget(BASE + first * PS, n * PS);
			for (unsigned long i = first; i < first + n; i++)
				model[i] = 0;
		} else {
			bool write = what == 3;

			assert_int_equal(iopt_mapped_covers(BASE + first * PS,
							    n * PS, write),
					 model_covers(first, n, write));
		}
	}
	reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_not_recorded),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
