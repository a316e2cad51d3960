#!/usr/bin/env bash
# Exactly once across a kill that lands after a batch was stored but before
# the daemon told the kernel it had consumed it. The daemon is killed, the
# pinned ring buffer's consumer position is rewound to where it was before
# the batch (tests/e2e/ringpos.py: the state such a kill leaves), and the
# restarted daemon must skip what SQLite already holds, by the ring position
# stored in the same transaction: every command once in SQLite and in JSON
# lines, ei gapless.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
sr_start_daemon
sr_start_sshd
RING=$SR_PIN/v$(sed -n 's/^#define SR_EVENTS_ABI_VERSION \([0-9]*\).*/\1/p' \
	"$SR_TOP_SRCDIR/bpf/events.h")/events
[ -e "$RING" ] || sr_die "no pinned ring buffer at $RING"
ringpos() { "$SR_PY" "$SR_TOP_SRCDIR/tests/e2e/ringpos.py" "$RING" "$@"; }

sr_ssh "while [ ! -e $SR_T/go ]; do sleep 0.05; done; /bin/echo once-m1 >/dev/null;
	/bin/true once-m2; /bin/sh -c : once-m3;
	while [ ! -e $SR_T/go2 ]; do sleep 0.05; done; /bin/echo once-m4 >/dev/null" \
	>"$SR_T/ssh.out" 2>&1 &
ssh_pid=$!
sid=$(sr_wait_sid root) || exit 99
key=$(sr_sql "SELECT id FROM sessions WHERE sid='$sid'")
before=$(ringpos get)
touch "$SR_T/go"
m3() { [ "$(sr_sql_commands_with "$key" once-m3)" = 1 ]; }
for _ in $(seq 1 100); do m3 && break; sleep 0.1; done
sr_check "m1..m3 stored before the kill" m3
sleep 0.5 # the timer's drain commits the ring position after the flush
sr_stop_daemon KILL
after=$(ringpos get)
sr_check "the daemon had consumed the batch ($before -> $after)" [ "$after" -gt "$before" ]
ringpos set "$before"
sr_check_eq "consumer position rewound" "$before" "$(ringpos get)"

sr_start_daemon
sr_wait_log "already stored"
sr_check "the restarted daemon skipped the stored records ($(grep -o 'skipped [0-9]* queued records' "$SR_T/sshrecd.log" | tail -n 1))" \
	grep -q "skipped [0-9]* queued records the previous sshrecd had already stored" "$SR_T/sshrecd.log"
touch "$SR_T/go2"
wait "$ssh_pid"
sr_check "session ended after the restart" sr_wait_ended "$sid" 20

sr_check_commands_once "$sid" once-m1 once-m2 once-m3 once-m4
sr_check_eq "the stored ring position names this ring buffer" yes \
	"$(sr_sql "SELECT CASE WHEN value LIKE '%:%' THEN 'yes' ELSE value END FROM meta WHERE key='ring_position'")"
sr_finish
