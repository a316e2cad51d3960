#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# E2E scenario 14 (issue 7): activity on the host outside any session while
# a session runs (execs, opens and TCP connects made by this test script and
# its children, and the ssh client itself) leaves not one record.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
sc_listen P14 127.0.0.1
mark=s14-outside-$SC_TAG

# host activity: runs until the stop file appears; counts its rounds
outside() {
	local n=0
	while [ ! -e "$SR_T/s14.stop" ]; do
		/bin/echo "$mark" >/dev/null
		touch "$SR_T/$mark-file"
		cat "$SR_T/$mark-file" >/dev/null
		curl -s -o /dev/null "http://127.0.0.1:$P14/$mark"
		(exec 3<>"/dev/tcp/127.0.0.1/$P14") 2>/dev/null
		n=$((n + 1))
		echo "$n" >"$SR_T/s14.rounds"
	done
}
outside &
loop=$!
SR_PIDS+=("$loop")

sc_mark
sc_drive -c 'sleep 2' -c "/bin/echo s14-inside-$SC_TAG" -c "sleep 1" >/dev/null ||
	sr_fail "S14: the session's commands failed over ssh"
sr_ssh "/bin/echo s14-inside-ssh-$SC_TAG" >/dev/null || sr_fail "S14: ssh failed"
new=$(sc_new_sids)
for s in $new; do sc_wait_end S14 "$s" 30; done
touch "$SR_T/s14.stop"
wait "$loop"
rounds=$(cat "$SR_T/s14.rounds" 2>/dev/null)
sr_check "S14: the outside activity ran at least 5 rounds during the sessions (ran ${rounds:-0})" \
	[ "${rounds:-0}" -ge 5 ]
sr_check_eq "S14: exactly the 2 test sessions exist" 2 "$(sc_all_sids | grep -c .)"
for s in $new; do sc_check_integrity S14 "$s" root; done
sr_check_eq "S14: the inside commands are recorded" "1 1" \
	"$(sr_jl 'select(.argv == ["/bin/echo", $m])' --arg m "s14-inside-$SC_TAG" | wc -l) $(sr_jl 'select(.argv == ["/bin/echo", $m])' --arg m "s14-inside-ssh-$SC_TAG" | wc -l)"
sr_check_eq "S14: the outside marker appears nowhere in the JSON lines" 0 "$(grep -c -F "$mark" "$SR_JSONL")"
sr_check_eq "S14: the outside marker appears nowhere in SQLite" "0|0" \
	"$(sr_sql "SELECT (SELECT count(*) FROM events WHERE text LIKE '%$mark%' OR json LIKE '%$mark%'),
		(SELECT count(*) FROM argvs WHERE argv LIKE '%$mark%') +
		(SELECT count(*) FROM paths WHERE path LIKE '%$mark%') +
		(SELECT count(*) FROM programs WHERE name LIKE '%$mark%')")"
sr_check_eq "S14: no connect to the outside listener (port $P14) or to sshd (the ssh client, port $SR_PORT)" 0 \
	"$(jq -c --argjson a "$P14" --argjson b "$SR_PORT" 'select(.event == "session.network" and (.dst_port == $a or .dst_port == $b))' "$SR_JSONL" | wc -l)"
sr_check_eq "S14: no record of the ssh client (its key $SR_T/userkey) or of the test's sqlite3/jq (the DB path)" 0 \
	"$(sr_jl 'select(.argv != null and (.argv[0] == "ssh"
		or (.argv | any(contains($k) or contains($d))))) | .argv' --arg k "$SR_T/userkey" --arg d "$SR_DB" | wc -l)"
sr_check_eq "S14: no open of the outside marker file or the test database" 0 \
	"$(jq -c --arg d "$SR_DB" 'select(.event == "session.disk" and (.path | startswith($d))) | .path' "$SR_JSONL" | wc -l)"

sc_check_jsonl_valid "all"
sr_finish
