/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec tree SID: the session's process tree. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "strsafe.h"

static const char tree_usage[] =
    "usage: sshrec tree SID [--files] [--net] [--json]\n"
    "  --files  nest each process's file opens under it\n"
    "  --net    nest each process's TCP connections under it\n"
    "Actions the session policy denied are always shown, marked !! and DENIED.\n";

/* Deeper levels are drawn at this indentation, with the real depth shown. */
#define MAX_DRAW_DEPTH 48

struct glyphs {
	const char *tee, *elbow, *pipe, *blank;
};

static const struct glyphs utf8_glyphs = {"\xe2\x94\x9c\xe2\x94\x80 ", "\xe2\x94\x94\xe2\x94\x80 ",
                                          "\xe2\x94\x82  ", "   "};
static const struct glyphs ascii_glyphs = {"|- ", "`- ", "|  ", "   "};

/* Print the indentation of a line at @p depth (1 = child of the session). */
static void prefix(const struct glyphs *g, const bool *last, int depth, bool is_last)
{
	int k, d = depth > MAX_DRAW_DEPTH ? MAX_DRAW_DEPTH : depth;

	for (k = 1; k < d; k++)
		fputs(last[k] ? g->blank : g->pipe, stdout);
	fputs(is_last ? g->elbow : g->tee, stdout);
}

static void print_attach(const struct sr_cli *cli, const struct glyphs *g, bool *last, int depth,
                         const struct sr_attach *a, bool is_last)
{
	prefix(g, last, depth, is_last);
	if (a->denied) /* marked without colour too */
		printf("%s!! ", sr_col(cli->color, SR_C_BOLD));
	fputs(sr_col(cli->color, a->failed    ? SR_C_RED
	                         : a->network ? SR_C_MAGENTA
	                                      : SR_C_BLUE),
	      stdout);
	sr_put_term(stdout, a->text);
	fputs(sr_col(cli->color, SR_C_RESET), stdout);
	fputc('\n', stdout);
}

/* Decimal @p v, without printf's cost on a line per process. */
static void put_int(int64_t v)
{
	char b[SR_FMT_INT_MAX];

	fwrite(b, 1, sr_fmt_int(v, b), stdout);
}

static void print_proc(const struct sr_cli *cli, const struct sr_proc *p)
{
	char out[96], dur[32];
	bool bad = p->return_code < 0 || (p->has_exit && (p->signal > 0 || p->exit_code != 0));
	const char *dim = sr_col(cli->color, SR_C_DIM), *reset = sr_col(cli->color, SR_C_RESET);

	sr_put_exe_label(stdout, cli->color, p->label);
	fputs(sr_col(cli->color, SR_C_BOLD), stdout);
	sr_put_term(stdout, p->cmdline);
	fputs(reset, stdout);
	sr_proc_outcome(p, out, sizeof(out));
	fputs("  ", stdout);
	fputs(dim, stdout);
	fputs("[pid ", stdout);
	put_int(p->pid);
	fputs(", ", stdout);
	fputs(reset, stdout);
	fputs(sr_col(cli->color, bad ? SR_C_RED : SR_C_GREEN), stdout);
	fputs(out, stdout);
	fputs(reset, stdout);
	fputs(dim, stdout);
	if (p->duration_ms >= 0) {
		fputs(", ", stdout);
		fputs(sr_fmt_duration(p->duration_ms, dur, sizeof(dur)), stdout);
	}
	if (p->depth + 1 > MAX_DRAW_DEPTH) {
		fputs(", depth ", stdout);
		put_int(p->depth + 1);
	}
	fputc(']', stdout);
	fputs(reset, stdout);
	if (p->ndenied) {
		fputs("  ", stdout);
		fputs(sr_col(cli->color, SR_C_BOLD), stdout);
		fputs(sr_col(cli->color, SR_C_RED), stdout);
		fputs("DENIED", stdout);
		fputs(reset, stdout);
	}
	fputc('\n', stdout);
}

/* A process (or the session itself, proc SIZE_MAX) whose items are being
 * printed: its files/connections and its children, merged by time. */
struct frame {
	size_t proc;  /**< SIZE_MAX: the session (orphan events and the roots) */
	size_t k;     /**< next attached event */
	size_t child; /**< next child, SIZE_MAX when none is left */
	int depth;    /**< drawing depth of the items (1 = under the session) */
};

static void frame_att(const struct sr_tree *t, const struct frame *f, const struct sr_attach **att,
                      size_t *natt)
{
	*att = f->proc == SIZE_MAX ? t->orphan : t->p[f->proc].att;
	*natt = f->proc == SIZE_MAX ? t->norphan : t->p[f->proc].natt;
}

static int tree_text(struct sr_cli *cli, const struct sr_session_row *s, const struct sr_tree *t)
{
	const struct glyphs *g = cli->utf8 ? &utf8_glyphs : &ascii_glyphs;
	bool last[MAX_DRAW_DEPTH + 2] = {0};
	char start[32], h[512], id[160], from[512];
	struct frame *stack = calloc(t->n + 1, sizeof(*stack));
	size_t top = 0;

	if (!stack)
		return -ENOMEM;
	printf("%ssession %s%s  %s from %s, %s\n", sr_col(cli->color, SR_C_BOLD),
	       sr_term_escape_buf(s->sid, id, sizeof(id)), sr_col(cli->color, SR_C_RESET),
	       sr_term_escape_buf(s->login ? s->login : "?", h, sizeof(h)),
	       sr_term_escape_buf(s->remote_addr ? s->remote_addr : "-", from, sizeof(from)),
	       sr_fmt_time(s->start_us, start, sizeof(start)));
	stack[0] = (struct frame){.proc = SIZE_MAX, .child = t->first_root, .depth = 1};
	for (;;) {
		struct frame *f = &stack[top];
		const struct sr_attach *att;
		size_t natt;
		int d = f->depth;

		frame_att(t, f, &att, &natt);
		if (f->k < natt &&
		    (f->child == SIZE_MAX || att[f->k].time_us <= t->p[f->child].start_us)) {
			/* an open or connect before the next child started */
			f->k++;
			print_attach(cli, g, last, d, &att[f->k - 1],
			             f->k == natt && f->child == SIZE_MAX);
		} else if (f->child != SIZE_MAX) {
			size_t i = f->child;
			bool is_last = t->p[i].next_sibling == SIZE_MAX && f->k == natt;

			f->child = t->p[i].next_sibling;
			prefix(g, last, d, is_last);
			if (d <= MAX_DRAW_DEPTH)
				last[d] = is_last;
			print_proc(cli, &t->p[i]);
			stack[++top] =
			    (struct frame){.proc = i, .child = t->p[i].first_child, .depth = d + 1};
		} else if (top == 0) {
			break;
		} else {
			top--;
		}
	}
	free(stack);
	if (t->n == 0 && t->norphan == 0)
		printf("  (no programs recorded)\n");
	return 0;
}

static int tree_json(const struct sr_session_row *s, const struct sr_tree *t)
{
	struct sr_jarr ja;
	json_object *so = sr_session_json(s);
	size_t i, k;

	if (!so)
		return -ENOMEM;
	printf("{\"session\":%s,\"processes\":",
	       json_object_to_json_string_ext(so, JSON_C_TO_STRING_PLAIN |
	                                              JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(so);
	sr_jarr_begin(&ja, stdout);
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i)) {
		const struct sr_proc *p = &t->p[i];
		json_object *o = json_object_new_object(), *f = json_object_new_array(),
		            *n = json_object_new_array(), *dn = json_object_new_array();
		char out[96];

		if (!o || !f || !n || !dn) {
			json_object_put(o);
			json_object_put(f);
			json_object_put(n);
			json_object_put(dn);
			return -ENOMEM;
		}
		json_object_object_add(o, "id", json_object_new_int64(p->id));
		json_object_object_add(o, "parent_id",
		                       p->parent_id ? json_object_new_int64(p->parent_id) : NULL);
		json_object_object_add(o, "depth", json_object_new_int(p->depth));
		json_object_object_add(o, "pid", json_object_new_int(p->pid));
		json_object_object_add(o, "ppid", json_object_new_int(p->ppid));
		json_object_object_add(o, "path", json_object_new_string(p->path));
		json_object_object_add(o, "exe", p->exe ? json_object_new_string(p->exe) : NULL);
		json_object_object_add(o, "exe_kind",
		                       p->exe_kind ? json_object_new_string(p->exe_kind) : NULL);
		json_object_object_add(o, "exe_label",
		                       p->label ? json_object_new_string(p->label) : NULL);
		json_object_object_add(o, "argv", json_tokener_parse(p->argv_json));
		json_object_object_add(o, "argv_truncated",
		                       json_object_new_boolean(p->argv_truncated));
		json_object_object_add(o, "cmdline", json_object_new_string(p->cmdline));
		json_object_object_add(o, "cwd", p->cwd ? json_object_new_string(p->cwd) : NULL);
		json_object_object_add(o, "return_code", json_object_new_int(p->return_code));
		json_object_object_add(
		    o, "exit_code",
		    p->has_exit && p->signal <= 0 ? json_object_new_int(p->exit_code) : NULL);
		json_object_object_add(o, "signal", json_object_new_int(p->signal));
		json_object_object_add(
		    o, "outcome", json_object_new_string(sr_proc_outcome(p, out, sizeof(out))));
		sr_json_add_time(o, "start", p->start_us);
		sr_json_add_time(o, "end", p->end_us);
		json_object_object_add(o, "duration_ms",
		                       p->duration_ms >= 0 ? json_object_new_int64(p->duration_ms)
		                                           : NULL);
		for (k = 0; k < p->natt; k++)
			json_object_array_add(p->att[k].denied    ? dn
			                      : p->att[k].network ? n
			                                          : f,
			                      json_object_new_string(p->att[k].text));
		json_object_object_add(o, "files", f);
		json_object_object_add(o, "connections", n);
		json_object_object_add(o, "denied", dn);
		sr_jarr_add(&ja, o);
	}
	fputs(ja.any ? "\n]}\n" : "]}\n", stdout);
	return 0;
}

int sr_cmd_tree(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"files", no_argument, NULL, 'f'},
	    {"net", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool files = false, net = false, json = false;
	struct sr_session_row s;
	struct sr_tree t;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			files = true;
			break;
		case 'n':
			net = true;
			break;
		case 'j':
			json = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(tree_usage, c);
		}
	}
	if (optind + 1 != argc) {
		fputs(tree_usage, stderr);
		return SR_EXIT_USAGE;
	}
	if (sr_db_open_ro(cli) || sr_db_session(cli, argv[optind], &s))
		return SR_EXIT_ERROR;
	if (sr_tree_load(cli, s.id, files, net, s.n_denied > 0, &t)) {
		sr_session_row_free(&s);
		return SR_EXIT_ERROR;
	}
	rc = json ? tree_json(&s, &t) : tree_text(cli, &s, &t);
	sr_tree_free(&t);
	sr_session_row_free(&s);
	if (rc) {
		sr_cli_error("out of memory");
		return SR_EXIT_ERROR;
	}
	return SR_EXIT_OK;
}
