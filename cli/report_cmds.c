/* SPDX-License-Identifier: BSD-2-Clause */
/* The report's commands (what the user ran, and what that started) and its
 * full process tree, with the noise folded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "cli/report.h"

void rp_outcome(FILE *f, const struct sr_proc *p)
{
	bool bad = p->return_code < 0 || (p->has_exit && (p->signal > 0 || p->exit_code));
	char out[96];

	fprintf(f, "<span class=%s>", bad ? "bad" : "ok");
	rp_html(f, sr_proc_outcome(p, out, sizeof(out)));
	fputs("</span>", f);
}

void rp_cmdline(FILE *f, const struct sr_proc *p)
{
	if (p->label) {
		fputs("<span class=exe>", f);
		rp_html(f, p->label);
		fputs("</span> ", f);
	}
	fputs("<span class=cmd>", f);
	rp_html(f, p->cmdline);
	fputs("</span>", f);
}

int rp_find_commands(struct rp *r)
{
	const struct sr_tree *t = r->t;
	size_t i, c;

	r->cmds = malloc((t->n ? t->n : 1) * sizeof(*r->cmds));
	if (!r->cmds)
		return -ENOMEM;
	r->ncmds = 0;
	for (i = t->first_root; i != SIZE_MAX; i = t->p[i].next_sibling) {
		if (t->p[i].first_child == SIZE_MAX)
			r->cmds[r->ncmds++] = i;
		for (c = t->p[i].first_child; c != SIZE_MAX; c = t->p[c].next_sibling)
			r->cmds[r->ncmds++] = c;
	}
	return 0;
}

int rp_stats(struct rp *r)
{
	const struct sr_tree *t = r->t;
	size_t *order = malloc((t->n ? t->n : 1) * sizeof(*order)), n = 0, i, k;

	r->st = calloc(t->n ? t->n : 1, sizeof(*r->st));
	if (!order || !r->st) {
		free(order);
		return -ENOMEM;
	}
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i))
		order[n++] = i;
	/* children come after their parent in preorder: sum from the end */
	while (n--) {
		const struct sr_proc *p = &t->p[order[n]];
		struct rp_stat *s = &r->st[order[n]];

		s->programs++;
		s->failed += p->return_code < 0;
		s->unusual += p->label != NULL;
		s->denied += p->ndenied;
		for (k = 0; k < p->natt; k++) {
			s->conns += p->att[k].network;
			s->writes += rp_is_write(&p->att[k]) && !rp_is_device(&p->att[k]);
		}
		if (p->parent_idx != SIZE_MAX) {
			struct rp_stat *ps = &r->st[p->parent_idx];

			ps->programs += s->programs;
			ps->failed += s->failed;
			ps->unusual += s->unusual;
			ps->denied += s->denied;
			ps->conns += s->conns;
			ps->writes += s->writes;
		}
	}
	free(order);
	return 0;
}

/* One attachment as a list item; @p count > 1 adds "×N". */
static void att_item(FILE *f, const struct sr_attach *a, size_t count)
{
	char t[32];

	fprintf(f, "<li class='att %s%s'><span class=t>%s</span>",
	        a->denied    ? "denied"
	        : a->network ? "net"
	                     : "file",
	        a->failed && !a->denied ? " bad" : "", rp_clock(a->time_us, t, sizeof(t)));
	rp_html(f, a->text);
	if (count > 1)
		fprintf(f, " <span class=n>\xc3\x97%zu</span>", count);
	fputs("</li>\n", f);
}

/* A path and where it was first seen, to group repeated opens. */
struct key {
	const char *path;
	size_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Attachments @p att[0..n) that pass @p keep, as list items: repeated opens
 * of one path shown once with their count (every one of them in <details>),
 * at most RP_SHOW items before the rest folds.
 */
static void att_list(FILE *f, const struct sr_attach *att, size_t n,
                     bool (*keep)(const struct sr_attach *), size_t show)
{
	struct key *k = malloc((n ? n : 1) * sizeof(*k));
	/* for the first open of each path: how many there are and where they start in k[] */
	struct {
		size_t n, at;
	} *g = calloc(n ? n : 1, sizeof(*g));
	size_t m = 0, i, j, shown = 0, ngroups = 0;

	if (!k || !g) {
		free(k);
		free(g);
		for (i = 0; i < n; i++) /* no memory to group: list them as they are */
			if (keep(&att[i]))
				att_item(f, &att[i], 1);
		return;
	}
	for (i = 0; i < n; i++)
		if (keep(&att[i]))
			/* a file by its path; a connection or a denial (no path) by its text */
			k[m++] = (struct key){
			    att[i].network || !att[i].path ? att[i].text : att[i].path, i};
	qsort(k, m, sizeof(*k), cmp_key);
	for (i = 0; i < m; i = j) {
		for (j = i + 1; j < m && !strcmp(k[j].path, k[i].path); j++)
			;
		g[k[i].i].n = j - i;
		g[k[i].i].at = i;
		ngroups++;
	}
	for (i = 0; i < n; i++) {
		if (!g[i].n)
			continue;
		if (shown++ == show)
			fprintf(f, "<li><details><summary>%zu more</summary><ul>\n",
			        ngroups - show);
		att_item(f, &att[i], g[i].n);
		if (g[i].n > 1) {
			fprintf(f, "<li><details><summary>all %zu opens of it</summary><ul>\n",
			        g[i].n);
			for (j = g[i].at; j < g[i].at + g[i].n; j++)
				att_item(f, &att[k[j].i], 1);
			fputs("</ul></details></li>\n", f);
		}
	}
	if (shown > show)
		fputs("</ul></details></li>\n", f);
	free(k);
	free(g);
}

static bool is_notable(const struct sr_attach *a)
{
	return a->denied || a->network || (rp_is_write(a) && !rp_is_device(a));
}

static bool is_shown(const struct sr_attach *a)
{
	return !rp_is_routine(a);
}

void rp_atts(FILE *f, const struct sr_attach *att, size_t n, bool full)
{
	size_t k, routine = 0, shown = 0;

	for (k = 0; k < n; k++) {
		routine += rp_is_routine(&att[k]);
		shown += full ? !rp_is_routine(&att[k]) : is_notable(&att[k]);
	}
	if (!shown && !(full && routine))
		return;
	fputs("<ul>\n", f);
	/* the full tree lists more before folding than a command's summary does */
	att_list(f, att, n, full ? is_shown : is_notable, full ? RP_SHOW : RP_SHOW_BRIEF);
	if (full && routine) {
		fprintf(f,
		        "<li class=note><details><summary>%zu routine read-only opens (shared "
		        "libraries, locales, /proc)</summary><ul>\n",
		        routine);
		att_list(f, att, n, rp_is_routine, RP_SHOW);
		fputs("</ul></details></li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void atts(FILE *f, const struct sr_proc *p, bool full)
{
	rp_atts(f, p->att, p->natt, full);
}

/* One process's line: time, label and command line, outcome, pid, duration, cwd. */
static void proc_line(FILE *f, const struct sr_proc *p)
{
	char t[32], dur[32];

	fprintf(f, "<span class=t>%s</span>", rp_clock(p->start_us, t, sizeof(t)));
	rp_cmdline(f, p);
	fputs(" ", f);
	rp_outcome(f, p);
	if (p->ndenied)
		fputs("<span class=tag>DENIED</span>", f);
	fprintf(f, "<span class=meta>pid %d", p->pid);
	if (p->duration_ms >= 0)
		fprintf(f, ", %s", sr_fmt_duration(p->duration_ms, dur, sizeof(dur)));
	if (p->cwd) {
		fputs(", in ", f);
		rp_html(f, p->cwd);
	}
	fputs("</span>\n", f);
}

/*
 * The processes from @p first on in preorder while they are at least
 * @p depth deep (a subtree, or with depth 0 the whole forest), nested.
 */
static void tree(struct rp *r, size_t first, int depth, bool full)
{
	const struct sr_tree *t = r->t;
	int d = depth - 1;
	size_t i;

	fputs("<ul class=tree>\n", r->f);
	for (i = first; i != SIZE_MAX && t->p[i].depth >= depth; i = sr_tree_next(t, i)) {
		const struct sr_proc *p = &t->p[i];

		if (p->depth <= d)
			fputs("</li>\n", r->f);
		for (; d > p->depth; d--)
			fputs("</ul></li>\n", r->f);
		if (p->depth > d && d >= depth)
			fputs("<ul>\n", r->f);
		d = p->depth;
		fputs("<li>", r->f);
		proc_line(r->f, p);
		atts(r->f, p, full);
	}
	if (d >= depth)
		fputs("</li>\n", r->f);
	for (; d > depth; d--)
		fputs("</ul></li>\n", r->f);
	fputs("</ul>\n", r->f);
}

/* "wrote 2 files · 1 connection · …": what a subtree did, the non-zero parts. */
static void facts(FILE *f, const struct rp_stat *s)
{
	const char *sep = "";

#define FACT(n, one, many)                                                                         \
	if (n) {                                                                                   \
		fprintf(f, "%s<b>%zu</b> %s", sep, (n), (n) == 1 ? one : many);                    \
		sep = " \xc2\xb7 ";                                                                \
	}
	fputs("<div class=facts>", f);
	FACT(s->programs - 1, "program started", "programs started")
	FACT(s->writes, "file written", "files written")
	FACT(s->conns, "connection", "connections")
	FACT(s->failed, "failed exec", "failed execs")
	FACT(s->unusual, "unusual exec", "unusual execs")
	FACT(s->denied, "denied", "denied")
#undef FACT
	fputs("</div>\n", f);
}

/* @p i only exec'd its one command (`bash -c cmd` runs cmd in its place) and did
 * nothing of note itself. */
static bool only_execd(const struct sr_tree *t, size_t i)
{
	const struct sr_proc *p = &t->p[i];
	size_t c = p->first_child, k;

	if (!p->execd || c == SIZE_MAX || t->p[c].next_sibling != SIZE_MAX || t->p[c].pid != p->pid)
		return false;
	for (k = 0; k < p->natt; k++)
		if (is_notable(&p->att[k]))
			return false;
	return true;
}

void rp_commands(struct rp *r)
{
	const struct sr_tree *t = r->t;
	size_t i, c = 0, root;

	fputs("<h2 id=commands>Commands</h2>\n", r->f);
	if (!r->ncmds) {
		fputs("<p class=note>No program was run in this session.</p>\n", r->f);
		return;
	}
	for (root = t->first_root; root != SIZE_MAX; root = t->p[root].next_sibling) {
		const struct sr_proc *rp = &t->p[root];

		/* the login shell (or `bash -c ...`): what it did itself, then its commands;
		 * not when it only exec'd its command (`bash -c cmd` runs cmd in its place) */
		if (rp->first_child != SIZE_MAX && !only_execd(t, root)) {
			fputs("<p>sshd started ", r->f);
			proc_line(r->f, rp);
			fputs("</p>\n", r->f);
			atts(r->f, rp, false);
		}
		fputs("<ol class=cmds>\n", r->f);
		for (; c < r->ncmds && (r->cmds[c] == root || t->p[r->cmds[c]].parent_idx == root);
		     c++) {
			i = r->cmds[c];
			fprintf(r->f, "<li id=c%zu>", c + 1);
			proc_line(r->f, &t->p[i]);
			facts(r->f, &r->st[i]);
			atts(r->f, &t->p[i], false);
			if (t->p[i].first_child != SIZE_MAX) {
				if (r->st[i].programs == 2)
					fputs(
					    "<details><summary>the program it started</summary>\n",
					    r->f);
				else
					fprintf(r->f,
					        "<details><summary>the %zu programs it "
					        "started</summary>\n",
					        r->st[i].programs - 1);
				tree(r, t->p[i].first_child, t->p[i].depth + 1, false);
				fputs("</details>\n", r->f);
			}
			fputs("</li>\n", r->f);
		}
		fputs("</ol>\n", r->f);
	}
}

void rp_full_tree(struct rp *r)
{
	fputs("<h2 id=tree>Everything recorded, by process</h2>\n", r->f);
	if (!r->t->n) {
		fputs("<p class=note>No programs were recorded in this session.</p>\n", r->f);
		return;
	}
	fprintf(r->f,
	        "<details><summary>The process tree with every file open and connection "
	        "(%zu programs; routine read-only opens and repeats folded)</summary>\n",
	        r->t->n);
	tree(r, r->t->first_root, 0, true);
	fputs("</details>\n", r->f);
}
