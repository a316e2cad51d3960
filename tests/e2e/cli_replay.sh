#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec replay in a real terminal (tmux, its own server socket): commands
# appear over time with tree indentation and outcomes, a recorded OSC title
# sequence does not reach the terminal, --step waits for keys, and the
# terminal mode is restored after q and after Ctrl-C. Needs no root.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-cli-replay.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
command -v tmux >/dev/null || sr_die "tmux missing (scripts/deps.sh installs it)"
GEN=$SR_TOP_BUILDDIR/tests/bench/gen_db
"$GEN" -o "$SR_T/g.db" -n 3 -e 120 --hostile ||
	sr_die "gen_db failed"
A=$(sqlite3 -readonly "$SR_T/g.db" "SELECT sid FROM sessions WHERE login='alice'")
B=$(sqlite3 -readonly "$SR_T/g.db" "SELECT sid FROM sessions WHERE login='bob'")
TM=(tmux -L "sshrec-test-$$" -f /dev/null)
SR_CLEANUP_HOOKS+=("${TM[*]} kill-server 2>/dev/null")
SH="env LANG=C.UTF-8 TERM=xterm-256color SSHREC_DB=$SR_T/g.db $SR_SSHREC"

# run WINDOW COMMAND: start COMMAND in a new 160x50 window; it then records
# the terminal mode, prints its exit code and idles. The mode is written
# before EXIT- is printed, so a test that saw EXIT- reads a complete file.
run() {
	local w=$1
	shift
	local cmd="$*; rc=\$?; stty -a >$SR_T/stty.$w; echo EXIT-$w=\$rc; sleep 120"
	if "${TM[@]}" has-session -t t 2>/dev/null; then
		"${TM[@]}" new-window -t t -n "$w" "$cmd"
	else
		"${TM[@]}" new-session -d -s t -n "$w" -x 160 -y 50 "$cmd"
	fi
}
# cooked FILE: `stty -a` output of a terminal in canonical mode with echo
cooked() {
	test -s "$1" && grep -Eq '(^| )icanon( |;|$)' "$1" && grep -Eq '(^| )echo( |;|$)' "$1" &&
		! grep -Eq '(^| )-(icanon|echo)( |;|$)' "$1"
}
cap() { "${TM[@]}" capture-pane -p -t "t:$1" -S -200; }
wait_for() { # wait_for WINDOW PATTERN [TENTHS]
	local i
	for i in $(seq 1 "${3:-100}"); do
		cap "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# ---- live playback: bob's session is 43 s, at 20x about 2.2 s -----------------
run live "$SH replay $B --speed 20"
sleep 0.6
cap live >"$SR_T/early"
sr_check "replay: header first" grep -qF "replay of session $B: bob from 192.0.2.11" "$SR_T/early"
sr_check "replay: commands appear over time (not all at once)" \
	test "$(grep -c '▶' "$SR_T/early")" -lt "$(sqlite3 -readonly "$SR_T/g.db" "SELECT count(*) FROM processes p JOIN sessions s ON s.id=p.session_id WHERE s.sid='$B'")"
sr_check "replay: runs to the end" wait_for live "EXIT-live=0" 80
cap live >"$SR_T/live"
sr_check "replay: a command with its tree indentation" grep -Eq '^\[\+00:[0-9]{2}\.[0-9]{3}\] │ │ ▶ id  \(pid [0-9]+\)$' "$SR_T/live"
sr_check "replay: pipeline members shown as they started" grep -Eq '│ ▶ base64 -d  \(pid' "$SR_T/live"
sr_check "replay: outcome when a program exits" grep -Eq '│   ↳ killed by SIGKILL after .* sleep$' "$SR_T/live"
sr_check "replay: failed exec" grep -Eq '▶ nosuchcmd --flag  \(pid [0-9]+\)  exec failed: ENOENT' "$SR_T/live"
sr_check "replay: end marker" grep -qF -- "-- end of session (ended)" "$SR_T/live"
sr_check "replay: the ssh session's exit of the login shell" grep -Eq '^\[\+00:[0-9]{2}\.[0-9]{3}\]   ↳ exit 0 after .* bash$' "$SR_T/live"

# ---- hostile strings stay inert in a terminal -------------------------------
"${TM[@]}" select-window -t t:live
run hostile "$SH replay $A --speed 1000"
sr_check "replay (hostile): finishes" wait_for hostile "EXIT-hostile=0" 80
sr_check "replay (hostile): the OSC sequence is shown as text" wait_for hostile "printf '\\e]0;pwned\\x07'" 10
sr_check_eq "replay (hostile): the pane title was not changed" "" \
	"$("${TM[@]}" display-message -p -t t:hostile '#{pane_title}' | grep -F pwned)"

# ---- --step: one command per key, q quits, terminal restored -------------------
run step "$SH replay $B --step"
sr_check "step: waits for a key before the first command" wait_for step "step mode: any key" 50
sleep 0.3
sr_check_eq "step: nothing played before a key" 0 "$(cap step | grep -c '▶')"
"${TM[@]}" send-keys -t t:step ' '
wait_for step "▶ -bash" 30
sleep 0.2
sr_check_eq "step: one key, one command" 1 "$(cap step | grep -c '▶')"
"${TM[@]}" send-keys -t t:step x
sleep 0.4
sr_check_eq "step: keys are not echoed, next command shown" "2 0" \
	"$(cap step | grep -c '▶') $(cap step | grep -c '^x')"
"${TM[@]}" send-keys -t t:step q
sr_check "step: q stops the replay" wait_for step "EXIT-step=0" 30
sr_check "step: replay says it stopped" wait_for step "-- replay stopped" 5
sr_check "step: terminal back in canonical mode with echo" cooked "$SR_T/stty.step"

# ---- SIGINT in step mode (what Ctrl-C sends) restores the terminal too ---------
run intr "sh -c 'echo \$\$ >$SR_T/intr.pid; exec $SH replay $B --step'"
wait_for intr "step mode: any key" 50
kill -INT "$(cat "$SR_T/intr.pid")"
sr_check "SIGINT: the replay ends by SIGINT" wait_for intr "EXIT-intr=130" 30
sr_check "SIGINT: terminal restored (icanon, echo)" cooked "$SR_T/stty.intr"

sr_finish
