#!/usr/bin/env bash
# Fresh-machine check: README's two commands on a minimal Debian 12, the way
# a new user runs them (make check-fresh, or tests/fresh/run.sh as root).
#
#  1. A minbase Debian 12 root (debootstrap --variant=minbase, plus git: the
#     one thing README says a fresh machine needs), cached as a tarball in
#     $SR_FRESH_CACHE (default /var/cache/sshrec-fresh, outside the repo),
#     rebuilt when older than 30 days. Its apt sources are a default
#     install's (main, updates, security).
#  2. The committed HEAD of this checkout is cloned with the fresh root's own
#     git into its /root/sshrec (/root stays 0700, as on a fresh Debian).
#  3. The root is entered with `unshare -m` + `pivot_root`, not chroot: under
#     a chroot the BPF path walks would return paths outside the new root.
#     /proc and /sys are the host's, and so are /dev's device nodes (in a
#     /dev of the check's own); /run is a new tmpfs; bpffs is left
#     unmounted, as on a fresh machine (tests/ns_lib.sh).
#  4. README's two commands are taken from README.md of the clone ("Two
#     commands" section) and run there exactly as written, as root in a
#     login shell with a clean environment, one after the other; then, as
#     README says for other users, a user with sudo rights runs
#     `sudo scripts/demo.sh` from a clone of their own.
#  5. Their results and wall times are reported: (a) must show a recorded
#     session, (b) must end with "N passed, 0 failed, 0 skipped".
#  6. Every process left in the namespace (found by its mount namespace, and
#     killed by PID) is ended; the namespace and its mounts go with them; the
#     root is removed (SR_FRESH_KEEP=1 keeps it for a look).
#
# apt's downloaded packages are kept in $SR_FRESH_CACHE/apt-archives, bind
# mounted at the fresh root's /var/cache/apt/archives: apt still resolves and
# installs everything scripts/deps.sh asks for, it only does not download the
# same .debs again on every run.
#
# Environment: SR_FRESH_CACHE, SR_FRESH_MIRROR (default deb.debian.org),
# SR_FRESH_KEEP=1, SR_FRESH_TIMEOUT (seconds for all commands, default 3600).
# Wall time and how CI runs it: tests/fresh/ci.sh.
set -euo pipefail

SUITE=bookworm
MIRROR=${SR_FRESH_MIRROR:-http://deb.debian.org/debian}
CACHE=${SR_FRESH_CACHE:-/var/cache/sshrec-fresh}
BASE=$CACHE/$SUITE-minbase-git.tar.gz
MAX_AGE_DAYS=30
PATH_ROOT=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LETTERS=(- a b) # README's names for the two commands
SUDO_USER_NAME=sshrec-fresh

log() { printf 'fresh: %s\n' "$*"; }
die() { printf 'fresh: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

# ---- inside the new mount namespace (run by unshare, see enter()) ----------

# One step: $1 its name in the report, $2 the command line (for the report),
# then the command. Output to /root/fresh-<name>.log and stdout; a line
# "name<TAB>rc<TAB>seconds<TAB>command line" to $RESULTS.
step() {
	local name=$1 line=$2 t0 rc
	shift 2
	log "($name) # $line"
	t0=$(now)
	set +e
	"$@" </dev/null 2>&1 | tee "/root/fresh-$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(($(now) - t0))" "$line" >>"$RESULTS"
}

# A login shell of $1 with a clean environment, as a new user logged in on a
# console has it.
login_sh() {
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash TERM=dumb PATH=$PATH_ROOT \
		setpriv --reuid="$user" --regid="$user" --init-groups /bin/bash -l -c "cd && $*"
}

# $1 the fresh root, $2 file with README's commands, one a line, $3 the
# results file (a path inside the fresh root). Mounts, pivots, runs.
inside() {
	local R=$1 cmds=$2 n=0 cmd
	RESULTS=$3
	sr_ns_mount "$R"
	mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives"
	mapfile -t lines <"$cmds"
	sr_ns_pivot "$R"

	# README's commands, as root
	for cmd in "${lines[@]}"; do
		n=$((n + 1))
		step "${LETTERS[n]}" "$cmd" login_sh root "cd sshrec && $cmd"
	done
	# README: 'scripts/demo.sh stop' stops the demo again
	login_sh root 'cd sshrec && scripts/demo.sh stop' </dev/null >/root/fresh-stop.log 2>&1 || true

	# README: other users prefix them with sudo. A user with sudo rights and
	# a clone of their own runs the demo (it builds, installs nothing new).
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends sudo >/root/fresh-sudo-install.log 2>&1
	useradd -m -s /bin/bash "$SUDO_USER_NAME"
	echo "$SUDO_USER_NAME ALL=(ALL) NOPASSWD: ALL" >"/etc/sudoers.d/$SUDO_USER_NAME"
	step "a-sudo" "sudo ${lines[0]} (as $SUDO_USER_NAME)" login_sh "$SUDO_USER_NAME" \
		"git -c advice.detachedHead=false clone -q /tmp/sshrec.bundle sshrec && cd sshrec && sudo ${lines[0]}"
	login_sh "$SUDO_USER_NAME" 'cd sshrec && sudo scripts/demo.sh stop' </dev/null >>/root/fresh-stop.log 2>&1 || true
}

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/ns_lib.sh"

if [ "${1:-}" = --inside ]; then
	shift
	inside "$@"
	exit 0
fi

# ---- on the host -----------------------------------------------------------

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, mount namespaces, and the suite needs root)"
# The host's own tools, installed when missing (a CI machine is as fresh as
# the machine the check builds: scripts/deps.sh does not ask for debootstrap).
declare -A PKG_OF=([debootstrap]=debootstrap [unshare]=util-linux [pivot_root]=util-linux
	[git]=git [flock]=util-linux [tar]=tar [ss]=iproute2)
missing=()
for t in "${!PKG_OF[@]}"; do
	command -v "$t" >/dev/null || missing+=("${PKG_OF[$t]}")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing the check's own tools: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
		die "could not install ${missing[*]} (apt-get install debootstrap util-linux git iproute2 tar)"
fi
for t in "${!PKG_OF[@]}"; do
	command -v "$t" >/dev/null || die "missing tool: $t after installing ${PKG_OF[$t]}"
done
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || die "$top is not a git checkout (the check clones its HEAD)"
head=$(git -C "$top" rev-parse HEAD)
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	log "warning: uncommitted changes in $top are not part of the check (it clones HEAD $head)"

mkdir -p "$CACHE/apt-archives"
exec 9>"$CACHE/lock"
flock -w 3600 9 || die "another fresh check holds $CACHE/lock"
# README's demo listens on 127.0.0.1:2222 and the fresh root shares the
# host's network (apt needs it): a port already taken would fail (a).
if ss -Hltn 'sport = :2222' | grep -q .; then
	die "127.0.0.1:2222 is in use on this host (a running 'scripts/demo.sh'?): README's demo needs it"
fi

T0=$(now)
# ---- 1. the base root, cached ----
if [ ! -s "$BASE" ] || [ -n "$(find "$BASE" -mtime +$MAX_AGE_DAYS)" ]; then
	log "building the $SUITE minbase root with debootstrap (cached in $BASE)"
	b=$(mktemp -d /var/tmp/sshrec-fresh-base.XXXXXX)
	debootstrap --variant=minbase --include=git "$SUITE" "$b" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$CACHE/debootstrap.log"; rm -rf --one-file-system "$b"; die "debootstrap failed"; }
	# a default Debian 12 install's sources: main, updates, security
	cat >"$b/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SRC
	rm -f "$b"/var/cache/apt/archives/*.deb "$b"/var/lib/apt/lists/*_Packages
	chmod 0755 "$b" # mktemp's 0700 would become the fresh root's /
	tar -C "$b" --numeric-owner -czf "$BASE.tmp" .
	mv "$BASE.tmp" "$BASE"
	rm -rf --one-file-system "$b"
fi

# ---- 2. a fresh root with a clone of HEAD in /root ----
W=$(mktemp -d /var/tmp/sshrec-fresh.XXXXXX)
R=$W/root
NS= # mount namespace id (mnt:[N]) of the check, once entered
RUN_PID=

cleanup() {
	local rc=$?
	[ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null && kill -TERM "$RUN_PID" 2>/dev/null
	sr_ns_kill "$NS" fresh || rc=1
	[ -n "$RUN_PID" ] && wait "$RUN_PID" 2>/dev/null
	# Everything was mounted inside the private namespace, gone with its
	# processes; refuse to delete anything that is still a mount point.
	if grep -q " $W/" /proc/self/mountinfo; then
		log "warning: mounts left under $W, not removing it"
		rc=1
	elif [ "${SR_FRESH_KEEP:-}" = 1 ]; then
		log "kept the fresh root in $R"
	else
		rm -rf --one-file-system "$W"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$R"
tar -C "$R" --numeric-owner -xzf "$BASE"
chmod 0755 "$R"
chmod 0700 "$R/root"
cp /etc/resolv.conf "$R/etc/resolv.conf" # the machine's network setup
# Installing openssh-server starts sshd on port 22, as on a fresh machine.
# Where this host listens there already, that start, and with it the
# package's configuration, would fail: the fresh root then does not start
# ssh (policy-rc.d), which nothing in the two commands uses.
if ss -Hltn 'sport = :22' | grep -q .; then
	printf '#!/bin/sh\n# tests/fresh/run.sh: the host has port 22\nfor a; do [ "$a" = ssh ] && exit 101; done\nexit 0\n' \
		>"$R/usr/sbin/policy-rc.d"
	chmod 0755 "$R/usr/sbin/policy-rc.d"
	log "port 22 is taken on this host: the fresh root will not start its ssh service"
fi
git -C "$top" bundle create "$R/tmp/sshrec.bundle" HEAD >/dev/null 2>&1
chmod 0644 "$R/tmp/sshrec.bundle" # a non-root user clones it too, see inside()
chroot "$R" git -c advice.detachedHead=false clone -q /tmp/sshrec.bundle /root/sshrec # the fresh root's own git
[ "$(git -C "$R/root/sshrec" rev-parse HEAD)" = "$head" ] || die "the clone is not at $head"
T1=$(now)
log "fresh root $R ready in $((T1 - T0)) s: minbase $SUITE + git, clone of $head in /root/sshrec ($(stat -c %a "$R/root"))"

# ---- 3. README's two commands, exactly as written ----
# The first ```sh block after "## Two commands": its command lines, without
# comments.
awk '/^## Two commands/ { s = 1; next } s && /^## / { exit }
	s && /^```sh/ { b = 1; next } b && /^```/ { exit }
	b { sub(/[ \t]*#.*/, ""); if ($0 != "") print }' "$R/root/sshrec/README.md" >"$W/commands"
[ "$(wc -l <"$W/commands")" = 2 ] || { cat "$W/commands"; die "README's 'Two commands' block does not hold two commands"; }
log "README's two commands:"
sed 's/^/fresh:   /' "$W/commands"

results=/var/tmp/fresh-results # inside the fresh root
: >"$R$results"
unshare -m --propagation private "$BASH" "$0" --inside "$R" "$W/commands" "$results" &
RUN_PID=$!
NS=$(sr_ns_of "$RUN_PID")
timeout=${SR_FRESH_TIMEOUT:-3600}
for ((i = 0; i < timeout; i++)); do
	kill -0 "$RUN_PID" 2>/dev/null || break
	sleep 1
done
if kill -0 "$RUN_PID" 2>/dev/null; then
	log "timeout: the commands did not finish in $timeout s"
	sr_ns_kill "$NS" fresh || true
fi
wait "$RUN_PID" || log "the namespace's runner exited with $?"
RUN_PID=
sr_ns_kill "$NS" fresh

# ---- 4. results ----
T2=$(now)
fails=0
declare -A rc_of secs_of line_of
while IFS=$'\t' read -r name rc secs line; do
	rc_of[$name]=$rc secs_of[$name]=$secs line_of[$name]=$line
done <"$R$results"
echo
log "results (fresh $SUITE minbase + git, commit ${head:0:12}):"
for name in a b a-sudo; do
	rc=${rc_of[$name]:-none}
	out=$R/root/fresh-$name.log
	verdict=PASS
	if [ "$rc" != 0 ]; then
		verdict="FAIL (exit $rc)"
	elif [ "$name" != b ] && ! grep -Eq -- '- cat /etc/hostname  \[pid [0-9]+, exit 0' "$out"; then
		verdict="FAIL (no recorded session shown)"
	elif [ "$name" = b ] && ! tail -n 1 "$out" | grep -Eq '^[0-9]+ passed, 0 failed, 0 skipped$'; then
		verdict="FAIL (last line: $(tail -n 1 "$out"))"
	fi
	[ "$verdict" = PASS ] || fails=$((fails + 1))
	log "  ($name) ${line_of[$name]:-not run}: $verdict in ${secs_of[$name]:-?} s"
done
[ -s "$R/root/fresh-b.log" ] && log "  (b) said: $(tail -n 1 "$R/root/fresh-b.log")"
log "wall time: $((T2 - T0)) s (root $((T1 - T0)) s, commands $((T2 - T1)) s)"
[ $fails -eq 0 ] || exit 1
log "README's two commands pass on a fresh $SUITE"
