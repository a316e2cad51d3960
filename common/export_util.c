/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the ECS and OCSF writers: argv, process cache, times. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execname.h"
#include "export.h"
#include "strsafe.h"

const char *sr_exp_basename(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

int sr_exp_exec(const struct sr_jrec *rec, const struct sr_exp_proc *p, bool is_cmd,
                struct sr_exp_exec *out)
{
	const char *path = is_cmd ? sr_jrec_str(rec, "path") : p ? p->path : NULL;
	const char *exe = is_cmd ? sr_jrec_str(rec, "exe") : p ? p->exe : NULL;
	const char *kind = is_cmd ? sr_jrec_str(rec, "exe_kind") : p ? p->exe_kind : NULL;

	out->executable = out->owned = NULL;
	out->name = NULL;
	if (!path)
		return 0;
	out->name = sr_exp_basename(exe ? exe : path);
	/* mostly the file itself: no copy per record */
	if (!exe || !*sr_exe_suffix(kind)) {
		out->executable = exe ? exe : path;
		return 0;
	}
	out->executable = out->owned = sr_exe_executable(path, exe, kind);
	return out->owned ? 0 : -ENOMEM;
}

void sr_exp_file_split(const char *path, int64_t flags, struct sr_exp_file *f)
{
	size_t n = path ? strlen(path) : 0, i;

	memset(f, 0, sizeof(*f));
	if (!path)
		return;
	f->is_dir = (flags & 0200000) != 0; /* O_DIRECTORY (Linux generic/x86) */
	while (n > 1 && path[n - 1] == '/') {
		n--;
		f->is_dir = true;
	}
	if (n == 1 && path[0] == '/') { /* the root: its own name, no directory */
		f->name = path;
		f->name_len = 1;
		f->is_dir = true;
		return;
	}
	for (i = n; i > 0 && path[i - 1] != '/'; i--)
		;
	f->name = path + i;
	f->name_len = n - i;
	if (i) {
		f->dir = path;
		f->dir_len = i > 1 ? i - 1 : 1; /* "/etc" of "/etc/x", "/" of "/x" */
	}
}

void sr_exp_int_str(struct sr_jw *w, const char *key, int64_t v)
{
	char buf[24];

	sr_jw_strn(w, key, buf, sr_jw_fmt_int(v, buf));
}

void sr_exp_entity(struct sr_jw *w, const char *key, const char *sid, int64_t id)
{
	char ent[80], num[24];
	size_t sl = sid ? strlen(sid) : 0, nl = sr_jw_fmt_int(id, num);

	if (sl + 1 + nl < sizeof(ent)) {
		memcpy(ent, sid ? sid : "", sl);
		ent[sl] = '-';
		memcpy(ent + sl + 1, num, nl);
		sr_jw_strn(w, key, ent, sl + 1 + nl);
	} else {
		/* as snprintf() into the 80-byte buffer: truncated */
		snprintf(ent, sizeof(ent), "%s-%lld", sid ? sid : "", (long long)id);
		sr_jw_str(w, key, ent);
	}
}

int64_t sr_exp_time_ms(const struct sr_jrec *rec)
{
	const char *t = sr_jrec_str(rec, "time");
	int64_t us;

	if (!t || sr_time_parse(t, 0, &us) != 0)
		return 0;
	return us / 1000;
}

bool sr_exp_signal_status(const struct sr_jrec *rec, int64_t *code)
{
	int64_t sig = sr_jrec_int(rec, "signal", 0);

	if (sig <= 0 || sig > 127)
		return false;
	*code = 128 + sig;
	return true;
}

/*
 * One element of argv as JSON: strings re-encoded, scalars as they are. A
 * nested value (never written by sshrecd) becomes the string of its text:
 * copied raw, its newlines would break the framing of JSON lines.
 */
static void argv_elem(struct sr_jw *w, const struct sr_jval *e)
{
	if (e->t == SR_JT_STR)
		sr_jw_str(w, NULL, e->s);
	else if (e->t != SR_JT_OBJ && e->t != SR_JT_ARR)
		sr_jw_raw(w, NULL, e->s, e->len);
	else
		sr_jw_strn(w, NULL, e->s, e->len);
}

int sr_exp_argv(const struct sr_jrec *rec, const struct sr_jval *v, const struct sr_jval *a0,
                struct sr_jw *w, const char *key, char **cmdline)
{
	/* an empty array has no elements: rec->el may be NULL */
	const struct sr_jval *el = v->n ? rec->el + v->first : NULL;
	const char *stackw[16], **words = stackw;
	char **owned = NULL;
	size_t i, pre = a0 && a0->t == SR_JT_STR ? 1 : 0, n = v->n + pre;
	int rc = 0;

	if (w) {
		sr_jw_arr(w, key);
		if (pre)
			sr_jw_str(w, NULL, a0->s);
		for (i = 0; i < v->n; i++)
			argv_elem(w, &el[i]);
		sr_jw_end(w);
	}
	if (!cmdline)
		return 0;
	*cmdline = NULL;
	if (n > sizeof(stackw) / sizeof(stackw[0]) && !(words = calloc(n, sizeof(*words))))
		return -ENOMEM;
	if (pre)
		words[0] = a0->s;
	for (i = 0; i < v->n; i++) {
		if (el[i].t == SR_JT_STR) {
			words[pre + i] = el[i].s;
			continue;
		}
		/* a non-string element joins as its JSON text */
		if (!owned && !(owned = calloc(v->n, sizeof(*owned)))) {
			rc = -ENOMEM;
			goto out;
		}
		owned[i] = strndup(el[i].s, el[i].len);
		if (!owned[i]) {
			rc = -ENOMEM;
			goto out;
		}
		words[pre + i] = owned[i];
	}
	*cmdline = sr_argv_join_v(words, n, false);
	if (!*cmdline)
		rc = -ENOMEM;
out:
	if (owned)
		for (i = 0; i < v->n; i++)
			free(owned[i]);
	free(owned);
	if (words != stackw)
		free(words);
	return rc;
}

int sr_exp_proc_prepare(struct sr_exp_proc *p, struct sr_jrec *scratch)
{
	struct sr_jw w = {0};
	struct sr_jval v = {.t = SR_JT_ARR};
	int rc;

	p->have_args = false;
	p->args = p->cmdline = NULL;
	p->args_len = 0;
	p->nargs = 0;
	p->start[0] = '\0';
	if (p->start_us)
		sr_time_format(p->start_us, p->start);
	if (!p->argv_json)
		return 0;
	rc = sr_jrec_parse_array(scratch, p->argv_json, strlen(p->argv_json));
	if (rc == -EINVAL)
		return 0;
	if (rc)
		return rc;
	v.n = scratch->nel;
	sr_jw_reset(&w);
	rc = sr_exp_argv(scratch, &v, NULL, &w, NULL, &p->cmdline);
	if (rc == 0)
		rc = sr_jw_error(&w);
	if (rc) {
		sr_jw_free(&w);
		free(p->cmdline);
		p->cmdline = NULL;
		return rc;
	}
	p->args = w.b;
	p->args_len = w.len;
	p->nargs = (int64_t)v.n;
	p->have_args = true;
	return 0;
}

int sr_exp_frag_prepare(struct sr_exp_frag *f, const struct sr_exp_sess *s)
{
	struct sr_jw a = {0}, b = {0};

	memset(f, 0, sizeof(*f));
	sr_jw_reset(&a);
	sr_ecs_entry_leader(&a, NULL, s);
	sr_jw_reset(&b);
	sr_ocsf_session(&b, s->sid, s);
	if (sr_jw_error(&a) || sr_jw_error(&b)) {
		sr_jw_free(&a);
		sr_jw_free(&b);
		return -ENOMEM;
	}
	f->ecs_leader = a.b;
	f->ecs_leader_len = a.len;
	f->ocsf_session = b.b;
	f->ocsf_session_len = b.len;
	return 0;
}

void sr_exp_frag_clear(struct sr_exp_frag *f)
{
	free(f->ecs_leader);
	free(f->ocsf_session);
	memset(f, 0, sizeof(*f));
}

void sr_exp_proc_clear(struct sr_exp_proc *p)
{
	free(p->args);
	free(p->cmdline);
	p->args = p->cmdline = NULL;
	p->have_args = false;
}

void sr_exp_image_clear(struct sr_exp_image *m)
{
	free(m->path);
	free(m->argv);
	free(m->cwd);
	free(m->exe);
	free(m->exe_kind);
	sr_exp_proc_clear(&m->p);
	memset(m, 0, sizeof(*m));
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*fail = true;
	return d;
}

int sr_exp_image_set(struct sr_exp_image *m, const struct sr_exp_proc *src, struct sr_jrec *scratch)
{
	bool fail = false;

	sr_exp_image_clear(m);
	m->path = dup_or_null(src->path, &fail);
	m->argv = dup_or_null(src->argv_json, &fail);
	m->cwd = dup_or_null(src->cwd, &fail);
	m->exe = dup_or_null(src->exe, &fail);
	m->exe_kind = dup_or_null(src->exe_kind, &fail);
	m->p.id = src->id;
	m->p.path = m->path;
	m->p.argv_json = m->argv;
	m->p.cwd = m->cwd;
	m->p.exe = m->exe;
	m->p.exe_kind = m->exe_kind;
	m->p.pid = src->pid;
	m->p.ppid = src->ppid;
	m->p.start_us = src->start_us;
	if (fail || sr_exp_proc_prepare(&m->p, scratch)) {
		sr_exp_image_clear(m);
		return -ENOMEM;
	}
	m->valid = true;
	return 0;
}
