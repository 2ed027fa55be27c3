#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""`uiommufd bench --quick --json` runs every suite to the end and reports
well-formed figures: one JSON object per suite, the figures each suite is
documented to report (bench/README.md), every value a finite positive
number. No value is judged: speed is for the benchmarks, not for tests."""
import json
import math
import subprocess
import sys

# A few figures per suite that must be there; the suites report more.
REQUIRED = {
    "iopt": ["baseline.syscall_ns", "map_4k.d1.map_ns",
             "map_4k_seen.d1.map_ns", "areas_1m.map_ns",
             "areas_1m.map_auto_ns", "areas_1m.unmap_each_ns",
             "areas_1m.unmap_spread_ns", "areas.unmap_each_1m_over_64k",
             "areas.map_1m_over_64k", "access_rw_64k.gib_s"],
    "pt": [],
    "dma": ["dma.copy_64k_ratio"],
    "viommu": ["nested.translate_hit_ns", "nested.translate_fullmiss_ns",
               "nested.copy_64k_ratio", "inval.vcmdq_cmds_s",
               "inval.trapped_cmds_s", "inval.vcmdq_over_trapped"],
}
# Reported only where a KVM guest can run; then all together.
KVM = ["baseline.kvm_exit_ns", "inval.trapped_kvm_cmds_s",
       "inval.vcmdq_over_trapped_kvm"]


def fail(msg):
    print("check-bench: " + msg)
    sys.exit(1)


def main():
    tool = sys.argv[1]
    out = subprocess.run([tool, "bench", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600)
    sys.stderr.write(out.stderr)
    if out.returncode != 0:
        fail("exit status %d" % out.returncode)
    seen = {}
    for line in out.stdout.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail("not one JSON object per line: %s: %r" % (e, line[:80]))
        seen[obj["suite"]] = obj["figures"]
    if sorted(seen) != sorted(REQUIRED):
        fail("suites %s, expected %s" % (sorted(seen), sorted(REQUIRED)))
    for suite, figures in seen.items():
        if not figures:
            fail("suite %s reported nothing" % suite)
        for name in REQUIRED[suite]:
            if name not in figures:
                fail("suite %s lacks %s" % (suite, name))
        for name, fig in figures.items():
            v = fig["value"]
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                fail("%s.%s is not a number: %r" % (suite, name, v))
            # copy_1g.ms may round to 0: sharing pages is nearly free.
            if v < 0 or (v == 0 and not name.endswith(".ms")):
                fail("%s.%s is not positive: %r" % (suite, name, v))
            if not fig.get("unit"):
                fail("%s.%s has no unit" % (suite, name))
    kvm = [n for n in KVM if n in seen["viommu"]]
    if kvm and len(kvm) != len(KVM):
        fail("some KVM figures but not all: %s" % kvm)
    if not kvm and "no KVM guest here" not in out.stderr:
        fail("no KVM figures and no note saying why")
    print("check-bench: %d suites, %d figures%s" %
          (len(seen), sum(len(f) for f in seen.values()),
           "" if kvm else " (no KVM here)"))


if __name__ == "__main__":
    main()
