// SPDX-License-Identifier: BSD-3-Clause
/*
 * A nested guest: its stage-1 tables and CDs in guest RAM, its STE handed
 * to the host as a vSTE (struct iommu_hwpt_arm_smmuv3) and merged with the
 * hypervisor's stage 2 -- the host SMMU walks everything the guest wrote
 * through that stage 2. Checked: translations for every stage-1 granule
 * against a brute-force reference, stale entries until the guest's TLBI
 * reaches the SMMU (forwarded by the "VMM" with its VMID, or pushed by the
 * guest itself into a Tegra241 CMDQV virtual queue in each consumption
 * mode), events of bad guest configurations with their IPAs, and the
 * hypervisor's TLBI_S2_IPA against stage-2-only and nested entries.
 */
#include <endian.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "guest_tb.h"
#include "hw/tegra241-cmdqv/cmdqv.h"
#include "uiommufd/uapi/iommufd.h"

#define SID 5
#define SID2 6
#define VSID 0x21
#define ASID 0x31
#define VA 0x10000000ull
#define RW (PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE)
#define RO (PT_PROT_READ | PT_PROT_CACHE)
/* Below stage 2's 40-bit input, above what it maps. */
#define HOLE_GPA (GTB_GPA_BASE + GTB_GRAM_SIZE + 0x100000ull)

struct guest {
	struct guest_s1 *s1;
	struct guest_cdtab *tab;
	struct guest_cd cd;
	struct guest_ste ste;
};

/* The guest builds its context; the VMM installs its vSTE for @sid. */
static void guest_init(struct gtb *b, struct guest *g, uint32_t sid,
		       unsigned int gran)
{
	struct iommu_hwpt_arm_smmuv3 vste;

	g->s1 = gtb_s1(b, gran, 48);
	g->tab = guest_cdtab_alloc(b->ram, 0, SMMU_S1FMT_LINEAR);
	assert_false(IS_ERR(g->tab));
	guest_cd_init(&g->cd, g->s1, ASID);
	assert_int_equal(guest_cd_write(g->tab, 0, &g->cd), 0);
	guest_ste_init_s1(&g->ste, g->tab, SMMU_S1DSS_SSID0);
	guest_ste_vste(&g->ste, &vste);
	gtb_nested_ste(b, sid, &vste);
}

static void guest_fini(struct guest *g)
{
	guest_cdtab_free(g->tab);
	guest_s1_free(g->s1);
}

static struct guest_evtq *host_evtq(struct gtb *b)
{
	return guest_smmu_evtq(b->hsmmu);
}

static struct guest_cmdq *host_cmdq(struct gtb *b)
{
	return guest_smmu_cmdq(b->hsmmu);
}

/*
 * What a VMM does with a guest's TLBI (IOMMU_HWPT_INVALIDATE): the
 * guest's own encoding, with the VM's VMID put in, into the host queue.
 */
static void vmm_forward(struct gtb *b, const uint64_t gcmd[SMMU_CMD_DWORDS],
			bool set_vmid)
{
	uint64_t cmd[SMMU_CMD_DWORDS] = { gcmd[0], gcmd[1] };

	if (set_vmid)
		smmu_dset(cmd, SMMU_CMD_TLBI_VMID, GTB_VMID);
	gtb_submit1(host_cmdq(b), cmd);
}

static void test_nested_translate(void **state)
{
	struct smmuv3_xlate x;
	struct guest_event ev;
	unsigned int gran;
	struct guest g;
	struct gtb b;
	uint64_t d;

	for (gran = 12; gran <= 16; gran += 2) {
		uint64_t sz = 1ull << gran;

		gtb_init(&b, GTB_NESTED, NULL);
		guest_init(&b, &g, SID, gran);
		d = gtb_galloc(&b, 2 * sz, sz);
		gtb_map(g.s1, VA, d, 2 * sz, RW);
		gtb_map(g.s1, VA + 2 * sz, d, sz, RO);
		gtb_map(g.s1, VA + 3 * sz, HOLE_GPA, sz, RW);

		/* The output is the host address behind the guest's GPA. */
		assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID,
					   VA + sz + 0x88, SMMUV3_WRITE, &x),
				 0);
		assert_true(x.oa == gtb_out(&b, d + sz + 0x88));
		/* The smaller of the two stages' pages: stage 2 has blocks. */
		assert_int_equal(x.page_lg2, gran);

		assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA + 2 * sz,
					   SMMUV3_WRITE, &x),
				 -EFAULT);
		gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_F_PERMISSION,
				 SID);
		assert_false(ev.s2 || ev.has_ipa);
		/* Stage 2 maps nothing at the GPA stage 1 produced. */
		assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID,
					   VA + 3 * sz + 0x10, SMMUV3_READ, &x),
				 -EFAULT);
		gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_F_TRANSLATION,
				 SID);
		assert_true(ev.s2 && ev.has_ipa);
		assert_true(ev.ipa == HOLE_GPA);
		assert_int_equal(ev.cls, SMMU_CLASS_IN);
		assert_true(ev.input_addr == VA + 3 * sz + 0x10);
		gtb_expect_no_event(host_evtq(&b));
		guest_fini(&g);
		gtb_fini(&b);
	}
}

static void test_nested_stale(void **state)
{
	uint64_t c[SMMU_CMD_DWORDS], a, d;
	struct guest_event ev;
	struct guest g;
	struct gtb b;

	gtb_init(&b, GTB_NESTED, NULL);
	guest_init(&b, &g, SID, 12);
	a = gtb_galloc(&b, 4096, 4096);
	d = gtb_galloc(&b, 4096, 4096);
	gtb_map(g.s1, VA, a, 4096, RW);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));
	assert_int_equal(guest_s1_unmap(g.s1, VA, 4096), 0);
	gtb_map(g.s1, VA, d, 4096, RW);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));
	/* The guest's own VMID (0) reaches another VM's entries: none. */
	guest_cmd_tlbi_nh_va(c, 0, ASID, VA, NULL, true);
	vmm_forward(&b, c, false);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));
	vmm_forward(&b, c, true);
	guest_s1_reclaim(g.s1);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, d));

	/* A CD change needs CFGI_CD, forwarded with the physical SID. */
	g.cd.asid = ASID + 1;
	g.cd.ttb0 = 0;
	g.cd.epd0 = true;
	assert_int_equal(guest_cd_write(g.tab, 0, &g.cd), 0);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, d));
	guest_cmd_cfgi_cd(c, SID, 0, true);
	vmm_forward(&b, c, false);
	/* TTB0 disabled: a translation fault, recorded. */
	assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &(struct smmuv3_xlate){ 0 }),
			 -EFAULT);
	gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_F_TRANSLATION, SID);
	assert_false(ev.s2);
	guest_fini(&g);
	gtb_fini(&b);
}

static void test_nested_bad_config(void **state)
{
	struct iommu_hwpt_arm_smmuv3 vste;
	struct smmuv3_xlate x;
	struct guest_event ev;
	struct guest_cd cd;
	struct guest g;
	struct gtb b;

	gtb_init(&b, GTB_NESTED, NULL);
	guest_init(&b, &g, SID, 12);
	gtb_map(g.s1, VA, GTB_GPA_BASE, 4096, RW);

	/* A bad guest CD is the host's C_BAD_CD for the physical SID. */
	cd = g.cd;
	cd.aa64 = false;
	assert_int_equal(guest_cd_write(g.tab, 0, &cd), 0);
	assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_C_BAD_CD, SID);

	/* A CD table at a GPA stage 2 does not map. */
	g.ste.s1ctxptr = HOLE_GPA + 0x40;
	guest_ste_vste(&g.ste, &vste);
	gtb_nested_ste(&b, SID, &vste);
	assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_F_TRANSLATION, SID);
	assert_true(ev.s2 && ev.has_ipa && ev.ipa == HOLE_GPA);
	assert_int_equal(ev.cls, SMMU_CLASS_CD);

	/* Stage-1 tables there: the fault is on the table walk. */
	cd = g.cd;
	cd.ttb0 = HOLE_GPA;
	assert_int_equal(guest_cd_write(g.tab, 0, &cd), 0);
	guest_ste_init_s1(&g.ste, g.tab, SMMU_S1DSS_SSID0);
	guest_ste_vste(&g.ste, &vste);
	gtb_nested_ste(&b, SID, &vste);
	assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	gtb_expect_event(host_evtq(&b), &ev, SMMU_EVT_F_TRANSLATION, SID);
	assert_true(ev.s2 && ev.ipa == HOLE_GPA);
	assert_int_equal(ev.cls, SMMU_CLASS_TT);

	/* An aborting vSTE aborts silently; a bypass one is stage 2 alone. */
	guest_ste_init_abort(&g.ste);
	guest_ste_vste(&g.ste, &vste);
	gtb_nested_ste(&b, SID, &vste);
	assert_int_equal(gtb_xlate(&b, SID, SMMUV3_NO_SSID, VA, SMMUV3_READ,
				   &x),
			 -EFAULT);
	assert_false(x.recorded);
	guest_ste_init_bypass(&g.ste);
	guest_ste_vste(&g.ste, &vste);
	gtb_nested_ste(&b, SID, &vste);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, GTB_GPA_BASE + 0x1234) ==
		    gtb_out(&b, GTB_GPA_BASE + 0x1234));
	gtb_expect_no_event(host_evtq(&b));
	guest_fini(&g);
	gtb_fini(&b);
}

/* The hypervisor's stage-2 invalidation, encoded by src/guest too. */
static void test_s2_ipa(void **state)
{
	uint64_t c[SMMU_CMD_DWORDS], gpa, alt;
	struct guest g;
	struct gtb b;

	gtb_init(&b, GTB_NESTED, NULL);
	guest_init(&b, &g, SID, 12);
	gtb_nested_ste(&b, SID2, NULL);
	gpa = gtb_galloc(&b, 4096, 4096);
	alt = gtb_out(&b, gtb_galloc(&b, 4096, 4096));
	gtb_map(g.s1, VA, gpa, 4096, RW);
	assert_true(gtb_xl(&b, SID2, SMMUV3_NO_SSID, gpa) == gtb_out(&b, gpa));
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, gpa));
	gtb_s2_remap(&b, gpa, alt);
	assert_true(gtb_xl(&b, SID2, SMMUV3_NO_SSID, gpa) == gtb_out(&b, gpa));
	guest_cmd_tlbi_s2_ipa(c, GTB_VMID, gpa, NULL, true);
	gtb_submit1(host_cmdq(&b), c);
	assert_true(gtb_xl(&b, SID2, SMMUV3_NO_SSID, gpa) == alt);
	/* Combined entries are outside TLBI_S2_IPA's scope (4.4.3.1). */
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, gpa));
	guest_cmd_tlbi_s12_vmall(c, GTB_VMID);
	gtb_submit1(host_cmdq(&b), c);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == alt);
	guest_fini(&g);
	gtb_fini(&b);
}

/* Random guest mappings through stage 2 against a plain array. */
static void test_nested_random(void **state)
{
	enum { PAGES = 128 };
	struct gtb_rng rng = { gtb_seed("nested_random", 0x5eed0201) };
	struct {
		bool mapped;
		uint64_t gpa;
	} r[PAGES];
	uint64_t c[SMMU_CMD_DWORDS], data, iova;
	struct smmuv3_xlate x;
	struct guest_event ev;
	unsigned int i, k, op;
	struct guest g;
	struct gtb b;

	gtb_init(&b, GTB_NESTED, NULL);
	guest_init(&b, &g, SID, 12);
	data = gtb_galloc(&b, 4ull << 20, 4096);
	memset(r, 0, sizeof(r));
	for (op = 0; op < 400; op++) {
		k = (unsigned int)gtb_below(&rng, PAGES);
		iova = VA + 4096ull * k;
		if (r[k].mapped)
			assert_int_equal(guest_s1_unmap(g.s1, iova, 4096), 0);
		r[k].mapped = gtb_below(&rng, 4) != 0;
		/* Mostly RAM; sometimes a GPA stage 2 leaves unmapped. */
		r[k].gpa = gtb_below(&rng, 8)
				   ? data + 4096 * gtb_below(&rng, 1024)
				   : HOLE_GPA + 4096 * gtb_below(&rng, 16);
		if (r[k].mapped)
			gtb_map(g.s1, iova, r[k].gpa, 4096, RW);
		guest_cmd_tlbi_nh_va(c, 0, ASID, iova, NULL, true);
		vmm_forward(&b, c, true);
		guest_s1_reclaim(g.s1);
		for (i = 0; i < 8; i++) {
			unsigned int p =
				i ? (unsigned int)gtb_below(&rng, PAGES) : k;
			uint64_t off = gtb_below(&rng, 4096);
			int ret = gtb_xlate(&b, SID, SMMUV3_NO_SSID,
					    VA + 4096ull * p + off, SMMUV3_READ,
					    &x);
			bool ram = r[p].gpa < GTB_GPA_BASE + GTB_GRAM_SIZE;

			if (r[p].mapped && ram) {
				assert_int_equal(ret, 0);
				assert_true(x.oa ==
					    gtb_out(&b, r[p].gpa) + off);
				continue;
			}
			assert_int_equal(ret, -EFAULT);
			gtb_expect_event(host_evtq(&b), &ev,
					 SMMU_EVT_F_TRANSLATION, SID);
			assert_true(ev.input_addr == VA + 4096ull * p + off);
			assert_true(ev.s2 == r[p].mapped);
			if (ev.s2)
				assert_true(ev.ipa == r[p].gpa);
		}
	}
	guest_fini(&g);
	gtb_fini(&b);
}

/* --- a Tegra241 CMDQV virtual queue driven by the guest --- */

struct vq {
	struct cmdqv *cv;
	struct guest_vintf_port port;
	struct guest_mmio mmio;
	struct guest_cmdq *q;
	unsigned int nerr, last_cerror;
	unsigned int natc;
	uint32_t atc_sid;
};

static void vq_on_error(void *priv, unsigned int vintf, unsigned int lvcmdq,
			const uint64_t map[2], unsigned int cerror)
{
	struct vq *v = priv;

	__atomic_fetch_add(&v->nerr, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->last_cerror, cerror, __ATOMIC_SEQ_CST);
}

static int vq_atc(void *priv, uint32_t sid, uint32_t ssid, uint64_t addr,
		  unsigned int size_lg2, bool global)
{
	struct vq *v = priv;

	v->natc++;
	v->atc_sid = sid;
	return 0;
}

static const struct smmuv3_dev_ops vq_dev_ops = { .atc_inval = vq_atc };

static void hwr(struct vq *v, uint64_t off, uint32_t val)
{
	assert_int_equal(cmdqv_mmio_write(v->cv, off, 4, val), 0);
}

/*
 * The host: a CMDQV over the SMMU, VINTF 1 for the guest's VM (its VMID,
 * guest-owned, vSID -> pSID), global VCMDQ 3 as the guest's LVCMDQ 0 with
 * its base at the host address of the guest's ring. The guest: its queue
 * through the VINTF page, enabled.
 */
static void vq_init(struct gtb *b, struct vq *v, enum cmdqv_consume mode)
{
	struct cmdqv_config cfg;

	memset(v, 0, sizeof(*v));
	cmdqv_config_default(&cfg);
	cfg.smmu = b->smmu;
	cfg.mem = b->cfg.mem;
	cfg.mem_priv = b->cfg.mem_priv;
	cfg.consume = mode;
	cfg.on_error = vq_on_error;
	cfg.err_priv = v;
	v->cv = cmdqv_create(&cfg);
	assert_false(IS_ERR(v->cv));
	hwr(v, CMDQV_CONFIG, (uint32_t)smmu_fprep(CMDQV_CONFIG_EN, 1));
	hwr(v, CMDQV_VINTF(1) + CMDQV_VINTF_CONFIG,
	    (uint32_t)(smmu_fprep(CMDQV_VINTF_CONFIG_EN, 1) |
		       smmu_fprep(CMDQV_VINTF_CONFIG_VMID, GTB_VMID)));
	hwr(v, CMDQV_VINTF(1) + CMDQV_VINTF_SID_REPLACE(0), SID);
	hwr(v, CMDQV_VINTF(1) + CMDQV_VINTF_SID_MATCH(0),
	    (uint32_t)(smmu_fprep(CMDQV_SID_MATCH_VSID, VSID) |
		       smmu_fprep(CMDQV_SID_MATCH_ENABLE, 1)));
	hwr(v, CMDQV_CMDQ_ALLOC(3),
	    (uint32_t)(smmu_fprep(CMDQV_CMDQ_ALLOC_ALLOCATED, 1) |
		       smmu_fprep(CMDQV_CMDQ_ALLOC_VINTF, 1) |
		       smmu_fprep(CMDQV_CMDQ_ALLOC_LVCMDQ, 0)));

	v->port.cmdqv = v->cv;
	v->port.vintf = 1;
	v->port.kick = mode == CMDQV_CONSUME_KICK;
	guest_mmio_bind_vintf(&v->mmio, &v->port);
	v->q = guest_cmdq_alloc_vcmdq(b->ram, &v->mmio, 0, 4);
	assert_false(IS_ERR(v->q));
	/* The VMM turns the guest's GPA into the host address. */
	assert_int_equal(
		cmdqv_mmio_write(v->cv, CMDQV_VINTF_PAGE1(1) + CMDQV_VCMDQ_BASE,
				 8,
				 gtb_out(b, guest_cmdq_gpa(v->q)) |
					 guest_cmdq_log2size(v->q)),
		0);
	assert_int_equal(guest_cmdq_enable(v->q), 0);
}

static void vq_fini(struct vq *v)
{
	assert_int_equal(guest_cmdq_disable(v->q), 0);
	cmdqv_destroy(v->cv);
	guest_cmdq_free(v->q);
}

static void run_vcmdq(enum cmdqv_consume mode)
{
	uint64_t cmds[3][SMMU_CMD_DWORDS], a, d;
	struct guest_cmdq_error err;
	struct cmdqv_stats st;
	unsigned int i, k;
	struct guest g;
	struct gtb b;
	struct vq v;

	gtb_init(&b, GTB_NESTED, NULL);
	guest_init(&b, &g, SID, 12);
	vq_init(&b, &v, mode);
	assert_true(guest_cmdq_alloc_vcmdq(b.ram, &v.mmio, 512, 4) ==
		    ERR_PTR(-EINVAL));
	a = gtb_galloc(&b, 4096, 4096);
	d = gtb_galloc(&b, 4096, 4096);
	gtb_map(g.s1, VA, a, 4096, RW);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));
	assert_int_equal(guest_s1_unmap(g.s1, VA, 4096), 0);
	gtb_map(g.s1, VA, d, 4096, RW);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));

	/* The guest knows no VMID; the VINTF supplies its VM's. */
	guest_cmd_tlbi_nh_va(cmds[0], 0, ASID, VA, NULL, true);
	assert_int_equal(guest_cmdq_submit(v.q, cmds, 1, &err), 0);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, d));

	/* ATC invalidation by virtual StreamID reaches the physical one. */
	assert_int_equal(smmuv3_dev_register(b.smmu, SID, &vq_dev_ops, &v), 0);
	guest_cmd_atc_inv(cmds[0], VSID, GUEST_NO_SSID, 0,
			  SMMU_ATC_INV_SIZE_ALL, false);
	assert_int_equal(guest_cmdq_submit(v.q, cmds, 1, &err), 0);
	assert_int_equal(v.natc, 1);
	assert_int_equal(v.atc_sid, SID);

	/* A command a guest queue may not issue, then one it may. */
	assert_int_equal(guest_s1_unmap(g.s1, VA, 4096), 0);
	gtb_map(g.s1, VA, a, 4096, RW);
	guest_cmd_cfgi_ste(cmds[0], VSID, true);
	guest_cmd_tlbi_nh_va(cmds[1], 0, ASID, VA, NULL, true);
	assert_int_equal(guest_cmdq_submit(v.q, cmds, 2, &err), -EIO);
	assert_int_equal(err.count, 1);
	assert_int_equal(err.cerror, SMMU_CERROR_ILL);
	assert_int_equal(smmu_dget(err.cmd, SMMU_CMD_OP), SMMU_CMD_CFGI_STE);
	assert_false(err.stopped);
	assert_int_equal(__atomic_load_n(&v.nerr, __ATOMIC_SEQ_CST), 1);
	assert_int_equal(v.last_cerror, SMMU_CERROR_ILL);
	assert_true(gtb_xl(&b, SID, SMMUV3_NO_SSID, VA) == gtb_out(&b, a));

	/* Round and round a 16-entry ring. */
	for (i = 0; i < 100; i++) {
		for (k = 0; k < 3; k++)
			guest_cmd_tlbi_nh_asid(cmds[k], 0, ASID);
		assert_int_equal(guest_cmdq_submit(v.q, cmds, 1 + i % 3, &err),
				 0);
	}
	/*
	 * Every command was read once, the refused one and the CMD_SYNC
	 * that replaced it included: 2 + 2 + 4 + 100 * 2 + 99. The
	 * consumer thread counts after it published CONS: wait for it.
	 */
	for (i = 0; i < 2000; i++) {
		cmdqv_get_stats(v.cv, &st);
		if (st.commands >= 307)
			break;
		usleep(1000);
	}
	assert_int_equal(st.commands, 307);
	assert_int_equal(st.errors, 1);
	assert_int_equal(smmuv3_dev_unregister(b.smmu, SID), 0);
	vq_fini(&v);
	gtb_expect_no_event(host_evtq(&b));
	guest_fini(&g);
	gtb_fini(&b);
}

static void test_vcmdq_sync(void **state)
{
	run_vcmdq(CMDQV_CONSUME_SYNC);
}

static void test_vcmdq_thread(void **state)
{
	run_vcmdq(CMDQV_CONSUME_THREAD);
}

static void test_vcmdq_kick(void **state)
{
	run_vcmdq(CMDQV_CONSUME_KICK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_translate),
		cmocka_unit_test(test_nested_stale),
		cmocka_unit_test(test_nested_bad_config),
		cmocka_unit_test(test_s2_ipa),
		cmocka_unit_test(test_nested_random),
		cmocka_unit_test(test_vcmdq_sync),
		cmocka_unit_test(test_vcmdq_thread),
		cmocka_unit_test(test_vcmdq_kick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
