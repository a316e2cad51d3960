// SPDX-License-Identifier: BSD-2-Clause
/*
 * The compiled policy in real kernel maps (root): rule sets written by
 * recorder/policy/policy_kern.c into LPM tries of the bpf/policy.h layout, looked
 * up the way the BPF programs look them up, so the key encoding is proven
 * against the kernel's own longest-prefix match. Also: rule sets shared and
 * freed by reference, a reload that switches sessions from one complete
 * rule set to another, the sweep of what a previous daemon left, and full
 * maps. One "PASS:"/"FAIL:" line per assertion; exit 1 on any failure, 77
 * (loudly) when not root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "recorder/policy/policy_kern.h"

static int failures, passes;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passes++;
	else
		failures++;
}

/* The maps as bpf/enforce.bpf.h declares them, with @p entries per rule map. */
static int make_maps(struct sr_policy_maps *m, unsigned entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, lpm, .map_flags = BPF_F_NO_PREALLOC);

	m->sess_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "policy_sess", sizeof(uint64_t),
	                            sizeof(struct sr_policy_sess), 64, NULL);
	m->rule_fd[SR_POLICY_EXEC] =
	    bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "policy_exec", sizeof(struct sr_policy_path_key),
	                   sizeof(struct sr_policy_rule), entries, &lpm);
	m->rule_fd[SR_POLICY_WRITE] =
	    bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "policy_write", sizeof(struct sr_policy_path_key),
	                   sizeof(struct sr_policy_rule), entries, &lpm);
	m->rule_fd[SR_POLICY_CONNECT] =
	    bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "policy_net", sizeof(struct sr_policy_net_key),
	                   sizeof(struct sr_policy_rule), entries, &lpm);
	return m->sess_fd < 0 || m->rule_fd[0] < 0 || m->rule_fd[1] < 0 || m->rule_fd[2] < 0
	           ? -errno
	           : 0;
}

static void close_maps(struct sr_policy_maps *m)
{
	close(m->sess_fd);
	for (int a = 0; a < SR_POLICY_ACTION_MAX; a++)
		close(m->rule_fd[a]);
}

/* The kernel's lookup of a resolved path: rule set, the path and its NUL. */
static const char *lookup_path(const struct sr_policy_maps *m, enum sr_policy_action a,
                               uint32_t ruleset, const char *path)
{
	static struct sr_policy_rule val;
	struct sr_policy_path_key k;
	size_t n = strlen(path) + 1;

	memset(&k, 0, sizeof(k));
	k.ruleset = ruleset;
	if (n > SR_POLICY_PATH_LEN)
		n = SR_POLICY_PATH_LEN; /* a longer path: its first bytes, no NUL */
	memcpy(k.path, path, n);
	k.prefixlen = (uint32_t)(32 + 8 * n);
	if (bpf_map_lookup_elem(m->rule_fd[a], &k, &val))
		return NULL;
	return val.rule;
}

/* The kernel's lookup of a destination: the real port first, then "any port". */
static const char *lookup_net(const struct sr_policy_maps *m, uint32_t ruleset, const char *addr,
                              uint16_t port)
{
	static struct sr_policy_rule val;
	struct sr_policy_net_key k;

	memset(&k, 0, sizeof(k));
	k.ruleset = ruleset;
	k.family = strchr(addr, ':') ? 6 : 4;
	if (inet_pton(k.family == 6 ? AF_INET6 : AF_INET, addr, k.addr) != 1)
		return "bad test address";
	k.prefixlen = 64 + (k.family == 6 ? 128 : 32);
	k.port = port;
	if (!bpf_map_lookup_elem(m->rule_fd[SR_POLICY_CONNECT], &k, &val))
		return val.rule;
	k.port = 0;
	if (!bpf_map_lookup_elem(m->rule_fd[SR_POLICY_CONNECT], &k, &val))
		return val.rule;
	return NULL;
}

static bool is(const char *got, const char *want)
{
	if (!got || !want)
		return got == want;
	return !strcmp(got, want);
}

static int parse(struct sr_policy *p, const char *lines)
{
	char buf[4096], err[512], *line, *save = NULL;

	sr_policy_init(p);
	snprintf(buf, sizeof(buf), "%s", lines);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *k = line, *v;

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		v = eq + 1;
		while (*v == ' ')
			v++;
		for (char *e = eq - 1; e > k && *e == ' '; e--)
			*e = '\0';
		if (sr_policy_set(p, k, v, err, sizeof(err))) {
			fprintf(stderr, "policy line '%s': %s\n", k, err);
			return -EINVAL;
		}
	}
	return 0;
}

static size_t map_count(int fd, size_t ksize)
{
	char cur[sizeof(struct sr_policy_path_key)], next[sizeof(cur)];
	size_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(cur, next, ksize);
		prev = cur;
		n++;
	}
	return n;
}

static struct sr_policy_set *get_for(struct sr_policy_kern *k, const char *login,
                                     const char *const *groups, size_t ng)
{
	size_t idx[64], n = sr_policy_for_login(k->pol, login, groups, ng, idx);
	struct sr_policy_set *set = NULL;
	int err = sr_policy_kern_get(k, idx, n, &set);

	if (err)
		fprintf(stderr, "sr_policy_kern_get: %s\n", strerror(-err));
	return set;
}

static void test_matching(void)
{
	static const char *const staff[] = {"users", "staff"};
	struct sr_policy_maps m;
	struct sr_policy_kern k;
	struct sr_policy p;
	struct sr_policy_set *plain, *st, *again;
	char longpath[400], exact251[SR_POLICY_PATH_MAX + 1], line[600];

	if (make_maps(&m, 1024)) {
		check(0, "create the policy maps: %s", strerror(errno));
		return;
	}
	memset(exact251, 'e', sizeof(exact251) - 1);
	exact251[0] = '/';
	exact251[sizeof(exact251) - 1] = '\0';
	snprintf(line, sizeof(line),
	         "deny_exec = /usr/bin/nc, /opt/tools/*\n"
	         "deny_exec.group.staff = /usr/bin/curl\n"
	         "deny_write = /etc/*, /etc/ssh/*, /etc/sudoers, %s\n"
	         "deny_connect = 10.0.0.0/8, 192.168.1.10:22, [fd00::]/8, 0.0.0.0/0:25\n"
	         "deny_connect = [2001:db8::1]:443\n",
	         exact251);
	if (parse(&p, line)) {
		check(0, "parse the test policy");
		close_maps(&m);
		return;
	}
	sr_policy_kern_init(&k, &m, &p);
	plain = get_for(&k, "carol", NULL, 0);
	st = get_for(&k, "alice", staff, 2);
	again = get_for(&k, "bob", NULL, 0);
	check(plain && st && plain != st, "two logins with different rules get two rule sets");
	check(again == plain && plain->refs == 2, "the same rules share one rule set (2 refs)");
	if (!plain || !st)
		goto out;

	check(is(lookup_path(&m, SR_POLICY_EXEC, plain->id, "/usr/bin/nc"),
	         "deny_exec = /usr/bin/nc"),
	      "exact path: /usr/bin/nc matches, naming its rule");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/usr/bin/nc.openbsd"),
	      "exact path: /usr/bin/nc.openbsd does not match /usr/bin/nc");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/usr/bin/n"),
	      "exact path: no prefix of it");
	check(is(lookup_path(&m, SR_POLICY_EXEC, plain->id, "/opt/tools/a/b"),
	         "deny_exec = /opt/tools/*"),
	      "prefix: everything below /opt/tools/ matches");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/opt/tools"),
	      "prefix: the directory itself does not");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/opt/toolsx/a"),
	      "prefix: /opt/toolsx/a is not below /opt/tools/");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/usr/bin/curl"),
	      "a group rule is not in the set of a login outside the group");
	check(is(lookup_path(&m, SR_POLICY_EXEC, st->id, "/usr/bin/curl"),
	         "deny_exec.group.staff = /usr/bin/curl"),
	      "the group's rule set has its rule");
	check(is(lookup_path(&m, SR_POLICY_EXEC, st->id, "/usr/bin/nc"), "deny_exec = /usr/bin/nc"),
	      "and the global ones");
	check(is(lookup_path(&m, SR_POLICY_WRITE, plain->id, "/etc/ssh/sshd_config"),
	         "deny_write = /etc/ssh/*"),
	      "the longest prefix names the narrowest rule");
	check(is(lookup_path(&m, SR_POLICY_WRITE, plain->id, "/etc/passwd"), "deny_write = /etc/*"),
	      "a shorter prefix still matches");
	check(!lookup_path(&m, SR_POLICY_EXEC, plain->id, "/etc/passwd"),
	      "write rules are not exec rules");
	memset(longpath, 'x', sizeof(longpath) - 1);
	memcpy(longpath, "/etc/ssh/", 9);
	longpath[sizeof(longpath) - 1] = '\0';
	check(is(lookup_path(&m, SR_POLICY_WRITE, plain->id, longpath), "deny_write = /etc/ssh/*"),
	      "a path longer than the key still matches its prefix rule");
	check(lookup_path(&m, SR_POLICY_WRITE, plain->id, exact251) != NULL,
	      "an exact rule of %d bytes matches", SR_POLICY_PATH_MAX);

	check(is(lookup_net(&m, plain->id, "10.1.2.3", 80), "deny_connect = 10.0.0.0/8"),
	      "CIDR without a port: any port");
	check(is(lookup_net(&m, plain->id, "192.168.1.10", 22), "deny_connect = 192.168.1.10:22"),
	      "host and port: that port");
	check(!lookup_net(&m, plain->id, "192.168.1.10", 23), "host and port: not another port");
	check(!lookup_net(&m, plain->id, "192.168.1.11", 22), "host and port: not another host");
	check(is(lookup_net(&m, plain->id, "203.0.113.9", 25), "deny_connect = 0.0.0.0/0:25"),
	      "0.0.0.0/0:25: port 25 anywhere");
	check(!lookup_net(&m, plain->id, "203.0.113.9", 26), "0.0.0.0/0:25: not port 26");
	check(is(lookup_net(&m, plain->id, "fd12:3456::1", 22), "deny_connect = [fd00::]/8"),
	      "IPv6 prefix");
	check(!lookup_net(&m, plain->id, "fe80::1", 22), "IPv6 outside the prefix");
	check(is(lookup_net(&m, plain->id, "2001:db8::1", 443), "deny_connect = [2001:db8::1]:443"),
	      "IPv6 host and port");
	check(!lookup_net(&m, plain->id, "2001:db8::1", 80),
	      "IPv6 host and port: not another port");
	check(!lookup_net(&m, st->id + 1000, "10.1.2.3", 80), "another rule set sees nothing");
out:
	sr_policy_kern_put(&k, plain);
	sr_policy_kern_put(&k, again);
	sr_policy_kern_put(&k, st);
	sr_policy_kern_gc(&k, false);
	check(map_count(m.rule_fd[SR_POLICY_EXEC], sizeof(struct sr_policy_path_key)) == 0 &&
	          map_count(m.rule_fd[SR_POLICY_CONNECT], sizeof(struct sr_policy_net_key)) == 0 &&
	          map_count(m.rule_fd[SR_POLICY_WRITE], sizeof(struct sr_policy_path_key)) == 0,
	      "unreferenced rule sets leave nothing in the maps");
	sr_policy_kern_free(&k);
	sr_policy_free(&p);
	close_maps(&m);
}

static bool live_ab(void *ctx, uint64_t key)
{
	(void)ctx;
	return key == 0xa1 || key == 0xb2;
}

/* A reload: every session switches from a complete old set to a complete new one. */
static void test_reload_and_sweep(void)
{
	struct sr_policy_maps m;
	struct sr_policy_kern k, k2;
	struct sr_policy p1, p2;
	struct sr_policy_set *s1, *s2, *n1;
	struct sr_policy_sess v;
	struct sr_policy_set *ra, *rb;
	uint64_t a = 0xa1, b = 0xb2, ghost = 0xdead;

	if (make_maps(&m, 1024) ||
	    parse(&p1, "deny_exec = /usr/bin/nc\ndeny_write = /etc/sudoers\n") ||
	    parse(&p2, "enforce = audit\ndeny_exec = /usr/bin/ncat\n")) {
		check(0, "reload test setup");
		return;
	}
	sr_policy_kern_init(&k, &m, &p1);
	s1 = get_for(&k, "a", NULL, 0);
	s2 = get_for(&k, "b", NULL, 0);
	check(s1 && s1 == s2, "two sessions, one rule set");
	if (!s1)
		return;
	check(!sr_policy_kern_bind(&k, a, s1, p1.mode) && !sr_policy_kern_bind(&k, b, s2, p1.mode),
	      "bind both sessions");
	check(!bpf_map_lookup_elem(m.sess_fd, &a, &v) && v.ruleset == s1->id &&
	          v.mode == SR_POLICY_ENFORCE &&
	          v.actions == (SR_POLICY_ACTION_BIT(SR_POLICY_EXEC) |
	                        SR_POLICY_ACTION_BIT(SR_POLICY_WRITE)),
	      "the session entry holds the rule set, the mode and the actions with rules");
	/* what a previous daemon would leave: a session that ended while it was down */
	check(!sr_policy_kern_bind(&k, ghost, s1, p1.mode), "bind a third (soon stale) session");

	sr_policy_kern_set_policy(&k, &p2);
	n1 = get_for(&k, "a", NULL, 0);
	check(n1 && n1->id != s1->id, "the new policy gets a rule set under a fresh id");
	check(lookup_path(&m, SR_POLICY_EXEC, s1->id, "/usr/bin/nc") &&
	          lookup_path(&m, SR_POLICY_EXEC, n1->id, "/usr/bin/ncat"),
	      "before the switch both sets are complete in the maps");
	check(!sr_policy_kern_bind(&k, a, n1, p2.mode), "switch session a in one update");
	check(!bpf_map_lookup_elem(m.sess_fd, &a, &v) && v.ruleset == n1->id &&
	          v.mode == SR_POLICY_AUDIT,
	      "session a now points at the new set, in audit mode");
	sr_policy_kern_put(&k, s1);
	sr_policy_kern_gc(&k, true);
	check(lookup_path(&m, SR_POLICY_EXEC, s1->id, "/usr/bin/nc") != NULL,
	      "the old set stays while session b still uses it");

	/* a restart: a new daemon over the same (pinned) maps restores a and b; ghost ended */
	sr_policy_kern_init(&k2, &m, &p2);
	check(k2.next_id > n1->id && k2.next_id > s1->id,
	      "a restarted daemon allocates ids above those in the maps");
	ra = get_for(&k2, "a", NULL, 0);
	rb = get_for(&k2, "b", NULL, 0);
	check(ra && ra == rb && !sr_policy_kern_bind(&k2, a, ra, p2.mode) &&
	          !sr_policy_kern_bind(&k2, b, rb, p2.mode),
	      "restored sessions re-bound to the new daemon's rule set");
	check(lookup_path(&m, SR_POLICY_EXEC, s1->id, "/usr/bin/nc") != NULL,
	      "until the sweep, the previous daemon's rules are still there");
	check(!sr_policy_kern_sweep(&k2, live_ab, NULL), "sweep what the previous daemon left");
	check(bpf_map_lookup_elem(m.sess_fd, &ghost, &v) && errno == ENOENT,
	      "the ended session's entry is gone");
	check(!bpf_map_lookup_elem(m.sess_fd, &b, &v) && v.ruleset == ra->id,
	      "live sessions' entries stay");
	check(!lookup_path(&m, SR_POLICY_EXEC, s1->id, "/usr/bin/nc") &&
	          !lookup_path(&m, SR_POLICY_EXEC, n1->id, "/usr/bin/ncat"),
	      "rule sets no session of ours uses are gone");
	check(is(lookup_path(&m, SR_POLICY_EXEC, ra->id, "/usr/bin/ncat"),
	         "deny_exec = /usr/bin/ncat"),
	      "ours stay");
	check(map_count(m.rule_fd[SR_POLICY_EXEC], sizeof(struct sr_policy_path_key)) == 1 &&
	          map_count(m.rule_fd[SR_POLICY_WRITE], sizeof(struct sr_policy_path_key)) == 0,
	      "nothing else is left");
	sr_policy_kern_free(&k2);
	sr_policy_kern_free(&k);
	sr_policy_free(&p1);
	sr_policy_free(&p2);
	close_maps(&m);
}

/* Maps too small for a rule set: refused, and nothing of it stays. */
static void test_full(void)
{
	struct sr_policy_maps m;
	struct sr_policy_kern k;
	struct sr_policy p;
	struct sr_policy_set *set = (void *)1;
	size_t idx[] = {0, 1, 2, 3};
	int err;

	if (make_maps(&m, 3) || parse(&p, "deny_exec = /a, /b, /c, /d\n")) {
		check(0, "full-map test setup");
		return;
	}
	sr_policy_kern_init(&k, &m, &p);
	err = sr_policy_kern_get(&k, idx, 4, &set);
	check(err == -ENOSPC && !set, "4 rules in a map of 3: -ENOSPC (got %d)", err);
	check(map_count(m.rule_fd[SR_POLICY_EXEC], sizeof(struct sr_policy_path_key)) == 0,
	      "the part written was removed");
	check(!sr_policy_kern_get(&k, idx, 3, &set) && set, "3 rules fit");
	sr_policy_kern_put(&k, set);
	sr_policy_kern_gc(&k, false);
	sr_policy_kern_free(&k);
	sr_policy_free(&p);
	close_maps(&m);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		fprintf(stderr, "\n*** SKIP: test_policy_maps needs root (BPF maps): the compiled "
		                "policy is NOT TESTED ***\n\n");
		return 77;
	}
	sr_log_init("test_policy_maps", SR_LOG_STDERR, LOG_INFO);
	test_matching();
	test_reload_and_sweep();
	test_full();
	printf("%d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
