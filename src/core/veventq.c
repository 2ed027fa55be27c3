// SPDX-License-Identifier: BSD-3-Clause
/*
 * vEVENTQs: one per vIOMMU and event type, each with a descriptor the VMM
 * reads struct iommufd_vevent_header records from, each followed by the
 * type's event data, in the order the hardware reported them.
 *
 * As in Linux: every record carries a sequence number (31 bits, wrapping)
 * from one counter per queue; at most veventq_depth events wait unread;
 * an event that finds the queue full is lost, and a header with
 * IOMMU_VEVENTQ_FLAG_LOST_EVENTS and no data takes its place at the tail
 * (once: further losses only move it along, taking their sequence
 * numbers, so the reader sees the gap). The descriptor holds the queue
 * (IOMMU_DESTROY answers EBUSY while it is open) and the context.
 *
 * The descriptor is the read end of a pipe in packet mode
 * (ufd_fdchan_open_pipe()): each record is one packet that a read()
 * returns whole. The depth counts what the program has not read:
 * records stay on the sent list, in order, until the pipe's unread byte
 * count shows they were consumed (reads take whole packets, in order).
 * Records the pipe has no room for wait on the same list, unsent, and
 * go out as the program reads.
 *
 * Differences from Linux (docs/viommu.md): one record per read(); a
 * read() shorter than the next record gets its first bytes and loses the
 * rest, where Linux answers EINVAL and consumes nothing; read() with
 * nothing queued answers EAGAIN (the descriptor is non-blocking), where
 * Linux returns 0; a lost-events header already handed to the pipe
 * cannot move, so losses after it show only as a gap in the sequence.
 *
 * Locking: q->lock guards the record list, the counters and chan. Lock
 * order: viommu veventqs_lock -> q->lock -> fd channel registry lock.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/fault_fd.h"
#include "core/veventq.h"

/* An arbitrary bound that fits every IOMMU's queue, Linux's. */
#define VEVENTQ_MAX_DEPTH (1u << 19)
#define SEQUENCE_MASK 0x7fffffffu

struct vevent {
	struct vevent *next;
	bool lost; /* a lost-events header */
	bool sent; /* handed to the pipe */
	size_t len;
	struct iommufd_vevent_header hdr; /* followed by the event data */
	uint8_t data[];
};

struct ufd_veventq {
	struct ufd_object obj;
	struct ufd_viommu_obj *viommu; /* users reference */
	uint32_t type;
	uint32_t depth;
	struct ufd_veventq *next; /* viommu->veventqs; veventqs_lock */
	struct ufd_mutex lock;
	struct ufd_fdchan *chan; /* lock; NULL once released */
	bool chan_started;
	/* Records not known to be read: sent ones first, then unsent. */
	struct vevent *head, *tail; /* lock */
	uint64_t sent_bytes;	    /* lock: bytes of the sent records */
	uint32_t num_events;	    /* lock: records of events (not lost) */
	uint32_t sequence;	    /* lock: the next record's */
};

static struct ufd_veventq *to_veventq(struct ufd_object *obj)
{
	return container_of(obj, struct ufd_veventq, obj);
}

static void vevent_pop_locked(struct ufd_veventq *q)
{
	struct vevent *e = q->head;

	q->head = e->next;
	if (!q->head)
		q->tail = NULL;
	if (e->sent)
		q->sent_bytes -= e->len;
	if (!e->lost)
		q->num_events--;
	ufd_free(e);
}

/* Forgets the sent records the program has read since we last looked. */
static void reconcile_locked(struct ufd_veventq *q)
{
	long unread;

	if (!q->chan)
		return;
	unread = ufd_fdchan_unread(q->chan);
	if (unread < 0)
		return;
	while (q->head && q->head->sent && q->sent_bytes > (uint64_t)unread)
		vevent_pop_locked(q);
}

/* Hands unsent records to the pipe while it has room. */
static void flush_locked(struct ufd_veventq *q)
{
	struct vevent *e;
	bool full = false;

	for (e = q->head; e && q->chan; e = e->next) {
		int rc;

		if (e->sent)
			continue;
		rc = ufd_fdchan_send(q->chan, &e->hdr, e->len);
		if (rc == -EAGAIN) {
			full = true;
			break;
		}
		if (rc) /* the program closed it: release is coming */
			break;
		e->sent = true;
		q->sent_bytes += e->len;
	}
	if (q->chan)
		ufd_fdchan_want_write(q->chan, full);
}

static void queue_locked(struct ufd_veventq *q, struct vevent *e)
{
	e->hdr.sequence = q->sequence;
	q->sequence = (q->sequence + 1) & SEQUENCE_MASK;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	if (!e->lost)
		q->num_events++;
}

/* The queue is full or memory ran out: say so at the tail, once. */
static void lost_locked(struct ufd_veventq *q)
{
	struct vevent *e = q->tail;

	if (e && e->lost) {
		if (!e->sent) {
			/* Still ours: it moves on to the newest number. */
			e->hdr.sequence = q->sequence;
		}
		q->sequence = (q->sequence + 1) & SEQUENCE_MASK;
		return;
	}
	e = ufd_zalloc(sizeof(*e));
	if (!e) {
		q->sequence = (q->sequence + 1) & SEQUENCE_MASK;
		return;
	}
	e->lost = true;
	e->len = sizeof(e->hdr);
	e->hdr.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
	queue_locked(q, e);
}

/**
 * ufd_veventq_report() - queue an event for the VMM
 * @vobj: the vIOMMU the event concerns
 * @type: IOMMU_VEVENTQ_TYPE_*
 * @data: the event record, @len bytes (not 0)
 *
 * Return: 0 (queued, or lost because the queue is full, as Linux);
 * -EOPNOTSUPP (no vEVENTQ of that type); -ENOMEM (lost for want of
 * memory); -EINVAL (no data).
 */
int ufd_veventq_report(struct ufd_viommu_obj *vobj, uint32_t type,
		       const void *data, size_t len)
{
	struct ufd_veventq *q;
	struct vevent *e;
	int rc = 0;

	if (!data || !len)
		return -EINVAL;
	ufd_rwlock_rdlock(&vobj->veventqs_lock);
	for (q = vobj->veventqs; q && q->type != type; q = q->next)
		;
	if (!q) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	e = ufd_zalloc(sizeof(*e) + len);
	ufd_mutex_lock(&q->lock);
	reconcile_locked(q);
	if (!e || q->num_events >= q->depth) {
		if (!e)
			rc = -ENOMEM;
		ufd_free(e);
		lost_locked(q);
	} else {
		e->len = sizeof(e->hdr) + len;
		memcpy(e->data, data, len);
		queue_locked(q, e);
	}
	flush_locked(q);
	ufd_mutex_unlock(&q->lock);
out_unlock:
	ufd_rwlock_unlock(&vobj->veventqs_lock);
	return rc;
}

/* The pipe has room again: the service thread sends what waits. */
static void veventq_chan_writable(void *data)
{
	struct ufd_veventq *q = data;

	ufd_mutex_lock(&q->lock);
	reconcile_locked(q);
	flush_locked(q);
	ufd_mutex_unlock(&q->lock);
}

/* Nothing is ever written to a pipe's read end. */
static void veventq_chan_message(void *data, const void *buf, size_t len)
{
	(void)data;
	(void)buf;
	(void)len;
}

/* The program closed the descriptor: the kernel's file release. */
static void veventq_chan_release(void *data)
{
	struct ufd_veventq *q = data;

	ufd_mutex_lock(&q->lock);
	q->chan = NULL;
	ufd_mutex_unlock(&q->lock);
	/* Pairs with ufd_veventq_alloc_ioctl(); the object may go now. */
	ufd_object_unref(&q->obj);
}

static const struct ufd_fdchan_ops veventq_chan_ops = {
	.message = veventq_chan_message,
	.writable = veventq_chan_writable,
	.release = veventq_chan_release,
};

/* The object op, and the abort of a creation that failed. */
void ufd_veventq_destroy(struct ufd_object *obj)
{
	struct ufd_veventq *q = to_veventq(obj);
	struct ufd_viommu_obj *vobj = q->viommu;

	if (vobj) {
		struct ufd_veventq **pp;

		ufd_rwlock_wrlock(&vobj->veventqs_lock);
		for (pp = &vobj->veventqs; *pp; pp = &(*pp)->next) {
			if (*pp == q) {
				*pp = q->next;
				break;
			}
		}
		ufd_rwlock_unlock(&vobj->veventqs_lock);
		ufd_object_unref(&vobj->obj);
	}
	/* An open descriptor holds the queue: a channel here never started. */
	if (q->chan && !q->chan_started)
		ufd_fdchan_abort(q->chan);
	while (q->head)
		vevent_pop_locked(q);
	ufd_mutex_destroy(&q->lock);
}

int ufd_veventq_alloc_ioctl(struct ufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct ufd_viommu_obj *vobj;
	struct ufd_veventq *q, *cur;
	struct ufd_object *obj;
	int fd, rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	obj = ufd_get_object(ucmd->ctx, cmd->viommu_id, UFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vobj = to_viommu_obj(obj);
	ufd_rwlock_wrlock(&vobj->veventqs_lock);
	for (cur = vobj->veventqs; cur; cur = cur->next) {
		if (cur->type == cmd->type) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}
	q = ufd_object_alloc_ucmd_type(ucmd, q, UFD_OBJ_VEVENTQ);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_unlock;
	}
	/* From here on the dispatcher's abort runs ufd_veventq_destroy(). */
	ufd_mutex_init(&q->lock);
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	ufd_object_ref(&vobj->obj);
	q->viommu = vobj;
	q->next = vobj->veventqs;
	vobj->veventqs = q;
	rc = ufd_fdchan_open_pipe(&veventq_chan_ops, q, true, &q->chan, &fd);
	if (rc)
		goto out_unlock;
	cmd->out_veventq_id = q->obj.id;
	cmd->out_veventq_fd = (uint32_t)fd;
	rc = ufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_unlock;
	/* The descriptor's reference; pairs with veventq_chan_release(). */
	ufd_object_ref(&q->obj);
	rc = ufd_fdchan_start(q->chan, ucmd->ctx);
	if (rc) {
		ufd_object_unref(&q->obj);
		goto out_unlock;
	}
	q->chan_started = true;
out_unlock:
	ufd_rwlock_unlock(&vobj->veventqs_lock);
	ufd_put_object(ucmd->ctx, obj);
	return rc;
}
