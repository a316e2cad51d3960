/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the SQLite sink: records land in sessions/processes/events
 * and the dictionaries as the schema says, each one comes back from its rows
 * as the JSON it carried (recorder/store/store_read.c), flushed data survives a
 * kill -9, a replay after a
 * crash never duplicates, and a full disk (PRAGMA max_page_count, set on the
 * sink's own connection by an SQLite auto-extension) makes the sink
 * unhealthy with a bounded, counted backlog that is written once space is back.
 * A database another process holds locked fails the sink with the real reason,
 * logged once when it starts and once when it ends, and loses nothing.
 * Changed forked processes are stored with the ring position by a flush
 * with no record too (or it fails, so that the ring keeps their events).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/unit/sink_test_util.h"
#include "timeutil.h"
#include "recorder/store/db.h"
#include "recorder/store/records_perm.h"
#include "recorder/store/db_checkpoint.h"
#include "recorder/sinks/sink.h"
#include "recorder/sinks/sink_priv.h"
#include "recorder/store/store_read.h"

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return db;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -999;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Flush until @p sql counts 0 (at most 10 times); the flushes that took, minus one. */
static int flush_until_none(struct sr_sink *sink, const char *path, const char *sql)
{
	sqlite3 *db;
	int flushes;
	int64_t n;

	for (flushes = 0; flushes < 10; flushes++) {
		assert_int_equal(sink->ops->flush(sink), 0);
		db = open_db(path);
		n = q_int(db, sql);
		sqlite3_close(db);
		if (!n)
			break;
	}
	return flushes;
}

/* The text of the first column of @sql, malloc'd (NULL for SQL NULL or no row). */
static char *q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void sink_open(struct sr_sink *s, const struct sr_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->ops = &sr_sink_sqlite_ops;
	assert_int_equal(s->ops->init(s, cfg), 0);
	assert_true(s->health.ok);
}

/* The JSON of the records put() wrote, in order (what the JSON-lines sink got). */
static char *written[16];
static size_t nwritten;

static void put(struct sr_sink *s, struct tu_rec *t)
{
	assert_int_equal(s->ops->write(s, &t->rec), 0);
	if (nwritten < sizeof(written) / sizeof(written[0]))
		written[nwritten++] = strndup(t->rec.json, t->rec.json_len);
	tu_free(t);
}

static void forget_written(void)
{
	while (nwritten)
		free(written[--nwritten]);
}

/* A whole small session: start, two commands (one hostile), disk, network,
 * loss, escape, exits, two denials (a write, an IPv6 connect), end: every
 * kind of record. */
static void write_session(struct sr_sink *sink, struct sr_session_info *s, int64_t id0)
{
	static const char *const argv1[] = {"ls", "-la", "/tmp"};
	static const char *const argv2[] = {"printf", "\x1b[31mred\n\"q\"\\", "bad\xff\xfe bytes"};
	struct tu_rec t = {0};

	forget_written();
	tu_start(&t, s);
	put(sink, &t);
	tu_command(&t, s, 1, id0, 0, 5001, "/bin/ls", argv1, 3);
	put(sink, &t);
	tu_command(&t, s, 2, id0 + 1, id0, 5002, "/usr/bin/printf", argv2, 3);
	put(sink, &t);
	tu_disk(&t, s, 3, id0 + 1, 5002, "/tmp/out\xff.txt");
	put(sink, &t);
	tu_exit(&t, s, 4, id0 + 1, 5002, 3, 0);
	put(sink, &t);
	tu_exit(&t, s, 5, id0, 5001, 0, 9);
	put(sink, &t);
	tu_network(&t, s, 6, 0, 5003, 443);
	put(sink, &t);
	tu_loss(&t, s, 7, 5);
	put(sink, &t);
	tu_escape(&t, s, 8, id0, 5001);
	put(sink, &t);
	tu_denied(&t, s, 9, id0, 5001, false);
	put(sink, &t);
	tu_denied(&t, s, 10, id0 + 1, 5002, true);
	put(sink, &t);
	tu_end(&t, s, 11);
	put(sink, &t);
}

/* Every record of session @p key rebuilt from its rows equals written[]. */
static void check_rebuilt(sqlite3 *db, int64_t key)
{
	struct sr_store_reader rd;
	const struct sr_record *r;
	sqlite3_stmt *st;
	const char *json;
	size_t len, n = 0;

	assert_int_equal(sr_store_reader_init(&rd, db), 0);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT " SR_STORE_EVENT_COLS
	                                    " FROM events e WHERE e.session_id = ?1 ORDER BY e.ei",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(st, 1, key);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_int_equal(sr_store_read_json(&rd, st, 0, &r, &json, &len), 0);
		assert_true(n < nwritten);
		assert_int_equal(len, strlen(written[n]));
		assert_string_equal(json, written[n]);
		n++;
	}
	assert_int_equal(n, nwritten);
	sqlite3_finalize(st);
	sr_store_reader_free(&rd);
}

static void test_records_to_tables(void **state)
{
	char *dir = tu_tmpdir("sqlite"), *txt, want[64];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	sqlite3 *db;

	(void)state;
	tu_config(&cfg, dir);
	tu_session(&s, 77, "alice", 0);
	s.capture_backend = "lsm"; /* session.start writes it: the sessions row keeps it */
	sink_open(&sink, &cfg);
	write_session(&sink, &s, 1000);
	/* the ring position goes into the same transaction as the batch */
	sink.ops->position(&sink, 42, 123456);
	assert_int_equal(sink.ops->flush(&sink), 0);
	assert_int_equal(sink.health.written, 12);
	assert_int_equal(sink.health.failed, 0);
	assert_int_equal(sink.health.backlog, 0);

	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 77"), 12);
	assert_int_equal(q_int(db, "SELECT MAX(ei) FROM events WHERE session_id = 77"), 11);
	txt = q_text(db, "SELECT value FROM meta WHERE key = 'ring_position'");
	/* the ring id, the position and the time base records were made with */
	snprintf(want, sizeof(want), "42:123456:%lld", (long long)sr_boot_offset_us());
	assert_string_equal(txt, want);
	free(txt);
	/* session row: start fields, then the state of the last record of the batch */
	txt = q_text(db, "SELECT login || '|' || state || '|' || key_fingerprint || '|' || "
	                 "remote_addr || ':' || remote_port FROM sessions WHERE id = 77");
	assert_string_equal(txt, "alice|ended|SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG|"
	                         "127.0.0.1:50022");
	free(txt);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 77"), 12);
	assert_int_equal(q_int(db, "SELECT n_denied FROM sessions WHERE id = 77"), 2);
	assert_int_equal(q_int(db, "SELECT n_command FROM sessions WHERE id = 77"), 2);
	assert_int_equal(q_int(db, "SELECT n_disk FROM sessions WHERE id = 77"), 1);
	assert_int_equal(q_int(db, "SELECT n_exit FROM sessions WHERE id = 77"), 2);
	assert_int_equal(q_int(db, "SELECT end_us - start_us FROM sessions WHERE id = 77"), 11000);
	assert_int_equal(q_int(db, "SELECT closing_us FROM sessions WHERE id = 77"), -1);
	/* processes: tree, exit status, NULL exit_code when killed by a signal */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes WHERE session_id = 77"), 2);
	assert_int_equal(q_int(db, "SELECT parent_id FROM processes WHERE id = 1000"), -1);
	assert_int_equal(q_int(db, "SELECT parent_id FROM processes WHERE id = 1001"), 1000);
	assert_int_equal(q_int(db, "SELECT exit_code FROM processes WHERE id = 1001"), 3);
	assert_int_equal(q_int(db, "SELECT signal FROM processes WHERE id = 1001"), 0);
	assert_int_equal(q_int(db, "SELECT exit_code FROM processes WHERE id = 1000"), -1);
	assert_int_equal(q_int(db, "SELECT signal FROM processes WHERE id = 1000"), 9);
	assert_int_equal(q_int(db, "SELECT duration_ms FROM processes WHERE id = 1000"), 7);
	assert_int_equal(q_int(db, "SELECT exec_ei FROM processes WHERE id = 1001"), 2);
	/* strings are dictionary rows: the program and argv of a process */
	txt = q_text(db, "SELECT g.name || ' ' || a.argv FROM processes p JOIN programs g ON "
	                 "g.id = p.program JOIN argvs a ON a.id = p.argv WHERE p.id = 1001");
	assert_string_equal(txt, "printf [\"printf\",\"\\u001b[31mred\\n\\\"q\\\"\\\\\","
	                         "\"bad\\\\xff\\\\xfe bytes\"]");
	free(txt);
	/* events: the kind as an integer, the indexed columns */
	txt = q_text(db, "SELECT k.event || ' ' || k.code FROM events e JOIN kinds k ON "
	                 "k.id = e.kind WHERE e.session_id = 77 AND e.ei = 5");
	assert_string_equal(txt, "session.process_exit SR4010I");
	free(txt);
	assert_int_equal(q_int(db, "SELECT process_id FROM events WHERE ei = 3"), 1001);
	assert_int_equal(q_int(db, "SELECT rc FROM events WHERE ei = 3"), 3);
	txt =
	    q_text(db, "SELECT d.path FROM events e JOIN paths d ON d.id = e.path WHERE e.ei = 3");
	assert_string_equal(txt, "/tmp/out\\xff.txt");
	free(txt);
	assert_int_equal(q_int(db, "SELECT length(uid) FROM events WHERE ei = 3"), 16);
	/* a denial: the write's flags, its action, mode and mechanism in one small
	 * number (2 + 4 * 2 + 16 * 2), the rule as text; a connect's destination */
	txt = q_text(db, "SELECT d.path || ' ' || e.n1 || ' ' || e.n2 || ' ' || e.n3 || ' ' || "
	                 "e.text FROM events e JOIN paths d ON d.id = e.path WHERE e.ei = 9");
	assert_string_equal(txt, "/etc/ssh/\x1b]0;x 513 42 0 deny_write.group.staff = /etc/ssh/*");
	free(txt);
	txt = q_text(db, "SELECT a.addr || ' ' || e.port || ' ' || e.n2 FROM events e JOIN addrs a "
	                 "ON a.id = e.addr WHERE e.ei = 10");
	assert_string_equal(txt, "fd00::1 22 37");
	free(txt);
	/* the session's cgroup and audit ids are not repeated in its records */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 77 AND "
	                           "(cgroup_id IS NOT NULL OR audit_session_id IS NOT NULL)"),
	                 0);
	/* no text is stored: every record comes back byte for byte as it was written */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE json IS NOT NULL"), 0);
	check_rebuilt(db, 77);
	/* a second session shares the dictionary rows */
	tu_session(&s, 78, "bob", 0);
	write_session(&sink, &s, 2000);
	assert_int_equal(sink.ops->flush(&sink), 0);
	check_rebuilt(db, 78);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM argvs"), 2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM paths WHERE path = '/tmp/out\\xff.txt'"),
	                 1);
	forget_written();
	/* the record format of what was written, in meta */
	txt = q_text(db, "SELECT value FROM meta WHERE key = 'record_format'");
	assert_int_equal(atoi(txt), SR_RECORD_FORMAT);
	free(txt);
	/* a database whose records predate the marker: format 1, noted on open */
	sink.ops->close(&sink);
	{
		sqlite3 *rw;

		assert_int_equal(sqlite3_open(cfg.db_path, &rw), SQLITE_OK);
		assert_int_equal(sqlite3_exec(rw, "DELETE FROM meta WHERE key = 'record_format'",
		                              NULL, NULL, NULL),
		                 SQLITE_OK);
		sqlite3_close(rw);
	}
	assert_null(q_text(db, "SELECT value FROM meta WHERE key = 'record_format'"));
	sink_open(&sink, &cfg);
	txt = q_text(db, "SELECT value FROM meta WHERE key = 'record_format'");
	assert_int_equal(atoi(txt), SR_RECORD_FORMAT);
	free(txt);
	sqlite3_close(db);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_session_state_across_batches(void **state)
{
	char *dir = tu_tmpdir("sqlite"), *txt;
	static const char *const argv[] = {"id"};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	sqlite3 *db;

	(void)state;
	tu_config(&cfg, dir);
	tu_session(&s, 5, "carol", 0);
	sink_open(&sink, &cfg);
	tu_start(&t, &s);
	put(&sink, &t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	db = open_db(cfg.db_path);
	txt = q_text(db, "SELECT state FROM sessions WHERE id = 5");
	assert_string_equal(txt, "active");
	free(txt);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 5"), 1);

	/* PAM close seen: the next record carries the closing state */
	s.state = "closing";
	s.closing_us = s.start_us + 500;
	tu_command(&t, &s, 1, 9, 0, 6000, "/usr/bin/id", argv, 1);
	put(&sink, &t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	txt = q_text(db, "SELECT state FROM sessions WHERE id = 5");
	assert_string_equal(txt, "closing");
	free(txt);
	assert_int_equal(q_int(db, "SELECT closing_us - start_us FROM sessions WHERE id = 5"), 500);
	assert_int_equal(q_int(db, "SELECT n_command FROM sessions WHERE id = 5"), 1);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 5"), 2);
	assert_int_equal(q_int(db, "SELECT end_us FROM processes WHERE id = 9"), -1);
	sqlite3_close(db);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

/* PAM close makes no record: session_update() alone stores "closing". */
static void test_session_update_without_record(void **state)
{
	char *dir = tu_tmpdir("sqlite"), *txt;
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	sqlite3 *db;

	(void)state;
	tu_config(&cfg, dir);
	tu_session(&s, 6, "dave", 0);
	sink_open(&sink, &cfg);
	tu_start(&t, &s);
	put(&sink, &t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	s.state = "closing";
	s.closing_us = s.start_us + 700;
	assert_non_null(sink.ops->session_update);
	assert_int_equal(sink.ops->session_update(&sink, &s), 0);
	assert_int_equal(sink.ops->flush(&sink), 0);
	db = open_db(cfg.db_path);
	txt = q_text(db, "SELECT state FROM sessions WHERE id = 6");
	assert_string_equal(txt, "closing");
	free(txt);
	assert_int_equal(q_int(db, "SELECT closing_us - start_us FROM sessions WHERE id = 6"), 700);
	/* no event row, next_ei untouched, and it is not counted as a record */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 6"), 1);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 6"), 1);
	assert_int_equal(sink.health.written, 1);
	sqlite3_close(db);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_replay_no_duplicates(void **state)
{
	char *dir = tu_tmpdir("sqlite");
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	sqlite3 *db;

	(void)state;
	tu_config(&cfg, dir);
	sink_open(&sink, &cfg);
	tu_session(&s, 11, "dave", 0);
	write_session(&sink, &s, 2000);
	assert_int_equal(sink.ops->flush(&sink), 0);
	sink.ops->close(&sink);

	/* a restarted daemon writes the same records again (same sid, ei, entities) */
	sink_open(&sink, &cfg);
	memset(s.counts, 0, sizeof(s.counts));
	write_session(&sink, &s, 2000);
	assert_int_equal(sink.ops->flush(&sink), 0);
	assert_true(sink.health.ok);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events"), 12);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes"), 2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM argvs"), 2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sessions"), 1);
	assert_int_equal(q_int(db, "SELECT n_command FROM sessions"), 2);
	sqlite3_close(db);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_flush_survives_kill9(void **state)
{
	char *dir = tu_tmpdir("sqlite"), *txt;
	struct sr_config cfg;
	struct sr_session_info s;
	sqlite3 *db;
	pid_t pid;
	int status;

	(void)state;
	tu_config(&cfg, dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sr_sink sink = {.ops = &sr_sink_sqlite_ops};
		struct tu_rec t = {0};

		if (sink.ops->init(&sink, &cfg))
			_exit(2);
		tu_session(&s, 21, "erin", 0);
		write_session(&sink, &s, 3000);
		if (sink.ops->flush(&sink))
			_exit(3);
		/* written but not flushed: may be lost, must not corrupt anything */
		tu_session(&s, 22, "erin", 0);
		tu_start(&t, &s);
		sink.ops->write(&sink, &t.rec);
		raise(SIGKILL);
		_exit(4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 21"), 12);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 22"), 0);
	txt = q_text(db, "PRAGMA integrity_check");
	assert_string_equal(txt, "ok");
	free(txt);
	sqlite3_close(db);
	tu_rmdir(dir);
}

/* The auto-extension below caps the connections opened while it is armed;
 * the first is the sink's writer (the second its checkpoint thread's). */
static int cap_pages;
static sqlite3 *capped_db;

static int cap_pages_ext(sqlite3 *db, char **err, const void *api)
{
	char sql[64];

	(void)err;
	(void)api;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", cap_pages);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (!capped_db)
		capped_db = db;
	return SQLITE_OK;
}

static void test_disk_full(void **state)
{
	char *dir = tu_tmpdir("sqlite"), big[3000];
	static const char *argv[2];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	sqlite3 *db;
	int64_t pages, i, deadline;
	int err = 0;

	(void)state;
	tu_config(&cfg, dir);
	cfg.backlog_max = 50;
	/* create the schema, then measure it */
	sink_open(&sink, &cfg);
	tu_session(&s, 31, "frank", 0);
	tu_start(&t, &s);
	put(&sink, &t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	sink.ops->close(&sink);
	db = open_db(cfg.db_path);
	pages = q_int(db, "PRAGMA page_count");
	sqlite3_close(db);

	cap_pages = (int)pages + 4;
	assert_int_equal(sqlite3_auto_extension((void (*)(void))cap_pages_ext), SQLITE_OK);
	sink_open(&sink, &cfg);
	sqlite3_reset_auto_extension();
	assert_non_null(capped_db);

	/* 40 records with distinct ~3 KB argv do not fit in 4 pages */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	argv[0] = "echo";
	argv[1] = big;
	for (i = 1; i <= 40; i++) {
		memcpy(big, &"0123456789"[i % 10], 1);
		big[1] = (char)('a' + i / 10);
		tu_command(&t, &s, (uint64_t)i, 100 + i, 0, 7000, "/bin/echo", argv, 2);
		put(&sink, &t);
	}
	err = sink.ops->flush(&sink);
	assert_int_equal(err, -ENOSPC);
	assert_false(sink.health.ok);
	assert_non_null(strstr(sink.health.last_error, "full"));
	assert_int_equal(sink.health.failed, 40);
	assert_int_equal(sink.health.backlog, 40);
	assert_int_equal(sink.health.dropped, 0);

	/* 30 more: the backlog stays at 50, the 20 oldest are dropped and counted */
	for (i = 41; i <= 70; i++) {
		memcpy(big, &"0123456789"[i % 10], 1);
		big[1] = (char)('a' + i / 10);
		tu_command(&t, &s, (uint64_t)i, 100 + i, 0, 7000, "/bin/echo", argv, 2);
		put(&sink, &t);
	}
	err = sink.ops->flush(&sink); /* within the backoff: no attempt, still failing */
	assert_true(err < 0);
	assert_int_equal(sink.health.backlog, 50);
	assert_int_equal(sink.health.dropped, 20);

	/* space is back: a later flush writes the backlog, oldest first */
	assert_int_equal(
	    sqlite3_exec(capped_db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL),
	    SQLITE_OK);
	deadline = 0;
	while ((err = sink.ops->flush(&sink)) != 0 && deadline++ < 100)
		usleep(100000);
	assert_int_equal(err, 0);
	assert_true(sink.health.ok);
	assert_int_equal(sink.health.backlog, 0);
	assert_int_equal(sink.health.dropped, 20);
	/* failed counts attempts that failed, once per record: 41..70 never failed */
	assert_int_equal(sink.health.failed, 40);
	assert_int_equal(sink.health.written, 50);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE kind = 2"), 50);
	assert_int_equal(q_int(db, "SELECT MIN(ei) FROM events WHERE kind = 2"), 21);
	assert_int_equal(q_int(db, "SELECT MAX(ei) FROM events WHERE kind = 2"), 70);
	/* the rolled-back dictionary rows were not taken for granted: every argv is there */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes p WHERE NOT EXISTS "
	                           "(SELECT 1 FROM argvs a WHERE a.id = p.argv)"),
	                 0);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 31"), 71);
	sqlite3_close(db);
	sink.ops->close(&sink);
	capped_db = NULL;
	tu_rmdir(dir);
}

/* Lines of @p path holding @p has and not @p hasnt (NULL: no such filter). */
static int count_lines(const char *path, const char *has, const char *hasnt)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, has) && !(hasnt && strstr(line, hasnt));
	fclose(f);
	return n;
}

/* Another connection that holds the write lock of @p path (BEGIN EXCLUSIVE). */
static sqlite3 *lock_db(const char *path)
{
	sqlite3 *other;

	assert_int_equal(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	return other;
}

/* Release lock_db()'s lock, then flush until it takes (10 s at most): the last result. */
static int unlock_and_flush(sqlite3 *other, struct sr_sink *sink)
{
	int err, i;

	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	for (i = 0; (err = sink->ops->flush(sink)) != 0 && i < 100; i++)
		usleep(100000);
	return err;
}

/*
 * Another process holds the write lock (an auditor's BEGIN EXCLUSIVE): the
 * sink fails with SQLite's reason (read before the ROLLBACK reset it to "not
 * an error"), each attempt gives up long before the 5 s busy timeout the
 * open uses (the loop must not stall), the log has one line when the outage
 * starts and one "writable again" when it ends, and every record is stored.
 */
static void test_locked_database(void **state)
{
	char *dir = tu_tmpdir("sqlite"), logpath[512];
	static const char *const argv[] = {"echo", "locked"};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct sr_sink_health locked;
	struct tu_rec t = {0};
	sqlite3 *other, *db;
	int64_t t0, slowest = 0, i, n;
	int err, locked_err, saved;

	(void)state;
	tu_config(&cfg, dir);
	sink_open(&sink, &cfg);
	tu_session(&s, 41, "grace", 0);
	tu_start(&t, &s);
	put(&sink, &t);
	assert_int_equal(sink.ops->flush(&sink), 0);

	other = lock_db(cfg.db_path);

	/* the sink's log lines (stderr) into a file; cmocka's asserts report
	 * there too, so they wait until it is restored */
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	saved = tu_stderr_to(logpath);

	for (i = 1; i <= 5; i++) {
		tu_command(&t, &s, (uint64_t)i, 200 + i, 0, 8000, "/bin/echo", argv, 2);
		put(&sink, &t);
	}
	/* several attempts (backoff 200, 400, 800 ms), several batches */
	for (n = 0; n < 30; n++) {
		t0 = sr_sink_mono_ms();
		locked_err = sink.ops->flush(&sink);
		if (sr_sink_mono_ms() - t0 > slowest)
			slowest = sr_sink_mono_ms() - t0;
		if (locked_err != -EBUSY)
			break;
		if (n == 10) {
			tu_command(&t, &s, 6, 206, 0, 8000, "/bin/echo", argv, 2);
			put(&sink, &t);
		}
		usleep(50000);
	}
	locked = sink.health;

	err = unlock_and_flush(other, &sink);
	tu_stderr_back(saved);

	assert_int_equal(locked_err, -EBUSY);
	assert_int_equal(n, 30);
	assert_false(locked.ok);
	assert_non_null(strstr(locked.last_error, "database is locked"));
	assert_null(strstr(locked.last_error, "not an error"));
	assert_int_equal(locked.backlog, 6);
	assert_int_equal(locked.dropped, 0);
	/* generous: the 5 s busy timeout of the open would wait out the lock */
	assert_true(slowest < 3000);
	assert_int_equal(err, 0);
	assert_true(sink.health.ok);
	assert_int_equal(sink.health.backlog, 0);
	assert_int_equal(sink.health.written, 7);

	assert_int_equal(count_lines(logpath, "database is locked", "writable again"), 1);
	assert_int_equal(count_lines(logpath, "writable again after", NULL), 1);
	assert_int_equal(count_lines(logpath, "not an error", NULL), 0);
	assert_int_equal(count_lines(logpath, "recovered", NULL), 0);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 41"), 7);
	assert_int_equal(q_int(db, "SELECT next_ei FROM sessions WHERE id = 41"), 7);
	sqlite3_close(db);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

/* The ring position (ring 7, @p pos) and forked processes the database holds. */
static void check_forks_stored(const char *path, unsigned pos, const char *forks)
{
	sqlite3 *db = open_db(path);
	char want[64], *txt;

	snprintf(want, sizeof(want), "7:%u:%lld", pos, (long long)sr_boot_offset_us());
	txt = q_text(db, "SELECT value FROM meta WHERE key = '" SR_DB_META_RING "'");
	assert_non_null(txt);
	assert_string_equal(txt, want);
	free(txt);
	txt = q_text(db, "SELECT value FROM meta WHERE key = '" SR_DB_META_FORKS "'");
	assert_non_null(txt);
	assert_string_equal(txt, forks);
	free(txt);
	sqlite3_close(db);
}

/*
 * A round of the daemon that read fork events and no record: after a flush
 * that returns 0 it moves the ring's consumer past them, and a restart reads
 * on from there with the forks the database holds. So the flush stores them
 * with the position though nothing is queued, and fails while the database
 * is locked (the ring then keeps the events). Before, it returned 0 without
 * a transaction: a child of a subshell forked in such a round came back
 * from a kill -9 without its parent (daemon_backlog_kill, 1 run in 4).
 */
static void test_forks_without_records(void **state)
{
	char *dir = tu_tmpdir("sqlite"), logpath[512];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	sqlite3 *other;
	int locked_err, err, saved;

	(void)state;
	tu_config(&cfg, dir);
	sink_open(&sink, &cfg);
	tu_session(&s, 23, "erin", 0);
	tu_start(&t, &s);
	put(&sink, &t);
	sink.ops->position(&sink, 7, 100);
	sr_sink_sqlite_forks(&sink, "", 0);
	assert_int_equal(sink.ops->flush(&sink), 0);
	check_forks_stored(cfg.db_path, 100, "");

	/* a subshell forked: no record */
	sink.ops->position(&sink, 7, 200);
	sr_sink_sqlite_forks(&sink, "23 501 1\n", 9);
	assert_int_equal(sink.ops->flush(&sink), 0);
	check_forks_stored(cfg.db_path, 200, "23 501 1\n");

	/* it forks a child while another process holds the database */
	other = lock_db(cfg.db_path);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	saved = tu_stderr_to(logpath);
	sink.ops->position(&sink, 7, 300);
	sr_sink_sqlite_forks(&sink, "23 501 1\n23 502 1\n", 18);
	locked_err = sink.ops->flush(&sink);
	err = unlock_and_flush(other, &sink);
	tu_stderr_back(saved);
	assert_int_equal(locked_err, -EBUSY);
	assert_int_equal(err, 0);
	check_forks_stored(cfg.db_path, 300, "23 501 1\n23 502 1\n");
	/* no record was made of it */
	assert_int_equal(sink.health.written, 1);
	assert_int_equal(sink.health.failed, 0);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_unwritable_database(void **state)
{
	char *dir = tu_tmpdir("sqlite"), path[512];
	struct sr_config cfg;
	struct sr_sink sink = {.ops = &sr_sink_sqlite_ops};

	(void)state;
	tu_config(&cfg, dir);
	/* the parent "directory" is a file: open fails cleanly with a reason */
	snprintf(path, sizeof(path), "%s/file", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/file/sshrec.db", dir);
	cfg.db_path = path;
	assert_true(sink.ops->init(&sink, &cfg) < 0);
	assert_false(sink.health.ok);
	assert_non_null(strstr(sink.health.last_error, "sshrec.db"));
	tu_rmdir(dir);
}

/*
 * The checkpoint thread keeps the WAL bounded under a steady writer: 160 MiB
 * written in 1 MiB transactions never leaves more than two checkpoint rounds
 * (2 x SR_CKPT_BYTES) in the -wal file, the thread did the work, and a clean
 * close removes the WAL. After each commit the test waits for the round that
 * commit woke the thread for (sr_ckpt_sync): the bound is what the design
 * gives a thread that gets the CPU in time, and no longer depends on the
 * scheduler (on a loaded machine the thread ran late and the WAL grew to
 * the hard cap, failing the test).
 */
static void test_checkpoint_thread_bounds_wal(void **state)
{
	char *dir = tu_tmpdir("ckpt"), path[512], wal[520];
	static char blob[64 * 1024];
	struct sr_ckpt *ck = NULL;
	sqlite3_stmt *st;
	struct stat sb;
	off_t max_wal = 0;
	sqlite3 *db;
	int i, k;

	(void)state;
	snprintf(path, sizeof(path), "%s/ck.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(sr_ckpt_start(db, path, &ck), 0);
	assert_non_null(ck);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE b (x BLOB)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO b VALUES (?)", -1, &st, NULL),
	                 SQLITE_OK);
	memset(blob, 'b', sizeof(blob));
	for (i = 0; i < 160; i++) {
		assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		for (k = 0; k < 16; k++) {
			sqlite3_bind_blob(st, 1, blob, sizeof(blob), SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
		}
		assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		sr_ckpt_sync(ck);
		if (!stat(wal, &sb) && sb.st_size > max_wal)
			max_wal = sb.st_size;
	}
	sqlite3_finalize(st);
	/* without the WAL starting over it would hold all 160 MiB (the hard cap is 256) */
	assert_true(max_wal > 0);
	assert_true(max_wal <= 2ll * SR_CKPT_BYTES);
	assert_true(sr_ckpt_done(ck) > 0);
	sr_ckpt_stop(ck);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM b"), 160 * 16);
	sqlite3_close(db);
	assert_true(stat(wal, &sb) != 0); /* the last close checkpointed and removed it */
	tu_rmdir(dir);
}

/* Every record of the database rebuilds: no row refers to a missing one. */
static int64_t rebuild_all(sqlite3 *db)
{
	struct sr_store_reader rd;
	const struct sr_record *r;
	sqlite3_stmt *st;
	const char *json;
	size_t len;
	int64_t n = 0;

	assert_int_equal(sr_store_reader_init(&rd, db), 0);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT " SR_STORE_EVENT_COLS " FROM events e", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_int_equal(sr_store_read_json(&rd, st, 0, &r, &json, &len), 0);
		n++;
	}
	sqlite3_finalize(st);
	sr_store_reader_free(&rd);
	return n;
}

/*
 * Retention: an ended session older than the cutoff goes, in bounded chunks
 * (its 25,010 events need three flushes), events first and the session row
 * last; a recent ended session and an old but still active one stay. Then
 * the dictionary strings only a removed session used go too, once no kept
 * session is old enough to have used them.
 */
static void test_retention(void **state)
{
	static const char *const gone_argv[] = {"gone-504"};
	char *dir = tu_tmpdir("retention"), sql[512];
	struct sr_config cfg;
	struct sr_session_info a, b, c, d;
	struct sr_sink sink;
	struct tu_rec t = {0};
	int64_t now = sr_now_us(), hour = 3600ll * 1000000;
	sqlite3 *db;
	int flushes = 0;

	(void)state;
	tu_config(&cfg, dir);
	cfg.retention_s = 3600;
	sink_open(&sink, &cfg);
	tu_session(&a, 501, "old", now);
	tu_session(&b, 502, "recent", now);
	tu_session(&c, 503, "active", now);
	write_session(&sink, &a, 5000);
	write_session(&sink, &b, 6000);
	tu_start(&t, &c);
	put(&sink, &t);
	/* the first flush looks for expired sessions before any is old: none */
	assert_int_equal(sink.ops->flush(&sink), 0);
	sink.ops->close(&sink);

	assert_int_equal(sqlite3_open(cfg.db_path, &db), SQLITE_OK); /* read-write: age them */
	snprintf(sql, sizeof(sql),
	         "UPDATE sessions SET start_us = %lld, end_us = %lld WHERE id = 501;"
	         "UPDATE sessions SET start_us = %lld, end_us = %lld WHERE id = 502;"
	         "UPDATE sessions SET start_us = %lld WHERE id = 503;",
	         (long long)(now - 3 * hour), (long long)(now - 2 * hour),
	         (long long)(now - 3 * hour), (long long)(now - hour / 6),
	         (long long)(now - 5 * hour));
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "WITH RECURSIVE n(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM n "
	                 "WHERE x < 25099) INSERT INTO events (session_id, ei, time_us, kind, "
	                 "fmt, uid, pid, ppid) SELECT 501, x, 1, 3, 1, zeroblob(16), 1, 1 FROM n",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 501"), 25012);
	sqlite3_close(db);

	/* a restarted daemon prunes at its first flushes (even with nothing queued) */
	sink_open(&sink, &cfg);
	for (flushes = 0; flushes < 10; flushes++) {
		assert_int_equal(sink.ops->flush(&sink), 0);
		db = open_db(cfg.db_path);
		if (!q_int(db, "SELECT COUNT(*) FROM sessions WHERE id = 501")) {
			sqlite3_close(db);
			break;
		}
		/* never a session row without some of its events gone first */
		assert_true(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 501") <
		            25012);
		sqlite3_close(db);
	}
	assert_int_equal(flushes + 1, 3); /* 10,000 rows per flush: 10,000 + 10,000 + the rest */
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 501"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes WHERE session_id = 501"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 502"), 12);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes WHERE session_id = 502"), 2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sessions WHERE id IN (502, 503)"), 2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM events WHERE session_id = 503"), 1);
	sqlite3_close(db);
	assert_true(sink.health.ok);
	assert_int_equal(sink.health.pruned, 1); /* counted once, when committed */
	sink.ops->close(&sink);

	/* a session of ten hours ago, with strings of its own */
	tu_session(&d, 504, "gone", now - 10 * hour);
	sink_open(&sink, &cfg);
	tu_start(&t, &d);
	put(&sink, &t);
	tu_command(&t, &d, 1, 7000, 0, 7001, "/usr/bin/gone504", gone_argv, 1);
	put(&sink, &t);
	tu_disk(&t, &d, 2, 7000, 7001, "/tmp/only-504");
	put(&sink, &t);
	tu_disk(&t, &d, 3, 7000, 7001, "/tmp/out\xff.txt"); /* also 502's */
	put(&sink, &t);
	tu_end(&t, &d, 4);
	put(&sink, &t);
	/* ended and old: retention removes it in the very transaction that wrote it,
	 * but not its strings: the session first, its strings in a later one */
	assert_int_equal(sink.ops->flush(&sink), 0);
	sink.ops->close(&sink);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sessions WHERE id = 504"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM paths WHERE path = '/tmp/only-504'"), 1);
	/* it held the highest process id (7000): a restarted daemon gives it out
	 * no more, as a SIEM joins records on it (a new process with an old id) */
	assert_int_equal(q_int(db, "SELECT MAX(id) FROM processes"), 6001);
	assert_int_equal(sr_db_next_process_id(db), 7001);
	sqlite3_close(db);
	sink_open(&sink, &cfg);
	flushes = flush_until_none(&sink, cfg.db_path,
	                           "SELECT COUNT(*) FROM paths WHERE path = '/tmp/only-504'");
	assert_int_equal(flushes + 1, 1); /* a restarted daemon at its first flush */
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM argvs WHERE argv = '[\"gone-504\"]'"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM programs WHERE name = 'gone504'"), 0);
	/* what kept sessions use stays, and every kept record still rebuilds */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM paths WHERE path = '/tmp/out\\xff.txt'"),
	                 1);
	assert_int_equal(rebuild_all(db), 13);
	sqlite3_close(db);
	sink.ops->close(&sink);

	/* every session gone, then a restart: still past every id given out */
	snprintf(sql, sizeof(sql), "UPDATE sessions SET state = 'ended', end_us = %lld",
	         (long long)(now - 2 * hour));
	assert_int_equal(sqlite3_open(cfg.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	sink_open(&sink, &cfg);
	flush_until_none(&sink, cfg.db_path, "SELECT COUNT(*) FROM sessions");
	sink.ops->close(&sink);
	db = open_db(cfg.db_path);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM processes"), 0);
	assert_int_equal(sr_db_next_process_id(db), 7001);
	sqlite3_close(db);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records_to_tables),
	    cmocka_unit_test(test_session_state_across_batches),
	    cmocka_unit_test(test_session_update_without_record),
	    cmocka_unit_test(test_replay_no_duplicates),
	    cmocka_unit_test(test_flush_survives_kill9),
	    cmocka_unit_test(test_disk_full),
	    cmocka_unit_test(test_locked_database),
	    cmocka_unit_test(test_forks_without_records),
	    cmocka_unit_test(test_unwritable_database),
	    cmocka_unit_test(test_checkpoint_thread_bounds_wal),
	    cmocka_unit_test(test_retention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
