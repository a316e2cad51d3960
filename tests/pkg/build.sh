#!/usr/bin/env bash
# tests/pkg/build.sh OUT: the Debian packages of this source tree, built with
# `dpkg-buildpackage -b -us -uc` in a copy of it (the unit tests skipped:
# nocheck, the suites run them), into OUT: sshrec_*.deb, libpam-sshrec_*.deb
# and their .changes and .buildinfo, and build.log.
#
# Built once per source: OUT/source.sha256 is a hash of the tree's files
# (tracked and new, as they are in the work tree, with their modes), and a
# tree with the same hash reuses what is in OUT. So tests/pkg/deb.sh (host
# suite) and make check-kernels' systemd guest (dpkg -i) share one build in
# CI. Without git every call builds. Prints where the packages came from.
set -uo pipefail
top=${SR_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${1:?usage: build.sh OUT}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
exec 9>"$out/.lock"
flock 9 # one build at a time in OUT

files() { git -C "$top" ls-files -co --exclude-standard -z; }
hash=
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	# names, modes and contents: not mtimes nor owners
	hash=$(files | tar -C "$top" --null -T - --ignore-failed-read --sort=name --mtime=@0 \
		--owner=0 --group=0 --numeric-owner -cf - 2>/dev/null | sha256sum | cut -d' ' -f1)
fi
if [ -n "$hash" ] && [ "$(cat "$out/source.sha256" 2>/dev/null)" = "$hash" ] &&
	ls "$out"/sshrec_*.deb "$out"/libpam-sshrec_*.deb "$out"/sshrec_*.changes >/dev/null 2>&1; then
	echo "packages: reused, built earlier from this same source ($hash)"
	exit 0
fi

t0=$(date +%s)
rm -rf "$out/src" "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo "$out/source.sha256"
mkdir -p "$out/src/sshrec"
if [ -n "$hash" ]; then
	files | tar -C "$top" --null -T - -cf - | tar -C "$out/src/sshrec" -xf -
else
	tar -C "$top" --exclude='./build*' --exclude=autom4te.cache -cf - . | tar -C "$out/src/sshrec" -xf -
fi
(cd "$out/src/sshrec" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) \
	>"$out/build.log" 2>&1
rc=$?
if [ "$rc" != 0 ]; then
	tail -n 40 "$out/build.log"
	echo "packages: dpkg-buildpackage failed (rc $rc), log in $out/build.log"
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/"
mv "$out"/src/*.ddeb "$out/" 2>/dev/null
rm -rf "$out/src"
[ -n "$hash" ] && echo "$hash" >"$out/source.sha256"
echo "packages: built in $(($(date +%s) - t0)) s into $out"
