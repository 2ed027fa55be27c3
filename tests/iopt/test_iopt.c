// SPDX-License-Identifier: BSD-3-Clause
/*
 * The io_pagetable with domains: filling, pinning once, apertures,
 * alignment, failure unwinding, RLIMIT_MEMLOCK, a randomized comparison
 * against a brute-force model of the IOVA space, and a fail-nth sweep.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "iopt/io_pagetable.h"
#include "fake_domain.h"

#define PS 4096ull
#define NPAGES 256

static uint8_t *mem; /* NPAGES pages of ordinary memory */

static int setup(void **state)
{
	mem = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return mem == MAP_FAILED;
}

static int teardown(void **state)
{
	munmap(mem, NPAGES * PS);
	return 0;
}

static int map(struct io_pagetable *iopt, uint64_t iova, void *va, uint64_t len,
	       unsigned int prot)
{
	return iopt_map_user(iopt, iopt_account_user(), &iova, (uintptr_t)va,
			     len, prot, 0);
}

/* Every page of [iova, +len) maps to va in the fake domain. */
static void assert_mapped(struct fake_domain *f, uint64_t iova, void *va,
			  uint64_t len)
{
	for (uint64_t off = 0; off < len; off += f->granule)
		assert_int_equal(f->pa[(iova + off) / f->granule],
				 (uintptr_t)va + off);
}

static void test_fill_on_add_and_unfill(void **state)
{
	int64_t live = ufd_alloc_live();
	struct io_pagetable iopt;
	struct fake_domain *f = fake_domain_new(PS);
	uint64_t unmapped;

	iopt_init_table(&iopt);
	assert_int_equal(map(&iopt, 0x10000, mem, 4 * PS, IOPT_PROT_READ), 0);
	assert_int_equal(map(&iopt, 0x40000, mem + 8 * PS, 2 * PS,
			     IOPT_PROT_READ | IOPT_PROT_WRITE),
			 0);
	/* No domain: nothing pinned. */
	assert_int_equal(iopt_pin_count(&iopt, 0x10000), 0);
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	assert_mapped(f, 0x10000, mem, 4 * PS);
	assert_mapped(f, 0x40000, mem + 8 * PS, 2 * PS);
	assert_int_equal(f->prot[0x40000 / PS],
			 IOPT_PROT_READ | IOPT_PROT_WRITE);
	assert_int_equal(fake_mapped_pages(f), 6);
	assert_int_equal(iopt_pin_count(&iopt, 0x10000), 1);
	/* New maps go into the domain too; unmaps leave it. */
	assert_int_equal(map(&iopt, 0x80000, mem + 16 * PS, PS, IOPT_PROT_READ),
			 0);
	assert_mapped(f, 0x80000, mem + 16 * PS, PS);
	assert_int_equal(iopt_unmap(&iopt, 0x10000, 4 * PS, &unmapped), 0);
	assert_int_equal(fake_mapped_pages(f), 3);
	iopt_remove_domain(&iopt, &f->dom);
	assert_int_equal(fake_mapped_pages(f), 0);
	assert_int_equal(iopt_pin_count(&iopt, 0x40000), 0);
	iopt_destroy_table(&iopt);
	assert_int_equal(ufd_alloc_live(), live);
	free(f);
}

static void test_two_domains_pin_once(void **state)
{
	struct io_pagetable a, b;
	struct fake_domain *f1 = fake_domain_new(PS), *f2 = fake_domain_new(PS);
	struct iopt_pieces *pieces;
	uint64_t iova = 0x200000,
		 before = iopt_account_read(iopt_account_user());

	iopt_init_table(&a);
	iopt_init_table(&b);
	assert_int_equal(iopt_add_domain(&a, &f1->dom), 0);
	assert_int_equal(iopt_add_domain(&a, &f2->dom), 0);
	assert_int_equal(map(&a, 0x1000, mem, 8 * PS, IOPT_PROT_READ), 0);
	assert_mapped(f1, 0x1000, mem, 8 * PS);
	assert_mapped(f2, 0x1000, mem, 8 * PS);
	assert_int_equal(iopt_pin_count(&a, 0x1000), 1);
	assert_int_equal(iopt_account_read(iopt_account_user()) - before, 8);
	/* A copy into another IOAS with a domain shares the pages. */
	iopt_remove_domain(&a, &f2->dom);
	assert_int_equal(iopt_add_domain(&b, &f2->dom), 0);
	pieces = iopt_get_pieces(&a, 0x1000, 8 * PS);
	assert_false(IS_ERR(pieces));
	assert_int_equal(iopt_map_pieces(&b, pieces->piece, pieces->n, &iova,
					 IOPT_PROT_READ, 0),
			 0);
	iopt_put_pieces(pieces);
	assert_mapped(f2, 0x200000, mem, 8 * PS);
	assert_int_equal(iopt_pin_count(&a, 0x1000), 2);
	/* Still charged once: the pages are the same. */
	assert_int_equal(iopt_account_read(iopt_account_user()) - before, 8);
	iopt_remove_domain(&a, &f1->dom);
	iopt_remove_domain(&b, &f2->dom);
	assert_int_equal(iopt_account_read(iopt_account_user()), before);
	iopt_destroy_table(&a);
	iopt_destroy_table(&b);
	free(f1);
	free(f2);
}

static void test_aperture_and_alignment(void **state)
{
	struct io_pagetable iopt;
	struct fake_domain *f = fake_domain_new(PS / 2), *big;
	uint64_t iova, s[4], l[4], align;
	unsigned int n;

	iopt_init_table(&iopt);
	f->dom.aperture_start = 0x100000;
	f->dom.aperture_last = 0x1ffffff;
	assert_int_equal(map(&iopt, 0x1000, mem, PS, IOPT_PROT_READ), 0);
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), -EADDRINUSE);
	assert_int_equal(fake_mapped_pages(f), 0);
	assert_int_equal(iopt_unmap_all(&iopt, &iova), 0);
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	iopt_usable_ranges(&iopt, s, l, 4, &n, &align);
	assert_int_equal(n, 1);
	assert_int_equal(s[0], 0x100000);
	assert_int_equal(l[0], 0x1ffffff);
	assert_int_equal(align, PS / 2);
	/* Outside the aperture is reserved now. */
	assert_int_equal(map(&iopt, 0x1000, mem, PS, IOPT_PROT_READ), -EINVAL);
	/* Lengths must be multiples of the granule. */
	assert_int_equal(map(&iopt, 0x100000, mem, 100, IOPT_PROT_READ),
			 -EINVAL);
	assert_int_equal(
		map(&iopt, 0x100000, mem + PS / 2, PS / 2, IOPT_PROT_READ), 0);
	assert_mapped(f, 0x100000, mem + PS / 2, PS / 2);
	/* A domain whose pages are larger than the CPU page is refused. */
	big = fake_domain_new(4 * PS);
	assert_int_equal(iopt_add_domain(&iopt, &big->dom), -EINVAL);
	iopt_remove_domain(&iopt, &f->dom);
	iopt_usable_ranges(&iopt, s, l, 4, &n, &align);
	assert_int_equal(n, 1);
	assert_int_equal(s[0], 0);
	assert_int_equal(align, 1);
	iopt_destroy_table(&iopt);
	free(f);
	free(big);
}

static void test_fill_failure_unwinds(void **state)
{
	int64_t live = ufd_alloc_live();
	struct io_pagetable iopt;
	struct fake_domain *f = fake_domain_new(PS);
	uint64_t before = iopt_account_read(iopt_account_user());
	int i;

	iopt_init_table(&iopt);
	for (i = 0; i < 5; i++)
		assert_int_equal(map(&iopt, 0x10000 * (i + 1), mem + i * PS, PS,
				     IOPT_PROT_READ),
				 0);
	f->fail_at = 3;
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), -ENOMEM);
	assert_int_equal(fake_mapped_pages(f), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(iopt_pin_count(&iopt, 0x10000 * (i + 1)), 0);
	assert_int_equal(iopt_account_read(iopt_account_user()), before);
	/* And a map that fails in the domain leaves no area behind. */
	f->fail_at = 0;
	f->map_calls = 0;
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	f->fail_at = f->map_calls + 1;
	assert_int_equal(map(&iopt, 0x100000, mem, PS, IOPT_PROT_READ),
			 -ENOMEM);
	assert_int_equal(iopt_area_count(&iopt), 5);
	iopt_remove_domain(&iopt, &f->dom);
	iopt_destroy_table(&iopt);
	assert_int_equal(ufd_alloc_live(), live);
	free(f);
}

static void test_pinning_checks_memory(void **state)
{
	struct io_pagetable iopt;
	struct fake_domain *f = fake_domain_new(PS);
	uint8_t *ro = mmap(NULL, 2 * PS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	uint8_t *gone = mmap(NULL, PS, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(ro != MAP_FAILED && gone != MAP_FAILED);
	munmap(gone, PS);
	iopt_init_table(&iopt);
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	assert_int_equal(map(&iopt, 0x1000, gone, PS, IOPT_PROT_READ), -EFAULT);
	assert_int_equal(map(&iopt, 0x1000, ro, PS,
			     IOPT_PROT_READ | IOPT_PROT_WRITE),
			 -EFAULT);
	assert_int_equal(map(&iopt, 0x1000, ro, PS, IOPT_PROT_READ), 0);
	assert_int_equal(iopt_area_count(&iopt), 1);
	iopt_remove_domain(&iopt, &f->dom);
	iopt_destroy_table(&iopt);
	munmap(ro, 2 * PS);
	free(f);
}

/* RLIMIT_MEMLOCK is enforced per charge (in a child: it lowers limits). */
static void test_memlock_limit(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 16 * PS, 16 * PS };
		struct io_pagetable iopt;
		struct fake_domain *f = fake_domain_new(PS);
		uint64_t unmapped;
		int ok = 1;

		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		iopt_init_table(&iopt);
		ok &= iopt_add_domain(&iopt, &f->dom) == 0;
		ok &= map(&iopt, 0x10000, mem, 12 * PS, IOPT_PROT_READ) == 0;
		ok &= map(&iopt, 0x40000, mem + 12 * PS, 8 * PS,
			  IOPT_PROT_READ) == -ENOMEM;
		ok &= iopt_area_count(&iopt) == 1;
		/* A second MAP of the same memory is a second pin, as in Linux. */
		ok &= map(&iopt, 0x80000, mem, 12 * PS, IOPT_PROT_READ) ==
		      -ENOMEM;
		ok &= iopt_account_read(iopt_account_user()) == 12;
		ok &= iopt_unmap_all(&iopt, &unmapped) == 0;
		ok &= iopt_account_read(iopt_account_user()) == 0;
		ok &= map(&iopt, 0x40000, mem + 12 * PS, 8 * PS,
			  IOPT_PROT_READ) == 0;
		iopt_remove_domain(&iopt, &f->dom);
		iopt_destroy_table(&iopt);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * The model: for each page of a small IOVA window, which memory page (or
 * -1) it maps. Random fixed maps, unmaps and copies are
 * applied to the io_pagetable and the model; after each step the fake
 * domain's contents must equal the model exactly.
 */
#define MODEL_PAGES 512

static void model_check(struct fake_domain *f, const int *model)
{
	for (int p = 0; p < MODEL_PAGES; p++) {
		uint64_t want = model[p] < 0 ? 0
					     : (uintptr_t)(mem + model[p] * PS);

		if (f->pa[p] != want)
			fail_msg("page %d: domain %#llx model %#llx", p,
				 (unsigned long long)f->pa[p],
				 (unsigned long long)want);
	}
}

static void test_random_model(void **state)
{
	int64_t live = ufd_alloc_live();
	struct io_pagetable iopt;
	struct fake_domain *f = fake_domain_new(PS);
	int model[MODEL_PAGES], start_of[MODEL_PAGES], len_of[MODEL_PAGES];
	uint64_t seed = 0x5eed1234abcdull, unmapped;
	int step;

	printf("# seed %#llx\n", (unsigned long long)seed);
	iopt_init_table(&iopt);
	f->dom.aperture_last = MODEL_PAGES * PS - 1;
	assert_int_equal(iopt_add_domain(&iopt, &f->dom), 0);
	for (int p = 0; p < MODEL_PAGES; p++)
		model[p] = start_of[p] = len_of[p] = -1;

	for (step = 0; step < 20000; step++) {
		int op, p, n, mp, i, rc;
		bool free_range = true;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		op = (int)(seed >> 60) % 3;
		p = (int)((seed >> 20) % MODEL_PAGES);
		n = 1 + (int)((seed >> 40) % 16);
		mp = (int)((seed >> 8) % (NPAGES - 16));
		if (p + n > MODEL_PAGES)
			n = MODEL_PAGES - p;
		for (i = p; i < p + n; i++)
			free_range &= model[i] < 0;

		if (op == 0) {
			rc = map(&iopt, p * PS, mem + mp * PS, n * PS,
				 IOPT_PROT_READ);
			assert_int_equal(rc, free_range ? 0 : -EEXIST);
			if (!rc)
				for (i = 0; i < n; i++) {
					model[p + i] = mp + i;
					start_of[p + i] = p;
					len_of[p + i] = n;
				}
		} else if (op == 1) {
			bool any = false, cut = false;

			for (i = p; i < p + n; i++) {
				if (model[i] < 0)
					continue;
				any = true;
				cut |= start_of[i] < p ||
				       start_of[i] + len_of[i] > p + n;
			}
			rc = iopt_unmap(&iopt, p * PS, n * PS, &unmapped);
			if (!any) {
				assert_int_equal(rc, -ENOENT);
				continue;
			}
			/* Whole areas go, lowest first, until a cut one. */
			for (i = p; i < p + n; i++) {
				int s = start_of[i], l = len_of[i];

				if (model[i] < 0)
					continue;
				if (s < p || s + l > p + n)
					break;
				for (int j = s; j < s + l; j++)
					model[j] = start_of[j] = len_of[j] = -1;
			}
			assert_int_equal(rc, cut ? -ENOENT : 0);
		} else {
			/* Copy the area at p (if any) to a free spot. */
			int s = start_of[p], l = len_of[p], d;
			struct iopt_pieces *pieces;
			uint64_t iova;

			if (model[p] < 0)
				continue;
			d = (int)((seed >> 30) % (MODEL_PAGES - l));
			free_range = true;
			for (i = d; i < d + l; i++)
				free_range &= model[i] < 0;
			pieces = iopt_get_pieces(&iopt, s * PS, l * PS);
			assert_false(IS_ERR(pieces));
			iova = d * PS;
			rc = iopt_map_pieces(&iopt, pieces->piece, pieces->n,
					     &iova, IOPT_PROT_READ, 0);
			iopt_put_pieces(pieces);
			assert_int_equal(rc, free_range ? 0 : -EEXIST);
			if (!rc)
				for (i = 0; i < l; i++) {
					model[d + i] = model[s + i];
					start_of[d + i] = d;
					len_of[d + i] = l;
				}
		}
		model_check(f, model);
	}
	iopt_remove_domain(&iopt, &f->dom);
	iopt_destroy_table(&iopt);
	assert_int_equal(ufd_alloc_live(), live);
	free(f);
}

/*
 * Automatic IOVA placement against a brute-force scan. The rule (Linux's):
 * the IOVA is aligned to the length rounded up to a power of two, but never
 * more than the memory address's own alignment or 2 MiB; the lowest such
 * block that is free of areas and reserved ranges wins, searching only the
 * allowed ranges when there are some, and each hole from its own aligned
 * start. The scan below walks the window page by page.
 */
#define AUTO_PAGES 1024		 /* areas enough for a map three levels deep */
#define AUTO_BEYOND (1ull << 40) /* first free IOVA past the window */

struct auto_model {
	bool used[AUTO_PAGES];		    /* area or reserved */
	int area_len[AUTO_PAGES];	    /* > 0 where an area starts */
	uint64_t win_first[2], win_last[2]; /* pages, inclusive */
	unsigned int nwin;
};

static uint64_t auto_align(uint64_t addr, uint64_t len)
{
	uint64_t align = 1;

	while (align < len)
		align <<= 1;
	align = ufd_min(align, addr & -addr);
	return ufd_min(align, 2ull << 20);
}

/* The lowest IOVA the rule picks, or 0 for none in the window. */
static uint64_t auto_expect(const struct auto_model *m, uint64_t addr,
			    uint64_t len)
{
	uint64_t align = auto_align(addr, len);

	for (unsigned int w = 0; w < m->nwin; w++) {
		uint64_t p = m->win_first[w], wl = m->win_last[w];

		/* The window's own start, aligned first. */
		p = (p * PS + align - 1) / align * align / PS;
		while (p <= wl) {
			uint64_t run = p, s;

			if (m->used[p]) {
				p++;
				continue;
			}
			while (run + 1 <= wl && !m->used[run + 1])
				run++;
			s = (p * PS + align - 1) / align * align;
			if (s + len - 1 <= run * PS + PS - 1)
				return s;
			p = run + 1;
		}
	}
	return 0;
}

static void test_auto_iova_model(void **state)
{
	uint64_t seed = 0xa11ce5eedull, unmapped;
	int64_t live = ufd_alloc_live();

	for (int mode = 0; mode < 2; mode++) {
		struct auto_model m = { 0 };
		struct io_pagetable iopt;
		static const int owner;

		iopt_init_table(&iopt);
		if (mode == 0) {
			/*
			 * The whole space, with reserved ranges in the window
			 * and everything from its end to AUTO_BEYOND reserved.
			 */
			m.nwin = 1;
			m.win_first[0] = 1; /* page 0 is never chosen */
			m.win_last[0] = AUTO_PAGES - 1;
			assert_int_equal(iopt_reserve(&iopt, AUTO_PAGES * PS,
						      AUTO_BEYOND - 1, &owner),
					 0);
			for (int r = 0; r < 4; r++) {
				int p = 1 + (int)((seed >> (8 * r)) %
						  (AUTO_PAGES - 4));

				assert_int_equal(iopt_reserve(&iopt, p * PS,
							      p * PS + PS - 1,
							      &owner),
						 0);
				m.used[p] = true;
			}
		} else {
			/* Two allowed windows with a gap between them. */
			uint64_t st[2] = { 8 * PS, (AUTO_PAGES / 2 + 8) * PS };
			uint64_t la[2] = { AUTO_PAGES / 2 * PS - 1,
					   AUTO_PAGES * PS - 1 };

			m.nwin = 2;
			m.win_first[0] = 8;
			m.win_last[0] = AUTO_PAGES / 2 - 1;
			m.win_first[1] = AUTO_PAGES / 2 + 8;
			m.win_last[1] = AUTO_PAGES - 1;
			assert_int_equal(iopt_set_allowed(&iopt, st, la, 2), 0);
		}
		for (int step = 0; step < 4000; step++) {
			int op, p, n, k;
			uint64_t addr, iova, want;
			int rc;

			seed = seed * 6364136223846793005ull +
			       1442695040888963407ull;
			op = (int)(seed >> 60) % 4;
			p = (int)((seed >> 20) % AUTO_PAGES);
			n = 1 + (int)((seed >> 40) % 8);
			k = (int)((seed >> 8) % 32);
			addr = (uintptr_t)mem + k * PS;
			if (op == 0) {
				/* A fixed map makes holes of odd shapes. */
				bool free_range = p + n <= AUTO_PAGES && p;

				for (int i = p; free_range && i < p + n; i++)
					free_range = !m.used[i];
				if (!free_range)
					continue;
				assert_int_equal(map(&iopt, p * PS, mem, n * PS,
						     IOPT_PROT_READ),
						 0);
				for (int i = p; i < p + n; i++)
					m.used[i] = true;
				m.area_len[p] = n;
			} else if (op == 1) {
				/* The first area at or after p goes. */
				while (p < AUTO_PAGES && !m.area_len[p])
					p++;
				if (p == AUTO_PAGES)
					continue;
				assert_int_equal(iopt_unmap(&iopt, p * PS,
							    m.area_len[p] * PS,
							    &unmapped),
						 0);
				for (int i = p; i < p + m.area_len[p]; i++)
					m.used[i] = false;
				m.area_len[p] = 0;
			} else {
				want = auto_expect(&m, addr, n * PS);
				if (!want && mode == 0)
					want = AUTO_BEYOND;
				rc = iopt_map_user(&iopt, iopt_account_user(),
						   &iova, addr, n * PS,
						   IOPT_PROT_READ,
						   IOPT_ALLOC_IOVA);
				if (!want) {
					assert_int_equal(rc, -ENOSPC);
					continue;
				}
				assert_int_equal(rc, 0);
				if (iova != want)
					fail_msg("step %d: %d pages at %#llx: "
						 "iova %#llx, want %#llx",
						 step, n,
						 (unsigned long long)addr,
						 (unsigned long long)iova,
						 (unsigned long long)want);
				if (iova == AUTO_BEYOND) {
					assert_int_equal(iopt_unmap(&iopt, iova,
								    n * PS,
								    &unmapped),
							 0);
					continue;
				}
				for (int i = 0; i < n; i++)
					m.used[iova / PS + i] = true;
				m.area_len[iova / PS] = n;
			}
		}
		assert_int_equal(iopt_unmap_all(&iopt, &unmapped), 0);
		iopt_destroy_table(&iopt);
	}
	assert_int_equal(ufd_alloc_live(), live);
}

/* Every allocation and pin in map/add/copy fails once; nothing leaks. */
static void test_fail_nth_sweep(void **state)
{
	int64_t live = ufd_alloc_live();
	unsigned int n;

	for (n = 1; n < 500; n++) {
		struct io_pagetable a, b;
		struct fake_domain *f = fake_domain_new(PS);
		struct iopt_pieces *pieces;
		uint64_t iova = 0x100000, unmapped;
		bool fired;

		iopt_init_table(&a);
		iopt_init_table(&b);
		unsigned int want = 0;

		ufd_fail_nth_set(n);
		if (!map(&a, 0x1000, mem, 4 * PS, IOPT_PROT_READ))
			want += 4;
		if (iopt_add_domain(&a, &f->dom) == 0) {
			if (!map(&a, 0x10000, mem + 8 * PS, 2 * PS,
				 IOPT_PROT_READ))
				want += 2;
			pieces = iopt_get_pieces(&a, 0x1000, 4 * PS);
			if (!IS_ERR(pieces)) {
				(void)iopt_map_pieces(&b, pieces->piece,
						      pieces->n, &iova,
						      IOPT_PROT_READ,
						      IOPT_ALLOC_IOVA);
				iopt_put_pieces(pieces);
			}
			/* The domain holds exactly what was mapped. */
			assert_int_equal(fake_mapped_pages(f), want);
			iopt_remove_domain(&a, &f->dom);
		}
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		assert_int_equal(fake_mapped_pages(f), 0);
		iopt_unmap_all(&a, &unmapped);
		iopt_destroy_table(&a);
		iopt_destroy_table(&b);
		free(f);
		assert_int_equal(ufd_alloc_live(), live);
		if (!fired)
			break;
	}
	printf("# swept %u fail points\n", n - 1);
	assert_true(n > 5 && n < 500);
}

/* An access that records notifications and unpins when told (or not). */
struct test_access {
	struct iopt_access acc;
	struct io_pagetable *iopt;
	uint64_t pinned_iova, pinned_len;
	unsigned int notified;
	bool stubborn;
};

static void test_access_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct test_access *t = data;

	t->notified++;
	if (t->stubborn || !t->pinned_len)
		return;
	if (t->pinned_iova + t->pinned_len - 1 < iova ||
	    t->pinned_iova > iova + length - 1)
		return;
	iopt_access_unpin(t->iopt, t->pinned_iova, t->pinned_len, 0);
	t->pinned_len = 0;
}

static const struct iopt_access_ops test_access_ops = {
	.unmap = test_access_unmap,
};

static void test_access(void **state)
{
	int64_t live = ufd_alloc_live();
	struct io_pagetable iopt;
	struct test_access t = { .iopt = &iopt };
	uintptr_t pages[4];
	uint8_t data[64];
	uint64_t unmapped;

	t.acc = (struct iopt_access){ &test_access_ops, &t, PS, NULL };
	iopt_init_table(&iopt);
	assert_int_equal(map(&iopt, 0x10000, mem + PS / 2, PS, IOPT_PROT_READ),
			 0);
	/* Attaching needs every area page aligned. */
	assert_int_equal(iopt_add_access(&iopt, &t.acc), -EADDRINUSE);
	assert_int_equal(iopt_unmap_all(&iopt, &unmapped), 0);
	assert_int_equal(iopt_add_access(&iopt, &t.acc), 0);
	assert_int_equal(map(&iopt, 0x10000, mem, 2 * PS, IOPT_PROT_READ), 0);
	assert_int_equal(map(&iopt, 0x12000, mem + 4 * PS, 2 * PS,
			     IOPT_PROT_READ | IOPT_PROT_WRITE),
			 0);

	/* Pin across two areas: host addresses page by page. */
	assert_int_equal(iopt_access_pin(&iopt, 0x11000, 2 * PS, pages, false),
			 0);
	assert_ptr_equal((void *)pages[0], mem + PS);
	assert_ptr_equal((void *)pages[1], mem + 4 * PS);
	assert_int_equal(iopt_pin_count(&iopt, 0x11000), 1);
	assert_int_equal(iopt_access_pin(&iopt, 0x11000, PS, pages, true),
			 -EPERM);
	assert_int_equal(iopt_access_pin(&iopt, 0x13000, 2 * PS, pages, false),
			 -ENOENT);
	assert_int_equal(iopt_access_pin(&iopt, 0x11001, PS, pages, false),
			 -EINVAL);
	t.pinned_iova = 0x11000;
	t.pinned_len = 2 * PS;

	/* Read and write by IOVA at any byte offset. */
	memset(mem + 4 * PS, 0x11, 64);
	assert_int_equal(iopt_access_rw(&iopt, 0x12000 - 8, data, 16, 0), 0);
	assert_int_equal(data[8], 0x11);
	memset(data, 0x77, sizeof(data));
	assert_int_equal(iopt_access_rw(&iopt, 0x12010, data, 8,
					IOPT_ACCESS_RW_WRITE),
			 0);
	assert_int_equal(mem[4 * PS + 0x10], 0x77);
	assert_int_equal(iopt_access_rw(&iopt, 0x10000, data, 8,
					IOPT_ACCESS_RW_WRITE),
			 -EPERM);
	assert_int_equal(iopt_access_rw(&iopt, 0x13ff0, data, 32, 0), -ENOENT);

	/* Unmapping a pinned area tells the access, which lets go. */
	assert_int_equal(iopt_unmap(&iopt, 0x10000, 2 * PS, &unmapped), 0);
	assert_true(t.notified >= 1);
	assert_int_equal(t.pinned_len, 0);
	assert_int_equal(iopt_pin_count(&iopt, 0x12000), 0);

	/* One that never lets go makes the unmap fail, as in Linux. */
	assert_int_equal(iopt_access_pin(&iopt, 0x12000, PS, pages, false), 0);
	t.stubborn = true;
	t.notified = 0;
	assert_int_equal(iopt_unmap(&iopt, 0x12000, 2 * PS, &unmapped),
			 -EDEADLOCK);
	assert_int_equal(t.notified, 101);
	/* The area is still there but closed to new access. */
	assert_int_equal(iopt_access_rw(&iopt, 0x12000, data, 8, 0), -EINVAL);
	iopt_access_unpin(&iopt, 0x12000, PS, 0);
	assert_int_equal(iopt_unmap(&iopt, 0x12000, 2 * PS, &unmapped), 0);
	iopt_remove_access(&iopt, &t.acc);
	iopt_destroy_table(&iopt);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_on_add_and_unfill),
		cmocka_unit_test(test_two_domains_pin_once),
		cmocka_unit_test(test_aperture_and_alignment),
		cmocka_unit_test(test_fill_failure_unwinds),
		cmocka_unit_test(test_pinning_checks_memory),
		cmocka_unit_test(test_memlock_limit),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_auto_iova_model),
		cmocka_unit_test(test_fail_nth_sweep),
		cmocka_unit_test(test_access),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
