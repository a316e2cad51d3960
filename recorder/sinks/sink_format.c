/* SPDX-License-Identifier: BSD-2-Clause */
/* Records as ECS or OCSF documents for the JSON-lines sink (see sink_format.h). */
#include "recorder/sinks/sink_format.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "recorder/sinks/sink_priv.h"

#define NBUCKETS 256
#define NIMAGES  4096 /* direct-mapped by entity id, as sshrec export's cache */

/* A session as the mappings see it, with its terminal decision. */
struct fsess {
	struct fsess *next;
	int64_t key;
	struct sr_exp_sess es; /* strings owned; es.tty is the decision once made */
	char *strs[8];
	bool decided;
	struct sr_rec_queue held;
};

struct sr_fmt {
	int format;
	struct fsess *b[NBUCKETS];
	struct sr_exp_image *img;
	struct sr_jrec rec, scratch;
	struct sr_jw w;
	uint64_t held;
};

int sr_fmt_new(int format, struct sr_fmt **out)
{
	struct sr_fmt *f = calloc(1, sizeof(*f));

	if (f)
		f->img = calloc(NIMAGES, sizeof(*f->img));
	if (!f || !f->img) {
		free(f);
		return -ENOMEM;
	}
	f->format = format;
	*out = f;
	return 0;
}

static void fsess_free(struct fsess *s)
{
	size_t i;

	for (i = 0; i < sizeof(s->strs) / sizeof(s->strs[0]); i++)
		free(s->strs[i]);
	sr_rec_queue_clear(&s->held);
	free(s);
}

void sr_fmt_free(struct sr_fmt *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < NBUCKETS; i++)
		while (f->b[i]) {
			struct fsess *s = f->b[i];

			f->b[i] = s->next;
			fsess_free(s);
		}
	for (i = 0; i < NIMAGES; i++)
		sr_exp_image_clear(&f->img[i]);
	free(f->img);
	sr_jrec_free(&f->rec);
	sr_jrec_free(&f->scratch);
	sr_jw_free(&f->w);
	free(f);
}

uint64_t sr_fmt_held(const struct sr_fmt *f)
{
	return f->held;
}

static size_t bucket(int64_t key)
{
	return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 56) & (NBUCKETS - 1);
}

/* Owned copy of @p v in s->strs[i] (NULL stays NULL). */
static int own(struct fsess *s, size_t i, const char **dst, const char *v)
{
	*dst = NULL;
	if (!v)
		return 0;
	s->strs[i] = strdup(v);
	*dst = s->strs[i];
	return *dst ? 0 : -ENOMEM;
}

static int set_tty(struct fsess *s, const char *tty)
{
	free(s->strs[7]);
	s->strs[7] = NULL;
	s->decided = true;
	return own(s, 7, &s->es.tty, tty);
}

/* The state of @p rec's session, made from it when new. */
static struct fsess *fsess_get(struct sr_fmt *f, const struct sr_record *rec)
{
	const struct sr_session_info *i = rec->sess;
	struct fsess **pp = &f->b[bucket(i->key)], *s;
	int err = 0;

	for (s = *pp; s; s = s->next)
		if (s->key == i->key)
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->key = i->key;
	err |= own(s, 0, &s->es.sid, i->sid);
	err |= own(s, 1, &s->es.login, i->login);
	err |= own(s, 2, &s->es.service, i->service);
	err |= own(s, 3, &s->es.remote_addr, i->remote_addr);
	err |= own(s, 4, &s->es.local_addr, i->local_addr);
	err |= own(s, 5, &s->es.key_fingerprint, i->key_fingerprint);
	s->es.remote_port = i->remote_port;
	s->es.local_port = i->local_port;
	s->es.leader_pid = i->leader_pid;
	s->es.start_us = i->start_us;
	/* a session first seen after its start (a restarted daemon) is settled */
	if (rec->kind != SR_REC_SESSION_START)
		err |= set_tty(s, i->tty);
	if (err) {
		fsess_free(s);
		return NULL;
	}
	s->next = *pp;
	*pp = s;
	return s;
}

static void fsess_drop(struct sr_fmt *f, struct fsess *s)
{
	struct fsess **pp;

	for (pp = &f->b[bucket(s->key)]; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	f->held -= s->held.n;
	fsess_free(s);
}

/* Learn the image of a session.command record (what the processes row holds). */
static int learn_image(struct sr_fmt *f, const struct sr_record *rec)
{
	const struct sr_process_info *pi = rec->proc;
	struct sr_exp_proc src;

	if (rec->kind != SR_REC_COMMAND || !pi || pi->id <= 0)
		return 0;
	src = (struct sr_exp_proc){
	    .id = pi->id,
	    .path = pi->path,
	    .argv_json = pi->argv_json,
	    .cwd = pi->cwd,
	    .exe = pi->exe,
	    .exe_kind = pi->exe_kind,
	    .pid = pi->pid,
	    .ppid = pi->ppid,
	    .start_us = pi->start_us,
	};
	return sr_exp_image_set(&f->img[(uint64_t)pi->id % NIMAGES], &src, &f->scratch);
}

/* The document of @p rec (session @p s) to @p out; -ENOENT (no class) writes nothing. */
static int emit(struct sr_fmt *f, struct fsess *s, const struct sr_record *rec, sr_fmt_out_fn out,
                void *ctx)
{
	struct sr_exp_ctx c = {.sess = &s->es};
	const struct sr_exp_image *m;
	int rc;

	rc = learn_image(f, rec);
	if (rc)
		return rc;
	rc = sr_jrec_parse(&f->rec, rec->json, rec->json_len);
	if (rc)
		return rc;
	m = rec->process_id > 0 ? &f->img[(uint64_t)rec->process_id % NIMAGES] : NULL;
	if (m && m->valid && m->p.id == rec->process_id)
		c.proc = &m->p;
	sr_jw_reset(&f->w);
	rc = f->format == SR_JSONL_ECS ? sr_ecs_write(&f->rec, &c, &f->w)
	                               : sr_ocsf_write(&f->rec, &c, &f->w);
	if (rc == -ENOENT)
		return 0; /* session.data_loss in OCSF 1.1 */
	if (rc)
		return rc;
	return out(ctx, f->w.b, f->w.len);
}

/* Decide @p s's terminal and write what it held. */
static int release(struct sr_fmt *f, struct fsess *s, const char *tty, sr_fmt_out_fn out, void *ctx)
{
	int rc = s->decided ? 0 : set_tty(s, tty), first = 0;

	while (s->held.head) {
		if (!rc)
			rc = emit(f, s, s->held.head->rec, out, ctx);
		else if (!first)
			first = rc;
		sr_rec_queue_pop(&s->held);
		f->held--;
	}
	return rc ? rc : first;
}

int sr_fmt_record(struct sr_fmt *f, const struct sr_record *rec, sr_fmt_out_fn out, void *ctx)
{
	struct fsess *s;
	int rc;

	if (!rec->sess || !rec->json)
		return -EINVAL;
	s = fsess_get(f, rec);
	if (!s)
		return -ENOMEM;
	if (!s->decided) {
		/* the login shell (or ssh -t's command) brings the session's terminal;
		 * the correlator has set the session's tty before handing it over */
		bool known = (rec->kind == SR_REC_COMMAND && rec->proc && !rec->proc->parent_id &&
		              sr_tty_is_terminal(rec->sess->tty)) ||
		             rec->kind == SR_REC_SESSION_END ||
		             rec->time_us - s->es.start_us >= SR_FMT_SETTLE_US;

		if (!known) {
			if (sr_rec_queue_push(&s->held, rec))
				return -ENOMEM;
			f->held++;
			return 0;
		}
		rc = release(f, s, rec->sess->tty, out, ctx);
		if (rc)
			return rc;
	}
	rc = emit(f, s, rec, out, ctx);
	if (rec->kind == SR_REC_SESSION_END)
		fsess_drop(f, s);
	return rc;
}

int sr_fmt_tick(struct sr_fmt *f, int64_t now_us, sr_fmt_out_fn out, void *ctx)
{
	size_t i;
	int rc = 0, r;

	if (!f->held)
		return 0;
	for (i = 0; i < NBUCKETS; i++) {
		struct fsess *s;

		for (s = f->b[i]; s; s = s->next) {
			if (s->decided || now_us - s->es.start_us < SR_FMT_SETTLE_US)
				continue;
			/* no terminal by now: the held records say PAM's tty */
			r = release(f, s, s->held.head ? s->held.head->rec->sess->tty : NULL, out,
			            ctx);
			rc = rc ? rc : r;
		}
	}
	return rc;
}

int sr_fmt_release_all(struct sr_fmt *f, sr_fmt_out_fn out, void *ctx)
{
	size_t i;
	int rc = 0, r;

	for (i = 0; i < NBUCKETS; i++) {
		struct fsess *s;

		for (s = f->b[i]; s; s = s->next) {
			if (s->decided)
				continue;
			r = release(f, s, s->held.head ? s->held.head->rec->sess->tty : NULL, out,
			            ctx);
			rc = rc ? rc : r;
		}
	}
	return rc;
}
