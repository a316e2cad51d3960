#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Upgrading a database to schema 7 changes nothing sshrec shows. Three
# fixtures (tests/e2e/data/parity, made by cli_parity_golden.sh): a schema 4
# database (sshrecd 6ffc7c5, record format 1), a schema 5 one (record
# format 2, execs naming the file that ran) and a schema 6 one (the last
# sshrecd before schema 7: session.denied records), each with two sessions
# written by that sshrecd's own correlator and sinks (every kind of record,
# hostile strings, IPv6, faults) and two written by its gen_db (another JSON
# layout, which the upgrade must keep as text). After sshrecd --upgrade-db,
# every command of data/parity/commands must print exactly what the schema 6
# sshrec printed on the database before, and the JSON-lines export must be
# the stored records byte for byte.
# Needs no root.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
SR_T=$(mktemp -d /tmp/sshrec-e2e-parity.XXXXXX)
chmod 755 "$SR_T"
trap sr_cleanup EXIT
data=$SR_TOP_SRCDIR/tests/e2e/data/parity
[ -x "$SR_SSHREC" ] || sr_die "sshrec not built at $SR_SSHREC"
[ -x "$SR_SSHRECD" ] || sr_die "sshrecd not built at $SR_SSHRECD"
V=$(sed -n 's/^#define SR_CLI_SCHEMA_MAX \([0-9]*\).*/\1/p' "$SR_TOP_SRCDIR/cli/cli.h")
for old in 4 5 6; do
	DB=$SR_T/v$old.db
	sqlite3 "$DB" <"$data/sshrec-v$old.sql" || sr_die "cannot load the schema $old fixture"
	sqlite3 "$DB" 'SELECT json FROM events ORDER BY time_us' >"$SR_T/v$old.jsonl"
	n_old=$(sqlite3 "$DB" 'SELECT count(*) FROM events')

	# this sshrec reads the newest schema only, and says how to get there
	rc=0
	"$SR_SSHREC" --db "$DB" sessions >/dev/null 2>"$SR_T/err" || rc=$?
	sr_check_eq "schema $old: refused with a hint" \
		"1 sshrec: database schema version $old is older than this sshrec reads ($V): sshrecd upgrades it when it starts (sshrecd --upgrade-db does only that)" \
		"$rc $(cat "$SR_T/err")"

	"$SR_SSHRECD" -c /dev/null --db "$DB" --upgrade-db >"$SR_T/up.out" 2>"$SR_T/up.log" ||
		{ cat "$SR_T/up.log"; sr_die "sshrecd --upgrade-db failed"; }
	sr_check_eq "schema $old: sshrecd --upgrade-db" "$DB: schema version $V" "$(cat "$SR_T/up.out")"
	sr_check_eq "schema $old: now schema $V, WAL, no leftover" "$V wal 0" \
		"$(sqlite3 "$DB" 'PRAGMA user_version; PRAGMA journal_mode' | tr '\n' ' ')$(ls "$SR_T" | grep -c tmp)"
	sr_check_eq "schema $old: every record copied" "$n_old" "$(sqlite3 "$DB" 'SELECT count(*) FROM events')"
	# the records the writer cannot reproduce are kept as text: gen_db's
	# commands (its own JSON: no "tty"), a session.start of record format 2
	# written before capture_backend (schema 5 and 6 fixtures: the writer
	# always writes it now) and a format 2 session.end written before
	# counts.denied (schema 5). sshrecd's other records are rows only.
	starts=$((old > 4 ? 1 : 0)) ends=$((old == 5 ? 2 : 0))
	sr_check_eq "schema $old: only what the writer cannot reproduce kept as text" \
		"$starts $((starts + ends)) $(sqlite3 "$DB" "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid LIKE '019b8d2%' AND e.kind = 2") $((2 * ends))" \
		"$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid LIKE '018bd%' AND e.json IS NOT NULL AND e.kind = 0), (SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid LIKE '018bd%' AND e.json IS NOT NULL), (SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid LIKE '019b8d2%' AND e.json IS NOT NULL AND e.kind != 1), (SELECT count(*) FROM events WHERE kind = 1 AND json IS NOT NULL)" | tr '|' ' ')"
	sr_check "schema $old: the upgrade logged what it kept" \
		grep -q "upgraded to schema version $V in .* $n_old records (.* kept as text" "$SR_T/up.log"
	sr_check_eq "schema $old: records keep the format they were written in" "$((old > 4 ? 2 : 1))" \
		"$(sqlite3 "$DB" "SELECT group_concat(DISTINCT e.fmt) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.sid LIKE '018bd%' AND e.kind = 2")"

	# byte for byte: the JSON-lines export is the stored records
	"$SR_SSHREC" --db "$DB" export --format jsonl >"$SR_T/new.jsonl"
	sr_check "schema $old: export --format jsonl is the stored records byte for byte" \
		cmp "$SR_T/v$old.jsonl" "$SR_T/new.jsonl"

	n=0
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		n=$((n + 1))
		eval "set -- $line"
		g=$data/golden/v$old/$n
		rc=0
		TZ=UTC "$SR_SSHREC" --db "$DB" --color never "$@" >"$SR_T/$n.out" 2>"$SR_T/$n.err" || rc=$?
		if [ -f "$g.sha256" ]; then
			same() { [ "$(sha256sum <"$SR_T/$n.out" | cut -d' ' -f1)" = "$(cat "$g.sha256")" ]; }
		else
			same() { cmp -s "$g.out" "$SR_T/$n.out" || { diff "$g.out" "$SR_T/$n.out" | head -20; false; }; }
		fi
		sr_check "schema $old: same output after the upgrade: sshrec $line" \
			eval 'same && cmp -s "$g.err" "$SR_T/$n.err" && [ "$rc" = "$(cat "$g.rc")" ]'
	done <"$data/commands"
	sr_check_eq "schema $old: every command compared" "$(ls "$data/golden/v$old" | grep -c '\.rc$')" "$n"
done
sr_finish
