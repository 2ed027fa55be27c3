// SPDX-License-Identifier: BSD-3-Clause
/* Pinned-memory accounting against RLIMIT_MEMLOCK; see account.h. */
#include <errno.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/alloc.h"
#include "iopt/account.h"
#include "iopt/pages.h"

static struct iopt_account user_account = { .name = "user" };
static struct iopt_account mm_account = { .name = "mm" };

/** iopt_account_user() - the per-user account (RLIMIT_MODE 0) */
struct iopt_account *iopt_account_user(void)
{
	return &user_account;
}

/** iopt_account_mm() - the per-process account (RLIMIT_MODE 1) */
struct iopt_account *iopt_account_mm(void)
{
	return &mm_account;
}

/**
 * iopt_account_exempt() - does the caller escape accounting?
 *
 * Linux charges nothing for a caller with CAP_IPC_LOCK. One capget(); the
 * core asks when a context is opened (see struct ufd_ctx).
 */
bool iopt_account_exempt(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32));
}

/* The limit in pages; UINT64_MAX when unlimited. */
static uint64_t memlock_limit_pages(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur / iopt_page_size();
}

/**
 * iopt_account_charge() - charge npages pinned pages
 * @account: where to charge; NULL charges nothing
 * @npages: pages of iopt_page_size()
 *
 * Return: 0, or -ENOMEM if the charge would exceed RLIMIT_MEMLOCK (then
 * nothing is charged). A fail point ("account") for fault injection.
 */
int iopt_account_charge(struct iopt_account *account, uint64_t npages)
{
	uint64_t limit, cur, next;

	if (!npages || !account)
		return 0;
	if (ufd_fail_point("account"))
		return -ENOMEM;
	limit = memlock_limit_pages();
	cur = atomic_load(&account->pages);
	do {
		if (__builtin_add_overflow(cur, npages, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_compare_exchange_weak(&account->pages, &cur, next));
	return 0;
}

/** iopt_account_uncharge() - give back what iopt_account_charge() took */
void iopt_account_uncharge(struct iopt_account *account, uint64_t npages)
{
	if (account)
		atomic_fetch_sub(&account->pages, npages);
}

/** iopt_account_read() - pages currently charged */
uint64_t iopt_account_read(struct iopt_account *account)
{
	return atomic_load(&account->pages);
}
