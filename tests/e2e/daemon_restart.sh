#!/usr/bin/env bash
# kill -9 the daemon while a session runs, run commands while it is down,
# restart it with the same paths: every command is recorded exactly once in
# SQLite, and the session's ei has no gap in SQLite nor in JSON lines.
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
# JSON lines: every ei of the session, none missing. A kill between the
# JSON-lines write and the SQLite commit may repeat that batch's lines
# (sshrecd(8), "nothing twice"): a repeat must be the very same line, so a
# consumer drops it by (sid, ei); a different record under a used ei fails.
gap=$("$SR_PY" - "$SR_JSONL" "$sid" <<'PY'
import json, sys
lines = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["sid"] == sys.argv[2]:
        lines.setdefault(r["ei"], set()).add(l)
eis = sorted(lines)
if not eis or eis != list(range(len(eis))):
    print("gap %s" % eis)
elif any(len(v) > 1 for v in lines.values()):
    bad = [e for e, v in lines.items() if len(v) > 1]
    # which fields differ, for the first one
    x, y = [json.loads(l) for l in list(lines[bad[0]])[:2]]
    diff = {k: (x.get(k), y.get(k)) for k in set(x) | set(y) if x.get(k) != y.get(k)}
    print("ei reused by another record: %s; ei %d differs in %s" % (bad, bad[0], diff))
else:
    print("ok")
PY
)
sr_check_eq "JSONL ei gapless, a repeat only as the same line" ok "$gap"
n=$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key AND kind = 1") # session.end
sr_check_eq "one session.end" 1 "$n"
sr_finish
