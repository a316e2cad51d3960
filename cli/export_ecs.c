/* SPDX-License-Identifier: BSD-2-Clause */
/* Native record -> Elastic Common Schema document. */
#include <stdlib.h>
#include <string.h>

#include "cli/export.h"
#include "cli/output.h"
#include "timeutil.h"

const char *sr_j_str(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t sr_j_int(json_object *o, const char *k, int64_t dflt)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !v)
		return dflt;
	return json_object_get_int64(v);
}

bool sr_j_has(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && v;
}

json_object *sr_j_obj(json_object *o, const char *k)
{
	json_object *v;

	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	json_object_object_add(o, k, v);
	return v;
}

void sr_j_put_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

int64_t sr_j_time_ms(json_object *rec)
{
	const char *t = sr_j_str(rec, "time");
	int64_t us;

	if (!t || sr_time_parse(t, 0, &us) != 0)
		return 0;
	return us / 1000;
}

static json_object *str_array1(const char *a)
{
	json_object *arr = json_object_new_array();

	json_object_array_add(arr, json_object_new_string(a));
	return arr;
}

static json_object *str_array2(const char *a, const char *b)
{
	json_object *arr = str_array1(a);

	json_object_array_add(arr, json_object_new_string(b));
	return arr;
}

/* Add @p v to the array @p k of related (no duplicates). */
static void related_add(json_object *doc, const char *k, const char *v)
{
	json_object *rel, *arr;
	size_t i;

	if (!v || !*v)
		return;
	rel = sr_j_obj(doc, "related");
	if (!json_object_object_get_ex(rel, k, &arr)) {
		arr = json_object_new_array();
		json_object_object_add(rel, k, arr);
	}
	for (i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), v))
			return;
	json_object_array_add(arr, json_object_new_string(v));
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/* process.* from the record, completed from the processes row. */
static void ecs_process(json_object *doc, json_object *rec, const struct sr_exp_ctx *ctx,
                        const char *ev)
{
	json_object *proc = sr_j_obj(doc, "process"), *argv = NULL, *parent;
	const struct sr_exp_proc *p = ctx->proc;
	bool is_cmd = !strcmp(ev, "session.command");
	const char *path = is_cmd ? sr_j_str(rec, "path") : p ? p->path : NULL;
	const char *cwd = is_cmd ? sr_j_str(rec, "cwd") : p ? p->cwd : NULL;
	char t[SR_TIME_STRLEN], ent[80];

	json_object_object_add(proc, "pid", json_object_new_int64(sr_j_int(rec, "pid", 0)));
	json_object_object_add(proc, "ppid", json_object_new_int64(sr_j_int(rec, "ppid", 0)));
	parent = sr_j_obj(proc, "parent");
	json_object_object_add(parent, "pid", json_object_new_int64(sr_j_int(rec, "ppid", 0)));
	sr_j_put_str(proc, "name", base_name(path) ? base_name(path) : sr_j_str(rec, "program"));
	sr_j_put_str(proc, "executable", path);
	sr_j_put_str(proc, "working_directory", cwd);
	if (is_cmd) {
		json_object *a;

		if (json_object_object_get_ex(rec, "argv", &a) &&
		    json_object_is_type(a, json_type_array))
			argv = json_object_get(a);
	} else if (p && p->argv) {
		argv = json_object_get(p->argv);
	} else if (p && p->argv_json) {
		argv = json_tokener_parse(p->argv_json);
	}
	if (argv && json_object_is_type(argv, json_type_array)) {
		char *cl = sr_argv_join_obj(argv, false);

		json_object_object_add(
		    proc, "args_count",
		    json_object_new_int64((int64_t)json_object_array_length(argv)));
		json_object_object_add(proc, "args", argv);
		sr_j_put_str(proc, "command_line", cl);
		free(cl);
	} else {
		json_object_put(argv);
	}
	if (sr_j_has(rec, "process_id") && ctx->sess && ctx->sess->sid) {
		snprintf(ent, sizeof(ent), "%s-%lld", ctx->sess->sid,
		         (long long)sr_j_int(rec, "process_id", 0));
		sr_j_put_str(proc, "entity_id", ent);
	}
	if (is_cmd) {
		sr_j_put_str(proc, "start", sr_j_str(rec, "time"));
		if (sr_j_has(rec, "proc_uid")) {
			char id[24];

			snprintf(id, sizeof(id), "%lld", (long long)sr_j_int(rec, "proc_uid", 0));
			sr_j_put_str(sr_j_obj(proc, "user"), "id", id);
			snprintf(id, sizeof(id), "%lld", (long long)sr_j_int(rec, "proc_gid", 0));
			sr_j_put_str(sr_j_obj(proc, "group"), "id", id);
		}
	} else if (p && p->start_us) {
		sr_j_put_str(proc, "start", sr_time_format(p->start_us, t));
	}
	if (!strcmp(ev, "session.process_exit")) {
		sr_j_put_str(proc, "end", sr_j_str(rec, "time"));
		if (sr_j_has(rec, "exit_code"))
			json_object_object_add(
			    proc, "exit_code",
			    json_object_new_int64(sr_j_int(rec, "exit_code", 0)));
		else if (sr_j_int(rec, "signal", 0) > 0)
			/* killed: the shell convention 128 + signal */
			json_object_object_add(
			    proc, "exit_code",
			    json_object_new_int64(128 + sr_j_int(rec, "signal", 0)));
	}
}

static void ecs_entry_leader(json_object *doc, const struct sr_exp_ctx *ctx, json_object *rec)
{
	json_object *el = sr_j_obj(sr_j_obj(doc, "process"), "entry_leader"), *meta;
	const struct sr_session_row *s = ctx->sess;
	char t[SR_TIME_STRLEN];

	sr_j_put_str(el, "entity_id", s ? s->sid : sr_j_str(rec, "sid"));
	sr_j_put_str(el, "name", "sshd");
	sr_j_put_str(sr_j_obj(el, "user"), "name", s ? s->login : sr_j_str(rec, "login"));
	meta = sr_j_obj(el, "entry_meta");
	sr_j_put_str(meta, "type", "sshd");
	if (s && s->remote_addr)
		sr_j_put_str(sr_j_obj(meta, "source"), "ip", s->remote_addr);
	if (s) {
		json_object_object_add(el, "pid", json_object_new_int(s->leader_pid));
		sr_j_put_str(el, "start", sr_time_format(s->start_us, t));
		json_object_object_add(
		    el, "interactive",
		    json_object_new_boolean(s->tty && strcmp(s->tty, "ssh") && *s->tty));
	}
}

json_object *sr_ecs_map(json_object *rec, const struct sr_exp_ctx *ctx)
{
	const char *ev = sr_j_str(rec, "event"), *kind = "event", *cat = "session", *type = "info",
	           *type2 = NULL, *outcome = NULL;
	json_object *doc, *e, *x;
	const struct sr_session_row *s = ctx->sess;
	int64_t rc = sr_j_int(rec, "return_code", 0);

	if (!ev)
		return NULL;
	doc = json_object_new_object();
	if (!doc)
		return NULL;
	sr_j_put_str(doc, "@timestamp", sr_j_str(rec, "time"));
	sr_j_put_str(sr_j_obj(doc, "ecs"), "version", SR_ECS_VERSION);
	if (!strcmp(ev, "session.command")) {
		cat = "process";
		type = "start";
		outcome = rc < 0 ? "failure" : "success";
	} else if (!strcmp(ev, "session.process_exit")) {
		cat = "process";
		type = "end";
		outcome = sr_j_int(rec, "signal", 0) > 0 || sr_j_int(rec, "exit_code", 0) != 0
		              ? "failure"
		              : "success";
	} else if (!strcmp(ev, "session.disk")) {
		int64_t fl = sr_j_int(rec, "flags", 0);

		cat = "file";
		type = (fl & 0100) ? "creation" : (fl & 3) ? "change" : "access";
		outcome = rc < 0 ? "failure" : "success";
	} else if (!strcmp(ev, "session.network")) {
		const char *res = sr_j_str(rec, "result");

		cat = "network";
		type = "connection";
		type2 = "start";
		outcome = res && !strcmp(res, "failed")        ? "failure"
		          : res && !strcmp(res, "established") ? "success"
		                                               : "unknown";
	} else if (!strcmp(ev, "session.start")) {
		type = "start";
		outcome = "success";
	} else if (!strcmp(ev, "session.end")) {
		type = "end";
	} else if (!strcmp(ev, "session.data_loss")) {
		kind = "alert";
		cat = "host";
	} else if (!strcmp(ev, "session.escape")) {
		kind = "alert";
		cat = "process";
		type = "change";
	}
	e = sr_j_obj(doc, "event");
	sr_j_put_str(e, "kind", kind);
	json_object_object_add(e, "category", str_array1(cat));
	json_object_object_add(e, "type", type2 ? str_array2(type, type2) : str_array1(type));
	sr_j_put_str(e, "action", ev);
	sr_j_put_str(e, "code", sr_j_str(rec, "code"));
	sr_j_put_str(e, "id", sr_j_str(rec, "uid"));
	json_object_object_add(e, "sequence", json_object_new_int64(sr_j_int(rec, "ei", 0)));
	sr_j_put_str(e, "module", "sshrec");
	sr_j_put_str(e, "dataset", "sshrec.session");
	sr_j_put_str(e, "outcome", outcome);

	x = sr_j_obj(doc, "host");
	sr_j_put_str(x, "hostname", sr_j_str(rec, "server_hostname"));
	sr_j_put_str(x, "name", sr_j_str(rec, "server_hostname"));
	sr_j_put_str(x, "id", sr_j_str(rec, "server_id"));
	sr_j_put_str(sr_j_obj(doc, "user"), "name", sr_j_str(rec, "login"));
	related_add(doc, "user", sr_j_str(rec, "login"));
	related_add(doc, "hosts", sr_j_str(rec, "server_hostname"));

	if (strcmp(ev, "session.start") && strcmp(ev, "session.end") &&
	    strcmp(ev, "session.data_loss"))
		ecs_process(doc, rec, ctx, ev);
	ecs_entry_leader(doc, ctx, rec);
	if (s && s->remote_addr)
		related_add(doc, "ip", s->remote_addr);

	if (!strcmp(ev, "session.disk")) {
		const char *p = sr_j_str(rec, "path");

		x = sr_j_obj(doc, "file");
		sr_j_put_str(x, "path", p);
		sr_j_put_str(x, "name", base_name(p));
		if (p && strrchr(p, '/') && strrchr(p, '/') != p) {
			char *d = strndup(p, (size_t)(strrchr(p, '/') - p));

			sr_j_put_str(x, "directory", d);
			free(d);
		} else if (p && p[0] == '/') {
			sr_j_put_str(x, "directory", "/");
		}
	} else if (!strcmp(ev, "session.network")) {
		x = sr_j_obj(doc, "source");
		sr_j_put_str(x, "ip", sr_j_str(rec, "src_addr"));
		json_object_object_add(x, "port",
		                       json_object_new_int64(sr_j_int(rec, "src_port", 0)));
		x = sr_j_obj(doc, "destination");
		sr_j_put_str(x, "ip", sr_j_str(rec, "dst_addr"));
		json_object_object_add(x, "port",
		                       json_object_new_int64(sr_j_int(rec, "dst_port", 0)));
		x = sr_j_obj(doc, "network");
		sr_j_put_str(x, "transport", "tcp");
		sr_j_put_str(x, "type", sr_j_int(rec, "version", 4) == 6 ? "ipv6" : "ipv4");
		sr_j_put_str(x, "direction", "egress");
		related_add(doc, "ip", sr_j_str(rec, "src_addr"));
		related_add(doc, "ip", sr_j_str(rec, "dst_addr"));
	} else if (!strcmp(ev, "session.start") && s) {
		if (s->remote_addr) {
			x = sr_j_obj(doc, "source");
			sr_j_put_str(x, "ip", s->remote_addr);
			json_object_object_add(x, "port", json_object_new_int(s->remote_port));
		}
		if (s->local_addr) {
			x = sr_j_obj(doc, "destination");
			sr_j_put_str(x, "ip", s->local_addr);
			json_object_object_add(x, "port", json_object_new_int(s->local_port));
		}
	}
	/* what ECS has no field for, under the sshrec namespace */
	x = sr_j_obj(doc, "sshrec");
	sr_j_put_str(x, "sid", sr_j_str(rec, "sid"));
	sr_j_put_str(x, "user", sr_j_str(rec, "user"));
	json_object_object_add(x, "ei", json_object_new_int64(sr_j_int(rec, "ei", 0)));
	json_object_object_add(x, "cgroup_id",
	                       json_object_new_int64(sr_j_int(rec, "cgroup_id", 0)));
	json_object_object_add(x, "audit_session_id",
	                       json_object_new_int64(sr_j_int(rec, "audit_session_id", 0)));
	if (sr_j_has(rec, "return_code"))
		json_object_object_add(x, "return_code", json_object_new_int64(rc));
	sr_j_put_str(x, "flags_text", sr_j_str(rec, "flags_text"));
	sr_j_put_str(x, "result", sr_j_str(rec, "result"));
	if (sr_j_has(rec, "argv_truncated"))
		json_object_object_add(x, "argv_truncated",
		                       json_object_new_boolean(json_object_get_boolean(
		                           json_object_object_get(rec, "argv_truncated"))));
	if (sr_j_has(rec, "lost"))
		json_object_object_add(x, "lost", json_object_new_int64(sr_j_int(rec, "lost", 0)));
	if (sr_j_has(rec, "signal") && sr_j_int(rec, "signal", 0) > 0) {
		char b[32];

		sr_j_put_str(x, "signal",
		             sr_signal_name((int)sr_j_int(rec, "signal", 0), b, sizeof(b)));
	}
	if (sr_j_has(rec, "duration_ms"))
		json_object_object_add(x, "duration_ms",
		                       json_object_new_int64(sr_j_int(rec, "duration_ms", 0)));
	sr_j_put_str(x, "to_cgroup_path", sr_j_str(rec, "to_cgroup_path"));
	return doc;
}
