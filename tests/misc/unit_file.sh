#!/usr/bin/env bash
# The shipped systemd unit (contrib/sshrecd.service.in) passes
# `systemd-analyze verify` with no warning at all (an unknown or misspelt key
# is only a warning there, so any output fails), pointing at the built
# sshrecd; and ExecReload sends SIGHUP, which sshrecd handles by reopening
# its files (tests/e2e/daemon_logrotate.sh).
set -u
: "${SR_TOP_SRCDIR:?}" "${SR_TOP_BUILDDIR:?}"
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not installed (Debian package systemd)" >&2
	exit 77
fi
t=$(mktemp -d /tmp/sshrec-unitfile.XXXXXX)
trap 'rm -rf "$t"' EXIT
sed -e "s|@sbindir[@]|$SR_TOP_BUILDDIR|g" "$SR_TOP_SRCDIR/contrib/sshrecd.service.in" \
	>"$t/sshrecd.service"
out=$(systemd-analyze verify --man=no "$t/sshrecd.service" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	echo "FAIL: systemd-analyze verify (rc $rc): $out"
	exit 1
fi
echo "PASS: systemd-analyze verify: no warning"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$t/sshrecd.service" ||
	{ echo "FAIL: ExecReload does not send SIGHUP"; exit 1; }
echo "PASS: ExecReload sends SIGHUP"
grep -q "^ExecStart=$SR_TOP_BUILDDIR/sshrecd -f\$" "$t/sshrecd.service" ||
	{ echo "FAIL: ExecStart is not sshrecd in the foreground"; exit 1; }
echo "PASS: ExecStart runs sshrecd -f (foreground)"
