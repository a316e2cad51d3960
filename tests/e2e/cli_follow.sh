#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sshrec timeline --follow and sessions --active --follow against a live
# interactive login (sshd + pam_sshrec + sshrecd, typed through a pty by
# sshdrive): the records and the session's row appear while the login is
# still running (it waits for this test between two commands), the timeline
# follower exits 0 by itself when the session ends, the sessions follower
# stops on SIGINT (130) and SIGTERM (143). Filters and --json (one record
# per line) as in timeline.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
# a fresh user: a login shell that starts at once (root's dotfiles here run pyenv init)
U=srfo$$
sc_add_user "$U"
sc_start
W=$SC_W
R() { "$SR_SSHREC" --db "$SR_DB" --color never "$@"; }
# in the background: the job's pid is sshrec's own (signals reach it)
RB() { exec "$SR_SSHREC" --db "$SR_DB" --color never "$@"; }

# wait_for FILE ERE [SECONDS]: a line of FILE matches (a bound for a loaded
# machine, not a latency check: make bench-follow measures that)
wait_for() {
	local i
	for i in $(seq 1 $((${3:-60} * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# wait_exit PID [SECONDS]: the exit status of PID, 124 when it still runs
wait_exit() {
	local i
	for i in $(seq 1 $((${2:-20} * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && return 124
	wait "$1"
}
state() { sr_sql "SELECT state FROM sessions WHERE sid='$1'"; }

RB sessions --active --follow >"$SR_T/sf.txt" 2>"$SR_T/sf.err" &
SF=$!
RB sessions --active --follow --json >"$SR_T/sfj.txt" 2>"$SR_T/sfj.err" &
SFJ=$!
SR_PIDS+=("$SF" "$SFJ")
sr_check "sessions --active --follow prints its header before any session" \
	wait_for "$SR_T/sf.txt" '^SID +LOGIN +FROM +TTY +KEY +START +DURATION' 10

sc_drive -u "$U" --pty -c '/bin/echo follow-one' -c "while [ ! -e $W/go ]; do sleep 0.2; done" \
	-c '/bin/echo follow-two' >/dev/null &
DRV=$!
SR_PIDS+=("$DRV")
SID=$(sr_wait_sid "$U")
RB timeline "$SID" --follow >"$SR_T/tf.txt" 2>"$SR_T/tf.err" &
TF=$!
RB timeline "${SID:0:8}" --follow --json --type command --grep 'follow-(one|two)' >"$SR_T/tfj.txt" 2>"$SR_T/tfj.err" &
TFJ=$!
SR_PIDS+=("$TF" "$TFJ")

sr_check "timeline --follow: the first command appears while the login runs" \
	wait_for "$SR_T/tf.txt" "exec +/bin/echo follow-one  \\(cwd /home/$U\\)\$"
sr_check "timeline --follow --json: its record appears as one JSON line" \
	wait_for "$SR_T/tfj.txt" '"argv":\["follow-one"\],"argv0":"/bin/echo"'
sr_check "sessions --follow: the login's row, active, while it runs" \
	wait_for "$SR_T/sf.txt" "^$SID +$U +127\.0\.0\.1:[0-9]+ +(-|pts/[0-9]+) +SHA256:.* active "
sr_check "sessions --follow --json: the login, active" \
	wait_for "$SR_T/sfj.txt" "\"sid\":\"$SID\".*\"state\":\"active\""
sr_check "the login is still running (it waits for this test)" test "$(state "$SID")" != ended
sr_check "timeline --follow: the second command has not run yet" sh -c "! grep -q follow-two '$SR_T/tf.txt'"
wait_exit "$TF" 0
sr_check_eq "timeline --follow is still running" 124 $?

: >"$W/go"
wait_exit "$DRV" 60 || sr_fail "the typed login failed or hung (sshdrive)"
wait_exit "$TF" 30
sr_check_eq "timeline --follow exits 0 by itself when the session ends" 0 $?
wait_exit "$TFJ" 30
sr_check_eq "timeline --follow --json exits 0 too" 0 $?
sr_check_eq "the session ended" ended "$(state "$SID")"
sr_check "timeline --follow: the second command" grep -qE "exec +/bin/echo follow-two  \\(cwd /home/$U\\)\$" "$SR_T/tf.txt"
sr_check "timeline --follow: the session's end is its last line" \
	sh -c "tail -n 1 '$SR_T/tf.txt' | grep -qE ' end +session ended: [0-9]+ commands'"
sr_check_eq "timeline --follow printed what timeline prints" "$(R timeline "$SID")" "$(cat "$SR_T/tf.txt")"
sr_check_eq "timeline --follow --json: the filtered records, one per line" \
	'["session.command",["/bin/echo","follow-one"]] ["session.command",["/bin/echo","follow-two"]]' \
	"$(jq -c '[.event, [.argv0] + .argv]' "$SR_T/tfj.txt" | tr '\n' ' ' | sed 's/ $//')"
sr_check_eq "timeline --follow --json: the same records as timeline --json" \
	"$(R timeline "$SID" --json --type command --grep 'follow-(one|two)' | jq -c '.[]')" "$(cat "$SR_T/tfj.txt")"

sr_check "sessions --follow: a second row for the login when it ended, with its duration" \
	wait_for "$SR_T/sf.txt" "^$SID +$U .*  [0-9]+(\.[0-9])? (ms|s)  +[0-9]+ +[0-9]+ +[0-9]+ +0 +0$"
sr_check_eq "sessions --follow: exactly two rows for the login" 2 "$(grep -c "^$SID " "$SR_T/sf.txt")"
sr_check "sessions --follow --json: the login, ended" \
	wait_for "$SR_T/sfj.txt" "\"sid\":\"$SID\".*\"state\":\"ended\""
sr_check_eq "sessions --follow --json: the login as active, then as ended" "active ended" \
	"$(jq -r --arg s "$SID" 'select(.sid == $s) | .state' "$SR_T/sfj.txt" | tr '\n' ' ' | sed 's/ $//')"
kill -INT "$SF"
wait_exit "$SF" 10
sr_check_eq "sessions --follow stops on SIGINT (Ctrl-C) with 130" 130 $?
kill -TERM "$SFJ"
wait_exit "$SFJ" 10
sr_check_eq "sessions --follow stops on SIGTERM with 143" 143 $?
sr_check "the followers wrote no error" sh -c "! cat '$SR_T'/*.err | grep -q ."

# an ended session: everything at once, then exit 0
timeout 20 "$SR_SSHREC" --db "$SR_DB" --color never timeline "$SID" --follow >"$SR_T/again.txt"
sr_check_eq "timeline --follow of an ended session prints it and exits 0" "0 $(R timeline "$SID" | md5sum)" \
	"$? $(md5sum <"$SR_T/again.txt")"
sr_check_eq "timeline --follow of an unknown session is an error" 1 \
	"$(timeout 20 "$SR_SSHREC" --db "$SR_DB" timeline 12345678 --follow 2>/dev/null; echo $?)"
sr_finish
