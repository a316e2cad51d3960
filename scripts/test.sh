#!/usr/bin/env bash
# README command (b): install dependencies, build with ASan/UBSan, run the
# whole test suite (cmocka unit tests, kernel tests, end-to-end tests over a
# real sshd), and end with "N passed, N failed, N skipped".
#
# As root on a kernel with BTF nothing may skip: a skip is a failure here.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh || exit 1

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ] ||
	[ -n "$(find . -name local.mk -newer configure -print -quit)" ]; then
	autoreconf -fi || exit 1
fi

build=${SR_BUILD_DIR:-$top/build/test}
mkdir -p "$build"
cd "$build" || exit 1
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" --enable-sanitizers ${SR_CONFIGURE_FLAGS:-} >configure.out 2>&1 ||
		{ tail -n 30 configure.out; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { tail -n 60 make.out; echo "build failed"; exit 1; }

# Only this run's results count: a .trs left by an earlier run (a test since
# removed or renamed, a branch switched) would be counted below.
find . -name '*.trs' -delete
make -j"${SR_TEST_JOBS:-2}" check ${SR_TESTS:+TESTS="$SR_TESTS"}
check_rc=$?

# Collect the per-test results automake wrote (.trs files).
pass=0 fail=0 skip=0
while IFS= read -r line; do
	case $line in
	":test-result: PASS"* | ":test-result: XFAIL"*) pass=$((pass + 1)) ;;
	":test-result: SKIP"*) skip=$((skip + 1)) ;;
	":test-result: "*) fail=$((fail + 1)) ;;
	esac
done < <(find . -name '*.trs' -exec grep -h '^:test-result:' {} +)

if [ $skip -gt 0 ]; then
	echo "Skipped tests:"
	find . -name '*.trs' -exec grep -l '^:test-result: SKIP' {} + | sed 's/\.trs$/.log/;s/^/  /'
	if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
		echo "error: tests skipped although we are root with BTF: that is a failure here"
		fail=$((fail + skip))
	fi
fi
if [ $fail -gt 0 ] || [ $check_rc -ne 0 ]; then
	for log in $(find . -name '*.trs' -exec grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' {} + | sed 's/\.trs$/.log/'); do
		echo "===== $log (last 120 lines) ====="
		tail -n 120 "$log"
	done
	[ $fail -eq 0 ] && fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
