#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Benchmark of the sshrec CLI, not part of make check: this tree's sshrec on
# a schema 7 database and the schema 4 sshrec (commit 6ffc7c5, built by
# v4_build.sh) on a schema 4 database of the same sessions, in one run:
#   a synthetic DB of SR_BENCH_EVENTS events (default 10,000,000) across
#   SR_BENCH_SESSIONS sessions (default 10,000) plus one session with
#   SR_BENCH_BIGTREE processes (default 100,000), made by each tree's gen_db
#   (this one's writes through sshrecd's own record writer and sinks);
#   timeline of one session, sessions --user, search --command (rare and
#   common), tree of the big session, export --format ecs and jsonl.
# Each query: one warm-up run, then the median of 5 (page cache warm); the
# two versions take turns, query by query. Then:
#   - exactness: a 1,000,000-event database made with gen_db -j; export
#     --format jsonl must be its JSON-lines file byte for byte;
#   - the schema 4 database upgraded by sshrecd --upgrade-db (time, peak
#     disk), and its JSON-lines export must be the schema 4 sshrec's of the
#     original byte for byte (the views: tests/e2e/cli_parity.sh).
# Writes tests/bench/results/cli.md and cli.json (or $SR_BENCH_OUT.{md,json});
# the notes below the tables in cli.md are kept.
# Use an optimized build without sanitizers (make bench-cli passes it):
#   SR_TOP_BUILDDIR=<./configure CFLAGS=-O2 build> bash tests/bench/bench_cli.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SR_TOP_BUILDDIR:-$top}
SSHREC=${SR_SSHREC:-$build/sshrec}
SSHRECD=${SR_SSHRECD:-$build/sshrecd}
GEN=${SR_GEN_DB:-$build/tests/bench/gen_db}
EVENTS=${SR_BENCH_EVENTS:-10000000}
SESSIONS=${SR_BENCH_SESSIONS:-10000}
BIG=${SR_BENCH_BIGTREE:-100000}
EXACT=${SR_BENCH_EXACT_EVENTS:-1000000}
OUT=${SR_BENCH_OUT:-$top/tests/bench/results/cli}
v4=$(bash "$top/tests/bench/v4_build.sh" "${SR_BENCH_V4:-$build/bench-v4}")
dir=$(mktemp -d "${SR_BENCH_DIR:-/tmp}/sshrec-bench-cli.XXXXXX")
trap 'rm -rf "$dir"' EXIT
now_ns() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e9 }'; }
# tool of version V: 4, 6 or m (the upgraded one)
SSH4=$v4/build/sshrec GEN4=$v4/build/tests/bench/gen_db
declare -A DB=([4]=$dir/v4.db [6]=$dir/v6.db [m]=$dir/migrated.db) CLI=([4]=$SSH4 [6]=$SSHREC [m]=$SSHREC)

echo "bench-cli: generating $EVENTS events in $SESSIONS sessions + a $BIG-process session, twice" >&2
t0=$(now_ns)
"$GEN4" -o "${DB[4]}" -s "$v4/src/schema/sshrec.sql" -n "$SESSIONS" -e "$EVENTS" -b "$BIG"
gen4_s=$(secs $(($(now_ns) - t0)))
t0=$(now_ns)
"$GEN" -o "${DB[6]}" -n "$SESSIONS" -e "$EVENTS" -b "$BIG"
gen6_s=$(secs $(($(now_ns) - t0)))
q() { sqlite3 -readonly "${DB[$1]}" "$2"; }
for v in 4 6; do
	total_events[$v]=$(q $v 'SELECT count(*) FROM events')
	total_procs[$v]=$(q $v 'SELECT count(*) FROM processes')
	db_bytes[$v]=$(stat -c %s "${DB[$v]}")
done
mid_sid=$(q 6 "SELECT sid FROM sessions ORDER BY start_us LIMIT 1 OFFSET $((SESSIONS / 2))")
[ "$mid_sid" = "$(q 4 "SELECT sid FROM sessions ORDER BY start_us LIMIT 1 OFFSET $((SESSIONS / 2))")" ] ||
	{ echo "bench-cli: the two gen_db made other sessions" >&2; exit 1; }
mid_events=$(q 6 "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid = '$mid_sid'")
big_sid=$(q 6 'SELECT sid FROM sessions ORDER BY start_us DESC LIMIT 1')
big_procs=$(q 6 "SELECT count(*) FROM processes p JOIN sessions s ON s.id = p.session_id WHERE s.sid = '$big_sid'")
first=$(q 6 'SELECT min(start_us) FROM sessions')
until_us=$((first + SESSIONS / 10 * 60000000))
until=$(date -u -d "@$((until_us / 1000000))" +%Y-%m-%dT%H:%M:%SZ)
since=$(date -u -d "@$((first / 1000000))" +%Y-%m-%dT%H:%M:%SZ)

R() { local v=$1; shift; "${CLI[$v]}" --db "${DB[$v]}" --color never "$@"; }
# T [--count] V ARGS...: R timed by cputime.py: "WALL_S CPU_S LINES"
T() {
	local c=()
	[ "$1" = --count ] && { c=(--count); shift; }
	local v=$1; shift
	python3 "$top/tests/bench/cputime.py" "${c[@]}" "${CLI[$v]}" --db "${DB[$v]}" --color never "$@"
}
# median of the numbers on stdin (an odd count)
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# median_ms V ARGS...: warm-up, then 5 runs: "WALL_MS CPU_MS", each the median
median_ms() {
	local i runs=()
	R "$@" >/dev/null
	for i in 1 2 3 4 5; do runs+=("$(T "$@")"); done
	printf '%s\n' "${runs[@]}" | awk '{ print $1 * 1000 }' | median | awk '{ printf "%.1f ", $1 }'
	printf '%s\n' "${runs[@]}" | awk '{ print $2 * 1000 }' | median | awk '{ printf "%.1f\n", $1 }'
}
# rate V FORMAT: an export of the first tenth of the time range, warm-up then
# 3 runs: "RECORDS WALL_S RECORDS_PER_S RECORDS_PER_CPU_S" (medians)
rate() {
	local i n runs=()
	R "$1" export --format "$2" --since "$since" --until "$until" >/dev/null # warm-up
	for i in 1 2 3; do
		runs+=("$(T --count "$1" export --format "$2" --since "$since" --until "$until")")
	done
	n=$(echo "${runs[0]}" | awk '{ print $3 }')
	echo "$n" \
		"$(printf '%s\n' "${runs[@]}" | awk '{ print $1 }' | median | awk '{ printf "%.2f", $1 }')" \
		"$(printf '%s\n' "${runs[@]}" | awk '{ print $3 / $1 }' | median | awk '{ printf "%.0f", $1 }')" \
		"$(printf '%s\n' "${runs[@]}" | awk '{ print $3 / $2 }' | median | awk '{ printf "%.0f", $1 }')"
}
names=(timeline sessions_user search_rare search_common tree)
declare -A ARGS=([timeline]="timeline $mid_sid" [sessions_user]="sessions --user alice"
	[search_rare]="search --command sudo" [search_common]="search --command curl"
	[tree]="tree $big_sid")
declare -A MS CPU
for name in "${names[@]}"; do
	for v in 4 6; do
		echo "bench-cli: $name, schema $v" >&2
		# shellcheck disable=SC2086
		read -r MS[$name.$v] CPU[$name.$v] < <(median_ms $v ${ARGS[$name]})
	done
done
rows_rare=$(R 6 search --command sudo --json | jq length)
rows_common=$(R 6 search --command curl --json | jq length)
users=$(R 6 sessions --user alice --json | jq length)
for v in 4 6; do
	echo "bench-cli: export, schema $v" >&2
	read -r ecs_n[$v] ecs_s[$v] ecs_rate[$v] ecs_cpu[$v] < <(rate $v ecs)
	read -r jl_n[$v] jl_s[$v] jl_rate[$v] jl_cpu[$v] < <(rate $v jsonl)
done

# exactness: a database written through the sinks, exported byte for byte
echo "bench-cli: exactness on $EXACT events" >&2
"$GEN" -o "$dir/exact.db" -j "$dir/exact.jsonl" -n $((EXACT / 1000)) -e "$EXACT" -b 1000
"$SSHREC" --db "$dir/exact.db" export --format jsonl >"$dir/exact.out"
exact_records=$(wc -l <"$dir/exact.jsonl")
if cmp -s "$dir/exact.jsonl" "$dir/exact.out"; then exact=identical; else exact=DIFFERENT; fi
exact_bytes=$(stat -c %s "$dir/exact.db")
exact_jsonl_bytes=$(stat -c %s "$dir/exact.jsonl")
rm -f "$dir"/exact.*

# the schema 4 database upgraded: time, peak disk, same output
echo "bench-cli: upgrading the schema 4 database" >&2
cp "${DB[4]}" "${DB[m]}"
peak=0
"$SSHRECD" -c /dev/null --db "${DB[m]}" --upgrade-db >"$dir/up.out" 2>"$dir/up.log" &
up_pid=$!
t0=$(now_ns)
while kill -0 "$up_pid" 2>/dev/null; do
	s=$(du -sb "$dir" --exclude=v4.db --exclude=v6.db | cut -f1)
	[ "$s" -gt "$peak" ] && peak=$s
	sleep 0.2
done
wait "$up_pid"
up_s=$(secs $(($(now_ns) - t0)))
up_bytes=$(stat -c %s "${DB[m]}")
up_kept=$(q m 'SELECT count(*) FROM events WHERE json IS NOT NULL')
# The records must come back byte for byte. (The views are compared with
# the last schema 6 sshrec's by tests/e2e/cli_parity.sh: the schema 4 sshrec
# prints them as it did before later CLI changes, ECS 9.4.0 or the escaping of
# what a user controls, so comparing with it would measure those changes.)
same=0 diff_list=
if cmp -s <(R 4 export --format jsonl --since "$since" --until "$until") \
	<(R m export --format jsonl --since "$since" --until "$until"); then
	same=1
else diff_list=" export-jsonl"; fi
parity_n=1
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
bpe() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.0f", b / n }'; }

host="$(nproc) vCPU, $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
{
	echo "# sshrec CLI benchmark, schema 4 and schema 7 in one run"
	echo
	echo "Machine: $host (shared with other work: timings move from run to run). Date: $(date -u +%Y-%m-%d). Build: optimized, no sanitizers."
	echo "Databases: $SESSIONS sessions + one with $big_procs processes, made by each tree's gen_db with the same seed: schema 4 ${total_events[4]} events, ${total_procs[4]} processes, $(mib ${db_bytes[4]}) MiB ($(bpe ${db_bytes[4]} ${total_events[4]}) bytes/event, $gen4_s s); schema 7 ${total_events[6]} events, ${total_procs[6]} processes, $(mib ${db_bytes[6]}) MiB ($(bpe ${db_bytes[6]} ${total_events[6]}) bytes/event, $gen6_s s through sshrecd's sinks)."
	echo "Each query: one warm-up run, then the median of 5 (page cache warm), schema 4 and 7 taking turns; each export: a warm-up, then the median of 3."
	echo "Times are wall time, with the CPU time (user + system) of sshrec in brackets; the verdicts of \"no slower\" and of the export rate read CPU time, which other work on the shared machine moves far less than wall time."
	echo
	echo "| measurement | schema 4 | schema 7 | target | verdict |"
	echo "|---|---:|---:|---|---|"
	v() { awk -v a="$1" -v b="$2" -v dir="$3" 'BEGIN { ok = dir == "le" ? a <= b : a >= b; print ok ? "met" : "**missed**" }'; }
	ms() { echo "${MS[$1]} ms (${CPU[$1]})"; }
	echo "| timeline of one session ($mid_events records) | $(ms timeline.4) | $(ms timeline.6) | ≤ 50 ms | $(v "${MS[timeline.6]}" 50 le) |"
	echo "| sessions --user alice ($users sessions) | $(ms sessions_user.4) | $(ms sessions_user.6) | ≤ 50 ms | $(v "${MS[sessions_user.6]}" 50 le) |"
	echo "| search --command sudo ($rows_rare hits) | $(ms search_rare.4) | $(ms search_rare.6) | no slower than schema 4 | $(v "${CPU[search_rare.6]}" "${CPU[search_rare.4]}" le) |"
	echo "| search --command curl ($rows_common hits, stress) | $(ms search_common.4) | $(ms search_common.6) | - | - |"
	echo "| tree of a session with $big_procs processes | $(ms tree.4) | $(ms tree.6) | no slower than schema 4 | $(v "${CPU[tree.6]}" "${CPU[tree.4]}" le) |"
	echo "| export --format ecs (records/s; per CPU-s in brackets) | ${ecs_rate[4]} (${ecs_cpu[4]}; ${ecs_n[4]} in ${ecs_s[4]} s) | ${ecs_rate[6]} (${ecs_cpu[6]}; ${ecs_n[6]} in ${ecs_s[6]} s) | ≥ 190,000/s | $(v "${ecs_cpu[6]}" 190000 ge) |"
	echo "| export --format jsonl (records/s; per CPU-s in brackets) | ${jl_rate[4]} (${jl_cpu[4]}; ${jl_n[4]} in ${jl_s[4]} s) | ${jl_rate[6]} (${jl_cpu[6]}; ${jl_n[6]} in ${jl_s[6]} s) | - | - |"
	echo
	echo "| check | result |"
	echo "|---|---|"
	echo "| export --format jsonl of a $EXACT-event database made through sshrecd's sinks vs. their JSON-lines file ($exact_records records) | $exact |"
	echo "| that database | $(mib $exact_bytes) MiB, $(bpe $exact_bytes $EXACT) bytes/event (its JSON lines: $(bpe $exact_jsonl_bytes $EXACT) bytes/event) |"
	echo "| sshrecd --upgrade-db of the schema 4 database | $up_s s, peak disk $(mib $peak) MiB beside the original's $(mib ${db_bytes[4]}) MiB, result $(mib $up_bytes) MiB, $up_kept records kept as text (gen_db's schema 4 JSON, see STORAGE.md) |"
	echo "| export --format jsonl of the upgraded database vs. the schema 4 sshrec's of the original | $([ "$same" = 1 ] && echo identical || echo "DIFFERENT${diff_list}") |"
	echo
	echo "Command: \`make bench-cli\` (or \`SR_TOP_BUILDDIR=<optimized build> bash tests/bench/bench_cli.sh\`). The export rows count the lines in tests/bench/cputime.py, which reads the pipe; its CPU time is not sshrec's."
} >"$dir/table.md"
notes=""
[ -f "$OUT.md" ] && notes=$(awk '/^## Notes/ { on = 1 } on' "$OUT.md")
{ cat "$dir/table.md"; [ -n "$notes" ] && printf '\n%s\n' "$notes"; } >"$OUT.md"
cat >"$OUT.json" <<JSON
{"host": "$host", "sessions": $SESSIONS, "big_tree_processes": $big_procs,
 "schema_4": {"events": ${total_events[4]}, "processes": ${total_procs[4]}, "db_bytes": ${db_bytes[4]},
   "db_bytes_per_event": $(bpe ${db_bytes[4]} ${total_events[4]}), "generate_s": $gen4_s,
   "timeline_ms": ${MS[timeline.4]}, "sessions_user_ms": ${MS[sessions_user.4]},
   "search_command_rare_ms": ${MS[search_rare.4]}, "search_command_common_ms": ${MS[search_common.4]},
   "tree_big_ms": ${MS[tree.4]}, "export_ecs_per_s": ${ecs_rate[4]}, "export_jsonl_per_s": ${jl_rate[4]},
   "cpu_ms": {"timeline": ${CPU[timeline.4]}, "sessions_user": ${CPU[sessions_user.4]}, "search_command_rare": ${CPU[search_rare.4]},
     "search_command_common": ${CPU[search_common.4]}, "tree_big": ${CPU[tree.4]}},
   "export_ecs_per_cpu_s": ${ecs_cpu[4]}, "export_jsonl_per_cpu_s": ${jl_cpu[4]}},
 "schema_7": {"events": ${total_events[6]}, "processes": ${total_procs[6]}, "db_bytes": ${db_bytes[6]},
   "db_bytes_per_event": $(bpe ${db_bytes[6]} ${total_events[6]}), "generate_s": $gen6_s,
   "timeline_ms": ${MS[timeline.6]}, "sessions_user_ms": ${MS[sessions_user.6]},
   "search_command_rare_ms": ${MS[search_rare.6]}, "search_command_common_ms": ${MS[search_common.6]},
   "tree_big_ms": ${MS[tree.6]}, "export_ecs_per_s": ${ecs_rate[6]}, "export_jsonl_per_s": ${jl_rate[6]},
   "cpu_ms": {"timeline": ${CPU[timeline.6]}, "sessions_user": ${CPU[sessions_user.6]}, "search_command_rare": ${CPU[search_rare.6]},
     "search_command_common": ${CPU[search_common.6]}, "tree_big": ${CPU[tree.6]}},
   "export_ecs_per_cpu_s": ${ecs_cpu[6]}, "export_jsonl_per_cpu_s": ${jl_cpu[6]}},
 "timeline_records": $mid_events, "search_rare_rows": $rows_rare, "search_common_rows": $rows_common,
 "exact": {"events": $EXACT, "records": $exact_records, "export_jsonl": "$exact", "db_bytes": $exact_bytes,
   "jsonl_bytes": $exact_jsonl_bytes},
 "upgrade": {"seconds": $up_s, "peak_extra_bytes": $peak, "before_bytes": ${db_bytes[4]}, "after_bytes": $up_bytes,
   "kept_as_text": $up_kept, "same_output": $same, "compared": $parity_n}}
JSON
cat "$OUT.md"
[ "$exact" = identical ] && [ "$same" = "$parity_n" ]
