/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file store.h
 * @brief Records to database rows (schema/sshrec.sql, version 7).
 *
 * Each fact is stored once: repeated strings become ids of the dictionary
 * tables (paths, programs, argvs, addrs), a record is one events row of
 * integers and ids, a command's argv and ids live in its processes row and
 * session.end takes its counts from the sessions row. Nothing is stored
 * that recorder/store/store_read.c cannot turn back into the same struct
 * sr_record, and so, through sr_record_json(), into the same JSON.
 *
 * The dictionaries are cached in memory (bounded, text to id), so a
 * repeated string costs a hash lookup and no query. Each dictionary row
 * keeps about when a record last used it (last_us), so that retention can
 * remove the rows it no longer needs. The caller owns the
 * transactions; after a rollback it must call sr_store_forget(), since ids
 * cached during the transaction may not exist any more.
 *
 * Functions return SQLite result codes (SQLITE_OK, ...), like the SQLite
 * sink they serve.
 */
#ifndef SSHREC_STORE_H
#define SSHREC_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "recorder/record.h"

/**
 * A dictionary row's last_us trails its last use by at most this much (it
 * is written when it is that far behind), so a string used all the time
 * costs one UPDATE an hour.
 */
#define SR_STORE_TOUCH_US (3600ll * 1000000)

/** The dictionary tables, in the order of struct sr_store's caches. */
enum sr_dict_kind {
	SR_DICT_PATH = 0, /**< paths.path: files, executables, cwd, terminals */
	SR_DICT_PROGRAM,  /**< programs.name: comm and executable basenames */
	SR_DICT_ARGV,     /**< argvs.argv: JSON arrays, found by hash */
	SR_DICT_ADDR,     /**< addrs.addr: IP addresses */
	SR_DICT_MAX,
};

struct sr_dict_slot;
struct sr_ev_row;
struct sr_sess_base;

/** Writes records into one database connection. */
struct sr_store {
	sqlite3 *db;
	sqlite3_stmt **st;
	struct sr_dict_slot *cache[SR_DICT_MAX]; /**< text -> id, direct-mapped */
	struct sr_ev_row *rows;                  /**< events rows not written yet */
	unsigned nrows;
	struct sr_sess_base *base; /**< session key -> its cgroup at start, direct-mapped */
};

/** Prepare the statements on @p db. Returns SQLITE_OK or an SQLite error. */
int sr_store_init(struct sr_store *s, sqlite3 *db);

/** Finalize the statements and free the caches. */
void sr_store_free(struct sr_store *s);

/**
 * Store @p r: the sessions row for session.start (kept when it exists), the
 * processes row for session.command (the exit fields for
 * session.process_exit), and its events row (ignored when that session and
 * ei exist: a replay never duplicates). Inside the caller's transaction.
 * Events rows are buffered and written in batches: sr_store_flush() before
 * the commit.
 */
int sr_store_put(struct sr_store *s, const struct sr_record *r);

/**
 * Store only @p r's events row (the migration copies the sessions and
 * processes rows itself); buffered like sr_store_put()'s.
 */
int sr_store_put_event(struct sr_store *s, const struct sr_record *r);

/** Write the buffered events rows (before a commit, or to read them back). */
int sr_store_flush(struct sr_store *s);

/**
 * The id of @p text in dictionary @p kind, added when missing (@p text NULL:
 * *@p id = 0, meaning SQL NULL), for a record of time @p time_us (the row's
 * last_us follows). For the migration, which copies rows itself.
 */
int sr_store_intern(struct sr_store *s, enum sr_dict_kind kind, const char *text, int64_t time_us,
                    int64_t *id);

/**
 * Remove at most @p limit rows of each dictionary that no record has used
 * since @p before_us (their last_us is older), for retention: with
 * @p before_us at least SR_STORE_TOUCH_US before the oldest record kept, no
 * kept record refers to them. Forgets the cache when it removed any.
 * @param[out] removed how many rows went.
 */
int sr_store_prune_dicts(struct sr_store *s, int64_t before_us, int limit, int *removed);

/** Forget the cached dictionary ids and the unwritten rows (after a rollback). */
void sr_store_forget(struct sr_store *s);

/** The 64-bit hash argvs.hash holds (FNV-1a of the text). */
int64_t sr_store_hash(const char *text, size_t len);

#endif
