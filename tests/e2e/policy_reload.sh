#!/usr/bin/env bash
# The session policy in the daemon (sshrecd.conf deny_* and enforce), as the
# kernel sees it in the pinned maps: a broken policy refuses start naming the
# line; a session gets one rule set with the global, user and group rules
# that apply to its login; SIGHUP switches it to the new policy (new rule
# set, old one removed), a broken file on SIGHUP keeps the old policy and
# says why; the rules hold while the daemon is down and a restarted daemon
# takes them over; a session's end removes them.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
PM() { "$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/policymaps.py" "$(ls -d "$SR_PIN"/v*)" "$@"; }

# ---- a broken policy refuses start, naming the line --------------------------
printf 'deny_exec = /usr/bin/nc\ndeny_connect = 10.0.0.1/8\n' >"$SR_CONF"
rc=0
"$SR_SSHRECD" -f -c "$SR_CONF" --socket "$SR_SOCK" --db "$SR_DB" --pin-dir "$SR_PIN" \
	>"$SR_T/bad.out" 2>&1 || rc=$?
sr_check "broken policy: sshrecd refuses to start (rc $rc), no socket" test "$rc" != 0 -a ! -e "$SR_SOCK"
sr_check "broken policy: FILE:LINE: the entry and why" grep -qF \
	"$SR_CONF:2: deny_connect: '10.0.0.1/8': host bits are set beyond /8" "$SR_T/bad.out"

# ---- a session's rules: global + its user's + its groups' ---------------------
cat >"$SR_CONF" <<'EOF'
deny_exec = /usr/bin/nc, /opt/tools/*
deny_exec.user.root = /usr/bin/ncat
deny_connect.group.root = 10.0.0.0/8
deny_write.user.nobody = /etc/*
enforce = audit
EOF
sr_start_daemon
sr_start_sshd
sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done" >/dev/null 2>&1 &
ssh_pid=$!
SR_PIDS+=("$ssh_pid")
sid=$(sr_wait_sid root) || exit 99
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
sess=$(PM sess)
set -- $sess
r1=${2:-none}
sr_check_eq "the session points at one rule set, audit mode, exec and connect rules" \
	"$key $r1 audit exec,connect" "$sess"
PM rules | sort >"$SR_T/rules1"
cat >"$SR_T/want1" <<EOF
exec $r1 /opt/tools/ | deny_exec = /opt/tools/*
exec $r1 /usr/bin/nc$ | deny_exec = /usr/bin/nc
exec $r1 /usr/bin/ncat$ | deny_exec.user.root = /usr/bin/ncat
net $r1 10.0.0.0/8 port 0 | deny_connect.group.root = 10.0.0.0/8
EOF
sr_check "its rules: global, root's and group root's, not nobody's" diff -u "$SR_T/want1" "$SR_T/rules1"
"$SR_SSHREC" --socket "$SR_SOCK" status >"$SR_T/status1"
sr_check "sshrec status shows the policy" grep -qE "^policy: enforce audit \((signal|lsm)\), 5 rules in 1 rule sets; denied 0, audited 0, not applied 0, records lost 0$" "$SR_T/status1"

# ---- SIGHUP: the session switches to the new policy ---------------------------
cat >"$SR_CONF" <<'EOF'
deny_exec = /usr/bin/wget
deny_connect = [fd00::]/8:443
EOF
kill -HUP "$SR_DAEMON_PID"
sr_check "SIGHUP: reloaded and said so" sr_wait_log \
	"SIGHUP: policy reloaded: enforce = on, 2 rules \(exec 1, connect 1, write 0\); 1 sessions switched"
sess=$(PM sess)
set -- $sess
r2=${2:-none}
sr_check "a new rule set under a new id" test "$r2" != "$r1" -a "$r2" != none
sr_check_eq "the session now enforces the new rules" "$key $r2 on exec,connect" "$sess"
PM rules | sort >"$SR_T/rules2"
cat >"$SR_T/want2" <<EOF
exec $r2 /usr/bin/wget$ | deny_exec = /usr/bin/wget
net $r2 fd00::/8 port 443 | deny_connect = [fd00::]/8:443
EOF
sr_check "only the new rules are left (the old set was removed)" diff -u "$SR_T/want2" "$SR_T/rules2"

# ---- SIGHUP with a broken file: the old policy stays, and the log says why ----
printf 'deny_exec = /usr/bin/wget\ndeny_write = etc/passwd\n' >"$SR_CONF"
kill -HUP "$SR_DAEMON_PID"
sr_check "SIGHUP with a bad line: kept, FILE:LINE: why" sr_wait_log \
	"SIGHUP: keeping the old policy: $SR_CONF:2: deny_write: 'etc/passwd': expected an absolute path"
sr_check_eq "the session's entry is unchanged" "$key $r2 on exec,connect" "$(PM sess)"
sr_check "its rules are unchanged" diff -u "$SR_T/want2" <(PM rules | sort)
sr_check "the daemon still serves" "$SR_SSHREC" --socket "$SR_SOCK" status >/dev/null

# ---- the rules hold while the daemon is down; a restart takes them over -------
sr_stop_daemon KILL
sr_check_eq "daemon down: the pinned session entry still enforces" "$key $r2 on exec,connect" "$(PM sess)"
sr_check "daemon down: its rules are still there" diff -u "$SR_T/want2" <(PM rules | sort)
printf 'deny_exec = /usr/bin/wget\ndeny_connect = [fd00::]/8:443\n' >"$SR_CONF"
sr_start_daemon
sr_check "restart: what the previous daemon left is removed once re-bound" sr_wait_log \
	"policy: removed [0-9]+ session and 2 rule entries of a previous sshrecd"
sess=$(PM sess)
set -- $sess
r3=${2:-none}
sr_check "restart: the restored session has its own new rule set" test "$r3" != "$r2" -a "$r3" != none
sr_check_eq "restart: same rules under the new set" \
	"$(sed "s/ $r2 / $r3 /" "$SR_T/want2")" "$(PM rules | sort)"

# ---- the session ends: nothing of it is left ----------------------------------
touch "$SR_T/go"
wait "$ssh_pid"
sr_check "the session ended" sr_wait_ended "$sid" 20
sr_check_eq "no session entry left" "" "$(PM sess)"
sr_check_eq "no rule left" "" "$(PM rules)"
sr_finish
