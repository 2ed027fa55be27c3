// SPDX-License-Identifier: BSD-3-Clause
/*
 * VT-d translations per PGTT (second stage only, first stage only,
 * nested, pass-through) against brute-force reference walks: random
 * mappings of mixed page sizes, random probes inside and outside them.
 */
#include <string.h>

#include "vtd_tb.h"

#define SID 0x0310
#define DID 7
#define PASID 0x1234

static uint64_t rnd_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random mappings of 4K/2M/1G pages in the low 2^39 of @t. */
static void populate(struct pt_table *t, unsigned int n, unsigned int prot_var)
{
	static const unsigned int lg2s[] = { 12, 21, 30 };
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int lg2 = lg2s[rnd() % 3];
		uint64_t sz = 1ull << lg2;
		uint64_t iova = (rnd() % (1ull << 39)) & ~(sz - 1);
		uint64_t oa = (rnd() % (1ull << 46)) & ~(sz - 1);
		unsigned int prot = PT_PROT_READ;
		uint64_t mapped = 0;

		if (prot_var && (rnd() & 1))
			prot |= PT_PROT_WRITE;
		else if (!prot_var)
			prot |= PT_PROT_WRITE;
		if (prot_var && (rnd() % 4) == 0)
			prot |= PT_PROT_PRIV;
		(void)pt_map(t, iova, oa, sz, prot, &mapped);
	}
}

static void check_one(struct tb *tb, uint32_t pasid, uint64_t iova,
		      unsigned int access, bool ok, uint64_t oa,
		      unsigned int perm, uint8_t miss_reason)
{
	struct vtd_xlate x;
	int ret = vtd_translate(tb->vtd, SID, pasid, iova, access, &x);

	if (ok && !(access & (VTD_READ | VTD_WRITE) & ~perm)) {
		assert_int_equal(ret, 0);
		assert_int_equal(x.status, VTD_OK);
		assert_int_equal(x.oa, oa);
		/* Cached now: the same answer from the fast path. */
		assert_int_equal(vtd_translate_cached(tb->vtd, SID, pasid, iova,
						      access, &x),
				 0);
		assert_int_equal(x.oa, oa);
	} else {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(x.status, VTD_FAULT);
		if (!ok)
			assert_int_equal(x.reason, miss_reason);
	}
}

static void test_ss(void **state)
{
	struct tb tb;
	struct pt_table *ss;
	unsigned int i;

	(void)state;
	tb_init(&tb, NULL);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	populate(ss, 200, 1);
	/* Requests without PASID use RID_PASID 0. */
	tb_pe_set(tb_pe(&tb, SID, 0), VTD_PGTT_SS, DID, ss, NULL, false);
	for (i = 0; i < 4000; i++) {
		uint64_t iova = rnd() % (1ull << 39), oa = 0;
		unsigned int perm = 0, acc = (rnd() & 1) ? VTD_WRITE : VTD_READ;
		bool ok = ref_ss(pt_root(pt_table_walk_ctx(ss)), 4, iova, &oa,
				 &perm);

		check_one(&tb, VTD_NO_PASID, iova, acc, ok, oa, perm,
			  VTD_FR_SM_SS_P);
	}
	pt_free(ss);
	tb_fini(&tb);
}

static void test_fs(void **state)
{
	struct tb tb;
	struct pt_table *fs;
	unsigned int i;

	(void)state;
	tb_init(&tb, NULL);
	fs = tb_pt(&tb, PT_FMT_VTD_FS, 48, PT_CFG_SIGN_EXTEND);
	populate(fs, 200, 1);
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_FS, DID, NULL, fs, false);
	for (i = 0; i < 4000; i++) {
		uint64_t iova = rnd() % (1ull << 39), oa = 0;
		unsigned int perm = 0, acc = (rnd() & 1) ? VTD_WRITE : VTD_READ;
		bool priv = rnd() & 1, ok;

		ok = ref_fs(pt_root(pt_table_walk_ctx(fs)), 4, iova, priv, &oa,
			    &perm, NULL, NULL);
		check_one(&tb, PASID, iova, acc | (priv ? VTD_PRIV : 0), ok, oa,
			  perm, VTD_FR_SM_FS_P);
	}
	pt_free(fs);
	tb_fini(&tb);
}

static void test_pt(void **state)
{
	struct vtd_xlate x;
	struct tb tb;

	(void)state;
	tb_init(&tb, NULL);
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_PT, DID, NULL, NULL, false);
	assert_int_equal(vtd_translate(tb.vtd, SID, PASID, 0x123456789000ull,
				       VTD_WRITE, &x),
			 0);
	assert_int_equal(x.oa, 0x123456789000ull);
	assert_int_equal(x.did, DID);
	tb_fini(&tb);
}

/* Nested: guest RAM at GPA_BASE is a window of the bench RAM. */
#define GPA_BASE 0x40000000ull
#define GUEST_SIZE (8ull << 20)

struct guest {
	struct tb *tb;
	uint64_t host; /* PA of the window */
	uint64_t next;
	uint64_t ss_root;
};

static void *g_map(void *priv, uint64_t gpa, size_t len, bool write)
{
	struct guest *g = priv;

	(void)write;
	if (gpa < GPA_BASE || gpa + len > GPA_BASE + GUEST_SIZE)
		return NULL;
	return tb_ptr(g->host + gpa - GPA_BASE);
}

static void *g_alloc(void *priv, size_t size, size_t align, uint64_t *pa)
{
	struct guest *g = priv;

	(void)align;
	*pa = GPA_BASE + g->next;
	g->next += 4096;
	assert_true(g->next <= GUEST_SIZE);
	return g_map(priv, *pa, size, true);
}

static void g_free(void *priv, uint64_t pa, void *host, size_t size)
{
}

static bool g_xlate(void *priv, uint64_t gpa, uint64_t *pa)
{
	struct guest *g = priv;
	unsigned int perm;

	return ref_ss(g->ss_root, 4, gpa, pa, &perm);
}

static void test_nested(void **state)
{
	const struct pt_mem_ops gops = { .map = g_map,
					 .alloc = g_alloc,
					 .free = g_free };
	struct pt_table *ss, *fs;
	struct guest g;
	struct pt_cfg c;
	struct tb tb;
	uint64_t mapped;
	unsigned int i;

	(void)state;
	tb_init(&tb, NULL);
	memset(&g, 0, sizeof(g));
	g.tb = &tb;
	g.host = tb_alloc(&tb, GUEST_SIZE + (2u << 20));
	g.host = (g.host + (2u << 20) - 1) & ~((2ull << 20) - 1);
	ss = tb_pt(&tb, PT_FMT_VTD_SS, 48, 0);
	g.ss_root = pt_root(pt_table_walk_ctx(ss));
	/* Guest RAM, 2M pages, and a data region with 4K pages. */
	assert_int_equal(pt_map(ss, GPA_BASE, g.host, GUEST_SIZE,
				PT_PROT_READ | PT_PROT_WRITE, &mapped),
			 0);
	for (i = 0; i < 256; i++)
		pt_map(ss, 0x80000000ull + i * 4096ull,
		       0x7000000000ull + (rnd() % 4096) * 4096, 4096,
		       PT_PROT_READ | ((i & 1) ? PT_PROT_WRITE : 0), &mapped);
	memset(&c, 0, sizeof(c));
	c.fmt = PT_FMT_VTD_FS;
	c.ias = 48;
	c.oas = 52;
	c.flags = PT_CFG_SIGN_EXTEND;
	c.mem = &gops;
	c.mem_priv = &g;
	fs = pt_alloc(&c);
	assert_false(IS_ERR(fs));
	for (i = 0; i < 300; i++) {
		uint64_t iova = (rnd() % (1ull << 30)) & ~0xfffull;

		pt_map(fs, iova, 0x80000000ull + (rnd() % 300) * 4096ull, 4096,
		       PT_PROT_READ | PT_PROT_WRITE, &mapped);
	}
	tb_pe_set(tb_pe(&tb, SID, PASID), VTD_PGTT_NESTED, DID, ss, fs, false);
	for (i = 0; i < 3000; i++) {
		uint64_t iova = rnd() % (1ull << 30), gpa = 0, oa = 0;
		unsigned int p1 = 0, p2 = 0;
		unsigned int acc = (rnd() & 1) ? VTD_WRITE : VTD_READ;
		bool ok1, ok;
		struct vtd_xlate x;
		int ret;

		ok1 = ref_fs(pt_root(pt_table_walk_ctx(fs)), 4, iova, false,
			     &gpa, &p1, g_xlate, &g);
		ok = ok1 && ref_ss(g.ss_root, 4, gpa, &oa, &p2);
		ret = vtd_translate(tb.vtd, SID, PASID, iova, acc, &x);
		if (ok && !(acc & ~(p1 & p2))) {
			assert_int_equal(ret, 0);
			assert_int_equal(x.oa, oa);
		} else {
			assert_int_equal(ret, -EFAULT);
			if (!ok1)
				assert_int_equal(x.reason, VTD_FR_SM_FS_P);
			else if (!ok)
				assert_int_equal(x.reason, VTD_FR_SM_SS_P);
			else
				assert_int_equal(x.reason, VTD_FR_SM_WRITE);
		}
	}
	pt_free(fs);
	pt_free(ss);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ss),
		cmocka_unit_test(test_fs),
		cmocka_unit_test(test_pt),
		cmocka_unit_test(test_nested),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
