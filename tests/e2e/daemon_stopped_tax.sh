#!/usr/bin/env bash
# A stopped daemon must not leave the host taxed for good. On the tracepoint
# backend the on-demand syscall tracepoints stay pinned while sshrecd is down
# (a restart loses nothing), but only while recorded processes live and at
# most syscall_linger_stopped; a watcher forked at shutdown removes them.
# The hook backends' on-demand programs (a trampoline on every open: the
# fexit on do_filp_open, the file_open hook of BPF LSM or fentry) follow the
# same rules.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
sr_start_daemon
sr_start_sshd
backend=$("$SR_SSHREC" --socket "$SR_SOCK" status --json |
	"$SR_PY" -c 'import json,sys; print(json.load(sys.stdin)["capture"]["backend"])')
ABI=$(sed -n 's/^#define SR_EVENTS_ABI_VERSION \([0-9]*\).*/\1/p' "$SR_TOP_SRCDIR/bpf/events.h")
links=$SR_PIN/v$ABI/$backend
demand_links() {
	ls "$links" 2>/dev/null | grep -cE '^link_sr_((enter|exit|compat)_|fcx?_|fexit_filp_open$|fentry_file_open$|lsm_file_open$|(lsm|fe)_(unlink|rmdir|rename|link|symlink|mkdir|mknod|chmod|chown|f?truncate)$)'
}

# A watcher is gone when it exited, even if nobody reaped it yet (zombie).
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
gone() { ! alive "$1"; }
# sr_start_daemon, then wait until the new daemon says it is ready (the old
# socket file may still be there).
start_ready() {
	local n i
	n=$(grep -c 'ready on' "$SR_T/sshrecd.log")
	sr_start_daemon
	for i in $(seq 1 100); do
		[ "$(grep -c 'ready on' "$SR_T/sshrecd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	sr_die "sshrecd did not get ready"
}
# Number of session rows.
nsess() { sr_sql "SELECT COUNT(*) FROM sessions"; }

# Wait (up to $1 s) for the pid of the linger watcher in the daemon log.
watcher_pid() {
	sr_wait_log 'linger watcher pid [0-9]+' "$1" || return 1
	grep -Eo 'linger watcher pid [0-9]+' "$SR_T/sshrecd.log" | tail -n 1 | awk '{print $4}'
}

sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done; cat /etc/hostname >/dev/null;
	/bin/echo linger-m1 >/dev/null; while [ ! -e $SR_T/go2 ]; do sleep 0.05; done" \
	>"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
sid=$(sr_wait_sid root) || exit 99
if [ "$backend" != tracepoint ]; then
	sr_check_eq "$backend backend: no syscall tracepoints while a session records disk" \
		0 "$(ls "$links" | grep -cE '^link_sr_((enter|exit|compat)_|fcx?_)')"
fi
sr_check "on-demand programs attached for the session" test "$(demand_links)" -gt 0
sr_stop_daemon
wpid=$(watcher_pid 5) || sr_die "no linger watcher after the stop"
SR_PIDS+=("$wpid")
sleep 1.5
sr_check "watcher alive and the on-demand links still pinned while the session lives" \
	sh -c "test -d /proc/$wpid && test $(demand_links) -gt 0"

# what the session does while sshrecd is down is recorded once it is back
touch "$SR_T/go"
sleep 0.5
start_ready
for _ in $(seq 1 30); do alive "$wpid" || break; sleep 0.1; done
sr_check "the watcher left when sshrecd came back" gone "$wpid"
sr_check "links kept for the restarted daemon" test "$(demand_links)" -gt 0
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
for _ in $(seq 1 50); do
	n=$(sr_sql "SELECT COUNT(*) FROM events e JOIN paths d ON d.id = e.path WHERE
		e.session_id=$key AND e.kind = 3 AND d.path='/etc/hostname'") # session.disk
	[ "$n" -gt 0 ] && break
	sleep 0.1
done
sr_check "the open made while sshrecd was down is recorded" test "$n" -gt 0

# stopped again; the session ends while nobody runs: the watcher detaches them
sr_stop_daemon
wpid=$(watcher_pid 5) || sr_die "no linger watcher after the second stop"
SR_PIDS+=("$wpid")
touch "$SR_T/go2"
wait "$ssh_pid"
for _ in $(seq 1 60); do [ "$(demand_links)" = 0 ] && break; sleep 0.1; done
sr_check_eq "session over while sshrecd is down: on-demand links removed" 0 "$(demand_links)"
sr_check "core links (exec) stay pinned" test -e "$links/link_sr_exec"
for _ in $(seq 1 30); do alive "$wpid" || break; sleep 0.1; done
sr_check "the watcher exited" gone "$wpid"
sr_check "it said why" sr_wait_log 'detached \(no recorded process is alive\)' 1

# a session that outlives syscall_linger_stopped: the tax ends anyway, loudly
echo "syscall_linger_stopped = 2s" >>"$SR_CONF"
start_ready
n=$(nsess)
sr_ssh "while [ ! -e $SR_T/go3 ]; do sleep 0.05; done" >"$SR_T/ssh3.out" 2>&1 &
ssh_pid=$!
for _ in $(seq 1 100); do [ "$(nsess)" -gt "$n" ] && break; sleep 0.1; done
sr_check "a third session is recorded" test "$(nsess)" -gt "$n"
for _ in $(seq 1 100); do [ "$(demand_links)" -gt 0 ] && break; sleep 0.1; done
sr_stop_daemon
wpid=$(watcher_pid 5) || sr_die "no linger watcher after the third stop"
SR_PIDS+=("$wpid")
for _ in $(seq 1 80); do [ "$(demand_links)" = 0 ] && break; sleep 0.1; done
sr_check_eq "syscall_linger_stopped over with the session alive: links removed" 0 "$(demand_links)"
sr_check "and the log says what is not recorded" \
	sr_wait_log 'syscall_linger_stopped is over: opens and failed execs .* NOT recorded' 2
touch "$SR_T/go3"
wait "$ssh_pid"
sr_finish
