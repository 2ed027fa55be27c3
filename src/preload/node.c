// SPDX-License-Identifier: BSD-3-Clause
/*
 * The emulated namespace: the few paths the preload library answers for
 * instead of the kernel, and the files behind them.
 *
 *   /dev/iommu                          character device, a uiommufd context
 *   /proc/self/fail-nth                 fail-nth of the main thread
 *   /proc/thread-self/fail-nth          fail-nth of the calling thread
 *   /proc/<pid>/fail-nth                (<pid> = ours, or one of our tids)
 *   /proc/{self,<pid>}/task/<tid>/fail-nth
 *   /sys/kernel/debug                   directory listing the two below
 *   /sys/kernel/debug/failslab/...      fault-injection attributes
 *   /sys/kernel/debug/fail_page_alloc/...
 *
 * Paths are matched after lexical normalisation (repeated slashes, "." and
 * ".." components, a trailing slash); symbolic links are not followed and
 * relative paths are only recognised against a directory descriptor of
 * ours (openat(dirfd(opendir("/sys/kernel/debug")), "failslab/...")).
 * Anything else under /sys/kernel/debug passes through to the real
 * filesystem; anything under one of our directories that does not exist
 * there is ENOENT, as it would be in debugfs.
 *
 * fail-nth. Writing N arms ufd_fail_nth_set(N) for the thread the file
 * belongs to; reading returns "%u\n" of what is left, 0 once the failure
 * was injected (or never armed), like Linux. Our counters are thread-local,
 * so a thread can only arm itself: opening another thread's file, or using
 * a file from a thread other than the one it names, fails with EOPNOTSUPP
 * and a diagnostic, where Linux would arm the other task.
 *
 * Knobs. The debugfs attributes of failslab and fail_page_alloc exist,
 * read back their values in the kernel's formats, and validate writes as
 * the kernel does (EINVAL, ERANGE), so fault-injection tooling that
 * configures them runs unchanged. They change nothing in uiommufd: only
 * fail-nth injects failures. Their values are process-wide.
 *
 * Reads and writes. Each emulated file is backed by a memfd. A read first
 * writes the current contents into the memfd and then reads the memfd, so
 * offsets, short reads, EOF and EFAULT are the kernel's own; a write is
 * first written to the memfd (the kernel checks the buffer) and parsed from
 * there.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/sys.h"
#include "preload/preload.h"

/* Linux's misc devices are major 10; /dev/iommu gets a dynamic minor. */
#define PL_IOMMU_MAJOR 10
#define PL_IOMMU_MINOR 122

#define MEMFD_PREFIX "uiommufd-"
#define DEBUGFS_ROOT "/sys/kernel/debug"

enum knob_type {
	KNOB_BOOL,   /* "Y\n" / "N\n"; y/n/1/0/on/off accepted */
	KNOB_UL,     /* "%llu\n"; kstrtoull base 0 */
	KNOB_U32,    /* as KNOB_UL, truncated to 32 bits */
	KNOB_ATOMIC, /* "%lld\n" of an int; kstrtoll base 0 */
	KNOB_XUL,    /* "0x%016llx\n" */
};

enum {
	DIR_ROOT,
	DIR_FAILSLAB,
	DIR_FAIL_PAGE_ALLOC,
	DIR_COUNT,
};

static const char *const dir_names[DIR_COUNT] = {
	[DIR_ROOT] = "",
	[DIR_FAILSLAB] = "failslab",
	[DIR_FAIL_PAGE_ALLOC] = "fail_page_alloc",
};

struct knob {
	int dir;
	const char *name;
	enum knob_type type;
	uint64_t dflt;
};

/*
 * Every fault_attr directory has the same attributes, plus a few of its
 * own; defaults are what a freshly booted kernel shows (the ratelimit
 * interval as with HZ=1000).
 */
static const struct knob knobs[] = {
	{ DIR_FAILSLAB, "probability", KNOB_UL, 0 },
	{ DIR_FAILSLAB, "interval", KNOB_UL, 1 },
	{ DIR_FAILSLAB, "times", KNOB_ATOMIC, 1 },
	{ DIR_FAILSLAB, "space", KNOB_ATOMIC, 0 },
	{ DIR_FAILSLAB, "verbose", KNOB_UL, 2 },
	{ DIR_FAILSLAB, "verbose_ratelimit_interval_ms", KNOB_U32, 5000 },
	{ DIR_FAILSLAB, "verbose_ratelimit_burst", KNOB_U32, 10 },
	{ DIR_FAILSLAB, "task-filter", KNOB_BOOL, 0 },
	{ DIR_FAILSLAB, "stacktrace-depth", KNOB_UL, 32 },
	{ DIR_FAILSLAB, "require-start", KNOB_XUL, 0 },
	{ DIR_FAILSLAB, "require-end", KNOB_XUL, UINT64_MAX },
	{ DIR_FAILSLAB, "reject-start", KNOB_XUL, 0 },
	{ DIR_FAILSLAB, "reject-end", KNOB_XUL, 0 },
	{ DIR_FAILSLAB, "ignore-gfp-wait", KNOB_BOOL, 1 },
	{ DIR_FAILSLAB, "cache-filter", KNOB_BOOL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "probability", KNOB_UL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "interval", KNOB_UL, 1 },
	{ DIR_FAIL_PAGE_ALLOC, "times", KNOB_ATOMIC, 1 },
	{ DIR_FAIL_PAGE_ALLOC, "space", KNOB_ATOMIC, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "verbose", KNOB_UL, 2 },
	{ DIR_FAIL_PAGE_ALLOC, "verbose_ratelimit_interval_ms", KNOB_U32,
	  5000 },
	{ DIR_FAIL_PAGE_ALLOC, "verbose_ratelimit_burst", KNOB_U32, 10 },
	{ DIR_FAIL_PAGE_ALLOC, "task-filter", KNOB_BOOL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "stacktrace-depth", KNOB_UL, 32 },
	{ DIR_FAIL_PAGE_ALLOC, "require-start", KNOB_XUL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "require-end", KNOB_XUL, UINT64_MAX },
	{ DIR_FAIL_PAGE_ALLOC, "reject-start", KNOB_XUL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "reject-end", KNOB_XUL, 0 },
	{ DIR_FAIL_PAGE_ALLOC, "ignore-gfp-wait", KNOB_BOOL, 1 },
	{ DIR_FAIL_PAGE_ALLOC, "ignore-gfp-highmem", KNOB_BOOL, 1 },
	{ DIR_FAIL_PAGE_ALLOC, "min-order", KNOB_U32, 1 },
};

/*
 * Current values, stored XOR the default so that the zero-initialised
 * array starts out holding the defaults without an init step.
 */
static _Atomic uint64_t knob_xor[ARRAY_SIZE(knobs)];

static uint64_t knob_get(int i)
{
	return atomic_load_explicit(&knob_xor[i], memory_order_relaxed) ^
	       knobs[i].dflt;
}

static void knob_set(int i, uint64_t v)
{
	atomic_store_explicit(&knob_xor[i], v ^ knobs[i].dflt,
			      memory_order_relaxed);
}

static pid_t sys_gettid(void)
{
	return (pid_t)ufd_sys6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

static pid_t sys_getpid(void)
{
	return (pid_t)ufd_sys6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

/* True if @tid is a thread of this process. */
static bool is_our_thread(long tid)
{
	char path[64];
	struct stat st;

	if (tid <= 0 || tid > INT_MAX)
		return false;
	if (tid == sys_gettid() || tid == sys_getpid())
		return true;
	snprintf(path, sizeof(path), "/proc/self/task/%ld", tid);
	return !ufd_sys6(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0, 0,
			 0);
}

/*
 * Lexically normalises the absolute path @in into @out: no repeated
 * slashes, no "." or ".." components, no trailing slash. *@dir_slash says
 * whether @in ended in a slash (which requires a directory). Returns false
 * if it does not fit.
 */
static bool normalise(const char *in, char *out, size_t size, bool *dir_slash)
{
	size_t len = 0;

	*dir_slash = false;
	while (*in) {
		const char *c;
		size_t clen;

		while (*in == '/')
			in++;
		if (!*in) {
			*dir_slash = true;
			break;
		}
		c = in;
		while (*in && *in != '/')
			in++;
		clen = (size_t)(in - c);
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			continue;
		}
		if (len + 1 + clen + 1 > size)
			return false;
		out[len++] = '/';
		memcpy(out + len, c, clen);
		len += clen;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return true;
}

/* Parses a positive decimal id that makes up the whole of [s, end). */
static long parse_id(const char *s, const char *end)
{
	long v = 0;

	if (s == end || end - s > 9)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * /proc/... ending in /fail-nth. @p points after "/proc/". Returns 0 with
 * node filled, or 0 with node->type NONE for another process's file.
 */
static int lookup_proc(const char *p, struct pl_node *node)
{
	const char *slash = strchr(p, '/');
	long pid, tid;

	if (!slash)
		return 0;
	if (!strcmp(p, "thread-self/fail-nth")) {
		tid = sys_gettid();
		goto out_found;
	}
	if (!strncmp(p, "self/", 5)) {
		pid = sys_getpid();
	} else {
		pid = parse_id(p, slash);
		if (pid < 0)
			return 0;
	}
	p = slash + 1;
	if (!strcmp(p, "fail-nth")) {
		/* /proc/<id>/ also reaches a thread that is not a leader. */
		if (pid != sys_getpid() && !is_our_thread(pid))
			return 0;
		tid = pid;
		goto out_found;
	}
	if (pid != sys_getpid() || strncmp(p, "task/", 5))
		return 0;
	p += 5;
	slash = strchr(p, '/');
	if (!slash || strcmp(slash, "/fail-nth"))
		return 0;
	tid = parse_id(p, slash);
	if (!is_our_thread(tid))
		return -ENOENT;
out_found:
	node->type = PL_NODE_FAIL_NTH;
	node->tid = (pid_t)tid;
	return 0;
}

/* @p points after "/sys/kernel/debug" and is "" or starts with '/'. */
static int lookup_debugfs(const char *p, struct pl_node *node)
{
	const char *name, *slash;
	size_t dlen, nlen, i;
	int d;

	if (!*p) {
		node->type = PL_NODE_DIR;
		node->index = DIR_ROOT;
		return 0;
	}
	p++;
	slash = strchr(p, '/');
	dlen = slash ? (size_t)(slash - p) : strlen(p);
	for (d = DIR_ROOT + 1; d < DIR_COUNT; d++)
		if (strlen(dir_names[d]) == dlen &&
		    !strncmp(p, dir_names[d], dlen))
			break;
	if (d == DIR_COUNT)
		return 0; /* not a fault-injection directory: the real one */
	if (!slash) {
		node->type = PL_NODE_DIR;
		node->index = d;
		return 0;
	}
	name = slash + 1;
	slash = strchr(name, '/');
	nlen = slash ? (size_t)(slash - name) : strlen(name);
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (knobs[i].dir != d || strlen(knobs[i].name) != nlen ||
		    strncmp(name, knobs[i].name, nlen))
			continue;
		if (slash)
			return -ENOTDIR;
		node->type = PL_NODE_KNOB;
		node->index = (int)i;
		return 0;
	}
	return -ENOENT;
}

/* Writes the absolute path of directory @d into @buf. */
static void dir_path(int d, char *buf, size_t size)
{
	snprintf(buf, size, DEBUGFS_ROOT "%s%s", d == DIR_ROOT ? "" : "/",
		 dir_names[d]);
}

/**
 * pl_path_lookup - what (@dirfd, @path) names in the emulated namespace.
 *
 * Returns 0 with @node->type PL_NODE_NONE when the path is not ours (the
 * caller passes the call through), 0 with the node, or a negative errno
 * for a path inside the namespace that does not resolve (ENOENT, ENOTDIR).
 * Never evaluates a fail point and never calls an interposed function.
 */
int pl_path_lookup(int dirfd, const char *path, struct pl_node *node)
{
	char joined[PATH_MAX], norm[PATH_MAX];
	bool dir_slash, relative = false;
	int rc = 0;

	node->type = PL_NODE_NONE;
	if (!path)
		return 0;
	if (path[0] != '/') {
		struct pl_file *f;

		if (dirfd == AT_FDCWD || !*path || !pl_fd_maybe_ours(dirfd))
			return 0;
		f = pl_fd_get(dirfd);
		if (!f)
			return 0;
		if (f->kind != PL_DIR) {
			pl_file_put(f);
			return -ENOTDIR;
		}
		dir_path(f->node.index, joined, sizeof(joined));
		pl_file_put(f);
		if (strlen(joined) + 1 + strlen(path) + 1 > sizeof(joined))
			return -ENAMETOOLONG;
		strcat(joined, "/");
		strcat(joined, path);
		path = joined;
		relative = true;
	}
	if (!normalise(path, norm, sizeof(norm), &dir_slash))
		return relative ? -ENAMETOOLONG : 0;

	if (!strcmp(norm, "/dev/iommu"))
		node->type = PL_NODE_IOMMU;
	else if (!strncmp(norm, "/proc/", 6) && strlen(norm) > 9 &&
		 !strcmp(norm + strlen(norm) - 9, "/fail-nth"))
		rc = lookup_proc(norm + 6, node);
	else if (!strncmp(norm, DEBUGFS_ROOT, strlen(DEBUGFS_ROOT)) &&
		 (!norm[strlen(DEBUGFS_ROOT)] ||
		  norm[strlen(DEBUGFS_ROOT)] == '/'))
		rc = lookup_debugfs(norm + strlen(DEBUGFS_ROOT), node);
	if (rc)
		return rc;
	/* Relative to one of our directories, nothing else exists. */
	if (relative && node->type == PL_NODE_NONE)
		return -ENOENT;
	if (dir_slash && node->type != PL_NODE_NONE &&
	    node->type != PL_NODE_DIR)
		return -ENOTDIR;
	return 0;
}

static void fail_nth_diag(pid_t tid, const char *call)
{
	ufd_err("%s of the fail-nth file of thread %d from thread %d: "
		"EOPNOTSUPP: uiommufd's fail-nth counters are per thread and "
		"only a thread can arm its own",
		call, (int)tid, (int)sys_gettid());
}

static int node_install(int fd, enum pl_kind kind, int flags,
			const struct pl_node *node)
{
	struct pl_file *f = pl_file_alloc(kind, flags);
	int rc;

	if (!f) {
		rc = -ENOMEM;
		goto out_close;
	}
	f->node = *node;
	rc = pl_fd_install(fd, f);
	if (rc)
		goto out_free;
	return fd;

out_free:
	pl_file_put(f);
out_close:
	ufd_sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	return rc;
}

/**
 * pl_node_open - open(2) of an emulated node with open flags @flags.
 *
 * Returns a new descriptor, in the fd table, or a negative errno.
 */
int pl_node_open(const struct pl_node *node, int flags)
{
	char name[128];
	int fd;

	if (node->type != PL_NODE_DIR) {
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
	}
	switch (node->type) {
	case PL_NODE_IOMMU:
		return pl_iommufd_open(flags);
	case PL_NODE_FAIL_NTH:
		if (node->tid != sys_gettid()) {
			fail_nth_diag(node->tid, "open");
			return -EOPNOTSUPP;
		}
		snprintf(name, sizeof(name), MEMFD_PREFIX "fail-nth.%d",
			 (int)node->tid);
		fd = pl_memfd(name, flags, false);
		return fd < 0 ? fd : node_install(fd, PL_FAIL_NTH, flags, node);
	case PL_NODE_KNOB:
		snprintf(name, sizeof(name), MEMFD_PREFIX "debugfs.%s/%s",
			 dir_names[knobs[node->index].dir],
			 knobs[node->index].name);
		fd = pl_memfd(name, flags, false);
		return fd < 0 ? fd : node_install(fd, PL_KNOB, flags, node);
	case PL_NODE_DIR:
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
			return -EISDIR;
		/*
		 * Any real directory lets fdopendir() accept the descriptor;
		 * readdir() and openat() on it are answered from the table.
		 */
		fd = (int)ufd_sys6(SYS_openat, AT_FDCWD, (long)"/",
				   O_RDONLY | O_DIRECTORY | (flags & O_CLOEXEC),
				   0, 0, 0);
		return fd < 0 ? fd : node_install(fd, PL_DIR, flags, node);
	case PL_NODE_NONE:
		break;
	}
	return -ENOENT;
}

/** pl_node_stat - what stat(2) reports for an emulated node. */
void pl_node_stat(const struct pl_node *node, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_nlink = 1;
	st->st_blksize = 4096;
	switch (node->type) {
	case PL_NODE_IOMMU:
		st->st_mode = S_IFCHR | 0660;
		st->st_rdev = makedev(PL_IOMMU_MAJOR, PL_IOMMU_MINOR);
		st->st_ino = 1;
		break;
	case PL_NODE_FAIL_NTH:
		st->st_mode = S_IFREG | 0644;
		st->st_ino = 0x1000 + (ino_t)node->tid;
		break;
	case PL_NODE_KNOB:
		st->st_mode = S_IFREG | 0600;
		st->st_ino = 0x100 + (ino_t)node->index;
		break;
	case PL_NODE_DIR:
		st->st_mode = S_IFDIR | 0700;
		st->st_nlink = node->index == DIR_ROOT ? DIR_COUNT + 1 : 2;
		st->st_ino = 0x10 + (ino_t)node->index;
		break;
	case PL_NODE_NONE:
		break;
	}
}

/** pl_node_access - access(2) of an emulated node: 0 or -EACCES. */
int pl_node_access(const struct pl_node *node, int mode)
{
	struct stat st;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	pl_node_stat(node, &st);
	if (((mode & R_OK) && !(st.st_mode & S_IRUSR)) ||
	    ((mode & W_OK) && !(st.st_mode & S_IWUSR)) ||
	    ((mode & X_OK) && !(st.st_mode & S_IXUSR)))
		return -EACCES;
	return 0;
}

/**
 * pl_dir_next - readdir(3) on an emulated directory.
 *
 * Returns the next entry ("." and ".." first), kept in @f until the next
 * call, or NULL at the end.
 */
struct dirent64 *pl_dir_next(struct pl_file *f)
{
	struct dirent64 *ent = &f->dir_ent;
	unsigned int pos = f->dir_pos, i, n = 2;
	const char *name = NULL;
	unsigned char type = DT_DIR;

	if (pos == 0)
		name = ".";
	else if (pos == 1)
		name = "..";
	for (i = 0; !name && f->node.index == DIR_ROOT && i < DIR_COUNT; i++)
		if (i != DIR_ROOT && n++ == pos)
			name = dir_names[i];
	for (i = 0; !name && i < ARRAY_SIZE(knobs); i++) {
		if (knobs[i].dir == f->node.index && n++ == pos) {
			name = knobs[i].name;
			type = DT_REG;
		}
	}
	if (!name)
		return NULL;
	memset(ent, 0, sizeof(*ent));
	ent->d_ino = 0x10000 + pos;
	ent->d_off = pos + 1;
	ent->d_reclen = sizeof(*ent);
	ent->d_type = type;
	strncpy(ent->d_name, name, sizeof(ent->d_name) - 1);
	f->dir_pos = pos + 1;
	return ent;
}

/* Formats the current contents of an emulated file into @buf. */
static int emul_format(const struct pl_file *f, char *buf, size_t size)
{
	const struct knob *k;
	uint64_t v;

	if (f->kind == PL_FAIL_NTH)
		return snprintf(buf, size, "%u\n", ufd_fail_nth_get());
	k = &knobs[f->node.index];
	v = knob_get(f->node.index);
	switch (k->type) {
	case KNOB_BOOL:
		return snprintf(buf, size, "%c\n", v ? 'Y' : 'N');
	case KNOB_UL:
	case KNOB_U32:
		return snprintf(buf, size, "%" PRIu64 "\n", v);
	case KNOB_ATOMIC:
		return snprintf(buf, size, "%d\n", (int)(int64_t)v);
	case KNOB_XUL:
		return snprintf(buf, size, "0x%016" PRIx64 "\n", v);
	}
	return 0;
}

/*
 * Linux's kstrtoull/kstrtoll with base 0: optional sign ("-" only when
 * signed), 0x for hex, leading 0 for octal, one trailing newline allowed.
 */
static int parse_number(const char *s, bool is_signed, uint64_t *out)
{
	bool neg = false;
	unsigned int base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (*s == '+') {
		s++;
	} else if (*s == '-' && is_signed) {
		neg = true;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; *s && *s != '\n'; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!digits || (*s == '\n' && s[1]))
		return -EINVAL;
	if (is_signed && v > (neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX))
		return -ERANGE;
	*out = neg ? 0 - v : v;
	return 0;
}

/* Linux's kstrtobool. */
static int parse_bool(const char *s, uint64_t *out)
{
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = 1;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = 0;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*out = 1;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*out = 0;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* Applies the written text @s to the file's value. */
static int emul_store(struct pl_file *f, const char *s)
{
	const struct knob *k;
	uint64_t v;
	int rc;

	if (f->kind == PL_FAIL_NTH) {
		rc = parse_number(s, false, &v);
		if (!rc && v > UINT_MAX)
			rc = -ERANGE;
		if (!rc)
			ufd_fail_nth_set((unsigned int)v);
		return rc;
	}
	k = &knobs[f->node.index];
	if (k->type == KNOB_BOOL)
		rc = parse_bool(s, &v);
	else
		rc = parse_number(s, k->type == KNOB_ATOMIC, &v);
	if (rc)
		return rc;
	if (k->type == KNOB_U32)
		v = (uint32_t)v;
	if (k->type == KNOB_ATOMIC)
		v = (uint64_t)(int64_t)(int32_t)v;
	knob_set(f->node.index, v);
	return 0;
}

/* The checks every read and write of an emulated file starts with. */
static int emul_check(struct pl_file *f, int need_acc, const char *call)
{
	int acc = f->flags & O_ACCMODE;

	if (acc != O_RDWR && acc != need_acc)
		return -EBADF;
	switch (f->kind) {
	case PL_IOMMUFD:
		return -EINVAL; /* the kernel's iommufd has no read/write */
	case PL_DIR:
		return -EISDIR;
	case PL_FAIL_NTH:
		if (f->node.tid != sys_gettid()) {
			if (!atomic_exchange(&f->warned, true))
				fail_nth_diag(f->node.tid, call);
			return -EOPNOTSUPP;
		}
		break;
	case PL_KNOB:
		break;
	}
	return 0;
}

/**
 * pl_emul_read - read(2) (@positioned false) or pread(2) at @off.
 * @fd: the descriptor, whose memfd receives the contents first
 *
 * Returns the byte count or a negative errno.
 */
ssize_t pl_emul_read(struct pl_file *f, int fd, void *buf, size_t n, off_t off,
		     bool positioned)
{
	char text[64];
	long rc;
	int len;

	rc = emul_check(f, O_RDONLY, "read");
	if (rc)
		return rc;
	len = emul_format(f, text, sizeof(text));
	rc = ufd_sys6(SYS_pwrite64, fd, (long)text, len, 0, 0, 0);
	if (rc >= 0)
		rc = ufd_sys6(SYS_ftruncate, fd, len, 0, 0, 0, 0);
	if (rc < 0)
		return rc;
	if (positioned)
		return ufd_sys6(SYS_pread64, fd, (long)buf, (long)n, off, 0, 0);
	return ufd_sys6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0);
}

/**
 * pl_emul_write - write(2) or pwrite(2) (the offset does not matter, as for
 * the kernel's proc and debugfs attributes).
 *
 * Returns @n or a negative errno.
 */
ssize_t pl_emul_write(struct pl_file *f, int fd, const void *buf, size_t n)
{
	char text[64];
	size_t len = ufd_min(n, sizeof(text) - 1);
	long rc;

	rc = emul_check(f, O_WRONLY, "write");
	if (rc)
		return rc;
	if (!n)
		return -EINVAL;
	/* Through the memfd: the kernel turns a bad buffer into EFAULT. */
	rc = ufd_sys6(SYS_pwrite64, fd, (long)buf, (long)len, 0, 0, 0);
	if (rc >= 0)
		rc = ufd_sys6(SYS_pread64, fd, (long)text, (long)len, 0, 0, 0);
	if (rc < 0)
		return rc;
	text[rc] = '\0';
	rc = emul_store(f, text);
	return rc ? rc : (ssize_t)n;
}

/**
 * pl_file_from_memfd_name - rebuild a description from a /proc/self/fd link.
 * @link: the link's target, e.g. "/memfd:uiommufd-iommu (deleted)"
 *
 * Used after exec for descriptors the previous program image opened. An
 * iommufd comes back without its context (its pid is 0, so every call that
 * needs the context is refused); fail-nth and knob files work as before.
 * Returns NULL for a descriptor that was not ours, or on allocation failure.
 */
struct pl_file *pl_file_from_memfd_name(const char *link)
{
	static const char prefix[] = "/memfd:" MEMFD_PREFIX;
	struct pl_node node = { .type = PL_NODE_NONE };
	char name[128];
	struct pl_file *f;
	enum pl_kind kind;
	char *end;

	if (strncmp(link, prefix, sizeof(prefix) - 1))
		return NULL;
	snprintf(name, sizeof(name), "%s", link + sizeof(prefix) - 1);
	end = strstr(name, " (deleted)");
	if (end)
		*end = '\0';
	if (!strcmp(name, "iommu")) {
		kind = PL_IOMMUFD;
		node.type = PL_NODE_IOMMU;
	} else if (!strncmp(name, "fail-nth.", 9)) {
		kind = PL_FAIL_NTH;
		node.type = PL_NODE_FAIL_NTH;
		node.tid = (pid_t)parse_id(name + 9, name + strlen(name));
	} else if (!strncmp(name, "debugfs.", 8)) {
		char path[160];

		snprintf(path, sizeof(path), DEBUGFS_ROOT "/%s", name + 8);
		if (pl_path_lookup(AT_FDCWD, path, &node) ||
		    node.type != PL_NODE_KNOB)
			return NULL;
		kind = PL_KNOB;
	} else {
		return NULL;
	}
	f = pl_file_alloc(kind, O_RDWR);
	if (!f)
		return NULL;
	f->node = node;
	if (kind == PL_IOMMUFD)
		f->pid = 0;
	return f;
}

/*
 * fopen(3) of fail-nth and knob files: a stdio cookie stream, because stdio
 * writes through libc-internal calls that would bypass our write(). The
 * stream has no descriptor of its own (fileno() is -1); the memfd it uses
 * is close-on-exec and private to the stream.
 */
struct emul_cookie {
	struct pl_file *f;
	int fd;
	off64_t pos;
};

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
	struct emul_cookie *ck = c;
	ssize_t rc = pl_emul_read(ck->f, ck->fd, buf, n, ck->pos, true);

	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	ck->pos += rc;
	return rc;
}

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct emul_cookie *ck = c;
	ssize_t rc = pl_emul_write(ck->f, ck->fd, buf, n);

	if (rc < 0) {
		errno = (int)-rc;
		return 0; /* fopencookie(3): 0, never negative, on error */
	}
	return rc;
}

static int cookie_seek(void *c, off64_t *off, int whence)
{
	struct emul_cookie *ck = c;
	off64_t base = whence == SEEK_CUR ? ck->pos : 0;

	if ((whence != SEEK_SET && whence != SEEK_CUR) || base + *off < 0) {
		errno = EINVAL;
		return -1;
	}
	ck->pos = base + *off;
	*off = ck->pos;
	return 0;
}

static int cookie_close(void *c)
{
	struct emul_cookie *ck = c;
	int rc;

	pl_file_put(ck->f);
	rc = pl_fd_close(ck->fd);
	ufd_free(ck);
	return rc;
}

/* fopen(3) mode string to open(2) flags; -1 if invalid. */
static int fopen_flags(const char *mode)
{
	int flags;

	switch (*mode++) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	for (; *mode; mode++) {
		if (*mode == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*mode == 'e')
			flags |= O_CLOEXEC;
		else if (*mode == 'x')
			flags |= O_EXCL;
		else if (*mode == ',')
			break;
	}
	return flags;
}

/**
 * pl_node_fopen - fopen(3) of an emulated node.
 *
 * /dev/iommu and directories get an ordinary stream on their descriptor
 * (fclose() is interposed to keep the table right); fail-nth and knob
 * files get a cookie stream. Returns NULL with errno set on failure.
 */
FILE *pl_node_fopen(const struct pl_node *node, const char *mode)
{
	static const cookie_io_functions_t io = {
		.read = cookie_read,
		.write = cookie_write,
		.seek = cookie_seek,
		.close = cookie_close,
	};
	int flags = fopen_flags(mode);
	struct emul_cookie *ck;
	FILE *fp;
	int fd;

	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (node->type == PL_NODE_FAIL_NTH || node->type == PL_NODE_KNOB)
		flags |= O_CLOEXEC;
	fd = pl_node_open(node, flags);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (node->type == PL_NODE_IOMMU || node->type == PL_NODE_DIR) {
		fp = fdopen(fd, mode);
		if (!fp)
			goto out_close;
		return fp;
	}
	ck = ufd_zalloc(sizeof(*ck));
	if (!ck) {
		errno = ENOMEM;
		goto out_close;
	}
	ck->fd = fd;
	ck->f = pl_fd_get(fd);
	fp = fopencookie(ck, mode, io);
	if (!fp)
		goto out_free;
	return fp;

out_free:
	pl_file_put(ck->f);
	ufd_free(ck);
out_close:
	pl_fd_close(fd);
	return NULL;
}
