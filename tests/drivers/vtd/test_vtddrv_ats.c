// SPDX-License-Identifier: BSD-3-Clause
/*
 * The VT-d driver and PCIe ATS: a device with an ATC behind a unit with a
 * device TLB (ECAP.DT) uses ATS while attached; its DMA goes through its
 * ATC, filled by Translation Requests the model answers; every unmap and
 * every entry teardown is followed by a device-TLB invalidation (with or
 * without PASID), so the ATC never serves a stale translation.
 */
#include "vtddrv_tb.h"

#include "hw/vtd/vtd.h"

#define IOVA 0x800000ull

static struct ufd_atc_stats atc(struct ufd_dev *dev)
{
	struct ufd_atc_stats st;

	assert_int_equal(ufd_dev_atc_stats(dev, &st), 0);
	return st;
}

static void ats(uint32_t flags)
{
	struct ufd_dev *dev =
		tb_dev(&ufd_vtd_iommu, UFD_DEV_ATS | UFD_DEV_PASID);
	struct ufd_domain *d = tb_paging(dev, flags);
	uint64_t *buf = tb_buf(2 * TB_PAGE, TB_PAGE), v;
	struct ufd_atc_stats st;

	assert_true(ufd_iommu_capable(&ufd_vtd_iommu, dev,
				      UFD_CAP_PCI_ATS_SUPPORTED));
	buf[0] = 0x42;
	tb_map(d, IOVA, buf, 2 * TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_true(dev->ats_enabled);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(v, 0x42);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	st = atc(dev);
	assert_true(st.requests >= 1);
	assert_true(st.hits >= 1);
	assert_true(st.entries >= 1);
	assert_int_equal(tb_dma_write64(dev, IOVA + TB_PAGE, 7), 0);
	assert_int_equal(buf[TB_PAGE / 8], 7);

	/* The unmap reaches the ATC. */
	assert_int_equal(tb_unmap(d, IOVA, TB_PAGE), TB_PAGE);
	assert_true(atc(dev).inval_reqs > st.inval_reqs);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), -EFAULT);
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), 0);

	/* A PASID's translations come and go the same way. */
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 12, d), 0);
	assert_int_equal(tb_pasid_read64(dev, 12, IOVA + TB_PAGE, &v), 0);
	assert_int_equal(v, 7);
	st = atc(dev);
	assert_int_equal(ufd_dev_set_pasid_domain(dev, 12, NULL), 0);
	assert_true(atc(dev).inval_reqs > st.inval_reqs);
	assert_int_equal(tb_pasid_read64(dev, 12, IOVA + TB_PAGE, &v), -EFAULT);

	/* Blocked: ATS off and the ATC emptied. */
	assert_int_equal(ufd_dev_set_domain(dev, NULL), 0);
	assert_false(dev->ats_enabled);
	assert_int_equal(atc(dev).entries, 0);
	assert_int_equal(tb_dma_read64(dev, IOVA + TB_PAGE, &v), -EFAULT);
	tb_dev_put(dev);
	tb_unmap(d, IOVA + TB_PAGE, TB_PAGE);
	tb_domain_free(d);
	tb_buf_free(buf);
}

static void test_ats_fs(void **state)
{
	ats(0);
}

static void test_ats_ss(void **state)
{
	ats(IOMMU_HWPT_ALLOC_NEST_PARENT);
}

static void no_dt(struct vtd_config *cfg)
{
	cfg->dt = false;
}

/* Without ECAP.DT the device never uses ATS. */
static void test_no_dt(void **state)
{
	const struct ufd_vtd_opts o = { .tweak = no_dt };
	struct ufd_vtd *vtd = ufd_vtd_create(&o);
	struct ufd_dev *dev;
	struct ufd_domain *d;
	uint64_t *buf = tb_buf(TB_PAGE, TB_PAGE), v;

	assert_false(IS_ERR(vtd));
	dev = tb_dev(ufd_vtd_ops(vtd), UFD_DEV_ATS);
	assert_false(ufd_iommu_capable(ufd_vtd_ops(vtd), dev,
				       UFD_CAP_PCI_ATS_SUPPORTED));
	d = tb_paging(dev, 0);
	tb_map(d, IOVA, buf, TB_PAGE, RW);
	assert_int_equal(ufd_dev_set_domain(dev, d), 0);
	assert_false(dev->ats_enabled);
	assert_int_equal(tb_dma_read64(dev, IOVA, &v), 0);
	assert_int_equal(atc(dev).requests, 0);
	tb_dev_put(dev);
	tb_unmap(d, IOVA, TB_PAGE);
	tb_domain_free(d);
	ufd_vtd_destroy(vtd);
	tb_buf_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ats_fs),
		cmocka_unit_test(test_ats_ss),
		cmocka_unit_test(test_no_dt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
