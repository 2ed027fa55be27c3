#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks that the uiommufd(1) man page and the tool agree.

The tool's --help texts are the truth (the man page is fixed to match the
code, not the other way round). Checked:
  - every command and every --option that `uiommufd --help`,
    `uiommufd run --help` and `uiommufd bench --help` print appears in the
    man page, and every --option the man page names is one the tool knows;
  - the usage lines of `run --help` and of `bench` appear in the man page
    as they are printed (after roff is reduced to text);
  - every UIOMMUFD_* variable the sources read with getenv(), and every one
    the help texts name, is in the ENVIRONMENT section;
  - every benchmark suite in bench/suites.c is described.

Needs no man, groff or mandoc: the few man(7) macros the page uses are
reduced to plain text here.

usage: check-help.py UIOMMUFD_TOOL MAN_PAGE SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

# Options the tool accepts but its help texts do not print.
UNPRINTED_OPTIONS = {"--help", "--"}

# Macros whose arguments are printed joined, in alternating fonts.
ALTERNATING = {"BI", "BR", "IB", "IR", "RB", "RI"}
# Macros whose arguments are printed separated by spaces.
SPACED = {"B", "I", "SS", "TP", "IP", "SM", "SB"}


def roff_escapes(text):
    """Reduces the inline roff escapes the page uses to plain text."""
    text = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", text)
    text = text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    text = text.replace("\\(dq", '"').replace("\\(em", "-")
    text = text.replace("\\(en", "-")
    return text


def macro_args(text):
    """Splits a macro's arguments as roff does: on blanks, "quoted" kept."""
    return [a if a[:1] != '"' else a[1:-1]
            for a in re.findall(r'"[^"]*"|\S+', text)]


def roff_to_text(source):
    """Returns the page as text, one output line per input line; a section
    heading becomes a line "@@SH NAME"."""
    lines = []
    for line in source.splitlines():
        if line.startswith(".\\\"") or line.startswith("'\\\""):
            continue
        if line.startswith("."):
            parts = line[1:].split(None, 1)
            if not parts:
                continue
            macro = parts[0]
            args = macro_args(parts[1]) if len(parts) > 1 else []
            if macro == "SH":
                lines.append("@@SH " + roff_escapes(" ".join(args)))
            elif macro in ALTERNATING:
                lines.append(roff_escapes("".join(args)))
            elif macro in SPACED:
                lines.append(roff_escapes(" ".join(args)))
            # Other requests (.PP, .RS, .nf, .TH ...) print nothing.
            continue
        lines.append(roff_escapes(line))
    return "\n".join(lines)


def squash(text):
    return " ".join(text.split())


def section(text, name):
    """The text of section NAME (a .SH heading), up to the next one."""
    m = re.search(r"^@@SH " + re.escape(name) + r"$(.*?)(?=^@@SH |\Z)",
                  text, re.M | re.S)
    return m.group(1) if m else ""


def run_help(tool, args):
    """Runs the tool; returns (exit status, stdout + stderr)."""
    proc = subprocess.run([tool] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=20,
                          universal_newlines=True)
    return proc.returncode, proc.stdout


def options_in(text):
    """--options in TEXT, without their =VALUE parts."""
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tool, page_path, root = sys.argv[1:]
    with open(page_path, encoding="utf-8") as f:
        page = roff_to_text(f.read())
    flat = squash(page)
    errors = []

    def need(what, where, why):
        if squash(what) not in where:
            errors.append("man page lacks %r (%s)" % (what, why))

    # uiommufd --help: the command list.
    rc, top = run_help(tool, ["--help"])
    if rc != 0:
        errors.append("uiommufd --help exited %d" % rc)
    commands = re.findall(r"^  ([a-z]+)\b", top, re.M)
    if not commands:
        errors.append("uiommufd --help lists no commands:\n" + top)
    for cmd in commands:
        need("uiommufd " + cmd, flat, "a command in uiommufd --help")
    printed = options_in(top)

    # uiommufd run --help: its usage line verbatim, its options, its
    # environment variables.
    rc, run = run_help(tool, ["run", "--help"])
    if rc != 0:
        errors.append("uiommufd run --help exited %d" % rc)
    m = re.search(r"^usage: (uiommufd run .*)$", run, re.M)
    if m:
        need(m.group(1), flat, "the usage line of run --help")
    else:
        errors.append("uiommufd run --help prints no usage line:\n" + run)
    for opt in re.findall(r"^\s+(--\S+)", run, re.M):
        need(opt, flat, "an option in run --help")
    printed |= options_in(run)
    env_names = set(re.findall(r"\bUIOMMUFD_[A-Z_]+\b", run + top))

    # uiommufd bench --help: the tool may not implement it; the bench
    # line of uiommufd --help then stands for it.
    rc, bench = run_help(tool, ["bench", "--help"])
    if rc == 0:
        printed |= options_in(bench)
        for opt in options_in(bench):
            need(opt, flat, "an option in bench --help")
    else:
        print("note: `uiommufd bench --help` exited %d (%s); using the "
              "bench line of `uiommufd --help`" % (rc, bench.strip()))
    m = re.search(r"^  (bench .*)$", top, re.M)
    if m:
        need("uiommufd " + m.group(1).strip(), flat,
             "the bench line of uiommufd --help")
    for opt in options_in(top):
        need(opt, flat, "an option in uiommufd --help")

    # Every --option the page names must exist.
    for opt in sorted(options_in(page) - printed - UNPRINTED_OPTIONS):
        # Options of other programs quoted in examples.
        if re.search(r"(gcc|my-vmm|my-test)[^\n]*" + re.escape(opt), page):
            continue
        errors.append("man page names %s, which no --help prints" % opt)

    # Environment: what the sources read and what the help texts name.
    for top_dir in ("src", "tools", "bench"):
        for dirpath, _, files in os.walk(os.path.join(root, top_dir)):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                with open(os.path.join(dirpath, name),
                          encoding="utf-8") as f:
                    env_names |= set(re.findall(
                        r"getenv\(\s*\"(UIOMMUFD_[A-Z_]+)\"", f.read()))
    env = section(page, "ENVIRONMENT")
    for name in sorted(env_names):
        if not re.search(r"^" + name + r"$", env, re.M):
            errors.append("ENVIRONMENT does not describe %s" % name)

    # Benchmark suites.
    with open(os.path.join(root, "bench", "suites.c"), encoding="utf-8") as f:
        suites = re.findall(r"&bench_suite_(\w+)", f.read())
    if not suites:
        errors.append("no suites found in bench/suites.c")
    bench_text = section(page, "COMMANDS")
    for suite in suites:
        if not re.search(r"^" + suite + r"$", bench_text, re.M):
            errors.append("bench suite %s is not described" % suite)

    for e in errors:
        print("FAIL: " + e)
    if errors:
        return 1
    print("man page agrees with the tool: %d commands, options %s, "
          "environment %s, suites %s" % (len(commands),
                                         " ".join(sorted(printed)),
                                         " ".join(sorted(env_names)),
                                         " ".join(suites)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
