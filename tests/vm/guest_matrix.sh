#!/usr/bin/env bash
# Inside one kernel-matrix guest (tests/vm/matrix.sh starts it through
# run.sh): the parts named as arguments (default: the capture tests on every
# backend the kernel has, then end-to-end logins over a real sshd; "blinding",
# "bench", "policy" (BPF LSM) and "policy-signal" (:nobpf) on request;
# "systemd" in a systemd guest). Each
# part prints its own output, then one line
#   vm-part <name> rc=<exit status> pass=<N> fail=<N> seconds=<S>
# for the host's table. Exits non-zero when any part failed.
set -u
: "${SR_TOP_SRCDIR:?}" "${SR_TOP_BUILDDIR:?}"
export SR_TOP_SRCDIR SR_TOP_BUILDDIR
cd "$SR_TOP_BUILDDIR" || exit 2
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
echo "guest: $(uname -r), $(nproc) CPUs, LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"

# The logins are a fresh user's: root's dotfiles on a developer's machine
# (pyenv init...) would cost minutes of emulated CPU per login.
useradd -m -s /bin/bash sshrec-vm 2>/dev/null
export SR_E2E_USER=sshrec-vm
# Debian's kernels run 32-bit code: the compat path must be recorded there,
# not merely found closed (tests/kernel/ia32.h).
export SR_EXPECT_IA32=1

failed=0
part() { # name command...
	local name=$1 log rc t0 pass fail
	shift
	log=$(mktemp)
	t0=$(date +%s)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# checks, not the "PASS: N passed, M failed" summary lines
	pass=$(grep -vE '^(PASS|FAIL): [0-9]+ passed, [0-9]+ failed$' "$log" | grep -c '^PASS: ')
	fail=$(grep -vE '^(PASS|FAIL): [0-9]+ passed, [0-9]+ failed$' "$log" | grep -c '^FAIL: ')
	# a part that failed without a FAIL line (crash, skip) still counts as failed
	[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1
	[ "$rc" != 0 ] && failed=1
	echo "vm-part $name rc=$rc pass=$pass fail=$fail seconds=$(($(date +%s) - t0))"
	rm -f "$log"
}

# The capture backends this kernel has (auto: the best, BPF LSM here unless
# the guest was booted with an lsm= list without bpf), each forced in turn.
capture_as() { SR_CAPTURE_BACKEND=$1 ./tests/kernel/test_capture; }

[ $# -gt 0 ] || set -- capture capture-fentry capture-tracepoint login scope-after netin netin-fentry
for p in "$@"; do
	case $p in
	capture) part capture ./tests/kernel/test_capture ;;
	capture-fentry) part capture-fentry capture_as fentry ;;
	capture-tracepoint) part capture-tracepoint capture_as tracepoint ;;
	blinding) part blinding bash "$SR_TOP_SRCDIR/tests/e2e/blinding_matrix.sh" ;;
	# ratios only under TCG; short runs (the table goes to the log)
	bench) part bench bash "$SR_TOP_SRCDIR/tests/bench/bench_capture_vm.sh" ;;
	login) part login bash "$SR_TOP_SRCDIR/tests/vm/login.sh" ;;
	scope-after) part scope-after bash "$SR_TOP_SRCDIR/tests/e2e/pam_scope_after.sh" ;;
	# inbound TCP and UDP sends (session.network) on each hook backend (the host has tracepoint)
	netin) part netin env SR_NETIN_BACKEND=lsm bash "$SR_TOP_SRCDIR/tests/e2e/scenario_netin.sh" ;;
	netin-fentry) part netin-fentry env SR_NETIN_BACKEND=fentry bash "$SR_TOP_SRCDIR/tests/e2e/scenario_netin.sh" ;;
	# Debian's kernels have BPF LSM: the session policy must deny with it there
	policy) part policy env SR_POLICY_EXPECT_MECH=lsm bash "$SR_TOP_SRCDIR/tests/e2e/policy_enforce.sh" ;;
	# booted without bpf among the LSMs (:nobpf): SIGKILL, from the fentry backend's programs
	policy-signal) part policy-signal env SR_POLICY_EXPECT_MECH=signal bash "$SR_TOP_SRCDIR/tests/e2e/policy_enforce.sh" ;;
	systemd) part systemd bash "$SR_TOP_SRCDIR/tests/vm/systemd_guest.sh" ;;
	*) echo "guest_matrix: unknown part $p" >&2; exit 2 ;;
	esac
done
exit $failed
