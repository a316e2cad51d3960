#!/usr/bin/env bash
# pam_sshrec with a real sshd and sshrecd: the shell runs in the session
# cgroup, SSHREC_SID is exported and names the session row, the row carries
# the login, remote address and key fingerprint, the session cgroup is root
# owned and not writable by the user, and a background job that outlives the
# login keeps the session open until it exits.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
CG=$(sr_cgroup2)
U=srpam$$
sr_add_user "$U"
sr_start_daemon
SR_USERS=$U SR_PAM_OPTS="socket=$SR_SOCK" sr_start_sshd

# --- one login as root
out=$(sr_ssh 'echo "SID=${SSHREC_SID:-}"; echo "CG=$(sed -n "s/^0:://p" /proc/self/cgroup)";
	echo "PPID=$PPID"; echo "ASID=$(cat /proc/self/sessionid)"
	m=$(awk "\$9 == \"cgroup2\" { print \$5; exit }" /proc/self/mountinfo)
	echo "CGINO=$(stat -c %i "$m$(sed -n "s/^0:://p" /proc/self/cgroup)")"')
sr_check_eq "root login succeeds" 0 "$?"
sid=$(sed -n 's/^SID=//p' <<<"$out")
cg=$(sed -n 's/^CG=//p' <<<"$out")
ppid=$(sed -n 's/^PPID=//p' <<<"$out")
asid=$(sed -n 's/^ASID=//p' <<<"$out")
cgino=$(sed -n 's/^CGINO=//p' <<<"$out") # read inside the session: the cgroup goes when it ends
sr_check "SSHREC_SID is a UUID in the session ('$sid')" \
	grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$sid"
row=$(sr_sql "SELECT login, remote_addr, key_fingerprint, cgroup_path, leader_pid, cgroup_id,
	audit_session_id, auth_method, key_type, service FROM sessions WHERE sid='$sid'")
IFS='|' read -r login raddr fp dbcg leader cgid dbasid method ktype service <<<"$row"
sr_check "SSHREC_SID names a session row" [ -n "$row" ]
sr_check_eq "session row: login" root "$login"
sr_check_eq "session row: remote address" 127.0.0.1 "$raddr"
sr_check_eq "session row: key fingerprint" "$SR_KEY_FP" "$fp"
sr_check_eq "session row: auth method" publickey "$method"
sr_check_eq "session row: key type" ssh-ed25519 "$ktype"
sr_check_eq "session row: PAM service" "sshd-sshrec-test-$SR_ID" "$service"
sr_check_eq "the shell runs in the session cgroup of the row" "$dbcg" "$cg"
sr_check "the session cgroup is /sshrec/s-<sshd pid>-<random> ('$cg')" \
	grep -Eq "^/sshrec/s-$ppid-[0-9a-f]{16}$" <<<"$cg"
sr_check_eq "session row: leader pid is the sshd that opened the session" "$ppid" "$leader"
sr_check "the audit session id of the shell is set (pam_loginuid)" [ "$asid" != 4294967295 ]
sr_check_eq "session row: audit session id" "$asid" "$dbasid"
sr_check_eq "session row: cgroup id" "$cgino" "$cgid"
sr_check "session ends after logout" sr_wait_ended "$sid" 20
sr_check "the daemon removed the ended session's cgroup" \
	bash -c "for i in \$(seq 1 50); do [ -d '$CG$cg' ] || exit 0; sleep 0.1; done; exit 1"

# --- a non-root login: its cgroup is root owned and it cannot leave or write it
out=$(sr_ssh -u "$U" 'echo "SID=$SSHREC_SID"; c=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "CG=$c";
	m=$(awk "\$9 == \"cgroup2\" { print \$5; exit }" /proc/self/mountinfo)
	echo "OWNER=$(stat -c %U:%a "$m$c")"
	test -w "$m$c/cgroup.procs" && echo WRITABLE-PROCS
	test -w "$m$c" && echo WRITABLE-DIR
	echo $$ 2>/dev/null >"$m/cgroup.procs" && echo ESCAPED
	echo "AFTER=$(sed -n "s/^0:://p" /proc/self/cgroup)"')
sr_check_eq "login as $U succeeds" 0 "$?"
usid=$(sed -n 's/^SID=//p' <<<"$out")
ucg=$(sed -n 's/^CG=//p' <<<"$out")
sr_check_eq "session row: login $U" "$U" "$(sr_sql "SELECT login FROM sessions WHERE sid='$usid'")"
sr_check_eq "$U runs in its session cgroup" "$(sr_sql "SELECT cgroup_path FROM sessions WHERE sid='$usid'")" "$ucg"
sr_check_eq "the session cgroup is root:755" root:755 "$(sed -n 's/^OWNER=//p' <<<"$out")"
sr_check "the user cannot write the session cgroup" [ -z "$(grep -E 'WRITABLE|ESCAPED' <<<"$out")" ]
sr_check_eq "the user is still in its session cgroup" "$ucg" "$(sed -n 's/^AFTER=//p' <<<"$out")"
sr_check "session of $U ends" sr_wait_ended "$usid" 20

# --- a background job outliving the login keeps the session open
t0=$(date +%s.%N)
bsid=$(sr_ssh 'nohup sleep 3 >/dev/null 2>&1 </dev/null & echo "$SSHREC_SID"')
sr_check "login with a background job succeeds" [ -n "$bsid" ]
bcg=$(sr_sql "SELECT cgroup_path FROM sessions WHERE sid='$bsid'")
sleep 1
state=$(sr_sql "SELECT state FROM sessions WHERE sid='$bsid'")
sr_check "after logout, while the job runs: 'closing' or 'active' (got '$state')" \
	[ "$state" = closing -o "$state" = active ]
sr_check "the job still runs in the session cgroup" grep -q . "$CG$bcg/cgroup.procs"
sr_check "session ends once the job exits" sr_wait_ended "$bsid" 20
t1=$(date +%s.%N)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
sr_check "it did not end before the job's 3 s were over ($took s)" \
	awk -v t="$took" 'BEGIN { exit !(t >= 3) }'
end_us=$(sr_sql "SELECT end_us - start_us FROM sessions WHERE sid='$bsid'")
sr_check "session duration covers the background job (${end_us} us)" [ "${end_us:-0}" -ge 2900000 ]
sr_check "the daemon is still running" kill -0 "$SR_DAEMON_PID"
sr_finish
