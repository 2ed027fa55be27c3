// SPDX-License-Identifier: BSD-3-Clause
/*
 * Allocation wrappers and fail points.
 *
 * State:
 *   fail_tls (thread-local): the fail-nth countdown and the evaluation
 *	counter of this thread. Only its thread touches it: no locking.
 *   named_slots[] (process-wide): enabled named points, protected by
 *	named_lock.
 *   named_active: how many named_slots[] entries are active. Written under
 *	named_lock, read without it on the fast path: a stale zero can only
 *	make an evaluation racing with ufd_fail_point_enable() miss the point,
 *	which the caller cannot tell from having evaluated it just before.
 *
 * Nothing here allocates (the named table is static), so fail points can be
 * evaluated from inside any allocation path, and the logger, which never
 * allocates either, may be used to report injected failures.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/overflow.h"

struct fail_tls {
	unsigned int nth;
	uint64_t count;
};

static _Thread_local struct fail_tls fail_tls __tls_initial_exec;

struct named_point {
	bool active;
	char name[UFD_FAIL_POINT_NAME_MAX + 1];
	uint64_t evals;
	/* Evaluations first .. last (1-based, inclusive) fail. */
	uint64_t first;
	uint64_t last;
};

static pthread_mutex_t named_lock = PTHREAD_MUTEX_INITIALIZER;
static struct named_point named_slots[UFD_FAIL_POINT_SLOTS];
static _Atomic unsigned int named_active;

static _Atomic int64_t live_blocks;

/* Caller holds named_lock. */
static struct named_point *named_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(named_slots); i++)
		if (named_slots[i].active && !strcmp(named_slots[i].name, name))
			return &named_slots[i];
	return NULL;
}

/* Caller holds named_lock. */
static void named_deactivate(struct named_point *np)
{
	np->active = false;
	atomic_fetch_sub_explicit(&named_active, 1, memory_order_relaxed);
}

static bool named_should_fail(const char *name)
{
	struct named_point *np;
	bool fail = false;

	pthread_mutex_lock(&named_lock);
	np = named_find(name);
	if (!np)
		goto out_unlock;
	np->evals++;
	fail = np->evals >= np->first && np->evals <= np->last;
	/* Exhausted points stop costing every evaluation the slow path. */
	if (np->evals >= np->last)
		named_deactivate(np);
out_unlock:
	pthread_mutex_unlock(&named_lock);
	return fail;
}

static __noinline bool fail_point_slow(const char *name)
{
	bool fail = false;

	/* Both mechanisms count this evaluation, whichever fires. */
	if (fail_tls.nth && !--fail_tls.nth)
		fail = true;
	if (atomic_load_explicit(&named_active, memory_order_relaxed) &&
	    named_should_fail(name))
		fail = true;
	if (fail)
		ufd_dbg("fail point \"%s\": injected failure", name);
	return fail;
}

bool ufd_fail_point(const char *name)
{
	fail_tls.count++;
	if (likely(!fail_tls.nth &&
		   !atomic_load_explicit(&named_active, memory_order_relaxed)))
		return false;
	return fail_point_slow(name);
}

void ufd_fail_nth_set(unsigned int n)
{
	fail_tls.nth = n;
}

unsigned int ufd_fail_nth_get(void)
{
	return fail_tls.nth;
}

uint64_t ufd_fail_point_count(void)
{
	return fail_tls.count;
}

int ufd_fail_point_enable(const char *name, unsigned int nth,
			  unsigned int times)
{
	struct named_point *np;
	size_t i;
	int rc = 0;

	if (!name || !*name || strlen(name) > UFD_FAIL_POINT_NAME_MAX || !nth)
		return -EINVAL;

	pthread_mutex_lock(&named_lock);
	np = named_find(name);
	for (i = 0; !np && i < ARRAY_SIZE(named_slots); i++)
		if (!named_slots[i].active)
			np = &named_slots[i];
	if (!np) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	if (!np->active) {
		strcpy(np->name, name);
		np->active = true;
		atomic_fetch_add_explicit(&named_active, 1,
					  memory_order_relaxed);
	}
	np->evals = 0;
	np->first = nth;
	np->last = times == UFD_FAIL_FOREVER ? UINT64_MAX
					     : (uint64_t)nth + times;
out_unlock:
	pthread_mutex_unlock(&named_lock);
	return rc;
}

int ufd_fail_point_disable(const char *name)
{
	struct named_point *np;
	int rc = 0;

	pthread_mutex_lock(&named_lock);
	np = name ? named_find(name) : NULL;
	if (np)
		named_deactivate(np);
	else
		rc = -ENOENT;
	pthread_mutex_unlock(&named_lock);
	return rc;
}

void ufd_fail_point_disable_all(void)
{
	size_t i;

	pthread_mutex_lock(&named_lock);
	for (i = 0; i < ARRAY_SIZE(named_slots); i++)
		if (named_slots[i].active)
			named_deactivate(&named_slots[i]);
	pthread_mutex_unlock(&named_lock);
}

static inline void *count_block(void *p)
{
	if (p)
		atomic_fetch_add_explicit(&live_blocks, 1,
					  memory_order_relaxed);
	return p;
}

void *ufd_alloc(size_t size)
{
	if (ufd_fail_point(UFD_FAIL_POINT_ALLOC))
		return NULL;
	/* malloc(0) may return NULL, which callers would read as -ENOMEM. */
	return count_block(malloc(size ? size : 1));
}

void *ufd_zalloc(size_t size)
{
	if (ufd_fail_point(UFD_FAIL_POINT_ALLOC))
		return NULL;
	return count_block(calloc(1, size ? size : 1));
}

void *ufd_calloc(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return ufd_zalloc(bytes);
}

void *ufd_realloc(void *p, size_t size)
{
	if (!p)
		return ufd_alloc(size);
	if (ufd_fail_point(UFD_FAIL_POINT_ALLOC))
		return NULL;
	/* Not counted: the block is replaced, not added. */
	return realloc(p, size ? size : 1);
}

void *ufd_alloc_aligned(size_t align, size_t size)
{
	void *p;

	if (align & (align - 1) || !align)
		return NULL;
	if (ufd_fail_point(UFD_FAIL_POINT_ALLOC))
		return NULL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (!size)
		size = 1;
	if (posix_memalign(&p, align, size))
		return NULL;
	memset(p, 0, size);
	return count_block(p);
}

char *ufd_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = ufd_alloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

void ufd_free(void *p)
{
	if (!p)
		return;
	free(p);
	atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
}

int64_t ufd_alloc_live(void)
{
	return atomic_load_explicit(&live_blocks, memory_order_relaxed);
}
