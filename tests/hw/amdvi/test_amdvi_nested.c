// SPDX-License-Identifier: BSD-3-Clause
/*
 * AMD-Vi guest (v2) translation: PASIDs through GCR3 tables of one, two
 * and three levels, x86-64 guest tables of four and five levels, GIoV
 * (requests without PASID through PASID 0), and nested translation --
 * GCR3 table, guest tables and guest output addresses all guest physical,
 * read through the host v1 table -- checked against a two-stage reference
 * walk written here from the specifications (48882 2.2.6, SDM 4.5), not
 * through src/pt. Also the caching rules of guest translations: GCR3
 * entries and PASID translations stay until INVALIDATE_IOMMU_PAGES with
 * GN = 1 of their PASID, nested ones also until a GN = 0 invalidation of
 * their DomainID.
 */
#include <string.h>

#include "amdvi_tb.h"

#define DEV 0x50
#define DOM 0x77
#define VA 0x7f0000000000ull
#define DATA_GPA 0x40000000ull /* guest output addresses */
#define DATA_SPA 0x500000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE)

/* --- reference --- */

/* v1 host walk (2.2.3), well-formed tables only. */
static bool ref_host(uint64_t root, unsigned int mode, uint64_t iova,
		     uint64_t *oa, unsigned int *perm)
{
	uint64_t table = root, e, addr, m;
	unsigned int level = mode, p = AMDVI_READ | AMDVI_WRITE, nl, lg2;

	if (mode < 6 && (iova >> (12 + 9 * mode)))
		return false;
	for (;;) {
		lg2 = 12 + 9 * (level - 1);
		e = ((const uint64_t *)tb_ptr(table))[(iova >> lg2) & 0x1ff];
		if (!(e & 1))
			return false;
		p &= (e & (1ull << 61) ? AMDVI_READ : 0) |
		     (e & (1ull << 62) ? AMDVI_WRITE : 0);
		nl = (e >> 9) & 7;
		addr = e & 0x000ffffffffff000ull;
		if (nl == 0 || nl == 7) {
			if (nl == 7)
				lg2 = 13 + (unsigned int)__builtin_ctzll(
						   ~(addr >> 12));
			m = (1ull << lg2) - 1;
			*oa = (addr & ~m) | (iova & m);
			*perm = p;
			return true;
		}
		table = addr;
		level = nl;
	}
}

struct ref_ctx {
	struct tb *tb;
	bool nested;
	uint64_t host_root;
	unsigned int host_mode;
};

/* A guest structure's qword at @pa (a GPA when nested). */
static bool ref_read(const struct ref_ctx *c, uint64_t pa, uint64_t *v)
{
	unsigned int perm;

	if (c->nested && !ref_host(c->host_root, c->host_mode, pa, &pa, &perm))
		return false;
	*v = *(const uint64_t *)tb_ptr(pa);
	return true;
}

/* GCR3 table (2.2.6) then x86-64 paging (SDM 4.5) then, nested, v1. */
static bool ref_walk(const struct ref_ctx *c, uint64_t gcr3_root,
		     unsigned int glx, unsigned int levels, uint32_t pasid,
		     uint64_t va, bool priv, uint64_t *oa, unsigned int *perm)
{
	uint64_t table = gcr3_root, e = 0, m;
	unsigned int l, p = AMDVI_READ | AMDVI_WRITE | AMDVI_EXEC, hp;
	bool user = true;

	for (l = glx + 1; l-- > 0;) {
		if (!ref_read(c, table + 8 * ((pasid >> (9 * l)) & 0x1ff),
			      &e) ||
		    !(e & 1))
			return false;
		table = e & 0x000ffffffffff000ull;
	}
	if (va >> (12 + 9 * levels))
		return false;
	for (l = levels; l > 0; l--) {
		unsigned int lg2 = 12 + 9 * (l - 1);

		if (!ref_read(c, table + 8 * ((va >> lg2) & 0x1ff), &e) ||
		    !(e & 1))
			return false;
		if (!(e & 2))
			p &= ~AMDVI_WRITE;
		if (!(e & 4))
			user = false;
		if (e >> 63)
			p &= ~AMDVI_EXEC;
		if (l == 1 || (l <= 3 && (e & (1ull << 7)))) {
			m = (1ull << lg2) - 1;
			*oa = ((e & 0x000ffffffffff000ull) & ~m) | (va & m);
			break;
		}
		table = e & 0x000ffffffffff000ull;
	}
	if (!priv && !user)
		return false;
	if (c->nested) {
		if (!ref_host(c->host_root, c->host_mode, *oa, oa, &hp))
			return false;
		p &= hp | (hp & AMDVI_READ ? AMDVI_EXEC : 0);
	}
	*perm = p;
	return true;
}

/* --- setup --- */

struct guest {
	struct ref_ctx ref;
	struct pt_table *host; /* nested: GPA -> SPA */
	uint64_t gcr3_root;    /* GCR3 table (GPA when nested) */
	unsigned int glx, levels;
	struct pt_table *pt[4]; /* per PASID slot */
	uint32_t pasid[4];
};

static uint64_t *gptr(struct tb *tb, bool nested, uint64_t pa)
{
	return nested ? tb_gpa_ptr(tb, pa) : tb_ptr(pa);
}

static uint64_t galloc(struct tb *tb, bool nested)
{
	return nested ? tb_galloc(tb, 4096, 4096) : tb_alloc(tb, 4096, 4096);
}

/* Points the GCR3 table at @pt for @pasid, allocating levels. */
static void gcr3_set(struct tb *tb, struct guest *g, uint32_t pasid,
		     struct pt_table *pt)
{
	bool nested = g->ref.nested;
	uint64_t table = g->gcr3_root, *e;
	unsigned int l;

	for (l = g->glx + 1; l-- > 0;) {
		e = gptr(tb, nested, table) + ((pasid >> (9 * l)) & 0x1ff);
		if (!l) {
			*e = pt ? pt_root(pt_table_walk_ctx(pt)) | 1 : 0;
			return;
		}
		if (!(*e & 1))
			*e = galloc(tb, nested) | 1;
		table = *e & ~0xfffull;
	}
}

static void guest_init(struct tb *tb, struct guest *g, bool nested,
		       unsigned int glx, unsigned int levels, uint32_t flags)
{
	uint64_t *dte = tb_dte(tb, DEV);
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->ref.tb = tb;
	g->ref.nested = nested;
	g->glx = glx;
	g->levels = levels;
	if (nested) {
		g->host = tb_pt(tb, PT_FMT_AMDV1, 0, 4, false, 0);
		/* Guest RAM, and the guest's output addresses. */
		tb_map(g->host, TB_GPA_BASE, tb_pa(tb->gram), TB_GRAM_SIZE, RW);
		tb_map(g->host, DATA_GPA, DATA_SPA, 1ull << 30, RW);
		g->ref.host_root = pt_root(pt_table_walk_ctx(g->host));
		g->ref.host_mode = 4;
	}
	g->gcr3_root = galloc(tb, nested);
	for (i = 0; i < 4; i++) {
		g->pasid[i] = glx ? (uint32_t)(i * 0x2345 + 1) &
					      ((1u << (9 * (glx + 1))) - 1)
				  : i * 100 + 1;
		if (g->pasid[i] >> 16)
			g->pasid[i] &= 0xffff;
		g->pt[i] = tb_pt(tb, PT_FMT_VTD_FS, levels == 5 ? 57 : 48, 0,
				 nested, flags);
		gcr3_set(tb, g, g->pasid[i], g->pt[i]);
	}
	tb_dte_host(dte, DOM, g->host);
	tb_dte_guest(dte, g->gcr3_root, glx, levels == 5);
}

/* Probes that translated and that faulted, so a run shows both. */
static unsigned int n_ok, n_fault;

static void probe(struct tb *tb, struct guest *g, unsigned int slot,
		  uint64_t va, unsigned int access)
{
	bool priv = access & AMDVI_PRIV;
	unsigned int perm = 0, want = access & ~AMDVI_PRIV;
	uint64_t oa = 0, ev[2];
	struct amdvi_xlate x;
	bool ok = ref_walk(&g->ref, g->gcr3_root, g->glx, g->levels,
			   g->pasid[slot], va, priv, &oa, &perm);
	int ret =
		amdvi_translate(tb->iommu, DEV, g->pasid[slot], va, access, &x);

	if (ok && !(want & ~perm)) {
		assert_int_equal(ret, 0);
		assert_true(x.oa == oa);
		tb_no_event(tb);
		n_ok++;
		return;
	}
	n_fault++;
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_IO_PAGE_FAULT);
	tb_one_event(tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
			 AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DEVID), DEV);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_DOMAIN_ID),
			 g->pasid[slot] & 0xffff);
	assert_true(amdvi_dget(ev, AMDVI_EVT_FLAGS) & AMDVI_EVF_GN);
	assert_int_equal(!!(amdvi_dget(ev, AMDVI_EVT_FLAGS) & AMDVI_EVF_US),
			 !priv);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == va);
}

static void run(bool nested, unsigned int glx, unsigned int levels)
{
	struct tb_rng rng = { tb_seed("guest", 0x600d + glx * 7 + levels +
						       nested * 100) };
	static const unsigned int lg2s[] = { 12, 21, 30 };
	uint64_t vas[4][16];
	unsigned int s, i, j;
	struct guest g;
	struct tb tb;

	n_ok = n_fault = 0;
	tb_init(&tb, NULL);
	guest_init(&tb, &g, nested, glx, levels, 0);
	for (s = 0; s < 4; s++) {
		for (i = 0; i < 16; i++) {
			unsigned int lg2 = lg2s[tb_below(&rng, 3)];
			uint64_t va =
				(tb_rand(&rng) &
				 ((1ull << (levels == 5 ? 56 : 47)) - 1)) &
				~((1ull << lg2) - 1);
			uint64_t oa =
				DATA_GPA + (tb_rand(&rng) & ((1ull << 30) - 1) &
					    ~((1ull << lg2) - 1));
			unsigned int prot = PT_PROT_READ;
			uint64_t done = 0;

			if (tb_below(&rng, 2))
				prot |= PT_PROT_WRITE;
			if (!tb_below(&rng, 3))
				prot |= PT_PROT_PRIV;
			if (!nested)
				oa += DATA_SPA - DATA_GPA;
			vas[s][i] = va;
			/* A collision with an earlier one: skipped. */
			pt_map(g.pt[s], va, oa, 1ull << lg2, prot, &done);
		}
	}
	for (s = 0; s < 4; s++) {
		for (i = 0; i < 16; i++) {
			for (j = 0; j < 3; j++) {
				uint64_t va =
					vas[s][i] +
					(j ? tb_below(&rng, 1ull << 22) & ~7ull
					   : 0);

				probe(&tb, &g, s, va, AMDVI_READ);
				probe(&tb, &g, s, va, AMDVI_WRITE);
				probe(&tb, &g, s, va, AMDVI_READ | AMDVI_PRIV);
				probe(&tb, &g, s, va, AMDVI_WRITE | AMDVI_PRIV);
			}
			/* Another PASID's translation is not this one's. */
			probe(&tb, &g, (s + 1) % 4, vas[s][i], AMDVI_READ);
		}
	}
	print_message("# %u translated, %u faulted\n", n_ok, n_fault);
	assert_true(n_ok > 100 && n_fault > 100);
	tb_fini(&tb);
}

static void test_guest_glx0(void **state)
{
	(void)state;
	run(false, 0, 4);
}

static void test_guest_glx1(void **state)
{
	(void)state;
	run(false, 1, 4);
}

static void test_guest_glx2(void **state)
{
	(void)state;
	run(false, 2, 4);
}

static void gats5(struct amdvi_config *cfg)
{
	cfg->gats_levels = 5;
}

static void test_guest_5lvl(void **state)
{
	struct tb tb;
	struct guest g;
	struct amdvi_xlate x;
	uint64_t ev[2];

	(void)state;
	/* GPM = 5 levels is illegal when EFR.GATS says 4. */
	tb_init(&tb, NULL);
	guest_init(&tb, &g, false, 0, 5, 0);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, g.pasid[0], 0x1000,
					 AMDVI_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
	tb_one_event(&tb, ev);
	tb_fini(&tb);
	tb_init(&tb, gats5);
	guest_init(&tb, &g, false, 1, 5, 0);
	tb_map(g.pt[0], 0xff000000000000ull, DATA_SPA, 0x1000, RW);
	probe(&tb, &g, 0, 0xff000000000123ull, AMDVI_WRITE);
	tb_fini(&tb);
}

static void test_nested_glx0(void **state)
{
	(void)state;
	run(true, 0, 4);
}

static void test_nested_glx2(void **state)
{
	(void)state;
	run(true, 2, 4);
}

/* GIoV: requests without PASID use PASID 0's guest table. */
static void test_giov(void **state)
{
	struct amdvi_xlate x;
	struct pt_table *pt0;
	struct guest g;
	struct tb tb;
	uint64_t *dte;

	(void)state;
	tb_init(&tb, NULL);
	guest_init(&tb, &g, true, 0, 4, 0);
	pt0 = tb_pt(&tb, PT_FMT_VTD_FS, 48, 0, true, 0);
	tb_map(pt0, 0x5000, DATA_GPA + 0x9000, 0x1000, RW);
	gcr3_set(&tb, &g, 0, pt0);
	dte = tb_dte(&tb, DEV);
	/* GIoV = 0: the host table translates (GPA 0x5000 is unmapped). */
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x5000,
					 AMDVI_READ, &x),
			 -EFAULT);
	tb_one_event(&tb, (uint64_t[2]){ 0 });
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID,
					 DATA_GPA + 0x10, AMDVI_READ, &x),
			 0);
	assert_true(x.oa == DATA_SPA + 0x10);
	amdvi_dset(dte, AMDVI_DTE_GIOV, 1);
	tb_inv_dte(&tb, DEV);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, AMDVI_NO_PASID, 0x5010,
					 AMDVI_WRITE, &x),
			 0);
	assert_true(x.oa == DATA_SPA + 0x9010);
	tb_no_event(&tb);
	tb_fini(&tb);
}

static uint64_t xl(struct tb *tb, uint32_t pasid, uint64_t va)
{
	struct amdvi_xlate x;

	assert_int_equal(
		amdvi_translate(tb->iommu, DEV, pasid, va, AMDVI_READ, &x), 0);
	return x.oa;
}

/* Guest table changes: stale until GN = 1 of the PASID. */
static void test_guest_stale(void **state)
{
	struct guest g;
	struct tb tb;
	uint64_t done;

	(void)state;
	tb_init(&tb, NULL);
	guest_init(&tb, &g, true, 1, 4, 0);
	tb_map(g.pt[0], VA, DATA_GPA, 0x1000, RW);
	tb_map(g.pt[1], VA, DATA_GPA + 0x1000, 0x1000, RW);
	assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA);
	assert_true(xl(&tb, g.pasid[1], VA) == DATA_SPA + 0x1000);
	assert_int_equal(
		pt_remap(g.pt[0], VA, 0x1000, DATA_GPA + 0x5000, &done), 0);
	/* Another PASID, another domain, a host-only flush of elsewhere. */
	tb_inv_pages(&tb, DOM, true, g.pasid[1], VA, 12);
	tb_inv_pages(&tb, DOM + 1, true, g.pasid[0], VA, 12);
	assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA);
	tb_inv_pages(&tb, DOM, true, g.pasid[0], VA, 12);
	assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA + 0x5000);
	/* A new guest CR3 for the PASID (GCR3 entry cached too). */
	{
		struct pt_table *n = tb_pt(&tb, PT_FMT_VTD_FS, 48, 0, true, 0);

		tb_map(n, VA, DATA_GPA + 0x7000, 0x1000, RW);
		gcr3_set(&tb, &g, g.pasid[0], n);
		tb_inv_pages(&tb, DOM, true, g.pasid[1], 0, 64);
		assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA + 0x5000);
		tb_inv_pages(&tb, DOM, true, g.pasid[0], 0, 64);
		assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA + 0x7000);
	}
	tb_no_event(&tb);
	tb_fini(&tb);
}

/* Host table changes reach nested translations through GN = 0. */
static void test_nested_host_stale(void **state)
{
	struct guest g;
	struct tb tb;
	uint64_t done;

	(void)state;
	tb_init(&tb, NULL);
	guest_init(&tb, &g, true, 0, 4, 0);
	tb_map(g.pt[0], VA, DATA_GPA + 0x3000, 0x1000, RW);
	assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA + 0x3000);
	/* The host moves the guest page. */
	assert_int_equal(pt_remap(g.host, DATA_GPA, 1ull << 30,
				  DATA_SPA + (1ull << 30), &done),
			 0);
	tb_inv_pages(&tb, DOM + 1, false, 0, DATA_GPA, 64);
	assert_true(xl(&tb, g.pasid[0], VA) == DATA_SPA + 0x3000);
	/* Any GN = 0 flush of the domain: the GPA range cannot select. */
	tb_inv_pages(&tb, DOM, false, 0, DATA_GPA + 0x3000, 12);
	assert_true(xl(&tb, g.pasid[0], VA) ==
		    DATA_SPA + (1ull << 30) + 0x3000);
	tb_no_event(&tb);
	tb_fini(&tb);
}

/* Guest structures the host does not map: faults, never host access. */
static void test_nested_unmapped(void **state)
{
	struct amdvi_xlate x;
	struct guest g;
	struct tb tb;
	uint64_t ev[2], *gcr3;

	(void)state;
	tb_init(&tb, NULL);
	guest_init(&tb, &g, true, 0, 4, 0);
	tb_map(g.pt[0], VA, DATA_GPA, 0x1000, RW);
	/* The GCR3 entry names a guest table at a GPA the host lacks. */
	gcr3 = tb_gpa_ptr(&tb, g.gcr3_root);
	gcr3[g.pasid[0]] = 0x7000000000ull | 1;
	tb_inv_all(&tb);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, g.pasid[0], VA,
					 AMDVI_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_IO_PAGE_FAULT);
	tb_one_event(&tb, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) == VA);
	/* Mapped by the host to nothing: a page table hardware error. */
	tb_map(g.host, 0x7000000000ull, 0x1000, 0x1000, RW);
	tb_inv_all(&tb);
	assert_int_equal(amdvi_translate(tb.iommu, DEV, g.pasid[0], VA,
					 AMDVI_READ, &x),
			 -EFAULT);
	assert_int_equal(x.event, AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR);
	tb_one_event(&tb, ev);
	assert_true(amdvi_dget(ev, AMDVI_EVT_ADDR) ==
		    0x1000 + 8 * ((VA >> 39) & 0x1ff));
	/* A PASID beyond the GCR3 table's one level. */
	assert_int_equal(amdvi_translate(tb.iommu, DEV, 512, VA, AMDVI_READ,
					 &x),
			 -EFAULT);
	tb_one_event(&tb, ev);
	assert_int_equal(amdvi_dget(ev, AMDVI_EVT_CODE),
			 AMDVI_EVT_IO_PAGE_FAULT);
	tb_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_glx0),
		cmocka_unit_test(test_guest_glx1),
		cmocka_unit_test(test_guest_glx2),
		cmocka_unit_test(test_guest_5lvl),
		cmocka_unit_test(test_nested_glx0),
		cmocka_unit_test(test_nested_glx2),
		cmocka_unit_test(test_giov),
		cmocka_unit_test(test_guest_stale),
		cmocka_unit_test(test_nested_host_stale),
		cmocka_unit_test(test_nested_unmapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
