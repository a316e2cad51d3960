/* SPDX-License-Identifier: BSD-2-Clause */
/* The daemon's policy: sessions bound to their rule sets, reload on SIGHUP. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "recorder/daemon.h"

int sr_policy_open(struct sr_daemon *d)
{
	static const char *const names[SR_POLICY_ACTION_MAX] = {
	    [SR_POLICY_EXEC] = "policy_exec",
	    [SR_POLICY_CONNECT] = "policy_net",
	    [SR_POLICY_WRITE] = "policy_write",
	};
	struct sr_policy_maps m;
	size_t a;

	m.sess_fd = sr_capture_map_fd(d->cap, "policy_sess");
	for (a = 0; a < SR_POLICY_ACTION_MAX; a++)
		m.rule_fd[a] = sr_capture_map_fd(d->cap, names[a]);
	if (m.sess_fd < 0 || m.rule_fd[0] < 0 || m.rule_fd[1] < 0 || m.rule_fd[2] < 0) {
		sr_err("policy: the BPF object has no policy maps");
		return -ENOENT;
	}
	return sr_policy_kern_init(&d->pk, &m, &d->cfg->policy);
}

void sr_policy_close(struct sr_daemon *d)
{
	sr_policy_kern_free(&d->pk);
}

/* The rule set of @p login under the kernel's current policy (a reference, or NULL). */
static int login_set(struct sr_daemon *d, const char *login, struct sr_policy_set **out)
{
	const struct sr_policy *p = d->pk.pol;
	char **groups = NULL;
	size_t ng = 0, n, *idx;
	int err;

	*out = NULL;
	if (!p->n || p->mode == SR_POLICY_OFF)
		return 0;
	idx = malloc(p->n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	if (sr_policy_has_scoped(p))
		ng = sr_login_groups(login, &groups);
	n = sr_policy_for_login(p, login, (const char *const *)groups, ng, idx);
	sr_login_groups_free(groups, ng);
	err = sr_policy_kern_get(&d->pk, idx, n, out);
	free(idx);
	return err;
}

int sr_policy_session_bind(struct sr_daemon *d, struct sr_session *s)
{
	const char *login = s->corr.info.login ? s->corr.info.login : "";
	struct sr_policy_set *set;
	int err = login_set(d, login, &set);

	if (!err)
		err = sr_policy_kern_bind(&d->pk, (uint64_t)s->corr.info.key, set, d->pk.pol->mode);
	if (err) {
		sr_policy_kern_put(&d->pk, set);
		sr_policy_kern_gc(&d->pk, false);
		sr_err("session %s: cannot apply the policy: %s%s", s->corr.info.sid,
		       strerror(-err),
		       err == -ENOSPC ? " (the rule maps are full: fewer rules, or fewer "
		                        "distinct user and group combinations)"
		                      : "");
		return err;
	}
	s->pset = set;
	if (set)
		sr_info("session %s: %zu deny rules (%s), rule set %u", s->corr.info.sid, set->n,
		        d->pk.pol->mode == SR_POLICY_AUDIT ? "audit" : "enforced", set->id);
	return 0;
}

void sr_policy_session_end(struct sr_daemon *d, struct sr_session *s)
{
	sr_policy_kern_unbind(&d->pk, (uint64_t)s->corr.info.key);
	sr_policy_kern_put(&d->pk, s->pset);
	s->pset = NULL;
	sr_policy_kern_gc(&d->pk, true);
}

static bool is_live(void *ctx, uint64_t key)
{
	return sr_session_by_key(ctx, key) != NULL;
}

void sr_policy_sweep(struct sr_daemon *d)
{
	int err = sr_policy_kern_sweep(&d->pk, is_live, d);

	if (err)
		sr_warn("policy: cannot remove what a previous sshrecd left: %s", strerror(-err));
}

/* Call @p fn on every session; stops at the first non-zero return. */
static int each_session(struct sr_daemon *d,
                        int (*fn)(struct sr_daemon *, struct sr_session *, void *), void *ctx)
{
	struct sr_session *s;
	size_t i;
	int err;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next)
			if ((err = fn(d, s, ctx)))
				return err;
	return 0;
}

/* A reload in progress: the new rule set of each session, in session order. */
struct reload {
	struct sr_policy_set **sets;
	size_t n, cap;
	size_t switched, kept;
};

static int prepare_one(struct sr_daemon *d, struct sr_session *s, void *ctx)
{
	struct reload *r = ctx;
	const char *login = s->corr.info.login ? s->corr.info.login : "";

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct sr_policy_set **ns = realloc(r->sets, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		r->sets = ns;
		r->cap = nc;
	}
	return login_set(d, login, &r->sets[r->n++]);
}

static int switch_one(struct sr_daemon *d, struct sr_session *s, void *ctx)
{
	struct reload *r = ctx;
	struct sr_policy_set *set = r->sets[r->switched + r->kept];
	int err = sr_policy_kern_bind(&d->pk, (uint64_t)s->corr.info.key, set, d->pk.pol->mode);

	if (err) {
		/* it keeps its old rules, which therefore stay in the maps */
		sr_warn("session %s: keeps the old policy: %s", s->corr.info.sid, strerror(-err));
		sr_policy_kern_put(&d->pk, set);
		r->kept++;
		return 0;
	}
	sr_policy_kern_put(&d->pk, s->pset);
	s->pset = set;
	r->switched++;
	return 0;
}

static void policy_summary(const struct sr_policy *p, char *buf, size_t cap)
{
	size_t n[SR_POLICY_ACTION_MAX] = {0}, i;

	for (i = 0; i < p->n; i++)
		n[p->rules[i].action]++;
	snprintf(buf, cap, "enforce = %s, %zu rules (exec %zu, connect %zu, write %zu)",
	         sr_policy_mode_name(p->mode), p->n, n[SR_POLICY_EXEC], n[SR_POLICY_CONNECT],
	         n[SR_POLICY_WRITE]);
}

int sr_policy_reload(struct sr_daemon *d)
{
	struct sr_config nc;
	struct reload r = {0};
	char err[1024], sum[160];
	size_t i;
	int ret;

	ret = sr_config_defaults(&nc);
	if (!ret)
		ret = sr_config_parse_file(&nc, d->cfg->conf_path, true, err, sizeof(err));
	if (ret == -ENOENT && !d->cfg->policy.n) {
		sr_config_free(&nc);
		return 0; /* no file, no policy: nothing to reload */
	}
	if (ret) {
		sr_err("SIGHUP: keeping the old policy: %s",
		       ret == -ENOMEM ? "out of memory" : err);
		sr_config_free(&nc);
		return ret;
	}
	sr_policy_kern_set_policy(&d->pk, &nc.policy);
	ret = each_session(d, prepare_one, &r);
	/* the programs that apply the new rules, before any session is switched to them */
	for (i = 0; !ret && i < r.n; i++)
		ret = sr_session_attach_demand(d, sr_session_demand_of(d, r.sets[i], 0));
	if (!ret)
		ret = sr_session_attach_demand(d, 0); /* the policy's own, with rules */
	if (ret) {
		/* nothing was switched: the new sets were never visible */
		for (i = 0; i < r.n; i++)
			sr_policy_kern_put(&d->pk, r.sets[i]);
		sr_policy_kern_set_policy(&d->pk, &d->cfg->policy);
		sr_policy_kern_gc(&d->pk, false);
		sr_err("SIGHUP: keeping the old policy: %s%s", strerror(-ret),
		       ret == -ENOSPC ? " (the rule maps are full: fewer rules, or fewer distinct "
		                        "user and group combinations)"
		                      : "");
		free(r.sets);
		sr_config_free(&nc);
		return ret;
	}
	each_session(d, switch_one, &r);
	/* old rule sets go once no program can still be reading them */
	sr_policy_kern_gc(&d->pk, true);
	sr_policy_move(&d->cfg->policy, &nc.policy);
	d->pk.pol = &d->cfg->policy;
	policy_summary(&d->cfg->policy, sum, sizeof(sum));
	sr_info("SIGHUP: policy reloaded: %s; %zu sessions switched%s", sum, r.switched,
	        r.kept ? ", some kept the old one (see above)" : "");
	sr_session_update_demand(d); /* what the old rules needed lingers, then goes */
	free(r.sets);
	sr_config_free(&nc);
	return 0;
}

void *sr_policy_status_json(struct sr_daemon *d)
{
	static const char *const stat_names[SR_POLICY_STAT_MAX] = {
	    [SR_POLICY_STAT_DENIED] = "denied",
	    [SR_POLICY_STAT_AUDITED] = "audited",
	    [SR_POLICY_STAT_NOT_APPLIED] = "not_applied",
	    [SR_POLICY_STAT_LOST] = "lost",
	};
	const struct sr_policy *p = &d->cfg->policy;
	json_object *o = json_object_new_object();
	struct sr_policy_stats *percpu = NULL;
	uint64_t entries[SR_POLICY_ACTION_MAX], tot[SR_POLICY_STAT_MAX] = {0};
	const struct sr_policy_set *set;
	int ncpu = libbpf_num_possible_cpus(), fd = sr_capture_map_fd(d->cap, "policy_stats");
	size_t nsets = 0, k;
	uint32_t zero = 0;

	if (!o)
		return NULL;
	/* a per-CPU array reads as one value per possible CPU */
	if (ncpu > 0 && fd >= 0 && (percpu = calloc((size_t)ncpu, sizeof(*percpu))) &&
	    !bpf_map_lookup_elem(fd, &zero, percpu))
		for (int c = 0; c < ncpu; c++)
			for (k = 0; k < SR_POLICY_STAT_MAX; k++)
				tot[k] += percpu[c].n[k];
	free(percpu);
	for (set = d->pk.sets; set; set = set->next)
		nsets++;
	sr_policy_kern_entries(&d->pk, entries);
	json_object_object_add(o, "enforce", json_object_new_string(sr_policy_mode_name(p->mode)));
	json_object_object_add(
	    o, "mechanism",
	    json_object_new_string(
	        sr_capture_policy_mech(d->cap) == SR_POLICY_MECH_LSM ? "lsm" : "signal"));
	json_object_object_add(o, "rules", json_object_new_int64((int64_t)p->n));
	json_object_object_add(o, "rule_sets", json_object_new_int64((int64_t)nsets));
	json_object_object_add(
	    o, "map_entries",
	    json_object_new_int64((int64_t)(entries[0] + entries[1] + entries[2])));
	for (k = 0; k < SR_POLICY_STAT_MAX; k++)
		json_object_object_add(o, stat_names[k], json_object_new_int64((int64_t)tot[k]));
	return o;
}
