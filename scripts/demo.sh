#!/usr/bin/env bash
# README command (a): install dependencies, build, start sshrecd and a demo
# sshd on 127.0.0.1:2222 whose PAM service loads pam_sshrec.so, run one SSH
# session through it, and show what was recorded.
#
#   scripts/demo.sh          set up (again) and show a recorded session
#   scripts/demo.sh stop     stop the demo daemon and sshd, remove its PAM file
#
# Everything lives in /var/tmp/sshrec-demo; nothing of the host's sshd or
# /etc/pam.d/sshd is touched (the demo sshd is a copy named sshd-sshrec-demo,
# so it uses /etc/pam.d/sshd-sshrec-demo).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
D=/var/tmp/sshrec-demo
PORT=${SSHREC_DEMO_PORT:-2222}
PIN=/sys/fs/bpf/sshrec-demo
PAMFILE=/etc/pam.d/sshd-sshrec-demo
build=$top/build/demo

stop() {
	local f pid
	for f in "$D/sshd.pid" "$D/state/sshrecd.pid"; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
		rm -f "$f"
	done
	rm -f "$PAMFILE"
	[ -x "$build/sshrecd" ] && [ -d "$PIN" ] && "$build/sshrecd" --unpin --pin-dir "$PIN" >/dev/null 2>&1 || true
	rm -rf "$PIN"
}

if [ "${1:-}" = stop ]; then
	stop
	echo "demo stopped (records kept in $D)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "demo: run as root (loads BPF programs, starts sshd)" >&2; exit 1; }

"$top/scripts/deps.sh"
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >/dev/null
fi
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$top/configure" >configure.out 2>&1 || { tail -n 30 configure.out; exit 1; }
echo "demo: building (log in $build/make.out)"
make -j"$(nproc)" >make.out 2>&1 || { tail -n 40 make.out; exit 1; }

stop
# $D is traversable (sshd reads the user's key file as the user); the
# recordings live in $D/state, root only.
mkdir -p "$D/state" "$D/keys" /run/sshd
chmod 755 "$D" "$D/keys"
chmod 700 "$D/state"
# A dedicated login, so the recording shows the demo's commands and not a
# root shell's start-up files.
DEMO_USER=sshrec-demo
id "$DEMO_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash -c "sshrec demo" "$DEMO_USER"

# The recorder.
# (setsid: its own session and autogroup, so its raised CPU priority applies)
setsid "$build/sshrecd" -f --socket "$D/state/sshrecd.sock" --db "$D/state/sshrec.db" \
	--jsonl "$D/state/events.jsonl" --pin-dir "$PIN" >>"$D/state/sshrecd.log" 2>&1 &
echo $! >"$D/state/sshrecd.pid"
for _ in $(seq 1 100); do [ -S "$D/state/sshrecd.sock" ] && break; sleep 0.1; done
[ -S "$D/state/sshrecd.sock" ] || { echo "demo: sshrecd did not start:"; tail "$D/state/sshrecd.log"; exit 1; }

# A demo sshd on loopback with pam_sshrec in its session stack.
[ -f "$D/state/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$D/state/hostkey"
[ -f "$D/userkey" ] || ssh-keygen -q -t ed25519 -N '' -C sshrec-demo -f "$D/userkey"
cp "$D/userkey.pub" "$D/keys/$DEMO_USER"
cp "$D/userkey.pub" "$D/keys/root"
chmod 644 "$D/keys/"*
cat >"$PAMFILE" <<PAM
# sshrec demo (scripts/demo.sh); removed by 'scripts/demo.sh stop'
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_loginuid.so
session  required $build/pam/.libs/pam_sshrec.so socket=$D/state/sshrecd.sock fail=closed
PAM
cat >"$D/sshd_config" <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/state/hostkey
PidFile $D/sshd.pid
UsePAM yes
ExposeAuthInfo yes
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $D/keys/%u
StrictModes no
PrintMotd no
Subsystem sftp internal-sftp
CFG
cp /usr/sbin/sshd "$D/sshd-sshrec-demo"
"$D/sshd-sshrec-demo" -f "$D/sshd_config" -E "$D/state/sshd.log"
for _ in $(seq 1 50); do [ -s "$D/sshd.pid" ] && break; sleep 0.1; done

SSH=(ssh -q -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
	-i "$D/userkey" -p "$PORT" "$DEMO_USER@127.0.0.1")
echo "demo: running one SSH session through the recorder as $DEMO_USER:"
demo_cmd='cd /tmp && id -un && ls /etc/*.conf | head -n 2
echo "cat /etc/hostname" | base64 | base64 -d | sh
echo demo > ~/notes.txt
curl -s -m 2 http://127.0.0.1:'"$PORT"'/ >/dev/null; echo "curl exit $?"
/nonexistent/tool --flag; sh -c "exit 7"; echo "exit status $?"'
printf '  %s\n' "$demo_cmd" | sed 's/^/  /'
t_login=$(date +%s%6N) # this run's session, not one of an earlier run
"${SSH[@]}" "$demo_cmd" 2>&1 | sed 's/^/  | /' || true

cli=("$build/sshrec" --db "$D/state/sshrec.db")
sid=""
for _ in $(seq 1 100); do
	sid=$(sqlite3 "file:$D/state/sshrec.db?mode=ro" "SELECT sid FROM sessions WHERE state='ended' AND start_us >= $t_login ORDER BY start_us DESC LIMIT 1" 2>/dev/null || true)
	[ -n "$sid" ] && break
	sleep 0.1
done
echo
echo "== sshrec sessions"
"${cli[@]}" sessions
if [ -z "$sid" ]; then
	echo "demo: the session was not recorded; the recorder's log:" >&2
	tail -n 20 "$D/state/sshrecd.log" >&2
	exit 1
fi
echo
echo "== sshrec tree $sid --net"
"${cli[@]}" tree "$sid" --net || true
echo
echo "== sshrec timeline $sid --type command,network"
"${cli[@]}" timeline "$sid" --type command,network || true
echo
echo "== sshrec search --path '*/notes.txt'"
"${cli[@]}" search --path '*/notes.txt' || true
cat <<TXT

The recorder and a demo sshd are running. Try it yourself:
  ssh -i $D/userkey -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null $DEMO_USER@127.0.0.1
then look at what was recorded:
  $build/sshrec --db $D/state/sshrec.db sessions
  $build/sshrec --db $D/state/sshrec.db tree <sid> --files --net
  $build/sshrec --db $D/state/sshrec.db replay <sid>
  $build/sshrec --db $D/state/sshrec.db report <sid> -o /tmp/sshrec-report.html
  $build/sshrec --socket $D/state/sshrecd.sock status
JSON lines: $D/state/events.jsonl
Stop everything:  scripts/demo.sh stop
TXT
