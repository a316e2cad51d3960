#!/usr/bin/env bash
# CI stage after the test suite (.ci/run), kept short (~10 min on 2 cores):
#   1. clang builds everything with -Werror and its ASan/UBSan (build/clang;
#      clang's UBSan checks more than gcc's, e.g. pointer arithmetic on NULL),
#      and the unit tests run on that build (the e2e tests ran on the gcc one);
#   2. every fuzz target runs FUZZ_SECONDS (60) on its corpus, two at a time:
#      a crash, leak or timeout fails CI and keeps the input.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh || exit 1
[ -x configure ] || autoreconf -fi || exit 1

build=${SR_CLANG_BUILD_DIR:-$top/build/clang}
mkdir -p "$build"
cd "$build" || exit 1
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ] || ! grep -q '^CC = clang' Makefile; then
	CC=clang "$top/configure" --enable-sanitizers >configure.out 2>&1 ||
		{ tail -n 30 configure.out; echo "clang: configure failed"; exit 1; }
fi
make -j"$(nproc)" all >make.out 2>&1 || { tail -n 60 make.out; echo "clang: build failed"; exit 1; }
make -j"$(nproc)" check TESTS= >make-check.out 2>&1 ||
	{ tail -n 60 make-check.out; echo "clang: building the tests failed"; exit 1; }
units=$(make -s print-unit-tests | tr '\n' ' ')
make check TESTS="$units" >unit.out 2>&1
rc=$?
grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS):' unit.out
if [ $rc != 0 ]; then
	for log in $(grep -lE '^:test-result: (FAIL|ERROR)' tests/unit/*.trs | sed 's/\.trs$/.log/'); do
		echo "===== $log ====="
		tail -n 60 "$log"
	done
	echo "clang: unit tests failed"
	exit 1
fi
echo "clang: build and $(echo "$units" | wc -w) unit tests ok"

make -j"$(nproc)" fuzz-build >fuzz-build.out 2>&1 ||
	{ tail -n 40 fuzz-build.out; echo "fuzz: build failed"; exit 1; }
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" FUZZ_JOBS="${FUZZ_JOBS:-2}"
