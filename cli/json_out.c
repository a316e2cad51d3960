/* SPDX-License-Identifier: BSD-2-Clause */
/* Streaming JSON arrays and the session object of --json outputs. */
#include "cli/json_out.h"

#include "cli/output.h"
#include "timeutil.h"

#define SR_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void sr_jarr_begin(struct sr_jarr *a, FILE *out)
{
	a->out = out;
	a->any = false;
	fputc('[', out);
}

void sr_jarr_add_raw(struct sr_jarr *a, const char *json)
{
	fputs(a->any ? ",\n" : "\n", a->out);
	fputs(json, a->out);
	a->any = true;
}

void sr_jarr_add(struct sr_jarr *a, json_object *o)
{
	sr_jarr_add_raw(a, json_object_to_json_string_ext(o, SR_JSON_FLAGS));
	json_object_put(o);
}

void sr_jarr_end(struct sr_jarr *a)
{
	fputs(a->any ? "\n]\n" : "]\n", a->out);
}

const char *sr_j_str(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *sr_j_str_or(json_object *o, const char *k, const char *old)
{
	const char *v = sr_j_str(o, k);

	return v ? v : sr_j_str(o, old);
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

void sr_json_add_time(json_object *o, const char *key, int64_t us)
{
	char t[SR_TIME_STRLEN];

	json_object_object_add(o, key, us ? json_object_new_string(sr_time_format(us, t)) : NULL);
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

json_object *sr_session_json(const struct sr_session_row *s)
{
	json_object *o = json_object_new_object(), *c = json_object_new_object();

	if (!o || !c) {
		json_object_put(o);
		json_object_put(c);
		return NULL;
	}
	add_str(o, "sid", s->sid);
	add_str(o, "login", s->login);
	add_str(o, "user", s->user);
	add_str(o, "server_id", s->server_id);
	add_str(o, "server_hostname", s->server_hostname);
	add_str(o, "service", s->service);
	add_str(o, "tty", s->tty);
	add_str(o, "rhost", s->rhost);
	add_str(o, "remote_addr", s->remote_addr);
	json_object_object_add(o, "remote_port",
	                       s->remote_addr ? json_object_new_int(s->remote_port) : NULL);
	add_str(o, "local_addr", s->local_addr);
	json_object_object_add(o, "local_port",
	                       s->local_addr ? json_object_new_int(s->local_port) : NULL);
	add_str(o, "auth_method", s->auth_method);
	add_str(o, "key_type", s->key_type);
	add_str(o, "key_fingerprint", s->key_fingerprint);
	json_object_object_add(o, "leader_pid", json_object_new_int(s->leader_pid));
	add_str(o, "state", s->state);
	sr_json_add_time(o, "start", s->start_us);
	sr_json_add_time(o, "end", s->end_us);
	json_object_object_add(o, "duration_ms",
	                       s->end_us ? json_object_new_int64((s->end_us - s->start_us) / 1000)
	                                 : NULL);
	json_object_object_add(c, "command", json_object_new_int64(s->n_command));
	json_object_object_add(c, "disk", json_object_new_int64(s->n_disk));
	json_object_object_add(c, "network", json_object_new_int64(s->n_network));
	json_object_object_add(c, "process_exit", json_object_new_int64(s->n_exit));
	json_object_object_add(c, "escape", json_object_new_int64(s->n_escape));
	json_object_object_add(c, "denied", json_object_new_int64(s->n_denied));
	json_object_object_add(o, "counts", c);
	json_object_object_add(o, "lost", json_object_new_int64(s->lost));
	return o;
}
