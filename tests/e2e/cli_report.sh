#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec report: one self-contained HTML page, rendered in real headless
# Chromium (screenshot), with the recorded <script> inert (DOM dump) and no
# network fetches. Needs no root; needs Debian's chromium (scripts/deps.sh).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-cli-report.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	sr_die "chromium missing (scripts/deps.sh installs it)"
"$SR_TOP_BUILDDIR/tests/bench/gen_db" -o "$SR_T/g.db" -s "$SR_TOP_SRCDIR/schema/sshrec.sql" \
	-n 3 -e 120 --hostile || sr_die "gen_db failed"
A=$(sqlite3 -readonly "$SR_T/g.db" "SELECT sid FROM sessions WHERE login='alice'")
H=$SR_T/report.html
no_ctl() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }

sr_check "report writes the page" "$SR_SSHREC" --db "$SR_T/g.db" report "${A:0:8}" -o "$H"
sr_check "report: no <script> element in the page" sh -c "! grep -qi '<script' '$H'"
sr_check "report: the recorded <script> is escaped text" grep -qF '&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;' "$H"
sr_check "report: no external resource (no http(s) URL in src/href)" \
	sh -c "! grep -Eqi '(src|href)=[\"'\'']?(https?:)?//' '$H'"
sr_check "report: a content security policy forbids fetches" grep -qF "default-src 'none'" "$H"
sr_check "report: the session header" grep -qF "<h1>SSH session $A</h1>" "$H"
sr_check "report: timeline chart bars" test "$(grep -c "<rect class='bar" "$H")" = \
	"$(sqlite3 -readonly "$SR_T/g.db" "SELECT count(*) FROM processes p JOIN sessions s ON s.id=p.session_id WHERE s.sid='$A'")"
sr_check "report: tree nests a file open" grep -qF "<li class='att file'>open /home/app/.bashrc O_RDONLY</li>" "$H"
sr_check "report: tree nests a connection" grep -qF "<li class='att net'>connect 203.0.113.10:80 from 10.0.0.4:" "$H"
sr_check "report: the policy's denials first, highlighted" grep -qF "<h2>Denied by the session policy (3)</h2>" "$H"
sr_check "report: a denial says what, by whom, which rule and what happened" grep -qF \
	"</span>: exec /usr/bin/nc denied by deny_exec.group.contractors = /usr/bin/nc: killed before the new program ran (signal)</li>" "$H"
sr_check_eq "report: the three processes are tagged DENIED in the tree" 3 "$(grep -c '<span class=tag>DENIED</span>' "$H")"
sr_check "report: the denial nested under its process" grep -qF "<li class='att denied'>write /etc/ssh/sshd_config denied by" "$H"
sr_check "report: the header counts denials" grep -qF " connections, 3 denied, 0 lost" "$H"
sr_check "report: control characters escaped" no_ctl "$H"
sr_check "report: unknown sid is an error" sh -c "! '$SR_SSHREC' --db '$SR_T/g.db' report 12345678 -o '$SR_T/x.html' 2>/dev/null"

chrome() {
	local prof
	prof=$(mktemp -d "$SR_T/prof.XXXXXX")
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --window-size=1200,900 "$@" 2>>"$SR_T/chromium.log"
}
chrome --screenshot="$SR_T/shot.png" "file://$H" >/dev/null
sr_check "chromium: screenshot written" test -s "$SR_T/shot.png"
sr_check "chromium: screenshot is a real page (> 20 kB PNG, 1200x900)" "$SR_PY" - "$SR_T/shot.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 20000, len(b)
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (1200, 900), (w, h)
PY
chrome --dump-dom "file://$H" >"$SR_T/dom.html"
sr_check "chromium: DOM title unchanged (the recorded script did not run)" \
	grep -qF "<title>sshrec session $A</title>" "$SR_T/dom.html"
sr_check "chromium: no script element in the DOM" sh -c "! grep -qi '<script' '$SR_T/dom.html'"
sr_check "chromium: the hostile file name is text in the DOM" grep -qF '&lt;script&gt;document.title=' "$SR_T/dom.html"
sr_check "chromium: the tree rendered" grep -qF 'printf' "$SR_T/dom.html"
[ -n "${SR_KEEP:-}" ] && echo "screenshot: $SR_T/shot.png"

sr_finish
