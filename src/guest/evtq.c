// SPDX-License-Identifier: BSD-3-Clause
/*
 * The guest's event queue consumer and event record decoder (7.2-7.4).
 *
 * The SMMU produces 32-byte records at EVENTQ_PROD; the guest reads them
 * at EVENTQ_CONS and moves CONS past each, so the slot is the SMMU's
 * again. A full queue makes the SMMU drop records and toggle PROD.OVFLG;
 * the guest acknowledges by copying it into CONS.OVACKFLG, after which the
 * next overflow can be signalled.
 *
 * Which fields a record carries depends on its type (7.3); the decoder
 * fills only those and says so with the has_* flags, so a test can tell
 * "address 0" from "no address".
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "guest/guest.h"

#define EVTQ_ENABLE_TIMEOUT_NS 2000000000ull

struct guest_evtq {
	struct guest_ram *ram;
	struct guest_mmio mmio;
	unsigned int log2size;
	uint64_t gpa;
	uint64_t *ring;
	uint32_t cons; /* CONS as last written: index | wrap | OVACKFLG */
	unsigned int overflows;
};

static const char *const event_names[] = {
	[SMMU_EVT_F_UUT] = "F_UUT",
	[SMMU_EVT_C_BAD_STREAMID] = "C_BAD_STREAMID",
	[SMMU_EVT_F_STE_FETCH] = "F_STE_FETCH",
	[SMMU_EVT_C_BAD_STE] = "C_BAD_STE",
	[SMMU_EVT_F_BAD_ATS_TREQ] = "F_BAD_ATS_TREQ",
	[SMMU_EVT_F_STREAM_DISABLED] = "F_STREAM_DISABLED",
	[SMMU_EVT_F_TRANSL_FORBIDDEN] = "F_TRANSL_FORBIDDEN",
	[SMMU_EVT_C_BAD_SUBSTREAMID] = "C_BAD_SUBSTREAMID",
	[SMMU_EVT_F_CD_FETCH] = "F_CD_FETCH",
	[SMMU_EVT_C_BAD_CD] = "C_BAD_CD",
	[SMMU_EVT_F_WALK_EABT] = "F_WALK_EABT",
	[SMMU_EVT_F_TRANSLATION] = "F_TRANSLATION",
	[SMMU_EVT_F_ADDR_SIZE] = "F_ADDR_SIZE",
	[SMMU_EVT_F_ACCESS] = "F_ACCESS",
	[SMMU_EVT_F_PERMISSION] = "F_PERMISSION",
	[SMMU_EVT_F_TLB_CONFLICT] = "F_TLB_CONFLICT",
	[SMMU_EVT_F_CFG_CONFLICT] = "F_CFG_CONFLICT",
	[SMMU_EVT_E_PAGE_REQUEST] = "E_PAGE_REQUEST",
};

const char *guest_event_name(unsigned int id)
{
	if (id < ARRAY_SIZE(event_names) && event_names[id])
		return event_names[id];
	return "UNKNOWN";
}

/* Faults of a translation stage: F_TRANSLATION .. F_PERMISSION. */
static bool is_walk_fault(unsigned int id)
{
	return id >= SMMU_EVT_F_TRANSLATION && id <= SMMU_EVT_F_PERMISSION;
}

void guest_event_decode(const uint64_t raw[SMMU_EVT_DWORDS],
			struct guest_event *ev)
{
	unsigned int id = smmu_dget(raw, SMMU_EVT_ID);
	bool xlate = is_walk_fault(id) || id == SMMU_EVT_F_WALK_EABT;

	memset(ev, 0, sizeof(*ev));
	memcpy(ev->raw, raw, sizeof(ev->raw));
	ev->id = (uint8_t)id;
	ev->sid = (uint32_t)smmu_dget(raw, SMMU_EVT_SID);
	if (id == SMMU_EVT_C_BAD_SUBSTREAMID) {
		/* The record names the SubstreamID without an SSV bit. */
		ev->ssv = true;
		ev->ssid = (uint32_t)smmu_dget(raw, SMMU_EVT_SSID);
	} else if (id != SMMU_EVT_F_STREAM_DISABLED &&
		   smmu_dget(raw, SMMU_EVT_SSV)) {
		ev->ssv = true;
		ev->ssid = (uint32_t)smmu_dget(raw, SMMU_EVT_SSID);
	}
	if (xlate || id == SMMU_EVT_F_UUT) {
		ev->stall = smmu_dget(raw, SMMU_EVT_STALL);
		if (ev->stall)
			ev->stag = (uint16_t)smmu_dget(raw, SMMU_EVT_STAG);
	}
	if (xlate || id == SMMU_EVT_F_UUT || id == SMMU_EVT_F_BAD_ATS_TREQ ||
	    id == SMMU_EVT_F_TRANSL_FORBIDDEN) {
		ev->pnu = smmu_dget(raw, SMMU_EVT_PNU);
		ev->ind = smmu_dget(raw, SMMU_EVT_IND);
		ev->rnw = smmu_dget(raw, SMMU_EVT_RNW);
		ev->has_addr = true;
		ev->input_addr = smmu_dget(raw, SMMU_EVT_INPUT_ADDR);
	}
	if (id == SMMU_EVT_F_TLB_CONFLICT) {
		ev->has_addr = true;
		ev->input_addr = smmu_dget(raw, SMMU_EVT_INPUT_ADDR);
	}
	if (xlate) {
		ev->s2 = smmu_dget(raw, SMMU_EVT_S2);
		ev->cls = smmu_dget(raw, SMMU_EVT_CLASS);
	}
	/* The IPA of a fault is defined when stage 2 faulted. */
	if (is_walk_fault(id) && ev->s2) {
		ev->has_ipa = true;
		ev->ipa = smmu_dget(raw, SMMU_EVT_IPA) << 12;
	}
	if (id == SMMU_EVT_F_STE_FETCH || id == SMMU_EVT_F_CD_FETCH ||
	    id == SMMU_EVT_F_WALK_EABT) {
		ev->has_fetch = true;
		ev->fetch_addr = smmu_dget(raw, SMMU_EVT_FETCH_ADDR) << 3;
	}
}

struct guest_evtq *guest_evtq_alloc_smmu(struct guest_ram *ram,
					 const struct guest_mmio *mmio,
					 unsigned int log2size)
{
	uint64_t size = 32ull << log2size;
	struct guest_evtq *q;

	if (log2size > 19)
		return ERR_PTR(-EINVAL);
	q = ufd_zalloc(sizeof(*q));
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->ring = guest_ram_alloc(ram, size, size, &q->gpa);
	if (!q->ring)
		goto out_free_q;
	q->ram = ram;
	q->mmio = *mmio;
	q->log2size = log2size;
	return q;

out_free_q:
	ufd_free(q);
	return ERR_PTR(-ENOMEM);
}

void guest_evtq_free(struct guest_evtq *q)
{
	if (!q)
		return;
	guest_ram_free(q->ram, q->gpa, 32ull << q->log2size);
	ufd_free(q);
}

uint64_t guest_evtq_gpa(const struct guest_evtq *q)
{
	return q->gpa;
}

uint64_t guest_evtq_base_reg(const struct guest_evtq *q)
{
	return smmu_fprep(SMMU_Q_BASE_ADDR, q->gpa >> 5) |
	       smmu_fprep(SMMU_Q_BASE_LOG2SIZE, q->log2size);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int guest_evtq_enable(struct guest_evtq *q)
{
	uint32_t en = (uint32_t)smmu_fmask(SMMU_CR0_EVENTQEN);
	uint64_t deadline = now_ns() + EVTQ_ENABLE_TIMEOUT_NS;
	unsigned int round = 0;

	q->cons = guest_mmio_read32(&q->mmio, SMMU_EVENTQ_CONS);
	guest_mmio_write32(&q->mmio, SMMU_CR0,
			   guest_mmio_read32(&q->mmio, SMMU_CR0) | en);
	while (!(guest_mmio_read32(&q->mmio, SMMU_CR0ACK) & en)) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		guest_mmio_relax(&q->mmio, round++);
	}
	return 0;
}

int guest_evtq_pop(struct guest_evtq *q, struct guest_event *ev)
{
	uint32_t ovf = (uint32_t)smmu_fmask(SMMU_Q_OVF);
	uint32_t wrap = (2u << q->log2size) - 1;
	uint64_t raw[SMMU_EVT_DWORDS];
	const uint64_t *slot;
	uint32_t prod;

	prod = guest_mmio_read32(&q->mmio, SMMU_EVENTQ_PROD);
	if ((prod ^ q->cons) & ovf) {
		/* Records were lost; say we saw it so the next one counts. */
		q->overflows++;
		q->cons = (q->cons & ~ovf) | (prod & ovf);
		guest_mmio_write32(&q->mmio, SMMU_EVENTQ_CONS, q->cons);
	}
	if (!((prod ^ q->cons) & wrap))
		return 0;
	/* The record was written before PROD moved past it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	slot = q->ring +
	       SMMU_EVT_DWORDS * (q->cons & ((1u << q->log2size) - 1));
	memcpy(raw, slot, sizeof(raw));
	guest_event_decode(raw, ev);
	q->cons = (((q->cons & wrap) + 1) & wrap) | (q->cons & ovf);
	guest_mmio_write32(&q->mmio, SMMU_EVENTQ_CONS, q->cons);
	return 1;
}

unsigned int guest_evtq_overflows(const struct guest_evtq *q)
{
	return q->overflows;
}
