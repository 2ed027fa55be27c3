// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock IOMMU's nesting and vIOMMU: what the kernel selftests' mock
 * driver offers for IOMMU_HWPT_ALLOC of nested HWPTs, IOMMU_VIOMMU_ALLOC of
 * IOMMU_VIOMMU_TYPE_SELFTEST and everything hanging off it. See mock.h.
 *
 * A nested mock domain has no stage-1 table: it carries four "IOTLB"
 * values (set from struct iommu_hwpt_selftest, cleared by invalidations)
 * that tests read back, and translates DMA exactly as its parent does.
 * A mock device carries a four-entry cache that vIOMMU invalidations
 * clear, and remembers the vIOMMU and virtual id it was last attached
 * through, for TRIGGER_VEVENT. A mock vIOMMU optionally exports two zeroed
 * pages whose first word holds the in_data it was created with, and takes
 * IOMMU_TEST_HW_QUEUE_MAX HW queues, each after the one below it.
 *
 * Locking: a device's viommu_lock guards its viommu and vdev_id; the
 * caches and IOTLB words are atomics (invalidation and readers race
 * benignly, as on hardware). A vIOMMU's queue_lock guards its queues.
 */
#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/shmem.h"
#include "dev/dev.h"
#include "drivers/mock/mock.h"
#include "drivers/mock/mock_priv.h"
#include "uiommufd/uapi/iommufd_test.h"

#define offsetofend(type, member)                                              \
	(offsetof(type, member) + sizeof(((type *)0)->member))

struct mock_nested {
	struct ufd_domain base;
	struct ufd_domain *parent;
	struct ufd_viommu *viommu; /* NULL: made on the parent directly */
	_Atomic uint32_t iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

struct mock_viommu {
	struct ufd_mutex queue_lock;
	struct ufd_hw_queue *queues[IOMMU_TEST_HW_QUEUE_MAX]; /* queue_lock */
	uint32_t *page; /* the exported pages, or NULL */
	uint64_t mmap_offset;
};

static const struct ufd_domain_ops mock_nested_ops;

static struct mock_nested *to_nested(struct ufd_domain *d)
{
	return container_of(d, struct mock_nested, base);
}

/** mock_domain_is_nested() - is @domain a nested domain of the mock? */
bool mock_domain_is_nested(const struct ufd_domain *domain)
{
	return domain->ops == &mock_nested_ops;
}

/**
 * mock_nested_iotlb() - IOTLB entry @id of mock nested domain @domain
 *
 * Return: 0, or -EINVAL for an id past MOCK_NESTED_DOMAIN_IOTLB_ID_MAX.
 */
int mock_nested_iotlb(struct ufd_domain *domain, uint32_t id, uint32_t *val)
{
	if (id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;
	*val = atomic_load(&to_nested(domain)->iotlb[id]);
	return 0;
}

/** mock_nested_viommu() - the vIOMMU a nested domain was made through */
struct ufd_viommu *mock_nested_viommu(struct ufd_domain *domain)
{
	return mock_domain_is_nested(domain) ? to_nested(domain)->viommu : NULL;
}

static void mock_nested_free(struct ufd_domain *domain)
{
	ufd_free(to_nested(domain));
}

/* No stage 1 to walk: the parent's translation is the answer. */
static int mock_nested_translate(struct ufd_domain *domain, uint64_t iova,
				 bool write, struct ufd_translation *out)
{
	struct ufd_domain *parent = to_nested(domain)->parent;

	return parent->ops->translate(parent, iova, write, out);
}

static int mock_nested_invalidate(struct ufd_domain *domain,
				  struct ufd_user_data_array *array)
{
	struct mock_nested *n = to_nested(domain);
	uint32_t i, done = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < array->entry_num; i++) {
		struct iommu_hwpt_invalidate_selftest inv;

		rc = ufd_user_array_entry(
			&inv, sizeof(inv), array,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, i,
			offsetofend(struct iommu_hwpt_invalidate_selftest,
				    iotlb_id));
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			for (uint32_t j = 0; j < MOCK_NESTED_DOMAIN_IOTLB_NUM;
			     j++)
				atomic_store(&n->iotlb[j], 0);
		} else {
			atomic_store(&n->iotlb[inv.iotlb_id], 0);
		}
		done++;
	}
out:
	array->entry_num = done;
	return rc;
}

static const struct ufd_domain_ops mock_nested_ops = {
	.free = mock_nested_free,
	.translate = mock_nested_translate,
	.cache_invalidate_user = mock_nested_invalidate,
};

/* A nested domain over @parent from struct iommu_hwpt_selftest. */
static struct ufd_domain *nested_new(struct ufd_domain *parent,
				     struct ufd_viommu *viommu, uint32_t flags,
				     const struct ufd_user_data *data)
{
	struct iommu_hwpt_selftest cfg;
	struct mock_nested *n;
	int rc;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);
	if (data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	rc = ufd_user_data_copy(&cfg, sizeof(cfg), data,
				IOMMU_HWPT_DATA_SELFTEST,
				offsetofend(struct iommu_hwpt_selftest, iotlb));
	if (rc)
		return ERR_PTR(rc);
	n = ufd_zalloc(sizeof(*n));
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->base.ops = &mock_nested_ops;
	n->base.owner = &ufd_mock_iommu;
	n->base.type = UFD_DOMAIN_NESTED;
	n->parent = parent;
	n->viommu = viommu;
	for (unsigned int i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		atomic_init(&n->iotlb[i], cfg.iotlb);
	return &n->base;
}

struct ufd_domain *mock_domain_alloc_nested(struct ufd_dev *dev,
					    struct ufd_domain *parent,
					    uint32_t flags,
					    const struct ufd_user_data *data)
{
	if (!mock_domain_is_paging(parent))
		return ERR_PTR(-EINVAL);
	return nested_new(parent, NULL, flags, data);
}

/**
 * mock_attach_nested() - what attaching @dev to @domain means to the mock
 * @dev: a mock device
 * @domain: the domain it is being attached to, or NULL
 *
 * A nested domain made through a vIOMMU needs the device's vDEVICE there
 * (-ENOENT otherwise): its virtual id is what vEVENTs report.
 *
 * Return: 0 or -ENOENT.
 */
int mock_attach_nested(struct ufd_dev *dev, struct ufd_domain *domain)
{
	struct mock_dev *md = dev->priv;
	struct ufd_viommu *viommu = NULL;
	uint64_t vdev_id = 0;
	int rc;

	if (domain && mock_domain_is_nested(domain))
		viommu = to_nested(domain)->viommu;
	if (viommu) {
		rc = viommu->core->vdev_id(viommu, dev, &vdev_id);
		if (rc)
			return rc;
	}
	ufd_rwlock_wrlock(&md->viommu_lock);
	md->viommu = viommu;
	md->vdev_id = vdev_id;
	ufd_rwlock_unlock(&md->viommu_lock);
	return 0;
}

/**
 * mock_dev_trigger_vevent() - report an event about @dev to its vIOMMU
 *
 * Return: 0; -ENOENT (not attached through a vIOMMU, or virtual id 0);
 * the report's errors (-EOPNOTSUPP: no vEVENTQ of the mock's type).
 */
int mock_dev_trigger_vevent(struct ufd_dev *dev)
{
	struct mock_dev *md = dev->priv;
	struct iommu_viommu_event_selftest ev = { 0 };
	int rc = -ENOENT;

	ufd_rwlock_rdlock(&md->viommu_lock);
	if (md->viommu && md->vdev_id) {
		ev.virt_id = (uint32_t)md->vdev_id;
		rc = md->viommu->core->report_event(md->viommu,
						    IOMMU_VEVENTQ_TYPE_SELFTEST,
						    &ev, sizeof(ev));
	}
	ufd_rwlock_unlock(&md->viommu_lock);
	return rc;
}

/** mock_dev_cache() - entry @id of a mock device's cache */
int mock_dev_cache(struct ufd_dev *dev, uint32_t id, uint32_t *val)
{
	struct mock_dev *md = dev->priv;

	if (id > MOCK_DEV_CACHE_ID_MAX)
		return -EINVAL;
	*val = atomic_load(&md->cache[id]);
	return 0;
}

static struct ufd_domain *
mock_viommu_alloc_nested(struct ufd_viommu *viommu, uint32_t flags,
			 const struct ufd_user_data *data)
{
	return nested_new(viommu->parent, viommu, flags, data);
}

/* Clears the cache entries one request names; vDEVICE table locked. */
static int inval_dev(void *arg, struct ufd_vdevice *vdev)
{
	const struct iommu_viommu_invalidate_selftest *cmd = arg;
	struct mock_dev *md = vdev->dev->priv;

	if (cmd->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
		for (unsigned int i = 0; i < MOCK_DEV_CACHE_NUM; i++)
			atomic_store(&md->cache[i], 0);
	} else {
		atomic_store(&md->cache[cmd->cache_id], 0);
	}
	return 0;
}

static int mock_viommu_invalidate(struct ufd_viommu *viommu,
				  struct ufd_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest *cmds;
	uint32_t i = 0;
	int rc;

	/* An empty array of the right type probes for support. */
	if (!array->entry_num &&
	    array->type == IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	cmds = ufd_calloc(array->entry_num ? array->entry_num : 1,
			  sizeof(*cmds));
	if (!cmds) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ufd_user_array_copy_all(cmds, sizeof(*cmds), array,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST);
	for (; !rc && i < array->entry_num; i++) {
		if (cmds[i].flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (cmds[i].cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		rc = viommu->core->with_vdev(viommu, cmds[i].vdev_id, inval_dev,
					     &cmds[i]);
		if (rc)
			break;
	}
	ufd_free(cmds);
out:
	array->entry_num = i;
	return rc;
}

static bool mock_hw_queue_supported(struct ufd_viommu *viommu, uint32_t type)
{
	return type == IOMMU_HW_QUEUE_TYPE_SELFTEST;
}

static void mock_hw_queue_destroy(struct ufd_hw_queue *q)
{
	struct mock_viommu *mv = q->viommu->priv;
	struct ufd_hw_queue *prev = q->priv;

	ufd_mutex_lock(&mv->queue_lock);
	mv->queues[q->index] = NULL;
	if (prev)
		q->viommu->core->hw_queue_undepend(q, prev);
	ufd_mutex_unlock(&mv->queue_lock);
}

static int mock_hw_queue_init(struct ufd_hw_queue *q, uint64_t base)
{
	struct ufd_viommu *viommu = q->viommu;
	struct mock_viommu *mv = viommu->priv;
	struct ufd_translation t = { 0 };
	struct ufd_hw_queue *prev = NULL;
	int rc = 0;

	if (q->index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;
	ufd_mutex_lock(&mv->queue_lock);
	if (mv->queues[q->index]) {
		rc = -EEXIST;
		goto out_unlock;
	}
	/* Queues come in index order: each depends on the one below. */
	if (q->index) {
		prev = mv->queues[q->index - 1];
		if (!prev) {
			rc = -EIO;
			goto out_unlock;
		}
	}
	/* The core's physical address must be what the parent maps. */
	if (viommu->parent->ops->translate(viommu->parent, q->base_iova, false,
					   &t) ||
	    t.addr != base) {
		rc = -EFAULT;
		goto out_unlock;
	}
	if (prev) {
		rc = viommu->core->hw_queue_depend(q, prev);
		if (rc)
			goto out_unlock;
	}
	q->priv = prev;
	q->destroy = mock_hw_queue_destroy;
	mv->queues[q->index] = q;
out_unlock:
	ufd_mutex_unlock(&mv->queue_lock);
	return rc;
}

static void mock_viommu_destroy(struct ufd_viommu *viommu)
{
	struct mock_viommu *mv = viommu->priv;

	if (mv->page) {
		viommu->core->destroy_mmap(viommu, mv->mmap_offset);
		ufd_shmem_free(mv->page);
	}
	ufd_mutex_destroy(&mv->queue_lock);
	ufd_free(mv);
}

static const struct ufd_viommu_ops mock_viommu_ops = {
	.destroy = mock_viommu_destroy,
	.alloc_domain_nested = mock_viommu_alloc_nested,
	.cache_invalidate = mock_viommu_invalidate,
	.hw_queue_supported = mock_hw_queue_supported,
	.hw_queue_init = mock_hw_queue_init,
};

bool mock_viommu_supported(struct ufd_dev *dev, uint32_t type)
{
	return type == IOMMU_VIOMMU_TYPE_SELFTEST;
}

/* The loopback of struct iommu_viommu_selftest and its exported pages. */
static int viommu_export(struct ufd_viommu *viommu, struct mock_viommu *mv,
			 const struct ufd_user_data *data)
{
	size_t len = 2 * (size_t)sysconf(_SC_PAGESIZE);
	struct iommu_viommu_selftest cfg;
	int rc;

	rc = ufd_user_data_copy(
		&cfg, sizeof(cfg), data, IOMMU_VIOMMU_TYPE_SELFTEST,
		offsetofend(struct iommu_viommu_selftest, out_data));
	if (rc)
		return rc;
	mv->page = ufd_shmem_alloc(len);
	if (IS_ERR(mv->page)) {
		rc = PTR_ERR(mv->page);
		mv->page = NULL;
		return rc;
	}
	rc = viommu->core->alloc_mmap(viommu, mv->page, len, &mv->mmap_offset);
	if (rc)
		goto out_free;
	*mv->page = cfg.in_data;
	cfg.out_data = cfg.in_data;
	cfg.out_mmap_offset = mv->mmap_offset;
	cfg.out_mmap_length = len;
	rc = ufd_user_data_respond(
		data, &cfg, sizeof(cfg), IOMMU_VIOMMU_TYPE_SELFTEST,
		offsetofend(struct iommu_viommu_selftest, out_data));
	if (rc)
		goto out_unmap;
	return 0;

out_unmap:
	viommu->core->destroy_mmap(viommu, mv->mmap_offset);
out_free:
	ufd_shmem_free(mv->page);
	mv->page = NULL;
	return rc;
}

int mock_viommu_init(struct ufd_viommu *viommu,
		     const struct ufd_user_data *data)
{
	struct mock_viommu *mv;
	int rc;

	if (!mock_domain_is_paging(viommu->parent))
		return -EINVAL;
	mv = ufd_zalloc(sizeof(*mv));
	if (!mv)
		return -ENOMEM;
	if (data) {
		rc = viommu_export(viommu, mv, data);
		if (rc) {
			ufd_free(mv);
			return rc;
		}
	}
	ufd_mutex_init(&mv->queue_lock);
	viommu->priv = mv;
	viommu->ops = &mock_viommu_ops;
	return 0;
}
