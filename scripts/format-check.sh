#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fails if any C file of the tree (tracked, or new and not ignored) is not
# formatted as .clang-format says.
set -eu
bad=0
for f in $(git ls-files --cached --others --exclude-standard '*.c' '*.h'); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "format: all files formatted"
exit "$bad"
