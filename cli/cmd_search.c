/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec search: who ran X, who touched file Y, who connected to Z. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "execname.h"

static const char search_usage[] =
    "usage: sshrec search (--command NAME | --path GLOB | --dst ADDR[:PORT] | --denied) "
    "[--since T] [--until T] [--json]\n"
    "  --command NAME  program name (or a path when NAME holds '/'); glob characters allowed\n"
    "  --path GLOB     file opened or program executed, shell glob (* ? [..])\n"
    "  --dst ADDR[:PORT]  TCP destination; IPv6 as [::1]:22 or ::1\n"
    "  --denied        actions the session policy denied (or audited); with --command,\n"
    "                  --path or --dst: only those of that program, path or destination\n";

enum mode { M_NONE, M_COMMAND, M_PATH, M_DST };

/** Where the record's columns start in the --path and --dst queries. */
#define RECORD_COL 8

/** Rows of a search table that set its column widths before it streams. */
#define SEARCH_WINDOW 1000

/* Split ADDR[:PORT] / [V6]:PORT / V6. Returns 0 or -EINVAL. */
static int parse_dst(const char *arg, char *addr, size_t cap, int *port)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	long p;

	*port = -1;
	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');

		if (!rb || (size_t)(rb - arg - 1) >= cap || rb == arg + 1)
			return -EINVAL;
		memcpy(addr, arg + 1, (size_t)(rb - arg - 1));
		addr[rb - arg - 1] = '\0';
		if (!rb[1])
			return 0;
		if (rb[1] != ':')
			return -EINVAL;
		colon = rb + 1;
	} else if (colon && strchr(arg, ':') == colon) {
		if ((size_t)(colon - arg) >= cap || colon == arg)
			return -EINVAL;
		memcpy(addr, arg, (size_t)(colon - arg));
		addr[colon - arg] = '\0';
	} else {
		if (strlen(arg) >= cap || !*arg)
			return -EINVAL;
		strcpy(addr, arg);
		return 0;
	}
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 0 || p > 65535)
		return -EINVAL;
	*port = (int)p;
	return 0;
}

/* A text column as a JSON string, or NULL (JSON null) when it is NULL. */
static json_object *col_json_str(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	return v ? json_object_new_string(v) : NULL;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/*
 * The session.denied rows (same columns as --path), narrowed by --command
 * (the program that tried), --path or --dst. They are read through their
 * partial index (kind = 8), a few rows whatever the size of the database.
 */
static void search_denied_sql(enum mode mode, const char *what, int port, char *sql, size_t cap)
{
	const char *by =
	    mode == M_COMMAND ? (has_glob(what) ? "AND e.program IN (SELECT id FROM programs "
	                                          "WHERE name GLOB ?1) "
	                                        : "AND e.program = (SELECT id FROM programs "
	                                          "WHERE name = ?1) ")
	    : mode == M_PATH  ? (has_glob(what) ? "AND e.path IN (SELECT id FROM paths WHERE "
	                                          "path GLOB ?1) "
	                                        : "AND e.path = (SELECT id FROM paths WHERE "
	                                          "path = ?1) ")
	    : mode == M_DST   ? (port >= 0 ? "AND e.addr = (SELECT id FROM addrs WHERE addr = "
	                                     "?1) AND e.port = ?4 "
	                                   : "AND e.addr = (SELECT id FROM addrs WHERE addr = "
	                                     "?1) ")
	                      : "";

	snprintf(sql, cap,
	         "SELECT e.time_us, s.sid, s.login, e.pid, g.name, e.kind, d.path, "
	         "e.rc, " SR_STORE_EVENT_COLS " FROM events e INDEXED BY events_denied "
	         "JOIN sessions s ON s.id = e.session_id LEFT JOIN programs g ON g.id = "
	         "e.program LEFT JOIN paths d ON d.id = e.path WHERE e.kind = %d %sAND "
	         "e.time_us >= ?2 AND e.time_us <= ?3 ORDER BY e.time_us",
	         SR_REC_DENIED, by);
}

/* The WHAT of a denied row, from its record. */
static void denied_detail(const char *js, char *buf, size_t cap)
{
	json_object *o = json_tokener_parse(js ? js : "");

	if (!o) {
		snprintf(buf, cap, "(unreadable record)");
		return;
	}
	sr_denied_text(sr_j_str_or(o, "kind", "action"), sr_j_str(o, "target"), sr_j_str(o, "rule"),
	               sr_j_str_or(o, "policy_mode", "mode"), sr_j_str(o, "mechanism"),
	               sr_j_str(o, "effect"), buf, cap);
	json_object_put(o);
}

int sr_cmd_search(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"command", required_argument, NULL, 'c'},
	    {"path", required_argument, NULL, 'p'},
	    {"dst", required_argument, NULL, 'd'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"denied", no_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum mode mode = M_NONE;
	const char *what = NULL, *since_s = NULL, *until_s = NULL;
	bool json = false, denied = false, records;
	int64_t since = INT64_MIN, until = INT64_MAX;
	char addr[256], sql[1536];
	int port = -1, c, rc;
	sqlite3_stmt *st;
	struct sr_store_reader rd;
	struct sr_table tab;
	struct sr_jarr ja;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 'p':
		case 'd':
			if (mode != M_NONE) {
				sr_cli_error("search: give one of --command, --path, --dst");
				return SR_EXIT_USAGE;
			}
			mode = c == 'c' ? M_COMMAND : c == 'p' ? M_PATH : M_DST;
			what = optarg;
			break;
		case 's':
			since_s = optarg;
			break;
		case 't':
			until_s = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'x':
			denied = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(search_usage, c);
		}
	}
	if ((mode == M_NONE && !denied) || optind < argc) {
		fputs(search_usage, stderr);
		return SR_EXIT_USAGE;
	}
	if (mode == M_DST && parse_dst(what, addr, sizeof(addr), &port)) {
		sr_cli_error("--dst: expected ADDR, ADDR:PORT or [IPV6]:PORT, not '%s'", what);
		return SR_EXIT_USAGE;
	}
	if (sr_cli_time_range(cli, since_s, until_s, &since, &until))
		return SR_EXIT_USAGE;
	if (sr_db_open_ro(cli))
		return SR_EXIT_ERROR;
	records = mode != M_COMMAND || denied;

	/*
	 * Columns: time, sid, login, pid, program, detail, json-ish extra; for
	 * --path, --dst and --denied the record's columns follow
	 * (SR_STORE_EVENT_COLS at RECORD_COL). A name, path or address is looked
	 * up (or globbed) in its dictionary, whose index serves prefixes and whose
	 * size bounds a scan, and the matches are joined to the indexed id columns.
	 */
	if (denied) {
		search_denied_sql(mode, what, port, sql, sizeof(sql));
	} else if (mode == M_COMMAND) {
		bool by_path = strchr(what, '/') != NULL;

		snprintf(
		    sql, sizeof(sql),
		    "SELECT p.start_us, s.sid, s.login, p.pid, g.name, a.argv, "
		    "p.argv_truncated, p.return_code, d.path, c.path, p.id, x.path, p.exe_kind "
		    "FROM processes p JOIN sessions s ON s.id = p.session_id "
		    "JOIN programs g ON g.id = p.program JOIN argvs a ON a.id = p.argv "
		    "JOIN paths d ON d.id = p.path LEFT JOIN paths c ON c.id = p.cwd "
		    "LEFT JOIN paths x ON x.id = p.exe WHERE p.%s %s "
		    "AND p.start_us >= ?2 AND p.start_us <= ?3 ORDER BY p.start_us",
		    by_path ? "path" : "program",
		    has_glob(what) ? (by_path ? "IN (SELECT id FROM paths WHERE path GLOB ?1)"
		                              : "IN (SELECT id FROM programs WHERE name GLOB ?1)")
		                   : (by_path ? "= (SELECT id FROM paths WHERE path = ?1)"
		                              : "= (SELECT id FROM programs WHERE name = ?1)"));
	} else if (mode == M_PATH) {
		snprintf(sql, sizeof(sql),
		         "SELECT e.time_us, s.sid, s.login, e.pid, g.name, e.kind, d.path, "
		         "e.rc, " SR_STORE_EVENT_COLS
		         " FROM paths d JOIN events e ON e.path = d.id "
		         "JOIN sessions s ON s.id = e.session_id LEFT JOIN programs g ON g.id = "
		         "e.program "
		         "WHERE d.path %s ?1 AND e.path IS NOT NULL AND e.kind IN (%d, %d) "
		         "AND e.time_us >= ?2 AND e.time_us <= ?3 ORDER BY e.time_us",
		         has_glob(what) ? "GLOB" : "=", SR_REC_DISK, SR_REC_COMMAND);
	} else {
		snprintf(
		    sql, sizeof(sql),
		    "SELECT e.time_us, s.sid, s.login, e.pid, g.name, ?1, e.port, "
		    "e.rc, " SR_STORE_EVENT_COLS
		    " FROM events e JOIN sessions s ON s.id = e.session_id "
		    "LEFT JOIN programs g ON g.id = e.program "
		    "WHERE e.addr = (SELECT id FROM addrs WHERE addr = ?1) %s AND e.time_us >= ?2 "
		    "AND e.time_us <= ?3 ORDER BY e.time_us",
		    port >= 0 ? "AND e.port = ?4" : "");
	}
	if (records && sr_db_reader(cli, &rd))
		return SR_EXIT_ERROR;
	if (sr_db_prepare(cli, sql, &st)) {
		if (records)
			sr_store_reader_free(&rd);
		return SR_EXIT_ERROR;
	}
	if (mode != M_NONE)
		sqlite3_bind_text(st, 1, mode == M_DST ? addr : what, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	if (port >= 0)
		sqlite3_bind_int(st, 4, port);

	static const char *head[] = {"TIME", "SID", "LOGIN", "PID", "PROGRAM", "WHAT"};
	if (json) {
		sr_jarr_begin(&ja, stdout);
	} else if (sr_table_init(&tab, 6, head)) {
		sqlite3_finalize(st);
		sr_cli_error("out of memory");
		return SR_EXIT_ERROR;
	} else {
		/* hits can run to hundreds of thousands: stream, widths from the first window */
		sr_table_stream(&tab, stdout, cli->color, SEARCH_WINDOW);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char t[32], pid[16], detail[8192], eb[16];
		const char *cells[6], *js = NULL;
		char *cmd = NULL;

		/* the record itself: the JSON output, a denial's WHAT */
		if (records && (json || denied)) {
			const struct sr_record *rec;
			size_t jl;

			if (sr_db_record(cli, &rd, st, RECORD_COL, &rec, &js, &jl)) {
				rc = -1; /* said already */
				break;
			}
		}
		if (json) {
			json_object *o;

			if (records) {
				sr_jarr_add_raw(&ja, js);
				continue;
			}
			o = json_object_new_object();
			if (!o) {
				rc = SQLITE_NOMEM;
				break;
			}
			sr_json_add_time(o, "time", sqlite3_column_int64(st, 0));
			json_object_object_add(
			    o, "sid",
			    json_object_new_string((const char *)sqlite3_column_text(st, 1)));
			json_object_object_add(
			    o, "login",
			    json_object_new_string((const char *)sqlite3_column_text(st, 2)));
			json_object_object_add(o, "process_id",
			                       json_object_new_int64(sqlite3_column_int64(st, 10)));
			json_object_object_add(o, "pid",
			                       json_object_new_int(sqlite3_column_int(st, 3)));
			json_object_object_add(
			    o, "program",
			    json_object_new_string((const char *)sqlite3_column_text(st, 4)));
			json_object_object_add(
			    o, "path",
			    json_object_new_string((const char *)sqlite3_column_text(st, 8)));
			json_object_object_add(o, "exe", col_json_str(st, 11));
			json_object_object_add(o, "exe_kind", col_json_str(st, 12));
			json_object_object_add(
			    o, "argv",
			    json_tokener_parse((const char *)sqlite3_column_text(st, 5)));
			json_object_object_add(o, "return_code",
			                       json_object_new_int(sqlite3_column_int(st, 7)));
			json_object_object_add(o, "cwd", col_json_str(st, 9));
			sr_jarr_add(&ja, o);
			continue;
		}
		sr_fmt_time(sqlite3_column_int64(st, 0), t, sizeof(t));
		snprintf(pid, sizeof(pid), "%d", sqlite3_column_int(st, 3));
		if (denied) {
			denied_detail(js, detail, sizeof(detail));
		} else if (mode == M_COMMAND) {
			int r = sqlite3_column_int(st, 7);
			char *label = sr_exe_label((const char *)sqlite3_column_text(st, 8),
			                           (const char *)sqlite3_column_text(st, 11),
			                           (const char *)sqlite3_column_text(st, 12));

			cmd = sr_argv_join((const char *)sqlite3_column_text(st, 5),
			                   sqlite3_column_int(st, 6) != 0);
			char pre[SR_PATH_MAX_LABEL];

			snprintf(detail, sizeof(detail), "%s%s%s%s",
			         sr_exe_prefix(label, pre, sizeof(pre)), cmd ? cmd : "?",
			         r < 0 ? "  = exec failed: " : "",
			         r < 0 ? sr_rc_errno_name(r, eb, sizeof(eb)) : "");
			free(label);
		} else if (mode == M_PATH) {
			int r = sqlite3_column_int(st, 7);
			bool is_cmd = sqlite3_column_int(st, 5) == SR_REC_COMMAND;

			snprintf(detail, sizeof(detail), "%s %s%s%s", is_cmd ? "exec" : "open",
			         (const char *)sqlite3_column_text(st, 6), r < 0 ? " = " : "",
			         r < 0 ? sr_rc_errno_name(r, eb, sizeof(eb)) : "");
		} else {
			const char *a = (const char *)sqlite3_column_text(st, 5);

			snprintf(detail, sizeof(detail), "connect %s%s%s:%d",
			         strchr(a, ':') ? "[" : "", a, strchr(a, ':') ? "]" : "",
			         sqlite3_column_int(st, 6));
		}
		free(cmd);
		cells[0] = t;
		cells[1] = (const char *)sqlite3_column_text(st, 1);
		cells[2] = (const char *)sqlite3_column_text(st, 2);
		cells[3] = pid;
		cells[4] = (const char *)sqlite3_column_text(st, 4);
		cells[5] = detail;
		if (sr_table_add(&tab, cells)) {
			rc = SQLITE_NOMEM;
			break;
		}
		sr_table_color(&tab, 1, SR_C_CYAN);
		if (denied)
			sr_table_color(&tab, 5, SR_C_RED);
	}
	sqlite3_finalize(st);
	if (records)
		sr_store_reader_free(&rd);
	return sr_listing_finish(cli, rc, json ? &ja : NULL, json ? NULL : &tab);
}
