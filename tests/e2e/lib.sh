# shellcheck shell=bash
# Shared helpers for the end-to-end tests: a private sshrecd, a real OpenSSH
# sshd on loopback whose PAM service loads pam_sshrec.so, and an ssh client.
#
# Every test gets its own temp dir, socket, database, pin dir, port and PAM
# service name (sshd takes its PAM service from its program name, so a copy
# of /usr/sbin/sshd named sshd-sshrec-test-<id> uses
# /etc/pam.d/sshd-sshrec-test-<id>). Everything is removed on exit.
#
# Usage in a test:
#   . "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
#   sr_init            # skips (exit 77) loudly if not root or no BTF
#   sr_start_daemon
#   sr_start_sshd      # PAM options for pam_sshrec in $SR_PAM_OPTS
#   sr_ssh 'echo hi'
#   sr_check ...       # assertions; sr_finish at the end

set -u
SR_TOP_SRCDIR=${SR_TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SR_TOP_BUILDDIR=${SR_TOP_BUILDDIR:-$SR_TOP_SRCDIR}
SR_SSHRECD=${SR_SSHRECD:-$SR_TOP_BUILDDIR/sshrecd}
SR_SSHREC=${SR_SSHREC:-$SR_TOP_BUILDDIR/sshrec}
SR_PAM_SO=${SR_PAM_SO:-$SR_TOP_BUILDDIR/pam/.libs/pam_sshrec.so}
SR_PY=/usr/bin/python3 # Debian's python3 (python3-jsonschema), not a pyenv one

SR_FAILS=0
SR_PASSES=0
SR_PIDS=()
SR_PAM_FILES=()
SR_CLEANUP_HOOKS=() # commands run by sr_cleanup after the processes are stopped
SR_TEST_NAME=$(basename "${0%.sh}")

sr_log() { printf '[%s] %s\n' "$SR_TEST_NAME" "$*" >&2; }

sr_skip() {
	printf '\n*** SKIP %s: %s ***\n\n' "$SR_TEST_NAME" "$*" >&2
	exit 77
}

sr_die() {
	printf '[%s] FATAL: %s\n' "$SR_TEST_NAME" "$*" >&2
	sr_dump_logs
	exit 99
}

sr_pass() { SR_PASSES=$((SR_PASSES + 1)); printf 'PASS: %s: %s\n' "$SR_TEST_NAME" "$*"; }
sr_fail() { SR_FAILS=$((SR_FAILS + 1)); printf 'FAIL: %s: %s\n' "$SR_TEST_NAME" "$*"; }

# sr_check "description" command...   -- passes when the command succeeds
sr_check() {
	local what=$1
	shift
	if "$@"; then sr_pass "$what"; else sr_fail "$what"; fi
}

# sr_check_eq "description" expected actual
sr_check_eq() {
	if [ "$2" = "$3" ]; then sr_pass "$1"; else sr_fail "$1 (expected '$2', got '$3')"; fi
}

sr_dump_logs() {
	local f warn
	# the daemon's complaints first: a tail alone can miss them
	warn=$(grep -a -i -E 'warn|error|fail' "$SR_T/sshrecd.log" 2>/dev/null | tail -n 30)
	[ -n "$warn" ] && printf -- '----- warnings and errors in %s -----\n%s\n' "$SR_T/sshrecd.log" "$warn" >&2
	for f in "$SR_T"/sshrecd.log "$SR_T"/sshd.log; do
		[ -s "$f" ] || continue
		echo "----- tail of $f -----" >&2
		tail -n 60 "$f" >&2
	done
}

sr_init() {
	[ "$(id -u)" = 0 ] || sr_skip "needs root (loads BPF programs, runs sshd)"
	[ -r /sys/kernel/btf/vmlinux ] || sr_skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	[ -x "$SR_SSHRECD" ] || sr_die "sshrecd not built at $SR_SSHRECD"
	SR_ID="$$-$RANDOM"
	SR_T=$(mktemp -d "/tmp/sshrec-e2e-$SR_TEST_NAME.XXXXXX")
	chmod 755 "$SR_T"
	SR_SOCK=$SR_T/sshrecd.sock
	SR_DB=$SR_T/sshrec.db
	SR_JSONL=$SR_T/events.jsonl
	SR_PIN=/sys/fs/bpf/sshrec-test-$SR_ID
	SR_CONF=$SR_T/sshrecd.conf
	: >"$SR_CONF"
	trap sr_cleanup EXIT
	trap 'exit 130' INT TERM
	sr_suite_lock
	# bpffs may be missing on a fresh machine
	if ! mountpoint -q /sys/fs/bpf; then mount -t bpf bpf /sys/fs/bpf || sr_die "cannot mount bpffs"; fi
}

# Heavy tests (SR_EXCLUSIVE=1 before sr_init) run alone; the others share.
# The lock is held by tests/e2e/testlock.py, see there why.
sr_suite_lock() {
	local mode=shared i
	[ -n "${SR_EXCLUSIVE:-}" ] && mode=exclusive
	"$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/testlock.py" /run/sshrec-e2e.lock "$mode" \
		</dev/null >"$SR_T/lock.out" 2>&1 &
	SR_LOCK_PID=$! # released last, in sr_cleanup
	for i in $(seq 1 6100); do
		[ -s "$SR_T/lock.out" ] && break
		sleep 0.1
	done
	case $(cat "$SR_T/lock.out") in
	locked) ;;
	*) sr_log "warning: suite lock ($mode) not taken: $(cat "$SR_T/lock.out"); running anyway" ;;
	esac
}

sr_cgroup2() { awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo; }

# Start sshrecd with the test paths; extra arguments are passed through.
sr_start_daemon() {
	local env=()
	[ -n "${SR_DAEMON_ENV:-}" ] && read -r -a env <<<"$SR_DAEMON_ENV"
	# setsid: its own session and autogroup, as under systemd, so that its
	# `nice` (raised at start) is not shared with this script (same pid: a
	# background job of a script is no process group leader, setsid execs)
	local ready_before
	ready_before=$(grep -c ' ready on ' "$SR_T/sshrecd.log" 2>/dev/null)
	ready_before=${ready_before:-0}
	setsid env ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=66}" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" "${env[@]}" \
		"$SR_SSHRECD" -f -c "$SR_CONF" --socket "$SR_SOCK" --db "$SR_DB" --jsonl "$SR_JSONL" \
		--pin-dir "$SR_PIN" "$@" >>"$SR_T/sshrecd.log" 2>&1 &
	SR_DAEMON_PID=$!
	SR_PIDS+=("$SR_DAEMON_PID")
	# Ready is its "ready on" line, not the socket file: after a kill -9 the
	# dead daemon's socket is still there until the new one replaces it.
	# (restore from the ring and the database runs before it: 30 s for a
	# loaded machine)
	local i ready
	for i in $(seq 1 600); do
		ready=$(grep -c ' ready on ' "$SR_T/sshrecd.log" 2>/dev/null)
		[ -S "$SR_SOCK" ] && [ "${ready:-0}" -gt "$ready_before" ] && return 0
		kill -0 "$SR_DAEMON_PID" 2>/dev/null || { wait "$SR_DAEMON_PID"; sr_die "sshrecd exited (rc=$?) during start"; }
		sleep 0.05
	done
	sr_die "sshrecd was not ready on $SR_SOCK in 30 s"
}

# Stop the daemon with a signal (default TERM) and wait; returns its exit code.
sr_stop_daemon() {
	local sig=${1:-TERM} rc=0
	[ -n "${SR_DAEMON_PID:-}" ] || return 0
	kill -"$sig" "$SR_DAEMON_PID" 2>/dev/null
	wait "$SR_DAEMON_PID" 2>/dev/null || rc=$?
	SR_DAEMON_PID=
	return $rc
}

sr_free_port() {
	"$SR_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Write the PAM service for the test sshd. $1: options for pam_sshrec
# (default: socket=$SR_SOCK). Extra session lines may come in $SR_PAM_EXTRA
# (before pam_sshrec) and $SR_PAM_AFTER (after it).
sr_write_pam() {
	local opts=${1:-socket=$SR_SOCK} f=/etc/pam.d/sshd-sshrec-test-$SR_ID
	SR_PAM_FILES+=("$f")
	cat >"$f" <<PAM
# written by sshrec test $SR_TEST_NAME; removed when it ends
auth       required     pam_permit.so
account    required     pam_permit.so
session    required     pam_loginuid.so
${SR_PAM_EXTRA:-}
session    required     $SR_PAM_SO $opts
${SR_PAM_AFTER:-}
session    required     pam_permit.so
PAM
}

# Start a real sshd on loopback (port in $SR_PORT), key auth for root and for
# any user given in $SR_USERS (they must exist).
sr_start_sshd() {
	[ -x /usr/sbin/sshd ] || sr_die "/usr/sbin/sshd missing (apt-get install openssh-server)"
	[ -r "$SR_PAM_SO" ] || sr_die "pam_sshrec.so not built at $SR_PAM_SO"
	mkdir -p /run/sshd && chmod 755 /run/sshd
	SR_PORT=$(sr_free_port)
	cp /usr/sbin/sshd "$SR_T/sshd-sshrec-test-$SR_ID"
	ssh-keygen -q -t ed25519 -N '' -f "$SR_T/hostkey" </dev/null
	ssh-keygen -q -t ed25519 -N '' -C "sshrec-test" -f "$SR_T/userkey" </dev/null
	SR_KEY_FP=$(ssh-keygen -l -E sha256 -f "$SR_T/userkey.pub" | awk '{print $2}')
	mkdir -p "$SR_T/keys"
	local u
	for u in root ${SR_USERS:-}; do cp "$SR_T/userkey.pub" "$SR_T/keys/$u"; done
	chmod -R go-w "$SR_T/keys"
	sr_write_pam "${SR_PAM_OPTS:-socket=$SR_SOCK}"
	cat >"$SR_T/sshd_config" <<CFG
Port $SR_PORT
ListenAddress 127.0.0.1
ListenAddress ::1
HostKey $SR_T/hostkey
PidFile $SR_T/sshd.pid
UsePAM yes
ExposeAuthInfo yes
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $SR_T/keys/%u
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 300:30:400
MaxSessions 100
LogLevel VERBOSE
Subsystem sftp internal-sftp
AcceptEnv LANG
# A developer machine's root .bashrc may run "pyenv rehash", whose lock file,
# left by a login a test killed, stalled every later root login for 60 s.
SetEnv PYENV_REHASH_TIMEOUT=1
${SR_SSHD_EXTRA:-}
CFG
	"$SR_T/sshd-sshrec-test-$SR_ID" -D -e -f "$SR_T/sshd_config" >>"$SR_T/sshd.log" 2>&1 &
	SR_SSHD_PID=$!
	SR_PIDS+=("$SR_SSHD_PID")
	local i
	for i in $(seq 1 100); do
		"$SR_PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$SR_PORT)))" 2>/dev/null && return 0
		kill -0 "$SR_SSHD_PID" 2>/dev/null || sr_die "sshd exited during start"
		sleep 0.05
	done
	sr_die "sshd did not listen on $SR_PORT"
}

SR_SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o BatchMode=yes -o ConnectTimeout=60)

# sr_ssh [-u USER] [-t] CMD...  -- run a command over a real ssh login
sr_ssh() {
	local user=root extra=()
	while [ $# -gt 0 ]; do
		case $1 in
		-u) user=$2; shift 2 ;;
		-t) extra+=(-tt); shift ;;
		*) break ;;
		esac
	done
	ssh "${SR_SSH_OPTS[@]}" "${extra[@]}" -i "$SR_T/userkey" -p "$SR_PORT" "$user@127.0.0.1" "$@"
}

# SQL against the recorder database (read-only connection).
sr_sql() { sqlite3 -readonly -batch -noheader "file:$SR_DB?mode=ro" "$@"; }

# Latest session id (optionally for a login).
sr_last_sid() {
	local login=${1:-}
	if [ -n "$login" ]; then
		sr_sql "SELECT sid FROM sessions WHERE login='$login' ORDER BY start_us DESC LIMIT 1"
	else
		sr_sql "SELECT sid FROM sessions ORDER BY start_us DESC LIMIT 1"
	fi
}

# Wait (10 s) for the first session row of a login and print its sid; dies
# when none appears.
sr_wait_sid() {
	local sid=
	for _ in $(seq 1 100); do
		sid=$(sr_last_sid "$1" 2>/dev/null)
		[ -n "$sid" ] && break
		sleep 0.1
	done
	[ -n "$sid" ] || sr_die "no session row for login $1"
	echo "$sid"
}

# How many session.command records of session key $1 have the argument $2
# (its argv, stored in the command's processes row, holds "$2").
sr_sql_commands_with() {
	sr_sql "SELECT COUNT(*) FROM events e JOIN processes p ON p.id = e.process_id
		JOIN argvs a ON a.id = p.argv WHERE e.session_id = $1 AND e.kind = 2
		AND a.argv LIKE '%\"$2\"%'"
}

# Every image of ended session key $1 that ran has its exit (end time) on its
# own row: none is left open but one its own pid exec'd over ($2: label).
sr_check_exits_stored() {
	sr_check_eq "${2:+$2: }no process row left open" "" \
		"$(sr_sql "SELECT p.id, p.pid FROM processes p WHERE p.session_id = $1 AND
			p.return_code = 0 AND p.end_us IS NULL AND NOT EXISTS (SELECT 1 FROM
			processes q WHERE q.parent_id = p.id AND q.pid = p.pid)")"
}

# $1 (sid) ended: each of the markers $2... recorded once in SQLite and in
# JSON lines, ei gapless, every process's exit stored.
sr_check_commands_once() {
	local sid=$1 key m n
	shift
	key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
	sr_check_exits_stored "$key"
	for m in "$@"; do
		n=$(sr_sql_commands_with "$key" "$m")
		sr_check_eq "$m recorded once in SQLite" 1 "$n"
		n=$(grep -F "\"sid\":\"$sid\"" "$SR_JSONL" | grep -F '"event":"session.command"' | grep -cF "\"$m\"")
		sr_check_eq "$m recorded once in JSONL" 1 "$n"
	done
	sr_check_eq "SQLite ei gapless" "$(sr_sql "SELECT COUNT(*) FROM events WHERE session_id=$key")" \
		"$(sr_sql "SELECT MAX(ei)+1 FROM events WHERE session_id=$key")"
}

# Wait until the daemon's log has a line matching the grep -E pattern $1,
# for at most $2 seconds (default 5); fails when it does not come.
sr_wait_log() {
	local i
	for i in $(seq 1 $((${2:-5} * 10))); do
		grep -Eq -- "$1" "$SR_T/sshrecd.log" && return 0
		sleep 0.1
	done
	return 1
}

# A second writer takes the database's write lock (BEGIN EXCLUSIVE) and holds
# it until it is killed: the SQLite sink's commits fail (after its busy
# timeout). Its pid in SR_DB_LOCK_PID; release with sr_unlock_db.
sr_lock_db() {
	"$SR_PY" - "$SR_DB" >"$SR_T/dblock.out" 2>&1 <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(600)
PY
	SR_DB_LOCK_PID=$!
	SR_PIDS+=("$SR_DB_LOCK_PID")
	for _ in $(seq 1 300); do grep -q locked "$SR_T/dblock.out" && return 0; sleep 0.1; done
	sr_die "the second writer did not get the database lock: $(cat "$SR_T/dblock.out")"
}

sr_unlock_db() {
	kill "$SR_DB_LOCK_PID" 2>/dev/null
	wait "$SR_DB_LOCK_PID" 2>/dev/null
	return 0
}

# Wait until a session has ended (state 'ended'); $2 timeout seconds.
sr_wait_ended() {
	local sid=$1 t=${2:-20} i
	for i in $(seq 1 $((t * 10))); do
		[ "$(sr_sql "SELECT state FROM sessions WHERE sid='$sid'" 2>/dev/null)" = ended ] && return 0
		sleep 0.1
	done
	return 1
}

# jq definition: fullargv turns a session.command record's argv back into the
# whole vector (record format 2 keeps argv[0] apart in argv0, as Teleport).
SR_JQ_FULLARGV='def fullargv: if .event == "session.command" and has("argv0")
	then .argv = ([.argv0 | select(. != null)] + .argv) else . end;'

# sr_jl FILTER [jq options...]: the JSON lines, argv whole (fullargv), through FILTER.
sr_jl() {
	local f=$1
	shift
	jq -c "$@" "$SR_JQ_FULLARGV fullargv | $f" "$SR_JSONL"
}

# Validate every JSON line against schema/json (python3-jsonschema).
sr_validate_jsonl() {
	"$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/validate_jsonl.py" "$SR_TOP_SRCDIR/schema/json" "$@"
}

# sr_check_siem LABEL native|ecs|ocsf FILE...: the records against the
# published references (tests/siem/check_siem.py: Teleport's event proto,
# ECS, OCSF), 0 violations.
sr_check_siem() {
	local label=$1 kind=$2 out
	shift 2
	if out=$("$SR_PY" "$SR_TOP_SRCDIR/tests/siem/check_siem.py" "$kind" \
		"$SR_TOP_SRCDIR/tests/siem/ref" "$@" 2>&1); then
		sr_pass "$label: $(head -n 1 <<<"$out")"
	else
		sr_fail "$label: $(head -n 12 <<<"$out")"
	fi
}

sr_cleanup() {
	local rc=$? p
	for p in "${SR_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${SR_PIDS[@]}"; do
		local i
		for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${SR_CLEANUP_HOOKS[@]}"; do eval "$p"; done
	sr_cleanup_session_cgroups
	for p in "${SR_PAM_FILES[@]}"; do rm -f "$p"; done
	[ -n "${SR_PIN:-}" ] && [ -d "$SR_PIN" ] && rm -rf "$SR_PIN"
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then sr_dump_logs; fi
	if [ -n "${SR_T:-}" ] && [ -z "${SR_KEEP:-}" ]; then rm -rf "$SR_T"; fi
	if [ -n "${SR_LOCK_PID:-}" ]; then kill "$SR_LOCK_PID" 2>/dev/null; wait "$SR_LOCK_PID" 2>/dev/null; fi
	exit "$rc"
}

# Sessions of this test that did not end (the daemon was stopped first) leave
# their cgroup behind: end what still runs in it and remove it.
# The JSON lines are read too: a test may have made the database unreadable.
sr_cleanup_session_cgroups() {
	local cg2 p i paths=
	cg2=$(sr_cgroup2)
	[ -n "${SR_DB:-}" ] && [ -r "$SR_DB" ] && paths=$(sqlite3 -readonly -batch \
		"file:$SR_DB?mode=ro" "SELECT cgroup_path FROM sessions" 2>/dev/null)
	[ -n "${SR_JSONL:-}" ] && [ -r "$SR_JSONL" ] &&
		paths="$paths $(grep -ho '"cgroup_path":"/sshrec/s-[0-9a-f-]*"' "$SR_JSONL" | cut -d'"' -f4)"
	for p in $paths; do
		case $p in /sshrec/s-*) ;; *) continue ;; esac
		[ -d "$cg2$p" ] || continue
		echo 1 >"$cg2$p/cgroup.kill" 2>/dev/null
		for i in $(seq 1 30); do rmdir "$cg2$p" 2>/dev/null && break; sleep 0.1; done
	done
}

# End of a test: summary line and exit code.
sr_finish() {
	printf '%s: %d passed, %d failed\n' "$SR_TEST_NAME" "$SR_PASSES" "$SR_FAILS"
	[ "$SR_FAILS" = 0 ] && [ "$SR_PASSES" -gt 0 ] && exit 0
	exit 1
}
