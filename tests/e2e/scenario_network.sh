#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenarios 3 and 6 (issue 7), checked in SQLite and JSON lines.
#  S3 echo <base64 of "curl http://127.0.0.1:PORT/"> | base64 -d | sh:
#     the tree shows sh -> curl, and the connect to 127.0.0.1:PORT is recorded
#  S6 TCP connects over IPv4 and IPv6 to loopback listeners (and one refused
#     connect) with the right addresses and ports
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
sc_listen P4 127.0.0.1
sc_listen P6 ::1

# the listener's log: "accept IP PORT" per connection
accepted() { cat "$SR_T"/port.*.log 2>/dev/null | grep -c -x "accept $1 $2"; }

# ---- S3 ------------------------------------------------------------------
url="http://127.0.0.1:$P4/s3-$SC_TAG"
b64=$(printf 'curl -s -o /dev/null %s\n' "$url" | base64 -w0)
sc_mark
sc_drive -c "echo $b64 | base64 -d | sh" >/dev/null || sr_fail "S3: the obfuscated command failed over ssh"
if sc_take_session S3; then
	s=$SC_SID
	sc_check_integrity S3 "$s" root
	sc_check_cmd S3 "$s" 1 base64 -d
	sc_check_cmd S3 "$s" 1 sh
	sc_check_cmd S3 "$s" 1 curl -s -o /dev/null "$url"
	curl_rec=$(sc_cmd_rec "$s" "$(sc_argv_json curl -s -o /dev/null "$url")")
	sh_rec=$(sc_cmd_rec "$s" '["sh"]')
	curl_p=$(jq .process_id <<<"$curl_rec")
	sr_check_eq "S3: curl's parent is the sh reading the decoded script (JSONL)" \
		"$(jq .process_id <<<"$sh_rec")" "$(jq .parent_process_id <<<"$curl_rec")"
	sr_check_eq "S3: curl's parent is sh (SQLite processes tree)" "sh" \
		"$(sr_sql "SELECT g.name FROM processes p JOIN processes q ON q.id = p.parent_id
			JOIN programs g ON g.id = q.program WHERE p.id = ${curl_p:-0}")"
	net=$(sc_jl "$s" 'select(.event == "session.network" and .dst_port == $p)' --argjson p "$P4")
	# operation 0 and action 0: Teleport's CONNECT and OBSERVED, as numbers
	sr_check_eq "S3: one connect to 127.0.0.1:$P4, IPv4, made by curl, established" \
		"1 [\"127.0.0.1\",$P4,4,0,0,\"established\",\"127.0.0.1\",$curl_p]" \
		"$(grep -c . <<<"$net") $(jq -c '[.dst_addr, .dst_port, .version, .operation, .action, .result, .src_addr, .process_id]' <<<"$net" | head -n 1)"
	sport=$(jq .src_port <<<"$net" | head -n 1)
	sr_check_eq "S3: the recorded source port is the one the listener saw" 1 "$(accepted 127.0.0.1 "${sport:-0}")"
	sr_check_eq "S3: the connect in SQLite events" "1" \
		"$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id
			JOIN addrs d ON d.id = e.addr WHERE s.sid = '$s' AND e.kind = 4
			AND d.addr = '127.0.0.1' AND e.port = $P4 AND e.process_id = ${curl_p:-0}")"
fi

# ---- S6 ------------------------------------------------------------------
PDEAD=$(sr_free_port)
py='import socket,sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("SRC", sys.argv[1], sys.argv[2], s.getsockname()[1])
except OSError as e:
    print("ERR", sys.argv[1], sys.argv[2], e.errno)'
printf '%s\n' "$py" >"$SC_W/conn.py" # same host: the session reads it from there
sc_mark
out=$(sc_drive --print-output -c "/usr/bin/python3 $SC_W/conn.py 127.0.0.1 $P4" \
	-c "/usr/bin/python3 $SC_W/conn.py ::1 $P6" -c "/usr/bin/python3 $SC_W/conn.py 127.0.0.1 $PDEAD") ||
	sr_fail "S6: the connect commands failed over ssh: $out"
if sc_take_session S6; then
	s=$SC_SID
	sc_check_integrity S6 "$s" root
	for dst in "127.0.0.1 $P4 4" "::1 $P6 6"; do
		set -- $dst
		sport=$(awk -v a="$1" -v p="$2" '$1 == "SRC" && $2 == a && $3 == p { print $4 }' <<<"$out")
		[ -n "$sport" ] || sr_fail "S6: connect to $1 port $2 did not succeed in the session: $out"
		net=$(sc_jl "$s" 'select(.event == "session.network" and .dst_port == $p)' --argjson p "$2")
		sr_check_eq "S6: IPv$3 connect to [$1]:$2 from [$1]:$sport, established" \
			"1 [\"$1\",$2,\"$1\",${sport:-0},$3,\"established\"]" \
			"$(grep -c . <<<"$net") $(jq -c '[.dst_addr, .dst_port, .src_addr, .src_port, .version, .result]' <<<"$net" | head -n 1)"
		sr_check_eq "S6: IPv$3 connect's process is /usr/bin/python3 $SC_W/conn.py $1 $2" \
			"$(sc_cmd_rec "$s" "$(sc_argv_json /usr/bin/python3 "$SC_W/conn.py" "$1" "$2")" | jq .process_id)" \
			"$(jq .process_id <<<"$net" | head -n 1)"
		sr_check_eq "S6: IPv$3 connect in SQLite events (dst_addr, dst_port)" "1" \
			"$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id
				JOIN addrs d ON d.id = e.addr WHERE s.sid = '$s' AND e.kind = 4
				AND d.addr = '$1' AND e.port = $2")"
		sr_check_eq "S6: the listener saw that source port" 1 "$(accepted "$1" "${sport:-0}")"
	done
	net=$(sc_jl "$s" 'select(.event == "session.network" and .dst_port == $p)' --argjson p "$PDEAD")
	sr_check_eq "S6: a refused connect to 127.0.0.1:$PDEAD is recorded as failed" \
		"1 [\"127.0.0.1\",4,\"failed\"]" \
		"$(grep -c . <<<"$net") $(jq -c '[.dst_addr, .version, .result]' <<<"$net" | head -n 1)"
fi

sc_check_jsonl_valid "all"
sr_finish
