/* SPDX-License-Identifier: BSD-2-Clause */
/* The report's summary and its lists: connections, files written, failed and
 * unusual execs, escapes, data loss, denials, sshd's own activity. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "cli/report.h"
#include "timeutil.h"

/* An attachment and its process, for lists across processes. */
struct ref {
	int64_t time_us;
	size_t proc, k;
	size_t n; /**< first_of_each_path(): opens of its path */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->time_us != y->time_us)
		return x->time_us < y->time_us ? -1 : 1;
	return x->proc != y->proc ? (x->proc < y->proc ? -1 : 1) : (x->k > y->k) - (x->k < y->k);
}

/* Every attachment that passes @p keep, in time order (malloc'd; NULL when none or no memory). */
static struct ref *collect(const struct sr_tree *t, bool (*keep)(const struct sr_attach *),
                           size_t *n)
{
	struct ref *v = NULL;
	size_t i, k, cap = 0;

	*n = 0;
	for (i = 0; i < t->n; i++)
		for (k = 0; k < t->p[i].natt; k++) {
			if (!keep(&t->p[i].att[k]))
				continue;
			if (*n == cap) {
				struct ref *nv =
				    realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

				if (!nv) {
					free(v);
					*n = 0;
					return NULL;
				}
				v = nv;
			}
			v[(*n)++] = (struct ref){t->p[i].att[k].time_us, i, k, 1};
		}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_ref);
	return v;
}

static bool is_conn(const struct sr_attach *a)
{
	return a->network;
}

static bool is_file_write(const struct sr_attach *a)
{
	return rp_is_write(a) && !rp_is_device(a);
}

static bool is_dev_write(const struct sr_attach *a)
{
	return rp_is_write(a) && rp_is_device(a);
}

static const struct sr_tree *sort_tree; /* for cmp_path: qsort has no context */

static const char *ref_path(const struct ref *r)
{
	return sort_tree->p[r->proc].att[r->k].path;
}

static int cmp_path(const void *a, const void *b)
{
	int c = strcmp(ref_path(a), ref_path(b));

	return c ? c : cmp_ref(a, b);
}

/*
 * Keep the first open of each path among @p v[0..n), with its number of
 * opens in .n, in time order; returns how many are kept. Sorted, not
 * compared each with each: a build writes 100,000 files.
 */
static size_t first_of_each_path(const struct sr_tree *t, struct ref *v, size_t n)
{
	size_t i, j, m = 0;

	sort_tree = t;
	qsort(v, n, sizeof(*v), cmp_path);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(ref_path(&v[i]), ref_path(&v[j])); j++)
			;
		v[m] = v[i];
		v[m++].n = j - i;
	}
	qsort(v, m, sizeof(*v), cmp_ref);
	return m;
}

/* A table row's start, folding the rows after the first RP_SHOW. */
static void row_start(FILE *f, size_t i, size_t n, int cols)
{
	if (i == RP_SHOW)
		fprintf(f,
		        "<tr><td colspan=%d><details><summary>%zu more</summary><table "
		        "class=l>\n",
		        cols, n - RP_SHOW);
	fputs("<tr>", f);
}

static void table_end(FILE *f, size_t n)
{
	if (n > RP_SHOW)
		fputs("</table></details></td></tr>\n", f);
	fputs("</table>\n", f);
}

/* "<td>time</td><td>program</td>" of process @p p: its label and command
 * line (@p full), or its name with the command line as the tooltip. */
static void proc_cells(FILE *f, const struct sr_proc *p, int64_t time_us, bool full)
{
	char t[32];

	fprintf(f, "<td class=t>%s</td><td>", rp_clock(time_us, t, sizeof(t)));
	if (full) {
		rp_cmdline(f, p);
	} else {
		fputs("<span class=cmd title='", f);
		rp_html(f, p->cmdline);
		fputs("'>", f);
		rp_html(f, p->label ? p->label : p->program);
		fputs("</span>", f);
	}
	fprintf(f, " <span class=meta>pid %d</span></td>", p->pid);
}

static void section(FILE *f, const char *id, const char *title, size_t n, const char *none)
{
	fprintf(f, "<h2 id=%s>%s</h2>\n", id, title);
	if (!n)
		fprintf(f, "<p class=note>%s</p>\n", none);
}

static void connections(struct rp *r)
{
	size_t n, i;
	struct ref *v = collect(r->t, is_conn, &n);

	section(r->f, "net", "Outbound connections", n, "None recorded.");
	if (n)
		fputs("<table class=l><tr><th>time</th><th>program</th><th>connection</th></tr>\n",
		      r->f);
	for (i = 0; i < n; i++) {
		const struct sr_attach *a = &r->t->p[v[i].proc].att[v[i].k];

		row_start(r->f, i, n, 3);
		proc_cells(r->f, &r->t->p[v[i].proc], a->time_us, false);
		fprintf(r->f, "<td class='%s'>", a->failed ? "bad" : "net");
		rp_html(r->f, a->text);
		fputs("</td></tr>\n", r->f);
	}
	if (n)
		table_end(r->f, n);
	free(v);
}

static void files_written(struct rp *r)
{
	size_t n, m = 0, i, ndev;
	struct ref *v = collect(r->t, is_file_write, &n), *dev = collect(r->t, is_dev_write, &ndev);

	if (v)
		m = first_of_each_path(r->t, v, n);
	section(r->f, "files", "Files written or created", m,
	        "None recorded (opens for writing or creating a file).");
	if (m)
		fputs("<table class=l><tr><th>first</th><th>by</th><th>file (first open)</th>"
		      "<th>opens</th></tr>\n",
		      r->f);
	for (i = 0; i < m; i++) {
		const struct sr_attach *a = &r->t->p[v[i].proc].att[v[i].k];

		row_start(r->f, i, m, 4);
		proc_cells(r->f, &r->t->p[v[i].proc], a->time_us, false);
		fprintf(r->f, "<td class='%s'>", a->failed ? "bad" : "file");
		rp_html(r->f, a->text);
		fprintf(r->f, "</td><td>%zu</td></tr>\n", v[i].n);
	}
	if (m)
		table_end(r->f, m);
	if (ndev)
		fprintf(r->f,
		        "<p class=note>And %zu opens for writing under /dev (the terminal, "
		        "/dev/null), not listed.</p>\n",
		        ndev);
	free(v);
	free(dev);
}

/* Processes that pass @p keep, as rows: time, program, result, and who started it. */
static void proc_table(struct rp *r, const char *id, const char *title, const char *none,
                       bool (*keep)(const struct sr_proc *))
{
	const struct sr_tree *t = r->t;
	size_t n = 0, i, k = 0;

	for (i = 0; i < t->n; i++)
		n += keep(&t->p[i]);
	section(r->f, id, title, n, none);
	if (!n)
		return;
	fputs("<table class=l><tr><th>time</th><th>program</th><th>result</th><th>started "
	      "by</th></tr>\n",
	      r->f);
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i)) {
		const struct sr_proc *p = &t->p[i];

		if (!keep(p))
			continue;
		row_start(r->f, k++, n, 4);
		proc_cells(r->f, p, p->start_us, true);
		fputs("<td>", r->f);
		rp_outcome(r->f, p);
		fputs("</td><td><span class=cmd>", r->f);
		rp_html(r->f, p->parent_idx != SIZE_MAX ? t->p[p->parent_idx].cmdline : "sshd");
		fputs("</span></td></tr>\n", r->f);
	}
	table_end(r->f, n);
}

static bool is_failed(const struct sr_proc *p)
{
	return p->return_code < 0;
}

static bool is_unusual(const struct sr_proc *p)
{
	return p->label != NULL;
}

static void records(struct rp *r, const struct rp_recs *v, const char *id, const char *title,
                    const char *none)
{
	size_t i;
	char t[32];

	section(r->f, id, title, v->n, none);
	if (!v->n)
		return;
	fputs("<table class=l><tr><th>time</th><th>pid</th><th>program</th><th>what</th></tr>\n",
	      r->f);
	for (i = 0; i < v->n; i++) {
		row_start(r->f, i, v->n, 4);
		fprintf(r->f, "<td class=t>%s</td><td>%d</td><td>",
		        rp_clock(v->v[i].time_us, t, sizeof(t)), v->v[i].pid);
		rp_html(r->f, v->v[i].program);
		fputs("</td><td class=bad>", r->f);
		rp_html(r->f, v->v[i].text);
		fputs("</td></tr>\n", r->f);
	}
	table_end(r->f, v->n);
}

void rp_lists(struct rp *r)
{
	connections(r);
	files_written(r);
	proc_table(r, "failed", "Failed execs", "None.", is_failed);
	proc_table(r, "unusual", "Fileless and unusual execs",
	           "None (no program ran from memory, through a file descriptor or from a deleted "
	           "file).",
	           is_unusual);
	records(r, &r->escapes, "escapes", "Escapes from the session cgroup",
	        "None: no recorded process moved to another cgroup.");
	records(r, &r->losses, "loss", "Data loss", "None: nothing was lost in the kernel.");
	if (!r->denials.n)
		rp_denials(r);
}

void rp_denials(struct rp *r)
{
	records(r, &r->denials, "denials", "Denied by the session policy",
	        "None recorded. An exec, open or connect the session policy refuses (or would, "
	        "in audit mode) is recorded as session.denied (SR4020W) and listed here.");
}

/* One row of the summary; @p v NULL shows "-". */
static void dd(FILE *f, const char *k, const char *v)
{
	fprintf(f, "<dt>%s</dt><dd>", k);
	rp_html(f, v ? v : "-");
	fputs("</dd>\n", f);
}

/* A link to a section with its count: red when @p hot and not zero. */
static void look(FILE *f, const char *id, size_t n, const char *one, const char *many, bool hot)
{
	fprintf(f, "<li><a href='#%s' class=%s>%zu %s</a></li>\n", id,
	        !n    ? "zero"
	        : hot ? "hot"
	              : "some",
	        n, n == 1 ? one : many);
}

void rp_summary(struct rp *r)
{
	const struct sr_session_row *s = r->s;
	char a[SR_TIME_STRLEN], b[SR_TIME_STRLEN], buf[600], dur[32];
	size_t i, k, writes = 0, conns = 0, failed = 0, unusual = 0, n;
	struct ref *v;
	bool other;

	fputs("<h1>SSH login of ", r->f);
	rp_html(r->f, s->login ? s->login : "?");
	fputs(" from ", r->f);
	rp_html(r->f, s->remote_addr ? s->remote_addr : s->rhost ? s->rhost : "?");
	fputs("</h1>\n<div class=sid>session ", r->f);
	rp_html(r->f, s->sid);
	fputs("</div>\n<dl class=sum>\n", r->f);
	/* the identity only when it is neither the login nor the key (shown below) */
	other = s->user && (!s->login || strcmp(s->user, s->login)) &&
	        (!s->key_fingerprint || strcmp(s->user, s->key_fingerprint));
	snprintf(buf, sizeof(buf), "%s%s%s%s", s->login ? s->login : "?",
	         other ? " (authenticated as " : "", other ? s->user : "", other ? ")" : "");
	dd(r->f, "Who", buf);
	snprintf(buf, sizeof(buf), "%s port %d%s%s", s->remote_addr ? s->remote_addr : "?",
	         s->remote_port,
	         s->rhost && s->remote_addr && strcmp(s->rhost, s->remote_addr) ? ", host " : "",
	         s->rhost && s->remote_addr && strcmp(s->rhost, s->remote_addr) ? s->rhost : "");
	dd(r->f, "From", buf);
	snprintf(buf, sizeof(buf), "%s%s%s (%s)", s->key_type ? s->key_type : "",
	         s->key_type ? " " : "", s->key_fingerprint ? s->key_fingerprint : "no key",
	         s->auth_method ? s->auth_method : "?");
	dd(r->f, "Key", buf);
	sr_fmt_time(s->start_us, a, sizeof(a));
	sr_fmt_time(s->end_us, b, sizeof(b));
	/* the end's date only when it is another day */
	if (!s->end_us)
		snprintf(buf, sizeof(buf), "%s UTC, still running", a);
	else /* the end's date only when it is another day */
		snprintf(buf, sizeof(buf), "%s to %s UTC", a, !strncmp(a, b, 10) ? b + 11 : b);
	dd(r->f, "When", buf);
	if (s->end_us)
		sr_fmt_duration((s->end_us - s->start_us) / 1000, dur, sizeof(dur));
	else
		snprintf(dur, sizeof(dur), "%s, not ended", s->state ? s->state : "active");
	dd(r->f, "How long", dur);
	dd(r->f, "Server", s->server_hostname);
	snprintf(buf, sizeof(buf), "%s",
	         s->tty && !strncmp(s->tty, "/dev/", 5)
	             ? s->tty
	             : "none (a command, not an interactive shell)");
	dd(r->f, "Terminal", buf);
	snprintf(buf, sizeof(buf),
	         "programs: %" PRId64 ", file opens: %" PRId64 ", connections: %" PRId64
	         ", denied: %" PRId64,
	         s->n_command, s->n_disk, s->n_network, s->n_denied);
	dd(r->f, "Recorded", buf);
	fputs("</dl>\n<ul class=look>\n", r->f);
	for (i = 0; i < r->t->n; i++) {
		failed += r->t->p[i].return_code < 0;
		unusual += r->t->p[i].label != NULL;
		for (k = 0; k < r->t->p[i].natt; k++)
			conns += r->t->p[i].att[k].network;
	}
	v = collect(r->t, is_file_write, &n);
	if (v)
		writes = first_of_each_path(r->t, v, n);
	free(v);
	look(r->f, "commands", r->ncmds, "command", "commands", false);
	look(r->f, "net", conns, "outbound connection", "outbound connections", false);
	look(r->f, "files", writes, "file written", "files written", false);
	look(r->f, "failed", failed, "failed exec", "failed execs", true);
	look(r->f, "unusual", unusual, "fileless or unusual exec", "fileless or unusual execs",
	     true);
	look(r->f, "escapes", r->escapes.n, "escape", "escapes", true);
	look(r->f, "loss", (size_t)s->lost, "event lost", "events lost", true);
	look(r->f, "denials", r->denials.n, "denied action", "denied actions", true);
	fputs("</ul>\n", r->f);
}

void rp_sshd(struct rp *r)
{
	const struct sr_tree *t = r->t;

	fputs("<h2 id=sshd>sshd outside the shell</h2>\n", r->f);
	if (!t->norphan) {
		fputs("<p class=note>Nothing recorded.</p>\n", r->f);
		return;
	}
	fprintf(r->f,
	        "<details><summary>%zu file opens and connections of the login's sshd process "
	        "itself, before the shell started and after it ended (user database, "
	        "terminal, utmp)</summary>\n",
	        t->norphan);
	rp_atts(r->f, t->orphan, t->norphan, true);
	fputs("</details>\n", r->f);
}
