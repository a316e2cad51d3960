/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec: global options and subcommand dispatch. */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "paths.h"
#include "strsafe.h"
#include "timeutil.h"

void sr_cli_error(const char *fmt, ...)
{
	char buf[2048], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "sshrec: %s\n", sr_term_escape_buf(buf, safe, sizeof(safe)));
}

int sr_cli_usage(const char *usage, int c)
{
	fputs(usage, c == 'h' ? stdout : stderr);
	return c == 'h' ? SR_EXIT_OK : SR_EXIT_USAGE;
}

static const struct {
	const char *name;
	int (*fn)(struct sr_cli *, int, char **);
	const char *help;
} cmds[] = {
    {"sessions", sr_cmd_sessions, "list sessions"},
    {"timeline", sr_cmd_timeline, "every record of one session, in order"},
    {"tree", sr_cmd_tree, "the process tree of one session"},
    {"replay", sr_cmd_replay, "play a session's commands back in real time"},
    {"search", sr_cmd_search, "who ran a program, touched a file, connected somewhere"},
    {"export", sr_cmd_export, "export records as JSON lines, ECS or OCSF"},
    {"report", sr_cmd_report, "write a self-contained HTML report of one session"},
    {"status", sr_cmd_status, "ask the running sshrecd for its status"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: sshrec [--db PATH] [--socket PATH] [--color auto|always|never] "
	             "COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\nsshrec COMMAND --help shows the options of a command.\n"
	             "SID may be a unique prefix of at least 8 characters. Times: RFC 3339, "
	             "-2h, -30m, -7d, today, yesterday.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"socket", required_argument, NULL, 's'},
	    {"color", required_argument, NULL, 'c'},
	    {"colour", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct sr_cli cli = {0};
	const char *color = "auto", *env;
	size_t i;
	int c, rc;

	setlocale(LC_CTYPE, "");
	env = getenv("SSHREC_DB");
	cli.db_path = env && *env ? env : SR_DEFAULT_DB;
	cli.socket_path = SR_DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cli.db_path = optarg;
			break;
		case 's':
			cli.socket_path = optarg;
			break;
		case 'c':
			color = optarg;
			break;
		case 'h':
			usage(stdout);
			return SR_EXIT_OK;
		case 'V':
			printf("sshrec %s\n", PACKAGE_VERSION);
			return SR_EXIT_OK;
		default:
			usage(stderr);
			return SR_EXIT_USAGE;
		}
	}
	cli.tty = isatty(STDOUT_FILENO);
	cli.utf8 = cli.tty && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (strcmp(color, "always") == 0) {
		cli.color = true;
	} else if (strcmp(color, "never") == 0) {
		cli.color = false;
	} else if (strcmp(color, "auto") == 0) {
		env = getenv("NO_COLOR");
		cli.color =
		    cli.tty && !(env && *env) && !((env = getenv("TERM")) && !strcmp(env, "dumb"));
	} else {
		sr_cli_error("--color: expected auto, always or never, not '%s'", color);
		return SR_EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return SR_EXIT_USAGE;
	}
	cli.now_us = sr_now_us();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name) != 0)
			continue;
		argc -= optind;
		argv += optind;
		optind = 0; /* reset getopt for the subcommand */
		rc = cmds[i].fn(&cli, argc, argv);
		sr_db_close(&cli);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			sr_cli_error("write error on standard output");
			return SR_EXIT_ERROR;
		}
		return rc;
	}
	sr_cli_error("unknown command '%s' (try sshrec --help)", argv[optind]);
	return SR_EXIT_USAGE;
}
