/* SPDX-License-Identifier: BSD-2-Clause */
/* The sink registry and what the sinks share: record copies, queues, health. */
#include "recorder/sinks/sink_priv.h"

#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

const struct sr_sink_ops *const sr_sink_registry[] = {
    &sr_sink_sqlite_ops,
    &sr_sink_jsonl_ops,
    &sr_sink_syslog_ops,
    NULL,
};

const struct sr_sink_ops *sr_sink_find(const char *name)
{
	size_t i;

	for (i = 0; sr_sink_registry[i]; i++)
		if (!strcmp(sr_sink_registry[i]->name, name))
			return sr_sink_registry[i];
	return NULL;
}

/* A bump allocator over one block: first pass measures, second copies. */
struct arena {
	char *base; /* NULL while measuring */
	size_t off;
};

static const char *arena_str(struct arena *a, const char *s)
{
	size_t len;
	char *d;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	d = a->base ? a->base + a->off : NULL;
	if (d)
		memcpy(d, s, len);
	a->off += len;
	return d;
}

static void *arena_obj(struct arena *a, const void *src, size_t size)
{
	void *d;

	a->off = (a->off + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	d = a->base ? a->base + a->off : NULL;
	if (d)
		memcpy(d, src, size);
	a->off += size;
	return d;
}

static void copy_sess(struct arena *a, struct sr_session_info *d)
{
	d->server_id = arena_str(a, d->server_id);
	d->server_hostname = arena_str(a, d->server_hostname);
	d->login = arena_str(a, d->login);
	d->user = arena_str(a, d->user);
	d->service = arena_str(a, d->service);
	d->tty = arena_str(a, d->tty);
	d->rhost = arena_str(a, d->rhost);
	d->remote_addr = arena_str(a, d->remote_addr);
	d->local_addr = arena_str(a, d->local_addr);
	d->auth_method = arena_str(a, d->auth_method);
	d->key_type = arena_str(a, d->key_type);
	d->key_fingerprint = arena_str(a, d->key_fingerprint);
	d->cgroup_path = arena_str(a, d->cgroup_path);
	d->state = arena_str(a, d->state);
	d->capture_backend = arena_str(a, d->capture_backend);
}

static void copy_proc(struct arena *a, struct sr_process_info *d)
{
	d->program = arena_str(a, d->program);
	d->path = arena_str(a, d->path);
	d->argv_json = arena_str(a, d->argv_json);
	d->cwd = arena_str(a, d->cwd);
	d->tty = arena_str(a, d->tty);
	d->exe = arena_str(a, d->exe);
	d->exe_kind = arena_str(a, d->exe_kind);
}

/* Both passes run the same code; only the second one writes. */
static struct sr_record *dup_pass(struct arena *a, const struct sr_record *rec)
{
	struct sr_record r = *rec;
	struct sr_session_info s;
	struct sr_process_info p;
	struct sr_record *out = arena_obj(a, &r, sizeof(r));

	if (rec->sess) {
		const struct sr_session_info *o = rec->sess;

		if (rec->kind == SR_REC_SESSION_START) {
			s = *o;
			copy_sess(a, &s);
		} else {
			/* only session.start writes the strings; the rest: key, state, cgroup */
			memset(&s, 0, sizeof(s));
			memcpy(s.sid, o->sid, sizeof(s.sid));
			memcpy(s.counts, o->counts, sizeof(s.counts));
			s.key = o->key;
			s.cgroup_id = o->cgroup_id; /* a record stores only other ids */
			s.audit_session_id = o->audit_session_id;
			s.lost = o->lost;
			s.start_us = o->start_us;
			s.closing_us = o->closing_us;
			s.end_us = o->end_us;
			s.state = arena_str(a, o->state);
			s.tty = arena_str(a, o->tty);
			/* a session that followed logind into its scope changes cgroup */
			s.cgroup_id = o->cgroup_id;
			s.cgroup_path = arena_str(a, o->cgroup_path);
		}
		r.sess = arena_obj(a, &s, sizeof(s));
	}
	if (rec->proc) {
		p = *rec->proc;
		copy_proc(a, &p);
		r.proc = arena_obj(a, &p, sizeof(p));
	}
	r.program = arena_str(a, rec->program);
	r.path = arena_str(a, rec->path);
	r.tty = arena_str(a, rec->tty);
	r.cwd = arena_str(a, rec->cwd);
	r.src_addr = arena_str(a, rec->src_addr);
	r.dst_addr = arena_str(a, rec->dst_addr);
	r.to_cgroup_path = arena_str(a, rec->to_cgroup_path);
	r.rule = arena_str(a, rec->rule);
	/* json is length-delimited: copy exactly json_len bytes and a NUL */
	if (rec->json) {
		char *j = a->base ? a->base + a->off : NULL;

		if (j) {
			memcpy(j, rec->json, rec->json_len);
			j[rec->json_len] = '\0';
		}
		a->off += rec->json_len + 1;
		r.json = j;
	}
	if (out)
		*out = r;
	return out;
}

int sr_rec_queue_push(struct sr_rec_queue *q, const struct sr_record *rec)
{
	/* the entry and the copy in one allocation: one malloc per queued record */
	struct arena a = {.off = sizeof(struct sr_rec_qent)};
	struct sr_rec_qent *e;

	dup_pass(&a, rec);
	e = malloc(a.off);
	if (!e)
		return -ENOMEM;
	a.base = (char *)e;
	a.off = sizeof(*e);
	e->rec = dup_pass(&a, rec);
	e->next = NULL;
	e->tries = 0;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->n++;
	return 0;
}

void sr_rec_queue_pop(struct sr_rec_queue *q)
{
	struct sr_rec_qent *e = q->head;

	if (!e)
		return;
	q->head = e->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	free(e); /* the record copy lives in the same block */
}

void sr_rec_queue_clear(struct sr_rec_queue *q)
{
	while (q->head)
		sr_rec_queue_pop(q);
}

void sr_sink_set_error(struct sr_sink *sink, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sink->health.last_error, sizeof(sink->health.last_error), fmt, ap);
	va_end(ap);
	if (sink->health.ok)
		sr_err("sink %s: %s (records are kept in a bounded backlog and retried; other "
		       "sinks keep writing)",
		       sr_sink_name(sink), sink->health.last_error);
	sink->health.ok = false;
}

void sr_sink_set_ok(struct sr_sink *sink)
{
	if (!sink->health.ok)
		sr_info("sink %s: recovered (was: %s)", sr_sink_name(sink),
		        sink->health.last_error);
	sink->health.ok = true;
}

int64_t sr_sink_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
