#!/usr/bin/env bash
# The Debian package (debian/): dpkg-buildpackage -b builds sshrec and
# libpam-sshrec (tests/pkg/build.sh, into $SR_TOP_BUILDDIR/deb, once per
# source), lintian finds no error and no warning (the info and
# experimental tags that remain are overridden, each with its reason, in
# debian/*.lintian-overrides), the packages hold what they must, and
# their maintainer scripts do what they must in a throwaway copy of this
# host (an overlay of / in a private mount namespace, entered with
# pivot_root; tests/pkg/inside.sh): install, a login through the packaged
# PAM profile recorded by the packaged daemon and read by a member of
# sshrec-auditors, remove, purge. Without systemd as PID 1 here, the unit's
# start on install is checked in the postinst; the vm helper's systemd
# guest installs the same .deb for real.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/ns_lib.sh"
sr_init
for t in dpkg-buildpackage dh lintian unshare pivot_root; do
	command -v "$t" >/dev/null || sr_die "$t missing (scripts/deps.sh installs debhelper, lintian, dpkg-dev)"
done

t0=$SECONDS
# ---- build, in a copy of the source (tests/pkg/build.sh: once per source,
# shared with make check-kernels' systemd guest, which installs them)
pkgs=$SR_TOP_BUILDDIR/deb
bash "$SR_TOP_SRCDIR/tests/pkg/build.sh" "$pkgs" >"$SR_T/build.out" 2>&1
rc=$?
sr_log "$(tail -n 1 "$SR_T/build.out")"
sr_check_eq "dpkg-buildpackage -b -us -uc of this source" 0 "$rc"
[ "$rc" = 0 ] || { tail -n 40 "$SR_T/build.out"; sr_die "the package did not build"; }
changes=$(echo "$pkgs"/sshrec_*.changes)
deb=$(echo "$pkgs"/sshrec_*.deb)
pam=$(echo "$pkgs"/libpam-sshrec_*.deb)

t_build=$((SECONDS - t0))
# ---- lintian: nothing left but what debian/*.lintian-overrides explain
# (one run: lintian takes a while)
# TMPDIR: lintian leaves /tmp/mldbm-elf-* files behind; keep them in the test's directory
out=$(TMPDIR="$SR_T" lintian -I -E --pedantic --fail-on error,warning "$changes" 2>&1)
rc=$?
out=$(grep -v '^running with root privileges' <<<"$out")
sr_check "lintian: no error, no warning ($out)" [ "$rc" = 0 ]
sr_check "lintian -I -E --pedantic: every remaining tag overridden with a reason ($out)" [ -z "$out" ]

t_lint=$((SECONDS - t0 - t_build))
# ---- contents
has() { dpkg-deb -c "$1" | awk '{ print $6 }' | grep -qx "./$2"; }
for f in usr/sbin/sshrecd usr/bin/sshrec lib/systemd/system/sshrecd.service etc/sshrec/sshrecd.conf \
	usr/share/man/man8/sshrecd.8.gz usr/share/man/man1/sshrec.1.gz usr/share/man/man5/sshrecd.conf.5.gz; do
	sr_check "sshrec ships /$f" has "$deb" "$f"
done
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in "lib/$triplet/security/pam_sshrec.so" usr/share/pam-configs/sshrec usr/share/man/man8/pam_sshrec.8.gz; do
	sr_check "libpam-sshrec ships /$f" has "$pam" "$f"
done
sr_check_eq "the configuration is a conffile" /etc/sshrec/sshrecd.conf \
	"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"
sr_check "libpam-sshrec depends on the same version of sshrec" sh -c \
	"dpkg-deb -f '$pam' Depends | grep -q 'sshrec (= $(dpkg-deb -f "$deb" Version))'"

# ---- maintainer scripts, in a throwaway copy of this host
port=$(sr_free_port)
mkdir -p "$SR_T/ovl"
unshare -m --propagation private "$BASH" -c '
	set -e
	. "$1/tests/ns_lib.sh"
	O=$2
	mount -t tmpfs tmpfs "$O"
	mkdir "$O/up" "$O/work" "$O/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$O/up,workdir=$O/work" "$O/root"
	sr_ns_mount "$O/root"
	mount -t tmpfs tmpfs "$O/root/tmp"
	# /etc and the dpkg database as they are now: the live lower layer
	# would show the host tests'"'"' useradd lock files of the moment
	for d in etc var/lib/dpkg; do
		mkdir -p "$O/snap/$d"
		cp -a "/$d/." "$O/snap/$d/"
		mount --bind "$O/snap/$d" "$O/root/$d"
	done
	rm -f "$O"/snap/etc/*.lock
	mkdir -p "$O/root/var/tmp/pkgtest"
	cp "$3" "$4" "$1/tests/pkg/inside.sh" "$O/root/var/tmp/pkgtest/"
	sr_ns_pivot "$O/root"
	exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PORT="$5" bash /var/tmp/pkgtest/inside.sh
' inside "$SR_TOP_SRCDIR" "$SR_T/ovl" "$deb" "$pam" "$port" >"$SR_T/inside.out" 2>&1 &
pid=$!
SR_PIDS+=("$pid")
ns=$(sr_ns_of "$pid")
SR_CLEANUP_HOOKS+=("sr_ns_kill '$ns' deb")
wait "$pid"
rc=$?
# what inside.sh stopped last (sshrecd's linger watcher polls each second)
# may take a moment to go; anything still there after 15 s is a leftover
for _ in $(seq 1 150); do
	[ -z "$(sr_ns_pids "$ns")" ] && break
	sleep 0.1
done
left=$(for p in $(sr_ns_pids "$ns"); do printf '%s(%s) ' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80)"; done)
sr_check "nothing left running in the throwaway root ($left)" [ -z "$left" ]
sr_ns_kill "$ns" deb
# its PASS/FAIL lines count as this test's
while IFS= read -r line; do
	case $line in
	"PASS: "*) sr_pass "${line#PASS: }" ;;
	"FAIL: "*) sr_fail "${line#FAIL: }" ;;
	*) echo "  $line" ;;
	esac
done <"$SR_T/inside.out"
sr_check_eq "the throwaway root's checks ran to the end" 0 "$rc"
sr_log "seconds: build $t_build, lintian $t_lint, all $((SECONDS - t0))"
sr_finish
