/* SPDX-License-Identifier: BSD-2-Clause */
/* Drive the enabled sinks in order; one failing sink never stops the others. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "recorder/daemon.h"

static void sink_fail(struct sr_sink *s, const char *what, int err)
{
	/* log on the transition to unhealthy only: a full disk must not flood the log */
	if (s->health.ok)
		sr_err("sink %s: %s failed: %s (other sinks keep writing)", sr_sink_name(s), what,
		       s->health.last_error[0] ? s->health.last_error : strerror(-err));
	s->health.ok = false;
	if (!s->health.last_error[0])
		snprintf(s->health.last_error, sizeof(s->health.last_error), "%s: %s", what,
		         strerror(-err));
}

int sr_sinks_open(struct sr_daemon *d)
{
	const struct sr_config *c = d->cfg;
	const struct sr_sink_ops *want[SR_MAX_SINKS];
	const struct sr_jsonl_sink *args[SR_MAX_SINKS] = {0};
	size_t n = 0, i;
	int err;

	/*
	 * Flushed in this order. SQLite last: it stores the ring position with
	 * the batch, and a restarted daemon skips what that position covers, so
	 * the other sinks must already have it (a kill between the flushes then
	 * repeats lines in JSON lines, with the same sid and ei, rather than
	 * losing them).
	 */
	if (c->jsonl_path && c->jsonl_path[0])
		want[n++] = &sr_sink_jsonl_ops;
	for (i = 0; i < c->n_jsonl_extra; i++) {
		args[n] = &c->jsonl_extra[i];
		want[n++] = &sr_sink_jsonl_ops;
	}
	if (c->syslog_target && c->syslog_target[0])
		want[n++] = &sr_sink_syslog_ops;
	if (c->db_path && c->db_path[0])
		want[n++] = &sr_sink_sqlite_ops;
	if (!n) {
		sr_err("no sink configured: set database, jsonl or syslog");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct sr_sink *s = &d->sinks[d->nsinks];

		memset(s, 0, sizeof(*s));
		s->ops = want[i];
		s->arg = args[i];
		s->label = args[i] ? args[i]->label : NULL;
		s->health.ok = true;
		err = s->ops->init(s, c);
		if (err) {
			/* a sink that cannot even open is fatal: the admin asked for it */
			sr_err("sink %s: cannot open: %s", sr_sink_name(s),
			       s->health.last_error[0] ? s->health.last_error : strerror(-err));
			sr_sinks_close(d);
			return err;
		}
		if (s->ops == &sr_sink_sqlite_ops)
			d->sq = s;
		d->nsinks++;
	}
	return 0;
}

int sr_sinks_write(void *daemon, const struct sr_record *rec)
{
	struct sr_daemon *d = daemon;
	size_t i;
	int err;

	d->records++;
	for (i = 0; i < d->nsinks; i++) {
		struct sr_sink *s = &d->sinks[i];

		err = s->ops->write(s, rec);
		if (err)
			sink_fail(s, "write", err);
	}
	return 0;
}

bool sr_sinks_want_json(const struct sr_daemon *d)
{
	size_t i;

	for (i = 0; i < d->nsinks; i++)
		if (d->sinks[i].ops != &sr_sink_sqlite_ops)
			return true;
	return false;
}

void sr_sinks_session_update(struct sr_daemon *d, const struct sr_session_info *sess)
{
	size_t i;
	int err;

	for (i = 0; i < d->nsinks; i++) {
		struct sr_sink *s = &d->sinks[i];

		if (!s->ops->session_update)
			continue;
		err = s->ops->session_update(s, sess);
		if (err)
			sink_fail(s, "session update", err);
	}
}

/* The SQLite sink's forked processes at the read position (sr_corr_forks_text). */
static void sqlite_forks(struct sr_daemon *d)
{
	struct sr_jw w = {0};
	struct sr_session *s;
	size_t i;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next)
			sr_corr_forks_text(&s->corr, &w);
	if (sr_jw_error(&w))
		sr_warn("sink sqlite: out of memory: the forked processes are not stored");
	else
		sr_sink_sqlite_forks(d->sq, w.b ? w.b : "", w.len);
	sr_jw_free(&w);
}

int sr_sinks_flush(struct sr_daemon *d)
{
	size_t i, ok = 0;
	int err;

	for (i = 0; i < d->nsinks; i++) {
		struct sr_sink *s = &d->sinks[i];

		if (s->ops->position && d->rb.id)
			s->ops->position(s, d->rb.id, d->rb.read_pos);
		/* the process tables change only with what is read: not rebuilt
		 * at every timer flush when nothing was (a walk of every table) */
		if (s == d->sq && d->rb.id && d->forks_pos != d->rb.read_pos + 1) {
			sqlite_forks(d);
			d->forks_pos = d->rb.read_pos + 1;
		}
		err = s->ops->flush(s);
		/* what only memory holds goes to the outage journal unless SQLite has it now */
		if (s == d->sq)
			sr_journal_flushed(d, !err);
		if (err) {
			sink_fail(s, "flush", err);
			continue;
		}
		/* SQLite has every record read so far: nothing to keep in the ring */
		if (s == d->sq)
			d->sq_pos = d->rb.read_pos;
		ok++;
	}
	return ok || !d->nsinks ? 0 : -EIO;
}

void sr_sinks_reopen(struct sr_daemon *d)
{
	size_t i;
	int err;

	for (i = 0; i < d->nsinks; i++) {
		struct sr_sink *s = &d->sinks[i];

		if (!s->ops->reopen)
			continue;
		err = s->ops->reopen(s);
		if (err)
			sink_fail(s, "reopen", err);
	}
}

void sr_sinks_close(struct sr_daemon *d)
{
	size_t i;

	for (i = 0; i < d->nsinks; i++)
		d->sinks[i].ops->close(&d->sinks[i]);
	d->nsinks = 0;
	d->sq = NULL;
}
