/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec status: ask the running sshrecd over its control socket. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "proto.h"

static const char status_usage[] = "usage: sshrec [--socket PATH] status [--json]\n";

static void num(char *b, size_t cap, json_object *o, const char *k)
{
	snprintf(b, cap, "%" PRId64, sr_j_int(o, k, 0));
}

/* "capture: backend lsm (auto) ..." and what this kernel cannot record. */
static void print_capture(json_object *s)
{
	json_object *cap = NULL, *progs = NULL, *gaps = NULL, *f = NULL;
	size_t i, ondemand = 0, attached = 0;

	if (!json_object_object_get_ex(s, "capture", &cap))
		return;
	json_object_object_get_ex(cap, "forced", &f);
	printf("capture: backend %s (%s)",
	       sr_j_str(cap, "backend") ? sr_j_str(cap, "backend") : "?",
	       f && json_object_get_boolean(f) ? "forced by capture_backend" : "auto");
	if (json_object_object_get_ex(cap, "programs", &progs) &&
	    json_object_is_type(progs, json_type_array))
		for (i = 0; i < json_object_array_length(progs); i++) {
			json_object *p = json_object_array_get_idx(progs, i), *od = NULL,
			            *at = NULL;

			json_object_object_get_ex(p, "on_demand", &od);
			json_object_object_get_ex(p, "attached", &at);
			if (od && json_object_get_boolean(od)) {
				ondemand++;
				attached += at && json_object_get_boolean(at);
			}
		}
	if (ondemand)
		printf(", on-demand programs %zu/%zu attached", attached, ondemand);
	printf("\n");
	if (json_object_object_get_ex(cap, "not_recorded", &gaps) &&
	    json_object_is_type(gaps, json_type_array))
		for (i = 0; i < json_object_array_length(gaps); i++) {
			fputs("capture: not recorded on this kernel: ", stdout);
			sr_put_term(stdout,
			            json_object_get_string(json_object_array_get_idx(gaps, i)));
			putchar('\n');
		}
}

static int print_status(const struct sr_cli *cli, json_object *s)
{
	json_object *rates = NULL, *sinks = NULL, *sess = NULL, *pol = NULL;
	struct sr_table t;
	char a[64], b[64], c[64], d[64], e[64], f[64];
	size_t i;

	printf("%ssshrecd %s%s (pid %" PRId64 "), running since %s, server %s\n",
	       sr_col(cli->color, SR_C_BOLD), sr_j_str(s, "version") ? sr_j_str(s, "version") : "?",
	       sr_col(cli->color, SR_C_RESET), sr_j_int(s, "pid", 0),
	       sr_j_str(s, "started") ? sr_j_str(s, "started") : "?",
	       sr_j_str(s, "server_id") ? sr_j_str(s, "server_id") : "?");
	print_capture(s);
	printf("active sessions: %" PRId64 "\n", sr_j_int(s, "active_sessions", 0));
	json_object_object_get_ex(s, "events_per_sec", &rates);
	printf("events/s (last minute): command %.1f, disk %.1f, network %.1f\n",
	       rates ? json_object_get_double(json_object_object_get(rates, "command")) : 0.0,
	       rates ? json_object_get_double(json_object_object_get(rates, "disk")) : 0.0,
	       rates ? json_object_get_double(json_object_object_get(rates, "network")) : 0.0);
	printf("records written: %" PRId64 ", %slost in the kernel: %" PRId64 "%s, orphan events: "
	       "%" PRId64 ", malformed: %" PRId64 ", ring buffer pending: %" PRId64 " bytes\n",
	       sr_j_int(s, "records", 0), sr_col(cli->color && sr_j_int(s, "lost", 0), SR_C_RED),
	       sr_j_int(s, "lost", 0), sr_col(cli->color && sr_j_int(s, "lost", 0), SR_C_RESET),
	       sr_j_int(s, "orphan_events", 0), sr_j_int(s, "malformed_events", 0),
	       sr_j_int(s, "ringbuf_pending_bytes", 0));
	if (json_object_object_get_ex(s, "policy", &pol) && pol) {
		int64_t na = sr_j_int(pol, "not_applied", 0);

		printf("policy: enforce %s (%s), %" PRId64 " rules in %" PRId64
		       " rule sets; denied %" PRId64 ", audited %" PRId64 ", %snot applied %" PRId64
		       "%s, records lost %" PRId64 "\n",
		       sr_j_str(pol, "enforce") ? sr_j_str(pol, "enforce") : "?",
		       sr_j_str(pol, "mechanism") ? sr_j_str(pol, "mechanism") : "?",
		       sr_j_int(pol, "rules", 0), sr_j_int(pol, "rule_sets", 0),
		       sr_j_int(pol, "denied", 0), sr_j_int(pol, "audited", 0),
		       sr_col(cli->color && na, SR_C_RED), na, sr_col(cli->color && na, SR_C_RESET),
		       sr_j_int(pol, "lost", 0));
	}

	static const char *sh[] = {"SINK",    "HEALTH",  "WRITTEN",   "FAILED",
	                           "BACKLOG", "DROPPED", "LAST ERROR"};
	if (json_object_object_get_ex(s, "sinks", &sinks) &&
	    json_object_is_type(sinks, json_type_array) && json_object_array_length(sinks)) {
		if (sr_table_init(&t, 7, sh))
			return -ENOMEM;
		for (i = 0; i < json_object_array_length(sinks); i++) {
			json_object *k = json_object_array_get_idx(sinks, i), *ok = NULL;
			bool good;
			const char *cells[7];

			json_object_object_get_ex(k, "ok", &ok);
			good = ok && json_object_get_boolean(ok);
			num(a, sizeof(a), k, "written");
			num(b, sizeof(b), k, "failed");
			num(c, sizeof(c), k, "backlog");
			num(d, sizeof(d), k, "dropped");
			cells[0] = sr_j_str(k, "name");
			cells[1] = good ? "ok" : "FAILING";
			cells[2] = a;
			cells[3] = b;
			cells[4] = c;
			cells[5] = d;
			cells[6] = sr_j_str(k, "last_error");
			if (sr_table_add(&t, cells)) {
				sr_table_free(&t);
				return -ENOMEM;
			}
			sr_table_color(&t, 1, good ? SR_C_GREEN : SR_C_RED);
		}
		printf("\n");
		sr_table_print(&t, stdout, cli->color);
		sr_table_free(&t);
		for (i = 0; i < json_object_array_length(sinks); i++) {
			json_object *k = json_object_array_get_idx(sinks, i);

			if (sr_j_int(k, "pruned_sessions", 0) > 0)
				printf("%s: %" PRId64
				       " ended sessions removed by retention since start\n",
				       sr_j_str(k, "name") ? sr_j_str(k, "name") : "?",
				       sr_j_int(k, "pruned_sessions", 0));
			if (sr_j_int(k, "ring_held_bytes", 0) > 0)
				printf("%s: the events of its backlog stay in the ring buffer "
				       "(%" PRId64
				       " bytes): a start after a kill -9 reads them again\n",
				       sr_j_str(k, "name") ? sr_j_str(k, "name") : "?",
				       sr_j_int(k, "ring_held_bytes", 0));
			if (!sr_j_int(k, "kill9_safe", 1)) /* json-c: a boolean as 0 or 1 */
				printf(
				    "%s%s: its backlog outgrew half the ring buffer: a kill -9 now "
				    "loses it%s\n",
				    sr_col(cli->color, SR_C_RED),
				    sr_j_str(k, "name") ? sr_j_str(k, "name") : "?",
				    sr_col(cli->color, SR_C_RESET));
			if (sr_j_int(k, "kill9_unsafe_times", 0) > 0)
				printf("%s: backlog past the ring buffer bound %" PRId64
				       " times since start\n",
				       sr_j_str(k, "name") ? sr_j_str(k, "name") : "?",
				       sr_j_int(k, "kill9_unsafe_times", 0));
			if (sr_j_int(k, "resent", 0) > 0)
				printf("%s: %" PRId64
				       " records sent again after a failed connection "
				       "(copies: same sid and ei)\n",
				       sr_j_str(k, "name") ? sr_j_str(k, "name") : "?",
				       sr_j_int(k, "resent", 0));
		}
	}
	static const char *ch[] = {"SID",   "LOGIN", "STATE", "START", "FROM",
	                           "PROCS", "CMDS",  "FILES", "CONNS", "LOST"};
	if (json_object_object_get_ex(s, "sessions", &sess) &&
	    json_object_is_type(sess, json_type_array) && json_object_array_length(sess)) {
		if (sr_table_init(&t, 10, ch))
			return -ENOMEM;
		for (i = 0; i < json_object_array_length(sess); i++) {
			json_object *k = json_object_array_get_idx(sess, i), *cnt = NULL;
			const char *cells[10];

			json_object_object_get_ex(k, "counts", &cnt);
			num(a, sizeof(a), k, "processes");
			num(b, sizeof(b), cnt, "command");
			num(c, sizeof(c), cnt, "disk");
			num(d, sizeof(d), cnt, "network");
			num(e, sizeof(e), k, "lost");
			snprintf(f, sizeof(f), "%s",
			         sr_j_str(k, "start") ? sr_j_str(k, "start") : "-");
			cells[0] = sr_j_str(k, "sid");
			cells[1] = sr_j_str(k, "login");
			cells[2] = sr_j_str(k, "state");
			cells[3] = f;
			cells[4] = sr_j_str(k, "remote_addr");
			cells[5] = a;
			cells[6] = b;
			cells[7] = c;
			cells[8] = d;
			cells[9] = e;
			if (sr_table_add(&t, cells)) {
				sr_table_free(&t);
				return -ENOMEM;
			}
			sr_table_color(&t, 0, SR_C_CYAN);
		}
		printf("\n");
		sr_table_print(&t, stdout, cli->color);
		sr_table_free(&t);
	}
	return 0;
}

int sr_cmd_status(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool json = false;
	char req[256], *reply;
	json_object *r, *ok = NULL, *st = NULL;
	int c, n, len, ret = SR_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(status_usage, c);
		}
	}
	if (optind < argc) {
		sr_cli_error("status: unexpected argument '%s'", argv[optind]);
		return SR_EXIT_USAGE;
	}
	n = sr_proto_encode_status(req, sizeof(req));
	reply = malloc(SR_PROTO_MAX_REPLY + 1);
	if (n < 0 || !reply) {
		free(reply);
		sr_cli_error("out of memory");
		return SR_EXIT_ERROR;
	}
	len = sr_proto_call(cli->socket_path, req, (size_t)n, reply, SR_PROTO_MAX_REPLY, 5000);
	if (len < 0) {
		if (len == -ENOENT || len == -ECONNREFUSED)
			sr_cli_error("sshrecd is not running (no daemon listening on %s)",
			             cli->socket_path);
		else
			sr_cli_error("cannot ask sshrecd at %s: %s", cli->socket_path,
			             strerror(-len));
		free(reply);
		return SR_EXIT_ERROR;
	}
	reply[len] = '\0';
	r = json_tokener_parse(reply);
	if (!r || !json_object_object_get_ex(r, "ok", &ok) || !json_object_get_boolean(ok)) {
		sr_cli_error("sshrecd refused the status request: %s",
		             r && sr_j_str(r, "error") ? sr_j_str(r, "error") : "malformed reply");
	} else if (!json_object_object_get_ex(r, "status", &st) ||
	           !json_object_is_type(st, json_type_object)) {
		sr_cli_error("sshrecd sent a status reply without status");
	} else if (json) {
		puts(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN |
		                                            JSON_C_TO_STRING_NOSLASHESCAPE));
		ret = SR_EXIT_OK;
	} else if (print_status(cli, st) == 0) {
		ret = SR_EXIT_OK;
	} else {
		sr_cli_error("out of memory");
	}
	json_object_put(r);
	free(reply);
	return ret;
}
