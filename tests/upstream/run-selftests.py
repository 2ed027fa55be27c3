#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs Linux's own iommufd selftests, unmodified, against uiommufd.

The yardstick of the project: the kernel's tools/testing/selftests/iommu
programs (iommufd and iommufd_fail_nth) are the most complete description of
what /dev/iommu must do. This script fetches them from Debian's kernel
source package, builds them with the kernel's own selftest Makefile and
harness, runs every test under libuiommufd-preload.so and counts.

Nothing from the kernel is committed here (the selftests are GPL; this
script is not derived from them): the sources are fetched and built at run
time, in the build directory.

Steps, each cached in WORKDIR (default <builddir>/upstream-selftests):
  1. fetch: `apt-get download` of the source package through a private apt
     state (sources list, lists, cache under WORKDIR/apt). The archive's URI
     and key are taken from the system's own apt configuration, only the
     suite is ours (experimental by default), so no archive host is written
     in this file and the system's apt state is left alone.
  2. extract the few paths of the kernel tree the tests need.
  3. stage the uapi headers (what `make headers_install` produces, made with
     the tree's own scripts/headers_install.sh) without needing a configured
     kernel tree. Headers kbuild generates from syscall tables
     (asm/unistd_64.h) are not made: the system's are used.
  4. build with `make -C tools/testing/selftests/iommu`, i.e. the kernel's
     Makefile and lib.mk, KHDR_INCLUDES pointing at the staged headers.
  5. run each test on its own (`PROG -r FIXTURE.VARIANT.TEST`) under
     `uiommufd run --`, in parallel, each with a time limit after which its
     whole process tree is killed, and record a one-line verdict and the log.

Invariants: a test's verdict comes only from the harness's own
"ok"/"not ok" line; a test without one (the harness died or was killed) is
a failure, never a pass. Every process this script starts is waited for or
killed by its id before it exits.
"""
import argparse
import concurrent.futures
import ctypes
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

SUITES = ("iommufd", "iommufd_fail_nth")
SELFTEST_DIR = "tools/testing/selftests"
DEB_PACKAGES = ("gcc", "make", "xz-utils", "libcap-dev")

# Paths of the kernel tree the build needs: the tests, the harness and
# lib.mk, the test ABI header they include by relative path, the uapi
# headers, the two scripts that install them, and the top Makefile (for
# the version).
TREE_MEMBERS = (
    SELFTEST_DIR + "/iommu/*",
    SELFTEST_DIR + "/*.h",
    SELFTEST_DIR + "/lib.mk",
    "drivers/iommu/iommufd/iommufd_test.h",
    "include/uapi/*",
    "arch/{arch}/include/uapi/*",
    "scripts/headers_install.sh",
    "scripts/unifdef.c",
    "Makefile",
)

# Debian's suite and codename vocabulary: an apt source whose suite is one
# of these is the Debian archive itself (not security, updates, backports
# or a third-party repository).
DEBIAN_SUITES = {
    "experimental", "unstable", "sid", "testing", "stable", "oldstable",
    "oldoldstable", "buster", "bullseye", "bookworm", "trixie", "forky",
    "duke",
}

KERNEL_ARCH = {"x86_64": "x86", "aarch64": "arm64"}

# The largest hugetlb mapping one test makes is 128 MiB (the dirty
# tracking variants ending in _huge), i.e. 64 pages of 2 MiB.
HUGEPAGES_PER_JOB = 64
HUGEPAGES_SLACK = 32

PR_SET_CHILD_SUBREAPER = 36


def log(msg):
    print(msg, flush=True)


def die(msg, code=2):
    print(f"run-selftests: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(cmd, **kw):
    """Runs @cmd, failing the script with its output if it fails."""
    res = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, **kw)
    if res.returncode:
        die(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout}")
    return res.stdout


# ---------------------------------------------------------------- apt


def parse_deb822(text):
    """Yields the stanzas of a deb822 file as {field.lower(): value}."""
    stanza, key = {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if stanza:
                yield stanza
            stanza, key = {}, None
        elif line[0] in " \t" and key:
            stanza[key] += "\n" + line
        elif ":" in line:
            key, val = line.split(":", 1)
            key = key.strip().lower()
            stanza[key] = val.strip()


def parse_one_line(text):
    """Yields the `deb` lines of a sources.list in the deb822 model."""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        opts = {}
        m = re.match(r"deb\s+\[([^\]]*)\]\s+(.*)", line)
        rest = line[4:]
        if m:
            for opt in m.group(1).split():
                k, _, v = opt.partition("=")
                opts[k.lower()] = v
            rest = m.group(2)
        words = rest.split()
        if len(words) < 3:
            continue
        stanza = {"types": "deb", "uris": words[0], "suites": words[1],
                  "components": " ".join(words[2:])}
        if "signed-by" in opts:
            stanza["signed-by"] = opts["signed-by"]
        yield stanza


def system_sources():
    """Every apt source the system is configured with, deb822-style."""
    out = run(["apt-config", "shell", "SL", "Dir::Etc::sourcelist/f",
               "SP", "Dir::Etc::sourceparts/d"])
    paths = dict(re.findall(r"^(\w+)='([^']*)'", out, re.M))
    files = [paths.get("SL", "/etc/apt/sources.list")]
    parts = paths.get("SP", "/etc/apt/sources.list.d/")
    files += sorted(glob.glob(os.path.join(parts, "*.list")))
    files += sorted(glob.glob(os.path.join(parts, "*.sources")))
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        if path.endswith(".sources"):
            yield from parse_deb822(text)
        else:
            yield from parse_one_line(text)


def debian_archive():
    """Returns (uri, signed_by or None) of the system's Debian archive."""
    for st in system_sources():
        if st.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in st.get("types", "").split():
            continue
        if "main" not in st.get("components", "").split():
            continue
        if not DEBIAN_SUITES & set(st.get("suites", "").split()):
            continue
        uris = st.get("uris", "").split()
        if uris:
            return uris[0], st.get("signed-by")
    die("no Debian archive (a 'deb' source with suite bookworm, trixie, "
        "sid, ...) in the system's apt configuration; pass --deb FILE")
    return None


def apt_download(workdir, package, suite):
    """Downloads @package's .deb from @suite; returns its path."""
    uri, signed_by = debian_archive()
    apt = os.path.join(workdir, "apt")
    debdir = os.path.join(workdir, "deb")
    for d in ("sources.list.d", "state/lists/partial",
              "cache/archives/partial"):
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    os.makedirs(debdir, exist_ok=True)
    with open(os.path.join(apt, "sources.list"), "w",
              encoding="utf-8") as f:
        f.write("")
    with open(os.path.join(apt, "sources.list.d", "source.sources"), "w",
              encoding="utf-8") as f:
        f.write(f"Types: deb\nURIs: {uri}\nSuites: {suite}\n"
                "Components: main\n")
        if signed_by:
            f.write(f"Signed-By: {signed_by}\n")
    opts = [
        "-o", f"Dir::Etc::sourcelist={apt}/sources.list",
        "-o", f"Dir::Etc::sourceparts={apt}/sources.list.d",
        "-o", f"Dir::State={apt}/state",
        "-o", f"Dir::Cache={apt}/cache",
        "-q",
    ]
    if os.geteuid() == 0:
        # apt drops to its download user, who cannot write our directories.
        opts += ["-o", "APT::Sandbox::User=root"]
    log(f"fetch: apt-get update ({suite}), apt-get download {package}")
    run(["apt-get"] + opts + ["update"])
    for old in glob.glob(os.path.join(debdir, "*.deb")):
        os.unlink(old)
    run(["apt-get"] + opts + ["download", package], cwd=debdir)
    debs = glob.glob(os.path.join(debdir, f"{package}_*.deb"))
    if len(debs) != 1:
        die(f"apt-get download left {debs} in {debdir}")
    return debs[0]


# ------------------------------------------------------- source tree


def extract(deb, srcdir, arch):
    """Extracts the members of the kernel tree we need into @srcdir."""
    stamp = os.path.join(srcdir, ".extracted")
    want = os.path.basename(deb) + " " + arch
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == want:
                return False
    shutil.rmtree(srcdir, ignore_errors=True)
    os.makedirs(srcdir)
    listing = subprocess.run(["dpkg-deb", "-c", deb], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
    m = re.search(r"(\./usr/src/linux-source-[^\s/]+\.tar\.xz)$", listing,
                  re.M)
    if not m:
        die(f"{deb} holds no usr/src/linux-source-*.tar.xz")
    tarball = m.group(1)
    top = os.path.basename(tarball)[:-len(".tar.xz")]
    members = [f"{top}/{p.format(arch=arch)}" for p in TREE_MEMBERS]
    log(f"extract: {tarball} from {os.path.basename(deb)} "
        "(takes ~15 s once)")
    fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                            stdout=subprocess.PIPE)
    inner = subprocess.Popen(["tar", "-xO", tarball], stdin=fsys.stdout,
                             stdout=subprocess.PIPE)
    fsys.stdout.close()
    res = subprocess.run(["tar", "-xJ", "--strip-components=1",
                          "--wildcards", "-C", srcdir] + members,
                         stdin=inner.stdout, stderr=subprocess.PIPE,
                         text=True)
    inner.stdout.close()
    if inner.wait() or fsys.wait() or res.returncode:
        die(f"extracting {tarball} failed: {res.stderr}")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(want + "\n")
    return True


def kernel_version(srcdir):
    """The kernel release of the tree, from its top Makefile."""
    vals = {}
    with open(os.path.join(srcdir, "Makefile"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)"
                         r"\s*=\s*(\S*)", line)
            if m:
                vals[m.group(1)] = m.group(2)
            if len(vals) == 4:
                break
    return "{VERSION}.{PATCHLEVEL}.{SUBLEVEL}{EXTRAVERSION}".format(
        **{k: vals.get(k, "?") for k in
           ("VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION")})


def stage_headers(srcdir, khdr, arch, jobs):
    """Installs the tree's uapi headers into @khdr as headers_install does.

    Each header goes through the tree's own scripts/headers_install.sh
    (which strips kernel-only annotations and __KERNEL__ blocks with
    unifdef, built here from scripts/unifdef.c). The asm/ headers an
    architecture takes unchanged from asm-generic get one-line wrappers,
    as kbuild makes them.
    """
    stamp = os.path.join(khdr, ".staged")
    if os.path.exists(stamp):
        return
    shutil.rmtree(khdr, ignore_errors=True)
    log("headers: staging uapi headers with scripts/headers_install.sh")
    run(["gcc", "-O2", "-o", "scripts/unifdef", "scripts/unifdef.c"],
        cwd=srcdir)
    work = []
    for base in ("include/uapi", f"arch/{arch}/include/uapi"):
        root = os.path.join(srcdir, base)
        for d, _, files in os.walk(root):
            for name in files:
                if name.endswith(".h"):
                    rel = os.path.relpath(os.path.join(d, name), root)
                    work.append((os.path.join(base, rel), rel))
    for _, rel in work:
        os.makedirs(os.path.join(khdr, os.path.dirname(rel)), exist_ok=True)

    def install(item):
        src, rel = item
        return subprocess.run(
            ["sh", "scripts/headers_install.sh", src,
             os.path.join(khdr, rel)], cwd=srcdir, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for (src, _), res in zip(work, pool.map(install, work)):
            if res.returncode:
                die(f"headers_install.sh {src}: {res.stdout}")
    kbuild = os.path.join(srcdir, "include/uapi/asm-generic/Kbuild")
    with open(kbuild, encoding="utf-8") as f:
        generic = re.findall(r"^mandatory-y\s*\+=\s*(\S+\.h)", f.read(),
                             re.M)
    for name in generic:
        path = os.path.join(khdr, "asm", name)
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"#include <asm-generic/{name}>\n")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(f"{len(work)} headers\n")


def build_tests(srcdir, khdr, bindir):
    """Builds the test programs into @bindir with the kernel's Makefile."""
    os.makedirs(bindir, exist_ok=True)
    env = dict(os.environ)
    # Run the kernel's Makefile as a top-level make even under `make
    # selftests`, so lib.mk takes its standalone paths.
    for var in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(var, None)
    log("build: make -C " + SELFTEST_DIR + "/iommu")
    run(["make", "-C", os.path.join(srcdir, SELFTEST_DIR, "iommu"),
         f"OUTPUT={bindir}", f"KHDR_INCLUDES=-isystem {khdr}"], env=env)


# ---------------------------------------------------------- hugepages


class Hugepages:
    """Makes sure @want 2 MiB pages are reserved; restores on exit."""

    PATH = "/proc/sys/vm/nr_hugepages"

    def __init__(self, want):
        self.old = None
        self.note = None
        try:
            with open(self.PATH, encoding="ascii") as f:
                cur = int(f.read())
        except OSError as e:
            self.note = f"cannot read {self.PATH}: {e.strerror}"
            return
        self.have = cur
        if cur >= want:
            return
        try:
            with open(self.PATH, "w", encoding="ascii") as f:
                f.write(f"{want}\n")
            self.old = cur
            with open(self.PATH, encoding="ascii") as f:
                self.have = int(f.read())
        except OSError as e:
            self.note = (f"could not reserve {want} hugepages "
                         f"({self.PATH}: {e.strerror}); tests that map "
                         "MAP_HUGETLB memory will fail")
            return
        if self.have < want:
            self.note = (f"only {self.have} of {want} hugepages could be "
                         "reserved; MAP_HUGETLB tests may fail")

    def restore(self):
        if self.old is None:
            return
        try:
            with open(self.PATH, "w", encoding="ascii") as f:
                f.write(f"{self.old}\n")
        except OSError:
            pass
        self.old = None


# ------------------------------------------------------------ running


def list_tests(prog):
    """Names ("FIXTURE[.VARIANT].TEST") of the tests in @prog, in order.

    Parses the harness's `-l` table: a fixture's name heads its first row,
    then its variants and its tests are listed side by side, in columns
    printed "%-20s %-25s %s" (a longer name pushes the next column right).
    """
    res = subprocess.run([prog, "-l"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    fixtures = []
    for line in res.stdout.splitlines():
        if not line.strip() or line.startswith(("#", "---")):
            continue
        fix = line.split()[0] if line[0] != " " else ""
        if fix:
            fixtures.append((fix, [], []))
        vstart = max(20, len(fix)) + 1
        var = ""
        if line[vstart:vstart + 1].strip():
            var = line[vstart:].split()[0]
        test = line[vstart + max(25, len(var)) + 1:].strip()
        if var:
            fixtures[-1][1].append(var)
        if test:
            fixtures[-1][2].append(test)
    names = []
    for fix, variants, tests in fixtures:
        for var in variants or [""]:
            for test in tests:
                names.append(f"{fix}.{var}.{test}" if var else
                             f"{fix}.{test}")
    return names


def sanitizer_runtimes(lib):
    """Sanitizer runtimes @lib links against, which must be preloaded first
    when the program itself is not instrumented."""
    res = subprocess.run(["ldd", lib], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    return re.findall(r"=> (\S*/lib(?:asan|ubsan|tsan)\.so[.\d]*) ",
                      res.stdout)


def git_revision(builddir):
    """The uiommufd revision @builddir was configured from, "+dirty" if
    tracked files were edited, "unknown" outside a git checkout.

    GIT_OPTIONAL_LOCKS=0 keeps git status from refreshing the index, so
    this reads git state without writing any.
    """
    source = REPO
    try:
        with open(os.path.join(builddir, "meson-info", "meson-info.json"),
                  encoding="utf-8") as f:
            source = json.load(f)["directories"]["source"]
    except (OSError, ValueError, KeyError):
        pass
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    git = ["git", "-C", source]
    try:
        rev = subprocess.run(git + ["rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             env=env).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain",
                                      "--untracked-files=no"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True,
                               env=env).stdout.strip()
    except OSError:
        return "unknown"
    if not rev:
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def descendants(pid):
    """Process ids below @pid, from /proc (children before parents)."""
    kids = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat, encoding="ascii", errors="replace") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rfind(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(
            int(stat.split("/")[2]))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out[::-1]


def kill_tree(pid):
    """SIGKILLs @pid and everything below it, the deepest first."""
    for p in descendants(pid) + [pid]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


# "ok N NAME", "ok N NAME # SKIP|XFAIL|XPASS REASON", "not ok N NAME #  WHY"
RESULT_RE = re.compile(
    r"^(not ok|ok) \d+ (\S+)(?: # (SKIP|XFAIL|XPASS) ?(.*)| #  (.*))?$")
ASSERT_RE = re.compile(r"^# ([\w.]+:\d+):[\w]+:(.*)$")
SANITIZER_RE = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                          r"WARNING: ThreadSanitizer|runtime error:).*")
# "[uiommufd] ioctl(FD, NAME[, ARG][ => {OUTPUTS}]) = RESULT[ [created|destroyed ...]]"
TRACE_RE = re.compile(r"^\[uiommufd\] ioctl\(\d+, (_IOC\([^)]*\)|\w+).*\) = "
                      r"(.*?)(?: \[(?:created|destroyed) [^]]*\])?$")
# What the preload says when it refuses a call before the core sees it.
DIAG_RE = re.compile(r"^uiommufd: (.*)$")
END_RE = re.compile(r"^# \w+: (Test terminated .*|Test ended .*)$")


def signature(text):
    """A one-line cause for a failed test, from its log.

    The first failed expectation, with the ioctl uiommufd answered just
    before it (from --trace), or how the test process ended.
    """
    m = SANITIZER_RE.search(text)
    if m:
        return "sanitizer: " + re.sub(r"0x[0-9a-f]+", "N", m.group(0))
    last_ioctl = None
    for line in text.splitlines():
        m = TRACE_RE.match(line)
        if m:
            res = re.sub(r" \(.*\)$", "", m.group(2))
            last_ioctl = f"{m.group(1)} = {res}"
            continue
        m = DIAG_RE.match(line)
        if m:
            last_ioctl = re.sub(r"\d+", "N", m.group(1))[:100]
            continue
        m = ASSERT_RE.match(line)
        if m:
            # Addresses and sizes differ from run to run; errnos do not.
            what = re.sub(r"\b(0x[0-9a-f]+|\d{7,})\b", "N", m.group(2))
            sig = f"{m.group(1)}:{what}"
            if last_ioctl:
                sig += f"  [last ioctl: {last_ioctl}]"
            return sig
        m = END_RE.match(line)
        if m and "assertion" not in m.group(1):
            return m.group(1)
        if "Assertion" in line and "failed" in line:
            return line.strip()
    return "no failed expectation in the log"


class Runner:
    """Runs single tests; shared by the worker threads."""

    def __init__(self, args, tool, workdir, env):
        self.args = args
        self.tool = tool
        self.env = env
        self.logdir = os.path.join(workdir, "logs")
        self.lock = threading.Lock()
        self.procs = {}
        self.done = 0
        self.total = 0

    def one(self, suite, prog, name):
        """Runs test @name of @prog; returns (status, seconds, detail)."""
        logpath = os.path.join(self.logdir, suite, name + ".log")
        cmd = [self.tool, "run"]
        if self.args.trace:
            cmd.append("--trace")
        cmd += ["--", prog, "-r", name]
        start = time.monotonic()
        timed_out = False
        with open(logpath, "w", encoding="utf-8") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    cwd=os.path.dirname(prog),
                                    env=self.env)
            with self.lock:
                self.procs[proc.pid] = proc
            try:
                proc.wait(timeout=self.args.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_tree(proc.pid)
                proc.wait()
            with self.lock:
                del self.procs[proc.pid]
        secs = time.monotonic() - start
        with open(logpath, encoding="utf-8", errors="replace") as f:
            text = f.read()
        status, detail = None, ""
        for line in text.splitlines():
            m = RESULT_RE.match(line)
            if m and m.group(2) == name:
                if m.group(3) == "SKIP":
                    status, detail = "SKIP", m.group(4)
                elif m.group(1) == "ok":
                    status = "PASS"
                else:
                    status = "FAIL"
        if timed_out:
            status = "FAIL"
            detail = (f"killed after {self.args.timeout:g} s (script "
                      f"timeout); " + signature(text))
        elif status is None:
            status = "FAIL"
            detail = (f"no result line (exit {proc.returncode}); "
                      + signature(text))
        elif status == "FAIL" or SANITIZER_RE.search(text):
            # A sanitizer report fails the test even if the harness
            # passed it: the bug is ours, whatever the test checked.
            status, detail = "FAIL", signature(text)
        with self.lock:
            self.done += 1
            if self.args.verbose or status == "FAIL" and self.args.show:
                log(f"[{self.done}/{self.total}] {status} {name} "
                    f"({secs:.1f} s) {detail}")
        return status, secs, detail

    def kill_all(self):
        """Kills every test running now (on interruption)."""
        with self.lock:
            pids = list(self.procs)
        for pid in pids:
            kill_tree(pid)


def group_failures(results):
    """[(first failure, [tests])], the largest group first."""
    groups = {}
    for suite, name, status, _, detail in results:
        if status == "FAIL":
            groups.setdefault(detail, []).append(f"{suite}:{name}")
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def main():
    ap = argparse.ArgumentParser(
        description="Fetch, build and run Linux's iommufd selftests "
        "against uiommufd (see docs/selftests.md).")
    ap.add_argument("--builddir", default=os.path.join(REPO, "build"),
                    help="uiommufd Meson build directory (default: build)")
    ap.add_argument("--workdir",
                    help="cache and results (default: "
                    "BUILDDIR/upstream-selftests)")
    ap.add_argument("--package", default="linux-source-7.3",
                    help="Debian source package (default: %(default)s)")
    ap.add_argument("--suite", default="experimental",
                    help="Debian suite to fetch it from "
                    "(default: %(default)s)")
    ap.add_argument("--deb", help="use this .deb instead of downloading")
    ap.add_argument("--refetch", action="store_true",
                    help="download the package again even if cached")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=45,
                    help="seconds before a test's processes are killed "
                    "(default: %(default)s; the harness itself gives up "
                    "on a test after 30 s)")
    ap.add_argument("--hugepages", type=int,
                    help="2 MiB pages to reserve (default: 64 per job + "
                    "32; 0: leave nr_hugepages alone)")
    ap.add_argument("--no-trace", dest="trace", action="store_false",
                    help="do not record uiommufd's ioctl trace in the logs")
    ap.add_argument("--prog", action="append", choices=SUITES,
                    help="run only this program (repeatable)")
    ap.add_argument("--filter", help="run only tests whose name matches "
                    "this regular expression")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 if any test failed")
    ap.add_argument("--show", action="store_true",
                    help="print each failure as it happens")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every test as it finishes")
    args = ap.parse_args()

    builddir = os.path.abspath(args.builddir)
    workdir = os.path.abspath(args.workdir or
                              os.path.join(builddir, "upstream-selftests"))
    tool = os.path.join(builddir, "tools", "uiommufd", "uiommufd")
    if not args.build_only and not os.access(tool, os.X_OK):
        die(f"{tool} not found: build uiommufd first "
            f"(ninja -C {args.builddir})")
    arch = KERNEL_ARCH.get(os.uname().machine)
    if not arch:
        die(f"unsupported machine {os.uname().machine}")
    os.makedirs(workdir, exist_ok=True)

    res = subprocess.run([os.path.join(REPO, "scripts", "ensure-deps.sh")]
                         + list(DEB_PACKAGES))
    if res.returncode:
        die("missing build dependencies")

    if args.deb:
        deb = os.path.abspath(args.deb)
    else:
        debs = glob.glob(os.path.join(workdir, "deb",
                                      f"{args.package}_*.deb"))
        if len(debs) == 1 and not args.refetch:
            deb = debs[0]
        else:
            deb = apt_download(workdir, args.package, args.suite)
    srcdir = os.path.join(workdir, "src")
    khdr = os.path.join(workdir, "khdr")
    bindir = os.path.join(workdir, "bin")
    if extract(deb, srcdir, arch):
        shutil.rmtree(khdr, ignore_errors=True)
        shutil.rmtree(bindir, ignore_errors=True)
    version = kernel_version(srcdir)
    stage_headers(srcdir, khdr, arch, args.jobs)
    build_tests(srcdir, khdr, bindir)
    if args.build_only:
        log(f"built {', '.join(SUITES)} from Linux {version} in {bindir}")
        return 0

    # Tests that fork grandchildren and then die leave them to us, so a
    # killed test cannot leave processes behind.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    env = dict(os.environ)
    preload = os.path.join(builddir, "src", "preload",
                           "libuiommufd-preload.so")
    runtimes = sanitizer_runtimes(preload)
    if runtimes:
        # `uiommufd run` appends our library after what is there.
        env["LD_PRELOAD"] = ":".join(
            runtimes + [p for p in env.get("LD_PRELOAD", "").split(":")
                        if p])
        # The test programs are not instrumented and leak by design.
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        log("sanitizers: preloading " + " ".join(runtimes))
    runner = Runner(args, tool, workdir, env)
    shutil.rmtree(runner.logdir, ignore_errors=True)
    work = []
    for suite in args.prog or SUITES:
        prog = os.path.join(bindir, suite)
        os.makedirs(os.path.join(runner.logdir, suite), exist_ok=True)
        for name in list_tests(prog):
            if args.filter and not re.search(args.filter, name):
                continue
            work.append((suite, prog, name))
    if not work:
        die("no test to run" + (f" matches {args.filter!r}"
                                if args.filter else ""))
    runner.total = len(work)
    revision = git_revision(builddir)
    log(f"run: {len(work)} tests from Linux {version} "
        f"({os.path.basename(deb)}) against uiommufd {revision}, "
        f"{args.jobs} at a time, {args.timeout:g} s limit each")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    want = args.hugepages
    if want is None:
        want = HUGEPAGES_PER_JOB * args.jobs + HUGEPAGES_SLACK
    huge = None
    results = []
    start = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(args.jobs)
    try:
        # Reserved inside the try, so that every way out puts it back.
        huge = Hugepages(want) if want else None
        if huge and huge.note:
            log("hugepages: " + huge.note)
        futs = [pool.submit(runner.one, *w) for w in work]
        for (suite, _, name), fut in zip(work, futs):
            status, secs, detail = fut.result()
            results.append((suite, name, status, secs, detail))
        pool.shutdown()
    except KeyboardInterrupt:
        # Stop starting tests, then end the running ones.
        pool.shutdown(wait=False, cancel_futures=True)
        runner.kill_all()
        die("interrupted", 130)
    finally:
        if huge:
            huge.restore()
        # Reap what the subreaper inherited.
        for pid in descendants(os.getpid()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG) == (0, 0):
                    break
            except ChildProcessError:
                break
    elapsed = time.monotonic() - start

    counts = {}
    with open(os.path.join(workdir, "results.txt"), "w",
              encoding="utf-8") as f:
        f.write(f"# Linux {version} selftests ({os.path.basename(deb)}) "
                f"against uiommufd {revision} ({builddir})\n"
                "# status\tprogram\ttest\tseconds\tdetail\n")
        for suite, name, status, secs, detail in results:
            f.write(f"{status}\t{suite}\t{name}\t{secs:.2f}\t{detail}\n")
            c = counts.setdefault(suite, {"PASS": 0, "FAIL": 0, "SKIP": 0})
            c[status] += 1
    groups = group_failures(results)
    with open(os.path.join(workdir, "failures.txt"), "w",
              encoding="utf-8") as f:
        f.write("# failures grouped by first failed expectation "
                "(most frequent first)\n")
        for sig, names in groups:
            f.write(f"\n{len(names)}\t{sig}\n")
            for n in names:
                f.write(f"\t{n}\n")

    log("")
    log("most frequent first failures (all in failures.txt):")
    for sig, names in groups[:12]:
        log(f"  {len(names):4d}  {sig[:150]}")
    log("")
    for suite in args.prog or SUITES:
        c = counts.get(suite, {"PASS": 0, "FAIL": 0, "SKIP": 0})
        log(f"{suite}: {c['PASS']} passed, {c['FAIL']} failed, "
            f"{c['SKIP']} skipped")
    log(f"results: {workdir}/results.txt, logs: {runner.logdir}/ "
        f"({elapsed:.0f} s)")
    total = {k: sum(c[k] for c in counts.values())
             for k in ("PASS", "FAIL", "SKIP")}
    log(f"selftests: {total['PASS']} passed, {total['FAIL']} failed, "
        f"{total['SKIP']} skipped")
    return 1 if args.strict and total["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
