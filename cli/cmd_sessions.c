/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec sessions: one line per session. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "timeutil.h"

static const char sessions_usage[] =
    "usage: sshrec sessions [--user U] [--since T] [--until T] [--active] [--host H] [--follow]\n"
    "                       [--json]\n"
    "  --user U   login or authenticated identity (key fingerprint)\n"
    "  --since T, --until T  sessions live at some time in the range\n"
    "  --active   sessions not ended yet\n"
    "  --host H   recorded server (hostname or id) or remote address\n"
    "  --follow   then a line for each session that starts or ends, until Ctrl-C\n"
    "             (with --json one session object per line)\n";

/* Filters and output of one listing. */
struct ls {
	struct sr_cli *cli;
	const char *user, *host, *since_s, *until_s;
	bool active, json, follow;
	bool live; /**< --follow, the listing is out: print each row at once */
	int64_t since, until;
	struct sr_table tab;
	struct sr_jarr ja;
};

/* "SHA256:abcdefghijkl…": enough to tell keys apart in a table. */
static void short_key(const char *fp, char *buf, size_t cap)
{
	size_t l = fp ? strlen(fp) : 0;

	if (!fp)
		snprintf(buf, cap, "-");
	else if (l > 19)
		snprintf(buf, cap, "%.19s\xe2\x80\xa6", fp);
	else
		snprintf(buf, cap, "%s", fp);
}

/* Add the table row of @p s. Returns 0 or -ENOMEM. */
static int add_row(struct ls *l, const struct sr_session_row *s)
{
	char from[300], key[64], start[32], dur[48], nc[24], nd[24], nn[24], nl[24], nx[24];
	const char *cells[12];

	if (s->remote_addr && strchr(s->remote_addr, ':'))
		snprintf(from, sizeof(from), "[%s]:%d", s->remote_addr, s->remote_port);
	else if (s->remote_addr)
		snprintf(from, sizeof(from), "%s:%d", s->remote_addr, s->remote_port);
	else
		snprintf(from, sizeof(from), "%s", s->rhost ? s->rhost : "-");
	short_key(s->key_fingerprint, key, sizeof(key));
	sr_fmt_time(s->start_us, start, sizeof(start));
	if (s->end_us) {
		sr_fmt_duration((s->end_us - s->start_us) / 1000, dur, sizeof(dur));
	} else {
		char d[32];
		int64_t now = l->follow ? sr_now_us() : l->cli->now_us;

		snprintf(dur, sizeof(dur), "%s %s", s->state ? s->state : "active",
		         sr_fmt_duration((now - s->start_us) / 1000, d, sizeof(d)));
	}
	snprintf(nc, sizeof(nc), "%" PRId64, s->n_command);
	snprintf(nd, sizeof(nd), "%" PRId64, s->n_disk);
	snprintf(nn, sizeof(nn), "%" PRId64, s->n_network);
	snprintf(nx, sizeof(nx), "%" PRId64, s->n_denied);
	snprintf(nl, sizeof(nl), "%" PRId64, s->lost);
	cells[0] = s->sid;
	cells[1] = s->login;
	cells[2] = from;
	/* "pts/3" for an interactive login, "-" without a terminal (PAM's "ssh") */
	cells[3] = s->tty && !strncmp(s->tty, "/dev/", 5) ? s->tty + 5 : "-";
	cells[4] = key;
	cells[5] = start;
	cells[6] = dur;
	cells[7] = nc;
	cells[8] = nd;
	cells[9] = nn;
	cells[10] = nx;
	cells[11] = nl;
	if (sr_table_add(&l->tab, cells))
		return -ENOMEM;
	sr_table_color(&l->tab, 0, SR_C_CYAN);
	if (!s->end_us)
		sr_table_color(&l->tab, 6, SR_C_GREEN);
	if (s->n_denied)
		sr_table_color(&l->tab, 10, SR_C_RED);
	if (s->lost)
		sr_table_color(&l->tab, 11, SR_C_RED);
	return 0;
}

/* Print @p s: a table row, an array element, or with --follow a JSON line. */
static int put_session(struct ls *l, const struct sr_session_row *s)
{
	json_object *o;

	if (!l->json) {
		if (add_row(l, s))
			return -ENOMEM;
		if (l->live)
			sr_table_print(&l->tab, stdout, l->cli->color);
		return 0;
	}
	o = sr_session_json(s);
	if (!o)
		return -ENOMEM;
	if (l->follow) {
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		                                           JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		sr_jarr_add(&l->ja, o);
	}
	return 0;
}

/*
 * "SELECT <cols> FROM sessions WHERE <the filters> <extra>" into @p sql and
 * prepare it; the filters take ?1..?4, @p extra may use ?5 and ?6.
 */
static int prepare(struct ls *l, const char *extra, sqlite3_stmt **st)
{
	char sql[2048];
	size_t n;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM sessions WHERE 1",
	                     sr_session_cols(l->cli));
	if (l->user)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND (login = ?1 OR user = ?1)");
	if (l->since_s)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		                      " AND (end_us IS NULL OR end_us >= ?2)");
	if (l->until_s)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND start_us <= ?3");
	if (l->host)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		                      " AND (server_hostname = ?4 OR server_id = ?4 OR "
		                      "remote_addr = ?4 OR rhost = ?4)");
	snprintf(sql + n, sizeof(sql) - n, " %s ORDER BY start_us, id", extra);
	if (sr_db_prepare(l->cli, sql, st))
		return -EIO;
	if (l->user)
		sqlite3_bind_text(*st, 1, l->user, -1, SQLITE_STATIC);
	if (l->since_s)
		sqlite3_bind_int64(*st, 2, l->since);
	if (l->until_s)
		sqlite3_bind_int64(*st, 3, l->until);
	if (l->host)
		sqlite3_bind_text(*st, 4, l->host, -1, SQLITE_STATIC);
	return 0;
}

/* A session already printed while following, and the state it was printed with. */
struct seen {
	int64_t id, start_us, end_us;
	bool ended;
};

/* The sessions printed while following. */
struct seen_set {
	struct seen *v;
	size_t n, cap;
	int64_t since_us; /**< following since (sessions ended earlier are not news) */
};

/*
 * Remember @p s as printed; false when it was printed already in the same
 * state (nothing to print). *@p err is set to -ENOMEM on allocation failure.
 */
static bool seen_put(struct seen_set *set, const struct sr_session_row *s, int *err)
{
	bool ended = s->end_us != 0;
	size_t i;

	for (i = 0; i < set->n && set->v[i].id != s->id; i++)
		;
	if (i < set->n && set->v[i].ended == ended)
		return false;
	if (i == set->n && ended && s->end_us < set->since_us)
		return false; /* ended before we looked first: not news */
	if (i == set->n) {
		if (set->n == set->cap) {
			size_t nc = set->cap ? set->cap * 2 : 16;
			struct seen *v = realloc(set->v, nc * sizeof(*v));

			if (!v) {
				*err = -ENOMEM;
				return false;
			}
			set->v = v;
			set->cap = nc;
		}
		set->n++;
	}
	set->v[i] = (struct seen){s->id, s->start_us, s->end_us, ended};
	return true;
}

/* Sessions that started or ended within this much of the newest seen are read again. */
#define FOLLOW_SLACK_US 10000000

/*
 * --follow: after the listing, a line for each session that starts (or
 * first matches) and one when it ends. Each look reads the sessions not
 * ended yet and those that started or ended lately (the daemon may store a
 * short login's start and end in one batch); @p set remembers what was
 * printed and forgets the sessions too old to be read again. Returns an
 * exit code.
 */
static int follow(struct ls *l, struct seen_set *set)
{
	int64_t version = -1, wstart = l->cli->now_us, wend = l->cli->now_us;
	sqlite3_stmt *st;
	size_t i, k;
	int w, rc = SQLITE_DONE, err = 0;

	for (i = 0; i < set->n; i++) {
		wstart = set->v[i].start_us > wstart ? set->v[i].start_us : wstart;
		wend = set->v[i].end_us > wend ? set->v[i].end_us : wend;
	}
	if (prepare(l, "AND (state != 'ended' OR start_us >= ?5 OR end_us >= ?6)", &st))
		return SR_EXIT_ERROR;
	sr_follow_signals();
	while ((w = sr_follow_wait(l->cli, &version)) == 1) {
		sqlite3_bind_int64(st, 5, wstart - FOLLOW_SLACK_US);
		sqlite3_bind_int64(st, 6, wend - FOLLOW_SLACK_US);
		while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct sr_session_row s;

			if (sr_session_row_from_stmt(st, 0, &s)) {
				err = -ENOMEM;
				break;
			}
			if (seen_put(set, &s, &err)) {
				wstart = s.start_us > wstart ? s.start_us : wstart;
				wend = s.end_us > wend ? s.end_us : wend;
				err = put_session(l, &s);
			}
			sr_session_row_free(&s);
		}
		sqlite3_reset(st); /* nothing held between looks */
		if (err || rc != SQLITE_DONE)
			break;
		/* forget ended sessions the query cannot return any more */
		for (i = k = 0; i < set->n; i++)
			if (!set->v[i].ended || set->v[i].start_us >= wstart - FOLLOW_SLACK_US ||
			    set->v[i].end_us >= wend - FOLLOW_SLACK_US)
				set->v[k++] = set->v[i];
		set->n = k;
	}
	sqlite3_finalize(st);
	if (err || rc != SQLITE_DONE)
		return sr_listing_finish(l->cli, err ? SQLITE_NOMEM : rc, NULL, NULL);
	return w < 0 ? SR_EXIT_ERROR : 128 + sr_follow_stopped();
}

int sr_cmd_sessions(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 't'},
	    {"active", no_argument, NULL, 'a'},
	    {"host", required_argument, NULL, 'H'},
	    {"json", no_argument, NULL, 'j'},
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *head[] = {"SID",      "LOGIN", "FROM",  "TTY",   "KEY",    "START",
	                             "DURATION", "CMDS",  "FILES", "CONNS", "DENIED", "LOST"};
	struct ls l = {.cli = cli};
	struct seen_set set = {.since_us = cli->now_us};
	sqlite3_stmt *st;
	int c, rc, err = 0;

	while ((c = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			l.user = optarg;
			break;
		case 's':
			l.since_s = optarg;
			break;
		case 't':
			l.until_s = optarg;
			break;
		case 'a':
			l.active = true;
			break;
		case 'H':
			l.host = optarg;
			break;
		case 'j':
			l.json = true;
			break;
		case 'f':
			l.follow = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(sessions_usage, c);
		}
	}
	if (optind < argc) {
		sr_cli_error("sessions: unexpected argument '%s'", argv[optind]);
		return SR_EXIT_USAGE;
	}
	if (sr_cli_time_range(cli, l.since_s, l.until_s, &l.since, &l.until))
		return SR_EXIT_USAGE;
	if (sr_db_open_ro(cli) || prepare(&l, l.active ? "AND state != 'ended'" : "", &st))
		return SR_EXIT_ERROR;
	if (l.json && !l.follow) {
		sr_jarr_begin(&l.ja, stdout);
	} else if (!l.json && sr_table_init(&l.tab, sizeof(head) / sizeof(head[0]), head)) {
		sqlite3_finalize(st);
		sr_cli_error("out of memory");
		return SR_EXIT_ERROR;
	}
	if (l.follow && !l.json) {
		/* rows that come later keep to the columns: room for what they usually hold */
		static const size_t minw[] = {36, 8, 21, 7, 20, 19, 16, 5, 6, 5, 6, 4};
		size_t i;

		sr_table_stream(&l.tab, stdout, cli->color, SIZE_MAX);
		for (i = 0; i < sizeof(minw) / sizeof(minw[0]); i++)
			sr_table_min_width(&l.tab, i, minw[i]);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sr_session_row s;

		if (sr_session_row_from_stmt(st, 0, &s)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (l.follow)
			seen_put(&set, &s, &err);
		if (!err)
			err = put_session(&l, &s);
		sr_session_row_free(&s);
		if (err) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (!l.follow || rc != SQLITE_DONE) {
		free(set.v);
		return sr_listing_finish(cli, rc, l.json ? &l.ja : NULL, l.json ? NULL : &l.tab);
	}
	/* the listing so far (its widths set the columns), then what comes */
	if (!l.json)
		sr_table_print(&l.tab, stdout, cli->color);
	l.live = true;
	rc = follow(&l, &set);
	free(set.v);
	if (!l.json)
		sr_table_free(&l.tab);
	return rc;
}
