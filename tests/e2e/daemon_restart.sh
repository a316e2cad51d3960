#!/usr/bin/env bash
# kill -9 the daemon while a session runs, run commands while it is down,
# restart it with the same paths: every command is recorded exactly once
# (SQLite and JSONL) and the session's ei has no gap.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
sr_start_daemon
# a recorder starved by the sessions it records loses events: it raises its
# own CPU priority and that of its autogroup (config key nice, default -15)
sr_check_eq "sshrecd runs at nice -15" -15 "$(awk '{print $19}' "/proc/$SR_DAEMON_PID/stat")"
if [ -r "/proc/$SR_DAEMON_PID/autogroup" ]; then
	sr_check_eq "its own autogroup runs at nice -15" "nice -15" \
		"$(sed 's/^.* nice/nice/' "/proc/$SR_DAEMON_PID/autogroup")"
fi
sr_start_sshd

# the session waits for the go file, then runs the marker commands
sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done; /bin/echo restart-m1 >/dev/null;
	/bin/true restart-m2; /bin/sh -c : restart-m3; sleep 1; /bin/echo restart-m4 >/dev/null" \
	>"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
sid=$(sr_wait_sid root) || exit 99
sleep 0.3
sr_stop_daemon KILL
touch "$SR_T/go" # the commands run while nobody reads the ring buffer
sleep 0.5
sr_start_daemon
wait "$ssh_pid"
sr_check "session ended after the restart" sr_wait_ended "$sid" 20

sr_check_commands_once "$sid" restart-m1 restart-m2 restart-m3 restart-m4
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
gap=$("$SR_PY" - "$SR_JSONL" "$sid" <<'PY'
import json, sys
eis = [json.loads(l)["ei"] for l in open(sys.argv[1]) if json.loads(l)["sid"] == sys.argv[2]]
print("ok" if sorted(eis) == list(range(len(eis))) and eis else "bad %s" % sorted(eis))
PY
)
sr_check_eq "JSONL ei gapless, no duplicates" ok "$gap"
n=$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key AND event='session.end'")
sr_check_eq "one session.end" 1 "$n"
sr_finish
