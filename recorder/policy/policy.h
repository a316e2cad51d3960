/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file policy.h
 * @brief The session policy of sshrecd.conf(5): deny_exec, deny_connect and
 * deny_write rules, global or per user or group, and the enforce mode.
 *
 * Parsing is strict (a bad entry is an error naming the entry), the parsed
 * form is what the kernel compiler (policy_kern.h) turns into map entries,
 * and sr_policy_for_login() says which rules apply to a login: the global
 * ones plus those of the login and of each of its groups (they add up,
 * nothing overrides).
 */
#ifndef SSHREC_POLICY_H
#define SSHREC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/policy.h"

/** Longest user or group name in a rule key (deny_exec.user.NAME). */
#define SR_POLICY_NAME_MAX 64
/** Most rules of one policy. */
#define SR_POLICY_MAX_RULES 4096

/** Who a rule applies to. */
enum sr_policy_scope {
	SR_SCOPE_ALL = 0, /**< deny_exec = ... */
	SR_SCOPE_USER,    /**< deny_exec.user.NAME = ... */
	SR_SCOPE_GROUP,   /**< deny_exec.group.NAME = ... */
};

/** One rule: one entry of a deny_* list. */
struct sr_policy_rule_def {
	enum sr_policy_action action;
	enum sr_policy_scope scope;
	char *name;    /**< user or group; NULL for SR_SCOPE_ALL */
	char *pattern; /**< the entry as written ("/etc/sudoers", "10.0.0.0/8:22") */
	/* exec and write */
	char *path;  /**< exact path, or the prefix with its trailing '/' */
	bool prefix; /**< the entry ended in a slash and star: everything below path */
	/* connect */
	uint8_t family;   /**< 4 or 6 */
	uint8_t addr[16]; /**< network order, host bits zero */
	uint8_t plen;     /**< prefix length in bits */
	uint16_t port;    /**< 0: any port */
};

/** A parsed policy. */
struct sr_policy {
	enum sr_policy_mode mode; /**< enforce = (default on) */
	struct sr_policy_rule_def *rules;
	size_t n;
};

/** Initialize an empty policy (mode on, no rules). */
void sr_policy_init(struct sr_policy *p);

/** Free the rules of @p p and leave it empty. */
void sr_policy_free(struct sr_policy *p);

/** True when @p key is a policy key: enforce, deny_exec, deny_connect, deny_write (+
 * .user./.group.). */
bool sr_policy_is_key(const char *key);

/**
 * Apply one config line: "enforce" sets the mode, a deny_* key adds each
 * comma-separated entry of @p value as a rule (lines add up). On error
 * nothing is added and @p err names the bad entry and why.
 * @return 0, -EINVAL or -ENOMEM.
 */
int sr_policy_set(struct sr_policy *p, const char *key, const char *value, char *err,
                  size_t errlen);

/**
 * Parse one path entry: absolute, normalized (no "//", "." or ".."
 * components, no trailing '/'), at most SR_POLICY_PATH_MAX bytes, and "*"
 * only as a final component after a slash. Fills path/prefix of @p r.
 * @return 0, -EINVAL (reason in @p err) or -ENOMEM.
 */
int sr_policy_parse_path(const char *s, struct sr_policy_rule_def *r, char *err, size_t errlen);

/**
 * Parse one address entry: ADDR[/LEN][:PORT] for IPv4, [ADDR][/LEN][:PORT]
 * for IPv6 (or bare ADDR[/LEN] without a port). Host bits beyond the prefix
 * must be zero. Fills family/addr/plen/port of @p r.
 * @return 0 or -EINVAL (reason in @p err).
 */
int sr_policy_parse_addr(const char *s, struct sr_policy_rule_def *r, char *err, size_t errlen);

/**
 * The rule as it reads in the config: "deny_exec.group.staff = /usr/bin/nc".
 * Truncated to fit @p cap. @return @p buf.
 */
char *sr_policy_rule_text(const struct sr_policy_rule_def *r, char *buf, size_t cap);

/** The config key word of an action: "exec", "connect", "write". */
const char *sr_policy_action_name(enum sr_policy_action a);

/** "off", "audit" or "on". */
const char *sr_policy_mode_name(enum sr_policy_mode m);

/**
 * Indices (into p->rules, ascending) of the rules that apply to @p login
 * with groups @p groups: global, the login's, and each group's. @p idx must
 * hold p->n entries. @return how many.
 */
size_t sr_policy_for_login(const struct sr_policy *p, const char *login, const char *const *groups,
                           size_t ngroups, size_t *idx);

/** True when any rule names a user or group (logins then need their groups). */
bool sr_policy_has_scoped(const struct sr_policy *p);

/** Move @p src into @p dst (freeing what @p dst held); @p src becomes empty. */
void sr_policy_move(struct sr_policy *dst, struct sr_policy *src);

#endif
