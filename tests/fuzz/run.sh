#!/usr/bin/env bash
# Run libFuzzer targets on their committed corpora (make fuzz).
#   run.sh SRCDIR BINDIR SECONDS JOBS NAME...
# Each target runs SECONDS (-max_total_time) with its dictionary, JOBS at a
# time, on a scratch copy of SRCDIR/corpus/NAME (new inputs go to the copy;
# commit the interesting ones with -merge=1). A crash, a leak, a timeout or
# an out-of-memory fails the run: its input and log are kept under
# $FUZZ_OUT (default: a temp dir) and the end of the log is printed.
# An input slower than 10 s (libFuzzer's slow-unit-*, written when the machine
# is busy) fails nothing: only a timeout (30 s) does.
# Prints a table: target, runs, coverage (cov/ft), corpus, result.
set -uo pipefail
src=$1 bin=$2 secs=$3 jobs=$4
shift 4
out=${FUZZ_OUT:-$(mktemp -d /tmp/sshrec-fuzz.XXXXXX)}
mkdir -p "$out"
# a fuzz target reads and writes only its scratch dirs; 2 GiB, 30 s per input
opts=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1
	-detect_leaks=1 ${FUZZ_FLAGS:-})
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# what a target left that fails the run: crash-*, leak-*, timeout-*, oom-*
found() {
	ls -A "$out/$1/crash" 2>/dev/null | grep -v '^slow-unit-'
}

one() {
	local n=$1 dict=() rc
	mkdir -p "$out/$n/corpus" "$out/$n/crash"
	[ -d "$src/corpus/$n" ] && cp -r "$src/corpus/$n/." "$out/$n/corpus/"
	[ -f "$src/$n.dict" ] && dict=(-dict="$src/$n.dict")
	nice -n "${FUZZ_NICE:-0}" "$bin/fuzz_$n" "${opts[@]}" "${dict[@]}" \
		-artifact_prefix="$out/$n/crash/" "$out/$n/corpus" >"$out/$n/log" 2>&1
	rc=$?
	echo "$rc" >"$out/$n/rc"
}

running=0
for n in "$@"; do
	[ -x "$bin/fuzz_$n" ] || { echo "fuzz: $bin/fuzz_$n is not built (make fuzz-build)"; exit 2; }
	one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

fail=0
printf '%-8s %12s %8s %8s %8s  %s\n' TARGET RUNS COV FT CORPUS RESULT
for n in "$@"; do
	rc=$(cat "$out/$n/rc" 2>/dev/null || echo 99)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$n/log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$out/$n/log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$out/$n/log" | tail -n 1 | cut -d' ' -f2)
	corp=$(find "$out/$n/corpus" -type f | wc -l)
	res=ok
	if [ "$rc" != 0 ] || [ -n "$(found "$n")" ]; then
		res="FAILED (rc $rc)"
		fail=1
	fi
	printf '%-8s %12s %8s %8s %8s  %s\n' "$n" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$res"
done
if [ "$fail" != 0 ]; then
	for n in "$@"; do
		[ "$(cat "$out/$n/rc" 2>/dev/null)" = 0 ] && [ -z "$(found "$n")" ] && continue
		echo "===== fuzz_$n: end of $out/$n/log ====="
		tail -n 60 "$out/$n/log"
		ls -l "$out/$n/crash"
	done
	echo "fuzz: FAILED; inputs and logs in $out"
	exit 1
fi
[ -z "${FUZZ_OUT:-}" ] && rm -rf "$out"
echo "fuzz: ${#@} targets, ${secs}s each, no crash"
