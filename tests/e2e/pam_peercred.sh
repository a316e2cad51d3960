#!/usr/bin/env bash
# Only root may talk to sshrecd's registration socket. As user nobody:
#   - the socket is mode 0600, so connect() itself fails with EACCES;
#   - with the socket made world-writable (chmod 666, only in this test) the
#     connection gets through and the daemon's SO_PEERCRED check must reject
#     it: an error reply or a hang-up, never a session.
# The daemon keeps serving root afterwards.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
sr_start_daemon
SR_PAM_OPTS="socket=$SR_SOCK fail=closed" sr_start_sshd
# nobody must be able to read the client wherever the repo lives (a clone
# under a 0700 /root is the normal case): run a copy from $SR_T, which lib.sh
# makes 0755
CLIENT=$SR_T/pam_client.py
install -m 0644 "$SR_TOP_SRCDIR/tests/e2e/pam_client.py" "$CLIENT"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

sr_check_eq "the socket is 0600 root" "600 root" "$(stat -c '%a %U' "$SR_SOCK")"
# lib.sh makes $SR_T 0755, so nobody can reach the socket file itself
out=$(as_nobody "$SR_PY" "$CLIENT" "$SR_SOCK" open 2>&1)
sr_check_eq "nobody: connect() fails with EACCES" "open ERROR EACCES" "$out"

chmod 666 "$SR_SOCK"
out=$(as_nobody "$SR_PY" "$CLIENT" "$SR_SOCK" open 2>&1)
chmod 600 "$SR_SOCK"
case $out in
"open HANGUP") sr_pass "nobody past the file mode: daemon hung up (SO_PEERCRED)" ;;
"open REPLY "*)
	if "$SR_PY" -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r.get("ok") is False else 1)' "${out#open REPLY }"; then
		sr_pass "nobody past the file mode: error reply (SO_PEERCRED): ${out#open REPLY }"
	else
		sr_fail "nobody past the file mode: daemon accepted: $out"
	fi ;;
*) sr_fail "nobody past the file mode: unexpected result: $out" ;;
esac
sr_check_eq "no session was created for nobody" 0 \
	"$(sr_sql "SELECT count(*) FROM sessions WHERE login='mallory'")"
sr_check "the daemon is still running" kill -0 "$SR_DAEMON_PID"
sid=$(sr_ssh 'echo "$SSHREC_SID"')
sr_check "root's next login is registered ('$sid')" \
	[ -n "$sid" -a "$(sr_sql "SELECT count(*) FROM sessions WHERE sid='$sid'")" = 1 ]
sr_check "that session ends" sr_wait_ended "$sid" 20
sr_finish
