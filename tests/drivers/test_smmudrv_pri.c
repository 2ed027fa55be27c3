// SPDX-License-Identifier: BSD-3-Clause
/*
 * PRI on the SMMUv3 driver, end to end: a device created with UFD_DEV_ATS
 * and UFD_DEV_PRI, bound to a context and attached to a HWPT with a fault
 * queue, whose DMA finds pages missing. Its Page Request Groups go
 * through the SMMU model's PRI queue to the driver, arrive as fault
 * records on the queue's descriptor (read as the kernel selftests read
 * it), and the program's answer returns to the device as CMD_PRI_RESP.
 *
 * Each test looks at every stage it can: the records on the descriptor,
 * the driver's PRI counters, the model's PRI queue registers, the device's
 * PRI counters, and what the DMA finally moved.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "smmudrv_tb.h"

#include "core/core.h"
#include "core/device.h"
#include "core/fault_fd.h"
#include "hw/smmuv3/smmuv3.h"
#include "uiommufd/uiommufd.h"

#define IOVA 0x200000ull
#define PAGES 8
#define WAIT_MS 5000

/* A context with an IOAS, a fault queue and HWPTs with and without it. */
struct env {
	struct ufd_smmuv3 *smmu; /* NULL: the default instance */
	const struct ufd_iommu_ops *ops;
	struct ufd_ctx *ctx;
	uint32_t ioas_id, fault_id, fault_hwpt, plain_hwpt;
	int fault_fd;
	uint8_t *mem; /* PAGES pages the IOAS may map at IOVA */
	struct ufd_dev *dev;
	struct ufd_device *idev;
};

static long ioctl_ok(struct env *e, unsigned int cmd, void *arg)
{
	long rc = ufd_dispatch(e->ctx, cmd, arg);

	assert_int_equal(rc, 0);
	return rc;
}

static uint32_t hwpt_alloc(struct env *e, bool fault)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = fault ? IOMMU_HWPT_FAULT_ID_VALID : 0,
		.dev_id = e->idev->obj.id,
		.pt_id = e->ioas_id,
		.fault_id = fault ? e->fault_id : 0,
	};

	ioctl_ok(e, IOMMU_HWPT_ALLOC, &cmd);
	return cmd.out_hwpt_id;
}

/* The context, and a device with @flags behind @smmu, bound to it. */
static void env_init(struct env *e, struct ufd_smmuv3 *smmu, uint32_t flags)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	unsigned int i;

	memset(e, 0, sizeof(*e));
	e->smmu = smmu;
	e->ops = smmu ? ufd_smmuv3_ops(smmu) : &ufd_smmuv3_iommu;
	e->ctx = ufd_ctx_create();
	assert_false(IS_ERR(e->ctx));
	ioctl_ok(e, IOMMU_IOAS_ALLOC, &ioas);
	e->ioas_id = ioas.out_ioas_id;
	ioctl_ok(e, IOMMU_FAULT_QUEUE_ALLOC, &fault);
	e->fault_id = fault.out_fault_id;
	e->fault_fd = (int)fault.out_fault_fd;
	e->mem = mmap(NULL, PAGES * TB_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(e->mem != MAP_FAILED);
	for (i = 0; i < PAGES * TB_PAGE; i++)
		e->mem[i] = (uint8_t)(i * 7 + i / TB_PAGE);
	e->dev = ufd_dev_create(e->ops, flags);
	assert_false(IS_ERR(e->dev));
	e->idev = ufd_device_bind(e->ctx, e->dev);
	assert_false(IS_ERR(e->idev));
	e->fault_hwpt = hwpt_alloc(e, true);
	e->plain_hwpt = hwpt_alloc(e, false);
}

static void env_fini(struct env *e)
{
	ufd_device_unbind(e->idev);
	ufd_dev_destroy(e->dev);
	close(e->fault_fd);
	/* The context goes now, before a test destroys its SMMU. */
	ufd_fdchan_flush(e->ctx);
	ufd_ctx_put(e->ctx);
	munmap(e->mem, PAGES * TB_PAGE);
}

static void attach(struct env *e, uint32_t hwpt)
{
	uint32_t out;

	if (e->idev->hwpt)
		assert_int_equal(ufd_device_replace(e->idev, hwpt, &out), 0);
	else
		assert_int_equal(ufd_device_attach(e->idev, hwpt, &out), 0);
	assert_int_equal(out, hwpt);
}

/* Maps page @i of mem at IOVA + i pages. */
static void map_page(struct env *e, unsigned int i)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = e->ioas_id,
		.user_va = (uint64_t)(uintptr_t)(e->mem + i * TB_PAGE),
		.length = TB_PAGE,
		.iova = IOVA + i * TB_PAGE,
	};

	ioctl_ok(e, IOMMU_IOAS_MAP, &map);
}

static struct ufd_smmuv3_stats drv(struct env *e)
{
	struct ufd_smmuv3_stats st;

	ufd_smmuv3_get_stats(e->smmu ? e->smmu : ufd_smmuv3_default(), &st);
	return st;
}

static struct ufd_pri_stats pri(struct ufd_dev *dev)
{
	struct ufd_pri_stats st;

	assert_int_equal(ufd_dev_pri_stats(dev, &st), 0);
	return st;
}

static struct smmuv3 *hw(struct env *e)
{
	return ufd_smmuv3_hw(e->smmu ? e->smmu : ufd_smmuv3_default());
}

/* ---- A DMA in a thread of its own: it waits for the answer ---- */

struct dma_job {
	struct ufd_dev *dev;
	struct uiommufd_dev *udev;
	uint64_t iova;
	uint8_t *buf;
	size_t len;
	bool write;
	int rc;
	pthread_t th;
};

static void *dma_main(void *arg)
{
	struct dma_job *j = arg;

	if (j->udev)
		j->rc = j->write
				? uiommufd_dma_write(j->udev, UIOMMUFD_NO_PASID,
						     j->iova, j->buf, j->len)
				: uiommufd_dma_read(j->udev, UIOMMUFD_NO_PASID,
						    j->iova, j->buf, j->len);
	else
		j->rc = ufd_dev_dma(j->dev, j->iova, j->buf, j->len, j->write);
	return NULL;
}

static void dma_start(struct dma_job *j)
{
	j->rc = 1;
	assert_int_equal(pthread_create(&j->th, NULL, dma_main, j), 0);
}

static int dma_join(struct dma_job *j)
{
	assert_int_equal(pthread_join(j->th, NULL), 0);
	return j->rc;
}

/*
 * Reads one group from the fault descriptor: waits up to WAIT_MS, calling
 * ufd_smmuv3_priq_poll() meanwhile when @smmu has no consumer thread.
 * Returns the records read (0 on timeout).
 */
static unsigned int read_group(int fd, struct ufd_smmuv3 *poll_smmu,
			       struct iommu_hwpt_pgfault *rec, unsigned int max)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int waited;
	ssize_t n;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		if (poll_smmu)
			ufd_smmuv3_priq_poll(poll_smmu);
		if (poll(&p, 1, 10) <= 0)
			continue;
		n = read(fd, rec, max * sizeof(*rec));
		if (n > 0) {
			assert_int_equal(n % sizeof(*rec), 0);
			return (unsigned int)(n / sizeof(*rec));
		}
	}
	return 0;
}

static void respond(int fd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	assert_int_equal(write(fd, &r, sizeof(r)), sizeof(r));
}

/* Waits until @pred(@arg) holds, up to WAIT_MS. */
static bool wait_for(bool (*pred)(void *arg), void *arg)
{
	struct timespec ts = { 0, 1000 * 1000 };
	unsigned int i;

	for (i = 0; i < WAIT_MS; i++) {
		if (pred(arg))
			return true;
		nanosleep(&ts, NULL);
	}
	return pred(arg);
}

static bool dev_waits(void *arg)
{
	return pri(arg).outstanding == 1;
}

static uint32_t reg(struct env *e, uint64_t off)
{
	return (uint32_t)smmuv3_mmio_read(hw(e), off, 4);
}

/* The driver consumed the PRI queue: CONS caught up with PROD. */
static bool priq_drained(void *arg)
{
	struct env *e = arg;

	return (reg(e, SMMU_PRIQ_PROD) & 0xfffff) ==
	       (reg(e, SMMU_PRIQ_CONS) & 0xfffff);
}

/* ---- The flow ---- */

static void test_success(void **state)
{
	struct iommu_hwpt_pgfault rec[4];
	struct ufd_smmuv3_stats d0, d1;
	uint8_t buf[64] = { 0 };
	struct dma_job j;
	struct env e;

	env_init(&e, NULL, UFD_DEV_ATS | UFD_DEV_PRI);
	assert_false(ufd_dev_pri_enabled(e.dev));
	attach(&e, e.fault_hwpt);
	assert_true(ufd_dev_pri_enabled(e.dev));
	d0 = drv(&e);

	j = (struct dma_job){ .dev = e.dev,
			      .iova = IOVA + 2 * TB_PAGE + 40,
			      .buf = buf,
			      .len = sizeof(buf) };
	dma_start(&j);
	assert_int_equal(read_group(e.fault_fd, NULL, rec, 4), 1);
	assert_int_equal(rec[0].dev_id, e.idev->obj.id);
	assert_int_equal(rec[0].addr, IOVA + 2 * TB_PAGE);
	assert_int_equal(rec[0].perm, IOMMU_PGFAULT_PERM_READ);
	assert_int_equal(rec[0].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_true(rec[0].grpid < UFD_PRG_INDEXES);
	/* The consumer finishes its pass after the record went out. */
	assert_true(wait_for(priq_drained, &e));
	d1 = drv(&e);
	assert_int_equal(d1.pri_reqs - d0.pri_reqs, 1);
	assert_int_equal(d1.pri_groups - d0.pri_groups, 1);
	assert_true(wait_for(dev_waits, e.dev));
	assert_int_equal(j.rc, 1); /* still waiting */

	map_page(&e, 2);
	respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(dma_join(&j), 0);
	assert_memory_equal(buf, e.mem + 2 * TB_PAGE + 40, sizeof(buf));
	assert_int_equal(drv(&e).pri_resps - d0.pri_resps, 1);
	assert_int_equal(drv(&e).pri_denied, d0.pri_denied);
	assert_int_equal(pri(e.dev).success, 1);
	assert_int_equal(pri(e.dev).groups, 1);
	assert_int_equal(pri(e.dev).outstanding, 0);
	env_fini(&e);
}

static void test_invalid(void **state)
{
	struct iommu_hwpt_pgfault rec[4];
	uint8_t buf[16] = { 1, 2, 3 };
	struct dma_job j;
	struct env e;

	env_init(&e, NULL, UFD_DEV_ATS | UFD_DEV_PRI);
	attach(&e, e.fault_hwpt);
	j = (struct dma_job){ .dev = e.dev,
			      .iova = IOVA,
			      .buf = buf,
			      .len = sizeof(buf),
			      .write = true };
	dma_start(&j);
	assert_int_equal(read_group(e.fault_fd, NULL, rec, 4), 1);
	assert_int_equal(rec[0].addr, IOVA);
	/* A write asks for read and write. */
	assert_int_equal(rec[0].perm,
			 IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE);
	respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_INVALID);
	assert_int_equal(dma_join(&j), -EFAULT);
	assert_int_equal(pri(e.dev).refused, 1);
	assert_int_equal(pri(e.dev).success, 0);
	assert_int_equal(e.mem[0], 0);
	env_fini(&e);
}

/* Pages 0, 2 and 3 missing, 1 mapped: one group of three requests. */
static void test_several_pages(void **state)
{
	struct iommu_hwpt_pgfault rec[8];
	uint8_t *buf = tb_buf(4 * TB_PAGE, TB_PAGE);
	struct dma_job j;
	unsigned int i;
	struct env e;

	env_init(&e, NULL, UFD_DEV_ATS | UFD_DEV_PRI);
	attach(&e, e.fault_hwpt);
	map_page(&e, 1);
	j = (struct dma_job){
		.dev = e.dev, .iova = IOVA, .buf = buf, .len = 4 * TB_PAGE
	};
	dma_start(&j);
	assert_int_equal(read_group(e.fault_fd, NULL, rec, 8), 3);
	assert_int_equal(rec[0].addr, IOVA);
	assert_int_equal(rec[1].addr, IOVA + 2 * TB_PAGE);
	assert_int_equal(rec[2].addr, IOVA + 3 * TB_PAGE);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rec[i].cookie, rec[0].cookie);
		assert_int_equal(rec[i].grpid, rec[0].grpid);
		assert_int_equal(rec[i].dev_id, e.idev->obj.id);
		assert_int_equal(rec[i].flags,
				 i == 2 ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0);
	}
	map_page(&e, 0);
	map_page(&e, 2);
	map_page(&e, 3);
	respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(dma_join(&j), 0);
	assert_memory_equal(buf, e.mem, 4 * TB_PAGE);
	assert_int_equal(pri(e.dev).requests, 3);
	assert_int_equal(pri(e.dev).groups, 1);
	tb_buf_free(buf);
	env_fini(&e);
}

/* ---- When PRI stays off ---- */

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static void test_no_fault_queue(void **state)
{
	struct ufd_smmuv3_stats d0;
	uint64_t v;
	struct env e;

	env_init(&e, NULL, UFD_DEV_ATS | UFD_DEV_PRI);
	attach(&e, e.plain_hwpt);
	assert_false(ufd_dev_pri_enabled(e.dev));
	d0 = drv(&e);
	/* Faults at once, as before: nothing queued, nothing reported. */
	assert_int_equal(ufd_dev_dma(e.dev, IOVA, &v, 8, false), -EFAULT);
	assert_int_equal(drv(&e).pri_reqs, d0.pri_reqs);
	assert_int_equal(pri(e.dev).groups, 0);
	assert_false(fd_readable(e.fault_fd));

	/* Replace: on with the fault queue, off again without it. */
	attach(&e, e.fault_hwpt);
	assert_true(ufd_dev_pri_enabled(e.dev));
	attach(&e, e.plain_hwpt);
	assert_false(ufd_dev_pri_enabled(e.dev));
	attach(&e, e.fault_hwpt);
	ufd_device_detach(e.idev);
	assert_false(ufd_dev_pri_enabled(e.dev));
	env_fini(&e);
}

static void tweak_no_pri(struct smmuv3_config *cfg)
{
	cfg->pri = false;
}

/*
 * An SMMU without PRI, or a device without it: the fault queue still gets
 * the fault through the device's fault handler (the path without PRI).
 */
static void test_without_pri(void **state)
{
	const struct ufd_smmuv3_opts opts = { .tweak = tweak_no_pri };
	struct ufd_smmuv3 *smmu = ufd_smmuv3_create(&opts);
	struct iommu_hwpt_pgfault rec[4];
	uint64_t v = 0;
	struct dma_job j;
	unsigned int round;
	struct env e;

	assert_false(IS_ERR(smmu));
	for (round = 0; round < 2; round++) {
		env_init(&e, round ? NULL : smmu,
			 round ? UFD_DEV_ATS : UFD_DEV_ATS | UFD_DEV_PRI);
		attach(&e, e.fault_hwpt);
		assert_false(ufd_dev_pri_enabled(e.dev));
		j = (struct dma_job){
			.dev = e.dev, .iova = IOVA, .buf = (void *)&v, .len = 8
		};
		dma_start(&j);
		assert_int_equal(read_group(e.fault_fd, NULL, rec, 4), 1);
		assert_int_equal(rec[0].addr, IOVA);
		map_page(&e, 0);
		respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
		assert_int_equal(dma_join(&j), 0);
		assert_memory_equal(&v, e.mem, 8);
		if (!round) {
			assert_int_equal(drv(&e).pri_reqs, 0);
			assert_int_equal(pri(e.dev).groups, 0);
		}
		env_fini(&e);
	}
	ufd_smmuv3_destroy(smmu);
}

/* ---- Hostile or lost traffic ---- */

static void tweak_tiny_priq(struct smmuv3_config *cfg)
{
	cfg->priq_max_lg2 = 1; /* two entries */
}

static const struct ufd_smmuv3_opts polled = {
	.tweak = tweak_tiny_priq,
	.evtq_no_thread = true,
};

/* A CMD_PRI_RESP straight into the SMMU, as any software could send. */
static unsigned int pri_resp_cmd(struct env *e, uint32_t sid, uint16_t prgi,
				 unsigned int resp)
{
	const uint64_t cmd[SMMU_CMD_DWORDS] = {
		tb_cmd0(SMMU_CMD_PRI_RESP_OP) | smmu_dprep(SMMU_CMD_SID, sid),
		smmu_dprep(SMMU_CMD_PRI_PRGI, prgi) |
			smmu_dprep(SMMU_CMD_PRI_RESP, resp),
	};

	return smmuv3_cmd_execute(hw(e), NULL, cmd);
}

static void test_unknown_and_stray(void **state)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_create(&polled);
	struct iommu_hwpt_pgfault rec[4];
	struct ufd_smmuv3_stats d0;
	struct smmuv3_stats h0, h1;
	uint32_t sid, other;
	uint64_t v = 0;
	struct dma_job j;
	struct env e;

	assert_false(IS_ERR(smmu));
	env_init(&e, smmu, UFD_DEV_ATS | UFD_DEV_PRI);
	attach(&e, e.fault_hwpt);
	sid = ufd_smmuv3_dev_sid(e.dev);
	other = sid + 7;

	/* A StreamID nobody has: the Last request is denied, the rest not. */
	d0 = drv(&e);
	smmuv3_get_stats(hw(&e), &h0);
	assert_int_equal(smmuv3_pri_request(hw(&e), other, SMMUV3_NO_SSID,
					    0x1000, SMMUV3_READ, 5, false),
			 0);
	assert_int_equal(ufd_smmuv3_priq_poll(smmu), 1);
	assert_int_equal(drv(&e).pri_denied, d0.pri_denied);
	assert_int_equal(smmuv3_pri_request(hw(&e), other, SMMUV3_NO_SSID,
					    0x2000, SMMUV3_READ, 5, true),
			 0);
	assert_int_equal(ufd_smmuv3_priq_poll(smmu), 1);
	assert_int_equal(drv(&e).pri_denied - d0.pri_denied, 1);
	assert_int_equal(drv(&e).pri_groups, d0.pri_groups);
	smmuv3_get_stats(hw(&e), &h1);
	/* CMD_PRI_RESP and its CMD_SYNC. */
	assert_int_equal(h1.commands - h0.commands, 2);
	assert_false(fd_readable(e.fault_fd));

	/* The device waits; responses to other groups change nothing. */
	j = (struct dma_job){
		.dev = e.dev, .iova = IOVA, .buf = (void *)&v, .len = 8
	};
	dma_start(&j);
	assert_int_equal(read_group(e.fault_fd, smmu, rec, 4), 1);
	assert_true(wait_for(dev_waits, e.dev));
	assert_int_equal(pri_resp_cmd(&e, sid, (rec[0].grpid + 1) % 512,
				      SMMU_PRI_RESP_FAIL),
			 SMMU_CERROR_NONE);
	assert_int_equal(pri_resp_cmd(&e, sid, (rec[0].grpid + 9) % 512,
				      SMMU_PRI_RESP_SUCC),
			 SMMU_CERROR_NONE);
	assert_int_equal(pri(e.dev).ignored, 2);
	assert_int_equal(pri(e.dev).outstanding, 1);
	assert_int_equal(j.rc, 1);
	map_page(&e, 0);
	respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(dma_join(&j), 0);
	assert_memory_equal(&v, e.mem, 8);
	/* A second answer to the same group comes too late. */
	assert_int_equal(pri_resp_cmd(&e, sid, (uint16_t)rec[0].grpid,
				      SMMU_PRI_RESP_SUCC),
			 SMMU_CERROR_NONE);
	assert_int_equal(pri(e.dev).ignored, 3);
	env_fini(&e);
	ufd_smmuv3_destroy(smmu);
}

static void test_overflow(void **state)
{
	struct ufd_smmuv3 *smmu = ufd_smmuv3_create(&polled);
	uint8_t *buf = tb_buf(4 * TB_PAGE, TB_PAGE);
	struct iommu_hwpt_pgfault rec[4];
	struct ufd_smmuv3_stats d0;
	struct dma_job j;
	struct env e;

	assert_false(IS_ERR(smmu));
	env_init(&e, smmu, UFD_DEV_ATS | UFD_DEV_PRI);
	attach(&e, e.fault_hwpt);
	d0 = drv(&e);
	/*
	 * Four requests into a queue of two nobody reads: the last ones are
	 * lost, the SMMU answers the lost Last request Success, the device
	 * asks again, and gives up after its bounded retries.
	 */
	assert_int_equal(ufd_dev_dma(e.dev, IOVA, buf, 4 * TB_PAGE, false),
			 -EFAULT);
	assert_true(pri(e.dev).lost > 0);
	assert_int_equal(pri(e.dev).outstanding, 0);
	assert_true(pri(e.dev).success > 1);
	assert_true(reg(&e, SMMU_PRIQ_PROD) & (1u << 31)); /* OVFLG */
	/* The driver reads what fits, drops the group, acknowledges. */
	assert_int_equal(ufd_smmuv3_priq_poll(smmu), 2);
	assert_int_equal(drv(&e).priq_overflows - d0.priq_overflows, 1);
	assert_int_equal(drv(&e).pri_dropped - d0.pri_dropped, 1);
	assert_int_equal(drv(&e).pri_groups, d0.pri_groups);
	assert_int_equal(reg(&e, SMMU_PRIQ_PROD) & (1u << 31),
			 reg(&e, SMMU_PRIQ_CONS) & (1u << 31));
	assert_false(fd_readable(e.fault_fd));

	/* The queue works again: a group that fits goes through. */
	map_page(&e, 0);
	map_page(&e, 1);
	j = (struct dma_job){
		.dev = e.dev, .iova = IOVA, .buf = buf, .len = 3 * TB_PAGE
	};
	dma_start(&j);
	assert_int_equal(read_group(e.fault_fd, smmu, rec, 4), 1);
	assert_int_equal(rec[0].addr, IOVA + 2 * TB_PAGE);
	map_page(&e, 2);
	respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	/* The response is a command: no PRI queue polling needed for it. */
	assert_int_equal(dma_join(&j), 0);
	assert_memory_equal(buf, e.mem, 3 * TB_PAGE);
	tb_buf_free(buf);
	env_fini(&e);
	ufd_smmuv3_destroy(smmu);
}

/* Detach, and destroy, while a group is outstanding: no hang, no leak. */
static void test_detach_outstanding(void **state)
{
	struct iommu_hwpt_pgfault rec[4];
	struct ufd_smmuv3_stats d0;
	unsigned int round;
	uint64_t v;
	struct dma_job j;
	struct env e;

	for (round = 0; round < 2; round++) {
		env_init(&e, NULL, UFD_DEV_ATS | UFD_DEV_PRI);
		attach(&e, e.fault_hwpt);
		d0 = drv(&e);
		j = (struct dma_job){
			.dev = e.dev, .iova = IOVA, .buf = (void *)&v, .len = 8
		};
		dma_start(&j);
		assert_int_equal(read_group(e.fault_fd, NULL, rec, 4), 1);
		assert_true(wait_for(dev_waits, e.dev));
		if (round) {
			/* Replaced away from the HWPT with the fault queue. */
			attach(&e, e.plain_hwpt);
		} else {
			ufd_device_detach(e.idev);
		}
		assert_int_equal(dma_join(&j), -EFAULT);
		assert_int_equal(pri(e.dev).aborted, 1);
		/* The group was answered for the program: Deny, ignored. */
		assert_int_equal(drv(&e).pri_resps - d0.pri_resps, 1);
		assert_int_equal(pri(e.dev).ignored, 1);
		assert_int_equal(pri(e.dev).outstanding, 0);
		/* The program's late answer is refused by the queue. */
		respond(e.fault_fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
		env_fini(&e);
	}
}

/* ---- Through the C API ---- */

static void test_core_path(void **state)
{
	struct uiommufd_dev_cfg cfg = {
		.size = sizeof(cfg),
		.model = UIOMMUFD_MODEL_SMMUV3,
		.flags = UIOMMUFD_DEV_ATS | UIOMMUFD_DEV_PRI,
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = TB_PAGE,
		.iova = IOVA,
	};
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_pgfault rec[4];
	struct ufd_smmuv3_stats d0;
	struct uiommufd_dev *udev;
	struct uiommufd_ctx *ctx;
	uint64_t *mem, v = 0x77;
	struct dma_job j;

	mem = mmap(NULL, TB_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	assert_int_equal(uiommufd_ctx_open(&ctx), 0);
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &ioas), 0);
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_FAULT_QUEUE_ALLOC, &fault),
			 0);
	assert_int_equal(uiommufd_dev_create(ctx, &cfg, &udev), 0);
	hwpt.dev_id = uiommufd_dev_id(udev);
	hwpt.pt_id = ioas.out_ioas_id;
	hwpt.fault_id = fault.out_fault_id;
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_HWPT_ALLOC, &hwpt), 0);
	assert_int_equal(uiommufd_dev_attach(udev, hwpt.out_hwpt_id, NULL), 0);
	/* As Linux's arm-smmu-v3: ATS reported, nothing about PRI. */
	info.dev_id = uiommufd_dev_id(udev);
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_GET_HW_INFO, &info), 0);
	assert_int_equal(info.out_capabilities, IOMMU_HW_CAP_DIRTY_TRACKING);

	ufd_smmuv3_get_stats(ufd_smmuv3_default(), &d0);
	j = (struct dma_job){ .udev = udev,
			      .iova = IOVA + 8,
			      .buf = (void *)&v,
			      .len = 8,
			      .write = true };
	dma_start(&j);
	assert_int_equal(read_group((int)fault.out_fault_fd, NULL, rec, 4), 1);
	assert_int_equal(rec[0].dev_id, uiommufd_dev_id(udev));
	assert_int_equal(rec[0].addr, IOVA);
	assert_int_equal(rec[0].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	map.ioas_id = ioas.out_ioas_id;
	map.user_va = (uint64_t)(uintptr_t)mem;
	assert_int_equal(uiommufd_ioctl(ctx, IOMMU_IOAS_MAP, &map), 0);
	respond((int)fault.out_fault_fd, rec[0].cookie,
		IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(dma_join(&j), 0);
	assert_int_equal(mem[1], 0x77);
	{
		struct ufd_smmuv3_stats d1;

		ufd_smmuv3_get_stats(ufd_smmuv3_default(), &d1);
		assert_true(d1.pri_reqs > d0.pri_reqs);
		assert_true(d1.pri_resps > d0.pri_resps);
	}

	uiommufd_dev_destroy(udev);
	close((int)fault.out_fault_fd);
	uiommufd_ctx_close(ctx);
	munmap(mem, TB_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_several_pages),
		cmocka_unit_test(test_no_fault_queue),
		cmocka_unit_test(test_without_pri),
		cmocka_unit_test(test_unknown_and_stray),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_detach_outstanding),
		cmocka_unit_test(test_core_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
