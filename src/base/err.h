/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Errors inside uiommufd are negative errno values. A function returning a
 * pointer carries an error in the pointer itself: the top 4095 addresses of
 * the address space are never valid objects, so ERR_PTR(-ENOMEM) is
 * distinguishable from any real pointer. Only the libc edge (preload) turns
 * these into -1/errno.
 */
#ifndef UIOMMUFD_BASE_ERR_H
#define UIOMMUFD_BASE_ERR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)(intptr_t)err;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return unlikely((uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

/* Converts an error pointer of one type into one of another. */
static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}

/* The error of an error pointer, 0 for a valid one. */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

#endif
