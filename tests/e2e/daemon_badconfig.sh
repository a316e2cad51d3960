#!/usr/bin/env bash
# sshrecd refuses a bad configuration with FILE:LINE: reason and a non-zero exit,
# and a good one passes --check-config.
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init

run() { "$SR_SSHRECD" "$@" >"$SR_T/out" 2>&1; echo $?; }

printf 'socket = /tmp/x.sock\n# fine so far\nfrobnicate = yes\n' >"$SR_CONF"
rc=$(run -f -c "$SR_CONF" --check-config)
sr_check "unknown key: non-zero exit (got $rc)" test "$rc" != 0
sr_check "unknown key: FILE:LINE: reason" grep -qF "$SR_CONF:3: unknown key 'frobnicate'" "$SR_T/out"

printf 'disk = sometimes\n' >"$SR_CONF"
rc=$(run -f -c "$SR_CONF" --check-config)
sr_check "bad value: non-zero exit" test "$rc" != 0
sr_check "bad value: FILE:LINE: reason" grep -qF "$SR_CONF:1: disk: expected all, writes-only or off" "$SR_T/out"

printf 'ringbuf_size = 3M\n' >"$SR_CONF"
rc=$(run -f -c "$SR_CONF" --socket "$SR_SOCK")
sr_check "bad ringbuf_size stops the daemon before it serves" test "$rc" != 0 -a ! -e "$SR_SOCK"
sr_check "bad ringbuf_size: FILE:LINE" grep -qF "$SR_CONF:1: ringbuf_size" "$SR_T/out"

rc=$(run -f -c "$SR_T/missing.conf" --check-config)
sr_check "explicit missing config file is an error" test "$rc" != 0
sr_check "missing file named" grep -qF "$SR_T/missing.conf" "$SR_T/out"

printf 'disk = writes-only\nnetwork.user.backup = off\n' >"$SR_CONF"
rc=$(run -c "$SR_CONF" --disk bogus --check-config)
sr_check "bad command-line value is an error" test "$rc" != 0
sr_check "bad flag value is explained" grep -qF -- "--disk: disk: expected" "$SR_T/out"

rc=$(run -c "$SR_CONF" --check-config)
sr_check_eq "good config passes --check-config" 0 "$rc"
sr_finish
