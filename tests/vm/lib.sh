# shellcheck shell=bash
# Host side of the VM harness (tests/vm/README.md): fetch and cache Debian's
# kernel packages, build the initramfs, boot a guest on the host's own root.
#
# Kernels come from apt ("apt-get download" + "dpkg -x" into the cache, never
# installed on the host). The cache is $SR_VM_CACHE (default
# /var/cache/sshrec-vm), outside the repo; deleting it only costs a download.
#
# Functions print what they made on stdout and complain on stderr; they
# return non-zero on failure (callers decide whether that is fatal).

SR_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SR_VM_CACHE=${SR_VM_CACHE:-/var/cache/sshrec-vm}

sr_vm_log() { printf 'vm: %s\n' "$*" >&2; }

# Newest package name of a series in apt's lists: "6.1" -> linux-image-6.1.0-N-amd64,
# "6.12" -> linux-image-6.12.N+deb12-amd64; an exact "6.1.0-50" or "6.12.100+deb12"
# names its package directly.
sr_vm_kernel_pkg() {
	local series=$1 re
	case $series in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) echo "linux-image-$series-amd64"; return 0 ;;
	esac
	local names
	names=$(apt-cache pkgnames linux-image-6. 2>/dev/null | grep -E "$re")
	if [ -z "$names" ]; then
		# a fresh machine may have no package lists yet
		sr_vm_log "no $series kernel in apt's lists: apt-get update"
		apt-get update -qq >&2 || return 1
		names=$(apt-cache pkgnames linux-image-6. 2>/dev/null | grep -E "$re")
	fi
	[ -n "$names" ] || { sr_vm_log "apt knows no package matching $re"; return 1; }
	sort -V <<<"$names" | tail -n 1
}

# Unpack a kernel .deb into the cache (once) and print the kernel's directory:
# it holds boot/vmlinuz-<release> and lib/modules/<release>/.
sr_vm_unpack_deb() {
	local deb=$1 rel dir tmp
	rel=$(dpkg-deb -c "$deb" | sed -n 's|.*\./boot/vmlinuz-\(.*\)$|\1|p' | head -n 1)
	[ -n "$rel" ] || { sr_vm_log "$deb has no boot/vmlinuz-*"; return 1; }
	dir=$SR_VM_CACHE/kernels/$rel
	if [ ! -e "$dir/.complete" ]; then
		tmp=$(mktemp -d "$SR_VM_CACHE/kernels/.unpack.XXXXXX") || return 1
		dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; return 1; }
		dpkg-deb -f "$deb" Package Version >"$tmp/.package"
		touch "$tmp/.complete"
		rm -rf "$dir"
		mv "$tmp" "$dir" || return 1
	fi
	echo "$dir"
}

# Resolve a kernel argument to its cached directory, downloading it first if
# needed: a series (6.1, 6.12), an exact Debian version (6.1.0-50), a .deb
# file, or a directory holding boot/vmlinuz-* and lib/modules/*.
sr_vm_kernel() {
	local want=$1 pkg dir dl deb
	if [ -d "$want" ]; then
		compgen -G "$want/boot/vmlinuz-*" >/dev/null ||
			{ sr_vm_log "$want has no boot/vmlinuz-*"; return 1; }
		(cd "$want" && pwd)
		return
	fi
	mkdir -p "$SR_VM_CACHE/kernels" || return 1
	# one fetch at a time: parallel runs share the cache
	exec {lock}>"$SR_VM_CACHE/.lock"
	flock "$lock"
	if [ -f "$want" ]; then
		sr_vm_unpack_deb "$want"
	else
		pkg=$(sr_vm_kernel_pkg "$want") || { exec {lock}>&-; return 1; }
		dir=$SR_VM_CACHE/kernels/${pkg#linux-image-}
		if [ -e "$dir/.complete" ]; then
			echo "$dir"
		else
			sr_vm_log "downloading $pkg"
			dl=$(mktemp -d "$SR_VM_CACHE/.download.XXXXXX")
			# root downloads itself: the cache dir is not _apt's; stale lists
			# may name a version the mirror no longer has: update, try again
			if (cd "$dl" && { apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2 ||
				{ apt-get update -qq >&2 &&
					apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2; }; }); then
				deb=$(compgen -G "$dl/*.deb" | head -n 1)
				sr_vm_unpack_deb "$deb"
			fi
			rm -rf "$dl"
		fi
	fi
	local rc=$?
	exec {lock}>&-
	return $rc
}

# The kernel release of a cached kernel directory.
sr_vm_release() {
	local f
	f=$(compgen -G "$1/boot/vmlinuz-*" | head -n 1)
	echo "${f##*/vmlinuz-}"
}

# Dependencies of module file $1, from its .modinfo section.
sr_vm_mod_depends() {
	local tmp
	tmp=$(mktemp)
	case $1 in
	*.xz) xz -dc "$1" >"$tmp" ;;
	*.zst) zstd -qdc "$1" >"$tmp" ;;
	*) cat "$1" >"$tmp" ;;
	esac
	objcopy -O binary --only-section=.modinfo "$tmp" "$tmp.info" 2>/dev/null
	tr '\0' '\n' <"$tmp.info" | sed -n 's/^depends=//p' | tr ',' ' '
	rm -f "$tmp" "$tmp.info"
}

# Build the initramfs for kernel directory $1 into file $2: busybox-static,
# stage 1 (tests/vm/init), stage 2 (tests/vm/stage2.sh) and the modules
# needed to mount the host root (9p over virtio) and the overlay, plus any
# named in $SR_VM_MODULES, decompressed (busybox insmod reads neither .xz
# nor .zst) and listed in load order.
sr_vm_initramfs() {
	local kdir=$1 out=$2 rel moddir root m f
	local -A path=() seen=()
	local order=()
	rel=$(sr_vm_release "$kdir")
	moddir=$kdir/lib/modules/$rel
	[ -x /bin/busybox ] && ! readelf -l /bin/busybox 2>/dev/null | grep -q INTERP ||
		{ sr_vm_log "needs a static /bin/busybox (apt-get install busybox-static)"; return 1; }
	while IFS= read -r f; do
		m=${f##*/}
		m=${m%%.ko*}
		path[${m//-/_}]=$f
	done < <(find "$moddir/kernel" -name '*.ko*')
	# depth-first: a module after everything it depends on
	add_mod() {
		local n=${1//-/_} d
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		if [ -z "${path[$n]:-}" ]; then
			grep -q "/${1}.ko\$\|/${n}.ko\$" "$moddir/modules.builtin" 2>/dev/null && return 0
			sr_vm_log "module $1 is neither built into $rel nor in its package"
			return 1
		fi
		for d in $(sr_vm_mod_depends "${path[$n]}"); do add_mod "$d" || return 1; done
		order+=("$n")
	}
	for m in virtio_pci 9pnet_virtio 9p overlay ${SR_VM_MODULES:-}; do
		add_mod "$m" || return 1
	done
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	cp "$SR_VM_DIR/init" "$root/init"
	cp "$SR_VM_DIR/stage2.sh" "$root/stage2.sh"
	chmod 755 "$root/init" "$root/stage2.sh"
	for m in "${order[@]}"; do
		f=${path[$m]}
		case $f in
		*.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
		*) cp "$f" "$root/lib/modules/$m.ko" ;;
		esac
		echo "$m" >>"$root/lib/modules/order"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	local rc=$?
	rm -rf "$root"
	unset -f add_mod
	return $rc
}
