#!/usr/bin/env bash
# A user cannot choose the recorded identity, remote address or session.
#
# The user's ~/.pam_environment OVERRIDEs SSH_CONNECTION (terminal escapes,
# a made-up peer), SSH_AUTH_INFO_0 (another key) and SSHREC_SID (another
# login's session), and the test sshd's session stack has Debian's
# "pam_env.so user_readenv=1":
#   - before pam_sshrec (in an @include'd file): the session row has the real
#     peer (as sshd gave the shell), no key (the variable cannot be trusted
#     there, and the auth log says so) and no ESC byte;
#   - after pam_sshrec: the row has the real peer and the key that
#     authenticated, also after keyboard-interactive;
#   - either way the other login's session stays open when these close, and
#     a root client that is not that session's sshd cannot close it either.
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/pam_lib.sh"
sr_pam_init
sr_authlog_start
CLIENT=$SR_TOP_SRCDIR/tests/e2e/pam_client.py
U=srenv$$
K=srkbd$$
for u in "$U" "$K"; do
	mkdir -p "$SR_T/home/$u"
	useradd -M -N -d "$SR_T/home/$u" -s /bin/bash "$u" || sr_die "useradd $u failed"
	SR_PAM_CLEANUP+=("userdel -f $u 2>/dev/null")
	chown "$u" "$SR_T/home/$u"
done
chmod 755 "$SR_T/home"

sr_start_daemon
# pam_env in a file of its own, included before pam_sshrec
ENVINC=sshd-sshrec-test-$SR_ID-env
echo 'session    required     pam_env.so user_readenv=1' >"/etc/pam.d/$ENVINC"
SR_PAM_FILES+=("/etc/pam.d/$ENVINC")
# K logs in with a key and then keyboard-interactive (PAM, no prompt)
SR_SSHD_EXTRA="Match User $K
	KbdInteractiveAuthentication yes
	AuthenticationMethods publickey,keyboard-interactive" \
	SR_PAM_EXTRA="@include $ENVINC" SR_USERS="$U $K" sr_start_sshd

# --- a victim session, held open
mkfifo "$SR_T/hold"
sr_ssh 'echo "$SSHREC_SID"; exec cat >/dev/null' <"$SR_T/hold" >"$SR_T/victim.out" 2>&1 &
SR_PIDS+=("$!")
exec {HOLD}>"$SR_T/hold" # the victim's input: open until its logout below
for _ in $(seq 1 100); do [ -s "$SR_T/victim.out" ] && break; sleep 0.1; done
A=$(head -n 1 "$SR_T/victim.out")
sr_check_eq "the victim session is active" active "$(sr_sql "SELECT state FROM sessions WHERE sid='$A'")"

# --- the hostile pam_env file
ssh-keygen -q -t ecdsa -N '' -f "$SR_T/otherkey" </dev/null
OTHER_FP=$(ssh-keygen -l -E sha256 -f "$SR_T/otherkey.pub" | awk '{print $2}')
for u in "$U" "$K"; do
	{
		printf 'SSH_CONNECTION OVERRIDE="\033]0;owned\a\033[2J10.9.9.9 1 10.9.9.9 2"\n'
		printf 'SSH_AUTH_INFO_0 OVERRIDE="publickey ecdsa-sha2-nistp256 %s"\n' "$(awk '{print $2}' "$SR_T/otherkey.pub")"
		printf 'SSHREC_SID OVERRIDE=%s\n' "$A"
		printf 'SSHREC_TEST_MARK OVERRIDE=read\n'
	} >"$SR_T/home/$u/.pam_environment"
	chown "$u" "$SR_T/home/$u/.pam_environment"
done

# ssh as $1 running $2; with SR_KBD=1 the client also answers keyboard-
# interactive (no prompt comes: the PAM auth stack is pam_permit)
login() {
	if [ -n "${SR_KBD:-}" ]; then
		ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
			-o BatchMode=no -o KbdInteractiveAuthentication=yes -o PasswordAuthentication=no \
			-o ConnectTimeout=10 -i "$SR_T/userkey" -p "$SR_PORT" "$1@127.0.0.1" "$2" </dev/null
	else
		sr_ssh -u "$1" "$2" </dev/null
	fi
}

check_login() { # $1 label, $2 user, $3 expected fingerprint ("" none)
	local label=$1 user=$2 want_fp=$3 out sid conn row raddr rport laddr lport fp who ktype
	out=$(login "$user" 'echo "SID=$SSHREC_SID"; echo "CONN=$SSH_CONNECTION"; echo "MARK=${SSHREC_TEST_MARK:-}"')
	sr_check_eq "$label: login succeeds" 0 "$?"
	sr_check_eq "$label: pam_env read the user's file (the attack reached PAM)" read \
		"$(sed -n 's/^MARK=//p' <<<"$out")"
	# the shell's SSHREC_SID is the user's to override (pam_env after pam_sshrec)
	sid=$(sr_last_sid "$user")
	conn=$(sed -n 's/^CONN=//p' <<<"$out") # sshd's own, for the child: the real peer
	sr_check "$label: a session of its own was recorded ($sid)" \
		[ -n "$sid" -a "$sid" != "$A" -a "$sid" != "$PREV" ]
	PREV=$sid
	row=$(sr_sql "SELECT remote_addr, remote_port, local_addr, local_port,
		COALESCE(key_fingerprint, ''), user, COALESCE(key_type, '') FROM sessions WHERE sid='$sid'")
	IFS='|' read -r raddr rport laddr lport fp who ktype <<<"$row"
	sr_check_eq "$label: recorded peer is the real one" "$conn" "$raddr $rport $laddr $lport"
	sr_check_eq "$label: recorded key fingerprint" "$want_fp" "$fp"
	sr_check_eq "$label: session user (what auditors search by)" "${want_fp:-$user}" "$who"
	sr_check "$label: not the forged key ($OTHER_FP)" [ "$fp" != "$OTHER_FP" -a "$who" != "$OTHER_FP" ]
	[ -n "$want_fp" ] && sr_check_eq "$label: key type" ssh-ed25519 "$ktype"
	sr_check_eq "$label: no ESC byte in the session row" 0 \
		"$(sr_sql "SELECT COUNT(*) FROM sessions WHERE sid='$sid' AND (instr(remote_addr, char(27))
			OR instr(COALESCE(local_addr, ''), char(27)) OR instr(COALESCE(rhost, ''), char(27)))")"
	sr_check "$label: its session ends" sr_wait_ended "$sid" 20
}
PREV=

# --- pam_env before pam_sshrec: the key cannot be trusted, the peer can
check_login "pam_env first" "$U" ""
sr_check "pam_env first: the auth log says why no key was recorded" \
	sr_authlog_wait "no key recorded for user $U: pam_env with user_readenv \\(/etc/pam.d/$ENVINC:1\\) runs before pam_sshrec"

# --- pam_env after pam_sshrec: the key sshd set is recorded
SR_PAM_EXTRA= SR_PAM_AFTER='session    required     pam_env.so user_readenv=1' sr_write_pam
check_login "pam_env after" "$U" "$SR_KEY_FP"
SR_KBD=1 check_login "pam_env after, publickey+keyboard-interactive" "$K" "$SR_KEY_FP"
sr_check "keyboard-interactive: that login did authenticate twice" \
	grep -qE "Accepted keyboard-interactive/pam for $K" "$SR_T/sshd.log"

sr_check_eq "the victim session is still active after those logouts" active \
	"$(sr_sql "SELECT state FROM sessions WHERE sid='$A'")"

# --- the daemon: only the session's own sshd closes it
out=$("$SR_PY" "$CLIENT" "$SR_SOCK" close "$A")
sr_check "a root client that is not the victim's sshd is refused ($out)" \
	grep -q '"ok": *false.*not opened by' <<<"$out"
sr_check_eq "the victim session is still active" active "$(sr_sql "SELECT state FROM sessions WHERE sid='$A'")"
sr_check "the daemon logged the refusal" sr_wait_log "close failed: session $A was not opened by pid"

# --- the victim's own logout ends it
exec {HOLD}>&-
sr_check "the victim session ends when its own login does" sr_wait_ended "$A" 20
sr_check "the daemon is still running" kill -0 "$SR_DAEMON_PID"
sr_finish
