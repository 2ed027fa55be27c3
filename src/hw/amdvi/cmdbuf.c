// SPDX-License-Identifier: BSD-3-Clause
/*
 * The AMD-Vi command buffer (2.4): the decoder and the consumption loop.
 *
 * Commands are consumed synchronously, in the thread that wrote the tail
 * register (or set CmdBufEn), from the head up to the tail, with regs_lock
 * held: when amdvi_mmio_write() returns, every command before the tail has
 * taken effect, and a COMPLETION_WAIT's store is visible.
 *
 * Legality: an opcode the model does not implement (or whose feature the
 * EFR does not report: IASup, PreFSup, PPRSup), or a command with a
 * reserved bit set, is an ILLEGAL_COMMAND_ERROR; a command the model cannot
 * read, or a completion store memory refuses, is a COMMAND_HARDWARE_ERROR.
 * Either is logged with the command's physical address, and the buffer
 * stops: Status.CmdBufRun is cleared and the head stays at the failing
 * command until software restarts the buffer (CmdBufEn 0 then 1).
 *
 * INVALIDATE_IOMMU_PAGES with S = 1 encodes its size in the address, as
 * the host page table encodes large pages: the range is 2^(13 + n) bytes
 * where n is the number of ones above bit 11 before the first zero; the
 * address 0x7ffffffffffff000 therefore covers everything. PDE asks for
 * cached page directory entries too; the model caches none.
 */
#include <errno.h>
#include <string.h>

#include "hw/amdvi/amdvi_priv.h"

enum cmd_result {
	CMD_OK = 0,
	CMD_ILLEGAL,
	CMD_HW_ERROR,
};

/* The bits each opcode defines; everything else is reserved. */
static bool cmd_fields_ok(const struct amdvi *iommu, unsigned int op,
			  const uint64_t q[AMDVI_CMD_QWORDS])
{
	uint64_t m0 = amdvi_dmask(AMDVI_CMD_OPCODE), m1 = 0;

	switch (op) {
	case AMDVI_CMD_COMPLETION_WAIT:
		m0 |= amdvi_dmask(AMDVI_CMD_CW_S) |
		      amdvi_dmask(AMDVI_CMD_CW_I) |
		      amdvi_dmask(AMDVI_CMD_CW_F) |
		      amdvi_dmask(AMDVI_CMD_CW_ADDR);
		m1 = ~0ull;
		break;
	case AMDVI_CMD_INV_DEVTAB_ENTRY:
	case AMDVI_CMD_INV_INTR_TABLE:
		m0 |= amdvi_dmask(AMDVI_CMD_DEVID);
		break;
	case AMDVI_CMD_INV_IOMMU_PAGES:
		m0 |= amdvi_dmask(AMDVI_CMD_IP_PASID) |
		      amdvi_dmask(AMDVI_CMD_IP_DOMAIN_ID);
		m1 = amdvi_dmask(AMDVI_CMD_S) | amdvi_dmask(AMDVI_CMD_PDE) |
		     amdvi_dmask(AMDVI_CMD_GN) | amdvi_dmask(AMDVI_CMD_ADDR);
		break;
	case AMDVI_CMD_INV_IOTLB_PAGES:
		m0 |= amdvi_dmask(AMDVI_CMD_DEVID) |
		      amdvi_dmask(AMDVI_CMD_IT_PASID_HI) |
		      amdvi_dmask(AMDVI_CMD_IT_MAXPEND) |
		      amdvi_dmask(AMDVI_CMD_IT_QUEUEID) |
		      amdvi_dmask(AMDVI_CMD_IT_PASID_LO);
		m1 = amdvi_dmask(AMDVI_CMD_S) | amdvi_dmask(AMDVI_CMD_GN) |
		     amdvi_dmask(AMDVI_CMD_ADDR);
		break;
	case AMDVI_CMD_PREFETCH_IOMMU_PAGES:
		if (!iommu->cfg.prefetch)
			return false;
		m0 |= amdvi_dmask(AMDVI_CMD_DEVID) |
		      amdvi_dmask(AMDVI_CMD_PF_COUNT) |
		      amdvi_dmask(AMDVI_CMD_PF_PASID);
		m1 = amdvi_dmask(AMDVI_CMD_S) | amdvi_dmask(AMDVI_CMD_GN) |
		     amdvi_dmask(AMDVI_CMD_PF_INVAL) |
		     amdvi_dmask(AMDVI_CMD_ADDR);
		break;
	case AMDVI_CMD_COMPLETE_PPR_REQUEST:
		if (!iommu->cfg.ppr)
			return false;
		m0 |= amdvi_dmask(AMDVI_CMD_DEVID) |
		      amdvi_dmask(AMDVI_CMD_PPR_PASID);
		m1 = amdvi_dmask(AMDVI_CMD_GN) |
		     amdvi_dmask(AMDVI_CMD_PPR_TAG) |
		     amdvi_dmask(AMDVI_CMD_PPR_STATUS);
		break;
	case AMDVI_CMD_INV_IOMMU_ALL:
		if (!iommu->cfg.ia)
			return false;
		break;
	default:
		return false;
	}
	return !(q[0] & ~m0) && !(q[1] & ~m1);
}

/*
 * The range [*first, *last] of a page invalidation's address and S bit;
 * the size-encoding ones are not part of the address.
 */
static void inv_range(const uint64_t q[AMDVI_CMD_QWORDS], uint64_t *first,
		      uint64_t *last)
{
	uint64_t addr = amdvi_dget(q, AMDVI_CMD_ADDR) << 12;
	unsigned int lg2 = 12;

	if (amdvi_dget(q, AMDVI_CMD_S)) {
		uint64_t ones = ~amdvi_dget(q, AMDVI_CMD_ADDR);

		lg2 = ones ? 13 + (unsigned int)__builtin_ctzll(ones) : 64;
		if (lg2 > 64)
			lg2 = 64;
	}
	*first = addr & ~amdvi_mask(lg2);
	*last = *first | amdvi_mask(lg2);
}

static const struct amdvi_dev *dev_find(struct amdvi *iommu, uint16_t devid)
{
	size_t i;

	for (i = 0; i < iommu->ndevs; i++)
		if (iommu->devs[i].devid == devid)
			return &iommu->devs[i];
	return NULL;
}

/* INVALIDATE_IOTLB_PAGES: the device's ATC. */
static void inv_iotlb(struct amdvi *iommu, const uint64_t q[AMDVI_CMD_QWORDS],
		      uint64_t cmd_pa)
{
	uint16_t devid = (uint16_t)amdvi_dget(q, AMDVI_CMD_DEVID);
	uint32_t pasid = AMDVI_NO_PASID;
	const struct amdvi_dev *d;
	struct amdvi_event ev;
	uint64_t first, last;
	unsigned int lg2;
	int rc = 0;

	if (amdvi_dget(q, AMDVI_CMD_GN))
		pasid = (uint32_t)(amdvi_dget(q, AMDVI_CMD_IT_PASID_HI) << 8 |
				   amdvi_dget(q, AMDVI_CMD_IT_PASID_LO));
	inv_range(q, &first, &last);
	lg2 = last - first == ~0ull
		      ? 64
		      : (unsigned int)__builtin_ctzll(last - first + 1);
	ufd_rwlock_rdlock(&iommu->dev_lock);
	d = dev_find(iommu, devid);
	if (d && d->ops && d->ops->iotlb_inval)
		rc = d->ops->iotlb_inval(d->priv, devid, pasid, first, lg2);
	ufd_rwlock_unlock(&iommu->dev_lock);
	if (rc == -ETIMEDOUT) {
		amdvi_event_make(&ev, AMDVI_EVT_IOTLB_INV_TIMEOUT, devid, 0, 0,
				 0, cmd_pa);
		amdvi_log_event(iommu, &ev);
	}
}

static void complete_ppr(struct amdvi *iommu,
			 const uint64_t q[AMDVI_CMD_QWORDS])
{
	uint16_t devid = (uint16_t)amdvi_dget(q, AMDVI_CMD_DEVID);
	uint32_t pasid = AMDVI_NO_PASID;
	const struct amdvi_dev *d;

	if (amdvi_dget(q, AMDVI_CMD_GN))
		pasid = (uint32_t)amdvi_dget(q, AMDVI_CMD_PPR_PASID);
	ufd_rwlock_rdlock(&iommu->dev_lock);
	d = dev_find(iommu, devid);
	if (d && d->ops && d->ops->ppr_complete)
		d->ops->ppr_complete(
			d->priv, devid, pasid,
			(uint16_t)amdvi_dget(q, AMDVI_CMD_PPR_TAG),
			(unsigned int)amdvi_dget(q, AMDVI_CMD_PPR_STATUS));
	ufd_rwlock_unlock(&iommu->dev_lock);
}

static enum cmd_result cmd_exec(struct amdvi *iommu,
				const uint64_t q[AMDVI_CMD_QWORDS],
				uint64_t cmd_pa)
{
	unsigned int op = (unsigned int)amdvi_dget(q, AMDVI_CMD_OPCODE);
	struct amdvi_tlbi inv;
	uint64_t *store;

	if (!cmd_fields_ok(iommu, op, q))
		return CMD_ILLEGAL;
	switch (op) {
	case AMDVI_CMD_COMPLETION_WAIT:
		if (amdvi_dget(q, AMDVI_CMD_CW_S)) {
			store = amdvi_map(iommu,
					  amdvi_dget(q, AMDVI_CMD_CW_ADDR) << 3,
					  8, true);
			if (!store)
				return CMD_HW_ERROR;
			__atomic_store_n(store,
					 amdvi_dget(q, AMDVI_CMD_CW_DATA),
					 __ATOMIC_RELEASE);
		}
		if (amdvi_dget(q, AMDVI_CMD_CW_I)) {
			__atomic_fetch_or(&iommu->status,
					  amdvi_fmask(AMDVI_STATUS_COMWAIT_INT),
					  __ATOMIC_SEQ_CST);
			amdvi_raise(iommu, AMDVI_IRQ_COMWAIT);
		}
		break;
	case AMDVI_CMD_INV_DEVTAB_ENTRY:
		amdvi_dtec_invalidate(&iommu->dtec, false, true,
				      (uint16_t)amdvi_dget(q, AMDVI_CMD_DEVID),
				      0, 0);
		break;
	case AMDVI_CMD_INV_IOMMU_PAGES:
		memset(&inv, 0, sizeof(inv));
		inv.gn = amdvi_dget(q, AMDVI_CMD_GN);
		inv.domid = (uint16_t)amdvi_dget(q, AMDVI_CMD_IP_DOMAIN_ID);
		if (inv.gn)
			inv.pasid = (uint32_t)amdvi_dget(q, AMDVI_CMD_IP_PASID);
		inv_range(q, &inv.first, &inv.last);
		amdvi_iotlb_invalidate(&iommu->tlb, &inv);
		/* The guest CR3 of the PASID may have changed too. */
		if (inv.gn)
			amdvi_dtec_invalidate(&iommu->dtec, false, false, 0,
					      inv.domid, inv.pasid);
		break;
	case AMDVI_CMD_INV_IOTLB_PAGES:
		inv_iotlb(iommu, q, cmd_pa);
		break;
	case AMDVI_CMD_INV_INTR_TABLE:
	case AMDVI_CMD_PREFETCH_IOMMU_PAGES:
		/* No interrupt remapping; prefetching is a hint. */
		break;
	case AMDVI_CMD_COMPLETE_PPR_REQUEST:
		complete_ppr(iommu, q);
		break;
	case AMDVI_CMD_INV_IOMMU_ALL:
		memset(&inv, 0, sizeof(inv));
		inv.all = true;
		amdvi_iotlb_invalidate(&iommu->tlb, &inv);
		amdvi_dtec_invalidate(&iommu->dtec, true, false, 0, 0, 0);
		break;
	}
	return CMD_OK;
}

void amdvi_cmdbuf_run(struct amdvi *iommu)
{
	const uint64_t run = amdvi_fmask(AMDVI_STATUS_CMDBUF_RUN);
	uint64_t base = iommu->cmdbuf_base, size, head, tail, pa;
	uint64_t q[AMDVI_CMD_QWORDS];
	struct amdvi_event ev;
	enum cmd_result r;
	const uint64_t *p;

	if (!amdvi_fget(__atomic_load_n(&iommu->control, __ATOMIC_RELAXED),
			AMDVI_CTRL_CMDBUF_EN) ||
	    !(__atomic_load_n(&iommu->status, __ATOMIC_SEQ_CST) & run))
		return;
	size = (uint64_t)AMDVI_ENTRY_SIZE
	       << ufd_max(amdvi_fget(base, AMDVI_LOG_LEN),
			  (uint64_t)AMDVI_LOG_LEN_MIN);
	head = iommu->cmd_head & (size - 1);
	tail = iommu->cmd_tail & (size - 1);
	while (head != tail) {
		pa = (amdvi_fget(base, AMDVI_LOG_ADDR) << 12) + head;
		p = amdvi_map(iommu, pa, AMDVI_ENTRY_SIZE, false);
		if (!p) {
			r = CMD_HW_ERROR;
		} else {
			q[0] = __atomic_load_n(&p[0], __ATOMIC_RELAXED);
			q[1] = __atomic_load_n(&p[1], __ATOMIC_RELAXED);
			r = cmd_exec(iommu, q, pa);
		}
		if (r != CMD_OK) {
			amdvi_event_make(
				&ev,
				r == CMD_ILLEGAL
					? AMDVI_EVT_ILLEGAL_COMMAND_ERROR
					: AMDVI_EVT_COMMAND_HARDWARE_ERROR,
				0, 0, 0,
				r == CMD_ILLEGAL
					? 0
					: AMDVI_HWERR_MASTER_ABORT
						  << AMDVI_EVF_TYPE_SHIFT,
				pa);
			__atomic_fetch_and(&iommu->status, ~run,
					   __ATOMIC_SEQ_CST);
			amdvi_log_event(iommu, &ev);
			break;
		}
		amdvi_inc(&iommu->cnt.commands);
		head = (head + AMDVI_ENTRY_SIZE) & (size - 1);
		iommu->cmd_head = head;
	}
}
