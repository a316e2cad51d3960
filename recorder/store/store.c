/* SPDX-License-Identifier: BSD-2-Clause */
/* Records to rows: dictionaries, sessions, processes, events (schema v7). */
#include "recorder/store/store.h"

#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"

enum {
	ST_SESSION,
	ST_PROC,
	ST_EXIT,
	ST_EVENT,
	ST_EVENTS, /* EV_BATCH rows at once */
	ST_BASE,
	/* per dictionary, SR_DICT_MAX each: lookups, inserts, touches, prunes */
	ST_DICT_FIND,
	ST_DICT_ADD = ST_DICT_FIND + SR_DICT_MAX,
	ST_DICT_TOUCH = ST_DICT_ADD + SR_DICT_MAX,
	ST_DICT_PRUNE = ST_DICT_TOUCH + SR_DICT_MAX,
	ST_MAX = ST_DICT_PRUNE + SR_DICT_MAX,
};

/*
 * The events row, EV_NCOLS columns. Rows are buffered and go EV_BATCH at a
 * time in one INSERT: a statement costs more to start and end than to
 * insert one small row.
 */
#define EV_NCOLS 20
#define EV_BATCH 64
#define EV_COLUMNS                                                                                 \
	"(session_id, ei, time_us, kind, fmt, uid, pid, ppid, program, process_id, cgroup_id, "    \
	"audit_session_id, path, addr, port, rc, n1, n2, n3, text)"
#define EV_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

/*
 * An events row's cgroup_id is NULL when it is the session's cgroup at its
 * start (the sessions row: start_cgroup_id once it moved into logind's
 * scope, else cgroup_id). The sessions the store knows it for, by key.
 */
#define BASE_SLOTS 256
struct sr_sess_base {
	int64_t key; /* 0: empty (no session has key 0: sessions.id of a sid) */
	uint64_t cgroup_id;
};

static const char *const stmt_sql[ST_MAX] = {
    [ST_SESSION] = "INSERT OR IGNORE INTO sessions (id, sid, server_id, server_hostname, login, "
                   "user, service, tty, rhost, remote_addr, remote_port, local_addr, "
                   "local_port, auth_method, key_type, key_fingerprint, leader_pid, cgroup_id, "
                   "cgroup_path, audit_session_id, start_us, capture_backend, state) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'active')",
    [ST_PROC] = "INSERT OR IGNORE INTO processes (id, session_id, parent_id, pid, ppid, program, "
                "path, argv, argv_truncated, cwd, uid, gid, euid, egid, tty, return_code, "
                "start_us, end_us, exit_code, signal, duration_ms, exec_ei, exe, exe_kind) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [ST_EXIT] = "UPDATE processes SET end_us = ?, exit_code = ?, signal = ?, duration_ms = ? "
                "WHERE id = ?",
    [ST_EVENT] = "INSERT OR IGNORE INTO events " EV_COLUMNS " VALUES " EV_ROW,
    [ST_EVENTS] = NULL, /* made by sr_store_init(): EV_BATCH times EV_ROW */
    [ST_BASE] = "SELECT COALESCE(start_cgroup_id, cgroup_id) FROM sessions WHERE id = ?1",
    [ST_DICT_FIND + SR_DICT_PATH] = "SELECT id, last_us FROM paths WHERE path = ?1",
    [ST_DICT_FIND + SR_DICT_PROGRAM] = "SELECT id, last_us FROM programs WHERE name = ?1",
    [ST_DICT_FIND + SR_DICT_ARGV] = "SELECT id, last_us FROM argvs WHERE hash = ?2 AND argv = ?1",
    [ST_DICT_FIND + SR_DICT_ADDR] = "SELECT id, last_us FROM addrs WHERE addr = ?1",
    [ST_DICT_ADD + SR_DICT_PATH] = "INSERT INTO paths (path, last_us) VALUES (?1, ?3)",
    [ST_DICT_ADD + SR_DICT_PROGRAM] = "INSERT INTO programs (name, last_us) VALUES (?1, ?3)",
    [ST_DICT_ADD + SR_DICT_ARGV] = "INSERT INTO argvs (argv, hash, last_us) VALUES (?1, ?2, ?3)",
    [ST_DICT_ADD + SR_DICT_ADDR] = "INSERT INTO addrs (addr, last_us) VALUES (?1, ?3)",
    [ST_DICT_TOUCH + SR_DICT_PATH] = "UPDATE paths SET last_us = ?2 WHERE id = ?1",
    [ST_DICT_TOUCH + SR_DICT_PROGRAM] = "UPDATE programs SET last_us = ?2 WHERE id = ?1",
    [ST_DICT_TOUCH + SR_DICT_ARGV] = "UPDATE argvs SET last_us = ?2 WHERE id = ?1",
    [ST_DICT_TOUCH + SR_DICT_ADDR] = "UPDATE addrs SET last_us = ?2 WHERE id = ?1",
    [ST_DICT_PRUNE + SR_DICT_PATH] = "DELETE FROM paths WHERE id IN (SELECT id FROM paths "
                                     "WHERE last_us < ?1 LIMIT ?2)",
    [ST_DICT_PRUNE + SR_DICT_PROGRAM] = "DELETE FROM programs WHERE id IN (SELECT id FROM "
                                        "programs WHERE last_us < ?1 LIMIT ?2)",
    [ST_DICT_PRUNE + SR_DICT_ARGV] = "DELETE FROM argvs WHERE id IN (SELECT id FROM argvs "
                                     "WHERE last_us < ?1 LIMIT ?2)",
    [ST_DICT_PRUNE + SR_DICT_ADDR] = "DELETE FROM addrs WHERE id IN (SELECT id FROM addrs "
                                     "WHERE last_us < ?1 LIMIT ?2)",
};

/*
 * Cached entries per dictionary (direct-mapped by hash: a colliding string
 * replaces the entry, so memory stays bounded whatever the workload).
 */
static const unsigned cache_slots[SR_DICT_MAX] = {
    [SR_DICT_PATH] = 16384,
    [SR_DICT_PROGRAM] = 1024,
    [SR_DICT_ARGV] = 4096,
    [SR_DICT_ADDR] = 256,
};

struct sr_dict_slot {
	uint64_t hash;
	int64_t id;      /* 0: empty */
	int64_t last_us; /* the row's last_us as far as we know */
	size_t len;
	char *text;
};

/* One column value of a buffered events row. */
struct ev_val {
	enum { V_NULL, V_INT, V_TEXT, V_BLOB } type;
	int64_t i;
	const void *p; /* text: owned copy (rare kinds only); blob: the row's uid */
};

/* A buffered events row, bound when the batch is written. */
struct sr_ev_row {
	struct ev_val v[EV_NCOLS];
	uint8_t uid[16];
};

/* Free a row's text copies and make it empty. */
static void row_clear(struct sr_ev_row *w)
{
	int c;

	for (c = 0; c < EV_NCOLS; c++)
		if (w->v[c].type == V_TEXT)
			free((void *)w->v[c].p);
	memset(w, 0, sizeof(*w));
}

int64_t sr_store_hash(const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ull;
	return (int64_t)h;
}

/* "INSERT OR IGNORE INTO events (...) VALUES (...), (...), ...": EV_BATCH rows. */
static char *batch_sql(void)
{
	static const char head[] = "INSERT OR IGNORE INTO events " EV_COLUMNS " VALUES ";
	size_t n = sizeof(head) - 1, rl = sizeof(EV_ROW) - 1, i;
	char *sql = malloc(n + EV_BATCH * (rl + 1) + 1);

	if (!sql)
		return NULL;
	memcpy(sql, head, n);
	for (i = 0; i < EV_BATCH; i++) {
		if (i)
			sql[n++] = ',';
		memcpy(sql + n, EV_ROW, rl);
		n += rl;
	}
	sql[n] = '\0';
	return sql;
}

int sr_store_init(struct sr_store *s, sqlite3 *db)
{
	char *batch = batch_sql();
	int i, rc = SQLITE_OK;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->st = calloc(ST_MAX, sizeof(*s->st));
	s->rows = calloc(EV_BATCH, sizeof(*s->rows));
	s->base = calloc(BASE_SLOTS, sizeof(*s->base));
	if (!s->st || !s->rows || !s->base || !batch) {
		free(batch);
		free(s->st);
		free(s->rows);
		free(s->base);
		memset(s, 0, sizeof(*s));
		return SQLITE_NOMEM;
	}
	for (i = 0; i < SR_DICT_MAX; i++) {
		s->cache[i] = calloc(cache_slots[i], sizeof(*s->cache[i]));
		if (!s->cache[i])
			rc = SQLITE_NOMEM;
	}
	for (i = 0; i < ST_MAX && rc == SQLITE_OK; i++)
		rc = sqlite3_prepare_v3(db, i == ST_EVENTS ? batch : stmt_sql[i], -1,
		                        SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
	free(batch);
	if (rc != SQLITE_OK)
		sr_store_free(s);
	return rc;
}

void sr_store_forget(struct sr_store *s)
{
	unsigned i, k;

	for (i = 0; s->rows && i < s->nrows; i++)
		row_clear(&s->rows[i]);
	s->nrows = 0;
	for (i = 0; i < SR_DICT_MAX; i++) {
		for (k = 0; s->cache[i] && k < cache_slots[i]; k++) {
			free(s->cache[i][k].text);
			memset(&s->cache[i][k], 0, sizeof(s->cache[i][k]));
		}
	}
}

void sr_store_free(struct sr_store *s)
{
	int i;

	sr_store_forget(s);
	for (i = 0; i < SR_DICT_MAX; i++)
		free(s->cache[i]);
	for (i = 0; s->st && i < ST_MAX; i++)
		sqlite3_finalize(s->st[i]);
	free(s->st);
	free(s->rows);
	free(s->base);
	memset(s, 0, sizeof(*s));
}

static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The dictionary's id and last_us of @p text from the table (id 0: none yet). */
static int dict_find(struct sr_store *s, enum sr_dict_kind kind, const char *text, size_t len,
                     uint64_t hash, int64_t *id, int64_t *last_us)
{
	sqlite3_stmt *st = s->st[ST_DICT_FIND + kind];
	int rc;

	sqlite3_bind_text(st, 1, text, (int)len, SQLITE_STATIC);
	if (kind == SR_DICT_ARGV)
		sqlite3_bind_int64(st, 2, (int64_t)hash);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*last_us = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Row @p id is used at @p time_us: move its last_us forward when it is more
 * than SR_STORE_TOUCH_US behind (so a busy string costs one UPDATE an hour).
 */
static int dict_touch(struct sr_store *s, enum sr_dict_kind kind, int64_t id, int64_t *last_us,
                      int64_t time_us)
{
	sqlite3_stmt *st = s->st[ST_DICT_TOUCH + kind];
	int rc;

	if (time_us - *last_us <= SR_STORE_TOUCH_US)
		return SQLITE_OK;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, time_us);
	rc = run(st);
	if (rc == SQLITE_OK)
		*last_us = time_us;
	return rc;
}

int sr_store_intern(struct sr_store *s, enum sr_dict_kind kind, const char *text, int64_t time_us,
                    int64_t *id)
{
	struct sr_dict_slot *slot;
	int64_t last_us = 0;
	uint64_t h;
	size_t len;
	char *copy;
	int rc;

	*id = 0;
	if (!text)
		return SQLITE_OK;
	len = strlen(text);
	h = (uint64_t)sr_store_hash(text, len);
	slot = &s->cache[kind][h & (cache_slots[kind] - 1)];
	if (slot->id && slot->hash == h && slot->len == len && !memcmp(slot->text, text, len)) {
		*id = slot->id;
		return dict_touch(s, kind, slot->id, &slot->last_us, time_us);
	}
	rc = dict_find(s, kind, text, len, h, id, &last_us);
	if (rc == SQLITE_OK && *id) {
		rc = dict_touch(s, kind, *id, &last_us, time_us);
	} else if (rc == SQLITE_OK) {
		sqlite3_stmt *st = s->st[ST_DICT_ADD + kind];

		sqlite3_bind_text(st, 1, text, (int)len, SQLITE_STATIC);
		if (kind == SR_DICT_ARGV)
			sqlite3_bind_int64(st, 2, (int64_t)h);
		sqlite3_bind_int64(st, 3, time_us);
		rc = run(st);
		if (rc == SQLITE_OK)
			*id = sqlite3_last_insert_rowid(s->db);
		last_us = time_us;
	}
	if (rc != SQLITE_OK)
		return rc;
	copy = malloc(len + 1);
	if (copy) { /* no copy, no cache entry: the next lookup asks the table */
		memcpy(copy, text, len + 1);
		free(slot->text);
		slot->text = copy;
		slot->hash = h;
		slot->len = len;
		slot->id = *id;
		slot->last_us = last_us;
	}
	return SQLITE_OK;
}

int sr_store_prune_dicts(struct sr_store *s, int64_t before_us, int limit, int *removed)
{
	int k, rc = SQLITE_OK;

	*removed = 0;
	for (k = 0; k < SR_DICT_MAX && rc == SQLITE_OK; k++) {
		sqlite3_stmt *st = s->st[ST_DICT_PRUNE + k];

		sqlite3_bind_int64(st, 1, before_us);
		sqlite3_bind_int(st, 2, limit);
		rc = run(st);
		if (rc == SQLITE_OK)
			*removed += sqlite3_changes(s->db);
	}
	/* the cache may know the ids removed */
	if (*removed || rc != SQLITE_OK)
		sr_store_forget(s);
	return rc;
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* 0 means "none" for these columns */
static int bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

static int put_session(struct sr_store *q, const struct sr_session_info *s)
{
	sqlite3_stmt *st = q->st[ST_SESSION];

	sqlite3_bind_int64(st, 1, s->key);
	bind_text(st, 2, s->sid);
	bind_text(st, 3, s->server_id ? s->server_id : "");
	bind_text(st, 4, s->server_hostname ? s->server_hostname : "");
	bind_text(st, 5, s->login ? s->login : "");
	bind_text(st, 6, s->user ? s->user : (s->login ? s->login : ""));
	bind_text(st, 7, s->service);
	bind_text(st, 8, s->tty);
	bind_text(st, 9, s->rhost);
	bind_text(st, 10, s->remote_addr);
	bind_opt(st, 11, s->remote_addr ? s->remote_port : 0);
	bind_text(st, 12, s->local_addr);
	bind_opt(st, 13, s->local_addr ? s->local_port : 0);
	bind_text(st, 14, s->auth_method);
	bind_text(st, 15, s->key_type);
	bind_text(st, 16, s->key_fingerprint);
	bind_opt(st, 17, s->leader_pid);
	sqlite3_bind_int64(st, 18, (int64_t)s->cgroup_id);
	bind_text(st, 19, s->cgroup_path);
	sqlite3_bind_int64(st, 20, s->audit_session_id);
	sqlite3_bind_int64(st, 21, s->start_us);
	bind_text(st, 22, s->capture_backend);
	return run(st);
}

/* Bind dictionary id @p i of @p text (NULL: SQL NULL), used at @p time_us. */
static int bind_dict(struct sr_store *s, sqlite3_stmt *st, int i, enum sr_dict_kind kind,
                     const char *text, int64_t time_us)
{
	int64_t id;
	int rc = sr_store_intern(s, kind, text, time_us, &id);

	if (rc == SQLITE_OK)
		bind_opt(st, i, id);
	return rc;
}

static int put_proc(struct sr_store *q, int64_t session_key, const struct sr_process_info *p,
                    int64_t t)
{
	sqlite3_stmt *st = q->st[ST_PROC];
	int rc;

	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, session_key);
	bind_opt(st, 3, p->parent_id);
	sqlite3_bind_int(st, 4, p->pid);
	sqlite3_bind_int(st, 5, p->ppid);
	rc = bind_dict(q, st, 6, SR_DICT_PROGRAM, p->program ? p->program : "", t);
	if (rc == SQLITE_OK)
		rc = bind_dict(q, st, 7, SR_DICT_PATH, p->path ? p->path : "", t);
	if (rc == SQLITE_OK)
		rc = bind_dict(q, st, 8, SR_DICT_ARGV, p->argv_json ? p->argv_json : "[]", t);
	if (rc == SQLITE_OK)
		rc = bind_dict(q, st, 10, SR_DICT_PATH, p->cwd, t);
	if (rc == SQLITE_OK)
		rc = bind_dict(q, st, 15, SR_DICT_PATH, p->tty, t);
	if (rc == SQLITE_OK)
		rc = bind_dict(q, st, 23, SR_DICT_PATH, p->exe, t);
	if (rc != SQLITE_OK) {
		sqlite3_clear_bindings(st);
		return rc;
	}
	sqlite3_bind_int(st, 9, p->argv_truncated);
	sqlite3_bind_int64(st, 11, p->uid);
	sqlite3_bind_int64(st, 12, p->gid);
	sqlite3_bind_int64(st, 13, p->euid);
	sqlite3_bind_int64(st, 14, p->egid);
	sqlite3_bind_int(st, 16, p->return_code);
	sqlite3_bind_int64(st, 17, p->start_us);
	bind_opt(st, 18, p->end_us);
	if (p->has_exit) {
		/* as in the record: exit_code is null when a signal killed it */
		if (p->signal)
			sqlite3_bind_null(st, 19);
		else
			sqlite3_bind_int(st, 19, p->exit_code);
		sqlite3_bind_int(st, 20, p->signal);
		sqlite3_bind_int64(st, 21, p->duration_ms);
	}
	sqlite3_bind_int64(st, 22, (int64_t)p->exec_ei);
	bind_text(st, 24, p->exe_kind);
	return run(st);
}

static int put_exit(struct sr_store *q, const struct sr_process_info *p)
{
	sqlite3_stmt *st = q->st[ST_EXIT];

	sqlite3_bind_int64(st, 1, p->end_us);
	if (p->signal)
		sqlite3_bind_null(st, 2);
	else
		sqlite3_bind_int(st, 2, p->exit_code);
	sqlite3_bind_int(st, 3, p->signal);
	sqlite3_bind_int64(st, 4, p->duration_ms);
	sqlite3_bind_int64(st, 5, p->id);
	return run(st);
}

/* ---- events rows, buffered ---------------------------------------------- */

static void set_int(struct sr_ev_row *w, int col, int64_t v)
{
	w->v[col - 1].type = V_INT;
	w->v[col - 1].i = v;
}

/* 0 means "none" (NULL) for these columns */
static void set_opt(struct sr_ev_row *w, int col, int64_t v)
{
	if (v)
		set_int(w, col, v);
}

/* A text column (session.start's tty, session.escape's path): a copy. */
static int set_text(struct sr_ev_row *w, int col, const char *t)
{
	char *c;

	if (!t)
		return SQLITE_OK;
	c = strdup(t);
	if (!c)
		return SQLITE_NOMEM;
	w->v[col - 1].type = V_TEXT;
	w->v[col - 1].p = c;
	return SQLITE_OK;
}

/* n3's bits of a session.disk path: 1 resolved, 2 and 4 the error, 8 truncated. */
static int64_t path_bits(bool resolved, enum sr_path_error e, bool truncated)
{
	return (resolved ? 1 : 0) | (int64_t)e << 1 | (truncated ? 8 : 0);
}

/*
 * A file change (session.disk with an operation): n1 the owner's uid, the
 * length or mknod's device, n2 the mode or the group (NULL: unchanged), n3 the first path's
 * bits + 16 * the second's + 256 * the operation, text the second path.
 */
static int set_fchange(struct sr_ev_row *w, const struct sr_record *r)
{
	if (r->fc_op == SR_FC_CHMOD || r->fc_op == SR_FC_MKDIR || r->fc_op == SR_FC_MKNOD)
		set_int(w, 18, r->mode); /* mknod: with its file type */
	if (r->fc_op == SR_FC_MKNOD)
		set_int(w, 17, r->device);
	if (r->fc_op == SR_FC_CHOWN) {
		if (r->owner_uid >= 0)
			set_int(w, 17, r->owner_uid);
		if (r->owner_gid >= 0)
			set_int(w, 18, r->owner_gid);
	}
	if (r->fc_op == SR_FC_TRUNCATE && r->length >= 0) /* NULL: not known */
		set_int(w, 17, r->length);
	set_int(w, 19,
	        path_bits(r->path_resolved, r->path_error, r->path_truncated) |
	            path_bits(r->path2_resolved, r->path2_error, r->path2_truncated) << 4 |
	            (int64_t)r->fc_op << 8);
	return set_text(w, 20, r->path2);
}

static int set_dict(struct sr_store *q, struct sr_ev_row *w, int col, enum sr_dict_kind kind,
                    const char *text, int64_t time_us)
{
	int64_t id;
	int rc = sr_store_intern(q, kind, text, time_us, &id);

	if (rc == SQLITE_OK)
		set_opt(w, col, id);
	return rc;
}

/* The kind-specific columns (path .. text) of @p r, see schema/sshrec.sql. */
static int set_kind(struct sr_store *q, struct sr_ev_row *w, const struct sr_record *r)
{
	int rc = SQLITE_OK;

	switch (r->kind) {
	case SR_REC_SESSION_START:
		rc = set_text(w, 20, r->tty);
		break;
	case SR_REC_COMMAND:
		rc = set_dict(q, w, 13, SR_DICT_PATH, r->path, r->time_us);
		if (rc == SQLITE_OK)
			rc = set_dict(q, w, 17, SR_DICT_PATH, r->cwd, r->time_us);
		set_int(w, 16, r->return_code);
		break;
	case SR_REC_DISK:
		rc = set_dict(q, w, 13, SR_DICT_PATH, r->path, r->time_us);
		if (r->has_return_code) /* NULL: not observed (io_uring) */
			set_int(w, 16, r->return_code);
		if (r->fc_op) {
			if (rc == SQLITE_OK)
				rc = set_fchange(w, r);
			break;
		}
		set_int(w, 17, (int64_t)r->flags);
		set_int(w, 18, r->mode);
		/* enum sr_path_error is 0..2 */
		set_int(w, 19, path_bits(r->path_resolved, r->path_error, r->path_truncated));
		break;
	case SR_REC_NETWORK:
		rc = set_dict(q, w, 14, SR_DICT_ADDR, r->dst_addr, r->time_us);
		if (rc == SQLITE_OK)
			rc = set_dict(q, w, 17, SR_DICT_ADDR, r->src_addr, r->time_us);
		set_int(w, 15, r->dst_port);
		set_int(w, 18, r->src_port);
		set_int(w, 19, (r->result & 3) | r->action << 2 | r->operation << 3);
		break;
	case SR_REC_PROCESS_EXIT:
		if (!r->signal)
			set_int(w, 17, r->exit_code);
		set_int(w, 18, r->signal);
		set_int(w, 19, r->duration_ms);
		break;
	case SR_REC_DATA_LOSS:
		set_int(w, 17, (int64_t)r->lost_command);
		set_int(w, 18, (int64_t)r->lost_disk);
		set_int(w, 19, (int64_t)r->lost_network);
		break;
	case SR_REC_ESCAPE:
		set_int(w, 17, (int64_t)r->to_cgroup_id);
		rc = set_text(w, 20, r->to_cgroup_path ? r->to_cgroup_path : "");
		break;
	case SR_REC_DENIED:
		rc = set_dict(q, w, 13, SR_DICT_PATH, r->path, r->time_us);
		if (rc == SQLITE_OK)
			rc = set_dict(q, w, 14, SR_DICT_ADDR, r->dst_addr, r->time_us);
		if (r->dst_addr)
			set_int(w, 15, r->dst_port);
		set_int(w, 17, (int64_t)r->flags);
		/* three small enums (bpf/policy.h, each below 4) in one column */
		set_int(w, 18, r->denied_action | r->denied_mode << 2 | r->denied_mechanism << 4);
		set_int(w, 19, (r->denied_not_applied ? 1 : 0) | (r->path_truncated ? 2 : 0));
		if (rc == SQLITE_OK)
			rc = set_text(w, 20, r->rule);
		break;
	default: /* session.end: all from the sessions row */
		break;
	}
	return rc;
}

/* Bind row @p w as parameters @p base + 1 .. @p base + EV_NCOLS of @p st. */
static void row_bind(sqlite3_stmt *st, int base, const struct sr_ev_row *w)
{
	int c;

	for (c = 0; c < EV_NCOLS; c++) {
		const struct ev_val *v = &w->v[c];

		switch (v->type) {
		case V_INT:
			sqlite3_bind_int64(st, base + c + 1, v->i);
			break;
		case V_TEXT:
			sqlite3_bind_text(st, base + c + 1, v->p, -1, SQLITE_STATIC);
			break;
		case V_BLOB:
			sqlite3_bind_blob(st, base + c + 1, w->uid, sizeof(w->uid), SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, base + c + 1);
		}
	}
}

int sr_store_flush(struct sr_store *q)
{
	unsigned i;
	int rc = SQLITE_OK;

	if (q->nrows == EV_BATCH) {
		for (i = 0; i < q->nrows; i++)
			row_bind(q->st[ST_EVENTS], (int)i * EV_NCOLS, &q->rows[i]);
		rc = run(q->st[ST_EVENTS]);
	} else {
		for (i = 0; i < q->nrows && rc == SQLITE_OK; i++) {
			row_bind(q->st[ST_EVENT], 0, &q->rows[i]);
			rc = run(q->st[ST_EVENT]);
		}
	}
	for (i = 0; i < q->nrows; i++)
		row_clear(&q->rows[i]);
	q->nrows = 0;
	return rc;
}

/*
 * The cgroup of @p r's session at its start, into *@p cg: its session.start
 * says it, else the sessions row, else (no row: its start was never stored)
 * the session's cgroup as @p r has it.
 */
static int session_base(struct sr_store *q, const struct sr_record *r, uint64_t *cg)
{
	int64_t key = r->sess->key;
	struct sr_sess_base *b = &q->base[((uint64_t)key * 0x9e3779b97f4a7c15ull) >> 56];
	sqlite3_stmt *st = q->st[ST_BASE];
	int rc = SQLITE_ROW;

	if (r->kind != SR_REC_SESSION_START && b->key == key) {
		*cg = b->cgroup_id;
		if (r->kind == SR_REC_SESSION_END)
			b->key = 0; /* an ended session writes no more */
		return SQLITE_OK;
	}
	*cg = r->sess->cgroup_id;
	if (r->kind != SR_REC_SESSION_START) {
		sqlite3_bind_int64(st, 1, key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*cg = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return rc;
	}
	b->key = r->kind == SR_REC_SESSION_END ? 0 : key; /* an ended session writes no more */
	b->cgroup_id = *cg;
	return SQLITE_OK;
}

int sr_store_put_event(struct sr_store *q, const struct sr_record *r)
{
	const struct sr_session_info *s = r->sess;
	struct sr_ev_row *w;
	uint64_t base;
	int rc;

	if (!s || (unsigned)r->kind >= SR_REC_KIND_MAX)
		return SQLITE_MISUSE;
	rc = session_base(q, r, &base);
	if (rc != SQLITE_OK)
		return rc;
	w = &q->rows[q->nrows];
	set_int(w, 1, s->key);
	set_int(w, 2, (int64_t)r->ei);
	set_int(w, 3, r->time_us);
	set_int(w, 4, (int)r->kind);
	set_int(w, 5, r->format ? r->format : SR_RECORD_FORMAT);
	memcpy(w->uid, r->uid, sizeof(w->uid));
	w->v[5].type = V_BLOB;
	set_int(w, 7, r->pid);
	set_int(w, 8, r->ppid);
	set_opt(w, 10, r->process_id);
	/* the session's ids are in its row: a record stores only other ones */
	if (r->cgroup_id != base)
		set_int(w, 11, (int64_t)r->cgroup_id);
	if (r->audit_session_id != s->audit_session_id)
		set_int(w, 12, r->audit_session_id);
	rc = set_dict(q, w, 9, SR_DICT_PROGRAM, r->program, r->time_us);
	if (rc == SQLITE_OK)
		rc = set_kind(q, w, r);
	if (rc != SQLITE_OK) {
		row_clear(w);
		return rc;
	}
	return ++q->nrows == EV_BATCH ? sr_store_flush(q) : SQLITE_OK;
}

int sr_store_put(struct sr_store *s, const struct sr_record *r)
{
	int rc = SQLITE_OK;

	if (!r->sess || (unsigned)r->kind >= SR_REC_KIND_MAX)
		return SQLITE_MISUSE;
	if (r->kind == SR_REC_SESSION_START)
		rc = put_session(s, r->sess);
	else if (r->kind == SR_REC_COMMAND && r->proc)
		rc = put_proc(s, r->sess->key, r->proc, r->time_us);
	else if (r->kind == SR_REC_PROCESS_EXIT && r->proc)
		rc = put_exit(s, r->proc);
	if (rc == SQLITE_OK)
		rc = sr_store_put_event(s, r);
	return rc;
}
