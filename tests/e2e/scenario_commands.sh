#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenarios 1, 2, 4, 5 (issue 7): commands, argv and file opens over a
# real login (sshd + pam_sshrec + sshrecd), checked in SQLite and JSON lines.
#  S1 find/cat/touch/tee: commands, argv, opens with the right flags
#  S2 a shell glob: argv recorded as expanded
#  S4 an uploaded script run as `bash ./s.sh` and `./s.sh` (shebang)
#  S5 a failed exec (return_code -2) and exit codes (7, SIGKILL)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
W=$SC_W

# ---- S1 ------------------------------------------------------------------
sc_mark
sc_drive -c 'find /etc -maxdepth 1' -c 'cat /etc/hostname' -c "touch $W/s1-touched" \
	-c "echo data | tee $W/s1-teed" -c "echo more | tee -a $W/s1-teed" >/dev/null ||
	sr_fail "S1: a command failed over ssh (see sshdrive's report above)"
if sc_take_session S1; then
	s=$SC_SID
	sc_check_integrity S1 "$s" root
	sc_check_cmd S1 "$s" 1 find /etc -maxdepth 1
	sc_check_cmd S1 "$s" 1 cat /etc/hostname
	sc_check_cmd S1 "$s" 1 touch "$W/s1-touched"
	sc_check_cmd S1 "$s" 1 tee "$W/s1-teed"
	sc_check_cmd S1 "$s" 1 tee -a "$W/s1-teed"
	sc_check_open S1 "$s" /etc/hostname O_RDONLY
	sc_check_open S1 "$s" "$W/s1-touched" O_WRONLY O_CREAT
	sc_check_open S1 "$s" "$W/s1-teed" O_WRONLY O_CREAT O_TRUNC
	sc_check_open S1 "$s" "$W/s1-teed" O_WRONLY O_CREAT O_APPEND
	rec=$(sc_cmd_rec "$s" "$(sc_argv_json cat /etc/hostname)")
	sr_check_eq "S1: cat's path, cwd, ids and return_code" '["/usr/bin/cat","/root",0,0,0,false]' \
		"$(jq -c '[.path, .cwd, .proc_uid, .proc_gid, .return_code, .argv_truncated]' <<<"$rec")"
	start=$(sc_jl "$s" 'select(.event == "session.start")')
	sr_check_eq "S1: session.start has the key fingerprint as user and auth" \
		"[\"$SR_KEY_FP\",\"$SR_KEY_FP\",\"ED25519\"]" \
		"$(jq -c '[.user, .auth.fingerprint, (.auth.key_type | ascii_upcase | sub("^SSH-"; ""))]' <<<"$start")"
	sr_check "S1: session.start addr.remote is 127.0.0.1:port, addr.local 127.0.0.1:$SR_PORT" \
		jq -e --arg lp "127.0.0.1:$SR_PORT" '(.["addr.remote"] | test("^127\\.0\\.0\\.1:[0-9]+$"))
			and .["addr.local"] == $lp' <<<"$start"
	sr_check_eq "S1: SQLite sessions row: login, user, key, remote, local port" \
		"root|$SR_KEY_FP|$SR_KEY_FP|127.0.0.1|$SR_PORT" \
		"$(sr_sql "SELECT login, user, key_fingerprint, remote_addr, local_port FROM sessions WHERE sid='$s'")"
fi

# ---- S2 ------------------------------------------------------------------
sc_mark
sc_drive -c 'ls /etc/*.conf' >/dev/null || sr_fail "S2: ls over ssh failed"
if sc_take_session S2; then
	s=$SC_SID
	sc_check_integrity S2 "$s" root
	want=$(printf '%s\n' /etc/*.conf | jq -R . | jq -c -s 'sort')
	[ "$(jq length <<<"$want")" -ge 2 ] || sr_die "S2: need at least 2 /etc/*.conf files on this host"
	got=$(sc_jl "$s" 'select(.event == "session.command" and .argv[0] == "ls") | .argv' | head -n 1)
	sr_check_eq "S2: ls argv (JSONL) is the expanded glob" "$want" "$(jq -c '.[1:] | sort' <<<"${got:-[]}")"
	got=$(sr_sql "SELECT a.argv FROM processes p JOIN sessions s ON s.id = p.session_id
		JOIN argvs a ON a.id = p.argv JOIN programs g ON g.id = p.program
		WHERE s.sid = '$s' AND g.name = 'ls'" | head -n 1)
	sr_check_eq "S2: ls argv (SQLite) is the expanded glob" "$want" "$(jq -c '.[1:] | sort' <<<"${got:-[]}")"
fi

# ---- S4 ------------------------------------------------------------------
cat >"$SR_T/s4.sh" <<'SCRIPT'
#!/bin/bash
/bin/echo "s4-inside-$1"
ls -d /etc/hostname
date +s4-date-%Y >/dev/null
SCRIPT
sc_mark
sr_ssh "cd $W && tee s4.sh >/dev/null && chmod +x s4.sh && bash ./s4.sh A && ./s4.sh B" <"$SR_T/s4.sh" >/dev/null ||
	sr_fail "S4: uploading or running the script over ssh failed"
if sc_take_session S4; then
	s=$SC_SID
	sc_check_integrity S4 "$s" root
	sc_check_cmd S4 "$s" 1 bash ./s4.sh A
	sc_check_cmd S4 "$s" 1 /bin/echo s4-inside-A
	sc_check_cmd S4 "$s" 1 /bin/echo s4-inside-B
	sc_check_cmd S4 "$s" 2 ls -d /etc/hostname
	sc_check_cmd S4 "$s" 2 date +s4-date-%Y
	sc_check_cmd S4 "$s" 1 tee s4.sh
	sc_check_cmd S4 "$s" 1 chmod +x s4.sh
	sc_check_open S4 "$s" "$W/s4.sh" O_WRONLY O_CREAT O_TRUNC
	shebang=$(sc_jl "$s" 'select(.event == "session.command" and .argv[-2:] == ["./s4.sh", "B"])')
	sr_check_eq "S4: ./s4.sh B (shebang) recorded once, run by /bin/bash, path ./s4.sh" \
		'1 ["/bin/bash","./s4.sh","B"] true' \
		"$(grep -c . <<<"$shebang") $(jq -c .argv <<<"$shebang" | head -n 1) $(jq '.path | endswith("s4.sh")' <<<"$shebang" | head -n 1)"
	pid_b=$(jq '.process_id' <<<"$shebang" | head -n 1)
	echo_b=$(sc_cmd_rec "$s" '["/bin/echo","s4-inside-B"]')
	sr_check_eq "S4: /bin/echo s4-inside-B's parent is the ./s4.sh B process" "$pid_b" \
		"$(jq '.parent_process_id' <<<"$echo_b")"
	sr_check_eq "S4: the same parent link in SQLite" "$pid_b" \
		"$(sr_sql "SELECT p.parent_id FROM processes p JOIN sessions s ON s.id = p.session_id
			JOIN argvs a ON a.id = p.argv WHERE s.sid = '$s'
			AND json_extract(a.argv, '\$[1]') = 's4-inside-B'")"
	bash_a=$(sc_cmd_rec "$s" '["bash","./s4.sh","A"]' | jq .process_id)
	sr_check_eq "S4: /bin/echo s4-inside-A's parent is the bash ./s4.sh A process" "$bash_a" \
		"$(sc_cmd_rec "$s" '["/bin/echo","s4-inside-A"]' | jq .parent_process_id)"
fi

# ---- S5 ------------------------------------------------------------------
sc_mark
sc_drive --ignore-status -c /nonexistent/bin -c "/bin/sh -c 'exit 7' s5-exit" \
	-c "/bin/sh -c 'kill -9 \$\$' s5-kill" >/dev/null 2>&1
if sc_take_session S5; then
	s=$SC_SID
	sc_check_integrity S5 "$s" root
	sr_check_eq "S5: failed exec of /nonexistent/bin: return_code -2 (JSONL)" "-2" \
		"$(sc_jl "$s" 'select(.event == "session.command" and .path == "/nonexistent/bin") | .return_code' | head -n 1)"
	sr_check_eq "S5: failed exec of /nonexistent/bin: return_code -2 (SQLite)" "-2" \
		"$(sr_sql "SELECT p.return_code FROM processes p JOIN sessions s ON s.id = p.session_id
			JOIN paths d ON d.id = p.path WHERE s.sid = '$s' AND d.path = '/nonexistent/bin'")"
	p7=$(sc_cmd_rec "$s" '["/bin/sh","-c","exit 7","s5-exit"]' | jq .process_id)
	sr_check_eq "S5: exit 7 recorded as exit_code 7, signal 0 (JSONL)" "[7,0]" \
		"$(sc_exit_rec "$s" "${p7:-null}" | jq -c '[.exit_code, .signal]')"
	sr_check_eq "S5: exit 7 in SQLite processes" "7|0" \
		"$(sr_sql "SELECT exit_code, signal FROM processes WHERE id = ${p7:-0}")"
	pk=$(sc_cmd_rec "$s" "$(sc_argv_json /bin/sh -c "kill -9 \$\$" s5-kill)" | jq .process_id)
	sr_check_eq "S5: SIGKILL recorded as exit_code null, signal 9 (JSONL)" "[null,9]" \
		"$(sc_exit_rec "$s" "${pk:-null}" | jq -c '[.exit_code, .signal]')"
fi

sc_check_jsonl_valid "all"
sr_finish
