#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec report of a real login (sshd + pam_sshrec + sshrecd) leads with what
# the login did, with the noise folded, and stays usable with 10,000 file
# opens: checked in the HTML and in headless Chromium (tests/e2e/cdp_check.py:
# layout, what is rendered, a screenshot of the first screen).
# The login: a fresh user runs, over four channels of one connection,
#  1. cat of a file
#  2. one python3 process that creates 4,000 files and opens one 6,000 times
#     (10,000 opens), then connects to a local listener
#  3. a failed exec, and a redirection that writes a file
#  4. a fileless program (memfd_create + fexecve)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	sr_die "chromium missing (scripts/deps.sh installs it)"
U=srrp$$
sc_add_user "$U"
sc_start
W=$SC_W
sc_listen PORT 127.0.0.1

sc_mark
sc_drive -u "$U" -c 'cat /etc/hostname' \
	-c "python3 -c 'import os, socket
os.mkdir(\"$W/many\")
for i in range(4000):
    open(\"$W/many/f%d\" % i, \"w\").close()
for i in range(6000):
    open(\"/etc/hostname\").close()
socket.create_connection((\"127.0.0.1\", $PORT)).close()'" \
	-c "/nonexistent/tool --flag; echo data >$W/out.txt; true" \
	-c "python3 -c 'import os; fd = os.memfd_create(\"payload\"); os.write(fd, open(\"/usr/bin/id\", \"rb\").read()); os.execve(fd, [\"payload\", \"-u\"], {})'" \
	>/dev/null || sr_fail "a command of the login failed (sshdrive above)"
sc_take_session report 60 || sr_finish
S=$SC_SID
H=$SR_T/report.html
sr_check "report writes the page" "$SR_SSHREC" --db "$SR_DB" report "$S" -o "$H"

# the page's order: summary, commands, the lists, and only then everything
order=$("$SR_PY" - "$H" <<'PY'
import sys
h = open(sys.argv[1], encoding="utf-8").read()
marks = ["<dl class=sum>", "<h2 id=commands>", "<li id=c1>", "<h2 id=net>", "<h2 id=files>",
         "<h2 id=failed>", "<h2 id=unusual>", "<h2 id=escapes>", "<h2 id=loss>",
         "<h2 id=denials>", "<h2 id=tree>", "<h2 id=sshd>"]
at = [h.find(m) for m in marks]
print("ok" if -1 not in at and at == sorted(at) else "bad %s" % list(zip(marks, at)))
PY
)
sr_check_eq "page order: summary, commands, lists, the full tree, sshd" ok "$order"
sr_check "summary: who" grep -qF "<dt>Who</dt><dd>$U</dd>" "$H"
sr_check "summary: the key" grep -qF "<dt>Key</dt><dd>ssh-ed25519 $SR_KEY_FP (publickey)</dd>" "$H"
sr_check "summary: from 127.0.0.1" grep -qE '<dt>From</dt><dd>127\.0\.0\.1 port [0-9]+</dd>' "$H"
sr_check "summary: how long" grep -qE '<dt>How long</dt><dd>[0-9.]+ (ms|s)</dd>' "$H"
sr_check "summary: what to look at, with counts" grep -qE \
	"<a href='#failed' class=hot>1 failed exec</a>.*|<a href='#failed' class=hot>1 failed exec</a>" "$H"
sr_check "summary: 4001 files written (4,000 + the redirection)" \
	grep -qF "<a href='#files' class=some>4001 files written</a>" "$H"
sr_check "summary: 1 outbound connection" grep -qF "<a href='#net' class=some>1 outbound connection</a>" "$H"
sr_check "summary: 1 fileless exec" grep -qF "<a href='#unusual' class=hot>1 fileless or unusual exec</a>" "$H"
sr_check "summary: a place for denials" grep -qF "<a href='#denials' class=zero>0 denied actions</a>" "$H"

# commands: the user's, in order, with what each started and did
cmds=$(grep -oE '<li id=c[0-9]+><span class=t>[^<]*</span>(<span class=exe>[^<]*</span> )?<span class=cmd>[^<]*' "$H" |
	sed -E 's/.*<span class=cmd>//')
sr_check_eq "commands: the four channels' commands, in order" "cat /etc/hostname
python3 -c &#39;import os, socket
/nonexistent/tool --flag
python3 -c &#39;import os; fd = os.memfd_create(&quot;payload&quot;)" "$(sed -E 's/(socket|memfd_create\(&quot;payload&quot;\)).*/\1/' <<<"$cmds")"
sr_check "commands: the fileless program, named" grep -qF \
	'<span class=exe>memfd:payload (fileless)</span> <span class=cmd>payload -u</span>' "$H"
sr_check "commands: python's facts (files written, connection)" grep -qF \
	'<div class=facts><b>4000</b> files written · <b>1</b> connection</div>' "$H"
sr_check "commands: a bash -c that only exec'd its command is not shown twice" \
	sh -c "! grep -qF \"sshd started <span class=t>\" '$H' || ! grep -qE \"sshd started .*<span class=cmd>bash -c &#39;cat /etc/hostname&#39;\" '$H'"
sr_check "commands: the redirection's file under the shell that wrote it" \
	grep -qE "<li class='att file'><span class=t>[^<]*</span>open $W/out.txt O_WRONLY\|O_CREAT\|O_TRUNC" "$H"
head_part=$(sed -n '1,/<h2 id=net>/p' "$H")
no_match() { ! grep -qE "$1" <<<"$2"; }
sr_check "commands: no shared library, locale or /proc open before the lists" \
	no_match 'libc\.so|/usr/lib/locale|/proc/' "$head_part"
sr_check "commands: the ones that are there are folded in the full tree" \
	grep -qE "open /[^ ]*/libc\.so\.6 O_RDONLY\|O_CLOEXEC" "$H"
sr_check "commands: python's 4,000 writes and its connect: 5 shown, the rest one click away" \
	grep -qF '<li><details><summary>3996 more</summary>' <<<"$head_part"

# the lists
sr_check "connections: python to the listener" grep -qE \
	"connect 127\.0\.0\.1:$PORT from 127\.0\.0\.1:[0-9]+ established" "$H"
sr_check "files written: 4001 rows, past 50 folded" grep -qF '<summary>3951 more</summary>' "$H"
sr_check "failed execs: the missing tool, ENOENT, started by its shell" grep -qE \
	'<span class=cmd>/nonexistent/tool --flag</span>.*exec failed: ENOENT' "$H"
sr_check "escapes, data loss, denials: none" sh -c \
	"grep -qF 'None: no recorded process moved' '$H' && grep -qF 'None: nothing was lost' '$H' && grep -qF 'session.denied (SR4020W)' '$H'"

# the full tree: repeats counted, routine opens folded
sr_check "full tree: 6,000 opens of one path are one line with their count" \
	grep -qE "open /etc/hostname O_RDONLY\|O_CLOEXEC <span class=n>×6000</span>" "$H"
sr_check "full tree: every one of them one click away" grep -qF '<summary>all 6000 opens of it</summary>' "$H"
sr_check "full tree: routine read-only opens folded per process" \
	grep -qE '<summary>[0-9]+ routine read-only opens \(shared libraries, locales, /proc\)</summary>' "$H"
sr_check "full tree: the whole tree is folded on load" grep -qF \
	'<details><summary>The process tree with every file open and connection' "$H"
norphan=$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE
	s.sid = '$S' AND e.process_id IS NULL AND e.kind IN (3, 4)") # session.disk, session.network
sr_check "sshd outside the shell: its $norphan opens, folded" grep -qF \
	"<details><summary>$norphan file opens and connections of the login's sshd process" "$H"
sr_check "sshd's own opens are there at all (the noise this folds)" test "$norphan" -gt 0

# Chromium: it loads, nothing runs or is fetched, the first screen shows the
# summary and the first command, and what is laid out stays small
out=$(timeout 300 "$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/cdp_check.py" "$CHROMIUM" "file://$H" \
	"$SR_T/first-screen.png" 1200 900 dl.sum '#c1' '#c2' 'h2#tree') || sr_fail "Chromium did not load the report"
sr_log "chromium: $out"
nrec=$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid = '$S'")
size=$(stat -c %s "$H")
sr_log "report: $size bytes, $nrec records"
sr_check "chromium: the page loaded with no script, dialog, exception or request" jq -e \
	'.scripts == 0 and .dialogs == [] and .exceptions == [] and .console == [] and .requests == []' <<<"$out"
sr_check "chromium: the summary and the first command are on the first screen, the second starts there" jq -e \
	'.rects["dl.sum"][1] <= .inner_height and .rects["#c1"][0] > .rects["dl.sum"][1] and .rects["#c1"][1] <= .inner_height and .rects["#c2"][0] < .inner_height' <<<"$out"
sr_check "chromium: the full tree is below the first screen" jq -e '.rects["h2#tree"][0] > .inner_height' <<<"$out"
sr_check "chromium: at most 1,500 elements laid out (what is folded is not), of $nrec records" \
	jq -e '.rendered <= 1500' <<<"$out"
sr_check "chromium: DOM at most 8 elements per record" jq -e --argjson n "$nrec" '.elements <= 8 * $n' <<<"$out"
sr_check "report: at most 600 bytes per record ($size for $nrec)" test "$size" -le $((600 * nrec))
sr_check "chromium: a screenshot of the first screen" "$SR_PY" - "$SR_T/first-screen.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 20000, len(b)
PY
[ -n "${SR_KEEP:-}" ] && echo "report: $H, screenshot: $SR_T/first-screen.png"
sr_finish
