#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Prints one line, 'tests: N passed, N failed, N skipped', from a Meson
build directory's test log, and exits non-zero if any test failed."""
import json
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
passed = failed = skipped = 0
with open(f"{build}/meson-logs/testlog.json", encoding="utf-8") as log:
    for line in log:
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
