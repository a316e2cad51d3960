#!/usr/bin/env bash
# Run by tests/pkg/deb.sh as root in a throwaway copy of the host (an overlay
# of / in its own mount namespace): the packages' maintainer scripts and the
# installed daemon, CLI and PAM profile, from dpkg -i to dpkg --purge.
# Prints PASS:/FAIL: lines; exits 0 once it ran to the end.
set -u
D=/var/tmp/pkgtest
export DEBIAN_FRONTEND=noninteractive
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi; }
no() { ! "$@"; }
line_of() { grep -n -E "$1" "$2" | head -n 1 | cut -d: -f1; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# ---- install
dpkg -i "$D"/sshrec_*.deb "$D"/libpam-sshrec_*.deb >"$D/install.log" 2>&1
eq "dpkg -i of both packages" 0 $? || cat "$D/install.log"
eq "both installed" "install ok installed;install ok installed;" \
	"$(dpkg-query -W -f='${Status};' sshrec libpam-sshrec)"
gid=$(getent group sshrec-auditors | cut -d: -f3)
check "postinst created the system group sshrec-auditors (gid $gid)" [ "${gid:-99999}" -lt 1000 ]
check "/etc/sshrec/sshrecd.conf is a conffile" sh -c \
	"dpkg-query -W -f='\${Conffiles}' sshrec | grep -q '^ /etc/sshrec/sshrecd.conf '"
check "the configuration opens the records to sshrec-auditors" \
	grep -qx 'records_group = sshrec-auditors' /etc/sshrec/sshrecd.conf
eq "the unit is enabled on install" /lib/systemd/system/sshrecd.service \
	"$(readlink /etc/systemd/system/multi-user.target.wants/sshrecd.service)"
check "and started on install under systemd (postinst)" \
	grep -q "deb-systemd-invoke \$_dh_action 'sshrecd.service'" /var/lib/dpkg/info/sshrec.postinst
check "the PAM profile is installed" [ -f /usr/share/pam-configs/sshrec ]
check "and off by default" no grep -q pam_sshrec /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive

# ---- enabling the PAM profile, as the admin would
pam-auth-update --enable sshrec
cs=/etc/pam.d/common-session
check "pam-auth-update --enable sshrec puts pam_sshrec in common-session" grep -q 'pam_sshrec.so fail=closed' $cs
check "only for sshd" sh -c "grep -B1 pam_sshrec.so $cs | head -n 1 | grep -q 'pam_succeed_if.so quiet service = sshd'"
check "not in the non-interactive stack" no grep -q pam_sshrec /etc/pam.d/common-session-noninteractive
check "sshd includes common-session after pam_loginuid" \
	[ "$(line_of '^session.*pam_loginuid' /etc/pam.d/sshd)" -lt "$(line_of '^@include common-session' /etc/pam.d/sshd)" ]
check "after pam_unix" [ "$(line_of 'pam_unix' $cs)" -lt "$(line_of pam_sshrec $cs)" ]
# README: right after pam_loginuid, before logind's pam_systemd (sshrecd
# follows the login into its scope)
if grep -q pam_systemd $cs; then
	check "before pam_systemd, as README places it" \
		[ "$(line_of pam_sshrec $cs)" -lt "$(line_of pam_systemd $cs)" ]
fi

# ---- the installed daemon records a login through the packaged PAM profile
/usr/sbin/sshrecd -f >"$D/sshrecd.log" 2>&1 & # as the unit runs it
PIDS+=($!)
for _ in $(seq 1 100); do [ -S /run/sshrec/sshrecd.sock ] && break; sleep 0.1; done
check "the installed sshrecd runs with the packaged configuration" [ -S /run/sshrec/sshrecd.sock ]
mkdir -p /run/sshd "$D/keys"
ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$D/userkey" </dev/null
cp "$D/userkey.pub" "$D/keys/root"
cat >"$D/sshd_config" <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM yes
ExposeAuthInfo yes
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $D/keys/%u
StrictModes no
CFG
# named sshd: the PAM service is the stock /etc/pam.d/sshd of this copy
/usr/sbin/sshd -D -e -f "$D/sshd_config" >"$D/sshd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
	ss -Hltn "sport = :$PORT" | grep -q . && break
	sleep 0.1
done
sid=$(ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-i "$D/userkey" -p "$PORT" root@127.0.0.1 '/bin/echo pkg-login-marker >/dev/null; echo "$SSHREC_SID"')
check "a login through the packaged profile is registered (SSHREC_SID '$sid')" [ -n "$sid" ]
db=/var/lib/sshrec/sshrec.db
state=
for _ in $(seq 1 100); do
	state=$(sqlite3 -readonly "file:$db?mode=ro" "SELECT state FROM sessions WHERE sid='$sid'" 2>/dev/null)
	[ "$state" = ended ] && break
	sleep 0.1
done
eq "its session ended" ended "$state"
perm() { stat -c '%a %U:%G' "$1" 2>&1; }
for f in /var/lib/sshrec /var/log/sshrec; do
	eq "$f made by sshrecd: 750 root:sshrec-auditors" "750 root:sshrec-auditors" "$(perm $f)"
done
for f in $db /var/log/sshrec/events.jsonl; do
	eq "$f: 640 root:sshrec-auditors" "640 root:sshrec-auditors" "$(perm $f)"
done
useradd -M -N -s /bin/bash pkgauditor && adduser --quiet pkgauditor sshrec-auditors
useradd -M -N -s /bin/bash pkgother
out=$(as pkgauditor /usr/bin/sshrec sessions --json 2>&1)
eq "a member of sshrec-auditors lists the session with sshrec" "$sid" \
	"$(jq -r '.[].sid' <<<"$out" 2>/dev/null || echo "$out")"
check "and reads what it ran" sh -c \
	"setpriv --reuid=pkgauditor --regid=$(id -g pkgauditor) --init-groups /usr/bin/sshrec timeline $sid | grep -q pkg-login-marker"
check "a user outside the group cannot" no as pkgother /usr/bin/sshrec sessions

# ---- upgrade (reinstall): the admin's configuration stays
echo 'retention = 90d' >>/etc/sshrec/sshrecd.conf
dpkg -i "$D"/sshrec_*.deb "$D"/libpam-sshrec_*.deb >"$D/upgrade.log" 2>&1
eq "reinstall over the installed packages" 0 $? || cat "$D/upgrade.log"
check "the admin's change to the conffile stays" grep -qx 'retention = 90d' /etc/sshrec/sshrecd.conf
check "the enabled PAM profile stays" grep -q pam_sshrec $cs

# ---- remove: the module leaves the PAM stack, the records stay
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done # as systemd stops it
PIDS=()
check "sshrecd left its programs pinned" [ -d /sys/fs/bpf/sshrec ]
dpkg -r libpam-sshrec sshrec >"$D/remove.log" 2>&1
eq "dpkg -r of both packages" 0 $? || cat "$D/remove.log"
check "pam_sshrec left the PAM stack" no grep -q pam_sshrec $cs
check "the pinned programs went with it" [ ! -e /sys/fs/bpf/sshrec ]
check "the records stay" [ -s $db -a -s /var/log/sshrec/events.jsonl ]
check "the configuration stays" [ -f /etc/sshrec/sshrecd.conf ]

# ---- purge: the records go
dpkg -P libpam-sshrec sshrec >"$D/purge.log" 2>&1
eq "dpkg -P of both packages" 0 $? || cat "$D/purge.log"
check "the records are gone" [ ! -e /var/lib/sshrec -a ! -e /var/log/sshrec ]
check "the configuration is gone" [ ! -e /etc/sshrec ]
check "the unit's enablement is gone" [ ! -e /etc/systemd/system/multi-user.target.wants/sshrecd.service ]
check "the group stays (files elsewhere may be its)" getent group sshrec-auditors >/dev/null
exit 0
