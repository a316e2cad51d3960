#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec report of the hostile-data session (gen_db --hostile): one
# self-contained HTML page, opened in real headless Chromium over the
# DevTools protocol (tests/e2e/cdp_check.py): nothing recorded executes or
# is fetched, the summary and the first command are on the first screen.
# Needs no root; needs Debian's chromium (scripts/deps.sh).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-cli-report.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	sr_die "chromium missing (scripts/deps.sh installs it)"
"$SR_TOP_BUILDDIR/tests/bench/gen_db" -o "$SR_T/g.db" \
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
sr_check "report: the summary first" grep -qF "<h1>SSH login of alice from 192.0.2.10</h1>" "$H"
sr_check "report: the session id under it" grep -qF "<div class=sid>session $A</div>" "$H"
# the user's commands: the login shell's children, one bar each in the chart
ncmd=$(sqlite3 -readonly "$SR_T/g.db" "SELECT count(*) FROM processes p JOIN sessions s ON s.id=p.session_id
	JOIN processes r ON r.id = p.parent_id WHERE s.sid='$A' AND r.parent_id IS NULL")
sr_check_eq "report: one numbered item per command" "$ncmd" "$(grep -c '<li id=c[0-9]*>' "$H")"
sr_check_eq "report: chart bars, one per command" "$ncmd" "$(grep -c "<rect class='bar" "$H")"
sr_check "report: the full tree nests a file open" grep -qE \
	"<li class='att file'><span class=t>[0-9:.]+</span>open /home/app/.bashrc O_RDONLY</li>" "$H"
sr_check "report: the connection under the command that made it" grep -qE \
	"<li class='att net'><span class=t>[0-9:.]+</span>connect 203.0.113.10:80 from 10.0.0.4:" "$H"
# the session policy's denials (the hostile session has three): first after
# the summary, counted, each with what, by whom, which rule, what happened;
# the processes tagged and the denials nested in the tree
sr_check "report: the summary counts the denials" grep -qF "<a href='#denials' class=hot>3 denied actions</a>" "$H"
sr_check "report: and so does its line of what was recorded" grep -qE "<dt>Recorded</dt><dd>[^<]*, denied: 3</dd>" "$H"
sr_check_eq "report: the denials come first, before the commands" ok "$("$SR_PY" - "$H" <<'PY'
import sys
h = open(sys.argv[1], encoding="utf-8").read()
a, b = h.find("<h2 id=denials>"), h.find("<h2 id=commands>")
print("ok" if 0 < a < b and h.count("<h2 id=denials>") == 1 else "bad %d %d" % (a, b))
PY
)"
sr_check "report: a denial says what, by whom, which rule and what happened" grep -qF \
	"<td class=bad>exec /usr/bin/nc denied by deny_exec.group.contractors = /usr/bin/nc: killed before the new program ran (signal)</td>" "$H"
sr_check_eq "report: the three processes are tagged DENIED in the tree" 3 \
	"$(sed -n '/<h2 id=tree>/,$p' "$H" | grep -c '<span class=tag>DENIED</span>')"
sr_check "report: the denial nested under its process" grep -qE \
	"<li class='att denied'><span class=t>[0-9:.]+</span>write /etc/ssh/sshd_config denied by" "$H"
B=$(sqlite3 -readonly "$SR_T/g.db" "SELECT sid FROM sessions WHERE login='bob'")
"$SR_SSHREC" --db "$SR_T/g.db" report "$B" -o "$SR_T/bob.html"
sr_check "report: a session without denials still has their place, empty" \
	grep -qF "<a href='#denials' class=zero>0 denied actions</a>" "$SR_T/bob.html"
sr_check_eq "report: ... and no tag" 0 "$(grep -c '<span class=tag>DENIED</span>' "$SR_T/bob.html")"
sr_check "report: control characters escaped" no_ctl "$H"

sr_check "report: unknown sid is an error" sh -c "! '$SR_SSHREC' --db '$SR_T/g.db' report 12345678 -o '$SR_T/x.html' 2>/dev/null"

# Chromium: nothing of the recorded data runs, nothing is fetched, the page
# is laid out with the summary and the first command on the first screen.
# The checker itself must see a script that runs: a control page.
CDP=("$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/cdp_check.py" "$CHROMIUM")
printf '%s\n' '<!DOCTYPE html><title>before</title><img src="http://127.0.0.1:9/x.png">' \
	'<script>document.title = "pwned"; console.log("ran"); alert("hi")</script>' >"$SR_T/control.html"
ctl=$(timeout 120 "${CDP[@]}" "file://$SR_T/control.html" "$SR_T/control.png") || sr_fail "Chromium did not load the control page"
sr_check "checker: it sees the control page's script, dialog, console and fetch ($ctl)" jq -e \
	'.title == "pwned" and .scripts == 1 and .dialogs == ["hi"] and .console == [["ran"]] and
	 (.requests | length) == 1' <<<"$ctl"
out=$(timeout 120 "${CDP[@]}" "file://$H" "$SR_T/shot.png" 1200 900 dl.sum '#c1' \
	"text:<script>document.title='pwned'</script>") || sr_fail "Chromium did not load the report"
sr_log "chromium: $out"
sr_check_eq "chromium: title unchanged (the recorded script did not run)" "sshrec session $A" "$(jq -r .title <<<"$out")"
sr_check "chromium: no script element, dialog, exception, console message or request" jq -e \
	'.scripts == 0 and .dialogs == [] and .exceptions == [] and .console == [] and .requests == []' <<<"$out"
sr_check "chromium: the hostile file name is text on the page" jq -e \
	'.text["<script>document.title='"'"'pwned'"'"'</script>"]' <<<"$out"
sr_check "chromium: the summary and the first command are on the first screen" jq -e \
	'.rects["dl.sum"][1] <= .inner_height and .rects["#c1"][1] <= .inner_height' <<<"$out"
sr_check "chromium: screenshot is a real page (> 20 kB PNG, 1200 wide)" "$SR_PY" - "$SR_T/shot.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 20000, len(b)
w, h = struct.unpack(">II", b[16:24])
assert w == 1200 and h > 500, (w, h)
PY
[ -n "${SR_KEEP:-}" ] && echo "screenshot: $SR_T/shot.png"

sr_finish
