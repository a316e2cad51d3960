#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenario (issue 15 item 7a): file changes of a non-root session user
# (mkdir, mknod (a FIFO), unlink, rmdir, rename, exchange, link, symlink, chmod, chown, truncate, by path,
# relative to the cwd and by fd), failing ones with their -errno, and a name
# with a newline and an invalid UTF-8 byte, as session.disk records with
# their operation, the same in the JSON lines and in SQLite.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
U=sshrec-fc-$$
sc_add_user "$U"
sc_start
W=$SC_W/fc
mkdir -p "$W/rootdir" && chmod 1777 "$W" && echo r >"$W/rootdir/f" # root's: the user may not change it
cat >"$W/fc.py" <<'PY'
import ctypes, os, sys
w = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
def exchange(a, b): # renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
    if libc.renameat2(-100, a.encode(), -100, b.encode(), 2) != 0:
        sys.exit("renameat2: errno %d" % ctypes.get_errno())
def tryit(f, *a):
    try:
        f(*a)
    except OSError:
        pass
os.umask(0o022)
os.mkdir(w + "/d", 0o770) # 0750 with the umask
os.chdir(w + "/d")
os.mkfifo("p", 0o666) # mknodat: a FIFO, 0644 with the umask
os.unlink("p")
open("a", "w").write("x")
os.rename("a", "b")
os.link("b", "c")
os.symlink("b", "s")
exchange("b", "s") # swapped, then back
exchange("b", "s")
os.chmod("b", 0o640)
os.chown("b", os.getuid(), -1)
os.truncate("b", 7)
fd = os.open("c", os.O_WRONLY)
os.ftruncate(fd, 3)
os.fchmod(fd, 0o600)
os.close(fd)
os.unlink("s")
os.unlink("c")
n = b"fc-\n-\xff"
open(n, "w").close()
os.unlink(n)
tryit(os.unlink, w + "/rootdir/f")
tryit(os.rename, "b", w + "/rootdir/x")
tryit(os.chown, "b", 0, -1)
os.unlink("b")
os.rmdir(w + "/d")
PY
chmod 644 "$W/fc.py"
uid=$(id -u "$U")

sc_mark
sc_drive -u "$U" -c "python3 $W/fc.py $W" || sr_fail "FC: the session's script failed"
if sc_take_session FC; then
	s=$SC_SID
	sc_check_integrity FC "$s" "$U"
	D=$W/d
	# every file change, in order: operation, path and what the operation has
	got=$(sc_jl "$s" 'select(.event == "session.disk" and .change != null and (.path | startswith($w))) |
		[.change, .path, .path_resolved, .new_path, .new_path_resolved, .target, .mode, .file_type, .device_major, .owner_uid, .owner_gid,
		 .length, .return_code] | map(select(. != null)) | tostring' -r --arg w "$W")
	want=$(jq -cn --arg d "$D" --arg w "$W" --argjson u "$uid" '
		["mkdir", "\($d)", false, 488, 0],
		["mknod", "\($d)/p", true, 420, "fifo", 0],
		["unlink", "\($d)/p", true, 0],
		["rename", "\($d)/a", true, "\($d)/b", true, 0],
		["link", "\($d)/b", true, "\($d)/c", true, 0],
		["symlink", "\($d)/s", true, "b", 0],
		["exchange", "\($d)/b", true, "\($d)/s", true, 0],
		["exchange", "\($d)/b", true, "\($d)/s", true, 0],
		["chmod", "\($d)/b", true, 416, 0],
		["chown", "\($d)/b", true, $u, 0],
		["truncate", "\($d)/b", true, 7, 0],
		["truncate", "\($d)/c", true, 3, 0],
		["chmod", "\($d)/c", true, 384, 0],
		["unlink", "\($d)/s", true, 0],
		["unlink", "\($d)/c", true, 0],
		["unlink", "\($d)/fc-\n-\\xff", true, 0],
		["unlink", "\($w)/rootdir/f", false, -13],
		["rename", "\($d)/b", true, "\($w)/rootdir/x", false, -13],
		["chown", "\($d)/b", true, 0, -1],
		["unlink", "\($d)/b", true, 0],
		["rmdir", "\($d)", false, 0] | tostring' -r)
	sr_check_eq "FC: the file changes, exactly, in order (JSON lines)" "$want" "$got"
	sr_check_eq "FC: chown's unchanged group is null" "null null" \
		"$(sc_jl "$s" 'select(.change == "chown") | .owner_gid' | tr '\n' ' ' | sed 's/ $//')"
	sr_check_eq "FC: ECS: a failed unlink is a file deletion, action unlink, outcome failure" \
		'["deletion","unlink","failure"]' \
		"$(jq -c --arg p "$W/rootdir/f" 'select(.file.path == $p) | [.event.type[0], .event.action, .event.outcome]' "$SC_ECS")"
	sr_check_eq "FC: ECS: a mknod is a file creation of file.type fifo, its mode in octal" \
		'["creation","mknod","fifo","644"]' \
		"$(jq -c --arg p "$D/p" 'select(.file.path == $p and .event.action == "mknod") | [.event.type[0], .event.action, .file.type, .file.mode]' "$SC_ECS")"
	sr_check_eq "FC: OCSF: a mknod is Create (1) of a Named Pipe (type_id 6)" \
		'[1001,1,6,"Named Pipe"]' \
		"$(jq -c --arg p "$D/p" 'select(.file.path == $p and .activity_id == 1) | [.class_uid, .activity_id, .file.type_id, .file.type]' "$SC_OCSF")"
	sr_check_eq "FC: OCSF: a rename is File System Activity 1001, Rename (5), its file_result the new name" \
		"[1001,5,1,\"$D/b\"]" \
		"$(jq -c --arg p "$D/a" 'select(.file.path == $p and .activity_id == 5) | [.class_uid, .activity_id, .status_id, .file_result.path]' "$SC_OCSF")"
	# SQLite: operation (n3 >> 8), path, n1 (owner uid, length), n2 (mode, group), rc, text
	# (the second path); the name with a newline is left to the byte-for-byte check above
	sr_check_eq "FC: the same changes in SQLite" \
		"10|$D||488|0|
11|$D/p|0|4516|0|
1|$D/p|||0|
3|$D/a|||0|$D/b
6|$D/b|||0|$D/c
7|$D/s|||0|b
9|$D/b|||0|$D/s
9|$D/b|||0|$D/s
4|$D/b||416|0|
5|$D/b|$uid||0|
8|$D/b|7||0|
8|$D/c|3||0|
4|$D/c||384|0|
1|$D/s|||0|
1|$D/c|||0|
1|$W/rootdir/f|||-13|
3|$D/b|||-13|$W/rootdir/x
5|$D/b|0||-1|
1|$D/b|||0|
2|$D|||0|" \
		"$(sr_sql "SELECT e.n3 >> 8, p.path, e.n1, e.n2, e.rc, e.text FROM events e
			JOIN sessions s ON s.id = e.session_id JOIN paths p ON p.id = e.path
			WHERE s.sid = '$s' AND e.kind = 3 AND e.n3 >= 256 AND p.path NOT LIKE '%/fc-%'
			AND p.path LIKE '$W/%'
			ORDER BY e.ei")"
	tl=$("$SR_SSHREC" --db "$SR_DB" timeline "$s")
	sr_check "FC: timeline: a rename is a change with both names" \
		grep -qF "change  rename $D/a -> $D/b = 0" <<<"$tl"
	sr_check "FC: timeline: an exchange with both names" \
		grep -qF "change  exchange $D/b <-> $D/s = 0" <<<"$tl"
	sr_check "FC: timeline: a mkdir with its mode" grep -qF "change  mkdir $D 0750 = 0" <<<"$tl"
	sr_check "FC: timeline: a mknod with its type and mode" \
		grep -qF "change  mknod $D/p fifo 0644 = 0" <<<"$tl"
	sr_check "FC: timeline: a chmod with its mode" grep -qF "change  chmod $D/b 0640 = 0" <<<"$tl"
	sr_check "FC: timeline: a failed unlink with its errno" \
		grep -qF "change  unlink $W/rootdir/f = EACCES" <<<"$tl"
	sr_check_eq "FC: timeline: the name with a newline stays on one line, escaped" "1 0" \
		"$(grep -cF "change  unlink $D/fc-\\n-" <<<"$tl") $(grep -c '^-\\' <<<"$tl")"
	sr_check "FC: the file was left alone" test -e "$W/rootdir/f"
	sc_check_jsonl_valid FC
fi
sr_finish
