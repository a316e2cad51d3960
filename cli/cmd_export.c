/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec export: stream records as JSON lines, ECS or OCSF. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "export.h"
#include "recorder/record_json.h"
#include "timeutil.h"

static const char export_usage[] =
    "usage: sshrec export [--since T] [--until T] [--sid SID] [--format jsonl|ecs|ocsf] "
    "[-o FILE]\n"
    "  jsonl: the native records verbatim; ecs: Elastic Common Schema " SR_ECS_VERSION
    "; ocsf: OCSF " SR_OCSF_VERSION " (classes 1007, 1001, 4001, 3002)\n";

enum fmt { F_JSONL, F_ECS, F_OCSF };

#define PCACHE 4096 /* direct-mapped process cache (records of a process cluster) */
#define SCACHE 256  /* direct-mapped session cache: records of concurrent sessions interleave */

/* A session row and its fragments, rendered once: the export's query holds
 * one read transaction, so every lookup of the same id sees the same row. */
struct sess_entry {
	int64_t id;
	bool valid; /* holds session id (have: it has a row) */
	bool have;
	struct sr_session_row row;
	struct sr_exp_sess e; /* what the mappings read of row */
	struct sr_exp_frag frag;
};

struct exporter {
	struct sr_cli *cli;
	enum fmt fmt;
	FILE *out;
	sqlite3_stmt *proc_st;
	struct sess_entry *sc;
	struct sr_exp_image *pc;
	struct sr_jrec rec, scratch;
	struct sr_jw w;
	struct sr_store_reader rd;
	bool have_rd;
	uint64_t n, unmapped;
};

/* The mappings' view of a session row. */
static void sr_exp_sess_from_row(struct sr_exp_sess *e, const struct sr_session_row *r)
{
	*e = (struct sr_exp_sess){
	    .sid = r->sid,
	    .login = r->login,
	    .service = r->service,
	    .tty = r->tty,
	    .remote_addr = r->remote_addr,
	    .local_addr = r->local_addr,
	    .key_fingerprint = r->key_fingerprint,
	    .remote_port = r->remote_port,
	    .local_port = r->local_port,
	    .leader_pid = r->leader_pid,
	    .start_us = r->start_us,
	};
}

static void sess_entry_clear(struct sess_entry *e)
{
	if (e->valid && e->have) {
		sr_session_row_free(&e->row);
		sr_exp_frag_clear(&e->frag);
	}
	e->valid = e->have = false;
}

/* Session @p id and its fragments into @p ctx (no session when it has no
 * row). Returns 0 or -ENOMEM. */
static int get_session(struct exporter *x, int64_t id, struct sr_exp_ctx *ctx)
{
	struct sess_entry *e = &x->sc[(uint64_t)id % SCACHE];

	if (!(e->valid && e->id == id)) {
		int rc;

		sess_entry_clear(e);
		e->id = id;
		rc = sr_db_session_by_id(x->cli, id, &e->row);
		e->have = rc == 0;
		/* only a missing row is remembered: another failure is tried again */
		e->valid = rc == 0 || rc == -ENOENT;
		if (e->have)
			sr_exp_sess_from_row(&e->e, &e->row);
		if (e->have && sr_exp_frag_prepare(&e->frag, &e->e)) {
			sr_session_row_free(&e->row);
			e->valid = e->have = false;
			return -ENOMEM;
		}
	}
	ctx->sess = e->have ? &e->e : NULL;
	ctx->frag = e->have ? &e->frag : NULL;
	return 0;
}

/* The process @p id into *@p out (NULL when it has no row). Returns 0 or -ENOMEM. */
static int get_proc(struct exporter *x, int64_t id, const struct sr_exp_proc **out)
{
	struct sr_exp_image *e = &x->pc[(uint64_t)id % PCACHE];
	sqlite3_stmt *st = x->proc_st;

	*out = NULL;
	if (e->valid && e->p.id == id) {
		*out = &e->p;
		return 0;
	}
	sr_exp_image_clear(e);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	{
		const struct sr_exp_proc row = {
		    .id = id,
		    .path = (const char *)sqlite3_column_text(st, 0),
		    .argv_json = (const char *)sqlite3_column_text(st, 1),
		    .cwd = (const char *)sqlite3_column_text(st, 2),
		    .exe = (const char *)sqlite3_column_text(st, 6),
		    .exe_kind = (const char *)sqlite3_column_text(st, 7),
		    .pid = sqlite3_column_int(st, 3),
		    .ppid = sqlite3_column_int(st, 4),
		    .start_us = sqlite3_column_int64(st, 5),
		};

		if (sr_exp_image_set(e, &row, &x->scratch))
			return -ENOMEM;
	}
	*out = &e->p;
	return 0;
}

static bool is_command(const struct sr_jrec *rec)
{
	const char *ev = sr_jrec_str(rec, "event");

	return ev && !strcmp(ev, "session.command");
}

/* Write the record of the current row of @p st; returns 0 or -errno. */
static int export_one(struct exporter *x, sqlite3_stmt *st)
{
	const struct sr_record *r;
	struct sr_exp_ctx ctx = {0};
	const char *js;
	size_t len = 0;
	int64_t session_id = sqlite3_column_int64(st, 0);
	int rc;

	if (x->fmt == F_JSONL) {
		rc = sr_db_record(x->cli, &x->rd, st, 0, &r, &js, &len);
		if (rc)
			return rc;
		fwrite(js, 1, len, x->out);
		fputc('\n', x->out);
		x->n++;
		return 0;
	}
	rc = sr_db_record(x->cli, &x->rd, st, 0, &r, NULL, NULL);
	if (rc)
		return rc;
	/* a record stored as text is scanned; a rebuilt one is put into x->rec
	 * as that scan would give it, without its text */
	rc = r->json ? sr_jrec_parse(&x->rec, r->json, r->json_len)
	             : sr_record_jrec(&x->rec, &x->w, r);
	if (rc == -ENOMEM)
		goto nomem;
	if (rc) {
		sr_cli_error("export: unreadable record in session %" PRId64, session_id);
		return rc;
	}
	if (get_session(x, session_id, &ctx))
		goto nomem;
	/* ECS maps a command from the record alone (export_ecs.c): its process
	 * row would be read and prepared for nothing */
	if (r->process_id && !(x->fmt == F_ECS && is_command(&x->rec)) &&
	    get_proc(x, r->process_id, &ctx.proc))
		goto nomem;
	sr_jw_reset(&x->w);
	rc = x->fmt == F_ECS ? sr_ecs_write(&x->rec, &ctx, &x->w)
	                     : sr_ocsf_write(&x->rec, &ctx, &x->w);
	if (rc == -ENOENT) {
		x->unmapped++;
		return 0;
	}
	if (rc == -EINVAL) {
		sr_cli_error("export: a record of session %" PRId64 " has no event type",
		             session_id);
		return rc;
	}
	if (rc)
		goto nomem;
	sr_jw_put(&x->w, "\n", 1);
	if (sr_jw_error(&x->w))
		goto nomem;
	fwrite(x->w.b, 1, x->w.len, x->out);
	x->n++;
	return 0;
nomem:
	sr_cli_error("out of memory");
	return -ENOMEM;
}

int sr_cmd_export(struct sr_cli *cli, int argc, char **argv)
{
	static char obuf[1 << 20]; /* the output stream's buffer, static: stdout outlives us */
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 't'},
	    {"sid", required_argument, NULL, 'i'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *since_s = NULL, *until_s = NULL, *sid = NULL, *outp = NULL;
	int64_t since = INT64_MIN, until = INT64_MAX, t0, last_prog;
	struct exporter x = {.cli = cli, .fmt = F_JSONL};
	struct sr_session_row s;
	sqlite3_stmt *st = NULL;
	bool progress = isatty(STDERR_FILENO), have_s = false;
	int c, rc, ret = SR_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			since_s = optarg;
			break;
		case 't':
			until_s = optarg;
			break;
		case 'i':
			sid = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "jsonl"))
				x.fmt = F_JSONL;
			else if (!strcmp(optarg, "ecs"))
				x.fmt = F_ECS;
			else if (!strcmp(optarg, "ocsf"))
				x.fmt = F_OCSF;
			else {
				sr_cli_error("--format: expected jsonl, ecs or ocsf, not '%s'",
				             optarg);
				return SR_EXIT_USAGE;
			}
			break;
		case 'o':
			outp = optarg;
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(export_usage, c);
		}
	}
	if (optind < argc) {
		sr_cli_error("export: unexpected argument '%s'", argv[optind]);
		return SR_EXIT_USAGE;
	}
	if (sr_cli_time_range(cli, since_s, until_s, &since, &until))
		return SR_EXIT_USAGE;
	if (sr_db_open_ro(cli))
		return SR_EXIT_ERROR;
	if (sid) {
		if (sr_db_session(cli, sid, &s))
			return SR_EXIT_ERROR;
		have_s = true;
	}
	x.pc = calloc(PCACHE, sizeof(*x.pc));
	x.sc = calloc(SCACHE, sizeof(*x.sc));
	if (!x.pc || !x.sc) {
		sr_cli_error("out of memory");
		goto out;
	}
	if (sr_db_reader(cli, &x.rd))
		goto out;
	x.have_rd = true;
	if (sr_db_prepare(cli,
	                  "SELECT d.path, a.argv, c.path, p.pid, p.ppid, p.start_us, x.path, "
	                  "p.exe_kind FROM processes p JOIN paths d ON d.id = p.path "
	                  "JOIN argvs a ON a.id = p.argv LEFT JOIN paths c ON c.id = p.cwd "
	                  "LEFT JOIN paths x ON x.id = p.exe WHERE p.id = ?1",
	                  &x.proc_st))
		goto out;
	if (sr_db_prepare(cli,
	                  have_s ? "SELECT " SR_STORE_EVENT_COLS " FROM events e WHERE "
	                           "e.session_id = ?3 AND e.time_us >= ?1 AND e.time_us <= ?2 "
	                           "ORDER BY e.ei"
	                         : "SELECT " SR_STORE_EVENT_COLS " FROM events e WHERE "
	                           "e.time_us >= ?1 AND e.time_us <= ?2 ORDER BY e.time_us",
	                  &st))
		goto out;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	if (have_s)
		sqlite3_bind_int64(st, 3, s.id);
	if (outp) {
		x.out = sr_fopen_private(outp);
		if (!x.out) {
			sr_cli_error("cannot write %s: %s", outp, strerror(errno));
			goto out;
		}
	} else {
		x.out = stdout;
	}
	/* glibc ignores the size when the buffer is NULL and keeps st_blksize
	 * (4 KiB for a pipe): a write(2) every 3 ECS records */
	setvbuf(x.out, obuf, _IOFBF, sizeof(obuf));
	t0 = last_prog = sr_now_us();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (export_one(&x, st))
			goto out;
		if (progress && (x.n & 1023) == 0) {
			int64_t now = sr_now_us();

			if (now - last_prog > 250000) {
				last_prog = now;
				fprintf(stderr, "\rsshrec: exported %" PRIu64 " records (%.0f/s)",
				        x.n, (double)x.n * 1e6 / (double)(now - t0 + 1));
			}
		}
	}
	if (rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		goto out;
	}
	if (progress)
		fprintf(stderr, "\rsshrec: exported %" PRIu64 " records in %.1f s\033[K\n", x.n,
		        (double)(sr_now_us() - t0) / 1e6);
	if (x.unmapped)
		fprintf(stderr,
		        "sshrec: export: %" PRIu64 " session.data_loss records have no "
		        "OCSF " SR_OCSF_VERSION
		        " class and were left out (use jsonl or ecs for them)\n",
		        x.unmapped);
	if (fflush(x.out) != 0 || ferror(x.out)) {
		sr_cli_error("write error on %s: %s", outp ? outp : "standard output",
		             strerror(errno));
		goto out;
	}
	ret = SR_EXIT_OK;
out:
	if (x.out && x.out != stdout && fclose(x.out) != 0 && ret == SR_EXIT_OK) {
		sr_cli_error("write error on %s: %s", outp, strerror(errno));
		ret = SR_EXIT_ERROR;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(x.proc_st);
	if (x.pc)
		for (c = 0; c < PCACHE; c++)
			sr_exp_image_clear(&x.pc[c]);
	free(x.pc);
	sr_jrec_free(&x.rec);
	sr_jrec_free(&x.scratch);
	sr_jw_free(&x.w);
	if (x.have_rd)
		sr_store_reader_free(&x.rd);
	if (x.sc)
		for (c = 0; c < SCACHE; c++)
			sess_entry_clear(&x.sc[c]);
	free(x.sc);
	if (have_s)
		sr_session_row_free(&s);
	return ret;
}
