/* SPDX-License-Identifier: BSD-2-Clause */
/* The session policy: deny_* rules and enforce = of sshrecd.conf(5). */
#include "recorder/policy/policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strsafe.h"

static const char *const action_names[SR_POLICY_ACTION_MAX] = {
    [SR_POLICY_EXEC] = "exec",
    [SR_POLICY_CONNECT] = "connect",
    [SR_POLICY_WRITE] = "write",
};

const char *sr_policy_action_name(enum sr_policy_action a)
{
	return (unsigned)a < SR_POLICY_ACTION_MAX ? action_names[a] : "?";
}

const char *sr_policy_mode_name(enum sr_policy_mode m)
{
	return m == SR_POLICY_ENFORCE ? "on" : m == SR_POLICY_AUDIT ? "audit" : "off";
}

void sr_policy_init(struct sr_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = SR_POLICY_ENFORCE;
}

static void rule_free(struct sr_policy_rule_def *r)
{
	free(r->name);
	free(r->pattern);
	free(r->path);
}

void sr_policy_free(struct sr_policy *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	sr_policy_init(p);
}

void sr_policy_move(struct sr_policy *dst, struct sr_policy *src)
{
	sr_policy_free(dst);
	*dst = *src;
	sr_policy_init(src);
}

/* "deny_exec[.user.NAME|.group.NAME]": the action, scope and name (into @p name). */
static int parse_key(const char *key, enum sr_policy_action *a, enum sr_policy_scope *scope,
                     const char **name)
{
	size_t i, n;

	if (strncmp(key, "deny_", 5))
		return -ENOENT;
	for (i = 0; i < SR_POLICY_ACTION_MAX; i++) {
		n = strlen(action_names[i]);
		if (!strncmp(key + 5, action_names[i], n) && (!key[5 + n] || key[5 + n] == '.'))
			break;
	}
	if (i == SR_POLICY_ACTION_MAX)
		return -ENOENT;
	*a = (enum sr_policy_action)i;
	key += 5 + n;
	*name = NULL;
	*scope = SR_SCOPE_ALL;
	if (!*key)
		return 0;
	if (!strncmp(key, ".user.", 6)) {
		*scope = SR_SCOPE_USER;
		*name = key + 6;
	} else if (!strncmp(key, ".group.", 7)) {
		*scope = SR_SCOPE_GROUP;
		*name = key + 7;
	} else {
		return -EINVAL;
	}
	return 0;
}

bool sr_policy_is_key(const char *key)
{
	enum sr_policy_action a;
	enum sr_policy_scope s;
	const char *name;

	return !strcmp(key, "enforce") || parse_key(key, &a, &s, &name) != -ENOENT;
}

/* User and group names as NSS gives them: no blanks, commas or control characters. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > SR_POLICY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-@$", s[i]))
			return false;
	return true;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return -EINVAL;                                                                    \
	} while (0)

int sr_policy_parse_path(const char *s, struct sr_policy_rule_def *r, char *err, size_t errlen)
{
	size_t len = strlen(s), i, keep;
	const char *c;

	if (s[0] != '/')
		FAIL("'%s': expected an absolute path (rules match the resolved absolute path)", s);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			FAIL("'%s': control character in a path", s);
	r->prefix = len >= 2 && !strcmp(s + len - 2, "/*");
	keep = r->prefix ? len - 1 : len; /* a prefix keeps its slash, not the star */
	if (strchr(s, '*') != (r->prefix ? s + len - 1 : NULL))
		FAIL("'%s': '*' is only allowed as a final '/*' (everything below a directory)", s);
	if (!r->prefix && len > 1 && s[len - 1] == '/')
		FAIL("'%s': a path does not end in '/' (write %.*s/* for everything below it)", s,
		     (int)(len - 1), s);
	if (keep > SR_POLICY_PATH_MAX)
		FAIL("'%.40s...': longer than %d bytes", s, SR_POLICY_PATH_MAX);
	/* every component: not empty, ".", or ".." (the kernel sees the resolved path) */
	for (c = s; c < s + keep && *c == '/';) {
		const char *e = c + 1;
		size_t n;

		while (e < s + keep && *e != '/')
			e++;
		n = (size_t)(e - c - 1);
		if (e == s + keep && !n && keep == 1)
			break; /* the root alone, or everything */
		if (e == s + keep && !n && r->prefix)
			break; /* the prefix's own trailing '/' */
		if (!n || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			FAIL("'%s': not a normalized path (empty, '.' or '..' component)", s);
		c = e;
	}
	r->path = strndup(s, keep);
	return r->path ? 0 : -ENOMEM;
}

/* Digits only, at most @p max; -1 when not. */
static long parse_num(const char *s, size_t n, long max)
{
	long v = 0;
	size_t i;

	if (!n || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* ::ffff:a.b.c.d/96+n is the IPv4 a.b.c.d/n: the kernel checks mapped addresses as IPv4. */
static void unmap_v4(struct sr_policy_rule_def *r)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (r->family != 6 || r->plen < 96 || memcmp(r->addr, mapped, 12))
		return;
	memmove(r->addr, r->addr + 12, 4);
	memset(r->addr + 4, 0, 12);
	r->family = 4;
	r->plen -= 96;
}

int sr_policy_parse_addr(const char *s, struct sr_policy_rule_def *r, char *err, size_t errlen)
{
	char host[64];
	const char *h, *rest, *slash, *colon = NULL;
	size_t hl, i;
	long plen = -1, port = 0;
	int bits;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			FAIL("'%s': missing ']' after the IPv6 address", s);
		h = s + 1;
		hl = (size_t)(rb - h);
		rest = rb + 1;
		r->family = 6;
	} else {
		size_t ncolon = 0;

		for (i = 0; s[i]; i++)
			ncolon += s[i] == ':';
		h = s;
		r->family = ncolon >= 2 ? 6 : 4; /* a bare IPv6 address has no port */
		hl = strcspn(s, r->family == 6 ? "/" : "/:");
		rest = s + hl;
	}
	if (!hl || hl >= sizeof(host))
		FAIL("'%s': expected ADDR[/LEN][:PORT], [IPV6][/LEN][:PORT] or IPV6[/LEN]", s);
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(r->family == 6 ? AF_INET6 : AF_INET, host, r->addr) != 1)
		FAIL("'%s': '%s' is not an IPv%d address", s, host, r->family);
	bits = r->family == 6 ? 128 : 32;
	slash = *rest == '/' ? rest : NULL;
	if (slash) {
		size_t n = strcspn(slash + 1, ":");

		plen = parse_num(slash + 1, n, bits);
		if (plen < 0)
			FAIL("'%s': the prefix length must be 0 to %d", s, bits);
		rest = slash + 1 + n;
	}
	if (*rest == ':')
		colon = rest;
	else if (*rest)
		FAIL("'%s': unexpected '%s' (expected /LEN or :PORT)", s, rest);
	if (colon && r->family == 6 && s[0] != '[')
		FAIL("'%s': write an IPv6 address with a port in brackets: [ADDR]:PORT", s);
	if (colon) {
		port = parse_num(colon + 1, strlen(colon + 1), 65535);
		if (port < 1)
			FAIL("'%s': the port must be 1 to 65535", s);
	}
	r->plen = (uint8_t)(plen < 0 ? bits : plen);
	r->port = (uint16_t)port;
	for (i = 0; i < (size_t)bits / 8; i++) {
		int keep = (int)r->plen - (int)i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		if (r->addr[i] & ~mask)
			FAIL("'%s': host bits are set beyond /%u", s, r->plen);
	}
	unmap_v4(r);
	return 0;
}

/* One entry of a deny_* list into @p r (owned strings on success). */
static int parse_entry(const char *entry, enum sr_policy_action a, struct sr_policy_rule_def *r,
                       char *err, size_t errlen)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->action = a;
	ret = a == SR_POLICY_CONNECT ? sr_policy_parse_addr(entry, r, err, errlen)
	                             : sr_policy_parse_path(entry, r, err, errlen);
	if (ret)
		return ret;
	r->pattern = strdup(entry);
	return r->pattern ? 0 : -ENOMEM;
}

int sr_policy_set(struct sr_policy *p, const char *key, const char *value, char *err, size_t errlen)
{
	struct sr_policy_rule_def *nr;
	enum sr_policy_action a;
	enum sr_policy_scope scope;
	const char *name;
	char *copy, *tok, *save = NULL;
	size_t added = 0, i;
	int ret = 0;

	if (!strcmp(key, "enforce")) {
		if (!strcmp(value, "on"))
			p->mode = SR_POLICY_ENFORCE;
		else if (!strcmp(value, "audit"))
			p->mode = SR_POLICY_AUDIT;
		else if (!strcmp(value, "off"))
			p->mode = SR_POLICY_OFF;
		else
			FAIL("enforce: expected on, audit or off, not '%s'", value);
		return 0;
	}
	ret = parse_key(key, &a, &scope, &name);
	if (ret == -ENOENT)
		FAIL("unknown key '%s'", key);
	if (ret || (name && !valid_name(name)))
		FAIL("'%s': expected deny_%s, deny_%s.user.NAME or deny_%s.group.NAME (a user "
		     "or group name of letters, digits and ._-@$, at most %d)",
		     key, action_names[a], action_names[a], action_names[a], SR_POLICY_NAME_MAX);
	if (!*value)
		FAIL("%s: expected a comma-separated list of %s", key,
		     a == SR_POLICY_CONNECT ? "addresses" : "paths");
	copy = strdup(value);
	nr = realloc(p->rules, (p->n + strlen(value) / 2 + 1) * sizeof(*nr));
	if (!copy || !nr) {
		free(copy);
		if (nr)
			p->rules = nr;
		return -ENOMEM;
	}
	p->rules = nr;
	/* strsep, not strtok: an empty entry ("a,,b") is an error, not skipped */
	for (save = copy; (tok = strsep(&save, ",")) != NULL;) {
		struct sr_policy_rule_def *r = &p->rules[p->n + added];
		char *e = sr_trim(tok);

		if (!*e) {
			snprintf(err, errlen, "%s: empty entry in the list", key);
			ret = -EINVAL;
			break;
		}
		if (p->n + added >= SR_POLICY_MAX_RULES) {
			snprintf(err, errlen, "%s: more than %d rules in all", key,
			         SR_POLICY_MAX_RULES);
			ret = -EINVAL;
			break;
		}
		ret = parse_entry(e, a, r, err, errlen);
		if (!ret && name && !(r->name = strdup(name)))
			ret = -ENOMEM;
		if (ret) {
			rule_free(r);
			if (ret == -EINVAL) {
				char why[400];

				snprintf(why, sizeof(why), "%s", err);
				snprintf(err, errlen, "%s: %s", key, why);
			}
			break;
		}
		r->scope = scope;
		added++;
	}
	free(copy);
	if (ret) {
		for (i = 0; i < added; i++)
			rule_free(&p->rules[p->n + i]);
		return ret;
	}
	p->n += added;
	return 0;
}

char *sr_policy_rule_text(const struct sr_policy_rule_def *r, char *buf, size_t cap)
{
	snprintf(buf, cap, "deny_%s%s%s = %s", sr_policy_action_name(r->action),
	         r->scope == SR_SCOPE_USER    ? ".user."
	         : r->scope == SR_SCOPE_GROUP ? ".group."
	                                      : "",
	         r->name ? r->name : "", r->pattern ? r->pattern : "");
	return buf;
}

size_t sr_policy_for_login(const struct sr_policy *p, const char *login, const char *const *groups,
                           size_t ngroups, size_t *idx)
{
	size_t i, g, n = 0;

	for (i = 0; i < p->n; i++) {
		const struct sr_policy_rule_def *r = &p->rules[i];
		bool hit = r->scope == SR_SCOPE_ALL;

		if (r->scope == SR_SCOPE_USER)
			hit = login && !strcmp(r->name, login);
		for (g = 0; r->scope == SR_SCOPE_GROUP && !hit && g < ngroups; g++)
			hit = groups[g] && !strcmp(r->name, groups[g]);
		if (hit)
			idx[n++] = i;
	}
	return n;
}

bool sr_policy_has_scoped(const struct sr_policy *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->rules[i].scope != SR_SCOPE_ALL)
			return true;
	return false;
}
