#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenario 15 (issue 7): scp and sftp transfers, recorded as the
# commands and file opens they are. OpenSSH 9.2's scp speaks SFTP by
# default; `scp -O` runs the legacy `scp -t` / `scp -f` on the server.
# The sftp subsystem is internal-sftp: opens made by sshd itself, no exec.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
W=$SC_W
head -c 100000 /dev/urandom >"$SR_T/payload"
scp_opts=("${SR_SSH_OPTS[@]}" -q -i "$SR_T/userkey" -P "$SR_PORT")

# $1 sid, $2 -t or -f, $3 path, $4 label: scp -O's server-side command
check_legacy_scp() {
	local rec
	rec=$(sc_jl "$1" 'select(.event == "session.command" and (.argv[0] | test("(^|/)scp$"))
		and (.argv | index([$f])) and .argv[-1] == $p)' --arg f "$2" --arg p "$3")
	sr_check_eq "$4: one server-side 'scp $2 ... $3' command" 1 "$(grep -c . <<<"$rec")"
}

# ---- S15 scp -O upload ------------------------------------------------------
sc_mark
scp -O "${scp_opts[@]}" "$SR_T/payload" "root@127.0.0.1:$W/s15-legacy-up" || sr_fail "S15: scp -O upload failed"
if sc_take_session S15-scp-O-up; then
	s=$SC_SID
	sc_check_integrity S15-scp-O-up "$s" root
	check_legacy_scp "$s" -t "$W/s15-legacy-up" S15-scp-O-up
	sc_check_open S15-scp-O-up "$s" "$W/s15-legacy-up" O_WRONLY O_CREAT
	sr_check "S15-scp-O-up: the file arrived intact" cmp -s "$SR_T/payload" "$W/s15-legacy-up"
fi

# ---- S15 scp -O download ------------------------------------------------------
sc_mark
scp -O "${scp_opts[@]}" "root@127.0.0.1:$W/s15-legacy-up" "$SR_T/s15-legacy-down" || sr_fail "S15: scp -O download failed"
if sc_take_session S15-scp-O-down; then
	s=$SC_SID
	sc_check_integrity S15-scp-O-down "$s" root
	check_legacy_scp "$s" -f "$W/s15-legacy-up" S15-scp-O-down
	sc_check_open S15-scp-O-down "$s" "$W/s15-legacy-up" O_RDONLY
fi

# ---- S15 sftp (batch: put, get, rename, mkdir) --------------------------------
cat >"$SR_T/sftp.batch" <<BATCH
put $SR_T/payload $W/s15-sftp-up
get $W/s15-legacy-up $SR_T/s15-sftp-down
mkdir $W/s15-sftp-dir
BATCH
sc_mark
sftp -b "$SR_T/sftp.batch" "${SR_SSH_OPTS[@]}" -q -i "$SR_T/userkey" -P "$SR_PORT" root@127.0.0.1 >/dev/null ||
	sr_fail "S15: sftp batch failed"
if sc_take_session S15-sftp; then
	s=$SC_SID
	sc_check_integrity S15-sftp "$s" root
	sc_check_open S15-sftp "$s" "$W/s15-sftp-up" O_WRONLY O_CREAT
	sc_check_open S15-sftp "$s" "$W/s15-legacy-up" O_RDONLY
	sr_check "S15-sftp: the uploaded file arrived intact" cmp -s "$SR_T/payload" "$W/s15-sftp-up"
	sr_check "S15-sftp: the downloaded file arrived intact" cmp -s "$SR_T/payload" "$SR_T/s15-sftp-down"
	sr_check_eq "S15-sftp: internal-sftp execs nothing" 0 \
		"$(sc_jl "$s" 'select(.event == "session.command")' | wc -l)"
fi

# ---- S15 scp (SFTP protocol, the default) ---------------------------------------
sc_mark
scp "${scp_opts[@]}" "$SR_T/payload" "root@127.0.0.1:$W/s15-scp-sftp-up" || sr_fail "S15: scp upload failed"
if sc_take_session S15-scp; then
	s=$SC_SID
	sc_check_integrity S15-scp "$s" root
	sc_check_open S15-scp "$s" "$W/s15-scp-sftp-up" O_WRONLY O_CREAT
fi

sc_check_jsonl_valid "all"
sr_finish
