#!/usr/bin/env bash
# The database's filesystem fills up: the daemon keeps running, the JSON
# lines sink keeps getting records, and status shows the SQLite sink unhealthy.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
mkdir -p "$SR_T/dbfs"
mount -t tmpfs -o size=1m tmpfs "$SR_T/dbfs" || sr_die "cannot mount a tmpfs"
trap 'rc=$?; sr_stop_daemon TERM; umount -l "$SR_T/dbfs"; (exit $rc); sr_cleanup' EXIT
SR_DB=$SR_T/dbfs/sshrec.db
sr_start_daemon
sr_start_sshd
sr_ssh true || sr_die "first login failed"
# Truncate the WAL first: it keeps its size after a checkpoint and commits
# reuse it, so SQLite could go on committing into a full filesystem for a
# while (as daemon_allsinks_fail saw on a slow machine).
sqlite3 -batch "$SR_DB" 'PRAGMA busy_timeout = 5000; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null ||
	sr_log "could not truncate the WAL"
# fill what is left of the filesystem
dd if=/dev/zero of="$SR_T/dbfs/fill" bs=4k 2>/dev/null
sr_ssh 'for i in $(seq 1 300); do /bin/echo diskfull-$i >/dev/null; done; /bin/echo diskfull-marker'
sleep 1

sr_check "daemon still running" kill -0 "$SR_DAEMON_PID"
sr_check "JSONL got the command after the disk filled" grep -q 'diskfull-marker' "$SR_JSONL"
status=$("$SR_PY" - "$SR_SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b'{"v":1,"op":"status"}')
r = json.loads(s.recv(200000))
sinks = {x["name"]: x for x in r["status"]["sinks"]}
print("sqlite=%s jsonl=%s" % (sinks["sqlite"]["ok"], sinks["jsonl"]["ok"]))
PY
)
sr_check_eq "status: sqlite unhealthy, jsonl healthy" "sqlite=False jsonl=True" "$status"
sr_check "the failure is in the log" grep -qi 'sink sqlite' "$SR_T/sshrecd.log"
rm -f "$SR_T/dbfs/fill"
sr_ssh '/bin/echo after-space-freed' >/dev/null
sr_check "daemon survives the next login" kill -0 "$SR_DAEMON_PID"
sr_finish
