// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver, layer 3: vIOMMUs of type IOMMU_VIOMMU_TYPE_ARM_SMMUV3
 * driven through their ops with a fake set of core services (struct
 * tb_viommu): VMIDs, vDEVICEs, nested domains on a vIOMMU, the guest's
 * invalidation commands (what passes, what is refused with which errno,
 * and that they reach the guest's own cached entries and no one else's),
 * random command fuzzing that must never stop the host's queue, and guest
 * events forwarded with the guest's StreamID.
 *
 * Stale-entry tests change the guest's tables without invalidating first
 * and check the old translation is still served: that is what makes the
 * later "gone after the command" check mean something.
 */
#include "smmudrv_tb.h"

#include "hw/smmuv3/smmuv3.h"

#define VA 0x70000000ull
#define VSID 0x42

struct world {
	struct ufd_dev *dev;
	struct ufd_domain *s2;
	struct tb_guest g;
	struct tb_viommu tv;
	struct ufd_vdevice vdev;
	struct ufd_domain *nested;
	uint64_t pa, pb; /* two guest pages, GPA */
};

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_smmuv3_iommu;
}

/* A guest with a vIOMMU, a vDEVICE and a translating nested domain. */
static void world_init(struct world *w, uint64_t vsid, uint16_t asid)
{
	uint64_t ste[2];

	memset(w, 0, sizeof(*w));
	w->dev = tb_dev(ops(), 0);
	w->s2 = tb_paging(w->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, asid);
	w->pa = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	w->pb = tb_galloc(&w->g, TB_PAGE, TB_PAGE);
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pa) = 0xa;
	*(uint64_t *)tb_gpa_ptr(&w->g, w->pb) = 0xb;
	assert_int_equal(tb_viommu_init(&w->tv, ops(),
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, w->s2,
					NULL),
			 0);
	assert_int_equal(tb_vdev_init(&w->vdev, &w->tv, w->dev, vsid), 0);
	tb_gste(&w->g, ste);
	w->nested = tb_nested(&w->tv, ste);
	assert_false(IS_ERR(w->nested));
	assert_int_equal(ufd_dev_set_domain(w->dev, w->nested), 0);
}

static void world_fini(struct world *w)
{
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	w->nested->ops->free(w->nested);
	tb_vdev_fini(&w->vdev);
	tb_viommu_fini(&w->tv);
	tb_dev_put(w->dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
}

static int setup(void **state)
{
	struct world *w = malloc(sizeof(*w));

	world_init(w, VSID, 0x21);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world_fini(*state);
	free(*state);
	return 0;
}

/* Guest commands through cache_invalidate; *done = entry_num after. */
static int inv(struct world *w, const uint64_t (*cmds)[2], uint32_t n,
	       uint32_t *done)
{
	struct ufd_user_data_array a =
		tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, n);
	int rc = w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a);

	if (done)
		*done = a.entry_num;
	return rc;
}

static int inv1(struct world *w, uint64_t c0, uint64_t c1)
{
	const uint64_t cmd[1][2] = { { c0, c1 } };
	uint32_t done;
	int rc = inv(w, cmd, 1, &done);

	assert_int_equal(done, rc ? 0 : 1);
	return rc;
}

static uint64_t rd(struct world *w, uint64_t va)
{
	uint64_t v = 0;

	assert_int_equal(tb_dma_read64(w->dev, va, &v), 0);
	return v;
}

/* Guest remaps VA from page a to page b without telling anyone. */
static void guest_switch(struct world *w, uint64_t va)
{
	tb_gunmap(&w->g, va, TB_PAGE);
	tb_gmap(&w->g, va, w->pb, TB_PAGE, true);
}

static void test_viommu_rules(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3_domain_info info;
	struct ufd_domain *s1 = tb_paging(w->dev, 0);
	struct tb_viommu t2, t3;
	uint16_t vmid;

	assert_true(
		ops()->viommu_supported(w->dev, IOMMU_VIOMMU_TYPE_ARM_SMMUV3));
	assert_true(ops()->viommu_supported(w->dev,
					    IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV));
	assert_false(
		ops()->viommu_supported(w->dev, IOMMU_VIOMMU_TYPE_DEFAULT));
	assert_false(ops()->viommu_supported(w->dev, 7));
	/* Only over a nesting parent of this SMMU. */
	assert_int_equal(tb_viommu_init(&t2, ops(),
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, s1, NULL),
			 -EINVAL);
	tb_viommu_fini(&t2);
	assert_int_equal(tb_viommu_init(&t2, ops(), 7, w->s2, NULL),
			 -EOPNOTSUPP);
	tb_viommu_fini(&t2);
	tb_domain_free(s1);

	/* A VMID each: not the parent's, not another vIOMMU's. */
	assert_int_equal(ufd_smmuv3_domain_info(w->s2, &info), 0);
	vmid = ufd_smmuv3_viommu_vmid(&w->tv.viommu);
	assert_int_not_equal(vmid, 0);
	assert_int_not_equal(vmid, info.vmid);
	assert_int_equal(tb_viommu_init(&t2, ops(),
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, w->s2,
					NULL),
			 0);
	assert_int_not_equal(ufd_smmuv3_viommu_vmid(&t2.viommu), vmid);
	assert_int_not_equal(ufd_smmuv3_viommu_vmid(&t2.viommu), info.vmid);
	vmid = ufd_smmuv3_viommu_vmid(&t2.viommu);
	tb_viommu_fini(&t2);
	/* Given back when the vIOMMU goes. */
	assert_int_equal(tb_viommu_init(&t3, ops(),
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, w->s2,
					NULL),
			 0);
	assert_int_equal(ufd_smmuv3_viommu_vmid(&t3.viommu), vmid);
	tb_viommu_fini(&t3);
}

static void test_vdevice_rules(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3 *other = ufd_smmuv3_create(NULL);
	struct ufd_dev *d2 = tb_dev(ops(), 0), *od;
	struct ufd_vdevice v2, v3;

	assert_false(IS_ERR(other));
	od = tb_dev(ufd_smmuv3_ops(other), 0);
	/* The vSID is taken; the device already has one. */
	assert_int_equal(tb_vdev_init(&v2, &w->tv, d2, VSID), -EEXIST);
	assert_int_equal(tb_vdev_init(&v2, &w->tv, w->dev, VSID + 1), -EEXIST);
	/* A device behind another SMMU. */
	assert_int_equal(tb_vdev_init(&v2, &w->tv, od, VSID + 1), -EINVAL);
	assert_int_equal(tb_vdev_init(&v2, &w->tv, d2, VSID + 1), 0);
	tb_vdev_fini(&v2);
	assert_int_equal(tb_vdev_init(&v3, &w->tv, d2, VSID + 1), 0);
	tb_vdev_fini(&v3);
	tb_dev_put(d2);
	tb_dev_put(od);
	ufd_smmuv3_destroy(other);
}

static void test_nested_attach(void **state)
{
	struct world *w = *state;
	struct ufd_dev *d2 = tb_dev(ops(), 0);
	uint64_t ste[2] = { 0, 0 }, pste[SMMU_STE_DWORDS], v;
	struct ufd_vdevice vd;
	struct ufd_domain *n;
	uint64_t buf[3];
	struct ufd_user_data data;

	/* Translating without a vDEVICE: no vSID for events, refused. */
	assert_int_equal(ufd_dev_set_domain(d2, w->nested), -ENOENT);
	assert_null(d2->domain);
	/* Bypass and abort are fine: a guest with its SMMU off. */
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_BYPASS);
	n = tb_nested(&w->tv, ste);
	assert_false(IS_ERR(n));
	assert_int_equal(ufd_dev_set_domain(d2, n), 0);
	assert_int_equal(tb_dma_read64(d2, w->pa, &v), 0);
	assert_int_equal(v, 0xa);
	assert_int_equal(ufd_smmuv3_read_ste(ufd_smmuv3_default(),
					     ufd_smmuv3_dev_sid(d2), pste),
			 0);
	assert_int_equal(smmu_dget(pste, SMMU_STE_S2VMID),
			 ufd_smmuv3_viommu_vmid(&w->tv.viommu));
	assert_int_equal(ufd_dev_set_domain(d2, NULL), 0);
	n->ops->free(n);
	/* With one it works, under the vIOMMU's VMID. */
	assert_int_equal(tb_vdev_init(&vd, &w->tv, d2, 0x99), 0);
	assert_int_equal(ufd_dev_set_domain(d2, w->nested), 0);
	assert_int_equal(ufd_smmuv3_read_ste(ufd_smmuv3_default(),
					     ufd_smmuv3_dev_sid(d2), pste),
			 0);
	assert_int_equal(smmu_dget(pste, SMMU_STE_CONFIG), SMMU_STE_CFG_NESTED);
	assert_int_equal(smmu_dget(pste, SMMU_STE_S2VMID),
			 ufd_smmuv3_viommu_vmid(&w->tv.viommu));
	assert_int_equal(ufd_dev_set_domain(d2, NULL), 0);
	tb_vdev_fini(&vd);
	tb_dev_put(d2);

	/* The vIOMMU's nested domains: no flags, Linux's vSTE rules. */
	tb_gste(&w->g, ste);
	buf[0] = ste[0];
	buf[1] = ste[1];
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, buf, 16);
	assert_int_equal(PTR_ERR(w->tv.viommu.ops->alloc_domain_nested(
				 &w->tv.viommu, IOMMU_HWPT_ALLOC_PASID, &data)),
			 -EOPNOTSUPP);
	buf[1] |= 1ull << 63;
	assert_int_equal(PTR_ERR(w->tv.viommu.ops->alloc_domain_nested(
				 &w->tv.viommu, 0, &data)),
			 -EIO);
}

static uint64_t tlbi_va(uint16_t asid, uint64_t va)
{
	return tb_cmd0(SMMU_CMD_TLBI_NH_VA) |
	       smmu_dprep(SMMU_CMD_TLBI_ASID, asid);
}

/* Each TLBI form a guest may use drops the guest's stale entry. */
static void test_tlbi_forms(void **state)
{
	struct world *w = *state;
	struct {
		uint64_t c0, c1;
	} forms[] = {
		{ tlbi_va(0x21, VA), smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12) },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_VAA),
		  smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12) },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 0x21),
		  0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL), 0 },
		/* Range: 2 pages of 4K from VA - 4K, any level. */
		{ tlbi_va(0x21, VA) | smmu_dprep(SMMU_CMD_TLBI_NUM, 1),
		  smmu_dprep(SMMU_CMD_TLBI_VA, (VA - TB_PAGE) >> 12) |
			  smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K) },
		/* A garbage VMID: ours replaces it. */
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ALL) |
			  smmu_dprep(SMMU_CMD_TLBI_VMID, 0xffff),
		  0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
		assert_int_equal(rd(w, VA), 0xa);
		guest_switch(w, VA);
		/* Still cached: the guest has not invalidated. */
		assert_int_equal(rd(w, VA), 0xa);
		assert_int_equal(inv1(w, forms[i].c0, forms[i].c1), 0);
		assert_int_equal(rd(w, VA), 0xb);
		tb_gunmap(&w->g, VA, TB_PAGE);
		inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
	}
	/* A TLBI of another ASID leaves ours. */
	tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa);
	guest_switch(w, VA);
	assert_int_equal(inv1(w, tlbi_va(0x22, VA),
			      smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12)),
			 0);
	assert_int_equal(rd(w, VA), 0xa);
	assert_int_equal(inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0), 0);
	assert_int_equal(rd(w, VA), 0xb);
	tb_gunmap(&w->g, VA, TB_PAGE);
}

static void test_cfgi_cd(void **state)
{
	struct world *w = *state;
	uint64_t v;

	tb_gmap(&w->g, VA, w->pa, 2 * TB_PAGE, true);
	assert_int_equal(rd(w, VA), 0xa);
	/* The guest kills its CD; the cached one still serves. */
	tb_gcd_write(&w->g, false);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), 0);
	/* CFGI_CD of another vSID: not ours to name. */
	assert_int_equal(inv1(w,
			      tb_cmd0(SMMU_CMD_CFGI_CD) |
				      smmu_dprep(SMMU_CMD_SID, VSID + 1),
			      0),
			 -EIO);
	assert_int_equal(inv1(w,
			      tb_cmd0(SMMU_CMD_CFGI_CD) |
				      smmu_dprep(SMMU_CMD_SID, VSID),
			      smmu_dprep(SMMU_CMD_CFGI_LEAF, 1)),
			 0);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	/* Errors are not cached: a good CD serves again at once. */
	tb_gcd_write(&w->g, true);
	assert_int_equal(rd(w, VA), 0xa);
	/* Again, with CFGI_CD_ALL. */
	tb_gcd_write(&w->g, false);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), 0);
	assert_int_equal(inv1(w,
			      tb_cmd0(SMMU_CMD_CFGI_CD_ALL) |
				      smmu_dprep(SMMU_CMD_SID, VSID),
			      0),
			 0);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	tb_gcd_write(&w->g, true);
	assert_int_equal(rd(w, VA), 0xa);
	tb_gunmap(&w->g, VA, 2 * TB_PAGE);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
}

static void test_refused(void **state)
{
	struct world *w = *state;
	static const unsigned int ops_refused[] = {
		SMMU_CMD_PREFETCH_CONFIG,
		SMMU_CMD_CFGI_STE,
		SMMU_CMD_CFGI_STE_RANGE,
		SMMU_CMD_CFGI_VMS_PIDM,
		SMMU_CMD_TLBI_EL2_ALL,
		SMMU_CMD_TLBI_EL3_ALL,
		SMMU_CMD_TLBI_S12_VMALL,
		SMMU_CMD_TLBI_S2_IPA,
		SMMU_CMD_PRI_RESP_OP,
		SMMU_CMD_RESUME,
		SMMU_CMD_STALL_TERM,
		SMMU_CMD_SYNC,
		0x00,
		0xff,
	};
	struct {
		uint64_t c0, c1;
	} bad[] = {
		/* Fields the opcode has no business with. */
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 1 },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ALL) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 1),
		  0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL) |
			  smmu_dprep(SMMU_CMD_TLBI_VMID, 1),
		  0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ASID) | smmu_dprep(SMMU_CMD_SSEC, 1),
		  0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_VAA) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 1),
		  0 },
		{ tb_cmd0(SMMU_CMD_CFGI_CD_ALL) |
			  smmu_dprep(SMMU_CMD_SID, VSID) |
			  smmu_dprep(SMMU_CMD_SSID, 1),
		  0 },
		{ tb_cmd0(SMMU_CMD_CFGI_CD) | smmu_dprep(SMMU_CMD_SID, VSID) |
			  smmu_dprep(SMMU_CMD_SSV, 1),
		  0 },
		/* Reserved range encodings. */
		{ tlbi_va(1, 0),
		  smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K) },
		{ tlbi_va(1, 0), smmu_dprep(SMMU_CMD_TLBI_TTL, 2) },
		{ tlbi_va(1, 0) | smmu_dprep(SMMU_CMD_TLBI_NUM, 3), 0 },
		{ tlbi_va(1, 0),
		  smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_16K) |
			  smmu_dprep(SMMU_CMD_TLBI_TTL, 1) },
		/* SCALE bit 5 needs 52-bit VAs. */
		{ tlbi_va(1, 0) | (1ull << 25),
		  smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_4K) |
			  smmu_dprep(SMMU_CMD_TLBI_TTL, 3) },
		/* ATC_INV: unknown vSID, Size beyond "all". */
		{ tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, 7), 0 },
		{ tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, VSID),
		  smmu_dprep(SMMU_CMD_ATC_SIZE, 53) },
	};
	struct ufd_smmuv3_stats before, after;
	unsigned int i;

	ufd_smmuv3_get_stats(ufd_smmuv3_default(), &before);
	for (i = 0; i < ARRAY_SIZE(ops_refused); i++)
		assert_int_equal(inv1(w, tb_cmd0(ops_refused[i]), 0), -EIO);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(inv1(w, bad[i].c0, bad[i].c1), -EIO);
	/* What is fine. */
	assert_int_equal(inv1(w,
			      tb_cmd0(SMMU_CMD_ATC_INV) |
				      smmu_dprep(SMMU_CMD_SID, VSID),
			      smmu_dprep(SMMU_CMD_ATC_SIZE, 52)),
			 0);
	assert_int_equal(inv1(w,
			      tb_cmd0(SMMU_CMD_TLBI_NH_VA) |
				      smmu_dprep(SMMU_CMD_TLBI_ASID, 0xffff),
			      smmu_dprep(SMMU_CMD_TLBI_VA, 0xfffffffffffffull) |
				      smmu_dprep(SMMU_CMD_TLBI_LEAF, 1)),
			 0);
	ufd_smmuv3_get_stats(ufd_smmuv3_default(), &after);
	/* Nothing reached the host's queue to stop it. */
	assert_int_equal(after.cmdq_errors, before.cmdq_errors);
}

static void test_array_shapes(void **state)
{
	struct world *w = *state;
	uint64_t cmds[200][2], c24[3][3], c8[4];
	struct ufd_user_data_array a;
	uint32_t done, i;

	for (i = 0; i < 200; i++) {
		cmds[i][0] = tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			     smmu_dprep(SMMU_CMD_TLBI_ASID, i);
		cmds[i][1] = 0;
	}
	/* Probing: no entries, the right type. */
	assert_int_equal(inv(w, cmds, 0, &done), 0);
	assert_int_equal(done, 0);
	a = tb_uarray(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, cmds, 16, 1);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 -EINVAL);
	assert_int_equal(a.entry_num, 0);
	/* Many, in batches. */
	assert_int_equal(inv(w, cmds, 200, &done), 0);
	assert_int_equal(done, 200);
	/* A bad one fails its batch of 63, and stops there. */
	cmds[65][0] = tb_cmd0(SMMU_CMD_CFGI_STE);
	assert_int_equal(inv(w, cmds, 70, &done), -EIO);
	assert_int_equal(done, 63);
	cmds[65][0] = cmds[64][0];
	cmds[10][1] = 1;
	assert_int_equal(inv(w, cmds, 70, &done), -EIO);
	assert_int_equal(done, 0);
	cmds[10][1] = 0;
	/* Longer entries with a zero tail, shorter ones zero-extended. */
	memset(c24, 0, sizeof(c24));
	for (i = 0; i < 3; i++)
		c24[i][0] = tb_cmd0(SMMU_CMD_TLBI_NH_ALL);
	a = tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, c24, 24, 3);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 0);
	assert_int_equal(a.entry_num, 3);
	c24[1][2] = 1;
	a = tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, c24, 24, 3);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 -E2BIG);
	assert_int_equal(a.entry_num, 0);
	for (i = 0; i < 4; i++)
		c8[i] = tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			smmu_dprep(SMMU_CMD_TLBI_ASID, i);
	a = tb_uarray(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, c8, 8, 4);
	assert_int_equal(w->tv.viommu.ops->cache_invalidate(&w->tv.viommu, &a),
			 0);
	assert_int_equal(a.entry_num, 4);
}

/* One guest's commands cannot reach another guest's entries. */
static void test_isolation(void **state)
{
	struct world *a = *state;
	struct world *b = malloc(sizeof(*b));
	uint16_t vmid_b;

	world_init(b, 0x42, 0x21); /* same vSID and ASID, another VM */
	vmid_b = ufd_smmuv3_viommu_vmid(&b->tv.viommu);
	tb_gmap(&b->g, VA, b->pa, TB_PAGE, true);
	assert_int_equal(rd(b, VA), 0xa);
	guest_switch(b, VA);
	assert_int_equal(rd(b, VA), 0xa);
	/* Guest A aims everything it has at B. */
	assert_int_equal(inv1(a, tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL), 0), 0);
	assert_int_equal(inv1(a,
			      tb_cmd0(SMMU_CMD_TLBI_NH_ALL) |
				      smmu_dprep(SMMU_CMD_TLBI_VMID, vmid_b),
			      0),
			 0);
	assert_int_equal(inv1(a,
			      tlbi_va(0x21, VA) |
				      smmu_dprep(SMMU_CMD_TLBI_VMID, vmid_b),
			      smmu_dprep(SMMU_CMD_TLBI_VA, VA >> 12)),
			 0);
	assert_int_equal(inv1(a,
			      tb_cmd0(SMMU_CMD_CFGI_CD_ALL) |
				      smmu_dprep(SMMU_CMD_SID,
						 ufd_smmuv3_dev_sid(b->dev)),
			      0),
			 ufd_smmuv3_dev_sid(b->dev) == VSID ? 0 : -EIO);
	assert_int_equal(rd(b, VA), 0xa);
	/* B's own invalidation works. */
	assert_int_equal(inv1(b, tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL), 0), 0);
	assert_int_equal(rd(b, VA), 0xb);
	world_fini(b);
	free(b);
}

/*
 * Random guest commands -- valid ones with random bits flipped, and pure
 * noise: each batch is refused (EIO) or runs, and none may ever stop the
 * host's queue or disturb a host device.
 */
static void test_fuzz(void **state)
{
	struct world *w = *state;
	uint64_t rng = tb_seed("viommu command fuzz", 0xf022);
	const uint64_t tmpl[][2] = {
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NSNH_ALL), 0 },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_ASID) |
			  smmu_dprep(SMMU_CMD_TLBI_ASID, 5),
		  0 },
		{ tlbi_va(3, 0), smmu_dprep(SMMU_CMD_TLBI_VA, 0x1234) },
		{ tlbi_va(3, 0) | smmu_dprep(SMMU_CMD_TLBI_NUM, 7) |
			  smmu_dprep(SMMU_CMD_TLBI_SCALE, 2),
		  smmu_dprep(SMMU_CMD_TLBI_VA, 0x1234) |
			  smmu_dprep(SMMU_CMD_TLBI_TG, SMMU_TLBI_TG_64K) },
		{ tb_cmd0(SMMU_CMD_TLBI_NH_VAA),
		  smmu_dprep(SMMU_CMD_TLBI_VA, 0x99) },
		{ tb_cmd0(SMMU_CMD_ATC_INV) | smmu_dprep(SMMU_CMD_SID, VSID),
		  smmu_dprep(SMMU_CMD_ATC_SIZE, 3) },
		{ tb_cmd0(SMMU_CMD_CFGI_CD) | smmu_dprep(SMMU_CMD_SID, VSID),
		  0 },
		{ tb_cmd0(SMMU_CMD_CFGI_CD_ALL) |
			  smmu_dprep(SMMU_CMD_SID, VSID),
		  0 },
	};
	struct ufd_smmuv3_stats before, after;
	struct ufd_dev *host = tb_dev(ops(), 0);
	struct ufd_domain *hd = tb_paging(host, 0);
	uint8_t *hbuf = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t cmds[4][2], v, r;
	unsigned int i, k, f, n, ok = 0, refused = 0;
	uint32_t done;
	int rc;

	*(uint64_t *)hbuf = 0x5eed;
	tb_map(hd, 0, hbuf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(host, hd), 0);
	ufd_smmuv3_get_stats(ufd_smmuv3_default(), &before);
	for (i = 0; i < 20000; i++) {
		n = 1 + (unsigned int)(tb_rand(&rng) % 4);
		for (k = 0; k < n; k++) {
			r = tb_rand(&rng);
			if (r % 8 == 0) {
				cmds[k][0] = tb_rand(&rng);
				cmds[k][1] = tb_rand(&rng);
				continue;
			}
			cmds[k][0] = tmpl[(r >> 3) % ARRAY_SIZE(tmpl)][0];
			cmds[k][1] = tmpl[(r >> 3) % ARRAY_SIZE(tmpl)][1];
			for (f = 0; f < (r >> 12) % 3; f++) {
				unsigned int bit = tb_rand(&rng) % 128;

				cmds[k][bit / 64] ^= 1ull << (bit % 64);
			}
		}
		rc = inv(w, cmds, n, &done);
		assert_true(rc == 0 || rc == -EIO);
		assert_int_equal(done, rc ? 0 : n);
		if (rc)
			refused++;
		else
			ok++;
	}
	printf("# fuzz: %u batches ran, %u refused\n", ok, refused);
	assert_true(ok > 1000 && refused > 1000);
	ufd_smmuv3_get_stats(ufd_smmuv3_default(), &after);
	assert_int_equal(after.cmdq_errors, before.cmdq_errors);
	assert_int_equal(tb_dma_read64(host, 0, &v), 0);
	assert_int_equal(v, 0x5eed);
	tb_dev_put(host);
	tb_unmap(hd, 0, TB_PAGE);
	tb_domain_free(hd);
	tb_buf_free(hbuf);
}

/* Faults the guest must hear of, with its own StreamID; and the rest. */
static void test_events(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	unsigned int n0 = tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	struct ufd_smmuv3_stats st0, st1;
	const struct tb_event *e;
	uint64_t v, ste[2] = { 0, 0 };
	struct ufd_dev *d2;
	struct ufd_domain *n;

	/* A stage-1 translation fault. */
	assert_int_equal(tb_dma_read64(w->dev, VA + 0x10, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	assert_int_equal(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3),
			 n0 + 1);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(e->len, sizeof(struct iommu_vevent_arm_smmuv3));
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_ID),
			 SMMU_EVT_F_TRANSLATION);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_SID), VSID);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_INPUT_ADDR), VA + 0x10);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_S2), 0);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_RNW), 1);

	/* A write to a read-only page: F_PERMISSION. */
	tb_gmap(&w->g, VA, w->pa, TB_PAGE, false);
	assert_int_equal(tb_dma_write64(w->dev, VA, 1), -EPERM);
	ufd_smmuv3_evtq_poll(smmu);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_ID),
			 SMMU_EVT_F_PERMISSION);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_RNW), 0);
	tb_gunmap(&w->g, VA, TB_PAGE);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);

	/* A stage-2 fault is the host's: not forwarded. */
	n0 = tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	tb_gmap(&w->g, VA, TB_GPA + TB_GRAM_SIZE, TB_PAGE, true);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	assert_int_equal(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3), n0);
	tb_gunmap(&w->g, VA, TB_PAGE);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);

	/* The guest's bad CD: C_BAD_CD. */
	tb_gcd_write(&w->g, false);
	inv1(w, tb_cmd0(SMMU_CMD_CFGI_CD_ALL) | smmu_dprep(SMMU_CMD_SID, VSID),
	     0);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_ID), SMMU_EVT_C_BAD_CD);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_SID), VSID);
	tb_gcd_write(&w->g, true);
	inv1(w, tb_cmd0(SMMU_CMD_CFGI_CD_ALL) | smmu_dprep(SMMU_CMD_SID, VSID),
	     0);

	/* No vEVENTQ: the event is lost, and counted. */
	ufd_smmuv3_get_stats(smmu, &st0);
	w->tv.refuse[IOMMU_VEVENTQ_TYPE_ARM_SMMUV3] = true;
	n0 = tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	ufd_smmuv3_get_stats(smmu, &st1);
	assert_int_equal(st1.events_lost, st0.events_lost + 1);
	assert_int_equal(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3), n0);
	w->tv.refuse[IOMMU_VEVENTQ_TYPE_ARM_SMMUV3] = false;

	/* A device without a vDEVICE (bypass) has no vSID: not forwarded. */
	d2 = tb_dev(ops(), 0);
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_BYPASS);
	n = tb_nested(&w->tv, ste);
	assert_int_equal(ufd_dev_set_domain(d2, n), 0);
	assert_int_equal(tb_dma_read64(d2, TB_GPA + TB_GRAM_SIZE, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	assert_int_equal(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3), n0);
	tb_dev_put(d2);
	n->ops->free(n);

	/* Once its vDEVICE goes, the device's faults stay with the host. */
	tb_vdev_fini(&w->vdev);
	assert_int_equal(tb_dma_read64(w->dev, VA, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	assert_int_equal(tb_events(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3), n0);
	assert_int_equal(tb_vdev_init(&w->vdev, &w->tv, w->dev, VSID), 0);
}

/*
 * Two devices share the guest's nested domain: a fault in either one's
 * DMA is reported with that device's own vSID, and a translation one of
 * them caused to be cached is no answer for the other (tagged by its
 * StreamID's configuration).
 */
static void test_events_name_the_device(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	struct ufd_dev *d2 = tb_dev(ops(), 0);
	const struct tb_event *e;
	struct ufd_vdevice vdev2;
	uint64_t v;

	assert_int_equal(tb_vdev_init(&vdev2, &w->tv, d2, VSID + 1), 0);
	assert_int_equal(ufd_dev_set_domain(d2, w->nested), 0);
	tb_gmap(&w->g, VA, w->pa, TB_PAGE, true);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
	/* d2 reads first, then the first device: both hit their own way. */
	assert_int_equal(tb_dma_read64(d2, VA, &v), 0);
	assert_int_equal(v, 0xa);
	assert_true(tb_cached(d2, VA));
	assert_int_equal(rd(w, VA), 0xa);
	/* Faults, from the second device and then the first. */
	assert_int_equal(tb_dma_read64(d2, VA + TB_PAGE, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_ID),
			 SMMU_EVT_F_TRANSLATION);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_SID), VSID + 1);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), -EFAULT);
	ufd_smmuv3_evtq_poll(smmu);
	e = tb_last_event(&w->tv, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(smmu_dget(e->data, SMMU_EVT_SID), VSID);
	assert_int_equal(ufd_dev_set_domain(d2, NULL), 0);
	tb_vdev_fini(&vdev2);
	tb_dev_put(d2);
	tb_gunmap(&w->g, VA, TB_PAGE);
	inv1(w, tb_cmd0(SMMU_CMD_TLBI_NH_ALL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_viommu_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vdevice_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nested_attach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_forms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cfgi_cd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_shapes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_isolation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_name_the_device,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
