#!/usr/bin/env bash
# Install the Debian packages sshrec needs to build, test and run the demo.
# Idempotent: installs only what is missing, and runs apt-get update only then.
set -euo pipefail

PKGS=(
	# build
	build-essential autoconf automake libtool pkg-config clang llvm bpftool
	libbpf-dev libelf-dev zlib1g-dev libssh-dev libjson-c-dev libsqlite3-dev
	libpam0g-dev libcmocka-dev
	# clang's fuzzer and sanitizer runtimes (make fuzz, scripts/ci-fuzz.sh)
	libclang-rt-14-dev
	# tests and demo
	openssh-server openssh-client sqlite3 jq python3 python3-jsonschema curl
	iproute2 procps psmisc tmux rsyslog logrotate systemd gcc-multilib util-linux chromium
	# contrib/siem/rsyslog.conf checked by rsyslogd -N1 (it loads omelasticsearch)
	rsyslog-elasticsearch
	# the Debian package (debian/, tests/pkg): build, lint, install in a throwaway root
	debhelper lintian dpkg-dev adduser libpam-runtime
	# kernel matrix (tests/vm): QEMU guests booted on Debian's kernel packages
	qemu-system-x86 busybox-static cpio xz-utils zstd binutils
)
[ "${SR_DEPS_EXTRA:-}" ] && read -r -a extra <<<"$SR_DEPS_EXTRA" && PKGS+=("${extra[@]}")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
