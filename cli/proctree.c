/* SPDX-License-Identifier: BSD-2-Clause */
/* A session's process forest in memory (tree, replay, report). */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/output.h"
#include "execname.h"

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return strdup(s ? (const char *)s : "");
}

/*
 * The dictionary strings of one tree: a session's processes share a few
 * programs, paths and working directories, so each is read once by id
 * instead of joined on every row (a 100,000-process session had 3 paths and
 * 2 cwds). Direct-mapped by id; a string evicted from its slot stays in the
 * tree's pool, where the processes that use it point.
 */
#define DICT_SLOTS 256

struct dict {
	sqlite3_stmt *st; /**< SELECT the text WHERE id = ?1 */
	struct {
		int64_t id;
		const char *s; /**< NULL: a NULL text, or no row */
		bool used, found;
	} slot[DICT_SLOTS];
};

/* The text of row @p id into *out (NULL when the text is NULL): 0, 1 when
 * there is no such row, -ENOMEM or -EIO. */
static int dict_get(struct sr_cli *cli, struct sr_tree *t, struct dict *d, int64_t id,
                    const char **out)
{
	size_t k = (size_t)((uint64_t)id % DICT_SLOTS);
	const unsigned char *txt;
	char *s = NULL;
	int rc;

	if (d->slot[k].used && d->slot[k].id == id) {
		*out = d->slot[k].s;
		return d->slot[k].found ? 0 : 1;
	}
	sqlite3_reset(d->st);
	sqlite3_bind_int64(d->st, 1, id);
	rc = sqlite3_step(d->st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		return -EIO;
	}
	txt = rc == SQLITE_ROW ? sqlite3_column_text(d->st, 0) : NULL;
	if (txt) {
		if (t->nstrs == t->strs_cap) {
			size_t nc = t->strs_cap ? t->strs_cap * 2 : 16;
			char **ns = realloc(t->strs, nc * sizeof(*ns));

			if (!ns)
				return -ENOMEM;
			t->strs = ns;
			t->strs_cap = nc;
		}
		if (!(s = strdup((const char *)txt)))
			return -ENOMEM;
		t->strs[t->nstrs++] = s;
	}
	d->slot[k].id = id;
	d->slot[k].s = s;
	d->slot[k].used = true;
	d->slot[k].found = rc == SQLITE_ROW;
	*out = s;
	return rc == SQLITE_ROW ? 0 : 1;
}

/*
 * Dictionary id column @p col of @p st through @p d, as its join gave it.
 * @p inner: 1 when the row would not have joined, else 0 ("" for a NULL
 * text); a LEFT JOIN's: 0, *out NULL for a NULL id, a missing row or a NULL
 * text. -ENOMEM or -EIO.
 */
static int dict_col(struct sr_cli *cli, struct sr_tree *t, struct dict *d, sqlite3_stmt *st,
                    int col, bool inner, const char **out)
{
	int rc;

	*out = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return inner;
	rc = dict_get(cli, t, d, sqlite3_column_int64(st, col), out);
	if (rc == 0 && inner && !*out)
		*out = "";
	return rc == 1 && !inner ? 0 : rc;
}

struct id_ix {
	int64_t id;
	size_t ix;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_ix *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static size_t find_ix(const struct id_ix *map, size_t n, int64_t id)
{
	struct id_ix key = {id, 0};
	const struct id_ix *f = bsearch(&key, map, n, sizeof(*map), cmp_id);

	return f ? f->ix : SIZE_MAX;
}

static int attach_add(struct sr_attach **a, size_t *n, size_t *cap, const struct sr_attach *v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct sr_attach *na = realloc(*a, nc * sizeof(**a));

		if (!na)
			return -ENOMEM;
		*a = na;
		*cap = nc;
	}
	(*a)[(*n)++] = *v;
	return 0;
}

/* One-line description of a disk, network or denied record (raw, unescaped)
 * into a->text, and for a disk record its path and flags. Returns 0 or -ENOMEM. */
static int attach_text(const char *event, const char *json, struct sr_attach *a)
{
	json_object *o = json_tokener_parse(json);
	char buf[8192], eb[16];
	bool net = strcmp(event, "session.network") == 0;
	int64_t *rc = &a->rc;
	bool *failed = &a->failed;

	*rc = 0;
	*failed = false;
	if (!o)
		return (a->text = strdup(json)) ? 0 : -ENOMEM;
	if (!strcmp(event, "session.denied")) {
		*failed = true;
		sr_denied_text(sr_j_str_or(o, "kind", "action"), sr_j_str(o, "target"),
		               sr_j_str(o, "rule"), sr_j_str_or(o, "policy_mode", "mode"),
		               sr_j_str(o, "mechanism"), sr_j_str(o, "effect"), buf, sizeof(buf));
	} else if (net) {
		/* action 1: the session policy refused it */
		const char *res = sr_j_int(o, "action", 0) == 1 ? "denied" : sr_j_str(o, "result");
		int v = (int)sr_j_int(o, "version", 4);
		const char *lb = v == 6 ? "[" : "", *rb = v == 6 ? "]" : "";

		int64_t op = sr_j_int(o, "operation", 0);

		*failed = res && strcmp(res, "established") && strcmp(res, "pending") &&
		          strcmp(res, "sent");
		/* an accept: dst is the local listener, src the peer that connected */
		snprintf(buf, sizeof(buf), "%s %s%s%s:%" PRId64 " from %s%s%s:%" PRId64 " %s",
		         op == 2   ? "accept on"
		         : op == 1 ? "udp send to"
		                   : "connect",
		         lb, sr_j_str(o, "dst_addr") ? sr_j_str(o, "dst_addr") : "?", rb,
		         sr_j_int(o, "dst_port", 0), lb,
		         sr_j_str(o, "src_addr") ? sr_j_str(o, "src_addr") : "?", rb,
		         sr_j_int(o, "src_port", 0), res ? res : "");
	} else {
		const char *p = sr_j_str(o, "path"), *ft = sr_j_str(o, "flags_text");

		*rc = sr_j_int(o, "return_code", 0);
		*failed = *rc < 0;
		a->flags = (uint64_t)sr_j_int(o, "flags", 0);
		if (!(a->path = strdup(p ? p : ""))) {
			json_object_put(o);
			return -ENOMEM;
		}
		if (*rc < 0)
			snprintf(buf, sizeof(buf), "open %s %s = %s", p ? p : "?", ft ? ft : "",
			         sr_rc_errno_name(*rc, eb, sizeof(eb)));
		else
			snprintf(buf, sizeof(buf), "open %s %s", p ? p : "?", ft ? ft : "");
		if (sr_j_str(o, "path_error")) {
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof(buf) - l, " (path %s)", sr_j_str(o, "path_error"));
		}
	}
	json_object_put(o);
	return (a->text = strdup(buf)) ? 0 : -ENOMEM;
}

static int load_attach(struct sr_cli *cli, int64_t session_id, bool files, bool net, bool denied,
                       struct sr_tree *t, const struct id_ix *map)
{
	struct sr_store_reader rd;
	sqlite3_stmt *st;
	int rc;

	if (sr_db_reader(cli, &rd))
		return -EIO;
	/* denials alone (the tree without --files/--net) read the small partial
	 * index, whose condition (kind = 8) the query must state as it is */
	if (sr_db_prepare(cli,
	                  files || net
	                      ? "SELECT " SR_STORE_EVENT_COLS " FROM events e WHERE "
	                        "e.session_id = ?1 AND e.kind IN (?2, ?3, ?4) ORDER BY e.ei"
	                      : "SELECT " SR_STORE_EVENT_COLS " FROM events e WHERE "
	                        "e.session_id = ?1 AND e.kind = 8 ORDER BY e.ei",
	                  &st)) {
		sr_store_reader_free(&rd);
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, session_id);
	if (files || net) {
		sqlite3_bind_int(st, 2, files ? SR_REC_DISK : -1);
		sqlite3_bind_int(st, 3, net ? SR_REC_NETWORK : -1);
		sqlite3_bind_int(st, 4, denied ? SR_REC_DENIED : -1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct sr_record *rec;
		const char *js;
		size_t jl, ix;
		struct sr_attach a = {0};

		if (sr_db_record(cli, &rd, st, 0, &rec, &js, &jl)) {
			sqlite3_finalize(st);
			sr_store_reader_free(&rd);
			return -EIO;
		}
		ix = rec->process_id ? find_ix(map, t->n, rec->process_id) : SIZE_MAX;
		a.time_us = rec->time_us;
		a.network = rec->kind == SR_REC_NETWORK;
		a.denied = rec->kind == SR_REC_DENIED;
		if (attach_text(sr_rec_event_name(rec->kind), js, &a) ||
		    (ix == SIZE_MAX
		         ? attach_add(&t->orphan, &t->norphan, &t->orphan_cap, &a)
		         : attach_add(&t->p[ix].att, &t->p[ix].natt, &t->p[ix].att_cap, &a))) {
			free(a.text);
			free(a.path);
			goto oom;
		}
		if (a.denied && ix != SIZE_MAX)
			t->p[ix].ndenied++;
	}
	sqlite3_finalize(st);
	sr_store_reader_free(&rd);
	if (rc != SQLITE_DONE) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		return -EIO;
	}
	return 0;
oom:
	sqlite3_finalize(st);
	sr_store_reader_free(&rd);
	sr_cli_error("out of memory");
	return -ENOMEM;
}

/* The processes of the session in start order, into t->p. 0 or -errno (the
 * error line printed). */
static int load_procs(struct sr_cli *cli, int64_t session_id, struct sr_tree *t)
{
	/* each dictionary by id (struct dict); the argument vectors are nearly
	 * all distinct, so they stay joined */
	struct dict programs = {0}, paths = {0};
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -EIO;

	if (sr_db_prepare(cli, "SELECT name FROM programs WHERE id = ?1", &programs.st) ||
	    sr_db_prepare(cli, "SELECT path FROM paths WHERE id = ?1", &paths.st) ||
	    sr_db_prepare(cli,
	                  "SELECT p.id, p.parent_id, p.pid, p.ppid, p.program, p.path, a.argv, "
	                  "p.argv_truncated, p.cwd, p.return_code, p.start_us, p.end_us, "
	                  "p.exit_code, p.signal, p.duration_ms, p.exe, p.exe_kind "
	                  "FROM processes p JOIN argvs a ON a.id = p.argv "
	                  "WHERE p.session_id = ?1 ORDER BY p.start_us, p.id",
	                  &st))
		goto out;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sr_proc *p;
		const char *program, *path;

		if ((rc = dict_col(cli, t, &programs, st, 4, true, &program)) < 0 ||
		    (rc == 0 && (rc = dict_col(cli, t, &paths, st, 5, true, &path)) < 0))
			goto out;
		if (rc == 1)
			continue; /* the join found no row */
		if (t->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct sr_proc *np = realloc(t->p, nc * sizeof(*np));

			rc = -ENOMEM;
			if (!np)
				goto out;
			t->p = np;
			cap = nc;
		}
		p = &t->p[t->n];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(st, 0);
		p->parent_id = sqlite3_column_int64(st, 1);
		p->pid = sqlite3_column_int(st, 2);
		p->ppid = sqlite3_column_int(st, 3);
		p->program = program;
		p->path = path;
		p->argv_json = dup_col(st, 6);
		p->argv_truncated = sqlite3_column_int(st, 7) != 0;
		p->return_code = sqlite3_column_int(st, 9);
		p->start_us = sqlite3_column_int64(st, 10);
		p->end_us = sqlite3_column_int64(st, 11);
		p->has_exit =
		    sqlite3_column_type(st, 12) != SQLITE_NULL || sqlite3_column_int(st, 13) > 0;
		p->exit_code = sqlite3_column_int(st, 12);
		p->signal = sqlite3_column_int(st, 13);
		p->duration_ms =
		    sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 14);
		p->parent_idx = p->first_child = p->next_sibling = SIZE_MAX;
		t->n++;
		if ((rc = dict_col(cli, t, &paths, st, 8, false, &p->cwd)) ||
		    (rc = dict_col(cli, t, &paths, st, 15, false, &p->exe)))
			goto out;
		rc = -ENOMEM;
		if (!p->argv_json || !(p->cmdline = sr_argv_join(p->argv_json, p->argv_truncated)))
			goto out;
		p->exe_kind = sqlite3_column_type(st, 16) == SQLITE_NULL ? NULL : dup_col(st, 16);
		p->label = sr_exe_label(p->path, p->exe, p->exe_kind);
		if ((sqlite3_column_type(st, 16) != SQLITE_NULL && !p->exe_kind) ||
		    (!p->label && errno == ENOMEM))
			goto out;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
out:
	if (rc == -ENOMEM)
		sr_cli_error("out of memory");
	else if (rc > 0)
		rc = -EIO;
	sqlite3_finalize(st);
	sqlite3_finalize(programs.st);
	sqlite3_finalize(paths.st);
	return rc;
}

int sr_tree_load(struct sr_cli *cli, int64_t session_id, bool files, bool net, bool denied,
                 struct sr_tree *t)
{
	struct id_ix *map = NULL;
	size_t i, *last = NULL, last_root = SIZE_MAX;
	int rc;

	memset(t, 0, sizeof(*t));
	t->first_root = SIZE_MAX;
	rc = load_procs(cli, session_id, t);
	if (rc) {
		sr_tree_free(t);
		return rc;
	}
	map = malloc((t->n ? t->n : 1) * sizeof(*map));
	last = malloc((t->n ? t->n : 1) * sizeof(*last));
	if (!map || !last)
		goto oom;
	for (i = 0; i < t->n; i++) {
		map[i].id = t->p[i].id;
		map[i].ix = i;
		last[i] = SIZE_MAX;
	}
	qsort(map, t->n, sizeof(*map), cmp_id);
	/* link children in start order */
	for (i = 0; i < t->n; i++) {
		struct sr_proc *p = &t->p[i];
		size_t par = p->parent_id ? find_ix(map, t->n, p->parent_id) : SIZE_MAX;

		if (par == i)
			par = SIZE_MAX;
		p->parent_idx = par;
		if (par != SIZE_MAX && t->p[par].pid == p->pid)
			t->p[par].execd = true;
		if (par == SIZE_MAX) {
			if (last_root == SIZE_MAX)
				t->first_root = i;
			else
				t->p[last_root].next_sibling = i;
			last_root = i;
		} else {
			if (last[par] == SIZE_MAX)
				t->p[par].first_child = i;
			else
				t->p[last[par]].next_sibling = i;
			last[par] = i;
		}
	}
	/* depth in preorder: a parent is always visited before its children */
	for (i = t->first_root; i != SIZE_MAX; i = sr_tree_next(t, i))
		t->p[i].depth =
		    t->p[i].parent_idx == SIZE_MAX ? 0 : t->p[t->p[i].parent_idx].depth + 1;
	free(last);
	last = NULL;
	if (files || net || denied) {
		rc = load_attach(cli, session_id, files, net, denied, t, map);
		free(map);
		if (rc) {
			sr_tree_free(t);
			return rc;
		}
		return 0;
	}
	free(map);
	return 0;
oom:
	free(map);
	free(last);
	sr_tree_free(t);
	sr_cli_error("out of memory");
	return -ENOMEM;
}

void sr_tree_free(struct sr_tree *t)
{
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		struct sr_proc *p = &t->p[i];

		free(p->argv_json);
		free(p->cmdline);
		free(p->exe_kind);
		free(p->label);
		for (k = 0; k < p->natt; k++) {
			free(p->att[k].text);
			free(p->att[k].path);
		}
		free(p->att);
	}
	for (k = 0; k < t->norphan; k++) {
		free(t->orphan[k].text);
		free(t->orphan[k].path);
	}
	free(t->orphan);
	for (i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->p);
	memset(t, 0, sizeof(*t));
	t->first_root = SIZE_MAX;
}

size_t sr_tree_next(const struct sr_tree *t, size_t i)
{
	if (t->p[i].first_child != SIZE_MAX)
		return t->p[i].first_child;
	while (i != SIZE_MAX) {
		if (t->p[i].next_sibling != SIZE_MAX)
			return t->p[i].next_sibling;
		i = t->p[i].parent_idx;
	}
	return SIZE_MAX;
}

char *sr_proc_outcome(const struct sr_proc *p, char *buf, size_t cap)
{
	char nb[32];

	if (p->return_code < 0)
		snprintf(buf, cap, "exec failed: %s",
		         sr_rc_errno_name(p->return_code, nb, sizeof(nb)));
	else if (p->has_exit && p->signal > 0)
		snprintf(buf, cap, "killed by %s", sr_signal_name(p->signal, nb, sizeof(nb)));
	else if (p->has_exit && cap >= sizeof("exit ") + SR_FMT_INT_MAX - 1)
		sr_fmt_int(p->exit_code, (char *)memcpy(buf, "exit ", 5) + 5);
	else if (p->has_exit)
		snprintf(buf, cap, "exit %d", p->exit_code);
	else if (p->execd)
		snprintf(buf, cap, "exec'd");
	else
		snprintf(buf, cap, "running");
	return buf;
}
