/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for recorder/store/db.c and db_upgrade.c: a new database gets the
 * current schema, a version-1 database (the real v1 schema,
 * tests/unit/data/sshrec-v1.sql) is migrated to exactly the current schema
 * keeping its rows, a version-4 database of real records
 * (tests/e2e/data/parity/sshrec-v4.sql) is upgraded with every record
 * coming back byte for byte, a kill -9 in the middle of that upgrade leaves
 * the old database usable and the upgrade runs again, a newer one is refused
 * with the message the admin needs, and a foreign one is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "recorder/store/db.h"
#include "recorder/store/records_perm.h"
#include "recorder/store/store_read.h"

static char dir[] = "/tmp/sshrec-unit-migrate.XXXXXX";

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Does the query plan of @sql name @index? */
static bool plan_uses(sqlite3 *db, const char *sql, const char *index)
{
	char eqp[512];
	sqlite3_stmt *st;
	bool found = false;

	snprintf(eqp, sizeof(eqp), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(st, 3), index))
			found = true;
	sqlite3_finalize(st);
	return found;
}

/* Every table and index definition, in a stable order, one per line. */
static char *schema_dump(sqlite3 *db)
{
	sqlite3_stmt *st;
	size_t len = 0, cap = 1;
	char *out = calloc(1, 1);

	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT type || ' ' || name || ': ' || "
	                       "COALESCE(sql, '') FROM sqlite_master ORDER BY type, name",
	                       -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(row);

		cap = len + n + 2;
		out = realloc(out, cap);
		memcpy(out + len, row, n);
		out[len + n] = '\n';
		len += n + 1;
		out[len] = '\0';
	}
	sqlite3_finalize(st);
	return out;
}

/* Run @fn with stderr captured into a file; returns what it wrote. */
static char *capture_stderr(int (*fn)(const char *), const char *arg, int *ret)
{
	char cap[512];
	int fd, saved;

	path_of(cap, sizeof(cap), "stderr.txt");
	fflush(stderr);
	saved = dup(2);
	fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	close(fd);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	return slurp(cap);
}

static int open_and_close(const char *path)
{
	sqlite3 *db;
	int err = sr_db_open(path, SR_NO_GROUP, &db);

	assert_true(err || db);
	sqlite3_close(db);
	return err;
}

static int open_ro_and_close(const char *path)
{
	sqlite3 *db;
	int err = sr_db_open_ro(path, &db);

	sqlite3_close(db);
	return err;
}

static void test_embedded_migrations(void **state)
{
	const struct sr_db_migration *m;
	int last = SR_DB_VERSION_MIN;
	char want[64];

	(void)state;
	for (m = sr_db_migrations; m->version; m++) {
		assert_int_equal(m->version, last + 1);
		/* in place: index and table changes; the last copies from the old file */
		assert_non_null(strstr(
		    m->sql, m->version <= SR_DB_IN_PLACE_MAX ? " INDEX " : "FROM old.sessions"));
		last = m->version;
	}
	assert_int_equal(last, SR_DB_VERSION);
	snprintf(want, sizeof(want), "PRAGMA user_version = %d;", SR_DB_VERSION);
	assert_non_null(strstr(sr_db_schema_sql, want));
	/* the generator kept backslashes: the comment about \xNN escapes survives */
	assert_non_null(strstr(sr_db_schema_sql, "\\xNN"));
}

/* The CLI (its own process, its own constant) reads every schema the daemon writes. */
static void test_cli_reads_this_version(void **state)
{
	const char *top = getenv("SR_TOP_SRCDIR");
	char path[1024], want[64];
	char *text;

	(void)state;
	snprintf(path, sizeof(path), "%s/cli/cli.h", top ? top : ".");
	text = slurp(path);
	snprintf(want, sizeof(want), "#define SR_CLI_SCHEMA_MAX %d\n", SR_DB_VERSION);
	assert_non_null(strstr(text, want));
	free(text);
}

static void test_fresh_database(void **state)
{
	char path[512];
	sqlite3 *db;
	struct stat st;
	int v = 0;

	(void)state;
	/* parent directories are created, 0700 */
	path_of(path, sizeof(path), "new/sub/sshrec.db");
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION);
	assert_int_equal(sr_db_check_version(db, &v), 0);
	assert_int_equal(v, SR_DB_VERSION);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	                           "('sessions_user_start', 'events_time', 'events_path')"),
	                 3);
	/* dropped in version 3: no query used them */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	                           "('events_event_time', 'events_process', 'processes_parent')"),
	                 0);
	/* WAL (persistent in the file) and synchronous=NORMAL (1) */
	assert_int_equal(q_int(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	assert_int_equal(q_int(db, "PRAGMA synchronous"), 1);
	/* events is a rowid table (version 4): rows append in arrival order */
	assert_int_equal(q_int(db, "SELECT wr FROM pragma_table_list WHERE name = 'events'"), 0);
	/* a new database gets 16 KiB pages (schema/sshrec.sql) */
	assert_int_equal(q_int(db, "PRAGMA page_size"), 16384);
	sqlite3_close(db);
	path_of(path, sizeof(path), "new/sub");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	path_of(path, sizeof(path), "new/sub/sshrec.db");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* opening again changes nothing */
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION);
	sqlite3_close(db);
}

static void make_v1(const char *path)
{
	const char *top = getenv("SR_TOP_SRCDIR");
	char src[1024];
	char *sql;
	sqlite3 *db;

	snprintf(src, sizeof(src), "%s/tests/unit/data/sshrec-v1.sql", top ? top : ".");
	sql = slurp(src);
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(
	        db,
	        "INSERT INTO sessions (id, sid, server_id, server_hostname, login, user, "
	        "start_us, state) VALUES (7, 'sid-7', 'srv', 'host', 'alice', 'alice', 100, "
	        "'ended');"
	        "INSERT INTO events (session_id, ei, time_us, event, code, uid, json) "
	        "VALUES (7, 0, 100, 'session.start', 'T2000I', 'u', '{}');"
	        "INSERT INTO processes (id, session_id, parent_id, pid, ppid, program, path, "
	        "argv, cwd, return_code, start_us, exit_code, exec_ei) VALUES (70, 7, NULL, 9, "
	        "1, 'sh', '/bin/sh', '[\"sh\"]', '/', 0, 101, 0, 1), (71, 7, 70, 10, 9, 'id', "
	        "'/bin/id', '[\"id\"]', '/', 0, 102, 3, 2);",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version"), 1);
	free(sql);
	sqlite3_close(db);
}

static void test_migrate_v1(void **state)
{
	char v1[512], fresh[512];
	sqlite3 *db, *ref;
	char *got, *want;
	int v = 0;

	(void)state;
	path_of(v1, sizeof(v1), "v1.db");
	path_of(fresh, sizeof(fresh), "fresh.db");
	make_v1(v1);

	/* a v1 database is readable as it is by the CLI */
	assert_int_equal(sr_db_open_ro(v1, &db), 0);
	assert_int_equal(sr_db_check_version(db, &v), 0);
	assert_int_equal(v, 1);
	sqlite3_close(db);

	assert_int_equal(sr_db_open(v1, SR_NO_GROUP, &db), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION);
	assert_int_equal(
	    q_int(db, "SELECT COUNT(*) FROM sessions WHERE id = 7 AND login = 'alice'"), 1);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 7"), 1);
	/* a record no writer could make again ("{}") is kept as it was */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE json = '{}' AND kind = 0"),
	                 1);
	assert_int_equal(q_int(db, "SELECT wr FROM pragma_table_list WHERE name = 'events'"), 0);
	/* processes were copied, exe unknown for them */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes WHERE session_id = 7 AND "
	                           "exe IS NULL AND exe_kind IS NULL"),
	                 2);
	assert_int_equal(q_int(db, "SELECT p.exit_code FROM processes p JOIN paths d ON "
	                           "d.id = p.path WHERE p.id = 71 AND p.parent_id = 70 AND "
	                           "d.path = '/bin/id'"),
	                 3);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%v3' OR "
	                           "name LIKE '%v4'"),
	                 0);
	/* the key is still unique: a repeated record is rejected */
	assert_int_equal(
	    sqlite3_exec(db,
	                 "INSERT INTO events (session_id, ei, time_us, kind, fmt, uid, "
	                 "pid, ppid) VALUES (7, 0, 1, 3, 1, x'00', 1, 1)",
	                 NULL, NULL, NULL) &
	        0xff,
	    SQLITE_CONSTRAINT);
	/* the migrated schema is exactly the one a new database gets */
	assert_int_equal(sr_db_open(fresh, SR_NO_GROUP, &ref), 0);
	got = schema_dump(db);
	want = schema_dump(ref);
	assert_string_equal(got, want);
	/* the indexes the CLI's queries need are used */
	assert_true(
	    plan_uses(db, "SELECT * FROM events WHERE kind = 2 AND time_us > 5", "events_time"));
	/* a path GLOB runs on the dictionary's index, then joins the events by id */
	assert_true(plan_uses(db,
	                      "SELECT e.ei FROM paths d JOIN events e ON e.path = d.id "
	                      "WHERE d.path GLOB '/etc/*' AND e.path IS NOT NULL",
	                      "sqlite_autoindex_paths_1"));
	assert_true(plan_uses(db,
	                      "SELECT e.ei FROM paths d JOIN events e ON e.path = d.id "
	                      "WHERE d.path GLOB '*.conf' AND e.path IS NOT NULL",
	                      "events_path"));
	assert_true(plan_uses(db, "SELECT * FROM sessions WHERE user = 'x' AND start_us > 5",
	                      "sessions_user_start"));
	/* a session's denials (tree, report): the partial index, not its records */
	assert_true(plan_uses(db,
	                      "SELECT e.ei, e.n2 FROM events e WHERE e.session_id = 7 AND "
	                      "e.kind = 8 ORDER BY e.ei",
	                      "events_denied"));
	/* and search --denied can name it (INDEXED BY fails to prepare when unusable) */
	assert_true(plan_uses(db,
	                      "SELECT e.ei, e.n2 FROM events e INDEXED BY events_denied WHERE "
	                      "e.kind = 8 AND e.time_us >= 5 ORDER BY e.time_us",
	                      "events_denied"));
	assert_int_equal(q_int(db, "SELECT n_denied FROM sessions WHERE id = 7"), 0);
	free(got);
	free(want);
	sqlite3_close(db);
	sqlite3_close(ref);
}

/* The schema @p v fixture of real records (tests/e2e/data/parity: that
 * version's sshrecd sinks and gen_db). */
static void make_old(const char *path, int v)
{
	const char *top = getenv("SR_TOP_SRCDIR");
	char src[1024];
	char *sql;
	sqlite3 *db;

	snprintf(src, sizeof(src), "%s/tests/e2e/data/parity/sshrec-v%d.sql", top ? top : ".", v);
	sql = slurp(src);
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version"), v);
	free(sql);
	sqlite3_close(db);
}

static void make_v4(const char *path)
{
	make_old(path, 4);
}

/* Every record, as JSON, in (session, ei) order: the stored text (schema 4)
 * or the rebuilt one (the current schema), one per line. */
static char *all_json(sqlite3 *db, int version)
{
	struct sr_store_reader rd;
	const struct sr_record *r;
	sqlite3_stmt *st;
	const char *json;
	size_t len, n = 0, cap = 1;
	char *out = calloc(1, 1);

	if (version == SR_DB_VERSION)
		assert_int_equal(sr_store_reader_init(&rd, db), 0);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    version == SR_DB_VERSION
	                                        ? "SELECT " SR_STORE_EVENT_COLS
	                                          " FROM events e ORDER BY e.session_id, e.ei"
	                                        : "SELECT json FROM events ORDER BY session_id, ei",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (version == SR_DB_VERSION) {
			assert_int_equal(sr_store_read_json(&rd, st, 0, &r, &json, &len), 0);
		} else {
			json = (const char *)sqlite3_column_text(st, 0);
			len = (size_t)sqlite3_column_bytes(st, 0);
		}
		cap = n + len + 2;
		out = realloc(out, cap);
		memcpy(out + n, json, len);
		n += len;
		out[n++] = '\n';
		out[n] = '\0';
	}
	sqlite3_finalize(st);
	if (version == SR_DB_VERSION)
		sr_store_reader_free(&rd);
	return out;
}

static void test_upgrade_v4_records(void **state)
{
	char path[512], tmp[600];
	sqlite3 *db;
	char *before, *after;

	(void)state;
	path_of(path, sizeof(path), "v4.db");
	make_v4(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	before = all_json(db, 4);
	sqlite3_close(db);

	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION);
	after = all_json(db, SR_DB_VERSION);
	assert_string_equal(after, before);
	/* sshrecd's records are rows only (its session.end records of record
	 * format 1 have no counts.denied, as the writer's format 1). gen_db's
	 * own JSON layout for a command (no "tty") stays text. */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events e JOIN sessions s ON "
	                           "s.id = e.session_id WHERE s.sid LIKE '018bd%' AND "
	                           "e.json IS NOT NULL"),
	                 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE json IS NOT NULL"),
	                 q_int(db, "SELECT COUNT(*) FROM events e JOIN sessions s ON "
	                           "s.id = e.session_id WHERE s.sid LIKE '019b%' AND "
	                           "e.kind = 2"));
	assert_true(q_int(db, "SELECT COUNT(*) FROM events WHERE json IS NOT NULL") > 0);
	/* the processes keep their columns (cwd as the old table had it) */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes"), 40);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes WHERE cwd IS NOT NULL"), 28);
	snprintf(tmp, sizeof(tmp), "%s.v7-tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	/* 0600 and WAL, as any database sshrecd opens */
	assert_int_equal(q_int(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	sqlite3_close(db);
	free(before);
	free(after);
}

/*
 * kill -9 in the middle of the upgrade: the old file is still a usable
 * schema 4 database with every record, and the next open upgrades it (after
 * removing the half-built new file).
 */
/*
 * A schema 6 database that sshrecd wrote in record format 3 (its
 * session.denied records name "kind" and "policy_mode", "action" a number):
 * the schema 6 fixture's denials rewritten so, as that sshrecd writes them.
 * Every record comes back byte for byte, the denials as rows of format 3.
 */
static void test_upgrade_v6_format3(void **state)
{
/* action: 1 when the verdict was enforced and applied */
#define A "(json LIKE '%\"mode\":\"enforced\"%' AND json NOT LIKE '%\"effect\":\"not_applied\"%')"
	char path[512];
	sqlite3 *db;
	char *before, *after;

	(void)state;
	path_of(path, sizeof(path), "v6f3.db");
	make_old(path, 6);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "UPDATE events SET json = replace(replace(replace(replace(replace(json, "
	                 "'\"mode\":\"enforced\"', '\"policy_mode\":\"enforced\"'), "
	                 "'\"mode\":\"audit\"', '\"policy_mode\":\"audit\"'), "
	                 "'\"action\":\"exec\"', '\"kind\":\"exec\",\"action\":' || " A "), "
	                 "'\"action\":\"write\"', '\"kind\":\"write\",\"action\":' || " A "), "
	                 "'\"action\":\"connect\"', '\"kind\":\"connect\",\"action\":' || " A ") "
	                 "WHERE event = 'session.denied'; "
	                 "UPDATE meta SET value = '3' WHERE key = 'record_format'",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_true(q_int(db, "SELECT COUNT(*) FROM events WHERE json LIKE '%\"kind\":%'") > 4);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE event = 'session.denied' AND "
	                           "json LIKE '%\"mode\":%'"),
	                 0);
	before = all_json(db, 6);
	sqlite3_close(db);

	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	after = all_json(db, SR_DB_VERSION);
	assert_string_equal(after, before);
	assert_int_equal(
	    q_int(db, "SELECT COUNT(*) FROM events WHERE kind = 8 AND json IS NOT NULL"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE kind = 8 AND fmt != 3"), 0);
	sqlite3_close(db);
	free(before);
	free(after);
#undef A
}

static void test_upgrade_killed(void **state)
{
	char path[512], tmp[600];
	struct timespec pause = {0, 2000000};
	struct stat st;
	sqlite3 *db;
	int64_t n;
	pid_t pid;
	int status, v = 0, i;

	(void)state;
	path_of(path, sizeof(path), "big4.db");
	snprintf(tmp, sizeof(tmp), "%s.v7-tmp", path);
	make_v4(path);
	/* enough records for the copy to take a while: the fixture's, 400 times */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 "
	                              "FROM c WHERE k < 400) INSERT INTO events (session_id, ei, "
	                              "time_us, event, code, uid, pid, process_id, program, path, "
	                              "dst_addr, dst_port, return_code, json) SELECT session_id, "
	                              "ei + k * 1000, time_us, event, code, uid, pid, process_id, "
	                              "program, path, dst_addr, dst_port, return_code, json FROM "
	                              "events, c",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL),
	                 SQLITE_OK);
	n = q_int(db, "SELECT COUNT(*) FROM events");
	assert_int_equal(n, 130 * 401);
	sqlite3_close(db);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *h = NULL;

		_exit(sr_db_open(path, SR_NO_GROUP, &h) ? 1 : 0);
	}
	/* kill it once the new file holds part of the copy */
	for (i = 0; i < 60000; i++) {
		if (!stat(tmp, &st) && st.st_size > (1 << 20))
			break;
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still running */
		nanosleep(&pause, NULL);
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(access(tmp, F_OK), 0); /* killed before the rename */

	/* the old database: as it was (the in-place migrations, which commit
	 * before the copy starts, brought it to 6), readable (the CLI's way too) */
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_IN_PLACE_MAX);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events"), n);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM pragma_integrity_check "
	                           "WHERE integrity_check != 'ok'"),
	                 0);
	sqlite3_close(db);
	assert_int_equal(sr_db_open_ro(path, &db), 0);
	assert_int_equal(sr_db_check_version(db, &v), 0);
	assert_int_equal(v, SR_DB_IN_PLACE_MAX);
	sqlite3_close(db);

	/* and the upgrade runs again, from the start */
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events"), n);
	assert_int_equal(access(tmp, F_OK), -1);
	sqlite3_close(db);
}

static void test_newer_refused(void **state)
{
	char path[512];
	sqlite3 *db;
	char *msg;
	int ret, v = 0;
	char want[128], sql[64];

	(void)state;
	snprintf(want, sizeof(want),
	         "database schema version %d is newer than this sshrecd supports (%d); "
	         "upgrade sshrec",
	         SR_DB_VERSION + 1, SR_DB_VERSION);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SR_DB_VERSION + 1);
	path_of(path, sizeof(path), "newer.db");
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sr_db_check_version(db, &v), -EPROTONOSUPPORT);
	assert_int_equal(v, SR_DB_VERSION + 1);
	sqlite3_close(db);

	msg = capture_stderr(open_and_close, path, &ret);
	assert_int_equal(ret, -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, want));
	free(msg);
	msg = capture_stderr(open_ro_and_close, path, &ret);
	assert_int_equal(ret, -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, want));
	free(msg);

	/* refused means untouched */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version"), SR_DB_VERSION + 1);
	sqlite3_close(db);
}

static void test_foreign_database(void **state)
{
	char path[512];
	sqlite3 *db;
	char *msg;
	int ret;

	(void)state;
	path_of(path, sizeof(path), "foreign.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	msg = capture_stderr(open_and_close, path, &ret);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(msg, "not an sshrec database"));
	free(msg);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sqlite_master"), 1);
	sqlite3_close(db);

	/* the CLI gets ENOENT for a missing file and creates nothing */
	path_of(path, sizeof(path), "missing.db");
	msg = capture_stderr(open_ro_and_close, path, &ret);
	assert_int_equal(ret, -ENOENT);
	free(msg);
	assert_int_equal(access(path, F_OK), -1);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embedded_migrations),
	    cmocka_unit_test(test_cli_reads_this_version),
	    cmocka_unit_test(test_fresh_database),
	    cmocka_unit_test(test_migrate_v1),
	    cmocka_unit_test(test_upgrade_v4_records),
	    cmocka_unit_test(test_upgrade_v6_format3),
	    cmocka_unit_test(test_upgrade_killed),
	    cmocka_unit_test(test_newer_refused),
	    cmocka_unit_test(test_foreign_database),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
