// SPDX-License-Identifier: BSD-3-Clause
/*
 * The src/guest test bench (see guest_tb.h). It sets worlds up; it never
 * decides a test's outcome.
 */
#include <endian.h>
#include <string.h>
#include <sys/mman.h>

#include "base/err.h"
#include "guest_tb.h"
#include "uiommufd/uapi/iommufd.h"

uint64_t gtb_seed(const char *what, uint64_t fallback)
{
	const char *s = getenv("UIOMMUFD_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : fallback;

	printf("# %s: seed %#" PRIx64 " (set UIOMMUFD_TEST_SEED to change)\n",
	       what, seed);
	fflush(stdout);
	return seed;
}

uint64_t gtb_rand(struct gtb_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *buf(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* GTB_NESTED: the host's physical memory is the two buffers. */
static void *host_map(void *priv, uint64_t pa, size_t len, bool write)
{
	struct gtb *b = priv;
	uint64_t g = (uint64_t)(uintptr_t)b->gram;
	uint64_t h = (uint64_t)(uintptr_t)b->hram;

	if (pa >= g && pa - g < GTB_GRAM_SIZE &&
	    len <= GTB_GRAM_SIZE - (pa - g))
		return (void *)(uintptr_t)pa;
	if (pa >= h && pa - h < GTB_HRAM_SIZE &&
	    len <= GTB_HRAM_SIZE - (pa - h))
		return (void *)(uintptr_t)pa;
	return ERR_PTR(-EFAULT);
}

static const struct pt_mem_ops host_ops = { .map = host_map };

static void nested_init(struct gtb *b)
{
	struct pt_cfg s2cfg = {
		.fmt = PT_FMT_ARM_S2,
		.granule_lg2 = 12,
		.ias = 40,
		.oas = 48,
		.mem = &guest_ram_pt_ops,
	};
	uint64_t mapped = 0;

	b->hram = buf(GTB_HRAM_SIZE);
	b->hv = guest_ram_create();
	assert_non_null(b->hv);
	/* The hypervisor's addresses are host addresses. */
	assert_int_equal(guest_ram_add(b->hv, (uint64_t)(uintptr_t)b->hram,
				       b->hram, GTB_HRAM_SIZE, true),
			 0);
	b->hsmmu = guest_smmu_init(b->hv, &b->mmio, NULL);
	assert_false(IS_ERR(b->hsmmu));
	s2cfg.mem_priv = b->hv;
	b->s2 = pt_alloc(&s2cfg);
	assert_false(IS_ERR(b->s2));
	assert_int_equal(pt_map(b->s2, GTB_GPA_BASE,
				(uint64_t)(uintptr_t)b->gram, GTB_GRAM_SIZE,
				PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
				&mapped),
			 0);
}

void gtb_init(struct gtb *b, enum gtb_mode mode,
	      void (*tweak)(struct smmuv3_config *cfg))
{
	memset(b, 0, sizeof(*b));
	b->mode = mode;
	b->gram = buf(GTB_GRAM_SIZE);
	b->ram = guest_ram_create();
	assert_non_null(b->ram);
	assert_int_equal(guest_ram_add(b->ram, GTB_GPA_BASE, b->gram,
				       GTB_GRAM_SIZE, true),
			 0);
	smmuv3_config_default(&b->cfg);
	if (mode == GTB_EMULATED) {
		b->cfg.mem = &guest_ram_pt_ops;
		b->cfg.mem_priv = b->ram;
	} else {
		b->cfg.mem = &host_ops;
		b->cfg.mem_priv = b;
	}
	if (tweak)
		tweak(&b->cfg);
	b->smmu = smmuv3_create(&b->cfg);
	assert_false(IS_ERR(b->smmu));
	guest_mmio_bind_smmuv3(&b->mmio, b->smmu);
	if (mode == GTB_NESTED)
		nested_init(b);
}

void gtb_fini(struct gtb *b)
{
	if (b->mode == GTB_NESTED) {
		guest_smmu_destroy(b->hsmmu);
		pt_free(b->s2);
		guest_ram_destroy(b->hv);
		munmap(b->hram, GTB_HRAM_SIZE);
	}
	smmuv3_destroy(b->smmu);
	guest_ram_destroy(b->ram);
	munmap(b->gram, GTB_GRAM_SIZE);
}

uint64_t gtb_out(struct gtb *b, uint64_t gpa)
{
	if (b->mode == GTB_EMULATED)
		return gpa;
	return (uint64_t)(uintptr_t)b->gram + (gpa - GTB_GPA_BASE);
}

uint64_t gtb_galloc(struct gtb *b, uint64_t size, uint64_t align)
{
	uint64_t gpa;

	assert_non_null(guest_ram_alloc(b->ram, size, align, &gpa));
	return gpa;
}

int gtb_xlate(struct gtb *b, uint32_t sid, uint32_t ssid, uint64_t iova,
	      unsigned int access, struct smmuv3_xlate *x)
{
	return smmuv3_translate(b->smmu, sid, ssid, iova, access, x);
}

uint64_t gtb_xl(struct gtb *b, uint32_t sid, uint32_t ssid, uint64_t iova)
{
	struct smmuv3_xlate x;

	if (gtb_xlate(b, sid, ssid, iova, SMMUV3_READ, &x)) {
		print_error("sid %#x ssid %#x iova %#" PRIx64 ": %s\n", sid,
			    ssid, iova, guest_event_name(x.event));
		fail();
	}
	return x.oa;
}

void gtb_nested_ste(struct gtb *b, uint32_t sid,
		    const struct iommu_hwpt_arm_smmuv3 *vste)
{
	const struct pt_walk_ctx *c = pt_table_walk_ctx(b->s2);
	struct guest_strtab *st = guest_smmu_strtab(b->hsmmu);
	uint64_t ste[SMMU_STE_DWORDS] = { 0 };
	uint64_t cmd[SMMU_CMD_DWORDS];
	unsigned int config;

	if (vste) {
		ste[0] = le64toh(vste->ste[0]);
		ste[1] = le64toh(vste->ste[1]);
		config = smmu_dget(ste, SMMU_STE_CONFIG);
	} else {
		smmu_dset(ste, SMMU_STE_V, 1);
		config = SMMU_STE_CFG_BYPASS;
	}
	/* The guest's abort stays abort; its bypass/S1 gain stage 2. */
	if (config & 4)
		config |= SMMU_STE_CFG_S2;
	smmu_dset(ste, SMMU_STE_CONFIG, config);
	smmu_dset(ste, SMMU_STE_S2VMID, GTB_VMID);
	smmu_dset(ste, SMMU_STE_S2T0SZ, 64 - c->ias);
	/* 4 KiB granule: SL0 2 starts at level 0, 1 at level 1. */
	smmu_dset(ste, SMMU_STE_S2SL0, 2 - (4 - pt_levels(c)));
	smmu_dset(ste, SMMU_STE_S2TG, SMMU_S2TG_4K);
	smmu_dset(ste, SMMU_STE_S2PS, SMMU_PS_48);
	smmu_dset(ste, SMMU_STE_S2AA64, 1);
	smmu_dset(ste, SMMU_STE_S2R, 1);
	smmu_dset(ste, SMMU_STE_S2TTB, pt_root(c) >> 4);
	assert_int_equal(guest_strtab_write(st, sid, ste), 0);
	guest_cmd_cfgi_ste(cmd, sid, true);
	gtb_submit1(guest_smmu_cmdq(b->hsmmu), cmd);
}

void gtb_s2_remap(struct gtb *b, uint64_t gpa, uint64_t pa)
{
	uint64_t n = 0;

	assert_int_equal(pt_unmap(b->s2, gpa, 4096, PT_UNMAP_SPLIT, NULL, &n),
			 0);
	assert_int_equal(pt_map(b->s2, gpa, pa, 4096,
				PT_PROT_READ | PT_PROT_WRITE, &n),
			 0);
}

void gtb_expect_event(struct guest_evtq *q, struct guest_event *ev, uint8_t id,
		      uint32_t sid)
{
	assert_int_equal(guest_evtq_pop(q, ev), 1);
	if (ev->id != id)
		print_error("event %s, expected %s\n", guest_event_name(ev->id),
			    guest_event_name(id));
	assert_int_equal(ev->id, id);
	assert_int_equal(ev->sid, sid);
}

void gtb_expect_no_event(struct guest_evtq *q)
{
	struct guest_event ev;

	if (guest_evtq_pop(q, &ev) == 1) {
		print_error("unexpected event %s\n", guest_event_name(ev.id));
		fail();
	}
}

struct guest_s1 *gtb_s1(struct gtb *b, unsigned int g, unsigned int ias)
{
	struct guest_s1 *s1 = guest_s1_alloc(b->ram, g, ias, 0);

	assert_false(IS_ERR(s1));
	return s1;
}

void gtb_map(struct guest_s1 *s1, uint64_t iova, uint64_t gpa, uint64_t size,
	     unsigned int prot)
{
	assert_int_equal(guest_s1_map(s1, iova, gpa, size, prot), 0);
}

void gtb_submit1(struct guest_cmdq *q, const uint64_t cmd[SMMU_CMD_DWORDS])
{
	uint64_t cmds[1][SMMU_CMD_DWORDS] = { { cmd[0], cmd[1] } };

	assert_int_equal(guest_cmdq_submit(q, cmds, 1, NULL), 0);
}
