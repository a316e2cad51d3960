#!/usr/bin/env bash
# One login through a real sshd whose PAM stack has pam_loginuid and
# pam_sshrec, on whatever kernel runs it (tests/vm/matrix.sh runs it in each
# guest): a command, a file open, a TCP connect and an exit code are recorded
# once, under the login's own sid and audit session, and the JSON lines
# validate against schema/json. The login is $SR_E2E_USER's (default root).
: "${SR_TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
user=${SR_E2E_USER:-root}
SR_USERS=$user
sr_start_daemon
sr_start_sshd
out=$(sr_ssh -u "$user" 'echo "SID=$SSHREC_SID"; echo "ASID=$(cat /proc/self/sessionid)"
	/bin/echo vm-login-cmd; /bin/cat /etc/hostname >/dev/null
	exec 3<>/dev/tcp/127.0.0.1/'"$SR_PORT"'; exec 3>&-
	/bin/sh -c "exit 3"; echo "rc=$?"')
sr_check_eq "login succeeds" 0 "$?"
sid=$(sed -n 's/^SID=//p' <<<"$out")
asid=$(sed -n 's/^ASID=//p' <<<"$out")
sr_check "SSHREC_SID is exported" [ ${#sid} = 36 ]
sr_check_eq "the exit code reaches the login" "rc=3" "$(grep '^rc=' <<<"$out")"
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check_commands_once "$sid" vm-login-cmd

jl() { jq -c --arg s "$sid" "select(.sid == \$s) | $1" "$SR_JSONL"; }
sr_check_eq "session.start has the login's audit session id" "$asid" \
	"$(jl 'select(.event == "session.start") | .audit_session_id')"
sr_check "cat's open of /etc/hostname is recorded" \
	test "$(jl 'select(.event == "session.disk" and .path == "/etc/hostname" and .program == "cat")' | wc -l)" -ge 1
sr_check "the shell's connect to 127.0.0.1:$SR_PORT is recorded" \
	test "$(jl "select(.event == \"session.network\" and .dst_addr == \"127.0.0.1\" and .dst_port == $SR_PORT)" | wc -l)" -ge 1
sr_check_eq "sh's exit code 3 is recorded" 1 \
	"$(jl 'select(.event == "session.process_exit" and .program == "sh" and .exit_code == 3)' | wc -l)"
sr_check_eq "the marker command is in no other session" 1 \
	"$(grep -F '"event":"session.command"' "$SR_JSONL" | grep -cF '"vm-login-cmd"')"
sr_check_eq "every record of the login carries its login" "$user" \
	"$(jl '.login' | sort -u | tr -d '"' | paste -sd,)"
sr_check "JSON lines validate" sr_validate_jsonl "$SR_JSONL"
sr_finish
