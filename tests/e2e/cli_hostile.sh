#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The auditor's terminal and browser against a database whose session strings
# are hostile (a foreign or tampered database, or one written before session
# strings were sanitized): the session id, remote address, rhost, tty,
# login, auth method and key type carry escape sequences, and argv and an
# event name carry bidi overrides, isolates and zero-width characters.
# tree, replay, timeline, sessions and search print no raw control byte and
# no raw format character; the HTML report marks the format characters.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-cli-hostile.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
GEN=$SR_TOP_BUILDDIR/tests/bench/gen_db
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
[ -x "$GEN" ] || sr_die "gen_db not built at $GEN"
DB=$SR_T/h.db
"$GEN" -o "$DB" -n 2 -e 80 --hostile || sr_die "gen_db failed"
export SSHREC_DB=$DB
R() { "$SR_SSHREC" --color never "$@"; }

# U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+200B ZERO
# WIDTH SPACE, U+FEFF, U+E0041 TAG LATIN CAPITAL LETTER A
sqlite3 "$DB" "
UPDATE sessions SET
  sid = sid || char(27) || ']0;owned' || char(7),
  remote_addr = char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || '10.9.9.9',
  rhost = 'h' || char(8238) || 'tsoh',
  tty = char(27) || '[31mpts/9',
  login = 'al' || char(8294) || 'ice' || char(8203),
  auth_method = 'publickey' || char(155) || '2J',
  key_type = 'ssh-ed25519' || char(65279) || char(917569)
WHERE login = 'alice';
UPDATE argvs SET argv = json_array('cat', 'invoice' || char(8238) || 'fdp.exe', 'a' || char(8203) || 'b')
WHERE id = (SELECT argv FROM processes WHERE id = (SELECT MIN(p.id) FROM processes p
            JOIN sessions s ON s.id = p.session_id
            WHERE s.auth_method LIKE 'publickey%' || char(155) || '%'));
" || sr_die "cannot make the database hostile"
A=$(sqlite3 -readonly "$DB" "SELECT substr(sid, 1, 13) FROM sessions WHERE auth_method LIKE 'publickey%' || char(155) || '%'")
[ -n "$A" ] || sr_die "no hostile session"

# no C0/DEL/C1 control byte (newlines end lines), and no format character
clean() {
	local f=$1
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$f"; then
		echo "raw control byte in $f:"; LC_ALL=C grep -n $'[\x01-\x09\x0b-\x1f\x7f]' "$f" | cat -v | head -3
		return 1
	fi
	if grep -qP '[\x{80}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}\x{e0000}-\x{e007f}]' "$f"; then
		echo "raw C1 or format character in $f:"; grep -nP '[\x{80}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}\x{e0000}-\x{e007f}]' "$f" | cat -v | head -3
		return 1
	fi
}

R tree "$A" >"$SR_T/tree.txt" 2>&1
sr_check_eq "tree: runs" 0 "$?"
sr_check "tree: header and tree are clean" clean "$SR_T/tree.txt"
sr_check "tree: the remote address is shown escaped" grep -qF '\e[2J\e]0;pwned\x0710.9.9.9' "$SR_T/tree.txt"
sr_check "tree: the session id is shown escaped" grep -qF '\e]0;owned\x07' "$SR_T/tree.txt"
sr_check "tree: the bidi override in argv is shown as \\u202e" grep -qF 'invoice\u202efdp.exe' "$SR_T/tree.txt"

R replay "$A" --speed 1000 --idle-limit 0 >"$SR_T/replay.txt" 2>&1
sr_check_eq "replay: runs" 0 "$?"
sr_check "replay: header and commands are clean" clean "$SR_T/replay.txt"
sr_check "replay: the remote address is shown escaped" grep -qF '\e[2J\e]0;pwned\x0710.9.9.9' "$SR_T/replay.txt"

R timeline "$A" >"$SR_T/timeline.txt" 2>&1
sr_check_eq "timeline: runs" 0 "$?"
sr_check "timeline: clean" clean "$SR_T/timeline.txt"
# (an event's name is not data since schema 7: a record's kind is one of the
# built-in numbers, and a row of another is refused, so none reaches a terminal)
sr_check "timeline: the login's isolate and zero-width space are escaped" grep -qF 'al\u2066ice\u200b' "$SR_T/timeline.txt"

R sessions >"$SR_T/sessions.txt" 2>&1
sr_check_eq "sessions: runs" 0 "$?"
sr_check "sessions: clean" clean "$SR_T/sessions.txt"
R search --command cat >"$SR_T/search.txt" 2>&1
sr_check "search: clean" clean "$SR_T/search.txt"

R report "$A" -o "$SR_T/r.html" >"$SR_T/report.out" 2>&1
sr_check_eq "report: runs" 0 "$?"
sr_check "report: no raw format character" bash -c "! grep -qP '[\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}]' '$SR_T/r.html'"
sr_check "report: U+202E marked in argv" grep -qF "invoice<span title='invisible format character'" "$SR_T/r.html"
sr_check "report: U+202E shown as text" grep -qF '>U+202E</span>fdp.exe' "$SR_T/r.html"
sr_check "report: the remote address's ESC is shown, not raw" bash -c "! LC_ALL=C grep -q $'\x1b' '$SR_T/r.html'"

# --- report -o and export -o hold full argv: written 0600 whatever the umask
umask 022
sr_check_eq "report -o: the file is 0600" 600 "$(stat -c %a "$SR_T/r.html")"
R export --format ecs -o "$SR_T/x.json" >/dev/null 2>&1
sr_check_eq "export -o: the file is 0600" 600 "$(stat -c %a "$SR_T/x.json")"
install -m 0644 /dev/null "$SR_T/old.json"
R export --format jsonl -o "$SR_T/old.json" >/dev/null 2>&1
sr_check_eq "export -o over an existing 0644 file: 0600" 600 "$(stat -c %a "$SR_T/old.json")"
sr_check "export -o: the file has the records" test -s "$SR_T/old.json"
sr_finish
