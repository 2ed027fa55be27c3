// SPDX-License-Identifier: BSD-3-Clause
/*
 * The fd table: which real file descriptors stand for emulated files.
 *
 * Layout. An array of pointers indexed by descriptor number (struct
 * pl_slots), grown by doubling to fit any descriptor the kernel hands out.
 * Growing allocates a new array, copies, and publishes it with a release
 * store; the old array is chained behind the new one and never freed,
 * because a thread on the lock-free fast path may still be reading it. The
 * arrays together cost less than twice the final one.
 *
 * Fast path. Every interposed call on a descriptor first asks
 * pl_fd_maybe_ours(): one acquire load of the array pointer, a bounds check
 * and one relaxed load of the slot. No lock, no allocation. A NULL slot
 * means "not ours" and the call goes straight to libc.
 *
 * Locking. pl_table_lock serialises every change to a slot, the growth of
 * the array, pl_nr_files, and every lookup that takes a reference
 * (pl_fd_get()). For descriptors in the table, the slot and the kernel's
 * descriptor change together under the lock: close, dup, dup2/dup3,
 * close_range, fclose and closedir call the real libc function with the
 * lock held, so another thread can never find a slot describing a
 * descriptor that no longer is what the slot says. The lock is never held
 * while a context is destroyed: references dropped under it are collected
 * and put after unlocking. Lock order: pl_table_lock is taken before any
 * lock inside uiommufd (a put may destroy a context, but only after the
 * table lock is released).
 *
 * Lifetime. A slot holds one reference on its pl_file; a caller that found
 * a file through pl_fd_get() holds another for the duration of its call. So
 * closing a descriptor while another thread runs an ioctl on it is safe:
 * the close removes the slot and drops the slot's reference, the ioctl
 * finishes with the context still alive and drops the last one.
 *
 * Races with the program. A program that closes a descriptor behind our
 * back (syscall(SYS_close), or a libc-internal close we do not see) leaves
 * a stale slot. When the kernel hands the number out again through one of
 * the calls we interpose, pl_fd_install() replaces the stale slot and says
 * so; numbers handed out by calls we do not interpose (socket(), pipe())
 * cannot be checked without a system call on the fast path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/lock.h"
#include "base/log.h"
#include "core/core.h"
#include "preload/preload.h"

/*
 * The current array. Written under pl_table_lock, read without it (the
 * fast path) with acquire, so the copied slots are visible with it.
 */
_Atomic(struct pl_slots *) pl_slots;
/*
 * Non-NULL slots. Written under pl_table_lock, read without it by
 * close_range() and closefrom() to skip the lock when we own nothing.
 */
atomic_uint pl_nr_files;

/* Protects every slot's value, the array's growth and pl_nr_files. */
static struct ufd_mutex pl_table_lock = UFD_MUTEX_INIT;

#define PL_SLOTS_MIN 64

/**
 * pl_file_alloc - a new description of @kind, one reference, this process.
 * @flags: the open(2) flags it is opened with
 *
 * Returns NULL on (injected) allocation failure.
 */
struct pl_file *pl_file_alloc(enum pl_kind kind, int flags)
{
	struct pl_file *f = ufd_zalloc(sizeof(*f));

	if (!f)
		return NULL;
	refcount_set(&f->refs, 1);
	f->kind = kind;
	f->flags = flags;
	f->pid = pl_current_pid();
	return f;
}

/* The last reference is gone. Preserves errno (see pl_file_put()). */
static void file_destroy(struct pl_file *f)
{
	int saved_errno = errno;

	if (f->kind == PL_IOMMUFD && f->ctx && !pl_file_is_foreign(f))
		ufd_ctx_put(f->ctx); /* pairs with pl_iommufd_open() */
	ufd_free(f);
	errno = saved_errno;
}

/**
 * pl_file_put - drop a reference; the last one destroys the description.
 *
 * Preserves errno: it is called on the way out of calls that may have set
 * it. A description inherited from another process (fork) holds a context
 * that lives in a copy of that process's memory; it is left alone.
 */
void pl_file_put(struct pl_file *f)
{
	if (refcount_dec_and_test(&f->refs))
		file_destroy(f);
}

/* Caller holds pl_table_lock. */
static struct pl_slots *slots_locked(void)
{
	return atomic_load_explicit(&pl_slots, memory_order_relaxed);
}

/* Caller holds pl_table_lock. */
static struct pl_file *slot_get_locked(int fd)
{
	struct pl_slots *s = slots_locked();

	if (!s || fd < 0 || (unsigned int)fd >= s->nr)
		return NULL;
	return atomic_load_explicit(&s->file[fd], memory_order_relaxed);
}

/* Makes the array large enough for @fd. Caller holds pl_table_lock. */
static int slots_reserve_locked(int fd)
{
	struct pl_slots *old = slots_locked(), *s;
	unsigned int nr = old ? old->nr : PL_SLOTS_MIN, i;

	if (fd < 0)
		return -EBADF;
	if (old && (unsigned int)fd < old->nr)
		return 0;
	while (nr <= (unsigned int)fd) {
		if (nr > UINT_MAX / 2)
			return -ENOMEM;
		nr *= 2;
	}
	s = ufd_zalloc(sizeof(*s) + (size_t)nr * sizeof(s->file[0]));
	if (!s)
		return -ENOMEM;
	s->nr = nr;
	s->older = old;
	for (i = 0; old && i < old->nr; i++)
		atomic_init(&s->file[i],
			    atomic_load_explicit(&old->file[i],
						 memory_order_relaxed));
	atomic_store_explicit(&pl_slots, s, memory_order_release);
	return 0;
}

/*
 * Points slot @fd at @f (which may be NULL), consuming the caller's
 * reference on @f. Returns the previous occupant, whose slot reference the
 * caller now owns. The array must already cover @fd.
 */
static struct pl_file *slot_set_locked(int fd, struct pl_file *f)
{
	struct pl_slots *s = slots_locked();
	struct pl_file *old;

	old = atomic_exchange_explicit(&s->file[fd], f, memory_order_relaxed);
	if (old && !f)
		atomic_fetch_sub_explicit(&pl_nr_files, 1,
					  memory_order_relaxed);
	else if (!old && f)
		atomic_fetch_add_explicit(&pl_nr_files, 1,
					  memory_order_relaxed);
	return old;
}

/* A slot found occupied by a number the kernel just handed out. */
static void stale_put(int fd, struct pl_file *stale)
{
	if (!stale)
		return;
	ufd_warn("preload: fd %d was closed behind uiommufd's back "
		 "(not through close()); forgetting it",
		 fd);
	pl_file_put(stale);
}

/**
 * pl_fd_get - the description behind @fd, with a reference for the caller.
 *
 * Returns NULL if @fd is not ours (the call should pass through). Pair with
 * pl_file_put().
 */
struct pl_file *pl_fd_get(int fd)
{
	struct pl_file *f;

	ufd_mutex_lock(&pl_table_lock);
	f = slot_get_locked(fd);
	if (f)
		refcount_inc(&f->refs);
	ufd_mutex_unlock(&pl_table_lock);
	return f;
}

/**
 * pl_fd_install - record that the new descriptor @fd stands for @f.
 *
 * Consumes the caller's reference on @f on success; on failure (-ENOMEM,
 * growing the table) the caller still owns it. A stale slot at @fd (closed
 * behind our back) is dropped with a warning.
 */
int pl_fd_install(int fd, struct pl_file *f)
{
	struct pl_file *stale;
	int rc;

	ufd_mutex_lock(&pl_table_lock);
	rc = slots_reserve_locked(fd);
	if (rc)
		goto out_unlock;
	stale = slot_set_locked(fd, f);
	ufd_mutex_unlock(&pl_table_lock);
	stale_put(fd, stale);
	return 0;

out_unlock:
	ufd_mutex_unlock(&pl_table_lock);
	return rc;
}

/**
 * pl_fd_forget - the kernel just handed out @fd through a call we pass
 * through (open, dup...): whatever its slot held was closed behind our back.
 */
void pl_fd_forget(int fd)
{
	struct pl_file *stale;

	ufd_mutex_lock(&pl_table_lock);
	stale = slot_get_locked(fd);
	if (stale)
		slot_set_locked(fd, NULL);
	ufd_mutex_unlock(&pl_table_lock);
	stale_put(fd, stale);
}

/**
 * pl_fd_close - close(2) for a descriptor that may be ours.
 *
 * Linux releases the descriptor even when close fails (EINTR, EIO), so the
 * slot goes whatever the result. In a vfork() child, which shares our
 * memory with a parent that still has the descriptor, only the kernel's
 * descriptor is closed.
 */
int pl_fd_close(int fd)
{
	struct pl_file *f;
	int rc, saved_errno;

	if (pl_in_vfork_child())
		return pl_real.close(fd);
	ufd_mutex_lock(&pl_table_lock);
	f = slot_get_locked(fd);
	if (f)
		slot_set_locked(fd, NULL);
	rc = pl_real.close(fd);
	saved_errno = errno;
	ufd_mutex_unlock(&pl_table_lock);
	if (f)
		pl_file_put(f); /* the slot's reference */
	errno = saved_errno;
	return rc;
}

/*
 * Records that @newfd, just created as a duplicate of a descriptor whose
 * description is @f, is ours too. Caller holds pl_table_lock. On failure the
 * new descriptor is closed, as if the duplication had failed.
 */
static int dup_record_locked(int newfd, struct pl_file *f,
			     struct pl_file **stale)
{
	int rc = slots_reserve_locked(newfd);

	if (rc) {
		pl_real.close(newfd);
		return rc;
	}
	refcount_inc(&f->refs); /* the new slot's reference */
	*stale = slot_set_locked(newfd, f);
	return 0;
}

/**
 * pl_fd_dup - dup(2) (@cmd < 0) or fcntl(F_DUPFD[_CLOEXEC], @arg).
 *
 * Returns the new descriptor, or -1 with errno set.
 */
int pl_fd_dup(int oldfd, int cmd, int arg)
{
	struct pl_file *f, *stale = NULL;
	int newfd, rc;

	ufd_mutex_lock(&pl_table_lock);
	f = slot_get_locked(oldfd);
	newfd = cmd < 0 ? pl_real.dup(oldfd) : pl_real.fcntl(oldfd, cmd, arg);
	if (newfd < 0 || !f)
		goto out_unlock;
	rc = dup_record_locked(newfd, f, &stale);
	if (rc) {
		newfd = -1;
		errno = -rc;
	}
out_unlock:
	rc = errno;
	ufd_mutex_unlock(&pl_table_lock);
	stale_put(newfd, stale);
	errno = rc;
	return newfd;
}

/**
 * pl_fd_dup3 - dup2(2) (@is_dup2) or dup3(2) when either side may be ours.
 *
 * The kernel closes whatever @newfd was and makes it a copy of @oldfd in
 * one step; the slot follows it under the lock. The array is grown before
 * the call, so a failure to record cannot leave @newfd half-replaced.
 */
int pl_fd_dup3(int oldfd, int newfd, int flags, bool is_dup2)
{
	struct pl_file *f, *replaced = NULL;
	int rc, saved_errno;

	if (oldfd == newfd || pl_in_vfork_child())
		return is_dup2 ? pl_real.dup2(oldfd, newfd)
			       : pl_real.dup3(oldfd, newfd, flags);

	ufd_mutex_lock(&pl_table_lock);
	f = slot_get_locked(oldfd);
	if (f) {
		rc = slots_reserve_locked(newfd);
		if (rc) {
			errno = rc == -EBADF ? EBADF : ENOMEM;
			rc = -1;
			goto out_unlock;
		}
	}
	rc = is_dup2 ? pl_real.dup2(oldfd, newfd)
		     : pl_real.dup3(oldfd, newfd, flags);
	if (rc < 0)
		goto out_unlock;
	if (f)
		refcount_inc(&f->refs); /* the new slot's reference */
	if (f || slot_get_locked(newfd))
		replaced = slot_set_locked(newfd, f);
out_unlock:
	saved_errno = errno;
	ufd_mutex_unlock(&pl_table_lock);
	if (replaced)
		pl_file_put(replaced);
	errno = saved_errno;
	return rc;
}

/*
 * Empties the slots in [first, last] and returns the chain of descriptions
 * whose last reference they held, to be destroyed after unlocking. A
 * description whose count reaches zero is in no slot any more and nobody
 * else can find it, so it is chained exactly once. Caller holds
 * pl_table_lock.
 */
static struct pl_file *clear_range_locked(unsigned int first, unsigned int last)
{
	struct pl_slots *s = slots_locked();
	struct pl_file *dead = NULL, *f;
	unsigned int fd;

	if (!s)
		return NULL;
	for (fd = first; fd < s->nr && fd <= last; fd++) {
		f = atomic_load_explicit(&s->file[fd], memory_order_relaxed);
		if (!f)
			continue;
		slot_set_locked((int)fd, NULL);
		if (!refcount_dec_and_test(&f->refs))
			continue;
		f->next_dead = dead;
		dead = f;
	}
	return dead;
}

static void destroy_dead(struct pl_file *dead)
{
	while (dead) {
		struct pl_file *next = dead->next_dead;

		file_destroy(dead);
		dead = next;
	}
}

/**
 * pl_fd_close_range - close_range(2) over a range that may hold ours.
 *
 * CLOSE_RANGE_CLOEXEC only marks descriptors, which the kernel tracks for
 * us. CLOSE_RANGE_UNSHARE gives the calling thread a private descriptor
 * table that the other threads no longer see; we have one table per process
 * and treat it as a plain close_range (see docs/preload.md).
 */
int pl_fd_close_range(unsigned int first, unsigned int last, int flags)
{
	struct pl_file *dead = NULL;
	int rc, saved_errno;

	if (pl_in_vfork_child())
		return pl_real.close_range(first, last, flags);
	ufd_mutex_lock(&pl_table_lock);
	rc = pl_real.close_range(first, last, flags);
	if (!rc && !(flags & CLOSE_RANGE_CLOEXEC))
		dead = clear_range_locked(first, last);
	saved_errno = errno;
	ufd_mutex_unlock(&pl_table_lock);
	destroy_dead(dead);
	errno = saved_errno;
	return rc;
}

/** pl_fd_closefrom - closefrom(3): closes every descriptor >= @lowfd. */
void pl_fd_closefrom(int lowfd)
{
	struct pl_file *dead = NULL;
	int saved_errno = errno;

	if (pl_in_vfork_child()) {
		pl_real.closefrom(lowfd);
		return;
	}
	ufd_mutex_lock(&pl_table_lock);
	pl_real.closefrom(lowfd);
	if (lowfd >= 0)
		dead = clear_range_locked((unsigned int)lowfd, UINT_MAX);
	ufd_mutex_unlock(&pl_table_lock);
	destroy_dead(dead);
	errno = saved_errno;
}

/*
 * Closes a stream or directory stream whose descriptor @fd may be ours:
 * libc closes the descriptor internally, where close() is not interposed.
 */
static struct pl_file *stream_close_locked(int fd)
{
	struct pl_file *f = slot_get_locked(fd);

	if (f)
		slot_set_locked(fd, NULL);
	return f;
}

/** pl_fd_fclose - fclose(3) of a stream on descriptor @fd. */
int pl_fd_fclose(FILE *fp, int fd)
{
	struct pl_file *f;
	int rc, saved_errno;

	ufd_mutex_lock(&pl_table_lock);
	f = stream_close_locked(fd);
	rc = pl_real.fclose(fp);
	saved_errno = errno;
	ufd_mutex_unlock(&pl_table_lock);
	if (f)
		pl_file_put(f);
	errno = saved_errno;
	return rc;
}

/** pl_fd_closedir - closedir(3) of a directory stream on descriptor @fd. */
int pl_fd_closedir(DIR *dir, int fd)
{
	struct pl_file *f;
	int rc, saved_errno;

	ufd_mutex_lock(&pl_table_lock);
	f = stream_close_locked(fd);
	rc = pl_real.closedir(dir);
	saved_errno = errno;
	ufd_mutex_unlock(&pl_table_lock);
	if (f)
		pl_file_put(f);
	errno = saved_errno;
	return rc;
}

/**
 * pl_fd_atfork_prepare - pthread_atfork() prepare handler.
 *
 * The child gets a consistent copy of the table because no other thread
 * can be changing it while the forking thread holds the lock.
 */
void pl_fd_atfork_prepare(void)
{
	ufd_mutex_lock(&pl_table_lock);
}

/** pl_fd_atfork_parent - pthread_atfork() parent handler. */
void pl_fd_atfork_parent(void)
{
	ufd_mutex_unlock(&pl_table_lock);
}

/**
 * pl_fd_atfork_child - pthread_atfork() child handler.
 *
 * The child's only thread is the one that took the lock, but under a new
 * thread id, which an error-checking mutex would refuse to unlock: make a
 * new, unlocked one instead.
 */
void pl_fd_atfork_child(void)
{
	ufd_mutex_init(&pl_table_lock);
}
