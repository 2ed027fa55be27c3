// SPDX-License-Identifier: BSD-3-Clause
/*
 * Fault queues: I/O page faults for user space to resolve. (vEVENTQs, the
 * events a vIOMMU reports to its VM, are in veventq.c.)
 *
 * A fault queue is a UFD_OBJ_FAULT object and a descriptor channel
 * (fault_fd.h). HWPTs allocated with IOMMU_HWPT_FAULT_ID_VALID hold a
 * users reference on it; so does the program's descriptor until it is
 * closed (IOMMU_DESTROY answers EBUSY meanwhile), and the descriptor keeps
 * the context alive, as the kernel's fault file does.
 *
 * A reported group gets a cookie and its records (struct
 * iommu_hwpt_pgfault, one per page request, all carrying the cookie) are
 * sent to the program as one message, so a read() returns whole groups.
 * The program answers with struct iommu_hwpt_page_response records; the
 * service thread matches each by cookie and completes its group with the
 * program's code, waking whoever waits for it. When the socket is full,
 * groups wait in order in a backlog that the service thread sends on as
 * the program reads.
 *
 * Differences from the kernel, all from its answer being a socket (see
 * fault_fd.c): cookies are given when a group is queued, not when it is
 * read, and are not reused until the 32-bit counter wraps, so an answer to
 * a group that was already answered for the program (auto-response) never
 * hits a newer group; a response the kernel's write() would refuse
 * (misaligned size: ESPIPE; unknown code or cookie: EINVAL) is dropped and
 * counted instead (ufd_fault_rejected()), earlier responses of the same
 * write() taking effect as they would in the kernel.
 *
 * Invariants (fault->mutex): groups holds every group not yet answered,
 * in the order they were queued; the ones before unsent were handed to
 * the socket, unsent and the ones after it were not. npending counts
 * groups. A group's waiter, if any, is told its outcome under the mutex;
 * its callback runs after the mutex is dropped.
 *
 * Lock order: device lock -> fault->mutex -> fd channel registry lock.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/eventq.h"
#include "core/fault_fd.h"

struct fault_waiter {
	bool done;
	uint32_t code;
};

struct fault_group {
	struct fault_group *prev, *next; /* fault->groups; fault->mutex */
	uint32_t cookie;
	uint32_t dev_id;
	/* The attachment it came through: compared, never dereferenced. */
	const void *handle;
	ufd_iopf_done_fn done;
	void *done_arg;
	uint32_t code;		     /* the outcome, for done */
	struct fault_waiter *waiter; /* fault->mutex; NULL if none waits */
	unsigned int n;
	struct iommu_hwpt_pgfault rec[];
};

struct ufd_fault {
	struct ufd_object obj;
	struct ufd_mutex mutex;
	struct ufd_cond answered; /* some waited-for group was answered */
	/*
	 * mutex: the program's channel, NULL once the program closed its
	 * descriptor. chan_started is set before the object is visible.
	 */
	struct ufd_fdchan *chan;
	bool chan_started;
	struct fault_group *head, *tail; /* mutex */
	struct fault_group *unsent;	 /* mutex */
	unsigned int npending;		 /* mutex */
	uint32_t next_cookie;		 /* mutex */
	bool cookies_wrapped;		 /* mutex */
	uint64_t rejected;		 /* mutex */
};

static struct ufd_fault *to_fault(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_fault, obj);
}

static void group_unlink_locked(struct ufd_fault *fault, struct fault_group *g)
{
	if (fault->unsent == g)
		fault->unsent = g->next;
	if (g->prev)
		g->prev->next = g->next;
	else
		fault->head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		fault->tail = g->prev;
	fault->npending--;
}

/*
 * Gives @g its outcome and takes it off the queue. A group with a
 * callback goes on *@done_list for run_done(); the rest are freed here.
 */
static void group_answer_locked(struct ufd_fault *fault, struct fault_group *g,
				uint32_t code, struct fault_group **done_list)
{
	group_unlink_locked(fault, g);
	if (g->waiter) {
		g->waiter->done = true;
		g->waiter->code = code;
		ufd_cond_broadcast(&fault->answered);
	}
	if (g->done) {
		g->code = code;
		g->next = *done_list;
		*done_list = g;
	} else {
		ufd_free(g);
	}
}

static void run_done(struct fault_group *list)
{
	struct fault_group *g;

	while ((g = list)) {
		list = g->next;
		g->done(g->done_arg, g->code);
		ufd_free(g);
	}
}

/* The group with @cookie; only those handed to the program if @sent. */
static struct fault_group *group_find_locked(struct ufd_fault *fault,
					     uint32_t cookie, bool sent)
{
	struct fault_group *g;

	for (g = fault->head; g; g = g->next) {
		if (sent && g == fault->unsent)
			break;
		if (g->cookie == cookie)
			return g;
	}
	return NULL;
}

static uint32_t cookie_alloc_locked(struct ufd_fault *fault)
{
	uint32_t c;

	for (;;) {
		c = fault->next_cookie++;
		if (!fault->next_cookie)
			fault->cookies_wrapped = true;
		/* Before the first wrap every cookie ahead is free. */
		if (c && (!fault->cookies_wrapped ||
			  !group_find_locked(fault, c, false)))
			return c;
	}
}

/* Offers @g to the socket unless older groups are still waiting. */
static void group_send_locked(struct ufd_fault *fault, struct fault_group *g)
{
	int rc = -EPIPE;

	if (fault->unsent)
		return;
	if (fault->chan)
		rc = ufd_fdchan_send(fault->chan, g->rec,
				     g->n * sizeof(*g->rec));
	if (!rc)
		return;
	fault->unsent = g;
	/* A closed descriptor takes nothing more; its release is coming. */
	if (fault->chan && rc != -EPIPE && rc != -ECONNRESET)
		ufd_fdchan_want_write(fault->chan, true);
}

static struct fault_group *group_alloc(struct ufd_object *obj,
				       const void *handle, uint32_t dev_id,
				       const struct ufd_iopf *faults,
				       unsigned int n)
{
	struct fault_group *g;
	unsigned int i;

	if (obj->type != UFD_OBJ_FAULT || !n || n > UFD_IOPF_GROUP_MAX)
		return ERR_PTR(-EINVAL);
	g = ufd_zalloc(sizeof(*g) + n * sizeof(g->rec[0]));
	if (!g)
		return ERR_PTR(-ENOMEM);
	g->dev_id = dev_id;
	g->handle = handle;
	g->n = n;
	for (i = 0; i < n; i++) {
		g->rec[i] = (struct iommu_hwpt_pgfault){
			.flags = faults[i].flags,
			.dev_id = dev_id,
			.pasid = faults[i].pasid,
			.grpid = faults[i].grpid,
			.perm = faults[i].perm,
			.addr = faults[i].addr,
			.length = faults[i].length,
		};
	}
	return g;
}

static void group_queue_locked(struct ufd_fault *fault, struct fault_group *g)
{
	unsigned int i;

	g->cookie = cookie_alloc_locked(fault);
	for (i = 0; i < g->n; i++)
		g->rec[i].cookie = g->cookie;
	g->prev = fault->tail;
	if (fault->tail)
		fault->tail->next = g;
	else
		fault->head = g;
	fault->tail = g;
	fault->npending++;
	group_send_locked(fault, g);
}

/**
 * ufd_fault_report() - queue a group of page requests for the program
 * @fault: a UFD_OBJ_FAULT object the caller holds a reference on
 * @handle: identifies the attachment the faults came through (the HWPT
 *          the device is attached to); ufd_fault_auto_response() matches
 *          it. Never dereferenced.
 * @dev_id: the faulting device's object id, as the records carry it
 * @faults: the group's page requests, in order; the caller sets
 *          IOMMU_PGFAULT_FLAGS_LAST_PAGE on the last one
 * @n: how many (1 to UFD_IOPF_GROUP_MAX)
 * @done: called once with the outcome, or NULL to ignore it
 * @arg: for @done
 *
 * Never blocks on the program: the group is handed to the socket or
 * queued behind the ones the socket has not taken yet.
 *
 * Return: 0; -EINVAL (not a fault queue, @n out of range); -ENOMEM. On
 * failure @done is not called.
 */
int ufd_fault_report(struct ufd_object *fault, const void *handle,
		     uint32_t dev_id, const struct ufd_iopf *faults,
		     unsigned int n, ufd_iopf_done_fn done, void *arg)
{
	struct fault_group *g = group_alloc(fault, handle, dev_id, faults, n);
	struct ufd_fault *f;

	if (IS_ERR(g))
		return (int)PTR_ERR(g);
	f = to_fault(fault);
	g->done = done;
	g->done_arg = arg;
	ufd_mutex_lock(&f->mutex);
	group_queue_locked(f, g);
	ufd_mutex_unlock(&f->mutex);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * ufd_fault_report_wait() - report a group and wait for its outcome
 * @fault, @handle, @dev_id, @faults, @n: as ufd_fault_report()
 * @timeout_ns: how long to wait at most
 * @out_code: the outcome (IOMMUFD_PAGE_RESP_*), on success
 *
 * What a device that stalls on a page request does. The caller holds a
 * users reference on @fault (ufd_object_ref()) across the call and no lock
 * that detaching the device needs, so that an auto-response can reach it.
 * On timeout the group stays queued, answerable, without a waiter.
 *
 * Return: 0; -ETIMEDOUT; as ufd_fault_report().
 */
int ufd_fault_report_wait(struct ufd_object *fault, const void *handle,
			  uint32_t dev_id, const struct ufd_iopf *faults,
			  unsigned int n, uint64_t timeout_ns,
			  uint32_t *out_code)
{
	struct fault_group *g = group_alloc(fault, handle, dev_id, faults, n);
	struct fault_waiter w = { 0 };
	uint64_t start, now;
	struct ufd_fault *f;
	int rc = 0;

	if (IS_ERR(g))
		return (int)PTR_ERR(g);
	f = to_fault(fault);
	g->waiter = &w;
	start = now_ns();
	ufd_mutex_lock(&f->mutex);
	group_queue_locked(f, g);
	while (!w.done) {
		now = now_ns();
		if (now - start >= timeout_ns)
			break;
		ufd_cond_timedwait_ns(&f->answered, &f->mutex,
				      timeout_ns - (now - start));
	}
	if (w.done) {
		*out_code = w.code;
	} else {
		g->waiter = NULL; /* still queued: not answered yet */
		rc = -ETIMEDOUT;
	}
	ufd_mutex_unlock(&f->mutex);
	return rc;
}

/**
 * ufd_fault_auto_response() - answer a departing attachment's groups
 * @fault: the fault queue of the HWPT the device is leaving
 * @dev_id: the device
 * @handle: the attachment, as given to ufd_fault_report()
 *
 * Every group of that attachment still queued or awaiting the program's
 * response completes with IOMMUFD_PAGE_RESP_INVALID, as the kernel does
 * when a device detaches from (or is replaced away from) a HWPT with a
 * fault queue. Records already handed to the socket stay readable; a
 * response to them is then refused as unknown.
 */
void ufd_fault_auto_response(struct ufd_object *fault, uint32_t dev_id,
			     const void *handle)
{
	struct ufd_fault *f = to_fault(fault);
	struct fault_group *g, *next, *done_list = NULL;
	struct ufd_fdchan *chan;

	/* Responses already written count, as the kernel's write() did. */
	ufd_mutex_lock(&f->mutex);
	chan = f->chan;
	ufd_mutex_unlock(&f->mutex);
	if (chan)
		ufd_fdchan_wait_input(chan);
	ufd_mutex_lock(&f->mutex);
	for (g = f->head; g; g = next) {
		next = g->next;
		if (g->dev_id == dev_id && g->handle == handle)
			group_answer_locked(f, g, IOMMUFD_PAGE_RESP_INVALID,
					    &done_list);
	}
	ufd_mutex_unlock(&f->mutex);
	run_done(done_list);
}

/** ufd_fault_pending() - groups queued and not yet answered */
unsigned int ufd_fault_pending(struct ufd_object *fault)
{
	struct ufd_fault *f = to_fault(fault);
	unsigned int n;

	ufd_mutex_lock(&f->mutex);
	n = f->npending;
	ufd_mutex_unlock(&f->mutex);
	return n;
}

/**
 * ufd_fault_rejected() - response writes (or their tails) the kernel's
 * write() would have failed, and that were therefore dropped
 */
uint64_t ufd_fault_rejected(struct ufd_object *fault)
{
	struct ufd_fault *f = to_fault(fault);
	uint64_t n;

	ufd_mutex_lock(&f->mutex);
	n = f->rejected;
	ufd_mutex_unlock(&f->mutex);
	return n;
}

/* The program wrote responses: the kernel's write() order and checks. */
static void fault_chan_message(void *data, const void *buf, size_t len)
{
	struct fault_group *g, *done_list = NULL;
	struct iommu_hwpt_page_response resp;
	struct ufd_fault *fault = data;
	size_t off;

	ufd_mutex_lock(&fault->mutex);
	if (len % sizeof(resp)) {
		fault->rejected++;
		ufd_warn("fault queue %u: dropped a %zu-byte write, not a "
			 "whole number of responses (the kernel: ESPIPE)",
			 fault->obj.id, len);
		goto out_unlock;
	}
	for (off = 0; off < len; off += sizeof(resp)) {
		memcpy(&resp, (const char *)buf + off, sizeof(resp));
		g = NULL;
		if (resp.code == IOMMUFD_PAGE_RESP_SUCCESS ||
		    resp.code == IOMMUFD_PAGE_RESP_INVALID)
			g = group_find_locked(fault, resp.cookie, true);
		if (!g) {
			const char *what = resp.code > IOMMUFD_PAGE_RESP_INVALID
						   ? "code"
						   : "cookie";

			fault->rejected++;
			ufd_warn("fault queue %u: dropped response (cookie %u, "
				 "code %u) and any after it in its write: "
				 "unknown %s (the kernel: EINVAL)",
				 fault->obj.id, resp.cookie, resp.code, what);
			break;
		}
		group_answer_locked(fault, g, resp.code, &done_list);
	}
out_unlock:
	ufd_mutex_unlock(&fault->mutex);
	run_done(done_list);
}

/* The socket has room again: send the backlog on. */
static void fault_chan_writable(void *data)
{
	struct ufd_fault *fault = data;
	int rc = 0;

	ufd_mutex_lock(&fault->mutex);
	while (fault->chan && fault->unsent) {
		struct fault_group *g = fault->unsent;

		rc = ufd_fdchan_send(fault->chan, g->rec,
				     g->n * sizeof(*g->rec));
		if (rc)
			break;
		fault->unsent = g->next;
	}
	if (fault->chan)
		ufd_fdchan_want_write(fault->chan, fault->unsent &&
							   rc != -EPIPE &&
							   rc != -ECONNRESET);
	ufd_mutex_unlock(&fault->mutex);
}

/* The program closed the descriptor: the kernel's file release. */
static void fault_chan_release(void *data)
{
	struct ufd_fault *fault = data;

	ufd_mutex_lock(&fault->mutex);
	fault->chan = NULL;
	ufd_mutex_unlock(&fault->mutex);
	/* Pairs with ufd_fault_alloc_ioctl(); the object may go after this. */
	ufd_object_unref(&fault->obj);
}

static const struct ufd_fdchan_ops fault_chan_ops = {
	.message = fault_chan_message,
	.writable = fault_chan_writable,
	.release = fault_chan_release,
};

/* The object op, and the abort of a creation that failed. */
void ufd_fault_destroy(struct ufd_object *obj)
{
	struct ufd_fault *fault = to_fault(obj);
	struct fault_group *done_list = NULL;

	/*
	 * An open descriptor holds a users reference, so a channel here was
	 * never started: the creation failed, and its descriptor was never
	 * the program's.
	 */
	if (fault->chan && !fault->chan_started)
		ufd_fdchan_abort(fault->chan);
	else if (fault->chan)
		ufd_err("fault queue %u destroyed with its descriptor open",
			obj->id);
	ufd_mutex_lock(&fault->mutex);
	fault->chan = NULL;
	while (fault->head)
		group_answer_locked(fault, fault->head,
				    IOMMUFD_PAGE_RESP_INVALID, &done_list);
	ufd_mutex_unlock(&fault->mutex);
	run_done(done_list);
	ufd_cond_destroy(&fault->answered);
	ufd_mutex_destroy(&fault->mutex);
}

/**
 * ufd_fault_alloc_ioctl() - IOMMU_FAULT_QUEUE_ALLOC
 * @ucmd: the ioctl; replies out_fault_id and out_fault_fd
 *
 * Return: 0; -EOPNOTSUPP (flags); -ENOMEM; -EMFILE/-ENFILE; -EFAULT.
 */
int ufd_fault_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct ufd_fault *fault;
	int fd, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = ufd_object_alloc_ucmd_type(ucmd, fault, UFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return (int)PTR_ERR(fault);
	/* From here on the dispatcher's abort runs ufd_fault_destroy(). */
	ufd_mutex_init(&fault->mutex);
	ufd_cond_init(&fault->answered);
	fault->next_cookie = 1;
	rc = ufd_fdchan_open(&fault_chan_ops, fault, true, &fault->chan, &fd);
	if (rc)
		return rc;
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = (uint32_t)fd;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		return rc;
	/* The descriptor's reference; pairs with fault_chan_release(). */
	ufd_object_ref(&fault->obj);
	rc = ufd_fdchan_start(fault->chan, ucmd->ctx);
	if (rc) {
		ufd_object_unref(&fault->obj);
		return rc;
	}
	fault->chan_started = true;
	return 0;
}
