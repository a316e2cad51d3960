/* SPDX-License-Identifier: BSD-2-Clause */
/* Native record -> Elastic Common Schema document, written as JSON text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

/* related.{user,hosts,ip}: each list without duplicates or empty values. */
struct related {
	const char *user, *host;
	const char *ip[3];
	size_t nip;
};

static void related_ip(struct related *r, const char *v)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < r->nip; i++)
		if (!strcmp(r->ip[i], v))
			return;
	r->ip[r->nip++] = v;
}

static void write_related(struct sr_jw *w, const struct related *r)
{
	size_t i;

	sr_jw_obj(w, "related");
	if (r->user) {
		sr_jw_arr(w, "user");
		sr_jw_str(w, NULL, r->user);
		sr_jw_end(w);
	}
	if (r->host) {
		sr_jw_arr(w, "hosts");
		sr_jw_str(w, NULL, r->host);
		sr_jw_end(w);
	}
	if (r->nip) {
		sr_jw_arr(w, "ip");
		for (i = 0; i < r->nip; i++)
			sr_jw_str(w, NULL, r->ip[i]);
		sr_jw_end(w);
	}
	sr_jw_end(w);
}

/* process.* (without the closing brace: entry_leader follows), from the
 * record, completed from the processes row. */
static int ecs_process(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_ctx *ctx,
                       const char *ev)
{
	const struct sr_exp_proc *p = ctx->proc;
	bool is_cmd = !strcmp(ev, "session.command");
	struct sr_exp_exec x;
	const char *cwd = is_cmd ? sr_jrec_str(rec, "cwd") : p ? p->cwd : NULL;
	const struct sr_jval *argv = is_cmd ? sr_jrec_get(rec, "argv") : NULL;
	char *cl = NULL;
	int rc;

	sr_jw_int(w, "pid", sr_jrec_int(rec, "pid", 0));
	sr_jw_obj(w, "parent"); /* process.ppid left ECS after 1.12 */
	sr_jw_int(w, "pid", sr_jrec_int(rec, "ppid", 0));
	sr_jw_end(w);
	if (sr_exp_exec(rec, p, is_cmd, &x))
		return -ENOMEM;
	sr_jw_str(w, "name", x.name ? x.name : sr_jrec_str(rec, "program"));
	sr_jw_str(w, "executable", x.executable);
	free(x.owned);
	sr_jw_str(w, "working_directory", cwd);
	if (argv && argv->t == SR_JT_ARR) {
		const struct sr_jval *a0 = sr_jrec_get(rec, "argv0");

		sr_jw_int(w, "args_count", (int64_t)argv->n + (a0 && a0->t == SR_JT_STR));
		if ((rc = sr_exp_argv(rec, argv, a0, w, "args", &cl)))
			return rc;
		sr_jw_str(w, "command_line", cl);
		free(cl);
	} else if (!is_cmd && p && p->have_args) {
		sr_jw_int(w, "args_count", p->nargs);
		sr_jw_raw(w, "args", p->args, p->args_len);
		sr_jw_str(w, "command_line", p->cmdline);
	}
	if (sr_jrec_has(rec, "process_id") && ctx->sess && ctx->sess->sid)
		sr_exp_entity(w, "entity_id", ctx->sess->sid, sr_jrec_int(rec, "process_id", 0));
	if (is_cmd) {
		sr_exp_copy(w, "start", rec, "time");
		if (sr_jrec_has(rec, "proc_uid")) {
			sr_jw_obj(w, "user");
			sr_exp_int_str(w, "id", sr_jrec_int(rec, "proc_uid", 0));
			sr_jw_end(w);
			sr_jw_obj(w, "group");
			sr_exp_int_str(w, "id", sr_jrec_int(rec, "proc_gid", 0));
			sr_jw_end(w);
		}
	} else if (p && p->start_us) {
		sr_jw_str(w, "start", p->start);
	}
	if (!strcmp(ev, "session.process_exit")) {
		sr_exp_copy(w, "end", rec, "time");
		int64_t code;

		if (sr_jrec_has(rec, "exit_code"))
			sr_jw_int(w, "exit_code", sr_jrec_int(rec, "exit_code", 0));
		else if (sr_exp_signal_status(rec, &code))
			sr_jw_int(w, "exit_code", code);
	}
	return 0;
}

void sr_ecs_entry_leader(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_sess *s)
{
	char t[SR_TIME_STRLEN];

	sr_jw_obj(w, "entry_leader");
	sr_jw_str(w, "entity_id", s ? s->sid : rec ? sr_jrec_str(rec, "sid") : NULL);
	sr_jw_str(w, "name", "sshd");
	sr_jw_obj(w, "user");
	sr_jw_str(w, "name", s ? s->login : rec ? sr_jrec_str(rec, "login") : NULL);
	sr_jw_end(w);
	sr_jw_obj(w, "entry_meta");
	sr_jw_str(w, "type", "sshd");
	if (s && s->remote_addr) {
		sr_jw_obj(w, "source");
		sr_jw_str(w, "ip", s->remote_addr);
		sr_jw_end(w);
	}
	sr_jw_end(w);
	if (s) {
		sr_jw_int(w, "pid", s->leader_pid);
		sr_jw_str(w, "start", sr_time_format(s->start_us, t));
		sr_jw_bool(w, "interactive", sr_tty_is_terminal(s->tty));
	}
	sr_jw_end(w);
}

/* event.* and the outcome by event type. */
static void ecs_event(struct sr_jw *w, const struct sr_jrec *rec, const char *ev)
{
	const char *kind = "event", *cat = "session", *cat2 = NULL, *type = "info", *type2 = NULL,
	           *outcome = NULL;
	int64_t rc = sr_jrec_int(rec, "return_code", 0);
	const char *op = sr_jrec_str(rec, "change"), *action = ev;

	if (!strcmp(ev, "session.command")) {
		cat = "process";
		type = "start";
		outcome = rc < 0 ? "failure" : "success";
	} else if (!strcmp(ev, "session.process_exit")) {
		cat = "process";
		type = "end";
		outcome = sr_jrec_int(rec, "signal", 0) > 0 || sr_jrec_int(rec, "exit_code", 0) != 0
		              ? "failure"
		              : "success";
	} else if (!strcmp(ev, "session.disk") && op) {
		/* a file change (format 4): no result seen is said, not guessed */
		cat = "file";
		type = !strcmp(op, "unlink") || !strcmp(op, "rmdir") ? "deletion"
		       : !strcmp(op, "link") || !strcmp(op, "symlink") || !strcmp(op, "mkdir") ||
		               !strcmp(op, "mknod")
		           ? "creation"
		           : "change";
		outcome = !sr_jrec_has(rec, "return_code") ? "unknown"
		          : rc < 0                         ? "failure"
		                                           : "success";
		action = op;
	} else if (!strcmp(ev, "session.disk")) {
		int64_t fl = sr_jrec_int(rec, "flags", 0);

		cat = "file";
		type = (fl & 0100) ? "creation" : (fl & 3) ? "change" : "access";
		outcome = rc < 0 ? "failure" : "success";
	} else if (!strcmp(ev, "session.network")) {
		const char *res = sr_jrec_str(rec, "result");

		cat = "network";
		type = "connection";
		/* action 1: the policy refused it (Teleport's EventAction DENIED) */
		type2 = sr_jrec_int(rec, "action", 0) == 1      ? "denied"
		        : sr_jrec_int(rec, "operation", 0) == 1 ? "info" /* a UDP send */
		                                                : "start";
		/* a send is recorded before its result: unknown */
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
	} else if (!strcmp(ev, "session.denied")) {
		const char *act = sr_exp_str_or(rec, "kind", "action"),
		           *mode = sr_exp_str_or(rec, "policy_mode", "mode");
		bool audit = mode && !strcmp(mode, "audit");

		/* a policy hit: denied (enforced) or allowed and flagged (audit) */
		kind = "alert";
		cat = "intrusion_detection";
		cat2 = !act                      ? NULL
		       : !strcmp(act, "connect") ? "network"
		       : !strcmp(act, "write")   ? "file"
		                                 : "process";
		type = audit ? "allowed" : "denied";
		outcome = audit ? "success" : "failure";
	}
	sr_jw_obj(w, "event");
	sr_jw_str(w, "kind", kind);
	sr_jw_arr(w, "category");
	sr_jw_str(w, NULL, cat);
	sr_jw_str(w, NULL, cat2);
	sr_jw_end(w);
	sr_jw_arr(w, "type");
	sr_jw_str(w, NULL, type);
	sr_jw_str(w, NULL, type2);
	sr_jw_end(w);
	sr_jw_str(w, "action", action);
	sr_exp_copy(w, "code", rec, "code");
	sr_exp_copy(w, "id", rec, "uid");
	sr_jw_int(w, "sequence", sr_jrec_int(rec, "ei", 0));
	sr_jw_str(w, "module", "sshrec");
	sr_jw_str(w, "dataset", "sshrec.session");
	sr_jw_str(w, "outcome", outcome);
	sr_jw_end(w);
}

/*
 * Open file.* with the path of @p p and its parts (the caller ends it);
 * file.type @p type when known (a mknod's), else "dir" for a directory.
 */
static void ecs_file_begin(struct sr_jw *w, const char *p, int64_t flags, const char *type)
{
	struct sr_exp_file f;

	sr_exp_file_split(p, flags, &f);
	sr_jw_obj(w, "file");
	sr_jw_str(w, "path", p);
	if (f.name)
		sr_jw_strn(w, "name", f.name, f.name_len);
	if (f.dir)
		sr_jw_strn(w, "directory", f.dir, f.dir_len);
	if (type || f.is_dir)
		sr_jw_str(w, "type", type ? type : "dir");
}

static void ecs_file(struct sr_jw *w, const char *p, int64_t flags)
{
	ecs_file_begin(w, p, flags, NULL);
	sr_jw_end(w);
}

/*
 * file.* of a file change: the changed file, a symlink's content as
 * file.target_path, the new mode (octal, as ECS writes it), owner or size,
 * a node's type; a rename's or link's new name has no ECS field
 * (sshrec.new_path), nor a device's numbers (sshrec.device_major, _minor).
 */
static void ecs_fchange(struct sr_jw *w, const struct sr_jrec *rec)
{
	const char *type = sr_jrec_str(rec, "file_type"); /* mknod */
	char mode[16];

	/* ECS names a regular file "file" */
	ecs_file_begin(w, sr_jrec_str(rec, "path"), 0,
	               type && !strcmp(type, "regular") ? "file" : type);
	sr_exp_copy(w, "target_path", rec, "target");
	if (sr_jrec_has(rec, "mode")) {
		snprintf(mode, sizeof(mode), "%llo",
		         (unsigned long long)sr_jrec_int(rec, "mode", 0));
		sr_jw_str(w, "mode", mode);
	}
	if (sr_jrec_has(rec, "owner_uid"))
		sr_exp_int_str(w, "uid", sr_jrec_int(rec, "owner_uid", 0)); /* ECS keywords */
	if (sr_jrec_has(rec, "owner_gid"))
		sr_exp_int_str(w, "gid", sr_jrec_int(rec, "owner_gid", 0));
	if (sr_jrec_has(rec, "length"))
		sr_jw_int(w, "size", sr_jrec_int(rec, "length", 0));
	sr_jw_end(w);
}

static void endpoint(struct sr_jw *w, const char *key, const char *ip, int64_t port)
{
	sr_jw_obj(w, key);
	sr_jw_str(w, "ip", ip);
	sr_jw_int(w, "port", port);
	sr_jw_end(w);
}

/* What ECS has no field for, under the sshrec namespace. */
static void ecs_sshrec(struct sr_jw *w, const struct sr_jrec *rec)
{
	sr_jw_obj(w, "sshrec");
	sr_exp_copy(w, "sid", rec, "sid");
	sr_exp_copy(w, "user", rec, "user");
	sr_jw_int(w, "ei", sr_jrec_int(rec, "ei", 0));
	sr_jw_int(w, "cgroup_id", sr_jrec_int(rec, "cgroup_id", 0));
	sr_jw_int(w, "audit_session_id", sr_jrec_int(rec, "audit_session_id", 0));
	if (sr_jrec_has(rec, "return_code"))
		sr_jw_int(w, "return_code", sr_jrec_int(rec, "return_code", 0));
	sr_exp_copy(w, "flags_text", rec, "flags_text");
	sr_exp_copy(w, "new_path", rec, "new_path");
	if (sr_jrec_has(rec, "device_major")) {
		sr_jw_int(w, "device_major", sr_jrec_int(rec, "device_major", 0));
		sr_jw_int(w, "device_minor", sr_jrec_int(rec, "device_minor", 0));
	}
	sr_exp_copy(w, "result", rec, "result");
	if (sr_jrec_has(rec, "argv_truncated"))
		sr_jw_bool(w, "argv_truncated", sr_jrec_bool(rec, "argv_truncated"));
	if (sr_jrec_has(rec, "lost"))
		sr_jw_int(w, "lost", sr_jrec_int(rec, "lost", 0));
	if (sr_jrec_int(rec, "signal", 0) > 0) {
		char b[32];

		/* a name, so not "signal" (an integer in the native records) */
		sr_jw_str(w, "signal_name",
		          sr_signal_name((int)sr_jrec_int(rec, "signal", 0), b, sizeof(b)));
	}
	if (sr_jrec_has(rec, "duration_ms"))
		sr_jw_int(w, "duration_ms", sr_jrec_int(rec, "duration_ms", 0));
	sr_exp_copy(w, "to_cgroup_path", rec, "to_cgroup_path");
	if (sr_jrec_str(rec, "effect")) { /* session.denied */
		sr_jw_str(w, "kind", sr_exp_str_or(rec, "kind", "action"));
		sr_exp_copy(w, "target", rec, "target");
		sr_jw_str(w, "policy_mode", sr_exp_str_or(rec, "policy_mode", "mode"));
		sr_exp_copy(w, "mechanism", rec, "mechanism");
		sr_exp_copy(w, "effect", rec, "effect");
	}
	sr_jw_end(w);
}

/* session.denied: the rule, and what it was about (a file, or a destination). */
static void ecs_denied(struct sr_jw *w, const struct sr_jrec *rec)
{
	const char *act = sr_exp_str_or(rec, "kind", "action");

	sr_jw_obj(w, "rule");
	sr_exp_copy(w, "name", rec, "rule");
	sr_jw_str(w, "ruleset", "sshrecd.conf");
	sr_jw_end(w);
	if (act && !strcmp(act, "connect")) {
		endpoint(w, "destination", sr_jrec_str(rec, "dst_addr"),
		         sr_jrec_int(rec, "dst_port", 0));
		sr_jw_obj(w, "network");
		sr_jw_str(w, "type", sr_jrec_int(rec, "version", 4) == 6 ? "ipv6" : "ipv4");
		sr_jw_str(w, "direction", "egress");
		sr_jw_end(w);
	} else {
		ecs_file(w, sr_jrec_str(rec, "path"), sr_jrec_int(rec, "flags", 0));
	}
}

/*
 * network of a session.network: source is the end that initiated (the
 * remote one of an accept, operation 2), and the direction is the host's
 * point of view, as ECS asks of host-based sensors.
 */
static void ecs_network(struct sr_jw *w, const struct sr_jrec *rec)
{
	int64_t op = sr_jrec_int(rec, "operation", 0);

	sr_jw_obj(w, "network");
	sr_jw_str(w, "transport", op == 1 ? "udp" : "tcp");
	sr_jw_str(w, "type", sr_jrec_int(rec, "version", 4) == 6 ? "ipv6" : "ipv4");
	sr_jw_str(w, "direction", op == 2 ? "ingress" : "egress");
	sr_jw_end(w);
}

int sr_ecs_write(const struct sr_jrec *rec, const struct sr_exp_ctx *ctx, struct sr_jw *w)
{
	const char *ev = sr_jrec_str(rec, "event"), *login = sr_jrec_str(rec, "login"),
	           *host = sr_jrec_str(rec, "server_hostname");
	const struct sr_exp_sess *s = ctx->sess;
	bool is_net = ev && !strcmp(ev, "session.network"), early;
	struct related rel = {0};
	int rc;

	if (!ev)
		return -EINVAL;
	rel.user = login && *login ? login : NULL;
	rel.host = host && *host ? host : NULL;
	if (s)
		related_ip(&rel, s->remote_addr);
	if (is_net) {
		related_ip(&rel, sr_jrec_str(rec, "src_addr"));
		related_ip(&rel, sr_jrec_str(rec, "dst_addr"));
	} else if (!strcmp(ev, "session.denied")) {
		related_ip(&rel, sr_jrec_str(rec, "dst_addr"));
	}
	sr_jw_obj(w, NULL);
	sr_exp_copy(w, "@timestamp", rec, "time");
	sr_jw_obj(w, "ecs");
	sr_jw_str(w, "version", SR_ECS_VERSION);
	sr_jw_end(w);
	ecs_event(w, rec, ev);
	sr_jw_obj(w, "host");
	sr_jw_str(w, "hostname", host);
	sr_jw_str(w, "name", host);
	sr_exp_copy(w, "id", rec, "server_id");
	sr_jw_end(w);
	sr_jw_obj(w, "user");
	sr_jw_str(w, "name", login);
	sr_jw_end(w);
	/* related sits where its first value was known: after user, or after process */
	early = rel.user || rel.host;
	if (early)
		write_related(w, &rel);

	sr_jw_obj(w, "process");
	if (strcmp(ev, "session.start") && strcmp(ev, "session.end") &&
	    strcmp(ev, "session.data_loss") && (rc = ecs_process(w, rec, ctx, ev)))
		return rc;
	if (ctx->sess && ctx->frag)
		sr_jw_raw(w, "entry_leader", ctx->frag->ecs_leader, ctx->frag->ecs_leader_len);
	else
		sr_ecs_entry_leader(w, rec, ctx->sess);
	sr_jw_end(w);
	if (!early && rel.nip)
		write_related(w, &rel);

	if (!strcmp(ev, "session.disk") && sr_jrec_str(rec, "change")) {
		ecs_fchange(w, rec);
	} else if (!strcmp(ev, "session.disk")) {
		ecs_file(w, sr_jrec_str(rec, "path"), sr_jrec_int(rec, "flags", 0));
	} else if (is_net) {
		endpoint(w, "source", sr_jrec_str(rec, "src_addr"),
		         sr_jrec_int(rec, "src_port", 0));
		endpoint(w, "destination", sr_jrec_str(rec, "dst_addr"),
		         sr_jrec_int(rec, "dst_port", 0));
		ecs_network(w, rec);
	} else if (!strcmp(ev, "session.denied")) {
		ecs_denied(w, rec);
	} else if (!strcmp(ev, "session.start") && s) {
		if (s->remote_addr)
			endpoint(w, "source", s->remote_addr, s->remote_port);
		if (s->local_addr)
			endpoint(w, "destination", s->local_addr, s->local_port);
	}
	ecs_sshrec(w, rec);
	sr_jw_end(w);
	return sr_jw_error(w);
}
