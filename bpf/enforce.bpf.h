/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file enforce.bpf.h
 * @brief The policy maps of bpf/policy.h, filled by sshrecd
 * (recorder/policy/policy_kern.c) and pinned with the state maps, so a session's
 * rules hold while the daemon restarts.
 *
 * Included by bpf/lib/maps.bpf.h into every bpf/hooks/ object; the maps and
 * the knob are __weak, so the linked object has one of each. The checks and
 * the verdict are in bpf/emit/denied.bpf.h.
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

/*
 * How verdicts are applied (loader knob): SR_POLICY_MECH_LSM when the
 * policy's BPF LSM programs are loaded (hooks refuse the call), else
 * SR_POLICY_MECH_SIGNAL (the recording programs check and send SIGKILL).
 */
const volatile __u8 sr_policy_mech __weak = SR_POLICY_MECH_SIGNAL;

/*
 * Per-CPU scratch of the policy: a lookup key and the record being built.
 * The record's lengths are masked for the verifier (bpf/emit/denied.bpf.h),
 * so the buffer holds the largest masked path and rule, and every size
 * under 0x4000 (the ring buffer output's mask).
 */
#define SR_DENIED_PATH_MASK (2 * SR_PATH_CAP - 1)
#define SR_DENIED_RULE_MASK 0x3ff
#define SR_DENIED_EV_MAX    0x4000
_Static_assert(sizeof(struct sr_denied_event) + SR_DENIED_PATH_MASK + SR_DENIED_RULE_MASK <=
                   SR_DENIED_EV_MAX,
               "the masked lengths fit the scratch record");
_Static_assert(SR_POLICY_RULE_LEN <= SR_DENIED_RULE_MASK, "a rule fits its mask");
struct sr_policy_scratch {
	union {
		struct sr_policy_path_key path;
		struct sr_policy_net_key net;
	} key;
	__u8 ev[SR_DENIED_EV_MAX] __attribute__((aligned(8)));
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sr_policy_scratch);
} policy_scratch SEC(".maps") __weak;

#endif /* SSHREC_ENFORCE_BPF_H */
