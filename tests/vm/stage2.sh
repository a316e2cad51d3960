#!/bin/bash
# Stage 2 of a test guest, PID 1 on the host's root (9p, read-only) under a
# tmpfs overlay, copied here by stage 1 (tests/vm/init).
#
#   sshrec_vm.mode=plain   (kernel command line, the default): mount what a
#       test needs, run the job, power off. No init system.
#   sshrec_vm.mode=systemd: mask what a test guest does not need, add a
#       oneshot unit that runs the job and powers off, exec systemd.
#
# The job is the 9p share "sshrecjob" (the host's job directory, writable):
# cmd (a bash script) in, "booted", "output" and "rc" out.
JOB=/.sshrec-vm-job
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH HOME=/root TERM=${TERM:-dumb} LANG=C.UTF-8

say() { echo "sshrec-vm stage 2: $*" >/dev/console; }

poweroff_now() {
	sync
	/bin/busybox poweroff -f # reboot(2), never returns
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
}

# Run the job: its output and exit status go to the share, then power off.
run_job() {
	local rc
	(cd / && exec bash "$JOB/cmd") >"$JOB/output" 2>&1 </dev/null
	rc=$?
	echo "$rc" >"$JOB/rc.tmp" && mv "$JOB/rc.tmp" "$JOB/rc"
	say "job exited with $rc"
	poweroff_now
}

mnt() { # type source target [options]
	mountpoint -q "$3" && return 0
	mkdir -p "$3" && mount -t "$1" ${4:+-o "$4"} "$2" "$3" || say "cannot mount $1 on $3"
}

if [ "${1:-}" = job ]; then # systemd mode: the job unit's ExecStart
	run_job
	exit 1
fi

mkdir -p "$JOB"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 sshrecjob "$JOB" ||
	{ say "cannot mount the job share"; poweroff_now; }
cat /proc/uptime >"$JOB/booted"
mode=$(sed -n 's/.*sshrec_vm\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)

if [ "$mode" = systemd ]; then
	sys=/etc/systemd/system
	# slow under TCG (tmpfiles walks the whole shared tree) or useless here
	for u in systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer \
		systemd-journal-flush.service systemd-random-seed.service systemd-binfmt.service \
		proc-sys-fs-binfmt_misc.automount systemd-modules-load.service \
		kmod-static-nodes.service systemd-firstboot.service systemd-machine-id-commit.service \
		systemd-repart.service systemd-pstore.service systemd-timesyncd.service \
		systemd-sysusers.service systemd-hwdb-update.service ldconfig.service \
		systemd-update-done.service systemd-journal-catalog-update.service \
		systemd-remount-fs.service systemd-fsck-root.service e2scrub_reap.service \
		systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
		systemd-udevd-control.socket systemd-udevd-kernel.socket; do
		ln -sf /dev/null "$sys/$u"
	done
	cat >"$sys/sshrec-vm.target" <<'UNIT'
[Unit]
Description=sshrec test guest
Requires=basic.target
Wants=dbus.service systemd-logind.service systemd-user-sessions.service ssh.service sshrec-vm-job.service
After=basic.target
AllowIsolate=yes
UNIT
	cat >"$sys/sshrec-vm-job.service" <<UNIT
[Unit]
Description=sshrec test job (tests/vm)
After=basic.target dbus.service systemd-logind.service systemd-user-sessions.service ssh.service

[Service]
Type=oneshot
ExecStart=/.sshrec-vm-stage2 job
TimeoutStartSec=infinity
UNIT
	# the host's /run (its sessions, sockets, pid files) is not this system's
	mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
	exec /lib/systemd/systemd --unit=sshrec-vm.target
fi

# plain mode: what the tests need, as a systemd host would have it
mnt devpts devpts /dev/pts gid=5,mode=620,ptmxmode=666
mnt tmpfs tmpfs /dev/shm mode=1777
mnt tmpfs tmpfs /run mode=755
mnt cgroup2 cgroup2 /sys/fs/cgroup nsdelegate
mnt bpf bpf /sys/fs/bpf
mnt tracefs tracefs /sys/kernel/tracing
mnt debugfs debugfs /sys/kernel/debug
mnt securityfs securityfs /sys/kernel/security
# what udev or systemd would add to devtmpfs (bash's <(...) needs /dev/fd)
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ip link set lo up
hostname sshrec-vm
run_job
