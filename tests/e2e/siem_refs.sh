#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The records against the published references (tests/siem/check_siem.py with
# the reference data in tests/siem/ref): a generated database with hostile
# strings, exported as native JSON lines (vs Teleport's event proto and
# codes), ECS 9.4.0 and OCSF 1.1.0: 0 violations. And the checker itself
# finds what the issue found: process.ppid, an undeclared host profile, a
# string operation, argv types, an undocumented sshrec.* field. Needs no root.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-siem.XXXXXX)
trap sr_cleanup EXIT
GEN=$SR_TOP_BUILDDIR/tests/bench/gen_db
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
[ -x "$GEN" ] || sr_die "gen_db not built at $GEN"
DB=$SR_T/g.db
"$GEN" -o "$DB" -n 4 -e 200 --hostile >/dev/null ||
	sr_die "gen_db failed"
for f in jsonl ecs ocsf; do
	"$SR_SSHREC" --db "$DB" export --format $f -o "$SR_T/all.$f" 2>/dev/null ||
		sr_die "export --format $f failed"
done
sr_check_siem "generated records (hostile strings) vs Teleport's event proto" native "$SR_T/all.jsonl"
sr_check_siem "their ECS export vs ECS 9.4.0" ecs "$SR_T/all.ecs"
sr_check_siem "their OCSF export vs OCSF 1.1.0" ocsf "$SR_T/all.ocsf"
# the ECS check holds sshrec.* to RECORDS.md's table; sshrec(1) lists the same
# fields with the same types
md_fields=$(sed -n 's/^| `\(sshrec\.[a-z_.]*\)` | \([a-z]*\) |.*/\1 \2/p' "$SR_TOP_SRCDIR/schema/RECORDS.md" | sort)
man_fields=$(sed -n 's/^\.BR \(sshrec\.[a-z_.]*\) " (\([a-z]*\))"$/\1 \2/p' "$SR_TOP_SRCDIR/man/sshrec.1" | sort)
sr_check "RECORDS.md documents sshrec.* fields ($(grep -c . <<<"$md_fields"))" [ -n "$md_fields" ]
sr_check_eq "sshrec(1) documents the sshrec.* fields of RECORDS.md, with their types" \
	"$md_fields" "$man_fields"
sr_check_eq "every record is exported (ECS: all, OCSF: all but session.data_loss)" \
	"$(wc -l <"$SR_T/all.jsonl") $(grep -vc '"session.data_loss"' "$SR_T/all.jsonl")" \
	"$(wc -l <"$SR_T/all.ecs") $(wc -l <"$SR_T/all.ocsf")"

# validate_jsonl.py under every python3 here that has jsonschema: Debian's 4.10
# (RefResolver) always, a newer one (the referencing registry) where a pyenv
# or venv python3 on PATH has it.
declare -A seen=()
for py in /usr/bin/python3 $(type -a -P python3 2>/dev/null); do
	real=$(readlink -f "$py")
	[ -n "${seen[$real]:-}" ] && continue
	seen[$real]=1
	ver=$("$py" -c 'import importlib.metadata as m; print(m.version("jsonschema"))' 2>/dev/null) ||
		continue
	sr_check "validate_jsonl.py with $py (jsonschema $ver): the generated records pass" \
		"$py" "$SR_TOP_SRCDIR/tests/e2e/validate_jsonl.py" "$SR_TOP_SRCDIR/schema/json" "$SR_T/all.jsonl"
	jq -c 'if .event == "session.command" then del(.argv0) else . end' "$SR_T/all.jsonl" >"$SR_T/bad.jsonl"
	sr_check "validate_jsonl.py with $py (jsonschema $ver): a record without argv0 fails" \
		bash -c '! "$@" >/dev/null' _ "$py" "$SR_TOP_SRCDIR/tests/e2e/validate_jsonl.py" \
		"$SR_TOP_SRCDIR/schema/json" "$SR_T/bad.jsonl"
done
[ -n "${seen[$(readlink -f /usr/bin/python3)]:-}" ] || sr_fail "Debian's python3 was not tried"

# The checker finds each finding of issue 12 when it is put back.
mutant() { # LABEL KIND FILE JQ-FILTER: the filter applied to the first matching line
	local label=$1 kind=$2 file=$3 f=$4 out
	jq -c "$f" "$file" >"$SR_T/mutant"
	if out=$("$SR_PY" "$SR_TOP_SRCDIR/tests/siem/check_siem.py" "$kind" \
		"$SR_TOP_SRCDIR/tests/siem/ref" "$SR_T/mutant" 2>&1); then
		sr_fail "checker misses: $label"
	else
		sr_pass "checker finds: $label ($(sed -n 2p <<<"$out" | cut -c1-120))"
	fi
}
mutant "argv with a number in it" native "$SR_T/all.jsonl" \
	'if .event == "session.command" then .argv += [1] else . end'
mutant "operation as the string \"connect\"" native "$SR_T/all.jsonl" \
	'if .event == "session.network" then .operation = "connect" else . end'
# null is session.disk's "not observed" only (check_siem.py SSHREC_NULL_EXT)
mutant "session.command's return_code null" native "$SR_T/all.jsonl" \
	'if .event == "session.command" then .return_code = null else . end'
mutant "session.disk's return_code a string" native "$SR_T/all.jsonl" \
	'if .event == "session.disk" then .return_code = "unknown" else . end'
mutant "no action" native "$SR_T/all.jsonl" \
	'if .event == "session.network" then del(.action) else . end'
mutant "IPv6 addr.remote without brackets" native "$SR_T/all.jsonl" \
	'if .event == "session.start" then .["addr.remote"] = "2001:db8::5:50022" else . end'
mutant "session.end without participants" native "$SR_T/all.jsonl" \
	'if .event == "session.end" then del(.participants) else . end'
mutant "a code that is not Teleport's" native "$SR_T/all.jsonl" \
	'if .event == "session.disk" then .code = "T4009I" else . end'
mutant "session.denied's action as a string (session.network's is a number)" native \
	"$SR_T/all.jsonl" 'if .event == "session.denied" then .action = .kind else . end'
mutant "session.denied with mode a string (session.disk's is a number)" native \
	"$SR_T/all.jsonl" 'if .event == "session.denied" then .mode = .policy_mode else . end'
mutant "process.ppid (not in ECS since 1.12)" ecs "$SR_T/all.ecs" \
	'if .process.pid then .process.ppid = 1 else . end'
mutant "ecs.version 8.11.0" ecs "$SR_T/all.ecs" '.ecs.version = "8.11.0"'
mutant "an undocumented sshrec.* field" ecs "$SR_T/all.ecs" '.sshrec.signal = "SIGKILL"'
mutant "event.type not expected for the category" ecs "$SR_T/all.ecs" '.event.type = ["access"]'
mutant "file.name not a string" ecs "$SR_T/all.ecs" \
	'if .file then .file.name = 3 else . end'
mutant "device without the host profile declared" ocsf "$SR_T/all.ocsf" \
	'if .class_uid == 3002 then .metadata.profiles = [] else . end'
mutant "logon_type caption not the one of logon_type_id" ocsf "$SR_T/all.ocsf" \
	'if .class_uid == 3002 then .logon_type = "Network" | .logon_type_id = 10 else . end'
mutant "Process Activity without its required process" ocsf "$SR_T/all.ocsf" \
	'if .class_uid == 1007 then del(.process) else . end'
mutant "an attribute File System Activity does not have" ocsf "$SR_T/all.ocsf" \
	'if .class_uid == 1001 then .file.foo = 1 else . end'
mutant "a port out of range" ocsf "$SR_T/all.ocsf" \
	'if .class_uid == 4001 then .dst_endpoint.port = 70000 else . end'
sr_finish
