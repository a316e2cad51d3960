#!/usr/bin/env bash
# logrotate rotates the JSON-lines file and sends SIGHUP (the packaged
# unit's ExecReload does the same): sshrecd reopens its files, the records
# before the rotation are in the rotated file, the later ones in the new
# file, none in both, and every line of both still validates.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
command -v logrotate >/dev/null || sr_die "logrotate is not installed (scripts/deps.sh installs it)"
sr_start_daemon
sr_start_sshd

sid1=$(sr_ssh '/bin/true rotate-m1; echo "$SSHREC_SID"')
sr_check "first session ended" sr_wait_ended "$sid1" 20
cat >"$SR_T/logrotate.conf" <<CONF
$SR_JSONL {
	rotate 3
	missingok
	nocompress
	postrotate
		kill -HUP $SR_DAEMON_PID
	endscript
}
CONF
sr_check "logrotate -f ran" logrotate -f -s "$SR_T/logrotate.state" "$SR_T/logrotate.conf"
sr_check "the file was rotated to .1" [ -s "$SR_JSONL.1" ]
sr_check "sshrecd reopened its files on SIGHUP" sr_wait_log "SIGHUP: reopening sink files"
sid2=$(sr_ssh '/bin/true rotate-m2; echo "$SSHREC_SID"')
sr_check "second session ended" sr_wait_ended "$sid2" 20
sr_check "sshrecd still runs" kill -0 "$SR_DAEMON_PID"

in_file() { grep -F '"event":"session.command"' "$2" | grep -cF "\"$1\"" || true; }
sr_check_eq "rotate-m1 in the rotated file" 1 "$(in_file rotate-m1 "$SR_JSONL.1")"
sr_check_eq "rotate-m1 not in the new file" 0 "$(in_file rotate-m1 "$SR_JSONL")"
sr_check_eq "rotate-m2 in the new file" 1 "$(in_file rotate-m2 "$SR_JSONL")"
sr_check_eq "rotate-m2 not in the rotated file" 0 "$(in_file rotate-m2 "$SR_JSONL.1")"
sr_check "the new file was created 0600" [ "$(stat -c %a "$SR_JSONL")" = 600 ]
sr_check "both files validate against the JSON Schemas" sr_validate_jsonl "$SR_JSONL.1" "$SR_JSONL"
sr_check_eq "SQLite has both commands" 2 \
	"$(sr_sql "SELECT COUNT(*) FROM events e JOIN processes p ON p.id = e.process_id
		JOIN argvs a ON a.id = p.argv WHERE e.kind = 2
		AND (a.argv LIKE '%\"rotate-m1\"%' OR a.argv LIKE '%\"rotate-m2\"%')")"
sr_finish
