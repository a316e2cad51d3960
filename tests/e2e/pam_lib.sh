# shellcheck shell=bash
# Helpers for the pam_*.sh end-to-end tests, sourced after lib.sh.
#
# The auth log. pam_syslog(3) writes to /dev/log (glibc syslog(3)). Where that
# ends up depends on the host:
#   - no /dev/log (no syslog daemon, as on the CI machines): one shared
#     listener, tests/e2e/syslog_listen.py, binds /dev/log and appends each
#     message to /run/sshrec-test-syslog/log. Tests that run at the same time
#     share it: each holds a lease (lease.<its pid>); the listener removes
#     /dev/log and exits when the last lease is gone, even if a test was killed.
#   - /dev/log served by our listener already: take a lease and share it.
#   - /dev/log served by a real syslog daemon: read its auth log file
#     (/var/log/auth.log, /var/log/secure, /var/log/messages or
#     /var/log/syslog, the one where a probe message lands).
# Every line the module logs carries the test's own PAM service name
# (sshd-sshrec-test-$SR_ID), so tests sharing a log never see each other's.

SR_SYSLOG_DIR=/run/sshrec-test-syslog
SR_PAM_CLEANUP=() # commands run (eval) at exit, before lib.sh's cleanup

# sr_init plus the cleanup below.
sr_pam_init() {
	sr_init
	trap sr_pam_cleanup EXIT
}

# EXIT trap: kill what is left in the test's own session cgroups (those in
# its database), run the test's cleanup commands, drop the auth log lease,
# then lib.sh's cleanup with the original exit status.
sr_pam_cleanup() {
	local rc=$? c cg mnt
	mnt=$(sr_cgroup2)
	if [ -n "${SR_DB:-}" ] && [ -f "$SR_DB" ]; then
		while IFS= read -r cg; do
			case $cg in /sshrec/s-*) ;; *) continue ;; esac
			[ -d "$mnt$cg" ] || continue
			echo 1 >"$mnt$cg/cgroup.kill" 2>/dev/null
		done < <(sr_sql "SELECT cgroup_path FROM sessions WHERE state != 'ended'" 2>/dev/null)
	fi
	for c in "${SR_PAM_CLEANUP[@]}"; do eval "$c"; done
	rm -f "$SR_SYSLOG_DIR/lease.$$"
	(exit "$rc")
	sr_cleanup
}

# Start (or share) the auth log listener; sets SR_AUTHLOG. After sr_init.
sr_authlog_start() {
	mkdir -p "$SR_SYSLOG_DIR"
	exec {SR_SYSLOG_LOCKFD}>"$SR_SYSLOG_DIR/lock"
	flock "$SR_SYSLOG_LOCKFD"
	: >"$SR_SYSLOG_DIR/lease.$$"
	trap sr_pam_cleanup EXIT
	local pid=
	[ -r "$SR_SYSLOG_DIR/ready" ] && pid=$(cat "$SR_SYSLOG_DIR/ready")
	if [ -S /dev/log ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		grep -q syslog_listen "/proc/$pid/cmdline" 2>/dev/null; then
		SR_AUTHLOG=$SR_SYSLOG_DIR/log
		sr_log "auth log: sharing listener pid $pid on /dev/log ($SR_AUTHLOG)"
	elif [ ! -e /dev/log ]; then
		rm -f "$SR_SYSLOG_DIR/ready"
		setsid "$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/syslog_listen.py" /dev/log "$SR_SYSLOG_DIR" \
			</dev/null >>"$SR_SYSLOG_DIR/listener.err" 2>&1 &
		local i
		for i in $(seq 1 100); do
			[ -s "$SR_SYSLOG_DIR/ready" ] && break
			sleep 0.05
		done
		[ -s "$SR_SYSLOG_DIR/ready" ] || sr_die "syslog listener did not start: $(tail -n 5 "$SR_SYSLOG_DIR/listener.err")"
		SR_AUTHLOG=$SR_SYSLOG_DIR/log
		sr_log "auth log: started listener pid $(cat "$SR_SYSLOG_DIR/ready") on /dev/log ($SR_AUTHLOG)"
	else
		# Which file gets auth messages: the one a probe lands in (a daemon
		# installed moments ago, by scripts/deps.sh on a fresh machine, may
		# not have created it yet).
		local f i probe="auth log probe $SR_ID"
		SR_AUTHLOG=
		logger -p authpriv.notice -t "sshd-sshrec-test-$SR_ID" "$probe"
		for i in $(seq 1 50); do
			for f in /var/log/auth.log /var/log/secure /var/log/messages /var/log/syslog; do
				grep -qaF "$probe" "$f" 2>/dev/null && { SR_AUTHLOG=$f; break 2; }
			done
			sleep 0.1
		done
		[ -n "$SR_AUTHLOG" ] || sr_die "/dev/log belongs to a syslog daemon, and its auth messages reach none of /var/log/{auth.log,secure,messages,syslog}"
		sr_log "auth log: /dev/log is a syslog daemon's; reading $SR_AUTHLOG"
	fi
	touch "$SR_AUTHLOG"
	flock -u "$SR_SYSLOG_LOCKFD"
}

# sr_authlog_wait PATTERN [SECONDS]: wait until a line of this test's PAM
# service matching the extended regex PATTERN is in the auth log; print it.
sr_authlog_wait() {
	local pat=$1 t=${2:-5} i
	for i in $(seq 1 $((t * 10))); do
		if grep -a -F "sshd-sshrec-test-$SR_ID" "$SR_AUTHLOG" | grep -a -E -- "$pat"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Lines this test's sshd logged through syslog (for failure messages).
sr_authlog_dump() {
	echo "----- auth log lines of sshd-sshrec-test-$SR_ID -----" >&2
	grep -a -F "sshd-sshrec-test-$SR_ID" "$SR_AUTHLOG" | tail -n 20 >&2
}

# The cgroup2 path (relative to the mount) that a remote shell reports.
sr_remote_cgroup() { sr_ssh "$@" 'sed -n "s/^0:://p" /proc/self/cgroup'; }

# True when a login is refused: ssh fails and the command does not run.
sr_ssh_refused() {
	local out
	out=$(sr_ssh "$@" 'echo RAN' 2>/dev/null) && return 1
	[ "${out/RAN/}" = "$out" ]
}

# sr_add_user NAME: a throwaway local user (no home), removed at exit.
sr_add_user() {
	useradd -M -N -d / -s /bin/bash "$1" || sr_die "useradd $1 failed"
	SR_PAM_CLEANUP+=("userdel -f $1 2>/dev/null")
}

# sr_kill_cgroup DIR: kill everything in a test-made cgroup and remove it.
sr_kill_cgroup() {
	[ -d "$1" ] || return 0
	echo 1 >"$1/cgroup.kill" 2>/dev/null
	local i
	for i in $(seq 1 50); do rmdir "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
