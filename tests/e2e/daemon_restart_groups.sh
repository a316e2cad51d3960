#!/usr/bin/env bash
# A per-group class override survives a restart: with disk off globally and
# on for the group root, a restored session of root keeps recording opens
# (restore used to work classes out from the login alone, without groups).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
printf 'disk = off\ndisk.group.root = all\n' >"$SR_CONF"
sr_start_daemon
sr_start_sshd

sr_ssh "/bin/cat /etc/hostname >/dev/null; while [ ! -e $SR_T/go ]; do sleep 0.05; done
	/bin/cat $SR_T/after-restart 2>/dev/null; sleep 0.5" >/dev/null 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=$(sr_wait_sid root) || exit 99
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
for _ in $(seq 1 50); do
	n=$(sr_sql "SELECT COUNT(*) FROM events e JOIN paths d ON d.id = e.path
		WHERE e.session_id=$key AND e.kind = 3 AND d.path = '/etc/hostname'")
	[ "$n" -gt 0 ] && break
	sleep 0.1
done
sr_check "before the restart: the group override records opens" [ "$n" -gt 0 ]
sr_stop_daemon KILL
sr_start_daemon
touch "$SR_T/go"
wait "$ssh_pid"
sr_check "session ended after the restart" sr_wait_ended "$sid" 20
sr_check_exits_stored "$key"
sr_check_eq "after the restart: the open is recorded (group override kept)" 1 \
	"$(sr_sql "SELECT COUNT(*) FROM events e JOIN paths d ON d.id = e.path
		WHERE e.session_id=$key AND e.kind = 3 AND d.path = '$SR_T/after-restart'")"
sr_finish
