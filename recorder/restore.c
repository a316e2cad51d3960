/* SPDX-License-Identifier: BSD-2-Clause */
/* Restart without loss: rebuild open sessions from the DB and the cgroup tree. */
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "log.h"
#include "paths.h"
#include "recorder/daemon.h"
#include "recorder/store/db.h"
#include "timeutil.h"

static sqlite3 *open_ro(const struct sr_config *cfg)
{
	sqlite3 *db = NULL;

	if (!cfg->db_path || !cfg->db_path[0])
		return NULL;
	if (sqlite3_open_v2(cfg->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static int64_t query_int(sqlite3 *db, const char *sql, int64_t arg, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	if (arg)
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int64_t sr_restore_next_entity(const struct sr_config *cfg)
{
	sqlite3 *db = open_ro(cfg);
	int64_t next = 0;

	if (db) {
		next = sr_db_next_process_id(db);
		sqlite3_close(db);
	}
	/* without a DB, the clock keeps ids unique across restarts */
	return next > 0 ? next : sr_now_us();
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void restore_counts(sqlite3 *db, struct sr_corr_session *cs)
{
	sqlite3_stmt *st;
	int k;

	if (sqlite3_prepare_v2(db,
	                       "SELECT kind, COUNT(*) FROM events WHERE session_id = ? "
	                       "GROUP BY kind",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, cs->info.key);
	while (sqlite3_step(st) == SQLITE_ROW) {
		k = sqlite3_column_int(st, 0);
		if (k >= 0 && k < SR_REC_KIND_MAX)
			cs->info.counts[k] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

static void restore_procs(sqlite3 *db, struct sr_corr_session *cs)
{
	sqlite3_stmt *st;

	/* live images in exec order: a later exec of the same pid replaces the earlier */
	if (sqlite3_prepare_v2(db,
	                       "SELECT p.id, p.parent_id, p.pid, p.ppid, g.name, d.path, "
	                       "p.start_us, p.exec_ei FROM processes p "
	                       "JOIN programs g ON g.id = p.program JOIN paths d ON d.id = p.path "
	                       "WHERE p.session_id = ? AND p.end_us IS NULL AND p.return_code = 0 "
	                       "ORDER BY p.exec_ei",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, cs->info.key);
	while (sqlite3_step(st) == SQLITE_ROW)
		sr_corr_restore_proc(cs, (uint32_t)sqlite3_column_int(st, 2),
		                     (uint32_t)sqlite3_column_int(st, 3),
		                     sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                     sqlite3_column_int64(st, 6),
		                     (uint64_t)sqlite3_column_int64(st, 7), col(st, 4), col(st, 5));
	sqlite3_finalize(st);
}

/* A session of @p in (leader comm @p comm) as a restart finds it, not in the table yet. */
static struct sr_session *session_make(struct sr_daemon *d, const struct sr_session_info *in,
                                       const char *comm)
{
	struct sr_session *s = calloc(1, sizeof(*s));
	char dir[PATH_MAX];

	if (!s)
		return NULL;
	/* the same classes as at open: per-user and per-group overrides */
	sr_session_login_classes(d->cfg, in->login ? in->login : "", &s->classes, &s->flags);
	if (sr_corr_session_init(&s->corr, in, comm, sr_config_disk_mode(s->classes, s->flags),
	                         s->classes & SR_CLASS_BIT(SR_CLASS_NETWORK))) {
		free(s);
		return NULL;
	}
	s->closing = in->closing_us != 0;
	/* not ours to remove when it is not under <cgroup2>/sshrec (an adopted scope) */
	s->cgroup_adopted = !in->cgroup_path || strncmp(in->cgroup_path, "/" SR_CGROUP_PARENT "/",
	                                                sizeof(SR_CGROUP_PARENT) + 1);
	if (in->cgroup_path) {
		snprintf(dir, sizeof(dir), "%s%s", d->cg2, in->cgroup_path);
		s->cg_dir = strdup(dir);
	}
	return s;
}

/* Into the kernel filter, its rules and the table. */
static void session_attach(struct sr_daemon *d, struct sr_session *s)
{
	const struct sr_session_info *in = &s->corr.info;
	int err;

	err = sr_capture_session_add(d->cap, (uint64_t)in->key, in->cgroup_id, in->audit_session_id,
	                             s->classes, s->flags);
	if (err)
		sr_warn("session %s: cannot re-add to the kernel filter: %s", in->sid,
		        strerror(-err));
	sr_policy_session_bind(d, s); /* logged; the pinned old rules hold until the sweep */
	sr_session_insert(d, s);
}

static int restore_one(struct sr_daemon *d, sqlite3 *db, sqlite3_stmt *st)
{
	struct sr_session_info in = {0};
	struct sr_session *s;

	in.key = sqlite3_column_int64(st, 0);
	snprintf(in.sid, sizeof(in.sid), "%s", col(st, 1) ? col(st, 1) : "");
	/* the session's, as its session.start recorded them (and its row keeps) */
	in.server_id = col(st, 21) ? col(st, 21) : d->server_id;
	in.server_hostname = col(st, 22) ? col(st, 22) : d->hostname;
	in.login = col(st, 2);
	in.user = col(st, 3);
	in.service = col(st, 4);
	in.tty = col(st, 5);
	in.rhost = col(st, 6);
	in.remote_addr = col(st, 7);
	in.remote_port = sqlite3_column_int(st, 8);
	in.local_addr = col(st, 9);
	in.local_port = sqlite3_column_int(st, 10);
	in.auth_method = col(st, 11);
	in.key_type = col(st, 12);
	in.key_fingerprint = col(st, 13);
	in.leader_pid = sqlite3_column_int(st, 14);
	in.cgroup_id = (uint64_t)sqlite3_column_int64(st, 15);
	in.cgroup_path = col(st, 16);
	in.capture_backend = sr_backend_name(sr_capture_backend(d->cap)); /* from now on */
	in.audit_session_id = (uint32_t)sqlite3_column_int64(st, 17);
	in.start_us = sqlite3_column_int64(st, 18);
	in.closing_us = sqlite3_column_int64(st, 19);
	in.state = in.closing_us ? "closing" : "active";
	in.lost = (uint64_t)sqlite3_column_int64(st, 20);
	s = session_make(d, &in, "sshd");
	if (!s)
		return -ENOMEM;
	s->corr.next_ei =
	    (uint64_t)query_int(db, "SELECT MAX(ei) FROM events WHERE session_id = ?", in.key, -1) +
	    1;
	restore_counts(db, &s->corr);
	restore_procs(db, &s->corr);
	session_attach(d, s);
	sr_info("session %s restored: login %s, next ei %llu, %zu live processes", in.sid, in.login,
	        (unsigned long long)s->corr.next_ei, sr_corr_live_procs(&s->corr));
	return 0;
}

/* What the outage journal gave back (the log line at its end). */
struct jstats {
	sqlite3 *db; /* NULL: no database */
	int opened, states, losses, ends;
};

/* A session of the journal: only when SQLite has no row of it (any state). */
static void journal_open(struct sr_daemon *d, const struct sr_jentry *e, struct jstats *js)
{
	struct sr_session_info in = e->info;
	struct sr_session *s;

	if (sr_session_by_key(d, (uint64_t)in.key) ||
	    (js->db && query_int(js->db, "SELECT COUNT(*) FROM sessions WHERE id = ?", in.key, 0)))
		return;
	in.server_id = in.server_id ? in.server_id : d->server_id;
	in.server_hostname = in.server_hostname ? in.server_hostname : d->hostname;
	in.state = "active";
	s = session_make(d, &in, e->comm);
	if (!s) {
		sr_err("session %s of the outage journal: out of memory: not restored", in.sid);
		return;
	}
	session_attach(d, s);
	/* its session.start again, the same record (ei 0, time, uid): SQLite never got it */
	sr_corr_start(&d->corr, &s->corr);
	js->opened++;
	sr_info("session %s restored from the outage journal: login %s", in.sid, in.login);
}

/* A closing time or a logind scope the database may not have. */
static void journal_state(struct sr_daemon *d, struct sr_session *s, const struct sr_jentry *e)
{
	struct sr_session_info *in = &s->corr.info;
	char dir[PATH_MAX + 1100], *path, *cdir;
	int err;

	if (e->info.cgroup_path &&
	    (!in->cgroup_path || strcmp(in->cgroup_path, e->info.cgroup_path))) {
		snprintf(dir, sizeof(dir), "%s%s", d->cg2, e->info.cgroup_path);
		path = strdup(e->info.cgroup_path);
		cdir = strdup(dir);
		if (!path || !cdir) {
			free(path);
			free(cdir);
			sr_err("session %s: out of memory: its scope in the outage journal is not "
			       "restored",
			       in->sid);
			return;
		}
		err = sr_capture_session_set_cgroup(d->cap, (uint64_t)in->key, e->info.cgroup_id);
		if (err)
			sr_warn("session %s: cannot adopt %s in the kernel filter: %s", in->sid,
			        path, strerror(-err));
		free((char *)in->cgroup_path);
		free(s->cg_dir);
		in->cgroup_path = path;
		in->cgroup_id = e->info.cgroup_id;
		s->cg_dir = cdir;
		s->cgroup_adopted = true; /* a logind scope is the only cgroup a session moves to */
	}
	if (e->info.closing_us && !s->closing) {
		s->closing = true;
		in->closing_us = e->info.closing_us;
		in->state = "closing";
	}
	sr_sinks_session_update(d, in);
}

static void journal_apply(struct sr_daemon *d, const struct sr_jentry *e, void *ctx)
{
	struct jstats *js = ctx;
	struct sr_session *s = sr_session_by_key(d, (uint64_t)e->info.key);
	struct sr_jloss *more;
	size_t i;

	switch (e->op) {
	case SR_JOP_OPEN:
		journal_open(d, e, js);
		return;
	case SR_JOP_STATE:
		if (s) {
			journal_state(d, s, e);
			js->states++;
		}
		return;
	case SR_JOP_LOSS:
		/* below next_ei: SQLite has that record */
		if (!s || e->ei < s->corr.next_ei)
			return;
		for (i = 0; i < s->nreplay; i++)
			if (s->replay[i].ei == e->ei)
				return;
		more = realloc(s->replay, (s->nreplay + 1) * sizeof(*more));
		if (!more) {
			sr_err(
			    "session %s: out of memory: a loss count of the outage journal is not "
			    "recorded",
			    s->corr.info.sid);
			return;
		}
		s->replay = more;
		s->replay[s->nreplay].ei = e->ei;
		s->replay[s->nreplay].time_us = e->time_us;
		for (i = 0; i < 3; i++)
			s->replay[s->nreplay].lost.lost[i] = e->lost[i];
		s->nreplay++;
		d->jnl_replay++;
		js->losses++;
		return;
	case SR_JOP_END:
		if (!s || e->ei < s->corr.next_ei || s->end_replay_us)
			return;
		s->end_replay_us = e->time_us;
		d->jnl_replay++;
		js->ends++;
		return;
	case SR_JOP_BASE:
		/* of this very ring buffer only; positions grow: the newest, the
		 * later line of two at one position (sr_restore_ring_position) */
		if (!d->rb.id || e->ring != d->rb.id || (d->jnl_rbase && e->pos < d->jnl_rbase_pos))
			return;
		d->jnl_rbase = true;
		d->jnl_rbase_pos = e->pos;
		d->jnl_rbase_off = e->offset_us;
		return;
	}
}

/* After the database's sessions: what SQLite did not commit before a kill -9. */
static int restore_journal(struct sr_daemon *d, sqlite3 *db)
{
	struct jstats js = {.db = db};
	int n = sr_journal_load(d, journal_apply, &js);

	if (n > 0)
		sr_info(
		    "outage journal %s: restored %d sessions, %d states, %d loss counts, %d ends",
		    d->jnl_path, js.opened, js.states, js.losses, js.ends);
	return js.opened;
}

/*
 * The processes forked and not exec'd at the stored ring position, with the
 * image each inherited (SR_DB_META_FORKS, sr_corr_forks_text()): their fork
 * events are behind that position, and SQLite has rows only for exec'd
 * images, so without these an exec after the restart of a child of a
 * subshell (that never exec'd) or of an orphan had no parent.
 */
static void restore_forks(struct sr_daemon *d, sqlite3 *db)
{
	sqlite3_stmt *st;
	const char *t;
	long long key, entity;
	unsigned pid;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = '" SR_DB_META_FORKS "'", -1,
	                       &st, NULL) != SQLITE_OK)
		return;
	for (t = sqlite3_step(st) == SQLITE_ROW ? col(st, 0) : NULL; t && *t;
	     t = strchr(t, '\n') ? strchr(t, '\n') + 1 : NULL) {
		struct sr_session *s;

		if (sscanf(t, "%lld %u %lld", &key, &pid, &entity) != 3 || key <= 0)
			continue;
		s = sr_session_by_key(d, (uint64_t)key);
		if (s && !sr_corr_restore_fork(&s->corr, pid, entity))
			n++;
	}
	sqlite3_finalize(st);
	if (n)
		sr_info("restored %d forked processes that have not exec'd yet", n);
}

/* Session cgroups the DB does not know: their records cannot be attributed. */
static void scan_cgroups(struct sr_daemon *d)
{
	char dir[PATH_MAX + 16], rel[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", d->cg2, SR_CGROUP_PARENT);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		size_t i;
		struct sr_session *s;
		bool known = false;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (!strncmp(de->d_name, "linger-", 7))
			continue; /* a linger watcher of a previous sshrecd (linger.c) */
		snprintf(rel, sizeof(rel), "/%s/%.255s", SR_CGROUP_PARENT, de->d_name);
		for (i = 0; i < SR_SESS_BUCKETS && !known; i++)
			for (s = d->sess[i]; s; s = s->next)
				if (s->corr.info.cgroup_path &&
				    !strcmp(s->corr.info.cgroup_path, rel))
					known = true;
		if (!known)
			sr_warn("cgroup %s%s belongs to no session in the database: left alone",
			        d->cg2, rel);
	}
	closedir(dp);
}

int sr_restore(struct sr_daemon *d)
{
	sqlite3_stmt *st;
	sqlite3 *db = open_ro(d->cfg);
	int n = 0;

	if (!db) {
		if (sr_capture_reused(d->cap))
			sr_warn("no database to restore sessions from: events of sessions opened "
			        "before this start are not attributed");
		n = restore_journal(d, NULL);
		scan_cgroups(d);
		if (n)
			sr_session_update_demand(d);
		return n;
	}
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, sid, login, user, service, tty, rhost, remote_addr, "
	                       "remote_port, local_addr, local_port, auth_method, key_type, "
	                       "key_fingerprint, leader_pid, cgroup_id, cgroup_path, "
	                       "audit_session_id, start_us, closing_us, lost, server_id, "
	                       "server_hostname FROM sessions "
	                       "WHERE state != 'ended' ORDER BY start_us",
	                       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			if (!restore_one(d, db, st))
				n++;
		sqlite3_finalize(st);
	}
	n += restore_journal(d, db);
	restore_forks(d, db);
	sqlite3_close(db);
	scan_cgroups(d);
	if (n)
		sr_session_update_demand(d);
	return n;
}

void sr_restore_ring_position(struct sr_daemon *d)
{
	sqlite3 *db = open_ro(d->cfg);
	sqlite3_stmt *st;
	unsigned long long pos = 0;
	long long offset = 0;
	unsigned id = 0;
	int n, have = 0;
	bool reused = sr_capture_reused(d->cap) && d->rb.id;

	if (db) {
		if (sqlite3_prepare_v2(db,
		                       "SELECT value FROM meta WHERE key = '" SR_DB_META_RING "'",
		                       -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW && col(st, 0))
				have = sscanf(col(st, 0), "%u:%llu:%lld", &id, &pos, &offset);
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
	}
	/* only the very ring buffer the position was read from, kept pinned */
	if (have < 2 || !reused || id != d->rb.id)
		have = 0;
	/*
	 * The time base the previous sshrecd converted what lies past SQLite's
	 * commit with: the newer of the database's (its last commit) and the
	 * outage journal's (an append while SQLite could not commit, or none was
	 * made yet), each of this ring. Without it a restart measures its own,
	 * a microsecond off, and the records it makes again from the ring would
	 * not be the ones the other sinks got (another time, another uid).
	 */
	if (reused && d->jnl_rbase && (have < 3 || d->jnl_rbase_pos >= pos)) {
		sr_boot_offset_keep(d->jnl_rbase_off);
		sr_info("time base of the outage journal (ring position %llu)",
		        (unsigned long long)d->jnl_rbase_pos);
	} else if (have == 3) /* sshrec before 2026-12-01 stored no time base */
		sr_boot_offset_keep(offset);
	if (!have)
		return;
	n = sr_ringbuf_skip_to(&d->rb, pos);
	if (n > 0)
		sr_info("skipped %d queued records the previous sshrecd had already stored", n);
	else if (n < 0)
		sr_warn("stored ring position %llu is not in the ring buffer (read position %llu): "
		        "reading everything queued",
		        pos, (unsigned long long)d->rb.read_pos);
}
