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
#include "execname.h"
#include "strsafe.h"
#include "timeutil.h"

static const char timeline_usage[] =
    "usage: sshrec timeline SID [--type TYPES] [--grep RE] [--json]\n"
    "  --type  comma list of start,command,disk,network,exit,loss,escape,end\n"
    "  --grep  extended regular expression matched against the program and details\n";

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
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* The essential fields of one record, raw (unescaped), into buf. */
static void details(json_object *o, const char *ev, char *buf, size_t cap)
{
	char a[32], b[32];
	json_object *v;

	buf[0] = '\0';
	if (!strcmp(ev, "session.command")) {
		char *cmd = NULL;
		int64_t rc = sr_j_int(o, "return_code", 0);
		json_object *argv = NULL;
		bool trunc = false;

		char *label =
		    sr_exe_label(sr_j_str(o, "path"), sr_j_str(o, "exe"), sr_j_str(o, "exe_kind"));

		if (json_object_object_get_ex(o, "argv", &argv) && argv)
			cmd = sr_argv_join(
			    json_object_to_json_string(argv),
			    (trunc = json_object_object_get_ex(o, "argv_truncated", &v) &&
			             json_object_get_boolean(v)));
		char pre[SR_PATH_MAX_LABEL];

		snprintf(buf, cap, "%s%s%s%s  (cwd %s)", sr_exe_prefix(label, pre, sizeof(pre)),
		         cmd ? cmd : "?", rc < 0 ? "  = exec failed: " : "",
		         rc < 0 ? sr_errno_name((int)-rc, a, sizeof(a)) : "",
		         sr_j_str(o, "cwd") ? sr_j_str(o, "cwd") : "?");
		free(cmd);
		free(label);
	} else if (!strcmp(ev, "session.disk")) {
		int64_t rc = sr_j_int(o, "return_code", 0);

		snprintf(buf, cap, "%s %s = %s%s%s",
		         sr_j_str(o, "path") ? sr_j_str(o, "path") : "?",
		         sr_j_str(o, "flags_text") ? sr_j_str(o, "flags_text") : "",
		         rc < 0 ? sr_errno_name((int)-rc, a, sizeof(a)) : "fd ",
		         rc < 0 ? "" : (snprintf(b, sizeof(b), "%" PRId64, rc), b),
		         sr_j_str(o, "path_error") ? " (path unreadable)" : "");
	} else if (!strcmp(ev, "session.network")) {
		bool v6 = sr_j_int(o, "version", 4) == 6;

		snprintf(buf, cap, "%s%s%s:%" PRId64 " -> %s%s%s:%" PRId64 " %s", v6 ? "[" : "",
		         sr_j_str(o, "src_addr") ? sr_j_str(o, "src_addr") : "?", v6 ? "]" : "",
		         sr_j_int(o, "src_port", 0), v6 ? "[" : "",
		         sr_j_str(o, "dst_addr") ? sr_j_str(o, "dst_addr") : "?", v6 ? "]" : "",
		         sr_j_int(o, "dst_port", 0),
		         sr_j_str(o, "result") ? sr_j_str(o, "result") : "");
	} else if (!strcmp(ev, "session.process_exit")) {
		int64_t sig = sr_j_int(o, "signal", 0);

		if (sig > 0)
			snprintf(buf, cap, "killed by %s after %s",
			         sr_signal_name((int)sig, a, sizeof(a)),
			         sr_fmt_duration(sr_j_int(o, "duration_ms", -1), b, sizeof(b)));
		else
			snprintf(buf, cap, "exit %s after %s",
			         !sr_j_has(o, "exit_code") ? "?"
			                                   : (snprintf(a, sizeof(a), "%" PRId64,
			                                               sr_j_int(o, "exit_code", 0)),
			                                      a),
			         sr_fmt_duration(sr_j_int(o, "duration_ms", -1), b, sizeof(b)));
	} else if (!strcmp(ev, "session.start")) {
		json_object *auth = NULL;

		json_object_object_get_ex(o, "auth", &auth);
		snprintf(buf, cap, "login %s from %s via %s, tty %s, auth %s %s",
		         sr_j_str(o, "login") ? sr_j_str(o, "login") : "?",
		         sr_j_str(o, "addr.remote") ? sr_j_str(o, "addr.remote") : "?",
		         sr_j_str(o, "service") ? sr_j_str(o, "service") : "?",
		         sr_j_str(o, "tty") ? sr_j_str(o, "tty") : "-",
		         auth && sr_j_str(auth, "method") ? sr_j_str(auth, "method") : "?",
		         auth && sr_j_str(auth, "fingerprint") ? sr_j_str(auth, "fingerprint")
		                                               : "");
	} else if (!strcmp(ev, "session.end")) {
		json_object *c = NULL;

		json_object_object_get_ex(o, "counts", &c);
		snprintf(buf, cap,
		         "session ended: %" PRId64 " commands, %" PRId64 " files, %" PRId64
		         " connections, %" PRId64 " lost",
		         c ? sr_j_int(c, "command", 0) : 0, c ? sr_j_int(c, "disk", 0) : 0,
		         c ? sr_j_int(c, "network", 0) : 0, sr_j_int(o, "lost", 0));
	} else if (!strcmp(ev, "session.data_loss")) {
		json_object *c = NULL;

		json_object_object_get_ex(o, "lost_by_type", &c);
		snprintf(buf, cap,
		         "%" PRId64 " events lost in the kernel (command %" PRId64 ", disk %" PRId64
		         ", network %" PRId64 ")",
		         sr_j_int(o, "lost", 0), c ? sr_j_int(c, "command", 0) : 0,
		         c ? sr_j_int(c, "disk", 0) : 0, c ? sr_j_int(c, "network", 0) : 0);
	} else if (!strcmp(ev, "session.escape")) {
		snprintf(buf, cap, "left the session cgroup for %s",
		         sr_j_str(o, "to_cgroup_path") ? sr_j_str(o, "to_cgroup_path") : "?");
	} else {
		snprintf(buf, cap, "%s", json_object_to_json_string(o));
	}
}

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
			    "exit, loss, escape, end)",
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

int sr_cmd_timeline(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"type", required_argument, NULL, 't'},
	    {"grep", required_argument, NULL, 'g'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool want[NTYPES] = {0}, any_type = false, json = false, have_re = false;
	const char *grep = NULL;
	regex_t re;
	struct sr_session_row s;
	struct sr_jarr ja;
	sqlite3_stmt *st;
	char day[SR_TIME_STRLEN] = "";
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_types(optarg, want))
				return SR_EXIT_USAGE;
			any_type = true;
			break;
		case 'g':
			grep = optarg;
			break;
		case 'j':
			json = true;
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
		int e = regcomp(&re, grep, REG_EXTENDED | REG_NOSUB);

		if (e) {
			char msg[256];

			regerror(e, &re, msg, sizeof(msg));
			sr_cli_error("--grep: bad regular expression '%s': %s", grep, msg);
			return SR_EXIT_USAGE;
		}
		have_re = true;
	}
	rc = SR_EXIT_ERROR;
	if (sr_db_open_ro(cli) || sr_db_session(cli, argv[optind], &s))
		goto out_re;
	if (sr_db_prepare(cli,
	                  "SELECT ei, time_us, event, pid, program, json FROM events "
	                  "WHERE session_id = ?1 ORDER BY ei",
	                  &st)) {
		sr_session_row_free(&s);
		goto out_re;
	}
	sqlite3_bind_int64(st, 1, s.id);
	if (json)
		sr_jarr_begin(&ja, stdout);
	else {
		char l[512], h[512], r[512];

		printf(
		    "%ssession %s%s  login %s on %s from %s\n", sr_col(cli->color, SR_C_BOLD),
		    s.sid, sr_col(cli->color, SR_C_RESET),
		    sr_term_escape_buf(s.login ? s.login : "?", l, sizeof(l)),
		    sr_term_escape_buf(s.server_hostname ? s.server_hostname : "?", h, sizeof(h)),
		    sr_term_escape_buf(s.remote_addr ? s.remote_addr : "-", r, sizeof(r)));
	}
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(st, 2);
		const char *prog = (const char *)sqlite3_column_text(st, 4);
		const char *js = (const char *)sqlite3_column_text(st, 5);
		char line[16384], t[SR_TIME_STRLEN], pidb[16], *e;
		json_object *o;

		for (i = 0; i < NTYPES; i++)
			if (ev && !strcmp(ev, types[i].event))
				break;
		if (any_type && (i == NTYPES || !want[i]))
			continue;
		if (json && !have_re) {
			sr_jarr_add_raw(&ja, js ? js : "null");
			continue;
		}
		o = json_tokener_parse(js ? js : "");
		if (o)
			details(o, ev ? ev : "", line, sizeof(line));
		else
			snprintf(line, sizeof(line), "(unreadable record) %s", js ? js : "");
		json_object_put(o);
		if (have_re) {
			char hay[16640];

			snprintf(hay, sizeof(hay), "%s %s", prog ? prog : "", line);
			if (regexec(&re, hay, 0, NULL, 0) != 0)
				continue;
			if (json) {
				sr_jarr_add_raw(&ja, js ? js : "null");
				continue;
			}
		}
		sr_time_format(sqlite3_column_int64(st, 1), t);
		t[10] = '\0';
		if (strcmp(day, t)) {
			snprintf(day, sizeof(day), "%s", t);
			printf("%s-- %s --%s\n", sr_col(cli->color, SR_C_DIM), day,
			       sr_col(cli->color, SR_C_RESET));
		}
		t[26] = '\0'; /* HH:MM:SS.uuuuuu */
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			snprintf(pidb, sizeof(pidb), "-");
		else
			snprintf(pidb, sizeof(pidb), "%d", sqlite3_column_int(st, 3));
		printf("%s%s%s %7s  ", sr_col(cli->color, SR_C_DIM), t + 11,
		       sr_col(cli->color, SR_C_RESET), pidb);
		e = sr_term_escape(prog ? prog : "-");
		if (!e)
			break;
		pad_to(e, 15);
		free(e);
		printf(" %s%-7s%s ",
		       sr_col(cli->color, i == NTYPES || i == 5 || i == 6 ? SR_C_RED
		                          : i == 1                        ? SR_C_GREEN
		                          : i == 3                        ? SR_C_MAGENTA
		                          : i == 2                        ? SR_C_BLUE
		                                                          : SR_C_YELLOW),
		       i < NTYPES ? types[i].label : (ev ? ev : "?"),
		       sr_col(cli->color, SR_C_RESET));
		sr_put_term(stdout, line);
		fputc('\n', stdout);
	}
	sqlite3_finalize(st);
	if (json)
		sr_jarr_end(&ja);
	sr_session_row_free(&s);
	if (c != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		goto out_re;
	}
	rc = SR_EXIT_OK;
out_re:
	if (have_re)
		regfree(&re);
	return rc;
}
