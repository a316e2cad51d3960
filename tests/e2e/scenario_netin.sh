#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E (issue 15 item 7b): inbound TCP connections and UDP sends of a session,
# checked in SQLite, the JSON lines (native, ECS, OCSF) and the CLI timeline.
#  N1 the session listens on 127.0.0.1 and ::1; a client outside the session
#     connects to each: one session.network with operation 2 (accept) each,
#     source the client, destination the listener, made by the listener
#  N2 UDP: 5 datagrams to one destination and 3 to a second from one IPv4
#     socket, 5 to one from an IPv6 socket (sendmsg and sendto), 3 on a
#     connected IPv4 socket: one record (operation 1) per (socket, destination)
# SR_NETIN_BACKEND=lsm|fentry|tracepoint forces that capture backend (the
# kernel matrix runs it on each backend a guest has: tests/vm/guest_matrix.sh).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start ${SR_NETIN_BACKEND:+--capture-backend "$SR_NETIN_BACKEND"}

R() { "$SR_SSHREC" --db "$SR_DB" --color never "$@"; }
cp "$SR_TOP_SRCDIR/tests/e2e/netin_session.py" "$SC_W/netin.py"
ready=$SC_W/ready
sc_mark
sc_drive --print-output -c "/usr/bin/python3 $SC_W/netin.py $ready" >"$SR_T/netin.out" 2>&1 &
drive=$!
for _ in $(seq 1 200); do [ -s "$ready" ] && break; sleep 0.05; done
[ -s "$ready" ] || sr_die "the session's listeners did not start: $(cat "$SR_T/netin.out")"
read -r L4 L6 <"$ready"
# the client, outside the session (this test's own process tree)
cli='import socket,sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print(c.getsockname()[1])'
C4=$("$SR_PY" -c "$cli" 127.0.0.1 "$L4") || sr_fail "N1: connect to 127.0.0.1:$L4 failed"
C6=$("$SR_PY" -c "$cli" ::1 "$L6") || sr_fail "N1: connect to [::1]:$L6 failed"
wait "$drive" || sr_fail "N: the session's script failed: $(cat "$SR_T/netin.out")"
out=$(cat "$SR_T/netin.out")
read -r _ U4 D1 D2 U6 D3 UC D4 < <(grep '^UDP ' <<<"$out")
[ -n "$D4" ] || sr_die "N2: the session's script printed no ports: $out"

if sc_take_session N; then
	s=$SC_SID
	sc_check_integrity N "$s" root
	[ -z "${SR_NETIN_BACKEND:-}" ] ||
		sr_check_eq "N: recorded by the $SR_NETIN_BACKEND backend" "\"$SR_NETIN_BACKEND\"" \
			"$(sc_jl "$s" 'select(.event == "session.start") | .capture_backend')"
	py=$(sc_cmd_rec "$s" "$(sc_argv_json /usr/bin/python3 "$SC_W/netin.py" "$ready")" | jq .process_id)

	# ---- N1 ----
	for t in "127.0.0.1 $L4 $C4 4" "::1 $L6 $C6 6"; do
		set -- $t
		net=$(sc_jl "$s" 'select(.event == "session.network" and .operation == 2 and .version == $v)' \
			--argjson v "$4")
		sr_check_eq "N1: IPv$4 accept: one record, from [$1]:$3 to the listener [$1]:$2, by the listener's python" \
			"1 [\"$1\",$3,\"$1\",$2,0,\"established\",$py]" \
			"$(grep -c . <<<"$net") $(jq -c '[.src_addr, .src_port, .dst_addr, .dst_port, .action, .result, .process_id]' <<<"$net" | head -n 1)"
		# SQLite: addr/port the listener, n1/n2 the client, n3 = result 1 + 8 * operation 2
		sr_check_eq "N1: IPv$4 accept in SQLite events" "1" \
			"$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id
				JOIN addrs d ON d.id = e.addr JOIN addrs c ON c.id = e.n1
				WHERE s.sid = '$s' AND e.kind = 4 AND d.addr = '$1' AND e.port = $2
				AND c.addr = '$1' AND e.n2 = $3 AND e.n3 = 17")"
		sr_check_eq "N1: IPv$4 accept in ECS: ingress, source the client" \
			"[\"ingress\",\"tcp\",\"$1\",$3,$2]" \
			"$(jq -c --argjson p "$2" 'select(.event.category == ["network"] and .destination.port == $p) | [.network.direction, .network.transport, .source.ip, .source.port, .destination.port]' "$SC_ECS")"
		sr_check_eq "N1: IPv$4 accept in OCSF: Network Activity Open, Inbound" \
			"[4001,1,1,\"Inbound\",$3]" \
			"$(jq -c --argjson p "$2" 'select(.class_uid == 4001 and .dst_endpoint.port == $p) | [.class_uid, .activity_id, .connection_info.direction_id, .connection_info.direction, .src_endpoint.port]' "$SC_OCSF")"
	done
	sr_check "N1: the client's own connects are not the session's" \
		test -z "$(sc_jl "$s" 'select(.event == "session.network" and .operation == 0)')"

	# ---- N2 ----
	sr_check_eq "N2: one UDP send record per (socket, destination), IPv4 and IPv6, by python" \
		"$(printf '%s\n' "[\"127.0.0.1\",$U4,\"127.0.0.1\",$D1,4,\"sent\",$py]" \
			"[\"127.0.0.1\",$U4,\"127.0.0.1\",$D2,4,\"sent\",$py]" \
			"[\"127.0.0.1\",$UC,\"127.0.0.1\",$D4,4,\"sent\",$py]" \
			"[\"::1\",$U6,\"::1\",$D3,6,\"sent\",$py]" | sort)" \
		"$(sc_jl "$s" 'select(.event == "session.network" and .operation == 1) | [.src_addr, .src_port, .dst_addr, .dst_port, .version, .result, .process_id]' | sort)"
	sr_check_eq "N2: SQLite events by operation (n3 >> 3): 4 sends, 2 accepts" "$(printf '1|4\n2|2')" \
		"$(sr_sql "SELECT e.n3 >> 3, count(*) FROM events e JOIN sessions s ON s.id = e.session_id
			WHERE s.sid = '$s' AND e.kind = 4 GROUP BY 1 ORDER BY 1")"
	sr_check_eq "N2: sends in ECS (udp, egress) and OCSF (Traffic)" "4 4" \
		"$(jq -c 'select(.network.transport == "udp" and .network.direction == "egress")' "$SC_ECS" | grep -c .) $(jq -c 'select(.class_uid == 4001 and .activity_id == 6 and .connection_info.protocol_num == 17)' "$SC_OCSF" | grep -c .)"
	sr_check_eq "N2: session.end counts 6 network records" 6 \
		"$(sc_jl "$s" 'select(.event == "session.end") | .counts.network')"

	# ---- the CLI ----
	R timeline "$s" --type network >"$SR_T/tl.txt" 2>&1
	sr_check "timeline: the IPv4 accept" grep -qF "accept 127.0.0.1:$C4 -> 127.0.0.1:$L4 established" "$SR_T/tl.txt"
	sr_check "timeline: the IPv6 accept" grep -qF "accept [::1]:$C6 -> [::1]:$L6 established" "$SR_T/tl.txt"
	sr_check "timeline: a UDP send" grep -qF "udp [::1]:$U6 -> [::1]:$D3 sent" "$SR_T/tl.txt"
	sr_check_eq "timeline: 6 network lines" 6 "$(grep -cE ' (accept|udp) ' "$SR_T/tl.txt")"
fi

sc_check_jsonl_valid "all"
sr_finish
