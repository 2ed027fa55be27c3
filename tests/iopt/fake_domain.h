/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A recording domain for io_pagetable tests: it remembers, per page of
 * its granule inside a small window, the output address and permissions
 * mapped there, and can be told to fail its n-th map or remap call.
 */
#ifndef UIOMMUFD_TESTS_FAKE_DOMAIN_H
#define UIOMMUFD_TESTS_FAKE_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "iopt/domain.h"

#define FAKE_WINDOW_PAGES 8192

struct fake_domain {
	struct iopt_domain dom;
	uint64_t granule;
	uint64_t pa[FAKE_WINDOW_PAGES]; /* 0 = not mapped */
	unsigned int prot[FAKE_WINDOW_PAGES];
	unsigned int map_calls, fail_at; /* fail_at: 1-based, 0 never */
	unsigned int remap_calls, remap_fail_at;
	bool small_only_seen;
};

static int fake_map(struct iopt_domain *d, uint64_t iova, uint64_t paddr,
		    uint64_t len, unsigned int prot, bool small_only)
{
	struct fake_domain *f = (struct fake_domain *)d;
	uint64_t i;

	if (++f->map_calls == f->fail_at)
		return -ENOMEM;
	if (iova % f->granule || len % f->granule || paddr % f->granule)
		return -EINVAL;
	if ((iova + len) / f->granule > FAKE_WINDOW_PAGES)
		return -ERANGE;
	f->small_only_seen |= small_only;
	for (i = 0; i < len / f->granule; i++) {
		uint64_t idx = iova / f->granule + i;

		if (f->pa[idx])
			return -EEXIST;
		f->pa[idx] = paddr + i * f->granule;
		f->prot[idx] = prot;
	}
	return 0;
}

static uint64_t fake_unmap(struct iopt_domain *d, uint64_t iova, uint64_t len)
{
	struct fake_domain *f = (struct fake_domain *)d;
	uint64_t i, n = 0;

	for (i = 0; i < len / f->granule; i++) {
		uint64_t idx = iova / f->granule + i;

		if (idx < FAKE_WINDOW_PAGES && f->pa[idx]) {
			f->pa[idx] = 0;
			n += f->granule;
		}
	}
	return n;
}

/* All or nothing; every page must map old_paddr linearly. */
static int fake_remap(struct iopt_domain *d, uint64_t iova, uint64_t len,
		      uint64_t old_paddr, uint64_t new_paddr)
{
	struct fake_domain *f = (struct fake_domain *)d;
	uint64_t i;

	if (++f->remap_calls == f->remap_fail_at)
		return -ENOMEM;
	for (i = 0; i < len / f->granule; i++)
		if (f->pa[iova / f->granule + i] != old_paddr + i * f->granule)
			return -EINVAL;
	for (i = 0; i < len / f->granule; i++)
		f->pa[iova / f->granule + i] = new_paddr + i * f->granule;
	return 0;
}

static const struct iopt_domain_ops fake_ops = {
	.map = fake_map,
	.unmap = fake_unmap,
	.remap = fake_remap,
};

static inline struct fake_domain *fake_domain_new(uint64_t granule)
{
	struct fake_domain *f = calloc(1, sizeof(*f));

	f->dom.ops = &fake_ops;
	f->granule = granule;
	f->dom.pgsize_bitmap = granule | (2ull << 20);
	f->dom.aperture_start = 0;
	f->dom.aperture_last = granule * FAKE_WINDOW_PAGES - 1;
	return f;
}

static inline unsigned int fake_mapped_pages(const struct fake_domain *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_WINDOW_PAGES; i++)
		n += !!f->pa[i];
	return n;
}

#endif
