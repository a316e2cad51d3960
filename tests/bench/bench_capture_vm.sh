#!/usr/bin/env bash
# The capture benchmark in a kernel-matrix guest (tests/vm/guest_matrix.sh,
# part "bench"): the best backend the kernel has, then the tracepoint backend
# for comparison, with short runs. Under QEMU/TCG only the ratios mean
# anything. The tables go to stdout (the guest's log); SR_BENCH_OUT, when
# set, names a directory to copy them to (tests/bench/results/ by hand).
set -uo pipefail
: "${SR_TOP_SRCDIR:?}" "${SR_TOP_BUILDDIR:?}"
bin=$SR_TOP_BUILDDIR/tests/bench/bench_capture
out=$(mktemp -d)
note="In a QEMU/TCG guest (kernel $(uname -r)): emulated CPUs, so absolute numbers mean nothing; compare the costs (ratios) within this run."
opts=(-e "${SR_BENCH_EXECS:-20}" -o "${SR_BENCH_OPENS:-20000}" -s 2)
rc=0
for b in auto tracepoint; do
	SR_BENCH_TAG=$(uname -r | cut -d. -f1-2)-$b SR_BENCH_NOTE="$note" \
		sh "$SR_TOP_SRCDIR/tests/bench/bench_capture.sh" "$bin" "$out" -b "$b" "${opts[@]}" >/dev/null ||
		{ echo "FAIL: bench_capture -b $b"; rc=1; continue; }
done
for f in "$out"/*.md; do
	echo "----- $(basename "$f") -----"
	cat "$f"
done
[ -n "${SR_BENCH_OUT:-}" ] && cp "$out"/* "$SR_BENCH_OUT"/
[ $rc = 0 ] && echo "PASS: bench_capture ran on $(uname -r) (auto and tracepoint backends)"
rm -rf "$out"
exit $rc
