#!/usr/bin/env bash
# pam_sshrec with no daemon: fail=closed refuses the login with a clear
# LOG_ERR line in the auth log; fail=open lets it through unrecorded with a
# LOG_WARNING, and leaves no cgroup behind (the shell stays where sshd was).
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
sr_authlog_start
CG=$(sr_cgroup2)
NOSOCK=$SR_T/no-daemon.sock # nothing listens here

# --- fail=closed: refused
SR_PAM_OPTS="socket=$NOSOCK fail=closed timeout=500" sr_start_sshd
out=$(sr_ssh 'echo LOGGED-IN' 2>&1)
rc=$?
# sshd 9.x does not drop the connection when pam_open_session fails: it
# restricts the session and its child exits 254 before running anything.
sr_check "fail=closed, no daemon: ssh exits non-zero (got $rc)" [ "$rc" -ne 0 ]
sr_check "fail=closed, no daemon: no command ran" [ "${out/LOGGED-IN/}" = "$out" ]
line=$(sr_authlog_wait "sshrec: refusing login of root: recorder daemon unreachable at $NOSOCK: No such file or directory \(fail=closed\)")
sr_check "fail=closed: clear reason in the auth log" [ -n "$line" ]
sr_check "fail=closed: logged at LOG_ERR (authpriv.err = <83>)" grep -q '^<83>' <<<"$line"
[ -n "$line" ] || sr_authlog_dump

# A socket file with nobody listening: "Connection refused"
"$SR_PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])' "$NOSOCK"
sr_check "fail=closed, dead socket: refused" sr_ssh_refused
sr_check "fail=closed, dead socket: 'Connection refused' in the auth log" \
	sr_authlog_wait "refusing login of root: recorder daemon unreachable at $NOSOCK: Connection refused \(fail=closed\)"
rm -f "$NOSOCK"

# --- fail=open (the default): allowed, warned, no cgroup left
# (sshd reads its PAM service file at every login: no restart needed)
sr_write_pam "socket=$NOSOCK timeout=500"
out=$(sr_ssh 'echo "SID=${SSHREC_SID:-none}"; echo "PPID=$PPID"; sed -n "s/^0:://p" /proc/self/cgroup')
rc=$?
sr_check_eq "fail=open, no daemon: login succeeds" 0 "$rc"
sr_check_eq "fail=open: no SSHREC_SID in the session" "SID=none" "$(sed -n 1p <<<"$out")"
cg=$(sed -n 3p <<<"$out")
sr_check "fail=open: the shell is not in a sshrec cgroup (got '$cg')" [ -n "$cg" -a "${cg#/sshrec/}" = "$cg" ]
ppid=$(sed -n 's/^PPID=//p' <<<"$out")
sleep 0.2
left=$(ls -d "$CG/sshrec/s-$ppid-"* 2>/dev/null)
sr_check "fail=open: the module removed the cgroup it created (left: '$left')" [ -z "$left" ]
line=$(sr_authlog_wait "sshrec: recording unavailable for user root: recorder daemon unreachable at $NOSOCK: No such file or directory; login continues unrecorded \(fail=open\)")
sr_check "fail=open: warning in the auth log" [ -n "$line" ]
sr_check "fail=open: logged at LOG_WARNING (authpriv.warning = <84>)" grep -q '^<84>' <<<"$line"
[ -n "$line" ] || sr_authlog_dump

# --- a mistyped fail= value fails closed, and says so
sr_write_pam "socket=$NOSOCK fail=clsoed bogus_option"
sr_check "fail=clsoed (typo): refused" sr_ssh_refused
sr_check "typo reported" sr_authlog_wait 'module option "fail=clsoed": value must be "open" or "closed"; failing closed'
sr_check "unknown option reported" sr_authlog_wait 'module option "bogus_option": unknown option; ignored'
sr_finish
