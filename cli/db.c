/* SPDX-License-Identifier: BSD-2-Clause */
/* Read-only database access: open, schema version check, session lookup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "recorder/record.h"
#include "timeutil.h"

/* Build "file:<path>?mode=ro" with the path percent-encoded where needed. */
static char *ro_uri(const char *path, bool immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path), n = 0, i;
	char *u = malloc(len * 3 + 32);

	if (!u)
		return NULL;
	memcpy(u, "file:", 5);
	n = 5;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '?' || c == '#' || c == '%' || c <= 0x20 || c >= 0x7f) {
			u[n++] = '%';
			u[n++] = hex[c >> 4];
			u[n++] = hex[c & 15];
		} else {
			u[n++] = (char)c;
		}
	}
	memcpy(u + n, immutable ? "?mode=ro&immutable=1" : "?mode=ro", immutable ? 21 : 9);
	return u;
}

/*
 * A newer sshrecd wrote records of a newer format (same schema): they are
 * still shown, but what this sshrec does not know (a new kind of file
 * change, a new field) reads as "unknown" or is left out. Say so, once.
 */
static void warn_newer_records(struct sr_cli *cli)
{
	sqlite3_stmt *st;
	int have = 0;

	/* the key is db.h's SR_DB_META_RECORD_FORMAT (its sr_db_* names clash with these) */
	static const char sql[] =
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'record_format'";

	if (sqlite3_prepare_v2(cli->db, sql, -1, &st, NULL) != SQLITE_OK)
		return; /* no meta table: an old database, nothing newer in it */
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > SR_RECORD_FORMAT)
		sr_cli_error("warning: %s holds records of format %d, newer than this sshrec reads "
		             "(%d): what it does not know shows as \"unknown\" or is left out",
		             cli->db_path, have, SR_RECORD_FORMAT);
}

/* Open read-only and read PRAGMA user_version: SQLITE_ROW on success. */
static int open_uri(struct sr_cli *cli, bool immutable, sqlite3_stmt **st)
{
	char *uri = ro_uri(cli->db_path, immutable);
	int rc;

	*st = NULL;
	if (!uri)
		return -ENOMEM;
	/* NOMUTEX: sshrec uses its connection from one thread, and the
	 * connection mutex taken around every sqlite3_column_*() call cost an
	 * export ~6 % of its CPU (tests/bench/results/cli.md) */
	rc = sqlite3_open_v2(uri, &cli->db,
	                     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		sr_db_close(cli);
		return rc;
	}
	sqlite3_busy_timeout(cli->db, 5000);
	rc = sqlite3_prepare_v2(cli->db, "PRAGMA user_version", -1, st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(*st);
	return rc;
}

/* True when nobody can be writing @p path: no -wal file and no write access. */
static bool static_copy(const char *path)
{
	char wal[4096];
	char *dir = strdup(path), *slash;
	bool ro;

	if (!dir)
		return false;
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	ro = access(slash ? dir : ".", W_OK) != 0;
	free(dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	return ro && access(wal, F_OK) != 0;
}

int sr_db_open_ro(struct sr_cli *cli)
{
	struct stat stt;
	sqlite3_stmt *st = NULL;
	int rc;

	if (cli->db)
		return 0;
	if (stat(cli->db_path, &stt) != 0) {
		int e = errno;

		sr_cli_error("cannot open database %s: %s", cli->db_path, strerror(e));
		return -e;
	}
	if (!S_ISREG(stt.st_mode)) {
		sr_cli_error("cannot open database %s: not a regular file", cli->db_path);
		return -EINVAL;
	}
	/* no memory statistics (sshrec reads none): with them every SQLite
	 * allocation takes a global mutex. Only before SQLite's initialization,
	 * so a second open's call fails, harmlessly. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = open_uri(cli, false, &st);
	if ((rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN) && static_copy(cli->db_path)) {
		/* a WAL database where no -shm can be made (read-only directory)
		 * and no writer (no -wal file): a copy, safe to read as immutable */
		sqlite3_finalize(st);
		sr_db_close(cli);
		rc = open_uri(cli, true, &st);
	}
	if (rc == -ENOMEM) {
		sr_cli_error("out of memory");
		return -ENOMEM;
	}
	if (rc != SQLITE_ROW && !cli->db) {
		sr_cli_error("cannot open database %s: %s", cli->db_path, sqlite3_errstr(rc));
		return -EIO;
	}
	if (rc != SQLITE_ROW) {
		sr_cli_error("cannot read database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		sqlite3_finalize(st);
		sr_db_close(cli);
		return -EIO;
	}
	cli->schema_version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (cli->schema_version > SR_CLI_SCHEMA_MAX) {
		sr_cli_error("database schema version %d is newer than this sshrec supports (%d)",
		             cli->schema_version, SR_CLI_SCHEMA_MAX);
		sr_db_close(cli);
		return -EPROTO;
	}
	if (cli->schema_version < 1) {
		sr_cli_error("%s is not an sshrec database (schema version %d)", cli->db_path,
		             cli->schema_version);
		sr_db_close(cli);
		return -EPROTO;
	}
	if (cli->schema_version < SR_CLI_SCHEMA_MIN) {
		sr_cli_error(
		    "database schema version %d is older than this sshrec reads (%d): "
		    "sshrecd upgrades it when it starts (sshrecd --upgrade-db does only that)",
		    cli->schema_version, SR_CLI_SCHEMA_MIN);
		sr_db_close(cli);
		return -EPROTO;
	}
	warn_newer_records(cli);
	return 0;
}

int sr_db_reader(struct sr_cli *cli, struct sr_store_reader *rd)
{
	int err = sr_store_reader_init(rd, cli->db);

	if (err)
		sr_cli_error("database %s: %s", cli->db_path,
		             err == -ENOMEM ? "out of memory" : sqlite3_errmsg(cli->db));
	return err;
}

int sr_db_record(struct sr_cli *cli, struct sr_store_reader *rd, sqlite3_stmt *st, int col,
                 const struct sr_record **rec, const char **json, size_t *len)
{
	int err = json ? sr_store_read_json(rd, st, col, rec, json, len)
	               : sr_store_read(rd, st, col, rec);

	if (err == -ENOMEM)
		sr_cli_error("out of memory");
	else if (err)
		sr_cli_error("database %s: cannot rebuild record %lld of session %lld: %s",
		             cli->db_path, (long long)sqlite3_column_int64(st, col + 1),
		             (long long)sqlite3_column_int64(st, col),
		             err == -ENOENT ? "a row it refers to is missing"
		                            : sqlite3_errmsg(cli->db));
	return err;
}

void sr_db_close(struct sr_cli *cli)
{
	if (cli->db)
		sqlite3_close_v2(cli->db);
	cli->db = NULL;
}

int sr_db_prepare(struct sr_cli *cli, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(cli->db, sql, -1, st, NULL) != SQLITE_OK) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		*st = NULL;
		return -EIO;
	}
	return 0;
}

const char *sr_session_cols(const struct sr_cli *cli)
{
#define SR_SESSION_COLS                                                                            \
	"id, sid, server_id, server_hostname, login, user, service, tty, rhost, remote_addr, "     \
	"local_addr, auth_method, key_type, key_fingerprint, state, remote_port, local_port, "     \
	"leader_pid, start_us, closing_us, end_us, n_command, n_disk, n_network, n_exit, "         \
	"n_escape, lost, n_denied"
	(void)cli; /* every schema this sshrec reads has them all */
	return SR_SESSION_COLS;
#undef SR_SESSION_COLS
}

static char *col_dup(sqlite3_stmt *st, int col, int *err)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	char *d;

	if (!s)
		return NULL;
	d = strdup((const char *)s);
	if (!d)
		*err = -ENOMEM;
	return d;
}

int sr_session_row_from_stmt(sqlite3_stmt *st, int c, struct sr_session_row *o)
{
	int err = 0;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, c + 0);
	o->sid = col_dup(st, c + 1, &err);
	o->server_id = col_dup(st, c + 2, &err);
	o->server_hostname = col_dup(st, c + 3, &err);
	o->login = col_dup(st, c + 4, &err);
	o->user = col_dup(st, c + 5, &err);
	o->service = col_dup(st, c + 6, &err);
	o->tty = col_dup(st, c + 7, &err);
	o->rhost = col_dup(st, c + 8, &err);
	o->remote_addr = col_dup(st, c + 9, &err);
	o->local_addr = col_dup(st, c + 10, &err);
	o->auth_method = col_dup(st, c + 11, &err);
	o->key_type = col_dup(st, c + 12, &err);
	o->key_fingerprint = col_dup(st, c + 13, &err);
	o->state = col_dup(st, c + 14, &err);
	o->remote_port = sqlite3_column_int(st, c + 15);
	o->local_port = sqlite3_column_int(st, c + 16);
	o->leader_pid = sqlite3_column_int(st, c + 17);
	o->start_us = sqlite3_column_int64(st, c + 18);
	o->closing_us = sqlite3_column_int64(st, c + 19);
	o->end_us = sqlite3_column_int64(st, c + 20);
	o->n_command = sqlite3_column_int64(st, c + 21);
	o->n_disk = sqlite3_column_int64(st, c + 22);
	o->n_network = sqlite3_column_int64(st, c + 23);
	o->n_exit = sqlite3_column_int64(st, c + 24);
	o->n_escape = sqlite3_column_int64(st, c + 25);
	o->lost = sqlite3_column_int64(st, c + 26);
	o->n_denied = sqlite3_column_int64(st, c + 27);
	if (err)
		sr_session_row_free(o);
	return err;
}

void sr_session_row_free(struct sr_session_row *r)
{
	free(r->sid);
	free(r->server_id);
	free(r->server_hostname);
	free(r->login);
	free(r->user);
	free(r->service);
	free(r->tty);
	free(r->rhost);
	free(r->remote_addr);
	free(r->local_addr);
	free(r->auth_method);
	free(r->key_type);
	free(r->key_fingerprint);
	free(r->state);
	memset(r, 0, sizeof(*r));
}

static bool sid_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F') || *s == '-'))
			return false;
	return true;
}

int sr_db_session(struct sr_cli *cli, const char *sid, struct sr_session_row *out)
{
	char sql[512], lo[40], hi[40];
	sqlite3_stmt *st;
	size_t len = strlen(sid), i;
	int rc, n = 0;

	if (len < 8 || len > 36 || !sid_chars_ok(sid)) {
		sr_cli_error("'%s' is not a session id (a UUID or a unique prefix of at least 8 "
		             "characters)",
		             sid);
		return -EINVAL;
	}
	for (i = 0; i <= len; i++)
		lo[i] = (char)(sid[i] >= 'A' && sid[i] <= 'F' ? sid[i] + 32 : sid[i]);
	memcpy(hi, lo, len);
	/* prefix range [lo, lo + "~") uses the UNIQUE index on sid */
	hi[len] = '~';
	hi[len + 1] = '\0';
	snprintf(sql, sizeof(sql), "SELECT %s FROM sessions WHERE sid >= ?1 AND sid < ?2 LIMIT 2",
	         sr_session_cols(cli));
	if (sr_db_prepare(cli, sql, &st))
		return -EIO;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n == 1) {
			if (sr_session_row_from_stmt(st, 0, out)) {
				sqlite3_finalize(st);
				sr_cli_error("out of memory");
				return -ENOMEM;
			}
		}
	}
	if (rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		sqlite3_finalize(st);
		if (n)
			sr_session_row_free(out);
		return -EIO;
	}
	sqlite3_finalize(st);
	if (n == 0) {
		sr_cli_error("unknown session '%s'", sid);
		return -ENOENT;
	}
	if (n > 1) {
		sr_session_row_free(out);
		sr_cli_error("session prefix '%s' is ambiguous; give more characters", sid);
		return -EINVAL;
	}
	return 0;
}

int sr_db_session_by_id(struct sr_cli *cli, int64_t id, struct sr_session_row *out)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM sessions WHERE id = ?1", sr_session_cols(cli));
	if (sr_db_prepare(cli, sql, &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sr_session_row_from_stmt(st, 0, out) ? -ENOMEM : 0;
	else
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return rc;
}

int sr_cli_time_arg(struct sr_cli *cli, const char *opt, const char *arg, int64_t *out)
{
	if (sr_time_parse(arg, cli->now_us, out) != 0) {
		sr_cli_error("%s: bad time '%s' (use RFC 3339 like 2026-11-22T08:00:00Z, or -2h, "
		             "-30m, -7d, today, yesterday)",
		             opt, arg);
		return -EINVAL;
	}
	return 0;
}

int sr_cli_time_range(struct sr_cli *cli, const char *since_s, const char *until_s, int64_t *since,
                      int64_t *until)
{
	if (since_s && sr_cli_time_arg(cli, "--since", since_s, since))
		return -EINVAL;
	if (until_s && sr_cli_time_arg(cli, "--until", until_s, until))
		return -EINVAL;
	return 0;
}

int sr_listing_finish(struct sr_cli *cli, int rc, struct sr_jarr *ja, struct sr_table *tab)
{
	if (ja)
		sr_jarr_end(ja);
	if (tab && rc == SQLITE_DONE)
		sr_table_print(tab, stdout, cli->color);
	if (tab)
		sr_table_free(tab);
	if (rc == SQLITE_DONE)
		return SR_EXIT_OK;
	if (rc == -1) /* the error line was printed where it happened */
		return SR_EXIT_ERROR;
	if (rc == SQLITE_NOMEM)
		sr_cli_error("out of memory");
	else
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
	return SR_EXIT_ERROR;
}
