/* SPDX-License-Identifier: BSD-2-Clause */
/* The outage journal's lines: written with jwrite, read back with json-c. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "recorder/journal.h"
#include "uuid.h"

static const char *const op_names[] = {NULL, "open", "state", "loss", "end", "base"};

/* The session's strings, in the order of the open entry (and of fields below). */
#define SR_JSTRS(X)                                                                                \
	X(server_id)                                                                               \
	X(server_hostname)                                                                         \
	X(login)                                                                                   \
	X(user)                                                                                    \
	X(service)                                                                                 \
	X(tty)                                                                                     \
	X(rhost)                                                                                   \
	X(remote_addr)                                                                             \
	X(local_addr)                                                                              \
	X(auth_method)                                                                             \
	X(key_type)                                                                                \
	X(key_fingerprint)                                                                         \
	X(cgroup_path)                                                                             \
	X(capture_backend)

static void put_str(struct sr_jw *w, const char *k, const char *v)
{
	if (v)
		sr_jw_str(w, k, v);
	else
		sr_jw_null(w, k);
}

static void begin(struct sr_jw *w, enum sr_jop op, int64_t key)
{
	sr_jw_reset(w);
	sr_jw_obj(w, NULL);
	sr_jw_str(w, "op", op_names[op]);
	sr_jw_int(w, "key", key);
}

void sr_journal_put_open(struct sr_jw *w, const struct sr_session_info *i, const char *comm)
{
	begin(w, SR_JOP_OPEN, i->key);
	sr_jw_str(w, "sid", i->sid);
#define PUT(f) put_str(w, #f, i->f);
	SR_JSTRS(PUT)
#undef PUT
	sr_jw_int(w, "remote_port", i->remote_port);
	sr_jw_int(w, "local_port", i->local_port);
	sr_jw_int(w, "leader_pid", i->leader_pid);
	sr_jw_int(w, "cgroup_id", (int64_t)i->cgroup_id);
	sr_jw_int(w, "audit_session_id", i->audit_session_id);
	sr_jw_int(w, "start_us", i->start_us);
	put_str(w, "comm", comm);
	sr_jw_end(w);
}

void sr_journal_put_state(struct sr_jw *w, const struct sr_session_info *i)
{
	begin(w, SR_JOP_STATE, i->key);
	sr_jw_int(w, "closing_us", i->closing_us);
	sr_jw_int(w, "cgroup_id", (int64_t)i->cgroup_id);
	put_str(w, "cgroup_path", i->cgroup_path);
	sr_jw_end(w);
}

void sr_journal_put_loss(struct sr_jw *w, int64_t key, uint64_t ei, int64_t time_us,
                         const uint64_t lost[3])
{
	begin(w, SR_JOP_LOSS, key);
	sr_jw_int(w, "ei", (int64_t)ei);
	sr_jw_int(w, "time_us", time_us);
	sr_jw_arr(w, "lost");
	for (int k = 0; k < 3; k++)
		sr_jw_int(w, NULL, (int64_t)lost[k]);
	sr_jw_end(w);
	sr_jw_end(w);
}

void sr_journal_put_end(struct sr_jw *w, int64_t key, uint64_t ei, int64_t time_us)
{
	begin(w, SR_JOP_END, key);
	sr_jw_int(w, "ei", (int64_t)ei);
	sr_jw_int(w, "time_us", time_us);
	sr_jw_end(w);
}

void sr_journal_put_base(struct sr_jw *w, uint32_t ring, uint64_t pos, int64_t offset_us)
{
	sr_jw_reset(w);
	sr_jw_obj(w, NULL);
	sr_jw_str(w, "op", op_names[SR_JOP_BASE]);
	sr_jw_int(w, "ring", ring);
	sr_jw_int(w, "pos", (int64_t)pos);
	sr_jw_int(w, "offset_us", offset_us);
	sr_jw_end(w);
}

void sr_journal_entry_free(struct sr_jentry *e)
{
	struct sr_session_info *i = &e->info;

#define FREE(f) free((char *)i->f);
	SR_JSTRS(FREE)
#undef FREE
	free(e->comm);
	memset(e, 0, sizeof(*e));
}

/* Member @p k as an integer in [@p min, @p max]: 0, else -EINVAL with the reason. */
static int get_int(json_object *o, const char *k, int64_t min, int64_t max, int64_t *v, char *err,
                   size_t errlen)
{
	json_object *m;

	if (!json_object_object_get_ex(o, k, &m) || !json_object_is_type(m, json_type_int)) {
		snprintf(err, errlen, "\"%s\" is missing or not an integer", k);
		return -EINVAL;
	}
	errno = 0;
	*v = json_object_get_int64(m);
	/* json-c clamps what is past INT64_MAX: refuse it, not make it INT64_MAX */
	if (errno || *v < min || *v > max ||
	    (*v == INT64_MAX && json_object_get_uint64(m) > INT64_MAX)) {
		snprintf(err, errlen, "\"%s\" is out of range", k);
		return -EINVAL;
	}
	return 0;
}

/* Member @p k as a string (NULL for null or absent) of at most SR_JOURNAL_STR_MAX bytes, no NUL. */
static int get_str(json_object *o, const char *k, const char **v, char *err, size_t errlen)
{
	json_object *m;
	const char *s;
	int len;

	*v = NULL;
	if (!json_object_object_get_ex(o, k, &m) || json_object_is_type(m, json_type_null))
		return 0;
	if (!json_object_is_type(m, json_type_string)) {
		snprintf(err, errlen, "\"%s\" is not a string", k);
		return -EINVAL;
	}
	s = json_object_get_string(m);
	len = json_object_get_string_len(m);
	if (len > SR_JOURNAL_STR_MAX || strlen(s) != (size_t)len) {
		snprintf(err, errlen, "\"%s\" is too long or holds a NUL", k);
		return -EINVAL;
	}
	*v = strdup(s);
	return *v ? 0 : -ENOMEM;
}

static int parse_open(json_object *o, struct sr_jentry *e, char *err, size_t errlen)
{
	struct sr_session_info *i = &e->info;
	const char *sid = NULL;
	uint8_t raw[16];
	int64_t v;
	int rc = 0;

	rc = get_str(o, "sid", &sid, err, errlen);
	if (!rc && (!sid || sr_uuid_parse(sid, raw))) {
		snprintf(err, errlen, "\"sid\" is not a UUID");
		rc = -EINVAL;
	}
	if (!rc)
		snprintf(i->sid, sizeof(i->sid), "%s", sid);
	free((char *)sid);
#define GET(f)                                                                                     \
	if (!rc)                                                                                   \
		rc = get_str(o, #f, &i->f, err, errlen);
	SR_JSTRS(GET)
#undef GET
	if (!rc)
		rc = get_str(o, "comm", (const char **)&e->comm, err, errlen);
	if (!rc && (!i->login || !i->cgroup_path || !sr_cgroup_path_ok(i->cgroup_path))) {
		/* the daemon removes the session's cgroup at its end: never a path outside */
		snprintf(err, errlen, "no login, or no valid \"cgroup_path\"");
		rc = -EINVAL;
	}
	if (!rc && !(rc = get_int(o, "remote_port", 0, 65535, &v, err, errlen)))
		i->remote_port = (int)v;
	if (!rc && !(rc = get_int(o, "local_port", 0, 65535, &v, err, errlen)))
		i->local_port = (int)v;
	if (!rc && !(rc = get_int(o, "leader_pid", 0, INT32_MAX, &v, err, errlen)))
		i->leader_pid = (int32_t)v;
	if (!rc && !(rc = get_int(o, "cgroup_id", 0, INT64_MAX, &v, err, errlen)))
		i->cgroup_id = (uint64_t)v;
	if (!rc && !(rc = get_int(o, "audit_session_id", 0, UINT32_MAX, &v, err, errlen)))
		i->audit_session_id = (uint32_t)v;
	if (!rc)
		rc = get_int(o, "start_us", 1, INT64_MAX, &i->start_us, err, errlen);
	return rc;
}

static int parse_base(json_object *o, struct sr_jentry *e, char *err, size_t errlen)
{
	int64_t v;
	int rc;

	rc = get_int(o, "ring", 1, UINT32_MAX, &v, err, errlen);
	e->ring = (uint32_t)v;
	if (!rc && !(rc = get_int(o, "pos", 0, INT64_MAX, &v, err, errlen)))
		e->pos = (uint64_t)v;
	/* realtime minus boottime, whatever the clock says; not json-c's clamps */
	if (!rc)
		rc = get_int(o, "offset_us", -INT64_MAX, INT64_MAX, &e->offset_us, err, errlen);
	return rc;
}

static int parse_rest(json_object *o, struct sr_jentry *e, char *err, size_t errlen)
{
	json_object *a, *m;
	int64_t v;
	int rc;

	if (e->op == SR_JOP_STATE) {
		rc = get_int(o, "closing_us", 0, INT64_MAX, &e->info.closing_us, err, errlen);
		if (!rc && !(rc = get_int(o, "cgroup_id", 0, INT64_MAX, &v, err, errlen)))
			e->info.cgroup_id = (uint64_t)v;
		if (!rc)
			rc = get_str(o, "cgroup_path", &e->info.cgroup_path, err, errlen);
		if (!rc && e->info.cgroup_path && !sr_cgroup_path_ok(e->info.cgroup_path)) {
			snprintf(err, errlen, "\"cgroup_path\" is not a valid cgroup path");
			rc = -EINVAL;
		}
		return rc;
	}
	rc = get_int(o, "ei", 0, INT64_MAX, &v, err, errlen);
	e->ei = (uint64_t)v;
	if (!rc)
		rc = get_int(o, "time_us", 1, INT64_MAX, &e->time_us, err, errlen);
	if (rc || e->op != SR_JOP_LOSS)
		return rc;
	if (!json_object_object_get_ex(o, "lost", &a) || !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) != 3) {
		snprintf(err, errlen, "\"lost\" is not an array of 3 counts");
		return -EINVAL;
	}
	for (size_t k = 0; k < 3; k++) {
		m = json_object_array_get_idx(a, k);
		errno = 0;
		v = json_object_is_type(m, json_type_int) ? json_object_get_int64(m) : -1;
		if (errno || v < 0) {
			snprintf(err, errlen, "\"lost\" is not an array of 3 counts");
			return -EINVAL;
		}
		e->lost[k] = (uint64_t)v;
	}
	return 0;
}

int sr_journal_parse(const char *line, size_t len, struct sr_jentry *e, char *err, size_t errlen)
{
	struct json_tokener *tok;
	json_object *o = NULL, *m;
	const char *op;
	int rc = -EINVAL;

	memset(e, 0, sizeof(*e));
	err[0] = '\0';
	if (len > SR_JOURNAL_LINE_MAX) {
		snprintf(err, errlen, "line longer than %u bytes", SR_JOURNAL_LINE_MAX);
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	op = json_object_object_get_ex(o, "op", &m) && json_object_is_type(m, json_type_string)
	         ? json_object_get_string(m)
	         : "";
	for (int k = SR_JOP_OPEN; k <= SR_JOP_BASE; k++)
		if (!strcmp(op, op_names[k]))
			e->op = (enum sr_jop)k;
	if (!e->op) {
		snprintf(err, errlen, "unknown \"op\"");
		goto out;
	}
	if (e->op == SR_JOP_BASE) {
		rc = parse_base(o, e, err, errlen);
		goto out;
	}
	rc = get_int(o, "key", 1, INT64_MAX, &e->info.key, err, errlen);
	if (!rc)
		rc = e->op == SR_JOP_OPEN ? parse_open(o, e, err, errlen)
		                          : parse_rest(o, e, err, errlen);
out:
	json_object_put(o);
	json_tokener_free(tok);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		sr_journal_entry_free(e);
	}
	return rc;
}
