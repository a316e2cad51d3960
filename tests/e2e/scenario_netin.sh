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
#  N3 UDP without a send syscall: 3 write()s then a send() on a connected IPv4
#     socket (one record: both paths dedupe on one key), 2 writev()s on a
#     connected IPv6 socket (one record; on the tracepoint backend of a kernel
#     without sock:sock_send_length, before 6.3, none: documented)
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
read -r _ UW DW UV DV < <(grep '^UDPW ' <<<"$out")
[ -n "$DV" ] || sr_die "N3: the session's script printed no ports: $out"

if sc_take_session N; then
	s=$SC_SID
	sc_check_integrity N "$s" root
	[ -z "${SR_NETIN_BACKEND:-}" ] ||
		sr_check_eq "N: recorded by the $SR_NETIN_BACKEND backend" "\"$SR_NETIN_BACKEND\"" \
			"$(sc_jl "$s" 'select(.event == "session.start") | .capture_backend')"
	backend=$(sc_jl "$s" 'select(.event == "session.start") | .capture_backend' | tr -d '"')
	# write()/writev() on a connected socket: every backend but the tracepoint
	# one of a kernel without sock:sock_send_length (its BTF says, as for the loader)
	wseen=1
	[ "$backend" != tracepoint ] || grep -qa btf_trace_sock_send_length /sys/kernel/btf/vmlinux ||
		wseen=0
	nsend=$((5 + wseen))
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
		"$(sc_jl "$s" 'select(.event == "session.network" and .operation == 1 and .dst_port != $w and .dst_port != $v) | [.src_addr, .src_port, .dst_addr, .dst_port, .version, .result, .process_id]' \
			--argjson w "$DW" --argjson v "$DV" | sort)"

	# ---- N3 ----
	sr_check_eq "N3: write()s then send() on a connected IPv4 socket: one record" \
		"[\"127.0.0.1\",$UW,\"127.0.0.1\",$DW,4,\"sent\",$py]" \
		"$(sc_jl "$s" 'select(.event == "session.network" and .operation == 1 and .dst_port == $p) | [.src_addr, .src_port, .dst_addr, .dst_port, .version, .result, .process_id]' --argjson p "$DW")"
	if [ "$wseen" = 1 ]; then
		want="[\"::1\",$UV,\"::1\",$DV,6,\"sent\",$py]"
	else
		want=""
	fi
	sr_check_eq "N3: writev()s on a connected IPv6 socket, $backend backend: $wseen record(s)" "$want" \
		"$(sc_jl "$s" 'select(.event == "session.network" and .operation == 1 and .dst_port == $p) | [.src_addr, .src_port, .dst_addr, .dst_port, .version, .result, .process_id]' --argjson p "$DV")"
	sr_check_eq "N3: the writes in SQLite (addr, port, source port n2)" "$((1 + wseen))" \
		"$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id
			JOIN addrs d ON d.id = e.addr WHERE s.sid = '$s' AND e.kind = 4 AND e.n3 >> 3 = 1
			AND ((d.addr = '127.0.0.1' AND e.port = $DW AND e.n2 = $UW)
			  OR (d.addr = '::1' AND e.port = $DV AND e.n2 = $UV))")"
	sr_check_eq "N2/N3: SQLite events by operation (n3 >> 3): $nsend sends, 2 accepts" "$(printf '1|%s\n2|2' "$nsend")" \
		"$(sr_sql "SELECT e.n3 >> 3, count(*) FROM events e JOIN sessions s ON s.id = e.session_id
			WHERE s.sid = '$s' AND e.kind = 4 GROUP BY 1 ORDER BY 1")"
	sr_check_eq "N2/N3: sends in ECS (udp, egress) and OCSF (Traffic)" "$nsend $nsend" \
		"$(jq -c 'select(.network.transport == "udp" and .network.direction == "egress")' "$SC_ECS" | grep -c .) $(jq -c 'select(.class_uid == 4001 and .activity_id == 6 and .connection_info.protocol_num == 17)' "$SC_OCSF" | grep -c .)"
	sr_check_eq "N2/N3: session.end counts $((nsend + 2)) network records" $((nsend + 2)) \
		"$(sc_jl "$s" 'select(.event == "session.end") | .counts.network')"

	# ---- the CLI ----
	R timeline "$s" --type network >"$SR_T/tl.txt" 2>&1
	sr_check "timeline: the IPv4 accept" grep -qF "accept 127.0.0.1:$C4 -> 127.0.0.1:$L4 established" "$SR_T/tl.txt"
	sr_check "timeline: the IPv6 accept" grep -qF "accept [::1]:$C6 -> [::1]:$L6 established" "$SR_T/tl.txt"
	sr_check "timeline: a UDP send" grep -qF "udp [::1]:$U6 -> [::1]:$D3 sent" "$SR_T/tl.txt"
	sr_check_eq "timeline: $((nsend + 2)) network lines" $((nsend + 2)) "$(grep -cE ' (accept|udp) ' "$SR_T/tl.txt")"
fi

sc_check_jsonl_valid "all"
sr_finish
