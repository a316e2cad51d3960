/* SPDX-License-Identifier: BSD-2-Clause */
/* Native record -> OCSF 1.1 event (Process, File System, Network Activity). */
#include <stdlib.h>
#include <string.h>

#include "cli/export.h"
#include "cli/output.h"
#include "timeutil.h"

enum {
	OCSF_FILE_SYSTEM = 1001,
	OCSF_PROCESS = 1007,
	OCSF_NETWORK = 4001,
};

static void put_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

static void put_time_ms(json_object *o, const char *k, int64_t us)
{
	if (us)
		put_int(o, k, us / 1000);
}

/* The OCSF session object of the SSH login. */
static json_object *ocsf_session(json_object *rec, const struct sr_exp_ctx *ctx)
{
	json_object *s = json_object_new_object();
	const struct sr_session_row *r = ctx->sess;

	sr_j_put_str(s, "uid", sr_j_str(rec, "sid"));
	json_object_object_add(s, "is_remote", json_object_new_boolean(1));
	if (r) {
		put_time_ms(s, "created_time", r->start_us);
		sr_j_put_str(s, "terminal", r->tty);
		sr_j_put_str(s, "issuer", r->key_fingerprint);
		sr_j_put_str(s, "credential_uid", r->key_fingerprint);
	}
	return s;
}

/* The OCSF process object of the record's process. */
static json_object *ocsf_process(json_object *rec, const struct sr_exp_ctx *ctx, bool is_cmd)
{
	json_object *p = json_object_new_object(), *f, *argv = NULL, *a;
	const struct sr_exp_proc *pr = ctx->proc;
	const char *path = is_cmd ? sr_j_str(rec, "path") : pr ? pr->path : NULL;
	char ent[80];

	put_int(p, "pid", sr_j_int(rec, "pid", 0));
	sr_j_put_str(p, "name", path ? base_name(path) : sr_j_str(rec, "program"));
	if (path) {
		f = sr_j_obj(p, "file");
		sr_j_put_str(f, "path", path);
		sr_j_put_str(f, "name", base_name(path));
		put_int(f, "type_id", 1);
		sr_j_put_str(f, "type", "Regular File");
	}
	if (is_cmd && json_object_object_get_ex(rec, "argv", &a))
		argv = json_object_get(a);
	else if (!is_cmd && pr && pr->argv)
		argv = json_object_get(pr->argv);
	else if (!is_cmd && pr && pr->argv_json)
		argv = json_tokener_parse(pr->argv_json);
	if (argv && json_object_is_type(argv, json_type_array)) {
		char *cl = sr_argv_join_obj(argv, false);

		sr_j_put_str(p, "cmd_line", cl);
		free(cl);
	}
	json_object_put(argv);
	if (sr_j_has(rec, "process_id")) {
		snprintf(ent, sizeof(ent), "%s-%lld",
		         sr_j_str(rec, "sid") ? sr_j_str(rec, "sid") : "",
		         (long long)sr_j_int(rec, "process_id", 0));
		sr_j_put_str(p, "uid", ent);
	}
	put_int(sr_j_obj(p, "parent_process"), "pid", sr_j_int(rec, "ppid", 0));
	if (is_cmd) {
		put_time_ms(p, "created_time", sr_j_time_ms(rec) * 1000);
		if (sr_j_has(rec, "proc_uid")) {
			char id[24];

			snprintf(id, sizeof(id), "%lld", (long long)sr_j_int(rec, "proc_uid", 0));
			sr_j_put_str(sr_j_obj(p, "user"), "uid", id);
		}
	} else if (pr) {
		put_time_ms(p, "created_time", pr->start_us);
	}
	json_object_object_add(p, "session", ocsf_session(rec, ctx));
	return p;
}

/* The actor: the SSH user, their session and (optionally) the acting process. */
static json_object *ocsf_actor(json_object *rec, const struct sr_exp_ctx *ctx, json_object *proc)
{
	json_object *a = json_object_new_object(), *u = sr_j_obj(a, "user");

	sr_j_put_str(u, "name", sr_j_str(rec, "login"));
	put_int(u, "type_id", 1);
	json_object_object_add(a, "session", ocsf_session(rec, ctx));
	if (proc)
		json_object_object_add(a, "process", proc);
	return a;
}

json_object *sr_ocsf_map(json_object *rec, const struct sr_exp_ctx *ctx, bool *unmapped)
{
	const char *ev = sr_j_str(rec, "event"), *aname, *cname, *catname;
	int cls, cat, act, sev = 1, status = 0;
	json_object *o, *m, *x;
	int64_t rc = sr_j_int(rec, "return_code", 0);
	char eb[32];

	*unmapped = false;
	if (!ev)
		return NULL;
	if (!strcmp(ev, "session.command")) {
		cls = OCSF_PROCESS;
		act = 1;
		aname = "Launch";
		status = rc < 0 ? 2 : 1;
	} else if (!strcmp(ev, "session.process_exit")) {
		cls = OCSF_PROCESS;
		act = 2;
		aname = "Terminate";
		status = 1;
	} else if (!strcmp(ev, "session.escape")) {
		cls = OCSF_PROCESS;
		act = 99;
		aname = "Other";
		sev = 3;
		status = 1;
	} else if (!strcmp(ev, "session.disk")) {
		cls = OCSF_FILE_SYSTEM;
		act = (sr_j_int(rec, "flags", 0) & 0100) ? 1 : 14;
		aname = act == 1 ? "Create" : "Open";
		status = rc < 0 ? 2 : 1;
	} else if (!strcmp(ev, "session.network")) {
		const char *res = sr_j_str(rec, "result");

		cls = OCSF_NETWORK;
		act = res && !strcmp(res, "failed") ? 4 : 1;
		aname = act == 4 ? "Fail" : "Open";
		status = act == 4 ? 2 : res && !strcmp(res, "established") ? 1 : 0;
	} else {
		*unmapped = true;
		return NULL;
	}
	cat = cls / 1000;
	cname = cls == OCSF_PROCESS       ? "Process Activity"
	        : cls == OCSF_FILE_SYSTEM ? "File System Activity"
	                                  : "Network Activity";
	catname = cat == 1 ? "System Activity" : "Network Activity";
	o = json_object_new_object();
	if (!o)
		return NULL;
	put_int(o, "class_uid", cls);
	sr_j_put_str(o, "class_name", cname);
	put_int(o, "category_uid", cat);
	sr_j_put_str(o, "category_name", catname);
	put_int(o, "activity_id", act);
	sr_j_put_str(o, "activity_name", aname);
	put_int(o, "type_uid", (int64_t)cls * 100 + act);
	put_int(o, "severity_id", sev);
	sr_j_put_str(o, "severity", sev == 1 ? "Informational" : "Medium");
	put_int(o, "time", sr_j_time_ms(rec));
	put_int(o, "status_id", status);
	sr_j_put_str(o, "status", status == 1 ? "Success" : status == 2 ? "Failure" : "Unknown");
	if (rc < 0 && (cls == OCSF_PROCESS || cls == OCSF_FILE_SYSTEM))
		sr_j_put_str(o, "status_code", sr_errno_name((int)-rc, eb, sizeof(eb)));
	m = sr_j_obj(o, "metadata");
	sr_j_put_str(m, "version", SR_OCSF_VERSION);
	x = sr_j_obj(m, "product");
	sr_j_put_str(x, "name", "sshrec");
	sr_j_put_str(x, "vendor_name", "sshrec");
	sr_j_put_str(x, "version", PACKAGE_VERSION);
	sr_j_put_str(m, "uid", sr_j_str(rec, "uid"));
	sr_j_put_str(m, "correlation_uid", sr_j_str(rec, "sid"));
	put_int(m, "sequence", sr_j_int(rec, "ei", 0));
	sr_j_put_str(m, "original_time", sr_j_str(rec, "time"));
	sr_j_put_str(m, "log_name", ev);
	x = sr_j_obj(o, "device");
	sr_j_put_str(x, "hostname", sr_j_str(rec, "server_hostname"));
	sr_j_put_str(x, "uid", sr_j_str(rec, "server_id"));
	put_int(x, "type_id", 1);
	sr_j_put_str(x, "type", "Server");

	if (cls == OCSF_PROCESS) {
		bool is_cmd = !strcmp(ev, "session.command");
		json_object *parent = json_object_new_object();

		json_object_object_add(o, "process", ocsf_process(rec, ctx, is_cmd));
		put_int(parent, "pid", sr_j_int(rec, is_cmd ? "ppid" : "pid", 0));
		json_object_object_add(o, "actor", ocsf_actor(rec, ctx, parent));
		if (!strcmp(ev, "session.process_exit")) {
			put_int(o, "exit_code",
			        sr_j_has(rec, "exit_code") ? sr_j_int(rec, "exit_code", 0)
			                                   : 128 + sr_j_int(rec, "signal", 0));
			if (sr_j_int(rec, "signal", 0) > 0)
				sr_j_put_str(o, "status_detail",
				             sr_signal_name((int)sr_j_int(rec, "signal", 0), eb,
				                            sizeof(eb)));
		}
		if (is_cmd && sr_j_str(rec, "cwd"))
			sr_j_put_str(sr_j_obj(o, "unmapped"), "cwd", sr_j_str(rec, "cwd"));
	} else if (cls == OCSF_FILE_SYSTEM) {
		const char *p = sr_j_str(rec, "path");

		x = sr_j_obj(o, "file");
		sr_j_put_str(x, "path", p ? p : "");
		sr_j_put_str(x, "name", p ? base_name(p) : "");
		put_int(x, "type_id", 0);
		sr_j_put_str(x, "type", "Unknown");
		if (p && strrchr(p, '/') && strrchr(p, '/') != p) {
			char *d = strndup(p, (size_t)(strrchr(p, '/') - p));

			sr_j_put_str(x, "parent_folder", d);
			free(d);
		}
		json_object_object_add(o, "actor",
		                       ocsf_actor(rec, ctx, ocsf_process(rec, ctx, false)));
		x = sr_j_obj(o, "unmapped");
		sr_j_put_str(x, "flags_text", sr_j_str(rec, "flags_text"));
		put_int(x, "return_code", rc);
	} else {
		bool v6 = sr_j_int(rec, "version", 4) == 6;

		x = sr_j_obj(o, "src_endpoint");
		sr_j_put_str(x, "ip", sr_j_str(rec, "src_addr"));
		put_int(x, "port", sr_j_int(rec, "src_port", 0));
		x = sr_j_obj(o, "dst_endpoint");
		sr_j_put_str(x, "ip", sr_j_str(rec, "dst_addr"));
		put_int(x, "port", sr_j_int(rec, "dst_port", 0));
		x = sr_j_obj(o, "connection_info");
		sr_j_put_str(x, "protocol_name", "tcp");
		put_int(x, "protocol_num", 6);
		put_int(x, "protocol_ver_id", v6 ? 6 : 4);
		put_int(x, "direction_id", 2);
		sr_j_put_str(x, "direction", "Outbound");
		json_object_object_add(o, "actor",
		                       ocsf_actor(rec, ctx, ocsf_process(rec, ctx, false)));
	}
	return o;
}
