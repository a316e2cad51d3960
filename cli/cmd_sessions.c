/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec sessions: one line per session. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"

static const char sessions_usage[] =
    "usage: sshrec sessions [--user U] [--since T] [--until T] [--active] [--host H] [--json]\n"
    "  --user U   login or authenticated identity (key fingerprint)\n"
    "  --since T, --until T  sessions live at some time in the range\n"
    "  --active   sessions not ended yet\n"
    "  --host H   recorded server (hostname or id) or remote address\n";

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

int sr_cmd_sessions(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},  {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 't'}, {"active", no_argument, NULL, 'a'},
	    {"host", required_argument, NULL, 'H'},  {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *user = NULL, *host = NULL, *since_s = NULL, *until_s = NULL;
	bool active = false, json = false;
	int64_t since = 0, until = 0;
	char sql[2048];
	size_t n;
	sqlite3_stmt *st;
	struct sr_table tab;
	struct sr_jarr ja;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 's':
			since_s = optarg;
			break;
		case 't':
			until_s = optarg;
			break;
		case 'a':
			active = true;
			break;
		case 'H':
			host = optarg;
			break;
		case 'j':
			json = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(sessions_usage, c);
		}
	}
	if (optind < argc) {
		sr_cli_error("sessions: unexpected argument '%s'", argv[optind]);
		return SR_EXIT_USAGE;
	}
	if (sr_cli_time_range(cli, since_s, until_s, &since, &until))
		return SR_EXIT_USAGE;
	if (sr_db_open_ro(cli))
		return SR_EXIT_ERROR;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM sessions WHERE 1", sr_session_cols);
	if (user)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND (login = ?1 OR user = ?1)");
	if (since_s)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		                      " AND (end_us IS NULL OR end_us >= ?2)");
	if (until_s)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND start_us <= ?3");
	if (active)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND state != 'ended'");
	if (host)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		                      " AND (server_hostname = ?4 OR server_id = ?4 OR "
		                      "remote_addr = ?4 OR rhost = ?4)");
	snprintf(sql + n, sizeof(sql) - n, " ORDER BY start_us, id");
	if (sr_db_prepare(cli, sql, &st))
		return SR_EXIT_ERROR;
	if (user)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (since_s)
		sqlite3_bind_int64(st, 2, since);
	if (until_s)
		sqlite3_bind_int64(st, 3, until);
	if (host)
		sqlite3_bind_text(st, 4, host, -1, SQLITE_STATIC);

	static const char *head[] = {"SID",      "LOGIN", "FROM",  "TTY",   "KEY", "START",
	                             "DURATION", "CMDS",  "FILES", "CONNS", "LOST"};
	if (json) {
		sr_jarr_begin(&ja, stdout);
	} else if (sr_table_init(&tab, sizeof(head) / sizeof(head[0]), head)) {
		sqlite3_finalize(st);
		sr_cli_error("out of memory");
		return SR_EXIT_ERROR;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sr_session_row s;
		char from[300], key[64], start[32], dur[48], nc[24], nd[24], nn[24], nl[24];
		const char *cells[11];

		if (sr_session_row_from_stmt(st, 0, &s)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (json) {
			json_object *o = sr_session_json(&s);

			sr_session_row_free(&s);
			if (!o) {
				rc = SQLITE_NOMEM;
				break;
			}
			sr_jarr_add(&ja, o);
			continue;
		}
		if (s.remote_addr && strchr(s.remote_addr, ':'))
			snprintf(from, sizeof(from), "[%s]:%d", s.remote_addr, s.remote_port);
		else if (s.remote_addr)
			snprintf(from, sizeof(from), "%s:%d", s.remote_addr, s.remote_port);
		else
			snprintf(from, sizeof(from), "%s", s.rhost ? s.rhost : "-");
		short_key(s.key_fingerprint, key, sizeof(key));
		sr_fmt_time(s.start_us, start, sizeof(start));
		if (s.end_us) {
			sr_fmt_duration((s.end_us - s.start_us) / 1000, dur, sizeof(dur));
		} else {
			char d[32];

			snprintf(dur, sizeof(dur), "%s %s", s.state ? s.state : "active",
			         sr_fmt_duration((cli->now_us - s.start_us) / 1000, d, sizeof(d)));
		}
		snprintf(nc, sizeof(nc), "%" PRId64, s.n_command);
		snprintf(nd, sizeof(nd), "%" PRId64, s.n_disk);
		snprintf(nn, sizeof(nn), "%" PRId64, s.n_network);
		snprintf(nl, sizeof(nl), "%" PRId64, s.lost);
		cells[0] = s.sid;
		cells[1] = s.login;
		cells[2] = from;
		/* "pts/3" for an interactive login, "-" without a terminal (PAM's "ssh") */
		cells[3] = s.tty && !strncmp(s.tty, "/dev/", 5) ? s.tty + 5 : "-";
		cells[4] = key;
		cells[5] = start;
		cells[6] = dur;
		cells[7] = nc;
		cells[8] = nd;
		cells[9] = nn;
		cells[10] = nl;
		if (sr_table_add(&tab, cells)) {
			sr_session_row_free(&s);
			rc = SQLITE_NOMEM;
			break;
		}
		sr_table_color(&tab, 0, SR_C_CYAN);
		if (!s.end_us)
			sr_table_color(&tab, 6, SR_C_GREEN);
		if (s.lost)
			sr_table_color(&tab, 10, SR_C_RED);
		sr_session_row_free(&s);
	}
	sqlite3_finalize(st);
	return sr_listing_finish(cli, rc, json ? &ja : NULL, json ? NULL : &tab);
}
