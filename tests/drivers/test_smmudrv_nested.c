// SPDX-License-Identifier: BSD-3-Clause
/*
 * The SMMUv3 driver, layer 2: nested domains from a guest's STE over a
 * stage-2 nesting parent (iommu_ops.domain_alloc_nested, no vIOMMU).
 *
 * The guest is real: its stage-1 table and CD table live in guest RAM,
 * which the host maps in the parent at TB_GPA; the SMMU model walks them
 * through stage 2. Tests check the vSTE validation Linux does, the STE the
 * driver installs, DMA through both stages, what a hostile guest can and
 * cannot reach, and that host changes to the stage 2 reach nested
 * translations cached in the IOTLB.
 */
#include "smmudrv_tb.h"

#include "hw/smmuv3/smmuv3.h"

#define VA 0x70000000ull

struct world {
	struct ufd_dev *dev;
	struct ufd_domain *s2;
	struct tb_guest g;
	uint64_t data_gpa; /* 4 guest pages the guest maps at VA */
};

static const struct ufd_iommu_ops *ops(void)
{
	return &ufd_smmuv3_iommu;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	w->dev = tb_dev(ops(), 0);
	w->s2 = tb_paging(w->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	tb_guest_init(&w->g, w->s2, 0x31);
	w->data_gpa = tb_galloc(&w->g, 4 * TB_PAGE, TB_PAGE);
	tb_gmap(&w->g, VA, w->data_gpa, 3 * TB_PAGE, true);
	tb_gmap(&w->g, VA + 3 * TB_PAGE, w->data_gpa + 3 * TB_PAGE, TB_PAGE,
		false);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	tb_dev_put(w->dev);
	tb_guest_fini(&w->g, w->s2);
	tb_domain_free(w->s2);
	free(w);
	return 0;
}

static struct ufd_domain *nested(struct world *w, const uint64_t ste[2],
				 size_t len)
{
	uint64_t buf[4] = { ste[0], ste[1], 0, 0 };
	struct ufd_user_data data =
		tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, buf, len);

	return ops()->domain_alloc_nested(w->dev, w->s2, 0, &data);
}

static long nested_err(struct world *w, const uint64_t ste[2])
{
	struct ufd_domain *d = nested(w, ste, 16);

	if (IS_ERR(d))
		return PTR_ERR(d);
	d->ops->free(d);
	return 0;
}

static void test_vste_validation(void **state)
{
	struct world *w = *state;
	uint64_t good[2], ste[2], buf[3];
	/* Every bit of words 0 and 1 outside Linux's allowed fields. */
	const uint64_t allowed0 =
		smmu_dmask(SMMU_STE_V) | smmu_dmask(SMMU_STE_CONFIG) |
		smmu_dmask(SMMU_STE_S1FMT) | smmu_dmask(SMMU_STE_S1CTXPTR) |
		smmu_dmask(SMMU_STE_S1CDMAX);
	const uint64_t allowed1 =
		smmu_dmask(SMMU_STE_S1DSS) | smmu_dmask(SMMU_STE_S1CIR) |
		smmu_dmask(SMMU_STE_S1COR) | smmu_dmask(SMMU_STE_S1CSH) |
		smmu_dmask(SMMU_STE_S1STALLD) | smmu_dmask(SMMU_STE_EATS);
	struct ufd_user_data data;
	struct ufd_domain *d;
	unsigned int bit, cfg, eats;

	tb_gste(&w->g, good);
	assert_int_equal(nested_err(w, good), 0);
	for (bit = 0; bit < 64; bit++) {
		ste[0] = good[0] | (1ull << bit);
		ste[1] = good[1];
		if (!((allowed0 >> bit) & 1))
			assert_int_equal(nested_err(w, ste), -EIO);
		ste[0] = good[0];
		ste[1] = good[1] | (1ull << bit);
		if (!((allowed1 >> bit) & 1))
			assert_int_equal(nested_err(w, ste), -EIO);
	}
	/* Config: abort (0), bypass (4), stage-1 translate (5) only. */
	for (cfg = 0; cfg < 8; cfg++) {
		ste[0] = good[0];
		ste[1] = good[1];
		smmu_dset(ste, SMMU_STE_CONFIG, cfg);
		assert_int_equal(nested_err(w, ste),
				 cfg == 0 || cfg == 4 || cfg == 5 ? 0 : -EIO);
	}
	/* EATS: abort or full ATS; split-stage and reserved are EIO. */
	for (eats = 0; eats < 4; eats++) {
		ste[0] = good[0];
		ste[1] = good[1];
		smmu_dset(ste, SMMU_STE_EATS, eats);
		assert_int_equal(nested_err(w, ste), eats < 2 ? 0 : -EIO);
	}
	/* V = 0: anything else is ignored, the domain aborts. */
	ste[0] = ~1ull;
	ste[1] = ~0ull;
	assert_int_equal(nested_err(w, ste), 0);

	/* The data: type, size, flags, parent. */
	data = tb_udata(IOMMU_HWPT_DATA_VTD_S1, good, 16);
	assert_int_equal(
		PTR_ERR(ops()->domain_alloc_nested(w->dev, w->s2, 0, &data)),
		-EOPNOTSUPP);
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, good, 16);
	assert_int_equal(PTR_ERR(ops()->domain_alloc_nested(
				 w->dev, w->s2, IOMMU_HWPT_ALLOC_PASID, &data)),
			 -EOPNOTSUPP);
	assert_int_equal(PTR_ERR(nested(w, good, 8)), -EINVAL);
	buf[0] = good[0];
	buf[1] = good[1];
	buf[2] = 0;
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, buf, 24);
	assert_int_equal(
		PTR_ERR(ops()->domain_alloc_nested(w->dev, w->s2, 0, &data)),
		-EINVAL);
	data = tb_udata(IOMMU_HWPT_DATA_ARM_SMMUV3, good, 16);
	d = tb_paging(w->dev, 0); /* stage 1: not a nesting parent */
	assert_int_equal(
		PTR_ERR(ops()->domain_alloc_nested(w->dev, d, 0, &data)),
		-EINVAL);
	tb_domain_free(d);
	assert_int_equal(
		PTR_ERR(ops()->domain_alloc_nested(w->dev, NULL, 0, &data)),
		-EINVAL);
}

static void test_nested_dma(void **state)
{
	struct world *w = *state;
	struct ufd_smmuv3 *smmu = ufd_smmuv3_default();
	uint64_t ste[2], pste[SMMU_STE_DWORDS], s2ste[SMMU_STE_DWORDS], v;
	struct ufd_smmuv3_domain_info info;
	struct ufd_domain *d;
	uint64_t *data = tb_gpa_ptr(&w->g, w->data_gpa);

	tb_gste(&w->g, ste);
	d = nested(w, ste, 16);
	assert_false(IS_ERR(d));
	assert_int_equal(d->type, UFD_DOMAIN_NESTED);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);

	/* The STE: nested, the guest's stage-1 words, the parent's S2. */
	assert_int_equal(ufd_smmuv3_domain_info(w->s2, &info), 0);
	assert_int_equal(
		ufd_smmuv3_read_ste(smmu, ufd_smmuv3_dev_sid(w->dev), pste), 0);
	assert_int_equal(smmu_dget(pste, SMMU_STE_CONFIG), SMMU_STE_CFG_NESTED);
	assert_int_equal(smmu_dget(pste, SMMU_STE_S1CTXPTR), w->g.cd_gpa >> 6);
	assert_int_equal(smmu_dget(pste, SMMU_STE_S1CSH), 3);
	assert_int_equal(smmu_dget(pste, SMMU_STE_MEV), 1);
	assert_int_equal(smmu_dget(pste, SMMU_STE_EATS), 0);
	assert_int_equal(smmu_dget(pste, SMMU_STE_S2VMID), info.vmid);
	assert_int_equal(ufd_dev_set_domain(w->dev, w->s2), 0);
	assert_int_equal(ufd_smmuv3_read_ste(smmu, ufd_smmuv3_dev_sid(w->dev),
					     s2ste),
			 0);
	assert_int_equal(pste[2], s2ste[2]);
	assert_int_equal(pste[3], s2ste[3]);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);

	/* Through both stages into guest RAM. */
	assert_int_equal(tb_dma_write64(w->dev, VA + TB_PAGE + 8, 0x55aa), 0);
	assert_int_equal(data[TB_PAGE / 8 + 1], 0x55aa);
	data[2 * TB_PAGE / 8] = 0x77;
	assert_int_equal(tb_dma_read64(w->dev, VA + 2 * TB_PAGE, &v), 0);
	assert_int_equal(v, 0x77);
	/* The guest's read-only page; the guest's unmapped page. */
	assert_int_equal(tb_dma_read64(w->dev, VA + 3 * TB_PAGE, &v), 0);
	assert_int_equal(tb_dma_write64(w->dev, VA + 3 * TB_PAGE, 1), -EPERM);
	assert_int_equal(tb_dma_write64(w->dev, VA + 4 * TB_PAGE, 1), -EFAULT);
	/* A GPA is not a VA here: stage 1 translates it (to nothing). */
	assert_int_equal(tb_dma_read64(w->dev, w->data_gpa, &v), -EFAULT);

	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
}

static void test_bypass_abort(void **state)
{
	struct world *w = *state;
	uint64_t ste[2] = { 0, 0 }, v;
	uint64_t *data = tb_gpa_ptr(&w->g, w->data_gpa);
	struct ufd_domain *d;

	/* Bypass: the parent alone, GPA in. */
	smmu_dset(ste, SMMU_STE_V, 1);
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_BYPASS);
	d = nested(w, ste, 16);
	assert_false(IS_ERR(d));
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	data[0] = 0x99;
	assert_int_equal(tb_dma_read64(w->dev, w->data_gpa, &v), 0);
	assert_int_equal(v, 0x99);
	assert_int_equal(tb_dma_read64(w->dev, TB_GPA + TB_GRAM_SIZE, &v),
			 -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);

	/* Abort, and an invalid STE, abort everything. */
	smmu_dset(ste, SMMU_STE_CONFIG, SMMU_STE_CFG_ABORT);
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(tb_dma_read64(w->dev, w->data_gpa, &v), -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
	ste[0] = 0;
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(tb_dma_read64(w->dev, w->data_gpa, &v), -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
}

/*
 * A guest pointing its tables anywhere reaches only what the host mapped
 * for it; another device keeps working.
 */
static void test_hostile_guest(void **state)
{
	struct world *w = *state;
	struct ufd_dev *other = tb_dev(ops(), 0);
	struct ufd_domain *od = tb_paging(other, 0), *d;
	uint8_t *obuf = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t ste[2], v, *cd;
	static const uint64_t wild[] = {
		0,
		0x1000,
		TB_GPA + TB_GRAM_SIZE,
		0xfffffffff000ull,
		0x7fffffffe000ull,
	};
	unsigned int i;

	*(uint64_t *)obuf = 0x0dd;
	tb_map(od, 0x1000, obuf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(other, od), 0);

	/* Stage 1 maps pages to GPAs stage 2 does not have. */
	for (i = 0; i < ARRAY_SIZE(wild); i++)
		tb_gmap(&w->g, 0x10000000ull + i * TB_PAGE, wild[i], TB_PAGE,
			true);
	tb_gste(&w->g, ste);
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	for (i = 0; i < ARRAY_SIZE(wild); i++)
		assert_int_equal(tb_dma_write64(w->dev,
						0x10000000ull + i * TB_PAGE,
						0xbad),
				 -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);

	/* The CD table outside guest RAM, or at the host's addresses. */
	for (i = 0; i < ARRAY_SIZE(wild); i++) {
		tb_gste(&w->g, ste);
		smmu_dset(ste, SMMU_STE_S1CTXPTR, wild[i] >> 6);
		d = nested(w, ste, 16);
		assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
		assert_int_equal(tb_dma_write64(w->dev, VA, 0xbad), -EFAULT);
		assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
		d->ops->free(d);
	}
	tb_gste(&w->g, ste);
	smmu_dset(ste, SMMU_STE_S1CTXPTR,
		  (uint64_t)(uintptr_t)obuf >> 6); /* a host address */
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(tb_dma_write64(w->dev, VA, 0xbad), -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);

	/* Garbage CDs and STE fields the SMMU itself refuses. */
	cd = tb_gpa_ptr(&w->g, w->g.cd_gpa);
	for (i = 0; i < 8; i++)
		cd[i] = 0x5555aaaa5555aaaaull ^ (i * 0x1111);
	tb_gste(&w->g, ste);
	smmu_dset(ste, SMMU_STE_S1CDMAX, 31);
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(tb_dma_write64(w->dev, VA, 0xbad), -EFAULT);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
	tb_gcd_write(&w->g, true);

	/* Nothing of it touched the host's device. */
	assert_int_equal(tb_dma_read64(other, 0x1000, &v), 0);
	assert_int_equal(v, 0x0dd);
	assert_int_equal(*(uint64_t *)obuf, 0x0dd);
	tb_dev_put(other);
	tb_unmap(od, 0x1000, TB_PAGE);
	tb_domain_free(od);
	tb_buf_free(obuf);
}

/* Host changes to stage 2 reach combined entries of nested streams. */
static void test_s2_unmap_reaches_nested(void **state)
{
	struct world *w = *state;
	uint8_t *spare = tb_buf(TB_PAGE, TB_PAGE);
	uint64_t ste[2], v, page_gpa = w->data_gpa + TB_PAGE;
	uint8_t *guest_page = tb_gpa_ptr(&w->g, page_gpa);
	struct ufd_domain *d;

	*(uint64_t *)guest_page = 0x1111;
	*(uint64_t *)spare = 0x2222;
	tb_gste(&w->g, ste);
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), 0);
	assert_int_equal(v, 0x1111);
	assert_true(tb_cached(w->dev, VA + TB_PAGE));

	/* The host takes the guest page away... */
	assert_int_equal(tb_unmap(w->s2, page_gpa, TB_PAGE), TB_PAGE);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), -EFAULT);
	/* ... and puts another one there. */
	tb_map(w->s2, page_gpa, spare, TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), 0);
	assert_int_equal(v, 0x2222);
	/* Put guest RAM back as it was. */
	tb_unmap(w->s2, page_gpa, TB_PAGE);
	tb_map(w->s2, page_gpa, guest_page, TB_PAGE, RW);
	assert_int_equal(tb_dma_read64(w->dev, VA + TB_PAGE, &v), 0);
	assert_int_equal(v, 0x1111);

	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
	tb_buf_free(spare);
}

/* The parent serves a nested stream and a plain stage-2 stream at once. */
static void test_parent_shared(void **state)
{
	struct world *w = *state;
	struct ufd_dev *plain = tb_dev(ops(), 0);
	uint64_t ste[2], v;
	uint64_t *data = tb_gpa_ptr(&w->g, w->data_gpa);
	struct ufd_domain *d;

	tb_gste(&w->g, ste);
	d = nested(w, ste, 16);
	assert_int_equal(ufd_dev_set_domain(w->dev, d), 0);
	assert_int_equal(ufd_dev_set_domain(plain, w->s2), 0);
	data[5] = 0xfeed;
	assert_int_equal(tb_dma_read64(w->dev, VA + 40, &v), 0);
	assert_int_equal(v, 0xfeed);
	assert_int_equal(tb_dma_read64(plain, w->data_gpa + 40, &v), 0);
	assert_int_equal(v, 0xfeed);
	tb_dev_put(plain);
	assert_int_equal(ufd_dev_set_domain(w->dev, NULL), 0);
	d->ops->free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vste_validation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nested_dma, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bypass_abort, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_guest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_s2_unmap_reaches_nested,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_shared, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
