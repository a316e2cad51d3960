#!/usr/bin/env bash
# Inside a guest with systemd as PID 1 (tests/vm/systemd.sh starts it): a
# real systemd host, set up as README tells an admin. Install sshrec
# (dpkg -i of the packages in $SR_VM_DEBS, else `make install`; the
# packages' unit must then be enabled and running, and dpkg --purge at the
# end must stop it and remove the records), start
# sshrecd with the shipped unit through systemctl, edit this guest's own
# /etc/pam.d/sshd (in the guest's overlay) and log in over ssh.service with
# pam_systemd and logind in the stack:
#   - pam_sshrec where README puts it (after pam_loginuid, so before
#     common-session's pam_systemd), then after common-session: the session
#     is in logind's session-N.scope, its commands are recorded, it ends
#     when the scope empties;
#   - `systemctl restart sshrecd` in the middle of a session loses nothing;
#   - with sshrecd stopped, fail=closed refuses the login and the journal
#     says why.
set -u
: "${SR_TOP_SRCDIR:?}" "${SR_TOP_BUILDDIR:?}"
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_TEST_NAME=systemd-guest
SR_T=$(mktemp -d /tmp/sshrec-systemd.XXXXXX)
SR_DB=/var/lib/sshrec/sshrec.db
SR_JSONL=/var/log/sshrec/events.jsonl
USER_=vmuser
PAM=/etc/pam.d/sshd

t0=$(date +%s)
step() { printf '\n== [%ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
dump() {
	echo "----- journal (last 60 lines) -----"
	journalctl -q --no-pager -n 60
}

step "systemd $(systemctl --version | head -n 1 | cut -d' ' -f2), $(uname -r), cgroup2 at $(sr_cgroup2)"
sr_check_eq "systemd is PID 1" systemd "$(cat /proc/1/comm)"
sr_check "ssh.service and systemd-logind are active" systemctl is-active -q ssh systemd-logind

step "install"
if [ -n "${SR_VM_DEBS:-}" ]; then
	ls -l "$SR_VM_DEBS"/*.deb
	# this machine's root comes from a container image whose policy-rc.d
	# forbids maintainer scripts to start services; a real host has none
	rm -f /usr/sbin/policy-rc.d
	# man-db's trigger would index every manual page of the host's tree
	# over 9p under TCG; a test host needs no index (as it masks units)
	rm -f /var/lib/man-db/auto-update
	# bounded: a hang shows its log and fails here, not at the guest's timeout
	DEBIAN_FRONTEND=noninteractive timeout 400 dpkg -i "$SR_VM_DEBS"/*.deb >"$SR_T/install.log" 2>&1
	sr_check "dpkg -i the packages" [ $? = 0 ] || { tail -n 30 "$SR_T/install.log"; ps -ef --forest | tail -n 25; }
	step "installed"
	sr_check_eq "sshrec and libpam-sshrec installed" "install ok installed;install ok installed;" \
		"$(dpkg-query -W -f='${Status};' sshrec libpam-sshrec)"
	sr_check "the unit is enabled on install" systemctl is-enabled -q sshrecd
	sr_check "and started by the package (before any systemctl start)" systemctl is-active -q sshrecd
else
	(cd "$SR_TOP_BUILDDIR" && make install) >"$SR_T/install.log" 2>&1
	sr_check "make install" [ $? = 0 ] || tail -n 30 "$SR_T/install.log"
fi
unit=$(systemctl show -P FragmentPath sshrecd 2>/dev/null)
sr_check "the shipped unit is installed ($unit)" test -n "$unit"
systemctl daemon-reload
systemctl start sshrecd
sr_check "systemctl start sshrecd" systemctl is-active -q sshrecd
for _ in $(seq 1 100); do [ -S /run/sshrec/sshrecd.sock ] && break; sleep 0.2; done
sr_check "sshrecd listens on /run/sshrec/sshrecd.sock" test -S /run/sshrec/sshrecd.sock

step "sshd and a user, as README says"
printf 'UsePAM yes\nExposeAuthInfo yes\n' >/etc/ssh/sshd_config.d/sshrec.conf
systemctl reload ssh
useradd -m -s /bin/bash "$USER_" 2>/dev/null
uid=$(id -u "$USER_")
ssh-keygen -q -t ed25519 -N '' -f "$SR_T/key" </dev/null
install -d -m 700 -o "$USER_" "/home/$USER_/.ssh"
install -m 600 -o "$USER_" "$SR_T/key.pub" "/home/$USER_/.ssh/authorized_keys"
cp "$PAM" "$SR_T/pam.orig"
login() { ssh "${SR_SSH_OPTS[@]}" -i "$SR_T/key" "$USER_@127.0.0.1" "$@"; }
scope_re="^/user.slice/user-$uid.slice/session-[0-9a-zA-Z]+.scope$"

# A login in the given PAM order: the session follows logind into its scope.
check_order() { # name
	local name=$1 out sid cg row
	out=$(login "echo SID=\$SSHREC_SID; sed -n 's/^0:://p' /proc/self/cgroup; /bin/echo marker-$name")
	sr_check_eq "$name: login succeeds" 0 "$?"
	sid=$(sed -n 's/^SID=//p' <<<"$out")
	cg=$(sed -n 2p <<<"$out")
	sr_check "$name: SSHREC_SID is exported ($sid)" [ ${#sid} = 36 ]
	sr_check "$name: the shell runs in logind's scope ($cg)" grep -Eq "$scope_re" <<<"$cg"
	sr_check "$name: the session ends when the scope empties" sr_wait_ended "$sid" 60
	row=$(sr_sql "SELECT cgroup_path || '|' || n_escape FROM sessions WHERE sid='$sid'")
	sr_check_eq "$name: the session adopted the scope, no escape" "$cg|0" "$row"
	sr_check_commands_once "$sid" "marker-$name"
}

step "pam_sshrec right after pam_loginuid (README), before pam_systemd"
sed -i '/^session[[:space:]]\+required[[:space:]]\+pam_loginuid\.so/a session    required     pam_sshrec.so fail=closed' "$PAM"
grep -n 'pam_loginuid\|pam_sshrec\|common-session' "$PAM"
check_order readme
sr_check "readme: sshrecd followed the session into the scope" \
	bash -c "journalctl -q --no-pager -u sshrecd | grep -q 'adopted logind scope'"

step "systemctl restart sshrecd in the middle of a session"
login 'echo SID=$SSHREC_SID; /bin/echo restart-before; sleep 8; /bin/echo restart-after' \
	>"$SR_T/restart.out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q '^SID=' "$SR_T/restart.out" && break; sleep 0.1; done
sid=$(sed -n 's/^SID=//p' "$SR_T/restart.out")
sleep 2
systemctl restart sshrecd
sr_check "sshrecd is active again" systemctl is-active -q sshrecd
wait "$pid"
sr_check_eq "the login across the restart succeeds" 0 "$?"
sr_check "the session ends" sr_wait_ended "$sid" 60
sr_check_commands_once "$sid" restart-before restart-after

step "fail=closed with sshrecd stopped"
systemctl stop sshrecd
out=$(login '/bin/echo should-not-run' 2>&1)
rc=$?
sr_check "the login is refused (ssh exit $rc)" [ "$rc" != 0 ]
nothing_ran() { ! grep -q should-not-run <<<"$out"; }
sr_check "nothing ran" nothing_ran
sr_check "the journal says why" bash -c \
	"journalctl -q --no-pager | grep -E 'sshrec: refusing login of $USER_: .*\(fail=closed\)'"
systemctl start sshrecd

step "pam_sshrec after common-session (pam_systemd first)"
cp "$SR_T/pam.orig" "$PAM"
sed -i '/^@include common-session/a session    required     pam_sshrec.so fail=closed' "$PAM"
grep -n 'pam_loginuid\|pam_sshrec\|common-session' "$PAM"
for _ in $(seq 1 100); do [ -S /run/sshrec/sshrecd.sock ] && break; sleep 0.2; done
check_order after

sr_check "JSON lines validate" sr_validate_jsonl "$SR_JSONL"

if [ -n "${SR_VM_DEBS:-}" ]; then
	step "dpkg --purge under systemd"
	cp "$SR_T/pam.orig" "$PAM"
	# all that dpkg -i installed (dpkg-buildpackage's sshrec-dbgsym too)
	pkgs=$(for d in "$SR_VM_DEBS"/*.deb; do dpkg-deb -f "$d" Package; done | tr '\n' ' ')
	DEBIAN_FRONTEND=noninteractive dpkg --purge $pkgs >"$SR_T/purge.log" 2>&1
	sr_check "dpkg --purge of the packages (${pkgs% })" [ $? = 0 ] || tail -n 30 "$SR_T/purge.log"
	sr_check "the unit is stopped" sh -c '! systemctl is-active -q sshrecd'
	sr_check "no program is left pinned" test ! -e /sys/fs/bpf/sshrec
	sr_check "the records are gone" test ! -e /var/lib/sshrec -a ! -e /var/log/sshrec
fi
[ "$SR_FAILS" = 0 ] || dump
sr_finish
