#!/usr/bin/env bash
# The process tree across a daemon restart. In a session, a shell forks
# children that wait on fifos; sshrecd correlates the forks, SQLite commits
# a ring position past them (a later command is stored), sshrecd is stopped
# (kill -9, or SIGTERM) and started again, and only then do the children
# exec. Each exec'd program must keep its parent, the image it was forked
# from, with the exact ids, in SQLite, in JSON lines and in `sshrec tree`:
#   a: forked by a subshell that never execs (so no process row of its own),
#      its parent is the shell's image;
#   b: forked by the shell itself;
#   c: an orphan: its parent (sh) exited before the exec.
# The fork events are behind the restored ring position, so a restart knows
# those children only from what the previous daemon stored (restore.c).
# A third round holds the database lock across the forks (lib.sh
# sr_lock_db) and kill -9s: there the forks stay in the ring buffer.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
sr_start_daemon
sr_start_sshd

# the session's script; @V@ is the round's name, in every marker
cat >"$SR_T/run.sh.in" <<'EOF'
d=$(dirname "$0")
while [ ! -e "$d/go" ]; do sleep 0.05; done
echo $$ >"$d/shell.pid"
# a: a subshell (never execs) forks the waiting child
( echo $BASHPID >"$d/sub.pid"
  ( read -r _ <"$d/fa"; exec /bin/echo tree-a-@V@ ) &
  echo $! >"$d/a.pid"; wait ) &
# b: the shell's own child waits
( read -r _ <"$d/fb"; exec /bin/echo tree-b-@V@ ) &
echo $! >"$d/b.pid"
# c: sh forks the waiting child and exits: an orphan
/bin/sh -c '( read -r _ <"$1/fc"; exec /bin/echo tree-c-@V@ ) & echo $! >"$1/c.pid"' tree-orphan-@V@ "$d"
/bin/true tree-forked-@V@
wait
EOF

# id, pid, ppid, parent_id of the processes row whose argv holds $2, in session key $1
row() {
	sr_sql "SELECT p.id, p.pid, p.ppid, COALESCE(p.parent_id, 0) FROM processes p
		JOIN argvs a ON a.id = p.argv WHERE p.session_id = $1 AND a.argv LIKE '%\"$2\"%'" |
		tr '|' ' '
}

# round NAME KILL|TERM [lock]
round() {
	local v=$1 sig=$2 lock=${3:-} d=$SR_T/$1 sid key i f
	mkdir "$d"
	mkfifo "$d/fa" "$d/fb" "$d/fc"
	sed "s/@V@/$v/g" "$SR_T/run.sh.in" >"$d/run.sh"
	sr_ssh "/bin/bash $d/run.sh tree-shell-$v" >"$d/ssh.out" 2>&1 &
	local ssh_pid=$!
	SR_PIDS+=("$ssh_pid")
	for i in $(seq 1 100); do
		sid=$(sr_sql "SELECT s.sid FROM sessions s JOIN processes p ON p.session_id = s.id
			JOIN argvs a ON a.id = p.argv WHERE a.argv LIKE '%\"tree-shell-$v\"%'" 2>/dev/null)
		[ -n "$sid" ] && break
		sleep 0.1
	done
	[ -n "$sid" ] || sr_die "$v: no session ran tree-shell-$v"
	key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
	[ -n "$lock" ] && sr_lock_db
	touch "$d/go"
	if [ -n "$lock" ]; then
		# SQLite cannot commit: the forks and the marker stay in the ring buffer
		for i in $(seq 1 300); do grep -q "\"tree-forked-$v\"" "$SR_JSONL" && break; sleep 0.1; done
		sr_check "$v: JSON lines got tree-forked-$v while SQLite is locked" \
			grep -q "\"tree-forked-$v\"" "$SR_JSONL"
	else
		# SQLite committed a ring position past the forks
		for i in $(seq 1 300); do
			[ "$(sr_sql_commands_with "$key" "tree-forked-$v")" = 1 ] && break
			sleep 0.1
		done
		sr_check_eq "$v: tree-forked-$v stored before the restart" 1 \
			"$(sr_sql_commands_with "$key" "tree-forked-$v")"
	fi
	for f in shell sub a b c; do
		for _ in $(seq 1 100); do [ -s "$d/$f.pid" ] && break; sleep 0.1; done
		[ -s "$d/$f.pid" ] || sr_die "$v: no $f.pid"
	done
	sr_check_eq "$v: the children have not exec'd before the restart" 0 \
		"$(grep -c "\"tree-[abc]-$v\"" "$SR_JSONL")"
	sr_stop_daemon "$sig"
	[ -n "$lock" ] && sr_unlock_db
	sr_start_daemon
	for f in fa fb fc; do
		timeout 10 sh -c "echo go >'$d/$f'" || sr_fail "$v: nobody read $f"
	done
	wait "$ssh_pid"
	sr_check "$v: session ended after the restart" sr_wait_ended "$sid" 30

	local shell sub orphan a b c
	shell=$(row "$key" "tree-shell-$v")
	orphan=$(row "$key" "tree-orphan-$v")
	sub=$(cat "$d/sub.pid")
	sr_check_eq "$v: the shell's row (pid)" "$(cat "$d/shell.pid")" "$(cut -d' ' -f2 <<<"$shell")"
	a=$(row "$key" "tree-a-$v")
	b=$(row "$key" "tree-b-$v")
	c=$(row "$key" "tree-c-$v")
	sr_check_eq "$v: a (forked by a subshell): pid, ppid, parent the shell's image" \
		"$(cat "$d/a.pid") $sub ${shell%% *}" "$(cut -d' ' -f2- <<<"$a")"
	sr_check_eq "$v: b (forked by the shell): pid, ppid, parent the shell's image" \
		"$(cat "$d/b.pid") $(cat "$d/shell.pid") ${shell%% *}" "$(cut -d' ' -f2- <<<"$b")"
	sr_check_eq "$v: c (orphan): pid, parent the exited sh's image" \
		"$(cat "$d/c.pid") ${orphan%% *}" "$(cut -d' ' -f2,4 <<<"$c")"
	# every image that ran has its exit on its own row: a, b and c exit 0 after
	# the restart, and no row is left open but one exec'd over by its own pid
	for f in a b c; do
		sr_check_eq "$v: $f's row has its exit (end, exit code)" "1 0" \
			"$(sr_sql "SELECT end_us IS NOT NULL, exit_code FROM processes
				WHERE id = $(cut -d' ' -f1 <<<"${!f}")" | tr '|' ' ')"
	done
	sr_check_exits_stored "$key" "$v"
	# JSON lines: process_id and parent_process_id of the session.command records
	for f in a b c; do
		local want=${shell%% *} got
		[ $f = c ] && want=${orphan%% *}
		got=$(sr_jl "select(.sid == \"$sid\" and .event == \"session.command\" and
			(.argv | index([\"tree-$f-$v\"]))) | \"\(.pid) \(.parent_process_id)\"" -r | sort -u)
		sr_check_eq "$v: JSON lines: $f's pid and parent_process_id" "$(cat "$d/$f.pid") $want" "$got"
	done
	# sshrec tree: each under its parent, one level deeper
	"$SR_SSHREC" --db "$SR_DB" tree "$sid" --json >"$d/tree.json" || sr_fail "$v: sshrec tree failed"
	for f in a b c; do
		local p=${shell%% *}
		[ $f = c ] && p=${orphan%% *}
		sr_check_eq "$v: sshrec tree: $f under its parent" "$(cat "$d/$f.pid") $p yes" \
			"$(jq -r --argjson p "$p" --arg m "tree-$f-$v" '.processes as $all |
				.processes[] | select(.argv | index([$m])) |
				"\(.pid) \(.parent_id) \(if .depth == ($all[] | select(.id == $p) | .depth) + 1
					then "yes" else "no" end)"' "$d/tree.json")"
	done
	"$SR_SSHREC" --db "$SR_DB" tree "$sid" >"$d/tree.txt" 2>&1
	sr_log "$v: the tree's lines of run.sh:
$(grep -E "run\.sh|tree-[a-z]+-$v" "$d/tree.txt")"
}

round kill KILL
round term TERM
round lock KILL lock
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"
sr_finish
