/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec report SID -o FILE: one self-contained HTML page (inline CSS + SVG, no script). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "timeutil.h"

static const char report_usage[] = "usage: sshrec report SID -o FILE.html\n";

/* Processes drawn as bars in the chart; the tree below always lists all. */
#define CHART_MAX 400

static const char report_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}"
    "h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:28px 0 8px}"
    "table.hdr{border-collapse:collapse}table.hdr th{text-align:left;padding:2px 16px 2px 0;"
    "color:#5b6475;font-weight:600}table.hdr td{padding:2px 0;font-family:monospace}"
    ".chart{background:#fff;border:1px solid #d8dde6;border-radius:6px;overflow-x:auto}"
    ".chart text{font:11px monospace;fill:#1d2330}.chart .ax{fill:#5b6475}"
    ".bar{fill:#4c8bf5}.bar.fail{fill:#e5534b}.bar.run{fill:#f0a020}"
    "ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:18px;border-left:1px solid "
    "#d0d5de}ul.tree{padding-left:0;border:0}li{margin:2px 0}"
    ".cmd{font-family:monospace;font-weight:600;white-space:pre-wrap;word-break:break-all}"
    ".meta{color:#5b6475;font-size:12px;margin-left:8px}.ok{color:#1a7f37}.bad{color:#c93c37}"
    ".att{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}"
    ".file{color:#2f5fb3}.net{color:#8a3fb5}.note{color:#5b6475;font-size:12px}"
    ".exe{font-family:monospace;font-weight:600;color:#c93c37}"
    ".denied{color:#8c1d18;background:#fde7e6;border-left:3px solid #c93c37;padding:1px 6px;"
    "font-weight:600}.tag{color:#fff;background:#c93c37;border-radius:3px;padding:0 5px;"
    "margin-left:8px;font-size:11px;font-weight:700}"
    "ul.denials{list-style:none;padding:0}ul.denials li{margin:4px 0}";

/** Write @p s HTML-escaped (& < > " ' and control characters). */
static void html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

static void row(FILE *f, const char *k, const char *v)
{
	fprintf(f, "<tr><th>%s</th><td>", k);
	html(f, v ? v : "-");
	fputs("</td></tr>\n", f);
}

static void header(FILE *f, const struct sr_session_row *s)
{
	char a[64], b[64], from[300], counts[256], dur[32];

	fputs("<h1>SSH session ", f);
	html(f, s->sid);
	fputs("</h1>\n<table class=hdr>\n", f);
	row(f, "login", s->login);
	row(f, "identity", s->user);
	snprintf(from, sizeof(from), "%s port %d", s->remote_addr ? s->remote_addr : "-",
	         s->remote_port);
	row(f, "from", from);
	row(f, "server", s->server_hostname);
	row(f, "authentication", s->auth_method);
	row(f, "key", s->key_fingerprint);
	row(f, "tty", s->tty);
	row(f, "start", sr_time_format(s->start_us, a));
	row(f, "end", s->end_us ? sr_time_format(s->end_us, b) : NULL);
	row(f, "duration",
	    s->end_us ? sr_fmt_duration((s->end_us - s->start_us) / 1000, dur, sizeof(dur)) : NULL);
	row(f, "state", s->state);
	snprintf(counts, sizeof(counts),
	         "%" PRId64 " commands, %" PRId64 " file opens, %" PRId64 " connections, %" PRId64
	         " denied, %" PRId64 " lost",
	         s->n_command, s->n_disk, s->n_network, s->n_denied, s->lost);
	row(f, "recorded", counts);
	fputs("</table>\n", f);
}

static void chart(FILE *f, const struct sr_session_row *s, const struct sr_tree *t)
{
	int64_t t0 = s->start_us, t1 = s->end_us;
	const int left = 220, width = 900, rowh = 16;
	size_t i, n = 0, k;
	int h;

	for (i = 0; i < t->n; i++) {
		if (t->p[i].end_us > t1)
			t1 = t->p[i].end_us;
		if (t->p[i].start_us > t1)
			t1 = t->p[i].start_us;
	}
	if (t1 <= t0)
		t1 = t0 + 1000;
	n = t->n < CHART_MAX ? t->n : CHART_MAX;
	h = (int)n * rowh + 40;
	fputs("<h2>Timeline</h2>\n<div class=chart>", f);
	fprintf(f,
	        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='100%%' "
	        "role='img'>\n",
	        left + width + 40, h);
	for (k = 0; k <= 4; k++) {
		char d[32];
		int x = left + (int)(width * k / 4);

		fprintf(f, "<line x1='%d' y1='14' x2='%d' y2='%d' stroke='#e3e7ee'/>", x, x, h - 4);
		fprintf(f, "<text class='ax' x='%d' y='11'>+%s</text>\n", x,
		        sr_fmt_duration((t1 - t0) * (int64_t)k / 4 / 1000, d, sizeof(d)));
	}
	k = 0;
	for (i = t->first_root; i != SIZE_MAX && k < n; i = sr_tree_next(t, i), k++) {
		const struct sr_proc *p = &t->p[i];
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
		fprintf(f, "<text x='%d' y='%d'>", 4 + (p->depth > 12 ? 12 : p->depth) * 8, y + 11);
		html(f, p->program);
		fprintf(f,
		        "</text><rect class='%s' x='%.1f' y='%d' width='%.1f' height='%d' rx='2'>"
		        "<title>",
		        cls, x, y + 2, w, rowh - 4);
		if (p->label) {
			html(f, p->label);
			fputs(": ", f);
		}
		html(f, p->cmdline);
		fputs(" \xe2\x80\x94 ", f);
		html(f, sr_proc_outcome(p, out, sizeof(out)));
		fputs("</title></rect>\n", f);
	}
	fputs("</svg></div>\n", f);
	if (t->n > CHART_MAX)
		fprintf(f,
		        "<p class=note>The chart shows the first %d of %zu programs; the tree "
		        "below lists all of them.</p>\n",
		        CHART_MAX, t->n);
}

static void attach(FILE *f, const struct sr_attach *a)
{
	fprintf(f, "<li class='att %s%s'>",
	        a->denied    ? "denied"
	        : a->network ? "net"
	                     : "file",
	        a->failed && !a->denied ? " bad" : "");
	html(f, a->text);
	fputs("</li>\n", f);
}

/* Every denial of the session first, where an auditor looks: what, by which
 * program, when. The same records are marked in the tree below. */
static void denials(FILE *f, const struct sr_tree *t)
{
	char st[32];
	size_t i, k, n = 0;

	for (i = 0; i < t->n; i++)
		n += t->p[i].ndenied;
	for (k = 0; k < t->norphan; k++)
		n += t->orphan[k].denied;
	if (!n)
		return;
	fprintf(f, "<h2>Denied by the session policy (%zu)</h2>\n<ul class=denials>\n", n);
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i))
		for (k = 0; k < t->p[i].natt; k++) {
			const struct sr_attach *a = &t->p[i].att[k];

			if (!a->denied)
				continue;
			sr_fmt_time(a->time_us, st, sizeof(st));
			fprintf(f, "<li class=denied>%s pid %d <span class=cmd>", st, t->p[i].pid);
			html(f, t->p[i].cmdline);
			fputs("</span>: ", f);
			html(f, a->text);
			fputs("</li>\n", f);
		}
	for (k = 0; k < t->norphan; k++)
		if (t->orphan[k].denied) {
			sr_fmt_time(t->orphan[k].time_us, st, sizeof(st));
			fprintf(f, "<li class=denied>%s: ", st);
			html(f, t->orphan[k].text);
			fputs("</li>\n", f);
		}
	fputs("</ul>\n", f);
}

static void tree(FILE *f, const struct sr_tree *t)
{
	int depth = -1;
	size_t i, k;

	fputs("<h2>Process tree</h2>\n", f);
	if (t->n == 0 && t->norphan == 0) {
		fputs("<p class=note>No programs were recorded in this session.</p>\n", f);
		return;
	}
	fputs("<ul class=tree>\n", f);
	for (k = 0; k < t->norphan; k++)
		attach(f, &t->orphan[k]);
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i)) {
		const struct sr_proc *p = &t->p[i];
		bool bad = p->return_code < 0 || (p->has_exit && (p->signal > 0 || p->exit_code));
		char out[96], dur[32], st[32];

		if (depth >= 0 && p->depth <= depth)
			fputs("</li>\n", f);
		for (; depth > p->depth; depth--)
			fputs("</ul></li>\n", f);
		if (p->depth > depth && depth >= 0)
			fputs("<ul>\n", f);
		depth = p->depth;
		fputs("<li>", f);
		if (p->label) {
			fputs("<span class=exe>", f);
			html(f, p->label);
			fputs("</span> ", f);
		}
		fputs("<span class=cmd>", f);
		html(f, p->cmdline);
		fprintf(f, "</span><span class=meta>pid %d, <span class=%s>", p->pid,
		        bad ? "bad" : "ok");
		html(f, sr_proc_outcome(p, out, sizeof(out)));
		fputs("</span>", f);
		if (p->ndenied)
			fputs("<span class=tag>DENIED</span>", f);
		if (p->duration_ms >= 0)
			fprintf(f, ", %s", sr_fmt_duration(p->duration_ms, dur, sizeof(dur)));
		sr_fmt_time(p->start_us, st, sizeof(st));
		fprintf(f, ", started %s", st);
		if (p->cwd) {
			fputs(", in ", f);
			html(f, p->cwd);
		}
		fputs("</span>\n", f);
		if (p->natt) {
			fputs("<ul>\n", f);
			for (k = 0; k < p->natt; k++)
				attach(f, &p->att[k]);
			fputs("</ul>\n", f);
		}
	}
	if (depth >= 0)
		fputs("</li>\n", f);
	for (; depth > 0; depth--)
		fputs("</ul></li>\n", f);
	fputs("</ul>\n", f);
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
	FILE *f;
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
	f = fopen(outp, "w");
	if (!f) {
		sr_cli_error("cannot write %s: %s", outp, strerror(errno));
		goto out;
	}
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset='utf-8'>\n"
	      "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>sshrec session ",
	      f);
	html(f, s.sid);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n", report_css);
	header(f, &s);
	denials(f, &t);
	chart(f, &s, &t);
	tree(f, &t);
	fputs("<p class=note>Generated by sshrec " PACKAGE_VERSION
	      " from the session recording. Every recorded string is shown as text.</p>\n"
	      "</body></html>\n",
	      f);
	if (ferror(f) | (fclose(f) != 0)) {
		sr_cli_error("write error on %s: %s", outp, strerror(errno));
		goto out;
	}
	ret = SR_EXIT_OK;
out:
	sr_tree_free(&t);
	sr_session_row_free(&s);
	return ret;
}
