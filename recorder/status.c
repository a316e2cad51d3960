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
			json_object_object_add(o, "capture_backend",
			                       in->capture_backend
			                           ? json_object_new_string(in->capture_backend)
			                           : NULL);
			json_object_array_add(arr, o);
		}
	return arr;
}

static int capture_prog_json(void *ctx, const struct sr_capture_prog *p)
{
	static const char *const cls[SR_CLASS_MAX] = {"command", "disk", "network"};
	json_object *o = json_object_new_object();

	json_object_object_add(o, "program", json_object_new_string(p->name));
	json_object_object_add(o, "hook", json_object_new_string(p->hook));
	json_object_object_add(o, "job", json_object_new_string(p->job));
	json_object_object_add(o, "class", json_object_new_string(cls[p->cls % SR_CLASS_MAX]));
	json_object_object_add(o, "on_demand", json_object_new_boolean(p->demand != 0));
	json_object_object_add(o, "attached", json_object_new_boolean(p->attached));
	json_object_array_add(ctx, o);
	return 0;
}

/* Which backend records, its programs, and what this kernel cannot give. */
static json_object *capture_json(struct sr_daemon *d)
{
	json_object *o = json_object_new_object(), *progs = json_object_new_array(),
	            *gaps = json_object_new_array();
	const char *g;

	json_object_object_add(o, "backend",
	                       json_object_new_string(sr_backend_name(sr_capture_backend(d->cap))));
	json_object_object_add(o, "forced",
	                       json_object_new_boolean(d->cfg->backend != SR_BACKEND_AUTO));
	sr_capture_progs(d->cap, capture_prog_json, progs);
	json_object_object_add(o, "programs", progs);
	for (g = sr_capture_gaps(d->cap); *g; g += strlen(g) + 1)
		json_object_array_add(gaps, json_object_new_string(g));
	json_object_object_add(o, "not_recorded", gaps);
	return o;
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
	json_object_object_add(o, "capture", capture_json(d));
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

		json_object_object_add(s, "name",
		                       json_object_new_string(sr_sink_name(&d->sinks[i])));
		json_object_object_add(s, "ok", json_object_new_boolean(h->ok));
		json_object_object_add(s, "written", json_object_new_int64((int64_t)h->written));
		json_object_object_add(s, "failed", json_object_new_int64((int64_t)h->failed));
		json_object_object_add(s, "backlog", json_object_new_int64((int64_t)h->backlog));
		json_object_object_add(s, "dropped", json_object_new_int64((int64_t)h->dropped));
		json_object_object_add(s, "resent", json_object_new_int64((int64_t)h->resent));
		json_object_object_add(s, "pruned_sessions",
		                       json_object_new_int64((int64_t)h->pruned));
		json_object_object_add(s, "last_error",
		                       h->last_error[0] ? json_object_new_string(h->last_error)
		                                        : NULL);
		if (&d->sinks[i] == d->sq) {
			/* its backlog kept in the ring buffer for a restart (sr_loop_commit) */
			json_object_object_add(
			    s, "ring_held_bytes",
			    json_object_new_int64((int64_t)sr_ringbuf_held(&d->rb)));
			json_object_object_add(s, "kill9_safe",
			                       json_object_new_boolean(!d->sq_unsafe));
			json_object_object_add(s, "kill9_unsafe_times",
			                       json_object_new_int64((int64_t)d->sq_unsafe_n));
		}
		json_object_array_add(sinks, s);
	}
	json_object_object_add(o, "sinks", sinks);
	json_object_object_add(o, "policy", sr_policy_status_json(d));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}
