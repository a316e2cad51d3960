/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Schema 6 -> 7 (schema/migrations/007-dictionaries.sql): build the new
 * database in NAME.v7-tmp from the old one, checking every record, then
 * rename it over NAME. The old file is not written to until the rename (its
 * journal mode aside), so a crash anywhere leaves it usable.
 */
#include "recorder/store/db_upgrade.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "bpf/policy.h"
#include "recorder/store/db.h"
#include "recorder/store/store.h"
#include "recorder/record_json.h"
#include "recorder/store/store_read.h"

/* Records between progress lines in the log (a large database takes minutes). */
#define PROGRESS_EVERY 1000000

struct up {
	const char *path;
	sqlite3 *db; /* the new database, the old one attached as "old" */
	struct sr_store store;
	struct sr_store_reader rd;
	sqlite3_stmt *proc_in, *proc_out, *proc_ids, *ev_in, *ev_back, *ev_text, *ev_fmt;
	uint64_t events, verbatim, procs;
	int format; /* the record format to try first: the old database's newest */
};

static int exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		sr_err("database upgrade: %s: %s", what, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		sr_err("database upgrade: %s: %s", sqlite3_errmsg(db), sql);
	return rc;
}

/* ---- processes ----------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Copy column @p from of @p in to parameter @p to of @p out, NULL as NULL. */
static void copy_col(sqlite3_stmt *out, int to, sqlite3_stmt *in, int from)
{
	sqlite3_bind_value(out, to, sqlite3_column_value(in, from));
}

/* One processes row, its strings as dictionary ids (euid, egid and tty come
 * with its session.command record). */
static int copy_proc(struct up *u)
{
	sqlite3_stmt *in = u->proc_in, *out = u->proc_out;
	static const int dict_col[][3] = {
	    /* old column, new parameter, dictionary */
	    {5, 6, SR_DICT_PROGRAM}, {6, 7, SR_DICT_PATH},   {7, 8, SR_DICT_ARGV},
	    {9, 10, SR_DICT_PATH},   {19, 20, SR_DICT_PATH},
	};
	static const int same[][2] = {{0, 1},   {1, 2},   {2, 3},   {3, 4},   {4, 5},   {8, 9},
	                              {10, 11}, {11, 12}, {12, 13}, {13, 14}, {14, 15}, {15, 16},
	                              {16, 17}, {17, 18}, {18, 19}, {20, 21}};
	size_t i;
	int64_t id;
	int rc = SQLITE_OK;

	for (i = 0; i < sizeof(dict_col) / sizeof(dict_col[0]) && rc == SQLITE_OK; i++) {
		const char *t = col_text(in, dict_col[i][0]);

		/* NOT NULL columns stay so: a NULL program, path or argv was "" */
		if (!t && dict_col[i][0] < 9)
			t = dict_col[i][0] == 7 ? "[]" : "";
		rc = sr_store_intern(&u->store, (enum sr_dict_kind)dict_col[i][2], t,
		                     sqlite3_column_int64(in, 13), &id); /* at its start */
		if (rc == SQLITE_OK && t)
			sqlite3_bind_int64(out, dict_col[i][1], id);
	}
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		copy_col(out, same[i][1], in, same[i][0]);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(out) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(u->db);
	sqlite3_reset(out);
	sqlite3_clear_bindings(out);
	u->procs++;
	return rc;
}

static int copy_procs(struct up *u)
{
	int rc;

	while ((rc = sqlite3_step(u->proc_in)) == SQLITE_ROW) {
		rc = copy_proc(u);
		if (rc != SQLITE_OK)
			return rc;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- events -------------------------------------------------------------- */

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int64_t jint(json_object *o, const char *key)
{
	return json_object_get_int64(member(o, key));
}

/* A string member, or NULL when absent or null. */
static const char *jstr(json_object *o, const char *key)
{
	json_object *v = member(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int result_of(const char *s)
{
	if (s && !strcmp(s, "established"))
		return 1;
	return s && !strcmp(s, "failed") ? 2 : 0;
}

/*
 * A session.denied record's facts from its text: the words it writes back to
 * the numbers it wrote them from (the open flags from flags_text). One that
 * does not read back as written is kept as text (verify()).
 */
static void parse_denied(json_object *o, struct sr_record *r)
{
	/* record format 3 names them kind and policy_mode ("action" a number) */
	const char *action = jstr(o, "kind") ? jstr(o, "kind") : jstr(o, "action");
	const char *mode = jstr(o, "policy_mode") ? jstr(o, "policy_mode") : jstr(o, "mode");
	const char *effect = jstr(o, "effect"), *mech = jstr(o, "mechanism");

	r->denied_action = action && !strcmp(action, "connect") ? SR_POLICY_CONNECT
	                   : action && !strcmp(action, "write") ? SR_POLICY_WRITE
	                                                        : SR_POLICY_EXEC;
	r->denied_mode = mode && !strcmp(mode, "enforced") ? SR_POLICY_ENFORCE : SR_POLICY_AUDIT;
	r->denied_mechanism =
	    mech && !strcmp(mech, "lsm") ? SR_POLICY_MECH_LSM : SR_POLICY_MECH_SIGNAL;
	r->denied_not_applied = effect && !strcmp(effect, "not_applied");
	r->path_truncated = json_object_get_boolean(member(o, "path_truncated"));
	r->path = jstr(o, "path");
	r->dst_addr = jstr(o, "dst_addr");
	r->dst_port = (int)jint(o, "dst_port");
	r->rule = jstr(o, "rule");
	if (r->denied_action == SR_POLICY_WRITE && jstr(o, "flags_text"))
		sr_open_flags_parse(jstr(o, "flags_text"), &r->flags);
}

/* The facts of the stored record @p o of kind r->kind into @p r. */
static void parse_kind(json_object *o, struct sr_record *r)
{
	json_object *v;

	switch (r->kind) {
	case SR_REC_SESSION_START:
		r->tty = jstr(o, "tty");
		break;
	case SR_REC_COMMAND:
		r->path = jstr(o, "path");
		r->cwd = jstr(o, "cwd");
		r->has_return_code = true;
		r->return_code = jint(o, "return_code");
		break;
	case SR_REC_DISK:
		r->path = jstr(o, "path");
		r->flags = (uint64_t)jint(o, "flags");
		r->mode = (uint32_t)jint(o, "mode");
		r->has_return_code = member(o, "return_code") != NULL; /* null: not observed */
		r->return_code = jint(o, "return_code");
		r->path_resolved = json_object_get_boolean(member(o, "path_resolved"));
		r->path_truncated = json_object_get_boolean(member(o, "path_truncated"));
		r->path_error = !jstr(o, "path_error") ? SR_PATH_ERROR_NONE
		                : !strcmp(jstr(o, "path_error"), "unavailable")
		                    ? SR_PATH_ERROR_UNAVAILABLE
		                    : SR_PATH_ERROR_UNREADABLE;
		break;
	case SR_REC_NETWORK:
		r->src_addr = jstr(o, "src_addr");
		r->src_port = (int)jint(o, "src_port");
		r->dst_addr = jstr(o, "dst_addr");
		r->dst_port = (int)jint(o, "dst_port");
		r->result = result_of(jstr(o, "result"));
		r->action = (int)jint(o, "action");
		r->operation = (int)jint(o, "operation");
		break;
	case SR_REC_PROCESS_EXIT:
		r->exit_code = (int32_t)jint(o, "exit_code");
		r->signal = (int32_t)jint(o, "signal");
		r->duration_ms = jint(o, "duration_ms");
		break;
	case SR_REC_DATA_LOSS:
		v = member(o, "lost_by_type");
		r->lost_command = (uint64_t)jint(v, "command");
		r->lost_disk = (uint64_t)jint(v, "disk");
		r->lost_network = (uint64_t)jint(v, "network");
		break;
	case SR_REC_ESCAPE:
		r->to_cgroup_id = (uint64_t)jint(o, "to_cgroup_id");
		r->to_cgroup_path = jstr(o, "to_cgroup_path");
		break;
	case SR_REC_DENIED:
		parse_denied(o, r);
		break;
	default: /* session.end: the sessions row holds its facts */
		break;
	}
}

static int kind_of(const char *event)
{
	int k;

	for (k = 0; event && k < SR_REC_KIND_MAX; k++)
		if (!strcmp(event, sr_rec_event_name((enum sr_rec_kind)k)))
			return k;
	return -1;
}

/* A command's effective ids and terminal: its processes row keeps them. */
static int put_proc_ids(struct up *u, json_object *o, const struct sr_record *r)
{
	sqlite3_stmt *st = u->proc_ids;
	int64_t tty;
	int rc = sr_store_intern(&u->store, SR_DICT_PATH, jstr(o, "tty"), r->time_us, &tty);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, jint(o, "proc_euid"));
	sqlite3_bind_int64(st, 2, jint(o, "proc_egid"));
	if (tty)
		sqlite3_bind_int64(st, 3, tty);
	sqlite3_bind_int64(st, 4, r->process_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(u->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Whether the row of @p r just stored rebuilds as @p text (*@p same). */
static int rebuilds(struct up *u, const struct sr_record *r, const char *text, int len, bool *same)
{
	const struct sr_record *back;
	const char *json = NULL;
	size_t jl = 0;
	int rc, err = 0;

	sqlite3_bind_int64(u->ev_back, 1, r->sess->key);
	sqlite3_bind_int64(u->ev_back, 2, (int64_t)r->ei);
	rc = sqlite3_step(u->ev_back);
	if (rc == SQLITE_ROW)
		err = sr_store_read_json(&u->rd, u->ev_back, 0, &back, &json, &jl);
	/* compared before the reset: a text the record points to is the row's */
	*same = rc == SQLITE_ROW && !err && jl == (size_t)len && !memcmp(json, text, jl);
	sqlite3_reset(u->ev_back);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	return err == -ENOMEM ? SQLITE_NOMEM : SQLITE_OK;
}

/* Store @p r's row as written in record format @p format. */
static int set_format(struct up *u, const struct sr_record *r, int format)
{
	int rc;

	sqlite3_bind_int(u->ev_fmt, 1, format);
	sqlite3_bind_int64(u->ev_fmt, 2, r->sess->key);
	sqlite3_bind_int64(u->ev_fmt, 3, (int64_t)r->ei);
	rc = sqlite3_step(u->ev_fmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(u->db);
	sqlite3_reset(u->ev_fmt);
	return rc;
}

/*
 * Read back the row of @p r just stored (in record format u->format) and
 * compare its JSON with @p text; when it differs, try the other formats,
 * newest first (the database may hold several: records keep the format they
 * were written in); when none gives it back, keep @p text.
 */
static int verify(struct up *u, const struct sr_record *r, const char *text, int len)
{
	int other, rc;
	bool same = false;

	rc = rebuilds(u, r, text, len, &same);
	for (other = SR_RECORD_FORMAT; rc == SQLITE_OK && !same && other >= 1; other--) {
		if (other == u->format)
			continue;
		rc = set_format(u, r, other);
		if (rc == SQLITE_OK)
			rc = rebuilds(u, r, text, len, &same);
	}
	if (rc == SQLITE_OK && !same)
		rc = set_format(u, r, u->format);
	if (rc != SQLITE_OK || same)
		return rc;
	u->verbatim++;
	sqlite3_bind_text(u->ev_text, 1, text, len, SQLITE_STATIC);
	sqlite3_bind_int64(u->ev_text, 2, r->sess->key);
	sqlite3_bind_int64(u->ev_text, 3, (int64_t)r->ei);
	rc = sqlite3_step(u->ev_text) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(u->db);
	sqlite3_reset(u->ev_text);
	return rc;
}

/*
 * One old events row: columns session_id, ei, time_us, event, uid,
 * process_id, json. Its facts come from the JSON (the record the sinks
 * wrote), its keys from the columns.
 */
static int copy_event(struct up *u, const struct sr_session_info *sess)
{
	sqlite3_stmt *in = u->ev_in;
	const char *text = col_text(in, 6), *uid = col_text(in, 4);
	int len = sqlite3_column_bytes(in, 6);
	json_object *o = text ? json_tokener_parse(text) : NULL;
	struct sr_record r = {0};
	int rc, kind = kind_of(col_text(in, 3));

	if (kind < 0) {
		sr_err("database upgrade: session %lld, record %lld: unknown event '%s'",
		       (long long)sqlite3_column_int64(in, 0),
		       (long long)sqlite3_column_int64(in, 1),
		       col_text(in, 3) ? col_text(in, 3) : "");
		json_object_put(o);
		return SQLITE_CORRUPT;
	}
	r.kind = (enum sr_rec_kind)kind;
	r.format = u->format;
	r.sess = sess;
	r.ei = (uint64_t)sqlite3_column_int64(in, 1);
	r.time_us = sqlite3_column_int64(in, 2);
	/* a uid not in the canonical form: its bytes, the record kept as text */
	if (!uid || sr_uuid_parse(uid, r.uid))
		memcpy(r.uid, uid ? uid : "", uid ? strnlen(uid, sizeof(r.uid)) : 0);
	r.process_id = sqlite3_column_int64(in, 5);
	r.pid = (int32_t)jint(o, "pid");
	r.ppid = (int32_t)jint(o, "ppid");
	r.program = jstr(o, "program");
	r.cgroup_id = (uint64_t)jint(o, "cgroup_id");
	r.audit_session_id = (uint32_t)jint(o, "audit_session_id");
	parse_kind(o, &r);
	rc = sr_store_put_event(&u->store, &r);
	if (rc == SQLITE_OK)
		rc = sr_store_flush(&u->store); /* verify() reads it back */
	if (rc == SQLITE_OK && r.kind == SR_REC_COMMAND && r.process_id)
		rc = put_proc_ids(u, o, &r);
	if (rc == SQLITE_OK)
		rc = verify(u, &r, text ? text : "", text ? len : 0);
	json_object_put(o);
	return rc;
}

static int copy_events(struct up *u)
{
	struct sr_session_info sess;
	int rc;

	while ((rc = sqlite3_step(u->ev_in)) == SQLITE_ROW) {
		/* the record's session: its key and ids are all the store needs */
		memset(&sess, 0, sizeof(sess));
		sess.key = sqlite3_column_int64(u->ev_in, 0);
		sess.cgroup_id = (uint64_t)sqlite3_column_int64(u->ev_in, 7);
		sess.audit_session_id = (uint32_t)sqlite3_column_int64(u->ev_in, 8);
		rc = copy_event(u, &sess);
		if (rc != SQLITE_OK)
			return rc;
		if (++u->events % PROGRESS_EVERY == 0)
			sr_info("database %s: upgrade: %llu records copied", u->path,
			        (unsigned long long)u->events);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- the new file -------------------------------------------------------- */

/*
 * The record format to try first: the newest the old database says it has
 * (meta record_format, since format 2), else 1, the only one before.
 */
static int old_format(struct up *u)
{
	sqlite3_stmt *st;
	int rc = prepare(u->db,
	                 "SELECT CAST(value AS INTEGER) FROM old.meta WHERE key = "
	                 "'" SR_DB_META_RECORD_FORMAT "'",
	                 &st);

	if (rc != SQLITE_OK)
		return rc;
	u->format = 1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= 2 &&
	    sqlite3_column_int(st, 0) <= SR_RECORD_FORMAT)
		u->format = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return SQLITE_OK;
}

static int copy_all(struct up *u)
{
	const struct sr_db_migration *m;
	int rc;

	for (m = sr_db_migrations; m->version && m->version != SR_DB_IN_PLACE_MAX + 1; m++)
		;
	if (!m->version) {
		sr_err("database upgrade: migration %d is not built in", SR_DB_IN_PLACE_MAX + 1);
		return SQLITE_INTERNAL;
	}
	rc = exec_sql(u->db, "BEGIN", "begin");
	if (rc == SQLITE_OK)
		rc = exec_sql(u->db, m->sql, m->name);
	if (rc == SQLITE_OK)
		rc = prepare(u->db,
		             "SELECT id, session_id, parent_id, pid, ppid, program, path, argv, "
		             "argv_truncated, cwd, uid, gid, return_code, start_us, end_us, "
		             "exit_code, signal, duration_ms, exec_ei, exe, exe_kind "
		             "FROM old.processes ORDER BY id",
		             &u->proc_in);
	if (rc == SQLITE_OK)
		rc = prepare(
		    u->db,
		    "INSERT INTO processes (id, session_id, parent_id, pid, ppid, program, "
		    "path, argv, argv_truncated, cwd, uid, gid, return_code, start_us, end_us, "
		    "exit_code, signal, duration_ms, exec_ei, exe, exe_kind) VALUES (?1, ?2, "
		    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		    "?19, ?20, ?21)",
		    &u->proc_out);
	if (rc == SQLITE_OK)
		rc = prepare(u->db,
		             "UPDATE processes SET euid = ?1, egid = ?2, tty = ?3 WHERE id = ?4",
		             &u->proc_ids);
	/* arrival order, as the old table had it; the session's ids (at its start) with each */
	if (rc == SQLITE_OK)
		rc = prepare(u->db,
		             "SELECT e.session_id, e.ei, e.time_us, e.event, e.uid, e.process_id, "
		             "e.json, COALESCE(s.start_cgroup_id, s.cgroup_id), s.audit_session_id "
		             "FROM old.events e LEFT JOIN sessions s ON s.id = e.session_id "
		             "ORDER BY e.rowid",
		             &u->ev_in);
	if (rc == SQLITE_OK)
		rc = prepare(u->db,
		             "SELECT " SR_STORE_EVENT_COLS
		             " FROM events e WHERE e.session_id = ?1 AND e.ei = ?2",
		             &u->ev_back);
	if (rc == SQLITE_OK)
		rc = prepare(u->db, "UPDATE events SET json = ?1 WHERE session_id = ?2 AND ei = ?3",
		             &u->ev_text);
	if (rc == SQLITE_OK)
		rc = prepare(u->db, "UPDATE events SET fmt = ?1 WHERE session_id = ?2 AND ei = ?3",
		             &u->ev_fmt);
	if (rc == SQLITE_OK)
		rc = old_format(u);
	if (rc == SQLITE_OK)
		rc = sr_store_init(&u->store, u->db);
	if (rc == SQLITE_OK && sr_store_reader_init(&u->rd, u->db))
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = copy_procs(u);
	if (rc == SQLITE_OK)
		rc = copy_events(u);
	if (rc == SQLITE_OK)
		rc = exec_sql(u->db, "COMMIT", "commit");
	return rc;
}

static void up_free(struct up *u)
{
	sqlite3_finalize(u->proc_in);
	sqlite3_finalize(u->proc_out);
	sqlite3_finalize(u->proc_ids);
	sqlite3_finalize(u->ev_in);
	sqlite3_finalize(u->ev_back);
	sqlite3_finalize(u->ev_text);
	sqlite3_finalize(u->ev_fmt);
	sr_store_free(&u->store);
	sr_store_reader_free(&u->rd);
	sqlite3_close(u->db);
	u->db = NULL;
}

/* fsync a file or directory by path. */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* Build the version 7 database in @p tmp from @p path. Returns an SQLite code. */
static int build(struct up *u, const char *tmp)
{
	char *attach;
	int rc;

	rc = sqlite3_open_v2(tmp, &u->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(u->db, 5000);
		/* a new file: nothing to roll back to, so no journal; synced once at the end */
		rc = exec_sql(u->db,
		              "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; "
		              "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; "
		              "PRAGMA foreign_keys = OFF;",
		              "set pragmas");
	}
	if (rc == SQLITE_OK)
		rc = exec_sql(u->db, sr_db_schema_sql, "create schema");
	/* only read: the old file stays as it is (its connection holds the write lock) */
	attach = sqlite3_mprintf("ATTACH %Q AS old", u->path);
	if (rc == SQLITE_OK)
		rc = attach ? exec_sql(u->db, attach, "attach the old database") : SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = copy_all(u);
	sqlite3_free(attach);
	return rc;
}

int sr_db_upgrade_v7(const char *path)
{
	struct up u = {.path = path};
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	sqlite3 *old = NULL;
	struct stat st;
	int64_t t0 = sr_now_us();
	int rc, fd, err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.v7-tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* a previous attempt that did not finish */
	if (unlink(tmp) == 0)
		sr_warn("database %s: removed %s, left by an upgrade that did not finish", path,
		        tmp);
	/*
	 * The old database leaves WAL mode: its -wal and -shm files go, so none
	 * can be taken for the new file's after the rename. This needs the only
	 * connection; then a write lock, held until the end, keeps any other
	 * writer out while it is copied.
	 */
	rc = sqlite3_open_v2(path, &old, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(old, 30000);
		rc = exec_sql(old, "PRAGMA journal_mode = DELETE", "leave WAL mode");
	}
	if (rc == SQLITE_OK)
		rc = exec_sql(old, "BEGIN IMMEDIATE", "lock the old database");
	if (rc != SQLITE_OK) {
		sr_err("database %s: cannot upgrade to schema version 7: %s (is another program "
		       "using it?)",
		       path, old ? sqlite3_errmsg(old) : sqlite3_errstr(rc));
		sqlite3_close(old);
		return sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
	}
	sr_info("database %s: upgrading to schema version 7 (a new file, %s, built beside it and "
	        "renamed over it; the old file stays as it is until then)",
	        path, tmp);
	/* who ran what: the new file is private from its first byte (SQLite would
	 * create it 0644); it takes the old one's mode and group before the rename */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err = -errno;
		sr_err("database %s: cannot create %s: %s", path, tmp, strerror(-err));
		sqlite3_exec(old, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(old);
		return err;
	}
	close(fd);
	rc = build(&u, tmp);
	if (rc != SQLITE_OK)
		sr_err("database %s: upgrade to schema version 7 failed: %s", path,
		       u.db ? sqlite3_errmsg(u.db) : sqlite3_errstr(rc));
	up_free(&u);
	if (rc == SQLITE_OK)
		err = sync_path(tmp, false);
	/* the new file takes the old one's mode and owner */
	if (!err && rc == SQLITE_OK && !stat(path, &st)) {
		if (chmod(tmp, st.st_mode & 07777) || chown(tmp, st.st_uid, st.st_gid))
			err = -errno;
	}
	if (!err && rc == SQLITE_OK && rename(tmp, path))
		err = -errno;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (!err && rc == SQLITE_OK)
		err = sync_path(slash ? dir : ".", true);
	sqlite3_exec(old, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(old);
	if (rc != SQLITE_OK || err) {
		if (err)
			sr_err("database %s: upgrade to schema version 7: %s", path,
			       strerror(-err));
		unlink(tmp);
		return err ? err : sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
	}
	sr_info("database %s: upgraded to schema version 7 in %.1f s: %llu records (%llu kept as "
	        "text: written in an older format), %llu processes",
	        path, (double)(sr_now_us() - t0) / 1e6, (unsigned long long)u.events,
	        (unsigned long long)u.verbatim, (unsigned long long)u.procs);
	return 0;
}
