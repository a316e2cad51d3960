#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Load test (issue 7): sshdrive opens N concurrent SSH sessions (all logged
# in before any starts), each running a mixed script of M commands with file
# writes, a pipeline and one loopback TCP connect, every command carrying a
# unique marker. Asserts:
#   every session is recorded (and ends), every expected command is present
#   exactly once in SQLite and in the JSON lines, zero misattributed records,
#   zero losses (a loss shows as session.data_loss / lost and fails the test).
# Prints sessions/s, events/s, the daemon's peak RSS (VmHWM) and CPU time.
#
# Default (make check): SR_LOAD_SESSIONS=20 SR_LOAD_COMMANDS=20.
# make check-load: 200 x 50. SR_LOAD_RESULTS=FILE appends a markdown row.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
. "$SR_TOP_SRCDIR/tests/e2e/scenario_lib.sh"
SR_EXCLUSIVE=1 # a login storm: runs alone (lib.sh sr_suite_lock)
N=${SR_LOAD_SESSIONS:-20}
M=${SR_LOAD_COMMANDS:-20}
[ "$M" -ge 5 ] || sr_die "SR_LOAD_COMMANDS must be at least 5"
sc_init
# a fresh login: its shell reads /etc/skel's dotfiles only, so the records
# are the script's (root's dotfiles on a dev host may run hundreds of commands)
LU=srl$$
sc_add_user "$LU"
# A login storm on 2 vCPUs: registrations queue behind each other's cgroup
# migrations, so allow 10 s (the module's default is 2 s) and fail closed, so
# that a login the recorder did not take fails loudly instead of passing
# unrecorded.
SR_PAM_OPTS="socket=$SR_SOCK timeout=${SR_LOAD_PAM_TIMEOUT:-10000} fail=closed"
sc_start
sc_listen PL 127.0.0.1
W=$SC_W
T=ld-$SC_TAG

# The script: command C of session S carries the marker $T-sS-cC. Kinds:
#   0 echo (exec), 1 touch (exec + write open), 2 a pipeline writing a file
#   (sh -c: sh + cat, write open), 3 /bin/true; command 4 is the connect (curl).
script=$SR_T/load.script
for c in $(seq 0 $((M - 1))); do
	mk="$T-s{S}-c$c"
	if [ "$c" = 4 ]; then
		echo "curl -s -o /dev/null http://127.0.0.1:$PL/$mk"
		continue
	fi
	case $((c % 4)) in
	0) echo "/bin/echo $mk" ;;
	1) echo "touch $W/$mk" ;;
	2) echo "sh -c 'cat /etc/hostname > $W/$mk' $mk" ;;
	3) echo "/bin/true $mk" ;;
	esac
done >"$script"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SR_DAEMON_PID/stat"; }
hz=$(getconf CLK_TCK)
cpu0=$(cpu_ticks)
t0=$(date +%s%N)
sc_mark
sr_log "driving $N sessions x $M commands"
"$SC_SSHDRIVE" -p "$SR_PORT" -i "$SR_T/userkey" -u "$LU" -n "$N" -f "$script" -t 300 -r 5 >/dev/null 2>"$SR_T/sshdrive.err"
drc=$?
cat "$SR_T/sshdrive.err" >&2
sr_check_eq "sshdrive ran every session and command without error" 0 "$drc"
t1=$(date +%s%N)
new=$(sc_new_sids)
sr_check_eq "$N sessions recorded" "$N" "$(grep -c . <<<"$new")"
ended=0
deadline=$(($(date +%s) + 120))
while :; do
	open=$(sr_sql "SELECT count(*) FROM sessions WHERE state != 'ended'")
	[ "$open" = 0 ] && break
	[ "$(date +%s)" -gt "$deadline" ] && break
	sleep 0.2
done
sr_check_eq "every session ended within 120 s of the last logout" 0 "$open"
# the JSON lines get the end records too
for i in $(seq 1 100); do
	[ "$(grep -c '"session.end"' "$SR_JSONL")" -ge "$N" ] && break
	sleep 0.1
done
t2=$(date +%s%N)
cpu1=$(cpu_ticks)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SR_DAEMON_PID/status")

# The checks, in one pass over SQLite and the JSON lines.
res=$("$SR_PY" - "$SR_DB" "$SR_JSONL" "$T" "$N" "$M" "$W" "$PL" "$LU" <<'PY'
import json, sqlite3, sys, collections
db, jsonl, T, N, M, W, PL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
login = sys.argv[8]
fails = []
def fail(msg):
    if len(fails) < 40:
        fails.append(msg)

def expected(s, c):
    """(argv, path written or None) of command c of session s"""
    mk = "%s-s%d-c%d" % (T, s, c)
    if c == 4:
        return ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:%d/%s" % (PL, mk)], None
    k = c % 4
    if k == 0: return ["/bin/echo", mk], None
    if k == 1: return ["touch", "%s/%s" % (W, mk)], "%s/%s" % (W, mk)
    if k == 2: return ["sh", "-c", "cat /etc/hostname > %s/%s" % (W, mk), mk], "%s/%s" % (W, mk)
    return ["/bin/true", mk], None

def owner(text):
    """session index a marked string belongs to, or None"""
    i = text.find(T + "-s")
    if i < 0: return None
    j = i + len(T) + 2
    k = j
    while k < len(text) and text[k].isdigit(): k += 1
    return int(text[j:k]) if k > j else None

recs = collections.defaultdict(list)
with open(jsonl, "rb") as f:
    for line in f:
        r = json.loads(line)
        if r["event"] == "session.command" and "argv0" in r:
            # record format 2: argv[0] apart, as Teleport; the whole vector again
            r["argv"] = ([r["argv0"]] if r["argv0"] is not None else []) + r["argv"]
        recs[r["sid"]].append(r)

con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
sessions = {sid: (sid_id, state, lost) for sid, sid_id, state, lost in
            con.execute("SELECT sid, id, state, lost FROM sessions")}
dbrows = collections.defaultdict(list)
for sid, argv in con.execute("SELECT s.sid, a.argv FROM processes p JOIN sessions s ON s.id = p.session_id JOIN argvs a ON a.id = p.argv"):
    dbrows[sid].append(json.loads(argv))
dbev = collections.defaultdict(int)
for sid, n in con.execute("SELECT s.sid, count(*) FROM events e JOIN sessions s ON s.id = e.session_id GROUP BY s.sid"):
    dbev[sid] = n

# which session is session index S: the one holding its command 0
idx = {}
for sid, rs in recs.items():
    for r in rs:
        if r["event"] == "session.command" and r["argv"][:1] == ["/bin/echo"] and len(r["argv"]) == 2 \
                and r["argv"][1].endswith("-c0") and owner(r["argv"][1]) is not None:
            s = owner(r["argv"][1])
            if s in idx and idx[s] != sid:
                fail("session index %d's first command is in two sessions %s and %s" % (s, idx[s], sid))
            idx[s] = sid
missing = [s for s in range(N) if s not in idx]
if missing:
    fail("no session holds the first command of session indexes %s" % missing[:10])

total = 0
lost = 0
for s, sid in sorted(idx.items()):
    rs = recs[sid]
    total += len(rs)
    if sid not in sessions:
        fail("session %d (%s) is in the JSON lines but not in SQLite" % (s, sid)); continue
    _, state, dblost = sessions[sid]
    if state != "ended": fail("session %d (%s): state %s" % (s, sid, state))
    lost += dblost
    if dblost: fail("session %d: SQLite lost = %d" % (s, dblost))
    bad = [r["ei"] for r in rs if r.get("login") != login]
    if bad: fail("session %d: %d records with a login other than %s" % (s, len(bad), login))
    eis = sorted(r["ei"] for r in rs)
    if eis != list(range(len(rs))): fail("session %d: ei not gapless (%d records)" % (s, len(rs)))
    if dbev[sid] != len(rs): fail("session %d: %d events in SQLite, %d JSON lines" % (s, dbev[sid], len(rs)))
    dl = [r for r in rs if r["event"] == "session.data_loss"]
    if dl: fail("session %d: session.data_loss %s" % (s, dl[0].get("lost")))
    end = [r for r in rs if r["event"] == "session.end"]
    if len(end) != 1 or end[0].get("lost"): fail("session %d: end records %d, lost %s" % (s, len(end), end[0].get("lost") if end else None))
    cmds = [r["argv"] for r in rs if r["event"] == "session.command"]
    for c in range(M):
        argv, wpath = expected(s, c)
        n_jl = sum(1 for a in cmds if a == argv)
        n_db = sum(1 for a in dbrows[sid] if a == argv)
        if n_jl != 1 or n_db != 1:
            fail("session %d command %d %s: %d in JSONL, %d in SQLite (want 1)" % (s, c, argv, n_jl, n_db))
        if wpath is not None:
            w = [r for r in rs if r["event"] == "session.disk" and r["path"] == wpath and r["flags"] & 0o100]
            if len(w) != 1:
                fail("session %d command %d: %d creating opens of %s (want 1)" % (s, c, len(w), wpath))
    net = [r for r in rs if r["event"] == "session.network" and r["dst_port"] == PL]
    if len(net) != 1 or net[0]["dst_addr"] != "127.0.0.1":
        fail("session %d: %d connects to 127.0.0.1:%d (want 1)" % (s, len(net), PL))
    # misattribution: any record naming another session's marker
    for r in rs:
        text = json.dumps([r.get("argv"), r.get("path"), r.get("cwd")])
        o = owner(text)
        if o is not None and o != s:
            fail("session %d holds a record of session %d: %s %s" % (s, o, r["event"], text[:200]))
# records with a marker in sessions that are not load sessions
for sid, rs in recs.items():
    if sid in idx.values(): continue
    for r in rs:
        if owner(json.dumps([r.get("argv"), r.get("path")])) is not None:
            fail("a record with a load marker in an unrelated session %s" % sid)
print("RECORDS %d LOST %d" % (total, lost))
for f in fails:
    print("FAIL " + f)
PY
)
grep '^FAIL ' <<<"$res" | while IFS= read -r l; do echo "FAIL: load: ${l#FAIL }"; done
nfail=$(grep -c '^FAIL ' <<<"$res")
sr_check_eq "every command once in the right session, nothing misattributed, no loss" 0 "$nfail"
records=$(awk '/^RECORDS/ { print $2 }' <<<"$res")
lost=$(awk '/^RECORDS/ { print $4 }' <<<"$res")
drive_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
all_s=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')
sps=$(awk -v n="$N" -v t="$drive_s" 'BEGIN { printf "%.1f", n / t }')
eps=$(awk -v n="${records:-0}" -v t="$all_s" 'BEGIN { printf "%.0f", n / t }')
summary="load: $N sessions x $M commands: driven in ${drive_s}s, all recorded and ended in ${all_s}s; $sps sessions/s, ${records:-0} records, $eps events/s; daemon peak RSS $((hwm / 1024)) MiB (VmHWM $hwm kB), daemon CPU ${cpu_s}s; lost ${lost:-?}"
echo "$summary"
if [ -n "${SR_LOAD_RESULTS:-}" ]; then
	printf '| %s | %s x %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%Y-%m-%d)" "$N" "$M" \
		"$drive_s" "$all_s" "$sps" "${records:-0}" "$eps" "$((hwm / 1024))" "$cpu_s" "${lost:-?}" >>"$SR_LOAD_RESULTS"
fi
sc_check_jsonl_valid "all"
sr_finish
