#!/usr/bin/env bash
# kill -9 while the SQLite sink holds a backlog. A second writer holds the
# database lock (BEGIN EXCLUSIVE) while a session runs commands: JSON lines
# gets them, SQLite keeps them in its backlog. sshrecd is killed, the lock
# released, sshrecd started again. The backlog was kept in the ring buffer
# (sshrecd(8): the consumer position stays at SQLite's last commit, within
# half the ring), so the restarted daemon correlates those events again from
# SQLite's state: every command once in SQLite, ei gapless, and in JSON lines
# a record written twice is the very same line (same ei, same uid), never
# another record under a used ei; what SQLite holds is what JSON lines holds.
# (Before: the ring advanced after every batch, the backlog was lost for good
# and the session's next records took its ei.)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
sr_start_daemon
sr_start_sshd

# the SQLite sink in sshrecd's status: "ok=... backlog=... held=... safe=..."
sq_status() {
	"$SR_SSHREC" --socket "$SR_SOCK" status --json | jq -r '.sinks[] | select(.name == "sqlite") |
		"ok=\(.ok) backlog=\(.backlog) held=\(.ring_held_bytes) safe=\(.kill9_safe)"'
}

N=20
sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done
	for i in \$(seq 1 $N); do /bin/echo backlog-\$i >/dev/null; done; /bin/true backlog-last
	while [ ! -e $SR_T/go2 ]; do sleep 0.05; done; /bin/echo backlog-after >/dev/null" \
	>"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=$(sr_wait_sid root) || exit 99
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")

# the second writer: holds the write lock until it is killed
sr_lock_db

touch "$SR_T/go"
# JSON lines has the last command: the batch went through the sinks (SQLite
# failing: each attempt waits out its 5 s busy timeout)
for _ in $(seq 1 600); do grep -q '"backlog-last"' "$SR_JSONL" && break; sleep 0.1; done
sr_check "JSON lines got the commands while SQLite is locked" grep -q '"backlog-last"' "$SR_JSONL"
# the loop answers status only after the round that wrote them (flush, ring commit)
st=$(sq_status)
case $st in
"ok=false backlog="[1-9]*" held="[1-9]*" safe=true") sr_pass "SQLite sink failing, its backlog kept in the ring buffer ($st)" ;;
*) sr_fail "SQLite sink failing, its backlog kept in the ring buffer: got '$st'" ;;
esac
sr_check "sshrec status says the backlog's events stay in the ring buffer" sh -c \
	"'$SR_SSHREC' --socket '$SR_SOCK' status | grep -q '^sqlite: the events of its backlog stay in the ring buffer'"
sr_check_eq "backlog-last not in SQLite before the kill" 0 "$(sr_sql_commands_with "$key" backlog-last)"
sr_stop_daemon KILL
sr_unlock_db

sr_start_daemon
touch "$SR_T/go2"
wait "$ssh_pid"
sr_check "session ended after the restart" sr_wait_ended "$sid" 30
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"

for m in $(seq -f 'backlog-%g' 1 $N) backlog-last backlog-after; do
	sr_check_eq "$m recorded once in SQLite" 1 "$(sr_sql_commands_with "$key" "$m")"
	# a line written again after the kill is the same line: count distinct ones
	n=$(grep -F "\"sid\":\"$sid\"" "$SR_JSONL" | grep -F '"event":"session.command"' |
		grep -F "\"$m\"" | sort -u | wc -l)
	sr_check_eq "$m recorded once in JSON lines (distinct lines)" 1 "$n"
done
# the restarted daemon made the backlog's records again: the same lines
sr_check_eq "backlog-last written twice to JSON lines, the very same line" "2 1" \
	"$(grep -F '"backlog-last"' "$SR_JSONL" | wc -l) $(grep -F '"backlog-last"' "$SR_JSONL" | sort -u | wc -l)"
sr_check_eq "SQLite ei gapless" "$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key")" \
	"$(sr_sql "SELECT MAX(ei)+1 FROM events WHERE session_id=$key")"
sr_check_exits_stored "$key"

"$SR_SSHREC" --db "$SR_DB" export --sid "$sid" --format jsonl >"$SR_T/export.jsonl" ||
	sr_fail "sshrec export failed"
res=$("$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/jsonl_export_check.py" "$SR_JSONL" "$SR_T/export.jsonl" "$sid")
sr_check_eq "JSON lines: one record per ei and per uid, the same records as SQLite" ok "$res"
sr_finish
