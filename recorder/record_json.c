/* SPDX-License-Identifier: BSD-2-Clause */
/* Record JSON: common fields, sanitized strings, open flag names. */
#include "recorder/record_json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strsafe.h"
#include "timeutil.h"
#include "uuid.h"
#include "bpf/events.h"
#include "bpf/policy.h"

static const char *const rec_names[SR_REC_KIND_MAX][2] = {
    [SR_REC_SESSION_START] = {"session.start", "T2000I"},
    [SR_REC_SESSION_END] = {"session.end", "T2004I"},
    [SR_REC_COMMAND] = {"session.command", "T4000I"},
    [SR_REC_DISK] = {"session.disk", "T4001I"},
    [SR_REC_NETWORK] = {"session.network", "T4002I"},
    [SR_REC_PROCESS_EXIT] = {"session.process_exit", "SR4010I"},
    [SR_REC_DATA_LOSS] = {"session.data_loss", "SR4090W"},
    [SR_REC_ESCAPE] = {"session.escape", "SR4091W"},
    [SR_REC_DENIED] = {"session.denied", "SR4020W"},
};

const char *sr_rec_event_name(enum sr_rec_kind kind)
{
	return (unsigned)kind < SR_REC_KIND_MAX ? rec_names[kind][0] : NULL;
}

const char *sr_rec_event_code(enum sr_rec_kind kind)
{
	return (unsigned)kind < SR_REC_KIND_MAX ? rec_names[kind][1] : NULL;
}

void sr_json_put_str(struct sr_jw *w, const char *key, const char *s)
{
	if (s)
		sr_jw_str(w, key, s);
	else
		sr_jw_null(w, key);
}

void sr_json_put_bytes(struct sr_jw *w, const char *key, const char *s, size_t len)
{
	sr_jw_strn(w, key, s, strnlen(s, len));
}

void sr_json_put_int(struct sr_jw *w, const char *key, int64_t v, bool is_null)
{
	if (is_null)
		sr_jw_null(w, key);
	else
		sr_jw_int(w, key, v);
}

/*
 * Where a record goes: its JSON text (w), or the members of a scanned record
 * (r, as sr_jrec_parse() of that text would give), with w for the text of
 * its nested values. Nested values are written to w in either case.
 */
struct out {
	struct sr_jw *w;
	struct sr_jrec *r;
	const char *key; /* r: the member whose nested value w holds */
	int err;         /* r: writing a nested value failed */
};

static void put_str(struct out *o, const char *key, const char *s)
{
	if (o->r)
		sr_jrec_add_str(o->r, key, s);
	else
		sr_json_put_str(o->w, key, s);
}

static void put_int(struct out *o, const char *key, int64_t v, bool is_null)
{
	if (o->r && is_null)
		sr_jrec_add_null(o->r, key);
	else if (o->r)
		sr_jrec_add_int(o->r, key, v);
	else
		sr_json_put_int(o->w, key, v, is_null);
}

static void put_bool(struct out *o, const char *key, bool v)
{
	if (o->r)
		sr_jrec_add_bool(o->r, key, v);
	else
		sr_jw_bool(o->w, key, v);
}

/* A member whose value is ready JSON text. */
static void put_raw(struct out *o, const char *key, const char *json, size_t len)
{
	if (o->r)
		sr_jrec_add_json(o->r, key, json, len);
	else
		sr_jw_raw(o->w, key, json, len);
}

/* Open the object (or array, @p arr) member @p key: its content goes to o->w. */
static void put_open(struct out *o, const char *key, bool arr)
{
	if (o->r) {
		/* the value alone: sr_jrec_add_json() names it */
		sr_jw_reset(o->w);
		o->key = key;
		key = NULL;
	}
	if (arr)
		sr_jw_arr(o->w, key);
	else
		sr_jw_obj(o->w, key);
}

static void put_close(struct out *o)
{
	sr_jw_end(o->w);
	if (!o->r)
		return;
	if (sr_jw_error(o->w))
		o->err = -ENOMEM;
	else
		sr_jrec_add_json(o->r, o->key, o->w->b, o->w->len);
}

/* Common fields, after the record's object was opened. */
static void put_common(struct out *o, const struct sr_record *rec)
{
	const struct sr_session_info *s = rec->sess;
	char t[SR_TIME_STRLEN], uid[SR_UUID_STRLEN];

	sr_uuid_format(rec->uid, uid);
	put_str(o, "event", sr_rec_event_name(rec->kind));
	put_str(o, "code", sr_rec_event_code(rec->kind));
	put_str(o, "time", sr_time_format(rec->time_us, t));
	put_int(o, "ei", (int64_t)rec->ei, false);
	put_str(o, "uid", uid);
	put_str(o, "sid", s->sid);
	put_str(o, "server_id", s->server_id ? s->server_id : "");
	put_str(o, "server_hostname", s->server_hostname ? s->server_hostname : "");
	put_str(o, "login", s->login ? s->login : "");
	put_str(o, "user", s->user ? s->user : "");
	put_int(o, "cgroup_id", (int64_t)rec->cgroup_id, false);
	put_int(o, "audit_session_id", rec->audit_session_id, false);
	put_int(o, "pid", rec->pid, false);
	put_int(o, "ppid", rec->ppid, false);
	put_str(o, "program", rec->program ? rec->program : "");
}

/* The record format @p rec is written in (a stored record keeps its own). */
static int format_of(const struct sr_record *rec)
{
	return rec->format ? rec->format : SR_RECORD_FORMAT;
}

/* "ADDR:PORT", "[V6ADDR]:PORT" (as Go's net.JoinHostPort writes Teleport's
 * addr.*; record format 1 had no brackets), or null without an address. */
static void put_addr(struct out *o, const char *key, const char *addr, int port, int format)
{
	char buf[320];

	if (!addr) {
		put_str(o, key, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), format >= 2 && strchr(addr, ':') ? "[%.256s]:%d" : "%.256s:%d",
	         addr, port);
	put_str(o, key, buf);
}

static void put_start(struct out *o, const struct sr_record *rec)
{
	const struct sr_session_info *i = rec->sess;

	put_addr(o, "addr.remote", i->remote_addr, i->remote_port, format_of(rec));
	put_addr(o, "addr.local", i->local_addr, i->local_port, format_of(rec));
	put_str(o, "tty", rec->tty);
	put_str(o, "service", i->service);
	put_str(o, "rhost", i->rhost);
	put_open(o, "auth", false);
	sr_json_put_str(o->w, "method", i->auth_method);
	sr_json_put_str(o->w, "key_type", i->key_type);
	sr_json_put_str(o->w, "fingerprint", i->key_fingerprint);
	put_close(o);
	put_str(o, "cgroup_path", i->cgroup_path);
	/* format 1 is 0.1.0's records, stored ones written again as they were */
	if (format_of(rec) >= 2)
		put_str(o, "capture_backend", i->capture_backend);
}

static void put_end(struct out *o, const struct sr_record *rec)
{
	const struct sr_session_info *i = rec->sess;
	char t[SR_TIME_STRLEN];

	put_str(o, "session_start", sr_time_format(i->start_us, t));
	put_str(o, "session_stop", sr_time_format(rec->time_us, t));
	put_open(o, "counts", false);
	sr_jw_int(o->w, "command", (int64_t)i->counts[SR_REC_COMMAND]);
	sr_jw_int(o->w, "disk", (int64_t)i->counts[SR_REC_DISK]);
	sr_jw_int(o->w, "network", (int64_t)i->counts[SR_REC_NETWORK]);
	sr_jw_int(o->w, "process_exit", (int64_t)i->counts[SR_REC_PROCESS_EXIT]);
	sr_jw_int(o->w, "escape", (int64_t)i->counts[SR_REC_ESCAPE]);
	if (format_of(rec) >= 2)
		sr_jw_int(o->w, "denied", (int64_t)i->counts[SR_REC_DENIED]);
	put_close(o);
	put_int(o, "lost", (int64_t)i->lost, false);
	if (format_of(rec) < 2)
		return;
	/* Teleport writes these three always: the recording is enhanced, the
	 * session interactive when it got a terminal, its one participant the
	 * identity that logged in */
	put_bool(o, "enhanced_recording", true);
	put_bool(o, "interactive", sr_tty_is_terminal(i->tty));
	put_open(o, "participants", true);
	sr_jw_str(o->w, NULL, i->user ? i->user : "");
	put_close(o);
}

/*
 * The length of the first element of the JSON array of strings @p a (the
 * writer's own text: "[" then a string), 0 for "[]"; *@p rest is where the
 * elements after it start ("" when there are none).
 */
static size_t first_string(const char *a, const char **rest)
{
	const char *p = a + 1;

	*rest = "";
	if (*p != '"')
		return 0;
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	if (!*p)
		return 0;
	p++;
	if (*p == ',')
		*rest = p + 1;
	return (size_t)(p - (a + 1));
}

static void put_loss(struct out *o, const struct sr_record *rec)
{
	put_int(o, "lost", (int64_t)(rec->lost_command + rec->lost_disk + rec->lost_network),
	        false);
	put_open(o, "lost_by_type", false);
	sr_jw_int(o->w, "command", (int64_t)rec->lost_command);
	sr_jw_int(o->w, "disk", (int64_t)rec->lost_disk);
	sr_jw_int(o->w, "network", (int64_t)rec->lost_network);
	put_close(o);
}

static int put_command(struct out *o, const struct sr_record *rec)
{
	const char *rest;
	size_t a0;
	const struct sr_process_info *p = rec->proc;

	if (!p || !p->argv_json)
		return -EINVAL;
	put_str(o, "path", rec->path);
	if (format_of(rec) < 2) {
		/* record format 1: the whole vector as argv */
		put_raw(o, "argv", p->argv_json, strlen(p->argv_json));
	} else {
		put_str(o, "exe", p->exe);
		put_str(o, "exe_kind", p->exe_kind);
		/* Teleport's argv leaves argv[0] out; argv0 keeps it (exec -a shows),
		 * null for an empty vector; the processes row has the whole vector */
		a0 = first_string(p->argv_json, &rest);
		put_open(o, "argv", true);
		if (*rest)
			sr_jw_raw(o->w, NULL, rest,
			          strlen(rest) - 1); /* the elements, without "]" */
		put_close(o);
		if (a0)
			put_raw(o, "argv0", p->argv_json + 1, a0);
		else
			put_str(o, "argv0", NULL);
	}
	put_bool(o, "argv_truncated", p->argv_truncated);
	put_int(o, "return_code", rec->return_code, false);
	put_str(o, "cwd", rec->cwd);
	put_int(o, "proc_uid", p->uid, false);
	put_int(o, "proc_gid", p->gid, false);
	put_int(o, "proc_euid", p->euid, false);
	put_int(o, "proc_egid", p->egid, false);
	put_int(o, "process_id", p->id, false);
	put_int(o, "parent_process_id", p->parent_id, p->parent_id == 0);
	put_str(o, "tty", p->tty);
	return 0;
}

const char *sr_fchange_op_name(unsigned op)
{
	static const char *const names[SR_FC_MAX] = {
	    [SR_FC_UNLINK] = "unlink",     [SR_FC_RMDIR] = "rmdir",
	    [SR_FC_RENAME] = "rename",     [SR_FC_CHMOD] = "chmod",
	    [SR_FC_CHOWN] = "chown",       [SR_FC_LINK] = "link",
	    [SR_FC_SYMLINK] = "symlink",   [SR_FC_TRUNCATE] = "truncate",
	    [SR_FC_EXCHANGE] = "exchange", [SR_FC_MKDIR] = "mkdir",
	    [SR_FC_MKNOD] = "mknod",
	};

	return op < SR_FC_MAX ? names[op] : NULL;
}

const char *sr_file_type_name(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0010000:
		return "fifo";
	case 0020000:
		return "char";
	case 0060000:
		return "block";
	case 0140000:
		return "socket";
	case 0100000:
		return "regular";
	}
	return "unknown";
}

static const char *path_error_name(enum sr_path_error e)
{
	return e == SR_PATH_ERROR_UNREADABLE ? "unreadable" : "unavailable";
}

/* session.disk of a file change (format 4): its "change" and what it needs. */
static void put_fchange(struct out *o, const struct sr_record *rec)
{
	const char *op = sr_fchange_op_name(rec->fc_op);

	put_str(o, "change", op ? op : "unknown");
	put_str(o, "path", rec->path);
	put_int(o, "flags", 0, false); /* Teleport's SessionDisk always has it: no open flags */
	put_bool(o, "path_resolved", rec->path_resolved);
	if (rec->path_truncated)
		put_bool(o, "path_truncated", true);
	if (rec->path_error)
		put_str(o, "path_error", path_error_name(rec->path_error));
	switch (rec->fc_op) {
	case SR_FC_RENAME:
	case SR_FC_EXCHANGE:
	case SR_FC_LINK:
		put_str(o, "new_path", rec->path2);
		put_bool(o, "new_path_resolved", rec->path2_resolved);
		if (rec->path2_truncated)
			put_bool(o, "new_path_truncated", true);
		if (rec->path2_error)
			put_str(o, "new_path_error", path_error_name(rec->path2_error));
		break;
	case SR_FC_SYMLINK:
		put_str(o, "target", rec->path2);
		if (rec->path2_truncated)
			put_bool(o, "target_truncated", true);
		if (rec->path2_error)
			put_str(o, "target_error", path_error_name(rec->path2_error));
		break;
	case SR_FC_CHMOD:
	case SR_FC_MKDIR:
		put_int(o, "mode", rec->mode, false);
		break;
	case SR_FC_MKNOD:
		put_int(o, "mode", rec->mode & 07777, false);
		put_str(o, "file_type", sr_file_type_name(rec->mode));
		/* a device's numbers: mknod(2)'s encoding, as new_decode_dev() reads it */
		if (SR_MODE_IS_DEVICE(rec->mode)) {
			put_int(o, "device_major", (rec->device & 0xfff00) >> 8, false);
			put_int(o, "device_minor",
			        (rec->device & 0xff) | ((rec->device >> 12) & 0xfff00), false);
		}
		break;
	case SR_FC_CHOWN:
		put_int(o, "owner_uid", rec->owner_uid, rec->owner_uid < 0);
		put_int(o, "owner_gid", rec->owner_gid, rec->owner_gid < 0);
		break;
	case SR_FC_TRUNCATE:
		put_int(o, "length", rec->length, rec->length < 0);
		break;
	}
	put_int(o, "return_code", rec->return_code, !rec->has_return_code);
	put_int(o, "process_id", rec->process_id, rec->process_id == 0);
}

static void put_disk(struct out *o, const struct sr_record *rec)
{
	char ftext[256];

	if (rec->fc_op) {
		put_fchange(o, rec);
		return;
	}

	put_str(o, "path", rec->path);
	put_int(o, "flags", (int64_t)rec->flags, false);
	put_str(o, "flags_text", sr_open_flags_text(rec->flags, ftext, sizeof(ftext)));
	put_int(o, "mode", rec->mode, false);
	put_int(o, "return_code", rec->return_code, !rec->has_return_code);
	put_bool(o, "path_resolved", rec->path_resolved);
	if (rec->path_truncated)
		put_bool(o, "path_truncated", true);
	if (rec->path_error)
		put_str(o, "path_error", path_error_name(rec->path_error));
	put_int(o, "process_id", rec->process_id, rec->process_id == 0);
}

static void put_network(struct out *o, const struct sr_record *rec)
{
	static const char *const results[] = {"pending", "established", "failed", "pending"};

	put_str(o, "src_addr", rec->src_addr);
	put_int(o, "src_port", rec->src_port, false);
	put_str(o, "dst_addr", rec->dst_addr);
	put_int(o, "dst_port", rec->dst_port, false);
	put_int(o, "version", sr_record_ip_version(rec), false);
	if (format_of(rec) < 2) {
		put_str(o, "operation", "connect");
	} else {
		/* Teleport's enums as numbers: NetworkOperation, EventAction */
		put_int(o, "operation", rec->operation, false);
		put_int(o, "action", rec->action, false);
	}
	put_str(o, "result", rec->operation == SR_NET_OP_SEND ? "sent" : results[rec->result & 3]);
	put_int(o, "process_id", rec->process_id, rec->process_id == 0);
}

static void put_exit(struct out *o, const struct sr_record *rec)
{
	put_int(o, "exit_code", rec->exit_code, rec->signal != 0);
	put_int(o, "signal", rec->signal, false);
	put_int(o, "duration_ms", rec->duration_ms, false);
	put_int(o, "process_id", rec->process_id, false);
}

static void put_escape(struct out *o, const struct sr_record *rec)
{
	put_int(o, "from_cgroup_id", (int64_t)rec->cgroup_id, false);
	put_int(o, "to_cgroup_id", (int64_t)rec->to_cgroup_id, false);
	put_str(o, "to_cgroup_path", rec->to_cgroup_path ? rec->to_cgroup_path : "");
	put_int(o, "process_id", rec->process_id, rec->process_id == 0);
}

/*
 * What a verdict did, in one word: LSM refused the call; a signal killed an
 * exec before the new image ran, or a connect or open inside the call (the
 * SYN may be out, the file open or created); audit denied nothing.
 */
static const char *denied_effect(const struct sr_record *rec)
{
	if (rec->denied_mode != SR_POLICY_ENFORCE)
		return "audit";
	if (rec->denied_not_applied)
		return "not_applied";
	if (rec->denied_mechanism == SR_POLICY_MECH_LSM)
		return "blocked";
	return rec->denied_action == SR_POLICY_EXEC ? "killed" : "killed_after";
}

int sr_denied_net_action(const struct sr_record *rec)
{
	return rec->denied_mode == SR_POLICY_ENFORCE && !rec->denied_not_applied
	           ? SR_NET_ACTION_DENIED
	           : SR_NET_ACTION_OBSERVED;
}

static void put_denied(struct out *o, const struct sr_record *rec)
{
	bool net = rec->denied_action == SR_POLICY_CONNECT, f3 = format_of(rec) >= 3;
	char target[INET6_ADDRSTRLEN + 16], ftext[256];

	/* what it was about; "action" is Teleport's EventAction, a number in
	 * every record since format 3 (format 2 wrote the word there) */
	put_str(o, f3 ? "kind" : "action",
	        net                                     ? "connect"
	        : rec->denied_action == SR_POLICY_WRITE ? "write"
	                                                : "exec");
	if (f3)
		put_int(o, "action", sr_denied_net_action(rec), false);
	if (net)
		snprintf(target, sizeof(target),
		         sr_record_ip_version(rec) == 6 ? "[%s]:%d" : "%s:%d",
		         rec->dst_addr ? rec->dst_addr : "", rec->dst_port);
	put_str(o, "target", net ? target : rec->path ? rec->path : "");
	put_str(o, "path", net ? NULL : rec->path ? rec->path : "");
	if (rec->path_truncated)
		put_bool(o, "path_truncated", true);
	put_str(o, "dst_addr", net ? rec->dst_addr : NULL);
	put_int(o, "dst_port", rec->dst_port, !net);
	put_int(o, "version", sr_record_ip_version(rec), !net);
	put_str(o, "flags_text",
	        rec->denied_action == SR_POLICY_WRITE
	            ? sr_open_flags_text(rec->flags, ftext, sizeof(ftext))
	            : NULL);
	put_str(o, "rule", rec->rule);
	/* "mode" is session.disk's open mode, a number (format 2 wrote the word there) */
	put_str(o, f3 ? "policy_mode" : "mode",
	        rec->denied_mode == SR_POLICY_ENFORCE ? "enforced" : "audit");
	put_str(o, "mechanism", rec->denied_mechanism == SR_POLICY_MECH_LSM ? "lsm" : "signal");
	put_str(o, "effect", denied_effect(rec));
	put_int(o, "process_id", rec->process_id, rec->process_id == 0);
}

int sr_record_ip_version(const struct sr_record *rec)
{
	/* inet_ntop writes every IPv6 address with a colon, no IPv4 one */
	return rec->dst_addr && strchr(rec->dst_addr, ':') ? 6 : 4;
}

/* The members of @p rec, after its object was opened. */
static int put_record(struct out *o, const struct sr_record *rec)
{
	put_common(o, rec);
	switch (rec->kind) {
	case SR_REC_SESSION_START:
		put_start(o, rec);
		break;
	case SR_REC_SESSION_END:
		put_end(o, rec);
		break;
	case SR_REC_COMMAND:
		return put_command(o, rec);
	case SR_REC_DISK:
		put_disk(o, rec);
		break;
	case SR_REC_NETWORK:
		put_network(o, rec);
		break;
	case SR_REC_PROCESS_EXIT:
		put_exit(o, rec);
		break;
	case SR_REC_DATA_LOSS:
		put_loss(o, rec);
		break;
	case SR_REC_DENIED:
		put_denied(o, rec);
		break;
	default:
		put_escape(o, rec);
		break;
	}
	return 0;
}

int sr_record_json(struct sr_jw *w, const struct sr_record *rec)
{
	struct out o = {.w = w};
	int err;

	if (!rec->sess || (unsigned)rec->kind >= SR_REC_KIND_MAX)
		return -EINVAL;
	sr_jw_reset(w);
	sr_jw_obj(w, NULL);
	err = put_record(&o, rec);
	sr_jw_end(w);
	/* a NUL after the text, not counted */
	sr_jw_put(w, "", 1);
	if (!sr_jw_error(w))
		w->len--;
	if (err)
		return err;
	return sr_jw_error(w);
}

int sr_record_jrec(struct sr_jrec *r, struct sr_jw *w, const struct sr_record *rec)
{
	struct out o = {.w = w, .r = r};
	int err;

	if (!rec->sess || (unsigned)rec->kind >= SR_REC_KIND_MAX)
		return -EINVAL;
	sr_jrec_build(r);
	err = put_record(&o, rec);
	if (!err)
		err = o.err;
	if (!err)
		err = sr_jrec_built(r);
	return err;
}

/* Linux generic/x86 open flag values (octal), independent of libc's view. */
static const struct {
	uint64_t bit;
	const char *name;
} open_flags[] = {
    {00000100, "O_CREAT"},     {00000200, "O_EXCL"},      {00000400, "O_NOCTTY"},
    {00001000, "O_TRUNC"},     {00002000, "O_APPEND"},    {00004000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},      {00010000, "O_DSYNC"},     {00020000, "O_ASYNC"},
    {00040000, "O_DIRECT"},    {00100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
    {00200000, "O_DIRECTORY"}, {00400000, "O_NOFOLLOW"},  {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},   {010000000, "O_PATH"},
};

/* Append @p s at buf[*n] while it fits (always NUL-terminated). */
static void put_flag(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l >= cap)
		l = cap - 1 - *n;
	memcpy(buf + *n, s, l);
	*n += l;
	buf[*n] = '\0';
}

char *sr_open_flags_text(uint64_t flags, char *buf, size_t cap)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	size_t n = 0, i;

	if (!cap)
		return buf;
	/* no snprintf per flag: every disk record has this field */
	buf[0] = '\0';
	put_flag(buf, cap, &n, acc[flags & 3]);
	flags &= ~(uint64_t)3;
	/* multi-bit names (O_SYNC, O_TMPFILE) come before their parts */
	for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if ((flags & open_flags[i].bit) != open_flags[i].bit)
			continue;
		put_flag(buf, cap, &n, "|");
		put_flag(buf, cap, &n, open_flags[i].name);
		flags &= ~open_flags[i].bit;
	}
	if (flags && n + 1 < cap)
		snprintf(buf + n, cap - n, "|0x%llx", (unsigned long long)flags);
	return buf;
}

int sr_open_flags_parse(const char *text, uint64_t *flags)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	const char *t = text, *end;
	uint64_t f = 0;
	size_t i, l = 0;
	char *num;

	for (i = 0; t && i < 4; i++) {
		l = strlen(acc[i]);
		if (!strncmp(t, acc[i], l) && (t[l] == '|' || !t[l]))
			break;
	}
	if (!t || i == 4)
		return -EINVAL;
	f = i;
	for (t += l; *t == '|'; t = end) {
		end = strchr(++t, '|');
		end = end ? end : t + strlen(t);
		l = (size_t)(end - t);
		for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
			if (strlen(open_flags[i].name) == l && !strncmp(t, open_flags[i].name, l))
				break;
		if (i < sizeof(open_flags) / sizeof(open_flags[0])) {
			f |= open_flags[i].bit;
		} else if (!strncmp(t, "0x", 2) && l > 2) {
			f |= strtoull(t + 2, &num, 16);
			if (num != end)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (*t)
		return -EINVAL;
	*flags = f;
	return 0;
}
