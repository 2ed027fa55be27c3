// SPDX-License-Identifier: BSD-3-Clause
/*
 * src/guest on its own, without a hardware model: guest RAM and its
 * allocator against a reference bitmap, every encoder read back field by
 * field with smmuv3_hw.h's accessors, the event decoder on hand-made
 * records, and the command-queue producer against a fake consumer behind
 * struct guest_mmio (wrap, full ring, command errors, a queue that never
 * moves, and the TLBI range split checked against the exact range).
 */
#include <string.h>
#include <sys/mman.h>

#include "base/err.h"
#include "guest_tb.h"
#include "uiommufd/uapi/iommufd.h"

#define RAM_GPA 0x80000000ull
#define RAM_SIZE (8ull << 20)

struct uram {
	struct guest_ram *ram;
	uint8_t *mem;
};

static void uram_init(struct uram *u)
{
	u->mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(u->mem != MAP_FAILED);
	u->ram = guest_ram_create();
	assert_non_null(u->ram);
	assert_int_equal(guest_ram_add(u->ram, RAM_GPA, u->mem, RAM_SIZE, true),
			 0);
}

static void uram_fini(struct uram *u)
{
	guest_ram_destroy(u->ram);
	munmap(u->mem, RAM_SIZE);
}

/* --- guest RAM --- */

static void test_ram_regions(void **state)
{
	struct guest_ram *ram = guest_ram_create();
	static uint8_t mem[16][4096] __attribute__((aligned(4096)));
	uint64_t gpa;
	unsigned int i;

	assert_non_null(ram);
	assert_int_equal(guest_ram_add(ram, 0x1000, mem[0], 0, false), -EINVAL);
	assert_int_equal(guest_ram_add(ram, 0x1800, mem[0], 4096, false),
			 -EINVAL);
	assert_int_equal(guest_ram_add(ram, 0x1000, mem[0] + 8, 4096, false),
			 -EINVAL);
	assert_int_equal(guest_ram_add(ram, ~0xfffull, mem[0], 8192, false),
			 -EOVERFLOW);
	/* The last page of the address space is a fine region. */
	assert_int_equal(guest_ram_add(ram, ~0xfffull, mem[0], 4096, false), 0);
	assert_int_equal(guest_ram_add(ram, 0x10000, mem[1], 8192, false), 0);
	assert_int_equal(guest_ram_add(ram, 0x11000, mem[3], 4096, false),
			 -EEXIST);
	assert_int_equal(guest_ram_add(ram, 0xf000, mem[3], 8192, false),
			 -EEXIST);
	for (i = 0; i < GUEST_RAM_MAX_REGIONS - 2; i++)
		assert_int_equal(guest_ram_add(ram, 0x100000 + 0x10000ull * i,
					       mem[4 + i], 4096, false),
				 0);
	assert_int_equal(guest_ram_add(ram, 0x900000, mem[15], 4096, false),
			 -ENOSPC);

	assert_ptr_equal(guest_ram_ptr(ram, 0x10000, 8192), mem[1]);
	assert_ptr_equal(guest_ram_ptr(ram, 0x11ff8, 8), mem[1] + 8184);
	assert_null(guest_ram_ptr(ram, 0x11ff8, 9));
	assert_null(guest_ram_ptr(ram, 0xfff8, 8));
	assert_null(guest_ram_ptr(ram, 0x12000, 1));
	assert_ptr_equal(guest_ram_ptr(ram, U64_MAX, 1), mem[0] + 4095);
	assert_int_equal(guest_ram_gpa(ram, mem[1] + 4100, &gpa), 0);
	assert_true(gpa == 0x11004);
	assert_int_equal(guest_ram_gpa(ram, mem[3], &gpa), -ENOENT);
	/* No allocatable region: nothing to hand out. */
	assert_null(guest_ram_alloc(ram, 4096, 4096, &gpa));
	assert_true(guest_ram_free_bytes(ram) == 0);
	guest_ram_destroy(ram);
}

static void test_ram_alloc(void **state)
{
	struct uram u;
	uint64_t a, b, c, d;
	uint8_t *p;

	uram_init(&u);
	assert_true(guest_ram_free_bytes(u.ram) == RAM_SIZE);
	p = guest_ram_alloc(u.ram, 100, 64, &a);
	assert_non_null(p);
	assert_true(a == RAM_GPA);
	assert_ptr_equal(p, u.mem);
	memset(p, 0xab, 4096);
	/* Whole pages: the next allocation starts a page later. */
	assert_non_null(guest_ram_alloc(u.ram, 4096, 0, &b));
	assert_true(b == RAM_GPA + 4096);
	/* Alignment is of the GPA, skipping the used pages. */
	assert_non_null(guest_ram_alloc(u.ram, 65536, 1ull << 20, &c));
	assert_true(c == RAM_GPA + (1ull << 20));
	assert_true(guest_ram_free_bytes(u.ram) == RAM_SIZE - 2 * 4096 - 65536);
	/* Freed pages come back zeroed to the next first fit. */
	guest_ram_free(u.ram, a, 100);
	p = guest_ram_alloc(u.ram, 4096, 4096, &d);
	assert_true(d == a);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[4095], 0);
	/* Bad arguments and exhaustion. */
	assert_null(guest_ram_alloc(u.ram, 0, 4096, &d));
	assert_null(guest_ram_alloc(u.ram, 4096, 3 << 12, &d));
	assert_null(guest_ram_alloc(u.ram, RAM_SIZE, 4096, &d));
	assert_null(guest_ram_alloc(u.ram, U64_MAX, 4096, &d));
	assert_null(guest_ram_alloc(u.ram, 4096, 1ull << 40, &d));
	uram_fini(&u);
}

/* Random allocations and frees against a reference page map. */
static void test_ram_random(void **state)
{
	enum { NPAGES = RAM_SIZE >> 12, NLIVE = 64 };
	struct {
		uint64_t gpa, size;
	} live[NLIVE] = { { 0 } };
	static uint8_t used[NPAGES];
	struct gtb_rng rng = { gtb_seed("ram_random", 0x5eed0001) };
	struct uram u;
	uint64_t size, align, gpa, i, j, pages, inuse = 0;

	uram_init(&u);
	memset(used, 0, sizeof(used));
	for (i = 0; i < 4000; i++) {
		j = gtb_below(&rng, NLIVE);
		if (live[j].size) {
			pages = (live[j].size + 4095) >> 12;
			guest_ram_free(u.ram, live[j].gpa, live[j].size);
			memset(&used[(live[j].gpa - RAM_GPA) >> 12], 0, pages);
			inuse -= pages;
			live[j].size = 0;
			continue;
		}
		size = 1 + gtb_below(&rng, 64 << 10);
		align = 1ull << gtb_below(&rng, 19);
		if (!guest_ram_alloc(u.ram, size, align, &gpa))
			continue;
		pages = (size + 4095) >> 12;
		assert_true(gpa % ufd_max(align, 4096ull) == 0);
		assert_true(gpa >= RAM_GPA && gpa + size <= RAM_GPA + RAM_SIZE);
		for (uint64_t k = 0; k < pages; k++) {
			assert_int_equal(used[((gpa - RAM_GPA) >> 12) + k], 0);
			used[((gpa - RAM_GPA) >> 12) + k] = 1;
		}
		inuse += pages;
		live[j].gpa = gpa;
		live[j].size = size;
		assert_true(guest_ram_free_bytes(u.ram) ==
			    RAM_SIZE - (inuse << 12));
	}
	for (j = 0; j < NLIVE; j++)
		if (live[j].size)
			guest_ram_free(u.ram, live[j].gpa, live[j].size);
	assert_true(guest_ram_free_bytes(u.ram) == RAM_SIZE);
	uram_fini(&u);
}

static void test_s1_tables(void **state)
{
	static const unsigned int gs[] = { 12, 14, 16 };
	uint64_t gpa, before;
	struct guest_s1 *s1;
	struct uram u;
	unsigned int i;

	uram_init(&u);
	assert_true(IS_ERR(guest_s1_alloc(u.ram, 13, 48, 0)));
	assert_true(IS_ERR(guest_s1_alloc(u.ram, 12, 24, 0)));
	assert_true(IS_ERR(guest_s1_alloc(u.ram, 12, 49, 0)));
	before = guest_ram_free_bytes(u.ram);
	for (i = 0; i < ARRAY_SIZE(gs); i++) {
		uint64_t g = 1ull << gs[i];

		s1 = guest_s1_alloc(u.ram, gs[i], 40, 0);
		assert_false(IS_ERR(s1));
		assert_int_equal(guest_s1_granule_lg2(s1), gs[i]);
		assert_int_equal(guest_s1_ias(s1), 40);
		/* The root is guest RAM, and so is every table below it. */
		assert_non_null(guest_ram_ptr(u.ram, guest_s1_root(s1), g));
		assert_int_equal(guest_s1_map(s1, 0x10000000, 0x7000000000ull,
					      4 * g, PT_PROT_READ),
				 0);
		assert_int_equal(
			guest_s1_iova_to_gpa(s1, 0x10000000 + g + 5, &gpa), 0);
		assert_true(gpa == 0x7000000000ull + g + 5);
		/* All or nothing: an overlap leaves nothing behind. */
		assert_int_equal(guest_s1_map(s1, 0x10000000 - 2 * g, 0, 4 * g,
					      PT_PROT_READ),
				 -EADDRINUSE);
		assert_int_equal(guest_s1_iova_to_gpa(s1, 0x10000000 - g, &gpa),
				 -ENOENT);
		assert_int_equal(guest_s1_map(s1, 1ull << 40, 0, g,
					      PT_PROT_READ),
				 -ERANGE);
		/* Unmap splits and passes over holes. */
		assert_int_equal(guest_s1_unmap(s1, 0x10000000 + g, 8 * g), 0);
		assert_int_equal(guest_s1_iova_to_gpa(s1, 0x10000000 + g, &gpa),
				 -ENOENT);
		assert_int_equal(guest_s1_iova_to_gpa(s1, 0x10000000, &gpa), 0);
		guest_s1_reclaim(s1);
		guest_s1_free(s1);
		assert_true(guest_ram_free_bytes(u.ram) == before);
	}
	uram_fini(&u);
}

/* --- context descriptors and STEs --- */

static void test_cd_encode(void **state)
{
	static const struct {
		unsigned int lg2, tg0, tg1;
	} tg[] = { { 12, SMMU_TG0_4K, SMMU_TG1_4K },
		   { 14, SMMU_TG0_16K, SMMU_TG1_16K },
		   { 16, SMMU_TG0_64K, SMMU_TG1_64K },
		   { 13, 3, 0 } };
	uint64_t w[SMMU_CD_DWORDS];
	struct guest_cd cd;
	struct guest_s1 *s1;
	struct uram u;
	unsigned int i;

	uram_init(&u);
	s1 = guest_s1_alloc(u.ram, 16, 42, 0);
	assert_false(IS_ERR(s1));
	guest_cd_init(&cd, s1, 0xbeef);
	guest_cd_encode(&cd, w);
	assert_int_equal(smmu_dget(w, SMMU_CD_V), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_AA64), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_T0SZ), 64 - 42);
	assert_int_equal(smmu_dget(w, SMMU_CD_TG0), SMMU_TG0_64K);
	assert_int_equal(smmu_dget(w, SMMU_CD_EPD0), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_EPD1), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_IPS), SMMU_PS_48);
	assert_int_equal(smmu_dget(w, SMMU_CD_IR0), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_OR0), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_SH0), 3);
	assert_int_equal(smmu_dget(w, SMMU_CD_R), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_A), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_S), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_ASID), 0xbeef);
	assert_true(smmu_dget(w, SMMU_CD_TTB0) << 4 == guest_s1_root(s1));
	assert_true(smmu_dget(w, SMMU_CD_MAIR0) == 0x0004ff44);
	assert_true(smmu_dget(w, SMMU_CD_MAIR1) == 0);
	assert_true(w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0);

	cd.mair = 0x1122334455667788ull;
	cd.ttb1 = 0x123456789000ull;
	cd.valid = cd.aa64 = cd.r = cd.a = false;
	cd.s = cd.ha = cd.hd = cd.tbi0 = cd.pan = cd.wxn = cd.affd = true;
	cd.epd0 = true;
	cd.ips = SMMU_PS_40;
	guest_cd_encode(&cd, w);
	assert_true(smmu_dget(w, SMMU_CD_MAIR0) == 0x55667788);
	assert_true(smmu_dget(w, SMMU_CD_MAIR1) == 0x11223344);
	assert_true(smmu_dget(w, SMMU_CD_TTB1) << 4 == 0x123456789000ull);
	assert_int_equal(smmu_dget(w, SMMU_CD_V), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_AA64), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_R), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_A), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_S), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_HA), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_HD), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_TBI0), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_TBI1), 0);
	assert_int_equal(smmu_dget(w, SMMU_CD_PAN), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_WXN), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_AFFD), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_EPD0), 1);
	assert_int_equal(smmu_dget(w, SMMU_CD_IPS), SMMU_PS_40);
	for (i = 0; i < ARRAY_SIZE(tg); i++) {
		cd.tg0_lg2 = cd.tg1_lg2 = tg[i].lg2;
		guest_cd_encode(&cd, w);
		assert_int_equal(smmu_dget(w, SMMU_CD_TG0), tg[i].tg0);
		assert_int_equal(smmu_dget(w, SMMU_CD_TG1), tg[i].tg1);
	}
	guest_s1_free(s1);
	uram_fini(&u);
}

/* The slot the SMMU reads for @ssid (5.2 S1Fmt, 5.3), walked by hand. */
static uint64_t *cd_by_hand(struct uram *u, struct guest_cdtab *tab,
			    uint32_t ssid)
{
	unsigned int fmt = guest_cdtab_s1fmt(tab);
	unsigned int split = fmt == SMMU_S1FMT_4K_L2 ? 6 : 10;
	uint64_t *l1 = guest_ram_ptr(u->ram, guest_cdtab_gpa(tab), 8);
	uint64_t l1d, l2;

	if (fmt == SMMU_S1FMT_LINEAR)
		return guest_ram_ptr(u->ram,
				     guest_cdtab_gpa(tab) + 64ull * ssid, 64);
	l1d = l1[ssid >> split];
	assert_int_equal(smmu_dget(&l1d, SMMU_L1CD_V), 1);
	l2 = smmu_dget(&l1d, SMMU_L1CD_L2PTR) << 12;
	assert_true(l2 % (64ull << split) == 0);
	return guest_ram_ptr(u->ram, l2 + 64ull * (ssid & ((1u << split) - 1)),
			     64);
}

static void test_cd_tables(void **state)
{
	static const struct {
		unsigned int cdmax, fmt;
		uint64_t l1_size;
	} cases[] = {
		{ 0, SMMU_S1FMT_LINEAR, 64 },
		{ 0, SMMU_S1FMT_4K_L2, 64 },
		{ 5, SMMU_S1FMT_LINEAR, 64 << 5 },
		{ 4, SMMU_S1FMT_4K_L2, 8 },
		{ 12, SMMU_S1FMT_4K_L2, 8 << 6 },
		{ 12, SMMU_S1FMT_64K_L2, 8 << 2 },
		{ 20, SMMU_S1FMT_64K_L2, 8 << 10 },
	};
	uint64_t before, w[SMMU_CD_DWORDS];
	struct guest_cdtab *tab;
	struct guest_cd cd;
	struct guest_s1 *s1;
	struct uram u;
	unsigned int i, k;

	uram_init(&u);
	assert_true(IS_ERR(guest_cdtab_alloc(u.ram, 21, SMMU_S1FMT_LINEAR)));
	assert_true(IS_ERR(guest_cdtab_alloc(u.ram, 4, 3)));
	s1 = guest_s1_alloc(u.ram, 12, 48, 0);
	assert_false(IS_ERR(s1));
	before = guest_ram_free_bytes(u.ram);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t last = (1u << cases[i].cdmax) - 1;
		uint32_t ssids[] = { 0, last, last / 2, 1 };

		tab = guest_cdtab_alloc(u.ram, cases[i].cdmax, cases[i].fmt);
		assert_false(IS_ERR(tab));
		assert_int_equal(guest_cdtab_s1cdmax(tab), cases[i].cdmax);
		/* One CD: S1Fmt is ignored, the table is linear. */
		assert_int_equal(guest_cdtab_s1fmt(tab),
				 cases[i].cdmax ? cases[i].fmt
						: SMMU_S1FMT_LINEAR);
		assert_true(guest_cdtab_gpa(tab) %
				    ufd_max(cases[i].l1_size, 64ull) ==
			    0);
		for (k = 0; k < ARRAY_SIZE(ssids); k++) {
			if (ssids[k] > last)
				continue;
			guest_cd_init(&cd, s1, (uint16_t)(100 + k));
			assert_int_equal(guest_cd_write(tab, ssids[k], &cd), 0);
			guest_cd_encode(&cd, w);
			assert_memory_equal(cd_by_hand(&u, tab, ssids[k]), w,
					    sizeof(w));
			assert_ptr_equal(guest_cd_ptr(tab, ssids[k]),
					 cd_by_hand(&u, tab, ssids[k]));
		}
		assert_int_equal(guest_cd_write(tab, last + 1, &cd), -ERANGE);
		assert_null(guest_cd_ptr(tab, last + 1));
		assert_int_equal(guest_cd_clear(tab, ssids[3] & last), 0);
		assert_int_equal(smmu_dget(cd_by_hand(&u, tab, ssids[3] & last),
					   SMMU_CD_V),
				 0);
		assert_int_equal(guest_cd_clear(tab, last + 1), -ERANGE);
		guest_cdtab_free(tab);
		assert_true(guest_ram_free_bytes(u.ram) == before);
	}
	/* A 2-level table hands out no leaf before it is written. */
	tab = guest_cdtab_alloc(u.ram, 12, SMMU_S1FMT_4K_L2);
	assert_null(guest_cd_ptr(tab, 100));
	assert_int_equal(guest_cd_clear(tab, 100), 0);
	assert_true(*(uint64_t *)guest_ram_ptr(u.ram, guest_cdtab_gpa(tab),
					       8) == 0);
	guest_cdtab_free(tab);
	guest_s1_free(s1);
	uram_fini(&u);
}

static void test_ste_encode(void **state)
{
	struct iommu_hwpt_arm_smmuv3 vste;
	uint64_t w[SMMU_STE_DWORDS];
	struct guest_cdtab *tab;
	struct guest_ste ste;
	struct uram u;
	unsigned int i;

	uram_init(&u);
	tab = guest_cdtab_alloc(u.ram, 12, SMMU_S1FMT_64K_L2);
	assert_false(IS_ERR(tab));
	guest_ste_init_s1(&ste, tab, SMMU_S1DSS_SSID0);
	ste.eats = SMMU_EATS_TRANS;
	ste.s1stalld = true;
	guest_ste_encode(&ste, w);
	assert_int_equal(smmu_dget(w, SMMU_STE_V), 1);
	assert_int_equal(smmu_dget(w, SMMU_STE_CONFIG), SMMU_STE_CFG_S1);
	assert_true(smmu_dget(w, SMMU_STE_S1CTXPTR) << 6 ==
		    guest_cdtab_gpa(tab));
	assert_int_equal(smmu_dget(w, SMMU_STE_S1CDMAX), 12);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1FMT), SMMU_S1FMT_64K_L2);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1DSS), SMMU_S1DSS_SSID0);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1CIR), 1);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1COR), 1);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1CSH), 3);
	assert_int_equal(smmu_dget(w, SMMU_STE_EATS), SMMU_EATS_TRANS);
	assert_int_equal(smmu_dget(w, SMMU_STE_S1STALLD), 1);
	for (i = 2; i < SMMU_STE_DWORDS; i++)
		assert_true(w[i] == 0);
	/* The vSTE is words 0 and 1, little-endian. */
	guest_ste_vste(&ste, &vste);
	assert_memory_equal(vste.ste, w, 16);

	guest_ste_init_abort(&ste);
	guest_ste_encode(&ste, w);
	assert_true(w[0] == smmu_dprep(SMMU_STE_V, 1));
	assert_true(w[1] == 0);
	guest_ste_init_bypass(&ste);
	guest_ste_encode(&ste, w);
	assert_int_equal(smmu_dget(w, SMMU_STE_CONFIG), SMMU_STE_CFG_BYPASS);
	guest_cdtab_free(tab);
	uram_fini(&u);
}

static void test_strtab(void **state)
{
	uint64_t w[SMMU_STE_DWORDS] = { 0x11, 2, 3, 4, 5, 6, 7, 8 };
	struct guest_strtab *st;
	uint64_t *l1, *ste, l2;
	struct uram u;
	uint32_t cfg;

	uram_init(&u);
	assert_true(IS_ERR(guest_strtab_alloc(u.ram, 33, true)));
	assert_true(IS_ERR(guest_strtab_alloc(u.ram, 25, false)));

	st = guest_strtab_alloc(u.ram, 6, false);
	assert_false(IS_ERR(st));
	cfg = guest_strtab_base_cfg(st);
	assert_int_equal(smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_LOG2SIZE), 6);
	assert_int_equal(smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_FMT),
			 SMMU_STRTAB_FMT_LINEAR);
	l2 = smmu_fget(guest_strtab_base(st), SMMU_STRTAB_BASE_ADDR) << 6;
	assert_true(l2 % (64 << 6) == 0);
	assert_int_equal(smmu_fget(guest_strtab_base(st), SMMU_STRTAB_BASE_RA),
			 1);
	assert_int_equal(guest_strtab_write(st, 63, w), 0);
	assert_memory_equal(guest_ram_ptr(u.ram, l2 + 63 * 64, 64), w, 64);
	assert_int_equal(guest_strtab_write(st, 64, w), -ERANGE);
	guest_strtab_free(st);

	st = guest_strtab_alloc(u.ram, 16, true);
	assert_false(IS_ERR(st));
	cfg = guest_strtab_base_cfg(st);
	assert_int_equal(smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_LOG2SIZE), 16);
	assert_int_equal(smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_SPLIT), 8);
	assert_int_equal(smmu_fget(cfg, SMMU_STRTAB_BASE_CFG_FMT),
			 SMMU_STRTAB_FMT_2LVL);
	assert_null(guest_strtab_ste_ptr(st, 0x1234));
	assert_int_equal(guest_strtab_write(st, 0x1234, w), 0);
	l1 = guest_ram_ptr(
		u.ram,
		smmu_fget(guest_strtab_base(st), SMMU_STRTAB_BASE_ADDR) << 6,
		8 << 8);
	assert_int_equal(smmu_dget(&l1[0x12], SMMU_L1STD_SPAN), 9);
	assert_true(l1[0x11] == 0 && l1[0x13] == 0);
	l2 = smmu_dget(&l1[0x12], SMMU_L1STD_L2PTR) << 6;
	assert_true(l2 % (64 << 8) == 0);
	ste = guest_ram_ptr(u.ram, l2 + 0x34 * 64, 64);
	assert_memory_equal(ste, w, 64);
	assert_ptr_equal(guest_strtab_ste_ptr(st, 0x1234), ste);
	assert_int_equal(guest_strtab_write(st, 0x10000, w), -ERANGE);
	guest_strtab_free(st);
	assert_true(guest_ram_free_bytes(u.ram) == RAM_SIZE);
	uram_fini(&u);
}

/* --- commands --- */

static void test_cmd_encode(void **state)
{
	struct guest_tlbi_range rng = {
		.tg = SMMU_TLBI_TG_16K, .num = 17, .scale = 9, .ttl = 2
	};
	uint64_t c[SMMU_CMD_DWORDS];

	guest_cmd_tlbi_nh_va(c, 0x1234, 0xabcd, 0xfedcba987000ull, &rng, true);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_TLBI_NH_VA);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_VMID), 0x1234);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_ASID), 0xabcd);
	assert_true(smmu_dget(c, SMMU_CMD_TLBI_VA) << 12 == 0xfedcba987000ull);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_NUM), 17);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_SCALE), 9);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_TG), SMMU_TLBI_TG_16K);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_TTL), 2);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_LEAF), 1);

	guest_cmd_tlbi_nh_vaa(c, 7, 0x5000, NULL, false);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_TLBI_NH_VAA);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_VMID), 7);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_ASID), 0);
	assert_true(c[1] == smmu_dprep(SMMU_CMD_TLBI_VA, 5));

	guest_cmd_tlbi_s2_ipa(c, 9, 0xff12345000ull, NULL, true);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_TLBI_S2_IPA);
	assert_true(smmu_dget(c, SMMU_CMD_TLBI_IPA) << 12 == 0xff12345000ull);
	assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_LEAF), 1);

	guest_cmd_tlbi_nh_asid(c, 3, 4);
	assert_true(c[0] == (smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ASID) |
			     smmu_dprep(SMMU_CMD_TLBI_VMID, 3) |
			     smmu_dprep(SMMU_CMD_TLBI_ASID, 4)) &&
		    c[1] == 0);
	guest_cmd_tlbi_nh_all(c, 3);
	assert_true(c[0] == (smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_NH_ALL) |
			     smmu_dprep(SMMU_CMD_TLBI_VMID, 3)));
	guest_cmd_tlbi_s12_vmall(c, 5);
	assert_true(c[0] == (smmu_dprep(SMMU_CMD_OP, SMMU_CMD_TLBI_S12_VMALL) |
			     smmu_dprep(SMMU_CMD_TLBI_VMID, 5)));
	guest_cmd_tlbi_nsnh_all(c);
	assert_true(c[0] == SMMU_CMD_TLBI_NSNH_ALL && c[1] == 0);

	guest_cmd_cfgi_ste(c, 0xdeadbeef, true);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_CFGI_STE);
	assert_true(smmu_dget(c, SMMU_CMD_SID) == 0xdeadbeef);
	assert_int_equal(smmu_dget(c, SMMU_CMD_CFGI_LEAF), 1);
	guest_cmd_cfgi_all(c);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_CFGI_STE_RANGE);
	assert_int_equal(smmu_dget(c, SMMU_CMD_CFGI_RANGE),
			 SMMU_CFGI_RANGE_ALL);
	guest_cmd_cfgi_ste_range(c, 0x40, 5);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SID), 0x40);
	assert_int_equal(smmu_dget(c, SMMU_CMD_CFGI_RANGE), 5);
	guest_cmd_cfgi_cd(c, 12, 0xfffff, false);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_CFGI_CD);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SID), 12);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSID), 0xfffff);
	assert_int_equal(smmu_dget(c, SMMU_CMD_CFGI_LEAF), 0);
	guest_cmd_cfgi_cd_all(c, 13);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_CFGI_CD_ALL);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SID), 13);

	guest_cmd_atc_inv(c, 21, GUEST_NO_SSID, 0x12340000, 4, true);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_ATC_INV);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SID), 21);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSV), 0);
	assert_int_equal(smmu_dget(c, SMMU_CMD_ATC_GLOBAL), 1);
	assert_int_equal(smmu_dget(c, SMMU_CMD_ATC_SIZE), 4);
	assert_true(smmu_dget(c, SMMU_CMD_ATC_ADDR) << 12 == 0x12340000);
	guest_cmd_atc_inv(c, 21, 77, 0, SMMU_ATC_INV_SIZE_ALL, false);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSV), 1);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSID), 77);
	assert_int_equal(smmu_dget(c, SMMU_CMD_ATC_GLOBAL), 0);

	guest_cmd_pri_resp(c, 5, 6, 0x1ff, SMMU_PRI_RESP_SUCC);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_PRI_RESP_OP);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSV), 1);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SSID), 6);
	assert_int_equal(smmu_dget(c, SMMU_CMD_PRI_PRGI), 0x1ff);
	assert_int_equal(smmu_dget(c, SMMU_CMD_PRI_RESP), SMMU_PRI_RESP_SUCC);
	guest_cmd_resume(c, 8, 0xabcd, SMMU_RESUME_ABORT);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_RESUME);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SID), 8);
	assert_int_equal(smmu_dget(c, SMMU_CMD_RESUME_STAG), 0xabcd);
	assert_int_equal(smmu_dget(c, SMMU_CMD_RESUME_ACTION),
			 SMMU_RESUME_ABORT);
	guest_cmd_stall_term(c, 9);
	assert_true(c[0] == (smmu_dprep(SMMU_CMD_OP, SMMU_CMD_STALL_TERM) |
			     smmu_dprep(SMMU_CMD_SID, 9)));
	guest_cmd_prefetch_config(c, 9, GUEST_NO_SSID);
	assert_true(c[0] == (smmu_dprep(SMMU_CMD_OP, SMMU_CMD_PREFETCH_CONFIG) |
			     smmu_dprep(SMMU_CMD_SID, 9)));
	guest_cmd_sync(c, SMMU_SYNC_SIG_IRQ, 0xfee00004ull, 0x1234);
	assert_int_equal(smmu_dget(c, SMMU_CMD_OP), SMMU_CMD_SYNC);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SYNC_CS), SMMU_SYNC_SIG_IRQ);
	assert_int_equal(smmu_dget(c, SMMU_CMD_SYNC_MSIDATA), 0x1234);
	assert_true(smmu_dget(c, SMMU_CMD_SYNC_MSIADDR) << 2 == 0xfee00004ull);
	guest_cmd_sync(c, SMMU_SYNC_SIG_NONE, 0, 0x1234);
	assert_true(c[0] == SMMU_CMD_SYNC && c[1] == 0);
}

/* The ATC span is aligned, covers the range, and half of it would not. */
static void test_atc_span(void **state)
{
	struct gtb_rng rng = { gtb_seed("atc_span", 0x5eed0002) };
	uint64_t iova, len, addr, span;
	unsigned int size, i;

	guest_atc_inv_span(0x5000, 0x1000, &addr, &size);
	assert_true(addr == 0x5000 && size == 0);
	guest_atc_inv_span(0x5000, 0x1001, &addr, &size);
	assert_true(addr == 0x4000 && size == 2);
	guest_atc_inv_span(0x5000, 0, &addr, &size);
	assert_int_equal(size, SMMU_ATC_INV_SIZE_ALL);
	guest_atc_inv_span(1, U64_MAX, &addr, &size);
	assert_int_equal(size, SMMU_ATC_INV_SIZE_ALL);
	for (i = 0; i < 20000; i++) {
		iova = gtb_rand(&rng) >> gtb_below(&rng, 64);
		len = 1 + (gtb_rand(&rng) >> gtb_below(&rng, 64));
		if (len - 1 > U64_MAX - iova)
			continue;
		guest_atc_inv_span(iova, len, &addr, &size);
		if (size == SMMU_ATC_INV_SIZE_ALL) {
			/* Only when no span below 2^64 covers the range. */
			assert_true(((iova ^ (iova + len - 1)) >> 63) != 0);
			continue;
		}
		span = 1ull << (size + 12);
		assert_true(addr % span == 0);
		assert_true(addr <= iova && iova + len - 1 <= addr + span - 1);
		if (size) {
			uint64_t half = span / 2;
			uint64_t lo = iova & ~(half - 1);

			assert_true(iova + len - 1 > lo + half - 1);
		}
	}
}

/* --- events --- */

static void test_event_decode(void **state)
{
	uint64_t r[SMMU_EVT_DWORDS] = { 0 };
	struct guest_event ev;

	r[0] = smmu_dprep(SMMU_EVT_ID, SMMU_EVT_F_PERMISSION) |
	       smmu_dprep(SMMU_EVT_SID, 0x12345678) |
	       smmu_dprep(SMMU_EVT_SSV, 1) | smmu_dprep(SMMU_EVT_SSID, 0xabcde);
	r[1] = smmu_dprep(SMMU_EVT_STALL, 1) | smmu_dprep(SMMU_EVT_STAG, 0x77) |
	       smmu_dprep(SMMU_EVT_PNU, 1) | smmu_dprep(SMMU_EVT_IND, 0) |
	       smmu_dprep(SMMU_EVT_RNW, 1) | smmu_dprep(SMMU_EVT_S2, 1) |
	       smmu_dprep(SMMU_EVT_CLASS, SMMU_CLASS_TT);
	r[2] = 0xffff000012345678ull;
	r[3] = smmu_dprep(SMMU_EVT_IPA, 0xabcdef12ull);
	guest_event_decode(r, &ev);
	assert_int_equal(ev.id, SMMU_EVT_F_PERMISSION);
	assert_string_equal(guest_event_name(ev.id), "F_PERMISSION");
	assert_true(ev.sid == 0x12345678);
	assert_true(ev.ssv && ev.ssid == 0xabcde);
	assert_true(ev.stall && ev.stag == 0x77);
	assert_true(ev.pnu && !ev.ind && ev.rnw && ev.s2);
	assert_int_equal(ev.cls, SMMU_CLASS_TT);
	assert_true(ev.has_addr && ev.input_addr == 0xffff000012345678ull);
	assert_true(ev.has_ipa && ev.ipa == 0xabcdef12000ull);
	assert_false(ev.has_fetch);
	assert_memory_equal(ev.raw, r, sizeof(r));

	/* Stage 1: no IPA. */
	smmu_dset(r, SMMU_EVT_S2, 0);
	guest_event_decode(r, &ev);
	assert_false(ev.has_ipa);

	memset(r, 0, sizeof(r));
	r[0] = smmu_dprep(SMMU_EVT_ID, SMMU_EVT_F_WALK_EABT) |
	       smmu_dprep(SMMU_EVT_SID, 3);
	r[2] = 0x1000;
	r[3] = smmu_dprep(SMMU_EVT_FETCH_ADDR, 0x123456789ull);
	guest_event_decode(r, &ev);
	assert_true(ev.has_fetch && ev.fetch_addr == 0x123456789ull << 3);
	assert_true(ev.has_addr && !ev.has_ipa && !ev.ssv);

	memset(r, 0, sizeof(r));
	r[0] = smmu_dprep(SMMU_EVT_ID, SMMU_EVT_C_BAD_SUBSTREAMID) |
	       smmu_dprep(SMMU_EVT_SID, 4) | smmu_dprep(SMMU_EVT_SSID, 99);
	guest_event_decode(r, &ev);
	assert_true(ev.ssv && ev.ssid == 99);
	assert_false(ev.has_addr || ev.has_fetch || ev.has_ipa);

	/* F_STREAM_DISABLED has no SubstreamID, whatever the bits say. */
	r[0] = smmu_dprep(SMMU_EVT_ID, SMMU_EVT_F_STREAM_DISABLED) |
	       smmu_dprep(SMMU_EVT_SSV, 1) | smmu_dprep(SMMU_EVT_SSID, 5);
	guest_event_decode(r, &ev);
	assert_false(ev.ssv);
	assert_int_equal(ev.ssid, 0);

	r[0] = smmu_dprep(SMMU_EVT_ID, SMMU_EVT_C_BAD_CD) |
	       smmu_dprep(SMMU_EVT_SSV, 1) | smmu_dprep(SMMU_EVT_SSID, 5);
	r[2] = 0x1234;
	guest_event_decode(r, &ev);
	assert_true(ev.ssv && ev.ssid == 5);
	assert_false(ev.has_addr);
	assert_string_equal(guest_event_name(SMMU_EVT_C_BAD_CD), "C_BAD_CD");
	assert_string_equal(guest_event_name(0x30), "UNKNOWN");
	assert_string_equal(guest_event_name(0xff), "UNKNOWN");
}

/* --- the producer against a fake consumer --- */

/*
 * A command queue consumer behind struct guest_mmio, at the SMMU's
 * register offsets: a write of PROD consumes (unless @frozen) by reading
 * the ring out of guest RAM, recording each command. Command @fail_at
 * (counting from 0 over the run) stops the queue with @fail_code.
 */
struct fake {
	struct guest_ram *ram;
	uint64_t ring_gpa;
	unsigned int log2;
	uint32_t prod, cons, err, gerror, gerrorn, cr0;
	bool frozen;
	unsigned int n;
	uint64_t cmds[4096][SMMU_CMD_DWORDS];
	unsigned int fail_at, fail_code;
	unsigned int prod_writes, max_pending;
};

static void fake_consume(struct fake *f)
{
	uint32_t wrap = (2u << f->log2) - 1;
	uint64_t *slot;

	if (f->frozen || !(f->cr0 & smmu_fmask(SMMU_CR0_CMDQEN)) ||
	    f->gerror != f->gerrorn)
		return;
	if (((f->prod - f->cons) & wrap) > f->max_pending)
		f->max_pending = (f->prod - f->cons) & wrap;
	while (f->cons != f->prod) {
		slot = guest_ram_ptr(
			f->ram,
			f->ring_gpa + 16ull * (f->cons & ((1u << f->log2) - 1)),
			16);
		if (f->n == f->fail_at && f->fail_code) {
			f->err = f->fail_code;
			f->gerror ^= 1;
			f->fail_at = ~0u;
			return;
		}
		assert_true(f->n < ARRAY_SIZE(f->cmds));
		f->cmds[f->n][0] = slot[0];
		f->cmds[f->n][1] = slot[1];
		f->n++;
		f->cons = (f->cons + 1) & wrap;
	}
	f->err = 0;
}

static uint32_t fake_rd(void *priv, uint64_t off)
{
	struct fake *f = priv;

	switch (off) {
	case SMMU_CMDQ_PROD:
		return f->prod;
	case SMMU_CMDQ_CONS:
		return f->cons |
		       (uint32_t)smmu_fprep(SMMU_CMDQ_CONS_ERR, f->err);
	case SMMU_GERROR:
		return f->gerror;
	case SMMU_GERRORN:
		return f->gerrorn;
	case SMMU_CR0:
	case SMMU_CR0ACK:
		return f->cr0;
	default:
		return 0;
	}
}

static void fake_wr(void *priv, uint64_t off, uint32_t v)
{
	struct fake *f = priv;

	switch (off) {
	case SMMU_CMDQ_PROD:
		f->prod = v;
		f->prod_writes++;
		break;
	case SMMU_GERRORN:
		f->gerrorn = v;
		break;
	case SMMU_CR0:
		f->cr0 = v;
		break;
	default:
		return;
	}
	fake_consume(f);
}

static const struct guest_mmio_ops fake_ops = {
	.read32 = fake_rd,
	.write32 = fake_wr,
};

static struct guest_cmdq *fake_queue(struct uram *u, struct fake *f,
				     unsigned int log2)
{
	struct guest_mmio m = { .ops = &fake_ops, .priv = f };
	struct guest_cmdq *q;

	memset(f, 0, sizeof(*f));
	f->ram = u->ram;
	f->log2 = log2;
	f->fail_at = ~0u;
	q = guest_cmdq_alloc_smmu(u->ram, &m, log2);
	assert_false(IS_ERR(q));
	f->ring_gpa = guest_cmdq_gpa(q);
	assert_true(f->ring_gpa % ufd_max(16ull << log2, 32ull) == 0);
	assert_true(guest_cmdq_base_reg(q) == (f->ring_gpa | log2));
	assert_int_equal(guest_cmdq_enable(q), 0);
	return q;
}

static void test_cmdq_fake_wrap(void **state)
{
	struct gtb_rng rng = { gtb_seed("cmdq_fake_wrap", 0x5eed0003) };
	uint64_t cmd[SMMU_CMD_DWORDS];
	static struct fake f;
	struct guest_cmdq *q;
	unsigned int i, k, n, expect = 0;
	struct uram u;

	uram_init(&u);
	assert_true(IS_ERR(guest_cmdq_alloc_smmu(
		u.ram, &(struct guest_mmio){ .ops = &fake_ops, .priv = &f },
		20)));
	q = fake_queue(&u, &f, 2);
	assert_int_equal(guest_cmdq_log2size(q), 2);
	for (i = 0; i < 200; i++) {
		n = (unsigned int)gtb_below(&rng, 11);
		for (k = 0; k < n; k++) {
			guest_cmd_cfgi_ste(cmd, expect + k, false);
			assert_int_equal(guest_cmdq_push(q, cmd, NULL), 0);
		}
		assert_int_equal(guest_cmdq_sync(q, NULL), 0);
		/* Every command, in order, then the CMD_SYNC. */
		for (k = 0; k < n; k++) {
			assert_int_equal(smmu_dget(f.cmds[expect + k],
						   SMMU_CMD_SID),
					 expect + k);
		}
		expect += n;
		assert_int_equal(smmu_dget(f.cmds[expect], SMMU_CMD_OP),
				 SMMU_CMD_SYNC);
		expect++;
		assert_int_equal(f.n, expect);
		if (expect > 3000)
			break;
	}
	/* The producer never had more than the ring outstanding. */
	assert_true(f.max_pending <= 4);
	guest_cmdq_free(q);
	assert_true(guest_ram_free_bytes(u.ram) == RAM_SIZE);
	uram_fini(&u);
}

static void test_cmdq_fake_errors(void **state)
{
	uint64_t cmds[3][SMMU_CMD_DWORDS], *slot;
	struct guest_cmdq_error err;
	static struct fake f;
	struct guest_cmdq *q;
	struct uram u;

	uram_init(&u);
	q = fake_queue(&u, &f, 3);
	guest_cmd_cfgi_ste(cmds[0], 1, false);
	guest_cmd_cfgi_ste(cmds[1], 2, false);
	guest_cmd_cfgi_ste(cmds[2], 3, false);
	/* An illegal command: reported, replaced by a CMD_SYNC, skipped. */
	f.fail_at = 1;
	f.fail_code = SMMU_CERROR_ILL;
	assert_int_equal(guest_cmdq_submit(q, cmds, 3, &err), -EIO);
	assert_int_equal(err.count, 1);
	assert_int_equal(err.cerror, SMMU_CERROR_ILL);
	assert_int_equal(err.index, 1);
	assert_memory_equal(err.cmd, cmds[1], sizeof(cmds[1]));
	assert_false(err.stopped);
	slot = guest_ram_ptr(u.ram, f.ring_gpa + 16, 16);
	assert_int_equal(smmu_dget(slot, SMMU_CMD_OP), SMMU_CMD_SYNC);
	assert_int_equal(f.gerror, f.gerrorn);
	assert_int_equal(f.n, 4); /* 1, the replacement, 3, the sync */
	assert_int_equal(smmu_dget(f.cmds[2], SMMU_CMD_SID), 3);
	assert_int_equal(guest_cmdq_sync(q, &err), 0);
	assert_int_equal(err.count, 0);

	/* A CMD_SYNC after a failed ATC invalidation is simply retried. */
	f.fail_at = f.n;
	f.fail_code = SMMU_CERROR_ATC_INV_SYNC;
	assert_int_equal(guest_cmdq_sync(q, &err), -EIO);
	assert_int_equal(err.cerror, SMMU_CERROR_ATC_INV_SYNC);
	assert_int_equal(smmu_dget(err.cmd, SMMU_CMD_OP), SMMU_CMD_SYNC);

	/* An entry that cannot be read: the queue stays stopped. */
	f.fail_at = f.n + 1;
	f.fail_code = SMMU_CERROR_ABT;
	assert_int_equal(guest_cmdq_submit(q, cmds, 2, &err), -EIO);
	assert_true(err.stopped);
	assert_int_equal(err.cerror, SMMU_CERROR_ABT);
	assert_memory_equal(err.cmd, cmds[1], sizeof(cmds[1]));
	assert_true(f.gerror != f.gerrorn);
	assert_int_equal(guest_cmdq_sync(q, &err), -EIO);
	assert_true(err.stopped);
	guest_cmdq_free(q);
	uram_fini(&u);
}

static void test_cmdq_fake_timeout(void **state)
{
	uint64_t cmd[SMMU_CMD_DWORDS];
	static struct fake f;
	struct guest_cmdq *q;
	struct uram u;
	unsigned int i;

	uram_init(&u);
	q = fake_queue(&u, &f, 1);
	guest_cmdq_set_timeout(q, 20 * 1000 * 1000);
	f.frozen = true;
	assert_int_equal(guest_cmdq_sync(q, NULL), -ETIMEDOUT);
	/* A full ring waits for space, and gives up too. */
	guest_cmd_tlbi_nsnh_all(cmd);
	assert_int_equal(guest_cmdq_push(q, cmd, NULL), 0);
	assert_int_equal(guest_cmdq_push(q, cmd, NULL), -ETIMEDOUT);
	/* Once the consumer moves, everything goes through. */
	f.frozen = false;
	fake_consume(&f);
	for (i = 0; i < 5; i++)
		assert_int_equal(guest_cmdq_push(q, cmd, NULL), 0);
	assert_int_equal(guest_cmdq_sync(q, NULL), 0);
	assert_int_equal(f.n, 8);
	assert_int_equal(guest_cmdq_disable(q), 0);
	assert_int_equal(f.cr0, 0);
	guest_cmdq_free(q);
	uram_fini(&u);
}

/*
 * The recorded TLBIs cover [iova, iova + size) without gaps, start nowhere
 * before it and overshoot by at most the one granule that widens a lone
 * granule; none uses the reserved "one granule, no TTL" encoding.
 */
static void check_tlbi_cover(struct fake *f, unsigned int from, unsigned int op,
			     uint64_t iova, uint64_t size, unsigned int g,
			     bool ril)
{
	uint64_t at = iova;
	unsigned int i;

	for (i = from; i < f->n; i++) {
		const uint64_t *c = f->cmds[i];
		uint64_t addr, bytes;

		if (smmu_dget(c, SMMU_CMD_OP) == SMMU_CMD_SYNC)
			break;
		assert_int_equal(smmu_dget(c, SMMU_CMD_OP), op);
		assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_VMID), 5);
		assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_ASID),
				 op == SMMU_CMD_TLBI_NH_VA ? 6 : 0);
		addr = (op == SMMU_CMD_TLBI_S2_IPA
				? smmu_dget(c, SMMU_CMD_TLBI_IPA)
				: smmu_dget(c, SMMU_CMD_TLBI_VA))
		       << 12;
		assert_true(addr >= iova && addr <= at);
		if (ril) {
			assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_TG),
					 g == 12   ? 1
					 : g == 14 ? 2
						   : 3);
			assert_false(smmu_dget(c, SMMU_CMD_TLBI_NUM) == 0 &&
				     smmu_dget(c, SMMU_CMD_TLBI_SCALE) == 0 &&
				     smmu_dget(c, SMMU_CMD_TLBI_TTL) == 0);
			bytes = (smmu_dget(c, SMMU_CMD_TLBI_NUM) + 1)
				<< (smmu_dget(c, SMMU_CMD_TLBI_SCALE) + g);
		} else {
			assert_int_equal(smmu_dget(c, SMMU_CMD_TLBI_TG), 0);
			bytes = 1ull << g;
		}
		if (addr + bytes > at)
			at = addr + bytes;
	}
	assert_true(at >= iova + size);
	assert_true(at - (iova + size) <= (ril ? 1ull << g : 0));
}

static void test_cmdq_tlbi_range(void **state)
{
	static const unsigned int ops[] = { SMMU_CMD_TLBI_NH_VA,
					    SMMU_CMD_TLBI_NH_VAA,
					    SMMU_CMD_TLBI_S2_IPA };
	static const unsigned int wide[] = { SMMU_CMD_TLBI_NH_ASID,
					     SMMU_CMD_TLBI_NH_ALL,
					     SMMU_CMD_TLBI_S12_VMALL };
	struct gtb_rng rng = { gtb_seed("tlbi_range", 0x5eed0004) };
	uint64_t iova, pages, size;
	unsigned int i, g, o, from;
	static struct fake f;
	struct guest_cmdq *q;
	struct uram u;

	uram_init(&u);
	q = fake_queue(&u, &f, 8);
	assert_int_equal(guest_cmdq_tlbi_range(q, SMMU_CMD_TLBI_NH_ASID, 0, 0,
					       0, 4096, 12, false, NULL),
			 -EINVAL);
	assert_int_equal(guest_cmdq_tlbi_range(q, SMMU_CMD_TLBI_NH_VA, 0, 0,
					       0x800, 4096, 12, false, NULL),
			 -EINVAL);
	assert_int_equal(guest_cmdq_tlbi_range(q, SMMU_CMD_TLBI_NH_VA, 0, 0, 0,
					       0, 12, false, NULL),
			 -EINVAL);
	assert_int_equal(guest_cmdq_tlbi_range(q, SMMU_CMD_TLBI_NH_VA, 0, 0, 0,
					       4096, 13, false, NULL),
			 -EINVAL);
	assert_int_equal(guest_cmdq_tlbi_range(q, SMMU_CMD_TLBI_NH_VA, 0, 0,
					       ~0xfffull, 8192, 12, false,
					       NULL),
			 -EOVERFLOW);
	for (i = 0; i < 600; i++) {
		bool ril = i & 1;

		g = 12 + 2 * (unsigned int)gtb_below(&rng, 3);
		o = (unsigned int)gtb_below(&rng, 3);
		pages = 1 + (gtb_rand(&rng) >> (gtb_below(&rng, 2) ? 55 : 40));
		if (!ril && pages > 512 && gtb_below(&rng, 4))
			pages = 1 + pages % 512;
		size = pages << g;
		/* Below 2^48: S2_IPA carries IPA[51:12] only. */
		iova = (gtb_rand(&rng) >> (16 + g)) << g;
		guest_cmdq_set_range_inv(q, ril);
		f.n = 0;
		assert_int_equal(guest_cmdq_tlbi_range(q, ops[o], 5, 6, iova,
						       size, g, false, NULL),
				 0);
		assert_int_equal(guest_cmdq_sync(q, NULL), 0);
		from = 0;
		if (!ril && pages > 512) {
			/* One wide command instead of a flood. */
			assert_int_equal(f.n, 2);
			assert_int_equal(smmu_dget(f.cmds[0], SMMU_CMD_OP),
					 wide[o]);
			continue;
		}
		check_tlbi_cover(&f, from, ops[o], iova, size, g, ril);
		/* NUM has five bits: at most one command per set bit run. */
		if (ril)
			assert_true(f.n - 1 <= 64);
	}
	guest_cmdq_free(q);
	uram_fini(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_regions),
		cmocka_unit_test(test_ram_alloc),
		cmocka_unit_test(test_ram_random),
		cmocka_unit_test(test_s1_tables),
		cmocka_unit_test(test_cd_encode),
		cmocka_unit_test(test_cd_tables),
		cmocka_unit_test(test_ste_encode),
		cmocka_unit_test(test_strtab),
		cmocka_unit_test(test_cmd_encode),
		cmocka_unit_test(test_atc_span),
		cmocka_unit_test(test_event_decode),
		cmocka_unit_test(test_cmdq_fake_wrap),
		cmocka_unit_test(test_cmdq_fake_errors),
		cmocka_unit_test(test_cmdq_fake_timeout),
		cmocka_unit_test(test_cmdq_tlbi_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
