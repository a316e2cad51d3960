/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file policy_kern.h
 * @brief The policy in the kernel: rule sets in the LPM tries of
 * bpf/policy.h and each session's pointer to its rule set.
 *
 * A rule set is the compiled form of one list of applicable rules (the
 * global ones plus a login's user and group rules) of one policy
 * generation; sessions with the same list share it (reference counted).
 *
 * Updates are atomic per session: a reload builds every new rule set in
 * full under fresh ids before any session is switched, each session's
 * policy_sess entry then changes in one map update from the old id to the
 * new, and old rule sets are deleted only after an RCU grace period, when
 * no program can still be looking at them (membarrier(2)
 * MEMBARRIER_CMD_GLOBAL waits for one). A session thus sees the old policy
 * or the new one, never a mix or none.
 *
 * Error convention (log.h): 0 or -errno, and the caller logs.
 */
#ifndef SSHREC_POLICY_KERN_H
#define SSHREC_POLICY_KERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recorder/policy/policy.h"

/** The maps, by fd (owned by the capture). */
struct sr_policy_maps {
	int sess_fd;                       /**< policy_sess: session_key -> sr_policy_sess */
	int rule_fd[SR_POLICY_ACTION_MAX]; /**< policy_exec, policy_net, policy_write by action */
};

/** A map key of either rule map. */
union sr_policy_key {
	struct sr_policy_path_key path;
	struct sr_policy_net_key net;
};

/** One entry of a rule map. */
struct sr_policy_entry {
	enum sr_policy_action action; /**< which map */
	union sr_policy_key key;
};

/** One rule set in the kernel. */
struct sr_policy_set {
	uint32_t id;
	uint32_t gen; /**< the policy generation whose rules it holds */
	size_t *idx;  /**< rule indices into that policy, ascending */
	size_t n;
	struct sr_policy_entry *ent; /**< its n map entries: removed without its policy */
	uint8_t actions;             /**< SR_POLICY_ACTION_BIT of actions with rules */
	unsigned refs;
	struct sr_policy_set *next;
};

/** The kernel side of the policy. */
struct sr_policy_kern {
	struct sr_policy_maps maps;
	struct sr_policy_set *sets;
	uint32_t next_id;            /**< next rule-set id (never 0) */
	uint32_t gen;                /**< generation of the current policy */
	const struct sr_policy *pol; /**< the current policy (owned by the caller) */
};

/**
 * Set up @p k over @p maps for policy @p pol. Rule sets left in the maps by
 * a previous daemon keep working until sr_policy_kern_sweep(); new ids
 * start above theirs.
 * @return 0 or -errno.
 */
int sr_policy_kern_init(struct sr_policy_kern *k, const struct sr_policy_maps *maps,
                        const struct sr_policy *pol);

/** Free the bookkeeping (the maps keep their entries: they are pinned). */
void sr_policy_kern_free(struct sr_policy_kern *k);

/**
 * The rule set of rules @p idx[0..@p n) of the current policy, created (its
 * entries written) when no set of this generation has the same rules.
 * Takes a reference. @p *out is NULL when @p n is 0.
 * @return 0, -ENOSPC (the rule maps are full) or -errno.
 */
int sr_policy_kern_get(struct sr_policy_kern *k, const size_t *idx, size_t n,
                       struct sr_policy_set **out);

/** Drop a reference taken by sr_policy_kern_get() (NULL is fine). */
void sr_policy_kern_put(struct sr_policy_kern *k, struct sr_policy_set *set);

/**
 * Point session @p key at @p set with @p mode in one map update; with no
 * set or mode off, remove the session's entry (nothing is checked).
 */
int sr_policy_kern_bind(struct sr_policy_kern *k, uint64_t key, const struct sr_policy_set *set,
                        enum sr_policy_mode mode);

/** Remove session @p key's entry (its session ended). */
void sr_policy_kern_unbind(struct sr_policy_kern *k, uint64_t key);

/**
 * Make @p pol the current policy (a new generation): sets got afterwards
 * hold its rules. Sets of older generations stay until unreferenced.
 */
void sr_policy_kern_set_policy(struct sr_policy_kern *k, const struct sr_policy *pol);

/**
 * Delete the entries of unreferenced rule sets, after a grace period when
 * @p grace (a session pointed at them, so a program may still be reading).
 */
void sr_policy_kern_gc(struct sr_policy_kern *k, bool grace);

/**
 * Remove what a previous daemon left in the pinned maps and no session of
 * ours uses (call once, after restore): session entries for which
 * @p live(ctx, key) is false, then, after a grace period, rule entries of
 * rule sets that are not ours. @return 0 or the first -errno.
 */
int sr_policy_kern_sweep(struct sr_policy_kern *k, bool (*live)(void *ctx, uint64_t key),
                         void *ctx);

/** Total entries written in the rule maps by the live sets, per action. */
void sr_policy_kern_entries(const struct sr_policy_kern *k, uint64_t out[SR_POLICY_ACTION_MAX]);

/* ---- the compiled form (pure; also used by the tests) --------------- */

/** The map key of path rule @p r in rule set @p ruleset. */
void sr_policy_key_path(const struct sr_policy_rule_def *r, uint32_t ruleset,
                        struct sr_policy_path_key *key);

/** The map key of address rule @p r in rule set @p ruleset. */
void sr_policy_key_net(const struct sr_policy_rule_def *r, uint32_t ruleset,
                       struct sr_policy_net_key *key);

/** The map value of rule @p r: its text as in the config. */
void sr_policy_value(const struct sr_policy_rule_def *r, struct sr_policy_rule *val);

#endif
