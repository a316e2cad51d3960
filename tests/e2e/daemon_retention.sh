#!/usr/bin/env bash
# retention = 2s: an ended session disappears from the database (row,
# records, processes) once it is older than that, the removal is logged, a
# session still active at that moment stays whatever its age, and the
# JSON-lines file (its own rotation) keeps everything.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
echo "retention = 2s" >>"$SR_CONF"
sr_start_daemon
sr_start_sshd

sid1=$(sr_ssh '/bin/true retention-m1; echo "$SSHREC_SID"')
sr_check "first session ended" sr_wait_ended "$sid1" 20
key1=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid1'")
sr_check "its records are stored" [ "$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key1")" -gt 2 ]
# a second session that stays active through the removal
sr_ssh "/bin/true retention-m2; while [ ! -e $SR_T/done ]; do sleep 0.2; done" \
	>"$SR_T/ssh2.out" 2>&1 &
ssh2=$!
SR_PIDS+=("$ssh2")
for _ in $(seq 1 100); do
	sid2=$(sr_sql "SELECT sid FROM sessions WHERE state != 'ended' LIMIT 1")
	[ -n "$sid2" ] && break
	sleep 0.1
done
[ -n "$sid2" ] || sr_die "no active second session"

# the daemon looks every 10 s when there was nothing to remove
sr_check "the removal is logged" sr_wait_log "retention: removed session $sid1 \(ended " 30
sr_check_eq "the session row is gone" 0 "$(sr_sql "SELECT COUNT(*) FROM sessions WHERE sid='$sid1'")"
sr_check_eq "its records are gone" 0 "$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key1")"
sr_check_eq "its processes are gone" 0 \
	"$(sr_sql "SELECT COUNT(*) FROM processes WHERE session_id=$key1")"
sr_check_eq "the active session stays" 1 \
	"$(sr_sql "SELECT COUNT(*) FROM sessions WHERE sid='$sid2' AND state != 'ended'")"
sr_check "the JSON-lines file keeps the removed session's records" \
	grep -qF "\"sid\":\"$sid1\"" "$SR_JSONL"
sr_check "sshrec reports the removed session as unknown, not an error of its own" \
	sh -c "'$SR_SSHREC' --db '$SR_DB' timeline '$sid1' 2>&1 | grep -q 'unknown session'"
sr_check "sshrec status counts it" sh -c "'$SR_SSHREC' --socket '$SR_SOCK' status | grep -q '^sqlite: 1 ended sessions removed by retention'"
touch "$SR_T/done"
wait "$ssh2"
sr_check "the second session ends normally" sr_wait_ended "$sid2" 20
sr_finish
