#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Unusual execs over a real login (sshd + pam_sshrec + sshrecd), named as
# such in the records, SQLite, timeline, tree, search, report and exports:
#  - a fileless program: memfd_create + fexecve (execveat AT_EMPTY_PATH)
#  - an exec through /proc/self/fd/N of an ordinary file
#  - an exec through /dev/fd/N of a file deleted before it ran
#  - a #! script through /dev/fd/N (the kernel runs its interpreter)
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
sc_init
sc_start
W=$SC_W
R() { "$SR_SSHREC" --db "$SR_DB" --color never "$@"; }
ID=$(readlink -f /usr/bin/id)

sc_mark
sc_drive -c "python3 -c 'import os; fd = os.memfd_create(\"sshrec-payload\"); os.write(fd, open(\"/usr/bin/id\", \"rb\").read()); os.execve(fd, [\"payload\", \"-u\"], {})'" \
	-c 'exec 7</usr/bin/id; /proc/self/fd/7 -g' \
	-c "cp /usr/bin/id $W/del-id && exec 8<$W/del-id && rm $W/del-id && /dev/fd/8 -G" \
	-c "printf '#!/bin/sh\nexit 0\n' >$W/s.sh && chmod +x $W/s.sh && exec 9<$W/s.sh && /dev/fd/9 s-arg" >/dev/null ||
	sr_fail "a command failed over ssh (see sshdrive's report above)"
sc_take_session unusual || sr_finish
s=$SC_SID
sc_check_integrity unusual "$s" root

rec() { sc_cmd_rec "$s" "$(sc_argv_json "$@")" | jq -c '[.path, .exe, .exe_kind]'; }
got=$(rec payload -u)
sr_check "memfd: path /dev/fd/N, exe memfd:sshrec-payload, fileless ($got)" \
	jq -e '.[0] | test("^/dev/fd/[0-9]+$")' <<<"$got"
sr_check_eq "memfd: exe and exe_kind" '["memfd:sshrec-payload","fileless"]' "$(jq -c '.[1:]' <<<"$got")"
sr_check_eq "/proc/self/fd/7: path, the file it reached, file" "[\"/proc/self/fd/7\",\"$ID\",\"file\"]" \
	"$(rec /proc/self/fd/7 -g)"
sr_check_eq "/dev/fd/8 of a deleted file: path, file, deleted" "[\"/dev/fd/8\",\"$W/del-id\",\"deleted\"]" \
	"$(rec /dev/fd/8 -G)"
sr_check_eq "an ordinary exec: exe and kind file" "[\"$(readlink -f "$(command -v cp)")\",\"file\"]" \
	"$(sc_cmd_rec "$s" "$(sc_argv_json cp /usr/bin/id "$W/del-id")" | jq -c '[.exe, .exe_kind]')"
sr_check_eq "SQLite processes rows name the programs after the file that ran" \
	"memfd:sshrec-payload|memfd:sshrec-payload|fileless
id|$ID|file
del-id|$W/del-id|deleted" \
	"$(sr_sql "SELECT g.name, x.path, p.exe_kind FROM processes p JOIN sessions s ON s.id = p.session_id
		JOIN programs g ON g.id = p.program JOIN argvs a ON a.id = p.argv
		LEFT JOIN paths x ON x.id = p.exe
		WHERE s.sid = '$s' AND a.argv IN ('[\"payload\",\"-u\"]', '[\"/proc/self/fd/7\",\"-g\"]',
		'[\"/dev/fd/8\",\"-G\"]') ORDER BY p.start_us")"

L_MEMFD='[memfd:sshrec-payload (fileless)] payload -u'
L_PROC="[/proc/self/fd/7 -> $ID] /proc/self/fd/7 -g"
L_DEL="[/dev/fd/8 -> $W/del-id (deleted)] /dev/fd/8 -G"
SH=$(readlink -f /bin/sh)
L_SCRIPT="[/dev/fd/9 (a script run by $SH)] /bin/sh /dev/fd/9 s-arg"
sr_check_eq "a #! script through /dev/fd/9: the kernel ran its interpreter" "[\"/dev/fd/9\",\"$SH\",\"interpreter\"]" \
	"$(rec /bin/sh /dev/fd/9 s-arg)"
R timeline "$s" --type command >"$SR_T/tl.txt"
for l in "$L_MEMFD" "$L_PROC" "$L_DEL" "$L_SCRIPT"; do
	sr_check "timeline: $l" grep -qF "exec    $l  (cwd " "$SR_T/tl.txt"
done
sr_check "timeline: an ordinary exec has no label" grep -qE "exec    cp /usr/bin/id $W/del-id  \(cwd " "$SR_T/tl.txt"
R tree "$s" >"$SR_T/tree.txt"
for l in "$L_MEMFD" "$L_PROC" "$L_DEL"; do
	sr_check "tree: $l" grep -qF -- "- $l  [pid " "$SR_T/tree.txt"
done
sr_check_eq "tree --json: exe, exe_kind and the label of the fileless program" \
	'["memfd:sshrec-payload","fileless","memfd:sshrec-payload (fileless)"]' \
	"$(R tree "$s" --json | jq -c '.processes[] | select(.argv == ["payload","-u"]) | [.exe, .exe_kind, .exe_label]')"
sr_check "search --command finds the fileless program by its memfd name" \
	grep -qF "$L_MEMFD" <<<"$(R search --command 'memfd:*')"
R report "$s" -o "$SR_T/r.html"
sr_check "report: the fileless program is named" grep -qF '<span class=exe>memfd:sshrec-payload (fileless)</span>' "$SR_T/r.html"
sr_check "report: the deleted file is named" grep -qF "<span class=exe>/dev/fd/8 -&gt; $W/del-id (deleted)</span>" "$SR_T/r.html"
R export --sid "$s" --format ecs >"$SR_T/ecs.jsonl"
sr_check_eq "export ecs: process.executable and name of the fileless program" \
	'["memfd:sshrec-payload (fileless)","memfd:sshrec-payload"]' \
	"$(jq -c 'select(.event.action == "session.command" and .process.args == ["payload","-u"]) | [.process.executable, .process.name]' "$SR_T/ecs.jsonl")"
sr_check_eq "export ecs: the deleted file, and the file behind /proc/self/fd/7" \
	"[\"$W/del-id (deleted)\",\"del-id\"] [\"$ID\",\"id\"]" \
	"$(jq -c 'select(.event.action == "session.command" and .process.args == ["/dev/fd/8","-G"]) | [.process.executable, .process.name]' "$SR_T/ecs.jsonl") $(
		jq -c 'select(.event.action == "session.command" and .process.args == ["/proc/self/fd/7","-g"]) | [.process.executable, .process.name]' "$SR_T/ecs.jsonl")"
ent=$(jq -r 'select(.event.action == "session.command" and .process.args == ["payload","-u"]) | .process.entity_id' "$SR_T/ecs.jsonl")
sr_check_eq "export ecs: the files the fileless program opened name it too" "memfd:sshrec-payload (fileless)" \
	"$(jq -r 'select(.event.action == "session.disk" and .process.entity_id == $e) | .process.executable' --arg e "$ent" "$SR_T/ecs.jsonl" | sort -u)"
R export --sid "$s" --format ocsf >"$SR_T/ocsf.jsonl"
sr_check_eq "export ocsf: process.file of the fileless program" \
	'["memfd:sshrec-payload (fileless)","memfd:sshrec-payload"]' \
	"$(jq -c 'select(.class_uid == 1007 and .activity_id == 1 and .process.cmd_line == "payload -u") | [.process.file.path, .process.file.name]' "$SR_T/ocsf.jsonl")"

sc_check_jsonl_valid unusual
sr_finish
