/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec report SID -o FILE: one self-contained HTML page (inline CSS + SVG,
 * no script) that leads with what the login did (cli/report.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "cli/report.h"

static const char report_usage[] = "usage: sshrec report SID -o FILE.html\n";

/* Commands drawn as bars in the chart; the lists above have all of them. */
#define CHART_MAX 400

/* A bar per command, from its start to its end (or the session's). */
static void chart(struct rp *r)
{
	const struct sr_session_row *s = r->s;
	const struct sr_tree *t = r->t;
	int64_t t0 = s->start_us, t1 = s->end_us;
	const int left = 220, width = 900, rowh = 16;
	size_t i, n, k;
	int h;

	for (i = 0; i < t->n; i++) {
		if (t->p[i].end_us > t1)
			t1 = t->p[i].end_us;
		if (t->p[i].start_us > t1)
			t1 = t->p[i].start_us;
	}
	if (t1 <= t0)
		t1 = t0 + 1000;
	n = r->ncmds < CHART_MAX ? r->ncmds : CHART_MAX;
	if (!n)
		return;
	h = (int)n * rowh + 40;
	fputs("<h2 id=chart>When the commands ran</h2>\n<div class=chart>", r->f);
	fprintf(r->f,
	        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='100%%' "
	        "role='img'>\n",
	        left + width + 70, h);
	for (k = 0; k <= 4; k++) {
		char d[32];
		int x = left + (int)(width * k / 4);

		fprintf(r->f, "<line x1='%d' y1='14' x2='%d' y2='%d' stroke='#e3e7ee'/>", x, x,
		        h - 4);
		fprintf(r->f, "<text class='ax' x='%d' y='11'>+%s</text>\n", x,
		        sr_fmt_duration((t1 - t0) * (int64_t)k / 4 / 1000, d, sizeof(d)));
	}
	for (k = 0; k < n; k++) {
		const struct sr_proc *p = &t->p[r->cmds[k]];
		int64_t pe = p->end_us ? p->end_us : t1;
		double x = left + (double)width * (double)(p->start_us - t0) / (double)(t1 - t0);
		double w = (double)width * (double)(pe - p->start_us) / (double)(t1 - t0);
		int y = 20 + (int)k * rowh;
		const char *cls = p->return_code < 0 || (p->has_exit && (p->signal || p->exit_code))
		                      ? "bar fail"
		                  : !p->end_us ? "bar run"
		                               : "bar";
		char out[96];

		if (w < 2)
			w = 2;
		fprintf(r->f, "<text x='4' y='%d'>", y + 11);
		rp_html(r->f, p->program);
		fprintf(r->f,
		        "</text><rect class='%s' x='%.1f' y='%d' width='%.1f' height='%d' rx='2'>"
		        "<title>",
		        cls, x, y + 2, w, rowh - 4);
		if (p->label) {
			rp_html(r->f, p->label);
			fputs(": ", r->f);
		}
		rp_html(r->f, p->cmdline);
		fputs(" \xe2\x80\x94 ", r->f);
		rp_html(r->f, sr_proc_outcome(p, out, sizeof(out)));
		fputs("</title></rect>\n", r->f);
	}
	fputs("</svg></div>\n", r->f);
	if (r->ncmds > CHART_MAX)
		fprintf(r->f, "<p class=note>The chart shows the first %d of %zu commands.</p>\n",
		        CHART_MAX, r->ncmds);
}

static int rec_add(struct rp_recs *v, const struct rp_rec *x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 8;
		struct rp_rec *nv = realloc(v->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = *x;
	return 0;
}

static void recs_free(struct rp_recs *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].program);
		free(v->v[i].text);
	}
	free(v->v);
}

/* The session's escapes, data losses and denials. Returns 0 or -errno. */
static int load_records(struct sr_cli *cli, struct rp *r)
{
	struct sr_store_reader rd;
	sqlite3_stmt *st;
	int rc, err = 0;

	if (sr_db_reader(cli, &rd))
		return -EIO;
	if (sr_db_prepare(cli,
	                  "SELECT " SR_STORE_EVENT_COLS " FROM events e WHERE e.session_id = ?1 "
	                  "AND e.kind IN (?2, ?3, ?4) ORDER BY e.ei",
	                  &st)) {
		sr_store_reader_free(&rd);
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, r->s->id);
	sqlite3_bind_int(st, 2, SR_REC_ESCAPE);
	sqlite3_bind_int(st, 3, SR_REC_DATA_LOSS);
	sqlite3_bind_int(st, 4, SR_REC_DENIED);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct sr_record *rec;
		const char *js;
		size_t jl;
		json_object *o;
		char buf[8192];
		struct rp_rec x = {0};

		err = sr_db_record(cli, &rd, st, 0, &rec, &js, &jl);
		if (err)
			break;
		o = json_tokener_parse(js);
		if (o)
			sr_describe(o, sr_rec_event_name(rec->kind), buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "(unreadable record) %s", js);
		json_object_put(o);
		x.time_us = rec->time_us;
		x.pid = (int)rec->pid;
		x.program = strdup(rec->program ? rec->program : "-");
		x.text = strdup(buf);
		if (!x.program || !x.text ||
		    rec_add(rec->kind == SR_REC_ESCAPE      ? &r->escapes
		            : rec->kind == SR_REC_DATA_LOSS ? &r->losses
		                                            : &r->denials,
		            &x)) {
			free(x.program);
			free(x.text);
			sr_cli_error("out of memory");
			err = -ENOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	sr_store_reader_free(&rd);
	if (!err && rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		err = -EIO;
	}
	return err;
}

/* The page, section by section: what the login did first, everything last. */
static void page(struct rp *r)
{
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset='utf-8'>\n"
	      "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>sshrec session ",
	      r->f);
	rp_html(r->f, r->s->sid);
	fprintf(r->f, "</title>\n<style>%s</style></head><body>\n", rp_css);
	rp_summary(r);
	/* the session policy's denials, when there are any, before anything else */
	if (r->denials.n)
		rp_denials(r);
	rp_commands(r);
	rp_lists(r);
	chart(r);
	rp_full_tree(r);
	rp_sshd(r);
	fputs("<p class=note>Generated by sshrec " PACKAGE_VERSION
	      " from the session recording. Every recorded string is shown as text.</p>\n"
	      "</body></html>\n",
	      r->f);
}

int sr_cmd_report(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *outp = NULL;
	struct sr_session_row s;
	struct sr_tree t;
	struct rp r = {0};
	int c, ret = SR_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outp = optarg;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(report_usage, c);
		}
	}
	if (optind + 1 != argc || !outp) {
		fputs(report_usage, stderr);
		return SR_EXIT_USAGE;
	}
	if (sr_db_open_ro(cli) || sr_db_session(cli, argv[optind], &s))
		return SR_EXIT_ERROR;
	if (sr_tree_load(cli, s.id, true, true, true, &t)) {
		sr_session_row_free(&s);
		return SR_EXIT_ERROR;
	}
	r.s = &s;
	r.t = &t;
	if (load_records(cli, &r))
		goto out;
	if (rp_find_commands(&r) || rp_stats(&r)) {
		sr_cli_error("out of memory");
		goto out;
	}
	r.f = sr_fopen_private(outp);
	if (!r.f) {
		sr_cli_error("cannot write %s: %s", outp, strerror(errno));
		goto out;
	}
	page(&r);
	if (ferror(r.f) | (fclose(r.f) != 0)) {
		sr_cli_error("write error on %s: %s", outp, strerror(errno));
		goto out;
	}
	ret = SR_EXIT_OK;
out:
	recs_free(&r.escapes);
	recs_free(&r.losses);
	recs_free(&r.denials);
	free(r.cmds);
	free(r.st);
	sr_tree_free(&t);
	sr_session_row_free(&s);
	return ret;
}
