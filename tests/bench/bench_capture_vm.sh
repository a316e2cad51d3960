#!/usr/bin/env bash
# The capture benchmark in a kernel-matrix guest (tests/vm/guest_matrix.sh,
# part "bench"): each backend of SR_BENCH_BACKENDS (default "lsm fentry
# tracepoint") forced in turn, in the same boot, with short runs. Under
# QEMU/TCG only the ratios within one run mean anything. The result files
# (capture-<kernel>-<backend>.md/.json) are printed to stdout, the guest's
# log, as each backend finishes (a guest killed by its timeout keeps what
# came before), each between "===== begin NAME =====" and
# "===== end NAME =====", because what a guest writes vanishes with it. On
# the host,
#   bench_capture_vm.sh collect DIR LOG...
# writes the files found in those logs into DIR (make bench-kernels does).
set -uo pipefail

if [ "${1:-}" = collect ]; then
	dir=$2
	shift 2
	mkdir -p "$dir" || exit 1
	n=$(awk -v dir="$dir" '
		/^===== begin [A-Za-z0-9._-]+ =====$/ { f = dir "/" $3; printf "" >f; n++; next }
		/^===== end [A-Za-z0-9._-]+ =====$/ { if (f) close(f); f = ""; next }
		f { print >>f }
		END { print n + 0 }' "$@")
	echo "bench_capture_vm: $n result files in $dir"
	[ "$n" -gt 0 ]
	exit
fi

: "${SR_TOP_SRCDIR:?}" "${SR_TOP_BUILDDIR:?}"
bin=$SR_TOP_BUILDDIR/tests/bench/bench_capture
out=$(mktemp -d)
ver=$(uname -r | cut -d. -f1-2)
note="In a QEMU/TCG guest (kernel $(uname -r), $(nproc) vCPU): emulated CPUs, so absolute numbers mean nothing; compare the costs (ratios) within this run."
# The open storms open a file on the guest's tmpfs: the guest's root is the
# host's over 9p, where every open is a round trip to QEMU that would hide
# the hooks' cost.
mkdir -p /run/sshrec-bench && echo bench >/run/sshrec-bench/file
# and the exec storms run a static program copied there: /bin/true would load
# ld.so and libc over 9p, real-time round trips that spread its baselines by
# 100s of percent
cp "$SR_TOP_BUILDDIR/tests/bench/exec_true" /run/sshrec-bench/true || exit 1
# -F: the floor, empty programs on the same open hooks, measured in the same rounds
opts=(-e "${SR_BENCH_EXECS:-100}" -o "${SR_BENCH_OPENS:-20000}" -s 2 -f /run/sshrec-bench/file
	-x /run/sshrec-bench/true
	-F "$SR_TOP_BUILDDIR/tests/bench/floor.bpf.o")
# Print the result files not printed yet: after each backend, so that a guest
# killed by its timeout in a later one keeps the earlier ones in its log.
declare -A printed=()
print_new() {
	local f
	for f in "$out"/*; do
		[ -f "$f" ] && [ -z "${printed[$f]:-}" ] || continue
		printed[$f]=1
		echo "===== begin $(basename "$f") ====="
		cat "$f"
		echo "===== end $(basename "$f") ====="
	done
}
rc=0 ran=()
for b in ${SR_BENCH_BACKENDS:-lsm fentry tracepoint}; do
	t0=$(date +%s)
	# -b forces the backend: a kernel without it fails the run, never a silent fallback
	if SR_BENCH_TAG=$ver-$b SR_BENCH_NOTE="$note" \
		sh "$SR_TOP_SRCDIR/tests/bench/bench_capture.sh" "$bin" "$out" -b "$b" "${opts[@]}" >/dev/null &&
		grep -q "^Capture backend: \*\*$b\*\*" "$out/capture-$ver-$b.md"; then
		ran+=("$b")
		echo "bench_capture -b $b: $(($(date +%s) - t0)) s"
	else
		echo "FAIL: bench_capture -b $b (or it ran on another backend)"
		rc=1
	fi
	print_new
done
[ $rc = 0 ] && echo "PASS: bench_capture ran on $(uname -r), backends: ${ran[*]}"
rm -rf "$out" /run/sshrec-bench
exit $rc
