#!/usr/bin/env bash
# systemd-logind taking the login into its scope after pam_sshrec, simulated
# (README's placement: pam_sshrec before pam_systemd in common-session). A
# pam_exec step after pam_sshrec moves sshd's session process into a fresh
# <cgroup2>/<test>/user.slice/user-<uid>.slice/session-<n>.scope, as logind
# does for pam_systemd. The session must follow it: its commands are recorded, the
# row names the scope, the move is no escape, our own cgroup is removed,
# a daemon restart in the middle loses nothing, and the session ends when
# the scope empties (the scope itself stays: it is logind's). The login is
# $SR_E2E_USER's (default root).
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
CG=$(sr_cgroup2)
user=${SR_E2E_USER:-root}
SR_USERS=$user
uid=$(id -u "$user") || sr_die "no user $user"
# under a tree of this test's own (logind's scopes may sit below a
# container's cgroup too), so concurrent runs never share a directory
TOP=/sshrec-test-$SR_ID.slice
SCOPE=$TOP/user.slice/user-$uid.slice/session-$((RANDOM % 9000 + 1000)).scope
mkdir -p "$CG$SCOPE" || sr_die "cannot create $CG$SCOPE"
SR_PAM_CLEANUP+=("sr_kill_cgroup '$CG$SCOPE'")
for d in "$TOP/user.slice/user-$uid.slice" "$TOP/user.slice" "$TOP"; do
	SR_PAM_CLEANUP+=("rmdir '$CG$d' 2>/dev/null")
done
cat >"$SR_T/logind-move.sh" <<SH
#!/bin/sh
# pam_exec child: move the sshd running the PAM stack (our parent) into the scope
echo \$PPID >"$CG$SCOPE/cgroup.procs"
SH
chmod 755 "$SR_T/logind-move.sh"
SR_PAM_AFTER="session    required     pam_exec.so $SR_T/logind-move.sh"

sr_start_daemon
SR_PAM_OPTS="socket=$SR_SOCK fail=closed" sr_start_sshd
cgid=$(stat -c %i "$CG$SCOPE")

# ---- one login: recorded in the scope ------------------------------------
out=$(sr_ssh -u "$user" 'echo "SID=$SSHREC_SID"; echo "CG=$(sed -n "s/^0:://p" /proc/self/cgroup)"; /bin/echo scope-after-cmd')
sr_check_eq "login succeeds" 0 "$?"
sid=$(sed -n 's/^SID=//p' <<<"$out")
sr_check_eq "the shell runs in the logind scope" "$SCOPE" "$(sed -n 's/^CG=//p' <<<"$out")"
sr_check "SSHREC_SID is exported" [ ${#sid} = 36 ]
sr_check "the session ends once the scope is empty" sr_wait_ended "$sid" 20
sr_check_commands_once "$sid" scope-after-cmd
row=$(sr_sql "SELECT cgroup_path, cgroup_id, n_escape FROM sessions WHERE sid='$sid'")
sr_check_eq "the session row names the scope, its id, no escape" "$SCOPE|$cgid|0" "$row"
sr_check_eq "no session.escape record in the JSON lines" 0 \
	"$(grep -F "\"sid\":\"$sid\"" "$SR_JSONL" | grep -cF '"event":"session.escape"')"
sr_check "the daemon says it followed the session into the scope" \
	sr_wait_log "session $sid: adopted logind scope $SCOPE"
orig=$(jq -r --arg s "$sid" 'select(.sid == $s and .event == "session.start") | .cgroup_path' "$SR_JSONL")
sr_check "the login started in a cgroup of pam_sshrec's own ($orig)" grep -q '^/sshrec/s-' <<<"$orig"
sr_check "that cgroup is removed" test ! -e "$CG$orig"
sr_check "the logind scope is not removed at session end" [ -d "$CG$SCOPE" ]
# the records before the move (session.start: the first cgroup) and after it
# (the scope) come back from SQLite as they were written
same_as_jsonl() {
	[ "$(grep -F "\"sid\":\"$1\"," "$SR_JSONL" | md5sum)" = \
		"$("$SR_SSHREC" --db "$SR_DB" export --sid "$1" --format jsonl | md5sum)" ]
}
sr_check "export --sid: the JSON lines, byte for byte" same_as_jsonl "$sid"

# ---- a restart of the daemon in the middle of such a session -------------
sr_ssh -u "$user" 'echo "SID=$SSHREC_SID"; /bin/echo before-restart; sleep 4; /bin/echo after-restart' \
	>"$SR_T/restart.out" 2>&1 &
ssh_pid=$!
for _ in $(seq 1 100); do grep -q '^SID=' "$SR_T/restart.out" && break; sleep 0.1; done
sid2=$(sed -n 's/^SID=//p' "$SR_T/restart.out")
sr_check "second login adopted the scope" sr_wait_log "session $sid2: adopted logind scope" 10
sr_stop_daemon
sr_start_daemon
wait "$ssh_pid"
sr_check_eq "the login across the restart succeeds" 0 "$?"
sr_check "the restarted daemon restored the session" sr_wait_log "session $sid2 restored" 5
sr_check "the session ends after the restart" sr_wait_ended "$sid2" 20
sr_check_commands_once "$sid2" before-restart after-restart
sr_check_eq "the restored row still names the scope" "$SCOPE" \
	"$(sr_sql "SELECT cgroup_path FROM sessions WHERE sid='$sid2'")"
sr_check "export --sid across the restart: the JSON lines, byte for byte" same_as_jsonl "$sid2"

sr_check "JSON lines validate" sr_validate_jsonl "$SR_JSONL"
sr_finish
