// SPDX-License-Identifier: BSD-3-Clause
/*
 * Shared memory the program can map; see shmem.h.
 *
 * The live allocations are a short list (a few per vIOMMU); lookups walk
 * it under one mutex. Only raw system calls are used: this runs inside
 * ioctls and mmap() calls that the preload library interposes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/lock.h"
#include "base/shmem.h"
#include "base/sys.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

struct shmem {
	void *p;
	size_t len;
	int fd;
	struct shmem *next; /* shmem_list; shmem_lock */
};

static struct ufd_mutex shmem_lock = UFD_MUTEX_INIT;
static struct shmem *shmem_list;

/**
 * ufd_shmem_alloc() - zeroed shared memory the program may map
 * @len: bytes, a multiple of the page size
 *
 * Return: the memory, or ERR_PTR(-EINVAL, -ENOMEM, -EMFILE, ...).
 */
void *ufd_shmem_alloc(size_t len)
{
	struct shmem *sh;
	long rc;

	if (!len || len % (size_t)sysconf(_SC_PAGESIZE))
		return ERR_PTR(-EINVAL);
	sh = ufd_zalloc(sizeof(*sh));
	if (!sh)
		return ERR_PTR(-ENOMEM);
	rc = ufd_sys6(SYS_memfd_create, (long)"uiommufd-mmio", MFD_CLOEXEC, 0,
		      0, 0, 0);
	if (rc < 0)
		goto out_free;
	sh->fd = (int)rc;
	rc = ufd_sys6(SYS_ftruncate, sh->fd, (long)len, 0, 0, 0, 0);
	if (rc < 0)
		goto out_close;
	sh->p = ufd_sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			     sh->fd, 0);
	rc = ufd_sys_ptr_err(sh->p);
	if (rc)
		goto out_close;
	sh->len = len;
	ufd_mutex_lock(&shmem_lock);
	sh->next = shmem_list;
	shmem_list = sh;
	ufd_mutex_unlock(&shmem_lock);
	return sh->p;

out_close:
	ufd_sys6(SYS_close, sh->fd, 0, 0, 0, 0, 0);
out_free:
	ufd_free(sh);
	return ERR_PTR((int)rc);
}

/** ufd_shmem_free() - free what ufd_shmem_alloc() gave; NULL is fine */
void ufd_shmem_free(void *p)
{
	struct shmem **pp, *sh = NULL;

	if (!p)
		return;
	ufd_mutex_lock(&shmem_lock);
	for (pp = &shmem_list; *pp; pp = &(*pp)->next) {
		if ((*pp)->p == p) {
			sh = *pp;
			*pp = sh->next;
			break;
		}
	}
	ufd_mutex_unlock(&shmem_lock);
	if (!sh)
		return;
	/* Mappings the program still has keep the pages alive. */
	ufd_sys_munmap(sh->p, sh->len);
	ufd_sys6(SYS_close, sh->fd, 0, 0, 0, 0, 0);
	ufd_free(sh);
}

/**
 * ufd_shmem_backing() - the file and offset behind shared memory
 * @p: inside an allocation of ufd_shmem_alloc()
 * @len: bytes from @p that must lie in the same allocation
 * @fd: set to its memfd (owned by the allocation: do not close it)
 * @offset: set to @p's offset in it
 *
 * Return: 0, or -EINVAL when [@p, @p + @len) is not inside one allocation.
 */
int ufd_shmem_backing(const void *p, size_t len, int *fd, uint64_t *offset)
{
	uintptr_t a = (uintptr_t)p;
	struct shmem *sh;
	int rc = -EINVAL;

	ufd_mutex_lock(&shmem_lock);
	for (sh = shmem_list; sh; sh = sh->next) {
		uintptr_t base = (uintptr_t)sh->p;

		if (a >= base && a - base <= sh->len &&
		    len <= sh->len - (a - base)) {
			*fd = sh->fd;
			*offset = a - base;
			rc = 0;
			break;
		}
	}
	ufd_mutex_unlock(&shmem_lock);
	return rc;
}
