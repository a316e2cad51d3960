/* SPDX-License-Identifier: BSD-2-Clause */
/* Native record -> OCSF 1.1 event (Process, File System, Network Activity,
 * Authentication), written as JSON text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

enum {
	OCSF_FILE_SYSTEM = 1001,
	OCSF_PROCESS = 1007,
	OCSF_AUTHENTICATION = 3002,
	OCSF_NETWORK = 4001,
};

static void put_time_ms(struct sr_jw *w, const char *k, int64_t us)
{
	if (us)
		sr_jw_int(w, k, us / 1000);
}

void sr_ocsf_session(struct sr_jw *w, const char *sid, const struct sr_exp_sess *r)
{
	sr_jw_obj(w, "session");
	sr_jw_str(w, "uid", sid);
	sr_jw_bool(w, "is_remote", true);
	if (r) {
		put_time_ms(w, "created_time", r->start_us);
		sr_jw_str(w, "terminal", r->tty);
		sr_jw_str(w, "issuer", r->key_fingerprint);
		sr_jw_str(w, "credential_uid", r->key_fingerprint);
	}
	sr_jw_end(w);
}

/* The OCSF session object of the record's SSH login (cached per session). */
static void ocsf_session(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_ctx *ctx)
{
	const char *sid = sr_jrec_str(rec, "sid");

	if (ctx->frag && ctx->sess && sid && ctx->sess->sid && !strcmp(sid, ctx->sess->sid))
		sr_jw_raw(w, "session", ctx->frag->ocsf_session, ctx->frag->ocsf_session_len);
	else
		sr_ocsf_session(w, sid, ctx->sess);
}

/* The OCSF process object of the record's process, as member @p key. */
static int ocsf_process(struct sr_jw *w, const char *key, const struct sr_jrec *rec,
                        const struct sr_exp_ctx *ctx, bool is_cmd)
{
	const struct sr_exp_proc *pr = ctx->proc;
	const struct sr_jval *argv = is_cmd ? sr_jrec_get(rec, "argv") : NULL;
	struct sr_exp_exec x;

	if (sr_exp_exec(rec, pr, is_cmd, &x))
		return -ENOMEM;
	sr_jw_obj(w, key);
	sr_jw_int(w, "pid", sr_jrec_int(rec, "pid", 0));
	sr_jw_str(w, "name", x.name ? x.name : sr_jrec_str(rec, "program"));
	if (x.executable) {
		sr_jw_obj(w, "file");
		sr_jw_str(w, "path", x.executable);
		sr_jw_str(w, "name", x.name);
		sr_jw_int(w, "type_id", 1);
		sr_jw_str(w, "type", "Regular File");
		sr_jw_end(w);
		free(x.owned);
	}
	if (argv && argv->t == SR_JT_ARR) {
		char *cl = NULL;
		int rc = sr_exp_argv(rec, argv, sr_jrec_get(rec, "argv0"), NULL, NULL, &cl);

		if (rc)
			return rc;
		sr_jw_str(w, "cmd_line", cl);
		free(cl);
	} else if (!is_cmd && pr && pr->have_args) {
		sr_jw_str(w, "cmd_line", pr->cmdline);
	}
	if (sr_jrec_has(rec, "process_id"))
		sr_exp_entity(w, "uid", sr_jrec_str(rec, "sid"), sr_jrec_int(rec, "process_id", 0));
	sr_jw_obj(w, "parent_process");
	sr_jw_int(w, "pid", sr_jrec_int(rec, "ppid", 0));
	sr_jw_end(w);
	if (is_cmd) {
		put_time_ms(w, "created_time", sr_exp_time_ms(rec) * 1000);
		if (sr_jrec_has(rec, "proc_uid")) {
			sr_jw_obj(w, "user");
			sr_exp_int_str(w, "uid", sr_jrec_int(rec, "proc_uid", 0));
			sr_jw_end(w);
		}
	} else if (pr) {
		put_time_ms(w, "created_time", pr->start_us);
	}
	ocsf_session(w, rec, ctx);
	sr_jw_end(w);
	return 0;
}

/* The actor: the SSH user, their session and the acting process (written by
 * @p proc_pid >= 0 as {"pid": n}, else the record's full process object). */
static int ocsf_actor(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_ctx *ctx,
                      int64_t proc_pid)
{
	int rc = 0;

	sr_jw_obj(w, "actor");
	sr_jw_obj(w, "user");
	sr_exp_copy(w, "name", rec, "login");
	sr_jw_int(w, "type_id", 1);
	sr_jw_end(w);
	ocsf_session(w, rec, ctx);
	if (proc_pid >= 0) {
		sr_jw_obj(w, "process");
		sr_jw_int(w, "pid", proc_pid);
		sr_jw_end(w);
	} else {
		rc = ocsf_process(w, "process", rec, ctx, false);
	}
	sr_jw_end(w);
	return rc;
}

/* class_uid … device: the attributes every class carries. */
static void ocsf_base(struct sr_jw *w, const struct sr_jrec *rec, const char *ev, int cls, int act,
                      const char *aname, int sev, int status, bool security_control)
{
	int64_t rc = sr_jrec_int(rec, "return_code", 0);
	int cat = cls / 1000;
	char eb[32];

	sr_jw_int(w, "class_uid", cls);
	sr_jw_str(w, "class_name",
	          cls == OCSF_PROCESS          ? "Process Activity"
	          : cls == OCSF_FILE_SYSTEM    ? "File System Activity"
	          : cls == OCSF_AUTHENTICATION ? "Authentication"
	                                       : "Network Activity");
	sr_jw_int(w, "category_uid", cat);
	sr_jw_str(w, "category_name",
	          cat == 1   ? "System Activity"
	          : cat == 3 ? "Identity & Access Management"
	                     : "Network Activity");
	sr_jw_int(w, "activity_id", act);
	sr_jw_str(w, "activity_name", aname);
	sr_jw_int(w, "type_uid", (int64_t)cls * 100 + act);
	sr_jw_int(w, "severity_id", sev);
	sr_jw_str(w, "severity", sev == 1 ? "Informational" : sev == 2 ? "Low" : "Medium");
	sr_jw_int(w, "time", sr_exp_time_ms(rec));
	sr_jw_int(w, "status_id", status);
	sr_jw_str(w, "status", status == 1 ? "Success" : status == 2 ? "Failure" : "Unknown");
	if (rc < 0 && (cls == OCSF_PROCESS || cls == OCSF_FILE_SYSTEM))
		sr_jw_str(w, "status_code", sr_rc_errno_name(rc, eb, sizeof(eb)));
	sr_jw_obj(w, "metadata");
	sr_jw_str(w, "version", SR_OCSF_VERSION);
	sr_jw_obj(w, "product");
	sr_jw_str(w, "name", "sshrec");
	sr_jw_str(w, "vendor_name", "sshrec");
	sr_jw_str(w, "version", PACKAGE_VERSION);
	sr_jw_end(w);
	sr_exp_copy(w, "uid", rec, "uid");
	sr_exp_copy(w, "correlation_uid", rec, "sid");
	sr_jw_int(w, "sequence", sr_jrec_int(rec, "ei", 0));
	sr_exp_copy(w, "original_time", rec, "time");
	sr_jw_str(w, "log_name", ev);
	/* device and actor come with the host profile (System Activity has them
	 * of its own, Network Activity and Authentication through the profile);
	 * session.denied's action_id and disposition_id with security_control */
	sr_jw_arr(w, "profiles");
	sr_jw_str(w, NULL, "host");
	if (security_control)
		sr_jw_str(w, NULL, "security_control");
	sr_jw_end(w);
	sr_jw_end(w);
	sr_jw_obj(w, "device");
	sr_exp_copy(w, "hostname", rec, "server_hostname");
	sr_exp_copy(w, "uid", rec, "server_id");
	sr_jw_int(w, "type_id", 1);
	sr_jw_str(w, "type", "Server");
	sr_jw_end(w);
}

static int ocsf_process_class(struct sr_jw *w, const struct sr_jrec *rec,
                              const struct sr_exp_ctx *ctx, const char *ev)
{
	bool is_cmd = !strcmp(ev, "session.command");
	int rc;

	if ((rc = ocsf_process(w, "process", rec, ctx, is_cmd)) ||
	    (rc = ocsf_actor(w, rec, ctx, sr_jrec_int(rec, is_cmd ? "ppid" : "pid", 0))))
		return rc;
	if (!strcmp(ev, "session.process_exit")) {
		int64_t sig = sr_jrec_int(rec, "signal", 0), code;
		char eb[32];

		if (sr_jrec_has(rec, "exit_code"))
			sr_jw_int(w, "exit_code", sr_jrec_int(rec, "exit_code", 0));
		else if (sr_exp_signal_status(rec, &code))
			sr_jw_int(w, "exit_code", code);
		if (sig > 0)
			sr_jw_str(w, "status_detail", sr_signal_name((int)sig, eb, sizeof(eb)));
	}
	if (is_cmd && sr_jrec_str(rec, "cwd")) {
		sr_jw_obj(w, "unmapped");
		sr_jw_str(w, "cwd", sr_jrec_str(rec, "cwd"));
		sr_jw_end(w);
	}
	return 0;
}

/*
 * OCSF 1.1 file type_id of a mknod record's file_type (1 Regular File, 3
 * Character Device, 4 Block Device, 5 Local Socket, 6 Named Pipe), else 2
 * Folder or 0 Unknown: a plain open does not say what it was.
 */
static int ocsf_file_type(const char *type, bool is_dir, const char **name)
{
	static const struct {
		const char *type, *name;
		int id;
	} types[] = {
	    {"regular", "Regular File", 1}, {"char", "Character Device", 3},
	    {"block", "Block Device", 4},   {"socket", "Local Socket", 5},
	    {"fifo", "Named Pipe", 6},
	};
	size_t i;

	for (i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].type)) {
			*name = types[i].name;
			return types[i].id;
		}
	*name = is_dir ? "Folder" : "Unknown";
	return is_dir ? 2 : 0;
}

/* The OCSF file object of the record's path. */
static void ocsf_file(struct sr_jw *w, const struct sr_jrec *rec)
{
	const char *p = sr_jrec_str(rec, "path"), *type;
	struct sr_exp_file f;
	int type_id;

	sr_exp_file_split(p, sr_jrec_int(rec, "flags", 0), &f);
	type_id = ocsf_file_type(sr_jrec_str(rec, "file_type"), f.is_dir, &type);
	sr_jw_obj(w, "file");
	sr_jw_str(w, "path", p ? p : "");
	sr_jw_strn(w, "name", f.name ? f.name : "", f.name_len);
	sr_jw_int(w, "type_id", type_id);
	sr_jw_str(w, "type", type);
	if (f.dir)
		sr_jw_strn(w, "parent_folder", f.dir, f.dir_len);
	sr_jw_end(w);
}

/*
 * File System Activity's activity of a file change (session.disk's
 * operation): Delete, Rename, Set Attributes (mode, owner), Update (size),
 * Create (a link, a directory, a node).
 */
static int ocsf_fchange_activity(const char *op, const char **name)
{
	static const struct {
		const char *op, *name;
		int id;
	} acts[] = {
	    {"unlink", "Delete", 4},        {"rmdir", "Delete", 4},
	    {"rename", "Rename", 5},        {"chmod", "Set Attributes", 6},
	    {"chown", "Set Attributes", 6}, {"truncate", "Update", 3},
	    {"link", "Create", 1},          {"symlink", "Create", 1},
	    {"exchange", "Rename", 5}, /* two renames at once: each name gets the other file */
	    {"mkdir", "Create", 1},         {"mknod", "Create", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(op, acts[i].op)) {
			*name = acts[i].name;
			return acts[i].id;
		}
	*name = "Other";
	return 99;
}

static int ocsf_file_class(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_ctx *ctx)
{
	int rc;

	ocsf_file(w, rec);
	if (sr_jrec_str(rec, "new_path")) { /* rename, link: the file it made */
		sr_jw_obj(w, "file_result");
		sr_exp_copy(w, "path", rec, "new_path");
		sr_jw_str(w, "name", sr_exp_basename(sr_jrec_str(rec, "new_path")));
		sr_jw_int(w, "type_id", 0);
		sr_jw_str(w, "type", "Unknown");
		sr_jw_end(w);
	}
	if ((rc = ocsf_actor(w, rec, ctx, -1)))
		return rc;
	sr_jw_obj(w, "unmapped");
	sr_exp_copy(w, "flags_text", rec, "flags_text");
	sr_exp_copy(w, "change", rec, "change");
	sr_exp_copy(w, "target", rec, "target");
	if (sr_jrec_has(rec, "mode") && sr_jrec_str(rec, "change"))
		sr_jw_int(w, "mode", sr_jrec_int(rec, "mode", 0));
	if (sr_jrec_has(rec, "owner_uid"))
		sr_jw_int(w, "owner_uid", sr_jrec_int(rec, "owner_uid", 0));
	if (sr_jrec_has(rec, "owner_gid"))
		sr_jw_int(w, "owner_gid", sr_jrec_int(rec, "owner_gid", 0));
	if (sr_jrec_has(rec, "length"))
		sr_jw_int(w, "length", sr_jrec_int(rec, "length", 0));
	if (sr_jrec_has(rec, "device_major")) {
		sr_jw_int(w, "device_major", sr_jrec_int(rec, "device_major", 0));
		sr_jw_int(w, "device_minor", sr_jrec_int(rec, "device_minor", 0));
	}
	if (sr_jrec_has(rec, "return_code") || !sr_jrec_str(rec, "change"))
		sr_jw_int(w, "return_code", sr_jrec_int(rec, "return_code", 0));
	sr_jw_end(w);
	return 0;
}

static int ocsf_network_class(struct sr_jw *w, const struct sr_jrec *rec,
                              const struct sr_exp_ctx *ctx)
{
	bool v6 = sr_jrec_int(rec, "version", 4) == 6;
	int64_t op = sr_jrec_int(rec, "operation", 0); /* 1 UDP send, 2 accept (inbound) */

	sr_jw_obj(w, "src_endpoint");
	sr_jw_str(w, "ip", sr_jrec_str(rec, "src_addr"));
	sr_jw_int(w, "port", sr_jrec_int(rec, "src_port", 0));
	sr_jw_end(w);
	sr_jw_obj(w, "dst_endpoint");
	sr_jw_str(w, "ip", sr_jrec_str(rec, "dst_addr"));
	sr_jw_int(w, "port", sr_jrec_int(rec, "dst_port", 0));
	sr_jw_end(w);
	sr_jw_obj(w, "connection_info");
	sr_jw_str(w, "protocol_name", op == 1 ? "udp" : "tcp");
	sr_jw_int(w, "protocol_num", op == 1 ? 17 : 6);
	sr_jw_int(w, "protocol_ver_id", v6 ? 6 : 4);
	sr_jw_int(w, "direction_id", op == 2 ? 1 : 2);
	sr_jw_str(w, "direction", op == 2 ? "Inbound" : "Outbound");
	sr_jw_end(w);
	return ocsf_actor(w, rec, ctx, -1);
}

/* "ip:port" or "[ip]:port" of the record's @p key as an endpoint (ECS-less
 * records without a session row). */
static void endpoint_from_addr(struct sr_jw *w, const char *key, const char *addr)
{
	const char *colon = addr ? strrchr(addr, ':') : NULL;
	size_t iplen;

	if (!colon)
		return;
	iplen = (size_t)(colon - addr);
	if (iplen >= 2 && addr[0] == '[' && addr[iplen - 1] == ']') {
		addr++;
		iplen -= 2;
	}
	sr_jw_obj(w, key);
	sr_jw_strn(w, "ip", addr, iplen);
	sr_jw_int(w, "port", strtol(colon + 1, NULL, 10));
	sr_jw_end(w);
}

static void endpoint_row(struct sr_jw *w, const char *key, const char *ip, int port,
                         const char *hostname)
{
	sr_jw_obj(w, key);
	sr_jw_str(w, "hostname", hostname);
	sr_jw_str(w, "ip", ip);
	sr_jw_int(w, "port", port);
	sr_jw_end(w);
}

/* Authentication (3002): session.start is a Logon, session.end a Logoff. */
static void ocsf_auth_class(struct sr_jw *w, const struct sr_jrec *rec,
                            const struct sr_exp_ctx *ctx, bool logoff)
{
	const struct sr_exp_sess *s = ctx->sess;
	/* the session's final terminal for Logon and Logoff alike: session.start's
	 * own tty is PAM's, "ssh", before sshd opened the pty */
	const char *tty = s ? s->tty : sr_jrec_str(rec, "tty");
	const char *svc = sr_jrec_str(rec, "service") ? sr_jrec_str(rec, "service")
	                  : s                         ? s->service
	                                              : NULL;
	bool interactive = s || !sr_jrec_has(rec, "interactive") ? sr_tty_is_terminal(tty)
	                                                         : sr_jrec_bool(rec, "interactive");

	sr_jw_obj(w, "user");
	sr_exp_copy(w, "name", rec, "login");
	sr_jw_int(w, "type_id", 1);
	sr_jw_str(w, "type", "User");
	sr_jw_str(w, "credential_uid", s ? s->key_fingerprint : NULL);
	sr_jw_end(w);
	/* SSH has no auth_protocol_id of its own in OCSF 1.1: 99 Other, named */
	sr_jw_int(w, "auth_protocol_id", 99);
	sr_jw_str(w, "auth_protocol", "SSH");
	sr_jw_int(w, "logon_type_id", interactive ? 10 : 3);
	sr_jw_str(w, "logon_type", interactive ? "Remote Interactive" : "Network");
	sr_jw_bool(w, "is_remote", true);
	if (s && s->remote_addr)
		endpoint_row(w, "src_endpoint", s->remote_addr, s->remote_port, NULL);
	else
		endpoint_from_addr(w, "src_endpoint", sr_jrec_str(rec, "addr.remote"));
	if (s && s->local_addr)
		endpoint_row(w, "dst_endpoint", s->local_addr, s->local_port,
		             sr_jrec_str(rec, "server_hostname"));
	else
		endpoint_from_addr(w, "dst_endpoint", sr_jrec_str(rec, "addr.local"));
	if (svc) {
		sr_jw_obj(w, "service");
		sr_jw_str(w, "name", svc);
		sr_jw_end(w);
	}
	ocsf_session(w, rec, ctx);
	if (logoff) {
		int64_t t0 = 0, t1 = 0;
		const char *a = sr_jrec_str(rec, "session_start"),
		           *b = sr_jrec_str(rec, "session_stop");

		if (a && b && sr_time_parse(a, 0, &t0) == 0 && sr_time_parse(b, 0, &t1) == 0) {
			sr_jw_int(w, "start_time", t0 / 1000);
			sr_jw_int(w, "end_time", t1 / 1000);
			sr_jw_int(w, "duration", (t1 - t0) / 1000);
		}
		sr_jw_obj(w, "unmapped");
		sr_jw_int(w, "lost", sr_jrec_int(rec, "lost", 0));
		sr_jw_end(w);
	}
}

/*
 * session.denied in the class of what was tried (Process Activity Launch,
 * File System Activity Open, Network Activity Refuse, or Open when only
 * audited), with the security_control profile: action Denied and
 * disposition Blocked, or action Allowed and disposition Logged (audit).
 */
static int ocsf_denied_class(struct sr_jw *w, const struct sr_jrec *rec,
                             const struct sr_exp_ctx *ctx, int cls, bool audit)
{
	const char *p = sr_jrec_str(rec, "path");
	int rc;

	sr_jw_int(w, "action_id", audit ? 1 : 2);
	sr_jw_str(w, "action", audit ? "Allowed" : "Denied");
	sr_jw_int(w, "disposition_id", audit ? 17 : 2);
	sr_jw_str(w, "disposition", audit ? "Logged" : "Blocked");
	if (cls == OCSF_NETWORK) {
		sr_jw_obj(w, "src_endpoint");
		sr_exp_copy(w, "hostname", rec, "server_hostname");
		sr_jw_end(w);
		sr_jw_obj(w, "dst_endpoint");
		sr_jw_str(w, "ip", sr_jrec_str(rec, "dst_addr"));
		sr_jw_int(w, "port", sr_jrec_int(rec, "dst_port", 0));
		sr_jw_end(w);
		sr_jw_obj(w, "connection_info");
		sr_jw_int(w, "protocol_ver_id", sr_jrec_int(rec, "version", 4) == 6 ? 6 : 4);
		sr_jw_int(w, "direction_id", 2);
		sr_jw_str(w, "direction", "Outbound");
		sr_jw_end(w);
	} else if (cls == OCSF_FILE_SYSTEM) {
		ocsf_file(w, rec);
	} else { /* the program it tried to run, in the same process */
		sr_jw_obj(w, "process");
		sr_jw_int(w, "pid", sr_jrec_int(rec, "pid", 0));
		sr_jw_str(w, "name", p ? sr_exp_basename(p) : "");
		sr_jw_obj(w, "file");
		sr_jw_str(w, "path", p ? p : "");
		sr_jw_str(w, "name", p ? sr_exp_basename(p) : "");
		sr_jw_int(w, "type_id", 1);
		sr_jw_str(w, "type", "Regular File");
		sr_jw_end(w);
		ocsf_session(w, rec, ctx);
		sr_jw_end(w);
	}
	if ((rc = ocsf_actor(w, rec, ctx, -1)))
		return rc;
	sr_jw_obj(w, "unmapped");
	sr_exp_copy(w, "rule", rec, "rule");
	sr_exp_copy(w, "target", rec, "target");
	sr_exp_copy(w, "mechanism", rec, "mechanism");
	sr_exp_copy(w, "effect", rec, "effect");
	sr_exp_copy(w, "flags_text", rec, "flags_text");
	sr_jw_end(w);
	return 0;
}

int sr_ocsf_write(const struct sr_jrec *rec, const struct sr_exp_ctx *ctx, struct sr_jw *w)
{
	const char *ev = sr_jrec_str(rec, "event"), *aname;
	int64_t rc = sr_jrec_int(rec, "return_code", 0);
	int cls, act, sev = 1, status = 0, err;
	bool denied = false, audit = false;

	if (!ev)
		return -EINVAL;
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
	} else if (!strcmp(ev, "session.disk") && sr_jrec_str(rec, "change")) {
		cls = OCSF_FILE_SYSTEM;
		act = ocsf_fchange_activity(sr_jrec_str(rec, "change"), &aname);
		/* a result not observed is Unknown, never Success */
		status = !sr_jrec_has(rec, "return_code") ? 0 : rc < 0 ? 2 : 1;
	} else if (!strcmp(ev, "session.disk")) {
		cls = OCSF_FILE_SYSTEM;
		act = (sr_jrec_int(rec, "flags", 0) & 0100) ? 1 : 14;
		aname = act == 1 ? "Create" : "Open";
		status = rc < 0 ? 2 : 1;
	} else if (!strcmp(ev, "session.network")) {
		const char *res = sr_jrec_str(rec, "result");

		cls = OCSF_NETWORK;
		/*
		 * action 1: the policy refused it (Refuse); a UDP send is Traffic;
		 * else (a connect, an accept) it opened or failed
		 */
		act = sr_jrec_int(rec, "action", 0) == 1      ? 5
		      : sr_jrec_int(rec, "operation", 0) == 1 ? 6
		      : res && !strcmp(res, "failed")         ? 4
		                                              : 1;
		aname = act == 5 ? "Refuse" : act == 6 ? "Traffic" : act == 4 ? "Fail" : "Open";
		status = act == 4 || act == 5 ? 2 : res && !strcmp(res, "established") ? 1 : 0;
	} else if (!strcmp(ev, "session.denied")) {
		const char *a = sr_exp_str_or(rec, "kind", "action"),
		           *mode = sr_exp_str_or(rec, "policy_mode", "mode");

		denied = true;
		audit = mode && !strcmp(mode, "audit");
		cls = a && !strcmp(a, "connect") ? OCSF_NETWORK
		      : a && !strcmp(a, "write") ? OCSF_FILE_SYSTEM
		                                 : OCSF_PROCESS;
		act = cls == OCSF_PROCESS ? 1 : cls == OCSF_FILE_SYSTEM ? 14 : audit ? 1 : 5;
		aname = cls == OCSF_PROCESS       ? "Launch"
		        : cls == OCSF_FILE_SYSTEM ? "Open"
		        : audit                   ? "Open"
		                                  : "Refuse";
		sev = audit ? 2 : 3;
		status = audit ? 1 : 2;
	} else if (!strcmp(ev, "session.start") || !strcmp(ev, "session.end")) {
		cls = OCSF_AUTHENTICATION;
		act = ev[8] == 's' ? 1 : 2;
		aname = act == 1 ? "Logon" : "Logoff";
		status = 1;
	} else {
		return -ENOENT;
	}
	sr_jw_obj(w, NULL);
	ocsf_base(w, rec, ev, cls, act, aname, sev, status, denied);
	if (denied) {
		err = ocsf_denied_class(w, rec, ctx, cls, audit);
	} else if (cls == OCSF_AUTHENTICATION) {
		ocsf_auth_class(w, rec, ctx, act == 2);
		err = 0;
	} else {
		err = cls == OCSF_PROCESS       ? ocsf_process_class(w, rec, ctx, ev)
		      : cls == OCSF_FILE_SYSTEM ? ocsf_file_class(w, rec, ctx)
		                                : ocsf_network_class(w, rec, ctx);
	}
	if (err)
		return err;
	sr_jw_end(w);
	return sr_jw_error(w);
}
