#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenarios 9, 10, 11 (issue 7), checked in SQLite and JSON lines.
#  S9  `nohup sleep 5 &` and log out: the session stays open, the sleep's
#      exit is recorded, then the session ends
#  S10 setsid, a double fork and a daemon (fork, setsid, fork, chdir /,
#      fds to /dev/null, exec after logout): still attributed
#  S11 a process writes its pid into another cgroup's cgroup.procs: still
#      recorded, plus a session.escape record
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
W=$SC_W

# ---- S9 ------------------------------------------------------------------
sc_mark
sr_ssh 'nohup /bin/sleep 5 >/dev/null 2>&1 </dev/null & /bin/echo s9-started' >/dev/null ||
	sr_fail "S9: ssh failed"
t_logout=$(date +%s%N)
s=$(sc_new_sids)
if [ "$(grep -c . <<<"$s")" != 1 ]; then
	sr_fail "S9: expected 1 new session, found: $s"
else
	st=
	for i in $(seq 1 40); do
		st=$(sr_sql "SELECT state FROM sessions WHERE sid = '$s'")
		[ "$st" = closing ] && break
		sleep 0.1
	done
	# polled for up to 4 s: the sleep still runs, the session must not be ended
	sr_check_eq "S9: after logout the session is 'closing' while the sleep runs" closing "$st"
	sr_check_eq "S9: no session.end while the sleep runs" 0 \
		"$(sc_jl "$s" 'select(.event == "session.end") | .ei' | wc -l)"
	if sc_wait_end S9 "$s" 30; then
		sc_check_integrity S9 "$s" root
		sc_check_cmd S9 "$s" 1 /bin/sleep 5
		p=$(sc_cmd_rec "$s" '["/bin/sleep","5"]' | jq .process_id)
		ex=$(sc_exit_rec "$s" "${p:-null}")
		sr_check_eq "S9: the sleep's exit is recorded: exit_code 0, about 5 s long" "[0,0,true]" \
			"$(jq -c '[.exit_code, .signal, (.duration_ms >= 4500 and .duration_ms < 15000)]' <<<"${ex:-null}")"
		sr_check_eq "S9: the session ended after the sleep's exit" true \
			"$(jq -n --argjson x "${ex:-null}" --argjson e "$(sc_jl "$s" 'select(.event == "session.end")')" \
				'$x != null and $e.session_stop >= $x.time and $e.ei > $x.ei')"
		sr_check_eq "S9: SQLite: session ended after logout + the sleep, process row has its exit" "1|1|0" \
			"$(sr_sql "SELECT s.end_us >= p.end_us, s.closing_us < p.end_us, p.exit_code
				FROM sessions s JOIN processes p ON p.session_id = s.id
				WHERE s.sid = '$s' AND p.id = ${p:-0}")"
		sr_check "S9: session end is at least 4 s after logout" \
			[ $(( $(sr_sql "SELECT end_us FROM sessions WHERE sid = '$s'") * 1000 - t_logout )) -gt 4000000000 ]
	fi
fi

# ---- S10 -----------------------------------------------------------------
cat >"$W/s10d.py" <<'PY'
import os, time
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
os.chdir("/")
fd = os.open("/dev/null", os.O_RDWR)
for i in (0, 1, 2):
    os.dup2(fd, i)
time.sleep(1.5)
os.execv("/bin/echo", ["/bin/echo", "s10-daemon"])
PY
sc_mark
sc_drive -c 'setsid /bin/echo s10-setsid' \
	-c "sh -c '( sh -c \"/bin/echo s10-dfork\" & ) &' ; sleep 0.3" \
	-c "setsid -f /bin/sh -c 'sleep 1; /bin/echo s10-setsid-f' >/dev/null 2>&1 </dev/null" \
	-c "/usr/bin/python3 $W/s10d.py" >/dev/null || sr_fail "S10: a command failed over ssh"
if sc_take_session S10 30; then
	s=$SC_SID
	sc_check_integrity S10 "$s" root
	sc_check_cmd S10 "$s" 1 /bin/echo s10-setsid
	sc_check_cmd S10 "$s" 1 /bin/echo s10-dfork
	sc_check_cmd S10 "$s" 1 /bin/echo s10-setsid-f
	sc_check_cmd S10 "$s" 1 /bin/echo s10-daemon
	d=$(sc_cmd_rec "$s" '["/bin/echo","s10-daemon"]')
	sr_check_eq "S10: the daemon's exec ran in / and its lineage leads to python3" '["/",true]' \
		"$(jq -c --argjson py "$(sc_cmd_rec "$s" "$(sc_argv_json /usr/bin/python3 "$W/s10d.py")" | jq .process_id)" \
			'[.cwd, (.parent_process_id == $py)]' <<<"${d:-null}")"
	aud=$(sc_jl "$s" 'select(.event == "session.start") | .audit_session_id')
	sr_check_eq "S10: every record carries the session's audit session id" "" \
		"$(sc_jl "$s" 'select(.audit_session_id != $a) | [.ei, .event, .audit_session_id]' --argjson a "${aud:-0}")"
	sr_check "S10: the audit session id is set (not 4294967295)" \
		test -n "$aud" -a "$aud" != 4294967295
fi

# ---- S11 -----------------------------------------------------------------
cg2=$(sr_cgroup2)
[ -n "$cg2" ] || sr_die "S11: no cgroup2 mount in /proc/self/mountinfo"
CG=$cg2/sr-e2e-escape-$SC_TAG
mkdir "$CG" || sr_die "S11: cannot create $CG"
SR_CLEANUP_HOOKS+=("rmdir '$CG' 2>/dev/null")
cgid=$(stat -c %i "$CG")
sc_mark
sc_drive -c "sh -c 'echo \$\$ > $CG/cgroup.procs && exec /bin/echo s11-escaped'" \
	-c "sh -c 'echo \$\$ > $CG/cgroup.procs && /bin/echo s11-child && touch $W/s11-file'" \
	-c '/bin/echo s11-still-home' >/dev/null || sr_fail "S11: a command failed over ssh"
if sc_take_session S11; then
	s=$SC_SID
	sc_check_integrity S11 "$s" root
	sc_check_cmd S11 "$s" 1 /bin/echo s11-escaped
	sc_check_cmd S11 "$s" 1 /bin/echo s11-child
	sc_check_cmd S11 "$s" 1 /bin/echo s11-still-home
	sc_check_open S11 "$s" "$W/s11-file" O_WRONLY O_CREAT
	esc=$(sc_jl "$s" 'select(.event == "session.escape" and .to_cgroup_id == $c)' --argjson c "$cgid")
	sr_check_eq "S11: two session.escape records to $CG (id $cgid)" 2 "$(grep -c . <<<"$esc")"
	sr_check_eq "S11: the escape names the cgroup path and the session cgroup it left" "true" \
		"$(jq -s --arg p "${CG#"$cg2"}" --argjson from "$(sc_jl "$s" 'select(.event == "session.start") | .cgroup_id')" \
			'length > 0 and all(.[]; (.to_cgroup_path | endswith($p)) and .from_cgroup_id == $from)' <<<"$esc")"
	sr_check_eq "S11: the escaped exec carries the new cgroup id" "$cgid" \
		"$(sc_cmd_rec "$s" '["/bin/echo","s11-escaped"]' | jq .cgroup_id)"
	sr_check_eq "S11: SQLite counts the escapes (n_escape)" 2 \
		"$(sr_sql "SELECT n_escape FROM sessions WHERE sid = '$s'")"
fi

sc_check_jsonl_valid "all"
sr_finish
