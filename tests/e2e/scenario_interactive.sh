#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenarios 12 and 13 (issue 7), checked in SQLite and JSON lines.
#  S12 a non-interactive `ssh host cmd` (OpenSSH client) and an interactive
#      session with a pty driven by typed keystrokes (sshdrive --pty)
#  S13 two users logged in at the same time (3 sessions each) running the
#      same commands: no record is attributed to the wrong session
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
UA=sra$$
UB=srb$$
sc_add_user "$UA"
sc_add_user "$UB"
sc_start
W=$SC_W

# ---- S12 -----------------------------------------------------------------
sc_mark
sr_ssh /bin/echo s12-nonint >/dev/null || sr_fail "S12: ssh host cmd failed"
if sc_take_session S12-ssh; then
	s=$SC_SID
	sc_check_integrity S12-ssh "$s" root
	sc_check_cmd S12-ssh "$s" 1 /bin/echo s12-nonint
	# no pty: the command has no terminal and the session keeps PAM's "ssh"
	sr_check_eq "S12-ssh: the command has no tty" null \
		"$(sc_cmd_rec "$s" '["/bin/echo","s12-nonint"]' | jq -c .tty)"
	sr_check_eq "S12-ssh: the session's tty stays ssh" ssh "$(sr_sql "SELECT tty FROM sessions WHERE sid='$s'")"
fi
sc_mark
out=$(sc_drive --pty --print-output -c '/bin/echo s12-typed' -c 'cd /tmp' -c 'ls -d /etc/hostname' \
	-c 'cat /etc/hostname | wc -l') || sr_fail "S12-pty: the typed commands failed (sshdrive above)"
# the shell's output, without CRs and terminal control sequences (bracketed paste)
plain=$(sed 's/\x1b\[[?0-9;]*[a-zA-Z]//g; s/\r//g' <<<"$out")
sr_check "S12-pty: the pty shell printed the typed command's output" grep -qx 's12-typed' <<<"$plain"
sr_check "S12-pty: the pty echoed the typed keystrokes" grep -q '# /bin/echo s12-typed$' <<<"$plain"
if sc_take_session S12-pty; then
	s=$SC_SID
	sc_check_integrity S12-pty "$s" root
	sc_check_cmd S12-pty "$s" 1 -bash
	sc_check_cmd S12-pty "$s" 1 /bin/echo s12-typed
	sc_check_cmd S12-pty "$s" 1 ls -d /etc/hostname
	sc_check_cmd S12-pty "$s" 1 cat /etc/hostname
	sc_check_cmd S12-pty "$s" 1 wc -l
	sr_check_eq "S12-pty: ls ran in /tmp (the shell's cd) as a child of the login shell" "[\"/tmp\",true]" \
		"$(sc_cmd_rec "$s" '["ls","-d","/etc/hostname"]' | jq -c --argjson sh "$(sc_cmd_rec "$s" '["-bash"]' | jq .process_id)" \
			'[.cwd, (.parent_process_id == $sh)]')"
	sc_check_open S12-pty "$s" /etc/hostname O_RDONLY
	# the pty: the login shell's terminal becomes the session's, and every
	# typed command records it
	tty=$(sr_sql "SELECT tty FROM sessions WHERE sid='$s'")
	sr_check "S12-pty: the session's tty is the pty ($tty)" grep -Eqx '/dev/pts/[0-9]+' <<<"$tty"
	sr_check_eq "S12-pty: the login shell's tty" "\"$tty\"" "$(sc_cmd_rec "$s" '["-bash"]' | jq -c .tty)"
	sr_check_eq "S12-pty: the typed command's tty" "\"$tty\"" \
		"$(sc_cmd_rec "$s" '["/bin/echo","s12-typed"]' | jq -c .tty)"
fi

# ---- S13 -----------------------------------------------------------------
M=6
script=$SR_T/s13.script
{
	for c in $(seq 0 $((M - 1))); do echo "/bin/echo s13-$SC_TAG-$c"; done
	echo "cat /etc/hostname"
	echo "sh -c 'id -u >/dev/null' s13-$SC_TAG-sh"
} >"$script"
sc_mark
sc_drive -u "$UA" -n 3 -f "$script" >/dev/null &
pa=$!
sc_drive -u "$UB" -n 3 -f "$script" >/dev/null &
pb=$!
wait "$pa" || sr_fail "S13: user $UA's sessions failed (sshdrive above)"
wait "$pb" || sr_fail "S13: user $UB's sessions failed (sshdrive above)"
new=$(sc_new_sids)
sr_check_eq "S13: 6 new sessions" 6 "$(grep -c . <<<"$new")"
for u in "$UA" "$UB"; do
	uid=$(id -u "$u")
	sids=$(sr_sql "SELECT sid FROM sessions WHERE login = '$u'")
	sr_check_eq "S13: 3 sessions of $u" 3 "$(grep -c . <<<"$sids")"
	for s in $sids; do
		sc_wait_end "S13 $u" "$s" 30 || continue
		sc_check_integrity "S13 $u $s" "$s" "$u"
		for c in $(seq 0 $((M - 1))); do
			sc_check_cmd "S13 $u $s" "$s" 1 /bin/echo "s13-$SC_TAG-$c"
		done
		sc_check_cmd "S13 $u $s" "$s" 1 cat /etc/hostname
		sc_check_cmd "S13 $u $s" "$s" 1 sh -c 'id -u >/dev/null' "s13-$SC_TAG-sh"
		sc_check_cmd "S13 $u $s" "$s" 1 id -u
		sr_check_eq "S13 $u $s: every command ran as uid $uid and gid of $u" "" \
			"$(sc_jl "$s" 'select(.event == "session.command" and (.proc_uid != $u or .proc_gid != $g)) | .argv' \
				--argjson u "$uid" --argjson g "$(id -g "$u")")"
		sr_check_eq "S13 $u $s: SQLite processes rows all have uid $uid" "" \
			"$(sr_sql "SELECT a.argv FROM processes p JOIN sessions s ON s.id = p.session_id
				JOIN argvs a ON a.id = p.argv WHERE s.sid = '$s' AND p.uid != $uid")"
	done
done
sr_check_eq "S13: each echo is recorded 6 times in all (JSONL)" 6 \
	"$(sr_jl 'select(.event == "session.command" and .argv == ["/bin/echo", $m])' --arg m "s13-$SC_TAG-0" | wc -l)"

sc_check_jsonl_valid "all"
sr_finish
