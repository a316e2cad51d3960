#!/usr/bin/env bash
# Logins during a database outage survive a kill -9. A second writer holds
# the database lock; meanwhile session A logs in, runs commands and ends
# (close, session.end), session B logs in and runs commands. Their
# session.start, closing state and session.end exist only in the SQLite
# sink's backlog (the ring buffer keeps events, not registrations). sshrecd
# is killed, the lock released, sshrecd started again. Its outage journal
# (sshrecd(8)) gives the restart both sessions: SQLite then holds A and B
# as without the crash, the same records JSON lines got, and the journal is
# removed once SQLite has committed. (Before: the restarted daemon knew
# neither session key, counted every event of A and B as an orphan, and
# neither login was ever in SQLite.)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
sr_start_daemon
sr_start_sshd
JNL=$SR_DB.outage

# sid of the session.start in JSON lines whose leader ran marker $1 (waits 60 s)
jl_sid_of() {
	local sid= _
	for _ in $(seq 1 600); do
		sid=$(grep -F '"event":"session.command"' "$SR_JSONL" | grep -F "\"$1\"" |
			jq -r .sid | head -n 1)
		[ -n "$sid" ] && break
		sleep 0.1
	done
	echo "$sid"
}

sr_lock_db

sr_ssh "/bin/echo outage-a1 >/dev/null; /bin/true outage-a2" >"$SR_T/ssh_a.out" 2>&1 ||
	sr_fail "ssh A failed: $(cat "$SR_T/ssh_a.out")"
sr_ssh "/bin/echo outage-b1 >/dev/null; while [ ! -e $SR_T/go ]; do sleep 0.05; done
	/bin/echo outage-b2 >/dev/null" >"$SR_T/ssh_b.out" 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid_a=$(jl_sid_of outage-a2)
sid_b=$(jl_sid_of outage-b1)
[ -n "$sid_a" ] && [ -n "$sid_b" ] || sr_die "no JSON lines of the sessions (A '$sid_a', B '$sid_b')"
for _ in $(seq 1 300); do
	grep -F "\"sid\":\"$sid_a\"" "$SR_JSONL" | grep -qF '"event":"session.end"' && break
	sleep 0.1
done
sr_check "session A ended in JSON lines during the outage" sh -c \
	"grep -F '\"sid\":\"$sid_a\"' '$SR_JSONL' | grep -qF '\"event\":\"session.end\"'"
sr_check_eq "neither session in SQLite before the kill" 0 \
	"$(sr_sql "SELECT COUNT(*) FROM sessions WHERE sid IN ('$sid_a', '$sid_b')")"
sr_check_eq "the outage journal is root's, mode 600" "0 600" "$(stat -c '%u %a' "$JNL" 2>&1)"
start_a=$(grep -F "\"sid\":\"$sid_a\"" "$SR_JSONL" | grep -F '"event":"session.start"' | head -n 1)
end_a=$(grep -F "\"sid\":\"$sid_a\"" "$SR_JSONL" | grep -F '"event":"session.end"' | head -n 1)
start_b=$(grep -F "\"sid\":\"$sid_b\"" "$SR_JSONL" | grep -F '"event":"session.start"' | head -n 1)
sr_stop_daemon KILL
sr_unlock_db

# The records of the ring made again after the restart must be the ones JSON
# lines got: same time, same uid. sshrecd committed its ring position and
# time base at start-up, before the lock (meta); the journal has the newer
# one, of the outage. Make the database's another time base, well within
# the 1 ms a restart takes a stored one from: converted with it, and not with
# the journal's, every record would come back 300 us off (before, a restart
# that found no time base measured its own, a microsecond off now and then).
pos_row=$(sr_sql "SELECT value FROM meta WHERE key='ring_position'")
if [[ $pos_row =~ ^([0-9]+):([0-9]+):(-?[0-9]+)$ ]]; then
	sqlite3 -batch "$SR_DB" "UPDATE meta SET value =
		'${BASH_REMATCH[1]}:${BASH_REMATCH[2]}:$((BASH_REMATCH[3] + 300))'
		WHERE key = 'ring_position'" || sr_fail "cannot change the stored time base"
else
	sr_fail "no ring position and time base committed at start-up: '$pos_row'"
fi

sr_start_daemon
touch "$SR_T/go"
wait "$ssh_pid" || sr_fail "ssh B failed: $(cat "$SR_T/ssh_b.out")"
sr_check "session A ended in SQLite after the restart" sr_wait_ended "$sid_a" 30
sr_check "session B ended in SQLite after the restart" sr_wait_ended "$sid_b" 30
sr_check "the outage journal is removed once SQLite has committed" \
	sh -c "for i in \$(seq 1 50); do [ -e '$JNL' ] || exit 0; sleep 0.1; done; exit 1"
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"
sr_check "the restart read the outage journal" grep -q "outage journal .*: restored 2 session" \
	"$SR_T/sshrecd.log"
sr_check "the restart took the outage journal's time base, newer than the database's" \
	grep -q "time base of the outage journal" "$SR_T/sshrecd.log"

# the session rows are what each session.start said, the end what session.end said
for s in a b; do
	eval "sid=\$sid_$s start=\$start_$s"
	want=$(jq -r '[.login, .user, .auth.fingerprint, (.["addr.remote"] | tostring | sub(":[0-9]+$"; "")), .service,
		(.tty // ""), .cgroup_id, .audit_session_id, .pid] | join("|")' <<<"$start")
	got=$(sr_sql "SELECT login, user, key_fingerprint, remote_addr, service, IFNULL(tty, ''),
		cgroup_id, audit_session_id, leader_pid FROM sessions WHERE sid='$sid'" | tr -d '\n')
	case $want in
	root\|SHA256:*\|SHA256:*) ;;
	*) sr_fail "session $s: session.start has no login and key fingerprint: $want" ;;
	esac
	sr_check_eq "session $s: its row is its session.start" "$want" "$got"
	sr_check_eq "session $s: ended" ended "$(sr_sql "SELECT state FROM sessions WHERE sid='$sid'")"
done
# A's close came during the outage (B's may come after its end: not asked)
sr_check_eq "session A: closed by PAM during the outage, its closing time stored" 1 \
	"$(sr_sql "SELECT closing_us BETWEEN start_us AND end_us FROM sessions WHERE sid='$sid_a'")"
sr_check_eq "session A: session_stop in SQLite is the one of its session.end before the kill" \
	"$(jq -r .session_stop <<<"$end_a")" \
	"$("$SR_SSHREC" --db "$SR_DB" export --sid "$sid_a" --format jsonl | jq -r 'select(.event == "session.end") | .session_stop')"

key_a=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid_a'")
key_b=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid_b'")
for m in outage-a1 outage-a2; do
	sr_check_eq "$m recorded once in SQLite" 1 "$(sr_sql_commands_with "$key_a" "$m")"
done
for m in outage-b1 outage-b2; do
	sr_check_eq "$m recorded once in SQLite" 1 "$(sr_sql_commands_with "$key_b" "$m")"
done
for key in $key_a $key_b; do
	sr_check_eq "session $key: SQLite ei gapless from session.start" \
		"0 $(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key")" \
		"$(sr_sql "SELECT MIN(ei) || ' ' || (MAX(ei) + 1) FROM events WHERE session_id=$key")"
	sr_check_exits_stored "$key"
done

# SQLite holds exactly the records JSON lines got (a line written again after
# the kill is the very same line)
for sid in $sid_a $sid_b; do
	"$SR_SSHREC" --db "$SR_DB" export --sid "$sid" --format jsonl >"$SR_T/export.jsonl" ||
		sr_fail "sshrec export failed"
	res=$("$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/jsonl_export_check.py" "$SR_JSONL" \
		"$SR_T/export.jsonl" "$sid")
	sr_check_eq "session $sid: JSON lines and SQLite hold the same records" ok "$res"
done
sr_finish
