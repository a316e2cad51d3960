#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The benchmarks' baseline: an optimized build of the last schema 4 tree
# (commit 6ffc7c5), so that one run measures schema 4 and schema 6 side by
# side on the same machine at the same time (it varies 2x from hour to hour).
# Made once in DIR (default $SR_BENCH_V4 or BUILDDIR/bench-v4): DIR/src is the
# tree, DIR/build its build. Prints DIR. Needs the git history.
# usage: v4_build.sh [DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
V4_COMMIT=6ffc7c5
dir=${1:-${SR_BENCH_V4:-$PWD/bench-v4}}
if [ ! -x "$dir/build/tests/bench/bench_daemon" ] || [ ! -x "$dir/build/tests/bench/gen_db" ] ||
	[ ! -x "$dir/build/sshrec" ]; then
	echo "v4_build: building $V4_COMMIT (schema 4) in $dir, once" >&2
	git -C "$top" cat-file -e "$V4_COMMIT^{commit}" 2>/dev/null ||
		{ echo "v4_build: commit $V4_COMMIT not in $top's git history" >&2; exit 1; }
	rm -rf "$dir"
	mkdir -p "$dir/src" "$dir/build"
	git -C "$top" archive "$V4_COMMIT" | tar -x -C "$dir/src"
	(cd "$dir/src" && autoreconf -fi) >"$dir/build.log" 2>&1
	(cd "$dir/build" && ../src/configure CFLAGS="-O2 -g" && make -j"$(nproc)" &&
		make tests/bench/gen_db tests/bench/bench_daemon) >>"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log" >&2; exit 1; }
fi
echo "$dir"
