#!/usr/bin/env bash
# systemd logind scope adoption, simulated: a pre-created
# <cgroup2>/sshrec-test-<id>.slice/session-<n>.scope and a pam_exec step before
# pam_sshrec that moves sshd into it (as pam_systemd would). pam_sshrec must
# adopt the scope (not move the process out, not create its own cgroup), the
# session row must name the scope, and the scope must survive the session end.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
CG=$(sr_cgroup2)
N=$((RANDOM % 9000 + 1000))
SLICE=/sshrec-test-$SR_ID.slice
SCOPE=$SLICE/session-$N.scope
mkdir -p "$CG$SCOPE" || sr_die "cannot create $CG$SCOPE"
SR_PAM_CLEANUP+=("sr_kill_cgroup '$CG$SCOPE'; rmdir '$CG$SLICE' 2>/dev/null")
cat >"$SR_T/enter-scope.sh" <<SH
#!/bin/sh
# pam_exec child: move the sshd that runs the PAM stack (our parent) into the scope
echo \$PPID >"$CG$SCOPE/cgroup.procs"
SH
chmod 755 "$SR_T/enter-scope.sh"
SR_PAM_EXTRA="session    required     pam_exec.so $SR_T/enter-scope.sh"

sr_start_daemon
SR_PAM_OPTS="socket=$SR_SOCK fail=closed" sr_start_sshd
out=$(sr_ssh 'echo "SID=$SSHREC_SID"; echo "CG=$(sed -n "s/^0:://p" /proc/self/cgroup)"; echo "PPID=$PPID"')
sr_check_eq "login succeeds" 0 "$?"
sid=$(sed -n 's/^SID=//p' <<<"$out")
cg=$(sed -n 's/^CG=//p' <<<"$out")
ppid=$(sed -n 's/^PPID=//p' <<<"$out")
sr_check_eq "the shell runs in the logind scope" "$SCOPE" "$cg"
row=$(sr_sql "SELECT cgroup_path, cgroup_id FROM sessions WHERE sid='$sid'")
sr_check_eq "the session row names the scope" "$SCOPE" "${row%%|*}"
sr_check_eq "the session row has the scope's cgroup id" "$(stat -c %i "$CG$SCOPE")" "${row#*|}"
sr_check "no sshrec cgroup was created for this login" \
	bash -c "! ls -d '$CG/sshrec/s-$ppid-'* >/dev/null 2>&1"
sr_check "the session ends" sr_wait_ended "$sid" 20
sleep 0.5
sr_check "the adopted scope is not removed at session end" [ -d "$CG$SCOPE" ]
sr_finish
