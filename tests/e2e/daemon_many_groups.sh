#!/usr/bin/env bash
# A group override applies to a login in more groups than any fixed list
# holds: a user in 70 groups, with disk off globally and on for the 70th,
# has its opens recorded (getgrouplist into a 64-entry array dropped it).
. "$SR_TOP_SRCDIR/tests/e2e/lib.sh"
sr_init
U=srgrp$$
G=()
for i in $(seq 1 70); do
	g=srg$$-$i
	groupadd "$g" || sr_die "groupadd $g failed"
	SR_CLEANUP_HOOKS+=("groupdel $g 2>/dev/null")
	G+=("$g")
done
useradd -M -N -d / -s /bin/bash -G "$(IFS=,; echo "${G[*]}")" "$U" || sr_die "useradd $U failed"
SR_CLEANUP_HOOKS=("userdel -f $U 2>/dev/null" "${SR_CLEANUP_HOOKS[@]}")
sr_check_eq "the user is in 71 groups (70 and its primary)" 71 "$(id -G "$U" | wc -w)"
printf 'disk = off\ndisk.group.%s = all\n' "${G[69]}" >"$SR_CONF"
sr_start_daemon
SR_USERS=$U sr_start_sshd

sr_ssh -u "$U" '/bin/cat /etc/hostname >/dev/null'
sid=$(sr_wait_sid "$U") || exit 99
sr_check "the session ends" sr_wait_ended "$sid" 20
n=$(jq -r --arg sid "$sid" 'select(.sid == $sid and .event == "session.disk") | .path' "$SR_JSONL" |
	grep -cx /etc/hostname)
sr_check "the 70th group's override records the open" [ "$n" -ge 1 ]
sr_check "no warning about unreadable groups" bash -c "! grep -q 'groups could not be read' '$SR_T/sshrecd.log'"
sr_finish
