/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file db.h
 * @brief The SQLite database: open, schema version check, forward migrations.
 *
 * The schema (schema/sshrec.sql) and the migrations (schema/migrations/
 * NNN-description.sql, each taking user_version NNN-1 to NNN) are embedded
 * into the binary at build time, so nothing needs to be installed beside it.
 * The daemon opens read-write (sr_db_open); the CLI opens read-only
 * (sr_db_open_ro) and refuses a newer schema the same way.
 */
#ifndef SSHREC_DB_H
#define SSHREC_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

/** The schema version this build writes (PRAGMA user_version). */
#define SR_DB_VERSION 7

/**
 * meta key of the ring buffer position the stored records reach,
 * "MAPID:POS" (written by the SQLite sink with each batch).
 */
#define SR_DB_META_RING "ring_position"

/**
 * meta key of the processes forked and not exec'd when the ring position was
 * stored, "SESSION_KEY PID ENTITY" lines (sr_corr_forks_text(), restore.c).
 */
#define SR_DB_META_FORKS "forked_processes"

/**
 * meta key of the highest processes.id retention removed (written by the
 * SQLite sink before it deletes a session's processes): with MAX(id) of
 * what is left, where a restarted daemon's ids start (sr_db_next_process_id).
 */
#define SR_DB_META_PROCESS_MAX "process_id_max"

/** SQL of the highest processes.id ever given out: what is left, or what retention removed. */
#define SR_DB_PROCESS_ID_HIGH_SQL                                                                  \
	"MAX(COALESCE((SELECT MAX(id) FROM processes), 0), COALESCE((SELECT CAST(value AS "        \
	"INTEGER) FROM meta WHERE key = '" SR_DB_META_PROCESS_MAX "'), 0))"

/** meta key of the record format (SR_RECORD_FORMAT) the newest records have. */
#define SR_DB_META_RECORD_FORMAT "record_format"

/**
 * The last schema version reached in place (migrations 002-006); the step
 * to 7 copies the database into a new file (db_upgrade.h).
 */
#define SR_DB_IN_PLACE_MAX 6

/** The oldest schema version a migration path exists from. */
#define SR_DB_VERSION_MIN 1

/** One embedded forward migration: takes user_version (version - 1) to version. */
struct sr_db_migration {
	int version;      /**< user_version after it ran */
	const char *name; /**< file name, e.g. "002-indexes-user-event.sql" */
	const char *sql;
};

/** schema/sshrec.sql, the whole current schema (generated: recorder/store/db_sql.c). */
extern const char sr_db_schema_sql[];
/** The migrations in version order, terminated by an entry with version 0. */
extern const struct sr_db_migration sr_db_migrations[];

/**
 * Open (creating it and its missing parent directories, mode 0700) the
 * database at @p path read-write: WAL, synchronous=NORMAL, a busy timeout,
 * foreign keys off (the sinks write parents first, but a replay may not),
 * 16 KiB pages for a new database, an 8 MiB page cache. The connection is
 * for one thread at a time (SQLITE_OPEN_NOMUTEX). Missing directories are
 * created; the file and its -wal and -shm get the records' mode and group
 * (records_perm.h: @p records_gid, or SR_NO_GROUP for root only).
 * An empty database gets the schema; an older one is migrated forward: up
 * to version 6 in place in one transaction, then to version 7 into a new
 * file renamed over it (db_upgrade.h); a newer one is refused ("database
 * schema version N is newer than this sshrecd supports (M); upgrade
 * sshrec").
 * @param[out] out the connection, NULL on failure.
 * @return 0, -EPROTONOSUPPORT (newer schema), -EINVAL (not an sshrec
 *         database or a migration failed), -EACCES/-EROFS/-ENOSPC/-EIO or -errno.
 */
int sr_db_open(const char *path, gid_t records_gid, sqlite3 **out);

/**
 * The busy timeout of the daemon's write connection once it is open and
 * migrated (sr_db_open() waits longer, for a start next to another
 * writer): the connection is used from the single-threaded event loop,
 * which must keep answering its control socket and PAM logins while
 * another process (an auditor's BEGIN EXCLUSIVE) holds the write lock. A
 * commit that cannot get the lock in this time fails with SQLITE_BUSY and
 * is retried with backoff, its records kept.
 */
#define SR_DB_LOOP_BUSY_MS 50

/**
 * Open an existing database read-only (the CLI) and check its version with
 * sr_db_check_version(). @p out is NULL on failure.
 * @return 0, -ENOENT (no such file), -EPROTONOSUPPORT, -EINVAL or -errno.
 */
int sr_db_open_ro(const char *path, sqlite3 **out);

/**
 * Read user_version of @p db into @p version (when not NULL) and check that
 * this build can read it: 1..SR_DB_VERSION. Logs the reason when not.
 * @return 0, -EPROTONOSUPPORT (newer than SR_DB_VERSION), -EINVAL (0: empty
 *         or not an sshrec database) or -EIO.
 */
int sr_db_check_version(sqlite3 *db, int *version);

/**
 * The in-place part of bringing @p db (opened read-write) up to date, in one
 * transaction: the schema on an empty database, else the missing
 * migrations up to version 6. *@p version gets the version it is at then
 * (6 still needs sr_db_upgrade_v7()).
 * @return 0, -EPROTONOSUPPORT (newer), -EINVAL or a mapped SQLite error.
 */
int sr_db_migrate(sqlite3 *db, int *version);

/**
 * The first processes.id never given out in @p db: past every row and past
 * every row retention removed (SR_DB_META_PROCESS_MAX), so a record made
 * after a restart never has the process_id of one a SIEM already holds.
 * @return that id, or 0 when @p db cannot say (no table: not an sshrec
 *         database, or an error).
 */
int64_t sr_db_next_process_id(sqlite3 *db);

/** Map an SQLite result code to -errno (SQLITE_FULL -> -ENOSPC, ...). */
int sr_db_errno(int rc);

#endif
