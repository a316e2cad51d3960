/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file enforce.bpf.h
 * @brief The policy maps of bpf/policy.h, filled by sshrecd
 * (recorder/policy_kern.c) and pinned with the state maps, so a session's
 * rules hold while the daemon restarts.
 *
 * Included by bpf/lib/maps.bpf.h into every bpf/hooks/ object; the maps are
 * __weak, so the linked object has one of each.
 */
#ifndef SSHREC_ENFORCE_BPF_H
#define SSHREC_ENFORCE_BPF_H

#include "policy.h"

/* session_key -> its rule set and mode; no entry: nothing to check */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_policy_sess);
} policy_sess SEC(".maps") __weak;

/* deny_exec rules: (rule set, path prefix) -> the rule */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SR_POLICY_MAP_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sr_policy_path_key);
	__type(value, struct sr_policy_rule);
} policy_exec SEC(".maps") __weak;

/* deny_write rules */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SR_POLICY_MAP_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sr_policy_path_key);
	__type(value, struct sr_policy_rule);
} policy_write SEC(".maps") __weak;

/* deny_connect rules: (rule set, port, family, address prefix) -> the rule */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SR_POLICY_MAP_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sr_policy_net_key);
	__type(value, struct sr_policy_rule);
} policy_net SEC(".maps") __weak;

/* verdict counters (enum sr_policy_stat), summed over CPUs by the daemon */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sr_policy_stats);
} policy_stats SEC(".maps") __weak;

#endif /* SSHREC_ENFORCE_BPF_H */
