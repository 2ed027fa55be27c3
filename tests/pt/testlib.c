// SPDX-License-Identifier: BSD-3-Clause
/* Helpers shared by the page-table tests (see testlib.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/err.h"
#include "testlib.h"

void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

/* splitmix64: small, fast, good enough to drive tests. */
uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

uint64_t test_seed(const char *what)
{
	const char *env = getenv("PT_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed0f1ee7ull;

	printf("# %s: seed 0x%" PRIx64 " (set PT_TEST_SEED to repeat)\n", what,
	       seed);
	return seed;
}

#define ARM(stage, g, i, o, l, f)                                              \
	{                                                                      \
		.fmt = PT_FMT_ARM_S##stage, .granule_lg2 = (g), .ias = (i),    \
		.oas = (o), .levels = (l), .flags = (f)                        \
	}

static const struct test_cfg cfgs_arm_s1_4k[] = {
	{ "ias48 dirty", ARM(1, 12, 48, 48, 0, PT_CFG_DIRTY) },
	{ "ias39", ARM(1, 12, 39, 48, 0, 0) },
	{ "ias32 dirty", ARM(1, 12, 32, 48, 0, PT_CFG_DIRTY) },
	{ NULL },
};

static const struct test_cfg cfgs_arm_s1_16k[] = {
	{ "ias48 dirty", ARM(1, 14, 48, 48, 0, PT_CFG_DIRTY) },
	{ "ias36", ARM(1, 14, 36, 48, 0, 0) },
	{ NULL },
};

static const struct test_cfg cfgs_arm_s1_64k[] = {
	{ "ias48 dirty", ARM(1, 16, 48, 48, 0, PT_CFG_DIRTY) },
	{ "ias52 oas52 dirty", ARM(1, 16, 52, 52, 0, PT_CFG_DIRTY) },
	{ "ias42", ARM(1, 16, 42, 48, 0, 0) },
	{ NULL },
};

static const struct test_cfg cfgs_arm_s2_4k[] = {
	{ "ias48 dirty", ARM(2, 12, 48, 48, 0, PT_CFG_DIRTY) },
	{ "ias40 2 concatenated", ARM(2, 12, 40, 48, 3, 0) },
	{ "ias42 8 concatenated dirty", ARM(2, 12, 42, 48, 3, PT_CFG_DIRTY) },
	{ NULL },
};

static const struct test_cfg cfgs_arm_s2_16k[] = {
	{ "ias48 2 concatenated dirty", ARM(2, 14, 48, 48, 3, PT_CFG_DIRTY) },
	{ "ias40", ARM(2, 14, 40, 48, 0, 0) },
	{ NULL },
};

static const struct test_cfg cfgs_arm_s2_64k[] = {
	{ "ias48 dirty", ARM(2, 16, 48, 48, 0, PT_CFG_DIRTY) },
	{ "ias44 4 concatenated", ARM(2, 16, 44, 48, 2, 0) },
	{ NULL },
};

static const struct test_cfg cfgs_vtd_ss[] = {
	{ "4 level dirty",
	  { .fmt = PT_FMT_VTD_SS, .ias = 48, .flags = PT_CFG_DIRTY } },
	{ "3 level", { .fmt = PT_FMT_VTD_SS, .ias = 39 } },
	{ "5 level dirty snoop",
	  { .fmt = PT_FMT_VTD_SS,
	    .ias = 57,
	    .flags = PT_CFG_DIRTY | PT_CFG_FORCE_COHERENT } },
	{ NULL },
};

static const struct test_cfg cfgs_vtd_fs[] = {
	{ "4 level canonical dirty",
	  { .fmt = PT_FMT_VTD_FS,
	    .ias = 48,
	    .flags = PT_CFG_SIGN_EXTEND | PT_CFG_DIRTY } },
	{ "5 level canonical",
	  { .fmt = PT_FMT_VTD_FS, .ias = 57, .flags = PT_CFG_SIGN_EXTEND } },
	{ "4 level lower only", { .fmt = PT_FMT_VTD_FS, .ias = 48 } },
	{ NULL },
};

static const struct test_cfg cfgs_amdv1[] = {
	{ "3 levels fixed dirty",
	  { .fmt = PT_FMT_AMDV1, .levels = 3, .flags = PT_CFG_DIRTY } },
	{ "growing from 1 level dirty",
	  { .fmt = PT_FMT_AMDV1,
	    .levels = 1,
	    .flags = PT_CFG_DYNAMIC_TOP | PT_CFG_DIRTY } },
	{ "6 levels fixed coherent",
	  { .fmt = PT_FMT_AMDV1, .levels = 6, .flags = PT_CFG_FORCE_COHERENT } },
	{ NULL },
};

static const struct test_cfg cfgs_mock[] = {
	{ "default dirty", { .fmt = PT_FMT_MOCK, .flags = PT_CFG_DIRTY } },
	{ "huge (1M and 4K only)",
	  { .fmt = PT_FMT_MOCK,
	    .flags = PT_CFG_DIRTY,
	    .pgsize_allowed = (1ull << 20) | (1ull << 12) } },
	{ NULL },
};

const struct test_cfg *test_cfgs(const char *fmt)
{
	static const struct {
		const char *name;
		const struct test_cfg *cfgs;
	} all[] = {
		{ "arm_s1_4k", cfgs_arm_s1_4k },
		{ "arm_s1_16k", cfgs_arm_s1_16k },
		{ "arm_s1_64k", cfgs_arm_s1_64k },
		{ "arm_s2_4k", cfgs_arm_s2_4k },
		{ "arm_s2_16k", cfgs_arm_s2_16k },
		{ "arm_s2_64k", cfgs_arm_s2_64k },
		{ "vtd_ss", cfgs_vtd_ss },
		{ "vtd_fs", cfgs_vtd_fs },
		{ "amdv1", cfgs_amdv1 },
		{ "mock", cfgs_mock },
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i].name, fmt))
			return all[i].cfgs;
	return NULL;
}

#define ARENA_BLOCK 4096u

static void *arena_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct arena *a = priv;

	a->maps++;
	if (a->refuse && pa >= a->refuse && pa < a->refuse + ARENA_BLOCK)
		return ERR_PTR(-EFAULT);
	if (pa < a->gpa || pa - a->gpa > a->size ||
	    len > a->size - (pa - a->gpa))
		return ERR_PTR(-EFAULT);
	return a->host + (pa - a->gpa);
}

static void *arena_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct arena *a = priv;
	size_t nb = (size + ARENA_BLOCK - 1) / ARENA_BLOCK;
	size_t step = align > ARENA_BLOCK ? align / ARENA_BLOCK : 1;
	size_t i, k;

	for (i = 0; i + nb <= a->size / ARENA_BLOCK; i += step) {
		for (k = 0; k < nb && !a->used[i + k]; k++)
			;
		if (k < nb)
			continue;
		memset(a->used + i, 1, nb);
		memset(a->host + i * ARENA_BLOCK, 0, nb * ARENA_BLOCK);
		a->live += nb;
		*pa = a->gpa + i * ARENA_BLOCK;
		return a->host + i * ARENA_BLOCK;
	}
	return NULL;
}

static void arena_free(void *priv, uint64_t pa, void *host, size_t size)
{
	struct arena *a = priv;
	size_t i = (pa - a->gpa) / ARENA_BLOCK;
	size_t nb = (size + ARENA_BLOCK - 1) / ARENA_BLOCK;

	if (host != a->host + (pa - a->gpa))
		abort();
	for (size_t k = 0; k < nb; k++) {
		if (!a->used[i + k])
			abort(); /* double free */
		a->used[i + k] = 0;
	}
	/* Poison, so a use after free shows up as garbage descriptors. */
	memset(host, 0xa5, nb * ARENA_BLOCK);
	a->live -= nb;
}

const struct pt_mem_ops arena_ops = {
	.map = arena_map,
	.alloc = arena_alloc,
	.free = arena_free,
};

void arena_init(struct arena *a, size_t size, uint64_t gpa)
{
	memset(a, 0, sizeof(*a));
	a->host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a->host == MAP_FAILED)
		abort();
	a->used = calloc(size / ARENA_BLOCK, 1);
	if (!a->used)
		abort();
	a->size = size;
	a->gpa = gpa;
}

void arena_destroy(struct arena *a)
{
	munmap(a->host, a->size);
	free(a->used);
	memset(a, 0, sizeof(*a));
}

void *arena_ptr(struct arena *a, uint64_t gpa)
{
	return a->host + (gpa - a->gpa);
}
