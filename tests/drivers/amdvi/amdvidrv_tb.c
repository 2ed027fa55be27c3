// SPDX-License-Identifier: BSD-3-Clause
/* The AMD-Vi driver test bench; see amdvidrv_tb.h. */
#include "amdvidrv_tb.h"

struct ufd_amdvi *tb_instance(void (*tweak)(struct amdvi_config *cfg))
{
	const struct ufd_amdvi_opts opts = {
		.tweak = tweak,
		.evt_no_thread = true,
	};
	struct ufd_amdvi *iommu = ufd_amdvi_create(&opts);

	assert_false(IS_ERR_OR_NULL(iommu));
	return iommu;
}

struct ufd_amdvi *tb_iommu(struct ufd_dev *dev)
{
	struct ufd_amdvi *iommu = ufd_amdvi_of(dev->iommu);

	assert_false(IS_ERR_OR_NULL(iommu));
	return iommu;
}

bool tb_cached(struct ufd_dev *dev, uint32_t pasid, uint64_t iova)
{
	struct amdvi_xlate x;

	return !amdvi_translate_cached(ufd_amdvi_hw(tb_iommu(dev)),
				       ufd_amdvi_dev_devid(dev), pasid, iova,
				       AMDVI_READ, &x) &&
	       x.tlb_hit;
}

int tb_translate(struct ufd_dev *dev, uint32_t pasid, uint64_t iova)
{
	struct amdvi_xlate x;

	return amdvi_translate(ufd_amdvi_hw(tb_iommu(dev)),
			       ufd_amdvi_dev_devid(dev), pasid, iova,
			       AMDVI_READ, &x);
}

void tb_dte(struct ufd_dev *dev, uint64_t dte[AMDVI_DTE_QWORDS])
{
	assert_int_equal(ufd_amdvi_read_dte(tb_iommu(dev),
					    ufd_amdvi_dev_devid(dev), dte),
			 0);
}

unsigned int tb_last_event(struct ufd_amdvi *iommu, uint64_t *evt)
{
	uint64_t e[AMDVI_EVT_QWORDS];

	ufd_amdvi_evtlog_poll(iommu);
	if (ufd_amdvi_last_event(iommu, e))
		return 0;
	if (evt)
		memcpy(evt, e, sizeof(e));
	return (unsigned int)amdvi_dget(e, AMDVI_EVT_CODE);
}
