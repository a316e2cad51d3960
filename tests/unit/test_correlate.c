/* SPDX-License-Identifier: BSD-2-Clause */
/* Correlator unit tests: synthetic kernel event sequences -> records. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "recorder/correlate.h"
#include "strsafe.h"
#include "uuid.h"

#define MAXREC 64

struct got {
	enum sr_rec_kind kind;
	uint64_t ei;
	int32_t pid;
	int64_t process_id;
	int64_t parent_id;
	int32_t return_code;
	bool has_exit;
	int32_t exit_code, signal;
	char program[64];
	char *json;
	char *argv_json; /* the processes row's argv (command records) */
};

static struct got recs[MAXREC];
static int nrec;

static int collect(void *ctx, const struct sr_record *r)
{
	struct got *g = &recs[nrec++];

	(void)ctx;
	assert_true(nrec <= MAXREC);
	memset(g, 0, sizeof(*g));
	g->kind = r->kind;
	g->ei = r->ei;
	g->pid = r->pid;
	g->process_id = r->process_id;
	if (r->proc) {
		g->parent_id = r->proc->parent_id;
		g->return_code = r->proc->return_code;
		g->has_exit = r->proc->has_exit;
		g->exit_code = r->proc->exit_code;
		g->signal = r->proc->signal;
		snprintf(g->program, sizeof(g->program), "%s", r->proc->program);
		if (r->proc->argv_json)
			g->argv_json = strdup(r->proc->argv_json);
	}
	g->json = strndup(r->json, r->json_len);
	return 0;
}

static struct sr_corr corr;
static struct sr_corr_session sess;
static uint64_t now_ns = 1000000000ull;

/* the session every test records into */
static const struct sr_session_info sess_in = {.key = 42,
                                               .sid = "0190a0b0-0000-7000-8000-000000000001",
                                               .login = "alice",
                                               .user = "SHA256:abc",
                                               .leader_pid = 100,
                                               .start_us = 1};

static int setup(void **state)
{
	(void)state;
	nrec = 0;
	assert_int_equal(sr_corr_init(&corr, 1, collect, NULL), 0);
	assert_int_equal(sr_corr_session_init(&sess, &sess_in, "sshd", SR_DISK_ALL, true), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nrec; i++) {
		free(recs[i].json);
		free(recs[i].argv_json);
	}
	sr_corr_session_free(&sess);
	sr_corr_free(&corr);
	return 0;
}

static void hdr(struct sr_event_hdr *h, uint16_t type, uint32_t size, uint32_t pid, uint32_t ppid)
{
	h->type = type;
	h->abi = SR_EVENTS_ABI_VERSION;
	h->size = size;
	h->ts_ns = now_ns += 1000;
	h->session_key = 42;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	strcpy(h->comm, "comm");
}

/* the controlling terminal the next ev_exec() reports ("" none) */
static const char *next_tty = "";
/* the file the next ev_exec() ran (NULL: none in the record) and its SR_EXEC_EXE_* flags */
static const char *next_exe;
static uint32_t next_exe_flags;

/* argv given as one string with '\0' separators, total length argv_len */
static int ev_exec(uint32_t pid, uint32_t ppid, const char *file, const char *argv, size_t argv_len,
                   int32_t ret)
{
	static union {
		struct sr_exec_event e;
		char raw[8192];
	} u;
	size_t fl = strlen(file) + 1, cl = 5, el = next_exe ? strlen(next_exe) + 1 : 0;
	uint32_t size = (uint32_t)(sizeof(u.e) + fl + cl + argv_len + el);

	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, ret ? SR_EV_EXEC_FAIL : SR_EV_EXEC, size, pid, ppid);
	u.e.ret = ret;
	u.e.flags = next_exe_flags;
	u.e.filename_len = (uint32_t)fl;
	u.e.cwd_len = (uint32_t)cl;
	u.e.argv_len = (uint32_t)argv_len;
	u.e.exe_len = (uint32_t)el;
	memcpy(u.e.tty, next_tty, strnlen(next_tty, sizeof(u.e.tty) - 1));
	memcpy(u.e.data, file, fl);
	memcpy(u.e.data + fl, "/tmp", cl);
	memcpy(u.e.data + fl + cl, argv, argv_len);
	if (el)
		memcpy(u.e.data + fl + cl + argv_len, next_exe, el);
	return sr_corr_event(&corr, &sess, &u, size);
}

static int ev_fork(uint32_t parent, uint32_t child)
{
	struct sr_fork_event e = {0};

	hdr(&e.hdr, SR_EV_FORK, sizeof(e), parent, 1);
	e.child_pid = child;
	return sr_corr_event(&corr, &sess, &e, sizeof(e));
}

static int ev_exit(uint32_t pid, uint32_t ppid, int code, int sig)
{
	struct sr_exit_event e = {0};

	hdr(&e.hdr, SR_EV_EXIT, sizeof(e), pid, ppid);
	e.exit_code = code;
	e.signal = sig;
	return sr_corr_event(&corr, &sess, &e, sizeof(e));
}

static int ev_open(uint32_t pid, uint64_t flags, const char *path)
{
	static union {
		struct sr_open_event e;
		char raw[512];
	} u;
	size_t pl = strlen(path) + 1;
	uint32_t size = (uint32_t)(sizeof(u.e) + pl);

	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, SR_EV_OPEN, size, pid, 1);
	u.e.flags = flags;
	u.e.ret = 3;
	u.e.path_len = (uint32_t)pl;
	memcpy(u.e.path, path, pl);
	return sr_corr_event(&corr, &sess, &u, size);
}

#define EXEC(pid, ppid, file) ev_exec(pid, ppid, file, file, strlen(file) + 1, 0)

static struct got *last_of(enum sr_rec_kind kind, int32_t pid)
{
	for (int i = nrec - 1; i >= 0; i--)
		if (recs[i].kind == kind && recs[i].pid == pid)
			return &recs[i];
	return NULL;
}

static void test_fork_then_exec(void **state)
{
	(void)state;
	assert_int_equal(sr_corr_start(&corr, &sess), 0);
	assert_int_equal(ev_fork(100, 200), 0); /* sshd -> shell */
	assert_int_equal(EXEC(200, 100, "/bin/bash"), 0);
	assert_int_equal(ev_fork(200, 201), 0);
	assert_int_equal(EXEC(201, 200, "/bin/ls"), 0);
	assert_int_equal(ev_exit(201, 200, 0, 0), 0);
	assert_int_equal(nrec, 4);
	assert_int_equal(recs[0].kind, SR_REC_SESSION_START);
	struct got *bash = last_of(SR_REC_COMMAND, 200), *ls = last_of(SR_REC_COMMAND, 201);
	assert_non_null(bash);
	assert_non_null(ls);
	assert_int_equal(bash->parent_id, 0); /* session root */
	assert_int_equal(ls->parent_id, bash->process_id);
	struct got *ex = last_of(SR_REC_PROCESS_EXIT, 201);
	assert_non_null(ex);
	assert_int_equal(ex->process_id, ls->process_id);
	assert_true(ex->has_exit);
	assert_non_null(strstr(ex->json, "\"exit_code\":0"));
}

static void test_pipeline_tree(void **state)
{
	(void)state;
	/* sh -c 'a | b': sh forks two children, each execs */
	EXEC(300, 100, "/bin/sh");
	ev_fork(300, 301);
	ev_fork(300, 302);
	EXEC(302, 300, "/usr/bin/b");
	EXEC(301, 300, "/usr/bin/a");
	ev_exit(301, 300, 0, 0);
	ev_exit(302, 300, 1, 0);
	ev_exit(300, 100, 1, 0);
	struct got *sh = last_of(SR_REC_COMMAND, 300), *a = last_of(SR_REC_COMMAND, 301),
	           *b = last_of(SR_REC_COMMAND, 302);
	assert_int_equal(a->parent_id, sh->process_id);
	assert_int_equal(b->parent_id, sh->process_id);
	assert_int_equal(last_of(SR_REC_PROCESS_EXIT, 302)->exit_code, 1);
	assert_int_equal(last_of(SR_REC_PROCESS_EXIT, 300)->process_id, sh->process_id);
	assert_int_equal(sr_corr_live_procs(&sess), 0);
}

static void test_exec_chain_and_subshell(void **state)
{
	(void)state;
	/* bash (pid 400) forks a subshell 401 that never execs, which forks 402 */
	EXEC(400, 100, "/bin/bash");
	ev_fork(400, 401);
	ev_fork(401, 402);
	EXEC(402, 401, "/usr/bin/env"); /* env then execs python: a chain */
	EXEC(402, 401, "/usr/bin/python3");
	struct got *bash = last_of(SR_REC_COMMAND, 400);
	struct got *env = &recs[nrec - 2], *py = &recs[nrec - 1];
	assert_int_equal(env->parent_id, bash->process_id); /* through the subshell */
	assert_int_equal(py->parent_id, env->process_id);
	ev_exit(402, 401, 0, 0);
	assert_int_equal(last_of(SR_REC_PROCESS_EXIT, 402)->process_id, py->process_id);
	ev_exit(401, 400, 0, 0); /* never exec'd: no exit record */
	assert_null(last_of(SR_REC_PROCESS_EXIT, 401));
}

/*
 * A restart reads no event before SQLite's ring position: the processes
 * forked and not exec'd by then come back from sr_corr_forks_text(), so an
 * exec after the restart still finds its parent, through a subshell that
 * never exec'd and for an orphan whose parent exited.
 */
static void test_forks_across_restart(void **state)
{
	struct sr_jw w = {0};
	int64_t bash, sh;
	long long key, entity;
	unsigned pid;
	const char *t;
	int n = 0;

	(void)state;
	EXEC(400, 100, "/bin/bash");
	bash = last_of(SR_REC_COMMAND, 400)->process_id;
	ev_fork(400, 401); /* a subshell, never execs */
	ev_fork(401, 402); /* waits, execs after the restart */
	EXEC(410, 400, "/bin/sh");
	sh = last_of(SR_REC_COMMAND, 410)->process_id;
	ev_fork(410, 411);       /* waits, execs after the restart ... */
	ev_exit(410, 400, 0, 0); /* ... when its parent is gone */
	ev_fork(400, 420);
	ev_exit(420, 400, 0, 0); /* forked and exited: not kept */
	sr_corr_forks_text(&sess, &w);
	assert_int_equal(sr_jw_error(&w), 0);
	assert_non_null(w.b);
	sr_jw_put(&w, "", 1);

	/* the restart: the live rows from SQLite, then the forked processes */
	sr_corr_session_free(&sess);
	assert_int_equal(sr_corr_session_init(&sess, &sess_in, "sshd", SR_DISK_ALL, true), 0);
	assert_int_equal(sr_corr_restore_proc(&sess, 400, 100, bash, 0, 1, 1, "bash", "/bin/bash"),
	                 0);
	for (t = w.b; t && *t; t = strchr(t, '\n') ? strchr(t, '\n') + 1 : NULL) {
		assert_int_equal(sscanf(t, "%lld %u %lld", &key, &pid, &entity), 3);
		assert_int_equal(key, 42);
		assert_true(pid == 401 || pid == 402 || pid == 411);
		assert_int_equal(entity, pid == 411 ? sh : bash);
		assert_int_equal(sr_corr_restore_fork(&sess, pid, (int64_t)entity), 0);
		n++;
	}
	assert_int_equal(n, 3);
	sr_jw_free(&w);
	EXEC(402, 401, "/bin/echo");
	assert_int_equal(last_of(SR_REC_COMMAND, 402)->parent_id, bash);
	EXEC(411, 1, "/bin/echo");
	assert_int_equal(last_of(SR_REC_COMMAND, 411)->parent_id, sh);
}

static void test_failed_exec(void **state)
{
	(void)state;
	EXEC(500, 100, "/bin/bash");
	ev_fork(500, 501);
	assert_int_equal(ev_exec(501, 500, "/nope", "nope", 5, -2), 0);
	EXEC(501, 500, "/bin/true");
	struct got *fail = &recs[nrec - 2], *ok = &recs[nrec - 1];
	struct got *bash = last_of(SR_REC_COMMAND, 500);
	assert_int_equal(fail->return_code, -2);
	assert_int_equal(fail->parent_id, bash->process_id);
	assert_non_null(strstr(fail->json, "\"return_code\":-2"));
	/* the failed exec did not change the image: the real one is bash's child */
	assert_int_equal(ok->parent_id, bash->process_id);
	ev_exit(501, 500, 0, 0);
	assert_int_equal(last_of(SR_REC_PROCESS_EXIT, 501)->process_id, ok->process_id);
}

static void test_exit_before_exec_event(void **state)
{
	(void)state;
	EXEC(600, 100, "/bin/bash");
	ev_fork(600, 601);
	/* the exit overtakes the exec event: the exec's timestamp is earlier */
	now_ns += 10000;
	uint64_t exit_ts = now_ns;
	ev_exit(601, 600, 7, 0);
	assert_null(last_of(SR_REC_PROCESS_EXIT, 601));
	now_ns = exit_ts - 5000;
	EXEC(601, 600, "/bin/fast");
	now_ns = exit_ts + 10;
	struct got *cmd = last_of(SR_REC_COMMAND, 601), *ex = last_of(SR_REC_PROCESS_EXIT, 601);
	assert_non_null(cmd);
	assert_non_null(ex);
	assert_int_equal(ex->process_id, cmd->process_id);
	assert_int_equal(ex->exit_code, 7);
	assert_true(ex->ei == cmd->ei + 1);
	assert_int_equal(cmd->parent_id, last_of(SR_REC_COMMAND, 600)->process_id);
	assert_int_equal(sr_corr_live_procs(&sess), 1); /* bash only */
}

static void test_pid_reuse(void **state)
{
	(void)state;
	EXEC(700, 100, "/bin/bash");
	ev_fork(700, 701);
	EXEC(701, 700, "/bin/old");
	ev_exit(701, 700, 0, 0);
	/* 701 is reused by a process forked from a different parent (lost exit is worst case) */
	ev_fork(100, 702);
	EXEC(702, 100, "/bin/sh");
	ev_fork(702, 701);
	EXEC(701, 702, "/bin/new");
	struct got *n = last_of(SR_REC_COMMAND, 701);
	assert_int_equal(n->parent_id, last_of(SR_REC_COMMAND, 702)->process_id);
	/* a reused pid with a stale own row is reset by the fork */
	ev_fork(700, 703);
	EXEC(703, 700, "/bin/x");
	ev_fork(700, 703); /* its exit was lost; the pid comes back */
	EXEC(703, 700, "/bin/y");
	assert_int_equal(recs[nrec - 1].parent_id, last_of(SR_REC_COMMAND, 700)->process_id);
}

static void test_gapless_ei(void **state)
{
	(void)state;
	sr_corr_start(&corr, &sess);
	EXEC(800, 100, "/bin/bash");
	ev_fork(800, 801); /* no record */
	ev_open(801, 0, "/etc/passwd");
	EXEC(801, 800, "/bin/cat");
	ev_exit(801, 800, 0, 0);
	struct sr_session_lost l = {.lost = {1, 2, 0}};
	sr_corr_loss(&corr, &sess, &l, 5);
	sr_corr_end(&corr, &sess, 10);
	for (int i = 0; i < nrec; i++)
		assert_int_equal(recs[i].ei, (uint64_t)i);
	assert_int_equal(recs[nrec - 1].kind, SR_REC_SESSION_END);
	assert_non_null(strstr(recs[nrec - 1].json, "\"lost\":3"));
	assert_non_null(strstr(recs[nrec - 2].json, "\"lost_by_type\":{\"command\":1,\"disk\":2"));
	assert_int_equal(sess.info.counts[SR_REC_COMMAND], 2);
}

static void test_writes_only(void **state)
{
	(void)state;
	sess.disk = SR_DISK_WRITES_ONLY;
	EXEC(900, 100, "/bin/bash");
	ev_open(900, 0, "/etc/passwd");            /* O_RDONLY: dropped */
	ev_open(900, 01 | 0100 | 01000, "/tmp/a"); /* O_WRONLY|O_CREAT|O_TRUNC */
	ev_open(900, 02, "/tmp/b");                /* O_RDWR */
	ev_open(900, 0100, "/tmp/c");              /* O_RDONLY|O_CREAT */
	int disk = 0;
	for (int i = 0; i < nrec; i++)
		disk += recs[i].kind == SR_REC_DISK;
	assert_int_equal(disk, 3);
	assert_non_null(
	    strstr(last_of(SR_REC_DISK, 900)->json, "\"flags_text\":\"O_RDONLY|O_CREAT\""));
	assert_non_null(strstr(recs[1].json, "\"flags_text\":\"O_WRONLY|O_CREAT|O_TRUNC\""));
	assert_int_equal(recs[1].process_id, recs[0].process_id);
	sess.disk = SR_DISK_OFF;
	ev_open(900, 01, "/tmp/d");
	assert_int_equal(nrec, 4);
}

/* A file change: @p1 and @p2 (NULL: none) as the kernel sends them. */
static int ev_fchange(uint32_t pid, uint32_t op, const char *p1, const char *p2, uint32_t cflags,
                      uint32_t uid)
{
	union {
		struct sr_fchange_event e;
		char raw[sizeof(struct sr_fchange_event) + 256];
	} u;
	size_t l1 = strlen(p1) + 1, l2 = p2 ? strlen(p2) + 1 : 0;
	uint32_t size = (uint32_t)(sizeof(u.e) + l1 + l2);

	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, SR_EV_FCHANGE, size, pid, 1);
	u.e.op = op;
	u.e.ret = -1;
	u.e.cflags = cflags;
	u.e.uid = uid;
	u.e.gid = UINT32_MAX;
	u.e.path_len = (uint32_t)l1;
	u.e.path2_len = (uint32_t)l2;
	memcpy(u.e.data, p1, l1);
	if (p2)
		memcpy(u.e.data + l1, p2, l2);
	return sr_corr_event(&corr, &sess, &u, size);
}

/* File changes: recorded under disk = writes, with both paths sanitized; malformed ones refused. */
static void test_fchange(void **state)
{
	const char *j;

	(void)state;
	sess.disk = SR_DISK_WRITES_ONLY; /* every change writes */
	EXEC(900, 100, "/bin/bash");
	assert_int_equal(ev_fchange(900, SR_FC_RENAME, "/w/a", "/w/b\xff",
	                            SR_OPEN_PATH_RESOLVED << SR_FC_PATH2_SHIFT, UINT32_MAX),
	                 0);
	j = last_of(SR_REC_DISK, 900)->json;
	assert_non_null(strstr(j, "\"change\":\"rename\",\"path\":\"/w/a\",\"flags\":0,"
	                          "\"path_resolved\":false,\"new_path\":\"/w/b\\\\xff\","
	                          "\"new_path_resolved\":true,\"return_code\":-1,"));
	assert_int_equal(ev_fchange(900, SR_FC_CHOWN, "/w/b", NULL, SR_FC_RET_UNKNOWN, 1000), 0);
	j = last_of(SR_REC_DISK, 900)->json;
	assert_non_null(strstr(j, "\"owner_uid\":1000,\"owner_gid\":null,\"return_code\":null,"));
	/* refused: no operation, one past the last, a second path past the record */
	assert_int_equal(ev_fchange(900, 0, "/w/a", NULL, 0, 0), -EINVAL);
	assert_int_equal(ev_fchange(900, SR_FC_MAX, "/w/a", NULL, 0, 0), -EINVAL);
	{
		struct sr_fchange_event e;

		memset(&e, 0, sizeof(e));
		hdr(&e.hdr, SR_EV_FCHANGE, sizeof(e), 900, 1);
		e.op = SR_FC_UNLINK;
		e.path2_len = 1;
		assert_int_equal(sr_corr_event(&corr, &sess, &e, sizeof(e)), -EINVAL);
	}
	assert_int_equal(nrec, 3);
	sess.disk = SR_DISK_OFF;
	assert_int_equal(ev_fchange(900, SR_FC_UNLINK, "/w/a", NULL, 0, 0), 0);
	assert_int_equal(nrec, 3);
}

static void test_malformed(void **state)
{
	struct sr_exec_event e = {0};

	(void)state;
	hdr(&e.hdr, SR_EV_EXEC, sizeof(e), 1, 1);
	e.filename_len = 100000; /* tail longer than the record */
	assert_int_equal(sr_corr_event(&corr, &sess, &e, sizeof(e)), -EINVAL);
	e.filename_len = 0;
	e.exe_len = 1; /* the exe, last in the tail, is counted too */
	assert_int_equal(sr_corr_event(&corr, &sess, &e, sizeof(e)), -EINVAL);
	hdr(&e.hdr, 99, sizeof(e), 1, 1);
	assert_int_equal(sr_corr_event(&corr, &sess, &e, sizeof(e)), -EINVAL);
	assert_int_equal(sr_corr_event(&corr, &sess, &e, 8), -EINVAL);
	assert_int_equal(nrec, 0);
	assert_int_equal(corr.malformed, 4);
}

/* Member @p k of record @p i as JSON text (json-c's), "(absent)" when missing. */
static const char *rec_member(int i, const char *k, char *buf, size_t cap)
{
	json_object *o = json_tokener_parse(recs[i].json), *v;

	assert_non_null(o);
	if (json_object_object_get_ex(o, k, &v))
		snprintf(buf, cap, "%s",
		         json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
		                                               JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		snprintf(buf, cap, "(absent)");
	json_object_put(o);
	return buf;
}

/*
 * A record's uid comes from its sid and ei: the same events correlated again
 * (a restarted daemon reading the ring from the position SQLite committed)
 * give the very same lines, uid included; another ei gives another uid, a
 * UUIDv8.
 */
static void test_uid_from_sid_ei(void **state)
{
	char first[8][2048], a[64], b[64];
	uint64_t t0 = now_ns;
	int n, i;

	(void)state;
	sr_corr_start(&corr, &sess);
	EXEC(800, 100, "/bin/bash");
	ev_open(800, 0, "/etc/passwd");
	ev_exit(800, 100, 0, 0);
	n = nrec;
	assert_true(n >= 4 && n <= 8);
	for (i = 0; i < n; i++)
		snprintf(first[i], sizeof(first[i]), "%s", recs[i].json);
	for (i = 1; i < n; i++)
		assert_string_not_equal(rec_member(i, "uid", a, sizeof(a)),
		                        rec_member(i - 1, "uid", b, sizeof(b)));
	assert_int_equal(rec_member(0, "uid", a, sizeof(a))[15], '8');
	/* the daemon again: a new correlator, the session as it was, the same events */
	teardown(state);
	now_ns = t0;
	setup(state);
	sr_corr_start(&corr, &sess);
	EXEC(800, 100, "/bin/bash");
	ev_open(800, 0, "/etc/passwd");
	ev_exit(800, 100, 0, 0);
	assert_int_equal(nrec, n);
	for (i = 0; i < n; i++)
		assert_string_equal(recs[i].json, first[i]);
}

/*
 * A record whose header claims less than its type's struct (a buggy or
 * foreign producer): the buffer is large, so only hdr.size frames it. The
 * tail lengths are 0 and the argv would be read past the claimed record.
 */
static void test_size_below_struct(void **state)
{
	static const size_t types[] = {SR_EV_EXEC, SR_EV_OPEN, SR_EV_ESCAPE, SR_EV_EXIT,
	                               SR_EV_FCHANGE};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* malloc'd to its size, so that ASan sees a read past the claim */
		size_t claim = sizeof(struct sr_event_hdr) + 4;
		union {
			struct sr_exec_event e;
			char raw[sizeof(struct sr_exec_event) + 64];
		} *u = calloc(1, sizeof(*u));

		assert_non_null(u);
		hdr(&u->e.hdr, (uint16_t)types[i], (uint32_t)claim, 1, 1);
		u->e.argv_len = 3; /* in the bytes past the claimed size */
		assert_int_equal(sr_corr_event(&corr, &sess, u, sizeof(*u)), -EINVAL);
		free(u);
	}
	assert_int_equal(nrec, 0);
	assert_int_equal(corr.malformed, 5);
}

/* Session strings are stored as the schema says: valid UTF-8, other bytes \xNN. */
static void test_session_strings_sanitized(void **state)
{
	struct sr_session_info in = {.key = 43,
	                             .sid = "0190a0b0-0000-7000-8000-000000000002",
	                             .login = "al\xff\x1b]0;x",
	                             .user = "u\xc3",
	                             .service = "sshd\xfe",
	                             .tty = "\xc0\xafpts/1",
	                             .rhost = "h\xe2\x80",
	                             .remote_addr = "192.0.2.7\xff",
	                             .local_addr = "\xed\xa0\x80",
	                             .auth_method = "publickey\x80",
	                             .key_type = "ssh-ed25519\xf8",
	                             .key_fingerprint = "SHA256:\xff",
	                             .start_us = 1};
	struct sr_corr_session s2;
	const struct sr_session_info *o = &s2.info;
	const char *all[11];
	size_t i;

	(void)state;
	assert_int_equal(sr_corr_session_init(&s2, &in, "ss\xffhd", SR_DISK_ALL, true), 0);
	assert_string_equal(o->login, "al\\xff\x1b]0;x"); /* ESC is valid: JSON and CLI escape it */
	assert_string_equal(o->tty, "\\xc0\\xafpts/1");
	assert_string_equal(o->remote_addr, "192.0.2.7\\xff");
	assert_string_equal(o->key_type, "ssh-ed25519\\xf8");
	assert_string_equal(s2.leader_comm, "ss\\xffhd");
	all[0] = o->login, all[1] = o->user, all[2] = o->service, all[3] = o->tty;
	all[4] = o->rhost, all[5] = o->remote_addr, all[6] = o->local_addr, all[7] = o->auth_method;
	all[8] = o->key_type, all[9] = o->key_fingerprint, all[10] = s2.leader_comm;
	for (i = 0; i < 11; i++)
		assert_true(sr_utf8_valid(all[i], strlen(all[i])));
	sr_corr_session_free(&s2);
}

/* argv as Teleport has it (without argv[0]), argv0 beside it, the full
 * vector in the processes row; sanitized strings either way. */
static void test_argv_json(void **state)
{
	static const char argv[] = "sh\0-c\0echo \"hi\"\n\x1b[31m\xff";
	static const char one[] = "-bash";
	char buf[256];

	(void)state;
	assert_int_equal(ev_exec(1000, 100, "/bin/sh", argv, sizeof(argv), 0), 0);
	assert_string_equal(rec_member(0, "argv", buf, sizeof(buf)),
	                    "[\"-c\",\"echo \\\"hi\\\"\\n\\u001b[31m\\\\xff\"]");
	assert_string_equal(rec_member(0, "argv0", buf, sizeof(buf)), "\"sh\"");
	assert_string_equal(recs[0].argv_json,
	                    "[\"sh\",\"-c\",\"echo \\\"hi\\\"\\n\\u001b[31m\\\\xff\"]");
	/* argv[0] alone: an empty argv; what exec -a put there stays visible */
	assert_int_equal(ev_exec(1001, 100, "/bin/bash", one, sizeof(one), 0), 0);
	assert_string_equal(rec_member(1, "argv", buf, sizeof(buf)), "[]");
	assert_string_equal(rec_member(1, "argv0", buf, sizeof(buf)), "\"-bash\"");
	assert_string_equal(recs[1].argv_json, "[\"-bash\"]");
	/* execve(path, {NULL}, ...): no argv[0] at all */
	assert_int_equal(ev_exec(1002, 100, "/bin/true", "", 0, 0), 0);
	assert_string_equal(rec_member(2, "argv", buf, sizeof(buf)), "[]");
	assert_string_equal(rec_member(2, "argv0", buf, sizeof(buf)), "null");
	assert_string_equal(recs[2].argv_json, "[]");
	/* an empty argv[0] is a string, not null */
	assert_int_equal(ev_exec(1003, 100, "/bin/true", "\0x", 3, 0), 0);
	assert_string_equal(rec_member(3, "argv", buf, sizeof(buf)), "[\"x\"]");
	assert_string_equal(rec_member(3, "argv0", buf, sizeof(buf)), "\"\"");
}

static uint8_t next_verdict;                      /* hdr.verdict of the next ev_connect */
static uint16_t next_op = SR_CONNECT_ESTABLISHED; /* op of the next ev_connect */

static int ev_connect(uint32_t pid, int family, const char *src, const char *dst, uint16_t dport)
{
	struct sr_connect_event e = {0};

	hdr(&e.hdr, SR_EV_CONNECT, sizeof(e), pid, 100);
	e.hdr.verdict = next_verdict;
	e.family = (uint16_t)family;
	e.sport = 40000;
	e.dport = dport;
	e.op = next_op;
	assert_int_equal(inet_pton(family, src, e.saddr), 1);
	assert_int_equal(inet_pton(family, dst, e.daddr), 1);
	return sr_corr_event(&corr, &sess, &e, sizeof(e));
}

/* The fields Teleport's events.proto defines, as Go's encoding/json writes
 * them: enums as numbers, "[v6]:port", session.end's three fields. */
static void test_teleport_fields(void **state)
{
	char buf[256];

	(void)state;
	free((char *)sess.info.remote_addr);
	sess.info.remote_addr = strdup("2001:db8::5");
	sess.info.remote_port = 50022;
	free((char *)sess.info.local_addr);
	sess.info.local_addr = strdup("192.0.2.1");
	sess.info.local_port = 22;
	free((char *)sess.info.tty);
	sess.info.tty = strdup("ssh");
	assert_int_equal(sr_corr_start(&corr, &sess), 0);
	assert_string_equal(rec_member(0, "addr.remote", buf, sizeof(buf)),
	                    "\"[2001:db8::5]:50022\"");
	assert_string_equal(rec_member(0, "addr.local", buf, sizeof(buf)), "\"192.0.2.1:22\"");
	assert_int_equal(ev_connect(100, AF_INET6, "::1", "2001:db8::7", 443), 0);
	assert_int_equal(ev_connect(100, AF_INET, "127.0.0.1", "192.0.2.9", 80), 0);
	for (int i = 1; i <= 2; i++) {
		assert_string_equal(rec_member(i, "operation", buf, sizeof(buf)), "0");
		assert_string_equal(rec_member(i, "action", buf, sizeof(buf)), "0");
	}
	assert_string_equal(rec_member(1, "dst_addr", buf, sizeof(buf)), "\"2001:db8::7\"");
	/* a connect the policy killed at SYN_SENT (signal): Teleport's DENIED */
	next_verdict = SR_VERDICT_DENIED;
	assert_int_equal(ev_connect(100, AF_INET, "127.0.0.1", "192.0.2.9", 25), 0);
	next_verdict = SR_VERDICT_NONE;
	assert_string_equal(rec_member(3, "action", buf, sizeof(buf)), "1");
	/* PAM's "ssh" only: not interactive */
	assert_int_equal(sr_corr_end(&corr, &sess, 10), 0);
	assert_string_equal(rec_member(4, "enhanced_recording", buf, sizeof(buf)), "true");
	assert_string_equal(rec_member(4, "interactive", buf, sizeof(buf)), "false");
	assert_string_equal(rec_member(4, "participants", buf, sizeof(buf)), "[\"SHA256:abc\"]");
	/* the login shell had a terminal: interactive */
	next_tty = "pts2";
	assert_int_equal(ev_exec(1000, 100, "/bin/bash", "bash", 5, 0), 0);
	next_tty = "";
	assert_int_equal(sr_corr_end(&corr, &sess, 20), 0);
	assert_string_equal(rec_member(6, "interactive", buf, sizeof(buf)), "true");
}

/*
 * Format 4: an accepted connection (the event has the local end as saddr)
 * is written with the peer that initiated as src, operation 2; a UDP send
 * is Teleport's SEND (1) with result "sent"; a connect stays operation 0.
 */
static void test_net_accept_udp(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(sr_corr_start(&corr, &sess), 0);
	next_op = SR_CONNECT_ACCEPTED;
	assert_int_equal(ev_connect(100, AF_INET6, "2001:db8::1", "2001:db8::9", 51000), 0);
	next_op = SR_CONNECT_UDP_SEND;
	assert_int_equal(ev_connect(100, AF_INET, "10.0.0.4", "192.0.2.53", 53), 0);
	next_op = SR_CONNECT_ESTABLISHED;
	assert_int_equal(ev_connect(100, AF_INET, "10.0.0.4", "192.0.2.9", 443), 0);
	assert_string_equal(rec_member(1, "operation", buf, sizeof(buf)), "2");
	assert_string_equal(rec_member(1, "src_addr", buf, sizeof(buf)), "\"2001:db8::9\"");
	assert_string_equal(rec_member(1, "src_port", buf, sizeof(buf)), "51000");
	assert_string_equal(rec_member(1, "dst_addr", buf, sizeof(buf)), "\"2001:db8::1\"");
	assert_string_equal(rec_member(1, "dst_port", buf, sizeof(buf)), "40000");
	assert_string_equal(rec_member(1, "result", buf, sizeof(buf)), "\"established\"");
	assert_string_equal(rec_member(2, "operation", buf, sizeof(buf)), "1");
	assert_string_equal(rec_member(2, "src_addr", buf, sizeof(buf)), "\"10.0.0.4\"");
	assert_string_equal(rec_member(2, "dst_port", buf, sizeof(buf)), "53");
	assert_string_equal(rec_member(2, "result", buf, sizeof(buf)), "\"sent\"");
	assert_string_equal(rec_member(3, "operation", buf, sizeof(buf)), "0");
	assert_string_equal(rec_member(3, "result", buf, sizeof(buf)), "\"established\"");
	assert_int_equal(sess.info.counts[SR_REC_NETWORK], 3);
}

/* Record @p i's "tty", or "(null)". */
static const char *rec_tty(int i, char *buf, size_t cap)
{
	json_object *o = json_tokener_parse(recs[i].json), *t;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "tty", &t)); /* always present */
	snprintf(buf, cap, "%s", t ? json_object_get_string(t) : "(null)");
	json_object_put(o);
	return buf;
}

/*
 * The terminal of each program is recorded; the session's becomes that of
 * its first root-level program with one (PAM only knew "ssh"), not of a
 * pty opened later inside the session.
 */
static void test_tty(void **state)
{
	static const char a[] = "x";
	char buf[64];

	(void)state;
	free((char *)sess.info.tty);
	sess.info.tty = strdup("ssh");
	next_tty = ""; /* a PAM session script before the pty exists */
	assert_int_equal(ev_exec(1000, 100, "/usr/bin/run-parts", a, sizeof(a), 0), 0);
	assert_string_equal(rec_tty(0, buf, sizeof(buf)), "(null)");
	assert_string_equal(sess.info.tty, "ssh");
	next_tty = "pts4"; /* the login shell */
	assert_int_equal(ev_exec(1001, 100, "/bin/bash", a, sizeof(a), 0), 0);
	assert_string_equal(rec_tty(1, buf, sizeof(buf)), "/dev/pts/4");
	assert_string_equal(sess.info.tty, "/dev/pts/4");
	/* script(1) inside the session opens another pty: not the session's */
	assert_int_equal(ev_fork(1001, 1002), 0);
	next_tty = "pts9";
	assert_int_equal(ev_exec(1002, 1001, "/usr/bin/script", a, sizeof(a), 0), 0);
	assert_string_equal(rec_tty(2, buf, sizeof(buf)), "/dev/pts/9");
	assert_true(recs[2].parent_id != 0);
	assert_string_equal(sess.info.tty, "/dev/pts/4");
	/* a console name, and a name that is not a kernel tty name */
	next_tty = "tty1";
	assert_int_equal(ev_exec(1003, 100, "/bin/true", a, sizeof(a), 0), 0);
	assert_string_equal(rec_tty(3, buf, sizeof(buf)), "/dev/tty1");
	next_tty = "../x";
	assert_int_equal(ev_exec(1004, 100, "/bin/true", a, sizeof(a), 0), 0);
	assert_string_equal(rec_tty(4, buf, sizeof(buf)), "(null)");
	next_tty = "";
}

/* Record @p i's @p key as a string, "(null)" when null; the key must be there. */
static const char *rec_str(int i, const char *key, char *buf, size_t cap)
{
	json_object *o = json_tokener_parse(recs[i].json), *t;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, key, &t));
	snprintf(buf, cap, "%s", t ? json_object_get_string(t) : "(null)");
	json_object_put(o);
	return buf;
}

/* One exec with @p exe and @p flags: checks exe, exe_kind and the program name. */
static void check_exe(int i, const char *path, const char *exe, uint32_t flags, int32_t ret,
                      const char *want_exe, const char *want_kind, const char *want_prog)
{
	static const char a[] = "x";
	char buf[256];

	next_exe = exe;
	next_exe_flags = flags;
	assert_int_equal(ev_exec((uint32_t)(2000 + i), 100, path, a, sizeof(a), ret), 0);
	next_exe = NULL;
	next_exe_flags = 0;
	assert_int_equal(nrec, i + 1);
	assert_string_equal(rec_str(i, "exe", buf, sizeof(buf)), want_exe);
	assert_string_equal(rec_str(i, "exe_kind", buf, sizeof(buf)), want_kind);
	assert_string_equal(rec_str(i, "path", buf, sizeof(buf)), path);
	assert_string_equal(recs[i].program, want_prog);
}

/*
 * The file that ran and what it was: a memfd is fileless and named after
 * its memfd name, an exec through a descriptor after the file it reached
 * (the basename of "/dev/fd/3" is "3"), a deleted file says so.
 */
static void test_exe(void **state)
{
	(void)state;
	check_exe(0, "/dev/fd/3", "memfd:payload", SR_EXEC_EXE_ANON | SR_EXEC_EXE_UNLINKED, 0,
	          "memfd:payload", "fileless", "memfd:payload");
	check_exe(1, "/proc/self/fd/4", "/usr/bin/id", 0, 0, "/usr/bin/id", "file", "id");
	check_exe(2, "./x", "/tmp/x", SR_EXEC_EXE_UNLINKED, 0, "/tmp/x", "deleted", "x");
	check_exe(3, "/proc/self/fd/5", "/tmp/gone", SR_EXEC_EXE_UNLINKED, 0, "/tmp/gone",
	          "deleted", "gone");
	check_exe(4, "/usr/bin/python3", "/usr/bin/python3.11", 0, 0, "/usr/bin/python3.11", "file",
	          "python3");
	/* unreadable: unknown file, kind still from the flags */
	check_exe(5, "/dev/fd/3", "", SR_EXEC_EXE_FAULT, 0, "(null)", "file", "3");
	/* a failed exec ran nothing */
	check_exe(6, "/nonexistent", NULL, 0, -2, "(null)", "(null)", "nonexistent");
	/* a #! script: the kernel ran its interpreter, through a descriptor or not */
	check_exe(7, "/dev/fd/9", "/usr/bin/dash", SR_EXEC_EXE_INTERP, 0, "/usr/bin/dash",
	          "interpreter", "9");
	check_exe(8, "./s.sh", "/usr/bin/dash", SR_EXEC_EXE_INTERP, 0, "/usr/bin/dash",
	          "interpreter", "s.sh");
}

/* A denied/audited action: path (exec, write) or daddr/dport (connect), and the rule. */
static int ev_denied(uint32_t pid, uint8_t action, uint8_t mode, uint8_t mech, uint8_t flags,
                     const char *path, uint16_t family, const void *daddr, uint16_t dport,
                     const char *rule)
{
	static union {
		struct sr_denied_event e;
		char raw[1024];
	} u;
	size_t pl = strlen(path) + 1, rl = strlen(rule) + 1;
	uint32_t size = (uint32_t)(sizeof(u.e) + pl + rl);

	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, SR_EV_DENIED, size, pid, 100);
	u.e.action = action;
	u.e.mode = mode;
	u.e.mechanism = mech;
	u.e.flags = flags;
	u.e.family = family;
	u.e.dport = dport;
	if (daddr)
		memcpy(u.e.daddr, daddr, family == 10 ? 16 : 4);
	u.e.open_flags = 01 | 0100 | 01000; /* O_WRONLY|O_CREAT|O_TRUNC */
	u.e.path_len = (uint32_t)pl;
	u.e.rule_len = (uint32_t)rl;
	memcpy(u.e.data, path, pl);
	memcpy(u.e.data + pl, rule, rl);
	return sr_corr_event(&corr, &sess, &u, size);
}

static json_object *rec_obj(int i)
{
	json_object *o = json_tokener_parse(recs[i].json);

	assert_non_null(o);
	return o;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return "(null)";
	return json_object_get_string(v);
}

/*
 * session.denied: what was tried, the rule, the mode, the mechanism and what
 * that means; the process it belongs to; counted in the session's totals,
 * also when the session does not record the class (disk off).
 */
static void test_denied(void **state)
{
	static const uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t v4[4] = {10, 1, 2, 3};
	json_object *o;

	(void)state;
	sess.disk = SR_DISK_OFF; /* a denial is recorded whatever the session records */
	sess.network = false;
	assert_int_equal(EXEC(200, 100, "/bin/bash"), 0);
	assert_int_equal(ev_denied(200, SR_POLICY_EXEC, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL, 0,
	                           "/usr/bin/nc.openbsd", 0, NULL, 0, "deny_exec = /usr/bin/*"),
	                 0);
	assert_int_equal(nrec, 2);
	assert_int_equal(recs[1].kind, SR_REC_DENIED);
	assert_int_equal(recs[1].process_id, recs[0].process_id);
	o = rec_obj(1);
	assert_string_equal(jstr(o, "event"), "session.denied");
	assert_string_equal(jstr(o, "code"), "SR4020W");
	assert_string_equal(jstr(o, "kind"), "exec");
	assert_string_equal(jstr(o, "action"), "1"); /* a number, as in session.network */
	assert_true(json_object_is_type(json_object_object_get(o, "action"), json_type_int));
	assert_string_equal(jstr(o, "target"), "/usr/bin/nc.openbsd");
	assert_string_equal(jstr(o, "path"), "/usr/bin/nc.openbsd");
	assert_string_equal(jstr(o, "dst_addr"), "(null)");
	assert_string_equal(jstr(o, "flags_text"), "(null)");
	assert_string_equal(jstr(o, "rule"), "deny_exec = /usr/bin/*");
	assert_string_equal(jstr(o, "policy_mode"), "enforced");
	assert_string_equal(jstr(o, "mechanism"), "signal");
	assert_string_equal(jstr(o, "effect"), "killed");
	assert_string_equal(jstr(o, "pid"), "200");
	json_object_put(o);

	assert_int_equal(ev_denied(200, SR_POLICY_WRITE, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, 0,
	                           "/etc/ssh/sshd_config", 0, NULL, 0,
	                           "deny_write.group.staff = /etc/ssh/*"),
	                 0);
	o = rec_obj(2);
	assert_string_equal(jstr(o, "kind"), "write");
	assert_string_equal(jstr(o, "action"), "1");
	assert_string_equal(jstr(o, "flags_text"), "O_WRONLY|O_CREAT|O_TRUNC");
	assert_string_equal(jstr(o, "effect"), "blocked");
	assert_string_equal(jstr(o, "mechanism"), "lsm");
	json_object_put(o);

	/* the signal could not be sent: said so */
	assert_int_equal(ev_denied(200, SR_POLICY_WRITE, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL,
	                           SR_DENIED_NOT_APPLIED, "/etc/sudoers", 0, NULL, 0,
	                           "deny_write = /etc/sudoers"),
	                 0);
	o = rec_obj(3);
	assert_string_equal(jstr(o, "effect"), "not_applied");
	assert_string_equal(jstr(o, "action"), "0"); /* it was not denied */
	json_object_put(o);

	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_AUDIT, SR_POLICY_MECH_SIGNAL,
	                           0, "", 10, v6, 22, "deny_connect.user.alice = [fd00::]/8"),
	                 0);
	o = rec_obj(4);
	assert_string_equal(jstr(o, "kind"), "connect");
	assert_string_equal(jstr(o, "action"), "0"); /* audit */
	assert_string_equal(jstr(o, "target"), "[fd00::1]:22");
	assert_string_equal(jstr(o, "path"), "(null)");
	assert_string_equal(jstr(o, "dst_addr"), "fd00::1");
	assert_string_equal(jstr(o, "dst_port"), "22");
	assert_string_equal(jstr(o, "version"), "6");
	assert_string_equal(jstr(o, "policy_mode"), "audit");
	assert_string_equal(jstr(o, "effect"), "audit");
	json_object_put(o);

	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL,
	                           0, "", 2, v4, 443, "deny_connect = 10.0.0.0/8"),
	                 0);
	o = rec_obj(5);
	assert_string_equal(jstr(o, "target"), "10.1.2.3:443");
	assert_string_equal(jstr(o, "effect"), "killed_after");
	assert_string_equal(jstr(o, "action"), "1");
	json_object_put(o);

	assert_int_equal(sess.info.counts[SR_REC_DENIED], 5);
	assert_int_equal(sess.info.counts[SR_REC_NETWORK], 0); /* network off: none written */
	assert_int_equal(sr_corr_end(&corr, &sess, 5), 0);
	o = rec_obj(6);
	assert_string_equal(jstr(json_object_object_get(o, "counts"), "denied"), "5");
	json_object_put(o);
}

/*
 * A connect a BPF LSM hook refused never reaches the TCP state tracepoint:
 * its session.denied, then a session.network made from it with Teleport's
 * action DENIED (1), when the session records network. A signal verdict, an
 * audited or a not applied one adds none (the connect happens and the TCP
 * states record it).
 */
static void test_denied_connect_network(void **state)
{
	static const uint8_t v4[4] = {192, 0, 2, 7};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
	json_object *o;

	(void)state;
	sess.network = true;
	assert_int_equal(EXEC(200, 100, "/usr/bin/curl"), 0);
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, 0,
	                           "", 2, v4, 443, "deny_connect = 192.0.2.0/24"),
	                 0);
	assert_int_equal(nrec, 3);
	assert_int_equal(recs[1].kind, SR_REC_DENIED);
	assert_int_equal(recs[2].kind, SR_REC_NETWORK);
	assert_int_equal(recs[1].ei + 1, recs[2].ei);
	assert_int_equal(recs[1].process_id, recs[2].process_id);
	o = rec_obj(1);
	assert_string_equal(jstr(o, "kind"), "connect");
	assert_string_equal(jstr(o, "action"), "1");
	assert_string_equal(jstr(o, "policy_mode"), "enforced");
	assert_string_equal(jstr(o, "effect"), "blocked");
	json_object_put(o);
	o = rec_obj(2);
	assert_string_equal(jstr(o, "event"), "session.network");
	assert_string_equal(jstr(o, "action"), "1");
	assert_string_equal(jstr(o, "operation"), "0");
	assert_string_equal(jstr(o, "result"), "failed");
	assert_string_equal(jstr(o, "src_addr"), "0.0.0.0");
	assert_string_equal(jstr(o, "src_port"), "0");
	assert_string_equal(jstr(o, "dst_addr"), "192.0.2.7");
	assert_string_equal(jstr(o, "dst_port"), "443");
	assert_string_equal(jstr(o, "version"), "4");
	json_object_put(o);

	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, 0,
	                           "", 10, v6, 22, "deny_connect = [2001:db8::]/32"),
	                 0);
	assert_int_equal(recs[3].kind, SR_REC_DENIED);
	o = rec_obj(4);
	assert_string_equal(jstr(o, "src_addr"), "::");
	assert_string_equal(jstr(o, "dst_addr"), "2001:db8::5");
	assert_string_equal(jstr(o, "version"), "6");
	json_object_put(o);

	/* signal, audit, not applied: the denial only */
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL,
	                           0, "", 2, v4, 443, "deny_connect = 192.0.2.0/24"),
	                 0);
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_AUDIT, SR_POLICY_MECH_LSM, 0,
	                           "", 2, v4, 443, "deny_connect = 192.0.2.0/24"),
	                 0);
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM,
	                           SR_DENIED_NOT_APPLIED, "", 2, v4, 443,
	                           "deny_connect = 192.0.2.0/24"),
	                 0);
	assert_int_equal(nrec, 8);
	assert_int_equal(recs[5].kind, SR_REC_DENIED);
	assert_int_equal(recs[6].kind, SR_REC_DENIED);
	assert_int_equal(recs[7].kind, SR_REC_DENIED);
	o = rec_obj(5);
	assert_string_equal(jstr(o, "action"), "1"); /* signal: enforced and applied */
	json_object_put(o);
	o = rec_obj(6);
	assert_string_equal(jstr(o, "action"), "0"); /* audit: observed */
	assert_string_equal(jstr(o, "policy_mode"), "audit");
	json_object_put(o);
	o = rec_obj(7);
	assert_string_equal(jstr(o, "action"), "0"); /* not applied: observed */
	json_object_put(o);
	assert_int_equal(sess.info.counts[SR_REC_NETWORK], 2);
	assert_int_equal(sess.info.counts[SR_REC_DENIED], 5);

	/* the session does not record network: the denial only */
	sess.network = false;
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, 0,
	                           "", 2, v4, 443, "deny_connect = 192.0.2.0/24"),
	                 0);
	assert_int_equal(nrec, 9);
	assert_int_equal(recs[8].kind, SR_REC_DENIED);
}

/* A denied event that does not add up is refused and counted, never half-recorded. */
static void test_denied_malformed(void **state)
{
	(void)state;
	/* unknown action, mode, mechanism, family */
	assert_int_equal(
	    ev_denied(200, 7, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, 0, "/x", 0, NULL, 0, "r"),
	    -EINVAL);
	assert_int_equal(ev_denied(200, SR_POLICY_EXEC, SR_POLICY_OFF, SR_POLICY_MECH_LSM, 0, "/x",
	                           0, NULL, 0, "r"),
	                 -EINVAL);
	assert_int_equal(
	    ev_denied(200, SR_POLICY_EXEC, SR_POLICY_AUDIT, 9, 0, "/x", 0, NULL, 0, "r"), -EINVAL);
	assert_int_equal(ev_denied(200, SR_POLICY_CONNECT, SR_POLICY_AUDIT, SR_POLICY_MECH_LSM, 0,
	                           "", 7, NULL, 1, "r"),
	                 -EINVAL);
	assert_int_equal(nrec, 0);
	assert_int_equal(corr.malformed, 4);

	/* tail lengths past the record, and a header shorter than the struct */
	union {
		struct sr_denied_event e;
		char raw[256];
	} u;
	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, SR_EV_DENIED, sizeof(u.e) + 4, 200, 100);
	u.e.action = SR_POLICY_EXEC;
	u.e.mode = SR_POLICY_ENFORCE;
	u.e.mechanism = SR_POLICY_MECH_LSM;
	u.e.path_len = 3;
	u.e.rule_len = 3;
	assert_int_equal(sr_corr_event(&corr, &sess, &u, sizeof(u)), -EINVAL);
	u.e.hdr.size = sizeof(u.e) - 8;
	assert_int_equal(sr_corr_event(&corr, &sess, &u, sizeof(u)), -EINVAL);
	assert_int_equal(nrec, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fork_then_exec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uid_from_sid_ei, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pipeline_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_chain_and_subshell, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forks_across_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_exec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exit_before_exec_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pid_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gapless_ei, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writes_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fchange, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_below_struct, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_strings_sanitized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_argv_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_teleport_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_net_accept_udp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_denied, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_denied_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_denied_connect_network, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
