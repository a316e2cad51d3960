/* SPDX-License-Identifier: BSD-2-Clause */
/* Record JSON: common fields, sanitized strings, open flag names. */
#include "recorder/record_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strsafe.h"
#include "timeutil.h"

static const char *const rec_names[SR_REC_KIND_MAX][2] = {
    [SR_REC_SESSION_START] = {"session.start", "T2000I"},
    [SR_REC_SESSION_END] = {"session.end", "T2004I"},
    [SR_REC_COMMAND] = {"session.command", "T4000I"},
    [SR_REC_DISK] = {"session.disk", "T4001I"},
    [SR_REC_NETWORK] = {"session.network", "T4002I"},
    [SR_REC_PROCESS_EXIT] = {"session.process_exit", "SR4010I"},
    [SR_REC_DATA_LOSS] = {"session.data_loss", "SR4090W"},
    [SR_REC_ESCAPE] = {"session.escape", "SR4091W"},
};

const char *sr_rec_event_name(enum sr_rec_kind kind)
{
	return (unsigned)kind < SR_REC_KIND_MAX ? rec_names[kind][0] : NULL;
}

const char *sr_rec_event_code(enum sr_rec_kind kind)
{
	return (unsigned)kind < SR_REC_KIND_MAX ? rec_names[kind][1] : NULL;
}

void sr_json_put_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

int sr_json_put_bytes(json_object *o, const char *key, const char *s, size_t len)
{
	char *clean = sr_utf8_sanitize(s, strnlen(s, len));

	if (!clean)
		return -ENOMEM;
	json_object_object_add(o, key, json_object_new_string(clean));
	free(clean);
	return 0;
}

void sr_json_put_int(json_object *o, const char *key, int64_t v, bool is_null)
{
	json_object_object_add(o, key, is_null ? NULL : json_object_new_int64(v));
}

json_object *sr_json_common(const struct sr_record *rec, uint64_t cgroup_id, uint32_t audit_sid)
{
	const struct sr_session_info *s = rec->sess;
	char t[SR_TIME_STRLEN];
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	sr_json_put_str(o, "event", sr_rec_event_name(rec->kind));
	sr_json_put_str(o, "code", sr_rec_event_code(rec->kind));
	sr_json_put_str(o, "time", sr_time_format(rec->time_us, t));
	sr_json_put_int(o, "ei", (int64_t)rec->ei, false);
	sr_json_put_str(o, "uid", rec->uid);
	sr_json_put_str(o, "sid", s->sid);
	sr_json_put_str(o, "server_id", s->server_id ? s->server_id : "");
	sr_json_put_str(o, "server_hostname", s->server_hostname ? s->server_hostname : "");
	sr_json_put_str(o, "login", s->login ? s->login : "");
	sr_json_put_str(o, "user", s->user ? s->user : "");
	sr_json_put_int(o, "cgroup_id", (int64_t)cgroup_id, false);
	sr_json_put_int(o, "audit_session_id", audit_sid, false);
	sr_json_put_int(o, "pid", rec->pid, false);
	sr_json_put_int(o, "ppid", rec->ppid, false);
	sr_json_put_str(o, "program", rec->program ? rec->program : "");
	return o;
}

int sr_json_finish(json_object *o, struct sr_record *rec)
{
	size_t len = 0;
	const char *js = json_object_to_json_string_length(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (!js)
		return -ENOMEM;
	rec->json = js;
	rec->json_len = len;
	return 0;
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

char *sr_open_flags_text(uint64_t flags, char *buf, size_t cap)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	size_t n, i;

	n = (size_t)snprintf(buf, cap, "%s", acc[flags & 3]);
	flags &= ~(uint64_t)3;
	/* multi-bit names (O_SYNC, O_TMPFILE) come before their parts */
	for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]) && n < cap; i++) {
		if ((flags & open_flags[i].bit) != open_flags[i].bit)
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "|%s", open_flags[i].name);
		flags &= ~open_flags[i].bit;
	}
	if (flags && n < cap)
		snprintf(buf + n, cap - n, "|0x%llx", (unsigned long long)flags);
	return buf;
}
