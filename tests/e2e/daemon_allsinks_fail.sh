#!/usr/bin/env bash
# Every sink fails at once (the database and the JSON lines share a full
# filesystem) while a session runs commands. The records wait in the sinks'
# bounded backlogs and are written once space is back: each command exactly
# once, ei gapless, the same records in SQLite and JSONL. (The daemon used to
# rewind the ring buffer when every flush failed and correlate the same kernel
# events again with new ei: duplicates no sink could recognise.)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
mkdir -p "$SR_T/fs"
# 64 MiB: once space is back the filesystem must hold the database, the
# JSON lines of ~630 records (~1 KiB each in both) and SQLite's WAL, which
# grows by every commit until the checkpoint thread has copied it all and a
# commit starts it over (up to SR_CKPT_BYTES, 16 MiB, on a busy writer) and
# never shrinks. 4 MiB failed in CI on a loaded machine: the WAL refilled the
# disk after the fill was removed, the checkpoint could not grow the database
# and both sinks stayed full. The fill below takes whatever size this is.
mount -t tmpfs -o size=64m tmpfs "$SR_T/fs" || sr_die "cannot mount a tmpfs"
trap 'rc=$?; sr_stop_daemon TERM; umount -l "$SR_T/fs"; (exit $rc); sr_cleanup' EXIT
SR_DB=$SR_T/fs/sshrec.db
SR_JSONL=$SR_T/fs/events.jsonl
# commands only: the backlog must fit in the tmpfs once space is back
echo 'disk = off' >"$SR_CONF"
sr_start_daemon
sr_start_sshd

# the session starts while there is space, then waits for the disk to fill;
# it waits with bash's read on a FIFO, not /bin/sleep, so that waiting makes
# no records: on a slow machine a minute of sleeps outgrew the 4 MiB
mkfifo "$SR_T/wait.fifo"
sr_ssh "exec 9<>$SR_T/wait.fifo
	while [ ! -e $SR_T/go ]; do read -t 0.2 -u 9; done
	for i in \$(seq 1 200); do /bin/echo allfail-\$i >/dev/null; done
	/bin/echo allfail-marker >/dev/null
	while [ ! -e $SR_T/bye ]; do read -t 0.2 -u 9; done" &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=
for i in $(seq 1 100); do
	sid=$(sr_sql "SELECT sid FROM sessions WHERE state = 'active' LIMIT 1" 2>/dev/null)
	[ -n "$sid" ] && break
	sleep 0.1
done
[ -n "$sid" ] || sr_die "the session did not start"
# The WAL keeps its size after a checkpoint and commits reuse it: truncate it
# first, or SQLite may go on writing into the full filesystem (seen on a slow
# machine, where the commands came in small batches that fit).
sqlite3 -batch "$SR_DB" 'PRAGMA busy_timeout = 5000; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null ||
	sr_log "could not truncate the WAL"
dd if=/dev/zero of="$SR_T/fs/fill" bs=4k 2>/dev/null
touch "$SR_T/go"
# the commands run and flushes fail in both sinks: poll until the status has
# shown each of them failing (a slow machine runs the 200 commands over
# several seconds). Not necessarily in the same poll: the sinks compete for
# the bytes each frees (the JSON lines sink cuts a partly written line off
# again, the outage journal is removed once SQLite commits), so SQLite may
# commit one batch and report healthy in between. That both failed at once
# is what the daemon's "every sink failed" line says, checked below.
status= seen_sq= seen_jl=
for i in $(seq 1 60); do
	sleep 0.5
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
	[[ "$status" == *sqlite=False* ]] && seen_sq=1
	[[ "$status" == *jsonl=False* ]] && seen_jl=1
	[ -n "$seen_sq" ] && [ -n "$seen_jl" ] && break
done
sr_check_eq "status: each sink reported unhealthy while the disk is full (last: $status)" \
	"sqlite jsonl" "${seen_sq:+sqlite} ${seen_jl:+jsonl}"
sr_check "the failure is in the log" grep -q 'every sink failed' "$SR_T/sshrecd.log"
rm -f "$SR_T/fs/fill"
touch "$SR_T/bye"
wait "$ssh_pid"
sr_wait_ended "$sid" 30 || sr_fail "the session did not end"
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"

n_sql=$(sr_sql "SELECT COUNT(*) FROM processes p JOIN sessions s ON s.id = p.session_id
	JOIN argvs a ON a.id = p.argv WHERE s.sid = '$sid' AND a.argv LIKE '[\"/bin/echo\",\"allfail-%'")
sr_check_eq "SQLite: each of the 201 commands exactly once" 201 "$n_sql"
sr_check_eq "SQLite: 201 distinct commands" 201 \
	"$(sr_sql "SELECT COUNT(DISTINCT a.argv) FROM processes p JOIN sessions s ON s.id = p.session_id
		JOIN argvs a ON a.id = p.argv WHERE s.sid = '$sid' AND a.argv LIKE '[\"/bin/echo\",\"allfail-%'")"
sr_check_eq "SQLite: ei gapless and unique" 1 \
	"$(sr_sql "SELECT COUNT(*) = COUNT(DISTINCT e.ei) AND MAX(e.ei) + 1 = COUNT(*)
		FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid = '$sid'")"
n_ev=$(sr_sql "SELECT COUNT(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid = '$sid'")
sr_check_eq "JSONL: the same records as SQLite" "$n_ev" \
	"$(jq -c --arg s "$sid" 'select(.sid == $s) | .ei' "$SR_JSONL" | sort -un | wc -l)"
sr_check_eq "JSONL: no record twice" "$n_ev" \
	"$(jq -c --arg s "$sid" 'select(.sid == $s) | .ei' "$SR_JSONL" | wc -l)"
sr_check_eq "JSONL: each command exactly once" 201 \
	"$(jq -c --arg s "$sid" 'select(.sid == $s and .event == "session.command" and
		(.argv[0] // "" | startswith("allfail-")) and .argv0 == "/bin/echo")' "$SR_JSONL" | wc -l)"
sr_check "JSONL validates" sr_validate_jsonl "$SR_JSONL"
sr_finish
