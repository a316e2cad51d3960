#!/usr/bin/env bash
# records_group: the auditors' group reads the records without root.
#   - sshrecd with records_group creates its directories 0750 and the
#     database, its -wal and -shm, the JSON lines and the rotated .gz 0640,
#     all of that group;
#   - a member runs `sshrec sessions` and `sshrec timeline` on the live
#     database (daemon writing) and on the closed one (daemon stopped), and
#     reads the JSON lines; a user outside the group can do neither;
#   - restarted without records_group, the files are root's again (0600) and
#     the member is out too.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
G=srgrp$$
IN=srin$$
OUT=srout$$
groupadd "$G" || sr_die "groupadd $G failed"
SR_CLEANUP_HOOKS+=("userdel -f $IN 2>/dev/null; userdel -f $OUT 2>/dev/null; groupdel $G 2>/dev/null")
useradd -M -N -d / -s /bin/bash -G "$G" "$IN" || sr_die "useradd $IN failed"
useradd -M -N -d / -s /bin/bash "$OUT" || sr_die "useradd $OUT failed"
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
denied() { ! "$@" >/dev/null 2>&1; }
# the CLI from a place every user can read, wherever the build lives
install -m 0755 "$SR_SSHREC" "$SR_T/sshrec"
CLI=$SR_T/sshrec

# directories the daemon has to create
SR_DB=$SR_T/lib/sshrec.db
SR_JSONL=$SR_T/log/events.jsonl
printf 'records_group = %s\njsonl_max_size = 4K\n' "$G" >"$SR_CONF"
sr_start_daemon
sr_start_sshd
sid=$(sr_ssh '/bin/echo group-m1; for i in $(seq 1 30); do /bin/true; done; echo "$SSHREC_SID"' | tail -n 1)
sr_check "the session ended ($sid)" sr_wait_ended "$sid" 20

perm() { stat -c '%a %G' "$1" 2>&1; }
sr_check_eq "database directory: 750 $G" "750 $G" "$(perm "$SR_T/lib")"
sr_check_eq "JSON-lines directory: 750 $G" "750 $G" "$(perm "$SR_T/log")"
for f in "$SR_DB" "$SR_DB-wal" "$SR_DB-shm" "$SR_JSONL" "$SR_JSONL.1.gz"; do
	sr_check_eq "${f#"$SR_T"/}: 640 $G" "640 $G" "$(perm "$f")"
done

sessions() { as "$1" "$CLI" --db "$SR_DB" sessions --json 2>&1 | jq -r '.[].sid' 2>&1; }
sr_check_eq "a member lists the session, daemon writing" "$sid" "$(sessions "$IN")"
sr_check "a member reads its timeline" sh -c \
	"setpriv --reuid=$IN --regid=$(id -g "$IN") --init-groups '$CLI' --db '$SR_DB' timeline '$sid' | grep -q 'group-m1'"
sr_check "a member reads the JSON lines and the rotated file" sh -c \
	"setpriv --reuid=$IN --regid=$(id -g "$IN") --init-groups sh -c 'cat $SR_JSONL; zcat $SR_JSONL.1.gz' | grep -q '\"sid\":\"$sid\"'"
out=$(as "$OUT" "$CLI" --db "$SR_DB" sessions 2>&1)
rc=$?
sr_check "a user outside the group cannot list sessions (exit $rc: $out)" \
	[ $rc -ne 0 -a -n "$(grep -i 'permission denied\|unable to open\|cannot open' <<<"$out")" ]
sr_check "a user outside the group cannot read the JSON lines" denied as "$OUT" cat "$SR_JSONL"

sr_stop_daemon
sr_check "the daemon closed the database (no -wal left)" [ ! -e "$SR_DB-wal" ]
sr_check_eq "a member lists the session, daemon stopped" "$sid" "$(sessions "$IN")"

# records_group removed: root's alone again
: >"$SR_CONF"
sr_start_daemon
sr_check_eq "without records_group: the database is 600" 600 "$(stat -c %a "$SR_DB")"
sr_check_eq "without records_group: the JSON lines are 600" 600 "$(stat -c %a "$SR_JSONL")"
out=$(as "$IN" "$CLI" --db "$SR_DB" sessions 2>&1)
sr_check "without records_group: the member cannot list sessions ($out)" \
	[ -z "$(grep -F "$sid" <<<"$out")" ]
sr_finish
