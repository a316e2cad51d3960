/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SQLite sink. write() only queues an owned copy of the record; flush()
 * applies the whole batch in one transaction with prepared statements and
 * updates each session touched once. When the commit fails (disk full, I/O
 * error, read-only) the batch stays queued as a bounded backlog and is
 * retried with backoff on later flushes; events use INSERT OR IGNORE on
 * (session_id, ei), so a retry or a replay after a crash never duplicates.
 * A database locked by another process (SQLITE_BUSY) is such a failure too:
 * the connection waits only SR_DB_LOOP_BUSY_MS for the lock, so the event
 * loop never stalls, and the outage is logged when it starts and ends.
 * session_update() queues a state-only entry (kind STATE_ONLY, no event) in
 * the same FIFO, so it lands in the next transaction in order with records.
 * How a record becomes rows is recorder/store/store.c's business.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timeutil.h"
#include "recorder/config.h"
#include "recorder/store/db.h"
#include "recorder/store/db_checkpoint.h"
#include "recorder/sinks/sink_priv.h"
#include "recorder/store/store.h"

#define RETRY_MIN_MS 200
#define RETRY_MAX_MS 5000

/* A queue entry that only updates its session's row (no event). */
#define STATE_ONLY SR_REC_KIND_MAX

enum {
	ST_SESS_UPDATE,
	ST_POSITION,
	ST_FORKS,
	ST_PRUNE_PICK,
	ST_PRUNE_EVENTS,
	ST_PRUNE_HWM,
	ST_PRUNE_PROCS,
	ST_PRUNE_SESSION,
	ST_PRUNE_OLDEST,
	ST_MAX,
};

#define MOVED                                                                                      \
	"((?12 IS NOT NULL AND ?12 IS NOT cgroup_id) OR "                                          \
	"(?13 IS NOT NULL AND ?13 IS NOT cgroup_path))"

static const char *const stmt_sql[ST_MAX] = {
    /* ?12, ?13: the cgroup, NULL when not known (unchanged); its first move
     * (into logind's scope) keeps where the session started, which its
     * records refer to (store.c) */
    [ST_SESS_UPDATE] = "UPDATE sessions SET next_ei = MAX(next_ei, ?1), n_command = ?2, "
                       "n_disk = ?3, n_network = ?4, n_exit = ?5, n_escape = ?6, lost = ?7, "
                       "state = ?8, closing_us = ?9, end_us = ?10, tty = COALESCE(?11, tty), "
                       "start_cgroup_id = CASE WHEN start_cgroup_id IS NULL AND " MOVED
                       " THEN cgroup_id ELSE start_cgroup_id END, "
                       "start_cgroup_path = CASE WHEN start_cgroup_id IS NULL AND " MOVED
                       " THEN cgroup_path ELSE start_cgroup_path END, "
                       "cgroup_id = COALESCE(?12, cgroup_id), "
                       "cgroup_path = COALESCE(?13, cgroup_path), n_denied = ?14 WHERE id = ?15",
    [ST_POSITION] = "INSERT OR REPLACE INTO meta (key, value) VALUES ('" SR_DB_META_RING "', ?)",
    [ST_FORKS] = "INSERT OR REPLACE INTO meta (key, value) VALUES ('" SR_DB_META_FORKS "', ?)",
    /* retention: the oldest ended session past the cutoff (start_us < cutoff
     * narrows the scan through sessions_start), then its rows in chunks */
    [ST_PRUNE_PICK] = "SELECT id, sid, end_us FROM sessions WHERE start_us < ?1 AND "
                      "state = 'ended' AND end_us < ?1 ORDER BY start_us LIMIT 1",
    [ST_PRUNE_EVENTS] = "DELETE FROM events WHERE session_id = ?1 AND ei IN (SELECT ei FROM "
                        "events WHERE session_id = ?1 ORDER BY ei LIMIT ?2)",
    /* before a session's processes go: the highest id given out, so that a
     * restarted daemon never gives it again (sr_db_next_process_id) */
    [ST_PRUNE_HWM] = "INSERT OR REPLACE INTO meta (key, value) SELECT '" SR_DB_META_PROCESS_MAX
                     "', " SR_DB_PROCESS_ID_HIGH_SQL,
    [ST_PRUNE_PROCS] = "DELETE FROM processes WHERE id IN (SELECT id FROM processes WHERE "
                       "session_id = ?1 LIMIT ?2)",
    [ST_PRUNE_SESSION] = "DELETE FROM sessions WHERE id = ?1",
    [ST_PRUNE_OLDEST] = "SELECT MIN(start_us) FROM sessions",
};

/* Rows removed per flush while pruning: bounded work inside a batch's transaction. */
#define PRUNE_CHUNK 10000
/* With nothing left to prune, look again after this long. */
#define PRUNE_IDLE_MS 10000

struct sq {
	sqlite3 *db;
	struct sr_ckpt *ckpt; /* WAL checkpoints on their own thread; NULL: SQLite's own */
	char *path;
	sqlite3_stmt *st[ST_MAX];
	struct sr_store store; /* records to rows */
	struct sr_rec_queue q; /* the current batch, then the backlog while failing */
	uint64_t backlog_max;
	int64_t retry_at_ms; /* while failing: no attempt before this */
	int64_t retry_ms;
	int last_err;
	/* of the failed commit, taken before its ROLLBACK resets them */
	int err_rc;
	char err_msg[160];
	int64_t locked_since_ms; /* a lock outage (SQLITE_BUSY/LOCKED) began; 0 none */
	char position[64]; /* "RINGID:POS:BOOT_OFFSET_US" to store with the next commit; "" none */
	/* the processes forked and not exec'd at that position (sinks_run.c), and
	 * whether they differ from what the database holds */
	char *forks;
	bool forks_due;
	int64_t retention_us; /* 0: keep everything */
	int64_t prune_at_ms;  /* next pruning attempt (monotonic) */
	bool dicts_due;       /* dictionary rows may be unused since a session went */
	int dicts_pruned;     /* of them, removed in the transaction being committed */
	/* a session removed in the transaction being committed: logged after it */
	char pruned_sid[SR_UUID_STRLEN]; /* "" none */
	int64_t pruned_end_us;
};

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* 0 means "none" for these columns */
static int bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int put_record(struct sq *q, const struct sr_record *r)
{
	if (r->kind == STATE_ONLY)
		return SQLITE_OK; /* put_sessions() applies it */
	return sr_store_put(&q->store, r);
}

static int put_session_state(struct sq *q, const struct sr_record *r)
{
	const struct sr_session_info *s = r->sess;
	sqlite3_stmt *st = q->st[ST_SESS_UPDATE];

	/* a state-only entry (ei 0) leaves next_ei as it is */
	sqlite3_bind_int64(st, 1, (int64_t)r->ei + 1);
	sqlite3_bind_int64(st, 2, (int64_t)s->counts[SR_REC_COMMAND]);
	sqlite3_bind_int64(st, 3, (int64_t)s->counts[SR_REC_DISK]);
	sqlite3_bind_int64(st, 4, (int64_t)s->counts[SR_REC_NETWORK]);
	sqlite3_bind_int64(st, 5, (int64_t)s->counts[SR_REC_PROCESS_EXIT]);
	sqlite3_bind_int64(st, 6, (int64_t)s->counts[SR_REC_ESCAPE]);
	sqlite3_bind_int64(st, 7, (int64_t)s->lost);
	bind_text(st, 8, s->state ? s->state : "active");
	bind_opt(st, 9, s->closing_us);
	bind_opt(st, 10, s->end_us);
	bind_text(st, 11, s->tty);               /* the terminal learnt from the first exec */
	bind_opt(st, 12, (int64_t)s->cgroup_id); /* logind's scope, once followed */
	bind_text(st, 13, s->cgroup_path);
	sqlite3_bind_int64(st, 14, (int64_t)s->counts[SR_REC_DENIED]);
	sqlite3_bind_int64(st, 15, s->key);
	return run(st);
}

/*
 * The last record of each session in the batch carries its newest state:
 * one UPDATE per dirty session. Sessions hash by key into a table of at
 * least 2n slots (n = batch size); a later record replaces an earlier one.
 */
static int put_sessions(struct sq *q)
{
	size_t cap = 16, i;
	const struct sr_record **slot;
	struct sr_rec_qent *e;
	int rc = SQLITE_OK;

	while (cap < 2 * q->q.n)
		cap <<= 1;
	slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return SQLITE_NOMEM;
	for (e = q->q.head; e; e = e->next) {
		const struct sr_record *r = e->rec;

		for (i = (uint64_t)r->sess->key * 0x9e3779b97f4a7c15ull & (cap - 1); slot[i];
		     i = (i + 1) & (cap - 1))
			if (slot[i]->sess->key == r->sess->key)
				break;
		slot[i] = r; /* later records replace earlier ones */
	}
	for (i = 0; i < cap && rc == SQLITE_OK; i++)
		if (slot[i])
			rc = put_session_state(q, slot[i]);
	free(slot);
	return rc;
}

static void sq_finalize(struct sq *q)
{
	int i;

	for (i = 0; i < ST_MAX; i++) {
		sqlite3_finalize(q->st[i]);
		q->st[i] = NULL;
	}
	sr_store_free(&q->store);
}

static int sq_prepare(struct sr_sink *sink, struct sq *q)
{
	int i, rc;

	for (i = 0; i < ST_MAX; i++) {
		rc = sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &q->st[i], NULL);
		if (rc != SQLITE_OK) {
			sr_sink_set_error(sink, "%s: cannot prepare statements: %s", q->path,
			                  sqlite3_errmsg(q->db));
			sq_finalize(q);
			return sr_db_errno(rc);
		}
	}
	rc = sr_store_init(&q->store, q->db);
	if (rc != SQLITE_OK) {
		sr_sink_set_error(sink, "%s: cannot prepare statements: %s", q->path,
		                  sqlite3_errmsg(q->db));
		sq_finalize(q);
		return sr_db_errno(rc);
	}
	return 0;
}

/*
 * Note the record format of what this daemon writes in meta, and say so when
 * the database already holds records of an older one: they stay as written
 * (the CLI reads both), nothing is rewritten behind the auditor's back.
 */
static int note_record_format(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	int have = 0, rc;

	rc = sqlite3_prepare_v2(db,
	                        "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE "
	                        "key = '" SR_DB_META_RECORD_FORMAT "'), "
	                        "(SELECT 1 FROM events LIMIT 1), 0)",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have == SR_RECORD_FORMAT)
		return 0;
	if (have && have < SR_RECORD_FORMAT)
		sr_info("%s holds records of record format %d; new records are format %d (see "
		        "README, Changes); stored records are kept as they were written",
		        path, have, SR_RECORD_FORMAT);
	else if (have > SR_RECORD_FORMAT)
		sr_warn("%s holds records of a newer record format (%d) than this sshrecd writes "
		        "(%d)",
		        path, have, SR_RECORD_FORMAT);
	if (sqlite3_prepare_v2(
	        db,
	        "INSERT OR REPLACE INTO meta (key, value) VALUES ('" SR_DB_META_RECORD_FORMAT
	        "', ?)",
	        -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, SR_RECORD_FORMAT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int sq_init(struct sr_sink *sink, const struct sr_config *cfg)
{
	struct sq *q = calloc(1, sizeof(*q));
	int err;

	if (!q)
		return -ENOMEM;
	q->path = strdup(cfg->db_path);
	q->backlog_max = cfg->backlog_max ? cfg->backlog_max : 1;
	q->retention_us = (int64_t)cfg->retention_s * 1000000;
	q->dicts_due = q->retention_us != 0; /* a previous run may have left some */
	q->retry_ms = RETRY_MIN_MS;
	err = q->path ? sr_db_open(q->path, cfg->records_gid, &q->db) : -ENOMEM;
	if (!err)
		err = sq_prepare(sink, q);
	if (!err)
		err = note_record_format(q->db, q->path);
	if (err) {
		if (!sink->health.last_error[0])
			snprintf(sink->health.last_error, sizeof(sink->health.last_error),
			         "%s: cannot open the database: %s", cfg->db_path, strerror(-err));
		sink->health.ok = false;
		sqlite3_close(q->db);
		free(q->path);
		free(q);
		return err;
	}
	sr_ckpt_start(q->db, q->path, &q->ckpt); /* on failure SQLite checkpoints itself */
	/* the open and migrations waited for the lock as long as they needed; from
	 * now on a wait holds the event loop (control socket, PAM logins) */
	sqlite3_busy_timeout(q->db, SR_DB_LOOP_BUSY_MS);
	sink->priv = q;
	sink->health.ok = true;
	return 0;
}

/* Entries of the queue that are records (not state-only updates). */
static uint64_t queued_records(const struct sq *q)
{
	const struct sr_rec_qent *e;
	uint64_t n = 0;

	for (e = q->q.head; e; e = e->next)
		n += e->rec->kind != STATE_ONLY;
	return n;
}

static void drop_oldest(struct sr_sink *sink, struct sq *q)
{
	if (q->q.head && q->q.head->rec->kind != STATE_ONLY)
		sink->health.dropped++;
	sr_rec_queue_pop(&q->q);
}

static int sq_write(struct sr_sink *sink, const struct sr_record *rec)
{
	struct sq *q = sink->priv;
	struct sr_record r;

	if (!rec->sess)
		return -EINVAL;
	/*
	 * The copy leaves the record's JSON text out (~500 bytes a record, made
	 * for the other sinks): rows are made from its fields (store.c).
	 */
	r = *rec;
	r.json = NULL;
	r.json_len = 0;
	/*
	 * Bounded only while failing (a healthy batch is bounded by the daemon).
	 * Past the bound the oldest records go: the newest say what happens now.
	 */
	if (!sink->health.ok && q->q.n >= q->backlog_max)
		drop_oldest(sink, q);
	if (sr_rec_queue_push(&q->q, &r)) {
		sink->health.dropped++;
		sr_sink_set_error(sink, "out of memory queueing a record");
		return -ENOMEM;
	}
	return 0;
}

/* Run @p st (bound with ?1 = @p id and ?2 = PRUNE_CHUNK); its change count in @p n. */
static int prune_run(struct sq *q, sqlite3_stmt *st, int64_t id, int *n)
{
	int rc;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int(st, 2, PRUNE_CHUNK);
	rc = run(st);
	*n = rc == SQLITE_OK ? sqlite3_changes(q->db) : 0;
	return rc;
}

/*
 * Retention, once no session is left to remove: dictionary rows that no
 * record of a kept session can use, i.e. not used since an hour (the
 * granularity of last_us) before the oldest kept session started.
 */
static int prune_dicts(struct sq *q)
{
	sqlite3_stmt *st = q->st[ST_PRUNE_OLDEST];
	int64_t before = sr_now_us();
	int rc, n = 0;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		before = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc;
	rc = sr_store_prune_dicts(&q->store, before - SR_STORE_TOUCH_US, PRUNE_CHUNK, &n);
	if (rc == SQLITE_OK) {
		q->dicts_pruned += n;
		q->dicts_due = n > 0; /* until a round finds nothing */
	}
	return rc;
}

/*
 * Retention: remove part of the oldest ended session older than the cutoff,
 * in the batch's transaction (so it is atomic with it, and bounded: at most
 * PRUNE_CHUNK rows per flush). Its events go first, then its processes, then
 * the session row, so a half-pruned session is never listed as complete.
 */
static int prune_step(struct sq *q)
{
	sqlite3_stmt *pick = q->st[ST_PRUNE_PICK];
	int64_t now_ms = sr_sink_mono_ms(), id, end_us;
	char sid[SR_UUID_STRLEN] = "";
	const unsigned char *t;
	int rc, n = 0;

	if (!q->retention_us || now_ms < q->prune_at_ms)
		return SQLITE_OK;
	sqlite3_bind_int64(pick, 1, sr_now_us() - q->retention_us);
	rc = sqlite3_step(pick);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(pick);
		if (rc == SQLITE_DONE && q->dicts_due)
			return prune_dicts(q);
		q->prune_at_ms = now_ms + PRUNE_IDLE_MS; /* nothing to do */
		return rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	id = sqlite3_column_int64(pick, 0);
	t = sqlite3_column_text(pick, 1);
	if (t)
		snprintf(sid, sizeof(sid), "%s", (const char *)t);
	end_us = sqlite3_column_int64(pick, 2);
	sqlite3_reset(pick);
	rc = prune_run(q, q->st[ST_PRUNE_EVENTS], id, &n);
	if (rc == SQLITE_OK && n < PRUNE_CHUNK)
		rc = run(q->st[ST_PRUNE_HWM]);
	if (rc == SQLITE_OK && n < PRUNE_CHUNK)
		rc = prune_run(q, q->st[ST_PRUNE_PROCS], id, &n);
	if (rc == SQLITE_OK && n < PRUNE_CHUNK) {
		rc = prune_run(q, q->st[ST_PRUNE_SESSION], id, &n);
		if (rc == SQLITE_OK) {
			memcpy(q->pruned_sid, sid, sizeof(sid));
			q->pruned_end_us = end_us;
		}
	}
	return rc;
}

/* After a commit (@p committed) or a rollback: say what retention removed. */
static void prune_done(struct sr_sink *sink, struct sq *q, bool committed)
{
	char ended[SR_TIME_STRLEN];

	if (q->dicts_pruned && committed)
		sr_info("retention: removed %d dictionary strings no kept record uses from %s",
		        q->dicts_pruned, q->path);
	if (!committed && q->dicts_pruned)
		q->dicts_due = true;
	q->dicts_pruned = 0;
	if (!q->pruned_sid[0])
		return;
	if (committed) {
		sink->health.pruned++;
		q->dicts_due = true;
		sr_info("retention: removed session %s (ended %s) from %s", q->pruned_sid,
		        sr_time_format(q->pruned_end_us, ended), q->path);
	}
	q->pruned_sid[0] = '\0';
}

/* Apply the whole queue in one transaction. Returns an SQLite code. */
static int sq_commit(struct sq *q, const char **what)
{
	struct sr_rec_qent *e;
	int rc;

	*what = "begin";
	/* IMMEDIATE: the write lock first, under the busy timeout; a deferred
	 * transaction that read first got SQLITE_BUSY at its first write at once,
	 * without waiting, even when the other writer was about to finish */
	rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (e = q->q.head; e && rc == SQLITE_OK; e = e->next) {
		*what = "insert";
		rc = put_record(q, e->rec);
	}
	if (rc == SQLITE_OK)
		rc = sr_store_flush(&q->store); /* the events rows still buffered */
	if (rc == SQLITE_OK) {
		*what = "update sessions";
		rc = put_sessions(q);
	}
	if (rc == SQLITE_OK) {
		*what = "apply retention";
		rc = prune_step(q);
	}
	if (rc == SQLITE_OK && q->position[0]) {
		*what = "store the ring position";
		bind_text(q->st[ST_POSITION], 1, q->position);
		rc = run(q->st[ST_POSITION]);
	}
	if (rc == SQLITE_OK && q->position[0] && q->forks_due) {
		*what = "store the forked processes";
		bind_text(q->st[ST_FORKS], 1, q->forks);
		rc = run(q->st[ST_FORKS]);
	}
	if (rc == SQLITE_OK) {
		*what = "commit";
		rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		/* before the ROLLBACK, which resets them ("not an error") */
		q->err_rc = sqlite3_extended_errcode(q->db);
		snprintf(q->err_msg, sizeof(q->err_msg), "%s", sqlite3_errmsg(q->db));
		if (!q->err_rc || !strcmp(q->err_msg, sqlite3_errstr(SQLITE_OK))) {
			q->err_rc = rc;
			snprintf(q->err_msg, sizeof(q->err_msg), "%s", sqlite3_errstr(rc));
		}
	}
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sr_store_forget(&q->store); /* dictionary rows it added are gone */
	return rc;
}

static bool is_lock_error(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* After a commit: a lock outage ends with one line saying how long it was. */
static void lock_over(struct sr_sink *sink, struct sq *q)
{
	if (q->locked_since_ms && !sink->health.ok) {
		sr_info("sink sqlite: %s writable again after %.1f s (was: %s)", q->path,
		        (double)(sr_sink_mono_ms() - q->locked_since_ms) / 1000.0,
		        sink->health.last_error);
		sink->health.ok = true; /* said so: no "recovered" line as well */
	}
	q->locked_since_ms = 0;
}

static int sq_flush(struct sr_sink *sink)
{
	struct sq *q = sink->priv;
	struct sr_rec_qent *e;
	const char *what;
	int64_t now;
	int rc;

	now = sr_sink_mono_ms();
	/*
	 * Nothing queued: a transaction only when retention is due, or when the
	 * forked processes changed (a round that read only fork and exit events).
	 * A flush that returns 0 lets the daemon move the ring's consumer past
	 * those events, and a restart reads on from there with the forks the
	 * database holds: they must be these, or a child of a subshell forked in
	 * that round comes back without its parent.
	 */
	if (!q->q.n && !(q->forks_due && q->position[0]) &&
	    (!sink->health.ok || !q->retention_us || now < q->prune_at_ms))
		return sink->health.ok ? 0 : q->last_err;
	if (!sink->health.ok && now < q->retry_at_ms) {
		sink->health.backlog = queued_records(q);
		return q->last_err;
	}
	rc = sq_commit(q, &what);
	prune_done(sink, q, rc == SQLITE_OK);
	if (rc == SQLITE_OK) {
		sink->health.written += queued_records(q);
		if (q->position[0])
			q->forks_due = false; /* stored with it */
		sr_rec_queue_clear(&q->q);
		sink->health.backlog = 0;
		q->retry_ms = RETRY_MIN_MS;
		q->last_err = 0;
		lock_over(sink, q);
		sr_sink_set_ok(sink);
		return 0;
	}
	/* WAL commits are atomic: nothing of the batch is in the DB, all stays queued */
	for (e = q->q.head; e; e = e->next)
		if (!e->tries++ && e->rec->kind != STATE_ONLY)
			sink->health.failed++;
	q->last_err = sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
	/* a lock outage: when it starts (set_error logs that once, with the reason) */
	if (sink->health.ok && is_lock_error(q->err_rc))
		q->locked_since_ms = sr_sink_mono_ms();
	sr_sink_set_error(sink, "%s: %s failed: %s", q->path, what, q->err_msg);
	/* from the attempt's end: a locked database makes the attempt itself wait
	 * the busy timeout, and counting from its start let every batch of one
	 * drain try again, holding the loop (and the control socket) longer */
	q->retry_at_ms = sr_sink_mono_ms() + q->retry_ms;
	q->retry_ms = q->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : q->retry_ms * 2;
	while (q->q.n > q->backlog_max)
		drop_oldest(sink, q);
	sink->health.backlog = queued_records(q);
	return q->last_err;
}

static int sq_session_update(struct sr_sink *sink, const struct sr_session_info *sess)
{
	struct sr_record r = {.kind = STATE_ONLY, .sess = sess};

	return sq_write(sink, &r);
}

static void sq_position(struct sr_sink *sink, uint32_t ring_id, uint64_t pos)
{
	struct sq *q = sink->priv;

	/* with the time base, so a restart converts the records after pos as
	 * this daemon did (restore.c) */
	snprintf(q->position, sizeof(q->position), "%u:%llu:%lld", ring_id, (unsigned long long)pos,
	         (long long)sr_boot_offset_us());
}

void sr_sink_sqlite_forks(struct sr_sink *sink, const char *text, size_t len)
{
	struct sq *q = sink->priv;
	char *t;

	if (!q || (q->forks && strlen(q->forks) == len && !memcmp(q->forks, text, len)))
		return;
	t = strndup(text, len);
	if (!t) {
		sr_warn("sink sqlite: out of memory: the forked processes are not stored");
		return;
	}
	free(q->forks);
	q->forks = t;
	q->forks_due = true;
}

static void sq_close(struct sr_sink *sink)
{
	struct sq *q = sink->priv;

	if (!q)
		return;
	if (q->q.n) {
		/* one last attempt, without waiting for the backoff */
		q->retry_at_ms = 0;
		sq_flush(sink);
		if (q->q.n && sink->ring_kept)
			sr_warn("sink sqlite: %llu records could not be written to %s: the ring "
			        "buffer keeps the kernel events among them for the next start",
			        (unsigned long long)queued_records(q), q->path);
		else if (q->q.n)
			sr_err("sink sqlite: %llu records could not be written to %s and are lost",
			       (unsigned long long)queued_records(q), q->path);
	}
	sr_rec_queue_clear(&q->q);
	sq_finalize(q);
	sr_ckpt_stop(q->ckpt);
	/* a clean close checkpoints the WAL and removes it */
	sqlite3_close(q->db);
	free(q->forks);
	free(q->path);
	free(q);
	sink->priv = NULL;
}

const struct sr_sink_ops sr_sink_sqlite_ops = {
    .name = "sqlite",
    .init = sq_init,
    .write = sq_write,
    .flush = sq_flush,
    .reopen = NULL,
    .session_update = sq_session_update,
    .position = sq_position,
    .close = sq_close,
};
