#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenarios 7 and 8 (issue 7), checked in SQLite and JSON lines.
#  S7 argument edge cases: 25 arguments, one argument of 8 KiB, an argv of
#     200 KiB (truncated and flagged, not dropped)
#  S8 names that are hard to record: newline, tab, invalid UTF-8 and '"' in
#     file names, terminal escapes in a command line and a program name; the
#     JSON stays valid and the CLI's output stays inert
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
W=$SC_W

# ---- S7 ------------------------------------------------------------------
args25=()
for i in $(seq 1 25); do args25+=("s7-a$i"); done
big="s7big-$(head -c 8186 /dev/zero | tr '\0' x)"
[ ${#big} = 8192 ] || sr_die "S7: test bug: big argument is ${#big} bytes"
hugefmt="s7h%05g-$(head -c 90 /dev/zero | tr '\0' y)"
mapfile -t huge < <(seq -f "$hugefmt" 1 2000)
sc_mark
sc_drive -c "/bin/echo ${args25[*]}" -c "/bin/echo $big" \
	-c "/bin/true s7-huge \$(seq -f '$hugefmt' 1 2000)" \
	-c "bash -c 'exec -a s7-spoofed /usr/bin/test s7-a0'" >/dev/null ||
	sr_fail "S7: a command failed over ssh"
if sc_take_session S7; then
	s=$SC_SID
	sc_check_integrity S7 "$s" root
	sc_check_cmd S7 "$s" 1 /bin/echo "${args25[@]}"
	sc_check_cmd S7 "$s" 1 /bin/echo "$big"
	# Teleport's argv leaves argv[0] out; argv0 keeps what exec -a put there
	sr_check_eq "S7: exec -a: the record's argv lacks argv[0], argv0 has the spoofed name" \
		'[["s7-a0"],"s7-spoofed","/usr/bin/test"]' \
		"$(jq -c --arg s "$s" 'select(.sid == $s and .event == "session.command" and
			.argv == ["s7-a0"]) | [.argv, .argv0, .path]' "$SR_JSONL")"
	sr_check_eq "S7: exec -a: SQLite keeps the whole vector" '["s7-spoofed","s7-a0"]' \
		"$(sr_sql "SELECT a.argv FROM processes p JOIN sessions s ON s.id = p.session_id
			JOIN argvs a ON a.id = p.argv JOIN paths d ON d.id = p.path
			WHERE s.sid = '$s' AND d.path = '/usr/bin/test'")"
	sr_check "S7: exec -a: sshrec timeline shows the whole vector" \
		grep -q "exec    s7-spoofed s7-a0  (cwd" <<<"$("$SR_SSHREC" --db "$SR_DB" timeline "$s" 2>&1)"
	sr_check "S7: exec -a: sshrec export --format ecs has the whole vector in process.args" \
		grep -qF '"args_count":2,"args":["s7-spoofed","s7-a0"]' \
		<<<"$("$SR_SSHREC" --db "$SR_DB" export --sid "$s" --format ecs 2>&1)"
	sr_check_eq "S7: 25 arguments not flagged truncated" false \
		"$(sc_cmd_rec "$s" "$(sc_argv_json /bin/echo "${args25[@]}")" | jq .argv_truncated)"
	sr_check_eq "S7: the 8 KiB argument is recorded whole (8192 bytes) and not flagged" "8192 false" \
		"$(sc_cmd_rec "$s" "$(sc_argv_json /bin/echo "$big")" | jq -r '"\(.argv[1] | length) \(.argv_truncated)"')"
	rec=$(sc_jl "$s" 'select(.event == "session.command" and .argv[0:2] == ["/bin/true", "s7-huge"])')
	n=$(grep -c . <<<"$rec")
	sr_check_eq "S7: the 200 KiB argv is recorded once, flagged argv_truncated" "1 true" \
		"$n $(jq .argv_truncated <<<"$rec" | head -n 1)"
	# (a 200 KiB JSON text is too long for one exec argument: pass it as a file)
	sc_argv_json /bin/true s7-huge "${huge[@]}" >"$SR_T/s7-want.json"
	# every recorded argument but the last is whole; the last may be cut short
	sr_check_eq "S7: the truncated argv is a prefix of the real one, at least 16 KiB of it" "true" \
		"$(jq --slurpfile ww "$SR_T/s7-want.json" '$ww[0] as $w | .argv as $a | ($a | length) as $n | $n >= 2 and $n < ($w | length)
			and $a[0:$n-1] == $w[0:$n-1] and ($w[$n-1] | startswith($a[$n-1]))
			and ($a | map(length + 1) | add) >= 16384' <<<"$(head -n 1 <<<"$rec")")"
	sr_check_eq "S7: the 200 KiB argv is flagged in SQLite too" "1|true" \
		"$(sr_sql "SELECT p.argv_truncated, json_extract(a.argv, '\$[1]') = 's7-huge' FROM processes p
			JOIN sessions s ON s.id = p.session_id JOIN argvs a ON a.id = p.argv
			JOIN paths d ON d.id = p.path WHERE s.sid = '$s' AND d.path = '/bin/true'" |
			sed 's/|1$/|true/')"
	pid=$(jq .process_id <<<"$rec" | head -n 1)
	sr_check_eq "S7: the 200 KiB command's exit (0) is recorded" "0" \
		"$(sc_exit_rec "$s" "${pid:-null}" | jq .exit_code)"
fi

# ---- S8 ------------------------------------------------------------------
esc=$'\e]0;s8-title\a\e[31ms8-esc\e[0m'
comm=$'s8\e[2Jcomm'
sc_mark
sc_drive -c "cd $W && touch \"\$(printf 's8-nl\\nname')\" \"\$(printf 's8-tab\\there')\" \"\$(printf 's8-bad-\\377\\376-x')\" 's8-q\"uote'" \
	-c "/bin/echo \"\$(printf '\\033]0;s8-title\\007\\033[31ms8-esc\\033[0m')\"" \
	-c "cd $W && cp /bin/true \"\$(printf 's8\\033[2Jcomm')\" && \"./\$(printf 's8\\033[2Jcomm')\" s8-run" \
	>/dev/null || sr_fail "S8: a command failed over ssh"
if sc_take_session S8; then
	s=$SC_SID
	sc_check_integrity S8 "$s" root
	sc_check_cmd S8 "$s" 1 touch $'s8-nl\nname' $'s8-tab\there' 's8-bad-\xff\xfe-x' 's8-q"uote'
	for name in $'s8-nl\nname' $'s8-tab\there' 's8-bad-\xff\xfe-x' 's8-q"uote'; do
		sc_check_open S8 "$s" "$W/$name" O_WRONLY O_CREAT
	done
	sc_check_cmd S8 "$s" 1 /bin/echo "$esc"
	rec=$(sc_cmd_rec "$s" "$(sc_argv_json "./$comm" s8-run)")
	sr_check_eq "S8: a program named with a terminal escape: program (comm) and path escaped, not dropped" \
		"$(jq -c -n --arg c "$comm" --arg p "$W/$comm" '[$c, true]')" \
		"$(jq -c --arg p "./$comm" '[.program, (.path | endswith($p[2:]))]' <<<"${rec:-null}")"
	sr_check_eq "S8: JSON has the escape as \\u001b, never a raw ESC byte" "0 1" \
		"$(grep -c $'\e' "$SR_JSONL") $(grep -c -F 's8-title\u0007\u001b[31ms8-esc' "$SR_JSONL" | sed 's/^[1-9][0-9]*$/1/')"
	sr_check_eq "S8: SQLite argv is valid JSON for every row, no record is kept as text" "0|0" \
		"$(sr_sql "SELECT (SELECT count(*) FROM argvs WHERE NOT json_valid(argv)),
			(SELECT count(*) FROM events WHERE json IS NOT NULL)")"
	if [ -x "$SR_SSHREC" ]; then
		out=$("$SR_SSHREC" --db "$SR_DB" timeline "$s" 2>&1)
		rc=$?
		sr_check_eq "S8: sshrec timeline exits 0" 0 "$rc"
		sr_check "S8: sshrec timeline shows the escaped command (s8-esc)" grep -q s8-esc <<<"$out"
		sr_check_eq "S8: sshrec timeline prints no raw control byte (ESC, BEL, CR...)" 0 \
			"$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$out")"
	else
		sr_fail "S8: the sshrec CLI is not built at $SR_SSHREC: its output is not checked"
	fi
fi

sc_check_jsonl_valid "all"
sr_finish
