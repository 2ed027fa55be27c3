// SPDX-License-Identifier: BSD-3-Clause
/*
 * Stage-1 page tables a guest writes into its own RAM: src/pt's ARM stage-1
 * format with table memory from guest RAM, so every table address and
 * every output address in a descriptor is a GPA -- what the SMMU walks
 * through stage 2 when it nests, or as physical addresses when the guest
 * owns an emulated SMMU.
 *
 * Unmapped tables are not freed at once: until the guest's TLB
 * invalidation completes, the SMMU may still walk them. They wait in a
 * gather list for guest_s1_reclaim().
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/err.h"
#include "guest/guest.h"

struct guest_s1 {
	struct pt_table *pt;
	/* Tables detached by unmaps, freed by guest_s1_reclaim(). Atomic. */
	struct pt_gather gather;
};

struct guest_s1 *guest_s1_alloc(struct guest_ram *ram, unsigned int granule_lg2,
				unsigned int ias, uint32_t pt_flags)
{
	struct pt_cfg cfg = {
		.fmt = PT_FMT_ARM_S1,
		.granule_lg2 = granule_lg2,
		.ias = ias,
		/* GPAs, whatever the host's address width. */
		.oas = 48,
		.flags = pt_flags,
		.mem = &guest_ram_pt_ops,
		.mem_priv = ram,
	};
	struct guest_s1 *s1;
	struct pt_table *pt;

	if (granule_lg2 != 12 && granule_lg2 != 14 && granule_lg2 != 16)
		return ERR_PTR(-EINVAL);
	if (ias < 25 || ias > 48)
		return ERR_PTR(-EINVAL);
	s1 = ufd_zalloc(sizeof(*s1));
	if (!s1)
		return ERR_PTR(-ENOMEM);
	pt = pt_alloc(&cfg);
	if (IS_ERR(pt))
		goto out_free_s1;
	s1->pt = pt;
	return s1;

out_free_s1:
	ufd_free(s1);
	return ERR_CAST(pt);
}

void guest_s1_free(struct guest_s1 *s1)
{
	if (!s1)
		return;
	pt_gather_free(s1->pt, &s1->gather);
	pt_free(s1->pt);
	ufd_free(s1);
}

int guest_s1_map(struct guest_s1 *s1, uint64_t iova, uint64_t gpa,
		 uint64_t size, unsigned int prot)
{
	uint64_t mapped = 0, unmapped;
	int ret;

	ret = pt_map(s1->pt, iova, gpa, size, prot, &mapped);
	/* All or nothing: take back what was laid before the failure. */
	if (ret && mapped)
		pt_unmap(s1->pt, iova, mapped, PT_UNMAP_SPLIT, &s1->gather,
			 &unmapped);
	return ret;
}

int guest_s1_unmap(struct guest_s1 *s1, uint64_t iova, uint64_t size)
{
	uint64_t unmapped = 0;

	return pt_unmap(s1->pt, iova, size, PT_UNMAP_SPLIT | PT_UNMAP_HOLES,
			&s1->gather, &unmapped);
}

void guest_s1_reclaim(struct guest_s1 *s1)
{
	pt_gather_free(s1->pt, &s1->gather);
}

uint64_t guest_s1_root(const struct guest_s1 *s1)
{
	return pt_root(pt_table_walk_ctx(s1->pt));
}

unsigned int guest_s1_granule_lg2(const struct guest_s1 *s1)
{
	return pt_table_walk_ctx(s1->pt)->granule_lg2;
}

unsigned int guest_s1_ias(const struct guest_s1 *s1)
{
	return pt_table_walk_ctx(s1->pt)->ias;
}

int guest_s1_iova_to_gpa(struct guest_s1 *s1, uint64_t iova, uint64_t *gpa)
{
	return pt_iova_to_phys(s1->pt, iova, gpa);
}

struct pt_table *guest_s1_table(struct guest_s1 *s1)
{
	return s1->pt;
}
