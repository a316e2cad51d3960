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

void sr_json_common(struct sr_jw *w, const struct sr_record *rec, uint64_t cgroup_id,
                    uint32_t audit_sid)
{
	const struct sr_session_info *s = rec->sess;
	char t[SR_TIME_STRLEN];

	sr_jw_reset(w);
	sr_jw_obj(w, NULL);
	sr_json_put_str(w, "event", sr_rec_event_name(rec->kind));
	sr_json_put_str(w, "code", sr_rec_event_code(rec->kind));
	sr_json_put_str(w, "time", sr_time_format(rec->time_us, t));
	sr_json_put_int(w, "ei", (int64_t)rec->ei, false);
	sr_json_put_str(w, "uid", rec->uid);
	sr_json_put_str(w, "sid", s->sid);
	sr_json_put_str(w, "server_id", s->server_id ? s->server_id : "");
	sr_json_put_str(w, "server_hostname", s->server_hostname ? s->server_hostname : "");
	sr_json_put_str(w, "login", s->login ? s->login : "");
	sr_json_put_str(w, "user", s->user ? s->user : "");
	sr_json_put_int(w, "cgroup_id", (int64_t)cgroup_id, false);
	sr_json_put_int(w, "audit_session_id", audit_sid, false);
	sr_json_put_int(w, "pid", rec->pid, false);
	sr_json_put_int(w, "ppid", rec->ppid, false);
	sr_json_put_str(w, "program", rec->program ? rec->program : "");
}

int sr_json_finish(struct sr_jw *w, struct sr_record *rec)
{
	sr_jw_end(w);
	sr_jw_put(w, "", 1); /* a NUL after the text, not counted */
	if (sr_jw_error(w))
		return -ENOMEM;
	rec->json = w->b;
	rec->json_len = w->len - 1;
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
