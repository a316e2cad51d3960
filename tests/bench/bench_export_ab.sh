#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Benchmark, not part of make check: two sshrec binaries (A, the one before a
# change, and B) exporting the same database in turns, as bench_cli.sh's
# export rows do (`sshrec export --format F ... | wc -l`, records/s), plus the
# CPU time of each export alone (-o /dev/null, user + system). Each binary's
# output must be the other's byte for byte (SHA-256 of the whole export).
# usage: bench_export_ab.sh SSHREC_A SSHREC_B DB [RUNS]
#   DB: e.g. gen_db -o DB -n 1000 -e 1000000 -b 10000 (an optimized build's)
# Prints a Markdown table; the machine is shared: compare A and B of one run.
set -euo pipefail
A=$1 B=$2 DB=$3 RUNS=${4:-5}
# one run: "records/s cpu_s" of binary $1, format $2
one() {
	local t0 t1 n cpu
	t0=$(date +%s%N)
	n=$("$1" --db "$DB" --color never export --format "$2" | wc -l)
	t1=$(date +%s%N)
	cpu=$( { /usr/bin/time -f '%U %S' "$1" --db "$DB" export --format "$2" -o /dev/null; } 2>&1 |
		awk '{ printf "%.2f", $1 + $2 }')
	awk -v n="$n" -v d=$((t1 - t0)) -v c="$cpu" 'BEGIN { printf "%.0f %s\n", n / (d / 1e9), c }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| format | A records/s | B records/s | B/A | A CPU s | B CPU s |"
echo "|---|---:|---:|---:|---:|---:|"
for f in ecs jsonl ocsf; do
	[ "$("$A" --db "$DB" export --format "$f" 2>/dev/null | sha256sum)" = \
		"$("$B" --db "$DB" export --format "$f" 2>/dev/null | sha256sum)" ] ||
		{ echo "bench_export_ab: $f output differs" >&2; exit 1; }
	ra=() rb=() ca=() cb=()
	for ((i = 0; i < RUNS; i++)); do
		read -r r c < <(one "$A" "$f")
		ra+=("$r") ca+=("$c")
		read -r r c < <(one "$B" "$f")
		rb+=("$r") cb+=("$c")
	done
	a=$(printf '%s\n' "${ra[@]}" | median) b=$(printf '%s\n' "${rb[@]}" | median)
	echo "| $f | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }') |" \
		"$(printf '%s\n' "${ca[@]}" | median) | $(printf '%s\n' "${cb[@]}" | median) |"
done
