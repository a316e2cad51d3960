/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file policy.h
 * @brief The deny-rule ABI: the rule maps sshrecd fills and the kernel
 * checks, and the record the kernel emits when a rule matched.
 *
 * The daemon compiles sshrecd.conf's deny_exec / deny_connect / deny_write
 * rules (recorder/policy/policy.c) into three LPM tries, one per action. A key
 * starts with a rule-set id: every session points at one rule set (the
 * global rules plus those of its login's user and groups, resolved by the
 * daemon when the session opens), so the kernel never sees user or group
 * names. Sessions with the same applicable rules share a rule set.
 *
 * - Paths: the key is the rule set then the path bytes. An exact rule is
 *   stored with its terminating NUL, a prefix rule (/etc/ssh/ and a final star) as
 *   "/etc/ssh/" without one; a lookup of the resolved absolute path plus
 *   its NUL finds the longest stored prefix, so "/etc/ssh/x" matches the
 *   prefix rule and "/etc/sudoers" only the exact one.
 * - Addresses: the key is the rule set, the port (0: any port), the family,
 *   then the address bits; a CIDR is a prefix. A lookup tries the real port
 *   first, then port 0. IPv4-mapped IPv6 destinations (::ffff:a.b.c.d) are
 *   looked up as IPv4.
 *
 * The matched value carries the rule as written ("deny_exec.group.staff =
 * /usr/bin/nc"), which the kernel copies into the record, so a record names
 * its rule even after a reload or a daemon restart.
 *
 * Compiled both by clang -target bpf and by the host compiler, like events.h.
 * Bump SR_POLICY_ABI_VERSION on any change here.
 */
#ifndef SSHREC_BPF_POLICY_H
#define SSHREC_BPF_POLICY_H

#include "events.h"

#define SR_POLICY_ABI_VERSION 1

/** Bytes of path in a path key (with the 4-byte rule set: the LPM maximum of 256). */
#define SR_POLICY_PATH_LEN 252
/** Longest rule path: an exact rule needs room for its NUL. */
#define SR_POLICY_PATH_MAX (SR_POLICY_PATH_LEN - 1)
/** Bytes of rule text carried by a map value and a record (with its NUL). */
#define SR_POLICY_RULE_LEN 384
/** Entries per rule map (rules times the rule sets in use). */
#define SR_POLICY_MAP_ENTRIES 16384

/** What a rule denies. */
enum sr_policy_action {
	SR_POLICY_EXEC = 0,    /* deny_exec: executing a file */
	SR_POLICY_CONNECT = 1, /* deny_connect: connect(2) of an IPv4/IPv6 socket */
	SR_POLICY_WRITE = 2,   /* deny_write: opening a file for writing (or creating it) */
	SR_POLICY_ACTION_MAX = 3,
};

#define SR_POLICY_ACTION_BIT(a) (1u << (a))

/** sshrecd.conf's enforce = off | audit | on, per session in the kernel. */
enum sr_policy_mode {
	SR_POLICY_OFF = 0,     /* no check at all */
	SR_POLICY_AUDIT = 1,   /* record what would be denied, deny nothing */
	SR_POLICY_ENFORCE = 2, /* deny and record */
};

/** How a verdict is applied. */
enum sr_policy_mech {
	SR_POLICY_MECH_LSM = 1,    /* a BPF LSM hook returned -EPERM: nothing happened */
	SR_POLICY_MECH_SIGNAL = 2, /* bpf_send_signal(SIGKILL) from the hook that saw it */
};

/** Value of the policy_sess map (key: session_key). No entry: no rules. */
struct sr_policy_sess {
	__u32 ruleset; /* rule-set id of the keys below, never 0 */
	__u8 mode;     /* enum sr_policy_mode */
	__u8 actions;  /* SR_POLICY_ACTION_BIT mask of actions that have rules */
	__u16 _pad;
};

/** Key of the policy_exec and policy_write LPM tries. */
struct sr_policy_path_key {
	__u32 prefixlen; /* bits: 32 (ruleset) + 8 * bytes of path compared */
	__u32 ruleset;
	char path[SR_POLICY_PATH_LEN];
};

/** Key of the policy_net LPM trie. */
struct sr_policy_net_key {
	__u32 prefixlen; /* bits: 64 (ruleset, port, family, pad) + address bits */
	__u32 ruleset;
	__u16 port;  /* host order; 0: any port */
	__u8 family; /* 4 or 6 */
	__u8 _pad;
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/** Value of every rule map: the rule that matched. */
struct sr_policy_rule {
	__u32 rule_len; /* bytes of rule incl. the NUL */
	__u32 _pad;
	char rule[SR_POLICY_RULE_LEN]; /* "deny_write = /etc/sudoers" */
};

/** Index of the counters in the policy_stats per-CPU array. */
enum sr_policy_stat {
	SR_POLICY_STAT_DENIED = 0,      /* verdicts applied (enforce) */
	SR_POLICY_STAT_AUDITED = 1,     /* matches recorded in audit mode */
	SR_POLICY_STAT_NOT_APPLIED = 2, /* enforce verdicts that could not be applied */
	SR_POLICY_STAT_LOST = 3,        /* session.denied records the ring could not take */
	SR_POLICY_STAT_MAX = 4,
};

/** Value of the policy_stats per-CPU array (one element). */
struct sr_policy_stats {
	__u64 n[SR_POLICY_STAT_MAX];
};

/** Ring-buffer record type of a denied (or audited) action; events.h's types stay below. */
#define SR_EV_DENIED 32

/** sr_denied_event.flags */
#define SR_DENIED_NOT_APPLIED (1u << 0) /* enforce, but the signal could not be sent */
#define SR_DENIED_PATH_TRUNC  (1u << 1) /* the path was too long to be read whole */

/**
 * SR_EV_DENIED: one denied or audited action of a task in a session. The
 * header is the acting task's. Tail: path (path_len bytes incl. NUL; exec
 * and write, else 1 byte ""), then the rule (rule_len bytes incl. NUL).
 */
struct sr_denied_event {
	struct sr_event_hdr hdr;
	__u8 action;      /* enum sr_policy_action */
	__u8 mode;        /* SR_POLICY_ENFORCE or SR_POLICY_AUDIT */
	__u8 mechanism;   /* enum sr_policy_mech (in audit mode: the one enforce would use) */
	__u8 flags;       /* SR_DENIED_* */
	__u16 family;     /* connect: AF_INET (2) or AF_INET6 (10) */
	__u16 dport;      /* connect: host order */
	__u8 daddr[16];   /* connect: network order */
	__u64 open_flags; /* write: the open flags */
	__u32 path_len;
	__u32 rule_len;
	char data[]; /* path, rule */
};

#endif /* SSHREC_BPF_POLICY_H */
