#!/usr/bin/env bash
# Run one command in a QEMU guest booted with one of Debian's kernels on this
# machine's own root (read-only 9p + tmpfs overlay). See tests/vm/README.md.
#
#   tests/vm/run.sh --kernel 6.1|6.12|<version>|<.deb>|<dir> [options] -- CMD [ARG...]
#
# Prints the command's output and exits with its exit status; a guest that
# hangs past --timeout is killed (by PID) and the run fails with 124, a guest
# that ends without a result fails with 125.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	cat >&2 <<'EOF'
usage: tests/vm/run.sh --kernel K [options] -- CMD [ARG...]
  --kernel K       6.1 or 6.12 (newest in apt), a Debian version (6.1.0-50,
                   6.12.100+deb12), a linux-image .deb, or an unpacked kernel dir
  --append ARGS    extra kernel command line (e.g. 'lsm=lockdown,capability,bpf')
  --systemd        boot systemd as PID 1; CMD runs as a oneshot unit once
                   ssh.service and systemd-logind are up
  --timeout S      kill the guest after S seconds (default 900)
  --mem MB         guest memory (default 2048)
  --smp N          guest CPUs (default 2)
  --modules 'M..'  more kernel modules to load in the initramfs
  --stats FILE     write a JSON object: kernel, accel, boot_s, run_s, rc, timed_out
  --keep           keep the job directory (console.log, output) and print its path
  --quiet          do not stream the command's output (it is printed at the end)
  --icount         (TCG) the guest clock counts instructions, 1 ns each: timings
                   in the guest independent of the host's load (benchmarks)
The guest sees the host's files at their usual paths (writes stay in the guest),
CMD runs in the current directory, and SR_*, ASAN_OPTIONS, UBSAN_OPTIONS and CI
are passed into it.
EOF
	exit 2
}

kernel='' append='' mode=plain timeout=900 mem=2048 smp=2 stats='' keep='' quiet='' icount=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--systemd) mode=systemd; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--modules) SR_VM_MODULES="${SR_VM_MODULES:-} $2"; shift 2 ;;
	--stats) stats=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--quiet) quiet=1; shift ;;
	--icount) icount=1; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ -n "$kernel" ] && [ $# -gt 0 ] || usage
[ "$(id -u)" = 0 ] || { sr_vm_log "must run as root (9p passthrough of /)"; exit 2; }
QEMU=$(command -v qemu-system-x86_64) ||
	{ sr_vm_log "qemu-system-x86_64 missing: scripts/deps.sh installs qemu-system-x86"; exit 2; }

kdir=$(sr_vm_kernel "$kernel") || { sr_vm_log "cannot get kernel $kernel"; exit 2; }
rel=$(sr_vm_release "$kdir")

job=$(mktemp -d /tmp/sshrec-vm.XXXXXX) || exit 2
share=$job/share
mkdir -p "$share"
qpid='' tpid=''
cleanup() {
	[ -n "$qpid" ] && stop_qemu
	if [ -n "$keep" ]; then sr_vm_log "kept $job"; else rm -rf "$job"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sr_vm_initramfs "$kdir" "$job/initrd.gz" || exit 2

# The job: the caller's directory and environment, then the command.
{
	echo "cd $(printf '%q' "$PWD") || exit 125"
	while IFS='=' read -r name _; do
		case $name in SR_VM_*) continue ;; SR_* | ASAN_OPTIONS | UBSAN_OPTIONS | CI) ;; *) continue ;; esac
		echo "export $name=$(printf '%q' "${!name}")"
	done < <(env)
	printf '%q ' "$@"
	echo
} >"$share/cmd"

cmdline="console=ttyS0 panic=-1 sshrec_vm.mode=$mode"
[ "$mode" = systemd ] && cmdline+=" systemd.show_status=0"
[ "$mode" = plain ] && cmdline+=" quiet"
[ -n "$append" ] && cmdline+=" $append"

# KVM when it works here, else TCG. Nested KVM can open /dev/kvm and then
# fail in the guest's decompressor; the verdict is kept per host kernel and
# QEMU version so only the first run pays for finding out.
accel_file=$SR_VM_CACHE/accel-$(uname -r)-$("$QEMU" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
accel=${SR_VM_ACCEL:-}
if [ -z "$accel" ]; then
	if [ -s "$accel_file" ]; then
		accel=$(cat "$accel_file")
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		accel=kvm-probe
	else
		accel=tcg
	fi
fi

boot() { # $1: kvm or tcg
	local cpu=max ic=()
	rm -f "$share/booted" "$share/rc" "$share/output"
	: >"$share/output"
	# --icount (TCG): the guest's clock counts executed instructions (1 ns
	# each), so its timings no longer depend on how busy the host is
	[ -n "$icount" ] && [ "$1" = tcg ] && ic=(-icount shift=0)
	"$QEMU" -accel "$1" "${ic[@]}" -cpu "$cpu" -smp "$smp" -m "$mem" -display none -no-reboot \
		-nic none -monitor none -serial "file:$job/console.log" \
		-kernel "$kdir/boot/vmlinuz-$rel" -initrd "$job/initrd.gz" -append "$cmdline" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
		-virtfs "local,path=$share,mount_tag=sshrecjob,security_model=passthrough,multidevs=remap" \
		</dev/null >"$job/qemu.log" 2>&1 &
	qpid=$!
	start=$(date +%s.%N)
	# stream the output; tail exits (after printing the rest) when qemu does
	[ -n "$quiet" ] || { tail -n +1 -s 0.3 --pid="$qpid" -F "$share/output" 2>/dev/null & tpid=$!; }
}

# Wait for the guest. $1: seconds to wait for the boot marker (0: no limit).
# Returns 0 when qemu exited, 1 on timeout, 2 when KVM failed to boot.
watch() {
	local boot_limit=$1 now
	while kill -0 "$qpid" 2>/dev/null; do
		now=$(date +%s.%N)
		if [ -z "$boot_s" ] && [ -e "$share/booted" ]; then
			boot_s=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
			sr_vm_log "$rel ($cur) booted in $boot_s s"
		fi
		if [ -z "$boot_s" ] && [ "$boot_limit" != 0 ] &&
			{ grep -q 'KVM internal error\|emulation failure' "$job/qemu.log" ||
				awk -v a="$start" -v b="$now" -v l="$boot_limit" 'BEGIN { exit !(b - a > l) }'; }; then
			return 2
		fi
		if awk -v a="$start" -v b="$now" -v l="$timeout" 'BEGIN { exit !(b - a > l) }'; then
			return 1
		fi
		sleep 0.5
	done
	wait "$qpid" 2>/dev/null
	qpid=
	return 0
}

stop_qemu() {
	kill -KILL "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=
	[ -n "$tpid" ] && { kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; tpid=; }
}
boot_s='' timed_out=false
cur=${accel%-probe}
boot "$cur"
if [ "$accel" = kvm-probe ]; then
	watch 60
	w=$?
	if [ $w = 2 ] || { [ $w = 0 ] && [ -z "$boot_s" ]; }; then
		sr_vm_log "KVM does not boot this guest here ($(grep -m1 -i 'error\|failure' "$job/qemu.log" || echo 'no boot in 60 s')): using TCG from now on"
		stop_qemu
		echo tcg >"$accel_file"
		cur=tcg
		boot tcg
		watch 0
		w=$?
	elif [ -n "$boot_s" ]; then
		echo kvm >"$accel_file"
	fi
else
	watch 0
	w=$?
fi
end=$(date +%s.%N)
if [ $w = 1 ]; then
	timed_out=true
	sr_vm_log "TIMEOUT: $rel ($cur) still running after $timeout s: killed qemu (pid $qpid)"
	stop_qemu
fi
[ -n "$tpid" ] && { wait "$tpid" 2>/dev/null; tpid=; }
[ -n "$quiet" ] && cat "$share/output"

if [ -s "$share/rc" ]; then
	rc=$(cat "$share/rc")
elif $timed_out; then
	rc=124
else
	rc=125
	sr_vm_log "the guest ended without a result"
fi
if [ "$rc" != 0 ]; then
	echo "----- last lines of the guest console ($rel) -----" >&2
	tail -n 40 "$job/console.log" >&2
	[ -s "$job/qemu.log" ] && { echo "----- qemu -----" >&2; tail -n 10 "$job/qemu.log" >&2; }
fi
run_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
sr_vm_log "$rel ($cur, $mode): boot ${boot_s:-?} s, total $run_s s, exit $rc"
if [ -n "$stats" ]; then
	printf '{"kernel":"%s","package":"%s","accel":"%s","mode":"%s","boot_s":%s,"run_s":%s,"rc":%s,"timed_out":%s}\n' \
		"$rel" "$(head -n 1 "$kdir/.package" 2>/dev/null | sed 's/^Package: //')" "$cur" "$mode" \
		"${boot_s:-null}" "$run_s" "$rc" "$timed_out" >"$stats"
fi
exit "$rc"
