/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file store_read.h
 * @brief Database rows back to records (schema/sshrec.sql, version 7).
 *
 * The inverse of store.h: an events row, with the sessions, processes and
 * dictionary rows it refers to, becomes the struct sr_record the daemon
 * stored, and sr_record_json() turns that into the JSON the daemon's
 * JSON-lines sink wrote for it. A migrated record the writer could not
 * reproduce keeps its text in events.json, which is returned as it is.
 *
 * The caller runs its own query over `events e` (any filter and order) and
 * selects SR_STORE_EVENT_COLS at some column; the reader looks up the rest
 * through small bounded caches (sessions, processes, dictionary strings),
 * so a long export costs one row read per record and a few hash lookups.
 */
#ifndef SSHREC_STORE_READ_H
#define SSHREC_STORE_READ_H

#include <sqlite3.h>
#include <stddef.h>

#include "jwrite.h"
#include "recorder/record.h"

/** The events columns the reader decodes, in this order (table alias `e`). */
#define SR_STORE_EVENT_COLS                                                                        \
	"e.session_id, e.ei, e.time_us, e.kind, e.fmt, e.uid, e.pid, e.ppid, e.program, "          \
	"e.process_id, e.cgroup_id, e.audit_session_id, e.path, e.addr, e.port, e.rc, e.n1, "      \
	"e.n2, e.n3, e.text, e.json"
/** How many columns SR_STORE_EVENT_COLS names. */
#define SR_STORE_EVENT_NCOLS 21

struct sr_rd_cache;

/** A reader on one connection (read-only is enough). */
struct sr_store_reader {
	sqlite3 *db;
	sqlite3_stmt **st;
	struct sr_rd_cache *cache; /**< sessions, processes, then one per dictionary */
	uint64_t epoch;            /**< entries used by the current record stay */
	struct sr_record rec;      /**< the record last read */
	struct sr_jw w;            /**< its JSON */
};

/** Prepare the reader's statements on @p db. Returns 0, -ENOMEM or -EIO. */
int sr_store_reader_init(struct sr_store_reader *rd, sqlite3 *db);

/** Free everything the reader holds. */
void sr_store_reader_free(struct sr_store_reader *rd);

/**
 * Rebuild the record of the current row of @p st, whose columns
 * SR_STORE_EVENT_COLS start at @p col. *@p rec (and what it points to) stays
 * valid until the next call. For a record stored as text, rec->json is that
 * text and the other fields hold what the columns say.
 * @return 0, -ENOENT when a row it refers to is missing (the database is
 *         inconsistent), -EINVAL for an unknown kind, -ENOMEM or -EIO.
 */
int sr_store_read(struct sr_store_reader *rd, sqlite3_stmt *st, int col,
                  const struct sr_record **rec);

/**
 * sr_store_read(), then the record's JSON: the stored text, or
 * sr_record_json() of the rebuilt record. *@p json (NUL-terminated, @p len
 * bytes) stays valid until the next call.
 * @return as sr_store_read().
 */
int sr_store_read_json(struct sr_store_reader *rd, sqlite3_stmt *st, int col,
                       const struct sr_record **rec, const char **json, size_t *len);

#endif
