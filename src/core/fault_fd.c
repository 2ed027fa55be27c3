// SPDX-License-Identifier: BSD-3-Clause
/*
 * Descriptor channels and their service thread.
 *
 * Linux hands out anonymous files for fault queues (and the selftest hands
 * out one per test access); their read, write, poll and release methods
 * run in the kernel when the program calls read(), write(), poll() or
 * close(). We have no kernel code to run, and the descriptor must be a
 * real one that the program uses with the plain system calls, with no
 * interposition. So the program gets one end of a socketpair(AF_UNIX,
 * SOCK_SEQPACKET) and we keep the other:
 *
 *  - SOCK_SEQPACKET keeps message boundaries: a record (or a group of
 *    records) we send is one message, and a read() of at least its size
 *    returns exactly it, never half of it and never the start of the
 *    next one. What the program writes arrives as one message per write().
 *  - poll(), select() and epoll work as on any socket: readable while a
 *    message is queued, writable while the socket has room (always, in
 *    practice, because the service thread drains it).
 *  - pread(), pwrite() and lseek() fail with ESPIPE, as on the kernel's
 *    non-seekable files.
 *  - close() of the program's last descriptor for its end shows on ours
 *    as a hang-up, which is when a kernel file's release would run.
 *
 * One thread per process, started with the first channel, waits on an
 * epoll set of our ends and runs the owners' callbacks: messages the
 * program wrote, room to send again, and release. Only this thread calls
 * them, one at a time, and only it frees a started channel, so an owner's
 * callbacks never race with each other and an epoll event never refers to
 * freed memory. Release runs after every message the program wrote before
 * closing was delivered.
 *
 * What a socket cannot do, compared with the kernel's file (the program
 * sees these differences; docs/faults.md lists them for fault queues):
 *  - a read() shorter than the next message succeeds with the first bytes
 *    and the rest of the message is lost (the kernel: ESPIPE for a count
 *    that is not a multiple of the record size, EINVAL for one too small
 *    for a group, and nothing is consumed);
 *  - write() always succeeds for a message the socket can take; the
 *    owner validates it afterwards, so a bad message is dropped instead of
 *    failing the write() with the kernel's errno;
 *  - a read() with nothing queued blocks, or fails with EAGAIN on a
 *    non-blocking descriptor (the kernel's fault read() returns 0);
 *  - release is asynchronous: close() returns before the owner has let
 *    go. ufd_fdchan_flush() waits for the releases of every channel whose
 *    program end is already closed; calling it before IOMMU_DESTROY makes
 *    "close(fd); destroy(id)" behave as with the kernel.
 *
 * Code reachable from an ioctl uses raw system calls: it must not touch
 * the caller's errno or go through functions the preload library
 * interposes (close, ioctl, fcntl). The service thread is ours, so it uses
 * the C library for the calls nobody interposes.
 *
 * Locking: svc.lock protects the channel list, every channel's releasing,
 * want_out and rdhup flags, svc.finishing, and the service's identity
 * (epfd, pid, thread). It is a leaf except for ops->get(), which must not
 * block; owners call ufd_fdchan_send() and ufd_fdchan_want_write() under
 * their own locks, which thus nest outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/sys.h"
#include "core/fault_fd.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* Events every live channel is watched for (EPOLLHUP always is). */
#define CHAN_EVENTS (EPOLLIN | EPOLLRDHUP)
#define SVC_MAX_EVENTS 16
/* Messages taken from one channel per wake-up, so none starves others. */
#define SVC_MSGS_PER_EVENT 64
/* Bounds a flush; only a stuck owner callback can make it run out. */
#define FLUSH_WAIT_NS (10ull * 1000 * 1000 * 1000)

struct ufd_fdchan {
	const struct ufd_fdchan_ops *ops;
	void *data;
	int fd;			 /* our end; closed when the channel is freed */
	int user_fd;		 /* the program's end until started, then -1 */
	uint64_t user_cookie;	 /* SO_COOKIE of the program's end */
	struct ufd_ctx *ctx;	 /* reference from start until after release */
	bool releasing;		 /* svc.lock */
	bool want_out;		 /* svc.lock */
	bool rdhup;		 /* svc.lock: the program shut down writing */
	bool pipe;		 /* ufd_fdchan_open_pipe(); fixed */
	bool draining;		 /* svc.lock: the service is delivering */
	struct ufd_fdchan *next; /* svc.chans; svc.lock */
};

static struct {
	pthread_once_t once;
	struct ufd_mutex lock;
	struct ufd_cond changed;  /* a release finished */
	struct ufd_fdchan *chans; /* started channels not yet freed */
	unsigned int finishing;	  /* unlinked, not yet freed */
	int epfd;
	long pid; /* the process the service thread runs in; 0: none */
	pthread_t thread;
} svc = {
	.once = PTHREAD_ONCE_INIT,
	.lock = UFD_MUTEX_INIT,
	.epfd = -1,
};

static void sys_close(int fd)
{
	ufd_sys6(SYS_close, fd, 0, 0, 0, 0, 0);
}

static int sys_epoll_ctl(int epfd, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return (int)ufd_sys6(SYS_epoll_ctl, epfd, op, fd, (long)&ev, 0, 0);
}

/* The program's end has been closed (every descriptor for it). */
static bool sys_hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

	/* A pipe's write end reports its last reader gone as POLLERR. */
	return ufd_sys6(SYS_poll, (long)&p, 1, 0, 0, 0, 0) > 0 &&
	       (p.revents & (POLLHUP | POLLERR));
}

static int sys_socket_cookie(int fd, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	return (int)ufd_sys6(SYS_getsockopt, fd, SOL_SOCKET, SO_COOKIE,
			     (long)cookie, (long)&len, 0);
}

static void svc_init(void)
{
	ufd_cond_init(&svc.changed);
}

static void chan_rearm_locked(struct ufd_fdchan *chan)
{
	uint32_t events = (chan->rdhup ? 0 : CHAN_EVENTS) |
			  (chan->want_out ? EPOLLOUT : 0);

	ufd_mutex_assert_held(&svc.lock);
	if (sys_epoll_ctl(svc.epfd, EPOLL_CTL_MOD, chan->fd, events, chan))
		ufd_err("fd channel %d: cannot change its events", chan->fd);
}

/*
 * Delivers what the program wrote. Returns true once the program's end is
 * closed and everything it wrote has been delivered.
 */
static bool chan_drain(struct ufd_fdchan *chan, bool hup)
{
	unsigned int n;

	for (n = 0; hup || n < SVC_MSGS_PER_EVENT; n++) {
		char stackbuf[512], *buf = stackbuf;
		ssize_t len, got;
		int inq = 0;

		len = recv(chan->fd, NULL, 0,
			   MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return hup; /* EAGAIN: all delivered */
		if (len > (ssize_t)sizeof(stackbuf))
			buf = ufd_alloc((size_t)len);
		if (!buf) {
			/* Consumed and lost: the owner never sees it. */
			ufd_err("fd channel %d: no memory for a %zd-byte "
				"message; dropped",
				chan->fd, len);
			got = recv(chan->fd, stackbuf, 1, MSG_DONTWAIT);
		} else {
			got = recv(chan->fd, buf, (size_t)ufd_max(len, 1),
				   MSG_DONTWAIT);
			if (got > 0)
				chan->ops->message(chan->data, buf,
						   (size_t)got);
			if (buf != stackbuf)
				ufd_free(buf);
		}
		/*
		 * 0 is an empty message or the end. After a hang-up, the end
		 * is when nothing else is queued; an empty message in front
		 * of more data is just skipped.
		 */
		if (got == 0 && hup &&
		    (ufd_sys6(SYS_ioctl, chan->fd, FIONREAD, (long)&inq, 0, 0,
			      0) ||
		     inq == 0))
			return true;
	}
	return false;
}

/* The program closed its end: tell the owner, then free the channel. */
static void chan_release(int epfd, struct ufd_fdchan *chan)
{
	struct ufd_fdchan **pp;

	sys_epoll_ctl(epfd, EPOLL_CTL_DEL, chan->fd, 0, NULL);
	ufd_mutex_lock(&svc.lock);
	chan->releasing = true;
	ufd_mutex_unlock(&svc.lock);

	chan->ops->release(chan->data);
	/* Pairs with ufd_fdchan_start(); may tear the context down. */
	ufd_ctx_put(chan->ctx);

	ufd_mutex_lock(&svc.lock);
	for (pp = &svc.chans; *pp; pp = &(*pp)->next) {
		if (*pp == chan) {
			*pp = chan->next;
			break;
		}
	}
	svc.finishing++;
	ufd_mutex_unlock(&svc.lock);

	sys_close(chan->fd);
	ufd_free(chan);

	ufd_mutex_lock(&svc.lock);
	svc.finishing--;
	ufd_cond_broadcast(&svc.changed);
	ufd_mutex_unlock(&svc.lock);
}

static void chan_event(int epfd, struct ufd_fdchan *chan, uint32_t events)
{
	bool hup = events & (EPOLLHUP | EPOLLERR);

	if ((events & EPOLLOUT) && chan->ops->writable)
		chan->ops->writable(chan->data);
	if ((events & (EPOLLIN | EPOLLRDHUP)) || hup) {
		bool closed;

		ufd_mutex_lock(&svc.lock);
		chan->draining = true;
		ufd_mutex_unlock(&svc.lock);
		closed = chan_drain(chan, hup);
		ufd_mutex_lock(&svc.lock);
		chan->draining = false;
		ufd_cond_broadcast(&svc.changed);
		ufd_mutex_unlock(&svc.lock);
		if (closed) {
			chan_release(epfd, chan);
			return;
		}
	}
	if ((events & EPOLLRDHUP) && !hup) {
		/*
		 * The program shut its end down for writing but still holds
		 * it: our end stays readable (end of data) for good, so stop
		 * asking; the hang-up of the final close is still reported.
		 */
		ufd_mutex_lock(&svc.lock);
		chan->rdhup = true;
		chan_rearm_locked(chan);
		ufd_mutex_unlock(&svc.lock);
	}
}

static void *svc_main(void *arg)
{
	struct epoll_event ev[SVC_MAX_EVENTS];
	int epfd = (int)(intptr_t)arg, n, i;

	for (;;) {
		n = epoll_wait(epfd, ev, SVC_MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ufd_err("fd channel service stopped: epoll_wait: %d",
				errno);
			return NULL;
		}
		/*
		 * A channel is published under svc.lock before it is added
		 * to the epoll set: taking the lock once orders everything
		 * its owner set up before what the events make us read.
		 */
		ufd_mutex_lock(&svc.lock);
		ufd_mutex_unlock(&svc.lock);
		for (i = 0; i < n; i++)
			chan_event(epfd, ev[i].data.ptr, ev[i].events);
	}
	return NULL;
}

/* Starts the service in this process if it is not running here yet. */
static int svc_ensure_locked(void)
{
	long pid = ufd_sys6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	sigset_t all, old;
	pthread_attr_t attr;
	int epfd, rc;

	if (svc.pid == pid)
		return 0;
	if (svc.pid) {
		/*
		 * A forked child: the service thread stayed in the parent,
		 * and the channels are the parent's to serve.
		 */
		svc.chans = NULL;
		svc.finishing = 0;
		sys_close(svc.epfd);
		svc.epfd = -1;
		svc.pid = 0;
	}
	epfd = (int)ufd_sys6(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	if (epfd < 0)
		return epfd;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The program's signal handlers never run on our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&svc.thread, &attr, svc_main,
			    (void *)(intptr_t)epfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		sys_close(epfd);
		return -rc;
	}
	svc.epfd = epfd;
	svc.pid = pid;
	return 0;
}

/*
 * Makes a channel: a socket pair, or (@pipe) a pipe in packet mode whose
 * read end is the program's. Both ends non-blocking but the program's
 * unless @nonblock.
 */
static int chan_open(const struct ufd_fdchan_ops *ops, void *data,
		     bool nonblock, bool pipe, struct ufd_fdchan **out_chan,
		     int *out_fd)
{
	struct ufd_fdchan *chan;
	int ends[2], ours, theirs;
	long rc;

	pthread_once(&svc.once, svc_init);
	chan = ufd_zalloc(sizeof(*chan));
	if (!chan)
		return -ENOMEM;
	ufd_mutex_lock(&svc.lock);
	rc = svc_ensure_locked();
	ufd_mutex_unlock(&svc.lock);
	if (rc)
		goto out_free;
	if (pipe)
		rc = ufd_sys6(SYS_pipe2, (long)ends,
			      O_CLOEXEC | O_DIRECT | O_NONBLOCK, 0, 0, 0, 0);
	else
		rc = ufd_sys6(SYS_socketpair, AF_UNIX,
			      SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
			      (long)ends, 0, 0);
	if (rc)
		goto out_free;
	/* A pipe's program end is its read end, a socket pair's either. */
	ours = pipe ? ends[1] : ends[0];
	theirs = pipe ? ends[0] : ends[1];
	if (!nonblock) {
		rc = ufd_sys6(SYS_fcntl, theirs, F_SETFL, 0, 0, 0, 0);
		if (rc)
			goto out_close;
	}
	if (!pipe) {
		rc = sys_socket_cookie(theirs, &chan->user_cookie);
		if (rc)
			goto out_close;
	}
	chan->ops = ops;
	chan->data = data;
	chan->pipe = pipe;
	chan->fd = ours;
	chan->user_fd = theirs;
	*out_chan = chan;
	*out_fd = theirs;
	return 0;

out_close:
	sys_close(ends[0]);
	sys_close(ends[1]);
out_free:
	ufd_free(chan);
	return (int)rc;
}

/**
 * ufd_fdchan_open() - make a channel and the program's descriptor
 * @ops: the owner's callbacks (message and release are required)
 * @data: passed to them
 * @nonblock: the program's descriptor starts O_NONBLOCK
 * @out_chan: the channel
 * @out_fd: the program's descriptor (close-on-exec)
 *
 * Nothing watches the channel until ufd_fdchan_start(); until then the
 * caller may ufd_fdchan_abort() it, which closes both ends.
 *
 * Return: 0; -ENOMEM; -EMFILE or -ENFILE (out of descriptors); the
 * service thread's creation errors (-EAGAIN).
 */
int ufd_fdchan_open(const struct ufd_fdchan_ops *ops, void *data, bool nonblock,
		    struct ufd_fdchan **out_chan, int *out_fd)
{
	return chan_open(ops, data, nonblock, false, out_chan, out_fd);
}

/**
 * ufd_fdchan_open_pipe() - a send-only channel whose reads count
 * @ops: the owner's callbacks (release is required; message never runs)
 * @data: passed to them
 * @nonblock: the program's descriptor starts O_NONBLOCK
 * @out_chan: the channel
 * @out_fd: the program's descriptor (close-on-exec), read-only
 *
 * A pipe in packet mode (O_DIRECT) instead of a socket: each message is
 * one packet a read() returns whole (a shorter read() loses the rest of
 * it, as with the socket), writes from the program fail with EBADF, and
 * ufd_fdchan_unread() tells how many bytes the program has not read yet,
 * which lets the owner keep a queue depth. ufd_fdchan_lookup() never finds
 * such a channel.
 *
 * Return: as ufd_fdchan_open().
 */
int ufd_fdchan_open_pipe(const struct ufd_fdchan_ops *ops, void *data,
			 bool nonblock, struct ufd_fdchan **out_chan,
			 int *out_fd)
{
	return chan_open(ops, data, nonblock, true, out_chan, out_fd);
}

/**
 * ufd_fdchan_unread() - bytes sent that the program has not read yet
 * @chan: a channel from ufd_fdchan_open_pipe() its owner still holds
 *
 * Return: the byte count, or a negative errno.
 */
long ufd_fdchan_unread(struct ufd_fdchan *chan)
{
	int n = 0;
	long rc = ufd_sys6(SYS_ioctl, chan->fd, FIONREAD, (long)&n, 0, 0, 0);

	return rc ? rc : n;
}

/**
 * ufd_fdchan_start() - hand an opened channel to the service thread
 * @chan: from ufd_fdchan_open()
 * @ctx: the context the descriptor keeps alive until its release (the
 *       kernel's fault and access files hold their iommufd the same way)
 *
 * From now on the program owns its descriptor and the service owns the
 * channel: ops->release runs once the program has closed it, and the
 * channel is freed after that.
 *
 * Return: 0, or -ENOMEM (the channel is still the caller's to abort).
 */
int ufd_fdchan_start(struct ufd_fdchan *chan, struct ufd_ctx *ctx)
{
	int rc;

	ufd_ctx_get(ctx);
	chan->ctx = ctx;
	ufd_mutex_lock(&svc.lock);
	/* Linked first: the service may release it as soon as it is added. */
	chan->next = svc.chans;
	svc.chans = chan;
	rc = sys_epoll_ctl(svc.epfd, EPOLL_CTL_ADD, chan->fd, CHAN_EVENTS,
			   chan);
	if (rc) {
		svc.chans = chan->next;
		ufd_mutex_unlock(&svc.lock);
		chan->ctx = NULL;
		ufd_ctx_put(ctx); /* never the last: the caller holds one */
		return rc == -ENOSPC ? -ENOMEM : rc;
	}
	chan->user_fd = -1;
	ufd_mutex_unlock(&svc.lock);
	return 0;
}

/** ufd_fdchan_abort() - close both ends of a channel never started */
void ufd_fdchan_abort(struct ufd_fdchan *chan)
{
	sys_close(chan->fd);
	if (chan->user_fd >= 0)
		sys_close(chan->user_fd);
	ufd_free(chan);
}

/*
 * A write to a pipe whose reader is gone raises SIGPIPE, and pipes have no
 * MSG_NOSIGNAL: the signal is blocked around the write in this thread and
 * one it raised is taken back before the mask is restored, so the
 * program never sees it.
 */
static int pipe_send(struct ufd_fdchan *chan, const void *buf, size_t len)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old;
	long rc;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	ufd_sys6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&pipe_set, (long)&old,
		 _NSIG / 8, 0, 0);
	rc = ufd_sys6(SYS_write, chan->fd, (long)buf, (long)len, 0, 0, 0);
	if (rc == -EPIPE && !sigismember(&old, SIGPIPE))
		ufd_sys6(SYS_rt_sigtimedwait, (long)&pipe_set, 0, (long)&zero,
			 _NSIG / 8, 0, 0);
	ufd_sys6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, _NSIG / 8, 0,
		 0);
	if (rc >= 0 && (size_t)rc != len)
		return -EAGAIN; /* packet mode never splits a small write */
	return rc < 0 ? (int)rc : 0;
}

/**
 * ufd_fdchan_send() - queue one message for the program
 * @chan: a channel its owner still holds
 * @buf: the message
 * @len: its size; a read() of at least this many bytes returns it whole
 *
 * Never blocks.
 *
 * Return: 0; -EAGAIN when the socket is full (ask for
 * ufd_fdchan_want_write() and retry from ops->writable); -EPIPE or
 * -ECONNRESET when the program has closed its end (release is coming).
 */
int ufd_fdchan_send(struct ufd_fdchan *chan, const void *buf, size_t len)
{
	long rc;

	if (chan->pipe)
		return pipe_send(chan, buf, len);
	rc = ufd_sys6(SYS_sendto, chan->fd, (long)buf, (long)len,
		      MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	return rc < 0 ? (int)rc : 0;
}

/**
 * ufd_fdchan_want_write() - ask for ops->writable calls, or stop asking
 * @chan: a channel its owner still holds
 * @on: true while the owner has messages the socket did not take
 */
void ufd_fdchan_want_write(struct ufd_fdchan *chan, bool on)
{
	ufd_mutex_lock(&svc.lock);
	if (chan->want_out != on) {
		chan->want_out = on;
		chan_rearm_locked(chan);
	}
	ufd_mutex_unlock(&svc.lock);
}

/**
 * ufd_fdchan_lookup() - the owner data behind a program's descriptor
 * @fd: a descriptor of the program (any duplicate of its end will do)
 * @ops: the kind of channel expected
 *
 * The data comes with the reference ops->get() took.
 *
 * Return: the data, or ERR_PTR(-EBADFD) if @fd is not the open end of a
 * live channel of that kind (the kernel's answer for a descriptor that is
 * not the file it expects).
 */
void *ufd_fdchan_lookup(int fd, const struct ufd_fdchan_ops *ops)
{
	void *data = ERR_PTR(-EBADFD);
	struct ufd_fdchan *chan;
	uint64_t cookie;

	if (fd < 0 || sys_socket_cookie(fd, &cookie))
		return data;
	pthread_once(&svc.once, svc_init);
	ufd_mutex_lock(&svc.lock);
	for (chan = svc.chans; chan; chan = chan->next) {
		if (chan->ops == ops && !chan->releasing &&
		    chan->user_cookie == cookie) {
			ops->get(chan->data);
			data = chan->data;
			break;
		}
	}
	ufd_mutex_unlock(&svc.lock);
	return data;
}

/**
 * ufd_fdchan_flush() - finish the releases of closed descriptors
 * @ctx: whose channels to wait for; NULL for every context
 *
 * Returns once no channel of @ctx has a closed program end whose release
 * is pending or running, and every release that ran has freed its
 * channel. Call it with no lock held (a release takes the owner's locks
 * and the context's), from any thread; on the service thread itself (from
 * an owner callback) it returns at once.
 */
void ufd_fdchan_flush(struct ufd_ctx *ctx)
{
	struct ufd_fdchan *chan;
	bool busy;

	pthread_once(&svc.once, svc_init);
	ufd_mutex_lock(&svc.lock);
	if (svc.pid && pthread_equal(pthread_self(), svc.thread))
		goto out_unlock;
	for (;;) {
		busy = svc.finishing;
		for (chan = svc.chans; chan && !busy; chan = chan->next)
			if ((!ctx || chan->ctx == ctx) &&
			    (chan->releasing || sys_hung_up(chan->fd)))
				busy = true;
		if (!busy)
			break;
		if (ufd_cond_timedwait_ns(&svc.changed, &svc.lock,
					  FLUSH_WAIT_NS) == -ETIMEDOUT) {
			ufd_err("fd channel release still pending after 10 s");
			break;
		}
	}
out_unlock:
	ufd_mutex_unlock(&svc.lock);
}

/* Bytes the program wrote that the service has not taken yet. */
static long sys_inq(int fd)
{
	int n = 0;
	long rc = ufd_sys6(SYS_ioctl, fd, FIONREAD, (long)&n, 0, 0, 0);

	return rc ? rc : n;
}

/**
 * ufd_fdchan_wait_input() - let what the program wrote take effect
 * @chan: a channel its owner holds, or held until just now (one already
 *        released is recognised and ignored)
 *
 * Returns once every message the program wrote before the call has been
 * delivered to ops->message, so a write() the kernel would have handled
 * before returning (a page response) is handled before whatever the
 * caller does next (answering the groups a detaching device leaves).
 * Call with none of this layer's locks and none the owner's callbacks
 * take; on the service thread it returns at once.
 */
void ufd_fdchan_wait_input(struct ufd_fdchan *chan)
{
	struct ufd_fdchan *cur;

	pthread_once(&svc.once, svc_init);
	ufd_mutex_lock(&svc.lock);
	if (svc.pid && pthread_equal(pthread_self(), svc.thread))
		goto out_unlock;
	for (;;) {
		for (cur = svc.chans; cur && cur != chan; cur = cur->next)
			;
		if (!cur || cur->releasing || cur->pipe)
			break;
		if (!cur->draining && sys_inq(cur->fd) <= 0)
			break;
		if (ufd_cond_timedwait_ns(&svc.changed, &svc.lock,
					  FLUSH_WAIT_NS) == -ETIMEDOUT) {
			ufd_err("fd channel %d: input not taken after 10 s",
				cur->fd);
			break;
		}
	}
out_unlock:
	ufd_mutex_unlock(&svc.lock);
}

/** ufd_fdchan_count() - channels started and not yet freed (for tests) */
unsigned int ufd_fdchan_count(void)
{
	struct ufd_fdchan *chan;
	unsigned int n;

	pthread_once(&svc.once, svc_init);
	ufd_mutex_lock(&svc.lock);
	n = svc.finishing;
	for (chan = svc.chans; chan; chan = chan->next)
		n++;
	ufd_mutex_unlock(&svc.lock);
	return n;
}
