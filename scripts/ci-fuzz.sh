#!/usr/bin/env bash
# CI stage after the test suite (.ci/run). CI as a whole must fit 45 minutes,
# so this stage is budgeted at ~5-6 minutes wall on 2 cores:
#   1. clang builds everything with -Werror and its ASan/UBSan (build/clang;
#      clang's UBSan checks more than gcc's, e.g. pointer arithmetic on NULL):
#      ~85 CPU-s with configure;
#   2. the unit tests run on that build (the e2e tests ran on the gcc one):
#      ~5 CPU-s;
#   3. the fuzz targets are built (~35 CPU-s) and each runs FUZZ_SECONDS (60,
#      as issue #11 asks of CI) on its committed corpus, two at a time
#      (7 targets: ~4 minutes): a crash, leak,
#      timeout or out-of-memory fails CI and keeps the input. This is a
#      regression check (every corpus input, regressions included, is
#      replayed first) plus a short search; the long searches are FUZZING.md's.
# Prints how long each step and the whole stage took.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
t0=$SECONDS
step=$SECONDS
took() { # what: prints the step's and the stage's time so far
	echo "ci-fuzz: $1 in $((SECONDS - step)) s (stage so far $((SECONDS - t0)) s)"
	step=$SECONDS
}
scripts/deps.sh || exit 1
[ -x configure ] || autoreconf -fi || exit 1

build=${SR_CLANG_BUILD_DIR:-$top/build/clang}
mkdir -p "$build"
cd "$build" || exit 1
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ] || ! grep -q '^CC = clang' Makefile; then
	CC=clang "$top/configure" --enable-sanitizers >configure.out 2>&1 ||
		{ tail -n 30 configure.out; echo "clang: configure failed"; exit 1; }
fi
# "make check TESTS=" builds all, the generated sources and every test program
# without running anything.
make -j"$(nproc)" check TESTS= >make.out 2>&1 ||
	{ tail -n 60 make.out; echo "clang: build failed"; exit 1; }
took "clang build (all and the test programs)"

# The unit tests only, through automake's harness (the test-suite.log rule
# fails when one fails), without check's rebuild of everything.
units=$(make -s print-unit-tests | tr '\n' ' ')
logs=$(for u in $units; do printf '%s.log ' "$u"; done)
rm -f $logs ${logs//.log/.trs} test-suite.log
make -j"$(nproc)" test-suite.log TEST_LOGS="$logs" >unit.out 2>&1
rc=$?
grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS):' unit.out
# nothing may skip here either
if [ $rc != 0 ] || grep -qE '^(FAIL|ERROR|SKIP|XPASS):' unit.out; then
	for u in $units; do
		grep -qE '^:test-result: (FAIL|ERROR|SKIP|XPASS)' "$u.trs" 2>/dev/null || continue
		echo "===== $u.log ====="
		tail -n 60 "$u.log"
	done
	tail -n 20 unit.out
	echo "clang: unit tests failed"
	exit 1
fi
took "$(echo "$units" | wc -w) unit tests on the clang build"

make -j"$(nproc)" fuzz-build >fuzz-build.out 2>&1 ||
	{ tail -n 40 fuzz-build.out; echo "fuzz: build failed"; exit 1; }
took "fuzz targets built"
make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" FUZZ_JOBS="${FUZZ_JOBS:-2}"
rc=$?
took "fuzz targets run"
echo "ci-fuzz: stage took $((SECONDS - t0)) s"
exit $rc
