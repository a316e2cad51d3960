/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec timeline SID: every record of a session in order. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "strsafe.h"
#include "timeutil.h"

static const char timeline_usage[] =
    "usage: sshrec timeline SID [--type TYPES] [--grep RE] [--follow] [--json]\n"
    "  --type    comma list of start,command,disk,network,exit,loss,escape,denied,end\n"
    "  --grep    extended regular expression matched against the program and details\n"
    "  --follow  keep printing records as they are stored until the session ends\n"
    "            (exit 0) or Ctrl-C; with --json one record per line\n";

static const struct {
	const char *word, *alt, *event, *label;
} types[] = {
    {"start", "session.start", "session.start", "start"},
    {"command", "session.command", "session.command", "exec"},
    {"disk", "session.disk", "session.disk", "open"},
    {"network", "session.network", "session.network", "connect"},
    {"exit", "process_exit", "session.process_exit", "exit"},
    {"loss", "data_loss", "session.data_loss", "LOSS"},
    {"escape", "session.escape", "session.escape", "ESCAPE"},
    {"end", "session.end", "session.end", "end"},
    {"denied", "session.denied", "session.denied", "DENIED"},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static int parse_types(const char *arg, bool *want)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	size_t i;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NTYPES; i++)
			if (!strcmp(tok, types[i].word) || !strcmp(tok, types[i].alt) ||
			    !strcmp(tok, types[i].event))
				break;
		if (i == NTYPES) {
			sr_cli_error(
			    "--type: unknown type '%s' (use start, command, disk, network, "
			    "exit, loss, escape, denied, end)",
			    tok);
			free(copy);
			return -EINVAL;
		}
		want[i] = true;
	}
	free(copy);
	return 0;
}

static void pad_to(const char *s, size_t width)
{
	size_t w = sr_display_width(s);

	fputs(s, stdout);
	if (w < width)
		printf("%*s", (int)(width - w), "");
}

/* What to print and how: the options, and the state between rows. */
struct tl {
	struct sr_cli *cli;
	bool want[NTYPES], any_type, json, follow, have_re;
	regex_t re;
	struct sr_jarr ja;         /**< --json without --follow: one array */
	char day[SR_TIME_STRLEN];  /**< the day of the last line printed */
	int64_t last_ei;           /**< the last record read */
	struct sr_store_reader rd; /**< rebuilds the records from the rows */
};

/* One record as a JSON element, or a line of JSON lines with --follow. */
static void put_json(struct tl *x, const char *js)
{
	if (x->follow)
		printf("%s\n", js ? js : "null");
	else
		sr_jarr_add_raw(&x->ja, js ? js : "null");
}

/*
 * Print the record of the row (SR_STORE_EVENT_COLS) @p st if it passes the
 * filters; 0, or -errno with the error line printed.
 */
static int put_row(struct tl *x, sqlite3_stmt *st)
{
	struct sr_cli *cli = x->cli;
	const struct sr_record *rec;
	const char *ev, *prog, *js;
	char line[16384], t[SR_TIME_STRLEN], pidb[16], evb[64], *e;
	json_object *o;
	size_t i, jl;
	int err = sr_db_record(cli, &x->rd, st, 0, &rec, &js, &jl);

	if (err)
		return err;
	ev = sr_rec_event_name(rec->kind);
	prog = rec->program;
	x->last_ei = (int64_t)rec->ei;
	for (i = 0; i < NTYPES; i++)
		if (ev && !strcmp(ev, types[i].event))
			break;
	if (x->any_type && (i == NTYPES || !x->want[i]))
		return 0;
	if (x->json && !x->have_re) {
		put_json(x, js);
		return 0;
	}
	o = json_tokener_parse(js ? js : "");
	if (o)
		sr_describe(o, ev ? ev : "", line, sizeof(line));
	else
		snprintf(line, sizeof(line), "(unreadable record) %s", js ? js : "");
	json_object_put(o);
	if (x->have_re) {
		char hay[16640];

		snprintf(hay, sizeof(hay), "%s %s", prog ? prog : "", line);
		if (regexec(&x->re, hay, 0, NULL, 0) != 0)
			return 0;
		if (x->json) {
			put_json(x, js);
			return 0;
		}
	}
	sr_time_format(rec->time_us, t);
	t[10] = '\0';
	if (strcmp(x->day, t)) {
		snprintf(x->day, sizeof(x->day), "%s", t);
		printf("%s-- %s --%s\n", sr_col(cli->color, SR_C_DIM), x->day,
		       sr_col(cli->color, SR_C_RESET));
	}
	t[26] = '\0';  /* HH:MM:SS.uuuuuu */
	if (!rec->pid) /* no task: the session's own records */
		snprintf(pidb, sizeof(pidb), "-");
	else
		snprintf(pidb, sizeof(pidb), "%d", rec->pid);
	printf("%s%s%s %7s  ", sr_col(cli->color, SR_C_DIM), t + 11, sr_col(cli->color, SR_C_RESET),
	       pidb);
	e = sr_term_escape(prog ? prog : "-");
	if (!e) {
		sr_cli_error("out of memory");
		return -ENOMEM;
	}
	pad_to(e, 15);
	free(e);
	printf(" %s%-7s%s ",
	       sr_col(cli->color, i == NTYPES || i == 5 || i == 6 || i == 8 ? SR_C_RED
	                          : i == 1                                  ? SR_C_GREEN
	                          : i == 3                                  ? SR_C_MAGENTA
	                          : i == 2                                  ? SR_C_BLUE
	                                                                    : SR_C_YELLOW),
	       i < NTYPES
	           ? (rec->fc_op ? "change" : types[i].label) /* a file change: not an open */
	           : sr_term_escape_buf(ev ? ev : "?", evb, sizeof(evb)),
	       sr_col(cli->color, SR_C_RESET));
	sr_put_term(stdout, line);
	fputc('\n', stdout);
	return 0;
}

/* Print the session's records after x->last_ei; 0 or -errno (error line printed). */
static int put_rows(struct tl *x, sqlite3_stmt *st, int64_t session_id)
{
	int rc;

	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, x->last_ei);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (put_row(x, st)) {
			sqlite3_reset(st);
			return -EIO; /* said already */
		}
	sqlite3_reset(st); /* ends the statement's read: nothing held between looks */
	if (rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", x->cli->db_path, sqlite3_errmsg(x->cli->db));
		return -EIO;
	}
	return 0;
}

/* The session's state now ("ended" …) into @p state; 0, -ENOENT (removed) or -EIO. */
static int session_state(struct sr_cli *cli, int64_t id, char *state, size_t cap)
{
	sqlite3_stmt *st;
	int rc;

	if (sr_db_prepare(cli, "SELECT state FROM sessions WHERE id = ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(state, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		sr_cli_error("the session was removed from the database (retention)");
		return -ENOENT;
	}
	if (rc != SQLITE_ROW) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		return -EIO;
	}
	return 0;
}

/*
 * --follow: print what is stored until the session has ended. State and
 * records are read in one snapshot: the daemon stores a session's end and
 * its session.end record in one transaction, so a snapshot that says
 * "ended" holds every record. Returns an exit code.
 */
static int follow(struct tl *x, sqlite3_stmt *st, int64_t session_id)
{
	char state[16] = "";
	int64_t version = -1;
	int w;

	sr_follow_signals();
	while ((w = sr_follow_wait(x->cli, &version)) == 1) {
		if (sr_follow_begin(x->cli))
			return SR_EXIT_ERROR;
		if (session_state(x->cli, session_id, state, sizeof(state)) ||
		    put_rows(x, st, session_id)) {
			sr_follow_end(x->cli);
			return SR_EXIT_ERROR;
		}
		sr_follow_end(x->cli);
		if (!strcmp(state, "ended"))
			return SR_EXIT_OK;
	}
	return w < 0 ? SR_EXIT_ERROR : 128 + sr_follow_stopped();
}

int sr_cmd_timeline(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"type", required_argument, NULL, 't'}, {"grep", required_argument, NULL, 'g'},
	    {"json", no_argument, NULL, 'j'},       {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	struct tl x = {.cli = cli, .last_ei = -1};
	const char *grep = NULL;
	struct sr_session_row s;
	sqlite3_stmt *st;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_types(optarg, x.want))
				return SR_EXIT_USAGE;
			x.any_type = true;
			break;
		case 'g':
			grep = optarg;
			break;
		case 'j':
			x.json = true;
			break;
		case 'f':
			x.follow = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(timeline_usage, c);
		}
	}
	if (optind + 1 != argc) {
		fputs(timeline_usage, stderr);
		return SR_EXIT_USAGE;
	}
	if (grep) {
		int e = regcomp(&x.re, grep, REG_EXTENDED | REG_NOSUB);

		if (e) {
			char msg[256];

			regerror(e, &x.re, msg, sizeof(msg));
			sr_cli_error("--grep: bad regular expression '%s': %s", grep, msg);
			return SR_EXIT_USAGE;
		}
		x.have_re = true;
	}
	rc = SR_EXIT_ERROR;
	if (sr_db_open_ro(cli) || sr_db_session(cli, argv[optind], &s))
		goto out_re;
	if (sr_db_reader(cli, &x.rd)) {
		sr_session_row_free(&s);
		goto out_re;
	}
	if (sr_db_prepare(cli,
	                  "SELECT " SR_STORE_EVENT_COLS " FROM events e "
	                  "WHERE e.session_id = ?1 AND e.ei > ?2 ORDER BY e.ei",
	                  &st)) {
		sr_store_reader_free(&x.rd);
		sr_session_row_free(&s);
		goto out_re;
	}
	if (x.json && !x.follow) {
		sr_jarr_begin(&x.ja, stdout);
	} else if (!x.json) {
		char l[512], h[512], r[512], id[160];

		printf(
		    "%ssession %s%s  login %s on %s from %s\n", sr_col(cli->color, SR_C_BOLD),
		    sr_term_escape_buf(s.sid, id, sizeof(id)), sr_col(cli->color, SR_C_RESET),
		    sr_term_escape_buf(s.login ? s.login : "?", l, sizeof(l)),
		    sr_term_escape_buf(s.server_hostname ? s.server_hostname : "?", h, sizeof(h)),
		    sr_term_escape_buf(s.remote_addr ? s.remote_addr : "-", r, sizeof(r)));
	}
	if (x.follow) {
		rc = follow(&x, st, s.id);
	} else {
		rc = put_rows(&x, st, s.id) ? SR_EXIT_ERROR : SR_EXIT_OK;
		if (x.json)
			sr_jarr_end(&x.ja);
	}
	sqlite3_finalize(st);
	sr_store_reader_free(&x.rd);
	sr_session_row_free(&s);
out_re:
	if (x.have_re)
		regfree(&x.re);
	return rc;
}
