/* SPDX-License-Identifier: BSD-2-Clause */
/* Rows to records: an events row and what it refers to, back to struct sr_record. */
#include "recorder/store/store_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"
#include "recorder/record_json.h"
#include "recorder/store/store.h"

/*
 * The caches: two-way set associative, keyed by row id. An entry used by
 * the record being rebuilt (its epoch) is never the one evicted, so every
 * pointer of that record stays valid until the next one is read.
 */
enum { C_SESS, C_PROC, C_DICT, C_MAX = C_DICT + SR_DICT_MAX };

static const unsigned cache_sets[C_MAX] = {
    [C_SESS] = 64,
    [C_PROC] = 1024,
    [C_DICT + SR_DICT_PATH] = 4096,
    [C_DICT + SR_DICT_PROGRAM] = 512,
    [C_DICT + SR_DICT_ARGV] = 1024,
    [C_DICT + SR_DICT_ADDR] = 256,
};

struct rd_slot {
	int64_t id;
	uint64_t epoch;
	void *val; /* NULL: empty */
};

struct sr_rd_cache {
	struct rd_slot *slot; /* cache_sets[i] * 2 */
};

enum {
	ST_SESS,
	ST_PROC,
	ST_DICT, /* SR_DICT_MAX lookups by id */
	ST_MAX = ST_DICT + SR_DICT_MAX,
};

static const char *const stmt_sql[ST_MAX] = {
    [ST_SESS] = "SELECT sid, server_id, server_hostname, login, user, service, tty, rhost, "
                "remote_addr, local_addr, auth_method, key_type, key_fingerprint, "
                /* session.start and its records' NULL cgroup ids: where it started */
                "CASE WHEN start_cgroup_id IS NULL THEN cgroup_path ELSE start_cgroup_path END, "
                "state, capture_backend, remote_port, local_port, leader_pid, "
                "COALESCE(start_cgroup_id, cgroup_id), "
                "audit_session_id, "
                "start_us, closing_us, end_us, n_command, n_disk, n_network, n_exit, n_escape, "
                "lost, n_denied FROM sessions WHERE id = ?1",
    [ST_PROC] = "SELECT a.argv, t.path, x.path, p.exe_kind, p.parent_id, p.pid, p.ppid, "
                "p.argv_truncated, p.uid, p.gid, p.euid, p.egid, p.return_code, p.start_us, "
                "p.exec_ei FROM processes p JOIN argvs a ON a.id = p.argv "
                "LEFT JOIN paths t ON t.id = p.tty LEFT JOIN paths x ON x.id = p.exe "
                "WHERE p.id = ?1",
    [ST_DICT + SR_DICT_PATH] = "SELECT path FROM paths WHERE id = ?1",
    [ST_DICT + SR_DICT_PROGRAM] = "SELECT name FROM programs WHERE id = ?1",
    [ST_DICT + SR_DICT_ARGV] = "SELECT argv FROM argvs WHERE id = ?1",
    [ST_DICT + SR_DICT_ADDR] = "SELECT addr FROM addrs WHERE id = ?1",
};

/* ---- caches -------------------------------------------------------------- */

static struct rd_slot *cache_find(struct sr_store_reader *rd, int c, int64_t id)
{
	struct rd_slot *set = &rd->cache[c].slot[((uint64_t)id % cache_sets[c]) * 2];
	int w;

	for (w = 0; w < 2; w++)
		if (set[w].val && set[w].id == id) {
			set[w].epoch = rd->epoch;
			return &set[w];
		}
	return NULL;
}

/* Forget @p id (its row may have changed since it was read). */
static void cache_drop(struct sr_store_reader *rd, int c, int64_t id)
{
	struct rd_slot *set = &rd->cache[c].slot[((uint64_t)id % cache_sets[c]) * 2];
	int w;

	for (w = 0; w < 2; w++)
		if (set[w].val && set[w].id == id) {
			free(set[w].val);
			memset(&set[w], 0, sizeof(set[w]));
		}
}

/* Keep @p val (malloc'd) for @p id, evicting the older entry not in use. */
static void cache_put(struct sr_store_reader *rd, int c, int64_t id, void *val)
{
	struct rd_slot *set = &rd->cache[c].slot[((uint64_t)id % cache_sets[c]) * 2];
	struct rd_slot *v = set[0].epoch <= set[1].epoch ? &set[0] : &set[1];

	/* at most two entries of a cache serve one record: the other is free */
	if (v->val && v->epoch == rd->epoch)
		v = v == &set[0] ? &set[1] : &set[0];
	free(v->val);
	v->id = id;
	v->epoch = rd->epoch;
	v->val = val;
}

/* ---- loading rows -------------------------------------------------------- */

static int step_err(int rc)
{
	return rc == SQLITE_DONE ? -ENOENT : rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

/* The text of dictionary @p kind's row @p id into *@p out. */
static int dict_text(struct sr_store_reader *rd, enum sr_dict_kind kind, int64_t id,
                     const char **out)
{
	struct rd_slot *hit = cache_find(rd, C_DICT + kind, id);
	sqlite3_stmt *st = rd->st[ST_DICT + kind];
	const unsigned char *t;
	char *copy;
	int rc, n;

	if (hit) {
		*out = hit->val;
		return 0;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return step_err(rc);
	}
	t = sqlite3_column_text(st, 0);
	n = sqlite3_column_bytes(st, 0);
	copy = t ? malloc((size_t)n + 1) : NULL;
	if (copy)
		memcpy(copy, t, (size_t)n + 1);
	sqlite3_reset(st);
	if (!copy)
		return -ENOMEM;
	cache_put(rd, C_DICT + kind, id, copy);
	*out = copy;
	return 0;
}

/* Column @p i as an optional dictionary string (NULL column: NULL). */
static int dict_col(struct sr_store_reader *rd, sqlite3_stmt *st, int i, enum sr_dict_kind kind,
                    const char **out)
{
	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	return dict_text(rd, kind, sqlite3_column_int64(st, i), out);
}

/* Room for the text columns [first, first + n) of @p st, each with its NUL. */
static size_t text_room(sqlite3_stmt *st, int first, int n)
{
	size_t room = 0;
	int i;

	for (i = first; i < first + n; i++)
		if (sqlite3_column_type(st, i) != SQLITE_NULL)
			room += (size_t)sqlite3_column_bytes(st, i) + 1;
	return room;
}

/* Copy text column @p i to *@p pos (advanced); NULL stays NULL. */
static const char *text_copy(sqlite3_stmt *st, int i, char **pos)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n;
	char *d = *pos;

	if (!t)
		return NULL;
	n = (size_t)sqlite3_column_bytes(st, i) + 1;
	memcpy(d, t, n);
	*pos += n;
	return d;
}

/*
 * Step statement @p which for row @p id and allocate *@p block: @p size
 * bytes, then room for its text columns [first, first + n), which *@p pos
 * points at. The statement stays on the row (the caller resets it).
 */
static int row_block(struct sr_store_reader *rd, int which, int64_t id, size_t size, int first,
                     int n, void **block, char **pos)
{
	sqlite3_stmt *st = rd->st[which];
	int rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return step_err(rc);
	}
	*block = calloc(1, size + text_room(st, first, n));
	if (!*block) {
		sqlite3_reset(st);
		return -ENOMEM;
	}
	*pos = (char *)*block + size;
	return 0;
}

static int load_session(struct sr_store_reader *rd, int64_t id, const struct sr_session_info **out)
{
	struct rd_slot *hit = cache_find(rd, C_SESS, id);
	sqlite3_stmt *st = rd->st[ST_SESS];
	struct sr_session_info *i;
	const char *sid;
	char *pos;
	int err;

	if (hit) {
		*out = hit->val;
		return 0;
	}
	err = row_block(rd, ST_SESS, id, sizeof(*i), 1, 15, (void **)&i, &pos);
	if (err)
		return err;
	i->key = id;
	sid = (const char *)sqlite3_column_text(st, 0);
	snprintf(i->sid, sizeof(i->sid), "%s", sid ? sid : "");
	i->server_id = text_copy(st, 1, &pos);
	i->server_hostname = text_copy(st, 2, &pos);
	i->login = text_copy(st, 3, &pos);
	i->user = text_copy(st, 4, &pos);
	i->service = text_copy(st, 5, &pos);
	i->tty = text_copy(st, 6, &pos);
	i->rhost = text_copy(st, 7, &pos);
	i->remote_addr = text_copy(st, 8, &pos);
	i->local_addr = text_copy(st, 9, &pos);
	i->auth_method = text_copy(st, 10, &pos);
	i->key_type = text_copy(st, 11, &pos);
	i->key_fingerprint = text_copy(st, 12, &pos);
	i->cgroup_path = text_copy(st, 13, &pos);
	i->state = text_copy(st, 14, &pos);
	i->capture_backend = text_copy(st, 15, &pos);
	i->remote_port = sqlite3_column_int(st, 16);
	i->local_port = sqlite3_column_int(st, 17);
	i->leader_pid = sqlite3_column_int(st, 18);
	i->cgroup_id = (uint64_t)sqlite3_column_int64(st, 19);
	i->audit_session_id = (uint32_t)sqlite3_column_int64(st, 20);
	i->start_us = sqlite3_column_int64(st, 21);
	i->closing_us = sqlite3_column_int64(st, 22);
	i->end_us = sqlite3_column_int64(st, 23);
	i->counts[SR_REC_COMMAND] = (uint64_t)sqlite3_column_int64(st, 24);
	i->counts[SR_REC_DISK] = (uint64_t)sqlite3_column_int64(st, 25);
	i->counts[SR_REC_NETWORK] = (uint64_t)sqlite3_column_int64(st, 26);
	i->counts[SR_REC_PROCESS_EXIT] = (uint64_t)sqlite3_column_int64(st, 27);
	i->counts[SR_REC_ESCAPE] = (uint64_t)sqlite3_column_int64(st, 28);
	i->lost = (uint64_t)sqlite3_column_int64(st, 29);
	i->counts[SR_REC_DENIED] = (uint64_t)sqlite3_column_int64(st, 30);
	sqlite3_reset(st);
	cache_put(rd, C_SESS, id, i);
	*out = i;
	return 0;
}

static int load_proc(struct sr_store_reader *rd, int64_t id, const struct sr_process_info **out)
{
	struct rd_slot *hit = cache_find(rd, C_PROC, id);
	sqlite3_stmt *st = rd->st[ST_PROC];
	struct sr_process_info *p;
	char *pos;
	int err;

	if (hit) {
		*out = hit->val;
		return 0;
	}
	err = row_block(rd, ST_PROC, id, sizeof(*p), 0, 4, (void **)&p, &pos);
	if (err)
		return err;
	p->id = id;
	p->argv_json = text_copy(st, 0, &pos);
	p->tty = text_copy(st, 1, &pos);
	p->exe = text_copy(st, 2, &pos);
	p->exe_kind = text_copy(st, 3, &pos);
	p->parent_id = sqlite3_column_int64(st, 4);
	p->pid = sqlite3_column_int(st, 5);
	p->ppid = sqlite3_column_int(st, 6);
	p->argv_truncated = sqlite3_column_int(st, 7) != 0;
	p->uid = sqlite3_column_int64(st, 8);
	p->gid = sqlite3_column_int64(st, 9);
	p->euid = sqlite3_column_int64(st, 10);
	p->egid = sqlite3_column_int64(st, 11);
	p->return_code = sqlite3_column_int(st, 12);
	p->start_us = sqlite3_column_int64(st, 13);
	p->exec_ei = (uint64_t)sqlite3_column_int64(st, 14);
	sqlite3_reset(st);
	cache_put(rd, C_PROC, id, p);
	*out = p;
	return 0;
}

/* ---- the record ---------------------------------------------------------- */

/* An integer column, or @p none when NULL. */
static int64_t col_or(sqlite3_stmt *st, int i, int64_t none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

/* A file change's facts (store.c's set_fchange()). */
static void read_fchange(sqlite3_stmt *st, int c, int64_t n3, struct sr_record *r)
{
	r->path2 = (const char *)sqlite3_column_text(st, c + 19);
	r->path2_resolved = n3 >> 4 & 1;
	r->path2_error = (enum sr_path_error)(n3 >> 5 & 3);
	r->path2_truncated = n3 >> 4 & 8;
	r->owner_uid = r->fc_op == SR_FC_CHOWN ? col_or(st, c + 16, -1) : -1;
	r->owner_gid = r->fc_op == SR_FC_CHOWN ? col_or(st, c + 17, -1) : -1;
	r->mode = r->fc_op == SR_FC_CHMOD || r->fc_op == SR_FC_MKDIR || r->fc_op == SR_FC_MKNOD
	              ? (uint32_t)col_or(st, c + 17, 0)
	              : 0;
	r->length = r->fc_op == SR_FC_TRUNCATE ? col_or(st, c + 16, -1) : 0;
	r->device = r->fc_op == SR_FC_MKNOD ? (uint32_t)col_or(st, c + 16, 0) : 0;
}

/* The kind-specific facts (columns path .. text, see schema/sshrec.sql). */
static int read_kind(struct sr_store_reader *rd, sqlite3_stmt *st, int c, struct sr_record *r)
{
	int64_t n3 = sqlite3_column_int64(st, c + 18);
	int err = 0;

	switch (r->kind) {
	case SR_REC_SESSION_START:
		r->tty = (const char *)sqlite3_column_text(st, c + 19);
		break;
	case SR_REC_COMMAND:
		err = load_proc(rd, r->process_id, &r->proc);
		if (!err)
			err = dict_col(rd, st, c + 12, SR_DICT_PATH, &r->path);
		if (!err)
			err = dict_col(rd, st, c + 16, SR_DICT_PATH, &r->cwd);
		r->has_return_code = true;
		r->return_code = sqlite3_column_int64(st, c + 15);
		break;
	case SR_REC_DISK:
		err = dict_col(rd, st, c + 12, SR_DICT_PATH, &r->path);
		r->has_return_code = sqlite3_column_type(st, c + 15) != SQLITE_NULL;
		r->return_code = sqlite3_column_int64(st, c + 15);
		r->path_resolved = n3 & 1;
		r->path_error = (enum sr_path_error)(n3 >> 1 & 3);
		r->path_truncated = n3 & 8;
		r->fc_op = (uint8_t)(n3 >> 8);
		if (r->fc_op) {
			read_fchange(st, c, n3, r);
			break;
		}
		r->flags = (uint64_t)sqlite3_column_int64(st, c + 16);
		r->mode = (uint32_t)sqlite3_column_int64(st, c + 17);
		break;
	case SR_REC_NETWORK:
		err = dict_col(rd, st, c + 13, SR_DICT_ADDR, &r->dst_addr);
		if (!err)
			err = dict_col(rd, st, c + 16, SR_DICT_ADDR, &r->src_addr);
		r->dst_port = sqlite3_column_int(st, c + 14);
		r->src_port = sqlite3_column_int(st, c + 17);
		r->result = (int)(n3 & 3);
		r->action = (int)(n3 >> 2 & 1);
		r->operation = (int)(n3 >> 3);
		break;
	case SR_REC_PROCESS_EXIT:
		r->exit_code = sqlite3_column_int(st, c + 16);
		r->signal = sqlite3_column_int(st, c + 17);
		r->duration_ms = n3;
		break;
	case SR_REC_DATA_LOSS:
		r->lost_command = (uint64_t)sqlite3_column_int64(st, c + 16);
		r->lost_disk = (uint64_t)sqlite3_column_int64(st, c + 17);
		r->lost_network = (uint64_t)n3;
		break;
	case SR_REC_ESCAPE:
		r->to_cgroup_id = (uint64_t)sqlite3_column_int64(st, c + 16);
		r->to_cgroup_path = (const char *)sqlite3_column_text(st, c + 19);
		break;
	case SR_REC_DENIED:
		err = dict_col(rd, st, c + 12, SR_DICT_PATH, &r->path);
		if (!err)
			err = dict_col(rd, st, c + 13, SR_DICT_ADDR, &r->dst_addr);
		r->dst_port = sqlite3_column_int(st, c + 14);
		r->flags = (uint64_t)sqlite3_column_int64(st, c + 16);
		r->denied_action = (uint8_t)(sqlite3_column_int(st, c + 17) & 3);
		r->denied_mode = (uint8_t)(sqlite3_column_int(st, c + 17) >> 2 & 3);
		r->denied_mechanism = (uint8_t)(sqlite3_column_int(st, c + 17) >> 4 & 3);
		r->denied_not_applied = n3 & 1;
		r->path_truncated = n3 & 2;
		r->rule = (const char *)sqlite3_column_text(st, c + 19);
		break;
	default: /* session.end: the session's counts and times */
		break;
	}
	return err;
}

int sr_store_read(struct sr_store_reader *rd, sqlite3_stmt *st, int c, const struct sr_record **out)
{
	static const struct sr_session_info none = {.sid = ""};
	struct sr_record *r = &rd->rec;
	const void *uid;
	bool verbatim = sqlite3_column_type(st, c + 20) != SQLITE_NULL;
	int err;

	rd->epoch++;
	memset(r, 0, sizeof(*r));
	r->kind = (enum sr_rec_kind)sqlite3_column_int(st, c + 3);
	if ((unsigned)r->kind >= SR_REC_KIND_MAX)
		return -EINVAL;
	/* session.end says the session's final counts: its row as it is now (a
	 * reader that follows a live session has an older copy) */
	if (r->kind == SR_REC_SESSION_END)
		cache_drop(rd, C_SESS, sqlite3_column_int64(st, c + 0));
	err = load_session(rd, sqlite3_column_int64(st, c + 0), &r->sess);
	if (err == -ENOENT && verbatim)
		r->sess = &none; /* a migrated record of a session with no row */
	else if (err)
		return err;
	r->ei = (uint64_t)sqlite3_column_int64(st, c + 1);
	r->time_us = sqlite3_column_int64(st, c + 2);
	r->format = sqlite3_column_int(st, c + 4);
	uid = sqlite3_column_blob(st, c + 5);
	if (uid && sqlite3_column_bytes(st, c + 5) == (int)sizeof(r->uid))
		memcpy(r->uid, uid, sizeof(r->uid));
	r->pid = sqlite3_column_int(st, c + 6);
	r->ppid = sqlite3_column_int(st, c + 7);
	r->process_id = sqlite3_column_int64(st, c + 9);
	/* NULL: the session's */
	r->cgroup_id = sqlite3_column_type(st, c + 10) == SQLITE_NULL
	                   ? r->sess->cgroup_id
	                   : (uint64_t)sqlite3_column_int64(st, c + 10);
	r->audit_session_id = sqlite3_column_type(st, c + 11) == SQLITE_NULL
	                          ? r->sess->audit_session_id
	                          : (uint32_t)sqlite3_column_int64(st, c + 11);
	err = dict_col(rd, st, c + 8, SR_DICT_PROGRAM, &r->program);
	if (!err && !verbatim)
		err = read_kind(rd, st, c, r);
	if (err)
		return err;
	if (verbatim) {
		r->json = (const char *)sqlite3_column_text(st, c + 20);
		r->json_len = (size_t)sqlite3_column_bytes(st, c + 20);
	}
	*out = r;
	return 0;
}

int sr_store_read_json(struct sr_store_reader *rd, sqlite3_stmt *st, int col,
                       const struct sr_record **rec, const char **json, size_t *len)
{
	int err = sr_store_read(rd, st, col, rec);

	if (err)
		return err;
	if (!rd->rec.json) {
		err = sr_record_json(&rd->w, &rd->rec);
		if (err)
			return err;
		rd->rec.json = rd->w.b;
		rd->rec.json_len = rd->w.len;
	}
	*json = rd->rec.json;
	*len = rd->rec.json_len;
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

int sr_store_reader_init(struct sr_store_reader *rd, sqlite3 *db)
{
	int i;

	memset(rd, 0, sizeof(*rd));
	rd->db = db;
	rd->st = calloc(ST_MAX, sizeof(*rd->st));
	rd->cache = calloc(C_MAX, sizeof(*rd->cache));
	if (!rd->st || !rd->cache) {
		sr_store_reader_free(rd);
		return -ENOMEM;
	}
	for (i = 0; i < C_MAX; i++) {
		rd->cache[i].slot = calloc((size_t)cache_sets[i] * 2, sizeof(struct rd_slot));
		if (!rd->cache[i].slot) {
			sr_store_reader_free(rd);
			return -ENOMEM;
		}
	}
	for (i = 0; i < ST_MAX; i++)
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &rd->st[i],
		                       NULL) != SQLITE_OK) {
			sr_store_reader_free(rd);
			return -EIO;
		}
	return 0;
}

void sr_store_reader_free(struct sr_store_reader *rd)
{
	unsigned i, k;

	for (i = 0; rd->cache && i < C_MAX; i++) {
		for (k = 0; rd->cache[i].slot && k < cache_sets[i] * 2; k++)
			free(rd->cache[i].slot[k].val);
		free(rd->cache[i].slot);
	}
	free(rd->cache);
	for (i = 0; rd->st && i < ST_MAX; i++)
		sqlite3_finalize(rd->st[i]);
	free(rd->st);
	sr_jw_free(&rd->w);
	memset(rd, 0, sizeof(*rd));
}
