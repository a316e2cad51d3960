# shellcheck shell=bash
# Helpers shared by the e2e scenarios (tests/e2e/scenario_*.sh) and the load
# test, on top of lib.sh: the sshdrive client, finding the session a login
# made, and assertions that look at the same fact in SQLite AND in the JSON
# lines. Every assertion names its scenario ("S3: ...") in its message.
#
#   . "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
#   . "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
#   sc_init; sc_start
#   sc_mark; sc_drive -c '/bin/echo hi'; sc_take_session S0 || ...
#   sc_check_cmd S0 "$SC_SID" 1 /bin/echo hi

SC_SSHDRIVE=${SC_SSHDRIVE:-$SR_TOP_BUILDDIR/tests/sshdrive}
SC_SID=
SC_BEFORE=

sc_init() {
	sr_init
	[ -x "$SC_SSHDRIVE" ] || sr_die "sshdrive not built at $SC_SSHDRIVE (make tests/sshdrive)"
	command -v jq >/dev/null || sr_die "jq missing (apt-get install jq)"
	command -v sqlite3 >/dev/null || sr_die "sqlite3 missing (apt-get install sqlite3)"
	SC_W=$SR_T/work
	mkdir -p "$SC_W"
	chmod 1777 "$SC_W"
	SC_TAG="t$$r$RANDOM"
}

# Daemon and sshd with the defaults (disk = all, network = on), and two more
# JSON-lines sinks writing ECS and OCSF (checked by sc_check_jsonl_valid).
sc_start() {
	SC_ECS=$SR_T/events-ecs.jsonl
	SC_OCSF=$SR_T/events-ocsf.jsonl
	printf 'jsonl.ecs = %s\njsonl.siem = %s\njsonl.siem.format = ocsf\n' "$SC_ECS" "$SC_OCSF" \
		>>"$SR_CONF"
	sr_start_daemon "$@"
	sr_start_sshd
}

# sshdrive against the test sshd with the test key.
sc_drive() { "$SC_SSHDRIVE" -p "$SR_PORT" -i "$SR_T/userkey" -q "$@"; }

sc_sqlq() { printf '%s' "${1//\'/\'\'}"; }

sc_all_sids() { sr_sql "SELECT sid FROM sessions ORDER BY sid"; }

# Remember the sessions that exist now; sc_new_sids lists those made since.
sc_mark() { SC_BEFORE=$(sc_all_sids); }
sc_new_sids() { sc_all_sids | grep -vxF -e "${SC_BEFORE:-no-such-sid}"; }

# sc_wait_end LABEL SID [TIMEOUT]: the session ends in SQLite and its
# session.end reaches the JSON lines.
sc_wait_end() {
	local label=$1 sid=$2 t=${3:-30} i
	if ! sr_wait_ended "$sid" "$t"; then
		sr_fail "$label: session $sid did not end within ${t}s (state: $(sr_sql "SELECT state FROM sessions WHERE sid='$sid'"))"
		return 1
	fi
	for i in $(seq 1 100); do
		[ "$(sc_jl "$sid" 'select(.event == "session.end") | .ei' | wc -l)" -ge 1 ] && return 0
		sleep 0.1
	done
	sr_fail "$label: session $sid ended in SQLite but its session.end is not in $SR_JSONL after 10s"
	return 1
}

# sc_take_session LABEL [TIMEOUT]: exactly one session was made since
# sc_mark; wait for its end; SC_SID is its sid.
sc_take_session() {
	local label=$1 t=${2:-30} new n
	new=$(sc_new_sids)
	n=$(printf '%s' "$new" | grep -c .)
	if [ "$n" != 1 ]; then
		sr_fail "$label: expected 1 new session in the database, found $n"
		SC_SID=
		return 1
	fi
	SC_SID=$new
	sc_wait_end "$label" "$SC_SID" "$t"
}

# sc_jl SID FILTER [jq options...]: that session's JSON lines through FILTER
# (argv whole again: sr_jl).
sc_jl() {
	local sid=$1 f=$2
	shift 2
	sr_jl "select(.sid == \$sid) | $f" --arg sid "$sid" "$@"
}

# JSON array of the arguments.
sc_argv_json() { jq -cn '$ARGS.positional' --args -- "$@"; }

# Count of session.command records of SID whose argv is exactly ARGV_JSON,
# "JSONL SQLITE" (SQLite: processes rows of the session).
sc_count_cmd() {
	local sid=$1 want=$2 jl db
	jl=$(sc_jl "$sid" 'select(.event == "session.command" and .argv == $want) | .ei' \
		--argjson want "$want" | wc -l)
	db=$(sr_sql "SELECT a.argv FROM processes p JOIN sessions s ON s.id = p.session_id
		JOIN argvs a ON a.id = p.argv WHERE s.sid = '$sid'" |
		jq -c --argjson want "$want" 'select(. == $want)' | wc -l)
	echo "$jl $db"
}

# sc_check_cmd LABEL SID N ARGV...: the exact argv was exec'd N times.
sc_check_cmd() {
	local label=$1 sid=$2 n=$3 want got
	shift 3
	want=$(sc_argv_json "$@")
	got=$(sc_count_cmd "$sid" "$want")
	sr_check_eq "$label: command $want recorded $n time(s) (JSONL SQLite)" "$n $n" "$got"
}

# First JSONL session.command record of SID with argv ARGV_JSON (compact).
sc_cmd_rec() {
	sc_jl "$1" 'select(.event == "session.command" and .argv == $want)' --argjson want "$2" |
		head -n 1
}

# The process_exit record of a process entity (JSONL).
sc_exit_rec() {
	sc_jl "$1" 'select(.event == "session.process_exit" and .process_id == $p)' \
		--argjson p "$2" | head -n 1
}

# mask and value of open(2) flags named like flags_text tokens.
sc_flagbits() {
	local m=0 v=0 t
	for t; do
		case $t in
		O_RDONLY) m=$((m | 3)) ;;
		O_WRONLY) m=$((m | 3)) v=$((v | 1)) ;;
		O_RDWR) m=$((m | 3)) v=$((v | 2)) ;;
		O_CREAT) m=$((m | 64)) v=$((v | 64)) ;;
		O_EXCL) m=$((m | 128)) v=$((v | 128)) ;;
		O_TRUNC) m=$((m | 512)) v=$((v | 512)) ;;
		O_APPEND) m=$((m | 1024)) v=$((v | 1024)) ;;
		*) sr_die "sc_flagbits: unknown flag $t" ;;
		esac
	done
	echo "$m $v"
}

# sc_check_open LABEL SID PATH FLAG...: an open of PATH (absolute, as
# recorded) with these flags (checked in flags_text and in the flags bits),
# successful (return_code >= 0), in JSONL and in SQLite.
sc_check_open() {
	local label=$1 sid=$2 path=$3 mv m v jl db
	shift 3
	mv=$(sc_flagbits "$@")
	m=${mv% *} v=${mv#* }
	jl=$(sc_jl "$sid" 'select(.event == "session.disk" and .path == $p and .return_code >= 0
		and ((.flags_text | split("|")) as $t | $toks | all(. as $f | $t | index([$f]))))
		| .flags' --arg p "$path" --argjson toks "$(sc_argv_json "$@")" |
		while read -r f; do [ $((f & m)) = "$v" ] && echo ok; done | wc -l)
	db=$(sr_sql "SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id
		JOIN paths d ON d.id = e.path WHERE s.sid = '$sid' AND e.kind = 3
		AND d.path = '$(sc_sqlq "$path")' AND e.rc >= 0 AND (e.n1 & $m) = $v")
	if [ "$jl" -ge 1 ] && [ "${db:-0}" -ge 1 ]; then
		sr_pass "$label: open of $path with $* recorded"
	else
		sr_fail "$label: open of $path with $* not recorded (JSONL matches: $jl, SQLite matches: ${db:-none}; recorded opens of it: $(sc_jl "$sid" 'select(.event == "session.disk" and .path == $p) | [.flags_text, .return_code]' --arg p "$path" | tr '\n' ' '))"
	fi
}

# sc_check_integrity LABEL SID LOGIN: the invariants every session holds:
# gapless ei from session.start (0) to session.end (last), each record's code,
# login and sid, the end record's counts and lost == 0, no data_loss record,
# and the records sshrec rebuilds from SQLite's rows are the JSON lines, byte
# for byte.
sc_check_integrity() {
	local label=$1 sid=$2 login=$3 n eis bad ends counts dbc jlrecs dbrecs
	n=$(sc_jl "$sid" '.ei' | wc -l)
	eis=$(sc_jl "$sid" '.ei' | sort -n | tr '\n' ' ')
	sr_check_eq "$label: ei is gapless from 0 ($n records)" "$(seq 0 $((n - 1)) | tr '\n' ' ')" "$eis"
	sr_check_eq "$label: ei 0 is session.start" '"session.start"' \
		"$(sc_jl "$sid" 'select(.ei == 0) | .event')"
	sr_check_eq "$label: the last record is the only session.end" "\"session.end\" 1" \
		"$(sc_jl "$sid" "select(.ei == $((n - 1))) | .event") $(sc_jl "$sid" 'select(.event == "session.end") | .ei' | wc -l)"
	bad=$(sc_jl "$sid" 'select(.code != ({"session.start": "T2000I", "session.end": "T2004I",
		"session.command": "T4000I", "session.disk": "T4001I", "session.network": "T4002I",
		"session.process_exit": "SR4010I", "session.data_loss": "SR4090W",
		"session.escape": "SR4091W"}[.event]) or .login != $login) | [.ei, .event, .code, .login]' \
		--arg login "$login")
	sr_check_eq "$label: every record has its event's code and login $login" "" "$bad"
	ends=$(sc_jl "$sid" 'select(.event == "session.end") | [.counts.command, .counts.disk,
		.counts.network, .counts.process_exit, .counts.escape, .lost]')
	counts=$(jq -c --arg sid "$sid" -s '[.[] | select(.sid == $sid)] as $r |
		[($r | map(select(.event == "session.command")) | length),
		 ($r | map(select(.event == "session.disk")) | length),
		 ($r | map(select(.event == "session.network")) | length),
		 ($r | map(select(.event == "session.process_exit")) | length),
		 ($r | map(select(.event == "session.escape")) | length), 0]' "$SR_JSONL")
	sr_check_eq "$label: session.end counts match the records and lost is 0" "$counts" "$ends"
	sr_check_eq "$label: no session.data_loss record" "0" \
		"$(sc_jl "$sid" 'select(.event == "session.data_loss") | .ei' | wc -l)"
	dbc=$(sr_sql "SELECT state, n_command, n_disk, n_network, n_exit, n_escape, lost FROM sessions
		WHERE sid = '$sid'")
	sr_check_eq "$label: SQLite session row is ended with the same counts" \
		"ended|$(jq -r '.[0:6] | map(tostring) | join("|")' <<<"$counts")" "$dbc"
	# Teleport's three session.end fields: the session had a terminal when
	# its row's tty is one; its one participant is the identity that logged in
	sr_check_eq "$label: session.end: enhanced_recording, interactive per the session's tty, participants [user]" \
		"$(sr_sql "SELECT json_array(json('true'), json(CASE WHEN tty LIKE '/dev/%' THEN 'true'
			ELSE 'false' END), json_array(user)) FROM sessions WHERE sid = '$sid'")" \
		"$(sc_jl "$sid" 'select(.event == "session.end") | [.enhanced_recording, .interactive, .participants]')"
	jlrecs=$(grep -F "\"sid\":\"$sid\"," "$SR_JSONL" | md5sum)
	dbrecs=$("$SR_SSHREC" --db "$SR_DB" export --sid "$sid" --format jsonl | md5sum)
	sr_check_eq "$label: the records rebuilt from SQLite are the JSON lines, byte for byte" \
		"$jlrecs" "$dbrecs"
}

# Every line of the JSON-lines file is strict UTF-8 JSON without a raw
# control byte, and (when the sinks' validator exists) matches its schema.
sc_check_jsonl_valid() {
	local label=$1 out
	out=$("$SR_PY" - "$SR_JSONL" <<'PY'
import json, sys
bad = []
with open(sys.argv[1], "rb") as f:
    for n, raw in enumerate(f, 1):
        line = raw.rstrip(b"\n")
        if any(b < 0x20 or b == 0x7f for b in line):
            bad.append("line %d: raw control byte" % n)
        try:
            obj = json.loads(line.decode("utf-8", "strict"))
            if not isinstance(obj, dict):
                bad.append("line %d: not an object" % n)
        except (UnicodeDecodeError, ValueError) as e:
            bad.append("line %d: %s" % (n, e))
print("; ".join(bad[:5]))
PY
)
	sr_check_eq "$label: every JSON line is strict UTF-8 JSON without raw control bytes" "" "$out"
	if [ -r "$SR_TOP_SRCDIR/tests/e2e/validate_jsonl.py" ]; then
		if out=$(sr_validate_jsonl "$SR_JSONL" 2>&1); then
			sr_pass "$label: JSON lines match schema/json"
		else
			sr_fail "$label: JSON lines do not match schema/json: $(tail -n 5 <<<"$out")"
		fi
	else
		sr_fail "$label: tests/e2e/validate_jsonl.py is missing: JSON lines not checked against schema/json"
	fi
	# every record written and exported, against the published references;
	# the daemon's ECS and OCSF lines are the export's, text for text
	sr_check_siem "$label: native JSON lines vs Teleport's event proto" native "$SR_JSONL"
	local f sink
	for f in ecs ocsf; do
		sink=$SC_ECS
		[ $f = ocsf ] && sink=$SC_OCSF
		if "$SR_SSHREC" --db "$SR_DB" export --format $f -o "$SR_T/export.$f" 2>/dev/null; then
			sr_check_siem "$label: sshrec export --format $f" $f "$SR_T/export.$f"
		else
			sr_fail "$label: sshrec export --format $f failed"
		fi
		sr_check_siem "$label: sshrecd's jsonl_format = $f lines" $f "$sink"
		sr_check_eq "$label: sshrecd's $f lines are the export's ($(wc -l <"$sink") lines)" \
			"$(sort "$SR_T/export.$f" | md5sum)" "$(sort "$sink" | md5sum)"
	done
}

# sc_listen VAR ADDR: start the loopback TCP listener; VAR gets its port.
sc_listen() {
	local var=$1 addr=$2 pf i
	pf=$(mktemp -u "$SR_T/port.XXXXXX")
	"$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/tcplisten.py" "$addr" "$pf" >>"$pf.log" 2>&1 &
	SR_PIDS+=("$!")
	for i in $(seq 1 100); do
		if [ -s "$pf" ]; then
			printf -v "$var" '%s' "$(cat "$pf")"
			return 0
		fi
		sleep 0.05
	done
	sr_die "listener on $addr did not start"
}

# sc_add_user NAME: a throwaway login with a shell and home, key auth like
# root's (call before sc_start); removed at exit.
sc_add_user() {
	useradd -m -s /bin/bash "$1" || sr_die "useradd $1 failed"
	SR_CLEANUP_HOOKS+=("userdel -r -f $1 >/dev/null 2>&1")
	SR_USERS="${SR_USERS:-} $1"
}
