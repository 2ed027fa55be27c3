// SPDX-License-Identifier: BSD-3-Clause
/*
 * Fault queues end to end: IOMMU_FAULT_QUEUE_ALLOC and the descriptor it
 * returns (a real one: read, write, poll, select, epoll, dup, close),
 * delivery of mock-device faults (IOMMU_TEST_OP_TRIGGER_IOPF), responses
 * matched by cookie, what happens to responses the kernel's write() would
 * refuse, groups, the backlog when the socket is full, waiting for an
 * outcome, auto-responses, and the lifetime rules (the descriptor holds the
 * object and the context). Every test ends with no memory, descriptor or
 * channel left behind.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

#include "fault_test.h"
#include "base/log.h"
#include "core/eventq.h"

#define REC sizeof(struct iommu_hwpt_pgfault)
#define RESP sizeof(struct iommu_hwpt_page_response)

struct fq {
	struct ft_baseline base;
	struct ufd_ctx *ctx;
	uint32_t ioas;
	struct ft_mock m;
	uint32_t fault_id, iopf_hwpt;
	int fd;
};

static long fault_alloc(struct ufd_ctx *ctx, uint32_t flags, uint32_t *id,
			int *fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd), .flags = flags };
	long rc = test_ioctl(ctx, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	*id = cmd.out_fault_id;
	*fd = (int)cmd.out_fault_fd;
	return rc;
}

static long hwpt_alloc_iopf(struct ufd_ctx *ctx, uint32_t idev, uint32_t pt,
			    uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = idev,
		.pt_id = pt,
		.fault_id = fault_id,
	};
	long rc = test_ioctl(ctx, IOMMU_HWPT_ALLOC, &cmd);

	*out = cmd.out_hwpt_id;
	return rc;
}

static long trigger(struct ufd_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		    uint32_t grpid, uint64_t addr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = dev_id,
				  .pasid = pasid,
				  .grpid = grpid,
				  .perm = IOMMU_PGFAULT_PERM_READ |
					  IOMMU_PGFAULT_PERM_WRITE,
				  .addr = addr },
	};

	return test_ioctl(ctx, IOMMU_TEST_CMD, &cmd);
}

static struct ufd_object *fault_obj(struct fq *f)
{
	struct ufd_object *obj =
		ufd_get_object(f->ctx, f->fault_id, UFD_OBJ_FAULT);

	assert_false(IS_ERR(obj));
	/* Still held by the descriptor or the HWPT after the put. */
	ufd_put_object(f->ctx, obj);
	return obj;
}

static ssize_t respond(int fd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return write(fd, &r, sizeof(r));
}

static short poll_events(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	assert_true(poll(&p, 1, 0) >= 0);
	return p.revents;
}

/* A context, an IOAS, a mock device moved onto a HWPT with a fault queue. */
static int fq_setup(void **state)
{
	struct fq *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->base = ft_baseline();
	f->ctx = test_ctx_open();
	f->ioas = test_ioas_alloc(f->ctx);
	ft_mock_domain(f->ctx, f->ioas, &f->m);
	assert_int_equal(fault_alloc(f->ctx, 0, &f->fault_id, &f->fd), 0);
	assert_int_equal(hwpt_alloc_iopf(f->ctx, f->m.idev, f->ioas,
					 f->fault_id, &f->iopf_hwpt),
			 0);
	assert_int_equal(ft_mock_replace(f->ctx, f->m.stdev, f->iopf_hwpt), 0);
	*state = f;
	return 0;
}

static int fq_teardown(void **state)
{
	struct fq *f = *state;

	if (f->fd >= 0)
		close(f->fd);
	ufd_ctx_put(f->ctx);
	ft_check_baseline(f->base);
	free(f);
	return 0;
}

/* Log capture, to check what a dropped response tells the developer. */
static char logbuf[8192];
static size_t loglen;

static void log_sink(enum ufd_log_level level, const char *msg, void *opaque)
{
	int n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s\n", msg);

	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += (size_t)n;
}

static void log_capture(bool on)
{
	loglen = 0;
	logbuf[0] = 0;
	ufd_log_set_level(UFD_LOG_WARN);
	ufd_log_set_sink(on ? log_sink : NULL, NULL);
}

static void test_alloc_flags(void **state)
{
	struct ft_baseline b = ft_baseline();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t id = 0;
	int fd = -1;

	assert_int_equal(fault_alloc(ctx, 1, &id, &fd), -EOPNOTSUPP);
	assert_int_equal(fault_alloc(ctx, 0x80000000u, &id, &fd), -EOPNOTSUPP);
	assert_int_equal(ufd_object_count(ctx), 0);
	ufd_ctx_put(ctx);
	ft_check_baseline(b);
}

static void test_fd_properties(void **state)
{
	struct fq *f = *state;
	struct epoll_event ev = { .events = EPOLLIN };
	char buf[64];
	int ep;

	assert_true(f->fd > 2);
	assert_int_not_equal(f->fault_id, 0);
	assert_true(fcntl(f->fd, F_GETFD) & FD_CLOEXEC);
	/* Never blocks, like the kernel's read (which returns 0 instead). */
	assert_true(fcntl(f->fd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(poll_events(f->fd), POLLOUT);
	errno = 0;
	assert_int_equal(read(f->fd, buf, REC), -1);
	assert_int_equal(errno, EAGAIN);
	/* Not seekable: pread, pwrite and lseek answer ESPIPE. */
	assert_int_equal(pread(f->fd, buf, REC, 0), -1);
	assert_int_equal(errno, ESPIPE);
	assert_int_equal(pwrite(f->fd, buf, RESP, 0), -1);
	assert_int_equal(errno, ESPIPE);
	assert_int_equal(lseek(f->fd, 0, SEEK_SET), -1);
	assert_int_equal(errno, ESPIPE);
	/* epoll accepts it (it refuses regular files). */
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &ev), 0);
	close(ep);
}

static void test_trigger_read_respond(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct iommu_hwpt_pgfault rec;

	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 7, 0xdeadb000), 0);
	assert_int_equal(poll_events(f->fd), POLLIN | POLLOUT);
	assert_int_equal(ufd_fault_pending(fault), 1);
	assert_int_equal(read(f->fd, &rec, sizeof(rec)), REC);
	assert_int_equal(rec.flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_int_equal(rec.dev_id, f->m.idev);
	assert_int_equal(rec.pasid, 0);
	assert_int_equal(rec.grpid, 7);
	assert_int_equal(rec.perm,
			 IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE);
	assert_int_equal(rec.__reserved, 0);
	assert_int_equal(rec.addr, 0xdeadb000);
	assert_int_equal(rec.length, 0);
	assert_int_not_equal(rec.cookie, 0);
	assert_int_equal(poll_events(f->fd), POLLOUT);

	/* Read, not answered: still pending until the response arrives. */
	assert_int_equal(ufd_fault_pending(fault), 1);
	assert_int_equal(respond(f->fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS),
			 RESP);
	ft_wait_until(ufd_fault_pending(fault) == 0);
	assert_int_equal(ufd_fault_rejected(fault), 0);

	/* Cookies are not handed out twice. */
	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 8, 0x1000), 0);
	{
		struct iommu_hwpt_pgfault rec2;

		assert_int_equal(read(f->fd, &rec2, sizeof(rec2)), REC);
		assert_int_not_equal(rec2.cookie, rec.cookie);
		assert_int_equal(respond(f->fd, rec2.cookie,
					 IOMMUFD_PAGE_RESP_INVALID),
				 RESP);
	}
	ft_wait_until(ufd_fault_pending(fault) == 0);
}

static void test_trigger_not_delivered(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct ft_mock other;
	char buf[REC];

	/* Not a device: ENOENT, whatever the object is. */
	assert_int_equal(trigger(f->ctx, 0xfffff, 0, 1, 0), -ENOENT);
	assert_int_equal(trigger(f->ctx, f->ioas, 0, 1, 0), -ENOENT);
	assert_int_equal(trigger(f->ctx, f->m.stdev, 0, 1, 0), -ENOENT);
	assert_int_equal(trigger(f->ctx, f->fault_id, 0, 1, 0), -ENOENT);

	/* A PASID needs a PASID attachment or a nested HWPT: dropped. */
	assert_int_equal(trigger(f->ctx, f->m.idev, 5, 1, 0), 0);
	/* A device on a HWPT without a fault queue: dropped. */
	ft_mock_domain(f->ctx, f->ioas, &other);
	assert_int_equal(trigger(f->ctx, other.idev, 0, 1, 0), 0);
	assert_int_equal(ufd_fault_pending(fault), 0);
	assert_int_equal(read(f->fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);

	/* Moved onto the fault HWPT, the second device's faults arrive. */
	assert_int_equal(ft_mock_replace(f->ctx, other.stdev, f->iopf_hwpt), 0);
	assert_int_equal(trigger(f->ctx, other.idev, 0, 1, 0x5000), 0);
	assert_int_equal(read(f->fd, buf, sizeof(buf)), REC);
	assert_int_equal(((struct iommu_hwpt_pgfault *)buf)->dev_id,
			 other.idev);
	assert_int_equal(test_destroy(f->ctx, other.stdev), 0);
}

/* Reads come in whole groups, however large the buffer. */
static void test_groups(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct iommu_hwpt_pgfault rec[8];
	struct ufd_iopf iopf[3];
	uint32_t seen[3];
	unsigned int i, got = 0;
	ssize_t n;

	/* Three one-request groups: each read returns whole records. */
	for (i = 0; i < 3; i++)
		assert_int_equal(trigger(f->ctx, f->m.idev, 0, i, i * PS), 0);
	while (got < 3) {
		n = read(f->fd, rec, sizeof(rec) - 4);
		assert_true(n > 0);
		assert_int_equal(n % REC, 0);
		for (i = 0; i < n / REC; i++)
			seen[got++] = rec[i].cookie;
	}
	assert_int_equal(read(f->fd, rec, sizeof(rec)), -1);
	assert_int_equal(ufd_fault_pending(fault), 3);
	assert_true(seen[0] != seen[1] && seen[1] != seen[2] &&
		    seen[0] != seen[2]);
	/* One write may carry several responses. */
	{
		struct iommu_hwpt_page_response r[3] = {
			{ seen[2], IOMMUFD_PAGE_RESP_SUCCESS },
			{ seen[0], IOMMUFD_PAGE_RESP_SUCCESS },
			{ seen[1], IOMMUFD_PAGE_RESP_INVALID },
		};

		assert_int_equal(write(f->fd, r, sizeof(r)), sizeof(r));
	}
	ft_wait_until(ufd_fault_pending(fault) == 0);

	/* A three-request group: read together, one cookie, one answer. */
	for (i = 0; i < 3; i++)
		iopf[i] = (struct ufd_iopf){
			.flags = i == 2 ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0,
			.grpid = 9,
			.perm = IOMMU_PGFAULT_PERM_READ,
			.addr = 0x10000 + i * PS,
		};
	assert_int_equal(
		ufd_fault_report(fault, f, f->m.idev, iopf, 3, NULL, NULL), 0);
	assert_int_equal(read(f->fd, rec, sizeof(rec)), 3 * REC);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rec[i].addr, 0x10000 + i * PS);
		assert_int_equal(rec[i].cookie, rec[0].cookie);
		assert_int_equal(rec[i].dev_id, f->m.idev);
	}
	assert_int_equal(rec[2].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_int_equal(ufd_fault_pending(fault), 1);
	assert_int_equal(
		respond(f->fd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS), RESP);
	ft_wait_until(ufd_fault_pending(fault) == 0);

	/* Group sizes out of range are refused. */
	assert_int_equal(ufd_fault_report(fault, NULL, 1, iopf, 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ufd_fault_report(fault, NULL, 1, iopf,
					  UFD_IOPF_GROUP_MAX + 1, NULL, NULL),
			 -EINVAL);
}

/*
 * Responses the kernel's write() refuses (ESPIPE for a size that is not a
 * multiple of the response, EINVAL for an unknown code or cookie) cannot
 * fail write() on a socket; they are dropped, counted and logged, and the
 * responses before them in the same write take effect, as in the kernel.
 */
static void test_bad_responses(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct iommu_hwpt_pgfault rec[2];
	struct iommu_hwpt_page_response r[3];
	char odd[RESP + 3] = { 0 };

	log_capture(true);
	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 1, 0x1000), 0);
	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 2, 0x2000), 0);
	assert_int_equal(read(f->fd, &rec[0], REC), REC);
	assert_int_equal(read(f->fd, &rec[1], REC), REC);

	/* Misaligned size: all of it dropped. */
	memcpy(odd, &(struct iommu_hwpt_page_response){ rec[0].cookie, 0 },
	       RESP);
	assert_int_equal(write(f->fd, odd, sizeof(odd)), sizeof(odd));
	ft_wait_until(ufd_fault_rejected(fault) == 1);
	assert_int_equal(ufd_fault_pending(fault), 2);
	assert_non_null(strstr(logbuf, "ESPIPE"));

	/* Unknown cookie. */
	assert_int_equal(respond(f->fd, rec[1].cookie + 1000,
				 IOMMUFD_PAGE_RESP_SUCCESS),
			 RESP);
	ft_wait_until(ufd_fault_rejected(fault) == 2);
	assert_non_null(strstr(logbuf, "unknown cookie"));
	/* Unknown code. */
	assert_int_equal(respond(f->fd, rec[0].cookie, 2), RESP);
	ft_wait_until(ufd_fault_rejected(fault) == 3);
	assert_non_null(strstr(logbuf, "unknown code"));
	assert_non_null(strstr(logbuf, "EINVAL"));
	assert_int_equal(ufd_fault_pending(fault), 2);

	/* A good one, a bad one, a good one: only the first takes effect. */
	r[0] = (struct iommu_hwpt_page_response){ rec[0].cookie, 0 };
	r[1] = (struct iommu_hwpt_page_response){ 0, 0 };
	r[2] = (struct iommu_hwpt_page_response){ rec[1].cookie, 0 };
	assert_int_equal(write(f->fd, r, sizeof(r)), sizeof(r));
	ft_wait_until(ufd_fault_rejected(fault) == 4);
	assert_int_equal(ufd_fault_pending(fault), 1);

	/* Answering twice: the second finds no such group. */
	assert_int_equal(respond(f->fd, rec[0].cookie, 0), RESP);
	ft_wait_until(ufd_fault_rejected(fault) == 5);
	assert_int_equal(respond(f->fd, rec[1].cookie, 0), RESP);
	ft_wait_until(ufd_fault_pending(fault) == 0);
	/* An empty write is nothing at all, as in the kernel. */
	assert_int_equal(write(f->fd, r, 0), 0);
	assert_int_equal(respond(f->fd, 0xffffffffu, 0), RESP);
	ft_wait_until(ufd_fault_rejected(fault) == 6);
	log_capture(false);
}

struct waiter {
	struct ufd_object *fault;
	const void *handle;
	uint32_t dev_id;
	uint64_t timeout_ns;
	int rc;
	uint32_t code;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct ufd_iopf iopf = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.perm = IOMMU_PGFAULT_PERM_WRITE,
		.addr = 0xabc000,
	};

	w->rc = ufd_fault_report_wait(w->fault, w->handle, w->dev_id, &iopf, 1,
				      w->timeout_ns, &w->code);
	return NULL;
}

/* A device that stalls on its page request until the program answers. */
static void test_report_wait(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct waiter w = { fault, f, f->m.idev, 5000000000ull, -1, 99 };
	struct pollfd p = { .fd = f->fd, .events = POLLIN };
	struct iommu_hwpt_pgfault rec;
	struct ufd_iopf iopf = { .flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE };
	uint32_t code = 99;
	pthread_t t;

	ufd_object_ref(fault);
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(read(f->fd, &rec, sizeof(rec)), REC);
	assert_int_equal(rec.addr, 0xabc000);
	assert_int_equal(respond(f->fd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID),
			 RESP);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.code, IOMMUFD_PAGE_RESP_INVALID);

	/* Nobody answers: the wait times out, the group stays answerable. */
	assert_int_equal(ufd_fault_report_wait(fault, f, f->m.idev, &iopf, 1,
					       20000000, &code),
			 -ETIMEDOUT);
	assert_int_equal(code, 99);
	assert_int_equal(ufd_fault_pending(fault), 1);
	assert_int_equal(read(f->fd, &rec, sizeof(rec)), REC);
	assert_int_equal(respond(f->fd, rec.cookie, 0), RESP);
	ft_wait_until(ufd_fault_pending(fault) == 0);
	assert_int_equal(ufd_fault_rejected(fault), 0);
	ufd_object_unref(fault);
}

/* Written by whichever thread answers, read by the test. */
struct outcome {
	_Atomic int calls;
	_Atomic uint32_t code;
};

static void note_outcome(void *arg, uint32_t code)
{
	struct outcome *o = arg;

	o->code = code;
	o->calls++;
}

static void test_auto_response(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct ufd_iopf iopf = { .flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE };
	struct outcome a = { 0, 99 }, b = { 0, 99 }, c = { 0, 99 };
	struct iommu_hwpt_pgfault rec[3];
	int h1, h2;

	log_capture(true);
	assert_int_equal(
		ufd_fault_report(fault, &h1, 5, &iopf, 1, note_outcome, &a), 0);
	assert_int_equal(
		ufd_fault_report(fault, &h2, 5, &iopf, 1, note_outcome, &b), 0);
	assert_int_equal(
		ufd_fault_report(fault, &h1, 6, &iopf, 1, note_outcome, &c), 0);
	assert_int_equal(read(f->fd, &rec[0], REC), REC);

	/* Device 5 leaves attachment h1: only its group is answered. */
	ufd_fault_auto_response(fault, 5, &h1);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.code, IOMMUFD_PAGE_RESP_INVALID);
	assert_int_equal(b.calls + c.calls, 0);
	assert_int_equal(ufd_fault_pending(fault), 2);

	/* Its records were already out; answering them is refused. */
	assert_int_equal(respond(f->fd, rec[0].cookie, 0), RESP);
	ft_wait_until(ufd_fault_rejected(fault) == 1);
	assert_int_equal(a.calls, 1);

	assert_int_equal(read(f->fd, &rec[1], REC), REC);
	assert_int_equal(read(f->fd, &rec[2], REC), REC);
	assert_int_equal(respond(f->fd, rec[1].cookie, 0), RESP);
	ft_wait_until(b.calls == 1);
	assert_int_equal(b.code, IOMMUFD_PAGE_RESP_SUCCESS);

	/* The queue's destruction answers what is left. */
	close(f->fd);
	f->fd = -1;
	assert_int_equal(ft_mock_replace(f->ctx, f->m.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, f->iopf_hwpt), 0);
	assert_int_equal(c.calls, 0);
	assert_int_equal(ft_destroy_after_close(f->ctx, f->fault_id), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.code, IOMMUFD_PAGE_RESP_INVALID);
	log_capture(false);
}

/* The descriptor holds the object (EBUSY) and the HWPT does too. */
static void test_lifetime(void **state)
{
	struct fq *f = *state;
	uint32_t id2, hwpt2;
	int fd2;

	assert_int_equal(test_destroy(f->ctx, f->fault_id), -EBUSY);
	assert_int_equal(hwpt_alloc_iopf(f->ctx, f->m.idev, f->ioas, 0xfffff,
					 &hwpt2),
			 -ENOENT);
	assert_int_equal(hwpt_alloc_iopf(f->ctx, f->m.idev, f->ioas, f->ioas,
					 &hwpt2),
			 -ENOENT);

	/* Only the descriptor holds a fresh queue; a dup holds it too. */
	assert_int_equal(fault_alloc(f->ctx, 0, &id2, &fd2), 0);
	{
		int dup_fd = dup(fd2);

		assert_true(dup_fd >= 0);
		close(fd2);
		assert_int_equal(ft_destroy_after_close(f->ctx, id2), -EBUSY);
		/* The dup is the same queue. */
		assert_int_equal(poll_events(dup_fd), POLLOUT);
		close(dup_fd);
	}
	assert_int_equal(ft_destroy_after_close(f->ctx, id2), 0);
	assert_int_equal(test_destroy(f->ctx, id2), -ENOENT);

	/* Closed, but still named by the HWPT. */
	close(f->fd);
	f->fd = -1;
	assert_int_equal(ft_destroy_after_close(f->ctx, f->fault_id), -EBUSY);
	assert_int_equal(ft_mock_replace(f->ctx, f->m.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, f->iopf_hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, f->fault_id), 0);
}

/* The descriptor keeps the context alive after the program closed it. */
static void test_fd_holds_ctx(void **state)
{
	struct ft_baseline b = ft_baseline();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx), id, hwpt;
	struct iommu_hwpt_pgfault rec;
	struct ft_mock m;
	int fd;

	ft_mock_domain(ctx, ioas, &m);
	assert_int_equal(fault_alloc(ctx, 0, &id, &fd), 0);
	assert_int_equal(hwpt_alloc_iopf(ctx, m.idev, ioas, id, &hwpt), 0);
	assert_int_equal(ft_mock_replace(ctx, m.stdev, hwpt), 0);
	assert_int_equal(trigger(ctx, m.idev, 0, 3, 0x7000), 0);

	/* The program closes /dev/iommu first: nothing is torn down. */
	ufd_ctx_put(ctx);
	ufd_fdchan_flush(NULL);
	assert_int_equal(ufd_fdchan_count(), 1);
	assert_int_equal(read(fd, &rec, sizeof(rec)), REC);
	assert_int_equal(rec.grpid, 3);
	assert_int_equal(respond(fd, rec.cookie, 0), RESP);

	/* Its last descriptor gone, the context goes with everything. */
	close(fd);
	ft_check_baseline(b);
}

/*
 * More faults than the socket holds: they wait in order and flow as the
 * program reads; none is lost or reordered.
 */
static void test_backlog(void **state)
{
	enum { N = 3000 };
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	static struct iommu_hwpt_page_response resp[N];
	struct iommu_hwpt_pgfault rec[16];
	struct pollfd p = { .fd = f->fd, .events = POLLIN };
	unsigned int got = 0, i, sent = 0;
	uint32_t last_cookie = 0;
	uint64_t last_addr = 0;
	int inq = 0;

	for (i = 0; i < N; i++)
		assert_int_equal(trigger(f->ctx, f->m.idev, 0, i & 511,
					 0x100000ull + i * PS),
				 0);
	assert_int_equal(ufd_fault_pending(fault), N);
	/* The socket did not take them all: the backlog is in use. */
	assert_int_equal(ioctl(f->fd, FIONREAD, &inq), 0);
	assert_true(inq > 0 && inq < (int)(N * REC));
	while (got < N) {
		ssize_t n;

		assert_int_equal(poll(&p, 1, 5000), 1);
		n = read(f->fd, rec, sizeof(rec));
		if (n < 0 && errno == EAGAIN)
			continue;
		assert_true(n > 0 && n % REC == 0);
		for (i = 0; i < n / REC; i++, got++) {
			assert_true(rec[i].cookie > last_cookie);
			assert_true(rec[i].addr > last_addr);
			last_cookie = rec[i].cookie;
			last_addr = rec[i].addr;
			resp[got] = (struct iommu_hwpt_page_response){
				rec[i].cookie, IOMMUFD_PAGE_RESP_SUCCESS
			};
		}
	}
	assert_int_equal(last_addr, 0x100000ull + (N - 1) * PS);
	/* Answer in writes of 100 responses. */
	while (sent < N) {
		size_t k = ufd_min(100u, N - sent);

		assert_int_equal(write(f->fd, resp + sent, k * RESP),
				 (ssize_t)(k * RESP));
		sent += k;
	}
	ft_wait_until(ufd_fault_pending(fault) == 0);
	assert_int_equal(ufd_fault_rejected(fault), 0);
}

static void test_select_epoll(void **state)
{
	struct fq *f = *state;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct iommu_hwpt_pgfault rec;
	struct timeval tv = { 0, 0 };
	fd_set rd;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &ev), 0);
	assert_int_equal(epoll_wait(ep, &out, 1, 0), 0);
	FD_ZERO(&rd);
	FD_SET(f->fd, &rd);
	assert_int_equal(select(f->fd + 1, &rd, NULL, NULL, &tv), 0);

	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 1, 0x3000), 0);
	assert_int_equal(epoll_wait(ep, &out, 1, 5000), 1);
	assert_true(out.events & EPOLLIN);
	FD_ZERO(&rd);
	FD_SET(f->fd, &rd);
	assert_int_equal(select(f->fd + 1, &rd, NULL, NULL, &tv), 1);
	assert_int_equal(read(f->fd, &rec, sizeof(rec)), REC);
	assert_int_equal(epoll_wait(ep, &out, 1, 0), 0);
	close(ep);
}

/* A fault left unread when the program closes waits for its answer. */
static void test_close_with_pending(void **state)
{
	struct fq *f = *state;
	struct ufd_object *fault = fault_obj(f);
	struct outcome o = { 0, 99 };
	struct ufd_iopf iopf = { .flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE };

	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 1, 0x3000), 0);
	assert_int_equal(ufd_fault_report(fault, f, f->m.idev, &iopf, 1,
					  note_outcome, &o),
			 0);
	close(f->fd);
	f->fd = -1;
	ufd_fdchan_flush(f->ctx);
	assert_int_equal(ufd_fault_pending(fault), 2);
	/* Faults after the close are still taken, and still answered. */
	assert_int_equal(trigger(f->ctx, f->m.idev, 0, 2, 0x4000), 0);
	assert_int_equal(ufd_fault_pending(fault), 3);
	assert_int_equal(o.calls, 0);
	/* Destroying the queue answers them. */
	assert_int_equal(ft_mock_replace(f->ctx, f->m.stdev, f->ioas), 0);
	assert_int_equal(test_destroy(f->ctx, f->iopf_hwpt), 0);
	assert_int_equal(test_destroy(f->ctx, f->fault_id), 0);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.code, IOMMUFD_PAGE_RESP_INVALID);
}

/* An errno a step of the fail-nth sequence may end with. */
static bool injected(long rc)
{
	return rc == -ENOMEM || rc == -ENOENT || rc == -EINVAL;
}

/*
 * The fault path with the 1st, 2nd, ... fail point failing: every step
 * either works or fails cleanly, and nothing leaks.
 */
static void test_fail_nth(void **state)
{
	struct ft_baseline b = ft_baseline();
	unsigned int n;

	for (n = 1; n < 1000; n++) {
		struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
		struct iommu_test_cmd mock = {
			.size = sizeof(mock),
			.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		};
		struct iommu_hwpt_pgfault rec;
		uint32_t fault_id, hwpt;
		struct ufd_ctx *ctx;
		int fd = -1;
		bool fired;
		long rc;

		ufd_fail_nth_set(n);
		ctx = ufd_ctx_create();
		if (IS_ERR(ctx)) {
			ufd_fail_nth_set(0);
			assert_int_equal(PTR_ERR(ctx), -ENOMEM);
			continue;
		}
		rc = test_ioctl(ctx, IOMMU_IOAS_ALLOC, &ioas);
		if (rc)
			goto out_check;
		mock.id = ioas.out_ioas_id;
		rc = test_ioctl(ctx, IOMMU_TEST_CMD, &mock);
		if (rc)
			goto out_check;
		rc = fault_alloc(ctx, 0, &fault_id, &fd);
		if (rc) {
			fd = -1;
			goto out_check;
		}
		rc = hwpt_alloc_iopf(ctx, mock.mock_domain.out_idev_id,
				     ioas.out_ioas_id, fault_id, &hwpt);
		if (rc)
			goto out_check;
		rc = ft_mock_replace(ctx, mock.mock_domain.out_stdev_id, hwpt);
		if (rc)
			goto out_check;
		rc = trigger(ctx, mock.mock_domain.out_idev_id, 0, 1, 0x1000);
		if (rc)
			goto out_check;
		/* An allocation failing in the report loses the fault. */
		if (read(fd, &rec, sizeof(rec)) == REC)
			assert_int_equal(respond(fd, rec.cookie, 0), RESP);
out_check:
		fired = ufd_fail_nth_get() == 0;
		ufd_fail_nth_set(0);
		assert_true(!rc || injected(rc));
		if (fd >= 0)
			close(fd);
		ufd_ctx_put(ctx);
		ft_check_baseline(b);
		if (!fired)
			break;
	}
	print_message("swept %u fail points\n", n - 1);
	assert_true(n > 10 && n < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_flags),
		cmocka_unit_test_setup_teardown(test_fd_properties, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_trigger_read_respond,
						fq_setup, fq_teardown),
		cmocka_unit_test_setup_teardown(test_trigger_not_delivered,
						fq_setup, fq_teardown),
		cmocka_unit_test_setup_teardown(test_groups, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_bad_responses, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_report_wait, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_auto_response, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_lifetime, fq_setup,
						fq_teardown),
		cmocka_unit_test(test_fd_holds_ctx),
		cmocka_unit_test_setup_teardown(test_backlog, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_select_epoll, fq_setup,
						fq_teardown),
		cmocka_unit_test_setup_teardown(test_close_with_pending,
						fq_setup, fq_teardown),
		cmocka_unit_test(test_fail_nth),
	};

	ft_warm_up();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
