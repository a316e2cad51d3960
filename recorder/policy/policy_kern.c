/* SPDX-License-Identifier: BSD-2-Clause */
/* The policy in the kernel: rule sets in LPM tries, swapped per session. */
#include "recorder/policy/policy_kern.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"

void sr_policy_key_path(const struct sr_policy_rule_def *r, uint32_t ruleset,
                        struct sr_policy_path_key *key)
{
	size_t len = strlen(r->path);

	memset(key, 0, sizeof(*key));
	key->ruleset = ruleset;
	memcpy(key->path, r->path, len);
	/* an exact rule compares its NUL too, a prefix rule stops before it */
	key->prefixlen = (uint32_t)(32 + 8 * (r->prefix ? len : len + 1));
}

void sr_policy_key_net(const struct sr_policy_rule_def *r, uint32_t ruleset,
                       struct sr_policy_net_key *key)
{
	memset(key, 0, sizeof(*key));
	key->ruleset = ruleset;
	key->port = r->port;
	key->family = r->family;
	memcpy(key->addr, r->addr, r->family == 6 ? 16 : 4);
	key->prefixlen = 64u + r->plen;
}

void sr_policy_value(const struct sr_policy_rule_def *r, struct sr_policy_rule *val)
{
	memset(val, 0, sizeof(*val));
	sr_policy_rule_text(r, val->rule, sizeof(val->rule));
	val->rule_len = (uint32_t)strlen(val->rule) + 1;
}

/* Delete the first @p n entries of @p set. Returns 0 or the first -errno. */
static int set_del(const struct sr_policy_kern *k, const struct sr_policy_set *set, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(k->maps.rule_fd[set->ent[i].action], &set->ent[i].key) &&
		    errno != ENOENT && !err)
			err = -errno;
	return err;
}

/* Write @p set's entries from the current policy; on failure remove what was written. */
static int set_write(const struct sr_policy_kern *k, struct sr_policy_set *set)
{
	struct sr_policy_rule val;
	size_t i;
	int err;

	for (i = 0; i < set->n; i++) {
		const struct sr_policy_rule_def *r = &k->pol->rules[set->idx[i]];
		struct sr_policy_entry *e = &set->ent[i];

		e->action = r->action;
		if (r->action == SR_POLICY_CONNECT)
			sr_policy_key_net(r, set->id, &e->key.net);
		else
			sr_policy_key_path(r, set->id, &e->key.path);
		sr_policy_value(r, &val);
		/* a rule repeated in one set (global and per group) keeps the later one */
		if (bpf_map_update_elem(k->maps.rule_fd[r->action], &e->key, &val, BPF_ANY)) {
			err = errno == E2BIG ? -ENOSPC : -errno;
			set_del(k, set, i); /* never bound: no grace period needed */
			return err;
		}
	}
	return 0;
}

static void set_free(struct sr_policy_set *set)
{
	free(set->idx);
	free(set->ent);
	free(set);
}

/* Highest rule-set id in the pinned maps (a previous daemon's), 0 when none. */
static uint32_t max_id_in_maps(const struct sr_policy_kern *k)
{
	union sr_policy_key cur, next;
	uint64_t scur, snext;
	struct sr_policy_sess v;
	uint32_t max = 0;
	void *prev;
	size_t a;

	for (a = 0; a < SR_POLICY_ACTION_MAX; a++)
		for (prev = NULL; !bpf_map_get_next_key(k->maps.rule_fd[a], prev, &next);
		     prev = &cur) {
			/* the rule set follows prefixlen in both key types */
			if (next.path.ruleset > max)
				max = next.path.ruleset;
			cur = next;
		}
	for (prev = NULL; !bpf_map_get_next_key(k->maps.sess_fd, prev, &snext); prev = &scur) {
		if (!bpf_map_lookup_elem(k->maps.sess_fd, &snext, &v) && v.ruleset > max)
			max = v.ruleset;
		scur = snext;
	}
	return max;
}

int sr_policy_kern_init(struct sr_policy_kern *k, const struct sr_policy_maps *maps,
                        const struct sr_policy *pol)
{
	memset(k, 0, sizeof(*k));
	k->maps = *maps;
	k->pol = pol;
	k->gen = 1;
	k->next_id = max_id_in_maps(k) + 1;
	return 0;
}

void sr_policy_kern_free(struct sr_policy_kern *k)
{
	while (k->sets) {
		struct sr_policy_set *s = k->sets;

		k->sets = s->next;
		set_free(s);
	}
}

static bool id_used(const struct sr_policy_kern *k, uint32_t id)
{
	const struct sr_policy_set *s;

	for (s = k->sets; s; s = s->next)
		if (s->id == id)
			return true;
	return false;
}

int sr_policy_kern_get(struct sr_policy_kern *k, const size_t *idx, size_t n,
                       struct sr_policy_set **out)
{
	struct sr_policy_set *s;
	size_t i;
	int err;

	*out = NULL;
	if (!n)
		return 0;
	for (s = k->sets; s; s = s->next)
		if (s->gen == k->gen && s->n == n && !memcmp(s->idx, idx, n * sizeof(*idx))) {
			s->refs++;
			*out = s;
			return 0;
		}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->idx = malloc(n * sizeof(*idx));
	s->ent = calloc(n, sizeof(*s->ent));
	if (!s->idx || !s->ent) {
		set_free(s);
		return -ENOMEM;
	}
	memcpy(s->idx, idx, n * sizeof(*idx));
	s->n = n;
	s->gen = k->gen;
	for (i = 0; i < n; i++)
		s->actions |= (uint8_t)SR_POLICY_ACTION_BIT(k->pol->rules[idx[i]].action);
	/* ids wrap after 2^32 sets: skip 0 and any still in use */
	while (!k->next_id || id_used(k, k->next_id))
		k->next_id++;
	s->id = k->next_id++;
	err = set_write(k, s);
	if (err) {
		set_free(s);
		return err;
	}
	s->refs = 1;
	s->next = k->sets;
	k->sets = s;
	*out = s;
	return 0;
}

void sr_policy_kern_put(struct sr_policy_kern *k, struct sr_policy_set *set)
{
	(void)k;
	if (set && set->refs)
		set->refs--;
}

int sr_policy_kern_bind(struct sr_policy_kern *k, uint64_t key, const struct sr_policy_set *set,
                        enum sr_policy_mode mode)
{
	struct sr_policy_sess v = {0};

	if (!set || mode == SR_POLICY_OFF) {
		sr_policy_kern_unbind(k, key);
		return 0;
	}
	v.ruleset = set->id;
	v.mode = (uint8_t)mode;
	v.actions = set->actions;
	return bpf_map_update_elem(k->maps.sess_fd, &key, &v, BPF_ANY) ? -errno : 0;
}

void sr_policy_kern_unbind(struct sr_policy_kern *k, uint64_t key)
{
	bpf_map_delete_elem(k->maps.sess_fd, &key);
}

void sr_policy_kern_set_policy(struct sr_policy_kern *k, const struct sr_policy *pol)
{
	k->pol = pol;
	k->gen++;
}

/*
 * Wait until no BPF program can still use what it looked up before now:
 * programs run under rcu_read_lock, and MEMBARRIER_CMD_GLOBAL is a
 * synchronize_rcu(). Where it is refused (nohz_full), wait far longer than
 * a program runs.
 */
static void grace_period(void)
{
	struct timespec ts = {0, 50 * 1000 * 1000};

	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	nanosleep(&ts, NULL);
}

void sr_policy_kern_gc(struct sr_policy_kern *k, bool grace)
{
	struct sr_policy_set **pp, *s;
	bool any = false;

	for (s = k->sets; s && !any; s = s->next)
		any = !s->refs;
	if (!any)
		return;
	if (grace)
		grace_period();
	for (pp = &k->sets; *pp;) {
		s = *pp;
		if (s->refs) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		if (set_del(k, s, s->n))
			sr_warn("policy: could not remove every entry of rule set %u", s->id);
		set_free(s);
	}
}

/* Collect the keys of map @p fd (of @p ksize bytes) for which @p drop says so. */
static int collect(int fd, size_t ksize, bool (*drop)(const void *key, void *ctx), void *ctx,
                   void **keys, size_t *n)
{
	union sr_policy_key cur, next;
	size_t cap = 0;
	void *prev;

	*keys = NULL;
	*n = 0;
	for (prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &cur) {
		cur = next;
		if (!drop(&next, ctx))
			continue;
		if (*n == cap) {
			void *nk = realloc(*keys, (cap = cap ? cap * 2 : 16) * ksize);

			if (!nk)
				return -ENOMEM;
			*keys = nk;
		}
		memcpy((char *)*keys + *n * ksize, &next, ksize);
		(*n)++;
	}
	return 0;
}

struct sweep_ctx {
	const struct sr_policy_kern *k;
	bool (*live)(void *ctx, uint64_t key);
	void *ctx;
};

static bool drop_sess(const void *key, void *ctx)
{
	struct sweep_ctx *c = ctx;
	uint64_t skey;

	memcpy(&skey, key, sizeof(skey));
	return !c->live(c->ctx, skey);
}

static bool drop_rule(const void *key, void *ctx)
{
	const struct sweep_ctx *c = ctx;
	uint32_t id;

	memcpy(&id, (const char *)key + 4, sizeof(id)); /* after prefixlen */
	return !id_used(c->k, id);
}

/* Delete the keys of map @p fd that @p drop selects. Returns how many, or -errno. */
static int sweep_map(int fd, size_t ksize, bool (*drop)(const void *, void *), void *ctx)
{
	void *keys;
	size_t n, i;
	int err = collect(fd, ksize, drop, ctx, &keys, &n);

	for (i = 0; !err && i < n; i++)
		if (bpf_map_delete_elem(fd, (char *)keys + i * ksize) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err ? err : (int)n;
}

int sr_policy_kern_sweep(struct sr_policy_kern *k, bool (*live)(void *ctx, uint64_t key), void *ctx)
{
	static const size_t ksize[SR_POLICY_ACTION_MAX] = {
	    [SR_POLICY_EXEC] = sizeof(struct sr_policy_path_key),
	    [SR_POLICY_CONNECT] = sizeof(struct sr_policy_net_key),
	    [SR_POLICY_WRITE] = sizeof(struct sr_policy_path_key),
	};
	struct sweep_ctx c = {k, live, ctx};
	int n, err = 0, dropped = 0;
	size_t a;

	n = sweep_map(k->maps.sess_fd, sizeof(uint64_t), drop_sess, &c);
	if (n < 0)
		return n;
	/* restored sessions were re-bound to our sets: the old ones may still be in use */
	grace_period();
	for (a = 0; a < SR_POLICY_ACTION_MAX; a++) {
		int m = sweep_map(k->maps.rule_fd[a], ksize[a], drop_rule, &c);

		if (m < 0 && !err)
			err = m;
		dropped += m > 0 ? m : 0;
	}
	if (n || dropped)
		sr_info("policy: removed %d session and %d rule entries of a previous sshrecd", n,
		        dropped);
	return err;
}

void sr_policy_kern_entries(const struct sr_policy_kern *k, uint64_t out[SR_POLICY_ACTION_MAX])
{
	const struct sr_policy_set *s;
	size_t i;

	memset(out, 0, SR_POLICY_ACTION_MAX * sizeof(*out));
	for (s = k->sets; s; s = s->next)
		for (i = 0; i < s->n; i++)
			out[s->ent[i].action]++;
}
