/* SPDX-License-Identifier: BSD-2-Clause */
/* The SQLite database: open with the right pragmas, create or migrate the schema. */
#include "recorder/store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "recorder/store/db_upgrade.h"
#include "recorder/store/records_perm.h"

#define BUSY_TIMEOUT_MS 5000

int sr_db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_SCHEMA:
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_ERROR:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int64_t sr_db_next_process_id(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t next = 0;

	/* no meta row: nothing was pruned (or by an sshrecd that kept no mark) */
	if (sqlite3_prepare_v2(db, "SELECT " SR_DB_PROCESS_ID_HIGH_SQL " + 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return next;
}

static int exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		sr_err("database %s: %s: %s", sqlite3_db_filename(db, "main"), what,
		       msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
	}
	return 0;
}

static int user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK) {
		sr_err("database %s: cannot read the schema version: %s",
		       sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		return sr_db_errno(rc);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		sr_err("database %s: cannot read the schema version: %s",
		       sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
}

/* True when the database has no tables at all (new file). */
static int is_empty(sqlite3 *db, int *empty)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sr_db_errno(rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*empty = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		sr_err("database %s: %s", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		return sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
	}
	return 0;
}

static int refuse_newer(sqlite3 *db, int v)
{
	sr_err("database %s: database schema version %d is newer than this sshrecd supports (%d); "
	       "upgrade sshrec",
	       sqlite3_db_filename(db, "main"), v, SR_DB_VERSION);
	return -EPROTONOSUPPORT;
}

int sr_db_check_version(sqlite3 *db, int *version)
{
	int v = 0, err = user_version(db, &v);

	if (err)
		return err;
	if (version)
		*version = v;
	if (v > SR_DB_VERSION)
		return refuse_newer(db, v);
	if (v < SR_DB_VERSION_MIN) {
		sr_err("database %s: not an sshrec database (schema version %d)",
		       sqlite3_db_filename(db, "main"), v);
		return -EINVAL;
	}
	return 0;
}

/* Runs inside the caller's transaction: the in-place migrations (up to 4). */
static int migrate_from(sqlite3 *db, int from)
{
	const struct sr_db_migration *m;
	char sql[64];
	int err;

	for (m = sr_db_migrations; m->version && m->version <= SR_DB_IN_PLACE_MAX; m++) {
		if (m->version <= from)
			continue;
		err = exec_sql(db, m->sql, m->name);
		if (err)
			return err;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		err = exec_sql(db, sql, m->name);
		if (err)
			return err;
		sr_info("database %s: migrated to schema version %d (%s)",
		        sqlite3_db_filename(db, "main"), m->version, m->name);
	}
	return 0;
}

int sr_db_migrate(sqlite3 *db, int *version)
{
	int v = 0, empty = 0, err;

	/* IMMEDIATE: take the write lock first so two starters cannot both migrate */
	err = exec_sql(db, "BEGIN IMMEDIATE", "begin migration");
	if (err)
		return err;
	err = user_version(db, &v);
	if (!err)
		err = is_empty(db, &empty);
	if (err)
		goto out;
	if (v > SR_DB_VERSION) {
		err = refuse_newer(db, v);
	} else if (v == SR_DB_VERSION) {
		err = 0;
	} else if (v == 0 && empty) {
		err = exec_sql(db, sr_db_schema_sql, "create schema");
		if (!err)
			err = user_version(db, &v);
		if (!err && v != SR_DB_VERSION) {
			sr_err("database: embedded schema sets version %d, expected %d", v,
			       SR_DB_VERSION);
			err = -EINVAL;
		}
	} else if (v < SR_DB_VERSION_MIN) {
		sr_err("database %s: has tables but no sshrec schema version: not an sshrec "
		       "database, refusing to touch it",
		       sqlite3_db_filename(db, "main"));
		err = -EINVAL;
	} else {
		err = migrate_from(db, v);
		if (!err)
			err = user_version(db, &v);
	}
out:
	if (err) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	*version = v;
	return exec_sql(db, "COMMIT", "commit migration");
}

static int open_fail(sqlite3 **db, const char *path, int rc)
{
	sr_err("database %s: cannot open: %s", path,
	       *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
	sqlite3_close(*db);
	*db = NULL;
	return sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
}

/*
 * page_size: only a new, still empty database takes it (see
 * schema/sshrec.sql; inside the schema's transaction it would come too
 * late). An 8 MiB page cache keeps the index pages an insert touches from
 * being read back.
 */
static int set_pragmas(sqlite3 *db)
{
	return exec_sql(db,
	                "PRAGMA page_size = 16384; PRAGMA synchronous = NORMAL; "
	                "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -8192;",
	                "set pragmas");
}

/* Open @p path read-write as sr_db_open() does, with no schema work. */
static int open_rw(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int rc, err, fd;

	*out = NULL;
	/* the file holds who ran what: created 0600, never world-readable for a
	 * moment (SQLite would create it 0644 and its -wal/-shm files alike) */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST) {
		err = -errno;
		sr_err("database %s: cannot create: %s", path, strerror(-err));
		return err;
	}
	/* NOMUTEX: one thread uses this connection (the checkpoint thread opens its
	 * own), so SQLite's per-call connection mutex is pure cost */
	rc = sqlite3_open_v2(
	    path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return open_fail(&db, path, rc);
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	*out = db;
	return 0;
}

/* The database an upgrade just renamed into place, checked. */
static int reopen(const char *path, sqlite3 **out)
{
	int v = 0, err = open_rw(path, out);

	if (!err)
		err = set_pragmas(*out);
	if (!err)
		err = sr_db_check_version(*out, &v);
	if (!err && v != SR_DB_VERSION) {
		sr_err("database %s: schema version %d after the upgrade, expected %d", path, v,
		       SR_DB_VERSION);
		err = -EINVAL;
	}
	if (err) {
		sqlite3_close(*out);
		*out = NULL;
	}
	return err;
}

int sr_db_open(const char *path, gid_t records_gid, sqlite3 **out)
{
	static const char *const sidecars[] = {"-wal", "-shm"};
	char side[PATH_MAX];
	sqlite3 *db = NULL;
	size_t i;
	int err, v = 0;

	*out = NULL;
	err = sr_records_mkdir_parents(path, records_gid);
	if (err)
		return err;
	err = open_rw(path, &db);
	if (err)
		return err;
	/* then root's alone or opened to records_group; a file an older
	 * version left 0644 is narrowed */
	sr_records_path(path, records_gid);
	err = set_pragmas(db);
	if (!err)
		err = sr_db_migrate(db, &v);
	if (!err && v == SR_DB_IN_PLACE_MAX) {
		/* 6 -> 7 builds a new file: this connection is to the old one */
		sqlite3_close(db);
		db = NULL;
		err = sr_db_upgrade_v7(path);
		if (!err)
			err = reopen(path, &db);
	}
	/* after the version check: a database we refuse stays as it was */
	if (!err)
		err = exec_sql(db, "PRAGMA journal_mode = WAL", "set WAL mode");
	if (err) {
		sqlite3_close(db);
		return err;
	}
	/* SQLite made them like the database; ones left by a crash may predate
	 * a change of records_group */
	for (i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++)
		if (snprintf(side, sizeof(side), "%s%s", path, sidecars[i]) < (int)sizeof(side))
			sr_records_path(side, records_gid);
	sr_records_check_reach(path, records_gid);
	*out = db;
	return 0;
}

int sr_db_open_ro(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	struct stat stbuf;
	int rc, err;

	*out = NULL;
	if (stat(path, &stbuf)) {
		err = -errno;
		sr_err("database %s: %s", path, strerror(errno));
		return err;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK)
		return open_fail(&db, path, rc);
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	err = sr_db_check_version(db, NULL);
	if (err) {
		sqlite3_close(db);
		return err;
	}
	*out = db;
	return 0;
}
