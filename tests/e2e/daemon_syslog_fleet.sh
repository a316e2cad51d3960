#!/usr/bin/env bash
# The fleet path: syslog = tcp://127.0.0.1:PORT to a real rsyslog (its own
# config, pid file and work directory; never the system's) that writes each
# message to a file. rsyslog is stopped while a session runs and started
# again: every record of the session reaches the file exactly once, and the
# daemon says what it did meanwhile.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
command -v rsyslogd >/dev/null || sr_die "rsyslogd missing (apt-get install rsyslog)"
RS=$SR_T/rsyslog
mkdir -p "$RS/work"
RPORT=$(sr_free_port)
{
	# records carry up to 32 KiB of argv: rsyslog's default 8 KiB would split them
	echo "global(workDirectory=\"$RS/work\" maxMessageSize=\"256k\")"
	echo 'module(load="imtcp")'
	echo "input(type=\"imtcp\" port=\"$RPORT\" address=\"127.0.0.1\")"
	echo 'template(name="msgonly" type="string" string="%msg%\n")'
	echo "*.* action(type=\"omfile\" file=\"$RS/out.log\" template=\"msgonly\")"
} >"$RS/rsyslog.conf"
rs_start() {
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/rsyslog.pid" >>"$RS/rsyslog.err" 2>&1 &
	RS_PID=$!
	SR_PIDS+=("$RS_PID")
	local i
	for i in $(seq 1 100); do
		ss -Hltn "sport = :$RPORT" | grep -q . && return 0
		sleep 0.05
	done
	sr_die "rsyslogd did not listen on 127.0.0.1:$RPORT: $(tail -n 5 "$RS/rsyslog.err")"
}
rs_stop() {
	kill -TERM "$RS_PID"
	wait "$RS_PID" 2>/dev/null
}
# records of SID in rsyslog's file, as "ei event" lines (a line that is no
# record shows as "bad LINE")
rs_records() {
	"$SR_PY" - "$RS/out.log" "$1" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
except FileNotFoundError:
    lines = []
for l in lines:
    try:
        r = json.loads(l)
    except ValueError:
        print("bad", l[:80])
        continue
    if r.get("sid") == sys.argv[2]:
        print(r["ei"], r["event"])
PY
}

rs_start
printf 'syslog = tcp://127.0.0.1:%s\n' "$RPORT" >>"$SR_CONF"
sr_start_daemon
sr_start_sshd

sr_ssh "for i in 1 2 3 4 5; do /bin/echo fleet-a-\$i >/dev/null; done
	while [ ! -e $SR_T/go ]; do sleep 0.05; done
	for i in 1 2 3 4 5; do /bin/echo fleet-b-\$i >/dev/null; done
	while [ ! -e $SR_T/go2 ]; do sleep 0.05; done
	/bin/echo fleet-c >/dev/null" >"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
sid=$(sr_wait_sid root) || exit 99
for _ in $(seq 1 100); do
	grep -q '"fleet-a-5"' "$RS/out.log" 2>/dev/null && break
	sleep 0.1
done
sr_check "the first commands reached rsyslog" grep -q '"fleet-a-5"' "$RS/out.log"
rs_stop # the collector goes away in the middle of the session
touch "$SR_T/go"
for _ in $(seq 1 100); do
	grep -q '"fleet-b-5"' "$SR_JSONL" && break
	sleep 0.1
done
sleep 1 # the daemon has tried to send them to the closed connection by now
st=$("$SR_SSHREC" --socket "$SR_SOCK" status --json 2>/dev/null)
sr_check_eq "while rsyslog is down: the syslog sink is unhealthy, holds a backlog, drops nothing" \
	"false true 0" \
	"$(jq -r '.sinks[] | select(.name == "syslog") | "\(.ok) \(.backlog > 0) \(.dropped)"' <<<"$st")"
rs_start
touch "$SR_T/go2"
wait "$ssh_pid"
sr_check "session ended" sr_wait_ended "$sid" 30
for _ in $(seq 1 150); do
	rs_records "$sid" | grep -q session.end && break
	sleep 0.1
done
want=$(jq -r --arg s "$sid" 'select(.sid == $s) | "\(.ei) \(.event)"' "$SR_JSONL" | sort -n)
got=$(rs_records "$sid" | sort -n)
sr_check_eq "every record of the session reached rsyslog exactly once ($(wc -l <<<"$want") records)" \
	"$want" "$got"
sr_check "the records rsyslog got are the daemon's JSON, byte for byte" \
	cmp <(grep -F "\"sid\":\"$sid\"" "$SR_JSONL" | sort) <(grep -F "\"sid\":\"$sid\"" "$RS/out.log" | sort)
st=$("$SR_SSHREC" --socket "$SR_SOCK" status --json 2>/dev/null)
sr_check_eq "after: the syslog sink is healthy, nothing waiting, nothing dropped" "true 0 0" \
	"$(jq -r '.sinks[] | select(.name == "syslog") | "\(.ok) \(.backlog) \(.dropped)"' <<<"$st")"
sr_check "the daemon logged the outage and the recovery" \
	grep -q "sink syslog: recovered" "$SR_T/sshrecd.log"
sr_finish
