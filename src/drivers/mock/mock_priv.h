/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of the mock driver share: its per-device state and the
 * entry points nested.c gives the ops table in mock.c.
 */
#ifndef UIOMMUFD_DRIVERS_MOCK_PRIV_H
#define UIOMMUFD_DRIVERS_MOCK_PRIV_H

#include <stdatomic.h>
#include <stdint.h>

#include "base/lock.h"
#include "drivers/driver.h"
#include "uiommufd/uapi/iommufd_test.h"

/*
 * A mock device's state (ufd_dev.priv). viommu_lock guards viommu and
 * vdev_id: the vIOMMU and virtual id the device was last attached through
 * (a nested domain of that vIOMMU), for TRIGGER_VEVENT.
 */
struct mock_dev {
	_Atomic uint32_t cache[MOCK_DEV_CACHE_NUM];
	/*
	 * PASID 1024 fails every other attach with ENOMEM, so tests reach
	 * the core's rollback of a failed replace, as the kernel's mock.
	 */
	atomic_bool pasid_1024_fail_next;
	struct ufd_rwlock viommu_lock;
	struct ufd_viommu *viommu;
	uint64_t vdev_id;
};

struct ufd_domain *mock_domain_alloc_nested(struct ufd_dev *dev,
					    struct ufd_domain *parent,
					    uint32_t flags,
					    const struct ufd_user_data *data);
int mock_attach_nested(struct ufd_dev *dev, struct ufd_domain *domain);
bool mock_viommu_supported(struct ufd_dev *dev, uint32_t type);
int mock_viommu_init(struct ufd_viommu *viommu,
		     const struct ufd_user_data *data);

#endif
