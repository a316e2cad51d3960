#!/usr/bin/env bash
# 50 concurrent logins through pam_sshrec: all succeed, all get distinct
# session ids and distinct cgroups, each shell runs in the cgroup its session
# row names, and every session ends.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
SR_EXCLUSIVE=1 # 50 logins at once: runs alone (lib.sh sr_suite_lock)
sr_pam_init
sr_authlog_start # a refused login says why only there
N=50
sr_start_daemon
SR_PAM_OPTS="socket=$SR_SOCK fail=closed timeout=10000" sr_start_sshd

mkdir -p "$SR_T/out"
pids=()
for i in $(seq 1 $N); do
	sr_ssh 'echo "$SSHREC_SID $(sed -n "s/^0:://p" /proc/self/cgroup)"; sleep 1' \
		>"$SR_T/out/$i" 2>"$SR_T/out/$i.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
sr_check_eq "all $N concurrent logins succeed" 0 "$fails"
if [ "$fails" != 0 ]; then
	head -n 3 "$SR_T"/out/*.err >&2
	sr_authlog_dump
	grep -a -E 'warn|error|fail' "$SR_T/sshrecd.log" | tail -n 20 >&2
fi

# only the stdout files: the glob [0-9]* also matched N.err, so a stray
# line on some ssh's stderr was counted as a session
for i in $(seq 1 $N); do cat "$SR_T/out/$i"; done >"$SR_T/all"
for i in $(seq 1 $N); do
	[ -s "$SR_T/out/$i.err" ] && sed "s/^/login $i stderr: /" "$SR_T/out/$i.err" >&2
done
sr_check_eq "$N session ids reported" $N "$(awk '$1 != ""' "$SR_T/all" | wc -l)"
sr_check_eq "$N distinct session ids" $N "$(awk '{print $1}' "$SR_T/all" | sort -u | grep -c .)"
sr_check_eq "$N distinct cgroups" $N "$(awk '{print $2}' "$SR_T/all" | sort -u | grep -c '^/sshrec/s-')"
mismatch=0
while read -r sid cg; do
	[ "$(sr_sql "SELECT cgroup_path FROM sessions WHERE sid='$sid'")" = "$cg" ] || mismatch=$((mismatch + 1))
done <"$SR_T/all"
sr_check_eq "every shell runs in the cgroup of its session row" 0 "$mismatch"
ended=0
while read -r sid cg; do sr_wait_ended "$sid" 30 && ended=$((ended + 1)); done <"$SR_T/all"
sr_check_eq "all $N sessions end" $N "$ended"
sr_check "the daemon is still running" kill -0 "$SR_DAEMON_PID"
sr_finish
