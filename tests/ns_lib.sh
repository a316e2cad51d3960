# shellcheck shell=bash
# Entering another root the way the fresh-machine check (tests/fresh/run.sh)
# and the package test (tests/pkg/deb.sh) do: a private mount namespace
# (unshare -m) and pivot_root, never chroot (under a chroot the BPF path
# walks return paths outside the new root). Sourced; bash.
#
#   unshare -m --propagation private bash -c '. ns_lib.sh; sr_ns_mount R; ...; sr_ns_pivot R; ...'
#   NS=$(sr_ns_of PID)    # on the host: the namespace of that unshare
#   sr_ns_kill "$NS"      # on the host: end what is left in it, by PID

# Mount what a root needs, inside the private namespace: R itself as a mount
# point, the host's /proc and /sys, a /dev of its own made of the host's
# device nodes (sr_ns_dev), a new /run. bpffs is left unmounted, as on a
# fresh machine: sshrecd and the tests mount an instance private to the
# namespace, so no pin can touch the host's.
sr_ns_mount() {
	local R=$1
	mount --make-rprivate /
	mount --bind "$R" "$R"
	mount --rbind /proc "$R/proc"
	mount --rbind /sys "$R/sys"
	while mountpoint -q "$R/sys/fs/bpf"; do umount -l "$R/sys/fs/bpf"; done
	sr_ns_dev "$R/dev"
	mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
}

# The host's /dev, in a tmpfs of the namespace's own: every device node bind
# mounted, the directories bound, the symlinks copied. What the new root
# creates in /dev (a syslog daemon's /dev/log, a test's listener there) stays
# in it, and a host test's /dev/log listener stays out of it. Terminals: a
# devpts instance of its own with a fresh Debian's modes and /dev/ptmx
# pointing at it (a bound ptmx node would look for its devpts next to the
# host's node, and fail), and a new /dev/shm.
sr_ns_dev() {
	local d=$1 e n
	mount -t tmpfs -o mode=755,nosuid tmpfs "$d"
	for e in /dev/*; do
		n=${e#/dev/}
		if [ -L "$e" ]; then
			cp -P "$e" "$d/$n"
		elif [ "$n" = ptmx ]; then
			ln -s pts/ptmx "$d/ptmx"
		elif [ -c "$e" ] || [ -b "$e" ]; then
			: >"$d/$n"
			mount --bind "$e" "$d/$n"
		elif [ -d "$e" ]; then
			mkdir "$d/$n"
			case $n in
			pts) mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$d/pts" ;;
			shm) mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d/shm" ;;
			mqueue) ;;
			*) mount --rbind "$e" "$d/$n" ;;
			esac
		fi # sockets (a host /dev/log) stay out
	done
}

# Make R the namespace's root (after sr_ns_mount and any extra mounts).
sr_ns_pivot() {
	cd "$1" || return 1
	mkdir -p .oldroot
	pivot_root . .oldroot
	cd / || return 1
	umount -l /.oldroot
	rmdir /.oldroot
}

# The mount namespace (mnt:[N]) PID enters once unshare has run, waiting up
# to 5 s for it to differ from ours. Prints nothing if PID is gone.
sr_ns_of() {
	local pid=$1 ns i
	for i in $(seq 1 100); do
		ns=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || return 0
		[ "$ns" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	echo "$ns"
}

# The PIDs of the processes in mount namespace $1, one a line.
sr_ns_pids() {
	local pid
	[ -n "$1" ] || return 0
	for pid in /proc/[0-9]*; do
		[ "$(readlink "$pid/ns/mnt" 2>/dev/null)" = "$1" ] && echo "${pid#/proc/}"
	done
}

# End every process in mount namespace $1 (TERM, then KILL), by PID. Returns
# when none is left (0) or after ~10 s (1). $2 names the owner in messages.
sr_ns_kill() {
	local ns=$1 who=${2:-ns} sig pids round
	[ -n "$ns" ] || return 0
	for round in 1 2 3 4 5 6 7 8 9 10; do
		mapfile -t pids < <(sr_ns_pids "$ns")
		[ ${#pids[@]} -eq 0 ] && return 0
		sig=TERM
		[ $round -gt 3 ] && sig=KILL
		echo "$who: ending ${#pids[@]} process(es) left in its namespace with SIG$sig: ${pids[*]}" >&2
		kill -"$sig" "${pids[@]}" 2>/dev/null
		sleep 1
	done
	echo "$who: warning: processes still in its namespace: ${pids[*]}" >&2
	return 1
}
