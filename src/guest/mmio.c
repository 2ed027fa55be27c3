// SPDX-License-Identifier: BSD-3-Clause
/*
 * The guest's register accesses, and the two bindings that take them
 * straight to a hardware model when no VMM sits in between.
 *
 * The bindings are the only code of src/guest that calls into src/hw; the
 * rest of the library sees registers only through struct guest_mmio, so
 * the same guest code drives a VMM's trapped MMIO unchanged.
 */
#include "base/spin.h"
#include "guest/guest.h"
#include "hw/smmuv3/smmuv3.h"
#include "hw/tegra241-cmdqv/cmdqv.h"

uint32_t guest_mmio_read32(const struct guest_mmio *m, uint64_t off)
{
	return m->ops->read32(m->priv, m->base + off);
}

void guest_mmio_write32(const struct guest_mmio *m, uint64_t off, uint32_t v)
{
	m->ops->write32(m->priv, m->base + off, v);
}

uint64_t guest_mmio_read64(const struct guest_mmio *m, uint64_t off)
{
	uint64_t lo;

	if (m->ops->read64)
		return m->ops->read64(m->priv, m->base + off);
	lo = guest_mmio_read32(m, off);
	return lo | (uint64_t)guest_mmio_read32(m, off + 4) << 32;
}

void guest_mmio_write64(const struct guest_mmio *m, uint64_t off, uint64_t v)
{
	if (m->ops->write64) {
		m->ops->write64(m->priv, m->base + off, v);
		return;
	}
	guest_mmio_write32(m, off, (uint32_t)v);
	guest_mmio_write32(m, off + 4, (uint32_t)(v >> 32));
}

void guest_mmio_relax(const struct guest_mmio *m, unsigned int round)
{
	if (m->ops->relax)
		m->ops->relax(m->priv, round);
	else
		ufd_poll_relax(round);
}

/* --- an SMMUv3 model's registers --- */

static uint32_t smmu_rd32(void *priv, uint64_t off)
{
	return (uint32_t)smmuv3_mmio_read(priv, off, 4);
}

/* A write the model refuses is dropped, as the bus would drop it. */
static void smmu_wr32(void *priv, uint64_t off, uint32_t v)
{
	(void)smmuv3_mmio_write(priv, off, 4, v);
}

static uint64_t smmu_rd64(void *priv, uint64_t off)
{
	return smmuv3_mmio_read(priv, off, 8);
}

static void smmu_wr64(void *priv, uint64_t off, uint64_t v)
{
	(void)smmuv3_mmio_write(priv, off, 8, v);
}

static const struct guest_mmio_ops smmu_mmio_ops = {
	.read32 = smmu_rd32,
	.write32 = smmu_wr32,
	.read64 = smmu_rd64,
	.write64 = smmu_wr64,
};

void guest_mmio_bind_smmuv3(struct guest_mmio *m, struct smmuv3 *smmu)
{
	m->ops = &smmu_mmio_ops;
	m->priv = smmu;
	m->base = 0;
}

/* --- a VINTF page of a CMDQV model: 32-bit registers only --- */

static uint32_t vintf_rd32(void *priv, uint64_t off)
{
	struct guest_vintf_port *p = priv;

	return (uint32_t)cmdqv_vintf_mmio_read(p->cmdqv, p->vintf, off, 4);
}

static void vintf_wr32(void *priv, uint64_t off, uint32_t v)
{
	struct guest_vintf_port *p = priv;

	(void)cmdqv_vintf_mmio_write(p->cmdqv, p->vintf, off, 4, v);
}

static void vintf_relax(void *priv, unsigned int round)
{
	struct guest_vintf_port *p = priv;

	if (p->kick)
		cmdqv_kick(p->cmdqv);
	else
		ufd_poll_relax(round);
}

static const struct guest_mmio_ops vintf_mmio_ops = {
	.read32 = vintf_rd32,
	.write32 = vintf_wr32,
	.relax = vintf_relax,
};

void guest_mmio_bind_vintf(struct guest_mmio *m, struct guest_vintf_port *port)
{
	m->ops = &vintf_mmio_ops;
	m->priv = port;
	m->base = 0;
}
