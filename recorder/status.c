/* SPDX-License-Identifier: BSD-2-Clause */
/* The status reply of `sshrec status`: sessions, rates, losses, sink health. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder/daemon.h"
#include "timeutil.h"

void sr_status_tick(struct sr_daemon *d)
{
	int c;

	d->rate_idx = (d->rate_idx + 1) % SR_RATE_SECS;
	for (c = 0; c < SR_CLASS_MAX; c++) {
		d->rate[d->rate_idx][c] = d->class_total[c] - d->rate_last[c];
		d->rate_last[c] = d->class_total[c];
	}
}

static json_object *sessions_json(struct sr_daemon *d)
{
	json_object *arr = json_object_new_array();
	struct sr_session *s;
	size_t i;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next) {
			const struct sr_session_info *in = &s->corr.info;
			json_object *o = json_object_new_object(), *c = json_object_new_object();
			char t[SR_TIME_STRLEN];

			json_object_object_add(o, "sid", json_object_new_string(in->sid));
			json_object_object_add(o, "login", json_object_new_string(in->login));
			json_object_object_add(o, "state", json_object_new_string(in->state));
			json_object_object_add(
			    o, "start", json_object_new_string(sr_time_format(in->start_us, t)));
			json_object_object_add(
			    o, "remote_addr",
			    in->remote_addr ? json_object_new_string(in->remote_addr) : NULL);
			json_object_object_add(o, "leader_pid",
			                       json_object_new_int(in->leader_pid));
			json_object_object_add(
			    o, "processes",
			    json_object_new_int64((int64_t)sr_corr_live_procs(&s->corr)));
			json_object_object_add(
			    c, "command",
			    json_object_new_int64((int64_t)in->counts[SR_REC_COMMAND]));
			json_object_object_add(
			    c, "disk", json_object_new_int64((int64_t)in->counts[SR_REC_DISK]));
			json_object_object_add(
			    c, "network",
			    json_object_new_int64((int64_t)in->counts[SR_REC_NETWORK]));
			json_object_object_add(
			    c, "denied", json_object_new_int64((int64_t)in->counts[SR_REC_DENIED]));
			json_object_object_add(o, "counts", c);
			json_object_object_add(o, "lost", json_object_new_int64((int64_t)in->lost));
			json_object_array_add(arr, o);
		}
	return arr;
}

char *sr_status_json(struct sr_daemon *d)
{
	static const char *const cls[SR_CLASS_MAX] = {"command", "disk", "network"};
	json_object *o = json_object_new_object(), *rates = json_object_new_object(),
	            *sinks = json_object_new_array();
	char t[SR_TIME_STRLEN], *out;
	size_t i;
	int c, k;

	if (!o || !rates || !sinks) {
		json_object_put(o);
		json_object_put(rates);
		json_object_put(sinks);
		return NULL;
	}
	json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "started",
	                       json_object_new_string(sr_time_format(d->started_us, t)));
	json_object_object_add(o, "server_id", json_object_new_string(d->server_id));
	json_object_object_add(o, "active_sessions", json_object_new_int64((int64_t)d->nsessions));
	json_object_object_add(o, "sessions", sessions_json(d));
	for (c = 0; c < SR_CLASS_MAX; c++) {
		uint64_t sum = 0;

		for (k = 0; k < SR_RATE_SECS; k++)
			sum += d->rate[k][c];
		json_object_object_add(rates, cls[c],
		                       json_object_new_double((double)sum / SR_RATE_SECS));
	}
	json_object_object_add(o, "events_per_sec", rates);
	json_object_object_add(o, "records", json_object_new_int64((int64_t)d->records));
	json_object_object_add(o, "lost", json_object_new_int64((int64_t)d->lost_total));
	json_object_object_add(o, "orphan_events", json_object_new_int64((int64_t)d->orphans));
	json_object_object_add(o, "failed_events",
	                       json_object_new_int64((int64_t)d->failed_events));
	json_object_object_add(o, "malformed_events",
	                       json_object_new_int64((int64_t)d->corr.malformed));
	json_object_object_add(o, "ringbuf_pending_bytes",
	                       json_object_new_int64((int64_t)sr_ringbuf_pending(&d->rb)));
	for (i = 0; i < d->nsinks; i++) {
		const struct sr_sink_health *h = &d->sinks[i].health;
		json_object *s = json_object_new_object();

		json_object_object_add(s, "name", json_object_new_string(d->sinks[i].ops->name));
		json_object_object_add(s, "ok", json_object_new_boolean(h->ok));
		json_object_object_add(s, "written", json_object_new_int64((int64_t)h->written));
		json_object_object_add(s, "failed", json_object_new_int64((int64_t)h->failed));
		json_object_object_add(s, "backlog", json_object_new_int64((int64_t)h->backlog));
		json_object_object_add(s, "dropped", json_object_new_int64((int64_t)h->dropped));
		json_object_object_add(s, "pruned_sessions",
		                       json_object_new_int64((int64_t)h->pruned));
		json_object_object_add(s, "last_error",
		                       h->last_error[0] ? json_object_new_string(h->last_error)
		                                        : NULL);
		json_object_array_add(sinks, s);
	}
	json_object_object_add(o, "sinks", sinks);
	json_object_object_add(o, "policy", sr_policy_status_json(d));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}
