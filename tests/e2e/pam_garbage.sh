#!/usr/bin/env bash
# 20 garbage, hostile or oversized messages on sshrecd's registration socket
# each get an error reply ({"ok":false,"error":...}); so does an open whose
# cgroup is gone, while a close of a session that is not open is
# acknowledged; a client that connects
# and says nothing does not hold up other logins; the daemon keeps serving
# and the next real login through pam_sshrec is registered.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
sr_start_daemon
SR_PAM_OPTS="socket=$SR_SOCK fail=closed" sr_start_sshd
CLIENT=$SR_TOP_SRCDIR/tests/e2e/pam_client.py

"$SR_PY" "$CLIENT" "$SR_SOCK" garbage >"$SR_T/garbage.out" 2>&1
sr_check_eq "20 messages sent" 20 "$(grep -c . "$SR_T/garbage.out")"
while read -r name kind rest; do
	ok=$("$SR_PY" -c 'import json,sys
try:
    r = json.loads(sys.argv[1])
    print("yes" if r.get("ok") is False and isinstance(r.get("error"), str) and r["error"] else "no")
except Exception:
    print("no")' "$rest")
	if [ "$kind" = REPLY ] && [ "$ok" = yes ]; then
		sr_pass "$name: error reply: $(cut -c1-100 <<<"$rest")"
	else
		sr_fail "$name: expected an error reply, got: $kind $(cut -c1-100 <<<"$rest")"
	fi
done <"$SR_T/garbage.out"
sr_check "the daemon survived the garbage" kill -0 "$SR_DAEMON_PID"
sr_check_eq "no session was created by garbage" 0 "$(sr_sql 'SELECT count(*) FROM sessions')"

# A well-formed open whose cgroup does not exist (what a login that gave up
# waiting leaves behind) is refused: no session that nobody would ever close.
out=$("$SR_PY" "$CLIENT" "$SR_SOCK" open 2>&1)
sr_check "open of a missing cgroup: error reply naming it ($(cut -c1-120 <<<"$out"))" \
	"$SR_PY" -c 'import json,sys
r = json.loads(sys.argv[1].split(" ", 2)[2])
sys.exit(0 if r.get("ok") is False and "sshrec-test-not-a-session" in r.get("error", "") else 1)' "$out"
sr_check_eq "no session for it" 0 "$(sr_sql "SELECT count(*) FROM sessions WHERE login = 'mallory'")"
# A close of a session that is not open (it ended before PAM closed it) is
# acknowledged: nothing is left to mark, and it is not the module's failure.
out=$("$SR_PY" "$CLIENT" "$SR_SOCK" close 2>&1)
sr_check "close of a session that is not open: ok ($(cut -c1-120 <<<"$out"))" \
	"$SR_PY" -c 'import json,sys
r = json.loads(sys.argv[1].split(" ", 2)[2])
sys.exit(0 if r.get("ok") is True else 1)' "$out"

# a silent client holding a connection must not block a real login
"$SR_PY" "$CLIENT" "$SR_SOCK" hold 8 >"$SR_T/hold.out" 2>&1 &
holder=$!
SR_PIDS+=("$holder")
for i in $(seq 1 50); do grep -q held "$SR_T/hold.out" && break; sleep 0.1; done
sid=$(sr_ssh 'echo "$SSHREC_SID"')
sr_check "a real login after the garbage is registered ('$sid')" \
	[ -n "$sid" -a "$(sr_sql "SELECT count(*) FROM sessions WHERE sid='$sid'")" = 1 ]
# Not held up: the daemon registered the login while the silent client was
# still connected, i.e. before it dropped that client for saying nothing.
# (An order in the daemon's own log, not a stopwatch.)
opened=$(grep -a -n "session $sid opened" "$SR_T/sshrecd.log" | cut -d: -f1 | head -n 1)
dropped=$(grep -a -n "dropped client pid $holder:" "$SR_T/sshrecd.log" | cut -d: -f1 | head -n 1)
opened_first() { [ -n "$opened" ] && { [ -z "$dropped" ] || [ "$opened" -lt "$dropped" ]; }; }
sr_check "the silent client did not hold it up (opened at log line ${opened:-none}, silent client dropped at ${dropped:-not yet})" \
	opened_first
sr_check "that session ends" sr_wait_ended "$sid" 20
sr_finish
