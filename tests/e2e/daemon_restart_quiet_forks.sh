#!/usr/bin/env bash
# kill -9 right after a round of the daemon that read only fork events. A
# session's last record is stored; then a subshell (which never execs) forks
# a child that waits on a fifo, and nothing else is recorded (the pids go out
# through descriptors opened before). sshrecd reads those forks, is killed,
# started again, and only then does the child exec: it must keep its parent,
# the shell's image, in SQLite and in JSON lines.
# (Before: a flush with no record stored nothing, but the ring's consumer
# moved past the forks all the same; the restart read on from there with the
# forks of the last commit, and the child came out without a parent. This
# is how daemon_backlog_kill lost parents, about 1 run in 4.)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
sr_start_daemon
sr_start_sshd

cat >"$SR_T/run.sh" <<'EOF'
d=$(dirname "$0")
while [ ! -e "$d/go" ]; do sleep 0.05; done
exec 3>"$d/sub.pid" 4>"$d/a.pid" 5<>"$d/idle"
/bin/true quiet-forked
# a second without a record (a read that times out): the daemon stores the
# last records apart from what follows
read -r -t 1 -u 5 _
# from here on, forks and writes to open descriptors only: no record (not
# even a background job's open of /dev/null); the fifo's open returns later
( echo $BASHPID >&3
  ( echo $BASHPID >&4; read -r _ <"$d/fa"; exec /bin/echo quiet-a )
  : )
EOF
mkfifo "$SR_T/fa" "$SR_T/idle"
sr_ssh "/bin/bash $SR_T/run.sh quiet-shell" >"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=$(sr_wait_sid root) || exit 99
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
touch "$SR_T/go"
for _ in $(seq 1 300); do
	[ "$(sr_sql_commands_with "$key" quiet-forked)" = 1 ] && break
	sleep 0.1
done
sr_check_eq "quiet-forked stored before the kill" 1 "$(sr_sql_commands_with "$key" quiet-forked)"
for f in sub a; do
	for _ in $(seq 1 100); do [ -s "$SR_T/$f.pid" ] && break; sleep 0.1; done
	[ -s "$SR_T/$f.pid" ] || sr_die "no $f.pid"
done
# the daemon reads what waits in the ring every 200 ms: the forks
sleep 2
sr_stop_daemon KILL
sr_start_daemon
timeout 10 sh -c "echo go >'$SR_T/fa'" || sr_fail "nobody read fa"
wait "$ssh_pid"
sr_check "session ended after the restart" sr_wait_ended "$sid" 30
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"

shell=$(sr_sql "SELECT p.id FROM processes p JOIN argvs a ON a.id = p.argv
	WHERE p.session_id = $key AND a.argv LIKE '%\"quiet-shell\"%'")
sr_check_eq "the child's row: pid, ppid (the subshell), parent the shell's image" \
	"$(cat "$SR_T/a.pid") $(cat "$SR_T/sub.pid") $shell" \
	"$(sr_sql "SELECT p.pid, p.ppid, COALESCE(p.parent_id, 0) FROM processes p
		JOIN argvs a ON a.id = p.argv WHERE p.session_id = $key AND
		a.argv LIKE '%\"quiet-a\"%'" | tr '|' ' ')"
sr_check_eq "JSON lines: the child's pid and parent_process_id" "$(cat "$SR_T/a.pid") $shell" \
	"$(sr_jl "select(.sid == \"$sid\" and .event == \"session.command\" and
		(.argv | index([\"quiet-a\"]))) | \"\(.pid) \(.parent_process_id)\"" -r | sort -u)"
sr_check_exits_stored "$key"
sr_finish
