/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor channels: file descriptors a context hands to the program
 * (fault queues, the selftest's access descriptors), and the one service
 * thread that watches them. See fault_fd.c for the design and its limits.
 *
 * A channel is a connected AF_UNIX SOCK_SEQPACKET pair. The program owns
 * one end, an ordinary descriptor it reads, writes, polls and closes with
 * the plain system calls; we keep the other. Records we send arrive as
 * messages the program reads whole; what the program writes reaches the
 * owner of the channel as messages on the service thread; when the program
 * closes its last descriptor for the end, the owner is told (release), as
 * a kernel file's release would be.
 *
 * Life of a channel: ufd_fdchan_open() makes the pair; the owner puts the
 * program's descriptor number in its reply; ufd_fdchan_start() hands the
 * channel to the service, which from then on owns it and frees it after
 * release; ufd_fdchan_abort() undoes an open that was never started.
 */
#ifndef UIOMMUFD_CORE_FAULT_FD_H
#define UIOMMUFD_CORE_FAULT_FD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

struct ufd_fdchan;

/*
 * What the service thread calls. message, writable and release run on the
 * service thread only, one at a time, never concurrently for one channel,
 * with no lock of this layer held; they may take the owner's locks and
 * call ufd_fdchan_send() and ufd_fdchan_want_write().
 */
struct ufd_fdchan_ops {
	/* The program wrote a message of @len (> 0) bytes. */
	void (*message)(void *data, const void *buf, size_t len);
	/* Our end has room again (only while ufd_fdchan_want_write() is on). */
	void (*writable)(void *data);
	/*
	 * The program closed its end. Called once, after every message it
	 * wrote was delivered; the channel is freed when this returns, so
	 * the owner forgets it here (under the lock it uses the channel
	 * with) and drops what the descriptor held.
	 */
	void (*release)(void *data);
	/*
	 * ufd_fdchan_lookup() only: take a reference on @data. Called with
	 * the registry lock held; must not block or call this layer.
	 */
	void (*get)(void *data);
};

int ufd_fdchan_open(const struct ufd_fdchan_ops *ops, void *data, bool nonblock,
		    struct ufd_fdchan **out_chan, int *out_fd);
int ufd_fdchan_open_pipe(const struct ufd_fdchan_ops *ops, void *data,
			 bool nonblock, struct ufd_fdchan **out_chan,
			 int *out_fd);
long ufd_fdchan_unread(struct ufd_fdchan *chan);
int ufd_fdchan_start(struct ufd_fdchan *chan, struct ufd_ctx *ctx);
void ufd_fdchan_abort(struct ufd_fdchan *chan);
int ufd_fdchan_send(struct ufd_fdchan *chan, const void *buf, size_t len);
void ufd_fdchan_want_write(struct ufd_fdchan *chan, bool on);
void *ufd_fdchan_lookup(int fd, const struct ufd_fdchan_ops *ops);
void ufd_fdchan_flush(struct ufd_ctx *ctx);
void ufd_fdchan_wait_input(struct ufd_fdchan *chan);
unsigned int ufd_fdchan_count(void);

#endif
