#!/usr/bin/env bash
# The session policy enforced in the kernel, through real sshd logins, with
# whatever mechanism this kernel gives (sshrec status says which): BPF LSM
# refuses the call (EPERM, nothing happens), the signal kills the task in the
# hook that saw it (an exec before the new program runs; a connect or an open
# after the SYN or the open). Checked: a denied exec (its output never
# appears), through a symlink too, and what a hard link does; a denied
# connect; a denied write (through a symlink too); a user rule and a group
# rule; audit mode; a SIGHUP reload mid-session; the policy's own BPF LSM
# programs attached only while the policy has rules; processes outside sessions
# never denied; the session.denied records, the exec and exit records of a
# killed program, counts, valid JSON lines and the published references
# (tests/siem/check_siem.py: one JSON type per field too). In the kernel matrix
# (tests/vm/guest_matrix.sh) SR_POLICY_EXPECT_MECH=lsm requires BPF LSM.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
U=srpol$$
G=srpolg$$
groupadd "$G" || sr_die "groupadd $G failed"
useradd -m -s /bin/bash -G "$G" "$U" || sr_die "useradd $U failed"
SR_CLEANUP_HOOKS+=("userdel -r -f $U >/dev/null 2>&1" "groupdel $G >/dev/null 2>&1")
SR_USERS=$U

# Programs and files of the test, world-readable, under the test's own dir.
B=$SR_T/bin
mkdir -p "$B" "$SR_T/other" "$SR_T/protected"
for t in denied-tool user-tool group-tool later-tool; do cp /bin/echo "$B/$t"; done
printf '#!/bin/sh\necho script-out\n' >"$B/script.sh"   # a #! script: denied by its own path
chmod 755 "$B/script.sh"
ln -s "$B/denied-tool" "$SR_T/link-tool"      # a symlink: resolved, so denied
ln "$B/denied-tool" "$SR_T/other/hard-tool"   # a hard link: another path, so allowed
echo original >"$SR_T/protected/file"
ln -s "$SR_T/protected/file" "$SR_T/wlink"
chmod -R a+rX "$SR_T"
chmod a+w "$SR_T/protected" "$SR_T/protected/file"
"$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/tcplisten.py" 127.0.0.1 "$SR_T/lport" >"$SR_T/listen.log" 2>&1 &
SR_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$SR_T/lport" ] && break; sleep 0.05; done
LP=$(cat "$SR_T/lport")

cat >"$SR_CONF" <<EOF
deny_exec = $B/denied-tool, $B/script.sh
deny_exec.user.$U = $B/user-tool
deny_exec.group.$G = $B/group-tool
deny_connect = 127.0.0.1:$LP
deny_write = $SR_T/protected/*
disk = writes-only
syscall_linger = 1s
EOF
sr_start_daemon
sr_start_sshd
mech=$("$SR_SSHREC" --socket "$SR_SOCK" status --json | jq -r .policy.mechanism)
sr_log "enforcement mechanism: $mech"
sr_check "the mechanism is ${SR_POLICY_EXPECT_MECH:-lsm or signal}" \
	[ "$mech" = "${SR_POLICY_EXPECT_MECH:-$mech}" -a \( "$mech" = lsm -o "$mech" = signal \) ]
jl() { jq -c --arg s "$1" "select(.sid == \$s) | $2" "$SR_JSONL"; }
# Every remote command starts with "exec 2>&1": ssh carries stdout and stderr on
# two channels, and a shell's error message, written in pieces, could be split by
# a stdout line ("...: rc=2" then "Permission denied") and hide it from '^rc='.

# a program's own output is a line of its own: bash's "Killed" report names the command too
has() { grep -q -- "$1" <<<"$2"; }
lacks() { ! grep -q -- "$1" <<<"$2"; }

# ---- exec: the program never runs; symlinks resolve, hard links do not -------
out=$(sr_ssh -u "$U" "exec 2>&1; echo SID=\$SSHREC_SID; $B/denied-tool denied-out-1; echo rc=\$?
	$SR_T/link-tool denied-out-2; echo rc=\$?; $B/script.sh; cd $B && ./script.sh; cd /
	$SR_T/other/hard-tool hard-link-out; $B/user-tool user-out; $B/group-tool group-out
	$B/later-tool later-out" 2>&1)
sid=$(sed -n 's/^SID=//p' <<<"$out")
sr_check "the login ran (its sid printed)" [ ${#sid} = 36 ]
sr_check "denied exec: its output never appears" lacks "^denied-out-1$" "$out"
sr_check "denied exec through a symlink: its output never appears" lacks "^denied-out-2$" "$out"
if [ "$mech" = lsm ]; then
	sr_check_eq "lsm: the shell saw exec fail with EPERM (126)" "rc=126 rc=126" "$(grep '^rc=' <<<"$out" | paste -sd' ')"
else
	sr_check_eq "signal: the program was killed (137)" "rc=137 rc=137" "$(grep '^rc=' <<<"$out" | paste -sd' ')"
fi
sr_check "a #! script denied by its path (absolute and ./): its output never appears" lacks "^script-out$" "$out"
sr_check "a hard link is another path: allowed" has hard-link-out "$out"
sr_check "user rule: $U's user-tool denied" lacks "^user-out$" "$out"
sr_check "group rule: $U's group-tool denied (member of $G)" lacks "^group-out$" "$out"
sr_check "no rule: later-tool runs" has later-out "$out"
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check_eq "session.denied: six execs, each with its rule" \
	"$B/denied-tool deny_exec = $B/denied-tool|$B/denied-tool deny_exec = $B/denied-tool|$B/script.sh deny_exec = $B/script.sh|$B/script.sh deny_exec = $B/script.sh|$B/user-tool deny_exec.user.$U = $B/user-tool|$B/group-tool deny_exec.group.$G = $B/group-tool" \
	"$(jl "$sid" 'select(.event == "session.denied") | "\(.target) \(.rule)"' | tr -d '"' | paste -sd'|')"
want_effect=$([ "$mech" = lsm ] && echo "enforced lsm blocked" || echo "enforced signal killed")
sr_check_eq "session.denied: mode, mechanism and effect" "$want_effect" \
	"$(jl "$sid" 'select(.event == "session.denied") | "\(.policy_mode) \(.mechanism) \(.effect)"' | sort -u | tr -d '"')"
if [ "$mech" = signal ]; then
	sr_check_eq "signal: the killed exec is recorded, and its exit by SIGKILL" "9" \
		"$(jl "$sid" "select(.event == \"session.process_exit\" and .program == \"denied-tool\") | .signal" | sort -u)"
else
	sr_check "lsm: the refused exec is recorded as failed with EPERM" test \
		"$(jl "$sid" 'select(.event == "session.command" and .return_code == -1)' | wc -l)" -ge 2
fi
sr_check_eq "session.end counts them" 6 "$(jl "$sid" 'select(.event == "session.end") | .counts.denied')"
sr_check_eq "SQLite counts them" 6 "$(sr_sql "SELECT n_denied FROM sessions WHERE sid='$sid'")"

# ---- root: the user and group rules are not root's ----------------------------
out=$(sr_ssh "exec 2>&1; $B/user-tool root-user-out; $B/group-tool root-group-out; $B/denied-tool root-denied-out" 2>&1)
sr_check "root runs user-tool (not its rule)" has root-user-out "$out"
sr_check "root runs group-tool (not its group)" has root-group-out "$out"
sr_check "the global rule is root's too" lacks "^root-denied-out$" "$out"

# ---- outside sessions: never denied ------------------------------------------------
sr_check_eq "outside any session the denied program runs" outside-out "$("$B/denied-tool" outside-out)"
sr_check_eq "and writes where sessions may not" 0 "$(echo x >>"$SR_T/protected/file"; echo $?)"
printf 'original\n' >"$SR_T/protected/file"

# ---- connect -------------------------------------------------------------------
: >"$SR_T/listen.log"
out=$(sr_ssh -u "$U" "exec 2>&1; echo SID=\$SSHREC_SID; /bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/$LP && echo connected'; echo rc=\$?" 2>&1)
sid=$(sed -n 's/^SID=//p' <<<"$out")
sr_check "denied connect: never connected" lacks '^connected' "$out"
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check_eq "session.denied for the connect, with its rule" "127.0.0.1:$LP deny_connect = 127.0.0.1:$LP" \
	"$(jl "$sid" 'select(.event == "session.denied") | "\(.target) \(.rule)"' | tr -d '"')"
if [ "$mech" = lsm ]; then
	sr_check_eq "lsm: connect refused (bash exit 1), effect blocked" "rc=1 blocked" \
		"$(grep '^rc=' <<<"$out") $(jl "$sid" 'select(.event == "session.denied") | .effect' | tr -d '"')"
	sleep 1
	sr_check_eq "lsm: the listener saw no connection" 0 "$(grep -c '^accept' "$SR_T/listen.log")"
	sr_check_eq "lsm: a session.network with Teleport's action DENIED (1) for it" 1 \
		"$(jl "$sid" "select(.event == \"session.network\" and .action == 1 and .dst_port == $LP)" | wc -l)"
else
	sr_check_eq "signal: killed in connect (137); the record says the SYN may be out" "rc=137 killed_after" \
		"$(grep '^rc=' <<<"$out") $(jl "$sid" 'select(.event == "session.denied") | .effect' | tr -d '"')"
	sr_check_eq "signal: its session.network (the SYN was out) has Teleport's action DENIED (1)" 1 \
		"$(jl "$sid" "select(.event == \"session.network\" and .action == 1 and .dst_port == $LP)" | wc -l)"
fi

# an IPv4-mapped IPv6 destination is the IPv4 address it is; a datagram to it is a connect too
: >"$SR_T/listen.log"
out=$(sr_ssh -u "$U" "exec 2>&1; echo SID=\$SSHREC_SID
	$SR_PY -c 'import socket; s=socket.socket(socket.AF_INET6); s.connect((\"::ffff:127.0.0.1\", $LP)); print(\"mapped-connected\")'; echo rc=\$?
	$SR_PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b\"x\", (\"127.0.0.1\", $LP)); print(\"udp-sent\")'; echo rc=\$?" 2>&1)
sid=$(sed -n 's/^SID=//p' <<<"$out")
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check "a v4-mapped IPv6 connect is denied by the IPv4 rule" lacks "^mapped-connected$" "$out"
sr_check_eq "its record names the IPv6 destination" "[::ffff:127.0.0.1]:$LP" \
	"$(jl "$sid" 'select(.event == "session.denied" and .version == 6) | .target' | tr -d '"')"
if [ "$mech" = lsm ]; then
	sr_check "lsm: a UDP datagram to a denied address is refused" lacks "^udp-sent$" "$out"
	sr_check_eq "lsm: and recorded" 1 "$(jl "$sid" 'select(.event == "session.denied" and .version == 4)' | wc -l)"
else
	sr_check "signal: UDP is not checked (documented): the datagram went out" has "^udp-sent$" "$out"
fi

# ---- write -------------------------------------------------------------------------
out=$(sr_ssh -u "$U" "exec 2>&1; echo SID=\$SSHREC_SID; /bin/sh -c 'echo changed > $SR_T/protected/file'; echo rc=\$?
	/bin/sh -c 'echo changed2 > $SR_T/wlink'; echo rc=\$?; cat $SR_T/protected/file >/dev/null; echo read-ok" 2>&1)
sid=$(sed -n 's/^SID=//p' <<<"$out")
sr_check "reading the protected file is not a write: allowed" has read-ok "$out"
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check_eq "session.denied: both writes (direct and through the symlink), resolved" \
	"$SR_T/protected/file|$SR_T/protected/file" \
	"$(jl "$sid" 'select(.event == "session.denied" and .kind == "write") | .target' | tr -d '"' | paste -sd'|')"
sr_check "the record names the open flags" test "$(jl "$sid" 'select(.event == "session.denied") | .flags_text' | grep -c O_TRUNC)" = 2
if [ "$mech" = lsm ]; then
	sr_check_eq "lsm: the file is unchanged" original "$(cat "$SR_T/protected/file")"
	sr_check_eq "lsm: the writes failed (sh exit 2)" "rc=2 rc=2" "$(grep '^rc=' <<<"$out" | paste -sd' ')"
else
	sr_check_eq "signal: the writers were killed (137)" "rc=137 rc=137" "$(grep '^rc=' <<<"$out" | paste -sd' ')"
	sr_check "signal: killed before writing: no 'changed' in the file (it may be truncated)" \
		sh -c "! grep -q changed '$SR_T/protected/file'"
	sr_check_eq "signal: the record says the open may have happened" killed_after \
		"$(jl "$sid" 'select(.event == "session.denied") | .effect' | sort -u | tr -d '"')"
fi
printf 'original\n' >"$SR_T/protected/file"
out=$(sr_ssh -u "$U" "exec 2>&1; /bin/sh -c 'echo created > $SR_T/protected/new'; echo rc=\$?" 2>&1)
if [ "$mech" = lsm ]; then
	sr_check "lsm: a file is not created where writing is denied" test ! -e "$SR_T/protected/new"
else
	sr_check "signal: the file was created (O_CREAT happened) but nothing written to it" \
		test -e "$SR_T/protected/new" -a ! -s "$SR_T/protected/new"
fi
rm -f "$SR_T/protected/new"

# ---- audit mode, and a reload in the middle of a session -------------------------
sr_ssh -u "$U" "echo SID=\$SSHREC_SID; while [ ! -e $SR_T/go1 ]; do sleep 0.05; done
	$B/denied-tool audit-out; $B/later-tool later-out-1
	touch $SR_T/done1; while [ ! -e $SR_T/go2 ]; do sleep 0.05; done
	$B/later-tool later-out-2; $B/denied-tool again-out" >"$SR_T/mid.out" 2>&1 &
mid=$!
SR_PIDS+=("$mid")
sid=$(sr_wait_sid "$U") || exit 99
for _ in $(seq 1 100); do grep -q "^SID=" "$SR_T/mid.out" && break; sleep 0.1; done
sid=$(sed -n 's/^SID=//p' "$SR_T/mid.out")
sed -i 's/^deny_exec = .*/deny_exec = '"${B//\//\\/}"'\/denied-tool\nenforce = audit/' "$SR_CONF"
kill -HUP "$SR_DAEMON_PID"
sr_check "SIGHUP: audit mode" sr_wait_log "SIGHUP: policy reloaded: enforce = audit"
touch "$SR_T/go1"
for _ in $(seq 1 300); do [ -e "$SR_T/done1" ] && break; sleep 0.1; done
printf 'deny_exec = %s\n' "$B/later-tool" >"$SR_CONF"
kill -HUP "$SR_DAEMON_PID"
sr_check "SIGHUP: enforce again, another rule" sr_wait_log "SIGHUP: policy reloaded: enforce = on, 1 rules"
touch "$SR_T/go2"
wait "$mid"
out=$(cat "$SR_T/mid.out")
sr_check "audit: the program ran" has audit-out "$out"
sr_check "audit: later-tool ran before the reload" has later-out-1 "$out"
sr_check "reload mid-session: later-tool denied now" lacks "^later-out-2$" "$out"
sr_check "reload mid-session: denied-tool allowed now" has again-out "$out"
sr_check "the session ends" sr_wait_ended "$sid" 30
sr_check_eq "records: the audited exec, then the denied one" \
	"$B/denied-tool audit audit|$B/later-tool enforced $([ "$mech" = lsm ] && echo blocked || echo killed)" \
	"$(jl "$sid" 'select(.event == "session.denied") | "\(.target) \(.policy_mode) \(.effect)"' | tr -d '"' | paste -sd'|')"

"$SR_SSHREC" --socket "$SR_SOCK" status --json >"$SR_T/status.json"
sr_check "status: the kernel counted denials and audits, none not applied" \
	jq -e '.policy.denied >= 12 and .policy.audited == 1 and .policy.not_applied == 0' "$SR_T/status.json"
# ---- the policy's own programs: attached only while the policy has rules -------
# (BPF LSM: sr_pol_exec on every backend; they cost every exec of the host)
prog_attached() {
	"$SR_SSHREC" --socket "$SR_SOCK" status --json |
		jq -r --arg p "$1" '[.capture.programs[] | select(.program == $p) | .attached] | first'
}
pol_exec() { prog_attached sr_pol_exec; }
backend=$("$SR_SSHREC" --socket "$SR_SOCK" status --json | jq -r .capture.backend)
if [ "$mech" = lsm ]; then
	sr_check_eq "rules: sr_pol_exec attached" true "$(pol_exec)"
	n=$(grep -c 'SIGHUP: policy reloaded' "$SR_T/sshrecd.log")
	echo "disk = writes-only" >"$SR_CONF"
	kill -HUP "$SR_DAEMON_PID"
	for _ in $(seq 1 100); do [ "$(pol_exec)" = false ] && break; sleep 0.1; done
	sr_check_eq "no rules any more: sr_pol_exec detached (syscall_linger 1s)" false "$(pol_exec)"
	# the LSM backend's file_open records disk and refuses writes: with neither
	# (every session over, no rules) nothing of ours runs on the host's opens
	if [ "$backend" = lsm ]; then
		sr_check_eq "no rules, no session: sr_lsm_file_open detached" false \
			"$(prog_attached sr_lsm_file_open)"
	fi
	printf 'deny_exec = %s\n' "$B/later-tool" >"$SR_CONF"
	kill -HUP "$SR_DAEMON_PID"
	for _ in $(seq 1 100); do
		[ "$(grep -c 'SIGHUP: policy reloaded' "$SR_T/sshrecd.log")" -ge $((n + 2)) ] && break
		sleep 0.1
	done
	sr_check_eq "rules again: sr_pol_exec attached once the reload is done" true "$(pol_exec)"
	if [ "$backend" = lsm ]; then
		sr_check_eq "rules again, no session: sr_lsm_file_open attached (the open check)" \
			true "$(prog_attached sr_lsm_file_open)"
	fi
	out=$(sr_ssh -u "$U" "exec 2>&1; $B/later-tool later-out-3; echo rc=\$?" 2>&1)
	sr_check "rules again: the next login's first command is denied" lacks "^later-out-3$" "$out"
fi

sr_check "JSON lines validate" sr_validate_jsonl "$SR_JSONL"
# denials, refused connects and opens side by side: one JSON type per field
sr_check_siem "records vs Teleport's event proto" native "$SR_JSONL"
for f in ecs ocsf; do
	"$SR_SSHREC" --db "$SR_DB" export --format $f -o "$SR_T/export.$f" ||
		sr_fail "sshrec export --format $f failed"
	sr_check_siem "sshrec export --format $f" $f "$SR_T/export.$f"
done
sr_finish
