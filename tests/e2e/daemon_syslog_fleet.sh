#!/usr/bin/env bash
# The fleet path: syslog = tcp://127.0.0.1:PORT to a real rsyslog (its own
# config, pid file and work directory; never the system's) that writes each
# message to a file. rsyslog is stopped (SIGTERM) and later killed (SIGKILL)
# while a session's records flow, and started again each time. Delivery is
# at least once: every record of the session reaches the file, every copy is
# the same bytes as the record, there are no more copies than the daemon says
# it sent again, and nothing else arrives. Deduplicated by uid as
# contrib/siem's document id does, each record is there exactly once.
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
rs_stop() { # SIGNAL
	kill "-$1" "$RS_PID"
	wait "$RS_PID" 2>/dev/null
	rm -f "$RS/rsyslog.pid"
}
# the records of this session in rsyslog's file (lines that are no record count too)
rs_lines() {
	grep -cF "\"sid\":\"$1\"" "$RS/out.log" 2>/dev/null || true
}
# wait until rsyslog's file has more than N lines of SID
rs_wait_past() { # SID N
	local i
	for i in $(seq 1 300); do
		[ "$(rs_lines "$1")" -gt "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# the syslog sink's "ok backlog dropped resent" once a flush confirmed what
# rsyslog acknowledged (the backlog is the figure of the last flush)
sink_settled() {
	local i st
	for i in $(seq 1 100); do
		st=$("$SR_SSHREC" --socket "$SR_SOCK" status --json 2>/dev/null)
		st=$(jq -r '.sinks[] | select(.name == "syslog") | "\(.ok) \(.backlog) \(.dropped) \(.resent)"' <<<"$st")
		case $st in "true 0 "*) break ;; esac
		sleep 0.1
	done
	echo "$st"
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
# the window must cover what the collector may hold unwritten: its socket
# buffer and its memory queue (a burst's worth: ~15 MiB here), for as long as
# a loaded machine keeps rsyslog from writing them (the defaults, 10 s and
# 8 MiB, lost records in a loaded suite run)
printf 'syslog_resend_time = 2m\nsyslog_resend_size = 64M\n' >>"$SR_CONF"
sr_start_daemon
sr_start_sshd

# three bursts of commands; rsyslog goes away in the middle of the second and third
sr_ssh "for i in 1 2 3 4 5; do /bin/echo fleet-a-\$i >/dev/null; done
	while [ ! -e $SR_T/go ]; do sleep 0.05; done
	for i in \$(seq 1 150); do /bin/echo fleet-b-\$i >/dev/null; done
	while [ ! -e $SR_T/go2 ]; do sleep 0.05; done
	for i in \$(seq 1 150); do /bin/echo fleet-c-\$i >/dev/null; done
	while [ ! -e $SR_T/go3 ]; do sleep 0.05; done
	/bin/echo fleet-d >/dev/null" >"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
sid=$(sr_wait_sid root) || exit 99
for _ in $(seq 1 100); do
	grep -q '"fleet-a-5"' "$RS/out.log" 2>/dev/null && break
	sleep 0.1
done
sr_check "the first commands reached rsyslog" grep -q '"fleet-a-5"' "$RS/out.log"

# 1: stopped (SIGTERM) while the second burst flows, down for a while
n=$(rs_lines "$sid")
touch "$SR_T/go"
sr_check "the second burst reaches rsyslog" rs_wait_past "$sid" $((n + 50))
rs_stop TERM
for _ in $(seq 1 300); do
	grep -q '"fleet-b-400"' "$SR_JSONL" && break
	sleep 0.1
done
sleep 1 # the daemon has tried to send them to the closed connection by now
st=$("$SR_SSHREC" --socket "$SR_SOCK" status --json 2>/dev/null)
sr_check_eq "while rsyslog is down: the syslog sink is unhealthy, holds a backlog, drops nothing" \
	"false true 0" \
	"$(jq -r '.sinks[] | select(.name == "syslog") | "\(.ok) \(.backlog > 0) \(.dropped)"' <<<"$st")"
rs_start

# 2: killed (SIGKILL: what it queued in memory is lost) while the third burst flows
n=$(rs_lines "$sid")
touch "$SR_T/go2"
sr_check "the third burst reaches rsyslog" rs_wait_past "$sid" $((n + 50))
rs_stop KILL
sleep 0.5
rs_start
touch "$SR_T/go3"
wait "$ssh_pid"
sr_check "session ended" sr_wait_ended "$sid" 30
for _ in $(seq 1 300); do
	grep -F "\"sid\":\"$sid\"" "$RS/out.log" 2>/dev/null | grep -q '"session.end"' && break
	sleep 0.1
done
st=$(sink_settled)
read -r ok backlog dropped resent <<<"$st"
sr_check_eq "after: the syslog sink is healthy, nothing waiting, nothing dropped" "true 0 0" \
	"$ok $backlog $dropped"
want=$(grep -F "\"sid\":\"$sid\"" "$SR_JSONL" | sort)
nwant=$(grep -c . <<<"$want")
# rsyslog's omfile writes its buffer in 4 KiB pieces: the SIGKILL can cut a
# line, and the next rsyslog appends its first line to that stub. That one
# line (at most one per SIGKILL: one here) must be a record's prefix followed
# by a whole record; every other line must be a record byte for byte, and
# every record must arrive.
verdict=$("$SR_PY" - "$SR_JSONL" "$RS/out.log" "$sid" <<'PY'
import json, sys
sid = '"sid":"%s"' % sys.argv[3]
want = {l for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read().splitlines() if sid in l}
arrived, copies, stubs, alien, order = set(), 0, 0, [], []
for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read().splitlines():
    if sid not in l:
        continue
    if l in want:
        copies += l in arrived
        arrived.add(l)
        order.append(l)
        continue
    tail = [w for w in want if l.endswith(w) and any(x.startswith(l[: len(l) - len(w)]) for x in want)]
    if tail:
        stubs += 1
        copies += tail[0] in arrived
        arrived.add(tail[0])
        order.append(tail[0])
    else:
        alien.append(l[:120])
missing = len(want - arrived)
# contrib/siem's document id: the record's uid; the first copy is indexed,
# a second one refused (create, 409). The index then holds:
index = {}
for l in order:
    r = json.loads(l)
    index.setdefault(r["uid"], l)
eis = sorted(json.loads(w)["ei"] for w in want)
if missing or alien or stubs > 1:
    print("missing %d, lines that are no record %s, cut lines %d" % (missing, alien[:3], stubs))
elif eis != list(range(len(want))):
    print("the daemon's records are not ei 0..%d, one each: %s" % (len(want) - 1, eis[:10]))
elif sorted(index.values()) != sorted(want):
    print("indexed by uid: %d documents, %d of them not the record" %
          (len(index), sum(v not in want for v in index.values())))
else:
    print("ok %d %d" % (copies, len(index)))
PY
)
read -r vok ncopies nindexed _ <<<"$verdict"
[ "$vok" = ok ] || ncopies=none nindexed=none
sr_check_eq "every record of the session reached rsyslog, and every copy is the record byte for byte ($nwant records, ${ncopies} copies)" \
	ok "${verdict%% *}"
# What the SIEM keeps: contrib/siem's document id is the record's uid
# (rsyslog.conf's bulkid, filebeat.yml's fingerprint), a second copy refused.
# Deduplicated so, rsyslog's file holds each record exactly once, as the
# daemon wrote it (delivery itself stays at least once: the copies above).
sr_check_eq "indexed by contrib/siem's id (uid), first copy kept: each record exactly once" \
	"$nwant" "$nindexed"
# the collector config shipped for this path: this rsyslog accepts it (imtcp,
# mmjsonparse, omelasticsearch), and its document id is that uid
sed "s|workDirectory=\"[^\"]*\"|workDirectory=\"$RS/work\"|" "$SR_TOP_SRCDIR/contrib/siem/rsyslog.conf" >"$RS/contrib.conf"
sr_check "contrib/siem/rsyslog.conf passes rsyslogd -N1" rsyslogd -N1 -f "$RS/contrib.conf"
sr_check "contrib/siem/rsyslog.conf: the document id is the uid, a second copy refused (create)" \
	sh -c "grep -qF 'string=\"%\$!uid%\"' '$RS/contrib.conf' && grep -q 'writeoperation=\"create\"' '$RS/contrib.conf'"
sr_check_eq "each record appears once in the daemon's own JSON lines" "$nwant" \
	"$(sort -u <<<"$want" | grep -c .)"
sr_check "the daemon sent records again after each failure ($resent), no more copies arrived ($ncopies)" \
	test "$resent" -gt 0 -a "$ncopies" -le "$resent"
sr_check "the daemon logged the resends" grep -q "sink syslog: the connection to tcp://127.0.0.1:$RPORT failed: sending again the" "$SR_T/sshrecd.log"
sr_check "the daemon logged the outage and the recovery" \
	grep -q "sink syslog: recovered" "$SR_T/sshrecd.log"
sr_finish
