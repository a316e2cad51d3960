#!/usr/bin/env bash
# The bpffs pin directory: sshrecd uses only a root-owned directory that no
# one else can enter (a user who can write it can unlink the pins while the
# daemon is down, or plant symlinks for root to follow), never follows a
# symlink when it removes pins (at start and with --unpin), and mounts bpffs
# itself with mode 0700 (the kernel's default is 1777).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
ABI=$(sed -n 's/^#define SR_EVENTS_ABI_VERSION \([0-9]*\).*/\1/p' "$SR_TOP_SRCDIR/bpf/events.h")
OLD=v$((ABI + 1)) # an "other ABI version" the daemon removes at start

# A victim directory with a file, and a pin dir whose "other version" entry
# is a symlink to it (as planted by a user in a world-writable bpffs).
victim=$SR_T/victim
mkdir -p "$victim/sub"
echo keep >"$victim/precious"
echo keep >"$victim/sub/precious2"
P=$SR_T/pins-symlink # not on bpffs: --unpin and the checks only need a directory
mkdir -m 0700 "$P"
ln -s "$victim" "$P/$OLD"
"$SR_SSHRECD" -c "$SR_CONF" --pin-dir "$P" --unpin >"$SR_T/out" 2>&1
sr_check "--unpin does not follow a planted v* symlink (victim files kept)" \
	test -f "$victim/precious" -a -f "$victim/sub/precious2"
sr_check "--unpin removed the symlink itself" test ! -L "$P/$OLD"

# The same planted link in the daemon's own pin directory at start.
mkdir -m 0700 "$SR_PIN"
ln -s "$victim" "$SR_PIN/$OLD"
sr_start_daemon
sr_check "start (removing other ABI versions) does not follow a v* symlink" \
	test -f "$victim/precious" -a -f "$victim/sub/precious2"
sr_check "start removed the planted symlink" test ! -L "$SR_PIN/$OLD"
sr_stop_daemon

# A pin directory someone else owns, or that others can enter, is refused.
bad_dir() { # $1 label, $2 dir
	local rc
	# (a daemon that accepts the directory would run: timeout ends it)
	timeout 20 "$SR_SSHRECD" -f -c "$SR_CONF" --socket "$SR_SOCK" --db "$SR_DB" --jsonl "$SR_JSONL" \
		--pin-dir "$2" >"$SR_T/out" 2>&1
	rc=$?
	sr_check "$1: the daemon refuses to start (rc $rc)" test "$rc" = 1
	sr_check "$1: the log says why" grep -qE "pin directory $2: .*(owned by uid|mode 0|a symlink)" "$SR_T/out"
	"$SR_SSHRECD" -c "$SR_CONF" --pin-dir "$2" --unpin >"$SR_T/out" 2>&1
	rc=$?
	sr_check "$1: --unpin refuses too (rc $rc)" test "$rc" != 0
}
U=/sys/fs/bpf/sshrec-test-$SR_ID-user
mkdir -m 0700 "$U" && chown nobody "$U"
SR_CLEANUP_HOOKS+=("rm -rf '$U'")
bad_dir "pin directory owned by nobody" "$U"
rm -rf "$U"
mkdir -m 0755 "$U" # root's, but world-readable and searchable
chmod 0755 "$U"
bad_dir "pin directory of mode 0755" "$U"
rm -rf "$U"
ln -s "$SR_T" "$U"
bad_dir "pin directory that is a symlink" "$U"
rm -f "$U"

# bpffs mounted by sshrecd (in a mount namespace of its own without one).
unshare -m --propagation private bash -c '
	umount -l /sys/fs/bpf 2>/dev/null
	mountpoint -q /sys/fs/bpf && exit 3
	"$0" -f -c "$1" --socket "$2" --db "$3" --jsonl "$4" --pin-dir /sys/fs/bpf/sshrec >"$5" 2>&1 &
	pid=$!
	for i in $(seq 1 200); do [ -S "$2" ] && break; sleep 0.05; done
	stat -c %a /sys/fs/bpf
	kill $pid; wait $pid' "$SR_SSHRECD" "$SR_CONF" "$SR_T/ns.sock" "$SR_T/ns.db" "$SR_T/ns.jsonl" \
	"$SR_T/ns.log" >"$SR_T/mode" 2>&1
sr_check_eq "bpffs mounted by sshrecd is root only (the kernel adds the sticky bit)" 1700 "$(cat "$SR_T/mode")"
sr_check "the daemon in that namespace started" grep -q 'ready on' "$SR_T/ns.log"
sr_finish
