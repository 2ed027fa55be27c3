/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the page-table tests: a seeded random generator, the
 * configurations each format is tested in, and "guest memory" for tables
 * that do not live at host addresses (struct pt_mem_ops over an arena whose
 * addresses start at a fake guest-physical base).
 */
#ifndef UIOMMUFD_TESTS_PT_TESTLIB_H
#define UIOMMUFD_TESTS_PT_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt/pt.h"

/* xoshiro-style generator; every test prints the seed it used. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

struct test_cfg {
	const char *desc;
	struct pt_cfg cfg;
};

/*
 * The configurations a format's suite runs, NULL-terminated by desc. @fmt is
 * the format's short name ("arm_s1_4k", "vtd_ss", ...).
 */
const struct test_cfg *test_cfgs(const char *fmt);

/* The seed: $PT_TEST_SEED if set, else a fixed default; printed. */
uint64_t test_seed(const char *what);

/* Guest memory arena for tables anywhere. */
struct arena {
	uint8_t *host;
	uint64_t gpa; /* address of host[0] as the tables see it */
	size_t size;
	uint8_t *used;	 /* one byte per 4 KiB block */
	uint64_t refuse; /* map() of this table address fails; 0: none */
	size_t live;	 /* blocks allocated */
	unsigned long maps;
};

extern const struct pt_mem_ops arena_ops;

/* An arena of @size bytes seen at guest address @gpa (4K-aligned). */
void arena_init(struct arena *a, size_t size, uint64_t gpa);
void arena_destroy(struct arena *a);
/* Host pointer of guest address @gpa in the arena. */
void *arena_ptr(struct arena *a, uint64_t gpa);

#endif
