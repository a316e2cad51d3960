#!/usr/bin/env bash
# The bound of the SQLite backlog kept in the ring buffer (sshrecd(8)): a
# small ring buffer (64K), the database locked by a second writer while a
# session runs commands. Once the events kept pass half the ring, sshrecd
# advances the ring again and says that a kill -9 would now lose the
# backlog: in its log, in status (kill9_safe false, counted) and in sshrec
# status. When the lock goes, the backlog is stored and it says so again.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
echo "ringbuf_size = 64K" >>"$SR_CONF"
sr_start_daemon
sr_start_sshd

# the SQLite sink in sshrecd's status: "ok=... held=... safe=... unsafe=..."
sq_status() {
	"$SR_SSHREC" --socket "$SR_SOCK" status --json | jq -r '.sinks[] | select(.name == "sqlite") |
		"ok=\(.ok) held=\(.ring_held_bytes) safe=\(.kill9_safe) unsafe=\(.kill9_unsafe_times)"'
}

sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done
	for i in \$(seq 1 300); do /bin/echo bound-\$i >/dev/null; done
	while [ ! -e $SR_T/bye ]; do sleep 0.05; done; /bin/echo bound-after >/dev/null" \
	>"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=$(sr_wait_sid root) || exit 99
sr_check_eq "status before: healthy, nothing held" "ok=true held=0 safe=true unsafe=0" "$(sq_status)"

sr_lock_db

touch "$SR_T/go"
sr_check "the log says the backlog outgrew the ring buffer's half" \
	sr_wait_log 'sink sqlite: its backlog outgrew half the ring buffer \(32768 bytes\)' 90
st=$(sq_status)
case $st in
"ok=false held=0 safe=false unsafe=1") sr_pass "status: past the bound, nothing held, not kill -9 safe ($st)" ;;
*) sr_fail "status: past the bound, nothing held, not kill -9 safe: got '$st'" ;;
esac
sr_check "sshrec status says a kill -9 now loses the backlog" sh -c \
	"'$SR_SSHREC' --socket '$SR_SOCK' status | grep -q '^sqlite: its backlog outgrew half the ring buffer: a kill -9 now loses it'"

sr_unlock_db
sr_check "the log says the backlog is stored" sr_wait_log 'sink sqlite: its backlog is stored' 30
sr_check_eq "status after: healthy, nothing held, kill -9 safe, counted once" \
	"ok=true held=0 safe=true unsafe=1" "$(sq_status)"
touch "$SR_T/bye"
wait "$ssh_pid"
sr_check "session ended" sr_wait_ended "$sid" 30
# (what the kernel could not queue meanwhile is counted in session.data_loss)
sr_check_eq "bound-after recorded once in SQLite" 1 \
	"$(sr_sql_commands_with "$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")" bound-after)"
sr_stop_daemon TERM || sr_fail "sshrecd exited with an error"
sr_finish
